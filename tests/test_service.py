"""Tests for crmlab.service, checked against brute-force counts, closed forms and planted truths."""
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from crmlab import service as sv
from plot_helpers import render_strict


# ------------------------------------------------------------------------------------- complaint Pareto
SHARES = {"noise": 0.45, "late visit": 0.25, "leak": 0.12, "rude staff": 0.08, "billing": 0.06, "manual": 0.04}
KINDS = {"noise": "product", "late visit": "process", "leak": "product", "rude staff": "process",
         "billing": "process", "manual": "product"}


def _complaints(seed=0, n=5000):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"category": rng.choice(list(SHARES), size=n, p=list(SHARES.values()))})


def test_pareto_matches_brute_force_count():
    c = _complaints(1, 300)
    t = sv.complaint_pareto(c, vital_share=0.8)
    counts = Counter(c["category"])
    assert dict(zip(t["category"], t["complaints"])) == counts
    assert list(t["complaints"]) == sorted(counts.values(), reverse=True)
    # vital few by an explicit walk: take categories until the running share reaches 0.8
    running, vital = 0, []
    for cat, k in zip(t["category"], t["complaints"]):
        if running / 300 >= 0.8:
            break
        vital.append(cat)
        running += k
    assert list(t.loc[t["vital_few"], "category"]) == vital
    assert t["cum_share"].iloc[-1] == pytest.approx(1.0)


def test_pareto_recovers_planted_order_and_routes():
    """Planted truth: category shares SHARES; the first three make 82% so they are the vital few."""
    t = sv.complaint_pareto(_complaints(), kinds=KINDS)
    assert list(t["category"]) == list(SHARES)
    assert list(t.loc[t["vital_few"], "category"]) == ["noise", "late visit", "leak"]
    assert t["share"].to_numpy() == pytest.approx(list(SHARES.values()), abs=0.02)
    assert dict(zip(t["category"], t["route"])) == {k: sv.ROUTES[v] for k, v in KINDS.items()}


def test_pareto_kind_column_and_errors():
    c = _complaints(2, 200)
    c["kind"] = c["category"].map(KINDS)
    t = sv.complaint_pareto(c, kind_col="kind")
    assert set(t.loc[t["route"] == "R&D", "category"]) == {"noise", "leak", "manual"}
    assert (sv.complaint_pareto(c)["route"] == "triage").all()
    c.loc[c.index[0], "kind"] = "process" if c.loc[c.index[0], "kind"] == "product" else "product"
    with pytest.raises(ValueError, match="kind_col='kind' must be constant"):
        sv.complaint_pareto(c, kind_col="kind")
    with pytest.raises(ValueError, match="kinds has no entry for category 'manual'"):
        sv.complaint_pareto(c, kinds={k: v for k, v in KINDS.items() if k != "manual"})
    with pytest.raises(ValueError, match="kinds must be 'product' or 'process'"):
        sv.complaint_pareto(c, kinds={k: "design" for k in KINDS})
    with pytest.raises(ValueError, match="category_col='type'"):
        sv.complaint_pareto(c, category_col="type")
    with pytest.raises(ValueError, match="vital_share"):
        sv.complaint_pareto(c, vital_share=0)
    with pytest.raises(ValueError, match="either kind_col or kinds"):
        sv.complaint_pareto(c, kind_col="kind", kinds=KINDS)


def test_pareto_reads_team_names_as_kinds():
    """A kind may be written as the kind, the team it goes to, or both ("product/R&D", "process/management"),
    in any case and with surrounding spaces: each spelling routes every category exactly as the plain kinds of
    KINDS do (the planted routing), whether given per complaint (kind_col) or per category (kinds)."""
    spellings = {"product": ["product", "R&D", "product/R&D", " PRODUCT/r&d ", " R&D"],
                 "process": ["process", "management", "process/management", "Management ", "PROCESS"]}
    want = {k: sv.ROUTES[v] for k, v in KINDS.items()}
    for i in range(5):
        as_written = {k: spellings[v][i] for k, v in KINDS.items()}
        c = _complaints(i, 400)
        by_column = sv.complaint_pareto(c.assign(route=c["category"].map(as_written)), kind_col="route")
        assert dict(zip(by_column["category"], by_column["route"])) == want
        assert dict(zip(by_column["category"], by_column["kind"])) == KINDS
        by_mapping = sv.complaint_pareto(c, kinds=as_written)
        assert dict(zip(by_mapping["category"], by_mapping["kind"])) == KINDS
    with pytest.raises(ValueError, match="kinds must be 'product' or 'process'"):
        sv.complaint_pareto(_complaints(), kinds={k: "product/management" for k in KINDS})


