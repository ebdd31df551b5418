import CYAML

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

  /// Reads the next event into `event` (which the caller frees with `yaml_event_delete`), or returns libyaml's
  /// error (and `event` holds nothing to free).
  func next(_ event: inout yaml_event_t) -> LibYAMLErrorBox? {
    guard initialized else {
      return LibYAMLErrorBox(
        LibYAMLError(
          stage: .memory, problem: "libyaml could not allocate its parser", problemMark: yaml_mark_t(),
          problemOffset: 0, context: nil, contextMark: nil))
    }
    guard yaml_parser_parse(parser, &event) == 1 else { return LibYAMLErrorBox(currentError()) }
    return nil
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

}

/// `LibYAMLError` as an `Error`, so it can travel in a `Result`.
struct LibYAMLErrorBox: Error, Sendable {
  var error: LibYAMLError
  init(_ error: LibYAMLError) { self.error = error }
}
