"""A distributor's downstream customers: ABC classes over two years, the customer archive, the whale curve.

A wholesale distributor sells to dealers, retailers and sub-wholesalers ("downstream customers"). Annual
sales are as concentrated as the 80/20 rule says, so ranking customers by cumulative sales and cutting
at 80% and 95% puts about 20% of them in class A, 28% in B and 52% in C. Between the two years customers
move between classes according to a planted transition matrix. Each customer has a five-part archive
(region; market; customer details; the customer's own resources; the owner's personal profile including
the birthday), orders with their cost of goods and cost-to-serve, and yearly account costs (sales visits,
support, cash rebates), so profit per customer — and the whale curve — can be computed from the data.

Sources: CRM Q&A compilation (source 0), lines 49–55 (the five-part archive), 59–61 (ABC by cumulative
sales at 80% / 95%, class A ≈ 20% of customers), 61 (classes move: plan B→A and C→B), 64–70 (A gets
advisory support and promotions pushed to terminals, never cash rebates; B/C get material support), line
12 ("80% of profit comes from 20% of customers, and half of it is consumed by the 50% who are not
profitable"). All data are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

__all__ = ["CLASSES", "CUTOFFS", "SEGMENTS", "class_shares", "transition_matrix", "build"]

CLASSES = ("A", "B", "C")
CUTOFFS = (0.80, 0.95)            # cumulative share of sales closing classes A and B (CRM Q&A compilation (source 0), line 60)
SNAPSHOT_KNOBS = {"n_customers": 200}

# Share of the smaller class that moves between two classes each year (both ways equally, so the class
# shares are the same in both years), before scaling by the knob `mobility`.
_FLOWS = {("A", "B"): 0.15, ("B", "C"): 0.15, ("A", "C"): 0.02}

# Business types of downstream customers with part of their archive (ages, education, hobbies...).
# Larger customers are likelier to be city distributors (segments are filled along annual sales).
SEGMENTS = [
    {"name": "rural_retailer", "share": 0.45,
     "market_type": {"dist": "categorical", "probs": {"village": 0.55, "township market": 0.40, "county town": 0.05}},
     "brands_carried": {"dist": "poisson", "mean": 4, "dtype": "int"},
     "has_outdoor_ads": {"dist": "bernoulli", "p": 0.15},
     "staff": {"dist": "normal", "mean": 3, "sd": 1, "low": 1, "dtype": "int"},
     "owner_age": {"dist": "normal", "mean": 46, "sd": 9, "low": 22, "high": 75, "dtype": "int"},
     "owner_education": {"dist": "categorical", "probs": {"middle school": 0.5, "high school": 0.4, "college": 0.1}},
     "owner_hobby": {"dist": "categorical", "probs": {"mahjong": 0.35, "fishing": 0.25, "tea": 0.2, "sports": 0.1,
                                                       "travel": 0.1}}},
    {"name": "county_dealer", "share": 0.35,
     "market_type": {"dist": "categorical", "probs": {"village": 0.05, "township market": 0.35, "county town": 0.6}},
     "brands_carried": {"dist": "poisson", "mean": 8, "dtype": "int"},
     "has_outdoor_ads": {"dist": "bernoulli", "p": 0.45},
     "staff": {"dist": "normal", "mean": 8, "sd": 3, "low": 1, "dtype": "int"},
     "owner_age": {"dist": "normal", "mean": 42, "sd": 8, "low": 22, "high": 75, "dtype": "int"},
     "owner_education": {"dist": "categorical", "probs": {"middle school": 0.25, "high school": 0.5, "college": 0.25}},
     "owner_hobby": {"dist": "categorical", "probs": {"mahjong": 0.2, "fishing": 0.25, "tea": 0.25, "sports": 0.1,
                                                       "travel": 0.2}}},
    {"name": "city_distributor", "share": 0.20,
     "market_type": {"dist": "categorical", "probs": {"village": 0.0, "township market": 0.1, "county town": 0.9}},
     "brands_carried": {"dist": "poisson", "mean": 15, "dtype": "int"},
     "has_outdoor_ads": {"dist": "bernoulli", "p": 0.8},
     "staff": {"dist": "normal", "mean": 25, "sd": 10, "low": 3, "dtype": "int"},
     "owner_age": {"dist": "normal", "mean": 45, "sd": 7, "low": 22, "high": 75, "dtype": "int"},
     "owner_education": {"dist": "categorical", "probs": {"middle school": 0.1, "high school": 0.4, "college": 0.5}},
     "owner_hobby": {"dist": "categorical", "probs": {"mahjong": 0.1, "fishing": 0.15, "tea": 0.25, "sports": 0.2,
                                                       "travel": 0.3}}},
]
REGIONS = {"north": ("Hebei", "Shanxi", "Inner Mongolia"), "east": ("Shandong", "Jiangsu", "Anhui"),
           "central": ("Henan", "Hubei", "Hunan"), "south": ("Guangdong", "Guangxi", "Fujian"),
           "west": ("Sichuan", "Shaanxi", "Yunnan")}
CONTACT = ("phone", "WeChat", "visit")

# Economics of serving a customer (currency units per year or per order).
_MARGIN = 0.109           # gross margin rate of a median-sized customer (falls for larger ones: discounts)
_DISCOUNT_SLOPE = 0.0297  # margin points lost per standard deviation of log sales (volume discounts)
_MARGIN_SD = 0.0075       # customer-to-customer spread of the margin rate
_ORDER_COST = 760.0       # picking, paperwork and the delivery trip, per order
_VISIT_COST = 500.0       # one sales visit
_ADVISORY_COST = 6000.0   # yearly advisory/management support for a class-A customer
_SUPPORT_RATE = 0.03      # promotion support, share of sales: pushed to terminals for A, material for B/C
_REBATE_SLOPE = 0.0086    # cash-rebate rate per standard deviation of log sales above the median
_SIZE_CAP = 2.33          # discounts and rebates grow with log sales up to this many standard deviations

KNOBS = [
    Knob("n_customers", 500, int, "number of downstream customers (dealers, retailers, sub-wholesalers)",
         low=20, high=1_000_000, doc_zh="下游客户数（经销商、零售商、二级批发商）"),
    Knob("sales_sigma", 1.683, float, "spread (sd of log) of annual sales; 1.683 makes the top 20% of "
         "customers produce exactly 80% of sales in the population", low=0.1, high=3.0,
         doc_zh="年销量的离散程度（对数销量的标准差）；取1.683时，总体中前20%的客户恰好贡献80%的销量"),
    Knob("median_sales", 100_000.0, float, "median annual sales of a customer", low=1_000.0, high=1e9,
         unit="currency/year", doc_zh="客户年销量的中位数"),
    Knob("mobility", 1.0, float, "scales the planted between-year class flows (0 = nobody changes class)",
         low=0.0, high=3.0, doc_zh="预设的年度间等级流动的缩放倍数（0 = 谁都不换等级）"),
    Knob("persistence", 0.8, float, "correlation of a customer's position within its class band across "
         "the two years", low=0.0, high=0.99, doc_zh="客户在本等级区间内的相对位置在两年之间的相关系数"),
    Knob("rebate_share", 0.3, float, "share of customers that receive cash rebates (the practice CRM Q&A compilation (source 0) "
         "warns against for class A)", low=0.0, high=1.0,
         doc_zh="得到现金返利的客户比例（《客户关系管理问答汇编》（资料0）告诫不要对A类客户这样做）"),
    Knob("first_year", 2023, int, "calendar year of period 1 (period 2 is the next year)", low=1990, high=2100,
         doc_zh="第1期所在的公历年份（第2期为下一年）"),
]

_DRIVER = "the customer's expected annual sales in that year"
TABLES = [
    Table("customers", "The customer archive, one row per downstream customer (CRM Q&A compilation (source 0), lines 49–55): "
          "(1) region, (2) market, (3) customer details, (4) the customer's own resources, (5) the owner's "
          "personal profile.", (
              Column("customer_id", "int32", "customer number 1..n_customers", doc_zh="客户编号 1..n_customers"),
              Column("region", "category", "(1) sales region", doc_zh="(1) 销售大区"),
              Column("province", "category", "(1) province", doc_zh="(1) 省份"),
              Column("market_type", "category", "(2) market the customer sells into: village, township market, "
                     "county town", doc_zh="(2) 客户所面对的市场：village（村）、township market（乡镇集市）、"
                                           "county town（县城）"),
              Column("market_size", "float64", "(2) population of the market served, thousands", "thousand people",
                     doc_zh="(2) 所服务市场的人口，单位千人"),
              Column("business_type", "category", "(3) rural_retailer, county_dealer or city_distributor",
                     doc_zh="(3) 业态：rural_retailer（农村零售商）、county_dealer（县级经销商）或 "
                            "city_distributor（城市分销商）"),
              Column("brands_carried", "int64", "(3) number of brands the customer sells", doc_zh="(3) 经销的品牌数"),
              Column("has_outdoor_ads", "bool", "(3) has outdoor advertising", doc_zh="(3) 是否有户外广告"),
              Column("staff", "int64", "(4) employees", doc_zh="(4) 员工人数"),
              Column("vehicles", "int64", "(4) delivery vehicles", doc_zh="(4) 送货车辆数"),
              Column("warehouse_m2", "float64", "(4) warehouse area", "m²", doc_zh="(4) 仓库面积"),
              Column("working_capital", "float64", "(4) working capital", "currency", doc_zh="(4) 流动资金"),
              Column("owner_birthday", "datetime64[ns]", "(5) owner's birthday", doc_zh="(5) 老板的生日"),
              Column("owner_age", "int64", "(5) owner's age at the start of period 1", "years",
                     doc_zh="(5) 第1期开始时老板的年龄"),
              Column("owner_education", "category", "(5) owner's education", doc_zh="(5) 老板的文化程度"),
              Column("owner_hobby", "category", "(5) owner's main hobby", doc_zh="(5) 老板的主要爱好"),
              Column("preferred_contact", "category", "(5) phone, WeChat or visit",
                     doc_zh="(5) 偏好的联系方式：phone（电话）、WeChat（微信）或 visit（上门拜访）"),
          ), doc_zh="客户档案，每个下游客户一行（《客户关系管理问答汇编》（资料0）第49–55行）："
                    "(1) 所在区域，(2) 市场状况，(3) 客户情况，(4) 客户自身的人财物，(5) 老板的个人情况。"),
    Table("orders", "Orders over the two years, sorted by customer_id, period, date. Profit of an order = "
          "amount − cost_of_goods − service_cost.", (
              Column("order_id", "int32", "order number (in table order)", doc_zh="订单编号（按表中顺序）"),
              Column("customer_id", "int32", "customer (see customers)", doc_zh="客户（见 customers 表）"),
              Column("period", "int8", "1 = first year, 2 = second year", doc_zh="1 = 第一年，2 = 第二年"),
              Column("date", "datetime64[ns]", "order date", doc_zh="下单日期"),
              Column("amount", "float64", "invoiced sales", "currency", doc_zh="开票销售额"),
              Column("cost_of_goods", "float64", "purchase cost of the goods sold", "currency",
                     doc_zh="所售货物的进货成本"),
              Column("service_cost", "float64", "order handling and delivery", "currency", doc_zh="订单处理和送货成本"),
          ), doc_zh="两年的订单，按 customer_id、period、date 排序。一张订单的利润 = "
                    "amount − cost_of_goods − service_cost。"),
    Table("account_costs", "Yearly cost-to-serve outside the orders, one row per customer and period: "
          "customer profit in a period = sum over its orders of (amount − cost_of_goods − service_cost) − "
          "visit_cost − support_cost − cash_rebate.", (
              Column("customer_id", "int32", "customer", doc_zh="客户"),
              Column("period", "int8", "1 or 2", doc_zh="1 或 2"),
              Column("visits", "int64", "sales visits in the year", doc_zh="当年的业务拜访次数"),
              Column("visit_cost", "float64", "cost of those visits", "currency", doc_zh="这些拜访的成本"),
              Column("support_cost", "float64", "promotion/material support, plus advisory support for class A",
                     "currency", doc_zh="促销/物质支持，A类客户另加智力支持（顾问与管理支持）"),
              Column("cash_rebate", "float64", "cash rebate paid at year end", "currency", doc_zh="年底支付的现金返利"),
          ), doc_zh="订单以外的年度服务成本，每个客户每期一行：一个客户在一期中的利润 = 其各张订单的 "
                    "(amount − cost_of_goods − service_cost) 之和 − visit_cost − support_cost − cash_rebate。"),
]

DESCRIPTION = f"""
Annual sales follow a lognormal law with median `median_sales` and log-sd `sales_sigma`: each year the
n customers receive the n quantiles of that law (so the data are exactly as concentrated as the law, and
a small sample does not wobble), handed out by each year's ranking. The class-driving value of a customer
in a year is its annual sales; its class is the ABC class of those sales by cumulative share
({CUTOFFS[0]:.0%} / {CUTOFFS[1]:.0%}). With sales_sigma = 1.683 the population shares are 20% A, 28.5% B
and 51.5% C. Year 1 ranks customers at random. For year 2 each customer's class is first drawn from the
planted transition matrix (`truth["transition_matrix"]`, rows = year 1, columns = year 2, whose flows
balance so the class shares are the same in both years); its relative position inside the class keeps a
correlation `persistence` with year 1; the year-2 ranking follows from class and position, and year-2
classes are again computed from cumulative sales (so a customer or two at a boundary may differ from the
drawn move). Each year's sales are split into 1 + Poisson orders (larger customers order more often),
dated uniformly within the year.

