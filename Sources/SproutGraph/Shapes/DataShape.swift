import Foundation
import SproutDiagnostics
import SproutFormats
import SproutSpec

/// What a dataset gives a model: the width of its inputs and the kind of its targets.
public struct DataShape: Hashable, Sendable, CustomStringConvertible {
  /// Input features per sample.
  public var features: Int
  /// The targets.
  public var target: TargetShape

  /// Creates a shape.
  public init(features: Int, target: TargetShape) {
    self.features = features
    self.target = target
  }

  /// `16 features → 1 value`.
  public var description: String { "\(features) \(features == 1 ? "feature" : "features") → \(target)" }
}

/// The targets of a dataset.
public enum TargetShape: Hashable, Sendable, CustomStringConvertible {
  /// Real values, `width` per sample.
  case values(width: Int)
  /// Class labels; `count` classes when known (nil only for a CSV column naming more classes than lint counts).
  /// `oneHot`: given as one-hot vectors of width `count`.
  case classes(count: Int?, oneHot: Bool)

  /// `3 classes`, `1 value`.
  public var description: String {
    switch self {
    case .values(let w): "\(w) \(w == 1 ? "value" : "values")"
    case .classes(let n?, let oneHot): "\(n) classes\(oneHot ? " (one-hot)" : "")"
    case .classes(nil, let oneHot): "class labels\(oneHot ? " (one-hot)" : "")"
    }
  }

  /// The shape of a file's targets (``TargetRule``'s decision, with the classes counted).
  init(_ targets: FileTargets, oneHot: Bool) {
    switch targets {
    case .values(let width): self = .values(width: width)
    case .classes(let count): self = .classes(count: count, oneHot: oneHot)
    }
  }
}

/// A problem found while working out a dataset's shape, at the argument it concerns.
public struct DataShapeProblem: Hashable, Sendable {
  /// `graph.missing-file` or `graph.bad-file`.
  public var id: DiagnosticID
  /// What is wrong.
  public var message: String
  /// Where (the path argument's value).
  public var range: SourceRange
  /// The argument's key path.
  public var path: String
  /// A suggestion, if any.
  public var help: String?
}

extension DataShape {
  /// The shape of a dataset from its kind's arguments and what its files say; `nil` when an argument it needs is
  /// not resolved (or a file problem was found, which is appended to `problems`).
  ///
  /// Files are read through `files` with SproutFormats' readers, the trainer's own: the headers of feature
  /// files, and the whole of a label file (in bounded chunks), whose classes are counted as the trainer counts
  /// them, so a loss or output width that does not fit the labels is a lint error. Relative paths are taken
  /// relative to `baseDirectory` (the spec's directory).
  public static func of(
    _ dataset: DatasetDef, resolve: ValueResolver, baseDirectory: String, files: DataFiles,
    problems: inout [DataShapeProblem]
  ) -> DataShape? {
    var reader = DataShapeReader(
      dataset: dataset, resolve: resolve, baseDirectory: baseDirectory, files: files, problems: problems)
    defer { problems = reader.problems }
    return reader.shape()
  }
}

/// Works out one dataset's shape, collecting the problems it meets.
private struct DataShapeReader {
  let dataset: DatasetDef
  let resolve: ValueResolver
  let baseDirectory: String
  let files: DataFiles
  var problems: [DataShapeProblem]

  var args: Arguments { dataset.arguments }
  var keyPath: String { "datasets.\(dataset.id.name)" }
  var oneHot: Bool { resolve.bool(args["one_hot"]) ?? false }

  /// The file an argument names, resolved against the spec's directory, with the argument's range.
  func file(_ name: String) -> (path: String, range: SourceRange, argument: String)? {
    guard let raw = resolve.string(args[name]) else { return nil }
    let full = raw.hasPrefix("/") ? raw : (baseDirectory as NSString).appendingPathComponent(raw)
    return (full, args.argument(name)?.range ?? dataset.range, name)
  }

  mutating func problem(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, _ argument: String, help: String? = nil
  ) {
    problems.append(
      DataShapeProblem(id: id, message: message, range: range, path: "\(keyPath).\(argument)", help: help))
  }

  /// The answer `read` gives about a file, or nil after reporting why there is none: the file is missing, or
  /// the reader found a problem (reported with its code and place).
  mutating func ask<T>(
    _ f: (path: String, range: SourceRange, argument: String), _ read: (String) -> Result<T, DataError>
  ) -> T? {
    guard FileManager.default.fileExists(atPath: f.path) else {
      problem(
        GraphDiagnostics.missingFile, "the file '\(f.path)' does not exist", at: f.range, f.argument,
        help: "paths are relative to the spec's directory")
      return nil
    }
    switch read(f.path) {
    case .success(let answer): return answer
    case .failure(let e):
      report(e, f)
      return nil
    }
  }

