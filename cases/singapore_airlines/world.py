"""World ``singapore_airlines``: two loyalties — cabin crew and frequent flyers.

The casebook chapter (CRM Q&A compilation (source 0), lines 95–98 and 152–155 (section ㈣)) teaches that
an airline must win two loyalties, of its external customers and of its own employees; CRM Q&A compilation (source 0), line 198
adds that satisfied employees give better service and satisfied customers come back. Public record: Singapore
Airlines runs the KrisFlyer frequent-flyer programme with elite tiers (KrisFlyer, Elite Silver, Elite Gold)
and is known for its cabin-crew training. The five loyalty types (monopoly, inertia, price, incentive, trust;
attachment × repeat purchase) are from CRM article collection (source 3), lines 557–571; the
satisfaction–loyalty curve is British Telecom's (CRM article collection (source 3), line 653: the most dissatisfied 15% look for
alternatives, a flat middle where satisfied customers still leave, the most satisfied 15% very loyal).
Everything else — routes' competition, crews, members, rates, earning table, thresholds — is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.purchases import weeks_to_dates
from crmlab.worlds.mech.surveys import SurveyItem, draw_survey, link_latent
from crmlab.worlds.mech.visits import merge_visits, poisson_visits

START = "2024-01-01"
WEEKS = 52.0
PROMO_WINDOWS = ((10.0, 14.0), (36.0, 40.0))       # two synthetic double-miles promotions of four weeks
PROMO_FRACTION = sum(e - b for b, e in PROMO_WINDOWS) / WEEKS
# Destinations from Singapore: approximate great-circle distance in miles; competitors = 0 marks a route
# the airline serves alone in this synthetic world.
ROUTES = (("KUL", 185, 3), ("SGN", 680, 3), ("CGK", 550, 3), ("BKK", 890, 4), ("DPS", 1040, 3),
          ("MNL", 1490, 2), ("HKG", 1600, 3), ("PVG", 2360, 2), ("PEK", 2780, 2), ("ICN", 2890, 2),
          ("NRT", 3310, 2), ("BOM", 2430, 2), ("DEL", 2570, 2), ("PER", 2430, 0), ("SYD", 3910, 2),
          ("MEL", 3760, 2), ("BNE", 3800, 1), ("AKL", 5220, 0), ("DXB", 3630, 1), ("FRA", 6380, 1),
          ("LHR", 6740, 1), ("CDG", 6670, 1), ("ZRH", 6390, 0), ("SFO", 8450, 1), ("LAX", 8770, 1),
          ("JFK", 9530, 0))
ROUTE_NAMES = tuple(f"SIN-{r}" for r, _, _ in ROUTES)
DISTANCE = np.array([d for _, d, _ in ROUTES], dtype=float)
COMPETITORS = np.array([c for _, _, c in ROUTES], dtype=np.int64)
ROUTE_WEIGHT = 1.0 / np.sqrt(DISTANCE) / (1.0 / np.sqrt(DISTANCE)).sum()
CABINS = {"economy": (0.75, 1.00), "premium_economy": (0.10, 1.10), "business": (0.13, 1.25),
          "first": (0.02, 1.50)}                   # share of flights, elite-mile factor (illustrative)
FARES = {"promo": 0.50, "standard": 1.00, "flexible": 1.25}   # elite-mile factor by fare type (illustrative)
TIERS = ("KrisFlyer", "Elite Silver", "Elite Gold")

# Loyalty types (CRM article collection (source 3), lines 557–571) plus members who are not loyal at all. Per type: share, mean
# attachment (latent attitude), share of the member's air trips flown with the airline, probability a
# flight is on a promo fare, share of flights inside promotion windows, mean years of membership.
TYPES = {
    "trust":     dict(share=0.20, attitude=1.50, sow=0.85, promo=0.10, window=PROMO_FRACTION, tenure=5.0),
    "monopoly":  dict(share=0.10, attitude=-0.50, sow=0.90, promo=0.15, window=PROMO_FRACTION, tenure=5.0),
    "inertia":   dict(share=0.15, attitude=-0.35, sow=0.75, promo=0.15, window=PROMO_FRACTION, tenure=11.0),
    "price":     dict(share=0.15, attitude=-0.35, sow=0.50, promo=0.75, window=PROMO_FRACTION, tenure=4.0),
    "incentive": dict(share=0.15, attitude=-0.35, sow=0.70, promo=0.15, window=0.60, tenure=4.0),
    "none":      dict(share=0.25, attitude=-0.50, sow=0.20, promo=0.25, window=PROMO_FRACTION, tenure=3.0),
}
TYPE_NAMES = tuple(TYPES)
ATTITUDE_SD = 0.5
TRUST_SATISFACTION = 0.8      # trust members are more satisfied (loyal implies satisfied: CRM article collection (source 3), lines 573–647)
TRIPS_PER_YEAR, TRIPS_SHAPE = 10.0, 2.0   # a member's air trips with any airline: Gamma(shape, mean)
SOW_CONCENTRATION = 12.0
MAIN_ROUTE_SHARE = 0.75
CREW_TEAM_SHARE = 0.4          # share of a crew member's satisfaction variance shared with the team
FLIGHT_TEAM_SHARE = 0.3        # share of a flight experience's variance due to the team's service quality
CREW_ITEMS = (SurveyItem("q_engaged", 0.80), SurveyItem("q_supported", 0.75), SurveyItem("q_proud", 0.70))
FLIGHT_ITEMS = (SurveyItem("q_crew", 0.85), SurveyItem("q_overall", 0.75))
SAT_ITEMS = (SurveyItem("sat_overall", 0.90, n_points=11, first=0), SurveyItem("sat_service", 0.85),
             SurveyItem("sat_value", 0.70))
ATT_ITEMS = (SurveyItem("att_attached", 0.85), SurveyItem("att_first_choice", 0.80),
             SurveyItem("att_recommend", 0.75))

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 300, "n_crew_teams": 20, "crew_per_team": 5}

KNOBS = (
    Knob("n_customers", 5_000, int, "frequent-flyer members", 100, 1_000_000, unit="members",
         doc_zh="常旅客计划会员数"),
    Knob("n_crew_teams", 120, int, "cabin-crew teams; each flight is operated by one team", 5, 5_000,
         unit="teams", doc_zh="乘务组数；每个航班由一个乘务组执行"),
    Knob("crew_per_team", 20, int, "crew members per team", 2, 200, unit="crew", doc_zh="每个乘务组的乘务员人数"),
    Knob("employee_effect", 0.6, float, "standardised effect of a crew team's satisfaction on the service "
         "quality passengers experience on its flights", -0.95, 0.95,
         doc_zh="乘务组满意度对其所飞航班上乘客感受到的服务质量的标准化效应"),
    Knob("experience_weight", 0.7, float, "standardised weight of the year's flight experiences in a member's "
         "overall satisfaction", 0.0, 0.99, doc_zh="全年各次航班体验在会员总体满意度中的标准化权重"),
    Knob("silver_threshold", 25_000, int, "elite miles in the year for Elite Silver (KrisFlyer-style tier; "
         "illustrative default)", 1, 10_000_000, unit="miles",
         doc_zh="当年升入银卡（Elite Silver）所需的精英里程（仿KrisFlyer的等级；默认值仅作示意）"),
    Knob("gold_threshold", 50_000, int, "elite miles in the year for Elite Gold; must exceed silver_threshold",
         2, 10_000_000, unit="miles", doc_zh="当年升入金卡（Elite Gold）所需的精英里程；必须高于 silver_threshold"),
    Knob("bt_low_cut", 0.15, float, "satisfaction percentile below which members look for alternatives "
         "(British Telecom: the most dissatisfied 15%)", 0.01, 0.98,
         doc_zh="满意度百分位低于此值的会员会另找出路（英国电信：最不满意的15%）"),
    Knob("bt_high_cut", 0.85, float, "satisfaction percentile above which members are very loyal (BT: the most "
         "satisfied 15%); must exceed bt_low_cut", 0.02, 0.99,
         doc_zh="满意度百分位高于此值的会员非常忠诚（英国电信：最满意的15%）；必须高于 bt_low_cut"),
    Knob("defect_dissatisfied", 0.45, float, "probability of defecting next year below bt_low_cut", 0.0, 1.0,
         doc_zh="满意度低于 bt_low_cut 的会员次年流失的概率"),
    Knob("defect_middle", 0.15, float, "probability of defecting next year in the flat middle", 0.0, 1.0,
         doc_zh="处于中间平坦区的会员次年流失的概率"),
    Knob("defect_delighted", 0.03, float, "probability of defecting next year above bt_high_cut", 0.0, 1.0,
         doc_zh="满意度高于 bt_high_cut 的会员次年流失的概率"),
    Knob("survey_response_rate", 0.4, float, "share of members answering the year-end survey", 0.05, 1.0,
         doc_zh="回答年终会员调查的会员比例"),
    Knob("flight_survey_rate", 0.2, float, "share of flights whose passenger answers the post-flight survey",
         0.01, 1.0, doc_zh="乘客回答航后调查的航班比例"),
)

TABLES = (
    Table("routes", "One row per route flown from Singapore.", (
        Column("route", "category", "route", doc_zh="航线"),
        Column("distance", "int64", "approximate great-circle distance", "miles", doc_zh="近似大圆距离"),
        Column("competitors", "int64", "other airlines flying the route non-stop (synthetic; 0 = none)",
               doc_zh="直飞该航线的其他航空公司数（合成数据；0 = 没有）"),
    ), doc_zh="每条从新加坡出发的航线一行。"),
    Table("crew", "One row per cabin-crew member.", (
        Column("crew_id", "int64", "crew member number", doc_zh="乘务员编号"),
        Column("crew_team", "int64", "team", doc_zh="乘务组"),
        Column("tenure_years", "float64", "years with the airline", "years", doc_zh="在本航空公司的工作年限"),
        Column("left_within_year", "bool", "resigned during the year (employee loyalty)",
               doc_zh="当年内离职（员工忠诚）"),
    ), doc_zh="每名乘务员一行。"),
    Table("crew_survey", "Crew engagement survey, respondents only (5-point Likert).", (
        Column("crew_id", "int64", "crew member", doc_zh="乘务员"),
        Column("crew_team", "int64", "team", doc_zh="乘务组"),
        Column("q_engaged", "int64", "I am engaged in my work", "1-5", doc_zh="我投入自己的工作"),
        Column("q_supported", "int64", "the company supports me", "1-5", doc_zh="公司支持我"),
        Column("q_proud", "int64", "I am proud to serve our passengers", "1-5", doc_zh="我为服务我们的乘客而自豪"),
    ), doc_zh="乘务员敬业度调查，仅含作答者（5级李克特量表）。"),
    Table("members", "One row per frequent-flyer member.", (
        Column("member_id", "int64", "member number", doc_zh="会员编号"),
        Column("joined", "datetime64[ns]", "date of joining the programme", doc_zh="加入常旅客计划的日期"),
        Column("tier", "category", "tier earned with the year's elite miles", doc_zh="凭当年精英里程取得的会员等级"),
        Column("retained", "bool", "still flying with the airline the following year", doc_zh="次年仍乘坐本航空公司"),
    ), doc_zh="每名常旅客会员一行。"),
    Table("flights", "One row per flight segment flown by a member in the year, by member and date.", (
        Column("flight_id", "int64", "segment number", doc_zh="航段编号"),
        Column("member_id", "int64", "member", doc_zh="会员"),
        Column("date", "datetime64[ns]", "date flown", doc_zh="乘机日期"),
        Column("route", "category", "route", doc_zh="航线"),
        Column("crew_team", "int64", "cabin-crew team operating the flight", doc_zh="执行该航班的乘务组"),
        Column("cabin", "category", "cabin class", doc_zh="舱位等级"),
        Column("fare_type", "category", "promo, standard or flexible fare", doc_zh="促销、标准或灵活票价"),
        Column("double_miles", "bool", "flown during a double-miles promotion", doc_zh="在双倍里程促销期内乘坐"),
        Column("miles", "int64", "elite miles earned: distance × cabin factor × fare factor", "miles",
               doc_zh="所得精英里程：距离 × 舱位系数 × 票价系数"),
    ), doc_zh="会员当年乘坐的每个航段一行，按会员和日期排列。"),
    Table("flight_survey", "Post-flight survey, respondents only (5-point Likert).", (
        Column("flight_id", "int64", "segment rated", doc_zh="被评价的航段"),
        Column("crew_team", "int64", "crew team of that flight", doc_zh="该航班的乘务组"),
        Column("q_crew", "int64", "the cabin crew looked after me well", "1-5", doc_zh="乘务员把我照顾得很好"),
        Column("q_overall", "int64", "overall flight experience", "1-5", doc_zh="总体乘机体验"),
    ), doc_zh="航后调查，仅含作答者（5级李克特量表）。"),
    Table("member_survey", "Year-end member survey, respondents only.", (
        Column("member_id", "int64", "member", doc_zh="会员"),
        Column("sat_overall", "int64", "overall satisfaction with the airline", "0-10",
               doc_zh="对本航空公司的总体满意度"),
        Column("sat_service", "int64", "satisfaction with service", "1-5", doc_zh="对服务的满意度"),
        Column("sat_value", "int64", "satisfaction with value for money", "1-5", doc_zh="对性价比的满意度"),
        Column("att_attached", "int64", "I feel attached to this airline", "1-5", doc_zh="我对这家航空公司有感情"),
        Column("att_first_choice", "int64", "it is my first choice whatever the price", "1-5",
               doc_zh="无论价格如何，它都是我的首选"),
        Column("att_recommend", "int64", "I speak well of it to others", "1-5", doc_zh="我会向别人称赞它"),
        Column("sow_reported", "int64", "share of my air trips flown with this airline (rounded to 10)", "%",
               doc_zh="我的航空出行中乘坐本航空公司的比例（取整到10）"),
    ), doc_zh="年终会员调查，仅含作答者。"),
)

DESCRIPTION = f"""
Crew: each of n_crew_teams teams has a latent satisfaction K ~ N(0, 1); a crew member's satisfaction is
link(K, sqrt({CREW_TEAM_SHARE})) (``link_latent``: child = b·parent + sqrt(1−b²)·noise), answered in a
three-item survey; crew resign during the year with P = expit(−1.5 − 0.8·satisfaction) — employee loyalty.

