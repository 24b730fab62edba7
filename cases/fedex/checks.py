"""Exercise checks of the FedEx case (notebooks/fedex.ipynb), computed from the student's own world.

Each check recomputes its answer directly from the world's tables with plain pandas, independently of
the notebook's analysis code, so a notebook bug cannot make a wrong answer pass.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, equal, exercise

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
                           "accounts (a share between 0 and 1).")
def q1(world, answer):
    acc = _accounts(world)
    return close(answer, float((acc["profit"] < 0).mean()), abs=5e-4, what="the share of loss-making accounts")


@exercise(CASE, "q2", hint="Take the round(0.1 x number of accounts) largest accounts by revenue and compute the "
                           "share of them with negative profit.")
def q2(world, answer):
    acc = _accounts(world)
    k = max(1, round(0.1 * len(acc)))
    top = acc.sort_values("revenue", ascending=False, kind="stable").head(k)
    # one account more or less at the boundary (e.g. a quantile cut-off) is accepted
    return close(answer, float((top["profit"] < 0).mean()), abs=1.01 / k,
                 what="the share of loss-makers among the largest 10% of accounts by revenue")


@exercise(CASE, "q3", hint="For each tier: total cost_to_serve divided by total shipments; then lead / platinum.")
def q3(world, answer):
    acc = _accounts(world)
    tier = _tiers(acc["profit"])
    per = acc.groupby(tier.to_numpy())[["cost_to_serve", "shipments"]].sum()
    if not {"lead", "platinum"} <= set(per.index):
        return False, "this world has no lead or no platinum accounts, so the ratio is undefined"
    ratio = (per.loc["lead", "cost_to_serve"] / per.loc["lead", "shipments"]
             / (per.loc["platinum", "cost_to_serve"] / per.loc["platinum", "shipments"]))
    return close(answer, float(ratio), rel=0.005, what="lead's cost per shipment relative to platinum's")


@exercise(CASE, "q4", hint="Mean of `retained` for accounts with tracking_user True minus the mean for False "
                           "(a difference of shares, e.g. 0.05 for 5 points).")
def q4(world, answer):
    acc = world.tables["accounts"]
    rate = acc.groupby("tracking_user")["retained"].mean()
    return close(answer, float(rate.loc[True] - rate.loc[False]), abs=5e-4,
                 what="the retention gap between tracking users and non-users")


@exercise(CASE, "q5", hint="Add cost_per_pickup x pickups + cost_per_special x special_handling to each lead "
                           "account's profit and count those that reach zero or more.")
def q5(world, answer):
    acc = _accounts(world)
    k = world.knobs
    lead = acc[acc["profit"] < 0]
    after = lead["profit"] + k["cost_per_pickup"] * lead["pickups"] + k["cost_per_special"] * lead["special_handling"]
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, f"expected a whole number of accounts, got {answer!r}"
    return equal(int(answer), int((after >= 0).sum()), what="the number of lead accounts turned profitable")
