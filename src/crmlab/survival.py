"""Right-censored durations and their Kaplan–Meier curve: time to reply, to resolution, to cancellation.

Many CRM questions ask *how long until* something happens - a ticket is resolved, an e-mail answered, a
subscriber gives notice - while some of the clocks are still running when the data are extracted. Those are
right-censored: we know only that the event had not happened by the extract. Dropping them, or counting them as
"no event", biases every share and every mean. This module does the bookkeeping once:

- :func:`durations` turns start and end dates into ``(duration, event)``: an end that is missing, or later than
  ``as_of`` (the extract), is censored at ``as_of``.
- :func:`kaplan_meier` fits the product-limit estimator (Kaplan & Meier 1958) with statsmodels'
  ``SurvfuncRight``, which also gives Greenwood's standard errors (Greenwood 1926).
- :func:`survival_at` and :func:`survival_se_at` read the curve S(t) - the share still waiting at t - and its
  standard error at any t: S is a right-continuous step function, 1 before the first event.
- :func:`restricted_mean` is the restricted mean time, the area under S from 0 to a horizon (Royston &
  Parmar 2013).
- :func:`quantiles` gives the median and other quantiles of the duration with confidence intervals
  (Brookmeyer & Crowley 1982, on statsmodels' complementary log-log scale).

References
----------
.. [1] Kaplan, E. L. & Meier, P. (1958), "Nonparametric estimation from incomplete observations", *JASA* 53.
.. [2] Greenwood, M. (1926), *The natural duration of cancer*, Reports on Public Health 33, HMSO.
.. [3] Brookmeyer, R. & Crowley, J. (1982), "A confidence interval for the median survival time",
   *Biometrics* 38.
.. [4] Royston, P. & Parmar, M. K. B. (2013), "Restricted mean survival time: an alternative to the hazard
   ratio", *BMC Medical Research Methodology* 13:152.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from ._validate import check_number, check_probability, check_time_unit

__all__ = ["durations", "kaplan_meier", "survival_at", "survival_se_at", "restricted_mean", "quantiles",
           "DAYS_PER_UNIT"]

#: Length of each time unit in days; a month is the average calendar month, 365.25 / 12 days.
DAYS_PER_UNIT = {"H": 1 / 24, "D": 1.0, "W": 7.0, "M": 365.25 / 12}


# ------------------------------------------------------------------------------------------------ durations
def _dates(values, name: str, *, allow_missing: bool) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(s):
        raise TypeError(f"{name} must hold dates (datetime64), got dtype {s.dtype}; convert it first with "
                        f"pandas.to_datetime")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    if not allow_missing and s.isna().any():
        raise ValueError(f"{name}{_called(s)} has {int(s.isna().sum())} missing date(s), first at row "
                         f"{s.index[s.isna().to_numpy().argmax()]!r}")
    return s


def _called(s: pd.Series) -> str:
    return f" (column {s.name!r})" if s.name is not None else ""


def durations(start, end, as_of, *, unit: str = "D") -> tuple[pd.Series, pd.Series]:
    """Duration from ``start`` to ``end`` and whether the end was seen, censoring at ``as_of``.

    Parameters
    ----------
    start : Series of datetime64, when each clock starts (a ticket opened, a subscription signed); no
        missing values.
    end : Series of datetime64 of the same length, when the event happened; NaT while it has not happened.
    as_of : the extract's date (a Timestamp or date string), or a Series of them, one per row. An end that is
        missing or later than ``as_of`` is not seen: the row is censored at ``as_of``.
    unit : unit of the durations: ``"H"`` hours, ``"D"`` days, ``"W"`` weeks, ``"M"`` months of
        365.25 / 12 days (or the words, ``"hours"``, ``"months"`` ...).

    Returns
    -------
    (duration, event) : two Series indexed like ``start``: the duration in ``unit`` (float) and the event
        flag (bool; False = right-censored).

    Raises
    ------
    ValueError when an end comes before its start, or ``as_of`` before a start (naming the parameter, its
    column and the first row).

    Example
    -------
    >>> opened = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]), name="opened_at")
    >>> closed = pd.Series(pd.to_datetime(["2024-01-03", None, "2024-01-09"]), name="closed_at")
    >>> d, e = durations(opened, closed, as_of="2024-01-05", unit="days")
    >>> d.tolist(), e.tolist()
    ([2.0, 4.0, 3.0], [True, False, False])
    """
    unit = check_time_unit(unit, "unit", codes=tuple(DAYS_PER_UNIT))
    start = _dates(start, "start", allow_missing=False)
    end = _dates(end, "end", allow_missing=True)
    if len(end) != len(start):
        raise ValueError(f"end has {len(end)} values but start has {len(start)}: give one end per start")
    end = pd.Series(end.to_numpy(), index=start.index, name=end.name)
    if isinstance(as_of, pd.Series):
        stop = _dates(as_of, "as_of", allow_missing=False)
        if len(stop) != len(start):
            raise ValueError(f"as_of has {len(stop)} values but start has {len(start)}: give one date per row "
                             f"or a single date")
        stop = pd.Series(stop.to_numpy(), index=start.index)
    else:
        try:
            stamp = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise TypeError(f"as_of must be a date (Timestamp or date string) or a Series of dates, "
                            f"got {as_of!r}") from None
        if stamp is pd.NaT:
            raise ValueError("as_of must be a date, got a missing value")
        stop = pd.Series(stamp.tz_localize(None) if stamp.tzinfo else stamp, index=start.index)
    early = (end < start).to_numpy()
    if early.any():
        i = int(early.argmax())
        raise ValueError(f"end{_called(end)} is before start{_called(start)} in {int(early.sum())} row(s), "
                         f"first at row {start.index[i]!r}: end {end.iloc[i]} < start {start.iloc[i]}")
    late = (stop < start).to_numpy()
    if late.any():
        i = int(late.argmax())
        raise ValueError(f"as_of is before start{_called(start)} in {int(late.sum())} row(s), first at row "
                         f"{start.index[i]!r}: as_of {stop.iloc[i]} < start {start.iloc[i]}")
    event = (end.notna() & (end <= stop)).astype(bool)
    stopped = end.where(event, stop)
    span = stopped - start
    if unit == "M":  # whole days first, so that dates at midnight give the same months as days / (365.25 / 12)
        duration = (span / pd.Timedelta(days=1)) / DAYS_PER_UNIT["M"]
    else:
        duration = span / pd.Timedelta({"H": "1h", "D": "1D", "W": "7D"}[unit])
    return duration.astype(float).rename("duration"), event.rename("event")


# ---------------------------------------------------------------------------------------------- the curve
def _as_vector(values, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)) or values is None or np.ndim(values) != 1:
        raise TypeError(f"{name} must be a one-dimensional array or Series, got {type(values).__name__}")
    return np.asarray(values)


def kaplan_meier(duration, event) -> SurvfuncRight:
    """Kaplan–Meier (product-limit) estimate of the survival curve S(t) = P(duration > t).

    Parameters
    ----------
    duration : array or Series of non-negative numbers, the time each unit was watched.
    event : array or Series of True/False (or 0/1), one per duration: True when the event happened at that
        duration, False when the unit was censored there (still waiting).

    Returns
    -------
    statsmodels' ``SurvfuncRight``: ``surv_times`` (the distinct event times), ``surv_prob`` (S just after
    each), ``surv_prob_se`` (Greenwood's standard error), ``quantile`` and ``quantile_ci``. Read it with
    :func:`survival_at`, :func:`survival_se_at`, :func:`restricted_mean` and :func:`quantiles`.

    Example
    -------
    >>> fit = kaplan_meier([2, 3, 3, 5, 8], [True, False, True, True, False])
    >>> fit.surv_times.tolist(), fit.surv_prob.round(4).tolist()
    ([2.0, 3.0, 5.0], [0.8, 0.6, 0.3])
    """
    d = _as_vector(duration, "duration")
    if d.dtype.kind not in "iuf":
        raise TypeError(f"duration must hold numbers, got dtype {d.dtype}")
    d = d.astype(float)
    if d.size == 0:
        raise ValueError("duration is empty: expected at least one unit")
    if not np.isfinite(d).all():
        raise ValueError(f"duration has {int((~np.isfinite(d)).sum())} missing or infinite value(s)")
    if (d < 0).any():
        raise ValueError(f"duration has {int((d < 0).sum())} negative value(s), first {d[d < 0][0]!r}")
    e = _as_vector(event, "event")
    if e.dtype == bool:
        pass
    elif e.dtype.kind in "iuf" and np.isin(e, (0, 1)).all():
        e = e.astype(bool)
    else:
        raise TypeError("event must hold True/False (or 0/1) values: True = event seen, False = censored")
    if e.size != d.size:
        raise ValueError(f"event has {e.size} values but duration has {d.size}: give one per unit")
    return SurvfuncRight(d, e.astype(float))


def _check_fit(fit) -> SurvfuncRight:
    if not isinstance(fit, SurvfuncRight):
        raise TypeError(f"fit must be a Kaplan–Meier fit from kaplan_meier (statsmodels SurvfuncRight), "
                        f"got {type(fit).__name__}")
    return fit


def _read_step(fit, t, values: np.ndarray, before: float, name: str):
    scalar = isinstance(t, numbers.Real) and not isinstance(t, (bool, np.bool_))
    ts = np.asarray(t, dtype=float) if not scalar else np.asarray([float(t)])
    if ts.ndim > 1 or not np.isfinite(ts).all():
        raise ValueError(f"{name} must be a finite number or a one-dimensional array of them, got {t!r}")
    k = np.searchsorted(fit.surv_times, ts, side="right")
    out = np.where(k == 0, before, values[np.maximum(k - 1, 0)] if values.size else before)
    return float(out[0]) if scalar else out


def survival_at(fit, t):
    """S(t) read off a Kaplan–Meier curve: the estimated share still waiting (no event yet) at ``t``.

    The curve is a right-continuous step function: it drops at each event time (so S at an event time
    already counts that time's events) and is 1 before the first event. ``t`` is a number (returns a float)
    or an array (returns an array). Beyond the longest duration watched the curve is held at its last value,
    which the data cannot confirm.

    Example
    -------
    >>> fit = kaplan_meier([2, 3, 3, 5, 8], [True, False, True, True, False])
    >>> [round(survival_at(fit, t), 4) for t in (0, 1.9, 2, 4, 5)]
    [1.0, 1.0, 0.8, 0.6, 0.3]
    """
    return _read_step(_check_fit(fit), t, fit.surv_prob, 1.0, "t")


def survival_se_at(fit, t):
    """Greenwood standard error of S(t), read at the same step as :func:`survival_at` (0 before the first event).

    Example
    -------
    >>> fit = kaplan_meier([1, 2, 3, 4], [True, True, True, True])
    >>> round(survival_se_at(fit, 2), 4)  # no censoring: sqrt(S (1 - S) / n) = sqrt(0.5 * 0.5 / 4)
    0.25
    """
    return _read_step(_check_fit(fit), t, fit.surv_prob_se, 0.0, "t")


def restricted_mean(fit, horizon) -> float:
    """Restricted mean duration: the area under the Kaplan–Meier curve from 0 to ``horizon``.

    It is the expected time spent waiting (or subscribed ...) within the first ``horizon`` units,
    E[min(T, horizon)]. With no censoring it equals the mean of ``min(duration, horizon)``. Past the longest
    duration watched the curve is held at its last value (see :func:`survival_at`).

    Example
    -------
    >>> fit = kaplan_meier([2, 3, 3, 5, 8], [True, False, True, True, False])
    >>> round(restricted_mean(fit, 6), 4)  # 1 x 2 + 0.8 x 1 + 0.6 x 2 + 0.3 x 1
    4.3
    """
    fit = _check_fit(fit)
    horizon = check_number(horizon, "horizon", low=0.0)
    inside = fit.surv_times < horizon
    steps = np.diff(np.r_[0.0, fit.surv_times[inside], horizon])
    return float(np.sum(np.r_[1.0, fit.surv_prob[inside]] * steps))


def quantiles(fit, q=(0.5, 0.9), *, alpha: float = 0.05) -> pd.DataFrame:
    """Quantiles of the duration from a Kaplan–Meier curve, with confidence intervals.

    The q-quantile is the first event time at which the curve falls strictly below 1 - q (q = 0.5: the
    median), statsmodels' (and SAS's) convention; NaN when the curve never gets that low. The interval is
    Brookmeyer & Crowley's, computed by statsmodels on the complementary log-log scale: its ends are event
    times; the upper end is ``inf`` when the data cannot bound it, both are NaN when no time fits.

    Parameters
    ----------
    fit : a fit from :func:`kaplan_meier`.
    q : the probabilities, each strictly between 0 and 1.
    alpha : 1 - the confidence level of the intervals.

    Returns
    -------
    DataFrame indexed by ``q`` with columns ``time, ci_low, ci_high``.

    Example
    -------
    >>> fit = kaplan_meier(np.arange(1.0, 22.0), np.ones(21, dtype=bool))  # 21 times, no censoring
    >>> quantiles(fit, q=(0.5, 0.9))["time"].tolist()  # S first below 0.5 at 11, below 0.1 at 19
    [11.0, 19.0]
    """
    fit = _check_fit(fit)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    qs = [q] if isinstance(q, numbers.Real) else list(q)
    if not qs:
        raise ValueError("q must not be empty")
    rows = {}
    for p in qs:
        p = check_probability(p, "q", open_low=True, open_high=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # the cloglog transform meets log(0) at S = 0, 1
            low, high = fit.quantile_ci(p, alpha=alpha)
        rows[p] = {"time": float(fit.quantile(p)), "ci_low": float(low), "ci_high": float(high)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "q"
    return out
