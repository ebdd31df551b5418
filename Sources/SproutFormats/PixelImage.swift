/// A raster image with values in [0, 1], row-major, channels interleaved (`(row · width + col) · channels + ch`).
public struct PixelImage: Sendable, Hashable {
  /// Columns.
  public var width: Int
  /// Rows.
  public var height: Int
  /// 1 (grey) or 3 (RGB).
  public var channels: Int
  /// The values in [0, 1].
  public var values: [Float]

  /// Creates an image.
  public init(width: Int, height: Int, channels: Int, values: [Float]) {
    precondition(values.count == width * height * channels, "image values do not fit \(height)×\(width)×\(channels)")
    self.width = width
    self.height = height
    self.channels = channels
    self.values = values
  }
}
