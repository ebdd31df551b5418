import SproutConfig
import SproutDiagnostics
import SproutSpec

/// The shapes through a model, worked out from its input and layer arguments (each layer lowered as the task will run
/// it, and its output shape inferred by ``LayerConfig/outputShape(_:)``).
public struct ModelShape: Hashable, Sendable {
  /// The input's shape.
  public var input: TensorShape
  /// The last layer's output shape; nil when a layer cannot take what it is given (reported at that layer).
  public var output: TensorShape?
  /// The layers with weights (residual bodies included), in order: what an initializer's `layers:` selector
  /// indexes.
  public var weights: [WeightShape]
  /// True when some layer is a `sine` activation.
  public var hasSine: Bool

  /// The weight layers' kinds, in order.
  public var weightKinds: [WeightLayerKind] { weights.map(\.kind) }
  /// What kind selectors match, in order (a layer inside a transformer block is also picked by `transformer_block`).
  public var weightTags: [WeightLayerTag] { weights.map { WeightLayerTag($0.kind, inBlock: $0.inBlock) } }
}

/// One layer with weights: its kind and tensors, and where it is written.
public struct WeightShape: Hashable, Sendable {
  /// Index among the layers with weights.
  public var index: Int
  /// Its kind.
  public var kind: WeightLayerKind
  /// Its weight tensors.
  public var tensors: [WeightTensorShape]
  /// True inside a transformer block.
  public var inBlock: Bool = false
  /// Where the layer is written.
  public var range: SourceRange
  /// Its key path (`models.net.layers[2]`).
  public var path: String

  /// Columns of the first weight read as a matrix (a dense layer's input width).
  public var fanIn: Int { tensors.first?.cols ?? 0 }
  /// Rows of the first weight (a dense layer's units).
  public var fanOut: Int { tensors.first?.rows ?? 0 }
  /// `256×16` (the tensors' shapes, comma-separated when there are several).
  public var text: String { tensors.map(\.text).joined(separator: ", ") }
}

/// A problem found by a graph check, ready to become a diagnostic at `range`.
public struct CheckProblem: Hashable, Sendable {
  /// The diagnostic id.
  public var id: DiagnosticID
  /// What is wrong.
  public var message: String
  /// Where.
  public var range: SourceRange
  /// The key path.
  public var path: String
  /// Further context.
  public var notes: [DiagnosticNote]
  /// A suggestion.
  public var help: String?
  /// Overrides the id's default severity.
  public var severity: Severity?

  /// Creates a problem.
  public init(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, path: String, notes: [DiagnosticNote] = [],
    help: String? = nil, severity: Severity? = nil
  ) {
    self.id = id
    self.message = message
    self.range = range
    self.path = path
    self.notes = notes
    self.help = help
    self.severity = severity
  }

  /// The diagnostic, with extra notes (e.g. naming the trial).
  public func diagnostic(extraNotes: [DiagnosticNote] = []) -> Diagnostic {
    Diagnostic(id, message, at: range, path: path, severity: severity, notes: notes + extraNotes, help: help)
  }
}

extension ModelShape {
  /// Infers the shapes through `model`, appending every layer that cannot take its input to `problems` (at the
  /// layer, with both shapes named); `nil` only when something is not known yet (an expression the resolver cannot
  /// evaluate, or a layer whose arguments the planner will report).
  ///
  /// A broken layer does not end the walk while the shape past it is still known, so one run reports every problem
  /// of the model and the checks that need only part of it (the input against the data) still run: past a residual
  /// block whose body changes the shape the walk goes on with the block's input shape (x + body(x) has the shape of
  /// x, and that is what the reported fix gives it), and past a layer that keeps its input's shape (an activation,
  /// layernorm, dropout) with that shape. Past any other broken layer the output is unknown.
  ///
  /// - Complexity: O(l) for l layers, residual bodies included.
  public static func infer(_ model: ModelDef, resolve: ValueResolver, problems: inout [CheckProblem]) -> ModelShape? {
    guard let value = resolve(model.input), case .success(let input) = Catalogue.inputShape(value) else { return nil }
    var shape = ModelShape(input: input, output: input, weights: [], hasSine: false)
    let base = "models.\(model.id.name).layers"
    var none: LoweredLayers?
    switch walk(
      model.layers, input: input, base: base, shape: &shape, resolve: resolve, problems: &problems, lowered: &none)
    {
    case .unknown: return nil
    case .broken: shape.output = nil
    case .known(let out): shape.output = out
    }
    return shape
  }

  /// ``infer(_:resolve:problems:)`` of a model already lowered with the same values (`lowered`, what the planner made
  /// of it for this trial): the layers' configurations are taken from it instead of lowering every layer again.
  /// Falls back to lowering them when the lowered layers do not line up with the written ones.
  public static func infer(
    _ model: ModelDef, lowered: ModelConfig, resolve: ValueResolver, problems: inout [CheckProblem]
  ) -> ModelShape? {
    let input = lowered.inputShape
    var shape = ModelShape(input: input, output: input, weights: [], hasSine: false)
    let base = "models.\(model.id.name).layers"
    var found: [CheckProblem] = []
    var layers: LoweredLayers? = LoweredLayers(lowered.layers)
    let end = walk(
      model.layers, input: input, base: base, shape: &shape, resolve: resolve, problems: &found, lowered: &layers)
    guard let layers, !layers.mismatch else { return infer(model, resolve: resolve, problems: &problems) }
    problems += found
    switch end {
    case .unknown: return nil
    case .broken: shape.output = nil
    case .known(let out):
      guard layers.next == lowered.layers.count else { return infer(model, resolve: resolve, problems: &problems) }
      shape.output = out
    }
    return shape
  }

