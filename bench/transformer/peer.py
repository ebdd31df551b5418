"""PyTorch's side of bench/transformer: the model of bench/Sources/sprout-bench/TransformerBench.swift.

    python peer.py THREADS STEPS WARMUP   -> {"us": median microseconds per step, "loss": ...}
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LENGTH, VOCAB, WIDTH, HEADS, MLP, BLOCKS, BATCH = 32, 64, 64, 4, 256, 2, 32


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.position = nn.Parameter(torch.randn(LENGTH, WIDTH))
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(WIDTH, HEADS, dim_feedforward=MLP, dropout=0.0, batch_first=True,
                                       norm_first=True) for _ in range(BLOCKS))
        self.head = nn.Linear(WIDTH, VOCAB)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(LENGTH))

    def forward(self, ids):
        x = self.embed(ids) + self.position
        for b in self.blocks:
            x = b(x, src_mask=self.mask, is_causal=True)
        return self.head(x)


def main():
    threads, steps, warmup = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    model = Model()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randint(0, VOCAB, (BATCH, LENGTH))
    y = torch.randint(0, VOCAB, (BATCH, LENGTH))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    times = []
    loss = None
    for _ in range(steps):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    print(json.dumps({"us": med * 1e6, "loss": loss}))


if __name__ == "__main__":
    main()
