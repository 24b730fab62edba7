"""Exercise checks of the mobile-operator case (notebooks/mobile_operator.ipynb), from the student's own world.

The checks recompute each answer with numpy from the world's tables, and the profit of question 1 from the
margin the world planted (``truth['subscribers']['margin']``, computed from unrounded usage) rather than from the
unit-cost sheet the notebook applies to the published table: two routes to the same number. Below the checks,
``answers`` computes every answer the notebook's way (pandas, the cost sheet) and ``classic_mistakes`` the wrong
answers a student plausibly gives; tests/test_case_contract.py judges both.
"""
from __future__ import annotations

import numpy as np

from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

CASE = "mobile_operator"


def _enrolled(world) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(treated flag, churned flag, subscriber ids) of the subscribers enrolled in the retention experiment."""
    s = world.tables["subscribers"]
    group = s["campaign_group"].astype(str).to_numpy()
    keep = group != "none"
    return group[keep] == "treatment", s["churned"].to_numpy(dtype=bool)[keep], s["customer_id"].to_numpy()[keep]


def _uplift(world) -> float:
    treated, churned, _ = _enrolled(world)
    return float(churned[~treated].mean() - churned[treated].mean())


@exercise(CASE, "q1", hint="Annual profit = 12 x (ARPU - monthly cost to serve). Sort subscribers by it, take the "
                           "top round(0.1 x n) and divide their profit by the total profit of all subscribers.",
          hint_zh="年利润 = 12 x（ARPU − 每月服务成本）。按年利润从高到低给用户排序，取前 round(0.1 x n) 个，"
                  "用他们的利润之和除以全部用户的总利润。")
def q1(world, answer):
    profit = np.sort(world.truth["subscribers"]["margin"].to_numpy(dtype=float))[::-1]
    k = round(0.1 * profit.size)
    # The planted margin and the notebook's cost sheet on rounded usage agree to ~2e-5 (relative); 0.25% accepts
    # the share rounded to three decimals and refuses ranking by ARPU instead of profit (about 0.9% off).
    return close(answer, float(profit[:k].sum() / profit.sum()), rel=0.0025,
                 what="the top 10% of subscribers' share of profit", what_zh="利润最高的10%用户所占的利润份额")


@exercise(CASE, "q2", hint="Among subscribers who hold roaming, the share who also hold device_insurance "
                           "(table `holdings`, one row per subscriber and product).",
          hint_zh="在持有 roaming 的用户中，同时持有 device_insurance 的比例（表 `holdings` 每个用户和产品一行）。")
def q2(world, answer):
    h = world.tables["holdings"]
    ids = h["customer_id"].to_numpy()
    product = h["product"].astype(str).to_numpy()
    roaming = np.unique(ids[product == "roaming"])
    insured = np.unique(ids[product == "device_insurance"])
    return close(answer, float(np.isin(roaming, insured).mean()), abs=1e-3,
                 what="the confidence of roaming → device_insurance",
                 what_zh="规则 roaming → device_insurance 的置信度")


@exercise(CASE, "q3", hint="Among the enrolled subscribers (campaign_group control or treatment): churn rate of the "
                           "control group minus churn rate of the treatment group.",
          hint_zh="只看参加实验的用户（campaign_group 为 control 或 treatment）：对照组的流失率减去处理组的流失率，"
                  "以比例表示。")
def q3(world, answer):
    return close(answer, _uplift(world), abs=5e-4, fmt=".4f",
                 what="the drop in the churn rate due to the retention offer",
                 what_zh="挽留优惠带来的流失率降幅")


@exercise(CASE, "q4", hint="Group the prospects by channel and take the mean of `responded`; give the name of the "
                           "channel with the highest rate.",
          hint_zh="按 channel 对潜在客户分组，求 `responded` 的均值；给出响应率最高的渠道名称。")
def q4(world, answer):
    p = world.tables["prospects"]
    channel = p["channel"].astype(str).to_numpy()
    responded = p["responded"].to_numpy(dtype=float)
    names = np.unique(channel)
    rates = np.array([responded[channel == c].mean() for c in names])
    if not isinstance(answer, str):
        kind = type(answer).__name__
        return False, Text(f"expected the name of a channel (text), got {kind}",
                           f"应当给出渠道的名称（文字），而你给的是 {kind}")
    return equal(answer, str(names[int(np.argmax(rates))]), what="the channel with the highest response rate",
                 what_zh="响应率最高的渠道")


@exercise(CASE, "q5", hint="Break-even cost of one offer = (drop in the churn rate, Q3) x (mean annual profit "
                           "12 x (ARPU - cost) of the enrolled subscribers).",
          hint_zh="一份优惠的盈亏平衡成本 =（流失率降幅，即第3题的答案）x（参加实验用户的平均年利润 "
                  "12 x（ARPU − 成本））。")
def q5(world, answer):
    _, _, ids = _enrolled(world)
    margin = world.truth["subscribers"]["margin"].reindex(ids).to_numpy(dtype=float)
    return close(answer, _uplift(world) * 12 * float(margin.mean()), rel=0.005, abs=0.01, fmt=".2f",
                 what="the break-even cost of one retention offer (CNY)",
                 what_zh="一份挽留优惠的盈亏平衡成本（元）")


# ------------------------------------------------------------------ the notebook's answers and classic mistakes
UNIT_COSTS = {"voice_min": 0.03, "sms": 0.01, "data_gb": 1.2}  # the notebook's unit-cost sheet (section 4.1)
COMPLAINT_COST, LINE_COST = 15.0, 5.0


def _notebook_objects(world) -> dict:
    """The section 4 objects the exercises use, built as the notebook builds them: ``profit`` (annual, from the
    unit-cost sheet applied to the published, rounded usage) and ``enrolled``."""
    s = world.tables["subscribers"]
    monthly_cost = (sum(rate * s[col] for col, rate in UNIT_COSTS.items())
                    + COMPLAINT_COST * s["complaints_12m"] / 12 + LINE_COST)
    profit = (12 * (s["arpu"] - monthly_cost)).set_axis(s["customer_id"]).rename("annual profit")
    enrolled = s[s["campaign_group"] != "none"].set_index("customer_id")
    return {"subscribers": s, "holdings": world.tables["holdings"], "prospects": world.tables["prospects"],
            "profit": profit, "enrolled": enrolled}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/mobile_operator.ipynb, section 5, with pandas on the section 4 objects."""
    o = _notebook_objects(world)
    profit, holdings, prospects, enrolled = o["profit"], o["holdings"], o["prospects"], o["enrolled"]
    top = profit.sort_values(ascending=False).head(round(0.1 * len(profit)))
    owners = holdings.groupby("product", observed=True)["customer_id"].agg(set)
    rates_by_group = enrolled.groupby("campaign_group", observed=True)["churned"].mean()
    q3_uplift = float(rates_by_group["control"] - rates_by_group["treatment"])
    return {
        "q1": float(top.sum() / profit.sum()),
        "q2": len(owners["roaming"] & owners["device_insurance"]) / len(owners["roaming"]),
        "q3": q3_uplift,
        "q4": str(prospects.groupby("channel", observed=True)["responded"].mean().idxmax()),
        "q5": q3_uplift * float(profit.reindex(enrolled.index).mean()),
    }


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed the notebook's way with one step done wrong."""
    o = _notebook_objects(world)
    s, profit, holdings, prospects, enrolled = (o[k] for k in ("subscribers", "profit", "holdings", "prospects",
                                                               "enrolled"))
    k = round(0.1 * len(profit))
    arpu = s["arpu"].set_axis(s["customer_id"])
    owners = holdings.groupby("product", observed=True)["customer_id"].agg(set)
    both = len(owners["roaming"] & owners["device_insurance"])
    rates_by_group = enrolled.groupby("campaign_group", observed=True)["churned"].mean()
    control, treatment = float(rates_by_group["control"]), float(rates_by_group["treatment"])
    uplift = control - treatment
    enrolled_profit = profit.reindex(enrolled.index)
    by_channel = prospects.groupby("channel", observed=True)["responded"].mean()
    return {
        "q1": {"top 10% by ARPU instead of by profit": float(profit[arpu.sort_values(ascending=False)
                                                                   .head(k).index].sum() / profit.sum()),
               "the top 10%'s share of revenue (ARPU), not of profit": float(arpu.sort_values(ascending=False)
                                                                            .head(k).sum() / arpu.sum()),
               "a percentage instead of a share": 100 * float(profit.sort_values(ascending=False).head(k).sum()
                                                               / profit.sum())},
        "q2": {"the reverse rule device_insurance → roaming": both / len(owners["device_insurance"]),
               "the support of the pair (share of all subscribers) instead of the confidence":
                   both / s["customer_id"].nunique()},
        "q3": {"the wrong sign: treatment minus control": treatment - control,
               "the relative drop (1 - treatment / control) instead of the difference": 1 - treatment / control,
               "percentage points instead of a share": 100 * uplift},
        "q4": {"the channel with the lowest response rate (sorted the wrong way)": str(by_channel.idxmin()),
               "the best offer instead of the best channel":
                   str(prospects.groupby("offer", observed=True)["responded"].mean().idxmax())},
        "q5": {"a month of profit instead of a year": uplift * float(enrolled_profit.mean()) / 12,
               "a year of revenue (12 x ARPU) instead of profit": uplift * 12 * float(enrolled["arpu"].mean()),
               "the total over all enrolled subscribers instead of per offer": uplift * float(enrolled_profit.sum())},
    }
