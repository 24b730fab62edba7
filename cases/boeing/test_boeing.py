"""Case ``boeing`` beyond the contract: the world (cases/boeing/world.py) gives back its planted truth by the
notebook's own methods — renewal rates by level (group means of the history), each airline's best level and
customer equity (simple retention CLV, crmlab.value.retention_clv), the topics that matter (frequency x severity /
cost) — and the checks judge against the student's own world.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.checks import Checker, solve
from crmlab.value import retention_clv
from crmlab.worlds import make

LEVELS = ["basic", "reactive", "accountable", "proactive", "partnership"]


def _rates(w):
    return w.tables["relationship_history"].groupby("level", observed=False)["renewed"].mean()


@pytest.mark.parametrize("seed", [42, 7])
def test_renewal_rates_by_level_recover_the_planted_probabilities(seed):
    """Planted truth: with 200 airlines x 20 years (800 account-years a level) each level's renewal rate is within
    ±0.05 (about 3 standard errors) of the planted probability, and the estimated rates rise with the level."""
    w = make("boeing", seed=seed, n_airlines=200, history_years=20)
    r = _rates(w)
    for lv in LEVELS:
        assert r[lv] == pytest.approx(w.truth["renewal"][lv], abs=0.05), lv
    assert (np.diff(r[LEVELS].to_numpy()) > 0).all()


@pytest.mark.parametrize("seed", [42, 7])
def test_chosen_levels_agree_with_the_planted_best_levels(seed):
    """Planted truth: the notebook's CLV choice with estimated rates picks the planted best level (computed with the
    planted probabilities, by the world's own formula) for >= 75% of airlines with a long history, and the planted
    best CLV equals retention_clv at the planted rates."""
    w = make("boeing", seed=seed, n_airlines=200, history_years=20)
    m = w.tables["airlines"]["annual_margin"].to_numpy()
    d = w.knobs["discount_rate"]
    r = _rates(w)
    clv = pd.DataFrame({lv: retention_clv(m - w.knobs[f"cost_{lv}"], r[lv], d) for lv in LEVELS})
    planted = w.truth["airlines"]
    assert (clv.idxmax(axis=1).to_numpy() == planted["best_level"].astype(str).to_numpy()).mean() >= 0.75
    planted_clv = np.max([retention_clv(m - w.knobs[f"cost_{lv}"], w.truth["renewal"][lv], d) for lv in LEVELS], axis=0)
    assert planted["best_clv"].to_numpy() == pytest.approx(planted_clv)
    assert w.truth["customer_equity"] == pytest.approx(planted_clv.sum())


def test_partnership_suits_the_large_airlines_and_concentration_raises_the_value_at_risk():
    """Planted truth, independent of estimation: airlines planted as partners have larger margins than those planted
    at basic/reactive, and the largest airline's share of customer equity grows with the `concentration` knob."""
    lo = make("boeing", seed=5, n_airlines=300, concentration=0.6)
    hi = make("boeing", seed=5, n_airlines=300, concentration=2.0)
    t = hi.truth["airlines"].join(hi.tables["airlines"].set_index("airline_id"))
    partners = t.loc[t["best_level"] == "partnership", "annual_margin"]
    low_levels = t.loc[t["best_level"].isin(["basic", "reactive"]), "annual_margin"]
    assert partners.min() > low_levels.max()
    assert hi.truth["largest_customer_share"] > lo.truth["largest_customer_share"]


@pytest.mark.parametrize("seed", [42, 7])
def test_frequency_severity_cost_score_finds_the_topics_that_matter(seed):
    """Planted truth: the top 8 topics by mentions x mean severity / cost share >= 6 with the planted top 8, more than
    the top 8 by mentions alone; the rare, severe, cheap instrument-indicator topic is on the short list."""
    w = make("boeing", seed=seed)
    s, tp = w.tables["suggestions"], w.tables["design_topics"].set_index("topic")
    log = tp.join(s.groupby("topic", observed=False)["severity"].agg(mentions="size", severity="mean"))
    log = log.fillna({"mentions": 0, "severity": 0.0})
    score = log["mentions"] * log["severity"] / log["cost_to_fix"]
    planted = set(w.truth["topics_that_matter"])
    short, frequent = set(score.nlargest(8).index), set(log["mentions"].nlargest(8).index)
    assert len(short & planted) >= 6 > len(frequent & planted) - 1
    assert "instrument indicator position" in short and "instrument indicator position" not in frequent


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q3 count right at the default partnership cost is wrong
    in a world where partnership costs three times as much (recounted by the notebook's solution)."""
    w1 = make("boeing", seed=42)
    w2 = make("boeing", seed=42, cost_partnership=18.0)
    a1, a2 = solve("boeing", w1)["q3"], solve("boeing", w2)["q3"]
    assert a2 < a1
    assert Checker("boeing", w1)("q3", a1) and Checker("boeing", w2)("q3", a2)
    assert not Checker("boeing", w2)("q3", a1)
