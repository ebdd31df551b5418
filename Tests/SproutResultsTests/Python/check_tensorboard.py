"""Reads a `sprout export --format tensorboard` directory with TensorBoard's own EventAccumulator and checks
every scalar against the store's metrics.jsonl (as 32-bit floats, TensorBoard's scalar type), the run names,
and the HParams plugin data. Usage: check_tensorboard.py STORE RUN_ID LOGDIR. Prints a summary; exits 1 on
the first mismatch."""
import os
import sys
from collections import defaultdict

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from store_expectations import check_tensorboard_run, load, run_name

store, run_id, logdir = sys.argv[1:4]
manifest, trials, axes, records = load(store, run_id)


expected = defaultdict(lambda: defaultdict(list))  # run → tag → [(step, value)]
for task, trial, stage, step, metric, value in records:
    expected[run_name(trials, trial)][f"{stage}/{metric}"].append((step, value))

runs = sorted(d for d in os.listdir(logdir) if os.path.isdir(os.path.join(logdir, d)))
if runs != sorted(expected):
    sys.exit(f"runs {runs} != expected {sorted(expected)}")
scalars = sum(check_tensorboard_run(os.path.join(logdir, run), run, expected[run], trials) for run in runs)

top = EventAccumulator(logdir)
top.Reload()
experiment = plugin_data_pb2.HParamsPluginData.FromString(top.PluginTagToContent("hparams")["_hparams_/experiment"]).experiment
names = [h.name for h in experiment.hparam_infos]
if names != axes:
    sys.exit(f"experiment hparams {names} != axes {axes}")
metric_tags = sorted(m.name.tag for m in experiment.metric_infos)
print(f"ok: {len(runs)} runs, {scalars} scalars, hparams {names}, metrics {metric_tags}")
