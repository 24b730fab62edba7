"""Huawei: carrier accounts, the interaction log, service-contract tiers and the employee link (synthetic world).

A telecom-equipment vendor's B2B base of carrier accounts (national carriers, regional carriers, enterprise and
private-network operators) with a year of revenue, gross profit and cost-to-serve, the capital expenditure each
account has announced for the next three years (its potential), the service contract it bought (basic warranty,
silver with scheduled inspections, gold with monthly inspections and user training), a year's interaction log
(account-manager visits, inspections, training sessions, equipment faults, complaints), the account teams with
their employee-engagement score, each account's satisfaction and whether it renewed its service contract.

Planted truth: each tier's fault rate per site, the effect of team engagement on customer satisfaction and of
satisfaction on renewal, each account's true yearly wallet and which accounts the account managers neglect.

Sources: Analytical CRM course pack (source 1), lines 129–137 and 218–234 (Huawei's CRM analysis, IDIC
structure, employee loyalty first, suggestions: maintenance centre, scheduled inspection, user training, paid
service levels). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments
from crmlab.worlds.mech.visits import poisson_visits

TIERS = ("basic", "silver", "gold")
KINDS = ("visit", "inspection", "training", "fault", "complaint")
REGIONS = ("China", "Asia-Pacific", "Europe", "Middle East & Africa", "Latin America")
YEAR_START = np.datetime64("2025-01-01", "D")
DAYS = 365
# Carrier types: installed sites (base stations, exchanges), yearly network capex per site (CNY million) and
# our share of that wallet.
SEGMENTS = [
    {"name": "national", "share": 0.15,
     "sites": {"dist": "lognormal", "mean": 3000, "sd": 2500},
     "capex_per_site": {"dist": "lognormal", "mean": 0.25, "sd": 0.08},
     "sow": {"dist": "uniform", "low": 0.15, "high": 0.55}},
    {"name": "regional", "share": 0.45,
     "sites": {"dist": "lognormal", "mean": 500, "sd": 450},
     "capex_per_site": {"dist": "lognormal", "mean": 0.30, "sd": 0.10},
     "sow": {"dist": "uniform", "low": 0.10, "high": 0.70}},
    {"name": "enterprise", "share": 0.40,
     "sites": {"dist": "lognormal", "mean": 60, "sd": 60},
     "capex_per_site": {"dist": "lognormal", "mean": 0.35, "sd": 0.15},
     "sow": {"dist": "uniform", "low": 0.10, "high": 0.90}},
]
GROSS_MARGIN = {"national": 0.30, "regional": 0.38, "enterprise": 0.45}
TIER_INSPECTIONS = {"basic": 0, "silver": 2, "gold": 12}   # scheduled inspections a year
TIER_TRAININGS = {"basic": 0, "silver": 0, "gold": 2}      # user-training sessions a year
TIER_SATISFACTION = {"basic": 0.0, "silver": 0.3, "gold": 0.6}
# Satisfaction (0-10): 6.5 + engagement_effect x (engagement - 70) / 10 + tier bonus - 0.8 x (faults per site /
# basic fault rate - 1) + N(0, 0.8); renewal log-odds: intercept + slope x (satisfaction - 6.5).
RENEWAL = {"intercept": 1.2, "satisfaction": 0.9}

SNAPSHOT_KNOBS = {"n_accounts": 200}
KNOBS = [
    Knob("n_accounts", 400, int, "number of carrier accounts", low=40, high=200_000, doc_zh="运营商客户账户数"),
    Knob("accounts_per_team", 8, int, "carrier accounts served by one account team", low=2, high=50,
         doc_zh="每个客户团队服务的运营商账户数"),
    Knob("fault_rate", 0.06, float, "equipment faults per site per year under the basic warranty", low=0.0,
         high=2.0, unit="per site per year", doc_zh="基本保修下每个站点每年的设备故障次数"),
    Knob("silver_fault_ratio", 0.7, float, "fault rate of silver contracts (scheduled inspections) relative to "
         "basic", low=0.05, high=1.5, doc_zh="银级合同（定期巡检）的故障率相对基本保修的倍数"),
    Knob("gold_fault_ratio", 0.45, float, "fault rate of gold contracts (monthly inspections and user training) "
         "relative to basic", low=0.05, high=1.5, doc_zh="金级合同（每月巡检加用户培训）的故障率相对基本保修的倍数"),
    Knob("engagement_effect", 0.5, float, "rise in customer satisfaction (0-10 scale) per 10 points of the account "
         "team's employee-engagement score", low=-2.0, high=3.0, doc_zh="客户团队员工敬业度每高10分，客户满意度"
         "（0–10分）上升的分数"),
    Knob("neglect_share", 0.2, float, "share of accounts whose account manager rarely visits", low=0.0, high=1.0,
         doc_zh="客户经理很少拜访的账户比例"),
]

C = Column
TABLES = [
    Table("accounts", "One row per carrier account: last year's business, the announced capex, the service "
          "contract, the serving team, satisfaction and renewal.", (
              C("account_id", "int64", "account id", doc_zh="账户编号"),
              C("carrier_type", "category", "national carrier, regional carrier or enterprise network",
                doc_zh="全国性运营商、区域性运营商或企业网"),
              C("region", "category", "sales region", doc_zh="销售大区"),
              C("sites", "int64", "sites in the account's network with our equipment", doc_zh="该客户网络中装有我方设备的站点数"),
              C("revenue", "float64", "our sales to the account last year, service fees included", "CNY million",
                doc_zh="去年我方对该客户的销售额（含服务费）"),
              C("gross_profit", "float64", "gross profit on those sales", "CNY million", doc_zh="上述销售的毛利"),
              C("cost_to_serve", "float64", "cost of account management, inspections, training and repairs",
                "CNY million", doc_zh="客户管理、巡检、培训和维修的成本"),
              C("planned_capex", "float64", "network capex the account announced for the next three years (all "
                "vendors), from the account plan", "CNY million", doc_zh="客户公布的未来三年网络资本开支（所有供应商），"
                "取自客户计划"),
              C("contract_tier", "category", "service contract: basic warranty, silver (paid; scheduled "
                "inspections) or gold (paid; monthly inspections and user training)",
                doc_zh="服务合同：基本保修、银级（付费，定期巡检）或金级（付费，每月巡检加用户培训）"),
              C("service_fee", "float64", "yearly fee of the service contract (included in revenue)", "CNY million",
                doc_zh="服务合同的年费（已计入销售额）"),
              C("team_id", "int64", "account team serving the account", doc_zh="服务该客户的客户团队编号"),
              C("satisfaction", "float64", "satisfaction in the yearly customer survey (0-10)",
                doc_zh="年度客户调查中的满意度（0–10分）"),
              C("renewed", "bool", "the account renewed its service contract at year end", doc_zh="年末是否续签服务合同"),
          ), doc_zh="每个运营商客户账户一行：去年的业务、公布的资本开支、服务合同、服务团队、满意度和续约情况。"),
    Table("interactions", "The interaction log of the year: one row per contact with an account.", (
              C("interaction_id", "int64", "interaction number", doc_zh="接触记录编号"),
              C("account_id", "int64", "account", doc_zh="账户编号"),
              C("date", "datetime64[ns]", "date of the contact", doc_zh="接触日期"),
              C("kind", "category", "visit (account manager), inspection (scheduled), training (user training), "
                "fault (equipment fault reported) or complaint", doc_zh="拜访（客户经理）、巡检（定期）、培训（用户培训）、"
                "故障（报修的设备故障）或投诉"),
          ), doc_zh="全年的客户接触记录：与客户的每次接触一行。"),
    Table("teams", "One row per account team, with the yearly employee survey.", (
              C("team_id", "int64", "team id", doc_zh="团队编号"),
              C("engagement", "float64", "employee-engagement score of the team (0-100)", doc_zh="团队员工敬业度得分（0–100）"),
              C("staff_turnover", "float64", "share of the team's staff who left during the year",
                doc_zh="当年离职员工占团队人数的比例"),
          ), doc_zh="每个客户团队一行，附年度员工调查结果。"),
]

DESCRIPTION = """
What the source says (Analytical CRM course pack (source 1)): the report "Huawei's CRM analysis" is built on
IDIC — background; customer identification and differentiation; interaction; personalisation; satisfaction
and loyalty plan; suggestions (lines 222–227); its loyalty plan puts employee loyalty first: "serve your
employees first, and only then can you serve your customers well" (line 135); its suggestions are a
maintenance centre, scheduled equipment inspection, regular user training and higher paid service levels
(line 137). Everything below is synthetic.

