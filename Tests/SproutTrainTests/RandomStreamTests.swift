import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// A file of the conformance data in `Tests/Conformance` (see its README for sources and licences).
func conformanceData(_ relative: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Conformance/\(relative)")
}

/// The package root (for examples/data).
func packageRoot() -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// This target's fixtures folder, in the source tree.
func fixture(_ relative: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(relative)")
}

struct PhiloxKAT: Decodable {
  let rounds: Int
  let counter: [String]
  let key: [String]
  let expected: [String]
}

struct PhiloxKATFile: Decodable { let vectors: [PhiloxKAT] }

@Suite struct RandomStreamTests {
  @Test func philoxMatchesRandom123KnownAnswers() throws {
    let data = try Data(contentsOf: conformanceData("philox/philox4x32_kat.json"))
    let file = try JSONDecoder().decode(PhiloxKATFile.self, from: data)
    let ten = file.vectors.filter { $0.rounds == 10 }
    #expect(ten.count >= 50)
    for v in file.vectors {
      let c = v.counter.map { UInt32($0, radix: 16)! }
      let k = v.key.map { UInt32($0, radix: 16)! }
      let e = v.expected.map { UInt32($0, radix: 16)! }
      let out = Philox4x32.block(counter: (c[0], c[1], c[2], c[3]), key: (k[0], k[1]), rounds: v.rounds)
      #expect([out.0, out.1, out.2, out.3] == e, "rounds \(v.rounds) counter \(v.counter) key \(v.key)")
    }
  }

  /// Pinned against an independent Python implementation of the documented key derivation; if this fails,
  /// every stored result changes — bump the format version instead of editing the numbers.
  @Test func keyDerivationIsFrozen() {
    let cases: [(UInt64, [String], (UInt32, UInt32), [UInt32])] = [
      (
        0, [], (0xcfda_3b6b, 0x5ba3_14b8),
        [0x0d4f_c58c, 0xa462_2620, 0x29af_cdf3, 0x2d90_b322, 0x0dac_f279, 0x8740_2dfd]
      ),
      (
        7, ["trial", "0", "init", "layers.0.weight"], (0x6bfc_255a, 0xaf1f_e725),
        [0x26db_5f70, 0xa93f_2c61, 0xfb05_0a11, 0x7072_5508, 0x70a5_d5e8, 0x1397_454f]
      ),
      (
        .max, ["données", "ü"], (0xfa70_b872, 0x7147_ef70),
        [0xc0e5_7897, 0x22cc_7f1e, 0x1a21_9c4b, 0xa4e2_9b44, 0x5560_3cc7, 0x3745_67c8]
      ),
    ]
    for (seed, path, key, words) in cases {
      var s = RandomStream(seed: seed, path: path)
      #expect(s.key == key, "key of \(seed) \(path)")
      #expect((0..<6).map { _ in s.nextUInt32() } == words)
    }
  }

  @Test func pathComponentsAreLengthPrefixed() {
    let a = RandomStream(seed: 1, path: ["ab", "c"])
    let b = RandomStream(seed: 1, path: ["a", "bc"])
    let c = RandomStream(seed: 2, path: ["ab", "c"])
    #expect(a.key != b.key)
    #expect(a.key != c.key)
  }

  @Test func streamsDoNotDependOnOtherConsumersOrOrder() {
    var alone = RandomStream(seed: 42, path: ["trial", "1", "data"])
    let expected = (0..<1000).map { _ in alone.nextUInt32() }

    var other = RandomStream(seed: 42, path: ["trial", "1", "init"])
    for _ in 0..<5000 { _ = other.nextUInt32() }
    var interleaved = RandomStream(seed: 42, path: ["trial", "1", "data"])
    var got: [UInt32] = []
    for i in 0..<1000 {
      got.append(interleaved.nextUInt32())
      if i % 3 == 0 { _ = other.nextNormal() }
    }
    #expect(got == expected)
    #expect(alone.child("x").path == ["trial", "1", "data", "x"])
  }

