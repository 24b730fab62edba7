"""Key account management: choosing key accounts and paying their managers (synthetic world).

A B2B supplier's accounts with a year of revenue, gross margin, cost to serve, the customer's total spend in
the category (its "wallet", the potential) and sales operations' estimate of the chance the account renews.
Five latent account types are planted: strategic accounts (good margin, much headroom, loyal), growth
accounts (mid-sized today, with most of their wallet still with competitors), big-deal
accounts (the largest revenue, bought with deep discounts and expensive to serve, less loyal), steady
mid-sized accounts and small accounts. The planted truth is each account's true renewal probability, its
lifetime value, the key-account list the explicit criteria would pick with the true values, and what a key
account manager's effort earns the company under pay on revenue and pay on lifetime value.

Source: CRM article collection (source 3), lines 161–183 ("How to succeed at key account management",
seven steps): 5 to 25 key accounts chosen by explicit criteria (line 175), pay key account managers on
customer lifetime value - the profit an account brings - not on revenue, and understand the cost to serve
(line 179). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

ACTIVITIES = ("selling", "relationship")

# Latent account types (strategic, growth, big-deal, steady, small): share, revenue (thousand USD a year), gross margin, cost to serve as a share of
# revenue, share of wallet, true renewal probability, years as a customer, CEO's golf partner.
SEGMENTS = [
    {"name": "strategic", "share": 0.12,
     "revenue": {"dist": "lognormal", "mean": 700, "sd": 500},
     "margin": {"dist": "normal", "mean": 0.34, "sd": 0.04, "low": 0.15, "high": 0.6},
     "cts_share": {"dist": "normal", "mean": 0.08, "sd": 0.02, "low": 0.02},
     "sow": {"dist": "uniform", "low": 0.15, "high": 0.45},
     "renewal": {"dist": "normal", "mean": 0.92, "sd": 0.03, "low": 0.5, "high": 0.97},
     "years": {"dist": "poisson", "mean": 6},
     "golf": {"dist": "bernoulli", "p": 0.03},
     "industry": {"dist": "categorical", "probs": {"automotive": 0.3, "electronics": 0.3, "food and drink": 0.2,
                                                     "healthcare": 0.2}}},
    {"name": "growth", "share": 0.08,
     "revenue": {"dist": "lognormal", "mean": 250, "sd": 150},
     "margin": {"dist": "normal", "mean": 0.30, "sd": 0.04, "low": 0.15, "high": 0.6},
     "cts_share": {"dist": "normal", "mean": 0.09, "sd": 0.02, "low": 0.02},
     "sow": {"dist": "uniform", "low": 0.05, "high": 0.15},
     "renewal": {"dist": "normal", "mean": 0.88, "sd": 0.04, "low": 0.5, "high": 0.97},
     "years": {"dist": "poisson", "mean": 3},
     "golf": {"dist": "bernoulli", "p": 0.01},
     "industry": {"dist": "categorical", "probs": {"automotive": 0.2, "electronics": 0.4, "food and drink": 0.1,
                                                     "healthcare": 0.3}}},
    {"name": "big_deal", "share": 0.10,
     "revenue": {"dist": "lognormal", "mean": 2400, "sd": 1400},
     "margin": {"dist": "normal", "mean": 0.19, "sd": 0.03, "low": 0.05, "high": 0.6},
     "cts_share": {"dist": "normal", "mean": 0.18, "sd": 0.04, "low": 0.02},
     "sow": {"dist": "uniform", "low": 0.5, "high": 0.9},
     "renewal": {"dist": "normal", "mean": 0.74, "sd": 0.06, "low": 0.5, "high": 0.97},
     "years": {"dist": "poisson", "mean": 12},
     "golf": {"dist": "bernoulli", "p": 0.2},
     "industry": {"dist": "categorical", "probs": {"automotive": 0.4, "electronics": 0.3, "food and drink": 0.2,
                                                     "healthcare": 0.1}}},
    {"name": "steady", "share": 0.32,
     "revenue": {"dist": "lognormal", "mean": 280, "sd": 180},
     "margin": {"dist": "normal", "mean": 0.28, "sd": 0.04, "low": 0.05, "high": 0.6},
     "cts_share": {"dist": "normal", "mean": 0.10, "sd": 0.03, "low": 0.02},
     "sow": {"dist": "uniform", "low": 0.4, "high": 0.8},
     "renewal": {"dist": "normal", "mean": 0.87, "sd": 0.04, "low": 0.5, "high": 0.97},
     "years": {"dist": "poisson", "mean": 8},
     "golf": {"dist": "bernoulli", "p": 0.04},
     "industry": {"dist": "categorical", "probs": {"automotive": 0.25, "electronics": 0.25, "food and drink": 0.25,
                                                     "healthcare": 0.25}}},
    {"name": "small", "share": 0.38,
     "revenue": {"dist": "lognormal", "mean": 60, "sd": 45},
     "margin": {"dist": "normal", "mean": 0.26, "sd": 0.05, "low": 0.05, "high": 0.6},
     "cts_share": {"dist": "normal", "mean": 0.14, "sd": 0.04, "low": 0.02},
     "sow": {"dist": "uniform", "low": 0.3, "high": 0.9},
     "renewal": {"dist": "normal", "mean": 0.75, "sd": 0.07, "low": 0.5, "high": 0.97},
     "years": {"dist": "poisson", "mean": 4},
     "golf": {"dist": "bernoulli", "p": 0.01},
     "industry": {"dist": "categorical", "probs": {"automotive": 0.2, "electronics": 0.3, "food and drink": 0.3,
                                                     "healthcare": 0.2}}},
]
FIXED_COST = 6.0     # thousand USD a year of account administration, on top of the proportional cost to serve
BLOCK_HOURS = 10     # the manager plans in blocks of ten hours

SNAPSHOT_KNOBS = {"n_accounts": 300}
KNOBS = [
    Knob("n_accounts", 300, int, "number of business accounts of the supplier", low=40, high=200_000,
         doc_zh="供应商的企业客户数"),
    Knob("n_key", 15, int, "number of key accounts to choose (the source: 5 to 25)", low=5, high=25,
         doc_zh="要选出的大客户数（原文：5到25家）"),
    Knob("discount_rate", 0.10, float, "yearly discount rate for lifetime value", low=0.0, high=0.5,
         unit="per year", doc_zh="计算终身价值所用的年贴现率"),
    Knob("potential_capture", 0.3, float, "share of an account's untapped wallet a key-account programme can "
         "expect to win over time (for the potential criterion)", low=0.0, high=1.0,
         doc_zh="大客户计划有望逐步赢得的客户未开发钱包份额的比例（用于潜力标准）"),
    Knob("renewal_error", 0.05, float, "standard deviation of sales operations' renewal estimate around the true "
         "renewal probability", low=0.0, high=0.3, doc_zh="销售运营部门的续约概率估计相对真实续约概率的标准差"),
    Knob("manager_hours", 2000, int, "hours of key-account-manager effort to allocate over the year", low=100,
         high=100_000, unit="hours", doc_zh="一年中可以分配的大客户经理工作小时数"),
    Knob("hours_scale", 80.0, float, "hours at which an account's response to effort reaches 63% of its maximum "
         "(diminishing returns)", low=5.0, high=1000.0, unit="hours",
         doc_zh="客户对投入的反应达到其上限63%所需的小时数（边际收益递减）"),
    Knob("sell_capture", 0.15, float, "share of the untapped wallet that unlimited selling effort wins this year",
         low=0.0, high=1.0, doc_zh="不计投入地推销，当年能赢得的未开发钱包份额的比例"),
    Knob("deal_discount", 0.05, float, "extra price discount (share of revenue) given to close a pushed deal",
         low=0.0, high=0.5, doc_zh="为促成强推的交易而额外让出的价格折扣（占收入的比例）"),
    Knob("relationship_lift", 0.25, float, "share by which unlimited relationship effort raises an account's "
         "future lifetime value", low=0.0, high=2.0,
         doc_zh="不计投入地经营关系，能使客户未来终身价值提高的比例"),
    Knob("revenue_pay_rate", 0.02, float, "bonus per unit of extra revenue when paid on revenue", low=0.0,
         high=0.5, doc_zh="按收入计酬时，每单位新增收入的奖金"),
    Knob("clv_pay_rate", 0.05, float, "bonus per unit of extra lifetime value when paid on lifetime value",
         low=0.0, high=0.5, doc_zh="按终身价值计酬时，每单位新增终身价值的奖金"),
]

C = Column
TABLES = [
    Table("accounts", "One row per business account: this year's revenue, gross margin and cost to serve, the "
          "customer's total spend in the category, sales operations' renewal estimate, tenure and one "
          "relationship fact the sales director likes to mention.", (
              C("account_id", "int64", "account id", doc_zh="客户编号"),
              C("industry", "category", "industry of the customer", doc_zh="客户所属行业"),
              C("revenue", "float64", "revenue from the account this year", "thousand USD",
                doc_zh="本年来自该客户的收入（千美元）"),
              C("gross_margin", "float64", "gross margin on the account's orders (share of revenue, after the "
                                           "discounts it negotiated)", doc_zh="该客户订单的毛利率（扣除其谈定的折扣后，占收入的比例）"),
              C("cost_to_serve", "float64", "yearly cost of serving the account: sales and technical visits, "
                                            "customisation, logistics, administration", "thousand USD",
                doc_zh="服务该客户的年成本：销售和技术拜访、定制、物流、行政管理（千美元）"),
              C("wallet", "float64", "the customer's total yearly spend in our product category, from all "
                                     "suppliers (a market-research estimate)", "thousand USD",
                doc_zh="客户每年在本品类上向所有供应商采购的总额（市场调研估计，千美元）"),
              C("renewal_prob", "float64", "sales operations' estimate of the probability that the account "
                                           "renews next year", doc_zh="销售运营部门估计的该客户次年续约的概率"),
              C("years_as_customer", "int64", "years the account has bought from us", "years",
                doc_zh="该客户向我们采购的年数"),
              C("ceo_golf_partner", "bool", "the account's chief executive plays golf with ours",
                doc_zh="该客户的总裁是否与我方总裁一起打高尔夫球"),
          ), doc_zh="每个企业客户一行：本年的收入、毛利率和服务成本，客户在本品类上的总采购额，销售运营部门对续约的估计，"
                    "合作年数，以及一项销售总监爱提的关系事实。"),
]

DESCRIPTION = """
Accounts come from five latent types (`truth['segments']`): strategic 12% (revenue log-normal, mean 700
thousand USD; gross margin about 34%; cost to serve about 8% of revenue; share of wallet 15-45%; renewal
about 0.92), growth 8% (mean 250; 30%; 9%; share of wallet only 5-15%; 0.88), big-deal 10% (mean 2,400; margin about 19% after deep discounts; cost to serve about 18% of
revenue; share of wallet 50-90%; renewal about 0.74), steady 32% (mean 280; 28%; 10%; 40-80%; 0.87) and
small 38% (mean 60; 26%; 14%; 30-90%; 0.75). Cost to serve = revenue x its share x LogNormal(0, 0.15) + 6
thousand USD of administration. Wallet = revenue / share of wallet. Sales operations' renewal estimate =
true renewal + N(0, `renewal_error`), clipped to [0.30, 0.98] and rounded to two decimals. Big-deal
accounts have been customers longest and play golf with the CEO most often (CRM article collection
(source 3), line 175 warns against choosing key accounts for either reason).

