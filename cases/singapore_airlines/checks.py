"""Exercise checks of the Singapore Airlines case (notebooks/singapore_airlines.ipynb), from the student's world.

Each expected value is recomputed here from the world's tables with plain numpy/pandas — tiers from the members
table, team means with bincount, the trust rule of seed 003 lines 557-571 written out — independently of
crmlab.loyalty and crmlab.rewards, which the notebook uses.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, equal, exercise

CASE = "singapore_airlines"
CREW_ITEMS = ["q_engaged", "q_supported", "q_proud"]
FLIGHT_ITEMS = ["q_crew", "q_overall"]
ATT_ITEMS = ["att_attached", "att_first_choice", "att_recommend"]
TRUST_CUTS = {"attitude": 0.6, "repeat": 0.5}   # the cuts the notebook's classification uses


def _team_means(survey: pd.DataFrame, items: list[str]) -> np.ndarray:
    codes = survey["crew_team"].to_numpy() - 1
    n = np.bincount(codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(codes, weights=survey[items].to_numpy(dtype=float).mean(axis=1)) / n


@exercise(CASE, "q1", hint="Count the members whose tier is not 'KrisFlyer' (Elite Silver or Elite Gold) and divide "
                           "by all members.")
def q1(world, answer):
    tier = world.tables["members"]["tier"].astype(str).to_numpy()
    return close(answer, float(np.mean(tier != "KrisFlyer")), abs=5e-4, what="the share of elite members")


@exercise(CASE, "q2", hint="Per crew team: the mean crew-survey score (mean of the three items per respondent) and "
                           "the mean post-flight score (mean of q_crew and q_overall per flight); correlate the two "
                           "team columns.")
def q2(world, answer):
    t = world.tables
    a, b = _team_means(t["crew_survey"], CREW_ITEMS), _team_means(t["flight_survey"], FLIGHT_ITEMS)
    ok = np.isfinite(a) & np.isfinite(b)
    return close(answer, float(np.corrcoef(a[ok], b[ok])[0, 1]), abs=0.005,
                 what="the team-level correlation of crew and passenger satisfaction")


@exercise(CASE, "q3", hint="Among survey respondents: the retention rate of those with sat_overall 9 or 10 minus "
                           "the retention rate of those with sat_overall 5 to 8.")
def q3(world, answer):
    t = world.tables
    d = t["member_survey"][["member_id", "sat_overall"]].merge(t["members"][["member_id", "retained"]], on="member_id")
    s, kept = d["sat_overall"].to_numpy(), d["retained"].to_numpy(dtype=float)
    top, mid = kept[s >= 9].mean(), kept[(s >= 5) & (s <= 8)].mean()
    return close(answer, float(top - mid), abs=0.002,
                 what="the retention gap between the most satisfied and the flat middle")


@exercise(CASE, "q4", hint="Among respondents who flew at least once: attitude = (mean of the three att_ items - 1) "
                           "/ 4, repeat = sow_reported / 100; trust = repeat >= 0.5 and attitude >= 0.6. Count them.")
def q4(world, answer):
    t = world.tables
    s = t["member_survey"]
    s = s[s["member_id"].isin(t["flights"]["member_id"])]
    attitude = (s[ATT_ITEMS].to_numpy(dtype=float).mean(axis=1) - 1) / 4
    repeat = s["sow_reported"].to_numpy(dtype=float) / 100
    expected = int(np.sum((repeat >= TRUST_CUTS["repeat"]) & (attitude >= TRUST_CUTS["attitude"])))
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, f"expected a whole number of members, got {answer!r}"
    return equal(int(answer), expected, what="the number of trust-loyal respondents")


@exercise(CASE, "q5", hint="Among crew-survey respondents: score = mean of the three items; the share who left "
                           "within the year among those scoring below 3 minus the share among those scoring 3 or more.")
def q5(world, answer):
    t = world.tables
    s = t["crew_survey"].merge(t["crew"][["crew_id", "left_within_year"]], on="crew_id")
    score = s[CREW_ITEMS].to_numpy(dtype=float).mean(axis=1)
    left = s["left_within_year"].to_numpy(dtype=float)
    return close(answer, float(left[score < 3].mean() - left[score >= 3].mean()), abs=0.002,
                 what="the resignation gap between less and more satisfied crew")
