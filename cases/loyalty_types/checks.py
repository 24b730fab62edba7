"""Exercise checks of the loyalty-types case (notebooks/loyalty_types.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with plain numpy (item sums instead of rescaled
means, month counts instead of shares, a hand-written classification rule), independently of the notebook's
pandas and ``crmlab.loyalty`` code, so a notebook bug cannot make a wrong answer pass. The rules are those
the notebook states in section 4.1: attachment score = (mean of the three attachment items - 1) / 4, high
from 0.625 (an item mean of 3.5 or more); repeat = months with a visit / 12, high from 0.5; reward
dependence = reward visits / visits, high from 0.5; price sensitivity = (price_first - 1) / 4, high from
0.75; satisfied = satisfaction 4 or 5; dissatisfied = 1 or 2.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``). The world is built in cases/loyalty_types/world.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import loyalty
from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "loyalty_types"
CUTS = {"attitude_cut": 0.625, "repeat_cut": 0.5, "price_cut": 0.75, "reward_cut": 0.5}


def _arrays(world) -> dict:
    """Plain numpy columns aligned on the behaviour table's customer order."""
    s, b, t = (world.tables[n] for n in ("survey", "behaviour", "towns"))
    pos = np.searchsorted(s["customer_id"].to_numpy(), b["customer_id"].to_numpy())
    att_sum = s[["attach_1", "attach_2", "attach_3"]].to_numpy().sum(axis=1)[pos]
    rivals = dict(zip(t["town"].to_numpy().tolist(), t["rivals_y1"].to_numpy().tolist()))
    ended = dict(zip(t["town"].to_numpy().tolist(), t["reward_ends_y2"].to_numpy().tolist()))
    town = b["town"].to_numpy()
    months = b["months_y1"].to_numpy()
    visits, rewards = b["visits_y1"].to_numpy(), b["reward_visits_y1"].to_numpy()
    attached = att_sum >= 11                        # item mean >= 3.5 (sums are whole numbers)
    repeats = months >= 6                           # 6 of 12 months or more
    monopoly = np.array([rivals[x] == 0 for x in town])
    kind = np.full(town.size, "inertia", dtype=object)
    kind[s["price_first"].to_numpy()[pos] >= 4] = "price"
    kind[2 * rewards >= visits] = "incentive"
    kind[monopoly] = "monopoly"
    kind[attached] = "trust"
    kind[~repeats] = "not loyal"
    sat = s["satisfaction"].to_numpy()[pos]
    return {"attached": attached, "repeats": repeats, "satisfied": sat >= 4, "dissatisfied": sat <= 2,
            "monopoly": monopoly, "kind": kind, "ended": np.array([ended[x] for x in town]),
            "left": ~b["retained_y2"].to_numpy()}


def _share(mask: np.ndarray, among: np.ndarray) -> float:
    return float(mask[among].sum() / among.sum()) if among.sum() else float("nan")


def _undefined(value: float):
    return False, Text("this world has no customers in one of the groups, so the share is undefined",
                       "这个数据世界中有一组没有客户，这个比例没有定义")


@exercise(CASE, "q1", hint="Among the customers with repeat >= 0.5 (6 months or more), the share whose attachment "
                           "score is below 0.625: a share between 0 and 1.",
          hint_zh="在重复购买 >= 0.5（至少6个月来店）的客户中，依恋得分低于0.625的客户所占比例（0到1之间）。")
def q1(world, answer):
    a = _arrays(world)
    return close(answer, _share(~a["attached"], a["repeats"]), abs=5e-4,
                 what="the share of low-attachment customers among the high-repeat customers",
                 what_zh="高重复购买客户中低依恋客户所占比例")


@exercise(CASE, "q2", hint="Keep the loyal customers (grid cell 'loyal': high attachment and high repeat) and take "
                           "the share of them with satisfaction 4 or 5.",
          hint_zh="只看忠诚客户（网格中的 'loyal'：高依恋且高重复购买），算出其中满意度为4或5的比例。")
def q2(world, answer):
    a = _arrays(world)
    loyal = a["attached"] & a["repeats"]
    expected = _share(a["satisfied"], loyal)
    if not np.isfinite(expected):
        return _undefined(expected)
    return close(answer, expected, abs=5e-4, what="the share of satisfied customers among the loyal ones",
                 what_zh="忠诚客户中满意客户所占比例")


@exercise(CASE, "q3", hint="Keep the satisfied customers (satisfaction 4 or 5) and take the share of them in the "
                           "grid cell 'loyal' (high attachment and high repeat).",
          hint_zh="只看满意的客户（满意度为4或5），算出其中位于网格 'loyal' 格（高依恋且高重复购买）的比例。")
def q3(world, answer):
    a = _arrays(world)
    expected = _share(a["attached"] & a["repeats"], a["satisfied"])
    if not np.isfinite(expected):
        return _undefined(expected)
    return close(answer, expected, abs=5e-4, what="the share of loyal customers among the satisfied ones",
                 what_zh="满意客户中忠诚客户所占比例")


@exercise(CASE, "q4", hint="Among the customers classified as incentive loyalty: the share who left in towns where "
                           "the points programme ended minus the share who left in towns where it went on.",
          hint_zh="在被划分为利益忠诚的客户中：积分计划结束的城镇里流失的比例，减去积分计划继续的城镇里流失的比例。")
def q4(world, answer):
    a = _arrays(world)
    inc = a["kind"] == "incentive"
    diff = _share(a["left"], inc & a["ended"]) - _share(a["left"], inc & ~a["ended"])
    if not np.isfinite(diff):
        return _undefined(diff)
    return close(answer, diff, abs=5e-4,
                 what="the rise in the leave rate of incentive-loyal customers when the points end",
                 what_zh="积分计划结束后利益忠诚客户流失率的上升幅度")


