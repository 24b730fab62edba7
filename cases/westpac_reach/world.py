"""Westpac's Reach programme: three ways of choosing whom to offer a managed fund, judged on a randomised campaign.

A retail bank's customers, with balances, product holdings, a latent investment affinity and a "large deposit"
event; a next-best-offer campaign for a managed investment fund sent at random to half of the customers who do
not hold it; purchases and first-year fee revenue. The offer's effect (uplift) is planted so that the wealthiest
customers buy the fund often *without* the offer (high response, small uplift), while customers with a fresh
large deposit and customers who look like fund holders but do not yet hold one respond to the offer itself.

Source: Analytical CRM course pack (source 1), lines 235–416 (Capgemini 2005 slides on Westpac's Reach programme):
the service-profit chain, the 2003 goals and the move from intuitive selection to events/triggers and next-best
sell. All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw

# Holding the fund already (log-odds): affinity, wealth and breadth of the relationship.
HOLD_COEF = {"intercept": -1.6, "affinity": 1.2, "log_balance_sd": 0.3, "n_other_products": 0.25}
# Buying the fund within three months WITHOUT the offer (log-odds): the wealthy buy anyway.
BASE_COEF = {"intercept": -3.4, "log_balance_sd": 1.2, "large_deposit": 0.4, "affinity": 0.3}
# The offer's effect on the log-odds of buying: tau = uplift_scale x max(0, linear form).
TAU_COEF = {"intercept": 0.4, "affinity": 0.8, "large_deposit": 1.0, "log_balance_sd": -0.6}
FEE_RATE = 0.01        # yearly fee of the fund, share of the amount invested
INVEST_MEDIAN = 10000.0  # AUD invested by a buyer with the median balance

SNAPSHOT_KNOBS = {"n_customers": 2000}
KNOBS = [
    Knob("n_customers", 12000, int, "number of retail customers", low=2000, high=5_000_000, doc_zh="零售客户数"),
    Knob("trigger_share", 0.12, float, "share of customers with a large deposit in the last 30 days (the event "
         "trigger)", low=0.05, high=0.5, doc_zh="过去30天内有大额存款（事件触发）的客户占比"),
    Knob("uplift_scale", 1.0, float, "multiplies the planted effect of the offer (0 = the offer does nothing)",
         low=0.0, high=3.0, doc_zh="预设营销效应的倍数（0 = 营销毫无作用）"),
    Knob("treated_share", 0.5, float, "share of eligible customers who get the offer, at random (the rest are "
         "the control group)", low=0.1, high=0.9, doc_zh="随机收到推荐的合格客户占比（其余为对照组）"),
]

C = Column
TABLES = [
    Table("customers", "One row per retail customer: age, tenure, balance, products held, the large-deposit event "
          "and whether the customer already holds the managed fund.",
          doc_zh="每个零售客户一行：年龄、开户年限、存款余额、持有产品、大额存款事件，以及是否已持有该管理型基金。",
          columns=(
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("age", "int64", "age", "years", doc_zh="年龄"),
              C("tenure_years", "float64", "years since the first account was opened", "years",
                doc_zh="首次开户以来的年数"),
              C("balance", "float64", "deposit balance", "AUD", doc_zh="存款余额"),
              C("holds_card", "bool", "holds a credit card", doc_zh="持有信用卡"),
              C("holds_home_loan", "bool", "holds a home loan", doc_zh="持有住房贷款"),
              C("holds_insurance", "bool", "holds an insurance product", doc_zh="持有保险产品"),
              C("online_banking", "bool", "uses online banking", doc_zh="使用网上银行"),
              C("research_visits", "int64", "visits to the bank's investment pages in the last 90 days",
                doc_zh="过去90天内浏览银行投资页面的次数"),
              C("large_deposit", "bool", "deposited a large sum in the last 30 days (the event trigger)",
                doc_zh="过去30天内存入一大笔款项（事件触发）"),
              C("holds_fund", "bool", "already holds the managed investment fund (not eligible for the campaign)",
                doc_zh="已持有该管理型投资基金（不参加本次营销）"),
          )),
    Table("campaign", "One row per eligible customer (not holding the fund): randomly offered the fund or left as "
          "control, whether they bought it within three months and the first-year fee revenue.",
          doc_zh="每个合格客户（未持有该基金）一行：是否被随机选中收到基金推荐（否则为对照组）、三个月内是否购买，"
                 "以及第一年的管理费收入。",
          columns=(
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("treated", "bool", "received the offer (random); False = control group",
                doc_zh="是否收到推荐（随机分配）；False 为对照组"),
              C("bought", "bool", "bought the fund within three months", doc_zh="三个月内购买了该基金"),
              C("revenue", "float64", "first-year fee revenue from the fund (0 if not bought)", "AUD",
                doc_zh="该基金第一年的管理费收入（未购买为0）"),
          )),
]

DESCRIPTION = f"""
Calibration: the regimes compared follow the Reach slides' "Intuitive / Modelled Selection, Future Needs,
Events / Triggers, Next Best Sell" (Analytical CRM course pack (source 1), lines 387–389); the bank's stated 2003
goals (at least +5% employee commitment, +5% customer satisfaction, 7–9% cash earnings growth; lines 275–276 and
328–329) are quoted, not simulated. Everything else is synthetic.

