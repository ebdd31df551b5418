import Foundation
import SproutPlanner
import SproutRun

/// Opens the on-disk store for the planner.
enum StoreAccess {
  /// A read-only view of the store at `path`, or nil when it does not exist yet (then nothing is cached).
  static func view(at path: String, experiment: String) -> StoreView? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      return nil
    }
    return Store(root: path).view(experiment: experiment)
  }

  /// The content digests of data files, through the store's cache (written only into an existing store).
  static func fileDigests(at path: String) -> any FileDigests { FileDigestCache(store: path) }
}
