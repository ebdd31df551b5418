import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Central-difference checks of convolution and pooling (same method and tolerance as `GradientCheckTests`), on
/// both backends: input gradients through im2col/col2im and the pools, and every weight and bias gradient.
struct ConvGradientCheckTests {
  static let backends = ["cpu", "blas"]

  func check(
    _ layers: [LayerConfig], image: (Int, Int, Int), backend: String, batch: Int = 2, distinct: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let shape = TensorShape.image(channels: image.0, height: image.1, width: image.2)
    let net = try Network(
      shape: shape, layers: layers, backend: layerTestBackend(named: backend), maxBatch: 4, seed: 5)
    layerTestRandomizeWeights(net, seed: 11, scale: 0.5)
    let n = batch * shape.elementCount
    var x = GradientCheckTests.inputs(n, seed: 3)
    if distinct {
      // Max pooling is not differentiable at ties: values 0.05 apart keep every window's winner under ±h.
      var rng = LayerTestRandom(17)
      var order = Array(0..<n)
      for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
      x = order.map { Float($0 - n / 2) * 0.05 }
    }
    let result = layerTestCheckGradients(net, x: x, batch: batch, training: true)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)", sourceLocation: sourceLocation)
  }

  @Test(arguments: backends) func convolution(_ backend: String) throws {
    try check(
      [.conv2d(filters: 3, kernel: 3, stride: 1, padding: 1, bias: true), .activation(.tanh), .flatten,
       .dense(units: 2, bias: true)], image: (2, 5, 5), backend: backend)
  }

  @Test(arguments: backends) func stridedConvolutionWithoutBias(_ backend: String) throws {
    try check(
      [.conv2d(filters: 2, kernel: 2, stride: 2, padding: 1, bias: false), .activation(.tanh),
       .conv2d(filters: 3, kernel: 3, stride: 1, padding: 0, bias: true), .flatten],
      image: (3, 6, 6), backend: backend)
  }

  @Test(arguments: backends) func maxPooling(_ backend: String) throws {
    try check([.maxPool2d(size: 3, stride: 2), .flatten, .dense(units: 2, bias: true)], image: (2, 7, 7),
      backend: backend, distinct: true)
  }

  @Test(arguments: backends) func averagePooling(_ backend: String) throws {
    try check([.avgPool2d(size: 2, stride: 1), .flatten, .dense(units: 2, bias: true)], image: (2, 5, 4),
      backend: backend)
  }

  @Test(arguments: backends) func globalAveragePooling(_ backend: String) throws {
    try check(
      [.conv2d(filters: 4, kernel: 3, stride: 1, padding: 0, bias: true), .globalAvgPool, .dense(units: 2, bias: true)],
      image: (2, 5, 5), backend: backend)
  }

  @Test func globalAveragePoolingOverASequence() throws {
    let net = try Network(
      shape: .sequence(length: 4, features: 3), layers: [.globalAvgPool, .dense(units: 2, bias: true)],
      backend: layerTestBackend(), maxBatch: 4, seed: 5)
    layerTestRandomizeWeights(net, seed: 11)
    let result = layerTestCheckGradients(net, x: GradientCheckTests.inputs(24, seed: 3), batch: 2, training: true)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)")
  }

  /// PyTorch's fan rule for a convolution weight [F, C, k, k]: fan_in = C·k², fan_out = F·k².
  @Test func convolutionFansFollowPyTorch() throws {
    let net = try Network(
      shape: .image(channels: 3, height: 8, width: 8),
      layers: [.conv2d(filters: 16, kernel: 5, stride: 1, padding: 2, bias: true)], backend: layerTestBackend(),
      maxBatch: 2)
    let w = try #require(net.parameter(named: "layers.0.weight"))
    #expect(w.shape == [16, 3, 5, 5])
    #expect(w.fanIn == 75 && w.fanOut == 400)
    #expect(net.weightLayers.map(\.kind) == [.conv2d])
    #expect(net.outputShape == .image(channels: 16, height: 8, width: 8))
  }
}
