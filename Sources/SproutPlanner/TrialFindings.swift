import SproutDiagnostics

/// Problems found while resolving and checking trials, merged so that a problem common to many trials is one
/// diagnostic: at its range, with a note naming the first trial that has it and how many others do.
struct TrialFindings {
  private var order: [String] = []
  private var entries: [String: (diagnostic: Diagnostic, trial: String, others: Int)] = [:]
  /// While non-nil, every diagnostic added with a trial label is also appended here (``TrialMemo`` replays them
  /// for the trials that share the trial's tasks).
  var recorded: [Diagnostic]?

  /// Records `diagnostic` as found in the trial described by `trial` (`nil` for a task over all trials).
  mutating func add(_ diagnostic: Diagnostic, trial: String?) {
    if trial != nil { recorded?.append(diagnostic) }
    let key =
      "\(diagnostic.id)|\(diagnostic.range.file)|\(diagnostic.range.start)|\(diagnostic.range.end)|"
      + diagnostic.message
    if entries[key] != nil {
      entries[key]?.others += 1
      return
    }
    order.append(key)
    entries[key] = (diagnostic, trial ?? "", 0)
  }

  /// Appends the merged diagnostics, in the order first found.
  func report(to diagnostics: inout Diagnostics) {
    for key in order {
      guard let e = entries[key] else { continue }
      var d = e.diagnostic
      if !e.trial.isEmpty {
        let others = e.others == 0 ? "" : e.others == 1 ? ", and in 1 other trial" : ", and in \(e.others) other trials"
        d.notes.append(DiagnosticNote("in trial \(e.trial)\(others)"))
      }
      diagnostics.append(d)
    }
  }
}
