"""CEIBS: a business school's funnel from prospect to alumnus, and what each recruitment channel is worth
over a lifetime (synthetic world).

Prospects of one recruitment cycle come through five channels (information sessions, the website, referral
by alumni, corporate sponsors, education fairs) and pass the funnel prospect -> applicant -> admitted ->
student; a panel of fifteen graduating classes records each alumnus's yearly engagement, donations,
referrals and executive-education purchases. Channel conversion rates, yearly alumni retention and
alumni value per engaged year are planted; at the defaults the best-converting channel (corporate
sponsors) is not the one whose prospects are worth most over a lifetime (referral by alumni).

Sources: CRM Q&A compilation (source 0), lines 131–136 (the casebook's CEIBS chapter: the school, the
Chinese management-education market, the background of its CRM, its CRM solution, highlights and
benefits — headings only) and lines 188–193 (the worked chapter "education institutions can also seek
returns from CRM"); cohort CLV as in Berger & Nasr (1998) and Gupta & Lehmann (2003) (public record).
All figures are synthetic; none is CEIBS's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

CHANNELS = ("info_session", "website", "alumni_referral", "corporate_sponsor", "education_fair")
#: Share of prospects by channel before ``referral_share`` replaces the referral share (others rescaled).
BASE_SHARES = {"info_session": 0.30, "website": 0.30, "alumni_referral": 0.12, "corporate_sponsor": 0.10,
               "education_fair": 0.18}
#: Funnel: P(apply | prospect), P(admitted | applied), P(enrolled | admitted).
STAGES = {"info_session": (0.38, 0.50, 0.75), "website": (0.15, 0.45, 0.65),
          "alumni_referral": (0.36, 0.68, 0.80), "corporate_sponsor": (0.60, 0.58, 0.85),
          "education_fair": (0.12, 0.40, 0.60)}
#: Years of work experience of the prospects (mean, sd), by channel.
EXPERIENCE = {"info_session": (6, 3), "website": (5, 3), "alumni_referral": (7, 3), "corporate_sponsor": (10, 4),
              "education_fair": (4, 2)}
#: Alumni engagement: log-odds offset of the yearly retention from ``engagement_retention``, and the multiplier
#: of the value of an engaged year (chance of donating, of buying executive education, referral rate).
RETENTION_OFFSET = {"info_session": 0.3, "website": -0.2, "alumni_referral": 0.9, "corporate_sponsor": -1.0,
                    "education_fair": -0.3}
VALUE_MULTIPLIER = {"info_session": 1.0, "website": 0.8, "alumni_referral": 2.0, "corporate_sponsor": 0.5,
                    "education_fair": 0.7}
#: Recruitment cost per prospect (CNY): events, advertising, fair stands, account managers, alumni events.
COST_PER_PROSPECT = {"info_session": 3000.0, "website": 600.0, "alumni_referral": 2000.0,
                     "corporate_sponsor": 6000.0, "education_fair": 2500.0}
#: What an engaged alumnus does in a year, at value multiplier 1 (t = years since graduation).
DONATION = {"p": 0.20, "mean": 6000.0, "growth": 0.10, "cv": 1.0}   # mean gift 6000 x (1 + 0.10 t) CNY
EXEC_ED = {"p": 0.08, "mean": 60000.0, "sd": 25000.0}              # chance x hump(t); margin per purchase
REFERRALS = 0.15                                                    # prospects referred per engaged year
COHORTS = 15           # graduating classes observed: 2009 ... 2023, followed to 2024
LAST_YEAR = 2024


def exec_ed_hump(t):
    """Relative chance of buying an executive-education programme t years after graduation (peaks at 6)."""
    return 0.6 + 0.8 * np.exp(-((np.asarray(t, dtype=float) - 6.0) / 4.0) ** 2)


def channel_shares(referral_share: float) -> dict:
    """Prospect shares by channel: ``referral_share`` for referral, the other base shares rescaled.

    >>> round(sum(channel_shares(0.3).values()), 12), channel_shares(0.3)["alumni_referral"]
    (1.0, 0.3)
    """
    rest = 1.0 - BASE_SHARES["alumni_referral"]
    return {c: (referral_share if c == "alumni_referral" else s * (1.0 - referral_share) / rest)
            for c, s in BASE_SHARES.items()}


def value_profile(programme_margin: float, referral_conversion: float) -> np.ndarray:
    """Expected value (CNY) of one engaged alumnus-year at value multiplier 1, for years 1..COHORTS after
    graduation: donations + executive-education margin + referrals, each referral valued at the programme
    margin times the referral channel's prospect -> student conversion."""
    t = np.arange(1, COHORTS + 1, dtype=float)
    return (DONATION["p"] * DONATION["mean"] * (1 + DONATION["growth"] * t)
            + EXEC_ED["p"] * exec_ed_hump(t) * EXEC_ED["mean"]
            + REFERRALS * programme_margin * referral_conversion)


