"""CRM along the supply chain: shared end-customer demand data and the bullwhip effect (synthetic world).

A four-echelon chain — retailer → distributor → manufacturer → supplier, the upstream-to-downstream chain of
Huawei's supply-chain view (Analytical CRM course pack (source 1), line 231) — serves weekly end-customer
demand. Every echelon follows an order-up-to policy with a moving-average forecast and the same lead time.
The chain is simulated twice on the SAME demand draws (common random numbers): once with each echelon
forecasting from the orders it receives (no sharing), once with every echelon forecasting from the
end-customer demand data the retailer's CRM collects (shared). The demand process, the policy and the
analytical variance ratios (Chen, Drezner, Ryan & Simchi-Levi 2000) are planted truth.

Sources: CRM vendor web page (source 2), lines 54–62 (an article: CRM must be part of the supply-chain
processes; better communication along the chain gives more accurate demand forecasts and reduces demand
variation); Analytical CRM course pack (source 1), lines 230–231 (Huawei: chains compete with chains; a
chain runs from suppliers through manufacturers and distributors to customers). Public record: Lee,
Padmanabhan & Whang (1997), "Information distortion in a supply chain: the bullwhip effect", Management
Science 43(4); Chen, Drezner, Ryan & Simchi-Levi (2000), "Quantifying the bullwhip effect in a simple supply
chain", Management Science 46(3). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register

ECHELONS = ("retailer", "distributor", "manufacturer", "supplier")
REGIMES = ("no_sharing", "shared")

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_replications": 4, "n_weeks": 52}

KNOBS = [
    Knob("n_replications", 20, int, "number of independent replications of the chain (each its own demand draws)",
         low=2, high=2000, doc_zh="供应链独立重复模拟的次数（每次有自己的需求抽样）"),
    Knob("n_weeks", 104, int, "weeks recorded per replication (after a warm-up that is not recorded)",
         low=30, high=5000, unit="weeks", doc_zh="每次重复记录的周数（不含不记录的预热期）"),
    Knob("demand_mean", 100.0, float, "mean weekly end-customer demand", low=1.0, high=1e6, unit="units/week",
         doc_zh="终端客户每周平均需求"),
    Knob("demand_sd", 20.0, float, "standard deviation of weekly end-customer demand", low=0.5, high=1e6,
         unit="units/week", doc_zh="终端客户每周需求的标准差"),
    Knob("demand_rho", 0.0, float, "week-to-week autocorrelation of end-customer demand (AR(1) coefficient)",
         low=-0.9, high=0.95, doc_zh="终端客户需求的周间自相关系数（AR(1) 系数）"),
    Knob("lead_time", 2, int, "weeks from placing an order until the goods arrive (the same at every echelon)",
         low=1, high=12, unit="weeks", doc_zh="从下订单到货物到达的周数（各级相同）"),
    Knob("forecast_window", 8, int, "weeks in the moving-average forecast", low=2, high=52, unit="weeks",
         doc_zh="移动平均预测所用的周数"),
    Knob("safety_factor", 1.65, float, "safety factor z: safety stock = z x demand_sd x sqrt(lead_time)",
         low=0.0, high=4.0, doc_zh="安全系数 z：安全库存 = z x demand_sd x sqrt(lead_time)"),
    Knob("holding_cost", 1.0, float, "cost of holding one unit in stock for a week", low=0.0, high=1000.0,
         unit="CNY/unit/week", doc_zh="一件货物在库存中存放一周的成本"),
    Knob("backlog_cost", 4.0, float, "cost of one unit of unfilled (backlogged) demand for a week", low=0.0,
         high=1000.0, unit="CNY/unit/week", doc_zh="一件未满足（延期交货）的需求拖延一周的成本"),
]

C = Column
TABLES = [
    Table("demand", "One row per replication and week: the end-customer demand the retailer's CRM records "
          "(point-of-sale data).", (
              C("replication", "int64", "replication number (1, 2, ...)", doc_zh="重复模拟的编号（1、2、……）"),
              C("week", "int64", "week number within the replication (1, 2, ...)", "week",
                doc_zh="该次重复中的周序号（1、2、……）"),
              C("demand", "int64", "units bought by end customers in the week", "units",
                doc_zh="终端客户当周购买的件数"),
          ), doc_zh="每次重复、每周一行：零售商的客户关系管理系统记录的终端客户需求（销售终端 POS 数据）。"),
    Table("chain", "One row per replication, information regime, echelon and week: what the echelon received "
          "as orders, forecast, ordered, shipped and held.", (
              C("replication", "int64", "replication number (the same demand draws in both regimes)",
                doc_zh="重复模拟的编号（两种信息机制使用同一组需求抽样）"),
              C("regime", "category", "information regime: 'no_sharing' (each echelon sees only the orders it "
                                      "receives) or 'shared' (every echelon sees end-customer demand)",
                doc_zh="信息机制：'no_sharing'（各级只看到自己收到的订单）或 'shared'（各级都能看到终端客户需求）"),
              C("echelon", "category", "retailer, distributor, manufacturer or supplier (downstream to upstream)",
                doc_zh="零售商、分销商、制造商或供应商（由下游到上游）"),
              C("stage", "int64", "position in the chain: 1 retailer ... 4 supplier", doc_zh="在链中的位置：1 零售商 …… 4 供应商"),
              C("week", "int64", "week number within the replication", "week", doc_zh="该次重复中的周序号"),
              C("incoming", "float64", "units ordered from this echelon in the week by its customer (end-customer "
                                       "demand for the retailer)", "units",
                doc_zh="当周其下游客户向该级订购的件数（对零售商而言就是终端客户需求）"),
              C("forecast", "float64", "forecast of weekly demand made at the end of the week, for the weeks "
                                       "ahead", "units/week", doc_zh="周末做出的、对此后每周需求的预测"),
              C("order", "float64", "units this echelon ordered from its upstream at the end of the week", "units",
                doc_zh="该级在周末向上游订购的件数"),
              C("received", "float64", "units that arrived from upstream at the start of the week", "units",
                doc_zh="周初从上游到货的件数"),
              C("filled", "float64", "units of this week's incoming orders shipped in the same week from stock",
                "units", doc_zh="当周收到的订单中当周即从库存发出的件数"),
              C("shipped", "float64", "units shipped downstream in the week (backlog first, then this week's "
                                      "orders)", "units", doc_zh="当周向下游发出的件数（先补发欠货，再发当周订单）"),
              C("on_hand", "float64", "units in stock at the end of the week", "units", doc_zh="周末库存件数"),
              C("backlog", "float64", "units ordered but not yet shipped at the end of the week", "units",
                doc_zh="周末已订购但尚未发货的欠货件数"),
          ), doc_zh="每次重复、每种信息机制、每一级、每周一行：该级收到的订单、预测、订货、发货和库存。"),
]

DESCRIPTION = """
The chain's links follow Huawei's supply-chain view — suppliers, manufacturers, distributors, customers (Analytical
CRM course pack (source 1), lines 230–231); the claim under test is the article's: CRM information passed along
the chain gives more accurate demand forecasts and reduces demand variation (CRM vendor web page (source 2),
line 62). The sources give no figures: demand, lead times, stocks and costs are synthetic.

