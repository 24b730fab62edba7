"""Exercise checks of the CEIBS case (notebooks/ceibs.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy arrays (bincount, sorting, explicit sums),
independently of the notebook's pandas code, so a notebook bug cannot make a wrong answer pass. The discount rate
and the programme margin are the world's knobs, which the notebook's parameters cell passes to the world. The
world is built in cases/ceibs/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, with pandas
and ``crmlab.value.cohort_clv`` as in sections 4.1-4.4) and the classic mistakes each check must refuse
(``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import value
from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

CASE = "ceibs"
REFERRAL, SPONSOR = "alumni_referral", "corporate_sponsor"


# ------------------------------------------------------------------------------ independent numpy versions
def _codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    cat = series.astype("category")
    return cat.cat.codes.to_numpy(), [str(c) for c in cat.cat.categories]


def _conversion(world) -> dict:
    """Prospect -> student conversion by channel (enrolled / prospects), with bincount."""
    p = world.tables["prospects"]
    code, names = _codes(p["channel"])
    n = np.bincount(code, minlength=len(names))
    e = np.bincount(code, weights=p["enrolled"].to_numpy(dtype=float), minlength=len(names))
    with np.errstate(invalid="ignore", divide="ignore"):
        return dict(zip(names, e / n))


def _panel(world) -> dict:
    """The alumni panel as sorted arrays, with last year's engagement (True in the first year) and the value of
    each alumnus-year (donation + executive-education margin + referrals x programme margin x referral conversion)."""
    a = world.tables["alumni_activity"]
    order = np.lexsort((a["years_since_grad"].to_numpy(), a["alumnus_id"].to_numpy()))
    ids = a["alumnus_id"].to_numpy()[order]
    eng = a["engaged"].to_numpy()[order]
    prev = np.r_[True, eng[:-1]]
    prev[np.r_[True, ids[1:] != ids[:-1]]] = True
    vpr = world.knobs["programme_margin"] * _conversion(world)[REFERRAL]
    val = (a["donation"].to_numpy()[order] + a["exec_ed_margin"].to_numpy()[order]
           + vpr * a["referrals"].to_numpy()[order])
    channel = a["channel"].astype(str).to_numpy()[order]
    return {"id": ids, "engaged": eng, "prev": prev, "value": val, "channel": channel,
            "t": a["years_since_grad"].to_numpy()[order]}


def _retention(panel: dict, channel: str | None) -> float:
    m = np.ones(panel["id"].size, bool) if channel is None else panel["channel"] == channel
    return float((panel["engaged"] & panel["prev"] & m).sum() / (panel["prev"] & m).sum())


def _empirical_alumni_value(world, channel: str, *, per: str = "graduate", shift: int = 0,
                            discount: float | None = None) -> float:
    """Sum over years t of (value of the channel's alumni in year t / alumni observed in year t) / (1+d)^(t-shift)."""
    panel = _panel(world)
    d = world.knobs["discount_rate"] if discount is None else discount
    m = panel["channel"] == channel
    t = panel["t"][m]
    h = int(panel["t"].max())
    total = np.bincount(t, weights=panel["value"][m], minlength=h + 1)
    count = np.bincount(t, weights=(panel["engaged"][m] if per == "engaged" else np.ones(t.size)), minlength=h + 1)
    years = np.nonzero(count)[0]
    return float(np.sum(total[years] / count[years] / (1 + d) ** (years - shift)))


def _ltv(world) -> dict:
    """Lifetime value per prospect by channel: conversion x (programme margin + sum_t k_c profile(t) r_c^t / (1+d)^t),
    with profile(t) the pooled value per engaged alumnus-year and k_c the channel's observed / expected value."""
    k = world.knobs
    conv = _conversion(world)
    panel = _panel(world)
    h = int(panel["t"].max())
    t = panel["t"]
    eng = panel["engaged"]
    prof_sum = np.bincount(t[eng], weights=panel["value"][eng], minlength=h + 1)
    prof_n = np.bincount(t[eng], minlength=h + 1)
    profile = np.divide(prof_sum, prof_n, out=np.zeros(h + 1), where=prof_n > 0)
    years = np.arange(1, h + 1)
    out = {}
    for c in conv:
        m = eng & (panel["channel"] == c)
        mult = panel["value"][m].sum() / profile[t[m]].sum()
        r = _retention(panel, c)
        clv = k["programme_margin"] + np.sum(mult * profile[1:] * r ** years / (1 + k["discount_rate"]) ** years)
        out[c] = {"conversion": conv[c], "student_clv": float(clv), "ltv": float(conv[c] * clv)}
    return out


# ---------------------------------------------------------------------------------------------- the checks
@exercise(CASE, "q1", hint="Admitted prospects divided by applicants (not by all prospects): a share between 0 and 1.",
          hint_zh="被录取人数除以申请人数（不是除以全部潜在学员）：0到1之间的比例。")
def q1(world, answer):
    p = world.tables["prospects"]
    applied = p["applied"].to_numpy()
    expected = float(np.count_nonzero(p["admitted"].to_numpy() & applied) / np.count_nonzero(applied))
    return close(answer, expected, abs=5e-4, what="the admission rate of applicants", what_zh="申请者的录取率")


@exercise(CASE, "q2", hint="For each channel: enrolled students / prospects of that channel; give the channel name "
                           "(e.g. \"website\") with the highest rate, not the one with the most students.",
          hint_zh="对每个渠道：该渠道的入学人数 / 该渠道的潜在学员人数；给出比率最高的渠道名称（如 \"website\"），"
                  "而不是学员人数最多的渠道。")
def q2(world, answer):
    conv = _conversion(world)
    if not isinstance(answer, str):
        return False, Text(f"expected a channel name as text, got {type(answer).__name__}",
                           f"应当给出文字形式的渠道名称，而你给的是 {type(answer).__name__}")
    return equal(answer, max(conv, key=conv.get), what="the channel with the best prospect-to-student conversion",
                 what_zh="潜在学员到在读学员转化率最高的渠道")


@exercise(CASE, "q3", hint="Among the referral channel's alumni-years whose alumnus was engaged the year before "
                           "(all alumni count as engaged at graduation), the share still engaged.",
          hint_zh="在校友推荐渠道的校友年份记录中，只看上一年仍保持联系的记录（毕业时所有校友都算保持联系），"
                  "计算其中当年仍保持联系的比例。")
def q3(world, answer):
    return close(answer, _retention(_panel(world), REFERRAL), abs=1e-3,
                 what="the yearly retention of referred alumni", what_zh="校友推荐渠道校友的年保留率")


@exercise(CASE, "q4", hint="For each year since graduation: the referral channel's total value that year divided by "
                           "ALL its alumni observed that year (engaged or not), discounted by (1 + discount_rate)^t; "
                           "then add up the years.",
          hint_zh="对毕业后的每一年：校友推荐渠道当年的总价值除以当年被观察到的全部校友人数（无论是否保持联系），"
                  "再除以 (1 + discount_rate)^t；最后把各年相加。")
def q4(world, answer):
    return close(answer, _empirical_alumni_value(world, REFERRAL), rel=2e-3,
                 what="the discounted alumni value per referred graduate", what_zh="每位校友推荐毕业生的校友价值折现值",
                 fmt=",.0f")


@exercise(CASE, "q5", hint="Lifetime value per prospect = conversion x student CLV (section 4.4); divide the "
                           "corporate sponsor's by the alumni referral's.",
          hint_zh="每位潜在学员的终身价值 = 转化率 x 学员终身价值（4.4节）；用企业资助渠道的值除以校友推荐渠道的值。")
def q5(world, answer):
    ltv = _ltv(world)
    return close(answer, ltv[SPONSOR]["ltv"] / ltv[REFERRAL]["ltv"], rel=0.005,
                 what="the corporate sponsor's lifetime value per prospect relative to the alumni referral's",
                 what_zh="企业资助渠道与校友推荐渠道每位潜在学员终身价值之比")


# ------------------------------------------------------------------------------ right answers and mistakes
def notebook_economics(world) -> dict:
    """Sections 4.1-4.4 of the notebook: funnel rates, alumni panel with value, retention, profile, multiplier and the
    channel economics table (``crmlab.value.cohort_clv``)."""
    k = world.knobs
    prospects = world.tables["prospects"]
    alumni = world.tables["alumni_activity"].sort_values(["alumnus_id", "years_since_grad"]).reset_index(drop=True)
    channels = world.tables["channels"].set_index("channel")
    channels.index = channels.index.astype(str)
    funnel = prospects.groupby("channel", observed=False)[["applied", "admitted", "enrolled"]].sum()
    funnel.insert(0, "prospects", prospects.groupby("channel", observed=False).size())
    funnel.index = funnel.index.astype(str)
    conversion = funnel["enrolled"] / funnel["prospects"]
    alumni["was_engaged"] = alumni.groupby("alumnus_id")["engaged"].shift(fill_value=True).astype(bool)
    retention = alumni[alumni["was_engaged"]].groupby("channel", observed=False)["engaged"].mean()
    retention.index = retention.index.astype(str)
    value_per_referral = k["programme_margin"] * conversion[REFERRAL]
    alumni["value"] = alumni["donation"] + alumni["exec_ed_margin"] + alumni["referrals"] * value_per_referral
    active = alumni[alumni["engaged"]]
    horizon = int(alumni["years_since_grad"].max())
    years = np.arange(1, horizon + 1)
    profile = active.groupby("years_since_grad")["value"].mean().reindex(years, fill_value=0.0)
    expected = active["years_since_grad"].map(profile)
    multiplier = (active.groupby("channel", observed=False)["value"].sum()
                  / expected.groupby(active["channel"], observed=False).sum())
    multiplier.index = multiplier.index.astype(str)
    clv = {c: value.cohort_clv(np.r_[k["programme_margin"], multiplier[c] * profile.to_numpy()], retention[c],
                               k["discount_rate"], periods=horizon + 1)["cumulative_clv"].iloc[-1]
           for c in conversion.index}
    economics = pd.DataFrame({"conversion": conversion, "student_clv": pd.Series(clv),
                              "cost_per_prospect": channels["spend"] / funnel["prospects"]})
    economics["ltv_per_prospect"] = economics["conversion"] * economics["student_clv"]
    return {"prospects": prospects, "alumni": alumni, "funnel": funnel, "retention": retention,
            "economics": economics, "profile": profile, "multiplier": multiplier}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/ceibs.ipynb, section 5."""
    nb = notebook_economics(world)
    prospects, alumni, economics = nb["prospects"], nb["alumni"], nb["economics"]
    admission_rate = float(prospects["admitted"].sum() / prospects["applied"].sum())
    conversion = prospects.groupby("channel", observed=True)["enrolled"].mean()
    top_converting_channel = str(conversion.idxmax())
    referred = alumni[alumni["channel"] == REFERRAL]
    referral_retention = float(referred.loc[referred["was_engaged"], "engaged"].mean())
    by_year = referred.groupby("years_since_grad")["value"].agg(["sum", "size"])
    per_graduate = by_year["sum"] / by_year["size"]
    empirical_alumni_value = float((per_graduate / (1 + world.knobs["discount_rate"]) ** per_graduate.index.to_numpy()).sum())
    per_prospect = economics["ltv_per_prospect"]
    sponsor_vs_referral = float(per_prospect[SPONSOR] / per_prospect[REFERRAL])
    return {"q1": admission_rate, "q2": top_converting_channel, "q3": referral_retention,
            "q4": empirical_alumni_value, "q5": sponsor_vs_referral}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    nb = notebook_economics(world)
    prospects, alumni, economics, funnel = nb["prospects"], nb["alumni"], nb["economics"], nb["funnel"]
    right = answers(world)
    referred = alumni[alumni["channel"] == REFERRAL]
    panel = _panel(world)
    upside_down = 1 / right["q5"]
    q5 = {"the ratio of first conversions (ignores lifetime value)":
              float(economics.loc[SPONSOR, "conversion"] / economics.loc[REFERRAL, "conversion"]),
          "the ratio of student CLVs (ignores conversion)":
              float(economics.loc[SPONSOR, "student_clv"] / economics.loc[REFERRAL, "student_clv"])}
    if abs(upside_down - right["q5"]) > 0.02 * right["q5"]:  # where the two channels are worth the same, 1/x is x
        q5["referral over sponsor (the ratio upside down)"] = upside_down
    return {
        "q1": {"admitted divided by all prospects (the wrong denominator)":
                   float(prospects["admitted"].sum() / len(prospects)),
               "a percentage instead of a share": 100 * right["q1"],
               "the yield: enrolled divided by admitted": float(prospects["enrolled"].sum() / prospects["admitted"].sum())},
        "q2": {"the channel with the most students (a count, not a rate)": str(funnel["enrolled"].idxmax())},
        "q3": {"the share of all referral alumni-years that are engaged (not a year-to-year rate)":
                   float(referred["engaged"].mean()),
               "the yearly lapse rate (1 - retention)": 1 - right["q3"],
               "all channels pooled": _retention(panel, None)},
        "q4": {"not discounted": _empirical_alumni_value(world, REFERRAL, discount=0.0),
               "divided by engaged alumni only (ignores those who lapsed)":
                   _empirical_alumni_value(world, REFERRAL, per="engaged"),
               "discounted from year 0 (exponent t - 1)": _empirical_alumni_value(world, REFERRAL, shift=1)},
        "q5": q5,
    }
