"""Tests for crmlab.churn: planted churn model, brute-force gains, Newcombe's published intervals, ROI loops."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score

from crmlab import churn as ch
from plot_helpers import render_strict


def _subscribers(seed=0, n=3000):
    """Planted truth: logit P(churn) = -1.2 - 0.04 tenure + 0.5 complaints + 0.9 [prepaid] - 0.01 (arpu - 60)."""
    rng = np.random.default_rng(seed)
    tenure = rng.gamma(2.0, 12.0, n)
    complaints = rng.poisson(1.0, n)
    plan = rng.choice(["prepaid", "basic", "premium"], n, p=[0.4, 0.4, 0.2])
    arpu = rng.normal(60, 20, n)
    logit = -1.2 - 0.04 * tenure + 0.5 * complaints + 0.9 * (plan == "prepaid") - 0.01 * (arpu - 60)
    p = 1 / (1 + np.exp(-logit))
    d = pd.DataFrame({"tenure": tenure, "complaints": complaints, "plan": plan, "arpu": arpu,
                      "churned": rng.random(n) < p})
    return d, p


# ------------------------------------------------------------------------------------------- model
def test_logistic_pipeline_recovers_planted_churn_probabilities():
    """Out-of-fold AUC and Brier are close to the oracle's (true probabilities); scores are calibrated."""
    d, p = _subscribers()
    m = ch.fit_churn_model(d, seed=1)
    y = d["churned"].to_numpy()
    assert m.auc > roc_auc_score(y, p) - 0.02
    assert m.brier < brier_score_loss(y, p) + 0.005
    assert m.brier < m.brier_reference and m.base_rate == pytest.approx(y.mean())
    assert m.auc == pytest.approx(roc_auc_score(y, m.scores))
    # calibration: within score deciles, mean score ~ mean true probability
    dec = pd.qcut(m.scores, 10, labels=False)
    gap = pd.DataFrame({"s": m.scores, "p": p}).groupby(dec.to_numpy()).mean()
    assert (gap["s"] - gap["p"]).abs().max() < 0.04
    # the refitted model scores new customers close to their true probability
    new, p_new = _subscribers(seed=99, n=1000)
    pred = m.predict(new.drop(columns="churned"))
    assert np.corrcoef(pred, p_new)[0, 1] > 0.97
    assert pred.index.equals(new.index) and pred.between(0, 1).all()


def test_boosting_pipeline_beats_base_rate():
    """Trees approximate the planted linear logit less well than logistic regression, but come close."""
    d, p = _subscribers(seed=2, n=1500)
    m = ch.fit_churn_model(d, model="boosting", calibration="isotonic", n_splits=3, seed=5)
    assert m.auc > roc_auc_score(d["churned"], p) - 0.06
    assert m.brier < m.brier_reference


def test_same_seed_same_scores():
    d, _ = _subscribers(seed=3, n=300)
    a = ch.fit_churn_model(d, n_splits=3, seed=5).scores
    assert a.equals(ch.fit_churn_model(d, n_splits=3, seed=np.random.default_rng(5)).scores)
    assert not a.equals(ch.fit_churn_model(d, n_splits=3, seed=6).scores)


def test_feature_cols_restrict_the_model_to_the_named_columns():
    """feature_cols: a model given the planted drivers by name scores exactly as one fitted on a frame of those
    columns alone, so the other columns (an id, a leaky post-churn flag) are not used."""
    d, p = _subscribers(seed=4, n=1200)
    noisy = d.assign(subscriber_id=np.arange(len(d)), left_the_app=d["churned"])
    drivers = ["tenure", "complaints", "plan", "arpu"]
    named = ch.fit_churn_model(noisy, feature_cols=drivers, n_splits=3, seed=2)
    alone = ch.fit_churn_model(d[drivers + ["churned"]], n_splits=3, seed=2)
    assert named.scores.to_numpy() == pytest.approx(alone.scores.to_numpy())
    assert named.auc < 0.9 < ch.fit_churn_model(noisy, n_splits=3, seed=2).auc  # the leak would be found