End-customer demand is an AR(1) process around `demand_mean` with stationary standard deviation `demand_sd`
and autocorrelation `demand_rho`, rounded to whole units and floored at zero; the same draws are used in both
regimes (common random numbers). Each replication runs a warm-up (not recorded) and then `n_weeks` weeks.

Each week, echelon by echelon from the retailer up: goods ordered `lead_time` weeks ago arrive; the echelon
ships its backlog first and then as much of the week's incoming orders as its stock allows (`filled`); then it
forecasts weekly demand by the moving average of the last `forecast_window` weeks of its signal — its own
incoming orders ('no_sharing') or end-customer demand ('shared', the CRM data shared along the chain) — sets
the order-up-to level S = lead_time x forecast + safety stock, with safety stock = safety_factor x demand_sd x
sqrt(lead_time) at every echelon in both regimes, and orders max(0, S - inventory position), where inventory
position = on hand - backlog + on order. Its order is the next echelon's incoming demand in the same week; the
supplier's own source always delivers in full after the lead time. Inventory cost = holding_cost x on_hand +
backlog_cost x backlog per echelon-week (end of week).

Without the floor at zero the order of echelon k is a linear filter of demand: with c = lead_time /
forecast_window and B the backshift operator, order = (1 + c(1 - B^p))^k D without sharing and
(1 + k c (1 - B^p)) D with sharing. For independent demand the bullwhip ratio Var(order) / Var(demand) is then
1 + 2L/p + 2L²/p² at the retailer (Chen et al. 2000), 1 + 2kL/p + 2(kL)²/p² at echelon k with shared demand
(their centralised case), and at least the product of k such factors without sharing (their lower bound).
`truth['analytical_ratio']` gives the exact ratios of these filters for the planted demand (AR(1) included);
the floor at zero makes the simulated ratios a little lower when orders would go negative.
"""

DESCRIPTION_ZH = """
链上的环节沿用华为的供应链观——供应商、制造商、分销商、客户（《分析型客户关系管理课程资料》（资料1）第230–231行）；
要检验的是文章的论断：沿供应链传递的客户关系管理信息能带来更准确的需求预测，并减少需求变异（《CRM软件厂商网页》（资料2）
第62行）。资料没有给出任何数字：需求、提前期、库存和成本都是合成的。

