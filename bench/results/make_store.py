"""Writes synthetic stores in Sprout's store format (docs/store.md) for the results benchmarks: what matters
for reading speed is the number and size of the files, not whether a network trained them.

  make_store.py big DIR TASKS      one run of TASKS train tasks (init × width × seed), 20 records each
  make_store.py many DIR RUNS      RUNS runs of 4 tasks each, three specs, tags, dates over 60 days
"""
import hashlib
import json
import os
import random
import sys


# A train task's lowered configuration as the planner records it in the plan (`config`; a two-spirals MLP as in
# examples/quickstart.yaml), so manifests have their real size and shape.
CONFIG = json.loads("""{"kind": {"train": {"initialization": {"bias": {"zeros": {}}, "layerRules": [],
 "rule": {"xavierNormal": {"gain": 1}}}, "model": {"input": 2, "layers": [{"dense": {"bias": true,
 "units": 16}}, {"activation": {"_0": {"tanh": {}}}}, {"dense": {"bias": true, "units": 2}}]},
 "training": {"batch": 32, "data": {"dataset": {"name": "spirals", "oneHot": true,
 "source": {"twoSpirals": {"noise": 0.05, "samples": 200, "turns": 1.5}}, "split": [{"fraction": 0.75,
 "name": "train"}, {"fraction": 0.25, "name": "test"}], "standardize": false}, "split": "train"}, "every": 10,
 "length": {"steps": {"_0": 60}}, "loss": {"crossEntropy": {"labelSmoothing": 0}}, "optimizer": {"lr": 0.02,
 "rule": {"adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-08, "weightDecay": 0}},
 "schedule": {"constant": {}}}, "record": [{"loss": {}}, {"accuracy": {}},
 {"weightChange": {"layers": {"all": {}}, "relative": true}}], "shuffle": true}}}, "stage": "train"}""")


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, sort_keys=True)


def run(store, run_id, spec, started, trials, records=20, tags=()):
    """trials: list of (assignment [(axis, value)], final accuracy)."""
    tasks, plan_trials = [], []
    rng = random.Random(run_id)
    for i, (assignment, acc) in enumerate(trials):
        tid = f"t{i:04d}"
        h = hashlib.sha256(f"{run_id}/{tid}".encode()).hexdigest()
        d = os.path.join(store, "tasks", h)
        os.makedirs(d, exist_ok=True)
        lines = []
        for r in range(records):
            step = r * 50
            loss = 2.0 * (0.9 ** r) + rng.random() * 0.01
            lines.append(json.dumps({"step": step, "loss": loss, "accuracy": min(1.0, acc * (r + 1) / records),
                                     "weight_change": {"layers.0.weight": 0.01 * r, "layers.2.weight": 0.02 * r}},
                                    sort_keys=True, separators=(",", ":")))
        with open(os.path.join(d, "metrics.jsonl"), "w") as f:
            f.write("\n".join(lines) + "\n")
        last = json.loads(lines[-1])
        write(os.path.join(d, "outputs.json"), {
            "format_version": 1, "hash": h, "kind": "train", "steps": (records - 1) * 50,
            "final_metrics": {k: v for k, v in last.items() if k != "step"},
            "output_hashes": {"tensor:layers.0.weight": "sha256:" + h, "metrics.jsonl": "sha256:" + h},
            "checkpoints": [], "extra": {}, "seconds": 0.5})
        tasks.append({"key": f"{tid}/train", "hash": h, "trial": tid, "stage": "train", "kind": "train",
                      "status": "completed", "checkpoints": [], "metrics": f"tasks/{h}/metrics.jsonl", "seconds": 0.5})
        plan_trials.append({"index": i, "id": tid, "seed": 0,
                            "assignment": [{"axis": a, "value": v} for a, v in assignment]})
    plan = {"spec": {"name": spec, "path": f"{spec}.yaml", "textHash": ""}, "backend": "cpu", "rootSeed": 0,
            "overrides": [], "count": {"total": len(trials), "statement": f"{len(trials)} trials"},
            "trials": plan_trials, "tasks": [{"key": t["key"], "hash": t["hash"], "kind": "train", "config": CONFIG, "inputs": [],
                                                "seed": 0, "trialIndex": i, "state": "new",
                                                "span": {"file": f"{spec}.yaml", "line": 16, "column": 3,
                                                         "endLine": 16, "endColumn": 8}}
                                               for i, t in enumerate(tasks)]}
    write(os.path.join(store, "runs", run_id, "manifest.json"), {
        "format_version": 1, "run_id": run_id, "spec_path": f"{spec}.yaml", "spec_text": f"name: {spec}\n",
        "plan": plan, "tool_version": "0.1.0", "backend": "cpu", "jobs": 1,
        "machine": {"hostname": "bench"}, "started": started, "seconds": 1.0, "tasks": tasks})
    if tags:
        write(os.path.join(store, "runs", run_id, "labels.json"), {"format_version": 1, "tags": list(tags)})


def main():
    kind, store, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "big":
        inits = ["xavier", "kaiming", "orthogonal", "lecun", "lsuv", "siren", "winner", "pissa", "lowrank", "zeros"]
        widths = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
        trials = []
        seeds = max(1, n // (len(inits) * len(widths)))
        for init in inits:
            for width in widths:
                for seed in range(seeds):
                    trials.append(([("init", init), ("width", width), ("seed", seed)], 0.5 + 0.4 * random.random()))
        run(store, "20261129-151002.123-b16b", "big", "2026-11-29T15:10:02Z", trials[:n])
    else:
        for i in range(n):
            day = 1 + i * 60 // n
            month, day = (10, day) if day <= 31 else (11, day - 31)
            rid = f"2026{month:02d}{day:02d}-{i % 24:02d}{i % 60:02d}00.{i % 1000:03d}-{i:04x}"
            spec = ["rich-vs-lazy", "quickstart", "siren"][i % 3]
            trials = [([("init", init), ("seed", s)], random.random()) for init in ("a", "b") for s in (0, 1)]
            run(store, rid, spec, f"2026-{month:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:00Z", trials, records=5,
                tags=("nightly",) if i % 10 == 0 else ())


main()
