"""Exercise checks of the IKEA case (notebooks/ikea.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy (least squares by ``numpy.linalg.lstsq``
with hand-made dummy columns, where the notebook uses statsmodels formulas and pandas), so a notebook bug
cannot make a wrong answer pass. The world is built in cases/ikea/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and
the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import statsmodels.formula.api as smf

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "ikea"
DRIVERS = ("showroom", "price_value", "product_range", "staff_help", "checkout", "assembly_ease")
RATINGS = [f"rating_{d}" for d in DRIVERS]


def _dummies(values, levels) -> np.ndarray:
    """0/1 columns for every level but the first (treatment coding)."""
    values = np.asarray(values, dtype=object)
    return np.column_stack([(values == lv).astype(float) for lv in list(levels)[1:]])


def _adjusted_lift(v) -> float:
    """exp(coefficient of walked_showroom) - 1 from least squares of log basket on walked, purpose and household."""
    X = np.column_stack([np.ones(len(v)), v["walked_showroom"].to_numpy(dtype=float),
                         _dummies(v["purpose"], v["purpose"].cat.categories),
                         _dummies(v["household"], v["household"].cat.categories)])
    coef, *_ = np.linalg.lstsq(X, np.log(v["basket_eur"].to_numpy(dtype=float)), rcond=None)
    return float(np.expm1(coef[1]))


@exercise(CASE, "q1", hint="Mean basket_eur of the visits with walked_showroom True divided by the mean of those with "
                           "False (a ratio, e.g. 1.5 means 50% more).",
          hint_zh="walked_showroom 为 True 的访问的 basket_eur 均值，除以为 False 的访问的均值（一个比值，"
                  "例如1.5表示多50%）。")
def q1(world, answer):
    v = world.tables["visits"]
    walked = v["walked_showroom"].to_numpy(dtype=bool)
    basket = v["basket_eur"].to_numpy(dtype=float)
    return close(answer, float(basket[walked].mean() / basket[~walked].mean()), rel=1e-4,
                 what="the raw basket ratio of showroom walkers to non-walkers",
                 what_zh="逛与没逛样板间的顾客平均购物金额之比（未调整）")


@exercise(CASE, "q2", hint="Regress overall_satisfaction on all six rating_ columns together (with an intercept) and "
                           "give the coefficient of rating_showroom.",
          hint_zh="把 overall_satisfaction 同时对六个 rating_ 列回归（含截距），给出 rating_showroom 的系数。")
def q2(world, answer):
    v = world.tables["visits"]
    X = np.column_stack([np.ones(len(v))] + [v[c].to_numpy(dtype=float) for c in RATINGS])
    coef, *_ = np.linalg.lstsq(X, v["overall_satisfaction"].to_numpy(dtype=float), rcond=None)
    return close(answer, float(coef[1]), abs=0.005, what="the importance of the showroom (multiple regression coefficient)",
                 what_zh="样板间的重要性（多元回归系数）")


@exercise(CASE, "q3", hint="Regress log(basket_eur) on walked_showroom, C(purpose) and C(household); the answer is "
                           "exp(coefficient of walked_showroom) - 1, a proportion (0.1 for 10% more).",
          hint_zh="把 log(basket_eur) 对 walked_showroom、C(purpose) 和 C(household) 回归；答案是 "
                  "exp(walked_showroom 的系数) - 1，一个比例（多10%写作0.1）。")
def q3(world, answer):
    return close(answer, _adjusted_lift(world.tables["visits"]), abs=0.002,
                 what="the showroom's effect on the basket adjusted for purpose and household",
                 what_zh="控制到店目的和家庭类型后样板间对购物金额的影响")


@exercise(CASE, "q4", hint="Mean valuation_eur of the builders who completed the box divided by the mean of the "
                           "prebuilt group, minus 1 (a proportion).",
          hint_zh="完成组装的 build 组参加者的 valuation_eur 均值，除以 prebuilt 组的均值，再减1（一个比例）。")
def q4(world, answer):
    t = world.tables["assembly_test"]
    val = t["valuation_eur"].to_numpy(dtype=float)
    build = (t["condition"].astype(str) == "build").to_numpy()
    done = t["completed"].to_numpy(dtype=bool)
    return close(answer, float(val[build & done].mean() / val[~build].mean() - 1), abs=0.002,
                 what="the IKEA effect among those who finished the assembly", what_zh="完成组装者身上的宜家效应")


@exercise(CASE, "q5", hint="Among the visits with bought_flatpack True and service_price equal to round(delivery_price), "
                           "the share with took_service True (between 0 and 1).",
          hint_zh="在 bought_flatpack 为 True 且 service_price 等于 round(delivery_price) 的访问中，"
                  "took_service 为 True 的比例（0到1之间）。")
def q5(world, answer):
    v = world.tables["visits"]
    price = v["service_price"].to_numpy(dtype=float)
    offered = v["bought_flatpack"].to_numpy(dtype=bool) & (price == round(world.knobs["delivery_price"]))
    return close(answer, float(v["took_service"].to_numpy(dtype=bool)[offered].mean()), abs=1e-4,
                 what="the take-up of assembly + delivery at the list price",
                 what_zh="按标价推荐时组装加送货服务的购买比例")


# ------------------------------------------------------------------------------ right answers and mistakes
@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/ikea.ipynb, section 5 (statsmodels formulas and pandas, as the notebook)."""
    v = world.tables["visits"].copy()
    v["log_basket"] = np.log(v["basket_eur"])
    means = v.groupby("walked_showroom")["basket_eur"].mean()
    raw_ratio = float(means[True] / means[False])
    fit = smf.ols("overall_satisfaction ~ " + " + ".join(RATINGS), data=v).fit()
    showroom_importance = float(fit.params["rating_showroom"])
    adj = smf.ols("log_basket ~ walked_showroom + C(purpose) + C(household)", data=v).fit()
    adjusted_lift = float(np.exp(adj.params["walked_showroom[T.True]"]) - 1)
    t = world.tables["assembly_test"]
    built = t[(t["condition"] == "build") & t["completed"]]["valuation_eur"].mean()
    prebuilt = t[t["condition"] == "prebuilt"]["valuation_eur"].mean()
    ikea_premium = float(built / prebuilt - 1)
    offered = v[v["bought_flatpack"] & (v["service_price"] == round(world.knobs["delivery_price"]))]
    take_up = float(offered["took_service"].mean())
    return {"q1": raw_ratio, "q2": showroom_importance, "q3": adjusted_lift, "q4": ikea_premium, "q5": take_up}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    right = answers(world)
    v = world.tables["visits"].copy()
    v["log_basket"] = np.log(v["basket_eur"])
    means = v.groupby("walked_showroom")["basket_eur"].mean()
    medians = v.groupby("walked_showroom")["basket_eur"].median()
    simple = smf.ols("overall_satisfaction ~ rating_showroom", data=v).fit()
    adj = smf.ols("log_basket ~ walked_showroom + C(purpose) + C(household)", data=v).fit()
    naive = smf.ols("log_basket ~ walked_showroom", data=v).fit()
    purpose_only = smf.ols("log_basket ~ walked_showroom + C(purpose)", data=v).fit()
    b = float(adj.params["walked_showroom[T.True]"])
    t = world.tables["assembly_test"]
    build = t["condition"] == "build"
    val = t["valuation_eur"]
    prebuilt = val[~build].mean()
    built = val[build & t["completed"]].mean()
    flat = v[v["bought_flatpack"]]
    at_price = flat[flat["service_price"] == round(world.knobs["delivery_price"])]
    q3 = {"the raw comparison of log baskets, without the controls":
              float(np.exp(naive.params["walked_showroom[T.True]"]) - 1),
          "a percentage instead of a proportion": 100 * right["q3"]}
    partial = float(np.exp(purpose_only.params["walked_showroom[T.True]"]) - 1)
    if abs(partial - right["q3"]) > 0.004:  # in a small world the household adjustment can happen to cancel out
        q3["controlling for purpose but not for household"] = partial
    if abs(b - right["q3"]) > 0.004:       # with a lift near zero, log points and proportions coincide
        q3["the coefficient in log points, not converted with exp(b) - 1"] = b
    return {
        "q1": {"the difference in EUR instead of the ratio": float(means[True] - means[False]),
               "non-walkers over walkers (the ratio upside down)": 1 / right["q1"],
               "the ratio of medians instead of means": float(medians[True] / medians[False])},
        "q2": {"the slope of a simple regression on the showroom rating alone (the halo inflates it)":
                   float(simple.params["rating_showroom"]),
               "the correlation of the showroom rating with satisfaction":
                   float(v["rating_showroom"].corr(v["overall_satisfaction"]))},
        "q3": q3,
        "q4": {"all builders, including those who gave up (intent to treat)": float(val[build].mean() / prebuilt - 1),
               "the ratio without subtracting 1": float(built / prebuilt),
               "the difference in EUR instead of a proportion": float(built - prebuilt),
               "finishers compared with the builders who gave up":
                   float(built / val[build & ~t["completed"]].mean() - 1)},
        "q5": {"took_service averaged over every visit at every price (the wrong denominator)":
                   float(v["took_service"].mean()),
               "the take-up of flat-pack buyers at every price, not only the list price":
                   float(flat["took_service"].mean()),
               "a percentage instead of a share": 100 * right["q5"],
               "the share who did not take the service": 1 - right["q5"]},
    }
