import SproutDiagnostics
/// Generates the JSON Schema (2020-12) of the language from the catalogue, for editors and external validators.
///
/// Every sort is a `$defs` entry accepting the three forms of an instance (bare kind name, `{kind: ...}`, and the
/// short form where allowed); each kind is its own `$defs` entry (`initializer.low_rank`) selected by its `kind`
/// constant. A `${...}` string is accepted wherever a number, boolean, choice or name is.
/// grammar/sprout.schema.json is this output; a test keeps them equal.
public enum SchemaGenerator {
  /// The schema, pretty-printed with sorted keys and a final newline.
  public static func jsonSchema() -> String { schema().pretty() + "\n" }

  /// The schema as a JSONValue value.
  public static func schema() -> JSONValue {
    var defs: [String: JSONValue] = [
      "expression": [
        "description": "A ${...} expression, resolved per trial (see grammar/expressions.ebnf).",
        "type": "string", "pattern": "\\$\\{",
      ],
      "identifier": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"],
      "model": model(),
      "initializerDefinition": initializerDefinition(),
      "matrix": matrix(),
      "matrixBlock": matrixBlock(),
      "axisValue": ["type": ["string", "integer", "number", "boolean", "null"]],
    ]
    for sort in Sort.allCases {
      defs[sort.rawValue] = sortSchema(sort)
      for kind in Catalogue.kinds(sort) { defs["\(sort.rawValue).\(kind.name)"] = kindSchema(kind, extra: []) }
    }
    defs["stageDefinition"] = definition(.stage, extra: [])
    defs["datasetDefinition"] = definition(.dataset, extra: [])
    func map(_ ref: String) -> JSONValue {
      [
        "type": "object", "propertyNames": ["$ref": "#/$defs/identifier"],
        "additionalProperties": ["$ref": .string(ref)],
      ]
    }
    return [
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "https://sprout.invalid/grammar/sprout.schema.json",
      "title": "Sprout experiment spec, language version 1",
      "description": "Generated from Sprout's catalogue of kinds by `sprout schema`; do not edit by hand.",
      "type": "object",
      "required": ["sprout"],
      "additionalProperties": false,
      "properties": .object([
        "sprout": ["const": 1, "description": doc("sprout")],
        "name": ["$ref": "#/$defs/identifier", "description": doc("name")],
        "description": ["type": "string", "description": doc("description")],
        "seed": ["type": "integer", "minimum": 0, "description": doc("seed")],
        "backend": ["enum": .array(BackendName.allCases.map { .string($0.rawValue) }), "description": doc("backend")],
        "params": [
          "type": "object", "description": doc("params"), "propertyNames": ["$ref": "#/$defs/identifier"],
          "additionalProperties": ["type": ["string", "integer", "number", "boolean", "null", "array", "object"]],
        ],
        "matrix": ["$ref": "#/$defs/matrix"],
        "datasets": map("#/$defs/datasetDefinition"),
        "models": map("#/$defs/model"),
        "initializers": map("#/$defs/initializerDefinition"),
        "stages": map("#/$defs/stageDefinition"),
      ]),
      "$defs": .object(defs),
    ]
  }

  static func doc(_ key: String) -> JSONValue {
    .string(Catalogue.topLevelKeys.first { $0.name == key }?.doc ?? "")
  }

  static let expression: JSONValue = ["$ref": "#/$defs/expression"]

  /// The schema of one argument type (with its bounds).
  static func type(_ t: ArgumentType, _ bounds: ArgumentSpec?) -> JSONValue {
    func numeric(_ base: String) -> JSONValue {
      var o: [String: JSONValue] = ["type": .string(base)]
      // Integral bounds are written as integers (`"minimum": 1`), the way people write them.
      func number(_ x: Double) -> JSONValue { x == x.rounded() && abs(x) < 1e15 ? .int(Int(x)) : .double(x) }
      if let b = bounds {
        if let lo = b.minimum { o[b.exclusiveMinimum ? "exclusiveMinimum" : "minimum"] = number(lo) }
        if let hi = b.maximum { o[b.exclusiveMaximum ? "exclusiveMaximum" : "maximum"] = number(hi) }
      }
      return ["anyOf": [.object(o), expression]]
    }
    switch t {
    case .int: return numeric("integer")
    case .float: return numeric("number")
    case .bool: return ["anyOf": [["type": "boolean"], expression]]
    case .string: return ["type": "string"]
    case .enumeration(let cases): return ["anyOf": [["enum": .array(cases.map { .string($0) })], expression]]
    case .reference, .data: return ["type": "string"]
    case .kind(let sort): return ["$ref": .string("#/$defs/\(sort.rawValue)")]
    case .list(let e): return ["type": "array", "items": type(e, bounds)]
    case .map(let e): return ["type": "object", "additionalProperties": type(e, bounds)]
    case .layerSelector:
      return [
        "anyOf": [
          ["enum": ["first", "last", "all"]], ["type": "integer"], ["type": "array", "items": ["type": "integer"]],
          expression,
        ]
      ]
    case .oneOf(let ts): return ["anyOf": .array(ts.map { type($0, bounds) })]
    case .record(let fields, let main):
      var props: [String: JSONValue] = [:]
      for f in fields { props[f.name] = argument(f) }
      let object: JSONValue = ["type": "object", "properties": .object(props), "additionalProperties": false]
      guard let main, let f = fields.first(where: { $0.name == main }) else { return object }
      return ["anyOf": [object, type(f.type, f)]]
    }
  }

