#!/usr/bin/env bash
# The Python the tests check Sprout against, from PyPI into .venv-test/ (gitignored; created once, reused after):
# TensorBoard's own event reader, pandas and polars (exports), NumPy and SciPy (curve_fit for the fit stage). No
# torch: this venv stays small. `make test` runs this first; run it by hand to use them yourself
# (.venv-test/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
packages="tensorboard pandas polars numpy scipy"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import tensorboard, pandas, polars, numpy, scipy" 2>/dev/null; then
  echo "Installing $packages from PyPI into $venv (once)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $packages
fi
