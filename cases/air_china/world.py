"""World ``air_china``: implementing CRM and managing VIP passengers (synthetic world).

Frequent-flyer members with two years of flying: segments, cabin, ticket revenue, the revenue of tickets
they book for colleagues on a corporate account, and the status card (ordinary, silver, gold, platinum)
earned on last year's segments. In year 2 a random half of each elite tier received a new differentiated
VIP service (a pilot). Planted: each member's true yearly value to the airline, the VIP list it implies,
the defection model and the retention effect of the service in each tier.

Sources: CRM Q&A compilation (source 0), lines 118–121 and 172–176 (the casebook's Air China chapter,
headings only: implement CRM, manage VIP customers) and line 253 (VIP and ordinary customers may share
service procedures, but the service items or their depth should differ, so that limited service
resources go where they earn most). Public record: PhoenixMiles (国航知音 / 凤凰知音) is Air China's
frequent-flyer programme, with ordinary, silver, gold and platinum cards graded on the kilometres or
segments flown in twelve months. All figures - fares, thresholds, costs, rates - are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

TIERS = ("ordinary", "silver", "gold", "platinum")
ELITE = TIERS[1:]
FARE_ECONOMY = 1200.0        # mean economy fare per segment, CNY (synthetic)
PREMIUM_FARE_RATIO = 3.5     # a first or business segment costs this many times an economy one (synthetic)
FARE_SD = 0.2                # log-sd of a member's average fare from year to year
PILOT_SHARE = 0.5            # share of each elite tier given the new VIP service in year 2

# Latent traveller types: size, expected segments per year (`trips`), the share of segments flown in first or
# business class (`premium`), and the expected yearly revenue of tickets booked for colleagues (`arranged`).
SEGMENTS = [
    {"name": "leisure", "share": 0.67,
     "trips": {"dist": "lognormal", "mean": 2.0, "sd": 2.0},
     "premium": {"dist": "uniform", "low": 0.0, "high": 0.08},
     "arranged": {"dist": "uniform", "low": 0.0, "high": 0.0}},
    {"name": "business", "share": 0.28,
     "trips": {"dist": "lognormal", "mean": 14.0, "sd": 18.0},
     "premium": {"dist": "uniform", "low": 0.05, "high": 0.45},
     "arranged": {"dist": "uniform", "low": 0.0, "high": 0.0}},
    {"name": "premium_occasional", "share": 0.03,
     "trips": {"dist": "lognormal", "mean": 3.0, "sd": 2.5},
     "premium": {"dist": "uniform", "low": 0.7, "high": 1.0},
     "arranged": {"dist": "uniform", "low": 0.0, "high": 0.0}},
    {"name": "corporate_arranger", "share": 0.02,
     "trips": {"dist": "lognormal", "mean": 5.0, "sd": 6.0},
     "premium": {"dist": "uniform", "low": 0.05, "high": 0.4},
     "arranged": {"dist": "lognormal", "mean": 45000.0, "sd": 40000.0}},
]
# Defection before year 2 (log-odds): intercept, and per standard deviation of log true value (valuable
# passengers are courted by competitors); the VIP service lowers the log-odds by SERVICE_EFFECT[tier].
DEFECTION = {"intercept": -2.2, "log_value_sd": 0.35}
SERVICE_EFFECT = {"silver": 0.3, "gold": 0.6, "platinum": 0.9}

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 1500}
KNOBS = [
    Knob("n_customers", 40_000, int, "frequent-flyer members", low=200, high=2_000_000, unit="members",
         doc_zh="常旅客计划会员数"),
    Knob("silver_segments", 10, int, "qualifying segments in a year that earn a silver card", low=1, high=400,
         unit="segments", doc_zh="一年内获得银卡所需的定级航段数"),
    Knob("gold_segments", 25, int, "qualifying segments in a year that earn a gold card (more than silver)",
         low=2, high=450, unit="segments", doc_zh="一年内获得金卡所需的定级航段数（须多于银卡）"),
    Knob("platinum_segments", 50, int, "qualifying segments in a year that earn a platinum card (more than gold)",
         low=3, high=500, unit="segments", doc_zh="一年内获得白金卡所需的定级航段数（须多于金卡）"),
    Knob("signal_noise", 0.4, float, "year-to-year swing of a member's travel (log-sd of the yearly factor on "
         "expected segments and arranged revenue): how far one year's signals stray from true value",
         low=0.0, high=1.5, doc_zh="会员出行量的年度波动（期望航段数和代订收入所乘年度因子的对数标准差）："
                                  "一年的信号偏离真实价值的程度"),
    Knob("margin", 0.3, float, "contribution margin on ticket revenue, used to value passengers", low=0.01,
         high=1.0, doc_zh="机票收入的边际贡献率，用于计算旅客价值"),
    Knob("service_cost_silver", 400.0, float, "yearly cost of the VIP service for one silver member",
         low=0.0, high=1_000_000.0, unit="CNY", doc_zh="为一位银卡会员提供VIP服务的年成本"),
    Knob("service_cost_gold", 1000.0, float, "yearly cost of the VIP service for one gold member",
         low=0.0, high=1_000_000.0, unit="CNY", doc_zh="为一位金卡会员提供VIP服务的年成本"),
    Knob("service_cost_platinum", 3000.0, float, "yearly cost of the VIP service for one platinum member",
         low=0.0, high=1_000_000.0, unit="CNY", doc_zh="为一位白金卡会员提供VIP服务的年成本"),
    Knob("vip_share", 0.05, float, "share of members the airline treats as VIPs (the true VIPs are the most "
         "valuable vip_share of members)", low=0.005, high=0.5,
         doc_zh="航空公司作为VIP对待的会员比例（真正的VIP是价值最高的这一比例的会员）"),
]

C = Column
TABLES = [
    Table("members", "One row per frequent-flyer member: two years of flying with the airline, the tickets the "
          "member booked for colleagues, the status card held in each year, and the VIP-service pilot of year 2.", (
              C("member_id", "int64", "member number", doc_zh="会员编号"),
              C("tier_y1", "category", "status card held in year 1 (earned on the year before): ordinary, silver, "
                                       "gold or platinum", doc_zh="第1年持有的会员卡级别（由上一年的飞行取得）：普卡、银卡、金卡或白金卡"),
              C("segments_y1", "int64", "segments flown in year 1", "segments", doc_zh="第1年乘坐的航段数"),
              C("premium_segments_y1", "int64", "of which in first or business class", "segments",
                doc_zh="其中乘坐头等舱或公务舱的航段数"),
              C("revenue_y1", "float64", "ticket revenue of the member's own segments in year 1", "CNY",
                doc_zh="第1年会员本人所乘航段的机票收入"),
              C("arranged_revenue_y1", "float64", "revenue of tickets the member booked for colleagues on a corporate "
                                                  "account in year 1", "CNY",
                doc_zh="第1年会员通过企业账户为同事预订的机票收入"),
              C("tier_y2", "category", "status card held in year 2 (earned on year-1 segments)",
                doc_zh="第2年持有的会员卡级别（由第1年的航段数取得）"),
              C("pilot", "bool", "received the new VIP service in year 2 (a random half of each elite tier)",
                doc_zh="第2年是否获得新的VIP服务（每个精英级别中随机抽取一半）"),
              C("segments_y2", "int64", "segments flown in year 2", "segments", doc_zh="第2年乘坐的航段数"),
              C("premium_segments_y2", "int64", "of which in first or business class", "segments",
                doc_zh="其中乘坐头等舱或公务舱的航段数"),
              C("revenue_y2", "float64", "ticket revenue of the member's own segments in year 2", "CNY",
                doc_zh="第2年会员本人所乘航段的机票收入"),
              C("arranged_revenue_y2", "float64", "revenue of tickets the member booked for colleagues in year 2", "CNY",
                doc_zh="第2年会员为同事预订的机票收入"),
              C("active_y2", "bool", "flew or booked with the airline in year 2", doc_zh="第2年是否仍在本航空公司乘机或订票"),
          ), doc_zh="每位常旅客会员一行：两年在本航空公司的飞行、为同事预订的机票、每年持有的会员卡级别，以及第2年的VIP服务试点。"),
]

DESCRIPTION = """
Members come from four latent traveller types (`truth['segments']`): leisure 67%, business 28%, premium
occasional 3% (few trips, nearly all in first or business class) and corporate arrangers 2% (they book
tickets for colleagues on a corporate account). Each member has expected segments per year (`trips`,
log-normal), a premium propensity (share of segments in first or business) and, for arrangers, an expected
yearly revenue of arranged tickets. The member's **true value** is margin x (expected own ticket revenue +
expected arranged revenue), with expected own revenue = trips x 1,200 CNY x (1 + 2.5 x premium propensity);
the **true VIPs** are the most valuable `vip_share` of members (`truth['members']`).

