"""Case ``satisfaction_index`` beyond the contract: the world (cases/satisfaction_index/world.py) gives back its
planted truth by the notebook's own methods — the status shares of c = b / a, the directions of the seven indicators,
the profit-maximising promise of the market test (binomial GLM + crmlab.loyalty.expectation_tradeoff), the
word-of-mouth rates and the annual retention — and the checks judge against the student's own world.
"""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from crmlab import loyalty
from crmlab.checks import Checker, solve
from crmlab.worlds import make


@pytest.fixture(scope="module", params=[42, 7])
def world(request):
    return make("satisfaction_index", seed=request.param)


def _fit_optimum(test: pd.DataFrame, margin: float) -> float:
    """The notebook's section 4.3 model: binomial GLM for buying, normal experience, repeat means by class."""
    counts = test.groupby("promise")["bought"].agg(["size", "sum"])
    glm = sm.GLM(np.column_stack([counts["sum"], counts["size"] - counts["sum"]]),
                 sm.add_constant(counts.index.to_numpy(dtype=float)), family=sm.families.Binomial()).fit()
    b0, b1 = glm.params
    buy = test[test["bought"]]
    ok = buy["perceived"] >= 0.95 * buy["promise"]
    return loyalty.expectation_tradeoff(
        np.sort(test["promise"].unique()), quality=buy["perceived"].mean(), quality_sd=buy["perceived"].std(),
        attraction_mid=-b0 / b1, attraction_slope=b1, repeats_if_satisfied=buy.loc[ok, "repeat_purchases"].mean(),
        repeats_if_dissatisfied=buy.loc[~ok, "repeat_purchases"].mean(), n_prospects=1, margin=margin).optimum_promise


def test_status_shares_from_the_surveys_recover_the_true_shares(world):
    """Planted truth: the shares of the three classes from the noisy surveys lie within 0.03 of those of the true c
    (truth['status_shares'])."""
    cust = world.tables["customers"]
    found = loyalty.satisfaction_index(cust["perceived"], cust["expected"])["status"].value_counts(normalize=True)
    for level, share in world.truth["status_shares"].items():
        assert found[level] == pytest.approx(share, abs=0.03), level


def test_every_indicator_moves_with_c_in_the_planted_direction(world):
    """Planted truth: the sign of each indicator's rank correlation with the measured c is the sign of its planted
    effect (truth['indicator_effects']) and of the course text's direction, with |rho| > 0.1."""
    cust = world.tables["customers"]
    c = cust["perceived"] / cust["expected"]
    for col, effect in world.truth["indicator_effects"].items():
        rho = cust[col].corr(c, method="spearman")
        assert np.sign(rho) == np.sign(effect) == loyalty.SEVEN_INDICATORS[col] and abs(rho) > 0.1, col


def test_fitted_model_recovers_the_planted_optimum_promise(world):
    """Planted truth: the model fitted to the market test puts the optimum promise within 0.25 scale points of
    truth['promise_test']['optimum_promise'] (the maximiser of the planted model)."""
    found = _fit_optimum(world.tables["promise_test"], world.knobs["margin"])
    assert found == pytest.approx(world.truth["promise_test"]["optimum_promise"], abs=0.25)


def test_optimum_promise_follows_the_quality_delivered():
    """Planted truth: better delivered quality moves the planted and the fitted optimum promise up (by at least
    half a point for two points of quality)."""
    low, high = make("satisfaction_index", seed=5, quality=6.0), make("satisfaction_index", seed=5, quality=8.0)
    assert high.truth["promise_test"]["optimum_promise"] > low.truth["promise_test"]["optimum_promise"] + 0.5
    found = [_fit_optimum(w.tables["promise_test"], w.knobs["margin"]) for w in (low, high)]
    assert found[1] > found[0] + 0.5


def test_word_of_mouth_rates_and_retention(world):
    """Planted truth: among customers the surveys call satisfied, referrals / told is within 0.05 of come_share;
    the share still there after 12 months is within 0.03 of the mean planted retention probability."""
    cust = world.tables["customers"]
    status = loyalty.satisfaction_index(cust["perceived"], cust["expected"])["status"].to_numpy()
    sat = cust[status == "satisfied"]
    assert sat["referrals"].sum() / sat["told"].sum() == pytest.approx(world.truth["word_of_mouth"]["come_share"],
                                                                        abs=0.05)
    assert (cust["retention"] == 12).mean() == pytest.approx(world.truth["expected_retention"], abs=0.03)


def test_without_survey_noise_the_classes_are_the_true_ones():
    """Planted truth: with survey_noise = 0 the surveys report the true a and b up to rounding to 0.1, so at most
    a few customers near the band's edges change class."""
    w = make("satisfaction_index", seed=3, survey_noise=0.0, n_customers=1000)
    cust = w.tables["customers"]
    found = loyalty.satisfaction_index(cust["perceived"], cust["expected"])["status"].astype(str).to_numpy()
    true = w.truth["customers"]["status_true"].astype(str).to_numpy()
    assert (found == true).mean() > 0.93


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the retention answer of one world is wrong in a world whose
    customers experience much better quality (higher retention)."""
    w1 = make("satisfaction_index", seed=1, n_customers=800)
    w2 = make("satisfaction_index", seed=1, n_customers=800, quality=8.5)
    a1, a2 = solve("satisfaction_index", w1)["q5"], solve("satisfaction_index", w2)["q5"]
    assert Checker("satisfaction_index", w1)("q5", a1) and Checker("satisfaction_index", w2)("q5", a2)
    assert not Checker("satisfaction_index", w2)("q5", a1)
