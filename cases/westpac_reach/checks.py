"""Exercise checks of the Westpac Reach case (notebooks/westpac_reach.ipynb), from the student's own world.

The checks recompute each answer with numpy from the world's tables; the next-best-offer model of question 3 is
refitted here by Newton's method (iteratively reweighted least squares) rather than with statsmodels, as the
notebook does. Below the checks, ``answers`` computes every answer the notebook's way (pandas, statsmodels) and
``classic_mistakes`` the wrong answers a student plausibly gives — above all, response taken for uplift;
tests/test_case_contract.py judges both.
"""
from __future__ import annotations

import numpy as np

from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "westpac_reach"
NBO_FEATURES = ["research_visits", "log_balance", "age", "tenure_years", "holds_card", "holds_home_loan",
                "holds_insurance", "online_banking"]
NBO_FORMULA = "holds_fund ~ " + " + ".join(NBO_FEATURES)


def _arrays(world) -> dict:
    """The campaign's columns joined to the customers' (numpy), plus the NBO score of each eligible customer."""
    cu, ca = world.tables["customers"], world.tables["campaign"]
    X = np.column_stack([np.ones(len(cu))] + [np.log(cu["balance"].to_numpy()) if f == "log_balance"
                                              else cu[f].to_numpy(dtype=float) for f in NBO_FEATURES])
    y = cu["holds_fund"].to_numpy(dtype=float)
    beta = np.zeros(X.shape[1])
    for _ in range(50):                      # Newton / IRLS for the unpenalised logistic regression
        p = 1 / (1 + np.exp(-X @ beta))
        step = np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]), X.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-12:
            break
    score = 1 / (1 + np.exp(-X @ beta))
    pos = np.searchsorted(cu["customer_id"].to_numpy(), ca["customer_id"].to_numpy())
    return {"treated": ca["treated"].to_numpy(dtype=bool), "bought": ca["bought"].to_numpy(dtype=float),
            "revenue": ca["revenue"].to_numpy(dtype=float), "balance": cu["balance"].to_numpy()[pos],
            "event": cu["large_deposit"].to_numpy(dtype=bool)[pos], "score": score[pos]}


def _top(values: np.ndarray, k: int) -> np.ndarray:
    mask = np.zeros(values.size, dtype=bool)
    mask[np.argsort(-values, kind="stable")[:k]] = True
    return mask


def _uplift(a: dict, mask: np.ndarray, col: str = "bought") -> float:
    t, v = a["treated"][mask], a[col][mask]
    return float(v[t].mean() - v[~t].mean())


@exercise(CASE, "q1", hint="Among all customers in table `campaign`: purchase rate of the treated minus purchase rate "
                           "of the control group (a difference of shares).",
          hint_zh="表 `campaign` 的全部客户：处理组的购买率减去对照组的购买率（两个比例之差）。")
def q1(world, answer):
    a = _arrays(world)
    return close(answer, _uplift(a, np.ones(a["treated"].size, dtype=bool)), abs=1e-4, fmt=".4f",
                 what="the uplift of the offer over all eligible customers", what_zh="推荐对全部合格客户的增量")


@exercise(CASE, "q2", hint="Intuitive list = the k eligible customers with the largest balance, k = number of eligible "
                           "customers with a large deposit. Uplift = treated purchase rate - control purchase rate "
                           "inside the list.",
          hint_zh="直觉名单 = 存款余额最大的 k 个合格客户，k = 有大额存款事件的合格客户数。增量 = 名单内处理组购买率 − "
                  "对照组购买率。")
def q2(world, answer):
    a = _arrays(world)
    k = int(a["event"].sum())
    return close(answer, _uplift(a, _top(a["balance"], k)), abs=1e-4, fmt=".4f",
                 what="the uplift of the intuitive (largest-balance) list", what_zh="直觉名单（余额最大者）的增量")


@exercise(CASE, "q3", hint="Next-best-offer list = the k eligible customers with the highest `nbo_score` (the model of "
                           "section 4.3); uplift = treated purchase rate - control purchase rate inside the list.",
          hint_zh="下一个最佳产品推荐名单 = `nbo_score`（第4.3节的模型）最高的 k 个合格客户；增量 = 名单内处理组购买率 − "
                  "对照组购买率。")
def q3(world, answer):
    a = _arrays(world)
    k = int(a["event"].sum())
    return close(answer, _uplift(a, _top(a["score"], k)), abs=1e-4, fmt=".4f",
                 what="the uplift of the next-best-offer list", what_zh="下一个最佳产品推荐名单的增量")


