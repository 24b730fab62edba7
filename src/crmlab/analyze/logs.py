"""The few questions the report asks of the clean log itself, on pandas or on DuckDB.

The customer-value analysis works from per-customer summaries (:func:`crmlab.rfm.rfm_table`,
:func:`crmlab.rfm.rfm_summary`, which run on either engine); the client report also asks the log for its
first and last day, each customer's spend in the last twelve months and their purchase days in a holdout
period. A log is a DataFrame (``customer_id``, ``date``, ``amount``, one row per customer and day, as
:func:`~crmlab.analyze.clean.clean_transactions` returns it) or the path of a clean parquet file (as
:func:`~crmlab.analyze.sqlclean.clean_parquet` writes it), which DuckDB reads without loading it.

Example
-------
>>> import pandas as pd
>>> log = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, 5.0],
...                     "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"])})
>>> date_range(log)
(Timestamp('2024-01-01 00:00:00'), Timestamp('2024-03-01 00:00:00'))
>>> spend_after(log, "2024-01-15").to_dict(), purchases_between(log, "2024-01-15", "2024-02-15").to_dict()
({'a': 2.0, 'b': 5.0}, {'b': 1})
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["is_file_log", "date_range", "spend_after", "purchases_between"]


def is_file_log(log) -> bool:
    """A clean log on disk (read by DuckDB) rather than a DataFrame."""
    return not isinstance(log, pd.DataFrame)


def _sql(log, query: str):
    from ..summary_engines import connect

    con = connect()  # the limits crmlab analyze set, if any
    try:
        path = "'" + str(Path(log)).replace("'", "''") + "'"
        return con.execute(query.replace("LOG", f"read_parquet({path})")).fetchnumpy()
    finally:
        con.close()


def _day(when) -> str:
    return f"DATE '{pd.Timestamp(when).date()}'"


def date_range(log) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last purchase day of the log."""
    if not is_file_log(log):
        return pd.Timestamp(log["date"].min()).normalize(), pd.Timestamp(log["date"].max()).normalize()
    got = _sql(log, "SELECT min(date) AS lo, max(date) AS hi FROM LOG")
    return pd.Timestamp(got["lo"][0]).normalize(), pd.Timestamp(got["hi"][0]).normalize()


def spend_after(log, start) -> pd.Series:
    """Each customer's spend on the days after ``start`` (customers with none are absent)."""
    if not is_file_log(log):
        return log[log["date"] > pd.Timestamp(start)].groupby("customer_id")["amount"].sum()
    from ..summary_engines import exact_sum

    got = _sql(log, f"SELECT customer_id, {exact_sum('amount')} AS s FROM LOG WHERE date > {_day(start)} GROUP BY ALL")
    return pd.Series(got["s"], index=pd.Index(got["customer_id"], dtype=object), dtype=float)


def purchases_between(log, start, end) -> pd.Series:
    """Each customer's purchase days after ``start`` up to and including ``end`` (customers with none absent)."""
    if not is_file_log(log):
        t = log[(log["date"] > pd.Timestamp(start)) & (log["date"] <= pd.Timestamp(end))]
        return t.groupby("customer_id").size()
    got = _sql(log, f"SELECT customer_id, count(*) AS n FROM LOG WHERE date > {_day(start)} AND "
                    f"date <= {_day(end)} GROUP BY ALL")
    return pd.Series(got["n"], index=pd.Index(got["customer_id"], dtype=object), dtype="int64")