Archive: the business type is a latent-segment draw filled along year-1 sales (bigger customers are
likelier city distributors); resources (staff, vehicles, warehouse, capital) grow with sales.

Economics: the gross margin rate is about {_MARGIN:.0%} for a median customer and lower for larger ones
(volume discounts); each order costs {_ORDER_COST:.0f} to handle and deliver, each sales visit
{_VISIT_COST:.0f}; every customer gets promotion support worth {_SUPPORT_RATE:.0%} of its sales (for class A pushed down
to its terminals as promotional goods, for B/C as material support), class-A customers also advisory
support ({_ADVISORY_COST:.0f} a year); a share `rebate_share` of customers get cash rebates
that grow with their size. The constants were chosen so that, in period 2, roughly 50% of customers are
unprofitable, the top 20% by profit make about 80% of the profit of the profitable customers, and the
losses of the unprofitable ones consume about half of it — our reading of CRM Q&A compilation (source 0), line 12 (the profit
is "gross" = summed over profitable customers; net profit is then about half of it, so the whale curve
peaks near 200% of net profit). `truth["profit_facts"]` holds the realised values.

Planted truth: `class_shares` (population shares of A, B, C), `transition_matrix` (dict of dicts),
`cutoffs`, `profit_facts`, `seed_claims`, and `customers`, a DataFrame indexed by customer_id with
value_p1, value_p2 (expected annual sales = the class-driving value), class_p1, class_p2 (band classes),
segment, margin_p1, margin_p2 (gross margin rates), rebate_rate, profit_p1, profit_p2.
"""


DESCRIPTION_ZH = f"""
年销量服从对数正态分布，中位数为 `median_sales`，对数标准差为 `sales_sigma`：每一年，n 个客户分到这个分布的 n 个
分位数（因此数据的集中程度与分布完全一致，样本小也不会抖动），按当年的排名分配。客户某一年的分类依据是它当年的
销量；它的等级就是按累计销量占比（{CUTOFFS[0]:.0%} / {CUTOFFS[1]:.0%}）划出的ABC等级。sales_sigma = 1.683 时，
总体中A、B、C类分别占20%、28.5%和51.5%。第一年的排名是随机的。第二年，先按预设的转移矩阵
（`truth["transition_matrix"]`，行 = 第一年，列 = 第二年；各等级之间的流动相互抵消，所以两年的等级占比相同）
抽出每个客户的新等级；客户在等级区间内的相对位置与第一年保持相关系数 `persistence`；由等级和位置得出第二年的
排名，第二年的等级再按累计销量重新计算（因此处在边界上的一两个客户可能与抽到的移动不一致）。每年的销量拆成
1 + 泊松个订单（客户越大，下单越频繁），日期在当年内均匀分布。

