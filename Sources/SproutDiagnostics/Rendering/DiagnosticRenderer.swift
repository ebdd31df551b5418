/// Turns diagnostics into text for people (with source excerpts), JSON for tools, or SARIF for code
/// scanning. Pure functions: they return strings and never print.
///
/// Text looks like swift and rustc:
/// ```
/// spec.yaml:3:3: error: duplicate key 'lr' [syntax.duplicate-key]
///  3 |   lr: 0.01
///    |   ^~
/// spec.yaml:2:3: note: first defined here
///  2 |   lr: 0.1
///    |   ^~
/// help: remove one of the two definitions; a mapping holds one value per key
///
/// 1 error
/// ```
public enum DiagnosticRenderer {
  /// Renders `diagnostics` in the order given (pass `Diagnostics.sorted` for reading order).
  ///
  /// - Parameters:
  ///   - sources: file name → full text, for excerpts; a file that is missing just gets no excerpt.
  ///   - color: emit ANSI colours (decide with `shouldUseColor(isTerminal:environment:)`).
  /// - Returns: one block per diagnostic separated by blank lines, then a summary line such as
  ///   `2 errors, 1 warning`; the empty string when there is nothing to report.
  public static func text(_ diagnostics: [Diagnostic], sources: [String: String], color: Bool) -> String {
    guard !diagnostics.isEmpty else { return "" }
    let style = Style(enabled: color)
    var lines: [String: SourceLines] = [:]
    for (file, text) in sources { lines[file] = SourceLines(text) }
    var blocks: [String] = []
    for diagnostic in diagnostics {
      var block: [String] = []
      let level = style.severity(diagnostic.severity)
      block.append(
        style.bold(diagnostic.range.description + ":") + " " + level + style.bold(": " + diagnostic.message)
          + " [\(diagnostic.id)]")
      var excerptRanges = [diagnostic.range] + diagnostic.notes.compactMap(\.range)
      excerptRanges.append(contentsOf: diagnostic.fixIts.map(\.range))
      let gutter = excerptRanges.map { String($0.start.line).count }.max() ?? 1
      block += excerpt(
        diagnostic.range, lines: lines[diagnostic.range.file], gutter: gutter, style: style,
        underline: diagnostic.severity)
      for note in diagnostic.notes {
        if let range = note.range {
          block.append(style.bold(range.description + ":") + " " + style.severity(.note) + ": " + note.message)
          block += excerpt(range, lines: lines[range.file], gutter: gutter, style: style, underline: .note)
        } else {
          block.append(style.severity(.note) + ": " + note.message)
        }
      }
      if let help = diagnostic.help { block.append(style.help("help") + ": " + help) }
      for fix in diagnostic.fixIts where !repeats(diagnostic.help, fix) {
        block.append(style.help("help") + ": " + describe(fix, lines: lines[fix.range.file]))
      }
      blocks.append(block.joined(separator: "\n"))
    }
    return blocks.joined(separator: "\n\n") + "\n\n" + summary(diagnostics) + "\n"
  }

  /// Whether to colour text output: only on a terminal, never when `NO_COLOR` is set (to any value, as
  /// no-color.org asks) or the terminal is `TERM=dumb`.
  public static func shouldUseColor(isTerminal: Bool, environment: [String: String]) -> Bool {
    if environment["NO_COLOR"] != nil { return false }
    if environment["TERM"] == "dumb" { return false }
    return isTerminal
  }

  /// `2 errors, 1 warning` (counts that are zero are left out; notes are counted last).
  public static func summary(_ diagnostics: [Diagnostic]) -> String {
    let counts: [(Severity, String)] = [(.error, "error"), (.warning, "warning"), (.note, "note")]
    let parts = counts.compactMap { severity, word -> String? in
      let n = diagnostics.count { $0.severity == severity }
      return n == 0 ? nil : "\(n) \(word)\(n == 1 ? "" : "s")"
    }
    return parts.isEmpty ? "no problems" : parts.joined(separator: ", ")
  }

  /// True when the help line already shows the fix's replacement, so the fix adds nothing for a reader.
  private static func repeats(_ help: String?, _ fix: FixIt) -> Bool {
    guard let help, !fix.replacement.allSatisfy(\.isWhitespace) else { return false }
    return help.contains(fix.replacement)
  }

  /// `quote the expression: replace '${a}' with '"${a}"'`.
  private static func describe(_ fix: FixIt, lines: SourceLines?) -> String {
    var original: String?
    if let lines, fix.range.start.line == fix.range.end.line, let text = lines.text(ofLine: fix.range.start.line) {
      let chars = Array(text.unicodeScalars)
      let from = min(max(fix.range.start.column - 1, 0), chars.count)
      let to = min(max(fix.range.end.column - 1, from), chars.count)
      original = String(String.UnicodeScalarView(chars[from..<to]))
    }
    let at = "\(fix.range.start.line):\(fix.range.start.column)"
    // Show tabs and line breaks as escapes: a raw tab inside quotes is invisible.
    let visible = { (s: String) in
      s.replacing("\t", with: "\\t").replacing("\n", with: "\\n").replacing("\r", with: "\\r")
    }
    original = original.map(visible)
    let replacement = visible(fix.replacement)
    switch (original, fix.replacement.isEmpty) {
    case (let o?, true): return "\(fix.message): remove '\(o)' at \(at)"
    case (let o?, false) where !o.isEmpty: return "\(fix.message): replace '\(o)' at \(at) with '\(replacement)'"
    default: return "\(fix.message): insert '\(replacement)' at \(at)"
    }
  }
}
