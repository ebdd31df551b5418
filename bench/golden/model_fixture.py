"""The recording shared by the whole-model fixture scripts (make_conv_fixtures.py, make_rnn_fixtures.py,
make_transformer_fixtures.py), replayed by Tests/SproutTrainTests/GoldenModelReplay.swift.

One batch through a model: its output, loss, every gradient and the input gradient, then the parameters after each
of three SGD steps with momentum 0.9 (torch.optim.SGD), so forward, backward and the optimizer are all checked.
"""
import json
import os

import torch

from make_fixtures import OUT, flat


def record(head, model, x, xg, targets, params, loss=None, lr=0.05, steps=3):
    """The fixture of `model` on the batch `x`, as a dict whose keys start with `head` (name, input shape, layers,
    batch), in the order the JSON has always had.

    xg: the input the first pass reads (x with requires_grad for a real-valued input, x itself for token ids,
    which get no input gradient). targets(y): the target and the loss function for the output y (drawn after the
    first pass, so the random stream is that of the scripts before they shared this). params(grads): Sprout's
    parameter names to the flattened values (or gradients). loss: the loss's name, recorded when given.
    """
    y = model(xg)
    target, loss_fn = targets(y)
    value = loss_fn(y)
    value.backward()
    fixture = dict(head)
    fixture.update({
        "output_width": y[0].numel(), "input": flat(x.float()), "target": flat(target.float()),
        "parameters": params(False), "output": flat(y),
    })
    if loss is not None:
        fixture["loss"] = loss
    fixture.update({
        "loss_value": float(value.detach()), "gradients": params(True),
        "input_gradient": flat(xg.grad) if xg.requires_grad else [],
    })
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses, trajectory = [], []
    for _ in range(steps):
        opt.zero_grad()
        step_loss = loss_fn(model(x))
        step_loss.backward()
        opt.step()
        losses.append(float(step_loss.detach()))
        trajectory.append(params(False))
    fixture.update({"lr": lr, "momentum": 0.9, "losses": losses, "steps": trajectory})
    return fixture


def mse_targets(y):
    """A standard-normal target of y's shape and the MSE loss."""
    target = torch.randn(y.shape)
    return target, lambda out: torch.nn.functional.mse_loss(out, target)


def write(name, fixtures):
    """Writes {"torch": version, "fixtures": [...]} to Fixtures/torch/NAME.json."""
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "fixtures": fixtures}, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))
