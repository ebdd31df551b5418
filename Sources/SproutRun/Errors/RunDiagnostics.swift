import SproutDiagnostics

/// The run phase's diagnostics (`run.*`), one per `RunError.Code`, so the CLI renders run-time failures like
/// lint findings (file:line:col, the source line, a caret) and docs/diagnostics.md lists them.
public enum RunDiagnostics {
  /// Every `run.*` id with its summary, sorted by id.
  public static let catalog: [DiagnosticCatalog.Entry] = RunError.Code.allCases.sorted { $0.rawValue < $1.rawValue }
    .map { DiagnosticCatalog.Entry(DiagnosticID($0.rawValue), .error, $0.summary) }

  /// Registers the catalogue (idempotent, and free after the first call).
  public static func register() { _ = registered }

  private static let registered: Void = DiagnosticCatalog.register(catalog)
}

extension RunError.Code {
  /// One sentence for the catalogue.
  var summary: String {
    switch self {
    case .io: "A file or directory of the store could not be created, written, synced or renamed."
    case .corruptCheckpoint: "A checkpoint is torn, truncated or corrupted; it is skipped, never loaded."
    case .corruptStore: "A store file (task.json, outputs.json, manifest.json, metrics.jsonl) cannot be parsed."
    case .resumeMismatch: "A resume was refused: the spec, tool version or backend differ from the checkpoint's."
    case .nonFiniteLoss: "The loss became NaN or infinite; the task stops and keeps its last good checkpoint."
    case .invalidTask:
      "A task could not be set up or run: its data, a checkpoint it reads or a metric does not fit its model."
    case .missingInput: "A task was not run because a task it reads did not complete."
    case .cancelled: "The run was stopped (Ctrl-C or SIGTERM) after writing a checkpoint; run again to resume."
    case .noLocks:
      "The store's file system refuses advisory locks, so a task cannot be claimed before it runs (docs/cluster.md)."
    case .unknownRun: "No run with that id in the store."
    case .notChosen:
      "A task planned for one candidate of a select stage was not run, because the select chose another (not a "
        + "failure: `sprout show` lists it as not chosen)."
    }
  }
}

extension RunError {
  /// The error as a diagnostic at the stage's source range (nil when it points at no spec position, e.g. a
  /// store file), with the file and cause as notes.
  public var diagnostic: Diagnostic? {
    guard let range else { return nil }
    RunDiagnostics.register()
    var notes: [DiagnosticNote] = []
    if let path { notes.append(DiagnosticNote("file: \(path)")) }
    if let cause, !message.contains("\(cause)") { notes.append(DiagnosticNote("cause: \(cause)")) }
    let help: String? =
      switch code {
      case .resumeMismatch: "run with --force to start the task over"
      case .nonFiniteLoss: "lower the learning rate or add clip to the optimizer"
      case .cancelled: "run the same command again to resume"
      default: nil
      }
    return Diagnostic(DiagnosticID(code.rawValue), message, at: range, notes: notes, help: help)
  }
}
