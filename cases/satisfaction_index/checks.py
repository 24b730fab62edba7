"""Exercise checks of the satisfaction-index case (notebooks/satisfaction_index.ipynb), from the student's own world.

Each check recomputes its answer from the world's tables with plain numpy/scipy, independently of the library
calls the notebook uses (crmlab.loyalty, crmlab.rewards), so a bug in either cannot make a wrong answer pass.
The world is built in cases/satisfaction_index/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlab import loyalty, rewards
from crmlab.checks import close, exercise, mistakes, solutions

CASE = "satisfaction_index"
TOL = 0.05          # the "fairly satisfied" band: c in [1 - TOL, 1 + TOL]
UPLIFT = 0.05       # five percentage points more customers kept
DIRECTIONS = {"repeat_purchases": 1, "choice_time": -1, "price_sensitivity": -1, "retention": 1,
              "reputation": 1, "complaint_rate": -1, "purchase_amount": 1}


def _index(world) -> np.ndarray:
    cust = world.tables["customers"]
    return cust["perceived"].to_numpy(dtype=float) / cust["expected"].to_numpy(dtype=float)


@exercise(CASE, "q1", hint="c = perceived / expected for each customer; dissatisfied means c below 1 - 0.05 = 0.95. "
                           "Give the share of all customers (between 0 and 1).",
          hint_zh="对每位客户计算 c = perceived / expected；c 低于 1 - 0.05 = 0.95 即为不满意。给出占全部客户的比例（0到1之间）。")
def q1(world, answer):
    c = _index(world)
    n = c.size
    return close(answer, float(np.count_nonzero(c < 1 - TOL)) / n, abs=1.5 / n,
                 what="the share of dissatisfied customers", what_zh="不满意客户的比例")


def _pct_rank(x: np.ndarray) -> np.ndarray:
    return stats.rankdata(x, method="average") / x.size


@exercise(CASE, "q2", hint="Build the composite of the seven indicators (each turned into its percentile rank, "
                           "reversed for choice time, price sensitivity and complaint rate, then averaged), and "
                           "take its Spearman rank correlation with c.",
          hint_zh="先把七项指标合成综合指数（每项换成百分位秩，挑选时间、价格敏感度和投诉率要反向，再取平均），"
                  "再求它与 c 的斯皮尔曼等级相关系数（Spearman rank correlation）。")
def q2(world, answer):
    cust = world.tables["customers"]
    ranks = np.column_stack([_pct_rank(d * cust[col].to_numpy(dtype=float)) for col, d in DIRECTIONS.items()])
    composite = ranks.mean(axis=1)
    rho = stats.spearmanr(_index(world), composite).statistic
    return close(answer, float(rho), abs=0.002, what="the rank correlation of c with the seven-indicator composite",
                 what_zh="c 与七项指标综合指数的等级相关系数")


def _purchases_per_prospect(world) -> pd.Series:
    test = world.tables["promise_test"]
    promise = test["promise"].to_numpy(dtype=float)
    purchases = test["bought"].to_numpy(dtype=float) + test["repeat_purchases"].to_numpy(dtype=float)
    levels, inverse = np.unique(promise, return_inverse=True)
    totals = np.bincount(inverse, weights=purchases)
    counts = np.bincount(inverse)
    return pd.Series(totals / counts, index=levels)


@exercise(CASE, "q3", hint="For each promise level: profit per prospect reached = margin x (buyers + their repeat "
                           "purchases) / prospects reached. Which tested level gives the most?",
          hint_zh="对每个承诺水平：每个被触达潜在客户的利润 = margin x（购买人数 + 他们的重复购买次数）/ 触达人数。"
                  "哪个测试水平最高？")
def q3(world, answer):
    per = _purchases_per_prospect(world)
    return close(answer, float(per.idxmax()), abs=0.01, what="the most profitable promise level tested",
                 what_zh="测试中利润最高的承诺水平")


@exercise(CASE, "q4", hint="Over all customers: referrals (people who came) minus the people told by dissatisfied "
                           "customers (c < 0.95; all of them deterred, as the source says), per 100 customers.",
          hint_zh="对全部客户：推荐来的新客户数（referrals）减去不满意客户（c < 0.95）告诉过的人数"
                  "（按原文，这些人全部被劝退），再折算成每100位客户。")
def q4(world, answer):
    cust = world.tables["customers"]
    dissatisfied = _index(world) < 1 - TOL
    gained = cust["referrals"].to_numpy(dtype=float).sum()
    deterred = cust["told"].to_numpy(dtype=float)[dissatisfied].sum()
    return close(answer, 100.0 * (gained - deterred) / len(cust), abs=0.05, rel=1e-4,
                 what="net word of mouth per 100 customers", what_zh="每100位客户的口碑净效应")


@exercise(CASE, "q5", hint="Annual retention r = share of customers still there after 12 months (retention == 12). "
                           "Value of an acquired customer = 1 / (1 - r) periods of profit; give the relative rise "
                           "when r rises by 5 percentage points (e.g. 0.33 for +33%).",
          hint_zh="年保留率 r = 12个月后仍在的客户比例（retention == 12）。一个获得的客户的价值 = 1 / (1 - r) 期利润；"
                  "给出 r 提高5个百分点时价值的相对增幅（例如 +33% 写作0.33）。")
def q5(world, answer):
    r = float(np.mean(world.tables["customers"]["retention"].to_numpy() == 12))
    return close(answer, (1 - r) / (1 - r - UPLIFT) - 1, rel=0.002,
                 what="the relative rise in customer value from 5 more points of retention",
                 what_zh="保留率提高5个百分点带来的客户价值相对增幅")


# ------------------------------------------------------------------------------ right answers and mistakes
@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/satisfaction_index.ipynb, section 5."""
    cust = world.tables["customers"]
    idx = loyalty.satisfaction_index(cust["perceived"], cust["expected"], tolerance=TOL)
    share_dissatisfied = float((idx["status"] == "dissatisfied").mean())
    composite = loyalty.composite_satisfaction(cust)
    rho = float(pd.Series(idx["index"].to_numpy()).corr(pd.Series(composite.to_numpy()), method="spearman"))
    test = world.tables["promise_test"]
    per_prospect = (test["bought"] + test["repeat_purchases"]).groupby(test["promise"]).mean()
    best_promise = float(per_prospect.idxmax())
    dissatisfied = (idx["status"] == "dissatisfied").to_numpy()
    net_wom = float(100 * (cust["referrals"].sum() - cust.loc[dissatisfied, "told"].sum()) / len(cust))
    r = float((cust["retention"] == 12).mean())
    gain = float(rewards.retention_sensitivity([r], uplift=UPLIFT)["profit_increase"].iloc[0])
    return {"q1": share_dissatisfied, "q2": rho, "q3": best_promise, "q4": net_wom, "q5": gain}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    cust = world.tables["customers"]
    right = answers(world)
    a, b = cust["expected"], cust["perceived"]
    c = b / a
    composite_unreversed = loyalty.composite_satisfaction(cust, indicators={k: 1 for k in DIRECTIONS})
    composite = loyalty.composite_satisfaction(cust)
    test = world.tables["promise_test"]
    buyers = test[test["bought"]]
    by_promise = test.groupby("promise")
    satisfied_share = (buyers["perceived"] / buyers["promise"] >= 1 - TOL).groupby(buyers["promise"]).mean()
    dissatisfied = (c < 1 - TOL).to_numpy()
    satisfied = (c > 1 + TOL).to_numpy()
    r = float((cust["retention"] == 12).mean())
    months_r = float(cust["retention"].mean() / 12)
    return {
        "q1": {"b < a with no 'fairly satisfied' band": float((b < a).mean()),
               "a percentage instead of a share": 100 * right["q1"]},
        "q2": {"the indicators not reversed (lower choice time, price sensitivity, complaints read as better)":
                   float(pd.Series(c.to_numpy()).corr(pd.Series(composite_unreversed.to_numpy()), method="spearman")),
               "the index upside down (a / b)":
                   float(pd.Series((a / b).to_numpy()).corr(pd.Series(composite.to_numpy()), method="spearman"))},
        "q3": {"the level that sells to the most prospects (first purchases only)":
                   float(by_promise["bought"].mean().idxmax()),
               "the level with the highest satisfied share of buyers": float(satisfied_share.idxmax())},
        "q4": {"the gains only, deterred prospects left out": float(100 * cust["referrals"].sum() / len(cust)),
               "people told by satisfied customers counted as won, not those who came":
                   float(100 * (cust.loc[satisfied, "told"].sum() - cust.loc[dissatisfied, "told"].sum()) / len(cust)),
               "per customer instead of per 100 customers": right["q4"] / 100},
        "q5": {"5% more retention read as r x 1.05 instead of r + 0.05": (1 - r) / (1 - 1.05 * r) - 1,
               "mean months / 12 used as the retention rate": (1 - months_r) / (1 - months_r - UPLIFT) - 1,
               "a percentage instead of a share": 100 * right["q5"]},
    }
