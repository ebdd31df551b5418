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
    for i in plan.tasks.indices {
      let task = plan.tasks[i]
      let record = store?.lastRecord(taskKey: task.key.description)
      let inStore = store?.hasOutputs(hash: task.hash) ?? false
      var changes: [TaskChange] = []
      if let record {
        let table = hashes ?? Dictionary(uniqueKeysWithValues: plan.tasks.map { ($0.key, $0.hash) })
        hashes = table
        changes = differences(task, record: record, hashes: table, backend: plan.backend)
      }
      if force {
        plan.tasks[i].state = record == nil && !inStore ? .new : .stale
        plan.tasks[i].changes = [TaskChange(.forced)] + changes
      } else if inStore {
        plan.tasks[i].state = .cached
        plan.tasks[i].changes = []
      } else if record != nil {
        plan.tasks[i].state = .stale
        plan.tasks[i].changes = changes.isEmpty ? [TaskChange(.outputsMissing)] : changes
      } else {
        plan.tasks[i].state = .new
      }
      plan.tasks[i].reason = reason(plan.tasks[i])
    }
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
    _ task: PlanTask, record: TaskRecord, hashes: [TaskKey: String], backend: String
  ) -> [TaskChange] {
    var changes = TaskChange.configDifferences(record.definition, task.definition)
    for input in task.hashedInputs {
      let new = hashes[input] ?? ""
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
