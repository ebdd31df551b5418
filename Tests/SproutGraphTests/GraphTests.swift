import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

@Suite struct GraphBuildTests {
  @Test func baseSpecBuildsAndVerifies() throws {
    let (graph, d) = buildGraph(baseSpec)
    #expect(!d.hasErrors, "\(d.all)")
    let g = try #require(graph)
    #expect(g.verify().isEmpty)
    #expect(g.stageOrder == ["train", "test"])
    #expect(g.edges(from: .stage("train")).map(\.role) == [.model, .initializer, .data])
    #expect(g.edges(from: .stage("train"), role: .data).first?.split == "train")
    #expect(g.upstreamStages(of: "test") == ["train"])
    #expect(g.datasets["teacher"]?.shape == DataShape(features: 16, target: .values(width: 1)))
    #expect(g.models["net"]?.shape?.weights.map(\.text) == ["32×16", "1×32"])
  }

  @Test func verifyFindsBrokenInvariants() throws {
    var g = try #require(buildGraph(baseSpec).0)
    g.stageOrder = ["test", "train"]
    g.edges.append(Edge(from: .stage("train"), to: .dataset("nope"), role: .model, range: .wholeFile("x")))
    let broken = g.verify()
    #expect(broken.contains("stage test comes before train, which it reads"))
    #expect(broken.contains("edge to missing node datasets.nope"))
    #expect(broken.contains { $0.contains("joins the wrong sorts") })
  }

  @Test func expressionReferencesBecomeConditionalEdges() throws {
    let yaml = baseSpec.replacingOccurrences(of: "init: he", with: "init: ${matrix.init}")
      .replacingOccurrences(
        of: "  he: {kind: kaiming_normal}", with: "  he: {kind: kaiming_normal}\n  x: {kind: xavier_normal}"
      )
      .replacingOccurrences(of: "datasets:", with: "matrix:\n  init: [he, x]\ndatasets:")
    let (graph, d) = buildGraph(yaml)
    #expect(!d.hasErrors, "\(d.all)")
    let edges = try #require(graph).edges(from: .stage("train"), role: .initializer)
    #expect(edges.map(\.to) == [.initializer("he"), .initializer("x")])
    #expect(edges.allSatisfy { $0.conditional })
  }
}