Profit = revenue x gross_margin - cost_to_serve (the source's "understand the cost to serve, not only
revenue", line 179). Lifetime value (this year's profit plus the discounted expected future profit) =
profit x (1 + d) / (1 + d - r), d = `discount_rate`, r = renewal probability. Potential = `potential_capture`
x (wallet - revenue) x gross_margin a year, valued the same way. Explicit criteria: a key account has
profit > 0 and is among the `n_key` accounts with the highest lifetime value + potential value. The truth
holds this list computed with the true renewal probabilities (`truth['key_accounts']`).

Effort (section 4.3 of the notebook): a key account manager has `manager_hours` hours, planned in blocks of
10 hours. Selling h hours at an account wins extra revenue sell_capture x (wallet - revenue) x (1 -
exp(-h / hours_scale)) this year only, at the margin less `deal_discount`; relationship work of h hours
raises the account's future lifetime value by relationship_lift x (1 - exp(-h / hours_scale)) of itself and
wins no revenue this year. Paid on revenue, the manager puts each block where it adds most revenue; paid on
lifetime value, where it adds most lifetime value (estimated with the renewal estimates). The company gains
the change in lifetime value less the bonus (`truth['incentives']`, valued with the true renewal
probabilities).
"""

DESCRIPTION_ZH = """
客户来自五个潜在类型（`truth['segments']`）：战略型 strategic 12%（收入服从对数正态分布，均值700千美元；毛利率约34%；
服务成本约为收入的8%；钱包份额15–45%；续约概率约0.92），成长型 growth 8%（均值250；30%；9%；钱包份额仅5–15%；0.88），大单型 big_deal 10%（均值2,400；毛利率在深度折扣后约19%；
服务成本约为收入的18%；钱包份额50–90%；续约概率约0.74），稳定型 steady 32%（均值280；28%；10%；40–80%；0.87）
和小客户 small 38%（均值60；26%；14%；30–90%；0.75）。服务成本 = 收入 x 其比例 x LogNormal(0, 0.15) + 6千美元的行政
管理费用。钱包 = 收入 / 钱包份额。销售运营部门的续约估计 = 真实续约概率 + N(0, `renewal_error`)，截断到
[0.30, 0.98] 并保留两位小数。大单型客户合作时间最长，其总裁也最常与我方总裁打高尔夫球（《客户关系管理文章选编》
（资料3）第175行告诫不要因为这两个理由把客户纳入大客户计划）。

利润 = revenue x gross_margin - cost_to_serve（原文“必须了解服务的成本，而不只是营收”，第179行）。终身价值（本年利润
加上未来预期利润的贴现值）= 利润 x (1 + d) / (1 + d - r)，d = `discount_rate`，r = 续约概率。潜力 =
`potential_capture` x (wallet - revenue) x gross_margin（每年），按同样方式折成价值。明确的标准：大客户利润 > 0，
且终身价值加潜力价值位列前 `n_key` 名。真值中给出用真实续约概率算出的这份名单（`truth['key_accounts']`）。

投入（笔记本第4.3节）：一位大客户经理有 `manager_hours` 小时，以10小时为一块来安排。在一个客户身上推销 h 小时，
当年（仅当年）多赢得 sell_capture x (wallet - revenue) x (1 - exp(-h / hours_scale)) 的收入，毛利率要减去
`deal_discount`；经营关系 h 小时，使该客户未来的终身价值提高 relationship_lift x (1 - exp(-h / hours_scale))，
当年不带来收入。按收入计酬，经理把每一块时间放在新增收入最多的地方；按终身价值计酬，放在新增终身价值（用续约估计
算出）最多的地方。公司所得是终身价值的变化减去奖金（`truth['incentives']`，用真实续约概率计值）。
"""


def lifetime_multiple(renewal, discount_rate):
    """This year plus the discounted expected future years: (1 + d) / (1 + d - r)."""
    return (1.0 + discount_rate) / (1.0 + discount_rate - np.asarray(renewal, dtype=float))


def effort_plan(gain_max: np.ndarray, total_hours: int, hours_scale: float, block: int = BLOCK_HOURS) -> np.ndarray:
    """Hours per option (one row per account, one column per activity) when each block of ``block`` hours goes
    where it adds most; option j's value is gain_max[j] x (1 - exp(-h / hours_scale)). Options with no gain get
    nothing; hours left when no option gains are not spent. The blocks' gains fall geometrically, so taking
    the largest block gains overall is the greedy plan."""
    g = np.asarray(gain_max, dtype=float)
    flat = g.ravel()
    n_blocks = int(total_hours) // block
    q = np.exp(-block / hours_scale)
    k = np.arange(n_blocks)
    gains = np.where(flat[:, None] > 0, flat[:, None] * (1 - q) * q ** k[None, :], 0.0)  # option x block
    take = np.zeros(flat.size, dtype=np.int64)
    if n_blocks and gains.size:
        order = np.argsort(-gains, axis=None, kind="stable")[:n_blocks]
        chosen = order[gains.ravel()[order] > 0]
        take = np.bincount(chosen // n_blocks, minlength=flat.size)
    return (take * block).astype(float).reshape(g.shape)


def incentive_outcome(acc: pd.DataFrame, renewal_plan, renewal_value, k: dict) -> pd.DataFrame:
    """Plans of a manager paid on revenue and one paid on lifetime value (planned with ``renewal_plan``), valued
    with ``renewal_value``: hours by activity, extra revenue, extra lifetime value, bonus, company gain."""
    d, s = k["discount_rate"], k["hours_scale"]
    revenue, margin = acc["revenue"].to_numpy(), acc["gross_margin"].to_numpy()
    profit = revenue * margin - acc["cost_to_serve"].to_numpy()
    headroom = acc["wallet"].to_numpy() - revenue
    sell_rev = k["sell_capture"] * headroom
    sell_profit = sell_rev * (margin - k["deal_discount"])

    def future(r):
        return profit * (lifetime_multiple(r, d) - 1.0)

    plan_rel = k["relationship_lift"] * future(np.asarray(renewal_plan, dtype=float))
    true_rel = k["relationship_lift"] * future(np.asarray(renewal_value, dtype=float))
    rows = {}
    for scheme, gain in (("pay_on_revenue", np.column_stack([sell_rev, np.zeros_like(sell_rev)])),
                         ("pay_on_clv", np.column_stack([sell_profit, plan_rel]))):
        hours = effort_plan(gain, k["manager_hours"], s)
        resp = 1.0 - np.exp(-hours / s)
        extra_revenue = float((sell_rev * resp[:, 0]).sum())
        planned_clv = float((sell_profit * resp[:, 0] + plan_rel * resp[:, 1]).sum())
        extra_clv = float((sell_profit * resp[:, 0] + true_rel * resp[:, 1]).sum())
        bonus = (k["revenue_pay_rate"] * extra_revenue if scheme == "pay_on_revenue"
                 else k["clv_pay_rate"] * planned_clv)
        rows[scheme] = {"selling_hours": float(hours[:, 0].sum()), "relationship_hours": float(hours[:, 1].sum()),
                        "accounts_worked": int((hours.sum(axis=1) > 0).sum()),
                        "extra_revenue": extra_revenue, "extra_clv": extra_clv, "bonus": float(bonus),
                        "company_gain": extra_clv - float(bonus)}
    return pd.DataFrame(rows).T


def key_value(acc: pd.DataFrame, renewal, k: dict) -> pd.DataFrame:
    """Profit, lifetime value, potential value and the explicit-criteria key-account flag, for given renewal
    probabilities."""
    mult = lifetime_multiple(renewal, k["discount_rate"])
    profit = acc["revenue"].to_numpy() * acc["gross_margin"].to_numpy() - acc["cost_to_serve"].to_numpy()
    clv = profit * mult
    potential = k["potential_capture"] * (acc["wallet"].to_numpy() - acc["revenue"].to_numpy()) \
        * acc["gross_margin"].to_numpy() * mult
    score = clv + potential
    eligible = profit > 0
    order = np.lexsort((acc["account_id"].to_numpy(), -np.where(eligible, score, -np.inf)))
    key = np.zeros(len(acc), dtype=bool)
    key[order[: k["n_key"]]] = True
    key &= eligible
    return pd.DataFrame({"profit": profit, "clv": clv, "potential_value": potential, "score": score, "key": key},
                        index=acc.index)


@register("kam", title="Key account management: choosing key accounts and paying their managers",
          title_zh="大客户管理：选择大客户与大客户经理的计酬", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_accounts"]
    pop = draw_segments(rng, n, SEGMENTS)
    revenue = np.maximum(pop["revenue"].to_numpy(), 5.0)
    margin = pop["margin"].to_numpy()
    cost = revenue * pop["cts_share"].to_numpy() * np.exp(0.15 * rng.standard_normal(n)) + FIXED_COST
    wallet = revenue / pop["sow"].to_numpy()
    renewal = pop["renewal"].to_numpy()
    estimate = np.round(np.clip(renewal + k["renewal_error"] * rng.standard_normal(n), 0.30, 0.98), 2)
    accounts = pd.DataFrame({
        "account_id": np.arange(1001, 1001 + n, dtype=np.int64),
        "industry": pop["industry"],
        "revenue": np.round(revenue, 1),
        "gross_margin": np.round(margin, 3),
        "cost_to_serve": np.round(cost, 1),
        "wallet": np.round(wallet, 1),
        "renewal_prob": estimate,
        "years_as_customer": np.maximum(pop["years"].to_numpy(), 1).astype(np.int64),
        "ceo_golf_partner": pop["golf"].to_numpy(dtype=bool),
    })
    true_value = key_value(accounts, renewal, k)
    idx = pd.Index(accounts["account_id"], name="account_id")
    per_account = pd.DataFrame({"segment": pop["segment"].to_numpy(), "renewal": renewal,
                                "profit": true_value["profit"].to_numpy(), "clv": true_value["clv"].to_numpy(),
                                "potential_value": true_value["potential_value"].to_numpy(),
                                "key": true_value["key"].to_numpy()}, index=idx)
    outcome = incentive_outcome(accounts, estimate, renewal, k)
    truth = {
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "key_rule": "profit > 0 and among the n_key highest lifetime value + potential value",
        "key_accounts": sorted(int(a) for a in idx[true_value["key"].to_numpy()]),
        "incentives": {scheme: {c: float(v) for c, v in row.items()} for scheme, row in outcome.iterrows()},
        "fixed_cost": FIXED_COST,
        "block_hours": BLOCK_HOURS,
        "accounts": per_account,
    }
    return {"accounts": accounts}, truth
