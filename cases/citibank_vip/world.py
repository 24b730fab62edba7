"""Citibank: a fee on small-balance accounts and differentiated VIP service (synthetic world).

Retail deposit customers of one city's branches with a year of balances, the transactions that drive the
cost of serving them, and a randomised pilot: a random part of the customers were told that accounts below
the small-balance threshold will pay a monthly fee; whether each customer closed the account in the
following year is recorded. The VIP customers (balance of 500,000 CNY or more) were each offered one of
four service bundles at random and accepted it or not. Planted: the churn response to the fee notice in
each balance tier (strongest among young high earners, a spill-over among customers who would not pay),
each customer's balance five years on, the VIP personas and the bundle each persona prefers.

Sources: CRM Q&A compilation (source 0), line 253 (section ㈧): VIP and ordinary customers may share
service procedures but the service items, or their depth, should differ; early that year Citibank's
Shanghai office began charging a service fee on small-deposit accounts, which caused a stir in the
financial world ("I deposit money and have to pay?"), and which the author praises as differentiated
service that tilts service resources; Shenzhen insurance account managers tailor portfolios and service
to each client's financial strength, income expectation, family structure and risk preference. The fee
level, thresholds, costs, churn rates and bundles here are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

TIERS = ("small", "mass", "affluent", "vip")
TIER_CUTS = (10_000.0, 100_000.0, 500_000.0)       # CNY of average balance: small < 10k <= mass < 100k ...
HOUSEHOLDS = ("single", "couple", "children", "retired")
BUNDLES = ("equity_funds", "education_plan", "annuity", "business_credit")
PERSONAS = ("entrepreneur", "professional", "family", "retiree")
BASE_CLOSE = -2.6            # log-odds of closing the account in a year without the fee notice
POTENTIAL_MULTIPLIER = 2.0   # young starters react this many times as strongly to the fee (they have options)
AFFLUENT_SPILLOVER = 0.1     # log-odds added for affluent customers told of the fee; VIPs: none
VALUABLE = 100_000.0         # a customer "would have become valuable" at this balance five years on

# Latent customer types: share, age, monthly income, balance (CNY) and yearly transactions by channel.
SEGMENTS = [
    {"name": "elderly_saver", "share": 0.28,
     "age": {"dist": "normal", "mean": 66, "sd": 7, "low": 50, "high": 90, "decimals": 0, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 3500, "sd": 1200},
     "balance": {"dist": "lognormal", "mean": 7000, "sd": 7000},
     "counter": {"dist": "poisson", "mean": 14}, "atm": {"dist": "poisson", "mean": 10},
     "online": {"dist": "poisson", "mean": 4},
     "household": {"dist": "categorical", "probs": {"single": 0.1, "couple": 0.2, "children": 0.0, "retired": 0.7}},
     "risk_score": {"dist": "normal", "mean": 1.6, "sd": 0.8, "low": 1, "high": 5, "decimals": 0, "dtype": "int"}},
    {"name": "young_starter", "share": 0.22,
     "age": {"dist": "normal", "mean": 27, "sd": 3.5, "low": 21, "high": 45, "decimals": 0, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 12000, "sd": 5000},
     "balance": {"dist": "lognormal", "mean": 6000, "sd": 6000},
     "counter": {"dist": "poisson", "mean": 2}, "atm": {"dist": "poisson", "mean": 12},
     "online": {"dist": "poisson", "mean": 60},
     "household": {"dist": "categorical", "probs": {"single": 0.7, "couple": 0.3, "children": 0.0, "retired": 0.0}},
     "risk_score": {"dist": "normal", "mean": 3.4, "sd": 0.9, "low": 1, "high": 5, "decimals": 0, "dtype": "int"}},
    {"name": "mass_family", "share": 0.30,
     "age": {"dist": "normal", "mean": 42, "sd": 8, "low": 25, "high": 70, "decimals": 0, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 8000, "sd": 3000},
     "balance": {"dist": "lognormal", "mean": 45000, "sd": 40000},
     "counter": {"dist": "poisson", "mean": 8}, "atm": {"dist": "poisson", "mean": 25},
     "online": {"dist": "poisson", "mean": 40},
     "household": {"dist": "categorical", "probs": {"single": 0.1, "couple": 0.3, "children": 0.6, "retired": 0.0}},
     "risk_score": {"dist": "normal", "mean": 2.6, "sd": 0.9, "low": 1, "high": 5, "decimals": 0, "dtype": "int"}},
    {"name": "affluent", "share": 0.13,
     "age": {"dist": "normal", "mean": 48, "sd": 10, "low": 25, "high": 85, "decimals": 0, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 22000, "sd": 9000},
     "balance": {"dist": "lognormal", "mean": 200000, "sd": 150000},
     "counter": {"dist": "poisson", "mean": 6}, "atm": {"dist": "poisson", "mean": 15},
     "online": {"dist": "poisson", "mean": 50},
     "household": {"dist": "categorical", "probs": {"single": 0.1, "couple": 0.3, "children": 0.45, "retired": 0.15}},
     "risk_score": {"dist": "normal", "mean": 3.0, "sd": 1.0, "low": 1, "high": 5, "decimals": 0, "dtype": "int"}},
    {"name": "wealthy", "share": 0.07,
     "age": {"dist": "normal", "mean": 52, "sd": 10, "low": 28, "high": 85, "decimals": 0, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 50000, "sd": 30000},
     "balance": {"dist": "lognormal", "mean": 1_500_000, "sd": 1_200_000},
     "counter": {"dist": "poisson", "mean": 10}, "atm": {"dist": "poisson", "mean": 10},
     "online": {"dist": "poisson", "mean": 40},
     "household": {"dist": "categorical", "probs": {"single": 0.1, "couple": 0.3, "children": 0.4, "retired": 0.2}},
     "risk_score": {"dist": "normal", "mean": 3.0, "sd": 1.0, "low": 1, "high": 5, "decimals": 0, "dtype": "int"}},
]
# Five-year growth of the balance (median multiple): young starters' careers lift their savings.
GROWTH = {"elderly_saver": 1.0, "young_starter": 15.0, "mass_family": 1.5, "affluent": 1.3, "wealthy": 1.2}

# VIP personas (customers with a balance of 500,000 CNY or more): share; total financial assets as a multiple
# of the balance held with us (financial strength); monthly income; children; risk score; age; household.
VIP_PERSONAS = {
    "entrepreneur": {"share": 0.30, "assets_x": 4.0, "income": 90000, "children": 0.6, "risk": 4.4, "age": 48,
                     "household": {"couple": 0.5, "children": 0.5}},
    "professional": {"share": 0.25, "assets_x": 1.3, "income": 60000, "children": 0.1, "risk": 3.6, "age": 36,
                     "household": {"single": 0.6, "couple": 0.4}},
    "family": {"share": 0.25, "assets_x": 1.8, "income": 35000, "children": 2.2, "risk": 2.2, "age": 42,
               "household": {"children": 1.0}},
    "retiree": {"share": 0.20, "assets_x": 2.0, "income": 9000, "children": 0.0, "risk": 1.4, "age": 68,
                "household": {"retired": 0.8, "couple": 0.2}},
}
# Probability that a VIP of each persona accepts each bundle (the diagonal is the planted best match).
ACCEPT = {
    "entrepreneur": {"equity_funds": 0.20, "education_plan": 0.08, "annuity": 0.05, "business_credit": 0.50},
    "professional": {"equity_funds": 0.48, "education_plan": 0.06, "annuity": 0.08, "business_credit": 0.15},
    "family": {"equity_funds": 0.10, "education_plan": 0.52, "annuity": 0.15, "business_credit": 0.06},
    "retiree": {"equity_funds": 0.05, "education_plan": 0.04, "annuity": 0.46, "business_credit": 0.03},
}

SNAPSHOT_KNOBS = {"n_customers": 1500}
KNOBS = [
    Knob("n_customers", 6000, int, "number of retail deposit customers", low=200, high=2_000_000,
         doc_zh="零售存款客户数"),
    Knob("fee", 20.0, float, "monthly service fee announced for accounts below 10,000 CNY of average balance",
         low=0.0, high=200.0, unit="CNY per month", doc_zh="对日均余额低于1万元的账户宣布收取的月服务费"),
    Knob("fee_sensitivity", 0.06, float, "log-odds of closing the account added per CNY of monthly fee, for a "
         "small-balance customer told of the fee", low=0.0, high=0.5, unit="per CNY",
         doc_zh="被告知收费的小额客户，每1元月费使销户的对数几率增加的量"),
    Knob("spillover", 0.4, float, "log-odds of closing added for mass-tier customers told of the fee although "
         "they would not pay it (the public stir)", low=0.0, high=3.0,
         doc_zh="被告知收费但自己并不交费的大众档客户销户对数几率的增加量（舆论风波的外溢）"),
    Knob("notice_share", 0.5, float, "share of customers picked at random to receive the fee notice (the pilot)",
         low=0.1, high=0.9, doc_zh="随机选出接到收费通知的客户比例（试点）"),
    Knob("deposit_spread", 0.02, float, "yearly margin the bank earns on each CNY of balance", low=0.0, high=0.1,
         unit="per year", doc_zh="银行每1元存款余额每年赚取的利差"),
    Knob("cost_per_counter", 15.0, float, "cost of one counter (teller) transaction", low=0.0, high=500.0,
         unit="CNY", doc_zh="一笔柜台交易的成本"),
    Knob("cost_per_atm", 3.0, float, "cost of one ATM withdrawal", low=0.0, high=100.0, unit="CNY",
         doc_zh="一笔ATM取款的成本"),
    Knob("cost_per_online", 0.5, float, "cost of one online-banking session", low=0.0, high=50.0, unit="CNY",
         doc_zh="一次网上银行登录的成本"),
    Knob("account_cost", 60.0, float, "yearly fixed cost of keeping an account (statements, systems, compliance)",
         low=0.0, high=5000.0, unit="CNY per year", doc_zh="维持一个账户的年固定成本（对账单、系统、合规）"),
]

C = Column
TABLES = [
    Table("accounts", "One row per retail deposit customer: profile, a year of balance and transactions, the "
          "bank's revenue and cost of serving the account, the fee pilot and whether the account was closed "
          "in the year after it.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("age", "int64", "age", "years", doc_zh="年龄"),
              C("income", "float64", "monthly income declared at account opening or the last review",
                "CNY per month", doc_zh="开户或最近一次复核时申报的月收入"),
              C("household", "category", "family structure: single, couple, children (with dependent children) "
                "or retired", doc_zh="家庭结构：单身 single、夫妻 couple、有子女 children、退休 retired"),
              C("children", "int64", "number of dependent children", doc_zh="需抚养子女数"),
              C("risk_score", "int64", "risk preference from the suitability questionnaire, 1 (cautious) to 5 "
                "(aggressive)", doc_zh="风险承受能力问卷得分，1（保守）到5（进取）"),
              C("assets", "float64", "total financial assets declared, here and elsewhere (financial strength)",
                "CNY", doc_zh="申报的金融资产总额，含他行（财务实力）"),
              C("balance", "float64", "average daily balance over the year", "CNY", doc_zh="全年日均存款余额"),
              C("balance_tier", "category", "balance tier: small (< 10,000), mass (10,000–100,000), affluent "
                "(100,000–500,000), vip (500,000 or more)",
                doc_zh="余额档次：小额 small（<1万）、大众 mass（1万–10万）、富裕 affluent（10万–50万）、VIP（50万及以上）"),
              C("counter_visits", "int64", "counter (teller) transactions in the year", doc_zh="全年柜台交易笔数"),
              C("atm_withdrawals", "int64", "ATM withdrawals in the year", doc_zh="全年ATM取款笔数"),
              C("online_logins", "int64", "online-banking sessions in the year", doc_zh="全年网上银行登录次数"),
              C("revenue", "float64", "the bank's yearly revenue from the account (deposit margin), before any fee",
                "CNY per year", doc_zh="银行从该账户获得的年收入（存款利差），不含服务费"),
              C("cost_to_serve", "float64", "yearly cost of serving the account (cost study)", "CNY per year",
                doc_zh="服务该账户的年成本（成本测算）"),
              C("fee_notice", "bool", "picked at random to receive the fee notice (pilot)",
                doc_zh="是否被随机选中接到收费通知（试点）"),
              C("fee_due", "float64", "yearly fee the account pays if it stays (notice received and balance "
                "below 10,000)", "CNY per year", doc_zh="账户若不销户每年应交的服务费（接到通知且余额低于1万元）"),
              C("closed", "bool", "the customer closed the account in the year after the notice",
                doc_zh="客户在通知后一年内是否销户"),
          ), doc_zh="每个零售存款客户一行：客户资料、一年的余额和交易、银行从该账户获得的收入与服务成本、"
                    "收费试点，以及通知后一年内是否销户。"),
    Table("vip_offers", "One row per VIP customer (balance of 500,000 CNY or more): the service bundle the "
          "relationship manager offered, picked at random, and whether the customer accepted it.", (
              C("customer_id", "int64", "customer id (as in accounts)", doc_zh="客户编号（与 accounts 相同）"),
              C("bundle", "category", "bundle offered: equity_funds (growth funds and brokerage), education_plan "
                "(children's education insurance), annuity (pension annuity and guaranteed deposits), "
                "business_credit (business credit line and premium card)",
                doc_zh="推荐的服务组合：equity_funds（成长型基金与证券）、education_plan（子女教育保险）、"
                       "annuity（养老年金与保本存款）、business_credit（经营贷款额度与高端信用卡）"),
              C("accepted", "bool", "the customer took up the bundle", doc_zh="客户是否接受了该组合"),
          ), doc_zh="每个VIP客户（余额50万元及以上）一行：客户经理随机推荐的服务组合，以及客户是否接受。"),
]

DESCRIPTION = """
Customers come from five latent types (`truth['segments']`): elderly savers (small balances, many counter
transactions), young starters (small balances, online, high and rising incomes), mass families, the
affluent and the wealthy. Balances are log-normal by type; the balance tier is cut at 10,000, 100,000 and
500,000 CNY. Revenue = balance x deposit_spread x LogNormal(0, 0.1). Cost-to-serve = account_cost +
cost_per_counter x counter_visits + cost_per_atm x atm_withdrawals + cost_per_online x online_logins,
times (1 + 0.05 N(0, 1)).

