"""Case ``distributor_abc`` beyond the contract: the world (cases/distributor_abc/world.py) plants the facts of
CRM Q&A compilation (source 0) (sections ㈠ and ㈢) and they come back out, and the checks of cases/distributor_abc/checks.py accept
both readings of the ABC boundary.

ABC classes are recomputed here from the orders by a brute-force cumulative-share loop (independent of
crmlab's analytics); the transition matrix is compared with the planted one; profit is recomputed from
the orders and account costs and the whale-curve facts with a plain loop.
"""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from crmlab._casemodules import load_case_module
from crmlab.checks import Checker, solve
from crmlab.worlds import make

_world_module = load_case_module("distributor_abc", "world")
CLASSES, class_shares, transition_matrix = (_world_module.CLASSES, _world_module.class_shares,
                                            _world_module.transition_matrix)

N = 5000


@pytest.fixture(scope="module")
def world():
    return make("distributor_abc", n_customers=N)


def _abc_loop(sales: pd.Series) -> pd.Series:
    """A customer is A while the cumulative share *before* it is under 80%, B under 95%, else C."""
    out, total, running = {}, sales.sum(), 0.0
    for cid, value in sales.sort_values(ascending=False, kind="stable").items():
        share_before = running / total
        out[cid] = "A" if share_before < 0.80 else ("B" if share_before < 0.95 else "C")
        running += value
    return pd.Series(out).reindex(sales.index)


def _period_sales(world):
    return world.tables["orders"].pivot_table(index="customer_id", columns="period", values="amount",
                                              aggfunc="sum", observed=True)


def test_class_shares_closed_form():
    """Closed form: lognormal sales with log-sd 1.683: top 20% make 80% of sales (closed form 1 − Φ(z − σ))."""
    shares = class_shares(1.683)
    assert shares["A"] == pytest.approx(0.2, abs=0.001)
    z_a = norm.ppf(1 - shares["A"])
    assert 1 - norm.cdf(z_a - 1.683) == pytest.approx(0.80, abs=1e-9)
    P = transition_matrix(1.683)
    pi = np.array([shares[c] for c in CLASSES])
    assert np.allclose(pi @ P.loc[list(CLASSES), list(CLASSES)].to_numpy(), pi)   # stationary
    assert (P.to_numpy() >= 0).all() and np.allclose(P.sum(axis=1), 1)


def test_about_20_percent_of_customers_are_class_A(world):
    """Brute-force loop: about 20% of customers are class A in each year (CRM Q&A compilation (source 0), line 59), and the classes
    recomputed from the orders are the planted ones but for a boundary customer or two."""
    sales = _period_sales(world)
    for period in (1, 2):
        classes = _abc_loop(sales[period])
        assert abs((classes == "A").mean() - 0.20) < 0.03
        truth = world.truth["customers"][f"class_p{period}"].astype(str)
        # The planted classes are those of cumulative sales: only a boundary customer may differ (cents).
        assert (classes.to_numpy() != truth.to_numpy()).sum() <= 2


def test_planted_transition_matrix_recovered_from_two_periods(world):
    """Empirical year-1 → year-2 matrix of the ABC classes recomputed from the orders is within 4 standard
    errors (binomial, per cell) of the planted matrix, plus 0.01 for the class-count adjustment."""
    sales = _period_sales(world)
    c1, c2 = _abc_loop(sales[1]), _abc_loop(sales[2])
    observed = pd.crosstab(c1, c2, normalize="index").loc[list(CLASSES), list(CLASSES)].to_numpy()
    planted = pd.DataFrame(world.truth["transition_matrix"]).T.loc[list(CLASSES), list(CLASSES)].to_numpy()
    rows = c1.value_counts().reindex(list(CLASSES)).to_numpy()[:, None]
    se = np.sqrt(planted * (1 - planted) / rows)
    assert (np.abs(observed - planted) <= 4 * se + 0.01).all()
    assert (planted.diagonal() < 1).all() and observed[1, 0] > 0 and observed[2, 1] > 0   # B→A, C→B happen


def test_mobility_zero_freezes_classes():
    """Planted truth: with mobility 0 no customer changes class between the years."""
    lat = make("distributor_abc", n_customers=500, mobility=0.0).truth["customers"]
    assert (lat["class_p1"] == lat["class_p2"]).all()


def test_class_driving_value_matches_orders(world):
    """Recount: orders of a period add up to the planted expected sales (to the cent per order)."""
    sales = _period_sales(world)
    lat = world.truth["customers"]
    counts = world.tables["orders"].groupby(["customer_id", "period"]).size().unstack()
    for period in (1, 2):
        diff = (sales[period] - lat[f"value_p{period}"]).abs()
        assert (diff <= 0.01 * counts[period] + 1e-6).all()


