"""From a client's raw transaction export to an honest first customer-value analysis (``crmlab analyze``).

A consultant's file is a CSV, Excel or parquet export with local column names, currency strings, local
date formats, blank ids and refunds. This package turns it into a canonical log, accounts for every row
it could not use, and computes one row per customer (RFM segment, ABC class, profit, expected purchases,
CLV). It is built in layers, each a module that reads on its own; a layer only calls the ones listed
before it:

:mod:`~crmlab.analyze.values`
    values of any kind (arrow, pandas, lists) as one pyarrow Array - shared by reading and parsing.
:mod:`~crmlab.analyze.read`
    open a CSV, Excel or parquet file (or a DataFrame), find the named columns, stream them in batches.
:mod:`~crmlab.analyze.parse`
    amounts written as currency text, dates in mixed local styles (read by :mod:`crmlab._dates`, shared
    with the rest of crmlab), customer ids: one column in, parsed values out.
:mod:`~crmlab.analyze.clean`
    :func:`clean_transactions`: read + parse + the data-quality account (every row used or excluded under
    one reason: totals rows, blank ids, unreadable dates and amounts, duplicates, refunds), same-day
    merging, pseudonyms.
:mod:`~crmlab.analyze.sqlclean`
    :func:`~crmlab.analyze.sqlclean.clean_parquet`: the same rules and the same data-quality account run by
    DuckDB on a typed parquet export, out of core, writing the clean file with ``COPY`` (for exports larger
    than memory; ``crmlab analyze --engine duckdb``).
:mod:`~crmlab.analyze.store`
    the clean file: :func:`write_clean` to parquet with its quality table, :func:`load_transactions` back.
:mod:`~crmlab.analyze.logs`
    the few questions the report asks of the clean log itself (its dates, recent spend, holdout purchases),
    on a DataFrame with pandas or on the clean file with DuckDB.
:mod:`~crmlab.analyze.model`
    :func:`customer_value`: the per-customer table from crmlab's RFM, ABC and BG/NBD + Gamma-Gamma CLV.
:mod:`~crmlab.analyze.client`
    :func:`~crmlab.analyze.client.client_report`: the consultant's deliverable (findings and charts, no
    code, English or Chinese) from the per-customer analysis and the data-quality account.
:mod:`~crmlab.analyze.report`
    :func:`write_report`: ``report.html`` (the client report) and ``customers.csv`` in the output folder;
    :func:`~crmlab.analyze.report.write_notebook`: the customer-value teaching notebook run on the clean file.

The ``crmlab analyze`` command itself (options, messages, exit status) is in :mod:`crmlab.cli`; nothing
here imports it.

Example
-------
>>> import pandas as pd
>>> raw = pd.DataFrame({"客户": ["A", "A", "B"], "日期": ["2024-01-02", "2024-02-03", "2024-01-05"],
...                     "金额": ["¥10", "¥5", "(3)"]})
>>> res = clean_transactions(raw, customer_col="客户", date_col="日期", amount_col="金额")
>>> res
CleanResult(DataFrame: 3 rows read, 2 used, 2 customer-days, observation_end=2024-02-03)
>>> customer_value(res.transactions, min_repeat_buyers=2).customers["frequency"].tolist()
[2]
"""
from .clean import DUPLICATE_POLICIES, REASONS, REFUND_POLICIES, CleanResult, clean_transactions, pseudonymize
from .model import CustomerValue, customer_value
from .parse import infer_date_format, parse_amounts, parse_dates
from .report import write_report
from .store import load_transactions, write_clean

__all__ = ["REASONS", "REFUND_POLICIES", "DUPLICATE_POLICIES", "CleanResult", "CustomerValue", "parse_amounts", "parse_dates",
           "infer_date_format", "pseudonymize", "clean_transactions", "write_clean", "load_transactions",
           "customer_value", "write_report"]
