"""Cleaning: from the raw rows of an export to the canonical log, with an account of every row left out.

:func:`clean_transactions` draws batches from :mod:`crmlab.analyze.read`, parses them with
:mod:`crmlab.analyze.parse`, and returns a :class:`CleanResult`: the canonical log - one row per
customer and purchase day, columns ``customer_id`` (text), ``date``, ``amount`` (net spend of the day)
and ``rows`` (source rows merged) - and a data-quality table. Each row read is either used or excluded
under exactly one reason, checked in this order:

``total_row``
    a text cell of any column is a totals label (合计, 总计, 小计, Total, Grand total, Subtotal, Sum, ...;
    :data:`TOTAL_WORDS`), whatever else the row holds - a totals row with a date and an amount is still
    not a purchase.
``blank_id``
    customer id empty, whitespace only, or a placeholder (``NULL``, ``N/A``, ``#N/A``, ``-``, or the
    ``blank_ids`` given). ``NA``, ``None`` are ids unless listed; ids are trimmed text, so ``"007"`` and
    ``"7"`` are two customers.
``unparsable_date``
    the date does not read (see :func:`~crmlab.analyze.parse.parse_dates`: each value in its own style).
``unparsable_amount``
    the amount is not a number once currency marks and thousands separators are removed.
``out_of_period``
    the date is after ``observation_end``.
``duplicate``
    the row equals an earlier row in every column of the file (not only the three read), or, with
    ``order_col``, repeats an earlier row's order id; the first is kept. ``duplicates="auto"`` (default)
    drops them when the file has a column besides customer, date and amount (an order id, a time, a
    product: something that tells a copy from a second equal purchase) or ``order_col`` is given; a file
    of only those three columns keeps equal rows as purchases and counts them under
    ``identical_rows_kept`` (info). ``"drop"`` always drops them, ``"keep"`` never compares rows. Rows
    are compared after the reasons above, so a repeated unreadable row is counted under its own reason.
    Rows are compared by a 64-bit hash of all their cells, and must also agree on customer, day and amount,
    so a hash collision cannot merge two different purchases.
``refund``
    refund policy ``drop``: every negative amount; policy ``net``: the rows of a customer-day that held a
    refund and whose net (purchases minus refunds of that customer on that day) is <= 0 (a net within
    :data:`NET_ZERO` of the day's gross, rounding noise of floating-point sums such as 0.1 + 0.2 - 0.3,
    counts as 0: a fully refunded order is not a purchase) - a refund with
    no purchase of the same customer on the same day is never matched to an earlier purchase (crmlab does
    not guess which purchase it reverses). Policy ``error`` stops at the first negative amounts instead.

The first three reasons (:data:`UNREADABLE`) mean the file could not be read as it is; ``crmlab analyze``
stops when they exceed :data:`UNREADABLE_LIMIT` of the rows, unless told ``--allow-exclusions``.

Pseudonymisation (:func:`pseudonymize`): with a key, every customer id is replaced by ``c_`` + the first
20 hex digits of HMAC-SHA256(key, id) before anything is returned, so outputs can be shared; the same id
gets the same pseudonym within one key (one run). Drawing, showing and forgetting the key is the
caller's business (``crmlab analyze --pseudonymize`` prints a random one once and writes it nowhere).

Memory: of each batch only the valid rows' customer id, day, amount and row number are kept (about 40
bytes a row); same-day merging is one sort of an integer key. A 10-million-row CSV is cleaned in under
half a minute with a peak of about 2 GB (``bench/bench_analyze.py``). Beyond memory, a typed parquet export
is cleaned by the same rules on DuckDB, out of core (:mod:`crmlab.analyze.sqlclean`).

This layer does not read files or parse text itself, does not write anything (see
:mod:`crmlab.analyze.store`) and computes no customer metric (see :mod:`crmlab.analyze.model`).

Sources: data-preparation steps of lifetimes' ``summary_data_from_transaction_data`` (same-day merge);
HMAC: RFC 2104; exclusion reasons and refund policies are crmlab's.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._validate import check_choice
from ..errors import CrmlabError
from .._dates import DateReader
from .parse import DEFAULT_BLANK_IDS, clean_ids, date_cells_to_days, observation_end_day, parse_amounts
from .read import read_columns
from .values import to_arrow

__all__ = ["REASONS", "REFUND_POLICIES", "DUPLICATE_POLICIES", "UNREADABLE", "UNREADABLE_LIMIT", "TOTAL_WORDS", "NET_ZERO",
           "CleanResult",
           "clean_transactions", "pseudonymize"]

REFUND_POLICIES = ("net", "drop", "error")
DUPLICATE_POLICIES = ("auto", "drop", "keep")
REASONS = {
    "total_row": "a totals row (合计, 总计, 小计, Total, Subtotal, ...), not a purchase",
    "blank_id": "customer id blank, whitespace or a placeholder",
    "unparsable_date": "date does not parse",
    "unparsable_amount": "amount is not a (finite) number",
    "out_of_period": "date after observation_end",
    "duplicate": "exact duplicate of an earlier row (every column equal)",
    "refund": "refund policy",
}
#: Reasons that mean a row could not be read (rather than a policy excluding it): their share is what
#: ``crmlab analyze`` refuses above a small threshold unless told ``--allow-exclusions``.
UNREADABLE = ("blank_id", "unparsable_date", "unparsable_amount")
#: Share of rows read above which unreadable rows stop ``crmlab analyze`` (unless ``--allow-exclusions``).
UNREADABLE_LIMIT = 0.01
#: Cell texts of a totals row, compared trimmed, case-insensitively and without a trailing colon.
TOTAL_WORDS = ("合计", "总计", "小计", "合計", "總計", "小計", "共计", "总和", "汇总", "total", "totals", "grand total",
               "sub total", "subtotal", "sub-total", "sum", "summe", "gesamt", "gesamtsumme", "totale", "totaal",
               "итого")
_DUPLICATE_TEXT = {"drop": REASONS["duplicate"],
                   "order": "same order id as an earlier row (--order); the first row of each order is kept",
                   "keep": "duplicates kept (--duplicates keep)",
                   "identical": "none dropped: the file has only the customer, date and amount columns, so equal "
                                "rows may be separate equal purchases (see identical_rows_kept; --duplicates drop "
                                "drops them)"}
_REFUND_TEXT = {"net": "refund with no same-day purchase to net against, or day net <= 0",
                "drop": "refund (negative amount) dropped"}
_N_EXAMPLES = 3
#: A customer-day's net below this share of its gross (purchases plus refunds, in absolute value) is zero:
#: the rounding noise of a floating-point sum, whatever order it was added in (both engines use it).
NET_ZERO = 1e-9


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
    identical: int = 0
    identical_examples: list = field(default_factory=list)

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


def _quality_table(n_read: int, used: int, tally: _Tally, refunds: str, duplicates: str,
                   blanks) -> pd.DataFrame:
    rows = [("rows_read", "total", "rows read from the file", n_read, "")]
    for reason, text in REASONS.items():
        if reason == "refund":
            text = _REFUND_TEXT.get(refunds, "refunds stop the run (--refunds error)")
        elif reason == "duplicate":
            text = _DUPLICATE_TEXT[duplicates]
        elif reason == "blank_id":
            text = "customer id blank or whitespace" + (
                f", or one of {', '.join(repr(b) for b in blanks if b)}" if any(blanks) else "")
        rows.append((reason, "excluded", text, tally.counts[reason], " | ".join(tally.examples[reason])))
    rows.append(("rows_used", "used", "rows used in the analysis", used, ""))
    if tally.identical:
        rows.append(("identical_rows_kept", "info", "rows equal to an earlier row in all three columns, kept as "
                     "purchases (the file has no column to tell a copy from a repeat purchase)", tally.identical,
                     " | ".join(tally.identical_examples)))
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
    ``observation_end``: the last day analysed. ``date_format`` (the date styles read, ``" | "``-joined),
    ``decimal``, ``refunds``, ``pseudonymized``, ``source`` and ``duplicates`` (``drop``, ``order``,
    ``keep`` or ``identical`` - equal rows of a three-column file kept) record how the file was read.
    """

    transactions: pd.DataFrame
    quality: pd.DataFrame
    observation_end: pd.Timestamp
    date_format: str | None
    decimal: str
    refunds: str
    pseudonymized: bool
    source: str
    duplicates: str = "drop"

    @property
    def rows_read(self) -> int:
        return int(self.quality.loc[self.quality["item"] == "rows_read", "rows"].iloc[0])

    @property
    def unreadable(self) -> int:
        """Rows excluded because they could not be read (the reasons in :data:`UNREADABLE`)."""
        q = self.quality.set_index("item")["rows"]
        return int(sum(q.get(r, 0) for r in UNREADABLE))

    def __repr__(self) -> str:
        used = int(self.quality.loc[self.quality["item"] == "rows_used", "rows"].iloc[0])
        return (f"CleanResult({self.source}: {self.rows_read} rows read, {used} used, "
                f"{len(self.transactions)} customer-days, observation_end={self.observation_end.date()})")


