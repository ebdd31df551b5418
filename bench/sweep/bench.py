"""Sweep throughput: a 1,000-trial sweep of bench/train's tiny model through the real `sprout run`.

Each trial trains the tiny model (2->64->64->1, tanh, batch 32, MSE, SGD) for 200 steps on a 1,024-sample
teacher-student set, recording the loss every 50 steps; `sprout run --jobs 2 --threads 1` runs them on a fresh
store (task files, checkpoints at step 0 and 200, metrics, the run manifest: everything a real sweep writes).

Issue 15's goal: the sweep finishes within 1.3x of 1,000 x 200 x (one step's time) / 2, i.e. under 1 ms of
overhead per task. One step's time is `sprout-bench train tiny cpu 1` measured in the same round. Beside
it, a PyTorch loop runs the same trials (same model, data size, steps and recording) in one process at one
thread: trials per second of each, and their ratio.

Per round: the sweep's wall time, the time `sprout plan` takes for the same spec (planning), the sum of the
tasks' own seconds from `--format json` (inside the executor: data, training, checkpoints and metrics), and
the remainder (process start, manifest and key writes, scheduling); the run's CPU time (user + system, all threads),
its page faults and its voluntary (waits: locks, disk) and involuntary (preempted by other work) context switches
per task, which say what the run cost where the wall time on a shared machine does not. Each figure carries the load seen: the
mean number of runnable tasks besides the benchmark's own (sampled every 20 ms from /proc/loadavg) and the
1-minute load average; a round with half a task or more of others is flagged busy.

Durability calls: a separate small sweep (--strace-trials, default 50) runs under `strace -f -c` and the fsync,
fdatasync and syncfs calls are counted per task (docs/store.md: one directory fsync per task and at most one syncfs,
shared by the tasks that finish during one sync (group commit), plus the run manifest's paced rewrites). The fsyncs
do not depend on the load; how many tasks share a syncfs does.

Usage: bench.py SPROUT SPROUT_BENCH PYTHON [--trials N] [--steps N] [--rounds N] [--out DIR]
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

BUSY_OTHERS = 0.5
JOBS = 2


def spec_text(trials, steps):
    seeds = ", ".join(str(i) for i in range(trials))
    return f"""sprout: 1
name: sweep-tiny
description: bench/sweep, {trials} trials of bench/train's tiny model, {steps} steps each.
seed: 7
backend: cpu
matrix:
  seed: [{seeds}]
datasets:
  points: {{kind: teacher_student, inputs: 2, outputs: 1, samples: 1024}}
models:
  tiny:
    input: 2
    layers: [{{dense: 64}}, tanh, {{dense: 64}}, tanh, {{dense: 1}}]
initializers:
  torch_default: {{kind: kaiming_uniform, nonlinearity: leaky_relu, slope: 2.2360680}}
stages:
  train:
    kind: train
    model: tiny
    init: torch_default
    data: points
    loss: mse
    optimizer: {{kind: sgd, lr: 0.01}}
    steps: {steps}
    batch: 32
    record: [loss]
    every: 50
"""


TORCH_LOOP = r"""
import sys, time, torch
trials, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(1)
g = torch.Generator().manual_seed(7)
x = torch.randn(1024, 2, generator=g)
teacher = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
with torch.no_grad():
    y = teacher(x)
t0 = time.perf_counter()
for trial in range(trials):
    torch.manual_seed(trial)
    model = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(),
                                torch.nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    losses = []
    order = torch.randperm(1024)
    at = 0
    for step in range(steps):
        if at + 32 > 1024:
            order, at = torch.randperm(1024), 0
        idx = order[at:at + 32]
        at += 32
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        if step == 0 or (step + 1) % 50 == 0:
            losses.append(loss.item())
print(time.perf_counter() - t0)
"""


class LoadSampler:
    """Mean runnable tasks besides `own` (and this sampler), every 20 ms, while `measure` runs a function."""

    def __init__(self):
        self.samples, self.lock, self.stop = [], threading.Lock(), False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while not self.stop:
            with self.lock:
                self.samples.append(self.runnable())
            time.sleep(0.02)

    @staticmethod
    def runnable():
        with open("/proc/loadavg") as f:
            return int(f.read().split()[3].split("/")[0])

    def measure(self, own, fn):
        with self.lock:
            self.samples = []
        value = fn()
        with self.lock:
            samples = list(self.samples) or [self.runnable()]
        others = sum(max(0, r - own - 1) for r in samples) / len(samples)
        with open("/proc/loadavg") as f:
            load1 = float(f.read().split()[0])
        return value, others, load1


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def counts_of_children():
    """Page faults (minor + major) and voluntary / involuntary context switches of the finished children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_minflt + r.ru_majflt, r.ru_nvcsw, r.ru_nivcsw


