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
    // Written as bytes: at a million tasks, String interpolation and Foundation's padding were most of the time.
    var out: [UInt8] = []
    out.reserveCapacity(min(chunk, 200 + tasks.count * 72) + 256)
    // Copies a string's bytes in one piece (appending its UTF8View goes byte by byte).
    func put(_ s: String) {
      var s = s
      s.withUTF8 { out.append(contentsOf: $0) }
    }
    let title = spec.name.isEmpty ? spec.path : "\(spec.name) (\(spec.path))"
    put("\(title) on \(backend)\n")
    put(count.statement + "\n")
    let c = stateCounts
    put("\(tasks.count) \(tasks.count == 1 ? "task" : "tasks"): \(c.cached) cached, \(c.stale) stale, \(c.new) new\n")
    if !overrides.isEmpty { put("overrides: " + overrides.joined(separator: ", ") + "\n") }
    // Widths in characters, as `padding(toLength:)` counts them (ASCII names, the usual case, by their bytes).
    func characters(_ s: String) -> Int { s.utf8.allSatisfy { $0 < 0x80 } ? s.utf8.count : s.count }
    var keyWidth = 0
    var kindWidth = 0
    for i in tasks.indices {
      keyWidth = max(keyWidth, characters(tasks[i].key.trial) + 1 + characters(tasks[i].key.stage))
      kindWidth = max(kindWidth, characters(tasks[i].kind))
    }
    var trialsByID: [String: Trial]?
    func trial(_ task: PlanTask) -> Trial? {
      if let i = task.trialIndex, trials.indices.contains(i), trials[i].id == task.key.trial { return trials[i] }
      if trialsByID == nil { trialsByID = Dictionary(trials.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
      return trialsByID?[task.key.trial]
    }
    /// `text` padded with spaces (or cut) to `width`, as Foundation's `padding(toLength:)` does it.
    func padded(_ text: String, _ width: Int) {
      let utf8 = text.utf8.count
      guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
        put(text.padding(toLength: width, withPad: " ", startingAt: 0))
        return
      }
      if utf8 >= width {
        out += text.utf8.prefix(width)
      } else {
        out += text.utf8
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - utf8))
      }
    }
    /// `text` padded as `padded` writes it, remembered per text in `cache` (a plan repeats its kinds and states on
    /// every line).
    var stateCache: [String: [UInt8]] = [:]
    var kindCache: [String: [UInt8]] = [:]
    func paddedCached(_ text: String, _ width: Int, in cache: inout [String: [UInt8]]) {
      if let known = cache[text] {
        out += known
        return
      }
      let start = out.count
      padded(text, width)
      cache[text] = Array(out[start...])
    }
    /// `trial/stage` padded to `keyWidth`, without building the key's text: trial ids are ASCII, and the stage
    /// part with its padding is the same on every line of that stage.
    var stageTails: [String: [UInt8]] = [:]
    func paddedKey(_ key: TaskKey) {
      let trial = key.trial.utf8.count
      if let tail = stageTails[key.stage], key.trial.utf8.allSatisfy({ $0 < 0x80 }), trial + tail.count == keyWidth {
        put(key.trial)
        out += tail
        return
      }
      padded(key.description, keyWidth)
      // The tail that follows a trial id of this length, if the whole key is ASCII and fits.
      if key.description.utf8.allSatisfy({ $0 < 0x80 }), trial + 1 + key.stage.utf8.count <= keyWidth {
        stageTails[key.stage] = Array(out[(out.count - (keyWidth - trial))...])
      }
    }
    // Trial.assignmentText as bytes, with each distinct number spelled once (a sweep repeats a few values many
    // times).
    var numbers: [UInt64: [UInt8]] = [:]
    func writeAssignment(_ t: Trial) {
      for (i, av) in t.assignment.enumerated() {
        if i > 0 { out.append(UInt8(ascii: " ")) }
        put(av.axis)
        out.append(UInt8(ascii: "="))
        switch av.value {
        case .string(let s): put(s)
        case .int(let n): put(String(n))
        case .double(let d):
          if let known = numbers[d.bitPattern] {
            out += known
          } else {
            let text = Array(av.value.display.utf8)
            numbers[d.bitPattern] = text
            out += text
          }
        default: put(av.value.display)
        }
      }
    }
    var currentTrial: String?
    for i in tasks.indices {
      if tasks[i].key.trial != currentTrial {
        currentTrial = tasks[i].key.trial
        out.append(UInt8(ascii: "\n"))
        if let t = trial(tasks[i]) {
          put(t.id)
          put("  seed ")
          put(String(t.seed))
          if !t.assignment.isEmpty {
            put("  ")
            writeAssignment(t)
          }
          out.append(UInt8(ascii: "\n"))
        } else {
          put("across all trials\n")
        }
      }
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      paddedKey(tasks[i].key)
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      paddedCached(tasks[i].state.rawValue, 6, in: &stateCache)
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      var hash = tasks[i].hash
      hash.withUTF8 { out.append(contentsOf: $0.prefix(12)) }
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      paddedCached(tasks[i].kind, kindWidth, in: &kindCache)
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      put(tasks[i].reason)
      if let gates = tasks[i].gates { put("  (" + gates.map(\.description).joined(separator: ", ") + ")") }
      out.append(UInt8(ascii: "\n"))
      if out.count >= chunk {
        sink(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    if !out.isEmpty { sink(out) }
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
