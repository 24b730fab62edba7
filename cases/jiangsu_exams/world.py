"""Jiangsu self-study examinations: candidates as customers (synthetic world).

A provincial self-study examination authority treats its candidates as customers (CRM article collection
(source 3), lines 185–207). The world holds one exam sitting's register of candidates in seven audience
groups, a satisfaction survey of a random sample of them over the five service stages the source names
(registration, payment, tutoring, exam, textbooks) in which some groups answer far more often than others,
a yearbook-style table of the province's thirteen cities with teacher-track registrations before and after
Lianyungang's mobilisation notice, and a leaflet pilot with a random hold-out for the seven groups of the
"Seven-Colour Sunshine" (七色阳光) leaflets. Planted truth: dissatisfaction per stage in the whole register,
the notice's effect, each group's leaflet uplift and the best use of a leaflet budget.

Sources: CRM article collection (source 3), line 191 (five stages; dissatisfaction concentrated in
registration and textbooks), lines 203–205 (Lianyungang: 11,916 teacher-track candidates = 40.2% of the
city's candidates after a notice; nearly 60% of registrants are students at school; seven leaflet groups).
The thirteen prefecture-level cities of Jiangsu are public record. Everything else is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

STAGES = ("registration", "payment", "tutoring", "exam", "textbooks")
# Which register flag says that a candidate met the stage (None: every candidate meets it).
STAGE_USERS = {"registration": None, "payment": None, "tutoring": "used_tutoring", "exam": None,
               "textbooks": "bought_textbooks"}

# The seven audience groups of the leaflets (the source says there were seven; which seven is not stated, so
# these are invented). share: share of the register (the two in-school groups make 59%, "nearly 60%" in the
# source); shift: log-odds added to every stage's dissatisfaction; respond: log-odds of answering the survey;
# prospects: reachable people not yet registered; cost: yuan per leaflet delivered; base: registration rate
# without a leaflet; uplift: registration rate added by a leaflet.
GROUPS = [
    {"name": "university_students", "colour": "red", "share": 0.40, "in_school": True, "tutoring": 0.35,
     "textbooks": 0.50, "shift": -0.80, "respond": 1.2, "prospects": 400_000, "cost": 0.4, "base": 0.030,
     "uplift": 0.020},
    {"name": "vocational_students", "colour": "orange", "share": 0.19, "in_school": True, "tutoring": 0.45,
     "textbooks": 0.55, "shift": -0.60, "respond": 0.8, "prospects": 250_000, "cost": 0.5, "base": 0.020,
     "uplift": 0.015},
    {"name": "teachers", "colour": "yellow", "share": 0.12, "in_school": False, "tutoring": 0.15,
     "textbooks": 0.75, "shift": 0.20, "respond": 0.0, "prospects": 60_000, "cost": 1.5, "base": 0.050,
     "uplift": 0.080},
    {"name": "enterprise_staff", "colour": "green", "share": 0.13, "in_school": False, "tutoring": 0.10,
     "textbooks": 0.65, "shift": 0.90, "respond": -1.4, "prospects": 300_000, "cost": 2.0, "base": 0.020,
     "uplift": 0.030},
    {"name": "civil_servants", "colour": "cyan", "share": 0.07, "in_school": False, "tutoring": 0.10,
     "textbooks": 0.65, "shift": 0.30, "respond": -0.3, "prospects": 80_000, "cost": 1.5, "base": 0.030,
     "uplift": 0.040},
    {"name": "soldiers", "colour": "blue", "share": 0.03, "in_school": False, "tutoring": 0.20,
     "textbooks": 0.60, "shift": 0.30, "respond": -0.2, "prospects": 30_000, "cost": 3.0, "base": 0.020,
     "uplift": 0.050},
    {"name": "rural_workers", "colour": "purple", "share": 0.06, "in_school": False, "tutoring": 0.05,
     "textbooks": 0.60, "shift": 1.10, "respond": -1.8, "prospects": 500_000, "cost": 4.0, "base": 0.010,
     "uplift": 0.010},
]
GROUP_NAMES = tuple(g["name"] for g in GROUPS)
COLOURS = tuple(g["colour"] for g in GROUPS)

# The 13 prefecture-level cities of Jiangsu (public record); Lianyungang received the mobilisation notice.
CITIES = ("Nanjing", "Wuxi", "Xuzhou", "Changzhou", "Suzhou", "Nantong", "Lianyungang", "Huai'an", "Yancheng",
          "Yangzhou", "Zhenjiang", "Taizhou", "Suqian")
NOTICE_CITY = "Lianyungang"
#: The source's figures (CRM article collection (source 3), line 203): teacher-track candidates in Lianyungang
#: and their share of the city's candidates, as published (one decimal of a percentage).
SOURCE_TEACHER_TRACK = 11916
SOURCE_TEACHER_SHARE_PCT = 40.2

SNAPSHOT_KNOBS = {"n_candidates": 3000, "survey_size": 600, "pilot_size": 2100}
KNOBS = [
    Knob("n_candidates", 20000, int, "candidates in the register of one exam sitting", low=500, high=2_000_000,
         doc_zh="一次考试报名名册中的考生人数"),
    Knob("survey_size", 3000, int, "candidates drawn at random from the register and sent the satisfaction "
         "questionnaire (at most the register's size)", low=100, high=200_000,
         doc_zh="从报名名册中随机抽取、寄发满意度问卷的考生人数（不超过名册人数）"),
    Knob("registration_dissatisfied", 0.30, float, "dissatisfaction with registration of a typical candidate "
         "(probability before the group's shift)", low=0.01, high=0.9, doc_zh="典型考生对报名环节不满意的概率（未加群体差异之前）"),
    Knob("payment_dissatisfied", 0.10, float, "the same for payment", low=0.01, high=0.9,
         doc_zh="同上，付费环节"),
    Knob("tutoring_dissatisfied", 0.16, float, "the same for tutoring (助学), among candidates who use it",
         low=0.01, high=0.9, doc_zh="同上，助学环节（只针对参加助学的考生）"),
    Knob("exam_dissatisfied", 0.08, float, "the same for the exam itself", low=0.01, high=0.9,
         doc_zh="同上，考试环节"),
    Knob("textbooks_dissatisfied", 0.36, float, "the same for textbooks, among candidates who buy them",
         low=0.01, high=0.9, doc_zh="同上，教材环节（只针对购买教材的考生）"),
    Knob("complainer_response", 0.0, float, "log-odds added to answering the survey for a candidate "
         "dissatisfied with at least one stage (non-response that weighting by group cannot repair)",
         low=-3.0, high=3.0, doc_zh="对至少一个环节不满意的考生，回答问卷的对数几率增加值（按群体加权也修正不了的无回应偏差）"),
    Knob("notice_effect", 2.5, float, "factor by which Lianyungang's mobilisation notice multiplied its "
         "teacher-track registrations, beyond the growth every city had", low=1.0, high=6.0,
         doc_zh="连云港的动员通知使该市师范类报考人数在各市共同增长之外再放大的倍数"),
    Knob("pilot_size", 10500, int, "prospects in the leaflet pilot, split equally over the seven groups; half "
         "of each group gets a leaflet at random", low=280, high=2_000_000,
         doc_zh="宣传单试点中的潜在考生人数，平均分到七个群体；每个群体随机一半收到宣传单"),
    Knob("leaflet_budget", 300000.0, float, "budget for the leaflet campaign", low=0.0, high=1e8, unit="yuan",
         doc_zh="宣传单投放预算"),
]

C = Column
TABLES = [
    Table("register", "One row per candidate registered for the sitting: audience group and which services "
          "the candidate used.", (
              C("candidate_id", "int64", "candidate number", doc_zh="考生编号"),
              C("group", "category", "audience group (one of the seven leaflet groups)",
                doc_zh="考生群体（七类宣传单对应的七个群体之一）"),
              C("in_school", "bool", "a student at school or university", doc_zh="是否为在校学生"),
              C("used_tutoring", "bool", "takes part in tutoring (助学) run by a school or tutoring body",
                doc_zh="是否参加院校或助学单位组织的助学"),
              C("bought_textbooks", "bool", "bought the official textbooks", doc_zh="是否购买了指定教材"),
          ), doc_zh="本次考试每位报名考生一行：所属群体和使用了哪些服务。"),
    Table("survey", "One row per candidate sent the questionnaire: whether they answered and, if so, their "
          "rating of each stage they went through (1 very dissatisfied … 5 very satisfied; empty when they did "
          "not answer or did not use the stage).", (
              C("candidate_id", "int64", "candidate number (links to register)", doc_zh="考生编号（与 register 关联）"),
              C("group", "category", "audience group", doc_zh="考生群体"),
              C("responded", "bool", "answered the questionnaire", doc_zh="是否回答了问卷"),
              *(C(s, "float64", f"rating of the {s} stage, 1–5 (2 or less = dissatisfied)", "points",
                  doc_zh=f"对{zh}环节的评分，1–5分（2分及以下为不满意）")
                for s, zh in zip(STAGES, ("报名", "付费", "助学", "考试", "教材"))),
          ), doc_zh="每位收到问卷的考生一行：是否作答；作答的，给出其经历过的每个环节的评分"
                    "（1 非常不满意 … 5 非常满意；未作答或未经历该环节为空）。"),
    Table("cities", "One row per city of the province, as a yearbook would publish it: candidates and "
          "teacher-track candidates the year before and the year of the notice.", (
              C("city", "category", "prefecture-level city", doc_zh="地级市"),
              C("notice", "bool", "the city's education bureau issued the mobilisation notice",
                doc_zh="该市教育局是否下发了动员通知"),
              C("candidates_before", "int64", "all candidates in the year before", "candidates",
                doc_zh="上一年的全部考生人数"),
              C("teacher_before", "int64", "teacher-track (师范类) candidates in the year before", "candidates",
                doc_zh="上一年报考师范类专业的考生人数"),
              C("teacher_after", "int64", "teacher-track candidates in the year of the notice", "candidates",
                doc_zh="通知当年报考师范类专业的考生人数"),
              C("teacher_share_after_pct", "float64", "teacher-track candidates as a percentage of all the "
                "city's candidates in the year of the notice, as published (one decimal)", "%",
                doc_zh="通知当年师范类考生占该市全部考生的百分比（公布值，保留一位小数）"),
          ), doc_zh="全省每个市一行，如同年鉴所公布：上一年与通知当年的考生人数和师范类考生人数。"),
    Table("groups", "One row per audience group of the leaflets: how many people the leaflets can reach and "
          "what one leaflet costs to deliver.", (
              C("group", "category", "audience group", doc_zh="考生群体"),
              C("colour", "category", "the colour of the group's leaflet in the Seven-Colour Sunshine series",
                doc_zh="该群体在“七色阳光”系列中的宣传单颜色"),
              C("prospects", "int64", "reachable people in the group who are not yet registered", "people",
                doc_zh="该群体中可以送达、尚未报名的人数"),
              C("cost_per_leaflet", "float64", "cost of delivering one leaflet", "yuan", doc_zh="送达一份宣传单的成本"),
          ), doc_zh="每个宣传对象群体一行：宣传单能送达多少人，送达一份的成本是多少。"),
    Table("pilot", "One row per prospect in the leaflet pilot: group, whether a leaflet was sent (at random) "
          "and whether the person registered for the next sitting.", (
              C("prospect_id", "int64", "prospect number", doc_zh="潜在考生编号"),
              C("group", "category", "audience group", doc_zh="考生群体"),
              C("leaflet", "bool", "was sent the group's leaflet (random half of each group)",
                doc_zh="是否收到本群体的宣传单（每个群体随机一半）"),
              C("registered", "bool", "registered for the next sitting", doc_zh="是否报名参加下一次考试"),
          ), doc_zh="宣传单试点中的每位潜在考生一行：所属群体、是否（随机）收到宣传单、是否报名参加下一次考试。"),
]

DESCRIPTION = """
**The register.** Candidates fall into seven audience groups with fixed shares (`truth['groups']`); the two
in-school groups make 59% of the register, the source's "nearly 60% are students at school" (CRM article
collection (source 3), line 205). Within a group, using tutoring and buying the textbooks are Bernoulli draws
with the group's rates.

