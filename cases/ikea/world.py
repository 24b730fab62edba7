"""IKEA: sell the experience as well as the product, sell a life as well as furniture (synthetic world).

A store-visit survey: each surveyed visit has the household type and purpose of the visit, whether the
visitor walked the showroom (the furnished room settings), the basket bought, six experience ratings and
an overall satisfaction index; flat-pack buyers were offered assembly and home delivery at a randomly
varied price. A second table is an in-store test of the "IKEA effect": visitors randomly either assembled a
storage box themselves or inspected a pre-assembled one, and then bid for it.

Planted truth: the importance of each experience driver (its effect on overall satisfaction per rating
point), the showroom's effect on basket size (confounded by visit purpose and household type), the IKEA
effect among those who finish the assembly, the completion rate (falls with assembly difficulty) and the
willingness to pay for the assembly service.

Sources: CRM Q&A compilation (source 0), lines 107–110 and 164–167 (casebook chapter headings only);
public record — IKEA's showroom experience and flat-pack furniture assembled by the customer; the "IKEA
effect", Norton, Mochon & Ariely (2012), "The IKEA effect: When labor leads to love", Journal of Consumer
Psychology 22(3):453-460. All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

DRIVERS = ("showroom", "price_value", "product_range", "staff_help", "checkout", "assembly_ease")
PURPOSES = ("furnish_home", "browse", "specific_item")
HOUSEHOLDS = ("family", "couple", "single")
# Importance of each driver: points of the 0-100 satisfaction index per rating point (1-10 scale).
IMPORTANCE = {"showroom": 3.0, "price_value": 2.5, "product_range": 2.0, "staff_help": 0.8,
              "checkout": 1.2, "assembly_ease": 1.5}
SAT_INTERCEPT, SAT_NOISE, HALO, RATING_NOISE = -10.0, 6.0, 0.8, 1.3
# Latent mean rating of the drivers that no knob moves.
FIXED_MEANS = {"price_value": 7.8, "product_range": 7.2, "staff_help": 5.6, "checkout": 5.8}
# Households (latent segments with observable type) and the purpose of their visit.
SEGMENTS = [
    {"name": "family", "share": 0.40,
     "purpose": {"dist": "categorical", "probs": {"furnish_home": 0.45, "browse": 0.25, "specific_item": 0.30}}},
    {"name": "couple", "share": 0.30,
     "purpose": {"dist": "categorical", "probs": {"furnish_home": 0.35, "browse": 0.35, "specific_item": 0.30}}},
    {"name": "single", "share": 0.30,
     "purpose": {"dist": "categorical", "probs": {"furnish_home": 0.20, "browse": 0.40, "specific_item": 0.40}}},
]
# Who walks the showroom (log-odds) and what they spend (log EUR): by purpose and household.
WALK_LOGIT = {"furnish_home": 1.8, "browse": 0.6, "specific_item": -1.1, "family": 0.5, "couple": 0.2, "single": 0.0}
LOG_BASKET = {"furnish_home": 5.6, "browse": 4.0, "specific_item": 4.6, "family": 0.3, "couple": 0.15, "single": 0.0}
BASKET_SD = 0.6
FLATPACK_P = {"furnish_home": 0.9, "browse": 0.4, "specific_item": 0.6}
# Willingness to pay for assembly + delivery: log-normal, median by household, higher when assembly is hard.
WTP_MEDIAN = 60.0
WTP_HOUSEHOLD = {"family": 0.3, "couple": 0.0, "single": -0.2}
WTP_DIFFICULTY, WTP_SD = 0.8, 0.7
PRICE_GRID = (0.5, 0.75, 1.0, 1.25, 1.5)     # offered prices, as multiples of delivery_price
BOX_VALUE, BOX_SD = 10.0, 0.5                # the box test: median bid (EUR) for a pre-assembled box, log spread

SNAPSHOT_KNOBS = {"n_visits": 600, "n_participants": 200}
KNOBS = [
    Knob("n_visits", 3000, int, "number of surveyed store visits", low=200, high=2_000_000,
         doc_zh="接受调查的到店访问次数"),
    Knob("n_participants", 400, int, "number of visitors in the self-assembly (IKEA effect) test", low=40,
         high=1_000_000, doc_zh="参加自行组装测试（宜家效应）的顾客人数"),
    Knob("showroom_quality", 0.6, float, "quality of the showroom room settings (0 poor, 1 excellent): moves "
         "the showroom rating", low=0.0, high=1.0, doc_zh="样板间布置的质量（0 很差，1 极好）：影响样板间评分"),
    Knob("showroom_lift", 0.2, float, "effect of walking the showroom on the basket, in log points "
         "(0.2 = about 22% more)", low=-0.5, high=1.0, doc_zh="逛样板间对购物金额的影响，以对数点计（0.2 约为多22%）"),
    Knob("assembly_difficulty", 0.5, float, "how hard the flat-pack is to assemble (0 easy, 1 very hard)",
         low=0.0, high=1.0, doc_zh="平板包装家具的组装难度（0 容易，1 很难）"),
    Knob("ikea_effect", 0.6, float, "extra value (share) a customer puts on a piece they assembled "
         "themselves and finished", low=0.0, high=2.0, doc_zh="顾客对自己亲手组装完成的家具额外赋予的价值（比例）"),
    Knob("delivery_price", 49.0, float, "list price of the assembly + home delivery service", low=5.0,
         high=500.0, unit="EUR", doc_zh="组装加送货上门服务的标价"),
]

C = Column
_RATING_ZH = {"showroom": "样板间（展厅）体验", "price_value": "物有所值（价格）", "product_range": "商品品类齐全",
              "staff_help": "店员帮助", "checkout": "结账速度", "assembly_ease": "组装容易程度"}
_RATING_EN = {"showroom": "the showroom (room settings)", "price_value": "value for money",
              "product_range": "the product range", "staff_help": "help from staff",
              "checkout": "speed of checkout", "assembly_ease": "ease of assembly (of the last flat-pack bought)"}
TABLES = [
    Table("visits", "One row per surveyed store visit: who came and why, whether they walked the showroom, what "
          "they spent, six experience ratings, overall satisfaction, and the assembly + delivery offer made "
          "to flat-pack buyers.", (
              C("visit_id", "int64", "visit id", doc_zh="访问编号"),
              C("household", "category", "household type: family (with children), couple, single",
                doc_zh="家庭类型：family 有孩子的家庭、couple 两口之家、single 单身"),
              C("purpose", "category", "purpose of the visit: furnish_home (furnishing a new or redone home), "
                "browse, specific_item (came for one thing)",
                doc_zh="到店目的：furnish_home 布置新家或重新装修、browse 随便逛逛、specific_item 专门买某件东西"),
              C("walked_showroom", "bool", "the visitor walked through the showroom", doc_zh="是否逛了样板间"),
              C("basket_eur", "float64", "amount spent on the visit", "EUR", doc_zh="本次购物金额"),
              *(C(f"rating_{d}", "int64", f"rating of {_RATING_EN[d]}, 1 (very poor) to 10 (excellent)",
                  doc_zh=f"对{_RATING_ZH[d]}的评分，1（很差）到10（极好）") for d in DRIVERS),
              C("overall_satisfaction", "float64", "overall satisfaction index, 0 to 100",
                doc_zh="总体满意度指数，0到100"),
              C("bought_flatpack", "bool", "the visitor bought flat-pack furniture (and was offered assembly "
                "+ delivery)", doc_zh="是否购买了平板包装家具（并被推荐组装加送货服务）"),
              C("service_price", "float64", "price at which assembly + delivery was offered (varied at random; "
                "empty when no flat-pack was bought)", "EUR",
                doc_zh="推荐组装加送货服务时报出的价格（随机变化；未买平板包装家具时为空）"),
              C("took_service", "bool", "the visitor bought the assembly + delivery service (False when not "
                "offered)", doc_zh="是否购买了组装加送货服务（未被推荐时为 False）"),
          ), doc_zh="每次接受调查的到店访问一行：谁来、为什么来、是否逛了样板间、花了多少钱、六项体验评分、"
                    "总体满意度，以及向平板包装家具买家推荐的组装加送货服务。"),
    Table("assembly_test", "One row per visitor in the in-store self-assembly test: randomly asked to assemble a "
          "storage box or to inspect the same box pre-assembled, then asked what they would pay for it.", (
              C("participant_id", "int64", "participant id", doc_zh="参加者编号"),
              C("condition", "category", "build (assembled the box themselves) or prebuilt (inspected it "
                "assembled)", doc_zh="build 自己组装，或 prebuilt 查看已经组装好的同款收纳盒"),
              C("completed", "bool", "finished the assembly (always False in the prebuilt group)",
                doc_zh="是否完成了组装（prebuilt 组一律为 False）"),
              C("minutes", "float64", "minutes spent assembling (0 in the prebuilt group)", "minutes",
                doc_zh="组装所用分钟数（prebuilt 组为0）"),
              C("valuation_eur", "float64", "what the participant would pay for the box", "EUR",
                doc_zh="参加者愿意为这个收纳盒支付的价格"),
          ), doc_zh="店内自行组装测试中每位参加者一行：随机分配去组装一个收纳盒，或查看已经组装好的同款收纳盒，"
                    "然后回答愿意为它付多少钱。"),
]

DESCRIPTION = """
Households are family 40%, couple 30%, single 30%; the purpose of the visit depends on the household
(families come more often to furnish a home). Walking the showroom is logistic in purpose and household
(log-odds: furnish_home 1.8, browse 0.6, specific_item -1.1; family +0.5, couple +0.2). The basket is
log-normal: log basket = purpose (furnish_home 5.6, browse 4.0, specific_item 4.6) + household (family +0.3,
couple +0.15) + `showroom_lift` x walked_showroom + N(0, 0.6). Because the visitors who came to furnish a home
both walk the showroom more and spend more, the raw comparison of walkers with non-walkers overstates the
showroom's effect; a regression of log basket on walked_showroom, purpose and household recovers it
(`truth['showroom_lift']`, in log points; exp(lift) - 1 as a proportion).

