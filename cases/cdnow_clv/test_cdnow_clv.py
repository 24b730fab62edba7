"""What the cdnow_clv case needs beyond tests/test_case_contract.py, which judges the notebook's answers and the
classic mistakes on the two splits the case declares (cases/cdnow_clv/checks.py, ``splits``).

The CDNOW data are real, so there is no planted truth: the independent yardstick is what Fader, Hardie & Lee
(2005, Marketing Science 24(2)) published for the same sample — the calibration summary file, the 946 repeat
buyers, the BG/NBD estimates and log-likelihoods — against which the checks' own BG/NBD (written out from the
paper, fitted with Nelder-Mead) is tested here, with the behaviour of the checks the contract cannot see.
"""
import numpy as np
import pytest

from crmlab._casemodules import load_case_module
from crmlab.checks import Checker
from crmlab.clv import BetaGeoModel, load_cdnow

checks = load_case_module("cdnow_clv", "checks")
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005 (see cases/cdnow_clv/case.yaml)
#: BG/NBD: FHL 2005; Pareto/NBD: Fader & Hardie's note on the Pareto/NBD (case.yaml sources)
PUBLISHED_LL = {"BG/NBD": -9582.4, "Pareto/NBD": -9595.0}


@pytest.fixture(scope="module")
def transactions():
    return load_cdnow("transactions")


@pytest.fixture(scope="module")
def published_split(transactions):
    return checks.split_world("1997-09-30", 39, transactions)


def test_independent_fit_reproduces_the_published_estimates(transactions):
    """Published (FHL 2005): r=0.243, alpha=4.414, a=0.793, b=2.426 and 946 customers with a repeat purchase,
    from the checks' plain-pandas summary and their own BG/NBD likelihood."""
    s = checks.split_summary(transactions, "1997-09-30", 39)
    assert int((s["x"] > 0).sum()) == 946
    np.testing.assert_allclose(checks._fit(s), list(PUBLISHED_BGNBD.values()), rtol=2e-3)


def test_independent_summary_matches_the_published_summary_file(transactions):
    """Published summary file: the checks' plain-pandas x, t_x, T equal those distributed with the data
    (2 decimals)."""
    s = checks.split_summary(transactions, "1997-09-30", 39)
    published = load_cdnow("summary")
    np.testing.assert_allclose(s["x"].to_numpy(), published["frequency"].to_numpy())
    np.testing.assert_allclose(s["t_x"].round(2).to_numpy(), published["recency"].to_numpy())
    np.testing.assert_allclose(s["T"].round(2).to_numpy(), published["T"].to_numpy())


def test_q2_against_the_closed_form_at_the_published_parameters():
    """FHL 2005 eq. 10 as printed, at the published parameters, for customer 1's pattern (x=2, t_x=30.43,
    T=38.86, 39 weeks): crmlab's BetaGeoModel gives 1.226 and so must the checks' own formula."""
    params = tuple(PUBLISHED_BGNBD.values())
    mine = checks._conditional_expected(params, 39.0, 2.0, 30.43, 38.86)
    crmlab_value = BetaGeoModel.from_params(**PUBLISHED_BGNBD).conditional_expected_purchases(
        39, frequency=2, recency=30.43, T=38.86)
    assert mine == pytest.approx(crmlab_value, rel=1e-9)
    assert mine == pytest.approx(1.226, abs=5e-4)


def test_model_choice_agrees_with_the_published_log_likelihoods(published_split):
    """Published log-likelihoods (BG/NBD -9582.4, Pareto/NBD -9595.0): BG/NBD fits better at the published split,
    and q4 — the one check that uses crmlab's own fits — says so."""
    assert max(PUBLISHED_LL, key=PUBLISHED_LL.get) == "BG/NBD"
    check = Checker("cdnow_clv", published_split)
    assert check("q4", "BG/NBD") and not check("q4", "Pareto/NBD")


def test_the_checks_judge_the_split_they_are_given(transactions, published_split):
    """The published split's 946 repeat buyers are right there and wrong on the later split of the case."""
    later = checks.split_world(*checks.SPLITS["1997-12-31_25w"], transactions)
    assert Checker("cdnow_clv", published_split)("q1", 946)
    assert not Checker("cdnow_clv", later)("q1", 946)


def test_checks_refuse_the_wrong_kind_of_answer(transactions, published_split):
    """Text for a number, a number for a model name, and a world without the split are "not yet" with the reason;
    the model may be named in any spelling the notebook's objects suggest."""
    check = Checker("cdnow_clv", published_split)
    assert "expected a number" in check("q2", "about one").message
    assert "expected 'BG/NBD'" in check("q4", 1).message
    assert check("q4", "bg/nbd") and check("q4", "BetaGeoModel")
    assert "needs the notebook's split" in Checker("cdnow_clv", {"transactions": transactions})("q1", 946).message