# ---------------------------------------------------------------------------------------------- SLA
def test_sla_status_hand_computed():
    """Closed form: waits of 11.98 h, 12.02 h, 24.02 h (answered) and 5, 13, 30 h (open)."""
    m = pd.DataFrame({
        "received_at": ["2024-03-01 09:00"] * 3 + ["2024-03-02 10:00", "2024-03-02 02:00", "2024-03-01 09:00"],
        "replied_at": ["2024-03-01 20:59", "2024-03-01 21:01", "2024-03-02 09:01", None, None, None]})
    s = sv.sla_status(m, as_of="2024-03-02 15:00")
    assert s["hours_waited"].to_numpy() == pytest.approx([11 + 59 / 60, 12 + 1 / 60, 24 + 1 / 60, 5, 13, 30])
    assert s["status"].tolist() == ["on_time", "on_time", "late", "open", "open_alert", "open_overdue"]
    assert s["alert"].tolist() == [False, True, True, False, True, True]
    assert s.loc[1, "alert_at"] == pd.Timestamp("2024-03-01 21:00")
    assert pd.isna(s.loc[0, "alert_at"])
    summ = sv.sla_summary(s)
    assert summ.loc["all"].to_dict() == {"messages": 6, "replied": 3, "on_time_share": pytest.approx(2 / 6),
                                         "alerts": 4, "breaches": 2, "median_hours": pytest.approx(12 + 1 / 60)}


def test_sla_recovers_planted_exponential_waits():
    """Planted truth: exponential reply times with mean 10 h -> P(alert) = exp(-1.2), P(late) = exp(-2.4)."""
    rng = np.random.default_rng(5)
    n = 6000
    received = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 30 * 24, n), unit="h")
    wait = pd.to_timedelta(rng.exponential(10, n), unit="h")
    m = pd.DataFrame({"received_at": received, "replied_at": received + wait,
                      "channel": rng.choice(["email", "web"], n)})
    s = sv.sla_status(m)
    assert s["alert"].mean() == pytest.approx(np.exp(-1.2), abs=0.015)
    assert s["breach"].mean() == pytest.approx(np.exp(-2.4), abs=0.01)
    by = sv.sla_summary(s, by=m["channel"])
    assert list(by.index) == ["email", "web"] and by["messages"].sum() == n
    assert by.loc["web", "alerts"] == (s["alert"] & m["channel"].eq("web")).sum()


def test_sla_errors_name_the_argument():
    m = pd.DataFrame({"received_at": ["2024-03-01 09:00", "2024-03-01 10:00"],
                      "replied_at": ["2024-03-01 08:00", None]})
    with pytest.raises(ValueError, match="replied_col='replied_at' is before"):
        sv.sla_status(m, as_of="2024-03-02")
    ok = m.assign(replied_at=["2024-03-01 09:30", None])
    with pytest.raises(ValueError, match="as_of is needed"):
        sv.sla_status(ok)
    with pytest.raises(ValueError, match="as_of"):
        sv.sla_status(ok, as_of="2024-02-01")
    with pytest.raises(ValueError, match="alert_after_hours"):
        sv.sla_status(ok, as_of="2024-03-02", alert_after_hours=30)
    with pytest.raises(ValueError, match="received_col='sent'"):
        sv.sla_status(ok, received_col="sent", as_of="2024-03-02")
    with pytest.raises(ValueError, match="'received_at'.*not dates.*yesterday"):
        sv.sla_status(ok.assign(received_at=["2024-03-01 09:00", "yesterday"]), as_of="2024-03-02")
    with pytest.raises(ValueError, match="by must be"):
        sv.sla_summary(sv.sla_status(ok, as_of="2024-03-02"), by=pd.Series(["a"]))


