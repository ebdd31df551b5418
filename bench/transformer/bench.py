"""bench/transformer: a 2-block transformer's training step, Sprout (cpu, blas) against PyTorch, at 1 and 2 threads.

    python bench.py SPROUT_BENCH PYTHON [--rounds N]

Each round runs every system once (order rotated per round) for STEPS timed steps after WARMUP; each run reports
the median of its individually timed steps. Printed per thread count: the median over rounds, the range over
rounds, PyTorch's time over the system's (above 1 is faster), and the 1-minute load average seen.
"""
import argparse
import json
import os
import subprocess

STEPS, WARMUP = 40, 5
SYSTEMS = ["sprout-cpu", "sprout-blas", "pytorch"]


def run(system, threads, bench, python):
    if system == "pytorch":
        argv = [python, os.path.join(os.path.dirname(__file__), "peer.py"), str(threads), str(STEPS), str(WARMUP)]
        env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    else:
        argv = [bench, "train", "transformer", system.split("-")[1], str(threads), str(STEPS), str(WARMUP)]
        env = None
    out = subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])["us"]


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("python")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "5")))
    args = ap.parse_args()
    print("transformer: tokens [32] of 64 -> embedding 64 (learned positions) -> 2 causal pre-norm blocks "
          "(4 heads, MLP 256) -> dense 64; cross-entropy per position, batch 32, SGD")
    for threads in (1, 2):
        times = {s: [] for s in SYSTEMS}
        loads = []
        for r in range(args.rounds):
            order = SYSTEMS[r % len(SYSTEMS):] + SYSTEMS[:r % len(SYSTEMS)]
            for s in order:
                times[s].append(run(s, threads, args.bench, args.python))
            loads.append(load())
        torch_median = sorted(times["pytorch"])[len(times["pytorch"]) // 2]
        print(f"\n{threads} thread{'s' if threads > 1 else ''} ({args.rounds} rounds, load "
              f"{min(loads):.1f}-{max(loads):.1f})")
        print(f"{'system':<12} {'us/step':>10} {'range':>19} {'vs torch':>9}")
        for s in SYSTEMS:
            xs = sorted(times[s])
            med = xs[len(xs) // 2]
            print(f"{s:<12} {med:>10.0f} {xs[0]:>9.0f}-{xs[-1]:<9.0f} {torch_median / med:>9.2f}")
            print(json.dumps({"bench": "transformer", "system": s, "threads": threads, "us_per_step": med,
                              "rounds_us": times[s], "load1": loads}))


if __name__ == "__main__":
    main()
