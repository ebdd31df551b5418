// swift-tools-version:6.0
import PackageDescription

// SproutTensor's kernels are compiled optimised in every configuration (debug tests would otherwise spend
// minutes in unspecialised SIMD code) and, on x86-64 hosts, for AVX2 + FMA (x86-64-v3: every x86 server CPU
// since 2013), without which the SIMD8 micro-kernel has neither 256-bit registers nor fused multiply-adds.
var tensorFlags = ["-Ounchecked"]
#if arch(x86_64)
  tensorFlags += ["-target-cpu", "haswell"]
#endif
// Training and hashing code is also optimised in debug builds: the test suite trains small networks and
// hashes checkpoints, which unoptimised generic Swift does 10-50x slower.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

// Every target lists every Sprout module it imports, transitive ones included: SwiftPM recompiles a target
// when a *listed* dependency's interface changes, and a target that reached a module only transitively kept
// a stale layout of its types after they gained stored properties (a crash in an incremental build).
//
// The module layout: one module per phase, data flowing one way
// (Syntax → Spec → Graph → Planner → Run), numerical code in Tensor and Train, and a thin CLI.
let package = Package(
  name: "Sprout",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "sprout", targets: ["sprout"]),
    .library(name: "SproutDriver", targets: ["SproutDriver"]),
    .library(name: "SproutTensorConformance", targets: ["SproutTensorConformance"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // SHA-256 for task hashes, file digests and checkpoint checksums.
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    // The run index (`sprout runs`): SQLite through GRDB, on the system's libsqlite3 (libsqlite3-dev).
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // The CPU backend's worker pool hands work over through atomic words.
    .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
    // Property tests only (no library or executable links it): random layouts, stop points, jobs and threads.
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CYAML", pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
    // zlib (zlib1g-dev) for gzip-compressed data files: MNIST's own distribution files are .gz IDX.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    .target(name: "SproutDiagnostics"),
    // The lowered, typed configuration a task executes: what the planner produces and hashes, and the trainer runs.
    .target(name: "SproutConfig"),
    // The data file formats (.npy, IDX, CSV, PGM/PPM) and the rule that says which targets are class labels: one
    // reader per format, shared by the graph's checks (lint) and the trainer's loaders, so they agree by construction.
    // Optimised like the trainer that loads with it: lint scans whole label files.
    .target(name: "SproutFormats", dependencies: ["CZlib"], swiftSettings: optimized),
    .target(name: "SproutSyntax", dependencies: ["CYAML", "SproutDiagnostics"]),
    .target(name: "SproutSpec", dependencies: ["SproutSyntax", "SproutDiagnostics", "SproutConfig"]),
    .target(name: "SproutGraph", dependencies: ["SproutSpec", "SproutDiagnostics", "SproutConfig", "SproutFormats"]),
    .target(
      name: "SproutPlanner",
      dependencies: [
        "SproutGraph", "SproutSpec", "SproutSyntax", "SproutDiagnostics", "SproutConfig",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: optimized),
    // swift-atomics for the worker pool (Synchronization's Atomic needs macOS 15).
    .target(
      name: "SproutTensor", dependencies: [.product(name: "Atomics", package: "swift-atomics")],
      swiftSettings: [.unsafeFlags(tensorFlags)]),
    .target(name: "SproutTensorConformance", dependencies: ["SproutTensor", "SproutDiagnostics"]),
    .target(
      name: "SproutTrain", dependencies: ["SproutTensor", "SproutDiagnostics", "SproutConfig", "SproutFormats"],
      swiftSettings: optimized),
    .target(
      name: "SproutRun",
      dependencies: [
        "SproutPlanner", "SproutGraph", "SproutSpec", "SproutTrain", "SproutTensor", "SproutDiagnostics", "SproutConfig",
      ]),
    // Slurm submission and status over plan files and a shared store (docs/cluster.md).
    .target(name: "SproutCluster", dependencies: ["SproutRun", "SproutPlanner", "SproutDiagnostics", "SproutConfig"]),
    // Results a researcher reads, from the store alone: grouping over seeds, comparison, SVG plots and the HTML
    // report, CSV and TensorBoard exports, the SQLite run index, garbage collection.
    .target(
      name: "SproutResults",
      dependencies: ["SproutRun", "SproutPlanner", "SproutDiagnostics", .product(name: "GRDB", package: "GRDB.swift")]),
    .target(
      name: "SproutDriver",
      dependencies: [
        "SproutDiagnostics", "SproutSyntax", "SproutSpec", "SproutGraph", "SproutPlanner", "SproutRun",
        "SproutTensor", "SproutTrain", "SproutConfig", "SproutCluster", "SproutResults",
      ]),
    .executableTarget(
      name: "sprout",
      dependencies: [
        // SproutRun's types reach it inside SproutDriver's (RunOutcome holds a RunSummary): listed so their
        // layout changes rebuild it.
        "SproutDriver", "SproutPlanner", "SproutTrain", "SproutCluster", "SproutResults", "SproutRun", "SproutConfig",
        "SproutDiagnostics",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "sprout-bench",
      dependencies: [
        "SproutConfig", "SproutDiagnostics", "SproutTensor", "SproutTrain", "SproutDriver", "SproutBenchAlloc",
      ],
      path: "bench/Sources/sprout-bench"),
    // Counts allocations in the benchmark by interposing malloc (bench only; no library links it).
    .target(name: "SproutBenchAlloc", path: "bench/Sources/SproutBenchAlloc"),

    .testTarget(name: "SproutDiagnosticsTests", dependencies: ["SproutDiagnostics"]),
    .testTarget(name: "SproutConfigTests", dependencies: ["SproutConfig", "SproutDiagnostics"]),
    .testTarget(name: "SproutFormatsTests", dependencies: ["SproutFormats"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SproutSyntaxTests", dependencies: ["SproutSyntax", "SproutDiagnostics"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SproutSpecTests", dependencies: ["SproutSpec", "SproutSyntax", "SproutDiagnostics"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SproutGraphTests",
      dependencies: ["SproutGraph", "SproutSpec", "SproutSyntax", "SproutDiagnostics", "SproutFormats"]),
    .testTarget(
      name: "SproutPlannerTests",
      dependencies: [
        "SproutPlanner", "SproutGraph", "SproutSpec", "SproutSyntax", "SproutDiagnostics", "SproutConfig",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(name: "SproutTensorTests", dependencies: ["SproutTensor", "SproutTensorConformance", "SproutDiagnostics"]),
    .testTarget(
      name: "SproutTrainTests", dependencies: ["SproutTrain", "SproutTensor", "SproutConfig", "SproutDiagnostics", "SproutFormats"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SproutRunTests",
      dependencies: [
        "SproutRun", "SproutDriver", "SproutPlanner", "SproutSpec", "SproutTrain", "SproutTensor", "SproutDiagnostics",
        "SproutConfig", .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(
      name: "SproutResultsTests",
      dependencies: ["SproutResults", "SproutDriver", "SproutRun", "SproutPlanner", "SproutTrain", "SproutDiagnostics"]),
    .testTarget(name: "SproutCLITests", dependencies: ["SproutDriver", "SproutResults", "SproutRun", "SproutDiagnostics"]),
    .testTarget(
      name: "SproutClusterTests",
      dependencies: ["SproutCluster", "SproutDriver", "SproutRun", "SproutPlanner", "SproutDiagnostics"]),
    // Needs a running Slurm (scripts/slurm-up.sh): `make test-slurm` runs it, `make test` skips it.
    .testTarget(
      name: "SproutSlurmTests",
      dependencies: ["SproutCluster", "SproutDriver", "SproutRun", "SproutPlanner", "SproutDiagnostics"]),
  ],
  // Swift 6 language mode for every target: complete concurrency checking, data races are compile errors. What
  // the compiler cannot check is marked `@unchecked Sendable`, each with the reason beside it.
  swiftLanguageModes: [.v6]
)
