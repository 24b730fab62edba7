"""Exercise checks of the Ctrip case (crmlab/checks/ctrip.py).

For two seeds the answers are computed the way notebooks/ctrip.ipynb computes them (scikit-learn for the
logistic regression, crmlab.service for the Pareto table) and every check must accept them; answers off by
20% (or another action's name) must be refused. The checks compute their expected values with plain pandas
and a scipy maximum-likelihood fit, so a passing pair is two independent computations agreeing. The scipy
fit is also checked against the planted coefficients of a large synthetic draw.
"""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import crmlab
from crmlab import service
from crmlab.checks import Checker, registered, strip_solutions
from crmlab.checks.ctrip import retention_logit

SEEDS = (42, 7)


def ctrip_answers(world) -> dict:
    """The solutions of notebooks/ctrip.ipynb, section 5 (on the objects of section 4)."""
    c = world.tables["complaints"]
    k = world.knobs
    kinds = (c.drop_duplicates("category").set_index("category")["route"].astype(str)
             .str.split("/").str[0].to_dict())
    pareto = service.complaint_pareto(c, kinds=kinds)
    x = pd.get_dummies(c["recovery_action"], dtype=float).drop(columns="none")
    x.insert(0, "unresolved", (~c["resolved"]).astype(float))
    x.insert(0, "response_days", c["response_hours"] / 24)
    logit = LogisticRegression(C=np.inf, max_iter=5000).fit(x, c["retained"])
    fast = c.loc[c["response_hours"] <= k["alert_hours"], "retained"].mean()
    slow = c.loc[c["response_hours"] > k["sla_hours"], "retained"].mean()
    return {"q1": float(pareto.loc[pareto["route"] == "R&D", "share"].sum()),
            "q2": float((c["response_hours"] > k["sla_hours"]).mean()),
            "q3": float(fast - slow),
            "q4": float(logit.coef_[0][0]),
            "q5": str(c.groupby("recovery_action", observed=True)["retained"].mean().idxmax())}


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    return crmlab.worlds.make("ctrip", seed=request.param, n_customers=3000)


def test_solutions_pass_every_check(world):
    check = Checker("ctrip", world)
    answers = ctrip_answers(world)
    assert sorted(answers) == registered("ctrip")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world):
    check = Checker("ctrip", world)
    actions = list(world.tables["complaints"]["recovery_action"].cat.categories)
    for name, answer in ctrip_answers(world).items():
        if isinstance(answer, str):
            wrong = next(a for a in actions if a != answer)
        else:
            wrong = answer * 1.2
        result = check(name, wrong)
        assert not result, f"{name}: {wrong} was accepted"
        assert "too high" in result.message or "too low" in result.message or "not right" in result.message


def test_unanswered_and_mistyped_answers():
    w = crmlab.worlds.make("ctrip", seed=3, n_customers=800)
    check = Checker("ctrip", w)
    assert not check("q1", ...)
    assert "expected a number" in check("q2", "ten percent").message
    assert "expected text" in check("q5", 3).message


def test_checks_use_the_students_own_world():
    """The same breach share is right in one world and wrong in a world with a looser promise."""
    w1 = crmlab.worlds.make("ctrip", seed=1, n_customers=1500)
    w2 = crmlab.worlds.make("ctrip", seed=1, n_customers=1500, sla_hours=48.0)
    a1 = ctrip_answers(w1)["q2"]
    assert Checker("ctrip", w1)("q2", a1)
    assert ctrip_answers(w2)["q2"] < a1
    assert not Checker("ctrip", w2)("q2", a1)


def test_scipy_logit_recovers_the_planted_coefficients():
    """Planted truth: on a large draw every coefficient of the check's maximum-likelihood fit lies within
    4 standard errors of the planted retention coefficient. The standard errors come from the Fisher
    information X'WX at the fit (about 0.05 to 0.14 at this size), so the test is not a lucky seed."""
    w = crmlab.worlds.make("ctrip", seed=11, n_customers=30000)
    c = w.tables["complaints"]
    b = retention_logit(c)
    rc = w.truth["retention_coef"]
    planted = pd.Series({"intercept": rc["intercept"], "response_days": rc["response_days"],
                         "unresolved": rc["unresolved"],
                         **{a: e for a, e in rc["action"].items() if a != "none"}})
    act = c["recovery_action"].astype(str).to_numpy()
    x = np.column_stack([np.ones(len(c)), c["response_hours"].to_numpy() / 24,
                         (~c["resolved"].to_numpy()).astype(float), *[(act == a).astype(float) for a in b.index[3:]]])
    prob = 1 / (1 + np.exp(-(x @ b.to_numpy())))
    se = pd.Series(np.sqrt(np.diag(np.linalg.inv(x.T @ (x * (prob * (1 - prob))[:, None])))), index=b.index)
    assert se.max() < 0.2
    z = ((b - planted) / se)[planted.index]
    assert z.abs().max() < 4, z.round(2).to_dict()


def test_scipy_logit_matches_a_brute_force_grid_on_small_data():
    """Brute force: on 12 hand-made complaints the fitted slope maximises the log-likelihood over a grid
    (the other coefficients fixed at the fit)."""
    c = pd.DataFrame({"response_hours": np.array([1, 2, 5, 9, 13, 20, 26, 30, 40, 50, 70, 90], dtype=float),
                      "resolved": [True] * 10 + [False] * 2,
                      "recovery_action": pd.Categorical(["none", "apology"] * 6, categories=["none", "apology"]),
                      "retained": [1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0]}).astype({"retained": bool})
    b = retention_logit(c)
    x = np.column_stack([np.ones(12), c["response_hours"] / 24, ~c["resolved"], c["recovery_action"] == "apology"])
    y = c["retained"].to_numpy(float)

    def loglik(slope):
        eta = x @ np.array([b["intercept"], slope, b["unresolved"], b["apology"]])
        return float((y * eta - np.logaddexp(0, eta)).sum())

    grid = b["response_days"] + np.linspace(-0.5, 0.5, 201)
    assert abs(grid[np.argmax([loglik(s) for s in grid])] - b["response_days"]) <= 0.005


def test_committed_notebook_solutions_strip_to_placeholders():
    """Instructor tooling: every solution block of notebooks/ctrip.ipynb strips to `name = ...`, the stripped
    notebook keeps no solution line, and the notebook checks exactly the registered exercises."""
    nb = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "ctrip.ipynb").read_text())
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    solved = [s for s in sources if "# BEGIN SOLUTION" in s]
    checked = sorted(re.search(r'check\("(q\d)"', s).group(1) for s in solved)
    assert checked == registered("ctrip")
    for s in solved:
        stripped = strip_solutions(s)
        assert "BEGIN SOLUTION" not in stripped and "= ...  # your answer" in stripped
        name = re.search(r'check\("q\d", (\w+)\)', s).group(1)
        assert f"{name} = ...  # your answer" in stripped
