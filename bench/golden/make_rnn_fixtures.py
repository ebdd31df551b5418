#!/usr/bin/env python3
"""Writes PyTorch golden values for SproutTrain's recurrent layers (Tests/.../Fixtures/torch/rnn.json).

Run once by hand, like make_fixtures.py (the JSON is committed; `make test` never needs PyTorch):

    python3 -m venv /tmp/tvenv && /tmp/tvenv/bin/pip install torch numpy
    /tmp/tvenv/bin/python bench/golden/make_rnn_fixtures.py

Each fixture is a small model over a sequence input [L, F] whose modules are Sprout's layers one for one: an
nn.RNN / nn.GRU (one layer, batch_first, both biases, h0 = 0) returning its last state or every state, then maybe a
dense layer (position-wise on a sequence). Parameter names are Sprout's (`layers.0.weight_ih` is torch's
`0.rnn.weight_ih_l0`). Recorded: the parameters (PyTorch's default init), output, MSE loss, every gradient, the input
gradient, and the parameters after each of three SGD steps with momentum 0.9 (model_fixture.py records them).
"""
import torch
import torch.nn as nn

from make_fixtures import flat
from model_fixture import mse_targets, record, write

torch.set_default_dtype(torch.float32)


class Recurrent(nn.Module):
    """Sprout's rnn / gru layer: [B, L, F] -> [B, H] (last state) or [B, L, H] (every state)."""

    def __init__(self, kind, features, units, nonlinearity="tanh", sequence=False):
        super().__init__()
        if kind == "gru":
            self.rnn = nn.GRU(features, units, batch_first=True)
        else:
            self.rnn = nn.RNN(features, units, nonlinearity=nonlinearity, batch_first=True)
        self.sequence = sequence

    def forward(self, x):
        out, h = self.rnn(x)
        return out if self.sequence else h[0]


def sprout_name(name):
    return "layers." + name.replace(".rnn.", ".").replace("_l0", "")


def named(model, grads=False):
    return {sprout_name(n): flat(p.grad if grads else p) for n, p in model.named_parameters()}


def fixture(name, length, features, layers, batch=3, steps=3, lr=0.05):
    torch.manual_seed(sum(name.encode()))
    mods, width = [], features
    for desc in layers:
        if desc["kind"] in ("rnn", "gru"):
            mods.append(Recurrent(desc["kind"], width, desc["units"], desc.get("nonlinearity", "tanh"),
                                  desc["sequence"]))
            width = desc["units"]
        elif desc["kind"] == "dense":
            mods.append(nn.Linear(width, desc["units"]))
            width = desc["units"]
        elif desc["kind"] == "tanh":
            mods.append(nn.Tanh())
        else:
            raise ValueError(desc)
    model = nn.Sequential(*mods)
    x = torch.randn(batch, length, features)
    head = {"name": name, "length": length, "features": features, "layers": layers, "batch": batch}
    return record(head, model, x, x.clone().requires_grad_(True), mse_targets, lambda grads: named(model, grads),
                  lr=lr, steps=steps)


def rnn(units, nonlinearity="tanh", sequence=False):
    return {"kind": "rnn", "units": units, "nonlinearity": nonlinearity, "sequence": sequence}


def gru(units, sequence=False):
    return {"kind": "gru", "units": units, "sequence": sequence}


def main():
    dense = lambda n: {"kind": "dense", "units": n}
    fixtures = [
        fixture("rnn_tanh_last", 6, 3, [rnn(5), dense(2)]),
        fixture("rnn_tanh_sequence", 5, 4, [rnn(3, sequence=True)]),
        fixture("rnn_relu_last", 7, 3, [rnn(4, "relu"), dense(2)]),
        fixture("rnn_relu_sequence_dense", 4, 2, [rnn(5, "relu", sequence=True), dense(2)]),
        fixture("gru_last", 6, 3, [gru(5), dense(2)]),
        fixture("gru_sequence", 5, 4, [gru(3, sequence=True)]),
        fixture("gru_stacked", 4, 3, [gru(4, sequence=True), {"kind": "tanh"}, rnn(3)]),
    ]
    write("rnn", fixtures)


if __name__ == "__main__":
    main()
