import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutSpec
import Testing

@testable import SproutRun

/// The catalogue against the machine: for every kind and every argument of the language, a tiny spec is planned
/// and run twice — once as a base, once with the argument changed — and the change must reach the task's outputs
/// (its metrics and tensors). An argument that must not change them (`checkpoint_every`, an evaluation batch size)
/// is checked to leave them bit-identical, and one that would have no effect in the combination probed is checked
/// to be a lint error. A catalogue argument without a probe here fails the test: adding an argument means showing it
/// reaches the numbers.
@Suite struct CatalogueConformanceTests {
  /// How an argument is probed.
  struct Probe: Sendable {
    /// The argument's value in the base spec (nil: not written, its catalogue default applies).
    var base: String?
    /// Its changed value.
    var value: String
    /// Other arguments written in both specs (YAML flow mapping entries), which the argument needs to matter.
    var with: String = ""
    /// Arguments of the base left out of both specs (`steps` when probing `epochs`).
    var without: [String] = []
    /// What the change must do.
    var expect: Expectation = .changesOutputs
    /// A variant of the kind's host spec, when the default one cannot show the effect.
    var host: String = ""

    enum Expectation: Sendable { case changesOutputs, keepsOutputs, isLintError(String) }

    init(
      _ value: String, base: String? = nil, with: String = "", without: [String] = [],
      expect: Expectation = .changesOutputs, host: String = ""
    ) {
      self.value = value
      self.base = base
      self.with = with
      self.without = without
      self.expect = expect
      self.host = host
    }
  }

  /// Values for required arguments, written in both specs unless the argument itself is probed.
  static let samples: [String: String] = [
    "layer/dense.units": "8", "layer/residual.layers": "[{dense: 8}]", "layer/dropout.rate": "0.1",
    "layer/fourier_features.features": "4", "layer/conv2d.filters": "4", "initializer/constant.value": "0.1", "initializer/low_rank.rank": "1",
    "initializer/winner.data": "signal", "initializer/lsuv.data": "teacher.train", "initializer/from_stage.stage": "pre",
    "optimizer/sgd.lr": "0.05", "schedule/step.step_size": "2", "schedule/linear_warmup.warmup": "3",
    "clip/norm.max_norm": "0.01", "clip/value.max": "0.001", "adapter/lora.rank": "2", "adapter/svfit.rank": "2",
    "dataset/teacher_student.inputs": "3", "dataset/teacher_student.samples": "48",
    "dataset/gaussian_blobs.samples": "48", "dataset/two_spirals.samples": "48", "dataset/sine.samples": "32",
    "dataset/sine.frequencies": "[2]", "dataset/npy.inputs": "x.npy", "dataset/npy.targets": "y.npy",
    "dataset/csv.path": "table.csv", "dataset/csv.target": "label", "dataset/idx.images": "images.idx",
    "dataset/idx.labels": "labels.idx",
    "dataset/sequential.inputs": "x8.npy", "dataset/sequential.targets": "y.npy", "dataset/sequential.image": "[2, 1, 4]",
    "layer/rnn.units": "4", "layer/gru.units": "4",
    "stage/train.model": "net", "stage/train.init": "he", "stage/train.data": "teacher.train", "stage/train.loss": "mse",
    "stage/train.optimizer": "{kind: sgd, lr: 0.05}", "stage/train.steps": "6",
    "stage/evaluate.from": "train", "stage/evaluate.data": "teacher.test", "stage/evaluate.record": "[loss]",
    "stage/measure.model": "net", "stage/measure.init": "he", "stage/measure.data": "teacher.test",
    "stage/measure.loss": "mse", "stage/measure.record": "[loss]",
    "stage/finetune.from": "pre", "stage/finetune.data": "teacher.train", "stage/finetune.loss": "mse",
    "stage/finetune.optimizer": "{kind: sgd, lr: 0.05}", "stage/finetune.steps": "6",
    "stage/merge.base": "pre", "stage/merge.from": "[a, b]",
    "stage/select.from": "test", "stage/select.metric": "loss",
    "stage/fit.from": "train", "stage/fit.metric": "loss", "stage/fit.form": "exp_saturation",
    "loss/ibp.eps": "0.05", "metric/verified_error.eps": "0.01",
    "layer/repeat.count": "2", "layer/repeat.layers": "[{dense: 8}, tanh]",
  ].merging(transformerSamples) { $1 }

