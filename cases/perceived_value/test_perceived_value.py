"""Case ``perceived_value`` beyond the contract: the world (cases/perceived_value/world.py) gives back its planted
truth by the notebook's own method — statsmodels' conditional logit on the choice tasks recovers the price
coefficient and the willingness to pay (part-worth / price coefficient) within their delta-method confidence
intervals, and the logit shares of today's offers recover the planted market shares — and the checks of
cases/perceived_value/checks.py judge against the student's own world.
"""
import numpy as np
import pandas as pd
import pytest
from statsmodels.discrete.conditional_models import ConditionalLogit

from crmlab.checks import Checker, solve
from crmlab.value import customer_delivered_value
from crmlab.worlds import make

FEATURES = ["brand_ours", "brand_rival", "build_to_order", "warranty_years", "advisor", "delivery_days",
            "price_guarantee", "delivery_install"]


def _code(offers: pd.DataFrame) -> pd.DataFrame:
    brand = offers["brand"].astype(str)
    return pd.DataFrame({"brand_ours": (brand == "ours").astype(float), "brand_rival": (brand == "rival").astype(float),
                         "build_to_order": offers["build_to_order"].astype(float),
                         "warranty_years": offers["warranty_years"].astype(float),
                         "advisor": offers["advisor"].astype(float), "price_k": offers["price"] / 1000,
                         "delivery_days": offers["delivery_days"].astype(float),
                         "price_guarantee": offers["price_guarantee"].astype(float),
                         "delivery_install": offers["delivery_install"].astype(float)})


def _fit(world):
    ch = world.tables["choices"]
    groups = (ch["respondent_id"] * 1000 + ch["task"]).to_numpy()
    return ConditionalLogit(ch["chosen"].astype(float), _code(ch), groups=groups).fit(disp=0)


def _wtp_and_se(fit):
    b, cov = fit.params, fit.cov_params().to_numpy()
    out = {}
    for k in FEATURES:
        wtp = -1000 * b[k] / b["price_k"]
        grad = np.zeros(len(b))
        grad[list(b.index).index(k)] = -1000 / b["price_k"]
        grad[list(b.index).index("price_k")] = 1000 * b[k] / b["price_k"] ** 2
        out[k] = (wtp, float(np.sqrt(grad @ cov @ grad)))
    return out


@pytest.fixture(scope="module", params=[(42, {}), (7, {"n_respondents": 1200, "wtp_price_guarantee": 500.0,
                                                         "time_cost_per_day": 60.0})], ids=["seed42", "seed7-big"])
def fitted(request):
    seed, knobs = request.param
    w = make("perceived_value", seed=seed, **knobs)
    return w, _fit(w)


def test_conditional_logit_recovers_price_coefficient_and_wtp(fitted):
    """Planted truth (world.truth['price_coef'], ['wtp']): the price coefficient within 4 standard errors, every WTP
    within 4 delta-method standard errors (a family of 9 estimates: 4 SE keeps a false alarm rare), and within 35%
    for the large WTPs (>= 150 yuan)."""
    w, fit = fitted
    assert fit.params["price_k"] == pytest.approx(w.truth["price_coef"], abs=4 * fit.bse["price_k"])
    for k, (wtp, se) in _wtp_and_se(fit).items():
        planted = w.truth["wtp"][k]
        assert abs(wtp - planted) <= 4 * se, k
        if abs(planted) >= 150:
            assert wtp == pytest.approx(planted, rel=0.35), k


def test_delta_method_se_agrees_with_a_parametric_bootstrap(fitted):
    """Independent check of the delta method: the standard deviation of -b_k / b_price over 4000 draws from the
    estimates' normal sampling distribution is within 15% of the delta-method standard error."""
    _, fit = fitted
    draws = np.random.default_rng(0).multivariate_normal(fit.params.to_numpy(), fit.cov_params().to_numpy(), 4000)
    p = list(fit.params.index).index("price_k")
    for k, (_, se) in _wtp_and_se(fit).items():
        sim = -1000 * draws[:, list(fit.params.index).index(k)] / draws[:, p]
        assert sim.std() == pytest.approx(se, rel=0.15), k


def test_logit_shares_and_delivered_value_recover_the_planted_market(fitted):
    """Planted truth (world.truth['market']): the fitted logit shares of today's offers within 0.06 of the planted
    shares; delivered value from the estimated WTP (crmlab.value.customer_delivered_value) orders the offers as the
    planted delivered value does whenever the planted values differ by more than 250 yuan."""
    w, fit = fitted
    m = w.tables["market"]
    v = _code(m).to_numpy() @ fit.params.to_numpy()
    share = np.exp(v - v.max()) / np.exp(v - v.max()).sum()
    truth = w.truth["market"]
    assert np.abs(share - truth["share"].to_numpy()).max() < 0.06
    wtp = {k: s[0] for k, s in _wtp_and_se(fit).items()}
    comps = pd.DataFrame({"product": 6000 + wtp["build_to_order"] * m["build_to_order"],
                          "service": wtp["warranty_years"] * m["warranty_years"],
                          "personnel": wtp["advisor"] * m["advisor"],
                          "image": m["brand"].astype(str).map({"ours": wtp["brand_ours"], "rival": wtp["brand_rival"],
                                                               "newcomer": 0.0}).astype(float),
                          "money": m["price"], "time": -wtp["delivery_days"] * m["delivery_days"],
                          "mental": wtp["price_guarantee"] * (1 - m["price_guarantee"].astype(float)),
                          "physical": wtp["delivery_install"] * (1 - m["delivery_install"].astype(float))}).clip(lower=0)
    found = customer_delivered_value(comps)["delivered_value"].to_numpy()
    planted = truth["delivered_value"].to_numpy()
    for i in range(3):
        for j in range(3):
            if planted[i] - planted[j] > 250:
                assert found[i] > found[j]


def test_planted_delivered_value_is_the_utility_in_yuan():
    """Internal consistency of the world: the planted utility of each market offer equals price_sensitivity x
    delivered value / 1000 up to one common constant (delivered value is identified only up to a constant)."""
    w = make("perceived_value", seed=3, price_sensitivity=2.0)
    t = w.truth["market"]
    diff = t["utility"] - 2.0 * t["delivered_value"] / 1000
    assert np.ptp(diff.to_numpy()) < 1e-9


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q2 WTP right in one world is wrong in a world whose
    price guarantee is worth twice as much."""
    w1 = make("perceived_value", seed=1, n_respondents=200)
    w2 = make("perceived_value", seed=1, n_respondents=200, wtp_price_guarantee=500.0)
    a1, a2 = solve("perceived_value", w1)["q2"], solve("perceived_value", w2)["q2"]
    assert Checker("perceived_value", w1)("q2", a1) and Checker("perceived_value", w2)("q2", a2)
    assert not Checker("perceived_value", w2)("q2", a1)
