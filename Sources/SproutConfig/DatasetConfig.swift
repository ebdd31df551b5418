/// A dataset as a task reads it: where its samples come from and how they are prepared. The samples of a
/// generated dataset are drawn from streams keyed by the root seed and `name`, so every trial and stage that
/// reads the dataset sees the same samples and the same split.
public struct DatasetConfig: Hashable, Sendable, Codable {
  /// The dataset's name in the spec (it keys the random streams).
  public var name: String
  /// The samples.
  public var source: DataSource
  /// Named fractions in declared order; empty when the dataset is not split.
  public var split: [SplitPart]
  /// Scale every input feature to mean 0 and variance 1, with the statistics of the first split.
  public var standardize: Bool
  /// Turn class labels into one-hot target vectors.
  public var oneHot: Bool

  /// Creates a dataset configuration.
  public init(name: String, source: DataSource, split: [SplitPart] = [], standardize: Bool = false, oneHot: Bool = false)
  {
    self.name = name
    self.source = source
    self.split = split
    self.standardize = standardize
    self.oneHot = oneHot
  }

  /// Every file the dataset reads.
  public var files: [DataFile] { source.files }
}

/// One named part of a split.
public struct SplitPart: Hashable, Sendable, Codable {
  /// `train`.
  public var name: String
  /// Its fraction of the samples.
  public var fraction: Double

  /// Creates a part.
  public init(name: String, fraction: Double) {
    self.name = name
    self.fraction = fraction
  }
}

/// A dataset, or one part of its split (`teacher.train`).
public struct DataSelection: Hashable, Sendable, Codable {
  /// The dataset.
  public var dataset: DatasetConfig
  /// The part, or nil for the whole dataset.
  public var split: String?

  /// Creates a selection.
  public init(dataset: DatasetConfig, split: String? = nil) {
    self.dataset = dataset
    self.split = split
  }

  /// `teacher.train`.
  public var reference: String { split.map { "\(dataset.name).\($0)" } ?? dataset.name }
}

/// A data file a task reads: its path as written (relative to the spec's directory unless absolute) and the
/// SHA-256 of its contents, so that a task's hash changes when the file does.
public struct DataFile: Hashable, Sendable, Codable {
  /// The path as written in the spec.
  public var path: String
  /// SHA-256 (hex) of the file's bytes.
  public var digest: String

  /// Creates a file reference.
  public init(path: String, digest: String) {
    self.path = path
    self.digest = digest
  }

  /// The path to open: `path` itself when absolute, else relative to `directory`.
  public func location(relativeTo directory: String) -> String {
    path.hasPrefix("/") || directory.isEmpty ? path : "\(directory)/\(path)"
  }
}

/// Where a dataset's samples come from.
public enum DataSource: Hashable, Sendable, Codable {
  /// Inputs from N(0, I), targets from a fixed random teacher MLP (`depth` hidden layers of `hidden` units with
  /// `activation`; a linear teacher when `hidden` or `depth` is 0), plus Gaussian noise; classification takes
  /// the argmax of the teacher's output (its sign for one output).
  case teacherStudent(
    inputs: Int, outputs: Int, samples: Int, hidden: Int, depth: Int, activation: TeacherActivation, noise: Double,
    task: TargetTask)
  /// Isotropic Gaussian blobs around random centres.
  case gaussianBlobs(inputs: Int, classes: Int, samples: Int, std: Double, separation: Double)
  /// Two interleaved 2-D spirals.
  case twoSpirals(samples: Int, turns: Double, noise: Double)
  /// A 1-D signal on [−1, 1]: a sum of sinusoids (amplitude 1 and phase 0 unless given), plus Gaussian noise.
  case sine(samples: Int, frequencies: [Double], amplitudes: [Double]?, phases: [Double]?, noise: Double)
  /// A procedural 2-D pattern: (x, y) in [−1, 1]² → intensity.
  case pattern(ImagePattern, size: Int, period: Double)
  /// A binary PGM/PPM image: (x, y) in [−1, 1]² → the pixel's channels in [0, 1].
  case imageFile(DataFile)
  /// Inputs and targets from NumPy `.npy` files.
  case npy(inputs: DataFile, targets: DataFile)
  /// A CSV file; `target` names the target column.
  case csv(file: DataFile, target: CSVColumn, header: Bool)
  /// Images and labels in MNIST's IDX format, optionally only the first `limit` samples.
  case idx(images: DataFile, labels: DataFile, limit: Int?)
  /// Images `[C, H, W]` and labels from `.npy` files read as sequences: row by row (`[H, C·W]`) or pixel by pixel
  /// (`[H·W, C]`), the positions in a fixed random order drawn from the dataset's stream when `permute`.
  case sequential(inputs: DataFile, targets: DataFile, image: [Int], order: SequenceOrder, permute: Bool)
  /// A synthetic token task (`copy`, `induction`): `samples` sequences of `length` ids in `0..<vocab`, with the next
  /// token (induction) or the copied token (copy) as the target at every position; the positions `scored` leaves out
  /// have the ignored target −100 (PyTorch's `ignore_index`).
  case tokens(TokenTask, samples: Int, length: Int, vocab: Int, scored: TokenScoring)