**Dissatisfaction.** Each candidate is dissatisfied with a stage they went through with probability
expit(logit(`<stage>_dissatisfied`) + shift of the group): working adults (enterprise staff, rural workers)
are more often dissatisfied, students less. Registration and textbooks carry the highest rates by default,
as the source's survey found (source 3, line 191). `truth['stages']` gives, per stage, the candidates who
met it, the number and the share dissatisfied in the *whole register*.

**The survey.** A simple random sample of `survey_size` candidates is sent the questionnaire. A candidate
answers with probability expit(respond of the group + `complainer_response` x [dissatisfied with any stage]):
students answer far more often than working adults (non-response that depends on the group and can be
weighted away); with a positive `complainer_response` (0 by default) dissatisfied candidates answer more
often as well (non-response that depends on the answer itself and cannot). A dissatisfied candidate rates the stage 1 or 2 (probabilities 0.4 / 0.6), a satisfied
one 3, 4 or 5 (0.35 / 0.45 / 0.20).

**The cities.** Lianyungang's teacher-track count and share are the source's (11,916 = 40.2%, source 3,
line 203), which imply 11,916 / 0.402 = 29,642 candidates (`truth['lianyungang_total']`). Every city's
teacher-track registrations grew by a common factor 1.10 times LogNormal(0, 0.08); in Lianyungang the notice
multiplied them by `notice_effect` as well (its year-before count is derived backwards from the source's
figure). Other cities' sizes and teacher-track shares (12–22%) are synthetic.

