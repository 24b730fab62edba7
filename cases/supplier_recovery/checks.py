"""Exercise checks of the supplier-recovery case (notebooks/supplier_recovery.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables with numpy, independently of the notebook's code: the
logistic regression of retention on handling and severity is fitted here by iteratively reweighted least squares
(Newton's method) where the notebook uses statsmodels, and the value of a kept customer is summed year by year
where the notebook uses ``crmlab.value.retention_clv``. The world is built in cases/supplier_recovery/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "supplier_recovery"


# ------------------------------------------------------------------------------ independent computations
def _last_year(world) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer ids, units, margin) of the 12 months before the event, as numpy arrays."""
    o = world.tables["orders"]
    month = o["month"].to_numpy()
    start = np.sort(np.unique(month))[-12]
    keep = month >= start
    return (o["customer_id"].astype(object).to_numpy()[keep], o["units"].to_numpy()[keep],
            o["margin"].to_numpy()[keep])


def _key_share(world) -> float:
    ids, units, _ = _last_year(world)
    key = world.tables["event"]["customer_id"].astype(object).iloc[0]
    return float(units[ids == key].sum() / units.sum())


def _key_margin(world) -> float:
    ids, _, margin = _last_year(world)
    key = world.tables["event"]["customer_id"].astype(object).iloc[0]
    return float(margin[ids == key].sum())


def _irls(X: np.ndarray, y: np.ndarray, iters: int = 50) -> np.ndarray:
    """Maximum-likelihood logistic regression by Newton's method (iteratively reweighted least squares)."""
    b = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-X @ b))
        step = np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]), X.T @ (y - p))
        b = b + step
        if np.abs(step).max() < 1e-10:
            break
    return b


def _adjusted(world) -> tuple[float, float]:
    """(p_recall, p_haggle): the fitted probabilities of staying at the event's severity."""
    inc = world.tables["incidents"]
    recall = (inc["handling"].astype(object).to_numpy() == "recall").astype(float)
    sev = inc["severity"].to_numpy(dtype=float)
    X = np.column_stack([np.ones(len(inc)), recall, sev])
    b = _irls(X, inc["retained"].to_numpy(dtype=float))
    s = float(world.tables["event"]["severity"].iloc[0])
    return float(1 / (1 + np.exp(-(b[0] + b[1] + b[2] * s)))), float(1 / (1 + np.exp(-(b[0] + b[2] * s))))


def _raw(world) -> tuple[float, float]:
    inc = world.tables["incidents"]
    recall = inc["handling"].astype(object).to_numpy() == "recall"
    kept = inc["retained"].to_numpy()
    return float(kept[recall].mean()), float(kept[~recall].mean())


def _event(world) -> dict:
    e = world.tables["event"].iloc[0]
    return {"cost": float(e["units_affected"]) * float(e["replacement_cost"]), "s": float(e["haggle_share"]),
            "r": float(e["relationship_retention"]), "d": float(e["discount_rate"])}


def _value_by_sum(margin: float, r: float, d: float, years: int = 4000) -> float:
    """Value of a kept customer, summed year by year: margin at the end of year t with probability r^(t-1)."""
    t = np.arange(1, years + 1)
    return float(margin / (1 + d) * np.sum((r / (1 + d)) ** (t - 1)))


def _difference(world) -> float:
    e = _event(world)
    p_r, p_h = _adjusted(world)
    value = _value_by_sum(_key_margin(world), e["r"], e["d"])
    return (p_r - p_h) * value - (1 - e["s"]) * e["cost"]


# ------------------------------------------------------------------------------------------- the checks
@exercise(CASE, "q1", hint="Take the last 12 months of orders; the key customer's units divided by all customers' "
                           "units (a share between 0 and 1).",
          hint_zh="取最近12个月的订单；关键客户的台数除以所有客户的台数（0到1之间的比例）。")
def q1(world, answer):
    return close(answer, _key_share(world), abs=5e-4, what="the key customer's share of output in the last 12 months",
                 what_zh="最近12个月关键客户占产量的份额")


@exercise(CASE, "q2", hint="Share retained among recalled incidents minus the share retained among haggled ones "
                           "(a difference of shares: 0.05 for 5 points).",
          hint_zh="召回事故中客户保留的比例，减去讨价还价事故中客户保留的比例（两个比例之差，5个百分点写作0.05）。")
def q2(world, answer):
    p_r, p_h = _raw(world)
    return close(answer, p_r - p_h, abs=5e-4, what="the raw retention gap (recall minus haggle)",
                 what_zh="未经调整的保留率之差（召回减讨价还价）")


