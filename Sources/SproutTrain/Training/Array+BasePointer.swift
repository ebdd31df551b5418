extension Array where Element == Float {
  /// Calls `body` with a pointer to the first element. The callers' arrays are never empty (sizes are checked
  /// where data enters), so a missing base address is a broken invariant, not a user error.
  func withBasePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    try withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { preconditionFailure("empty float buffer") }
      return try body(base)
    }
  }
}
