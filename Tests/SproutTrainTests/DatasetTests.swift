import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

@Suite struct DatasetTests {
  @Test func teacherStudentIsDeterministicAndLearnable() throws {
    let a = try DatasetGenerator.teacherStudent(
      inputs: 8, outputs: 2, hidden: [16, 16], samples: 500, noise: 0, seed: 1, path: ["teacher"])
    let b = try DatasetGenerator.teacherStudent(
      inputs: 8, outputs: 2, hidden: [16, 16], samples: 500, noise: 0, seed: 1, path: ["teacher"])
    #expect(a == b)
    #expect(a.features.count == 500 * 8 && a.targets.count == 500 * 2 && a.target == .regression(width: 2))
    let sd = moments(a.targets).variance.squareRoot()
    #expect(sd > 0.2 && sd < 5, "teacher output std \(sd)")
    #expect(abs(moments(a.features).variance - 1) < 0.05)
    // Noise adds exactly noise·ε on top of the same teacher outputs.
    let noisy = try DatasetGenerator.teacherStudent(
      inputs: 8, outputs: 2, hidden: [16, 16], samples: 500, noise: 0.1, seed: 1, path: ["teacher"])
    let diff = zip(noisy.targets, a.targets).map { $0 - $1 }
    #expect(abs(moments(diff).variance.squareRoot() - 0.1) < 0.01)
    #expect(noisy.features == a.features)
    expectDataError("data.bad-argument") {
      try DatasetGenerator.teacherStudent(inputs: 0, outputs: 1, samples: 10, seed: 1, path: [])
    }
    for act in TeacherActivation.allCases {
      let t = try DatasetGenerator.teacherStudent(
        inputs: 16, outputs: 1, hidden: [64, 64], activation: act, samples: 400, seed: 2, path: ["t"])
      let sd = moments(t.targets).variance.squareRoot()
      #expect(sd > 0.2 && sd < 5, "\(act) teacher output std \(sd)")
    }
  }

  @Test func blobsAndSpirals() throws {
    let blobs = try DatasetGenerator.gaussianBlobs(
      classes: 3, features: 4, samples: 300, spread: 0.5, seed: 2, path: ["b"])
    #expect(blobs.target == .classes(count: 3) && blobs.targets.prefix(4) == [0, 1, 2, 0])
    // Within-class spread is the given std.
    let class0 = (0..<300).filter { $0 % 3 == 0 }.map { blobs.features[$0 * 4] }
    #expect(abs(moments(class0).variance.squareRoot() - 0.5) < 0.08)

    let far = try DatasetGenerator.gaussianBlobs(
      classes: 50, features: 2, samples: 50, spread: 0.1, separation: 4, seed: 2, path: ["b"])
    #expect(abs(moments(far.features).variance.squareRoot() - 4) < 1.2)  // 100 centre coordinates ~ N(0, 16)

    let spirals = try DatasetGenerator.twoSpirals(samples: 400, noise: 0, turns: 2, seed: 3, path: ["s"])
    #expect(spirals.target == .classes(count: 2))
    // Without noise, class-1 points are the mirror images of class-0 shapes: all lie within the unit disc.
    for i in 0..<400 {
      let r =
        (spirals.features[2 * i] * spirals.features[2 * i] + spirals.features[2 * i + 1] * spirals.features[2 * i + 1])
        .squareRoot()
      #expect(r <= 1.0001)
    }
  }

  @Test func sineLandsOnItsFFTBins() throws {
    // 1.5 and 10 cycles per unit length: 3 and 20 cycles over [−1, 1).
    let d = try DatasetGenerator.sine(samples: 256, frequencies: [1.5, 10], amplitudes: [1, 0.5])
    #expect(d.grid == [256] && d.features[0] == -1 && d.features[255] == Float(-1 + 2 * 255.0 / 256))
    let mag = FourierTransform.realMagnitude(d.targets.map(Double.init))
    #expect(abs(mag[3] - 128) < 1e-3 && abs(mag[20] - 64) < 1e-3)
    #expect(mag.enumerated().filter { ![3, 20].contains($0.offset) }.allSatisfy { $0.element < 1e-3 })
    let signal = try #require(d.targetSignal)
    #expect(signal.slices == 1 && signal.length == 256)
    expectDataError("data.bad-argument") {
      try DatasetGenerator.sine(samples: 8, frequencies: [1], amplitudes: [1, 2])
    }
    let noisy = try DatasetGenerator.sine(samples: 4096, frequencies: [1], noise: 0.1, seed: 1, path: ["s"])
    let clean = try DatasetGenerator.sine(samples: 4096, frequencies: [1])
    #expect(abs(moments(zip(noisy.targets, clean.targets).map { $0 - $1 }).variance.squareRoot() - 0.1) < 0.005)
  }

