import SproutConfig
import SproutTensor

/// KAT group-rational activation (Yang & Wang, ICLR 2025; docs/activations.md), in the safe form the training
/// kernels of `Adamdad/rational_kat_cu` use, of degrees [m, n] (KAT's [5, 4] by default):
///
///     F(x) = P(x) / Q(x),   P(x) = a₀ + a₁x + … + a_m xᵐ,   Q(x) = 1 + |b₁||x| + … + |b_n||x|ⁿ
///
/// Q ≥ 1, so F has no poles. The width is split into `groups` contiguous groups of `width/groups` features;
/// group k uses row k of `numerator` `[groups, m+1]` and `denominator` `[groups, n]`. Per-group numerators are a
/// deliberate choice (the paper and `KAT_1DGroup`); `KAT_Group` shares one numerator row across groups —
/// initialising every row identically and tying them is the way to reproduce that.
///
/// Gradients (with s = sign(x), F = P/Q):
///
///     dF/dx  = (P′ − F·Q′)/Q,  Q′ = s·(|b₁| + 2|b₂||x| + 3|b₃||x|² + 4|b₄||x|³)
///     dF/daⱼ = xʲ/Q,           dF/dbᵢ = −(F/Q)·sign(bᵢ)·|x|ⁱ
public final class RationalLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// Number of coefficient groups.
  public let groups: Int
  /// `[groups, m+1]`: a₀…a_m per group.
  public let numerator: Parameter
  /// `[groups, n]`: b₁…b_n per group.
  public let denominator: Parameter
  /// Numerator degree m.
  public let numeratorDegree: Int
  /// Denominator degree n.
  public let denominatorDegree: Int
  let out: Tensor
  private var input: UnsafePointer<Float>?

  init(
    width: Int, groups: Int, numerator m: Int = 5, denominator n: Int = 4, initialization: RationalInitialization,
    maxBatch: Int, path: String, topIndex: Int, naming: LayerNaming
  ) {
    inputWidth = width
    self.groups = groups
    numeratorDegree = m
    denominatorDegree = n
    numerator = naming.parameter(
      path, "numerator", role: .activation, topIndex: topIndex, dense: nil, shape: [groups, m + 1])
    denominator = naming.parameter(
      path, "denominator", role: .activation, topIndex: topIndex, dense: nil, shape: [groups, n])
    let (a, b) = initialization.coefficients(numerator: m, denominator: n)
    for g in 0..<groups {
      for j in 0...m { numerator.value[g * (m + 1) + j] = a[j] }
      for j in 0..<n { denominator.value[g * n + j] = b[j] }
    }
    out = Tensor(zeros: [maxBatch, width])
  }

  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// `[numerator, denominator]`.
  public var parameters: [Parameter] { [numerator, denominator] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `rational`.
  public var kind: String { "rational" }

  /// True for KAT's degrees, which have an unrolled path.
  private var isKAT: Bool { numeratorDegree == 5 && denominatorDegree == 4 }

  /// `y = P(x)/Q(x)` per group.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    guard isKAT else { return forwardAnyDegree(x, batch: batch) }
    let per = inputWidth / groups
    let a = numerator.value.pointer, bq = denominator.value.pointer
    let y = out.mutablePointer
    for g in 0..<groups {
      let a0 = a[g * 6], a1 = a[g * 6 + 1], a2 = a[g * 6 + 2], a3 = a[g * 6 + 3], a4 = a[g * 6 + 4]
      let a5 = a[g * 6 + 5]
      let b1 = abs(bq[g * 4]), b2 = abs(bq[g * 4 + 1]), b3 = abs(bq[g * 4 + 2]), b4 = abs(bq[g * 4 + 3])
      for r in 0..<batch {
        let base = r * inputWidth + g * per
        for c in 0..<per {
          let v = x[base + c], av = abs(v)
          let p = a0 + v * (a1 + v * (a2 + v * (a3 + v * (a4 + v * a5))))
          let q = 1 + av * (b1 + av * (b2 + av * (b3 + av * b4)))
          y[base + c] = p / q
        }
      }
    }
  }

  /// Input gradient and coefficient gradients (summed per group in Float64, in row order).
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("RationalLayer.backward before forward") }
    guard isKAT else { return backwardAnyDegree(x, dy, dx: dx, batch: batch) }
    let per = inputWidth / groups
    let a = numerator.value.pointer, bq = denominator.value.pointer
    for g in 0..<groups {
      let a0 = a[g * 6], a1 = a[g * 6 + 1], a2 = a[g * 6 + 2], a3 = a[g * 6 + 3], a4 = a[g * 6 + 4]
      let a5 = a[g * 6 + 5]
      let b1 = abs(bq[g * 4]), b2 = abs(bq[g * 4 + 1]), b3 = abs(bq[g * 4 + 2]), b4 = abs(bq[g * 4 + 3])
      var ga: (Double, Double, Double, Double, Double, Double) = (0, 0, 0, 0, 0, 0)
      var gb: (Double, Double, Double, Double) = (0, 0, 0, 0)
      for r in 0..<batch {
        let base = r * inputWidth + g * per
        for c in 0..<per {
          let v = x[base + c], av = abs(v), d = dy[base + c]
          let p = a0 + v * (a1 + v * (a2 + v * (a3 + v * (a4 + v * a5))))
          let q = 1 + av * (b1 + av * (b2 + av * (b3 + av * b4)))
          let f = p / q
          if let dx {
            let dp = a1 + v * (2 * a2 + v * (3 * a3 + v * (4 * a4 + v * 5 * a5)))
            let sx: Float = v > 0 ? 1 : (v < 0 ? -1 : 0)
            let dq = sx * (b1 + av * (2 * b2 + av * (3 * b3 + av * 4 * b4)))
            dx[base + c] = d * (dp - f * dq) / q
          }
          let dq = Double(d / q)
          let v2 = v * v, v3 = v2 * v, v4 = v3 * v
          ga.0 += dq
          ga.1 += dq * Double(v)
          ga.2 += dq * Double(v2)
          ga.3 += dq * Double(v3)
          ga.4 += dq * Double(v4)
          ga.5 += dq * Double(v4 * v)
          let df = -Double(d * f / q)
          let a2v = av * av
          gb.0 += df * Double(av)
          gb.1 += df * Double(a2v)
          gb.2 += df * Double(a2v * av)
          gb.3 += df * Double(a2v * a2v)
        }
      }
      if numerator.trainable {
        let gn = numerator.grad.mutablePointer + g * 6
        gn[0] += Float(ga.0); gn[1] += Float(ga.1); gn[2] += Float(ga.2)
        gn[3] += Float(ga.3); gn[4] += Float(ga.4); gn[5] += Float(ga.5)
      }
      if denominator.trainable {
        let gd = denominator.grad.mutablePointer + g * 4
        gd[0] += Float(gb.0) * RationalLayer.sign(bq[g * 4])
        gd[1] += Float(gb.1) * RationalLayer.sign(bq[g * 4 + 1])
        gd[2] += Float(gb.2) * RationalLayer.sign(bq[g * 4 + 2])
        gd[3] += Float(gb.3) * RationalLayer.sign(bq[g * 4 + 3])
      }
    }
  }

  /// `forward` for any degrees: P and Q by Horner's rule.
  private func forwardAnyDegree(_ x: UnsafePointer<Float>, batch: Int) {
    let (m, n) = (numeratorDegree, denominatorDegree)
    let per = inputWidth / groups
    let a = numerator.value.pointer, bq = denominator.value.pointer
    let y = out.mutablePointer
    for g in 0..<groups {
      let ag = a + g * (m + 1), bg = bq + g * n
      for r in 0..<batch {
        let base = r * inputWidth + g * per
        for c in 0..<per {
          let v = x[base + c], av = abs(v)
          y[base + c] = Self.polynomial(ag, m, v) / (1 + av * Self.absPolynomial(bg, n, av))
        }
      }
    }
  }

  /// `backward` for any degrees: dF/dx = (P′ − F·Q′)/Q, dF/daⱼ = xʲ/Q, dF/dbᵢ = −(F/Q)·sign(bᵢ)·|x|ⁱ.
  private func backwardAnyDegree(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    let (m, n) = (numeratorDegree, denominatorDegree)
    let per = inputWidth / groups
    let a = numerator.value.pointer, bq = denominator.value.pointer
    var ga = [Double](repeating: 0, count: m + 1)
    var gb = [Double](repeating: 0, count: n)
    for g in 0..<groups {
      let ag = a + g * (m + 1), bg = bq + g * n
      for j in ga.indices { ga[j] = 0 }
      for i in gb.indices { gb[i] = 0 }
      for r in 0..<batch {
        let base = r * inputWidth + g * per
        for c in 0..<per {
          let v = x[base + c], av = abs(v), d = dy[base + c]
          let p = Self.polynomial(ag, m, v)
          let q = 1 + av * Self.absPolynomial(bg, n, av)
          let f = p / q
          if let dx {
            var dp: Float = 0
            for j in stride(from: m, through: 1, by: -1) { dp = dp * v + Float(j) * ag[j] }
            var dqAbs: Float = 0
            for i in stride(from: n, through: 1, by: -1) { dqAbs = dqAbs * av + Float(i) * abs(bg[i - 1]) }
            dx[base + c] = d * (dp - f * Self.sign(v) * dqAbs) / q
          }
          let dq = Double(d / q)
          var power: Float = 1
          for j in 0...m {
            ga[j] += dq * Double(power)
            power *= v
          }
          let df = -Double(d * f / q)
          var absPower = av
          for i in 0..<n {
            gb[i] += df * Double(absPower)
            absPower *= av
          }
        }
      }
      if numerator.trainable {
        let gn = numerator.grad.mutablePointer + g * (m + 1)
        for j in 0...m { gn[j] += Float(ga[j]) }
      }
      if denominator.trainable {
        let gd = denominator.grad.mutablePointer + g * n
        for i in 0..<n { gd[i] += Float(gb[i]) * RationalLayer.sign(bg[i]) }
      }
    }
  }

  /// a₀ + a₁v + … + a_m vᵐ.
  @inline(__always)
  static func polynomial(_ a: UnsafePointer<Float>, _ m: Int, _ v: Float) -> Float {
    var acc = a[m]
    for j in stride(from: m - 1, through: 0, by: -1) { acc = a[j] + v * acc }
    return acc
  }

  /// |b₁| + |b₂|u + … + |b_n|uⁿ⁻¹ (0 for n = 0).
  @inline(__always)
  static func absPolynomial(_ b: UnsafePointer<Float>, _ n: Int, _ u: Float) -> Float {
    guard n > 0 else { return 0 }
    var acc = abs(b[n - 1])
    for i in stride(from: n - 2, through: 0, by: -1) { acc = abs(b[i]) + u * acc }
    return acc
  }

  /// sign with sign(0) = 0, the subgradient PyTorch's `abs` uses.
  static func sign(_ v: Float) -> Float { v > 0 ? 1 : (v < 0 ? -1 : 0) }
}
