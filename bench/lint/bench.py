#!/usr/bin/env python3
"""Times `sprout lint` (release build, including process start) against the Python baseline on the
generated inputs, interleaving the two, and prints medians, the ratio and one JSON line per case."""
import glob
import json
import os
import statistics
import subprocess
import sys
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


print(f"{'case':<20} {'sprout lint':>12} {'python':>12} {'ratio':>8}")
for name, files in cases.items():
    s, p = [], []
    for _ in range(rounds):
        s.append(timed([sprout, "lint", *files]))
        p.append(timed([sys.executable, os.path.join(os.path.dirname(__file__), "baseline.py"), schema, *files]))
    ms, mp = statistics.median(s) * 1e3, statistics.median(p) * 1e3
    print(f"{name:<20} {ms:>9.1f} ms {mp:>9.1f} ms {mp / ms:>7.1f}x")
    print(json.dumps({"bench": "lint", "case": name, "sprout_ms": round(ms, 2), "python_ms": round(mp, 2),
                      "speedup": round(mp / ms, 2)}))
