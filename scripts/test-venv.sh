#!/usr/bin/env bash
# The Python readers the tests check Sprout's exports with, from PyPI into .venv-test/ (gitignored; created
# once, reused after): TensorBoard's own event reader, pandas and polars. No torch: this venv stays small.
# `make test` runs this first; run it by hand to use the readers yourself (.venv-test/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
packages="tensorboard pandas polars"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import tensorboard, pandas, polars" 2>/dev/null; then
  echo "Installing $packages from PyPI into $venv (once)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $packages
fi
