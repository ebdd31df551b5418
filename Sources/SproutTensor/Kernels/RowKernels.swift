import Foundation

/// Kernels that work row by row (softmax, layer norm): each row is reduced in eight lanes in a fixed order,
/// so a row's result does not depend on which thread handles it.
enum RowKernels {
  @inline(__always)
  static func horizontalSum(_ v: V8) -> Float {
    ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))
  }

  static func rowMax(_ row: UnsafePointer<Float>, _ cols: Int) -> Float {
    var m = -Float.infinity
    for c in 0..<cols {
      let v = row[c]
      if v > m || v.isNaN { m = v }
      if m.isNaN { break }
    }
    return m
  }

  /// Softmax (or log-softmax) of rows `rows`.
  static func softmax(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Range<Int>, cols: Int, log: Bool
  ) {
    for r in rows {
      let xr = x + r * cols
      let yr = y + r * cols
      let m = rowMax(xr, cols)
      // A row of −∞ (fully masked) would give NaN from −∞ − (−∞); shift by 0 then, as PyTorch does.
      let shift = m.isFinite ? m : (m.isNaN ? m : 0)
      var acc = V8()
      var c = 0
      while c < cols {
        var e = VectorMath.exp(Lanes.load(xr, c, cols) - shift)
        if c + 8 > cols { for l in (cols - c)..<8 { e[l] = 0 } }
        acc += e
        if !log { Lanes.store(e, yr, c, cols) }
        c += 8
      }
      let total = horizontalSum(acc)
      c = 0
      if log {
        let logTotal = Foundation.log(total)
        while c < cols {
          Lanes.store(Lanes.load(xr, c, cols) - shift - logTotal, yr, c, cols)
          c += 8
        }
      } else {
        let inv = 1 / total
        while c < cols {
          Lanes.store(Lanes.load(yr, c, cols) * inv, yr, c, cols)
          c += 8
        }
      }
    }
  }

  static func layerNormForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Range<Int>, cols: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
  ) {
    let n = Float(cols)
    for r in rows {
      let xr = x + r * cols
      let yr = y + r * cols
      var acc = V8()
      var c = 0
      while c < cols {
        acc += Lanes.load(xr, c, cols)
        c += 8
      }
      let mu = horizontalSum(acc) / n
      acc = V8()
      c = 0
      while c < cols {
        var d = Lanes.load(xr, c, cols) - mu
        if c + 8 > cols { for l in (cols - c)..<8 { d[l] = 0 } }
        acc += d * d
        c += 8
      }
      let rs = 1 / (horizontalSum(acc) / n + eps).squareRoot()
      mean[r] = mu
      rstd[r] = rs
      c = 0
      while c < cols {
        var v = (Lanes.load(xr, c, cols) - mu) * rs
        if let gamma { v = v * Lanes.load(gamma, c, cols) }
        if let beta { v = v + Lanes.load(beta, c, cols) }
        Lanes.store(v, yr, c, cols)
        c += 8
      }
    }
  }

  /// `dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))` with `dx̂ = dy · γ`.
  static func layerNormBackward(
    _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Range<Int>,
    cols: Int, gamma: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>
  ) {
    let n = Float(cols)
    for r in rows {
      let xr = x + r * cols
      let dyr = dy + r * cols
      let dxr = dx + r * cols
      let mu = mean[r]
      let rs = rstd[r]
      var sumG = V8()
      var sumGX = V8()
      var c = 0
      while c < cols {
        var g = Lanes.load(dyr, c, cols)
        if let gamma { g = g * Lanes.load(gamma, c, cols) }
        var xh = (Lanes.load(xr, c, cols) - mu) * rs
        if c + 8 > cols { for l in (cols - c)..<8 { xh[l] = 0 } }
        sumG += g
        sumGX += g * xh
        c += 8
      }
      let meanG = horizontalSum(sumG) / n
      let meanGX = horizontalSum(sumGX) / n
      c = 0
      while c < cols {
        var g = Lanes.load(dyr, c, cols)
        if let gamma { g = g * Lanes.load(gamma, c, cols) }
        let xh = (Lanes.load(xr, c, cols) - mu) * rs
        Lanes.store(rs * (g - meanG - xh * meanGX), dxr, c, cols)
        c += 8
      }
    }
  }

  /// `dγ[c] += Σ_r dy·x̂`, `dβ[c] += Σ_r dy` for columns `cols` (rows summed in order).
  static func layerNormParameterGradients(
    _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, rows: Int, stride: Int, cols: Range<Int>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?
  ) {
    for c in cols {
      var sg: Float = 0
      var sb: Float = 0
      for r in 0..<rows {
        let i = r * stride + c
        let g = dy[i]
        sg += g * ((x[i] - mean[r]) * rstd[r])
        sb += g
      }
      if let dGamma { dGamma[c] += sg }
      if let dBeta { dBeta[c] += sb }
    }
  }
}
