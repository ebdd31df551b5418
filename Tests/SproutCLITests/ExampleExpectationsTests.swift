import Foundation
import Testing

/// The outcome each example's header promises, checked through the real CLI at reduced settings (narrower
/// nets, fewer steps, a subset of trials via `--trial`), chosen so the effect is still far from the threshold
/// (the margins seen with a release build are in the comments) while a debug build finishes in seconds.
@Suite("example expectations")
struct ExampleExpectationsTests {
  /// Runs an example with overrides and returns the final metrics of each task, keyed by task key, with the
  /// trial's matrix values (`init=siren model=siren`).
  static func run(_ example: String, _ args: [String]) throws -> [String: (values: String, metrics: [String: Any])] {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("store").path
    let run = try CLI.run(["run", example, "--store", store, "--jobs", "2"] + args)
    #expect(run.status == 0, "\(example): \(run.stderr.suffix(2000))")
    let show = try CLI.run(["show", "latest", "--format", "json", "--store", store])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    var out: [String: (values: String, metrics: [String: Any])] = [:]
    for task in try #require(object["tasks"] as? [[String: Any]]) {
      let key = try #require(task["key"] as? String)
      out[key] = (task["values"] as? String ?? "", task["metrics"] as? [String: Any] ?? [:])
    }
    return out
  }

  static func number(_ metrics: [String: Any], _ name: String) throws -> Double {
    try #require(metrics[name] as? Double, "no \(name) in \(metrics)")
  }

  /// Classic initializers (Glorot & Bengio 2010; He et al. 2015; LeCun et al. 1998). Activation std at depth 20
  /// (`layers.39`; release build, format-3 streams): Kaiming keeps ReLU alive (0.47 seen) where Xavier shrinks it by
  /// √2 per layer (3e-4); LeCun keeps SELU near 1 (0.93) where Kaiming makes it grow (5.8).
  @Test("init-depth: Kaiming keeps ReLU, LeCun keeps SELU at unit scale through 20 layers")
  func initDepth() throws {
    let tasks = try Self.run(
      "examples/init-depth.yaml",
      ["--set", "params.width=64", "--set", "params.pytorch_bound=0.125"]
        + ["t0004", "t0007", "t0008", "t0011"].flatMap { ["--trial", $0] })
    func deepStd(_ trial: String) throws -> Double {
      let stats = try #require(tasks["\(trial)/at_init"]?.metrics["activation_stats"] as? [String: Any])
      let layer = try #require(stats["layers.39"] as? [String: Any])
      return try Self.number(layer, "std")
    }
    #expect(try deepStd("t0004") < 0.01, "xavier relu")
    #expect(try deepStd("t0007") > 0.2, "kaiming relu")
    #expect(try deepStd("t0008") > 2.5, "kaiming selu")
    #expect(abs(try deepStd("t0011") - 1) < 0.15, "lecun selu")
  }

  /// IBP init (Shi et al., NeurIPS 2021): an interval's radius grows √(fan_in/π) ≈ 9.03 per ReLU layer of width
  /// 256 under Kaiming, about 1 under IBP init (seed 0, layers 2–8: 8.68–9.04 and 0.96–1.00).
  @Test("ibp-init: interval bounds explode under Kaiming and stay flat under IBP init")
  func ibpInit() throws {
    let tasks = try Self.run("examples/ibp-init.yaml", ["--only", "at_init", "--set", "matrix.seed=[0]"])
    var growth: [String: [Double]] = [:]
    for (key, task) in tasks where key.hasSuffix("/at_init") {
      let bounds = try #require(task.metrics["interval_bounds"] as? [String: [String: Double]])
      let arm = task.values.contains("init=ibp") ? "ibp" : "kaiming"
      for layer in ["layers.2.weight", "layers.4.weight", "layers.6.weight", "layers.8.weight"] {
        growth[arm, default: []].append(try #require(bounds[layer]?["growth"]))
      }
    }
    #expect(growth["kaiming"]?.count == 4 && growth["ibp"]?.count == 4)
    #expect(growth["kaiming"]?.allSatisfy { $0 > 8 && $0 < 10.5 } == true, "\(growth)")
    #expect(growth["ibp"]?.allSatisfy { $0 > 0.85 && $0 < 1.15 } == true, "\(growth)")
  }

  /// SIREN (Sitzmann et al., NeurIPS 2020). After 150 steps at width 64: SIREN 49.0 dB, SIREN with Kaiming
  /// hidden init 22.2 dB, ReLU 15.4 dB.
  @Test("siren: the SIREN init fits far better than Kaiming hidden weights or a ReLU MLP")
  func siren() throws {
    let tasks = try Self.run(
      "examples/siren.yaml",
      ["--set", "params.width=64", "--set", "params.samples=512", "--set", "params.steps=150"])
    let siren = try Self.number(try #require(tasks["t0000/final"]).metrics, "psnr")
    let kaiming = try Self.number(try #require(tasks["t0001/final"]).metrics, "psnr")
    let relu = try Self.number(try #require(tasks["t0002/final"]).metrics, "psnr")
    #expect(siren > 40, "siren \(siren) dB")
    #expect(siren > kaiming + 15 && siren > relu + 15, "siren \(siren), kaiming \(kaiming), relu \(relu)")
  }

  /// WINNER (Chandravamsi et al. 2025). On the high-frequency target a plain SIREN is stuck at the zero-output
  /// level (16.7 dB after 100 steps at width 64) while WINNER's noise (s0_max 300) fits it (42.3 dB).
  @Test("winner: noise in the first layers breaks SIREN's spectral bottleneck")
  func winner() throws {
    let tasks = try Self.run(
      "examples/winner.yaml",
      ["--set", "params.width=64", "--set", "params.steps=100", "--trial", "t0000", "--trial", "t0003"])
    let plain = try Self.number(try #require(tasks["t0000/final"]).metrics, "psnr")
    let noisy = try Self.number(try #require(tasks["t0003/final"]).metrics, "psnr")
    #expect(plain < 22, "plain siren \(plain) dB")
    #expect(noisy > plain + 12, "winner \(noisy) dB vs siren \(plain) dB")
  }

  /// TrAct (Petersen et al., NeurIPS 2024). Random-contrast digits, 5 epochs, 2 seeds: SGD 86.2% vs TrAct 91.5%
  /// test accuracy.
  @Test("tract: TrAct learns faster than SGD on inputs of random contrast")
  func tract() throws {
    let tasks = try Self.run(
      "examples/tract.yaml", ["--set", "params.epochs=5", "--trial", "t0000", "--trial", "t0001"])
    var sgd = 0.0, tract = 0.0
    for trial in ["t0000", "t0001"] {
      sgd += try Self.number(try #require(tasks["\(trial)/sgd_test"]).metrics, "accuracy") / 2
      tract += try Self.number(try #require(tasks["\(trial)/tract_test"]).metrics, "accuracy") / 2
    }
    #expect(tract > sgd + 0.015, "tract \(tract) vs sgd \(sgd)")
  }

  /// A small CNN on the digits read as 1×8×8 images: every initializer learns the task, far above the 10% of chance.
  @Test("cnn-digits: a two-convolution CNN learns the digits")
  func cnnDigits() throws {
    let tasks = try Self.run(
      "examples/cnn-digits.yaml", ["--set", "params.epochs=2", "--set", "matrix.seed=[0]"])
    for trial in ["t0000", "t0001", "t0002"] {
      let accuracy = try Self.number(try #require(tasks["\(trial)/test"]).metrics, "accuracy")
      #expect(accuracy > 0.6, "\(trial): test accuracy \(accuracy)")
    }
  }

  /// A 2-block causal transformer on the induction task (repeated random prefixes of varying period): held-out
  /// accuracy on the repeated part, where only an induction circuit predicts the next token, far above the 1/24 of
  /// chance. Full run (6 epochs; release build, format-3 streams): 0.91 held-out.
  @Test("transformer-induction: a tiny transformer learns the induction task")
  func transformerInduction() throws {
    let tasks = try Self.run("examples/transformer-induction.yaml", [])
    let accuracy = try Self.number(try #require(tasks["t0000/test"]).metrics, "accuracy")
    #expect(accuracy > 0.5, "held-out accuracy on the repeated part \(accuracy) (chance 0.042)")
  }

  /// LoRA, PiSSA and EVA on a transformer's attention projections (Hu et al. 2022; Meng et al. 2024; Paischer et al.
  /// 2024), from an induction model to the copy task: every adapter lifts held-out accuracy far above the pretrained
  /// model's, and PiSSA and EVA, which start from the principal directions, end ahead of LoRA. Full run, seed 0
  /// (release build, format-3 streams): pretrained 0.12, LoRA 0.41, PiSSA 0.55, EVA 0.84, full 1.00 (on seed 1 EVA
  /// only matches LoRA, 0.55 each; examples/attention-adapters.yaml).
  @Test("attention-adapters: PiSSA and EVA on W_q/W_v get further than LoRA")
  func attentionAdapters() throws {
    let tasks = try Self.run("examples/attention-adapters.yaml", ["--set", "matrix.seed=[0]"])
    func accuracy(_ stage: String) throws -> Double {
      try Self.number(try #require(tasks["t0000/\(stage)"]).metrics, "accuracy")
    }
    let (pretrained, lora, pissa, eva) = (
      try accuracy("test_pretrained"), try accuracy("test_lora"), try accuracy("test_pissa"), try accuracy("test_eva")
    )
    #expect(lora > pretrained + 0.2, "LoRA \(lora), pretrained \(pretrained)")
    #expect(pissa > lora + 0.1 && eva > lora + 0.1, "LoRA \(lora), PiSSA \(pissa), EVA \(eva)")
  }

  /// FreSh (Kania et al., ICLR 2025). W1 between the untrained SIREN's spectrum and the target's: the
  /// checkerboard prefers ω₀ = 80 (5.2 vs 12.5 at 30), the smooth rings ω₀ = 10 (5.5 vs 9.3 at 30).
  @Test("fresh-spectrum: the spectrum match picks a high omega for texture and a low one for smooth rings")
  func freshSpectrum() throws {
    let tasks = try Self.run(
      "examples/fresh-spectrum.yaml", ["--set", "matrix.omega=[10, 30, 80]", "--set", "matrix.seed=[0]"])
    var best: [String: (omega: String, w1: Double)] = [:]
    for (_, task) in tasks {
      let target = task.values.contains("target=checker") ? "checker" : "rings"
      let omega = try #require(task.values.split(separator: " ").first { $0.hasPrefix("omega=") })
      let w1 = try Self.number(task.metrics, "spectrum_w1")
      if w1 < best[target]?.w1 ?? .infinity { best[target] = (String(omega), w1) }
    }
    #expect(best["checker"]?.omega == "omega=80", "\(best)")
    #expect(best["rings"]?.omega == "omega=10", "\(best)")
  }
}
