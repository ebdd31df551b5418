import CYAML
import SproutDiagnostics

/// A document as the event stream delivered it, before Sprout's one-mapping-per-file rules apply.
struct ParsedDocument {
  /// The root node; `nil` only when the document had no content event.
  var root: Node?
  /// Where the document starts (its `---` when explicit).
  var start: SourceRange
  /// True when the document began with an explicit `---`.
  var explicitStart: Bool
}

/// Builds `Node` trees from libyaml events with an explicit stack (no recursion), resolving aliases and
/// merge keys, and enforcing the depth and expansion limits as it goes.
///
/// Sizes are tracked per node as the number of nodes the subtree *would* have if every alias were copied
/// out, so a "billion laughs" document is rejected from arithmetic on a few counters; the copies
/// themselves share storage (a `Node` is a value with copy-on-write arrays).
struct TreeBuilder {
  /// An open collection.
  struct Frame {
    var isMapping: Bool
    var flow: Bool
    var tag: String?
    var anchor: String?
    var start: SourceLocation
    /// Where this collection sits in its parent; its key path (`stages.train`) is built from the open frames
    /// only when a diagnostic needs it.
    var segment: PathSegment
    /// Children in order; for a mapping, keys and values alternate.
    var children: [Node] = []
    /// Expanded node count of the subtree, this node included.
    var size = 1
    /// Collection levels below this one (0 for a collection of scalars).
    var height = 0
  }

  /// A node recorded under an anchor.
  struct Anchored {
    var node: Node
    var size: Int
    var height: Int
  }

  /// Raised to stop reading when a limit is crossed or the input is broken; already reported.
  struct Stop: Error {}

  let file: SourceFileID
  let map: SourceMap
  let limits: ParseLimits
  /// Scalars the parser quoted in its copy of the input (unquoted `${...}` in flow collections), by start
  /// offset: each holds the expression as written instead of the placeholder.
  var substitutions: [Int: String] = [:]
  private var stack: [Frame] = []
  private var anchors: [String: Anchored] = [:]
  private var openAnchors: [String: Int] = [:]
  private var totalNodes = 0
  private var aliasNodes = 0
  private var currentRoot: Node?
  private var currentStart: (range: SourceRange, explicit: Bool)?
  private(set) var documents: [ParsedDocument] = []

  init(file: String, map: SourceMap, limits: ParseLimits) {
    self.file = SourceFileID(file)
    self.map = map
    self.limits = limits
  }

  /// Feeds one event; throws `Stop` after reporting when reading must end.
  mutating func consume(_ event: YAMLEvent, diagnostics: inout Diagnostics) throws {
    let range = map.range(file, event.start, event.end)
    switch event.kind {
    case .streamStart, .streamEnd:
      break
    case .documentStart(let implicit):
      anchors = [:]
      currentRoot = nil
      currentStart = (range, !implicit)
    case .documentEnd:
      documents.append(
        ParsedDocument(
          root: currentRoot, start: currentStart?.range ?? range, explicitStart: currentStart?.explicit ?? false))
      currentRoot = nil
    case .scalar(let value, let anchor, let tag, let style):
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      var node = Node(.scalar(value, style), tag: tag, range: range)
      if style == .doubleQuoted, let written = substitutions[range.start.offset] {
        node.content = .scalar(written, .plain)
      }
      if style == .literal || style == .folded { node.range = trimmedBlockScalar(range) }
      if let anchor { anchors[anchor] = Anchored(node: node, size: 1, height: 0) }
      add(node, size: 1, height: 0)
    case .alias(let name):
      try alias(name, at: range, diagnostics: &diagnostics)
    case .sequenceStart(let anchor, let tag, let flow), .mappingStart(let anchor, let tag, let flow):
      if stack.count + 1 > limits.maxDepth {
        diagnostics.report(
          .nestingTooDeep, "collections are nested more than \(limits.maxDepth) levels deep", at: range,
          help: "flatten the structure; no Sprout spec needs this depth")
        throw Stop()
      }
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      var isMapping = false
      if case .mappingStart = event.kind { isMapping = true }
      if let anchor { openAnchors[anchor, default: 0] += 1 }
      stack.append(
        Frame(isMapping: isMapping, flow: flow, tag: tag, anchor: anchor, start: range.start, segment: childSegment()))
    case .sequenceEnd, .mappingEnd:
      guard let frame = stack.popLast() else { return }
      let lastEnd = frame.children.last.map { ($0.aliasRange ?? $0.range).end }
      let end = frame.flow ? range.end : (lastEnd ?? range.end)
      let nodeRange = SourceRange(fileID: file, start: frame.start, end: end)
      let content: Node.Content =
        frame.isMapping
        ? .mapping(finishMapping(frame, diagnostics: &diagnostics)) : .sequence(frame.children)
      let node = Node(content, tag: frame.tag, range: nodeRange)
      let height = frame.height + 1
      if let anchor = frame.anchor {
        openAnchors[anchor, default: 1] -= 1
        anchors[anchor] = Anchored(node: node, size: frame.size, height: height)
      }
      add(node, size: frame.size, height: height)
    }
  }

