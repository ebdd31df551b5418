import Foundation
import SproutFormats

/// A procedural 2-D target for coordinate networks.
public enum ProceduralPattern: Sendable, Hashable {
  /// ±1 squares with sides of `period` pixels (the top-left square is +1).
  case checkerboard(period: Int)
  /// cos(2π·frequency·ρ), ρ the distance from the centre in [−1, 1]² coordinates.
  case rings(frequency: Double)
  /// Value noise: a (cells+1)² lattice of U(−1, 1) values, smoothstep-interpolated (a band-limited texture).
  case noise(cells: Int)
  /// The horizontal ramp value = x, from −1 at the left column to 1 at the right (a smooth target).
  case gradient
}

extension DatasetGenerator {
  /// A procedural image as coordinate → value pairs (see `image(_:)`), values in [−1, 1].
  public static func image(
    _ pattern: ProceduralPattern, height: Int, width: Int, seed: UInt64, path: [String]
  ) throws -> Dataset {
    try positive(["height": height, "width": width])
    var v = [Float](repeating: 0, count: height * width)
    switch pattern {
    case .checkerboard(let period):
      try positive(["period": period])
      for r in 0..<height {
        for c in 0..<width { v[r * width + c] = (r / period + c / period) % 2 == 0 ? 1 : -1 }
      }
    case .rings(let frequency):
      for r in 0..<height {
        for c in 0..<width {
          let (x, y) = (coordinate(c, width), coordinate(r, height))
          v[r * width + c] = Float(cos(2 * Double.pi * frequency * (x * x + y * y).squareRoot()))
        }
      }
    case .gradient:
      for r in 0..<height {
        for c in 0..<width { v[r * width + c] = Float(coordinate(c, width)) }
      }
    case .noise(let cells):
      try positive(["cells": cells])
      var s = RandomStream(seed: seed, path: path + ["lattice"])
      var lattice = [Float](repeating: 0, count: (cells + 1) * (cells + 1))
      s.fillUniform(&lattice, count: lattice.count, low: -1, high: 1)
      func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }
      for r in 0..<height {
        for c in 0..<width {
          let gx = (coordinate(c, width) + 1) / 2 * Double(cells)
          let gy = (coordinate(r, height) + 1) / 2 * Double(cells)
          let (ix, iy) = (min(Int(gx), cells - 1), min(Int(gy), cells - 1))
          let (tx, ty) = (smooth(gx - Double(ix)), smooth(gy - Double(iy)))
          func at(_ i: Int, _ j: Int) -> Double { Double(lattice[j * (cells + 1) + i]) }
          let top = at(ix, iy) * (1 - tx) + at(ix + 1, iy) * tx
          let bottom = at(ix, iy + 1) * (1 - tx) + at(ix + 1, iy + 1) * tx
          v[r * width + c] = Float(top * (1 - ty) + bottom * ty)
        }
      }
    }
    return try coordinates(height: height, width: width, channels: 1, values: v)
  }

  /// An image as coordinate → value pairs: sample `r·width + c` has features (x, y) = (linspace(−1,1,width)[c],
  /// linspace(−1,1,height)[r]) (SIREN's `get_mgrid`) and targets the pixel's channels mapped from [0, 1] to
  /// [−1, 1]. Grid `[height, width]`.
  public static func image(_ image: PixelImage) throws -> Dataset {
    try coordinates(
      height: image.height, width: image.width, channels: image.channels, values: image.values.map { 2 * $0 - 1 })
  }

  static func coordinate(_ i: Int, _ n: Int) -> Double { n > 1 ? -1 + 2 * Double(i) / Double(n - 1) : 0 }

  static func coordinates(height: Int, width: Int, channels: Int, values: [Float]) throws -> Dataset {
    var x = [Float](repeating: 0, count: height * width * 2)
    for r in 0..<height {
      for c in 0..<width {
        x[2 * (r * width + c)] = Float(coordinate(c, width))
        x[2 * (r * width + c) + 1] = Float(coordinate(r, height))
      }
    }
    return try Dataset(
      features: x, targets: values, count: height * width, featureCount: 2, target: .regression(width: channels),
      grid: [height, width])
  }
}
