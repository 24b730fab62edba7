"""Exercise checks of notebooks/mobile_operator.ipynb.

For two seeds the answers are computed the way the notebook's solutions compute them: annual profit from the
unit-cost sheet applied to the published (rounded) usage, pandas group-bys for the rest. The checks compute
theirs with numpy, and q1/q5 from the margin the world planted, so a pass is two independent routes agreeing.
Answers 20% off (or another channel) must be refused. Two tests compare with the planted truth: the uplift the
check accepts is near the planted mean uplift of the enrolled subscribers, and the rule confidence near the
planted confidence.
"""
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import crmlab
from crmlab.checks import Checker, registered, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (42, 7)
UNIT_COSTS = {"voice_min": 0.03, "sms": 0.01, "data_gb": 1.2}  # the notebook's unit-cost sheet (section 4.1)


def mobile_answers(world) -> dict:
    """The solutions of notebooks/mobile_operator.ipynb, section 5 (with ``profit`` and ``enrolled`` of section 4)."""
    s, holdings, prospects = (world.tables[t] for t in ("subscribers", "holdings", "prospects"))
    monthly_cost = (sum(rate * s[col] for col, rate in UNIT_COSTS.items()) + 15.0 * s["complaints_12m"] / 12 + 5.0)
    profit = (12 * (s["arpu"] - monthly_cost)).set_axis(s["customer_id"])
    enrolled = s[s["campaign_group"] != "none"].set_index("customer_id")
    top = profit.sort_values(ascending=False).head(round(0.1 * len(profit)))
    owners = holdings.groupby("product", observed=True)["customer_id"].agg(set)
    rates = enrolled.groupby("campaign_group", observed=True)["churned"].mean()
    uplift = float(rates["control"] - rates["treatment"])
    return {
        "q1": float(top.sum() / profit.sum()),
        "q2": len(owners["roaming"] & owners["device_insurance"]) / len(owners["roaming"]),
        "q3": uplift,
        "q4": str(prospects.groupby("channel", observed=True)["responded"].mean().idxmax()),
        "q5": uplift * float(profit.reindex(enrolled.index).mean()),
    }


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    return crmlab.worlds.make("mobile_operator", seed=request.param, n_customers=3000, n_prospects=2000)


def test_solutions_pass_every_check(world):
    check = Checker("mobile_operator", world)
    answers = mobile_answers(world)
    assert sorted(answers) == registered("mobile_operator")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world):
    check = Checker("mobile_operator", world)
    for name, answer in mobile_answers(world).items():
        if isinstance(answer, str):
            wrong = "sms" if answer != "sms" else "online_ad"
            expected_text = "not right"
        else:
            wrong = answer + max(0.2 * abs(answer), 0.01)
            expected_text = "too high"
        result = check(name, wrong)
        assert not result, f"{name}: {wrong!r} was accepted"
        assert expected_text in result.message


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: another seed gives another uplift."""
    w1 = crmlab.worlds.make("mobile_operator", seed=2, n_customers=1500, n_prospects=500)
    w2 = crmlab.worlds.make("mobile_operator", seed=3, n_customers=1500, n_prospects=500)
    a1, a2 = mobile_answers(w1)["q3"], mobile_answers(w2)["q3"]
    assert abs(a1 - a2) > 1e-3
    assert Checker("mobile_operator", w1)("q3", a1)
    assert not Checker("mobile_operator", w2)("q3", a1)


def test_uplift_check_is_near_the_planted_uplift():
    """Planted truth: with a strong offer the measured uplift q3 accepts is near the planted mean drop in churn
    probability of the enrolled subscribers (truth['subscribers']['uplift'])."""
    w = crmlab.worlds.make("mobile_operator", seed=13, n_customers=8000, n_prospects=100, uplift_scale=3.0)
    a = mobile_answers(w)["q3"]
    assert Checker("mobile_operator", w)("q3", a)
    s = w.tables["subscribers"]
    planted = w.truth["subscribers"]["uplift"].reindex(s.loc[s["campaign_group"] != "none", "customer_id"]).mean()
    assert planted > 0.05
    assert abs(a - planted) < 0.04


def test_rule_confidence_check_is_near_the_planted_confidence():
    """Planted truth: the confidence of roaming → device_insurance accepted by q2 is near the planted one."""
    w = crmlab.worlds.make("mobile_operator", seed=17, n_customers=8000, n_prospects=100)
    a = mobile_answers(w)["q2"]
    assert Checker("mobile_operator", w)("q2", a)
    rules = w.truth["cross_sell_rules"]
    planted = rules.loc[rules["antecedents"] == ("roaming",), "confidence"].item()
    assert abs(a - planted) < 0.05


def test_unanswered_and_wrongly_typed_answers():
    w = crmlab.worlds.make("mobile_operator", seed=1, n_customers=300, n_prospects=300)
    check = Checker("mobile_operator", w)
    assert "no answer yet" in check("q3", ...).message
    result = check("q4", 3)
    assert not result and "expected the name of a channel" in result.message
    result = check("q1", "a quarter")
    assert not result and "expected a number" in result.message


def test_the_notebook_solutions_can_be_stripped():
    nb = nbformat.read(ROOT / "notebooks" / "mobile_operator.ipynb", as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code" and "# BEGIN SOLUTION" in c.source]
    assert len(sources) == len(registered("mobile_operator"))
    for src in sources:
        stripped = strip_solutions(src)
        assert "# BEGIN SOLUTION" not in stripped and "= ...  # your answer" in stripped
