"""Exercise checks of the Haidilao case (notebooks/haidilao.ipynb), from the student's own world.

Every expected value is recomputed here from the world's tables with plain numpy/pandas: respondent scores
are item means, store scores the mean over a store's respondents; the reliability of the store means is a
one-way ANOVA written out with bincount (not :func:`crmlab.casekit.group_mean_reliability`). :func:`answers`
gives the right answers computed the notebook's way (pandas on the section 4 store table,
crmlab.casekit.group_mean_reliability and tier_table), :func:`classic_mistakes` the wrong answers students
typically give; tests/test_case_contract.py holds the checks to both.

The correlations, the reliability and the spend ratio are computed exactly from the tables, so a right answer
carries no error but rounding: their checks accept the three decimals the notebook prints (5e-4), not more,
since several plausible mistakes (the correlation corrected for unreliability, seats against the other
satisfaction score, the ratio of medians, the other survey's reliability) land within 0.005 of the right value
in some worlds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "haidilao"
STAFF_ITEMS = ["q_fair", "q_proud", "q_growth", "q_workload"]
DINER_ITEMS = ["q_taste", "q_service", "q_environment", "q_value"]


def _store_means(survey: pd.DataFrame, items: list[str]) -> pd.Series:
    score = survey[items].to_numpy(dtype=float).mean(axis=1)
    return pd.Series(score).groupby(survey["store_id"].to_numpy()).mean()


def _corr(a: pd.Series, b: pd.Series) -> float:
    a, b = a.align(b, join="inner")
    return float(np.corrcoef(a.to_numpy(dtype=float), b.to_numpy(dtype=float))[0, 1])


@exercise(CASE, "q1", hint="Count the diners whose income_tier is 'middle_high' and divide by all diners "
                           "(a share between 0 and 1).",
          hint_zh="数出 income_tier 为 'middle_high' 的顾客，再除以全部顾客数（得到0到1之间的比例）。")
def q1(world, answer):
    tier = world.tables["diners"]["income_tier"].astype(str).to_numpy()
    return close(answer, float(np.mean(tier == "middle_high")), abs=5e-4,
                 what="the share of middle-to-high income diners", what_zh="中高收入顾客占比")


@exercise(CASE, "q2", hint="Score each respondent as the mean of their four Likert items, average per store "
                           "(staff: q_fair..q_workload; diners: q_taste..q_value), then correlate the two "
                           "store columns.",
          hint_zh="每位应答者的得分是其四道李克特题的均值，再按门店取平均（员工：q_fair..q_workload；"
                  "顾客：q_taste..q_value），然后计算这两列门店得分的相关系数。")
def q2(world, answer):
    t = world.tables
    r = _corr(_store_means(t["staff_survey"], STAFF_ITEMS), _store_means(t["diner_survey"], DINER_ITEMS))
    return close(answer, r, abs=5e-4, what="the store-level correlation of employee and customer satisfaction",
                 what_zh="门店层面员工满意度与客户满意度的相关系数")


@exercise(CASE, "q3", hint="One-way ANOVA of the diners' scores by store: reliability = (MSB - MSW) / MSB, "
                           "with MSB = between-store and MSW = within-store mean squares.",
          hint_zh="对顾客得分按门店做单因素方差分析：信度 = (MSB - MSW) / MSB，"
                  "其中 MSB 为门店间均方，MSW 为门店内均方。")
def q3(world, answer):
    s = world.tables["diner_survey"]
    y = s[DINER_ITEMS].to_numpy(dtype=float).mean(axis=1)
    codes = pd.factorize(s["store_id"])[0]
    n_g = np.bincount(codes)
    means = np.bincount(codes, weights=y) / n_g
    msb = (n_g * (means - y.mean()) ** 2).sum() / (n_g.size - 1)
    msw = ((y - means[codes]) ** 2).sum() / (y.size - n_g.size)
    return close(answer, float((msb - msw) / msb), abs=5e-4,
                 what="the reliability of the store means of customer satisfaction",
                 what_zh="门店客户满意度均值的信度")


@exercise(CASE, "q4", hint="Correlate each store's seats with its mean employee satisfaction score "
                           "(the score of q2). Is the sign what you expected?",
          hint_zh="计算各门店座位数与其员工满意度均值（即q2中的得分）的相关系数。符号和你预想的一样吗？")
def q4(world, answer):
    t = world.tables
    seats = t["stores"].set_index("store_id")["seats"]
    return close(answer, _corr(seats, _store_means(t["staff_survey"], STAFF_ITEMS)), abs=5e-4,
                 what="the correlation of store size with employee satisfaction",
                 what_zh="门店规模与员工满意度的相关系数")


@exercise(CASE, "q5", hint="Add up each diner's bills for the year (diners without revisits still have their "
                           "first bill), average per income tier, and divide middle_high by middle_low.",
          hint_zh="把每位顾客全年的账单加总（没有再次光顾的顾客也有首次光顾的账单），按收入层次求平均，"
                  "再用 middle_high 除以 middle_low。")
def q5(world, answer):
    t = world.tables
    spend = t["visits"].groupby("diner_id")["bill"].sum()
    d = t["diners"].set_index("diner_id")
    per = spend.reindex(d.index, fill_value=0.0).groupby(d["income_tier"].astype(str)).mean()
    return close(answer, float(per["middle_high"] / per["middle_low"]), abs=5e-4,
                 what="the ratio of yearly spend per diner, middle-to-high over middle-to-low income",
                 what_zh="中高收入与中低收入顾客人均年消费额之比")


def _section4(world) -> dict:
    """Section 4.1 of the notebook: respondent scores, the per-diner frame and the store table."""
    t = world.tables
    staff_survey, diner_survey, visits = t["staff_survey"], t["diner_survey"], t["visits"]
    staff_scores = staff_survey.assign(score=staff_survey[STAFF_ITEMS].mean(axis=1))
    diner_scores = diner_survey.assign(score=diner_survey[DINER_ITEMS].mean(axis=1))
    per_diner = visits.groupby("diner_id").agg(visits=("visit_id", "size"), spend=("bill", "sum"))
    diner_frame = t["diners"].set_index("diner_id").join(per_diner)
    store = t["stores"].set_index("store_id")
    store["employee_satisfaction"] = staff_scores.groupby("store_id")["score"].mean()
    store["customer_satisfaction"] = diner_scores.groupby("store_id")["score"].mean()
    store["revenue"] = visits.groupby("store_id")["bill"].sum()
    return {"staff_scores": staff_scores, "diner_scores": diner_scores, "diner_frame": diner_frame, "store": store}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/haidilao.ipynb, section 5, on the tables of section 4."""
    from crmlab import casekit

    s4 = _section4(world)
    store, diner_scores = s4["store"], s4["diner_scores"]
    tiers = casekit.tier_table(s4["diner_frame"].assign(diners=1.0), "income_tier", value_cols=["visits", "spend"])
    diners = world.tables["diners"]
    return {"q1": float((diners["income_tier"] == "middle_high").mean()),
            "q2": float(store["employee_satisfaction"].corr(store["customer_satisfaction"])),
            "q3": float(casekit.group_mean_reliability(diner_scores, "score", "store_id")["reliability"]),
            "q4": float(store["seats"].corr(store["employee_satisfaction"])),
            "q5": float(tiers.loc["middle_high", "spend_per_customer"] / tiers.loc["middle_low", "spend_per_customer"])}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers to each exercise, computed from the world."""
    from crmlab import casekit

    right = answers(world)
    s4 = _section4(world)
    store, frame = s4["store"], s4["diner_frame"]
    rel_staff = casekit.group_mean_reliability(s4["staff_scores"], "score", "store_id")
    rel_diner = casekit.group_mean_reliability(s4["diner_scores"], "score", "store_id")
    visits = world.tables["visits"].join(frame["income_tier"], on="diner_id")
    core = frame["income_tier"] == "middle_high"
    r2, r4, ratio = right["q2"], right["q4"], right["q5"]
    # Some mistakes can coincide with the right value by chance: the correction for unreliability barely moves
    # a correlation near 0; |r| is r when r is positive; the staff survey can be as reliable as the diner survey
    # (with fewer staff per store). Each is declared only where it is wrong beyond rounding (twice the 5e-4 the
    # checks accept).
    chance = {"q2": {"the correlation corrected for unreliability (section 4.4) instead of the observed one":
                     float(casekit.disattenuate(r2, float(rel_staff["reliability"]), float(rel_diner["reliability"])))},
              "q3": {"the reliability of the staff survey instead of the diner survey": float(rel_staff["reliability"])},
              "q4": {"the strength without its sign (|r|)": abs(r4)}}
    beyond = {q: {what: v for what, v in m.items() if abs(v - right[q]) > 1e-3} for q, m in chance.items()}
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "the share of middle-to-low income diners": 1 - right["q1"],
               "the share of visits (rows of the visit log) instead of diners":
                   float((visits["income_tier"] == "middle_high").mean())},
        "q2": {"r squared instead of r": r2 ** 2,
               "employee satisfaction against store revenue (the naive look of section 4.2)":
                   float(store["employee_satisfaction"].corr(store["revenue"])), **beyond["q2"]},
        "q3": {"ICC(1), the reliability of one answer, instead of the store mean's ICC(2)": float(rel_diner["icc1"]),
               "the attenuation factor sqrt(reliability) of the follow-up instead of the reliability":
                   float(np.sqrt(rel_diner["reliability"])), **beyond["q3"]},
        "q4": {"r squared instead of r": r4 ** 2,
               "seats against customer satisfaction instead of employee satisfaction":
                   float(store["seats"].corr(store["customer_satisfaction"])), **beyond["q4"]},
        "q5": {"the relative difference (ratio - 1) instead of the ratio": ratio - 1,
               "the ratio of the median yearly spend instead of the mean":
                   float(frame.loc[core, "spend"].median() / frame.loc[~core, "spend"].median()),
               "the ratio of the mean bill per visit instead of per diner":
                   float(visits.loc[visits["income_tier"] == "middle_high", "bill"].mean()
                         / visits.loc[visits["income_tier"] == "middle_low", "bill"].mean()),
               "the ratio of the tiers' total spend instead of spend per diner":
                   float(frame.loc[core, "spend"].sum() / frame.loc[~core, "spend"].sum()),
               "middle-to-low over middle-to-high (the ratio upside down)": 1 / ratio},
    }
