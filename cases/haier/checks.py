"""Exercise checks of the Haier after-sales case (notebooks/haier.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables with plain pandas and numpy - the p-chart of Q4 is
written out here from its formula (pooled centre, 3-sigma binomial limits per city) - independently of
:mod:`crmlab.service`, which the notebook uses.
Source of the model checked: seed 003_8f324888612aecb9.txt lines 467-487 (three control rates, four
no-misses, 24-hour service); seed 001_ab35f7e495178e4a.txt lines 182-183 (channel customers, growth of
domestic chains).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import _Wrong, close, equal, exercise, same_set

CASE = "haier"


def _requests(world) -> pd.DataFrame:
    return world.tables["service_requests"]


def cities_outside_limits(requests: pd.DataFrame, sigma: float = 3.0) -> list[str]:
    """Cities whose yearly complaint rate lies outside p̄ ± sigma·sqrt(p̄(1-p̄)/n_city), p̄ the pooled rate
    (the lower limit clipped at 0).

    Parameters
    ----------
    requests : the haier world's ``service_requests`` table (``city`` and a bool ``complaint``).
    sigma : width of the limits in standard errors.

    Returns
    -------
    Sorted list of city names.

    Example
    -------
    >>> r = pd.DataFrame({"city": ["a"] * 100 + ["b"] * 100 + ["c"] * 100,
    ...                   "complaint": [True] * 30 + [False] * 70 + [True] * 5 + [False] * 95 + [True] * 5 + [False] * 95})
    >>> cities_outside_limits(r)
    ['a']

    Source: seed 003_8f324888612aecb9.txt lines 467-487 (the service complaint rate); Montgomery,
    *Introduction to Statistical Quality Control*, ch. 7 (p-chart).
    """
    city = requests["city"].astype(str).to_numpy()
    names, idx = np.unique(city, return_inverse=True)
    n = np.bincount(idx)
    d = np.bincount(idx, weights=requests["complaint"].to_numpy(dtype=float))
    p_bar = d.sum() / n.sum()
    half = sigma * np.sqrt(p_bar * (1 - p_bar) / n)
    p = d / n
    return [str(c) for c in names[(p > p_bar + half) | (p < np.maximum(p_bar - half, 0.0))]]


@exercise(CASE, "q1", hint="The mean of the `complaint` column over all service requests.")
def q1(world, answer):
    return close(answer, float(_requests(world)["complaint"].mean()), abs=5e-5, fmt=".4%",
                 what="the service complaint rate")


@exercise(CASE, "q2", hint="Keep the handled requests only, then take the mean of `within_24h`.")
def q2(world, answer):
    r = _requests(world)
    return close(answer, float(r.loc[r["handled"], "within_24h"].mean()), abs=5e-4, fmt=".4%",
                 what="the share of handled requests on site within 24 hours")


@exercise(CASE, "q3", hint="Count requests with recorded True, handled True and rechecked False.")
def q3(world, answer):
    r = _requests(world)
    expected = int((r["recorded"] & r["handled"] & ~r["rechecked"]).sum())
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        raise _Wrong(f"expected a whole number of requests, got {answer!r}")
    return equal(int(answer), expected, what="the number of requests lost at the re-check")


@exercise(CASE, "q4", hint="Pool all complaints over all requests for the centre line; a city is outside its limits "
                           "when its yearly rate is beyond centre ± 3·sqrt(centre·(1 − centre)/requests of the city).")
def q4(world, answer):
    if not isinstance(answer, (str, bytes)) and hasattr(answer, "__iter__"):
        answer = [str(a) for a in answer]
    return same_set(answer, cities_outside_limits(_requests(world)), what="cities outside the control limits")


@exercise(CASE, "q5", hint="Sum sales_this_year and sales_last_year over the domestic chains; divide and subtract 1.")
def q5(world, answer):
    c = world.tables["channel_customers"]
    d = c[c["channel_type"].astype(str) == "domestic chain"]
    return close(answer, float(d["sales_this_year"].sum() / d["sales_last_year"].sum() - 1), abs=5e-4,
                 what="the growth of domestic chains' sales")
