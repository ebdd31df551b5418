import Foundation
import SproutDiagnostics
import SproutSpec
import SproutSyntax
import Testing

@Test func scratch() throws {
  let path = ProcessInfo.processInfo.environment["SPEC"] ?? "examples/rich-vs-lazy.yaml"
  let text = try String(contentsOfFile: path, encoding: .utf8)
  var d = Diagnostics()
  let spec = SpecDecoder.decode(text: text, file: path, diagnostics: &d)
  for x in d.sorted { print("\(x.range.start) \(x.severity) [\(x.id)] \(x.path): \(x.message) | \(x.help ?? "")") }
  print(spec?.stages.map { "\($0.id): \($0.definition)" } ?? [])
}