SNAPSHOT_KNOBS = {"n_prospects": 1500, "n_alumni": 900}
KNOBS = [
    Knob("n_prospects", 6000, int, "prospects (enquiries) of one recruitment cycle", low=100, high=2_000_000,
         doc_zh="一个招生周期的潜在学员（咨询者）人数"),
    Knob("n_alumni", 6000, int, "alumni of the fifteen graduating classes followed by the alumni office",
         low=150, high=1_000_000, doc_zh="校友办公室跟踪的十五届毕业生的校友人数"),
    Knob("referral_share", 0.12, float, "share of prospects who come through referral by alumni (the other "
         "channels keep their relative sizes)", low=0.02, high=0.6,
         doc_zh="通过校友推荐而来的潜在学员所占比例（其他渠道之间的相对规模不变）"),
    Knob("engagement_retention", 0.85, float, "yearly chance that an alumnus of average engagement stays "
         "engaged with the school (channels differ around it)", low=0.3, high=0.97,
         doc_zh="一位参与度中等的校友每年继续与学院保持联系的概率（各渠道在此基础上有高有低）"),
    Knob("programme_margin", 80000.0, float, "contribution margin of one enrolled student's programme fee",
         low=0.0, high=1_000_000.0, unit="CNY", doc_zh="每名入学学员学费的边际贡献"),
    Knob("discount_rate", 0.08, float, "yearly discount rate at which future alumni value is valued",
         low=0.0, high=0.5, unit="per year", doc_zh="对校友未来价值进行折现的年折现率"),
]

C = Column
TABLES = [
    Table("prospects", "One row per prospect (enquiry) of the current recruitment cycle, with the channel that "
          "brought them and how far they went through the funnel.", (
              C("prospect_id", "int64", "prospect id", doc_zh="潜在学员编号"),
              C("channel", "category", "channel that brought the enquiry: info_session, website, "
                "alumni_referral, corporate_sponsor or education_fair",
                doc_zh="带来这次咨询的渠道：info_session（招生说明会）、website（官网）、alumni_referral（校友推荐）、"
                       "corporate_sponsor（企业资助）、education_fair（教育展）"),
              C("years_experience", "int64", "years of work experience", "years", doc_zh="工作年限"),
              C("applied", "bool", "submitted an application", doc_zh="是否提交了申请"),
              C("admitted", "bool", "was offered a place (only applicants can be)", doc_zh="是否被录取（只有申请者可能被录取）"),
              C("enrolled", "bool", "accepted the offer and enrolled as a student (only admitted prospects can)",
                doc_zh="是否接受录取并入学成为学员（只有被录取者可能入学）"),
          ), doc_zh="本招生周期的每位潜在学员（咨询者）一行：带来他的渠道，以及他在漏斗中走到了哪一步。"),
    Table("alumni_activity", "One row per alumnus and year after graduation, from graduation to 2024: whether the "
          "alumnus was still engaged with the school that year and what they gave and bought.", (
              C("alumnus_id", "int64", "alumnus id", doc_zh="校友编号"),
              C("channel", "category", "channel through which the alumnus first came to the school",
                doc_zh="该校友最初来到学院的渠道"),
              C("grad_year", "int64", "year of graduation", doc_zh="毕业年份"),
              C("years_since_grad", "int64", "years since graduation (1 = the first year after)", "years",
                doc_zh="毕业后的年数（1 = 毕业后第一年）"),
              C("year", "int64", "calendar year of the record", doc_zh="记录所属的日历年份"),
              C("engaged", "bool", "still engaged with the school this year (attends, answers, reads)",
                doc_zh="当年是否仍与学院保持联系（参加活动、回复、阅读）"),
              C("donation", "float64", "donations in the year", "CNY", doc_zh="当年捐赠额"),
              C("exec_ed_margin", "float64", "margin on executive-education programmes bought in the year", "CNY",
                doc_zh="当年购买高层管理培训（executive education）课程带来的边际贡献"),
              C("referrals", "int64", "prospects the alumnus referred to the school in the year",
                doc_zh="当年该校友向学院推荐的潜在学员人数"),
          ), doc_zh="每位校友毕业后的每一年一行（从毕业到2024年）：当年是否仍与学院保持联系，以及捐赠、推荐和购买了什么。"),
    Table("channels", "One row per recruitment channel: what the school spent on it in the current cycle.", (
              C("channel", "category", "recruitment channel", doc_zh="招生渠道"),
              C("spend", "float64", "recruitment spend on the channel in the current cycle", "CNY",
                doc_zh="本招生周期在该渠道上的招生支出"),
          ), doc_zh="每个招生渠道一行：学院本招生周期在该渠道上的支出。"),
]

