"""Zhike CRM's promotion planning: survey, act, survey again, compare (synthetic world).

A consumer-goods seller runs a one-month promotion test on a panel of its customers, who are sorted into
class A and class B. Everyone answers a pre-survey (satisfaction index 0-100, and whether they would pay a few
yuan more for nicer packaging); within each class, customers are randomly assigned to one of three arms: no
action (the control group), a price cut, or faster delivery; a month later the feedback survey asks the same
satisfaction question again (not everyone answers it). Satisfaction drifts for everyone between the two surveys
(a season, a competitor's trouble), by a different amount in each class, so a pre/post difference mixes the
action with the drift. The effect of each action in each class, the drift, and each customer's underlying
satisfaction are the planted truth.

Source: CRM Q&A compilation (source 0), lines 26-36 (section ㈡, an answer signed by the CRM software vendor
Zhike CRM 知客CRM): line 31 states, as an example of "planning from the data", that for class-A customers a
price cut of 3.2 yuan raises satisfaction 12% and for class-B customers faster delivery raises it 17.5%, and
that all customers would pay a few yuan more for nicer packaging; line 35 names the key factors (pre-survey,
feedback survey, comparing the two, analysing the result). These are the vendor's illustrative claims, given
without a method or data; every figure of this world is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

CLASSES = ("A", "B")
ARMS = ("control", "price_cut", "fast_delivery")
WAVES = ("pre", "feedback")
PACKAGING = ("yes", "unsure", "no")
#: The vendor's illustrative claims (CRM Q&A compilation (source 0), line 31): relative rise in satisfaction.
VENDOR_CLAIM = {("A", "price_cut"): 0.12, ("B", "fast_delivery"): 0.175}

# The two customer classes: underlying satisfaction (index points) and orders in the test month.
SEGMENTS = [
    {"name": "A", "share": 0.4,
     "base": {"dist": "normal", "mean": 58.0, "sd": 13.0, "low": 5.0, "high": 95.0},
     "orders": {"dist": "poisson", "mean": 6.0}},
    {"name": "B", "share": 0.6,
     "base": {"dist": "normal", "mean": 52.0, "sd": 13.0, "low": 5.0, "high": 95.0},
     "orders": {"dist": "poisson", "mean": 3.0}},
]

SNAPSHOT_KNOBS = {"n_customers": 600}
KNOBS = [
    Knob("n_customers", 3000, int, "customers in the survey panel", low=60, high=2_000_000,
         doc_zh="调查样本（固定样本组）中的客户数"),
    Knob("share_class_a", 0.4, float, "share of the panel in class A", low=0.05, high=0.95,
         doc_zh="样本中A类客户所占比例"),
    Knob("trend", 0.06, float, "relative drift of class A's satisfaction between the surveys, without any action "
         "(0.06 = +6%)", low=-0.3, high=0.3, doc_zh="两次调查之间、没有任何促销措施时A类客户满意度的相对漂移（0.06 即 +6%）"),
    Knob("trend_gap_b", 0.03, float, "extra relative drift of class B on top of class A's", low=-0.2, high=0.2,
         doc_zh="B类客户在A类漂移之外多出的相对漂移"),
    Knob("effect_price_a", 0.055, float, "relative effect of the price cut on class-A satisfaction", low=-0.3,
         high=0.5, doc_zh="降价对A类客户满意度的相对效果"),
    Knob("effect_delivery_a", 0.01, float, "relative effect of faster delivery on class-A satisfaction", low=-0.3,
         high=0.5, doc_zh="加快送货对A类客户满意度的相对效果"),
    Knob("effect_price_b", 0.02, float, "relative effect of the price cut on class-B satisfaction", low=-0.3,
         high=0.5, doc_zh="降价对B类客户满意度的相对效果"),
    Knob("effect_delivery_b", 0.11, float, "relative effect of faster delivery on class-B satisfaction", low=-0.3,
         high=0.5, doc_zh="加快送货对B类客户满意度的相对效果"),
    Knob("noise_sd", 6.0, float, "answering noise of the satisfaction index in each survey", low=1.0, high=30.0,
         unit="index points", doc_zh="每次调查中满意度指数的作答噪声"),
    Knob("feedback_response", 0.85, float, "share of the panel that answers the feedback survey", low=0.2,
         high=1.0, doc_zh="回答反馈调查的样本比例"),
    Knob("packaging_yes", 0.55, float, "share of customers who would pay a few yuan more for nicer packaging",
         low=0.0, high=1.0, doc_zh="愿意为更漂亮的包装多付几块钱的客户比例"),
    Knob("price_cut", 3.2, float, "price cut per order in the price-cut arm", low=0.0, high=100.0, unit="yuan",
         doc_zh="降价组每笔订单的降价金额"),
    Knob("delivery_cost", 1.5, float, "extra cost per order of faster delivery", low=0.0, high=100.0,
         unit="yuan", doc_zh="加快送货每笔订单增加的成本"),
]

C = Column
TABLES = [
    Table("customers", "One row per customer of the survey panel: class, the arm of the test, orders in the test "
          "month and the packaging question of the pre-survey.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("customer_class", "category", "customer class (A or B)", doc_zh="客户类别（A类或B类）"),
              C("arm", "category", "action received in the test month: control (none), price_cut, fast_delivery",
                doc_zh="试验月份接受的措施：control（无措施，对照组）、price_cut（降价）、fast_delivery（加快送货）"),
              C("orders", "int64", "orders placed in the test month", doc_zh="试验月份下的订单数"),
              C("pay_more_packaging", "category", "pre-survey: would pay a few yuan more for nicer packaging "
                "(yes, unsure, no)", doc_zh="前期调查：是否愿意为更漂亮的包装多付几块钱（yes 愿意、unsure 不确定、no 不愿意）"),
          ), doc_zh="调查样本中每位客户一行：客户类别、试验分组、试验月份的订单数，以及前期调查中关于包装的问题。"),
    Table("surveys", "One row per answered survey: the pre-survey before the test month and the feedback survey "
          "after it.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("wave", "category", "which survey: pre or feedback", doc_zh="哪一次调查：pre（前期调查）或 feedback（反馈调查）"),
              C("satisfaction", "float64", "satisfaction index", "points, 0-100", doc_zh="满意度指数"),
          ), doc_zh="每份回收的问卷一行：试验月份之前的前期调查和之后的反馈调查。"),
]

DESCRIPTION = """
The vendor's statement (CRM Q&A compilation (source 0), line 31: class A, a 3.2-yuan price cut, +12%
satisfaction; class B, faster delivery, +17.5%; everyone would pay more for nicer packaging) is an illustrative
claim without a method; this world does not reproduce it, it plants its own effects (knobs) so that the design
of line 35 — pre-survey, action, feedback survey, comparison — can be tried against a known truth.

