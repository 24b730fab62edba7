"""A mobile operator: the six uses of analytical CRM on one synthetic subscriber base.

Subscribers from four latent usage segments, with plan, usage, ARPU, tenure, complaints and product
holdings (planted co-holding rules for cross-selling); churn from a planted logistic model; a randomised
retention campaign whose effect differs by segment; and a list of prospects with a planted acquisition
response model. One world covers profitability, acquisition, cross-selling, retention, segmentation and
campaign evaluation.

Source: Analytical CRM course pack (source 1), lines 12–19 (Hu Shaodong, "Analytical CRM in the mobile telephone
industry": only the abstract survives, naming the six uses). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.baskets import PlantedRule, baskets_long, draw_baskets, expected_rules
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

PLANS = ("prepaid", "postpaid_basic", "postpaid_premium")
PLAN_FEE = {"prepaid": 0.0, "postpaid_basic": 38.0, "postpaid_premium": 88.0}   # CNY per month


def _seg(name, share, age, voice, sms, data, tenure, complaints, plans):
    return {"name": name, "share": share,
            "age": {"dist": "normal", "mean": age[0], "sd": age[1], "low": 16, "high": 90, "decimals": 0,
                    "dtype": "int"},
            "voice_min": {"dist": "lognormal", "mean": voice, "sd": 0.5 * voice},
            "sms": {"dist": "lognormal", "mean": sms, "sd": 0.5 * sms},
            "data_gb": {"dist": "lognormal", "mean": data, "sd": 0.5 * data},
            "tenure_months": {"dist": "lognormal", "mean": tenure, "sd": 0.6 * tenure},
            "complaints_12m": {"dist": "poisson", "mean": complaints, "dtype": "int"},
            "plan": {"dist": "categorical", "probs": dict(zip(PLANS, plans))}}


SEGMENTS = [
    _seg("data_youth", 0.30, (24, 4), 150, 60, 12.0, 18, 0.4, (0.50, 0.35, 0.15)),
    _seg("business_voice", 0.20, (41, 8), 900, 30, 5.0, 60, 0.7, (0.05, 0.35, 0.60)),
    _seg("family", 0.30, (38, 6), 350, 120, 3.0, 48, 0.5, (0.20, 0.60, 0.20)),
    _seg("light_senior", 0.20, (64, 7), 110, 8, 0.3, 84, 0.2, (0.60, 0.35, 0.05)),
]
SEGMENT_NAMES = tuple(s["name"] for s in SEGMENTS)

PRODUCTS = ("data_pack", "music", "family_share", "home_broadband", "roaming", "device_insurance",
            "cloud_storage", "video")
# Background holding probability of each product, by segment (rows in SEGMENT_NAMES order).
HOLDING_PROBS = np.array([
    [0.05, 0.10, 0.02, 0.05, 0.03, 0.04, 0.30, 0.45],
    [0.05, 0.05, 0.02, 0.08, 0.10, 0.05, 0.35, 0.10],
    [0.03, 0.05, 0.05, 0.10, 0.03, 0.05, 0.15, 0.30],
    [0.01, 0.02, 0.03, 0.05, 0.01, 0.03, 0.05, 0.05],
])
CROSS_SELL_RULES = (
    PlantedRule(("data_pack",), ("music",), 0.25, 0.60),
    PlantedRule(("family_share",), ("home_broadband",), 0.20, 0.55),
    PlantedRule(("roaming",), ("device_insurance",), 0.15, 0.45),
)
# Churn in the next six months (log-odds) for subscribers not treated by the campaign.
CHURN_COEF = {"intercept": -0.6, "tenure_years": -0.25, "complaints_12m": 0.45, "prepaid": 0.8,
              "arpu_100": -0.6, "n_products": -0.35}
# Effect of the retention offer on the log-odds of churn, by segment (negative = fewer churn).
UPLIFT_TAU = {"data_youth": -0.9, "business_voice": -0.2, "family": -0.5, "light_senior": 0.0}
CHANNELS = ("sms", "telemarketing", "direct_mail", "online_ad")
OFFERS = ("none", "handset_subsidy", "double_data")
ACQUISITION_COEF = {"intercept": -3.2, "channel": {"sms": 0.0, "telemarketing": 0.9, "direct_mail": 0.3,
                                                   "online_ad": 0.5},
                    "offer": {"none": 0.0, "handset_subsidy": 0.8, "double_data": 0.5},
                    "age_10y": -0.15, "contract_ended": 1.0}

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 1000, "n_prospects": 500}
KNOBS = [
    Knob("n_customers", 5000, int, "number of subscribers", low=50, high=5_000_000, doc_zh="用户数"),
    Knob("n_prospects", 3000, int, "number of prospects contacted by the acquisition campaign", low=0,
         high=5_000_000, doc_zh="获客活动联系的潜在客户数"),
    Knob("campaign_share", 0.5, float, "share of subscribers enrolled in the retention experiment (half "
         "of them, at random, get the offer)", low=0.0, high=1.0,
         doc_zh="参加客户保持实验的用户占比（其中随机一半获得挽留优惠）"),
    Knob("uplift_scale", 1.0, float, "multiplies every segment's planted campaign effect (0 = no effect)",
         low=0.0, high=3.0, doc_zh="各细分群体预设活动效应的倍数（0 = 没有效应）"),
]

C = Column
TABLES = [
    Table("subscribers", "One row per subscriber: plan, monthly usage and ARPU, tenure, complaints, number "
          "of products held, retention-campaign group and churn in the following six months.",
          doc_zh="每个用户一行：套餐、每月使用量与ARPU、入网时长、投诉、持有增值产品数、客户保持实验分组，"
                 "以及此后六个月内是否流失。", columns=(
              C("customer_id", "int64", "subscriber id", doc_zh="用户编号"),
              C("age", "int64", "age", "years", doc_zh="年龄"),
              C("plan", "category", "tariff plan", doc_zh="资费套餐"),
              C("tenure_months", "int64", "months since joining", "months", doc_zh="入网月数"),
              C("voice_min", "float64", "voice minutes per month", "minutes", doc_zh="每月通话分钟数"),
              C("sms", "float64", "text messages per month", doc_zh="每月短信条数"),
              C("data_gb", "float64", "mobile data per month", "GB", doc_zh="每月移动数据流量"),
              C("arpu", "float64", "average revenue per user per month", "CNY",
                doc_zh="每用户每月平均收入（ARPU）"),
              C("complaints_12m", "int64", "complaints in the last 12 months", doc_zh="过去12个月的投诉次数"),
              C("n_products", "int64", "add-on products held, at least one (see table holdings)",
                doc_zh="持有的增值产品数，至少一个（见表 holdings）"),
              C("campaign_group", "category", "retention experiment: none (not enrolled), control or "
                                              "treatment (received the retention offer)",
                doc_zh="客户保持实验分组：none（未参加）、control（对照组）或 treatment（处理组，收到挽留优惠）"),
              C("churned", "bool", "left within six months", doc_zh="六个月内是否离网"),
          )),
    Table("holdings", "One row per (subscriber, add-on product held): the 'baskets' for cross-selling rules.",
          doc_zh="每个（用户，所持增值产品）一行：挖掘交叉销售关联规则用的“购物篮”。", columns=(
        C("customer_id", "int64", "subscriber id", doc_zh="用户编号"),
        C("product", "category", "add-on product", doc_zh="增值产品"),
    )),
    Table("prospects", "One row per prospect contacted by the acquisition campaign.",
          doc_zh="获客活动联系过的每个潜在客户一行。", columns=(
        C("prospect_id", "int64", "prospect id", doc_zh="潜在客户编号"),
        C("age", "int64", "age", "years", doc_zh="年龄"),
        C("channel", "category", "contact channel", doc_zh="联系渠道"),
        C("offer", "category", "offer made", doc_zh="给出的优惠"),
        C("contract_ended", "bool", "the prospect's contract with a competitor has ended",
          doc_zh="该潜在客户与竞争对手的合约已到期"),
        C("responded", "bool", "the prospect signed up", doc_zh="该潜在客户已签约入网"),
    )),
]

DESCRIPTION = f"""
Subscribers belong to four latent usage segments (data_youth 30%, business_voice 20%, family 30%,
light_senior 20%); age is normal and voice minutes, texts, data, tenure log-normal (spread half the
mean) with segment-specific means, so clustering log usage and age recovers the segments. Plan is
drawn by segment. ARPU = plan fee ({PLAN_FEE}) + 0.08 x voice_min + 0.05 x sms + 3 x data_gb, times
LogNormal(0, 0.1). Monthly cost to serve = 0.03 x voice_min + 0.01 x sms + 1.2 x data_gb + 15 x
complaints_12m / 12 + 5; margin = arpu - cost (column `margin` of `truth['subscribers']`).