DESCRIPTION = """
Prospects are split over the five channels in fixed proportions (`channel_shares`: info_session 30%,
website 30%, alumni_referral `referral_share`, corporate_sponsor 10%, education_fair 18%, the non-referral
shares rescaled so that all sum to 1). Each prospect applies, is admitted and enrols with probabilities
that depend on the channel only (`truth['stage_rates']`, drawn stage by stage; only applicants can be
admitted and only admitted prospects enrol). Years of experience are normal by channel and play no part
in the funnel. Channel spend = prospects x a planted cost per prospect (`truth['cost_per_prospect']`).

Alumni: `n_alumni` graduates spread evenly over the classes of 2009-2023 with the same channel shares.
Engagement is "lost for good": an alumnus of channel c is engaged in year t after graduation with
probability r_c^t, r_c = expit(logit(engagement_retention) + offset_c) (`truth['retention']`), and a
lapsed alumnus never returns. In each engaged year the alumnus donates with probability 0.20 k_c
(log-normal gift, mean 6000 x (1 + 0.10 t) CNY), buys executive education with probability
0.08 k_c hump(t), hump(t) = 0.6 + 0.8 exp(-((t - 6)/4)^2) (log-normal margin, mean 60,000 CNY), and refers
Poisson(0.15 k_c) prospects; k_c is the channel's value multiplier (`truth['value_multiplier']`). A
referral is worth the programme margin times the referral channel's planted conversion
(`truth['value_per_referral']`), so the expected value of an engaged year is k_c x profile(t)
(`truth['value_profile']`, years 1-15).

Lifetime value of a student of channel c, valued at graduation: programme_margin + sum over t = 1..15 of
k_c profile(t) r_c^t / (1 + discount_rate)^t (`truth['student_clv']`). Lifetime value per prospect =
conversion x student CLV (`truth['ltv_per_prospect']`), per yuan of recruitment cost
(`truth['ltv_per_yuan']`). At the defaults the best-converting channel (corporate_sponsor) differs from the
most valuable per prospect (alumni_referral): sponsored students come easily but drift away from the
school; referred students come less often and stay, give, buy and refer. `truth['alumni']` holds each
alumnus's planted lapse year (the first year not engaged, possibly after 2024).
"""