  /// Every argument's probe, by `sort/kind.argument`.
  static let probes: [String: Probe] = {
    var p: [String: Probe] = [
      // Layers (between two dense layers of width 8).
      "layer/dense.units": Probe("6"), "layer/dense.bias": Probe("false"),
      "layer/residual.layers": Probe("[{dense: 8}, tanh]"),
      "layer/layernorm.eps": Probe("0.5"), "layer/layernorm.affine": Probe("false"),
      "layer/dropout.rate": Probe("0.5"),
      "layer/fourier_features.features": Probe("5"), "layer/fourier_features.sigma": Probe("2"),
      "layer/fourier_features.trainable": Probe("true"), "layer/fourier_features.include_input": Probe("true"),
      "layer/leaky_relu.slope": Probe("0.3"), "layer/elu.alpha": Probe("0.5"), "layer/gelu.approximate": Probe("tanh"),
      "layer/softplus.beta": Probe("2"), "layer/softplus.threshold": Probe("0.5"), "layer/sine.omega": Probe("3"),
      "layer/crrelu.epsilon": Probe("0.5"), "layer/crrelu.learnable": Probe("false"),
      "layer/rational.groups": Probe("4"), "layer/rational.degrees": Probe("[3, 2]"),
      "layer/rational.init": Probe("identity"),
      "layer/dice.form": Probe("official"), "layer/dice.alpha": Probe("0.5"), "layer/dice.eps": Probe("0.5"),
      "layer/dice.momentum": Probe("0.9"),
      // Image layers (on a [3, 4, 4] image, then flatten and a dense layer).
      "layer/conv2d.filters": Probe("2", host: "image"), "layer/conv2d.kernel": Probe("1", host: "image"),
      "layer/conv2d.stride": Probe("2", host: "image"), "layer/conv2d.padding": Probe("1", host: "image"),
      "layer/conv2d.bias": Probe("false", host: "image"),
      "layer/max_pool2d.size": Probe("3", host: "image"), "layer/max_pool2d.stride": Probe("1", host: "image"),
      "layer/avg_pool2d.size": Probe("3", host: "image"), "layer/avg_pool2d.stride": Probe("1", host: "image"),
      // Recurrent layers (on a [4, 3] sequence, then flatten and a dense layer).
      "layer/rnn.units": Probe("5", host: "sequence"), "layer/rnn.nonlinearity": Probe("relu", host: "sequence"),
      "layer/rnn.output": Probe("sequence", host: "sequence"),
      "layer/gru.units": Probe("5", host: "sequence"), "layer/gru.output": Probe("sequence", host: "sequence"),
      // Initializers (of a sine network with dense layers at positions 0, 2, 4, 6).
      "initializer/constant.value": Probe("0.2"), "initializer/uniform.a": Probe("-0.5"),
      "initializer/uniform.b": Probe("0.5"), "initializer/normal.mean": Probe("0.1"),
      "initializer/normal.std": Probe("0.5"), "initializer/truncated_normal.mean": Probe("0.1"),
      "initializer/truncated_normal.std": Probe("0.5"), "initializer/truncated_normal.a": Probe("-1"),
      "initializer/truncated_normal.b": Probe("1"), "initializer/xavier_uniform.gain": Probe("2"),
      "initializer/xavier_normal.gain": Probe("2"), "initializer/orthogonal.gain": Probe("2"),
      "initializer/identity.gain": Probe("2"), "initializer/sparse.sparsity": Probe("0.5"),
      "initializer/sparse.std": Probe("0.1"),
      "initializer/low_rank.rank": Probe("2", with: "layers: {last: zeros}"),
      "initializer/low_rank.base": Probe("xavier_normal"), "initializer/low_rank.match_norm": Probe("false"),
      "initializer/siren.omega": Probe("10"), "initializer/siren.c": Probe("3"),
      "initializer/winner.data": Probe("signal2"), "initializer/winner.s0_max": Probe("20"),
      "initializer/winner.a": Probe("2"), "initializer/winner.b": Probe("1"), "initializer/winner.omega": Probe("10"),
      "initializer/winner.c": Probe("3"),
      // Biases keep LSUV from reaching unit variance in one rescaling, so its iterations and the tolerance that
      // ends them matter (without biases one rescaling of this host's sine layers can land within both tolerances).
      "initializer/lsuv.data": Probe("teacher.test"),
      "initializer/lsuv.tolerance": Probe("0.5", with: "bias: {kind: normal, std: 1}"),
      "initializer/lsuv.max_iter": Probe("1", with: "bias: {kind: normal, std: 1}"), "initializer/lsuv.batch": Probe("4"),
      "initializer/lsuv.base": Probe("xavier_normal"),
      "initializer/from_stage.stage": Probe("pre2"), "initializer/from_stage.mapping": Probe("{4: 2}"),
      "initializer/from_stage.fallback": Probe("ones", base: "zeros", with: "mapping: {4: 5}"),
      // Optimizers, schedules, clipping.
      "initializer/kaiming_normal.mode": Probe("fan_out"), "initializer/kaiming_normal.nonlinearity": Probe("tanh"),
      "initializer/kaiming_normal.slope": Probe("0.3", with: "nonlinearity: leaky_relu"),
      "initializer/kaiming_uniform.mode": Probe("fan_out"), "initializer/kaiming_uniform.nonlinearity": Probe("tanh"),
      "initializer/kaiming_uniform.slope": Probe("0.3", with: "nonlinearity: leaky_relu"),
      "optimizer/sgd.lr": Probe("0.1"), "optimizer/sgd.momentum": Probe("0.5"),
      "optimizer/sgd.nesterov": Probe("true", with: "momentum: 0.5"), "optimizer/sgd.weight_decay": Probe("0.1"),
      "schedule/step.step_size": Probe("3"), "schedule/step.gamma": Probe("0.5"),
      "schedule/cosine.min_lr": Probe("0.01"), "schedule/cosine.warmup": Probe("3"),
      "schedule/linear_warmup.warmup": Probe("5"), "schedule/linear_warmup.start_factor": Probe("0.8"),
      "clip/norm.max_norm": Probe("0.005"), "clip/value.max": Probe("0.0005"),
      "loss/cross_entropy.label_smoothing": Probe("0.2"), "loss/bce_with_logits.pos_weight": Probe("3"),
      // Adapters (on dense layers 0 and 1 of a pre-trained tanh network).
      "adapter/lora.rank": Probe("3", with: "layers: [0, 1]"), "adapter/lora.alpha": Probe("8", with: "layers: [0, 1]"),
      "adapter/lora.init": Probe("pissa", with: "layers: [0, 1]"),
      "adapter/lora.data": Probe("teacher.test", base: "teacher.train", with: "init: eva, layers: [0, 1]"),
      // rho caps how many of the budget's components one layer may take (1: each layer keeps its rank). The
      // "narrow" host's first layer sees 32 isotropic inputs (flat spectrum: each direction explains ~1/32), its
      // second 2 (steep): with room, the budget of 2 goes to the second layer. (With 8 inputs the first layer's top
      // direction could outweigh the second layer's weaker one for some draws, and rho then changed nothing.)
      "adapter/lora.rho": Probe(
        "4", base: "1", with: "rank: 1, init: eva, data: wide.train, layers: [0, 1]", host: "narrow"),
      "adapter/lora.layers": Probe("[0]", base: "[0, 1]"),
      "adapter/svfit.rank": Probe("3", with: "layers: [0, 1]"), "adapter/svfit.layers": Probe("[0]", base: "[0, 1]"),
      // Metrics (recorded by a train stage).
      "metric/psnr.peak": Probe("2"), "metric/weight_norm.layers": Probe("[0]"),
      "metric/weight_change.layers": Probe("[0]"), "metric/weight_change.relative": Probe("false"),
      "metric/effective_rank.layers": Probe("[0]"), "metric/effective_rank.definition": Probe("participation_ratio"),
      "metric/stable_rank.layers": Probe("[0]"), "metric/kernel_alignment.layers": Probe("[0]"),
      "metric/kernel_alignment.samples": Probe("8"), "metric/activation_stats.stats": Probe("[std]"),
      "metric/activation_stats.layers": Probe("[0]"), "metric/activation_stats.samples": Probe("4"),
      "metric/interval_bounds.eps": Probe("0.1"), "metric/interval_bounds.layers": Probe("[0]"),
      "metric/interval_bounds.samples": Probe("4"), "metric/output_spectrum.bins": Probe("8"),
      // Datasets.
      "dataset/teacher_student.inputs": Probe("4"), "dataset/teacher_student.outputs": Probe("2"),
      "dataset/teacher_student.samples": Probe("40"), "dataset/teacher_student.hidden": Probe("4"),
      "dataset/teacher_student.depth": Probe("2"), "dataset/teacher_student.activation": Probe("relu"),
      "dataset/teacher_student.noise": Probe("0.5"), "dataset/teacher_student.task": Probe("classification"),
      "dataset/teacher_student.one_hot": Probe("true", with: "task: classification"),
      "dataset/gaussian_blobs.inputs": Probe("3"), "dataset/gaussian_blobs.classes": Probe("3"),
      "dataset/gaussian_blobs.samples": Probe("40"), "dataset/gaussian_blobs.std": Probe("2"),
      "dataset/gaussian_blobs.separation": Probe("1"), "dataset/gaussian_blobs.one_hot": Probe("true"),
      "dataset/two_spirals.samples": Probe("40"), "dataset/two_spirals.turns": Probe("2"),
      "dataset/two_spirals.noise": Probe("0.1"), "dataset/two_spirals.one_hot": Probe("true"),
      "dataset/sine.samples": Probe("40"), "dataset/sine.frequencies": Probe("[3]"),
      "dataset/sine.amplitudes": Probe("[2]"), "dataset/sine.phases": Probe("[1]"), "dataset/sine.noise": Probe("0.1"),
      "dataset/sine.one_hot": Probe("true", expect: .isLintError("spec.no-effect")),
      "dataset/image.pattern": Probe("rings", base: "checkerboard"),
      "dataset/image.file": Probe("other.pgm", base: "image.pgm", without: ["pattern"]),
      "dataset/image.size": Probe("12", base: "16", with: "pattern: checkerboard"),
      "dataset/image.period": Probe("2", with: "pattern: checkerboard, size: 16"),
      "dataset/image.one_hot": Probe("true", with: "pattern: checkerboard, size: 16", expect: .isLintError("spec.no-effect")),
      "dataset/npy.inputs": Probe("x2.npy"), "dataset/npy.targets": Probe("y2.npy"),
      "dataset/npy.one_hot": Probe("true"),
      "dataset/csv.path": Probe("table2.csv"), "dataset/csv.target": Probe("label2"),
      "dataset/csv.header": Probe("false", base: "true", with: "path: rows.csv, target: 4"),
      "dataset/csv.one_hot": Probe("true"),
      "dataset/idx.images": Probe("images2.idx"), "dataset/idx.labels": Probe("labels2.idx"),
      "dataset/idx.limit": Probe("20"), "dataset/idx.one_hot": Probe("true"),
      // Images [2, 1, 4] read row by row are the samples as they are; other shapes and orders move the features.
      "dataset/sequential.inputs": Probe("x82.npy"), "dataset/sequential.targets": Probe("y2.npy"),
      "dataset/sequential.image": Probe("[2, 4, 1]"), "dataset/sequential.by": Probe("pixel"),
      "dataset/sequential.permute": Probe("true", with: "by: pixel"), "dataset/sequential.one_hot": Probe("true"),
      // Stages.
      "stage/train.model": Probe("net2"), "stage/train.init": Probe("other"), "stage/train.data": Probe("teacher.test"),
      "stage/train.loss": Probe("{kind: bce_with_logits}"), "stage/train.optimizer": Probe("{kind: adam, lr: 0.01}"),
      "stage/train.epochs": Probe("2", base: "1", without: ["steps"]), "stage/train.steps": Probe("8"),
      "stage/train.batch": Probe("4"), "stage/train.checkpoint_every": Probe("2", expect: .keepsOutputs),
      "stage/train.shuffle": Probe("false"), "stage/train.record": Probe("[loss, weight_norm]"),
      "stage/train.every": Probe("2"), "stage/train.tensorboard": Probe("true", expect: .keepsOutputs),
      "stage/evaluate.from": Probe("train2"), "stage/evaluate.data": Probe("teacher.train"),
      "stage/evaluate.loss": Probe("{kind: bce_with_logits}"), "stage/evaluate.batch": Probe("8", expect: .keepsOutputs),
      "stage/evaluate.record": Probe("[loss, weight_norm]"),
      "stage/measure.model": Probe("net2"), "stage/measure.init": Probe("other"),
      "stage/measure.from": Probe("train2", base: "train", without: ["model", "init"]),
      "stage/measure.data": Probe("teacher.train"), "stage/measure.loss": Probe("{kind: bce_with_logits}"),
      "stage/measure.batch": Probe("8", expect: .keepsOutputs), "stage/measure.record": Probe("[loss, weight_norm]"),
      "stage/finetune.from": Probe("pre2"), "stage/finetune.data": Probe("teacher.test"),
      "stage/finetune.adapters": Probe("[{kind: lora, rank: 2, layers: [0]}]"),
      "stage/merge.base": Probe("pre2"), "stage/merge.from": Probe("[b, a]", base: "[a, b]", with: "weights: [1, 2]"),
      "stage/merge.weights": Probe("[0.5, 2]"), "stage/merge.scale": Probe("0.5"),
      "stage/select.from": Probe("test2"), "stage/select.metric": Probe("accuracy"),
      "stage/select.mode": Probe("max"),
      "stage/select.over": Probe("[lr, seed]"), "stage/select.per": Probe("[seed]"),
      "stage/select.aggregate": Probe("max"),
      "stage/fit.from": Probe("train2"), "stage/fit.metric": Probe("weight_norm/layers.0.weight"),
      "stage/fit.form": Probe("linear"), "stage/fit.start": Probe("{tau: 50}"), "stage/fit.lower": Probe("{tau: 100}"),
      "stage/fit.upper": Probe("{tau: 0.5}"), "stage/fit.first_step": Probe("2"), "stage/fit.last_step": Probe("4"),
      "stage/train.eval": Probe("{data: teacher.test, record: [loss]}"),
      // Certified training (a classifier on blobs).
      "loss/ibp.eps": Probe("0.2"), "loss/ibp.ramp_start": Probe("3"), "loss/ibp.ramp_length": Probe("4"),
      "loss/ibp.ramp_mid": Probe("0.5", with: "ramp_length: 6"),
      "loss/ibp.ramp_beta": Probe("2", with: "ramp_length: 6"),
      "loss/ibp.kappa_start": Probe("1", with: "ramp_length: 6"), "loss/ibp.kappa_end": Probe("0.5"),
      "loss/ibp.regularizers": Probe("[tightness, relu]", with: "ramp_length: 6"),
      "loss/ibp.reg_lambda": Probe("5", with: "ramp_length: 6, regularizers: [tightness, relu]"),
      "loss/ibp.tolerance": Probe("0.95", with: "ramp_length: 6, regularizers: [tightness, relu]"),
      "metric/verified_error.eps": Probe("1"), "metric/verified_error.samples": Probe("4"),
      "metric/dead_units.layers": Probe("[0]"), "metric/dead_units.samples": Probe("2"),
      "layer/repeat.count": Probe("3"), "layer/repeat.layers": Probe("[{dense: 8}, relu]"),
    ]
    // What every optimizer takes, and Adam's moments.
    for kind in ["sgd", "adam", "adamw"] {
      p["optimizer/\(kind).schedule"] = Probe("{kind: step, step_size: 2}")
      p["optimizer/\(kind).clip"] = Probe("{norm: 0.001}")
      p["optimizer/\(kind).tract"] = Probe("0.5")
    }
    for kind in ["adam", "adamw"] {
      p["optimizer/\(kind).lr"] = Probe("0.05")
      p["optimizer/\(kind).beta1"] = Probe("0.5")
      p["optimizer/\(kind).beta2"] = Probe("0.9")
      p["optimizer/\(kind).eps"] = Probe("0.1")
      p["optimizer/\(kind).weight_decay"] = Probe("0.5")
    }
    // The common dataset options, on every kind that has them.
    for kind in ["teacher_student", "gaussian_blobs", "two_spirals", "sine", "image", "npy", "csv", "idx", "sequential"] {
      let extra = kind == "image" ? "pattern: checkerboard, size: 16" : ""
      p["dataset/\(kind).split"] = Probe("{a: 0.7, b: 0.3}", base: "{a: 0.5, b: 0.5}", with: extra)
      p["dataset/\(kind).standardize"] = Probe("true", with: extra)
    }
    // finetune trains like train.
    for arg in [
      "loss", "optimizer", "epochs", "steps", "batch", "checkpoint_every", "shuffle", "record", "every", "eval",
      "tensorboard",
    ] {
      p["stage/finetune.\(arg)"] = p["stage/train.\(arg)"]
    }
    p.merge(transformerProbes) { $1 }
    return p
  }()

