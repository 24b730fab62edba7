"""Pay first, earn later: a motor supplier's recall decision (synthetic world).

A private motor supplier sells one motor model to an air-conditioner maker that takes over a third of its
output of that model, and to a few dozen smaller customers. A durability test finds a risk in the capacitors
fitted to a lot of motors already delivered to the key customer. Recall (replace every suspect capacitor at the
supplier's own cost) or haggle over who pays? The world holds three years of monthly orders, the defect event,
and a panel of the supplier's past service failures with other customers: how each was handled and whether the
customer was still ordering a year later. The handling was not randomised: the supplier recalled more often
when the failure was severe, and severe failures lose customers whatever is done, so the raw retention rates of
recalled and haggled incidents understate what a recall does.

Sources: CRM Q&A compilation (source 0), line 253 (section ㈧): a foreign-owned air-conditioner maker bought
over one third of a Jiangsu private supplier's output of one motor model; a durability test found a capacitor
risk; the supplier replaced all such capacitors at its own cost without haggling; the relationship lasted and
brought some overseas motor orders ("先赔后赚", pay first, earn later). The value of a kept customer is the
retention CLV of Gupta & Lehmann (2003) (public record). Every figure is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import make_ids

COMPONENTS = ("capacitor", "winding", "bearing", "shaft", "insulation")
HANDLING = ("haggle", "recall")
N_MONTHS = 36
EVENT_DATE = "2024-03-15"
KEY_ID = "AC01"
# Retention a year after a past incident: log-odds intercept (haggling, severity 5) and per severity point
# above 5; the effect of a recall is the knob `recall_effect`.
RETENTION = {"intercept": 1.0, "severity": -0.45}
# The supplier's past choice to recall: log-odds intercept at severity 5; per severity point it is the knob
# `severity_bias`.
HANDLING_INTERCEPT = -0.3
KEY_GROWTH = 0.12          # the key customer's volume grows 12% a year; the other customers' volume is flat

SNAPSHOT_KNOBS = {"n_incidents": 200, "n_customers": 12}
KNOBS = [
    Knob("n_incidents", 400, int, "past service failures with other customers in the incident panel", low=40,
         high=200_000, doc_zh="事故面板中与其他客户之间过去发生的服务失误（质量事故）件数"),
    Knob("n_customers", 24, int, "customers of the motor model besides the key customer", low=2, high=2000,
         doc_zh="除关键客户以外购买该型号电机的客户数"),
    Knob("output_per_year", 600_000, int, "supplier's yearly output of the motor model in the last year",
         low=1000, high=100_000_000, unit="motors", doc_zh="供应商最近一年该型号电机的年产量"),
    Knob("key_share", 0.36, float, "key customer's share of the motor model's output in the last 12 months",
         low=0.01, high=0.9, doc_zh="最近12个月关键客户在该型号电机产量中所占的份额"),
    Knob("unit_price", 120.0, float, "average selling price of one motor", low=1.0, high=100_000.0, unit="CNY",
         doc_zh="每台电机的平均售价"),
    Knob("margin_rate", 0.15, float, "contribution margin as a share of the average price", low=0.01, high=0.9,
         doc_zh="边际贡献占平均售价的比例"),
    Knob("units_affected", 120_000, int, "motors delivered to the key customer with a suspect capacitor", low=100,
         high=10_000_000, unit="motors", doc_zh="已交付关键客户、装有可疑电容器的电机台数"),
    Knob("replacement_cost", 36.0, float, "cost of replacing one suspect capacitor (part, labour, logistics)",
         low=0.5, high=10_000.0, unit="CNY per motor", doc_zh="更换一个可疑电容器的成本（零件、人工、物流）"),
    Knob("haggle_share", 0.4, float, "share of the replacement bill the supplier ends up paying if it haggles",
         low=0.0, high=0.95, doc_zh="如果讨价还价，供应商最终承担的更换费用比例"),
    Knob("event_severity", 6.5, float, "severity of the capacitor defect on the 0-10 scale of the incident panel",
         low=0.0, high=10.0, doc_zh="此次电容器缺陷的严重程度（与事故面板相同的0-10分）"),
    Knob("recall_effect", 1.2, float, "effect of a recall on the log-odds that the customer stays (vs haggling)",
         low=-3.0, high=5.0, doc_zh="召回（相对于讨价还价）对客户留下的对数几率（log-odds）的影响"),
    Knob("severity_bias", 0.8, float, "how strongly the supplier's past choice to recall followed severity "
         "(log-odds per severity point; 0 = handling unrelated to severity)", low=0.0, high=3.0,
         doc_zh="供应商过去是否召回与事故严重程度的关联强度（每分严重程度的对数几率；0表示处理方式与严重程度无关）"),
    Knob("relationship_retention", 0.85, float, "yearly retention of a kept key customer after the first year",
         low=0.0, high=0.99, doc_zh="留住的关键客户在第一年之后每年的保留率"),
    Knob("discount_rate", 0.10, float, "supplier's yearly discount rate (cost of capital)", low=0.0, high=0.5,
         unit="per year", doc_zh="供应商的年折现率（资本成本）"),
]

C = Column
TABLES = [
    Table("orders", "Monthly orders of the motor model by customer, over the 36 months before the defect event.", (
        C("month", "datetime64[ns]", "first day of the month", doc_zh="月份的第一天"),
        C("customer_id", "category", "customer (the key customer is named in the table event)",
          doc_zh="客户（关键客户见 event 表）"),
        C("units", "int64", "motors delivered in the month", "motors", doc_zh="当月交付的电机台数"),
        C("revenue", "float64", "revenue of the month", "CNY", doc_zh="当月收入"),
        C("margin", "float64", "contribution margin of the month (revenue minus variable cost)", "CNY",
          doc_zh="当月边际贡献（收入减去变动成本）"),
    ), doc_zh="按客户统计的该型号电机月度订单，覆盖缺陷事件之前的36个月。"),
    Table("event", "The defect event: one row.", (
        C("date", "datetime64[ns]", "date the durability test found the capacitor risk",
          doc_zh="耐久性测试发现电容器隐患的日期"),
        C("customer_id", "category", "the key customer whose motors carry the suspect capacitors",
          doc_zh="所交付电机装有可疑电容器的关键客户"),
        C("component", "category", "component at fault", doc_zh="出问题的部件"),
        C("severity", "float64", "severity on the 0-10 scale of the incident panel", doc_zh="严重程度（0-10分，与事故面板相同）"),
        C("units_affected", "int64", "motors carrying a suspect capacitor", "motors", doc_zh="装有可疑电容器的电机台数"),
        C("replacement_cost", "float64", "cost of replacing one capacitor (part, labour, logistics)",
          "CNY per motor", doc_zh="更换一个电容器的成本（零件、人工、物流）"),
        C("haggle_share", "float64", "share of the bill the supplier expects to pay in the end if it haggles",
          doc_zh="如果讨价还价，供应商预计最终承担的费用比例"),
        C("relationship_retention", "float64", "yearly retention of a kept key customer after the first year",
          doc_zh="留住的关键客户在第一年之后每年的保留率"),
        C("discount_rate", "float64", "supplier's yearly discount rate", "per year", doc_zh="供应商的年折现率"),
    ), doc_zh="缺陷事件：仅一行。"),
    Table("incidents", "Past service failures with other customers: how each was handled and whether the "
          "customer was still ordering 12 months later.", (
        C("incident_id", "int64", "incident number", doc_zh="事故编号"),
        C("year", "int64", "year of the incident", doc_zh="事故发生年份"),
        C("customer_id", "category", "customer concerned", doc_zh="涉及的客户"),
        C("component", "category", "component at fault", doc_zh="出问题的部件"),
        C("severity", "float64", "severity assessed by the quality department (0 trivial - 10 critical)",
          doc_zh="质量部门评定的严重程度（0轻微至10严重）"),
        C("handling", "category", "recall = replaced at the supplier's cost; haggle = negotiated who pays",
          doc_zh="处理方式：recall = 供应商自费召回更换；haggle = 就费用由谁承担讨价还价"),
        C("retained", "bool", "the customer was still ordering 12 months after the incident",
          doc_zh="事故发生12个月后客户是否仍在下单（客户保留）"),
    ), doc_zh="与其他客户之间过去发生的服务失误：每件如何处理，以及12个月后客户是否仍在下单。"),
]

DESCRIPTION = """
Calibration: the key customer takes `key_share` (default 0.36, "over one third", CRM Q&A compilation (source 0),
line 253) of the motor model's output in the last 12 months; everything else is synthetic.

