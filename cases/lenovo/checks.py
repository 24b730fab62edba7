"""Exercise checks of the Lenovo case (notebooks/lenovo.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy (np.bincount, boolean masks), not with
the pandas group-bys of the notebook, and the Erlang C check uses the closed form through Poisson
probabilities (scipy.stats.poisson) instead of the notebook's Erlang B recursion, so a notebook bug cannot make
a wrong answer pass. The world is built in cases/lenovo/world.py.

Below the checks: the answers computed the notebook's way (``@solutions``) and the classic mistakes each
check must refuse (``@mistakes``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

CASE = "lenovo"
TARGET, WITHIN = 0.8, 20.0          # the service level: 80% answered within 20 s
GROWTH = 2.0                        # Q2: next year's calls, relative to today's (a second product line)
FCR_RISE = 0.10                     # Q5: ten percentage points more first-contact resolution


def _peak_load(world) -> tuple[float, float]:
    """(offered load in Erlangs of the busiest half-hour, average handle time), by numpy."""
    c = world.tables["calls"]
    per_interval = np.bincount(c["interval"].to_numpy(), minlength=24)
    n_days = int(np.unique(c["day"].to_numpy()).size)
    h = c["handle_s"].to_numpy()
    aht = float(h[~np.isnan(h)].mean())
    return float(per_interval.max() / n_days / 1800.0 * aht), aht


def _erlang_c_service_level(n: int, load: float, aht: float) -> float:
    """1 - C(n, A) exp(-(n - A) t / AHT), with C from the Poisson form of Erlang C."""
    if n <= load:
        return 0.0
    top = stats.poisson.pmf(n, load) * n / (n - load)
    c = top / (stats.poisson.cdf(n - 1, load) + top)
    return float(1.0 - c * math.exp(-(n - load) * WITHIN / aht))


def _agents(load: float, aht: float) -> int:
    n = int(math.floor(load)) + 1
    while _erlang_c_service_level(n, load, aht) < TARGET:
        n += 1
    return n


def _whole(answer, what_en, what_zh):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return None, Text(f"expected a whole number of {what_en}, got {answer!r}",
                          f"{what_zh}应当是一个整数，而你给的是 {answer!r}")
    return int(answer), None


@exercise(CASE, "q1", hint="Busiest half-hour: calls offered per day in it (all calls, answered or not) / 1800 s "
                           "x the average handle time of answered calls in seconds.",
          hint_zh="最繁忙的半小时：该时段每天打进的来电数（全部来电，不论是否接听）/ 1800秒 x 已接听来电的平均处理时长（秒）。")
def q1(world, answer):
    load, _ = _peak_load(world)
    return close(answer, load, rel=1e-4, what="the offered load of the busiest half-hour (Erlangs)",
                 what_zh="最繁忙半小时的话务量（爱尔兰）")


@exercise(CASE, "q2", hint="With A = 2 x the load of Q1: the fewest agents N > A for which "
                           "1 - C(N, A) x exp(-(N - A) x 20 / AHT) >= 0.8.",
          hint_zh="取 A = 2 x 第1题的话务量：找出使 1 - C(N, A) x exp(-(N - A) x 20 / AHT) >= 0.8 的最少坐席数 N（N 大于 A）。")
def q2(world, answer):
    load, aht = _peak_load(world)
    load *= GROWTH
    n, problem = _whole(answer, "agents", "坐席数")
    if problem is not None:
        return False, problem
    return equal(n, _agents(load, aht), what="the Erlang C agents for 80% answered within 20 s at twice today's calls",
                 what_zh="来电量翻番后达到“80%来电20秒内接听”所需的 Erlang C 坐席数")


@exercise(CASE, "q3", hint="Exponential patience, censored by answered calls: total seconds waited by all callers "
                           "(answered or not) divided by the number who abandoned.",
          hint_zh="耐心服从指数分布，已接听的来电是删失观测：全部来电者（不论是否接听）的排队秒数总和，除以放弃的人数。")
def q3(world, answer):
    c = world.tables["calls"]
    wait = c["wait_s"].to_numpy()
    abandoned = ~c["answered"].to_numpy(dtype=bool)
    if not abandoned.any():
        return False, Text("no caller abandoned in this world, so the patience cannot be estimated",
                           "这个数据世界里没有来电者放弃，无法估计耐心")
    return close(answer, float(wait.sum() / abandoned.sum()), rel=1e-4,
                 what="the estimated mean patience (s)", what_zh="估计的平均耐心（秒）")


def _type_network_means(world):
    i = world.tables["issues"]
    t = i["issue_type"].cat.codes.to_numpy()
    f = i["first_network"].cat.codes.to_numpy()
    cost = i["cost"].to_numpy()
    nt, nf = len(i["issue_type"].cat.categories), len(i["first_network"].cat.categories)
    key = t * nf + f
    total = np.bincount(key, weights=cost, minlength=nt * nf).reshape(nt, nf)
    count = np.bincount(key, minlength=nt * nf).reshape(nt, nf)
    return total, count, cost


@exercise(CASE, "q4", hint="Mean cost per issue by issue type and first network; route each type to the network "
                           "with the lowest mean; saving = today's total cost - sum over types of (issues x that "
                           "lowest mean).",
          hint_zh="按问题类型和首次接触网络算出每个问题的平均成本；每种类型分派到平均成本最低的网络；节省 = 现在的总成本 - "
                  "各类型（问题数 x 最低平均成本）之和。")
def q4(world, answer):
    total, count, cost = _type_network_means(world)
    mean = np.divide(total, count, out=np.full(total.shape, np.inf), where=count > 0)
    saving = cost.sum() - float((count.sum(axis=1) * mean.min(axis=1)).sum())
    return close(answer, saving, rel=1e-5, abs=1e-6, what="the monthly saving of routing each type to its cheapest "
                                                          "first network (CNY)",
                 what_zh="每种类型分派到成本最低的首次接触网络后每月节省的成本（元）")


@exercise(CASE, "q5", hint="Issues whose first contact was the call centre: count x 0.10 x (mean cost of those not "
                           "resolved at the first contact - cost_call).",
          hint_zh="首次接触为呼叫中心的问题：问题数 x 0.10 x（其中首次未解决的问题的平均成本 - cost_call）。")
def q5(world, answer):
    i = world.tables["issues"]
    call = i["first_network"].to_numpy() == "call_centre"
    failed = call & ~i["resolved_first"].to_numpy(dtype=bool)
    cost = i["cost"].to_numpy()
    saving = call.sum() * FCR_RISE * (cost[failed].mean() - world.knobs["cost_call"])
    return close(answer, float(saving), rel=1e-5, what="the monthly saving of 10 more points of call-centre FCR (CNY)",
                 what_zh="呼叫中心首次解决率提高10个百分点每月节省的成本（元）")


# ------------------------------------------------------------------------------ right answers and mistakes
def erlang_c(n, load):
    """The notebook's Erlang C: probability of waiting, via the Erlang B recursion."""
    if n <= load:
        return 1.0
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return n * b / (n - load * (1 - b))


