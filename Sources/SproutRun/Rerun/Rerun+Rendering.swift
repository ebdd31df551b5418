import SproutDiagnostics
import SproutPlanner

extension Rerun.Report {
  /// One line per task — `match`, or where it first differs — and a verdict, for `sprout rerun`.
  public var text: String {
    let width = tasks.map(\.key.count).max() ?? 0
    var out = "rerun of \(runID) into \(scratch)\n"
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
        line += "; outputs: \(t.differingOutputs.joined(separator: ", "))"
        out += line + "\n"
      }
    }
    let differing = tasks.filter { !$0.matches }.count
    out +=
      differing == 0
      ? "all \(tasks.count) tasks reproduce bit for bit\n" : "\(differing) of \(tasks.count) tasks differ\n"
    return out
  }

  /// The JSON form (`--format json`).
  public var json: String {
    JSONValue.object([
      "run_id": .string(runID), "scratch": .string(scratch), "all_match": .bool(allMatch),
      "tasks": .array(
        tasks.map { t in
          var o: [String: JSONValue] = [
            "key": .string(t.key), "hash": .string(t.hash), "matches": .bool(t.matches),
            "differing_outputs": .array(t.differingOutputs.map { .string($0) }),
          ]
          if let p = t.problem { o["problem"] = .string(p) }
          if let d = t.divergence {
            var dv: [String: JSONValue] = ["what": .string(d.what), "detail": .string(d.detail)]
            if let s = d.step { dv["step"] = .int(s) }
            o["divergence"] = .object(dv)
          }
          return .object(o)
        }),
    ]).pretty() + "\n"
  }
}
