import Foundation
import SproutDiagnostics
import SproutPlanner

/// What `sprout plan` asks for.
public struct PlanRequest: Sendable {
  /// The spec file.
  public var path: String
  /// `--set` overrides.
  public var overrides: [String] = []
  /// `--backend`.
  public var backend: String?
  /// `--force`.
  public var force = false
  /// `--only STAGE`.
  public var onlyStages: [String] = []
  /// `--trial K`.
  public var onlyTrials: [String] = []
  /// `--store DIR`.
  public var store: String = ".sprout"
  /// `--max-trials N`: the most trials the matrix may form.
  public var maxTrials = MatrixExpansion.defaultTrialLimit
  /// Plan as a stream (``PlanOutcome/stream``): for printing the plan's text or JSON, which then needs no memory
  /// per trial. `--explain`, `--out` and the graph formats need the plan itself.
  public var stream = false

  /// Creates a request for a spec file.
  public init(path: String) { self.path = path }

  var planOptions: PlanOptions {
    PlanOptions(
      specPath: path, backend: backend, overrides: overrides, force: force, onlyStages: onlyStages,
      onlyTrials: onlyTrials, maxTrials: maxTrials)
  }
}

/// The result of planning a spec: the plan when it could be made, and the front end's diagnostics.
public struct PlanOutcome: Sendable {
  /// The front end (its diagnostics and sources).
  public var front: Frontend
  /// The plan, when no phase had errors.
  public var plan: Plan? { front.plan }
  /// The plan as a stream, when the request asked for one and no phase had errors.
  public var stream: PlanStream? { front.stream }

  /// Writes the plan as text or JSON to `sink` in pieces, from the stream or the plan, whichever was made; false
  /// when there is neither (planning had errors) or the format is not text or JSON.
  public func write(_ format: PlanFormat, to sink: ([UInt8]) -> Void) -> Bool {
    guard let stream = stream ?? plan.map(PlanStream.init(plan:)) else { return false }
    switch format {
    case .text: stream.writeText(to: sink)
    case .json: stream.writeJSON(to: sink)
    case .dot, .mermaid: return false
    }
    return true
  }

  /// The diagnostics rendered as text (empty when there are none).
  public func renderDiagnostics(color: Bool) -> String {
    front.diagnostics.isEmpty ? "" : DiagnosticRenderer.text(front.diagnostics.sorted, sources: front.sources, color: color)
  }
}

/// `sprout plan`: the front end plus a read-only look at the store.
public enum Planning {
  /// Plans a spec file against the store (which is only read).
  public static func plan(_ request: PlanRequest) throws(SourceLoader.ReadError) -> PlanOutcome {
    let bytes = try SourceLoader.read(request.path)
    let front = Frontend.check(
      bytes: bytes, file: request.path, overrides: request.overrides, options: request.planOptions,
      storePath: request.store, stream: request.stream)
    return PlanOutcome(front: front)
  }
}
