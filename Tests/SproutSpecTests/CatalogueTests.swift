import SproutDiagnostics
import SproutSpec
import Testing

func indent(_ text: String, _ n: Int) -> String {
  let pad = String(repeating: " ", count: n)
  return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
}

/// A minimal spec around a kind's documentation example, so the example is decoded where it would stand.
func wrap(_ kind: KindSpec) -> String {
  let head = "sprout: 1\nmatrix:\n  init: [i]\n"
  let train = "stages:\n  s:\n    kind: train\n    model: m\n    init: i\n    data: d\n    steps: 1\n"
  switch kind.sort {
  case .dataset: return head + "datasets:\n" + indent(kind.example, 2)
  case .initializer: return head + "initializers:\n" + indent(kind.example, 2)
  case .stage: return head + "stages:\n" + indent(kind.example, 2)
  case .layer: return head + "models:\n  m:\n    input: 2\n    layers:\n" + indent(kind.example, 6)
  case .metric: return head + "stages:\n  s:\n    kind: measure\n    model: m\n    init: i\n" + indent(kind.example, 4)
  case .optimizer: return head + train + "    loss: mse\n" + indent(kind.example, 4)
  case .loss: return head + train + "    optimizer: {kind: adam}\n" + indent(kind.example, 4)
  case .schedule, .clip:
    return head + train + "    loss: mse\n    optimizer:\n      kind: sgd\n      lr: 0.1\n" + indent(kind.example, 6)
  case .adapter:
    return head
      + "stages:\n  s:\n    kind: finetune\n    from: t\n    data: d\n    loss: mse\n    optimizer: {kind: adam}\n"
      + "    steps: 1\n" + indent(kind.example, 4)
  }
}

@Suite struct CatalogueTests {
  @Test func everyKindIsFoundUnderItsSort() {
    #expect(Sort.allCases.sorted() == Sort.allCases)
    for k in Catalogue.all { #expect(Catalogue.kind(k.sort, k.name) == k, "\(k.sort) \(k.name)") }
    for sort in Sort.allCases { #expect(Catalogue.kind(sort, "no_such_kind") == nil) }
  }

  @Test func kindsAreUniqueAndDocumented() {
    var seen: Set<String> = []
    for k in Catalogue.all {
      #expect(seen.insert("\(k.sort).\(k.name)").inserted, "duplicate kind \(k.name)")
      #expect(!k.doc.isEmpty && !k.example.isEmpty, "\(k.name) needs a doc and an example")
      #expect(k.name == Suggestions.snakeCase(k.name), "\(k.name) is not snake_case")
      if let m = k.mainArgument { #expect(k.argument(m) != nil, "\(k.name): main argument \(m) is not an argument") }
      var names: Set<String> = []
      for a in k.arguments {
        #expect(names.insert(a.name).inserted, "\(k.name).\(a.name) duplicated")
        #expect(!a.doc.isEmpty, "\(k.name).\(a.name) needs a doc")
        #expect(!(a.required && a.defaultValue != nil), "\(k.name).\(a.name) is required and has a default")
        if let d = a.decodedDefault(at: .wholeFile("t")) {
          #expect((try? Catalogue.conform(d, to: a.type, bounds: a).get()) != nil, "\(k.name).\(a.name) default \(d)")
        }
      }
    }
  }

  @Test func theIssuesCatalogueIsCovered() {
    let wanted: [Sort: [String]] = [
      .dataset: ["teacher_student", "gaussian_blobs", "two_spirals", "sine", "image", "npy", "csv", "idx"],
      .layer: [
        "dense", "residual", "layernorm", "dropout", "fourier_features", "identity", "relu", "leaky_relu", "elu",
        "selu", "gelu", "silu", "tanh", "sigmoid", "softplus", "sine", "crrelu", "rational", "dice",
      ],
      .initializer: [
        "zeros", "ones", "constant", "uniform", "normal", "truncated_normal", "xavier_uniform", "xavier_normal",
        "kaiming_uniform", "kaiming_normal", "lecun_uniform", "lecun_normal", "orthogonal", "identity", "sparse",
        "low_rank", "siren", "siren_first", "winner", "lsuv", "ibp", "from_stage",
      ],
      .optimizer: ["sgd", "adam", "adamw"],
      .schedule: ["constant", "step", "cosine", "linear_warmup"],
      .loss: ["mse", "cross_entropy", "bce_with_logits"],
      .adapter: ["lora", "svfit"],
      .metric: [
        "loss", "accuracy", "psnr", "weight_norm", "weight_change", "effective_rank", "stable_rank",
        "kernel_alignment", "activation_stats", "grad_norm", "lr", "output_spectrum",
      ],
      .stage: ["train", "evaluate", "measure", "finetune", "merge", "select"],
    ]
    for (sort, names) in wanted {
      for n in names { #expect(Catalogue.kind(sort, n) != nil, "missing \(sort) \(n)") }
    }
    #expect(Catalogue.kind(.optimizer, "sgd")?.argument("tract") != nil)
    #expect(Catalogue.kind(.initializer, "lsuv")?.argument("tolerance")?.defaultValue == .float(0.02))
    #expect(Catalogue.kind(.layer, "crrelu")?.argument("epsilon")?.defaultValue == .float(0.01))
  }

  /// Every example in docs/language.md decodes without type, key or kind errors where it would stand.
  @Test(arguments: Catalogue.all.map { "\($0.sort.rawValue).\($0.name)" })
  func documentationExampleDecodes(_ id: String) throws {
    let kind = try #require(Catalogue.all.first { "\($0.sort.rawValue).\($0.name)" == id })
    let text = wrap(kind)
    var d = Diagnostics()
    _ = SpecDecoder.decode(text: text, file: "\(id).yaml", diagnostics: &d)
    let ignored: Set<String> = ["spec.undefined-reference", "spec.wrong-sort", "spec.undefined-split"]
    let problems = d.all.filter { $0.severity == .error && !ignored.contains($0.id.rawValue) }
    #expect(problems.isEmpty, "\(text)\n\(problems.map { "\($0.range.start) [\($0.id)] \($0.message)" })")
  }
}

func kindSort(_ t: ArgumentType) -> Sort {
  if case .kind(let s) = t { return s }
  return .layer
}
