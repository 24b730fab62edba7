"""Starbucks: value innovation (synthetic world).

Regular customers of two coffee chains in one city — "our chain" (a premium, third-place coffee house in
the manner of Starbucks) and a budget rival — answer a value-for-money survey, and the loyalty app counts
their visits over eight weeks. Each customer's usual shop has measured experience levers: the price of a
drink, the wait from queue to cup, an ambience audit score and the sound level. The customer's delivered
value per visit (customer value minus customer cost, in yuan) is planted: ambience adds image and service
value; the price is the money cost, the wait the time cost, the noise the mental (effort) cost. The survey
score is linear in delivered value, and the visit rate log-linear in it, so a regression of the score on the
levers recovers the customers' exchange rates (yuan per minute of waiting, per ambience point, per decibel),
and a Poisson GLM of the visits recovers how the levers move visit frequency.

Sources: CRM article collection (source 3), lines 429–433 (raise the value: product, service, personnel,
image; lower the cost: money, time, mental, physical) and lines 499–515 (lowering money, time and mental
costs); CRM Q&A compilation (source 0), lines 103–106 and 160–163 (casebook chapter titles only); public
record: Starbucks positions its shops as a "third place" between home and work. All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import segment_counts
from crmlab.worlds.mech.sampling import standard_gamma

BRANDS = ("ours", "rival")
LEVERS = ("price", "wait_min", "ambience", "noise_db")
# The budget rival's shops (fixed): price of a drink (yuan), mean wait (minutes), ambience (0-10), sound (dB).
RIVAL = {"price": 20.0, "wait_min": 8.0, "ambience": 5.0, "noise_db": 66.0}
PRODUCT_VALUE = 30.0      # yuan: value of the coffee itself, the same at both chains
AMBIENCE_VALUE = 4.0      # yuan of image/service value per ambience point
NOISE_COST = 0.4          # yuan of mental (effort) cost per dB above a quiet 40 dB
QUIET_DB = 40.0
SCORE_CENTRE, SCORE_REF, YUAN_PER_POINT = 5.0, 10.0, 4.0   # score = 5 + (value - 10) / 4 + noise
BASE_VISITS, WEEKS = 4.0, 8                                 # visits in 8 weeks at a delivered value of 10 yuan
# Improvement options for our chain, costed by its operations team: the lever moved, by how much, and the
# cost per customer visit (yuan).
OPTIONS = [
    ("mobile order and pay", "wait_min", -2.0, 1.2),
    ("extra barista at peak hours", "wait_min", -1.5, 2.0),
    ("acoustic panels", "noise_db", -6.0, 0.8),
    ("store refurbishment", "ambience", 1.0, 2.5),
    ("playlist and lighting", "ambience", 0.2, 0.4),
    ("price cut of 2 yuan", "price", -2.0, 2.0),
]

SNAPSHOT_KNOBS = {"n_customers": 800, "n_stores": 20}
KNOBS = [
    Knob("n_customers", 3000, int, "surveyed regular customers (each a regular of one shop)", low=50,
         high=1_000_000, doc_zh="接受调查的常客人数（每人是某一家门店的常客）"),
    Knob("n_stores", 60, int, "shops in the city, alternately ours and the rival's", low=4, high=10_000,
         doc_zh="城市中的门店数，我方与对手交替编号"),
    Knob("price_premium", 0.5, float, "our chain's price premium over the rival's 20-yuan drink (share)",
         low=0.0, high=3.0, doc_zh="我方饮品相对于对手20元饮品的溢价（比例）"),
    Knob("wait_minutes", 4.0, float, "mean wait from queue to cup in our shops (the rival's: 8 minutes)",
         low=0.5, high=30.0, unit="minutes", doc_zh="我方门店从排队到拿到饮品的平均等待时间（对手为8分钟）"),
    Knob("ambience", 7.5, float, "mean ambience audit score of our shops, 0-10 (the rival's: 5)", low=0.0,
         high=10.0, unit="points", doc_zh="我方门店环境氛围审核的平均得分，0-10分（对手为5分）"),
    Knob("noise_db", 58.0, float, "mean sound level in our shops (the rival's: 66 dB)", low=40.0, high=90.0,
         unit="dB", doc_zh="我方门店的平均噪声水平（对手为66分贝）"),
    Knob("time_value", 1.5, float, "what a minute of waiting costs the customer (time cost)", low=0.0,
         high=20.0, unit="yuan per minute", doc_zh="顾客每等一分钟付出的时间成本"),
    Knob("survey_noise", 1.0, float, "standard deviation of the survey score around its planted mean",
         low=0.0, high=5.0, unit="points", doc_zh="调查得分围绕预设均值的标准差"),
    Knob("visit_sensitivity", 0.3, float, "change in log visit rate per 10 yuan of delivered value", low=0.0,
         high=2.0, doc_zh="顾客让渡价值每增加10元，到店频率对数的变化"),
    Knob("visit_dispersion", 0.5, float, "overdispersion of visit counts (variance = mean + d x mean²; "
         "0 = Poisson)", low=0.0, high=5.0, doc_zh="到店次数的过度离散程度（方差 = 均值 + d × 均值²；0 即泊松）"),
]

C = Column
TABLES = [
    Table("stores", "One row per coffee shop: its chain and the experience levers measured there.", (
        C("store_id", "int64", "shop id", doc_zh="门店编号"),
        C("brand", "category", "chain: ours (premium third place) or rival (budget)",
          doc_zh="所属品牌：ours（我方，高端“第三空间”）或 rival（对手，平价）"),
        C("price", "float64", "list price of a standard drink", "yuan", doc_zh="标准饮品的标价"),
        C("mean_wait_min", "float64", "mean wait from queue to cup", "minutes", doc_zh="从排队到拿到饮品的平均等待时间"),
        C("ambience", "float64", "ambience audit score (seating, light, cleanliness, décor), 0-10", "points",
          doc_zh="环境氛围审核得分（座位、灯光、整洁、装饰），0-10分"),
        C("noise_db", "float64", "mean sound level", "dB", doc_zh="平均噪声水平"),
    ), doc_zh="每家咖啡门店一行：所属品牌，以及在店内测得的各项体验因素。"),
    Table("customers", "One row per surveyed regular: the levers at their usual shop and time of visit, their "
          "value-for-money score and their visits in the last eight weeks (loyalty app).", (
        C("customer_id", "int64", "customer id", doc_zh="顾客编号"),
        C("store_id", "int64", "the customer's usual shop", doc_zh="顾客常去的门店"),
        C("brand", "category", "chain of that shop (ours / rival)", doc_zh="该门店所属品牌（ours / rival）"),
        C("price", "float64", "average price the customer pays per visit", "yuan", doc_zh="顾客每次到店的平均花费"),
        C("wait_min", "float64", "the customer's usual wait at their usual time of day", "minutes",
          doc_zh="顾客在其常去时段通常的等待时间"),
        C("ambience", "float64", "ambience audit score of the shop, 0-10", "points", doc_zh="门店环境氛围审核得分，0-10分"),
        C("noise_db", "float64", "sound level at the customer's usual time of day", "dB",
          doc_zh="顾客常去时段的噪声水平"),
        C("value_score", "float64", "survey: 'a visit is worth what it costs me' (mean of several items, rescaled to centre on "
          "5; mostly between 0 and 10, not truncated)", "points",
          doc_zh="调查：“到店一次物有所值”（多个题项的平均，重新标定为以5为中心；大多在0到10之间，未截断）"),
        C("visits", "int64", "visits to the chain in the last eight weeks", doc_zh="最近八周到该品牌门店的次数"),
    ), doc_zh="每位受访常客一行：其常去门店、常去时段的各项体验因素，物有所值评分，以及会员App记录的最近八周到店次数。"),
    Table("options", "Improvement options for our chain, costed by its operations team.", (
        C("option", "category", "improvement option", doc_zh="改进方案"),
        C("lever", "category", "the customers-table column the option moves", doc_zh="该方案改变的 customers 表中的列"),
        C("change", "float64", "change in that lever (its unit)", doc_zh="该因素的变化量（单位同该列）"),
        C("cost_per_visit", "float64", "cost to the chain per customer visit", "yuan", doc_zh="每次顾客到店摊到的企业成本"),
    ), doc_zh="我方的改进方案，由运营团队核算成本。"),
]

DESCRIPTION = """
Shops alternate between our chain (odd store ids) and the budget rival. The rival's shops are centred on a
20-yuan drink, an 8-minute wait, ambience 5 and 66 dB; ours on 20 x (1 + price_premium) yuan, `wait_minutes`,
`ambience` and `noise_db`. Around those centres each shop varies: price x (1 + N(0, 0.06)), mean wait x
LogNormal(0, 0.25), ambience + N(0, 1) clipped to 0-10, sound + N(0, 4) (at least 40 dB). Customers are
spread evenly over the shops; each pays the shop's price x LogNormal(0, 0.1) (drink choice), waits the shop's
mean x LogNormal(0, 0.3) (time of day) and hears the shop's sound + N(0, 3) dB.