  private mutating func alias(_ name: String, at range: SourceRange, diagnostics: inout Diagnostics) throws {
    if openAnchors[name, default: 0] > 0 {
      diagnostics.report(
        .recursiveAlias, "alias '*\(name)' refers to the node that contains it", at: range,
        help: "an alias can only repeat a node that is complete before it")
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      add(Node(.scalar("", .plain), range: range), size: 1, height: 0)
      return
    }
    guard let anchored = anchors[name] else {
      diagnostics.report(
        .undefinedAlias, "alias '*\(name)' refers to no anchor defined before it", at: range,
        help: "define the anchor first with '&\(name)' on the node to repeat")
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      add(Node(.scalar("", .plain), range: range), size: 1, height: 0)
      return
    }
    if stack.count + anchored.height > limits.maxDepth {
      diagnostics.report(
        .nestingTooDeep, "alias '*\(name)' nests collections more than \(limits.maxDepth) levels deep",
        at: range, help: "flatten the structure; no Sprout spec needs this depth")
      throw Stop()
    }
    try count(anchored.size, aliased: true, at: range, diagnostics: &diagnostics)
    var node = anchored.node
    node.aliasRange = range
    add(node, size: anchored.size, height: anchored.height)
  }

  /// Adds `n` expanded nodes to the running total and stops when it passes the limit.
  private mutating func count(
    _ n: Int, aliased: Bool, at range: SourceRange, diagnostics: inout Diagnostics
  )
    throws
  {
    totalNodes += n
    if aliased { aliasNodes += n }
    guard totalNodes > limits.maxNodes else { return }
    if aliasNodes > 0 {
      diagnostics.report(
        .tooManyNodes, "aliases expand this document to more than \(limits.maxNodes) nodes", at: range,
        help: "repeat less through aliases; an alias copies its whole anchored node each time it is used")
    } else {
      diagnostics.report(
        .tooManyNodes, "the document has more than \(limits.maxNodes) nodes", at: range,
        help: "split the data out of the spec into a dataset file")
    }
    throw Stop()
  }

  private mutating func add(_ node: Node, size: Int, height: Int) {
    guard !stack.isEmpty else {
      currentRoot = node
      return
    }
    stack[stack.count - 1].children.append(node)
    stack[stack.count - 1].size += size
    stack[stack.count - 1].height = max(stack[stack.count - 1].height, height)
  }

  /// How a collection hangs off its parent.
  enum PathSegment {
    /// The document's root, or a mapping key (which contributes nothing to the path).
    case none
    /// The value of a mapping key.
    case key(Node)
    /// An item of a sequence.
    case index(Int)
  }

  /// Where the node about to be added to the innermost open collection sits.
  private func childSegment() -> PathSegment {
    guard let parent = stack.last else { return .none }
    if parent.isMapping {
      guard parent.children.count % 2 == 1, let key = parent.children.last else { return .none }
      return .key(key)
    }
    return .index(parent.children.count)
  }

  /// The key path of `frame`, which was just taken off the top of the open frames.
  func path(of frame: Frame) -> String {
    var path = ""
    for f in stack + [frame] {
      switch f.segment {
      case .none: break
      case .key(let key): path = Self.join(path, Self.name(of: key))
      case .index(let i): path += "[\(i)]"
      }
    }
    return path
  }

  static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

  /// A key as it appears in a key path or message, kept short: every nested collection copies its path,
  /// so a megabyte-long (or alias-expanded) key must not be repeated at every level.
  static func name(of key: Node) -> String {
    guard let text = key.scalar else { return key.mapping != nil ? "{...}" : "[...]" }
    return text.count > 64 ? text.prefix(61) + "..." : text
  }

  /// A block scalar's end mark lies after its trailing line breaks; the range ends at its last character.
  private func trimmedBlockScalar(_ range: SourceRange) -> SourceRange {
    let bytes = map.bytes
    var end = range.end.offset
    let floor = range.start.offset + 1
    while end > floor, [0x0A, 0x0D, 0x20, 0x09].contains(bytes[end - 1]) { end -= 1 }
    guard end != range.end.offset else { return range }
    return SourceRange(fileID: file, start: range.start, end: map.location(ofByte: end))
  }
}
