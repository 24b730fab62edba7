"""Case ``supply_chain_crm`` beyond the contract: the simulated chain (cases/supply_chain_crm/world.py) follows the
planted policy exactly, its bullwhip ratio — measured as the notebook measures it, Var(orders) / Var(end-customer
demand) per replication — agrees with the analytical result of Chen, Drezner, Ryan & Simchi-Levi (2000), and the
notebook's comparison of the two information regimes recovers the direction the planted mechanism implies.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab._casemodules import load_case_module
from crmlab.worlds import make

CASE = "supply_chain_crm"
ECHELONS = ["retailer", "distributor", "manufacturer", "supplier"]


def _ratios(world) -> pd.DataFrame:
    """The notebook's measurement (section 4.2): per replication Var(order) / Var(demand), mean over replications."""
    chain, demand = world.tables["chain"], world.tables["demand"]
    var_d = demand.groupby("replication")["demand"].var()
    var_o = chain.groupby(["regime", "echelon", "replication"], observed=True)["order"].var()
    ratio = var_o / var_d.reindex(var_o.index.get_level_values("replication")).to_numpy()
    return ratio.groupby(level=["regime", "echelon"], observed=True).mean().unstack("echelon")[ECHELONS]


def chen(L, p, total_stages=1):
    """Chen et al. (2000), typed in from the paper: 1 + 2L/p + 2L²/p² with L the (cumulative) lead time."""
    Lc = L * total_stages
    return 1 + 2 * Lc / p + 2 * Lc ** 2 / p ** 2


@pytest.mark.parametrize("L, p", [(2, 8), (1, 4), (3, 10)])
def test_retailer_variance_ratio_equals_chens_formula(L, p):
    """Independent result: with independent demand, a constant safety stock and orders that (almost) never hit zero,
    the retailer's bullwhip ratio is exactly 1 + 2L/p + 2L²/p²; the simulation measured the notebook's way agrees
    within 3% over 150 replications x 200 weeks (the sampling error of a variance ratio there is about 1%)."""
    w = make(CASE, seed=11, n_replications=150, n_weeks=200, demand_sd=10.0, lead_time=L, forecast_window=p)
    r = _ratios(w)
    assert r.loc["no_sharing", "retailer"] == pytest.approx(chen(L, p), rel=0.03)
    assert r.loc["shared", "retailer"] == pytest.approx(chen(L, p), rel=0.03)


def test_shared_regime_follows_the_cumulative_lead_time_formula_and_no_sharing_exceeds_the_product():
    """Chen et al.'s centralised case: with shared end-customer demand, echelon k's ratio is 1 + 2kL/p + 2(kL)²/p²
    (within 4%); without sharing it is at least the product of k single-stage factors (their lower bound)."""
    L, p = 1, 8
    w = make(CASE, seed=5, n_replications=150, n_weeks=200, demand_sd=10.0, lead_time=L, forecast_window=p)
    r = _ratios(w)
    for k, e in enumerate(ECHELONS, start=1):
        assert r.loc["shared", e] == pytest.approx(chen(L, p, k), rel=0.04), e
        assert r.loc["no_sharing", e] >= 0.97 * chen(L, p) ** k, e
    assert (np.diff(r.loc["no_sharing"].to_numpy()) > 0).all() and (np.diff(r.loc["shared"].to_numpy()) > 0).all()


def test_orders_are_the_planted_linear_filter_of_demand_when_never_floored():
    """Exact identity, independent of any statistics: where no order hits zero, echelon k's order in week t equals
    sum_j a_j D(t-j) with a = (1 + c(1 - B^p))^k (no sharing) or 1 + k c (1 - B^p) (shared), c = L/p — computed
    here by convolving the coefficients typed in from that algebra, to 1e-8 units."""
    L, p = 2, 6
    w = make(CASE, seed=3, n_replications=3, n_weeks=80, demand_sd=4.0, lead_time=L, forecast_window=p)
    assert max(max(v.values()) for v in w.truth["share_orders_floored"].values()) == 0
    chain, demand = w.tables["chain"], w.tables["demand"]
    c = L / p
    step = np.zeros(p + 1)
    step[0], step[p] = 1 + c, -c
    for rep in (1, 3):
        d = demand.loc[demand["replication"] == rep, "demand"].to_numpy(dtype=float)
        for k, e in enumerate(ECHELONS, start=1):
            a_shared = np.zeros(p + 1)
            a_shared[0], a_shared[p] = 1 + k * c, -k * c
            a_alone = np.array([1.0])
            for _ in range(k):
                a_alone = np.convolve(a_alone, step)
            for regime, a in (("shared", a_shared), ("no_sharing", a_alone)):
                rows = chain[(chain["replication"] == rep) & (chain["regime"] == regime) & (chain["echelon"] == e)]
                expected = np.convolve(d, a)[a.size - 1:d.size]
                got = rows.sort_values("week")["order"].to_numpy()[a.size - 1:]
                assert np.allclose(got, expected, atol=1e-8), (regime, e)


