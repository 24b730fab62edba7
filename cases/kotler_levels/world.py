"""Kotler's five relationship levels chosen segment by segment across a firm's whole customer base (synthetic world).

A firm sells into many market segments that differ in how many customers they hold and in the yearly margin each
customer brings: the big segments hold many customers with small margins, the small ones few customers with high
margins. The firm ran a relationship pilot: in every segment, customers were served at one of Kotler's five levels
(assigned at random) and whether each renewed a year later was recorded. The cost of each level has a part paid per
customer and a part paid once per segment (hotline, follow-up system, account team). A lost customer has to be
replaced at the segment's acquisition cost, about five times the cost of keeping one. Planted truth: the renewal
probability of every segment at every level, each segment's best level by yearly profit per customer (margin minus
the relationship's cost minus the cost of replacing the customers lost), and what Kotler's 3 x 3 grid would choose.

Sources: CRM Q&A compilation (source 0), line 212 (the five kinds of customer need: stated, real, unstated, delight,
secret, with the car-buyer examples); line 214 (Kotler's five relationship levels, what the seller does at each;
many customers with small unit margins -> basic, few customers with high margins -> partnership); line 215 (choose by
lifetime value against the cost of attracting and keeping the customers); line 237 (winning a new customer costs five
times as much as keeping an old one; the 20/80 rule); lines 249–251 (partnership, the most stable relationship when a
firm has few customers and high margins). Every figure in the tables is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw

LEVELS = ("basic", "reactive", "accountable", "proactive", "partnership")
# Cost of running each level (synthetic, yuan a year): per customer, and fixed per segment (hotline, follow-up
# system, account team). Basic has no after-sale contact at all (source 0, line 214).
COST_PER_CUSTOMER = {"basic": 0.0, "reactive": 40.0, "accountable": 250.0, "proactive": 1000.0, "partnership": 5000.0}
FIXED_PER_SEGMENT = {"basic": 0.0, "reactive": 30_000.0, "accountable": 60_000.0, "proactive": 80_000.0,
                     "partnership": 20_000.0}
# Planted renewal lift of each level on the log-odds scale, over the segment's basic-level renewal.
LIFT = {"basic": 0.0, "reactive": 0.3, "accountable": 0.7, "proactive": 1.1, "partnership": 1.6}
# The five kinds of need with the source's car-buyer example of each (source 0, line 212).
NEEDS = {"expensive_car": "stated", "cheap_to_run": "real", "good_service": "unstated",
         "free_road_map": "delight", "seen_as_savvy": "secret"}
NEED_KINDS = ("stated", "real", "unstated", "delight", "secret")

SNAPSHOT_KNOBS = {"n_segments": 24, "pilot_per_segment": 200}
KNOBS = [
    Knob("n_segments", 24, int, "number of market segments in the firm's customer base", low=4, high=2000,
         doc_zh="企业客户群中细分市场的个数"),
    Knob("pilot_per_segment", 500, int, "customers per segment in the relationship pilot (each served at a level "
         "drawn at random)", low=25, high=200_000, doc_zh="关系试点中每个细分市场的客户数（每位客户随机采用一种关系类型）"),
    Knob("acquisition_multiple", 5.0, float, "cost of winning a new customer divided by the yearly cost of keeping "
         "one (source 0, line 237: five times)", low=0.5, high=20.0,
         doc_zh="获取一位新客户的成本与保留一位老客户一年的成本之比（资料0第237行：5倍）"),
    Knob("retention_cost_share", 0.2, float, "yearly cost of keeping a customer under today's programme, as a share "
         "of the customer's yearly margin", low=0.01, high=1.0,
         doc_zh="现行方案下保留一位客户一年的成本占该客户年毛利的比例"),
    Knob("margin_noise", 0.35, float, "spread (log10) of the unit margin around the many-customers-small-margin "
         "diagonal: 0 means the number of customers fixes the margin", low=0.0, high=1.5,
         doc_zh="单位毛利围绕“客户多、毛利小”对角线的离散程度（log10）：0 表示客户数完全决定毛利"),
    Knob("cost_scale", 1.0, float, "multiplies every level's cost (per customer and per segment)", low=0.0,
         high=10.0, doc_zh="所有关系类型成本（每位客户和每个细分市场）的倍数"),
]

C = Column
TABLES = [
    Table("segments", "One row per market segment: its customers, the yearly margin each brings, and last year's "
          "spending on winning and keeping customers.", (
              C("segment_id", "int64", "segment id", doc_zh="细分市场编号"),
              C("customers", "int64", "customers in the segment", doc_zh="该细分市场的客户数"),
              C("unit_margin", "float64", "yearly gross margin per customer", "yuan",
                doc_zh="每位客户每年带来的毛利"),
              C("new_customers", "int64", "customers won last year (to replace those lost)",
                doc_zh="去年新获得的客户数（用于补充流失的客户）"),
              C("acquisition_spend", "float64", "last year's spending on winning new customers", "yuan",
                doc_zh="去年用于获取新客户的支出"),
              C("retention_spend", "float64", "last year's spending on keeping the segment's customers (today's "
                "programme)", "yuan", doc_zh="去年用于保留该细分市场客户的支出（现行方案）"),
          ), doc_zh="每个细分市场一行：客户数、每位客户每年带来的毛利，以及去年获取和保留客户的支出。"),
    Table("levels", "One row per relationship level: what it costs per customer and per segment each year.", (
              C("level", "category", "relationship level (Kotler): basic, reactive, accountable, proactive, "
                "partnership", doc_zh="关系类型（科特勒）：基本型、被动型、负责型、能动型、伙伴型"),
              C("cost_per_customer", "float64", "yearly cost per customer served at the level", "yuan",
                doc_zh="以该类型服务的每位客户每年的成本"),
              C("fixed_cost_per_segment", "float64", "yearly cost paid once per segment served at the level "
                "(hotline, follow-up system, account team)", "yuan",
                doc_zh="每个采用该类型的细分市场每年一次性支付的成本（热线、回访系统、客户团队）"),
          ), doc_zh="每种关系类型一行：每年每位客户和每个细分市场的成本。"),
    Table("pilot", "One row per customer in the relationship pilot: the segment, the level the customer was served "
          "at (drawn at random) and whether the customer renewed a year later.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("segment_id", "int64", "segment id", doc_zh="细分市场编号"),
              C("level", "category", "relationship level the customer was served at", doc_zh="该客户所享受的关系类型"),
              C("renewed", "bool", "the customer renewed a year later", doc_zh="一年后该客户是否续约"),
          ), doc_zh="关系试点中每位客户一行：所属细分市场、所采用的关系类型（随机分配）以及一年后是否续约。"),
    Table("need_examples", "The source's five car-buyer examples of customer needs, in an order drawn for this world.", (
              C("example_id", "int64", "example number", doc_zh="例子编号"),
              C("example", "category", "short key of the example (the notebook gives the sentence)",
                doc_zh="例子的简短代号（笔记本中给出完整句子）"),
          ), doc_zh="资料中购车者的五个顾客需要的例子，顺序按本数据世界随机排列。"),
]

DESCRIPTION = """
Segments: log10(customers) is spread evenly over 1..5 (10 to 100,000 customers; the segments' order shuffled);
log10(unit_margin) = 5.6 - (log10(customers) - 1) + N(0, `margin_noise`), so many customers go with small
margins (source 0, line 214). The segment's renewal at the basic level r0 ~ Uniform(0.55, 0.80); at level L the
renewal probability is expit(logit(r0) + lift_L) with lifts 0, 0.3, 0.7, 1.1, 1.6 on the log-odds scale
(`truth['segments']`, columns r_<level>). Today's retention cost per customer = `retention_cost_share` x
unit_margin x LogNormal(0, 0.15); acquisition cost per new customer = `acquisition_multiple` x that x
LogNormal(0, 0.25) (source 0, line 237: five times); new_customers ~ Binomial(customers, 1 - r0), at least 1;
acquisition_spend = new_customers x acquisition cost; retention_spend = customers x retention cost.

Levels: cost per customer 0, 40, 250, 1,000, 5,000 yuan and fixed cost per segment 0, 30,000, 60,000, 80,000,
20,000 yuan a year, both times `cost_scale`.

Pilot: `pilot_per_segment` customers per segment, the five levels assigned in equal numbers in a random order;
renewed ~ Bernoulli(the segment's renewal probability at the level).

Best level (planted): the level with the highest yearly profit per customer when every lost customer is replaced,
profit_L = unit_margin - cost_per_customer_L - fixed_cost_L / customers - (1 - r_L) x acquisition cost, with the
planted r_L (`truth['segments']`: profit_<level>, best_level). The Kotler grid level puts each segment in a tercile
of customers (many / medium / few) and of unit margin (low / medium / high) and reads crmlab.loyalty.kotler_grid.
`truth['tailored_gain']` is the firm's yearly profit with each segment at its best level minus that with the best
single level for all; `truth['acquisition_ratio']` is the firm-wide acquisition cost per new customer divided by the
retention cost per customer. Need examples: the five of source 0, line 212, in a random order.
"""

DESCRIPTION_ZH = """
细分市场：log10(customers) 均匀分布在 1..5 之间（10 到 100,000 位客户；细分市场的顺序随机打乱）；
log10(unit_margin) = 5.6 - (log10(customers) - 1) + N(0, `margin_noise`)，即客户多的市场毛利小（资料0第214行）。
细分市场在基本型下的续约率 r0 ~ Uniform(0.55, 0.80)；在类型 L 下的续约概率为 expit(logit(r0) + lift_L)，
对数优势（log-odds）尺度上的提升依次为 0、0.3、0.7、1.1、1.6（`truth['segments']` 中的 r_<level> 列）。
现行方案下每位客户的保留成本 = `retention_cost_share` x unit_margin x LogNormal(0, 0.15)；每位新客户的获取成本 =
`acquisition_multiple` x 保留成本 x LogNormal(0, 0.25)（资料0第237行：5倍）；new_customers ~
Binomial(customers, 1 - r0)，至少为1；acquisition_spend = new_customers x 获取成本；retention_spend = customers x 保留成本。

关系类型：每位客户的成本依次为 0、40、250、1,000、5,000 元，每个细分市场的固定成本依次为 0、30,000、60,000、
80,000、20,000 元/年，两者都乘以 `cost_scale`。

试点：每个细分市场 `pilot_per_segment` 位客户，五种类型等量分配、顺序随机；renewed ~ Bernoulli(该细分市场在该类型下的续约概率)。

最优类型（预设）：在每位流失客户都要补充的情况下，每位客户年利润最高的类型，
profit_L = unit_margin - cost_per_customer_L - fixed_cost_L / customers - (1 - r_L) x 获取成本，其中 r_L 为预设值
（`truth['segments']`：profit_<level>、best_level）。科特勒方格的类型：按客户数（多/中/少）和单位毛利（低/中/高）的
三分位把每个细分市场归入一格，再查 crmlab.loyalty.kotler_grid。`truth['tailored_gain']` 是每个细分市场采用各自最优类型时
企业的年利润减去所有细分市场统一采用最好的单一类型时的年利润；`truth['acquisition_ratio']` 是全企业每位新客户的获取成本
除以每位客户的保留成本。需要的例子：资料0第212行的五个例子，顺序随机。
"""


def level_profit(margin, customers, renewal, acquisition_cost, cost_per_customer, fixed_per_segment) -> np.ndarray:
    """Yearly profit per customer of each segment (rows) at each level (columns) when lost customers are replaced.

    ``margin - cost_per_customer - fixed / customers - (1 - renewal) x acquisition_cost``; ``renewal`` is a
    segments x levels array, the costs one value per level. (A candidate for crmlab.loyalty: the steady-state
    counterpart of relationship_level_values.)

    >>> level_profit([100.0], [10], [[0.5, 0.9]], [50.0], [0.0, 10.0], [0.0, 100.0]).round(1).tolist()
    [[75.0, 75.0]]
    """
    m = np.asarray(margin, dtype=float)[:, None]
    n = np.asarray(customers, dtype=float)[:, None]
    a = np.asarray(acquisition_cost, dtype=float)[:, None]
    r = np.asarray(renewal, dtype=float)
    c = np.asarray(cost_per_customer, dtype=float)[None, :]
    f = np.asarray(fixed_per_segment, dtype=float)[None, :]
    return m - c - f / n - (1 - r) * a


def grid_levels(customers, margin) -> np.ndarray:
    """Kotler's 3 x 3 grid: customers and margin each cut at their terciles, then crmlab.loyalty.kotler_grid."""
    from crmlab.loyalty import kotler_grid
    n = np.asarray(customers, dtype=float)
    m = np.asarray(margin, dtype=float)
    nq = np.quantile(n, [1 / 3, 2 / 3])
    mq = np.quantile(m, [1 / 3, 2 / 3])
    size = np.array(["few", "medium", "many"], dtype=object)[np.searchsorted(nq, n, side="right")]
    marg = np.array(["low", "medium", "high"], dtype=object)[np.searchsorted(mq, m, side="right")]
    return np.array([kotler_grid(s, g) for s, g in zip(size, marg)], dtype=object)


@register("kotler_levels", title="Kotler's five levels of customer relationship: choosing the right one",
          title_zh="科特勒的五种顾客关系类型", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    s = k["n_segments"]
    ids = np.arange(1, s + 1, dtype=np.int64)
    log_n = 1 + 4 * (rng.permutation(s) + rng.random(s)) / s
    customers = np.maximum(2, np.round(10 ** log_n)).astype(np.int64)
    margin = 10 ** (5.6 - (np.log10(customers) - 1) + k["margin_noise"] * rng.standard_normal(s))
    r0 = rng.uniform(0.55, 0.80, s)
    lift = np.array([LIFT[lv] for lv in LEVELS])
    renewal = 1 / (1 + np.exp(-(np.log(r0 / (1 - r0))[:, None] + lift[None, :])))
    keep = k["retention_cost_share"] * margin * np.exp(0.15 * rng.standard_normal(s))
    acq = k["acquisition_multiple"] * keep * np.exp(0.25 * rng.standard_normal(s))
    new = np.maximum(1, rng.binomial(customers, 1 - r0)).astype(np.int64)
    segments = pd.DataFrame({"segment_id": ids, "customers": customers, "unit_margin": margin,
                             "new_customers": new, "acquisition_spend": new * acq,
                             "retention_spend": customers * keep})

    cpc = np.array([COST_PER_CUSTOMER[lv] for lv in LEVELS]) * k["cost_scale"]
    fix = np.array([FIXED_PER_SEGMENT[lv] for lv in LEVELS]) * k["cost_scale"]
    levels = pd.DataFrame({"level": pd.Categorical(LEVELS, categories=LEVELS, ordered=True),
                           "cost_per_customer": cpc, "fixed_cost_per_segment": fix})

    p = k["pilot_per_segment"]
    lv_code = np.concatenate([rng.permutation(np.resize(np.arange(len(LEVELS)), p)) for _ in range(s)])
    seg_idx = np.repeat(np.arange(s), p)
    _, renewed = logit_draw(rng, np.log(r0 / (1 - r0))[seg_idx] + lift[lv_code])
    pilot = pd.DataFrame({"customer_id": np.arange(1, s * p + 1, dtype=np.int64),
                          "segment_id": ids[seg_idx],
                          "level": pd.Categorical.from_codes(lv_code, categories=LEVELS, ordered=True),
                          "renewed": renewed.astype(bool)})

    keys = list(NEEDS)
    order = rng.permutation(len(keys))
    needs = pd.DataFrame({"example_id": np.arange(1, len(keys) + 1, dtype=np.int64),
                          "example": pd.Categorical([keys[i] for i in order], categories=keys)})

    profit = level_profit(margin, customers, renewal, acq, cpc, fix)
    best = profit.argmax(axis=1)
    grid = grid_levels(customers, margin)
    truth_seg = pd.DataFrame(index=pd.Index(ids, name="segment_id"))
    truth_seg["r0"] = r0
    for j, lv in enumerate(LEVELS):
        truth_seg[f"r_{lv}"] = renewal[:, j]
    for j, lv in enumerate(LEVELS):
        truth_seg[f"profit_{lv}"] = profit[:, j]
    truth_seg["acquisition_cost"] = acq
    truth_seg["retention_cost"] = keep
    truth_seg["best_level"] = pd.Categorical.from_codes(best, categories=LEVELS, ordered=True)
    truth_seg["grid_level"] = pd.Categorical(grid, categories=LEVELS, ordered=True)
    totals = (profit * customers[:, None]).sum(axis=0)
    tailored = float((profit.max(axis=1) * customers).sum())
    truth = {
        "lift": dict(LIFT),
        "acquisition_ratio": float((new * acq).sum() / new.sum() / ((customers * keep).sum() / customers.sum())),
        "best_level_counts": {lv: int((best == j).sum()) for j, lv in enumerate(LEVELS)},
        "grid_agreement": float((grid == np.asarray(LEVELS, dtype=object)[best]).mean()),
        "tailored_profit": tailored,
        "best_uniform_level": LEVELS[int(totals.argmax())],
        "tailored_gain": tailored - float(totals.max()),
        "needs": {i + 1: NEEDS[keys[j]] for i, j in enumerate(order)},
        "segments": truth_seg,
    }
    return {"segments": segments, "levels": levels, "pilot": pilot, "need_examples": needs}, truth
