"""China Merchants Bank "Partner for Life": life stages, product holdings and the next product (synthetic world).

Retail-bank customers, each living in one of the five life stages of China Merchants Bank's "Partner for
Life" plan (Relationship-marketing essay (source 4), lines 13–14). The stage is planted; the bank sees only
age, marriage, children at home and income (the inputs of a rule-based segmentation), balances and card
spend (the inputs of a data-driven clustering), which products each customer holds and when each was
opened, and — for the holdout year after the snapshot — which products each customer bought next. A latent
affluence, independent of the stage, moves income and balances and blurs the stages in behaviour data.
All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

STAGES = ("starting_out", "building", "raising_children", "established", "retired")
STAGES_ZH = {"starting_out": "初涉社会", "building": "成家立业", "raising_children": "养儿育女",
             "established": "事业有成", "retired": "安享晚年"}
PRODUCTS = ("credit_card", "consumer_loan", "mortgage", "education_fund", "insurance", "wealth_management",
            "annuity")
PRODUCTS_ZH = {"credit_card": "信用卡", "consumer_loan": "消费贷款", "mortgage": "住房按揭", "education_fund": "子女教育金",
               "insurance": "保障型保险", "wealth_management": "理财产品", "annuity": "养老年金"}
SHARES = (0.20, 0.20, 0.25, 0.20, 0.15)
# Age by stage (mean, sd before `life_path_spread`), probability of being married, children at home.
AGE = {"starting_out": (25.0, 2.5), "building": (32.0, 3.5), "raising_children": (40.0, 5.0),
       "established": (51.0, 5.0), "retired": (67.0, 5.0)}
MARRIED = {"starting_out": 0.08, "building": 0.80, "raising_children": 0.93, "established": 0.88, "retired": 0.85}
# Probability of at least one child under 18 at home; raising-children customers always have one, a second with
# probability 0.35.
CHILD = {"starting_out": 0.02, "building": 0.12, "raising_children": 1.0, "established": 0.20, "retired": 0.0}
INCOME = {"starting_out": 6_000, "building": 11_000, "raising_children": 14_000, "established": 22_000,
          "retired": 5_000}  # median monthly income, CNY, at average affluence
DEPOSITS = {"starting_out": 20_000, "building": 50_000, "raising_children": 80_000, "established": 250_000,
            "retired": 200_000}  # median average deposit balance, CNY
SPEND = {"starting_out": 3_000, "building": 5_000, "raising_children": 7_000, "established": 9_000,
         "retired": 2_000}  # median monthly card spend, CNY
# Share holding each product one year before the snapshot, by stage (rows: stages; columns: PRODUCTS).
HOLD = {"starting_out":     (0.35, 0.10, 0.02, 0.01, 0.08, 0.08, 0.01),
        "building":         (0.60, 0.25, 0.30, 0.03, 0.20, 0.15, 0.02),
        "raising_children": (0.65, 0.20, 0.55, 0.25, 0.40, 0.25, 0.05),
        "established":      (0.70, 0.10, 0.45, 0.15, 0.45, 0.55, 0.15),
        "retired":          (0.30, 0.03, 0.10, 0.02, 0.25, 0.45, 0.40)}
# Yearly probability that a customer without the product buys it, by stage (before `adoption_scale`); each
# stage's largest rate is its planted next product.
ADOPT = {"starting_out":     (0.22, 0.06, 0.02, 0.005, 0.04, 0.05, 0.005),
         "building":         (0.10, 0.08, 0.18, 0.03, 0.07, 0.05, 0.01),
         "raising_children": (0.06, 0.05, 0.07, 0.16, 0.09, 0.06, 0.02),
         "established":      (0.05, 0.03, 0.04, 0.03, 0.06, 0.15, 0.06),
         "retired":          (0.02, 0.01, 0.01, 0.005, 0.04, 0.07, 0.14)}

SNAPSHOT_KNOBS = {"n_customers": 600}
KNOBS = [
    Knob("n_customers", 3000, int, "number of retail customers", low=200, high=1_000_000, doc_zh="零售客户数"),
    Knob("life_path_spread", 1.0, float, "how loosely age follows life stage (1 = the declared spreads; larger: "
         "people marry, have children and retire at more varied ages)", low=0.25, high=3.0,
         doc_zh="年龄与人生阶段对应的松散程度（1 = 设定的离散程度；越大，结婚、生子和退休的年龄越分散）"),
    Knob("affluence_sd", 0.8, float, "spread of a latent affluence, independent of life stage, that scales income, "
         "balances and card spend (standard deviation on the log scale)", low=0.0, high=2.0,
         doc_zh="与人生阶段无关的潜在富裕程度的离散程度（对数尺度上的标准差），它按比例影响收入、存款和刷卡消费"),
    Knob("adoption_scale", 1.0, float, "multiplies every yearly probability of buying a product not yet held",
         low=0.2, high=4.0, doc_zh="所有“尚未持有的产品在一年内被购买”的概率都乘以这个系数"),
]

C = Column
TABLES = [
    Table("customers", "One row per customer at the snapshot date: demographics and behaviour.", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("age", "int64", "age in whole years", "years", doc_zh="年龄（周岁）"),
        C("married", "bool", "married", doc_zh="是否已婚"),
        C("children_at_home", "int64", "children under 18 living at home", doc_zh="家中未满18岁的子女人数"),
        C("monthly_income", "float64", "monthly income (payroll or pension credited)", "CNY",
          doc_zh="月收入（代发工资或养老金入账）"),
        C("deposits", "float64", "average deposit balance over the last year", "CNY", doc_zh="近一年日均存款余额"),
        C("card_spend", "float64", "average monthly card spend over the last year", "CNY",
          doc_zh="近一年月均刷卡消费额"),
        C("investments", "float64", "balance in wealth-management products (0 without any)", "CNY",
          doc_zh="理财产品余额（未持有则为0）"),
        C("loan_balance", "float64", "outstanding mortgage and consumer-loan balance (0 without a loan)", "CNY",
          doc_zh="住房按揭与消费贷款余额（无贷款则为0）"),
    ), doc_zh="每位客户在观察日的一行：人口统计特征与行为数据。"),
    Table("holdings", "One row per product a customer holds at the snapshot date.", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("product", "category", "product held", doc_zh="所持产品"),
        C("months_held", "int64", "whole months since the product was opened (0–11: opened in the last year)",
          "months", doc_zh="开立至今的整月数（0–11表示近一年内开立）"),
    ), doc_zh="客户在观察日持有的每一个产品一行。"),
    Table("next_year", "Holdout: one row per product a customer newly bought in the 12 months after the "
          "snapshot.", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("product", "category", "product bought", doc_zh="购买的产品"),
        C("month", "int64", "month after the snapshot in which it was bought (1–12)", doc_zh="观察日之后第几个月购买（1–12）"),
    ), doc_zh="验证期（holdout period）：观察日之后12个月内客户新购买的每一个产品一行。"),
]

_STAGE_LIST = "starting out (初涉社会), building a family and career (成家立业), raising children (养儿育女), " \
              "established in career (事业有成) and retired (安享晚年)"
DESCRIPTION = f"""
China Merchants Bank launched its "Partner for Life" (伙伴一生) plan in March 2006, dividing customers after
they start work into five life stages with products tailored to each (Relationship-marketing essay (source 4),
lines 13–14). The stages here are the essay's: {_STAGE_LIST}. The bank's actual rules, products and figures are
not in the source: everything below is synthetic.

