import SproutDiagnostics
import SproutSyntax

extension Decoder {
  static let blockKeywords = ["product", "zip", "concat"]
  static let matrixOptions = ["include", "exclude", "sample", "order"]

  mutating func decodeMatrix(_ node: Node) -> MatrixSpec? {
    guard let pairs = expectMapping(node, path: "matrix") else { return nil }
    var children: [MatrixBlock] = []
    var include: [MatrixAssignment] = []
    var exclude: [MatrixAssignment] = []
    var sample: Int?
    var order = MatrixOrder.declared
    var ok = true
    var optionPairs: [(String, Node.Pair)] = []
    for pair in pairs {
      guard let key = scalarKey(pair, path: "matrix") else {
        ok = false
        continue
      }
      if Decoder.matrixOptions.contains(key) {
        optionPairs.append((key, pair))
      } else if let block = decodeMatrixEntry(key, pair, path: "matrix") {
        children.append(block)
      } else {
        ok = false
      }
    }
    if children.isEmpty && ok {
      report(
        "spec.matrix-empty-axis", "the matrix has no axes", at: node.range, path: "matrix",
        help: "add an axis such as 'seed: [0, 1, 2]', or remove the matrix")
      return nil
    }
    let root: MatrixBlock = children.count == 1 ? children[0] : .product(children, range: node.range)
    ok = checkDuplicateAxes(root, path: "matrix") && ok
    // Read from the YAML, so a broken block does not hide its axes from the checks below or from expressions.
    let axisNames = Decoder.declaredAxes(node)
    declaredMatrixAxes = Set(axisNames)
    for (key, pair) in optionPairs {
      let path = "matrix.\(key)"
      switch key {
      case "include", "exclude":
        guard let items = pair.value.sequence else {
          reportWrongType(pair.value, .list(.map(.string)), path: path)
          ok = false
          continue
        }
        for (i, item) in items.enumerated() {
          if let a = decodeAssignment(item, axes: axisNames, path: "\(path)[\(i)]") {
            if key == "include" { include.append(a) } else { exclude.append(a) }
          } else {
            ok = false
          }
        }
      case "sample":
        let bounds = ArgumentSpec("sample", .int, min: 1, "")
        if let v = literal(pair.value, nil, path: path) {
          if case .success(.int(let n)) = Catalogue.conform(v, to: .int, bounds: bounds) {
            sample = n
          } else {
            _ = checkScalar(v, node: pair.value, type: .int, bounds: bounds, path: path)
            ok = false
          }
        } else {
          ok = false
        }
      default:
        if let s = literalString(pair.value, path: path) {
          if let o = MatrixOrder(rawValue: s) {
            order = o
          } else {
            reportInvalidChoice(s, cases: MatrixOrder.allCases.map(\.rawValue), at: pair.value.range, path: path)
            ok = false
          }
        } else {
          ok = false
        }
      }
    }
    guard ok else { return nil }
    return MatrixSpec(root: root, include: include, exclude: exclude, sample: sample, order: order, range: node.range)
  }

  /// One key of a matrix mapping: a nested block keyword or an axis.
  mutating func decodeMatrixEntry(_ key: String, _ pair: Node.Pair, path: String) -> MatrixBlock? {
    if Decoder.blockKeywords.contains(key) { return decodeBlock(key, pair.value, path: Decoder.join(path, key)) }
    if Decoder.matrixOptions.contains(key) {
      report(
        "spec.unknown-key", "'\(key)' belongs at the top of the matrix, not inside a block", at: pair.key.range,
        path: Decoder.join(path, key))
      return nil
    }
    return decodeAxis(key, pair, path: Decoder.join(path, key)).map(MatrixBlock.axis)
  }