  /// Every `sort/kind.argument` of the catalogue.
  static let arguments: [String] = Catalogue.all.flatMap { k in k.arguments.map { "\(k.sort.rawValue)/\(k.name).\($0.name)" } }

  @Test func everyArgumentHasAProbe() {
    let missing = Self.arguments.filter { Self.probes[$0] == nil }
    #expect(missing.isEmpty, "catalogue arguments without a probe (show that each reaches the numbers): \(missing)")
    let stale = Set(Self.probes.keys).subtracting(Self.arguments)
    #expect(stale.isEmpty, "probes of arguments the catalogue does not have: \(stale.sorted())")
  }

  @Test(arguments: arguments) func argumentReachesTheOutputs(_ key: String) throws {
    guard let probe = Self.probes[key] else { return }  // reported by everyArgumentHasAProbe
    let (sortName, rest) = (String(key.split(separator: "/")[0]), String(key.split(separator: "/")[1]))
    let (kind, argument) = (String(rest.split(separator: ".")[0]), String(rest.split(separator: ".")[1]))
    let sort = try #require(Sort(rawValue: sortName))
    let spec = try #require(Catalogue.kind(sort, kind))
    let workspace = try Workspace()

    func instance(_ value: String?) -> [(String, String)] {
      var args: [(String, String)] = []
      // Every argument with a sample is written, but the one probed, those the probe leaves out and those its
      // `with` sets.
      for a in spec.arguments where a.name != argument && !probe.without.contains(a.name)
        && !probe.with.contains("\(a.name): ")
      {
        if let s = Self.samples["\(sortName)/\(kind).\(a.name)"] { args.append((a.name, s)) }
      }
      if !probe.with.isEmpty { args.append(("", probe.with)) }
      if let value { args.append((argument, value)) }
      return args
    }
    // An argument with a sample has it as its base value.
    let baseValue = probe.base ?? Self.samples[key]
    let base = Self.host(sort: sort, kind: kind, args: instance(baseValue), variant: probe.host)
    let changed = Self.host(sort: sort, kind: kind, args: instance(probe.value), variant: probe.host)

    if case .isLintError(let id) = probe.expect {
      var d = Diagnostics()
      _ = Planner.plan(text: changed, file: workspace.spec, options: PlanOptions(checkOnly: true), store: nil, diagnostics: &d)
      #expect(d.all.contains { $0.id.rawValue == id }, "\(key): expected \(id), got \(d.all.map(\.message))")
      return
    }
    let a = try Self.outputs(base, workspace: workspace, label: "\(key) base")
    let b = try Self.outputs(changed, workspace: workspace, label: "\(key) changed")
    switch probe.expect {
    case .changesOutputs: #expect(a != b, "\(key): changing it left every output the same — it is not wired through")
    case .keepsOutputs: #expect(a == b, "\(key): it must not change the outputs")
    case .isLintError: break
    }
  }