Orders: the key customer's monthly units grow 12% a year, the other customers' (sizes from a Dirichlet draw)
are flat, scaled so that the last 12 months total `output_per_year` motors of which the key customer takes
`key_share`; monthly noise LogNormal(0, 0.1). The key customer pays `unit_price`, each other customer its own
price `unit_price` x (1 + N(0, 0.005));
the variable cost per motor is `unit_price` x (1 - `margin_rate`).

Incidents: severity = 10 x Beta(2.5, 2.5). The supplier recalled with probability
logistic(-0.3 + `severity_bias` x (severity - 5)) - not at random. The customer stayed with probability
logistic(1.0 + `recall_effect` x recall - 0.45 x (severity - 5)). A logistic regression of `retained` on
handling and severity recovers the coefficients; the raw difference in retention between recalled and haggled
incidents is biased down by severity.

Planted decision (truth): expected yearly margin of the key customer M = `key_share` x `output_per_year` x
`unit_price` x `margin_rate`; value of the customer if kept V = (M + retention_clv(M, r, d)) / (1 + d) = M /
(1 + d - r) with r = `relationship_retention`, d = `discount_rate`; bill C = `units_affected` x
`replacement_cost`; NPV(recall) = -C + p_recall V, NPV(haggle) = -`haggle_share` C + p_haggle V, with the
planted probabilities of staying at `event_severity`; break-even p_recall = p_haggle + (1 - `haggle_share`) C / V.
"""

DESCRIPTION_ZH = """
校准：关键客户在最近12个月中采购该型号电机产量的 `key_share`（默认0.36，即“三分之一以上”，《客户关系管理问答汇编》
（资料0）第253行）；其余一切均为合成数据。

