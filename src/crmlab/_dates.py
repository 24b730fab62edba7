"""Dates as people write them: one reading of date text for the whole package.

Both ``crmlab analyze`` (:mod:`crmlab.analyze.parse`) and the input checks of the library functions
(:func:`crmlab._validate.datetime_column`, hence :func:`crmlab.rfm.rfm_summary`) read text dates with
:class:`DateReader`, so a column means the same dates everywhere.

Each value is read on its own, in the first style that fits it, so one column may mix styles:

* year first: ``2024-03-05``, ``2024/3/5``, ``2024.03.05``, ``20240305``, ``2024年3月5日``;
* month names (English): ``5 Mar 2024``, ``05-MAR-24``, ``March 5, 2024``, ``Tue, 05 Mar 2024``;
* Excel serial day numbers: five digits, e.g. ``45356`` = 2024-03-05 (1900 date system);
* day and month as numbers, then the year: ``05.03.2024``, ``5/3/24``, ``03-05-2024``. Whether the day or
  the month comes first is decided per separator (``/``, ``-``, ``.``) from the values themselves: a value
  whose first number is above 12 can only be day-first (``25/03/2024``), one whose second is above 12 only
  month-first. A slash or dash style whose values could all be read both ways, differently (``03/05/2024``
  and no day above 12 anywhere), is never guessed: :class:`AmbiguousDatesError` names the style and the way
  out (``--date-format``). Dotted dates are day-first unless their values prove otherwise: ``dd.mm.yyyy``
  is the written convention wherever dots are used (DIN 5008, GOST R 7.0.97) and no locale writes
  ``mm.dd.yyyy``. Values contradicting each other (``25/03/2024`` and ``03/25/2024``) stop the same way.

A time of day (``10:30``, ``10:30:15.5 PM``, ``10时30分``) may follow the date, and so may a time zone
(``Z``, ``+08:00``): the date is the local date as written - ``2024-03-05T23:30-05:00`` is 5 March, not
the 6th in UTC. Two-digit years follow POSIX ``strptime`` (69-99 -> 19xx, 00-68 -> 20xx). A date that does
not exist (``31.02.2024``) is unreadable, never rolled over. Formats passed explicitly (strptime, several
separated by ``|``) are tried first and also settle the day/month order of their separator.

Each distinct text is read once, with vectorised pyarrow regular expressions and numpy date arithmetic;
a :class:`DateReader` keeps its day/month decisions across the batches of one file.

Sources: ISO 8601 (year-first dates, offsets); POSIX ``strptime`` (two-digit years); Microsoft Excel 1900
date system (serial 25569 = 1970-01-01); DIN 5008 and GOST R 7.0.97 (dotted day-first dates); Unicode CLDR
short date patterns (slash dates are day-first in some locales, month-first in others).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["AmbiguousDatesError", "DateReader", "DATE_FORMAT_HINT"]

#: The way out named by :class:`AmbiguousDatesError` for a file read by ``crmlab analyze``.
DATE_FORMAT_HINT = "pass --date-format {dmy!r} (day first) or {mdy!r} (month first) (date_format= in Python)"

_NAT = np.iinfo(np.int64).min
_EXCEL_EPOCH = 25569  # Excel 1900 system: serial of 1970-01-01
_TIME = (r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"
         r"(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
         r"|\s*\d{1,2}时(?:\d{1,2}分)?(?:\d{1,2}秒)?)")
_SPLIT = rf"^(?P<date>.*?)(?P<time>{_TIME})?$"
_CLOCK = (r"^[ T]*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?\s*(?P<ap>[AaPp]?)")
_CLOCK_ZH = r"^\s*(?P<h>\d{1,2})时(?:(?P<mi>\d{1,2})分)?(?:(?P<s>\d{1,2})秒)?"
_SEPARATORS = ("/", "-", ".")
_DAY_FIRST_BY_CONVENTION = (".",)  # dd.mm.yyyy: DIN 5008, GOST R 7.0.97; no locale writes mm.dd.yyyy
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAY = r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*"


def _esc(sep: str) -> str:
    return "\\" + sep if sep in "./-" else sep


# (label, regex with groups y/m/d) of the styles that can be read only one way
_YEAR_FIRST = tuple((f"%Y{s}%m{s}%d", rf"^(?P<y>\d{{4}}){_esc(s)}(?P<m>\d{{1,2}}){_esc(s)}(?P<d>\d{{1,2}})$")
                    for s in _SEPARATORS) + (
    ("%Y年%m月%d日", r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$"),
    ("%Y%m%d", r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
_NAMED = (
    ("%d %b %Y", r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-./]*(?P<m>[a-z]{3,9})\.?[\s\-./,]*(?P<y>\d{4}|\d{2})$"),
    ("%b %d, %Y", r"^(?P<m>[a-z]{3,9})\.?[\s\-./]*(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s,\-./]*(?P<y>\d{4})$"),
    ("%Y %b %d", r"^(?P<y>\d{4})[\s\-./]*(?P<m>[a-z]{3,9})\.?[\s\-./]*(?P<d>\d{1,2})$"),
)
_SERIAL = r"^(?P<n>\d{5})(?:\.(?P<f>\d+))?$"


class AmbiguousDatesError(ValueError):
    """Dates that read equally well day-first and month-first (and differently): the reader will not guess."""


def _pair_labels(sep: str, two_digit: bool) -> tuple[str, str]:
    y = "%y" if two_digit else "%Y"
    return f"%d{sep}%m{sep}{y}", f"%m{sep}%d{sep}{y}"


def _ints(fields: pa.StructArray, name: str) -> np.ndarray:
    col = fields.field(name)
    col = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
    return pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)


def _ymd_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01) of whole-number years, months and days; _NAT where no such date."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1) & (y <= 9999)
    month = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype(np.int64)
    start = month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    length = (month + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - start
    ok &= d <= length
    return np.where(ok, start + np.where(ok, d, 1).astype(np.int64) - 1, _NAT)


def _century(y: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Two-digit years as POSIX strptime reads them: 69-99 -> 1900s, 00-68 -> 2000s."""
    return np.where(digits <= 2, np.where(y >= 69, 1900 + y, 2000 + y), y)


