"""Visits as a Poisson process with a known rate per entity, inside given time windows.

The BG/NBD process of :mod:`crmlab.worlds.mech.purchases` draws each customer's rate from a Gamma
distribution itself. The case worlds that plant a *cause* of the rate — satisfaction raising a diner's
revisit rate, a loyalty card raising a shopper's trip rate after joining, a promotion window drawing a
flyer's trips — need the rate set from outside instead. Given a rate ``λ_i`` and windows of total length
``L`` (e.g. the weeks before and after a launch, or the weeks of a double-miles promotion), entity ``i``
makes ``N_i ~ Poisson(λ_i·L)`` visits, placed uniformly over the windows (the order statistics of a
Poisson process).

This is the homogeneous Poisson process — the purchase-incidence assumption of Ehrenberg's NBD model and
of Fader, Hardie & Lee (2005).

References
----------
.. [1] Ross, S. M., *Introduction to Probability Models*, ch. 5 (the Poisson process).
.. [2] Ehrenberg, A. S. C. (1959), "The pattern of consumer purchases", *Applied Statistics* 8(1).
.. [3] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
   alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
"""
from __future__ import annotations

import numpy as np

from ..._validate import check_generator

__all__ = ["poisson_visits", "merge_visits"]


def poisson_visits(rng: np.random.Generator, rate, windows, *, start=None) -> tuple[np.ndarray, np.ndarray]:
    """Draw visit times for each entity from a Poisson process running inside ``windows``.

    Parameters
    ----------
    rng : numpy.random.Generator
    rate : array of n floats >= 0        visits per time unit, per entity
    windows : sequence of (begin, end)    disjoint, increasing intervals on the common time axis
    start : array of n floats, optional   entity i is observed only from ``start[i]`` on (e.g. its first
                                          visit, or the week it joined); default: from the beginning

    Returns
    -------
    (entity, time): int64 array of entity indices 0..n-1 and float64 times, sorted by entity then time.

    Example
    -------
    >>> who, when = poisson_visits(np.random.default_rng(0), [0.0, 2.0], [(0.0, 10.0)])
    >>> bool((who == 1).all()) and bool(np.all(np.diff(when) >= 0))
    True
    """
    check_generator(rng)
    lam = np.asarray(rate, dtype=np.float64)
    if lam.ndim != 1 or not np.all(np.isfinite(lam)) or (lam < 0).any():
        raise ValueError("rate must be a 1-D array of finite non-negative numbers")
    w = np.asarray(windows, dtype=np.float64).reshape(-1, 2)
    if w.size == 0 or not np.all(np.isfinite(w)) or (w[:, 1] <= w[:, 0]).any() or (w[1:, 0] < w[:-1, 1]).any():
        raise ValueError("windows must be non-empty, disjoint, increasing (begin, end) pairs with end > begin")
    n = lam.size
    s = np.full(n, w[0, 0]) if start is None else np.asarray(start, dtype=np.float64)
    if s.shape != (n,) or not np.all(np.isfinite(s)):
        raise ValueError(f"start must have one finite time per entity (n={n})")
    # Windowed time: the cumulative open time of the windows, so the process runs on [0, total).
    lengths = w[:, 1] - w[:, 0]
    open_before = np.concatenate(([0.0], np.cumsum(lengths)))
    total = open_before[-1]
    begin = np.interp(s, w.ravel(), np.repeat(open_before, 2)[1:-1])
    counts = rng.poisson(lam * (total - begin))
    who = np.repeat(np.arange(n, dtype=np.int64), counts)
    u = begin[who] + rng.random(who.size) * (total - begin)[who]
    # Back from windowed time to calendar time.
    k = np.clip(np.searchsorted(open_before, u, side="right") - 1, 0, len(w) - 1)
    time = w[k, 0] + (u - open_before[k])
    order = np.lexsort((time, who))
    return who[order], time[order]


def merge_visits(*logs: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Merge several (entity, time) visit logs into one, sorted by entity then time.

    Used to join the pieces of a process whose rate changes at known times (before and after a launch,
    inside and outside promotion windows) or a first visit with the revisits that follow it.

    Parameters
    ----------
    *logs : (entity, time) pairs of equal-length arrays, e.g. from :func:`poisson_visits`

    Returns
    -------
    (entity, time): int64 and float64 arrays, sorted by entity then time (ties keep the order of ``logs``).

    Example
    -------
    >>> who, when = merge_visits((np.array([1, 0]), np.array([5.0, 2.0])), (np.array([0]), np.array([1.0])))
    >>> who.tolist(), when.tolist()
    ([0, 0, 1], [1.0, 2.0, 5.0])
    """
    if not logs:
        raise ValueError("merge_visits needs at least one (entity, time) log")
    for k, (who, when) in enumerate(logs):
        if np.shape(who) != np.shape(when) or np.ndim(who) != 1:
            raise ValueError(f"log {k}: entity and time must be 1-D arrays of the same length")
    who = np.concatenate([np.asarray(w, dtype=np.int64) for w, _ in logs])
    when = np.concatenate([np.asarray(t, dtype=np.float64) for _, t in logs])
    order = np.lexsort((when, who))
    return who[order], when[order]
