"""Input validation shared by every crmlab function.

Bad input is stopped at the door with an exception that names the argument or column and says what was
expected: TypeError for the wrong kind of object, ValueError for a wrong value. Nothing here guesses.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "as_generator",
    "check_generator",
    "check_dataframe",
    "check_columns",
    "check_number",
    "check_int",
    "check_probability",
    "check_choice",
    "check_time_unit",
    "TIME_UNIT_WORDS",
    "LANGS",
    "check_lang",
    "check_fraction_cutoffs",
    "numeric_column",
    "datetime_column",
]


def as_generator(seed, *, name: str = "seed") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed``.

    ``seed`` may be a non-negative int or an existing Generator (passed through, so one stream can be
    handed down). Anything else - floats, strings, the legacy ``RandomState``, ``None`` - is refused:
    crmlab's outputs must be a function of an explicit seed.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer or a numpy.random.Generator, got {seed!r}")
    if int(seed) < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed}")
    return np.random.default_rng(int(seed))


def check_dataframe(df, *, name: str = "data", allow_empty: bool = False) -> pd.DataFrame:
    """Check that ``df`` is a non-empty pandas DataFrame (``name`` is the argument's name)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    if not allow_empty and len(df) == 0:
        raise ValueError(f"{name} is empty: expected at least one row")
    return df


def check_columns(df: pd.DataFrame, columns: Mapping[str, str] | Iterable[str], *, name: str = "data") -> None:
    """Check that every column exists.

    ``columns`` is either a list of column names or a mapping ``{argument name: column name}``; with a
    mapping the message names the argument too (``customer_col='cust' is not a column of transactions``).
    """
    if isinstance(columns, Mapping):
        items = list(columns.items())
    else:
        items = [(None, c) for c in columns]
    available = list(map(str, df.columns))
    for arg, col in items:
        if col not in df.columns:
            shown = ", ".join(repr(c) for c in available[:20]) + (" ..." if len(available) > 20 else "")
            where = f"{arg}={col!r}" if arg else f"column {col!r}"
            raise ValueError(f"{where} is not a column of {name}; its columns are: {shown}")


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """Check that ``rng`` is a ``numpy.random.Generator`` (what every drawing function takes); returns it."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def check_number(value, name: str, *, low=None, high=None, low_open: bool = False, high_open: bool = False,
                 allow_none: bool = False):
    """Check a real number lies in [low, high] (or open at either end); returns it as float."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value!r}")
    return v


def check_int(value, name: str, *, low=None, high=None, allow_none: bool = False):
    """Check an integer lies in [low, high]; returns it as int."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} must be >= {low}, got {v}")
    if high is not None and v > high:
        raise ValueError(f"{name} must be <= {high}, got {v}")
    return v


def check_probability(value, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """Check a probability/share in [0, 1] (optionally open at either end)."""
    return check_number(value, name, low=0.0, high=1.0, low_open=open_low, high_open=open_high)


def check_choice(value, name: str, choices: Iterable):
    """Check ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


# Time units: the pandas-style codes crmlab functions take, and the English words (singular, plural) the
# worlds write in ``truth["time_unit"]`` ("weeks"), so that either can be passed wherever a unit is asked for.
TIME_UNIT_WORDS = {"H": ("hour", "hours"), "D": ("day", "days"), "W": ("week", "weeks"),
                   "M": ("month", "months")}


def check_time_unit(value, name: str = "time_unit", codes: Iterable[str] = ("D", "W")) -> str:
    """Return the code of a time unit given as a code in ``codes`` or as its word.

    Codes are matched exactly ("D", "W"); words in either number and any case ("day", "days", "Weeks"),
    as the worlds write ``truth["time_unit"]``. Anything else is refused with a message naming ``name`` and
    listing what is accepted.
    """
    codes = tuple(codes)
    unknown = [c for c in codes if c not in TIME_UNIT_WORDS]
    if unknown:  # a programming error in crmlab, not bad user input
        raise ValueError(f"unknown time unit code(s) {unknown}; known: {', '.join(TIME_UNIT_WORDS)}")
    words = {w: c for c in codes for w in TIME_UNIT_WORDS[c]}
    accepted = (f"one of {', '.join(map(repr, codes))} or the words {', '.join(map(repr, words))}")
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, {accepted}; got {value!r}")
    if value in codes:
        return value
    code = words.get(value.strip().lower())
    if code is None:
        raise ValueError(f"{name} must be {accepted}; got {value!r}")
    return code


