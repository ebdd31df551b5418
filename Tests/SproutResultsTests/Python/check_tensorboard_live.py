"""Reads the TensorBoard logs a run wrote while training (`tensorboard: true` on its train stages) with
TensorBoard's own EventAccumulator and checks every scalar of those stages against the store's metrics.jsonl (as
32-bit floats), one TensorBoard run per trial named by its axis values, and each run's HParams. Usage:
check_tensorboard_live.py STORE RUN_ID STAGE[,STAGE...]. Prints a summary; exits 1 on the first mismatch."""
import os
import sys
from collections import defaultdict

from store_expectations import check_tensorboard_run, load, run_name

store, run_id, stages = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
manifest, trials, axes, records = load(store, run_id)
logdir = os.path.join(store, "tensorboard", run_id)

expected = defaultdict(lambda: defaultdict(list))  # run → tag → [(step, value)]
for task, trial, stage, step, metric, value in records:
    if stage in stages:
        expected[run_name(trials, trial)][f"{stage}/{metric}"].append((step, value))

runs = sorted(d for d in os.listdir(logdir) if os.path.isdir(os.path.join(logdir, d)))
if runs != sorted(expected):
    sys.exit(f"runs {runs} != expected {sorted(expected)}")
scalars = sum(check_tensorboard_run(os.path.join(logdir, run), run, expected[run], trials) for run in runs)
print(f"ok: {len(runs)} runs, {scalars} scalars")
