import SproutTensor
import Testing

/// SproutTensor is built -Ounchecked (no `precondition`, no bounds checks), so its Backend entries check their
/// sizes explicitly: a wrong shape stops the process with a message instead of reading out of bounds. Each case
/// runs in a child process (an exit test) and checks the message.
@Suite struct BackendCheckTests {
  @Test("a gemm whose stride is shorter than its rows stops, naming the stride")
  func gemmStride() async throws {
    let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let backend = CPUBackend(threads: 1)
      let a = Tensor(zeros: [2, 3])
      let b = Tensor(zeros: [3, 2])
      let c = Tensor(zeros: [2, 2])
      backend.gemm(
        transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1, a: a.pointer, lda: 2, b: b.pointer, ldb: 2,
        beta: 0, c: c.mutablePointer, ldc: 2)
    }
    let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(stderr.contains("SproutTensor: gemm: lda 2 is less than the 3 columns of A"), "\(stderr)")
  }

  @Test("a pooling window larger than the padded image stops, naming the sizes")
  func windowTooLarge() async throws {
    let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let backend = CPUBackend(threads: 1)
      let g = WindowGeometry(channels: 1, height: 2, width: 2, kernel: 3, stride: 1, padding: 0)
      let x = Tensor(zeros: [4])
      let y = Tensor(zeros: [4])
      backend.avgPool2d(x.pointer, y.mutablePointer, batch: 1, geometry: g)
    }
    let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(stderr.contains("SproutTensor: avgPool2d: kernel 3 is larger than the padded 2×2 image"), "\(stderr)")
  }

  @Test("a negative count or dimension stops")
  func negativeSizes() async throws {
    let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor(zeros: [2])
      CPUBackend(threads: 1).fill(x.mutablePointer, value: 1, count: -1)
    }
    #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("SproutTensor: fill: negative count -1"))
    await #expect(processExitsWith: .failure) { _ = Tensor(zeros: [3, -1]) }
  }

  @Test("correct sizes pass the checks (edge cases: empty matrices, one-row strides)")
  func correctSizesPass() {
    let backend = CPUBackend(threads: 1)
    let a = Tensor(shape: [1, 3], values: [1, 2, 3])
    let b = Tensor(shape: [3, 1], values: [1, 1, 1])
    let c = Tensor(zeros: [1, 1])
    // One row of A: its stride is irrelevant and not checked.
    backend.gemm(
      transA: false, transB: false, m: 1, n: 1, k: 3, alpha: 1, a: a.pointer, lda: 0, b: b.pointer, ldb: 1, beta: 0,
      c: c.mutablePointer, ldc: 1)
    #expect(c[0] == 6)
    backend.gemm(
      transA: false, transB: false, m: 0, n: 0, k: 0, alpha: 1, a: a.pointer, lda: 0, b: b.pointer, ldb: 0, beta: 0,
      c: c.mutablePointer, ldc: 0)
  }
}