Each customer has a latent investment affinity a ~ N(0, 1) (column `affinity` of `truth['customers']`). Balance
is log-normal (median 20,000 AUD, sd of log 1.0; b = standardised log balance). Age ~ N(45, 14) clipped to
18–90; tenure ~ Exponential(8 years); card, home loan, insurance and online banking are drawn with probabilities
rising in b; visits to the investment pages ~ Poisson(exp(0.2 + 0.8 a)). A share `trigger_share` of customers made a large deposit in the last 30 days. Holding the fund
already: logit = {HOLD_COEF} (n_other_products counts card, home loan and insurance).

Holders are not eligible. Each eligible customer gets the offer with probability `treated_share`, at random.
Buying within three months: logit P0 = {BASE_COEF} without the offer; the offer adds
tau = uplift_scale x max(0, {TAU_COEF}) to the log-odds. A buyer invests {INVEST_MEDIAN:,.0f} x sqrt(balance / 20,000) x LogNormal(0, 0.3)
AUD and pays a fee of {FEE_RATE:.0%} a year: revenue = fee. Per customer, `truth['customers']` gives p0, p1, uplift =
p1 - p0 and the expected revenue of a purchase; `truth['uplift_eligible']` is the mean uplift over eligible
customers, `truth['uplift_trigger']` over eligible customers with the event.
"""

DESCRIPTION_ZH = f"""
校准：所比较的几种选择方式沿用Reach演示文稿中的“Intuitive / Modelled Selection, Future Needs, Events / Triggers,
Next Best Sell”（分析型客户关系管理课程资料（资料1）第387–389行）；银行2003年的既定目标（员工承诺至少提高5%、
客户满意度至少提高5%、现金收入增长7%到9%；第275–276行和第328–329行）只作引用，不做模拟。其余一切均为合成。

每个客户有一个潜在的投资倾向 a ~ N(0, 1)（`truth['customers']` 的 `affinity` 列）。存款余额服从对数正态分布
（中位数20,000澳元，对数标准差1.0；b 为标准化后的对数余额）。年龄 ~ N(45, 14)，截断在18–90岁；开户年限 ~
指数分布（均值8年）；信用卡、住房贷款、保险和网上银行的持有概率随 b 上升；浏览投资页面的次数 ~ Poisson(exp(0.2 + 0.8 a))。比例为 `trigger_share` 的客户在过去30天内
存入了一大笔款项。已持有该基金：logit = {HOLD_COEF}（n_other_products 为信用卡、住房贷款和保险的持有数）。

