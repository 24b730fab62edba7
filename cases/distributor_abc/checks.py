"""Exercise checks of the distributor ABC case (notebooks/distributor_abc.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables with plain pandas and an explicit ABC rule written
out here, independently of :mod:`crmlab.concentration`. Where the textbook rule leaves room for two readings —
does the customer who crosses 80% belong to A (the share reached *before* them is below 80%) or to B (the share
*including* them is above 80%)? — both readings are accepted. The world is built in cases/distributor_abc/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
``crmlab.concentration.abc_classify`` as the notebook does) and the classic mistakes each check must refuse
(``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import concentration
from crmlab.checks import Text, close, equal, exercise, mistakes, same_set, solutions

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
                           "number of class A customers by all customers (a share between 0 and 1).",
          hint_zh="按第二年的销量给客户分类（以80%和95%为界），再用A类客户数除以客户总数（0到1之间的比例）。")
def q1(world, answer):
    sales = _yearly(world)[("amount", 2)]
    return _either([close(answer, float((cls == "A").mean()), abs=5e-4, what="the share of class A customers",
                          what_zh="A类客户占比")
                    for cls in _both(sales)])


@exercise(CASE, "q2", hint="Sort period-2 sales from largest to smallest and add up the first round(0.2 x n) "
                           "customers; divide by total sales.",
          hint_zh="把第二年销量从大到小排序，加总前 round(0.2 x 客户数) 个客户的销量，再除以总销量。")
def q2(world, answer):
    sales = _yearly(world)[("amount", 2)].sort_values(ascending=False)
    k = round(0.2 * len(sales))
    return close(answer, float(sales.iloc[:k].sum() / sales.sum()), abs=2e-3,
                 what="the share of period-2 sales made by the top 20% of customers",
                 what_zh="前20%的客户在第二年销量中的占比")


@exercise(CASE, "q3", hint="Classify period 1 and period 2 separately, then count the customers that are B in "
                           "period 1 and A in period 2.",
          hint_zh="分别给第一年和第二年分类，再数出第一年是B类、第二年是A类的客户。")
def q3(world, answer):
    y = _yearly(world)
    counts = [int(((c1 == "B") & (c2 == "A")).sum())
              for c1, c2 in zip(_both(y[("amount", 1)]), _both(y[("amount", 2)]))]
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of customers, got {answer!r}",
                           f"客户数应当是一个整数，而你给的是 {answer!r}")
    return _either([equal(int(answer), c, what="the number of customers moving from B to A",
                           what_zh="从B类升到A类的客户数") for c in counts])


@exercise(CASE, "q4", hint="Classify period-2 customers by sales and, separately, by profit (losses count as 0); "
                           "list the customer_ids that are A by sales but not A by profit.",
          hint_zh="把第二年的客户按销量分一次类，再按利润（亏损记为0）另分一次类；列出按销量是A类、按利润不是A类的 "
                  "customer_id。")
def q4(world, answer):
    y = _yearly(world)
    by_sales = _both(y[("amount", 2)])
    by_profit = _both(y[("profit", 2)].clip(lower=0.0))
    return _either([same_set(answer, s.index[(s == "A") & (p != "A")].tolist(),
                             what="customers in A by sales but not by profit",
                             what_zh="按销量是A类、按利润不是A类的客户")
                    for s, p in zip(by_sales, by_profit)])


@exercise(CASE, "q5", hint="Gross profit = the sum of the positive period-2 profits; the loss-makers consume minus "
                           "the sum of the negative ones. Divide the second by the first.",
          hint_zh="毛利润 = 第二年为正的利润之和；亏损客户吃掉的是负利润之和取相反数。用后者除以前者。")
def q5(world, answer):
    p = _yearly(world)[("profit", 2)]
    gross = p[p > 0].sum()
    # an exact ratio of two sums: half a unit of the fourth decimal allows rounding, and no more — the share of
    # customers making a loss (also about one half in this world) came within 0.0006 of it at some seeds
    return close(answer, float(-p[p < 0].sum() / gross), abs=5e-5,
                 what="the share of gross profit consumed by loss-making customers",
                 what_zh="被亏损客户吃掉的毛利润占比")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_tables(world):
    """The notebook's ``sales`` and ``profit`` tables of section 4.1 (one row per customer, one column per year)."""
    orders, costs = world.tables["orders"], world.tables["account_costs"]
    per_order = orders.assign(margin=orders["amount"] - orders["cost_of_goods"] - orders["service_cost"])
    yearly = (costs.set_index(["customer_id", "period"])
              .join(per_order.groupby(["customer_id", "period"])[["amount", "margin"]].sum(), how="left")
              .fillna({"amount": 0.0, "margin": 0.0}))
    yearly["profit"] = yearly["margin"] - yearly["visit_cost"] - yearly["support_cost"] - yearly["cash_rebate"]
    return yearly["amount"].unstack("period"), yearly["profit"].unstack("period")


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/distributor_abc.ipynb, section 5, on the tables of section 4."""
    sales, profit = _notebook_tables(world)
    abc2, abc1 = concentration.abc_classify(sales[2]), concentration.abc_classify(sales[1])
    p2 = profit[2]
    abc_profit = concentration.abc_classify(p2.clip(lower=0.0))
    share_a = float((abc2["class"] == "A").mean())
    top = sales[2].sort_values(ascending=False).head(round(0.2 * len(sales)))
    top20_share = float(top.sum() / sales[2].sum())
    b_to_a = int(((abc1["class"] == "B") & (abc2["class"].reindex(abc1.index) == "A")).sum())
    a_by_profit = set(abc_profit.index[abc_profit["class"] == "A"])
    a_not_profitable = [c for c in abc2.index[abc2["class"] == "A"] if c not in a_by_profit]
    loss_share = float(-p2[p2 < 0].sum() / p2[p2 > 0].sum())
    return {"q1": share_a, "q2": top20_share, "q3": b_to_a, "q4": a_not_profitable, "q5": loss_share}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    sales, profit = _notebook_tables(world)
    right = answers(world)
    abc2, abc1 = concentration.abc_classify(sales[2]), concentration.abc_classify(sales[1])
    class1, class2 = abc1["class"], abc2["class"].reindex(abc1.index)
    p2 = profit[2]
    abc_profit = concentration.abc_classify(p2.clip(lower=0.0))
    a_sales = set(abc2.index[abc2["class"] == "A"])
    a_profit = set(abc_profit.index[abc_profit["class"] == "A"])
    k = round(0.2 * len(sales))
    moves = concentration.class_transitions(abc1["class"], abc2["class"])
    return {
        "q1": {"class A's share of sales instead of its share of customers":
                   float(abc2.loc[abc2["class"] == "A", "value"].sum() / abc2["value"].sum()),
               "the number of class A customers instead of their share": int((abc2["class"] == "A").sum()),
               "a percentage instead of a share": 100 * right["q1"]},
        "q2": {"the smallest 20% (sort_values is ascending)":
                   float(sales[2].sort_values().head(k).sum() / sales[2].sum()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"the share of year-1 B customers that rose to A instead of their number":
                   float(moves.loc["B", "A"] / moves.loc["B"].sum()),
               "every move up a class (B to A and C to B together)":
                   int((((class1 == "B") & (class2 == "A")) | ((class1 == "C") & (class2 == "B"))).sum())},
        "q4": {"A by profit but not A by sales (the difference the wrong way round)": sorted(a_profit - a_sales),
               "A by sales and A by profit (the intersection)": sorted(a_sales & a_profit),
               "loss-making class A customers only": [c for c in abc2.index[abc2["class"] == "A"] if p2[c] < 0]},
        "q5": {"losses divided by net profit, not gross profit": float(-p2[p2 < 0].sum() / p2.sum()),
               "the share of customers making a loss, not the share of profit they consume": float((p2 < 0).mean()),
               "the sum of the losses divided by gross profit, sign kept": -right["q5"]},
    }