  @Test func proceduralImages() throws {
    let board = try DatasetGenerator.image(.checkerboard(period: 2), height: 4, width: 4, seed: 0, path: [])
    #expect(board.grid == [4, 4] && board.targets == [1, 1, -1, -1, 1, 1, -1, -1, -1, -1, 1, 1, -1, -1, 1, 1])
    #expect(Array(board.featureRow(0)) == [-1, -1] && Array(board.featureRow(15)) == [1, 1])
    let ramp = try DatasetGenerator.image(.gradient, height: 2, width: 5, seed: 0, path: [])
    #expect(ramp.targets == [-1, -0.5, 0, 0.5, 1, -1, -0.5, 0, 0.5, 1])
    let rings = try DatasetGenerator.image(.rings(frequency: 2), height: 33, width: 33, seed: 0, path: [])
    #expect(rings.targets[16 * 33 + 16] == 1)  // centre: cos 0
    let noise = try DatasetGenerator.image(.noise(cells: 4), height: 32, width: 32, seed: 5, path: ["tex"])
    #expect(noise.targets.allSatisfy { $0 >= -1 && $0 <= 1 } && moments(noise.targets).variance > 0.01)
    let again = try DatasetGenerator.image(.noise(cells: 4), height: 32, width: 32, seed: 5, path: ["tex"])
    #expect(again == noise)
    #expect(noise.targetSignal?.slices == 32 && noise.targetSignal?.length == 32)
  }

  @Test func splitStandardizeAndOneHot() throws {
    let d = try DatasetGenerator.gaussianBlobs(classes: 4, features: 3, samples: 1001, seed: 4, path: ["d"])
    let parts = try d.split([("train", 0.8), ("test", 0.2)], seed: 9, path: ["d"])
    #expect(parts.map(\.name) == ["train", "test"])
    #expect(parts[0].data.count == 801 && parts[1].data.count == 200)  // round(800.8) = 801, the rest
    let again = try d.split([("train", 0.8), ("test", 0.2)], seed: 9, path: ["d"])
    #expect(again[0].data == parts[0].data)
    let other = try d.split([("train", 0.8), ("test", 0.2)], seed: 10, path: ["d"])
    #expect(other[0].data != parts[0].data)
    // Every sample lands in exactly one part.
    var seen = Set<[Float]>()
    for p in parts { for i in 0..<p.data.count { seen.insert(Array(p.data.featureRow(i))) } }
    #expect(seen.count == 1001)
    expectDataError("data.bad-split") { try d.split([("a", 0.7), ("b", 0.5)], seed: 0, path: []) }
    expectDataError("data.empty-split") { try d.split([("a", 0.5), ("b", 0.0001)], seed: 0, path: []) }

    let train = parts[0].data
    let z = Standardization(fitting: train)
    let trainZ = z.apply(to: train)
    for j in 0..<3 {
      let col = (0..<trainZ.count).map { trainZ.features[$0 * 3 + j] }
      let m = moments(col)
      #expect(abs(m.mean) < 1e-5 && abs(m.variance - 1) < 1e-4)
    }
    // The test split uses the training statistics, not its own.
    let testZ = z.apply(to: parts[1].data)
    #expect(testZ.features[0] == (parts[1].data.features[0] - z.mean[0]) / z.std[0])
    #expect(Standardization(fitting: parts[1].data).mean != z.mean)

    let hot = train.oneHot()
    #expect(hot.target == .oneHot(count: 4) && hot.targets.count == 801 * 4)
    #expect(Array(hot.targetRow(0)) == (0..<4).map { $0 == Int(train.targets[0]) ? 1 : 0 })
  }

  @Test func batcherShufflesPerEpochAndResumesFromItsCursor() throws {
    let d = try DatasetGenerator.sine(samples: 10, frequencies: [1])
    var b = try Batcher(dataset: d, batchSize: 4, shuffle: true, seed: 3, path: ["batches"])
    #expect(b.batchesPerEpoch == 3)
    var epoch0: [Int] = []
    var sizes: [Int] = []
    for _ in 0..<3 {
      let batch = b.next()
      #expect(batch.epoch == 0)
      epoch0 += batch.indices
      sizes.append(batch.count)
      #expect(batch.features == batch.indices.map { d.features[$0] })
    }
    #expect(sizes == [4, 4, 2] && epoch0.sorted() == Array(0..<10) && epoch0 == b.order(epoch: 0))
    #expect(b.cursor == Batcher.Cursor(epoch: 1, index: 0))
    #expect(b.order(epoch: 1) != b.order(epoch: 0))

    // Save mid-epoch, continue, and resume a fresh batcher from the saved cursor.
    _ = b.next()
    let saved = b.cursor
    let rest = (0..<5).map { _ in b.next().indices }
    var resumed = try Batcher(dataset: d, batchSize: 4, shuffle: true, seed: 3, path: ["batches"])
    resumed.cursor = saved
    #expect((0..<5).map { _ in resumed.next().indices } == rest)

    var dropping = try Batcher(dataset: d, batchSize: 4, shuffle: false, dropLast: true, seed: 3, path: ["b"])
    #expect(dropping.batchesPerEpoch == 2)
    #expect((0..<3).map { _ in dropping.next().indices } == [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 2, 3]])
    expectDataError("data.bad-batch") { try Batcher(dataset: d, batchSize: 0, seed: 0, path: []) }
  }
}