客户档案：业态是一个潜在细分群体的抽样，按第一年的销量依次分配（客户越大，越可能是城市分销商）；
人财物（员工、车辆、仓库、资金）随销量增长。

经济账：中等规模客户的毛利率约为 {_MARGIN:.0%}，客户越大毛利率越低（数量折扣）；每张订单的处理和送货成本为
{_ORDER_COST:.0f}，每次业务拜访 {_VISIT_COST:.0f}；每个客户都得到相当于其销量 {_SUPPORT_RATE:.0%} 的促销支持
（对A类客户以促销品的形式下沉到终端，对B、C类客户则是物质支持），A类客户另有智力支持
（每年 {_ADVISORY_COST:.0f}）；比例为 `rebate_share` 的客户得到随规模增长的现金返利。这些常数的取值使得在第二年（第2期）
大约50%的客户不盈利，按利润排名前20%的客户贡献盈利客户利润总和的约80%，而不盈利客户的亏损吃掉其中约一半——
这是我们对《客户关系管理问答汇编》（资料0）第12行的解读（这里的利润是“毛”利润，即盈利客户的利润之和；
净利润大约是它的一半，因此鲸鱼曲线的峰值接近净利润的200%）。`truth["profit_facts"]` 给出实际实现的数值。

预设真值：`class_shares`（A、B、C类在总体中的占比）、`transition_matrix`（字典的字典）、`cutoffs`、
`profit_facts`、`seed_claims`，以及 `customers`：一个以 customer_id 为索引的 DataFrame，列有
value_p1、value_p2（期望年销量，即分类依据的值）、class_p1、class_p2（区间等级）、segment（业态）、
margin_p1、margin_p2（毛利率）、rebate_rate（返利率）、profit_p1、profit_p2。
"""


def _bands(sigma: float) -> np.ndarray:
    """z thresholds (C|B, B|A) of the ABC bands of a lognormal with log-sd ``sigma``."""
    return np.array([sigma - norm.ppf(CUTOFFS[1]), sigma - norm.ppf(CUTOFFS[0])])


def class_shares(sales_sigma: float) -> dict:
    """Population share of customers in classes A, B, C when log sales have sd ``sales_sigma``.

    For lognormal sales, the customers with z above t make 1 − Φ(t − σ) of all sales, so the A band is
    z > σ − Φ⁻¹(0.80) and the B band z > σ − Φ⁻¹(0.95).

    Example
    -------
    >>> {k: round(v, 3) for k, v in class_shares(1.683).items()}
    {'A': 0.2, 'B': 0.285, 'C': 0.515}
    """
    t = _bands(sales_sigma)
    cdf = norm.cdf(t)
    return {"A": float(1 - cdf[1]), "B": float(cdf[1] - cdf[0]), "C": float(cdf[0])}


def transition_matrix(sales_sigma: float, mobility: float = 1.0) -> pd.DataFrame:
    """The planted year-1 → year-2 class transition matrix (rows sum to 1; class shares are stationary).

    Between two classes i, j a flow F_ij = mobility × m_ij × min(π_i, π_j) of all customers moves each
    way (m_AB = m_BC = 0.15, m_AC = 0.02), so P(i → j) = F_ij / π_i and π P = π.

    Example
    -------
    >>> P = transition_matrix(1.683)
    >>> bool(np.allclose(P.sum(axis=1), 1.0)), round(float(P.loc["A", "A"]), 3)
    (True, 0.83)
    """
    pi = class_shares(sales_sigma)
    P = pd.DataFrame(0.0, index=pd.Index(CLASSES, name="from"), columns=pd.Index(CLASSES, name="to"))
    for (i, j), m in _FLOWS.items():
        flow = mobility * m * min(pi[i], pi[j])
        P.loc[i, j] = flow / pi[i]
        P.loc[j, i] = flow / pi[j]
    for c in CLASSES:
        P.loc[c, c] = 1.0 - P.loc[c].sum()
    return P


def _abc_codes(values: np.ndarray) -> np.ndarray:
    """ABC class codes (0 = C, 1 = B, 2 = A): a customer is A while the share of sales of the customers
    ranked above it is under 80%, B while under 95% (CRM Q&A compilation (source 0), line 60)."""
    order = np.argsort(-values, kind="stable")
    before = np.concatenate(([0.0], np.cumsum(values[order])[:-1])) / values.sum()
    codes = np.empty(values.size, dtype=np.int64)
    codes[order] = np.where(before < CUTOFFS[0], 2, np.where(before < CUTOFFS[1], 1, 0))
    return codes


def _position_in_class(rank: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Relative position (0, 1) of each customer's rank among the customers of its class."""
    counts = np.bincount(codes, minlength=3)
    low = np.concatenate(([0], np.cumsum(counts)[:-1]))          # classes occupy consecutive ranks C < B < A
    return (rank - low[codes] + 0.5) / counts[codes]


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den != 0 else float("nan")


