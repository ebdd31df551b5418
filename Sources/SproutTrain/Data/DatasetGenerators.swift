import Foundation
import SproutConfig
import SproutFormats

/// The synthetic datasets of the catalogue. Each draws from streams under `path` (e.g. `[trial, "data", name]`),
/// so the same seed and path give the same samples in any run.
public enum DatasetGenerator {
  /// Regression on a random teacher network: x ~ N(0, I), y = teacher(x) + noise·ε. The teacher is an MLP
  /// `inputs → hidden… → outputs` with the activation's variance-preserving hidden init (relu: Kaiming normal,
  /// tanh: Xavier normal with gain 5/3, linear: LeCun normal), a LeCun-normal linear output layer and zero biases,
  /// so y has O(1) scale.
  /// Streams: `path + ["teacher", layer]`, `["inputs"]`, `["noise"]`.
  public static func teacherStudent(
    inputs: Int, outputs: Int, hidden: [Int] = [32], activation: TeacherActivation = .relu, samples: Int,
    noise: Double = 0, seed: UInt64, path: [String]
  ) throws -> Dataset {
    try positive(["inputs": inputs, "outputs": outputs, "samples": samples])
    if let bad = hidden.first(where: { $0 < 1 }) {
      throw DataError(code: "data.bad-argument", message: "hidden width \(bad) must be at least 1", field: "hidden")
    }
    let dims = [inputs] + hidden + [outputs]
    var weights: [[Float]] = []
    for l in 0..<(dims.count - 1) {
      var s = RandomStream(seed: seed, path: path + ["teacher", "layers.\(l).weight"])
      let hiddenRule: InitRule
      switch activation {
      case .relu: hiddenRule = .kaimingNormal(mode: .fanIn, nonlinearity: .relu)
      case .tanh: hiddenRule = .xavierNormal(gain: Nonlinearity.tanh.gain)
      case .linear: hiddenRule = .lecunNormal
      }
      let rule: InitRule = l == dims.count - 2 ? .lecunNormal : hiddenRule
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
          if l == weights.count - 1 {
            z[r] = s
          } else {
            switch activation {
            case .relu: z[r] = max(s, 0)
            case .tanh: z[r] = Foundation.tanh(s)
            case .linear: z[r] = s
            }
          }
        }
        h = z
      }
      for j in 0..<outputs { y[i * outputs + j] = Float(h[j] + noise * Double(eps[i * outputs + j])) }
    }
    return try Dataset(
      features: x, targets: y, count: samples, featureCount: inputs, target: .regression(width: outputs))
  }

  /// Isotropic Gaussian clusters: centres ~ N(0, separation²) per coordinate (or, with `separation` nil,
  /// U(−10, 10) as scikit-learn's `make_blobs`), samples centre + spread·N(0, I); sample i has class i mod classes.
  public static func gaussianBlobs(
    classes: Int, features: Int, samples: Int, spread: Double = 1, separation: Double? = nil, seed: UInt64,
    path: [String]
  ) throws -> Dataset {
    try positive(["classes": classes, "features": features, "samples": samples])
    var cs = RandomStream(seed: seed, path: path + ["centers"])
    var centers = [Float](repeating: 0, count: classes * features)
    if let separation {
      cs.fillNormal(&centers, count: centers.count, mean: 0, std: Float(separation))
    } else {
      cs.fillUniform(&centers, count: centers.count, low: -10, high: 10)
    }
    var ps = RandomStream(seed: seed, path: path + ["points"])
    var x = [Float](repeating: 0, count: samples * features)
    ps.fillNormal(&x, count: x.count, mean: 0, std: Float(spread))
    var y = [Float](repeating: 0, count: samples)
    for i in 0..<samples {
      let c = i % classes
      y[i] = Float(c)
      for j in 0..<features { x[i * features + j] += centers[c * features + j] }
    }
    return try Dataset(
      features: x, targets: y, count: samples, featureCount: features, target: .classes(count: classes))
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

  /// A 1-D signal on the periodic grid x_i = −1 + 2i/samples: y = Σ a_k·sin(2π·f_k·x + φ_k) + noise·ε, f_k in
  /// cycles per unit length (so 2·f_k cycles over [−1, 1): an integer 2·f_k lands exactly on rFFT bin 2·f_k).
  /// Grid `[samples]`. Noise from `path + ["noise"]`.
  public static func sine(
    samples: Int, frequencies: [Double], amplitudes: [Double]? = nil, phases: [Double]? = nil, noise: Double = 0,
    seed: UInt64 = 0, path: [String] = []
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
    var eps = [Float](repeating: 0, count: samples)
    if noise > 0 {
      var ns = RandomStream(seed: seed, path: path + ["noise"])
      ns.fillNormal(&eps, count: samples, mean: 0, std: 1)
    }
    for i in 0..<samples {
      let xi = -1 + 2 * Double(i) / Double(samples)
      x[i] = Float(xi)
      var s = 0.0
      for k in 0..<frequencies.count { s += a[k] * sin(2 * Double.pi * frequencies[k] * xi + p[k]) }
      y[i] = Float(s + noise * Double(eps[i]))
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

extension DatasetGenerator {
  /// A synthetic token task: `samples` sequences of `length` ids in `0..<vocab`, drawn uniformly from the stream
  /// `path + ["tokens"]`:
  ///
  /// - induction: a prefix r₀ … r_{P−1} with P drawn uniformly from ⌈L/4⌉…⌈L/2⌉ per sequence (so no fixed offset
  ///   finds the earlier occurrence: attention must match content), repeated: s[i] = r_{i mod P} for i in 0...L;
  ///   input s[0..<L], target s[1...L]. From position P on, the target is the token that followed the current one
  ///   P positions earlier.
  /// - copy: P = ⌈L/2⌉; input r₀ … r_{P−1} then the blank id vocab − 1 (the r drawn below vocab − 1); the target at
  ///   position i is r_{i mod P}: the first half repeats its input, the second half copies it.
  ///
  /// With `scored: repeated` the targets of positions 0..<P are −100 (ignored).
  public static func tokens(
    _ task: TokenTask, samples: Int, length: Int, vocab: Int, scored: TokenScoring, seed: UInt64, path: [String]
  ) throws -> Dataset {
    try positive(["samples": samples, "length": length])
    let smallest = task == .copy ? 3 : 2
    guard vocab >= smallest else {
      throw DataError(
        code: "data.bad-argument", message: "\(task.rawValue) needs a vocab of at least \(smallest), got \(vocab)",
        field: "vocab")
    }
    var stream = RandomStream(seed: seed, path: path + ["tokens"])
    let half = (length + 1) / 2, quarter = (length + 3) / 4
    let draw = task == .copy ? vocab - 1 : vocab
    var x = [Float](repeating: 0, count: samples * length)
    var y = [Float](repeating: 0, count: samples * length)
    var prefix = [Int](repeating: 0, count: half)
    for n in 0..<samples {
      let period = task == .induction ? quarter + stream.nextInt(below: half - quarter + 1) : half
      for i in 0..<period { prefix[i] = stream.nextInt(below: draw) }
      for i in 0..<length {
        switch task {
        case .induction:
          x[n * length + i] = Float(prefix[i % period])
          y[n * length + i] = Float(prefix[(i + 1) % period])
        case .copy:
          x[n * length + i] = Float(i < period ? prefix[i] : vocab - 1)
          y[n * length + i] = Float(prefix[i % period])
        }
        if scored == .repeated, i < period { y[n * length + i] = LossConfig.ignoredLabel }
      }
    }
    return try Dataset(
      features: x, targets: y, count: samples, featureCount: length, target: .tokens(length: length, vocab: vocab))
  }
}