def _profit_from_tables(world, period):
    o = world.tables["orders"]
    o = o[o["period"] == period]
    order_profit = (o["amount"] - o["cost_of_goods"] - o["service_cost"]).groupby(o["customer_id"]).sum()
    a = world.tables["account_costs"]
    a = a[a["period"] == period].set_index("customer_id")
    return order_profit - a["visit_cost"] - a["support_cost"] - a["cash_rebate"]


def test_whale_curve_facts_from_the_seed(world):
    """CRM Q&A compilation (source 0), line 12: ~20% of customers make ~80% of (gross) profit; ~50% are unprofitable and their
    losses eat about half of it. Recomputed with a loop from orders and account costs."""
    profit = _profit_from_tables(world, 2)
    assert np.allclose(profit.to_numpy(), world.truth["customers"]["profit_p2"].to_numpy(), atol=1e-6)
    ordered = sorted(profit.to_numpy(), reverse=True)
    gross = sum(v for v in ordered if v > 0)
    top = sum(ordered[: round(0.2 * len(ordered))])
    losses = -sum(v for v in ordered if v < 0)
    running, peak = 0.0, -np.inf
    for v in ordered:
        running += v
        peak = max(peak, running)
    facts = world.truth["profit_facts"]
    assert facts["top20_share_of_gross_profit"] == pytest.approx(top / gross)
    assert facts["loss_share_of_gross_profit"] == pytest.approx(losses / gross)
    assert facts["whale_peak_share_of_net_profit"] == pytest.approx(peak / running)
    assert abs(top / gross - 0.80) < 0.05
    assert abs(np.mean(np.array(ordered) < 0) - 0.50) < 0.05
    assert 0.3 < losses / gross < 0.8        # heavy-tailed: a few large accounts move this a lot
    assert peak / running > 1.4              # the whale curve rises well above 100% of net profit


def test_archive_has_the_five_parts(world):
    """CRM Q&A compilation (source 0), lines 49–55: the archive's five parts are filled in; the owner's birthday agrees with the
    recorded age (recount) and resources grow with the planted class-driving value."""
    c = world.tables["customers"]
    for col in ("region", "province", "market_type", "business_type", "staff", "warehouse_m2", "owner_birthday"):
        assert c[col].notna().all()
    # Birthday agrees with the owner's age at the start of period 1.
    start = pd.Timestamp(world.knobs["first_year"], 1, 1)
    age = (start - c["owner_birthday"]).dt.days / 365.25
    assert (np.floor(age) == c["owner_age"]).mean() > 0.99
    # Resources grow with the class-driving value (rank correlation).
    value = world.truth["customers"]["value_p1"].to_numpy()
    assert pd.Series(value).corr(c["warehouse_m2"], method="spearman") > 0.5


# ----------------------------------------------------------------------------------------------- checks
def test_abc_check_accepts_both_boundary_conventions():
    """Hand-made world where the two readings of the 80% boundary differ by exactly one A customer: the one who
    crosses 80% may be counted in A (crmlab's rule, the notebook's text) or in B (cumulative share including the
    customer); Q1 accepts both and nothing else."""
    class W:  # the minimum a check reads: orders and account costs of two periods
        tables = {}
    amounts = [50.0, 20.0, 15.0, 10.0, 5.0]  # cumulative 50, 70, 85 -> the third customer crosses 80%
    rows = [{"order_id": i, "customer_id": c + 1, "period": p, "date": pd.Timestamp("2024-01-01"),
             "amount": a, "cost_of_goods": 0.0, "service_cost": 0.0}
            for p in (1, 2) for i, (c, a) in enumerate(zip(range(5), amounts))]
    W.tables = {"orders": pd.DataFrame(rows),
                "account_costs": pd.DataFrame({"customer_id": np.repeat(np.arange(1, 6), 2),
                                               "period": np.tile([1, 2], 5), "visits": 0, "visit_cost": 0.0,
                                               "support_cost": 0.0, "cash_rebate": 0.0})}
    check = Checker("distributor_abc", W)
    assert check("q1", 3 / 5) and check("q1", 2 / 5)
    assert not check("q1", 1 / 5) and not check("q1", 4 / 5)


@pytest.mark.parametrize("seed", [42, 2718281])
def test_a_by_sales_not_by_profit_is_not_empty_and_checked_by_customer(seed):
    """Brute-force loop on the default world: the Q4 list is not empty (the exercise is not vacuous), its
    customers are A by sales in the loop's own classification, and the check refuses the list with one
    customer missing or one too many."""
    w = make("distributor_abc", seed=seed)
    answer = solve("distributor_abc", w)["q4"]
    assert answer
    sales = _period_sales(w)[2]
    assert set(answer) <= set(sales.index[_abc_loop(sales) == "A"])
    check = Checker("distributor_abc", w)
    assert check("q4", answer)
    assert not check("q4", answer[1:])
    extra = next(c for c in sales.index if c not in answer)
    assert not check("q4", [*answer, extra])