def check_fraction_cutoffs(cutoffs, name: str = "cutoffs") -> tuple[float, ...]:
    """Check strictly increasing cut-offs inside (0, 1), e.g. ABC's (0.8, 0.95)."""
    try:
        vals = tuple(float(c) for c in cutoffs)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of numbers, got {cutoffs!r}") from None
    if not vals:
        raise ValueError(f"{name} must not be empty")
    if any(not (0.0 < c < 1.0) for c in vals):
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {cutoffs!r}")
    if any(b <= a for a, b in zip(vals, vals[1:])):
        raise ValueError(f"{name} must be strictly increasing, got {cutoffs!r}")
    return vals


def numeric_column(df: pd.DataFrame, column: str, *, name: str = "data", allow_negative: bool = True,
                   negative_hint: str = "") -> np.ndarray:
    """Return ``df[column]`` as float64, refusing non-numeric values, NaN and (optionally) negatives."""
    s = df[column]
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        raise TypeError(f"column {column!r} of {name} must be numeric, got dtype {s.dtype}")
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"column {column!r} of {name} has {int(bad.sum())} missing or infinite value(s), "
                         f"first at row {df.index[np.argmax(bad)]!r}")
    if not allow_negative and (values < 0).any():
        i = int(np.argmax(values < 0))
        raise ValueError(f"column {column!r} of {name} has {int((values < 0).sum())} negative value(s), "
                         f"first {values[i]!r} at row {df.index[i]!r}" + (f"; {negative_hint}" if negative_hint else ""))
    return values


_PANDAS_WAY_OUT = ("convert the column first: pandas.to_datetime(data[col], format={dmy!r}) (day first) or "
                   "format={mdy!r} (month first); crmlab analyze: --date-format")


def _date_texts(s: pd.Series):
    """The column as pyarrow text; date objects mixed in are written ISO (``2024-03-05 10:00:00+08:00``)."""
    import pyarrow as pa

    values = s.to_numpy(dtype=object)
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None or (isinstance(v, float) and v != v) or v is pd.NaT
                         else v.isoformat(sep=" ") if hasattr(v, "isoformat")
                         else str(v) for v in values], type=pa.string())


def datetime_column(df: pd.DataFrame, column: str, *, name: str = "data") -> pd.Series:
    """Return ``df[column]`` as datetime64, reading text dates strictly (unreadable values are an error).

    Text is read value by value by :class:`crmlab._dates.DateReader` - the same reading as
    ``crmlab analyze`` - so a column may mix ``2024-03-05``, ``2024/3/5 10:30``, ``2024年3月5日`` and
    ``05.03.2024``; day-first or month-first is decided from the values and an ambiguous column
    (``03/05/2024`` with no day above 12) raises :class:`~crmlab._dates.AmbiguousDatesError` (a ValueError)
    instead of being guessed. A time of day is kept; a time zone is dropped, keeping the local time as
    written (as for datetime64 columns with a time zone).

    Example
    -------
    >>> datetime_column(pd.DataFrame({"d": ["25.03.2024", "09.03.2024 10:30", "2024年3月5日"]}), "d").tolist()
    [Timestamp('2024-03-25 00:00:00'), Timestamp('2024-03-09 10:30:00'), Timestamp('2024-03-05 00:00:00')]
    """
    from ._dates import DateReader

    s = df[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
    elif pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise TypeError(f"column {column!r} of {name} must hold dates (datetime64 or date strings), "
                        f"got numbers of dtype {s.dtype}")
    else:
        present = s.dropna()
        if len(present) and present.map(lambda v: hasattr(v, "isoformat")).all():  # date objects, no text
            out = pd.to_datetime(s.map(lambda v: v.replace(tzinfo=None) if getattr(v, "tzinfo", None) else v))
        else:
            text = _date_texts(s)
            try:
                days, seconds = DateReader(way_out=_PANDAS_WAY_OUT).read(text, with_time=True)
            except ValueError as exc:
                raise type(exc)(f"column {column!r} of {name}: {exc}") from None
            bad = np.isnat(days) & s.notna().to_numpy()
            if bad.any():
                raise ValueError(f"column {column!r} of {name} has values that are not dates, "
                                 f"e.g. {s[bad].iloc[0]!r}")
            stamps = days.astype("datetime64[ns]") + np.round(np.nan_to_num(seconds) * 1e9).astype("timedelta64[ns]")
            out = pd.Series(stamps, index=s.index, name=s.name)
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    if out.isna().any():
        first = out.index[out.isna().to_numpy().argmax()]
        raise ValueError(f"column {column!r} of {name} has {int(out.isna().sum())} missing date(s), "
                         f"first at row {first!r}")
    return out


#: The languages of the workbench: notebooks' ``lang``, check messages, chart labels, data dictionaries.
LANGS = ("en", "zh")


def check_lang(lang, name: str = "lang") -> str:
    """Return ``lang`` when it is one of :data:`LANGS`; otherwise a ValueError naming ``name``."""
    if lang not in LANGS:
        raise ValueError(f"{name} must be 'en' or 'zh', got {lang!r}")
    return lang
