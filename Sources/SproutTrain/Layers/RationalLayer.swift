import SproutTensor

/// KAT group-rational activation (METHODS.md B5), in the safe form the training kernels use:
///
///     F(x) = P(x) / Q(x),   P(x) = a₀ + a₁x + … + a₅x⁵,   Q(x) = 1 + |b₁||x| + |b₂||x|² + |b₃||x|³ + |b₄||x|⁴
///
/// Q ≥ 1, so F has no poles. The width is split into `groups` contiguous groups of `width/groups` features;
/// group k uses row k of `numerator` `[groups, 6]` and `denominator` `[groups, 4]`. Per-group numerators are a
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
  /// `[groups, 6]`: a₀…a₅ per group.
  public let numerator: Parameter
  /// `[groups, 4]`: b₁…b₄ per group.
  public let denominator: Parameter
  let out: Tensor
  private var input: UnsafePointer<Float>?

  init(
    width: Int, groups: Int, initialization: RationalInitialization, maxBatch: Int, path: String,
    topIndex: Int, naming: LayerNaming
  ) {
    inputWidth = width
    self.groups = groups
    numerator = naming.parameter(
      path, "numerator", role: .activation, topIndex: topIndex, dense: nil, shape: [groups, 6])
    denominator = naming.parameter(
      path, "denominator", role: .activation, topIndex: topIndex, dense: nil, shape: [groups, 4])
    let (a, b) = initialization.coefficients
    for g in 0..<groups {
      for j in 0..<6 { numerator.value[g * 6 + j] = a[j] }
      for j in 0..<4 { denominator.value[g * 4 + j] = b[j] }
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

  /// `y = P(x)/Q(x)` per group.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
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

  /// sign with sign(0) = 0, the subgradient PyTorch's `abs` uses.
  static func sign(_ v: Float) -> Float { v > 0 ? 1 : (v < 0 ? -1 : 0) }
}
