#!/usr/bin/env bash
# bench/train: median time per training step of five models on Sprout's cpu and blas backends, PyTorch and
# hand-written NumPy, plus the OpenBLAS sgemm peak, cpu-vs-blas matrix products and counted allocations.
# Release build; PyTorch and NumPy come from PyPI into bench/.venv (created on first use).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product sprout-bench >/dev/null
venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import numpy, torch, threadpoolctl" 2>/dev/null; then
  echo "Installing numpy, torch and threadpoolctl from PyPI into $venv (torch is large; once only)"
  "$venv/bin/pip" install --quiet numpy torch threadpoolctl
fi
"$venv/bin/python" bench/train/bench.py .build/release/sprout-bench "$venv/bin/python" --out bench/out "$@"