Customers are class A (`share_class_a`) or class B; each has an underlying satisfaction `base` (index points,
normal, class A mean 58, class B mean 52, sd 13, kept within 5-95) and orders in the test month (Poisson, mean 6
for class A, 3 for class B). Within each class the customers are split at random into three arms of equal size
(control, price_cut, fast_delivery).

Pre-survey: satisfaction = base + N(0, noise_sd), rounded to 0.1 and kept within 0-100; everyone answers.
Feedback survey: satisfaction = base x (1 + drift of the class) x (1 + effect of the arm in the class) +
N(0, noise_sd), rounded and kept within 0-100, where the drift is `trend` for class A and `trend` +
`trend_gap_b` for class B, and the effect is 0 for the control arm and `effect_price_a`, `effect_delivery_a`,
`effect_price_b`, `effect_delivery_b` otherwise. Each customer answers it with probability `feedback_response`,
independently of everything else (missing at random). So in each class the ratio of the arm's mean after/before
to the control arm's is 1 + effect (the difference in differences on the ratio scale), while the arm's own
after/before ratio is (1 + drift)(1 + effect): the pre/post comparison adds the drift to the action.

Packaging question (pre-survey): yes with probability `packaging_yes`, unsure with 0.3 x (1 - packaging_yes),
no otherwise, independent of class. Costs (not in the tables): the price cut costs `price_cut` yuan per order
and faster delivery `delivery_cost` yuan per order. Planted truth: `effects` (class -> arm -> relative effect),
`drift` (class -> relative drift), `prepost_expected` ((1 + drift)(1 + effect) - 1), `vendor_claim`,
`packaging_yes`, and per customer (`customers`) the class, arm, base and expected feedback satisfaction.
"""

DESCRIPTION_ZH = """
厂商的说法（《客户关系管理问答汇编》（资料0）第31行：A类客户降价3.2元，满意度提高12%；B类客户加快送货，
满意度上升17.5%；所有客户都愿意为更漂亮的包装多付钱）是没有说明方法的示例性说法；这个数据世界并不复现它，而是用
旋钮自行植入效果，让第35行所说的设计——前期调查、采取措施、反馈调查、前后对比——可以在已知真相的数据上检验。

客户分为A类（比例为 `share_class_a`）和B类；每位客户有一个潜在满意度 `base`（指数点，正态分布，A类均值58、
B类均值52，标准差13，限定在5–95之间），以及试验月份的订单数（泊松分布，A类均值6，B类均值3）。在每一类客户内部，
客户被随机等分为三组（control 对照组、price_cut 降价组、fast_delivery 加快送货组）。

