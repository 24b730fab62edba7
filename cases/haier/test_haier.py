"""What the haier case needs beyond tests/test_case_contract.py: recovery of the world's planted truth and the
behaviour of its checks that the contract does not see.

Truth checked: the calibration to the sources (42 trading companies) and the order of the four no-misses, the
out-of-control city-months (flagged by a p-chart built from the data alone), the per-city omission rates and
the four no-miss leakages (observed conditional rates), 24-hour on-site completion (closed-form log-normal
tail), and the channel-customer stylised facts (sales shares, growth). Checks: the kinds of answer Q3 and Q4
take, Q4's p-chart against a brute-force loop, Q5's tolerance, and checks using the student's own world.
"""
import math

import numpy as np
import pandas as pd
import pytest

from crmlab._casemodules import load_case_module
from crmlab.checks import Checker
from crmlab.worlds import DEFAULT_SEED, make

checks = load_case_module("haier", "checks")


def _pchart_flags(requests, column):
    """City-months above the 3-sigma upper control limit of a per-city p-chart."""
    g = requests.groupby(["city", "month"], observed=True)[column].agg(["sum", "count"])
    by_city = g.groupby(level="city", observed=True)
    pbar = by_city["sum"].transform("sum") / by_city["count"].transform("sum")
    ucl = pbar + 3 * np.sqrt(pbar * (1 - pbar) / g["count"])
    return {(c, str(m)[:7]) for c, m in g.index[(g["sum"] / g["count"] > ucl).to_numpy()]}