# --- cleaning --------------------------------------------------------------------------------------------
def _refund_error(rows: np.ndarray, raw: pa.Array, idx: np.ndarray, total: int) -> CrmlabError:
    return refund_error([(int(rows[i]), raw[int(i)].as_py()) for i in idx[:5]], total)


def refund_error(first: list, total: int) -> CrmlabError:
    """The error of ``--refunds error``: the first negative amounts as (row number, cell) pairs, and how many."""
    shown = ", ".join(f"row {r} (amount {v!r})" for r, v in first[:5])
    return CrmlabError(f"refunds: found negative amounts with --refunds error, first {shown}"
                       f"{' ...' if total > 5 else ''}; use --refunds net to subtract them from the same "
                       "day's purchases or --refunds drop to exclude them")


def clean_transactions(source, *, customer_col: str, date_col: str, amount_col: str,
                       date_format: str | None = None, decimal: str = "auto", refunds: str = "net",
                       observation_end=None, key: bytes | None = None, encoding: str = "utf-8",
                       duplicates: str = "auto", order_col: str | None = None, sheet=None,
                       blank_ids=DEFAULT_BLANK_IDS) -> CleanResult:
    """Read a raw transaction export and return the clean per-customer-day log and its data-quality report.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv`` (any of ``, ; tab |`` as delimiter), ``.xlsx`` or ``.parquet`` file, or a DataFrame.
    customer_col, date_col, amount_col : str
        Column names in the file, any language (``"客户编号"``).
    date_format : str, optional
        strptime format(s) of the dates, several separated by ``|``; without it each value is read in the
        style it is written in (see :func:`~crmlab.analyze.parse.parse_dates`).
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
    duplicates : {"auto", "drop", "keep"}
        ``drop``: a row equal to an earlier one in every column is excluded as ``duplicate``; ``keep``:
        every row counts; ``auto`` (default): ``drop`` when the file has a column besides the three named
        (or ``order_col``), else equal rows are kept and counted as ``identical_rows_kept``.
    order_col : str, optional
        Column of order ids: unless ``duplicates="keep"``, a row whose order id was seen before is the same
        order and excluded as ``duplicate`` (rows without an order id are compared whole). For files with
        one row per order, not one per order line.
    sheet : str or int, optional
        Excel sheet by name or 1-based number (see :func:`~crmlab.analyze.read.read_columns`).
    blank_ids : sequence of str
        Id texts that mean "no customer" (default :data:`~crmlab.analyze.parse.DEFAULT_BLANK_IDS`;
        ``NA`` and ``None`` are ids unless listed here).

    Returns
    -------
    :class:`CleanResult`. Every row read is used or counted under one reason: the ``excluded`` rows plus
    ``rows_used`` add up to ``rows_read``.

    Example
    -------
    >>> raw = pd.DataFrame({"订单": [1, 2, 3, 4, 4], "客户": ["A", " ", "A", "B", "B"],
    ...                     "日期": ["2024-01-02", "2024-01-03", "bad", "2024-01-05", "2024-01-05"],
    ...                     "金额": ["¥10", "¥5", "¥7", "(3)", "(3)"]})
    >>> res = clean_transactions(raw, customer_col="客户", date_col="日期", amount_col="金额", refunds="drop")
    >>> res.quality.set_index("item")["rows"].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'rows_read': 5, 'total_row': 0, 'blank_id': 1, 'unparsable_date': 1, 'unparsable_amount': 0,
     'out_of_period': 0, 'duplicate': 1, 'refund': 1, 'rows_used': 1}

    Source: data-preparation steps of lifetimes' ``summary_data_from_transaction_data`` (same-day merge);
    exclusion reasons and refund policies are crmlab's (see the module docstring).
    """
    check_choice(refunds, "refunds", REFUND_POLICIES)
    check_choice(decimal, "decimal", ("auto", ".", ","))
    check_choice(duplicates, "duplicates", DUPLICATE_POLICIES)
    named = {"customer": customer_col, "date": date_col, "amount": amount_col}
    if order_col is not None:
        named["order"] = order_col
    for role, col in named.items():
        if not isinstance(col, str) or not col:
            raise TypeError(f"{role}_col must be a column name, got {col!r}")
    if len(set(named.values())) < len(named):
        raise ValueError(f"{', '.join(f'{r}_col' for r in named)} must be different columns, got "
                         f"{list(named.values())}")
    if isinstance(blank_ids, str) or not all(isinstance(b, str) for b in blank_ids):
        raise TypeError(f"blank_ids must be a sequence of texts, e.g. ['', 'NA'], got {blank_ids!r}")
    end = observation_end_day(observation_end)
    dedup = duplicates != "keep"
    batches, label = read_columns(source, named, encoding, sheet=sheet, others=dedup)
    identical_only = False  # auto on a file of only the named columns: equal rows may be equal purchases
    try:
        reader = DateReader(date_format)
    except ValueError as exc:
        raise CrmlabError(str(exc).replace("date_format", "--date-format")) from None
    tally = _Tally()
    kept: dict[str, list] = {"id": [], "day": [], "amount": [], "row": [], "hash": [], "by_order": []}
    n_read, mark = 0, decimal
    for batch in batches:
        n = batch.num_rows
        rows = np.arange(n_read + 1, n_read + n + 1, dtype=np.int64)
        total = _total_rows(batch)
        tally.add("total_row", total, None, n_read, note=lambda i, b=batch: _total_cell(b, int(i)))
        ids = clean_ids(batch.column(0), blank_ids)
        blank = ids.is_null().to_numpy(zero_copy_only=False) & ~total
        tally.add("blank_id", blank, batch.column(0), n_read)
        out = total | blank
        date_raw = batch.column(1)
        if pa.types.is_timestamp(date_raw.type) or pa.types.is_date(date_raw.type):
            days = date_cells_to_days(date_raw)
        else:
            try:
                days, _ = reader.read(date_raw)
            except ValueError as exc:
                raise CrmlabError(f"column {date_col!r}: {exc}") from None
        bad_date = np.isnat(days) & ~out
        tally.add("unparsable_date", bad_date, date_raw, n_read)
        out |= bad_date
        amount_raw = batch.column(2)
        amounts, mark = parse_amounts(amount_raw, mark)
        bad_amount = ~np.isfinite(amounts) & ~out  # NaN, or an infinity (no spend is infinite)
        tally.add("unparsable_amount", bad_amount, amount_raw, n_read)
        ok = ~(out | bad_amount)
        day_num = days.astype(np.int64)
        if end is not None:
            late = ok & (day_num > end)
            tally.add("out_of_period", late, date_raw, n_read)
            ok &= ~late
        negative = ok & (amounts < 0)
        if refunds == "error" and negative.any():
            raise _refund_error(rows, amount_raw, np.flatnonzero(negative), int(negative.sum()))
        keep = pa.array(ok)
        kept["id"].append(ids.filter(keep))
        kept["day"].append(day_num[ok].astype(np.int32))
        kept["amount"].append(amounts[ok])
        kept["row"].append(rows[ok])
        if dedup:
            identical_only = duplicates == "auto" and batch.num_columns == len(named)
            hashes, by_order = _row_keys(batch, order_col is not None)
            kept["hash"].append(hashes[ok])
            kept["by_order"].append(by_order[ok])
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
    customer = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    del encoded
    day_all = np.concatenate(kept["day"]).astype(np.int64)
    amount_all, row_all = np.concatenate(kept["amount"]), np.concatenate(kept["row"])
    keep = np.ones(len(customer), dtype=bool)
    if dedup:
        same = _duplicates(np.concatenate(kept["hash"]), np.concatenate(kept["by_order"]), customer, day_all,
                           amount_all, row_all, tally)
        if identical_only:
            tally.identical, tally.counts["duplicate"] = tally.counts["duplicate"], 0
            tally.identical_examples, tally.examples["duplicate"] = tally.examples["duplicate"], []
        else:
            keep = ~same
    if refunds == "drop":
        negative = keep & (amount_all < 0)  # kept rows are in file order
        tally.counts["refund"] += int(negative.sum())
        tally.examples["refund"] = [f"row {int(r)}: amount {a:.2f}" for r, a in
                                    zip(row_all[negative][:_N_EXAMPLES], amount_all[negative][:_N_EXAMPLES])]
        keep &= ~negative
    if not keep.all():
        customer, day_all, amount_all, row_all = customer[keep], day_all[keep], amount_all[keep], row_all[keep]
    if len(customer) == 0:
        raise CrmlabError(f"{label}: none of the {n_read} rows is usable; see the reasons: "
                          + ", ".join(f"{k} {v}" for k, v in tally.counts.items() if v))
    if end is None:
        end = int(day_all.max())
    customer, days, amounts, counts = _merge_days(customer, day_all, amount_all, row_all, refunds, tally)
    del kept, day_all
    if len(customer) == 0:
        raise CrmlabError(f"{label}: no purchases are left after the refund policy {refunds!r}")
    frame = pd.DataFrame({
        "customer_id": names.take(by_name).to_pandas().astype("str").take(customer).reset_index(drop=True),
        "date": days.astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": amounts,
        "rows": counts,
    })
    policy = ("keep" if not dedup else "order" if order_col is not None else
              "identical" if identical_only else "drop")
    quality = _quality_table(n_read, int(counts.sum()), tally, refunds, policy, blank_ids)
    return CleanResult(transactions=frame, quality=quality,
                       observation_end=pd.Timestamp(np.datetime64(end, "D")), date_format=reader.description,
                       decimal=mark, refunds=refunds, pseudonymized=key is not None, source=label,
                       duplicates=policy)