Ratings (1-10): latent = mean + 0.8 x halo + N(0, 1.3), rounded and clipped, with one halo factor per
visitor shared by all six drivers (so every rating correlates with every other). Means: showroom 3 + 5 x
`showroom_quality`, value for money 7.8, range 7.2, staff 5.6, checkout 5.8, ease of assembly 7.5 - 3 x
`assembly_difficulty`. Overall satisfaction = -10 + sum of importance x rating + N(0, 6), clipped to 0-100;
importances (points per rating point, `truth['importance']`): showroom 3.0, value for money 2.5, range 2.0,
staff 0.8, checkout 1.2, assembly 1.5. Because of the halo, a driver's simple correlation with satisfaction
says little about its importance; the multiple regression recovers it.

Flat-pack buyers (furnish_home 90%, browse 40%, specific_item 60%) are offered assembly + delivery at a price
drawn at random from 0.5, 0.75, 1, 1.25 and 1.5 x `delivery_price`; each has a log-normal willingness to pay
with median 60 EUR x exp(household effect: family +0.3, single -0.2) x exp(0.8 x (`assembly_difficulty` -
0.5)) and log spread 0.7, and takes the service when it is worth the price. `truth['take_up_at_price']` is
the expected share of the flat-pack buyers who take it at `delivery_price`.

