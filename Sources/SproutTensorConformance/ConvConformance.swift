import SproutDiagnostics
import SproutTensor

/// Checks of the convolution and pooling kernels (im2col, col2im, max and average pooling with their backwards)
/// against float64 references written from the definitions, over geometries with and without padding and stride.
enum ConvConformance {
  /// (channels, height, width, kernel, stride, padding); padding ≤ kernel/2 as PyTorch's pools require.
  static let geometries: [WindowGeometry] = [
    (2, 5, 5, 3, 1, 1), (3, 7, 6, 3, 2, 0), (1, 4, 4, 1, 1, 0), (2, 6, 5, 2, 2, 1), (1, 5, 5, 5, 1, 2),
  ].map { WindowGeometry(channels: $0.0, height: $0.1, width: $0.2, kernel: $0.3, stride: $0.4, padding: $0.5) }

  static let batch = 3

  static func checks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    for g in geometries {
      let name = "\(g.channels)x\(g.height)x\(g.width) k\(g.kernel) s\(g.stride) p\(g.padding)"
      let x = rng.floats(batch * g.inputCount, -3, 3)
      let colCount = g.patchSize * g.outPositions
      let outCount = g.channels * g.outPositions
      // The input pixel (or nil in the padding) under output position (oy, ox) and tap (ky, kx) of channel c.
      func pixel(_ c: Int, _ oy: Int, _ ox: Int, _ ky: Int, _ kx: Int) -> Int? {
        let iy = oy * g.stride - g.padding + ky
        let ix = ox * g.stride - g.padding + kx
        guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { return nil }
        return (c * g.height + iy) * g.width + ix
      }

      var cols = [Float](repeating: .nan, count: batch * colCount)
      backend.im2col(x, &cols, batch: batch, geometry: g)
      var meter = ErrorMeter("im2col \(name)", tolerance: 0)
      let dcols = rng.floats(batch * colCount)
      var wantDx = [Double](repeating: 0, count: batch * g.inputCount)
      for b in 0..<batch {
        for c in 0..<g.channels {
          for ky in 0..<g.kernel {
            for kx in 0..<g.kernel {
              let row = (c * g.kernel + ky) * g.kernel + kx
              for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                  let at = b * colCount + row * g.outPositions + oy * g.outWidth + ox
                  let src = pixel(c, oy, ox, ky, kx)
                  meter.add(got: cols[at], want: src.map { Double(x[b * g.inputCount + $0]) } ?? 0)
                  if let src { wantDx[b * g.inputCount + src] += Double(dcols[at]) }
                }
              }
            }
          }
        }
      }
      checks.append(meter.check)

      var dx = [Float](repeating: .nan, count: batch * g.inputCount)
      backend.col2im(dcols, &dx, batch: batch, geometry: g)
      var adjoint = ErrorMeter("col2im \(name)", tolerance: KernelConformance.elementTolerance)
      for i in dx.indices { adjoint.add(got: dx[i], want: wantDx[i]) }
      checks.append(adjoint.check)

      let dy = rng.floats(batch * outCount)
      var maxWant = [Double](repeating: 0, count: batch * outCount)
      var avgWant = [Double](repeating: 0, count: batch * outCount)
      var maxDx = [Double](repeating: 0, count: batch * g.inputCount)
      var avgDx = [Double](repeating: 0, count: batch * g.inputCount)
      let area = Double(g.kernel * g.kernel)
      for b in 0..<batch {
        for c in 0..<g.channels {
          for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
              let o = b * outCount + (c * g.outHeight + oy) * g.outWidth + ox
              var best = -Double.infinity
              var at = -1
              var sum = 0.0
              for ky in 0..<g.kernel {
                for kx in 0..<g.kernel {
                  guard let p = pixel(c, oy, ox, ky, kx) else { continue }
                  let v = Double(x[b * g.inputCount + p])
                  sum += v
                  if v > best { (best, at) = (v, p) }
                }
              }
              maxWant[o] = best
              avgWant[o] = sum / area
              maxDx[b * g.inputCount + at] += Double(dy[o])
              for ky in 0..<g.kernel {
                for kx in 0..<g.kernel {
                  if let p = pixel(c, oy, ox, ky, kx) { avgDx[b * g.inputCount + p] += Double(dy[o]) / area }
                }
              }
            }
          }
        }
      }
      var y = [Float](repeating: .nan, count: batch * outCount)
      var argmax = [Int32](repeating: -1, count: batch * outCount)
      backend.maxPool2d(x, &y, argmax: &argmax, batch: batch, geometry: g)
      checks.append(compare("maxPool2d \(name)", y, maxWant))
      backend.maxPool2dBackward(dy, argmax: argmax, &dx, batch: batch, geometry: g)
      checks.append(compare("maxPool2dBackward \(name)", dx, maxDx))
      backend.avgPool2d(x, &y, batch: batch, geometry: g)
      checks.append(compare("avgPool2d \(name)", y, avgWant))
      backend.avgPool2dBackward(dy, &dx, batch: batch, geometry: g)
      checks.append(compare("avgPool2dBackward \(name)", dx, avgDx))
    }
    return checks
  }

  static func compare(_ name: String, _ got: [Float], _ want: [Double]) -> KernelCheck {
    var meter = ErrorMeter(name, tolerance: KernelConformance.elementTolerance)
    for i in got.indices { meter.add(got: got[i], want: want[i]) }
    return meter.check
  }
}
