import ArgumentParser
import Foundation
import SproutDriver
import SproutPlanner

/// `sprout plan FILE`: trials, tasks, hashes and cache state, without running anything.
struct Plan: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show the trials and tasks a spec expands to, and what is cached.")

  @Argument(help: "The spec file.")
  var file: String

  @Option(help: "Output format: text, json, dot or mermaid.")
  var format: PlanFormat = .text

  @Option(help: "Explain why a task (trialID/stage) is stale.")
  var explain: String?

  @Option(
    help: "Write the plan as JSON to this file (for `sprout run --plan FILE --task K`).",
    transform: { try PathArgument.output($0) })
  var out: String?

  @OptionGroup var selection: Selection

  func run() throws {
    var request = selection.request(for: file)
    // Text and JSON are printed as the tasks are made; the other outputs need the whole plan.
    request.stream = explain == nil && out == nil && (format == .text || format == .json)
    let outcome = try Planning.plan(request)
    Terminal.write(outcome.renderDiagnostics(color: Terminal.useColor(for: .standardError)), to: .standardError)
    if request.stream {
      guard outcome.write(format, to: { FileHandle.standardOutput.write(Data($0)) }) else { throw ExitCode(1) }
      return
    }
    guard let plan = outcome.plan else { throw ExitCode(1) }
    if let explain {
      guard let text = plan.explain(explain) else {
        Terminal.write("sprout: error: no task '\(explain)' in the plan\n", to: .standardError)
        throw ExitCode(2)
      }
      Terminal.write(text.hasSuffix("\n") ? text : text + "\n", to: .standardOutput)
      return
    }
    if let out {
      try plan.save(to: URL(fileURLWithPath: out))
      Terminal.write("wrote \(out) (\(plan.tasks.count) tasks)\n", to: .standardError)
    }
    if format == .text || format == .json {
      // In pieces: the text of a large plan is as big as the plan itself.
      _ = outcome.write(format) { FileHandle.standardOutput.write(Data($0)) }
      return
    }
    let rendered = plan.render(format)
    Terminal.write(rendered.hasSuffix("\n") ? rendered : rendered + "\n", to: .standardOutput)
  }
}

extension PlanFormat: ExpressibleByArgument {}
