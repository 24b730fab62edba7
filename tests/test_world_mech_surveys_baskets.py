"""Tests of the shared mechanics mech.surveys, mech.baskets and mech.visits.

Each generator is checked against an independent reference: closed-form expectations (ordered-probit
category probabilities, Poisson means, the planted support/confidence/lift), a rule miner (FP-growth via
crmlab.basket, i.e. mlxtend), or a brute-force recount of the drawn data.
"""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from crmlab.basket import association_rules
from crmlab.worlds.mech.baskets import PlantedRule, baskets_long, draw_baskets, expected_rules
from crmlab.worlds.mech.surveys import SurveyItem, draw_survey, expected_item_mean, link_latent
from crmlab.worlds.mech.visits import merge_visits, poisson_visits

ITEMS = ["bread", "butter", "jam", "tea", "milk", "eggs", "beer", "crisps"]
RULES = [PlantedRule(("bread", "butter"), ("jam",), 0.06, 0.5), PlantedRule(("beer",), ("crisps",), 0.1, 0.4)]


def _probs():
    # Two kinds of basket with different background tastes; rule items kept rare in both.
    return np.array([[0.02, 0.05, 0.03, 0.3, 0.5, 0.2, 0.04, 0.08],
                     [0.03, 0.04, 0.05, 0.1, 0.2, 0.4, 0.02, 0.05]])


# ---------------------------------------------------------------- baskets

def test_planted_rules_match_fpgrowth_mined_rules():
    """Rules mined by FP-growth (mlxtend) reproduce the closed-form support, confidence and lift."""
    rng = np.random.default_rng(3)
    probs = _probs()
    n = 60_000
    kind = rng.integers(0, 2, n)
    m = draw_baskets(rng, probs[kind], items=ITEMS, rules=RULES)
    truth = expected_rules(probs, items=ITEMS, rules=RULES, weights=np.bincount(kind))
    mined = association_rules(baskets_long(m, ITEMS), min_support=0.01, min_confidence=0.3)
    for row in truth.itertuples():
        hit = mined[(mined["antecedents"] == row.antecedents) & (mined["consequents"] == row.consequents)]
        assert len(hit) == 1, f"planted rule {row.antecedents} -> {row.consequents} not mined"
        assert hit["confidence"].iloc[0] == pytest.approx(row.confidence, abs=0.02)
        assert hit["support"].iloc[0] == pytest.approx(row.support, abs=0.003)
        assert hit["antecedent_support"].iloc[0] == pytest.approx(row.antecedent_support, abs=0.003)
        assert hit["lift"].iloc[0] == pytest.approx(row.lift, rel=0.08)
    # No strong rule among background items: every mined rule with lift > 1.5 predicts items of a planted
    # rule from (at least partly) items of the same rule; extra antecedent items are harmless passengers.
    planted_sets = [set(r.items) for r in RULES]
    for row in mined[mined["lift"] > 1.5].itertuples():
        assert any(set(row.consequents) <= s and set(row.antecedents) & s for s in planted_sets), \
            f"spurious rule {row.antecedents} -> {row.consequents}"


def test_background_items_are_independent_and_marginals_hold():
    """Items outside the rules keep their planted marginal (plus the closed-form share of the empty-basket fix)
    and pairwise lift ≈ 1 (brute-force count)."""
    rng = np.random.default_rng(4)
    p = _probs()[0]
    m = draw_baskets(rng, p, items=ITEMS, rules=RULES, n_baskets=80_000)
    free = [ITEMS.index(i) for i in ("tea", "milk", "eggs")]
    # P(empty before the fix) = Π_rules P(no item of the rule) × Π_free (1 − p)
    p_empty = np.prod(1 - p[free])
    for r in RULES:
        pa = p[[ITEMS.index(i) for i in r.antecedent]]
        pc = p[[ITEMS.index(i) for i in r.consequent]]
        put = (r.antecedent_support - pa.prod()) / (1 - pa.prod())
        p_empty *= (1 - put) * np.prod(1 - pa) * np.prod(1 - pc)
    for j in free:
        expected = p[j] + p_empty * p[j] / p[free].sum()
        assert m[:, j].mean() == pytest.approx(expected, abs=0.006)
    # Baskets holding a rule item were never touched by the fix: there free items are independent draws.
    held = m[m[:, [ITEMS.index(i) for r in RULES for i in r.items]].any(axis=1)]
    for a in free:
        assert held[:, a].mean() == pytest.approx(p[a], abs=0.012)
        for b in free:
            if a < b:
                lift = (held[:, a] & held[:, b]).mean() / (held[:, a].mean() * held[:, b].mean())
                assert lift == pytest.approx(1.0, abs=0.06)