@exercise(CASE, "q5", hint="Among the dissatisfied customers (satisfaction 1 or 2): the share with repeat >= 0.5 in "
                           "monopoly towns (rivals_y1 == 0) minus that share in towns with rivals.",
          hint_zh="在不满意的客户（满意度为1或2）中：垄断城镇（rivals_y1 == 0）里重复购买 >= 0.5 的比例，减去有竞争城镇里的这一比例。")
def q5(world, answer):
    a = _arrays(world)
    dis = a["dissatisfied"]
    diff = _share(a["repeats"], dis & a["monopoly"]) - _share(a["repeats"], dis & ~a["monopoly"])
    if not np.isfinite(diff):
        return _undefined(diff)
    return close(answer, diff, abs=5e-4,
                 what="the gap in repeat buying of dissatisfied customers between monopoly and competitive towns",
                 what_zh="垄断城镇与有竞争城镇之间不满意客户重复购买比例的差距")


# ------------------------------------------------------------------------------ right answers and mistakes
def notebook_table(world) -> pd.DataFrame:
    """The notebook's ``cust`` table (section 4.1): one row per customer with the measures, grid cell and type."""
    cust = (world.tables["survey"].merge(world.tables["behaviour"], on="customer_id", how="left")
            .merge(world.tables["towns"], on="town", how="left"))
    cust["attachment"] = (cust[["attach_1", "attach_2", "attach_3"]].mean(axis=1) - 1) / 4
    cust["repeat"] = cust["months_y1"] / 12
    cust["reward_dependence"] = cust["reward_visits_y1"] / cust["visits_y1"]
    cust["price_sensitivity"] = (cust["price_first"] - 1) / 4
    cust["alternatives"] = cust["rivals_y1"]
    cust["grid"] = loyalty.loyalty_grid(cust["attachment"], cust["repeat"], attitude_cut=CUTS["attitude_cut"],
                                        repeat_cut=CUTS["repeat_cut"]).to_numpy()
    cust["type"] = loyalty.classify_loyalty_types(cust, attitude_col="attachment", **CUTS)
    cust["satisfied"] = cust["satisfaction"] >= 4
    cust["left"] = ~cust["retained_y2"]
    return cust


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/loyalty_types.ipynb, section 5."""
    cust = notebook_table(world)
    high_repeat = cust[cust["repeat"] >= 0.5]
    spurious_share = float((high_repeat["attachment"] < 0.625).mean())
    p_satisfied_if_loyal = float(cust.loc[cust["grid"] == "loyal", "satisfied"].mean())
    p_loyal_if_satisfied = float((cust.loc[cust["satisfied"], "grid"] == "loyal").mean())
    inc = cust[cust["type"] == "incentive"]
    rates = inc.groupby("reward_ends_y2")["left"].mean()
    reward_effect = float(rates[True] - rates[False])
    dis = cust[cust["satisfaction"] <= 2]
    rep = (dis["repeat"] >= 0.5).groupby(dis["rivals_y1"] == 0).mean()
    monopoly_gap = float(rep[True] - rep[False])
    return {"q1": spurious_share, "q2": p_satisfied_if_loyal, "q3": p_loyal_if_satisfied, "q4": reward_effect,
            "q5": monopoly_gap}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    cust = notebook_table(world)
    right = answers(world)
    low_att, high_rep = cust["attachment"] < 0.625, cust["repeat"] >= 0.5
    loyal, sat = cust["grid"] == "loyal", cust["satisfied"]
    inc = cust[cust["type"] == "incentive"]
    rates = inc.groupby("reward_ends_y2")["left"].mean()
    everyone = cust.groupby("reward_ends_y2")["left"].mean()
    mono = cust["rivals_y1"] == 0
    rep_all = high_rep.groupby(mono).mean()
    satisfied_rep = high_rep[sat].groupby(mono[sat]).mean()
    out = {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "low-attachment repeaters divided by all customers (the wrong denominator)": float((low_att & high_rep).mean()),
               "the share of low-attachment customers who repeat (the conditional reversed)": float(high_rep[low_att].mean())},
        "q2": {"the share of loyal customers among the satisfied (the conditional reversed)": right["q3"],
               "loyal and satisfied as a share of all customers (the joint share)": float((loyal & sat).mean()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"the share of satisfied customers among the loyal (the conditional reversed)": right["q2"],
               "repeat buying alone taken as loyalty (behaviour without attachment)": float(high_rep[sat].mean()),
               "loyal and satisfied as a share of all customers (the joint share)": float((loyal & sat).mean())},
        "q4": {"all customers, not only the incentive-loyal ones": float(everyone[True] - everyone[False])},
        "q5": {"all customers, not only the dissatisfied ones": float(rep_all[True] - rep_all[False]),
               "the satisfied customers instead of the dissatisfied": float(satisfied_rep[True] - satisfied_rep[False])},
    }
    # a sign mistake is a mistake only where the answer is not zero within the check's tolerance
    if abs(right["q4"]) > 1e-3:
        out["q4"]["towns where the points went on minus towns where they ended (the wrong sign)"] = -right["q4"]
    if rates[False] > 0:
        out["q4"]["the ratio of the two leave rates instead of their difference"] = float(rates[True] / rates[False])
    if abs(right["q5"]) > 1e-3:
        out["q5"]["competitive towns minus monopoly towns (the wrong sign)"] = -right["q5"]
    return out
