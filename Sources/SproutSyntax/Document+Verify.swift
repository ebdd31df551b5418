import SproutDiagnostics

extension Document {
  /// Checks the invariants of the tree and returns a description of each violation (empty when sound).
  ///
  /// Every node's range lies in this file, has 1-based positions with `start <= end`, and byte offsets
  /// within the text; the children of a collection written in place lie inside its range. Nodes copied
  /// by an alias keep their anchor's ranges and were checked where the anchor was written, so the walk
  /// does not descend into them: it costs O(size of the text), not O(size after alias expansion).
  /// Run by the tests and the fuzzer; iterative, so a deep tree cannot overflow the stack.
  public func verify() -> [String] {
    guard let root else { return [] }
    let length = text.utf8.count
    var problems: [String] = []
    var stack: [(node: Node, parent: SourceRange?, path: String)] = [(root, nil, "")]
    while let (node, parent, path) = stack.popLast() {
      let r = node.range
      let name = path.isEmpty ? "root" : path
      if r.file != file { problems.append("\(name): range in file '\(r.file)', not '\(file)'") }
      if r.start.line < 1 || r.start.column < 1 { problems.append("\(name): start \(r.start) is not 1-based") }
      if r.end < r.start { problems.append("\(name): end \(r.end) before start \(r.start)") }
      if r.start.offset < 0 || r.end.offset > length || r.end.offset < r.start.offset {
        problems.append("\(name): offsets \(r.start.offset)..<\(r.end.offset) outside 0..<\(length)")
      }
      if let parent, node.aliasRange == nil, r.start < parent.start || parent.end < r.end {
        problems.append("\(name): range \(r.start)-\(r.end) outside its parent's \(parent.start)-\(parent.end)")
      }
      if let alias = node.aliasRange {
        if alias.start.line < 1 || alias.end < alias.start || alias.end.offset > length {
          problems.append("\(name): alias range \(alias.start)-\(alias.end) is invalid")
        }
        continue
      }
      let childParent: SourceRange? = r
      switch node.content {
      case .scalar: break
      case .sequence(let items):
        for (i, item) in items.enumerated() { stack.append((item, childParent, path + "[\(i)]")) }
      case .mapping(let pairs):
        for pair in pairs {
          let key = pair.key.scalar ?? "?"
          let keyPath = path.isEmpty ? key : path + "." + key
          stack.append((pair.key, childParent, keyPath + "(key)"))
          stack.append((pair.value, childParent, keyPath))
        }
      }
    }
    return problems
  }
}