# ------------------------------------------------------------------------------------------- planted truth
def test_calibration_and_the_order_of_the_no_misses():
    """Analytical CRM course pack (source 1), line 184: 42 regional trading companies; CRM article collection (source 3), lines 479–487: a later no-miss never happens
    without the earlier ones (brute-force recount); dissatisfaction is only observed when re-checked and the
    on-site time only when handled."""
    w = make("haier", seed=DEFAULT_SEED, months=3)
    r = w.tables["service_requests"]
    assert w.tables["channel_customers"]["trading_company"].cat.categories.size == 42
    assert set(r["city"].astype(str)) <= set(w.tables["cities"]["city"])
    for a, b in [("recorded", "handled"), ("handled", "rechecked"), ("rechecked", "fed_back")]:
        assert not (r[b] & ~r[a]).any()
    assert r["dissatisfied"].isna().equals(~r["rechecked"])
    assert r["onsite_hours"].isna().equals(~r["handled"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pchart_flags_the_planted_out_of_control_months(seed):
    """Planted truth: every planted city-month is above its city's complaint-rate UCL; at most two false alarms."""
    w = make("haier", seed=seed)
    flagged = _pchart_flags(w.tables["service_requests"], "complaint")
    planted = {(d["city"], d["month"]) for d in w.truth["out_of_control"]}
    assert len(planted) == 2 and planted <= flagged
    assert len(flagged - planted) <= 2


def test_in_control_world_raises_few_alarms():
    """Planted truth: with no out-of-control month planted, the p-chart raises at most three false alarms."""
    w = make("haier", seed=3, n_out_of_control=0)
    assert w.truth["out_of_control"] == []
    assert len(_pchart_flags(w.tables["service_requests"], "complaint")) <= 3


def test_funnel_leakage_and_city_omission_rates_are_recovered():
    """Planted truth: the observed leak at each no-miss and each city's omission rate (outside the planted
    out-of-control months) match the planted values."""
    w = make("haier", seed=4)
    r = w.tables["service_requests"]
    leak = w.truth["funnel_leakage"]
    assert 1 - r["recorded"].mean() == pytest.approx(leak["record"], abs=0.004)
    assert 1 - r.loc[r["handled"], "rechecked"].mean() == pytest.approx(leak["recheck"], abs=0.01)
    assert 1 - r.loc[r["rechecked"], "fed_back"].mean() == pytest.approx(leak["feed_back"], abs=0.01)
    bad = {(d["city"], d["month"]) for d in w.truth["out_of_control"]}
    key = list(zip(r["city"].astype(str), r["month"].dt.strftime("%Y-%m")))
    ok = r[r["recorded"].to_numpy() & ~np.array([k in bad for k in key])]
    omission = 1 - ok.groupby("city", observed=True)["handled"].mean()
    want = w.truth["cities"]["omission_rate"].reindex(omission.index)
    assert np.abs(omission - want).max() < 0.015
    assert np.corrcoef(omission, want)[0, 1] > 0.8


def test_24_hour_on_site_share_matches_the_lognormal_tail():
    """Closed form: the share of handled requests on site within 24 h equals the planted log-normal tail."""
    w = make("haier", seed=5)
    r = w.tables["service_requests"]
    assert r.loc[r["handled"], "within_24h"].mean() == pytest.approx(w.truth["expected_within_24h_handled"], abs=0.01)
    assert (r["within_24h"] == (r["onsite_hours"] <= 24)).all()


def test_channel_customers_show_the_stylised_facts():
    """Analytical CRM course pack (source 1), line 183: exclusive and department stores each have 1/3 of last year's sales; domestic chains
    grow fastest, at their planted growth."""
    w = make("haier", seed=6, months=2, n_channel_customers=5000)
    cc = w.tables["channel_customers"]
    sales = cc.groupby("channel_type", observed=True)[["sales_last_year", "sales_this_year"]].sum()
    share = sales["sales_last_year"] / sales["sales_last_year"].sum()
    assert share["exclusive store"] == pytest.approx(1 / 3, abs=1e-3)
    assert share["department store"] == pytest.approx(1 / 3, abs=1e-3)
    growth = sales["sales_this_year"] / sales["sales_last_year"] - 1
    assert growth.idxmax() == "domestic chain"
    assert growth["domestic chain"] == pytest.approx(w.truth["channel_growth"]["domestic chain"], abs=0.05)


# ------------------------------------------------------------------------------------------------- checks
def test_the_default_world_has_cities_on_both_sides_of_the_limits():
    """The contract's Q4 test is not vacuous at the default seed: the right list holds cities above and below the
    limits, so the declared mistake 'only the cities above' is a real one."""
    r = make("haier", seed=DEFAULT_SEED).tables["service_requests"]
    chart = checks._year_chart(r)
    sides = set(chart.loc[chart["out_of_control"], "side"])
    assert sides == {"high", "low"}
    assert sorted(chart.loc[chart["out_of_control"], "city"].astype(str)) == checks.cities_outside_limits(r)


def test_q3_and_q4_take_the_kinds_of_answer_a_notebook_gives():
    """Q3 takes a whole number as int, numpy integer or integral float and refuses text; Q4 takes any iterable
    of city names (list, array, Series) and refuses a single name."""
    w = make("haier", seed=3, n_cities=5, months=3, n_channel_customers=100)
    check = Checker("haier", w)
    right = checks.answers(w)
    for q3 in (right["q3"], np.int64(right["q3"]), float(right["q3"])):
        assert check("q3", q3)
    assert "whole number" in check("q3", "many").message
    assert "whole number" in check("q3", right["q3"] + 0.5).message
    for q4 in (right["q4"], np.array(right["q4"], dtype=object), pd.Series(right["q4"], dtype="category")):
        assert check("q4", q4)
    assert "expected a list" in check("q4", "Qingdao").message
    assert "expected a number" in check("q1", [0.1, 0.2]).message


def test_check_p_chart_matches_a_brute_force_loop():
    """Brute force: a Python loop over cities with the textbook limits gives the same cities as the check."""
    w = make("haier", seed=5, n_cities=12, months=4, requests_per_city_month=150.0, city_spread=1.5)
    r = w.tables["service_requests"]
    p_bar = r["complaint"].sum() / len(r)
    outside = []
    for city in sorted(r["city"].astype(str).unique()):
        rows = r[r["city"].astype(str) == city]
        n, p = len(rows), rows["complaint"].mean()
        half = 3 * math.sqrt(p_bar * (1 - p_bar) / n)
        if p > p_bar + half or p < max(0.0, p_bar - half):
            outside.append(city)
    assert checks.cities_outside_limits(r) == outside
    assert outside, "city_spread=1.5 should push at least one city outside"


def test_q5_refuses_the_mean_growth_rate_where_it_comes_close():
    """In this world the chains' mean growth rate lies within 5e-4 of the growth of their total sales (the old
    tolerance); Q5 still refuses it, and accepts the right growth rounded to five decimals."""
    w = make("haier", seed=30, n_cities=12)
    c = w.tables["channel_customers"]
    d = c[c["channel_type"] == "domestic chain"]
    growth = d["sales_this_year"].sum() / d["sales_last_year"].sum() - 1
    mean_rate = (d["sales_this_year"] / d["sales_last_year"] - 1).mean()
    assert 1e-5 < abs(growth - mean_rate) < 5e-4
    check = Checker("haier", w)
    assert check("q5", round(growth, 5)) and not check("q5", mean_rate)


def test_checks_use_the_students_own_world():
    """The same 24-hour share is right in one world and wrong in a world with slower technicians."""
    w1 = make("haier", seed=1, n_cities=8, months=3)
    w2 = make("haier", seed=1, n_cities=8, months=3, onsite_median_hours=18.0)
    a1, a2 = (float(w.tables["service_requests"].query("handled")["within_24h"].mean()) for w in (w1, w2))
    assert Checker("haier", w1)("q2", a1)
    assert a2 < a1 - 0.05
    assert not Checker("haier", w2)("q2", a1)


# ----------------------------------------------- library functions against the planted truth (from tests/)
# Moved from tests/test_service.py: the library's tests no longer build a case's world.
def test_haier_world_p_charts_flag_planted_city_months_and_funnel_leaks():
    """crmlab.service.control_rates, p_chart and no_miss_funnel against this world's planted truth: per-city
    p-charts of the complaint rate flag exactly the planted special causes (truth['out_of_control']); the
    four-no-miss funnel recovers the planted leak rates of record, re-check and feed-back
    (truth['funnel_leakage'])."""
    from crmlab import service as sv

    w = make("haier", seed=42)
    req = w.tables["service_requests"]
    rates = sv.control_rates(req.assign(omitted=(~req["handled"]).astype("boolean").where(req["recorded"])),
                             group_cols=["city", "month"], complaint_col="complaint")
    flagged = set()
    for city, g in rates.groupby("city", observed=True):
        chart = sv.p_chart(g, defects_col="complaints", n_col="complaint_base")
        flagged |= {(str(city), m.strftime("%Y-%m")) for m in chart.loc[chart["out_of_control"], "month"]}
    planted = {(c["city"], c["month"]) for c in w.truth["out_of_control"]}
    assert planted <= flagged and len(flagged - planted) <= 2
    f = sv.no_miss_funnel(req).set_index("stage")
    leak = w.truth["funnel_leakage"]
    for stage in ("record", "recheck", "feed_back"):
        assert f.loc[stage, "conversion"] == pytest.approx(1 - leak[stage], abs=0.01)
