"""Tests for crmlab.loyalty: satisfaction index, composite index, expectation trade-off, the BT curve,
loyalty types and Kotler levels. Each test says what it is checked against."""
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlab import loyalty as L


# ------------------------------------------------------------------------------ satisfaction index
def test_satisfaction_index_hand_computed():
    """c = b / a and the three-way reading, computed by hand (CRM article collection (source 3),
    lines 385–405)."""
    out = L.satisfaction_index([6.0, 7.8, 8.0, 8.4, 10.0], 8.0, tolerance=0.05)
    assert np.allclose(out["index"], [0.75, 0.975, 1.0, 1.05, 1.25])
    assert out["status"].tolist() == ["dissatisfied", "fairly satisfied", "fairly satisfied",
                                      "fairly satisfied", "satisfied"]
    assert out["status"].cat.ordered
    # zero tolerance: only an exact match is "fairly satisfied"
    assert L.satisfaction_index([7.9, 8, 8.1], [8, 8, 8], tolerance=0)["status"].tolist() == [
        "dissatisfied", "fairly satisfied", "satisfied"]


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"perceived": 5, "expected": 0}, ValueError, "expected"),
    ({"perceived": -1, "expected": 5}, ValueError, "perceived"),
    ({"perceived": "high", "expected": 5}, TypeError, "perceived"),
    ({"perceived": [1, 2, 3], "expected": [1, 2]}, ValueError, "same length"),
    ({"perceived": 1, "expected": 1, "tolerance": 1.5}, ValueError, "tolerance"),
    ({"perceived": [1, np.nan], "expected": 1}, ValueError, "perceived"),
])
def test_satisfaction_index_rejects_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        L.satisfaction_index(**kwargs)


# --------------------------------------------------------------------------------- composite index
def test_composite_matches_brute_force_ranks():
    """Composite = mean of direction-aligned percentile ranks x 100, recomputed with a loop over customers."""
    df = pd.DataFrame({"retention": [3.0, 1.0, 2.0, 2.0], "complaint_rate": [0.1, 0.4, 0.2, 0.3]})
    got = L.composite_satisfaction(df, indicators={"retention": 1, "complaint_rate": -1},
                                   weights={"retention": 3, "complaint_rate": 1})
    n = len(df)

    def pct_rank(values, i):  # average rank of ties / n
        less = sum(v < values[i] for v in values)
        equal = sum(v == values[i] for v in values)
        return (less + (equal + 1) / 2) / n

    ret, comp = df["retention"].tolist(), [-v for v in df["complaint_rate"]]
    expected = [100 * (3 * pct_rank(ret, i) + pct_rank(comp, i)) / 4 for i in range(n)]
    assert np.allclose(got, expected)


def test_composite_tracks_planted_satisfaction_better_than_any_indicator():
    """Planted truth: seven noisy indicators of a latent satisfaction; the composite must rank customers
    closer to the latent value than any single indicator does."""
    rng = np.random.default_rng(5)
    n = 3000
    latent = rng.normal(size=n)
    data = pd.DataFrame({name: direction * latent + rng.normal(scale=1.5, size=n)
                         for name, direction in L.SEVEN_INDICATORS.items()})
    comp = L.composite_satisfaction(data)
    rho_comp = stats.spearmanr(comp, latent).statistic
    rho_single = max(abs(stats.spearmanr(data[c], latent).statistic) for c in data)
    assert rho_comp > rho_single + 0.1
    assert comp.between(0, 100).all()


def test_composite_rejects_bad_input():
    df = pd.DataFrame({"retention": [1.0, 2.0]})
    with pytest.raises(ValueError, match="repeat_purchases"):
        L.composite_satisfaction(df)  # default needs all seven columns
    with pytest.raises(ValueError, match="indicators"):
        L.composite_satisfaction(df, indicators={"retention": 2})
    with pytest.raises(ValueError, match="weights"):
        L.composite_satisfaction(df, indicators={"retention": 1}, weights={"other": 1})
    with pytest.raises(TypeError, match="data"):
        L.composite_satisfaction([1, 2], indicators={"retention": 1})


# -------------------------------------------------------------------------- expectation trade-off
def test_tradeoff_closed_form_agrees_with_simulation():
    """Closed-form buyers, satisfied share and profit vs the seeded simulation of the same world."""
    res = L.expectation_tradeoff([5.0, 7.0, 9.0], n_prospects=200_000, seed=11)
    t = res.table
    assert np.allclose(t["sim_buyers"], t["buyers"], rtol=0.01)
    assert np.allclose(t["sim_satisfied_share"], t["satisfied_share"], atol=0.01)
    assert np.allclose(t["sim_profit"], t["profit"], rtol=0.02)


