"""Exercise checks of the cosmetics-graduates case (notebooks/cosmetics_graduates.ipynb).

Each check recomputes its answer from the student's own world with plain numpy (sorted arrays, no pandas
merges or library calls), independently of the notebook's analysis, so a notebook bug cannot make a wrong
answer pass. The world is built in cases/cosmetics_graduates/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, with
pandas and ``crmlab.value.retention_clv``) and the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import value
from crmlab.checks import close, exercise, mistakes, solutions

CASE = "cosmetics_graduates"


def _transitions(world):
    """Per customer-year that could be followed by another observed year: (channel code, retained) as numpy
    arrays. Channel code 0 = event, 1 = counter, 2 = magazine."""
    y = world.tables["yearly"]
    c = world.tables["customers"]
    cid, year = y["customer_id"].to_numpy(), y["year"].to_numpy()
    order = np.lexsort((year, cid))
    cid, year = cid[order], year[order]
    nxt = np.r_[(cid[1:] == cid[:-1]) & (year[1:] == year[:-1] + 1), False]
    at_risk = year < year.max()
    codes = dict(zip(c["customer_id"].to_numpy(), np.asarray(c["channel"].cat.codes)))
    chan = np.array([codes[i] for i in cid])
    return chan[at_risk], nxt[at_risk]


def _event_margin(world):
    y, c = world.tables["yearly"], world.tables["customers"]
    ev = np.isin(y["customer_id"].to_numpy(), c["customer_id"].to_numpy()[np.asarray(c["channel"]) == "event"])
    return world.knobs["gross_margin"] * float(np.mean(y["spend"].to_numpy()[ev]))


def _clv_event(world):
    chan, kept = _transitions(world)
    r = float(kept[chan == 0].mean())
    m, d = _event_margin(world), world.knobs["discount_rate"]
    return m * (1 + d) / (1 + d - r)


@exercise(CASE, "q1", hint="Count the invited graduates who made a first purchase and divide by all invited "
                           "graduates (a share between 0 and 1).",
          hint_zh="数出做了首次购买的受邀毕业生，再除以全部受邀毕业生人数（0到1之间的比例）。")
def q1(world, answer):
    g = world.tables["graduates"]
    return close(answer, float(np.count_nonzero(g["first_purchase"].to_numpy()) / len(g)), abs=5e-4,
                 what="the conversion from invitation to first purchase", what_zh="从邀请到首次购买的转化率")


@exercise(CASE, "q2", hint="Only customer-years before the last observed year can be followed by another year; "
                           "of those of event customers, the share that is followed by a purchase year.",
          hint_zh="只有最后观察年份之前的客户年才可能有下一年；在表演会客户的这些客户年中，算出次年仍有购买的比例。")
def q2(world, answer):
    chan, kept = _transitions(world)
    return close(answer, float(kept[chan == 0].mean()), abs=5e-4,
                 what="the yearly retention of event customers", what_zh="表演会客户的年保留率")


@exercise(CASE, "q3", hint="m = gross_margin x mean spend per event customer-year; CLV = m + m r / (1 + d - r) "
                           "with r from Q2 and d = discount_rate.",
          hint_zh="m = gross_margin × 表演会客户每客户年的平均消费额；CLV = m + m r / (1 + d − r)，"
                  "r 取Q2的结果，d = discount_rate。")
def q3(world, answer):
    return close(answer, _clv_event(world), rel=0.003, what="the CLV of an event customer at acquisition",
                 what_zh="表演会客户获客时的客户终身价值")


@exercise(CASE, "q4", hint="Retention of event customers minus retention of counter and magazine customers "
                           "together (a difference of shares, 0.05 for 5 points).",
          hint_zh="表演会客户的保留率减去柜台与杂志客户合计的保留率（比例之差，5个百分点写作0.05）。")
def q4(world, answer):
    chan, kept = _transitions(world)
    return close(answer, float(kept[chan == 0].mean() - kept[chan != 0].mean()), abs=5e-4,
                 what="the retention gap between event customers and the other channels",
                 what_zh="表演会客户与其他渠道客户的保留率之差")


@exercise(CASE, "q5", hint="Value = event customers x CLV (Q3); cost = shows x show_cost + invite_cost x invited "
                           "+ gift_cost x attendees; ROI = (value - cost) / cost.",
          hint_zh="价值 = 表演会客户数 × CLV（Q3）；成本 = 场次 × show_cost + invite_cost × 受邀人数 + "
                  "gift_cost × 到场人数；ROI =（价值 − 成本）/ 成本。")
def q5(world, answer):
    g, k = world.tables["graduates"], world.knobs
    att = np.count_nonzero(g["attended"].to_numpy())
    cost = len(np.unique(g["cohort"].to_numpy())) * k["show_cost"] + k["invite_cost"] * len(g) + k["gift_cost"] * att
    val = np.count_nonzero(g["first_purchase"].to_numpy()) * _clv_event(world)
    return close(answer, float((val - cost) / cost), rel=0.003, abs=0.002, what="the ROI of the shows",
                 what_zh="表演会的投资回报率")


# ------------------------------------------------------------------------------ right answers and mistakes
def retention_table(world) -> pd.DataFrame:
    """The notebook's ``trans``: each customer-year before the last observed year, with channel and whether
    the customer bought again the next year."""
    yearly, customers = world.tables["yearly"], world.tables["customers"]
    last = yearly["year"].max()
    nxt = yearly[["customer_id", "year"]].assign(year=yearly["year"] - 1, retained=True)
    trans = yearly[yearly["year"] < last].merge(nxt, on=["customer_id", "year"], how="left")
    trans["retained"] = trans["retained"].fillna(False).astype(bool)
    return trans.merge(customers[["customer_id", "channel"]], on="customer_id")


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/cosmetics_graduates.ipynb, section 5."""
    g, k = world.tables["graduates"], world.knobs
    yearly, customers = world.tables["yearly"], world.tables["customers"]
    conversion = float(g["first_purchase"].mean())
    trans = retention_table(world)
    event = trans["channel"] == "event"
    r_event = float(trans.loc[event, "retained"].mean())
    spend = yearly.merge(customers, on="customer_id")
    m = k["gross_margin"] * float(spend.loc[spend["channel"] == "event", "spend"].mean())
    clv_event = float(m + value.retention_clv(m, r_event, k["discount_rate"]))
    gap = r_event - float(trans.loc[~event, "retained"].mean())
    cost = g["cohort"].nunique() * k["show_cost"] + k["invite_cost"] * len(g) + k["gift_cost"] * g["attended"].sum()
    roi = float((g["first_purchase"].sum() * clv_event - cost) / cost)
    return {"q1": conversion, "q2": r_event, "q3": clv_event, "q4": gap, "q5": roi}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    g, k = world.tables["graduates"], world.knobs
    right = answers(world)
    yearly, customers = world.tables["yearly"], world.tables["customers"]
    ev_years = yearly[yearly["customer_id"].isin(customers.loc[customers["channel"] == "event", "customer_id"])]
    nxt = set(zip(ev_years["customer_id"], ev_years["year"] - 1))
    censored = float(np.mean([(c, y) in nxt for c, y in zip(ev_years["customer_id"], ev_years["year"])]))
    r, d = right["q2"], k["discount_rate"]
    m = right["q3"] * (1 + d - r) / (1 + d)
    trans = retention_table(world)
    rates = trans.groupby(trans["channel"] == "event")["retained"].mean()
    cost = g["cohort"].nunique() * k["show_cost"] + k["invite_cost"] * len(g) + k["gift_cost"] * g["attended"].sum()
    cost_all_gifts = g["cohort"].nunique() * k["show_cost"] + (k["invite_cost"] + k["gift_cost"]) * len(g)
    value_ = g["first_purchase"].sum() * right["q3"]
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "first purchases over attendees, not over the invited (the wrong denominator)":
                   float(g["first_purchase"].sum() / g["attended"].sum()),
               "stopping at the returned form (members, not customers)": float(g["form_returned"].mean())},
        "q2": {"the last observed year counted as lost (censoring ignored)": censored,
               "churn (1 - retention) instead of retention": 1 - r,
               "a percentage instead of a share": 100 * r},
        "q3": {"no discounting: m / (1 - r)": m / (1 - r),
               "the retention CLV without the first year's margin": m * r / (1 + d - r),
               "spend instead of margin": right["q3"] / k["gross_margin"]},
        "q4": {"other channels minus event (the wrong sign)": -right["q4"],
               "percentage points instead of a difference of shares": 100 * right["q4"],
               "relative gap (event / other - 1) instead of the difference":
                   float(rates[True] / rates[False] - 1)},
        "q5": {"value / cost (the benefit-cost ratio, not the ROI)": float(value_ / cost),
               "a gift for every invited graduate, not only attendees": float((value_ - cost_all_gifts) / cost_all_gifts),
               "only the first year's margin as value":
                   float((g["first_purchase"].sum() * m - cost) / cost)},
    }
