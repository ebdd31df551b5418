import SproutConfig
import Testing

@Suite struct CanonicalEncoderTests {
  let encoder = CanonicalEncoder()

  @Test func equalValuesGiveEqualBytes() throws {
    let a = LayerConfig.residual([.dense(units: 4, bias: true), .activation(.relu)])
    let b = LayerConfig.residual([.dense(units: 4, bias: true), .activation(.relu)])
    #expect(try encoder.encode(a) == encoder.encode(b))
  }

  @Test func everyFieldChangesTheBytes() throws {
    let base = try encoder.encode(LayerConfig.dense(units: 4, bias: true))
    #expect(try encoder.encode(LayerConfig.dense(units: 5, bias: true)) != base)
    #expect(try encoder.encode(LayerConfig.dense(units: 4, bias: false)) != base)
    #expect(try encoder.encode(LayerConfig.activation(.leakyRelu(slope: 0.01))) != encoder.encode(
      LayerConfig.activation(.leakyRelu(slope: 0.02))))
  }

  @Test func casesWithTheSamePayloadDiffer() throws {
    #expect(try encoder.encode(ActivationConfig.relu) != encoder.encode(ActivationConfig.tanh))
    #expect(try encoder.encode(LossConfig.mse) != encoder.encode(LossConfig.crossEntropy(labelSmoothing: 0)))
  }

  @Test func optionalsAndListsAreUnambiguous() throws {
    let a = InitRule.fromStage(stage: "a", mapping: [], fallback: nil)
    let b = InitRule.fromStage(stage: "a", mapping: [], fallback: .zeros)
    let c = InitRule.fromStage(stage: "a", mapping: [LayerMapping(layer: 0, source: 1)], fallback: nil)
    let bytes = try [a, b, c].map { try encoder.encode($0) }
    #expect(Set(bytes.map { $0.description }).count == 3)
    // Strings are length-prefixed: ["ab", "c"] and ["a", "bc"] differ.
    #expect(try encoder.encode(["ab", "c"]) != encoder.encode(["a", "bc"]))
  }

  @Test func doublesAreEncodedByTheirBits() throws {
    #expect(try encoder.encode(0.1) != encoder.encode(Double(Float(0.1))))
    #expect(try encoder.encode(1.0) == encoder.encode(1.0))
  }
}
