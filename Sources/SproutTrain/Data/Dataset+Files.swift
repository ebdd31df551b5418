import SproutFormats

extension Dataset {
  /// A dataset from a feature array `[n, …]` (trailing dimensions flattened) and a target array `[n]` or `[n, k]`.
  /// With `classes`, targets must be a single integer label per sample (`[n]` or `[n, 1]`); `classes: 0` counts
  /// them as lint does (``ClassTally``: the largest label + 1).
  public static func fromArrays(
    features: NumericArray, targets: NumericArray, classes: Int? = nil, featureFile: String? = nil,
    targetFile: String? = nil
  ) throws -> Dataset {
    guard features.shape.count >= 1, targets.shape.count >= 1, features.rows == targets.rows else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "features of shape \(features.shape) and targets of shape \(targets.shape) do not have the same "
          + "number of samples", file: targetFile ?? featureFile, field: "shape")
    }
    guard let classes else {
      return try Dataset(
        features: features.values, targets: targets.values, count: features.rows, featureCount: features.rowWidth,
        target: .regression(width: targets.rowWidth))
    }
    do {
      try TargetRule.requireOneLabelPerRow(targets.shape)
      let count = classes > 0 ? classes : try ClassTally.count(of: targets.values)
      return try Dataset(
        features: features.values, targets: targets.values, count: features.rows, featureCount: features.rowWidth,
        target: .classes(count: count))
    } catch var e as DataError {
      e.file = targetFile
      throw e
    }
  }

  /// A dataset from a CSV file's numbers (``CSVReader/read(file:options:)``).
  public init(csv: CSVData) throws {
    switch csv.targets {
    case .classes(let labels, let count, let names):
      try self.init(
        features: csv.features, targets: labels, count: csv.count, featureCount: csv.featureCount,
        target: .classes(count: count), classNames: names)
    case .values(let values, let width):
      try self.init(
        features: csv.features, targets: values, count: csv.count, featureCount: csv.featureCount,
        target: .regression(width: width))
    }
  }

  /// Checks that the dataset fits a model with `inputs` inputs and `outputs` outputs (a class dataset needs as many
  /// outputs as classes).
  public func checkFits(inputs: Int, outputs: Int, file: String? = nil) throws {
    guard featureCount == inputs else {
      throw DataError(
        code: "data.shape-mismatch", message: "the data has \(featureCount) features but the model takes \(inputs)",
        file: file, suggestion: "set the model's input to \(featureCount)")
    }
    let need = target.classCount ?? target.width
    guard need == outputs else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "the data has \(need) \(target.classCount == nil ? "target values" : "classes") per sample but the "
          + "model outputs \(outputs)", file: file, suggestion: "set the last dense layer to \(need) units")
    }
  }
}
