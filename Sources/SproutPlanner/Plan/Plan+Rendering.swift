/// The ways `sprout plan` prints a plan. Rendering reads the plan and nothing else (STYLE rule 9).
public enum PlanFormat: String, Sendable, CaseIterable {
  /// The count statement, then every task in run order with its state.
  case text
  /// The plan file (``Plan/jsonText``).
  case json
  /// Graphviz: tasks as nodes coloured by state, inputs as edges.
  case dot
  /// A Mermaid flowchart of the same graph.
  case mermaid
}

extension Plan {
  /// The plan in a format.
  public func render(_ format: PlanFormat) -> String {
    switch format {
    case .text: return text
    case .json: return jsonText
    case .dot: return dot
    case .mermaid: return mermaid
    }
  }

  /// How many tasks have each state.
  public var stateCounts: (cached: Int, stale: Int, new: Int) {
    tasks.reduce(into: (0, 0, 0)) { c, t in
      switch t.state {
      case .cached: c.0 += 1
      case .stale: c.1 += 1
      case .new: c.2 += 1
      }
    }
  }

  /// ```
  /// rich-vs-lazy (spec.yaml) on cpu
  /// 6 trials = 2 init × 3 seed
  /// 12 tasks: 2 cached, 1 stale, 9 new
  ///
  /// t0000  seed 0  init=full seed=0
  ///   t0000/train  new     3f2a9c1d8e7b  never run
  /// ```
  public var text: String {
    var all: [UInt8] = []
    all.reserveCapacity(200 + tasks.count * 72)
    writeText(chunk: .max) { all += $0 }
    return String(decoding: all, as: UTF8.self)
  }

  /// Hands ``text`` to `sink` in pieces of about `chunk` bytes (each ends with a line): `sprout plan` prints a
  /// million tasks without holding their text at once.
  public func writeText(chunk: Int = 1 << 16, to sink: ([UInt8]) -> Void) {
    PlanStream(plan: self).writeText(chunk: chunk, to: sink)
  }

  /// Calls `body` with every task in run order and its trial (nil for a task over all trials).
  func forEachTask(_ body: (PlanTask, Trial?) -> Void) {
    var trialsByID: [String: Trial]?
    for task in tasks {
      if let i = task.trialIndex, trials.indices.contains(i), trials[i].id == task.key.trial {
        body(task, trials[i])
        continue
      }
      if trialsByID == nil { trialsByID = Dictionary(trials.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
      body(task, trialsByID?[task.key.trial])
    }
  }

  /// The widths of the text's key and kind columns, in characters.
  var columnWidths: (key: Int, kind: Int) {
    var keyWidth = 0
    var kindWidth = 0
    for i in tasks.indices {
      keyWidth = max(
        keyWidth, PlanText.characters(tasks[i].key.trial) + 1 + PlanText.characters(tasks[i].key.stage))
      kindWidth = max(kindWidth, PlanText.characters(tasks[i].kind))
    }
    return (keyWidth, kindWidth)
  }

  /// Graphviz DOT.
  public var dot: String {
    var out = "digraph plan {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
    out += "  label=\"\(Plan.escapeDOT(count.statement))\";\n"
    for task in tasks {
      let colour = task.state == .cached ? "#d9ead3" : task.state == .stale ? "#fce5cd" : "#ffffff"
      out +=
        "  \"\(task.key)\" [label=\"\(task.key)\\n\(task.kind) · \(task.state.rawValue)\", fillcolor=\"\(colour)\"];\n"
    }
    for task in tasks {
      for input in task.inputs { out += "  \"\(input)\" -> \"\(task.key)\";\n" }
    }
    return out + "}\n"
  }

  /// A Mermaid flowchart.
  public var mermaid: String {
    func id(_ key: TaskKey) -> String {
      String(key.description.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
    var out = "flowchart LR\n"
    for task in tasks {
      out += "  \(id(task.key))[\"\(task.key)<br/>\(task.kind) · \(task.state.rawValue)\"]:::\(task.state.rawValue)\n"
    }
    for task in tasks {
      for input in task.inputs { out += "  \(id(input)) --> \(id(task.key))\n" }
    }
    out += "  classDef cached fill:#d9ead3\n  classDef stale fill:#fce5cd\n  classDef new fill:#ffffff\n"
    return out
  }

  static func escapeDOT(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }

  /// What `sprout plan --explain TASK` prints: the task's state and every change since its last run (resolved
  /// fields by JSON path with old → new values, upstream tasks whose hash changed), its inputs and where it
  /// is defined. `nil` when the plan has no such task.
  public func explain(_ key: String) -> String? {
    guard let task = task(key) else { return nil }
    var out = "\(task.key): \(task.state.rawValue) (\(task.kind) stage defined at \(task.span))\n"
    out += "  hash \(task.hash)\n"
    if let i = task.trialIndex, trials.indices.contains(i) {
      let t = trials[i]
      out += "  trial \(t.id), seed \(t.seed)" + (t.assignment.isEmpty ? "" : ": \(t.assignmentText)") + "\n"
    }
    switch task.state {
    case .cached: out += "  cached: its outputs are in the store under this hash\n"
    case .new: out += "  new: the store has no run of \(task.key)\n"
    case .stale:
      out += "  stale because:\n"
      for c in task.changes { out += "    - \(c)\n" }
    }
    for gate in task.gates ?? [] { out += "  runs only \(gate.description)\n" }
    if !task.inputs.isEmpty {
      out += "  reads:\n"
      for input in task.inputs {
        let state = self.task(input).map { " (\($0.state.rawValue), \($0.hash.prefix(12)))" } ?? ""
        out += "    - \(input)\(state)\n"
      }
    }
    return out
  }
}
