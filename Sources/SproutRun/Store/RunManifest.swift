import SproutDiagnostics
import SproutPlanner

/// `runs/<run-id>/manifest.json`: what one `sprout run` did, enough to show it and to run it again.
public struct RunManifest: Hashable, Sendable {
  /// One task of the run.
  public struct TaskEntry: Hashable, Sendable {
    /// The plan's task key (`t0003/train`).
    public var key: String
    /// The content hash (the directory under `tasks/`).
    public var hash: String
    /// Trial id and stage name.
    public var trial: String
    /// Stage name.
    public var stage: String
    /// Stage kind.
    public var kind: String
    /// `completed`, `cached`, `failed`, `cancelled`, `skipped`; `pending` or `running` while the run is going (or
    /// after it was killed).
    public var status: String
    /// Checkpoint files, relative to the store root.
    public var checkpoints: [String]
    /// The metrics file, relative to the store root, if any.
    public var metrics: String?
    /// Seconds spent in this run (0 for cached).
    public var seconds: Double
    /// The error message when failed.
    public var error: String?

    /// Creates an entry.
    public init(
      key: String, hash: String, trial: String, stage: String, kind: String, status: String,
      checkpoints: [String] = [], metrics: String? = nil, seconds: Double = 0, error: String? = nil
    ) {
      self.key = key
      self.hash = hash
      self.trial = trial
      self.stage = stage
      self.kind = kind
      self.status = status
      self.checkpoints = checkpoints
      self.metrics = metrics
      self.seconds = seconds
      self.error = error
    }

    var json: JSONValue {
      var o: [String: JSONValue] = [
        "key": .string(key), "hash": .string(hash), "trial": .string(trial), "stage": .string(stage),
        "kind": .string(kind), "status": .string(status), "checkpoints": .array(checkpoints.map { .string($0) }),
        "seconds": .double(seconds),
      ]
      if let metrics { o["metrics"] = .string(metrics) }
      if let error { o["error"] = .string(error) }
      return .object(o)
    }

    init?(json: JSONValue) {
      guard let key = json["key"]?.stringValue, let hash = json["hash"]?.stringValue,
        let trial = json["trial"]?.stringValue, let stage = json["stage"]?.stringValue,
        let kind = json["kind"]?.stringValue, let status = json["status"]?.stringValue
      else { return nil }
      self.init(
        key: key, hash: hash, trial: trial, stage: stage, kind: kind, status: status,
        checkpoints: json["checkpoints"]?.arrayValue?.compactMap(\.stringValue) ?? [],
        metrics: json["metrics"]?.stringValue, seconds: json["seconds"]?.doubleValue ?? 0,
        error: json["error"]?.stringValue)
    }
  }

  /// The run id (`20261129-151002.123-3f9a`).
  public var runID: String
  /// The spec path as given.
  public var specPath: String
  /// The spec text, so a rerun needs nothing but the store.
  public var specText: String
  /// The plan as JSON (resolved values per trial, task hashes, overrides, backend, seed), so a rerun
  /// replays exactly the same tasks; `null` when ``planFile`` holds it instead.
  public var plan: JSONValue
  /// A plan file in the run's directory holding the plan (`plan.json`, for a run made by `sprout submit`, whose
  /// jobs read that file: one copy of a large plan instead of two); nil when ``plan`` holds it.
  public var planFile: String?
  /// The `sprout` version.
  public var toolVersion: String
  /// The backend name.
  public var backend: String
  /// Worker count used.
  public var jobs: Int
  /// `uname -srm`-style description and CPU count.
  public var machine: [String: JSONValue]
  /// ISO-8601 start time (UTC).
  public var started: String
  /// Wall-clock seconds of the run so far.
  public var seconds: Double
  /// Per task, in plan order.
  public var tasks: [TaskEntry]

  /// Creates a manifest.
  public init(
    runID: String, specPath: String, specText: String, plan: JSONValue, toolVersion: String, backend: String,
    jobs: Int, machine: [String: JSONValue], started: String, seconds: Double = 0, tasks: [TaskEntry] = [],
    planFile: String? = nil
  ) {
    self.runID = runID
    self.specPath = specPath
    self.specText = specText
    self.plan = plan
    self.planFile = planFile
    self.toolVersion = toolVersion
    self.backend = backend
    self.jobs = jobs
    self.machine = machine
    self.started = started
    self.seconds = seconds
    self.tasks = tasks
  }

  /// The JSON form.
  public var json: JSONValue {
    var o: [String: JSONValue] = [
      "format_version": .int(1), "run_id": .string(runID), "spec_path": .string(specPath),
      "spec_text": .string(specText), "plan": plan, "tool_version": .string(toolVersion),
      "backend": .string(backend), "jobs": .int(jobs), "machine": .object(machine), "started": .string(started),
      "seconds": .double(seconds), "tasks": .array(tasks.map(\.json)),
    ]
    if let planFile { o["plan_file"] = .string(planFile) }
    return .object(o)
  }

  /// The file's bytes: ``json``'s pretty text and a newline, with `planText` (the plan's pretty text at the
  /// manifest's first level, ``prettyPlan()``) written in place of the plan. The plan is most of the file (3 MB for
  /// 1,000 trials) and never changes during a run, so the run's progress snapshots render it once.
  public func prettyBytes(planText: [UInt8]? = nil) -> [UInt8] {
    guard case .object(var members) = json else { preconditionFailure("a manifest is an object") }
    var out: [UInt8] = []
    out.reserveCapacity((planText?.count ?? 0) + 256 * (tasks.count + 1) + specText.utf8.count)
    out += "{\n".utf8
    let plan = members.removeValue(forKey: "plan")
    let keys = (Array(members.keys) + ["plan"]).sorted(by: JSONValue.keyOrder)
    for (i, key) in keys.enumerated() {
      out += "  ".utf8
      JSONValue.writeString(key, to: &out)
      out += ": ".utf8
      if key == "plan" {
        if let planText { out += planText } else { plan?.writePretty(to: &out, level: 1) }
      } else {
        members[key]?.writePretty(to: &out, level: 1)
      }
      out += (i + 1 < keys.count ? ",\n" : "\n").utf8
    }
    out += "}\n".utf8
    return out
  }

  /// The plan's text as ``prettyBytes(planText:)`` writes it.
  public func prettyPlan() -> [UInt8] {
    var out: [UInt8] = []
    plan.writePretty(to: &out, level: 1)
    return out
  }

  /// Reads the JSON form; nil when a field is missing or mistyped.
  public init?(json: JSONValue) {
    guard let runID = json["run_id"]?.stringValue, let specPath = json["spec_path"]?.stringValue,
      let specText = json["spec_text"]?.stringValue, let plan = json["plan"],
      let tool = json["tool_version"]?.stringValue, let backend = json["backend"]?.stringValue,
      let tasks = json["tasks"]?.arrayValue
    else { return nil }
    var entries: [TaskEntry] = []
    for t in tasks {
      guard let e = TaskEntry(json: t) else { return nil }
      entries.append(e)
    }
    self.init(
      runID: runID, specPath: specPath, specText: specText, plan: plan, toolVersion: tool, backend: backend,
      jobs: json["jobs"]?.intValue ?? 1, machine: json["machine"]?.objectValue ?? [:],
      started: json["started"]?.stringValue ?? "", seconds: json["seconds"]?.doubleValue ?? 0, tasks: entries,
      planFile: json["plan_file"]?.stringValue)
  }
}
