extension DiagnosticRenderer {
  /// Renders diagnostics as a JSON array, one object per diagnostic, in the order given.
  ///
  /// The output is pretty-printed (two-space indent, trailing newline) with keys in this fixed order,
  /// so it can be diffed and snapshot-tested. Positions are 1-based; columns count Unicode scalars;
  /// `end_line`/`end_column` is the position just after the range.
  /// ```
  /// [
  ///   {
  ///     "id": "syntax.duplicate-key",      // stable kebab-case id
  ///     "severity": "error",               // "error" | "warning" | "note"
  ///     "message": "duplicate key 'lr'",
  ///     "file": "spec.yaml", "line": 3, "column": 3, "end_line": 3, "end_column": 5,
  ///     "path": "optimizer.lr",            // key path, "" when not applicable
  ///     "help": "remove one ...",          // or null
  ///     "notes": [{"message": "first defined here", "file": "spec.yaml", "line": 2, "column": 3,
  ///                "end_line": 2, "end_column": 5}],   // location keys are null for a note without one
  ///     "fixits": [{"message": "...", "file": "...", "line": 1, "column": 1, "end_line": 1,
  ///                 "end_column": 2, "replacement": "..."}]
  ///   }
  /// ]
  /// ```
  public static func json(_ diagnostics: [Diagnostic]) -> String {
    JSONOutput.array(diagnostics.map(jsonObject)).rendered()
  }

  private static func jsonObject(_ d: Diagnostic) -> JSONOutput {
    .object(
      [
        ("id", .string(d.id.rawValue)),
        ("severity", .string(d.severity.rawValue)),
        ("message", .string(d.message)),
      ] + location(d.range) + [
        ("path", .string(d.path)),
        ("help", .optional(d.help)),
        (
          "notes",
          .array(
            d.notes.map { note in
              .object([("message", .string(note.message))] + location(note.range))
            })
        ),
        (
          "fixits",
          .array(
            d.fixIts.map { fix in
              .object(
                [("message", .string(fix.message))] + location(fix.range) + [
                  ("replacement", .string(fix.replacement))
                ])
            })
        ),
      ])
  }

  private static func location(_ range: SourceRange?) -> [(String, JSONOutput)] {
    guard let range else {
      return ["file", "line", "column", "end_line", "end_column"].map { ($0, JSONOutput.null) }
    }
    return [
      ("file", .string(range.file)),
      ("line", .int(range.start.line)),
      ("column", .int(range.start.column)),
      ("end_line", .int(range.end.line)),
      ("end_column", .int(range.end.column)),
    ]
  }
}