Accounts come from three carrier types (`truth['segments']`): national (15%; sites log-normal, mean 3,000),
regional (45%; mean 500) and enterprise (40%; mean 60). Yearly wallet = sites x capex per site (log-normal,
CNY million); our equipment sales = wallet x share of wallet (uniform by type); planned_capex = 3 x wallet x
LogNormal(0, 0.25) (an announcement, not the truth). Gross margin 30% / 38% / 45% by type, x LogNormal(0, 0.1).

Contract tier: log-odds of a paid tier rise with log10(sites); among paid contracts gold vs silver is a coin
weighted the same way. Fee per site a year: silver 0.004, gold 0.010 CNY million (revenue and gross profit
include it). Interactions over the year are Poisson processes (crmlab.worlds.mech.visits): visits at
(2 + 4 log10(1 + revenue)) a year, x 0.15 for a `neglect_share` of accounts; inspections 0 / 2 / 12 and
trainings 0 / 0 / 2 a year by tier; faults at sites x fault_rate x (1, silver_fault_ratio, gold_fault_ratio);
complaints at 0.3 + 0.05 x faults. Cost-to-serve = 0.05 + 0.03 per visit + 0.0005 per site per inspection + 0.05 per
training + 0.02 per fault (x LogNormal(0, 0.1)).

