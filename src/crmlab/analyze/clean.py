"""Cleaning: from the raw rows of an export to the canonical log, with an account of every row left out.

:func:`clean_transactions` draws batches from :mod:`crmlab.analyze.read`, parses them with
:mod:`crmlab.analyze.parse`, and returns a :class:`CleanResult`: the canonical log - one row per
customer and purchase day, columns ``customer_id`` (text), ``date``, ``amount`` (net spend of the day)
and ``rows`` (source rows merged) - and a data-quality table. Each row read is either used or excluded
under exactly one reason, checked in this order:

``blank_id``
    customer id empty, whitespace only, or a placeholder (``null``, ``none``, ``nan``, ``n/a``, ``na``, ``-``).
``unparsable_date``
    the date does not parse with ``date_format`` (or the format inferred from the first rows).
``unparsable_amount``
    the amount is not a number once currency marks and thousands separators are removed.
``out_of_period``
    the date is after ``observation_end``.
``refund``
    refund policy ``drop``: every negative amount; policy ``net``: the rows of a customer-day that held a
    refund and whose net (purchases minus refunds of that customer on that day) is <= 0 - a refund with
    no purchase of the same customer on the same day is never matched to an earlier purchase (crmlab does
    not guess which purchase it reverses). Policy ``error`` stops at the first negative amounts instead.

Pseudonymisation (:func:`pseudonymize`): with a key, every customer id is replaced by ``c_`` + the first
20 hex digits of HMAC-SHA256(key, id) before anything is returned, so outputs can be shared; the same id
gets the same pseudonym within one key (one run). Drawing, showing and forgetting the key is the
caller's business (``crmlab analyze --pseudonymize`` prints a random one once and writes it nowhere).

Memory: of each batch only the valid rows' customer id, day, amount and row number are kept (about 40
bytes a row); same-day merging is one sort of an integer key. A 10-million-row CSV is cleaned in under
half a minute with a peak of about 2 GB (``bench/bench_analyze.py``).

This layer does not read files or parse text itself, does not write anything (see
:mod:`crmlab.analyze.store`) and computes no customer metric (see :mod:`crmlab.analyze.model`).

Sources: data-preparation steps of lifetimes' ``summary_data_from_transaction_data`` (same-day merge);
HMAC: RFC 2104; exclusion reasons and refund policies are crmlab's.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._validate import check_choice
from ..errors import CrmlabError
from .parse import clean_ids, infer_date_format, observation_end_day, parse_amounts, parse_dates
from .read import read_columns
from .values import to_arrow

__all__ = ["REASONS", "REFUND_POLICIES", "CleanResult", "clean_transactions", "pseudonymize"]

REFUND_POLICIES = ("net", "drop", "error")
REASONS = {
    "blank_id": "customer id blank, whitespace or a placeholder (null, n/a, -)",
    "unparsable_date": "date does not parse",
    "unparsable_amount": "amount is not a number",
    "out_of_period": "date after observation_end",
    "refund": "refund policy",
}
_REFUND_TEXT = {"net": "refund with no same-day purchase to net against, or day net <= 0",
                "drop": "refund (negative amount) dropped"}
_N_EXAMPLES = 3


# --- pseudonyms ------------------------------------------------------------------------------------------
def pseudonymize(ids, key: bytes) -> np.ndarray:
    """Replace ids by keyed hashes: ``"c_"`` + the first 20 hex digits of HMAC-SHA256(key, id as UTF-8).

    The same id and key always give the same pseudonym; without the key the mapping cannot be rebuilt by
    hashing guessed ids. Each distinct id is hashed once (hashlib has no vectorised form).

    Parameters
    ----------
    ids : array-like of str
    key : bytes
        At least 16 bytes, e.g. ``secrets.token_bytes(32)``.

    Returns
    -------
    numpy array of pseudonyms aligned with ``ids``.

    Example
    -------
    >>> p = pseudonymize(["A1", "B2", "A1"], b"k" * 32)
    >>> p[0] == p[2], p[0] != p[1], p[0][:2]
    (True, True, 'c_')

    Source: RFC 2104 (HMAC); NIST FIPS 180-4 (SHA-256).
    """
    if not isinstance(key, bytes) or len(key) < 16:
        raise ValueError("key must be at least 16 bytes, e.g. secrets.token_bytes(32)")
    arr = pc.cast(to_arrow(ids), pa.string())
    if arr.null_count:
        raise ValueError(f"ids has {arr.null_count} missing value(s); drop blank ids before pseudonymising")
    encoded = pc.dictionary_encode(arr)
    names = [("c_" + hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:20])
             for v in encoded.dictionary.to_pylist()]  # once per distinct id
    if len(set(names)) != len(names):  # 80-bit prefixes: practically impossible, but never silently merge
        raise ValueError("two customer ids received the same pseudonym; run again (a new key is drawn)")
    return np.asarray(names, dtype=object)[encoded.indices.to_numpy(zero_copy_only=False)]


# --- the data-quality account ------------------------------------------------------------------------------
@dataclass
class _Tally:
    """Row counts and first examples per exclusion reason, and the customer-days netted (policy ``net``)."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    examples: dict = field(default_factory=lambda: {k: [] for k in REASONS})
    netted: int = 0

    def add(self, reason: str, mask: np.ndarray, raw: pa.Array | None, first_row: int,
            note=None) -> None:
        n = int(mask.sum())
        if not n:
            return
        self.counts[reason] += n
        room = _N_EXAMPLES - len(self.examples[reason])
        if room > 0:
            idx = np.flatnonzero(mask)[:room]
            for i in idx:
                shown = note(i) if note else repr(raw[int(i)].as_py())
                self.examples[reason].append(f"row {first_row + int(i) + 1}: {shown}")


