import SproutDiagnostics
import SproutSpec

/// The widths through a model's layers, worked out from its input and layer arguments.
public struct ModelShape: Hashable, Sendable {
  /// Input width.
  public var input: Int
  /// Output width (of the last layer).
  public var output: Int
  /// The weights of the layers with parameters (dense layers, residual bodies included), in order: what an
  /// initializer's `layers:` selector indexes.
  public var weights: [WeightShape]
  /// Every layer kind in the model, residual bodies included, in order.
  public var layerKinds: [String]

  /// True when some layer is a `sine` activation.
  public var hasSine: Bool { layerKinds.contains("sine") }
}

/// One weight matrix: `fanOut × fanIn`.
public struct WeightShape: Hashable, Sendable {
  /// Index among the layers with parameters.
  public var index: Int
  /// Input width of the layer.
  public var fanIn: Int
  /// Output width of the layer.
  public var fanOut: Int
  /// Where the layer is written.
  public var range: SourceRange
  /// Its key path (`models.net.layers[2]`).
  public var path: String

  /// `256×16`.
  public var text: String { "\(fanOut)×\(fanIn)" }
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
  /// Infers the widths through `model`, appending every layer that breaks the shape to `problems`; `nil` only
  /// when a width is not known (an expression the resolver cannot evaluate).
  ///
  /// A broken layer does not end the walk, so one run reports every problem of the model and the checks that
  /// need only part of the shape (the input width against the data) still run. Past a residual block whose body
  /// changes the width, the walk goes on with the block's input width: a residual block's output is
  /// x + body(x), which has the width of x, and that is the width the reported fix (make the body end where it
  /// started) gives it. A `rational` whose groups do not divide the width keeps the width, as every activation
  /// does.
  ///
  /// - Complexity: O(l) for l layers, residual bodies included.
  public static func infer(_ model: ModelDef, resolve: ValueResolver, problems: inout [CheckProblem]) -> ModelShape? {
    guard let input = resolve.int(model.input) else { return nil }
    var shape = ModelShape(input: input, output: input, weights: [], layerKinds: [])
    let base = "models.\(model.id.name).layers"
    guard let out = walk(model.layers, width: input, base: base, shape: &shape, resolve: resolve, problems: &problems)
    else { return nil }
    shape.output = out
    return shape
  }

  private static func walk(
    _ layers: [Instance], width: Int, base: String, shape: inout ModelShape, resolve: ValueResolver,
    problems: inout [CheckProblem]
  ) -> Int? {
    var w = width
    for (i, layer) in layers.enumerated() {
      let path = "\(base)[\(i)]"
      shape.layerKinds.append(layer.kind)
      switch layer.kind {
      case "dense":
        guard let units = resolve.int(layer["units"]) else { return nil }
        shape.weights.append(
          WeightShape(index: shape.weights.count, fanIn: w, fanOut: units, range: layer.range, path: path))
        w = units
      case "fourier_features":
        guard let features = resolve.int(layer["features"]) else { return nil }
        w = 2 * features + (resolve.bool(layer["include_input"]) == true ? w : 0)
      case "residual":
        let body = layer["layers"]?.listValue?.compactMap(\.instanceValue) ?? []
        guard
          let end = walk(body, width: w, base: "\(path).layers", shape: &shape, resolve: resolve, problems: &problems)
        else { return nil }
        if end != w {
          problems.append(
            CheckProblem(
              GraphDiagnostics.residualWidth,
              "this residual block changes the width from \(w) to \(end), so x + body(x) cannot be added",
              at: layer.range, path: path, help: "make the block's last layer produce \(w) features"))
        }
      case "rational":
        if let groups = resolve.int(layer["groups"]), groups > 0, w % groups != 0 {
          problems.append(
            CheckProblem(
              GraphDiagnostics.shapeMismatch,
              "rational splits its \(w) inputs into \(groups) groups, but \(w) is not divisible by \(groups)",
              at: layer.range, path: path,
              help: "choose groups dividing \(w) (e.g. \(largestDivisor(of: w, atMost: groups)))"))
        }
      default:
        break  // activations, layernorm, dropout keep the width
      }
    }
    return w
  }

  private static func largestDivisor(of n: Int, atMost k: Int) -> Int {
    stride(from: min(k, n), through: 1, by: -1).first { n % $0 == 0 } ?? 1
  }
}