The pilot: a random `notice_share` of customers is told of the fee (`fee` CNY a month on balances below
10,000). Closing in the next year is logistic: log-odds = -2.6, plus, for customers told of the fee, by
tier: small fee_sensitivity x fee (twice that for young starters, who have options), mass `spillover`
(they would not pay; the public stir), affluent 0.1, vip 0. `truth['effects']` gives the log-odds and the
expected rise in the closing rate per tier; `truth['profit_change']` the expected change in next year's
profit per customer told of the fee, by tier, where a customer who stays brings revenue + fee_due -
cost_to_serve and one who closes brings nothing. Per customer, `truth['accounts']` holds type, closing
probability with and without the notice, and the balance five years on (young starters' balances grow
about fifteen-fold; a customer "would have become valuable" at 100,000 CNY or more).

VIPs (balance >= 500,000) belong to four personas (`truth['vip_personas']`: entrepreneur, professional,
family, retiree) that set their total assets (a multiple of the balance), income, children, risk score, age
and household. Each VIP was offered one of four bundles at random; acceptance depends on persona and
bundle (`truth['acceptance']`), and each persona has one best bundle (`truth['best_bundle']`). The source
text describes the idea (calibrated to CRM Q&A compilation (source 0), line 253); every number is synthetic.
"""

DESCRIPTION_ZH = """
客户来自五个潜在类型（`truth['segments']`）：老年储户（余额小、柜台交易多）、年轻白领（余额小、用网银、收入高且在增长）、
大众家庭、富裕客户和高净值客户。余额按类型服从对数正态分布；余额档次在1万、10万和50万元处切分。
收入 = balance x deposit_spread x LogNormal(0, 0.1)。服务成本 = account_cost + cost_per_counter x counter_visits
+ cost_per_atm x atm_withdrawals + cost_per_online x online_logins，再乘以 (1 + 0.05 N(0, 1))。

