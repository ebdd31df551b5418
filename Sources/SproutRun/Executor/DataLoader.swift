import Foundation
import SproutPlanner
import SproutTrain

/// A task's `data` definition → the rows of the split it names, through SproutTrain's dataset generators
/// and loaders.
///
/// Accepted shapes of the reference (the planner resolves `data: teacher.train` to one of them):
/// `{dataset: {kind: …}, name: "teacher", split: "train"}`, or a dataset definition itself with an optional
/// `part`/`use` naming the split. The dataset's streams are keyed by the plan's root seed and the dataset's
/// name, so every trial and stage sees the same samples and the same split.
enum DataLoader {
  /// Loads a data reference: the split it names, as SproutTrain's `Dataset`.
  /// - Parameters:
  ///   - seed: the root seed of the plan.
  ///   - baseDirectory: where relative file paths (npy, csv, idx, image files) are resolved.
  static func load(_ d: Definition, seed: UInt64, baseDirectory: String = ".") throws -> Dataset {
    let definition = d["dataset"] ?? d["definition"] ?? d
    let name = try d["name"]?.string() ?? d["ref"]?.string() ?? "data"
    var part: String?
    if case .string(let s)? = d["split"]?.value { part = s }
    part = try part ?? d["part"]?.string() ?? d["use"]?.string()
    let path = ["data", name]
    var dataset: Dataset
    do {
      dataset = try generate(definition, seed: seed, path: path, baseDirectory: baseDirectory)
    } catch let error as RunError {
      throw error
    } catch {
      throw RunError(.invalidTask, "\(definition.path.isEmpty ? "data" : definition.path): \(error)", cause: error)
    }
    if try definition.bool("one_hot", default: false) { dataset = dataset.oneHot() }
    var parts: [(name: String, data: Dataset)] = [(name: "all", data: dataset)]
    if case .object(let fractions)? = definition["split"]?.value {
      // Declared order is the order the spec wrote; canonical JSON sorts keys, so an explicit `split_order`
      // wins when the planner provides it.
      let order = try definition["split_order"]?.array().map { try $0.string() } ?? fractions.keys.sorted()
      let list = try order.map { key -> (name: String, fraction: Double) in
        guard let f = fractions[key]?.doubleValue else { throw definition.fail("split.\(key) is not a number") }
        return (key, f)
      }
      do { parts = try dataset.split(list, seed: seed, path: path) } catch {
        throw RunError(.invalidTask, "\(name): \(error)", cause: error)
      }
    }
    if try definition.bool("standardize", default: false), let first = parts.first?.data {
      let standardization = Standardization(fitting: first)
      parts = parts.map { ($0.name, standardization.apply(to: $0.data)) }
    }
    let chosen: Dataset
    if let part {
      guard let match = parts.first(where: { $0.name == part }) else {
        throw d.fail("dataset '\(name)' has no split '\(part)' (it has \(parts.map(\.name).joined(separator: ", ")))")
      }
      chosen = match.data
    } else {
      chosen = parts.count == 1 ? parts[0].data : dataset
    }
    return chosen
  }

