"""`crmlab analyze`: from a client's raw export to an honest first customer-value analysis.

A consultant's file is a CSV, Excel or parquet export with local column names, currency strings, local
date formats, blank ids and refunds. :func:`clean_transactions` turns it into a canonical log - one row
per customer and purchase day, columns ``customer_id`` (text), ``date``, ``amount`` (net spend of the
day) and ``rows`` (source rows merged) - and accounts for every row it could not use in a data-quality
table: each row read is either used or excluded under exactly one reason, checked in this order:

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

Amounts: surrounding currency marks are removed (``¥ ￥ $ € £ ₩ ₹ 元 块 人民币`` and the codes RMB, CNY,
USD, EUR, GBP, HKD, JPY, ...), as are spaces and apostrophes used as thousands separators;
``(12.00)`` and a trailing minus (``12.00-``) are negative. The decimal mark is ``.`` or ``,`` for the
whole file: ``decimal="auto"`` decides it from the values that can only be read one way in the first
batch of rows (``1.234,50`` or ``12,5`` -> comma; ``1,234.50`` or ``12.5`` -> point; point when nothing
decides), and values that contradict it are counted unparsable. Pass ``decimal`` to decide yourself.

Dates: ``date_format`` is a strptime format (``%d.%m.%Y``, ``%Y年%m月%d日``); without it the format is
inferred from the first rows among common ones, a time of day is ignored, and a file whose dates read
equally well day-first and month-first (``03/04/2024``) is refused until you pass ``date_format``.
A date that does not exist (``31.02.2024``) is unparsable, never rolled over. Date cells of Excel and
date columns of parquet are used as they are; an Excel column mixing date cells and text is read as text
(the date cells as ``YYYY-MM-DD hh:mm:ss``), and one format applies to the whole file.

Pseudonymisation: with a key, every customer id is replaced by ``c_`` + the first 20 hex digits of
HMAC-SHA256(key, id) before anything is written, so outputs can be shared; the same id gets the same
pseudonym within one key (one run). The command prints the random key once and writes it nowhere.

Large files are streamed: CSV through ``pyarrow.csv.open_csv`` in blocks, parquet through
``pyarrow.parquet.ParquetFile.iter_batches``; each block is parsed with vectorised pyarrow kernels (each
distinct date text parsed once), and only the valid rows' customer id, day, amount and row number are
kept (about 40 bytes a row). Same-day merging is one sort of an integer key. A 10-million-row CSV is
cleaned in under half a minute with a peak of about 2 GB (``bench/bench_analyze.py``).

Sources: the RFM, ABC / whale and buy-till-you-die methods of :mod:`crmlab.rfm`,
:mod:`crmlab.concentration` and :mod:`crmlab.clv` (seed 000 ``000_5648a0db4edeb316.txt`` lines 12-13
and 59-60; Fader, Hardie & Lee 2005); HMAC: RFC 2104.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import secrets
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._validate import check_choice, check_dataframe, check_int, check_number
from .errors import CrmlabError
from .paths import prepare_output_dir

__all__ = ["REASONS", "REFUND_POLICIES", "CleanResult", "CustomerValue", "parse_amounts", "parse_dates",
           "infer_date_format", "pseudonymize", "clean_transactions", "write_clean", "load_transactions",
           "customer_value", "add_subparser", "cmd_analyze", "main"]

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
_BLANKS = ["", "null", "none", "nan", "n/a", "na", "-", "#n/a"]
_N_EXAMPLES = 3
_BATCH_ROWS = 1 << 20
_INFER_SAMPLE = 20_000  # first values of the date column used to infer its format
_CSV_BLOCK = 32 << 20

# --- amounts ---------------------------------------------------------------------------------------------
_CURRENCY = (r"(?i)(?:US\$|HK\$|NT\$|S\$|A\$|C\$|RMB|CNY|USD|EUR|GBP|HKD|JPY|TWD|SGD|AUD|CAD|CHF|KRW|INR|"
             r"人民币|元|圆|块|[¥￥$€£₩₹])")
_SPACES = "[\\s\u00a0\u202f\u2009']"
_NUMBER = {".": r"^[+-]?(?:(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\.\d+)$",
           ",": r"^[+-]?(?:(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d*)?|,\d+)$"}


def _normalise_amount_text(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Strip currency marks, spaces, parentheses and a trailing minus; return the text and a negate mask."""
    s = pc.utf8_trim_whitespace(values)
    paren = pc.match_substring_regex(s, r"^\(.*\)$")
    s = pc.if_else(paren, pc.utf8_slice_codeunits(s, 1, -1), s)
    s = pc.replace_substring_regex(s, _CURRENCY, "")
    s = pc.replace_substring_regex(s, _SPACES, "")
    trailing = pc.match_substring_regex(s, r"^[^-]*\d-$")
    s = pc.if_else(trailing, pc.utf8_slice_codeunits(s, 0, -1), s)
    negate = pc.or_(pc.fill_null(paren, False), pc.fill_null(trailing, False))
    return s, negate.to_numpy(zero_copy_only=False)


