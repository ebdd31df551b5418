"""What a run's exports must contain, read straight from the store with Python's json module (independent of
Sprout's code): per trial, every number of every metrics.jsonl record, named as the docs say."""
import json
import math
import os

NONFINITE = {"NaN": math.nan, "nan": math.nan, "Infinity": math.inf, "inf": math.inf, "-Infinity": -math.inf, "-inf": -math.inf}


def number(v):
    if isinstance(v, str):
        return NONFINITE[v]
    return float(v)


def leaves(name, v):
    """(name, number) of a metric value: scalars as they are, maps per key (sorted), vectors per index."""
    if isinstance(v, dict):
        for k in sorted(v):
            yield from leaves(f"{name}/{k}", v[k])
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(f"{name}/{i}", x)
    else:
        yield name, number(v)


def load(store, run_id):
    """(manifest, trials {id: [(axis, value)]}, axes [names], records [(task, trial, stage, step, metric, value)])."""
    manifest = json.load(open(os.path.join(store, "runs", run_id, "manifest.json")))
    trials = {t["id"]: [(a["axis"], a["value"]) for a in t["assignment"]] for t in manifest["plan"]["trials"]}
    axes = []
    for values in trials.values():
        for axis, _ in values:
            if axis not in axes:
                axes.append(axis)
    records = []
    for task in manifest["tasks"]:
        if not os.path.exists(os.path.join(store, "tasks", task["hash"], "outputs.json")):
            continue
        path = os.path.join(store, "tasks", task["hash"], "metrics.jsonl")
        if not os.path.exists(path):
            continue
        for line in open(path):
            record = json.loads(line)
            step = record.pop("step")
            for name in sorted(record):
                for metric, value in leaves(name, record[name]):
                    records.append((task["key"], task["trial"], task["stage"], step, metric, value))
    return manifest, trials, axes, records


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b
