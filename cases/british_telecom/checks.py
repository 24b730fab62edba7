"""Exercise checks of the British Telecom case (notebooks/british_telecom.ipynb), computed from the student's own world.

Each check recomputes its answer directly from the world's table with numpy (percentiles with ``np.quantile``,
logistic fits with scikit-learn's unpenalised ``LogisticRegression``), independently of the notebook, which uses
pandas and statsmodels; a notebook bug cannot make a wrong answer pass. The world is built in
cases/british_telecom/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "british_telecom"


def _arrays(world) -> tuple[np.ndarray, np.ndarray]:
    c = world.tables["customers"]
    return c["satisfaction"].to_numpy(dtype=float), c["churned"].to_numpy(dtype=float)


def _loglik(X: np.ndarray, y: np.ndarray) -> tuple[LogisticRegression, float]:
    """Unpenalised logistic fit (scikit-learn, with intercept) and its log-likelihood."""
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=500, tol=1e-10).fit(X, y)
    p = np.clip(model.predict_proba(X)[:, 1], 1e-15, 1 - 1e-15)
    return model, float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))


def _hinge(s: np.ndarray, q15: float, q85: float) -> np.ndarray:
    return np.column_stack([s, np.maximum(s - q15, 0.0), np.maximum(s - q85, 0.0)])


def _rank_slack(k: int) -> float:
    """Tolerance of a rate over a percentile band of k customers: a few customers tied at the cut-off, or a band
    taken by rank rather than by quantile, may move it by a few / k."""
    return 2.5 / max(k, 1)


@exercise(CASE, "q1", hint="Take the customers with satisfaction <= the 15th percentile and average `churned` "
                           "(a share between 0 and 1).",
          hint_zh="取满意度不高于第15百分位数的客户，求 `churned` 的均值（0到1之间的比例）。")
def q1(world, answer):
    s, y = _arrays(world)
    low = s <= np.quantile(s, 0.15)
    return close(answer, float(y[low].mean()), abs=_rank_slack(int(low.sum())),
                 what="the churn rate of the least satisfied 15%", what_zh="最不满意的15%客户的流失率")


@exercise(CASE, "q2", hint="Churn rate of 70th percentile < satisfaction <= 85th percentile, minus churn rate of "
                           "satisfaction > 85th percentile (a difference of shares).",
          hint_zh="满意度在第70百分位数以上、不高于第85百分位数的客户的流失率，减去满意度高于第85百分位数的客户的流失率（比例之差）。")
def q2(world, answer):
    s, y = _arrays(world)
    q70, q85 = np.quantile(s, [0.70, 0.85])
    nxt, top = (s > q70) & (s <= q85), s > q85
    return close(answer, float(y[nxt].mean() - y[top].mean()),
                 abs=_rank_slack(int(nxt.sum())) + _rank_slack(int(top.sum())),
                 what="the churn gap between the 70-85% band and the top 15%",
                 what_zh="第70–85百分位区间与最满意的15%之间的流失率之差")


@exercise(CASE, "q3", hint="Twice the difference of log-likelihoods: 2 x (hinge model's llf - straight line's llf); "
                           "the hinge model has satisfaction, max(s - q15, 0) and max(s - q85, 0) and an intercept.",
          hint_zh="两个对数似然之差的2倍：2 x (折线模型的 llf - 直线模型的 llf)；折线模型包含满意度、max(s - q15, 0)、"
                  "max(s - q85, 0) 和截距。")
def q3(world, answer):
    s, y = _arrays(world)
    q15, q85 = np.quantile(s, [0.15, 0.85])
    ll_hinge = _loglik(_hinge(s, q15, q85), y)[1]
    ll_line = _loglik(s[:, None], y)[1]
    return close(answer, 2 * (ll_hinge - ll_line), rel=2e-3, abs=0.02,
                 what="the likelihood-ratio statistic of the hinge model against the straight line",
                 what_zh="折线模型相对于直线模型的似然比统计量")


@exercise(CASE, "q4", hint="Predicted churn at each bottom-15% customer's satisfaction minus predicted churn at "
                           "satisfaction + 1, from the hinge model of Q3, averaged (a fall in probability, not log-odds).",
          hint_zh="用 Q3 的折线模型，对最不满意的15%客户分别求现在满意度下的预测流失概率减去满意度加1后的预测流失概率，"
                  "再取平均（概率的下降量，不是对数几率）。")
def q4(world, answer):
    s, y = _arrays(world)
    q15, q85 = np.quantile(s, [0.15, 0.85])
    model = _loglik(_hinge(s, q15, q85), y)[0]
    low = s[s <= q15]
    fall = model.predict_proba(_hinge(low, q15, q85))[:, 1] - model.predict_proba(_hinge(low + 1, q15, q85))[:, 1]
    return close(answer, float(fall.mean()), rel=5e-3, abs=2e-4,
                 what="the average fall in churn probability of the least satisfied 15% from one more point",
                 what_zh="最不满意的15%客户满意度提高1分后流失概率的平均下降量")


@exercise(CASE, "q5", hint="Within 15th percentile < satisfaction <= 85th percentile: churn rate of rivals >= 3 minus "
                           "churn rate of rivals <= 1 (a difference of shares).",
          hint_zh="在满意度高于第15百分位数、不高于第85百分位数的客户中：竞争对手数 >= 3 的流失率减去竞争对手数 <= 1 的流失率（比例之差）。")
def q5(world, answer):
    c = world.tables["customers"]
    s, y = _arrays(world)
    rivals = c["rivals"].to_numpy()
    q15, q85 = np.quantile(s, [0.15, 0.85])
    mid = (s > q15) & (s <= q85)
    hi, lo = mid & (rivals >= 3), mid & (rivals <= 1)
    if hi.sum() == 0 or lo.sum() == 0:
        return False, Text("in this world one of the two groups has no customers in the middle band, so the gap is "
                           "undefined", "这个数据世界的中间区间里有一组没有客户，这个差值没有定义")
    return close(answer, float(y[hi].mean() - y[lo].mean()), abs=5e-4,
                 what="the middle-band churn gap between 3-4 rivals and 0-1 rival",
                 what_zh="中间区间内3–4个竞争对手与0–1个竞争对手的客户的流失率之差")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_hinge(cust: pd.DataFrame):
    """The hinge model of Q3/Q4 as the notebook fits it (statsmodels) and its design function."""
    import statsmodels.api as sm

    q15, q85 = cust["satisfaction"].quantile([0.15, 0.85])

    def design(s):
        return sm.add_constant(pd.DataFrame({"s": s, "above_q15": np.maximum(s - q15, 0),
                                             "above_q85": np.maximum(s - q85, 0)}), has_constant="add")

    return sm.Logit(cust["churn"], design(cust["satisfaction"])).fit(disp=0), design, q15, q85


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/british_telecom.ipynb, section 5."""
    import statsmodels.api as sm

    cust = world.tables["customers"].copy()
    cust["churn"] = cust["churned"].astype(int)
    s = cust["satisfaction"]
    low_cut = s.quantile(0.15)
    q1 = float(cust.loc[s <= low_cut, "churned"].mean())
    q70, q85 = s.quantile([0.70, 0.85])
    q2 = float(cust.loc[(s > q70) & (s <= q85), "churned"].mean() - cust.loc[s > q85, "churned"].mean())
    line = sm.Logit(cust["churn"], sm.add_constant(cust[["satisfaction"]])).fit(disp=0)
    hinge, design, q15, q85 = _notebook_hinge(cust)
    q3 = float(2 * (hinge.llf - line.llf))
    bottom = s[s <= q15]
    q4 = float((hinge.predict(design(bottom)) - hinge.predict(design(bottom + 1))).mean())
    band = cust[(s > q15) & (s <= q85)]
    q5 = float(band.loc[band["rivals"] >= 3, "churned"].mean() - band.loc[band["rivals"] <= 1, "churned"].mean())
    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5}


