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
      bytes: bytes, file: request.path, overrides: request.overrides, options: request.planOptions, storePath: request.store)
    return PlanOutcome(front: front)
  }
}
