"""Exercise checks of the Haier case (crmlab/checks/haier.py).

For two seeds the answers are computed the way notebooks/haier.ipynb computes them (through
crmlab.service where the notebook uses it) and every check must accept them; answers off by 20% (or by one
request, or with one city missing) must be refused. The checks compute their expected values with plain
pandas/numpy, so a passing pair is two independent computations agreeing. The check's p-chart is also
compared with a brute-force loop over cities on a small world.
"""
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

import crmlab
from crmlab import service
from crmlab.checks import Checker, registered, strip_solutions
from crmlab.checks.haier import cities_outside_limits

SEEDS = (42, 7)


def haier_answers(world) -> dict:
    """The solutions of notebooks/haier.ipynb, section 5 (on the objects of section 4)."""
    r = world.tables["service_requests"]
    omitted = pd.Series(pd.array(~r["handled"].to_numpy(), dtype="boolean"), index=r.index)
    jobs = r.assign(omitted=omitted.where(r["recorded"], pd.NA))
    by_city = service.control_rates(jobs, group_cols="city", complaint_col="complaint", omission_col="omitted",
                                    dissatisfied_col="dissatisfied")
    chart = service.p_chart(by_city.sort_values("jobs").reset_index(drop=True), defects_col="complaints",
                            n_col="complaint_base")
    funnel = service.no_miss_funnel(r).set_index("stage")
    c = world.tables["channel_customers"]
    d = c[c["channel_type"] == "domestic chain"]
    return {"q1": float(service.control_rates(jobs, complaint_col="complaint", omission_col="omitted",
                                              dissatisfied_col="dissatisfied")["complaint_rate"].iloc[0]),
            "q2": float(r.loc[r["handled"], "within_24h"].mean()),
            "q3": int(funnel.loc["recheck", "leaked"]),
            "q4": chart.loc[chart["out_of_control"], "city"].astype(str).tolist(),
            "q5": float(d["sales_this_year"].sum() / d["sales_last_year"].sum() - 1)}


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    return crmlab.worlds.make("haier", seed=request.param, n_cities=30)


def test_solutions_pass_every_check(world):
    check = Checker("haier", world)
    answers = haier_answers(world)
    assert sorted(answers) == registered("haier")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world):
    check = Checker("haier", world)
    cities = world.tables["cities"]["city"].astype(str).tolist()
    for name, answer in haier_answers(world).items():
        if isinstance(answer, list):
            wrong = answer[1:] if answer else cities[:1]
        elif isinstance(answer, int):
            wrong = answer + 1
        else:
            wrong = answer * 1.2
        result = check(name, wrong)
        assert not result, f"{name}: {wrong} was accepted"


def test_seed_7_has_cities_on_both_sides_of_the_limits():
    """The q4 answer is not trivially empty at the second test seed: planted city spread puts cities outside."""
    w = crmlab.worlds.make("haier", seed=7, n_cities=30)
    assert len(haier_answers(w)["q4"]) >= 2


def test_mistyped_answers_are_refused_with_a_reason():
    w = crmlab.worlds.make("haier", seed=3, n_cities=5, months=3, n_channel_customers=100)
    check = Checker("haier", w)
    assert "whole number" in check("q3", "many").message
    assert "expected a list" in check("q4", "Qingdao").message
    assert "expected a number" in check("q1", [0.1, 0.2]).message


def test_check_p_chart_matches_a_brute_force_loop():
    """Brute force: a Python loop over cities with the textbook limits gives the same cities as the check."""
    w = crmlab.worlds.make("haier", seed=5, n_cities=12, months=4, requests_per_city_month=150.0, city_spread=1.5)
    r = w.tables["service_requests"]
    p_bar = r["complaint"].sum() / len(r)
    outside = []
    for city in sorted(r["city"].astype(str).unique()):
        rows = r[r["city"].astype(str) == city]
        n, p = len(rows), rows["complaint"].mean()
        half = 3 * math.sqrt(p_bar * (1 - p_bar) / n)
        if p > p_bar + half or p < max(0.0, p_bar - half):
            outside.append(city)
    assert cities_outside_limits(r) == outside
    assert outside, "city_spread=1.5 should push at least one city outside"


def test_checks_use_the_students_own_world():
    """The same 24-hour share is right in one world and wrong in a world with slower technicians."""
    w1 = crmlab.worlds.make("haier", seed=1, n_cities=8, months=3)
    w2 = crmlab.worlds.make("haier", seed=1, n_cities=8, months=3, onsite_median_hours=18.0)
    a1 = haier_answers(w1)["q2"]
    assert Checker("haier", w1)("q2", a1)
    assert haier_answers(w2)["q2"] < a1 - 0.05
    assert not Checker("haier", w2)("q2", a1)


def test_committed_notebook_solutions_strip_to_placeholders():
    """Instructor tooling: every solution block of notebooks/haier.ipynb strips to `name = ...`, the stripped
    notebook keeps no solution line, and the notebook checks exactly the registered exercises."""
    nb = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "haier.ipynb").read_text())
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    solved = [s for s in sources if "# BEGIN SOLUTION" in s]
    checked = sorted(re.search(r'check\("(q\d)"', s).group(1) for s in solved)
    assert checked == registered("haier")
    for s in solved:
        stripped = strip_solutions(s)
        assert "BEGIN SOLUTION" not in stripped
        name = re.search(r'check\("q\d", (\w+)\)', s).group(1)
        assert f"{name} = ...  # your answer" in stripped
