import SproutConfig
import SproutTensor

/// One matrix a fine-tuning adapter corrects: a dense layer's weight, or one projection of an attention layer (a row
/// block of `in_proj_weight`, or `out_proj.weight`). What the adapter inits read (the base matrix, its input) and
/// write (PiSSA's and SVFit's residual).
public struct AdapterSite {
  /// Where it is: the weight layer and, on attention, the projection.
  public let id: AdapterSiteID
  /// The adapter.
  public let adapter: DenseAdapter
  /// The parameter holding the base matrix.
  public let weight: Parameter
  /// The base matrix's first row in `weight` (the key's rows of `in_proj_weight` start at E).
  public let rowOffset: Int
  /// The input the matrix read in the last forward, `rows × adapter.inputs` (every position of a sequence a row).
  let lastInput: () -> (pointer: UnsafePointer<Float>, rows: Int)?

  /// Rows of the base matrix.
  public var outputs: Int { adapter.outputs }
  /// Columns of the base matrix.
  public var inputs: Int { adapter.inputs }

  /// The base matrix, `outputs × inputs`, in Float64.
  public var baseMatrix: DenseMatrix {
    let start = rowOffset * inputs
    return DenseMatrix(rows: outputs, cols: inputs, floats: Array(weight.value.array[start..<(start + outputs * inputs)]))
  }

  /// `base −= delta` in Float64 (PiSSA's and SVFit's residual).
  func subtractFromBase(_ delta: DenseMatrix) {
    let start = rowOffset * inputs
    for i in 0..<(outputs * inputs) {
      weight.value[start + i] = Float(Double(weight.value[start + i]) - delta.values[i])
    }
  }
}

/// Where an adapter sits: a weight layer (as `layers:` selectors count them) and, on attention, a projection.
public struct AdapterSiteID: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The weight layer.
  public var layer: Int
  /// The attention projection, or nil for a dense layer's weight.
  public var projection: AttentionProjection?

  /// Creates an id.
  public init(layer: Int, projection: AttentionProjection? = nil) {
    self.layer = layer
    self.projection = projection
  }

  /// Model order: by layer, then query, key, value, output.
  public static func < (a: Self, b: Self) -> Bool {
    if a.layer != b.layer { return a.layer < b.layer }
    switch (a.projection, b.projection) {
    case (nil, nil): return false
    case (nil, _): return true
    case (_, nil): return false
    case (let x?, let y?): return x < y
    }
  }

  /// `weight layer 2`, `the query projection of weight layer 1`.
  public var description: String {
    projection.map { "the \($0.rawValue) projection of weight layer \(layer)" } ?? "weight layer \(layer)"
  }
}