def _total_rows(batch: pa.RecordBatch) -> np.ndarray:
    """Rows where a text cell of any column is a totals word (合计, Total:, ...): one anchored regex a column."""
    pattern = r"^\s*(?:" + "|".join(re.escape(w) for w in TOTAL_WORDS) + r")\s*[:：]?\s*$"
    hit = np.zeros(batch.num_rows, dtype=bool)
    for col in batch.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            found = pc.match_substring_regex(col, pattern, ignore_case=True)
            hit |= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return hit


def _total_cell(batch: pa.RecordBatch, i: int) -> str:
    return total_label(batch.schema.names, [col[i].as_py() for col in batch.columns])


def total_label(names, values) -> str:
    """How a totals row is shown in the quality table: the first cell holding a totals word, ``name='合计'``."""
    words = set(TOTAL_WORDS)
    for name, v in zip(names, values):
        if isinstance(v, str) and v.strip().lower().rstrip(":：").strip() in words:
            return f"{name}={v!r}"
    return "totals row"


def _row_keys(batch: pa.RecordBatch, by_order: bool) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of every row's cells (all columns) - or of its order id when ``by_order`` and present."""
    frame = batch.to_pandas()
    frame.columns = [f"c{i}" for i in range(frame.shape[1])]  # names may repeat; position is what counts
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    has_order = np.zeros(batch.num_rows, dtype=bool)
    if by_order:
        order = clean_ids(batch.column(3), ("",))
        has_order = order.is_valid().to_numpy(zero_copy_only=False)
        order_hash = pd.util.hash_pandas_object(pd.Series(order.to_pandas(), dtype=object), index=False).to_numpy()
        hashes = np.where(has_order, order_hash, hashes)
    return hashes, has_order


