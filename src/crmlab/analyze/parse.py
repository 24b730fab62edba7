"""Parsing the values of a client's export: amounts written as currency text, local dates, customer ids.

Each function takes one column (a pyarrow Array, a pandas Series or a sequence) and returns parsed values
with a missing value wherever a cell does not parse; none of them drops, counts or explains a row, and
none reads a file. Which rows are then excluded, and why, is decided and counted by
:mod:`crmlab.analyze.clean`; opening files is :mod:`crmlab.analyze.read`.

Amounts (:func:`parse_amounts`): surrounding currency marks are removed (``¥ ￥ $ € £ ₩ ₹ 元 块 人民币``
and the codes RMB, CNY, USD, EUR, GBP, HKD, JPY, ...), as are spaces and apostrophes used as thousands
separators; ``(12.00)`` and a trailing minus (``12.00-``) are negative. The decimal mark is ``.`` or
``,`` for the whole file: ``decimal="auto"`` decides it from the values that can only be read one way in
the first batch of rows (``1.234,50`` or ``12,5`` -> comma; ``1,234.50`` or ``12.5`` -> point; point
when nothing decides), and values that contradict it are unparsable. Pass ``decimal`` to decide yourself.

Dates (:func:`parse_dates`, :func:`infer_date_format`): each value is read on its own by
:class:`crmlab._dates.DateReader` - the one reading of date text in crmlab, also behind
:func:`crmlab.rfm.rfm_summary` - so a column may mix ``2024/3/5``, ``2024-03-05``, ``2024年3月5日``,
``05.03.2024``, ISO timestamps with a time zone (the local date as written) and Excel serial numbers
(``45356``). Day-first or month-first is decided from the values; a style that reads equally well both
ways (``03/04/2024`` and no day above 12) is refused until you pass ``date_format``. A date that does not
exist (``31.02.2024``) is unparsable, never rolled over. Date and timestamp columns (Excel date cells,
parquet dates) are used as they are, truncated to the day. Each distinct date text is parsed once.

Ids (:func:`clean_ids`): trimmed text; empty, whitespace-only and placeholder ids (``null``, ``n/a``,
``-``, ``#n/a``) are missing. ``NA``, ``None`` and ``nan`` are ids unless the caller lists them as blanks
(a file may hold a customer called ``NA``).

Sources: common export formats of Chinese and European accounting software (no published standard);
ISO 8601 and POSIX strptime (dates).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._dates import DateReader
from .._validate import check_choice
from .values import to_arrow

__all__ = ["parse_amounts", "parse_dates", "infer_date_format", "date_cells_to_days", "clean_ids",
           "observation_end_day"]

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
    arr = to_arrow(values)
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
_INFER_SAMPLE = 20_000  # first values of the date column described by infer_date_format


def _is_date_type(arr: pa.Array) -> bool:
    return pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type)


def date_cells_to_days(arr: pa.Array) -> np.ndarray:
    """Date or timestamp cells as days (``datetime64[D]``): the local date as stored, time of day dropped."""
    if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
        arr = pc.local_timestamp(arr)
    return pc.cast(arr, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")


def infer_date_format(values) -> str:
    """The date styles of the first 20,000 ``values``, ``" | "``-joined (see :class:`crmlab._dates.DateReader`).

    Raises ValueError when no value reads as a date, and :class:`~crmlab._dates.AmbiguousDatesError` (a
    ValueError) when day-first and month-first read the values equally well but differently: pass a
    format then.

    Example
    -------
    >>> infer_date_format(["2024年1月5日", "2024年12月31日"])
    '%Y年%m月%d日'
    >>> infer_date_format(["31/01/2024", "05/02/2024", "2024-02-07"])
    '%Y-%m-%d | %d/%m/%Y'

    Source: ISO 8601; POSIX strptime (see :mod:`crmlab._dates`).
    """
    arr = to_arrow(values).slice(0, _INFER_SAMPLE)
    reader = DateReader()
    days, _ = reader.read(arr)
    if reader.description is None:
        text = pc.drop_null(pc.cast(arr, pa.string()))
        shown = text[0].as_py() if len(text) else None
        raise ValueError(f"no common date style reads the date column (e.g. {shown!r}); "
                         "pass date_format, e.g. '%d.%m.%Y'")
    return reader.description


def parse_dates(values, date_format: str | None = None) -> tuple[np.ndarray, str | None]:
    """Parse dates to whole days (numpy ``datetime64[D]``, NaT where a value does not parse).

    Each value is read on its own, so a column may mix styles (``2024/3/5``, ``2024年3月5日``,
    ``05.03.2024``, ``45356``); the day/month order of ``05.03.2024``-like values is decided from the
    values, never guessed (:class:`crmlab._dates.DateReader`).

    Parameters
    ----------
    values : pyarrow Array, pandas Series or sequence
        Date strings, Excel serial numbers, or dates/timestamps (kept, truncated to the day).
    date_format : str, optional
        strptime format(s), several separated by ``|``, tried before the automatic styles.

    Returns
    -------
    (days, styles used) - the styles are None for values that were already dates.

    Example
    -------
    >>> d, fmt = parse_dates(["05.01.2024", "31.12.2024 13:45", "soon"])
    >>> [str(x) for x in d], fmt
    (['2024-01-05', '2024-12-31', 'NaT'], '%d.%m.%Y')

    Source: ISO 8601; POSIX strptime (see :mod:`crmlab._dates`).
    """
    arr = to_arrow(values)
    if _is_date_type(arr):
        return date_cells_to_days(arr), None
    reader = DateReader(date_format)
    days, _ = reader.read(arr)
    return days, reader.description


def observation_end_day(observation_end) -> int | None:
    """The last day analysed as a day number (days since 1970-01-01); None when not given (None or "").

    Accepts anything :class:`pandas.Timestamp` reads (``"2024-12-31"``, a date, a timestamp - a time
    zone is dropped, the time of day ignored). Raises ValueError for anything else.

    Example
    -------
    >>> observation_end_day("2024-12-31"), observation_end_day(None)
    (20088, None)
    """
    if observation_end in (None, ""):
        return None
    try:
        ts = pd.Timestamp(observation_end)
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT:
        raise ValueError(f"observation_end must be a date like 2024-12-31, got {observation_end!r}")
    return int(np.datetime64(ts.tz_localize(None) if ts.tzinfo else ts, "D").astype(np.int64))


# --- ids -------------------------------------------------------------------------------------------------
#: Cell texts that are never a customer id: empty cells, Excel's error value and export placeholders.
#: Words that can be ids (``NA``, ``None``, ``nan``) are ids unless the caller lists them as blanks.
DEFAULT_BLANK_IDS = ("", "#n/a", "null", "n/a", "-")


def clean_ids(values, blanks=DEFAULT_BLANK_IDS) -> pa.Array:
    """Customer ids as trimmed text; blank, whitespace-only and placeholder ids become null.

    Parameters
    ----------
    values : pyarrow Array, pandas Series or sequence
        Ids as text or numbers (numbers become their text: ``7`` -> ``"7"``; ``"007"`` stays ``"007"``).
    blanks : sequence of str
        Texts meaning "no id", compared trimmed and case-insensitively; default :data:`DEFAULT_BLANK_IDS`.

    Example
    -------
    >>> clean_ids([" A1 ", "", "N/A", None, 7, "NA", "None", "007"]).to_pylist()
    ['A1', None, None, None, '7', 'NA', 'None', '007']
    >>> clean_ids(["NA", "x"], blanks=["", "na"]).to_pylist()
    [None, 'x']
    """
    arr = to_arrow(values)
    if pa.types.is_floating(arr.type):  # whole numbers read as floats (an Excel or pandas column) -> "7", not "7.0"
        whole = pc.fill_null(pc.equal(pc.floor(arr), arr), False)
        if pc.all(pc.or_(whole, arr.is_null())).as_py():
            arr = pc.cast(arr, pa.int64())
    s = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    blank = pc.is_in(pc.utf8_lower(s), value_set=pa.array([str(b).strip().lower() for b in blanks] or [""],
                                                          type=pa.string()))
    return pc.if_else(pc.fill_null(blank, True), pa.scalar(None, pa.string()), s)