  // MARK: - Specs

  /// A temporary directory with the data files the file-based datasets read.
  struct Workspace {
    let directory: String
    var spec: String { "\(directory)/probe.yaml" }

    init() throws {
      directory = NSTemporaryDirectory() + "sprout-conformance-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
      }
      // 40 rows of 3 features and a class label in 0..<3, twice with different values.
      for (suffix, shift) in [("", 0), ("2", 1)] {
        let x = (0..<120).map { Float(($0 * 7 + shift) % 11) / 5 - 1 }
        let y = (0..<40).map { Int64(($0 + shift) % 3) }
        try write("x\(suffix).npy", Self.npy(descr: "<f4", shape: [40, 3], data: x.flatMap(Self.bytes)))
        try write("y\(suffix).npy", Self.npy(descr: "<i8", shape: [40], data: y.flatMap(Self.bytes)))
        // Two label columns (the one not used as the target is a fourth feature).
        let rows = (0..<40).map { r in
          (0..<3).map { String(x[r * 3 + $0]) }.joined(separator: ",") + ",\(y[r]),\((y[r] + 1) % 3)"
        }
        try Data((["a,b,c,label,label2"] + rows).joined(separator: "\n").utf8).write(
          to: URL(fileURLWithPath: "\(directory)/table\(suffix).csv"))
        if suffix.isEmpty {
          try Data(rows.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(directory)/rows.csv"))
        }
        // 40 rows of 8 features (images [2, 1, 4] for the sequential dataset).
        let x8 = (0..<320).map { Float(($0 * 5 + shift) % 13) / 6 - 1 }
        try write("x8\(suffix).npy", Self.npy(descr: "<f4", shape: [40, 8], data: x8.flatMap(Self.bytes)))
        // IDX: 40 images of 2×2 unsigned bytes and their labels.
        let pixels = (0..<160).map { UInt8(($0 * 13 + shift * 5) % 256) }
        try write("images\(suffix).idx", [0, 0, 0x08, 3] + Self.be(40) + Self.be(2) + Self.be(2) + pixels)
        try write("labels\(suffix).idx", [0, 0, 0x08, 1] + Self.be(40) + y.map { UInt8($0) })
        // A 6×5 grey image.
        let grey = (0..<30).map { UInt8(($0 * 37 + shift * 90) % 256) }
        try write(suffix.isEmpty ? "image.pgm" : "other.pgm", Array("P5\n6 5\n255\n".utf8) + grey)
      }
    }

