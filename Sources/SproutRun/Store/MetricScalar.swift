import SproutDiagnostics

/// Reading a recorded metric value as one number.
///
/// The store writes scalars as JSON numbers and non-finite values as the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"` (older records: `"nan"`, `"inf"`, `"-inf"`); per-layer metrics are objects of numbers,
/// summarised by their mean; vectors (spectra) have no single number.
public enum MetricScalar {
  /// The number a value stands for, non-finite ones included; nil for vectors and other shapes.
  public static func value(_ v: JSONValue) -> Double? {
    switch v {
    case .int(let i): return Double(i)
    case .double(let d): return d
    case .string(let s): return nonFinite(s)
    case .object(let members):
      let numbers = members.values.compactMap { value($0) }
      guard !numbers.isEmpty, numbers.count == members.count else { return nil }
      return numbers.reduce(0, +) / Double(numbers.count)
    default: return nil
    }
  }

  /// True when the value is a per-layer map (its number is a mean over layers).
  public static func isPerLayer(_ v: JSONValue) -> Bool {
    if case .object = v { return true }
    return false
  }

  /// The non-finite double a string spells, if any.
  public static func nonFinite(_ s: String) -> Double? {
    switch s {
    case "NaN", "nan", "-nan": return .nan
    case "Infinity", "inf", "+inf", "Inf": return .infinity
    case "-Infinity", "-inf", "-Inf": return -.infinity
    default: return nil
    }
  }

  /// The leaves of a value as (suffix, number) pairs: a scalar is one leaf with an empty suffix, a per-layer
  /// map one leaf per layer (`layers.0.weight`), a vector one leaf per index. Used by the exports, which
  /// keep every number.
  public static func leaves(_ v: JSONValue) -> [(String, Double)] {
    switch v {
    case .int, .double, .string: return value(v).map { [("", $0)] } ?? []
    case .object(let members):
      return members.keys.sorted().flatMap { key in
        leaves(members[key] ?? .null).map { suffix, x in (suffix.isEmpty ? key : "\(key).\(suffix)", x) }
      }
    case .array(let items):
      return items.enumerated().flatMap { i, item in
        leaves(item).map { suffix, x in (suffix.isEmpty ? String(i) : "\(i).\(suffix)", x) }
      }
    default: return []
    }
  }

  /// A number as a table cell: 4 significant digits, scientific outside [1e-3, 1e5); non-finite values
  /// spelled out.
  public static func format(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "inf" : "-inf" }
    if d == 0 || (abs(d) >= 1e-3 && abs(d) < 1e5) { return String(format: "%.4g", d) }
    return String(format: "%.3e", d)
  }
}