def _strptime_days(text: pa.Array, fmt: str) -> np.ndarray:
    """Parse with ``fmt``; a date that does not exist (31.02.2024, which strptime rolls over to 2 March)
    is unreadable: the parsed date, written back with ``fmt``, must give the text again (leading zeros aside)."""
    def canonical(t):
        return pc.replace_substring_regex(pc.utf8_lower(t), r"(^|\D)0+(\d)", r"\1\2")

    ts = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    same = pc.fill_null(pc.equal(canonical(pc.strftime(ts, format=fmt)), canonical(text)), False)
    days = pc.cast(pc.cast(pc.if_else(same, ts, pa.scalar(None, ts.type)), pa.date32()), pa.int32())
    return np.where(days.is_null().to_numpy(zero_copy_only=False), _NAT,
                    days.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64))


def _order_of(fmt: str) -> tuple[str, str] | None:
    """The separator and day/month order a strptime format settles, e.g. '%d/%m/%Y %H:%M' -> ('/', 'dmy')."""
    import re

    found = re.search(r"%([dm])([/.\-])%([dm])\2%[Yy]", fmt)
    if found is None or found.group(1) == found.group(3):
        return None
    return found.group(2), "dmy" if found.group(1) == "d" else "mdy"


class DateReader:
    """Reads date text value by value (see the module docstring), keeping day/month decisions across calls.

    Parameters
    ----------
    date_format : str, optional
        strptime format(s), several separated by ``|``, tried before the automatic styles; a day/month
        format (``%d/%m/%Y``) also settles the order of its separator.
    way_out : str
        What :class:`AmbiguousDatesError` tells the user to do; ``{dmy}`` and ``{mdy}`` are replaced by the
        two readings' formats.

    Attributes
    ----------
    order : dict
        separator -> ``"dmy"`` or ``"mdy"``, as decided so far.
    styles : list of str
        The styles values were read in (strptime-like labels, ``"Excel serial"``), in the order tried.

    Example
    -------
    >>> r = DateReader()
    >>> days, _ = r.read(pa.array(["2024年3月5日", "05.03.2024", "13.03.2024", "45356", "2024-03-05T23:30-05:00"]))
    >>> [str(d) for d in days]
    ['2024-03-05', '2024-03-05', '2024-03-13', '2024-03-05', '2024-03-05']
    >>> r.styles
    ['%Y-%m-%d', '%Y年%m月%d日', 'Excel serial', '%d.%m.%Y']
    >>> DateReader().read(pa.array(["03/05/2024", "04/05/2024"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crmlab._dates.AmbiguousDatesError: dates written like '03/05/2024' are ambiguous: ...

    Source: ISO 8601; POSIX strptime; Excel 1900 date system.
    """

    def __init__(self, date_format: str | None = None, way_out: str = DATE_FORMAT_HINT):
        if date_format is not None and (not isinstance(date_format, str) or not date_format.strip()):
            raise ValueError(f"date_format must be a strptime format such as '%d.%m.%Y', got {date_format!r}")
        self.formats = tuple(f.strip() for f in date_format.split("|") if f.strip()) if date_format else ()
        self.way_out = way_out
        self.order: dict[str, str] = {}
        self.styles: list[str] = []
        for fmt in self.formats:
            settled = _order_of(fmt)
            if settled:
                self.order[settled[0]] = settled[1]

    @property
    def description(self) -> str | None:
        """The styles read so far, ``" | "``-joined (None before any value was read)."""
        return " | ".join(self.styles) or None

    def _used(self, label: str, hit: np.ndarray) -> None:
        if hit.any() and label not in self.styles:
            self.styles.append(label)

    def read(self, values: pa.Array, *, with_time: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """Read text dates.

        Parameters
        ----------
        values : pyarrow Array
            Text (numbers are read as their text, so ``45356`` is an Excel serial).
        with_time : bool
            Also return the time of day.

        Returns
        -------
        (days, seconds): numpy ``datetime64[D]`` with NaT where a value does not read; with ``with_time``
        the seconds after midnight as float64 (0 without a time, NaN where the day is NaT), else None.
        Raises :class:`AmbiguousDatesError` for an ambiguous or contradictory day/month style.
        """
        text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
        encoded = pc.dictionary_encode(text)
        distinct = encoded.dictionary
        days, seconds = self._read_distinct(distinct, with_time)
        idx = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)
        missing = encoded.indices.is_null().to_numpy(zero_copy_only=False)
        out = days[idx] if len(distinct) else np.full(len(text), _NAT)
        out = np.where(missing, _NAT, out)
        result = out.astype("datetime64[D]")
        if not with_time:
            return result, None
        sec = seconds[idx] if len(distinct) else np.zeros(len(text))
        return result, np.where(np.isnat(result), np.nan, sec)

    # -- one pass over the distinct texts ---------------------------------------------------------------
    def _read_distinct(self, text: pa.Array, with_time: bool) -> tuple[np.ndarray, np.ndarray]:
        n = len(text)
        days = np.full(n, _NAT)
        seconds = np.zeros(n)
        if n == 0:
            return days, seconds
        parts = pc.extract_regex(text, _SPLIT)
        date_text = pc.utf8_lower(parts.field("date"))
        date_text = pc.replace_substring_regex(date_text, _WEEKDAY, "")
        for fmt in self.formats:
            todo = days == _NAT
            source = text if any(c in fmt for c in ("%H", "%I")) else parts.field("date")
            got = np.where(todo, _strptime_days(source, fmt), _NAT)
            self._used(fmt, got != _NAT)
            days = np.where(got != _NAT, got, days)
        for label, pattern in _YEAR_FIRST:
            days = self._regex_style(date_text, days, label, pattern)
        for label, pattern in _NAMED:
            days = self._regex_style(date_text, days, label, pattern, named=True)
        days, frac = self._serials(date_text, days)
        for sep in _SEPARATORS:
            days = self._day_month(date_text, days, sep)
        if with_time:
            seconds = self._clock(parts.field("time"), frac)
            days = np.where(np.isnan(seconds), _NAT, days)
        return days, seconds

    def _regex_style(self, text: pa.Array, days: np.ndarray, label: str, pattern: str,
                     named: bool = False) -> np.ndarray:
        m = pc.extract_regex(text, pattern)
        hit = m.is_valid().to_numpy(zero_copy_only=False) & (days == _NAT)
        if not hit.any():
            return days
        fields = m.filter(pa.array(hit))
        y = _ints(fields, "y")
        y = _century(y, np.asarray(pc.utf8_length(fields.field("y")).to_numpy(zero_copy_only=False)))
        d = _ints(fields, "d")
        if named:
            names = fields.field("m").to_pylist()
            lookup = {t: next((i + 1 for i, full in enumerate(_MONTHS)
                               if full.startswith(t) or (t == "sept" and i == 8)), 0) for t in set(names)}
            mon = np.array([lookup[t] for t in names], dtype=np.float64)
        else:
            mon = _ints(fields, "m")
        got = _ymd_days(y, mon, d)
        days = days.copy()
        days[hit] = got
        self._used(label, got != _NAT)
        return days

    def _serials(self, text: pa.Array, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = pc.extract_regex(text, _SERIAL)
        hit = m.is_valid().to_numpy(zero_copy_only=False) & (days == _NAT)
        frac = np.zeros(len(days))
        if hit.any():
            fields = m.filter(pa.array(hit))
            days = days.copy()
            days[hit] = _ints(fields, "n").astype(np.int64) - _EXCEL_EPOCH
            f = fields.field("f").to_pylist()
            frac[hit] = [float("0." + x) if x else 0.0 for x in f]
            self._used("Excel serial", hit)
        return days, frac

    def _day_month(self, text: pa.Array, days: np.ndarray, sep: str) -> np.ndarray:
        e = _esc(sep)
        m = pc.extract_regex(text, rf"^(?P<a>\d{{1,2}}){e}(?P<b>\d{{1,2}}){e}(?P<y>\d{{4}}|\d{{2}})$")
        hit = m.is_valid().to_numpy(zero_copy_only=False) & (days == _NAT)
        if not hit.any():
            return days
        fields = m.filter(pa.array(hit))
        a, b = _ints(fields, "a"), _ints(fields, "b")
        digits = np.asarray(pc.utf8_length(fields.field("y")).to_numpy(zero_copy_only=False))
        y = _century(_ints(fields, "y"), digits)
        dmy, mdy = _ymd_days(y, b, a), _ymd_days(y, a, b)
        order = self.order.get(sep)
        if order is None:
            only_d = (dmy != _NAT) & (mdy == _NAT)
            only_m = (mdy != _NAT) & (dmy == _NAT)
            examples = np.asarray(text.filter(pa.array(hit)).to_pylist(), dtype=object)
            labels = _pair_labels(sep, bool((digits == 2).all()))
            if only_d.any() and only_m.any():
                raise AmbiguousDatesError(
                    f"dates written like {examples[only_d][0]!r} (day first) and {examples[only_m][0]!r} "
                    f"(month first) contradict each other in one column; "
                    + self.way_out.format(dmy=labels[0], mdy=labels[1])
                    + " - values of the other order are then counted as unreadable")
            if only_d.any():
                order = "dmy"
            elif only_m.any():
                order = "mdy"
            elif sep in _DAY_FIRST_BY_CONVENTION:
                order = "dmy"
            else:
                differ = (dmy != mdy) & (dmy != _NAT)
                if differ.any():
                    raise AmbiguousDatesError(
                        f"dates written like {examples[differ][0]!r} are ambiguous: day first ({labels[0]}) and "
                        f"month first ({labels[1]}) both read them, differently, and no day above 12 tells "
                        "them apart; " + self.way_out.format(dmy=labels[0], mdy=labels[1]))
            if order is not None:
                self.order[sep] = order
        got = mdy if order == "mdy" else dmy  # undecided: every value reads the same both ways
        days = days.copy()
        days[hit] = got
        for two in (False, True):
            label = _pair_labels(sep, two)[1 if order == "mdy" else 0]
            self._used(label, (got != _NAT) & ((digits == 2) == two))
        return days

    @staticmethod
    def _clock(time_text: pa.Array, frac: np.ndarray) -> np.ndarray:
        """Seconds after midnight of the time part (NaN when it is not a time of day); Excel fractions added."""
        out = frac * 86400.0
        has = pc.not_equal(time_text, "").to_numpy(zero_copy_only=False)
        if not has.any():
            return out
        for pattern in (_CLOCK, _CLOCK_ZH):
            m = pc.extract_regex(time_text, pattern)
            hit = m.is_valid().to_numpy(zero_copy_only=False) & has
            if not hit.any():
                continue
            f = m.filter(pa.array(hit))
            h = _ints(f, "h")
            mi, s = np.nan_to_num(_ints(f, "mi")), np.nan_to_num(_ints(f, "s"))
            part = np.zeros(len(h))
            names = {f.type.field(i).name for i in range(f.type.num_fields)}
            ap = np.asarray([x.lower() for x in f.field("ap").to_pylist()] if "ap" in names else [""] * len(h))
            if "f" in names:
                part = np.array([float("0." + x) if x else 0.0 for x in f.field("f").to_pylist()])
            twelve = ap != ""
            ok = (mi < 60) & (s < 61) & np.where(twelve, (h >= 1) & (h <= 12), h < 24)
            h = np.where(twelve, h % 12 + np.where(ap == "p", 12, 0), h)
            sec = np.where(ok, h * 3600 + mi * 60 + s + part, np.nan)
            out = out.copy()
            out[hit] = sec
            has = has & ~hit
        out = np.where(has, np.nan, out)  # a time part neither pattern reads
        return out
