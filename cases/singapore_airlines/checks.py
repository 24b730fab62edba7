"""Exercise checks of the Singapore Airlines case (notebooks/singapore_airlines.ipynb), from the student's world.

Each expected value is recomputed here from the world's tables with plain numpy/pandas — tiers from the members
table, team means with bincount, the trust rule of CRM article collection (source 3), lines 557–571 written out — independently of
crmlab.loyalty and crmlab.rewards, which the notebook uses. Below the checks, ``answers`` computes every answer
the notebook's way (pandas group-bys, crmlab.loyalty.classify_loyalty_types) and ``classic_mistakes`` the wrong
answers a student plausibly gives; tests/test_case_contract.py judges both.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

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
                           "by all members.",
          hint_zh="数出等级不是 'KrisFlyer' 的会员（即 Elite Silver 或 Elite Gold），再除以全部会员数。")
def q1(world, answer):
    tier = world.tables["members"]["tier"].astype(str).to_numpy()
    return close(answer, float(np.mean(tier != "KrisFlyer")), abs=5e-4, what="the share of elite members",
                 what_zh="精英等级会员占比")


@exercise(CASE, "q2", hint="Per crew team: the mean crew-survey score (mean of the three items per respondent) and "
                           "the mean post-flight score (mean of q_crew and q_overall per flight); correlate the two "
                           "team columns.",
          hint_zh="按乘务组计算：乘务员调查的平均分（每名作答者三个题项取平均）和航后调查的平均分（每个航班 q_crew 与 "
                  "q_overall 取平均），再求这两列乘务组均值的相关系数。")
def q2(world, answer):
    t = world.tables
    a, b = _team_means(t["crew_survey"], CREW_ITEMS), _team_means(t["flight_survey"], FLIGHT_ITEMS)
    ok = np.isfinite(a) & np.isfinite(b)
    return close(answer, float(np.corrcoef(a[ok], b[ok])[0, 1]), abs=0.005,
                 what="the team-level correlation of crew and passenger satisfaction",
                 what_zh="乘务组层面乘务员满意度与乘客满意度的相关系数")


@exercise(CASE, "q3", hint="Among survey respondents: the retention rate of those with sat_overall 9 or 10 minus "
                           "the retention rate of those with sat_overall 5 to 8.",
          hint_zh="只看调查作答者：sat_overall 为9或10者的保留率，减去 sat_overall 为5到8者的保留率。")
def q3(world, answer):
    t = world.tables
    d = t["member_survey"][["member_id", "sat_overall"]].merge(t["members"][["member_id", "retained"]], on="member_id")
    s, kept = d["sat_overall"].to_numpy(), d["retained"].to_numpy(dtype=float)
    top, mid = kept[s >= 9].mean(), kept[(s >= 5) & (s <= 8)].mean()
    return close(answer, float(top - mid), abs=0.002,
                 what="the retention gap between the most satisfied and the flat middle",
                 what_zh="最满意者与中间平坦区的保留率之差")


@exercise(CASE, "q4", hint="Among respondents who flew at least once: attitude = (mean of the three att_ items - 1) "
                           "/ 4, repeat = sow_reported / 100; trust = repeat >= 0.5 and attitude >= 0.6. Count them.",
          hint_zh="只看至少乘坐过一次的作答者：态度 = (三个 att_ 题项的平均 - 1) / 4，重复购买 = sow_reported / 100；"
                  "重复购买 >= 0.5 且态度 >= 0.6 即为信赖忠诚。数一数有多少人。")
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
        return False, Text(f"expected a whole number of members, got {answer!r}",
                           f"应当是会员人数（一个整数），而你给的是 {answer!r}")
    return equal(int(answer), expected, what="the number of trust-loyal respondents", what_zh="信赖忠诚的作答者人数")


@exercise(CASE, "q5", hint="Among crew-survey respondents: score = mean of the three items; the share who left "
                           "within the year among those scoring below 3 minus the share among those scoring 3 or more.",
          hint_zh="只看乘务员调查的作答者：得分 = 三个题项的平均；得分低于3者当年离职的比例，减去得分3及以上者的离职比例。")
def q5(world, answer):
    t = world.tables
    s = t["crew_survey"].merge(t["crew"][["crew_id", "left_within_year"]], on="crew_id")
    score = s[CREW_ITEMS].to_numpy(dtype=float).mean(axis=1)
    left = s["left_within_year"].to_numpy(dtype=float)
    return close(answer, float(left[score < 3].mean() - left[score >= 3].mean()), abs=0.002,
                 what="the resignation gap between less and more satisfied crew",
                 what_zh="满意度较低与较高的乘务员的离职率之差")


# ------------------------------------------------------------------ the notebook's answers and classic mistakes
def _notebook_objects(world) -> dict:
    """The section 4 objects the exercises use, built as the notebook builds them (pandas, crmlab.loyalty)."""
    from crmlab import casekit, loyalty

    t = world.tables
    crew_scores = t["crew_survey"].assign(score=t["crew_survey"][CREW_ITEMS].mean(axis=1))
    flight_scores = t["flight_survey"].assign(score=t["flight_survey"][FLIGHT_ITEMS].mean(axis=1))
    team = pd.DataFrame({"crew_score": crew_scores.groupby("crew_team")["score"].mean(),
                         "resigned": t["crew"].groupby("crew_team")["left_within_year"].mean(),
                         "passenger_score": flight_scores.groupby("crew_team")["score"].mean()})
    r_team = float(team["crew_score"].corr(team["passenger_score"]))
    rel_crew = casekit.group_mean_reliability(crew_scores, "score", "crew_team")
    rel_pass = casekit.group_mean_reliability(flight_scores, "score", "crew_team")
    r_corrected = casekit.disattenuate(r_team, float(rel_crew["reliability"]), float(rel_pass["reliability"]))
    bt = t["member_survey"][["member_id", "sat_overall"]].merge(t["members"][["member_id", "retained"]],
                                                                on="member_id")
    fl = t["flights"]
    by_route = (fl.groupby(["member_id", "route"], observed=True).size().rename("n").reset_index()
                .sort_values(["member_id", "n", "route"], ascending=[True, False, True]).drop_duplicates("member_id"))
    main_route = by_route.set_index("member_id")["route"].astype(str)
    behaviour = fl.groupby("member_id").agg(price_sensitivity=("fare_type", lambda f: float((f == "promo").mean())),
                                            reward_dependence=("double_miles", "mean"))
    feat = t["member_survey"].set_index("member_id").join(behaviour, how="inner")
    feat["attitude"] = (feat[ATT_ITEMS].mean(axis=1) - 1) / 4
    feat["repeat"] = feat["sow_reported"] / 100
    feat["alternatives"] = main_route.reindex(feat.index).map(
        t["routes"].set_index("route")["competitors"].rename(str)).astype(float)
    feat["loyalty_type"] = loyalty.classify_loyalty_types(feat, attitude_cut=0.6, repeat_cut=0.5, price_cut=0.5,
                                                          reward_cut=0.4)
    return {"members": t["members"], "crew_scores": crew_scores, "team": team, "r_team": r_team,
            "r_corrected": r_corrected, "bt": bt, "feat": feat, "crew": t["crew"]}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/singapore_airlines.ipynb, section 5, on the section 4 objects."""
    o = _notebook_objects(world)
    members, team, bt, feat, crew_scores = o["members"], o["team"], o["bt"], o["feat"], o["crew_scores"]
    kept = bt.assign(kept=bt["retained"].astype(float))
    top = kept.loc[kept["sat_overall"] >= 9, "kept"].mean()
    middle = kept.loc[kept["sat_overall"].between(5, 8), "kept"].mean()
    cs = crew_scores.merge(o["crew"][["crew_id", "left_within_year"]], on="crew_id")
    return {"q1": float((members["tier"] != "KrisFlyer").mean()),
            "q2": float(team["crew_score"].corr(team["passenger_score"])),
            "q3": float(top - middle),
            "q4": int((feat["loyalty_type"] == "trust").sum()),
            "q5": float(cs.loc[cs["score"] < 3, "left_within_year"].mean()
                        - cs.loc[cs["score"] >= 3, "left_within_year"].mean())}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed the notebook's way with one step done wrong."""
    o = _notebook_objects(world)
    members, team, bt, feat, crew_scores = o["members"], o["team"], o["bt"], o["feat"], o["crew_scores"]
    tier = members["tier"].astype(str)
    kept = bt.assign(kept=bt["retained"].astype(float))
    top = kept.loc[kept["sat_overall"] >= 9, "kept"].mean()
    middle = kept.loc[kept["sat_overall"].between(5, 8), "kept"].mean()
    below_top = kept.loc[kept["sat_overall"] < 9, "kept"].mean()
    trust_raw_attitude = (feat["repeat"] >= 0.5) & (feat[ATT_ITEMS].mean(axis=1) >= 0.6)
    trust_strict_repeat = (feat["repeat"] > 0.5) & (feat["attitude"] >= 0.6)
    cs = crew_scores.merge(o["crew"][["crew_id", "left_within_year"]], on="crew_id")
    low, high = cs.loc[cs["score"] < 3, "left_within_year"].mean(), cs.loc[cs["score"] >= 3, "left_within_year"].mean()
    return {
        "q1": {"the share of Elite Gold only (forgot Elite Silver)": float((tier == "Elite Gold").mean()),
               "a percentage instead of a share": 100 * float((tier != "KrisFlyer").mean())},
        "q2": {"the correlation with the share of crew who resigned, not with the passenger score":
                   float(team["crew_score"].corr(team["resigned"])),
               "the correlation corrected for unreliability instead of the observed one": float(o["r_corrected"]),
               "r squared instead of r": float(team["crew_score"].corr(team["passenger_score"])) ** 2},
        "q3": {"a ratio of the two retention rates instead of their difference": float(top / middle),
               "percentage points instead of a difference of shares": 100 * float(top - middle),
               "the top against everyone below 9 (0 to 8) instead of 5 to 8": float(top - below_top)},
        "q4": {"repeat strictly above the cut (> 0.5 instead of >= 0.5)": int(trust_strict_repeat.sum()),
               "attitude not rescaled to 0-1 before the 0.6 cut": int(trust_raw_attitude.sum()),
               "the share of trust-loyal respondents instead of their number":
                   float((feat["loyalty_type"] == "trust").mean())},
        "q5": {"the wrong sign: 3 or more minus below 3": float(high - low),
               "a ratio of the two resignation rates instead of their difference": float(low / high)},
    }
