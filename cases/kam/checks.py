"""Exercise checks of the key-account-management case (notebooks/kam.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's table with plain numpy, independently of the notebook's
analysis code (the effort plans by sorting every block's gain at once, where the notebook hands out one block
at a time), so a notebook bug cannot make a wrong answer pass. The world is built in cases/kam/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
``crmlab.accounts`` and ``crmlab.value`` as the notebook does) and the classic mistakes each check must refuse
(``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import accounts as kam
from crmlab import value
from crmlab.checks import Text, close, equal, exercise, mistakes, same_set, solutions

CASE = "kam"
BLOCK = 10  # hours per block of the manager's plan (section 4.3 of the notebook)


def _arrays(world):
    a = world.tables["accounts"]
    k = world.knobs
    rev, m = a["revenue"].to_numpy(float), a["gross_margin"].to_numpy(float)
    profit = rev * m - a["cost_to_serve"].to_numpy(float)
    r = a["renewal_prob"].to_numpy(float)
    mult = (1 + k["discount_rate"]) / (1 + k["discount_rate"] - r)
    headroom = a["wallet"].to_numpy(float) - rev
    return a, k, rev, m, profit, mult, headroom


def _top(values: np.ndarray, n: int, ids: np.ndarray) -> np.ndarray:
    """Positions of the n largest values (ties by the smaller id)."""
    return np.lexsort((ids, -values))[:n]


def _key_positions(world) -> np.ndarray:
    a, k, rev, m, profit, mult, headroom = _arrays(world)
    score = profit * mult + k["potential_capture"] * headroom * m * mult
    score = np.where(profit > 0, score, -np.inf)
    top = _top(score, k["n_key"], a["account_id"].to_numpy())
    return top[profit[top] > 0]


def _plan(gain: np.ndarray, hours: int, scale: float) -> np.ndarray:
    """Hours per option: the largest block gains of all options at once (each option's block gains fall
    geometrically, so this is the plan that hands out blocks one at a time to the best option)."""
    flat = gain.ravel()
    nb = int(hours) // BLOCK
    if nb == 0:
        return np.zeros(gain.shape)
    q = np.exp(-BLOCK / scale)
    g = np.where(flat[:, None] > 0, flat[:, None] * (1 - q) * q ** np.arange(nb)[None, :], 0.0)
    best = np.argsort(-g, axis=None, kind="stable")[:nb]
    best = best[g.ravel()[best] > 0]
    return (np.bincount(best // nb, minlength=flat.size) * BLOCK).reshape(gain.shape).astype(float)


def _schemes(world) -> dict:
    a, k, rev, m, profit, mult, headroom = _arrays(world)
    sell_rev = k["sell_capture"] * headroom
    sell_profit = sell_rev * (m - k["deal_discount"])
    rel = k["relationship_lift"] * profit * (mult - 1)
    out = {}
    for scheme, gain in (("revenue", np.column_stack([sell_rev, np.zeros_like(sell_rev)])),
                         ("clv", np.column_stack([sell_profit, rel]))):
        h = _plan(gain, k["manager_hours"], k["hours_scale"])
        resp = 1 - np.exp(-h / k["hours_scale"])
        extra_rev = float(sell_rev @ resp[:, 0])
        extra_profit_now = float(sell_profit @ resp[:, 0])
        extra_clv = extra_profit_now + float(rel @ resp[:, 1])
        bonus = k["revenue_pay_rate"] * extra_rev if scheme == "revenue" else k["clv_pay_rate"] * extra_clv
        out[scheme] = {"hours": h, "extra_revenue": extra_rev, "extra_clv": extra_clv, "bonus": bonus,
                       "gain": extra_clv - bonus}
    return out


def _as_count(answer, what_en: str, what_zh: str):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return None, (False, Text(f"expected a whole number for {what_en}, got {answer!r}",
                                  f"{what_zh}应当是一个整数，而你给的是 {answer!r}"))
    return int(answer), None


@exercise(CASE, "q1", hint="Profit = revenue x gross_margin - cost_to_serve; take the n_key largest accounts by "
                           "revenue and count those with profit below zero.",
          hint_zh="利润 = revenue x gross_margin - cost_to_serve；按收入取最大的 n_key 个客户，数出其中利润小于零的客户。")
def q1(world, answer):
    a, k, rev, m, profit, mult, headroom = _arrays(world)
    top = _top(rev, k["n_key"], a["account_id"].to_numpy())
    answer, wrong = _as_count(answer, "the number of loss-making accounts", "亏损客户数")
    if wrong:
        return wrong
    return equal(answer, int((profit[top] < 0).sum()),
                 what="the number of loss-making accounts among the largest by revenue",
                 what_zh="按收入排名前列的客户中的亏损客户数")


@exercise(CASE, "q2", hint="Keep the accounts with profit > 0; rank them by lifetime value + potential value "
                           "(both valued with renewal_prob and discount_rate) and give the account_id of the top "
                           "n_key.",
          hint_zh="只保留利润 > 0 的客户；按终身价值加潜力价值（都用 renewal_prob 和 discount_rate 计值）排序，"
                  "给出前 n_key 名的 account_id。")
def q2(world, answer):
    a = world.tables["accounts"]
    want = a["account_id"].to_numpy()[_key_positions(world)]
    try:
        got = [int(x) for x in answer]
    except (TypeError, ValueError):
        got = answer
    return same_set(got, [int(x) for x in want], what="the key accounts by the explicit criteria",
                    what_zh="按明确标准选出的大客户")


@exercise(CASE, "q3", hint="Lifetime value = profit x (1 + discount_rate) / (1 + discount_rate - renewal_prob). "
                           "Sum it over the n_key largest accounts by revenue and divide by its sum over your "
                           "key accounts of Q2.",
          hint_zh="终身价值 = 利润 x (1 + discount_rate) / (1 + discount_rate - renewal_prob)。把按收入最大的 n_key "
                  "个客户的终身价值加总，再除以第2题大客户的终身价值之和。")
def q3(world, answer):
    a, k, rev, m, profit, mult, headroom = _arrays(world)
    clv = profit * mult
    top = _top(rev, k["n_key"], a["account_id"].to_numpy())
    ratio = clv[top].sum() / clv[_key_positions(world)].sum()
    return close(answer, float(ratio), rel=2e-3, abs=1e-4,
                 what="the revenue list's lifetime value relative to the key accounts'",
                 what_zh="收入名单的终身价值与大客户名单的终身价值之比")


@exercise(CASE, "q4", hint="Plan the manager's hours with pay on lifetime value (section 4.3); relationship "
                           "hours divided by all hours spent (a share between 0 and 1).",
          hint_zh="按终身价值计酬安排经理的时间（第4.3节）；经营关系的小时数除以实际投入的全部小时数（0到1之间的比例）。")
def q4(world, answer):
    h = _schemes(world)["clv"]["hours"]
    spent = h.sum()
    if spent == 0:
        return False, Text("in this world the manager paid on lifetime value spends no hours",
                           "在这个数据世界里，按终身价值计酬的经理不投入任何时间")
    return close(answer, float(h[:, 1].sum() / spent), abs=0.5 * BLOCK / spent,
                 what="the share of hours spent on relationship building", what_zh="用于经营关系的时间占比")


@exercise(CASE, "q5", hint="For each pay scheme: extra lifetime value (this year's extra profit from selling + "
                           "the relationship gain) minus the bonus; then pay on lifetime value minus pay on revenue, "
                           "in thousand USD.",
          hint_zh="对每种计酬方式：新增终身价值（推销带来的当年新增利润 + 经营关系的增益）减去奖金；再用按终身价值计酬的"
                  "结果减去按收入计酬的结果，单位千美元。")
def q5(world, answer):
    s = _schemes(world)
    diff = s["clv"]["gain"] - s["revenue"]["gain"]
    return close(answer, float(diff), rel=2e-3, abs=0.5,
                 what="the company's gain from paying on lifetime value rather than revenue",
                 what_zh="按终身价值而非按收入计酬给公司带来的增益")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world) -> dict:
    """The notebook's tables: ``acc`` with profit, lifetime value, potential value, score (sections 4.1-4.2),
    the revenue list, the key list, and the two effort plans (section 4.3)."""
    k = world.knobs
    acc = world.tables["accounts"].copy()
    acc["profit"] = kam.account_profit(acc, margin_col="gross_margin")
    multiple = 1 + value.retention_clv(1.0, acc["renewal_prob"].to_numpy(), k["discount_rate"])
    acc["clv"] = acc["profit"] * multiple
    acc["headroom"] = acc["wallet"] - acc["revenue"]
    acc["potential_value"] = k["potential_capture"] * acc["headroom"] * acc["gross_margin"] * multiple
    acc["score"] = acc["clv"] + acc["potential_value"]
    by_revenue = acc.sort_values(["revenue", "account_id"], ascending=[False, True]).head(k["n_key"])
    key = acc[acc["profit"] > 0].sort_values(["score", "account_id"], ascending=[False, True]).head(k["n_key"])
    scale = k["hours_scale"]

    def plan(gain):
        spent = np.zeros_like(gain)
        for _ in range(int(k["manager_hours"]) // BLOCK):
            marginal = gain * (np.exp(-spent / scale) - np.exp(-(spent + BLOCK) / scale))
            j = np.unravel_index(np.argmax(marginal), marginal.shape)
            if marginal[j] <= 0:
                break
            spent[j] += BLOCK
        return spent

    sell_rev = (k["sell_capture"] * acc["headroom"]).to_numpy()
    sell_profit = sell_rev * (acc["gross_margin"].to_numpy() - k["deal_discount"])
    rel = k["relationship_lift"] * (acc["clv"] - acc["profit"]).to_numpy()
    plans = {}
    for scheme, gain, rate in (("pay_on_revenue", np.column_stack([sell_rev, 0 * sell_rev]), k["revenue_pay_rate"]),
                               ("pay_on_clv", np.column_stack([sell_profit, rel]), k["clv_pay_rate"])):
        hours = plan(gain)
        resp = 1 - np.exp(-hours / scale)
        extra_revenue = float((sell_rev * resp[:, 0]).sum())
        extra_clv = float((sell_profit * resp[:, 0]).sum() + (rel * resp[:, 1]).sum())
        bonus = rate * (extra_revenue if scheme == "pay_on_revenue" else extra_clv)
        plans[scheme] = {"hours": hours, "extra_revenue": extra_revenue, "extra_clv": extra_clv, "bonus": bonus,
                         "company_gain": extra_clv - bonus,
                         "extra_profit_now": float((sell_profit * resp[:, 0]).sum())}
    return {"acc": acc, "by_revenue": by_revenue, "key": key, "plans": plans}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/kam.ipynb, section 5."""
    nb = _notebook(world)
    acc, by_revenue, key, plans = nb["acc"], nb["by_revenue"], nb["key"], nb["plans"]
    loss_makers_by_revenue = int((by_revenue["profit"] < 0).sum())
    key_ids = sorted(int(x) for x in key["account_id"])
    clv_ratio = float(by_revenue["clv"].sum() / key["clv"].sum())
    h = plans["pay_on_clv"]["hours"]
    relationship_share = float(h[:, 1].sum() / h.sum())
    gain_difference = float(plans["pay_on_clv"]["company_gain"] - plans["pay_on_revenue"]["company_gain"])
    return {"q1": loss_makers_by_revenue, "q2": key_ids, "q3": clv_ratio, "q4": relationship_share,
            "q5": gain_difference}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    nb = _notebook(world)
    acc, by_revenue, key, plans = nb["acc"], nb["by_revenue"], nb["key"], nb["plans"]
    k = world.knobs
    right = answers(world)
    gross = acc["revenue"] * acc["gross_margin"]
    smallest = acc.sort_values("revenue").head(k["n_key"])                      # ascending by default
    by_clv = acc[acc["profit"] > 0].nlargest(k["n_key"], "clv")
    by_profit = acc.nlargest(k["n_key"], "profit")
    h = plans["pay_on_clv"]["hours"]
    rev, clv = plans["pay_on_revenue"], plans["pay_on_clv"]
    return {
        "q1": {"gross margin without the cost to serve": int((gross[by_revenue.index] < 0).sum()),
               "the smallest accounts by revenue (sort_values is ascending)": int((smallest["profit"] < 0).sum()),
               "loss-makers among all accounts": int((acc["profit"] < 0).sum())},
        "q2": {"the largest accounts by revenue": sorted(int(x) for x in by_revenue["account_id"]),
               "this year's profit alone (no lifetime, no potential)": sorted(int(x) for x in by_profit["account_id"]),
               "lifetime value without the potential": sorted(int(x) for x in by_clv["account_id"])},
        "q3": {"this year's profit instead of lifetime value": float(by_revenue["profit"].sum() / key["profit"].sum()),
               "the key list over the revenue list (upside down)": 1 / right["q3"],
               "gross margin without the cost to serve, as lifetime value":
                   float((gross[by_revenue.index] * by_revenue["clv"] / by_revenue["profit"]).sum()
                         / (gross[key.index] * key["clv"] / key["profit"]).sum())},
        "q4": {"relationship hours over selling hours (a ratio, not a share)":
                   float(h[:, 1].sum() / max(h[:, 0].sum(), BLOCK)),
               "a percentage instead of a share": 100 * right["q4"],
               "the manager paid on revenue": 0.0},
        "q5": {"before the bonuses": clv["extra_clv"] - rev["extra_clv"],
               "extra revenue counted as the revenue-paid manager's gain":
                   clv["company_gain"] - (rev["extra_revenue"] - rev["bonus"]),
               "pay on revenue minus pay on lifetime value (the wrong sign)": -right["q5"]},
    }