def test_churn_model_errors_name_the_argument():
    d, _ = _subscribers(n=200)
    with pytest.raises(ValueError, match="target_col='churn'"):
        ch.fit_churn_model(d, target_col="churn")
    with pytest.raises(ValueError, match=r"target_col='complaints'.*only 0 and 1"):
        ch.fit_churn_model(d, target_col="complaints")
    with pytest.raises(ValueError, match=r"feature_cols\[1\]='age'"):
        ch.fit_churn_model(d, feature_cols=["tenure", "age"])
    with pytest.raises(ValueError, match="must not contain the target"):
        ch.fit_churn_model(d, feature_cols=["tenure", "churned"])
    with pytest.raises(ValueError, match="model must be one of"):
        ch.fit_churn_model(d, model="forest")
    with pytest.raises(ValueError, match="calibration"):
        ch.fit_churn_model(d, calibration="platt")
    with pytest.raises(ValueError, match="feature column 'arpu' has 1 missing"):
        ch.fit_churn_model(d.assign(arpu=d["arpu"].where(d.index != 3)))
    with pytest.raises(TypeError, match="'joined' holds dates"):
        ch.fit_churn_model(d.assign(joined=pd.Timestamp("2024-01-01")))
    rare = d.assign(churned=d.index < 3)
    with pytest.raises(ValueError, match="n_splits=5 needs at least 5"):
        ch.fit_churn_model(rare)
    with pytest.raises(ValueError, match="n_splits"):
        ch.fit_churn_model(d, n_splits=1)
    m = ch.fit_churn_model(d, n_splits=3)
    with pytest.raises(ValueError, match="'plan' is not a column"):
        m.predict(d.drop(columns="plan"))


def test_infinite_or_duplicated_feature_is_refused_naming_the_column():
    """Issue 20: an infinite feature gave scikit-learn's "Input X contains infinity ..." without the column's
    name; the message must name the column, count the bad values and point at the first row."""
    d, _ = _subscribers(n=200)
    ratio = d["arpu"].where(d.index != 7, np.inf).where(d.index != 9, -np.inf)  # e.g. spend / 0
    assert int(np.isinf(ratio).sum()) == 2
    with pytest.raises(ValueError, match=r"feature column 'arpu_ratio' has 2 infinite value\(s\), first at row 7"):
        ch.fit_churn_model(d.assign(arpu_ratio=ratio))
    m = ch.fit_churn_model(d, feature_cols=["tenure", "arpu"], n_splits=3)
    with pytest.raises(ValueError, match="feature column 'arpu' has 1 infinite"):
        m.predict(d.assign(arpu=d["arpu"].where(d.index != 4, np.inf)))
    doubled = pd.concat([d, d[["tenure"]]], axis=1)
    with pytest.raises(ValueError, match="data has 2 columns named 'tenure'"):
        ch.fit_churn_model(doubled, feature_cols=["tenure", "arpu"])


