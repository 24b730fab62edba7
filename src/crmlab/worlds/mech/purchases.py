"""Purchase processes: BG/NBD "buy till you die" transactions and Gamma-Gamma spend.

Everything here is vectorised over customers and transactions (no Python loops), so a world with a
million customers and ten million transactions draws in about a second.

Time is a plain float in the caller's unit (the worlds use weeks); :func:`weeks_to_dates` turns week
offsets into calendar dates.

The BG/NBD assumptions (i)–(v) are Fader, Hardie & Lee's (2005); the spend model is Fader & Hardie's
(2013).

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
   alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
.. [2] Fader, P. S. & Hardie, B. G. S. (2013), "The Gamma-Gamma model of monetary value" (note).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._validate import check_generator, check_int, check_number
from . import sampling

__all__ = ["BGNBDDraw", "GammaGammaDraw", "bgnbd_draw", "gamma_gamma_spend", "weeks_to_dates"]


@dataclass(frozen=True)
class BGNBDDraw:
    """The outcome of :func:`bgnbd_draw`.

    Per customer (arrays of length n): ``lam`` purchase rate while alive (per time unit), ``p`` dropout
    probability after each repeat purchase, ``birth`` time of the first purchase, ``T`` = horizon − birth,
    ``n_repeat`` repeat purchases inside the window (the model's ``x``/"frequency"), ``last`` time of the
    last purchase in the window (``birth`` when there was no repeat purchase), ``alive`` still active at the
    horizon.

    Flat log (one entry per purchase, sorted by customer, then time): ``customer`` (int32 index 0..n-1,
    or from ``first_index`` on) and ``time``. With ``include_first=True`` the first purchase (at
    ``birth``) is part of the log, so each customer has ``n_repeat + 1`` entries.
    """

    lam: np.ndarray
    p: np.ndarray
    birth: np.ndarray
    T: np.ndarray
    n_repeat: np.ndarray
    last: np.ndarray
    alive: np.ndarray
    customer: np.ndarray
    time: np.ndarray


@dataclass(frozen=True)
class GammaGammaDraw:
    """The outcome of :func:`gamma_gamma_spend`: per customer ``nu`` (the Gamma rate of that customer's
    spend; the customer's mean spend per transaction is ``p / nu``) and ``mean_spend`` = p / nu, and per
    transaction ``amount``."""

    nu: np.ndarray
    mean_spend: np.ndarray
    amount: np.ndarray


def bgnbd_draw(rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float, horizon: float,
               birth=None, *, include_first: bool = True, first_index: int = 0) -> BGNBDDraw:
    """Draw customers and their purchases from the BG/NBD model up to time ``horizon``.

    The model (Fader, Hardie & Lee 2005, assumptions i–v): while alive, customer i buys as a Poisson
    process with rate ``lam_i``; lam ~ Gamma(shape r, rate alpha) across customers. After every *repeat*
    purchase the customer drops out for good with probability ``p_i``; p ~ Beta(a, b). Customers are
    observed from their first purchase (time ``birth_i``) until ``horizon``.

    How it is drawn without loops (thinning): each repeat purchase independently "carries" the dropout
    with probability p, so the dropout purchases form a Poisson process of rate lam·p and the others an
    independent one of rate lam·(1 − p). The dropout purchase comes at D ~ Exponential(lam·p) after
    birth; the customer is alive at the horizon when D ≥ T. Before L = min(D, T) there are
    M ~ Poisson(lam·(1 − p)·L) other purchases at uniform times, so x = M + [D < T]. The uniform times
    come from x standard exponentials E_1..E_x: U_(k) = (E_1+…+E_k) / (E_1+…+E_x + R), with R = 0 when
    the customer dropped out (the last purchase is then exactly at D) and R ~ Exponential(1) when alive.
    Besides lam and p, a customer costs one exponential (D), one Poisson count and x + 1 exponentials
    (the spacings and R), and the log comes out sorted by customer and time. The dropout probabilities
    come from :func:`.sampling.beta` (numerical inversion for a, b in 0.1..1e4).

    Parameters
    ----------
    rng : numpy.random.Generator
    n : int                 number of customers (>= 0)
    r, alpha : float > 0    Gamma heterogeneity of the purchase rate (mean rate r / alpha per time unit)
    a, b : float > 0        Beta heterogeneity of the dropout probability (mean a / (a + b))
    horizon : float > 0     end of observation, in the same time unit as the rates
    birth : array of n floats in [0, horizon), optional
        first-purchase times (default: everyone at 0)
    include_first : bool    put the first purchase (at ``birth``) into the flat log (default True)
    first_index : int       number of the first customer in the log's ``customer`` column (default 0)

    Returns
    -------
    BGNBDDraw (per-customer arrays and the flat, sorted purchase log).

    Example
    -------
    >>> d = bgnbd_draw(np.random.default_rng(1), 3, r=2.0, alpha=10.0, a=1.0, b=9.0, horizon=52.0)
    >>> len(d.time) == int(d.n_repeat.sum()) + 3
    True
    """
    check_generator(rng)
    n = check_int(n, "n", low=0)
    r = check_number(r, "r", low=0, low_open=True)
    alpha = check_number(alpha, "alpha", low=0, low_open=True)
    a = check_number(a, "a", low=0, low_open=True)
    b = check_number(b, "b", low=0, low_open=True)
    horizon = check_number(horizon, "horizon", low=0, low_open=True)
    first_index = check_int(first_index, "first_index", low=0, high=np.iinfo(np.int32).max - n)
    if birth is None:
        birth = np.zeros(n)
    else:
        birth = np.asarray(birth, dtype=np.float64)
        if birth.shape != (n,):
            raise ValueError(f"birth must have one entry per customer (n={n}), got shape {birth.shape}")
        if n and not (birth.min() >= 0 and birth.max() < horizon):
            raise ValueError("birth times must lie in [0, horizon)")
    T = horizon - birth
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = np.clip(sampling.beta(rng, a, b, n), 1e-12, 1.0)
    rate = lam * p                                           # of dropout purchases; 0 if lam underflowed
    # time from birth to the dropout purchase (never, when the rate is 0; inf when it overflows)
    dropout = rng.standard_exponential(n)
    with np.errstate(over="ignore"):
        if n and rate.min() > 0:
            dropout /= rate
        else:
            np.divide(dropout, rate, out=dropout, where=rate > 0)
            dropout[rate <= 0] = np.inf
    alive = dropout >= T
    span = np.minimum(dropout, T, out=dropout)               # the part of the window the customer is active
    mean = np.subtract(1.0, p, out=rate)
    mean *= lam
    mean *= span
    x = rng.poisson(mean)                                    # purchases that do not carry the dropout
    x += ~alive                                              # ... and the dropout purchase itself
    # Uniform spacings: each customer's block of the flat log holds k = x (+1 for the first purchase)
    # exponentials; scaled by span / (their sum + rest), their running sum inside the block gives the
    # purchase times after birth. One cumulative sum over the whole log does all blocks at once: each
    # block's first increment jumps from the previous block's last time to this block's birth. With the
    # first purchase in the log, the exponential in its slot is not a spacing; it serves as the rest.
    k = x + 1 if include_first else x
    ends = np.cumsum(k)
    start = ends - k
    spacing = rng.standard_exponential(int(ends[-1]) if n else 0)
    # The per-block steps skip customers without a block (no purchase in the log); with include_first
    # every customer has one, and `blocks` is a plain slice (views, no copies).
    blocks = slice(None) if include_first else np.flatnonzero(k)
    block_sum = np.zeros(n)
    if spacing.size:
        block_sum[blocks] = np.add.reduceat(spacing, start[blocks])
    if include_first:
        rest = spacing[start]
        block_sum -= rest
    else:
        rest = rng.standard_exponential(n)
    total = np.where(alive, block_sum + rest, block_sum)       # R = 0 for customers who dropped out
    scale = np.divide(span, total, out=np.zeros(n), where=total > 0)   # maps block sums onto (0, span]
    block_last = (birth + scale * block_sum)[blocks]           # time of each block's last entry
    time = np.repeat(scale, k)
    time *= spacing
    jump = birth[blocks] - np.concatenate(([0.0], block_last[:-1]))
    if include_first:
        time[start] = jump                                     # replaces the rest's slot
    else:
        time[start[blocks]] += jump
    np.cumsum(time, out=time)
    customer = np.repeat(np.arange(first_index, first_index + n, dtype=np.int32), k)
    final = ends[blocks] - 1                                   # each block's last (latest) purchase
    tail = time[final]
    over = np.flatnonzero(tail >= horizon)                     # guard against rounding at the end
    if over.size:
        tail[over] = np.nextafter(horizon, 0.0)
        time[final[over]] = tail[over]
    last = birth.copy()
    if include_first:
        np.copyto(last, tail, where=x > 0)
        time[start] = birth                                    # exact, not up to rounding
    else:
        last[x > 0] = tail
    return BGNBDDraw(lam=lam, p=p, birth=birth, T=T, n_repeat=x, last=last, alive=alive,
                     customer=customer, time=time)


def gamma_gamma_spend(rng: np.random.Generator, customer_index, p: float, q: float, gamma: float, *,
                      n_customers: int | None = None, decimals: int | None = 2,
                      counts=None) -> GammaGammaDraw:
    """Draw transaction amounts from the Gamma-Gamma model of monetary value.

    Each transaction's spend z ~ Gamma(shape p, rate nu_i); across customers nu ~ Gamma(shape q, rate
    gamma). A customer's mean spend is p / nu_i, and the population mean spend is p·gamma / (q − 1) for
    q > 1. Spend is independent of the purchase process (the model's key assumption). The standard
    Gamma(p) variates come from :func:`.sampling.standard_gamma` (numerical inversion for p in 1..1e4).

    Parameters
    ----------
    rng : numpy.random.Generator
    customer_index : array of ints in [0, n_customers), or None with ``counts``
        the customer of each transaction (e.g. ``BGNBDDraw.customer``)
    p, q, gamma : float > 0     the model's parameters (Fader & Hardie 2013 notation)
    n_customers : int, optional number of customers (default: max index + 1)
    decimals : int or None      round amounts to this many decimals (default 2, i.e. cents; amounts never
                                round below one cent). None: no rounding.
    counts : array of n_customers ints >= 0, optional
        instead of ``customer_index`` for a log sorted by customer: customer i has the next ``counts[i]``
        transactions (e.g. ``BGNBDDraw.n_repeat + 1``). Same amounts as the equivalent index, faster.

    Returns
    -------
    GammaGammaDraw with per-customer ``nu`` and ``mean_spend`` and per-transaction ``amount`` (float64).

    Example
    -------
    >>> g = gamma_gamma_spend(np.random.default_rng(0), np.array([0, 0, 1]), p=6.0, q=4.0, gamma=15.0)
    >>> g.amount.shape, g.nu.shape
    ((3,), (2,))
    """
    check_generator(rng)
    p = check_number(p, "p", low=0, low_open=True)
    q = check_number(q, "q", low=0, low_open=True)
    gamma = check_number(gamma, "gamma", low=0, low_open=True)
    if counts is not None:
        if customer_index is not None:
            raise TypeError("give customer_index or counts, not both")
        counts = np.asarray(counts)
        if counts.ndim != 1 or not np.issubdtype(counts.dtype, np.integer):
            raise TypeError("counts must be a 1-d array of integer purchase counts per customer")
        if counts.size and counts.min() < 0:
            raise ValueError("counts must not be negative")
        n = counts.size
        if n_customers is not None and check_int(n_customers, "n_customers", low=0) != n:
            raise ValueError(f"n_customers ({n_customers}) must equal the length of counts ({n})")
        size = int(counts.sum())
    else:
        idx = np.asarray(customer_index)
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise TypeError("customer_index must be a 1-d array of integer customer indices")
        if idx.size and idx.min() < 0:
            raise ValueError("customer_index must not be negative")
        top = int(idx.max()) + 1 if idx.size else 0
        n = top if n_customers is None else check_int(n_customers, "n_customers", low=top)
        size = idx.size
    nu = rng.gamma(q, 1.0 / gamma, n)
    if decimals is not None:
        decimals = check_int(decimals, "decimals", low=0)
    unit = 1.0 if decimals is None else 10.0 ** decimals
    per_unit = unit / nu                                       # spend scale in units of the last decimal
    amount = sampling.standard_gamma(rng, p, size)             # one fixed distribution for every purchase
    amount *= np.repeat(per_unit, counts) if counts is not None else per_unit[idx]
    if decimals is not None:
        np.rint(amount, out=amount)
        if amount.size and amount.min() < 1.0:                 # never below one unit of the last decimal
            np.maximum(amount, 1.0, out=amount)                # (a read is cheaper than a rewrite)
        amount /= unit
    return GammaGammaDraw(nu=nu, mean_spend=p / nu, amount=amount)


def weeks_to_dates(start, weeks) -> np.ndarray:
    """Turn times in weeks after ``start`` into calendar dates (datetime64[ns] at midnight).

    A purchase at week 3.5 happened on day floor(3.5 × 7) = 24 after ``start``: times are truncated to the
    day they fall in, so dates are never later than the continuous times and a window [0, horizon) maps to
    days start … start + 7·horizon − 1. (Day resolution: two purchases on the same day keep their order in
    the log but share a date.)

    Parameters
    ----------
    start : str, date, Timestamp or numpy.datetime64   the calendar date of week 0
    weeks : array-like of floats >= 0

    Returns
    -------
    numpy array of datetime64[ns].

    Example
    -------
    >>> weeks_to_dates("2024-01-01", [0.0, 1.0, 1.99]).astype(str).tolist()
    ['2024-01-01T00:00:00.000000000', '2024-01-08T00:00:00.000000000', '2024-01-14T00:00:00.000000000']
    """
    try:
        day0 = np.datetime64(pd.Timestamp(start).normalize().date(), "D")
    except (ValueError, TypeError):
        raise ValueError(f"start must be a date, got {start!r}") from None
    w = np.asarray(weeks, dtype=np.float64)
    lo, hi = (float(w.min()), float(w.max())) if w.size else (0.0, 0.0)
    if not np.isfinite(lo + hi):
        raise ValueError("weeks must be finite")
    ns0 = int(day0.astype("datetime64[ns]").astype(np.int64))
    first, last = (ns0 + int(np.floor(v * 7.0)) * _NS_PER_DAY for v in (lo, hi))
    if first < _FIRST_DAY.value or last > _LAST_DAY.value:
        raise ValueError(f"weeks {lo:g} to {hi:g} after {day0} fall outside the dates datetime64[ns] can hold "
                         f"({_FIRST_DAY.date()} to {_LAST_DAY.date()})")
    return _to_ns(w, ns0, days_per_unit=7.0, nonnegative=lo >= 0)


_NS_PER_DAY = 86_400 * 10**9
# The whole days a datetime64[ns] column can hold (the results are midnights); the worlds check against these.
_FIRST_DAY, _LAST_DAY = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")


def _to_ns(t: np.ndarray, ns0: int, *, days_per_unit: float, nonnegative: bool,
           overwrite: bool = False) -> np.ndarray:
    """The arithmetic of :func:`weeks_to_dates` without its checks, for float64 times ``t`` in a unit of
    ``days_per_unit`` days (7 for weeks, 1 for days) whose dates are known to fit; ``ns0`` is the
    nanosecond value of day 0. Integer arithmetic after the truncation to days, so midnights are exact.
    ``overwrite=True`` consumes ``t``: the dates are written into its memory, which saves allocating (and
    the kernel zeroing) a second array of the same size."""
    if overwrite and t.dtype == np.float64 and t.flags.c_contiguous and t.flags.writeable:
        ns = t.view(np.int64)
        if days_per_unit != 1.0:
            np.multiply(t, days_per_unit, out=t)
        if not nonnegative:
            np.floor(t, out=t)
        np.copyto(ns, t, casting="unsafe")       # 1-d, same positions: each element is read before written
    else:
        ns = np.empty(t.shape, dtype=np.int64)
        if nonnegative:
            np.multiply(t, days_per_unit, out=ns, casting="unsafe")    # truncation = floor for days >= 0
        else:
            np.multiply(np.floor(t * days_per_unit), 1.0, out=ns, casting="unsafe")
    ns *= _NS_PER_DAY
    if ns0:
        ns += ns0
    return ns.view("datetime64[ns]")
