import Foundation

/// The pure-Swift backend: eight-lane SIMD kernels, a packed and blocked matrix multiply, and a persistent
/// pool of worker threads with a fixed partition of every kernel's output.
///
/// Results are bit-identical for any thread count: the matrix multiply splits C by tiles and never the k
/// loop, elementwise kernels split buffers into ranges computed by the same vector code, and reductions sum
/// in fixed blocks on one thread. The backend is safe to share, but one call runs on the pool at a time; a
/// call that finds the pool busy (another thread is using the same backend) runs all its parts itself,
/// which gives the same bits.
public final class CPUBackend: Backend, @unchecked Sendable {
  // @unchecked Sendable: its fields are immutable except the pool's, whose one-call-at-a-time use is guarded by the
  // pool's busy flag (a caller that finds it busy runs every part itself).
  /// `cpu`.
  public let name = "cpu"
  /// Threads the parallel kernels use (the caller plus `threads − 1` workers).
  public let threads: Int

  let pool: WorkerPool
  let scratch: [Gemm.Scratch]
  let busy = NSLock()
  let job: KernelJob

  /// Matrix products below this many multiply-adds stay on the calling thread (a hand-off costs more).
  static let parallelGemmWork = 1 << 19
  /// Elementwise kernels below this many elements stay on the calling thread.
  static let parallelElements = 1 << 15

  /// A backend using `threads` threads (at least 1).
  public convenience init(threads: Int = 1) { self.init(threads: threads, spinLimit: WorkerPool.defaultSpinLimit) }

  /// A backend whose idle workers poll `spinLimit` times before sleeping.
  init(threads: Int, spinLimit: Int) {
    self.threads = max(1, threads)
    pool = WorkerPool(width: self.threads, spinLimit: spinLimit)
    scratch = (0..<self.threads).map { _ in Gemm.Scratch() }
    job = KernelJob(scratch: scratch)
  }

  deinit { pool.shutdown() }

  /// Part `index` of `parts` near-equal pieces of `0..<total`, boundaries on multiples of `align`.
  @inline(__always)
  static func piece(_ index: Int, of parts: Int, total: Int, align: Int) -> Range<Int> {
    // One part is the whole range (the formula's answer too, without its two divisions).
    if parts == 1 { return 0..<total }
    let units = (total + align - 1) / align
    let lo = min(total, (units * index / parts) * align)
    let hi = min(total, (units * (index + 1) / parts) * align)
    return lo..<hi
  }

  /// Runs `work` in `parts` parts: on the pool when it is free, else all parts on the calling thread (another
  /// thread is using this backend; the partition, hence the result, is the same).
  func parallel(_ work: KernelWork, parts: Int) {
    if busy.try() {
      job.work = work
      pool.run(parts: parts, job: job)
      busy.unlock()
    } else {
      let own = Gemm.Scratch()
      for part in 0..<parts { work.execute(part: part, of: parts, scratch: own) }
    }
  }

  /// Parts for an elementwise kernel over `count` elements: one below the hand-off threshold.
  @inline(__always)
  func elementParts(_ count: Int) -> Int { count < Self.parallelElements ? 1 : threads }

  // MARK: Core

  /// `C = alpha · op(A) · op(B) + beta · C`.
  public func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    gemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
      c: c, ldc: ldc, epilogue: .none)
  }

  /// The product with its epilogue fused: each block of C gets its bias, activation or activation gradient
  /// as soon as it is final, on the thread that computed it.
  public func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GemmEpilogue
  ) {
    BackendCheck.gemm(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    if m <= 0 || n <= 0 { return }
    if case .biasActivation(_, let f, let output, _) = epilogue {
      BackendCheck.require(f == nil || output != nil, "gemm: an epilogue with an activation needs an output buffer")
    }
    let problem = Gemm.Problem(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
      beta: beta, c: c, ldc: ldc, epilogue: epilogue)
    let work = m * n * max(k, 1)
    // Split the longer side of C; boundaries on whole tiles keep the kernels on their fast path.
    parallel(.gemm(problem, splitColumns: n >= m), parts: work < Self.parallelGemmWork ? 1 : threads)
  }

  /// `y = op(x)`.
  public func map(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("map", count)
    parallel(.map(op, x, y, count: count), parts: elementParts(count))
  }

  /// `z = op(x, y)`.
  public func zip(
    _ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    BackendCheck.count("zip", count)
    parallel(.zip(op, x, y, z, count: count), parts: elementParts(count))
  }

  /// A reduction in fixed blocks (one thread: the result never depends on the partition).
  public func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, count: Int) -> Float {
    BackendCheck.count("reduce", count)
    return ElementwiseKernels.reduce(op, x, count: count)
  }

  /// Column sums, columns split across threads (each column sums its rows in order).
  public func columnSums(
    _ x: UnsafePointer<Float>, rows: Int, cols: Int, _ y: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    BackendCheck.matrix("columnSums", rows: rows, cols: cols)
    parallel(.columnSums(x, rows: rows, cols: cols, y, accumulate: accumulate), parts: elementParts(rows * cols))
  }

  /// `y = value`.
  public func fill(_ y: UnsafeMutablePointer<Float>, value: Float, count: Int) {
    BackendCheck.count("fill", count)
    ElementwiseKernels.fill(y, value: value, range: 0..<count)
  }

  /// `y = x`.
  public func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("copy", count)
    ElementwiseKernels.copy(x, y, range: 0..<count)
  }
}
