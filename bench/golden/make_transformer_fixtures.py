#!/usr/bin/env python3
"""Writes PyTorch golden values for SproutTrain's embedding, attention and transformer_block layers
(Tests/SproutTrainTests/Fixtures/torch/transformer.json).

Run once by hand, like make_fixtures.py (the JSON is committed; `make test` never needs PyTorch):

    bench/.venv/bin/python bench/golden/make_transformer_fixtures.py

Each fixture is a small model of Sprout layers built from PyTorch's own modules (nn.Embedding,
nn.MultiheadAttention, nn.TransformerEncoderLayer with dropout 0 and batch_first, nn.Linear), with PyTorch's
parameter names mapped to Sprout's (`self_attn.in_proj_weight` of block 1 with pre-norm is Sprout's
`layers.1.layers.0.layers.1.in_proj_weight`). For one batch it records the parameters, output, loss (cross-entropy
per position over token targets, or MSE), every gradient, the input gradient of a sequence input, and the
parameters after each of three SGD steps with momentum 0.9 (model_fixture.py records them).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_fixtures import flat
from model_fixture import record, write

torch.set_default_dtype(torch.float32)


def sinusoids(length, dim):
    """Vaswani et al.'s table, in float64 then rounded, as Sprout computes it."""
    pe = torch.zeros(length, dim, dtype=torch.float64)
    for p in range(length):
        for j in range(dim):
            angle = p * math.pow(10000, -(2 * (j // 2)) / dim)
            pe[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe.float()


class Embedding(nn.Module):
    def __init__(self, vocab, dim, positional, length):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(vocab, dim))
        self.positional = positional
        if positional == "learned":
            self.position = nn.Parameter(torch.randn(length, dim))
        self.register_buffer("pe", sinusoids(length, dim))

    def forward(self, ids):
        y = F.embedding(ids, self.weight)
        if self.positional == "learned":
            y = y + self.position
        elif self.positional == "sinusoidal":
            y = y + self.pe
        return y

    def names(self, prefix):
        out = {prefix + ".weight": self.weight}
        if self.positional == "learned":
            out[prefix + ".position"] = self.position
        return out


class Attention(nn.Module):
    def __init__(self, width, heads, causal):
        super().__init__()
        self.mha = nn.MultiheadAttention(width, heads, batch_first=True)
        self.causal = causal

    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1]) if self.causal else None
        return self.mha(x, x, x, attn_mask=mask, need_weights=False, is_causal=self.causal)[0]

    def names(self, prefix):
        m = self.mha
        return {prefix + ".in_proj_weight": m.in_proj_weight, prefix + ".in_proj_bias": m.in_proj_bias,
                prefix + ".out_proj.weight": m.out_proj.weight, prefix + ".out_proj.bias": m.out_proj.bias}


class Block(nn.Module):
    def __init__(self, width, heads, mlp, causal, norm, activation):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=mlp, dropout=0.0, activation=activation,
                                                batch_first=True, norm_first=(norm == "pre"))
        self.causal, self.norm = causal, norm

    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1]) if self.causal else None
        return self.layer(x, src_mask=mask, is_causal=self.causal)

    def names(self, prefix):
        t = self.layer
        # Sprout's layer list (LayerConfig.transformerBlockLayers):
        #   pre:  residual([layernorm, attention]), residual([layernorm, dense, act, dense])
        #   post: residual([attention]), layernorm, residual([dense, act, dense]), layernorm
        if self.norm == "pre":
            ln1, att, ln2, l1, l2 = "0.layers.0", "0.layers.1", "1.layers.0", "1.layers.1", "1.layers.3"
        else:
            att, ln1, l1, l2, ln2 = "0.layers.0", "1", "2.layers.0", "2.layers.2", "3"
        p = prefix + ".layers."
        out = {}
        for sprout, mod in [(ln1, t.norm1), (ln2, t.norm2), (l1, t.linear1), (l2, t.linear2)]:
            out[p + sprout + ".weight"] = mod.weight
            out[p + sprout + ".bias"] = mod.bias
        a = t.self_attn
        out.update({p + att + ".in_proj_weight": a.in_proj_weight, p + att + ".in_proj_bias": a.in_proj_bias,
                    p + att + ".out_proj.weight": a.out_proj.weight, p + att + ".out_proj.bias": a.out_proj.bias})
        return out


