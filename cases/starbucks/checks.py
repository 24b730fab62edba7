"""Exercise checks of the Starbucks case (notebooks/starbucks.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy (least squares by ``numpy.linalg.lstsq``,
the Poisson GLM by Newton's method written out here), independently of the notebook's statsmodels code, so a
notebook bug cannot make a wrong answer pass. The world is built in cases/starbucks/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, with
statsmodels as the notebook does) and the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np

from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

CASE = "starbucks"
LEVERS = ["price", "wait_min", "ambience", "noise_db"]
FORMULA = "value_score ~ price + wait_min + ambience + noise_db"
VISITS_FORMULA = "visits ~ price + wait_min + ambience + noise_db"


def _design(world) -> np.ndarray:
    c = world.tables["customers"]
    return np.column_stack([np.ones(len(c))] + [c[lever].to_numpy(float) for lever in LEVERS])


def _ols(world) -> dict:
    """Score regression by numpy least squares: {'intercept', lever: coefficient}."""
    coef, *_ = np.linalg.lstsq(_design(world), world.tables["customers"]["value_score"].to_numpy(float), rcond=None)
    return dict(zip(["intercept"] + LEVERS, coef))


def _poisson(world) -> dict:
    """Poisson regression of visits by Newton's method on the log-likelihood (numpy only)."""
    X = _design(world)
    y = world.tables["customers"]["visits"].to_numpy(float)
    b = np.zeros(X.shape[1])
    b[0] = np.log(max(y.mean(), 1e-9))
    for _ in range(100):
        mu = np.exp(X @ b)
        step = np.linalg.solve(X.T @ (X * mu[:, None]), X.T @ (y - mu))
        b = b + step
        if np.max(np.abs(step)) < 1e-12:
            break
    return dict(zip(["intercept"] + LEVERS, b))


def _yuan(coef: dict) -> dict:
    """Yuan-equivalent of one unit of each lever: its score coefficient over minus the price coefficient."""
    return {lever: coef[lever] / -coef["price"] for lever in LEVERS}


def _gap(world, yuan: dict) -> float:
    """Mean delivered value (relative to the coffee itself, in yuan) at ours minus at the rival's."""
    c = world.tables["customers"]
    dv = sum(yuan[lever] * c[lever].to_numpy(float) for lever in LEVERS)
    ours = (c["brand"] == "ours").to_numpy()
    return float(dv[ours].mean() - dv[~ours].mean())


@exercise(CASE, "q1", hint="Mean price paid by customers of our chain divided by the mean paid at the rival's, "
                           "minus 1 (a share: 0.3 means 30% more).",
          hint_zh="我方顾客的平均花费除以对手顾客的平均花费，再减1（比例：0.3 表示贵30%）。")
def q1(world, answer):
    c = world.tables["customers"]
    price, ours = c["price"].to_numpy(float), (c["brand"] == "ours").to_numpy()
    return close(answer, float(price[ours].sum() / ours.sum() / (price[~ours].sum() / (~ours).sum()) - 1), rel=1e-4,
                 what="the price premium customers actually pay", what_zh="顾客实际支付的价格溢价")


@exercise(CASE, "q2", hint="Regress value_score on price, wait_min, ambience and noise_db together (OLS); the time "
                           "cost of a minute is the wait coefficient divided by the price coefficient (yuan, positive).",
          hint_zh="把 value_score 同时对 price、wait_min、ambience 和 noise_db 做 OLS 回归；一分钟的时间成本等于等待时间的系数"
                  "除以价格的系数（单位为元，取正值）。")
def q2(world, answer):
    coef = _ols(world)
    return close(answer, float(coef["wait_min"] / coef["price"]), rel=1e-3,
                 what="the yuan-equivalent cost of one minute of waiting", what_zh="等待一分钟的货币等值成本")


@exercise(CASE, "q3", hint="Fit a Poisson GLM of visits on the four levers (log link) and take exp() of the "
                           "ambience coefficient: the factor by which one more ambience point multiplies visits.",
          hint_zh="对 visits 做以四个因素为自变量的泊松 GLM（对数连接），取环境氛围系数的 exp()：环境氛围每多1分，"
                  "到店次数乘以的倍数。")
def q3(world, answer):
    coef = _poisson(world)
    return close(answer, float(np.exp(coef["ambience"])), rel=1e-4,
                 what="the visit rate ratio of one more ambience point", what_zh="环境氛围每多1分的到店频率比")


@exercise(CASE, "q4", hint="Turn each customer's four levers into yuan with the yuan-equivalents of the survey "
                           "regression (price counts -1 yuan per yuan), add them up, and take mean(ours) - mean(rival).",
          hint_zh="用调查回归得到的货币等值把每位顾客的四个因素换算成元（价格每1元记为-1元）并相加，再求"
                  "我方均值减去对手均值。")
def q4(world, answer):
    return close(answer, _gap(world, _yuan(_ols(world))), rel=1e-3, abs=1e-3,
                 what="the delivered-value gap between the chains (yuan per visit)",
                 what_zh="两个品牌每次到店的顾客让渡价值之差（元）")