def _decide_decimal(text: pa.Array) -> str:
    """Decimal mark of a sample: the one more values can only be read with ('.' when nothing decides)."""
    dot = pc.fill_null(pc.match_substring_regex(text, _NUMBER["."]), False)
    comma = pc.fill_null(pc.match_substring_regex(text, _NUMBER[","]), False)
    only_dot = pc.sum(pc.and_(dot, pc.invert(comma))).as_py() or 0
    only_comma = pc.sum(pc.and_(comma, pc.invert(dot))).as_py() or 0
    return "," if only_comma > only_dot else "."


def parse_amounts(values, decimal: str = "auto") -> tuple[np.ndarray, str]:
    """Parse amounts written as text (currency marks, thousands separators, parentheses) to float64.

    Parameters
    ----------
    values : pyarrow Array, pandas Series or sequence
        Amounts as text or numbers; numbers pass through unchanged.
    decimal : {"auto", ".", ","}
        Decimal mark; "auto" decides it from the values (see the module docstring).

    Returns
    -------
    (amounts, decimal): float64 array with NaN where a value does not parse, and the decimal mark used.

    Example
    -------
    >>> a, mark = parse_amounts(["¥1,234.50", "(12.00)", "RMB 300", "45元", "abc"])
    >>> a.tolist(), mark
    ([1234.5, -12.0, 300.0, 45.0, nan], '.')
    >>> parse_amounts(["1.234,50 €", "12,5"])[0].tolist()
    [1234.5, 12.5]

    Source: common export formats of Chinese and European accounting software (no published standard).
    """
    check_choice(decimal, "decimal", ("auto", ".", ","))
    arr = _as_arrow(values)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), decimal if decimal != "auto" else "."
    arr = pc.cast(arr, pa.string())
    text, negate = _normalise_amount_text(arr)
    if decimal == "auto":
        decimal = _decide_decimal(text)
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER[decimal]), False)
    plain = pc.replace_substring(text, "," if decimal == "." else ".", "")
    if decimal == ",":
        plain = pc.replace_substring(plain, ",", ".")
    plain = pc.if_else(ok, plain, pa.scalar(None, pa.string()))
    out = pc.cast(plain, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
    out[negate] = -np.abs(out[negate])
    return out, decimal


# --- dates -----------------------------------------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%d/%m/%Y", "%m/%d/%Y",
                 "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d-%b-%Y",
                 "%d %b %Y", "%b %d, %Y")
_TIME_OF_DAY = (r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2})?"
                r"|\s*\d{1,2}时(?:\d{1,2}分)?(?:\d{1,2}秒)?)$")


def _date_text(values: pa.Array, fmt: str | None) -> pa.Array:
    s = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    if fmt is None or not any(d in fmt for d in ("%H", "%I")):
        s = pc.replace_substring_regex(s, _TIME_OF_DAY, "")
    return s