Add-on holdings are baskets (crmlab.worlds.mech.baskets) with segment-specific background rates and
three planted rules (`truth['cross_sell_rules']`, support, confidence and lift in closed form). Every
subscriber holds at least one add-on (a subscriber whose draw came out empty gets one add-on that
belongs to no rule, which leaves the rules unchanged).

Churn within six months, without the campaign: logit P = {CHURN_COEF} applied to tenure in years,
complaints, prepaid (0/1), ARPU / 100 and number of products (`truth['churn_coef']`; each
subscriber's probability is column `churn_propensity` of `truth['subscribers']`). A share
`campaign_share` of subscribers is enrolled at random and half of them, at random, get the retention
offer, which adds uplift_scale x {UPLIFT_TAU} (by segment) to the log-odds. Column `uplift` of
`truth['subscribers']` is each subscriber's drop in churn probability had they been treated;
`truth['uplift_by_segment']` its mean per segment.

Prospects: age ~ N(35, 12), channel and offer assigned at random, contract_ended with probability 0.3;
sign-up is logistic with `truth['acquisition_coef']` (age per 10 years from 35); each prospect's
probability is in `truth['prospects']`.
"""

DESCRIPTION_ZH = f"""
用户分属四个潜在的使用行为群体（data_youth 30%、business_voice 20%、family 30%、light_senior 20%）；年龄服从正态分布，通话分钟、短信、流量和入网时长服从对数正态分布（标准差为均值的一半），各群体均值不同，因此对取对数后的使用量和年龄做聚类即可还原这些群体。套餐按群体抽取。ARPU = 套餐月费（{PLAN_FEE}）+ 0.08 x voice_min + 0.05 x sms + 3 x data_gb，再乘以 LogNormal(0, 0.1)。每月服务成本 = 0.03 x voice_min + 0.01 x sms + 1.2 x data_gb + 15 x complaints_12m / 12 + 5；毛利 = arpu - 成本（`truth['subscribers']` 的 `margin` 列）。

增值产品的持有情况按“购物篮”生成（crmlab.worlds.mech.baskets）：各群体有各自的基础持有率，另有三条预设规则（`truth['cross_sell_rules']`，其支持度、置信度和提升度有解析解）。每个用户至少持有一个增值产品（抽样结果为空的用户会得到一个不属于任何规则的产品，规则因此不受影响）。

不参加活动时，六个月内的流失概率：logit P = {CHURN_COEF}，自变量依次为以年计的入网时长、投诉次数、是否预付费（0/1）、ARPU / 100 和持有产品数（`truth['churn_coef']`；每个用户的流失概率是`truth['subscribers']` 的 `churn_propensity` 列）。按 `campaign_share` 的比例随机抽取用户参加实验，其中随机一半收到挽留优惠，优惠使流失的对数几率增加 uplift_scale x {UPLIFT_TAU}（按群体）。`truth['subscribers']` 的 `uplift` 列是每个用户若收到优惠时流失概率的下降幅度，`truth['uplift_by_segment']` 是它在各群体内的均值。

潜在客户：年龄 ~ N(35, 12)，联系渠道和优惠随机分配，与竞争对手合约到期的概率为 0.3；是否签约服从逻辑回归模型，系数为 `truth['acquisition_coef']`（年龄按相对35岁每10岁计）；每个潜在客户的签约概率在 `truth['prospects']` 中。
"""


@register("mobile_operator", title="A mobile operator: six uses of analytical CRM", description=DESCRIPTION,
          knobs=KNOBS, tables=TABLES, title_zh="移动运营商：分析型客户关系管理的六种应用",
          description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    pop = draw_segments(rng, n, SEGMENTS)
    seg = pop["segment"].cat.codes.to_numpy()
    plan_cat = pop["plan"].cat.set_categories(PLANS)
    plan = plan_cat.cat.codes.to_numpy()
    prepaid = plan == PLANS.index("prepaid")
    voice, sms, data = (pop[c].to_numpy() for c in ("voice_min", "sms", "data_gb"))
    complaints = pop["complaints_12m"].to_numpy()
    tenure = np.maximum(1, np.round(pop["tenure_months"].to_numpy())).astype(np.int64)
    arpu = ((np.array([PLAN_FEE[p] for p in PLANS])[plan] + 0.08 * voice + 0.05 * sms + 3.0 * data)
            * np.exp(0.1 * rng.standard_normal(n)))
    margin = arpu - (0.03 * voice + 0.01 * sms + 1.2 * data + 15.0 * complaints / 12 + 5.0)

    held = draw_baskets(rng, HOLDING_PROBS[seg], items=PRODUCTS, rules=CROSS_SELL_RULES)
    n_products = held.sum(axis=1).astype(np.int64)

    b = CHURN_COEF
    eta0 = (b["intercept"] + b["tenure_years"] * tenure / 12 + b["complaints_12m"] * complaints
            + b["prepaid"] * prepaid + b["arpu_100"] * arpu / 100 + b["n_products"] * n_products)
    tau = k["uplift_scale"] * np.array([UPLIFT_TAU[s] for s in SEGMENT_NAMES])[seg]
    enrolled = rng.random(n) < k["campaign_share"]
    treated = enrolled & (rng.random(n) < 0.5)
    p0, p1 = expit(eta0), expit(eta0 + tau)
    _, churned = logit_draw(rng, eta0 + tau * treated)
    group = np.where(treated, "treatment", np.where(enrolled, "control", "none"))

    ids = np.arange(1, n + 1, dtype=np.int64)
    subscribers = pd.DataFrame({
        "customer_id": ids,
        "age": pop["age"].to_numpy(),
        "plan": plan_cat,
        "tenure_months": tenure,
        "voice_min": voice.round(1),
        "sms": np.round(sms),
        "data_gb": data.round(2),
        "arpu": arpu.round(2),
        "complaints_12m": complaints.astype(np.int64),
        "n_products": n_products,
        "campaign_group": pd.Categorical(group, categories=("none", "control", "treatment")),
        "churned": churned.astype(bool),
    })
    long = baskets_long(held, PRODUCTS, basket_ids=ids)
    holdings = long.rename(columns={"basket_id": "customer_id", "item": "product"})

    m = k["n_prospects"]
    age = np.clip(np.round(rng.normal(35, 12, m)), 18, 85).astype(np.int64)
    ch = rng.integers(0, len(CHANNELS), m)
    of = rng.integers(0, len(OFFERS), m)
    ended = rng.random(m) < 0.3
    a = ACQUISITION_COEF
    p_acq, resp = logit_draw(rng, a["intercept"] + np.array([a["channel"][c] for c in CHANNELS])[ch]
                             + np.array([a["offer"][o] for o in OFFERS])[of]
                             + a["age_10y"] * (age - 35) / 10 + a["contract_ended"] * ended)
    prospects = pd.DataFrame({
        "prospect_id": np.arange(1, m + 1, dtype=np.int64),
        "age": age,
        "channel": pd.Categorical.from_codes(ch, categories=CHANNELS),
        "offer": pd.Categorical.from_codes(of, categories=OFFERS),
        "contract_ended": ended,
        "responded": resp.astype(bool),
    })

    idx = pd.Index(subscribers["customer_id"], name="customer_id")
    uplift = p0 - p1
    truth = {
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "churn_coef": dict(CHURN_COEF),
        "churn_features": "tenure_years = tenure_months / 12, complaints_12m, prepaid = plan == 'prepaid', "
                          "arpu_100 = arpu / 100, n_products",
        "uplift_tau": {s: k["uplift_scale"] * t for s, t in UPLIFT_TAU.items()},
        "uplift_by_segment": {s: float(uplift[seg == j].mean()) if (seg == j).any() else 0.0
                              for j, s in enumerate(SEGMENT_NAMES)},
        "cross_sell_rules": expected_rules(HOLDING_PROBS[seg], items=PRODUCTS, rules=CROSS_SELL_RULES),
        "acquisition_coef": {key: (dict(v) if isinstance(v, dict) else v) for key, v in a.items()},
        "prospects": pd.DataFrame({"acquisition_propensity": p_acq},
                                  index=pd.Index(prospects["prospect_id"], name="prospect_id")),
        "subscribers": pd.DataFrame({"segment": pop["segment"].to_numpy(), "churn_propensity": p0,
                                     "uplift": uplift, "margin": margin}, index=idx),
    }
    return {"subscribers": subscribers, "holdings": holdings, "prospects": prospects}, truth
