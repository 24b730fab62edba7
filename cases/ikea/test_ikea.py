"""Case ``ikea`` beyond the contract: the world (cases/ikea/world.py) gives back its planted truth by the
notebook's own methods — the importances (OLS of satisfaction on the six ratings), the showroom's effect on the
basket (OLS of log basket with purpose and household controls, while the raw comparison overstates it), the IKEA
effect among finishers and the completion rate, and the take-up of assembly + delivery at the list price (logistic
regression on log price) — at the default seed and at another seed with a larger world.
"""
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from crmlab.worlds import make

RATINGS = ["rating_showroom", "rating_price_value", "rating_product_range", "rating_staff_help",
           "rating_checkout", "rating_assembly_ease"]


@pytest.fixture(scope="module", params=[(42, 3000, 400), (7, 12000, 4000)], ids=["default", "seed7-large"])
def world(request):
    seed, n, m = request.param
    return make("ikea", seed=seed, n_visits=n, n_participants=m)


def test_key_driver_regression_recovers_the_importances(world):
    """Against the planted importances: every OLS coefficient within 4 standard errors of its planted value, and the
    ranking of the two most important drivers is right."""
    v = world.tables["visits"]
    fit = smf.ols("overall_satisfaction ~ " + " + ".join(RATINGS), data=v).fit()
    imp = world.truth["importance"]
    for col in RATINGS:
        assert abs(fit.params[col] - imp[col[len("rating_"):]]) < 4 * fit.bse[col], col
    top2 = fit.params[RATINGS].sort_values(ascending=False).index[:2]
    assert list(top2) == ["rating_showroom", "rating_price_value"]


def test_halo_makes_correlations_bunch_while_importances_spread(world):
    """Against the planted importances (the halo effect): the relative spread (range / mean) of the importances is more
    than twice that of the ratings' simple correlations with satisfaction."""
    v = world.tables["visits"]
    r = v[RATINGS].corrwith(v["overall_satisfaction"])
    imp = np.array(list(world.truth["importance"].values()))
    assert (imp.max() - imp.min()) / imp.mean() > 2 * (r.max() - r.min()) / r.mean()


def test_adjusted_regression_recovers_the_showroom_lift_and_the_raw_one_overstates_it(world):
    """Against the planted showroom_lift (log points): the adjusted coefficient within 4 standard errors; the raw
    coefficient at least twice the planted one."""
    v = world.tables["visits"].assign(log_basket=lambda d: np.log(d["basket_eur"]))
    adj = smf.ols("log_basket ~ walked_showroom + C(purpose) + C(household)", data=v).fit()
    raw = smf.ols("log_basket ~ walked_showroom", data=v).fit()
    term, lift = "walked_showroom[T.True]", world.truth["showroom_lift"]
    assert abs(adj.params[term] - lift) < 4 * adj.bse[term]
    assert raw.params[term] > 2 * lift


def test_ikea_effect_and_completion(world):
    """Against the planted ikea_effect and p_complete: the finishers' premium over the prebuilt group within 0.25
    (0.12 in the large world), the completion rate within 4 binomial standard errors."""
    t = world.tables["assembly_test"]
    build = t["condition"] == "build"
    premium = t.loc[build & t["completed"], "valuation_eur"].mean() / t.loc[~build, "valuation_eur"].mean() - 1
    tol = 0.25 if len(t) < 1000 else 0.12
    assert premium == pytest.approx(world.truth["ikea_effect"], abs=tol)
    p = world.truth["p_complete"]
    assert abs(t.loc[build, "completed"].mean() - p) < 4 * np.sqrt(p * (1 - p) / build.sum())


def test_demand_curve_recovers_the_take_up_at_the_list_price(world):
    """Against the planted expected take-up (computed from the log-normal willingness to pay): the logistic fit on
    log price within 0.05 of it, and take-up falls with price."""
    v = world.tables["visits"]
    flat = v[v["bought_flatpack"]].assign(took=lambda d: d["took_service"].astype(float))
    demand = smf.logit("took ~ np.log(service_price)", data=flat).fit(disp=0)
    assert demand.params["np.log(service_price)"] < 0
    at = float(demand.predict(pd.DataFrame({"service_price": [round(world.knobs["delivery_price"])]})).iloc[0])
    assert at == pytest.approx(world.truth["take_up_at_price"], abs=0.05)


def test_levers_move_the_truth_in_the_stated_direction():
    """Against the knobs' stated meaning: harder assembly lowers the completion rate and the ease-of-assembly rating
    and raises the take-up of the service; a better showroom raises the showroom rating."""
    easy, hard = make("ikea", seed=1, assembly_difficulty=0.1), make("ikea", seed=1, assembly_difficulty=0.9)
    assert hard.truth["p_complete"] < easy.truth["p_complete"]
    assert hard.tables["visits"]["rating_assembly_ease"].mean() < easy.tables["visits"]["rating_assembly_ease"].mean()
    assert hard.truth["take_up_at_price"] > easy.truth["take_up_at_price"]
    poor, good = make("ikea", seed=1, showroom_quality=0.1), make("ikea", seed=1, showroom_quality=0.9)
    assert good.tables["visits"]["rating_showroom"].mean() > poor.tables["visits"]["rating_showroom"].mean() + 2
