/// The geometry of a 2-D convolution or pooling window over one `[channels, height, width]` image: a square
/// `kernel`×`kernel` window moved by `stride`, over the image padded with `padding` zeros on every side
/// (PyTorch's `Conv2d`/`MaxPool2d` with int arguments). Output sides are `⌊(side + 2·padding − kernel)/stride⌋ + 1`.
public struct WindowGeometry: Hashable, Sendable {
  /// Input channels.
  public var channels: Int
  /// Input height.
  public var height: Int
  /// Input width.
  public var width: Int
  /// The window's side.
  public var kernel: Int
  /// The step between windows.
  public var stride: Int
  /// Zeros added on each side.
  public var padding: Int

  /// Creates a geometry.
  public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
    self.channels = channels
    self.height = height
    self.width = width
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
  }

  /// Output height.
  public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
  /// Output width.
  public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
  /// Output positions per channel.
  public var outPositions: Int { outHeight * outWidth }
  /// Rows of the im2col matrix: `channels · kernel²`, ordered (channel, ky, kx) as PyTorch's weight `[F, C, k, k]`.
  public var patchSize: Int { channels * kernel * kernel }
  /// Floats per input image.
  public var inputCount: Int { channels * height * width }

  /// The output columns `lo..<hi` (of `count`) whose kernel tap `kx` reads a column inside the image
  /// (`0 ≤ ox·stride − padding + kx < width`); every other column reads padding.
  @inline(__always)
  func insideRun(kx: Int, count: Int) -> (lo: Int, hi: Int) {
    let first = padding - kx  // ox·stride ≥ first
    let end = width + padding - kx  // ox·stride < end
    if stride == 1 {  // no division for the common case
      let lo = min(count, max(0, first))
      return (lo, max(lo, min(count, end)))
    }
    let lo = first > 0 ? min(count, (first + stride - 1) / stride) : 0
    let hi = end > 0 ? min(count, (end + stride - 1) / stride) : 0
    return (lo, max(lo, hi))
  }
}

