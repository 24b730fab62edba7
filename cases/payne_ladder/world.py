"""Payne's loyalty ladder as a Markov chain: customers climbing, slipping and leaving, quarter by quarter (synthetic world).

A firm's CRM system places every customer on one of Adrian Payne's six rungs each quarter (prospect, customer,
client, supporter, advocate, partner); a customer who stops buying is recorded once as ``lost`` and then leaves
the panel. The panel also records each quarter's margin and the referrals the customer made. Planted truth: the
quarterly transition matrix, the margin per quarter on each rung (rising up the ladder), the absorbing-chain
figures that follow from them (expected quarters before being lost, chance and time of reaching the advocate
rung), the lifetime value per rung, and the best split of a per-customer budget between the lower and the upper
rungs under the stated response to spending.

Sources: Relationship-marketing essay (source 4), lines 18–21 (section 3.3: Payne's ladder prospect -> customer
-> client -> supporter -> advocate -> partner; customer value rises with the rung; do not spend only on the two
lowest rungs; classify customers by value to direct limited resources); Analytical CRM course pack (source 1),
line 130 (Huawei: five loyalty stages, suspicion, expectation, first-time buyer, repeat buyer, brand advocate).
Every figure in the tables is synthetic.

Example
-------
>>> from crmlab.worlds import make
>>> w = make("payne_ladder", seed=1, n_customers=500, n_periods=4)
>>> sorted(w.tables)
['panel']
>>> bool((w.truth["transition_matrix"].sum(axis=1).round(12) == 1).all())
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import ladder
from crmlab.worlds import Column, Knob, Table, register

RUNGS = ladder.PAYNE_RUNGS
STATES = (*RUNGS, ladder.LOST)
# Baseline quarterly moves per rung (bottom to top): one rung up, one rung down, lost. ``climb`` and ``churn``
# scale the up-moves and the losses; the rest of each row is "stay".
BASE_UP = (0.12, 0.20, 0.12, 0.08, 0.05, 0.0)
BASE_DOWN = (0.0, 0.0, 0.05, 0.05, 0.05, 0.05)
BASE_LOSE = (0.25, 0.12, 0.06, 0.04, 0.03, 0.02)
# Rungs of the customer base in the first quarter of the panel.
START = {"prospect": 0.40, "customer": 0.25, "client": 0.15, "supporter": 0.10, "advocate": 0.06, "partner": 0.04}
# Referrals per quarter (Poisson mean) on each rung: advocates and partners speak for the firm.
REFERRAL_RATE = (0.0, 0.02, 0.05, 0.15, 0.8, 1.0)
MARGIN_SD = 0.3  # log-normal spread of one quarter's margin around the rung's planted margin
LOWER, UPPER = ("prospect", "customer"), ("client", "supporter")
# Payne's rungs gathered into Huawei's five stages (a prospect is suspicion or expectation: an attitude the
# transaction data cannot tell apart, so both map to one stage here).
HUAWEI_OF = {"prospect": "suspicion/expectation", "customer": "first_time_buyer", "client": "repeat_buyer",
             "supporter": "repeat_buyer", "advocate": "advocate", "partner": "advocate"}

SNAPSHOT_KNOBS = {"n_customers": 500, "n_periods": 8}
KNOBS = [
    Knob("n_customers", 3000, int, "number of customers in the panel (all rungs, first quarter)", low=500,
         high=500_000, doc_zh="面板中的客户数（第一个季度时分布在各级）"),
    Knob("n_periods", 12, int, "number of quarters observed", low=4, high=60, unit="quarters",
         doc_zh="观察的季度数"),
    Knob("climb", 1.0, float, "multiplier on the baseline chance of moving one rung up in a quarter",
         low=0.2, high=2.0, doc_zh="每季度上升一级的基准概率的倍数"),
    Knob("churn", 1.0, float, "multiplier on the baseline chance of being lost in a quarter", low=0.2, high=2.0,
         doc_zh="每季度流失的基准概率的倍数"),
    Knob("margin_customer", 40.0, float, "margin per quarter of a customer on the 'customer' rung (prospects "
         "earn nothing)", low=1.0, high=10_000.0, unit="yuan per quarter",
         doc_zh="处于“顾客”一级的客户每季度带来的毛利（潜在顾客不带来毛利）"),
    Knob("value_gradient", 0.75, float, "each rung above 'customer' adds this multiple of the customer margin "
         "per quarter (how steeply value rises up the ladder)", low=0.0, high=5.0,
         doc_zh="“顾客”以上每高一级，每季度毛利增加“顾客”毛利的这一倍数（价值沿阶梯上升的陡峭程度）"),
    Knob("budget", 40.0, float, "development budget per customer and quarter, to be split between the lower "
         "rungs (prospect, customer) and the upper rungs (client, supporter)", low=0.0, high=1000.0,
         unit="yuan per quarter", doc_zh="每位客户每季度的发展预算，在低层（潜在顾客、顾客）与高层（客户、支持者）之间分配"),
    Knob("spend_effect", 0.03, float, "response to spending: x yuan on a rung moves a share 1 - exp(-effect x) "
         "of its stay probability one rung up (the marketing team's stated assumption; not in the tables)",
         low=0.0, high=1.0, unit="per yuan",
         doc_zh="对投入的响应：在某一级投入 x 元，会把该级“留在原级”概率中 1 - exp(-effect x) 的份额移到上一级"
                "（营销团队给出的假设；不体现在数据表里）"),
    Knob("discount", 0.03, float, "discount rate per quarter for lifetime value", low=0.0, high=0.5,
         unit="per quarter", doc_zh="计算客户终身价值时每季度的贴现率"),
]

C = Column
TABLES = [
    Table("panel", "One row per customer and quarter while the customer is with the firm: the rung the CRM "
          "system assigned, the quarter's margin and referrals. A lost customer appears once with rung 'lost' "
          "and not afterwards.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("period", "int64", "quarter (0 = first quarter of the panel)", "quarter",
                doc_zh="季度（0 = 面板的第一个季度）"),
              C("rung", "category", "rung of the loyalty ladder in that quarter: prospect, customer, client, "
                "supporter, advocate, partner, or lost", doc_zh="该季度所在的忠诚度阶梯层级：prospect（潜在顾客）、"
                "customer（顾客）、client（客户）、supporter（支持者）、advocate（宣传者）、partner（伙伴），或 lost（流失）"),
              C("margin", "float64", "margin earned from the customer in that quarter", "yuan",
                doc_zh="该季度从该客户获得的毛利"),
              C("referrals", "int64", "new prospects the customer referred in that quarter",
                doc_zh="该客户在该季度推荐来的新潜在顾客数"),
          ), doc_zh="每位客户在与企业保持关系期间每个季度一行：CRM 系统给出的层级、该季度的毛利和推荐人数。"
                    "流失的客户以层级 lost 出现一次，之后不再出现。"),
]

DESCRIPTION = """
Each quarter a customer moves one rung up, one rung down, is lost, or stays, with probabilities that depend
only on the current rung (a Markov chain; `truth['transition_matrix']`). Baseline quarterly probabilities,
bottom to top rung: up 0.12, 0.20, 0.12, 0.08, 0.05, 0 (times `climb`); down 0, 0, 0.05, 0.05, 0.05, 0.05;
lost 0.25, 0.12, 0.06, 0.04, 0.03, 0.02 (times `churn`); stay = the rest. Lost is absorbing: a lost customer
is recorded once and leaves the panel. First-quarter rungs: prospect 40%, customer 25%, client 15%,
supporter 10%, advocate 6%, partner 4%.