def _sign_flip(right: float, what: str) -> dict:
    """The wrong-sign mistake, declared only where the sign is distinguishable: a gap within 0.01 of zero (a world
    whose moderators are switched off, say) turned round is not a different answer."""
    return {what: -right} if abs(right) > 0.01 else {}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    import statsmodels.api as sm

    right = answers(world)
    cust = world.tables["customers"].copy()
    cust["churn"] = cust["churned"].astype(int)
    s, churned = cust["satisfaction"], cust["churned"]
    q15, q70, q85 = s.quantile([0.15, 0.70, 0.85])
    bottom = s <= q15
    line = sm.Logit(cust["churn"], sm.add_constant(cust[["satisfaction"]])).fit(disp=0)
    null = sm.Logit(cust["churn"], np.ones((len(cust), 1))).fit(disp=0)
    hinge, design, _, _ = _notebook_hinge(cust)
    low = s[bottom]
    eta_now = np.asarray(design(low)) @ hinge.params.to_numpy()
    eta_up = np.asarray(design(low + 1)) @ hinge.params.to_numpy()
    line_fall = (line.predict(sm.add_constant(low.to_frame(), has_constant="add"))
                 - line.predict(sm.add_constant((low + 1).to_frame(), has_constant="add"))).mean()
    middle = s[(s > q15) & (s <= q85)]
    middle_fall = (hinge.predict(design(middle)) - hinge.predict(design(middle + 1))).mean()
    band = cust[(s > q15) & (s <= q85)]
    band_hi, band_lo = band.loc[band["rivals"] >= 3, "churned"].mean(), band.loc[band["rivals"] <= 1, "churned"].mean()
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "the most satisfied 15% (sorted the wrong way)": float(churned[s >= s.quantile(0.85)].mean()),
               "share of all churners who are among the least satisfied 15% (the wrong denominator)":
                   float((churned & bottom).sum() / churned.sum())},
        "q2": {"a percentage-point number instead of a difference of shares": 100 * right["q2"],
               "the least satisfied 15% compared with the top (the wrong band)":
                   float(churned[s <= q15].mean() - churned[s > q85].mean()),
               **_sign_flip(right["q2"], "top band minus the band below (the wrong sign)")},
        "q3": {"the difference of log-likelihoods, not doubled": right["q3"] / 2,
               "the straight line against a model with no satisfaction at all": float(2 * (line.llf - null.llf)),
               "straight line minus hinge (the wrong sign)": -right["q3"]},
        "q4": {"percentage points instead of a fall in probability": 100 * right["q4"],
               "the fall in log-odds instead of probability": float((eta_now - eta_up).mean()),
               "the straight-line model's fall": float(line_fall),
               "the middle band's fall instead of the bottom 15%'s": float(middle_fall)},
        "q5": {"a percentage-point number instead of a difference of shares": 100 * right["q5"],
               "a ratio of churn rates instead of their difference": float(band_hi / band_lo),
               "the churn rate of the 3-4 rivals group alone, with nothing to compare it with": float(band_hi),
               **_sign_flip(right["q5"], "0-1 rival minus 3-4 rivals (the wrong sign)")},
    }
