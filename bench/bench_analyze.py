"""Benchmark of `crmlab analyze` on a large messy CSV export.

A seeded CSV of about 10,000,000 rows (1,000,000 when quick) is written to a temporary directory: the
purchase log of ``crmlab.worlds.make("transactions")`` (BG/NBD purchases, Gamma-Gamma spend) with a
tenth as many customers as rows, written messily: ids like ``C0001234`` with 1% blank, dates
``YYYY/MM/DD`` with 0.5% impossible ones, amounts like ``"¥1,234.50"`` with 5% refunds written
``(12.00)``, 0.5% unreadable, and 0.5% of rows after the observation end. Two runs, each in a fresh
process so that the peak memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, which includes the
child processes) belongs to that run alone:

* ``clean``: :func:`crmlab.analyze.clean_transactions` + :func:`~crmlab.analyze.write_clean` (ingest);
* ``command``: the whole ``crmlab analyze`` command, as :func:`crmlab.cli.main` runs it (ingest, models,
  the client report, customers.csv).

Typed parquet exports beyond memory (DuckDB engine) are measured by ``bench_analyze_large.py``.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv


_WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
rc, seconds = proc.returncode, time.perf_counter() - t0
print(json.dumps({"rc": rc, "seconds": seconds, "out": proc.stdout[-3000:],
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

_CLEAN = r"""
import sys
from crmlab.analyze import clean_transactions, write_clean
res = clean_transactions(sys.argv[1], customer_col="客户编号", date_col="交易日期", amount_col="金额",
                         observation_end="2025-12-28")
write_clean(res, sys.argv[2])
"""

_COMMAND = "import sys; from crmlab.cli import main; sys.exit(main(['analyze', *sys.argv[1:]]))"


def _text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _pad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_text(values), width=width, padding="0")


def write_messy_csv(path: Path, n_rows: int, seed: int = 20261122, chunk: int = 2_000_000) -> int:
    """Write the seeded messy export described in the module docstring; return its number of rows."""
    from crmlab import worlds

    log = worlds.make("transactions", seed=seed, n_customers=max(n_rows // 10, 1)).tables["transactions"]
    rng = np.random.default_rng(seed)
    customer, day = log["customer_id"].to_numpy(), log["date"].to_numpy().astype("datetime64[D]")
    cents = np.round(log["amount"].to_numpy() * 100).astype(np.int64) + 1
    del log
    with pacsv.CSVWriter(path, pa.schema([("客户编号", pa.string()), ("交易日期", pa.string()),
                                          ("金额", pa.string())])) as writer:
        for lo in range(0, len(customer), chunk):
            part = slice(lo, lo + chunk)
            n = len(customer[part])
            ids = pc.binary_join_element_wise("C", _pad(customer[part], 7), "")
            ids = pc.if_else(pa.array(rng.random(n) < 0.01), pa.scalar(" "), ids)
            days = day[part].copy()
            days[rng.random(n) < 0.005] = np.datetime64("2026-03-01")
            dates = pc.strftime(pa.array(days), format="%Y/%m/%d")
            dates = pc.if_else(pa.array(rng.random(n) < 0.005), pa.scalar("2024/02/30"), dates)
            whole, frac = cents[part] // 100, cents[part] % 100
            body = pc.if_else(pa.array(whole >= 1000),
                              pc.binary_join_element_wise(_text(whole // 1000), _pad(whole % 1000, 3), ","),
                              _text(whole))
            amount = pc.binary_join_element_wise("¥", body, ".", _pad(frac, 2), "")
            refund = pa.array(rng.random(n) < 0.05)
            amount = pc.if_else(refund, pc.binary_join_element_wise("(", amount, ")", ""), amount)
            amount = pc.if_else(pa.array(rng.random(n) < 0.005), pa.scalar("n/a"), amount)
            writer.write_table(pa.table({"客户编号": ids, "交易日期": dates, "金额": amount}))
    return len(customer)


def _measure(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"benchmark run failed with exit status {result['rc']}: {out.stderr.strip()[-500:]}")
    return result


def run(quick: bool) -> list[dict]:
    target = 1_000_000 if quick else 10_000_000
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-analyze-") as tmp:
        tmp = Path(tmp)
        src = tmp / "export.csv"
        t0 = time.perf_counter()
        n_rows = write_messy_csv(src, target)
        gen = time.perf_counter() - t0
        size_mb = src.stat().st_size / 2**20
        clean = _measure([sys.executable, "-c", _CLEAN, str(src), str(tmp / "clean.parquet")])
        command = _measure([sys.executable, "-c", _COMMAND, str(src), "--customer", "客户编号", "--date", "交易日期",
                            "--amount", "金额", "--out", str(tmp / "out"), "--observation-end", "2025-12-28",
                            "--pseudonymize", "--allow-exclusions"])  # 2% of the rows are broken on purpose
        fitted = "CLV models fitted" in command["out"]
        with open(tmp / "out" / "data_quality.csv", encoding="utf-8-sig", newline="") as fh:  # written with a BOM for Excel
            quality = {row["item"]: row["rows"] for row in csv.DictReader(fh)}
    note = f"{n_rows:,} rows, {size_mb:.0f} MB CSV (generated in {gen:.0f} s), {os.cpu_count()} CPUs"
    return [
        {"name": "analyze_clean_seconds", "value": round(clean["seconds"], 1), "unit": "s",
         "note": f"ingest + clean + write parquet, {note}"},
        {"name": "analyze_clean_peak_rss", "value": round(clean["max_rss_mb"]), "unit": "MB",
         "note": "peak resident memory of the cleaning process"},
        {"name": "analyze_command_seconds", "value": round(command["seconds"], 1), "unit": "s",
         "note": f"whole `crmlab analyze --pseudonymize` (clean, models, client report), {note}; "
                 f"BG/NBD + Gamma-Gamma {'fitted' if fitted else 'not fitted'}"},
        {"name": "analyze_command_peak_rss", "value": round(command["max_rss_mb"]), "unit": "MB",
         "note": "peak resident memory of the command; "
                 + ", ".join(f"{k} {v}" for k, v in quality.items())},
    ]


if __name__ == "__main__":  # pragma: no cover
    quick = "--quick" in sys.argv
    for row in run(quick):
        print(f"{row['name']:<28} {row['value']:>10} {row['unit']:<3} {row['note']}")
