"""Exercise checks of the Haier after-sales case (notebooks/haier.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables with plain pandas and numpy - the p-chart of Q4 is
written out here from its formula (pooled centre, 3-sigma binomial limits per city) - independently of
:mod:`crmlab.service`, which the notebook uses. :func:`answers` gives the right answers computed the notebook's
way (through :mod:`crmlab.service` where the notebook uses it), :func:`classic_mistakes` the wrong answers
students typically give; tests/test_case_contract.py holds the checks to both.
Source of the model checked: CRM article collection (source 3), lines 467–487 (three control rates, four
no-misses, 24-hour service); Analytical CRM course pack (source 1), lines 182–183 (channel customers, growth of
domestic chains).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import Text, WrongKind, close, equal, exercise, mistakes, same_set, solutions

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

    Source: CRM article collection (source 3), lines 467–487 (the service complaint rate); Montgomery,
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


@exercise(CASE, "q1", hint="The mean of the `complaint` column over all service requests.",
          hint_zh="在全部服务请求上求 `complaint` 列的均值。")
def q1(world, answer):
    return close(answer, float(_requests(world)["complaint"].mean()), abs=5e-5, fmt=".4%",
                 what="the service complaint rate", what_zh="服务投诉率")


@exercise(CASE, "q2", hint="Keep the handled requests only, then take the mean of `within_24h`.",
          hint_zh="只保留已处理（handled）的请求，再求 `within_24h` 的均值。")
def q2(world, answer):
    r = _requests(world)
    return close(answer, float(r.loc[r["handled"], "within_24h"].mean()), abs=5e-4, fmt=".4%",
                 what="the share of handled requests on site within 24 hours",
                 what_zh="已处理请求中24小时内上门的比例")


@exercise(CASE, "q3", hint="Count requests with recorded True, handled True and rechecked False.",
          hint_zh="数一数 recorded 为 True、handled 为 True 而 rechecked 为 False 的请求。")
def q3(world, answer):
    r = _requests(world)
    expected = int((r["recorded"] & r["handled"] & ~r["rechecked"]).sum())
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        raise WrongKind(Text(f"expected a whole number of requests, got {answer!r}",
                             f"请求数应当是一个整数，而你给的是 {answer!r}"))
    return equal(int(answer), expected, what="the number of requests lost at the re-check",
                 what_zh="在复查环节漏掉的请求数")


@exercise(CASE, "q4", hint="Pool all complaints over all requests for the centre line; a city is outside its limits "
                           "when its yearly rate is beyond centre ± 3·sqrt(centre·(1 − centre)/requests of the city).",
          hint_zh="中心线是全部投诉数除以全部请求数（合并计算）；一个城市全年的投诉率落在 "
                  "中心线 ± 3·sqrt(中心线·(1 − 中心线)/该城市的请求数) 之外，就算超出控制限。")
def q4(world, answer):
    if not isinstance(answer, (str, bytes)) and hasattr(answer, "__iter__"):
        answer = [str(a) for a in answer]
    return same_set(answer, cities_outside_limits(_requests(world)), what="cities outside the control limits",
                    what_zh="超出控制限的城市")


@exercise(CASE, "q5", hint="Sum sales_this_year and sales_last_year over the domestic chains; divide and subtract 1.",
          hint_zh="分别对本土连锁（domestic chain）的 sales_this_year 和 sales_last_year 求和，相除后减去1。")
def q5(world, answer):
    c = world.tables["channel_customers"]
    d = c[c["channel_type"].astype(str) == "domestic chain"]
    # The sums are exact, so a right answer carries no error but rounding: five decimals are accepted. A looser
    # tolerance would accept the mean of the chains' own growth rates, which lands within 5e-4 of the growth of
    # their total sales in about one world in seventy.
    return close(answer, float(d["sales_this_year"].sum() / d["sales_last_year"].sum() - 1), abs=5e-6, fmt=".5f",
                 what="the growth of domestic chains' sales", what_zh="本土连锁销售额的增长率")


def _year_chart(requests: pd.DataFrame, sigma: float = 3.0) -> pd.DataFrame:
    """Sections 4.1-4.2 of the notebook: the three control rates by city (crmlab.service.control_rates, an
    omission counted among recorded requests only) and the yearly p-chart of complaint rates by city."""
    from crmlab import service

    omitted = pd.Series(pd.array(~requests["handled"].to_numpy(), dtype="boolean"), index=requests.index)
    jobs = requests.assign(omitted=omitted.where(requests["recorded"], pd.NA))
    by_city = service.control_rates(jobs, group_cols="city", complaint_col="complaint", omission_col="omitted",
                                    dissatisfied_col="dissatisfied")
    return service.p_chart(by_city.sort_values("jobs").reset_index(drop=True), defects_col="complaints",
                           n_col="complaint_base", sigma=sigma)


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/haier.ipynb, section 5 (Q4 on the yearly p-chart of section 4.2)."""
    requests, channel = _requests(world), world.tables["channel_customers"]
    year_chart = _year_chart(requests)
    d = channel[channel["channel_type"] == "domestic chain"]
    return {"q1": float(requests["complaint"].mean()),
            "q2": float(requests.loc[requests["handled"], "within_24h"].mean()),
            "q3": int((requests["recorded"] & requests["handled"] & ~requests["rechecked"]).sum()),
            "q4": year_chart.loc[year_chart["out_of_control"], "city"].astype(str).tolist(),
            "q5": float(d["sales_this_year"].sum() / d["sales_last_year"].sum() - 1)}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers to each exercise, computed from the world."""
    r, channel = _requests(world), world.tables["channel_customers"]
    right = answers(world)
    handled, recorded, rechecked = r["handled"], r["recorded"], r["rechecked"]
    chart = _year_chart(r)
    wide = _year_chart(r, sigma=2.0)
    outside = set(right["q4"])
    # A list of cities is a mistake only where it differs from the right list; in a world where it agrees it
    # is left out (the first two differ in every world the tests use).
    cities = {"every city above the centre line (no control limits)": chart.loc[chart["p"] > chart["center"], "city"],
              "2-sigma instead of 3-sigma limits": wide.loc[wide["out_of_control"], "city"],
              "only the cities above the upper limit (the question asks for both sides)":
                  chart.loc[chart["side"] == "high", "city"]}
    q4 = {what: sorted(c.astype(str)) for what, c in cities.items() if set(c.astype(str)) != outside}
    d = channel[channel["channel_type"] == "domestic chain"]
    ratio = d["sales_this_year"].sum() / d["sales_last_year"].sum()
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "complaints among handled requests only (the wrong base)": float(r.loc[handled, "complaint"].mean()),
               "complaints among recorded requests only (the omission rate's base)":
                   float(r.loc[recorded, "complaint"].mean())},
        "q2": {"all requests as the base, not the handled ones": float(r["within_24h"].mean()),
               "the late share (on site after 24 hours)": float(1 - right["q2"]),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"every request never re-checked (recorded and handled not required)": int((~rechecked).sum()),
               "recorded but never re-checked (handled not required)": int((recorded & ~rechecked).sum()),
               "the leak at the fourth no-miss (re-checked, never fed back)": int((rechecked & ~r["fed_back"]).sum()),
               "the leak as a share of handled requests instead of a count":
                   float((~rechecked[recorded & handled]).mean())},
        "q4": q4,
        "q5": {"this year / last year without subtracting 1": float(ratio),
               "the mean of the chains' own growth rates, not the growth of their total sales":
                   float((d["sales_this_year"] / d["sales_last_year"] - 1).mean()),
               "a percentage instead of a share": float(100 * (ratio - 1)),
               "the growth of all channel customers, not the domestic chains":
                   float(channel["sales_this_year"].sum() / channel["sales_last_year"].sum() - 1)},
    }