    static func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
    static func be(_ v: UInt32) -> [UInt8] { bytes(v.bigEndian) }

    static func npy(descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
      let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
      var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
      while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
      header += "\n"
      let n = UInt16(header.utf8.count)
      return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + data
    }
  }

  /// `{kind: K, a: v, ...}` from argument pairs (a pair with an empty name is spliced in as written).
  static func flow(_ kind: String, _ args: [(String, String)]) -> String {
    "{" + (["kind: \(kind)"] + args.map { $0.0.isEmpty ? $0.1 : "\($0.0): \($0.1)" }).joined(separator: ", ") + "}"
  }

  static let datasets = """
      teacher: {kind: teacher_student, inputs: 3, samples: 48, split: {train: 0.5, test: 0.5}}
      pixels: {kind: teacher_student, inputs: 48, samples: 48, split: {train: 0.5, test: 0.5}}
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 3, samples: 48, split: {train: 0.5, test: 0.5}}
      signal: {kind: sine, samples: 32, frequencies: [2, 5]}
      signal2: {kind: sine, samples: 32, frequencies: [3, 7]}
    """

  static let models = """
      net: {input: 3, layers: [{dense: 8}, tanh, {dense: 8}, tanh, {dense: 1}]}
      net2: {input: 3, layers: [{dense: 6}, tanh, {dense: 1}]}
      classifier: {input: 3, layers: [{dense: 8}, relu, {dense: 3}]}
      deep: {input: 3, layers: [{dense: 8}, relu, {dense: 8}, relu, {dense: 3}]}
      sinet: {input: 3, layers: [{dense: 8}, sine, {dense: 8}, sine, {dense: 8}, sine, {dense: 1}]}
      sig: {input: 1, layers: [{dense: 8}, sine, {dense: 8}, sine, {dense: 1}]}
    """