# ------------------------------------------------------------------------------ control rates, p-charts
def _jobs(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    city = rng.choice(["Qingdao", "Jinan", "Xi'an"], n)
    return pd.DataFrame({"city": city, "month": rng.integers(1, 7, n),
                         "complained": rng.random(n) < np.where(city == "Jinan", 0.08, 0.03),
                         "omitted": (rng.random(n) < 0.02).astype(int),
                         "dissatisfied": rng.random(n) < 0.10})


def test_control_rates_match_brute_force_and_planted_rates():
    """Brute-force loop per group; planted complaint rate 8% in Jinan, 3% elsewhere."""
    j = _jobs()
    r = sv.control_rates(j, group_cols=["city", "month"])
    city, month, compl, omit = (j[c].tolist() for c in ("city", "month", "complained", "omitted"))
    for row in r.sample(5, random_state=0).itertuples():
        sel = [i for i in range(len(j)) if city[i] == row.city and month[i] == row.month]
        assert row.jobs == len(sel)
        assert row.complaints == sum(bool(compl[i]) for i in sel)
        assert row.omission_rate == pytest.approx(sum(omit[i] for i in sel) / len(sel))
    by_city = sv.control_rates(j, group_cols="city").set_index("city")
    assert by_city.loc["Jinan", "complaint_rate"] == pytest.approx(0.08, abs=0.02)
    assert by_city.loc["Qingdao", "complaint_rate"] == pytest.approx(0.03, abs=0.015)
    with_gaps = j.assign(dissatisfied=j["dissatisfied"].astype("boolean").where(j.index % 2 == 0))
    r_gaps = sv.control_rates(with_gaps).iloc[0]
    assert r_gaps["dissatisfaction_base"] == (len(j) + 1) // 2 and r_gaps["complaint_base"] == len(j)
    assert r_gaps["dissatisfaction_rate"] == pytest.approx(j["dissatisfied"][::2].mean())
    overall = sv.control_rates(j)
    assert overall["jobs"].item() == len(j) and overall["dissatisfaction_rate"].item() == pytest.approx(0.10, abs=0.02)


def test_control_rates_errors():
    j = _jobs(n=50)
    with pytest.raises(ValueError, match="complaint_col='complaint'"):
        sv.control_rates(j, complaint_col="complaint")
    with pytest.raises(ValueError, match=r"omission_col='omitted'.*only 0 and 1"):
        sv.control_rates(j.assign(omitted=2))
    with pytest.raises(TypeError, match="dissatisfied_col"):
        sv.control_rates(j.assign(dissatisfied="yes"))
    with pytest.raises(ValueError, match=r"group_cols\[0\]='region'"):
        sv.control_rates(j, group_cols=["region"])


def test_p_chart_limits_closed_form():
    """Limits computed one subgroup at a time from p̄ = Σd/Σn and sqrt(p̄(1-p̄)/n_i), clipped at 0."""
    d = pd.DataFrame({"defects": [4, 9, 1, 35, 0], "n": [100, 250, 40, 300, 20]})
    c = sv.p_chart(d, defects_col="defects", n_col="n")
    pbar = 49 / 710
    for i in range(len(d)):
        se = (pbar * (1 - pbar) / d["n"][i]) ** 0.5
        assert c["lcl"][i] == pytest.approx(max(0.0, pbar - 3 * se))
        assert c["ucl"][i] == pytest.approx(pbar + 3 * se)
        assert c["out_of_control"][i] == (not (max(0, pbar - 3 * se) <= d["defects"][i] / d["n"][i] <= pbar + 3 * se))
    assert c["side"].tolist() == ["", "", "", "high", ""]
    assert c["lcl"].iloc[4] == 0.0 and c["ucl"].nunique() == 5  # varying limits


def test_p_chart_flags_planted_special_cause():
    """Planted truth: 24 months at a 5% complaint rate with varying volumes; month 17 runs at 12%."""
    rng = np.random.default_rng(8)
    n = rng.integers(200, 800, 24)
    p = np.full(24, 0.05)
    p[17] = 0.12
    d = pd.DataFrame({"month": pd.period_range("2022-01", periods=24, freq="M").astype(str),
                      "complaints": rng.binomial(n, p), "jobs": n})
    c = sv.p_chart(d, defects_col="complaints", n_col="jobs")
    assert bool(c["out_of_control"].iloc[17]) and c["side"].iloc[17] == "high"
    assert c["out_of_control"].sum() <= 2
    assert c["center"].iloc[0] == pytest.approx(0.05, abs=0.01)


def test_p_chart_by_group_is_one_chart_per_group():
    """group_cols gives each group the chart it would get alone (brute force: one p_chart call per city)."""
    rng = np.random.default_rng(9)
    d = pd.DataFrame({"city": np.repeat(["A", "B", "C"], 12), "jobs": rng.integers(50, 400, 36)})
    d["complaints"] = rng.binomial(d["jobs"], np.repeat([0.02, 0.05, 0.10], 12))
    d = d.sample(frac=1, random_state=1)                       # rows of a city need not be together
    together = sv.p_chart(d, defects_col="complaints", n_col="jobs", group_cols="city")
    alone = pd.concat([sv.p_chart(g, defects_col="complaints", n_col="jobs") for _, g in d.groupby("city")])
    pd.testing.assert_frame_equal(together.sort_index(), alone.sort_index())
    assert together.groupby("city")["center"].nunique().eq(1).all() and together["center"].nunique() == 3
    with pytest.raises(ValueError, match="group_cols\\[0\\]|'town'"):
        sv.p_chart(d, defects_col="complaints", n_col="jobs", group_cols="town")
    with pytest.raises(ValueError, match="missing values"):
        sv.p_chart(d.assign(city=d["city"].where(d["jobs"] > 100)), defects_col="complaints", n_col="jobs",
                   group_cols=["city"])


def test_control_rates_feed_p_charts_that_flag_planted_city_months():
    """Planted truth: three cities at 3% complaints for 12 months, except Jinan in month 5 and Xi'an in month 9
    at 15%; omissions recorded only for logged requests (missing otherwise). Rates per city-month from
    control_rates (complaint column named 'complaint'), then one p-chart per city on (complaints,
    complaint_base): both planted city-months are flagged high, with at most two false alarms; the omission
    base counts only the logged requests (brute-force recount)."""
    rng = np.random.default_rng(12)
    n = 36_000
    city = rng.choice(["Qingdao", "Jinan", "Xi'an"], n)
    month = rng.integers(1, 13, n)
    special = ((city == "Jinan") & (month == 5)) | ((city == "Xi'an") & (month == 9))
    logged = rng.random(n) < 0.9
    jobs = pd.DataFrame({"city": city, "month": month,
                         "complaint": rng.random(n) < np.where(special, 0.15, 0.03),
                         "omitted": pd.array(rng.random(n) < 0.02, dtype="boolean"),
                         "dissatisfied": rng.random(n) < 0.1})
    jobs.loc[~logged, "omitted"] = pd.NA
    rates = sv.control_rates(jobs, group_cols=["city", "month"], complaint_col="complaint")
    assert (rates["omission_base"].to_numpy()
            == [int((logged & (city == c) & (month == m)).sum()) for c, m in zip(rates["city"], rates["month"])]).all()
    chart = sv.p_chart(rates, defects_col="complaints", n_col="complaint_base", group_cols="city")
    flagged = set(zip(chart.loc[chart["out_of_control"], "city"], chart.loc[chart["out_of_control"], "month"]))
    planted = {("Jinan", 5), ("Xi'an", 9)}
    assert planted <= flagged and len(flagged - planted) <= 2
    assert (chart.loc[[(c, m) in planted for c, m in zip(chart["city"], chart["month"])], "side"] == "high").all()


def test_p_chart_errors():
    d = pd.DataFrame({"k": [1, 5], "n": [10, 4]})
    with pytest.raises(ValueError, match="defects_col='k' exceeds n_col='n'"):
        sv.p_chart(d, defects_col="k", n_col="n")
    with pytest.raises(ValueError, match="n_col='n' must be positive"):
        sv.p_chart(d.assign(n=[10, 0], k=[1, 0]), defects_col="k", n_col="n")
    with pytest.raises(ValueError, match="negative"):
        sv.p_chart(d.assign(k=[-1, 1]), defects_col="k", n_col="n")
    with pytest.raises(ValueError, match="sigma"):
        sv.p_chart(d.assign(n=[10, 10]), defects_col="k", n_col="n", sigma=0)


# ------------------------------------------------------------------------------------------ funnel
def test_no_miss_funnel_brute_force_and_planted_leaks():
    """Planted pass rates 0.95, 0.90, 0.80, 0.70 per stage; counts checked by an explicit loop."""
    rng = np.random.default_rng(4)
    n = 5000
    passed = rng.random((n, 4)) < [0.95, 0.90, 0.80, 0.70]
    issues = pd.DataFrame(passed, columns=["recorded", "handled", "rechecked", "fed_back"])
    f = sv.no_miss_funnel(issues)
    loop = [n]
    for k in range(4):
        loop.append(sum(1 for row in passed if all(row[: k + 1])))
    assert f["issues"].tolist() == loop
    assert f["stage"].tolist() == ["reported", "record", "handle", "recheck", "feed_back"]
    assert f["conversion"].iloc[1:].to_numpy() == pytest.approx([0.95, 0.90, 0.80, 0.70], abs=0.025)
    assert f["leaked"].sum() == n - loop[-1]
    skipped_handle = sum(1 for row in passed if row[1] and not row[0])
    assert f["skipped_earlier"].iloc[2] == skipped_handle


def test_no_miss_funnel_custom_stages_and_errors():
    i = pd.DataFrame({"logged": [1, 1, 0], "fixed": [1, 0, 1]})
    f = sv.no_miss_funnel(i, stages={"log": "logged", "fix": "fixed"})
    assert f["issues"].tolist() == [3, 2, 1] and f["skipped_earlier"].tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match=r"stages\['record'\]='recorded'"):
        sv.no_miss_funnel(i)
    with pytest.raises(TypeError, match="stages"):
        sv.no_miss_funnel(i, stages=["logged"])


