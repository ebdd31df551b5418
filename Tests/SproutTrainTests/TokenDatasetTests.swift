import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// The token tasks: deterministic under their stream, ids in range, the structure each promises, and the ignored
/// targets of `score: repeated`.
struct TokenDatasetTests {
  func make(_ task: TokenTask, scored: TokenScoring = .all, seed: UInt64 = 1) throws -> Dataset {
    try DatasetGenerator.tokens(
      task, samples: 50, length: 12, vocab: 7, scored: scored, seed: seed, path: ["data", "t"])
  }

  @Test func deterministicPerSeed() throws {
    for task in TokenTask.allCases {
      #expect(try make(task) == make(task))
      #expect(try make(task).features != make(task, seed: 2).features)
    }
  }

  @Test func inductionRepeatsItsPrefixWithTheNextTokenAsTarget() throws {
    let d = try make(.induction)
    #expect(d.featureCount == 12 && d.target == .tokens(length: 12, vocab: 7))
    var periods: Set<Int> = []
    for n in 0..<d.count {
      let x = Array(d.features[(n * 12)..<(n * 12 + 12)]), y = Array(d.targets[(n * 12)..<(n * 12 + 12)])
      #expect(x.allSatisfy { $0 >= 0 && $0 < 7 && $0 == $0.rounded() })
      for i in 0..<11 { #expect(y[i] == x[i + 1]) }
      // The period: the smallest P in 3…6 with x[i] = x[i − P] everywhere (a prefix may repeat a shorter one).
      let p = try #require((3...6).first { p in (p..<12).allSatisfy { x[$0] == x[$0 - p] } })
      #expect(y[11] == x[12 % p])
      periods.insert(p)
    }
    #expect(periods.count >= 3, "periods drawn from ⌈L/4⌉…⌈L/2⌉: \(periods)")
  }

  @Test func copyRepeatsTheFirstHalfOverBlanks() throws {
    let d = try make(.copy)
    for n in 0..<d.count {
      let x = Array(d.features[(n * 12)..<(n * 12 + 12)]), y = Array(d.targets[(n * 12)..<(n * 12 + 12)])
      #expect(x[..<6].allSatisfy { $0 < 6 } && x[6...].allSatisfy { $0 == 6 })
      for i in 0..<12 { #expect(y[i] == x[i % 6]) }
    }
  }

  @Test func scoringTheRepeatedPartIgnoresThePrefix() throws {
    let all = try make(.copy), repeated = try make(.copy, scored: .repeated)
    #expect(all.features == repeated.features)
    for n in 0..<all.count {
      for i in 0..<12 {
        #expect(repeated.targets[n * 12 + i] == (i < 6 ? LossConfig.ignoredLabel : all.targets[n * 12 + i]))
      }
    }
    // Cross-entropy and accuracy skip the ignored rows: the mean is over the others.
    let logits = [Float](repeating: 0, count: 12 * 7)
    var grad = [Float](repeating: 0, count: 12 * 7)
    let loss = LossConfig.crossEntropy(labelSmoothing: 0).evaluate(
      output: logits, target: Array(repeated.targets[0..<12]), batch: 12, width: 7, gradient: &grad)
    #expect(abs(loss - log(7)) < 1e-6)
    #expect(grad[0..<(6 * 7)].allSatisfy { $0 == 0 })
    let counts = Metrics.accuracyCounts(
      outputs: logits, targets: Array(repeated.targets[0..<12]), rows: 12, width: 7,
      loss: .crossEntropy(labelSmoothing: 0))
    #expect(counts.total == 6)
  }
}
