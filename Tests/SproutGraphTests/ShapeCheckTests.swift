import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Shapes through a model at lint: a shaped `input:`, every layer's output inferred, and each layer that cannot take
/// what it is given reported at its own line with both shapes named.
@Suite struct ShapeCheckTests {
  /// baseSpec (16 features) with a 1×4×4 image input and these layer lines (the first at line 15).
  func cnn(_ layers: [String], input: String = "{image: [1, 4, 4]}") -> String {
    baseSpec.replacingOccurrences(of: "input: 16", with: "input: \(input)").replacingOccurrences(
      of: "layers: [{dense: 32}, relu, {dense: 1}]",
      with: "layers:\n" + layers.map { "        - \($0)" }.joined(separator: "\n"))
  }

  @Test func aSmallCNNLintsClean() throws {
    let yaml = cnn([
      "conv2d: {filters: 4, kernel: 3, padding: 1}", "relu", "max_pool2d: 2", "conv2d: {filters: 2, kernel: 1}",
      "flatten", "dense: 1",
    ])
    let (graph, d) = buildGraph(yaml)
    #expect(graphFindings(d) == [])
    #expect(d.all.filter { $0.severity == .error }.isEmpty, "\(d.all.map(\.message))")
    let model = try #require(graph?.spec.models.first)
    var problems: [CheckProblem] = []
    let shape = try #require(ModelShape.infer(model, resolve: .literal, problems: &problems))
    #expect(shape.input.dimensions == [1, 4, 4])
    #expect(shape.output?.dimensions == [1])
    #expect(shape.weights.map(\.text) == ["4×1×3×3", "2×4×1×1", "1×8"])
    #expect(shape.weights.map(\.fanIn) == [9, 4, 8])
  }

  @Test func aKernelLargerThanTheMapIsAnErrorAtTheLayer() {
    let (_, d) = buildGraph(cnn(["max_pool2d: 2", "conv2d: 4", "flatten", "dense: 1"]))
    #expect(graphFindings(d) == ["graph.shape-mismatch@16"])
    let diag = d.all.first { $0.id == GraphDiagnostics.shapeMismatch }
    #expect(diag?.message == "conv2d's 3×3 kernel does not fit the 2×2 map of its input [1, 2, 2]")
    #expect(diag?.help?.contains("at most 2") ?? false)
  }

  @Test func aDenseLayerAfterAConvolutionNeedsAFlatten() {
    let (_, d) = buildGraph(cnn(["conv2d: {filters: 2, padding: 1}", "relu", "dense: 1"]))
    #expect(graphFindings(d) == ["graph.shape-mismatch@17"])
    let diag = d.all.first { $0.id == GraphDiagnostics.shapeMismatch }
    #expect(diag?.message == "dense needs a vector or a sequence, but it gets an image [2, 4, 4]")
    #expect(diag?.help?.contains("flatten") ?? false)
  }

  @Test func aConvolutionNeedsAnImage() {
    let (_, d) = buildGraph(cnn(["dense: 8", "conv2d: 4", "flatten", "dense: 1"], input: "16"))
    #expect(graphFindings(d) == ["graph.shape-mismatch@16"])
    #expect(
      d.all.first { $0.id == GraphDiagnostics.shapeMismatch }?.message
        == "conv2d needs an image [channels, height, width], but it gets a vector [8]")
  }

  @Test func theImageMustHoldTheDataFeatures() {
    let (_, d) = buildGraph(cnn(["flatten", "dense: 1"], input: "{image: [1, 3, 3]}"))
    #expect(graphFindings(d) == ["graph.input-mismatch@24", "graph.input-mismatch@31"])
    #expect(
      d.all.first { $0.id == GraphDiagnostics.inputMismatch }?.message
        == "model 'net' takes an image [1, 3, 3] (9 values per sample), but 'teacher.train' has 16 features")
  }

  @Test func aLossOverAnImageOutputIsReported() {
    let yaml = cnn(["conv2d: {filters: 1, kernel: 4}"])
    let (_, d) = buildGraph(yaml)
    // [1, 4, 4] → [1, 1, 1]: one value, which MSE against one target accepts; a wrong width would not.
    #expect(graphFindings(d) == [])
    let wide = cnn(["conv2d: {filters: 2, kernel: 4}"])
    #expect(graphFindings(buildGraph(wide).1) == ["graph.loss-target@24"])
  }

  @Test func malformedInputShapesAreSpecErrors() {
    for (input, id) in [
      ("{image: [1, 4]}", "spec.wrong-type"), ("{tokens: 16}", "spec.missing-required"),
      ("{image: [1, 4, 4], sequence: [4, 4]}", "spec.conflicting-keys"), ("{image: [0, 4, 4]}", "spec.out-of-range"),
    ] {
      var d = Diagnostics()
      _ = SpecDecoder.decode(text: cnn(["flatten", "dense: 1"], input: input), file: "spec.yaml", diagnostics: &d)
      #expect(d.all.contains { $0.id.rawValue == id && $0.range.start.line == 13 }, "\(input): \(d.all.map(\.id))")
    }
  }
}