def _quality_table(n_read: int, used: int, tally: _Tally, refunds: str) -> pd.DataFrame:
    rows = [("rows_read", "total", "rows read from the file", n_read, "")]
    for reason, text in REASONS.items():
        if reason == "refund":
            text = _REFUND_TEXT.get(refunds, "refunds stop the run (--refunds error)")
        rows.append((reason, "excluded", text, tally.counts[reason], " | ".join(tally.examples[reason])))
    rows.append(("rows_used", "used", "rows used in the analysis", used, ""))
    if refunds == "net":
        rows.append(("refund_days_netted", "info", "customer-days where refunds were subtracted from "
                     "same-day purchases (kept, net > 0)", tally.netted, ""))
    out = pd.DataFrame(rows, columns=["item", "kind", "description", "rows", "examples"])
    out.insert(4, "share", np.round(out["rows"] / n_read, 6))
    return out


@dataclass(frozen=True)
class CleanResult:
    """Result of :func:`clean_transactions`.

    ``transactions``: DataFrame, one row per customer and purchase day (``customer_id`` str, ``date``
    datetime64, ``amount`` float = the day's net spend, ``rows`` = source rows merged), sorted by customer
    and date. ``quality``: DataFrame with one row per line of the data-quality report (``item``, ``kind``
    in total/excluded/used/info, ``description``, ``rows``, ``share`` of rows read, ``examples``).
    ``observation_end``: the last day analysed. ``date_format``, ``decimal``, ``refunds``,
    ``pseudonymized`` and ``source`` record how the file was read.
    """

    transactions: pd.DataFrame
    quality: pd.DataFrame
    observation_end: pd.Timestamp
    date_format: str | None
    decimal: str
    refunds: str
    pseudonymized: bool
    source: str

    @property
    def rows_read(self) -> int:
        return int(self.quality.loc[self.quality["item"] == "rows_read", "rows"].iloc[0])

    def __repr__(self) -> str:
        used = int(self.quality.loc[self.quality["item"] == "rows_used", "rows"].iloc[0])
        return (f"CleanResult({self.source}: {self.rows_read} rows read, {used} used, "
                f"{len(self.transactions)} customer-days, observation_end={self.observation_end.date()})")


# --- cleaning --------------------------------------------------------------------------------------------
def _refund_error(rows: np.ndarray, raw: pa.Array, idx: np.ndarray, total: int) -> CrmlabError:
    shown = ", ".join(f"row {int(rows[i])} (amount {raw[int(i)].as_py()!r})" for i in idx[:5])
    return CrmlabError(f"refunds: found negative amounts with --refunds error, first {shown}"
                       f"{' ...' if total > 5 else ''}; use --refunds net to subtract them from the same "
                       "day's purchases or --refunds drop to exclude them")