def test_tradeoff_optimum_is_interior_and_matches_fine_grid():
    """The bounded optimiser agrees with brute-force evaluation on a 4001-point grid; promising less gives
    fewer buyers, promising more gives fewer satisfied buyers (CRM article collection (source 3),
    lines 413–423)."""
    res = L.expectation_tradeoff(np.linspace(3, 12, 10))
    grid = L.expectation_tradeoff(np.linspace(3, 12, 4001)).table
    brute = grid.loc[grid["profit"].idxmax(), "promise"]
    assert abs(res.optimum_promise - brute) < 0.01
    assert 3 < res.optimum_promise < 12
    at = L.expectation_tradeoff([3.0, res.optimum_promise, 12.0]).table
    assert at["buyers"].iloc[0] < at["buyers"].iloc[1] < at["buyers"].iloc[2]
    assert at["satisfied_share"].iloc[0] > at["satisfied_share"].iloc[1] > at["satisfied_share"].iloc[2]
    assert at["profit"].iloc[1] > max(at["profit"].iloc[0], at["profit"].iloc[2])


def test_tradeoff_same_seed_same_output():
    a = L.expectation_tradeoff([5.0, 8.0], seed=3).table
    b = L.expectation_tradeoff([5.0, 8.0], seed=3).table
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    ({"quality_sd": 0}, "quality_sd"), ({"n_prospects": 0}, "n_prospects"), ({"margin": -1}, "margin"),
    ({"tolerance": 1}, "tolerance"), ({"seed": 1.5}, "seed"),
])
def test_tradeoff_rejects_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        L.expectation_tradeoff([5.0, 6.0], **kwargs)
    with pytest.raises(ValueError, match="promises"):
        L.expectation_tradeoff([-1.0, 6.0])


# ------------------------------------------------------------------- satisfaction -> loyalty curve
def _bt_world(n=10_000, k=(1.5, 8.5), slopes=(1.2, 0.05, 1.2), shift=0.8, seed=7):
    """Planted BT-shaped world: s ~ U(0, 10), hinges at its 15th and 85th percentiles, a moderator
    (centred switching cost) that shifts loyalty up by `shift` on the log-odds scale."""
    rng = np.random.default_rng(seed)
    s = rng.uniform(0, 10, n)
    m = rng.normal(size=n)
    logit = (-2.2 + slopes[0] * s + (slopes[1] - slopes[0]) * np.maximum(s - k[0], 0)
             + (slopes[2] - slopes[1]) * np.maximum(s - k[1], 0) + shift * m)
    loyal = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"sat": s, "loyal": loyal.astype(int), "switch": m})


def test_curve_recovers_planted_thresholds_slopes_and_moderator():
    """Planted truth: thresholds (1.5, 8.5), log-odds slopes (1.2, 0.05, 1.2), moderator shift 0.8, no
    moderator slope change."""
    df = _bt_world()
    curve = L.fit_satisfaction_curve(df, "sat", "loyal", moderators=["switch"])
    k1, k2 = curve.thresholds
    assert abs(k1 - 1.5) < 0.75 and abs(k2 - 8.5) < 0.75  # seeds 1-8 of this world all fall inside
    lo, mid, hi = curve.segments
    assert lo > 0.6 and hi > 0.6 and abs(mid) < 0.15
    shift, slope_change = curve.moderator_effects["switch"]
    assert abs(shift - 0.8) < 0.2 and abs(slope_change) < 0.05
    p_hi, p_lo = curve.predict(5.0, switch=1.0), curve.predict(5.0, switch=-1.0)
    assert p_hi[0] > p_lo[0]


def _step_world(n=20_000, seed=3, levels=(0.45, 0.15, 0.03), cuts=(0.15, 0.85)):
    """Planted step world (BT's numbers, CRM article collection (source 3), line 653): satisfaction
    s ~ N(5, 2); P(defect) = 0.45 below the 15th percentile of s, 0.15 in the middle, 0.03 above the 85th."""
    rng = np.random.default_rng(seed)
    s = rng.normal(5.0, 2.0, n)
    k1, k2 = stats.norm.ppf(cuts, loc=5.0, scale=2.0)
    p = np.select([s <= k1, s <= k2], levels[:2], levels[2])
    return pd.DataFrame({"sat": s, "defect": (rng.random(n) < p).astype(int)})