def test_every_basket_holds_an_item_and_long_form_round_trips():
    """No empty baskets; baskets_long lists exactly the True cells (recount with a crosstab)."""
    rng = np.random.default_rng(5)
    m = draw_baskets(rng, np.full(len(ITEMS), 0.03), items=ITEMS, rules=[], n_baskets=5_000)
    assert m.any(axis=1).all()
    long = baskets_long(m, ITEMS, basket_ids=np.arange(100, 100 + 21 * 5_000, 21))
    back = pd.crosstab(long["basket_id"], long["item"]).reindex(columns=ITEMS, fill_value=0)
    assert len(long) == m.sum()
    assert (back.to_numpy() > 0).tolist() == m[m.any(axis=1)].tolist()


def test_basket_draw_is_deterministic():
    """Same seed, same baskets; another seed, other baskets."""
    a = draw_baskets(np.random.default_rng(1), _probs()[0], items=ITEMS, rules=RULES, n_baskets=2_000)
    b = draw_baskets(np.random.default_rng(1), _probs()[0], items=ITEMS, rules=RULES, n_baskets=2_000)
    c = draw_baskets(np.random.default_rng(2), _probs()[0], items=ITEMS, rules=RULES, n_baskets=2_000)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("rules, kwargs, match", [
    ([PlantedRule(("bread",), ("jam",), 0.1, 0.5), PlantedRule(("jam",), ("tea",), 0.1, 0.5)], {}, "disjoint"),
    ([PlantedRule(("tea",), ("jam",), 0.1, 0.5)], {}, "antecedent_support"),
    ([PlantedRule(("bread",), ("milk",), 0.1, 0.3)], {}, "confidence"),
    ([PlantedRule(("bread",), ("caviar",), 0.1, 0.5)], {}, "catalogue"),
    ([], {"n_baskets": None}, "n_baskets"),
])
def test_basket_errors_name_the_problem(rules, kwargs, match):
    kw = {"n_baskets": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        draw_baskets(np.random.default_rng(0), _probs()[0], items=ITEMS, rules=rules, **kw)


def test_bad_rule_and_probability_inputs():
    with pytest.raises(TypeError, match="antecedent"):
        PlantedRule("bread", ("jam",), 0.1, 0.5)
    with pytest.raises(ValueError, match="confidence"):
        PlantedRule(("bread",), ("jam",), 0.1, 1.5)
    with pytest.raises(ValueError, match="item_probs"):
        draw_baskets(np.random.default_rng(0), np.full(3, 0.1), items=ITEMS, n_baskets=5)
    with pytest.raises(ValueError, match="weights"):
        expected_rules(_probs(), items=ITEMS, rules=RULES, weights=[1.0])


# ---------------------------------------------------------------- surveys

def test_item_means_match_the_ordered_probit_closed_form():
    """Mean answers of a large draw equal Σ_k P(value > cut_k) for several loadings and shifts."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal(200_000)
    items = [SurveyItem("a", 0.9), SurveyItem("b", 0.5), SurveyItem("nps", 0.8, n_points=11, first=0)]
    for shift in (0.0, 0.6):
        s = draw_survey(rng, x, items, shift=shift, noise_sd=0.5)
        for item in items:
            expected = expected_item_mean(item, noise_sd=0.5, shift=shift)
            assert s.responses[item.name].mean() == pytest.approx(expected, abs=0.02)
        assert s.responses["nps"].between(0, 10).all() and s.responses["a"].between(1, 5).all()


def test_category_shares_match_normal_probabilities():
    """With loading 1 and no noise the answer is the latent cut at the default cut-points: shares are Φ-differences."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(200_000)
    s = draw_survey(rng, x, [SurveyItem("q", 1.0, n_points=4)], noise_sd=0.0)
    shares = s.responses["q"].value_counts(normalize=True).sort_index().to_numpy()
    assert shares == pytest.approx(np.full(4, 0.25), abs=0.005)   # default cut-points are the quartiles
    assert np.array_equal(s.responses["q"].to_numpy(), np.searchsorted(norm.ppf([0.25, 0.5, 0.75]), x) + 1)


def test_higher_loading_tracks_the_latent_more_closely():
    """Correlation of an item with the latent rises with its loading (the measurement model's ordering)."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal(50_000)
    loadings = [0.3, 0.6, 0.9]
    s = draw_survey(rng, x, [SurveyItem(f"q{i}", lam) for i, lam in enumerate(loadings)])
    r = [np.corrcoef(s.responses[f"q{i}"], x)[0, 1] for i in range(3)]
    assert r[0] < r[1] < r[2]
    assert r[2] == pytest.approx(0.9 * np.sqrt(1 / 1.25) * 0.97, abs=0.05)  # ≈ λ·(latent share)·(coarsening)


def test_nonresponse_follows_the_planted_probability():
    """Response share equals the mean planted probability; with a positive slope respondents are more satisfied."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal(100_000)
    flat = draw_survey(rng, x, [SurveyItem("q", 0.8)], response_rate=0.3, ids=np.arange(x.size))
    assert flat.responded.mean() == pytest.approx(0.3, abs=0.006)
    assert list(flat.responses.columns) == ["id", "q"]
    assert np.array_equal(flat.responses["id"].to_numpy(), np.flatnonzero(flat.responded))
    tilted = draw_survey(rng, x, [SurveyItem("q", 0.8)], response_rate=0.3, response_slope=1.0)
    assert tilted.responded.mean() == pytest.approx(tilted.response_prob.mean(), abs=0.006)
    expected_mean = (tilted.response_prob * x).sum() / tilted.response_prob.sum()
    assert x[tilted.responded].mean() == pytest.approx(expected_mean, abs=0.02)
    assert expected_mean > 0.3


def test_link_latent_is_standardised_with_the_planted_correlation():
    rng = np.random.default_rng(10)
    x = rng.standard_normal(200_000)
    for effect in (-0.5, 0.0, 0.7):
        y = link_latent(rng, x, effect)
        assert y.std() == pytest.approx(1.0, abs=0.01)
        assert np.corrcoef(x, y)[0, 1] == pytest.approx(effect, abs=0.01)


def test_survey_errors_name_the_argument():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="loading"):
        SurveyItem("q", 1.2)
    with pytest.raises(ValueError, match="distinct"):
        draw_survey(rng, [0.0, 1.0], [SurveyItem("q", 0.5), SurveyItem("q", 0.6)])
    with pytest.raises(ValueError, match="response_slope"):
        draw_survey(rng, [0.0, 1.0], [SurveyItem("q", 0.5)], response_slope=1.0)
    with pytest.raises(ValueError, match="latent"):
        draw_survey(rng, [0.0, np.nan], [SurveyItem("q", 0.5)])
    with pytest.raises(ValueError, match="effect"):
        link_latent(rng, [0.0], 1.5)