The assembly test assigns half of the participants to build. A builder finishes with probability
0.95 - 0.6 x `assembly_difficulty` (`truth['p_complete']`). Bids are log-normal around 10 EUR (log spread
0.5), multiplied by 1 + `ikea_effect` for those who finished: the IKEA effect lives only among those who
complete the task (Norton, Mochon & Ariely 2012 report that it vanished when participants did not finish),
so the effect of being asked to build is `ikea_effect` x `p_complete` (`truth['intent_to_treat']`).
Per visit, `truth['visits']` holds the probability of walking the showroom, the willingness to pay and the
halo.

Sources: CRM Q&A compilation (source 0), lines 107–110 and 164–167 (casebook headings only); public record:
IKEA's showroom and flat-pack self-assembly; Norton, Mochon & Ariely (2012), Journal of Consumer Psychology
22(3). All figures are synthetic.
"""

DESCRIPTION_ZH = """
家庭类型为 family（有孩子的家庭）40%、couple（两口之家）30%、single（单身）30%；到店目的因家庭类型而异
（有孩子的家庭更常为布置新家而来）。是否逛样板间服从逻辑回归模型，取决于到店目的和家庭类型（对数几率：
furnish_home 1.8、browse 0.6、specific_item -1.1；family +0.5、couple +0.2）。购物金额服从对数正态分布：
log 购物金额 = 到店目的（furnish_home 5.6、browse 4.0、specific_item 4.6）+ 家庭类型（family +0.3、
couple +0.15）+ `showroom_lift` x walked_showroom + N(0, 0.6)。为布置新家而来的顾客既更常逛样板间、
又花得更多，所以直接比较逛与没逛样板间的顾客会高估样板间的作用；把 log 购物金额对 walked_showroom、
到店目的和家庭类型做回归，就能还原它（`truth['showroom_lift']`，以对数点计；比例为 exp(lift) - 1）。