/// Convolution and pooling kernels on one image at a time, in plain loops whose order is fixed (the results do not
/// depend on threads). The matrix products of a convolution go to the backend's gemm.
public enum ConvolutionKernels {
  /// Unfolds one image `x` (`[C, H, W]`) into `cols` (`[C·k·k, OH·OW]`, row-major): row (c, ky, kx) holds, for each
  /// output position, the input pixel under that kernel tap (0 in the padding).
  public static func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let (oh, ow, k) = (g.outHeight, g.outWidth, g.kernel)
    var row = 0
    for c in 0..<g.channels {
      let plane = x + c * g.height * g.width
      for ky in 0..<k {
        for kx in 0..<k {
          let (lo, hi) = g.insideRun(kx: kx, count: ow)  // once per tap, not per row
          let dst = cols + row * oh * ow
          for oy in 0..<oh {
            let iy = oy * g.stride - g.padding + ky
            let line = dst + oy * ow
            guard iy >= 0 && iy < g.height else {
              for ox in 0..<ow { line[ox] = 0 }
              continue
            }
            // The positions whose tap falls inside the row are one run `lo..<hi`: zeros either side, no test
            // per element (for an 8×8 digit these loops were a quarter of the CNN's step).
            let src = plane + iy * g.width - g.padding + kx
            for ox in 0..<lo { line[ox] = 0 }
            if g.stride == 1 {
              for ox in lo..<hi { line[ox] = src[ox] }  // a few floats: a loop, not a memmove call
            } else {
              for ox in lo..<hi { line[ox] = src[ox * g.stride] }
            }
            for ox in hi..<ow { line[ox] = 0 }
          }
          row += 1
        }
      }
    }
  }

  /// The adjoint of `im2col`: overwrites `dx` (`[C, H, W]`) with the sum, over every window that reads a pixel, of
  /// the matching entry of `cols`.
  public static func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let (oh, ow, k) = (g.outHeight, g.outWidth, g.kernel)
    dx.update(repeating: 0, count: g.inputCount)
    var row = 0
    for c in 0..<g.channels {
      let plane = dx + c * g.height * g.width
      for ky in 0..<k {
        for kx in 0..<k {
          let (lo, hi) = g.insideRun(kx: kx, count: ow)  // once per tap, not per row
          let src = cols + row * oh * ow
          for oy in 0..<oh {
            let iy = oy * g.stride - g.padding + ky
            guard iy >= 0 && iy < g.height else { continue }
            // Each pixel still receives its terms in the same order (one per (c, ky, kx, oy)), so the sums are
            // the same to the bit as with a test per position.
            let line = plane + iy * g.width - g.padding + kx
            let values = src + oy * ow
            for ox in lo..<hi { line[ox * g.stride] += values[ox] }
          }
          row += 1
        }
      }
    }
  }

  /// Max pooling of one image into `y` (`[C, OH, OW]`), recording in `argmax` the input index (within the image)
  /// of each maximum; the first maximum in scan order wins a tie, and padding never wins (PyTorch's `-inf`
  /// padding).
  public static func maxPool(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
    _ g: WindowGeometry
  ) {
    let (oh, ow, k) = (g.outHeight, g.outWidth, g.kernel)
    if g.padding == 0 {
      // Without padding every window lies inside the image: the same scan without the bounds tests.
      for c in 0..<g.channels {
        for oy in 0..<oh {
          for ox in 0..<ow {
            let corner = c * g.height * g.width + oy * g.stride * g.width + ox * g.stride
            var best = -Float.infinity
            var at = -1
            for ky in 0..<k {
              let row = corner + ky * g.width
              for kx in 0..<k {
                let v = x[row + kx]
                if v > best || v.isNaN || at < 0 {
                  best = v
                  at = row + kx
                  if v.isNaN { break }
                }
              }
            }
            let o = (c * oh + oy) * ow + ox
            y[o] = best
            argmax[o] = Int32(at)
          }
        }
      }
      return
    }
    for c in 0..<g.channels {
      let base = c * g.height * g.width
      for oy in 0..<oh {
        for ox in 0..<ow {
          var best = -Float.infinity
          var at = -1
          for ky in 0..<k {
            let iy = oy * g.stride - g.padding + ky
            guard iy >= 0 && iy < g.height else { continue }
            for kx in 0..<k {
              let ix = ox * g.stride - g.padding + kx
              guard ix >= 0 && ix < g.width else { continue }
              let v = x[base + iy * g.width + ix]
              // NaN propagates, as in PyTorch.
              if v > best || v.isNaN || at < 0 {
                best = v
                at = base + iy * g.width + ix
                if v.isNaN { break }
              }
            }
          }
          let o = (c * oh + oy) * ow + ox
          y[o] = best
          argmax[o] = Int32(at)
        }
      }
    }
  }

  /// Max pooling's backward for one image: overwrites `dx` with each output gradient routed to its maximum.
  public static func maxPoolBackward(
    _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>, _ g: WindowGeometry
  ) {
    dx.update(repeating: 0, count: g.inputCount)
    for o in 0..<(g.channels * g.outPositions) { dx[Int(argmax[o])] += dy[o] }
  }

  /// Average pooling of one image into `y`; padding counts as zeros in the divisor `k²` (PyTorch's
  /// `count_include_pad=True`).
  public static func avgPool(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let (oh, ow, k) = (g.outHeight, g.outWidth, g.kernel)
    let scale = 1 / Float(k * k)
    for c in 0..<g.channels {
      let plane = x + c * g.height * g.width
      for oy in 0..<oh {
        for ox in 0..<ow {
          var sum: Float = 0
          for ky in 0..<k {
            let iy = oy * g.stride - g.padding + ky
            guard iy >= 0 && iy < g.height else { continue }
            for kx in 0..<k {
              let ix = ox * g.stride - g.padding + kx
              if ix >= 0 && ix < g.width { sum += plane[iy * g.width + ix] }
            }
          }
          y[(c * oh + oy) * ow + ox] = sum * scale
        }
      }
    }
  }

  /// Average pooling's backward for one image: overwrites `dx`, spreading each output gradient over its window.
  public static func avgPoolBackward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: WindowGeometry)
  {
    let (oh, ow, k) = (g.outHeight, g.outWidth, g.kernel)
    let scale = 1 / Float(k * k)
    dx.update(repeating: 0, count: g.inputCount)
    for c in 0..<g.channels {
      let plane = dx + c * g.height * g.width
      for oy in 0..<oh {
        for ox in 0..<ow {
          let d = dy[(c * oh + oy) * ow + ox] * scale
          for ky in 0..<k {
            let iy = oy * g.stride - g.padding + ky
            guard iy >= 0 && iy < g.height else { continue }
            for kx in 0..<k {
              let ix = ox * g.stride - g.padding + kx
              if ix >= 0 && ix < g.width { plane[iy * g.width + ix] += d }
            }
          }
        }
      }
    }
  }
}
