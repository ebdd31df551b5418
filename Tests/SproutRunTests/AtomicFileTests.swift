import Foundation
import SproutConfig
import Testing

@testable import SproutRun

/// Atomic writes leave either the old file or the complete new one, and never a temporary behind.
struct AtomicFileTests {
  @Test func writesAndReplaces() throws {
    let dir = TemporaryDirectory()
    let path = "\(dir.path)/a.json"
    try AtomicFile.write("first", to: path)
    try AtomicFile.write("second", to: path)
    #expect(try AtomicFile.read(path) == Array("second".utf8))
    #expect(dir.contents() == ["a.json"])
  }

  @Test func injectedNoSpaceLeavesTheOldFileAndNoTemporary() throws {
    let dir = TemporaryDirectory()
    let path = "\(dir.path)/ckpt.safetensors"
    try AtomicFile.write("old", to: path)
    var calls = AtomicFile.Calls()
    var first = true
    // Half the bytes go out, then the disk is full — as a real write(2) reports it.
    calls.write = { fd, p, n in
      if first {
        first = false
        return AtomicFile.Calls.system.write(fd, p, n / 2)
      }
      errno = ENOSPC
      return -1
    }
    let error = #expect(throws: RunError.self) {
      try AtomicFile.write([UInt8](repeating: 7, count: 1000), to: path, calls: calls)
    }
    #expect(error?.code == .io)
    #expect(error?.path == path)
    #expect((error?.cause as? SystemCallError) == SystemCallError(call: "write", errno: ENOSPC))
    #expect(error?.message.contains(path) == true)
    #expect(try AtomicFile.read(path) == Array("old".utf8))
    #expect(dir.contents() == ["ckpt.safetensors"], "temporary removed")
  }

  @Test func injectedFsyncErrorIsReported() throws {
    let dir = TemporaryDirectory()
    let path = "\(dir.path)/x"
    var calls = AtomicFile.Calls()
    calls.fsync = { _ in
      errno = EIO
      return -1
    }
    let error = #expect(throws: RunError.self) { try AtomicFile.write([1, 2, 3], to: path, calls: calls) }
    #expect((error?.cause as? SystemCallError)?.call == "fsync")
    #expect(dir.contents().isEmpty)
  }

  @Test func realRenameFailureCleansUp() throws {
    // The final name is a non-empty directory: rename(2) really fails (EISDIR), after the data was written.
    let dir = TemporaryDirectory()
    let path = "\(dir.path)/target"
    try FileManager.default.createDirectory(atPath: "\(path)/inner", withIntermediateDirectories: true)
    let error = #expect(throws: RunError.self) { try AtomicFile.write([1, 2, 3], to: path) }
    #expect((error?.cause as? SystemCallError)?.call == "rename")
    #expect(dir.contents() == ["target"])
  }

  @Test func missingDirectoryIsAClearError() {
    let dir = TemporaryDirectory()
    let path = "\(dir.path)/no/such/dir/file"
    let error = #expect(throws: RunError.self) { try AtomicFile.write("x", to: path) }
    #expect(error?.message.contains(path) == true)
  }

  @Test func readOnlyDirectoryFailsForRealWhenNotRoot() throws {
    // Root ignores directory permissions, so the real check only means something for other users.
    guard geteuid() != 0 else { return }
    let dir = TemporaryDirectory()
    let ro = "\(dir.path)/ro"
    try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
    chmod(ro, 0o555)
    defer { chmod(ro, 0o755) }
    let error = #expect(throws: RunError.self) { try AtomicFile.write("x", to: "\(ro)/f") }
    #expect((error?.cause as? SystemCallError)?.errno == EACCES)
    #expect(dir.contents("ro").isEmpty)
  }
}
