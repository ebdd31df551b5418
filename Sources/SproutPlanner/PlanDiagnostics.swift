import SproutDiagnostics

/// The planner's diagnostics (`plan.*`), sorted by id. docs/diagnostics.md is generated from this list.
public enum PlanDiagnostics {
  /// Two product blocks define the same axis.
  public static let axisConflict: DiagnosticID = "plan.axis-conflict"
  /// A `--set` argument is not `key=value`, or its value does not fit the key.
  public static let badOverride: DiagnosticID = "plan.bad-override"
  /// An `seed` axis value that is not an integer.
  public static let badSeed: DiagnosticID = "plan.bad-seed"
  /// Two trials have identical assignments.
  public static let duplicateTrial: DiagnosticID = "plan.duplicate-trial"
  /// An axis with no values.
  public static let emptyAxis: DiagnosticID = "plan.empty-axis"
  /// The matrix produces no trials.
  public static let emptyMatrix: DiagnosticID = "plan.empty-matrix"
  /// An expression could not be evaluated for a trial.
  public static let expressionError: DiagnosticID = "plan.expression-error"
  /// `sample: N` is not smaller than the number of trials.
  public static let sampleTooLarge: DiagnosticID = "plan.sample-too-large"
  /// The matrix forms more trials than the limit (`--max-trials`).
  public static let tooManyTrials: DiagnosticID = "plan.too-many-trials"
  /// `--only` or `--trial` names a stage or trial the plan does not have.
  public static let unknownSelection: DiagnosticID = "plan.unknown-selection"
  /// A `--set` key names nothing in the spec.
  public static let unknownOverrideKey: DiagnosticID = "plan.unknown-override-key"
  /// `exclude`/`include` names an axis the matrix does not have.
  public static let unknownAxis: DiagnosticID = "plan.unknown-axis"
  /// An `exclude` entry removes nothing.
  public static let unusedExclude: DiagnosticID = "plan.unused-exclude"
  /// `zip` over axes or blocks of different lengths.
  public static let zipLengthMismatch: DiagnosticID = "plan.zip-length-mismatch"

  /// Every planner diagnostic, sorted by id.
  public static let catalog: [DiagnosticCatalog.Entry] = [
    .init(
      axisConflict, .error,
      "Two blocks combined by product define the same axis, so a trial would get two values for it.",
      example: "matrix:\n  product:\n    - {seed: [0, 1]}\n    - {seed: [2]}"),
    .init(
      badOverride, .error,
      "A `--set` argument is not of the form key=value, or its value has the wrong type for the key.",
      example: "sprout plan spec.yaml --set params.lr=fast"),
    .init(
      badSeed, .error, "The `seed` axis sets each trial's seed, so its values must be integers.",
      example: "matrix:\n  seed: [0, one]"),
    .init(
      duplicateTrial, .warning, "Two trials have the same assignment; they would compute the same thing twice.",
      example: "matrix:\n  concat:\n    - {init: [a]}\n    - {init: [a]}"),
    .init(
      emptyAxis, .error, "A matrix axis has no values, so its product has no trials.", example: "matrix:\n  init: []"),
    .init(
      emptyMatrix, .error, "After exclude, include and sample the matrix has no trials left.",
      example: "matrix:\n  init: [a]\n  exclude: [{init: a}]"),
    .init(
      expressionError, .error, "An expression could not be evaluated with one trial's values.",
      example: "stages:\n  train:\n    epochs: ${matrix.epochs / 0}"),
    .init(
      sampleTooLarge, .warning, "`sample: N` asks for at least as many trials as the matrix has; all are kept.",
      example: "matrix:\n  init: [a, b]\n  sample: 5"),
    .init(
      tooManyTrials, .error,
      "The matrix forms more trials than the limit (1,000,000 unless `--max-trials` raises it); the count is "
        + "stated before any trial is made.",
      example: "matrix:\n  a: [1, 2, 3, ...300 values]\n  b: [1, 2, 3, ...300 values]\n  c: [1, 2, 3, ...300 values]"),
    .init(
      unknownAxis, .error,
      "An exclude entry names an axis the matrix does not define, or a select has no axis to choose over (or lists "
        + "one both in over and per).",
      example: "matrix:\n  init: [a, b]\n  exclude: [{inti: a}]"),
    .init(
      unknownOverrideKey, .error,
      "A `--set` key does not name a parameter, top-level setting or definition key of the spec.",
      example: "sprout plan spec.yaml --set params.lrr=0.1"),
    .init(
      unknownSelection, .error,
      "`--only` names a stage the spec does not define, or `--trial` a trial the matrix does not produce.",
      example: "sprout run spec.yaml --only trian"),
    .init(
      unusedExclude, .warning, "An exclude entry matches no trial; it is probably misspelt or out of date.",
      example: "matrix:\n  init: [a, b]\n  exclude: [{init: c}]"),
    .init(
      zipLengthMismatch, .error,
      "zip combines the i-th values of each axis, so all of them need the same number of values.",
      example: "matrix:\n  zip: {init: [a, b], width: [64]}"),
  ]

  /// Registers ``catalog`` with the diagnostic registry (idempotent, and free after the first call: the front end
  /// registers every catalogue for each file it checks).
  public static func register() { _ = registered }

  private static let registered: Void = DiagnosticCatalog.register(catalog)
}
