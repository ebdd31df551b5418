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
// The module layout follows ../shared/DESIGN.md: one module per phase, data flowing one way
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
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "CYAML", pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
    .target(name: "SproutDiagnostics"),
    .target(name: "SproutSyntax", dependencies: ["CYAML", "SproutDiagnostics"]),
    .target(name: "SproutSpec", dependencies: ["SproutSyntax", "SproutDiagnostics"]),
    .target(name: "SproutGraph", dependencies: ["SproutSpec", "SproutDiagnostics"]),
    .target(name: "SproutPlanner", dependencies: ["SproutGraph", "SproutSpec", "SproutSyntax", "SproutDiagnostics"], swiftSettings: optimized),
    // C11 atomics for the CPU backend's worker pool (Synchronization's Atomic needs macOS 15), and the cache
    // prefetch hint its matrix multiply gives for C tiles.
    .target(name: "CSproutAtomics"),
    .target(name: "SproutTensor", dependencies: ["CSproutAtomics"], swiftSettings: [.unsafeFlags(tensorFlags)]),
    .target(name: "SproutTensorConformance", dependencies: ["SproutTensor"]),
    .target(name: "SproutTrain", dependencies: ["SproutTensor", "SproutDiagnostics"], swiftSettings: optimized),
    .target(
      name: "SproutRun",
      dependencies: ["SproutPlanner", "SproutGraph", "SproutSpec", "SproutTrain", "SproutTensor", "SproutDiagnostics"]),
    .target(
      name: "SproutDriver",
      dependencies: [
        "SproutDiagnostics", "SproutSyntax", "SproutSpec", "SproutGraph", "SproutPlanner", "SproutRun",
        "SproutTensor", "SproutTrain",
      ]),
    .executableTarget(
      name: "sprout",
      dependencies: [
        "SproutDriver", "SproutPlanner", "SproutTrain",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "sprout-bench", dependencies: ["SproutTensor", "SproutTrain", "SproutDriver", "SproutBenchAlloc"],
      path: "bench/Sources/sprout-bench"),
    // Counts allocations in the benchmark by interposing malloc (bench only; no library links it).
    .target(name: "SproutBenchAlloc", path: "bench/Sources/SproutBenchAlloc"),

    .testTarget(name: "SproutDiagnosticsTests", dependencies: ["SproutDiagnostics"]),
    .testTarget(
      name: "SproutSyntaxTests", dependencies: ["SproutSyntax", "SproutDiagnostics"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SproutSpecTests", dependencies: ["SproutSpec", "SproutSyntax", "SproutDiagnostics"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "SproutGraphTests", dependencies: ["SproutGraph", "SproutSpec", "SproutSyntax", "SproutDiagnostics"]),
    .testTarget(
      name: "SproutPlannerTests",
      dependencies: ["SproutPlanner", "SproutGraph", "SproutSpec", "SproutSyntax", "SproutDiagnostics"]),
    .testTarget(name: "SproutTensorTests", dependencies: ["SproutTensor", "SproutTensorConformance"]),
    .testTarget(name: "SproutTrainTests", dependencies: ["SproutTrain", "SproutTensor"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SproutRunTests",
      dependencies: ["SproutRun", "SproutDriver", "SproutPlanner", "SproutTrain", "SproutTensor", "SproutDiagnostics"]),
    .testTarget(name: "SproutCLITests", dependencies: ["SproutDriver"]),
  ],
  swiftLanguageModes: [.v5]
)