Delivered value per visit (yuan) = customer value - customer cost (CRM article collection (source 3), lines
429–433) = 30 (the coffee itself, equal at both chains) + 4 x ambience (image and service value)
- price (money cost) - `time_value` x wait (time cost) - 0.4 x (noise - 40) (mental cost).
Survey score = 5 + (delivered value - 10) / 4 + N(0, `survey_noise`): an OLS regression of the score on
price, wait, ambience and noise recovers the coefficients in `truth['score_coef']`, and each coefficient
divided by minus the price coefficient is the yuan-equivalent in `truth['yuan_per_unit']`.
Visits in 8 weeks ~ Poisson(mu x G) with G ~ Gamma(mean 1, variance `visit_dispersion`) (a negative
binomial) and log mu = log 4 + `visit_sensitivity` x (delivered value - 10) / 10: a Poisson or
negative-binomial GLM of visits on the four levers recovers `truth['visit_coef']`. The options table
is fixed; `truth['option_value']` gives each option's planted value gained per visit and per yuan of cost.
Per customer, `truth['customers']` holds the planted delivered value and expected visits.
"""

DESCRIPTION_ZH = """
门店在我方（奇数编号）与平价对手之间交替。对手门店的中心值是20元一杯、等待8分钟、环境氛围5分、66分贝；
我方门店的中心值是 20 x (1 + price_premium) 元、`wait_minutes`、`ambience` 和 `noise_db`。每家门店在中心值附近
变动：价格 x (1 + N(0, 0.06))，平均等待 x LogNormal(0, 0.25)，环境氛围 + N(0, 1)（截断在0-10），噪声 + N(0, 4)
（不低于40分贝）。顾客平均分布在各门店；每人的花费 = 门店价格 x LogNormal(0, 0.1)（饮品选择），等待 = 门店平均等待
x LogNormal(0, 0.3)（到店时段），听到的噪声 = 门店噪声 + N(0, 3) 分贝。

