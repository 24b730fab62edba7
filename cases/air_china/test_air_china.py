"""Case ``air_china`` beyond the contract: the world (cases/air_china/world.py) gives back its planted truth — the
true VIPs (the notebook's multi-signal score finds more of them than any single signal), the cards (earned on the
declared thresholds), the migration (it grows with the year-to-year noise) and the retention effect of the VIP
service (the randomised pilot recovers it) — and the checks of cases/air_china/checks.py judge against the
student's own world.
"""
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_val_predict

from crmlab import churn
from crmlab.checks import Checker, solve
from crmlab.worlds import make

TIERS = ["ordinary", "silver", "gold", "platinum"]


def _top(values, k):
    chosen = np.zeros(len(values), dtype=bool)
    chosen[np.argsort(-np.asarray(values, dtype=float), kind="stable")[:k]] = True
    return chosen


def _precisions(w):
    """Precision against the planted true VIPs of the notebook's rules (section 4.3 and 7)."""
    m = w.tables["members"]
    signals = pd.DataFrame({"revenue_y1": m["revenue_y1"], "arranged_revenue_y1": m["arranged_revenue_y1"],
                            "segments_y1": m["segments_y1"], "premium_segments_y1": m["premium_segments_y1"],
                            **{f"card_y1_{t}": (m["tier_y1"] == t).astype(float) for t in TIERS[1:]}})
    score = cross_val_predict(LinearRegression(), signals, m["revenue_y2"] + m["arranged_revenue_y2"], cv=5)
    k = w.truth["n_vip"]
    true_vip = w.truth["members"]["true_vip"].reindex(m["member_id"]).to_numpy()
    rules = {"segments": _top(m["segments_y1"], k), "revenue": _top(m["revenue_y1"], k), "score": _top(score, k)}
    return {name: (r & true_vip).sum() / r.sum() for name, r in rules.items()}


@pytest.mark.parametrize("seed", [42, 7])
def test_multi_signal_score_finds_more_true_vips_than_any_single_signal(seed):
    """Planted truth: the cross-validated regression score's precision against the planted true VIPs exceeds that of
    the best single signal (segments or own revenue) by at least 8 points, and is at least 0.7 at the defaults."""
    p = _precisions(make("air_china", seed=seed))
    assert p["score"] >= 0.7
    assert p["score"] - max(p["segments"], p["revenue"]) >= 0.08


def test_cards_follow_the_declared_thresholds_and_true_value_its_formula():
    """Independent recount: the card of year 2 is the one year-1 segments earn against the knobs' thresholds; the
    planted value is margin x (trips x 1200 x (1 + 2.5 premium) + arranged), and the true VIPs are its top n_vip."""
    w = make("air_china", seed=11, n_customers=6000, gold_segments=30, platinum_segments=70, margin=0.25)
    m, t = w.tables["members"], w.truth["members"]
    s = m["segments_y1"].to_numpy()
    expected = np.select([s >= 70, s >= 30, s >= 10], ["platinum", "gold", "silver"], "ordinary")
    assert (m["tier_y2"].astype(str).to_numpy() == expected).all()
    value = 0.25 * (t["trips"] * 1200 * (1 + 2.5 * t["premium"]) + t["arranged"])
    assert np.allclose(value, t["value"])
    assert set(t.index[t["true_vip"]]) == set(value.nlargest(w.truth["n_vip"]).index)
    assert not m.loc[~m["tier_y2"].isin(TIERS[1:]), "pilot"].any()


def test_migration_grows_with_the_year_to_year_noise():
    """Planted mechanism: with a calmer year (signal_noise 0.1) more gold and platinum members keep their card than
    with a stormy one (0.9), by at least 10 points each."""
    def stay(noise):
        m = make("air_china", seed=5, signal_noise=noise).tables["members"]
        moves = pd.crosstab(m["tier_y1"], m["tier_y2"], normalize="index")
        return moves.loc["gold", "gold"], moves.loc["platinum", "platinum"]

    calm, stormy = stay(0.1), stay(0.9)
    assert calm[0] - stormy[0] >= 0.10 and calm[1] - stormy[1] >= 0.10


def test_pilot_recovers_the_planted_retention_uplift():
    """Planted truth: in a large world the pilot's uplift per elite tier (crmlab.churn.campaign_uplift, as in the
    notebook) lies within 0.03 of the planted mean uplift, and its 95% interval contains it."""
    w = make("air_china", seed=3, n_customers=200_000)
    m = w.tables["members"]
    elite = m[m["tier_y2"] != "ordinary"].assign(tier=lambda d: d["tier_y2"].astype(str))
    found = churn.campaign_uplift(elite, treatment_col="pilot", response_col="active_y2",
                                  segment_col="tier").set_index("segment")
    for tier in TIERS[1:]:
        planted = w.truth["uplift"][tier]
        assert found.loc[tier, "uplift"] == pytest.approx(planted, abs=0.03), tier
        assert found.loc[tier, "ci_low"] <= planted <= found.loc[tier, "ci_high"], tier


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q4 net value right in one world is wrong in a world whose
    gold service costs 500 CNY more (recomputed by the notebook's solution)."""
    w1 = make("air_china", seed=1, n_customers=8000)
    w2 = make("air_china", seed=1, n_customers=8000, service_cost_gold=1500.0)
    a1, a2 = solve("air_china", w1)["q4"], solve("air_china", w2)["q4"]
    assert a1 - a2 == pytest.approx(500.0)
    assert Checker("air_china", w1)("q4", a1) and Checker("air_china", w2)("q4", a2)
    assert not Checker("air_china", w2)("q4", a1)


def test_missed_vip_check_accepts_a_quantile_cut_off():
    """Brute-force recount on the default world: the top members taken by a value quantile (which may keep one member
    more or less than round(vip_share x n)) are accepted; ranking by own revenue alone is not."""
    w = make("air_china", seed=42)
    m = w.tables["members"]
    value = m["revenue_y1"] + m["arranged_revenue_y1"]
    check = Checker("air_china", w)
    by_quantile = int(((value >= value.quantile(1 - w.knobs["vip_share"])) & (m["tier_y2"] == "ordinary")).sum())
    assert check("q5", by_quantile)
    own = _top(m["revenue_y1"], round(w.knobs["vip_share"] * len(m)))
    assert not check("q5", int((own & (m["tier_y2"] == "ordinary").to_numpy()).sum()))
