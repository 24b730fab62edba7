"""What the haidilao case needs beyond tests/test_case_contract.py: the world's calibration to Analytical CRM course pack (source 1), recovery
of the planted service-profit chain by ordinary analyses (OLS with numpy.linalg.lstsq, Poisson GLM by sklearn),
and the behaviour of the checks that the contract does not see (Q3 against the planted Spearman-Brown effect of
the response rate, the rounding the checks accept)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import PoissonRegressor

from crmlab import worlds
from crmlab._casemodules import load_case_module
from crmlab.checks import Checker

checks = load_case_module("haidilao", "checks")


def _z(x):
    x = np.asarray(x, dtype=float)
    return (x - x.mean()) / x.std()


def _ols(y, *xs):
    X = np.column_stack([np.ones(len(y))] + [np.asarray(x, dtype=float) for x in xs])
    return np.linalg.lstsq(X, np.asarray(y, dtype=float), rcond=None)[0][1:]


def _store_scores(w):
    t = w.tables
    ss, ds = t["staff_survey"], t["diner_survey"]
    staff = ss[["q_fair", "q_proud", "q_growth", "q_workload"]].mean(axis=1).groupby(ss["store_id"]).mean()
    diner = ds[["q_taste", "q_service", "q_environment", "q_value"]].mean(axis=1).groupby(ds["store_id"]).mean()
    stores = t["stores"].set_index("store_id")
    return stores.join(staff.rename("staff_score")).join(diner.rename("diner_score"))


def test_default_calibration_to_seed_001():
    """Published values, Analytical CRM course pack (source 1), line 6: 82 stores in 21 cities incl. the ten named there; about 244 staff per
    store (nearly 20,000 staff). Brute-force recount: every diner's first visit is in the visit log."""
    w = worlds.make("haidilao")
    stores = w.tables["stores"]
    assert len(stores) == 82 and stores["city"].nunique() == 21
    for city in ("Beijing", "Shanghai", "Xi'an", "Zhengzhou", "Tianjin", "Nanjing", "Hangzhou", "Shenzhen",
                 "Xiamen", "Guangzhou"):
        assert (stores["city"] == city).any()
    assert len(w.tables["staff"]) / 82 == pytest.approx(244, rel=0.02)
    assert stores["n_staff"].sum() == len(w.tables["staff"])
    assert w.tables["diners"]["diner_id"].is_unique and len(w.tables["diners"]) == w.knobs["n_customers"]
    # every diner's first visit is in the visit log, on the recorded date
    first = w.tables["visits"].groupby("diner_id")["date"].min()
    assert first.equals(w.tables["diners"].set_index("diner_id")["first_visit"].rename("date"))
    assert "service-profit chain" in w.describe()


@pytest.mark.parametrize("effect", [0.3, 0.7])
def test_employee_to_customer_link_recovered_by_store_level_ols(effect):
    """Standardised OLS of store diner score on store staff score (controlling for size) ≈ employee_effect
    (the planted standardised path coefficient), within 0.1 at 300 stores."""
    w = worlds.make("haidilao", seed=11, n_stores=300, staff_per_store=60, n_customers=90_000,
                    employee_effect=effect)
    s = _store_scores(w)
    b = _ols(_z(s["diner_score"]), _z(s["staff_score"]), _z(np.log(s["seats"])))
    assert b[0] == pytest.approx(effect, abs=0.1)
    # the latent store values themselves carry the planted correlations
    lat = w.truth["store_latent"]
    assert np.corrcoef(lat["size_z"], lat["employee_satisfaction"])[0, 1] == pytest.approx(-0.5, abs=0.12)


def test_store_size_confounds_the_revenue_link():
    """Naively, revenue hardly rises with staff satisfaction; controlling for seats and city tier reveals the
    planted positive chain (big stores earn more but have less satisfied staff)."""
    w = worlds.make("haidilao", seed=12, n_stores=300, staff_per_store=40, n_customers=60_000)
    s = _store_scores(w)
    revenue = w.tables["visits"].groupby("store_id")["bill"].sum().reindex(s.index)
    naive = _ols(_z(revenue), _z(s["staff_score"]))[0]
    controlled = _ols(_z(revenue), _z(s["staff_score"]), _z(np.log(s["seats"])),
                      (s["city_tier"] == "first_tier").astype(float))[0]
    assert controlled > 0.1
    assert controlled - naive > 0.1


def test_income_tier_visit_rates_and_satisfaction_effect_by_poisson_glm():
    """Poisson GLM of revisits per year of exposure on income tier and the diner's latent satisfaction
    recovers the planted base rates (6 and 1.5 a year) and satisfaction_effect."""
    w = worlds.make("haidilao", seed=13, n_customers=40_000, staff_per_store=10, satisfaction_effect=0.4)
    d = w.tables["diners"].set_index("diner_id")
    repeats = w.tables["visits"].groupby("diner_id").size().reindex(d.index) - 1
    end = pd.Timestamp("2013-01-07") + pd.Timedelta(weeks=52)
    years = ((end - d["first_visit"]).dt.days / 365.0).to_numpy()
    sat = w.truth["diner_latent"]["satisfaction"].reindex(d.index).to_numpy()
    low = (d["income_tier"] == "middle_low").to_numpy(float)
    glm = PoissonRegressor(alpha=0.0, max_iter=500, tol=1e-8).fit(np.column_stack([low, sat]), repeats / years,
                                                                  sample_weight=years)
    theta = glm.coef_[1]
    assert theta == pytest.approx(0.4, abs=0.03)
    # the rate is mean-preserving: base · exp(θ·s − θ²/2)
    core_rate = np.exp(glm.intercept_ + theta ** 2 / 2)
    assert core_rate == pytest.approx(w.truth["visits_per_year"]["middle_high"], rel=0.05)
    assert core_rate * np.exp(glm.coef_[0]) == pytest.approx(w.truth["visits_per_year"]["middle_low"], rel=0.08)
    # first-tier cities have more core diners (planted +0.1)
    tier_city = w.tables["stores"].set_index("store_id")["city_tier"]
    core = (d["income_tier"] == "middle_high").groupby(tier_city.reindex(d["store_id"]).to_numpy()).mean()
    assert core["first_tier"] - core["other"] == pytest.approx(0.1, abs=0.03)


def test_q3_reliability_rises_with_the_response_rate():
    """Planted (Spearman-Brown): more diner answers per store make the store means more reliable; the check of
    each world accepts its own reliability and refuses the other world's."""
    low = worlds.make("haidilao", seed=3, n_customers=6000, staff_per_store=10, diner_response_rate=0.1)
    high = worlds.make("haidilao", seed=3, n_customers=6000, staff_per_store=10, diner_response_rate=0.9)
    rel = [checks.answers(w)["q3"] for w in (low, high)]
    assert rel[0] < rel[1]
    assert Checker("haidilao", high)("q3", rel[1])
    assert not Checker("haidilao", low)("q3", rel[1])


def test_checks_accept_the_three_decimals_the_notebook_prints():
    """The checks compare exact computations with a tolerance of 5e-4: an answer copied from the notebook's
    printout (three decimals) is right, one 0.002 off is not."""
    w = worlds.make("haidilao", seed=5, n_customers=5000, staff_per_store=20)
    check = Checker("haidilao", w)
    for name, answer in checks.answers(w).items():
        assert check(name, round(answer, 3)), name
        assert not check(name, answer + 2e-3), name
