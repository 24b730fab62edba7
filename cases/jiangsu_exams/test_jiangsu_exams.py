"""Case ``jiangsu_exams`` beyond the contract: the world (cases/jiangsu_exams/world.py) gives back its planted truth
by the notebook's own methods — post-stratified dissatisfaction by stage against the whole register's planted
flags, the difference in differences against the planted notice effect, the pilot's uplifts against the planted
ones — and the greedy leaflet plan is the optimum a linear programme finds.
"""
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from crmlab import churn, effects
from crmlab.checks import Checker, solve
from crmlab.worlds import make

STAGES = ["registration", "payment", "tutoring", "exam", "textbooks"]
USERS = {"tutoring": "used_tutoring", "textbooks": "bought_textbooks"}


def _post_stratified(world, stage):
    """The notebook's section 7 estimate: share among each group's raters, weighted by the group's candidates
    who met the stage; with its standard error sqrt(sum W^2 p (1 - p) / n)."""
    reg, sv = world.tables["register"], world.tables["survey"]
    met = reg[reg[USERS[stage]]] if stage in USERS else reg
    size = met["group"].value_counts()
    rated = sv.dropna(subset=[stage])
    per = (rated[stage] <= 2).groupby(rated["group"], observed=True).agg(["mean", "size"])
    w = size.reindex(per.index) / size.reindex(per.index).sum()
    return float((w * per["mean"]).sum()), float(np.sqrt((w ** 2 * per["mean"] * (1 - per["mean"]) / per["size"]).sum()))


@pytest.mark.parametrize("seed", [42, 7])
def test_post_stratification_recovers_the_registers_dissatisfaction(seed):
    """Planted truth: with answering depending on the group only (complainer_response = 0), the weighted share of
    every stage lies within 3.5 standard errors of the share dissatisfied in the whole register (truth['stages'],
    counted from the per-candidate flags), while the respondents' raw share of registration is biased low."""
    w = make("jiangsu_exams", seed=seed, n_candidates=40000, survey_size=12000, complainer_response=0.0)
    planted = w.truth["stages"]
    flags = w.truth["candidates"]
    assert planted.loc["registration", "dissatisfied"] == int(flags["dissatisfied_registration"].sum())
    for stage in STAGES:
        est, se = _post_stratified(w, stage)
        assert abs(est - planted.loc[stage, "share"]) < 3.5 * se + 1e-9, stage
    raw = float((w.tables["survey"]["registration"].dropna() <= 2).mean())
    assert raw < planted.loc["registration", "share"] - 0.02


def test_weighting_cannot_repair_answer_dependent_non_response():
    """Planted truth: when dissatisfied candidates answer more readily (complainer_response = 1.5), the weighted share of
    every stage overstates the planted one."""
    w = make("jiangsu_exams", seed=3, n_candidates=40000, survey_size=12000, complainer_response=1.5)
    for stage in STAGES:
        assert _post_stratified(w, stage)[0] > w.truth["stages"].loc[stage, "share"], stage


def test_stage_rankings_differ_by_share_and_by_count():
    """Planted truth at the defaults: textbooks are the worst stage by share, registration by the number of candidates
    dissatisfied — the contrast section 4.2 teaches; the in-school groups make the source's 'nearly 60%'."""
    w = make("jiangsu_exams", seed=42)
    assert w.truth["worst_stage_by_share"] == "textbooks"
    assert w.truth["worst_stage_by_count"] == "registration"
    assert w.tables["register"]["in_school"].mean() == pytest.approx(0.59, abs=0.005)


@pytest.mark.parametrize("seed", [42, 11])
def test_difference_in_differences_recovers_the_notice_effect(seed):
    """Planted truth: crmlab.effects.did_ratio on the cities table equals the ratio of ratios counted by hand and is
    within 20% (on the ratio scale) of the planted notice factor; Lianyungang's row holds the source's figures, whose
    implied total is the planted one."""
    w = make("jiangsu_exams", seed=seed)
    c = w.tables["cities"]
    lyg = c[c["notice"]].iloc[0]
    assert str(lyg["city"]) == "Lianyungang" and lyg["teacher_after"] == 11916 and lyg["teacher_share_after_pct"] == 40.2
    assert round(11916 / 0.402) == w.truth["lianyungang_total"] == 29642
    did = effects.did_ratio(c["teacher_before"], c["teacher_after"], c["notice"])
    t = c["notice"].to_numpy()
    by_hand = (c["teacher_after"][t].sum() / c["teacher_before"][t].sum()) / (
        c["teacher_after"][~t].sum() / c["teacher_before"][~t].sum()) - 1
    assert did == pytest.approx(by_hand, rel=1e-12)
    assert (1 + did) == pytest.approx(w.truth["notice_effect"], rel=0.2)


def test_pilot_uplifts_and_the_greedy_plan():
    """Planted truth: the pilot's Newcombe intervals (crmlab.churn.campaign_uplift) hold at least 6 of the 7 planted
    uplifts; the greedy plan on the planted uplifts reaches the optimum of the same problem solved as a linear
    programme (scipy.optimize.linprog); the plan built on the pilot's estimates brings >= 85% of it, and the
    notebook's Q4 answer equals the linear programme's optimum on the pilot's estimates."""
    w = make("jiangsu_exams", seed=5, pilot_size=28000)
    lift = churn.campaign_uplift(w.tables["pilot"], treatment_col="leaflet", response_col="registered",
                                 segment_col="group").set_index("segment").drop(index="all")
    planted = pd.Series(w.truth["leaflet_uplift"])
    lift = lift.reindex(planted.index)
    assert ((lift["ci_low"] <= planted) & (planted <= lift["ci_high"])).sum() >= 6
    g = w.tables["groups"]
    cost, cap = g["cost_per_leaflet"].to_numpy(), g["prospects"].to_numpy(dtype=float)
    budget = w.knobs["leaflet_budget"]
    lp = linprog(-planted.to_numpy(), A_ub=[cost], b_ub=[budget], bounds=list(zip(np.zeros(7), cap)), method="highs")
    assert w.truth["best_registrations"] == pytest.approx(-lp.fun, rel=1e-9)
    pilot_value = np.clip(lift["uplift"].to_numpy(), 0.0, None)
    lp_pilot = linprog(-pilot_value, A_ub=[cost], b_ub=[budget], bounds=list(zip(np.zeros(7), cap)), method="highs")
    assert lp_pilot.x @ planted.to_numpy() >= 0.85 * w.truth["best_registrations"]
    # the notebook's Q4 answer is the pilot plan valued at the pilot's own estimates: the LP optimum of that problem
    assert solve("jiangsu_exams", w)["q4"] == pytest.approx(-lp_pilot.fun, rel=1e-6)


def test_checks_use_the_students_own_world():
    """The same Q4 answer is judged against each world: the plan's value changes with the budget (recounted by the
    notebook's solution), and the answer right for one budget is wrong for the other."""
    w1 = make("jiangsu_exams", seed=1, leaflet_budget=300000.0)
    w2 = make("jiangsu_exams", seed=1, leaflet_budget=100000.0)
    a1, a2 = solve("jiangsu_exams", w1)["q4"], solve("jiangsu_exams", w2)["q4"]
    assert a1 > a2
    assert Checker("jiangsu_exams", w1)("q4", a1) and Checker("jiangsu_exams", w2)("q4", a2)
    assert not Checker("jiangsu_exams", w2)("q4", a1)
