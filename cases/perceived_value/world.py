"""Raising perceived value: a choice experiment on a home computer (synthetic world).

A computer maker ("ours") sells a home PC against an established rival brand and a cheap newcomer. To learn
what each of the four values and four costs of customer delivered value is worth to its customers, it runs a
choice experiment (conjoint): each respondent sees several choice tasks of three offers — one per brand — whose
attributes are drawn at random, and picks one. Each attribute stands for one value or cost: build to order
(product value, Dell's example), the warranty (service value), a certified advisor (personnel value), the brand
(image value), the price (money cost), the delivery time (time cost), a same-month price guarantee (removes a
mental cost) and free delivery and installation (removes a physical cost). Choices follow a conditional
(multinomial) logit whose part-worths are planted as willingness to pay in yuan, so a conditional logit on the
choices recovers them and the ratio part-worth / price coefficient recovers the willingness to pay.

Sources: CRM article collection (source 3), lines 429–433 (raise perceived value by product, service, personnel
and image value; lower money, time, mental and physical cost), 447–449 (Dell builds to order), 505–507
(McDonald's takes orders in the queue: time cost), 509–513 (a car maker's same-month price guarantee: mental
cost), 519–523 (delivery and installation of bulky goods: physical cost). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register

BRANDS = ("ours", "rival", "newcomer")
COMPONENTS = ("product", "service", "personnel", "image", "money", "time", "mental", "physical")
# The coded attributes of an offer, in the order of the truth's part-worths (price in thousands of yuan).
ATTRIBUTES = ("brand_ours", "brand_rival", "build_to_order", "warranty_years", "advisor", "price_k",
              "delivery_days", "price_guarantee", "delivery_install")
# Fixed willingness to pay (yuan) of the attributes that are not knobs: the brands' image against the
# newcomer, each year of warranty, a certified advisor.
WTP_BRAND = {"ours": 200.0, "rival": 500.0, "newcomer": 0.0}
WTP_WARRANTY_YEAR = 150.0
WTP_ADVISOR = 120.0
# The experimental design: levels each attribute takes, drawn independently for every offer shown.
DESIGN = {"build_to_order": (False, True), "warranty_years": (1, 2, 3), "advisor": (False, True),
          "price": (4000.0, 4500.0, 5000.0, 5500.0, 6000.0), "delivery_days": (2, 5, 10, 15),
          "price_guarantee": (False, True), "delivery_install": (False, True)}
# Today's offers on the market (ours at the knob our_price).
MARKET = {"ours": {"build_to_order": False, "warranty_years": 1, "advisor": False, "price": None,
                   "delivery_days": 7, "price_guarantee": False, "delivery_install": False},
          "rival": {"build_to_order": False, "warranty_years": 2, "advisor": True, "price": 5600.0,
                    "delivery_days": 3, "price_guarantee": False, "delivery_install": True},
          "newcomer": {"build_to_order": True, "warranty_years": 1, "advisor": False, "price": 4800.0,
                       "delivery_days": 10, "price_guarantee": True, "delivery_install": False}}
# Improvements our firm can make to its offer: lever, component, attribute moved, change, cost per unit sold
# (yuan; None = the knob cost_delivery_install; a price cut costs what it gives away), extra delivery days.
LEVERS = [
    ("build to order", "product", "build_to_order", 1.0, 250.0, None),
    ("second warranty year", "service", "warranty_years", 1.0, 90.0, 0),
    ("certified advisor", "personnel", "advisor", 1.0, 80.0, 0),
    ("price cut of 200 yuan", "money", "price", -200.0, 200.0, 0),
    ("delivery 4 days faster", "time", "delivery_days", -4.0, 60.0, 0),
    ("same-month price guarantee", "mental", "price_guarantee", 1.0, 40.0, 0),
    ("free delivery and installation", "physical", "delivery_install", 1.0, None, 0),
]

SNAPSHOT_KNOBS = {"n_respondents": 120}
KNOBS = [
    Knob("n_respondents", 300, int, "respondents of the choice experiment", low=20, high=200_000,
         doc_zh="参加选择实验的受访者人数"),
    Knob("n_tasks", 8, int, "choice tasks per respondent (three offers each)", low=1, high=30,
         doc_zh="每位受访者完成的选择任务数（每个任务三个方案）"),
    Knob("price_sensitivity", 1.5, float, "utility lost per 1,000 yuan of price (the scale of all part-worths)",
         low=0.1, high=10.0, unit="utility per 1000 yuan", doc_zh="价格每高1000元损失的效用（所有成分效用的尺度）"),
    Knob("wtp_build_to_order", 400.0, float, "willingness to pay for a PC built to the customer's order "
         "(product value, Dell's example)", low=0.0, high=3000.0, unit="yuan",
         doc_zh="顾客为按订单定制的电脑愿意多付的钱（产品价值，戴尔的例子）"),
    Knob("wtp_price_guarantee", 250.0, float, "willingness to pay for a same-month price guarantee (the mental "
         "cost it removes)", low=0.0, high=3000.0, unit="yuan",
         doc_zh="顾客为“当月保价”承诺愿意多付的钱（它消除的精神成本）"),
    Knob("wtp_delivery_install", 300.0, float, "willingness to pay for free delivery and installation (the "
         "physical cost it removes)", low=0.0, high=3000.0, unit="yuan",
         doc_zh="顾客为免费送货上门并安装愿意多付的钱（它消除的体力成本）"),
    Knob("time_cost_per_day", 30.0, float, "what a day of waiting for delivery costs the customer (time cost)",
         low=0.0, high=500.0, unit="yuan per day", doc_zh="顾客每多等一天送货所付出的时间成本"),
    Knob("our_price", 5000.0, float, "price of our current offer", low=3000.0, high=8000.0, unit="yuan",
         doc_zh="我方现有方案的售价"),
    Knob("cost_delivery_install", 120.0, float, "our cost of free delivery and installation per unit sold",
         low=0.0, high=3000.0, unit="yuan", doc_zh="我方每卖出一台提供免费送货安装的成本"),
    Knob("bto_extra_days", 5, int, "days that building to order adds to delivery", low=0, high=30, unit="days",
         doc_zh="按订单生产使交货推迟的天数"),
]

C = Column
_OFFER = (
    C("brand", "category", "brand of the offer: ours, rival (established) or newcomer",
      doc_zh="方案的品牌：ours（我方）、rival（老牌对手）或 newcomer（新进入者）"),
    C("build_to_order", "bool", "configured and built to the customer's order", doc_zh="是否按顾客订单配置和生产"),
    C("warranty_years", "int64", "length of the warranty", "years", doc_zh="保修期"),
    C("advisor", "bool", "a certified advisor helps the customer choose and set up", doc_zh="是否有认证顾问帮助顾客选购和设置"),
    C("price", "float64", "price", "yuan", doc_zh="价格"),
    C("delivery_days", "int64", "days from order to delivery", "days", doc_zh="从下单到送达的天数"),
    C("price_guarantee", "bool", "same-month price guarantee (refund if the price falls within the month)",
      doc_zh="是否当月保价（当月降价则退差价）"),
    C("delivery_install", "bool", "free delivery to the home and installation", doc_zh="是否免费送货上门并安装"),
)
TABLES = [
    Table("choices", "The choice experiment, one row per offer shown: respondent, task, the offer's attributes "
          "and whether the respondent chose it (exactly one offer per task).", (
              C("respondent_id", "int64", "respondent id", doc_zh="受访者编号"),
              C("task", "int64", "choice task of the respondent (1, 2, ...)", doc_zh="该受访者的第几个选择任务"),
              C("alternative", "int64", "position of the offer in the task (1-3)", doc_zh="方案在任务中的位置（1-3）"),
              *_OFFER,
              C("chosen", "bool", "the respondent chose this offer", doc_zh="受访者是否选中该方案"),
          ), doc_zh="选择实验，每个展示过的方案一行：受访者、任务、方案的属性，以及受访者是否选了它"
                    "（每个任务恰好选一个）。"),
    Table("market", "Today's three offers on the market, one row per brand.", _OFFER,
          doc_zh="目前市场上的三个方案，每个品牌一行。"),
    Table("levers", "Improvements our firm can make to its offer, one row per lever: the value or cost it works "
          "on, the attribute it moves and by how much, and what it costs us per unit sold.", (
              C("lever", "category", "the improvement", doc_zh="改进措施"),
              C("component", "category", "value or cost component it works on (product, service, personnel, "
                "image, money, time, mental, physical)",
                doc_zh="它作用的价值或成本项（产品、服务、人员、形象、货币、时间、精神、体力）"),
              C("attribute", "category", "column of the offer it changes", doc_zh="它改变的方案属性列"),
              C("change", "float64", "change in that attribute (1 = add the feature; yuan for the price; days for "
                "the delivery time)", doc_zh="该属性的变化量（1 = 增加该项；价格以元计；交货时间以天计）"),
              C("cost_per_unit", "float64", "our cost per unit sold", "yuan", doc_zh="我方每卖出一台的成本"),
              C("extra_delivery_days", "int64", "days the lever adds to delivery", "days",
                doc_zh="该措施使交货推迟的天数"),
          ), doc_zh="我方可以对自己的方案做的改进，每项措施一行：它作用的价值或成本项、改变哪个属性、改变多少，"
                    "以及每卖出一台我方要花多少钱。"),
]

DESCRIPTION = """
Each task shows three offers, one per brand in random order; every other attribute is drawn independently and
uniformly from its levels (build to order no/yes; warranty 1-3 years; advisor no/yes; price 4,000-6,000 yuan
in steps of 500; delivery 2, 5, 10 or 15 days; price guarantee no/yes; delivery and installation no/yes).
The respondent picks the offer of highest utility U = V + Gumbel noise (a conditional logit), with

