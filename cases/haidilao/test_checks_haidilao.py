"""Exercise checks of notebooks/haidilao.ipynb.

For two seeds, the answers are computed the way the notebook's solutions compute them (pandas on the section 4
store table, crmlab.casekit.group_mean_reliability and tier_table) and every check must accept them; answers off
by 20% must be refused. The checks compute their expected values independently (numpy bincount ANOVA, their own
store means), so a passing pair is two computations agreeing. The committed notebook's solutions must strip.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab import casekit
from crmlab.checks import Checker, registered, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
STAFF_ITEMS = ["q_fair", "q_proud", "q_growth", "q_workload"]
DINER_ITEMS = ["q_taste", "q_service", "q_environment", "q_value"]


def notebook_answers(world) -> dict:
    """The solutions of notebooks/haidilao.ipynb, section 5, on the section 4 tables."""
    t = world.tables
    staff_scores = t["staff_survey"].assign(score=t["staff_survey"][STAFF_ITEMS].mean(axis=1))
    diner_scores = t["diner_survey"].assign(score=t["diner_survey"][DINER_ITEMS].mean(axis=1))
    per_diner = t["visits"].groupby("diner_id").agg(visits=("visit_id", "size"), spend=("bill", "sum"))
    diner_frame = t["diners"].set_index("diner_id").join(per_diner)
    store = t["stores"].set_index("store_id")
    store["employee_satisfaction"] = staff_scores.groupby("store_id")["score"].mean()
    store["customer_satisfaction"] = diner_scores.groupby("store_id")["score"].mean()
    tiers = casekit.tier_table(diner_frame, "income_tier", value_cols=["visits", "spend"])
    return {"q1": float((t["diners"]["income_tier"] == "middle_high").mean()),
            "q2": float(store["employee_satisfaction"].corr(store["customer_satisfaction"])),
            "q3": float(casekit.group_mean_reliability(diner_scores, "score", "store_id")["reliability"]),
            "q4": float(store["seats"].corr(store["employee_satisfaction"])),
            "q5": float(tiers.loc["middle_high", "spend_per_customer"] / tiers.loc["middle_low", "spend_per_customer"])}


@pytest.fixture(scope="module", params=(42, 7))
def world(request):
    return crmlab.worlds.make("haidilao", seed=request.param, n_customers=6000, staff_per_store=40)


def test_solutions_pass_every_check(world):
    check = Checker("haidilao", world)
    answers = notebook_answers(world)
    assert sorted(answers) == registered("haidilao")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world):
    """Answers 20% off (or 0.1 off for the correlations, which can be near zero) are refused with a direction."""
    check = Checker("haidilao", world)
    for name, answer in notebook_answers(world).items():
        wrong = answer + 0.1 if name in ("q2", "q4") else answer * 1.2
        result = check(name, wrong)
        assert not result, f"{name}: {wrong} was accepted"
        assert "too high" in result.message


def test_q3_reliability_rises_with_the_response_rate():
    """Planted: more diner answers per store make the store means more reliable (Spearman-Brown)."""
    low = crmlab.worlds.make("haidilao", seed=3, n_customers=6000, staff_per_store=10, diner_response_rate=0.1)
    high = crmlab.worlds.make("haidilao", seed=3, n_customers=6000, staff_per_store=10, diner_response_rate=0.9)
    rel = [notebook_answers(w)["q3"] for w in (low, high)]
    assert rel[0] < rel[1]
    assert Checker("haidilao", high)("q3", rel[1])
    assert not Checker("haidilao", low)("q3", rel[1])


def test_checks_refuse_the_wrong_kind_of_answer(world):
    check = Checker("haidilao", world)
    assert "expected a number" in check("q2", "about a half").message
    assert "no answer yet" in check("q1", ...).message


def test_committed_notebook_strips_to_placeholders():
    nb = json.loads((ROOT / "notebooks" / "haidilao.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    with_solution = [s for s in sources if "# BEGIN SOLUTION" in s]
    assert len(with_solution) == len(registered("haidilao"))
    for s in with_solution:
        stripped = strip_solutions(s)
        assert "BEGIN SOLUTION" not in stripped and "= ...  # your answer" in stripped