评分（1-10）：潜在值 = 均值 + 0.8 x 光环因子 + N(0, 1.3)，四舍五入并截断到1-10；每位顾客有一个六项驱动因素
共用的光环因子（halo），所以每项评分都和其他各项相关。均值：样板间 3 + 5 x `showroom_quality`、物有所值
7.8、品类 7.2、店员 5.6、结账 5.8、组装容易程度 7.5 - 3 x `assembly_difficulty`。总体满意度 = -10 +
Σ 重要性 x 评分 + N(0, 6)，截断到0-100；重要性（每个评分点带来的满意度点数，`truth['importance']`）：
样板间 3.0、物有所值 2.5、品类 2.0、店员 0.8、结账 1.2、组装 1.5。由于光环效应，单项评分与满意度的简单相关
说明不了它的重要性；多元回归才能还原。

购买平板包装家具的顾客（furnish_home 90%、browse 40%、specific_item 60%）会被推荐组装加送货服务，报价从
`delivery_price` 的 0.5、0.75、1、1.25、1.5 倍中随机抽取；每人的支付意愿服从对数正态分布，中位数为 60 欧元
x exp(家庭类型效应：family +0.3、single -0.2) x exp(0.8 x (`assembly_difficulty` - 0.5))，对数离散度
0.7；支付意愿不低于报价就购买。`truth['take_up_at_price']` 是平板包装家具买家在 `delivery_price` 报价下
购买服务的期望比例。

组装测试把一半参加者分到自己组装组。组装者完成组装的概率为 0.95 - 0.6 x `assembly_difficulty`
（`truth['p_complete']`）。出价服从以10欧元为中心的对数正态分布（对数离散度0.5），完成组装者的出价再乘以
1 + `ikea_effect`：宜家效应只存在于完成了任务的人身上（Norton、Mochon 和 Ariely 2012 年报告，参加者没有完成
组装时效应消失），所以"被要求自己组装"的效应是 `ikea_effect` x `p_complete`（`truth['intent_to_treat']`）。
`truth['visits']` 逐次访问给出逛样板间的概率、支付意愿和光环因子。

