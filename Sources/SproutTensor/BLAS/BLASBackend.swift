import Foundation

/// Matrix products through a CBLAS library loaded at run time; every other kernel is the cpu backend's.
///
/// The library is `libopenblas.so.0` unless an explicit path or the `SPROUT_CBLAS` environment variable names
/// another. OpenBLAS's thread count is process-wide, so the backend sets it before each product when it
/// differs from its own.
///
/// Products run on one OpenBLAS thread unless `productThreads` says otherwise: OpenBLAS splits its sums
/// differently with more threads (Debian's 0.3 on this host: a 150×200×300 product has other bits at 2 threads
/// than at 1; 32×64×64 does not), and Sprout's results must not depend on `--jobs`, `--threads` or the node's
/// core count. `threads` parallelises the cpu kernels around the products, which partition by output element.
/// `productThreads > 1` is for measuring OpenBLAS itself (bench/), never for runs.
public final class BLASBackend: Backend, Sendable {
  /// `blas`.
  public let name = "blas"
  /// Threads for the cpu kernels.
  public let threads: Int
  /// OpenBLAS threads per product (1 unless made for a benchmark: see the type's documentation).
  public let productThreads: Int
  /// The library actually opened.
  public var libraryPath: String { library.path }
  /// OpenBLAS's configuration and kernel name, when the library reports them.
  public var libraryDescription: String? { library.config }

  /// The default library name.
  public static let defaultLibrary = "libopenblas.so.0"
  /// The environment variable that overrides the library path.
  public static let environmentVariable = "SPROUT_CBLAS"

  /// Polls of the composites' idle workers before they sleep (see `WorkerPool.spinLimit`).
  static let compositeSpinLimit = 200

  let library: CBLASLibrary
  /// The kernels other than matrix products.
  let cpu: CPUBackend

  /// Opens the CBLAS library at `libraryPath`, else `$SPROUT_CBLAS` (looked up in `environment`, the
  /// process's by default), else `libopenblas.so.0`.
  public init(
    threads: Int = 1, libraryPath: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment, productThreads: Int = 1
  ) throws {
    let env = environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    let path = libraryPath ?? env ?? Self.defaultLibrary
    library = try CBLASLibrary(path: path)
    self.threads = max(1, threads)
    // The composites' workers poll only briefly before sleeping: OpenBLAS's own threads need the cores for the
    // next matrix product (polling as long as the cpu backend does cost ~15 % on mnist at 2 threads).
    cpu = CPUBackend(threads: self.threads, spinLimit: BLASBackend.compositeSpinLimit)
    self.productThreads = max(1, productThreads)
    library.setThreads?(Int32(self.productThreads))
  }

  /// `C = alpha · op(A) · op(B) + beta · C` through `cblas_sgemm`.
  public func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    BackendCheck.gemm(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    if m <= 0 || n <= 0 { return }
    if k <= 0 {
      // CBLAS implementations differ on k = 0; the contract (beta = 0 overwrites) is kept here.
      cpu.gemm(
        transA: transA, transB: transB, m: m, n: n, k: 0, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
        beta: beta, c: c, ldc: ldc)
      return
    }
    if let get = library.getThreads, let set = library.setThreads, get() != Int32(productThreads) {
      set(Int32(productThreads))
    }
    // CBLAS insists on leading dimensions of at least the row length, even for one-row operands.
    let aCols = transA ? m : k
    let bCols = transB ? k : n
    library.sgemm(
      CBLASLibrary.rowMajor, transA ? CBLASLibrary.trans : CBLASLibrary.noTrans,
      transB ? CBLASLibrary.trans : CBLASLibrary.noTrans, Int32(m), Int32(n), Int32(k), alpha,
      a, Int32(max(lda, aCols, 1)), b, Int32(max(ldb, bCols, 1)), beta, c, Int32(max(ldc, n, 1)))
  }

  /// `y = op(x)` (cpu kernel).
  public func map(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("map", count)
    cpu.map(op, x, y, count: count)
  }

  /// `z = op(x, y)` (cpu kernel).
  public func zip(
    _ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    BackendCheck.count("zip", count)
    cpu.zip(op, x, y, z, count: count)
  }

  /// A reduction (cpu kernel).
  public func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, count: Int) -> Float {
    BackendCheck.count("reduce", count)
    return cpu.reduce(op, x, count: count)
  }

  /// Column sums (cpu kernel).
  public func columnSums(
    _ x: UnsafePointer<Float>, rows: Int, cols: Int, _ y: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    BackendCheck.matrix("columnSums", rows: rows, cols: cols)
    cpu.columnSums(x, rows: rows, cols: cols, y, accumulate: accumulate)
  }

  /// `y = value` (cpu kernel).
  public func fill(_ y: UnsafeMutablePointer<Float>, value: Float, count: Int) {
    BackendCheck.count("fill", count)
    cpu.fill(y, value: value, count: count)
  }

  /// `y = x` (cpu kernel).
  public func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("copy", count)
    cpu.copy(x, y, count: count)
  }
}