def test_step_curve_recovers_planted_cuts_and_levels():
    """Planted truth (_step_world): the step curve puts its thresholds within 2 percentile points of 15% and
    85% and its three levels within 0.04 of 0.45, 0.15, 0.03 (seeds 1-8 of this world all fall inside; the
    largest gap, 0.032, is the bottom level diluted by the threshold grid's resolution). Closed form: with
    one dummy per step the maximum-likelihood level of each segment is the segment's observed defection rate,
    so expit(segments) equals the rates recounted between the fitted thresholds (to the solver's tolerance,
    1e-3)."""
    from scipy.special import expit

    df = _step_world()
    curve = L.fit_satisfaction_curve(df, "sat", "defect", shape="step")
    assert curve.shape == "step"
    pct = [float((df["sat"] <= k).mean()) for k in curve.thresholds]
    assert abs(pct[0] - 0.15) < 0.02 and abs(pct[1] - 0.85) < 0.02
    assert np.allclose(expit(np.array(curve.segments)), [0.45, 0.15, 0.03], atol=0.04)
    k1, k2 = curve.thresholds
    band = np.select([df["sat"] <= k1, df["sat"] <= k2], [0, 1], 2)
    observed = df["defect"].groupby(band).mean().to_numpy()
    assert np.allclose(expit(np.array(curve.segments)), observed, atol=1e-3)
    assert curve.predict([k1 - 1e-6, k1 + 1e-6, k2 + 1e-6]) == pytest.approx(observed, abs=1e-3)


def test_curve_flat_middle_shows_bt_shape_in_deciles():
    """Decile rates (independent of the fit): steep rise in the bottom and top deciles, flat middle."""
    df = _bt_world(shift=0.0)
    t = L.rate_by_decile(df, "sat", "loyal")
    assert len(t) == 10
    middle = t["rate"].iloc[2:8]
    assert middle.max() - middle.min() < 0.08
    assert t["rate"].iloc[0] < middle.min() - 0.1 and t["rate"].iloc[-1] > middle.max() + 0.1


def test_rate_by_decile_matches_loop():
    """Bin rates vs a plain loop over sorted chunks of equal size (distinct satisfaction values)."""
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"sat": rng.permutation(100).astype(float), "churn": rng.integers(0, 2, 100)})
    got = L.rate_by_decile(df, "sat", "churn")
    ordered = df.sort_values("sat")["churn"].tolist()
    expected = [sum(ordered[10 * i:10 * i + 10]) / 10 for i in range(10)]
    assert np.allclose(got["rate"], expected)
    assert got["n"].tolist() == [10] * 10


def test_curve_rejects_bad_input():
    df = _bt_world(n=500)
    with pytest.raises(ValueError, match="outcome_col"):
        L.fit_satisfaction_curve(df.assign(loyal=df["loyal"] * 2), "sat", "loyal")
    with pytest.raises(ValueError, match="moderators"):
        L.fit_satisfaction_curve(df, "sat", "loyal", moderators=["nope"])
    with pytest.raises(ValueError, match="satisfaction_col"):
        L.fit_satisfaction_curve(df, "nope", "loyal")
    with pytest.raises(ValueError, match="only one value"):
        L.fit_satisfaction_curve(df.assign(loyal=1), "sat", "loyal")
    with pytest.raises(ValueError, match="min_share"):
        L.fit_satisfaction_curve(df, "sat", "loyal", min_share=0.5)
    with pytest.raises(ValueError, match="shape"):
        L.fit_satisfaction_curve(df, "sat", "loyal", shape="spline")
    curve = L.fit_satisfaction_curve(df, "sat", "loyal", grid_size=4)
    with pytest.raises(ValueError, match="unknown moderator"):
        curve.predict(5.0, price=1.0)


# ----------------------------------------------------------------------------------- loyalty types
def test_loyalty_grid_hand_cases():
    got = L.loyalty_grid([0.5, 0.9, 0.1, 0.1], [0.5, 0.1, 0.9, 0.49])
    assert got.tolist() == ["loyal", "latent", "spurious", "none"]  # a value equal to the cut counts as high
    with pytest.raises(ValueError, match="same length"):
        L.loyalty_grid([0.1], [0.1, 0.2])
    with pytest.raises(TypeError, match="attitude_cut"):
        L.loyalty_grid([0.1], [0.2], attitude_cut="high")


def _planted_types(n=4000, seed=9):
    """Planted truth: each customer's loyalty type drives noisy features (beta-distributed scores)."""
    rng = np.random.default_rng(seed)
    kinds = np.array(L.LOYALTY_TYPES + ("not loyal",))
    truth = rng.choice(kinds, size=n, p=[0.1, 0.25, 0.2, 0.15, 0.2, 0.1])

    def score(high):
        return np.where(high, rng.beta(8, 2, n), rng.beta(2, 8, n))

    df = pd.DataFrame({
        "attitude": score(truth == "trust"),
        "repeat": score(truth != "not loyal"),
        "alternatives": np.where(truth == "monopoly", 0, rng.integers(1, 6, n)),
        "price_sensitivity": score(truth == "price"),
        "reward_dependence": score(truth == "incentive"),
    })
    return df, truth


def test_classifier_recovers_planted_types():
    """Planted truth of a synthetic draw: overall accuracy >= 0.9 and every type's recall >= 0.8."""
    df, truth = _planted_types()
    pred = L.classify_loyalty_types(df).astype(str).to_numpy()
    assert (pred == truth).mean() >= 0.9
    for kind in np.unique(truth):
        assert (pred[truth == kind] == kind).mean() >= 0.8, kind


