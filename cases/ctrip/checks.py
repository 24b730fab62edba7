"""Exercise checks of the Ctrip complaint-management case (notebooks/ctrip.ipynb), from the student's own world.

Each check recomputes its answer from the world's ``complaints`` table with plain pandas; the logistic
coefficient of Q4 is refitted here by maximising the log-likelihood with ``scipy.optimize.minimize``
(BFGS on the exact gradient), independently of the scikit-learn fit the notebook uses.
Source of the rules checked: seed 000_5648a0db4edeb316.txt line 17 (reply within a day, alert after 12
hours) and lines 20-21 (complaints fed back to R&D and management by category).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from crmlab.checks import close, equal, exercise

CASE = "ctrip"


def _complaints(world) -> pd.DataFrame:
    return world.tables["complaints"]


def retention_logit(complaints: pd.DataFrame) -> pd.Series:
    """Maximum-likelihood logistic regression of ``retained`` on response days, unresolved and one dummy per
    recovery action ("none" is the baseline), fitted without a penalty.

    Parameters
    ----------
    complaints : the ctrip world's ``complaints`` table (``response_hours``, ``resolved``, ``retained`` and a
        categorical ``recovery_action`` whose categories include ``"none"``).

    Returns
    -------
    Series of coefficients indexed ``intercept, response_days, unresolved`` and one entry per action.

    Example
    -------
    >>> from crmlab import worlds
    >>> w = worlds.make("ctrip", seed=1, n_customers=2000)
    >>> bool(retention_logit(w.tables["complaints"])["response_days"] < 0)
    True

    Source: the service-recovery effect of Smith, Bolton & Wagner (1999), J. Marketing Research 36(3); the
    one-day reply rule of seed 000_5648a0db4edeb316.txt line 17.
    """
    actions = [a for a in complaints["recovery_action"].cat.categories if a != "none"]
    act = complaints["recovery_action"].astype(str).to_numpy()
    x = np.column_stack([np.ones(len(complaints)), complaints["response_hours"].to_numpy() / 24,
                         (~complaints["resolved"].to_numpy()).astype(float),
                         *[(act == a).astype(float) for a in actions]])
    y = complaints["retained"].to_numpy().astype(float)

    def nll(b):
        eta = x @ b
        return -(y * log_expit(eta) + (1 - y) * log_expit(-eta)).sum()

    def grad(b):
        return x.T @ (expit(x @ b) - y)

    fit = minimize(nll, np.zeros(x.shape[1]), jac=grad, method="BFGS", options={"gtol": 1e-8, "maxiter": 10_000})
    return pd.Series(fit.x, index=["intercept", "response_days", "unresolved", *actions])


@exercise(CASE, "q1", hint="Take the share of rows of `complaints` whose route is 'product/R&D'.")
def q1(world, answer):
    c = _complaints(world)
    return close(answer, float((c["route"].astype(str) == "product/R&D").mean()), abs=5e-4,
                 what="the share of complaints routed to R&D")


@exercise(CASE, "q2", hint="Compare `response_hours` with `sla_hours` (strictly longer is a breach) and take the "
                           "share of all complaints.")
def q2(world, answer):
    c = _complaints(world)
    return close(answer, float((c["response_hours"] > world.knobs["sla_hours"]).mean()), abs=5e-4,
                 what="the share of complaints answered after the promise")


@exercise(CASE, "q3", hint="Mean of `retained` where response_hours <= alert_hours, minus the mean where "
                           "response_hours > sla_hours.")
def q3(world, answer):
    c, k = _complaints(world), world.knobs
    fast = c.loc[c["response_hours"] <= k["alert_hours"], "retained"].mean()
    slow = c.loc[c["response_hours"] > k["sla_hours"], "retained"].mean()
    return close(answer, float(fast - slow), abs=5e-4,
                 what="the retention gap between fast (within the alert) and late (after the promise) answers")


@exercise(CASE, "q4", hint="Fit the unpenalised logistic regression of section 4.3 and read the coefficient of "
                           "`response_days` (response hours / 24); it should be negative.")
def q4(world, answer):
    b = retention_logit(_complaints(world))
    return close(answer, float(b["response_days"]), abs=0.01, fmt=".3f",
                 what="the coefficient of response time (days)")


@exercise(CASE, "q5", hint="Group `complaints` by `recovery_action`, take the mean of `retained`, and give the name "
                           "of the largest.")
def q5(world, answer):
    c = _complaints(world)
    rates = c.assign(action=c["recovery_action"].astype(str)).groupby("action")["retained"].mean()
    return equal(answer, str(rates.idxmax()), what="the recovery action with the highest retention rate")
