// The libFuzzer entry point over Sprout's whole pipeline. Built by fuzz/run.sh against the library modules
// (compiled by SwiftPM with -sanitize=fuzzer,address into .build-fuzz/spm).
//
// An input is one of two things, told apart by its first byte:
// - 0x01…0x05: a data file or checkpoint, the rest of the input being its bytes: .npy, IDX, CSV, PGM/PPM, or a
//   safetensors checkpoint. Each is parsed from memory and read back from a file the way the trainer loads it.
// - anything else: a spec. It is parsed, its tree checked, decoded, built into a graph and planned (the full
//   plan and lint's check-only plan must agree; every task hash must match its definition). When the plan is
//   tiny (few tasks, every size in its lowered configuration at most `tinyLimit`), it is EXECUTED into a fresh
//   store next to a copy of fuzz/data (so specs may read data/tiny.csv, data/x.npy, data/y.npy,
//   data/images.idx, data/labels.idx, data/tiny.pgm), the store is verified byte for byte (`sprout verify`), and
//   a second run must find every completed task cached.
//
// Any trap, sanitizer report, hang over the -timeout, or memory use over -rss_limit_mb is a finding; run.sh keeps
// the input in fuzz-artifacts/.
import Foundation
import SproutDiagnostics
import SproutDriver
import SproutFormats
import SproutGraph
import SproutPlanner
import SproutRun
import SproutSpec
import SproutSyntax
import SproutTrain

/// libFuzzer's entry point: one input, any bytes; returns 0 (the input may be kept in the corpus).
@_cdecl("LLVMFuzzerTestOneInput")
public func sproutFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  let start = DispatchTime.now()
  if let first = bytes.first, (1...5).contains(first) {
    fuzzFile(kind: first, Array(bytes.dropFirst()))
  } else {
    fuzzSpec(bytes)
  }
  Stats.finished(bytes, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
  return 0
}

/// Figures for bench/fuzz/RESULTS.md that libFuzzer does not give in fork mode, written under `$SPROUT_FUZZ_STATS`
/// (run.sh sets it): one byte appended to `executed` per spec run by the executor and to `completed` per task it
/// completed, and every input slower than any before it in this process saved as `slow-<milliseconds>.bin`.
enum Stats {
  nonisolated(unsafe) static var slowest = 0.25
  static let directory = ProcessInfo.processInfo.environment["SPROUT_FUZZ_STATS"]

  static func count(_ name: String, _ n: Int = 1) {
    guard let directory, n > 0 else { return }
    let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else { return }
    _ = [UInt8](repeating: 0x2E, count: n).withUnsafeBytes { write(fd, $0.baseAddress, n) }
    close(fd)
  }

  static func finished(_ bytes: [UInt8], seconds: Double) {
    guard let directory, seconds > slowest else { return }
    slowest = seconds
    _ = FileManager.default.createFile(atPath: directory + "/slow-\(Int(seconds * 1000)).bin", contents: Data(bytes))
  }
}

// MARK: - Specs

/// The largest integer a tiny plan's configuration may hold (widths, samples, steps, batch, image sides...).
let tinyLimit = 32
/// The most tasks a tiny plan may have.
let tinyTasks = 6
/// The most a tiny task's integers may add up to (so no task combines several sizes at the limit).
let tinySum = 160

/// The front end as `sprout lint`/`plan` runs it, then the executor when the plan is tiny.
func fuzzSpec(_ bytes: [UInt8]) {
  _ = catalogues
  var diagnostics = Diagnostics()
  // Named as the file `execute` writes, so that data paths resolve against the copy of fuzz/data.
  let document = YAMLParser.parse(bytes: bytes, file: workDirectory + "/spec.yaml", diagnostics: &diagnostics)

  let problems = document.verify()
  precondition(problems.isEmpty, "tree invariants broken: \(problems.prefix(3))")

  let plan = laterPhases(document, &diagnostics)

  checkDiagnostics(diagnostics, textLength: document.text.utf8.count)
  let sources = [document.file: document.text]
  _ = DiagnosticRenderer.text(diagnostics.sorted, sources: sources, color: true)
  _ = DiagnosticRenderer.json(diagnostics.all)
  _ = DiagnosticRenderer.sarif(diagnostics.all, toolVersion: "fuzz")

  if let plan, !diagnostics.hasErrors, isTiny(plan) { execute(bytes) }
}

