import SproutDiagnostics
import SproutSpec

/// Cycles among stages, and the order in which stages can run.
///
/// Stages are numbered once (a hash of each name), and both walks run over the numbers: with a dictionary keyed by
/// stage name per step they cost ~7 k instructions a stage.
struct CycleCheck {
  /// The stages as given, by number.
  private let stages: [Int]
  /// Every stage met (given, or only read by one), by number.
  private let ids: [StageID]
  /// Each numbered stage's upstream edges, by number.
  private let upstream: [[(to: Int, range: SourceRange)]]

  /// Numbers `stages` and every stage their `upstream` edges reach.
  init(stages given: [StageID], upstream edges: [StageID: [(StageID, SourceRange)]]) {
    var number: [StageID: Int] = [:]
    number.reserveCapacity(given.count)
    var ids: [StageID] = []
    func numbered(_ id: StageID) -> Int {
      if let n = number[id] { return n }
      number[id] = ids.count
      ids.append(id)
      return ids.count - 1
    }
    stages = given.map(numbered)
    var upstream: [[(to: Int, range: SourceRange)]] = []
    var n = 0
    while n < ids.count {  // `ids` grows while stages only read by others are numbered
      upstream.append((edges[ids[n]] ?? []).map { (numbered($0.0), $0.1) })
      n += 1
    }
    self.ids = ids
    self.upstream = upstream
  }

  /// Every elementary cycle found by a depth-first search, each as the stages in order with the edge that
  /// leaves each one; one cycle per back edge, and a cycle is reported once whichever stage it is entered from.
  ///
  /// - Complexity: O(V + E) for V stages and E references between them; iterative, so a long `from` chain
  ///   cannot overflow the stack.
  static func cycles(stages: [StageID], upstream: [StageID: [(StageID, SourceRange)]]) -> [[(StageID, SourceRange)]] {
    CycleCheck(stages: stages, upstream: upstream).cycles()
  }

  /// Stages in an order where each follows the stages it reads; among ready stages, declaration order wins.
  static func order(stages: [StageID], upstream: [StageID: [(StageID, SourceRange)]]) -> [StageID] {
    CycleCheck(stages: stages, upstream: upstream).order()
  }

  /// See ``cycles(stages:upstream:)``.
  func cycles() -> [[(StageID, SourceRange)]] {
    enum Colour { case white, grey, black }
    var colour = [Colour](repeating: .white, count: ids.count)
    var found: [[(StageID, SourceRange)]] = []
    var seenSets: Set<[StageID]> = []
    for root in stages where colour[root] == .white {
      // The path from root: (stage, index of the next edge to follow, the edge that led here).
      var stack: [(id: Int, next: Int, via: SourceRange?)] = [(root, 0, nil)]
      colour[root] = .grey
      while !stack.isEmpty {
        let top = stack.count - 1
        let edges = upstream[stack[top].id]
        if stack[top].next < edges.count {
          let (to, range) = edges[stack[top].next]
          stack[top].next += 1
          switch colour[to] {
          case .white:
            colour[to] = .grey
            stack.append((to, 0, range))
          case .grey:
            // A back edge closes a cycle: from `to`'s position on the stack up to here, then back to `to`.
            guard let start = stack.firstIndex(where: { $0.id == to }) else { continue }
            var cycle: [(StageID, SourceRange)] = []
            for i in start..<stack.count {
              let via = i + 1 < stack.count ? stack[i + 1].via ?? range : range
              cycle.append((ids[stack[i].id], via))
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

  /// See ``order(stages:upstream:)``.
  ///
  /// - Complexity: O(V² + E) with the simple ready-list scan (O(V + E) when stages are written after what they read).
  func order() -> [StageID] {
    var given = [Bool](repeating: false, count: ids.count)
    for s in stages { given[s] = true }
    var done = [Bool](repeating: false, count: ids.count)
    var remaining = stages
    var result: [StageID] = []
    result.reserveCapacity(stages.count)
    while let i = remaining.firstIndex(where: { s in upstream[s].allSatisfy { done[$0.to] || !given[$0.to] } }) {
      let s = remaining.remove(at: i)
      done[s] = true
      result.append(ids[s])
    }
    return result + remaining.map { ids[$0] }  // only non-empty when there is a cycle, which is reported separately
  }
}
