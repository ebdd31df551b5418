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
///
/// The children of every open collection sit on one stack of nodes (`nodes`), each collection's above its
/// parent's; when a collection ends, its children are moved (not copied) into the array its node holds, one
/// allocation of the exact size. A mapping's keys and values alternate there until then.
///
/// The builder owns manually managed memory: call `close()` once reading ends, whatever the outcome.
struct TreeBuilder {
  /// An open collection.
  struct Frame {
    var isMapping: Bool
    var flow: Bool
    var tag: String?
    var anchor: String?
    var start: SourceLocation
    /// Where this collection's children start on the node stack. Its place in its parent is
    /// `base - parent.base` (nothing is added to the parent while it is open), so the key path
    /// (`stages.train`) can be rebuilt from the open frames when a diagnostic needs it.
    var base: Int
    /// Set when some key might equal another written differently (a plain scalar that resolves to a non-string,
    /// a merge key, a tagged, aliased or collection key): then `finishMapping` compares keys in full.
    var keysNeedCheck = false
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
  /// The children of the open collections (see the type's comment): `count` initialised nodes.
  private var nodes: UnsafeMutablePointer<Node>
  private var count = 0
  private var capacity: Int
  /// For each node on the stack that is a mapping key, its text's fingerprint (`ScalarTexts`); 0 otherwise.
  private var fingerprints: [UInt64] = []
  private var texts: ScalarTexts
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
    capacity = 64
    nodes = .allocate(capacity: capacity)
    fingerprints.reserveCapacity(capacity)
    texts = ScalarTexts(byteCount: map.bytes.count)
  }

  /// Frees the node stack (and any nodes still on it after an error).
  mutating func close() {
    nodes.deinitialize(count: count)
    nodes.deallocate()
    count = 0
    capacity = 0
    nodes = .allocate(capacity: 0)
  }

