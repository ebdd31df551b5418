"""Training-step benchmark: Sprout (cpu and blas backends) against PyTorch and hand-written NumPy.

Runs three long-lived workers (sprout-bench serve, peers.py torch, peers.py numpy) and interleaves them:
every round measures, at 1 and then 2 threads, the OpenBLAS sgemm peak and then each model on each system,
with the order of systems rotated from round to round. Reported figures are medians over rounds of each
worker's median step time. Two-thread timings on these machines are bimodal (the host sometimes runs both
virtual CPUs on one core), so compare ratios within a run rather than absolute times across runs.

Usage: bench.py SPROUT_BENCH_BINARY PYTHON [--rounds N] [--out DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import time

MODELS = ["tiny", "small", "mnist", "wide", "siren"]
WIDTHS = {
    "tiny": ([2, 64, 64, 1], 32), "small": ([32, 256, 256, 1], 64), "mnist": ([784, 512, 512, 10], 128),
    "wide": ([1024, 2048, 2048, 1024], 256), "siren": ([2, 256, 256, 256, 1], 4096),
}
# Timed steps and warm-up steps per worker request (about a quarter of a second of work each).
STEPS = {"tiny": (400, 40), "small": (150, 15), "mnist": (30, 3), "wide": (4, 1), "siren": (8, 2)}
SYSTEMS = ["sprout-cpu", "sprout-blas", "torch", "numpy"]
THREADS = [1, 2]
PEAK_N = 2048
# Matrix-product shapes of the mnist and wide steps (forward of the first layer, the dW and dX products).
GEMM_SHAPES = [
    ("mnist fwd 128x512x784 (N,T)", 128, 512, 784, "N", "T"),
    ("mnist dW 512x784x128 (T,N)", 512, 784, 128, "T", "N"),
    ("wide fwd 256x2048x2048 (N,T)", 256, 2048, 2048, "N", "T"),
    ("wide dX 256x2048x2048 (N,N)", 256, 2048, 2048, "N", "N"),
]


def params(model):
    widths, _ = WIDTHS[model]
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def flops_per_step(model):
    return 6 * params(model) * WIDTHS[model][1]


class Worker:
    def __init__(self, name, argv, env=None):
        self.name = name
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)

    def ask(self, request):
        self.proc.stdin.write(request + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} worker exited (request: {request})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.name}: {reply['error']} (request: {request})")
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def peer_env():
    # OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on some hosts for old OpenBLAS builds; they slow current
    # numpy and torch, so the peers run without them (the kernel they pick is recorded from threadpoolctl).
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sprout_bench")
    ap.add_argument("python")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    ap.add_argument("--out", default="bench/out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    peers = os.path.join(here, "peers.py")

    sprout = Worker("sprout", [args.sprout_bench, "serve"])
    torch = Worker("torch", [args.python, peers, "torch"], env=peer_env())
    numpy = Worker("numpy", [args.python, peers, "numpy"], env=peer_env())
    info = {"sprout": sprout.ask("info"), "torch": torch.ask("info"), "numpy": numpy.ask("info")}
    print("# environment")
    print(f"sprout blas: {info['sprout']['blas']}")
    print(f"torch: {json.dumps(info['torch']['info'])}")
    print(f"numpy: {json.dumps(info['numpy']['info'])}")
    print(f"OPENBLAS_CORETYPE for sprout: {os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          "unset for the torch/numpy peers")
    sys.stdout.flush()

    def measure(system, model, threads):
        steps, warmup = STEPS[model]
        if system.startswith("sprout-"):
            return sprout.ask(f"train {model} {system[7:]} {threads} {steps} {warmup}")["us"]
        worker = torch if system == "torch" else numpy
        return worker.ask(f"train {model} {threads} {steps} {warmup}")["us"]

    samples = {}  # (model, system, threads) -> [us per round]
    peaks = {t: [] for t in THREADS}
    started = time.time()
    for r in range(args.rounds):
        for threads in THREADS:
            peaks[threads].append(sprout.ask(f"peak {threads} {PEAK_N} 3")["gflops"])
            for model in MODELS:
                order = SYSTEMS[r % len(SYSTEMS):] + SYSTEMS[:r % len(SYSTEMS)]
                for system in order:
                    samples.setdefault((model, system, threads), []).append(measure(system, model, threads))
        print(f"# round {r + 1}/{args.rounds} done ({time.time() - started:.0f} s)", flush=True)

    gemm_rows = []
    for threads in THREADS:
        for label, m, n, k, ta, tb in GEMM_SHAPES:
            rates = {}
            for system in ("cpu", "blas"):
                rates[system] = sprout.ask(f"gemm {system} {threads} {m} {n} {k} {ta} {tb} 5")["median"]
            gemm_rows.append((threads, label, rates["cpu"], rates["blas"]))

    allocs = {}
    for model in MODELS:
        for system in ("cpu", "blas"):
            for threads in THREADS:
                reply = sprout.ask(f"alloc {model} {system} {threads} 5")
                if reply["probe"] < 1:
                    raise RuntimeError(f"allocation counter does not count (probe {reply['probe']})")
                allocs[(model, system, threads)] = reply["calls"]

    for w in (sprout, torch, numpy):
        w.close()

    peak = {t: median(peaks[t]) for t in THREADS}
    lines = []
    print()
    print(f"# OpenBLAS sgemm peak ({PEAK_N}^3, best of 3 per round, median of {args.rounds} rounds): "
          + ", ".join(f"{t} thread{'s' if t > 1 else ''} {peak[t]:.1f} GFLOP/s" for t in THREADS))
    for threads in THREADS:
        print()
        print(f"# training step, {threads} thread{'s' if threads > 1 else ''} "
              f"(median of {args.rounds} rounds; GFLOP/s = 6·params·batch per step; "
              "vs torch = torch time / this time)")
        print(f"{'model':<7} {'system':<12} {'us/step':>12} {'GFLOP/s':>9} {'vs torch':>9} {'% peak':>7}")
        for model in MODELS:
            torch_us = median(samples[(model, "torch", threads)])
            for system in SYSTEMS:
                us = median(samples[(model, system, threads)])
                gflops = flops_per_step(model) / (us * 1e-6) / 1e9
                print(f"{model:<7} {system:<12} {us:>12.1f} {gflops:>9.1f} {torch_us / us:>8.2f}x "
                      f"{100 * gflops / peak[threads]:>6.1f}%")
                lines.append({
                    "bench": "train", "model": model, "system": system, "threads": threads,
                    "us_per_step": round(us, 2), "gflops": round(gflops, 2),
                    "vs_torch": round(torch_us / us, 3), "fraction_of_peak": round(gflops / peak[threads], 4),
                    "rounds_us": [round(x, 2) for x in samples[(model, system, threads)]],
                })
    print()
    print("# matrix products, cpu vs blas backend (GFLOP/s, median of 5)")
    for threads, label, cpu, blas in gemm_rows:
        print(f"{threads} thr  {label:<30} cpu {cpu:7.1f}  blas {blas:7.1f}  blas/cpu {blas / cpu:5.2f}")
        lines.append({"bench": "gemm", "shape": label, "threads": threads, "cpu_gflops": round(cpu, 2),
                      "blas_gflops": round(blas, 2)})
    print()
    print("# allocations in 5 steady-state training steps (malloc/calloc/realloc/memalign calls in all threads,")
    print("# counted by interposing glibc's allocator; a deliberate allocation is counted first as a check)")
    for model in MODELS:
        cells = "  ".join(f"{s}/{t}thr {allocs[(model, s, t)]:>4}" for s in ("cpu", "blas") for t in THREADS)
        print(f"{model:<7} {cells}")
        for s in ("cpu", "blas"):
            for t in THREADS:
                lines.append({"bench": "alloc", "model": model, "system": f"sprout-{s}", "threads": t,
                              "allocations_per_5_steps": allocs[(model, s, t)]})
    for t in THREADS:
        lines.append({"bench": "peak", "system": "openblas-sgemm", "threads": t, "gflops": round(peak[t], 2),
                      "rounds": [round(x, 2) for x in peaks[t]]})
    print()
    print("# JSON")
    with open(os.path.join(args.out, "train.jsonl"), "w") as f:
        for line in lines:
            text = json.dumps(line)
            print(text)
            f.write(text + "\n")


if __name__ == "__main__":
    main()