/// The phases after Syntax, as `sprout lint` runs them, each only while the previous ones reported no error;
/// each intermediate form must pass its own `verify()`. Returns the full plan (no store) when there is one.
func laterPhases(_ document: Document, _ diagnostics: inout Diagnostics) -> Plan? {
  guard document.root != nil, !diagnostics.hasErrors else { return nil }
  guard let spec = SpecDecoder.decode(document, diagnostics: &diagnostics), !diagnostics.hasErrors else { return nil }
  let specProblems = spec.verify()
  precondition(specProblems.isEmpty, "spec invariants broken: \(specProblems.prefix(3))")
  guard let graph = GraphBuilder.build(spec, diagnostics: &diagnostics) else { return nil }
  let graphProblems = graph.verify()
  precondition(graphProblems.isEmpty, "graph invariants broken: \(graphProblems.prefix(3))")
  guard !diagnostics.hasErrors else { return nil }
  // The planner with no store, as `sprout plan` runs it (matrix expansion, per-trial resolution, hashing)
  // and as `sprout lint` runs it (check only, nothing hashed): both must find exactly the same problems.
  var full = Diagnostics()
  var checked = Diagnostics()
  let specPath = document.file
  let plan = Planner.plan(graph, options: PlanOptions(specPath: specPath), store: nil, diagnostics: &full)
  _ = Planner.plan(graph, options: PlanOptions(specPath: specPath, checkOnly: true), store: nil, diagnostics: &checked)
  precondition(full.all == checked.all, "check-only planning found other problems than a full plan")
  if let plan { precondition(plan.verifyHashes().isEmpty, "a task's hash does not match its definition") }
  diagnostics.append(contentsOf: full)
  return plan
}

/// Whether executing the plan costs a fraction of a second: few tasks, every integer in every task's lowered
/// configuration small and their sum bounded (a crude but safe cost bound: widths, samples, steps, image sides,
/// channels, ranks, epochs are all integers there). Batch sizes are left out: a batch never holds more than the
/// data's samples, which are bounded (and an evaluation's default batch is 256).
func isTiny(_ plan: Plan) -> Bool {
  guard !plan.tasks.isEmpty, plan.tasks.count <= tinyTasks else { return false }
  for task in plan.tasks {
    guard task.config != nil else { return false }
    var sum = 0
    var small = true
    walkIntegers(task.definition, key: "") { key, value in
      guard key != "batch" else { return }
      if value > tinyLimit || value < -tinyLimit { small = false }
      sum += min(abs(value), Int.max / 8)
    }
    if !small || sum > tinySum { return false }
  }
  return true
}

/// Calls `body` with every integer in `value` and the key it is under (and every integral double: `1e3` lowers
/// to a double).
func walkIntegers(_ value: JSONValue, key: String, _ body: (String, Int) -> Void) {
  switch value {
  case .int(let i): body(key, i)
  case .double(let d): if d.rounded() == d, abs(d) > Double(tinyLimit) { body(key, Int.max / 8) }
  case .array(let items): for item in items { walkIntegers(item, key: key, body) }
  case .object(let fields): for (k, v) in fields { walkIntegers(v, key: k, body) }
  case .null, .bool, .string: break
  }
}

/// Registers the catalogues once, as the CLI does before anything else.
let catalogues: Void = Languages.registerCatalogs()

/// A private folder for this process: the spec file, its data (a copy of fuzz/data) and the store.
let workDirectory: String = {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-fuzz-\(getpid())").path
  try? FileManager.default.removeItem(atPath: dir)  // a leftover of an earlier process with the same id
  do {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let source = ProcessInfo.processInfo.environment["SPROUT_FUZZ_DATA"] ?? "fuzz/data"
    try FileManager.default.copyItem(atPath: source, toPath: dir + "/data")
  } catch {
    fatalError("fuzz: cannot prepare \(dir) (set SPROUT_FUZZ_DATA to fuzz/data): \(error)")
  }
  return dir
}()