def _whale_facts(profit: np.ndarray) -> dict:
    """Whale-curve facts of customer profits (NaN where a denominator is zero)."""
    ordered = np.sort(profit)[::-1]
    gross = ordered[ordered > 0].sum()
    net = ordered.sum()
    top = ordered[: int(round(0.2 * len(ordered)))].sum()
    return {"top20_share_of_gross_profit": _ratio(top, gross),
            "unprofitable_share": float((profit < 0).mean()),
            "loss_share_of_gross_profit": _ratio(-ordered[ordered < 0].sum(), gross),
            "whale_peak_share_of_net_profit": _ratio(np.cumsum(ordered).max(), net),
            "top20_share_of_net_profit": _ratio(top, net)}


def _split_into_orders(rng, sales: np.ndarray, year: int, cust: np.ndarray):
    """Split each customer's annual sales into orders dated within ``year``; flat arrays sorted by date."""
    n_orders = 1 + rng.poisson(np.clip(6.0 * (sales / np.median(sales)) ** 0.4, 1.0, 60.0))
    owner = np.repeat(cust, n_orders)
    weight = rng.standard_gamma(2.0, owner.size)
    total = np.bincount(np.repeat(np.arange(cust.size), n_orders), weights=weight, minlength=cust.size)
    amount = np.round(np.repeat(sales / total, n_orders) * weight, 2)
    days = (pd.Timestamp(year + 1, 1, 1) - pd.Timestamp(year, 1, 1)).days
    day = rng.integers(0, days, owner.size)
    order = np.lexsort((day, owner))
    date = (np.datetime64(f"{year:04d}-01-01", "D") + day[order]).astype("datetime64[ns]")
    return owner[order], date, np.maximum(amount[order], 0.01), n_orders


