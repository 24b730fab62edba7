"""Exercise checks of the supply-chain CRM case (notebooks/supply_chain_crm.ipynb), from the student's own world.

Each check recomputes its answer with numpy on arrays of shape (replication, regime, echelon, week), independently
of the notebook's pandas group-bys, so a notebook bug cannot make a wrong answer pass. The world is built in
cases/supply_chain_crm/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "supply_chain_crm"
REGIMES = ("no_sharing", "shared")
ECHELONS = ("retailer", "distributor", "manufacturer", "supplier")


def _cube(world, column: str) -> np.ndarray:
    """``column`` of the chain table as an array (replication, regime, echelon, week)."""
    ch = world.tables["chain"]
    reg = np.searchsorted(np.asarray(REGIMES), ch["regime"].astype(str).to_numpy())
    ech = ch["stage"].to_numpy() - 1
    rep = ch["replication"].to_numpy() - 1
    wk = ch["week"].to_numpy() - 1
    out = np.full((rep.max() + 1, len(REGIMES), len(ECHELONS), wk.max() + 1), np.nan)
    out[rep, reg, ech, wk] = ch[column].to_numpy(dtype=float)
    return out


def _demand(world) -> np.ndarray:
    d = world.tables["demand"]
    out = np.full((d["replication"].max(), d["week"].max()), np.nan)
    out[d["replication"].to_numpy() - 1, d["week"].to_numpy() - 1] = d["demand"].to_numpy(dtype=float)
    return out


def _ratios(world) -> np.ndarray:
    """Bullwhip ratio per replication, regime and echelon: Var(order) / Var(end-customer demand)."""
    return np.var(_cube(world, "order"), axis=3) / np.var(_demand(world), axis=1)[:, None, None]


def _rmse(world) -> np.ndarray:
    """RMSE (regime, echelon) of the forecast made in week t against the incoming orders of week t + 1."""
    f, x = _cube(world, "forecast"), _cube(world, "incoming")
    err = x[..., 1:] - f[..., :-1]
    return np.sqrt(np.mean(err ** 2, axis=(0, 3)))


def _chain_cost(world) -> np.ndarray:
    k = world.knobs
    cost = k["holding_cost"] * _cube(world, "on_hand") + k["backlog_cost"] * _cube(world, "backlog")
    return cost.sum(axis=(0, 2, 3))  # per regime


@exercise(CASE, "q1", hint="For each replication: variance of the retailer's orders divided by the variance of "
                           "end-customer demand (both over the same weeks); then the mean over replications. "
                           "Use the 'no_sharing' rows.",
          hint_zh="对每次重复：零售商订单的方差除以终端客户需求的方差（同一批周）；再对各次重复取平均。使用 'no_sharing' 的行。")
def q1(world, answer):
    return close(answer, float(_ratios(world)[:, 0, 0].mean()), rel=2e-3,
                 what="the retailer's bullwhip ratio without sharing", what_zh="不共享时零售商的牛鞭效应比率")


@exercise(CASE, "q2", hint="The supplier's bullwhip ratio (mean over replications, order variance / end-customer "
                           "demand variance) without sharing divided by the same ratio with shared demand data.",
          hint_zh="供应商的牛鞭效应比率（订单方差 / 终端客户需求方差，对各次重复取平均）：不共享时的值除以共享时的值。")
def q2(world, answer):
    r = _ratios(world).mean(axis=0)
    return close(answer, float(r[0, 3] / r[1, 3]), rel=3e-3,
                 what="the factor by which sharing cuts the supplier's bullwhip ratio",
                 what_zh="共享使供应商牛鞭效应比率缩小的倍数")


@exercise(CASE, "q3", hint="Compare the forecast made at the end of week t with the incoming orders of week t + 1 "
                           "(shift within each replication, regime and echelon); RMSE at the supplier in each "
                           "regime; answer 1 - RMSE(shared) / RMSE(no sharing), a share.",
          hint_zh="把第 t 周周末做出的预测与第 t+1 周收到的订单相比（在每次重复、每种机制、每一级之内错开一周）；"
                  "分别算出两种机制下供应商的均方根误差（RMSE）；答案是 1 - RMSE(共享) / RMSE(不共享)，一个比例。")
def q3(world, answer):
    r = _rmse(world)
    return close(answer, float(1 - r[1, 3] / r[0, 3]), abs=2e-3,
                 what="the reduction of the supplier's forecast error", what_zh="供应商预测误差降低的比例")


@exercise(CASE, "q4", hint="Fill rate = units filled from stock in the week they were ordered / units ordered "
                           "(sums over all replications and weeks). Manufacturer, shared minus no sharing, a "
                           "difference of shares.",
          hint_zh="订单满足率 = 当周即从库存满足的件数 / 订购件数（对所有重复和周求和）。制造商：共享减去不共享，"
                  "是两个比例之差。")
def q4(world, answer):
    filled, incoming = _cube(world, "filled"), _cube(world, "incoming")
    rate = filled[:, :, 2].sum(axis=(0, 2)) / incoming[:, :, 2].sum(axis=(0, 2))
    return close(answer, float(rate[1] - rate[0]), abs=1e-5,
                 what="the change in the manufacturer's fill rate", what_zh="制造商订单满足率的变化")


@exercise(CASE, "q5", hint="Cost per echelon-week = holding_cost x on_hand + backlog_cost x backlog; total over "
                           "the whole chain, all weeks and replications, per regime; answer 1 - shared / "
                           "no sharing, a share.",
          hint_zh="每级每周成本 = holding_cost x on_hand + backlog_cost x backlog；按机制对整条链、所有周和重复求和；"
                  "答案是 1 - 共享 / 不共享，一个比例。")
def q5(world, answer):
    c = _chain_cost(world)
    return close(answer, float(1 - c[1] / c[0]), abs=1e-3,
                 what="the share of the chain's inventory cost saved by sharing",
                 what_zh="共享节省的全链库存成本比例")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_ratios(world) -> pd.DataFrame:
    """The notebook's ``ratios`` table (section 4.2): one row per regime, echelon and replication."""
    chain, demand = world.tables["chain"], world.tables["demand"]
    var_d = demand.groupby("replication")["demand"].var()
    var_o = chain.groupby(["regime", "echelon", "replication"], observed=True)["order"].var()
    ratio = var_o / var_d.reindex(var_o.index.get_level_values("replication")).to_numpy()
    return ratio.rename("ratio").reset_index()


