import SproutDiagnostics
import SproutGraph
import SproutPlanner
import SproutSpec
import SproutSyntax

/// The front of every command: Syntax → overrides → Spec → Graph → Plan, stopping at the first phase boundary
/// with an error (later phases would only report consequences of it).
public struct Frontend: Sendable {
  /// The file name used in diagnostics.
  public var file: String
  /// The source text (invalid UTF-8 replaced, for excerpts).
  public var text: String
  /// Diagnostics of every phase that ran.
  public var diagnostics: Diagnostics
  /// The decoded spec, when decoding succeeded.
  public var spec: Spec?
  /// The checked graph, when the graph phase ran without errors.
  public var graph: ExperimentGraph?
  /// The plan, when planning ran without errors.
  public var plan: Plan?
  /// Source text of the `<command line>` pseudo-file, when overrides were given.
  public var commandLine: String?

  /// Source texts by file name, for rendering excerpts.
  public var sources: [String: String] {
    var s = [file: text]
    if let commandLine { s[Overrides.file] = commandLine }
    return s
  }

  /// Checks a spec's bytes through every phase up to planning (nothing is executed or written).
  public static func check(
    bytes: [UInt8], file: String, overrides: [String] = [], options: PlanOptions? = nil, storePath: String? = nil
  ) -> Frontend {
    Languages.registerCatalogs()
    var diagnostics = Diagnostics()
    let document = YAMLParser.parse(bytes: bytes, file: file, diagnostics: &diagnostics)
    var front = Frontend(
      file: file, text: document.text, diagnostics: Diagnostics(), spec: nil, graph: nil, plan: nil,
      commandLine: overrides.isEmpty ? nil : Overrides.commandLineText(overrides))
    defer { front.diagnostics = diagnostics }
    guard !diagnostics.hasErrors else {
      front.diagnostics = diagnostics
      return front
    }
    let overridden = Overrides.apply(overrides, to: document, diagnostics: &diagnostics)
    guard !diagnostics.hasErrors, let spec = SpecDecoder.decode(overridden, diagnostics: &diagnostics) else {
      front.diagnostics = diagnostics
      return front
    }
    front.spec = spec
    guard !diagnostics.hasErrors, let graph = GraphBuilder.build(spec, diagnostics: &diagnostics) else {
      front.diagnostics = diagnostics
      return front
    }
    front.graph = graph
    guard !diagnostics.hasErrors else {
      front.diagnostics = diagnostics
      return front
    }
    var planOptions = options ?? PlanOptions()
    planOptions.specPath = planOptions.specPath.isEmpty ? file : planOptions.specPath
    planOptions.specText = document.text
    planOptions.overrides = overrides
    let store = storePath.flatMap { StoreAccess.view(at: $0, experiment: spec.name ?? "") }
    front.plan = Planner.plan(graph, options: planOptions, store: store, diagnostics: &diagnostics)
    front.diagnostics = diagnostics
    return front
  }
}
