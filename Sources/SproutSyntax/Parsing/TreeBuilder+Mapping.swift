import SproutDiagnostics

extension TreeBuilder {
  /// Turns a finished mapping's alternating keys and values into pairs: reports duplicate keys (keeping the
  /// first) and applies merge keys.
  ///
  /// Merge keys follow the YAML 1.1 merge type, as PyYAML and Yams do: `<<: *base` or `<<: [*a, *b]`
  /// copies in every pair whose key the mapping does not define itself; with a list, earlier mappings win
  /// over later ones. Merged pairs take the place of the first `<<` entry, so key order reads naturally.
  func finishMapping(_ frame: Frame, diagnostics: inout Diagnostics) -> [Node.Pair] {
    var pairs: [Node.Pair] = []
    pairs.reserveCapacity(frame.children.count / 2)
    // Small mappings (nearly all of them) find duplicates by comparing keys; a hash index pays off only for
    // large ones, and is built when a mapping grows past `linearLimit` pairs.
    let linearLimit = 16
    var firstIndex: [Node: Int] = [:]
    var merges: [(position: Int, value: Node)] = []
    var k = 0
    while k + 1 < frame.children.count {
      let key = frame.children[k]
      let value = frame.children[k + 1]
      k += 2
      if Self.isMergeKey(key) {
        merges.append((pairs.count, value))
        continue
      }
      if pairs.count == linearLimit {
        for (i, pair) in pairs.enumerated() where firstIndex[pair.key] == nil { firstIndex[pair.key] = i }
      }
      let earlier = pairs.count < linearLimit ? pairs.firstIndex { $0.key == key } : firstIndex[key]
      if let first = earlier {
        let name = Self.name(of: key)
        diagnostics.report(
          .duplicateKey, "duplicate key '\(name)'", at: key.aliasRange ?? key.range,
          path: Self.join(path(of: frame), name),
          notes: [DiagnosticNote("first defined here", at: pairs[first].key.aliasRange ?? pairs[first].key.range)],
          help: "remove one of the two definitions; a mapping holds one value per key")
        continue
      }
      if pairs.count >= linearLimit { firstIndex[key] = pairs.count }
      pairs.append(Node.Pair(key: key, value: value))
    }
    guard let insertAt = merges.first?.position else { return pairs }

    var merged: [Node.Pair] = []
    var seen = Set(pairs.map(\.key))
    for merge in merges {
      let sources: [Node]
      switch merge.value.content {
      case .mapping: sources = [merge.value]
      case .sequence(let items): sources = items
      case .scalar:
        sources = []
        reportInvalidMerge(merge.value, frame: frame, diagnostics: &diagnostics)
      }
      for source in sources {
        guard let sourcePairs = source.mapping else {
          // An item of an aliased list was not written here: point at the alias the user wrote.
          reportInvalidMerge(source, at: merge.value.aliasRange, frame: frame, diagnostics: &diagnostics)
          continue
        }
        // Merged pairs were written at the anchor; like any alias copy they carry the alias's range.
        let via = source.aliasRange ?? merge.value.aliasRange
        for var pair in sourcePairs where seen.insert(pair.key).inserted {
          if pair.key.aliasRange == nil { pair.key.aliasRange = via }
          if pair.value.aliasRange == nil { pair.value.aliasRange = via }
          merged.append(pair)
        }
      }
    }
    pairs.insert(contentsOf: merged, at: insertAt)
    return pairs
  }

  private func reportInvalidMerge(
    _ node: Node, at range: SourceRange? = nil, frame: Frame, diagnostics: inout Diagnostics
  ) {
    diagnostics.report(
      .invalidMerge, "a merge key '<<' needs a mapping or a list of mappings, found \(node.kindDescription)",
      at: range ?? node.aliasRange ?? node.range, path: Self.join(path(of: frame), "<<"),
      help: "write '<<: *anchor' where '&anchor' names a mapping")
  }

  /// `<<` written plainly (or tagged `!!merge`) is a merge key; a quoted `"<<"` is an ordinary key.
  static func isMergeKey(_ key: Node) -> Bool {
    guard case .scalar("<<", let style) = key.content else { return false }
    return key.tag == "!!merge" || (style == .plain && key.tag == nil)
  }
}