  @Test func positionSaveAndRestore() {
    var s = RandomStream(seed: 9, path: ["p"])
    for _ in 0..<7 { _ = s.nextUInt32() }  // mid-block
    let saved = s.position
    var a = [Float](repeating: 0, count: 33)
    s.fillNormal(&a, count: 33, mean: 0, std: 1)
    let after = s.position
    #expect(after == saved + 68)  // 17 pairs × 4 words

    var fresh = RandomStream(seed: 9, path: ["p"])
    fresh.position = saved
    var b = [Float](repeating: 0, count: 33)
    fresh.fillNormal(&b, count: 33, mean: 0, std: 1)
    #expect(a == b)
    #expect(fresh.position == after)
    // Jumping backwards inside the cached block gives the earlier words again.
    s.position = 3
    let w3 = s.nextUInt32()
    var t = RandomStream(seed: 9, path: ["p"])
    for _ in 0..<3 { _ = t.nextUInt32() }
    #expect(t.nextUInt32() == w3)
  }

  /// Uniform: mean 1/2, variance 1/12, and a 100-bin chi-square below 148.2 (the 0.999 quantile for 99 df).
  @Test func uniformStatistics() {
    var s = RandomStream(seed: 3, path: ["uniform"])
    let n = 200_000
    var bins = [Int](repeating: 0, count: 100)
    var sum = 0.0
    var sq = 0.0
    for _ in 0..<n {
      let u = Double(s.nextUniform())
      #expect(u >= 0 && u < 1)
      sum += u
      sq += u * u
      bins[Int(u * 100)] += 1
    }
    let mean = sum / Double(n)
    let variance = sq / Double(n) - mean * mean
    #expect(abs(mean - 0.5) < 0.003)
    #expect(abs(variance - 1.0 / 12) < 0.002)
    let expected = Double(n) / 100
    let chi2 = bins.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    #expect(chi2 < 148.2, "chi-square \(chi2)")

    var d = RandomStream(seed: 3, path: ["uniform-double"])
    let ds = (0..<50_000).map { _ in d.nextUniformDouble() }
    #expect(ds.allSatisfy { $0 >= 0 && $0 < 1 })
    #expect(abs(ds.reduce(0, +) / 50_000 - 0.5) < 0.005)
  }

  /// Kolmogorov–Smirnov distance against a CDF; the α = 0.001 critical value is 1.949/√n.
  func ksDistance(_ xs: [Double], cdf: (Double) -> Double) -> Double {
    let sorted = xs.sorted()
    let n = Double(sorted.count)
    var d = 0.0
    for (i, x) in sorted.enumerated() {
      let f = cdf(x)
      d = max(d, abs(Double(i + 1) / n - f), abs(f - Double(i) / n))
    }
    return d
  }

  @Test func normalStatisticsAndKS() {
    var s = RandomStream(seed: 5, path: ["normal"])
    let n = 40_000
    var buf = [Float](repeating: 0, count: n)
    s.fillNormal(&buf, count: n, mean: 2, std: 3)
    let xs = buf.map { (Double($0) - 2) / 3 }
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    #expect(abs(mean) < 0.02)
    #expect(abs(variance - 1) < 0.03)
    let d = ksDistance(xs, cdf: NormalDistribution.cdf)
    #expect(d < 1.949 / Double(n).squareRoot(), "KS \(d)")

    var single = RandomStream(seed: 5, path: ["normal-single"])
    let ys = (0..<20_000).map { _ in single.nextNormal() }
    #expect(ksDistance(ys, cdf: NormalDistribution.cdf) < 1.949 / (20_000.0).squareRoot())
  }

