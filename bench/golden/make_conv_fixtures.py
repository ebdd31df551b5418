#!/usr/bin/env python3
"""Writes PyTorch golden values for SproutTrain's convolution and pooling layers (Tests/.../Fixtures/torch/conv.json).

Run once by hand, like make_fixtures.py (the JSON is committed; `make test` never needs PyTorch):

    /tmp/tvenv/bin/python bench/golden/make_conv_fixtures.py

Each fixture is a whole small CNN as an nn.Sequential whose modules are Sprout's layers one for one (so `0.weight`
is Sprout's `layers.0.weight`), its input shape and Sprout layer list, one batch and an MSE loss: it records the
parameters, output, loss, every gradient, the input gradient, and the parameters after each of three SGD steps with
momentum 0.9 (PyTorch's torch.optim.SGD), so forward, backward and the optimizer are all checked (model_fixture.py
records them).
"""
import torch
import torch.nn as nn

from make_fixtures import named
from model_fixture import mse_targets, record, write

torch.set_default_dtype(torch.float32)


class GlobalAvgPool(nn.Module):
    """Sprout's global_avg_pool on an image: the mean of each channel, [B, C, H, W] -> [B, C]."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


def module(desc, channels):
    """The torch module of one Sprout layer description, and the channels after it."""
    kind = desc["kind"]
    if kind == "conv2d":
        m = nn.Conv2d(channels, desc["filters"], desc["kernel"], stride=desc["stride"], padding=desc["padding"],
                      bias=desc["bias"])
        return m, desc["filters"]
    if kind == "max_pool2d":
        return nn.MaxPool2d(desc["size"], stride=desc["stride"]), channels
    if kind == "avg_pool2d":
        return nn.AvgPool2d(desc["size"], stride=desc["stride"]), channels
    if kind == "flatten":
        return nn.Flatten(), channels
    if kind == "global_avg_pool":
        return GlobalAvgPool(), channels
    if kind == "relu":
        return nn.ReLU(), channels
    if kind == "tanh":
        return nn.Tanh(), channels
    if kind == "dense":
        return nn.LazyLinear(desc["units"]), channels
    raise ValueError(kind)


def conv(filters, kernel=3, stride=1, padding=0, bias=True):
    return {"kind": "conv2d", "filters": filters, "kernel": kernel, "stride": stride, "padding": padding, "bias": bias}


def pool(kind, size, stride=None):
    return {"kind": kind, "size": size, "stride": stride or size}


def fixture(name, image, layers, batch=3, steps=3, lr=0.05):
    torch.manual_seed(sum(name.encode()))
    channels = image[0]
    mods = []
    for desc in layers:
        m, channels = module(desc, channels)
        mods.append(m)
    model = nn.Sequential(*mods)
    x = torch.randn(batch, *image)
    model(x)  # materialises the lazy dense layers
    head = {"name": name, "image": image, "layers": layers, "batch": batch}
    return record(head, model, x, x.clone().requires_grad_(True), mse_targets, lambda grads: named(model, grads),
                  lr=lr, steps=steps)


def main():
    relu, tanh, flatten = {"kind": "relu"}, {"kind": "tanh"}, {"kind": "flatten"}
    fixtures = [
        fixture("conv_pad_maxpool", [2, 6, 6],
                [conv(4, padding=1), relu, pool("max_pool2d", 2), flatten, {"kind": "dense", "units": 3}]),
        fixture("conv_stride_avgpool", [1, 7, 7],
                [conv(3, stride=2, padding=1, bias=False), tanh, pool("avg_pool2d", 2, 1), flatten,
                 {"kind": "dense", "units": 2}]),
        fixture("two_convs_global_pool", [3, 5, 5],
                [conv(5, kernel=2), relu, conv(4, padding=1), {"kind": "global_avg_pool"},
                 {"kind": "dense", "units": 2}]),
        fixture("overlapping_maxpool", [2, 5, 5],
                [pool("max_pool2d", 3, 2), flatten, {"kind": "dense", "units": 2}]),
        fixture("conv_1x1_kernel5", [2, 5, 5],
                [conv(3, kernel=1), relu, conv(2, kernel=5, padding=2, stride=3), flatten,
                 {"kind": "dense", "units": 2}]),
    ]
    write("conv", fixtures)


if __name__ == "__main__":
    main()