订单：关键客户的月采购量每年增长12%，其他客户（规模按狄利克雷分布抽取）的采购量保持不变；整体按比例缩放，使最近12个月
的总量为 `output_per_year` 台，其中关键客户占 `key_share`；月度噪声为 LogNormal(0, 0.1)。关键客户按 `unit_price` 付款，其他每个客户有自己的价格
`unit_price` x (1 + N(0, 0.005))；每台电机的变动成本为 `unit_price` x (1 - `margin_rate`)。

事故：严重程度 = 10 x Beta(2.5, 2.5)。供应商召回的概率为 logistic(-0.3 + `severity_bias` x (severity - 5))，
并非随机。客户留下的概率为 logistic(1.0 + `recall_effect` x recall - 0.45 x (severity - 5))。把 `retained` 对处理
方式和严重程度做逻辑回归即可还原这些系数；召回与讨价还价两组事故的保留率之差（未经调整）会因严重程度而偏低。

植入的决策（truth）：关键客户的期望年边际贡献 M = `key_share` x `output_per_year` x `unit_price` x `margin_rate`；
留住该客户的价值 V = (M + retention_clv(M, r, d)) / (1 + d) = M / (1 + d - r)，其中 r = `relationship_retention`，
d = `discount_rate`；更换费用 C = `units_affected` x `replacement_cost`；NPV(召回) = -C + p_recall V，
NPV(讨价还价) = -`haggle_share` C + p_haggle V，其中两个留下概率取 `event_severity` 处的植入值；盈亏平衡时的召回保留概率
= p_haggle + (1 - `haggle_share`) C / V。
"""


def _logistic(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def decision(margin: float, p_recall: float, p_haggle: float, k: dict) -> dict:
    """The NPVs of recall and haggling for a yearly margin and two probabilities of keeping the customer.

    >>> d = decision(100.0, 0.8, 0.5, {"units_affected": 10, "replacement_cost": 1.0, "haggle_share": 0.5,
    ...                                "relationship_retention": 0.5, "discount_rate": 0.0})
    >>> d["value_if_kept"], d["npv_difference"], d["break_even_p_recall"]
    (200.0, 55.0, 0.525)
    """
    r, d = k["relationship_retention"], k["discount_rate"]
    value = margin / (1.0 + d - r)
    cost = k["units_affected"] * k["replacement_cost"]
    s = k["haggle_share"]
    npv_recall, npv_haggle = -cost + p_recall * value, -s * cost + p_haggle * value
    return {"value_if_kept": float(value), "recall_cost": float(cost), "haggle_cost": float(s * cost),
            "npv_recall": float(npv_recall), "npv_haggle": float(npv_haggle),
            "npv_difference": float(npv_recall - npv_haggle),
            "break_even_p_recall": float(p_haggle + (1 - s) * cost / value)}


@register("supplier_recovery", title="Pay first, earn later: a supplier's recall decision",
          title_zh="先赔后赚：供应商的召回决策", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    # ---------------------------------------------------------------- orders
    n_other = k["n_customers"]
    ids = np.concatenate([[KEY_ID], make_ids("C", n_other)]).astype(object)
    months = pd.date_range(end=pd.Timestamp(EVENT_DATE).to_period("M").to_timestamp() - pd.DateOffset(months=1),
                           periods=N_MONTHS, freq="MS")
    t = np.arange(N_MONTHS)
    key_path = (1 + KEY_GROWTH) ** ((t - (N_MONTHS - 1)) / 12)               # 1 in the last month
    key_units = k["key_share"] * k["output_per_year"] * key_path / key_path[-12:].sum()
    sizes = rng.dirichlet(np.full(n_other, 1.5))
    other_units = (1 - k["key_share"]) * k["output_per_year"] / 12 * sizes
    mean_units = np.vstack([key_units, np.repeat(other_units[:, None], N_MONTHS, axis=1)])
    units = np.maximum(0, np.round(mean_units * rng.lognormal(0.0, 0.1, mean_units.shape))).astype(np.int64)
    price = k["unit_price"] * (1 + 0.005 * rng.standard_normal(n_other + 1))
    price[0] = k["unit_price"]                                   # the key customer pays the contract price
    unit_cost = k["unit_price"] * (1 - k["margin_rate"])
    revenue = units * price[:, None]
    orders = pd.DataFrame({
        "month": np.tile(months.to_numpy(), n_other + 1),
        "customer_id": pd.Categorical(np.repeat(ids, N_MONTHS), categories=list(ids)),
        "units": units.ravel(),
        "revenue": revenue.ravel(),
        "margin": (revenue - units * unit_cost).ravel(),
    })
    orders["month"] = orders["month"].astype("datetime64[ns]")

    # ---------------------------------------------------------------- incidents
    n = k["n_incidents"]
    severity = np.round(10 * rng.beta(2.5, 2.5, n), 1)
    p_recall, recall = logit_draw(rng, HANDLING_INTERCEPT + k["severity_bias"] * (severity - 5))
    recall = np.asarray(recall, dtype=bool)
    base = RETENTION["intercept"] + RETENTION["severity"] * (severity - 5)
    p_stay, stayed = logit_draw(rng, base + k["recall_effect"] * recall)
    past_ids = make_ids("X", max(20, n // 3))
    incidents = pd.DataFrame({
        "incident_id": np.arange(1, n + 1, dtype=np.int64),
        "year": rng.integers(2012, 2024, n).astype(np.int64),
        "customer_id": pd.Categorical(np.asarray(past_ids, dtype=object)[rng.integers(0, len(past_ids), n)],
                                      categories=list(past_ids)),
        "component": pd.Categorical(np.asarray(COMPONENTS, dtype=object)[rng.choice(len(COMPONENTS), n,
                                                                                     p=[0.3, 0.25, 0.2, 0.1, 0.15])],
                                    categories=COMPONENTS),
        "severity": severity,
        "handling": pd.Categorical.from_codes(recall.astype(np.int8), categories=HANDLING),
        "retained": np.asarray(stayed, dtype=bool),
    })

    # ---------------------------------------------------------------- the event and the planted decision
    event = pd.DataFrame({
        "date": pd.to_datetime([EVENT_DATE]).astype("datetime64[ns]"),
        "customer_id": pd.Categorical([KEY_ID], categories=[KEY_ID]),
        "component": pd.Categorical(["capacitor"], categories=COMPONENTS),
        "severity": [float(k["event_severity"])],
        "units_affected": np.array([k["units_affected"]], dtype=np.int64),
        "replacement_cost": [float(k["replacement_cost"])],
        "haggle_share": [float(k["haggle_share"])],
        "relationship_retention": [float(k["relationship_retention"])],
        "discount_rate": [float(k["discount_rate"])],
    })
    z = RETENTION["intercept"] + RETENTION["severity"] * (k["event_severity"] - 5)
    p_keep = {"recall": float(_logistic(z + k["recall_effect"])), "haggle": float(_logistic(z))}
    margin = k["key_share"] * k["output_per_year"] * k["unit_price"] * k["margin_rate"]
    truth = {
        "key_customer": KEY_ID,
        "key_share": float(k["key_share"]),
        "key_margin_per_year": float(margin),
        "retention_coef": {"intercept": RETENTION["intercept"], "recall": float(k["recall_effect"]),
                           "severity": RETENTION["severity"]},
        "handling_coef": {"intercept": HANDLING_INTERCEPT, "severity": float(k["severity_bias"])},
        "p_keep": p_keep,
        "retention_gain": p_keep["recall"] - p_keep["haggle"],
        "decision": decision(margin, p_keep["recall"], p_keep["haggle"], k),
        "incidents": pd.DataFrame({"p_recall": p_recall, "p_stay_recall": _logistic(base + k["recall_effect"]),
                                   "p_stay_haggle": _logistic(base)},
                                  index=pd.Index(incidents["incident_id"], name="incident_id")),
    }
    return {"orders": orders, "event": event, "incidents": incidents}, truth
