import SproutConfig
import Foundation
import SproutDiagnostics
import SproutFormats
import SproutSpec

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

/// A data file an argument names: its path resolved against the spec's directory, and where the argument is.
private struct FileArgument {
  var path: String
  var range: SourceRange
  var argument: String
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
  func file(_ name: String) -> FileArgument? {
    guard let raw = resolve.string(args[name]) else { return nil }
    let full = raw.hasPrefix("/") ? raw : (baseDirectory as NSString).appendingPathComponent(raw)
    return FileArgument(path: full, range: args.argument(name)?.range ?? dataset.range, argument: name)
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
    _ f: FileArgument, _ read: (String) -> Result<T, DataError>
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
  mutating func report(_ e: DataError, _ f: FileArgument) {
    let place = e.place.map { " (\($0))" } ?? ""
    problem(
      GraphDiagnostics.badFile, "cannot read '\(e.file ?? f.path)'\(place): \(e.message) (\(e.code))", at: f.range,
      f.argument, help: e.suggestion)
  }

  mutating func sampleCounts(
    _ n: Int, _ m: Int, _ what: (String, String), at f: FileArgument
  ) {
    guard n != m else { return }
    problem(
      GraphDiagnostics.badFile, "the \(what.0) have \(n) samples but the \(what.1) have \(m)", at: f.range, f.argument)
  }

  /// A generated dataset's size against the memory budget, before anything is generated: `perSample` floats for
  /// each of `samples` (features, targets and what the generator holds per sample), reported at the size argument
  /// with the size stated. Returns false (after reporting) when it does not fit.
  mutating func fits(_ argument: String, samples: Int, perSample: Int, budget: MemoryBudget = .default) -> Bool {
    let (values, overflow) = samples.multipliedReportingOverflow(by: max(1, perSample))
    do {
      // Twice: the generated arrays and the split (or standardised) copies the trainer makes of them.
      try budget.check(
        fileBytes: 0, values: overflow ? Int.max : values, copies: 2,
        what: "\(samples) \(argument == "size" ? "pixels" : "samples") of \(perSample) numbers each")
      return true
    } catch let e as DataError {
      problem(
        GraphDiagnostics.dataTooLarge, "dataset '\(dataset.id.name)' is too large: \(e.message)",
        at: args.argument(argument)?.range ?? dataset.range, argument,
        help: "lower `\(argument)`; the budget is half the machine's memory")
      return false
    } catch {
      return true  // check throws only DataError
    }
  }

  mutating func shape() -> DataShape? {
    let files = self.files
    // Sizes of generated datasets: a spec of a few bytes must not make the trainer (or lint) allocate terabytes.
    let samples = resolve.int(args["samples"])
    func targetWidth(_ classes: Int) -> Int { oneHot ? classes : 1 }
    switch dataset.kind {
    case "teacher_student":
      guard let inputs = resolve.int(args["inputs"]), let outputs = resolve.int(args["outputs"]) else { return nil }
      let task = resolve.string(args["task"]) ?? "regression"
      let hidden = max(0, resolve.int(args["hidden"]) ?? 0)
      let (wide, overflow) = inputs.addingReportingOverflow(outputs)
      let perSample = overflow ? Int.max : wide.addingReportingOverflow(hidden).partialValue
      if let samples, !fits("samples", samples: samples, perSample: perSample) { return nil }
      return DataShape(
        features: inputs,
        // Classification takes the argmax of the teacher's outputs, or the sign of a single one: 2 classes.
        target: task == "classification" ? .classes(count: max(outputs, 2), oneHot: oneHot) : .values(width: outputs))
    case "gaussian_blobs":
      guard let inputs = resolve.int(args["inputs"]), let classes = resolve.int(args["classes"]) else { return nil }
      let (perSample, overflow) = inputs.addingReportingOverflow(targetWidth(classes))
      if let samples, !fits("samples", samples: samples, perSample: overflow ? Int.max : perSample) { return nil }
      return DataShape(features: inputs, target: .classes(count: classes, oneHot: oneHot))
    case "two_spirals":
      if let samples, !fits("samples", samples: samples, perSample: 2 + targetWidth(2)) { return nil }
      return DataShape(features: 2, target: .classes(count: 2, oneHot: oneHot))
    case "sine":
      if let samples, !fits("samples", samples: samples, perSample: 2) { return nil }
      return DataShape(features: 1, target: .values(width: 1))
    case "image":
      guard let f = file("file") else {
        // A pattern: one sample per pixel, (x, y) → intensity.
        if let size = resolve.int(args["size"]) {
          let (pixels, overflow) = size.multipliedReportingOverflow(by: size)
          if !fits("size", samples: overflow ? Int.max : pixels, perSample: 3) { return nil }
        }
        return DataShape(features: 2, target: .values(width: 1))
      }
      guard let header = ask(f, files.pnmHeader) else { return nil }
      return DataShape(features: 2, target: .values(width: header.channels))
    case "npy":
      guard let x = file("inputs"), let y = file("targets") else { return nil }
      let xs = ask(x, files.npyHeader)
      let ys = ask(y, files.npyTargets)
      guard let xs, let ys else { return nil }
      sampleCounts(xs.rows, ys.header.rows, ("inputs", "targets"), at: y)
      return DataShape(
        features: xs.rowWidth, target: TargetShape(ys.targets, oneHot: oneHot),
        sampleDimensions: Array(xs.shape.dropFirst()))
    case "sequential":
      guard let x = file("inputs"), let y = file("targets") else { return nil }
      let xs = ask(x, files.npyHeader)
      let ys = ask(y, files.npyTargets)
      guard let xs, let ys, let image = resolve(args["image"])?.listValue?.compactMap(\.intValue), image.count == 3,
        image.allSatisfy({ $0 >= 1 })
      else { return nil }
      sampleCounts(xs.rows, ys.header.rows, ("inputs", "targets"), at: y)
      guard image.reduce(1, *) == xs.rowWidth else {
        problem(
          GraphDiagnostics.badFile,
          "images \(image) have \(image.reduce(1, *)) values, but the samples of '\(x.path)' have \(xs.rowWidth)",
          at: args.argument("image")?.range ?? dataset.range, "image",
          help: "give the image shape [C, H, W] of the samples")
        return nil
      }
      let order = SequenceOrder(rawValue: resolve.string(args["by"]) ?? "row") ?? .row
      return DataShape(
        features: xs.rowWidth, target: TargetShape(ys.targets, oneHot: oneHot),
        sampleDimensions: order.sequence(channels: image[0], height: image[1], width: image[2]).dimensions)
    case "idx":
      guard let images = file("images"), let labels = file("labels") else { return nil }
      let xs = ask(images, files.idxHeader)
      let ys = ask(labels, files.idxLabels)
      guard let xs, let ys else { return nil }
      sampleCounts(xs.shape.first ?? 1, ys.header.shape.first ?? 1, ("images", "labels"), at: labels)
      return DataShape(
        features: xs.rowWidth, target: TargetShape(ys.targets, oneHot: oneHot),
        sampleDimensions: Array(xs.shape.dropFirst()))
    case "csv":
      return csv()
    case "copy", "induction":
      // The catalogue's defaults (Catalogue+Transformers.swift).
      let length = resolve.int(args["length"]) ?? 32
      return DataShape(features: length, target: .tokens(length: length, vocab: resolve.int(args["vocab"]) ?? 16))
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
