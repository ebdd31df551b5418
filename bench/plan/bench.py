#!/usr/bin/env python3
"""bench/plan: `sprout plan` (text and JSON) on 1k, 10k, 100k (and, with --million, 1M) trials of a two-stage spec:
wall time, CPU time and peak memory (GNU time -v; median and range over rounds, with the load average seen), plus
callgrind instruction counts at 1k and 10k trials, which do not depend on what else the machine is doing."""
import json, os, resource, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sprout, specs = sys.argv[1], Path(sys.argv[2])
million = "--million" in sys.argv
rounds = 5


def run(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{args} failed: {p.stderr.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu  # CPU time (user + system) depends far less on the machine's load than wall time


def peak(args):
    """Peak RSS (MiB) of one run, measured alone with GNU time's -v (its "Maximum resident set size")."""
    out = subprocess.run(["/usr/bin/time", "-v"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"{args} failed: {out.stderr[-2000:]}")
    line = [l for l in out.stderr.splitlines() if "Maximum resident set size" in l][-1]
    return int(line.split(":")[-1]) / 1024


rows = []
for name in ["1k", "10k", "100k"] + (["1m"] if million else []):
    spec = str(specs / f"plan-{name}.yaml")
    for fmt in ["text", "json"]:
        args = [sprout, "plan", spec, "--store", "/nonexistent-store", "--format", fmt]
        # A million trials' JSON is 6.8 GB of text (to /dev/null): one round.
        n = (1 if fmt == "json" else 3) if name == "1m" else rounds
        times, cpus, loads = [], [], []
        for _ in range(n):
            loads.append(os.getloadavg()[0])
            wall, cpu = run(args)
            times.append(wall)
            cpus.append(cpu)
        mem = peak(args)
        rows.append((name, fmt, statistics.median(times), min(times), max(times), mem, statistics.median(loads)))
        print(f"plan {name:>5} trials {fmt:>4}: wall median {statistics.median(times)*1000:8.1f} ms  range "
              f"{min(times)*1000:.1f}-{max(times)*1000:.1f} ms  CPU median {statistics.median(cpus)*1000:8.1f} ms  "
              f"range {min(cpus)*1000:.1f}-{max(cpus)*1000:.1f} ms  peak {mem:6.1f} MiB  "
              f"load {min(loads):.2f}-{max(loads):.2f}  ({n} rounds)", flush=True)


def callgrind(args):
    """Instructions of one run under callgrind. Valgrind cannot read the DWARF of the statically linked release
    binary ("possibly corrupted debuginfo"), so it runs a copy without debug sections (symbols stay)."""
    stripped = Path(tempfile.mkdtemp()) / "sprout"
    subprocess.run(["objcopy", "--strip-debug", args[0], str(stripped)], check=True)
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(stripped)] + args[1:],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    shutil.rmtree(stripped.parent)
    total = [l for l in out.stderr.splitlines() if "Collected" in l]
    return int(total[-1].split(":")[-1].strip().replace(",", "")) if total else None


for name in ["1k", "10k"]:
    spec = str(specs / f"plan-{name}.yaml")
    n = callgrind([sprout, "plan", spec, "--store", "/nonexistent-store"])
    print(f"plan {name:>5} trials: {f'{n:,}' if n is not None else '?'} instructions (callgrind)", flush=True)
