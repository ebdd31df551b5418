import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Recurrent layers at lint: their shapes (a sequence in, the last state or every state out), a recurrent layer on
/// anything but a sequence reported at its line, and per-layer initializer rules that address a recurrent layer's
/// input and recurrent weights, with the rules those weights cannot honour reported as errors at the rule.
@Suite struct RecurrentCheckTests {
  /// baseSpec (16 features) read as a [4, 4] sequence, with these layer lines (the first at line 15).
  func rnnSpec(_ layers: [String], input: String = "{sequence: [4, 4]}", init rule: String? = nil) -> String {
    var yaml = baseSpec.replacingOccurrences(of: "input: 16", with: "input: \(input)").replacingOccurrences(
      of: "layers: [{dense: 32}, relu, {dense: 1}]",
      with: "layers:\n" + layers.map { "        - \($0)" }.joined(separator: "\n"))
    if let rule { yaml = yaml.replacingOccurrences(of: "he: {kind: kaiming_normal}", with: rule) }
    return yaml
  }

  @Test func anRNNAndAGRULintClean() throws {
    let yaml = rnnSpec(["gru: {units: 6, output: sequence}", "dense: 3", "rnn: {units: 5, nonlinearity: relu}", "dense: 1"])
    let (graph, d) = buildGraph(yaml)
    #expect(d.all.filter { $0.severity == .error }.isEmpty, "\(d.all.map(\.message))")
    let model = try #require(graph?.spec.models.first)
    var problems: [CheckProblem] = []
    let shape = try #require(ModelShape.infer(model, resolve: .literal, problems: &problems))
    #expect(shape.output?.dimensions == [1])
    #expect(shape.weights.map(\.text) == ["18×4, 18×6", "3×6", "5×3, 5×5", "1×5"])
    #expect(shape.weightKinds == [.gru, .dense, .rnn, .dense])
  }

  @Test func anRNNOnAVectorIsAnErrorAtTheLayer() {
    let (_, d) = buildGraph(rnnSpec(["rnn: 8", "rnn: 4", "dense: 1"]))
    #expect(graphFindings(d) == ["graph.shape-mismatch@16"])
    let diag = d.all.first { $0.id == GraphDiagnostics.shapeMismatch }
    #expect(
      diag?.message
        == "rnn steps along a sequence [length, features], but it gets a vector [8], which has no positions")
    #expect(diag?.help?.contains("output: sequence") ?? false)
  }

  @Test func aGRUOnAnImageIsAnErrorAtTheLayer() {
    let (_, d) = buildGraph(rnnSpec(["gru: 4", "dense: 1"], input: "{image: [1, 4, 4]}"))
    #expect(graphFindings(d) == ["graph.shape-mismatch@15"])
    let diag = d.all.first { $0.id == GraphDiagnostics.shapeMismatch }
    #expect(diag?.message == "gru steps along a sequence [length, features], but it gets an image [1, 4, 4]")
    #expect(diag?.help?.contains("{sequence: [4, 4]}") ?? false)
  }

  @Test func rulesAddressTheRecurrentWeightByKindAndByIndex() {
    for rule in [
      "he: {kind: kaiming_normal, layers: {rnn.recurrent: {kind: identity}}}",
      "he: {kind: kaiming_normal, layers: {0.recurrent: orthogonal, 0.input: {kind: low_rank, rank: 2}}}",
      "he: {kind: kaiming_normal, layers: {rnn: orthogonal, dense: xavier_normal}}",
    ] {
      let (_, d) = buildGraph(rnnSpec(["rnn: {units: 5, nonlinearity: relu}", "dense: 1"], init: rule))
      #expect(d.all.filter { $0.severity == .error }.isEmpty, "\(rule): \(d.all.map(\.message))")
    }
  }

  @Test func identityOnTheInputWeightIsAnError() {
    let (_, d) = buildGraph(
      rnnSpec(["rnn: 5", "dense: 1"], init: "he: {kind: kaiming_normal, layers: {rnn: identity}}"))
    let diag = d.all.first { $0.id == GraphDiagnostics.initShape }
    #expect(diag?.severity == .error)
    #expect(diag?.message.contains("input weight of the rnn layer") ?? false, "\(d.all.map(\.message))")
    #expect(diag?.help?.contains("rnn.recurrent: identity") ?? false)
    #expect(diag?.range.start.line == 18)  // the rule's line
  }

  @Test func identityOnAGRUsStackedRecurrentWeightIsAnError() {
    let (_, d) = buildGraph(
      rnnSpec(["gru: 5", "dense: 1"], init: "he: {kind: kaiming_normal, layers: {gru.recurrent: identity}}"))
    let diag = d.all.first { $0.id == GraphDiagnostics.initShape }
    #expect(diag?.severity == .error)
    #expect(diag?.message.contains("15×5") ?? false, "\(d.all.map(\.message))")
  }

  @Test func denseStackRulesOnARecurrentLayerAreErrors() {
    let (_, d) = buildGraph(rnnSpec(["rnn: 5", "dense: 1"], init: "he: {kind: ibp}"))
    let diag = d.all.first { $0.id == GraphDiagnostics.initShape }
    #expect(diag?.severity == .error)
    #expect(diag?.message.hasPrefix("ibp is defined for the weights of a dense stack") ?? false, "\(d.all.map(\.message))")
  }

  @Test func aTooHighRankForTheInputWeightIsAnError() {
    let (_, d) = buildGraph(
      rnnSpec(["rnn: 8", "dense: 1"], init: "he: {kind: kaiming_normal, layers: {rnn: {kind: low_rank, rank: 6}}}"))
    let diag = d.all.first { $0.id == GraphDiagnostics.initRank }
    #expect(diag?.message.contains("min(rows, columns) = 4 of the 8×4 input weight") ?? false, "\(d.all.map(\.message))")
  }

  @Test func aTensorOfADenseLayerOrAnUnknownWordIsAnError() {
    let (_, d) = buildGraph(
      rnnSpec(["rnn: 8", "dense: 1"], init: "he: {kind: kaiming_normal, layers: {dense.recurrent: orthogonal}}"))
    #expect(d.all.contains { $0.id == GraphDiagnostics.initShape && $0.severity == .error }, "\(d.all.map(\.message))")
    let (_, d2) = buildGraph(
      rnnSpec(["rnn: 8", "dense: 1"], init: "he: {kind: kaiming_normal, layers: {rnn.recurent: orthogonal}}"))
    #expect(d2.all.contains { $0.id == "spec.invalid-selector" && ($0.help?.contains("recurrent") ?? false) })
  }
}