/// Runs the spec into a fresh store like `sprout run`, verifies every stored byte, and runs it again: every task
/// that completed the first time must be cached the second. A run that takes longer than 3 s is stopped (the
/// stop flag is itself part of what is fuzzed: stopped tasks must leave a store that verifies).
func execute(_ bytes: [UInt8]) {
  let spec = workDirectory + "/spec.yaml"
  let store = workDirectory + "/store"
  try? FileManager.default.removeItem(atPath: store)  // absent on the first input; the run recreates it
  guard FileManager.default.createFile(atPath: spec, contents: Data(bytes)) else { fatalError("fuzz: cannot write \(spec)") }

  var request = RunRequest(plan: PlanRequest(path: spec))
  request.plan.store = store
  request.threads = 1
  let stop = StopFlag()
  let timer = DispatchWorkItem { stop.set() }
  DispatchQueue.global().asyncAfter(deadline: .now() + 3, execute: timer)
  defer { timer.cancel() }

  let first: RunOutcome
  do { first = try Running.run(request, stop: stop, onEvent: { _ in }) } catch { return }  // an error, not a crash
  guard let summary = first.summary else { return }
  Stats.count("executed")
  Stats.count("completed", summary.results.filter { $0.status == .completed }.count)
  if let report = try? Running.verify(summary.runID, storePath: store) {
    precondition(report.ok, "a store just written does not verify: \(report.problems.prefix(3))")
  } else {
    preconditionFailure("the manifest of run \(summary.runID) cannot be read back")
  }
  guard !stop.isSet else { return }

  let again: RunOutcome
  do { again = try Running.run(request, stop: stop, onEvent: { _ in }) } catch {
    preconditionFailure("a second run of the same spec fails: \(error)")
  }
  guard let second = again.summary, !stop.isSet else { return }
  let completed = Set(summary.results.filter { $0.status == .completed }.map(\.key))
  for result in second.results where completed.contains(result.key) {
    precondition(result.status == .cached, "\(result.key) completed but is \(result.status) on a second run")
  }
}

// MARK: - Data files and checkpoints

/// A small budget so that a header claiming a huge array is refused rather than allocated (and so that the
/// -rss_limit_mb check measures the readers, not what they were allowed to allocate).
let fuzzBudget = MemoryBudget(bytes: 64 << 20)

/// Parses `bytes` as the format `kind` names, from memory and from a file; errors are expected, traps are not.
func fuzzFile(kind: UInt8, _ bytes: [UInt8]) {
  let path = workDirectory + "/input.bin"
  guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("fuzz: cannot write \(path)") }
  switch kind {
  case 1:
    let parsed = try? NPYReader.parse(bytes, budget: fuzzBudget)
    let read = try? NPYReader.read(file: path, budget: fuzzBudget)
    precondition((parsed == nil) == (read == nil), ".npy: parsing from memory and reading the file disagree")
    _ = try? NPYReader.header(file: path, budget: fuzzBudget)
    _ = try? NPYReader.targets(file: path)
  case 2:
    let parsed = try? IDXReader.parse(bytes, budget: fuzzBudget)
    let read = try? IDXReader.read(file: path, budget: fuzzBudget)
    precondition((parsed == nil) == (read == nil), "IDX: parsing from memory and reading the file disagree")
    _ = try? IDXReader.header(file: path, budget: fuzzBudget)
    _ = try? IDXReader.labels(file: path)
  case 3:
    for header in [true, false] {
      guard let table = try? CSVReader.table(bytes, header: header), let last = table.names.last else { continue }
      _ = try? CSVReader.data(table, options: CSVOptions(header: header, label: last))
      _ = try? CSVReader.data(table, options: CSVOptions(header: header, targets: [last]))
      _ = try? CSVReader.read(file: path, options: CSVOptions(header: header, label: last), budget: fuzzBudget)
      _ = try? CSVReader.summary(file: path, header: header, label: last)
    }
  case 4:
    let parsed = try? PNMReader.parse(bytes, budget: fuzzBudget)
    let read = try? PNMReader.read(file: path, budget: fuzzBudget)
    precondition((parsed == nil) == (read == nil), "PNM: parsing from memory and reading the file disagree")
    _ = try? PNMReader.header(file: path, budget: fuzzBudget)
  default:
    // Without checksums the mutator reaches the shape and offset checks; a decoded file must encode and decode
    // again (with its new checksums, required this time).
    if let file = try? SafetensorsFile.decode(bytes, requireChecksums: false) {
      do { _ = try SafetensorsFile.decode(file.encode(), requireChecksums: true) } catch {
        preconditionFailure("a decoded checkpoint does not decode after encoding: \(error)")
      }
    }
    _ = try? Checkpoint.decode(bytes, path: path)
    _ = try? Checkpoint.read(path)
  }
}

// MARK: - Diagnostics

/// Every diagnostic must point into the file with 1-based positions, whatever the input.
func checkDiagnostics(_ diagnostics: Diagnostics, textLength: Int) {
  for d in diagnostics {
    var ranges = [d.range] + d.notes.compactMap(\.range)
    ranges += d.fixIts.map(\.range)
    for r in ranges {
      precondition(r.start.line >= 1 && r.start.column >= 1, "\(d.id): position \(r.start) is not 1-based")
      precondition(!(r.end < r.start), "\(d.id): range ends before it starts")
      precondition(r.start.offset <= textLength && r.end.offset <= textLength, "\(d.id): offset past the end")
    }
    precondition(d.id.entry != nil, "\(d.id) is not in a catalogue")
    precondition(!d.message.isEmpty, "\(d.id) has no message")
  }
}