def _duplicates(hashes: np.ndarray, by_order: np.ndarray, customer: np.ndarray, day: np.ndarray,
                amount: np.ndarray, row: np.ndarray, tally: _Tally) -> np.ndarray:
    """Mask of the rows equal to an earlier row (same hash; whole rows must also agree on customer, day and
    amount, so a hash collision cannot merge two different purchases); counted as ``duplicate``."""
    order = np.argsort(hashes, kind="stable")  # kept rows are in file order: the first of equal rows leads
    h, o = hashes[order], by_order[order]
    same = (h[1:] == h[:-1]) & (o[1:] == o[:-1])
    whole = ~o[1:]
    c, d, a = customer[order], day[order], amount[order]
    same &= ~whole | ((c[1:] == c[:-1]) & (d[1:] == d[:-1]) & (a[1:] == a[:-1]))  # kept amounts are never NaN
    dup_sorted = np.r_[False, same]
    starts = np.maximum.accumulate(np.where(~dup_sorted, np.arange(len(order)), 0))
    first_row = row[order][starts]  # the first row of each run of equal rows
    mask = np.zeros(len(order), dtype=bool)
    mask[order[dup_sorted]] = True
    tally.counts["duplicate"] += int(mask.sum())
    hits = np.flatnonzero(dup_sorted)
    hits = hits[np.argsort(row[order][hits], kind="stable")[:_N_EXAMPLES]]
    tally.examples["duplicate"] = [f"row {int(row[order][i])}: same as row {int(first_row[i])}" for i in hits]
    return mask


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
    gross = np.add.reduceat(np.abs(sorted_amounts), starts)
    del sorted_amounts
    count = np.diff(np.r_[starts, len(key)])
    first_rows = rows[order[starts]]  # stable sort: the first row of a run is its earliest in the file
    key = key[starts]
    day = key % span + day0
    if refunds == "net":
        netted_away = (low < 0) & (net <= NET_ZERO * gross)
        hits = np.flatnonzero(netted_away)
        hits = hits[np.argsort(first_rows[hits], kind="stable")[:_N_EXAMPLES]]
        tally.counts["refund"] += int(count[netted_away].sum())
        tally.examples["refund"] = [f"row {int(first_rows[i])}: {count[i]} row(s) of one customer on "
                                    f"{np.datetime64(int(day[i]), 'D')} net {net[i]:.2f}" for i in hits]
        tally.netted = int(np.sum((low < 0) & ~netted_away))
        keep = ~netted_away
        key, day, net, count = key[keep], day[keep], net[keep], count[keep]
    return key // span, day, net, count
