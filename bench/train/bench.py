"""Training-step benchmark: Sprout (cpu and blas backends) against PyTorch and hand-written NumPy.

Runs three long-lived workers (sprout-bench serve, peers.py torch, peers.py numpy) and interleaves them:
every round measures, at 1 and then 2 threads, the OpenBLAS sgemm peak and then each model on each system,
with the order of systems rotated from round to round. Reported figures are medians over rounds of each
worker's median step time, with the range over rounds and the load seen while they ran: a sampler reads
/proc/loadavg every 20 ms and counts the runnable tasks that are not the benchmark's own (the worker's threads
and the sampler); a figure whose median round saw half a task or more of others is flagged `busy`. Matrix
products are compared cpu against blas in interleaved rounds (ratio per round). With --callgrind, valgrind
also counts the instructions of one Sprout cpu step per model (load-independent).

Two-thread timings on these machines are bimodal (the host sometimes runs both virtual CPUs on one core), so
compare ratios within a run rather than absolute times across runs.

Usage: bench.py SPROUT_BENCH_BINARY PYTHON [--rounds N] [--out DIR] [--callgrind] [--models tiny,cnn,...]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

MODELS = ["tiny", "small", "mnist", "wide", "siren", "cnn"]
WIDTHS = {
    "tiny": ([2, 64, 64, 1], 32), "small": ([32, 256, 256, 1], 64), "mnist": ([784, 512, 512, 10], 128),
    "wide": ([1024, 2048, 2048, 1024], 256), "siren": ([2, 256, 256, 256, 1], 4096), "cnn": ([64, 10], 32),
}
# Multiply-adds per sample of the models that are not MLPs (the cnn: 8·9·64 + 16·72·16 + 64·10).
MACS = {"cnn": 8 * 9 * 64 + 16 * 72 * 16 + 64 * 10}
# Timed steps and warm-up steps per worker request (about a quarter of a second of work each).
STEPS = {"tiny": (400, 40), "small": (150, 15), "mnist": (30, 3), "wide": (4, 1), "siren": (8, 2), "cnn": (200, 20)}
SYSTEMS = ["sprout-cpu", "sprout-blas", "torch", "numpy"]


def systems(model):
    """The systems that run `model` (the NumPy peer has no convolution)."""
    return [s for s in SYSTEMS if not (model in MACS and s == "numpy")]
THREADS = [1, 2]
PEAK_N = 2048
# Matrix-product shapes of the mnist and wide steps (forward of the first layer, the dW and dX products).
GEMM_SHAPES = [
    ("mnist fwd 128x512x784 (N,T)", 128, 512, 784, "N", "T"),
    ("mnist dW 512x784x128 (T,N)", 512, 784, 128, "T", "N"),
    ("wide fwd 256x2048x2048 (N,T)", 256, 2048, 2048, "N", "T"),
    ("wide dX 256x2048x2048 (N,N)", 256, 2048, 2048, "N", "N"),
]


# Steps per model for the callgrind count (valgrind runs the step ~50x slower): (steps, warm-up steps).
CALLGRIND_STEPS = {"tiny": (200, 2), "small": (20, 2), "mnist": (2, 1), "wide": (1, 1), "siren": (1, 1), "cnn": (20, 2)}
# A figure is flagged busy when other runnable tasks averaged at least this many during its median round.
BUSY_OTHERS = 0.5


class LoadSampler:
    """Samples /proc/loadavg's runnable-task count every 20 ms in a thread; `measure` wraps one request and
    returns the mean number of runnable tasks besides `own` (the benchmark's threads and this sampler) and the
    1-minute load average at its end."""

    def __init__(self):
        self.samples = []
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            runnable = self.runnable()
            with self.lock:
                self.samples.append(runnable)
            time.sleep(0.02)

    @staticmethod
    def runnable():
        try:
            with open("/proc/loadavg") as f:
                return int(f.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return 0

    def measure(self, own, request):
        with self.lock:
            self.samples = []
        value = request()
        with self.lock:
            # A request shorter than the sampling period still gets one sample (the sampler itself is not
            # running then, so it counts as the benchmark's own worker).
            samples = list(self.samples) or [self.runnable()]
        others = sum(max(0, r - own - 1) for r in samples) / len(samples) if samples else float("nan")
        try:
            with open("/proc/loadavg") as f:
                load1 = float(f.read().split()[0])
        except (OSError, ValueError):
            load1 = float("nan")
        return value, others, load1


def params(model):
    widths, _ = WIDTHS[model]
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def flops_per_step(model):
    """6 flops per multiply-add of the forward per sample (forward 2, backward 4)."""
    return 6 * MACS.get(model, params(model)) * WIDTHS[model][1]


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
    ap.add_argument("--callgrind", action="store_true", default=os.environ.get("BENCH_CALLGRIND") == "1")
    ap.add_argument("--models", default=os.environ.get("BENCH_MODELS", ",".join(MODELS)),
                    help="comma-separated subset of the models (default: all)")
    args = ap.parse_args()
    MODELS[:] = [m for m in args.models.split(",") if m in WIDTHS]
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
    core = core_peak(os.path.join(here, "fma_peak.c"))
    if core:
        print(f"core: {core['clock_ghz']:.2f} GHz (1-cycle dependent adds), {core['fma8_per_cycle']:.2f} 8-lane FMAs per "
              f"cycle, FMA peak {core['peak_gflops']:.1f} GFLOP/s per core (fma_peak.c, median of {core['rounds']})")
    sys.stdout.flush()

    sampler = LoadSampler()

    def measure(system, model, threads):
        steps, warmup = STEPS[model]
        if system.startswith("sprout-"):
            request = lambda: sprout.ask(f"train {model} {system[7:]} {threads} {steps} {warmup}")["us"]
        else:
            worker = torch if system == "torch" else numpy
            request = lambda: worker.ask(f"train {model} {threads} {steps} {warmup}")["us"]
        return sampler.measure(threads, request)

    samples = {}  # (model, system, threads) -> [us per round]
    loads = {}  # (model, system, threads) -> [(others, load1) per round]
    peaks = {t: [] for t in THREADS}
    started = time.time()
    for r in range(args.rounds):
        for threads in THREADS:
            peaks[threads].append(sprout.ask(f"peak {threads} {PEAK_N} 3")["gflops"])
            for model in MODELS:
                names = systems(model)
                order = names[r % len(names):] + names[:r % len(names)]
                for system in order:
                    us, others, load1 = measure(system, model, threads)
                    samples.setdefault((model, system, threads), []).append(us)
                    loads.setdefault((model, system, threads), []).append((others, load1))
        print(f"# round {r + 1}/{args.rounds} done ({time.time() - started:.0f} s)", flush=True)

    # cpu against blas per product shape, interleaved: each round times both (order alternating) and keeps
    # their ratio, so a load change hits both sides of a ratio alike.
    gemm_rows = []
    for threads in THREADS:
        for label, m, n, k, ta, tb in GEMM_SHAPES:
            rates = {"cpu": [], "blas": []}
            cpu_rates = {"cpu": [], "blas": []}
            ratios, cpu_ratios, others_seen = [], [], []
            for r in range(max(args.rounds, 5)):
                for system in (("cpu", "blas") if r % 2 == 0 else ("blas", "cpu")):
                    reply, others, _ = sampler.measure(
                        threads, lambda: sprout.ask(f"gemm {system} {threads} {m} {n} {k} {ta} {tb} 3"))
                    rates[system].append(reply["median"])
                    cpu_rates[system].append(reply["cpu_median"])
                    others_seen.append(others)
                ratios.append(rates["cpu"][-1] / rates["blas"][-1])
                cpu_ratios.append(cpu_rates["cpu"][-1] / cpu_rates["blas"][-1])
            gemm_rows.append((threads, label, rates["cpu"], rates["blas"], ratios, cpu_ratios, median(others_seen)))
    sampler.stop = True

    instructions = callgrind_counts(args.sprout_bench) if args.callgrind else {}

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
    any_busy = False
    for threads in THREADS:
        print()
        print(f"# training step, {threads} thread{'s' if threads > 1 else ''} "
              f"(median and range of {args.rounds} rounds; GFLOP/s = 6·params·batch per step, 6·MACs·batch for "
              "the cnn; "
              "vs torch = torch time / this time;")
        print("# others = other runnable tasks (mean over the median round), load = 1-min load average then)")
        print(f"{'model':<7} {'system':<12} {'us/step':>12} {'range':>23} {'GFLOP/s':>9} {'vs torch':>9} "
              f"{'% peak':>7} {'others':>7} {'load':>5}")
        for model in MODELS:
            torch_us = median(samples[(model, "torch", threads)])
            for system in systems(model):
                rounds = samples[(model, system, threads)]
                us = median(rounds)
                # The load of the round whose time is the median (the figure reported).
                order = sorted(range(len(rounds)), key=lambda i: rounds[i])
                others, load1 = loads[(model, system, threads)][order[len(order) // 2]]
                busy = others >= BUSY_OTHERS
                any_busy = any_busy or busy
                gflops = flops_per_step(model) / (us * 1e-6) / 1e9
                span = f"{min(rounds):.1f}..{max(rounds):.1f}"
                print(f"{model:<7} {system:<12} {us:>12.1f} {span:>23} {gflops:>9.1f} {torch_us / us:>8.2f}x "
                      f"{100 * gflops / peak[threads]:>6.1f}% {others:>7.2f} {load1:>5.2f}{'  busy' if busy else ''}")
                lines.append({
                    "bench": "train", "model": model, "system": system, "threads": threads,
                    "us_per_step": round(us, 2), "gflops": round(gflops, 2),
                    "vs_torch": round(torch_us / us, 3), "fraction_of_peak": round(gflops / peak[threads], 4),
                    "rounds_us": [round(x, 2) for x in rounds],
                    "others_runnable": round(others, 2), "load1": load1, "busy": busy,
                    "rounds_others": [round(o, 2) for o, _ in loads[(model, system, threads)]],
                })
    if any_busy:
        print("# busy: other tasks were runnable during the median round; treat that figure as an upper bound")
    print()
    print("# matrix products, cpu vs blas backend (GFLOP/s medians; cpu/blas = median and range of per-round ratios;")
    print("# by CPU = the same ratio from each side's process CPU time, all threads, which a descheduled thread does")
    print("# not accumulate: less sensitive to the load, but it also counts a waiting thread's spinning)")
    for threads, label, cpu, blas, ratios, cpu_ratios, others in gemm_rows:
        print(f"{threads} thr  {label:<30} cpu {median(cpu):7.1f}  blas {median(blas):7.1f}  "
              f"cpu/blas {median(ratios):5.3f} [{min(ratios):.3f}..{max(ratios):.3f}]  "
              f"by CPU {median(cpu_ratios):5.3f} [{min(cpu_ratios):.3f}..{max(cpu_ratios):.3f}]  others {others:.2f}"
              f"{'  busy' if others >= BUSY_OTHERS else ''}")
        lines.append({"bench": "gemm", "shape": label, "threads": threads, "cpu_gflops": round(median(cpu), 2),
                      "blas_gflops": round(median(blas), 2), "cpu_over_blas": round(median(ratios), 4),
                      "rounds_cpu_over_blas": [round(x, 4) for x in ratios],
                      "cpu_over_blas_by_cpu_time": round(median(cpu_ratios), 4),
                      "rounds_cpu_over_blas_by_cpu_time": [round(x, 4) for x in cpu_ratios],
                      "others_runnable": round(others, 2)})
    if instructions:
        print()
        print("# instructions per training step (callgrind, sprout-cpu, 1 thread; independent of load)")
        for model in MODELS:
            if model in instructions:
                print(f"{model:<7} {instructions[model]:>16,}")
                lines.append({"bench": "instructions", "model": model, "system": "sprout-cpu", "threads": 1,
                              "instructions_per_step": instructions[model]})
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
    if core:
        lines.append({"bench": "core", **core})
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


def core_peak(source):
    """The core's clock and 8-lane FMA throughput, from bench/train/fma_peak.c (no hardware counters needed), or
    None without a C compiler. The floor of a training step is its multiply-adds at this rate."""
    cc = shutil.which("cc") or shutil.which("clang")
    if cc is None:
        print("# no C compiler: core clock and FMA peak not measured", flush=True)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "fma_peak")
        subprocess.run([cc, "-O2", "-mavx2", "-mfma", source, "-o", exe], check=True)
        out = subprocess.run([exe, "7"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def callgrind_counts(binary):
    """Instructions per training step of the cpu backend at 1 thread, counted by callgrind over
    `Measure.train` (the timed steps and their warm-up) and divided by the number of steps."""
    if shutil.which("valgrind") is None:
        print("# valgrind not found: no instruction counts", flush=True)
        return {}
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        # valgrind 3.19 gives up on the release binary's DWARF ("possibly corrupted debuginfo"): count a copy
        # without it (the symbol table, which --toggle-collect needs, stays).
        stripped = os.path.join(tmp, "sprout-bench")
        subprocess.run(["strip", "--strip-debug", "-o", stripped, binary], check=True)
        binary = stripped
        for model in MODELS:
            steps, warmup = CALLGRIND_STEPS[model]
            out = os.path.join(tmp, f"callgrind.{model}")
            subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--toggle-collect=*Measure*train*",
                 binary, "train", model, "cpu", "1", str(steps), str(warmup)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            total = 0
            with open(out) as f:
                for line in f:
                    match = re.match(r"summary: (\d+)", line) or re.match(r"totals: (\d+)", line)
                    if match:
                        total = int(match.group(1))
            counts[model] = total // (steps + warmup)
            print(f"# callgrind {model}: {counts[model]:,} instructions per step", flush=True)
    return counts


if __name__ == "__main__":
    main()
