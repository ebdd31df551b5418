/// Always-on argument checks at the ``Backend`` API boundary.
///
/// SproutTensor is compiled `-Ounchecked`, which removes `precondition`, `assert` and the standard library's own
/// bounds and overflow checks: a wrong dimension reaching a kernel would read or write out of bounds silently.
/// Every Backend entry (in each backend and in the default composites) therefore checks its sizes first with
/// these — O(1) each, a few comparisons per call, nothing per element — while the kernels inside stay unchecked.
/// A violation stops the process with `fatalError`, which `-Ounchecked` keeps, and a message naming the entry
/// and the sizes (`SproutTensor: gemm: lda 2 is less than the 3 columns of A`).
///
/// What can be checked is what the API carries: buffers are raw pointers without lengths, so these check that
/// sizes are non-negative, that strides cover their rows, that size products do not overflow and that window
/// geometries are well formed; the callers (Tensor-owning layers) size the buffers from the same numbers.
public enum BackendCheck {
  /// Stops with `message` unless `condition` holds.
  @inline(__always)
  public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if _slowPath(!condition) { fail(message()) }
  }

  /// Stops the process: a Backend was called with sizes that would make a kernel leave its buffers.
  @inline(never)
  public static func fail(_ message: String) -> Never {
    fatalError("SproutTensor: \(message)")
  }

  /// A count of elements.
  @inline(__always)
  static func count(_ op: StaticString, _ n: Int) {
    require(n >= 0, "\(op): negative count \(n)")
  }

  /// A rows×cols matrix with contiguous rows.
  @inline(__always)
  static func matrix(_ op: StaticString, rows: Int, cols: Int) {
    require(rows >= 0 && cols >= 0, "\(op): negative size \(rows)×\(cols)")
    require(!rows.multipliedReportingOverflow(by: cols).overflow, "\(op): \(rows)×\(cols) elements overflow Int")
  }

  /// A product's sizes: `op(A)` m×k with row stride `lda`, `op(B)` k×n with `ldb`, C m×n with `ldc` (row-major;
  /// a stride matters, and is checked, only when its matrix has more than one row).
  @inline(__always)
  static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
    require(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m \(m), n \(n), k \(k)")
    let (aRows, aCols) = transA ? (k, m) : (m, k)
    let (bRows, bCols) = transB ? (n, k) : (k, n)
    require(aRows <= 1 || lda >= aCols, "gemm: lda \(lda) is less than the \(aCols) columns of A")
    require(bRows <= 1 || ldb >= bCols, "gemm: ldb \(ldb) is less than the \(bCols) columns of B")
    require(m <= 1 || ldc >= n, "gemm: ldc \(ldc) is less than the \(n) columns of C")
    require(
      !aRows.multipliedReportingOverflow(by: max(lda, aCols)).overflow
        && !bRows.multipliedReportingOverflow(by: max(ldb, bCols)).overflow
        && !m.multipliedReportingOverflow(by: max(ldc, n)).overflow
        && !m.multipliedReportingOverflow(by: n).overflow
        && !(m * n).multipliedReportingOverflow(by: max(k, 1)).overflow,
      "gemm: sizes m \(m), n \(n), k \(k) overflow Int")
  }

  /// A window operation (im2col, col2im, pooling) over `batch` images of geometry `g`.
  @inline(__always)
  static func window(_ op: StaticString, batch: Int, _ g: WindowGeometry) {
    require(batch >= 0, "\(op): negative batch \(batch)")
    require(
      g.channels >= 1 && g.height >= 1 && g.width >= 1 && g.kernel >= 1 && g.stride >= 1 && g.padding >= 0,
      "\(op): bad geometry \(g)")
    require(
      g.kernel <= g.height + 2 * g.padding && g.kernel <= g.width + 2 * g.padding,
      "\(op): kernel \(g.kernel) is larger than the padded \(g.height)×\(g.width) image (padding \(g.padding))")
    let (input, o1) = g.channels.multipliedReportingOverflow(by: g.height)
    let (image, o2) = input.multipliedReportingOverflow(by: g.width)
    let (patch, o3) = g.channels.multipliedReportingOverflow(by: g.kernel * g.kernel)
    let (cols, o4) = patch.multipliedReportingOverflow(by: g.outPositions)
    let (all, o5) = batch.multipliedReportingOverflow(by: max(image, cols))
    require(!(o1 || o2 || o3 || o4 || o5) && all >= 0, "\(op): \(batch) images of \(g) overflow Int")
  }
}
