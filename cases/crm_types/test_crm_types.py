"""Case ``crm_types`` beyond the contract: DuckDB's OLAP answers on the notebook's star schema equal pandas' groupby
on the raw tables; the drill-down and the cube recover the planted hot city and channel mix; the service-level
measures (the cohort share, Kaplan-Meier) recover the planted reply-time distribution, Kaplan-Meier agrees with a
direct count where nothing is censored, and the notebook's what-if of the 12-hour alert agrees with a world in which
the alert runs.
"""
import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from crmlab import service
from crmlab._casemodules import load_case_module
from crmlab.checks import Checker, solve
from crmlab.worlds import make

ck = load_case_module("crm_types", "checks")  # the notebook's SQL (star schema, ROLLUP, CUBE) lives there too
DATA_END = pd.Timestamp("2024-01-01")


def _sales(world):
    o = world.tables["orders"].merge(world.tables["customers"], on="customer_id", how="left")
    for c in ("region", "city", "size", "channel"):
        o[c] = o[c].astype(str)
    o["half"] = np.where(o["order_date"].dt.month <= 6, "H1", "H2")
    return o


@pytest.mark.parametrize("seed", [42, 7])
def test_duckdb_rollup_cube_and_pivot_equal_pandas_groupby(seed):
    """Independent computation: pandas groupby on the raw orders + customers (no star schema, no '(all)' helper)
    gives exactly the sums of DuckDB's GROUP BY ROLLUP, GROUP BY CUBE and PIVOT on the notebook's star schema."""
    m = ck
    w = make("crm_types", seed=seed)
    con = m.star_schema(w)
    s = _sales(w)
    rollup = con.sql(m.ROLLUP_SQL).df().set_index(["region", "city"])
    by_city = s.pivot_table(index=["region", "city"], columns="half", values="revenue", aggfunc="sum", fill_value=0.0)
    by_region = s.pivot_table(index="region", columns="half", values="revenue", aggfunc="sum", fill_value=0.0)
    assert len(rollup) == len(by_city) + len(by_region) + 1
    for (region, city), row in by_city.iterrows():
        assert rollup.loc[(region, city), ["h1", "h2"]].tolist() == [row["H1"], row["H2"]]
    for region, row in by_region.iterrows():
        assert rollup.loc[(region, "(all)"), ["h1", "h2"]].tolist() == [row["H1"], row["H2"]]
    assert rollup.loc[("(all)", "(all)"), "h1"] + rollup.loc[("(all)", "(all)"), "h2"] == s["revenue"].sum()

    cube = con.sql(m.CUBE_SQL).df().set_index(["size", "channel"])
    cells = s.groupby(["size", "channel"])["revenue"].agg(["sum", "size"])
    assert len(cube) == len(cells) + s["size"].nunique() + s["channel"].nunique() + 1
    for key, row in cells.iterrows():
        assert cube.loc[key, "revenue"] == row["sum"] and cube.loc[key, "order_lines"] == row["size"]
    for size, total in s.groupby("size")["revenue"].sum().items():
        assert cube.loc[(size, "(all)"), "revenue"] == total
    for channel, total in s.groupby("channel")["revenue"].sum().items():
        assert cube.loc[("(all)", channel), "revenue"] == total

    region = s["region"].iloc[0]
    pivot = con.sql(f"""
        PIVOT (SELECT category, quarter, revenue FROM fact_sales JOIN dim_product USING (product_id)
               JOIN dim_date USING (date_key) JOIN dim_customer USING (customer_id) WHERE region = '{region}')
        ON quarter USING SUM(revenue) GROUP BY category""").df().set_index("category")
    part = s[s["region"] == region].merge(w.tables["products"].astype({"category": str}), on="product_id")
    expected = part.groupby(["category", part["order_date"].dt.quarter])["revenue"].sum()
    for (category, quarter), total in expected.items():
        assert pivot.loc[category, f"Q{quarter}"] == total
    con.close()


@pytest.mark.parametrize("seed", [3, 42])
def test_drill_down_and_cube_recover_the_planted_hot_city_and_channel_mix(seed):
    """Planted truth, in a large world: the notebook's drill-down (region with the largest H2 - H1, then its city with
    the largest growth) finds the planted hot city; its H2/H1 ratio is within 15% of the planted ratio; the cube's web
    share of each size's revenue is within 0.03 of the planted expected share."""
    w = make("crm_types", seed=seed, n_customers=6000, emails_per_day=5.0)
    answers = solve("crm_types", w)
    assert answers["q2"] == w.truth["hot_city"]
    s = _sales(w)
    hot = s[s["city"] == w.truth["hot_city"]].groupby("half")["revenue"].sum()
    assert hot["H2"] / hot["H1"] == pytest.approx(w.truth["hot_city_ratio"], rel=0.15)
    share = s.pivot_table(index="size", columns="channel", values="revenue", aggfunc="sum")
    share = share.div(share.sum(axis=1), axis=0)
    for size, planted in w.truth["channel_revenue_share"].items():
        for channel, p in planted.items():
            assert share.loc[size, channel] == pytest.approx(p, abs=0.03), (size, channel)


