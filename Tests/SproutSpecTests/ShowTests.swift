import Foundation
import SproutDiagnostics
import SproutSpec
import Testing

@Test func showFixtureDiagnostics() throws {
  guard ProcessInfo.processInfo.environment["SHOW"] != nil else { return }
  for url in fixtureURLs {
    let text = try String(contentsOf: url, encoding: .utf8)
    let (_, diags) = lint(text, file: url.lastPathComponent)
    for d in diags {
      print("\(url.lastPathComponent):\(d.range.start)-\(d.range.end.column) [\(d.id)] \(d.path): \(d.message)"
        + (d.help.map { " | help: \($0)" } ?? "") + d.notes.map { " | note: \($0.message)" }.joined())
    }
  }
}
