"""Exercise checks of the rewards case (notebooks/rewards.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy (bincount over diner ids), independently
of the notebook's pandas and crmlab code, so a notebook bug cannot make a wrong answer pass. The world is
built in cases/rewards/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import effects, rewards
from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "rewards"


def _per_diner(world):
    """Numpy arrays per diner (index = customer_id - 1): arm codes, new flag, paid visits in months 1-12 and
    13-18, a paid visit in months 10-12, reward cost (all discounts and free meals, plus the year-end payout)."""
    d, v = world.tables["diners"], world.tables["visits"]
    n = len(d)
    arm = d["arm"].astype(str).to_numpy()
    new = (d["tenure"].astype(str) == "new").to_numpy()
    i = v["customer_id"].to_numpy() - 1
    m = v["month"].to_numpy()
    paid_visit = ~v["free_meal"].to_numpy(dtype=bool)
    during = np.bincount(i[paid_visit & (m <= 12)], minlength=n)
    after = np.bincount(i[paid_visit & (m > 12)], minlength=n)
    q4 = np.bincount(i[paid_visit & (m >= 10) & (m <= 12)], minlength=n) > 0
    cost = np.bincount(i, weights=v["discount"].to_numpy(), minlength=n) + d["year_end_payout"].to_numpy()
    return {"arm": arm, "new": new, "during": during, "after": after, "q4": q4, "cost": cost}


@exercise(CASE, "q1", hint="Breakage = value of the vouchers never used / value of all vouchers issued (a share "
                           "between 0 and 1, weighted by face value).",
          hint_zh="沉淀率 = 从未使用的餐券面值之和 / 发出的全部餐券面值之和（0到1之间的比例，按面值加权）。")
def q1(world, answer):
    vo = world.tables["vouchers"]
    value = vo["value"].to_numpy()
    if value.sum() <= 0:  # nothing issued: breakage is undefined, and NaN is the right answer
        if isinstance(answer, (float, np.floating)) and np.isnan(answer):
            return True, Text("right: no voucher was issued in this world, so breakage is undefined (NaN)",
                              "正确：这个数据世界没有发出任何餐券，沉淀率没有定义（NaN）")
        return False, Text("no voucher was issued in this world, so breakage is undefined: answer float('nan')",
                           "这个数据世界没有发出任何餐券，沉淀率没有定义：请回答 float('nan')")
    unused = value[~vo["redeemed"].to_numpy(dtype=bool)].sum()
    return close(answer, float(unused / value.sum()), abs=5e-4, what="the breakage of the free-meal vouchers",
                 what_zh="免费餐券的沉淀率")


@exercise(CASE, "q2", hint="Paid visits (free meals excluded) in months 1-12 per diner assigned to the arm, every "
                           "assigned diner counted (zero visits too); frequency arm minus control.",
          hint_zh="第1-12个月的付费光顾次数（不含免费餐）除以该组分到的全部食客人数（没来过的也算，记为0）；"
                  "频率折扣组减去对照组。")
def q2(world, answer):
    p = _per_diner(world)
    f, c = p["arm"] == "frequency", p["arm"] == "control"
    expected = p["during"][f].sum() / f.sum() - p["during"][c].sum() / c.sum()
    return close(answer, float(expected), abs=1e-4, what="the extra paid visits per diner of the frequency rule",
                 what_zh="频率折扣规则带来的人均额外付费光顾次数")


@exercise(CASE, "q3", hint="Reward cost of the ten_plus_one arm (every discount and free meal in the visits "
                           "table) divided by its extra retained diners: (share active in months 10-12 in the arm "
                           "- the same share in control) x the arm's number of diners.",
          hint_zh="ten_plus_one 组的奖励成本（visits 表中的全部折扣和免费餐）除以它多留住的食客数："
                  "（该组第10-12个月仍有光顾的比例 - 对照组的同一比例）x 该组食客人数。")
def q3(world, answer):
    p = _per_diner(world)
    t, c = p["arm"] == "ten_plus_one", p["arm"] == "control"
    extra = (p["q4"][t].mean() - p["q4"][c].mean()) * t.sum()
    if extra <= 0:
        return False, Text("in this world the rule kept no extra diners, so the cost per extra retained diner is "
                           "undefined", "在这个数据世界里这条规则没有多留住食客，每多留住一位食客的成本没有定义")
    return close(answer, float(p["cost"][t].sum() / extra), rel=1e-3,
                 what="the reward cost per extra retained diner", what_zh="每多留住一位食客的奖励成本")


@exercise(CASE, "q4", hint="Ratio of ratios: (the arm's paid visits per diner in months 13-18 / in months 1-12) "
                           "divided by the same ratio of control, minus 1 (crmlab.effects.did_ratio); negative "
                           "when the arm falls back more than control.",
          hint_zh="比值之比：（该组第13-18个月人均付费光顾 / 第1-12个月人均付费光顾）除以对照组的同一比值，再减1"
                  "（crmlab.effects.did_ratio）；该组回落得比对照组多时为负。")
def q4(world, answer):
    p = _per_diner(world)
    t, c = p["arm"] == "ten_plus_one", p["arm"] == "control"
    ratio_t = p["after"][t].mean() / p["during"][t].mean()
    ratio_c = p["after"][c].mean() / p["during"][c].mean()
    return close(answer, float(ratio_t / ratio_c - 1), abs=5e-5,
                 what="the difference-in-differences change of the ten-plus-one arm after the rule ended",
                 what_zh="满十送一组在规则结束后的双重差分变化")


@exercise(CASE, "q5", hint="Among existing diners only: share with a paid visit in months 10-12 in the welcome "
                           "arm minus the same share in control (a difference of shares, unrounded).",
          hint_zh="只看老客户：迎新组第10-12个月有付费光顾的比例，减去对照组老客户的同一比例（两个比例之差，不要四舍五入）。")
def q5(world, answer):
    p = _per_diner(world)
    old = ~p["new"]
    w, c = (p["arm"] == "welcome") & old, (p["arm"] == "control") & old
    return close(answer, float(p["q4"][w].mean() - p["q4"][c].mean()), abs=1e-5,
                 what="the retention gap of existing diners under the welcome rule",
                 what_zh="迎新规则下老客户的保留率差距")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_diners(world) -> pd.DataFrame:
    """The notebook's ``diners`` table (section 3): per diner, paid visits in months 1-12 (``during``) and 13-18
    (``after``), ``active_q4`` and ``reward_cost``."""
    diners = world.tables["diners"].copy()
    visits = world.tables["visits"]
    paid = visits[~visits["free_meal"]]
    per = pd.DataFrame({
        "during": paid[paid["month"] <= 12].groupby("customer_id").size(),
        "after": paid[paid["month"] > 12].groupby("customer_id").size(),
        "q4_visits": paid[paid["month"].between(10, 12)].groupby("customer_id").size(),
        "reward_cost": visits.groupby("customer_id")["discount"].sum(),
    }).reindex(diners["customer_id"]).fillna(0)
    diners = diners.join(per, on="customer_id")
    diners["active_q4"] = diners["q4_visits"] > 0
    diners["reward_cost"] = diners["reward_cost"] + diners["year_end_payout"]
    return diners


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/rewards.ipynb, section 5."""
    diners = _notebook_diners(world)
    vo = world.tables["vouchers"]
    voucher_breakage = rewards.breakage(vo["value"], vo["redeemed"].to_numpy(dtype=bool)) if len(vo) else float("nan")
    by_arm = diners.groupby("arm", observed=False)[["during", "after", "active_q4", "reward_cost"]].mean()
    extra_visits_frequency = float(by_arm.loc["frequency", "during"] - by_arm.loc["control", "during"])
    n_ten = int((diners["arm"] == "ten_plus_one").sum())
    extra_kept = (by_arm.loc["ten_plus_one", "active_q4"] - by_arm.loc["control", "active_q4"]) * n_ten
    cost_per_kept = float(by_arm.loc["ten_plus_one", "reward_cost"] * n_ten / extra_kept) if extra_kept > 0 else float("nan")
    two = diners[diners["arm"].isin(["ten_plus_one", "control"])]
    false_loyalty = effects.did_ratio(two["during"], two["after"], two["arm"] == "ten_plus_one")
    old = diners[diners["tenure"] == "existing"].groupby("arm", observed=False)["active_q4"].mean()
    old_gap = float(old["welcome"] - old["control"])
    return {"q1": float(voucher_breakage), "q2": extra_visits_frequency, "q3": cost_per_kept,
            "q4": float(false_loyalty), "q5": old_gap}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    diners = _notebook_diners(world)
    right = answers(world)
    vo = world.tables["vouchers"]
    by_arm = diners.groupby("arm", observed=False)[["during", "after", "active_q4", "reward_cost"]].mean()
    visits = world.tables["visits"]
    ten = diners[diners["arm"] == "ten_plus_one"]
    ten_ids = set(ten["customer_id"])
    issued = float(vo.loc[vo["customer_id"].isin(ten_ids), "value"].sum())
    free_used = float(visits.loc[visits["free_meal"], "discount"].sum())
    extra_kept = (by_arm.loc["ten_plus_one", "active_q4"] - by_arm.loc["control", "active_q4"]) * len(ten)
    extra_kept = extra_kept if extra_kept > 0 else float("nan")    # no extra diner kept: q3 is undefined
    came = diners[diners["during"] > 0].groupby("arm", observed=False)["during"].mean()
    old = diners[diners["tenure"] == "existing"].groupby("arm", observed=False)["active_q4"].mean()
    welcome_new = diners[(diners["arm"] == "welcome") & (diners["tenure"] == "new")]["active_q4"].mean()
    declared = {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "the redeemed share instead of the unused share": 1 - right["q1"]},
        "q2": {"the frequency arm's visits per diner, without subtracting control": float(by_arm.loc["frequency", "during"]),
               "relative lift (frequency / control - 1) instead of the difference":
                   float(by_arm.loc["frequency", "during"] / by_arm.loc["control", "during"] - 1),
               "per diner who came at least once (diners who never came dropped)":
                   float(came["frequency"] - came["control"])},
        "q3": {"cost per retained diner (every retained diner counted, most of whom would have stayed anyway)":
                   float(ten["reward_cost"].sum() / ten["active_q4"].sum()),
               "face value of every voucher issued (breakage counted as a cost) per extra retained diner":
                   float((ten["reward_cost"].sum() - free_used + issued) / extra_kept),
               "only the rewards given in months 1-12 costed (free meals used after the rule ended left out)":
                   float((ten["reward_cost"].sum() - float(visits.loc[visits["customer_id"].isin(ten_ids)
                                                                      & (visits["month"] > 12), "discount"].sum()))
                         / extra_kept)},
        "q4": {"only months 13-18 compared (arm / control - 1), not the change from months 1-12":
                   float(by_arm.loc["ten_plus_one", "after"] / by_arm.loc["control", "after"] - 1),
               "control taken as the treated group (the wrong sign)":
                   float((by_arm.loc["control", "after"] / by_arm.loc["control", "during"])
                         / (by_arm.loc["ten_plus_one", "after"] / by_arm.loc["ten_plus_one", "during"]) - 1),
               "a percentage instead of a share": 100 * right["q4"]},
        "q5": {"all diners compared, new ones too":
                   float(by_arm.loc["welcome", "active_q4"] - by_arm.loc["control", "active_q4"]),
               "the welcome arm's existing diners against its new diners": float(old["welcome"] - welcome_new),
               "percentage points instead of a difference of shares": 100 * right["q5"]},
    }
    # In a degenerate world a mistake can give the right number (no voucher left unused, no free meal after
    # month 12, breakage 0 so that 100 x 0 = 0): there it is no mistake, and it is not declared.
    return {q: {what: v for what, v in ms.items() if not np.isclose(v, right[q], rtol=1e-9, atol=1e-12)}
            for q, ms in declared.items()}