  /// `product:`/`zip:` take a mapping of entries or a list of mappings; `concat:` takes a list.
  mutating func decodeBlock(_ keyword: String, _ node: Node, path: String) -> MatrixBlock? {
    var children: [MatrixBlock] = []
    var ok = true
    if let pairs = node.mapping, keyword != "concat" {
      for pair in pairs {
        guard let key = scalarKey(pair, path: path) else {
          ok = false
          continue
        }
        if let b = decodeMatrixEntry(key, pair, path: path) { children.append(b) } else { ok = false }
      }
    } else if let items = node.sequence {
      for (i, item) in items.enumerated() {
        if let b = decodeBlockMapping(item, path: "\(path)[\(i)]") { children.append(b) } else { ok = false }
      }
    } else {
      report(
        "spec.wrong-type",
        keyword == "concat"
          ? "concat expects a list of blocks, found \(node.kindDescription)"
          : "\(keyword) expects a mapping of axes or a list of blocks, found \(node.kindDescription)",
        at: node.range, path: path)
      return nil
    }
    guard ok else { return nil }
    if children.isEmpty {
      report("spec.matrix-empty-axis", "\(keyword) has nothing to combine", at: node.range, path: path)
      return nil
    }
    switch keyword {
    case "zip":
      if Set(children.map(\.count)).count > 1 {
        let lengths = children.map(Decoder.lengthPhrase)
        let listed = lengths.dropLast().joined(separator: ", ") + " and " + (lengths.last ?? "")
        report(
          "spec.matrix-zip-length", "zip pairs its blocks value by value, but \(listed)", at: node.range,
          path: path, notes: zip(children, lengths).map { DiagnosticNote($1, at: $0.range) },
          help: "zip pairs the i-th values of each axis; give every axis the same number of values, or use product")
        return nil
      }
      return .zip(children, range: node.range)
    case "concat": return .concat(children, range: node.range)
    default: return .product(children, range: node.range)
    }
  }

  /// How many assignments a block gives, in words: "'init' has 2 values", "product (seed, width) has 6".
  static func lengthPhrase(_ block: MatrixBlock) -> String {
    let n = block.count
    switch block {
    case .axis(let a): return "'\(a.name)' has \(n) value\(n == 1 ? "" : "s")"
    case .product, .zip, .concat:
      var names: [String] = []
      block.visitAxes { if !names.contains($0.name) { names.append($0.name) } }
      let keyword: String
      switch block {
      case .zip: keyword = "zip"
      case .concat: keyword = "concat"
      default: keyword = "product"
      }
      return "\(keyword) (\(names.joined(separator: ", "))) has \(n)"
    }
  }

  /// Every axis name written in a matrix, in order, read from the YAML alone: when a block is broken, the
  /// decoded matrix is missing, but expressions reading its axes and include/exclude entries can still be
  /// checked against the names.
  static func declaredAxes(_ matrix: Node) -> [String] {
    var names: [String] = []
    var pending: [Node] = [matrix]
    var i = 0
    while i < pending.count {
      let node = pending[i]
      i += 1
      if let items = node.sequence {
        pending.append(contentsOf: items)
        continue
      }
      for pair in node.mapping ?? [] {
        guard let key = pair.key.scalar, !matrixOptions.contains(key) else { continue }
        if blockKeywords.contains(key) {
          pending.append(pair.value)
        } else if !names.contains(key) {
          names.append(key)
        }
      }
    }
    return names
  }

  /// A mapping inside a block list: its entries' product (or the single entry).
  mutating func decodeBlockMapping(_ node: Node, path: String) -> MatrixBlock? {
    guard let pairs = node.mapping, !pairs.isEmpty else {
      report(
        "spec.wrong-type", "expected a mapping of axes or a block, found \(node.kindDescription)",
        at: node.range, path: path)
      return nil
    }
    var children: [MatrixBlock] = []
    var ok = true
    for pair in pairs {
      guard let key = scalarKey(pair, path: path) else {
        ok = false
        continue
      }
      if let b = decodeMatrixEntry(key, pair, path: path) { children.append(b) } else { ok = false }
    }
    guard ok else { return nil }
    return children.count == 1 ? children[0] : .product(children, range: node.range)
  }