def _notebook_forecast_errors(world) -> pd.DataFrame:
    chain = world.tables["chain"]
    keys = ["replication", "regime", "echelon"]
    ahead = chain.groupby(keys, observed=True)["incoming"].shift(-1)
    errors = chain.assign(error=ahead - chain["forecast"]).dropna(subset=["error"])
    return errors.assign(squared=errors["error"] ** 2)


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/supply_chain_crm.ipynb, section 5."""
    chain = world.tables["chain"]
    k = world.knobs
    ratios = _notebook_ratios(world)
    mean_ratio = ratios.groupby(["regime", "echelon"], observed=True)["ratio"].mean()
    retailer_ratio = float(mean_ratio[("no_sharing", "retailer")])
    supplier_means = ratios[ratios["echelon"] == "supplier"].groupby("regime", observed=True)["ratio"].mean()
    supplier_cut = float(supplier_means["no_sharing"] / supplier_means["shared"])
    errors = _notebook_forecast_errors(world)
    supplier_rmse = errors[errors["echelon"] == "supplier"].groupby("regime", observed=True)["squared"].mean() ** 0.5
    forecast_gain = float(1 - supplier_rmse["shared"] / supplier_rmse["no_sharing"])
    maker = chain[chain["echelon"] == "manufacturer"]
    sums = maker.groupby("regime", observed=True)[["filled", "incoming"]].sum()
    maker_fill = sums["filled"] / sums["incoming"]
    fill_gain = float(maker_fill["shared"] - maker_fill["no_sharing"])
    cost = (k["holding_cost"] * chain["on_hand"] + k["backlog_cost"] * chain["backlog"]).groupby(
        chain["regime"], observed=True).sum()
    cost_saving = float(1 - cost["shared"] / cost["no_sharing"])
    return {"q1": retailer_ratio, "q2": supplier_cut, "q3": forecast_gain, "q4": fill_gain, "q5": cost_saving}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    chain = world.tables["chain"]
    k = world.knobs
    right = answers(world)
    ratios = _notebook_ratios(world)
    mean_ratio = ratios.groupby(["regime", "echelon"], observed=True)["ratio"].mean()
    # stage-by-stage amplification: Var(order) / Var(incoming orders) of the same echelon
    g = chain.groupby(["regime", "echelon", "replication"], observed=True)
    stage = (g["order"].var() / g["incoming"].var()).groupby(level=[0, 1], observed=True).mean()
    # forecast compared with the same week's incoming orders (no shift)
    same = chain.assign(error=chain["incoming"] - chain["forecast"])
    rmse_same = same.groupby(["regime", "echelon"], observed=True)["error"].apply(lambda e: np.sqrt((e ** 2).mean()))
    errors = _notebook_forecast_errors(world)
    rmse = errors.groupby(["regime", "echelon"], observed=True)["error"].apply(lambda e: np.sqrt((e ** 2).mean()))
    maker = chain[chain["echelon"] == "manufacturer"].groupby("regime", observed=True)[["shipped", "incoming"]].sum()
    shipped_rate = maker["shipped"] / maker["incoming"]
    holding = (k["holding_cost"] * chain["on_hand"]).groupby(chain["regime"], observed=True).sum()
    cost = (k["holding_cost"] * chain["on_hand"] + k["backlog_cost"] * chain["backlog"]).groupby(
        chain["regime"], observed=True).sum()
    return {
        "q1": {"ratio of standard deviations instead of variances": float(np.sqrt(right["q1"])),
               "demand variance over order variance (upside down)": 1 / right["q1"]},
        "q2": {"difference of the ratios instead of their quotient":
                   float(mean_ratio[("no_sharing", "supplier")] - mean_ratio[("shared", "supplier")]),
               "shared over no sharing (upside down)": 1 / right["q2"],
               "stage-by-stage ratio (order variance over the supplier's own incoming variance)":
                   float(stage[("no_sharing", "supplier")] / stage[("shared", "supplier")])},
        "q3": {"forecast compared with the same week's orders (no shift)":
                   float(1 - rmse_same[("shared", "supplier")] / rmse_same[("no_sharing", "supplier")]),
               "the RMSE ratio instead of the reduction": float(rmse[("shared", "supplier")]
                                                                / rmse[("no_sharing", "supplier")]),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"percentage points instead of a difference of shares": 100 * right["q4"],
               "no sharing minus shared (the wrong sign)": -right["q4"],
               "units shipped (backlog included) instead of units filled from stock":
                   float(shipped_rate["shared"] - shipped_rate["no_sharing"])},
        "q5": {"holding cost only (the backlog cost forgotten)": float(1 - holding["shared"] / holding["no_sharing"]),
               "shared cost over no-sharing cost (not the saving)": float(cost["shared"] / cost["no_sharing"]),
               "a percentage instead of a share": 100 * right["q5"]},
    }
