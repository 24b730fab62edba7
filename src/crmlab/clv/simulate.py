"""Draw customer summaries from the BG/NBD, Pareto/NBD and Gamma-Gamma models, with the planted truth.

Useful to see what a model's parameters mean, to check that a fit recovers them, and to benchmark. Each
function draws every customer's own rates from the population distributions and then their purchases,
vectorised over customers (no per-customer loop).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import as_generator, check_int, check_number
from ._base import as_columns, check_counts

__all__ = ["simulate_bgnbd", "simulate_paretonbd", "simulate_spend"]


def _check_common(n_customers, T, time_step, params: dict) -> tuple[int, np.ndarray, float | None]:
    n = check_int(n_customers, "n_customers", low=1)
    for name, value in params.items():
        check_number(value, name, low=0.0, low_open=True)
    time_step = check_number(time_step, "time_step", low=0.0, low_open=True, allow_none=True)
    age = as_columns(T=T).values["T"]
    if age.size not in (1, n):
        raise ValueError(f"T must be one number or one value per customer ({n}), got {age.size} values")
    if (age <= 0).any():
        raise ValueError("T must be > 0 (time from first purchase to the end of observation)")
    return n, np.broadcast_to(age, (n,)).astype(float), time_step


def _summary(x: np.ndarray, last: np.ndarray, T: np.ndarray, time_step: float | None, truth: dict) -> pd.DataFrame:
    """Build the summary; with ``time_step``, recency and T are rounded to whole steps (e.g. days)."""
    if time_step is not None:
        T = np.maximum(np.round(T / time_step), 1.0) * time_step
        last = np.minimum(np.round(last / time_step) * time_step, T)
    out = pd.DataFrame({"frequency": x.astype(float), "recency": np.where(x > 0, last, 0.0), "T": T})
    for name, values in truth.items():
        out[name] = values
    return out


def _kth_arrival(rng: np.random.Generator, x: np.ndarray, n: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Time of the x-th of n Poisson arrivals spread uniformly on (0, span): span * Beta(x, n - x + 1)."""
    out = np.zeros(x.size)
    has = x > 0
    out[has] = span[has] * rng.beta(x[has], n[has] - x[has] + 1)
    return out


def simulate_bgnbd(n_customers: int, *, r: float, alpha: float, a: float, b: float, T=39.0, seed=0,
                   time_step: float | None = None) -> pd.DataFrame:
    """Draw (frequency, recency, T) for customers of a BG/NBD world.

    Each customer buys at Poisson rate lambda ~ gamma(r, rate alpha) and, after each repeat purchase,
    drops out with probability p ~ beta(a, b) (Fader, Hardie & Lee 2005). Repeat purchases in (0, T] are
    min(N, J) with N ~ Poisson(lambda T) and J ~ geometric(p) the purchase at which they drop out.

    Parameters
    ----------
    n_customers : int
    r, alpha, a, b : float > 0
    T : number or array (one per customer)
        Length of each customer's observation period.
    seed : int or numpy Generator
    time_step : float, optional
        If given, recency and T are rounded to multiples of it (e.g. 1/7 for days when time is in weeks),
        as in real data recorded by date.

    Returns
    -------
    DataFrame with frequency, recency, T and the planted truth: lam, p, alive (active at T).

    Example
    -------
    >>> df = simulate_bgnbd(1000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=1)
    >>> list(df.columns)
    ['frequency', 'recency', 'T', 'lam', 'p', 'alive']
    """
    n, age, time_step = _check_common(n_customers, T, time_step, {"r": r, "alpha": alpha, "a": a, "b": b})
    rng = as_generator(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    count = rng.poisson(lam * age)
    dropout_at = rng.geometric(p)
    x = np.minimum(count, dropout_at)
    last = _kth_arrival(rng, x, count, age)
    return _summary(x, last, age, time_step, {"lam": lam, "p": p, "alive": count < dropout_at})


def simulate_paretonbd(n_customers: int, *, r: float, alpha: float, s: float, beta: float, T=39.0, seed=0,
                       time_step: float | None = None) -> pd.DataFrame:
    """Draw (frequency, recency, T) for customers of a Pareto/NBD world.

    Each customer buys at Poisson rate lambda ~ gamma(r, rate alpha) during an exponential lifetime with
    rate mu ~ gamma(s, rate beta) (Schmittlein, Morrison & Colombo 1987). Parameters as
    :func:`simulate_bgnbd`; the truth columns are lam, mu, alive.

    Example
    -------
    >>> df = simulate_paretonbd(1000, r=0.55, alpha=10.6, s=0.6, beta=11.7, T=39.0, seed=1)
    >>> bool((df["recency"] <= df["T"]).all())
    True
    """
    n, age, time_step = _check_common(n_customers, T, time_step, {"r": r, "alpha": alpha, "s": s, "beta": beta})
    rng = as_generator(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    lifetime = rng.exponential(1.0 / mu)
    active = np.minimum(lifetime, age)
    x = rng.poisson(lam * active)
    last = _kth_arrival(rng, x, x, active)
    return _summary(x, last, age, time_step, {"lam": lam, "mu": mu, "alive": lifetime > age})


def simulate_spend(frequency, *, p: float, q: float, gamma: float, seed=0) -> pd.DataFrame:
    """Draw each customer's average spend over ``frequency`` purchases from the Gamma-Gamma model.

    nu ~ gamma(q, rate gamma) per customer; each purchase ~ gamma(p, rate nu), so the mean of x purchases
    is gamma(p x, rate x nu). Customers with frequency 0 get monetary_value 0.

    Returns a DataFrame with frequency, monetary_value and the truth column mean_spend (= p / nu).

    Example
    -------
    >>> float(simulate_spend([1, 3, 0], p=6.0, q=4.0, gamma=15.0, seed=2)["monetary_value"].iloc[2])
    0.0
    """
    for name, value in {"p": p, "q": q, "gamma": gamma}.items():
        check_number(value, name, low=0.0, low_open=True)
    x = as_columns(frequency=frequency).values["frequency"]
    check_counts(x)
    rng = as_generator(seed)
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    has = x > 0
    mean = np.zeros(x.size)
    mean[has] = rng.gamma(p * x[has], 1.0 / (x[has] * nu[has]))
    return pd.DataFrame({"frequency": x, "monetary_value": mean, "mean_spend": p / nu})
