/// An n-dimensional numeric array read from a file, converted to Float32 in C (row-major) order.
public struct NumericArray: Sendable, Hashable {
  /// Dimensions, outermost first.
  public var shape: [Int]
  /// The values, row-major.
  public var values: [Float]
  /// The element type as stored in the file (`<f4`, `>i2`, `u1`, ...).
  public var dtype: String

  /// Creates an array.
  public init(shape: [Int], values: [Float], dtype: String) {
    self.shape = shape
    self.values = values
    self.dtype = dtype
  }

  /// Rows (the leading dimension; 1 for a scalar).
  public var rows: Int { shape.first ?? 1 }
  /// Values per row (the product of the trailing dimensions).
  public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

  /// True for integer and boolean element types (`<i8`, `u1`, `|b1`): one such value per row is a class label.
  public var isIntegral: Bool { dtype.contains { "iub".contains($0) } }
}
