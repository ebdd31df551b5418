import SproutDiagnostics

/// Every diagnostic the Spec phase reports, sorted by id. Registered with `DiagnosticCatalog` by
/// `SpecDecoder.decode`; docs/diagnostics.md is generated from it.
public enum SpecDiagnostics {
  /// The sorted catalogue of `spec.*` ids.
  public static let catalog: [DiagnosticCatalog.Entry] = [
    .init(
      "spec.cannot-run", .error,
      "A combination of arguments the executor cannot honour: found while lowering the spec into what tasks run, at "
        + "the argument concerned.",
      example: "record: [loss]   # in a measure stage without a loss"),
    .init(
      "spec.conflicting-keys", .error, "Two keys that exclude each other are both written.",
      example: "stages:\n  train: {kind: train, epochs: 3, steps: 100, ...}"),
    .init(
      "spec.expression-not-allowed", .error,
      "A `${...}` expression where only a literal can stand (params, matrix values, names, kinds, the version).",
      example: "params:\n  lr: ${matrix.lr}"),
    .init(
      "spec.expression-syntax", .error, "A `${...}` expression does not parse; the range points inside the scalar.",
      example: "width: ${params.width * }"),
    .init(
      "spec.expression-type", .error,
      "An expression gives a value of the wrong type or out of range for some trial, or divides by zero.",
      example: "units: ${params.width / 2}   # / gives a float; use //"),
    .init(
      "spec.expression-undefined", .error,
      "An expression refers to a param, matrix axis or trial field that does not exist.",
      example: "lr: ${params.learning_rate}"),
    .init(
      "spec.invalid-choice", .error, "A value is not one of the words the key accepts.",
      example: "mode: fan_inn"),
    .init(
      "spec.invalid-name", .error,
      "A definition, param or axis name is not an identifier (letters, digits, `_`, `-`; no dots).",
      example: "datasets:\n  my.data: {...}"),
    .init(
      "spec.invalid-selector", .error, "A layer selector is not `first`, `last`, `all`, an index or a list of indices.",
      example: "layers: {middle: {kind: zeros}}"),
    .init(
      "spec.matrix-duplicate-axis", .error, "The same axis appears twice in one product or zip.",
      example: "matrix:\n  product: [{seed: [0, 1]}, {seed: [2]}]"),
    .init(
      "spec.matrix-empty-axis", .error, "A matrix axis has no values (the sweep would have no trials).",
      example: "matrix:\n  seed: []"),
    .init(
      "spec.matrix-unknown-axis", .error,
      "`include:` or `exclude:`, or a select's `over:` or `per:`, names an axis the matrix does not have.",
      example: "matrix:\n  seed: [0, 1]\n  exclude: [{sed: 1}]"),
    .init(
      "spec.matrix-zip-length", .error, "The blocks of a `zip` produce different numbers of assignments.",
      example: "matrix:\n  zip: {init: [a, b], width: [64]}"),
    .init(
      "spec.missing-kind", .error, "A definition has no `kind` key.",
      example: "initializers:\n  he: {mode: fan_in}"),
    .init(
      "spec.missing-required", .error, "A required key is missing.", example: "initializers:\n  lr: {kind: low_rank}"),
    .init(
      "spec.missing-version", .error, "The spec does not start with the language version `sprout: 1`.",
      example: "name: demo"),
    .init(
      "spec.no-effect", .error,
      "An argument is written where it would change nothing (it applies to another kind or combination); Sprout never "
        + "ignores an argument silently.",
      example: "target: {kind: image, file: cat.pgm, size: 32}   # size applies to patterns"),
    .init(
      "spec.non-finite-number", .error,
      "A number that is not finite: `.inf`, `-.inf`, `.nan`, or a literal too large for a 64-bit float (`1e999`). "
        + "YAML allows them; Sprout's numbers must be finite.",
      example: "optimizer: {kind: sgd, lr: 1e999}"),
    .init(
      "spec.out-of-range", .error, "A number is outside the range its key allows.",
      example: "optimizer: {kind: sgd, lr: -0.1}"),
    .init(
      "spec.snake-case", .error,
      "A key or kind is written in camelCase (or with dashes) where the language uses snake_case; a fix-it renames it.",
      example: "optimizer: {kind: sgd, lr: 0.1, weightDecay: 0.01}"),
    .init(
      "spec.undefined-reference", .error, "A name refers to no definition of the sort needed.",
      example: "stages:\n  train: {kind: train, model: nett, ...}"),
    .init(
      "spec.undefined-split", .error, "A data reference names a split its dataset does not declare.",
      example: "data: teacher.validation"),
    .init(
      "spec.unknown-key", .error, "A key the language does not know here; the nearest known key is suggested.",
      example: "optimizer: {kind: sgd, lr: 0.1, momentun: 0.9}"),
    .init(
      "spec.unknown-kind", .error, "A kind the catalogue does not have; the nearest kind is suggested.",
      example: "initializers:\n  he: {kind: kaiming_norml}"),
    .init(
      "spec.unsupported-version", .error, "The `sprout:` version is not one this tool reads (only 1).",
      example: "sprout: 2"),
    .init(
      "spec.unused-axis", .warning, "A matrix axis that no expression reads (other than `seed`) only repeats trials.",
      example: "matrix:\n  width: [64, 128]   # never used as ${matrix.width}"),
    .init(
      "spec.unused-definition", .warning, "A dataset, model or initializer that nothing refers to.",
      example: "models:\n  unused_net: {input: 2, layers: [{dense: 1}]}"),
    .init(
      "spec.unused-param", .warning, "A param that no expression reads.", example: "params:\n  unused: 3"),
    .init(
      "spec.wrong-sort", .error, "A name refers to a definition of another sort (a stage where a dataset is needed).",
      example: "stages:\n  test: {kind: evaluate, from: train, data: train}"),
    .init(
      "spec.wrong-type", .error, "A value of the wrong type (a string where an integer is needed, a list for a map).",
      example: "dense: {units: abc}"),
  ]

  /// Registers ``catalog`` with the diagnostic registry (idempotent, and free after the first call: the front end
  /// registers every catalogue for each file it checks).
  public static func register() { _ = registered }

  private static let registered: Void = DiagnosticCatalog.register(catalog)
}
