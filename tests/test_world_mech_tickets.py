"""Service-ticket mechanics (crmlab.worlds.mech.tickets).

Checked against closed forms (Zipf shares, the log-normal survival function, Poisson means), against
brute-force counts on the draws, and against the planted parameters of large synthetic draws.
"""
import numpy as np
import pytest
from scipy import stats

from crmlab.worlds.mech.tickets import (TicketCategory, draw_arrivals, draw_funnel, draw_tickets,
                                        expected_breach_rate, pareto_shares)

CATS = [TicketCategory("refund", 0.5, "process", 24.0, 0.10, 0.9),
        TicketCategory("bug", 0.3, "product", 48.0, 0.20, 1.0),
        TicketCategory("rude", 0.2, "process", 4.0, 0.30, 0.8)]


def test_pareto_shares_match_the_zipf_closed_form():
    assert np.allclose(pareto_shares(3, 1.0), [6 / 11, 3 / 11, 2 / 11])
    assert np.allclose(pareto_shares(4, 0.0), 0.25)
    s = pareto_shares(8, 1.5)
    assert np.isclose(s.sum(), 1.0) and np.all(np.diff(s) < 0)


def test_arrivals_are_poisson_with_the_planted_rate():
    """Counts per entity have mean (and variance) rate x days; times lie in the window, sorted."""
    rng = np.random.default_rng(1)
    rate = np.repeat([0.05, 0.5], 4000)
    ent, t = draw_arrivals(rng, rate, 20.0)
    counts = np.bincount(ent, minlength=rate.size)
    assert abs(counts[:4000].mean() - 1.0) < 0.06 and abs(counts[4000:].mean() - 10.0) < 0.2
    assert abs(counts[4000:].var() / 10.0 - 1.0) < 0.1          # Poisson: variance = mean
    assert (t >= 0).all() and (t < 20).all() and np.all(np.diff(t) >= 0)


def test_expected_breach_rate_is_the_lognormal_tail():
    assert expected_breach_rate(24.0, 0.8, 24.0) == pytest.approx(0.5)
    want = stats.norm.sf((np.log(24) - np.log(6)) / 1.2)
    assert expected_breach_rate(6.0, 1.2, 24.0) == pytest.approx(want)
    assert expected_breach_rate([6.0, 24.0], 1.2, 24.0) == pytest.approx((want + 0.5) / 2)


def test_tickets_recover_shares_breach_rate_escalation_odds_and_resolution():
    """A large draw gives back the planted category shares, SLA-breach rate (closed form), the escalation
    odds ratio after a breach and the resolution probabilities."""
    rng = np.random.default_rng(7)
    n = 60_000
    med = np.where(rng.random(n) < 0.5, 6.0, 18.0)
    t = draw_tickets(rng, CATS, response_median_hours=med, response_sigma=1.0, sla_hours=24.0,
                     breach_escalation_odds=3.0)
    assert len(t) == n
    shares = t["category"].value_counts(normalize=True)
    for c in CATS:
        assert abs(shares[c.name] - c.share) < 0.01
        assert set(t.loc[t["category"] == c.name, "route"]) == {c.route}
        sub = t[t["category"] == c.name]
        assert abs(sub["resolved"].mean() - c.resolve_prob) < 0.015
        odds = [sub.loc[sub["sla_breached"] == b, "escalated"].mean() for b in (False, True)]
        assert abs(odds[0] - c.escalation_prob) < 0.015
        ratio = (odds[1] / (1 - odds[1])) / (odds[0] / (1 - odds[0]))
        assert 2.2 < ratio < 4.0
    assert abs(t["sla_breached"].mean() - expected_breach_rate(med, 1.0, 24.0)) < 0.01
    assert (t["sla_breached"] == (t["response_hours"] > 24.0)).all()
    assert (t["resolve_hours"].isna() == ~t["resolved"]).all()
    done = t["resolved"]
    assert (t.loc[done, "resolve_hours"] > t.loc[done, "response_hours"]).all()
    # median response of the tickets with median 6 h
    assert abs(np.median(t["response_hours"].to_numpy()[med == 6.0]) / 6.0 - 1) < 0.05


def test_tickets_are_reproducible():
    a = draw_tickets(np.random.default_rng(3), CATS, response_median_hours=5.0, response_sigma=1.0,
                     sla_hours=24.0, n=200)
    b = draw_tickets(np.random.default_rng(3), CATS, response_median_hours=5.0, response_sigma=1.0,
                     sla_hours=24.0, n=200)
    assert a.equals(b)


def test_funnel_stage_pass_rates_and_no_return_after_a_leak():
    """Conditional pass rate at each stage = 1 - leakage; a ticket lost once stays lost (brute-force check)."""
    rng = np.random.default_rng(11)
    leak = np.array([0.02, 0.05, 0.10, 0.20])
    p = draw_funnel(rng, np.tile(leak, (50_000, 1)))
    reached = np.column_stack([np.ones(len(p), bool), p[:, :-1]])
    for s in range(4):
        assert abs(1 - p[reached[:, s], s].mean() - leak[s]) < 0.006
    for row in p[:500]:
        lost = False
        for ok in row:
            assert not (lost and ok)
            lost = lost or not ok


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: TicketCategory("x", 1.5, "r", 1.0, 0.1), ValueError, "share of ticket category 'x'"),
    (lambda: TicketCategory("x", 0.5, "r", 0.0, 0.1), ValueError, "resolve_median_hours"),
    (lambda: draw_tickets(np.random.default_rng(0), [TicketCategory("a", 0.5, "r", 1.0, 0.1)],
                          response_median_hours=1.0, response_sigma=1.0, sla_hours=1.0, n=3),
     ValueError, "shares must sum to 1"),
    (lambda: draw_tickets(np.random.default_rng(0), CATS, response_median_hours=1.0, response_sigma=1.0,
                          sla_hours=1.0), ValueError, "n is required"),
    (lambda: draw_tickets(np.random.default_rng(0), CATS, response_median_hours=[1.0, -1.0],
                          response_sigma=1.0, sla_hours=1.0), ValueError, "response_median_hours"),
    (lambda: draw_tickets(np.random.default_rng(0), ["a"], response_median_hours=1.0, response_sigma=1.0,
                          sla_hours=1.0, n=2), TypeError, "categories"),
    (lambda: draw_tickets(np.random.default_rng(0), CATS, response_median_hours=1.0, response_sigma=0.0,
                          sla_hours=1.0, n=2), ValueError, "response_sigma"),
    (lambda: draw_arrivals(np.random.default_rng(0), [1.0, -0.1], 5.0), ValueError, "rate_per_day"),
    (lambda: draw_arrivals(np.random.default_rng(0), [1.0], 0.0), ValueError, "days"),
    (lambda: draw_funnel(np.random.default_rng(0), [0.1, 0.2]), ValueError, "leakage"),
    (lambda: pareto_shares(0), ValueError, "n_categories"),
    (lambda: expected_breach_rate(1.0, 1.0, -1.0), ValueError, "sla_hours"),
])
def test_bad_input_is_refused_by_name(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