Each customer's life stage is planted (shares 20/20/25/20/15%; `truth['customers']['stage']`). Age is normal by
stage (means 25, 32, 40, 51, 67; spreads 2.5, 3.5, 5, 5, 5 years times `life_path_spread`, clipped to 20–85),
marriage is Bernoulli by stage (8, 80, 93, 88, 85%), children under 18 at home are 0 or 1 (2, 12, –, 20, 0%)
except in the raising-children stage (always 1, a second with 35%). A latent affluence a ~ N(0, `affluence_sd`),
independent of the stage, multiplies income by exp(0.6 a), deposits by exp(a), card spend by exp(0.5 a) and
investments by exp(a) around stage medians (income 6,000 / 11,000 / 14,000 / 22,000 / 5,000 CNY a month), each
with its own log-normal noise (sd 0.3–0.5).

Products: each stage has a share holding each product one year before the snapshot (`truth['hold']`); a customer
without a product buys it within a year with a probability by stage (`truth['adopt']`, times `adoption_scale`,
capped at 0.95), the same in the year before the snapshot (`holdings` with months_held 0–11) and in the holdout
year (`next_year`). Each stage's highest buying rate is its planted next product (`truth['next_product']`):
credit card, mortgage, education fund, wealth management and annuity. Investments are positive only for holders
of wealth management, loan balances only for holders of a mortgage or consumer loan.
"""

DESCRIPTION_ZH = """
招商银行于2006年3月推出“伙伴一生”金融计划，按照客户参加工作以后的生活形态，把客户分为五个人生阶段，为每个阶段量身
订做产品和服务（《关系营销与客户管理论文》（资料4）第13–14行）。这里的五个阶段就是该文所列的：初涉社会（starting out）、
成家立业（building）、养儿育女（raising children）、事业有成（established）和安享晚年（retired）。招商银行实际使用的
划分规则、产品和数字均不见于资料：下面的一切都是合成的。

