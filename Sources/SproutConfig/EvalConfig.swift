/// Evaluation during training: held-out metrics of a train or finetune stage's model every `every` steps, written as
/// their own series (`eval/loss`, `eval/accuracy`, ...) beside the training records.
public struct EvalConfig: Hashable, Sendable, Codable {
  /// The held-out rows.
  public var data: DataSelection
  /// Steps between evaluations (the first and last steps are always evaluated); nil spreads about
  /// ``TrainingConfig/defaultRecords`` evaluations over the stage.
  public var every: Int?
  /// What to record (metrics of the model on `data`, in evaluation mode).
  public var record: [MetricConfig]

  /// The prefix of the eval series' keys in metrics.jsonl.
  public static let prefix = "eval/"

  /// Creates an evaluation configuration.
  public init(data: DataSelection, every: Int?, record: [MetricConfig]) {
    self.data = data
    self.every = every
    self.record = record
  }
}
