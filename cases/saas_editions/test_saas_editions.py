"""Case ``saas_editions`` beyond the contract: the world (cases/saas_editions/world.py) gives back its planted truth
by the notebook's own methods — Kaplan-Meier (statsmodels SurvfuncRight) equals a direct count on a cohort observed
without censoring and follows the planted survival curves; the Cox model (statsmodels PHReg) recovers the planted
hazard ratios; the per-renewal upgrade rates recover the planted probabilities; the naive churn share is biased low
— and the checks of cases/saas_editions/checks.py judge against the student's own world.
"""
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.duration.survfunc import SurvfuncRight

from crmlab.checks import Checker, solve
from crmlab.worlds import make

MONTH = 365.25 / 12


def _accounts(world):
    acc = world.tables["accounts"].copy()
    end = acc["cancelled_on"].fillna(acc["observed_until"])
    acc["months"] = (end - acc["signed_on"]).dt.days / MONTH
    acc["cancelled"] = acc["cancelled_on"].notna()
    return acc


def _s_at(sf, t):
    i = np.searchsorted(sf.surv_times, t, side="right")
    return 1.0 if i == 0 else float(sf.surv_prob[i - 1])


@pytest.fixture(scope="module", params=[42, 7])
def big(request):
    return make("saas_editions", seed=request.param, n_customers=20000)


def test_kaplan_meier_equals_a_direct_count_without_censoring(big):
    """Independent computation: for the 2022 cohort (observed >= 36 months, so nobody censored before month 36)
    SurvfuncRight's S(t) equals the share with more than t months, at every month up to 36, to 1e-12."""
    acc = _accounts(big)
    cohort = acc[acc["signed_on"] < pd.Timestamp("2023-01-01")]
    assert (cohort.loc[~cohort["cancelled"], "months"] >= 36).all()
    sf = SurvfuncRight(cohort["months"].to_numpy(), cohort["cancelled"].astype(int).to_numpy())
    for t in np.arange(1, 37):
        assert _s_at(sf, t) == pytest.approx(float((cohort["months"] > t).mean()), abs=1e-12)


def test_kaplan_meier_follows_the_planted_survival_curves(big):
    """Planted truth: S(12), S(24), S(36) of each edition x term from truth['survival'] lie within 4 Greenwood standard
    errors (+0.01) of the Kaplan-Meier estimate on all accounts (censored ones included)."""
    acc = _accounts(big)
    for (e, t), d in acc.groupby([acc["edition"].astype(str), "term_years"]):
        sf = SurvfuncRight(d["months"].to_numpy(), d["cancelled"].astype(int).to_numpy())
        for m in (12, 24, 36):
            i = np.searchsorted(sf.surv_times, m, side="right") - 1
            planted = big.truth["survival"][f"{e} {t}y"][m]
            assert abs(_s_at(sf, m) - planted) <= 4 * sf.surv_prob_se[i] + 0.01, (e, t, m)


def test_cox_model_recovers_the_planted_hazard_ratios(big):
    """Planted truth: PHReg on edition + term recovers hazard_ratios within 12% (relative), and the planted values lie
    inside the 99.9% confidence intervals; the crude edition-only Diamond ratio is biased low (confounded with term)."""
    acc = _accounts(big)
    status = acc["cancelled"].astype(int).to_numpy()
    fit = smf.phreg("months ~ C(edition) + C(term_years)", acc, status=status).fit()
    names = fit.model.exog_names
    planted = big.truth["hazard_ratios"]
    ci = np.exp(fit.conf_int(alpha=0.001))
    for term, key in (("C(edition)[T.Gold]", "Gold"), ("C(edition)[T.Diamond]", "Diamond"),
                      ("C(term_years)[T.3]", "3-year term")):
        j = names.index(term)
        assert np.exp(fit.params[j]) == pytest.approx(planted[key], rel=0.12), key
        assert ci[j, 0] <= planted[key] <= ci[j, 1], key
    crude = smf.phreg("months ~ C(edition)", acc, status=status).fit()
    j = crude.model.exog_names.index("C(edition)[T.Diamond]")
    assert np.exp(crude.params[j]) < np.exp(fit.params[names.index("C(edition)[T.Diamond]")])


def test_upgrade_rates_per_renewal_recover_the_planted_probabilities(big):
    """Planted truth: the share of upgrades among renewals from Silver and from Gold is within 0.02 of the planted
    upgrade probabilities; Diamond never upgrades."""
    ev = big.tables["events"]
    at = ev[ev["event"].isin(["renewal", "upgrade"])]
    rate = (at["event"] == "upgrade").groupby(at["previous_edition"], observed=True).mean()
    up = big.truth["upgrade_probability"]
    assert rate["Silver"] == pytest.approx(up["Silver to Gold"], abs=0.02)
    assert rate["Gold"] == pytest.approx(up["Gold to Diamond"], abs=0.02)
    assert rate["Diamond"] == 0


def test_naive_churn_share_is_biased_low_and_the_log_matches_the_accounts(big):
    """Independent count: the share of customers cancelled within 12 months over all customers is below the planted
    12-month cancellation probability averaged over the customers; the log has one purchase per account and one
    cancellation per cancelled account, and no renewal falls after a cancellation."""
    acc = _accounts(big)
    naive = float((acc["cancelled"] & (acc["months"] <= 12)).mean())
    t = big.truth["accounts"]
    planted = float((1 - np.exp(-(12 / big.truth["weibull_scale_months"]) ** big.truth["weibull_shape"]
                                * t["hazard_ratio"])).mean())
    assert naive < planted - 0.01
    ev = big.tables["events"]
    assert (ev["event"] == "purchase").sum() == len(acc)
    assert (ev["event"] == "cancellation").sum() == acc["cancelled"].sum()
    last_renewal = ev[ev["event"].isin(["renewal", "upgrade"])].groupby("customer_id")["date"].max()
    cancelled_on = acc.set_index("customer_id")["cancelled_on"].reindex(last_renewal.index)
    assert (cancelled_on.isna() | (last_renewal < cancelled_on)).all()


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q5 revenue right at the default Gold price is wrong when the
    Gold price is 499 (recomputed by the notebook's solution)."""
    w1 = make("saas_editions", seed=3, n_customers=800)
    w2 = make("saas_editions", seed=3, n_customers=800, price_gold=499.0)
    a1, a2 = solve("saas_editions", w1)["q5"], solve("saas_editions", w2)["q5"]
    assert Checker("saas_editions", w1)("q5", a1) and Checker("saas_editions", w2)("q5", a2)
    assert not Checker("saas_editions", w2)("q5", a1)
