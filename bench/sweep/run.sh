#!/usr/bin/env bash
# bench/sweep: a 1,000-trial sweep of bench/train's tiny model (200 steps each) through `sprout run --jobs 2`
# on a fresh store, against the ideal 1,000 x 200 x (one step) / 2 and a PyTorch loop running the same trials in
# one process. Goal (issue 15): within 1.3x of the ideal, i.e. under 1 ms of overhead per task.
# Release build; PyTorch from PyPI into bench/.venv (shared with bench/train).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product sprout >/dev/null
swift build -c release --static-swift-stdlib --product sprout-bench >/dev/null
venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "Installing torch from PyPI into $venv (large; once only)"
  "$venv/bin/pip" install --quiet numpy torch threadpoolctl
fi
"$venv/bin/python" bench/sweep/bench.py .build/release/sprout .build/release/sprout-bench "$venv/bin/python" \
  --out bench/out "$@"
