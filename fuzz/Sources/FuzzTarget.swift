// The libFuzzer entry point over Sprout's front end. Built by fuzz/run.sh together with the library
// modules (as separate Swift modules, instrumented with -sanitize=fuzzer,address).
//
// For every input: parse it as a spec, check the tree's invariants and every diagnostic's position, and
// render the diagnostics as text, JSON and SARIF. Any trap, sanitizer report, hang (>1 s) or memory use
// over 500 MiB is a finding; fuzz/run.sh keeps the input in fuzz-artifacts/.
import SproutDiagnostics
import SproutSyntax

#if canImport(SproutSpec)
  import SproutSpec
#endif
#if canImport(SproutGraph)
  import SproutGraph
#endif
#if canImport(SproutPlanner)
  import SproutPlanner
#endif

/// libFuzzer's entry point: one input, any bytes; returns 0 (the input may be kept in the corpus).
@_cdecl("LLVMFuzzerTestOneInput")
public func sproutFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  var diagnostics = Diagnostics()
  let document = YAMLParser.parse(bytes: bytes, file: "fuzz.yaml", diagnostics: &diagnostics)

  let problems = document.verify()
  precondition(problems.isEmpty, "tree invariants broken: \(problems.prefix(3))")

  laterPhases(document, &diagnostics)

  checkDiagnostics(diagnostics, textLength: document.text.utf8.count)
  let sources = [document.file: document.text]
  _ = DiagnosticRenderer.text(diagnostics.sorted, sources: sources, color: true)
  _ = DiagnosticRenderer.json(diagnostics.all)
  _ = DiagnosticRenderer.sarif(diagnostics.all, toolVersion: "fuzz")
  return 0
}

/// EXTENSION POINT: the phases after Syntax, as `sprout lint` runs them. Each runs only when its module
/// is compiled in (run.sh adds SproutSpec and SproutGraph once they hold real code) and only while the
/// previous phases reported no error; each intermediate form must pass its own `verify()`. Add the
/// planner is run the same way; a later phase joins by `#if canImport(...)` and run.sh's module list.
func laterPhases(_ document: Document, _ diagnostics: inout Diagnostics) {
  guard document.root != nil, !diagnostics.hasErrors else { return }
  #if canImport(SproutSpec)
    guard let spec = SpecDecoder.decode(document, diagnostics: &diagnostics), !diagnostics.hasErrors else { return }
    let specProblems = spec.verify()
    precondition(specProblems.isEmpty, "spec invariants broken: \(specProblems.prefix(3))")
    #if canImport(SproutGraph)
      guard let graph = GraphBuilder.build(spec, diagnostics: &diagnostics) else { return }
      let graphProblems = graph.verify()
      precondition(graphProblems.isEmpty, "graph invariants broken: \(graphProblems.prefix(3))")
      #if canImport(SproutPlanner)
        guard !diagnostics.hasErrors else { return }
        // The planner with no store, as `sprout plan` runs it (matrix expansion, per-trial resolution, hashing)
        // and as `sprout lint` runs it (check only, nothing hashed): both must find exactly the same problems.
        var full = Diagnostics()
        var checked = Diagnostics()
        let plan = Planner.plan(graph, options: PlanOptions(specPath: "fuzz.yaml"), store: nil, diagnostics: &full)
        _ = Planner.plan(
          graph, options: PlanOptions(specPath: "fuzz.yaml", checkOnly: true), store: nil, diagnostics: &checked)
        precondition(full.all == checked.all, "check-only planning found other problems than a full plan")
        if let plan { precondition(plan.verifyHashes().isEmpty, "a task's hash does not match its definition") }
        diagnostics.append(contentsOf: full)
      #endif
    #endif
  #endif
}

/// Every diagnostic must point into the file with 1-based positions, whatever the input.
func checkDiagnostics(_ diagnostics: Diagnostics, textLength: Int) {
  for d in diagnostics {
    var ranges = [d.range] + d.notes.compactMap(\.range)
    ranges += d.fixIts.map(\.range)
    for r in ranges {
      precondition(r.start.line >= 1 && r.start.column >= 1, "\(d.id): position \(r.start) is not 1-based")
      precondition(!(r.end < r.start), "\(d.id): range ends before it starts")
      precondition(r.start.offset <= textLength && r.end.offset <= textLength, "\(d.id): offset past the end")
    }
    precondition(d.id.entry != nil, "\(d.id) is not in a catalogue")
    precondition(!d.message.isEmpty, "\(d.id) has no message")
  }
}
