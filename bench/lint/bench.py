#!/usr/bin/env python3
"""Times `sprout lint` (release build, including process start) against the Python baseline on the
generated inputs, interleaving the two, and prints medians, the ratio and one JSON line per case."""
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sprout, out, schema = sys.argv[1], sys.argv[2], sys.argv[3]
rounds = int(os.environ.get("ROUNDS", "7"))
small = sorted(glob.glob(os.path.join(out, "small", "*.yaml")))
cases = {
    "10k-line spec": [os.path.join(out, "big.yaml")],
    "1,000 small specs": small,
}


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd[:3])} ...\n{r.stderr.decode()[:2000]}")
    return dt


def callgrind(cmd):
    """Instructions of one run under callgrind (load-independent). Valgrind cannot read the DWARF of the statically
    linked release binary, so it runs a copy without debug sections (symbols stay)."""
    tmp = tempfile.mkdtemp()
    stripped = os.path.join(tmp, "sprout")
    subprocess.run(["objcopy", "--strip-debug", cmd[0], stripped], check=True)
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", stripped, *cmd[1:]],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    shutil.rmtree(tmp)
    total = [l for l in r.stderr.splitlines() if "Collected" in l]
    return int(total[-1].split(":")[-1].strip().replace(",", "")) if total else None


print(f"{'case':<20} {'sprout lint (median, range)':>30} {'python':>12} {'ratio':>8} {'load':>6} {'instructions':>14}")
for name, files in cases.items():
    s, p, loads = [], [], []
    for _ in range(rounds):
        loads.append(os.getloadavg()[0])
        s.append(timed([sprout, "lint", *files]))
        p.append(timed([sys.executable, os.path.join(os.path.dirname(__file__), "baseline.py"), schema, *files]))
    ms, mp = statistics.median(s) * 1e3, statistics.median(p) * 1e3
    load = statistics.median(loads)
    instructions = callgrind([sprout, "lint", *files])
    shown = f"{instructions / 1e6:.0f} M" if instructions else "?"
    spread = f"{ms:.1f} ms ({min(s) * 1e3:.1f}-{max(s) * 1e3:.1f})"
    print(f"{name:<20} {spread:>30} {mp:>9.1f} ms {mp / ms:>7.1f}x {load:>6.2f} {shown:>14}")
    print(json.dumps({"bench": "lint", "case": name, "sprout_ms": round(ms, 2), "sprout_min_ms": round(min(s) * 1e3, 2),
                      "sprout_max_ms": round(max(s) * 1e3, 2), "python_ms": round(mp, 2), "speedup": round(mp / ms, 2),
                      "load": round(load, 2), "instructions": instructions}))