已持有者不参加营销。每个合格客户以 `treated_share` 的概率被随机选中收到推荐。三个月内购买：不收到推荐时
logit P0 = {BASE_COEF}；推荐使对数几率增加 tau = uplift_scale x max(0, {TAU_COEF})。购买者投入
{INVEST_MEDIAN:,.0f} x sqrt(余额 / 20,000) x LogNormal(0, 0.3) 澳元，每年支付{FEE_RATE:.0%}的管理费：revenue 即该费用。`truth['customers']` 逐个客户给出
p0、p1、增量 uplift = p1 - p0 以及一次购买的期望收入；`truth['uplift_eligible']` 是合格客户的平均增量，
`truth['uplift_trigger']` 是有大额存款事件的合格客户的平均增量。
"""


@register("westpac_reach", title="Westpac's Reach: intuitive selection, event triggers and next-best offer",
          title_zh="西太平洋银行Reach项目：凭直觉选择、事件触发与下一个最佳产品推荐",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    affinity = rng.standard_normal(n)
    log_bal = np.log(20000.0) + rng.standard_normal(n)
    b = (log_bal - np.log(20000.0))
    balance = np.round(np.exp(log_bal), 2)
    age = np.clip(np.round(rng.normal(45, 14, n)), 18, 90).astype(np.int64)
    tenure = np.round(rng.exponential(8.0, n), 1)
    card = rng.random(n) < expit(0.2 + 0.5 * b)
    loan = rng.random(n) < expit(-1.0 + 0.4 * b)
    insurance = rng.random(n) < expit(-0.8 + 0.3 * b + 0.3 * affinity)
    online = rng.random(n) < expit(1.5 - 0.04 * (age - 45))
    event = rng.random(n) < k["trigger_share"]
    visits = rng.poisson(np.exp(0.2 + 0.8 * affinity)).astype(np.int64)
    n_other = card.astype(int) + loan + insurance
    h = HOLD_COEF
    _, holds = logit_draw(rng, h["intercept"] + h["affinity"] * affinity + h["log_balance_sd"] * b
                          + h["n_other_products"] * n_other)
    holds = np.asarray(holds, dtype=bool)

    c0, t = BASE_COEF, TAU_COEF
    eta0 = c0["intercept"] + c0["log_balance_sd"] * b + c0["large_deposit"] * event + c0["affinity"] * affinity
    tau = k["uplift_scale"] * np.maximum(0.0, t["intercept"] + t["affinity"] * affinity
                                         + t["large_deposit"] * event + t["log_balance_sd"] * b)
    p0, p1 = expit(eta0), expit(eta0 + tau)
    eligible = ~holds
    m = int(eligible.sum())
    treated = rng.random(m) < k["treated_share"]
    _, bought = logit_draw(rng, eta0[eligible] + tau[eligible] * treated)
    bought = np.asarray(bought, dtype=bool)
    invest = INVEST_MEDIAN * np.sqrt(balance[eligible] / 20000.0) * np.exp(0.3 * rng.standard_normal(m))
    revenue = np.where(bought, np.round(FEE_RATE * invest, 2), 0.0)

    ids = np.arange(1, n + 1, dtype=np.int64)
    customers = pd.DataFrame({
        "customer_id": ids, "age": age, "tenure_years": tenure, "balance": balance,
        "holds_card": card, "holds_home_loan": loan, "holds_insurance": insurance, "online_banking": online,
        "research_visits": visits, "large_deposit": event, "holds_fund": holds,
    })
    campaign = pd.DataFrame({"customer_id": ids[eligible], "treated": treated, "bought": bought,
                             "revenue": revenue.astype(float)})
    uplift = p1 - p0
    sale_value = FEE_RATE * INVEST_MEDIAN * np.sqrt(balance / 20000.0) * np.exp(0.3 ** 2 / 2)  # expected fee of a purchase
    truth = {
        "hold_coef": dict(HOLD_COEF), "base_coef": dict(BASE_COEF), "tau_coef": dict(TAU_COEF),
        "uplift_scale": k["uplift_scale"], "fee_rate": FEE_RATE,
        "uplift_eligible": float(uplift[eligible].mean()),
        "uplift_trigger": float(uplift[eligible & event].mean()) if (eligible & event).any() else 0.0,
        "goals_2003": {"employee_commitment": "+5% at least", "customer_satisfaction": "+5% at least",
                       "cash_earnings_growth": "7% to 9%"},
        "customers": pd.DataFrame({"affinity": affinity, "p0": p0, "p1": p1, "uplift": uplift,
                                   "sale_value": sale_value, "eligible": eligible},
                                  index=pd.Index(ids, name="customer_id")),
    }
    return {"customers": customers, "campaign": campaign}, truth