def _canonical(text: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(pc.utf8_lower(text), r"(^|\D)0+(\d)", r"\1\2")


def _strptime_days(text: pa.Array, fmt: str) -> pa.Array:
    """Parse with ``fmt``; a date that does not exist (31.02.2024, which strptime rolls over to 2 March)
    is null: the parsed date, written back with ``fmt``, must give the text again (leading zeros aside)."""
    ts = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    same = pc.equal(_canonical(pc.strftime(ts, format=fmt)), _canonical(text))
    return pc.cast(pc.if_else(pc.fill_null(same, False), ts, pa.scalar(None, ts.type)), pa.date32())


def infer_date_format(values) -> str:
    """Pick the strptime format that parses most of the first 20,000 ``values`` (a time of day is ignored).

    Raises ValueError when no common format parses any value, or when two formats parse equally many
    values but read them as different dates (day-first versus month-first): pass a format then.

    Example
    -------
    >>> infer_date_format(["2024年1月5日", "2024年12月31日"])
    '%Y年%m月%d日'
    >>> infer_date_format(["31/01/2024", "05/02/2024"])
    '%d/%m/%Y'

    Source: strptime formats of the C standard library (ISO C 7.23.3.5).
    """
    text = _date_text(_as_arrow(values).slice(0, _INFER_SAMPLE), None)
    text = pc.unique(text.filter(pc.fill_null(pc.not_equal(text, ""), False)))
    if len(text) == 0:
        raise ValueError("date column has no values to infer a format from; pass date_format")
    scored = []
    for fmt in _DATE_FORMATS:  # a dozen formats, each parsed vectorised
        days = _strptime_days(text, fmt)
        scored.append((len(days) - days.null_count, fmt, days))
    scored.sort(key=lambda t: -t[0])
    best_n, best_fmt, best_days = scored[0]
    if best_n == 0:
        raise ValueError(f"no common date format reads the date column (e.g. {text[0].as_py()!r}); "
                         "pass date_format, e.g. '%d.%m.%Y'")
    for n, fmt, days in scored[1:]:
        if n == best_n and not pc.all(pc.fill_null(pc.equal(days, best_days), False)).as_py():
            raise ValueError(f"dates are ambiguous: {best_fmt!r} and {fmt!r} read them equally well but "
                             f"differently (e.g. {text[0].as_py()!r}); pass date_format")
    return best_fmt


def parse_dates(values, date_format: str | None = None) -> tuple[np.ndarray, str | None]:
    """Parse dates to whole days (numpy ``datetime64[D]``, NaT where a value does not parse).

    Parameters
    ----------
    values : pyarrow Array, pandas Series or sequence
        Date strings, or dates/timestamps (kept, truncated to the day).
    date_format : str, optional
        strptime format; inferred with :func:`infer_date_format` when omitted.

    Returns
    -------
    (days, format used) - the format is None for values that were already dates.

    Example
    -------
    >>> d, fmt = parse_dates(["05.01.2024", "31.12.2024 13:45", "soon"])
    >>> [str(x) for x in d], fmt
    (['2024-01-05', '2024-12-31', 'NaT'], '%d.%m.%Y')

    Source: strptime (ISO C 7.23.3.5).
    """
    arr = _as_arrow(values)
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
            arr = pc.local_timestamp(arr)
        return pc.cast(arr, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]"), None
    fmt = date_format or infer_date_format(arr)
    encoded = pc.dictionary_encode(pc.cast(arr, pa.string()))  # logs repeat dates: parse each text once
    days = _strptime_days(_date_text(encoded.dictionary, fmt), fmt).take(encoded.indices)
    return days.to_numpy(zero_copy_only=False).astype("datetime64[D]"), fmt


# --- ids and pseudonyms ------------------------------------------------------------------------------------
def _clean_ids(values: pa.Array) -> pa.Array:
    """Ids as trimmed text; blanks and placeholders become null."""
    s = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    blank = pc.is_in(pc.utf8_lower(s), value_set=pa.array(_BLANKS))
    return pc.if_else(pc.fill_null(blank, True), pa.scalar(None, pa.string()), s)


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
    arr = pc.cast(_as_arrow(ids), pa.string())
    if arr.null_count:
        raise ValueError(f"ids has {arr.null_count} missing value(s); drop blank ids before pseudonymising")
    encoded = pc.dictionary_encode(arr)
    names = [("c_" + hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:20])
             for v in encoded.dictionary.to_pylist()]  # once per distinct id
    if len(set(names)) != len(names):  # 80-bit prefixes: practically impossible, but never silently merge
        raise ValueError("two customer ids received the same pseudonym; run again (a new key is drawn)")
    return np.asarray(names, dtype=object)[encoded.indices.to_numpy(zero_copy_only=False)]


# --- reading ---------------------------------------------------------------------------------------------
def _as_arrow(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, pd.Series) and values.dtype != object:
        return pa.Array.from_pandas(values)
    return _object_column(list(values))


def _object_column(values: list) -> pa.Array:
    """Python values as arrow: all dates stay dates, all numbers numbers; anything mixed becomes text."""
    present = [v for v in values if v is not None and v == v]
    if present and all(isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat") for v in present):
        return pa.array(pd.to_datetime(pd.Series(values, dtype=object)), from_pandas=True)
    if all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in present):
        floats = any(isinstance(v, (float, np.floating)) for v in present)
        return pa.array(values, type=pa.float64() if floats else pa.int64(), from_pandas=True)
    return pa.array([None if v is None or v != v else str(v) for v in values], type=pa.string())


