import Foundation

/// Discrete Fourier transforms in float64 for spectra of network outputs (FreSh, WINNER's spectral centroid).
///
/// `X_k = Σ_j x_j · e^(−2πi·jk/n)` (unnormalised forward transform, NumPy's convention). Power-of-two lengths
/// use an iterative radix-2 Cooley–Tukey transform; other lengths use Bluestein's chirp-z algorithm on a
/// power-of-two convolution, so every length costs O(n log n).
public enum FourierTransform {
  /// The complex DFT of `(re, im)` (inverse: `e^(+2πi·jk/n)/n`).
  public static func dft(re: [Double], im: [Double], inverse: Bool = false) -> (re: [Double], im: [Double]) {
    precondition(re.count == im.count, "real and imaginary parts differ in length")
    let n = re.count
    if n <= 1 { return (re, im) }
    var (r, i) =
      n & (n - 1) == 0 ? radix2(re: re, im: im, inverse: inverse) : bluestein(re: re, im: im, inverse: inverse)
    if inverse {
      let f = 1 / Double(n)
      for k in 0..<n {
        r[k] *= f
        i[k] *= f
      }
    }
    return (r, i)
  }

  /// `|X_k|` for k = 0 … ⌊n/2⌋ of a real signal (the non-redundant half, as NumPy's `abs(rfft(x))`).
  public static func realMagnitude(_ x: [Double]) -> [Double] {
    if x.isEmpty { return [] }
    let (r, i) = dft(re: x, im: [Double](repeating: 0, count: x.count))
    return (0...(x.count / 2)).map { (r[$0] * r[$0] + i[$0] * i[$0]).squareRoot() }
  }

  /// `|X_{u,v}|` of the 2-D DFT of a real rows×cols image (row-major), all rows×cols frequencies.
  public static func magnitude2D(_ x: [Double], rows: Int, cols: Int) -> [Double] {
    precondition(x.count == rows * cols, "\(x.count) values for a \(rows)×\(cols) image")
    var re = x
    var im = [Double](repeating: 0, count: x.count)
    for r in 0..<rows {  // transform every row
      let (a, b) = dft(re: Array(re[(r * cols)..<((r + 1) * cols)]), im: Array(im[(r * cols)..<((r + 1) * cols)]))
      for c in 0..<cols {
        re[r * cols + c] = a[c]
        im[r * cols + c] = b[c]
      }
    }
    for c in 0..<cols {  // then every column
      let (a, b) = dft(re: (0..<rows).map { re[$0 * cols + c] }, im: (0..<rows).map { im[$0 * cols + c] })
      for r in 0..<rows {
        re[r * cols + c] = a[r]
        im[r * cols + c] = b[r]
      }
    }
    return zip(re, im).map { ($0 * $0 + $1 * $1).squareRoot() }
  }

  /// Iterative radix-2 Cooley–Tukey (bit-reversal permutation, then log₂n butterfly passes); unnormalised.
  static func radix2(re: [Double], im: [Double], inverse: Bool) -> ([Double], [Double]) {
    let n = re.count
    var r = re, i = im
    var j = 0
    for k in 1..<n {
      var bit = n >> 1
      while j & bit != 0 {
        j ^= bit
        bit >>= 1
      }
      j |= bit
      if k < j {
        r.swapAt(k, j)
        i.swapAt(k, j)
      }
    }
    let sign = inverse ? 1.0 : -1.0
    var len = 2
    while len <= n {
      let half = len / 2
      // Twiddles computed directly per index (not by repeated multiplication) to keep full accuracy.
      let tw = (0..<half).map { k -> (Double, Double) in
        let a = sign * 2 * Double.pi * Double(k) / Double(len)
        return (cos(a), sin(a))
      }
      var start = 0
      while start < n {
        for k in 0..<half {
          let (wr, wi) = tw[k]
          let p = start + k, q = p + half
          let xr = r[q] * wr - i[q] * wi
          let xi = r[q] * wi + i[q] * wr
          r[q] = r[p] - xr
          i[q] = i[p] - xi
          r[p] += xr
          i[p] += xi
        }
        start += len
      }
      len <<= 1
    }
    return (r, i)
  }

  /// Bluestein: `X_k = w_k · Σ_j (x_j w_j) · conj(w_{k−j})` with the chirp `w_k = e^(∓πi·k²/n)`, the
  /// convolution done by radix-2 transforms of length ≥ 2n − 1. `k²` is reduced mod 2n before the angle is
  /// formed so large indices lose no precision.
  static func bluestein(re: [Double], im: [Double], inverse: Bool) -> ([Double], [Double]) {
    let n = re.count
    var m = 1
    while m < 2 * n - 1 { m <<= 1 }
    let sign = inverse ? 1.0 : -1.0
    let chirp = (0..<n).map { k -> (Double, Double) in
      let a = sign * Double.pi * Double((k * k) % (2 * n)) / Double(n)
      return (cos(a), sin(a))
    }
    var ar = [Double](repeating: 0, count: m), ai = ar
    var br = ar, bi = ar
    for k in 0..<n {
      let (wr, wi) = chirp[k]
      ar[k] = re[k] * wr - im[k] * wi
      ai[k] = re[k] * wi + im[k] * wr
      br[k] = wr
      bi[k] = -wi
      if k > 0 {
        br[m - k] = wr
        bi[m - k] = -wi
      }
    }
    let (fa, ga) = radix2(re: ar, im: ai, inverse: false)
    let (fb, gb) = radix2(re: br, im: bi, inverse: false)
    var pr = [Double](repeating: 0, count: m), pi = pr
    for k in 0..<m {
      pr[k] = fa[k] * fb[k] - ga[k] * gb[k]
      pi[k] = fa[k] * gb[k] + ga[k] * fb[k]
    }
    let (cr, ci) = radix2(re: pr, im: pi, inverse: true)
    let scale = 1 / Double(m)
    var outR = [Double](repeating: 0, count: n), outI = outR
    for k in 0..<n {
      let (wr, wi) = chirp[k]
      let xr = cr[k] * scale, xi = ci[k] * scale
      outR[k] = xr * wr - xi * wi
      outI[k] = xr * wi + xi * wr
    }
    return (outR, outI)
  }
}