def timed(argv, **kw):
    """Runs argv; returns its wall seconds, its standard output and its CPU seconds (user + system, all
    threads): on a busy machine the CPU time still says what the run cost, where the wall time does not."""
    c0 = cpu_of_children()
    n0 = counts_of_children()
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(argv[:4])}...\n{p.stderr[-2000:]}")
    timed.cpu = cpu_of_children() - c0
    timed.counts = tuple(b - a for a, b in zip(n0, counts_of_children()))
    return wall, p.stdout


SYNC_CALLS = ("fsync", "fdatasync", "syncfs", "sync_file_range", "sync")


def sync_calls(sprout, spec_file, work, trials):
    """Sync system calls of a `trials`-trial sweep (strace -f -c over the whole run): {call: count}, and the total
    number of system calls."""
    if shutil.which("strace") is None:
        return None, None
    store = os.path.join(work, "strace-store")
    out = os.path.join(work, "strace.txt")
    p = subprocess.run(
        ["strace", "-f", "-c", "-o", out, sprout, "run", spec_file, "--store", store, "--jobs", str(JOBS),
         "--threads", "1", "--format", "json"], capture_output=True, text=True, env=dict(os.environ, TERM="dumb"))
    shutil.rmtree(store, ignore_errors=True)
    if p.returncode != 0:
        sys.exit(f"the strace sweep failed ({p.returncode}):\n{p.stderr[-2000:]}")
    counts, total = {}, 0
    with open(out) as f:
        for line in f:
            parts = line.split()
            # "% time  seconds  usecs/call  calls  [errors]  syscall"; the total line ends with "total".
            if len(parts) >= 5 and parts[0][0].isdigit():
                name, calls = parts[-1], int(parts[3])
                if name == "total":
                    total = calls
                elif name in SYNC_CALLS:
                    counts[name] = calls
    return counts, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sprout")
    ap.add_argument("sprout_bench")
    ap.add_argument("python")
    ap.add_argument("--trials", type=int, default=int(os.environ.get("SWEEP_TRIALS", 1000)))
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    # The PyTorch loop is ~10x slower per trial than the sweep: it runs a tenth of the trials by default and its
    # trials per second are scaled from those (every trial is the same work).
    ap.add_argument("--torch-trials", type=int, default=int(os.environ.get("SWEEP_TORCH_TRIALS", 100)))
    ap.add_argument("--out", default="bench/out")
    ap.add_argument("--strace-trials", type=int, default=int(os.environ.get("SWEEP_STRACE_TRIALS", 50)))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sprout-sweep-")
    spec = os.path.join(work, "sweep.yaml")
    with open(spec, "w") as f:
        f.write(spec_text(a.trials, a.steps))
    sampler = LoadSampler()
    rows = []
    try:
        for r in range(a.rounds):
            store = os.path.join(work, f"store{r}")
            # One step's time (median of 2,000 timed steps after 200 warm-up steps), 1 thread.
            (_, out), step_others, step_load = sampler.measure(
                1, lambda: timed([a.sprout_bench, "train", "tiny", "cpu", "1", "2000", "200"]))
            step_us = json.loads(out)["us"]
            (plan_s, _), _, _ = sampler.measure(1, lambda: timed([a.sprout, "plan", spec, "--store", store]))
            (wall, out), others, load1 = sampler.measure(JOBS, lambda: timed(
                [a.sprout, "run", spec, "--store", store, "--jobs", str(JOBS), "--threads", "1",
                 "--format", "json"], env=dict(os.environ, TERM="dumb")))
            cpu = timed.cpu
            faults, voluntary, involuntary = timed.counts
            summary = json.loads(out)
            tasks = summary["tasks"]
            if len(tasks) != a.trials or any(t["status"] != "completed" for t in tasks):
                sys.exit("the sweep did not complete every task")
            task_s = sum(t["seconds"] for t in tasks)
            files = sum(len(fs) for _, _, fs in os.walk(store))
            # The stores are removed after the last round, not here: ext4 skips recently deleted inodes when it
            # allocates new ones (recently_deleted: 20% of a sweep's samples right after 7,000 files went), so
            # deleting a round's store would slow the next round's file creations.
            if a.torch_trials:
                (torch_s, torch_out), t_others, t_load = sampler.measure(
                    1, lambda: timed([a.python, "-c", TORCH_LOOP, str(a.torch_trials), str(a.steps)]))
                torch_loop_s = float(torch_out.strip().splitlines()[-1])
            else:  # --torch-trials 0: no PyTorch loop (figures of the sweep alone)
                torch_loop_s, t_others = float("nan"), 0.0
            ideal = a.trials * a.steps * step_us * 1e-6 / JOBS
            row = {
                "bench": "sweep", "round": r + 1, "trials": a.trials, "steps": a.steps, "jobs": JOBS,
                "wall_s": round(wall, 3), "trials_per_s": round(a.trials / wall, 1),
                "step_us": round(step_us, 2), "ideal_s": round(ideal, 3), "vs_ideal": round(wall / ideal, 2),
                "overhead_ms_per_task": round((wall - ideal) * JOBS / a.trials * 1e3, 3),
                "plan_s": round(plan_s, 3), "task_s_per_worker": round(task_s / JOBS, 3),
                "cpu_s": round(cpu, 3), "cpu_vs_ideal": round(cpu / (ideal * JOBS), 2),
                "cpu_overhead_ms_per_task": round((cpu - ideal * JOBS) / a.trials * 1e3, 3),
                "page_faults_per_task": round(faults / a.trials, 1),
                "waits_per_task": round(voluntary / a.trials, 2), "preemptions_per_task": round(involuntary / a.trials, 2),
                "files": files, "torch_wall_s": round(torch_loop_s, 3),
                "torch_trials": a.torch_trials,
                "torch_trials_per_s": round(a.torch_trials / torch_loop_s, 1) if a.torch_trials else float("nan"),
                "others_runnable": round(others, 2), "load1": load1, "busy": others >= BUSY_OTHERS,
                "step_others": round(step_others, 2), "torch_others": round(t_others, 2),
            }
            rows.append(row)
            print(f"# round {r + 1}/{a.rounds}: sweep {wall:.2f} s, step {step_us:.2f} us, "
                  f"torch loop {torch_loop_s:.2f} s, others {others:.2f}, load {load1:.2f}", flush=True)
        strace_spec = os.path.join(work, "strace.yaml")
        with open(strace_spec, "w") as f:
            f.write(spec_text(a.strace_trials, a.steps))
        syncs, syscalls = sync_calls(a.sprout, strace_spec, work, a.strace_trials) if a.strace_trials else (None, None)
    finally:
        sampler.stop = True
        shutil.rmtree(work, ignore_errors=True)

    def stat(key):
        xs = [row[key] for row in rows]
        return median(xs), min(xs), max(xs)

    print()
    print(f"# sweep: {a.trials} trials x {a.steps} steps of the tiny model, sprout run --jobs {JOBS} --threads 1 "
          f"(median of {len(rows)} rounds, [range])")
    for key, label in [("wall_s", "wall (s)"), ("trials_per_s", "trials/s"), ("step_us", "one step (us)"),
                       ("ideal_s", "ideal = trials*steps*step/2 (s)"), ("vs_ideal", "wall / ideal (goal <= 1.3)"),
                       ("overhead_ms_per_task", "overhead per task (ms, goal < 1)"),
                       ("cpu_s", "CPU time of the run, all threads (s)"),
                       ("cpu_vs_ideal", "CPU / (trials*steps*step)"),
                       ("cpu_overhead_ms_per_task", "CPU overhead per task (ms)"),
                       ("page_faults_per_task", "page faults per task (whole run / trials)"),
                       ("waits_per_task", "voluntary context switches per task"),
                       ("preemptions_per_task", "involuntary context switches per task"), ("plan_s", "sprout plan (s)"),
                       ("task_s_per_worker", "tasks' own seconds / 2 (s)"), ("torch_wall_s", f"torch loop of {a.torch_trials} trials, timed inside (s)"),
                       ("torch_trials_per_s", "torch trials/s (1 process, 1 thread)")]:
        m, lo, hi = stat(key)
        print(f"{label:42s} {m:10.3f}   [{lo:.3f} .. {hi:.3f}]")
    m, lo, hi = stat("others_runnable")
    busy = sum(row["busy"] for row in rows)
    print(f"{'load: others runnable (load1)':42s} {m:10.2f}   [{lo:.2f} .. {hi:.2f}]  "
          f"(load1 {median([row['load1'] for row in rows]):.2f}){'  BUSY in %d of %d rounds' % (busy, len(rows)) if busy else ''}")
    if syncs is not None:
        per = {k: v / a.strace_trials for k, v in sorted(syncs.items())}
        print(f"{'sync calls per task (strace -f -c, ' + str(a.strace_trials) + ' trials)':42s} "
              + (", ".join(f"{k} {v:.2f}" for k, v in per.items()) or "none")
              + f"   (all system calls per task: {syscalls / a.strace_trials:.0f})")
        rows.append({"bench": "sweep-syncs", "trials": a.strace_trials, "calls": syncs, "syscalls": syscalls})
    print()
    print("# JSON")
    with open(os.path.join(a.out, "sweep.jsonl"), "w") as f:
        for row in rows:
            line = json.dumps(row)
            print(line)
            f.write(line + "\n")


if __name__ == "__main__":
    main()
