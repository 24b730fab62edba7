"""Exercise checks of the Jiangsu self-study exams case (notebooks/jiangsu_exams.ipynb), computed from the
student's own world.

Each check recomputes its answer from the world's tables with plain numpy (the notebook uses pandas group-bys),
so a notebook bug cannot make a wrong answer pass. The world is built in cases/jiangsu_exams/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "jiangsu_exams"


def _codes(series) -> np.ndarray:
    return pd.Categorical(series).codes.astype(np.int64) if not isinstance(series.dtype, pd.CategoricalDtype) \
        else series.cat.codes.to_numpy().astype(np.int64)


def _weighted_count(world, stage: str, users: np.ndarray | None) -> tuple[float, float]:
    """(estimated number dissatisfied, number who met the stage) in the register: per group, the share of
    respondents rating the stage 2 or less times the group's candidates in the register who met the stage."""
    reg, sv = world.tables["register"], world.tables["survey"]
    g_reg = _codes(reg["group"])
    g_sv = _codes(sv["group"])
    k = len(reg["group"].cat.categories)
    met = np.ones(len(reg), dtype=bool) if users is None else reg[users].to_numpy(dtype=bool)
    n_met = np.bincount(g_reg[met], minlength=k).astype(float)
    rating = sv[stage].to_numpy(dtype=float)
    rated = ~np.isnan(rating)
    raters = np.bincount(g_sv[rated], minlength=k).astype(float)
    bad = np.bincount(g_sv[rated], weights=(rating[rated] <= 2).astype(float), minlength=k)
    ok = raters > 0                       # a group without a single rating is left out and the rest scaled up
    share = np.divide(bad, raters, out=np.zeros(k), where=ok)
    count = float((share * n_met)[ok].sum() * n_met.sum() / n_met[ok].sum())
    return count, float(n_met.sum())


@exercise(CASE, "q1", hint="The 11,916 teacher-track candidates are 40.2% of the city's candidates: total = "
                           "teacher-track count / share (as a fraction, 0.402).",
          hint_zh="11,916名师范类考生占全市考生的40.2%：全市考生数 = 师范类人数 / 比例（写成小数0.402）。")
def q1(world, answer):
    c = world.tables["cities"]
    row = c["notice"].to_numpy(dtype=bool)
    total = float(c["teacher_after"].to_numpy()[row][0] / (c["teacher_share_after_pct"].to_numpy()[row][0] / 100))
    return close(answer, total, abs=1.0, what="the total number of candidates the source's figures imply",
                 what_zh="资料中的两个数字所隐含的全市考生总数")


@exercise(CASE, "q2", hint="Per group: the share of respondents rating registration 2 or less; then average the "
                           "seven shares weighted by each group's number of candidates in the register (a share "
                           "between 0 and 1).",
          hint_zh="先按群体算出回答者中给报名环节打2分及以下的比例，再以各群体在报名名册中的人数为权重，对七个比例"
                  "加权平均（0到1之间的比例）。")
def q2(world, answer):
    count, met = _weighted_count(world, "registration", None)
    return close(answer, count / met, abs=1e-3, what="the weighted share dissatisfied with registration",
                 what_zh="加权后对报名环节不满意的比例")


@exercise(CASE, "q3", hint="Only candidates who bought the textbooks meet that stage. Per group: the share of "
                           "respondents rating textbooks 2 or less, times the group's textbook buyers in the "
                           "register; add over the groups.",
          hint_zh="只有购买了教材的考生才经历教材环节。按群体：回答者中给教材打2分及以下的比例，乘以该群体在名册中"
                  "购买教材的人数；再对各群体求和。")
def q3(world, answer):
    count, _ = _weighted_count(world, "textbooks", "bought_textbooks")
    return close(answer, count, rel=2e-3, what="the estimated number of candidates dissatisfied with textbooks",
                 what_zh="估计的对教材不满意的考生人数")


