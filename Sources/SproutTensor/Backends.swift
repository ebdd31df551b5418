/// The backends Sprout ships, by the name a spec or the command line uses.
public enum Backends {
  /// Valid backend names.
  public static let names = ["cpu", "blas"]

  /// Makes the backend called `name` with `threads` threads; `libraryPath` is the CBLAS library for `blas`.
  public static func make(name: String, threads: Int, libraryPath: String? = nil) throws -> any Backend {
    switch name {
    case "cpu": return CPUBackend(threads: threads)
    case "blas": return try BLASBackend(threads: threads, libraryPath: libraryPath)
    default: throw BackendError.unknownBackend(name: name, valid: names)
    }
  }
}

/// Why a backend could not be made.
public enum BackendError: Error, Equatable, CustomStringConvertible {
  /// No backend has this name.
  case unknownBackend(name: String, valid: [String])
  /// The CBLAS library could not be opened.
  case blasLibraryNotFound(path: String, reason: String)
  /// The library opened but lacks a CBLAS function.
  case blasSymbolMissing(path: String, symbol: String)

  /// A message that says what to do.
  public var description: String {
    switch self {
    case .unknownBackend(let name, let valid):
      return "unknown backend '\(name)'; valid backends: \(valid.joined(separator: ", "))"
    case .blasLibraryNotFound(let path, let reason):
      return "the blas backend could not load the CBLAS library '\(path)' (\(reason)); "
        + "install OpenBLAS (`apt-get install libopenblas0`) or set \(BLASBackend.environmentVariable) "
        + "to the path of a CBLAS shared library (OpenBLAS, BLIS, MKL)"
    case .blasSymbolMissing(let path, let symbol):
      return "'\(path)' has no \(symbol), so it is not a CBLAS library; install OpenBLAS "
        + "(`apt-get install libopenblas0`) or set \(BLASBackend.environmentVariable) to a CBLAS shared library"
    }
  }
}