终端客户需求是以 `demand_mean` 为均值的 AR(1) 过程，平稳标准差为 `demand_sd`，自相关系数为 `demand_rho`，取整到件，
下限为零；两种信息机制使用同一组需求抽样（共同随机数，common random numbers）。每次重复先运行一段不记录的预热期，
再记录 `n_weeks` 周。

每周从零售商开始逐级向上：`lead_time` 周前订购的货物到达；该级先补发欠货，再用库存尽量满足当周收到的订单（`filled`）；
然后用其信号最近 `forecast_window` 周的移动平均预测每周需求——信号是它自己收到的订单（'no_sharing'）或终端客户需求
（'shared'，即沿供应链共享的客户关系管理数据）；设定补货目标水平 S = lead_time x 预测 + 安全库存，各级、两种机制的
安全库存都是 safety_factor x demand_sd x sqrt(lead_time)；订货量为 max(0, S - 库存位置)，库存位置 = 现有库存 - 欠货
+ 在途订货。它的订单就是上一级同一周收到的需求；供应商自己的货源总是在提前期之后足额交货。库存成本 = holding_cost x
on_hand + backlog_cost x backlog（按每级每周的周末数计）。

若不把订货量截断在零，第 k 级的订单是需求的线性滤波：记 c = lead_time / forecast_window，B 为滞后算子，不共享时
订单 = (1 + c(1 - B^p))^k D，共享时订单 = (1 + k c (1 - B^p)) D。需求独立时，牛鞭效应比率 Var(订单) / Var(需求)
在零售商处为 1 + 2L/p + 2L²/p²（Chen 等 2000），共享时第 k 级为 1 + 2kL/p + 2(kL)²/p²（他们的集中信息情形），
不共享时至少为 k 个这样的因子之积（他们的下界）。`truth['analytical_ratio']` 给出这些滤波在所设需求（包括 AR(1)）
下的精确比率；当订货量本应为负时，零下限会使模拟的比率略低一些。
"""


def filter_coefficients(stage: int, lead_time: int, window: int, shared: bool) -> np.ndarray:
    """Coefficients a_j of the order of echelon ``stage`` as a linear filter of demand, order_t = sum_j a_j D_{t-j}
    (orders not floored at zero).

    >>> a = filter_coefficients(1, 2, 8, shared=False)
    >>> float(a[0]), float(a[8]), float(a[1:8].sum())
    (1.25, -0.25, 0.0)
    """
    c = lead_time / window
    step = np.zeros(window + 1)
    step[0], step[window] = c, -c
    if shared:
        a = stage * step
        a[0] += 1.0
        return a
    one = step.copy()
    one[0] += 1.0
    a = np.array([1.0])
    for _ in range(stage):
        a = np.convolve(a, one)
    return a


def analytical_ratio(stage: int, lead_time: int, window: int, shared: bool, rho: float = 0.0) -> float:
    """Var(order) / Var(demand) of the linear filter for AR(1) demand with autocorrelation ``rho``.

    >>> round(analytical_ratio(1, 2, 8, shared=False), 6)   # 1 + 2L/p + 2L²/p²
    1.625
    >>> round(analytical_ratio(3, 2, 8, shared=True), 6)    # 1 + 2(3L)/p + 2(3L)²/p²
    3.625
    """
    a = filter_coefficients(stage, lead_time, window, shared)
    lag = np.abs(np.subtract.outer(np.arange(a.size), np.arange(a.size)))
    return float(a @ (rho ** lag) @ a)


def chen_bound(stage: int, lead_time: int, window: int, shared: bool) -> float:
    """Chen et al. (2000) for independent demand: 1 + 2L/p + 2L²/p² with L the cumulative lead time (shared), or
    the product of the stages' factors (no sharing, a lower bound)."""
    if shared:
        total = stage * lead_time
        return 1 + 2 * total / window + 2 * total ** 2 / window ** 2
    return (1 + 2 * lead_time / window + 2 * lead_time ** 2 / window ** 2) ** stage


