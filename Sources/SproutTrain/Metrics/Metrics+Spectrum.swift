/// The layout of the grid a coordinate network is evaluated on, for its output spectrum.
public enum SpectrumGrid: Sendable, Hashable, Codable {
  /// `n` points along one axis (a 1-D signal), in order.
  case line(Int)
  /// `rows × cols` points of an image, row-major.
  case image(rows: Int, cols: Int)

  /// Number of grid points.
  public var count: Int {
    switch self {
    case .line(let n): return n
    case .image(let r, let c): return r * c
    }
  }
}

extension Metrics {
  /// The magnitude spectrum of a signal on `grid` with `channels` values per point (point-major:
  /// `values[point · channels + c]`), DC dropped, magnitudes summed over channels (FreSh,
  /// `scripts/find_optimal_config.py`), cropped to the first `bins` bins when given.
  ///
  /// - `.line(n)`: `|rFFT|` bins 1 … ⌊n/2⌋ (Sprout's 1-D adaptation; FreSh's code handles images and volumes).
  /// - `.image(h, w)`: the 2-D `|DFT|` over the non-redundant half plane `v ∈ 0…⌊w/2⌋`, summed along
  ///   anti-diagonals: bin `k` collects every `(u, v)` with `min(u, h−u) + v = k`, an L1 radius in FFT-index
  ///   space (FreSh's anti-diagonal binning; its exact Hermitian mask bookkeeping is not reproduced bit for
  ///   bit). Bin 0 (DC) is dropped.
  public static func spectrum(_ values: [Double], grid: SpectrumGrid, channels: Int, bins: Int? = nil) -> [Double] {
    precondition(values.count == grid.count * channels, "\(values.count) values for \(grid.count)×\(channels)")
    var total: [Double] = []
    for c in 0..<channels {
      let signal = (0..<grid.count).map { values[$0 * channels + c] }
      let binned: [Double]
      switch grid {
      case .line:
        binned = FourierTransform.realMagnitude(signal)
      case .image(let h, let w):
        let mag = FourierTransform.magnitude2D(signal, rows: h, cols: w)
        var b = [Double](repeating: 0, count: h / 2 + w / 2 + 1)
        for u in 0..<h {
          for v in 0...(w / 2) { b[Swift.min(u, h - u) + v] += mag[u * w + v] }
        }
        binned = b
      }
      if total.isEmpty { total = binned } else { for k in 0..<total.count { total[k] += binned[k] } }
    }
    let withoutDC = Array(total.dropFirst())
    if let bins, bins < withoutDC.count { return Array(withoutDC.prefix(bins)) }
    return withoutDC
  }
}
