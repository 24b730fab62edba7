"""Effects of a programme with their uncertainty: the difference in differences as a ratio of ratios, and a
bootstrap over units (customers) that keeps each group's size fixed.

A loyalty scheme, a mailing or a new service reaches one group of customers (the treated) and not another (the
comparison group); the same customers are observed before and after. When the groups differ in *level* — card
members shop more than non-members even before they join — a change that is common to both groups in
proportion (a season, a price rise) adds more to the group with the higher level. The difference in
differences is then taken on the ratio scale::

    (mean after, treated / mean before, treated) / (mean after, comparison / mean before, comparison) - 1

which assumes parallel trends in proportion (in logs) rather than in units. Its sampling error comes from
which customers happen to be in each group: :func:`bootstrap_group_means` resamples customers with replacement
within each group, keeping the groups' sizes, and returns every column's group means for each resample, so
that any function of group means (the ratio of ratios, or the economics built on it) gets a percentile
interval (:func:`percentile_interval`). :func:`did_ratio_bootstrap` does both for the ratio of ratios.

Resampling whole customers keeps each customer's before and after together, which is what makes the interval
honest when the same customers are measured twice (Bertrand, Duflo & Mullainathan 2004).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import as_float_array
from ._validate import as_generator, check_int, check_probability

__all__ = ["did_ratio", "bootstrap_group_means", "percentile_interval", "did_ratio_bootstrap", "DidBootstrap"]

#: Largest number of resampled indices drawn at once (replicates × group size); bounds the memory used.
_CHUNK_CELLS = 2_000_000


def _as_treated(treated, n: int) -> np.ndarray:
    if isinstance(treated, (str, bytes)) or treated is None:
        raise TypeError(f"treated must be an array of True/False (or 0/1), one per unit, got {treated!r}")
    arr = np.asarray(treated).ravel()
    if arr.dtype == bool:
        out = arr
    elif arr.dtype.kind in "iuf" and np.isin(arr, (0, 1)).all():
        out = arr.astype(bool)
    else:
        raise TypeError("treated must hold True/False (or 0/1) values, one per unit")
    if out.size != n:
        raise ValueError(f"treated has {out.size} values but before/after have {n}: give one per unit")
    if out.all() or not out.any():
        raise ValueError("treated must mark at least one treated and one comparison unit")
    return out


def _check_aligned(**objs) -> None:
    """Pandas inputs are matched by position; refuse ones whose indexes differ (they would be misaligned)."""
    indexed = [(name, o.index) for name, o in objs.items() if isinstance(o, (pd.Series, pd.DataFrame))]
    for name, index in indexed[1:]:
        first, ref = indexed[0]
        if not index.equals(ref):
            raise ValueError(f"{name} and {first} have different indexes: they are matched by position, so align "
                             f"them first (e.g. {name}.reindex({first}.index))")


def _ratio_of_ratios(before_t, after_t, before_c, after_c):
    return (after_t / before_t) / (after_c / before_c) - 1.0


def did_ratio(before, after, treated) -> float:
    """Difference in differences as a ratio of ratios: the treated group's after/before ratio of means over the
    comparison group's, minus 1.

    Parameters
    ----------
    before, after : array-like of non-negative numbers
        One value per unit (customer), e.g. trips per week before and after a launch. Rates per week, per
        quarter or totals give the same answer as long as each period uses one unit throughout.
    treated : array-like of bool (or 0/1)
        One flag per unit: True for the treated group (e.g. members), False for the comparison group. The three
        arrays are matched by position; pandas Series must share their index.

    Returns
    -------
    float
        ``(mean(after[T]) / mean(before[T])) / (mean(after[C]) / mean(before[C])) - 1``: the relative effect on
        the treated, under parallel trends in proportion.

    Raises
    ------
    ValueError
        If the arrays differ in length, a group is empty, or a group's mean before (or the comparison group's
        mean after) is zero.

    References
    ----------
    .. [1] Angrist, J. D. & Pischke, J.-S. (2009), *Mostly Harmless Econometrics*, Princeton University Press,
       ch. 5 (differences in differences; parallel trends on the scale of the model, e.g. in logs).
    .. [2] Card, D. & Krueger, A. B. (1994), "Minimum wages and employment: a case study of the fast-food
       industry in New Jersey and Pennsylvania", *American Economic Review* 84(4), 772-793.

    Examples
    --------
    >>> round(did_ratio([1.0, 1.0], [1.2, 1.2], [True, False]), 6)
    0.0
    >>> round(did_ratio([2.0, 1.0], [2.2, 1.0], [True, False]), 6)
    0.1
    """
    _check_aligned(before=before, after=after, treated=treated)
    b = as_float_array(before, "before", low=0.0)
    a = as_float_array(after, "after", low=0.0)
    if a.size != b.size:
        raise ValueError(f"before has {b.size} values but after has {a.size}: give one of each per unit")
    t = _as_treated(treated, b.size)
    means = [x[g].mean() for g in (t, ~t) for x in (b, a)]
    _check_means(*means)
    return float(_ratio_of_ratios(*means))


def _check_means(before_t, after_t, before_c, after_c):
    if before_t == 0:
        raise ValueError("the treated group's mean before is zero: the ratio after/before is undefined")
    if before_c == 0:
        raise ValueError("the comparison group's mean before is zero: the ratio after/before is undefined")
    if after_c == 0:
        raise ValueError("the comparison group's mean after is zero: the ratio of ratios is undefined")


def bootstrap_group_means(values, groups, *, n_boot: int = 2000, seed=0) -> pd.DataFrame:
    """Bootstrap over units within groups: the mean of every column in every group, for each resample.

    Each resample draws, within each group, as many units as the group has, with replacement (a stratified
    bootstrap: group sizes stay fixed, as in the data), and takes the mean of each column over the drawn
    units. A unit's columns stay together, so a function of several group means (a ratio of ratios, the
    economics of a programme) can be computed replicate by replicate, and its spread read off.

    Parameters
    ----------
    values : DataFrame or mapping of column name to array-like
        One row per unit, numeric columns (e.g. spend before, spend after, rewards).
    groups : array-like
        The group of each unit (any labels, e.g. "members" and "non-members"); no missing values. Matched to
        ``values`` by position; pandas objects must share their index.
    n_boot : int
        Number of resamples (at least 1).
    seed : int or numpy.random.Generator
        The random stream: the same seed gives the same resamples.

    Returns
    -------
    DataFrame
        ``n_boot`` rows (index ``replicate``), columns a MultiIndex ``(group, column)`` in sorted group order.

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993), *An Introduction to the Bootstrap*, Chapman & Hall, ch. 6
       and 13 (the bootstrap of a statistic, percentile intervals).
    .. [2] Davison, A. C. & Hinkley, D. V. (1997), *Bootstrap Methods and their Application*, Cambridge
       University Press, section 3.2 (several samples: resample each separately).

    Examples
    --------
    >>> v = pd.DataFrame({"x": [1.0, 1.0, 5.0]})
    >>> boot = bootstrap_group_means(v, ["a", "a", "b"], n_boot=3, seed=0)
    >>> boot[("a", "x")].tolist(), boot[("b", "x")].tolist()
    ([1.0, 1.0, 1.0], [5.0, 5.0, 5.0])
    """
    n_boot = check_int(n_boot, "n_boot", low=1)
    rng = as_generator(seed)
    if isinstance(values, pd.DataFrame):
        frame = values
    elif isinstance(values, Mapping):
        frame = pd.DataFrame({k: np.asarray(v) for k, v in values.items()})
    else:
        raise TypeError(f"values must be a DataFrame or a mapping of column name to array, got {type(values).__name__}")
    if frame.shape[1] == 0 or len(frame) == 0:
        raise ValueError("values must have at least one column and one row")
    columns = list(frame.columns)
    data = np.column_stack([as_float_array(frame[c].to_numpy(), f"values[{c!r}]") for c in columns])
    _check_aligned(values=values, groups=groups)
    if isinstance(groups, (str, bytes)) or groups is None:
        raise TypeError(f"groups must be an array of labels, one per unit, got {groups!r}")
    labels = pd.Series(np.asarray(groups).ravel() if not isinstance(groups, pd.Series) else groups.to_numpy())
    if len(labels) != len(frame):
        raise ValueError(f"groups has {len(labels)} labels but values has {len(frame)} rows: give one per unit")
    if labels.isna().any():
        raise ValueError("groups has missing labels")
    out = {}
    for g in sorted(labels.unique(), key=str):
        x = data[(labels == g).to_numpy()]
        n = x.shape[0]
        means = np.empty((n_boot, x.shape[1]))
        step = max(1, _CHUNK_CELLS // n)
        for start in range(0, n_boot, step):
            stop = min(n_boot, start + step)
            idx = rng.integers(0, n, size=(stop - start, n))
            # how often each unit is drawn in each replicate, then the weighted means
            rows = np.repeat(np.arange(stop - start), n)
            counts = np.bincount(rows * n + idx.ravel(), minlength=(stop - start) * n).reshape(stop - start, n)
            means[start:stop] = counts @ x / n
        for j, c in enumerate(columns):
            out[(g, c)] = means[:, j]
    result = pd.DataFrame(out)
    result.columns = pd.MultiIndex.from_tuples(result.columns, names=["group", "column"])
    result.index.name = "replicate"
    return result


def percentile_interval(draws, level: float = 0.95) -> tuple[float, float]:
    """The bootstrap percentile interval: the (1 − level)/2 and (1 + level)/2 quantiles of the draws.

    Parameters
    ----------
    draws : array-like of numbers
        Bootstrap replicates of a statistic (no missing values).
    level : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    (low, high) : tuple of float

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993), *An Introduction to the Bootstrap*, Chapman & Hall, ch. 13.

    Examples
    --------
    >>> [round(x, 6) for x in percentile_interval(np.arange(101.0), level=0.9)]
    [5.0, 95.0]
    """
    level = check_probability(level, "level", open_low=True, open_high=True)
    d = as_float_array(np.asarray(draws), "draws")
    low, high = np.quantile(d, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


@dataclass(frozen=True)
class DidBootstrap:
    """The ratio-of-ratios difference in differences with its bootstrap interval.

    Attributes
    ----------
    estimate : float  the difference in differences on the data (:func:`did_ratio`)
    low, high : float  the percentile interval at ``level``
    level : float  coverage of the interval
    draws : numpy.ndarray  the bootstrap replicates of the estimate
    """

    estimate: float
    low: float
    high: float
    level: float
    draws: np.ndarray

    @property
    def spans_zero(self) -> bool:
        """True when the interval contains zero: the sign of the effect is not settled by the data."""
        return self.low <= 0.0 <= self.high


def did_ratio_bootstrap(before, after, treated, *, n_boot: int = 2000, level: float = 0.95,
                        seed=0) -> DidBootstrap:
    """:func:`did_ratio` with a percentile interval from a bootstrap over units within each group.

    Parameters
    ----------
    before, after, treated
        As for :func:`did_ratio`.
    n_boot : int
        Number of resamples.
    level : float
        Coverage of the interval, in (0, 1).
    seed : int or numpy.random.Generator
        The random stream of the resampling.

    Returns
    -------
    DidBootstrap

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993), *An Introduction to the Bootstrap*, Chapman & Hall, ch. 13.
    .. [2] Bertrand, M., Duflo, E. & Mullainathan, S. (2004), "How much should we trust
       differences-in-differences estimates?", *Quarterly Journal of Economics* 119(1), 249-275 (resample
       whole units, so that a unit's periods stay together).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> base = np.r_[np.full(500, 2.0), np.full(500, 1.0)]
    >>> treated = np.r_[np.ones(500, bool), np.zeros(500, bool)]
    >>> before = rng.poisson(13 * base)
    >>> after = rng.poisson(13 * base * np.where(treated, 1.1, 1.0))
    >>> res = did_ratio_bootstrap(before, after, treated, n_boot=500, seed=2)
    >>> bool(res.low < 0.1 < res.high), res.spans_zero
    (True, False)
    """
    estimate = did_ratio(before, after, treated)   # validates the inputs
    level = check_probability(level, "level", open_low=True, open_high=True)
    b, a = as_float_array(before, "before"), as_float_array(after, "after")
    t = _as_treated(treated, b.size)
    boot = bootstrap_group_means({"before": b, "after": a}, np.where(t, "treated", "comparison"), n_boot=n_boot,
                                 seed=seed)
    T, C = boot["treated"], boot["comparison"]
    zero = ((T["before"] == 0) | (C["before"] == 0) | (C["after"] == 0)).to_numpy()
    if zero.any():
        raise ValueError(f"{int(zero.sum())} of {n_boot} resamples have a group mean of zero, where the ratio of "
                         "ratios is undefined; the groups are too small or too sparse for a bootstrap of the ratio")
    draws = _ratio_of_ratios(T["before"], T["after"], C["before"], C["after"]).to_numpy()
    low, high = percentile_interval(draws, level)
    return DidBootstrap(estimate=estimate, low=low, high=high, level=level, draws=draws)