**The leaflets.** In the pilot, each group's prospects register with probability base (no leaflet) or
base + uplift (leaflet). The best use of `leaflet_budget` sends leaflets to groups in decreasing order of
uplift / cost per leaflet, each up to its prospects (`truth['best_allocation']`, valued with the planted
uplifts).
"""

DESCRIPTION_ZH = """
**报名名册。** 考生分属七个宣传对象群体，各群体占比固定（`truth['groups']`）；两个在校学生群体合占名册的59%，
即资料所说的“报考人数中近60%为在校学生”（《客户关系管理文章选编》（资料3）第205行）。在同一群体内，是否参加
助学、是否购买教材都按该群体的比例做伯努利抽样。

**不满意。** 考生对自己经历过的某个环节不满意的概率为 expit(logit(`<环节>_dissatisfied`) + 群体偏移)：
在职人员（企业职工、进城务工人员）更容易不满意，学生较少。默认情况下报名和教材两个环节的不满意率最高，
与资料中问卷调查的结论一致（资料3第191行）。`truth['stages']` 按环节给出*整个名册*中经历该环节的人数、
不满意的人数和比例。

**问卷调查。** 从名册中简单随机抽取 `survey_size` 名考生寄发问卷。考生作答的概率为
expit(群体的作答倾向 + `complainer_response` x [至少对一个环节不满意])：学生作答远多于在职人员（取决于群体的
无回应，可以用加权修正）；`complainer_response` 取正值时（默认为0），不满意的考生也更常作答（取决于答案本身的无回应，
加权修正不了）。不满意的考生给该环节
打1分或2分（概率0.4 / 0.6），满意的打3、4或5分（0.35 / 0.45 / 0.20）。

