"""Exercise checks of the Zhike promotion case (notebooks/zhike_promotion.ipynb), from the student's own world.

Each check recomputes its expected value with plain numpy on the world's two tables (matching the feedback
answers to the pre-survey by customer id through sorted arrays), independently of the notebook's pandas
pivot and of ``crmlab.effects``, so a bug in the notebook's analysis cannot make a wrong answer pass. The world
is built in cases/zhike_promotion/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from crmlab.checks import close, exercise, mistakes, solutions
from crmlab.effects import did_ratio

CASE = "zhike_promotion"


def _panel_arrays(world):
    """Customers who answered both surveys: (class, arm, pre, feedback, orders) as numpy arrays."""
    cust, surv = world.tables["customers"], world.tables["surveys"]
    ids = cust["customer_id"].to_numpy()
    wave = surv["wave"].astype(str).to_numpy()
    sid, sat = surv["customer_id"].to_numpy(), surv["satisfaction"].to_numpy(dtype=float)
    order = np.argsort(ids)
    pre = np.full(ids.size, np.nan)
    post = np.full(ids.size, np.nan)
    for target, w in ((pre, "pre"), (post, "feedback")):
        m = wave == w
        pos = order[np.searchsorted(ids, sid[m], sorter=order)]
        target[pos] = sat[m]
    keep = ~np.isnan(pre) & ~np.isnan(post)
    return (cust["customer_class"].astype(str).to_numpy()[keep], cust["arm"].astype(str).to_numpy()[keep],
            pre[keep], post[keep])


def _ratio(cls, arm, pre, post, c, a):
    m = (cls == c) & (arm == a)
    return post[m].sum() / pre[m].sum()          # mean after / mean before (same customers)


def _did(world, c, a):
    cls, arm, pre, post = _panel_arrays(world)
    return _ratio(cls, arm, pre, post, c, a) / _ratio(cls, arm, pre, post, c, "control") - 1


def _n_per_group(sd_change: float, delta: float = 5.0, alpha: float = 0.05, power: float = 0.8) -> float:
    return 2 * (norm.ppf(1 - alpha / 2) + norm.ppf(power)) ** 2 * sd_change ** 2 / delta ** 2


@exercise(CASE, "q1", hint="Only class-A customers of the price_cut arm who answered both surveys: mean feedback "
                           "satisfaction / mean pre-survey satisfaction - 1 (a share: 0.10 for +10%).",
          hint_zh="只取降价组（price_cut）中两次调查都回答了的A类客户：反馈调查满意度均值 / 前期调查满意度均值 - 1"
                  "（比例：+10% 写作0.10）。")
def q1(world, answer):
    cls, arm, pre, post = _panel_arrays(world)
    return close(answer, float(_ratio(cls, arm, pre, post, "A", "price_cut") - 1), abs=5e-4,
                 what="the pre/post change of class A's price-cut group", what_zh="A类降价组的前后变化")


@exercise(CASE, "q2", hint="Within class A: (mean after / mean before of the price_cut arm) / (mean after / mean "
                           "before of the control arm) - 1, over customers who answered both surveys.",
          hint_zh="在A类客户内部：(降价组的后/前均值之比) / (对照组的后/前均值之比) - 1，只用两次调查都回答了的客户。")
def q2(world, answer):
    return close(answer, float(_did(world, "A", "price_cut")), abs=5e-4,
                 what="the difference in differences of the price cut in class A",
                 what_zh="A类客户中降价效果的双重差分估计")


@exercise(CASE, "q3", hint="The same ratio of ratios for class B's fast_delivery arm, with class B's own control "
                           "arm as the comparison group.",
          hint_zh="对B类客户的加快送货组（fast_delivery）计算同样的比值之比，对照组用B类自己的对照组。")
def q3(world, answer):
    return close(answer, float(_did(world, "B", "fast_delivery")), abs=5e-4,
                 what="the difference in differences of faster delivery in class B",
                 what_zh="B类客户中加快送货效果的双重差分估计")


@exercise(CASE, "q4", hint="Share of all customers in the panel whose pre-survey answer to the packaging question "
                           "is 'yes' (the denominator is every customer, 'unsure' included).",
          hint_zh="前期调查中对包装问题回答 'yes' 的客户占全部样本客户的比例（分母是所有客户，包括回答 'unsure' 的）。")
def q4(world, answer):
    pack = world.tables["customers"]["pay_more_packaging"].astype(str).to_numpy()
    return close(answer, float(np.mean(pack == "yes")), abs=5e-4,
                 what="the share willing to pay more for nicer packaging", what_zh="愿意为更好包装多付钱的客户比例")


@exercise(CASE, "q5", hint="n per group = 2 (z_0.975 + z_0.80)^2 s^2 / 5^2, where s is the standard deviation of "
                           "the change (feedback - pre) among control customers of both classes who answered both "
                           "surveys.",
          hint_zh="每组样本量 n = 2 (z_0.975 + z_0.80)^2 s^2 / 5^2，其中 s 是两类客户的对照组中、两次调查都回答了的客户"
                  "满意度变化（反馈 - 前期）的标准差。")
def q5(world, answer):
    cls, arm, pre, post = _panel_arrays(world)
    change = (post - pre)[arm == "control"]
    sd = math.sqrt(np.sum((change - change.mean()) ** 2) / (change.size - 1))
    expected = _n_per_group(sd)
    # the formula's value or that value rounded up to whole customers, within 2% (the z values' rounding)
    try:
        whole = float(answer).is_integer()
    except (TypeError, ValueError):
        whole = False                            # close() below says what kind of answer is expected
    target = math.ceil(expected) if whole else expected
    return close(answer, float(target), rel=0.02, fmt=".4g",
                 what="the customers needed per group", what_zh="每组所需的客户数")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_panel(world) -> pd.DataFrame:
    """The notebook's ``panel``: customers with their pre and feedback satisfaction, those who answered both."""
    customers, surveys = world.tables["customers"], world.tables["surveys"]
    wide = surveys.pivot(index="customer_id", columns="wave", values="satisfaction")
    panel = customers.assign(pre=customers["customer_id"].map(wide["pre"]),
                             feedback=customers["customer_id"].map(wide["feedback"]))
    return panel.dropna(subset=["pre", "feedback"])