  /// Feeds one event; throws `Stop` after reporting when reading must end.
  mutating func consume(_ event: borrowing yaml_event_t, diagnostics: inout Diagnostics) throws {
    let range = map.range(file, event.start_mark, event.end_mark)
    switch event.type {
    case YAML_SCALAR_EVENT:
      let s = event.data.scalar
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      let style: Node.ScalarStyle
      switch s.style {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
      case YAML_LITERAL_SCALAR_STYLE: style = .literal
      case YAML_FOLDED_SCALAR_STYLE: style = .folded
      default: style = .plain
      }
      var (value, print) = texts.text(s.value.map { UnsafePointer($0) }, count: Int(s.length))
      var written = style
      if style == .doubleQuoted, !substitutions.isEmpty, let expression = substitutions[range.start.offset] {
        (value, written, print) = (expression, .plain, ScalarTexts.fingerprint(of: expression))
      }
      let nodeRange = style == .literal || style == .folded ? trimmedBlockScalar(range) : range
      let tag = Self.tag(s.tag)
      if let anchor = Self.string(s.anchor) {
        anchors[anchor] = Anchored(node: Node(.scalar(value, written), tag: tag, range: nodeRange), size: 1, height: 0)
      }
      var fingerprint: UInt64 = 0
      if isKeyPosition {
        // A key: remember its fingerprint, and whether a different text could still be the same key.
        fingerprint = print
        if tag != nil || (value.utf8.first == UInt8(ascii: "<") && value == "<<")
          || (written == .plain && !CoreScalar.isPlainString(value))
        {
          stack[stack.count - 1].keysNeedCheck = true
        }
      }
      // Built where it will lie (through `add`, the optimiser copied each node once more).
      guard !stack.isEmpty else {
        currentRoot = Node(.scalar(value, written), tag: tag, range: nodeRange)
        return
      }
      if count == capacity { grow() }
      (nodes + count).initialize(to: Node(.scalar(value, written), tag: tag, range: nodeRange))
      count += 1
      fingerprints.append(fingerprint)
      stack[stack.count - 1].size += 1
    case YAML_ALIAS_EVENT:
      try alias(Self.string(event.data.alias.anchor) ?? "", at: range, diagnostics: &diagnostics)
    case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
      if stack.count + 1 > limits.maxDepth {
        diagnostics.report(
          .nestingTooDeep, "collections are nested more than \(limits.maxDepth) levels deep", at: range,
          help: "flatten the structure; no Sprout spec needs this depth")
        throw Stop()
      }
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      let isMapping = event.type == YAML_MAPPING_START_EVENT
      let anchor: String?
      let tag: String?
      let flow: Bool
      if isMapping {
        let m = event.data.mapping_start
        (anchor, tag, flow) = (Self.string(m.anchor), Self.tag(m.tag), m.style == YAML_FLOW_MAPPING_STYLE)
      } else {
        let q = event.data.sequence_start
        (anchor, tag, flow) = (Self.string(q.anchor), Self.tag(q.tag), q.style == YAML_FLOW_SEQUENCE_STYLE)
      }
      if let anchor { openAnchors[anchor, default: 0] += 1 }
      stack.append(Frame(isMapping: isMapping, flow: flow, tag: tag, anchor: anchor, start: range.start, base: count))
    case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
      guard let frame = stack.popLast() else { return }
      let lastEnd = count > frame.base ? (nodes[count - 1].aliasRange ?? nodes[count - 1].range).end : nil
      let end = frame.flow ? range.end : (lastEnd ?? range.end)
      let nodeRange = SourceRange(fileID: file, start: frame.start, end: end)
      let content: Node.Content =
        frame.isMapping
        ? .mapping(finishMapping(frame, diagnostics: &diagnostics)) : .sequence(takeSequence(from: frame.base))
      let node = Node(content, tag: frame.tag, range: nodeRange)
      let height = frame.height + 1
      if let anchor = frame.anchor {
        openAnchors[anchor, default: 1] -= 1
        anchors[anchor] = Anchored(node: node, size: frame.size, height: height)
      }
      addOther(consume node, size: frame.size, height: height)
    case YAML_DOCUMENT_START_EVENT:
      anchors = [:]
      currentRoot = nil
      currentStart = (range, event.data.document_start.implicit == 0)
    case YAML_DOCUMENT_END_EVENT:
      documents.append(
        ParsedDocument(
          root: currentRoot, start: currentStart?.range ?? range, explicitStart: currentStart?.explicit ?? false))
      currentRoot = nil
    default:
      break
    }
  }

  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: UnsafePointer($0)) }
  }

  /// Explicit tags in the short form users write: `tag:yaml.org,2002:str` becomes `!!str`.
  private static func tag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let full = string(pointer) else { return nil }
    let prefix = "tag:yaml.org,2002:"
    return full.hasPrefix(prefix) ? "!!" + full.dropFirst(prefix.count) : full
  }

  private mutating func alias(_ name: String, at range: SourceRange, diagnostics: inout Diagnostics) throws {
    if openAnchors[name, default: 0] > 0 {
      diagnostics.report(
        .recursiveAlias, "alias '*\(name)' refers to the node that contains it", at: range,
        help: "an alias can only repeat a node that is complete before it")
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      addOther(Node(.scalar("", .plain), range: range), size: 1, height: 0)
      return
    }
    guard let anchored = anchors[name] else {
      diagnostics.report(
        .undefinedAlias, "alias '*\(name)' refers to no anchor defined before it", at: range,
        help: "define the anchor first with '&\(name)' on the node to repeat")
      try count(1, aliased: false, at: range, diagnostics: &diagnostics)
      addOther(Node(.scalar("", .plain), range: range), size: 1, height: 0)
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
    addOther(consume node, size: anchored.size, height: anchored.height)
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

  /// Adds a node that is not a scalar written here (a collection, or an alias's copy): as a key, it makes its
  /// mapping compare keys in full.
  private mutating func addOther(_ node: consuming Node, size: Int, height: Int) {
    if isKeyPosition { stack[stack.count - 1].keysNeedCheck = true }
    add(consume node, fingerprint: 0, size: size, height: height)
  }

  /// True when the next node added is a key of the innermost open mapping.
  private var isKeyPosition: Bool {
    let top = stack.count - 1
    return top >= 0 && stack[top].isMapping && (count - stack[top].base) & 1 == 0
  }

  /// Adds a finished node to the innermost open collection (or makes it the document's root).
  private mutating func add(_ node: consuming Node, fingerprint: UInt64, size: Int, height: Int) {
    guard !stack.isEmpty else {
      currentRoot = consume node
      return
    }
    if count == capacity { grow() }
    (nodes + count).initialize(to: consume node)
    count += 1
    fingerprints.append(fingerprint)
    let top = stack.count - 1
    stack[top].size += size
    if height > stack[top].height { stack[top].height = height }
  }

  private mutating func grow() {
    let bigger = UnsafeMutablePointer<Node>.allocate(capacity: max(64, capacity * 2))
    bigger.moveInitialize(from: nodes, count: count)
    nodes.deallocate()
    nodes = bigger
    capacity = max(64, capacity * 2)
  }

  /// Moves the nodes from `base` to the top of the stack into an array and pops them.
  private mutating func takeSequence(from base: Int) -> [Node] {
    let n = count - base
    guard n > 0 else { return [] }
    let items = [Node](unsafeUninitializedCapacity: n) { buffer, initialized in
      buffer.baseAddress!.moveInitialize(from: nodes + base, count: n)
      initialized = n
    }
    pop(to: base)
    return items
  }

  /// Moves the alternating keys and values from `base` to the top of the stack into pairs and pops them
  /// (a key without a value, which libyaml never sends, is dropped).
  func takePairs(from base: Int) -> [Node.Pair] {
    let n = (count - base) / 2
    guard n > 0 else { return [] }
    return [Node.Pair](unsafeUninitializedCapacity: n) { buffer, initialized in
      let pairs = buffer.baseAddress!
      if Self.pairIsTwoNodes {
        // A pair is laid out as a key node followed by a value node, as they lie on the stack: one move.
        UnsafeMutableRawPointer(pairs).copyMemory(
          from: UnsafeRawPointer(nodes + base), byteCount: n * MemoryLayout<Node.Pair>.stride)
      } else {
        for i in 0..<n {
          let k = nodes + base + 2 * i
          (pairs + i).initialize(to: Node.Pair(key: k.move(), value: (k + 1).move()))
        }
      }
      initialized = n
    }
  }

  /// True when `Node.Pair` is laid out exactly as two consecutive `Node`s (key, then value), so an array of
  /// alternating keys and values is, byte for byte, an array of pairs. Swift values are moved bitwise.
  private static let pairIsTwoNodes =
    MemoryLayout<Node.Pair>.stride == 2 * MemoryLayout<Node>.stride
    && MemoryLayout<Node.Pair>.offset(of: \.key) == 0
    && MemoryLayout<Node.Pair>.offset(of: \.value) == MemoryLayout<Node>.stride

  /// Pops the stack down to `base` after its nodes were moved out by `takePairs` (a key without a value is
  /// deinitialised).
  mutating func pop(afterPairsFrom base: Int) {
    let moved = (count - base) & ~1
    if base + moved < count { (nodes + base + moved).deinitialize(count: count - base - moved) }
    pop(to: base)
  }

  /// Deinitialises the nodes from `base` up and pops them.
  mutating func discard(from base: Int) {
    (nodes + base).deinitialize(count: count - base)
    pop(to: base)
  }

  private mutating func pop(to base: Int) {
    count = base
    fingerprints.removeLast(fingerprints.count - base)
  }

  /// The fingerprint of key `i` of the mapping whose children start at `base`.
  func fingerprint(ofKey i: Int, from base: Int) -> UInt64 { fingerprints[base + 2 * i] }
  /// Number of complete pairs above `base`.
  func pairCount(from base: Int) -> Int { (count - base) / 2 }
  /// Copies of the alternating keys and values above `base` (for the full key check, which is rare).
  func children(from base: Int) -> [Node] { Array(UnsafeBufferPointer(start: nodes + base, count: count - base)) }

  /// How a collection hangs off its parent.
  enum PathSegment {
    /// The document's root, or a mapping key (which contributes nothing to the path).
    case none
    /// The value of a mapping key.
    case key(Node)
    /// An item of a sequence.
    case index(Int)
  }

  /// The key path of `frame`, which was just taken off the top of the open frames.
  func path(of frame: Frame) -> String {
    var path = ""
    let frames = stack + [frame]
    for (i, f) in frames.enumerated() where i > 0 {
      let parent = frames[i - 1]
      let position = f.base - parent.base
      let segment: PathSegment =
        parent.isMapping ? (position & 1 == 1 ? .key(nodes[f.base - 1]) : .none) : .index(position)
      switch segment {
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
