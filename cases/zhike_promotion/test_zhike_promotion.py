"""Case ``zhike_promotion`` beyond the contract: the world (cases/zhike_promotion/world.py) gives back its planted
truth by the notebook's method — the control groups' pre/post change recovers the planted drift of each class, the
ratio-of-ratios difference in differences (``crmlab.effects.did_ratio``) recovers the planted effect of each lever
in each class, the pre/post change of a treated group recovers drift and effect together (so it is biased by the
drift) — and the checks of cases/zhike_promotion/checks.py judge against the student's own world.
"""
import numpy as np
import pytest

from crmlab.checks import Checker, solve
from crmlab.effects import did_ratio, did_ratio_bootstrap
from crmlab.worlds import make

LEVERS = [("A", "price_cut"), ("A", "fast_delivery"), ("B", "price_cut"), ("B", "fast_delivery")]


def _panel(world):
    """The notebook's panel: customers with their two answers, those who answered both (section 4.1)."""
    customers, surveys = world.tables["customers"], world.tables["surveys"]
    wide = surveys.pivot(index="customer_id", columns="wave", values="satisfaction")
    panel = customers.assign(pre=customers["customer_id"].map(wide["pre"]),
                             feedback=customers["customer_id"].map(wide["feedback"]))
    return panel.dropna(subset=["pre", "feedback"])


def _did(panel, c, arm):
    part = panel[(panel["customer_class"] == c) & panel["arm"].isin([arm, "control"])]
    return part, did_ratio(part["pre"], part["feedback"], part["arm"] == arm)


@pytest.fixture(scope="module")
def big():
    return make("zhike_promotion", seed=3, n_customers=40_000)


def test_did_recovers_each_planted_effect_and_prepost_adds_the_drift(big):
    """Planted truth (truth['effects'], truth['drift'], truth['prepost_expected']) on 40,000 customers: the DiD of each
    lever within 0.015 of the planted effect (about 4 standard errors), the control groups' change within 0.01 of the
    planted drift, and each treated group's pre/post change within 0.015 of (1 + drift)(1 + effect) - 1."""
    panel, t = _panel(big), big.truth
    for c, arm in LEVERS:
        _, est = _did(panel, c, arm)
        assert est == pytest.approx(t["effects"][c][arm], abs=0.015), (c, arm)
        g = panel[(panel["customer_class"] == c) & (panel["arm"] == arm)]
        assert g["feedback"].mean() / g["pre"].mean() - 1 == pytest.approx(t["prepost_expected"][c][arm], abs=0.015)
    for c in ("A", "B"):
        g = panel[(panel["customer_class"] == c) & (panel["arm"] == "control")]
        assert g["feedback"].mean() / g["pre"].mean() - 1 == pytest.approx(t["drift"][c], abs=0.01), c


@pytest.mark.parametrize("seed", [42, 7])
def test_default_size_intervals_cover_the_planted_effects_of_the_two_claimed_levers(seed):
    """At the notebook's default size, the bootstrap 95% intervals of the two levers the vendor names (class A price
    cut, class B faster delivery) contain the planted effects and exclude zero, and the pre/post change overstates
    each by more than half the planted drift (the bias the notebook shows)."""
    w = make("zhike_promotion", seed=seed)
    panel, t = _panel(w), w.truth
    for c, arm in [("A", "price_cut"), ("B", "fast_delivery")]:
        part, _ = _did(panel, c, arm)
        res = did_ratio_bootstrap(part["pre"], part["feedback"], part["arm"] == arm, n_boot=1000, seed=seed)
        assert res.low <= t["effects"][c][arm] <= res.high and res.low > 0, (seed, c, arm)
        g = part[part["arm"] == arm]
        assert g["feedback"].mean() / g["pre"].mean() - 1 - res.estimate > 0.5 * t["drift"][c]


def test_without_drift_prepost_and_did_agree():
    """With trend = trend_gap_b = 0 (no drift planted) the pre/post change of the class-B delivery group and its DiD
    differ by no more than sampling noise (0.03), and both are near the planted effect: the bias of pre/post is the
    drift and nothing else."""
    w = make("zhike_promotion", seed=5, trend=0.0, trend_gap_b=0.0, n_customers=20_000)
    part, est = _did(_panel(w), "B", "fast_delivery")
    g = part[part["arm"] == "fast_delivery"]
    naive = g["feedback"].mean() / g["pre"].mean() - 1
    assert abs(naive - est) < 0.03 and est == pytest.approx(w.truth["effects"]["B"]["fast_delivery"], abs=0.02)


def test_packaging_share_and_feedback_response_follow_the_knobs(big):
    """Planted shares: the share answering yes to the packaging question within 0.01 of packaging_yes, and the share
    answering the feedback survey within 0.01 of feedback_response (missing at random)."""
    c = big.tables["customers"]
    assert (c["pay_more_packaging"] == "yes").mean() == pytest.approx(big.truth["packaging_yes"], abs=0.01)
    answered = big.truth["customers"]["answered_feedback"].mean()
    assert answered == pytest.approx(big.knobs["feedback_response"], abs=0.01)
    assert (big.tables["surveys"]["wave"] == "feedback").sum() == big.truth["customers"]["answered_feedback"].sum()


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q2 estimate right in one world is wrong in a world whose
    class-A price cut works twice as well (recomputed by the notebook's solution)."""
    w1 = make("zhike_promotion", seed=1, n_customers=900)
    w2 = make("zhike_promotion", seed=1, n_customers=900, effect_price_a=0.11)
    a1, a2 = solve("zhike_promotion", w1)["q2"], solve("zhike_promotion", w2)["q2"]
    assert a2 > a1
    assert Checker("zhike_promotion", w1)("q2", a1) and Checker("zhike_promotion", w2)("q2", a2)
    assert not Checker("zhike_promotion", w2)("q2", a1)


def test_sample_size_check_accepts_the_unrounded_formula_and_refuses_rounding_down():
    """Q5 accepts the formula's value unrounded or rounded up to whole customers, and refuses one customer fewer
    than the rounded-up value (at the default world, where about 45 are needed); recomputed with scipy's quantiles."""
    from scipy.stats import norm
    w = make("zhike_promotion", seed=42)
    p = _panel(w)
    ctrl = p[p["arm"] == "control"]
    n = 2 * (norm.ppf(0.975) + norm.ppf(0.8)) ** 2 * (ctrl["feedback"] - ctrl["pre"]).std() ** 2 / 25
    check = Checker("zhike_promotion", w)
    assert check("q5", float(n)) and check("q5", int(np.ceil(n)))
    assert not check("q5", int(np.ceil(n)) - 1)