def test_classifier_rule_order_hand_cases():
    """Hand cases for each rule, including precedence: attachment beats monopoly, rewards beat price."""
    df = pd.DataFrame({"attitude": [0.9, 0.1, 0.1, 0.1], "repeat": [0.9, 0.9, 0.9, 0.2],
                       "alternatives": [0, 2, 0, 0], "price_sensitivity": [0.9, 0.9, 0.9, 0.9],
                       "reward_dependence": [0.9, 0.9, 0.9, 0.9]})
    assert L.classify_loyalty_types(df).tolist() == ["trust", "incentive", "monopoly", "not loyal"]


def test_classifier_rejects_bad_input():
    df, _ = _planted_types(n=10)
    with pytest.raises(ValueError, match="alternatives_col"):
        L.classify_loyalty_types(df.drop(columns="alternatives"))
    with pytest.raises(ValueError, match="negative"):
        L.classify_loyalty_types(df.assign(alternatives=-1))
    with pytest.raises(TypeError, match="attitude"):
        L.classify_loyalty_types(df.assign(attitude="high"))


# ------------------------------------------------------------------------------------ Kotler levels
def test_kotler_grid_corners_and_errors():
    assert L.kotler_grid("many", "low") == "basic"
    assert L.kotler_grid("few", "high") == "partnership"
    assert L.kotler_grid("medium", "medium") == "accountable"
    with pytest.raises(ValueError, match="n_customers"):
        L.kotler_grid("lots", "low")
    with pytest.raises(ValueError, match="margin"):
        L.kotler_grid("few", "huge")


def test_relationship_values_hand_computed_and_monotone():
    """One value by hand, and (brute force over a margin grid) the chosen level never steps down as margin rises."""
    t = L.relationship_level_values([100.0], base_retention=0.6, discount=0.1, acquisition_cost=20)
    # partnership: cost 40, retention 0.78 -> (100 - 40) * 1.1 / (1.1 - 0.78) - 20
    assert t.loc[100.0, "partnership"] == pytest.approx(60 * 1.1 / 0.32 - 20)
    # by hand: basic 100 x 1.1 / 0.5 - 20 = 200; proactive (100 - 15) x 1.1 / 0.37 - 20 = 232.70 is the best
    assert t.loc[100.0, "basic"] == pytest.approx(200.0)
    assert t.loc[100.0, "proactive"] == pytest.approx(85 * 1.1 / 0.37 - 20)
    assert t.loc[100.0, "best"] == "proactive"
    poor = L.relationship_level_values([2.0], acquisition_cost=50)
    assert not poor["worth_acquiring"].item()  # 2 x 1.1 / 0.5 = 4.4 < 50: not worth attracting
    grid = L.relationship_level_values(np.linspace(1, 1000, 400))
    rank = grid["best"].map({k: i for i, k in enumerate(L.KOTLER_LEVELS)}).to_numpy()
    assert (np.diff(rank) >= 0).all()
    assert grid["best"].iloc[0] == "basic" and grid["best"].iloc[-1] == "partnership"
    with pytest.raises(ValueError, match="level_costs"):
        L.relationship_level_values([10.0], level_costs=[0, 1])
    with pytest.raises(ValueError, match="base_retention"):
        L.relationship_level_values([10.0], base_retention=1.2)


# --------------------------------------------------------------------------------------------- plots
def test_plots_render_without_warnings():
    import matplotlib.pyplot as plt

    df = _bt_world(n=3000)
    curve = L.fit_satisfaction_curve(df, "sat", "loyal", moderators=["switch"], grid_size=5)
    types_df, truth = _planted_types(n=300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        axes = [
            L.plot_satisfaction_index(L.satisfaction_index(np.linspace(5, 11, 60), 8.0)),
            L.plot_satisfaction_curve(df, curve, moderator_values={"switch": [-1.0, 1.0]}),
            L.plot_expectation_tradeoff(L.expectation_tradeoff(np.linspace(4, 10, 25))),
            L.plot_loyalty_grid(types_df["attitude"], types_df["repeat"], types=truth),
            L.plot_relationship_levels(L.relationship_level_values(np.linspace(1, 300, 30))),
        ]
        for ax in axes:
            ax.figure.canvas.draw()
    assert all(ax.get_title() for ax in axes)
    assert len(axes[0].patches) == 3 * 30 + 1  # stacked histogram (30 bins x 3 statuses) + tolerance band
    assert len(axes[1].lines) >= 3  # fitted curve + two moderator curves (+ threshold lines)
    plt.close("all")
    with pytest.raises(TypeError, match="curve"):
        L.plot_satisfaction_curve(df, "not a curve")