@exercise(CASE, "q3", hint="Fit a logistic regression of retained on recall (0/1) and severity; predict the "
                           "probability of staying at the event's severity with recall = 1 and recall = 0; subtract.",
          hint_zh="把 retained 对 recall（0/1）和 severity 做逻辑回归；在本次事件的严重程度下分别预测 recall = 1 和 "
                  "recall = 0 时客户留下的概率，再相减。")
def q3(world, answer):
    p_r, p_h = _adjusted(world)
    return close(answer, p_r - p_h, abs=2e-3, what="the retention gain of a recall at the event's severity",
                 what_zh="在本次事件严重程度下召回带来的保留概率提升")


@exercise(CASE, "q4", hint="V = M / (1 + d - r) with M the key customer's margin in the last 12 months; then "
                           "(p_recall - p_haggle) x V - (1 - haggle_share) x units_affected x replacement_cost.",
          hint_zh="V = M / (1 + d - r)，其中 M 是关键客户最近12个月的边际贡献；再算 (p_recall - p_haggle) x V - "
                  "(1 - haggle_share) x units_affected x replacement_cost。")
def q4(world, answer):
    e = _event(world)
    value = _value_by_sum(_key_margin(world), e["r"], e["d"])
    # the fitted probabilities are exact to ~1e-6; a thousandth of the customer's value is far below any mistake
    return close(answer, _difference(world), abs=1e-3 * value, what="NPV(recall) - NPV(haggle) in CNY",
                 what_zh="召回与讨价还价的净现值之差（元）", fmt=",.0f")


@exercise(CASE, "q5", hint="The recall pays when p_recall x V - C >= p_haggle x V - haggle_share x C: solve for "
                           "p_recall (a probability between 0 and 1, or above 1 if no probability is enough).",
          hint_zh="当 p_recall x V - C >= p_haggle x V - haggle_share x C 时召回才合算：解出 p_recall"
                  "（0到1之间的概率；如果任何概率都不够，则会大于1）。")
def q5(world, answer):
    e = _event(world)
    _, p_h = _adjusted(world)
    value = _value_by_sum(_key_margin(world), e["r"], e["d"])
    return close(answer, p_h + (1 - e["s"]) * e["cost"] / value, abs=1e-3,
                 what="the break-even probability of keeping the customer after a recall",
                 what_zh="召回后留住客户的盈亏平衡概率")


@exercise(CASE, "q6", hint="Solve (p_recall - p_haggle) x M / (1 + d - r) = (1 - haggle_share) x C for d; "
                           "answer None if the estimated gain is zero or negative.",
          hint_zh="由 (p_recall - p_haggle) x M / (1 + d - r) = (1 - haggle_share) x C 解出 d；"
                  "如果估计的保留概率提升为零或负数，请回答 None。")
