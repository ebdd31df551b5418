/// Why an initializer could not run, naming the tensor and what to change.
public struct InitError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Stable code, e.g. `init.shape-mismatch`.
  public var code: String
  /// What went wrong, naming the tensor.
  public var message: String
  /// The parameter concerned (`layers.0.weight`), when there is one.
  public var parameter: String?
  /// What to do about it.
  public var suggestion: String?

  /// Creates an error.
  public init(code: String, message: String, parameter: String? = nil, suggestion: String? = nil) {
    self.code = code
    self.message = message
    self.parameter = parameter
    self.suggestion = suggestion
  }

  /// `message` followed by the suggestion.
  public var description: String {
    suggestion.map { "\(message) [\(code)]; \($0)" } ?? "\(message) [\(code)]"
  }

  static func badArgument(_ parameter: String, _ kind: String, _ detail: String) -> InitError {
    InitError(code: "init.bad-argument", message: "\(kind) on '\(parameter)': \(detail)", parameter: parameter)
  }

  static func missingContext(_ parameter: String, _ kind: String, _ what: String) -> InitError {
    InitError(
      code: "init.missing-context", message: "\(kind) on '\(parameter)' needs \(what)", parameter: parameter,
      suggestion: "name a dataset (or stage) in the initializer's definition")
  }

  static func shapeMismatch(
    _ parameter: String, source: String, stage: String, model: [Int], checkpoint: [Int]
  )
    -> InitError
  {
    InitError(
      code: "init.shape-mismatch",
      message: "from_stage '\(stage)': tensor '\(source)' has shape \(checkpoint) in the checkpoint but '\(parameter)' "
        + "has shape \(model) in the model",
      parameter: parameter,
      suggestion: "map the layer to a source layer of the same shape (mapping:) or give it another rule (layers:)")
  }
}
