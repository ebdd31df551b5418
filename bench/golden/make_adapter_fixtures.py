#!/usr/bin/env python3
"""Writes PyTorch golden values for fine-tuning adapters on attention projections
(Tests/SproutTrainTests/Fixtures/torch/adapters.json).

Run once by hand, like the other fixture scripts (the JSON is committed; `make test` never needs PyTorch):

    bench/.venv/bin/python bench/golden/make_adapter_fixtures.py

Each fixture is multi-head self-attention (the computation of nn.MultiheadAttention, checked against it below with
the adapters at zero) followed by a position-wise nn.Linear, with LoRA (Hu et al., ICLR 2022) on chosen
projections: the query, key or value block of in_proj_weight gets s·(x Aᵀ)Bᵀ added to its output, the output
projection the same on the concatenated heads. The base weights are frozen (requires_grad False, gradient 0),
A and B train. model_fixture.record stores the output, MSE loss, every gradient, the input gradient and three
SGD-with-momentum steps (only A and B move).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from make_fixtures import flat
from model_fixture import mse_targets, record, write

torch.set_default_dtype(torch.float32)
PROJECTIONS = ["query", "key", "value", "output"]


class AdaptedAttention(nn.Module):
    def __init__(self, width, heads, causal, adapters):
        super().__init__()
        self.width, self.heads, self.causal = width, heads, causal
        self.in_proj_weight = nn.Parameter(0.5 * torch.randn(3 * width, width), requires_grad=False)
        self.in_proj_bias = nn.Parameter(0.5 * torch.randn(3 * width), requires_grad=False)
        self.out_weight = nn.Parameter(0.5 * torch.randn(width, width), requires_grad=False)
        self.out_bias = nn.Parameter(0.5 * torch.randn(width), requires_grad=False)
        self.adapters = nn.ParameterDict()
        self.scales = dict(adapters)
        for projection, (rank, _) in adapters.items():
            self.adapters[projection + "_A"] = nn.Parameter(0.5 * torch.randn(rank, width))
            self.adapters[projection + "_B"] = nn.Parameter(0.5 * torch.randn(width, rank))

    def lora(self, projection, x):
        if projection not in self.scales:
            return 0
        s = self.scales[projection][1]
        return s * (x @ self.adapters[projection + "_A"].T) @ self.adapters[projection + "_B"].T

    def forward(self, x):
        b, l, e = x.shape
        h, d = self.heads, e // self.heads
        w, bias = self.in_proj_weight, self.in_proj_bias
        q = x @ w[:e].T + bias[:e] + self.lora("query", x)
        k = x @ w[e:2 * e].T + bias[e:2 * e] + self.lora("key", x)
        v = x @ w[2 * e:].T + bias[2 * e:] + self.lora("value", x)
        split = lambda t: t.reshape(b, l, h, d).transpose(1, 2)
        scores = split(q) @ split(k).transpose(-1, -2) / d ** 0.5
        if self.causal:
            scores = scores.masked_fill(torch.triu(torch.ones(l, l, dtype=torch.bool), 1), float("-inf"))
        context = (scores.softmax(-1) @ split(v)).transpose(1, 2).reshape(b, l, e)
        return context @ self.out_weight.T + self.out_bias + self.lora("output", context)

    def names(self, prefix):
        out = {prefix + ".in_proj_weight": self.in_proj_weight, prefix + ".in_proj_bias": self.in_proj_bias,
               prefix + ".out_proj.weight": self.out_weight, prefix + ".out_proj.bias": self.out_bias}
        for projection in self.scales:
            p = prefix + (".out_proj" if projection == "output" else "." + projection)
            out[p + ".lora_A"] = self.adapters[projection + "_A"]
            out[p + ".lora_B"] = self.adapters[projection + "_B"]
        return out


def fixture(name, length, width, heads, causal, adapters, units=3, batch=2):
    attention = AdaptedAttention(width, heads, causal, adapters)
    head = nn.Linear(width, units)
    for p in head.parameters():
        p.requires_grad_(False)
    model = nn.Sequential(attention, head)
    # With B = 0 the computation is nn.MultiheadAttention's.
    mha = nn.MultiheadAttention(width, heads, bias=True, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(attention.in_proj_weight)
        mha.in_proj_bias.copy_(attention.in_proj_bias)
        mha.out_proj.weight.copy_(attention.out_weight)
        mha.out_proj.bias.copy_(attention.out_bias)
        probe = torch.randn(batch, length, width)
        saved = {k: v.clone() for k, v in attention.adapters.items()}
        for k in attention.adapters:
            if k.endswith("_B"):
                attention.adapters[k].zero_()
        mask = torch.triu(torch.ones(length, length, dtype=torch.bool), 1) if causal else None
        reference, _ = mha(probe, probe, probe, attn_mask=mask, need_weights=False)
        assert torch.allclose(attention(probe), reference, atol=1e-5)
        for k, v in saved.items():
            attention.adapters[k].copy_(v)
    tensors = attention.names("layers.0")
    tensors.update({"layers.1.weight": head.weight, "layers.1.bias": head.bias})

    def params(grads):
        out = {}
        for n, t in tensors.items():
            if grads:
                out[n] = flat(t.grad) if t.grad is not None else [0.0] * t.numel()
            else:
                out[n] = flat(t)
        for projection, (_, s) in adapters.items():
            p = "layers.0" + (".out_proj" if projection == "output" else "." + projection)
            out[p + ".lora_scale"] = [0.0] if grads else [float(s)]
        return out

    x = torch.randn(batch, length, width)
    xg = x.clone().requires_grad_(True)
    layers = [{"kind": "attention", "heads": heads, "causal": int(causal)}, {"kind": "dense", "units": units}]
    placements = [{"layer": 0, "projection": p, "rank": r, "scale": s} for p, (r, s) in adapters.items()]
    head_info = {"name": name, "input_shape": {"length": length, "features": width}, "layers": layers,
                 "adapters": placements, "batch": batch}
    return record(head_info, model, x, xg, mse_targets, params)


def main():
    torch.manual_seed(2026)
    write("adapters", [
        fixture("lora_query_value", 5, 6, 2, False, {"query": (2, 1.5), "value": (3, 0.5)}),
        fixture("lora_key_output_causal", 4, 8, 2, True, {"key": (2, 2.0), "output": (4, 1.0)}),
        fixture("lora_every_projection", 3, 4, 1, True,
                {"query": (1, 1.0), "key": (2, 0.5), "value": (2, 2.0), "output": (1, 1.5)}),
    ])


if __name__ == "__main__":
    main()