每次到店的顾客让渡价值（元）= 顾客总价值 - 顾客总成本（《客户关系管理文章选编》（资料3）第429–433行）
= 30（咖啡本身，两家相同）+ 4 x 环境氛围（形象价值与服务价值）- 价格（货币成本）- `time_value` x 等待时间
（时间成本）- 0.4 x (噪声 - 40)（精神成本）。
调查得分 = 5 + (让渡价值 - 10) / 4 + N(0, `survey_noise`)：把得分对价格、等待、环境氛围和噪声做 OLS 回归，
可还原 `truth['score_coef']` 中的系数；各系数除以价格系数的相反数，就是 `truth['yuan_per_unit']` 中的货币等值。
八周到店次数 ~ Poisson(mu x G)，G ~ Gamma(均值1，方差 `visit_dispersion`)（即负二项分布），
log mu = log 4 + `visit_sensitivity` x (让渡价值 - 10) / 10：把到店次数对四个因素做泊松或负二项 GLM，可还原
`truth['visit_coef']`。改进方案表是固定的；`truth['option_value']` 给出各方案预设的每次到店价值增量及每元成本的价值增量。
`truth['customers']` 逐个顾客给出预设的顾客让渡价值与期望到店次数。
"""


def _yuan_per_unit(time_value: float) -> dict:
    """Planted value of one unit of each lever, in yuan per visit (negative for a cost)."""
    return {"price": -1.0, "wait_min": -time_value, "ambience": AMBIENCE_VALUE, "noise_db": -NOISE_COST}


@register("starbucks", title="Starbucks: value innovation", title_zh="星巴克的价值创新",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    ns, n = k["n_stores"], k["n_customers"]
    ours = np.arange(ns) % 2 == 0                      # store ids 1, 3, 5, ... are ours
    centre = {"price": np.where(ours, RIVAL["price"] * (1 + k["price_premium"]), RIVAL["price"]),
              "wait_min": np.where(ours, k["wait_minutes"], RIVAL["wait_min"]),
              "ambience": np.where(ours, k["ambience"], RIVAL["ambience"]),
              "noise_db": np.where(ours, k["noise_db"], RIVAL["noise_db"])}
    s_price = centre["price"] * (1 + 0.06 * rng.standard_normal(ns))
    s_wait = centre["wait_min"] * np.exp(0.25 * rng.standard_normal(ns))
    s_amb = np.clip(centre["ambience"] + rng.standard_normal(ns), 0.0, 10.0)
    s_noise = np.maximum(QUIET_DB, centre["noise_db"] + 4 * rng.standard_normal(ns))
    brand = pd.Categorical(np.where(ours, "ours", "rival"), categories=BRANDS)
    stores = pd.DataFrame({"store_id": np.arange(1, ns + 1, dtype=np.int64), "brand": brand,
                           "price": s_price, "mean_wait_min": s_wait, "ambience": s_amb, "noise_db": s_noise})

    counts = segment_counts(n, [1.0 / ns] * ns)        # customers spread evenly over the shops
    store = np.repeat(np.arange(ns), counts)
    price = s_price[store] * np.exp(0.1 * rng.standard_normal(n))
    wait = s_wait[store] * np.exp(0.3 * rng.standard_normal(n))
    amb = s_amb[store]
    noise = np.maximum(QUIET_DB, s_noise[store] + 3 * rng.standard_normal(n))
    yuan = _yuan_per_unit(k["time_value"])
    value = PRODUCT_VALUE + yuan["ambience"] * amb
    cost = price + k["time_value"] * wait + NOISE_COST * (noise - QUIET_DB)
    delivered = value - cost
    score = SCORE_CENTRE + (delivered - SCORE_REF) / YUAN_PER_POINT + k["survey_noise"] * rng.standard_normal(n)
    mu = BASE_VISITS * np.exp(k["visit_sensitivity"] * (delivered - SCORE_REF) / 10)
    d = k["visit_dispersion"]
    frailty = standard_gamma(rng, 1 / d, n) * d if d > 0 else np.ones(n)
    visits = rng.poisson(mu * frailty)

    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64), "store_id": store.astype(np.int64) + 1,
        "brand": pd.Categorical(np.asarray(brand)[store], categories=BRANDS),
        "price": price, "wait_min": wait, "ambience": amb, "noise_db": noise,
        "value_score": score, "visits": visits.astype(np.int64)})
    options = pd.DataFrame({"option": pd.Categorical([o[0] for o in OPTIONS], categories=[o[0] for o in OPTIONS]),
                            "lever": pd.Categorical([o[1] for o in OPTIONS], categories=list(LEVERS)),
                            "change": [float(o[2]) for o in OPTIONS], "cost_per_visit": [float(o[3]) for o in OPTIONS]})

    # planted coefficients: score = a + sum b_l x lever; log mu = c + sum g_l x lever
    b = {lever: yuan[lever] / YUAN_PER_POINT for lever in LEVERS}
    b0 = SCORE_CENTRE + (PRODUCT_VALUE - SCORE_REF + NOISE_COST * QUIET_DB) / YUAN_PER_POINT
    g = {lever: k["visit_sensitivity"] * yuan[lever] / 10 for lever in LEVERS}
    g0 = np.log(BASE_VISITS) + k["visit_sensitivity"] * (PRODUCT_VALUE - SCORE_REF + NOISE_COST * QUIET_DB) / 10
    gain = {name: change * yuan[lever] for name, lever, change, _ in OPTIONS}
    is_ours = (customers["brand"] == "ours").to_numpy()
    truth = {
        "score_coef": {"intercept": float(b0), **b},
        "yuan_per_unit": yuan,
        "visit_coef": {"intercept": float(g0), **g},
        "visit_dispersion": d,
        "delivered_value_gap": float(delivered[is_ours].mean() - delivered[~is_ours].mean()),
        "price_premium_paid": float(price[is_ours].mean() / price[~is_ours].mean() - 1),
        "option_value": {name: {"value_per_visit": float(gain[name]), "value_per_yuan": float(gain[name] / c)}
                         for name, _, _, c in OPTIONS},
        "best_option": max(OPTIONS, key=lambda o: gain[o[0]] / o[3])[0],
        "customers": pd.DataFrame({"delivered_value": delivered, "total_value": value, "total_cost": cost,
                                   "expected_visits": mu}, index=pd.Index(customers["customer_id"], name="customer_id")),
    }
    return {"stores": stores, "customers": customers, "options": options}, truth
