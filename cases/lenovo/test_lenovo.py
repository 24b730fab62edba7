"""Case ``lenovo`` beyond the contract: the Erlang C staffing of the notebook agrees with a discrete-event
simulation of the same queue within the simulation's noise; abandonment lowers the agents needed; the world
(cases/lenovo/world.py) gives back its planted truth — arrivals, handle time, patience, first-contact
resolution and expected cost per issue — by the notebook's own estimators; the checks judge the student's
own world.
"""
import math

import numpy as np
import pytest
from scipy import stats

from crmlab._casemodules import load_case_module
from crmlab.checks import Checker, solve
from crmlab.worlds import make

lc = load_case_module("lenovo", "checks")
lw = load_case_module("lenovo", "world")


def _simulate(rng, load, aht, n_agents, patience=np.inf, hours=300.0):
    """A long stationary run of the queue through the world's FCFS simulator: (service level, batch-means se,
    share abandoned, share that waited)."""
    rate = load / aht
    n = rng.poisson(rate * hours * 3600)
    arrival = np.sort(rng.uniform(0, hours * 3600, n))
    handle = rng.exponential(aht, n)
    limit = rng.exponential(patience, n) if np.isfinite(patience) else np.full(n, np.inf)
    wait, answered = lw.serve_fifo(arrival, handle, limit, n_agents)
    keep = arrival >= 3600
    wait, answered = wait[keep], answered[keep]
    ok = answered & (wait <= 20.0)
    parts = np.array_split(ok, 30)
    se = np.std([p.mean() for p in parts], ddof=1) / np.sqrt(len(parts))
    return ok.mean(), se, 1 - answered.mean(), (wait > 1e-9).mean()


def test_erlang_b_recursion_equals_the_poisson_closed_form():
    """The notebook's Erlang C (Erlang B recursion, checks.erlang_c) against the closed form through Poisson
    probabilities, C = p(N) N/(N-A) / (P(N-1) + p(N) N/(N-A)), over small and large pools."""
    for load, n in [(2.0, 3), (10.5, 14), (39.3, 45), (250.0, 270)]:
        top = stats.poisson.pmf(n, load) * n / (n - load)
        closed = top / (stats.poisson.cdf(n - 1, load) + top)
        assert lc.erlang_c(n, load) == pytest.approx(closed, rel=1e-9)
        assert lc.service_level(n, load, 270.0) == pytest.approx(lc._erlang_c_service_level(n, load, 270.0), rel=1e-9)


@pytest.mark.parametrize("load, aht", [(39.3, 270.0), (12.0, 180.0)])
def test_erlang_c_agrees_with_a_discrete_event_simulation(load, aht):
    """Independent computation: an M/M/N simulation (300 hours, first hour dropped) at the Erlang C staffing and one
    agent either side gives the Erlang C service level within 4 batch-means standard errors, and the share of calls
    that wait within 0.03 of C(N, A)."""
    rng = np.random.default_rng(11)
    n_c = lc.agents_needed(load, aht)
    assert lc.service_level(n_c, load, aht) >= 0.8 > lc.service_level(n_c - 1, load, aht)
    for n in (n_c - 1, n_c, n_c + 1):
        sl, se, abandoned, waited = _simulate(rng, load, aht, n)
        assert abandoned == 0
        assert abs(sl - lc.service_level(n, load, aht)) < 4 * se + 0.005, (n, sl)
        assert waited == pytest.approx(lc.erlang_c(n, load), abs=0.03)


def test_abandonment_lowers_the_agents_needed():
    """With exponential patience (M/M/N+M) the simulated service level at each staffing is above Erlang C's, and the
    fewest agents reaching 80% within 20 s is below the Erlang C staffing; some callers are lost."""
    rng = np.random.default_rng(5)
    load, aht, patience = 39.3, 270.0, 120.0
    n_c = lc.agents_needed(load, aht)
    levels = {}
    for n in range(n_c - 5, n_c + 1):
        sl, se, abandoned, _ = _simulate(rng, load, aht, n, patience=patience, hours=150.0)
        assert sl > lc.service_level(n, load, aht)
        assert abandoned > 0
        levels[n] = sl
    assert min(n for n, sl in levels.items() if sl >= 0.8) < n_c


@pytest.mark.parametrize("seed", [42, 7])
def test_call_log_recovers_the_planted_arrivals_handle_time_and_patience(seed):
    """Planted truth by the notebook's estimators: busiest half-hour found; its calls per day within 3 day-to-day
    standard errors of the planted rate; AHT within 3% (mean of exponential answered handle times); patience by the
    censored-exponential MLE (total wait / abandoned) within 10%; the Erlang C agents from the found load within 2 of
    the planted ones."""
    w = make("lenovo", seed=seed)
    c, t = w.tables["calls"], w.truth
    per_day = c.groupby(["day", "interval"]).size().unstack(fill_value=0)
    offered = per_day.mean()
    peak = int(offered.idxmax())
    assert abs(peak - t["peak_interval"]) <= 1
    spread = per_day[peak].std(ddof=1) / math.sqrt(len(per_day))
    assert abs(offered[peak] - t["arrival_rate"][peak]) < 3 * spread + 1
    aht = c.loc[c["answered"], "handle_s"].mean()
    assert aht == pytest.approx(t["aht_s"], rel=0.03)
    patience = c["wait_s"].sum() / (~c["answered"]).sum()
    assert patience == pytest.approx(t["patience_s"], rel=0.10)
    n_found = lc.agents_needed(offered[peak] / 1800 * aht, aht)
    assert abs(n_found - t["erlang_c_agents"][peak]) <= 2
    # the flat rota is short at the peaks: the busiest half-hour misses 80% within 20 s, the first one does not
    ok = c["answered"] & (c["wait_s"] <= 20)
    assert ok[c["interval"] == peak].mean() < 0.8 < ok[c["interval"] == 0].mean()


def test_issues_recover_fcr_expected_cost_and_the_best_network():
    """Planted truth on a large month (100,000 issues): FCR by type and first network within 4 binomial standard
    errors of the planted rate; mean cost per issue within 4 standard errors of the closed-form expected cost
    E_k = c_k + (1 - p_k)(repeat + E_next); the cheapest network found per type is the planted best network."""
    w = make("lenovo", seed=3, n_days=1, n_issues=100_000)
    i, t = w.tables["issues"], w.truth
    g = i.groupby(["issue_type", "first_network"], observed=True)
    fcr, n = g["resolved_first"].mean(), g.size()
    mean, se = g["cost"].mean(), g["cost"].std() / np.sqrt(g.size())
    for (typ, net), rate in fcr.items():
        p = t["fcr"][typ][net]
        assert abs(rate - p) < 4 * math.sqrt(p * (1 - p) / n[(typ, net)]) + 1e-9
        assert abs(mean[(typ, net)] - t["expected_cost"][typ][net]) < 4 * se[(typ, net)] + 1e-9
    assert mean.unstack().idxmin(axis=1).astype(str).to_dict() == t["best_network"]


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q2 staffing right in one world is wrong in a world whose
    calls take twice as long (recomputed by the notebook's solution)."""
    w1 = make("lenovo", seed=1, n_days=3, n_issues=1000)
    w2 = make("lenovo", seed=1, n_days=3, n_issues=1000, aht_s=540.0)
    a1, a2 = solve("lenovo", w1)["q2"], solve("lenovo", w2)["q2"]
    assert a2 != a1
    assert Checker("lenovo", w1)("q2", a1) and Checker("lenovo", w2)("q2", a2)
    assert not Checker("lenovo", w2)("q2", a1)
