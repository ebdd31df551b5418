import SproutDiagnostics
/// The value of one recorded metric: a number, a map (per layer, or per statistic), or a vector (a spectrum).
///
/// Values encode to JSON deterministically: maps with sorted keys, numbers in Swift's shortest round-trip
/// form (so a decoded value is bit-identical), and the non-finite numbers JSON lacks as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"` (as Python's `json` module reads them with a hook).
public indirect enum MetricValue: Sendable, Hashable {
  /// One number.
  case scalar(Double)
  /// Named values, e.g. per layer (`layers.2.weight` → 0.41) or per statistic (`mean`, `std`, ...).
  case map([String: MetricValue])
  /// An ordered list of numbers (an output spectrum).
  case vector([Double])

  /// The number, when this is a scalar.
  public var scalar: Double? {
    if case .scalar(let v) = self { return v }
    return nil
  }

  /// The entry under `key`, when this is a map.
  public subscript(key: String) -> MetricValue? {
    if case .map(let m) = self { return m[key] }
    return nil
  }

  /// The numbers, when this is a vector.
  public var vector: [Double]? {
    if case .vector(let v) = self { return v }
    return nil
  }

  /// A per-layer (or per-name) map of scalars.
  public static func scalars(_ values: [String: Double]) -> MetricValue {
    .map(values.mapValues { .scalar($0) })
  }

  /// Canonical JSON text (sorted keys, no whitespace).
  public var json: String {
    var out = ""
    write(into: &out)
    return out
  }

  private func write(into out: inout String) {
    switch self {
    case .scalar(let v): out += MetricValue.jsonNumber(v)
    case .vector(let vs):
      out += "["
      for (i, v) in vs.enumerated() {
        if i > 0 { out += "," }
        out += MetricValue.jsonNumber(v)
      }
      out += "]"
    case .map(let m):
      out += "{"
      for (i, entry) in m.sorted(by: { $0.key < $1.key }).enumerated() {
        if i > 0 { out += "," }
        out += JSONString.quoted(entry.key) + ":"
        entry.value.write(into: &out)
      }
      out += "}"
    }
  }

  /// A double as JSON: shortest round-trip digits, integers without a fraction, non-finite as strings.
  public static func jsonNumber(_ v: Double) -> String {
    if v.isNaN { return "\"NaN\"" }
    if v.isInfinite { return v > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
    if v == 0 && v.sign == .minus { return "-0.0" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }
}

extension MetricValue: Codable {
  /// Decodes a number, a non-finite string, an array of numbers or an object.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    // Probing the value's shape: each failed `try?` is "not this shape"; the last branch throws if none fits.
    if let v = try? c.decode(Double.self) {
      self = .scalar(v)
    } else if let s = try? c.decode(String.self), let v = MetricValue.nonFinite(s) {
      self = .scalar(v)
    } else if let m = try? c.decode([String: MetricValue].self) {
      self = .map(m)
    } else if let a = try? c.decode([MetricValue].self) {
      var out: [Double] = []
      for item in a {
        guard let v = item.scalar else {
          throw DecodingError.dataCorruptedError(in: c, debugDescription: "a metric vector holds only numbers")
        }
        out.append(v)
      }
      self = .vector(out)
    } else {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a metric value")
    }
  }

  /// Encodes as `json` describes (non-finite numbers as strings).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .scalar(let v):
      if v.isFinite { try c.encode(v) } else { try c.encode(MetricValue.jsonNumber(v).filter { $0 != "\"" }) }
    case .vector(let vs): try c.encode(vs.map { MetricValue.scalar($0) })
    case .map(let m): try c.encode(m)
    }
  }

  private static func nonFinite(_ s: String) -> Double? {
    switch s {
    case "NaN": return .nan
    case "Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: return nil
    }
  }
}
