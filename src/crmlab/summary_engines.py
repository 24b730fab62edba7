"""The transaction → customer reduction of :func:`crmlab.rfm.rfm_summary` on engines beyond pandas.

:func:`crmlab.rfm.rfm_summary` has one definition of the summary (same-day purchases merged, ``frequency``
= repeat purchase days, ``recency`` and ``T`` from the first purchase day, ``monetary_value`` = mean spend
of the repeat days, nothing after ``observation_end``). What differs between engines is only where the
per-customer reduction runs - first and last purchase day, the number of purchase days, the total spend and
the spend of the repeat days - and that is all this module computes:

- :func:`customer_days_duckdb`: a parquet or CSV file (or a glob, or a folder of parquet files), or a DuckDB
  relation, reduced by DuckDB out of core (it spills to disk), so a log larger than memory can be
  summarised on one machine;
- :func:`customer_days_dask`: a Dask DataFrame (a log partitioned across a cluster's workers), reduced with
  Dask's group-bys; only the per-customer result comes back.

Both return the same per-customer arrays as the pandas path, which :func:`crmlab.rfm.rfm_summary` turns
into the summary with the same code. Integer results (days, counts) are identical to pandas'; spend sums
are identical up to the order in which floating-point additions happen (a relative difference below
1e-12), which the engine comparison test states.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["is_duckdb_input", "is_dask_input", "customer_days_duckdb", "customer_days_dask", "duckdb_limits",
           "connect", "exact_sum"]

_REFUND_HINT = ("refunds and returns must be netted against the purchases they reverse before summarising "
                "(crmlab does not guess which purchase a refund belongs to)")


def is_duckdb_input(obj) -> bool:
    """A file path (str or PathLike), or a DuckDB relation."""
    return isinstance(obj, (str, os.PathLike)) or type(obj).__name__ == "DuckDBPyRelation"


def is_dask_input(obj) -> bool:
    """A Dask DataFrame (checked by its module, so that dask is imported only when it is used)."""
    return type(obj).__module__.startswith("dask") and hasattr(obj, "npartitions")


#: A DuckDB memory size: a number and a unit (``512MB``, ``1.5GB``, ``2GiB``).
MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(K|M|G|T)i?B", re.IGNORECASE)
#: DuckDB settings for the connections this module opens (None: DuckDB's own defaults), set for a block of
#: work with :func:`duckdb_limits` - ``crmlab analyze`` caps DuckDB's memory this way.
_LIMITS = {"memory_limit": None, "temp_directory": None}


@contextmanager
def duckdb_limits(memory_limit: str | None = None, temp_directory=None):
    """Within the block, DuckDB connections opened by crmlab use this memory limit (``"2GB"``) and spill to
    ``temp_directory``; the previous settings come back after it."""
    before = dict(_LIMITS)
    _LIMITS.update(memory_limit=memory_limit, temp_directory=None if temp_directory is None else str(temp_directory))
    try:
        yield
    finally:
        _LIMITS.update(before)


def connect(memory_limit: str | None = None, temp_directory=None):
    """A DuckDB connection in UTC with the given limits, else those of :func:`duckdb_limits`, else DuckDB's."""
    import duckdb

    memory_limit = memory_limit or _LIMITS["memory_limit"]
    temp_directory = temp_directory or _LIMITS["temp_directory"]
    if memory_limit and not MEMORY_LIMIT.fullmatch(str(memory_limit)):
        raise ValueError(f"memory_limit must be a size such as 512MB or 2GB, got {memory_limit!r}")
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit='{memory_limit}'")
    if temp_directory:
        con.execute("SET temp_directory='" + str(temp_directory).replace("'", "''") + "'")
    con.execute("SET preserve_insertion_order=false")
    con.execute("SET TimeZone='UTC'")
    return con