Teams of `accounts_per_team` accounts, assigned at random; engagement N(70, 8) clipped to 0–100, turnover
falls with engagement. Satisfaction = 6.5 + engagement_effect x (engagement − 70) / 10 + tier bonus (0,
0.3, 0.6) − 0.8 x (faults per site / fault_rate − 1) + N(0, 0.8), clipped to 0–10. Renewal log-odds =
1.2 + 0.9 x (satisfaction − 6.5) (`truth['renewal_coef']`). `truth['accounts']` holds per account the type,
true yearly wallet, share of wallet, neglect flag and renewal probability.
"""

DESCRIPTION_ZH = """
资料原文（《分析型客户关系管理课程资料》（资料1））：报告《华为客户关系管理分析》按IDIC展开——企业背景；客户识别与区分；
客户互动；客户个性化；客户满意度或忠诚度计划；意见和建议（第222–227行）；忠诚度计划把员工忠诚放在首位：“首先要服务好你的
员工，然后才有可能服务好你的客户”（第135行）；建议包括建立维护中心、设备定期巡查、对用户定期培训和提升有偿服务水平
（第137行）。以下一切都是合成的。

账户来自三类运营商（`truth['segments']`）：全国性运营商 national（15%；站点数服从对数正态分布，均值3,000）、区域性运营商
regional（45%；均值500）和企业网 enterprise（40%；均值60）。年度钱包 = 站点数 x 每站点资本开支（对数正态，百万元）；我方
设备销售额 = 钱包 x 钱包份额（按类型服从均匀分布）；planned_capex = 3 x 钱包 x LogNormal(0, 0.25)（这是客户的公告，
不是真值）。毛利率按类型为30% / 38% / 45%，再乘以 LogNormal(0, 0.1)。

合同等级：购买付费等级的对数几率随 log10(站点数) 上升；付费合同中金级与银级的选择按同样方式加权。每站点年费：银级0.004、
金级0.010百万元（计入销售额和毛利）。全年的接触是泊松过程（crmlab.worlds.mech.visits）：拜访每年
(2 + 4 log10(1 + 销售额)) 次，`neglect_share` 比例的账户乘以0.15；巡检按等级每年0 / 2 / 12次，培训0 / 0 / 2次；
故障率为 站点数 x fault_rate x (1, silver_fault_ratio, gold_fault_ratio)；投诉率为 0.3 + 0.05 x 故障数。服务成本 =
0.05 + 每次拜访0.03 + 每次巡检每站点0.0005 + 每次培训0.05 + 每次故障0.02（再乘以 LogNormal(0, 0.1)）。

