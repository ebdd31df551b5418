import Foundation
import SproutDiagnostics
import SproutFormats

/// What lint has read from data files in one run, by path: the graph phase and the planner's per-trial checks ask
/// it, so a file is read once however many datasets, trials and stages name it.
///
/// Only the answers to lint's questions are kept (a header, a class count), never file contents. Nothing is kept
/// between runs: a file is assumed not to change while one spec is checked.
public final class DataFiles: @unchecked Sendable {
  // @unchecked Sendable: `answers` and `reads` are read and written under `lock`.
  /// A question lint asks of a file.
  enum Question: Hashable {
    case npyHeader, npyTargets, idxHeader, idxLabels, pnmHeader
    case csv(header: Bool, label: String)
  }

  private struct Key: Hashable {
    var path: String
    var question: Question
  }

  private let lock = NSLock()
  private var answers: [Key: Any] = [:]
  private var reads = 0

  /// An empty cache.
  public init() {}

  /// How many times a file was opened and read (tests check that a file is read once per run).
  public var readCount: Int { lock.withLock { reads } }

  /// The answer to `question` about `path`, reading the file only the first time it is asked.
  ///
  /// The lock is held while the file is read, so two threads asking about one file read it once.
  func answer<T>(_ question: Question, _ path: String, _ read: (String) throws -> T) -> Result<T, DataError> {
    lock.withLock {
      let key = Key(path: path, question: question)
      if let known = answers[key] as? Result<T, DataError> { return known }
      reads += 1
      let result: Result<T, DataError>
      do {
        result = .success(try read(path))
      } catch let e as DataError {
        result = .failure(e)
      } catch {
        result = .failure(DataError(code: "data.unreadable", message: "\(error)", file: path))
      }
      answers[key] = result
      return result
    }
  }

  /// The header of a `.npy` file.
  public func npyHeader(_ path: String) -> Result<NPYHeader, DataError> {
    answer(.npyHeader, path) { try NPYReader.header(file: $0) }
  }

  /// The header of a `.npy` targets file and what it holds (class labels counted).
  public func npyTargets(_ path: String) -> Result<(header: NPYHeader, targets: FileTargets), DataError> {
    answer(.npyTargets, path, NPYReader.targets(file:))
  }

  /// The header of an IDX file.
  public func idxHeader(_ path: String) -> Result<IDXHeader, DataError> {
    answer(.idxHeader, path) { try IDXReader.header(file: $0) }
  }

  /// The header of an IDX labels file and its class count.
  public func idxLabels(_ path: String) -> Result<(header: IDXHeader, targets: FileTargets), DataError> {
    answer(.idxLabels, path, IDXReader.labels(file:))
  }

  /// The header of a PGM/PPM image.
  public func pnmHeader(_ path: String) -> Result<PNMHeader, DataError> {
    answer(.pnmHeader, path) { try PNMReader.header(file: $0) }
  }

  /// A CSV file's columns and its label column's classes.
  public func csv(_ path: String, header: Bool, label: String) -> Result<CSVSummary, DataError> {
    answer(.csv(header: header, label: label), path) { try CSVReader.summary(file: $0, header: header, label: label) }
  }
}
