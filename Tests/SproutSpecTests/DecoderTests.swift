import SproutDiagnostics
import SproutSpec
import SproutSyntax
import Testing

func decode(_ text: String) -> (Spec?, [Diagnostic]) {
  var d = Diagnostics()
  let spec = SpecDecoder.decode(text: text, file: "t.yaml", diagnostics: &d)
  return (spec, d.sorted)
}

@Suite struct DecoderTests {
  @Test func camelCaseKeyGetsAFixIt() throws {
    let (_, diags) = decode(
      """
      sprout: 1
      stages:
        t: {kind: select, from: t, metric: loss, Mode: max}
      """)
    let d = try #require(diags.first { $0.id == "spec.snake-case" })
    #expect(d.path == "stages.t.Mode")
    #expect(d.fixIts == [FixIt("rename to 'mode'", range: d.range, replacement: "mode")])
    #expect(d.range.start == SourceLocation(line: 3, column: 44, offset: d.range.start.offset))
  }

  @Test func unknownKindSuggestsNearest() throws {
    let (_, diags) = decode(
      """
      sprout: 1
      initializers:
        he: {kind: kaiming_norml}
      """)
    let d = try #require(diags.first { $0.id == "spec.unknown-kind" })
    #expect(d.message == "unknown initializer 'kaiming_norml'")
    #expect(d.help == "did you mean 'kaiming_normal'?")
    #expect(d.path == "initializers.he.kind")
    #expect((d.range.start.line, d.range.start.column, d.range.end.column) == (3, 14, 27))
  }

  @Test func wrongTypeMessage() throws {
    let (_, diags) = decode(
      """
      sprout: 1
      models:
        net: {input: 2, layers: [{dense: abc}]}
      """)
    let d = try #require(diags.first { $0.id == "spec.wrong-type" })
    #expect(d.message == "expected an integer, found the string 'abc'")
    #expect(d.path == "models.net.layers[0].dense.units")
  }

  @Test func wrongSortMessage() throws {
    let (_, diags) = decode(
      """
      sprout: 1
      datasets:
        d: {kind: two_spirals, samples: 8}
      stages:
        train: {kind: evaluate, from: train, data: train}
      """)
    let d = try #require(diags.first { $0.id == "spec.wrong-sort" })
    #expect(d.message == "'train' is a stage, but a dataset is needed here")
    #expect(d.path == "stages.train.data")
  }

  @Test func expressionRangeInsideQuotedScalar() throws {
    let (_, diags) = decode(
      """
      sprout: 1
      params: {width: 8}
      models:
        net: {input: 2, layers: [{dense: "${params.width + params.wdth}"}]}
      """)
    let d = try #require(diags.first { $0.id == "spec.expression-undefined" })
    // The scalar's quote is at column 36; `params.wdth` starts 17 characters after the content start.
    #expect(d.range.start.column == 37 + 17)
    #expect(d.range.end.column == 37 + 28)
    #expect(d.help == "did you mean 'params.width'?")
  }

