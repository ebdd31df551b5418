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

/// EXTENSION POINT: the phases after Syntax. Each runs only when the module is compiled in (run.sh adds
/// SproutSpec and SproutGraph once they hold real code) and, as in `sprout lint`, only while the previous
/// phase reported no error. Decode the spec, build the graph and run its checks here, appending to
/// `diagnostics`; then call `verify()` on the intermediate forms and `precondition` that they hold.
func laterPhases(_ document: Document, _ diagnostics: inout Diagnostics) {
  guard document.root != nil, !diagnostics.hasErrors else { return }
  #if canImport(SproutSpec)
    // e.g. let spec = SpecDecoder.decode(document, diagnostics: &diagnostics)
  #endif
  #if canImport(SproutGraph)
    // e.g. let graph = GraphBuilder.build(spec, diagnostics: &diagnostics); precondition(graph.verify().isEmpty)
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