  /// The ziggurat: KS against Φ, unit variance, and the tail beyond 3.5σ (where its exponential tail sampler and
  /// the wedges act) at the normal rate 2·(1 − Φ(3.5)) within 4 standard errors.
  @Test func zigguratStatistics() {
    var s = RandomStream(seed: 17, path: ["ziggurat"])
    let n = 200_000
    var buf = [Float](repeating: 0, count: n)
    s.fillNormal(&buf, count: n, mean: 0, std: 1, method: .ziggurat)
    let xs = buf.map(Double.init)
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    #expect(abs(mean) < 0.006 && abs(variance - 1) < 0.01)
    #expect(ksDistance(xs, cdf: NormalDistribution.cdf) < 1.949 / Double(n).squareRoot())
    let p = 2 * (1 - NormalDistribution.cdf(3.5))
    let tail = Double(xs.filter { abs($0) > 3.5 }.count)
    #expect(abs(tail - p * Double(n)) < 4 * (p * Double(n)).squareRoot(), "tail \(tail) vs \(p * Double(n))")
    // Same bits every run.
    var again = RandomStream(seed: 17, path: ["ziggurat"])
    var twice = [Float](repeating: 0, count: 1000)
    again.fillNormal(&twice, count: 1000, mean: 0, std: 1, method: .ziggurat)
    #expect(Array(buf.prefix(1000)) == twice)
  }

  @Test func quantileInvertsCDF() {
    for p in [1e-300, 1e-12, 0.001, 0.02425, 0.1, 0.5, 0.77, 0.975, 0.999999] {
      let x = NormalDistribution.quantile(p)
      #expect(abs(NormalDistribution.cdf(x) - p) <= 1e-12 * p, "p = \(p)")
    }
    #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-14)
  }

  /// Truncated N(0, 1) on [−1, 2]: analytic mean (φ(α)−φ(β))/Z and variance, and a KS check of the truncated CDF.
  @Test func truncatedNormalStatistics() {
    var s = RandomStream(seed: 11, path: ["trunc"])
    let (a, b) = (-1.0, 2.0)
    let n = 40_000
    let xs = (0..<n).map { _ in s.nextTruncatedNormal(mean: 0, std: 1, a: a, b: b) }
    #expect(xs.allSatisfy { $0 >= a && $0 <= b })
    let z = NormalDistribution.cdf(b) - NormalDistribution.cdf(a)
    let pa = NormalDistribution.pdf(a)
    let pb = NormalDistribution.pdf(b)
    let mu = (pa - pb) / z
    let variance = 1 + (a * pa - b * pb) / z - mu * mu
    let mean = xs.reduce(0, +) / Double(n)
    let v = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    #expect(abs(mean - mu) < 0.01)
    #expect(abs(v - variance) / variance < 0.03)
    let d = ksDistance(xs) { (NormalDistribution.cdf($0) - NormalDistribution.cdf(a)) / z }
    #expect(d < 1.949 / Double(n).squareRoot(), "KS \(d)")

    // PyTorch's `trunc_normal_` pitfall (docs/initializers.md, `truncated_normal`): bounds are absolute, so std
    // 0.02 with ±2 truncates nothing.
    var t = RandomStream(seed: 11, path: ["trunc-small"])
    var small = [Float](repeating: 0, count: 20_000)
    t.fillTruncatedNormal(&small, count: small.count, mean: 0, std: 0.02, a: -2, b: 2)
    let sd = (small.reduce(0) { $0 + Double($1) * Double($1) } / Double(small.count)).squareRoot()
    #expect(abs(sd - 0.02) / 0.02 < 0.03)
  }

  @Test func bernoulliAndPermutation() {
    var s = RandomStream(seed: 13, path: ["mask"])
    var mask = [Float](repeating: -1, count: 100_000)
    s.fillBernoulli(&mask, count: mask.count, p: 0.3)
    #expect(mask.allSatisfy { $0 == 0 || $0 == 1 })
    #expect(abs(Double(mask.reduce(0, +)) / 100_000 - 0.3) < 0.005)

    var p = RandomStream(seed: 13, path: ["perm"])
    let perm = p.permutation(1000)
    #expect(perm.sorted() == Array(0..<1000))
    #expect(perm != Array(0..<1000))
    // Where element 0 lands among 6 places: chi-square with 5 df below 20.5 (0.999 quantile).
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<12_000 { counts[p.permutation(6).firstIndex(of: 0)!] += 1 }
    let chi2 = counts.reduce(0.0) { $0 + (Double($1) - 2000) * (Double($1) - 2000) / 2000 }
    #expect(chi2 < 20.5, "chi-square \(chi2)")
    #expect(p.permutation(0) == [])
    #expect(p.permutation(1) == [0])
  }
}
