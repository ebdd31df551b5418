import SproutDiagnostics
import SproutPlanner

extension Rerun.Report {
  /// The first task that differs or is damaged, with where: the line `sprout rerun` ends on.
  public var firstDivergenceLine: String? {
    guard let t = firstMismatch else { return nil }
    var parts = ["task \(t.key)"]
    if let d = t.divergence {
      if let step = d.step { parts.append("step \(step)") }
      // A damaged file with nothing more precise to name is named by the file alone.
      if d.what != Rerun.Divergence.wholeFile { parts.append(d.what) }
      if let file = d.file { parts.append("file \(file)") }
      return "first divergence: " + parts.joined(separator: ", ") + ": \(d.detail)"
    }
    return "first divergence: " + parts.joined(separator: ", ") + ": \(t.problem ?? "outputs differ")"
  }

  /// One line per task — `match`, or where it first differs, with the recorded files found damaged — then the
  /// first divergence and a verdict, for `sprout rerun`.
  public var text: String {
    let width = tasks.map(\.key.count).max() ?? 0
    var out =
      "rerun of \(runID) in a scratch store"
      + (scratchKept ? " (kept: \(scratch))\n" : " (removed; --keep keeps it)\n")
    for t in tasks {
      let key = t.key.padding(toLength: width, withPad: " ", startingAt: 0)
      if t.matches {
        out += "\(key)  match\n"
      } else if let problem = t.problem {
        out += "\(key)  NOT COMPARED: \(problem)\n"
      } else {
        var line = "\(key)  DIFFERS"
        if let d = t.divergence {
          line += d.step.map { " at step \($0):" } ?? ":"
          line += " \(d.what) (\(d.detail))"
        }
        if !t.differingOutputs.isEmpty { line += "; outputs: \(t.differingOutputs.joined(separator: ", "))" }
        out += line + "\n"
      }
      for problem in t.damage { out += "  damaged: \(problem.text)\n" }
    }
    let differing = tasks.filter { !$0.matches }.count
    if let first = firstDivergenceLine { out += first + "\n" }
    let damaged = tasks.filter { !$0.damage.isEmpty }.count
    if damaged > 0 { out += "the recorded run is damaged: \(damaged) of \(tasks.count) tasks have bad or missing files\n" }
    out +=
      differing == 0
      ? "all \(tasks.count) tasks reproduce bit for bit\n" : "\(differing) of \(tasks.count) tasks differ\n"
    return out
  }

  /// The JSON form (`--format json`).
  public var json: String {
    var o: [String: JSONValue] = [
      "run_id": .string(runID), "scratch": .string(scratch), "scratch_kept": .bool(scratchKept),
      "all_match": .bool(allMatch),
      "tasks": .array(
        tasks.map { t in
          var o: [String: JSONValue] = [
            "key": .string(t.key), "hash": .string(t.hash), "matches": .bool(t.matches),
            "differing_outputs": .array(t.differingOutputs.map { .string($0) }),
          ]
          if let p = t.problem { o["problem"] = .string(p) }
          if let d = t.divergence { o["divergence"] = d.json }
          if !t.damage.isEmpty { o["damage"] = .array(t.damage.map(\.json)) }
          return .object(o)
        }),
    ]
    if let t = firstMismatch {
      var first: [String: JSONValue] = ["task": .string(t.key)]
      if let d = t.divergence { first.merge(d.json.objectValue ?? [:]) { a, _ in a } }
      if let p = t.problem { first["problem"] = .string(p) }
      o["first_divergence"] = .object(first)
    }
    return JSONValue.object(o).pretty() + "\n"
  }
}

extension Rerun.Divergence {
  /// `{step, what, detail, file}`.
  var json: JSONValue {
    var o: [String: JSONValue] = ["what": .string(what), "detail": .string(detail)]
    if let step { o["step"] = .int(step) }
    if let file { o["file"] = .string(file) }
    return .object(o)
  }
}

extension Verification.Problem {
  /// `{task, file, step, item, message}`.
  public var json: JSONValue {
    var o: [String: JSONValue] = ["task": .string(key), "file": .string(file), "message": .string(message)]
    if let step { o["step"] = .int(step) }
    if let item { o["item"] = .string(item) }
    return .object(o)
  }

  /// `t0001/train: tasks/<hash>/step-000008.safetensors (step 8, tensor layers.0.weight): message`.
  public var text: String {
    var place: [String] = []
    if let step { place.append("step \(step)") }
    if let item { place.append(item) }
    return "\(key): \(file)" + (place.isEmpty ? "" : " (\(place.joined(separator: ", ")))") + ": \(message)"
  }
}

extension Verification.Report {
  /// Every problem on its own line, then a verdict, for `sprout verify`.
  public var text: String {
    var out = problems.map { $0.text + "\n" }.joined()
    out +=
      ok
      ? "run \(runID): \(files) files of \(tasks) tasks verified, all intact\n"
      : "run \(runID): \(problems.count) problem\(problems.count == 1 ? "" : "s") in \(files) files of \(tasks) tasks\n"
    return out
  }

  /// The JSON form (`--format json`): `{run_id, ok, tasks, files, problems: [...]}`.
  public var json: String {
    JSONValue.object([
      "run_id": .string(runID), "ok": .bool(ok), "tasks": .int(tasks), "files": .int(files),
      "problems": .array(problems.map(\.json)),
    ]).pretty() + "\n"
  }
}
