import Foundation
import SproutDiagnostics

/// Reads spec files for the driver, turning IO failures into typed errors (exit code 2 in the CLI).
public enum SourceLoader {
  /// A file that could not be read at all.
  public struct ReadError: Error, CustomStringConvertible, Sendable {
    /// The path as given.
    public var path: String
    /// Why it failed.
    public var reason: String
    /// `sprout: error: cannot read 'x.yaml': no such file`.
    public var description: String { "cannot read '\(path)': \(reason)" }
  }

  /// Reads a file's bytes; `-` reads standard input.
  public static func read(_ path: String) throws(ReadError) -> [UInt8] {
    if path == "-" {
      return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ReadError(path: path, reason: "no such file")
    }
    if isDirectory.boolValue { throw ReadError(path: path, reason: "it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReadError(path: path, reason: "permission denied or unreadable")
    }
    return [UInt8](data)
  }
}