每个团队随机分到 `accounts_per_team` 个账户；敬业度服从 N(70, 8)，截断在0–100，离职率随敬业度下降。满意度 = 6.5 +
engagement_effect x (敬业度 − 70) / 10 + 等级加分（0、0.3、0.6）− 0.8 x (每站点故障数 / fault_rate − 1) + N(0, 0.8)，
截断在0–10。续约对数几率 = 1.2 + 0.9 x (满意度 − 6.5)（`truth['renewal_coef']`）。`truth['accounts']` 逐个账户给出
类型、真实年度钱包、钱包份额、是否被冷落和续约概率。
"""


@register("huawei", title="Huawei: carrier accounts, interaction and service-contract tiers",
          title_zh="华为：运营商客户、客户互动与服务合同等级", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_accounts"]
    pop = draw_segments(rng, n, SEGMENTS)
    seg = pop["segment"].astype(str).to_numpy()
    sites = np.maximum(1, np.round(pop["sites"].to_numpy())).astype(np.int64)
    wallet = sites * pop["capex_per_site"].to_numpy()
    sow = pop["sow"].to_numpy()
    equipment = wallet * sow
    planned = 3 * wallet * np.exp(0.25 * rng.standard_normal(n))
    margin = np.array([GROSS_MARGIN[s] for s in seg]) * np.exp(0.1 * rng.standard_normal(n))

    lz = np.log10(sites)
    _, paid = logit_draw(rng, -2.5 + 1.2 * lz)
    _, gold = logit_draw(rng, -2.0 + 0.8 * lz)
    tier = np.where(np.asarray(paid, bool), np.where(np.asarray(gold, bool), 2, 1), 0)
    fee = sites * np.array([0.0, 0.004, 0.010])[tier]
    revenue = equipment + fee
    gross = equipment * margin + 0.6 * fee

    neglected = rng.random(n) < k["neglect_share"]
    visit_rate = (2 + 4 * np.log10(1 + revenue)) * np.where(neglected, 0.15, 1.0)
    ratio = np.array([1.0, k["silver_fault_ratio"], k["gold_fault_ratio"]])[tier]
    fault_rate = sites * k["fault_rate"] * ratio
    window = [(0.0, float(DAYS))]
    logs = []
    for kind, rate in (("visit", visit_rate),
                       ("inspection", np.array([TIER_INSPECTIONS[t] for t in TIERS], float)[tier]),
                       ("training", np.array([TIER_TRAININGS[t] for t in TIERS], float)[tier]),
                       ("fault", fault_rate)):
        who, when = poisson_visits(rng, rate / DAYS, window)
        logs.append((kind, who, when))
    faults = np.bincount(logs[3][1], minlength=n)
    who, when = poisson_visits(rng, (0.3 + 0.05 * faults) / DAYS, window)
    logs.append(("complaint", who, when))
    count = {kind: np.bincount(w, minlength=n) for kind, w, _ in logs}
    cost = (0.05 + 0.03 * count["visit"] + 0.0005 * sites * count["inspection"] + 0.05 * count["training"]
            + 0.02 * count["fault"]) * np.exp(0.1 * rng.standard_normal(n))

    n_teams = max(2, int(np.ceil(n / k["accounts_per_team"])))
    team = rng.permutation(np.arange(n) % n_teams)
    engagement = np.clip(70 + 8 * rng.standard_normal(n_teams), 0, 100)
    turnover = np.clip(0.12 - 0.004 * (engagement - 70) + 0.03 * rng.standard_normal(n_teams), 0, 1)
    base = k["fault_rate"]
    fault_term = (faults / sites / base - 1) if base > 0 else np.zeros(n)
    sat = np.clip(6.5 + k["engagement_effect"] * (engagement[team] - 70) / 10
                  + np.array([TIER_SATISFACTION[t] for t in TIERS])[tier] - 0.8 * np.clip(fault_term, -1, 3)
                  + 0.8 * rng.standard_normal(n), 0, 10)
    sat = np.round(sat, 1)
    p_renew, renewed = logit_draw(rng, RENEWAL["intercept"] + RENEWAL["satisfaction"] * (sat - 6.5))

    ids = np.arange(1, n + 1, dtype=np.int64)
    accounts = pd.DataFrame({
        "account_id": ids,
        "carrier_type": pd.Categorical(seg, categories=[s["name"] for s in SEGMENTS]),
        "region": pd.Categorical(np.asarray(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)],
                                 categories=REGIONS),
        "sites": sites,
        "revenue": revenue,
        "gross_profit": gross,
        "cost_to_serve": cost,
        "planned_capex": planned,
        "contract_tier": pd.Categorical.from_codes(tier, categories=TIERS),
        "service_fee": fee,
        "team_id": (team + 1).astype(np.int64),
        "satisfaction": sat,
        "renewed": np.asarray(renewed, dtype=bool),
    })
    kinds = np.concatenate([np.full(len(w), kind, dtype=object) for kind, w, _ in logs])
    who = np.concatenate([w for _, w, _ in logs])
    when = np.concatenate([t for _, _, t in logs])
    order = np.lexsort((who, when))
    dates = YEAR_START + np.floor(when[order]).astype("timedelta64[D]")
    interactions = pd.DataFrame({
        "interaction_id": np.arange(1, len(order) + 1, dtype=np.int64),
        "account_id": ids[who[order]],
        "date": pd.to_datetime(dates).astype("datetime64[ns]"),
        "kind": pd.Categorical(kinds[order], categories=KINDS),
    })
    teams = pd.DataFrame({"team_id": np.arange(1, n_teams + 1, dtype=np.int64), "engagement": np.round(engagement, 1),
                          "staff_turnover": turnover})
    truth = {
        "fault_ratio": {"basic": 1.0, "silver": k["silver_fault_ratio"], "gold": k["gold_fault_ratio"]},
        "fault_rate_basic": k["fault_rate"],
        "engagement_effect_per_point": k["engagement_effect"] / 10,
        "renewal_coef": dict(RENEWAL),
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "as_of": str(YEAR_START + DAYS),
        "accounts": pd.DataFrame({"segment": seg, "wallet": wallet, "share_of_wallet": sow,
                                  "neglected": neglected, "p_renew": p_renew},
                                 index=pd.Index(ids, name="account_id")),
    }
    return {"accounts": accounts, "interactions": interactions, "teams": teams}, truth
