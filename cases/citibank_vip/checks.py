"""Exercise checks of the Citibank VIP case (notebooks/citibank_vip.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy arrays, independently of the notebook's
pandas code, so a notebook bug cannot make a wrong answer pass. The world is built in cases/citibank_vip/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "citibank_vip"
YOUNG_AGE, HIGH_INCOME = 35, 8000.0     # the notebook's rule for a small saver with potential


def _arrays(world) -> dict:
    a = world.tables["accounts"]
    return {"tier": a["balance_tier"].astype(str).to_numpy(), "cost": a["cost_to_serve"].to_numpy(float),
            "balance": a["balance"].to_numpy(float), "revenue": a["revenue"].to_numpy(float),
            "fee": a["fee_due"].to_numpy(float), "notice": a["fee_notice"].to_numpy(bool),
            "closed": a["closed"].to_numpy(bool), "age": a["age"].to_numpy(), "income": a["income"].to_numpy(float)}


def _change(x: dict) -> np.ndarray:
    """Next year's profit (revenue + fee due - cost if the account stays, nothing if it closes) minus this year's."""
    return np.where(x["closed"], 0.0, x["revenue"] + x["fee"] - x["cost"]) - (x["revenue"] - x["cost"])


def _diff(values: np.ndarray, notice: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask & notice].mean() - values[mask & ~notice].mean())


@exercise(CASE, "q1", hint="For each tier: total cost_to_serve / total balance; then the small tier's value divided "
                           "by the vip tier's.",
          hint_zh="对每个档次：cost_to_serve 的总和除以 balance 的总和；再用小额档（small）的值除以VIP档（vip）的值。")
def q1(world, answer):
    x = _arrays(world)
    s, v = x["tier"] == "small", x["tier"] == "vip"
    if not s.any() or not v.any():
        return False, "this world has no small or no vip accounts, so the ratio is undefined"
    ratio = (x["cost"][s].sum() / x["balance"][s].sum()) / (x["cost"][v].sum() / x["balance"][v].sum())
    return close(answer, float(ratio), rel=5e-4, what="small tier's cost per CNY of balance relative to the vip tier's",
                 what_zh="小额档每元余额的服务成本与VIP档之比")


@exercise(CASE, "q2", hint="In the small tier: mean of `closed` among customers with fee_notice True minus the mean "
                           "among those with False (a difference of shares).",
          hint_zh="在小额档内：fee_notice 为 True 的客户 `closed` 的均值减去 fee_notice 为 False 的客户的均值（两个比例之差）。")
def q2(world, answer):
    x = _arrays(world)
    return close(answer, _diff(x["closed"].astype(float), x["notice"], x["tier"] == "small"), abs=5e-5,
                 what="the rise in the small tier's closing rate caused by the notice",
                 what_zh="收费通知使小额档销户率上升的幅度")


@exercise(CASE, "q3", hint="change = next year's profit (revenue + fee_due - cost_to_serve if the account stays, 0 if "
                           "it closed) minus this year's (revenue - cost_to_serve). In the small tier: mean change over "
                           "customers told of the fee minus mean over the others.",
          hint_zh="change = 次年利润（未销户为 revenue + fee_due - cost_to_serve，销户为0）减去今年利润"
                  "（revenue - cost_to_serve）。在小额档内：接到通知的客户 change 的均值减去未接到通知的客户的均值。")
def q3(world, answer):
    x = _arrays(world)
    return close(answer, _diff(_change(x), x["notice"], x["tier"] == "small"), abs=0.05, rel=1e-4,
                 what="the change in profit per small-tier customer", what_zh="每个小额档客户利润的变化")


@exercise(CASE, "q4", hint="The same difference as Q3, but over all customers of every tier (CNY per customer).",
          hint_zh="与Q3相同的差值，但对所有档次的全部客户计算（每个客户多少元）。")
def q4(world, answer):
    x = _arrays(world)
    return close(answer, _diff(_change(x), x["notice"], np.ones(len(x["tier"]), bool)), abs=0.05, rel=1e-4,
                 what="the change in profit per customer, all tiers", what_zh="全部客户每人利润的变化")


@exercise(CASE, "q5", hint="Small-tier customers with fee_notice True and closed True: the share with age < 35 and "
                           "income >= 8000 (a share between 0 and 1).",
          hint_zh="小额档中 fee_notice 为 True 且 closed 为 True 的客户：其中 age < 35 且 income >= 8000 的比例（0到1之间）。")
def q5(world, answer):
    x = _arrays(world)
    leavers = (x["tier"] == "small") & x["notice"] & x["closed"]
    if not leavers.any():
        return False, "no small-tier customer told of the fee closed the account in this world"
    potential = (x["age"] < YOUNG_AGE) & (x["income"] >= HIGH_INCOME)
    return close(answer, float(potential[leavers].mean()), abs=5e-5,
                 what="the share of young high earners among the small-tier leavers",
                 what_zh="小额档销户客户中年轻高收入者的比例")


@exercise(CASE, "q6", hint="Join vip_offers to accounts; for each household type take the highest acceptance rate "
                           "among the four bundles, then average those rates weighted by the number of VIPs of each "
                           "household type.",
          hint_zh="把 vip_offers 与 accounts 连接；对每种家庭结构取四个组合中最高的接受率，再按各家庭结构的VIP人数加权平均。")
def q6(world, answer):
    offers = world.tables["vip_offers"]
    acc = world.tables["accounts"]
    house = dict(zip(acc["customer_id"].to_numpy(), acc["household"].astype(str).to_numpy()))
    h = np.array([house[c] for c in offers["customer_id"].to_numpy()])
    b = offers["bundle"].astype(str).to_numpy()
    y = offers["accepted"].to_numpy(bool)
    total = 0.0
    for g in np.unique(h):
        rates = [y[(h == g) & (b == bun)].mean() for bun in np.unique(b[h == g])]
        total += (h == g).sum() * max(rates)
    return close(answer, float(total / len(h)), abs=5e-5,
                 what="the acceptance rate of bundles tailored by household", what_zh="按家庭结构定制组合后的接受率")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_accounts(world) -> pd.DataFrame:
    """The notebook's ``acc`` table with ``profit`` (section 3), ``next_year`` and ``change`` (section 4.3)."""
    acc = world.tables["accounts"].copy()
    acc["profit"] = acc["revenue"] - acc["cost_to_serve"]
    acc["next_year"] = (acc["revenue"] + acc["fee_due"] - acc["cost_to_serve"]).where(~acc["closed"], 0.0)
    acc["change"] = acc["next_year"] - acc["profit"]
    return acc


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/citibank_vip.ipynb, section 5."""
    acc = _notebook_accounts(world)
    totals = acc.groupby("balance_tier", observed=False)[["cost_to_serve", "balance"]].sum()
    per_cny = totals["cost_to_serve"] / totals["balance"]
    small = acc[acc["balance_tier"] == "small"]
    rates = small.groupby("fee_notice")["closed"].mean()
    means = small.groupby("fee_notice")["change"].mean()
    means_all = acc.groupby("fee_notice")["change"].mean()
    leavers = small[small["fee_notice"] & small["closed"]]
    vip = world.tables["vip_offers"].merge(acc[["customer_id", "household"]], on="customer_id")
    table = vip.pivot_table(index="household", columns="bundle", values="accepted", aggfunc="mean", observed=True)
    size = vip["household"].value_counts()
    return {"q1": float(per_cny["small"] / per_cny["vip"]),
            "q2": float(rates[True] - rates[False]),
            "q3": float(means[True] - means[False]),
            "q4": float(means_all[True] - means_all[False]),
            "q5": float(((leavers["age"] < 35) & (leavers["income"] >= 8000)).mean()),
            "q6": float((table.max(axis=1) * size[table.index]).sum() / size[table.index].sum())}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    acc = _notebook_accounts(world)
    right = answers(world)
    ratio = acc.assign(r=acc["cost_to_serve"] / acc["balance"]).groupby("balance_tier", observed=False)["r"].mean()
    per_customer = acc.groupby("balance_tier", observed=False)["cost_to_serve"].mean()
    small = acc[acc["balance_tier"] == "small"]
    rates = small.groupby("fee_notice")["closed"].mean()
    all_rates = acc.groupby("fee_notice")["closed"].mean()
    told_change = small.loc[small["fee_notice"], "change"].mean()
    fee_only_all = acc.loc[acc["fee_notice"], "fee_due"].mean()
    told_small = small[small["fee_notice"]]
    potential_told = (told_small["age"] < 35) & (told_small["income"] >= 8000)
    leavers_any = acc[acc["fee_notice"] & acc["closed"]]
    vip = world.tables["vip_offers"].merge(acc[["customer_id", "household"]], on="customer_id")
    table = vip.pivot_table(index="household", columns="bundle", values="accepted", aggfunc="mean", observed=True)
    return {
        "q1": {"mean of the accounts' cost per CNY, not total cost / total balance": float(ratio["small"] / ratio["vip"]),
               "cost-to-serve per customer instead of per CNY of balance": float(per_customer["small"] / per_customer["vip"]),
               "vip over small (the ratio upside down)": 1 / right["q1"]},
        "q2": {"closing rate of the customers told, without the control group": float(rates[True]),
               "all tiers pooled instead of the small tier": float(all_rates[True] - all_rates[False]),
               "relative rise (told / not told - 1) instead of the difference": float(rates[True] / rates[False] - 1),
               "percentage points instead of a difference of shares": 100 * right["q2"]},
        "q3": {"the yearly fee in full, as if nobody left": float(12 * world.knobs["fee"]),
               "the change among those told alone, without the control group": float(told_change),
               "the tier's total instead of per customer": float(right["q3"] * len(small))},
        "q4": {"the small tier only (Q3's answer)": right["q3"],
               "the fee due per customer told, as if nobody left": float(fee_only_all),
               "the bank's total instead of per customer": float(right["q4"] * len(acc))},
        "q5": {"share among all small-tier customers told of the fee (the wrong denominator)": float(potential_told.mean()),
               "share among every customer told of the fee who closed, of any tier":
                   float(((leavers_any["age"] < 35) & (leavers_any["income"] >= 8000)).mean()),
               "a percentage instead of a share": 100 * right["q5"]},
        "q6": {"the acceptance rate of the random offers (no tailoring)": float(vip["accepted"].mean()),
               "the best single bundle for every VIP": float(vip.groupby("bundle", observed=True)["accepted"].mean().max()),
               "unweighted mean of the household maxima": float(table.max(axis=1).mean())},
    }
