"""Exercise checks of the distributor ABC case (notebooks/distributor_abc.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables with plain pandas and an explicit ABC rule written
out here, independently of :mod:`crmlab.concentration`. Where the textbook rule leaves room for two readings —
does the customer who crosses 80% belong to A (the share reached *before* them is below 80%) or to B (the share
*including* them is above 80%)? — both readings are accepted.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, equal, exercise, same_set

CASE = "distributor_abc"
CUTOFFS = (0.80, 0.95)


def _yearly(world) -> pd.DataFrame:
    """Sales and profit per customer and period (index customer_id, columns (measure, period))."""
    o = world.tables["orders"]
    per = (o.assign(margin=o["amount"] - o["cost_of_goods"] - o["service_cost"])
           .groupby(["customer_id", "period"])[["amount", "margin"]].sum())
    c = world.tables["account_costs"].set_index(["customer_id", "period"])
    y = c.join(per, how="left").fillna({"amount": 0.0, "margin": 0.0})
    y["profit"] = y["margin"] - y["visit_cost"] - y["support_cost"] - y["cash_rebate"]
    return y[["amount", "profit"]].unstack("period")


def _abc(values: pd.Series, *, inclusive: bool) -> pd.Series:
    """ABC class per customer: rank by value (largest first, ties in input order); with ``inclusive`` the
    cumulative share including the customer decides, otherwise the share reached before the customer."""
    v = values.sort_values(ascending=False, kind="stable")
    cum = v.cumsum() / v.sum()
    share = cum if inclusive else cum - v / v.sum()
    eps = 1e-12
    cls = np.where(share < CUTOFFS[0] - eps if not inclusive else share <= CUTOFFS[0] + eps, "A",
                   np.where(share < CUTOFFS[1] - eps if not inclusive else share <= CUTOFFS[1] + eps, "B", "C"))
    return pd.Series(cls, index=v.index).reindex(values.index)


def _both(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _abc(values, inclusive=False), _abc(values, inclusive=True)


def _either(results):
    """The first result that is right, else the first one."""
    for r in results:
        if r[0]:
            return r
    return results[0]


@exercise(CASE, "q1", hint="Classify the customers by their period-2 sales (80% / 95% cut-offs) and divide the "
                           "number of class A customers by all customers (a share between 0 and 1).")
def q1(world, answer):
    sales = _yearly(world)[("amount", 2)]
    return _either([close(answer, float((cls == "A").mean()), abs=5e-4, what="the share of class A customers")
                    for cls in _both(sales)])


@exercise(CASE, "q2", hint="Sort period-2 sales from largest to smallest and add up the first round(0.2 x n) "
                           "customers; divide by total sales.")
def q2(world, answer):
    sales = _yearly(world)[("amount", 2)].sort_values(ascending=False)
    k = round(0.2 * len(sales))
    return close(answer, float(sales.iloc[:k].sum() / sales.sum()), abs=2e-3,
                 what="the share of period-2 sales made by the top 20% of customers")


@exercise(CASE, "q3", hint="Classify period 1 and period 2 separately, then count the customers that are B in "
                           "period 1 and A in period 2.")
def q3(world, answer):
    y = _yearly(world)
    counts = [int(((c1 == "B") & (c2 == "A")).sum())
              for c1, c2 in zip(_both(y[("amount", 1)]), _both(y[("amount", 2)]))]
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, f"expected a whole number of customers, got {answer!r}"
    return _either([equal(int(answer), c, what="the number of customers moving from B to A") for c in counts])


@exercise(CASE, "q4", hint="Classify period-2 customers by sales and, separately, by profit (losses count as 0); "
                           "list the customer_ids that are A by sales but not A by profit.")
def q4(world, answer):
    y = _yearly(world)
    by_sales = _both(y[("amount", 2)])
    by_profit = _both(y[("profit", 2)].clip(lower=0.0))
    return _either([same_set(answer, s.index[(s == "A") & (p != "A")].tolist(),
                             what="customers in A by sales but not by profit")
                    for s, p in zip(by_sales, by_profit)])


@exercise(CASE, "q5", hint="Gross profit = the sum of the positive period-2 profits; the loss-makers consume minus "
                           "the sum of the negative ones. Divide the second by the first.")
def q5(world, answer):
    p = _yearly(world)[("profit", 2)]
    gross = p[p > 0].sum()
    return close(answer, float(-p[p < 0].sum() / gross), rel=5e-3, abs=1e-5,
                 what="the share of gross profit consumed by loss-making customers")
