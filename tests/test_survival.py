"""Tests of crmlab.survival, each against something computed independently of the estimator: a direct count
of the durations (no censoring), the product-limit values worked by hand, an integral of the step curve worked by
hand, a quantile read off a sorted sample, and dates subtracted by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab import survival


# ------------------------------------------------------------------------------------- no censoring: counts
def test_kaplan_meier_equals_direct_count_without_censoring():
    """With every event seen, S(t) is the plain share of durations > t (brute-force count), at every t."""
    rng = np.random.default_rng(1)
    d = np.round(rng.exponential(10.0, size=400), 1)  # rounded: many ties
    fit = survival.kaplan_meier(d, np.ones(d.size, dtype=bool))
    grid = np.r_[0.0, np.unique(d), np.unique(d) + 0.05, d.max() + 1]
    direct = (d[None, :] > grid[:, None]).mean(axis=1)
    np.testing.assert_allclose(survival.survival_at(fit, grid), direct, atol=1e-12)


def test_greenwood_se_is_binomial_without_censoring():
    """Without censoring Greenwood's variance reduces to the binomial S (1 - S) / n."""
    d = np.arange(1.0, 11.0)
    fit = survival.kaplan_meier(d, np.ones(10, dtype=bool))
    for t in (1, 3.5, 7):
        s = (d > t).mean()
        assert survival.survival_se_at(fit, t) == pytest.approx(np.sqrt(s * (1 - s) / 10))
    assert survival.survival_se_at(fit, 0.5) == 0.0  # before the first event


def test_restricted_mean_without_censoring_is_mean_of_truncated_durations():
    """No censoring: area under S up to h = mean of min(duration, h) (a direct average)."""
    rng = np.random.default_rng(2)
    d = rng.gamma(2.0, 5.0, size=300)
    fit = survival.kaplan_meier(d, np.ones(d.size, dtype=bool))
    for h in (1.0, 7.5, 20.0, d.max() + 3):
        assert survival.restricted_mean(fit, h) == pytest.approx(np.minimum(d, h).mean(), rel=1e-12)


def test_median_without_censoring_is_read_off_the_sorted_sample():
    """No censoring, n = 9 distinct times: S first drops below 0.5 at the 5th smallest, below 0.1 at the 9th."""
    d = np.array([7.0, 1.0, 9.0, 4.0, 2.0, 8.0, 3.0, 6.0, 5.0])
    table = survival.quantiles(survival.kaplan_meier(d, np.ones(9, dtype=bool)), q=(0.5, 0.9))
    assert table.loc[0.5, "time"] == 5.0 and table.loc[0.9, "time"] == 9.0
    assert list(table.columns) == ["time", "ci_low", "ci_high"]
    assert table.loc[0.5, "ci_low"] <= 5.0 <= table.loc[0.5, "ci_high"]


# ------------------------------------------------------------------------------ censoring: worked by hand
# durations 1, 2+, 3, 3, 4+, 5, 6+, 8 (+ = censored). At risk / events at each event time:
#   t=1: 8 at risk, 1 event -> S = 7/8
#   t=3: 6 at risk (2+ left), 2 events -> S = 7/8 * 4/6 = 7/12
#   t=5: 3 at risk (4+ left), 1 event -> S = 7/12 * 2/3 = 7/18
#   t=8: 1 at risk (6+ left), 1 event -> S = 0
HAND_D = [1, 2, 3, 3, 4, 5, 6, 8]
HAND_E = [True, False, True, True, False, True, False, True]
HAND_S = {0.5: 1.0, 1: 7 / 8, 2.9: 7 / 8, 3: 7 / 12, 4.99: 7 / 12, 5: 7 / 18, 7.9: 7 / 18, 8: 0.0, 9: 0.0}


def test_product_limit_values_by_hand():
    """The censored example above: the product-limit values worked by hand, read as a right-continuous step."""
    fit = survival.kaplan_meier(HAND_D, HAND_E)
    assert fit.surv_times.tolist() == [1.0, 3.0, 5.0, 8.0]
    for t, s in HAND_S.items():
        assert survival.survival_at(fit, t) == pytest.approx(s, abs=1e-12), t
    np.testing.assert_allclose(survival.survival_at(fit, np.array(list(HAND_S))), list(HAND_S.values()),
                               atol=1e-12)


def test_greenwood_se_by_hand():
    """Greenwood at t=3: S^2 (1/(8*7) + 2/(6*4)), worked by hand from the risk sets above."""
    fit = survival.kaplan_meier(HAND_D, HAND_E)
    expected = 7 / 12 * np.sqrt(1 / (8 * 7) + 2 / (6 * 4))
    assert survival.survival_se_at(fit, 3.5) == pytest.approx(expected, rel=1e-12)


def test_restricted_mean_is_the_integral_by_hand():
    """Area under the hand-worked step curve: 1*1 + 7/8*2 + 7/12*2 + 7/18*(h-5) for 5 <= h <= 8."""
    fit = survival.kaplan_meier(HAND_D, HAND_E)
    assert survival.restricted_mean(fit, 0.5) == pytest.approx(0.5)
    assert survival.restricted_mean(fit, 3) == pytest.approx(1 + 7 / 8 * 2)
    assert survival.restricted_mean(fit, 7) == pytest.approx(1 + 7 / 8 * 2 + 7 / 12 * 2 + 7 / 18 * 2)
    assert survival.restricted_mean(fit, 10) == pytest.approx(1 + 7 / 8 * 2 + 7 / 12 * 2 + 7 / 18 * 3)
    assert survival.restricted_mean(fit, 0) == 0.0