_ROLES = ("customer", "date", "amount")


def _check_cols(available: list[str], cols: dict[str, str], source: str) -> None:
    for role, col in cols.items():
        if col not in available:
            shown = ", ".join(repr(c) for c in available[:30]) + (" ..." if len(available) > 30 else "")
            raise CrmlabError(f"{role} column {col!r} is not a column of {source}; its columns are: {shown}")


def _sniff_csv(path: Path, encoding: str) -> tuple[str, list[str]]:
    """Check the encoding on the first 64 KiB; return the delimiter and the column names of the header."""
    import csv

    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if len(head) == 1 << 16:  # do not cut a multi-byte character in two
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError:
        raise CrmlabError(f"{path.name} is not {encoding} text; pass --encoding (e.g. gb18030 for "
                          "Chinese Excel exports)") from None
    except LookupError:
        raise CrmlabError(f"unknown encoding {encoding!r}") from None
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not first:
        raise CrmlabError(f"{path.name} is empty")
    delimiter = max(",;\t|", key=first.count)
    return delimiter, next(csv.reader([first], delimiter=delimiter))


def _csv_batches(path: Path, cols: list[str], encoding: str) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    delimiter, raw_names = _sniff_csv(path, encoding)
    names = [n.strip() for n in raw_names]
    _check_cols(names, dict(zip(_ROLES, cols)), path.name)
    wanted = [raw_names[names.index(c)] for c in cols]
    enc = "utf8" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else encoding
    convert = pacsv.ConvertOptions(include_columns=wanted, column_types={c: pa.string() for c in wanted},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK, encoding=enc),
                            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                            convert_options=convert) as reader:
            for batch in reader:
                yield pa.RecordBatch.from_arrays([batch.column(c) for c in wanted], names=cols)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise CrmlabError(f"cannot read {path.name} as CSV: {str(exc).splitlines()[0]}") from None


def _excel_batches(path: Path, cols: list[str]) -> Iterator[pa.RecordBatch]:
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises several kinds for a broken or foreign file
        raise CrmlabError(f"cannot read {path.name} as an Excel workbook (.xlsx): {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_cols(list(frame.columns), dict(zip(_ROLES, cols)), path.name)
    yield pa.RecordBatch.from_arrays([_object_column(frame[c].tolist()) for c in cols], names=cols)


def _parquet_batches(path: Path, cols: list[str]) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CrmlabError(f"cannot read {path.name} as parquet: {exc}") from None
    _check_cols(pf.schema_arrow.names, dict(zip(_ROLES, cols)), path.name)
    for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=cols):
        yield pa.RecordBatch.from_arrays([batch.column(c) for c in cols], names=cols)


def _frame_batches(frame: pd.DataFrame, cols: list[str]) -> Iterator[pa.RecordBatch]:
    check_dataframe(frame, name="source", allow_empty=True)
    _check_cols([str(c) for c in frame.columns], dict(zip(_ROLES, cols)),
                "source")
    yield pa.RecordBatch.from_arrays([_as_arrow(frame[c]) for c in cols], names=cols)


def _batches(source, cols: list[str], encoding: str) -> tuple[Iterator[pa.RecordBatch], str]:
    if isinstance(source, pd.DataFrame):
        return _frame_batches(source, cols), "DataFrame"
    path = Path(source)
    if not path.is_file():
        raise CrmlabError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_batches(path, cols, encoding), path.name
    if suffix in (".xlsx", ".xlsm"):
        return _excel_batches(path, cols), path.name
    if suffix in (".parquet", ".pq"):
        return _parquet_batches(path, cols), path.name
    if suffix == ".xls":
        raise CrmlabError(f"{path.name}: old .xls workbooks are not supported; save it as .xlsx or CSV")
    raise CrmlabError(f"{path.name}: unknown file type {suffix or '(none)'}; expected .csv, .xlsx or .parquet")