  static func spec(datasets more: String = "", models extra: String = "", initializers: String = "", stages: String)
    -> String
  {
    """
    sprout: 1
    name: probe
    seed: 3
    datasets:
    \(datasets)
    \(more)
    models:
    \(models)
    \(extra)
    initializers:
      he: {kind: kaiming_normal}
      other: {kind: xavier_normal}
    \(initializers)
    stages:
    \(stages)
    """
  }

  /// A train stage (indented for `stages:`).
  static func train(
    _ name: String = "train", model: String = "net", init rule: String = "he", data: String = "teacher.train",
    loss: String = "mse", optimizer: String = "{kind: adam, lr: 0.01}", steps: Int = 6,
    record: String = "[loss, weight_norm]"
  ) -> String {
    """
      \(name): {kind: train, model: \(model), init: \(rule), data: \(data), loss: \(loss), optimizer: \(optimizer), \
    steps: \(steps), batch: 8, record: \(record)}
    """
  }

  /// The whole spec hosting one kind with `args`.
  static func host(sort: Sort, kind: String, args: [(String, String)], variant: String) -> String {
    let instance = flow(kind, args)
    switch sort {
    case .layer where variant == "tokens":
      return tokenLayerHost(kind: kind, instance: instance)
    case .layer where variant == "image":
      return spec(
        models: "  m: {input: {image: [3, 4, 4]}, layers: [\(instance), relu, flatten, {dense: 1}]}",
        stages: train(model: "m", data: "pixels.train"))
    case .layer where variant == "sequence":
      return spec(
        datasets: "  seq: {kind: teacher_student, inputs: 12, samples: 48}",
        models: "  m: {input: {sequence: [4, 3]}, layers: [\(instance), flatten, {dense: 1}]}",
        stages: train(model: "m", data: "seq"))
    case .layer:
      return spec(models: "  m: {input: 3, layers: [{dense: 8}, \(instance), {dense: 1}]}", stages: train(model: "m"))
    case .initializer:
      let model = ["winner"].contains(kind) ? "sig" : "sinet"
      let data = model == "sig" ? "signal" : "teacher.train"
      return spec(
        initializers: "  i: \(instance)",
        stages: train("pre", model: model, data: data) + "\n" + train("pre2", model: model, init: "other", data: data)
          + "\n" + train(model: model, init: "i", data: data))
    case .optimizer:
      return spec(stages: train(optimizer: instance))
    case .schedule:
      return spec(stages: train(optimizer: "{kind: sgd, lr: 0.05, schedule: \(instance)}", steps: 8))
    case .clip:
      return spec(stages: train(optimizer: "{kind: sgd, lr: 0.05, clip: \(instance)}"))
    case .loss:
      switch kind {
      case "cross_entropy", "ibp": return spec(stages: train(model: "classifier", data: "blobs.train", loss: instance))
      case "bce_with_logits":
        return spec(
          datasets: "  binary: {kind: teacher_student, inputs: 3, samples: 48, task: classification}",
          stages: train(data: "binary", loss: instance))
      default: return spec(stages: train(loss: instance))
      }
    case .adapter where variant == "tokens":
      return tokenAdapterHost(instance: instance)
    case .adapter where variant == "narrow":
      return spec(
        datasets: "  wide: {kind: teacher_student, inputs: 32, samples: 48, split: {train: 0.5, test: 0.5}}",
        models: "  narrow: {input: 32, layers: [{dense: 2}, tanh, {dense: 8}, tanh, {dense: 1}]}",
        stages: train("pre", model: "narrow", data: "wide.train") + "\n"
          + """
            adapt: {kind: finetune, from: pre, data: wide.train, adapters: [\(instance)], loss: mse, \
          optimizer: {kind: adam, lr: 0.01}, steps: 4, batch: 8, record: [loss, weight_norm]}
          """)
    case .adapter:
      return spec(
        stages: train("pre") + "\n"
          + """
            adapt: {kind: finetune, from: pre, data: teacher.train, adapters: [\(instance)], loss: mse, \
          optimizer: {kind: adam, lr: 0.01}, steps: 4, batch: 8, record: [loss, weight_norm]}
          """)
    case .metric:
      if kind == "verified_error" || kind == "dead_units" {
        return spec(stages: train(model: "deep", data: "blobs.train", loss: "cross_entropy", record: "[\(instance)]"))
      }
      if kind == "attention_entropy" { return tokenMetricHost(instance: instance) }
      if kind == "output_spectrum" {
        return spec(stages: train(model: "sig", data: "signal", record: "[\(instance)]"))
      }
      return spec(stages: train(record: "[\(instance)]"))
    case .dataset:
      return datasetHost(kind: kind, args: args, instance: instance)
    case .stage:
      return stageHost(kind: kind, instance: instance)
    }
  }

