"""Case ``beijing_post`` beyond the contract: the world (cases/beijing_post/world.py) gives back its planted truth by
the notebook's own methods — the rollout plan, the lift at each month since go-live (event study against branches
not yet live), the absence of any difference before go-live, the noise of a branch's six-month change and the pilot
size it implies — while the before/after comparison does not; and the checks of cases/beijing_post/checks.py judge
against the student's own world.
"""
import numpy as np
import pytest

from crmlab._casemodules import load_case_module
from crmlab.checks import Checker, solve
from crmlab.worlds import make

ck = load_case_module("beijing_post", "checks")


def _panel(world):
    b, m = world.tables["branches"], world.tables["monthly"]
    Y = m.pivot(index="branch_id", columns="month", values="revenue").reindex(b["branch_id"])
    return b, Y, b["crm_month"].fillna(np.inf).to_numpy()


@pytest.fixture(scope="module", params=[42, 7])
def big(request):
    return make("beijing_post", seed=request.param, n_branches=900, n_pilot=120, n_months=48)


def test_rollout_follows_the_planted_plan():
    """Planted truth: wave sizes (pilot = n_pilot, the rest split evenly over the later waves and wave 0), go-live
    months 12 + (w - 1) x gap, and crm_live in the monthly table exactly from the go-live month on."""
    w = make("beijing_post", seed=5, n_branches=61, n_pilot=9, n_waves=4, n_months=42)
    b, m = w.tables["branches"], w.tables["monthly"]
    sizes = b["wave"].value_counts().to_dict()
    assert sizes[1] == 9 and sorted(sizes[k] for k in (0, 2, 3, 4)) == [13, 13, 13, 13]
    gap = (42 - 12) // 5
    for wave, month in w.truth["wave_months"].items():
        assert month == 12 + (wave - 1) * gap
        assert (b.loc[b["wave"] == wave, "crm_month"] == month).all()
    assert b.loc[b["wave"] == 0, "crm_month"].isna().all()
    live = m.merge(b[["branch_id", "crm_month"]], on="branch_id")
    assert (live["crm_live"] == (live["month"] >= live["crm_month"])).all()


def test_event_study_recovers_the_planted_lift_and_finds_nothing_before_go_live(big):
    """Planted truth, by the notebook's event study (checks.event_study, the same code): on a large world the
    estimate at each month 0-17 since go-live is within 0.015 of the planted lift, the first-year average within
    0.006, and the estimates before the base months average within 0.006 of zero."""
    _, Y, go = _panel(big)
    times = np.arange(-12, 18)
    es = ck.event_study(Y, go, np.ones((1, len(go))), times)[0]
    planted = np.array([big.truth["lift_by_event_time"].get(int(e), 0.0) if e >= 0 else 0.0 for e in times])
    post = times >= 0
    assert np.abs(es[post] - planted[post]).max() < 0.015
    assert abs(es[(times >= 0) & (times < 12)].mean() - planted[(times >= 0) & (times < 12)].mean()) < 0.006
    assert abs(es[times < -6].mean()) < 0.006


def test_before_after_carries_the_trend_but_the_difference_in_differences_does_not():
    """Planted truth: with a steep trend (3% a month) the pilot's half-year before/after change exceeds the planted
    window lift by more than 10 points, while the difference in differences (Q2's solution) stays within 0.02 of it."""
    w = make("beijing_post", seed=11, n_branches=600, n_pilot=150, trend=0.03)
    a = solve("beijing_post", w)
    assert a["q1"] - w.truth["window_lift"] > 0.10
    assert a["q2"] == pytest.approx(w.truth["window_lift"], abs=0.02)


def test_noise_and_pilot_size_recover_the_planted_values(big):
    """Planted truth: the sd of the branches' pre-pilot six-month changes (the notebook's pool) is within 10% of the
    planted change_sd, and the simulated pilot size for a 3% win (Q4's solution) within 20% of the planted
    normal-approximation size."""
    _, Y, _ = _panel(big)
    change = np.log(Y.loc[:, 6:11].mean(axis=1)) - np.log(Y.loc[:, 0:5].mean(axis=1))
    assert change.std() == pytest.approx(big.truth["change_sd"], rel=0.10)
    assert solve("beijing_post", big)["q4"] == pytest.approx(big.truth["required_n_3pct"], rel=0.20)


def test_world_refuses_a_pilot_that_leaves_no_branch_for_the_later_waves():
    """n_pilot + n_waves > n_branches would leave a wave empty: refused, naming the knobs."""
    with pytest.raises(ValueError, match="'n_pilot'.*'n_waves'.*'n_branches'"):
        make("beijing_post", n_branches=10, n_pilot=8, n_waves=3)


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: Q3's answer in one world is wrong in a world with another
    planted effect (recomputed by the notebook's solution), and each world's own answer is right there."""
    w1 = make("beijing_post", seed=3)
    w2 = make("beijing_post", seed=3, true_effect=0.15)
    a1, a2 = solve("beijing_post", w1)["q3"], solve("beijing_post", w2)["q3"]
    assert a2 > a1
    assert Checker("beijing_post", w1)("q3", a1) and Checker("beijing_post", w2)("q3", a2)
    assert not Checker("beijing_post", w2)("q3", a1)
