"""Where the massive activations of examples/massive-activations.yaml sit: position and feature of the largest
entries of the residual stream after each block, from a checkpoint of its `train` task.

The model is rebuilt in PyTorch with bench/golden/make_transformer_fixtures.py's modules (the layers its golden
tests check against Sprout's), its parameters read from the checkpoint, and run on 64 fresh induction sequences
(random prefixes of 6-12 tokens repeated, drawn here, seed 0: not Sprout's rows, so the ratios agree with the
recorded ones only roughly, which is itself a check). Prints each layer's max/median ratio, where the maximum is,
and max|h| by position and by feature.

    bench/.venv/bin/python examples/data/massive-activations/where.py .sprout/tasks/<train hash>/step-001000.safetensors

Needs torch and numpy (bench/*/run.sh install them into bench/.venv).
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench", "golden"))
from make_transformer_fixtures import build, names  # noqa: E402


def load(path):
    """The float32 tensors of a safetensors file, by name."""
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for key, v in header.items():
        if key == "__metadata__":
            continue
        assert v["dtype"] == "F32", (key, v["dtype"])
        start, end = v["data_offsets"]
        out[key] = np.frombuffer(data[8 + n + start:8 + n + end], dtype=np.float32).reshape(v["shape"])
    return out


def main(path, width=32, blocks=4, length=24, vocab=24):
    weights = load(path)
    block = {"kind": "transformer_block", "heads": 2, "mlp": 4 * width, "causal": True, "norm": "pre",
             "activation": "relu"}
    layers = [{"kind": "embedding", "vocab": vocab, "dim": width, "positional": "learned"}] + [block] * blocks
    model = build({"length": length, "vocab": vocab}, layers)
    with torch.no_grad():
        for name, p in names(model).items():
            p.copy_(torch.from_numpy(weights[name].copy()).reshape(p.shape))
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(64):
        prefix = rng.integers(0, vocab, rng.integers(6, 13))
        rows.append(np.concatenate([prefix] * (length // len(prefix) + 1))[:length])
    h = torch.tensor(np.array(rows))
    with torch.no_grad():
        for i, module in enumerate(model):
            h = module(h)
            a = h.abs()
            top = a.max().item()
            where = (a == top).nonzero()[0].tolist()
            print("layer %d (%s): max/median %.1f, max %.1f at sequence %d position %d feature %d" % (
                i, "embedding" if i == 0 else "block %d" % i, top / a.median().item(), top, *where))
            print("  max|h| by position:", " ".join("%.0f" % v for v in a.amax(dim=(0, 2)).tolist()))
            print("  max|h| by feature: ", " ".join("%.0f" % v for v in a.amax(dim=(0, 1)).tolist()))


if __name__ == "__main__":
    main(sys.argv[1])