  static func generate(_ a: Definition, seed: UInt64, path: [String], baseDirectory: String) throws -> Dataset {
    let (kind, _) = try a.kindAndArguments()
    func file(_ key: String) throws -> String {
      let p = try a.required(key).string()
      return p.hasPrefix("/") ? p : "\(baseDirectory)/\(p)"
    }
    switch kind {
    case "teacher_student":
      let hidden = try a.int("hidden", default: 32)
      let depth = try a.int("depth", default: 1)
      var data = try DatasetGenerator.teacherStudent(
        inputs: try a.required("inputs").int(), outputs: try a.int("outputs", default: 1),
        hidden: hidden == 0 ? [] : Array(repeating: hidden, count: depth), samples: try a.required("samples").int(),
        noise: try a.double("noise", default: 0), seed: seed, path: path)
      if try a.string("task", default: "regression") == "classification" { data = try classify(data) }
      return data
    case "gaussian_blobs":
      return try DatasetGenerator.gaussianBlobs(
        classes: try a.int("classes", default: 2), features: try a.int("inputs", default: 2),
        samples: try a.required("samples").int(), spread: try a.double("std", default: 1),
        separation: try a.double("separation", default: 4), seed: seed, path: path)
    case "two_spirals":
      return try DatasetGenerator.twoSpirals(
        samples: try a.required("samples").int(), noise: try a.double("noise", default: 0),
        turns: try a.double("turns", default: 1.5), seed: seed, path: path)
    case "sine":
      return try DatasetGenerator.sine(
        samples: try a.required("samples").int(),
        frequencies: try a.required("frequencies").array().map { try $0.double() },
        amplitudes: try a["amplitudes"]?.array().map { try $0.double() },
        phases: try a["phases"]?.array().map { try $0.double() })
    case "image":
      if a["file"] != nil { return try DatasetGenerator.image(try PNMReader.read(file: try file("file"))) }
      let size = try a.int("size", default: 64)
      let period = try a.double("period", default: 8)
      let pattern: ImagePattern
      switch try a.string("pattern", default: "checkerboard") {
      case "checkerboard": pattern = .checkerboard(period: max(1, Int(period)))
      case "rings": pattern = .rings(frequency: Double(size) / (2 * period))
      case "noise": pattern = .noise(cells: max(1, Int(Double(size) / period)))
      case let other: throw a.fail("image pattern '\(other)' is not supported by the executor")
      }
      return try DatasetGenerator.image(pattern, height: size, width: size, seed: seed, path: path)
    case "npy":
      return try Dataset.fromArrays(
        features: try NPYReader.read(file: try file("inputs")), targets: try NPYReader.read(file: try file("targets")),
        featureFile: try file("inputs"), targetFile: try file("targets"))
    case "csv":
      var options = CSVOptions(header: try a.bool("header", default: true))
      if let t = a["target"] {
        if let i = t.value.intValue { options.label = String(i) } else { options.label = try t.string() }
      }
      return try CSVReader.read(file: try file("path"), options: options)
    case "idx":
      var data = try Dataset.fromArrays(
        features: try IDXReader.read(file: try file("images")), targets: try IDXReader.read(file: try file("labels")),
        classes: 0, featureFile: try file("images"), targetFile: try file("labels"))
      if let limit = try a["limit"]?.int(), limit < data.count { data = data.subset(Array(0..<limit)) }
      return data
    default:
      throw a.fail("dataset kind '\(kind)' is not supported by the executor")
    }
  }

  /// The dataset in the target form `loss` reads: cross-entropy takes class indices, so one-hot targets
  /// (`one_hot: true`) are turned back into the index of their 1; other combinations are left as they are.
  static func fitting(_ d: Dataset, to loss: Loss) -> Dataset {
    guard loss == .crossEntropy, case .oneHot(let classes) = d.target else { return d }
    var labels = [Float](repeating: 0, count: d.count)
    for i in 0..<d.count {
      let row = d.targetRow(i)
      var best = row.startIndex
      for j in row.indices where row[j] > row[best] { best = j }
      labels[i] = Float(best - row.startIndex)
    }
    var out = d
    out.targets = labels
    out.target = .classes(count: classes)
    return out
  }

  /// Regression targets → class labels (argmax of each row; sign for one output).
  static func classify(_ d: Dataset) throws -> Dataset {
    let w = d.target.width
    var labels: [Float] = []
    labels.reserveCapacity(d.count)
    for i in 0..<d.count {
      let row = Array(d.targetRow(i))
      if w == 1 {
        labels.append(row[0] > 0 ? 1 : 0)
      } else {
        var best = 0
        for c in 1..<w where row[c] > row[best] { best = c }
        labels.append(Float(best))
      }
    }
    return try Dataset(
      features: d.features, targets: labels, count: d.count, featureCount: d.featureCount,
      target: .classes(count: max(w, 2)))
  }
}