class Dense(nn.Linear):
    def names(self, prefix):
        return {prefix + ".weight": self.weight, prefix + ".bias": self.bias}


def build(input_shape, layers):
    mods = []
    width = input_shape.get("features")
    length = input_shape["length"]
    for d in layers:
        k = d["kind"]
        if k == "embedding":
            mods.append(Embedding(d["vocab"], d["dim"], d["positional"], length))
            width = d["dim"]
        elif k == "attention":
            mods.append(Attention(width, d["heads"], d["causal"]))
        elif k == "transformer_block":
            mods.append(Block(width, d["heads"], d["mlp"], d["causal"], d["norm"], d["activation"]))
        elif k == "dense":
            mods.append(Dense(width, d["units"]))
            width = d["units"]
        else:
            raise ValueError(k)
    return nn.Sequential(*mods)


def names(model):
    out = {}
    for i, m in enumerate(model):
        out.update(m.names("layers.%d" % i))
    return out


def fixture(name, input_shape, layers, batch=3, steps=3, lr=0.05):
    torch.manual_seed(sum(name.encode()))
    model = build(input_shape, layers)
    tensors = names(model)
    assert len(tensors) == len(list(model.parameters())), name
    length = input_shape["length"]
    tokens = "vocab" in input_shape
    if tokens:
        x = torch.randint(0, input_shape["vocab"], (batch, length))
        xg = x
    else:
        x = torch.randn(batch, length, input_shape["features"])
        xg = x.clone().requires_grad_(True)

    def targets(y):
        if tokens:
            target = torch.randint(0, y.shape[2], (batch, length))
            # Ignored positions (PyTorch's ignore_index -100), as a token task scored on its repeated half.
            target[:, 0] = -100
            return target, lambda out: F.cross_entropy(out.reshape(-1, out.shape[2]), target.reshape(-1))
        target = torch.randn(y.shape)
        return target, lambda out: F.mse_loss(out, target)

    head = {"name": name, "input_shape": input_shape, "layers": layers, "batch": batch}
    def params(grads):
        return {k: flat(v.grad if grads else v) for k, v in tensors.items()}

    return record(head, model, x, xg, targets, params, loss="cross_entropy" if tokens else "mse",
                  lr=lr, steps=steps)


def emb(vocab, dim, positional="none"):
    return {"kind": "embedding", "vocab": vocab, "dim": dim, "positional": positional}


def att(heads, causal):
    return {"kind": "attention", "heads": heads, "causal": causal}


def block(heads, mlp, causal, norm, activation="relu"):
    return {"kind": "transformer_block", "heads": heads, "mlp": mlp, "causal": causal, "norm": norm,
            "activation": activation}


def dense(units):
    return {"kind": "dense", "units": units}


def main():
    fixtures = [
        fixture("embedding_sinusoidal", {"length": 5, "vocab": 7}, [emb(7, 6, "sinusoidal"), dense(7)]),
        fixture("embedding_learned", {"length": 4, "vocab": 5}, [emb(6, 4, "learned"), dense(5)]),
        fixture("attention", {"length": 5, "features": 8}, [att(2, False), dense(3)]),
        fixture("attention_causal", {"length": 6, "features": 6}, [att(3, True), dense(2)]),
        fixture("tokens_attention_causal", {"length": 5, "vocab": 6},
                [emb(6, 8, "learned"), att(4, True), dense(6)]),
        fixture("block_pre_causal_gelu", {"length": 5, "vocab": 6},
                [emb(6, 8, "sinusoidal"), block(2, 12, True, "pre", "gelu"), dense(6)]),
        fixture("block_post", {"length": 4, "features": 8}, [block(2, 10, False, "post"), dense(3)]),
        fixture("two_blocks_pre", {"length": 6, "vocab": 5},
                [emb(5, 8, "learned"), block(4, 16, True, "pre"), block(4, 16, True, "pre"), dense(5)]),
    ]
    write("transformer", fixtures)


if __name__ == "__main__":
    main()