资料来源：《客户关系管理问答汇编》（资料0）第107–110行、第164–167行（仅有案例标题）；公开资料：宜家的样板间
和平板包装、顾客自行组装；Norton、Mochon 和 Ariely（2012），Journal of Consumer Psychology 22(3)。
所有数字均为合成数据。
"""


def take_up_share(price: float, households, assembly_difficulty: float) -> float:
    """Expected share of the flat-pack buyers whose willingness to pay is at least ``price``."""
    hh = np.asarray(households, dtype=object)
    mu = (np.log(WTP_MEDIAN) + np.array([WTP_HOUSEHOLD[h] for h in hh], dtype=float)
          + WTP_DIFFICULTY * (assembly_difficulty - 0.5))
    return float(norm.sf((np.log(price) - mu) / WTP_SD).mean()) if hh.size else float("nan")


@register("ikea", title="IKEA: sell the experience, sell a life", title_zh="宜家：卖产品更卖体验，卖家具更卖生活",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_visits"]
    pop = draw_segments(rng, n, SEGMENTS, exact=False)
    household = pop["segment"].astype(str).to_numpy()
    purpose = pop["purpose"].astype(str).to_numpy()
    p_walk, walked = logit_draw(rng, np.array([WALK_LOGIT[p] for p in purpose])
                                + np.array([WALK_LOGIT[h] for h in household]))
    walked = np.asarray(walked, dtype=bool)
    log_basket = (np.array([LOG_BASKET[p] for p in purpose]) + np.array([LOG_BASKET[h] for h in household])
                  + k["showroom_lift"] * walked + BASKET_SD * rng.standard_normal(n))
    basket = np.round(np.exp(log_basket), 2)

    means = {"showroom": 3.0 + 5.0 * k["showroom_quality"], **FIXED_MEANS,
             "assembly_ease": 7.5 - 3.0 * k["assembly_difficulty"]}
    halo = rng.standard_normal(n)
    ratings = {d: np.clip(np.round(means[d] + HALO * halo + RATING_NOISE * rng.standard_normal(n)), 1, 10).astype(np.int64)
               for d in DRIVERS}
    overall = SAT_INTERCEPT + sum(IMPORTANCE[d] * ratings[d] for d in DRIVERS) + SAT_NOISE * rng.standard_normal(n)
    overall = np.round(np.clip(overall, 0.0, 100.0), 1)

    flatpack = rng.random(n) < np.array([FLATPACK_P[p] for p in purpose])
    offered = np.round(k["delivery_price"] * np.asarray(PRICE_GRID)[rng.integers(0, len(PRICE_GRID), n)], 0)
    offered = np.maximum(offered, 1.0)
    wtp = np.exp(np.log(WTP_MEDIAN) + np.array([WTP_HOUSEHOLD[h] for h in household])
                 + WTP_DIFFICULTY * (k["assembly_difficulty"] - 0.5) + WTP_SD * rng.standard_normal(n))
    took = flatpack & (wtp >= offered)

    visits = pd.DataFrame({
        "visit_id": np.arange(1, n + 1, dtype=np.int64),
        "household": pd.Categorical(household, categories=HOUSEHOLDS),
        "purpose": pd.Categorical(purpose, categories=PURPOSES),
        "walked_showroom": walked,
        "basket_eur": basket,
        **{f"rating_{d}": ratings[d] for d in DRIVERS},
        "overall_satisfaction": overall,
        "bought_flatpack": flatpack,
        "service_price": np.where(flatpack, offered, np.nan),
        "took_service": took,
    })

    m = k["n_participants"]
    build_arm = rng.permutation(np.arange(m) < m // 2)
    p_complete = 0.95 - 0.6 * k["assembly_difficulty"]
    completed = build_arm & (rng.random(m) < p_complete)
    minutes = np.where(build_arm, np.round(np.exp(np.log(12 + 20 * k["assembly_difficulty"])
                                                  + 0.3 * rng.standard_normal(m)), 1), 0.0)
    valuation = np.round(BOX_VALUE * np.exp(BOX_SD * rng.standard_normal(m)) * np.where(completed, 1 + k["ikea_effect"], 1.0), 2)
    test = pd.DataFrame({
        "participant_id": np.arange(1, m + 1, dtype=np.int64),
        "condition": pd.Categorical(np.where(build_arm, "build", "prebuilt"), categories=("build", "prebuilt")),
        "completed": completed,
        "minutes": minutes,
        "valuation_eur": valuation,
    })

    truth = {
        "importance": dict(IMPORTANCE),
        "satisfaction_intercept": SAT_INTERCEPT,
        "rating_means": means,
        "showroom_lift": float(k["showroom_lift"]),
        "showroom_lift_pct": float(np.expm1(k["showroom_lift"])),
        "walk_logit": dict(WALK_LOGIT),
        "log_basket": dict(LOG_BASKET),
        "ikea_effect": float(k["ikea_effect"]),
        "p_complete": float(p_complete),
        "intent_to_treat": float(k["ikea_effect"] * p_complete),
        "take_up_at_price": take_up_share(k["delivery_price"], household[flatpack], k["assembly_difficulty"]),
        "wtp": {"median": WTP_MEDIAN, "household": dict(WTP_HOUSEHOLD), "difficulty": WTP_DIFFICULTY,
                "log_sd": WTP_SD},
        "visits": pd.DataFrame({"p_walk": p_walk, "wtp": wtp, "halo": halo},
                               index=pd.Index(visits["visit_id"], name="visit_id")),
    }
    return {"visits": visits, "assembly_test": test}, truth
