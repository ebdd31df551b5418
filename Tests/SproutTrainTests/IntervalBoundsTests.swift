import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// The bound-growth check of IBP initialization (Shi et al., "Fast certified robust training with short
/// warmup", NeurIPS 2021; docs/metrics.md, `interval_bounds`): through a ReLU layer of width 256 an interval's
/// radius grows by √(fan_in/π) ≈ 9.03 under Kaiming's N(0, 2/fan_in) and by about 1 under IBP init's
/// N(0, 2π/fan_in²).
struct IntervalBoundsTests {
  static let width = 256

  func mlp(std: (Int) -> Double) throws -> Network {
    var layers: [LayerConfig] = []
    for _ in 0..<5 { layers += [.dense(units: Self.width, bias: true), .activation(.relu)] }
    layers.append(.dense(units: 2, bias: true))
    let net = try Network(input: 20, layers: layers, backend: CPUBackend(threads: 1), maxBatch: 32)
    var stream = RandomStream(seed: 3, path: ["ibp"])
    for d in net.denseLayers {
      stream.fillNormal(d.weight.value.mutablePointer, count: d.weight.value.count, mean: 0, std: Float(std(d.inputWidth)))
    }
    return net
  }

  func growth(_ net: Network) throws -> [Double] {
    var stream = RandomStream(seed: 4, path: ["probe"])
    var probe = [Float](repeating: 0, count: 32 * 20)
    probe.withUnsafeMutableBufferPointer { stream.fillNormal($0.baseAddress!, count: $0.count, mean: 0, std: 1) }
    return try IntervalBounds.compute(network: net, probe: probe, rows: 32, eps: 0.01).map(\.growth)
  }

  @Test func kaimingBoundsExplodeAndIBPInitKeepsThem() throws {
    let kaiming = try growth(mlp { (2 / Double($0)).squareRoot() })
    let ibp = try growth(mlp { (2 * Double.pi).squareRoot() / Double($0) })
    #expect(kaiming.count == 6 && ibp.count == 6)
    for g in kaiming[1...4] { #expect(g > 8 && g < 10.5, "Kaiming growth \(kaiming)") }
    for g in ibp[1...4] { #expect(g > 0.85 && g < 1.15, "IBP growth \(ibp)") }
  }

  @Test func boundsContainEveryPointOfTheBox() throws {
    let net = try mlp { (2 / Double($0)).squareRoot() }
    var stream = RandomStream(seed: 5, path: ["x"])
    var x = [Float](repeating: 0, count: 20)
    x.withUnsafeMutableBufferPointer { stream.fillNormal($0.baseAddress!, count: 20, mean: 0, std: 1) }
    let eps: Float = 0.05
    let (bounds, centre, radius) = try IntervalBounds.propagate(network: net, probe: x, rows: 1, eps: eps)
    #expect(bounds.allSatisfy { $0.radius > 0 })
    // Corners and random points of the box map inside [centre − radius, centre + radius] for every output unit.
    for trial in 0..<200 {
      var point = x
      for i in point.indices {
        point[i] += trial < 100 ? ((trial >> (i % 7)) & 1 == 0 ? eps : -eps) : (stream.nextUniform() * 2 - 1) * eps
      }
      let y = point.withUnsafeBufferPointer {
        Array(UnsafeBufferPointer(start: net.forward($0.baseAddress!, batch: 1, training: false), count: 2))
      }
      for j in 0..<2 {
        #expect(abs(y[j] - centre[j]) <= radius[j] * (1 + 1e-4) + 1e-5, "unit \(j) at trial \(trial)")
      }
    }
  }

  @Test func nonMonotoneActivationsAreRefused() throws {
    let net = try Network(
      input: 3, layers: [.dense(units: 4, bias: true), .activation(.gelu(approximate: .none))],
      backend: CPUBackend(threads: 1), maxBatch: 4)
    #expect(throws: TrainingError.self) {
      try IntervalBounds.compute(network: net, probe: [0, 0, 0], rows: 1, eps: 0.1)
    }
  }
}
