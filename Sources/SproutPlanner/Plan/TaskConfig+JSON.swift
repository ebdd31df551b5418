import Foundation
import SproutConfig
import SproutDiagnostics

extension TaskConfig {
  /// The configuration as JSON: what plan files, `sprout plan --format json`, manifests and task records show, and
  /// what `--explain` compares field by field. Enumeration cases are objects keyed by the case name
  /// (`{"dense": {"units": 256, "bias": true}}`), as Swift's `Codable` writes them; decoding reads it back exactly.
  public var json: JSONValue {
    do { return JSONValue(try CanonicalEncoder().tree(self)) } catch {
      preconditionFailure("a task configuration always encodes: \(error)")
    }
  }

  /// Reads a configuration from its JSON form.
  public init(json: JSONValue) throws {
    self = try JSONDecoder().decode(TaskConfig.self, from: Data(json.canonical.utf8))
  }
}

extension JSONValue {
  /// The JSON form of an encoded configuration value.
  init(_ tree: ConfigTree) {
    switch tree {
    case .null: self = .null
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(Int(i))
    case .uint(let u): self = .int(Int(truncatingIfNeeded: u))
    case .double(let d): self = .double(d)
    case .string(let s): self = .string(s)
    case .array(let items): self = .array(items.map(JSONValue.init))
    case .object(let members):
      var o: [String: JSONValue] = [:]
      for m in members { o[m.key] = JSONValue(m.value) }
      self = .object(o)
    }
  }
}
