"""FedEx: customer profitability, cost-to-serve and the customer pyramid (synthetic world).

Business shipper accounts with a year of revenue and the activities that drive the cost of serving
them. Unit costs are knobs; profit per account, the profitability tier (platinum / gold / iron / lead)
and the behavioural segment are planted truth. Large accounts negotiate deep discounts and some of
them are demanding (many small pickups, special handling, returns, calls, slow payment), so a few of
the highest-revenue accounts lose money: the whale curve rises well above 100% of total profit and
falls back.

Sources: public record - FedEx sorted its customers by profitability ("the good, the bad and the
ugly"), cited in Zeithaml, Rust & Lemon (2001), "The Customer Pyramid: Creating and Serving Profitable
Customers", California Management Review 43(4):118-142; cost-to-serve as in Kaplan & Cooper (1998),
"Cost & Effect" (activity-based costing). CRM Q&A compilation (source 0), lines 177–181 (casebook
chapter title only). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

TIERS = ("platinum", "gold", "iron", "lead")
DRIVERS = ("shipments", "pickups", "special_handling", "returns", "service_calls")

# Behavioural segments (the "good", the middling and the "ugly"): size and per-shipment activity rates.
SEGMENTS = [
    {"name": "easy", "share": 0.45,
     "shipments": {"dist": "lognormal", "mean": 600, "sd": 1500},
     "pickup_rate": {"dist": "uniform", "low": 0.01, "high": 0.04},
     "special_rate": {"dist": "normal", "mean": 0.02, "sd": 0.01, "low": 0.0},
     "return_rate": {"dist": "normal", "mean": 0.01, "sd": 0.005, "low": 0.0},
     "call_rate": {"dist": "normal", "mean": 0.005, "sd": 0.002, "low": 0.0},
     "days_to_pay": {"dist": "normal", "mean": 25, "sd": 5, "low": 5, "decimals": 0},
     "industry": {"dist": "categorical", "probs": {"retail": 0.3, "manufacturing": 0.3, "healthcare": 0.2,
                                                     "technology": 0.2}}},
    {"name": "standard", "share": 0.35,
     "shipments": {"dist": "lognormal", "mean": 800, "sd": 2000},
     "pickup_rate": {"dist": "uniform", "low": 0.03, "high": 0.08},
     "special_rate": {"dist": "normal", "mean": 0.06, "sd": 0.02, "low": 0.0},
     "return_rate": {"dist": "normal", "mean": 0.03, "sd": 0.01, "low": 0.0},
     "call_rate": {"dist": "normal", "mean": 0.015, "sd": 0.005, "low": 0.0},
     "days_to_pay": {"dist": "normal", "mean": 35, "sd": 8, "low": 5, "decimals": 0},
     "industry": {"dist": "categorical", "probs": {"retail": 0.35, "manufacturing": 0.25, "healthcare": 0.15,
                                                     "technology": 0.25}}},
    {"name": "demanding", "share": 0.20,
     "shipments": {"dist": "lognormal", "mean": 1200, "sd": 3000},
     "pickup_rate": {"dist": "uniform", "low": 0.08, "high": 0.20},
     "special_rate": {"dist": "normal", "mean": 0.15, "sd": 0.04, "low": 0.0},
     "return_rate": {"dist": "normal", "mean": 0.08, "sd": 0.02, "low": 0.0},
     "call_rate": {"dist": "normal", "mean": 0.04, "sd": 0.01, "low": 0.0},
     "days_to_pay": {"dist": "normal", "mean": 55, "sd": 12, "low": 5, "decimals": 0},
     "industry": {"dist": "categorical", "probs": {"retail": 0.45, "manufacturing": 0.2, "healthcare": 0.1,
                                                     "technology": 0.25}}},
]
REGIONS = ("north", "south", "east", "west")
# Retention next year: log-odds intercept, per percentage point of on-time delivery above 95%, and for
# accounts that use online tracking.
RETENTION = {"intercept": 1.5, "on_time_pp": 0.25, "tracking_user": 0.6}

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 500}
KNOBS = [
    Knob("n_customers", 2000, int, "number of business shipper accounts", low=20, high=2_000_000,
         doc_zh="企业发件客户账户数"),
    Knob("list_price", 22.0, float, "average list price per shipment before discount", low=1.0, high=500.0,
         unit="USD", doc_zh="折扣前每票快件的平均目录价"),
    Knob("max_discount", 0.45, float, "largest negotiated discount (big accounts get deeper discounts)",
         low=0.0, high=0.9, doc_zh="谈判折扣的上限（大客户拿到的折扣更深）"),
    Knob("cost_per_shipment", 9.0, float, "unit cost of moving one shipment", low=0.0, high=500.0, unit="USD",
         doc_zh="运送一票快件的单位成本"),
    Knob("cost_per_pickup", 30.0, float, "unit cost of one scheduled pickup", low=0.0, high=1000.0, unit="USD",
         doc_zh="一次预约上门取件的单位成本"),
    Knob("cost_per_special", 18.0, float, "unit cost of one special-handling shipment", low=0.0, high=1000.0,
         unit="USD", doc_zh="一票需要特殊处理的快件的单位成本"),
    Knob("cost_per_return", 14.0, float, "unit cost of one returned shipment", low=0.0, high=1000.0, unit="USD",
         doc_zh="一票退件的单位成本"),
    Knob("cost_per_call", 9.0, float, "unit cost of one service call", low=0.0, high=1000.0, unit="USD",
         doc_zh="一次客服来电的单位成本"),
    Knob("cost_of_capital", 0.10, float, "annual cost of the credit given while an invoice is unpaid",
         low=0.0, high=1.0, unit="per year", doc_zh="发票未付期间垫付资金的年化成本"),
    Knob("fixed_cost", 250.0, float, "yearly fixed cost of keeping an account (billing, account set-up)",
         low=0.0, high=100_000.0, unit="USD", doc_zh="维持一个账户的年固定成本（开票、开户）"),
    Knob("cost_noise", 0.05, float, "relative spread of costs not explained by the drivers", low=0.0, high=1.0,
         doc_zh="成本中不能由各项驱动因素解释的部分的相对离散程度"),
]

C = Column
TABLES = [
    Table("accounts", "One row per business shipper account: a year of revenue, the cost-to-serve drivers "
          "and the cost measured by an activity-based costing study.", (
              C("customer_id", "int64", "account id", doc_zh="账户编号"),
              C("industry", "category", "industry of the shipper", doc_zh="发件企业所属行业"),
              C("region", "category", "sales region", doc_zh="销售大区"),
              C("discount", "float64", "negotiated discount off list price (share)",
                doc_zh="在目录价基础上谈定的折扣（比例）"),
              C("revenue", "float64", "revenue in the year", "USD", doc_zh="全年收入"),
              C("shipments", "int64", "shipments in the year", doc_zh="全年发件票数"),
              C("pickups", "int64", "scheduled pickups in the year", doc_zh="全年预约上门取件次数"),
              C("special_handling", "int64", "shipments needing special handling (dangerous goods, "
                                                  "oversize, Saturday delivery)",
                doc_zh="需要特殊处理的快件票数（危险品、超大件、周六派送）"),
              C("returns", "int64", "returned shipments", doc_zh="退件票数"),
              C("service_calls", "int64", "calls to customer service", doc_zh="打给客服的电话次数"),
              C("days_to_pay", "float64", "average days from invoice to payment", "days",
                doc_zh="从开票到付款的平均天数"),
              C("on_time_rate", "float64", "share of the account's shipments delivered on time",
                doc_zh="该账户快件的准时送达率（比例）"),
              C("tracking_user", "bool", "the account tracks its shipments online", doc_zh="该账户是否在线追踪快件"),
              C("cost_to_serve", "float64", "yearly cost of serving the account (ABC study)", "USD",
                doc_zh="服务该账户的年成本（作业成本法测算）"),
              C("retained", "bool", "the account still ships with us the following year",
                doc_zh="次年是否仍在我们这里发件（客户保留）"),
          ), doc_zh="每个企业发件客户账户一行：一年的收入、服务成本的各项驱动因素，以及作业成本法"
                    "（activity-based costing）测算出的服务成本。"),
]

DESCRIPTION = """
Accounts come from three latent behavioural segments (easy 45%, standard 35%, demanding 20%; see
`truth['segments']`). Shipments per year are log-normal (heavy-tailed); pickups, special handling,
returns and service calls are Poisson counts with segment-specific rates per shipment; days to pay
is normal by segment. The discount grows with the logarithm of volume, capped at `max_discount`:
discount = clip(0.12 log10(shipments) - 0.10 + N(0, 0.03), 0, max_discount).
Revenue = shipments x list_price x (1 - discount) x LogNormal(0, 0.1).