DESCRIPTION_ZH = """
潜在学员按固定比例分到五个渠道（`channel_shares`：招生说明会 info_session 30%、官网 website 30%、校友推荐
alumni_referral 为 `referral_share`、企业资助 corporate_sponsor 10%、教育展 education_fair 18%，非推荐渠道的比例
按比例缩放，使总和为1）。每位潜在学员依次以只取决于渠道的概率提交申请、被录取、入学（`truth['stage_rates']`，逐级抽取；
只有申请者可能被录取，只有被录取者可能入学）。工作年限按渠道服从正态分布，与漏斗无关。渠道支出 = 潜在学员人数 x
预设的单位获客成本（`truth['cost_per_prospect']`）。

校友：`n_alumni` 名毕业生平均分布在2009—2023届，渠道比例与潜在学员相同。校友参与采用“一去不返”（lost for good）
模型：渠道 c 的校友在毕业后第 t 年仍保持联系的概率为 r_c^t，r_c = expit(logit(engagement_retention) + offset_c)
（`truth['retention']`），失去联系的校友不再回来。在保持联系的每一年里，校友以 0.20 k_c 的概率捐赠（对数正态，
平均 6000 x (1 + 0.10 t) 元），以 0.08 k_c hump(t) 的概率购买高层管理培训课程，hump(t) = 0.6 + 0.8 exp(-((t - 6)/4)^2)
（对数正态边际贡献，平均 60,000 元），并推荐 Poisson(0.15 k_c) 位潜在学员；k_c 是渠道的价值乘数
（`truth['value_multiplier']`）。一次推荐的价值 = 学费边际贡献 x 校友推荐渠道的预设转化率（`truth['value_per_referral']`），
因此保持联系的一年的期望价值为 k_c x profile(t)（`truth['value_profile']`，第1—15年）。

渠道 c 的一名学员在毕业时点的终身价值：programme_margin + 对 t = 1..15 求和 k_c profile(t) r_c^t / (1 + discount_rate)^t
（`truth['student_clv']`）。每位潜在学员的终身价值 = 转化率 x 学员终身价值（`truth['ltv_per_prospect']`），
每元招生成本的终身价值见 `truth['ltv_per_yuan']`。默认参数下，转化率最高的渠道（企业资助）与每位潜在学员终身价值最高的渠道
（校友推荐）并不相同：企业资助的学员来得容易，却逐渐与学院疏远；校友推荐的学员来得少一些，却留得住、肯捐赠、会回来进修、
还会推荐别人。`truth['alumni']` 给出每位校友预设的失联年份（第一个不再保持联系的年份，可能在2024年之后）。
"""


def planted_values(k: dict) -> dict:
    """The planted channel economics for knobs ``k``: conversion, retention, student CLV, value per prospect and
    per yuan, and the channels that come first by each (see DESCRIPTION).

    >>> v = planted_values({"engagement_retention": 0.85, "programme_margin": 80000.0, "discount_rate": 0.08})
    >>> v["best_converting"], v["most_valuable_per_prospect"]
    ('corporate_sponsor', 'alumni_referral')
    """
    conversion = {c: float(np.prod(STAGES[c])) for c in CHANNELS}
    retention = {c: float(expit(logit(k["engagement_retention"]) + RETENTION_OFFSET[c])) for c in CHANNELS}
    profile = value_profile(k["programme_margin"], conversion["alumni_referral"])
    t = np.arange(1, COHORTS + 1, dtype=float)
    clv = {c: float(k["programme_margin"] + np.sum(VALUE_MULTIPLIER[c] * profile * retention[c] ** t
                                                   / (1 + k["discount_rate"]) ** t)) for c in CHANNELS}
    per_prospect = {c: conversion[c] * clv[c] for c in CHANNELS}
    per_yuan = {c: per_prospect[c] / COST_PER_PROSPECT[c] for c in CHANNELS}
    return {"conversion": conversion, "retention": retention, "value_profile": [float(v) for v in profile],
            "value_per_referral": float(k["programme_margin"] * conversion["alumni_referral"]),
            "student_clv": clv, "ltv_per_prospect": per_prospect, "ltv_per_yuan": per_yuan,
            "best_converting": max(conversion, key=conversion.get),
            "most_valuable_per_prospect": max(per_prospect, key=per_prospect.get),
            "best_per_yuan": max(per_yuan, key=per_yuan.get)}


def _segments(shares: dict, attribute: dict) -> list[dict]:
    return [{"name": c, "share": shares[c], **{a: spec[c] for a, spec in attribute.items()}} for c in CHANNELS]