Each year (years 0, 1 and 2) every expectation is multiplied by a log-normal factor with log-sd
`signal_noise` (mean 1; arranged revenue gets its own factor); segments are Poisson, premium segments
binomial, and revenue = 1,200 x (economy + 3.5 x premium segments) x a log-normal fare factor (sd 0.2).
The card held in year t is earned on the segments of year t - 1 against `silver_segments`,
`gold_segments` and `platinum_segments`; year 0 is not shown.

Before year 2 a member defects (flies and books nothing more) with log-odds -2.2 + 0.35 x (standardised
log true value), lowered by the VIP service: 0.3 (silver), 0.6 (gold), 0.9 (platinum) for the pilot
members, a random half of each elite tier of year 2. `truth['uplift']` gives the mean retention gain of
the service per tier and `truth['value_protected']` the mean of gain x true value; `truth['net_value']`
subtracts the service cost per member (`service_cost_*`). CRM Q&A compilation (source 0), line 253: the
service items or their depth should differ between VIPs and ordinary customers. All figures are synthetic.
"""

DESCRIPTION_ZH = """
会员来自四种潜在的旅客类型（`truth['segments']`）：休闲旅客 67%、商务旅客 28%、偶尔出行的高端旅客 3%（出行很少，
但几乎都坐头等舱或公务舱），以及企业差旅安排人 2%（通过企业账户为同事订票）。每位会员有每年的期望航段数（`trips`，
对数正态分布）、高端舱位倾向（头等舱或公务舱航段所占比例），差旅安排人还有每年代订机票的期望收入。会员的**真实价值**
= margin x（本人期望机票收入 + 期望代订收入），其中本人期望机票收入 = trips x 1,200元 x（1 + 2.5 x 高端舱位倾向）；
**真正的VIP**是价值最高的 `vip_share` 比例的会员（`truth['members']`）。

