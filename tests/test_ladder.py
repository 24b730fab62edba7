"""Tests for crmlab.ladder: estimation by counting, absorbing-chain figures, value by rung and budget
allocation. Checked against hand-computed chains, matrix power series and brute-force simulation."""
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab import ladder as LD


def _ruin():
    """Fair gambler's ruin on 0..4: hand results E[steps from i] = i (4 - i), P(reach 4 from i) = i / 4."""
    states = [0, 1, 2, 3, 4]
    P = np.zeros((5, 5))
    P[0, 0] = P[4, 4] = 1
    for i in (1, 2, 3):
        P[i, i - 1] = P[i, i + 1] = 0.5
    return pd.DataFrame(P, index=states, columns=states)


def test_absorbing_summary_gamblers_ruin_by_hand():
    out = LD.absorbing_summary(_ruin(), [0, 4])
    assert np.allclose(out["expected_steps"], [3, 4, 3])
    assert np.allclose(out["prob_4"], [0.25, 0.5, 0.75])
    assert np.allclose(out["prob_0"] + out["prob_4"], 1)
    # conditional time to win from 1: known result (N^2 - i^2) / 3 = (16 - 1) / 3 = 5
    assert out.loc[1, "steps_to_4"] == pytest.approx(5.0)


def test_time_to_advocate_matches_brute_force_simulation():
    """Expected time to advocate and the probability of getting there, vs simulating 40,000 customers."""
    P = LD.example_ladder("huawei")
    summary = LD.absorbing_summary(P, ["advocate", "lost"])
    absorbing = P.copy()
    absorbing.loc["advocate"] = 0.0
    absorbing.loc["advocate", "advocate"] = 1.0
    n, T = 20_000, 120
    panel = LD.simulate_chain(absorbing, "suspicion", n_customers=n, n_periods=T, seed=4)
    codes = panel["state"].cat.codes.to_numpy().reshape(n, T)   # panel rows are customer-major
    states = list(panel["state"].cat.categories)
    done = np.isin(codes, [states.index("advocate"), states.index("lost")])
    assert done[:, -1].all()
    first = done.argmax(axis=1)
    reached = codes[:, -1] == states.index("advocate")
    assert reached.mean() == pytest.approx(summary.loc["suspicion", "prob_advocate"], abs=0.012)
    assert first.mean() == pytest.approx(summary.loc["suspicion", "expected_steps"], rel=0.03)
    assert first[reached].mean() == pytest.approx(summary.loc["suspicion", "steps_to_advocate"], rel=0.04)


def test_estimate_transitions_hand_counts_and_gaps():
    panel = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 2, 3],
                          "period": [0, 1, 2, 0, 1, 3, 0],
                          "state": ["a", "b", "b", "a", "a", "b", "b"]})
    est = LD.estimate_transitions(panel)
    # moves: 1: a->b, b->b; 2: a->a (1->3 is a gap, skipped); 3: none
    assert est.counts.to_numpy().tolist() == [[1, 1], [0, 1]]
    assert est.matrix.loc["a", "b"] == 0.5
    with_gaps = LD.estimate_transitions(panel, consecutive=False)
    assert with_gaps.counts.loc["a", "b"] == 2


@pytest.mark.parametrize("kind, rungs", [("payne", LD.PAYNE_RUNGS), ("huawei", LD.HUAWEI_STAGES)])
def test_estimate_transitions_recovers_planted_matrix(kind, rungs):
    """Planted truth: a panel simulated from the example ladder; every estimated probability within 0.02."""
    P = LD.example_ladder(kind)
    start = {s: 1.0 for s in rungs}
    panel = LD.simulate_chain(P, start, n_customers=6000, n_periods=12, seed=8)
    est = LD.estimate_transitions(panel, states=list(P.index))
    assert np.abs(est.matrix.to_numpy() - P.to_numpy()).max() < 0.02
    same = LD.simulate_chain(P, start, n_customers=6000, n_periods=12, seed=8)
    pd.testing.assert_frame_equal(panel, same)


def test_estimate_transitions_rejects_bad_input():
    panel = pd.DataFrame({"customer_id": [1, 1], "period": [0, 1], "state": ["a", "b"]})
    with pytest.raises(ValueError, match="state_col"):
        LD.estimate_transitions(panel, state_col="rung")
    with pytest.raises(ValueError, match="more than one row"):
        LD.estimate_transitions(pd.concat([panel, panel]))
    with pytest.raises(ValueError, match=r"no observed moves out of state\(s\) \['b'\]"):
        LD.estimate_transitions(panel)
    assert LD.estimate_transitions(panel, absorbing=["b"]).matrix.loc["b", "b"] == 1.0
    with pytest.raises(ValueError, match="not in states"):
        LD.estimate_transitions(panel, states=["a"])