def test_median_with_censoring_by_hand():
    """The curve above first falls below 0.5 at t=5 (7/18); below 1 - 0.2 = 0.8 at t=3 (7/12)."""
    table = survival.quantiles(survival.kaplan_meier(HAND_D, HAND_E), q=(0.2, 0.5))
    assert table["time"].tolist() == [3.0, 5.0]


def test_kaplan_meier_agrees_with_simulation_under_censoring():
    """Exponential times (mean 10) censored by uniform follow-up: S(t) close to exp(-t/10) (simulation)."""
    rng = np.random.default_rng(3)
    t_true = rng.exponential(10.0, size=20_000)
    follow = rng.uniform(0, 30, size=t_true.size)
    fit = survival.kaplan_meier(np.minimum(t_true, follow), t_true <= follow)
    for t in (2.0, 5.0, 10.0, 15.0):
        assert survival.survival_at(fit, t) == pytest.approx(np.exp(-t / 10), abs=0.015)
    assert survival.restricted_mean(fit, 15) == pytest.approx(10 * (1 - np.exp(-1.5)), abs=0.15)


# ------------------------------------------------------------------------------------------------ durations
def test_durations_censor_at_as_of():
    """Hours by hand: a closed ticket is its own span; an open one, or one closed after as_of, runs to as_of."""
    opened = pd.Series(pd.to_datetime(["2024-01-01 00:00", "2024-01-01 12:00", "2024-01-02 00:00"]),
                       index=[10, 11, 12], name="opened_at")
    closed = pd.Series(pd.to_datetime(["2024-01-01 06:00", None, "2024-01-05 00:00"]), index=[10, 11, 12])
    d, e = survival.durations(opened, closed, as_of=pd.Timestamp("2024-01-03"), unit="H")
    assert d.tolist() == [6.0, 36.0, 24.0]
    assert e.tolist() == [True, False, False]
    assert d.index.tolist() == [10, 11, 12]


def test_durations_units_and_per_row_as_of():
    """Months of 365.25/12 days and weeks of 7 days, with one extract date per row."""
    signed = pd.Series(pd.to_datetime(["2023-01-01", "2023-06-01"]))
    gone = pd.Series(pd.to_datetime([None, "2023-06-15"]))
    until = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01"]))
    d, e = survival.durations(signed, gone, until, unit="months")
    assert d.tolist() == pytest.approx([365 / (365.25 / 12), 14 / (365.25 / 12)])
    assert e.tolist() == [False, True]
    d, _ = survival.durations(signed, gone, until, unit="W")
    assert d.tolist() == pytest.approx([365 / 7, 2.0])


def test_durations_refuse_end_before_start():
    """An end before its start is an error naming the parameters, their columns and the row."""
    start = pd.Series(pd.to_datetime(["2024-01-05", "2024-01-05"]), name="signed_on")
    end = pd.Series(pd.to_datetime(["2024-01-06", "2024-01-01"]), name="cancelled_on")
    with pytest.raises(ValueError, match=r"end \(column 'cancelled_on'\) is before start \(column 'signed_on'\).*row 1"):
        survival.durations(start, end, as_of="2024-02-01")
    with pytest.raises(ValueError, match="as_of is before start"):
        survival.durations(start, pd.Series([pd.NaT, pd.NaT]), as_of="2024-01-01")


def test_durations_refuse_bad_input():
    start = pd.Series(pd.to_datetime(["2024-01-05"]))
    with pytest.raises(TypeError, match="end must hold dates"):
        survival.durations(start, pd.Series(["2024-01-06"]), as_of="2024-02-01")
    with pytest.raises(ValueError, match="start has 1 missing"):
        survival.durations(pd.Series([pd.NaT]), pd.Series([pd.NaT]), as_of="2024-02-01")
    with pytest.raises(ValueError, match="unit"):
        survival.durations(start, start, as_of="2024-02-01", unit="fortnights")
    with pytest.raises(TypeError, match="as_of"):
        survival.durations(start, start, as_of=3.5j)


def test_kaplan_meier_refuses_bad_input():
    with pytest.raises(ValueError, match="negative"):
        survival.kaplan_meier([1.0, -2.0], [True, True])
    with pytest.raises(TypeError, match="event must hold True/False"):
        survival.kaplan_meier([1.0, 2.0], [1, 2])
    with pytest.raises(ValueError, match="event has 1 values but duration has 2"):
        survival.kaplan_meier([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="missing or infinite"):
        survival.kaplan_meier([1.0, np.nan], [True, True])
    with pytest.raises(TypeError, match="fit must be"):
        survival.survival_at("curve", 3)
    fit = survival.kaplan_meier([1.0, 2.0], [True, True])
    with pytest.raises(ValueError, match="horizon must be >= 0"):
        survival.restricted_mean(fit, -1)
    with pytest.raises(ValueError, match="q must be"):
        survival.quantiles(fit, q=(0.5, 1.0))