# -------------------------------------------------------------------------------- service-profit chain
def _chain_data(seed=0, n=400, confounded=False):
    rng = np.random.default_rng(seed)
    size = rng.normal(0, 1, n)
    es = rng.normal(70, 8, n) + (5 * size if confounded else 0)
    cs = 20 + 0.6 * es + rng.normal(0, 3, n)
    revisit = 0.1 + 0.008 * cs + rng.normal(0, 0.04, n)
    revenue = 200 + 900 * revisit + (60 * size if confounded else 0) + rng.normal(0, 30, n)
    return pd.DataFrame({"employee_satisfaction": es, "customer_satisfaction": cs, "revisit_rate": revisit,
                         "revenue": revenue, "size": size})


def test_chain_matches_textbook_simple_regression():
    """Slope = Sxy/Sxx, se = sqrt(s²/Sxx) with s² = RSS/(n-2): the closed form of simple regression."""
    d = _chain_data(1, 60)
    r = sv.service_profit_chain(d, n_boot=200)
    for row in r.links.itertuples():
        x, y = d[row.cause].to_numpy(), d[row.effect].to_numpy()
        sxx = ((x - x.mean()) ** 2).sum()
        b = ((x - x.mean()) * (y - y.mean())).sum() / sxx
        a = y.mean() - b * x.mean()
        s2 = ((y - a - b * x) ** 2).sum() / (len(x) - 2)
        assert row.coef == pytest.approx(b)
        assert row.se == pytest.approx((s2 / sxx) ** 0.5)
        assert row.r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2)


