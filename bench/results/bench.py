"""Times the results commands on synthetic stores against the issue's targets (median of repeated runs,
wall clock, the release `sprout`): show --group-by over 10,000 tasks < 200 ms; report of 1,000 tasks < 2 s
and < 5 MB; runs queries with 1,000 runs indexed < 50 ms. Usage: bench.py SPROUT WORKDIR."""
import os
import resource
import statistics
import subprocess
import sys
import time

sprout, work = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))


def make(kind, name, n):
    path = os.path.join(work, name)
    if not os.path.exists(os.path.join(path, "runs")):
        subprocess.run([sys.executable, os.path.join(here, "make_store.py"), kind, path, str(n)], check=True)
    return path


CPU = {}


def timed(args, repeat=7):
    """Median wall time; CPU[args] gets the median user+sys time (steadier on a shared machine)."""
    times, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run([sprout] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if r.returncode != 0:
            sys.exit(f"sprout {' '.join(args)} failed: {r.stderr.decode()}")
    CPU[tuple(args)] = statistics.median(cpus)
    return statistics.median(times), r.stdout


rows = []
big = make("big", "store-10000", 10000)
args = ["show", "latest", "--group-by", "init,width", "--store", big]
t, _ = timed(args)
rows.append(("show --group-by init,width, 10,000 tasks", t, 0.2, f"cpu {CPU[tuple(args)] * 1000:.0f} ms"))
t, _ = timed(["show", "latest", "--group-by", "init,width", "--format", "json", "--store", big], repeat=3)
rows.append(("show --group-by --format json, 10,000 tasks", t, None, ""))
mid = make("big", "store-1000", 1000)
t, out = timed(["report", "latest", "--out", os.path.join(work, "report"), "--store", mid], repeat=3)
size = os.path.getsize(out.decode().strip())
rows.append(("report, 1,000 tasks", t, 2.0, f"{size / 1e6:.2f} MB (target < 5 MB)"))
t, _ = timed(["export", "latest", "--out", os.path.join(work, "big.csv"), "--store", big], repeat=3)
rows.append(("export --format csv, 10,000 tasks (600,000 rows)", t, None, ""))
many = make("many", "store-runs", 1000)
subprocess.run([sprout, "index", "--rebuild", "--store", many], check=True, stdout=subprocess.DEVNULL)
for label, args in [
    ("runs (1,000 indexed, newest first)", []),
    ("runs --spec quickstart --since 2026-11-01", ["--spec", "quickstart", "--since", "2026-11-01"]),
    ("runs --tag nightly --where 'accuracy > 0.9'", ["--tag", "nightly", "--where", "accuracy > 0.9"]),
    ("runs --where 'init = a' --format json", ["--where", "init = a", "--format", "json"]),
]:
    t, _ = timed(["runs", "--store", many] + args)
    rows.append((label, t, 0.05, f"cpu {CPU[tuple(['runs', '--store', many] + args)] * 1000:.0f} ms"))
t, _ = timed(["index", "--rebuild", "--store", many], repeat=3)
rows.append(("index --rebuild, 1,000 runs", t, None, ""))

ok = True
print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
print(f"{'command':55} {'median':>9}  target")
for label, t, target, note in rows:
    verdict = "" if target is None else ("ok" if t < target else "OVER")
    ok &= verdict != "OVER"
    print(f"{label:55} {t * 1000:7.0f} ms  {'' if target is None else f'< {target * 1000:.0f} ms {verdict}'} {note}")
sys.exit(0 if ok else 1)
