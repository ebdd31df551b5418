import Foundation
import SproutBenchAlloc
import SproutTensor

/// Monotonic time in seconds.
@inline(__always)
func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// CPU time of the whole process (user + system, all threads) in seconds: what a step or a product cost in CPU
/// whatever else the machine runs (a descheduled thread stops accumulating it).
@inline(__always)
func processCPU() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
  let s = xs.sorted()
  if s.isEmpty { return .nan }
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Backends are kept per (system, threads): making one starts threads and (blas) opens the library.
final class BackendCache {
  private var cache: [String: any Backend] = [:]

  /// The backend a run gets; `peer: true` makes `blas` run its products on all `threads` (OpenBLAS as a researcher
  /// calling it directly would, for the gemm and peak figures; runs keep products on one OpenBLAS thread).
  func backend(_ system: String, threads: Int, peer: Bool = false) throws -> any Backend {
    let key = "\(system)/\(threads)/\(peer)"
    if let b = cache[key] { return b }
    let b: any Backend =
      peer && system == "blas"
      ? try BLASBackend(threads: threads, productThreads: threads) : try Backends.make(name: system, threads: threads)
    cache[key] = b
    return b
  }
}

/// Keeps the allocation probe's array alive so the optimiser cannot remove it.
nonisolated(unsafe) var allocationSink: [Float] = []

enum Measure {
  /// Median seconds per training step over `steps` individually timed steps, after `warmup` steps.
  /// Also the process CPU time per step over the timed steps (their mean: the CPU clock is too coarse per step).
  static func train(_ trainer: any BenchStepping, steps: Int, warmup: Int) -> (median: Double, loss: Float, cpu: Double) {
    var loss: Float = 0
    for _ in 0..<warmup { loss = trainer.run() }
    var times = [Double](repeating: 0, count: steps)
    let cpu0 = processCPU()
    for i in 0..<steps {
      let t0 = now()
      loss = trainer.run()
      times[i] = now() - t0
    }
    return (median(times), loss, (processCPU() - cpu0) / Double(max(steps, 1)))
  }

  /// Allocation calls during `steps` steady-state steps (after `warmup` steps), and the count the same
  /// counter gives for one deliberate array allocation (the proof that it counts).
  static func allocations(_ trainer: any BenchStepping, steps: Int, warmup: Int) -> (calls: Int, bytes: Int, probe: Int)? {
    guard sprout_alloc_supported() != 0 else { return nil }
    sprout_alloc_reset()
    sprout_alloc_set_counting(1)
    allocationSink = [Float](repeating: 1, count: 1000 + steps)
    sprout_alloc_set_counting(0)
    let probe = sprout_alloc_count()
    for _ in 0..<warmup { _ = trainer.run() }
    sprout_alloc_reset()
    sprout_alloc_set_counting(1)
    for _ in 0..<steps { _ = trainer.run() }
    sprout_alloc_set_counting(0)
    return (sprout_alloc_count(), sprout_alloc_bytes(), probe)
  }

  /// Best GFLOP/s of `C = A·B` (n×n, no transposes) over `repeats` calls on `backend`.
  static func squareGemm(_ backend: any Backend, n: Int, repeats: Int) -> Double {
    gemm(backend, m: n, n: n, k: n, transA: false, transB: false, repeats: repeats).best
  }

  /// GFLOP/s (best and median over `repeats` calls) of one product shape, by wall time and by the process's CPU
  /// time (all threads: flops per CPU-second, so two threads at full speed give the one-thread rate).
  static func gemm(
    _ backend: any Backend, m: Int, n: Int, k: Int, transA: Bool, transB: Bool, repeats: Int
  ) -> (best: Double, median: Double, cpuMedian: Double) {
    var rng = BenchRandom(seed: 7)
    let a = Tensor(zeros: [m * k])
    let b = Tensor(zeros: [k * n])
    let c = Tensor(zeros: [m * n])
    for i in 0..<a.count { a[i] = rng.uniform(-1, 1) }
    for i in 0..<b.count { b[i] = rng.uniform(-1, 1) }
    func call() {
      backend.gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a.pointer, lda: transA ? m : k,
        b: b.pointer, ldb: transB ? k : n, beta: 0, c: c.mutablePointer, ldc: n)
    }
    call()
    let flops = 2 * Double(m) * Double(n) * Double(k)
    // Each sample times at least ~2 GFLOP (about 10-20 ms here): a one-millisecond window (the mnist shapes once
    // were timed one call at a time) measures the workers' wake-up and the hypervisor's scheduling more than the
    // product, and the process CPU clock only catches up with a thread running on another CPU at its next tick,
    // so a short window's CPU time is undercounted.
    let inner = max(1, Int(2e9 / flops))
    var rates: [Double] = []
    var cpuRates: [Double] = []
    for _ in 0..<repeats {
      let c0 = processCPU()
      let t0 = now()
      for _ in 0..<inner { call() }
      rates.append(flops * Double(inner) / (now() - t0) / 1e9)
      cpuRates.append(flops * Double(inner) / (processCPU() - c0) / 1e9)
    }
    return (rates.max() ?? 0, median(rates), median(cpuRates))
  }
}
