import Foundation

/// The most memory one data file may make Sprout allocate, checked from its header before any buffer is made.
///
/// A header is a few bytes that announce a size; the size is believed only after it is checked against the file
/// (a binary raster or array must be exactly there) and against this budget, so a file claiming a 100000×100000
/// image or a 40 GB array is refused with its size stated instead of crashing the allocator. Lint checks the same
/// budget when it reads the header, so such a file is refused before a run starts.
public struct MemoryBudget: Sendable, Hashable {
  /// Bytes one file may occupy once loaded (its bytes plus the 32-bit floats made from them).
  public var bytes: Int

  /// Creates a budget of `bytes`.
  public init(bytes: Int) { self.bytes = max(0, bytes) }

  /// Half the machine's physical memory: the loaded data, the model and its optimizer state share the machine.
  public static let `default` = MemoryBudget(bytes: Int(clamping: ProcessInfo.processInfo.physicalMemory / 2))

  /// Checks that a file of `fileBytes` whose header announces `values` numbers (held as Float32, `copies` times
  /// over while it is converted) fits; `what` names the data in the error (`an image of 100000×100000`).
  public func check(fileBytes: Int, values: Int, copies: Int = 1, what: String) throws {
    let (floats, o1) = values.multipliedReportingOverflow(by: MemoryLayout<Float>.size * max(1, copies))
    let (total, o2) = floats.addingReportingOverflow(fileBytes)
    guard o1 || o2 || total > bytes else { return }
    throw DataError(
      code: "data.too-large",
      message: "\(what) needs \(o1 || o2 ? "more than \(Self.describe(Int.max))" : Self.describe(total)) in memory, "
        + "more than the budget of \(Self.describe(bytes))",
      suggestion: "split or downsample the data")
  }

  /// `40.0 GB`, `512 KB`, `17 bytes`: a byte count for people (powers of 1000).
  public static func describe(_ n: Int) -> String {
    let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
    for (scale, unit) in units where Double(n) >= scale {
      return String(format: "%.1f", Double(n) / scale) + " " + unit
    }
    return "\(n) bytes"
  }
}
