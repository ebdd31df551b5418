extension DiagnosticRenderer {
  /// The source line of `range` with a line-number gutter and an underline beneath the range:
  /// `^` under the first character and `~` under the rest, to the end of the first line when the range
  /// spans several. Tabs are shown as four spaces and wide (CJK, emoji) characters take two cells, so the
  /// underline stays aligned in a terminal.
  static func excerpt(
    _ range: SourceRange, lines: SourceLines?, gutter: Int, style: Style, underline severity: Severity
  ) -> [String] {
    guard let lines, let text = lines.text(ofLine: range.start.line) else { return [] }
    let scalars = Array(text.unicodeScalars)
    let first = max(range.start.column - 1, 0)
    let last: Int  // exclusive, in scalars
    if range.end.line > range.start.line {
      last = max(scalars.count, first + 1)
    } else {
      last = max(range.end.column - 1, first + 1)
    }
    var shown = ""
    var lead = 0
    var marked = 0
    for (i, scalar) in scalars.enumerated() {
      let w = width(scalar)
      shown += scalar == "\t" ? String(repeating: " ", count: w) : String(scalar)
      if i < first { lead += w } else if i < last { marked += w }
    }
    // Past the end of the line (an error at a line break or at the end of the file): pad with spaces.
    if first > scalars.count { lead += first - scalars.count }
    let extra = max(0, last - max(first, scalars.count))
    marked += extra
    let mark = "^" + String(repeating: "~", count: max(marked, 1) - 1)
    let number = String(range.start.line)
    let pad = String(repeating: " ", count: gutter - number.count)
    let blank = String(repeating: " ", count: gutter)
    return [
      style.gutter(" " + pad + number + " |") + (shown.isEmpty ? "" : " " + shown),
      style.gutter(" " + blank + " |") + " " + String(repeating: " ", count: lead) + style.underline(mark, severity),
    ]
  }

  /// Terminal cells a scalar takes: 4 for a tab, 0 for combining marks, 2 for East Asian wide characters.
  static func width(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if scalar == "\t" { return 4 }
    if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFEFF { return 0 }
    let wide: [ClosedRange<UInt32>] = [
      0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
      0x1F900...0x1F9FF, 0x20000...0x3FFFD,
    ]
    return wide.contains { $0.contains(v) } ? 2 : 1
  }

  /// ANSI styling, or none.
  struct Style {
    var enabled: Bool

    private func paint(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    func bold(_ s: String) -> String { paint(s, "1") }
    func gutter(_ s: String) -> String { paint(s, "1;34") }
    func help(_ s: String) -> String { paint(s, "1;36") }

    func severity(_ severity: Severity) -> String { paint(severity.rawValue, code(severity)) }
    func underline(_ s: String, _ severity: Severity) -> String { paint(s, code(severity)) }

    private func code(_ severity: Severity) -> String {
      switch severity {
      case .error: "1;31"
      case .warning: "1;33"
      case .note: "1;32"
      }
    }
  }
}