def test_chain_recovers_planted_slopes_and_indirect_effect():
    """Planted slopes 0.6, 0.008, 900: each interval covers its slope; the indirect interval covers 4.32."""
    r = sv.service_profit_chain(_chain_data(2), n_boot=1000, seed=3)
    for (_, row), truth in zip(r.links.iterrows(), [0.6, 0.008, 900.0]):
        assert row["ci_low"] < truth < row["ci_high"]
        assert row["p_value"] < 1e-6
    assert r.indirect["ci_low"] < 0.6 * 0.008 * 900 < r.indirect["ci_high"]
    assert r.indirect["estimate"] == pytest.approx(np.prod(r.links["coef"]))


def test_chain_controls_remove_planted_confounding():
    """Planted: store size raises both revisit and revenue; only the fit controlling for size recovers 900."""
    rng = np.random.default_rng(3)
    n = 800
    size = rng.normal(0, 1, n)
    revisit = 0.5 + 0.02 * size + rng.normal(0, 0.04, n)
    d = pd.DataFrame({"revisit_rate": revisit, "size": size,
                      "revenue": 200 + 900 * revisit + 60 * size + rng.normal(0, 30, n)})
    biased = sv.service_profit_chain(d, chain=["revisit_rate", "revenue"], n_boot=100)
    fixed = sv.service_profit_chain(d, chain=["revisit_rate", "revenue"], controls=["size"], n_boot=100)
    assert biased.links["ci_low"].item() > 900
    assert fixed.links["ci_low"].item() < 900 < fixed.links["ci_high"].item()


def test_chain_bootstrap_is_seeded():
    d = _chain_data(4, 80)
    a = sv.service_profit_chain(d, n_boot=300, seed=7).indirect
    b = sv.service_profit_chain(d, n_boot=300, seed=np.random.default_rng(7)).indirect
    c = sv.service_profit_chain(d, n_boot=300, seed=8).indirect
    assert a == b and a != c