Cost-to-serve = cost_per_shipment x shipments + cost_per_pickup x pickups + cost_per_special x
special_handling + cost_per_return x returns + cost_per_call x service_calls + cost_of_capital x
revenue x days_to_pay / 365 + fixed_cost, times (1 + cost_noise x N(0, 1)). Regressing cost on those
six drivers (with an intercept for the fixed cost) recovers the unit costs; the noise is proportional
to cost and account sizes are heavy-tailed, so weight the regression by 1 / cost_to_serve (weighted
least squares) or the few largest accounts dominate the fit.

Profit = revenue - cost_to_serve. Tiers (the customer pyramid of Zeithaml, Rust & Lemon 2001): lead =
loss-making accounts; among the rest, platinum = the 10% most profitable of all accounts, gold = the
next 20%, iron = the remaining profitable ones. On-time rate ~ Beta around 95% (worse for demanding
accounts); retention next year is logistic in on-time percentage points above 95 and tracking use
(`truth['retention_coef']`). Per account, `truth['accounts']` holds segment, profit, expected cost
(without the noise), tier and retention probability.
"""


DESCRIPTION_ZH = """
账户来自三个潜在的行为细分群体（省心型 easy 45%、标准型 standard 35%、难伺候型 demanding 20%；见
`truth['segments']`）。每年的发件票数服从对数正态分布（重尾）；上门取件、特殊处理、退件和客服来电都是泊松计数，
每票快件的发生率因细分群体而异；付款天数按细分群体服从正态分布。折扣随发件量的对数增长，上限为
`max_discount`：discount = clip(0.12 log10(shipments) - 0.10 + N(0, 0.03), 0, max_discount)。
收入 = shipments x list_price x (1 - discount) x LogNormal(0, 0.1)。