  mutating func decodeAxis(_ name: String, _ pair: Node.Pair, path: String) -> MatrixAxis? {
    guard checkName(name, at: pair.key.range, path: path, what: "axis") else { return nil }
    let items: [Node]
    if let seq = pair.value.sequence {
      items = seq
    } else if pair.value.scalar != nil, !pair.value.isNull {
      items = [pair.value]
    } else {
      reportWrongType(pair.value, .list(.string), path: path, help: "write the axis values as a list: [a, b, c]")
      return nil
    }
    if items.isEmpty {
      report(
        "spec.matrix-empty-axis", "axis '\(name)' has no values, so the matrix has no trials",
        at: pair.value.range, path: path)
      return nil
    }
    var values: [Value] = []
    var ranges: [SourceRange] = []
    var ok = true
    for (i, item) in items.enumerated() {
      let itemPath = "\(path)[\(i)]"
      guard let v = literal(item, nil, path: itemPath) else {
        ok = false
        continue
      }
      if name == "seed", (v.intValue ?? -1) < 0 {
        report(
          "spec.wrong-type", "the seed axis takes integers ≥ 0, found \(item.kindDescription)", at: item.range,
          path: itemPath)
        ok = false
        continue
      }
      values.append(v)
      ranges.append(item.range)
    }
    guard ok else { return nil }
    return MatrixAxis(
      name: name, values: values, nameRange: pair.key.range, range: pair.value.range,
      valueRanges: ranges)
  }

  mutating func decodeAssignment(_ node: Node, axes: [String]?, path: String) -> MatrixAssignment? {
    guard let pairs = node.mapping, !pairs.isEmpty else {
      report(
        "spec.wrong-type", "expected a mapping of axis values such as {seed: 2}, found \(node.kindDescription)",
        at: node.range, path: path)
      return nil
    }
    var entries: [MatrixAssignment.Entry] = []
    var ok = true
    for pair in pairs {
      guard let key = scalarKey(pair, path: path) else {
        ok = false
        continue
      }
      if let axes, !axes.contains(key) {
        let suggestion = Suggestions.nearest(key, among: axes)
        report(
          "spec.matrix-unknown-axis", "the matrix has no axis '\(key)'", at: pair.key.range,
          path: Decoder.join(path, key),
          help: suggestion.map { "did you mean '\($0)'?" } ?? "axes: " + axes.joined(separator: ", "),
          fixIts: suggestion.map { [FixIt("replace with '\($0)'", range: pair.key.range, replacement: $0)] } ?? [])
        ok = false
        continue
      }
      if let v = literal(pair.value, nil, path: Decoder.join(path, key)) {
        entries.append(.init(axis: key, value: v))
      } else {
        ok = false
      }
    }
    return ok ? MatrixAssignment(entries: entries, range: node.range) : nil
  }

  /// Within one product or zip, an axis may appear once (concat branches may repeat axes).
  mutating func checkDuplicateAxes(_ block: MatrixBlock, path: String) -> Bool {
    func names(_ b: MatrixBlock) -> [MatrixAxis] {
      switch b {
      case .axis(let a): return [a]
      case .product(let c, _), .zip(let c, _): return c.flatMap(names)
      case .concat(let c, _):
        var seen: [String: MatrixAxis] = [:]
        for a in c.flatMap(names) where seen[a.name] == nil { seen[a.name] = a }
        return Array(seen.values).sorted { $0.nameRange.start < $1.nameRange.start }
      }
    }
    var ok = true
    // A nested product is visited on its own and as part of its parent: report each repeated axis once.
    var reported: Set<SourceLocation> = []
    func visit(_ b: MatrixBlock, _ d: inout Decoder) {
      switch b {
      case .axis: return
      case .concat(let c, _): for child in c { visit(child, &d) }
      case .product(let c, _), .zip(let c, _):
        var seen: [String: MatrixAxis] = [:]
        for a in c.flatMap(names) {
          if let first = seen[a.name] {
            ok = false
            guard reported.insert(a.nameRange.start).inserted else { continue }
            d.report(
              "spec.matrix-duplicate-axis", "axis '\(a.name)' appears twice in one combination",
              at: a.nameRange, path: path, notes: [DiagnosticNote("first here", at: first.nameRange)],
              help: "an axis can take one value per trial; merge the two lists or use concat")
            ok = false
          } else {
            seen[a.name] = a
          }
        }
        for child in c { visit(child, &d) }
      }
    }
    visit(block, &self)
    return ok
  }
}
