#!/usr/bin/env python3
"""Load Sprout checkpoints with the reference `safetensors` package and print each tensor's name, shape
and dtype, plus the metadata: evidence that Sprout's files are real safetensors.

    python3 -m venv /tmp/st && /tmp/st/bin/pip install safetensors numpy
    /tmp/st/bin/python bench/check_safetensors.py .sprout/tasks/*/step-*.safetensors

Exit status 1 if any file fails to load.
"""
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def check(path):
    tensors = load_file(path)  # the reference loader validates the header and offsets
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata() or {}
    print(f"{path}: {len(tensors)} tensors")
    for name in sorted(tensors):
        t = tensors[name]
        finite = bool(np.all(np.isfinite(t))) if t.size else True
        print(f"  {name:48s} {str(list(t.shape)):>14s} {t.dtype}  finite={finite}")
    for key in sorted(metadata):
        value = metadata[key]
        print(f"  meta {key} = {value if len(value) < 72 else value[:69] + '...'}")


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            check(path)
        except Exception as error:  # report every file, then fail
            print(f"{path}: FAILED to load: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
