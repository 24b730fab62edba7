"""Exercise checks of the flagship case notebooks (distributor_abc, fedex).

For two seeds per case, the answers are computed the way the notebook's solutions compute them (through
crmlab's functions where the notebook uses them) and every check must accept them; answers off by 20% (or by
one customer, or with one customer missing from a list) must be refused. The checks themselves compute their
expected values with plain pandas, so a passing pair is two independent computations agreeing. Finally, the
instructor tooling must strip every solution out of the committed notebooks.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab import casekit, concentration
from crmlab.checks import Checker, registered, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (42, 7)


# ----------------------------------------------------------------------------------------------- fedex
def fedex_answers(world) -> dict:
    """The solutions of notebooks/fedex.ipynb, section 5."""
    acc = world.tables["accounts"].copy()
    acc["profit"] = acc["revenue"] - acc["cost_to_serve"]
    acc["tier"] = casekit.profit_pyramid(acc.set_index("customer_id")["profit"]).set_axis(acc.index)
    largest = acc.sort_values("revenue", ascending=False).head(round(0.1 * len(acc)))
    totals = acc.groupby("tier", observed=False)[["cost_to_serve", "shipments"]].sum()
    per = totals["cost_to_serve"] / totals["shipments"]
    rates = acc.groupby("tracking_user")["retained"].mean()
    lead = acc[acc["profit"] < 0]
    k = world.knobs
    surcharged = lead["profit"] + k["cost_per_pickup"] * lead["pickups"] + k["cost_per_special"] * lead["special_handling"]
    return {"q1": float((acc["profit"] < 0).mean()),
            "q2": float((largest["profit"] < 0).mean()),
            "q3": float(per["lead"] / per["platinum"]),
            "q4": float(rates[True] - rates[False]),
            "q5": int((surcharged >= 0).sum())}


@pytest.fixture(scope="module", params=SEEDS)
def fedex_world(request):
    return crmlab.worlds.make("fedex", seed=request.param, n_customers=1500)


def test_fedex_solutions_pass_every_check(fedex_world):
    check = Checker("fedex", fedex_world)
    answers = fedex_answers(fedex_world)
    assert sorted(answers) == registered("fedex")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_fedex_wrong_answers_fail(fedex_world):
    check = Checker("fedex", fedex_world)
    for name, answer in fedex_answers(fedex_world).items():
        wrong = answer + max(1, round(0.2 * answer)) if isinstance(answer, int) else answer * 1.2
        result = check(name, wrong)
        assert not result, f"{name}: {wrong} was accepted"
        assert "too high" in result.message or "not right" in result.message


def test_fedex_checks_use_the_students_own_world():
    """The same answer is judged against each world: right in one, wrong in another."""
    w1 = crmlab.worlds.make("fedex", seed=1, n_customers=800)
    w2 = crmlab.worlds.make("fedex", seed=1, n_customers=800, cost_per_pickup=60.0)
    a1 = fedex_answers(w1)
    assert Checker("fedex", w1)("q5", a1["q5"])
    assert fedex_answers(w2)["q5"] != a1["q5"]
    assert not Checker("fedex", w2)("q5", a1["q5"])


# ------------------------------------------------------------------------------------- distributor_abc
def distributor_answers(world) -> dict:
    """The solutions of notebooks/distributor_abc.ipynb, section 5 (built on the section 4 tables)."""
    orders, costs = world.tables["orders"], world.tables["account_costs"]
    per_order = orders.assign(margin=orders["amount"] - orders["cost_of_goods"] - orders["service_cost"])
    yearly = (costs.set_index(["customer_id", "period"])
              .join(per_order.groupby(["customer_id", "period"])[["amount", "margin"]].sum(), how="left")
              .fillna({"amount": 0.0, "margin": 0.0}))
    yearly["profit"] = yearly["margin"] - yearly["visit_cost"] - yearly["support_cost"] - yearly["cash_rebate"]
    sales = yearly["amount"].unstack("period")
    p2 = yearly["profit"].unstack("period")[2]
    abc1, abc2 = concentration.abc_classify(sales[1]), concentration.abc_classify(sales[2])
    abc_profit = concentration.abc_classify(p2.clip(lower=0.0))
    top = sales[2].sort_values(ascending=False).head(round(0.2 * len(sales)))
    a_by_profit = set(abc_profit.index[abc_profit["class"] == "A"])
    return {"q1": float((abc2["class"] == "A").mean()),
            "q2": float(top.sum() / sales[2].sum()),
            "q3": int(((abc1["class"] == "B") & (abc2["class"].reindex(abc1.index) == "A")).sum()),
            "q4": [c for c in abc2.index[abc2["class"] == "A"] if c not in a_by_profit],
            "q5": float(-p2[p2 < 0].sum() / p2[p2 > 0].sum())}


@pytest.fixture(scope="module", params=SEEDS)
def distributor_world(request):
    return crmlab.worlds.make("distributor_abc", seed=request.param, n_customers=300)


def test_distributor_solutions_pass_every_check(distributor_world):
    check = Checker("distributor_abc", distributor_world)
    answers = distributor_answers(distributor_world)
    assert sorted(answers) == registered("distributor_abc")
    assert answers["q4"], "this world has no A-by-sales customer outside A-by-profit; the q4 test is empty"
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_distributor_wrong_answers_fail(distributor_world):
    check = Checker("distributor_abc", distributor_world)
    for name, answer in distributor_answers(distributor_world).items():
        if isinstance(answer, list):
            wrong = answer[1:]  # one customer missing
        elif isinstance(answer, int):
            wrong = answer + max(1, round(0.2 * answer))
        else:
            wrong = answer * 1.2
        assert not check(name, wrong), f"{name}: {wrong!r} was accepted"


def test_distributor_abc_check_accepts_both_boundary_conventions():
    """The customer who crosses 80% may be counted in A (crmlab's rule) or in B (cumulative share including
    the customer): a hand-made world where the two readings differ by exactly one A customer."""
    class W:  # the minimum a check reads: orders and account costs of two periods
        tables = {}
    amounts = [50.0, 20.0, 15.0, 10.0, 5.0]  # cumulative 50, 70, 85 -> the third customer crosses 80%
    rows = [{"order_id": i, "customer_id": c + 1, "period": p, "date": pd.Timestamp("2024-01-01"),
             "amount": a, "cost_of_goods": 0.0, "service_cost": 0.0}
            for p in (1, 2) for i, (c, a) in enumerate(zip(range(5), amounts))]
    W.tables = {"orders": pd.DataFrame(rows),
                "account_costs": pd.DataFrame({"customer_id": np.repeat(np.arange(1, 6), 2),
                                               "period": np.tile([1, 2], 5), "visits": 0, "visit_cost": 0.0,
                                               "support_cost": 0.0, "cash_rebate": 0.0})}
    check = Checker("distributor_abc", W)
    assert check("q1", 3 / 5) and check("q1", 2 / 5)
    assert not check("q1", 1 / 5) and not check("q1", 4 / 5)


# ------------------------------------------------------------------------------------- solution stripping
@pytest.mark.parametrize("case_id", ["distributor_abc", "fedex"])
def test_stripping_leaves_no_solution_in_the_notebook(case_id):
    nb = json.loads((ROOT / "notebooks" / f"{case_id}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    with_solution = [src for src in code if "# BEGIN SOLUTION" in src]
    assert len(with_solution) == len(registered(case_id))
    for src in with_solution:
        stripped = strip_solutions(src)
        assert "SOLUTION" not in stripped
        body = src.split("# BEGIN SOLUTION\n")[1].split("# END SOLUTION")[0]
        for line in body.splitlines():
            if "=" in line:
                rhs = line.split("=", 1)[1].strip()
                assert rhs not in stripped, f"solution code survives stripping: {line!r}"
        assert "= ...  # your answer" in stripped
        assert "check(" in stripped  # the student still has the check to run


def _names(tree, ctx):
    import ast

    out = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
    if ctx is ast.Store:
        for n in ast.walk(tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                out |= {(a.asname or a.name).split(".")[0] for a in n.names}
            elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                out.add(n.name)
            elif isinstance(n, ast.arg):  # parameters of functions and lambdas
                out.add(n.arg)
    return out


@pytest.mark.parametrize("case_id", ["distributor_abc", "fedex"])
def test_stripped_notebook_uses_no_solution_variable_outside_its_exercise(case_id):
    """After stripping, no cell may read a name that only a solution defined (it would be gone), nor an
    answer placeholder outside its own exercise cell (it would hold ``...``): the student's notebook must
    still run top to bottom, with the exercises unanswered."""
    import ast
    import builtins

    nb = json.loads((ROOT / "notebooks" / f"{case_id}.ipynb").read_text(encoding="utf-8"))
    cells = [strip_solutions("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"]
    trees = [ast.parse(src) for src in cells]
    defined = set(dir(builtins)).union(*(_names(t, ast.Store) for t in trees))
    placeholders = {}
    for i, src in enumerate(cells):
        for line in src.splitlines():
            if line.endswith("= ...  # your answer"):
                placeholders[line.split("=")[0].strip()] = i
    assert len(placeholders) == len(registered(case_id))
    for i, tree in enumerate(trees):
        read = _names(tree, ast.Load)
        assert not read - defined, f"cell {i} reads {sorted(read - defined)}, defined only in a solution"
        foreign = {n for n in read & set(placeholders) if placeholders[n] != i}
        assert not foreign, f"cell {i} reads the answer placeholder(s) {sorted(foreign)} of another exercise"
