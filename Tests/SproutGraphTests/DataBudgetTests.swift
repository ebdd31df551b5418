import SproutDiagnostics
import SproutGraph
import Testing

/// Generated datasets' sizes are checked against the memory budget at lint, before anything is generated.
@Suite struct DataBudgetTests {
  /// The base spec with its teacher's `samples: 256` replaced.
  func spec(samples: String) -> String {
    baseSpec.replacingOccurrences(of: "samples: 256", with: "samples: \(samples)")
  }

  @Test("a trillion samples is an error at `samples`, with the size stated")
  func hugeSampleCountIsRefused() throws {
    let (graph, d) = buildGraph(spec(samples: "1000000000000"))
    #expect(graph == nil || d.hasErrors)
    let diag = try #require(d.all.first { $0.id == GraphDiagnostics.dataTooLarge }, "\(d.all)")
    #expect(diag.range.start.line == 9)
    // 10^12 samples × (16 inputs + 1 output + 32 hidden) floats × 4 bytes × 2 copies = 392 TB.
    #expect(diag.message.contains("1000000000000 samples of 49 numbers each needs 392.0 TB in memory"), "\(diag.message)")
    #expect(diag.message.contains("more than the budget of"))
  }

  @Test("a sample count whose size overflows is refused, not wrapped round")
  func overflowingSizeIsRefused() {
    let (_, d) = buildGraph(spec(samples: "4000000000000000000"))
    #expect(d.all.contains { $0.id == GraphDiagnostics.dataTooLarge && $0.message.contains("needs more than") })
  }

  @Test("ordinary sizes pass")
  func ordinarySizesPass() {
    let (_, d) = buildGraph(spec(samples: "100000"))
    #expect(!d.all.contains { $0.id == GraphDiagnostics.dataTooLarge })
  }
}
