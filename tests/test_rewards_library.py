"""Tests for crmlab.rewards: points and vouchers, programme economics (closed form vs simulation with a
control group), airline tiers and imitation, hotel and restaurant rules, word of mouth and retention
economics. Each test says what it is checked against."""
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab import rewards as R


# ------------------------------------------------------------------------------------ points & vouchers
def test_points_vouchers_hand_example():
    """Quarterly vouchers with carry-over, worked by hand: 1% of 120 = 1.20 (< 1.50, carried), then
    1.20 + 0.90 = 2.10 -> voucher 2.00, carry 0.10; customer 2 starts in Q2."""
    tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "date": ["2024-01-05", "2024-04-02", "2024-05-01", "2024-06-30"],
                       "amount": [120.0, 90.0, 200.0, 60.0]})
    out = R.points_vouchers(tx)
    assert out["customer_id"].tolist() == [1, 1, 2]
    assert np.allclose(out["voucher"], [0.0, 2.0, 2.5])
    assert np.allclose(out["carried"], [1.2, 0.1, 0.1])


def test_points_vouchers_matches_per_customer_loop():
    """Vectorised result vs a plain loop over customers and quarters on random transactions."""
    rng = np.random.default_rng(0)
    n = 400
    tx = pd.DataFrame({"customer_id": rng.integers(0, 30, n),
                       "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
                       "amount": rng.gamma(2.0, 40.0, n).round(2)})
    out = R.points_vouchers(tx, points_rate=0.01, voucher_unit=0.5, min_voucher=1.5)
    quarters = pd.period_range("2023Q1", "2024Q4", freq="Q")
    expected = []
    for cust in sorted(tx["customer_id"].unique()):
        mine = tx[tx["customer_id"] == cust]
        q_of = mine["date"].dt.to_period("Q")
        balance = 0  # in whole 1p points
        for q in quarters:
            if q < q_of.min():
                continue
            balance += sum(int(np.floor(a + 1e-9)) for a in mine.loc[q_of == q, "amount"])  # 1% in pence
            pay = (balance // 50) * 50 if balance >= 150 else 0
            balance -= pay
            expected.append((cust, pay / 100, balance / 100))
    exp = pd.DataFrame(expected, columns=["customer_id", "voucher", "carried"])
    assert len(out) == len(exp)
    assert np.allclose(out["voucher"], exp["voucher"]) and np.allclose(out["carried"], exp["carried"], atol=1e-9)


def test_points_vouchers_rejects_bad_input():
    tx = pd.DataFrame({"customer_id": [1], "date": ["2024-01-05"], "amount": [-5.0]})
    with pytest.raises(ValueError, match="amount"):
        R.points_vouchers(tx)
    with pytest.raises(ValueError, match="customer_col"):
        R.points_vouchers(tx.rename(columns={"customer_id": "cust"}))
    with pytest.raises(ValueError, match="period"):
        R.points_vouchers(tx.assign(amount=5.0), period="fortnight")
    with pytest.raises(ValueError, match="points_rate"):
        R.points_vouchers(tx.assign(amount=5.0), points_rate=2)
    with pytest.raises(ValueError, match="voucher_unit"):
        R.points_vouchers(tx.assign(amount=5.0), voucher_unit=0.005)
    with pytest.raises(ValueError, match="period_col"):
        R.points_vouchers(tx.assign(amount=5.0), period_col="quarter")


def test_points_vouchers_on_integer_periods_match_the_dates_they_stand_for():
    """period_col: integer quarters (with a quarter nobody shopped in, which is filled in) give, member by member
    and quarter by quarter, the statements the dates give with period="Q"; an amount column of another name is
    read; with voucher_unit = one point the whole balance is paid once it reaches min_voucher (by hand: a loop
    over each customer's quarters)."""
    rng = np.random.default_rng(3)
    n = 600
    date = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    tx = pd.DataFrame({"customer_id": rng.integers(0, 40, n), "date": date, "spend": rng.gamma(2.0, 30.0, n).round(2)})
    tx = tx[tx["date"].dt.quarter != 3].reset_index(drop=True)        # nobody shops in any third quarter
    tx["quarter"] = (tx["date"].dt.year - 2023) * 4 + tx["date"].dt.quarter
    kw = {"amount_col": "spend", "voucher_unit": 0.01, "min_voucher": 1.5}
    by_int = R.points_vouchers(tx, period_col="quarter", **kw)
    by_date = R.points_vouchers(tx, period="Q", **kw)
    assert sorted(by_int["period"].unique()) == list(range(1, 9))    # 2023Q1 .. 2024Q4, quarters 3 and 7 filled in
    assert len(by_int) == len(by_date)
    assert by_int["customer_id"].tolist() == by_date["customer_id"].tolist()
    for col in ("spend", "earned", "voucher", "carried"):
        assert np.allclose(by_int[col], by_date[col]), col
    expected = []
    for cust, mine in tx.groupby("customer_id"):
        balance = 0  # whole 1p points
        for q in range(mine["quarter"].min(), 9):
            balance += sum(int(np.floor(a + 1e-9)) for a in mine.loc[mine["quarter"] == q, "spend"])
            pay = balance if balance >= 150 else 0
            balance -= pay
            expected.append((cust, q, pay / 100, balance / 100))
    exp = pd.DataFrame(expected, columns=["customer_id", "period", "voucher", "carried"])
    assert by_int[["customer_id", "period"]].values.tolist() == exp[["customer_id", "period"]].values.tolist()
    assert np.allclose(by_int["voucher"], exp["voucher"]) and np.allclose(by_int["carried"], exp["carried"])
    with pytest.raises(ValueError, match="missing periods"):
        R.points_vouchers(tx.assign(quarter=tx["quarter"].astype(float).where(tx.index > 0)), period_col="quarter",
                          **kw)


def test_breakage_hand_computed_with_values_and_flags():
    """By hand: redeemed values 2 + 0 + 2.5 of 10 issued leave 0.55; redeemed flags count a voucher's whole
    value; bad input is refused."""
    assert R.breakage([2.0, 3.0, 5.0], [2.0, 0.0, 2.5]) == pytest.approx(0.55)
    assert R.breakage([2.0, 3.0, 5.0], [True, False, True]) == pytest.approx(0.3)
    assert R.breakage(pd.Series([1.5, 4.5]), np.array([False, False])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="redeemed"):
        R.breakage([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="exceed"):
        R.breakage([1.0], [2.0])


def test_breakage_recovers_a_simulated_redemption_rate():
    """Simulation: each of 20,000 vouchers (values 1.50 to 20) is redeemed with probability 0.7, independently
    of its value, so the expected breakage is 0.3 (within 0.01, over 4 standard errors)."""
    rng = np.random.default_rng(17)
    values = rng.uniform(1.5, 20.0, 20_000).round(2)
    assert R.breakage(values, rng.random(values.size) < 0.7) == pytest.approx(0.3, abs=0.01)


# ---------------------------------------------------------------------------------- programme economics
def test_programme_simulation_recovers_closed_form():
    """Planted truth (the spec) -> closed form; the member/control estimate from a seeded simulation must
    agree: breakage = 1 - redemption, incremental spend, false loyalty = s l / (1 + s l)."""
    spec = R.ProgrammeSpec(n_customers=40_000, share_incentive=0.3, incentive_lift=0.5, redemption_rate=0.7)
    truth = R.programme_expected(spec)
    assert truth["false_loyalty"] == pytest.approx(0.15 / 1.15)
    est = R.evaluate_programme(R.simulate_programme(spec, seed=21), margin=spec.margin)
    assert est["breakage"] == pytest.approx(truth["breakage"], abs=0.01)
    assert est["visits"] == pytest.approx(truth["visits"], rel=0.01)
    assert est["incremental_spend"] == pytest.approx(truth["incremental_spend"], rel=0.1)
    assert est["reward_cost"] == pytest.approx(truth["reward_cost"], rel=0.02)
    assert est["false_loyalty"] == pytest.approx(truth["false_loyalty"], abs=0.02)
    assert est["incremental_margin"] == pytest.approx(truth["incremental_margin"], abs=0.6)


def test_programme_without_reward_driven_customers_only_costs():
    """Hand reasoning: if nobody changes behaviour, every reward is deadweight: incremental margin = -cost."""
    spec = {"n_customers": 20_000, "share_incentive": 0.0, "stop_period": None}
    truth = R.programme_expected(spec)
    assert truth["incremental_margin"] == pytest.approx(-truth["reward_cost"])
    assert truth["deadweight_share"] == 1.0
    est = R.evaluate_programme(R.simulate_programme(spec, seed=2))
    assert np.isnan(est["false_loyalty"])                    # rewards never stop: cannot be measured
    assert est["incremental_margin"] < 0
    assert abs(est["incremental_spend"]) < 2.0


def test_programme_same_seed_same_panel():
    a = R.simulate_programme({"n_customers": 300}, seed=5)
    b = R.simulate_programme({"n_customers": 300}, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(R.simulate_programme({"n_customers": 300}, seed=6))


def test_programme_rejects_bad_input():
    with pytest.raises(ValueError, match="n_customers"):
        R.ProgrammeSpec(n_customers=0)
    with pytest.raises(ValueError, match="stop_period"):
        R.ProgrammeSpec(n_periods=4, stop_period=5)
    with pytest.raises(TypeError, match="spec"):
        R.programme_expected([1, 2])
    with pytest.raises(TypeError, match="unexpected keyword"):
        R.programme_expected({"nonsense": 1})
    panel = R.simulate_programme({"n_customers": 50}, seed=0)
    with pytest.raises(ValueError, match="control"):
        R.evaluate_programme(panel[panel["group"] == "member"])
    with pytest.raises(ValueError, match="visits"):
        R.evaluate_programme(panel.drop(columns="visits"))


# ------------------------------------------------------------------------------------------- airlines
def test_airline_awards_hand():
    out = R.airline_awards([0, 24_999, 25_000, 60_000, 150_000])
    assert out["tier"].tolist() == ["blue", "blue", "silver", "gold", "platinum"]
    assert out["awards"].tolist() == [0, 0, 1, 2, 6]
    assert out["miles_left"].tolist() == [0, 24_999, 0, 10_000, 0]
    with pytest.raises(ValueError, match="tiers"):
        R.airline_awards([1], tiers={"a": 0, "b": 10, "c": 5})
    with pytest.raises(ValueError, match="miles"):
        R.airline_awards([-1])


def test_imitation_dynamics_steady_states_and_erosion():
    """Closed forms: share -> a/(a+d) under each regime; one step by hand; after imitation the first mover
    pays for the programme without the advantage (CRM Q&A compilation (source 0), line 247)."""
    t = R.imitation_dynamics(300, launch=5, imitation=150)
    assert t.loc[0, "share"] == pytest.approx(0.05 / 0.20)
    assert t.loc[6, "share"] == pytest.approx(0.25 * (1 - 0.08) + 0.75 * 0.08)  # first step with programme
    assert t.loc[149, "share"] == pytest.approx(0.08 / 0.16, abs=1e-6)
    assert t.loc[299, "share"] == pytest.approx(0.25, abs=1e-6)
    assert t.loc[149, "profit"] > t.loc[149, "profit_no_programme"]
    assert t.loc[299, "profit"] < t.loc[299, "profit_no_programme"]
    assert t.loc[299, "profit"] == pytest.approx(0.25 * (100 - 10), abs=1e-4)
    with pytest.raises(ValueError, match="imitation"):
        R.imitation_dynamics(20, launch=10, imitation=5)
    with pytest.raises(ValueError, match="defection"):
        R.imitation_dynamics(20, defection=1.5)


# ------------------------------------------------------------------------------- hotel and restaurant
def test_nights_reward_hand_and_bound():
    out = R.nights_reward([0, 9, 10, 25, 110])
    assert out["free"].tolist() == [0, 0, 1, 2, 11]
    assert out.loc[3, "effective_discount"] == pytest.approx(2 / 27)
    assert (out["effective_discount"] <= 1 / 11 + 1e-12).all()
    assert out.loc[4, "effective_discount"] == pytest.approx(1 / 11)
    with pytest.raises(ValueError, match="nights"):
        R.nights_reward([2.5])
    with pytest.raises(ValueError, match="every"):
        R.nights_reward([5], every=0)


def test_profit_share_payout_sums_and_proportions():
    pay = R.profit_share_payout([100, 300, 0, 600], 50_000, share=0.1)
    assert pay.sum() == pytest.approx(5_000)
    assert pay.tolist() == pytest.approx([500, 1500, 0, 3000])
    with pytest.raises(ValueError, match="bills"):
        R.profit_share_payout([0, 0], 100)
    with pytest.raises(ValueError, match="share"):
        R.profit_share_payout([1], 100, share=1.5)


# ------------------------------------------------------------------------------------------ word of mouth
def test_word_of_mouth_hand_generations():
    """CRM article collection (source 3), lines 379–383: one satisfied customer brings 11 of 12; one
    dissatisfied deters 20. Second generation by hand: 11 x 0.9 satisfied newcomers each bring 11 more."""
    t = R.word_of_mouth(1, 1, generations=2)
    assert t["new_customers"].tolist() == pytest.approx([11.0, 11 * 0.9 * 11])
    assert t["deterred"].tolist() == pytest.approx([20.0, 11 * 0.1 * 20])
    assert t["total_customers"].iloc[-1] == pytest.approx(11 + 108.9)


def test_word_of_mouth_simulation_matches_expectation():
    """Branching-process means (closed form) vs 4000 simulated runs, within 4 standard errors."""
    kw = {"generations": 3, "extra_tell": 2.0, "p_satisfied": 0.8}
    expected = R.word_of_mouth(20, 5, **kw)
    sims = R.simulate_word_of_mouth(20, 5, n_sims=4000, seed=13, **kw)
    stats = sims.groupby("generation")[["new_customers", "deterred"]].agg(["mean", "std"])
    for col in ("new_customers", "deterred"):
        se = stats[(col, "std")].to_numpy() / np.sqrt(4000)
        assert np.all(np.abs(stats[(col, "mean")].to_numpy() - expected[col].to_numpy()) < 4 * se + 1e-9)


def test_word_of_mouth_rejects_bad_input():
    with pytest.raises(ValueError, match="come_share"):
        R.word_of_mouth(1, come_share=1.2)
    with pytest.raises(ValueError, match="n_satisfied"):
        R.word_of_mouth(-1)
    with pytest.raises(ValueError, match="whole numbers"):
        R.simulate_word_of_mouth(1.5)
    with pytest.raises(ValueError, match="generations"):
        R.word_of_mouth(1, generations=0)


# ------------------------------------------------------------------------------------ retention economics
def test_retention_value_closed_form_vs_sum():
    """Geometric closed form vs the brute-force sum of discounted, growing profits over 2000 periods."""
    r = np.array([0.5, 0.8, 0.9])
    got = R.retention_value(r, discount=0.1, profit_growth=0.05)
    brute = [sum((ri * 1.05 / 1.1) ** t for t in range(2000)) for ri in r]
    assert np.allclose(got, brute)
    finite = R.retention_value(r, discount=0.1, profit_growth=0.05, horizon=7)
    assert np.allclose(finite, [sum((ri * 1.05 / 1.1) ** t for t in range(7)) for ri in r])
    assert R.retention_value([1.0], horizon=5).tolist() == [5.0]


def test_retention_sensitivity_hand_and_reichheld_band():
    """Hand: 0.80 -> 0.85 raises value from 5 to 6.67 (+33%); 0.90 -> 0.95 doubles it. Only a band of base
    retention rates gives the 25-85% of Reichheld & Sasser (CRM article collection (source 3), line 547)."""
    t = R.retention_sensitivity([0.7, 0.8, 0.9])
    assert t["profit_increase"].tolist() == pytest.approx([0.2, 1 / 3, 1.0])
    assert t["in_25_85"].tolist() == [False, True, False]
    with pytest.raises(ValueError, match="infinite horizon"):
        R.retention_value([0.99], profit_growth=0.05)
    with pytest.raises(ValueError, match="uplift"):
        R.retention_sensitivity([0.98])
    with pytest.raises(ValueError, match="retention"):
        R.retention_value([1.2])


# --------------------------------------------------------------------------------------------- plots
def test_plots_render_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        axes = [
            R.plot_programme(R.simulate_programme({"n_customers": 500}, seed=0)),
            R.plot_imitation(R.imitation_dynamics()),
            R.plot_word_of_mouth(R.word_of_mouth(100, 10, generations=3)),
            R.plot_retention_sensitivity(R.retention_sensitivity(np.linspace(0.5, 0.94, 23))),
        ]
        for ax in axes:
            ax.figure.canvas.draw()
    assert all(ax.get_title() for ax in axes)
    assert len(axes[0].lines) == 3  # member, control, stop line
    with pytest.raises(ValueError, match="visits"):
        R.plot_programme(pd.DataFrame({"period": [0], "group": ["member"], "running": [True]}))
