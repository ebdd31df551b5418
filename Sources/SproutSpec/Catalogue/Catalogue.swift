import SproutDiagnostics

/// Every kind of the language, written once as data: the sections below are concatenated here, and decoding,
/// suggestions, the JSON Schema (`SchemaGenerator`) and docs/language.md (`LanguageReference`) all read them.
/// Adding a kind is one entry in its section's file.
public enum Catalogue {
  /// Every kind, sorted by sort then name.
  public static let all: [KindSpec] = {
    let sections = [
      datasets, layers, initializers, optimizers, schedules, clips, losses, adapters, metrics, stages, experimentStages,
      experimentLosses, experimentMetrics, experimentLayers, tokenDatasets, transformerLayers, transformerMetrics,
    ]
    return sections.flatMap { $0 }.sorted { ($0.sort, $0.name) < ($1.sort, $1.name) }
  }()

  /// The kinds by name, one table per sort (at the sort's position in `Sort.allCases`): a lookup hashes only the
  /// name (a table of tables keyed by `Sort` hashed both, and lookups run for every instance decoded and lowered).
  private static let index: [[String: KindSpec]] = {
    var result = Array(repeating: [String: KindSpec](), count: Sort.allCases.count)
    for k in all { result[k.sort.position][k.name] = k }
    return result
  }()

  /// The kinds of one sort, sorted by name.
  public static func kinds(_ sort: Sort) -> [KindSpec] { all.filter { $0.sort == sort } }

  /// The names of the kinds of one sort, sorted.
  public static func names(_ sort: Sort) -> [String] { kinds(sort).map(\.name) }

  /// Looks a kind up.
  public static func kind(_ sort: Sort, _ name: String) -> KindSpec? { index[sort.position][name] }

  /// Sorts whose kinds may be written in the short form `{NAME: main argument or argument map}`.
  public static func allowsShortForm(_ sort: Sort) -> Bool { sort != .dataset && sort != .stage }

  /// Keys of an initializer definition that are not arguments of its kind.
  public static let initializerKeys: [ArgumentSpec] = [
    ArgumentSpec(
      "layers", .map(.kind(.initializer)),
      "Per-layer overrides: keys `first`, `last`, an index (layers with parameters, from 0; negative from the end) "
        + "or a comma-separated list of indices; values are initializer rules."),
    ArgumentSpec("bias", .kind(.initializer), default: .string("zeros"), "The rule for biases."),
  ]

  /// The top-level keys of a spec, with their docs.
  public static let topLevelKeys: [ArgumentSpec] = [
    ArgumentSpec("sprout", .int, required: true, min: 1, max: 1, "Language version; must be 1."),
    ArgumentSpec("name", .string, "Experiment name: letters, digits, `_`, `-`."),
    ArgumentSpec("description", .string, "Free text."),
    ArgumentSpec("seed", .int, default: .int(0), min: 0, "Root seed; every random number derives from it."),
    ArgumentSpec(
      "backend", .enumeration(BackendName.allCases.map(\.rawValue)),
      "Numerical backend; the command line may override it."),
    ArgumentSpec(
      "params", .map(.oneOf([.int, .float, .bool, .string])),
      "Named constants, referenced as `${params.NAME}`, overridable with `--set params.NAME=VALUE`."),
    ArgumentSpec(
      "matrix", .map(.list(.string)),
      "The sweep: axes combined by product (default), `zip`, `concat`, adjusted by `include`, `exclude`, `sample`, "
        + "`order`."
    ),
    ArgumentSpec("datasets", .map(.kind(.dataset)), "Name → dataset definition."),
    ArgumentSpec(
      "models",
      .map(
        .record(
          [
            modelInput,
            ArgumentSpec("layers", .list(.kind(.layer)), required: true, "The layers, in order."),
          ], main: nil)), "Name → model (`input`, a width or a shape, and `layers`)."),
    ArgumentSpec("initializers", .map(.kind(.initializer)), "Name → initializer definition."),
    ArgumentSpec("stages", .map(.kind(.stage)), "Name → stage definition."),
  ]
}
