"""Benchmark of `crmlab analyze` beyond memory: typed parquet exports of 2M, 10M and 100M rows on DuckDB.

The export is built by DuckDB from a seeded base: the purchase log of ``crmlab.worlds.make("transactions")``
(BG/NBD purchases, Gamma-Gamma spend; frequent buyers - a purchase a week on average, ``alpha=2, b=100`` -
so 1,000,000 rows come from about 22,000 customers, some 46 purchases each over two years, as in a grocery
or coffee-shop loyalty programme) repeated as many times as the size needs, each copy with its own
customers (``C0001234-17``): 100M rows hold about 2.2 million customers, every size the same buying
patterns. The per-customer work (scores, models, the customers table) is done in memory, at roughly 0.3 KB
a customer beside DuckDB's limit, so it is the number of customers, not of rows, that bounds the memory of
the whole command. Written messily, as a warehouse would export it: an order id, a store
column, 1% blank customer ids, 0.5% missing dates, 5% refunds written as negative amounts on the day of a
purchase, 0.5% of rows exported twice, and a totals row. Typed columns: ``VARCHAR`` ids, ``DATE`` dates,
``DOUBLE`` amounts.

Each run is a fresh process, so that its peak memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``)
is its own:

* ``duckdb``: the whole ``crmlab analyze --engine duckdb`` command (cleaning out of core, summaries on
  DuckDB, models, the client report and customers.csv), DuckDB's memory limit at its default (1 GB);
* ``memory``: the same command with ``--engine memory`` (at 2M and 10M rows only: the in-memory path is
  what does not scale);
* ``floor``: a hand-written DuckDB SQL summary of the same file (same-day merge, then first and last day,
  purchase days and spend per customer, fetched into numpy), with the same memory limit: what reading and
  summarising the file costs at least, without any cleaning, model or report.

The goal of issue 20: 100M rows within 4 GB of peak memory.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - t0
print(json.dumps({"rc": proc.returncode, "seconds": seconds, "out": proc.stdout[-3000:], "err": proc.stderr[-3000:],
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

_COMMAND = "import sys; from crmlab.cli import main; sys.exit(main(['analyze', *sys.argv[1:]]))"

_FLOOR = r"""
import sys, duckdb, numpy as np
con = duckdb.connect()
con.execute("SET memory_limit='1GB'")
con.execute(f"SET temp_directory='{sys.argv[2]}'")
con.execute("SET preserve_insertion_order=false")
per = con.execute(f'''
    WITH days AS (SELECT "客户编号" AS c, "交易日期" AS d, sum("金额") AS a FROM read_parquet('{sys.argv[1]}')
                  WHERE "客户编号" IS NOT NULL AND "交易日期" IS NOT NULL GROUP BY ALL)
    SELECT c, min(d) AS first_day, max(d) AS last_day, count(*) AS n_days, sum(a) AS total FROM days
    GROUP BY c ORDER BY c''').fetchnumpy()
print(len(per["c"]))
"""

BASE_ROWS = 1_000_000


def write_base(path: Path, seed: int = 20261203) -> int:
    """The seeded base log (customer number, day, amount) as parquet; returns its rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from crmlab import worlds

    log = worlds.make("transactions", seed=seed, n_customers=22_000, alpha=2.0, b=100.0).tables["transactions"]
    log = log.iloc[:BASE_ROWS]
    pq.write_table(pa.table({"c": log["customer_id"].astype("int64").to_numpy(),
                             "d": pa.array(log["date"].to_numpy().astype("datetime64[D]"), pa.date32()),
                             "a": log["amount"].to_numpy()}), path)
    return len(log)


