import Foundation

/// Elementwise and reduction kernels over a sub-range of a buffer, so a backend can hand ranges to threads.
///
/// Every element is computed by the same eight-lane code wherever its range starts (tails are zero-padded
/// vectors, see `Lanes`), so splitting a buffer differently never changes a bit.
enum ElementwiseKernels {
  @inline(__always)
  static func unary(_ op: UnaryOp, _ v: V8) -> V8 {
    switch op {
    case .negate: return -v
    case .abs: return vabs(v)
    case .square: return v * v
    case .sqrt: return v.squareRoot()
    case .exp: return VectorMath.exp(v)
    case .log: return VectorMath.lanes(v, Foundation.log)
    case .sin: return VectorMath.sinCos(v).sin
    case .cos: return VectorMath.sinCos(v).cos
    case .tanh: return VectorMath.tanh(v)
    case .affine(let a, let b): return v * a + b
    case .clamp(let lo, let hi):
      // min/max that let NaN through, as PyTorch's clamp does.
      var out = v
      out = blend(lessMask(v, V8(repeating: lo)), V8(repeating: lo), else: out)
      out = blend(greaterMask(v, V8(repeating: hi)), V8(repeating: hi), else: out)
      return out
    }
  }

  @inline(__always)
  static func binary(_ op: BinaryOp, _ a: V8, _ b: V8) -> V8 {
    switch op {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    case .maximum:
      var out = a
      out = blend(greaterMask(b, a), b, else: out)
      out = blend(nanMask(a) | nanMask(b), a + b, else: out)
      return out
    case .minimum:
      var out = a
      out = blend(lessMask(b, a), b, else: out)
      out = blend(nanMask(a) | nanMask(b), a + b, else: out)
      return out
    }
  }

  static func map(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, range: Range<Int>) {
    switch op {
    case .negate: Lanes.map(x, y, range) { -$0 }
    case .square: Lanes.map(x, y, range) { $0 * $0 }
    case .affine(let a, let b): Lanes.map(x, y, range) { $0 * a + b }
    case .exp: Lanes.map(x, y, range) { VectorMath.exp($0) }
    case .tanh: Lanes.map(x, y, range) { VectorMath.tanh($0) }
    default: Lanes.map(x, y, range) { unary(op, $0) }
    }
  }

  static func zip(
    _ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    range: Range<Int>
  ) {
    switch op {
    case .add: Lanes.map(x, y, z, range) { $0 + $1 }
    case .subtract: Lanes.map(x, y, z, range) { $0 - $1 }
    case .multiply: Lanes.map(x, y, z, range) { $0 * $1 }
    default: Lanes.map(x, y, z, range) { binary(op, $0, $1) }
    }
  }

  static func fill(_ y: UnsafeMutablePointer<Float>, value: Float, range: Range<Int>) {
    y.advanced(by: range.lowerBound).update(repeating: value, count: range.count)
  }

  static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, range: Range<Int>) {
    if x == UnsafePointer(y) { return }
    y.advanced(by: range.lowerBound).update(from: x.advanced(by: range.lowerBound), count: range.count)
  }

  static func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, range: Range<Int>) {
    Lanes.map(x, y, y, range) { $1 + alpha * $0 }
  }

  static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, range: Range<Int>) {
    Lanes.map(x, x, range) { $0 * alpha }
  }

  /// `y[r, c] += bias[c]` for rows `rows` of a matrix with `cols` columns.
  static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Range<Int>, cols: Int, bias: UnsafePointer<Float>) {
    for r in rows {
      let row = y + r * cols
      Lanes.map(row, bias, row, 0..<cols) { $0 + $1 }
    }
  }

  /// Column sums over all `rows` for the columns in `cols` (rows summed in order, so the result of a
  /// column never depends on how columns are split).
  static func columnSums(
    _ x: UnsafePointer<Float>, rows: Int, stride: Int, cols: Range<Int>, _ y: UnsafeMutablePointer<Float>,
    accumulate: Bool
  ) {
    var c = cols.lowerBound
    let end = cols.upperBound
    while c < end {
      var acc = V8()
      if c + 8 <= end {
        for r in 0..<rows { acc += UnsafeRawPointer(x + r * stride + c).loadUnaligned(as: V8.self) }
      } else {
        for r in 0..<rows { acc += Lanes.load(x + r * stride, c, end) }
      }
      if accumulate { acc += Lanes.load(y, c, end) }
      Lanes.store(acc, y, c, end)
      c += 8
    }
  }

  /// Elements per block of a reduction: each block is summed in eight lanes, blocks are then added in
  /// order in double precision.
  static let reduceBlock = 4096

  static func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, count: Int) -> Float {
    var total = 0.0
    var blockStart = 0
    while blockStart < count {
      let end = min(blockStart + reduceBlock, count)
      var acc = V8()
      var i = blockStart
      while i < end {
        let v = Lanes.load(x, i, end)
        switch op {
        case .sum: acc += v
        case .sumOfSquares: acc += v * v
        case .maxAbs:
          let a = vabs(v)
          acc = blend(greaterMask(a, acc) | nanMask(a), a, else: acc)
        }
        i += 8
      }
      switch op {
      case .sum, .sumOfSquares:
        var lanes = 0.0
        for l in 0..<8 { lanes += Double(acc[l]) }
        total += lanes
      case .maxAbs:
        for l in 0..<8 where !total.isNaN && !(Double(acc[l]) <= total) { total = Double(acc[l]) }
      }
      blockStart = end
    }
    return Float(total)
  }
}
