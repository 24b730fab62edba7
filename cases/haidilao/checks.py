"""Exercise checks of the Haidilao case (notebooks/haidilao.ipynb), from the student's own world.

Every expected value is recomputed here from the world's tables with plain numpy/pandas: respondent scores
are item means, store scores the mean over a store's respondents; the reliability of the store means is a
one-way ANOVA written out with bincount (not :func:`crmlab.casekit.group_mean_reliability`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise

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
                           "(a share between 0 and 1).")
def q1(world, answer):
    tier = world.tables["diners"]["income_tier"].astype(str).to_numpy()
    return close(answer, float(np.mean(tier == "middle_high")), abs=5e-4,
                 what="the share of middle-to-high income diners")


@exercise(CASE, "q2", hint="Score each respondent as the mean of their four Likert items, average per store "
                           "(staff: q_fair..q_workload; diners: q_taste..q_value), then correlate the two "
                           "store columns.")
def q2(world, answer):
    t = world.tables
    r = _corr(_store_means(t["staff_survey"], STAFF_ITEMS), _store_means(t["diner_survey"], DINER_ITEMS))
    return close(answer, r, abs=0.005, what="the store-level correlation of employee and customer satisfaction")


@exercise(CASE, "q3", hint="One-way ANOVA of the diners' scores by store: reliability = (MSB - MSW) / MSB, "
                           "with MSB = between-store and MSW = within-store mean squares.")
def q3(world, answer):
    s = world.tables["diner_survey"]
    y = s[DINER_ITEMS].to_numpy(dtype=float).mean(axis=1)
    codes = pd.factorize(s["store_id"])[0]
    n_g = np.bincount(codes)
    means = np.bincount(codes, weights=y) / n_g
    msb = (n_g * (means - y.mean()) ** 2).sum() / (n_g.size - 1)
    msw = ((y - means[codes]) ** 2).sum() / (y.size - n_g.size)
    return close(answer, float((msb - msw) / msb), abs=0.005,
                 what="the reliability of the store means of customer satisfaction")


@exercise(CASE, "q4", hint="Correlate each store's seats with its mean employee satisfaction score "
                           "(the score of q2). Is the sign what you expected?")
def q4(world, answer):
    t = world.tables
    seats = t["stores"].set_index("store_id")["seats"]
    return close(answer, _corr(seats, _store_means(t["staff_survey"], STAFF_ITEMS)), abs=0.005,
                 what="the correlation of store size with employee satisfaction")


@exercise(CASE, "q5", hint="Add up each diner's bills for the year (diners without revisits still have their "
                           "first bill), average per income tier, and divide middle_high by middle_low.")
def q5(world, answer):
    t = world.tables
    spend = t["visits"].groupby("diner_id")["bill"].sum()
    d = t["diners"].set_index("diner_id")
    per = spend.reindex(d.index, fill_value=0.0).groupby(d["income_tier"].astype(str)).mean()
    return close(answer, float(per["middle_high"] / per["middle_low"]), rel=0.005,
                 what="the ratio of yearly spend per diner, middle-to-high over middle-to-low income")
