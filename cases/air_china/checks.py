"""Exercise checks of the Air China case (notebooks/air_china.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's ``members`` table with plain numpy, independently of the
notebook's pandas and crmlab code, so a notebook bug cannot make a wrong answer pass. The world is built in
cases/air_china/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
``crmlab.concentration.class_transitions`` and pandas group-bys as the notebook does) and the classic
mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import concentration
from crmlab.checks import close, exercise, mistakes, solutions

CASE = "air_china"
TIERS = ("ordinary", "silver", "gold", "platinum")


def _codes(col: pd.Series) -> np.ndarray:
    """Tier as 0..3 from the labels (not from the categorical's codes)."""
    labels = col.astype(str).to_numpy()
    codes = np.full(labels.size, -1, dtype=int)
    for i, t in enumerate(TIERS):
        codes[labels == t] = i
    return codes


Q3_TOL = 1e-4  # the uplift is exact (a difference of two count ratios); four decimals are accepted


def _gold_pilot(world):
    """Gold members of year 2: pilot flag, active flag and year-2 value (own + arranged revenue), as arrays."""
    m = world.tables["members"]
    gold = _codes(m["tier_y2"]) == 2
    return (m["pilot"].to_numpy(bool)[gold], m["active_y2"].to_numpy(bool)[gold],
            (m["revenue_y2"].to_numpy() + m["arranged_revenue_y2"].to_numpy())[gold])


def _gold_uplift(world) -> float:
    pilot, active, _ = _gold_pilot(world)
    return float(active[pilot].sum() / pilot.sum() - active[~pilot].sum() / (~pilot).sum())


@exercise(CASE, "q1", hint="Take the members whose tier_y1 is gold and compute the share of them whose tier_y2 is "
                           "silver or ordinary (a share between 0 and 1; an upgrade to platinum is not a drop).",
          hint_zh="取 tier_y1 为金卡（gold）的会员，算出其中 tier_y2 为银卡或普卡的比例（0到1之间；升为白金卡不算降级）。")
def q1(world, answer):
    m = world.tables["members"]
    t1, t2 = _codes(m["tier_y1"]), _codes(m["tier_y2"])
    gold = t1 == 2
    expected = float(np.count_nonzero(t2[gold] < 2) / np.count_nonzero(gold))
    return close(answer, expected, abs=5e-4, what="the share of year-1 gold members who drop to a lower card",
                 what_zh="第1年金卡会员中降级的比例")


@exercise(CASE, "q2", hint="Year-2 value = revenue_y2 + arranged_revenue_y2. Sum it over the members whose tier_y2 "
                           "is gold or platinum and divide by the sum over all members.",
          hint_zh="第2年价值 = revenue_y2 + arranged_revenue_y2。对 tier_y2 为金卡或白金卡的会员求和，再除以全部会员的总和。")
def q2(world, answer):
    m = world.tables["members"]
    value = m["revenue_y2"].to_numpy() + m["arranged_revenue_y2"].to_numpy()
    top = _codes(m["tier_y2"]) >= 2
    return close(answer, float(value[top].sum() / value.sum()), abs=5e-4,
                 what="the share of year-2 value held by gold and platinum members",
                 what_zh="金卡和白金卡会员所占的第2年价值份额")


@exercise(CASE, "q3", hint="Among the members whose tier_y2 is gold: mean of active_y2 in the pilot group minus the "
                           "mean in the others (a difference of shares: 0.05 means 5 percentage points).",
          hint_zh="在 tier_y2 为金卡的会员中：试点组（pilot 为 True）active_y2 的均值减去其余会员的均值"
                  "（两个比例之差：5个百分点写作0.05）。")
def q3(world, answer):
    return close(answer, _gold_uplift(world), abs=Q3_TOL,
                 what="the retention uplift of the VIP service among gold members",
                 what_zh="VIP服务在金卡会员中带来的保留率增量")


def _q4_expected(world) -> float:
    pilot, active, value = _gold_pilot(world)
    kept = value[~pilot & active]
    return float(_gold_uplift(world) * world.knobs["margin"] * kept.mean() - world.knobs["service_cost_gold"])


def _q4_tolerance(expected: float) -> float:
    return max(1e-3 * abs(expected), 1.0)


@exercise(CASE, "q4", hint="Uplift of Q3 x margin x the mean year-2 value (revenue_y2 + arranged_revenue_y2) of the "
                           "gold members outside the pilot who stayed active, minus service_cost_gold (CNY per member).",
          hint_zh="第3题的增量 x margin x 未参加试点且第2年仍活跃的金卡会员的平均第2年价值（revenue_y2 + "
                  "arranged_revenue_y2），再减去 service_cost_gold（每位会员，单位：元）。")
def q4(world, answer):
    expected = _q4_expected(world)
    return close(answer, expected, abs=_q4_tolerance(expected),
                 what="the net value of the VIP service per gold member", what_zh="每位金卡会员VIP服务的净价值")


def _top_by(values: np.ndarray, k: int) -> np.ndarray:
    chosen = np.zeros(values.size, dtype=bool)
    chosen[np.argsort(-values, kind="stable")[:k]] = True
    return chosen


@exercise(CASE, "q5", hint="Rank members by year-1 value (revenue_y1 + arranged_revenue_y1), keep the top "
                           "round(vip_share x number of members), and count those whose tier_y2 is ordinary.",
          hint_zh="按第1年价值（revenue_y1 + arranged_revenue_y1）给会员排序，取前 round(vip_share x 会员数) 名，"
                  "数出其中 tier_y2 为普卡（ordinary）的人数。")
def q5(world, answer):
    m = world.tables["members"]
    k = max(1, round(world.knobs["vip_share"] * len(m)))
    top = _top_by(m["revenue_y1"].to_numpy() + m["arranged_revenue_y1"].to_numpy(), k)
    expected = int(np.count_nonzero(top & (_codes(m["tier_y2"]) == 0)))
    # one member more or less at the cut-off (a quantile threshold, a tie) is accepted
    return close(answer, expected, abs=1.0, fmt=".0f",
                 what="the number of top members by year-1 value without an elite card",
                 what_zh="第1年价值最高的会员中没有精英卡的人数")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_members(world) -> pd.DataFrame:
    """The notebook's ``m`` table: members with ``value_y1`` and ``value_y2`` (section 3)."""
    m = world.tables["members"].copy()
    m["value_y1"] = m["revenue_y1"] + m["arranged_revenue_y1"]
    m["value_y2"] = m["revenue_y2"] + m["arranged_revenue_y2"]
    return m


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/air_china.ipynb, section 5 (margin, service costs and vip_share are the world's
    knobs, which the notebook's parameters cell passes to the world)."""
    m = _notebook_members(world)
    k = world.knobs
    tiers = m.set_index("member_id")
    moves = concentration.class_transitions(tiers["tier_y1"], tiers["tier_y2"], normalize=True)
    gold_dropped = float(moves.loc["gold", ["ordinary", "silver"]].sum())
    gold_plat = m["tier_y2"].isin(["gold", "platinum"])
    value_share_gold_plat = float(m.loc[gold_plat, "value_y2"].sum() / m["value_y2"].sum())
    gold = m[m["tier_y2"] == "gold"]
    rates = gold.groupby("pilot")["active_y2"].mean()
    gold_uplift = float(rates[True] - rates[False])
    kept_value = gold.loc[~gold["pilot"] & gold["active_y2"], "value_y2"].mean()
    gold_net_value = float(gold_uplift * k["margin"] * kept_value - k["service_cost_gold"])
    n_vip = round(k["vip_share"] * len(m))
    top = m.sort_values("value_y1", ascending=False).head(n_vip)
    hidden_vips = int((top["tier_y2"] == "ordinary").sum())
    return {"q1": gold_dropped, "q2": value_share_gold_plat, "q3": gold_uplift, "q4": gold_net_value,
            "q5": hidden_vips}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    m = _notebook_members(world)
    k = world.knobs
    right = answers(world)
    counts = pd.crosstab(m["tier_y1"], m["tier_y2"])
    gold_plat = m["tier_y2"].isin(["gold", "platinum"])
    gold = m[m["tier_y2"] == "gold"]
    elite = m[m["tier_y2"] != "ordinary"]
    rates = gold.groupby("pilot")["active_y2"].mean()
    pooled = elite.groupby("pilot")["active_y2"].mean()
    control = gold[~gold["pilot"]]
    kept_value = control.loc[control["active_y2"], "value_y2"].mean()
    n_vip = round(k["vip_share"] * len(m))
    top = m.sort_values("value_y1", ascending=False).head(n_vip)
    top_own = m.sort_values("revenue_y1", ascending=False).head(n_vip)
    q3 = {"control minus pilot (the wrong sign)": -right["q3"],
          "relative uplift (pilot / control - 1)": float(rates[True] / rates[False] - 1),
          "percentage points instead of a difference of shares": 100 * right["q3"],
          "all elite tiers pooled instead of gold only": float(pooled[True] - pooled[False])}
    # a mistake that happens to give the right number in this world (a pooled uplift equal to gold's by chance,
    # a zero service cost) is no mistake there, and is not declared
    q3 = {what: v for what, v in q3.items() if abs(v - right["q3"]) > 2 * Q3_TOL}
    q4 = {"the service cost left out (value protected, not net value)": right["q3"] * k["margin"] * kept_value,
          "revenue instead of margin (the margin left out)": right["q3"] * kept_value - k["service_cost_gold"],
          "mean value of all control gold members, defectors included":
              right["q3"] * k["margin"] * control["value_y2"].mean() - k["service_cost_gold"]}
    q4 = {what: v for what, v in q4.items() if abs(v - right["q4"]) > 2 * _q4_tolerance(right["q4"])}
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "everyone who left gold, upgrades to platinum included":
                   float(1 - counts.loc["gold", "gold"] / counts.loc["gold"].sum()),
               "dropped gold members over all members (the wrong denominator)":
                   float(counts.loc["gold", ["ordinary", "silver"]].sum() / len(m))},
        "q2": {"the share of members instead of the share of value": float(gold_plat.mean()),
               "own revenue only, the arranged revenue left out":
                   float(m.loc[gold_plat, "revenue_y2"].sum() / m["revenue_y2"].sum()),
               "year-1 value instead of year-2 value": float(m.loc[gold_plat, "value_y1"].sum() / m["value_y1"].sum()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": q3,
        "q4": q4,
        "q5": {"ranked by own revenue only, the arranged revenue left out": int((top_own["tier_y2"] == "ordinary").sum()),
               "silver counted as missed (everyone without gold or platinum)":
                   int((~top["tier_y2"].isin(["gold", "platinum"])).sum()),
               "the card of year 1 instead of the card held in year 2": int((top["tier_y1"] == "ordinary").sum())},
    }
