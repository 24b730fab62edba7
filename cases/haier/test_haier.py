"""The haier world: schema, determinism, knob validation, and recovery of its planted truth.

Truth checked: the out-of-control city-months (flagged by a p-chart built from the data alone), the
per-city omission rates and the four no-miss leakages (observed conditional rates), 24-hour on-site
completion (closed-form log-normal tail), and the channel-customer stylised facts (sales shares, growth).
"""
import numpy as np
import pytest

from crmlab.worlds import make


def _pchart_flags(requests, column):
    """City-months above the 3-sigma upper control limit of a per-city p-chart."""
    g = requests.groupby(["city", "month"], observed=True)[column].agg(["sum", "count"])
    by_city = g.groupby(level="city", observed=True)
    pbar = by_city["sum"].transform("sum") / by_city["count"].transform("sum")
    ucl = pbar + 3 * np.sqrt(pbar * (1 - pbar) / g["count"])
    return {(c, str(m)[:7]) for c, m in g.index[(g["sum"] / g["count"] > ucl).to_numpy()]}


def test_schema_and_links():
    w = make("haier")
    w.check_schema()
    r, cities = w.tables["service_requests"], w.tables["cities"]
    assert len(cities) == 32 and cities["service_outlets"].sum() > 300
    assert set(r["city"].astype(str)) <= set(cities["city"])
    assert len(w.tables["channel_customers"]) == 1200
    assert w.tables["channel_customers"]["trading_company"].cat.categories.size == 42
    # funnel order: a later no-miss never happens without the earlier ones
    for a, b in [("recorded", "handled"), ("handled", "rechecked"), ("rechecked", "fed_back")]:
        assert not (r[b] & ~r[a]).any()
    assert r["dissatisfied"].isna().equals(~r["rechecked"])
    assert r["onsite_hours"].isna().equals(~r["handled"])


@pytest.mark.parametrize("knobs, error, pattern", [
    ({"n_cities": 100}, ValueError, r"knob 'n_cities' of world 'haier' must be <= 40"),
    ({"leak_recheck": 1.5}, ValueError, r"'leak_recheck'.*<= 1"),
    ({"n_out_of_control": "two"}, TypeError, r"'n_out_of_control'.*integer"),
    ({"out_of_control_odds": 0.5}, ValueError, r"'out_of_control_odds'.*>= 1"),
])
def test_bad_knobs_are_refused_by_name(knobs, error, pattern):
    with pytest.raises(error, match=pattern):
        make("haier", **knobs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pchart_flags_the_planted_out_of_control_months(seed):
    """Every planted city-month is above its city's complaint-rate UCL; at most two false alarms."""
    w = make("haier", seed=seed)
    flagged = _pchart_flags(w.tables["service_requests"], "complaint")
    planted = {(d["city"], d["month"]) for d in w.truth["out_of_control"]}
    assert len(planted) == 2 and planted <= flagged
    assert len(flagged - planted) <= 2


def test_in_control_world_raises_few_alarms():
    w = make("haier", seed=3, n_out_of_control=0)
    assert w.truth["out_of_control"] == []
    assert len(_pchart_flags(w.tables["service_requests"], "complaint")) <= 3


def test_funnel_leakage_and_city_omission_rates_are_recovered():
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
    w = make("haier", seed=5)
    r = w.tables["service_requests"]
    assert r.loc[r["handled"], "within_24h"].mean() == pytest.approx(w.truth["expected_within_24h_handled"], abs=0.01)
    assert (r["within_24h"] == (r["onsite_hours"] <= 24)).all()


def test_channel_customers_show_the_stylised_facts():
    """Exclusive and department stores each have 1/3 of last year's sales; domestic chains grow fastest."""
    w = make("haier", seed=6, n_channel_customers=5000)
    cc = w.tables["channel_customers"]
    sales = cc.groupby("channel_type", observed=True)[["sales_last_year", "sales_this_year"]].sum()
    share = sales["sales_last_year"] / sales["sales_last_year"].sum()
    assert share["exclusive store"] == pytest.approx(1 / 3, abs=1e-3)
    assert share["department store"] == pytest.approx(1 / 3, abs=1e-3)
    growth = sales["sales_this_year"] / sales["sales_last_year"] - 1
    assert growth.idxmax() == "domestic chain"
    assert growth["domestic chain"] == pytest.approx(w.truth["channel_growth"]["domestic chain"], abs=0.05)
