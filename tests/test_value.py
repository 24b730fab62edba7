"""Tests for crmlab.value: closed forms checked against brute-force discounted sums and hand-computed tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.value import cohort_clv, customer_delivered_value, customer_equity, retention_clv


def brute_force_clv(m: float, r: float, d: float, periods: int) -> float:
    """Σ_{t=1..periods} m r^t / (1 + d)^t by a plain loop."""
    total, alive, factor = 0.0, 1.0, 1.0
    for _ in range(periods):
        alive *= r
        factor /= 1.0 + d
        total += m * alive * factor
    return total


@pytest.mark.parametrize("m,r,d", [(100.0, 0.8, 0.1), (35.0, 0.6, 0.12), (-20.0, 0.9, 0.05), (50.0, 0.0, 0.1)])
def test_retention_clv_equals_long_brute_force_sum(m, r, d):
    assert retention_clv(m, r, d) == pytest.approx(brute_force_clv(m, r, d, 2000), rel=1e-12, abs=1e-12)
    assert retention_clv(m, r, d, horizon=7) == pytest.approx(brute_force_clv(m, r, d, 7), rel=1e-12, abs=1e-12)


def test_retention_clv_textbook_margin_multiple_and_broadcasting():
    # margin multiple r / (1 + d - r): r = 0.8, d = 0.12 gives 0.8 / 0.32 = 2.5
    assert retention_clv(1.0, 0.8, 0.12) == pytest.approx(2.5)
    grid = retention_clv(np.array([[100.0], [200.0]]), np.array([0.6, 0.8, 0.9]), 0.1)
    assert grid.shape == (2, 3)
    np.testing.assert_allclose(grid[1], 2 * grid[0])
    assert (np.diff(grid[0]) > 0).all()  # higher retention, higher value
    assert retention_clv(100.0, 1.0, 0.0, horizon=4) == pytest.approx(400.0)
    assert retention_clv(100.0, 1.0, 0.25) == pytest.approx(400.0)


def test_retention_clv_refuses_bad_arguments():
    with pytest.raises(ValueError, match="retention"):
        retention_clv(100.0, 1.2, 0.1)
    with pytest.raises(ValueError, match="discount"):
        retention_clv(100.0, 0.5, -0.1)
    with pytest.raises(ValueError, match="infinite"):
        retention_clv(100.0, 1.0, 0.0)
    with pytest.raises(TypeError, match="margin"):
        retention_clv("lots", 0.5, 0.1)
    with pytest.raises(ValueError, match="margin"):
        retention_clv(np.nan, 0.5, 0.1)
    with pytest.raises(ValueError, match="horizon"):
        retention_clv(1.0, 0.5, 0.1, horizon=-1)


def test_cohort_clv_hand_computed_table():
    """Margins 100/90/80, retention 0.5 then 0.6, d = 10%, acquisition cost 20 (worked by hand)."""
    t = cohort_clv([100.0, 90.0, 80.0], [0.5, 0.6], 0.1, acquisition_cost=20.0, cohort_size=1000)
    np.testing.assert_allclose(t["survival"], [1.0, 0.5, 0.3])
    np.testing.assert_allclose(t["customers"], [1000, 500, 300])
    np.testing.assert_allclose(t["pv_per_customer"], [100.0, 45 / 1.1, 24 / 1.21])
    assert t["cumulative_clv"].iloc[-1] == pytest.approx(100 + 45 / 1.1 + 24 / 1.21 - 20)
    assert t["cohort_value"].iloc[-1] == pytest.approx(1000 * t["cumulative_clv"].iloc[-1])
    assert np.isnan(t["retention"].iloc[0]) and t.index.name == "period"


def test_cohort_clv_long_horizon_equals_margin_now_plus_retention_clv():
    t = cohort_clv(100.0, 0.8, 0.1, periods=400)
    assert t["cumulative_clv"].iloc[-1] == pytest.approx(100.0 + retention_clv(100.0, 0.8, 0.1), rel=1e-12)
    t5 = cohort_clv(100.0, 0.8, 0.1, periods=5)
    assert t5["cumulative_clv"].iloc[-1] == pytest.approx(100.0 + brute_force_clv(100.0, 0.8, 0.1, 4))


def test_cohort_clv_refuses_inconsistent_lengths():
    with pytest.raises(ValueError, match="periods is required"):
        cohort_clv(100.0, 0.8, 0.1)
    with pytest.raises(ValueError, match="retention has 3 values"):
        cohort_clv([1.0, 2.0, 3.0], [0.5, 0.5, 0.5], 0.1)
    with pytest.raises(ValueError, match="margin has 2 values"):
        cohort_clv([1.0, 2.0], 0.5, 0.1, periods=3)
    with pytest.raises(ValueError, match="acquisition_cost"):
        cohort_clv(1.0, 0.5, 0.1, periods=3, acquisition_cost=-1.0)


def test_customer_equity_sums_segments_and_prospects():
    ce = customer_equity(pd.Series([300.0, 50.0]), counts=[100, 1000], prospects=2000, acquisition_rate=0.05,
                         acquisition_cost=4.0, prospect_clv=120.0)
    assert ce["current"] == pytest.approx(100 * 300 + 1000 * 50)
    assert ce["prospective"] == pytest.approx(2000 * (0.05 * 120 - 4))
    assert ce["total"] == pytest.approx(ce["current"] + ce["prospective"])
    per_customer = np.random.default_rng(0).gamma(2.0, 100.0, 500)
    assert customer_equity(per_customer)["total"] == pytest.approx(per_customer.sum())
    with pytest.raises(ValueError, match="counts"):
        customer_equity([1.0, 2.0], counts=[1, 2, 3])
    with pytest.raises(ValueError, match="acquisition_rate"):
        customer_equity([1.0], acquisition_rate=1.5)


def test_customer_delivered_value_from_components():
    offers = pd.DataFrame({
        "product": [600, 550], "service": [150, 80], "personnel": [50, 40], "image": [100, 60],
        "money": [500, 420], "time": [60, 20], "mental": [30, 40], "physical": [10, 5],
    }, index=["us", "rival"])
    cdv = customer_delivered_value(offers)
    assert cdv.loc["us"].tolist() == pytest.approx([900, 600, 300, 1.5])
    assert cdv.loc["rival"].tolist() == pytest.approx([730, 485, 245, 730 / 485])
    one = customer_delivered_value({"product": 10, "service": 0, "personnel": 0, "image": 0,
                                    "money": 0, "time": 0, "mental": 0, "physical": 0})
    assert one["delivered_value"].iloc[0] == 10 and np.isnan(one["value_ratio"].iloc[0])
    with pytest.raises(ValueError, match="'physical'"):
        customer_delivered_value(offers.drop(columns="physical"))
    with pytest.raises(ValueError, match="'time'.*negative"):
        customer_delivered_value(offers.assign(time=[-1, 5]))
    with pytest.raises(TypeError, match="data"):
        customer_delivered_value([1, 2, 3])