@register("distributor_abc", title="A distributor's downstream customers: ABC classes, archive and whale curve",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES,
          title_zh="经销商的下游客户：ABC分类、客户档案与鲸鱼曲线", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, knobs: dict) -> tuple[dict, dict]:
    """Draw the world (see DESCRIPTION); called by ``crmlab.worlds.make("distributor_abc", ...)``."""
    n, sigma, year = knobs["n_customers"], knobs["sales_sigma"], knobs["first_year"]
    ids = np.arange(1, n + 1, dtype=np.int32)
    # Sales levels: the n quantiles of the lognormal (so the sample is as concentrated as the population
    # and ABC on the data gives the planted classes); each year they are handed out by rank.
    levels = knobs["median_sales"] * np.exp(sigma * norm.ppf((np.arange(n) + 0.5) / n))
    edges = np.concatenate(([0.0], norm.cdf(_bands(sigma)), [1.0]))   # C, B, A bands on the uniform scale

    # Year 1: a random ranking; classes by cumulative sales; relative rank position inside the class.
    rank1 = rng.permutation(n)
    value1 = levels[rank1]
    b1 = _abc_codes(value1)
    pos = _position_in_class(rank1, b1)
    # Year 2: Markov move with the planted matrix, then a persistent position inside the new band; the
    # year-2 ranking follows, and the year-2 classes are again those of cumulative sales.
    P = transition_matrix(sigma, knobs["mobility"])
    order_cb = ["C", "B", "A"]
    Pb = P.loc[order_cb, order_cb].to_numpy()
    moved = (rng.random(n)[:, None] > np.cumsum(Pb, axis=1)[b1][:, :-1]).sum(axis=1)
    rho = knobs["persistence"]
    pos2 = norm.cdf(rho * norm.ppf(pos) + np.sqrt(1 - rho ** 2) * rng.standard_normal(n))
    score2 = edges[moved] + pos2 * (edges[moved + 1] - edges[moved])
    value2 = levels[np.argsort(np.argsort(score2, kind="stable"), kind="stable")]
    b2 = _abc_codes(value2)
    value = np.column_stack([value1, value2])
    z = np.log(value / knobs["median_sales"]) / sigma                   # standardised log sales
    labels = np.array(order_cb)

    # Archive.
    people = draw_segments(rng, n, SEGMENTS, order=z[:, 0] + 0.5 * rng.standard_normal(n))
    size = np.exp(0.5 * sigma * z[:, 0])                               # resources grow with sales
    region_names = list(REGIONS)
    region = rng.integers(0, len(region_names), n)
    province = np.array([p for r in region_names for p in REGIONS[r]])[region * 3 + rng.integers(0, 3, n)]
    birthday = (np.datetime64(f"{year:04d}-01-01", "D")
                - (people["owner_age"].to_numpy() * 365.25 + rng.uniform(1, 365, n)).astype(np.int64))
    customers = pd.DataFrame({
        "customer_id": ids,
        "region": pd.Categorical.from_codes(region, categories=region_names),
        "province": pd.Categorical(province, categories=[p for r in region_names for p in REGIONS[r]]),
        "market_type": people["market_type"],
        "market_size": np.round(rng.lognormal(np.log(80.0), 0.6, n) * np.where(
            people["market_type"].to_numpy() == "county town", 4.0, 1.0), 1),
        "business_type": people["segment"],
        "brands_carried": people["brands_carried"].to_numpy() + 1,
        "has_outdoor_ads": people["has_outdoor_ads"].to_numpy(),
        "staff": np.maximum(1, np.round(people["staff"].to_numpy() * size ** 0.5)).astype(np.int64),
        "vehicles": rng.poisson(0.5 + 1.5 * size).astype(np.int64),
        "warehouse_m2": np.round(60.0 * size * rng.lognormal(0.0, 0.3, n), 0),
        "working_capital": np.round(0.15 * value[:, 0] * rng.lognormal(0.0, 0.3, n), -2),
        "owner_birthday": birthday.astype("datetime64[ns]"),
        "owner_age": people["owner_age"].to_numpy(),
        "owner_education": people["owner_education"],
        "owner_hobby": people["owner_hobby"],
        "preferred_contact": pd.Categorical.from_codes(rng.integers(0, 3, n), categories=list(CONTACT)),
    })

    # Economics: margin falls with size (discounts); some customers get cash rebates.
    # Volume discounts are set on each year's volume: margin rate per customer and year.
    # Discounts and rebates stop growing beyond _SIZE_CAP standard deviations (negotiated tiers).
    tier = np.minimum(z, _SIZE_CAP)
    margin = _MARGIN - _DISCOUNT_SLOPE * tier + _MARGIN_SD * rng.standard_normal((n, 1))
    rebate_rate = np.where(rng.random(n) < knobs["rebate_share"], _REBATE_SLOPE * np.maximum(tier[:, 0], 0.0), 0.0)
    parts, costs, profit = [], [], np.zeros((n, 2))
    for t in (0, 1):
        cust, date, amount, n_orders = _split_into_orders(rng, value[:, t], year + t, np.arange(n))
        cogs = np.round(amount * (1.0 - margin[cust, t]), 2)
        service = np.round(_ORDER_COST * rng.uniform(0.8, 1.2, cust.size), 2)
        parts.append(pd.DataFrame({"customer_id": ids[cust], "period": np.full(cust.size, t + 1, np.int8),
                                   "date": date, "amount": amount, "cost_of_goods": cogs, "service_cost": service}))
        is_a = labels[b1 if t == 0 else b2] == "A"
        visits = rng.poisson(np.where(is_a, 12.0, 4.0)).astype(np.int64)
        sales = np.bincount(cust, weights=amount, minlength=n)
        acct = pd.DataFrame({
            "customer_id": ids, "period": np.full(n, t + 1, np.int8), "visits": visits,
            "visit_cost": visits * _VISIT_COST,
            "support_cost": np.round(_SUPPORT_RATE * sales + np.where(is_a, _ADVISORY_COST, 0.0), 2),
            "cash_rebate": np.round(rebate_rate * sales, 2)})
        costs.append(acct)
        order_profit = np.bincount(cust, weights=amount - cogs - service, minlength=n)
        profit[:, t] = order_profit - acct[["visit_cost", "support_cost", "cash_rebate"]].to_numpy().sum(axis=1)
    orders = pd.concat(parts, ignore_index=True)
    orders = orders.sort_values(["customer_id", "period", "date"], kind="stable", ignore_index=True)
    orders.insert(0, "order_id", np.arange(1, len(orders) + 1, dtype=np.int32))
    account_costs = pd.concat(costs, ignore_index=True).sort_values(["customer_id", "period"], kind="stable",
                                                                    ignore_index=True)

    latent = pd.DataFrame({
        "value_p1": value[:, 0], "value_p2": value[:, 1],
        "class_p1": pd.Categorical(labels[b1], categories=list(CLASSES)),
        "class_p2": pd.Categorical(labels[b2], categories=list(CLASSES)),
        "segment": people["segment"].array, "margin_p1": margin[:, 0], "margin_p2": margin[:, 1], "rebate_rate": rebate_rate,
        "profit_p1": profit[:, 0], "profit_p2": profit[:, 1],
    }, index=pd.Index(ids, name="customer_id"))
    truth = {
        "cutoffs": list(CUTOFFS),
        "class_shares": class_shares(sigma),
        "transition_matrix": {i: P.loc[i].to_dict() for i in CLASSES},
        "profit_facts": {"period": 2, **_whale_facts(profit[:, 1])},
        "seed_claims": {"top20_share_of_gross_profit": 0.8, "unprofitable_share": 0.5,
                        "loss_share_of_gross_profit": 0.5, "source": "CRM Q&A compilation (source 0), line 12"},
        "customers": latent,
    }
    return {"customers": customers, "orders": orders, "account_costs": account_costs}, truth
