"""Exercise checks of the Tesco case (notebooks/tesco.ipynb), computed from the student's own world.

Each check recomputes its answer with numpy from the world's raw tables (``baskets``, ``customers``,
``statements``): trips are counted with ``np.bincount`` per shopper and quarter, independently of the pandas
group-bys and the crmlab calls of the notebook. The scheme launches at the start of quarter 2 and the coupon
mailing goes out at the start of quarter 4; every quarter is 13 weeks long (cases/tesco/world.py).

The answers are ratios of sums of counts and amounts: any valid way of computing them (trips per week or per
quarter, sums or means over the same shoppers) gives the same number up to float rounding. So the two lifts
(q4, q5) are checked to half a unit of the fourth decimal and the trip ratio (q3) to 0.1%, rounding allowed
and nothing more. A looser tolerance (0.002) accepted the additive differences in trips per week as the relative
lifts: with a base of about one trip a week the two differ by only 0.001-0.002 at some seeds.

Where no voucher is issued at all (``points_rate`` 0, or a ``voucher_threshold`` no balance reaches) the
breakage is 0/0: q2 then accepts nan, the answer the notebook's solution gives, and says why.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "tesco"
#: Absolute tolerance of the two lifts (q4, q5): the answers are exact ratios (scale-free, so per week and per
#: quarter agree), so only rounding to four decimals is allowed for. The additive difference in trips per week
#: is the relative lift times the base rate (about 0.85-0.95 trips a week): it can come within 0.001 of it.
LIFT_TOL = 5e-5


def _trips(world) -> np.ndarray:
    """Trips per shopper (rows, in ``customers`` order) and quarter (columns 1-4)."""
    ids = world.tables["customers"]["customer_id"].to_numpy()
    b = world.tables["baskets"]
    order = np.argsort(ids)
    row = order[np.searchsorted(ids, b["customer_id"].to_numpy(), sorter=order)]
    cell = row * 4 + (b["quarter"].to_numpy() - 1)
    return np.bincount(cell, minlength=4 * ids.size).reshape(ids.size, 4).astype(float)


def _member(world) -> np.ndarray:
    return world.tables["customers"]["member"].to_numpy(dtype=bool)


@exercise(CASE, "q1", hint="From `statements`: the value of the vouchers that were redeemed (voucher_value where "
                           "redeemed is True), divided by the members' spend in quarters 2-4 (a share, about 0.01 "
                           "or less).",
          hint_zh="用 `statements`：已兑换代金券的金额（redeemed 为 True 的 voucher_value 之和）除以会员在第2–4季度的"
                  "消费额（是一个比例，约0.01或更小）。")
def q1(world, answer):
    s = world.tables["statements"]
    value = s["voucher_value"].to_numpy(dtype=float)
    redeemed = s["redeemed"].to_numpy(dtype=bool)
    expected = float(value[redeemed].sum() / s["spend"].to_numpy(dtype=float).sum())
    return close(answer, expected, rel=0.01, abs=1e-6, what="the reward cost as a share of members' spend",
                 what_zh="奖励成本占会员消费额的比例")


@exercise(CASE, "q2", hint="Breakage = 1 - (value of redeemed vouchers) / (value of all vouchers issued), from "
                           "`statements`; if no voucher was issued at all, it is undefined: answer float('nan').",
          hint_zh="积分沉淀率 = 1 - 已兑换代金券的金额 / 发放的全部代金券金额，用 `statements` 计算；"
                  "如果根本没有发放代金券，它没有定义：请答 float('nan')。")
def q2(world, answer):
    s = world.tables["statements"]
    value = s["voucher_value"].to_numpy(dtype=float)
    redeemed = s["redeemed"].to_numpy(dtype=bool)
    if value.sum() == 0:
        # no voucher issued (points_rate 0, or a threshold no balance reached): breakage is 0/0, undefined
        ok = isinstance(answer, numbers.Real) and not isinstance(answer, bool) and math.isnan(answer)
        return ok, Text("no voucher was issued in this world, so the breakage is undefined (nan)"
                        + ("" if ok else f", not {answer!r}"),
                        "这个数据世界没有发放任何代金券，积分沉淀率没有定义（nan）" + ("" if ok else f"，而不是 {answer!r}"))
    return close(answer, float(1 - value[redeemed].sum() / value.sum()), rel=0.01, abs=1e-6, what="the breakage",
                 what_zh="积分沉淀率")


@exercise(CASE, "q3", hint="Trips per shopper in quarters 2 and 3 together (shoppers with no trip count as 0); "
                           "the mean over members divided by the mean over non-members.",
          hint_zh="每位顾客在第2、3季度合计的购物次数（没有购物的顾客记为0）；会员的均值除以非会员的均值。")
def q3(world, answer):
    t, m = _trips(world), _member(world)
    post = t[:, 1] + t[:, 2]
    # an exact ratio of means (per week or per half-year alike); 0.1% allows rounding to three decimals
    return close(answer, float(post[m].mean() / post[~m].mean()), rel=1e-3,
                 what="the naive member / non-member trip ratio", what_zh="会员与非会员购物次数的朴素比值")


@exercise(CASE, "q4", hint="Per group, mean trips per week after launch (quarters 2-3, 26 weeks) divided by mean "
                           "trips per week before (quarter 1, 13 weeks); then members' ratio / non-members' ratio - 1.",
          hint_zh="每组分别计算：入会后（第2–3季度，26周）平均每周购物次数除以入会前（第1季度，13周）平均每周"
                  "购物次数；然后用会员的比值除以非会员的比值，再减1。")
def q4(world, answer):
    t, m = _trips(world), _member(world)
    pre, post = t[:, 0] / 13, (t[:, 1] + t[:, 2]) / 26

    def growth(g):
        return post[g].mean() / pre[g].mean()

    # exact up to float rounding (scale-free: per week or per quarter alike); LIFT_TOL allows four decimals
    return close(answer, float(growth(m) / growth(~m) - 1), abs=LIFT_TOL, fmt=".4f",
                 what="the difference-in-differences estimate of the membership lift",
                 what_zh="入会效应的双重差分估计")


@exercise(CASE, "q5", hint="Mean quarter-4 trips of mailed members divided by that of held-out members, minus 1 "
                           "(members with no trip count as 0).",
          hint_zh="收到邮件的会员第四季度平均购物次数除以对照组会员的平均购物次数，再减1（没有购物的会员记为0）。")
def q5(world, answer):
    t = _trips(world)
    mailing = world.tables["customers"]["mailing"].astype(str).to_numpy()
    q4 = t[:, 3]
    return close(answer, float(q4[mailing == "mailed"].mean() / q4[mailing == "holdout"].mean() - 1), abs=LIFT_TOL,
                 fmt=".4f", what="the relative lift of the coupon mailing in quarter-4 trips",
                 what_zh="优惠券邮寄使第四季度购物次数提升的相对幅度")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_tables(world):
    """The notebook's tables of section 4.2 and 4.6: ``trips`` (shopper x quarter, zeros filled in),
    ``is_member`` and ``mailing`` indexed by customer_id."""
    customers, baskets = world.tables["customers"], world.tables["baskets"]
    trips = (baskets.groupby(["customer_id", "quarter"]).size().unstack(fill_value=0)
             .reindex(index=customers["customer_id"], columns=[1, 2, 3, 4], fill_value=0))
    is_member = customers.set_index("customer_id")["member"]
    mailing = customers.set_index("customer_id")["mailing"].astype(str)
    return trips, is_member, mailing


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/tesco.ipynb, section 5, on the notebook's ``trips`` table of section 4.2."""
    statements = world.tables["statements"]
    trips, is_member, mailing = _notebook_tables(world)
    q1_cost = float((statements["voucher_value"] * statements["redeemed"]).sum() / statements["spend"].sum())
    issued_value = statements["voucher_value"].sum()
    q2_breakage = (1 - float((statements["voucher_value"] * statements["redeemed"]).sum() / issued_value)
                   if issued_value > 0 else float("nan"))
    post_trips = trips[2] + trips[3]
    q3_naive = float(post_trips[is_member].mean() / post_trips[~is_member].mean())
    after, before = (trips[2] + trips[3]) / 26, trips[1] / 13
    member_growth = after[is_member].mean() / before[is_member].mean()
    non_member_growth = after[~is_member].mean() / before[~is_member].mean()
    q4_did = float(member_growth / non_member_growth - 1)
    q5_coupon = float(trips.loc[mailing == "mailed", 4].mean() / trips.loc[mailing == "holdout", 4].mean() - 1)
    return {"q1": q1_cost, "q2": q2_breakage, "q3": q3_naive, "q4": q4_did, "q5": q5_coupon}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    statements, baskets = world.tables["statements"], world.tables["baskets"]
    trips, is_member, mailing = _notebook_tables(world)
    right = answers(world)
    redeemed = (statements["voucher_value"] * statements["redeemed"]).sum()
    issued = statements["voucher_value"].sum()
    all_spend = baskets.loc[baskets["quarter"] >= 2, "spend"].sum()

    def ratio(t, a, b):
        return float(t[a].mean() / t[b].mean())

    post, q13 = trips[2] + trips[3], trips[1] + trips[2] + trips[3]
    after, before = post / 26, trips[1] / 13
    after4 = (trips[2] + trips[3] + trips[4]) / 39
    mailed, held, not_mailed = mailing == "mailed", mailing == "holdout", mailing != "mailed"
    return {
        "q1": {"value of the vouchers issued instead of redeemed": float(issued / statements["spend"].sum()),
               "divided by all shoppers' spend in quarters 2-4 (members and non-members)": float(redeemed / all_spend),
               "a percentage instead of a share": 100 * right["q1"]},
        "q2": {"the share redeemed (1 - breakage)": float(redeemed / issued),
               "share of statement rows not redeemed (rows without a voucher counted too)":
                   float((~statements["redeemed"]).mean()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"total trips of members / total trips of non-members (ignores the group sizes)":
                   float(post[is_member].sum() / post[~is_member].sum()),
               "quarters 1-3 instead of 2-3 (includes the quarter before the launch)": ratio(q13, is_member, ~is_member),
               "non-members over members (the ratio upside down)": 1 / right["q3"]},
        "q4": {"additive difference in differences: change in trips per week, members minus non-members":
                   float((after[is_member].mean() - before[is_member].mean())
                         - (after[~is_member].mean() - before[~is_member].mean())),
               "naive member / non-member ratio minus 1 (ignores self-selection)": right["q3"] - 1,
               "ratio of ratios without the minus 1": 1 + right["q4"],
               "quarter 4 counted as after the launch (mixes in the coupon mailing)":
                   float((after4[is_member].mean() / before[is_member].mean())
                         / (after4[~is_member].mean() / before[~is_member].mean()) - 1)},
        "q5": {"additive difference in quarter-4 trips per week, mailed minus hold-out":
                   float((trips.loc[mailed, 4].mean() - trips.loc[held, 4].mean()) / 13),
               "mailed members against every shopper not mailed (hold-out and non-members)":
                   float(trips.loc[mailed, 4].mean() / trips.loc[not_mailed, 4].mean() - 1),
               "ratio without the minus 1": 1 + right["q5"]},
    }
