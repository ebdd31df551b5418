import Foundation
import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// ``ExpressionReads`` answers, from one walk, what the graph and the planner each worked out with a walk of their
/// own: which definitions hold an expression, which read only `params`, and which matrix axes and trial fields any
/// expression reads. Checked against those questions asked directly, on every spec of the repository.
@Suite struct ExpressionReadsTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Every YAML spec under examples/ and Tests/, with a few that read the trial.
  static var specs: [(name: String, text: String)] {
    var found: [(String, String)] = []
    for dir in ["examples", "Tests"] {
      let base = root.appendingPathComponent(dir)
      let paths = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
      for path in paths.sorted() where path.hasSuffix(".yaml") {
        if let text = try? String(contentsOf: base.appendingPathComponent(path), encoding: .utf8) {
          found.append(("\(dir)/\(path)", text))
        }
      }
    }
    let trialReads = baseSpec.replacingOccurrences(of: "datasets:", with: "matrix: {seed: [1, 2], width: [4, 8]}\ndatasets:")
      .replacingOccurrences(of: "steps: 10", with: "steps: \"${trial.seed + matrix.width}\"")
    found.append(("trial.seed", trialReads))
    found.append(("trial.index", trialReads.replacingOccurrences(of: "trial.seed", with: "trial.index")))
    return found
  }

  /// Every expression in `value`, depth first.
  static func expressions(in value: Value) -> [ExpressionValue] {
    switch value {
    case .expression(let e): return [e]
    case .list(let items): return items.flatMap(expressions)
    case .map(let entries): return entries.flatMap { expressions(in: $0.value) }
    case .instance(let i): return i.arguments.entries.flatMap { expressions(in: $0.value) }
    default: return []
    }
  }

  /// Each definition's node and the values it is made of.
  static func definitions(of spec: Spec) -> [(NodeID, [Value])] {
    spec.stages.map { (NodeID.stage($0.id), [Value.instance($0.definition)]) }
      + spec.datasets.map { (NodeID.dataset($0.id), [Value.instance($0.definition)]) }
      + spec.models.map { (NodeID.model($0.id), [$0.input] + $0.layers.map(Value.instance)) }
      + spec.initializers.map {
        (NodeID.initializer($0.id), ([$0.rule, $0.bias] + $0.layerRules.map(\.rule)).map(Value.instance))
      }
  }

  @Test func oneWalkAnswersWhatEachWalkFound() throws {
    var checked = 0
    var withExpressions = 0
    for (name, text) in Self.specs {
      var d = Diagnostics()
      guard let spec = SpecDecoder.decode(text: text, file: name, diagnostics: &d) else { continue }
      let reads = ExpressionReads(spec)
      var axes: Set<String> = []
      var seed = false
      var identity = false
      for (node, values) in Self.definitions(of: spec) {
        let found = values.flatMap(Self.expressions)
        let references = found.flatMap { $0.expression.references.map(\.path) }
        let r = reads.reads(of: node)
        #expect(r.hasExpression == values.contains { $0.containsExpression }, "\(name) \(node)")
        #expect(r.hasExpression == !found.isEmpty, "\(name) \(node)")
        #expect(r.isTrialInvariant == references.allSatisfy { $0.first == "params" }, "\(name) \(node)")
        #expect(reads.hasExpression(node) == r.hasExpression)
        #expect(ExpressionReads.reads(of: node, in: spec) == r, "\(name) \(node)")
        for path in references where path.count == 2 {
          if path[0] == "matrix" { axes.insert(path[1]) }
          if path[0] == "trial" { if path[1] == "seed" { seed = true } else { identity = true } }
        }
        checked += 1
        if r.hasExpression { withExpressions += 1 }
      }
      #expect(reads.matrixAxes == axes, "\(name)")
      #expect(reads.readsTrialSeed == seed, "\(name)")
      #expect(reads.readsTrialIdentity == identity, "\(name)")
      #expect(reads.reads(of: .model("no such model")) == ExpressionReads.Reads())
    }
    #expect(checked > 200 && withExpressions > 20, "\(checked) definitions, \(withExpressions) with expressions")
  }

  @Test func edgesAreIndexedBySourceInOrder() throws {
    for (name, text) in Self.specs.prefix(40) {
      var d = Diagnostics()
      guard let spec = SpecDecoder.decode(text: text, file: name, diagnostics: &d), !d.hasErrors,
        var graph = GraphBuilder.build(spec, diagnostics: &d)
      else { continue }
      // As built (each node's edges together), then interleaved (a node's edges apart).
      for edges in [graph.edges, graph.edges.enumerated().sorted { ($0.offset % 2, $0.offset) < ($1.offset % 2, $1.offset) }.map(\.element)] {
        graph.edges = edges
        for node in Set(edges.map(\.from)) {
          #expect(graph.edges(from: node) == edges.filter { $0.from == node }, "\(name) \(node)")
          #expect(graph.edges(from: node).map(\.range) == edges.filter { $0.from == node }.map(\.range))
        }
      }
    }
  }
}
