import Foundation
import SproutDiagnostics
import SproutRun

/// What a researcher attaches to a run besides its results: tags (`sprout run --tag baseline`) and the git
/// commit of the spec when it lives in a git repository. Kept in the store beside the manifest
/// (`runs/<id>/labels.json`), so the index can always be rebuilt from the store.
public struct RunLabels: Sendable, Hashable {
  /// Tags, in the order given.
  public var tags: [String]
  /// The commit (`git rev-parse HEAD`) of the repository holding the spec, if any.
  public var gitCommit: String?
  /// True when the spec file differed from that commit (uncommitted changes).
  public var gitDirty: Bool

  /// Creates labels.
  public init(tags: [String] = [], gitCommit: String? = nil, gitDirty: Bool = false) {
    self.tags = tags
    self.gitCommit = gitCommit
    self.gitDirty = gitDirty
  }

  /// The file's path for a run.
  public static func path(store: Store, runID: String) -> String { "\(store.runDirectory(runID))/labels.json" }

  /// The JSON form.
  public var json: JSONValue {
    var o: [String: JSONValue] = ["format_version": .int(1), "tags": .array(tags.map { .string($0) })]
    if let gitCommit { o["git"] = .object(["commit": .string(gitCommit), "dirty": .bool(gitDirty)]) }
    return .object(o)
  }

  /// Reads a run's labels; empty labels when the run has none (runs recorded before labels existed).
  public static func read(store: Store, runID: String) -> RunLabels {
    guard let bytes = try? AtomicFile.read(path(store: store, runID: runID)),
      let json = try? JSONValue.parse(bytes: bytes)
    else { return RunLabels() }
    var dirty = false
    if case .bool(let b)? = json["git"]?["dirty"] { dirty = b }
    return RunLabels(
      tags: (json["tags"]?.arrayValue ?? []).compactMap(\.stringValue),
      gitCommit: json["git"]?["commit"]?.stringValue, gitDirty: dirty)
  }

  /// Writes a run's labels atomically (creating the run's directory if the run has not started yet).
  public func write(store: Store, runID: String) throws {
    try AtomicFile.makeDirectory(store.runDirectory(runID))
    try AtomicFile.write(json.pretty() + "\n", to: Self.path(store: store, runID: runID))
  }

  /// The git commit of the repository holding `specPath`, and whether the spec has uncommitted changes;
  /// nil when the file is not in a git work tree or git is not installed.
  public static func gitState(of specPath: String) -> (commit: String, dirty: Bool)? {
    let url = URL(fileURLWithPath: specPath).standardizedFileURL
    let directory = url.deletingLastPathComponent().path
    guard let commit = git(["-C", directory, "rev-parse", "HEAD"], ok: { !$0.isEmpty }) else { return nil }
    let status = git(["-C", directory, "status", "--porcelain", "--", url.lastPathComponent], ok: { _ in true })
    return (commit, !(status ?? "").isEmpty)
  }

  private static func git(_ arguments: [String], ok: (String) -> Bool) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return process.terminationStatus == 0 && ok(text) ? text : nil
  }
}

extension JSONValue {
  /// The array payload, if an array.
  var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The object payload, if an object.
  var objectValue: [String: JSONValue]? {
    if case .object(let o) = self { return o }
    return nil
  }
}