  /// A dataset `d` with a model that fits it: its input width and output from the kind's arguments.
  static func datasetHost(kind: String, args: [(String, String)], instance: String) -> String {
    func arg(_ name: String) -> String? { args.last { $0.0 == name }?.1 ?? args.first { $0.0.isEmpty && $0.1.contains("\(name): ") }
      .flatMap { entry in entry.1.components(separatedBy: ", ").first { $0.hasPrefix("\(name): ") }?.dropFirst(name.count + 2) }
      .map(String.init) }
    if kind == "copy" || kind == "induction" { return tokenDatasetHost(instance: instance, split: arg("split") != nil) }
    let oneHot = arg("one_hot") == "true"
    var input = 2, classes: Int?, width = 1
    switch kind {
    case "teacher_student":
      input = Int(arg("inputs") ?? "3") ?? 3
      width = Int(arg("outputs") ?? "1") ?? 1
      if arg("task") == "classification" { classes = max(width, 2) }
    case "gaussian_blobs":
      input = Int(arg("inputs") ?? "2") ?? 2
      classes = Int(arg("classes") ?? "2") ?? 2
    case "two_spirals": classes = 2
    case "sine": input = 1
    case "image": input = 2
    case "npy": input = 3; classes = 3
    case "csv": input = 4; classes = 3
    case "sequential": input = 8; classes = 3
    default: input = 4; classes = 3  // idx: 2×2 images
    }
    let split = arg("split").flatMap { $0.contains("a:") ? "d.a" : nil } ?? "d"
    let (out, loss): (Int, String) =
      if let classes { oneHot ? (classes, "mse") : (classes, "cross_entropy") } else { (width, "mse") }
    return spec(
      datasets: "  d: \(instance)", models: "  dm: {input: \(input), layers: [{dense: 8}, tanh, {dense: \(out)}]}",
      stages: train(model: "dm", data: split, loss: loss, record: "[loss]"))
  }

