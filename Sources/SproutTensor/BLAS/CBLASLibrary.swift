import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A CBLAS shared library opened at run time, so the build never links BLAS and any CBLAS (OpenBLAS, BLIS,
/// MKL) can be plugged in by path.
final class CBLASLibrary: @unchecked Sendable {
  // @unchecked Sendable: the library handle and the function pointers are set once in init and only read
  // afterwards.
  /// `cblas_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`.
  typealias SGEMM = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
    UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
  ) -> Void
  typealias SetThreads = @convention(c) (Int32) -> Void
  typealias GetThreads = @convention(c) () -> Int32
  typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

  static let rowMajor: Int32 = 101
  static let noTrans: Int32 = 111
  static let trans: Int32 = 112

  /// The path that was opened.
  let path: String
  let handle: UnsafeMutableRawPointer
  let sgemm: SGEMM
  let setThreads: SetThreads?
  let getThreads: GetThreads?
  /// OpenBLAS's build description (`openblas_get_config`) and kernel (`openblas_get_corename`), if exported.
  let config: String?

  /// Opens `path` and resolves `cblas_sgemm`; the error says what to install and how to point elsewhere.
  init(path: String) throws {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "not found"
      throw BackendError.blasLibraryNotFound(path: path, reason: reason)
    }
    guard let symbol = dlsym(handle, "cblas_sgemm") else {
      dlclose(handle)
      throw BackendError.blasSymbolMissing(path: path, symbol: "cblas_sgemm")
    }
    self.path = path
    self.handle = handle
    sgemm = unsafeBitCast(symbol, to: SGEMM.self)
    setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreads.self) }
    getThreads = dlsym(handle, "openblas_get_num_threads").map { unsafeBitCast($0, to: GetThreads.self) }
    var parts: [String] = []
    for name in ["openblas_get_config", "openblas_get_corename"] {
      if let fn = dlsym(handle, name).map({ unsafeBitCast($0, to: GetString.self) }), let s = fn() {
        parts.append(String(cString: s))
      }
    }
    config = parts.isEmpty ? nil : parts.joined(separator: " / ")
  }

  deinit { dlclose(handle) }
}