前期调查：满意度 = base + N(0, noise_sd)，保留一位小数并限定在0–100之间；所有人都回答。反馈调查：满意度 =
base x (1 + 该类客户的漂移) x (1 + 该组在该类客户中的效果) + N(0, noise_sd)，同样取整并限定在0–100之间；
其中A类的漂移为 `trend`，B类为 `trend` + `trend_gap_b`；对照组效果为0，其他组分别为 `effect_price_a`、
`effect_delivery_a`、`effect_price_b`、`effect_delivery_b`。每位客户以概率 `feedback_response` 回答反馈调查，
与其他一切无关（随机缺失）。因此在每一类客户中，处理组前后均值之比除以对照组前后均值之比等于 1 + 效果（比值尺度上的
双重差分），而处理组自身的前后之比是 (1 + 漂移)(1 + 效果)：前后对比把漂移算到了措施头上。

包装问题（前期调查）：回答 yes 的概率为 `packaging_yes`，unsure 为 0.3 x (1 - packaging_yes)，其余为 no，
与客户类别无关。成本（不在表中）：降价每笔订单花费 `price_cut` 元，加快送货每笔订单花费 `delivery_cost` 元。
植入的真相：`effects`（类别 -> 组 -> 相对效果）、`drift`（类别 -> 相对漂移）、`prepost_expected`
（(1 + 漂移)(1 + 效果) - 1）、`vendor_claim`、`packaging_yes`，以及逐个客户的 `customers`（类别、组、base
和反馈调查满意度的期望值）。
"""


def _effects(k: dict) -> dict:
    return {"A": {"control": 0.0, "price_cut": k["effect_price_a"], "fast_delivery": k["effect_delivery_a"]},
            "B": {"control": 0.0, "price_cut": k["effect_price_b"], "fast_delivery": k["effect_delivery_b"]}}


@register("zhike_promotion", title="Zhike CRM: a vendor's promotion claim tested with a control group",
          title_zh="知客CRM：用对照组检验厂商的促销说法",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    segments = [dict(SEGMENTS[0], share=k["share_class_a"]), dict(SEGMENTS[1], share=1.0 - k["share_class_a"])]
    pop = draw_segments(rng, n, segments)
    cls = pop["segment"].astype(str).to_numpy()
    base = pop["base"].to_numpy()
    orders = np.round(pop["orders"].to_numpy()).astype(np.int64)

    arm = np.empty(n, dtype=np.int64)
    for c in CLASSES:                        # equal thirds within each class, at random
        idx = np.flatnonzero(cls == c)
        arm[idx] = rng.permutation(np.arange(idx.size) % len(ARMS))
    effects = _effects(k)
    drift = {"A": k["trend"], "B": k["trend"] + k["trend_gap_b"]}
    eff = np.array([effects[c][ARMS[a]] for c, a in zip(cls, arm)])
    dr = np.where(cls == "A", drift["A"], drift["B"])
    expected_after = base * (1 + dr) * (1 + eff)

    sd = k["noise_sd"]
    pre = np.clip(np.round(base + sd * rng.standard_normal(n), 1), 0.0, 100.0)
    post = np.clip(np.round(expected_after + sd * rng.standard_normal(n), 1), 0.0, 100.0)
    answered = rng.random(n) < k["feedback_response"]
    p = k["packaging_yes"]
    pack = rng.choice(len(PACKAGING), size=n, p=[p, 0.3 * (1 - p), 1 - p - 0.3 * (1 - p)])

    ids = np.arange(1, n + 1, dtype=np.int64)
    customers = pd.DataFrame({
        "customer_id": ids,
        "customer_class": pd.Categorical(cls, categories=CLASSES),
        "arm": pd.Categorical.from_codes(arm, categories=ARMS),
        "orders": orders,
        "pay_more_packaging": pd.Categorical.from_codes(pack, categories=PACKAGING),
    })
    surveys = pd.DataFrame({
        "customer_id": np.concatenate([ids, ids[answered]]),
        "wave": pd.Categorical.from_codes(np.r_[np.zeros(n, np.int64), np.ones(int(answered.sum()), np.int64)],
                                          categories=WAVES),
        "satisfaction": np.concatenate([pre, post[answered]]),
    })
    truth = {
        "effects": effects,
        "drift": drift,
        "prepost_expected": {c: {a: (1 + drift[c]) * (1 + effects[c][a]) - 1 for a in ARMS} for c in CLASSES},
        "vendor_claim": {f"{c}/{a}": v for (c, a), v in VENDOR_CLAIM.items()},
        "packaging_yes": p,
        "costs_per_order": {"price_cut": k["price_cut"], "fast_delivery": k["delivery_cost"]},
        "customers": pd.DataFrame({"customer_class": cls, "arm": np.asarray(ARMS, dtype=object)[arm],
                                   "base": base, "expected_feedback": expected_after, "answered_feedback": answered},
                                  index=pd.Index(ids, name="customer_id")),
    }
    return {"customers": customers, "surveys": surveys}, truth