Members have a latent loyalty type — trust, monopoly, inertia, price, incentive (CRM article collection (source 3), lines 557–571)
or none — with shares {', '.join(f"{t} {v['share']:.0%}" for t, v in TYPES.items())}. The type sets the
member's attachment (attitude ~ N(type mean, {ATTITUDE_SD}²)), the share of the member's air trips flown with the
airline (Beta around {', '.join(f"{t} {v['sow']}" for t, v in TYPES.items())}), the chance of a promo fare,
the share of flights in the two double-miles windows (incentive members chase promotions), and tenure
(inertia members are long-standing). Monopoly members' main route is one the airline flies alone.

A member makes Gamma(shape {TRIPS_SHAPE}, mean {TRIPS_PER_YEAR}) air trips a year and flies the airline on a
share of them (Poisson process, mech.visits), {MAIN_ROUTE_SHARE:.0%} on the member's main route. Each flight is
operated by a random crew team; the team's service quality is Q = link(K, employee_effect) and a passenger's
experience of a flight is link(Q_team, sqrt({FLIGHT_TEAM_SHARE})). A member's
overall satisfaction = link(standardised mean experience, experience_weight) + {TRUST_SATISFACTION}·[trust].

Retention follows the British Telecom curve (CRM article collection (source 3), line 653) in the member's satisfaction percentile:
P(defect) = defect_dissatisfied below bt_low_cut, defect_middle in between, defect_delighted above
bt_high_cut. Tiers: elite miles (distance × cabin factor × fare factor) ≥ silver_threshold → Elite Silver,
≥ gold_threshold → Elite Gold. Surveys: post-flight (flight experience), year-end (satisfaction, attachment,
self-reported share of trips).
"""


TYPE_NAMES_ZH = {"trust": "信赖忠诚", "monopoly": "垄断忠诚", "inertia": "惰性忠诚", "price": "价格忠诚",
                 "incentive": "利益忠诚", "none": "不忠诚"}

DESCRIPTION_ZH = f"""
乘务员：n_crew_teams 个乘务组各有一个潜在满意度 K ~ N(0, 1)；乘务员个人的满意度为 \
link(K, sqrt({CREW_TEAM_SHARE}))（``link_latent``：子变量 = b·父变量 + sqrt(1−b²)·噪声），通过三个题项的调查测得；\
乘务员当年离职的概率 P = expit(−1.5 − 0.8·满意度)——这就是员工忠诚。

