import SproutConfig
import SproutFormats

extension Dataset {
  /// The images `[C, H, W]` of this dataset (one row-major image per sample) read as sequences `[L, F]` by `order`:
  /// row by row, position h holds row h of every channel (`[c, w]` → feature `c·W + w`); pixel by pixel, position
  /// `h·W + w` holds the pixel's channels. With `permute` the positions follow one fixed permutation drawn from the
  /// stream `path + ["permutation"]`, the same for every sample (as permuted sequential MNIST).
  func sequential(image: [Int], order: SequenceOrder, permute: Bool, seed: UInt64, path: [String]) throws -> Dataset {
    guard image.count == 3, image.allSatisfy({ $0 >= 1 }) else {
      throw DataError(code: "data.shape-mismatch", message: "an image shape is [C, H, W], got \(image)")
    }
    let (c, h, w) = (image[0], image[1], image[2])
    guard c * h * w == featureCount else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "images \(image) have \(c * h * w) values, but the samples have \(featureCount) features",
        suggestion: "give the image shape whose product is \(featureCount)")
    }
    guard case .sequence(let length, let width) = order.sequence(channels: c, height: h, width: w) else {
      preconditionFailure("an image is read as a sequence")
    }
    var positions = Array(0..<length)
    if permute {
      var stream = RandomStream(seed: seed, path: path + ["permutation"])
      positions = stream.permutation(length)
    }
    // source[k]: the index within an image of the value that lands at k = position · width + feature.
    var source = [Int](repeating: 0, count: featureCount)
    for (p, from) in positions.enumerated() {
      for f in 0..<width {
        let (channel, row, column) =
          switch order {
          case .row: (f / w, from, f % w)
          case .pixel: (f, from / w, from % w)
          }
        source[p * width + f] = (channel * h + row) * w + column
      }
    }
    var out = self
    for i in 0..<count {
      let base = i * featureCount
      for k in 0..<featureCount { out.features[base + k] = features[base + source[k]] }
    }
    out.grid = nil
    return out
  }
}