  /// The stage kind `kind` as stage `s`, with the stages it reads.
  static func stageHost(kind: String, instance: String) -> String {
    switch kind {
    case "train":
      return spec(stages: "  s: \(instance)")
    case "evaluate", "measure", "fit":
      return spec(stages: train() + "\n" + train("train2", init: "other") + "\n  s: \(instance)")
    case "finetune":
      return spec(stages: train("pre") + "\n" + train("pre2", init: "other") + "\n  s: \(instance)")
    case "merge":
      return spec(
        stages: train("pre") + "\n" + train("pre2", init: "other") + "\n"
          + train("a", optimizer: "{kind: sgd, lr: 0.05}") + "\n" + train("b", optimizer: "{kind: sgd, lr: 0.1}")
          + "\n  s: \(instance)")
    default:  // select, over a matrix of two learning rates
      return """
        sprout: 1
        name: probe
        seed: 3
        matrix:
          lr: [0.01, 0.05]
          seed: [0, 1]
        datasets:
        \(datasets)
        models:
        \(models)
        initializers:
          he: {kind: kaiming_normal}
        stages:
        \(train(optimizer: "{kind: sgd, lr: \"${matrix.lr}\"}"))
          test: {kind: evaluate, from: train, data: teacher.test, record: [loss, accuracy]}
          test2: {kind: evaluate, from: train, data: teacher.train, record: [loss]}
          s: \(instance)
        """
    }
  }

  /// Plans and runs `text` in `workspace`; returns every task's output hashes by task key.
  static func outputs(_ text: String, workspace: Workspace, label: String) throws -> [String: [String: String]] {
    try Data(text.utf8).write(to: URL(fileURLWithPath: workspace.spec))
    var d = Diagnostics()
    let plan = try #require(
      Planner.plan(text: text, file: workspace.spec, options: PlanOptions(), store: nil, diagnostics: &d),
      "\(label) does not plan:\n\(text)\n\(d.all.map { "\($0.range.start) [\($0.id)] \($0.message)" })")
    let store = Store(root: "\(workspace.directory)/store-\(UUID().uuidString)")
    let summary = try Executor(store: store).run(plan: plan, specText: text)
    #expect(summary.succeeded, "\(label) fails: \(summary.results.compactMap(\.error).map(\.description))")
    var out: [String: [String: String]] = [:]
    for task in plan.tasks { out[task.key.description] = try store.outputs(task.hash)?.outputHashes ?? [:] }
    return out
  }
}
