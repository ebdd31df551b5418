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


def run_name(trials, trial):
    """The TensorBoard run name of a trial: its axis values joined by commas, or its id without any."""
    values = trials.get(trial)
    if not values:
        return trial
    return ",".join(f"{a}={v if not isinstance(v, bool) else str(v).lower()}" for a, v in values)


def check_tensorboard_run(path, run, expected_tags, trials):
    """Reads one TensorBoard run directory with TensorBoard's EventAccumulator: its scalars must equal
    expected_tags (tag → [(step, value)], compared as 32-bit floats), its HParams session the trial's axis values
    and end successfully. Returns the number of scalars; exits 1 on the first mismatch."""
    import sys

    import numpy as np
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    tags = sorted(acc.Tags()["scalars"])
    if tags != sorted(expected_tags):
        sys.exit(f"{run}: tags {tags} != {sorted(expected_tags)}")
    scalars = 0
    for tag in tags:
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        want = [(s, float(np.float32(v))) for s, v in expected_tags[tag]]
        if len(got) != len(want) or any(g[0] != w[0] or not same(g[1], w[1]) for g, w in zip(got, want)):
            sys.exit(f"{run} {tag}: {got[:5]} != {want[:5]}")
        scalars += len(got)
    content = acc.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    got = {k: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}
    trial = next((t for t in trials if run_name(trials, t) == run), None)
    want = {a: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for a, v in (trials.get(trial) or [])}
    if got != want:
        sys.exit(f"{run}: hparams {got} != {want}")
    end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"]).session_end_info
    if end.status != 1:
        sys.exit(f"{run}: session status {end.status}")
    return scalars
