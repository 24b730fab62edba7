"""Exercise checks of notebooks/cdnow_clv.ipynb (real CDNOW data).

The data are fixed, so instead of two seeds the checks are exercised on two calibration/holdout splits: the
published one (to 1997-09-30, 39 holdout weeks) and a later one (to 1997-12-31, 25 weeks). The answers are
computed the way the notebook's solutions compute them (crmlab.rfm.rfm_summary and crmlab.clv); the checks
compute their expected values independently (plain pandas summary, BG/NBD written out from Fader, Hardie &
Lee 2005 and fitted with Nelder-Mead), so a passing pair is two computations agreeing. The independent fit is
also checked against the published estimates, and the count of repeat buyers against the published 946.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.checks import Checker, registered, strip_solutions
from crmlab.checks import cdnow_clv as checks
from crmlab.clv import BetaGeoModel, ParetoNBDModel, load_cdnow
from crmlab.rfm import rfm_summary

ROOT = Path(__file__).resolve().parent.parent
SPLITS = (("1997-09-30", 39), ("1997-12-31", 25))


@pytest.fixture(scope="module")
def transactions():
    return load_cdnow("transactions")


def notebook_answers(world) -> dict:
    """The solutions of notebooks/cdnow_clv.ipynb, section 7, on the section 2-5 objects."""
    tx, end, weeks = world["transactions"], pd.Timestamp(world["calibration_end"]), world["holdout_weeks"]
    summary = rfm_summary(tx, observation_end=end, time_unit="W")
    days = tx.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    hold = days[(days["date"] > end) & (days["date"] <= end + pd.Timedelta(days=7 * weeks))]
    summary["holdout"] = hold.groupby("customer_id").size().reindex(summary.index, fill_value=0)
    x, tx_, T = summary["frequency"], summary["recency"], summary["T"]
    bgf = BetaGeoModel().fit(x, tx_, T)
    pnf = ParetoNBDModel().fit(x, tx_, T)
    c1 = summary.loc[1]
    return {"q1": int((x > 0).sum()),
            "q2": bgf.conditional_expected_purchases(weeks, c1["frequency"], c1["recency"], c1["T"]),
            "q3": float((bgf.probability_alive(x, tx_, T) < 0.5).mean()),
            "q4": "BG/NBD" if bgf.log_likelihood_ > pnf.log_likelihood_ else "Pareto/NBD",
            "q5": float(summary["holdout"].sum() / bgf.conditional_expected_purchases(weeks, x, tx_, T).sum())}


@pytest.fixture(scope="module", params=SPLITS, ids=lambda s: s[0])
def world_answers(request, transactions):
    end, weeks = request.param
    world = {"transactions": transactions, "calibration_end": end, "holdout_weeks": weeks}
    return world, notebook_answers(world)


def test_solutions_pass_every_check(world_answers):
    world, answers = world_answers
    check = Checker("cdnow_clv", world)
    assert sorted(answers) == registered("cdnow_clv")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world_answers):
    world, answers = world_answers
    check = Checker("cdnow_clv", world)
    for name, answer in answers.items():
        if name == "q4":
            wrong = "Pareto/NBD" if answer == "BG/NBD" else "BG/NBD"
        elif isinstance(answer, int):
            wrong = answer + max(1, round(0.2 * answer))
        else:
            wrong = answer * 1.2
        result = check(name, wrong)
        assert not result, f"{name}: {wrong!r} was accepted"
        assert "too high" in result.message or "not right" in result.message


def test_the_two_splits_give_different_answers(world_answers, transactions):
    """A check judges against the split it was given: the default split's q1 answer is wrong on the later one."""
    world, answers = world_answers
    other = SPLITS[1] if world["calibration_end"] == SPLITS[0][0] else SPLITS[0]
    other_world = {"transactions": transactions, "calibration_end": other[0], "holdout_weeks": other[1]}
    assert not Checker("cdnow_clv", other_world)("q1", answers["q1"])


def test_independent_fit_reproduces_the_published_estimates(transactions):
    """Published (FHL 2005): r=0.243, alpha=4.414, a=0.793, b=2.426; 946 customers with a repeat purchase."""
    s = checks.split_summary(transactions, "1997-09-30", 39)
    assert int((s["x"] > 0).sum()) == 946
    np.testing.assert_allclose(checks._fit(s), [0.243, 4.414, 0.793, 2.426], rtol=2e-3)


def test_independent_summary_matches_the_published_summary_file(transactions):
    """The plain-pandas summary of the checks equals the x, t_x, T distributed with the data (2 decimals)."""
    s = checks.split_summary(transactions, "1997-09-30", 39)
    published = load_cdnow("summary")
    np.testing.assert_allclose(s["x"].to_numpy(), published["frequency"].to_numpy())
    np.testing.assert_allclose(s["t_x"].round(2).to_numpy(), published["recency"].to_numpy())
    np.testing.assert_allclose(s["T"].round(2).to_numpy(), published["T"].to_numpy())


def test_q2_against_the_closed_form_at_the_published_parameters():
    """FHL 2005 eq. 10 as printed, at the published parameters, for customer 1's pattern (x=2, t_x=30.43,
    T=38.86, 39 weeks): crmlab's BetaGeoModel gives 1.226 and so must the checks' own formula."""
    params = (0.243, 4.414, 0.793, 2.426)
    mine = checks._conditional_expected(params, 39.0, 2.0, 30.43, 38.86)
    crmlab_value = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426).conditional_expected_purchases(
        39, frequency=2, recency=30.43, T=38.86)
    assert mine == pytest.approx(crmlab_value, rel=1e-9)
    assert mine == pytest.approx(1.226, abs=5e-4)


def test_checks_refuse_the_wrong_kind_of_answer(transactions):
    check = Checker("cdnow_clv", {"transactions": transactions, "calibration_end": "1997-09-30", "holdout_weeks": 39})
    assert "expected a number" in check("q2", "about one").message
    assert "expected 'BG/NBD'" in check("q4", 1).message
    assert check("q4", "bg/nbd") and check("q4", "BetaGeoModel")
    assert "no answer yet" in check("q1", ...).message
    assert "needs the notebook's split" in Checker("cdnow_clv", {"transactions": transactions})("q1", 946).message


def test_stripping_leaves_no_solution_in_the_notebook():
    nb = json.loads((ROOT / "notebooks" / "cdnow_clv.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    with_solution = [src for src in code if "# BEGIN SOLUTION" in src]
    assert len(with_solution) == len(registered("cdnow_clv"))
    for src in with_solution:
        stripped = strip_solutions(src)
        assert "SOLUTION" not in stripped and "= ...  # your answer" in stripped and "check(" in stripped
