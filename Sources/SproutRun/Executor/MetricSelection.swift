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
  /// Per metric name, the weight names (or for activation_stats the layer paths) to keep in its per-layer map
  /// (absent: every layer).
  var layers: [String: Set<String>] = [:]
  /// The statistics `activation_stats` keeps in each layer's map (nil: all of them).
  var stats: Set<String>?
  /// Recorded name → name written (`effective_rank: {definition: participation_ratio}` is SproutTrain's
  /// `participation_ratio`, written as `effective_rank` as the spec names it).
  var renames: [String: String] = [:]

  /// No metrics, every layer.
  init() {}

  /// The main (positional) argument of each metric: `{output_spectrum: 32}` means `{output_spectrum: {bins: 32}}`.
  static func main(_ kind: String) -> String? {
    [
      "weight_norm": "layers", "weight_change": "layers", "effective_rank": "layers", "stable_rank": "layers",
      "kernel_alignment": "layers", "activation_stats": "stats", "output_spectrum": "bins", "psnr": "peak",
      "interval_bounds": "eps",
    ][kind]
  }

  /// Reads a `record:` list (`loss`, `{kernel_alignment: {layers: 1, samples: 64}}`, ...); `denseWeights` are
  /// the model's dense weight names in order, which the language's layer selectors index — except
  /// activation_stats, whose selector indexes `activationLayers` (the layers it reports, in model order).
  init(_ d: Definition?, denseWeights: [String], activationLayers: [String] = []) throws {
    guard let d else {
      kinds = [.loss]
      return
    }
    var probeFromKernel = false
    for item in try d.array() {
      let (name, args) = try item.kindAndArguments(main: Self.main)
      guard var kind = MetricKind(rawValue: name) else {
        throw item.fail("metric '\(name)' is not known to the executor")
      }
      if kind == .effectiveRank, try args.string("definition", default: "entropy") == "participation_ratio" {
        kind = .participationRatio
        renames[kind.rawValue] = name
      }
      kinds.append(kind)
      let candidates = kind == .activationStats ? activationLayers : denseWeights
      let selected = try args["layers"].map { try Self.select($0, from: candidates) }
      if let selected, selected.count < candidates.count { layers[kind.rawValue] = Set(selected) }
      switch kind {
      case .kernelAlignment:
        if let selected, selected.count < denseWeights.count { options.kernelParameter = selected.first }
        if let samples = args["samples"] {
          options.probeSamples = try samples.int()
          probeFromKernel = true
        }
      case .activationStats:
        if let samples = args["samples"], !probeFromKernel { options.probeSamples = try samples.int() }
        if let list = args["stats"] {
          var keep = Set(try list.array().map { try $0.string() })
          // massive_ratio is B12's ratio, which the recorder logs in both of its readings (see ActivationStatistics).
          if keep.contains("massive_ratio") { keep.insert("massive_ratio_per_input") }
          stats = keep
        }
      case .weightChange:
        options.weightChangeRelative = try args.bool("relative", default: false)
      case .psnr:
        if let peak = args["peak"] ?? args["range"] { options.psnrRange = try peak.double() }
      case .outputSpectrum:
        if let bins = args["bins"] { options.spectrumBins = try bins.int() }
      case .intervalBounds:
        if let eps = args["eps"] { options.intervalEps = try eps.double() }
        if let samples = args["samples"], !probeFromKernel { options.probeSamples = try samples.int() }
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
    let statsName = MetricKind.activationStats.rawValue
    if let stats, case .map(let m)? = out[statsName] {
      out[statsName] = .map(
        m.mapValues { v in
          guard case .map(let s) = v else { return v }
          return .map(s.filter { stats.contains($0.key) })
        })
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

extension MetricSelection {
  /// The layer paths `activation_stats` reports, in model order: every top-level layer that is neither dense,
  /// dropout, layer_norm nor fourier_features (activations and residual blocks), as `layers.<i>`. Its `layers:`
  /// selector indexes this list (0 = the first activation).
  static func activationLayers(_ layers: [LayerConfig]) -> [String] {
    layers.enumerated().compactMap { i, layer in
      switch layer {
      case .dense, .dropout, .layerNorm, .fourierFeatures: return nil
      default: return "layers.\(i)"
      }
    }
  }

  /// `activationLayers` of a built network (the same paths: its top-level layers are the config's).
  static func activationLayers(_ network: Network) -> [String] {
    network.layers.enumerated().compactMap { i, layer in
      ["dense", "dropout", "layer_norm", "fourier_features"].contains(layer.kind) ? nil : "layers.\(i)"
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
