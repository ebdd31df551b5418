import Foundation
import SproutPlanner
import SproutTrain

extension TrainConfigs {
  /// An initializer definition as the planner resolves it — `{rule, bias, layers: [{select, rule}]}`, or a bare
  /// rule — → `InitPlan`.
  ///
  /// The language's selectors count the layers that have parameters (0 = the first dense layer, negative
  /// from the end); SproutTrain's count positions in the layer list, so `denseLayers` (the layer-list index
  /// of each dense layer, in order) translates them.
  static func initPlan(_ d: Definition, denseLayers: [Int]) throws -> InitPlan {
    guard let ruleDef = d["rule"] else { return InitPlan(rule: try initRule(d)) }
    var plan = InitPlan(rule: try initRule(ruleDef), biasRule: try d["bias"].map(initRule) ?? .zeros)
    for entry in try d["layers"]?.array() ?? [] {
      let select = try entry.required("select")
      let rule = try initRule(try entry.required("rule"))
      let selector: LayerSelector
      switch select.value {
      case .string("first"): selector = .first
      case .string("last"): selector = .last
      default:
        let positions = try LayerSelection.indices(select, count: denseLayers.count).map { denseLayers[$0] }
        selector = positions.count == 1 ? .index(positions[0]) : .indices(positions)
      }
      plan.layerRules.append(.init(selector, rule, bias: try entry["bias"].map(initRule)))
    }
    return plan
  }

  /// One initializer rule.
  static func initRule(_ d: Definition) throws -> InitRule {
    let (kind, a) = try d.kindAndArguments()
    func nonlinearity() throws -> Nonlinearity {
      let name = try a.string("nonlinearity", default: "relu")
      guard let n = Nonlinearity(name: name, parameter: try a["slope"]?.double() ?? (name == "leaky_relu" ? 0.01 : nil))
      else { throw a.fail("unknown nonlinearity '\(name)'") }
      // PyTorch's kaiming_* default slope is 0 (gain √2) when no slope is given.
      if case .leakyRelu = n, a["slope"] == nil { return .leakyRelu(slope: 0) }
      return n
    }
    func mode() throws -> FanMode {
      let name = try a.string("mode", default: "fan_in")
      guard let m = FanMode(rawValue: name) else { throw a.fail("unknown mode '\(name)'") }
      return m
    }
    switch kind {
    case "zeros": return .zeros
    case "ones": return .ones
    case "constant": return .constant(try a.required("value").double())
    case "uniform": return .uniform(low: try a.double("a", default: 0), high: try a.double("b", default: 1))
    case "normal": return .normal(mean: try a.double("mean", default: 0), std: try a.double("std", default: 1))
    case "truncated_normal":
      return .truncatedNormal(
        mean: try a.double("mean", default: 0), std: try a.double("std", default: 1), a: try a.double("a", default: -2),
        b: try a.double("b", default: 2))
    case "xavier_uniform": return .xavierUniform(gain: try a.double("gain", default: 1))
    case "xavier_normal": return .xavierNormal(gain: try a.double("gain", default: 1))
    case "kaiming_uniform": return .kaimingUniform(mode: try mode(), nonlinearity: try nonlinearity())
    case "kaiming_normal": return .kaimingNormal(mode: try mode(), nonlinearity: try nonlinearity())
    case "lecun_uniform": return .lecunUniform
    case "lecun_normal": return .lecunNormal
    case "pytorch_default": return .pytorchDefault
    case "orthogonal": return .orthogonal(gain: try a.double("gain", default: 1))
    case "identity": return .identity(gain: try a.double("gain", default: 1))
    case "sparse":
      return .sparse(sparsity: try a.double("sparsity", default: 0.1), std: try a.double("std", default: 0.01))
    case "low_rank":
      let base = try a["base"].map(initRule) ?? .kaimingNormal(mode: .fanIn, nonlinearity: .relu)
      return .lowRank(
        rank: try a.required("rank").int(), base: base, matchNorm: try a["match_norm"]?.bool() ?? true)
    case "siren": return .siren(omega: try a.double("omega", default: 30), c: try a.double("c", default: 6))
    case "siren_first": return .sirenFirst
    case "ibp": return .ibp
    case "lsuv":
      return .lsuv(
        tolerance: try a.double("tolerance", default: 0.02), maxIterations: try a.int("max_iter", default: 20),
        base: try a["base"].map(initRule) ?? .orthogonal(gain: 1))
    case "winner":
      return .winner(
        WinnerOptions(
          omega: try a.double("omega", default: 30), s0Max: try a.double("s0_max", default: 50),
          a: try a.double("a", default: 5), b: try a.double("b", default: 0.4), s0: try a["s0"]?.double(),
          s1: try a["s1"]?.double(), c: try a.double("c", default: 6)))
    case "from_stage":
      return .fromStage(
        stage: try a.required("stage").string(), mapping: [:], fallback: try a["fallback"].map(initRule))
    default:
      throw a.fail("initializer '\(kind)' is not supported by the executor")
    }
  }
}

extension TrainConfigs {
  /// The data references (`teacher.train`) of an initializer's rules: what LSUV's batch and WINNER's target
  /// come from. The planner puts the referenced datasets' definitions under `init_data`.
  static func initDataReference(_ d: Definition) throws -> (name: String, split: String?)? {
    let rules = [d["rule"] ?? d] + (try d["layers"]?.array().compactMap { $0["rule"] } ?? [])
    for rule in rules {
      guard let text = try rule["data"]?.string() else { continue }
      let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
      return (parts[0], parts.count > 1 ? parts[1] : nil)
    }
    return nil
  }
}

extension TrainConfigs {
  /// LSUV's batch size (512 by default; the network's planned batch caps it).
  static func lsuvBatch(_ d: Definition) throws -> Int {
    let rules = [d["rule"] ?? d] + (try d["layers"]?.array().compactMap { $0["rule"] } ?? [])
    for rule in rules where try rule["kind"]?.string() == "lsuv" { return try rule.int("batch", default: 512) }
    return 512
  }
}
