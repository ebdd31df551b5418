import SproutDiagnostics

/// Every diagnostic the Syntax phase reports, sorted by id.
///
/// docs/diagnostics.md is generated from this list; ids never change silently (users write them in
/// suppressions). `YAMLParser` registers the catalogue before it reports anything.
public enum SyntaxDiagnostics {
  /// The catalogue entries of the `syntax` domain.
  public static let catalog: [DiagnosticCatalog.Entry] = [
    .init(
      "syntax.duplicate-key", .error,
      "A mapping defines the same key twice; YAML forbids it and the second value would silently win elsewhere. "
        + "Keys compare as resolved scalars: `model` and `\"model\"` are one key, and so are `16` and `0x10`.",
      example: "stages:\n  train: {kind: train, ...}\n  \"train\": {kind: train, ...}"),
    .init(
      "syntax.empty-file", .error, "The file holds no YAML document (it is empty or only comments).",
      example: "# nothing here"),
    .init(
      "syntax.file-too-large", .error, "The file is larger than the parser's size limit.",
      example: "# a spec file of more than 16 MiB"),
    .init(
      "syntax.invalid-merge", .error,
      "The value of a merge key `<<` is not a mapping or a list of mappings.",
      example: "base: &base [1, 2]\nnet:\n  <<: *base"),
    .init(
      "syntax.invalid-utf8", .error, "The file is not valid UTF-8; the diagnostic points at the first bad byte.",
      example: "name: caf\\xE9   # Latin-1 byte instead of UTF-8"),
    .init(
      "syntax.invalid-yaml", .error, "libyaml rejected the text as YAML; the message says what it expected.",
      example: "stages: [train, test"),
    .init(
      "syntax.multiple-documents", .error,
      "The file holds several YAML documents (`---`); a spec is one document.",
      example: "sprout: 1\n---\nsprout: 1"),
    .init(
      "syntax.nesting-too-deep", .error, "Collections are nested deeper than the parser's depth limit.",
      example: "a: [[[[[[[[ ... ]]]]]]]]   # more than 256 levels"),
    .init(
      "syntax.recursive-alias", .error, "An alias refers to the node that contains it.",
      example: "a: &loop [*loop]"),
    .init(
      "syntax.tab-indentation", .error, "A line is indented with a tab; YAML indentation must use spaces.",
      example: "models:\n\tnet: {}"),
    .init(
      "syntax.too-many-nodes", .error,
      "The document expands (through aliases) to more nodes than the parser's limit, e.g. a \"billion laughs\".",
      example: "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n# ..."),
    .init(
      "syntax.top-level-not-mapping", .error, "The document's top level is not a mapping of keys to values.",
      example: "- sprout: 1"),
    .init(
      "syntax.undefined-alias", .error, "An alias `*name` refers to no anchor `&name` defined before it.",
      example: "init: *kaiming"),
    .init(
      "syntax.unquoted-expression-in-flow", .error,
      "An unquoted `${...}` inside a flow collection `{...}` or `[...]`; YAML reads its braces as syntax. "
        + "Every one in the file is reported, each with a fix-it that quotes it.",
      example: "optimizer: {kind: sgd, lr: ${params.lr}}"),
  ]

  /// Registers the catalogue (idempotent, cheap after the first call).
  public static func register() { _ = registered }

  private static let registered: Void = DiagnosticCatalog.register(catalog)
}

extension DiagnosticID {
  static let duplicateKey: DiagnosticID = "syntax.duplicate-key"
  static let emptyFile: DiagnosticID = "syntax.empty-file"
  static let fileTooLarge: DiagnosticID = "syntax.file-too-large"
  static let invalidMerge: DiagnosticID = "syntax.invalid-merge"
  static let invalidUTF8: DiagnosticID = "syntax.invalid-utf8"
  static let invalidYAML: DiagnosticID = "syntax.invalid-yaml"
  static let multipleDocuments: DiagnosticID = "syntax.multiple-documents"
  static let nestingTooDeep: DiagnosticID = "syntax.nesting-too-deep"
  static let recursiveAlias: DiagnosticID = "syntax.recursive-alias"
  static let tabIndentation: DiagnosticID = "syntax.tab-indentation"
  static let tooManyNodes: DiagnosticID = "syntax.too-many-nodes"
  static let topLevelNotMapping: DiagnosticID = "syntax.top-level-not-mapping"
  static let undefinedAlias: DiagnosticID = "syntax.undefined-alias"
  static let unquotedExpressionInFlow: DiagnosticID = "syntax.unquoted-expression-in-flow"
}
