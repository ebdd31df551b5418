import SproutDiagnostics
import Testing

@Test func sortedOrdersByFileThenPosition() {
  var d = Diagnostics()
  d.report("spec.unknown-key", "b", at: SourceRange(file: "a.yaml", at: .init(line: 3, column: 1)))
  d.report("spec.unknown-key", "a", at: SourceRange(file: "a.yaml", at: .init(line: 1, column: 5)))
  #expect(d.sorted.map(\.message) == ["a", "b"])
  #expect(d.hasErrors)
}