@register("ceibs", title="CEIBS: from prospect to alumnus - the funnel and lifetime value by recruitment channel",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, version="1",
          title_zh="中欧国际工商学院：从潜在学员到校友——招生漏斗与各渠道的终身价值", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    shares = channel_shares(k["referral_share"])
    planted = planted_values(k)
    cats = pd.CategoricalDtype(list(CHANNELS))

    # --- the funnel of the current recruitment cycle
    experience = {c: {"dist": "normal", "mean": m, "sd": s, "low": 0, "decimals": 0, "dtype": "int"}
                  for c, (m, s) in EXPERIENCE.items()}
    pop = draw_segments(rng, k["n_prospects"], _segments(shares, {"years_experience": experience}))
    channel = pop["segment"].astype(str).to_numpy()
    stage = {c: np.array([STAGES[ch][i] for ch in CHANNELS]) for i, c in enumerate(("apply", "admit", "enrol"))}
    code = pd.Categorical(channel, categories=CHANNELS).codes
    _, applied = logit_draw(rng, logit(stage["apply"][code]))
    _, admit = logit_draw(rng, logit(stage["admit"][code]))
    _, enrol = logit_draw(rng, logit(stage["enrol"][code]))
    applied = applied.astype(bool)
    admitted = applied & admit.astype(bool)
    enrolled = admitted & enrol.astype(bool)
    prospects = pd.DataFrame({
        "prospect_id": np.arange(1, len(pop) + 1, dtype=np.int64),
        "channel": pd.Categorical(channel, dtype=cats),
        "years_experience": pop["years_experience"].to_numpy().astype(np.int64),
        "applied": applied, "admitted": admitted, "enrolled": enrolled,
    })
    counts = prospects["channel"].value_counts().reindex(list(CHANNELS)).to_numpy()
    channels = pd.DataFrame({"channel": pd.Categorical(list(CHANNELS), dtype=cats),
                             "spend": counts * np.array([COST_PER_PROSPECT[c] for c in CHANNELS])})

    # --- the alumni panel: lapse year, then what engaged alumni give, buy and refer
    years = {c: {"dist": "categorical", "probs": {str(LAST_YEAR - COHORTS + i): 1.0 / COHORTS for i in range(COHORTS)}}
             for c in CHANNELS}
    alu = draw_segments(rng, k["n_alumni"], _segments(shares, {"grad_year": years}))
    a_code = alu["segment"].cat.codes.to_numpy()
    grad = alu["grad_year"].astype(str).astype(np.int64).to_numpy()
    r = np.array([planted["retention"][c] for c in CHANNELS])[a_code]
    mult = np.array([VALUE_MULTIPLIER[c] for c in CHANNELS])[a_code]
    lapse = rng.geometric(1.0 - r)                    # first year not engaged: P(lapse > t) = r^t
    observed = LAST_YEAR - grad                       # years since graduation observed (1..15)
    row = np.repeat(np.arange(len(alu)), observed)
    t = np.arange(len(row)) - np.repeat(np.cumsum(observed) - observed, observed) + 1
    engaged = t < lapse[row]
    m = mult[row]
    n = len(row)
    gives = engaged & (rng.random(n) < DONATION["p"] * m)
    sigma2 = np.log1p(DONATION["cv"] ** 2)
    gift_mean = DONATION["mean"] * (1 + DONATION["growth"] * t)
    gift = np.round(rng.lognormal(np.log(gift_mean) - sigma2 / 2, np.sqrt(sigma2)), 0)
    buys = engaged & (rng.random(n) < EXEC_ED["p"] * m * exec_ed_hump(t))
    s2 = np.log1p((EXEC_ED["sd"] / EXEC_ED["mean"]) ** 2)
    margin = np.round(rng.lognormal(np.log(EXEC_ED["mean"]) - s2 / 2, np.sqrt(s2), n), 0)
    refs = np.where(engaged, rng.poisson(REFERRALS * m), 0)
    alumni_activity = pd.DataFrame({
        "alumnus_id": (row + 1).astype(np.int64),
        "channel": pd.Categorical(alu["segment"].astype(str).to_numpy()[row], dtype=cats),
        "grad_year": grad[row],
        "years_since_grad": t.astype(np.int64),
        "year": (grad[row] + t).astype(np.int64),
        "engaged": engaged,
        "donation": np.where(gives, gift, 0.0),
        "exec_ed_margin": np.where(buys, margin, 0.0),
        "referrals": refs.astype(np.int64),
    })

    truth = {
        "channel_shares": shares,
        "stage_rates": {c: dict(zip(("apply", "admit", "enrol"), STAGES[c])) for c in CHANNELS},
        "value_multiplier": dict(VALUE_MULTIPLIER),
        "cost_per_prospect": dict(COST_PER_PROSPECT),
        "horizon_years": COHORTS,
        **planted,
        "alumni": pd.DataFrame({"channel": alu["segment"].astype(str).to_numpy(), "grad_year": grad,
                                "lapse_year": lapse.astype(np.int64)},
                               index=pd.Index(np.arange(1, len(alu) + 1, dtype=np.int64), name="alumnus_id")),
    }
    return {"prospects": prospects, "alumni_activity": alumni_activity, "channels": channels}, truth
