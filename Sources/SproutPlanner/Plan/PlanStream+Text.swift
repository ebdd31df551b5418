/// The text of a plan (``Plan/text``), written from a stream so a plan of a million trials is printed as it is made.
enum PlanText {
  /// Width in characters, as `padding(toLength:)` counts them (ASCII names, the usual case, by their bytes).
  static func characters(_ s: String) -> Int { s.utf8.allSatisfy { $0 < 0x80 } ? s.utf8.count : s.count }
}

extension PlanStream {
  /// Hands ``text`` to `sink` in pieces of about `chunk` bytes (each ends with a line): `sprout plan` prints a
  /// million tasks without holding their text at once.
  public func writeText(chunk: Int = 1 << 16, to sink: ([UInt8]) -> Void) {
    let taskCount = self.taskCount
    // Written as bytes: at a million tasks, String interpolation and Foundation's padding were most of the time.
    var out: [UInt8] = []
    out.reserveCapacity(min(chunk, 200 + taskCount * 72) + 256)
    // Copies a string's bytes in one piece (appending its UTF8View goes byte by byte).
    func put(_ s: String) {
      var s = s
      s.withUTF8 { out.append(contentsOf: $0) }
    }
    let title = spec.name.isEmpty ? spec.path : "\(spec.name) (\(spec.path))"
    put("\(title) on \(backend)\n")
    put(count.statement + "\n")
    let c = stateCounts
    put("\(taskCount) \(taskCount == 1 ? "task" : "tasks"): \(c.cached) cached, \(c.stale) stale, \(c.new) new\n")
    if !overrides.isEmpty { put("overrides: " + overrides.joined(separator: ", ") + "\n") }
    let (keyWidth, kindWidth) = columnWidths
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
    forEachTask { task, trial, _ in
      if task.key.trial != currentTrial {
        currentTrial = task.key.trial
        out.append(UInt8(ascii: "\n"))
        if let t = trial {
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
      paddedKey(task.key)
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      paddedCached(task.state.rawValue, 6, in: &stateCache)
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      var hash = task.hash
      hash.withUTF8 { out.append(contentsOf: $0.prefix(12)) }
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      paddedCached(task.kind, kindWidth, in: &kindCache)
      out.append(UInt8(ascii: " "))
      out.append(UInt8(ascii: " "))
      put(task.reason)
      if let gates = task.gates { put("  (" + gates.map(\.description).joined(separator: ", ") + ")") }
      out.append(UInt8(ascii: "\n"))
      if out.count >= chunk {
        sink(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    if !out.isEmpty { sink(out) }
  }
}
