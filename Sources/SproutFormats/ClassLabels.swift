import Foundation

/// What a data file's targets are, as far as checking a model against them needs.
public enum FileTargets: Hashable, Sendable {
  /// `width` real values per sample.
  case values(width: Int)
  /// One class label per sample: `count` classes, or nil when a column names more distinct classes than
  /// ``CSVLabelColumn/countLimit`` (lint stops collecting names there to bound its memory).
  case classes(count: Int?)
}

/// What an array of targets holds, before its labels are counted.
public enum TargetKind: Hashable, Sendable {
  /// `width` real values per sample.
  case values(width: Int)
  /// One class label per sample.
  case classLabels
}

/// Which targets are class labels: the one rule that the graph's checks and the trainer's loaders both call, so
/// that lint and training agree on a file by construction.
public enum TargetRule {
  /// A `.npy` targets array of one integer (or boolean) per row (`[n]` or `[n, 1]`) is class labels; anything
  /// else is `rowWidth` real values per row.
  public static func npy(_ header: NPYHeader) -> TargetKind { npy(shape: header.shape, integral: header.isIntegral) }

  /// ``npy(_:)`` for an array already read.
  public static func npy(_ array: NumericArray) -> TargetKind { npy(shape: array.shape, integral: array.isIntegral) }

  static func npy(shape: [Int], integral: Bool) -> TargetKind {
    let width = shape.dropFirst().reduce(1, *)
    return integral && width == 1 ? .classLabels : .values(width: width)
  }

  /// An IDX labels file is class labels, one per sample: its shape must be `[n]` or `[n, 1]`.
  public static func idxLabels(shape: [Int]) throws -> TargetKind {
    try requireOneLabelPerRow(shape)
    return .classLabels
  }

  /// Class labels come one per sample.
  public static func requireOneLabelPerRow(_ shape: [Int]) throws {
    guard shape.dropFirst().reduce(1, *) == 1 else {
      throw DataError(
        code: "data.shape-mismatch", message: "class labels must have shape [n] or [n, 1], got \(shape)",
        field: "shape")
    }
  }
}

/// Counts the classes of integer class labels: each label must be a whole number in 0..<2²⁴ (a class index that
/// a Float holds exactly), and there are largest + 1 classes.
///
/// The first bad label is kept rather than thrown, so a reader that meets a decoding error further on reports
/// that one first, as a reader that decodes everything before counting does.
public struct ClassTally: Sendable, Hashable {
  /// Labels must be below this.
  public static let limit = 1 << 24
  /// The largest label so far (−1 before any).
  public private(set) var largest = -1
  private var firstBad: DataError?

  /// An empty tally.
  public init() {}

  /// Adds the label of 1-based `row`.
  public mutating func add(_ label: Float, row: Int) {
    guard label >= 0, label < Float(Self.limit), label == label.rounded() else {
      if firstBad == nil {
        firstBad = DataError(
          code: "data.bad-label",
          message: "label \(label) is not a class index (a whole number from 0 to \(Self.limit - 1))", row: row,
          suggestion: "class labels are 0, 1, 2, …; give real-valued targets as floats")
      }
      return
    }
    largest = max(largest, Int(label))
  }

  /// The number of classes (largest + 1, and at least 1), or the first bad label's error.
  public func count() throws -> Int {
    if let firstBad { throw firstBad }
    return max(largest, 0) + 1
  }

  /// The class count of `labels` (row `i + 1` for `labels[i]`).
  public static func count(of labels: [Float]) throws -> Int {
    var tally = ClassTally()
    for (i, label) in labels.enumerated() { tally.add(label, row: i + 1) }
    return try tally.count()
  }

  /// The class count of the labels `header` describes, read from `source` in chunks of whole elements: one pass,
  /// bounded memory, row `i + 1` for element `i`.
  static func count(_ header: some ElementLayout, in source: some ChunkSource) throws -> Int {
    var tally = ClassTally()
    var i = 0
    try source.forEachChunk(unit: header.itemSize) { chunk in
      for at in stride(from: 0, to: chunk.count, by: header.itemSize) {
        tally.add(try header.element(i, in: chunk, at: at), row: i + 1)
        i += 1
      }
    }
    return try tally.count()
  }
}

