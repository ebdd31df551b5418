#!/usr/bin/env bash
# bench/transformer: median time per training step of a 2-block transformer (width 64, 4 heads, length 32) on
# Sprout's cpu and blas backends and PyTorch, at 1 and 2 threads. Release build; PyTorch from PyPI into bench/.venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product sprout-bench >/dev/null
venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "Installing torch from PyPI into $venv (large; once only)"
  "$venv/bin/pip" install --quiet torch
fi
"$venv/bin/python" bench/transformer/bench.py .build/release/sprout-bench "$venv/bin/python" "$@"
