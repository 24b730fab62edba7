"""The satisfaction index c = b / a, managing expectations, word of mouth and retention (synthetic world).

A service firm's customers answer an expectation survey before their first purchase (a) and an experience
survey after it (b); a year of behaviour follows — the seven indicators of satisfaction of the course text,
how many people each customer told about the firm and how many of those came with the customer's referral
code. Beside them, a promise test: in a market test the firm advertised different promised quality levels to
separate groups of prospects and recorded who bought, what the buyers experienced and how often they came back.

Planted truth: each customer's true expectation, perception and index c (the surveys measure them with noise),
the effect of log c on every indicator, the word-of-mouth rates by satisfaction status, the annual retention
probability, and the parameters of the promise test with the profit-maximising promise they imply.

Sources: CRM article collection (source 3), lines 379–383 (word of mouth: 12 told, more than 10 come; 20 told,
all deterred), 385–403 (c = b / a, its three readings and the seven indicators), 405–427 (managing
expectations), 547 (5% more retention, 25–85% more profit; public record: Reichheld & Sasser 1990). All
figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from crmlab import loyalty
from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw

# Half-width of the "fairly satisfied" band around c = 1 (crmlab.loyalty.satisfaction_index's default).
TOLERANCE = 0.05
STATUS = loyalty.SATISFACTION_LEVELS  # dissatisfied < fairly satisfied < satisfied
# Promise levels advertised in the market test (0-10 quality scale).
PROMISE_LEVELS = tuple(np.round(np.arange(4.0, 10.01, 0.5), 1).tolist())
# Average repeat purchases of a test buyer who is not dissatisfied (c >= 1 - TOLERANCE) and of one who is.
REPEATS = {"not_dissatisfied": 3.0, "dissatisfied": 0.3}
# Effect of log c (true index) on each indicator: the coefficient on log c in the indicator's model (see
# DESCRIPTION; for retention, how much log c lowers the log-odds of defecting in a month); the sign is the
# direction of the course text (crmlab.loyalty.SEVEN_INDICATORS).
EFFECTS = {"repeat_purchases": 2.0, "choice_time": -1.5, "price_sensitivity": -3.0, "retention": 4.0,
           "reputation": 8.0, "complaint_rate": -6.0, "purchase_amount": 0.6}
# Word of mouth beyond the minimum: extra people told (Poisson mean) by everybody; the fairly satisfied tell
# only that many, and a smaller share of them come.
WOM = {"extra_tell": 2.0, "fairly_come_factor": 0.5}
MONTHLY_FLOOR = 0.005      # monthly defection hazard that no satisfaction removes (moves, needs end)
MONTHLY_BASE = 0.012       # extra monthly defection hazard at c = 1 (logistic in log c)

SNAPSHOT_KNOBS = {"n_customers": 400, "n_prospects": 60}
KNOBS = [
    Knob("n_customers", 3000, int, "number of customers surveyed and followed for a year", low=50, high=1_000_000,
         doc_zh="接受调查并被追踪一年的客户数"),
    Knob("promise", 7.0, float, "quality the firm currently promises; customers' expectations centre on it",
         low=3.0, high=9.5, unit="0-10 scale", doc_zh="企业目前承诺的质量水平；客户的期望围绕它分布"),
    Knob("quality", 7.0, float, "mean quality customers actually experience", low=3.0, high=9.5, unit="0-10 scale",
         doc_zh="客户实际感受到的平均质量"),
    Knob("quality_sd", 1.2, float, "spread of the experienced quality between customers", low=0.2, high=3.0,
         unit="0-10 scale", doc_zh="不同客户感受到的质量的离散程度"),
    Knob("expectation_sd", 0.8, float, "spread of customers' expectations around the promise", low=0.0, high=3.0,
         unit="0-10 scale", doc_zh="客户期望围绕承诺水平的离散程度"),
    Knob("survey_noise", 0.3, float, "measurement error of each survey score", low=0.0, high=2.0,
         unit="0-10 scale", doc_zh="每项调查得分的测量误差"),
    Knob("n_prospects", 600, int, "prospects reached at each promise level of the market test", low=20,
         high=1_000_000, doc_zh="市场测试中每个承诺水平触达的潜在客户数"),
    Knob("attraction_mid", 6.0, float, "promise at which half of the prospects reached buy", low=2.0, high=10.0,
         unit="0-10 scale", doc_zh="使一半被触达的潜在客户购买的承诺水平"),
    Knob("attraction_slope", 0.8, float, "how fast buying rises with the promise (log-odds per scale point)",
         low=0.1, high=5.0, doc_zh="购买概率随承诺上升的速度（每个刻度点的对数几率）"),
    Knob("margin", 40.0, float, "profit per purchase", low=1.0, high=10_000.0, unit="CNY",
         doc_zh="每次购买的利润"),
    Knob("tell_satisfied", 12, int, "minimum number of people a satisfied customer tells", low=0, high=100,
         doc_zh="满意客户至少告诉的人数"),
    Knob("come_share", 0.9, float, "share of the people a satisfied customer tells who become customers",
         low=0.0, high=1.0, doc_zh="满意客户告诉的人中成为客户的比例"),
    Knob("tell_dissatisfied", 20, int, "minimum number of people a dissatisfied customer tells", low=0, high=100,
         doc_zh="不满意客户至少告诉的人数"),
]

C = Column
TABLES = [
    Table("customers", "One row per customer: the expectation and experience surveys, a year of behaviour (the "
          "seven indicators of satisfaction) and word of mouth.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("expected", "float64", "expectation before the first purchase (survey score a)", "0-10 scale",
                doc_zh="首次购买前的期望（调查得分 a）"),
              C("perceived", "float64", "experience of the first purchase (survey score b)", "0-10 scale",
                doc_zh="首次购买的实际感受（调查得分 b）"),
              C("repeat_purchases", "int64", "purchases after the first one, in the following year",
                doc_zh="首次购买之后一年内的重复购买次数"),
              C("choice_time", "float64", "days spent choosing before the last purchase", "days",
                doc_zh="最近一次购买前花在挑选上的天数"),
              C("price_sensitivity", "float64", "share of the year's purchases made on a promotion",
                doc_zh="一年的购买中趁促销购买的比例（价格敏感度）"),
              C("retention", "int64", "months the customer stayed in the 12-month follow-up (12 = still a "
                                      "customer at the end)", "months",
                doc_zh="在12个月的追踪期内留下的月数（12 = 期末仍是客户）"),
              C("reputation", "int64", "would you recommend us? (0-10 rating)", "0-10",
                doc_zh="“您会向别人推荐我们吗？”（0-10分）"),
              C("complaint_rate", "float64", "share of the year's purchases that led to a complaint",
                doc_zh="一年的购买中引起投诉的比例（投诉率）"),
              C("purchase_amount", "float64", "spending in the year, first purchase included", "CNY",
                doc_zh="一年内的消费金额（含首次购买）"),
              C("told", "int64", "people the customer told about the firm (follow-up survey)",
                doc_zh="客户向多少人谈起过本企业（回访调查）"),
              C("referrals", "int64", "new customers who came with this customer's referral code",
                doc_zh="凭该客户的推荐码前来的新客户数"),
          ), doc_zh="每位客户一行：期望调查和体验调查、之后一年的行为（满意度的七项指标）以及口碑。"),
    Table("promise_test", "One row per prospect reached in the market test: the promise advertised to the "
          "prospect's group, whether the prospect bought, and for buyers the experience and the repeat purchases.", (
              C("prospect_id", "int64", "prospect id", doc_zh="潜在客户编号"),
              C("promise", "float64", "quality promised to this prospect's group (the expectation a of a buyer)",
                "0-10 scale", doc_zh="向该组潜在客户承诺的质量（即购买者的期望 a）"),
              C("bought", "bool", "the prospect bought", doc_zh="该潜在客户是否购买"),
              C("perceived", "float64", "experience of the purchase (survey score b; missing if not bought)",
                "0-10 scale", doc_zh="购买后的实际感受（调查得分 b；未购买者为空）"),
              C("repeat_purchases", "int64", "purchases after the first one in the following year (0 if not bought)",
                doc_zh="首次购买之后一年内的重复购买次数（未购买者为0）"),
          ), doc_zh="市场测试中每个被触达的潜在客户一行：向其所在组承诺的质量水平、是否购买，以及购买者的实际感受和重复购买次数。"),
]

DESCRIPTION = """
**Customers.** True expectation a = clip(promise + N(0, expectation_sd), 1, 10); true experience
b = clip(quality + N(0, quality_sd), 0.5, 10); true index c = b / a (CRM article collection (source 3), lines
385–403). The surveys report a and b plus N(0, survey_noise), rounded to 0.1 and kept within [0.5, 10]; the
status uses the band c in [0.95, 1.05] for "fairly satisfied". With x = log c (true) the indicators are
(`truth['indicator_effects']` holds the coefficients on x; for retention, the 4 by which x lowers the
log-odds of defecting):
retention: monthly defection hazard h = 0.005 + 0.995 expit(logit(0.012) - 4 x); months stayed = months completed
before the first defection, 12 if none (annual retention probability (1 - h)^12, `truth['customers']`);
repeat purchases ~ Poisson(3 exp(2 x) x months / 12); choice time = 5 exp(-1.5 x + N(0, 0.6)) days;
price sensitivity = expit(-0.5 - 3 x + N(0, 0.8)); reputation = clip(round(7 + 8 x + N(0, 1.5)), 0, 10);
complaints ~ Binomial(purchases, expit(logit(0.05) - 6 x)), divided by purchases; purchase amount = purchases x
50 exp(0.6 x + N(0, 0.3)).