每一年（第0、1、2年）各项期望值都乘以一个对数标准差为 `signal_noise` 的对数正态因子（均值为1；代订收入有自己的因子）；
航段数服从泊松分布，高端舱位航段服从二项分布，收入 = 1,200 x（经济舱航段 + 3.5 x 高端舱位航段）x 对数正态的票价因子
（标准差0.2）。第t年持有的会员卡由第t-1年的航段数对照 `silver_segments`、`gold_segments` 和 `platinum_segments`
取得；第0年的数据不提供。

第2年开始前，会员以对数几率 -2.2 + 0.35 x（标准化的真实价值对数）流失（此后不再乘机、不再订票）；试点会员
（第2年每个精英级别中随机抽取的一半）获得VIP服务，对数几率相应降低：银卡0.3、金卡0.6、白金卡0.9。
`truth['uplift']` 给出每个级别服务带来的平均保留率增量，`truth['value_protected']` 给出增量 x 真实价值的平均值，
`truth['net_value']` 再减去每位会员的服务成本（`service_cost_*`）。《客户关系管理问答汇编》（资料0）第253行：VIP
与一般客户的服务项目或服务深度应当有所区分。所有数字都是合成的。
"""


def tier_of(segments, silver: int, gold: int, platinum: int) -> np.ndarray:
    """Card index (0 ordinary, 1 silver, 2 gold, 3 platinum) earned by ``segments`` in a year.

    >>> tier_of(np.array([0, 10, 24, 25, 60]), 10, 25, 50).tolist()
    [0, 1, 1, 2, 3]
    """
    s = np.asarray(segments)
    return (s >= silver).astype(np.int64) + (s >= gold) + (s >= platinum)


def _year(rng, trips, premium, arranged, noise):
    """One year of flying: segments, premium segments, own revenue and arranged revenue."""
    n = trips.size
    factor = np.exp(noise * rng.standard_normal(n) - noise ** 2 / 2)
    segments = rng.poisson(trips * factor)
    prem = rng.binomial(segments, premium)
    fare = np.exp(FARE_SD * rng.standard_normal(n) - FARE_SD ** 2 / 2)
    revenue = np.round(FARE_ECONOMY * (segments - prem + PREMIUM_FARE_RATIO * prem) * fare, 0)
    arr_factor = np.exp(noise * rng.standard_normal(n) - noise ** 2 / 2)
    arr = np.round(arranged * arr_factor, 0)
    return segments.astype(np.int64), prem.astype(np.int64), revenue, arr


@register("air_china", title="Air China: identifying VIP passengers, tier migration and differentiated service",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, version="1",
          title_zh="中国国航：识别VIP旅客、会员级别迁移与差异化服务", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    th = (k["silver_segments"], k["gold_segments"], k["platinum_segments"])
    if not th[0] < th[1] < th[2]:
        raise ValueError(f"the tier thresholds must increase: silver_segments={th[0]!r} < gold_segments={th[1]!r} "
                         f"< platinum_segments={th[2]!r}")
    n, noise, margin = k["n_customers"], k["signal_noise"], k["margin"]
    pop = draw_segments(rng, n, SEGMENTS)
    trips = pop["trips"].to_numpy()
    premium = pop["premium"].to_numpy()
    arranged = pop["arranged"].to_numpy()
    own = trips * FARE_ECONOMY * (1 + (PREMIUM_FARE_RATIO - 1) * premium)
    value = margin * (own + arranged)
    n_vip = max(1, round(k["vip_share"] * n))
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-value, kind="stable")] = np.arange(n)
    true_vip = rank < n_vip

    seg0, _, _, _ = _year(rng, trips, premium, arranged, noise)
    seg1, prem1, rev1, arr1 = _year(rng, trips, premium, arranged, noise)
    tier1 = tier_of(seg0, *th)
    tier2 = tier_of(seg1, *th)
    pilot = (tier2 > 0) & (rng.random(n) < PILOT_SHARE)

    logv = np.log(value)
    z = (logv - logv.mean()) / logv.std()
    effect = np.array([0.0, *(SERVICE_EFFECT[t] for t in ELITE)])[tier2]
    eta_unserved = DEFECTION["intercept"] + DEFECTION["log_value_sd"] * z
    p_def_unserved = 1 / (1 + np.exp(-eta_unserved))
    p_def_served = 1 / (1 + np.exp(-(eta_unserved - effect)))
    _, defected = logit_draw(rng, eta_unserved - effect * pilot)
    defected = np.asarray(defected, dtype=bool)

    seg2, prem2, rev2, arr2 = _year(rng, trips, premium, arranged, noise)
    stay = ~defected
    seg2, prem2, rev2, arr2 = seg2 * stay, prem2 * stay, rev2 * stay, arr2 * stay

    cats = pd.CategoricalDtype(list(TIERS), ordered=True)
    members = pd.DataFrame({
        "member_id": np.arange(1, n + 1, dtype=np.int64),
        "tier_y1": pd.Categorical.from_codes(tier1, dtype=cats),
        "segments_y1": seg1,
        "premium_segments_y1": prem1,
        "revenue_y1": rev1.astype(float),
        "arranged_revenue_y1": arr1.astype(float),
        "tier_y2": pd.Categorical.from_codes(tier2, dtype=cats),
        "pilot": pilot.astype(bool),
        "segments_y2": seg2.astype(np.int64),
        "premium_segments_y2": prem2.astype(np.int64),
        "revenue_y2": rev2.astype(float),
        "arranged_revenue_y2": arr2.astype(float),
        "active_y2": (seg2 + arr2) > 0,
    })

    costs = {"silver": k["service_cost_silver"], "gold": k["service_cost_gold"],
             "platinum": k["service_cost_platinum"]}
    gain = p_def_unserved - p_def_served
    uplift, protected, net = {}, {}, {}
    for code, t in enumerate(ELITE, start=1):
        m = tier2 == code
        uplift[t] = float(gain[m].mean()) if m.any() else float("nan")
        protected[t] = float((gain[m] * value[m]).mean()) if m.any() else float("nan")
        net[t] = protected[t] - costs[t]
    expected_tier = tier_of(trips, *th)
    idx = pd.Index(members["member_id"], name="member_id")
    truth = {
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "value_rule": "value = margin x (trips x 1200 x (1 + 2.5 x premium) + expected arranged revenue)",
        "n_vip": int(n_vip),
        "vip_value_cutoff": float(value[true_vip].min()),
        "vip_value_share": float(value[true_vip].sum() / value.sum()),
        "arrangers_among_vips": float((pop["segment"].to_numpy()[true_vip] == "corporate_arranger").mean()),
        "defection_coef": dict(DEFECTION),
        "service_effect": dict(SERVICE_EFFECT),
        "uplift": uplift,
        "value_protected": protected,
        "service_cost": costs,
        "net_value": net,
        "members": pd.DataFrame({
            "segment": pop["segment"].to_numpy(),
            "trips": trips,
            "premium": premium,
            "arranged": arranged,
            "value": value,
            "true_vip": true_vip,
            "expected_tier": pd.Categorical.from_codes(expected_tier, dtype=cats),
            "p_defect_unserved": p_def_unserved,
            "p_defect_served": p_def_served,
            "defected": defected,
        }, index=idx),
    }
    return {"members": members}, truth
