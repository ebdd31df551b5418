import CYAML

/// One libyaml event, copied out of C memory, with its marks.
struct YAMLEvent {
  /// What the event says.
  enum Kind {
    case streamStart
    case streamEnd
    case documentStart(implicit: Bool)
    case documentEnd
    case alias(anchor: String)
    case scalar(String, anchor: String?, tag: String?, style: Node.ScalarStyle)
    case sequenceStart(anchor: String?, tag: String?, flow: Bool)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?, flow: Bool)
    case mappingEnd
  }

  var kind: Kind
  var start: yaml_mark_t
  var end: yaml_mark_t
}

/// What libyaml reported when it stopped: its problem, the context it was in, and both marks.
struct LibYAMLError {
  /// Which stage of libyaml failed.
  enum Stage { case memory, reader, scanner, parser, other }

  var stage: Stage
  var problem: String
  var problemMark: yaml_mark_t
  /// For reader errors, the byte offset of the offending input.
  var problemOffset: Int
  var context: String?
  var contextMark: yaml_mark_t?
}

/// A pull parser over libyaml's event API.
///
/// The caller pulls one event at a time and may stop whenever it likes; this is how the depth limit stops
/// reading a 100,000-deep document after a few hundred events instead of letting libyaml scan it all.
/// The input buffer must outlive the reader (the caller keeps it alive with `withUnsafeBufferPointer`).
final class LibYAMLReader {
  private let parser: UnsafeMutablePointer<yaml_parser_t>
  private let initialized: Bool

  /// Starts reading `input`, which must not be empty (libyaml asserts a non-null buffer).
  init(input: UnsafeBufferPointer<UInt8>) {
    parser = .allocate(capacity: 1)
    initialized = yaml_parser_initialize(parser) == 1
    if initialized, let base = input.baseAddress {
      yaml_parser_set_input_string(parser, base, input.count)
    }
  }

  deinit {
    if initialized { yaml_parser_delete(parser) }
    parser.deallocate()
  }

  /// The next event, or libyaml's error.
  func next() -> Result<YAMLEvent, LibYAMLErrorBox> {
    guard initialized else {
      return .failure(
        LibYAMLErrorBox(
          LibYAMLError(
            stage: .memory, problem: "libyaml could not allocate its parser", problemMark: yaml_mark_t(),
            problemOffset: 0, context: nil, contextMark: nil)))
    }
    var event = yaml_event_t()
    guard yaml_parser_parse(parser, &event) == 1 else { return .failure(LibYAMLErrorBox(currentError())) }
    defer { yaml_event_delete(&event) }
    return .success(YAMLEvent(kind: Self.kind(of: event), start: event.start_mark, end: event.end_mark))
  }

  private func currentError() -> LibYAMLError {
    let p = parser.pointee
    let stage: LibYAMLError.Stage
    switch p.error {
    case YAML_MEMORY_ERROR: stage = .memory
    case YAML_READER_ERROR: stage = .reader
    case YAML_SCANNER_ERROR: stage = .scanner
    case YAML_PARSER_ERROR: stage = .parser
    default: stage = .other
    }
    let problem = p.problem.map { String(cString: $0) } ?? "unknown libyaml error"
    let context = p.context.map { String(cString: $0) }
    return LibYAMLError(
      stage: stage, problem: problem, problemMark: p.problem_mark, problemOffset: Int(p.problem_offset),
      context: context, contextMark: context == nil ? nil : p.context_mark)
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

  private static func kind(of event: yaml_event_t) -> YAMLEvent.Kind {
    switch event.type {
    case YAML_STREAM_START_EVENT: return .streamStart
    case YAML_STREAM_END_EVENT: return .streamEnd
    case YAML_DOCUMENT_START_EVENT: return .documentStart(implicit: event.data.document_start.implicit != 0)
    case YAML_DOCUMENT_END_EVENT: return .documentEnd
    case YAML_ALIAS_EVENT: return .alias(anchor: string(event.data.alias.anchor) ?? "")
    case YAML_SCALAR_EVENT:
      let s = event.data.scalar
      let value = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(s.length)), as: UTF8.self) }
      let style: Node.ScalarStyle
      switch s.style {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
      case YAML_LITERAL_SCALAR_STYLE: style = .literal
      case YAML_FOLDED_SCALAR_STYLE: style = .folded
      default: style = .plain
      }
      return .scalar(value ?? "", anchor: string(s.anchor), tag: tag(s.tag), style: style)
    case YAML_SEQUENCE_START_EVENT:
      let s = event.data.sequence_start
      return .sequenceStart(anchor: string(s.anchor), tag: tag(s.tag), flow: s.style == YAML_FLOW_SEQUENCE_STYLE)
    case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
    case YAML_MAPPING_START_EVENT:
      let m = event.data.mapping_start
      return .mappingStart(anchor: string(m.anchor), tag: tag(m.tag), flow: m.style == YAML_FLOW_MAPPING_STYLE)
    case YAML_MAPPING_END_EVENT: return .mappingEnd
    default: return .streamEnd
    }
  }
}

/// `LibYAMLError` as an `Error`, so it can travel in a `Result`.
struct LibYAMLErrorBox: Error, Sendable {
  var error: LibYAMLError
  init(_ error: LibYAMLError) { self.error = error }
}
