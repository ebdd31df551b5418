import ArgumentParser
import SproutDriver

/// Runs a command body, turning the errors a user can act on (no store, no such run, an unknown axis or
/// metric, an unreadable file) into `sprout: error: …` and exit code 2.
func reportingErrors(_ body: () throws -> Void) throws {
  do { try body() } catch let exit as ExitCode { throw exit } catch {
    Terminal.write("sprout: error: \(error)\n", to: .standardError)
    throw ExitCode(2)
  }
}

/// Comma-separated and repeated option values as one list (`--group-by init,width --group-by depth`).
func commaList(_ values: [String]) -> [String] {
  values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
}
