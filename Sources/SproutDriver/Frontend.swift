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
  /// The parsed file: its YAML tree, with the `--set` overrides applied when there were any.
  public var document: Document?
  /// Diagnostics of every phase that ran.
  public var diagnostics: Diagnostics
  /// The decoded spec, when decoding succeeded.
  public var spec: Spec?
  /// The checked graph, when the graph phase ran without errors.
  public var graph: ExperimentGraph?
  /// The plan, when planning ran without errors (and was not asked for as a stream).
  public var plan: Plan?
  /// The plan as a stream, when asked for (`stream: true`) and planning ran without errors.
  public var stream: PlanStream?
  /// Source text of the `<command line>` pseudo-file, when overrides were given.
  public var commandLine: String?
  /// Wall time of each phase that ran, in order (`sprout lint --time-phases`).
  public var timings: [PhaseTiming] = []

  /// Source texts by file name, for rendering excerpts.
  public var sources: [String: String] {
    var s = [file: text]
    if let commandLine { s[Overrides.file] = commandLine }
    return s
  }

  /// Checks a spec's bytes through every phase up to planning (nothing is executed or written). `files` holds
  /// what has been read from data files; specs checked together may share one, so a file is read once.
  public static func check(
    bytes: [UInt8], file: String, overrides: [String] = [], options: PlanOptions? = nil, storePath: String? = nil,
    files: DataFiles = DataFiles(), stream: Bool = false
  ) -> Frontend {
    Languages.registerCatalogs()
    var diagnostics = Diagnostics()
    var clock = PhaseClock()
    let document = YAMLParser.parse(bytes: bytes, file: file, diagnostics: &diagnostics)
    clock.lap("syntax")
    var front = Frontend(
      file: file, text: document.text, document: document, diagnostics: Diagnostics(), spec: nil, graph: nil, plan: nil,
      stream: nil, commandLine: overrides.isEmpty ? nil : Overrides.commandLineText(overrides))
    func finished() -> Frontend {
      front.diagnostics = diagnostics
      front.timings = clock.timings
      return front
    }
    guard !diagnostics.hasErrors else {
      return finished()
    }
    let overridden = Overrides.apply(overrides, to: document, diagnostics: &diagnostics)
    front.document = overridden
    let decoded = diagnostics.hasErrors ? nil : SpecDecoder.decode(overridden, diagnostics: &diagnostics)
    clock.lap("spec")
    guard !diagnostics.hasErrors, let spec = decoded else {
      return finished()
    }
    front.spec = spec
    let built = GraphBuilder.build(spec, files: files, diagnostics: &diagnostics)
    clock.lap("graph")
    guard !diagnostics.hasErrors, let graph = built else {
      return finished()
    }
    front.graph = graph
    var planOptions = options ?? PlanOptions()
    planOptions.specPath = planOptions.specPath.isEmpty ? file : planOptions.specPath
    planOptions.specText = document.text
    planOptions.overrides = overrides
    if let storePath, !planOptions.checkOnly { planOptions.files = StoreAccess.fileDigests(at: storePath) }
    let store = storePath.flatMap { StoreAccess.view(at: $0, experiment: spec.name ?? "") }
    if stream {
      front.stream = Planner.stream(graph, options: planOptions, store: store, diagnostics: &diagnostics)
    } else {
      front.plan = Planner.plan(graph, options: planOptions, store: store, diagnostics: &diagnostics)
    }
    clock.lap("plan")
    return finished()
  }
}

/// The wall time one phase of the front end took.
public struct PhaseTiming: Sendable, Equatable {
  /// `syntax`, `spec`, `graph` or `plan`.
  public var phase: String
  /// Wall time in seconds.
  public var seconds: Double
}

/// Laps of a monotonic clock, one per phase.
struct PhaseClock {
  private let clock = ContinuousClock()
  private var last: ContinuousClock.Instant
  private(set) var timings: [PhaseTiming] = []

  init() { last = clock.now }

  mutating func lap(_ phase: String) {
    let now = clock.now
    let d = now - last
    timings.append(PhaseTiming(phase: phase, seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18))
    last = now
  }
}