def _group(panel, c, a):
    return panel[(panel["customer_class"] == c) & (panel["arm"] == a)]


def _did_nb(panel, c, a):
    part = panel[(panel["customer_class"] == c) & panel["arm"].isin([a, "control"])]
    return did_ratio(part["pre"], part["feedback"], part["arm"] == a)


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/zhike_promotion.ipynb, section 5."""
    panel = _notebook_panel(world)
    a_price = _group(panel, "A", "price_cut")
    prepost_a_price = float(a_price["feedback"].mean() / a_price["pre"].mean() - 1)
    did_a_price = float(_did_nb(panel, "A", "price_cut"))
    did_b_delivery = float(_did_nb(panel, "B", "fast_delivery"))
    share_yes = float((world.tables["customers"]["pay_more_packaging"] == "yes").mean())
    change = panel.loc[panel["arm"] == "control", "feedback"] - panel.loc[panel["arm"] == "control", "pre"]
    n_per_group = float(np.ceil(_n_per_group(float(change.std()))))
    return {"q1": prepost_a_price, "q2": did_a_price, "q3": did_b_delivery, "q4": share_yes, "q5": n_per_group}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    panel = _notebook_panel(world)
    right = answers(world)
    a_price, a_ctrl = _group(panel, "A", "price_cut"), _group(panel, "A", "control")
    b_del, b_ctrl, b_price = (_group(panel, "B", a) for a in ("fast_delivery", "control", "price_cut"))
    ctrl = panel[panel["arm"] == "control"]
    pack = world.tables["customers"]["pay_more_packaging"]
    change = ctrl["feedback"] - ctrl["pre"]
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "the change in index points, not relative": float(a_price["feedback"].mean() - a_price["pre"].mean()),
               "the mean of each customer's relative change (mean of ratios)":
                   float((a_price["feedback"] / a_price["pre"]).mean() - 1)},
        "q2": {"the pre/post change of the treated group alone (no control group)": right["q1"],
               "the difference in differences in index points, not relative":
                   float((a_price["feedback"].mean() - a_price["pre"].mean())
                         - (a_ctrl["feedback"].mean() - a_ctrl["pre"].mean())),
               "control over treated (the wrong sign)":
                   float((a_ctrl["feedback"].mean() / a_ctrl["pre"].mean())
                         / (a_price["feedback"].mean() / a_price["pre"].mean()) - 1)},
        "q3": {"the pre/post change of the treated group alone (no control group)":
                   float(b_del["feedback"].mean() / b_del["pre"].mean() - 1),
               "the price-cut arm as the comparison group (action against action, not against no action)":
                   float(_ratio_nb(b_del) / _ratio_nb(b_price) - 1),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"a percentage instead of a share": 100 * right["q4"],
               "'unsure' left out of the denominator (yes / (yes + no))":
                   float((pack == "yes").sum() / pack.isin(["yes", "no"]).sum())},
        "q5": {"the spread of satisfaction levels instead of changes (ignores that the same customers answer twice)":
                   float(np.ceil(_n_per_group(float(ctrl["pre"].std())))),
               "the factor 2 of two groups forgotten": float(np.ceil(_n_per_group(float(change.std())) / 2)),
               "a one-sided test (z 1.645 instead of 1.96)":
                   float(np.ceil(_n_per_group(float(change.std()), alpha=0.10)))},
    }


def _ratio_nb(part: pd.DataFrame) -> float:
    return float(part["feedback"].mean() / part["pre"].mean())