def q6(world, answer):
    e = _event(world)
    p_r, p_h = _adjusted(world)
    gain, margin = p_r - p_h, _key_margin(world)
    what = Text("the discount rate at which recall and haggling are worth the same", "召回与讨价还价净现值相等时的折现率")
    if gain <= 0:
        none = answer is None or (isinstance(answer, float) and math.isnan(answer))
        return none, (Text("right: no discount rate makes the recall pay in this world", "正确：在这个数据世界里，"
                           "任何折现率下召回都不合算") if none else
                      Text("the estimated retention gain is not positive in this world: is there a break-even rate?",
                           "这个数据世界里估计的保留概率提升不为正：还存在盈亏平衡的折现率吗？"))
    # a numerical root by bisection (rather than the rearranged closed form the notebook uses)
    target = (1 - e["s"]) * e["cost"] / gain
    lo, hi = e["r"] - 1 + 1e-12, 1.0
    while margin / (1 + hi - e["r"]) > target:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if margin / (1 + mid - e["r"]) > target else (lo, mid)
    expected = (lo + hi) / 2
    return close(answer, expected, abs=5e-4, what=what)


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world) -> dict:
    """The quantities of the notebook's sections 4.1-4.4, computed with pandas, statsmodels and crmlab.value."""
    import statsmodels.formula.api as smf

    from crmlab.value import retention_clv

    orders, event, inc = world.tables["orders"], world.tables["event"].iloc[0], world.tables["incidents"]
    last = orders[orders["month"] > orders["month"].max() - pd.DateOffset(months=12)]
    key = event["customer_id"]
    by_customer = last.groupby("customer_id", observed=True)[["units", "margin"]].sum()
    M = float(by_customer.loc[key, "margin"])
    data = inc.assign(recall=(inc["handling"] == "recall").astype(int), stayed=inc["retained"].astype(int))
    fit = smf.logit("stayed ~ recall + severity", data=data).fit(disp=0)
    at = pd.DataFrame({"recall": [1, 0], "severity": [event["severity"]] * 2})
    p_r, p_h = (float(x) for x in fit.predict(at))
    raw = data.groupby("handling", observed=True)["stayed"].mean()
    r, d, s = event["relationship_retention"], event["discount_rate"], event["haggle_share"]
    V = (M + retention_clv(M, r, d)) / (1 + d)
    C = float(event["units_affected"] * event["replacement_cost"])
    return {"share": float(by_customer.loc[key, "units"] / by_customer["units"].sum()), "M": M, "V": float(V),
            "C": C, "s": float(s), "r": float(r), "d": float(d), "p_r": p_r, "p_h": p_h, "fit": fit,
            "raw_r": float(raw["recall"]), "raw_h": float(raw["haggle"]), "orders": orders, "key": key}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/supplier_recovery.ipynb, section 5."""
    n = _notebook(world)
    gain = n["p_r"] - n["p_h"]
    npv_difference = gain * n["V"] - (1 - n["s"]) * n["C"]
    break_even = n["p_h"] + (1 - n["s"]) * n["C"] / n["V"]
    d_star = n["M"] * gain / ((1 - n["s"]) * n["C"]) - 1 + n["r"] if gain > 0 else None
    return {"q1": n["share"], "q2": n["raw_r"] - n["raw_h"], "q3": gain, "q4": float(npv_difference),
            "q5": float(break_even), "q6": None if d_star is None else float(d_star)}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    n = _notebook(world)
    right = answers(world)
    o = n["orders"]
    all_months = o.groupby("customer_id", observed=True)["units"].sum()
    gain, raw_gain = right["q3"], n["raw_r"] - n["raw_h"]
    ame = float((n["fit"].predict(world.tables["incidents"].assign(recall=1))
                 - n["fit"].predict(world.tables["incidents"].assign(recall=0))).mean())
    no_discount = n["M"] / (1 - n["r"])
    three_year_margin = float(o.loc[o["customer_id"] == n["key"], "margin"].sum() / 3)
    V3 = three_year_margin / (1 + n["d"] - n["r"])
    out = {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "all 36 months instead of the last 12": float(all_months[n["key"]] / all_months.sum()),
               "key customer's units over the other customers' (the wrong denominator)":
                   right["q1"] / (1 - right["q1"])},
        "q2": {"percentage points instead of a difference of shares": 100 * right["q2"],
               "haggle minus recall (the wrong sign)": -right["q2"]},
        "q3": {"the raw gap, not adjusted for severity (the naive comparison)": raw_gain,
               "the recall coefficient (log-odds) instead of a difference of probabilities":
                   float(n["fit"].params["recall"]),
               "the gain averaged over past incidents, not at the event's severity": ame},
        "q4": {"raw retention rates instead of the severity-adjusted ones": raw_gain * n["V"] - (1 - n["s"]) * n["C"],
               "no discounting (d = 0)": gain * no_discount - (1 - n["s"]) * n["C"],
               "the average yearly margin of three years instead of the last 12 months":
                   gain * V3 - (1 - n["s"]) * n["C"]},
        "q5": {"the gain needed, not the probability (p_haggle left out)": (1 - n["s"]) * n["C"] / n["V"],
               "the raw retention rate after haggling as the baseline": n["raw_h"] + (1 - n["s"]) * n["C"] / n["V"]},
    }
    if right["q6"] is None:
        out["q6"] = {"a rate given where none exists": 0.1}
    else:
        out["q6"] = {"a percentage instead of a rate": 100 * right["q6"],
                     "relationship retention ignored (a customer kept for one year only)":
                         n["M"] * gain / ((1 - n["s"]) * n["C"]) - 1,
                     }
    if n["s"] > 0.02:  # with haggle_share near 0 haggling saves the whole bill and these mistakes are right
        out["q4"]["haggling assumed to cost nothing (the whole bill charged to the recall)"] = gain * n["V"] - n["C"]
        out["q5"]["the whole bill instead of the part haggling would save"] = n["p_h"] + n["C"] / n["V"]
        if right["q6"] is not None:
            out["q6"]["the whole bill instead of the part haggling would save"] = n["M"] * gain / n["C"] - 1 + n["r"]
    return out
