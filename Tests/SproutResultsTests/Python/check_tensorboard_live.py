"""Reads the TensorBoard logs a run wrote while training (`tensorboard: true` on its train stages) with
TensorBoard's own EventAccumulator and checks every scalar of those stages against the store's metrics.jsonl (as
32-bit floats), one TensorBoard run per trial named by its axis values, and each run's HParams. Usage:
check_tensorboard_live.py STORE RUN_ID STAGE[,STAGE...]. Prints a summary; exits 1 on the first mismatch."""
import os
import sys
from collections import defaultdict

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from store_expectations import load, same

store, run_id, stages = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
manifest, trials, axes, records = load(store, run_id)
logdir = os.path.join(store, "tensorboard", run_id)


def run_name(trial):
    values = trials.get(trial)
    if not values:
        return trial
    return ",".join(f"{a}={v if not isinstance(v, bool) else str(v).lower()}" for a, v in values)


expected = defaultdict(lambda: defaultdict(list))  # run → tag → [(step, value)]
for task, trial, stage, step, metric, value in records:
    if stage in stages:
        expected[run_name(trial)][f"{stage}/{metric}"].append((step, value))

runs = sorted(d for d in os.listdir(logdir) if os.path.isdir(os.path.join(logdir, d)))
if runs != sorted(expected):
    sys.exit(f"runs {runs} != expected {sorted(expected)}")
scalars = 0
for run in runs:
    acc = EventAccumulator(os.path.join(logdir, run), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    tags = sorted(acc.Tags()["scalars"])
    if tags != sorted(expected[run]):
        sys.exit(f"{run}: tags {tags} != {sorted(expected[run])}")
    for tag in tags:
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        want = [(s, float(np.float32(v))) for s, v in expected[run][tag]]
        if len(got) != len(want) or any(g[0] != w[0] or not same(g[1], w[1]) for g, w in zip(got, want)):
            sys.exit(f"{run} {tag}: {got[:5]} != {want[:5]}")
        scalars += len(got)
    content = acc.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    got = {k: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}
    trial = next(t for t in trials if run_name(t) == run)
    want = {a: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for a, v in trials[trial]}
    if got != want:
        sys.exit(f"{run}: hparams {got} != {want}")
    end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"]).session_end_info
    if end.status != 1:
        sys.exit(f"{run}: session status {end.status}")
print(f"ok: {len(runs)} runs, {scalars} scalars")