**各市数据。** 连云港的师范类人数和比例取自资料（11,916人 = 40.2%，资料3第203行），由此推出全市考生
11,916 / 0.402 = 29,642人（`truth['lianyungang_total']`）。各市师范类报考人数都按共同倍数
1.10 x LogNormal(0, 0.08) 增长；连云港另外再乘以通知效应 `notice_effect`（它上一年的人数是由资料中的数字
倒推出来的）。其他各市的规模和师范类比例（12–22%）是合成的。

**宣传单。** 试点中，每个群体的潜在考生在未收到宣传单时以 base 的概率报名，收到时以 base + uplift 的概率报名。
预算 `leaflet_budget` 的最佳用法是按“增量报名率 / 每份成本”从高到低给各群体寄发，每个群体以其潜在人数为限
（`truth['best_allocation']`，用预设的增量报名率估值）。
"""


def greedy_allocation(value_per_leaflet, cost, prospects, budget: float) -> np.ndarray:
    """Leaflets per group that maximise the expected registrations under ``budget``: fill the groups in
    decreasing order of value per yuan, each up to its prospects (the fractional knapsack; groups whose
    value is not positive get none)."""
    value, cost, cap = (np.asarray(x, dtype=float) for x in (value_per_leaflet, cost, prospects))
    out = np.zeros(value.size)
    left = float(budget)
    for j in np.argsort(-(value / cost), kind="stable"):
        if value[j] <= 0 or left <= 0:
            break
        out[j] = min(cap[j], left / cost[j])
        left -= out[j] * cost[j]
    return out


@register("jiangsu_exams", title="Candidates as customers: CRM for Jiangsu's self-study examinations",
          title_zh="以考生为中心：江苏自学考试的客户关系管理", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_candidates"]
    segs = [{"name": g["name"], "share": g["share"],
             "used_tutoring": {"dist": "bernoulli", "p": g["tutoring"]},
             "bought_textbooks": {"dist": "bernoulli", "p": g["textbooks"]}} for g in GROUPS]
    pop = draw_segments(rng, n, segs)
    gi = pop["segment"].cat.codes.to_numpy().astype(np.int64)
    shift = np.array([g["shift"] for g in GROUPS])[gi]
    ids = np.arange(1, n + 1, dtype=np.int64)
    met = {s: (np.ones(n, dtype=bool) if STAGE_USERS[s] is None else pop[STAGE_USERS[s]].to_numpy())
           for s in STAGES}
    dissatisfied = {}
    for s in STAGES:
        p = expit(logit(k[f"{s}_dissatisfied"]) + shift)
        dissatisfied[s] = (rng.random(n) < p) & met[s]
    register_ = pd.DataFrame({
        "candidate_id": ids,
        "group": pop["segment"].to_numpy(),
        "in_school": np.array([g["in_school"] for g in GROUPS])[gi],
        "used_tutoring": pop["used_tutoring"].to_numpy(),
        "bought_textbooks": pop["bought_textbooks"].to_numpy(),
    })
    register_["group"] = pd.Categorical(register_["group"], categories=GROUP_NAMES)

    # the survey: a simple random sample, group- and answer-dependent response, 1-5 ratings
    m = min(k["survey_size"], n)
    sample = np.sort(rng.choice(n, size=m, replace=False))
    any_dis = np.zeros(n, dtype=bool)
    for s in STAGES:
        any_dis |= dissatisfied[s]
    respond = np.array([g["respond"] for g in GROUPS])[gi[sample]]
    p_resp, resp = logit_draw(rng, respond + k["complainer_response"] * any_dis[sample])
    resp = resp.astype(bool)
    ratings = {}
    for s in STAGES:
        u = rng.random(m)
        bad = np.where(u < 0.4, 1.0, 2.0)
        good = np.where(u < 0.35, 3.0, np.where(u < 0.80, 4.0, 5.0))
        r = np.where(dissatisfied[s][sample], bad, good)
        ratings[s] = np.where(resp & met[s][sample], r, np.nan)
    survey = pd.DataFrame({"candidate_id": ids[sample],
                           "group": pd.Categorical(register_["group"].to_numpy()[sample], categories=GROUP_NAMES),
                           "responded": resp, **ratings})

    # the cities: teacher-track registrations before and after the notice
    nc = len(CITIES)
    lyg = CITIES.index(NOTICE_CITY)
    size_before = np.round(rng.uniform(15_000, 60_000, nc)).astype(np.int64)
    share_before = rng.uniform(0.12, 0.22, nc)
    growth = 1.10 * np.exp(0.08 * rng.standard_normal(nc))
    other_growth = 1.03 * np.exp(0.05 * rng.standard_normal(nc))
    teacher_before = np.round(size_before * share_before).astype(np.int64)
    teacher_after = np.round(teacher_before * growth).astype(np.int64)
    total_after = np.round(teacher_after + (size_before - teacher_before) * other_growth).astype(np.int64)
    lyg_total = int(round(SOURCE_TEACHER_TRACK / (SOURCE_TEACHER_SHARE_PCT / 100)))
    teacher_after[lyg] = SOURCE_TEACHER_TRACK
    teacher_before[lyg] = int(round(SOURCE_TEACHER_TRACK / (k["notice_effect"] * growth[lyg])))
    total_after[lyg] = lyg_total
    non_teacher_before = int(round((lyg_total - SOURCE_TEACHER_TRACK) / other_growth[lyg]))
    size_before[lyg] = teacher_before[lyg] + non_teacher_before
    share_pct = np.round(100 * teacher_after / total_after, 1)
    share_pct[lyg] = SOURCE_TEACHER_SHARE_PCT
    cities = pd.DataFrame({"city": pd.Categorical(CITIES, categories=CITIES),
                           "notice": np.arange(nc) == lyg,
                           "candidates_before": size_before, "teacher_before": teacher_before,
                           "teacher_after": teacher_after, "teacher_share_after_pct": share_pct})

    # the leaflets: groups and a randomised pilot
    groups = pd.DataFrame({"group": pd.Categorical(GROUP_NAMES, categories=GROUP_NAMES),
                           "colour": pd.Categorical(COLOURS, categories=COLOURS),
                           "prospects": np.array([g["prospects"] for g in GROUPS], dtype=np.int64),
                           "cost_per_leaflet": np.array([g["cost"] for g in GROUPS], dtype=float)})
    per = k["pilot_size"] // len(GROUPS)
    pg = np.repeat(np.arange(len(GROUPS)), per)
    leaflet = np.concatenate([rng.permutation(np.arange(per) < per // 2) for _ in GROUPS])
    base = np.array([g["base"] for g in GROUPS])
    uplift = np.array([g["uplift"] for g in GROUPS])
    registered = rng.random(pg.size) < base[pg] + uplift[pg] * leaflet
    pilot = pd.DataFrame({"prospect_id": np.arange(1, pg.size + 1, dtype=np.int64),
                          "group": pd.Categorical.from_codes(pg, categories=GROUP_NAMES),
                          "leaflet": leaflet, "registered": registered})

    cost = groups["cost_per_leaflet"].to_numpy()
    prospects = groups["prospects"].to_numpy()
    best = greedy_allocation(uplift, cost, prospects, k["leaflet_budget"])
    stage_truth = pd.DataFrame({
        "met": [int(met[s].sum()) for s in STAGES],
        "dissatisfied": [int(dissatisfied[s].sum()) for s in STAGES],
    }, index=pd.Index(STAGES, name="stage"))
    stage_truth["share"] = stage_truth["dissatisfied"] / stage_truth["met"].clip(lower=1)
    idx = pd.Index(ids, name="candidate_id")
    truth = {
        "groups": pd.DataFrame({key: [g[key] for g in GROUPS] for key in
                                ("colour", "share", "in_school", "tutoring", "textbooks", "shift", "respond",
                                 "base", "uplift")}, index=pd.Index(GROUP_NAMES, name="group")),
        "stages": stage_truth,
        "worst_stage_by_share": str(stage_truth["share"].idxmax()),
        "worst_stage_by_count": str(stage_truth["dissatisfied"].idxmax()),
        "survey_response_rate": float(resp.mean()),
        "lianyungang_total": lyg_total,
        "notice_effect": float(k["notice_effect"]),
        "city_growth": dict(zip(CITIES, growth.round(6).tolist())),
        "leaflet_uplift": dict(zip(GROUP_NAMES, uplift.tolist())),
        "best_allocation": pd.Series(best, index=pd.Index(GROUP_NAMES, name="group"), name="leaflets"),
        "best_registrations": float(best @ uplift),
        "candidates": pd.DataFrame({f"dissatisfied_{s}": dissatisfied[s] for s in STAGES}, index=idx),
        "p_respond": pd.Series(p_resp, index=pd.Index(ids[sample], name="candidate_id"), name="p_respond"),
    }
    return {"register": register_, "survey": survey, "cities": cities, "groups": groups, "pilot": pilot}, truth