def test_analytical_truth_matches_chen_for_independent_demand_and_the_filter_for_ar1():
    """The planted truth['analytical_ratio'] equals Chen's closed forms for independent demand, and for AR(1) demand
    it equals the variance of the filtered series computed by brute force on a long simulated AR(1) path (2%)."""
    world = load_case_module(CASE, "world")
    w = make(CASE, seed=1, n_replications=2, n_weeks=30, lead_time=3, forecast_window=9)
    for k, e in enumerate(ECHELONS, start=1):
        assert w.truth["analytical_ratio"]["shared"][e] == pytest.approx(chen(3, 9, k))
        assert w.truth["analytical_ratio"]["no_sharing"][e] >= chen(3, 9) ** k - 1e-12
    assert w.truth["analytical_ratio"]["no_sharing"]["retailer"] == pytest.approx(chen(3, 9))
    rng = np.random.default_rng(0)
    rho, n = 0.6, 400_000
    x = np.empty(n)
    x[0] = rng.standard_normal()
    eps = rng.standard_normal(n) * np.sqrt(1 - rho ** 2)
    for t in range(1, n):
        x[t] = rho * x[t - 1] + eps[t]
    for shared in (False, True):
        a = world.filter_coefficients(3, 2, 8, shared)
        brute = np.convolve(x, a)[a.size:n].var() / x.var()
        assert world.analytical_ratio(3, 2, 8, shared, rho) == pytest.approx(brute, rel=0.02)


@pytest.mark.parametrize("seed", [42, 7])
def test_notebook_measurement_recovers_the_planted_ratios(seed):
    """Planted-truth recovery at the defaults, by the notebook's own method: the measured ratio is within 4% of the
    planted exact ratio wherever orders were floored in under 2% of weeks, and below it (floored orders lose
    variance) but within 20% at the top of the no-sharing chain."""
    w = make(CASE, seed=seed)
    r = _ratios(w)
    for regime in ("no_sharing", "shared"):
        for e in ECHELONS:
            planted = w.truth["analytical_ratio"][regime][e]
            if w.truth["share_orders_floored"][regime][e] < 0.02:
                assert r.loc[regime, e] == pytest.approx(planted, rel=0.04), (regime, e)
            else:
                assert 0.8 * planted < r.loc[regime, e] < 1.02 * planted, (regime, e)


@pytest.mark.parametrize("seed", [42, 7])
def test_sharing_helps_every_upstream_echelon_in_paired_replications(seed):
    """Common random numbers: both regimes see identical end-customer demand; per replication, sharing lowers the
    supplier's bullwhip ratio and forecast RMSE and the chain's inventory cost, and raises the manufacturer's fill
    rate, in a clear majority of replications (paired comparison)."""
    w = make(CASE, seed=seed)
    chain, demand = w.tables["chain"], w.tables["demand"]
    retail = chain[chain["echelon"] == "retailer"]
    for regime in ("no_sharing", "shared"):
        assert (retail.loc[retail["regime"] == regime, "incoming"].to_numpy()
                == demand["demand"].to_numpy(dtype=float)).all()
    k = w.knobs
    g = chain.assign(cost=k["holding_cost"] * chain["on_hand"] + k["backlog_cost"] * chain["backlog"])
    cost = g.groupby(["replication", "regime"], observed=True)["cost"].sum().unstack()
    assert (cost["shared"] < cost["no_sharing"]).mean() >= 0.8
    top = chain[chain["echelon"] == "supplier"]
    var = top.groupby(["replication", "regime"], observed=True)["order"].var().unstack()
    assert (var["shared"] < var["no_sharing"]).mean() >= 0.9
    maker = chain[chain["echelon"] == "manufacturer"].groupby(["replication", "regime"], observed=True)[
        ["filled", "incoming"]].sum()
    fill = (maker["filled"] / maker["incoming"]).unstack()
    assert (fill["shared"] > fill["no_sharing"]).mean() >= 0.7


def test_stock_balance_and_shipments_flow_down_the_chain():
    """Bookkeeping, checked directly: on hand - backlog changes by received - incoming each week, and what an echelon
    receives is what its upstream shipped lead_time weeks earlier (the supplier: what it ordered)."""
    L = 2
    w = make(CASE, seed=9, n_replications=3, n_weeks=40, lead_time=L)
    ch = w.tables["chain"].sort_values(["replication", "regime", "stage", "week"])
    for (rep, regime), part in ch.groupby(["replication", "regime"], observed=True):
        net = {s: (p["on_hand"] - p["backlog"]).to_numpy() for s, p in part.groupby("stage")}
        by = {s: p for s, p in part.groupby("stage")}
        for s in range(1, 5):
            p = by[s]
            assert np.allclose(np.diff(net[s]), (p["received"] - p["incoming"]).to_numpy()[1:])
            source = by[s + 1]["shipped"] if s < 4 else p["order"]
            assert np.allclose(p["received"].to_numpy()[L:], source.to_numpy()[:-L])