def exact_sum(expr: str) -> str:
    """SQL for the sum of ``expr`` (amounts) that is the same whatever order DuckDB's threads add in: the
    values as DECIMAL(38, 9) (exact to a billionth, up to 10^29), summed exactly, then as DOUBLE. A sum of
    doubles depends on the order of the additions, which a parallel aggregation does not fix, so two runs
    on the same file could differ in the last bits - and a day netting to zero could come out as 1e-17.
    Callers refuse or exclude non-finite amounts first (they would be left out of the sum)."""
    # the CASE keeps a NaN the query filters out from being cast before the filter applies
    return f"CAST(sum(CAST(CASE WHEN isfinite({expr}) THEN {expr} END AS DECIMAL(38, 9))) AS DOUBLE)"


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _relation(con, source):
    if type(source).__name__ == "DuckDBPyRelation":
        return source
    path = Path(source)
    text = str(source)
    if path.is_dir():
        text = str(path / "**" / "*.parquet")
    elif not any(ch in text for ch in "*?[") and not path.is_file():
        raise ValueError(f"transactions file not found: {source}")
    lower = text.lower()
    if lower.endswith((".parquet", ".pq")):
        return con.read_parquet(text)
    if lower.endswith((".csv", ".txt", ".tsv", ".csv.gz")):
        return con.read_csv(text)
    raise ValueError(f"transactions file {source}: expected a .parquet or .csv file (or a folder of parquet files)")


def customer_days_duckdb(source, customer_col: str, date_col: str, amount_col: str | None, observation_end,
                         *, memory_limit: str | None = None, temp_directory: str | None = None):
    """The per-customer reduction of ``source`` (a file path or a DuckDB relation), by DuckDB.

    ``memory_limit`` (e.g. ``"2GB"``) and ``temp_directory`` are DuckDB's settings for work larger than
    memory (it spills to the temporary directory); without them, those of :func:`duckdb_limits`. Returns the
    ``_CustomerDays`` of :mod:`crmlab.rfm`.
    """
    from .rfm import _CustomerDays, _observation_day

    con = connect(memory_limit, temp_directory) if type(source).__name__ != "DuckDBPyRelation" else None
    rel = _relation(con, source)
    types = dict(zip(rel.columns, [str(t) for t in rel.types]))
    wanted = {"customer_col": customer_col, "date_col": date_col}
    if amount_col is not None:
        wanted["amount_col"] = amount_col
    for arg, col in wanted.items():
        if col not in types:
            raise ValueError(f"transactions has no column {col!r} ({arg}); its columns are: "
                             f"{', '.join(map(repr, rel.columns))}")
    dtype = types[date_col].upper()
    if not (dtype.startswith("DATE") or dtype.startswith("TIMESTAMP")):
        raise ValueError(f"column {date_col!r} of transactions is {types[date_col]}, not a date or timestamp: "
                         "parse the dates first (crmlab analyze does, and writes a clean parquet file)")
    c, d = _quote(customer_col), _quote(date_col)
    amount = f"CAST({_quote(amount_col)} AS DOUBLE)" if amount_col is not None else "0.0"
    base = rel.query("src", f"SELECT {c} AS c, date_diff('day', DATE '1970-01-01', CAST({d} AS DATE)) AS day, "
                            f"{amount} AS a FROM src")
    stats = base.query("b", "SELECT count(*) - count(c), count(*) - count(day), min(day), max(day), "
                            "count(*) FILTER (WHERE a < 0), count(*) - count(a) + count(*) FILTER (WHERE NOT isfinite(a)) FROM b").fetchall()[0]
    missing_id, missing_day, first_day, last_day, negative, missing_amount = stats
    if missing_id:
        raise ValueError(f"column {customer_col!r} of transactions has {missing_id} missing customer id(s)")
    if missing_day:
        raise ValueError(f"column {date_col!r} of transactions has {missing_day} missing date(s)")
    if first_day is None:
        raise ValueError("transactions is empty: there is nothing to summarise")
    if amount_col is not None and missing_amount:
        raise ValueError(f"column {amount_col!r} of transactions has {missing_amount} missing or infinite amount(s)")
    if amount_col is not None and negative:
        raise ValueError(f"column {amount_col!r} of transactions has {negative} negative amount(s); {_REFUND_HINT}")
    end_day = _observation_day(observation_end, int(first_day), int(last_day))
    # aggregations and a hash join only (no window over all customer-days): each spills to disk when it must
    per = base.query("b", f"""
        WITH days AS (SELECT c, day, {exact_sum('a')} AS a FROM b WHERE day <= {end_day} GROUP BY c, day),
             firsts AS (SELECT c, min(day) AS f FROM days GROUP BY c)
        SELECT c, min(day) AS first_day, max(day) AS last_day, count(*) AS n_days, {exact_sum('a')} AS total,
               {exact_sum('CASE WHEN day > f THEN a ELSE 0.0 END')} AS repeat_total
        FROM days JOIN firsts USING (c) GROUP BY c ORDER BY c""").fetchnumpy()
    ids = per["c"]
    ids = ids.to_numpy() if hasattr(ids, "to_numpy") else np.asarray(ids)
    index = pd.Index(list(ids) if ids.dtype == object else ids, name=customer_col)
    has_amount = amount_col is not None
    return _CustomerDays(index=index, first_day=np.asarray(per["first_day"], dtype=np.int64),
                         last_day=np.asarray(per["last_day"], dtype=np.int64),
                         n_days=np.asarray(per["n_days"], dtype=np.int64),
                         total=np.asarray(per["total"], dtype=np.float64) if has_amount else None,
                         repeat_total=np.asarray(per["repeat_total"], dtype=np.float64) if has_amount else None,
                         end_day=end_day)


