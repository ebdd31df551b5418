import SproutConfig
import Foundation

/// A dataset's targets laid out as a signal: `slices` rows of `length` samples with `channels` values each,
/// `values[(slice · length + sample) · channels + channel]` — a 1-D signal is one slice, an H×W image H slices of
/// W samples (the row-major pixel order of an image dataset).
public struct TargetSignal: Sendable, Hashable {
  /// The values.
  public var values: [Float]
  /// Number of slices (image rows; 1 for a 1-D signal).
  public var slices: Int
  /// Samples along the transform axis.
  public var length: Int
  /// Channels per sample.
  public var channels: Int

  /// Creates a signal; `values.count` must be `slices · length · channels`.
  public init(values: [Float], slices: Int, length: Int, channels: Int) {
    precondition(
      values.count == slices * length * channels,
      "signal of \(values.count) values is not \(slices)×\(length)×\(channels)")
    self.values = values
    self.slices = slices
    self.length = length
    self.channels = channels
  }

  /// WINNER's spectral centroid ψ (Chandravamsi et al. 2025; docs/initializers.md): per slice and channel,
  /// Σ f·|X(f)| / Σ |X(f)| over the rFFT bins f = k/length (cycles/sample, 0…½); averaged over slices, then over
  /// channels, times 2 — so ψ ∈ [0, 1].
  /// A slice with no energy (all zeros) contributes 0.
  public var spectralCentroid: Double {
    var total = 0.0
    for c in 0..<channels {
      var sum = 0.0
      for s in 0..<slices {
        let x = (0..<length).map { Double(values[(s * length + $0) * channels + c]) }
        let mag = FourierTransform.realMagnitude(x)
        var num = 0.0
        var den = 0.0
        for (k, m) in mag.enumerated() {
          num += Double(k) / Double(length) * m
          den += m
        }
        sum += den > 0 ? num / den : 0
      }
      total += sum / Double(slices)
    }
    return 2 * total / Double(channels)
  }
}

/// WINNER's noise scales before division by ω.
public struct WinnerScales: Sendable, Hashable {
  /// The target's spectral centroid ψ.
  public var centroid: Double
  /// Noise scale of the first dense layer.
  public var s0: Double
  /// Noise scale of the second dense layer.
  public var s1: Double
}

extension WinnerOptions {
  /// s₀ = s0Max·(1 − exp(−a·z)), s₁ = b·z with z = ψ / channels (the reference code divides by the channel count a
  /// second time, as the third-party ports of it show; docs/initializers.md); explicit `s0`/`s1` take precedence.
  public func scales(for target: TargetSignal) -> WinnerScales {
    let psi = target.spectralCentroid
    let z = psi / Double(target.channels)
    return WinnerScales(centroid: psi, s0: s0 ?? s0Max * (1 - exp(-a * z)), s1: s1 ?? b * z)
  }
}
