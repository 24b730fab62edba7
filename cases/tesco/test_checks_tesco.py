"""Exercise checks of notebooks/tesco.ipynb.

For two seeds the answers are computed the way the notebook's solutions compute them (pandas group-bys on the
tables); the checks compute theirs with numpy bincounts, so a pass is two independent computations agreeing.
Answers 20% off must be refused. Two tests compare the checks' expected values with the planted truth of a
world with a large effect: the difference in differences must land near ``true_lift`` while the naive ratio does
not, and the breakage near the planted ``breakage_rate``.
"""
from pathlib import Path

import nbformat
import pytest

import crmlab
from crmlab.checks import Checker, registered, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (42, 7)


def tesco_answers(world) -> dict:
    """The solutions of notebooks/tesco.ipynb, section 5 (with the notebook's ``trips`` table of section 4.2)."""
    customers, baskets, statements = (world.tables[t] for t in ("customers", "baskets", "statements"))
    trips = (baskets.groupby(["customer_id", "quarter"]).size().unstack(fill_value=0)
             .reindex(index=customers["customer_id"], columns=[1, 2, 3, 4], fill_value=0))
    is_member = customers.set_index("customer_id")["member"]
    mailing = customers.set_index("customer_id")["mailing"].astype(str)
    redeemed = (statements["voucher_value"] * statements["redeemed"]).sum()
    post = trips[2] + trips[3]
    after, before = post / 26, trips[1] / 13
    return {
        "q1": float(redeemed / statements["spend"].sum()),
        "q2": 1 - float(redeemed / statements["voucher_value"].sum()),
        "q3": float(post[is_member].mean() / post[~is_member].mean()),
        "q4": float((after[is_member].mean() / before[is_member].mean())
                    / (after[~is_member].mean() / before[~is_member].mean()) - 1),
        "q5": float(trips.loc[mailing == "mailed", 4].mean() / trips.loc[mailing == "holdout", 4].mean() - 1),
    }


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    return crmlab.worlds.make("tesco", seed=request.param, n_customers=1500)


def test_solutions_pass_every_check(world):
    check = Checker("tesco", world)
    answers = tesco_answers(world)
    assert sorted(answers) == registered("tesco")
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, str(result)


def test_wrong_answers_fail(world):
    check = Checker("tesco", world)
    for name, answer in tesco_answers(world).items():
        wrong = answer + max(0.2 * abs(answer), 0.02)
        result = check(name, wrong)
        assert not result, f"{name}: {wrong} was accepted"
        assert "too high" in result.message


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: a different points rate changes the reward cost."""
    w1 = crmlab.worlds.make("tesco", seed=3, n_customers=800)
    w2 = crmlab.worlds.make("tesco", seed=3, n_customers=800, points_rate=0.02)
    a1 = tesco_answers(w1)["q1"]
    assert Checker("tesco", w1)("q1", a1)
    assert not Checker("tesco", w2)("q1", a1)


def test_difference_in_differences_check_recovers_the_planted_lift_and_the_naive_ratio_does_not():
    """Planted truth: with a large ``true_lift`` and strong self-selection, the answer q4 accepts is near
    true_lift, while the naive ratio q3 accepts is far above 1 + true_lift (self-selection)."""
    w = crmlab.worlds.make("tesco", seed=11, n_customers=3000, true_lift=0.3, selection_strength=2.0)
    a = tesco_answers(w)
    check = Checker("tesco", w)
    assert check("q4", a["q4"]) and check("q3", a["q3"])
    assert abs(a["q4"] - 0.3) < 0.06
    assert a["q3"] > 1.3 + 0.4


def test_breakage_check_matches_the_planted_breakage_rate():
    """Planted truth: the realised breakage accepted by q2 is near the world's expected breakage_rate."""
    w = crmlab.worlds.make("tesco", seed=5, n_customers=3000, breakage=0.5)
    a = tesco_answers(w)["q2"]
    assert Checker("tesco", w)("q2", a)
    assert abs(a - w.truth["breakage_rate"]) < 0.05


def test_unanswered_and_wrongly_typed_answers():
    w = crmlab.worlds.make("tesco", seed=1, n_customers=300)
    check = Checker("tesco", w)
    assert not check("q1", ...)
    assert "no answer yet" in check("q1", ...).message
    result = check("q4", "five percent")
    assert not result and "expected a number" in result.message
    with pytest.raises(ValueError, match="no exercise 'q9'"):
        check("q9", 1.0)


def test_the_notebook_solutions_can_be_stripped():
    nb = nbformat.read(ROOT / "notebooks" / "tesco.ipynb", as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code" and "# BEGIN SOLUTION" in c.source]
    assert len(sources) == len(registered("tesco"))
    for src in sources:
        stripped = strip_solutions(src)
        assert "# BEGIN SOLUTION" not in stripped and "= ...  # your answer" in stripped


def test_zero_breakage_is_accepted_despite_rounding():
    """Planted truth: with breakage = 0 every voucher is redeemed, so the breakage is 0 (up to float rounding)."""
    w = crmlab.worlds.make("tesco", seed=4, n_customers=400, breakage=0.0)
    a = tesco_answers(w)["q2"]
    assert abs(a) < 1e-12
    assert Checker("tesco", w)("q2", a)
    assert not Checker("tesco", w)("q2", 0.01)
