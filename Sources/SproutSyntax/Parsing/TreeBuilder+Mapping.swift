import SproutDiagnostics

extension TreeBuilder {
  /// Turns a finished mapping's alternating keys and values (on the node stack) into pairs: reports duplicate keys (keeping the
  /// first) and applies merge keys.
  ///
  /// Keys are compared as `KeyIdentity` does: by text whatever the quoting (`model` and `"model"` are one key),
  /// and plain scalars also by resolved value (`16` and `0x10`).
  ///
  /// Merge keys follow the YAML 1.1 merge type, as PyYAML and Yams do: `<<: *base` or `<<: [*a, *b]`
  /// copies in every pair whose key the mapping does not define itself (under the same comparison); with a
  /// list, earlier mappings win over later ones. Merged pairs take the place of the first `<<` entry, so key
  /// order reads naturally.
  mutating func finishMapping(_ frame: Frame, diagnostics: inout Diagnostics) -> [Node.Pair] {
    let n = pairCount(from: frame.base)
    if !frame.keysNeedCheck, keysAreDistinct(from: frame.base, count: n) {
      // Every key is a scalar compared by its text alone, and no two texts are alike: the pairs stand as written.
      let pairs = takePairs(from: frame.base)
      pop(afterPairsFrom: frame.base)
      return pairs
    }
    let pairs = checkedPairs(children(from: frame.base), frame: frame, diagnostics: &diagnostics)
    discard(from: frame.base)
    return pairs
  }

  /// True when the `count` keys of the mapping whose children start at `base` have distinct fingerprints
  /// (so distinct texts).
  private func keysAreDistinct(from base: Int, count: Int) -> Bool {
    guard count > 1 else { return true }
    if count <= 16 {
      for i in 1..<count {
        let print = fingerprint(ofKey: i, from: base)
        for j in 0..<i where fingerprint(ofKey: j, from: base) == print { return false }
      }
      return true
    }
    var prints = (0..<count).map { fingerprint(ofKey: $0, from: base) }
    prints.sort()
    for i in 1..<count where prints[i] == prints[i - 1] { return false }
    return true
  }

  /// The full check, for a mapping with a merge key or keys that might be the same key written differently:
  /// `children` alternate keys and values.
  private func checkedPairs(_ children: [Node], frame: Frame, diagnostics: inout Diagnostics) -> [Node.Pair] {
    var pairs: [Node.Pair] = []
    pairs.reserveCapacity(children.count / 2)
    var identities: [KeyIdentity] = []
    identities.reserveCapacity(children.count / 2)
    // Small mappings (nearly all of them) find duplicates by comparing keys; a hash index pays off only for
    // large ones, and is built when a mapping grows past `linearLimit` pairs.
    let linearLimit = 16
    var firstIndex: [KeyIdentity.Token: Int] = [:]
    var merges: [(position: Int, value: Node)] = []
    var k = 0
    while k + 1 < children.count {
      let key = children[k]
      let value = children[k + 1]
      k += 2
      if Self.isMergeKey(key) {
        merges.append((pairs.count, value))
        continue
      }
      let identity = KeyIdentity(key)
      if pairs.count == linearLimit {
        for (i, earlier) in identities.enumerated() {
          for token in earlier.tokens where firstIndex[token] == nil { firstIndex[token] = i }
        }
      }
      let earlier =
        pairs.count < linearLimit
        ? identities.firstIndex { $0.matches(identity) }
        : identity.tokens.compactMap { firstIndex[$0] }.min()
      if let first = earlier {
        let name = Self.name(of: key)
        let firstKey = pairs[first].key
        var notes = [DiagnosticNote("first defined here", at: firstKey.aliasRange ?? firstKey.range)]
        if let why = KeyIdentity.sameness(key, as: firstKey) { notes.append(DiagnosticNote(why)) }
        diagnostics.report(
          .duplicateKey, "duplicate key '\(name)'", at: key.aliasRange ?? key.range,
          path: Self.join(path(of: frame), name), notes: notes,
          help: "remove one of the two definitions; a mapping holds one value per key")
        continue
      }
      if pairs.count >= linearLimit {
        for token in identity.tokens where firstIndex[token] == nil { firstIndex[token] = pairs.count }
      }
      pairs.append(Node.Pair(key: key, value: value))
      identities.append(identity)
    }
    guard let insertAt = merges.first?.position else { return pairs }

    var merged: [Node.Pair] = []
    var seen = Set(identities.flatMap(\.tokens))
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
        for var pair in sourcePairs {
          let tokens = KeyIdentity(pair.key).tokens
          guard !tokens.contains(where: seen.contains) else { continue }
          seen.formUnion(tokens)
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
