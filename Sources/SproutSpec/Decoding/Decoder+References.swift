import SproutDiagnostics

extension Decoder {
  func defined(_ sort: DefinitionSort, _ name: String) -> Bool {
    definedNames[sort]?.contains(name) == true
  }

  func names(_ sort: DefinitionSort) -> [String] {
    switch sort {
    case .dataset: return spec.datasets.map(\.id.name)
    case .model: return spec.models.map(\.id.name)
    case .initializer: return spec.initializers.map(\.id.name)
    case .stage: return spec.stages.map(\.id.name)
    }
  }

  /// Resolves every reference now that all definitions are known: literal names, and the values of a matrix axis
  /// (or a param) when a reference is written as `${matrix.AXIS}`.
  mutating func resolveReferences() {
    for sort in DefinitionSort.allCases { definedNames[sort] = Set(names(sort)) }
    var refs = pending
    // Expression-valued references: every value they can take must name a definition of the right sort.
    for (e, sort, p, owner) in pendingExpressions {
      if e.expression.references.contains(where: { isUnavailable($0.path) }) {
        // Its values are unknown (a broken param or matrix, reported there): any definition may be the one meant.
        unknownReferenceSorts.insert(sort)
        continue
      }
      if case .reference(let path) = e.expression.node, path == ["matrix", path.last ?? ""], let m = spec.matrix {
        // `${matrix.AXIS}`: point at each offending value in the matrix itself.
        var ranges: [Value: SourceRange] = [:]
        m.root.visitAxes { axis in
          guard axis.name == path[1] else { return }
          for (v, r) in zip(axis.values, axis.valueRanges) where ranges[v] == nil { ranges[v] = r }
        }
        for v in m.values(ofAxis: path[1]) {
          let r = ranges[v] ?? e.range
          guard case .string(let s) = v else {
            report(
              "spec.wrong-type",
              "matrix axis '\(path[1])' holds \(v.kindDescription), but '\(p.split(separator: ".").last ?? "")' needs "
                + "the name of \(sort.withArticle)", at: r, path: p, notes: [DiagnosticNote("used here", at: e.range)])
            if let owner { brokenOwners.insert(owner) }
            continue
          }
          refs.append(reference(s, sort, at: r, path: p, owner: owner, viaAxis: path[1]))
        }
        continue
      }
      var seen: Set<String> = []
      var found: [(String, String?)] = []
      forEachEvaluation(e) { result, assignment in
        if case .success(.string(let s)) = result, seen.insert(s).inserted { found.append((s, assignment())) }
        return true
      }
      for (s, when) in found {
        var ref = reference(s, sort, at: e.range, path: p, owner: owner, viaAxis: nil)
        ref.when = when
        refs.append(ref)
      }
    }
    for ref in refs {
      let before = diagnostics.errorCount
      resolve(ref)
      if diagnostics.errorCount > before, let owner = ref.owner { brokenOwners.insert(owner) }
    }
    dropBrokenDefinitions(refs)
  }

  /// Later phases only see definitions whose references all resolve: a definition with a failed reference is
  /// dropped, and so (silently, to a fixpoint) is every definition that refers to a dropped one.
  mutating func dropBrokenDefinitions(_ refs: [PendingReference]) {
    for o in brokenOwners { markInvalid(o.sort, o.name) }
    var changed = true
    while changed {
      changed = false
      for ref in refs {
        guard let owner = ref.owner, !brokenOwners.contains(owner),
          spec.invalidNames[ref.sort]?.contains(ref.name) == true
        else { continue }
        brokenOwners.insert(owner)
        markInvalid(owner.sort, owner.name)
        changed = true
      }
    }
    guard !brokenOwners.isEmpty else { return }
    let broken = brokenOwners
    spec.datasets.removeAll { broken.contains(UsedName(sort: .dataset, name: $0.id.name)) }
    spec.models.removeAll { broken.contains(UsedName(sort: .model, name: $0.id.name)) }
    spec.initializers.removeAll { broken.contains(UsedName(sort: .initializer, name: $0.id.name)) }
    spec.stages.removeAll { broken.contains(UsedName(sort: .stage, name: $0.id.name)) }
  }

  func reference(
    _ text: String, _ sort: DefinitionSort, at range: SourceRange, path: String, owner: UsedName?,
    viaAxis: String?
  ) -> PendingReference {
    let ref = sort == .dataset ? DataReference(parsing: text) : DataReference(dataset: DatasetID(text))
    return PendingReference(
      name: ref?.dataset.name ?? text, split: ref?.split, sort: sort, range: range, path: path, viaAxis: viaAxis,
      owner: owner)
  }