def _demand(rng: np.random.Generator, n_rep: int, n_total: int, k: dict) -> np.ndarray:
    rho, sd = k["demand_rho"], k["demand_sd"]
    eps = rng.standard_normal((n_rep, n_total)) * sd * np.sqrt(1 - rho ** 2)
    x = np.empty((n_rep, n_total))
    x[:, 0] = rng.standard_normal(n_rep) * sd
    for t in range(1, n_total):
        x[:, t] = rho * x[:, t - 1] + eps[:, t]
    return np.maximum(0.0, np.round(k["demand_mean"] + x))


def simulate(demand: np.ndarray, k: dict, shared: bool) -> dict[str, np.ndarray]:
    """Run the chain on ``demand`` (replications x weeks); arrays of shape (echelons, replications, weeks)."""
    n_rep, n_t = demand.shape
    n_e, L, p = len(ECHELONS), k["lead_time"], k["forecast_window"]
    mu = k["demand_mean"]
    ss = k["safety_factor"] * k["demand_sd"] * np.sqrt(L)
    names = ("incoming", "forecast", "order", "received", "filled", "shipped", "on_hand", "backlog")
    out = {n: np.zeros((n_e, n_rep, n_t)) for n in names}
    hist = np.full((n_e, n_rep, n_t + p), mu)  # signal history, p weeks of mu before week 0
    arrivals = np.zeros((n_e, n_rep, n_t + L))
    arrivals[:, :, :L] = mu                       # a steady pipeline at the start
    on_hand = np.full((n_e, n_rep), ss)
    backlog = np.zeros((n_e, n_rep))
    on_order = np.full((n_e, n_rep), L * mu)
    for t in range(n_t):
        incoming = demand[:, t]
        for e in range(n_e):
            got = arrivals[e, :, t]
            stock = on_hand[e] + got
            on_order[e] -= got
            to_backlog = np.minimum(stock, backlog[e])
            stock = stock - to_backlog
            filled = np.minimum(stock, incoming)
            stock = stock - filled
            backlog[e] = backlog[e] - to_backlog + incoming - filled
            on_hand[e] = stock
            hist[e, :, t + p] = demand[:, t] if shared else incoming
            forecast = hist[e, :, t + 1:t + p + 1].mean(axis=1)
            level = L * forecast + ss
            order = np.maximum(0.0, level - (on_hand[e] - backlog[e] + on_order[e]))
            on_order[e] += order
            shipped = to_backlog + filled
            if e > 0:
                arrivals[e - 1, :, t + L] += shipped
            if e == n_e - 1:
                arrivals[e, :, t + L] += order
            for name, v in (("incoming", incoming), ("forecast", forecast), ("order", order), ("received", got),
                            ("filled", filled), ("shipped", shipped), ("on_hand", on_hand[e]),
                            ("backlog", backlog[e])):
                out[name][e, :, t] = v
            incoming = order
    return out


