"""Case ``payne_ladder`` beyond the contract: the world (cases/payne_ladder/world.py) gives back its planted truth —
the transition matrix (counting moves, as the notebook does), the absorbing-chain figures and the value per rung
(checked against a Monte Carlo simulation of the planted chain, an independent computation), and the best budget
split — at the default seed and another.
"""
import numpy as np
import pytest

from crmlab import ladder
from crmlab.worlds import make

RUNGS = list(ladder.PAYNE_RUNGS)


@pytest.fixture(scope="module", params=[42, 7])
def big(request):
    return make("payne_ladder", seed=request.param, n_customers=20000)


def _estimate(world):
    panel = world.tables["panel"]
    P_hat = ladder.estimate_transitions(panel, state_col="rung", absorbing=["lost"]).matrix
    margin_hat = panel.groupby("rung", observed=False)["margin"].mean().fillna(0.0)
    return panel, P_hat, margin_hat


def test_counting_recovers_the_planted_matrix(big):
    """Planted truth: every estimated transition probability within 0.015 of the planted one (20,000 customers)."""
    _, P_hat, _ = _estimate(big)
    assert np.abs(P_hat.to_numpy() - big.truth["transition_matrix"].to_numpy()).max() < 0.015


def test_absorbing_figures_and_values_are_recovered(big):
    """Planted truth: quarters before lost, P(advocate) and quarters to advocate within 8%, value per rung within 8%,
    when computed the notebook's way from the estimates."""
    _, P_hat, margin_hat = _estimate(big)
    life = ladder.absorbing_summary(P_hat, ["lost"])["expected_steps"]
    adv = ladder.absorbing_summary(P_hat, ["advocate", "lost"])
    t = big.truth["absorbing"]
    for r in ["prospect", "customer", "client", "supporter"]:
        assert life[r] == pytest.approx(t.loc[r, "quarters_before_lost"], rel=0.08)
        assert adv.loc[r, "prob_advocate"] == pytest.approx(t.loc[r, "prob_advocate"], rel=0.08)
        assert adv.loc[r, "steps_to_advocate"] == pytest.approx(t.loc[r, "quarters_to_advocate"], rel=0.08)
    value = ladder.value_by_rung(P_hat, margin_hat.to_dict(), discount=big.knobs["discount"])
    for r in RUNGS:
        assert value[r] == pytest.approx(big.truth["value_per_rung"][r], rel=0.08)


def test_planted_absorbing_figures_match_a_simulation():
    """Independent check of the planted truth itself: a long Monte Carlo run of the planted chain from 'customer'
    gives the planted P(advocate before lost) and quarters before lost within sampling error."""
    w = make("payne_ladder", seed=1, n_customers=500, n_periods=4)
    P = w.truth["transition_matrix"].to_numpy()
    rng = np.random.default_rng(5)
    n, state = 20000, np.full(20000, 1)
    alive_quarters = np.zeros(n)
    hit_adv = np.zeros(n, dtype=bool)
    cum = np.cumsum(P, axis=1)
    for _ in range(400):
        alive = state != 6
        alive_quarters += alive
        hit_adv |= state == 4
        state = np.minimum((rng.random(n)[:, None] >= cum[state]).sum(axis=1), 6)
    t = w.truth["absorbing"]
    assert alive_quarters.mean() == pytest.approx(t.loc["customer", "quarters_before_lost"], rel=0.03)
    assert hit_adv.mean() == pytest.approx(t.loc["customer", "prob_advocate"], abs=0.01)


def test_budget_split_is_recovered_and_interior(big):
    """Planted truth: the best split on the estimated chain is within 0.1 of the planted best share, and at the
    defaults the planted best share is interior (neither all lower nor all upper: 'do not spend only on the lower
    rungs')."""
    panel, P_hat, margin_hat = _estimate(big)
    k = big.knobs
    start = panel.loc[panel["period"] == 0, "rung"].value_counts().to_dict()
    split = ladder.budget_allocation(P_hat, margin_hat.to_dict(), budget=k["budget"], lower=["prospect", "customer"],
                                     upper=["client", "supporter"], start=start, effect=k["spend_effect"],
                                     discount=k["discount"])
    found = float(split.loc[split["best"], "share_lower"].iloc[0])
    assert abs(found - big.truth["best_share_lower"]) <= 0.1 + 1e-9
    assert 0.0 < big.truth["best_share_lower"] < 1.0


def test_lost_customers_leave_the_panel_and_margins_follow_the_rungs(big):
    """Data contract of the world: after 'lost' a customer has no further row; prospects and lost earn 0; the mean
    margin per rung is within 3% of the planted margin."""
    panel = big.tables["panel"]
    last = panel.groupby("customer_id")["period"].transform("max")
    lost = panel["rung"] == "lost"
    assert (panel.loc[lost, "period"] == last[lost]).all()
    assert (panel.loc[panel["rung"].isin(["prospect", "lost"]), "margin"] == 0).all()
    mean = panel.groupby("rung", observed=False)["margin"].mean()
    for r, m in big.truth["margin_per_rung"].items():
        if m > 0:
            assert mean[r] == pytest.approx(m, rel=0.03)
