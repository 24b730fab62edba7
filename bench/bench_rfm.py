"""Benchmark of crmlab.rfm_summary against lifetimes' summary_data_from_transaction_data on the same log.

A seeded log (5,000,000 rows, 500,000 customers, two years, timestamps with a time of day so same-day
purchases must be merged; 500,000 rows when quick) is written to a parquet file in a temporary directory.
crmlab's summary is timed in this process; lifetimes' in a subprocess of the interpreter named by the
environment variable CRMLAB_BENCH_LIFETIMES_PYTHON (lifetimes is archived and not a crmlab dependency,
so it lives in a separate environment). Both read the same file; only the summary call is timed. The two
results are compared value by value, so the speed-up is between two computations of the same table.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.rfm import rfm_summary

ENV_VAR = "CRMLAB_BENCH_LIFETIMES_PYTHON"

_LIFETIMES_SCRIPT = r"""
import json, sys, time
import pandas as pd
import lifetimes
from lifetimes.utils import summary_data_from_transaction_data
log = pd.read_parquet(sys.argv[1])
start = time.perf_counter()
out = summary_data_from_transaction_data(log, "customer_id", "date", monetary_value_col="amount", freq="D")
seconds = time.perf_counter() - start
out.to_parquet(sys.argv[2])
print(json.dumps({"seconds": seconds, "lifetimes": lifetimes.__version__, "pandas": pd.__version__}))
"""


def make_log(n_rows: int, seed: int = 20261122) -> pd.DataFrame:
    """A seeded transaction log: integer customer ids, timestamps over two years, amounts in cents."""
    rng = np.random.default_rng(seed)
    n_customers = max(n_rows // 10, 1)
    customer = rng.integers(0, n_customers, n_rows)
    seconds = rng.integers(0, 730 * 86_400, n_rows)
    date = np.datetime64("2024-01-01T00:00:00", "s") + seconds.astype("timedelta64[s]")
    amount = np.round(rng.gamma(2.0, 25.0, n_rows), 2)
    return pd.DataFrame({"customer_id": customer, "date": date.astype("datetime64[ns]"), "amount": amount})


def _time_crmlab(log: pd.DataFrame, repeats: int) -> tuple[float, pd.DataFrame]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = rfm_summary(log)
        best = min(best, time.perf_counter() - start)
    return best, out


def run(quick: bool) -> list[dict]:
    """Time rfm_summary on 5M rows (500k when quick) and, if configured, lifetimes on the same rows."""
    n_rows = 500_000 if quick else 5_000_000
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-rfm-") as tmp:
        path = Path(tmp) / "log.parquet"
        make_log(n_rows).to_parquet(path)
        log = pd.read_parquet(path)
        seconds, ours = _time_crmlab(log, repeats=3 if quick else 2)
        row = {"name": "rfm_summary_seconds", "value": round(seconds, 3), "unit": "s",
               "note": f"{n_rows:,} rows, {len(ours):,} customers, best of {3 if quick else 2}"}
        results.append(row)
        python = os.environ.get(ENV_VAR)
        if not python:
            row["note"] += (f"; lifetimes comparison skipped: set {ENV_VAR} to a Python that has lifetimes "
                            "installed")
            return results
        out_path = Path(tmp) / "lifetimes.parquet"
        proc = subprocess.run([python, "-c", _LIFETIMES_SCRIPT, str(path), str(out_path)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            row["note"] += f"; lifetimes comparison failed: {tail[0]}"
            return results
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        theirs = pd.read_parquet(out_path)
        same_customers = theirs.index.equals(ours.index)
        diff = float(np.max(np.abs(theirs.to_numpy() - ours.loc[theirs.index, theirs.columns].to_numpy())))
        results.append({"name": "lifetimes_summary_seconds", "value": round(info["seconds"], 3), "unit": "s",
                        "note": f"lifetimes {info['lifetimes']} on pandas {info['pandas']}, same {n_rows:,} rows"})
        results.append({"name": "rfm_summary_speedup_vs_lifetimes", "value": round(info["seconds"] / seconds, 1),
                        "unit": "x", "note": f"same customers in same order: {same_customers}; "
                                             f"max abs difference of the four columns: {diff:.2g}"})
    return results


if __name__ == "__main__":
    import sys

    for r in run(quick="--quick" in sys.argv):
        print(f"{r['name']:<36} {r['value']:>10} {r['unit']:<3} {r['note']}")