def test_chain_errors():
    d = _chain_data(0, 30)
    with pytest.raises(ValueError, match="chain must list at least two"):
        sv.service_profit_chain(d, chain=["revenue"])
    with pytest.raises(ValueError, match=r"chain\[1\]='profit'"):
        sv.service_profit_chain(d, chain=["revenue", "profit"])
    with pytest.raises(ValueError, match="n_boot"):
        sv.service_profit_chain(d, n_boot=10)
    with pytest.raises(ValueError, match="level"):
        sv.service_profit_chain(d, level=1.0)
    with pytest.raises(TypeError, match="'revenue'.*numeric"):
        sv.service_profit_chain(d.assign(revenue="high"))
    with pytest.raises(ValueError, match="3 rows"):
        sv.service_profit_chain(d.head(3))
    with pytest.raises(TypeError, match="seed"):
        sv.service_profit_chain(d, seed=1.5)


# ---------------------------------------------------------------------------------------------- plots
def test_plots_render_without_warnings():
    t = sv.complaint_pareto(_complaints(0, 500), kinds=KINDS)
    ax = render_strict(lambda: sv.plot_pareto(t))
    assert len(ax.patches) == len(t)
    rng = np.random.default_rng(0)
    received = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 48, 200), unit="h")
    replied = (received + pd.to_timedelta(rng.exponential(10, 200), unit="h")).where(rng.random(200) < 0.8)
    s = sv.sla_status(pd.DataFrame({"received_at": received, "replied_at": replied}), as_of="2024-01-04")
    render_strict(lambda: sv.plot_sla(s))
    d = pd.DataFrame({"month": [f"2024-{m:02d}" for m in range(1, 13)], "k": [5, 6, 4, 7, 5, 25, 6, 5, 4, 6, 5, 7],
                      "n": [100, 120, 90, 130, 110, 100, 95, 105, 100, 115, 120, 100]})
    ax = render_strict(lambda: sv.plot_p_chart(sv.p_chart(d, defects_col="k", n_col="n"), x_col="month"))
    assert len(ax.collections) == 1  # the out-of-control marker
    f = sv.no_miss_funnel(pd.DataFrame(rng.random((100, 4)) < 0.9,
                                       columns=["recorded", "handled", "rechecked", "fed_back"]))
    ax = render_strict(lambda: sv.plot_funnel(f))
    assert len(ax.patches) == 5
    ax = render_strict(lambda: sv.plot_chain(sv.service_profit_chain(_chain_data(0, 50), n_boot=100)))
    assert len(ax.get_yticklabels()) == 3
    with pytest.raises(TypeError, match="result must be a ChainResult"):
        sv.plot_chain({"links": None})


def test_pareto_ignores_unused_categorical_levels():
    c = pd.DataFrame({"category": pd.Categorical(["noise", "noise", "leak"], categories=["leak", "noise", "rust"])})
    t = sv.complaint_pareto(c)
    assert t["category"].tolist() == ["noise", "leak"] and t["complaints"].tolist() == [2, 1]


# ------------------------------------------------------------------------------------ call-centre queue
def _erlang_c_closed_form(n, load):
    """Erlang C written with Poisson probabilities (an independent formula, not the Erlang B recursion):
    C = p(N) / (p(N) + (1 - A/N) P(N-1)), p and P the Poisson(A) pmf and cdf."""
    from scipy import stats
    top = stats.poisson.pmf(n, load)
    return top / (top + (1 - load / n) * stats.poisson.cdf(n - 1, load))


def _erlang_c_exact(n, load):
    """Erlang C as the textbook ratio of sums, in exact rational arithmetic (load a Fraction)."""
    from fractions import Fraction
    from math import factorial
    a = Fraction(load)
    last = a ** n / factorial(n) * Fraction(n) / (n - a)
    return float(last / (sum(a ** k / factorial(k) for k in range(n)) + last))


def test_erlang_c_published_and_hand_computed_values():
    """Textbook values: A=2 Erlangs, N=3 agents -> P(wait) = 4/9 = 0.4444; A=1, N=2 -> (1/2·2)/(1+1+1) = 1/3;
    M/M/1 -> C(1, A) = A (the server's utilisation); no load -> nobody waits."""
    assert sv.erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)
    assert round(sv.erlang_c(3, 2.0), 4) == 0.4444
    assert sv.erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-12)
    for a in (0.1, 0.5, 0.9):
        assert sv.erlang_c(1, a) == pytest.approx(a, rel=1e-12)
    assert sv.erlang_c(4, 0.0) == 0.0


