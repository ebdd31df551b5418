import SproutDiagnostics

/// Deciding, from a read-only view of the store, which tasks are cached, stale or new, and why.
enum CacheState {
  /// Sets every task's state, reason and changes.
  static func assign(_ plan: inout Plan, store: StoreView?, force: Bool) {
    if store == nil && !force {
      // No store yet: every task is new (what the loop below concludes, without copying each task).
      for i in plan.tasks.indices {
        plan.tasks[i].state = .new
        plan.tasks[i].changes = []
        plan.tasks[i].reason = "never run"
      }
      return
    }
    // Only a task that ran before is compared with its inputs' hashes: build the table on the first one.
    var hashes: [TaskKey: String]?
    let tasks = plan.tasks
    for i in plan.tasks.indices {
      set(&plan.tasks[i], store: store, force: force, backend: plan.backend) { key in
        if hashes == nil { hashes = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.hash) }) }
        return hashes?[key]
      }
    }
  }

  /// Sets one task's state, reason and changes; `hash` gives the hash of a task it reads (asked only when the store
  /// has a record of the task).
  static func set(
    _ task: inout PlanTask, store: StoreView?, force: Bool, backend: String, hash: (TaskKey) -> String?
  ) {
    let record = store?.lastRecord(taskKey: task.key.description)
    let inStore = store?.hasOutputs(hash: task.hash) ?? false
    var changes: [TaskChange] = []
    if let record {
      changes = differences(task, record: record, hash: hash, backend: backend)
    }
    if force {
      task.state = record == nil && !inStore ? .new : .stale
      task.changes = [TaskChange(.forced)] + changes
    } else if inStore {
      task.state = .cached
      task.changes = []
    } else if record != nil {
      task.state = .stale
      task.changes = changes.isEmpty ? [TaskChange(.outputsMissing)] : changes
    } else {
      task.state = .new
    }
    task.reason = reason(task)
  }

  /// The one-line reason shown next to the task.
  static func reason(_ task: PlanTask) -> String {
    switch task.state {
    case .cached: return "outputs in the store"
    case .new: return task.changes.first?.kind == .forced ? "forced (--force); never run" : "never run"
    case .stale:
      guard let first = task.changes.first else { return "stale" }
      let more = task.changes.count - 1
      return first.description + (more > 0 ? " (and \(more) more)" : "")
    }
  }

  /// What differs between the task and its last run: fields first (in path order), then inputs, seed, backend.
  static func differences(
    _ task: PlanTask, record: TaskRecord, hash: (TaskKey) -> String?, backend: String
  ) -> [TaskChange] {
    var changes = TaskChange.configDifferences(record.definition, task.definition)
    for input in task.hashedInputs {
      let new = hash(input) ?? ""
      let old = record.inputHashes[input.description]
      if old != new {
        changes.append(TaskChange(.input, path: input.description, old: old.map(short), new: short(new)))
      }
    }
    if record.seed != task.seed { changes.append(TaskChange(.seed, old: String(record.seed), new: String(task.seed))) }
    if record.backend != backend { changes.append(TaskChange(.backend, old: record.backend, new: backend)) }
    return changes
  }

  static func short(_ hash: String) -> String { String(hash.prefix(12)) }
}
