import SproutSyntax

/// Scalars as Spec values: YAML 1.2 core-schema resolution (`CoreScalar`, in the Syntax phase) mapped onto
/// `Value`. Quoted and block scalars, and scalars tagged `!!str`, are always strings.
enum Scalar {
  /// Resolves plain scalar text.
  static func resolvePlain(_ s: String) -> Value { Value(CoreScalar.resolvePlain(s)) }

  /// Resolves a node's scalar (respecting style and explicit tags); `nil` for collections.
  static func resolve(_ node: Node) -> Value? { CoreScalar(node).map(Value.init) }
}

extension Value {
  /// The value of a resolved scalar.
  init(_ scalar: CoreScalar) {
    switch scalar {
    case .null: self = .null
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .float(let d): self = .float(d)
    case .string(let s): self = .string(s)
    }
  }
}
