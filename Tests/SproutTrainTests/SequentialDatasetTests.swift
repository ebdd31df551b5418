import SproutConfig
import Testing

@testable import SproutTrain

/// The `sequential` dataset's reading of images [C, H, W] as sequences: row by row, pixel by pixel, and in one fixed
/// seeded order of the positions.
struct SequentialDatasetTests {
  /// Two images [2, 2, 3] whose values name their place: 1000·sample + 100·channel + 10·row + column.
  func images() throws -> Dataset {
    var x: [Float] = []
    for s in 0..<2 {
      for c in 0..<2 { for h in 0..<2 { for w in 0..<3 { x.append(Float(1000 * s + 100 * c + 10 * h + w)) } } }
    }
    return try Dataset(features: x, targets: [0, 1], count: 2, featureCount: 12, target: .classes(count: 2))
  }

  @Test func rowByRowPutsEachRowsChannelsSideBySide() throws {
    let d = try images().sequential(image: [2, 2, 3], order: .row, permute: false, seed: 1, path: ["d"])
    // Position h: [c0 row h (w 0..2), c1 row h (w 0..2)].
    #expect(Array(d.features[0..<12]) == [0, 1, 2, 100, 101, 102, 10, 11, 12, 110, 111, 112])
    #expect(Array(d.features[12..<15]) == [1000, 1001, 1002])
    #expect(SequenceOrder.row.sequence(channels: 2, height: 2, width: 3) == .sequence(length: 2, features: 6))
  }

  @Test func pixelByPixelHasTheChannelsAsFeatures() throws {
    let d = try images().sequential(image: [2, 2, 3], order: .pixel, permute: false, seed: 1, path: ["d"])
    #expect(Array(d.features[0..<12]) == [0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112])
    #expect(SequenceOrder.pixel.sequence(channels: 2, height: 2, width: 3) == .sequence(length: 6, features: 2))
  }

  @Test func permutedPositionsAreOneSeededOrderForEverySample() throws {
    let a = try images().sequential(image: [2, 2, 3], order: .pixel, permute: true, seed: 1, path: ["d"])
    let b = try images().sequential(image: [2, 2, 3], order: .pixel, permute: true, seed: 1, path: ["d"])
    let c = try images().sequential(image: [2, 2, 3], order: .pixel, permute: true, seed: 2, path: ["d"])
    #expect(a.features == b.features)
    #expect(a.features != c.features)
    // Each position keeps its pixel's two channels together, and sample 1 follows sample 0's order.
    for p in 0..<6 {
      #expect(a.features[2 * p + 1] == a.features[2 * p] + 100)
      #expect(a.features[12 + 2 * p] == a.features[2 * p] + 1000)
    }
    #expect(Set(a.features[0..<12]) == Set(try images().features[0..<12]))
  }

  @Test func theImageMustHoldTheFeatures() throws {
    #expect(throws: (any Error).self) {
      try images().sequential(image: [1, 3, 3], order: .row, permute: false, seed: 1, path: ["d"])
    }
  }
}
