"""customer_lifetime_value and the output shapes of predictions.

Independent checks: with no discounting the month-by-month sum telescopes to spend x E[purchases over the
whole horizon]; a brute-force loop over months and customers; discounting can only lower the value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel, customer_lifetime_value, load_cdnow

BG = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = ParetoNBDModel.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
GG = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)


@pytest.fixture(scope="module")
def summary():
    return load_cdnow("summary").iloc[:300]


@pytest.mark.parametrize("model", [BG, PN])
def test_undiscounted_clv_telescopes_to_spend_times_expected_purchases(model, summary):
    s = summary
    clv = customer_lifetime_value(model, GG, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                  horizon=12, discount_rate=0.0, freq="W")
    spend = GG.conditional_expected_average_spend(s["frequency"], s["monetary_value"])
    purchases = model.conditional_expected_purchases(12 * 4.345, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(clv, spend * purchases, rtol=1e-12)
    assert isinstance(clv, pd.Series) and clv.index.equals(s.index)


def test_clv_matches_brute_force_loop_over_customers_and_months(summary):
    s = summary.iloc[:20]
    clv = customer_lifetime_value(BG, GG, s["frequency"], s["recency"], s["T"], s["monetary_value"], horizon=6,
                                  discount_rate=0.02, freq="W")
    for i, (x, tx, T, m) in enumerate(s[["frequency", "recency", "T", "monetary_value"]].itertuples(index=False)):
        spend = 6.25 * (15.44 + x * m) / (6.25 * x + 3.74 - 1)
        total = 0.0
        for month in range(1, 7):
            bought = (BG.conditional_expected_purchases(month * 4.345, x, tx, T)
                      - BG.conditional_expected_purchases((month - 1) * 4.345, x, tx, T))
            total += spend * bought / 1.02 ** month
        assert clv.iloc[i] == pytest.approx(total, rel=1e-12)


def test_time_unit_invariance_and_discounting_lowers_value():
    """Measuring time in days instead of weeks multiplies alpha (and beta) by 7 and changes nothing else:
    predictions agree exactly; CLV agrees up to the month lengths (30 days vs 4.345 weeks = 30.415 days)."""
    for weekly, daily in [(BG, BetaGeoModel.from_params(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)),
                          (PN, ParetoNBDModel.from_params(r=0.553, alpha=10.578 * 7, s=0.606, beta=11.669 * 7))]:
        assert daily.conditional_expected_purchases(39 * 7, 2, 30.43 * 7, 38.86 * 7) == pytest.approx(
            weekly.conditional_expected_purchases(39, 2, 30.43, 38.86), rel=1e-12)
        assert daily.probability_alive(2, 30.43 * 7, 38.86 * 7) == pytest.approx(
            weekly.probability_alive(2, 30.43, 38.86), rel=1e-12)
        in_weeks = customer_lifetime_value(weekly, GG, 2, 30.43, 38.86, 22.35, horizon=12, discount_rate=0.01,
                                           freq="W")
        in_days = customer_lifetime_value(daily, GG, 2, 30.43 * 7, 38.86 * 7, 22.35, horizon=12,
                                          discount_rate=0.01, freq="D")
        # A 30-day month is 1.4% shorter than a 4.345-week one, so the daily CLV is slightly (< 2%) lower.
        assert 0.98 * in_weeks < in_days < in_weeks
        undiscounted = customer_lifetime_value(weekly, GG, 2, 30.43, 38.86, 22.35, horizon=12, discount_rate=0.0)
        assert 0 < in_weeks < undiscounted


def test_prediction_output_types_follow_inputs():
    assert isinstance(BG.probability_alive(2, 30.43, 38.86), float)
    arr = BG.probability_alive(np.array([0, 2]), np.array([0.0, 30.43]), 38.86)
    assert isinstance(arr, np.ndarray) and arr.shape == (2,)
    ser = BG.probability_alive(pd.Series([0, 2], index=["a", "b"]), [0.0, 30.43], [38.86, 38.86])
    assert isinstance(ser, pd.Series) and list(ser.index) == ["a", "b"]
    assert arr[0] == 1.0  # BG/NBD: no repeat purchase means no chance yet to drop out
    horizons = BG.conditional_expected_purchases(np.array([10.0, 20.0]), [2, 2], [30.43, 30.43], [38.86, 38.86])
    assert horizons[0] < horizons[1]


def test_clv_accepts_the_worlds_unit_words_as_its_codes():
    """``freq=world.truth["time_unit"]`` ("weeks") gives the same CLV as "W"; nonsense is refused by name."""
    import numpy as np
    import pytest as _pytest

    import crmlab
    from crmlab.clv import BetaGeoModel, GammaGammaModel, customer_lifetime_value

    world = crmlab.worlds.make("transactions", seed=5, n_customers=2000)
    s = crmlab.rfm_summary(world.tables["transactions"], time_unit=world.truth["time_unit"],
                           observation_end=world.truth["observation_end"])
    bg = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    rep = s[s["frequency"] > 0]
    gg = GammaGammaModel().fit(rep["frequency"], rep["monetary_value"])
    args = (bg, gg, s["frequency"], s["recency"], s["T"], s["monetary_value"])
    a = np.asarray(customer_lifetime_value(*args, freq="W"))
    b = np.asarray(customer_lifetime_value(*args, freq=world.truth["time_unit"]))
    assert np.isfinite(a).all() and np.array_equal(a, b)
    assert not np.array_equal(a, np.asarray(customer_lifetime_value(*args, freq="D")))
    with _pytest.raises(ValueError, match="freq must be one of"):
        customer_lifetime_value(*args, freq="fortnight")
