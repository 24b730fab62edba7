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

Dates (:func:`parse_dates`, :func:`infer_date_format`): ``date_format`` is a strptime format
(``%d.%m.%Y``, ``%Y年%m月%d日``); without it the format is inferred from the first rows among common
ones, a time of day is ignored, and a file whose dates read equally well day-first and month-first
(``03/04/2024``) is refused until you pass ``date_format``. A date that does not exist (``31.02.2024``)
is unparsable, never rolled over. Date and timestamp columns (Excel date cells, parquet dates) are used
as they are, truncated to the day. Each distinct date text is parsed once, with vectorised pyarrow
kernels.

Ids (:func:`clean_ids`): trimmed text; empty, whitespace-only and placeholder ids (``null``, ``none``,
``nan``, ``n/a``, ``na``, ``-``, ``#n/a``) are missing.

Sources: common export formats of Chinese and European accounting software (no published standard);
strptime (ISO C 7.23.3.5).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._validate import check_choice
from .values import to_arrow

__all__ = ["parse_amounts", "parse_dates", "infer_date_format", "clean_ids", "observation_end_day"]

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
_INFER_SAMPLE = 20_000  # first values of the date column used to infer its format
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
    text = _date_text(to_arrow(values).slice(0, _INFER_SAMPLE), None)
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
    arr = to_arrow(values)
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
            arr = pc.local_timestamp(arr)
        return pc.cast(arr, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]"), None
    fmt = date_format or infer_date_format(arr)
    encoded = pc.dictionary_encode(pc.cast(arr, pa.string()))  # logs repeat dates: parse each text once
    days = _strptime_days(_date_text(encoded.dictionary, fmt), fmt).take(encoded.indices)
    return days.to_numpy(zero_copy_only=False).astype("datetime64[D]"), fmt


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
_BLANKS = ["", "null", "none", "nan", "n/a", "na", "-", "#n/a"]


def clean_ids(values) -> pa.Array:
    """Customer ids as trimmed text; blank, whitespace-only and placeholder ids become null.

    Example
    -------
    >>> clean_ids([" A1 ", "", "N/A", None, 7]).to_pylist()
    ['A1', None, None, None, '7']
    """
    s = pc.utf8_trim_whitespace(pc.cast(to_arrow(values), pa.string()))
    blank = pc.is_in(pc.utf8_lower(s), value_set=pa.array(_BLANKS))
    return pc.if_else(pc.fill_null(blank, True), pa.scalar(None, pa.string()), s)