**Word of mouth** (lines 379–383), by true status: a satisfied customer tells tell_satisfied + Poisson(2)
people, each of whom comes with probability come_share; a dissatisfied one tells tell_dissatisfied +
Poisson(2) people (the course text says all of them are deterred; their choices are not observed) and
refers nobody; a fairly satisfied one tells Poisson(2) people, each coming with probability come_share / 2.

**Promise test** (lines 405–427). At each promise p in 4.0, 4.5, ..., 10.0, n_prospects prospects are reached;
each buys with probability expit(attraction_slope (p - attraction_mid)); a buyer's expectation is p and
experience b ~ N(quality, quality_sd) (survey noise added to the reported score); a buyer whose true b / p >=
0.95 makes Poisson(3) repeat purchases, others Poisson(0.3). Profit = margin x purchases. The expected profit
per prospect is crmlab.loyalty.expectation_tradeoff's model; its maximiser is `truth['promise_test']
['optimum_promise']`.
"""

DESCRIPTION_ZH = """
**客户。** 真实期望 a = clip(promise + N(0, expectation_sd), 1, 10)；真实感受 b = clip(quality + N(0, quality_sd),
0.5, 10)；真实满意度指数 c = b / a（《客户关系管理文章选编》（资料3）第385–403行）。调查报告的是 a 和 b 加上 N(0, survey_noise)，
四舍五入到0.1并限制在 [0.5, 10] 内；c 落在 [0.95, 1.05] 之间读作“比较满意”。记 x = log c（真实值），各项指标为
（`truth['indicator_effects']` 给出 x 的系数；保留一项给出的是 x 使每月流失对数几率降低的4）：
保留：每月流失风险 h = 0.005 + 0.995 expit(logit(0.012) - 4 x)；留下的月数 = 第一次流失之前完整度过的月数，没有流失记为12
（年保留概率 (1 - h)^12，见 `truth['customers']`）；重复购买 ~ Poisson(3 exp(2 x) x 月数 / 12)；挑选时间 =
5 exp(-1.5 x + N(0, 0.6)) 天；价格敏感度 = expit(-0.5 - 3 x + N(0, 0.8))；推荐意愿 = clip(round(7 + 8 x +
N(0, 1.5)), 0, 10)；投诉次数 ~ Binomial(购买次数, expit(logit(0.05) - 6 x))，再除以购买次数；消费金额 = 购买次数 x
50 exp(0.6 x + N(0, 0.3))。

**口碑**（第379–383行），按真实状态：满意客户告诉 tell_satisfied + Poisson(2) 人，每人以 come_share 的概率前来；
不满意客户告诉 tell_dissatisfied + Poisson(2) 人（原文说这些人全部被劝退，但他们的选择观察不到），不推荐任何人；
比较满意的客户告诉 Poisson(2) 人，每人以 come_share / 2 的概率前来。

**承诺测试**（第405–427行）。在每个承诺水平 p = 4.0, 4.5, ..., 10.0 上触达 n_prospects 个潜在客户；每人以
expit(attraction_slope (p - attraction_mid)) 的概率购买；购买者的期望就是 p，实际感受 b ~ N(quality, quality_sd)
（报告的得分另加调查误差）；真实 b / p >= 0.95 的购买者重复购买 Poisson(3) 次，其余 Poisson(0.3) 次。利润 =
margin x 购买次数。每个潜在客户的期望利润就是 crmlab.loyalty.expectation_tradeoff 的模型，使它最大的承诺水平见
`truth['promise_test']['optimum_promise']`。
"""


def _survey(rng: np.random.Generator, true: np.ndarray, noise: float) -> np.ndarray:
    """A survey score: the true value plus answering noise, rounded to 0.1, kept within [0.5, 10]."""
    return np.clip(np.round(true + noise * rng.standard_normal(true.shape), 1), 0.5, 10.0)


def _status(c: np.ndarray) -> np.ndarray:
    """Status code 0 dissatisfied, 1 fairly satisfied, 2 satisfied (band [1 - TOLERANCE, 1 + TOLERANCE])."""
    return np.where(c < 1 - TOLERANCE, 0, np.where(c > 1 + TOLERANCE, 2, 1))


@register("satisfaction_index", title="The satisfaction index c = b/a, managing expectations, and word of mouth",
          title_zh="客户满意度 c = b/a、期望管理与口碑", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    a = np.clip(k["promise"] + k["expectation_sd"] * rng.standard_normal(n), 1.0, 10.0)
    b = np.clip(k["quality"] + k["quality_sd"] * rng.standard_normal(n), 0.5, 10.0)
    c = b / a
    x = np.log(c)
    status = _status(c)
    expected = _survey(rng, a, k["survey_noise"])
    perceived = _survey(rng, b, k["survey_noise"])

    hazard = MONTHLY_FLOOR + (1 - MONTHLY_FLOOR) * expit(logit(MONTHLY_BASE) - EFFECTS["retention"] * x)
    left = rng.geometric(hazard)                       # month of the first defection (1, 2, ...)
    months = np.minimum(left - 1, 12)                  # months completed before leaving; 12 = stayed the year
    repeat = rng.poisson(3.0 * np.exp(EFFECTS["repeat_purchases"] * x) * months / 12)
    purchases = 1 + repeat
    choice = 5.0 * np.exp(EFFECTS["choice_time"] * x + 0.6 * rng.standard_normal(n))
    price = expit(-0.5 + EFFECTS["price_sensitivity"] * x + 0.8 * rng.standard_normal(n))
    reputation = np.clip(np.round(7 + EFFECTS["reputation"] * x + 1.5 * rng.standard_normal(n)), 0, 10)
    complaints = rng.binomial(purchases, expit(logit(0.05) + EFFECTS["complaint_rate"] * x))
    amount = purchases * 50.0 * np.exp(EFFECTS["purchase_amount"] * x + 0.3 * rng.standard_normal(n))

    extra = rng.poisson(WOM["extra_tell"], n)
    told = np.select([status == 2, status == 0], [k["tell_satisfied"] + extra, k["tell_dissatisfied"] + extra], extra)
    come = np.select([status == 2, status == 0], [k["come_share"], 0.0], k["come_share"] * WOM["fairly_come_factor"])
    referrals = rng.binomial(told, come)

    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "expected": expected, "perceived": perceived,
        "repeat_purchases": repeat.astype(np.int64),
        "choice_time": np.round(choice, 2),
        "price_sensitivity": np.round(price, 4),
        "retention": months.astype(np.int64),
        "reputation": reputation.astype(np.int64),
        "complaint_rate": complaints / purchases,
        "purchase_amount": np.round(amount, 2),
        "told": told.astype(np.int64),
        "referrals": referrals.astype(np.int64),
    })

    # promise test
    levels = np.asarray(PROMISE_LEVELS)
    m = k["n_prospects"]
    promise = np.repeat(levels, m)
    p_buy, bought = logit_draw(rng, k["attraction_slope"] * (promise - k["attraction_mid"]))
    bought = bought.astype(bool)
    b_test = rng.normal(k["quality"], k["quality_sd"], promise.size)
    ok = b_test >= promise * (1 - TOLERANCE)
    repeats_test = rng.poisson(np.where(ok, REPEATS["not_dissatisfied"], REPEATS["dissatisfied"])) * bought
    reported = _survey(rng, b_test, k["survey_noise"])
    test = pd.DataFrame({
        "prospect_id": np.arange(1, promise.size + 1, dtype=np.int64),
        "promise": promise,
        "bought": bought,
        "perceived": np.where(bought, reported, np.nan),
        "repeat_purchases": repeats_test.astype(np.int64),
    })
    model = loyalty.expectation_tradeoff(levels, quality=k["quality"], quality_sd=k["quality_sd"], n_prospects=1,
                                         attraction_mid=k["attraction_mid"], attraction_slope=k["attraction_slope"],
                                         tolerance=TOLERANCE, repeats_if_satisfied=REPEATS["not_dissatisfied"],
                                         repeats_if_dissatisfied=REPEATS["dissatisfied"], margin=k["margin"])

    annual = (1 - hazard) ** 12
    idx = pd.Index(customers["customer_id"], name="customer_id")
    truth = {
        "tolerance": TOLERANCE,
        "indicator_effects": dict(EFFECTS),
        "status_shares": {STATUS[i]: float((status == i).mean()) for i in range(3)},
        "expected_retention": float(annual.mean()),
        "word_of_mouth": {"tell_satisfied": k["tell_satisfied"], "tell_dissatisfied": k["tell_dissatisfied"],
                          "extra_tell": WOM["extra_tell"], "come_share": k["come_share"],
                          "fairly_come_share": k["come_share"] * WOM["fairly_come_factor"],
                          "deter_share_stated": 1.0},
        "promise_test": {"levels": list(PROMISE_LEVELS), "attraction_mid": k["attraction_mid"],
                         "attraction_slope": k["attraction_slope"], "quality": k["quality"],
                         "quality_sd": k["quality_sd"], "repeats": dict(REPEATS), "margin": k["margin"],
                         "optimum_promise": model.optimum_promise,
                         "optimum_profit_per_prospect": model.optimum_profit,
                         "profit_per_prospect": dict(zip(PROMISE_LEVELS, model.table["profit"].round(4).tolist()))},
        "customers": pd.DataFrame({"expected_true": a, "perceived_true": b, "index_true": c,
                                   "status_true": pd.Categorical.from_codes(status, categories=list(STATUS)),
                                   "p_retained_year": annual}, index=idx),
        "prospects": pd.DataFrame({"p_buy": p_buy, "perceived_true": b_test}, index=pd.Index(test["prospect_id"],
                                                                                           name="prospect_id")),
    }
    return {"customers": customers, "promise_test": test}, truth