  /// A reader's error as a `graph.bad-file` at the argument naming the file.
  mutating func report(_ e: DataError, _ f: (path: String, range: SourceRange, argument: String)) {
    let place = e.place.map { " (\($0))" } ?? ""
    problem(
      GraphDiagnostics.badFile, "cannot read '\(e.file ?? f.path)'\(place): \(e.message) (\(e.code))", at: f.range,
      f.argument, help: e.suggestion)
  }

  mutating func sampleCounts(
    _ n: Int, _ m: Int, _ what: (String, String), at f: (path: String, range: SourceRange, argument: String)
  ) {
    guard n != m else { return }
    problem(
      GraphDiagnostics.badFile, "the \(what.0) have \(n) samples but the \(what.1) have \(m)", at: f.range, f.argument)
  }

  mutating func shape() -> DataShape? {
    let files = self.files
    switch dataset.kind {
    case "teacher_student":
      guard let inputs = resolve.int(args["inputs"]), let outputs = resolve.int(args["outputs"]) else { return nil }
      let task = resolve.string(args["task"]) ?? "regression"
      return DataShape(
        features: inputs,
        // Classification takes the argmax of the teacher's outputs, or the sign of a single one: 2 classes.
        target: task == "classification" ? .classes(count: max(outputs, 2), oneHot: oneHot) : .values(width: outputs))
    case "gaussian_blobs":
      guard let inputs = resolve.int(args["inputs"]), let classes = resolve.int(args["classes"]) else { return nil }
      return DataShape(features: inputs, target: .classes(count: classes, oneHot: oneHot))
    case "two_spirals":
      return DataShape(features: 2, target: .classes(count: 2, oneHot: oneHot))
    case "sine":
      return DataShape(features: 1, target: .values(width: 1))
    case "image":
      guard let f = file("file") else { return DataShape(features: 2, target: .values(width: 1)) }
      guard let header = ask(f, files.pnmHeader) else { return nil }
      return DataShape(features: 2, target: .values(width: header.channels))
    case "npy":
      guard let x = file("inputs"), let y = file("targets") else { return nil }
      let xs = ask(x, files.npyHeader)
      let ys = ask(y, files.npyTargets)
      guard let xs, let ys else { return nil }
      sampleCounts(xs.rows, ys.header.rows, ("inputs", "targets"), at: y)
      return DataShape(features: xs.rowWidth, target: TargetShape(ys.targets, oneHot: oneHot))
    case "idx":
      guard let images = file("images"), let labels = file("labels") else { return nil }
      let xs = ask(images, files.idxHeader)
      let ys = ask(labels, files.idxLabels)
      guard let xs, let ys else { return nil }
      sampleCounts(xs.shape.first ?? 1, ys.header.shape.first ?? 1, ("images", "labels"), at: labels)
      return DataShape(features: xs.rowWidth, target: TargetShape(ys.targets, oneHot: oneHot))
    case "csv":
      return csv()
    default:
      return nil
    }
  }

  /// A CSV dataset: every column but the target is a feature; the target column is class labels
  /// (``CSVLabelColumn``), selected by name or 0-based index as the trainer selects it.
  mutating func csv() -> DataShape? {
    guard let f = file("path") else { return nil }
    let target = resolve(args["target"])
    let label: String
    switch target {
    case .string(let name)?: label = name
    case .int(let i)?: label = String(i)
    default: return nil
    }
    let header = resolve.bool(args["header"]) ?? true
    let files = self.files
    guard let summary = ask(f, { files.csv($0, header: header, label: label) }) else { return nil }
    switch summary.label {
    case .success(let targets):
      return DataShape(features: summary.columns.count - 1, target: TargetShape(targets, oneHot: oneHot))
    case .failure(let e) where e.code == "data.unknown-column":
      let columns = summary.columns
      let range = args.argument("target")?.range ?? dataset.range
      if case .int(let i)? = target {
        problem(
          GraphDiagnostics.badFile, "column \(i) is out of range: '\(f.path)' has \(columns.count) columns", at: range,
          "target")
      } else {
        let near = columns.min { editDistance($0, label) < editDistance($1, label) }
        problem(
          GraphDiagnostics.badFile, "'\(f.path)' has no column '\(label)'", at: range, "target",
          help: near.map { "did you mean '\($0)'? The columns are: " + columns.joined(separator: ", ") })
      }
      return nil
    case .failure(let e):
      report(e, f)
      return nil
    }
  }
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var row = Array(0...y.count)
  for i in 1...x.count {
    var previous = row[0]
    row[0] = i
    for j in 1...y.count {
      let old = row[j]
      row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
      previous = old
    }
  }
  return row[y.count]
}
