import Foundation
import SproutPlanner
import SproutTrain

/// A stage's `record:` list resolved against its model: the metric kinds, SproutTrain's metric options, and
/// for per-layer metrics the dense weights the `layers:` selector keeps.
struct MetricSelection {
  /// Metric kinds in the order written.
  var kinds: [MetricKind] = []
  /// Options (kernel layer, probe samples, PSNR peak, spectrum bins).
  var options = MetricOptions()
  /// Per metric name, the weight names to keep in its per-layer map (absent: every layer).
  var layers: [String: Set<String>] = [:]
  /// Recorded name → name written (`effective_rank: {definition: participation_ratio}` is SproutTrain's
  /// `participation_ratio`, written as `effective_rank` as the spec names it).
  var renames: [String: String] = [:]

  /// No metrics, every layer.
  init() {}

  /// Reads a `record:` list (`loss`, `{kernel_alignment: {layers: 1, samples: 64}}`, ...); `denseWeights` are
  /// the model's dense weight names in order, which the language's layer selectors index.
  init(_ d: Definition?, denseWeights: [String]) throws {
    guard let d else {
      kinds = [.loss]
      return
    }
    var probeFromKernel = false
    for item in try d.array() {
      let (name, args) = try item.kindAndArguments()
      guard var kind = MetricKind(rawValue: name) else {
        throw item.fail("metric '\(name)' is not known to the executor")
      }
      if kind == .effectiveRank, try args.string("definition", default: "entropy") == "participation_ratio" {
        kind = .participationRatio
        renames[kind.rawValue] = name
      }
      kinds.append(kind)
      let selected = try args["layers"].map { try Self.select($0, from: denseWeights) }
      if let selected, selected.count < denseWeights.count { layers[kind.rawValue] = Set(selected) }
      switch kind {
      case .kernelAlignment:
        if let selected, selected.count < denseWeights.count { options.kernelParameter = selected.first }
        if let samples = args["samples"] {
          options.probeSamples = try samples.int()
          probeFromKernel = true
        }
      case .activationStats:
        if let samples = args["samples"], !probeFromKernel { options.probeSamples = try samples.int() }
      case .psnr:
        if let peak = args["peak"] ?? args["range"] { options.psnrRange = try peak.double() }
      case .outputSpectrum:
        if let bins = args["bins"] { options.spectrumBins = try bins.int() }
      default:
        break
      }
    }
  }

  /// The names a layer selector keeps.
  static func select(_ d: Definition, from names: [String]) throws -> [String] {
    try LayerSelection.indices(d, count: names.count).map { names[$0] }
  }

  /// Keeps, in per-layer maps, only the selected weights' entries, and writes each metric under the
  /// name the spec gave it.
  func filter(_ values: [String: MetricValue]) -> [String: MetricValue] {
    var out = values
    for (name, keep) in layers {
      if case .map(let m)? = values[name] { out[name] = .map(m.filter { keep.contains($0.key) }) }
    }
    for (from, to) in renames {
      if let v = out.removeValue(forKey: from) { out[to] = v }
    }
    return out
  }

  /// The dense weight names of a layer list, in model order (`layers.3.layers.0.weight` inside a residual).
  static func denseWeights(_ layers: [LayerConfig], prefix: String = "layers") -> [String] {
    layers.enumerated().flatMap { i, layer -> [String] in
      switch layer {
      case .dense: return ["\(prefix).\(i).weight"]
      case .residual(let inner): return denseWeights(inner, prefix: "\(prefix).\(i).layers")
      default: return []
      }
    }
  }
}

/// The language's layer selectors: `all`, `first`, `last`, an index or a list of indices over the layers
/// that have parameters (0 = the first dense layer; negative indices count from the end).
enum LayerSelection {
  /// The selected indices in `0..<count`; an index out of range is an error naming it.
  static func indices(_ d: Definition, count: Int) throws -> [Int] {
    func at(_ i: Int) throws -> Int {
      let k = i < 0 ? count + i : i
      guard (0..<count).contains(k) else {
        throw d.fail("layer \(i) is out of range: the model has \(count) layers with parameters")
      }
      return k
    }
    switch d.value {
    case .string("all"): return Array(0..<count)
    case .string("first"): return count > 0 ? [0] : []
    case .string("last"): return count > 0 ? [count - 1] : []
    case .array(let items): return try items.map { v in try at(Definition(v, path: d.path).int()) }
    case .string(let text):
      // The planner writes initializer selectors as text: `2`, `-1` or `[1, 2]`.
      let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ",")
      let numbers = parts.map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else {
        throw d.fail("expected first, last, a layer index or a list of indices, got '\(text)'")
      }
      return try numbers.map { try at($0 ?? 0) }
    default: return [try at(try d.int())]
    }
  }
}