  static func argument(_ a: ArgumentSpec) -> JSONValue {
    guard case .object(var o) = type(a.type, a) else { return type(a.type, a) }
    o["description"] = .string(a.doc)
    return .object(o)
  }

  /// `{kind: NAME, args...}` for one kind (plus `extra` keys such as an initializer's `layers`).
  static func kindSchema(_ kind: KindSpec, extra: [ArgumentSpec], withKind: Bool = true) -> JSONValue {
    var props: [String: JSONValue] = [:]
    if withKind { props["kind"] = ["const": .string(kind.name)] }
    for a in kind.arguments + extra { props[a.name] = argument(a) }
    var o: [String: JSONValue] = [
      "type": "object", "properties": .object(props), "additionalProperties": false,
      "description": .string(kind.doc + (kind.paper.map { " (\($0))" } ?? "")),
    ]
    var required = kind.arguments.filter(\.required).map { JSONValue.string($0.name) }
    if withKind { required.insert("kind", at: 0) }
    if !required.isEmpty { o["required"] = .array(required) }
    return .object(o)
  }

  /// The full form of a sort: an object whose `kind` selects the kind's schema.
  static func definition(_ sort: Sort, extra: [ArgumentSpec]) -> JSONValue {
    let kinds = Catalogue.kinds(sort)
    return [
      "type": "object",
      "required": ["kind"],
      "properties": ["kind": ["enum": .array(kinds.map { .string($0.name) })]],
      "allOf": .array(
        kinds.map { k in
          [
            "if": ["properties": ["kind": ["const": .string(k.name)]], "required": ["kind"]],
            "then": extra.isEmpty
              ? ["$ref": .string("#/$defs/\(sort.rawValue).\(k.name)")] : kindSchema(k, extra: extra),
          ]
        }),
    ]
  }

  /// Any form of an instance of a sort (bare name, full form, short form).
  static func sortSchema(_ sort: Sort) -> JSONValue {
    let kinds = Catalogue.kinds(sort)
    let bare = kinds.filter { k in !k.arguments.contains { $0.required } }.map { JSONValue.string($0.name) }
    var forms: [JSONValue] = []
    if !bare.isEmpty { forms.append(["enum": .array(bare)]) }
    // A model template's layer, `- ${matrix.act}`: its kind chosen per trial (Instance.chosenKind).
    if sort == .layer { forms.append(expression) }
    forms.append(definition(sort, extra: []))
    if Catalogue.allowsShortForm(sort) {
      var props: [String: JSONValue] = [:]
      for k in kinds {
        var alternatives: [JSONValue] = [["type": "null"], kindSchema(k, extra: [], withKind: false)]
        if let m = k.mainArgument, let a = k.argument(m) { alternatives.append(type(a.type, a)) }
        props[k.name] = ["anyOf": .array(alternatives)]
      }
      forms.append([
        "type": "object", "minProperties": 1, "maxProperties": 1, "properties": .object(props),
        "additionalProperties": false,
      ])
    }
    return ["anyOf": .array(forms)]
  }

  static func initializerDefinition() -> JSONValue {
    let extra = Catalogue.initializerKeys.map { a -> ArgumentSpec in
      var a = a
      if a.name == "layers" {
        a.type = .map(.kind(.initializer))
      }
      return a
    }
    return definition(.initializer, extra: extra)
  }

  static func model() -> JSONValue {
    [
      "type": "object", "required": ["input", "layers"], "additionalProperties": false,
      "properties": [
        "input": argument(Catalogue.modelInput),
        "layers": ["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/layer"]],
      ],
    ]
  }

  static let axis: JSONValue = [
    "anyOf": [["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/axisValue"]], ["$ref": "#/$defs/axisValue"]]
  ]
  static let blockList: JSONValue = ["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/matrixBlock"]]
  static let blockProperties: [String: JSONValue] = [
    "product": ["anyOf": [["$ref": "#/$defs/matrixBlock"], blockList]],
    "zip": ["anyOf": [["$ref": "#/$defs/matrixBlock"], blockList]],
    "concat": blockList,
  ]

  static func matrixBlock() -> JSONValue {
    [
      "type": "object", "minProperties": 1, "properties": .object(blockProperties),
      "propertyNames": ["$ref": "#/$defs/identifier"], "additionalProperties": axis,
    ]
  }

  static func matrix() -> JSONValue {
    let assignments: JSONValue = [
      "type": "array",
      "items": ["type": "object", "minProperties": 1, "additionalProperties": ["$ref": "#/$defs/axisValue"]],
    ]
    var props = blockProperties
    props["include"] = assignments
    props["exclude"] = assignments
    props["sample"] = ["type": "integer", "minimum": 1]
    props["order"] = ["enum": .array(MatrixOrder.allCases.map { .string($0.rawValue) })]
    return [
      "description": doc("matrix"), "type": "object", "minProperties": 1, "properties": .object(props),
      "propertyNames": ["$ref": "#/$defs/identifier"], "additionalProperties": axis,
    ]
  }
}
