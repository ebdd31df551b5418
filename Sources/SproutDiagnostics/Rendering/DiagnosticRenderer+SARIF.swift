extension DiagnosticRenderer {
  /// The SARIF 2.1.0 schema URI written into `$schema`.
  public static let sarifSchemaURI =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

  /// Renders diagnostics as a SARIF 2.1.0 log with one run of the tool "sprout".
  ///
  /// The driver lists a rule for every id used (sorted by id), with the catalogue's summary, default level
  /// and a `helpUri` of `<documentation>#<id>`. Each result has `ruleId`, `ruleIndex`, `level`,
  /// `message.text`, one physical location (the file name as given, URI-escaped, and a region whose end
  /// column is exclusive), notes with a range as `relatedLocations`, fix-its as `fixes`, and the key path
  /// and help line in its property bag. Columns are Unicode code points (`columnKind`).
  ///
  /// - Parameters:
  ///   - toolVersion: the `sprout` version, recorded as `tool.driver.version`.
  ///   - documentation: where docs/diagnostics.md lives; relative by default, pass an absolute URL to make
  ///     the links work outside the repository.
  public static func sarif(
    _ diagnostics: [Diagnostic], toolVersion: String, documentation: String = "docs/diagnostics.md"
  ) -> String {
    let ids = Array(Set(diagnostics.map(\.id))).sorted()
    let ruleIndex = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
    let rules: [JSONOutput] = ids.map { id in
      let entry = id.entry
      let summary = entry?.summary ?? diagnostics.first { $0.id == id }?.message ?? id.rawValue
      return .object([
        ("id", .string(id.rawValue)),
        ("shortDescription", .object([("text", .string(summary))])),
        ("defaultConfiguration", .object([("level", .string(level(id.defaultSeverity)))])),
        ("helpUri", .string(documentation + "#" + id.rawValue)),
      ])
    }
    let results: [JSONOutput] = diagnostics.map { d in
      var members: [(String, JSONOutput)] = [
        ("ruleId", .string(d.id.rawValue)),
        ("ruleIndex", .int(ruleIndex[d.id] ?? 0)),
        ("level", .string(level(d.severity))),
        ("message", .object([("text", .string(d.message))])),
        ("locations", .array([.object([("physicalLocation", physicalLocation(d.range))])])),
      ]
      let related = d.notes.enumerated().compactMap { i, note -> JSONOutput? in
        guard let range = note.range else { return nil }
        return .object([
          ("id", .int(i)),
          ("physicalLocation", physicalLocation(range)),
          ("message", .object([("text", .string(note.message))])),
        ])
      }
      if !related.isEmpty { members.append(("relatedLocations", .array(related))) }
      if !d.fixIts.isEmpty { members.append(("fixes", .array(d.fixIts.map(fix)))) }
      var properties: [(String, JSONOutput)] = []
      if !d.path.isEmpty { properties.append(("path", .string(d.path))) }
      if let help = d.help { properties.append(("help", .string(help))) }
      let loose = d.notes.filter { $0.range == nil }.map { JSONOutput.string($0.message) }
      if !loose.isEmpty { properties.append(("notes", .array(loose))) }
      if !properties.isEmpty { members.append(("properties", .object(properties))) }
      return .object(members)
    }
    let driver: JSONOutput = .object([
      ("name", .string("sprout")),
      ("version", .string(toolVersion)),
      ("rules", .array(rules)),
    ])
    let run: JSONOutput = .object([
      ("tool", .object([("driver", driver)])),
      ("columnKind", .string("unicodeCodePoints")),
      ("results", .array(results)),
    ])
    return JSONOutput.object([
      ("$schema", .string(sarifSchemaURI)),
      ("version", .string("2.1.0")),
      ("runs", .array([run])),
    ]).rendered()
  }

  private static func level(_ severity: Severity) -> String {
    switch severity {
    case .error: "error"
    case .warning: "warning"
    case .note: "note"
    }
  }

  private static func physicalLocation(_ range: SourceRange) -> JSONOutput {
    .object([
      ("artifactLocation", .object([("uri", .string(uri(range.file)))])),
      ("region", region(range)),
    ])
  }

  private static func region(_ range: SourceRange) -> JSONOutput {
    let start = (max(range.start.line, 1), max(range.start.column, 1))
    var end = (max(range.end.line, 1), max(range.end.column, 1))
    if end < start { end = start }
    return .object([
      ("startLine", .int(start.0)),
      ("startColumn", .int(start.1)),
      ("endLine", .int(end.0)),
      ("endColumn", .int(end.1)),
    ])
  }

  private static func fix(_ fix: FixIt) -> JSONOutput {
    .object([
      ("description", .object([("text", .string(fix.message))])),
      (
        "artifactChanges",
        .array([
          .object([
            ("artifactLocation", .object([("uri", .string(uri(fix.range.file)))])),
            (
              "replacements",
              .array([
                .object([
                  ("deletedRegion", region(fix.range)),
                  ("insertedContent", .object([("text", .string(fix.replacement))])),
                ])
              ])
            ),
          ])
        ])
      ),
    ])
  }

  /// A file name as a URI reference: relative paths stay relative, absolute ones become `file://` URIs;
  /// every byte outside RFC 3986's unreserved set and `/` is percent-encoded.
  static func uri(_ path: String) -> String {
    var out = path.hasPrefix("/") ? "file://" : ""
    for byte in path.utf8 {
      let c = Character(Unicode.Scalar(byte))
      if byte < 0x80 && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
        out.append(c)
      } else {
        let hex = String(byte, radix: 16, uppercase: true)
        out += "%" + (hex.count == 1 ? "0" : "") + hex
      }
    }
    return out
  }
}
