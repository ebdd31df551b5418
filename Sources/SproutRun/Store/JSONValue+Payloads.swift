import SproutDiagnostics
import SproutPlanner

/// Payload accessors the store's readers use (the planner's JSONValue has the scalar ones).
extension JSONValue {
  /// The array payload, if an array.
  var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The object payload, if an object.
  var objectValue: [String: JSONValue]? {
    if case .object(let o) = self { return o }
    return nil
  }
}