  @Test func decodesTheDesignExample() throws {
    let (spec, diags) = decode(
      """
      sprout: 1
      seed: 3
      params: {width: 16}
      matrix:
        init: [he, low]
        seed: [0, 1]
      datasets:
        t: {kind: teacher_student, inputs: 4, samples: 64, split: {train: 0.75, test: 0.25}}
      models:
        net:
          input: 4
          layers:
            - dense: ${params.width}
            - sine: {omega: 30}
            - residual:
                - dense: 16
                - tanh
            - dense: {units: 1, bias: false}
      initializers:
        he: {kind: kaiming_normal, layers: {last: {kind: zeros}}}
        low: {kind: low_rank, rank: 2, bias: {constant: 0.1}}
      stages:
        train:
          kind: train
          model: net
          init: ${matrix.init}
          data: t.train
          loss: mse
          optimizer: {kind: adam, lr: 0.01, schedule: {cosine: {warmup: 10}}, clip: {norm: 1}, tract: 0.1}
          steps: 100
          record: [loss, {effective_rank: {layers: [0, 2]}}]
      """)
    #expect(diags.isEmpty, "\(diags.map(\.message))")
    let s = try #require(spec)
    #expect(s.seed == 3)
    #expect(s.matrix?.axisNames == ["init", "seed"])
    #expect(s.matrix?.root.count == 4)
    let net = try #require(s.model("net"))
    #expect(net.layers.map(\.kind) == ["dense", "sine", "residual", "dense"])
    #expect(net.layers[1]["omega"] == .float(30))
    let body = try #require(net.layers[2]["layers"]?.listValue)
    #expect(body.compactMap(\.instanceValue).map(\.kind) == ["dense", "tanh"])
    #expect(net.layers[3]["bias"] == .bool(false))
    let he = try #require(s.initializer("he"))
    #expect(he.rule(forLayer: 2, of: 3).kind == "zeros")
    #expect(he.rule(forLayer: 0, of: 3).kind == "kaiming_normal")
    #expect(he.rule["nonlinearity"] == .string("relu"))
    #expect(s.initializer("low")?.bias["value"] == .float(0.1))
    let train = try #require(s.stage("train"))
    #expect(train.data == DataReference(dataset: "t", split: "train"))
    let opt = try #require(train.optimizer)
    #expect(opt["schedule"]?.instanceValue?.kind == "cosine")
    #expect(opt["tract"] == .map([.init("lambda", .float(0.1))]))
    #expect(train.record.map(\.kind) == ["loss", "effective_rank"])
    #expect(s.candidateNames(for: train.arguments["init"]!) == ["he", "low"])
    #expect(s.dataset("t")?.splits.map(\.name) == ["train", "test"])

    // Per-trial resolution replaces every expression.
    var d = Diagnostics()
    let env = s.environment(matrix: ["init": .string("low"), "seed": .int(1)], index: 3, seed: 1, id: "t3")
    let r = try #require(s.resolved(in: env, diagnostics: &d))
    #expect(d.isEmpty)
    #expect(r.stage("train")?.initializer == "low")
    #expect(r.model("net")?.layers[0]["units"] == .int(16))
  }

  @Test func resolutionRechecksRanges() throws {
    let (spec, diags) = decode(
      """
      sprout: 1
      params: {width: 16}
      datasets:
        d: {kind: two_spirals, samples: 8}
      models:
        net: {input: 2, layers: [{dense: "${params.width - 16}"}]}
      """)
    #expect(diags.contains { $0.id == "spec.expression-type" })
    #expect(spec?.model("net") == nil)
    var s = try #require(spec)
    // Values from --set are re-checked by the planner's resolution.
    let (spec2, diags2) = decode(
      """
      sprout: 1
      params: {width: 16}
      models:
        net: {input: 2, layers: [{dense: "${params.width}"}]}
      stages:
        m: {kind: measure, model: net, init: z, record: [weight_norm]}
      initializers:
        z: {kind: zeros}
      """)
    #expect(!diags2.contains { $0.severity == .error })
    s = try #require(spec2)
    var d = Diagnostics()
    #expect(s.setParam("width", text: "-3", diagnostics: &d))
    #expect(s.resolved(in: s.environment(matrix: [:], index: 0, seed: 0, id: "t0"), diagnostics: &d) == nil)
    #expect(d.all.first?.id == "spec.expression-type")
    #expect(d.all.first?.range.start.line == 4)
    #expect(!s.setParam("widht", text: "3", diagnostics: &d))
  }

