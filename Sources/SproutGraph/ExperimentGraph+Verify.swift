import SproutSpec

extension ExperimentGraph {
  /// The graph's invariants, checked in tests (as swift-collections' `_checkInvariants()`): returns a description
  /// of every broken one, empty when all hold. A graph returned by ``GraphBuilder`` always verifies.
  ///
  /// - Every node is stored under its own ID, and every edge joins two nodes of the graph, from a stage or an
  ///   initializer, with a target of the sort its role needs.
  /// - `stageOrder` holds each stage once, and each stage after every stage it reads.
  /// - `acrossTrials` holds exactly for select stages and the stages reading from one.
  public func verify() -> [String] {
    var broken: [String] = []
    for (id, n) in datasets where n.id != id { broken.append("dataset stored under \(id) has id \(n.id)") }
    for (id, n) in models where n.id != id { broken.append("model stored under \(id) has id \(n.id)") }
    for (id, n) in initializers where n.id != id { broken.append("initializer stored under \(id) has id \(n.id)") }
    for (id, n) in stages where n.id != id { broken.append("stage stored under \(id) has id \(n.id)") }

    for e in edges {
      if !contains(e.from) { broken.append("edge from missing node \(e.from)") }
      if !contains(e.to) { broken.append("edge to missing node \(e.to)") }
      let fits: Bool
      switch (e.from, e.role, e.to) {
      case (.stage, .model, .model), (.stage, .initializer, .initializer), (.stage, .data, .dataset),
        (.stage, .from, .stage), (.stage, .base, .stage), (.initializer, .data, .dataset),
        (.initializer, .checkpoint, .stage):
        fits = true
      default:
        fits = false
      }
      if !fits { broken.append("edge \(e.from) -\(e.role.rawValue)-> \(e.to) joins the wrong sorts") }
    }

    if stageOrder.count != Set(stageOrder).count { broken.append("stageOrder lists a stage twice") }
    if Set(stageOrder) != Set(stages.keys) { broken.append("stageOrder and stages hold different stages") }
    let position = Dictionary(uniqueKeysWithValues: stageOrder.enumerated().map { ($1, $0) })
    for s in stageOrder {
      for up in upstreamStages(of: s) {
        if let a = position[up], let b = position[s], a >= b {
          broken.append("stage \(s) comes before \(up), which it reads")
        }
      }
      guard let node = stages[s] else { continue }
      let expected = node.kind == .select || upstreamStages(of: s).contains { stages[$0]?.acrossTrials ?? false }
      if node.acrossTrials != expected {
        broken.append("stage \(s) has acrossTrials \(node.acrossTrials), expected \(expected)")
      }
    }
    return broken
  }
}