def clean_transactions(source, *, customer_col: str, date_col: str, amount_col: str,
                       date_format: str | None = None, decimal: str = "auto", refunds: str = "net",
                       observation_end=None, key: bytes | None = None,
                       encoding: str = "utf-8") -> CleanResult:
    """Read a raw transaction export and return the clean per-customer-day log and its data-quality report.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv`` (any of ``, ; tab |`` as delimiter), ``.xlsx`` or ``.parquet`` file, or a DataFrame.
    customer_col, date_col, amount_col : str
        Column names in the file, any language (``"客户编号"``).
    date_format : str, optional
        strptime format of the dates; inferred when omitted (see :func:`~crmlab.analyze.parse.infer_date_format`).
    decimal : {"auto", ".", ","}
        Decimal mark of the amounts (see :func:`~crmlab.analyze.parse.parse_amounts`).
    refunds : {"net", "drop", "error"}
        What to do with negative amounts (see the module docstring).
    observation_end : date-like, optional
        Last day analysed; later rows are excluded as ``out_of_period``. Default: the last valid date.
    key : bytes, optional
        Pseudonymise customer ids with this HMAC key (:func:`pseudonymize`).
    encoding : str
        Text encoding of a CSV file (``gb18030`` for many Chinese exports).

    Returns
    -------
    :class:`CleanResult`. Every row read is used or counted under one reason: the ``excluded`` rows plus
    ``rows_used`` add up to ``rows_read``.

    Example
    -------
    >>> raw = pd.DataFrame({"客户": ["A", " ", "A", "B"], "日期": ["2024-01-02", "2024-01-03", "bad", "2024-01-05"],
    ...                     "金额": ["¥10", "¥5", "¥7", "(3)"]})
    >>> res = clean_transactions(raw, customer_col="客户", date_col="日期", amount_col="金额", refunds="drop")
    >>> res.quality.set_index("item")["rows"].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'rows_read': 4, 'blank_id': 1, 'unparsable_date': 1, 'unparsable_amount': 0, 'out_of_period': 0,
     'refund': 1, 'rows_used': 1}

    Source: data-preparation steps of lifetimes' ``summary_data_from_transaction_data`` (same-day merge);
    exclusion reasons and refund policies are crmlab's (see the module docstring).
    """
    check_choice(refunds, "refunds", REFUND_POLICIES)
    check_choice(decimal, "decimal", ("auto", ".", ","))
    for name, col in (("customer_col", customer_col), ("date_col", date_col), ("amount_col", amount_col)):
        if not isinstance(col, str) or not col:
            raise TypeError(f"{name} must be a column name, got {col!r}")
    if len({customer_col, date_col, amount_col}) < 3:
        raise ValueError("customer_col, date_col and amount_col must be three different columns")
    end = observation_end_day(observation_end)
    batches, label = read_columns(source, {"customer": customer_col, "date": date_col, "amount": amount_col},
                                  encoding)
    tally = _Tally()
    kept: dict[str, list] = {"id": [], "day": [], "amount": [], "row": []}
    n_read, fmt_used, mark = 0, date_format or None, decimal
    for batch in batches:
        n = batch.num_rows
        rows = np.arange(n_read + 1, n_read + n + 1, dtype=np.int64)
        ids = clean_ids(batch.column(0))
        blank = ids.is_null().to_numpy(zero_copy_only=False)
        tally.add("blank_id", blank, batch.column(0), n_read)
        date_raw = batch.column(1)
        if fmt_used is None and not (pa.types.is_timestamp(date_raw.type) or pa.types.is_date(date_raw.type)):
            try:
                fmt_used = infer_date_format(date_raw.filter(pa.array(~blank)))
            except ValueError as exc:
                raise CrmlabError(f"column {date_col!r}: {exc}") from None
        days, _ = parse_dates(date_raw, fmt_used)
        bad_date = np.isnat(days) & ~blank
        tally.add("unparsable_date", bad_date, date_raw, n_read)
        amount_raw = batch.column(2)
        amounts, mark = parse_amounts(amount_raw, mark)
        bad_amount = np.isnan(amounts) & ~blank & ~bad_date
        tally.add("unparsable_amount", bad_amount, amount_raw, n_read)
        ok = ~(blank | bad_date | bad_amount)
        day_num = days.astype(np.int64)
        if end is not None:
            late = ok & (day_num > end)
            tally.add("out_of_period", late, date_raw, n_read)
            ok &= ~late
        negative = ok & (amounts < 0)
        if refunds == "error" and negative.any():
            raise _refund_error(rows, amount_raw, np.flatnonzero(negative), int(negative.sum()))
        if refunds == "drop":
            tally.add("refund", negative, amount_raw, n_read)
            ok &= ~negative
        kept["id"].append(ids.filter(pa.array(ok)))
        kept["day"].append(day_num[ok].astype(np.int32))
        kept["amount"].append(amounts[ok])
        kept["row"].append(rows[ok])
        n_read += n
    if n_read == 0:
        raise CrmlabError(f"{label} has no data rows")
    ids = pa.chunked_array(kept["id"], type=pa.string())
    if len(ids) == 0:
        raise CrmlabError(f"{label}: none of the {n_read} rows is usable; see the reasons: "
                          + ", ".join(f"{k} {v}" for k, v in tally.counts.items() if v))
    encoded = pc.dictionary_encode(ids.combine_chunks())  # one integer code per distinct customer id
    del ids
    names = encoded.dictionary
    if key is not None:
        names = pa.array(pseudonymize(names, key), type=pa.string())
    by_name = pc.sort_indices(names)
    rank = np.empty(len(names), dtype=np.int64)  # codes renumbered in id order, so the output comes sorted
    rank[by_name.to_numpy()] = np.arange(len(names))
    day_all = np.concatenate(kept["day"]).astype(np.int64)
    if end is None:
        end = int(day_all.max())
    customer, days, amounts, counts = _merge_days(rank[encoded.indices.to_numpy(zero_copy_only=False)], day_all,
                                                  np.concatenate(kept["amount"]), np.concatenate(kept["row"]),
                                                  refunds, tally)
    del kept, day_all, encoded
    if len(customer) == 0:
        raise CrmlabError(f"{label}: no purchases are left after the refund policy {refunds!r}")
    frame = pd.DataFrame({
        "customer_id": names.take(by_name).to_pandas().astype("str").take(customer).reset_index(drop=True),
        "date": days.astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": amounts,
        "rows": counts,
    })
    quality = _quality_table(n_read, int(counts.sum()), tally, refunds)
    return CleanResult(transactions=frame, quality=quality,
                       observation_end=pd.Timestamp(np.datetime64(end, "D")), date_format=fmt_used, decimal=mark,
                       refunds=refunds, pseudonymized=key is not None, source=label)