  /// Re-checking a resolved instance against the one decoded checks only the arguments that held an expression (the
  /// others are what the decoder checked), nested definitions included.
  @Test func catalogueRecheckOfAResolvedInstanceChecksWhatHeldAnExpression() throws {
    let decoded = decode(
      """
      sprout: 1
      params: {lr: 0.1}
      datasets:
        d: {kind: teacher_student, inputs: 2, outputs: 1, samples: 8}
      models:
        m: {input: 2, layers: [{dense: 1}]}
      initializers:
        i: {kind: kaiming_normal}
      stages:
        s: {kind: train, model: m, init: i, data: d, steps: 1, loss: mse, optimizer: {kind: sgd, lr: "${params.lr}"}}
      """)
    let (spec, diagnostics) = decoded
    #expect(diagnostics.isEmpty)
    let written = try #require(spec?.stages.first?.definition)
    func resolved(lr: Value, steps: Value) throws -> Instance {
      var stage = written
      var optimizer = try #require(stage["optimizer"]?.instanceValue)
      var arg = try #require(optimizer.arguments.argument("lr"))
      arg.value = lr
      optimizer.arguments.set(arg)
      var opt = try #require(stage.arguments.argument("optimizer"))
      opt.value = .instance(optimizer)
      stage.arguments.set(opt)
      var s = try #require(stage.arguments.argument("steps"))
      s.value = steps
      stage.arguments.set(s)
      return stage
    }
    var d = Diagnostics()
    #expect(Catalogue.check(try resolved(lr: .float(0.1), steps: .int(1)), resolvedFrom: written, path: "stages.s",
      diagnostics: &d))
    #expect(d.all.isEmpty)
    #expect(!Catalogue.check(try resolved(lr: .float(-1), steps: .int(1)), resolvedFrom: written, path: "stages.s",
      diagnostics: &d))
    #expect(d.all.map(\.path) == ["stages.s.optimizer.lr"])
    #expect(d.all.first?.id == "spec.out-of-range")
    // `steps` held no expression: it is the decoder's value, not checked again (the full check would report it).
    var skipped = Diagnostics()
    #expect(Catalogue.check(try resolved(lr: .float(0.1), steps: .int(0)), resolvedFrom: written, path: "stages.s",
      diagnostics: &skipped))
    var full = Diagnostics()
    #expect(!Catalogue.check(try resolved(lr: .float(0.1), steps: .int(0)), path: "stages.s", diagnostics: &full))
    #expect(full.all.map(\.path) == ["stages.s.steps"])
  }

  @Test func catalogueCheckReportsAtValueRange() throws {
    let (spec, _) = decode(
      """
      sprout: 1
      initializers:
        lr: {kind: low_rank, rank: 4}
      """)
    var inst = try #require(spec?.initializer("lr")?.rule)
    var arg = try #require(inst.arguments.argument("rank"))
    arg.value = .int(0)
    inst.arguments.set(arg)
    var d = Diagnostics()
    #expect(!Catalogue.check(inst, path: "initializers.lr", diagnostics: &d))
    #expect(d.all.first?.id == "spec.out-of-range")
    #expect(d.all.first?.range == arg.range)
    #expect(d.all.first?.message == "rank must be ≥ 1, found 0")
  }
}

@Suite struct SelectorTests {
  @Test func selectorsResolve() {
    #expect(LayerSelector.indices(selectedBy: .string("all"), count: 3) == [0, 1, 2])
    #expect(LayerSelector.indices(selectedBy: .string("last"), count: 3) == [2])
    #expect(LayerSelector.indices(selectedBy: .int(-2), count: 3) == [1])
    #expect(LayerSelector.indices(selectedBy: .list([.int(0), .int(5)]), count: 3) == [0])
    #expect(LayerSelector.indices(selectedBy: .string("middle"), count: 3) == nil)
    #expect(LayerSelector.first.resolve(count: 0) == [])
  }
}

@Suite struct ScalarTests {
  @Test func yaml12CoreSchema() throws {
    let (spec, diags) = decode(
      """
      sprout: 1
      params: {a: 0x10, b: +5, c: .5, d: 1e3, e: yes, f: ~, g: -1.5e3, h: "3", i: True, j: 0o17, k: -0, l: 1_000, m: x.y}
      """)
    #expect(diags.allSatisfy { $0.id == "spec.unused-param" })
    let p = try #require(spec).paramValues
    #expect(p["a"] == .int(16))
    #expect(p["b"] == .int(5))
    #expect(p["c"] == .float(0.5))
    #expect(p["d"] == .float(1000))
    #expect(p["e"] == .string("yes"))
    #expect(p["f"] == .null)
    #expect(p["g"] == .float(-1500))
    #expect(p["h"] == .string("3"))
    #expect(p["i"] == .bool(true))
    #expect(p["j"] == .int(15))
    #expect(p["k"] == .int(0))
    #expect(p["l"] == .string("1_000"))
    #expect(p["m"] == .string("x.y"))
  }

  @Test func names() {
    let cases: [(String, Bool)] = [
      ("net", true), ("_x", true), ("a-b_2", true), ("1x", false), ("a.b", false), ("réseau", true), ("a b", false),
      ("", false),
    ]
    for (name, ok) in cases {
      let (_, diags) = decode("sprout: 1\nparams:\n  \"\(name)\": 1\n")
      #expect(diags.contains { $0.id == "spec.invalid-name" } == !ok, "\(name)")
    }
  }
}