/// A CSV label column as every reader interprets it: when each cell is a non-negative integer (ASCII digits) the
/// cells are class indices and there are largest + 1 classes; otherwise each distinct cell names a class, and the
/// classes are numbered in sorted order of their names. Cells are compared without surrounding spaces.
public struct CSVLabelColumn: Sendable {
  /// Without kept cells, at most this many distinct names are collected; a column with more has an unknown count.
  public static let countLimit = 1 << 16

  private var allIndices = true
  private var tally = ClassTally()
  private var firstNumberError: DataError?
  private var names: Set<String> = []
  private var tooManyNames = false
  private var cells: [String]?

  /// A column; `keepingCells` for ``labels()`` (the trainer), without for ``classCount()`` (lint, in bounded memory).
  public init(keepingCells: Bool) {
    cells = keepingCells ? [] : nil
  }

  /// Adds the next cell, of 1-based `row`; `place` says where it is (row, column, byte, field) for errors.
  public mutating func add(_ raw: String, row: Int, place: () -> DataError) {
    let cell = Self.trimmed(raw)
    cells?.append(cell)
    if allIndices {
      let digits = cell.utf8
      if !digits.isEmpty && digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
        // Up to 9 digits is exact as an Int and as a Double; longer runs go through Double as any number does,
        // and a very long run may overflow a Float.
        let number =
          digits.count <= 9 ? Double(digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }) : Double(cell)
        do {
          tally.add(try ExactFloat.double(number ?? .infinity, place: place), row: row)
        } catch {
          if firstNumberError == nil { firstNumberError = error as? DataError }
        }
      } else {
        allIndices = false
      }
    }
    guard !tooManyNames else { return }
    names.insert(cell)
    if cells == nil && names.count > Self.countLimit {
      tooManyNames = true
      names = []
    }
  }

  /// `cell` without surrounding spaces and tabs (Unicode spaces included), as every reader compares cells.
  static func trimmed(_ cell: String) -> String {
    // Most cells have neither; a space or tab is ASCII, any other Unicode space starts with a byte ≥ 0x80.
    guard let first = cell.utf8.first, let last = cell.utf8.last,
      first == 0x20 || first == 0x09 || first >= 0x80 || last == 0x20 || last == 0x09 || last >= 0x80
    else { return cell }
    return cell.trimmingCharacters(in: .whitespaces)
  }

  /// True when every cell so far is a class index.
  public var holdsIndices: Bool { allIndices }

  /// The number of classes, nil when the cells name more than ``countLimit`` classes (and were not kept).
  public func classCount() throws -> Int? {
    if allIndices {
      if let firstNumberError { throw firstNumberError }
      return try tally.count()
    }
    return tooManyNames ? nil : names.count
  }

  /// Every cell's class index, the class count and, for named classes, the names by index.
  public func labels() throws -> (labels: [Float], count: Int, names: [String]?) {
    guard let cells else { preconditionFailure("labels() of a column that does not keep its cells") }
    if allIndices {
      if let firstNumberError { throw firstNumberError }
      return (cells.map { Float($0) ?? 0 }, try tally.count(), nil)
    }
    let sorted = names.sorted()
    let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, Float($0)) })
    return (cells.map { index[$0, default: 0] }, sorted.count, sorted)
  }
}

/// A binary array's element encoding: how wide an element is and how element `i` decodes (IDX, npy).
protocol ElementLayout {
  /// Bytes per element.
  var itemSize: Int { get }
  /// Element `i`, stored at byte `at` of `bytes`.
  func element(_ i: Int, in bytes: [UInt8], at: Int) throws -> Float
}

/// A file read in bounded chunks (plain or gzip-compressed).
protocol ChunkSource {
  /// Hands the file's data over in chunks whose sizes are multiples of `unit`.
  func forEachChunk(unit: Int, _ body: ([UInt8]) throws -> Void) throws
}

extension IDXHeader: ElementLayout {}
extension NPYHeader: ElementLayout {}
extension FileChunks: ChunkSource {}
extension GzipChunks: ChunkSource {}