def _merge_days(customer: np.ndarray, days: np.ndarray, amounts: np.ndarray, rows: np.ndarray, refunds: str,
                tally: _Tally) -> tuple[np.ndarray, ...]:
    """Sum each customer's rows per day; under ``net``, drop refund days whose net is <= 0 (counted).

    Returns (customer, day, net amount, rows merged) per kept customer-day, sorted by customer then day.
    One stable sort of an integer (customer, day) key, then reductions over the runs: sums are added in
    row order, so the result is reproducible to the last bit.
    """
    day0 = int(days.min())
    span = int(days.max()) - day0 + 1
    key = customer * span + (days - day0)
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sorted_amounts = amounts[order]
    net = np.add.reduceat(sorted_amounts, starts)
    low = np.minimum.reduceat(sorted_amounts, starts)
    del sorted_amounts
    count = np.diff(np.r_[starts, len(key)])
    first_rows = rows[order[starts]]  # stable sort: the first row of a run is its earliest in the file
    key = key[starts]
    day = key % span + day0
    if refunds == "net":
        netted_away = (low < 0) & (net <= 0)
        hits = np.flatnonzero(netted_away)
        hits = hits[np.argsort(first_rows[hits], kind="stable")[:_N_EXAMPLES]]
        tally.counts["refund"] += int(count[netted_away].sum())
        tally.examples["refund"] = [f"row {int(first_rows[i])}: {count[i]} row(s) of one customer on "
                                    f"{np.datetime64(int(day[i]), 'D')} net {net[i]:.2f}" for i in hits]
        tally.netted = int(np.sum((low < 0) & ~netted_away))
        keep = ~netted_away
        key, day, net, count = key[keep], day[keep], net[keep], count[keep]
    return key // span, day, net, count
