import Foundation
import SproutDiagnostics
import SproutGraph
import SproutSpec
import Testing

@testable import SproutPlanner

/// The planner lowers once per plan the definitions no trial value reaches, found by key path: exactly the defined
/// ones whose expressions read only `params` (or that have none).
@Suite struct InvariantDefinitionsTests {
  @Test func keyPathsOfTrialInvariantDefinitions() throws {
    var d = Diagnostics()
    let spec = try #require(SpecDecoder.decode(text: richVsLazy, file: "spec.yaml", diagnostics: &d))
    let reads = ExpressionReads(spec)
    let invariant = InvariantDefinitions(spec, reads: reads)
    var expected: [String: Bool] = [:]
    for s in spec.stages { expected["stages.\(s.id.name)"] = reads.reads(of: .stage(s.id)).isTrialInvariant }
    for m in spec.models { expected["models.\(m.id.name)"] = reads.reads(of: .model(m.id)).isTrialInvariant }
    for i in spec.initializers {
      expected["initializers.\(i.id.name)"] = reads.reads(of: .initializer(i.id)).isTrialInvariant
    }
    for x in spec.datasets { expected["datasets.\(x.id.name)"] = reads.reads(of: .dataset(x.id)).isTrialInvariant }
    // richVsLazy's train stage reads matrix.init; every other definition reads params at most.
    #expect(expected.filter { !$0.value }.keys.sorted() == ["stages.train"])
    #expect(expected.count == 6)
    for (path, isInvariant) in expected { #expect(invariant.contains(path) == isInvariant, "\(path)") }
    let name = try #require(spec.models.first?.id.name)
    for path in ["", ".", "models", "models.", "models.nope", "model.\(name)", "stages.\(name)", "models.\(name).layers"]
    where expected[path] == nil {
      #expect(!invariant.contains(path), "\(path)")
    }
  }
}
