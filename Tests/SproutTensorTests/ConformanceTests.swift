import Foundation
import SproutTensor
import SproutTensorConformance
import Testing

/// The conformance suite on both backends, and the two against each other.
@Suite struct ConformanceTests {
  @Test(arguments: [1, 2])
  func cpuKernelsMatchFloat64Reference(threads: Int) {
    let report = KernelConformance.run(CPUBackend(threads: threads))
    #expect(report.checks.count > 100)
    #expect(report.passed, "\(report.failures.map(\.description).joined(separator: "\n"))")
  }

  @Test func blasKernelsMatchFloat64Reference() throws {
    let report = KernelConformance.run(try BLASBackend(threads: 1))
    #expect(report.passed, "\(report.failures.map(\.description).joined(separator: "\n"))")
  }

  @Test func blasAgreesWithCPUForwardAndGradients() throws {
    let report = BackendAgreement.run(reference: CPUBackend(threads: 2), other: try BLASBackend(threads: 2))
    #expect(report.checks.count == 3 * 6 * 11)
    #expect(report.passed, "\(report.failures.map(\.description).joined(separator: "\n"))")
  }

  /// The suite must be able to fail: a backend with a deliberately wrong kernel is caught.
  @Test func suiteCatchesAWrongKernel() {
    let report = KernelConformance.run(OffByOneULPGemm())
    #expect(!report.passed)
    #expect(report.failures.contains { $0.kernel.hasPrefix("gemm") })
    #expect(!report.failures.contains { $0.kernel.hasPrefix("activation") })
  }
}

/// The cpu backend with a matrix product that is wrong by a relative 1e-3 (well above the tolerance).
final class OffByOneULPGemm: Backend, Sendable {
  let inner = CPUBackend(threads: 1)
  var name: String { "broken" }
  var threads: Int { 1 }

  func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    inner.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha * 1.001, a: a, lda: lda, b: b,
               ldb: ldb, beta: beta, c: c, ldc: ldc)
  }
  func map(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    inner.map(op, x, y, count: count)
  }
  func zip(
    _ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    count: Int
  ) { inner.zip(op, x, y, z, count: count) }
  func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, count: Int) -> Float { inner.reduce(op, x, count: count) }
  func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, _ y: UnsafeMutablePointer<Float>, accumulate: Bool) {
    inner.columnSums(x, rows: rows, cols: cols, y, accumulate: accumulate)
  }
  func fill(_ y: UnsafeMutablePointer<Float>, value: Float, count: Int) { inner.fill(y, value: value, count: count) }
  func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) { inner.copy(x, y, count: count) }
}
