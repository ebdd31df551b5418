import SproutConfig
import SproutFormats

extension Dataset {
  /// The rows a task reads: the dataset `selection` names, generated or read from its files, prepared (one-hot,
  /// split, standardised) and narrowed to the selected part.
  ///
  /// A dataset's streams are keyed by the plan's root `seed` and the dataset's name (`["data", name]`), so every
  /// trial and stage that reads it sees the same samples and the same split. Files are found relative to
  /// `directory` (the spec's).
  public static func load(_ selection: DataSelection, seed: UInt64, directory: String) throws -> Dataset {
    guard selection.dataset.source.files.isEmpty else {
      return try prepare(selection, seed: seed, directory: directory)
    }
    return try GeneratedDataCache.shared.dataset(.init(selection: selection, seed: seed)) {
      try prepare(selection, seed: seed, directory: directory)
    }
  }

  /// `load` without the cache of generated datasets.
  static func prepare(_ selection: DataSelection, seed: UInt64, directory: String) throws -> Dataset {
    let config = selection.dataset
    let path = ["data", config.name]
    var dataset = try generate(config.source, seed: seed, path: path, directory: directory)
    if config.oneHot { dataset = dataset.oneHot() }
    var parts: [(name: String, data: Dataset)] = [(name: "all", data: dataset)]
    if !config.split.isEmpty {
      parts = try dataset.split(config.split.map { ($0.name, $0.fraction) }, seed: seed, path: path)
    }
    if config.standardize, let first = parts.first?.data {
      let standardization = Standardization(fitting: first)
      parts = parts.map { ($0.name, standardization.apply(to: $0.data)) }
    }
    guard let part = selection.split else { return parts.count == 1 ? parts[0].data : dataset }
    guard let match = parts.first(where: { $0.name == part }) else {
      throw DataError(
        code: "data.unknown-split",
        message: "dataset '\(config.name)' has no split '\(part)' (it has \(parts.map(\.name).joined(separator: ", ")))")
    }
    return match.data
  }

  /// The samples of a source, before any preparation.
  static func generate(_ source: DataSource, seed: UInt64, path: [String], directory: String) throws -> Dataset {
    func file(_ f: DataFile) -> String { f.location(relativeTo: directory) }
    switch source {
    case .teacherStudent(let inputs, let outputs, let samples, let hidden, let depth, let activation, let noise, let task):
      let data = try DatasetGenerator.teacherStudent(
        inputs: inputs, outputs: outputs, hidden: hidden == 0 ? [] : Array(repeating: hidden, count: depth),
        activation: activation, samples: samples, noise: noise, seed: seed, path: path)
      return task == .classification ? try data.classified() : data
    case .gaussianBlobs(let inputs, let classes, let samples, let std, let separation):
      return try DatasetGenerator.gaussianBlobs(
        classes: classes, features: inputs, samples: samples, spread: std, separation: separation, seed: seed,
        path: path)
    case .twoSpirals(let samples, let turns, let noise):
      return try DatasetGenerator.twoSpirals(samples: samples, noise: noise, turns: turns, seed: seed, path: path)
    case .sine(let samples, let frequencies, let amplitudes, let phases, let noise):
      return try DatasetGenerator.sine(
        samples: samples, frequencies: frequencies, amplitudes: amplitudes, phases: phases, noise: noise, seed: seed,
        path: path)
    case .pattern(let pattern, let size, let period):
      let shape: ProceduralPattern
      switch pattern {
      case .checkerboard: shape = .checkerboard(period: max(1, Int(period)))
      case .rings: shape = .rings(frequency: Double(size) / (2 * period))
      case .noise: shape = .noise(cells: max(1, Int(Double(size) / period)))
      case .gradient: shape = .gradient
      }
      return try DatasetGenerator.image(shape, height: size, width: size, seed: seed, path: path)
    case .imageFile(let f):
      return try DatasetGenerator.image(try PNMReader.read(file: file(f)))
    case .npy(let inputs, let targets):
      // Which targets are class labels, and how many classes they make, is decided as lint decides it.
      let y = try NPYReader.read(file: file(targets))
      return try Dataset.fromArrays(
        features: try NPYReader.read(file: file(inputs)), targets: y,
        classes: TargetRule.npy(y) == .classLabels ? 0 : nil, featureFile: file(inputs), targetFile: file(targets))
    case .csv(let f, let target, let header):
      var options = CSVOptions(header: header)
      switch target {
      case .name(let n): options.label = n
      case .index(let i): options.label = String(i)
      }
      return try Dataset(csv: CSVReader.read(file: file(f), options: options))
    case .sequential(let inputs, let targets, let image, let order, let permute):
      let y = try NPYReader.read(file: file(targets))
      let images = try Dataset.fromArrays(
        features: try NPYReader.read(file: file(inputs)), targets: y,
        classes: TargetRule.npy(y) == .classLabels ? 0 : nil, featureFile: file(inputs), targetFile: file(targets))
      return try images.sequential(image: image, order: order, permute: permute, seed: seed, path: path)
    case .tokens(let task, let samples, let length, let vocab, let scored):
      return try DatasetGenerator.tokens(
        task, samples: samples, length: length, vocab: vocab, scored: scored, seed: seed, path: path)
    case .idx(let images, let labels, let limit):
      // An IDX labels file is class labels (`TargetRule.idxLabels`), counted as lint counts them.
      var data = try Dataset.fromArrays(
        features: try IDXReader.read(file: file(images)), targets: try IDXReader.read(file: file(labels)), classes: 0,
        featureFile: file(images), targetFile: file(labels))
      if let limit, limit < data.count { data = data.subset(Array(0..<limit)) }
      return data
    }
  }

  /// The rows in the target form `loss` reads: cross-entropy takes class indices, so one-hot targets are turned
  /// back into the index of their 1; other combinations are left as they are.
  public func fitted(to loss: LossConfig) -> Dataset {
    guard loss.readsClassIndices, case .oneHot(let classes) = target else { return self }
    var labels = [Float](repeating: 0, count: count)
    for i in 0..<count {
      let row = targetRow(i)
      var best = row.startIndex
      for j in row.indices where row[j] > row[best] { best = j }
      labels[i] = Float(best - row.startIndex)
    }
    var out = self
    out.targets = labels
    out.target = .classes(count: classes)
    return out
  }

  /// Regression targets → class labels (argmax of each row; its sign for one output).
  func classified() throws -> Dataset {
    let w = target.width
    var labels: [Float] = []
    labels.reserveCapacity(count)
    for i in 0..<count {
      let row = Array(targetRow(i))
      if w == 1 {
        labels.append(row[0] > 0 ? 1 : 0)
      } else {
        var best = 0
        for c in 1..<w where row[c] > row[best] { best = c }
        labels.append(Float(best))
      }
    }
    return try Dataset(
      features: features, targets: labels, count: count, featureCount: featureCount, target: .classes(count: max(w, 2)))
  }
}
