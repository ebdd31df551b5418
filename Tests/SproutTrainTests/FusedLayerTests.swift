import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// A dense layer and the stateless activation after it run as one product (LayerStack): the bias and the
/// activation in the forward product's epilogue, the activation's gradient in the next dense layer's
/// input-gradient product. These tests hold the fused network to the bits of the same layers run one by one.
struct FusedLayerTests {
  static let activations: [ActivationConfig] = [.tanh, .relu, .sine(omega: 30), .gelu(approximate: .none), .silu]

  /// Forward outputs of every layer, the input gradient and every parameter gradient, as bit patterns.
  struct Bits: Equatable {
    var outputs: [[UInt32]] = []
    var inputGradient: [UInt32] = []
    var gradients: [[UInt32]] = []
  }

  static func network(_ f: ActivationConfig, backend: any Backend) throws -> Network {
    let layers: [LayerConfig] = [
      .dense(units: 37, bias: true), .activation(f), .dense(units: 70, bias: true),
      .activation(f), .dense(units: 5, bias: false),
    ]
    let net = try Network(input: 11, layers: layers, backend: backend, maxBatch: 40, seed: 1)
    layerTestRandomizeWeights(net, seed: 3, scale: 0.3)
    net.computesInputGradient = true
    return net
  }

  /// The network's own (fused) forward and backward.
  static func fused(_ net: Network, x: [Float], dy: [Float], batch: Int) -> Bits {
    net.zeroGradients()
    var bits = Bits()
    x.withUnsafeBufferPointer { px in
      net.forward(px.baseAddress!, batch: batch, training: true)
      bits.outputs = (0..<net.layers.count).map { i in
        let o = net.output(ofLayer: i)
        return (0..<(o.rows * o.cols)).map { o.pointer[$0].bitPattern }
      }
      dy.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!, batch: batch) }
      bits.inputGradient = (0..<(batch * net.inputWidth)).map { net.inputGradient![$0].bitPattern }
    }
    bits.gradients = net.parameters.map { $0.grad.array.map(\.bitPattern) }
    return bits
  }

  /// Every layer's own forward and backward, one call each (no fusion).
  static func layerByLayer(_ net: Network, x: [Float], dy: [Float], batch: Int) -> Bits {
    net.zeroGradients()
    var bits = Bits()
    let layers = net.layers
    let widest = layers.map(\.inputWidth).max()! * batch
    var buffers = [[Float]](repeating: [Float](repeating: 0, count: widest), count: layers.count + 1)
    x.withUnsafeBufferPointer { px in
      var current = px.baseAddress!
      for layer in layers {
        layer.forward(current, batch: batch, training: true)
        current = layer.output
      }
      bits.outputs = layers.map { layer in (0..<(batch * layer.outputWidth)).map { layer.output[$0].bitPattern } }
      var gradient = dy
      for (i, layer) in layers.enumerated().reversed() {
        gradient.withUnsafeBufferPointer { pg in
          buffers[i].withUnsafeMutableBufferPointer { layer.backward(pg.baseAddress!, dx: $0.baseAddress!, batch: batch) }
        }
        gradient = Array(buffers[i].prefix(batch * layer.inputWidth))
      }
      bits.inputGradient = gradient.map(\.bitPattern)
    }
    bits.gradients = net.parameters.map { $0.grad.array.map(\.bitPattern) }
    return bits
  }

  @Test(arguments: activations) func fusedEqualsLayerByLayer(_ f: ActivationConfig) throws {
    for (name, threads) in [("cpu", 1), ("cpu", 2), ("blas", 1)] {
      let net = try Self.network(f, backend: try layerTestBackend(named: name, threads: threads))
      var rng = LayerTestRandom(7)
      let batch = 33
      let x = rng.array(batch * 11)
      let dy = rng.array(batch * 5)
      let fused = Self.fused(net, x: x, dy: dy, batch: batch)
      let separate = Self.layerByLayer(net, x: x, dy: dy, batch: batch)
      #expect(fused.outputs == separate.outputs, "\(f) \(name)/\(threads): forward outputs")
      #expect(fused.inputGradient == separate.inputGradient, "\(f) \(name)/\(threads): input gradient")
      #expect(fused.gradients == separate.gradients, "\(f) \(name)/\(threads): parameter gradients")
    }
  }

  /// A network large enough that the cpu backend splits its products across threads: fused, the bits must
  /// still not depend on the thread count.
  @Test func fusedBitsDoNotDependOnThreadCount() throws {
    var results: [Bits] = []
    for threads in [1, 2] {
      let layers: [LayerConfig] = [
        .dense(units: 256, bias: true), .activation(.sine(omega: 30)), .dense(units: 256, bias: true),
        .activation(.sine(omega: 30)), .dense(units: 1, bias: true),
      ]
      let net = try Network(input: 2, layers: layers, backend: CPUBackend(threads: threads), maxBatch: 512, seed: 1)
      layerTestRandomizeWeights(net, seed: 3, scale: 0.05)
      net.computesInputGradient = true
      var rng = LayerTestRandom(9)
      results.append(Self.fused(net, x: rng.array(512 * 2), dy: rng.array(512), batch: 512))
    }
    #expect(results[0] == results[1])
  }
}
