import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// LSUV and IBP init on convolutional networks, where their papers apply them (Mishkin & Matas 2016 tested LSUV on
/// CIFAR CNNs; Shi et al. 2021 initialise the CNNs they certify): LSUV brings every convolution's output to unit
/// variance on its batch, and IBP draws each convolution from N(0, (√(2π)/fan_in)²) with PyTorch's conv fan
/// (channels × kernel area), sparing the last layer.
struct InitializerConvTests {
  static let layers: [LayerConfig] = [
    .conv2d(filters: 16, kernel: 3, stride: 1, padding: 1, bias: true), .activation(.relu),
    .conv2d(filters: 32, kernel: 3, stride: 1, padding: 1, bias: true), .activation(.relu), .flatten,
    .dense(units: 10, bias: true),
  ]
  static let shape = TensorShape.image(channels: 3, height: 8, width: 8)
  static let data = DataSelection(dataset: DatasetConfig(name: "x", source: .twoSpirals(samples: 8, turns: 1, noise: 0)))

  @Test func lsuvNormalisesEveryConvolutionsOutput() throws {
    let net = try Network(shape: Self.shape, layers: Self.layers, backend: layerTestBackend(), maxBatch: 32, seed: 1)
    let batch = gaussianBatch(32 * net.inputWidth, seed: 4)
    let report = try Initialization.apply(
      InitConfig(rule: .lsuv(tolerance: 0.02, maxIterations: 20, batch: 32, base: .orthogonal(gain: 1), data: Self.data)),
      to: net, seed: 2, path: ["lsuv"], batch: (batch, 32))
    #expect(report.lsuv.map(\.denseIndex) == [0, 1, 2])
    _ = batch.withUnsafeBufferPointer { net.forward($0.baseAddress!, batch: 32, training: false) }
    for i in [0, 2] {
      let out = net.output(ofLayer: i)
      let v = moments(Array(UnsafeBufferPointer(start: out.pointer, count: out.rows * out.cols))).variance
      #expect(abs(v - 1) <= 0.02, "conv layer \(i) output variance \(v)")
    }
  }

  @Test func ibpDrawsConvolutionsWithTheirFanIn() throws {
    let net = try Network(shape: Self.shape, layers: Self.layers, backend: layerTestBackend(), maxBatch: 4, seed: 1)
    try Initialization.apply(InitConfig(rule: .ibp), to: net, seed: 3, path: ["ibp"])
    let weights = net.weightLayers.map { $0.weights[0] }
    for (w, fanIn) in zip(weights.prefix(2), [3 * 9, 16 * 9]) {
      let m = moments(w.value.array)
      let sigma = (2 * Double.pi).squareRoot() / Double(fanIn)
      #expect(abs(m.variance.squareRoot() / sigma - 1) < 0.1, "\(w.name): std \(m.variance.squareRoot()) vs \(sigma)")
    }
    // The last layer keeps PyTorch's default, U(±1/√fan_in).
    let last = weights[2]
    let bound = Float(1 / Double(32 * 64).squareRoot())
    #expect(last.value.array.allSatisfy { abs($0) <= bound })
    #expect(abs(moments(last.value.array).variance.squareRoot() / (Double(bound) / 3.0.squareRoot()) - 1) < 0.1)
  }
}
