#!/usr/bin/env python3
"""Generates the lint benchmark's inputs: one spec of about 10,000 lines and 1,000 small specs.

The specs are valid Sprout (they lint clean), shaped like real experiments: many datasets, models,
initializers and stages, with expressions and a matrix.
"""
import os
import sys

HEADER = """sprout: 1
name: big-{tag}
description: generated for the lint benchmark
seed: 7
backend: cpu
params:
  width: 64
  lr: 0.05
matrix:
  seed: [0, 1, 2]
"""


def block(i):
    return f"""  d{i}:
    kind: teacher_student
    inputs: 16
    outputs: 1
    samples: 256
    split: {{train: 0.8, test: 0.2}}
""", f"""  m{i}:
    input: 16
    layers:
      - dense: "${{params.width}}"
      - relu
      - dense: {{units: 32, bias: false}}
      - tanh
      - dense: 1
""", f"""  full{i}:
    kind: kaiming_normal
    nonlinearity: relu
    layers:
      "0": {{kind: low_rank, rank: 2, base: kaiming_normal}}
""", f"""  train{i}:
    kind: train
    model: m{i}
    init: full{i}
    data: d{i}.train
    loss: mse
    optimizer: {{kind: sgd, lr: "${{params.lr}}", momentum: 0.9}}
    steps: 100
    batch: 32
    record: [loss, weight_change]
    every: 10
  test{i}:
    kind: evaluate
    from: train{i}
    data: d{i}.test
    record: [loss]
"""


def spec(n, tag):
    parts = [[], [], [], []]
    for i in range(n):
        for k, text in enumerate(block(i)):
            parts[k].append(text)
    return (HEADER.format(tag=tag) + "datasets:\n" + "".join(parts[0]) + "models:\n" + "".join(parts[1])
            + "initializers:\n" + "".join(parts[2]) + "stages:\n" + "".join(parts[3]))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/out/lint"
    os.makedirs(os.path.join(out, "small"), exist_ok=True)
    # One block is 38 lines; 262 blocks + header ≈ 10,000 lines.
    n = 1
    while spec(n, "x").count("\n") < 10_000:
        n += 1
    with open(os.path.join(out, "big.yaml"), "w") as f:
        f.write(spec(n, "big"))
    for i in range(1000):
        with open(os.path.join(out, "small", f"s{i:04d}.yaml"), "w") as f:
            f.write(spec(1, f"s{i}"))
    print(f"big.yaml: {spec(n, 'big').count(chr(10))} lines, {n} blocks; 1000 small specs")


if __name__ == "__main__":
    main()
