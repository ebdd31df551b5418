/// Checked conversion of stored numbers to Float32: integers must be exactly representable, floats finite and
/// within Float32's range — anything else is an error, never a silent rounding or clamp.
enum ExactFloat {
  /// 2²⁴: every integer up to it in magnitude is a Float32.
  static let exactIntegerLimit: Int64 = 1 << 24

  static func integer(_ v: Int64, place: () -> DataError) throws -> Float {
    let f = Float(v)
    guard Int64(exactly: f) == v else {
      var e = place()
      e.code = "data.inexact"
      e.message = "integer \(v) is not exactly representable as a 32-bit float"
      e.suggestion = "store it as a smaller integer or as float64 that you convert knowingly"
      throw e
    }
    return f
  }

  static func unsigned(_ v: UInt64, place: () -> DataError) throws -> Float {
    guard v <= UInt64(Int64.max) else {
      var e = place()
      e.code = "data.inexact"
      e.message = "integer \(v) is not exactly representable as a 32-bit float"
      throw e
    }
    return try integer(Int64(v), place: place)
  }

  static func double(_ v: Double, place: () -> DataError) throws -> Float {
    guard v.isFinite else {
      var e = place()
      e.code = "data.not-finite"
      e.message = "value \(v) is not finite"
      e.suggestion = "remove or impute NaN/infinite values before loading"
      throw e
    }
    let f = Float(v)
    guard f.isFinite else {
      var e = place()
      e.code = "data.out-of-range"
      e.message = "value \(v) overflows a 32-bit float"
      throw e
    }
    return f
  }

  /// IEEE 754 binary16 → Float32 (exact: every half is a float).
  static func half(_ bits: UInt16) -> Float {
    let sign = UInt32(bits >> 15) << 31
    let exponent = Int(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0 {
      let magnitude = Float(mantissa) * 0x1p-24  // subnormal (or zero)
      return sign != 0 ? -magnitude : magnitude
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
  }
}