  private enum Walk {
    case known(TensorShape)
    case broken
    case unknown
  }

  /// A model's lowered layers, taken in order by the walk (each copy of a `repeat` block in turn, as the lowering
  /// expanded them); `mismatch` when they do not line up with the written layers.
  private struct LoweredLayers {
    let layers: [LayerConfig]
    var next = 0
    var mismatch = false

    init(_ layers: [LayerConfig]) { self.layers = layers }

    /// The configuration of the written layer `layer` (a residual block for a `residual` only).
    mutating func take(_ layer: Instance) -> LayerConfig? {
      guard next < layers.count else {
        mismatch = true
        return nil
      }
      let config = layers[next]
      next += 1
      let isResidual = if case .residual = config { true } else { false }
      guard isResidual == (layer.kind == "residual") else {
        mismatch = true
        return nil
      }
      return config
    }
  }

  private static func walk(
    _ layers: [Instance], input: TensorShape, base: String, shape: inout ModelShape, resolve: ValueResolver,
    problems: inout [CheckProblem], lowered: inout LoweredLayers?
  ) -> Walk {
    var current = input
    for (i, layer) in layers.enumerated() {
      let path = "\(base)[\(i)]"
      if layer.kind == "repeat" {
        // `repeat: {count, layers}` in place: each copy is walked (and checked); a problem of the block is reported
        // once.
        let body = layer["layers"]?.listValue?.compactMap(\.instanceValue) ?? []
        guard let count = resolve.int(layer["count"]) else { return .unknown }
        var seen: [CheckProblem] = []
        for _ in 0..<max(count, 0) {
          var found: [CheckProblem] = []
          let end = walk(
            body, input: current, base: "\(path).layers", shape: &shape, resolve: resolve, problems: &found,
            lowered: &lowered)
          for p in found where !seen.contains(p) { seen.append(p) }
          switch end {
          case .unknown: return .unknown
          case .broken:
            problems += seen
            return .broken
          case .known(let out): current = out
          }
        }
        problems += seen
        continue
      }
      let taken: LayerConfig?
      if lowered != nil { taken = lowered!.take(layer) } else { taken = lower(layer, path: path, resolve: resolve) }
      guard let config = taken else { return .unknown }
      if case .activation(.sine) = config { shape.hasSine = true }
      if case .residual(let bodyConfig) = config {
        let body = layer["layers"]?.listValue?.compactMap(\.instanceValue) ?? []
        var inner = lowered.map { _ in LoweredLayers(bodyConfig) }
        let end = walk(
          body, input: current, base: "\(path).layers", shape: &shape, resolve: resolve, problems: &problems,
          lowered: &inner)
        if let inner {
          let complete = if case .known = end { inner.next == bodyConfig.count } else { true }
          if inner.mismatch || !complete {
            lowered!.mismatch = true
            return .unknown
          }
        }
        switch end {
        case .unknown: return .unknown
        case .broken: continue
        case .known(let end) where end != current:
          // Between vectors the message speaks of widths, as it did before shapes.
          let (what, from, to, produce) =
            if case .vector(let a) = current, case .vector(let b) = end {
              ("width", "\(a)", "\(b)", "\(a) features")
            } else {
              ("shape", current.phrase, end.phrase, current.phrase)
            }
          problems.append(
            CheckProblem(
              GraphDiagnostics.residualWidth,
              "this residual block changes the \(what) from \(from) to \(to), so x + body(x) cannot be added",
              at: layer.range, path: path, help: "make the block's last layer produce \(produce)"))
        case .known: break
        }
        continue
      }
      for w in config.weightLayers(current) {
        shape.weights.append(
          WeightShape(
            index: shape.weights.count, kind: w.kind, tensors: w.tensors, inBlock: w.inBlock, range: layer.range,
            path: path))
      }
      switch config.outputShape(current) {
      case .success(let out): current = out
      case .failure(let e):
        problems.append(
          CheckProblem(GraphDiagnostics.shapeMismatch, e.message, at: layer.range, path: path, help: e.help))
        if !config.keepsShape { return .broken }
      }
    }
    return .known(current)
  }

  /// The layer as the task will run it, or nil when an argument is not known yet or the lowering fails (the planner
  /// reports that failure).
  private static func lower(_ layer: Instance, path: String, resolve: ValueResolver) -> LayerConfig? {
    // A layer without an expression is lowered as written (wrapping it in a `Value` to resolve it copies it).
    if !layer.arguments.entries.contains(where: { $0.value.containsExpression }) {
      guard case .layer(let config)? = try? Lowerer.lower(layer, path: path, context: NoReferences()) else {
        return nil
      }
      return config
    }
    // A layer whose kind an expression chooses (`- ${matrix.act}`) is the kind it has in this trial.
    guard case .instance(let resolved)? = resolve(.instance(layer))?.choosingKinds,
      case .layer(let config)? = try? Lowerer.lower(resolved, path: path, context: NoReferences())
    else { return nil }
    return config
  }
}

/// The lowering context of a layer, which references nothing (also the tests' context for lowering models).
struct NoReferences: LoweringContext {
  func model(_ name: String, at argument: Argument, path: String) throws -> ModelConfig {
    throw LoweringError.alreadyReported
  }
  func initialization(_ name: String, at argument: Argument, path: String) throws -> InitConfig {
    throw LoweringError.alreadyReported
  }
  func data(_ reference: String, at argument: Argument, path: String) throws -> DataSelection {
    throw LoweringError.alreadyReported
  }
  func upstream(_ name: String, at argument: Argument, path: String) throws -> StageConfig {
    throw LoweringError.alreadyReported
  }
  func file(_ path: String, at argument: Argument, path keyPath: String) throws -> DataFile {
    throw LoweringError.alreadyReported
  }
}
