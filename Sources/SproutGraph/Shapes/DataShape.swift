import Foundation
import SproutDiagnostics
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
  /// Class labels; `count` classes when known. `oneHot`: given as one-hot vectors of width `count`.
  case classes(count: Int?, oneHot: Bool)
  /// Not knowable before loading (a CSV target column).
  case unknown

  /// `3 classes`, `1 value`.
  public var description: String {
    switch self {
    case .values(let w): "\(w) \(w == 1 ? "value" : "values")"
    case .classes(let n?, let oneHot): "\(n) classes\(oneHot ? " (one-hot)" : "")"
    case .classes(nil, let oneHot): "class labels\(oneHot ? " (one-hot)" : "")"
    case .unknown: "targets"
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
  /// The shape of a dataset from its kind's arguments, reading only file headers; `nil` when an argument it
  /// needs is not resolved (or a file problem was found, which is appended to `problems`).
  ///
  /// Relative file paths are taken relative to `baseDirectory` (the spec's directory).
  public static func of(
    _ dataset: DatasetDef, resolve: ValueResolver, baseDirectory: String, problems: inout [DataShapeProblem]
  ) -> DataShape? {
    let args = dataset.arguments
    let oneHot = resolve.bool(args["one_hot"]) ?? false
    let keyPath = "datasets.\(dataset.id.name)"
    func file(_ name: String) -> (path: String, range: SourceRange)? {
      guard let raw = resolve.string(args[name]) else { return nil }
      let full = raw.hasPrefix("/") ? raw : (baseDirectory as NSString).appendingPathComponent(raw)
      return (full, args.argument(name)?.range ?? dataset.range)
    }
    func report(_ p: DataFileHeader.Problem, _ range: SourceRange, _ arg: String) {
      problems.append(
        DataShapeProblem(
          id: p.isMissing ? GraphDiagnostics.missingFile : GraphDiagnostics.badFile,
          message: p.isMissing
            ? "the file '\(p.path)' does not exist" : "cannot read the header of '\(p.path)': \(p.description)",
          range: range, path: "\(keyPath).\(arg)",
          help: p.isMissing ? "paths are relative to the spec's directory" : nil))
    }

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
      if let f = file("file") {
        do {
          let channels = try DataFileHeader.netpbmChannels(at: f.path)
          return DataShape(features: 2, target: .values(width: channels))
        } catch {
          report(error, f.range, "file")
          return nil
        }
      }
      return DataShape(features: 2, target: .values(width: 1))
    case "npy":
      guard let x = file("inputs"), let y = file("targets") else { return nil }
      var xs: DataFileHeader.ArrayShape?
      var ys: DataFileHeader.ArrayShape?
      do { xs = try DataFileHeader.npy(at: x.path) } catch { report(error, x.range, "inputs") }
      do { ys = try DataFileHeader.npy(at: y.path) } catch { report(error, y.range, "targets") }
      guard let xs, let ys else { return nil }
      if let n = xs.shape.first, let m = ys.shape.first, n != m {
        problems.append(
          DataShapeProblem(
            id: GraphDiagnostics.badFile, message: "the inputs have \(n) samples but the targets have \(m)",
            range: y.range,
            path: "\(keyPath).targets", help: nil))
      }
      let features = xs.shape.dropFirst().reduce(1, *)
      let integral = ys.dtype.contains("i") || ys.dtype.contains("u") || ys.dtype.contains("b")
      if ys.shape.count <= 1 {
        return DataShape(
          features: features, target: integral ? .classes(count: nil, oneHot: oneHot) : .values(width: 1))
      }
      return DataShape(features: features, target: .values(width: ys.shape.dropFirst().reduce(1, *)))
    case "csv":
      guard let f = file("path") else { return nil }
      let header = resolve.bool(args["header"]) ?? true
      do {
        let columns = try DataFileHeader.csvColumns(at: f.path)
        let target = resolve(args["target"])
        let targetRange = args.argument("target")?.range ?? dataset.range
        switch target {
        case .string(let name)? where header && !columns.contains(name):
          let near = columns.min { editDistance($0, name) < editDistance($1, name) }
          problems.append(
            DataShapeProblem(
              id: GraphDiagnostics.badFile, message: "'\(f.path)' has no column '\(name)'", range: targetRange,
              path: "\(keyPath).target",
              help: near.map { "did you mean '\($0)'? The columns are: " + columns.joined(separator: ", ") }))
          return nil
        case .int(let i)? where i < 0 || i >= columns.count:
          problems.append(
            DataShapeProblem(
              id: GraphDiagnostics.badFile,
              message: "column \(i) is out of range: '\(f.path)' has \(columns.count) columns",
              range: targetRange, path: "\(keyPath).target", help: nil))
          return nil
        default: break
        }
        return DataShape(features: columns.count - 1, target: oneHot ? .classes(count: nil, oneHot: true) : .unknown)
      } catch {
        report(error, f.range, "path")
        return nil
      }
    case "idx":
      guard let images = file("images"), let labels = file("labels") else { return nil }
      var xs: DataFileHeader.ArrayShape?
      var ys: DataFileHeader.ArrayShape?
      do { xs = try DataFileHeader.idx(at: images.path) } catch { report(error, images.range, "images") }
      do { ys = try DataFileHeader.idx(at: labels.path) } catch { report(error, labels.range, "labels") }
      guard let xs, let ys else { return nil }
      if xs.shape[0] != ys.shape[0] {
        problems.append(
          DataShapeProblem(
            id: GraphDiagnostics.badFile,
            message: "the images file has \(xs.shape[0]) samples but the labels file has \(ys.shape[0])",
            range: labels.range, path: "\(keyPath).labels", help: nil))
      }
      return DataShape(features: xs.shape.dropFirst().reduce(1, *), target: .classes(count: nil, oneHot: oneHot))
    default:
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
