import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout index --rebuild`: recreate the run index from the store.
struct Index: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Update the run index (.sprout/index.sqlite) from the store; --rebuild recreates it whole.")

  @Flag(help: "Drop every row and re-read every run of the store.")
  var rebuild = false

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      let index = try RunIndex(store: try Running.openStore(store))
      if rebuild {
        let n = try index.rebuild()
        Terminal.write("\(index.path): \(n) run\(n == 1 ? "" : "s") indexed\n", to: .standardOutput)
      } else {
        try index.refresh()
        Terminal.write("\(index.path): up to date\n", to: .standardOutput)
      }
    }
  }
}
