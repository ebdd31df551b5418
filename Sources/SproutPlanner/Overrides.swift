import SproutDiagnostics
import SproutSyntax

/// `--set key=value` overrides, applied to the YAML tree before the spec is decoded, so an override is typed
/// and checked exactly like the same value written in the file (`spec.*` diagnostics), only located on the
/// command line.
///
/// Overrides are located in the pseudo-file `<command line>`: override number n (from 1) is line n and
/// columns count within its argument, so `--set stages.train.epochs=five` reports `<command line>:1:20`.
/// A renderer showing excerpts should use ``commandLineText(_:)`` as that file's text.
public enum Overrides {
  /// The file name of override ranges.
  public static let file = "<command line>"

  /// The text of the `<command line>` pseudo-file: one override per line.
  public static func commandLineText(_ sets: [String]) -> String { sets.joined(separator: "\n") }

  /// Applies `sets` (each `dotted.key=value`, the value read as YAML) to `document`'s tree.
  ///
  /// A path must lead through mappings that exist in the file; the last key may be new (the decoder then says
  /// whether it is allowed). `params.NAME` must name a declared param. Problems are `plan.bad-override` and
  /// `plan.unknown-override-key` diagnostics; a bad override is skipped and the others still apply.
  public static func apply(_ sets: [String], to document: Document, diagnostics: inout Diagnostics) -> Document {
    PlanDiagnostics.register()
    guard var root = document.root else { return document }
    for (n, text) in sets.enumerated() {
      let line = n + 1
      func span(_ from: Int, _ to: Int) -> SourceRange {
        SourceRange(
          file: file, start: SourceLocation(line: line, column: from + 1),
          end: SourceLocation(line: line, column: max(to, from + 1) + 1))
      }
      let chars = Array(text)
      guard let eq = chars.firstIndex(of: "=") else {
        diagnostics.report(
          PlanDiagnostics.badOverride, "an override must be key=value, found '\(text)'", at: span(0, chars.count),
          path: "", help: "for example --set params.lr=0.1")
        continue
      }
      // The dotted key's components with their column spans.
      var components: [(name: String, range: SourceRange)] = []
      var start = 0
      for i in 0...eq where i == eq || chars[i] == "." {
        components.append((String(chars[start..<i]), span(start, i)))
        start = i + 1
      }
      if let empty = components.first(where: { $0.name.isEmpty }) {
        diagnostics.report(
          PlanDiagnostics.badOverride, "the key '\(String(chars[..<eq]))' has an empty part", at: empty.range,
          help: "keys are dotted paths such as stages.train.epochs")
        continue
      }
      guard let value = parseValue(String(chars[(eq + 1)...]), line: line, column: eq + 1, diagnostics: &diagnostics)
      else { continue }
      if components[0].name == "params", components.count == 2, root["params"]?[components[1].name] == nil {
        let declared = root["params"]?.mapping?.compactMap(\.key.scalar) ?? []
        diagnostics.report(
          PlanDiagnostics.unknownOverrideKey, "the spec declares no param '\(components[1].name)'",
          at: components[1].range,
          path: "params",
          help: MatrixExpansion.suggestion(components[1].name, among: declared).map {
            $0.hasPrefix("did you mean") ? $0 : "declare it under params: in the spec first"
          } ?? "declare it under params: in the spec first")
        continue
      }
      if let updated = setting(components[...], to: value, in: root, prefix: "", diagnostics: &diagnostics) {
        root = updated
      }
    }
    return Document(file: document.file, text: document.text, root: root)
  }

  /// The value text read as YAML, its ranges moved onto the override's line and columns.
  static func parseValue(_ text: String, line: Int, column: Int, diagnostics: inout Diagnostics) -> Node? {
    var local = Diagnostics()
    let nodes = YAMLParser.parseStream(bytes: Array(text.utf8), file: file, diagnostics: &local)
    for d in local {
      var moved = d
      moved.range = shift(d.range, line: line, column: column)
      diagnostics.append(moved)
    }
    guard let nodes else { return nil }
    let node =
      nodes.first ?? Node(.scalar("", .plain), range: SourceRange(file: file, at: SourceLocation(line: 1, column: 1)))
    return shift(node, line: line, column: column)
  }

  static func shift(_ r: SourceRange, line: Int, column: Int) -> SourceRange {
    SourceRange(
      file: file, start: SourceLocation(line: line, column: r.start.column + column),
      end: SourceLocation(line: line, column: r.end.column + column))
  }

  static func shift(_ node: Node, line: Int, column: Int) -> Node {
    var n = node
    n.range = shift(node.range, line: line, column: column)
    switch node.content {
    case .scalar: break
    case .sequence(let items): n.content = .sequence(items.map { shift($0, line: line, column: column) })
    case .mapping(let pairs):
      n.content = .mapping(
        pairs.map {
          Node.Pair(key: shift($0.key, line: line, column: column), value: shift($0.value, line: line, column: column))
        })
    }
    return n
  }

  /// `node` with the value at `path` replaced (or the last key added); `nil` after reporting a bad path.
  static func setting(
    _ path: ArraySlice<(name: String, range: SourceRange)>, to value: Node, in node: Node, prefix: String,
    diagnostics: inout Diagnostics
  ) -> Node? {
    guard let head = path.first else { return value }
    let here = prefix.isEmpty ? head.name : "\(prefix).\(head.name)"
    guard var pairs = node.mapping else {
      diagnostics.report(
        PlanDiagnostics.unknownOverrideKey,
        "cannot set '\(head.name)' inside '\(prefix)', which the spec writes as \(node.kindDescription)",
        at: head.range,
        path: prefix, notes: [DiagnosticNote("'\(prefix)' is written here", at: node.range)],
        help: "write '\(prefix)' as a mapping in the spec to override its keys")
      return nil
    }
    if let i = pairs.firstIndex(where: { $0.key.scalar == head.name }) {
      guard
        let updated = setting(path.dropFirst(), to: value, in: pairs[i].value, prefix: here, diagnostics: &diagnostics)
      else { return nil }
      pairs[i].value = updated
    } else if path.count == 1 {
      pairs.append(Node.Pair(key: Node(.scalar(head.name, .plain), range: head.range), value: value))
    } else {
      let keys = pairs.compactMap(\.key.scalar)
      diagnostics.report(
        PlanDiagnostics.unknownOverrideKey,
        prefix.isEmpty ? "the spec has no '\(head.name)'" : "'\(prefix)' has no '\(head.name)'", at: head.range,
        path: prefix,
        help: MatrixExpansion.suggestion(head.name, among: keys).map {
          $0.hasPrefix("did you mean") ? $0 : "the keys there are: " + keys.joined(separator: ", ")
        })
      return nil
    }
    var out = node
    out.content = .mapping(pairs)
    return out
  }
}
