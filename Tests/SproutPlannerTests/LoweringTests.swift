import Foundation
import SproutConfig
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// What lint finds while lowering a spec into the configuration tasks run: arguments that would change nothing
/// (`spec.no-effect`) and combinations the executor cannot honour (`spec.cannot-run`), each at the argument's line.
/// Written as fixtures: `# expect-error[id]` on the line the diagnostic points at.
@Suite struct LoweringTests {
  /// A spec with one train stage; `extra` lines are appended to its definitions.
  static func spec(init rule: String = "{kind: kaiming_normal}", stage extra: String = "", more: String = "") -> String {
    """
    sprout: 1
    name: lowering
    datasets:
      teacher: {kind: teacher_student, inputs: 3, samples: 32, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: [{dense: 4}, relu, {dense: 1}]}
    initializers:
      he: \(rule)
    stages:
      train:
        kind: train
        model: net
        init: he
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: 0.1}
        steps: 2
    \(extra)
    \(more)
    """
  }

  /// The diagnostics a plan of `text` reports, as `line: severity[id]`, against the inline expectations.
  static func check(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let (_, d) = planText(text)
    let actual = d.all.map { "\($0.range.start.line): \($0.severity.rawValue)[\($0.id.rawValue)]" }.sorted()
    var expected: [String] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if let r = line.range(of: "# expect-error[") {
        let id = line[r.upperBound...].prefix { $0 != "]" }
        expected.append("\(i + 1): error[\(id)]")
      }
    }
    #expect(
      actual == expected.sorted(), "\(d.all.map { "\($0.range.start) [\($0.id)] \($0.message)" })",
      sourceLocation: sourceLocation)
  }

  @Test func anArgumentOfAnotherCombinationHasNoEffect() {
    Self.check(
      Self.spec(init: "{kind: kaiming_normal, nonlinearity: relu, slope: 0.2}  # expect-error[spec.no-effect]"))
    Self.check(Self.spec(init: "{kind: kaiming_normal, nonlinearity: leaky_relu, slope: 0.2}"))
  }

  @Test func adapterArgumentsOfEVAHaveNoEffectElsewhere() {
    Self.check(
      Self.spec(
        more: """
            adapt:
              kind: finetune
              from: train
              data: teacher.train
              adapters: [{kind: lora, rank: 2, rho: 3, layers: first}]  # expect-error[spec.no-effect]
              loss: mse
              optimizer: {kind: sgd, lr: 0.1}
              steps: 2
          """))
  }

  @Test func combinationsTheExecutorCannotHonourAreErrorsAtTheirArgument() {
    Self.check(
      Self.spec(
        more: """
            probe:
              kind: measure
              model: net
              init: he
              data: teacher.test
              record: [loss]  # expect-error[spec.cannot-run]
          """))
    Self.check(
      Self.spec(
        more: """
            probe:
              kind: measure
              model: net
              init: he
              record: [accuracy]  # expect-error[spec.cannot-run]
          """))
    Self.check(
      Self.spec().replacingOccurrences(
        of: "optimizer: {kind: sgd, lr: 0.1}",
        with: "optimizer: {kind: sgd, lr: 0.1, nesterov: true}  # expect-error[spec.cannot-run]"))
    Self.check(
      Self.spec(
        more: """
            test:
              kind: evaluate
              from: train
              data: teacher.test
              record: [grad_norm]  # expect-error[spec.cannot-run]
          """))
  }

  @Test func measureWithALossRecordsIt() throws {
    let text = Self.spec(
      more: """
          probe: {kind: measure, model: net, init: he, data: teacher.test, loss: mse, record: [loss]}
        """)
    let plan = try #require(planText(text).0)
    guard case .measure(_, _, let loss, _, let record)? = plan.task("t0000/probe")?.config?.kind
      ?? plan.tasks.first(where: { $0.stage == "probe" })?.config?.kind
    else {
      Issue.record("no measure task")
      return
    }
    #expect(loss == .mse && record == [.loss])
  }

  /// An evaluate stage without its own loss takes the loss of the stage it reads, resolved when planning.
  @Test func evaluateTakesItsUpstreamLoss() throws {
    let text = Self.spec(
      more: """
          test: {kind: evaluate, from: train, data: teacher.test, record: [loss]}
        """
    ).replacingOccurrences(of: "loss: mse\n", with: "loss: {kind: cross_entropy, label_smoothing: 0.1}\n")
      .replacingOccurrences(of: "{dense: 1}", with: "{dense: 2}")
      .replacingOccurrences(of: "samples: 32,", with: "samples: 32, task: classification,")
    let (plan, d) = planText(text)
    let p = try #require(plan, "\(d.all.map { "\($0.range.start) \($0.message)" })")
    guard case .evaluate(_, _, let loss, _, _)? = p.tasks.first(where: { $0.stage == "test" })?.config?.kind else {
      Issue.record("no evaluate task")
      return
    }
    #expect(loss == .crossEntropy(labelSmoothing: 0.1))
  }
}
