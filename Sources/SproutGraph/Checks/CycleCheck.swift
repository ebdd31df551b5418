import SproutDiagnostics
import SproutSpec

/// Cycles among stages, and the order in which stages can run.
enum CycleCheck {
  /// Every elementary cycle found by a depth-first search, each as the stages in order with the edge that
  /// leaves each one; one cycle per back edge, and a cycle is reported once whichever stage it is entered from.
  ///
  /// - Complexity: O(V + E) for V stages and E references between them; iterative, so a long `from` chain
  ///   cannot overflow the stack.
  static func cycles(stages: [StageID], upstream: [StageID: [(StageID, SourceRange)]]) -> [[(StageID, SourceRange)]] {
    enum Colour { case white, grey, black }
    var colour: [StageID: Colour] = [:]
    var found: [[(StageID, SourceRange)]] = []
    var seenSets: Set<[StageID]> = []
    for root in stages where colour[root, default: .white] == .white {
      // The path from root: (stage, index of the next edge to follow, the edge that led here).
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
            // A back edge closes a cycle: from `to`'s position on the stack up to here, then back to `to`.
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

  /// Stages in an order where each follows the stages it reads; among ready stages, declaration order wins.
  ///
  /// - Complexity: O(V² + E) with the simple ready-list scan, fine for the tens of stages a spec has.
  static func order(stages: [StageID], upstream: [StageID: [(StageID, SourceRange)]]) -> [StageID] {
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
    return result + remaining  // only non-empty when there is a cycle, which is reported separately
  }
}
