"""Exercise checks of the Boeing case (notebooks/boeing.ipynb), computed from the student's own world.

Each check recomputes its answer with plain numpy from the world's tables, independently of the notebook's
pandas and crmlab code. Below the checks: the answers computed the notebook's way (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``). The world is built in cases/boeing/world.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import concentration
from crmlab.checks import Text, close, equal, exercise, mistakes, same_set, solutions
from crmlab.value import retention_clv

CASE = "boeing"
LEVELS = ("basic", "reactive", "accountable", "proactive", "partnership")
TOP_K = 5
N_PRIORITY = 8


def _renewal_np(world) -> dict:
    h = world.tables["relationship_history"]
    lv = h["level"].astype(str).to_numpy()
    ren = h["renewed"].to_numpy().astype(float)
    return {name: float(ren[lv == name].mean()) if (lv == name).any() else float("nan") for name in LEVELS}


def _clv_np(world, renewal: dict) -> np.ndarray:
    m = world.tables["airlines"]["annual_margin"].to_numpy(dtype=float)[:, None]
    r = np.array([renewal[lv] for lv in LEVELS])
    c = np.array([world.knobs[f"cost_{lv}"] for lv in LEVELS])
    d = world.knobs["discount_rate"]
    return (m - c) * r / (1 + d - r)


@exercise(CASE, "q1", hint="Sort annual_margin from largest to smallest, add up the first five and divide by the "
                           "total (a share between 0 and 1).",
          hint_zh="把 annual_margin 从大到小排序，把前五家相加，再除以总和（0到1之间的比例）。")
def q1(world, answer):
    m = np.sort(world.tables["airlines"]["annual_margin"].to_numpy(dtype=float))[::-1]
    return close(answer, float(m[:TOP_K].sum() / m.sum()), abs=5e-4,
                 what="the five largest airlines' share of yearly margin", what_zh="最大五家航空公司的年毛利占比")


@exercise(CASE, "q2", hint="Among the history rows with level 'partnership', the share with renewed True.",
          hint_zh="在 level 为 'partnership' 的历史记录中，renewed 为 True 的比例。")
def q2(world, answer):
    return close(answer, _renewal_np(world)["partnership"], abs=5e-4,
                 what="the renewal rate under partnership", what_zh="伙伴型关系下的续约率")


@exercise(CASE, "q3", hint="For each airline and level: (annual_margin - that level's yearly cost) x r / (1 + d - r), "
                           "with r the level's renewal rate from the history; count the airlines whose largest "
                           "value is at partnership.",
          hint_zh="对每家航空公司和每种关系类型计算 (annual_margin - 该类型年成本) x r / (1 + d - r)，"
                  "r 取历史数据中该类型的续约率；数出终身价值最大的类型是伙伴型的航空公司。")
def q3(world, answer):
    renewal = _renewal_np(world)
    if any(np.isnan(v) for v in renewal.values()):
        return False, Text("this world's history lacks a level, so the comparison is undefined",
                           "这个数据世界的历史中缺少某种关系类型，无法比较")
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of airlines, got {answer!r}",
                           f"航空公司数应当是一个整数，而你给的是 {answer!r}")
    best = _clv_np(world, renewal).argmax(axis=1)
    return equal(int(answer), int((best == LEVELS.index("partnership")).sum()),
                 what="the number of airlines best served as partners", what_zh="最适合伙伴型关系的航空公司数")


@exercise(CASE, "q4", hint="Each airline's best (largest) lifetime value from Q3; the largest of them divided by "
                           "their sum.",
          hint_zh="取 Q3 中每家航空公司最优（最大）的终身价值；其中最大的一个除以它们的总和。")
def q4(world, answer):
    best = _clv_np(world, _renewal_np(world)).max(axis=1)
    total = best.sum()
    if not np.isfinite(total) or total <= 0:
        return False, Text("customer equity is not positive in this world, so the share is undefined",
                           "这个数据世界的客户资产不为正，占比没有定义")
    return close(answer, float(best.max() / total), abs=5e-4,
                 what="the share of customer equity at risk if the most valuable airline leaves",
                 what_zh="价值最高的航空公司流失时面临风险的客户资产占比")


@exercise(CASE, "q5", hint="Per topic: number of suggestions x mean severity / cost_to_fix; give the eight topics "
                           "with the highest score.",
          hint_zh="对每个主题：建议条数 x 平均严重程度 / cost_to_fix；给出得分最高的八个主题。")
def q5(world, answer):
    s = world.tables["suggestions"]
    tp = world.tables["design_topics"]
    names = tp["topic"].to_numpy()
    topic = s["topic"].to_numpy()
    sev = s["severity"].to_numpy(dtype=float)
    score = np.array([(topic == t).sum() * (sev[topic == t].mean() if (topic == t).any() else 0.0) for t in names])
    score = score / tp["cost_to_fix"].to_numpy(dtype=float)
    top = names[np.argsort(-score, kind="stable")[:N_PRIORITY]]
    return same_set(list(answer) if not isinstance(answer, str) else answer, [str(t) for t in top],
                    what="the eight topics to act on first", what_zh="最应优先改进的八个主题")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world):
    """The notebook's renewal rates by level, the CLV table (crmlab.value.retention_clv) and topic scores."""
    k = world.knobs
    a = world.tables["airlines"].set_index("airline_id")
    rates = world.tables["relationship_history"].groupby("level", observed=False)["renewed"].mean()
    costs = pd.Series({lv: k[f"cost_{lv}"] for lv in LEVELS})
    clv = pd.DataFrame({lv: retention_clv(a["annual_margin"].to_numpy() - costs[lv], rates[lv], k["discount_rate"])
                        for lv in LEVELS}, index=a.index)
    s = world.tables["suggestions"]
    log = world.tables["design_topics"].set_index("topic").join(
        s.groupby("topic", observed=False)["severity"].agg(mentions="size", severity="mean"))
    log = log.fillna({"mentions": 0, "severity": 0.0})
    log["score"] = log["mentions"] * log["severity"] / log["cost_to_fix"]
    return a, rates, costs, clv, log


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/boeing.ipynb, section 5."""
    a, rates, costs, clv, log = _notebook(world)
    best = clv.idxmax(axis=1)
    best_clv = clv.max(axis=1)
    return {"q1": float(a["annual_margin"].nlargest(TOP_K).sum() / a["annual_margin"].sum()),
            "q2": float(rates["partnership"]),
            "q3": int((best == "partnership").sum()),
            "q4": float(best_clv.max() / best_clv.sum()),
            "q5": log["score"].nlargest(N_PRIORITY).index.tolist()}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    a, rates, costs, clv, log = _notebook(world)
    right = answers(world)
    k = world.knobs
    m = a["annual_margin"]
    h = world.tables["relationship_history"]
    no_cost = pd.DataFrame({lv: retention_clv(m.to_numpy(), rates[lv], k["discount_rate"]) for lv in LEVELS},
                           index=a.index)
    best_clv = clv.max(axis=1)
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "top five divided by the other airlines (the wrong denominator)":
                   float(m.nlargest(TOP_K).sum() / (m.sum() - m.nlargest(TOP_K).sum())),
               "the top 20% of airlines instead of the top five": float(concentration.top_share(m, 0.2))},
        "q2": {"a percentage instead of a share": 100 * right["q2"],
               "the overall renewal rate, ignoring the level": float(h["renewed"].mean()),
               "the churn rate (1 - renewal)": 1 - right["q2"]},
        # Counts: a mistake is declared only in a world where it gives another count than the right one
        # (when partnership's estimated renewal is no better than proactive's, every method counts 0 partners).
        "q3": {what: n for what, n in {
            "the relationship's cost left out of the lifetime value":
                int((no_cost.idxmax(axis=1) == "partnership").sum()),
            "one year's margin minus cost, no lifetime":
                int(((m.to_numpy()[:, None] - costs.to_numpy()).argmax(axis=1) == 4).sum())}.items()
            if n != right["q3"]},
        "q4": {"a percentage instead of a share": 100 * right["q4"],
               "the largest airline's share of yearly margin, not of lifetime value": float(m.max() / m.sum()),
               "largest divided by all the others (the wrong denominator)":
                   float(best_clv.max() / (best_clv.sum() - best_clv.max()))},
        "q5": {"the eight most mentioned topics (frequency only)": log["mentions"].nlargest(N_PRIORITY).index.tolist(),
               "mentions x severity, ignoring the cost to fix":
                   (log["mentions"] * log["severity"]).nlargest(N_PRIORITY).index.tolist(),
               "the eight most severe topics on average": log["severity"].nlargest(N_PRIORITY).index.tolist()},
    }