Margin per quarter on rung r (customer = 1 … partner = 5) is margin_customer x (1 + value_gradient x (r - 1));
prospects earn 0 (`truth['margin_per_rung']`). One quarter's margin is that value times LogNormal(0, 0.3)
(mean-corrected, so its expectation is the planted value). Referrals are Poisson with mean 0, 0.02, 0.05, 0.15,
0.8, 1.0 per quarter from prospect to partner: the rungs differ in what the customer does, not only in margin.

Absorbing-chain figures (Kemeny & Snell 1960): `truth['absorbing']` holds, per rung, the expected quarters
before being lost, and — with advocate and lost both absorbing — the probability of reaching advocate and the
expected quarters to get there. `truth['value_per_rung']` is the discounted lifetime value v = r + P v /
(1 + discount). `truth['budget']` is crmlab.ladder.budget_allocation on the planted chain: the budget per
customer and quarter is split between (prospect, customer) and (client, supporter) in steps of 10%, each
x yuan on a rung moves a share 1 - exp(-spend_effect x) of that rung's stay probability one rung up, and the
value of the first-quarter customer base is compared; `truth['best_share_lower']` is the best share.
"""

DESCRIPTION_ZH = """
每个季度，客户上升一级、下降一级、流失或留在原级，概率只取决于当前所在的层级（马尔可夫链，Markov chain；见
`truth['transition_matrix']`）。从最低一级到最高一级的基准季度概率：上升 0.12、0.20、0.12、0.08、0.05、0（乘以
`climb`）；下降 0、0、0.05、0.05、0.05、0.05；流失 0.25、0.12、0.06、0.04、0.03、0.02（乘以 `churn`）；其余为
留在原级。流失（lost）是吸收状态（absorbing state）：流失的客户记录一次后离开面板。第一个季度的层级分布：潜在顾客
40%、顾客 25%、客户 15%、支持者 10%、宣传者 6%、伙伴 4%。

第 r 级（顾客 = 1 … 伙伴 = 5）每季度的毛利为 margin_customer x (1 + value_gradient x (r - 1))；潜在顾客为 0（见
`truth['margin_per_rung']`）。单个季度的毛利等于该值乘以 LogNormal(0, 0.3)（已做均值校正，期望值等于设定值）。
推荐人数服从泊松分布，从潜在顾客到伙伴每季度的均值依次为 0、0.02、0.05、0.15、0.8、1.0：各级客户的差别不只在毛利，
还在行为上。

