import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// Snapshots of the renderings. Hashes depend on every catalogue default, so the text snapshot masks them;
/// hash values themselves are tested for stability and scope in PlannerTests.
@Suite struct RenderingTests {
  static let small = richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "")

  static func masked(_ text: String, _ plan: Plan) -> String {
    _ = plan
    return text.replacingOccurrences(of: "\\b[0-9a-f]{12}\\b", with: "<hash>", options: .regularExpression)
  }

  @Test func textListsTasksInOrderWithState() throws {
    var store = MemoryStore()
    store.run(try #require(planText(Self.small).0))
    let plan = try #require(planText(Self.small.replacingOccurrences(of: "rank: 2", with: "rank: 3"), store: store).0)
    #expect(
      Self.masked(plan.text, plan) == """
        rich-vs-lazy (spec.yaml) on cpu
        2 trials = 2 init
        4 tasks: 2 cached, 2 stale, 0 new

        t0000  seed \(plan.trials[0].seed)  init=full
          t0000/train  cached  <hash>  train     outputs in the store
          t0000/test   cached  <hash>  evaluate  outputs in the store

        t0001  seed \(plan.trials[1].seed)  init=lowrank
          t0001/train  stale   <hash>  train     initialization.rule.lowRank.rank: 2 → 3
          t0001/test   stale   <hash>  evaluate  upstream t0001/train changed (<hash> → <hash>)

        """)
  }

  @Test func dotAndMermaid() throws {
    let plan = try #require(planText(Self.small).0)
    #expect(
      plan.dot == """
        digraph plan {
          rankdir=LR;
          node [shape=box, style="rounded,filled", fontname="Helvetica"];
          label="2 trials = 2 init";
          "t0000/train" [label="t0000/train\\ntrain · new", fillcolor="#ffffff"];
          "t0000/test" [label="t0000/test\\nevaluate · new", fillcolor="#ffffff"];
          "t0001/train" [label="t0001/train\\ntrain · new", fillcolor="#ffffff"];
          "t0001/test" [label="t0001/test\\nevaluate · new", fillcolor="#ffffff"];
          "t0000/train" -> "t0000/test";
          "t0001/train" -> "t0001/test";
        }

        """)
    #expect(
      plan.mermaid == """
        flowchart LR
          t0000_train["t0000/train<br/>train · new"]:::new
          t0000_test["t0000/test<br/>evaluate · new"]:::new
          t0001_train["t0001/train<br/>train · new"]:::new
          t0001_test["t0001/test<br/>evaluate · new"]:::new
          t0000_train --> t0000_test
          t0001_train --> t0001_test
          classDef cached fill:#d9ead3
          classDef stale fill:#fce5cd
          classDef new fill:#ffffff

        """)
  }

  @Test func jsonIsThePlanFile() throws {
    let plan = try #require(planText(Self.small).0)
    #expect(plan.render(.json) == plan.jsonText)
    let value = try JSONValue.parse(plan.render(.json))
    #expect(value["count"]?["statement"] == .string("2 trials = 2 init"))
    #expect(value["tasks"].map { if case .array(let a) = $0 { a.count } else { 0 } } == 4)
    #expect(value["spec"]?["path"] == .string("spec.yaml"))
  }
}
