#!/usr/bin/env python3
"""Specs for bench/plan: a matrix of 10 x 10 x 10 x N trials (N = 1, 10, 100, 1000 gives 1k ... 1M trials), two
stages (train, evaluate), the shape of issue 15's measurement."""
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for seeds, name in [(1, "1k"), (10, "10k"), (100, "100k"), (1000, "1m")]:
    text = f"""sprout: 1
name: plan-{name}
seed: 1
params: {{width: 32}}
matrix:
  init: [a, b, c, d, e, f, g, h, i, j]
  lr: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]
  depth: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  seed: {list(range(seeds))}
datasets:
  teacher: {{kind: teacher_student, inputs: 8, samples: 256, split: {{train: 0.8, test: 0.2}}}}
models:
  net:
    input: 8
    layers: [{{dense: "${{params.width}}"}}, relu, {{dense: "${{params.width}}"}}, relu, {{dense: 1}}]
initializers:
""" + "".join(f"  {k}: {{kind: xavier_normal, gain: 1.{i}}}\n" for i, k in enumerate("abcdefghij")) + """stages:
  train:
    kind: train
    model: net
    init: ${matrix.init}
    data: teacher.train
    loss: mse
    optimizer: {kind: sgd, lr: "${matrix.lr}"}
    steps: "${matrix.depth * 100}"
    batch: 32
    record: [loss, weight_change]
  test:
    kind: evaluate
    from: train
    data: teacher.test
    record: [loss]
"""
    (out / f"plan-{name}.yaml").write_text(text)
print(out)