@exercise(CASE, "q4", hint="Inside the trigger list (eligible customers with a large deposit): mean revenue of the "
                           "treated minus mean revenue of the control group, counting non-buyers as 0.",
          hint_zh="在触发名单（有大额存款的合格客户）内：处理组的平均收入减去对照组的平均收入，未购买者按0计。")
def q4(world, answer):
    a = _arrays(world)
    return close(answer, _uplift(a, a["event"], "revenue"), rel=1e-3, abs=0.01, fmt=".2f",
                 what="the incremental revenue per contact of the trigger list (AUD)",
                 what_zh="触发名单每联系一位客户的增量收入（澳元）")


@exercise(CASE, "q5", hint="Inside the trigger list: the control group's purchase rate divided by the treated group's "
                           "— the share of treated buyers who would have bought without the offer.",
          hint_zh="在触发名单内：对照组购买率除以处理组购买率——即处理组购买者中没有推荐也会购买的比例。")
def q5(world, answer):
    a = _arrays(world)
    t, v = a["treated"][a["event"]], a["bought"][a["event"]]
    if v[t].sum() == 0:
        return False, Text("no offered customer in the trigger list bought: the share is undefined in this world",
                           "触发名单中收到推荐的客户无人购买：在这个模拟世界里该比例没有定义")
    return close(answer, float(v[~t].mean() / v[t].mean()), abs=1e-4, fmt=".4f",
                 what="the share of the trigger list's treated buyers who would have bought anyway",
                 what_zh="触发名单处理组购买者中本来就会购买的比例")


# ------------------------------------------------------------------ the notebook's answers and classic mistakes
def _notebook_objects(world) -> dict:
    """Section 4's objects, built as the notebook builds them: ``camp`` (campaign joined to customers, with the
    next-best-offer score from statsmodels) and the three lists of equal size ``k``."""
    import statsmodels.formula.api as smf

    cu = world.tables["customers"].assign(log_balance=lambda d: np.log(d["balance"]))
    model = smf.logit(NBO_FORMULA, data=cu.astype({c: float for c in ["holds_fund", *NBO_FEATURES]})).fit(disp=0)
    cu["nbo_score"] = model.predict(cu.astype({c: float for c in NBO_FEATURES}))
    camp = world.tables["campaign"].merge(cu, on="customer_id")
    k = int(camp["large_deposit"].sum())
    lists = {"intuitive": camp.nlargest(k, "balance"), "trigger": camp[camp["large_deposit"]],
             "nbo": camp.nlargest(k, "nbo_score")}
    return {"camp": camp, "lists": lists, "k": k}


def _rates(frame, col="bought"):
    r = frame.groupby("treated")[col].mean()
    return float(r[True]), float(r[False])


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/westpac_reach.ipynb, section 5, with pandas on the section 4 objects."""
    o = _notebook_objects(world)
    out = {}
    for q, frame in (("q1", o["camp"]), ("q2", o["lists"]["intuitive"]), ("q3", o["lists"]["nbo"])):
        t, c = _rates(frame)
        out[q] = t - c
    t, c = _rates(o["lists"]["trigger"], "revenue")
    out["q4"] = t - c
    t, c = _rates(o["lists"]["trigger"])
    out["q5"] = c / t if t > 0 else float("nan")
    return out


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed the notebook's way with one step done wrong."""
    o = _notebook_objects(world)
    camp, lists = o["camp"], o["lists"]
    t1, c1 = _rates(camp)
    t2, c2 = _rates(lists["intuitive"])
    t3, c3 = _rates(lists["nbo"])
    worst = camp.nsmallest(o["k"], "nbo_score")
    tw, cw = _rates(worst)
    trig = lists["trigger"]
    rt, rc = _rates(trig, "revenue")
    tt, tc = _rates(trig)
    buyers = trig[trig["treated"] & trig["bought"]]
    return {
        "q1": {"the response rate of the treated (response, not uplift)": t1,
               "the wrong sign: control minus treated": c1 - t1,
               "percentage points instead of a share": 100 * (t1 - c1)},
        "q2": {"the list's response rate among the treated (response, not uplift)": t2,
               "the relative uplift (treated / control - 1) instead of the difference": t2 / c2 - 1},
        "q3": {"the list's response rate among the treated (response, not uplift)": t3,
               "the list taken from the wrong end (lowest scores)": tw - cw},
        "q4": {"the mean revenue of the treated (counts sales that would have happened anyway)": rt,
               "the revenue per treated buyer instead of per contact": float(buyers["revenue"].mean()),
               "the total over the list instead of per contact": (rt - rc) * len(trig)},
        "q5": {"one minus the answer (the share caused by the offer)": 1 - tc / tt if tt > 0 else 1.0,
               "the control group's purchase rate itself": tc},
    }