@pytest.mark.parametrize("n, load", [(3, 2.0), (5, 4.5), (14, 10.5), (45, 39.3), (120, 110.0), (600, 580.0)])
def test_erlang_c_matches_poisson_closed_form(n, load):
    """The Erlang B recursion against the Poisson closed form (scipy) over small and large pools, and against
    the exact ratio of sums where the factorials are small enough."""
    assert sv.erlang_c(n, load) == pytest.approx(_erlang_c_closed_form(n, load), rel=1e-9)
    if n <= 120:
        assert sv.erlang_c(n, load) == pytest.approx(_erlang_c_exact(n, load), rel=1e-9)


def test_service_level_closed_form():
    """P(wait <= t) = 1 - C e^{-(N-A)t/h}: at t=0 it is 1 - C; for M/M/1 it is 1 - rho e^{-(1-rho)t/h}."""
    assert sv.service_level(3, 2.0, 60.0, within=0.0) == pytest.approx(5 / 9, rel=1e-12)
    rho, h, t = 0.8, 100.0, 20.0
    assert sv.service_level(1, rho, h, within=t) == pytest.approx(1 - rho * np.exp(-(1 - rho) * t / h), rel=1e-12)
    levels = [sv.service_level(n, 39.3, 270.0) for n in range(40, 60)]
    assert all(b > a for a, b in zip(levels, levels[1:]))  # more agents, better service


@pytest.mark.parametrize("load, aht, target, within", [(39.3, 270.0, 0.8, 20.0), (2.0, 60.0, 0.8, 20.0),
                                                        (0.3, 300.0, 0.95, 10.0), (250.0, 180.0, 0.9, 15.0),
                                                        (12.0, 180.0, 0.5, 0.0)])
def test_agents_needed_meets_the_target_and_one_fewer_does_not(load, aht, target, within):
    """Brute force over the closed form: the staffing reaches the target; one agent fewer either misses it or
    has no more agents than Erlangs."""
    n = sv.agents_needed(load, aht, target=target, within=within)
    assert 1 - _erlang_c_closed_form(n, load) * np.exp(-(n - load) * within / aht) >= target
    if n - 1 > load:
        assert 1 - _erlang_c_closed_form(n - 1, load) * np.exp(-(n - 1 - load) * within / aht) < target


def test_serve_queue_hand_computed():
    """A hand-traced queue: one agent, calls at 0, 1, 2 s of 10 s each; the second caller's patience (5 s)
    runs out, the third waits until the agent is free at 10 s. Two agents: nobody waits but the third caller."""
    w, a = sv.serve_queue([0.0, 1.0, 2.0], [10.0, 10.0, 10.0], 1, patience=[5.0, 5.0, 20.0])
    assert w.tolist() == [0.0, 5.0, 8.0] and a.tolist() == [True, False, True]
    w, a = sv.serve_queue([0.0, 1.0, 2.0], [10.0, 10.0, 10.0], 2)
    assert w.tolist() == [0.0, 0.0, 8.0] and a.all()


def test_simulation_agrees_with_erlang_c_within_its_noise():
    """Independent computation: a long M/M/N run (600 hours, no patience) at 2, 5 and 45 agents gives the Erlang C
    share answered at once (1 - C) and within 20 s, each within 4 batch-means standard errors (plus 0.002 for
    the batches' own bias); the standard errors are small enough to tell one agent more or less apart (the
    Erlang C gap to N +/- 1 exceeds 6 of them)."""
    rng = np.random.default_rng(2024)
    for n, load, aht in [(5, 4.0, 60.0), (2, 1.2, 30.0), (45, 39.3, 270.0)]:
        wait, answered = sv.simulate_queue(load / aht, aht, n, hours=600, rng=rng)
        assert answered.all()
        for within in (0.0, 20.0):
            m = sv.measure_queue(wait, answered, within=within, batches=30)
            expected = sv.service_level(n, load, aht, within)
            assert abs(m.service_level - expected) < 4 * m.standard_error + 0.002
            assert 0 < 6 * m.standard_error < min(sv.service_level(n + 1, load, aht, within) - expected,
                                                  expected - (sv.service_level(n - 1, load, aht, within)
                                                              if n - 1 > load else 0.0))


