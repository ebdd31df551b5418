"""Reads a `sprout export --format csv` file with pandas and with polars and checks the dtypes are numeric and
every value equals the store's metrics.jsonl. Usage: check_csv.py STORE RUN_ID CSV."""
import math
import sys

import pandas as pd
import polars as pl

from store_expectations import load, same

store, run_id, path = sys.argv[1:4]
manifest, trials, axes, records = load(store, run_id)

pdf = pd.read_csv(path)
plf = pl.read_csv(path)
numeric_axes = [a for a in axes if all(isinstance(dict(v).get(a), (int, float)) for v in trials.values())]
for frame, kind in ((pdf, "pandas"), (plf, "polars")):
    if list(frame.columns) != ["run", "task", "stage", *axes, "step", "metric", "value"]:
        sys.exit(f"{kind}: columns {list(frame.columns)}")
    if len(frame) != len(records):
        sys.exit(f"{kind}: {len(frame)} rows != {len(records)}")
pd_types = {c: str(t) for c, t in pdf.dtypes.items()}
pl_types = {c: str(t) for c, t in zip(plf.columns, plf.dtypes)}
for column in ["step", "value", *numeric_axes]:
    if not (pd_types[column].startswith("int") or pd_types[column].startswith("float")):
        sys.exit(f"pandas: {column} is {pd_types[column]}")
    if not (pl_types[column].startswith("Int") or pl_types[column].startswith("Float")):
        sys.exit(f"polars: {column} is {pl_types[column]}")
if pd_types["value"] != "float64" or pl_types["value"] != "Float64":
    sys.exit(f"value: pandas {pd_types['value']}, polars {pl_types['value']}")

want = sorted(((t, s, m), v) for t, _, _, s, m, v in records)
for frame, kind, rows in (
    (pdf, "pandas", list(zip(pdf["task"], pdf["step"], pdf["metric"], pdf["value"]))),
    (plf, "polars", list(zip(plf["task"].to_list(), plf["step"].to_list(), plf["metric"].to_list(), plf["value"].to_list()))),
):
    got = sorted(((t, int(s), m), float(v)) for t, s, m, v in rows)
    for (gk, gv), (wk, wv) in zip(got, want):
        if gk != wk or not same(gv, wv):
            sys.exit(f"{kind}: {gk} {gv} != {wk} {wv}")
nonfinite = sum(1 for *_, v in records if not math.isfinite(v))
print(f"ok: {len(records)} rows, {nonfinite} non-finite, pandas {pd_types['value']}, polars {pl_types['value']}")
