"""The PyTorch and NumPy peers of the training-step benchmark, as line-protocol workers.

    python peers.py torch|numpy     reads requests on stdin, answers one JSON object per line:
      train MODEL THREADS STEPS WARMUP   -> {"us": median microseconds per step, "loss": ...}
      info                               -> {"info": versions, BLAS kernel, thread pools}

The models are those of bench/Sources/sprout-bench/Models.swift: dense layers with bias, the activation
between them, float32, SGD (lr 1e-3), PyTorch's nn.Linear initialisation range.
"""
import json
import sys
import time

MODELS = {
    "tiny": dict(widths=[2, 64, 64, 1], act="tanh", batch=32, loss="mse"),
    "small": dict(widths=[32, 256, 256, 1], act="relu", batch=64, loss="mse"),
    "mnist": dict(widths=[784, 512, 512, 10], act="relu", batch=128, loss="ce"),
    "wide": dict(widths=[1024, 2048, 2048, 1024], act="relu", batch=256, loss="mse"),
    "siren": dict(widths=[2, 256, 256, 256, 1], act="sine", batch=4096, loss="mse"),
    # examples/cnn-digits.yaml's network on 1x8x8 images (torch only; NumPy has no convolution to compare with).
    "cnn": dict(widths=[64, 10], act="relu", batch=32, loss="ce", conv=True),
}
OMEGA = 30.0
LR = 1e-3


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def timed(step, steps, warmup):
    loss = None
    for _ in range(warmup):
        loss = step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    return median(times), loss


class TorchPeer:
    def __init__(self):
        import torch
        self.torch = torch
        self.cache = {}

    def info(self):
        t = self.torch
        return {
            "torch": t.__version__,
            "mkl": bool(t.backends.mkl.is_available()),
            "mkldnn": bool(t.backends.mkldnn.is_available()),
            "cpu_capability": t.backends.cpu.get_cpu_capability(),
        }

    def build(self, name):
        t = self.torch
        spec = MODELS[name]
        t.manual_seed(42)
        layers = []
        w = spec["widths"]
        if spec.get("conv"):
            nn = t.nn
            layers = [nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 10)]
        for i in range(0 if spec.get("conv") else len(w) - 1):
            layers.append(t.nn.Linear(w[i], w[i + 1]))
            if i < len(w) - 2:
                layers.append({"tanh": t.nn.Tanh, "relu": t.nn.ReLU, "sine": Sine}[spec["act"]]())
        model = t.nn.Sequential(*layers)
        opt = t.optim.SGD(model.parameters(), lr=LR)
        x = t.rand(spec["batch"], w[0]) * 2 - 1
        if spec["loss"] == "ce":
            y = t.randint(0, w[-1], (spec["batch"],))
            loss_fn = t.nn.functional.cross_entropy
        else:
            y = t.rand(spec["batch"], w[-1]) * 2 - 1
            loss_fn = t.nn.functional.mse_loss

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        return step

    def train(self, name, threads, steps, warmup):
        self.torch.set_num_threads(threads)
        if name not in self.cache:
            self.cache[name] = self.build(name)
        return timed(self.cache[name], steps, warmup)


def Sine():
    import torch

    class _Sine(torch.nn.Module):
        def forward(self, x):
            return torch.sin(OMEGA * x)

    return _Sine()


class NumpyPeer:
    """A hand-written MLP step in NumPy: x @ W + b, activation, loss gradient, backward, SGD, in float32."""

    def __init__(self):
        import numpy as np
        from threadpoolctl import threadpool_limits
        self.np = np
        self.limits = threadpool_limits
        self.cache = {}

    def info(self):
        from threadpoolctl import threadpool_info
        pools = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
            for p in threadpool_info()
        ]
        return {"numpy": self.np.__version__, "pools": pools}

    def build(self, name):
        np = self.np
        spec = MODELS[name]
        rng = np.random.default_rng(42)
        w = spec["widths"]
        Ws, bs = [], []
        for i in range(len(w) - 1):
            bound = 1 / np.sqrt(w[i])
            Ws.append(rng.uniform(-bound, bound, (w[i], w[i + 1])).astype(np.float32))
            bs.append(rng.uniform(-bound, bound, (w[i + 1],)).astype(np.float32))
        batch = spec["batch"]
        x = rng.uniform(-1, 1, (batch, w[0])).astype(np.float32)
        act = spec["act"]
        ce = spec["loss"] == "ce"
        if ce:
            labels = rng.integers(0, w[-1], batch)
        else:
            target = rng.uniform(-1, 1, (batch, w[-1])).astype(np.float32)
        n_layers = len(Ws)
        lr = np.float32(LR)
        omega = np.float32(OMEGA)

        def step():
            zs, acts = [], [x]
            h = x
            for i in range(n_layers):
                z = h @ Ws[i]
                z += bs[i]
                zs.append(z)
                if i < n_layers - 1:
                    if act == "relu":
                        h = np.maximum(z, 0)
                    elif act == "tanh":
                        h = np.tanh(z)
                    else:
                        h = np.sin(omega * z)
                    acts.append(h)
                else:
                    h = z
            if ce:
                m = h.max(axis=1, keepdims=True)
                e = np.exp(h - m)
                s = e.sum(axis=1, keepdims=True)
                loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - h[np.arange(batch), labels]))
                g = e / s
                g[np.arange(batch), labels] -= 1
                g *= np.float32(1 / batch)
            else:
                d = h - target
                loss = float(np.mean(d * d))
                g = d * np.float32(2 / d.size)
            for i in reversed(range(n_layers)):
                a = acts[i]
                dW = a.T @ g
                db = g.sum(axis=0)
                if i > 0:
                    g = g @ Ws[i].T
                    z = zs[i - 1]
                    if act == "relu":
                        g *= z > 0
                    elif act == "tanh":
                        g *= 1 - acts[i] * acts[i]
                    else:
                        g *= omega * np.cos(omega * z)
                dW *= lr
                db *= lr
                Ws[i] -= dW
                bs[i] -= db
            return loss

        return step

    def train(self, name, threads, steps, warmup):
        if name not in self.cache:
            self.cache[name] = self.build(name)
        with self.limits(limits=threads):
            return timed(self.cache[name], steps, warmup)


def main():
    peer = {"torch": TorchPeer, "numpy": NumpyPeer}[sys.argv[1]]()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "train":
                seconds, loss = peer.train(words[1], int(words[2]), int(words[3]), int(words[4]))
                out = {"us": seconds * 1e6, "loss": loss}
            elif words[0] == "info":
                out = {"info": peer.info()}
            else:
                out = {"error": "unknown request " + line.strip()}
        except Exception as e:  # report, keep serving
            out = {"error": repr(e)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
