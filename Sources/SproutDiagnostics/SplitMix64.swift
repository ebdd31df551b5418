/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): the one
/// small deterministic generator outside training.
///
/// The planner chooses `sample: N` trials and the `order: shuffled` run order with it, seeded from the spec's root
/// seed mixed with a fixed purpose constant, so the choice is the same on every machine and never shares a stream
/// with training (which uses Philox4x32 streams); the backend conformance suite, tests and benchmarks draw their
/// inputs from it.
/// Each `next()` adds the golden-ratio increment 0x9E3779B97F4A7C15 to the state and returns the state
/// passed through the mix function below (the finaliser of MurmurHash3 with Stafford's variant-13 constants).
public struct SplitMix64: Sendable, Hashable {
  /// The current state.
  public private(set) var state: UInt64

  /// A generator starting at `seed`.
  public init(seed: UInt64) { state = seed }

  /// A generator for one purpose of one root seed (`"matrix.sample"`), so purposes draw unrelated numbers.
  public init(rootSeed: Int, purpose: String) {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the purpose text
    for b in purpose.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    state = UInt64(bitPattern: Int64(rootSeed)) ^ SplitMix64.mix(h)
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return SplitMix64.mix(state)
  }

  /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection, so no modulo bias).
  public mutating func next(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let b = UInt64(bound)
    while true {
      let r = next().multipliedFullWidth(by: b)
      if r.low >= (0 &- b) % b { return Int(r.high) }
    }
  }

  /// The mix function (bijective on 64 bits).
  public static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A float uniform in `[lo, hi)` (24 random mantissa bits).
  public mutating func float(_ lo: Float, _ hi: Float) -> Float {
    lo + (hi - lo) * (Float(next() >> 40) * 0x1p-24)
  }

  /// `count` floats uniform in `[lo, hi)`.
  public mutating func floats(_ count: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
    (0..<count).map { _ in float(lo, hi) }
  }

  /// Fisher–Yates shuffle of `items`, in place.
  public mutating func shuffle<T>(_ items: inout [T]) {
    guard items.count > 1 else { return }
    for i in stride(from: items.count - 1, to: 0, by: -1) {
      items.swapAt(i, next(below: i + 1))
    }
  }
}