# ---------------------------------------------------------------- visits

def test_poisson_visits_counts_and_windows():
    """Mean count = rate × open time after each entity's start; no visit outside the windows or before start."""
    rng = np.random.default_rng(11)
    n = 50_000
    rate = np.where(np.arange(n) % 2 == 0, 0.5, 2.0)
    start = np.where(np.arange(n) % 3 == 0, 2.0, 0.0)
    windows = [(0.0, 4.0), (10.0, 12.0)]
    who, when = poisson_visits(rng, rate, windows, start=start)
    counts = np.bincount(who, minlength=n)
    open_time = np.where(start == 2.0, 4.0, 6.0)
    for r in (0.5, 2.0):
        for t in (4.0, 6.0):
            sel = (rate == r) & (open_time == t)
            assert counts[sel].mean() == pytest.approx(r * t, rel=0.03)
    inside = ((when >= 0) & (when < 4)) | ((when >= 10) & (when < 12))
    assert inside.all() and (when >= start[who]).all()
    assert np.all(np.diff(who) >= 0) and np.all(np.diff(when)[np.diff(who) == 0] >= 0)


def test_merge_visits_matches_python_sort():
    """Merged logs equal a brute-force sort of the (entity, time) pairs."""
    rng = np.random.default_rng(12)
    a = poisson_visits(rng, np.full(50, 1.0), [(0.0, 3.0)])
    b = poisson_visits(rng, np.full(50, 2.0), [(3.0, 5.0)])
    who, when = merge_visits(a, b)
    pairs = sorted(zip(np.concatenate((a[0], b[0])).tolist(), np.concatenate((a[1], b[1])).tolist()))
    assert list(zip(who.tolist(), when.tolist())) == pairs
    with pytest.raises(ValueError, match="log 0"):
        merge_visits((np.arange(3), np.zeros(2)))


def test_poisson_visits_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="windows"):
        poisson_visits(rng, [1.0], [(0.0, 5.0), (3.0, 8.0)])
    with pytest.raises(ValueError, match="rate"):
        poisson_visits(rng, [-1.0], [(0.0, 5.0)])
    with pytest.raises(ValueError, match="start"):
        poisson_visits(rng, [1.0, 1.0], [(0.0, 5.0)], start=[0.0])
