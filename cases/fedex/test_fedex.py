"""The fedex world: schema, determinism, knob validation, and recovery of its planted truth.

Truth checked: unit costs (weighted least squares of cost on the drivers), the customer pyramid and
the whale curve (from the planted profit), and the retention coefficients (logistic regression).
"""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from crmlab.worlds import make

DRIVERS = ["shipments", "pickups", "special_handling", "returns", "service_calls"]


@pytest.fixture(scope="module")
def big():
    return make("fedex", seed=3, n_customers=5000, cost_noise=0.03)


def test_schema_and_size():
    w = make("fedex")
    w.check_schema()
    a = w.tables["accounts"]
    assert len(a) == 2000 and a["customer_id"].is_unique
    assert list(w.truth["accounts"].index) == list(a["customer_id"])
    assert (a[DRIVERS] >= 0).all().all() and (a["shipments"] >= 1).all()


@pytest.mark.parametrize("knobs, error, pattern", [
    ({"n_customers": 5}, ValueError, r"knob 'n_customers' of world 'fedex' must be >= 20"),
    ({"cost_per_pickup": "30"}, TypeError, r"'cost_per_pickup'.*must be a number"),
    ({"max_discount": 0.95}, ValueError, r"'max_discount'.*<= 0.9"),
    ({"cost_noise": -0.1}, ValueError, r"'cost_noise'.*>= 0"),
])
def test_bad_knobs_are_refused_by_name(knobs, error, pattern):
    with pytest.raises(error, match=pattern):
        make("fedex", **knobs)


def test_weighted_regression_recovers_the_unit_costs(big):
    """WLS of cost_to_serve on the six drivers + intercept: unit costs within 8%, fixed cost within 8%,
    cost of capital (a small, collinear driver) within 35%."""
    a = big.tables["accounts"]
    X = np.column_stack([a[d] for d in DRIVERS] + [a["revenue"] * a["days_to_pay"] / 365, np.ones(len(a))])
    y = a["cost_to_serve"].to_numpy()
    coef, *_ = np.linalg.lstsq(X / y[:, None], np.ones_like(y), rcond=None)
    u = big.truth["unit_costs"]
    for got, name in zip(coef, DRIVERS + ["cost_of_capital", "fixed_cost"]):
        tol = 0.35 if name == "cost_of_capital" else 0.08
        assert got == pytest.approx(u[name], rel=tol), name


def test_pyramid_and_whale_curve(big):
    """Tiers follow the stated rule on the planted profit; the whale curve peaks well above 100% and some
    of the highest-revenue accounts are loss-making (lead)."""
    a, t = big.tables["accounts"], big.truth["accounts"]
    profit = t["profit"].to_numpy()
    assert np.allclose(profit, a["revenue"] - a["cost_to_serve"])
    n = len(a)
    tier = t["tier"].astype(str).to_numpy()
    assert ((tier == "lead") == (profit < 0)).all()
    assert (tier == "platinum").sum() == round(0.1 * n) and (tier == "gold").sum() == round(0.2 * n)
    assert profit[tier == "platinum"].min() >= profit[tier == "gold"].max() >= profit[tier == "iron"].max()
    whale = np.cumsum(np.sort(profit)[::-1]) / profit.sum()
    assert whale.max() > 1.2
    top = (a["revenue"] >= a["revenue"].quantile(0.9)).to_numpy()
    assert 0.05 < (tier[top] == "lead").mean() < 0.8
    assert 0.1 < big.truth["share_unprofitable"] < 0.4


def test_predicted_profit_recovers_the_unprofitable_accounts(big):
    """Revenue minus the regression's predicted cost classifies lead accounts correctly >= 90% of the time."""
    a = big.tables["accounts"]
    X = np.column_stack([a[d] for d in DRIVERS] + [a["revenue"] * a["days_to_pay"] / 365, np.ones(len(a))])
    y = a["cost_to_serve"].to_numpy()
    coef, *_ = np.linalg.lstsq(X / y[:, None], np.ones_like(y), rcond=None)
    lead_hat = a["revenue"].to_numpy() - X @ coef < 0
    assert (lead_hat == (big.truth["accounts"]["tier"] == "lead").to_numpy()).mean() > 0.9


def test_logistic_regression_recovers_the_retention_coefficients(big):
    a = big.tables["accounts"]
    X = np.column_stack([100 * a["on_time_rate"] - 95, a["tracking_user"]])
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(X, a["retained"])
    rc = big.truth["retention_coef"]
    assert lr.intercept_[0] == pytest.approx(rc["intercept"], abs=0.2)
    assert lr.coef_[0][0] == pytest.approx(rc["on_time_pp"], abs=0.05)
    assert lr.coef_[0][1] == pytest.approx(rc["tracking_user"], abs=0.2)
