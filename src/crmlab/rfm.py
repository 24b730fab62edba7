"""RFM: from a transaction log to per-customer recency, frequency and monetary figures, scores and segments.

Two conventions live side by side, and mixing them up is the classic mistake:

* **Model convention** (:func:`rfm_summary`, the lifetimes / pymc-marketing summary that BG/NBD,
  Pareto/NBD and Gamma-Gamma take): ``frequency`` = number of *repeat* purchase days, ``recency`` = time
  from the *first* to the *last* purchase, ``T`` = time from the first purchase to the end of observation,
  ``monetary_value`` = mean spend on the repeat purchase days.
* **Segmentation convention** (:func:`rfm_table`, used for RFM scoring and segments): ``recency`` = time
  *since the last* purchase (small is good), ``frequency`` = number of purchase days including the first,
  ``monetary`` = total spend.

The CRM Q&A compilation (source 0), line 13, names the three indicators - how recently, how often and
how much a customer buys - as the basis of customer classification; the scoring and segment grid follow
Hughes (1994) and common practice.

References
----------
.. [1] Hughes, A. M. (1994), *Strategic Database Marketing*.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._profile import segment_profile
from ._validate import check_columns, check_dataframe, check_int, check_time_unit, datetime_column, numeric_column

__all__ = ["rfm_summary", "rfm_table", "rfm_scores", "rfm_segments", "default_segment_rules", "RFMSegments",
           "RuleTableWarning"]

_UNIT_DAYS = {"D": 1.0, "W": 7.0}
_REFUND_HINT = ("refunds and returns must be netted against the purchases they reverse before summarising "
                "(crmlab does not guess which purchase a refund belongs to)")


@dataclass(frozen=True)
class _CustomerDays:
    """Per-customer reductions of a day-level log (arrays aligned with ``index``)."""

    index: pd.Index
    first_day: np.ndarray
    last_day: np.ndarray
    n_days: np.ndarray
    total: np.ndarray | None
    repeat_total: np.ndarray | None
    end_day: int


def _observation_day(observation_end, first_day: int, last_day: int) -> int:
    if observation_end is None:
        return last_day
    try:
        ts = pd.Timestamp(observation_end)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"observation_end must be a date (string, datetime or Timestamp), "
                         f"got {observation_end!r}") from exc
    if ts is pd.NaT:
        raise ValueError("observation_end must be a date, got a missing value")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    end = int(np.datetime64(ts.to_datetime64(), "D").astype(np.int64))
    if end < first_day:
        first = np.datetime64(first_day, "D")
        raise ValueError(f"observation_end={str(ts.date())!r} is before the first transaction ({first}): "
                         "nothing would be observed")
    return end


def _check_single_columns(df: pd.DataFrame, columns: Mapping[str, str] | Sequence[str], name: str) -> None:
    """Refuse a named column that appears more than once in ``df`` (``df[col]`` would be a DataFrame).

    ``columns`` is a list of names or ``{argument name: column name}`` (the message then names the argument).
    """
    items = columns.items() if isinstance(columns, Mapping) else [(None, c) for c in columns]
    for arg, col in items:
        count = int(np.sum(df.columns == col))
        if count > 1:
            which = f" ({arg})" if arg else ""
            raise ValueError(f"{name} has {count} columns named {col!r}{which}; column names must be unique: "
                             "rename or drop the duplicates so each name means one column")


def _customer_days(transactions, customer_col: str, date_col: str, amount_col: str | None,
                   observation_end) -> _CustomerDays:
    """Validate a transaction log and reduce it to per-customer first/last purchase day, count and spend.

    Same-day purchases are merged (their amounts summed); transactions after ``observation_end`` are
    dropped. Fully vectorised: a factorisation of the customer ids, one sort of (customer, day) keys, bincounts.
    """
    check_dataframe(transactions, name="transactions")
    cols = {"customer_col": customer_col, "date_col": date_col}
    if amount_col is not None:
        cols["amount_col"] = amount_col
    check_columns(transactions, cols, name="transactions")
    _check_single_columns(transactions, cols, "transactions")
    ids = transactions[customer_col]
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:  # ids of mixed, unorderable types: keep order of first appearance
        codes, uniques = pd.factorize(ids, sort=False)
    if (codes < 0).any():
        bad = codes < 0
        raise ValueError(f"column {customer_col!r} of transactions has {int(bad.sum())} missing customer id(s), "
                         f"first at row {transactions.index[np.argmax(bad)]!r}")
    dates = datetime_column(transactions, date_col, name="transactions")
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    amounts = None
    if amount_col is not None:
        amounts = numeric_column(transactions, amount_col, name="transactions", allow_negative=False,
                                 negative_hint=_REFUND_HINT)
    end_day = _observation_day(observation_end, int(days.min()), int(days.max()))
    keep = days <= end_day
    if not keep.all():
        codes, days = codes[keep], days[keep]
        amounts = None if amounts is None else amounts[keep]

    # One key per (customer, day), customer major: the sorted distinct keys give each customer's purchase
    # days in order, so first/last day and the count of purchase days need one sort and no groupby.
    day0 = int(days.min())
    span = int(days.max()) - day0 + 1
    keys = np.sort(codes.astype(np.int64) * span + (days - day0))
    pairs = keys[np.r_[True, keys[1:] != keys[:-1]]]
    cust = pairs // span
    day = pairs % span + day0
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
    ends = np.r_[starts[1:], len(cust)] - 1
    present = cust[starts]
    total = repeat_total = None
    if amounts is not None:
        n_codes = len(uniques)
        first_of_code = np.full(n_codes, -1, dtype=np.int64)
        first_of_code[present] = day[starts]
        total = np.bincount(codes, weights=amounts, minlength=n_codes)[present]
        repeat = np.where(days == first_of_code[codes], 0.0, amounts)
        repeat_total = np.bincount(codes, weights=repeat, minlength=n_codes)[present]
    index = pd.Index(uniques.take(present), name=customer_col)
    return _CustomerDays(index=index, first_day=day[starts], last_day=day[ends],
                         n_days=ends - starts + 1, total=total, repeat_total=repeat_total, end_day=end_day)


def _engine_customer_days(transactions, customer_col, date_col, amount_col, observation_end) -> _CustomerDays:
    """The per-customer reduction on the engine that fits the input: pandas for a DataFrame, DuckDB for a
    file path or a DuckDB relation, Dask for a Dask DataFrame (:mod:`crmlab.summary_engines`)."""
    from . import summary_engines as engines

    if isinstance(transactions, pd.DataFrame):
        return _customer_days(transactions, customer_col, date_col, amount_col, observation_end)
    if engines.is_dask_input(transactions):
        return engines.customer_days_dask(transactions, customer_col, date_col, amount_col, observation_end)
    if engines.is_duckdb_input(transactions):
        return engines.customer_days_duckdb(transactions, customer_col, date_col, amount_col, observation_end)
    return _customer_days(transactions, customer_col, date_col, amount_col, observation_end)  # refuses it


def rfm_summary(transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                amount_col: str | None = "amount", observation_end=None, time_unit: str = "D") -> pd.DataFrame:
    """Summarise a transaction log per customer in the model convention of lifetimes / pymc-marketing.

    This is the input of the buy-till-you-die models (BG/NBD, Pareto/NBD, Gamma-Gamma). The definitions
    are exactly those of ``lifetimes.utils.summary_data_from_transaction_data`` with ``freq="D"``:

    * purchases on the same calendar day are merged into one purchase day (amounts summed);
    * ``frequency`` = number of purchase days after the first (repeat purchases);
    * ``recency`` = time from the first to the last purchase day (0 for one-time buyers);
    * ``T`` = time from the first purchase day to ``observation_end``;
    * ``monetary_value`` = mean spend over the repeat purchase days, 0 where there are none (the first
      purchase is left out, as the Gamma-Gamma model expects);
    * transactions after ``observation_end`` are ignored; customers whose first purchase is after it are
      absent from the result.

    **Not the RFM-segmentation convention.** Here recency grows with loyalty (a long gap between first and
    last purchase is good); in RFM scoring "recency" is the time *since* the last purchase (small is good).
    For that view, use :func:`rfm_table`; the two are related by ``time since last = T - recency``.

    Parameters
    ----------
    transactions : DataFrame, file path, DuckDB relation or Dask DataFrame
        One row per transaction. A path to a parquet or CSV file (or a folder of parquet files) or a DuckDB
        relation is reduced by DuckDB, out of core; a Dask DataFrame by Dask, where its partitions live
        (:mod:`crmlab.summary_engines`). The summary is the same on every engine; dates must then already
        be dates (text dates are parsed by the pandas path and by ``crmlab analyze``).
    customer_col, date_col, amount_col : str
        Column names. ``amount_col=None`` leaves out ``monetary_value``. Amounts must be non-negative:
        net refunds against the purchases they reverse first.
    observation_end : date-like, optional
        End of the observation window (inclusive, truncated to the day). Default: the last date in the data.
    time_unit : {"D", "W"} or a unit word
        Unit of ``recency`` and ``T``: days, or weeks as days / 7 (not calendar-week buckets). The words
        "day"/"days" and "week"/"weeks" (any case) mean the same, so a world's ``truth["time_unit"]`` can be
        passed as it is.

    Returns
    -------
    DataFrame indexed by customer id (sorted) with float columns ``frequency``, ``recency``, ``T`` and
    ``monetary_value``.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
       alternative to the Pareto/NBD model", *Marketing Science* 24(2) (definitions of x, t_x, T).
    .. [2] lifetimes 0.11, ``summary_data_from_transaction_data``.

    Example
    -------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                     "date": ["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"],
    ...                     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> rfm_summary(log)  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency     T  monetary_value
    customer_id
    1                  1.0     10.0  10.0            20.0
    2                  0.0      0.0   6.0             0.0
    """
    unit = _UNIT_DAYS[check_time_unit(time_unit, "time_unit", _UNIT_DAYS)]
    cd = _engine_customer_days(transactions, customer_col, date_col, amount_col, observation_end)
    frequency = (cd.n_days - 1).astype(np.float64)
    out = pd.DataFrame({
        "frequency": frequency,
        "recency": (cd.last_day - cd.first_day) / unit,
        "T": (cd.end_day - cd.first_day) / unit,
    }, index=cd.index)
    if cd.repeat_total is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            out["monetary_value"] = np.where(frequency > 0, cd.repeat_total / frequency, 0.0)
    return out


def rfm_table(transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
              amount_col: str = "amount", observation_end=None, time_unit: str = "D") -> pd.DataFrame:
    """Per-customer recency, frequency, monetary in the RFM-segmentation convention (input of :func:`rfm_scores`).

    * ``recency`` = time from the last purchase day to ``observation_end`` (0 = bought on the last day;
      small is good) - unlike :func:`rfm_summary`, whose recency is first-to-last purchase;
    * ``frequency`` = number of purchase days, the first included (same-day purchases count once);
    * ``monetary`` = total spend up to ``observation_end``.

    Parameters and validation are those of :func:`rfm_summary` (``amount_col`` is required here), engines
    included: a file path or DuckDB relation is reduced by DuckDB, a Dask DataFrame by Dask.

    Returns
    -------
    DataFrame indexed by customer id with columns ``recency`` (float), ``frequency`` (int), ``monetary``.

    References
    ----------
    .. [1] Hughes, A. M. (1994), *Strategic Database Marketing*.

    Example
    -------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-01", "2024-01-11", "2024-01-05"],
    ...                     "amount": [10.0, 20.0, 8.0]})
    >>> rfm_table(log)  # doctest: +NORMALIZE_WHITESPACE
                 recency  frequency  monetary
    customer_id
    1                0.0          2      30.0
    2                6.0          1       8.0

    Source: CRM Q&A compilation (source 0), line 13 (recent purchases, purchase frequency, amount).
    """
    unit = _UNIT_DAYS[check_time_unit(time_unit, "time_unit", _UNIT_DAYS)]
    if amount_col is None:
        raise ValueError("amount_col is required for rfm_table (monetary is total spend)")
    cd = _engine_customer_days(transactions, customer_col, date_col, amount_col, observation_end)
    return pd.DataFrame({
        "recency": (cd.end_day - cd.last_day) / unit,
        "frequency": cd.n_days.astype(np.int64),
        "monetary": cd.total,
    }, index=cd.index)


def _ordinal_scores(values: np.ndarray, bins: int, *, higher_is_better: bool) -> np.ndarray:
    """Scores 1..bins from each value's place among the *other* customers' values (ties never split).

    With ``below`` / ``above`` the numbers of customers with a strictly worse / strictly better value, the
    score is ``floor(bins * below / (below + above)) + 1`` capped at ``bins``, and the middle score
    ``bins // 2 + 1`` when nobody differs (``below + above == 0``). Integer arithmetic, so exact.
    """
    n = len(values)
    v = values if higher_is_better else -values
    ordered = np.sort(v)
    below = np.searchsorted(ordered, v, side="left")
    above = n - np.searchsorted(ordered, v, side="right")
    others = below + above
    level = np.where(others > 0, (bins * below) // np.maximum(others, 1), bins // 2)
    return np.minimum(level, bins - 1).astype(np.int64) + 1


def rfm_scores(table: pd.DataFrame, *, bins: int = 5, recency_col: str = "recency",
               frequency_col: str = "frequency", monetary_col: str = "monetary") -> pd.DataFrame:
    """Score recency, frequency and monetary 1..``bins`` (quintiles by default), ``bins`` = best.

    A score is a customer's place among the *other* customers: with ``below`` customers strictly worse
    and ``above`` strictly better on that measure, the share ``p = below / (below + above)`` is cut into
    ``bins`` equal steps, ``score = floor(bins * p) + 1`` (``p = 1`` gives ``bins``). Recency is scored in
    reverse: the most recent customers (smallest time since last purchase) are the best.

    * **Ties.** The score depends on the value only, so equal customers always get equal scores, whatever
      their row order. Without ties the scores are equal-count quantile bins (``p = rank / (n - 1)`` for
      ``n`` customers and ranks from 0; level sizes differ by at most one). With heavy ties some levels
      stay empty rather than split equal customers: when half the base bought once, they all get F = 1,
      the next frequency is already above the middle of the others, and F = 2 may be unused.
    * **Extremes.** The worst value always scores 1 and the best ``bins`` (when anyone differs): one-time
      buyers are F = 1 and the customers who bought on the last day R = ``bins``, however many they are,
      which is what the segment rules (e.g. "New customers": R = 5, F = 1) expect.
    * **Small bases.** A score is relative, so with nobody to compare against - a single customer, or all
      customers equal on a measure - there is no information and the score is the middle one,
      ``bins // 2 + 1`` (3 of 5; for even ``bins`` the upper of the two middle levels). A lone customer who
      bought on the last day is therefore 3-3-3 ("Need attention"), not a guess at best or worst; judge such
      a base on its recency in days, not on relative scores.

    Parameters
    ----------
    table : DataFrame
        Segmentation-convention table, e.g. from :func:`rfm_table` (one row per customer).
    bins : int
        Number of score levels, 2..9.
    recency_col, frequency_col, monetary_col : str
        Column names in ``table``.

    Returns
    -------
    Copy of ``table`` with integer columns ``R``, ``F``, ``M`` and the string cell code ``RFM`` (e.g. "545").

    References
    ----------
    .. [1] Hughes, A. M. (1994), *Strategic Database Marketing* (quintile RFM scoring).

    Example
    -------
    >>> t = pd.DataFrame({"recency": [1.0, 30, 200, 5], "frequency": [9, 2, 1, 4],
    ...                   "monetary": [500.0, 80, 20, 150]})
    >>> rfm_scores(t, bins=4)["RFM"].tolist()
    ['444', '222', '111', '333']
    >>> rfm_scores(pd.DataFrame({"recency": [0.0], "frequency": [1], "monetary": [25.0]}))["RFM"].tolist()
    ['333']

    Source: CRM Q&A compilation (source 0), line 13.
    """
    check_dataframe(table, name="table")
    bins = check_int(bins, "bins", low=2, high=9)
    if monetary_col not in table.columns and {"T", "monetary_value"} <= set(table.columns):
        raise ValueError(f"monetary_col={monetary_col!r} is not a column of table; table looks like rfm_summary "
                         "output (model convention: recency = first to last purchase). Build the segmentation "
                         "view with rfm_table(...) instead")
    cols = {"recency_col": recency_col, "frequency_col": frequency_col, "monetary_col": monetary_col}
    check_columns(table, cols, name="table")
    _check_single_columns(table, cols, "table")
    out = table.copy()
    r = _ordinal_scores(numeric_column(table, recency_col, name="table"), bins, higher_is_better=False)
    f = _ordinal_scores(numeric_column(table, frequency_col, name="table"), bins, higher_is_better=True)
    m = _ordinal_scores(numeric_column(table, monetary_col, name="table"), bins, higher_is_better=True)
    out["R"], out["F"], out["M"] = r, f, m
    out["RFM"] = pd.Series(r * 100 + f * 10 + m, index=out.index).astype(str)
    return out


class RuleTableWarning(UserWarning):
    """A segment rule can never match, or overlaps an earlier rule (the earlier rule wins)."""


_BOUNDS = ("r_min", "r_max", "f_min", "f_max", "m_min", "m_max")


def default_segment_rules() -> pd.DataFrame:
    """The default ordered RFM segment table (for 5 score levels): ten named segments on the R x F grid.

    The ten rules partition the 5 x 5 grid of recency and frequency scores, so nobody is left in
    "Other"; the monetary score is left free because it mostly follows frequency. Each row has a
    suggested action. Edit a copy and pass it to :func:`rfm_segments` to use your own rules.

    References
    ----------
    .. [1] The widely used R x F segment grid of RFM practice (e.g. Putler's "RFM analysis" guide), after
       Hughes (1994).
    .. [2] Hughes, A. M. (1994), *Strategic Database Marketing*.

    Example
    -------
    >>> default_segment_rules().loc[0, "segment"]
    'Champions'
    """
    nan = np.nan
    rows = [
        ("Champions", 5, 5, 4, 5, "bought recently and often: reward, ask for referrals"),
        ("Loyal", 3, 4, 4, 5, "buy often: upsell, loyalty programme"),
        ("Potential loyalists", 4, 5, 2, 3, "recent, a few purchases: membership offers"),
        ("New customers", 5, 5, 1, 1, "first purchase just made: onboarding"),
        ("Promising", 4, 4, 1, 1, "recent one-off buyers: build awareness"),
        ("Need attention", 3, 3, 3, 3, "middling on both: limited-time offers"),
        ("About to sleep", 3, 3, 1, 2, "fading one-off buyers: reactivate cheaply"),
        ("Cannot lose them", 1, 2, 5, 5, "were the best, gone quiet: win back personally"),
        ("At risk", 1, 2, 3, 4, "were frequent, gone quiet: personal reactivation"),
        ("Hibernating", 1, 2, 1, 2, "long gone, few purchases: low-cost contact or let go"),
    ]
    df = pd.DataFrame(rows, columns=["segment", "r_min", "r_max", "f_min", "f_max", "action"])
    df.insert(5, "m_min", nan)
    df.insert(6, "m_max", nan)
    return df


def _normalise_rules(rules, bins: int, other: str) -> pd.DataFrame:
    if isinstance(rules, pd.DataFrame):
        df = rules.reset_index(drop=True).copy()
    elif isinstance(rules, Sequence) and not isinstance(rules, str) and all(isinstance(r, Mapping) for r in rules):
        df = pd.DataFrame(list(rules))
    else:
        raise TypeError("rules must be a DataFrame or a list of dicts with a 'segment' key and bounds "
                        f"{', '.join(_BOUNDS)}; got {type(rules).__name__}")
    if len(df) == 0:
        raise ValueError("rules is empty: expected at least one segment rule")
    if "segment" not in df.columns:
        raise ValueError("rules must have a 'segment' column naming each rule")
    unknown = [c for c in df.columns if c.endswith(("_min", "_max")) and c not in _BOUNDS]
    if unknown:
        raise ValueError(f"rules has unknown bound column(s) {unknown}; allowed: {', '.join(_BOUNDS)}")
    names = df["segment"]
    if not all(isinstance(s, str) and s for s in names):
        raise TypeError("rules' 'segment' values must be non-empty strings")
    if names.duplicated().any():
        raise ValueError(f"rules has duplicate segment names: {sorted(set(names[names.duplicated()]))}")
    if (names == other).any():
        raise ValueError(f"rules must not use the name other={other!r}, which is kept for unmatched customers")
    for col in _BOUNDS:
        if col not in df.columns:
            df[col] = np.nan
        vals = pd.to_numeric(df[col], errors="coerce")
        if (vals.isna() & df[col].notna()).any() or ((vals % 1 != 0) & vals.notna()).any():
            raise ValueError(f"rules column {col!r} must hold whole scores 1..{bins} or be empty (unbounded)")
        df[col] = vals.astype("float64")
    return df


def _rule_cells(rules: pd.DataFrame, bins: int) -> np.ndarray:
    """Which of the bins**3 score cells each rule covers: boolean array (n_rules, bins**3)."""
    grid = np.indices((bins, bins, bins)).reshape(3, -1) + 1  # R, F, M of every cell
    cover = np.ones((len(rules), grid.shape[1]), dtype=bool)
    for axis, letter in enumerate("rfm"):
        lo = rules[f"{letter}_min"].fillna(1).to_numpy()[:, None]
        hi = rules[f"{letter}_max"].fillna(bins).to_numpy()[:, None]
        cover &= (grid[axis] >= lo) & (grid[axis] <= hi)
    return cover


def _check_rules(rules: pd.DataFrame, cover: np.ndarray) -> np.ndarray:
    """Warn about rules that can never match or that overlap earlier ones; return first-match cell owner."""
    n_rules, n_cells = cover.shape
    owner = np.full(n_cells, -1, dtype=np.int64)
    names = rules["segment"].tolist()
    for j in range(n_rules):  # loop over rules (a handful), not customers
        mine = cover[j]
        free = mine & (owner < 0)
        if not mine.any():
            warnings.warn(f"segment rule {names[j]!r} can never match: its score ranges are empty or outside "
                          "the score levels", RuleTableWarning, stacklevel=3)
        elif not free.any():
            earlier = sorted({names[i] for i in owner[mine]}, key=names.index)
            warnings.warn(f"segment rule {names[j]!r} can never match: every score cell it covers is taken by "
                          f"earlier rule(s) {earlier}", RuleTableWarning, stacklevel=3)
        elif (mine & (owner >= 0)).any():
            shared = mine & (owner >= 0)
            earlier = sorted({names[i] for i in owner[shared]}, key=names.index)
            warnings.warn(f"segment rule {names[j]!r} overlaps earlier rule(s) {earlier} on {int(shared.sum())} "
                          "score cell(s); the earlier rule wins there", RuleTableWarning, stacklevel=3)
        owner[free] = j
    return owner


@dataclass(frozen=True)
class RFMSegments:
    """Result of :func:`rfm_segments`.

    Attributes: ``labels`` (categorical Series, one per customer, rules' order then "Other"),
    ``summary`` (per segment: customers, share and mean scores/values), ``other_share`` (share of
    customers no rule matched), ``rules`` (the normalised rule table used) and ``cells`` (every score
    cell with the segment it falls in).
    """

    labels: pd.Series
    summary: pd.DataFrame
    other_share: float
    rules: pd.DataFrame
    cells: pd.DataFrame

    def __repr__(self) -> str:
        return (f"RFMSegments({len(self.labels)} customers, {len(self.rules)} rules, "
                f"other_share={self.other_share:.3f})")


def rfm_segments(scores: pd.DataFrame, rules=None, *, bins: int = 5, other: str = "Other") -> RFMSegments:
    """Assign named segments from R, F, M scores with an ordered rule table (first matching rule wins).

    Each rule gives inclusive score ranges ``r_min..r_max``, ``f_min..f_max``, ``m_min..m_max`` (empty =
    unbounded). Before assigning, every one of the ``bins**3`` score cells is checked against the table:
    a :class:`RuleTableWarning` is raised for a rule that can never match (empty range, or all its cells
    taken by earlier rules) and for a rule that overlaps an earlier one. Customers no rule matches go to
    ``other``; their share is reported in ``other_share``.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` (needs integer columns ``R``, ``F``, ``M`` in 1..``bins``).
    rules : DataFrame or list of dicts, optional
        Columns ``segment`` and any of ``r_min, r_max, f_min, f_max, m_min, m_max``; extra columns
        (e.g. ``action``) are kept. Default: :func:`default_segment_rules` (made for ``bins=5``).
    bins : int
        Number of score levels used by ``scores``.
    other : str
        Name of the segment for unmatched customers.

    Returns
    -------
    :class:`RFMSegments`

    References
    ----------
    .. [1] The R x F segment grid of common RFM practice, after Hughes (1994).
    .. [2] Hughes, A. M. (1994), *Strategic Database Marketing*.

    Example
    -------
    >>> t = pd.DataFrame({"recency": [1.0, 30, 200, 5, 90], "frequency": [9, 2, 1, 4, 3],
    ...                   "monetary": [500.0, 80, 20, 150, 60]})
    >>> res = rfm_segments(rfm_scores(t))
    >>> res.labels.tolist()
    ['Champions', 'About to sleep', 'Hibernating', 'Loyal', 'At risk']

    Source: CRM Q&A compilation (source 0), lines 12–13 (classify customers to serve them differently).
    """
    check_dataframe(scores, name="scores")
    bins = check_int(bins, "bins", low=2, high=9)
    if not isinstance(other, str) or not other:
        raise TypeError(f"other must be a non-empty string, got {other!r}")
    check_columns(scores, ["R", "F", "M"], name="scores")
    _check_single_columns(scores, ["R", "F", "M"], "scores")
    rfm = np.column_stack([numeric_column(scores, c, name="scores") for c in ("R", "F", "M")])
    bad = (rfm < 1) | (rfm > bins) | (rfm % 1 != 0)
    if bad.any():
        col = "RFM"[int(np.argmax(bad.any(axis=0)))]
        raise ValueError(f"column {col!r} of scores must hold whole scores 1..{bins} (bins={bins}); "
                         "pass the bins used in rfm_scores")
    if rules is None:
        if bins != 5:
            raise ValueError(f"the default segment rules are made for bins=5, got bins={bins}; pass your own rules")
        rules = default_segment_rules()
    table = _normalise_rules(rules, bins, other)
    cover = _rule_cells(table, bins)
    owner = _check_rules(table, cover)
    names = table["segment"].tolist() + [other]
    owner_named = np.where(owner < 0, len(names) - 1, owner)
    cell = ((rfm[:, 0] - 1) * bins + (rfm[:, 1] - 1)) * bins + (rfm[:, 2] - 1)
    codes = owner_named[cell.astype(np.int64)]
    labels = pd.Series(pd.Categorical.from_codes(codes, categories=names, ordered=True),
                       index=scores.index, name="segment")
    grid = np.indices((bins, bins, bins)).reshape(3, -1) + 1
    cells = pd.DataFrame({"R": grid[0], "F": grid[1], "M": grid[2],
                          "segment": pd.Categorical.from_codes(owner_named, categories=names, ordered=True)})
    summary = segment_profile(scores, labels)
    return RFMSegments(labels=labels, summary=summary, other_share=float(np.mean(codes == len(names) - 1)),
                       rules=table, cells=cells)