def write_export(base: Path, path: Path, n_rows: int, spill: Path) -> int:
    """The messy typed export of about ``n_rows`` rows (see the module docstring), written by DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET memory_limit='2GB'")
    con.execute(f"SET temp_directory='{spill}'")
    con.execute("SET preserve_insertion_order=false")
    con.execute(f"CREATE VIEW base AS SELECT row_number() OVER () AS k, * FROM read_parquet('{base}')")
    con.execute("CREATE TABLE b AS SELECT * FROM base")
    n_base = con.execute("SELECT count(*) FROM b").fetchone()[0]
    copies = max(1, round(n_rows / n_base))
    con.execute(f"""COPY (
        WITH x AS (SELECT r.rep, b.k, b.c, b.d, b.a, hash(r.rep, b.k) % 1000 AS u
                   FROM range({copies}) r(rep) CROSS JOIN b)
        SELECT rep * {n_base} + k AS "订单号",
               CASE WHEN u < 10 THEN NULL ELSE 'C' || lpad(CAST(c AS VARCHAR), 7, '0') || '-' || CAST(rep AS VARCHAR) END
                   AS "客户编号",
               CASE WHEN u BETWEEN 10 AND 14 THEN NULL ELSE d END AS "交易日期",
               round(CASE WHEN u BETWEEN 100 AND 149 THEN -0.5 * a ELSE a END, 2) AS "金额",
               'S' || CAST(k % 37 AS VARCHAR) AS "门店"
        FROM x
        UNION ALL  -- exported twice
        SELECT rep * {n_base} + k, 'C' || lpad(CAST(c AS VARCHAR), 7, '0') || '-' || CAST(rep AS VARCHAR), d,
               round(a, 2), 'S' || CAST(k % 37 AS VARCHAR) FROM x WHERE u BETWEEN 200 AND 204
        UNION ALL
        SELECT NULL, '合计', DATE '2025-12-31', NULL, NULL
    ) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 1000000)""")
    return con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]


def _measure(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"benchmark run failed with exit status {result['rc']}: {result['err'][-800:]}")
    return result


def run(quick: bool, sizes=None) -> list[dict]:
    sizes = sizes or ([1_000_000, 2_000_000] if quick else [2_000_000, 10_000_000, 100_000_000])
    rows = []
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-large-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base.parquet"
        write_base(base)
        for size in sizes:
            src = tmp / f"export_{size}.parquet"
            t0 = time.perf_counter()
            n = write_export(base, src, size, tmp / "spill")
            gen = time.perf_counter() - t0
            note = (f"{n:,} rows, {src.stat().st_size / 2**20:,.0f} MB parquet (generated in {gen:.0f} s), "
                    f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
            args = [str(src), "--customer", "客户编号", "--date", "交易日期", "--amount", "金额", "--order", "订单号",
                    "--allow-exclusions"]
            label = f"{size // 1_000_000}M"
            runs = {"duckdb": ["--engine", "duckdb"]}
            if size <= 10_000_000:
                runs["memory"] = ["--engine", "memory"]
            for engine, extra in runs.items():
                out = tmp / f"out_{engine}_{size}"
                got = _measure([sys.executable, "-c", _COMMAND, *args, "--out", str(out), *extra])
                fitted = "CLV models fitted" in got["out"]
                rows += [
                    {"name": f"analyze_{label}_{engine}_seconds", "value": round(got["seconds"], 1), "unit": "s",
                     "note": f"whole `crmlab analyze --engine {engine}` (clean, models, report), {note}; "
                             f"BG/NBD + Gamma-Gamma {'fitted' if fitted else 'not fitted'}"},
                    {"name": f"analyze_{label}_{engine}_peak_rss", "value": round(got["max_rss_mb"]), "unit": "MB",
                     "note": "peak resident memory of the command"},
                ]
                subprocess.run(["rm", "-rf", str(out)], check=False)
            (tmp / "floor_spill").mkdir(exist_ok=True)
            floor = _measure([sys.executable, "-c", _FLOOR, str(src), str(tmp / "floor_spill")])
            rows += [
                {"name": f"analyze_{label}_floor_seconds", "value": round(floor["seconds"], 1), "unit": "s",
                 "note": "hand-written DuckDB SQL summary of the same file (memory limit 1 GB, as the command): the floor"},
                {"name": f"analyze_{label}_floor_peak_rss", "value": round(floor["max_rss_mb"]), "unit": "MB",
                 "note": "peak resident memory of the SQL floor"},
            ]
            src.unlink()
    return rows


if __name__ == "__main__":  # pragma: no cover
    quick = "--quick" in sys.argv
    sizes = [int(float(a)) for a in sys.argv[1:] if a[0].isdigit()] or None
    for row in run(quick, sizes):
        print(f"{row['name']:<34} {row['value']:>10} {row['unit']:<3} {row['note']}", flush=True)