每位客户的人生阶段是预设的（占比20/20/25/20/15%；见 `truth['customers']['stage']`）。年龄按阶段服从正态分布
（均值25、32、40、51、67岁；标准差2.5、3.5、5、5、5岁再乘以 `life_path_spread`，截断在20–85岁），是否已婚按阶段服从
伯努利分布（8、80、93、88、85%），家中未满18岁的子女为0或1人（2、12、–、20、0%），养儿育女阶段除外（必有1人，35%有第二个）。
潜在富裕程度 a ~ N(0, `affluence_sd`) 与人生阶段无关，它让收入乘以 exp(0.6 a)、存款乘以 exp(a)、刷卡消费乘以
exp(0.5 a)、理财余额乘以 exp(a)，围绕各阶段的中位数（月收入6,000 / 11,000 / 14,000 / 22,000 / 5,000元）波动，
各自另有对数正态噪声（标准差0.3–0.5）。

产品：每个阶段在观察日前一年持有各产品的比例见 `truth['hold']`；未持有某产品的客户在一年内购买它的概率按阶段给定
（`truth['adopt']`，乘以 `adoption_scale`，上限0.95），观察日之前的一年（`holdings` 中 months_held 为0–11的记录）
与验证期（`next_year`）相同。每个阶段购买率最高的产品就是它预设的“下一个产品”（`truth['next_product']`）：
信用卡、住房按揭、子女教育金、理财产品和养老年金。只有持有理财产品的客户理财余额为正，只有持有住房按揭或消费贷款的
客户贷款余额为正。
"""


def _lognormal(rng, median, sigma, n):
    return median * np.exp(sigma * rng.standard_normal(n))


@register("cmb_lifestage", title="China Merchants Bank 'Partner for Life': life-stage segmentation",
          title_zh="招商银行“伙伴一生”金融计划：人生阶段细分", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    spread = k["life_path_spread"]
    segments = [{"name": s, "share": sh,
                 "age": {"dist": "normal", "mean": AGE[s][0], "sd": AGE[s][1] * spread, "low": 20, "high": 85,
                         "decimals": 0, "dtype": "int"},
                 "married": {"dist": "bernoulli", "p": MARRIED[s]}}
                for s, sh in zip(STAGES, SHARES)]
    pop = draw_segments(rng, n, segments)
    stage = pop["segment"].cat.codes.to_numpy().astype(np.int64)
    names = np.asarray(STAGES, dtype=object)[stage]
    child_p = np.array([CHILD[s] for s in STAGES])[stage]
    children = (rng.random(n) < child_p).astype(np.int64)
    raising = stage == STAGES.index("raising_children")
    children = children + (raising & (rng.random(n) < 0.35))
    affluence = k["affluence_sd"] * rng.standard_normal(n)
    med = lambda table: np.array([table[s] for s in STAGES], dtype=float)[stage]  # noqa: E731
    income = np.round(_lognormal(rng, med(INCOME), 0.3, n) * np.exp(0.6 * affluence), -1)
    deposits = np.round(_lognormal(rng, med(DEPOSITS), 0.5, n) * np.exp(affluence), 0)
    spend = np.round(_lognormal(rng, med(SPEND), 0.4, n) * np.exp(0.5 * affluence), 0)

    hold = np.array([HOLD[s] for s in STAGES])[stage]
    adopt = np.minimum(np.array([ADOPT[s] for s in STAGES]) * k["adoption_scale"], 0.95)[stage]
    m = len(PRODUCTS)
    held0 = rng.random((n, m)) < hold
    bought1 = ~held0 & (rng.random((n, m)) < adopt)
    held1 = held0 | bought1
    bought2 = ~held1 & (rng.random((n, m)) < adopt)
    months_old = rng.integers(12, 121, size=(n, m))
    months_new = rng.integers(0, 12, size=(n, m))
    months = np.where(bought1, months_new, months_old)
    month_next = rng.integers(1, 13, size=(n, m))

    wm = held1[:, PRODUCTS.index("wealth_management")]
    investments = np.where(wm, np.round(_lognormal(rng, 0.8 * med(DEPOSITS), 0.5, n) * np.exp(affluence), 0), 0.0)
    loan_size = {"starting_out": 60_000, "building": 700_000, "raising_children": 600_000, "established": 300_000,
                 "retired": 80_000}
    has_mortgage = held1[:, PRODUCTS.index("mortgage")]
    has_loan = held1[:, PRODUCTS.index("consumer_loan")]
    loans = (np.where(has_mortgage, _lognormal(rng, med(loan_size), 0.4, n), 0.0)
             + np.where(has_loan, _lognormal(rng, 50_000.0, 0.5, n), 0.0))
    loans = np.round(loans, 0)

    ids = np.arange(1, n + 1, dtype=np.int64)
    customers = pd.DataFrame({
        "customer_id": ids,
        "age": pop["age"].to_numpy().astype(np.int64),
        "married": pop["married"].to_numpy().astype(bool),
        "children_at_home": children.astype(np.int64),
        "monthly_income": income.astype(float),
        "deposits": deposits.astype(float),
        "card_spend": spend.astype(float),
        "investments": investments.astype(float),
        "loan_balance": loans.astype(float),
    })
    rows, cols = np.nonzero(held1)
    holdings = pd.DataFrame({
        "customer_id": ids[rows],
        "product": pd.Categorical.from_codes(cols, categories=list(PRODUCTS)),
        "months_held": months[rows, cols].astype(np.int64),
    })
    rows2, cols2 = np.nonzero(bought2)
    next_year = pd.DataFrame({
        "customer_id": ids[rows2],
        "product": pd.Categorical.from_codes(cols2, categories=list(PRODUCTS)),
        "month": month_next[rows2, cols2].astype(np.int64),
    }).sort_values(["month", "customer_id"], kind="stable").reset_index(drop=True)

    adopt_table = {s: {p: float(min(ADOPT[s][j] * k["adoption_scale"], 0.95)) for j, p in enumerate(PRODUCTS)}
                   for s in STAGES}
    idx = pd.Index(ids, name="customer_id")
    truth = {
        "stages": list(STAGES),
        "stage_names_zh": dict(STAGES_ZH),
        "products_zh": dict(PRODUCTS_ZH),
        "stage_shares": dict(zip(STAGES, SHARES)),
        "hold": {s: dict(zip(PRODUCTS, HOLD[s])) for s in STAGES},
        "adopt": adopt_table,
        "next_product": {s: max(adopt_table[s], key=adopt_table[s].get) for s in STAGES},
        "customers": pd.DataFrame({"stage": pd.Categorical(names, categories=list(STAGES)),
                                   "affluence": affluence}, index=idx),
    }
    return {"customers": customers, "holdings": holdings, "next_year": next_year}, truth
