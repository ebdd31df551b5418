import SproutDiagnostics
import SproutSpec

/// A dataset node: its definition and, when the arguments (or file headers) fix it, its shape.
public struct DatasetNode: Sendable {
  /// The definition as decoded.
  public var definition: DatasetDef
  /// Features and target, when known before planning (`nil` when an argument is an expression).
  public var shape: DataShape?

  /// Creates a dataset node.
  public init(definition: DatasetDef, shape: DataShape?) {
    self.definition = definition
    self.shape = shape
  }

  /// The name.
  public var id: DatasetID { definition.id }
}

/// A model node: its definition and, when its widths are literal, the inferred layer shapes.
public struct ModelNode: Sendable {
  /// The definition as decoded.
  public var definition: ModelDef
  /// Layer shapes, when the input and every width are literal (`nil` otherwise; the planner infers per trial).
  public var shape: ModelShape?

  /// Creates a model node.
  public init(definition: ModelDef, shape: ModelShape?) {
    self.definition = definition
    self.shape = shape
  }

  /// The name.
  public var id: ModelID { definition.id }
}

/// An initializer node.
public struct InitializerNode: Sendable {
  /// The definition as decoded.
  public var definition: InitializerDef

  /// Creates an initializer node.
  public init(definition: InitializerDef) { self.definition = definition }

  /// The name.
  public var id: InitializerID { definition.id }
}

/// A stage node.
public struct StageNode: Sendable {
  /// The definition as decoded.
  public var definition: StageDef
  /// True when the stage combines every trial (`select`, or a stage reading from one): it runs once.
  public var acrossTrials: Bool

  /// Creates a stage node.
  public init(definition: StageDef, acrossTrials: Bool) {
    self.definition = definition
    self.acrossTrials = acrossTrials
  }

  /// The name.
  public var id: StageID { definition.id }
  /// The kind.
  public var kind: StageKind { definition.kind }
  /// True for kinds whose output is a model (train, finetune, merge).
  public var producesModel: Bool { [.train, .finetune, .merge].contains(kind) }
}