def _uplift(world) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(uplift, rate with leaflet, rate without) per group from the pilot, with numpy."""
    p = world.tables["pilot"]
    g = _codes(p["group"])
    k = len(world.tables["groups"])
    t = p["leaflet"].to_numpy(dtype=bool)
    y = p["registered"].to_numpy(dtype=float)
    rate_t = np.bincount(g[t], weights=y[t], minlength=k) / np.bincount(g[t], minlength=k)
    rate_c = np.bincount(g[~t], weights=y[~t], minlength=k) / np.bincount(g[~t], minlength=k)
    return rate_t - rate_c, rate_t, rate_c


def _fill(value, cost, cap, budget) -> np.ndarray:
    """Fractional knapsack written as a cumulative sum: groups sorted by value per yuan, each bought whole
    until the budget runs out in one of them."""
    value, cost, cap = (np.asarray(x, dtype=float) for x in (value, cost, cap))
    order = np.argsort(-(value / cost), kind="stable")
    order = order[value[order] > 0]
    spend = cap[order] * cost[order]
    before = np.concatenate([[0.0], np.cumsum(spend)[:-1]])
    bought = np.clip(budget - before, 0.0, spend)
    out = np.zeros(value.size)
    out[order] = bought / cost[order]
    return out


@exercise(CASE, "q4", hint="Extra registrations per leaflet = pilot registration rate with a leaflet minus without, "
                           "per group. Fill the groups in decreasing order of that per yuan of cost, each up to "
                           "its prospects, until the budget is spent; report the expected extra registrations.",
          hint_zh="每份宣传单带来的增量报名 = 试点中收到宣传单的报名率减去未收到的报名率（按群体）。按“每元成本带来的"
                  "增量报名”从高到低给各群体寄发，每个群体以其潜在人数为限，直到预算用完；报告预期的增量报名人数。")
def q4(world, answer):
    up, _, _ = _uplift(world)
    g = world.tables["groups"]
    cost = g["cost_per_leaflet"].to_numpy(dtype=float)
    alloc = _fill(up, cost, g["prospects"].to_numpy(dtype=float), world.knobs["leaflet_budget"])
    return close(answer, float(alloc @ up), rel=5e-3, abs=0.5,
                 what="the expected extra registrations of the best allocation",
                 what_zh="最佳分配方案的预期增量报名人数")


@exercise(CASE, "q5", hint="Lianyungang's teacher_after / teacher_before, divided by the same ratio for the other "
                           "twelve cities pooled (sum after / sum before), minus 1.",
          hint_zh="连云港的 teacher_after / teacher_before，除以其余十二个市合计的同一比值（after 之和 / before 之和），"
                  "再减去1。")
def q5(world, answer):
    c = world.tables["cities"]
    t = c["notice"].to_numpy(dtype=bool)
    b, a = c["teacher_before"].to_numpy(dtype=float), c["teacher_after"].to_numpy(dtype=float)
    did = (a[t].sum() / b[t].sum()) / (a[~t].sum() / b[~t].sum()) - 1
    return close(answer, float(did), abs=1e-3, what="the notice's effect as a ratio of ratios",
                 what_zh="以比值之比衡量的通知效应")


# ------------------------------------------------------------------------------ right answers and mistakes
def _stage_table(world, stage: str, users: str | None, weighted: bool = True) -> tuple[float, float, float]:
    """The notebook's pandas way: (weighted share among candidates meeting the stage, candidates meeting it,
    estimated number dissatisfied)."""
    reg, sv = world.tables["register"], world.tables["survey"]
    met = reg if users is None else reg[reg[users]]
    size = met["group"].value_counts()
    rated = sv.dropna(subset=[stage])
    share_g = (rated[stage] <= 2).groupby(rated["group"], observed=True).mean()
    if not weighted:
        share = float((rated[stage] <= 2).mean())
    else:
        w = size.reindex(share_g.index)
        share = float((share_g * w).sum() / w.sum())
    return share, float(len(met)), share * len(met)


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/jiangsu_exams.ipynb, section 5."""
    c = world.tables["cities"]
    lyg = c[c["notice"]].iloc[0]
    implied_total = float(lyg["teacher_after"] / (lyg["teacher_share_after_pct"] / 100))
    registration_weighted, _, _ = _stage_table(world, "registration", None)
    _, _, textbooks_count = _stage_table(world, "textbooks", "bought_textbooks")
    pilot = world.tables["pilot"]
    rates = pilot.groupby(["group", "leaflet"], observed=True)["registered"].mean().unstack()
    groups = world.tables["groups"].set_index("group")
    groups["uplift"] = rates[True] - rates[False]
    groups["per_yuan"] = groups["uplift"] / groups["cost_per_leaflet"]
    left = world.knobs["leaflet_budget"]
    groups["leaflets"] = 0.0
    for name in groups.sort_values("per_yuan", ascending=False).index:
        if groups.loc[name, "uplift"] <= 0 or left <= 0:
            break
        n = min(groups.loc[name, "prospects"], left / groups.loc[name, "cost_per_leaflet"])
        groups.loc[name, "leaflets"] = n
        left -= n * groups.loc[name, "cost_per_leaflet"]
    expected_extra = float((groups["leaflets"] * groups["uplift"]).sum())
    growth = c.groupby("notice")[["teacher_before", "teacher_after"]].sum()
    ratio = growth["teacher_after"] / growth["teacher_before"]
    notice_did = float(ratio[True] / ratio[False] - 1)
    return {"q1": implied_total, "q2": registration_weighted, "q3": textbooks_count, "q4": expected_extra,
            "q5": notice_did}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    right = answers(world)
    c = world.tables["cities"]
    lyg = c[c["notice"]].iloc[0]
    n, share = float(lyg["teacher_after"]), float(lyg["teacher_share_after_pct"])
    reg, sv = world.tables["register"], world.tables["survey"]
    unweighted_reg, _, _ = _stage_table(world, "registration", None, weighted=False)
    all_surveyed = float((sv["registration"] <= 2).sum() / len(sv))
    tb_share_all, _, _ = _stage_table(world, "textbooks", None)          # weights of the whole register
    tb_unweighted, buyers, _ = _stage_table(world, "textbooks", "bought_textbooks", weighted=False)
    up, rate_t, _ = _uplift(world)
    g = world.tables["groups"]
    cost = g["cost_per_leaflet"].to_numpy(dtype=float)
    cap = g["prospects"].to_numpy(dtype=float)
    budget = world.knobs["leaflet_budget"]
    by_uplift = _fill(up, np.ones_like(cost), cap * cost, budget) / cost   # ranked by uplift, cost ignored
    by_rate = _fill(rate_t, cost, cap, budget)
    even = np.minimum(cap, budget / len(cost) / cost)
    t = c["notice"].to_numpy(dtype=bool)
    b, a = c["teacher_before"].to_numpy(dtype=float), c["teacher_after"].to_numpy(dtype=float)
    lyg_growth = a[t].sum() / b[t].sum()
    other_growth = a[~t].sum() / b[~t].sum()
    q4 = {"registrations among leaflet receivers (rate with a leaflet) instead of extra registrations":
              float(by_rate @ rate_t),
          "budget split equally over the seven groups": float(even @ up)}
    if abs(float(by_uplift @ up) - right["q4"]) > 0.01 * abs(right["q4"]) + 1:
        # with a small budget the first group in both rankings may take all of it: then the mistake is harmless
        q4["groups ranked by extra registrations per leaflet, cost ignored"] = float(by_uplift @ up)
    q5 = {"Lianyungang before/after only (the growth every city had counted as effect)": lyg_growth - 1,
          "a percentage instead of a ratio": 100 * right["q5"]}
    if abs(lyg_growth - other_growth - right["q5"]) > 0.005:
        # the difference of growth rates is other_growth x the right answer: it only differs visibly when the
        # other cities grew (or shrank) noticeably and the effect is not close to zero
        q5["difference of growth rates instead of a ratio of ratios"] = lyg_growth - other_growth
    return {
        "q1": {"multiplied by the share instead of divided": n * share / 100,
               "divided by the percentage 40.2, not the share 0.402": n / share,
               "divided by the other candidates' share (1 - 0.402)": n / (1 - share / 100),
               "the other candidates only (total minus the teacher-track ones)": n / (share / 100) - n},
        "q2": {"respondents' share, not weighted by group (the non-response bias kept)": unweighted_reg,
               "non-respondents counted as satisfied (dissatisfied / everyone surveyed)": all_surveyed,
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"share times every candidate, though only buyers meet the textbooks": tb_share_all * len(reg),
               "respondents' share, not weighted by group": tb_unweighted * buyers},
        "q4": q4,
        "q5": q5,
    }
