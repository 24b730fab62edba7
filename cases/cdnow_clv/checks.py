"""Exercise checks of the CDNOW method notebook (notebooks/cdnow_clv.ipynb), on the real CDNOW sample.

The "world" a check receives is the notebook's split of the data: a mapping with ``transactions`` (the
purchase log of :func:`crmlab.clv.load_cdnow`), ``calibration_end`` (date) and ``holdout_weeks``.
Every expected value is recomputed here without ``crmlab.rfm`` or ``crmlab.clv``'s BG/NBD: the customer
summary with plain pandas, and the BG/NBD model written out directly from Fader, Hardie & Lee (2005),
Marketing Science 24(2) — likelihood eq. 6, conditional expectation eq. 10 with Gauss's 2F1 in its
original form, P(alive) from their note — and fitted with scipy's Nelder-Mead. Only q4 (which model
fits better) uses crmlab's fits, because the Pareto/NBD likelihood is not repeated here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

from crmlab.checks import WrongKind, close, equal, exercise

CASE = "cdnow_clv"
#: The calibration pattern of the customer in q2 (customer 1 of the sample at the default split).
Q2_CUSTOMER = 1
_ALIASES = {"bg/nbd": "BG/NBD", "bgnbd": "BG/NBD", "betageo": "BG/NBD", "betageomodel": "BG/NBD",
            "pareto/nbd": "Pareto/NBD", "paretonbd": "Pareto/NBD", "paretonbdmodel": "Pareto/NBD"}


def split_summary(transactions: pd.DataFrame, calibration_end, holdout_weeks: int) -> pd.DataFrame:
    """Calibration summary and holdout counts, from the raw log with plain pandas (not crmlab.rfm).

    Parameters
    ----------
    transactions : DataFrame with ``customer_id`` and ``date`` (as from ``load_cdnow("transactions")``)
    calibration_end : date-like, last day of the calibration period (inclusive)
    holdout_weeks : int, length of the holdout period after it

    Returns
    -------
    DataFrame indexed by customer_id: ``x`` (repeat purchase days), ``t_x`` and ``T`` (weeks, FHL 2005
    definitions) and ``holdout`` (purchase days in the holdout). Customers who first bought after
    ``calibration_end`` are left out.

    Example
    -------
    >>> from crmlab.clv import load_cdnow
    >>> s = split_summary(load_cdnow("transactions"), "1997-09-30", 39)
    >>> int((s["x"] > 0).sum()), int(s["holdout"].sum())
    (946, 1882)
    """
    end = pd.Timestamp(calibration_end)
    days = transactions[["customer_id", "date"]].drop_duplicates()
    first = days.groupby("customer_id")["date"].min()
    days = days[days["customer_id"].map(first) <= end]
    cal = days[days["date"] <= end].groupby("customer_id")["date"].agg(["min", "max", "size"])
    hold_end = end + pd.Timedelta(days=7 * int(holdout_weeks))
    holdout = days[(days["date"] > end) & (days["date"] <= hold_end)].groupby("customer_id").size()
    return pd.DataFrame({
        "x": (cal["size"] - 1).astype(float),
        "t_x": (cal["max"] - cal["min"]).dt.days / 7.0,
        "T": (end - cal["min"]).dt.days / 7.0,
        "holdout": holdout.reindex(cal.index, fill_value=0).astype(float),
    })


def _bgnbd_loglik(params, x, tx, T):
    r, alpha, a, b = params
    first = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
             - (r + x) * np.log(alpha + T))
    with np.errstate(divide="ignore", invalid="ignore"):
        second = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                          + (r + x) * (np.log(alpha + T) - np.log(alpha + tx)), -np.inf)
    return first + np.logaddexp(0.0, second)


def _p_alive(params, x, tx, T):
    r, alpha, a, b = params
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    return 1.0 / (1.0 + odds)


def _conditional_expected(params, t, x, tx, T):
    """FHL 2005 eq. 10, as printed."""
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    alive_part = (a + b + x - 1) / (a - 1) * (
        1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
    return alive_part * _p_alive(params, x, tx, T)


def _fit(s: pd.DataFrame) -> np.ndarray:
    x, tx, T = (s[c].to_numpy() for c in ("x", "t_x", "T"))

    def nll(theta):
        value = -float(np.sum(_bgnbd_loglik(np.exp(theta), x, tx, T)))
        return value if np.isfinite(value) else 1e12

    res = minimize(nll, np.zeros(4), method="Nelder-Mead",
                   options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 20000, "maxfev": 20000})
    return np.exp(res.x)


def _compute(world) -> dict:
    s = split_summary(world["transactions"], world["calibration_end"], world["holdout_weeks"])
    params = _fit(s)
    x, tx, T = (s[c].to_numpy() for c in ("x", "t_x", "T"))
    t = float(world["holdout_weeks"])
    predicted = _conditional_expected(params, t, x, tx, T)
    row = s.loc[Q2_CUSTOMER]
    return {"repeat_buyers": int((s["x"] > 0).sum()),
            "q2": float(_conditional_expected(params, t, row["x"], row["t_x"], row["T"])),
            "share_low_alive": float(np.mean(_p_alive(params, x, tx, T) < 0.5)),
            "actual_over_predicted": float(s["holdout"].sum() / predicted.sum())}


_CACHE: dict = {}


def _results(world) -> dict:
    """Expected values for this split, computed once per (data, calibration_end, holdout_weeks)."""
    try:
        tx = world["transactions"]
        key = (int(pd.util.hash_pandas_object(tx[["customer_id", "date"]], index=False).sum()),
               pd.Timestamp(world["calibration_end"]), int(world["holdout_weeks"]))
    except (TypeError, KeyError) as exc:
        raise WrongKind("the checker needs the notebook's split, a mapping with 'transactions', "
                     f"'calibration_end' and 'holdout_weeks' (missing {exc})") from None
    if key not in _CACHE:
        _CACHE[key] = _compute(world)
    return _CACHE[key]


@exercise(CASE, "q1", hint="Count the customers with frequency > 0 in the calibration summary (purchases on "
                           "the same day count as one).")
def q1(world, answer):
    return equal(answer, _results(world)["repeat_buyers"],
                 what="the number of customers with a repeat purchase in the calibration period")


@exercise(CASE, "q2", hint="bgf.conditional_expected_purchases(holdout_weeks, frequency, recency, T) with "
                           "customer 1's row of the calibration summary.")
def q2(world, answer):
    return close(answer, _results(world)["q2"], rel=0.01,
                 what="the BG/NBD expected holdout purchases of customer 1")


@exercise(CASE, "q3", hint="bgf.probability_alive(...) for every customer of the calibration summary; the "
                           "share of values below 0.5 (between 0 and 1).")
def q3(world, answer):
    return close(answer, _results(world)["share_low_alive"], abs=0.003,
                 what="the share of customers with BG/NBD P(alive) < 0.5")


@exercise(CASE, "q4", hint="Compare log_likelihood_ of the two fitted transaction models: the larger "
                           "(less negative) fits better. Answer 'BG/NBD' or 'Pareto/NBD'.")
def q4(world, answer):
    from crmlab.clv import BetaGeoModel, ParetoNBDModel  # see the module docstring
    from crmlab.rfm import rfm_summary

    if not isinstance(answer, str):
        raise WrongKind(f"expected 'BG/NBD' or 'Pareto/NBD', got {type(answer).__name__}")
    expected = _results(world)
    if "better_model" not in expected:
        s = rfm_summary(world["transactions"], amount_col=None, observation_end=world["calibration_end"],
                        time_unit="W")
        ll = {name: m().fit(s["frequency"], s["recency"], s["T"]).log_likelihood_
              for name, m in (("BG/NBD", BetaGeoModel), ("Pareto/NBD", ParetoNBDModel))}
        expected["better_model"] = max(ll, key=ll.get)
    name = _ALIASES.get(answer.strip().lower().replace(" ", "").replace("-", ""), answer)
    return equal(name, expected["better_model"], what="the model with the higher log-likelihood")


@exercise(CASE, "q5", hint="Sum the actual repeat purchases of the holdout weeks over all customers and divide "
                           "by the sum of the BG/NBD conditional expectations (a ratio near 1).")
def q5(world, answer):
    return close(answer, _results(world)["actual_over_predicted"], rel=0.005,
                 what="actual / predicted holdout repeat purchases (BG/NBD)")
