import Foundation
import SproutTensor
import Testing

/// Making backends by name, and the errors a user sees.
@Suite struct BackendsTests {
  @Test func makesBothBackends() throws {
    let cpu = try Backends.make(name: "cpu", threads: 2)
    #expect(cpu.name == "cpu" && cpu.threads == 2)
    let blas = try Backends.make(name: "blas", threads: 1)
    #expect(blas.name == "blas" && blas.threads == 1)
  }

  @Test func unknownNameListsTheValidOnes() {
    #expect(throws: BackendError.unknownBackend(name: "gpu", valid: ["cpu", "blas"])) {
      try Backends.make(name: "gpu", threads: 1)
    }
    let message = BackendError.unknownBackend(name: "gpu", valid: Backends.names).description
    #expect(message.contains("'gpu'") && message.contains("cpu, blas"))
  }

  @Test func missingLibraryByPathSaysWhatToInstall() {
    do {
      _ = try Backends.make(name: "blas", threads: 1, libraryPath: "/nonexistent/libcblas.so")
      Issue.record("expected an error")
    } catch {
      let message = "\(error)"
      #expect(message.contains("/nonexistent/libcblas.so"))
      #expect(message.contains("apt-get install libopenblas0"))
      #expect(message.contains("SPROUT_CBLAS"))
    }
  }

  /// SPROUT_CBLAS pointing at a missing file (given as the backend's environment: the process environment
  /// is shared with tests that make blas backends concurrently).
  @Test func missingLibraryThroughEnvironment() {
    let environment = ["SPROUT_CBLAS": "/nonexistent/libopenblas-probe.so"]
    do {
      _ = try BLASBackend(threads: 1, environment: environment)
      Issue.record("expected an error")
    } catch {
      let message = "\(error)"
      #expect(message.contains("/nonexistent/libopenblas-probe.so"))
      #expect(message.contains("apt-get install libopenblas0"))
      #expect(message.contains("SPROUT_CBLAS"))
    }
    // An explicit path wins over the variable.
    #expect((try? BLASBackend(threads: 1, libraryPath: "libopenblas.so.0", environment: environment)) != nil)
  }

  @Test func libraryThatIsNotCBLAS() {
    // libm exists everywhere and has no cblas_sgemm.
    #expect(throws: BackendError.self) { try BLASBackend(threads: 1, libraryPath: "libm.so.6") }
  }

  @Test func explicitPathOpensOpenBLAS() throws {
    let blas = try BLASBackend(threads: 1, libraryPath: "libopenblas.so.0")
    #expect(blas.libraryPath == "libopenblas.so.0")
    var c: [Float] = [0]
    blas.gemm(transA: false, transB: false, m: 1, n: 1, k: 2, alpha: 1, a: [1, 2], lda: 2, b: [3, 4], ldb: 1,
              beta: 0, c: &c, ldc: 1)
    #expect(c == [11])
  }
}