试点：随机抽取 `notice_share` 比例的客户告知收费（余额低于1万元的账户每月收 `fee` 元）。次年是否销户服从逻辑模型：
对数几率 = -2.6，接到通知的客户再按档次加上：小额档 fee_sensitivity x fee（年轻白领加倍，因为他们有别的选择），
大众档 `spillover`（他们并不交费，这是舆论风波的外溢），富裕档 0.1，VIP档 0。`truth['effects']` 给出各档的对数几率
增量和销户率的期望增幅；`truth['profit_change']` 给出各档每个接到通知的客户次年利润的期望变化——留下的客户带来
revenue + fee_due - cost_to_serve，销户的客户带来零。`truth['accounts']` 逐个客户给出类型、有无通知时的销户概率，
以及五年后的余额（年轻白领的余额大约增长十五倍；五年后余额达到10万元及以上即“本会成为有价值的客户”）。

VIP（余额 >= 50万元）分属四种画像（`truth['vip_personas']`：企业主 entrepreneur、专业人士 professional、家庭
family、退休 retiree），画像决定其金融资产总额（余额的倍数）、收入、子女数、风险评分、年龄和家庭结构。每位VIP被随机
推荐四种组合之一；是否接受取决于画像和组合（`truth['acceptance']`），每种画像有一个最合适的组合
（`truth['best_bundle']`）。思路来自《客户关系管理问答汇编》（资料0）第253行，所有数字均为合成数据。
"""


def balance_tier(balance: np.ndarray) -> np.ndarray:
    """Tier index 0 small, 1 mass, 2 affluent, 3 vip from the average balance (cut at TIER_CUTS).

    >>> balance_tier(np.array([500.0, 10_000.0, 499_999.0, 500_000.0])).tolist()
    [0, 1, 2, 3]
    """
    return np.searchsorted(np.asarray(TIER_CUTS), balance, side="right")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@register("citibank_vip", title="Citibank: a small-balance fee and differentiated VIP service",
          title_zh="花旗银行：小额存款账户收费与差异化VIP服务",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    pop = draw_segments(rng, n, SEGMENTS)
    seg = pop["segment"].to_numpy().astype(str)
    balance = np.round(pop["balance"].to_numpy(), 2)
    tier = balance_tier(balance)
    age = pop["age"].to_numpy().astype(np.int64)
    income = pop["income"].to_numpy().astype(float)
    household = pop["household"].to_numpy().astype(str).astype(object)
    risk = pop["risk_score"].to_numpy().astype(np.int64)
    children = np.where(household == "children", 1 + rng.poisson(0.4, n), 0).astype(np.int64)
    assets = balance * np.exp(rng.normal(np.log(1.8), 0.3, n))

    # VIP personas override the profile of customers in the vip tier
    vip = tier == 3
    nv = int(vip.sum())
    names = list(VIP_PERSONAS)
    persona = np.asarray(names, dtype=object)[
        rng.choice(len(names), size=nv, p=[VIP_PERSONAS[p]["share"] for p in names])]
    v_assets = np.empty(nv)
    v_income = np.empty(nv)
    v_children = np.empty(nv, dtype=np.int64)
    v_risk = np.empty(nv, dtype=np.int64)
    v_age = np.empty(nv, dtype=np.int64)
    v_house = np.empty(nv, dtype=object)
    for p in names:
        m = persona == p
        c, spec = int(m.sum()), VIP_PERSONAS[p]
        v_assets[m] = balance[vip][m] * spec["assets_x"] * np.exp(rng.normal(0, 0.2, c))
        v_income[m] = spec["income"] * np.exp(rng.normal(0, 0.25, c))
        v_risk[m] = np.clip(np.round(rng.normal(spec["risk"], 0.6, c)), 1, 5)
        v_age[m] = np.clip(np.round(rng.normal(spec["age"], 5, c)), 25, 90)
        labels, probs = zip(*spec["household"].items())
        v_house[m] = np.asarray(labels, dtype=object)[rng.choice(len(labels), size=c, p=probs)]
        v_children[m] = np.where(v_house[m] == "children", np.maximum(1, rng.poisson(spec["children"], c)),
                                 rng.binomial(1, min(spec["children"], 1.0) * 0.3, c) * (v_house[m] == "couple"))
    assets[vip], income[vip], children[vip], risk[vip], age[vip], household[vip] = (
        v_assets, v_income, v_children, v_risk, v_age, v_house)
    children = np.where(household == "children", np.maximum(children, 1), children)

    counter = pop["counter"].to_numpy().astype(np.int64)
    atm = pop["atm"].to_numpy().astype(np.int64)
    online = pop["online"].to_numpy().astype(np.int64)
    revenue = balance * k["deposit_spread"] * np.exp(0.1 * rng.standard_normal(n))
    expected_cost = (k["account_cost"] + k["cost_per_counter"] * counter + k["cost_per_atm"] * atm
                     + k["cost_per_online"] * online)
    cost = expected_cost * (1 + 0.05 * rng.standard_normal(n))

    notice = rng.random(n) < k["notice_share"]
    small_effect = k["fee_sensitivity"] * k["fee"] * np.where(seg == "young_starter", POTENTIAL_MULTIPLIER, 1.0)
    effect = np.select([tier == 0, tier == 1, tier == 2], [small_effect, k["spillover"], AFFLUENT_SPILLOVER], 0.0)
    p0 = _sigmoid(np.full(n, BASE_CLOSE))
    p1 = _sigmoid(BASE_CLOSE + effect)
    p_close, closed = logit_draw(rng, BASE_CLOSE + notice * effect)
    fee_due = np.where(notice & (tier == 0), 12 * k["fee"], 0.0)
    growth = np.array([GROWTH[s] for s in seg]) * np.exp(rng.normal(0, 0.6, n))
    balance_5y = balance * growth

    # VIP bundle pilot
    vip_ids = np.flatnonzero(vip) + 1
    offered = rng.integers(0, len(BUNDLES), nv)
    p_acc = np.array([ACCEPT[p][BUNDLES[b]] for p, b in zip(persona, offered)])
    accepted = rng.random(nv) < p_acc

    accounts = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "age": age,
        "income": np.round(income, 0),
        "household": pd.Categorical(household, categories=HOUSEHOLDS),
        "children": children.astype(np.int64),
        "risk_score": risk.astype(np.int64),
        "assets": np.round(assets, 0),
        "balance": balance,
        "balance_tier": pd.Categorical.from_codes(tier, categories=TIERS, ordered=True),
        "counter_visits": counter,
        "atm_withdrawals": atm,
        "online_logins": online,
        "revenue": revenue,
        "cost_to_serve": cost,
        "fee_notice": notice.astype(bool),
        "fee_due": fee_due,
        "closed": np.asarray(closed, dtype=bool),
    })
    offers = pd.DataFrame({
        "customer_id": vip_ids.astype(np.int64),
        "bundle": pd.Categorical.from_codes(offered, categories=BUNDLES),
        "accepted": accepted.astype(bool),
    })

    # expected change in next year's profit per customer told of the fee, by tier
    stay_profit0 = revenue - cost
    stay_profit1 = revenue + np.where(tier == 0, 12 * k["fee"], 0.0) - cost
    change = (1 - p1) * stay_profit1 - (1 - p0) * stay_profit0
    tier_names = np.asarray(TIERS)[tier]
    effects = {t: {"log_odds": float(effect[tier == i].mean()) if (tier == i).any() else 0.0,
                   "rate_rise": float((p1 - p0)[tier == i].mean()) if (tier == i).any() else 0.0}
               for i, t in enumerate(TIERS)}
    effects["small"]["log_odds_by_type"] = {"young_starter": float(k["fee_sensitivity"] * k["fee"] * POTENTIAL_MULTIPLIER),
                                            "other": float(k["fee_sensitivity"] * k["fee"])}
    idx = pd.Index(accounts["customer_id"], name="customer_id")
    persona_full = np.full(n, "", dtype=object)
    persona_full[vip] = persona
    truth = {
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "tier_cuts": list(TIER_CUTS),
        "base_close_log_odds": BASE_CLOSE,
        "effects": effects,
        "profit_change": {t: float(change[tier == i].mean()) if (tier == i).any() else 0.0
                          for i, t in enumerate(TIERS)},
        "profit_change_all": float(change.mean()),
        "valuable_balance_5y": VALUABLE,
        "vip_personas": {p: {"share": VIP_PERSONAS[p]["share"]} for p in names},
        "acceptance": {p: dict(ACCEPT[p]) for p in names},
        "best_bundle": {p: max(ACCEPT[p], key=ACCEPT[p].get) for p in names},
        "accounts": pd.DataFrame({"segment": seg, "tier": tier_names, "p_close_without_notice": p0,
                                  "p_close_with_notice": p1, "p_close": p_close,
                                  "expected_cost": expected_cost, "balance_5y": balance_5y,
                                  "persona": persona_full.astype(str)}, index=idx),
    }
    return {"accounts": accounts, "vip_offers": offers}, truth
