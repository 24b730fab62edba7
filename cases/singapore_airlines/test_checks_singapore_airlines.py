"""Exercise checks of notebooks/singapore_airlines.ipynb.

For two seeds, the answers are computed the way the notebook's solutions compute them (pandas on the section 4
tables, crmlab.loyalty.classify_loyalty_types for the types) and every check must accept them; answers off by 20%
(or by one member) must be refused. The checks compute their expected values independently (bincount team means,
the trust rule written out), so a passing pair is two computations agreeing.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab import loyalty
from crmlab.checks import Checker, registered, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
CREW_ITEMS = ["q_engaged", "q_supported", "q_proud"]
FLIGHT_ITEMS = ["q_crew", "q_overall"]
ATT_ITEMS = ["att_attached", "att_first_choice", "att_recommend"]


def notebook_answers(world) -> dict:
    """The solutions of notebooks/singapore_airlines.ipynb, section 5, on the section 4 tables."""
    t = world.tables
    crew_scores = t["crew_survey"].assign(score=t["crew_survey"][CREW_ITEMS].mean(axis=1))
    flight_scores = t["flight_survey"].assign(score=t["flight_survey"][FLIGHT_ITEMS].mean(axis=1))
    team = pd.DataFrame({"crew_score": crew_scores.groupby("crew_team")["score"].mean(),
                         "passenger_score": flight_scores.groupby("crew_team")["score"].mean()})
    bt = t["member_survey"][["member_id", "sat_overall"]].merge(t["members"][["member_id", "retained"]], on="member_id")
    kept = bt.assign(kept=bt["retained"].astype(float))
    fl = t["flights"]
    by_route = (fl.groupby(["member_id", "route"], observed=True).size().rename("n").reset_index()
                .sort_values(["member_id", "n", "route"], ascending=[True, False, True]).drop_duplicates("member_id"))
    main_route = by_route.set_index("member_id")["route"].astype(str)
    behaviour = fl.groupby("member_id").agg(price_sensitivity=("fare_type", lambda f: float((f == "promo").mean())),
                                            reward_dependence=("double_miles", "mean"))
    feat = t["member_survey"].set_index("member_id").join(behaviour, how="inner")
    feat["attitude"] = (feat[ATT_ITEMS].mean(axis=1) - 1) / 4
    feat["repeat"] = feat["sow_reported"] / 100
    feat["alternatives"] = main_route.reindex(feat.index).map(
        t["routes"].set_index("route")["competitors"].rename(str)).astype(float)
    types = loyalty.classify_loyalty_types(feat, attitude_cut=0.6, repeat_cut=0.5, price_cut=0.5, reward_cut=0.4)
    cs = crew_scores.merge(t["crew"][["crew_id", "left_within_year"]], on="crew_id")
    return {"q1": float((t["members"]["tier"] != "KrisFlyer").mean()),
            "q2": float(team["crew_score"].corr(team["passenger_score"])),
            "q3": float(kept.loc[kept["sat_overall"] >= 9, "kept"].mean()
                        - kept.loc[kept["sat_overall"].between(5, 8), "kept"].mean()),
            "q4": int((types == "trust").sum()),
            "q5": float(cs.loc[cs["score"] < 3, "left_within_year"].mean()
                        - cs.loc[cs["score"] >= 3, "left_within_year"].mean())}


@pytest.fixture(scope="module", params=(42, 7))
def world(request):
    return crmlab.worlds.make("singapore_airlines", seed=request.param, n_customers=2000, n_crew_teams=60)


def test_solutions_pass_every_check(world):
    check = Checker("singapore_airlines", world)
    answers = notebook_answers(world)
    assert sorted(answers) == registered("singapore_airlines")
    assert answers["q4"] > 0
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world):
    """20% off (one member more for the count; +0.05 for the differences and the correlation) is refused."""
    check = Checker("singapore_airlines", world)
    for name, answer in notebook_answers(world).items():
        if name == "q4":
            wrong = answer + 1
        elif name == "q1":
            wrong = answer * 1.2
        else:
            wrong = answer + 0.05
        result = check(name, wrong)
        assert not result, f"{name}: {wrong} was accepted"
        assert "too high" in result.message or "not right" in result.message


def test_tier_answer_follows_the_students_thresholds():
    """The same answer is right in one world and wrong in a world with a higher silver threshold."""
    w1 = crmlab.worlds.make("singapore_airlines", seed=5, n_customers=1500, n_crew_teams=30)
    w2 = crmlab.worlds.make("singapore_airlines", seed=5, n_customers=1500, n_crew_teams=30, silver_threshold=40_000)
    a1 = notebook_answers(w1)["q1"]
    assert Checker("singapore_airlines", w1)("q1", a1)
    assert not Checker("singapore_airlines", w2)("q1", a1)


def test_checks_refuse_the_wrong_kind_of_answer(world):
    check = Checker("singapore_airlines", world)
    assert "whole number" in check("q4", 12.5).message
    assert "expected a number" in check("q2", "strong").message


def test_committed_notebook_strips_to_placeholders():
    nb = json.loads((ROOT / "notebooks" / "singapore_airlines.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    with_solution = [s for s in sources if "# BEGIN SOLUTION" in s]
    assert len(with_solution) == len(registered("singapore_airlines"))
    for s in with_solution:
        stripped = strip_solutions(s)
        assert "BEGIN SOLUTION" not in stripped and "= ...  # your answer" in stripped