每名会员有一个潜在的忠诚类型——信赖、垄断、惰性、价格、利益忠诚（《客户关系管理文章选编》（资料3）第557–571行），\
或者不忠诚——各类占比为{'、'.join(f"{TYPE_NAMES_ZH[t]} {v['share']:.0%}" for t, v in TYPES.items())}。类型决定：\
会员的依恋程度（态度 ~ N(类型均值, {ATTITUDE_SD}²)）；会员的航空出行中乘坐本航空公司的比例（Beta分布，均值分别为\
{'、'.join(f"{TYPE_NAMES_ZH[t]} {v['sow']}" for t, v in TYPES.items())}）；购买促销票的概率；落在两个双倍里程促销期内的\
航班比例（利益忠诚的会员追着促销走）；以及会龄（惰性忠诚的会员是老会员）。垄断忠诚会员的主航线是本航空公司独飞的航线。

会员每年的航空出行次数服从 Gamma 分布（形状参数 {TRIPS_SHAPE}，均值 {TRIPS_PER_YEAR}），其中一部分乘坐本航空公司（泊松过程，\
mech.visits），{MAIN_ROUTE_SHARE:.0%} 飞会员自己的主航线。每个航班随机由一个乘务组执行；乘务组的服务质量 \
Q = link(K, employee_effect)，乘客对某次航班的体验为 link(Q_乘务组, sqrt({FLIGHT_TEAM_SHARE}))。会员的总体满意度 = \
link(标准化的平均体验, experience_weight) + {TRUST_SATISFACTION}·[信赖忠诚]。