# --- cleaning --------------------------------------------------------------------------------------------
@dataclass
class _Tally:
    """Row counts and first examples per exclusion reason."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    examples: dict = field(default_factory=lambda: {k: [] for k in REASONS})

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


def _end_day(observation_end) -> int | None:
    if observation_end in (None, ""):
        return None
    try:
        ts = pd.Timestamp(observation_end)
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT:
        raise ValueError(f"observation_end must be a date like 2024-12-31, got {observation_end!r}")
    return int(np.datetime64(ts.tz_localize(None) if ts.tzinfo else ts, "D").astype(np.int64))


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
        strptime format of the dates; inferred when omitted (see :func:`infer_date_format`).
    decimal : {"auto", ".", ","}
        Decimal mark of the amounts (see :func:`parse_amounts`).
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
    end = _end_day(observation_end)
    batches, label = _batches(source, [customer_col, date_col, amount_col], encoding)
    tally = _Tally()
    kept: dict[str, list] = {"id": [], "day": [], "amount": [], "row": []}
    n_read, fmt_used, mark = 0, date_format or None, decimal
    for batch in batches:
        n = batch.num_rows
        rows = np.arange(n_read + 1, n_read + n + 1, dtype=np.int64)
        ids = _clean_ids(batch.column(0))
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
        tally.counts["netted"] = int(np.sum((low < 0) & ~netted_away))
        keep = ~netted_away
        key, day, net, count = key[keep], day[keep], net[keep], count[keep]
    return key // span, day, net, count


def _quality_table(n_read: int, used: int, tally: _Tally, refunds: str) -> pd.DataFrame:
    rows = [("rows_read", "total", "rows read from the file", n_read, "")]
    for reason, text in REASONS.items():
        if reason == "refund":
            text = _REFUND_TEXT.get(refunds, "refunds stop the run (--refunds error)")
        rows.append((reason, "excluded", text, tally.counts[reason], " | ".join(tally.examples[reason])))
    rows.append(("rows_used", "used", "rows used in the analysis", used, ""))
    if refunds == "net":
        rows.append(("refund_days_netted", "info", "customer-days where refunds were subtracted from "
                     "same-day purchases (kept, net > 0)", tally.counts.get("netted", 0), ""))
    out = pd.DataFrame(rows, columns=["item", "kind", "description", "rows", "examples"])
    out.insert(4, "share", np.round(out["rows"] / n_read, 6))
    return out


# --- the canonical file -----------------------------------------------------------------------------------
_META_KEY = b"crmlab.clean_transactions"


def write_clean(result: CleanResult, path) -> Path:
    """Write the clean log to parquet; the data-quality table and reading choices go in its metadata.

    :func:`load_transactions` reads such a file back without cleaning it again.

    Example
    -------
    >>> # write_clean(clean_transactions("export.csv", ...), "out/clean_transactions.parquet")

    Source: Apache Parquet key-value metadata (parquet-format specification).
    """
    import pyarrow.parquet as pq

    path = Path(path)
    meta = {"observation_end": str(result.observation_end.date()), "date_format": result.date_format,
            "decimal": result.decimal, "refunds": result.refunds, "pseudonymized": result.pseudonymized,
            "source": result.source, "quality": result.quality.to_dict(orient="list")}
    table = pa.Table.from_pandas(result.transactions, preserve_index=False)
    table = table.cast(pa.schema([("customer_id", pa.string()), ("date", pa.date32()), ("amount", pa.float64()),
                                  ("rows", pa.int64())]))
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta, ensure_ascii=False).encode("utf-8")})
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return path


def load_transactions(source, *, customer_col: str = "customer_id", date_col: str = "date",
                      amount_col: str = "amount", **options) -> CleanResult:
    """Load a clean file written by :func:`write_clean` as is, or clean any other source.

    Parameters
    ----------
    source : path or DataFrame
        A file written by :func:`write_clean`, or anything :func:`clean_transactions` reads.
    customer_col, date_col, amount_col, **options
        Passed to :func:`clean_transactions` for a raw source.

    Returns
    -------
    :class:`CleanResult`

    Example
    -------
    >>> # res = load_transactions("out/clean_transactions.parquet")

    Source: see :func:`clean_transactions`.
    """
    if not isinstance(source, pd.DataFrame) and Path(source).suffix.lower() in (".parquet", ".pq") \
            and Path(source).is_file():
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(source)
        except (pa.ArrowInvalid, OSError) as exc:
            raise CrmlabError(f"cannot read {Path(source).name} as parquet: {exc}") from None
        raw = (schema.metadata or {}).get(_META_KEY)
        if raw is not None:
            meta = json.loads(raw.decode("utf-8"))
            table = pq.read_table(source)
            frame = table.to_pandas(date_as_object=False)
            frame["customer_id"] = frame["customer_id"].astype("str")
            frame["date"] = frame["date"].astype("datetime64[ns]")
            return CleanResult(transactions=frame, quality=pd.DataFrame(meta["quality"]),
                               observation_end=pd.Timestamp(meta["observation_end"]),
                               date_format=meta["date_format"], decimal=meta["decimal"], refunds=meta["refunds"],
                               pseudonymized=meta["pseudonymized"], source=meta["source"])
    return clean_transactions(source, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                              **options)


# --- the analysis ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerValue:
    """Result of :func:`customer_value`.

    ``customers``: one row per customer - ``customer_id``, ``recency`` (days since the last purchase),
    ``frequency`` (purchase days), ``monetary`` (total spend), scores ``R``/``F``/``M``, ``rfm_segment``,
    ``abc_class``, ``profit`` (gross_margin × monetary − cost_per_purchase × frequency), ``p_alive``,
    ``expected_purchases`` (over the horizon) and ``clv`` (the last three empty when the models were not
    fitted). ``segments`` (:class:`~crmlab.rfm.RFMSegments`), ``abc`` (output of
    :func:`~crmlab.concentration.abc_classify`), ``bgnbd`` / ``gamma_gamma`` (fitted models or None),
    ``model_note`` (why the models were or were not fitted), ``horizon_months``.
    """

    customers: pd.DataFrame
    segments: object
    abc: pd.DataFrame
    bgnbd: object
    gamma_gamma: object
    model_note: str
    horizon_months: int
    observation_end: pd.Timestamp


def _fit_models(summary: pd.DataFrame, min_repeat_buyers: int):
    """Fit BG/NBD and Gamma-Gamma when the data support it; return (bg, gg, note)."""
    from .clv import BetaGeoModel, GammaGammaModel

    summary = summary[summary["T"] > 0]  # first seen on the last day: no time observed, nothing to learn
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < min_repeat_buyers:
        return None, None, (f"not fitted: {len(repeat)} customer(s) bought again with positive spend, fewer than "
                            f"min_repeat_buyers={min_repeat_buyers}; the models would mostly reflect their priors")
    if float(summary["T"].max()) < 4:
        return None, None, "not fitted: less than four weeks of history"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is read from converged_ below
        bg = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
        gg = GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])
    for name, model in (("BG/NBD", bg), ("Gamma-Gamma", gg)):
        if not model.converged_:
            return None, None, (f"not fitted: the {name} fit did not converge ({model.optimizer_message_.strip()}); "
                                f"estimates {model!r}; the data may not follow the model (e.g. no spread in "
                                "purchase rates or spend), or the optimiser stopped at its precision limit")
    if gg.params_["q"] <= 1:
        return None, None, (f"not fitted: Gamma-Gamma q={gg.params_['q']:.3g} <= 1 means an infinite mean spend; "
                            "spend is too heavy-tailed for the model")
    return bg, gg, (f"fitted on {len(summary)} customers ({len(repeat)} repeat buyers, the Gamma-Gamma sample)")


def customer_value(transactions: pd.DataFrame, *, observation_end=None, horizon_months: int = 12,
                   discount_rate: float = 0.01, min_repeat_buyers: int = 50, gross_margin: float = 1.0,
                   cost_per_purchase: float = 0.0) -> CustomerValue:
    """The customer-value analysis of `crmlab analyze`: RFM segments, ABC classes, profit, BG/NBD + Gamma-Gamma CLV.

    Parameters
    ----------
    transactions : DataFrame
        Columns ``customer_id``, ``date``, ``amount`` (>= 0), e.g. ``clean_transactions(...).transactions``.
    observation_end : date-like, optional
        End of observation (default: last date).
    horizon_months : int
        Horizon of expected purchases and CLV, in months.
    discount_rate : float
        Monthly discount rate of the CLV.
    min_repeat_buyers : int
        Fit the models only when at least this many customers bought on two or more days.
    gross_margin : float in (0, 1]
        Share of revenue that is gross profit (1 = analyse revenue).
    cost_per_purchase : float >= 0
        Cost to serve one purchase day (orders, delivery), for the whale curve of profit.

    Returns
    -------
    :class:`CustomerValue`

    Example
    -------
    >>> import crmlab
    >>> log = crmlab.worlds.make("transactions", seed=1, n_customers=300).tables["transactions"]
    >>> cv = customer_value(log)
    >>> list(cv.customers.columns[:4])
    ['customer_id', 'recency', 'frequency', 'monetary']

    Source: seed 000 ``000_5648a0db4edeb316.txt`` line 13 (RFM) and lines 59-60 (ABC); Kaplan & Cooper
    (1998) (whale curve); Fader, Hardie & Lee (2005) Marketing Science 24(2) and JMR 42(4) (BG/NBD,
    Gamma-Gamma, CLV).
    """
    from .clv import customer_lifetime_value
    from .clv.value import PERIODS_PER_MONTH
    from .concentration import abc_classify
    from .rfm import rfm_scores, rfm_segments, rfm_summary, rfm_table

    horizon_months = check_int(horizon_months, "horizon_months", low=1, high=120)
    discount_rate = check_number(discount_rate, "discount_rate", low=0.0, high=1.0)
    min_repeat_buyers = check_int(min_repeat_buyers, "min_repeat_buyers", low=2)
    gross_margin = check_number(gross_margin, "gross_margin", low=0.0, high=1.0, low_open=True)
    cost_per_purchase = check_number(cost_per_purchase, "cost_per_purchase", low=0.0)
    cols = dict(customer_col="customer_id", date_col="date", amount_col="amount", observation_end=observation_end)
    table = rfm_table(transactions, **cols)
    scores = rfm_scores(table)
    segments = rfm_segments(scores)
    abc = abc_classify(table["monetary"])
    summary = rfm_summary(transactions, time_unit="W", **cols)
    bg, gg, note = _fit_models(summary, min_repeat_buyers)
    out = pd.DataFrame({
        "customer_id": table.index.astype(str),
        "recency": table["recency"].to_numpy(),
        "frequency": table["frequency"].to_numpy(),
        "monetary": table["monetary"].round(2).to_numpy(),
        "R": scores["R"].to_numpy(), "F": scores["F"].to_numpy(), "M": scores["M"].to_numpy(),
        "rfm_segment": segments.labels.astype(str).to_numpy(),
        "abc_class": abc["class"].reindex(table.index).astype(str).to_numpy(),
        "profit": (gross_margin * table["monetary"] - cost_per_purchase * table["frequency"]).round(2).to_numpy(),
    })
    nan = np.full(len(out), np.nan)
    p_alive, expected, clv = nan, nan, nan
    if bg is not None:
        seen = summary["T"].to_numpy() > 0
        x, tx, age, spend = (summary[c].to_numpy()[seen] for c in ("frequency", "recency", "T", "monetary_value"))
        p_alive, expected, clv = nan.copy(), nan.copy(), nan.copy()
        p_alive[seen] = bg.probability_alive(x, tx, age)
        expected[seen] = bg.conditional_expected_purchases(horizon_months * PERIODS_PER_MONTH["W"], x, tx, age)
        clv[seen] = gross_margin * customer_lifetime_value(bg, gg, x, tx, age, spend, horizon=horizon_months,
                                                           discount_rate=discount_rate, freq="W")
        if not seen.all():
            note += (f"; {int((~seen).sum())} customer(s) first bought on the last day (no time observed) "
                     "get no prediction")
    out["p_alive"] = np.round(p_alive, 4)
    out["expected_purchases"] = np.round(expected, 4)
    out["clv"] = np.round(clv, 2)
    end = pd.Timestamp(transactions["date"].max()) if observation_end in (None, "") else pd.Timestamp(observation_end)
    return CustomerValue(customers=out, segments=segments, abc=abc, bgnbd=bg, gamma_gamma=gg, model_note=note,
                         horizon_months=horizon_months, observation_end=end.normalize())


# --- the command ---------------------------------------------------------------------------------------
OUTPUTS = ("report.html", "customer_value.ipynb", "customers.csv", "data_quality.csv", "clean_transactions.parquet")


def add_subparser(subparsers) -> argparse.ArgumentParser:
    """Register ``crmlab analyze`` on an argparse subparsers object; returns the subparser."""
    s = subparsers.add_parser("analyze", help="clean a client's transaction export and run the customer-value "
                                              "analysis (RFM, ABC, whale curve, CLV) into an HTML report")
    s.add_argument("file", metavar="FILE", help="CSV, Excel (.xlsx) or parquet file, one row per transaction")
    s.add_argument("--customer", required=True, metavar="COL", help="column of customer ids")
    s.add_argument("--date", required=True, metavar="COL", help="column of transaction dates")
    s.add_argument("--amount", required=True, metavar="COL", help="column of amounts (currency text is fine)")
    s.add_argument("--out", required=True, metavar="DIR", help="output folder")
    s.add_argument("--date-format", metavar="FMT", help="strptime format of the dates, e.g. %%d.%%m.%%Y "
                                                        "(default: inferred)")
    s.add_argument("--decimal", choices=("auto", ".", ","), default="auto",
                   help="decimal mark of the amounts (default: auto, decided from unambiguous values)")
    s.add_argument("--refunds", choices=REFUND_POLICIES, default="net",
                   help="negative amounts: net them against the customer's purchases of the same day "
                        "(default), drop them, or stop with an error")
    s.add_argument("--pseudonymize", action="store_true",
                   help="replace customer ids by keyed hashes before writing anything; the key is printed once")
    s.add_argument("--observation-end", metavar="DATE", help="last day analysed; later rows are excluded "
                                                             "and counted (default: the last date)")
    s.add_argument("--encoding", default="utf-8", help="text encoding of a CSV (default utf-8; gb18030 for many "
                                                      "Chinese exports)")
    s.add_argument("--gross-margin", type=float, default=1.0, help="share of revenue that is gross profit, for "
                                                                   "profit, whale curve and CLV (default 1)")
    s.add_argument("--cost-per-purchase", type=float, default=0.0,
                   help="cost to serve one purchase day, for the whale curve (default 0)")
    s.add_argument("--timeout", type=int, default=3600, help="seconds allowed per notebook cell (default 3600)")
    s.add_argument("--force", action="store_true", help="overwrite existing output files in DIR")
    s.set_defaults(func=cmd_analyze)
    return s


def cmd_analyze(args) -> int:
    """Run `crmlab analyze` (see :func:`add_subparser`); returns the exit status."""
    from .cases import get_case
    from .runner import run_notebook, to_html

    notebook = get_case("customer_value").notebook_path
    path = Path(args.file)
    if not path.is_file():
        raise CrmlabError(f"file not found: {path}")
    out = Path(args.out).resolve()
    _end_day(args.observation_end)
    check_number(args.gross_margin, "--gross-margin", low=0.0, high=1.0, low_open=True)
    check_number(args.cost_per_purchase, "--cost-per-purchase", low=0.0)
    prepare_output_dir(out, [out / name for name in OUTPUTS], args.force)
    key = secrets.token_bytes(32) if args.pseudonymize else None
    t0 = time.perf_counter()
    result = clean_transactions(path, customer_col=args.customer, date_col=args.date, amount_col=args.amount,
                                date_format=args.date_format, decimal=args.decimal, refunds=args.refunds,
                                observation_end=args.observation_end, key=key, encoding=args.encoding)
    clean = write_clean(result, out / "clean_transactions.parquet")
    if key is not None:
        print(f"pseudonymisation key (shown once, stored nowhere; keep it to re-identify customers): {key.hex()}")
    result.quality.to_csv(out / "data_quality.csv", index=False)
    t_clean = time.perf_counter() - t0
    q = result.quality.set_index("item")["rows"]
    print(f"read {q['rows_read']} rows from {path.name}: {q['rows_used']} used, "
          f"{q['rows_read'] - q['rows_used']} excluded (see data_quality.csv); cleaned in {t_clean:.1f} s")
    params = {"data_path": str(clean), "observation_end": str(result.observation_end.date()),
              "gross_margin": float(args.gross_margin), "cost_per_purchase": float(args.cost_per_purchase),
              "customers_csv": str(out / "customers.csv")}
    executed = run_notebook(notebook, out / "customer_value.ipynb", params, cwd=out, timeout=args.timeout)
    to_html(executed, out / "report.html")
    print(f"analysed in {time.perf_counter() - t0:.1f} s")
    for name in ("report.html", "customers.csv", "data_quality.csv", "customer_value.ipynb"):
        print(f"  {out / name}")
    return 0


def main(argv=None) -> int:
    """``crmlab analyze ARGS`` on its own: ``main(["export.csv", "--customer", ...])`` (the arguments after
    ``analyze``) does what ``crmlab.cli.main(["analyze", ...])`` does once the subcommand is wired in."""
    from .cli import EXIT_USAGE, _Parser

    parser = _Parser(prog="crmlab")
    add_subparser(parser.add_subparsers(dest="command", parser_class=_Parser))
    args = parser.parse_args(["analyze", *(sys.argv[1:] if argv is None else argv)])
    try:
        return args.func(args)
    except (CrmlabError, ValueError, TypeError) as exc:
        print(f"crmlab: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