def _days(s: pd.Series) -> pd.Series:
    return pd.Series(s.to_numpy().astype("datetime64[D]").astype(np.int64), index=s.index, name="_day")


def customer_days_dask(ddf, customer_col: str, date_col: str, amount_col: str | None, observation_end):
    """The per-customer reduction of a Dask DataFrame, computed by Dask (on a cluster when a
    :class:`distributed.Client` is the default); returns the ``_CustomerDays`` of :mod:`crmlab.rfm`."""
    import dask

    from .rfm import _CustomerDays, _observation_day

    cols = [customer_col, date_col] + ([amount_col] if amount_col is not None else [])
    for arg, col in zip(("customer_col", "date_col", "amount_col"), cols):
        if col not in ddf.columns:
            raise ValueError(f"transactions has no column {col!r} ({arg}); its columns are: "
                             f"{', '.join(map(repr, ddf.columns))}")
    if not pd.api.types.is_datetime64_any_dtype(ddf[date_col].dtype):
        raise ValueError(f"column {date_col!r} of transactions is {ddf[date_col].dtype}, not datetime64: parse the "
                         "dates first (e.g. dd.to_datetime with an explicit format)")
    t = ddf[cols]
    t = t.assign(_day=t[date_col].map_partitions(_days, meta=("_day", "int64")))
    if amount_col is None:
        t = t.assign(_a=0.0)
        amount_col_ = "_a"
    else:
        amount_col_ = amount_col
    missing, first_day, last_day, negative = dask.compute(
        t[customer_col].isna().sum(), t["_day"].min(), t["_day"].max(), (t[amount_col_] < 0).sum())
    if missing:
        raise ValueError(f"column {customer_col!r} of transactions has {int(missing)} missing customer id(s)")
    if negative:
        raise ValueError(f"column {amount_col!r} of transactions has {int(negative)} negative amount(s); {_REFUND_HINT}")
    end_day = _observation_day(observation_end, int(first_day), int(last_day))
    t = t[t["_day"] <= end_day]
    days = t.groupby([customer_col, "_day"])[amount_col_].sum().reset_index()
    first = days.groupby(customer_col)["_day"].min().rename("_first").reset_index()
    days = days.merge(first, on=customer_col)
    days = days.assign(_rep=days[amount_col_].where(days["_day"] > days["_first"], 0.0))
    per = (days.groupby(customer_col)
           .agg({"_day": ["min", "max", "count"], amount_col_: "sum", "_rep": "sum"})
           .compute())
    per.columns = ["first_day", "last_day", "n_days", "total", "repeat_total"]
    per = per.sort_index()
    has_amount = amount_col is not None
    return _CustomerDays(index=pd.Index(per.index, name=customer_col),
                         first_day=per["first_day"].to_numpy(np.int64), last_day=per["last_day"].to_numpy(np.int64),
                         n_days=per["n_days"].to_numpy(np.int64),
                         total=per["total"].to_numpy(np.float64) if has_amount else None,
                         repeat_total=per["repeat_total"].to_numpy(np.float64) if has_amount else None,
                         end_day=end_day)