服务成本 = cost_per_shipment x shipments + cost_per_pickup x pickups + cost_per_special x
special_handling + cost_per_return x returns + cost_per_call x service_calls + cost_of_capital x
revenue x days_to_pay / 365 + fixed_cost，再乘以 (1 + cost_noise x N(0, 1))。把成本对这六项驱动因素回归
（截距代表固定成本），就能还原各项单位成本；由于噪声与成本成比例、账户规模又是重尾的，回归要拟合相对误差
（每个账户的方程除以 cost_to_serve，即权重为 1 / cost_to_serve² 的加权最小二乘），否则少数最大的账户会左右拟合结果。

利润 = revenue - cost_to_serve。层级（Zeithaml、Rust 和 Lemon 2001 年提出的客户金字塔）：铅层（lead）=
亏损账户；其余账户中，铂金层（platinum）= 全部账户中利润最高的10%，黄金层（gold）= 其后的20%，钢铁层（iron）=
其余盈利账户。准时送达率服从以95%左右为中心的 Beta 分布（难伺候型账户较低）；次年是否保留服从逻辑回归模型，自变量是
准时送达率高出95%的百分点数和是否使用在线追踪（系数见 `truth['retention_coef']`）。`truth['accounts']`
逐个账户给出细分群体、利润、期望成本（不含噪声）、层级和保留概率。
"""


def _pyramid(profit: np.ndarray) -> np.ndarray:
    """Tier index (0 platinum, 1 gold, 2 iron, 3 lead) from profit: loss-makers are lead, the top 10% of
    all accounts platinum, the next 20% gold, other profitable accounts iron."""
    n = profit.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-profit, kind="stable")] = np.arange(n)
    tier = np.where(rank < round(0.1 * n), 0, np.where(rank < round(0.3 * n), 1, 2))
    return np.where(profit < 0, 3, tier)


@register("fedex", title="FedEx: customer profitability, cost-to-serve and the customer pyramid",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES,
          title_zh="联邦快递：客户盈利能力、服务成本与客户金字塔", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    pop = draw_segments(rng, n, SEGMENTS)
    ships = np.maximum(1, np.round(pop["shipments"].to_numpy())).astype(np.int64)
    counts = {name: rng.poisson(ships * pop[rate].to_numpy())
              for name, rate in (("pickups", "pickup_rate"), ("special_handling", "special_rate"),
                                 ("returns", "return_rate"), ("service_calls", "call_rate"))}
    discount = np.clip(0.12 * np.log10(ships) - 0.10 + 0.03 * rng.standard_normal(n), 0.0, k["max_discount"])
    revenue = ships * k["list_price"] * (1 - discount) * np.exp(0.1 * rng.standard_normal(n))
    days = pop["days_to_pay"].to_numpy()
    unit = {"shipments": k["cost_per_shipment"], "pickups": k["cost_per_pickup"],
            "special_handling": k["cost_per_special"], "returns": k["cost_per_return"],
            "service_calls": k["cost_per_call"]}
    expected = (unit["shipments"] * ships + sum(unit[d] * counts[d] for d in DRIVERS[1:])
                + k["cost_of_capital"] * revenue * days / 365 + k["fixed_cost"])
    cost = expected * (1 + k["cost_noise"] * rng.standard_normal(n))
    profit = revenue - cost
    tier = _pyramid(profit)

    demanding = (pop["segment"] == "demanding").to_numpy()
    on_time = rng.beta(np.where(demanding, 60.0, 190.0), 10.0)
    tracking = rng.random(n) < np.where(pop["segment"] == "easy", 0.7, 0.5)
    p_keep, kept = logit_draw(rng, RETENTION["intercept"] + RETENTION["on_time_pp"] * (100 * on_time - 95)
                              + RETENTION["tracking_user"] * tracking)

    accounts = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "industry": pop["industry"],
        "region": pd.Categorical(np.asarray(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)],
                                 categories=REGIONS),
        "discount": discount,
        "revenue": revenue,
        "shipments": ships,
        **{d: counts[d].astype(np.int64) for d in DRIVERS[1:]},
        "days_to_pay": days.astype(float),
        "on_time_rate": on_time,
        "tracking_user": tracking.astype(bool),
        "cost_to_serve": cost,
        "retained": np.asarray(kept, dtype=bool),
    })
    idx = pd.Index(accounts["customer_id"], name="customer_id")
    truth = {
        "unit_costs": {**unit, "cost_of_capital": k["cost_of_capital"], "fixed_cost": k["fixed_cost"]},
        "retention_coef": dict(RETENTION),
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "tier_rule": "lead: profit < 0; platinum: top 10% of accounts by profit; gold: next 20%; iron: rest",
        "share_unprofitable": float((profit < 0).mean()),
        "accounts": pd.DataFrame({"segment": pop["segment"].to_numpy(), "profit": profit,
                                  "expected_cost": expected,
                                  "tier": pd.Categorical.from_codes(tier, categories=TIERS),
                                  "p_retained": p_keep}, index=idx),
    }
    return {"accounts": accounts}, truth