def service_level(n, load, aht, within=WITHIN):
    if n <= load:
        return 0.0
    return 1 - erlang_c(n, load) * np.exp(-(n - load) * within / aht)


def agents_needed(load, aht, target=TARGET, within=WITHIN):
    n = int(np.floor(load)) + 1
    while service_level(n, load, aht, within) < target:
        n += 1
    return n


def _notebook_numbers(world):
    calls, issues = world.tables["calls"], world.tables["issues"]
    n_days = calls["day"].nunique()
    per_interval = calls.groupby("interval").size() / n_days
    aht = calls.loc[calls["answered"], "handle_s"].mean()
    peak = int(per_interval.idxmax())
    load = per_interval / 1800 * aht
    return calls, issues, n_days, per_interval, aht, peak, load


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/lenovo.ipynb, section 5."""
    calls, issues, n_days, per_interval, aht, peak, load = _notebook_numbers(world)
    peak_load = float(load[peak])
    agents_doubled = agents_needed(2 * peak_load, aht)
    patience_hat = float(calls["wait_s"].sum() / (~calls["answered"]).sum())
    mean_cost = issues.groupby(["issue_type", "first_network"], observed=True)["cost"].mean().unstack()
    n_type = issues["issue_type"].value_counts()
    routing_saving = float(issues["cost"].sum() - (n_type * mean_cost.min(axis=1)).sum())
    call_first = issues[issues["first_network"] == "call_centre"]
    failed = call_first[~call_first["resolved_first"]]
    fcr_saving = float(len(call_first) * 0.10 * (failed["cost"].mean() - world.knobs["cost_call"]))
    return {"q1": peak_load, "q2": int(agents_doubled), "q3": patience_hat, "q4": routing_saving, "q5": fcr_saving}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    calls, issues, n_days, per_interval, aht, peak, load = _notebook_numbers(world)
    right = answers(world)
    answered_rate = calls[calls["answered"]].groupby("interval").size() / n_days
    mean_load = float(load.mean())
    waits = calls["wait_s"]
    ab = ~calls["answered"]
    mean_cost = issues.groupby(["issue_type", "first_network"], observed=True)["cost"].mean().unstack()
    n_type = issues["issue_type"].value_counts().reindex(mean_cost.index)
    total = issues["cost"].sum()
    unit = pd.Series({"web": world.knobs["cost_web"], "call_centre": world.knobs["cost_call"],
                      "on_site": world.knobs["cost_on_site"]})
    fcr = issues.groupby(["issue_type", "first_network"], observed=True)["resolved_first"].mean().unstack()
    cheapest_contact = unit.idxmin()
    by_fcr = [mean_cost.loc[t, fcr.loc[t].idxmax()] for t in mean_cost.index]
    call_first = issues[issues["first_network"] == "call_centre"]
    failed = call_first[~call_first["resolved_first"]]
    return {
        "q1": {"answered calls only (abandoned calls are offered load too)":
                   float(answered_rate.max() / 1800 * aht),
               "calls per half-hour x AHT in minutes (the units mixed)": float(per_interval.max() * aht / 60),
               "the day's average half-hour instead of the busiest": mean_load},
        "q2": {"twice today's agents (ignores the economies of scale of a larger pool)":
                   2 * agents_needed(right["q1"], aht),
               "as many agents as Erlangs of load (no margin for queueing)": int(math.ceil(2 * right["q1"])),
               "today's agents (the growth forgotten)": agents_needed(right["q1"], aht)},
        "q3": {"mean wait of the callers who abandoned (ignores the censored waits)": float(waits[ab].mean()),
               "mean wait of all callers": float(waits.mean())},
        "q4": {"every type sent to the cheapest contact (the web), ignoring resolution":
                   float(total - (n_type * mean_cost[cheapest_contact]).sum()),
               "every type sent to the network with the highest first-contact resolution":
                   float(total - (n_type.to_numpy() * np.array(by_fcr)).sum()),
               "saving per issue instead of the monthly total": right["q4"] / len(issues)},
        "q5": {"the whole cost of the failed issues counted as saved (the first call is still paid)":
                   float(len(call_first) * 0.10 * failed["cost"].mean()),
               "10 instead of 0.10 for ten points": float(len(call_first) * 10 * (failed["cost"].mean()
                                                                                  - world.knobs["cost_call"])),
               "all issues instead of those that start at the call centre":
                   float(len(issues) * 0.10 * (failed["cost"].mean() - world.knobs["cost_call"]))},
    }