@exercise(CASE, "q5", hint="For each option: change x the lever's yuan-equivalent (from the survey regression) = "
                           "value gained per visit; divide by cost_per_visit and take the option with the largest ratio.",
          hint_zh="对每个方案：变化量 x 该因素的货币等值（来自调查回归）= 每次到店增加的价值；再除以 cost_per_visit，"
                  "取比值最大的方案。")
def q5(world, answer):
    yuan = _yuan(_ols(world))
    o = world.tables["options"]
    ratio = [ch * yuan[lv] / cost for lv, ch, cost in zip(o["lever"], o["change"], o["cost_per_visit"])]
    if not isinstance(answer, str):
        return False, Text(f"expected the name of an option (text), got {answer!r}",
                           f"应当给出一个方案的名称（文字），而你给的是 {answer!r}")
    return equal(answer, str(np.asarray(o["option"])[int(np.argmax(ratio))]),
                 what="the option with the most delivered value per yuan of cost", what_zh="每元成本带来顾客让渡价值最多的方案")


# ------------------------------------------------------------------------------ right answers and mistakes
def _fits(world):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    c = world.tables["customers"]
    ols = smf.ols(FORMULA, data=c).fit()
    poisson = smf.glm(VISITS_FORMULA, data=c, family=sm.families.Poisson()).fit()
    return c, ols, poisson


def _option_table(world, yuan):
    o = world.tables["options"].astype({"option": str, "lever": str})
    o["value_per_visit"] = o["change"] * o["lever"].map(yuan)
    o["value_per_yuan"] = o["value_per_visit"] / o["cost_per_visit"]
    return o


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/starbucks.ipynb, section 5."""
    c, ols, poisson = _fits(world)
    mean_price = c.groupby("brand", observed=True)["price"].mean()
    premium_paid = float(mean_price["ours"] / mean_price["rival"] - 1)
    yuan = {lever: float(ols.params[lever] / -ols.params["price"]) for lever in LEVERS}
    minute_cost = -yuan["wait_min"]
    ambience_irr = float(np.exp(poisson.params["ambience"]))
    dv = sum(yuan[lever] * c[lever] for lever in LEVERS)
    by_brand = dv.groupby(c["brand"], observed=True).mean()
    dv_gap = float(by_brand["ours"] - by_brand["rival"])
    options = _option_table(world, yuan)
    best_option = str(options.sort_values("value_per_yuan", ascending=False)["option"].iloc[0])
    return {"q1": premium_paid, "q2": minute_cost, "q3": ambience_irr, "q4": dv_gap, "q5": best_option}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    import statsmodels.formula.api as smf

    c, ols, poisson = _fits(world)
    right = answers(world)
    mean_price = c.groupby("brand", observed=True)["price"].mean()
    alone = smf.ols("value_score ~ wait_min", data=c).fit().params["wait_min"]
    price_alone = smf.ols("value_score ~ price", data=c).fit().params["price"]
    slope = smf.ols("visits ~ ambience", data=c).fit().params["ambience"]
    yuan = {lever: float(ols.params[lever] / -ols.params["price"]) for lever in LEVERS}
    fitted = ols.fittedvalues.groupby(c["brand"], observed=True).mean()
    options = _option_table(world, yuan)
    by_value = str(options.sort_values("value_per_visit", ascending=False)["option"].iloc[0])
    cheapest = str(options.sort_values("cost_per_visit")["option"].iloc[0])
    worst = str(options.sort_values("value_per_yuan")["option"].iloc[0])
    q5 = {f"the option with the largest value per visit, ignoring its cost ({by_value})": by_value,
          f"the cheapest option ({cheapest})": cheapest,
          f"sorted ascending: the option with the least value per yuan ({worst})": worst}
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "rival over ours (the ratio upside down)": float(mean_price["rival"] / mean_price["ours"] - 1),
               "the difference in yuan instead of a share": float(mean_price["ours"] - mean_price["rival"])},
        "q2": {"the wait coefficient in score points, not yuan": float(ols.params["wait_min"]),
               "price coefficient over wait coefficient (the ratio upside down)":
                   float(ols.params["price"] / ols.params["wait_min"]),
               "a value instead of a cost (the wrong sign)": -right["q2"],
               "simple regressions of the score on wait and on price, one at a time": float(alone / price_alone)},
        "q3": {"the log coefficient instead of the rate ratio": float(poisson.params["ambience"]),
               "a percentage change instead of the ratio": float(100 * (right["q3"] - 1)),
               "the OLS slope of visits on ambience alone": float(slope)},
        "q4": {"money cost only: minus the price difference":
                   float(-(mean_price["ours"] - mean_price["rival"])),
               "the gap in survey points, not yuan": float(fitted["ours"] - fitted["rival"]),
               "rival minus ours (the wrong sign)": -right["q4"]},
        "q5": {what: name for what, name in q5.items() if name.lower() != right["q5"].lower()},
    }