客户保留遵循英国电信曲线（《客户关系管理文章选编》（资料3）第653行），按会员满意度的百分位：满意度低于 bt_low_cut 时 \
P(流失) = defect_dissatisfied，居中时为 defect_middle，高于 bt_high_cut 时为 defect_delighted。等级：精英里程\
（距离 × 舱位系数 × 票价系数）≥ silver_threshold → 银卡（Elite Silver），≥ gold_threshold → 金卡（Elite Gold）。\
调查：航后调查（航班体验）、年终调查（满意度、依恋、自报的乘坐比例）。
"""


@register("singapore_airlines", title="Singapore Airlines: two loyalties (crew and frequent flyers)",
          title_zh="新加坡航空：两个忠诚度（乘务员与常旅客）", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES)
def build(rng: np.random.Generator, k: dict) -> tuple[dict, dict]:
    """Draw crew, members, flights and surveys; see DESCRIPTION."""
    if k["gold_threshold"] <= k["silver_threshold"]:
        raise ValueError(f"knob 'gold_threshold' of world 'singapore_airlines' must exceed silver_threshold "
                         f"({k['silver_threshold']}), got {k['gold_threshold']}")
    if k["bt_high_cut"] <= k["bt_low_cut"]:
        raise ValueError(f"knob 'bt_high_cut' of world 'singapore_airlines' must exceed bt_low_cut "
                         f"({k['bt_low_cut']}), got {k['bt_high_cut']}")
    # Crew
    n_t = k["n_crew_teams"]
    team_sat = rng.standard_normal(n_t)
    crew_team = np.repeat(np.arange(n_t), k["crew_per_team"])
    crew_sat = link_latent(rng, team_sat[crew_team], np.sqrt(CREW_TEAM_SHARE))
    n_crew = crew_team.size
    crew_id = np.arange(1, n_crew + 1, dtype=np.int64)
    _, left = logit_draw(rng, -1.5 - 0.8 * crew_sat)
    crew = pd.DataFrame({"crew_id": crew_id, "crew_team": crew_team.astype(np.int64) + 1,
                         "tenure_years": np.round(rng.gamma(2.0, 3.0, n_crew), 1), "left_within_year": left == 1})
    cs = draw_survey(rng, crew_sat, CREW_ITEMS, shift=0.3, response_rate=0.7, ids=crew_id, id_name="crew_id")
    crew_survey = cs.responses
    crew_survey.insert(1, "crew_team", crew_team[cs.responded].astype(np.int64) + 1)

    # Members and their loyalty types
    n = k["n_customers"]
    par = {key: np.array([v[key] for v in TYPES.values()]) for key in next(iter(TYPES.values()))}
    ltype = rng.choice(len(TYPES), size=n, p=par["share"])
    attitude = par["attitude"][ltype] + ATTITUDE_SD * rng.standard_normal(n)
    sow = rng.beta(SOW_CONCENTRATION * par["sow"][ltype], SOW_CONCENTRATION * (1 - par["sow"][ltype]))
    tenure = rng.gamma(4.0, par["tenure"][ltype] / 4.0)
    is_mono = ltype == TYPE_NAMES.index("monopoly")
    w_mono = np.where(COMPETITORS == 0, ROUTE_WEIGHT, 0.0)
    main_route = np.where(is_mono, rng.choice(len(ROUTES), size=n, p=w_mono / w_mono.sum()),
                          rng.choice(len(ROUTES), size=n, p=ROUTE_WEIGHT))
    trips = rng.gamma(TRIPS_SHAPE, TRIPS_PER_YEAR / TRIPS_SHAPE, n)
    rate = trips * sow / WEEKS                                   # flights per week with the airline
    share_in = par["window"][ltype]
    open_in = PROMO_FRACTION * WEEKS
    outside = ((0.0, PROMO_WINDOWS[0][0]), (PROMO_WINDOWS[0][1], PROMO_WINDOWS[1][0]), (PROMO_WINDOWS[1][1], WEEKS))
    who, when = merge_visits(poisson_visits(rng, rate * WEEKS * share_in / open_in, PROMO_WINDOWS),
                             poisson_visits(rng, rate * WEEKS * (1 - share_in) / (WEEKS - open_in), outside))
    n_f = who.size

    # Flights
    on_main = rng.random(n_f) < MAIN_ROUTE_SHARE
    route = np.where(on_main, main_route[who], rng.choice(len(ROUTES), size=n_f, p=ROUTE_WEIGHT))
    team = rng.integers(0, n_t, n_f)
    cabin = rng.choice(len(CABINS), size=n_f, p=[share for share, _ in CABINS.values()])
    p_promo = par["promo"][ltype][who]
    fare = np.where(rng.random(n_f) < p_promo, 0, np.where(rng.random(n_f) < 0.7, 1, 2))
    factor = np.array([f for _, f in CABINS.values()])[cabin] * np.array(list(FARES.values()))[fare]
    miles = np.round(DISTANCE[route] * factor).astype(np.int64)
    in_promo = np.zeros(n_f, dtype=bool)
    for b, e in PROMO_WINDOWS:
        in_promo |= (when >= b) & (when < e)
    service = link_latent(rng, team_sat, k["employee_effect"])          # team's passenger service quality
    experience = link_latent(rng, service[team], np.sqrt(FLIGHT_TEAM_SHARE))
    flight_id = np.arange(1, n_f + 1, dtype=np.int64)
    member_id = np.arange(1, n + 1, dtype=np.int64)
    flights = pd.DataFrame({
        "flight_id": flight_id, "member_id": member_id[who], "date": weeks_to_dates(START, when),
        "route": pd.Categorical.from_codes(route, categories=list(ROUTE_NAMES)),
        "crew_team": team.astype(np.int64) + 1,
        "cabin": pd.Categorical.from_codes(cabin, categories=list(CABINS)),
        "fare_type": pd.Categorical.from_codes(fare, categories=list(FARES)),
        "double_miles": in_promo, "miles": miles})
    fs = draw_survey(rng, experience, FLIGHT_ITEMS, shift=0.4, response_rate=k["flight_survey_rate"],
                     ids=flight_id, id_name="flight_id")
    flight_survey = fs.responses
    flight_survey.insert(1, "crew_team", team[fs.responded].astype(np.int64) + 1)

    # Satisfaction, the British Telecom curve, tiers
    n_flown = np.bincount(who, minlength=n)
    mean_exp = np.bincount(who, weights=experience, minlength=n) / np.maximum(n_flown, 1)
    std_exp = np.where(n_flown > 0, mean_exp * np.sqrt(n_flown), rng.standard_normal(n))
    satisfaction = link_latent(rng, std_exp, k["experience_weight"]) + \
        TRUST_SATISFACTION * (ltype == TYPE_NAMES.index("trust"))
    percentile = (np.argsort(np.argsort(satisfaction, kind="stable"), kind="stable") + 0.5) / n
    p_defect = np.where(percentile < k["bt_low_cut"], k["defect_dissatisfied"],
                        np.where(percentile > k["bt_high_cut"], k["defect_delighted"], k["defect_middle"]))
    retained = rng.random(n) >= p_defect
    elite = np.bincount(who, weights=miles, minlength=n).astype(np.int64)
    tier = (elite >= k["silver_threshold"]).astype(np.int64) + (elite >= k["gold_threshold"])
    joined = weeks_to_dates(START, np.zeros(n)) - (np.round(tenure * 365.25).astype(np.int64) * np.timedelta64(1, "D"))
    members = pd.DataFrame({"member_id": member_id, "joined": joined.astype("datetime64[ns]"),
                            "tier": pd.Categorical.from_codes(tier, categories=list(TIERS)), "retained": retained})

    # Year-end survey: satisfaction and attitude items, self-reported share of trips
    sat_std = (satisfaction - satisfaction.mean()) / satisfaction.std()
    respond = rng.random(n) < k["survey_response_rate"]
    ids = member_id[respond]
    sat_part = draw_survey(rng, sat_std[respond], SAT_ITEMS, shift=0.3, ids=ids, id_name="member_id").responses
    att_part = draw_survey(rng, attitude[respond], ATT_ITEMS).responses
    sow_rep = np.clip(np.round((sow[respond] + rng.normal(0, 0.08, ids.size)) * 10) * 10, 0, 100).astype(np.int64)
    member_survey = pd.concat([sat_part, att_part], axis=1)
    member_survey["sow_reported"] = sow_rep

    routes = pd.DataFrame({"route": pd.Categorical(ROUTE_NAMES, categories=list(ROUTE_NAMES)),
                           "distance": DISTANCE.astype(np.int64), "competitors": COMPETITORS})
    truth = {
        "loyalty_type": pd.Series(pd.Categorical.from_codes(ltype, categories=list(TYPE_NAMES)),
                                  index=pd.Index(member_id, name="member_id"), name="loyalty_type"),
        "loyalty_types": {t: dict(v) for t, v in TYPES.items()},
        "employee_effect": k["employee_effect"],
        "experience_weight": k["experience_weight"],
        "trust_satisfaction_shift": TRUST_SATISFACTION,
        "bt_curve": {"low_cut": k["bt_low_cut"], "high_cut": k["bt_high_cut"],
                     "defect_dissatisfied": k["defect_dissatisfied"], "defect_middle": k["defect_middle"],
                     "defect_delighted": k["defect_delighted"]},
        "crew_turnover_logit": {"intercept": -1.5, "satisfaction": -0.8},
        "tier_thresholds": {"Elite Silver": k["silver_threshold"], "Elite Gold": k["gold_threshold"]},
        "promo_windows_weeks": [list(w) for w in PROMO_WINDOWS],
        "flight_team_share": FLIGHT_TEAM_SHARE,
        "team_latent": pd.DataFrame({"crew_satisfaction": team_sat, "service_quality": service},
                                    index=pd.Index(np.arange(1, n_t + 1, dtype=np.int64), name="crew_team")),
        "member_latent": pd.DataFrame({"satisfaction": satisfaction, "percentile": percentile,
                                       "p_defect": p_defect, "attitude": attitude, "share_of_wallet": sow,
                                       "trips_per_year": trips, "main_route": np.asarray(ROUTE_NAMES)[main_route]},
                                      index=pd.Index(member_id, name="member_id")),
        "flight_experience": pd.Series(experience, index=pd.Index(flight_id, name="flight_id"), name="experience"),
    }
    tables = {"routes": routes, "crew": crew, "crew_survey": crew_survey.reset_index(drop=True),
              "members": members, "flights": flights, "flight_survey": flight_survey.reset_index(drop=True),
              "member_survey": member_survey.reset_index(drop=True)}
    return tables, truth
