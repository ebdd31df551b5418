import Foundation

/// The synthetic datasets of the catalogue. Each draws from streams under `path` (e.g. `[trial, "data", name]`),
/// so the same seed and path give the same samples in any run.
public enum DatasetGenerator {
  /// Regression on a random teacher network: x ~ N(0, I), y = teacher(x) + noise·ε. The teacher is a ReLU MLP
  /// `inputs → hidden… → outputs` with Kaiming-normal hidden weights, a LeCun-normal linear output layer and zero
  /// biases, so y has O(1) scale. Streams: `path + ["teacher", layer]`, `["inputs"]`, `["noise"]`.
  public static func teacherStudent(
    inputs: Int, outputs: Int, hidden: [Int] = [32], samples: Int, noise: Double = 0, seed: UInt64, path: [String]
  ) throws -> Dataset {
    try positive(["inputs": inputs, "outputs": outputs, "samples": samples])
    if let bad = hidden.first(where: { $0 < 1 }) {
      throw DataError(code: "data.bad-argument", message: "hidden width \(bad) must be at least 1", field: "hidden")
    }
    let dims = [inputs] + hidden + [outputs]
    var weights: [[Float]] = []
    for l in 0..<(dims.count - 1) {
      var s = RandomStream(seed: seed, path: path + ["teacher", "layers.\(l).weight"])
      let rule: InitRule = l == dims.count - 2 ? .lecunNormal : .kaimingNormal(mode: .fanIn, nonlinearity: .relu)
      weights.append(try rule.draw(shape: [dims[l + 1], dims[l]], stream: &s))
    }
    var xs = RandomStream(seed: seed, path: path + ["inputs"])
    var x = [Float](repeating: 0, count: samples * inputs)
    xs.fillNormal(&x, count: x.count, mean: 0, std: 1)
    var eps = [Float](repeating: 0, count: samples * outputs)
    var ns = RandomStream(seed: seed, path: path + ["noise"])
    ns.fillNormal(&eps, count: eps.count, mean: 0, std: 1)
    var y = [Float](repeating: 0, count: samples * outputs)
    for i in 0..<samples {
      var h = x[(i * inputs)..<((i + 1) * inputs)].map(Double.init)
      for (l, w) in weights.enumerated() {
        let (o, k) = (dims[l + 1], dims[l])
        var z = [Double](repeating: 0, count: o)
        for r in 0..<o {
          var s = 0.0
          for c in 0..<k { s += Double(w[r * k + c]) * h[c] }
          z[r] = l == weights.count - 1 ? s : max(s, 0)
        }
        h = z
      }
      for j in 0..<outputs { y[i * outputs + j] = Float(h[j] + noise * Double(eps[i * outputs + j])) }
    }
    return try Dataset(features: x, targets: y, count: samples, featureCount: inputs, target: .regression(width: outputs))
  }

  /// Isotropic Gaussian clusters (scikit-learn's `make_blobs`): centres ~ U(−10, 10)^features, samples
  /// centre + spread·N(0, I); sample i belongs to class i mod classes.
  public static func gaussianBlobs(
    classes: Int, features: Int, samples: Int, spread: Double = 1, seed: UInt64, path: [String]
  ) throws -> Dataset {
    try positive(["classes": classes, "features": features, "samples": samples])
    var cs = RandomStream(seed: seed, path: path + ["centers"])
    var centers = [Float](repeating: 0, count: classes * features)
    cs.fillUniform(&centers, count: centers.count, low: -10, high: 10)
    var ps = RandomStream(seed: seed, path: path + ["points"])
    var x = [Float](repeating: 0, count: samples * features)
    ps.fillNormal(&x, count: x.count, mean: 0, std: Float(spread))
    var y = [Float](repeating: 0, count: samples)
    for i in 0..<samples {
      let c = i % classes
      y[i] = Float(c)
      for j in 0..<features { x[i * features + j] += centers[c * features + j] }
    }
    return try Dataset(features: x, targets: y, count: samples, featureCount: features, target: .classes(count: classes))
  }

  /// Two interleaved spirals (Lang & Witbrock 1988), 2 classes in ~[−1, 1]²: for t = √u·turns·2π,
  /// class 0 is (−t·cos t, t·sin t)/(turns·2π) + noise·ε and class 1 its negation; sample i has class i mod 2.
  public static func twoSpirals(
    samples: Int, noise: Double = 0, turns: Double = 1.5, seed: UInt64, path: [String]
  ) throws -> Dataset {
    try positive(["samples": samples])
    guard turns > 0 else {
      throw DataError(code: "data.bad-argument", message: "turns must be positive, got \(turns)", field: "turns")
    }
    var us = RandomStream(seed: seed, path: path + ["angles"])
    var ns = RandomStream(seed: seed, path: path + ["noise"])
    var eps = [Float](repeating: 0, count: samples * 2)
    ns.fillNormal(&eps, count: eps.count, mean: 0, std: 1)
    let scale = turns * 2 * Double.pi
    var x = [Float](repeating: 0, count: samples * 2)
    var y = [Float](repeating: 0, count: samples)
    for i in 0..<samples {
      let t = us.nextUniformDouble().squareRoot() * scale
      let sign = i % 2 == 0 ? 1.0 : -1.0
      x[2 * i] = Float(sign * -t * cos(t) / scale + noise * Double(eps[2 * i]))
      x[2 * i + 1] = Float(sign * t * sin(t) / scale + noise * Double(eps[2 * i + 1]))
      y[i] = Float(i % 2)
    }
    return try Dataset(features: x, targets: y, count: samples, featureCount: 2, target: .classes(count: 2))
  }

  /// A 1-D signal on the periodic grid x_i = −1 + 2i/samples: y = Σ a_k·sin(π·f_k·(x + 1) + φ_k), so f_k counts
  /// cycles over [−1, 1) and lands exactly on rFFT bin f_k. Grid `[samples]`.
  public static func sine(
    samples: Int, frequencies: [Double], amplitudes: [Double]? = nil, phases: [Double]? = nil
  ) throws -> Dataset {
    try positive(["samples": samples])
    let a = amplitudes ?? [Double](repeating: 1, count: frequencies.count)
    let p = phases ?? [Double](repeating: 0, count: frequencies.count)
    guard !frequencies.isEmpty, a.count == frequencies.count, p.count == frequencies.count else {
      throw DataError(
        code: "data.bad-argument",
        message: "sine needs as many amplitudes (\(a.count)) and phases (\(p.count)) as frequencies "
          + "(\(frequencies.count)), at least one", field: "amplitudes")
    }
    var x = [Float](repeating: 0, count: samples)
    var y = [Float](repeating: 0, count: samples)
    for i in 0..<samples {
      let xi = -1 + 2 * Double(i) / Double(samples)
      x[i] = Float(xi)
      var s = 0.0
      for k in 0..<frequencies.count { s += a[k] * sin(Double.pi * frequencies[k] * (xi + 1) + p[k]) }
      y[i] = Float(s)
    }
    return try Dataset(
      features: x, targets: y, count: samples, featureCount: 1, target: .regression(width: 1), grid: [samples])
  }

  static func positive(_ values: KeyValuePairs<String, Int>) throws {
    for (name, v) in values where v < 1 {
      throw DataError(code: "data.bad-argument", message: "\(name) must be at least 1, got \(v)", field: name)
    }
  }
}
