#!/usr/bin/env python3
"""Writes PyTorch golden values for SproutTrain's layers, losses and optimizers.

Run once by hand (the JSON it writes is committed; `make test` never needs PyTorch):

    python3 -m venv /tmp/tvenv && /tmp/tvenv/bin/pip install torch numpy
    /tmp/tvenv/bin/python bench/golden/make_fixtures.py

Each fixture is a small model `Linear(in, hidden) -> <layer> -> Linear(hidden, out)` (nn.Sequential, so the
parameter names `0.weight`, `1.epsilon`, ... become Sprout's `layers.0.weight`, `layers.1.epsilon`), one batch,
one loss; it records the inputs, every parameter, the output, the loss, every parameter gradient and the input
gradient. Learnable activations PyTorch lacks (crrelu, KAT rational, dice) are written here from their
formulas in docs/activations.md with autograd doing the backward, an independent check of Sprout's hand-written
backward.
Optimizer fixtures record the parameters after each of a few steps on a fixed batch.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "SproutTrainTests", "Fixtures", "torch")
torch.set_default_dtype(torch.float32)


class Sine(nn.Module):
    def __init__(self, omega):
        super().__init__()
        self.omega = omega

    def forward(self, x):
        return torch.sin(self.omega * x)


class CRReLU(nn.Module):
    def __init__(self, eps=0.01):
        super().__init__()
        self.epsilon = nn.Parameter(torch.tensor([eps]))

    def forward(self, x):
        return F.relu(x) + self.epsilon * x * torch.exp(-x * x / 2)


SWISH_A = [3.0549e-07, 0.50000079, 0.24999783, 0.05326628, 0.00580303, 0.00027520]
SWISH_B = [-4.1116e-06, 0.10652899, -1.2690e-06, 0.00055023]


class Rational(nn.Module):
    """KAT group-rational, kernel-form denominator, per-group numerator and denominator."""

    def __init__(self, groups, a, b):
        super().__init__()
        self.groups = groups
        self.numerator = nn.Parameter(torch.tensor([a] * groups))
        self.denominator = nn.Parameter(torch.tensor([b] * groups))

    def forward(self, x):
        bsz, d = x.shape
        xg = x.reshape(bsz, self.groups, d // self.groups)
        a = self.numerator[None, :, :, None]
        b = self.denominator.abs()[None, :, :, None]
        powers = torch.stack([xg ** j for j in range(6)], dim=2)  # B, G, 6, per
        p = (a * powers).sum(2)
        ax = xg.abs()
        q = 1 + (b * torch.stack([ax ** j for j in range(1, 5)], dim=2)).sum(2)
        return (p / q).reshape(bsz, d)


class Dice(nn.Module):
    def __init__(self, width, alpha=0.0, eps=1e-8, momentum=0.1):
        super().__init__()
        self.alpha = nn.Parameter(torch.full((width,), alpha))
        self.eps, self.momentum = eps, momentum
        self.register_buffer("running_mean", torch.zeros(width))
        self.register_buffer("running_var", torch.ones(width))

    def forward(self, x):
        if self.training:
            mean = x.mean(0)
            var = x.var(0, unbiased=False)
            with torch.no_grad():
                n = x.shape[0]
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / max(n - 1, 1))
        else:
            mean, var = self.running_mean, self.running_var
        p = torch.sigmoid((x - mean) / torch.sqrt(var + self.eps))
        return p * x + (1 - p) * self.alpha * x


class Residual(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(width, width), nn.Tanh(), nn.Linear(width, width))

    def forward(self, x):
        return x + self.layers(x)


class FourierFeatures(nn.Module):
    """[cos(2π x Bᵀ), sin(2π x Bᵀ), x] with a frozen projection B (a buffer here, a frozen parameter in Sprout)."""

    def __init__(self, width, features, sigma):
        super().__init__()
        self.register_buffer("projection", torch.randn(features, width) * sigma)

    def forward(self, x):
        z = 2 * math.pi * x @ self.projection.T
        return torch.cat([torch.cos(z), torch.sin(z), x], dim=1)


# name -> (module factory, Sprout layer description for the Swift side)
def activations(hidden):
    return {
        "identity": (lambda: nn.Identity(), {"kind": "identity"}),
        "relu": (lambda: nn.ReLU(), {"kind": "relu"}),
        "leaky_relu": (lambda: nn.LeakyReLU(0.1), {"kind": "leaky_relu", "slope": 0.1}),
        "elu": (lambda: nn.ELU(1.0), {"kind": "elu", "alpha": 1.0}),
        "selu": (lambda: nn.SELU(), {"kind": "selu"}),
        "gelu": (lambda: nn.GELU(), {"kind": "gelu"}),
        "gelu_tanh": (lambda: nn.GELU(approximate="tanh"), {"kind": "gelu_tanh"}),
        "silu": (lambda: nn.SiLU(), {"kind": "silu"}),
        "tanh": (lambda: nn.Tanh(), {"kind": "tanh"}),
        "sigmoid": (lambda: nn.Sigmoid(), {"kind": "sigmoid"}),
        "softplus": (lambda: nn.Softplus(1.0, 20.0), {"kind": "softplus", "beta": 1.0, "threshold": 20.0}),
        "sine": (lambda: Sine(30.0), {"kind": "sine", "omega": 30.0}),
        "crrelu": (lambda: CRReLU(0.01), {"kind": "crrelu", "epsilon": 0.01}),
        "rational": (lambda: Rational(2, SWISH_A, SWISH_B), {"kind": "rational", "groups": 2, "init": "swish"}),
        "dice": (lambda: Dice(hidden, alpha=0.25, eps=1e-8), {"kind": "dice", "alpha": 0.25, "eps": 1e-8}),
        "layer_norm": (lambda: nn.LayerNorm(hidden, eps=1e-5), {"kind": "layer_norm", "eps": 1e-5}),
        "layer_norm_plain": (lambda: nn.LayerNorm(hidden, eps=1e-5, elementwise_affine=False),
                             {"kind": "layer_norm", "eps": 1e-5, "affine": False}),
        "residual": (lambda: Residual(hidden), {"kind": "residual_tanh"}),
        "fourier_features": (lambda: FourierFeatures(hidden, 3, 0.5),
                             {"kind": "fourier_features", "features": 3, "sigma": 0.5}),
    }


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def named(model, grads=False):
    out = {}
    for name, p in model.named_parameters():
        out["layers." + name] = flat(p.grad if grads else p)
    return out


def model_and_batch(act, seed, n_in=3, hidden=6, n_out=2, batch=5, sine=False):
    torch.manual_seed(seed)
    first = nn.Linear(n_in, hidden)
    with torch.no_grad():  # the middle layer's output width, probed in eval mode (Dice must not update stats)
        act.eval()
        mid = act(torch.zeros(1, hidden)).shape[1]
        act.train()
    if sine:  # SIREN-scale first layer so sin(30·z) is not aliased noise
        with torch.no_grad():
            first.weight.uniform_(-1 / n_in, 1 / n_in)
            first.bias.uniform_(-1 / n_in, 1 / n_in)
    model = nn.Sequential(first, act, nn.Linear(mid, n_out))
    x = torch.randn(batch, n_in)
    return model, x


def layer_fixture(name, factory, desc, loss="mse"):
    hidden = 6
    model, x = model_and_batch(factory(), seed=sum(name.encode()), sine=(name == "sine"))
    # Start learnable activations away from their init so the fixture exercises every coefficient.
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.startswith("1."):
                p.add_(0.05 * torch.randn_like(p))
    params = named(model)
    x = x.clone().requires_grad_(True)
    model.train()
    y = model(x)
    n_out = y.shape[1]
    if loss == "mse":
        target = torch.randn(y.shape)
        value = F.mse_loss(y, target)
        target_list = flat(target)
    elif loss == "cross_entropy":
        labels = torch.randint(0, n_out, (y.shape[0],))
        value = F.cross_entropy(y, labels)
        target_list = [float(v) for v in labels.tolist()]
    else:
        target = torch.rand(y.shape)
        value = F.binary_cross_entropy_with_logits(y, target)
        target_list = flat(target)
    value.backward()
    fixture = {
        "name": name,
        "layer": desc,
        "batch": x.shape[0],
        "input_width": x.shape[1],
        "hidden": hidden,
        "output_width": n_out,
        "loss": loss,
        "input": flat(x),
        "target": target_list,
        "parameters": params,
        "output": flat(y),
        "loss_value": float(value.detach()),
        "gradients": named(model, grads=True),
        "input_gradient": flat(x.grad),
        "buffers": {"layers." + k: flat(v) for k, v in model.named_buffers()},
    }
    return fixture


def optimizer_fixture(kind, config, lr=0.05, steps=3):
    torch.manual_seed(123)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = torch.randn(6, 3)
    target = torch.randn(6, 2)
    initial = named(model)
    if kind == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, **config)
    elif kind == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, **config)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=lr, **config)
    trajectory, losses = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        trajectory.append(named(model))
    return {
        "optimizer": kind, "config": config, "lr": lr, "input": flat(x), "target": flat(target),
        "parameters": initial, "losses": losses, "steps": trajectory,
    }


def schedule_fixture():
    model = nn.Linear(1, 1)
    out = {}
    for name, make in {
        "step": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
    }.items():
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = make(opt)
        lrs = []
        for _ in range(12):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        out[name] = lrs
    return out


def clip_fixture():
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    F.mse_loss(model(torch.randn(5, 3)), torch.randn(5, 2) * 10).backward()
    before = named(model, grads=True)
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    return {"max_norm": 0.5, "parameters": named(model), "before": before, "norm": float(norm),
            "after": named(model, grads=True)}


def main():
    os.makedirs(OUT, exist_ok=True)
    layers = [layer_fixture(n, f, d) for n, (f, d) in activations(6).items()]
    layers += [layer_fixture("ce_" + n, f, d, loss="cross_entropy") for n, (f, d) in activations(6).items()
               if n in ("relu", "tanh")]
    layers += [layer_fixture("bce_" + n, f, d, loss="bce_with_logits") for n, (f, d) in activations(6).items()
               if n in ("relu", "gelu")]
    optimizers = [
        optimizer_fixture("sgd", {}),
        optimizer_fixture("sgd", {"momentum": 0.9}),
        optimizer_fixture("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        optimizer_fixture("adam", {}),
        optimizer_fixture("adam", {"weight_decay": 0.1}),
        optimizer_fixture("adamw", {"weight_decay": 0.1}),
    ]
    files = {
        "layers.json": {"torch": torch.__version__, "fixtures": layers},
        "optimizers.json": {"torch": torch.__version__, "fixtures": optimizers},
        "schedules.json": {"torch": torch.__version__, "base_lr": 0.1, **schedule_fixture()},
        "clipping.json": {"torch": torch.__version__, **clip_fixture()},
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print("wrote", os.path.normpath(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