  mutating func resolve(_ ref: PendingReference) {
    let via =
      ref.viaAxis.map { " (a value of matrix axis '\($0)')" } ?? ref.when.map { " (the value when \($0))" } ?? ""
    if defined(ref.sort, ref.name) {
      used.insert(UsedName(sort: ref.sort, name: ref.name))
      if let split = ref.split, ref.sort == .dataset, let ds = spec.dataset(DatasetID(ref.name)) {
        let splits = ds.splits.map(\.name)
        if !splits.contains(split) {
          let suggestion = Suggestions.nearest(split, among: splits)
          report(
            "spec.undefined-split",
            splits.isEmpty
              ? "dataset '\(ref.name)' has no splits, so '\(ref.name).\(split)' names nothing\(via)"
              : "dataset '\(ref.name)' has no split '\(split)'\(via)", at: ref.range, path: ref.path,
            notes: [DiagnosticNote("'\(ref.name)' is defined here", at: ds.nameRange)],
            help: suggestion.map { "did you mean '\(ref.name).\($0)'?" }
              ?? (splits.isEmpty
                ? "add 'split: {\(split): 0.8, ...}' to the dataset, or use '\(ref.name)'"
                : "its splits: " + splits.joined(separator: ", ")))
        }
      }
      return
    }
    if spec.invalidNames[ref.sort]?.contains(ref.name) == true { return }
    let others = spec.sorts(defining: ref.name).filter { $0 != ref.sort }
    if let other = others.first {
      report(
        "spec.wrong-sort", "'\(ref.name)' is \(other.withArticle), but \(ref.sort.withArticle) is needed here\(via)",
        at: ref.range, path: ref.path,
        help: names(ref.sort).isEmpty
          ? "define \(ref.sort.withArticle) under '\(ref.sort.section):'"
          : "\(ref.sort.section): " + names(ref.sort).joined(separator: ", "))
      return
    }
    let kindSort: Sort? = ref.sort == .dataset ? .dataset : ref.sort == .initializer ? .initializer : nil
    if let kindSort, Catalogue.kind(kindSort, ref.name) != nil {
      let example = ref.sort == .initializer ? "he: {kind: \(ref.name)}" : "mine: {kind: \(ref.name), ...}"
      report(
        "spec.undefined-reference",
        "'\(ref.name)' is \(kindSort.withArticle) kind, not the name of \(ref.sort.withArticle) definition\(via)",
        at: ref.range, path: ref.path,
        help: "define one under '\(ref.sort.section):' (\(example)) and refer to it by its name")
      return
    }
    let suggestion = Suggestions.nearest(ref.name, among: names(ref.sort))
    report(
      "spec.undefined-reference", "no \(ref.sort.rawValue) named '\(ref.name)'\(via)", at: ref.range, path: ref.path,
      help: suggestion.map { "did you mean '\($0)'?" }
        ?? (names(ref.sort).isEmpty
          ? "define it under '\(ref.sort.section):'"
          : "\(ref.sort.section): " + names(ref.sort).joined(separator: ", ")),
      fixIts: suggestion.map { [FixIt("replace with '\($0)'", range: ref.range, replacement: $0)] } ?? [])
  }

  /// Warnings for definitions, params and axes nothing uses (stages are the experiment's outputs: never unused).
  mutating func reportUnused() {
    for d in spec.datasets where !used.contains(UsedName(sort: .dataset, name: d.id.name)) {
      unused(.dataset, d.id.name, at: d.nameRange)
    }
    for m in spec.models where !used.contains(UsedName(sort: .model, name: m.id.name)) {
      unused(.model, m.id.name, at: m.nameRange)
    }
    for i in spec.initializers where !used.contains(UsedName(sort: .initializer, name: i.id.name)) {
      unused(.initializer, i.id.name, at: i.nameRange)
    }
    for p in spec.params where !readParams.contains(p.name) {
      report(
        "spec.unused-param", "param '\(p.name)' is never used", at: p.keyRange, path: "params.\(p.name)",
        help: "refer to it as ${params.\(p.name)}, or remove it")
    }
    if let m = spec.matrix {
      var reported: Set<String> = []
      m.root.visitAxes { axis in
        guard axis.name != "seed", !readAxes.contains(axis.name), !reported.contains(axis.name) else { return }
        reported.insert(axis.name)
        report(
          "spec.unused-axis", "matrix axis '\(axis.name)' is never used, so its trials only repeat each other",
          at: axis.nameRange, path: "matrix.\(axis.name)",
          help: "refer to it as ${matrix.\(axis.name)}, name it 'seed' to vary the seed, or remove it")
      }
    }
  }

  mutating func unused(_ sort: DefinitionSort, _ name: String, at range: SourceRange) {
    guard !unknownReferenceSorts.contains(sort) else { return }
    report(
      "spec.unused-definition", "\(sort.rawValue) '\(name)' is defined but never used", at: range,
      path: "\(sort.section).\(name)", help: "refer to it from a stage, or remove it")
  }
}

/// A definition some reference reached.
struct UsedName: Hashable {
  var sort: DefinitionSort
  var name: String
}