吸收马尔可夫链的各项指标（Kemeny & Snell 1960）：`truth['absorbing']` 按层级给出流失前的期望季度数，以及把宣传者和
流失都设为吸收状态时到达宣传者的概率和所需的期望季度数。`truth['value_per_rung']` 是贴现后的客户终身价值
v = r + P v / (1 + discount)。`truth['budget']` 是在设定的转移矩阵上运行 crmlab.ladder.budget_allocation 的结果：
每位客户每季度的预算以10%为步长在（潜在顾客、顾客）与（客户、支持者）之间分配，在某一级投入 x 元会把该级“留在原级”
概率中 1 - exp(-spend_effect x) 的份额移到上一级，比较的是第一个季度客户群的总价值；`truth['best_share_lower']`
是最优的低层预算比例。
"""


def planted_matrix(climb: float = 1.0, churn: float = 1.0) -> pd.DataFrame:
    """The planted quarterly transition matrix over the six rungs and ``lost`` for the given multipliers.

    Example
    -------
    >>> P = planted_matrix()
    >>> float(P.loc["prospect", "customer"]), float(P.loc["prospect", "prospect"])
    (0.12, 0.63)
    """
    k = len(RUNGS)
    M = np.zeros((k + 1, k + 1))
    for i in range(k):
        if i + 1 < k:
            M[i, i + 1] = BASE_UP[i] * climb
        if i > 0:
            M[i, i - 1] = BASE_DOWN[i]
        M[i, k] = BASE_LOSE[i] * churn
        M[i, i] = 1.0 - M[i].sum()
    M[k, k] = 1.0
    return pd.DataFrame(M, index=list(STATES), columns=list(STATES))


def planted_margins(margin_customer: float = 40.0, value_gradient: float = 0.75) -> dict:
    """Margin per quarter on each rung (prospect and lost earn 0).

    Example
    -------
    >>> planted_margins(40.0, 0.75)["partner"]
    160.0
    """
    out = {"prospect": 0.0}
    for r, rung in enumerate(RUNGS[1:], start=1):
        out[rung] = float(margin_customer * (1 + value_gradient * (r - 1)))
    return out


@register("payne_ladder", title="Payne's loyalty ladder: moving customers up the rungs",
          title_zh="佩恩的顾客忠诚度阶梯：推动客户逐级上升", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n, T = k["n_customers"], k["n_periods"]
    P = planted_matrix(k["climb"], k["churn"])
    sim = ladder.simulate_chain(P, START, n_customers=n, n_periods=T, seed=rng)
    code = sim["state"].cat.codes.to_numpy().reshape(n, T)
    lost = len(RUNGS)
    # keep each customer's quarters up to and including the first 'lost'
    was_lost_before = np.zeros((n, T), dtype=bool)
    was_lost_before[:, 1:] = np.cumsum(code == lost, axis=1)[:, :-1] > 0
    keep = ~was_lost_before.ravel()
    codes = code.ravel()[keep]
    margins = planted_margins(k["margin_customer"], k["value_gradient"])
    mean_margin = np.array([margins[r] for r in RUNGS] + [0.0])[codes]
    noise = np.exp(MARGIN_SD * rng.standard_normal(codes.size) - MARGIN_SD ** 2 / 2)
    referrals = rng.poisson(np.array(list(REFERRAL_RATE) + [0.0])[codes])
    panel = pd.DataFrame({
        "customer_id": (sim["customer_id"].to_numpy()[keep] + 1).astype(np.int64),
        "period": sim["period"].to_numpy()[keep].astype(np.int64),
        "rung": pd.Categorical.from_codes(codes, categories=list(STATES)),
        "margin": np.round(mean_margin * noise, 2),
        "referrals": referrals.astype(np.int64),
    })
    absorbing = ladder.absorbing_summary(P, [ladder.LOST])[["expected_steps"]].rename(
        columns={"expected_steps": "quarters_before_lost"})
    to_adv = ladder.absorbing_summary(P, ["advocate", ladder.LOST]).reindex(list(RUNGS))
    absorbing["prob_advocate"] = to_adv["prob_advocate"]
    absorbing["quarters_to_advocate"] = to_adv["steps_to_advocate"]
    absorbing.loc["advocate", ["prob_advocate", "quarters_to_advocate"]] = [1.0, 0.0]
    values = ladder.value_by_rung(P, margins, discount=k["discount"])
    budget = ladder.budget_allocation(P, margins, budget=k["budget"], lower=list(LOWER), upper=list(UPPER),
                                      start=START, effect=k["spend_effect"], discount=k["discount"])
    truth = {
        "transition_matrix": P,
        "start_distribution": dict(START),
        "margin_per_rung": margins,
        "referral_rate": dict(zip(RUNGS, REFERRAL_RATE)),
        "absorbing": absorbing,
        "value_per_rung": values.drop(ladder.LOST).to_dict(),
        "budget": budget,
        "best_share_lower": float(budget.loc[budget["best"], "share_lower"].iloc[0]),
        "lower_rungs": list(LOWER), "upper_rungs": list(UPPER),
        "huawei_of_payne": dict(HUAWEI_OF),
    }
    return {"panel": panel}, truth
