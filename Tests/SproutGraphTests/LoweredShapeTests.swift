import SproutConfig
import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// The planner infers a model's shapes from the layers its lowering already made (``ModelShape/infer(_:lowered:resolve:problems:)``);
/// that must give what lowering every layer again gives: the same shapes, weights and problems, `repeat` blocks and
/// residual bodies included, and a fall-back when the lowered layers do not line up with the written ones.
@Suite struct LoweredShapeTests {
  /// Both inferences of every model of baseSpec with `layers` in place of its layer list.
  func bothWays(_ layers: [String], input: String = "16") throws -> (ModelShape?, [CheckProblem], ModelShape?, [CheckProblem]) {
    let yaml = baseSpec.replacingOccurrences(of: "input: 16", with: "input: \(input)").replacingOccurrences(
      of: "layers: [{dense: 32}, relu, {dense: 1}]",
      with: "layers:\n" + layers.map { "        - \($0)" }.joined(separator: "\n"))
    var d = Diagnostics()
    let spec = try #require(SpecDecoder.decode(text: yaml, file: "spec.yaml", diagnostics: &d), "\(d.all.map(\.message))")
    let model = try #require(spec.models.first)
    var direct: [CheckProblem] = []
    let byLayer = ModelShape.infer(model, resolve: .literal, problems: &direct)
    let config = try DefinitionLowering.model(model, input: model.input, layers: model.layers, context: NoReferences())
    var fromLowered: [CheckProblem] = []
    let lowered = ModelShape.infer(model, lowered: config, resolve: .literal, problems: &fromLowered)
    return (byLayer, direct, lowered, fromLowered)
  }

  @Test(arguments: [
    ["dense: 32", "relu", "dense: 1"],
    ["residual: [{dense: 16}, tanh]", "dense: 1"],
    ["repeat: {count: 3, layers: [{dense: 16}, relu]}", "dense: 1"],
    ["repeat: {count: 2, layers: [{residual: [{dense: 16}, sine]}, {repeat: {count: 2, layers: [tanh]}}]}", "dense: 1"],
    ["repeat: {count: 0, layers: [{dense: 8}]}", "dense: 1"],
    ["residual: [{dense: 8}]", "dense: 1"],
    ["dense: 8", "conv2d: 4", "flatten", "dense: 1"],
    ["repeat: {count: 2, layers: [{conv2d: 4}]}", "dense: 1"],
  ])
  func theLoweredModelGivesTheSameShapes(_ layers: [String]) throws {
    let (byLayer, direct, lowered, fromLowered) = try bothWays(layers)
    #expect(lowered == byLayer)
    #expect(fromLowered == direct)
  }

  @Test func anImageModelToo() throws {
    let (byLayer, direct, lowered, fromLowered) = try bothWays(
      ["conv2d: {filters: 4, padding: 1}", "max_pool2d: 2", "flatten", "dense: 1"], input: "{image: [1, 4, 4]}")
    #expect(byLayer != nil)
    #expect(lowered == byLayer)
    #expect(fromLowered == direct)
  }

  @Test func layersThatDoNotLineUpFallBackToLoweringEachLayer() throws {
    var d = Diagnostics()
    let spec = try #require(SpecDecoder.decode(text: baseSpec, file: "spec.yaml", diagnostics: &d))
    let model = try #require(spec.models.first)
    var direct: [CheckProblem] = []
    let byLayer = ModelShape.infer(model, resolve: .literal, problems: &direct)
    for wrong in [
      ModelConfig(input: 16, layers: [.dense(units: 32, bias: true)]),
      ModelConfig(input: 16, layers: [.residual([.dense(units: 16, bias: true)]), .activation(.relu), .dense(units: 1, bias: true)]),
      ModelConfig(input: 16, layers: [.dense(units: 7, bias: true), .activation(.relu), .dense(units: 1, bias: true), .flatten]),
    ] {
      var problems: [CheckProblem] = []
      #expect(ModelShape.infer(model, lowered: wrong, resolve: .literal, problems: &problems) == byLayer)
      #expect(problems == direct)
    }
  }
}
