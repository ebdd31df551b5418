import SproutDiagnostics

extension Decoder {
  /// Rules about one kind's arguments together that the catalogue's per-argument types cannot state.
  /// Only literal values are checked here; expressions are checked per trial by the planner.
  mutating func kindChecks(_ instance: Instance, path makePath: @autoclosure () -> String) -> Bool {
    var ok = true
    func number(_ name: String) -> (Double, Argument)? {
      guard let a = instance.arguments.argument(name), let d = a.value.doubleValue else { return nil }
      return (d, a)
    }
    func ordered(_ lo: String, _ hi: String) {
      if let (a, _) = number(lo), let (b, arg) = number(hi), !(a < b) {
        report(
          "spec.out-of-range", "\(hi) must be greater than \(lo) (\(Value.format(a))), found \(Value.format(b))",
          at: arg.range, path: Decoder.join(makePath(), hi))
        ok = false
      }
    }
    switch (instance.sort, instance.kind) {
    case (.initializer, "uniform"), (.initializer, "truncated_normal"): ordered("a", "b")
    case (.dataset, _):
      if let split = instance.arguments.argument("split"), case .map(let entries) = split.value {
        let total = entries.compactMap(\.value.doubleValue).reduce(0, +)
        if total > 1 + 1e-9 {
          report(
            "spec.out-of-range", "the split fractions add up to \(Value.format(total)), more than 1", at: split.range,
            path: Decoder.join(makePath(), "split"), help: "make them add up to at most 1")
          ok = false
        }
        if entries.isEmpty {
          report(
            "spec.wrong-type", "split names no parts", at: split.range, path: Decoder.join(makePath(), "split"),
            help: "write e.g. {train: 0.8, test: 0.2}, or leave split out")
          ok = false
        }
      }
      if instance.kind == "sine", let f = instance["frequencies"]?.listValue {
        for name in ["amplitudes", "phases"] {
          if let arg = instance.arguments.argument(name), let l = arg.value.listValue, l.count != f.count {
            report(
              "spec.out-of-range", "\(name) has \(l.count) entries but frequencies has \(f.count)", at: arg.range,
              path: Decoder.join(makePath(), name), help: "give one \(name.dropLast()) per frequency")
            ok = false
          }
        }
      }
    case (.layer, "rational"):
      if let arg = instance.arguments.argument("degrees"), let l = arg.value.listValue {
        if l.count != 2 || l.contains(where: { ($0.intValue ?? -1) < 0 || ($0.intValue ?? 0) > 16 }) {
          report(
            "spec.out-of-range", "degrees must be [m, n], two integers in [0, 16]", at: arg.range,
            path: Decoder.join(makePath(), "degrees"))
          ok = false
        }
      }
    case (.stage, "merge"):
      if let w = instance.arguments.argument("weights"), let wl = w.value.listValue,
        let f = instance["from"]?.listValue, wl.count != f.count
      {
        report(
          "spec.out-of-range", "weights has \(wl.count) entries but from has \(f.count)", at: w.range,
          path: Decoder.join(makePath(), "weights"), help: "give one weight per stage in from")
        ok = false
      }
    default: break
    }
    return ok
  }
}