def warmup_weeks(k: dict) -> int:
    return max(26, 3 * k["forecast_window"] + 2 * k["lead_time"])


@register("supply_chain_crm", title="CRM along the supply chain: shared demand data and the bullwhip effect",
          title_zh="基于供应链管理的客户关系管理：共享需求数据与牛鞭效应",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n_rep, n_w = k["n_replications"], k["n_weeks"]
    warm = warmup_weeks(k)
    demand = _demand(rng, n_rep, warm + n_w, k)
    runs = {"no_sharing": simulate(demand, k, shared=False), "shared": simulate(demand, k, shared=True)}

    rep = np.arange(1, n_rep + 1, dtype=np.int64)
    week = np.arange(1, n_w + 1, dtype=np.int64)
    demand_table = pd.DataFrame({"replication": np.repeat(rep, n_w), "week": np.tile(week, n_rep),
                                 "demand": demand[:, warm:].reshape(-1).astype(np.int64)})
    n_e = len(ECHELONS)
    frames = []
    for regime in REGIMES:
        sim = runs[regime]
        # row order: replication, regime, echelon, week
        cols = {name: np.ascontiguousarray(v[:, :, warm:].transpose(1, 0, 2)).reshape(-1) for name, v in sim.items()}
        frames.append(pd.DataFrame({
            "replication": np.repeat(rep, n_e * n_w),
            "regime": regime,
            "echelon_code": np.tile(np.repeat(np.arange(n_e), n_w), n_rep),
            "week": np.tile(week, n_rep * n_e),
            **cols}))
    chain = pd.concat(frames, ignore_index=True)
    chain = chain.sort_values(["replication", "regime", "echelon_code", "week"], kind="stable", ignore_index=True)
    stage = chain.pop("echelon_code").to_numpy()
    chain.insert(2, "echelon", pd.Categorical.from_codes(stage, categories=ECHELONS, ordered=True))
    chain.insert(3, "stage", (stage + 1).astype(np.int64))
    chain["regime"] = pd.Categorical(chain["regime"].to_numpy(dtype=object), categories=REGIMES)
    chain = chain[[c.name for c in TABLES[1].columns]]

    L, p, rho = k["lead_time"], k["forecast_window"], k["demand_rho"]
    analytical = {regime: {name: analytical_ratio(s + 1, L, p, regime == "shared", rho)
                           for s, name in enumerate(ECHELONS)} for regime in REGIMES}
    chen = {regime: {name: chen_bound(s + 1, L, p, regime == "shared") for s, name in enumerate(ECHELONS)}
            for regime in REGIMES}
    floored = {regime: {name: float((runs[regime]["order"][s, :, warm:] <= 0).mean()) for s, name in
                        enumerate(ECHELONS)} for regime in REGIMES}
    truth = {
        "demand_process": {"mean": k["demand_mean"], "sd": k["demand_sd"], "rho": rho,
                           "model": "AR(1) around the mean, rounded, floored at zero"},
        "policy": {"lead_time": L, "forecast_window": p,
                   "safety_stock": float(k["safety_factor"] * k["demand_sd"] * np.sqrt(L)),
                   "order_up_to": "S = lead_time x moving-average forecast + safety stock"},
        "warmup_weeks": warm,
        "common_random_numbers": True,
        "analytical_ratio": analytical,
        "chen_formula": chen,
        "share_orders_floored": floored,
    }
    return {"demand": demand_table, "chain": chain}, truth
