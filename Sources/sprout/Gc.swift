import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout gc`: free the space of outputs no run references.
struct Gc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove task outputs no run references and leftovers of killed writers; say how much it freed.")

  @Flag(help: "Only say what would be removed.")
  var dryRun = false

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      let s = try Running.openStore(store)
      let report = try GarbageCollector.collect(store: s, dryRun: dryRun)
      Terminal.write(report.text, to: .standardOutput)
    }
  }
}