# ------------------------------------------------------------------------------------------- gains
def test_gains_table_matches_brute_force_loop():
    rng = np.random.default_rng(3)
    n = 103
    scores = np.round(rng.random(n), 1)  # many ties
    y = rng.random(n) < scores
    g = ch.gains_table(y, scores, n_bins=10)
    order = sorted(range(n), key=lambda i: -scores[i])  # Python's sort is stable, like the function's
    bins = [[] for _ in range(10)]
    for rank, i in enumerate(order):
        bins[rank * 10 // n].append(i)
    total = sum(y)
    cum_c = cum_r = 0
    for b, members in enumerate(bins):
        r = sum(y[i] for i in members)
        cum_c, cum_r = cum_c + len(members), cum_r + r
        row = g.iloc[b]
        assert row["customers"] == len(members) and row["responders"] == r
        assert row["max_score"] == max(scores[i] for i in members)
        assert row["cum_gain"] == pytest.approx(cum_r / total)
        assert row["lift"] == pytest.approx((r / len(members)) / (total / n))
        assert row["cum_response_rate"] == pytest.approx(cum_r / cum_c)
    assert g["customers"].max() - g["customers"].min() <= 1
    assert g["cum_gain"].iloc[-1] == pytest.approx(1.0) and g["cum_lift"].iloc[-1] == pytest.approx(1.0)


def test_gains_lift_recovers_planted_top_decile_rate():
    """Planted: scores are the true probabilities, so top-decile lift ~ mean p in it / mean p overall."""
    rng = np.random.default_rng(4)
    p = rng.beta(1, 6, 20000)
    y = rng.random(len(p)) < p
    g = ch.gains_table(y, p)
    top = np.sort(p)[::-1][:2000]
    assert abs(g["responders"].iloc[0] - top.sum()) < 4 * np.sqrt((top * (1 - top)).sum())
    assert g["lift"].iloc[0] == pytest.approx(top.mean() / p.mean(), rel=0.1)
    assert (np.diff(g["response_rate"]) < 0.02).all()  # rates fall (up to noise) down the deciles


def test_gains_errors():
    with pytest.raises(ValueError, match="scores has 2 values but y_true has 3"):
        ch.gains_table([1, 0, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="n_bins"):
        ch.gains_table([1, 0, 1], [0.1, 0.2, 0.3], n_bins=4)
    with pytest.raises(ValueError, match="no positives"):
        ch.gains_table([0, 0, 0], [0.1, 0.2, 0.3], n_bins=2)
    with pytest.raises(ValueError, match="scores has 1 missing"):
        ch.gains_table([1, 0, 1], [0.1, np.nan, 0.3], n_bins=2)
    with pytest.raises(ValueError, match="y_true must hold only 0 and 1"):
        ch.gains_table([1, 2, 1], [0.1, 0.2, 0.3], n_bins=2)


# ------------------------------------------------------------------------------------------- uplift
def _two_groups(x1, n1, x0, n0, **extra):
    return pd.DataFrame({"treated": [1] * n1 + [0] * n0,
                         "responded": [1] * x1 + [0] * (n1 - x1) + [1] * x0 + [0] * (n0 - x0), **extra})


@pytest.mark.parametrize("counts, newcombe, wald", [
    ((56, 70, 48, 80), (0.0524, 0.3339), (0.0575, 0.3425)),
    ((9, 10, 3, 10), (0.1705, 0.8090), (0.2605, 0.9395)),
    ((6, 7, 2, 7), (0.0582, 0.8062), None),
    ((5, 56, 0, 29), (-0.0381, 0.1926), None),
    ((0, 10, 0, 20), (-0.1611, 0.2775), None),
    ((10, 10, 0, 20), (0.6791, 1.0000), None),
])
def test_uplift_interval_matches_newcombe_1998_table(counts, newcombe, wald):
    """Published values: Newcombe (1998), Stat Med 17:873-890, Table II, methods 10 (hybrid score) and 1 (Wald)."""
    d = _two_groups(*counts)
    got = ch.campaign_uplift(d, method="newcombe").iloc[0]
    assert (round(got["ci_low"], 4), round(got["ci_high"], 4)) == newcombe
    if wald is not None:
        w = ch.campaign_uplift(d, method="wald").iloc[0]
        assert (round(w["ci_low"], 4), round(w["ci_high"], 4)) == wald


def test_uplift_p_value_equals_chi_square_test():
    """The pooled two-proportion z-test is the uncorrected 2x2 chi-square test."""
    got = ch.campaign_uplift(_two_groups(56, 70, 48, 80)).iloc[0]
    _, p, _, _ = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert got["p_value"] == pytest.approx(p)


def test_uplift_recovers_planted_segment_effects():
    """Planted: control rate 0.20; uplift +0.10 (young), 0.00 (family), -0.05 (senior)."""
    rng = np.random.default_rng(6)
    truth = {"young": 0.10, "family": 0.0, "senior": -0.05}
    seg = rng.choice(list(truth), 15000)
    treated = rng.random(len(seg)) < 0.5
    p = 0.20 + treated * pd.Series(seg).map(truth).to_numpy()
    d = pd.DataFrame({"segment": seg, "treated": treated, "responded": rng.random(len(seg)) < p})
    u = ch.campaign_uplift(d, segment_col="segment").set_index("segment")
    assert list(u.index) == ["family", "senior", "young", "all"]
    for s, t in truth.items():
        assert u.loc[s, "ci_low"] < t < u.loc[s, "ci_high"]
    assert u.loc["young", "ci_low"] > 0 and u.loc["senior", "ci_high"] < 0.01
    assert u.loc["all", "n_treated"] + u.loc["all", "n_control"] == len(d)
    assert u.loc["all", "uplift"] == pytest.approx(d[d.treated].responded.mean() - d[~d.treated].responded.mean())


def test_uplift_reads_columns_by_any_name():
    """treatment_col, response_col and segment_col only name the columns: renamed columns (bool treatment,
    response 'stayed') give the table the default names give, row for row."""
    d = _two_groups(56, 70, 48, 80, seg=(["a", "b"] * 75))
    renamed = d.rename(columns={"treated": "in_offer", "responded": "stayed", "seg": "region"}).astype(
        {"in_offer": bool, "stayed": bool})
    pd.testing.assert_frame_equal(
        ch.campaign_uplift(renamed, treatment_col="in_offer", response_col="stayed", segment_col="region")
        .rename(columns={"region": "segment"}),
        ch.campaign_uplift(d, segment_col="seg").rename(columns={"seg": "segment"}))


def test_uplift_sort_false_keeps_the_callers_order_with_the_same_rows():
    """sort=False only reorders: a categorical segment comes in its category order (unobserved categories left
    out), any other column in the order of first appearance; each row equals the sorted table's row for that
    segment, and "all" stays last."""
    seg = ["white_collar", "student", "senior", "student", "white_collar", "senior"] * 20
    d = _two_groups(40, 60, 20, 60, seg=seg)
    sorted_table = ch.campaign_uplift(d, segment_col="seg").set_index("segment")
    first_seen = ch.campaign_uplift(d, segment_col="seg", sort=False)
    assert first_seen["segment"].tolist() == ["white_collar", "student", "senior", "all"]
    pd.testing.assert_frame_equal(first_seen.set_index("segment"), sorted_table.loc[first_seen["segment"]])
    d["seg"] = pd.Categorical(seg, categories=["student", "business", "white_collar", "senior"])
    by_category = ch.campaign_uplift(d, segment_col="seg", sort=False)
    assert by_category["segment"].tolist() == ["student", "white_collar", "senior", "all"]
    pd.testing.assert_frame_equal(by_category.set_index("segment"), sorted_table.loc[by_category["segment"]])
    assert ch.campaign_uplift(d, segment_col="seg")["segment"].tolist() == ["senior", "student", "white_collar",
                                                                              "all"]


def test_uplift_errors():
    d = _two_groups(5, 10, 3, 10, seg=["a"] * 10 + ["b"] * 10)
    with pytest.raises(ValueError, match="segment 'a' lacks a treated or a control group"):
        ch.campaign_uplift(d, segment_col="seg")
    with pytest.raises(ValueError, match="treatment_col='treat'"):
        ch.campaign_uplift(d, treatment_col="treat")
    with pytest.raises(ValueError, match="segment_col='region'"):
        ch.campaign_uplift(d, segment_col="region")
    with pytest.raises(ValueError, match="method"):
        ch.campaign_uplift(d, method="exact")
    with pytest.raises(ValueError, match="level"):
        ch.campaign_uplift(d, level=0)
    with pytest.raises(TypeError, match="sort must be True or False"):
        ch.campaign_uplift(d, sort="segment")


# -------------------------------------------------------------------------------------- targeting ROI
def test_targeting_roi_matches_loop():
    rng = np.random.default_rng(7)
    s, v, u = rng.random(30), rng.gamma(2, 100, 30), rng.uniform(0.1, 0.5, 30)
    t = ch.targeting_roi(s, value=v, uplift=u, offer_cost=15)
    order = sorted(range(30), key=lambda i: -s[i])
    for k in range(31):
        saved = sum(s[i] * u[i] * v[i] for i in order[:k])
        assert t["net"][k] == pytest.approx(saved - 15 * k)
        if k:
            assert t["roi"][k] == pytest.approx((saved - 15 * k) / (15 * k))
    assert t["best"].sum() == 1 and t.loc[t["best"], "net"].item() == t["net"].max()
    by_benefit = ch.targeting_roi(s, value=v, uplift=u, offer_cost=15, rank_by="benefit")
    assert by_benefit["net"].max() >= t["net"].max()


def test_targeting_roi_best_cutoff_closed_form():
    """With constant value and uplift, it pays to target exactly those with score x 0.3 x 500 > 40."""
    rng = np.random.default_rng(8)
    s = rng.beta(1, 4, 5000)
    t = ch.targeting_roi(s, value=500, uplift=0.3, offer_cost=40)
    assert t.loc[t["best"], "k"].item() == (s * 0.3 * 500 > 40).sum()


def test_targeting_roi_errors():
    with pytest.raises(ValueError, match="scores must be <= 1"):
        ch.targeting_roi([0.5, 1.2], value=10, uplift=0.1, offer_cost=1)
    with pytest.raises(ValueError, match="uplift has 3 values but scores has 2"):
        ch.targeting_roi([0.5, 0.2], value=10, uplift=[0.1, 0.2, 0.3], offer_cost=1)
    with pytest.raises(ValueError, match="offer_cost"):
        ch.targeting_roi([0.5, 0.2], value=10, uplift=0.1, offer_cost=-1)
    with pytest.raises(ValueError, match="value must be >= 0"):
        ch.targeting_roi([0.5, 0.2], value=-10, uplift=0.1, offer_cost=1)
    with pytest.raises(ValueError, match="rank_by"):
        ch.targeting_roi([0.5, 0.2], value=10, uplift=0.1, offer_cost=1, rank_by="value")


# ------------------------------------------------------------------------------------------- plots
def test_plots_render_without_warnings():
    rng = np.random.default_rng(9)
    p = rng.random(500)
    g = ch.gains_table(rng.random(500) < p, p)
    ax = render_strict(lambda: ch.plot_gains(g))
    assert len(ax.lines[0].get_xdata()) == 11
    ax = render_strict(lambda: ch.plot_lift(g))
    assert len(ax.patches) == 10
    ax = render_strict(lambda: ch.plot_cumulative_response(g))
    assert ax.lines[0].get_ydata() == pytest.approx(g["cum_response_rate"].to_numpy())
    d = _two_groups(56, 70, 48, 80, seg=(["a", "b"] * 75))
    render_strict(lambda: ch.plot_uplift(ch.campaign_uplift(d, segment_col="seg")))
    t = ch.targeting_roi(p, value=100, uplift=0.2, offer_cost=5)
    ax = render_strict(lambda: ch.plot_roi(t))
    assert ax.collections[0].get_offsets()[0][0] == t.loc[t["best"], "share_targeted"].item()


def test_plot_uplift_draws_the_table_as_given_with_title_and_percentage_points():
    """Against the table itself: each row's point and interval ends (x 100 with percent=True, asymmetric as
    Newcombe's are) at height n-1-i (first row on top), its label as tick, a vertical line at zero, the given
    title and x label; the defaults still draw shares with the default title."""
    d = _two_groups(56, 70, 48, 80, seg=(["a", "b"] * 75))
    table = ch.campaign_uplift(d, segment_col="seg")
    ax = render_strict(lambda: ch.plot_uplift(table, title="By plan", xlabel="points", percent=True))
    points = ax.lines[0]
    assert points.get_xdata() == pytest.approx(100 * table["uplift"].to_numpy())
    assert list(points.get_ydata()) == [2, 1, 0]
    segments = ax.collections[0].get_segments()  # the horizontal error bars, one per row
    assert [s[0][0] for s in segments] == pytest.approx(100 * table["ci_low"].to_numpy())
    assert [s[1][0] for s in segments] == pytest.approx(100 * table["ci_high"].to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "all"]
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.lines[1:])
    assert (ax.get_title(), ax.get_xlabel()) == ("By plan", "points")
    ax = render_strict(lambda: ch.plot_uplift(table))
    assert ax.lines[0].get_xdata() == pytest.approx(table["uplift"].to_numpy())
    assert ax.get_title() == "Campaign uplift"
    with pytest.raises(TypeError, match="percent must be True or False"):
        ch.plot_uplift(table, percent="yes")
