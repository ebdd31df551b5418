import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// ``CycleCheck`` walks numbered stages; it must find the cycles (with their edges, in order) and the run order that
/// the walks over stage names found, which are kept here as the reference.
@Suite struct CycleCheckTests {
  typealias Upstream = [StageID: [(StageID, SourceRange)]]

  static func referenceCycles(stages: [StageID], upstream: Upstream) -> [[(StageID, SourceRange)]] {
    enum Colour { case white, grey, black }
    var colour: [StageID: Colour] = [:]
    var found: [[(StageID, SourceRange)]] = []
    var seenSets: Set<[StageID]> = []
    for root in stages where colour[root, default: .white] == .white {
      var stack: [(id: StageID, next: Int, via: SourceRange?)] = [(root, 0, nil)]
      colour[root] = .grey
      while !stack.isEmpty {
        let top = stack.count - 1
        let edges = upstream[stack[top].id] ?? []
        if stack[top].next < edges.count {
          let (to, range) = edges[stack[top].next]
          stack[top].next += 1
          switch colour[to, default: .white] {
          case .white:
            colour[to] = .grey
            stack.append((to, 0, range))
          case .grey:
            guard let start = stack.firstIndex(where: { $0.id == to }) else { continue }
            var cycle: [(StageID, SourceRange)] = []
            for i in start..<stack.count {
              let via = i + 1 < stack.count ? stack[i + 1].via ?? range : range
              cycle.append((stack[i].id, via))
            }
            let key = cycle.map(\.0).sorted()
            if seenSets.insert(key).inserted { found.append(cycle) }
          case .black:
            break
          }
        } else {
          colour[stack[top].id] = .black
          stack.removeLast()
        }
      }
    }
    return found
  }

  static func referenceOrder(stages: [StageID], upstream: Upstream) -> [StageID] {
    var remaining = stages
    var done: Set<StageID> = []
    var result: [StageID] = []
    while let i = remaining.firstIndex(where: { s in
      (upstream[s] ?? []).allSatisfy { done.contains($0.0) || !stages.contains($0.0) }
    }) {
      let s = remaining.remove(at: i)
      done.insert(s)
      result.append(s)
    }
    return result + remaining
  }

  /// Random graphs of up to 12 stages (some edges to stages not listed, some repeated), cycles included.
  @Test func sameCyclesAndOrderAsByName() {
    var rng = SplitMix64(seed: 15)
    for round in 0..<400 {
      let count = Int(rng.next() % 12) + 1
      let names = (0..<count + 2).map { StageID("s\($0)") }
      var stages = Array(names.prefix(count))
      for i in stages.indices.reversed() { stages.swapAt(i, rng.next(below: i + 1)) }
      if round % 5 == 0 { stages.append(stages[0]) }  // a stage listed twice
      var upstream: Upstream = [:]
      for s in names {
        for _ in 0..<Int(rng.next() % 3) {
          let to = names[Int(rng.next() % UInt64(names.count))]
          let line = Int(rng.next() % 100) + 1
          upstream[s, default: []].append((to, SourceRange(file: "x.yaml", at: SourceLocation(line: line, column: 1))))
        }
      }
      let cycles = CycleCheck.cycles(stages: stages, upstream: upstream)
      let expected = Self.referenceCycles(stages: stages, upstream: upstream)
      #expect(cycles.map { $0.map(\.0) } == expected.map { $0.map(\.0) }, "round \(round)")
      #expect(cycles.map { $0.map(\.1.start.line) } == expected.map { $0.map(\.1.start.line) }, "round \(round)")
      #expect(CycleCheck.order(stages: stages, upstream: upstream) == Self.referenceOrder(stages: stages, upstream: upstream))
    }
  }
}