@pytest.mark.parametrize("seed", [42, 5])
def test_service_level_cohort_and_kaplan_meier_recover_the_planted_reply_times(seed):
    """Planted truth (closed forms of the log-normal mixture): the cohort share answered within 24 h and Kaplan-Meier's
    1 - S(24) are within 0.015 of P(T <= 24); the KM median within 5% of the planted median; the share alerted among
    e-mails older than 12 h within 0.015 of P(T > 12). KM and the cohort count agree within 0.01."""
    w = make("crm_types", seed=seed, emails_per_day=400.0, n_customers=200)
    e = w.tables["emails"]
    st = service.sla_status(e, as_of=DATA_END)
    cohort = e["received_at"] <= DATA_END - pd.Timedelta(hours=24)
    share = (st.loc[cohort, "status"] == "on_time").mean()
    km = SurvfuncRight(st["hours_waited"].to_numpy(), st["replied"].to_numpy().astype(int))
    s24 = km.surv_prob[km.surv_times <= 24][-1]
    t = w.truth
    assert share == pytest.approx(t["p_on_time"], abs=0.015)
    assert 1 - s24 == pytest.approx(t["p_on_time"], abs=0.015)
    assert 1 - s24 == pytest.approx(share, abs=0.01)
    assert km.quantile(0.5) == pytest.approx(t["median_reply_hours"], rel=0.05)
    old = e["received_at"] <= DATA_END - pd.Timedelta(hours=12)
    assert st.loc[old, "alert"].mean() == pytest.approx(t["p_alert"], abs=0.015)
    assert 0 < t["n_open"] == int((~st["replied"]).sum())


def test_kaplan_meier_equals_the_direct_count_without_censoring():
    """Where nothing is censored (the planted reply times before the data's end cut them), Kaplan-Meier's survival
    curve equals the empirical share still waiting at every time - a direct count."""
    w = make("crm_types", seed=11, emails_per_day=30.0, n_customers=100)
    hours = w.truth["emails"]["reply_hours"].to_numpy()
    km = SurvfuncRight(hours, np.ones_like(hours, dtype=int))
    direct = np.array([(hours > x).mean() for x in km.surv_times])
    assert np.allclose(km.surv_prob, direct, atol=1e-12)


def test_alert_what_if_matches_a_world_where_the_alert_runs():
    """The notebook's what-if (late share x (1 - exp(-12 / alert_reply_hours)) added to the on-time share) on a world
    without the alert agrees, within 0.01, with the measured on-time share of the same world run with sms_alert=True
    (same seed, so the same e-mails) and with the planted closed form."""
    kw = dict(seed=8, emails_per_day=300.0, n_customers=100, alert_reply_hours=4.0)
    off, on = make("crm_types", **kw), make("crm_types", sms_alert=True, **kw)
    assert off.tables["emails"]["received_at"].equals(on.tables["emails"]["received_at"])

    def judged(world):
        e = world.tables["emails"]
        st = service.sla_status(e, as_of=DATA_END)
        return st[e["received_at"] <= DATA_END - pd.Timedelta(hours=24)]

    known = judged(off)
    what_if = (known["status"] == "on_time").mean() + known["breach"].mean() * (1 - np.exp(-12 / 4.0))
    measured = (judged(on)["status"] == "on_time").mean()
    assert what_if == pytest.approx(measured, abs=0.01)
    assert measured == pytest.approx(on.truth["p_on_time_with_alert"], abs=0.01)
    assert on.truth["p_on_time"] == on.truth["p_on_time_with_alert"] > off.truth["p_on_time"]


def test_checks_use_the_students_own_world():
    """The same web-share answer (Q3) is right in one world and wrong in another seed's world."""
    w1, w2 = make("crm_types", seed=1), make("crm_types", seed=2)
    a1 = solve("crm_types", w1)["q3"]
    assert Checker("crm_types", w1)("q3", a1)
    assert not Checker("crm_types", w2)("q3", a1)