def test_value_by_rung_matches_power_series_and_simulation():
    """v = (I - P/(1+d))^-1 r vs the truncated series sum_t P^t r / (1+d)^t, and vs simulated paths."""
    P = LD.example_ladder("payne")
    reward = {"customer": 2, "client": 5, "supporter": 10, "advocate": 20, "partner": 40}
    v = LD.value_by_rung(P, reward, discount=0.1)
    r = np.array([reward.get(s, 0.0) for s in P.index])
    series, M = np.zeros(len(r)), np.eye(len(r))
    for t in range(400):
        series += M @ r / 1.1 ** t
        M = M @ P.to_numpy()
    assert np.allclose(v.to_numpy(), series)
    panel = LD.simulate_chain(P, "client", n_customers=20_000, n_periods=80, seed=2)
    r_by_code = np.array([reward.get(s, 0.0) for s in panel["state"].cat.categories])
    rewards = r_by_code[panel["state"].cat.codes.to_numpy()].reshape(20_000, 80)
    simulated = (rewards / 1.1 ** np.arange(80)).sum(axis=1).mean()
    assert simulated == pytest.approx(v["client"], rel=0.03)
    assert v["lost"] == 0 and (np.diff(v[list(LD.PAYNE_RUNGS)].to_numpy()) > 0).all()


def test_value_by_rung_undiscounted_absorbing_by_hand():
    P = pd.DataFrame([[0.75, 0.25], [0.0, 1.0]], index=["in", "lost"], columns=["in", "lost"])
    assert LD.value_by_rung(P, [10.0, 0.0], discount=0.0).tolist() == [40.0, 0.0]  # 10 x 4 periods
    with pytest.raises(ValueError, match="discount > 0"):
        LD.value_by_rung(P, [10.0, 1.0], discount=0.0)
    with pytest.raises(ValueError, match="reward"):
        LD.value_by_rung(P, [1.0])
    with pytest.raises(ValueError, match="discount"):
        LD.value_by_rung(P, [1.0, 0.0], discount=-0.1)


def test_boost_and_budget_allocation():
    """Budget value equals value_by_rung of the hand-boosted matrix; with rewards only at the top the best
    split favours the upper rungs, with rewards only for plain customers it favours the lower rungs."""
    P = LD.example_ladder("payne")
    lower, upper = ["prospect", "customer"], ["supporter", "advocate"]
    start = {s: 1.0 for s in LD.PAYNE_RUNGS}
    top = {"advocate": 20, "partner": 60}
    t = LD.budget_allocation(P, top, budget=10, lower=lower, upper=upper, start=start, effect=0.1,
                             shares=[0.0, 0.5, 1.0])
    # hand boost for share 0.5: 2.5 on each rung
    M = P.to_numpy().copy()
    idx = {s: i for i, s in enumerate(P.index)}
    for rung, nxt in (("prospect", "customer"), ("customer", "client"), ("supporter", "advocate"),
                      ("advocate", "partner")):
        moved = M[idx[rung], idx[rung]] * (1 - np.exp(-0.25))
        M[idx[rung], idx[rung]] -= moved
        M[idx[rung], idx[nxt]] += moved
    hand = LD.value_by_rung(pd.DataFrame(M, index=P.index, columns=P.columns), top).drop("lost").mean()
    assert t.loc[1, "value"] == pytest.approx(hand)
    assert t.loc[t["best"], "share_lower"].item() == 0.0
    low_only = LD.budget_allocation(P, {"customer": 10, "client": 10}, budget=10, lower=["prospect"],
                                    upper=upper, start=start)
    assert low_only.loc[low_only["best"], "share_lower"].item() == 1.0
    zero = LD.budget_allocation(P, top, budget=10, lower=lower, upper=upper, start=start, effect=0.0)
    assert np.allclose(zero["gain"], 0)


def test_ladder_rejects_bad_input():
    P = LD.example_ladder()
    with pytest.raises(ValueError, match="sum to 1"):
        LD.absorbing_summary(P * 0.5, ["lost"])
    with pytest.raises(ValueError, match="absorbing"):
        LD.absorbing_summary(P, ["nowhere"])
    with pytest.raises(ValueError, match="never reach"):
        LD.absorbing_summary(pd.DataFrame(np.eye(2)), [0])
    with pytest.raises(ValueError, match="spend"):
        LD.boost_up_transitions(P, {"partner": 1.0})
    with pytest.raises(ValueError, match="start"):
        LD.simulate_chain(P, "nobody")
    with pytest.raises(TypeError, match="lower"):
        LD.budget_allocation(P, {"partner": 1}, budget=1, lower="prospect", upper=["client"], start="prospect")
    with pytest.raises(ValueError, match="kind"):
        LD.example_ladder("kotler")


def test_plots_render_without_warnings():
    P = LD.example_ladder("huawei")
    t = LD.budget_allocation(LD.example_ladder(), {"partner": 10}, budget=10, lower=["prospect"],
                             upper=["advocate"], start="prospect")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax1 = LD.plot_ladder_flows(P)
        ax2 = LD.plot_budget_allocation(t)
        for ax in (ax1, ax2):
            ax.figure.canvas.draw()
    n_moves = int(((P.to_numpy() >= 0.01) & ~np.eye(len(P), dtype=bool)).sum())
    assert len(ax1.patches) == n_moves  # one arrow per move of at least 1%
    assert ax2.get_title()