def test_simulation_is_deterministic_for_a_seed():
    """The run is a function of the Generator passed down: the same seed gives the same waits."""
    one = sv.simulate_queue(0.1, 30.0, 4, hours=5, patience=20.0, rng=np.random.default_rng(3))
    two = sv.simulate_queue(0.1, 30.0, 4, hours=5, patience=20.0, rng=np.random.default_rng(3))
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        sv.simulate_queue(0.1, 30.0, 4, hours=5, rng=3)


def test_abandonment_lowers_the_waits():
    """The same arrivals and handle times served with and without patience: callers who hang up shorten the
    queue for the others, so every caller waits at most as long, the mean wait falls, the service level rises
    (M/M/N+M above Erlang C) and some callers are lost."""
    rng = np.random.default_rng(9)
    n = rng.poisson(0.15 * 20 * 3600)
    arrival = np.sort(rng.uniform(0, 20 * 3600, n))
    handle = rng.exponential(60.0, n)
    patience = rng.exponential(30.0, n)
    w0, a0 = sv.serve_queue(arrival, handle, 9)
    w1, a1 = sv.serve_queue(arrival, handle, 9, patience=patience)
    assert (w1 <= w0 + 1e-9).all() and w1.mean() < 0.8 * w0.mean()
    assert a0.all() and 0 < (~a1).mean() < 0.5
    sl0, sl1 = (sv.measure_queue(w, a).service_level for w, a in ((w0, a0), (w1, a1)))
    assert sl1 > sl0
    wait, answered = sv.simulate_queue(0.15, 60.0, 10, hours=30, patience=30.0, rng=np.random.default_rng(1))
    m = sv.measure_queue(wait, answered)
    assert m.service_level > sv.service_level(10, 9.0, 60.0) + 4 * m.standard_error and m.abandoned > 0


def test_queue_errors_name_the_parameter():
    """Bad input is stopped at the door: an overloaded queue for Erlang C (load >= agents), negative rates and
    times, a target outside (0, 1), unsorted arrivals and a seed where a Generator is expected."""
    for call, match in [
        (lambda: sv.erlang_c(3, 3.0), "load=3.0 Erlangs must be below n_agents=3"),
        (lambda: sv.erlang_c(3, 4.5), "load=4.5 Erlangs must be below n_agents=3"),
        (lambda: sv.erlang_c(0, 0.5), "n_agents must be >= 1"),
        (lambda: sv.erlang_c(3, -1.0), "load must be >= 0"),
        (lambda: sv.service_level(3, 2.0, 0.0), "aht must be > 0"),
        (lambda: sv.service_level(3, 2.0, 60.0, within=-1), "within must be >= 0"),
        (lambda: sv.agents_needed(5.0, 60.0, target=1.0), "target must be < 1.0"),
        (lambda: sv.agents_needed(5.0, 60.0, target=0.0), "target must be > 0.0"),
        (lambda: sv.agents_needed(-5.0, 60.0), "load must be >= 0"),
        (lambda: sv.simulate_queue(-0.1, 60.0, 3, hours=5, rng=np.random.default_rng(0)), "rate must be > 0"),
        (lambda: sv.simulate_queue(0.1, -60.0, 3, hours=5, rng=np.random.default_rng(0)), "aht must be > 0"),
        (lambda: sv.simulate_queue(0.1, 60.0, 3, hours=5, patience=-1.0, rng=np.random.default_rng(0)),
         "patience must be > 0"),
        (lambda: sv.simulate_queue(0.1, 60.0, 3, hours=1, rng=np.random.default_rng(0)), "hours must be > 1.0"),
        (lambda: sv.serve_queue([2.0, 1.0], [1.0, 1.0], 1), "arrival must be sorted"),
        (lambda: sv.serve_queue([1.0, 2.0], [1.0, -1.0], 1), "handle must be >= 0"),
        (lambda: sv.serve_queue([1.0, 2.0], [1.0], 1), "handle has 1 values, arrival has 2"),
        (lambda: sv.measure_queue([1.0, 2.0], [True, True], batches=3), "batches=3 needs at least 3 calls"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()
    with pytest.raises(TypeError, match="n_agents must be an integer"):
        sv.erlang_c(3.5, 2.0)
    with pytest.raises(TypeError, match="answered must be a boolean array"):
        sv.measure_queue([1.0, 2.0], [1, 0])
