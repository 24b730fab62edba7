"""Exercise checks of the FedEx case (notebooks/fedex.ipynb), computed from the student's own world.

Each check recomputes its answer directly from the world's tables with plain pandas, independently of
the notebook's analysis code, so a notebook bug cannot make a wrong answer pass. The world is built in
cases/fedex/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
``crmlab.casekit.profit_pyramid`` as the notebook does) and the classic mistakes each check must refuse
(``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import casekit
from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

CASE = "fedex"


def _accounts(world) -> pd.DataFrame:
    acc = world.tables["accounts"]
    return acc.assign(profit=acc["revenue"] - acc["cost_to_serve"])


def _tiers(profit: pd.Series) -> pd.Series:
    """Customer pyramid by the rule stated in the notebook: lead = loss-making; platinum = the top 10% of all
    accounts by profit; gold = the next 20%; iron = the other profitable ones (a slow, explicit version)."""
    n = len(profit)
    order = profit.sort_values(ascending=False, kind="stable").index
    tier = pd.Series("iron", index=profit.index, dtype=object)
    tier[order[: round(0.3 * n)]] = "gold"
    tier[order[: round(0.1 * n)]] = "platinum"
    tier[profit < 0] = "lead"
    return tier


@exercise(CASE, "q1", hint="Profit = revenue - cost_to_serve; count the accounts below zero and divide by all "
                           "accounts (a share between 0 and 1).",
          hint_zh="利润 = revenue - cost_to_serve；数出利润小于零的账户，再除以账户总数（0到1之间的比例）。")
def q1(world, answer):
    acc = _accounts(world)
    return close(answer, float((acc["profit"] < 0).mean()), abs=5e-4, what="the share of loss-making accounts",
                 what_zh="亏损账户占比")


@exercise(CASE, "q2", hint="Take the round(0.1 x number of accounts) largest accounts by revenue and compute the "
                           "share of them with negative profit.",
          hint_zh="按收入从大到小取前 round(0.1 x 账户数) 个账户，算出其中利润为负的比例。")
def q2(world, answer):
    acc = _accounts(world)
    k = max(1, round(0.1 * len(acc)))
    top = acc.sort_values("revenue", ascending=False, kind="stable").head(k)
    # one account more or less at the boundary (e.g. a quantile cut-off) is accepted
    return close(answer, float((top["profit"] < 0).mean()), abs=1.01 / k,
                 what="the share of loss-makers among the largest 10% of accounts by revenue",
                 what_zh="收入最大的10%账户中的亏损账户占比")


@exercise(CASE, "q3", hint="For each tier: total cost_to_serve divided by total shipments; then lead / platinum.",
          hint_zh="对每个层级：cost_to_serve 的总和除以 shipments 的总和；再用铅层（lead）的值除以铂金层（platinum）的值。")
def q3(world, answer):
    acc = _accounts(world)
    tier = _tiers(acc["profit"])
    per = acc.groupby(tier.to_numpy())[["cost_to_serve", "shipments"]].sum()
    if not {"lead", "platinum"} <= set(per.index):
        return False, Text("this world has no lead or no platinum accounts, so the ratio is undefined",
                           "这个数据世界没有铅层或铂金层账户，这个比值没有定义")
    ratio = (per.loc["lead", "cost_to_serve"] / per.loc["lead", "shipments"]
             / (per.loc["platinum", "cost_to_serve"] / per.loc["platinum", "shipments"]))
    return close(answer, float(ratio), rel=0.005, what="lead's cost per shipment relative to platinum's",
                 what_zh="铅层每票服务成本与铂金层之比")


@exercise(CASE, "q4", hint="Mean of `retained` for accounts with tracking_user True minus the mean for False "
                           "(a difference of shares, e.g. 0.05 for 5 points).",
          hint_zh="tracking_user 为 True 的账户的 `retained` 均值，减去为 False 的账户的均值"
                  "（两个比例之差，例如5个百分点写作0.05）。")
def q4(world, answer):
    acc = world.tables["accounts"]
    rate = acc.groupby("tracking_user")["retained"].mean()
    return close(answer, float(rate.loc[True] - rate.loc[False]), abs=5e-4,
                 what="the retention gap between tracking users and non-users",
                 what_zh="在线追踪账户与不追踪账户的客户保留率之差")


@exercise(CASE, "q5", hint="Add cost_per_pickup x pickups + cost_per_special x special_handling to each lead "
                           "account's profit and count those that reach zero or more.",
          hint_zh="给每个铅层账户的利润加上 cost_per_pickup x pickups + cost_per_special x special_handling，"
                  "数出结果大于或等于零的账户。")
def q5(world, answer):
    acc = _accounts(world)
    k = world.knobs
    lead = acc[acc["profit"] < 0]
    after = lead["profit"] + k["cost_per_pickup"] * lead["pickups"] + k["cost_per_special"] * lead["special_handling"]
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of accounts, got {answer!r}",
                           f"账户数应当是一个整数，而你给的是 {answer!r}")
    return equal(int(answer), int((after >= 0).sum()), what="the number of lead accounts turned profitable",
                 what_zh="转为盈利的铅层账户数")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_accounts(world) -> pd.DataFrame:
    """The notebook's ``acc`` table: accounts with ``profit`` (section 3) and ``tier`` (section 4.3)."""
    acc = world.tables["accounts"].copy()
    acc["profit"] = acc["revenue"] - acc["cost_to_serve"]
    acc["tier"] = casekit.profit_pyramid(acc.set_index("customer_id")["profit"]).set_axis(acc.index)
    return acc


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/fedex.ipynb, section 5 (the unit costs are the world's knobs, which the
    notebook's parameters cell passes to the world)."""
    acc = _notebook_accounts(world)
    share_unprofitable = float((acc["profit"] < 0).mean())
    largest = acc.sort_values("revenue", ascending=False).head(round(0.1 * len(acc)))
    share_unprofitable_largest = float((largest["profit"] < 0).mean())
    totals = acc.groupby("tier", observed=False)[["cost_to_serve", "shipments"]].sum()
    per = totals["cost_to_serve"] / totals["shipments"]
    lead_vs_platinum = float(per["lead"] / per["platinum"])
    rates = acc.groupby("tracking_user")["retained"].mean()
    tracking_gap = float(rates[True] - rates[False])
    k = world.knobs
    lead = acc[acc["profit"] < 0]
    surcharged = lead["profit"] + k["cost_per_pickup"] * lead["pickups"] + k["cost_per_special"] * lead["special_handling"]
    lead_turned_profitable = int((surcharged >= 0).sum())
    return {"q1": share_unprofitable, "q2": share_unprofitable_largest, "q3": lead_vs_platinum,
            "q4": tracking_gap, "q5": lead_turned_profitable}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    acc = _notebook_accounts(world)
    right = answers(world)
    k = round(0.1 * len(acc))
    loss = acc["profit"] < 0
    smallest = acc.sort_values("revenue").head(k)                  # sort_values is ascending by default
    largest = acc.sort_values("revenue", ascending=False).head(k)
    by_tier = acc.assign(cps=acc["cost_to_serve"] / acc["shipments"]).groupby("tier", observed=False)
    per_account = by_tier["cost_to_serve"].mean()
    mean_of_ratios = by_tier["cps"].mean()
    rates = acc.groupby("tracking_user")["retained"].mean()
    unit = world.knobs
    lead = acc[loss]
    pickups_only = lead["profit"] + unit["cost_per_pickup"] * lead["pickups"]
    everyone = acc["profit"] + unit["cost_per_pickup"] * acc["pickups"] + unit["cost_per_special"] * acc["special_handling"]
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "loss-makers divided by profitable accounts (the wrong denominator)": float(loss.sum() / (~loss).sum())},
        "q2": {"the smallest 10% by revenue (sort_values is ascending)": float((smallest["profit"] < 0).mean()),
               "share of all loss-makers that are among the largest 10% (the wrong denominator)":
                   float((largest["profit"] < 0).sum() / loss.sum()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"mean of the accounts' cost per shipment, not total cost / total shipments":
                   float(mean_of_ratios["lead"] / mean_of_ratios["platinum"]),
               "cost-to-serve per account instead of per shipment": float(per_account["lead"] / per_account["platinum"]),
               "platinum over lead (the ratio upside down)": 1 / right["q3"]},
        "q4": {"percentage points instead of a difference of shares": 100 * right["q4"],
               "non-users minus users (the wrong sign)": -right["q4"],
               "relative gap (users / non-users - 1) instead of the difference": float(rates[True] / rates[False] - 1)},
        "q5": {"only the pickups billed, not special handling": int((pickups_only >= 0).sum()),
               "every account counted, not only the lead accounts": int((everyone >= 0).sum()),
               "lead accounts still loss-making after the surcharge": int(len(lead)) - right["q5"]},
    }