  /// Every file it reads.
  public var files: [DataFile] {
    switch self {
    case .imageFile(let f): [f]
    case .npy(let x, let y): [x, y]
    case .csv(let f, _, _): [f]
    case .idx(let x, let y, _): [x, y]
    case .sequential(let x, let y, _, _, _): [x, y]
    default: []
    }
  }
}

/// How a `sequential` dataset reads an image `[C, H, W]` as a sequence.
public enum SequenceOrder: String, Hashable, Sendable, Codable, CaseIterable {
  /// One position per row, its channels' pixels side by side: `[H, C·W]` (sequential MNIST by rows).
  case row
  /// One position per pixel, its channels as features: `[H·W, C]` (pixel-by-pixel sequential MNIST).
  case pixel

  /// The sequence `[length, features]` an image `[C, H, W]` becomes.
  public func sequence(channels c: Int, height h: Int, width w: Int) -> TensorShape {
    switch self {
    case .row: .sequence(length: h, features: c * w)
    case .pixel: .sequence(length: h * w, features: c)
    }
  }
}

/// The synthetic token tasks.
public enum TokenTask: String, Hashable, Sendable, Codable, CaseIterable {
  /// The first half random, the second half blank (id vocab − 1); the target at every position is the first half's
  /// token at that position modulo the half: the second half must copy the first.
  case copy
  /// A random prefix of P ids (P uniform in ⌈L/4⌉…⌈L/2⌉ per sequence) repeated (the induction-head probe of Olsson et
  /// al. 2022): the target is the next token, which in the repeated part follows the current token's earlier
  /// occurrence.
  case induction
}

/// Which positions of a token task count in the loss and accuracy.
public enum TokenScoring: String, Hashable, Sendable, Codable, CaseIterable {
  /// Every position.
  case all
  /// The repeated part only (positions from the period P on: the copied or repeated tokens); the first P targets
  /// are ignored (−100).
  case repeated
}

/// The teacher network's activation.
public enum TeacherActivation: String, Hashable, Sendable, Codable, CaseIterable {
  case relu, tanh, linear
}

/// Regression or classification targets.
public enum TargetTask: String, Hashable, Sendable, Codable, CaseIterable {
  case regression, classification
}

/// The procedural image patterns.
public enum ImagePattern: String, Hashable, Sendable, Codable, CaseIterable {
  /// Squares of `period` pixels.
  case checkerboard
  /// Concentric rings with a period of `period` pixels.
  case rings
  /// Smooth value noise on a grid of `period`-pixel cells.
  case noise
  /// A linear ramp along x and y.
  case gradient
}

/// A CSV column, by header name or by index from 0.
public enum CSVColumn: Hashable, Sendable, Codable {
  case name(String)
  case index(Int)
}