V = (price_sensitivity / 1000) x (WTP-weighted features - price), where the features are worth (yuan):
image 200 for our brand and 500 for the rival's (against the newcomer), 150 per warranty year, 120 for an
advisor, `wtp_build_to_order`, `wtp_price_guarantee`, `wtp_delivery_install`, and minus `time_cost_per_day` per
day of delivery. The part-worth of a feature is price_sensitivity x WTP / 1000 per unit; the price coefficient,
in thousands of yuan, is -price_sensitivity. So WTP = -part-worth / price coefficient (x 1000 yuan).

Delivered value of an offer (yuan) = product value (an assumed base value of the PC, plus build to order) +
service value (warranty) + personnel value (advisor) + image value (brand) - money cost (price) - time cost
(days x time cost per day) - mental cost (the guarantee's WTP when there is no guarantee) - physical cost (the
installation's WTP when the customer must carry and install it). Choice data identify differences in
delivered value between offers, not its level: the base value is an assumption. Market shares of today's
offers are the logit shares of their utilities (`truth['market']`); per offer shown, `truth['alternatives']`
holds the planted choice probability.
"""

DESCRIPTION_ZH = """
每个任务展示三个方案，每个品牌一个，顺序随机；其余属性各自独立、等概率地从其水平中抽取（是否按订单生产；保修1-3年；
是否有顾问；价格4000-6000元，步长500元；送达2、5、10或15天；是否当月保价；是否送货安装）。受访者选择效用最高的方案：
U = V + Gumbel 噪声（条件logit模型），其中

V = (price_sensitivity / 1000) x (按支付意愿加权的各项属性 - 价格)，各项属性的价值（元）为：
我方品牌形象200元、对手品牌500元（相对于新进入者），每年保修150元，顾问120元，`wtp_build_to_order`、
`wtp_price_guarantee`、`wtp_delivery_install`，以及每多等一天送货减去 `time_cost_per_day`。一项属性的成分效用
（part-worth）为每单位 price_sensitivity x WTP / 1000；以千元计的价格系数为 -price_sensitivity。因此
支付意愿 WTP = -成分效用 / 价格系数（x 1000 元）。

方案的顾客让渡价值（元）= 产品价值（电脑本身的假定基础价值，加上按订单生产）+ 服务价值（保修）+ 人员价值（顾问）
+ 形象价值（品牌）- 货币成本（价格）- 时间成本（天数 x 每天的时间成本）- 精神成本（没有保价时等于保价的支付意愿）
- 体力成本（顾客须自己搬运安装时等于送货安装的支付意愿）。选择数据只能识别不同方案之间让渡价值的差，不能识别其水平：
基础价值是一个假定。目前各方案的市场份额是其效用的logit份额（`truth['market']`）；`truth['alternatives']`
给出每个展示过的方案被选中的预设概率。
"""


def _wtp(k: dict) -> dict:
    """Planted willingness to pay (yuan per unit) of each coded attribute but the price."""
    return {"brand_ours": WTP_BRAND["ours"], "brand_rival": WTP_BRAND["rival"],
            "build_to_order": k["wtp_build_to_order"], "warranty_years": WTP_WARRANTY_YEAR,
            "advisor": WTP_ADVISOR, "delivery_days": -k["time_cost_per_day"],
            "price_guarantee": k["wtp_price_guarantee"], "delivery_install": k["wtp_delivery_install"]}


def _coded(offers: pd.DataFrame) -> np.ndarray:
    """Design matrix of offers in the order of ATTRIBUTES (price in thousands of yuan)."""
    brand = offers["brand"].astype(str).to_numpy()
    return np.column_stack([brand == "ours", brand == "rival", offers["build_to_order"], offers["warranty_years"],
                            offers["advisor"], offers["price"] / 1000, offers["delivery_days"],
                            offers["price_guarantee"], offers["delivery_install"]]).astype(float)


def _choice_draw(rng: np.random.Generator, utility: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit choice among the columns of ``utility`` (one row per task): planted probabilities and the index of
    the chosen column, drawn by inverting the cumulative probabilities with one uniform per task."""
    z = np.exp(utility - utility.max(axis=1, keepdims=True))
    prob = z / z.sum(axis=1, keepdims=True)
    u = rng.random(utility.shape[0])
    chosen = np.minimum((prob.cumsum(axis=1) < u[:, None]).sum(axis=1), utility.shape[1] - 1)
    return prob, chosen


def _components(offers: pd.DataFrame, wtp: dict, base_value: float) -> pd.DataFrame:
    """The four values and four costs of each offer (yuan) from willingness to pay."""
    return pd.DataFrame({
        "product": base_value + wtp["build_to_order"] * offers["build_to_order"].astype(float),
        "service": wtp["warranty_years"] * offers["warranty_years"].astype(float),
        "personnel": wtp["advisor"] * offers["advisor"].astype(float),
        "image": offers["brand"].astype(str).map({"ours": wtp["brand_ours"], "rival": wtp["brand_rival"],
                                                  "newcomer": 0.0}).astype(float),
        "money": offers["price"].astype(float),
        "time": -wtp["delivery_days"] * offers["delivery_days"].astype(float),
        "mental": wtp["price_guarantee"] * (1.0 - offers["price_guarantee"].astype(float)),
        "physical": wtp["delivery_install"] * (1.0 - offers["delivery_install"].astype(float)),
    }, index=offers.index)


BASE_VALUE = 6000.0   # yuan: assumed value of the PC itself (not identified by choices; used for the truth only)


@register("perceived_value", title="Raising perceived value: four values minus four costs",
          title_zh="提高客户感知价值：四种价值与四种成本", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n_resp, n_tasks = k["n_respondents"], k["n_tasks"]
    n_sets = n_resp * n_tasks
    n = 3 * n_sets
    # brands: each task shows the three brands in a random order
    order = np.argsort(rng.random((n_sets, 3)), axis=1)
    brand_codes = order.ravel()
    levels = {name: np.asarray(values)[rng.integers(0, len(values), n)] for name, values in DESIGN.items()}
    choices = pd.DataFrame({
        "respondent_id": np.repeat(np.arange(1, n_resp + 1, dtype=np.int64), 3 * n_tasks),
        "task": np.tile(np.repeat(np.arange(1, n_tasks + 1, dtype=np.int64), 3), n_resp),
        "alternative": np.tile(np.arange(1, 4, dtype=np.int64), n_sets),
        "brand": pd.Categorical.from_codes(brand_codes, categories=BRANDS),
        "build_to_order": levels["build_to_order"].astype(bool),
        "warranty_years": levels["warranty_years"].astype(np.int64),
        "advisor": levels["advisor"].astype(bool),
        "price": levels["price"].astype(float),
        "delivery_days": levels["delivery_days"].astype(np.int64),
        "price_guarantee": levels["price_guarantee"].astype(bool),
        "delivery_install": levels["delivery_install"].astype(bool),
    })
    wtp = _wtp(k)
    scale = k["price_sensitivity"]
    beta = np.array([scale * wtp[a] / 1000 if a != "price_k" else -scale for a in ATTRIBUTES])
    utility = (_coded(choices) @ beta).reshape(n_sets, 3)
    prob, pick = _choice_draw(rng, utility)
    chosen = np.zeros((n_sets, 3), dtype=bool)
    chosen[np.arange(n_sets), pick] = True
    choices["chosen"] = chosen.ravel()

    market = pd.DataFrame([{"brand": b, **{a: (k["our_price"] if (a == "price" and v is None) else v)
                                           for a, v in MARKET[b].items()}} for b in BRANDS])
    market["brand"] = pd.Categorical(market["brand"], categories=BRANDS)
    market = market.astype({"build_to_order": bool, "warranty_years": np.int64, "advisor": bool, "price": float,
                            "delivery_days": np.int64, "price_guarantee": bool, "delivery_install": bool})
    levers = pd.DataFrame({
        "lever": pd.Categorical([lv[0] for lv in LEVERS], categories=[lv[0] for lv in LEVERS]),
        "component": pd.Categorical([lv[1] for lv in LEVERS], categories=COMPONENTS),
        "attribute": pd.Categorical([lv[2] for lv in LEVERS], categories=list(DESIGN)),
        "change": np.array([lv[3] for lv in LEVERS], dtype=float),
        "cost_per_unit": np.array([k["cost_delivery_install"] if lv[4] is None else lv[4] for lv in LEVERS]),
        "extra_delivery_days": np.array([k["bto_extra_days"] if lv[5] is None else lv[5] for lv in LEVERS],
                                        dtype=np.int64),
    })
    v_market = _coded(market) @ beta
    share = np.exp(v_market - v_market.max())
    share /= share.sum()
    comps = _components(market, wtp, BASE_VALUE)
    delivered = comps[list(COMPONENTS[:4])].sum(axis=1) - comps[list(COMPONENTS[4:])].sum(axis=1)
    truth = {
        "price_coef": -scale,
        "part_worths": dict(zip(ATTRIBUTES, map(float, beta))),
        "wtp": {a: float(v) for a, v in wtp.items()},
        "base_value": BASE_VALUE,
        "market": pd.DataFrame({**comps.to_dict("series"), "delivered_value": delivered, "utility": v_market,
                                "share": share}).set_axis(pd.Index(BRANDS, name="brand")),
        "alternatives": pd.DataFrame({"p_choice": prob.ravel()}),
    }
    return {"choices": choices, "market": market, "levers": levers}, truth
