#!/usr/bin/env bash
# The Python the tests compare against (SciPy's curve_fit for the fit stage): a venv in Tests/.venv with NumPy and
# SciPy from PyPI, created on first use. `make test` runs this first; the tests find it at Tests/.venv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=Tests/.venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c "import numpy, scipy" 2>/dev/null; then
  echo "Installing numpy and scipy from PyPI into $venv (once)"
  "$venv/bin/pip" install --quiet numpy scipy
fi
