import Foundation
import SproutBenchAlloc
import SproutTensor

// sprout-bench: the Sprout side of `make bench` (bench/train/bench.py drives it and the Python peers).
//
//   sprout-bench serve            line protocol on stdin/stdout, one JSON object per request:
//     train MODEL SYSTEM THREADS STEPS WARMUP   → {"us": median µs/step, "loss": …, "cpu_us": process CPU µs
//                                                  per step, mean over the timed steps} (MODEL: an MLP of
//                                                  Models.swift, or `transformer`: TransformerBench.swift)
//     peak THREADS N REPEATS                    → {"gflops": best OpenBLAS sgemm rate (blas backend)}
//     gemm SYSTEM THREADS M N K TA TB REPEATS   → {"best": GFLOP/s, "median": GFLOP/s, "cpu_median": GFLOP per
//                                                  CPU-second of the process}
//     alloc MODEL SYSTEM THREADS STEPS          → {"calls": allocations in STEPS steady-state steps, "bytes": …,
//                                                  "probe": the count for one deliberate allocation (≥ 1)}
//     info                                      → {"blas": library path and OpenBLAS kernel}
//   sprout-bench REQUEST…         one request from the command line.

// Top-level state belongs to the main actor (Swift 6); the bench is single-threaded, so the functions that use
// it are main-actor functions too.
let cache = BackendCache()
var trainers: [String: any BenchStepping] = [:]

@MainActor func trainer(_ model: String, _ system: String, _ threads: Int) throws -> any BenchStepping {
  let key = "\(model)/\(system)/\(threads)"
  if let t = trainers[key] { return t }
  if model == "transformer" {
    let t = try TransformerBenchTrainer(backend: try cache.backend(system, threads: threads))
    trainers[key] = t
    return t
  }
  guard let m = BenchModel.named(model) else { throw BenchError("unknown model \(model)") }
  let t = try BenchTrainer(model: m, backend: try cache.backend(system, threads: threads))
  trainers[key] = t
  return t
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}

func json(_ fields: [(String, Any)]) -> String {
  let body = fields.map { key, value -> String in
    switch value {
    case let s as String: return "\"\(key)\": \"\(s.replacingOccurrences(of: "\"", with: "'"))\""
    case let d as Double: return "\"\(key)\": \(d.isFinite ? String(d) : "null")"
    case let f as Float: return "\"\(key)\": \(f.isFinite ? String(f) : "null")"
    default: return "\"\(key)\": \(value)"
    }
  }
  return "{" + body.joined(separator: ", ") + "}"
}

@MainActor func handle(_ words: [String]) throws -> String {
  func int(_ i: Int) throws -> Int {
    guard i < words.count, let v = Int(words[i]) else { throw BenchError("expected a number at word \(i)") }
    return v
  }
  switch words.first {
  case "train":
    let t = try trainer(words[1], words[2], try int(3))
    let (seconds, loss, cpu) = Measure.train(t, steps: try int(4), warmup: try int(5))
    return json([("us", seconds * 1e6), ("loss", loss), ("cpu_us", cpu * 1e6)])
  case "peak":
    let backend = try cache.backend("blas", threads: try int(1), peer: true)
    return json([("gflops", Measure.squareGemm(backend, n: try int(2), repeats: try int(3)))])
  case "gemm":
    let backend = try cache.backend(words[1], threads: try int(2), peer: true)
    let r = Measure.gemm(
      backend, m: try int(3), n: try int(4), k: try int(5), transA: words[6] == "T", transB: words[7] == "T",
      repeats: try int(8))
    return json([("best", r.best), ("median", r.median), ("cpu_median", r.cpuMedian)])
  case "alloc":
    let t = try trainer(words[1], words[2], try int(3))
    guard let r = Measure.allocations(t, steps: try int(4), warmup: 3) else {
      return json([("calls", -1), ("bytes", -1), ("probe", -1)])
    }
    return json([("calls", r.calls), ("bytes", r.bytes), ("probe", r.probe)])
  case "act":
    // act SYSTEM THREADS COUNT REPEATS: ns per element of tanh, relu, sine(30) forward and backward.
    let backend = try cache.backend(words[1], threads: try int(2))
    let count = try int(3)
    let x = Tensor(zeros: [count])
    let y = Tensor(zeros: [count])
    var rng = BenchRandom(seed: 1)
    for i in 0..<count { x[i] = rng.uniform(-2, 2) }
    var fields: [(String, Any)] = []
    for (name, f) in [("tanh", Activation.tanh), ("relu", .relu), ("sine", .sine(omega: 30))] {
      let repeats = try int(4)
      var t0 = now()
      for _ in 0..<repeats { backend.activationForward(f, x.pointer, y.mutablePointer, count: count) }
      fields.append(("\(name)_fwd_ns", (now() - t0) / Double(repeats * count) * 1e9))
      t0 = now()
      for _ in 0..<repeats {
        backend.activationBackward(f, x: x.pointer, y: y.pointer, dy: x.pointer, dx: y.mutablePointer, count: count)
      }
      fields.append(("\(name)_bwd_ns", (now() - t0) / Double(repeats * count) * 1e9))
    }
    return json(fields)
  case "info":
    let blas = try cache.backend("blas", threads: 1) as? BLASBackend
    return json([("blas", "\(blas?.libraryPath ?? "?") (\(blas?.libraryDescription ?? "no OpenBLAS config"))")])
  default:
    throw BenchError("unknown request: \(words.joined(separator: " "))")
  }
}

// Top-level code runs on the main thread: main-actor code in Swift 6, and `assumeIsolated` says so in Swift 5 too.
MainActor.assumeIsolated {
  switch CommandLine.arguments.dropFirst().first {
  case "serve":
    while let line = readLine() {
      let words = line.split(separator: " ").map(String.init)
      if words.isEmpty { continue }
      do {
        print(try handle(words))
      } catch {
        print(json([("error", "\(error)")]))
      }
      // One answer per request, delivered now (the driver waits for it); `fflush(nil)` flushes standard output
      // without naming the C global `stdout`, which Swift 6 refuses as shared mutable state.
      fflush(nil)
    }
  default:
    let words = Array(CommandLine.arguments.dropFirst())
    if words.isEmpty {
      let usage = "usage: sprout-bench serve | REQUEST (see the header of main.swift)\n"
      FileHandle.standardError.write(usage.data(using: .utf8)!)
      exit(2)
    }
    do {
      print(try handle(words))
    } catch {
      FileHandle.standardError.write("sprout-bench: \(error)\n".data(using: .utf8)!)
      exit(1)
    }
  }
}
