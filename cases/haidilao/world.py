"""World ``haidilao``: a hotpot chain's service-profit chain — staff satisfaction to revenue.

Calibrated to the course report in Analytical CRM course pack (source 1), lines 2–11: 82 directly operated
restaurants in 21 cities (ten named: Beijing, Shanghai, Xi'an, Zhengzhou, Tianjin, Nanjing, Hangzhou,
Shenzhen, Xiamen, Guangzhou), nearly 20,000 staff (≈244 per store), a "dual satisfaction" assessment of
employees and customers, and core diners of middle-to-high income with middle-to-low income diners coming
occasionally (line 11). Everything else (store sizes, the other eleven cities, spend, rates) is
synthetic. The chain follows Heskett et al. (1994), "Putting the service-profit chain to work", HBR.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import segment_counts
from crmlab.worlds.mech.purchases import gamma_gamma_spend, weeks_to_dates
from crmlab.worlds.mech.surveys import SurveyItem, draw_survey, link_latent
from crmlab.worlds.mech.visits import merge_visits, poisson_visits

# The ten cities the report names, then eleven unnamed ones (placeholders, not Haidilao's actual list).
# Weights for spreading stores over cities are synthetic; every city gets at least one store.
CITIES = (("Beijing", 0.20), ("Shanghai", 0.12), ("Xi'an", 0.08), ("Zhengzhou", 0.07), ("Tianjin", 0.05),
          ("Nanjing", 0.05), ("Hangzhou", 0.04), ("Shenzhen", 0.04), ("Xiamen", 0.03), ("Guangzhou", 0.04)) + \
    tuple((f"City {k}", 0.28 / 11) for k in range(11, 22))
FIRST_TIER = ("Beijing", "Shanghai", "Guangzhou", "Shenzhen")   # the conventional first-tier cities
INCOME_TIERS = ("middle_high", "middle_low")
VISITS_PER_YEAR = {"middle_high": 6.0, "middle_low": 1.5}      # repeat visits at average satisfaction
SPEND_FACTOR = {"middle_high": 1.15, "middle_low": 0.80}       # × the chain-wide spend per head
SPEND_PER_HEAD = 100.0                                         # yuan, chain-wide mean (Gamma-Gamma)
GG_P, GG_Q = 20.0, 12.0                                        # Gamma-Gamma shape parameters
MEAN_SEATS = 180.0
STORE_SHARE = {"staff": 0.40, "diners": 0.35}   # share of individual satisfaction variance between stores
WEEKS = 52.0
START = "2013-01-07"
TENURE_YEARS, TENURE_EFFECT = 2.0, 0.3   # staff tenure ~ Exponential(mean 2·exp(0.3·satisfaction)) years
STAFF_ITEMS = (SurveyItem("q_fair", 0.80), SurveyItem("q_proud", 0.75), SurveyItem("q_growth", 0.70),
               SurveyItem("q_workload", 0.60))
DINER_ITEMS = (SurveyItem("q_taste", 0.60), SurveyItem("q_service", 0.85), SurveyItem("q_environment", 0.60),
               SurveyItem("q_value", 0.65), SurveyItem("recommend", 0.80, n_points=11, first=0))

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 400, "staff_per_store": 6}

KNOBS = (
    Knob("n_customers", 20_000, int, "diners registered with the chain (one home store each)", 100, 2_000_000,
         unit="diners", doc_zh="在连锁店登记的顾客数（每位顾客有一家常去的门店）"),
    Knob("n_stores", 82, int, "restaurants (Analytical CRM course pack (source 1), line 6: 82 in 21 cities); at least one per city", 21, 5_000,
         unit="stores", doc_zh="门店数（《分析型客户关系管理课程资料》（资料1）第6行：21个城市82家）；每个城市至少一家"),
    Knob("staff_per_store", 244, int, "mean staff per store (Analytical CRM course pack (source 1), line 6: nearly 20,000 staff / 82 stores)",
         5, 2_000, unit="staff",
         doc_zh="每家门店的平均员工数（《分析型客户关系管理课程资料》（资料1）第6行：员工近2万人 / 82家门店）"),
    Knob("employee_effect", 0.6, float, "standardised effect of store employee satisfaction on store customer "
         "satisfaction (the first link of the service-profit chain)", -0.95, 0.95,
         doc_zh="门店员工满意度对门店客户满意度的标准化效应（服务利润链的第一环）"),
    Knob("satisfaction_effect", 0.4, float, "log revisit rate per standard deviation of a diner's satisfaction",
         -1.0, 1.5, doc_zh="顾客满意度每提高一个标准差，再次光顾率（取对数）的增量"),
    Knob("size_confounding", 0.5, float, "correlation of store size with *lower* employee satisfaction; big "
         "stores also get more diners, so size confounds satisfaction and revenue", 0.0, 0.95,
         doc_zh="门店规模与*较低*员工满意度的相关系数；大门店的顾客也更多，所以规模同时影响满意度和营收，是混杂因素"),
    Knob("core_share", 0.6, float, "share of middle-to-high income diners outside first-tier cities "
         "(first-tier cities: +0.1)", 0.05, 0.85,
         doc_zh="非一线城市中高收入顾客所占比例（一线城市再加0.1）"),
    Knob("staff_response_rate", 0.8, float, "share of staff answering the satisfaction survey", 0.05, 1.0,
         doc_zh="回答满意度调查的员工比例"),
    Knob("diner_response_rate", 0.3, float, "share of diners answering the survey after their first visit "
         "(at average satisfaction; more satisfied diners answer a little more often)", 0.05, 0.95,
         doc_zh="首次光顾后回答调查的顾客比例（满意度处于平均水平时；越满意的顾客应答略多）"),
)

TABLES = (
    Table("stores", "One row per restaurant.", (
        Column("store_id", "int64", "store number 1..n_stores", doc_zh="门店编号 1..n_stores"),
        Column("city", "category", "city (ten named in Analytical CRM course pack (source 1), line 6; 'City 11'..'City 21' are placeholders)",
               doc_zh="城市（其中十个见《分析型客户关系管理课程资料》（资料1）第6行；'City 11'..'City 21' 是占位名称）"),
        Column("city_tier", "category", "first_tier (Beijing, Shanghai, Guangzhou, Shenzhen) or other",
               doc_zh="first_tier（一线城市：北京、上海、广州、深圳）或 other（其他城市）"),
        Column("seats", "int64", "seats (store size)", "seats", doc_zh="座位数（门店规模）"),
        Column("n_staff", "int64", "staff employed", "staff", doc_zh="在岗员工数"),
    ), doc_zh="每家门店一行。"),
    Table("staff", "One row per employee.", (
        Column("staff_id", "int64", "employee number", doc_zh="员工编号"),
        Column("store_id", "int64", "store the employee works in", doc_zh="员工所在门店"),
        Column("role", "category", "server, kitchen or manager", doc_zh="岗位：server（服务员）、kitchen（后厨）或 manager（管理人员）"),
        Column("tenure_years", "float64", "years with the company (longer for more satisfied staff)", "years",
               doc_zh="在公司工作的年数（越满意的员工留得越久）"),
    ), doc_zh="每位员工一行。"),
    Table("staff_survey", "Employee satisfaction survey, respondents only (5-point Likert, 5 = agree).", (
        Column("staff_id", "int64", "employee number", doc_zh="员工编号"),
        Column("store_id", "int64", "store", doc_zh="门店"),
        Column("q_fair", "int64", "I am treated fairly", "1-5", doc_zh="我受到公平的对待"),
        Column("q_proud", "int64", "I am proud to work here", "1-5", doc_zh="我为在这里工作感到自豪"),
        Column("q_growth", "int64", "I can grow here ('hands change destiny')", "1-5",
               doc_zh="我在这里能够成长（“双手改变命运”）"),
        Column("q_workload", "int64", "my workload is reasonable", "1-5", doc_zh="我的工作量是合理的"),
    ), doc_zh="员工满意度调查，只含应答者（5级李克特量表，5 = 同意）。"),
    Table("diners", "One row per registered diner.", (
        Column("diner_id", "int64", "diner number", doc_zh="顾客编号"),
        Column("store_id", "int64", "home store (all the diner's visits are there)",
               doc_zh="常去的门店（该顾客的每次光顾都在这家店）"),
        Column("income_tier", "category", "middle_high (core) or middle_low (occasional) income",
               doc_zh="收入层次：middle_high（中高收入，核心客户）或 middle_low（中低收入，偶尔光顾）"),
        Column("first_visit", "datetime64[ns]", "date of the first visit in the year", doc_zh="当年首次光顾的日期"),
    ), doc_zh="每位登记顾客一行。"),
    Table("visits", "One row per visit (the first visit and every revisit in the year), by diner and date.", (
        Column("visit_id", "int64", "visit number", doc_zh="光顾编号"),
        Column("diner_id", "int64", "diner", doc_zh="顾客"),
        Column("store_id", "int64", "store", doc_zh="门店"),
        Column("date", "datetime64[ns]", "date of the visit", doc_zh="光顾日期"),
        Column("party_size", "int64", "people at the table", "people", doc_zh="同桌就餐人数"),
        Column("bill", "float64", "amount paid", "yuan", doc_zh="支付金额"),
    ), doc_zh="每次光顾一行（当年的首次光顾和每一次再次光顾），按顾客和日期排列。"),
    Table("diner_survey", "Diner survey after the first visit, respondents only (5-point Likert; recommend 0-10).", (
        Column("diner_id", "int64", "diner", doc_zh="顾客"),
        Column("store_id", "int64", "store visited", doc_zh="光顾的门店"),
        Column("date", "datetime64[ns]", "date of the visit rated", doc_zh="被评价的那次光顾的日期"),
        Column("q_taste", "int64", "the food tasted good", "1-5", doc_zh="菜品好吃"),
        Column("q_service", "int64", "the service was attentive and personal", "1-5", doc_zh="服务周到、有个性"),
        Column("q_environment", "int64", "the restaurant was pleasant", "1-5", doc_zh="餐厅环境舒适"),
        Column("q_value", "int64", "the meal was worth the price", "1-5", doc_zh="这顿饭物有所值"),
        Column("recommend", "int64", "how likely to recommend the restaurant", "0-10", doc_zh="向他人推荐这家餐厅的可能性"),
    ), doc_zh="顾客在首次光顾后填写的调查，只含应答者（5级李克特量表；推荐意愿0–10分）。"),
)

DESCRIPTION = f"""
Stores sit in 21 cities (every city has a store, the rest spread by fixed synthetic weights). Each store
has a size ``z`` ~ N(0, 1) (seats = {MEAN_SEATS:.0f}·exp(0.3·z)) and staff in proportion to its seats.

The service-profit chain, on standardised latent scales (``link_latent``: child = b·parent + sqrt(1−b²)·noise):

1. store employee satisfaction E = link(−z, size_confounding): big, busy stores have less satisfied staff;
2. store customer satisfaction C = link(E, employee_effect): staff satisfaction carries over to diners;
3. an employee's satisfaction = link(E, sqrt({STORE_SHARE['staff']})),
   a diner's = link(C, sqrt({STORE_SHARE['diners']}));
4. a diner's revisit rate = base(income tier)·exp(satisfaction_effect·s − satisfaction_effect²/2) per year,
   base {VISITS_PER_YEAR['middle_high']:g} a year for middle-to-high income diners (the core) and
   {VISITS_PER_YEAR['middle_low']:g} for middle-to-low income diners (they come occasionally);
5. revenue = Σ bills: party size 1 + Poisson(2.2) × spend per head (Gamma-Gamma, mean {SPEND_PER_HEAD:.0f} yuan,
   × {SPEND_FACTOR['middle_high']:g} for middle-to-high and × {SPEND_FACTOR['middle_low']:g} for middle-to-low
   income).

Confounding a naive analysis should notice: diners are spread over stores in proportion to seats (×1.5 in
first-tier cities, where the share of middle-to-high income diners is also 0.1 higher), so big stores earn
more although their staff are less satisfied; compare revenue per diner, or control for seats and city tier.

Each diner makes a first visit at a uniform time in the first 26 weeks of {START[:4]} and revisits as a
Poisson process until week 52. Staff answer four Likert items; diners answer four Likert items and a 0–10
recommend question after their first visit (ordered-probit items with the loadings in the truth;
non-response: more satisfied diners answer slightly more often).
"""


DESCRIPTION_ZH = f"""
门店分布在21个城市（每个城市至少一家，其余门店按固定的合成权重分配）。每家门店有一个规模变量 ``z`` ~ N(0, 1)
（座位数 = {MEAN_SEATS:.0f}·exp(0.3·z)），员工人数与座位数成正比。

服务利润链建立在标准化的潜变量尺度上（``link_latent``：子变量 = b·父变量 + sqrt(1−b²)·噪声）：

1. 门店员工满意度 E = link(−z, size_confounding)：规模大、客流多的门店，员工满意度较低；
2. 门店客户满意度 C = link(E, employee_effect)：员工的满意传递给顾客；
3. 每位员工的满意度 = link(E, sqrt({STORE_SHARE['staff']}))，
   每位顾客的满意度 = link(C, sqrt({STORE_SHARE['diners']}))；
4. 顾客的再次光顾率 = 基准率(收入层次)·exp(satisfaction_effect·s − satisfaction_effect²/2) 次/年，
   中高收入顾客（核心客户）的基准为每年 {VISITS_PER_YEAR['middle_high']:g} 次，
   中低收入顾客（偶尔光顾）为每年 {VISITS_PER_YEAR['middle_low']:g} 次；
5. 营收 = 全部账单之和：每桌人数 1 + Poisson(2.2) × 人均消费（Gamma-Gamma 模型，均值 {SPEND_PER_HEAD:.0f} 元，
   中高收入顾客 × {SPEND_FACTOR['middle_high']:g}，中低收入顾客 × {SPEND_FACTOR['middle_low']:g}）。

朴素的分析应当注意的混杂：顾客按座位数分配到各门店（一线城市再乘以1.5，那里中高收入顾客的比例也高0.1），
所以大门店的员工虽然不那么满意，营收却更多；应比较每位顾客带来的营收，或控制座位数和城市级别。

每位顾客在 {START[:4]} 年前26周内的一个均匀随机时刻首次光顾，此后按泊松过程再次光顾，直到第52周为止。
员工回答四道李克特量表题；顾客在首次光顾后回答四道李克特量表题和一道0–10分的推荐意愿题
（有序 probit 题项，因子载荷见预设真值；无应答：越满意的顾客应答略多）。
"""


def _allocate_stores(n_stores: int) -> np.ndarray:
    weights = np.array([w for _, w in CITIES])
    return np.repeat(np.arange(len(CITIES)), 1 + segment_counts(n_stores - len(CITIES), weights))


# version 2: spend per visit comes from numerical inversion (mech.sampling): same distribution, different
# numbers per seed
@register("haidilao", title="Haidilao: the two satisfactions (service-profit chain)", description=DESCRIPTION,
          title_zh="海底捞：两个满意度（服务利润链）", description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="2")
def build(rng: np.random.Generator, k: dict) -> tuple[dict, dict]:
    """Draw stores, staff, diners, visits and both surveys; see DESCRIPTION."""
    names = [c for c, _ in CITIES]
    # Stores
    n_s = k["n_stores"]
    city = _allocate_stores(n_s)
    first_tier = np.isin(np.asarray(names)[city], FIRST_TIER)
    size_z = rng.standard_normal(n_s)
    seats = np.round(MEAN_SEATS * np.exp(0.3 * size_z)).astype(np.int64)
    n_staff = np.maximum(1, np.round(k["staff_per_store"] * seats / seats.mean())).astype(np.int64)
    emp_sat = link_latent(rng, -size_z, k["size_confounding"])
    cust_sat = link_latent(rng, emp_sat, k["employee_effect"])
    store_id = np.arange(1, n_s + 1, dtype=np.int64)
    stores = pd.DataFrame({
        "store_id": store_id,
        "city": pd.Categorical.from_codes(city, categories=names),
        "city_tier": pd.Categorical(np.where(first_tier, "first_tier", "other"), categories=["first_tier", "other"]),
        "seats": seats, "n_staff": n_staff})

    # Staff and their survey
    staff_store = np.repeat(np.arange(n_s), n_staff)
    staff_sat = link_latent(rng, emp_sat[staff_store], np.sqrt(STORE_SHARE["staff"]))
    n_e = staff_store.size
    staff_id = np.arange(1, n_e + 1, dtype=np.int64)
    role = rng.choice(3, size=n_e, p=[0.6, 0.3, 0.1])
    tenure = np.round(rng.exponential(TENURE_YEARS * np.exp(TENURE_EFFECT * staff_sat)), 1)
    staff = pd.DataFrame({"staff_id": staff_id, "store_id": store_id[staff_store],
                          "role": pd.Categorical.from_codes(role, categories=["server", "kitchen", "manager"]),
                          "tenure_years": tenure})
    s = draw_survey(rng, staff_sat, STAFF_ITEMS, shift=0.3, response_rate=k["staff_response_rate"],
                    ids=staff_id, id_name="staff_id")
    s_survey = s.responses
    s_survey.insert(1, "store_id", store_id[staff_store][s.responded])

    # Diners
    n_c = k["n_customers"]
    pull = seats * np.where(first_tier, 1.5, 1.0)
    home = rng.choice(n_s, size=n_c, p=pull / pull.sum())
    p_core = np.where(first_tier, k["core_share"] + 0.1, k["core_share"])
    core = rng.random(n_c) < p_core[home]
    tier = np.where(core, 0, 1)
    sat = link_latent(rng, cust_sat[home], np.sqrt(STORE_SHARE["diners"]))
    base = np.array([VISITS_PER_YEAR[t] for t in INCOME_TIERS])[tier]
    theta = k["satisfaction_effect"]
    rate = base * np.exp(theta * sat - theta ** 2 / 2) / WEEKS
    birth = rng.uniform(0.0, WEEKS / 2, n_c)
    diner_id = np.arange(1, n_c + 1, dtype=np.int64)
    first_date = weeks_to_dates(START, birth)
    diners = pd.DataFrame({"diner_id": diner_id, "store_id": store_id[home],
                           "income_tier": pd.Categorical.from_codes(tier, categories=list(INCOME_TIERS)),
                           "first_visit": first_date})

    # Visits: the first one, then Poisson revisits until the end of the year
    who, when = merge_visits((np.arange(n_c), birth), poisson_visits(rng, rate, [(0.0, WEEKS)], start=birth))
    party = 1 + rng.poisson(2.2, who.size)
    gg = gamma_gamma_spend(rng, who, GG_P, GG_Q, SPEND_PER_HEAD * (GG_Q - 1) / GG_P, n_customers=n_c)
    factor = np.array([SPEND_FACTOR[t] for t in INCOME_TIERS])[tier]
    bill = np.round(gg.amount * factor[who] * party, 2)
    visits = pd.DataFrame({"visit_id": np.arange(1, who.size + 1, dtype=np.int64), "diner_id": diner_id[who],
                           "store_id": store_id[home][who], "date": weeks_to_dates(START, when),
                           "party_size": party.astype(np.int64), "bill": bill.astype(np.float64)})

    d = draw_survey(rng, sat, DINER_ITEMS, shift=0.4, response_rate=k["diner_response_rate"], response_slope=0.3,
                    ids=diner_id, id_name="diner_id")
    d_survey = d.responses
    d_survey.insert(1, "store_id", store_id[home][d.responded])
    d_survey.insert(2, "date", first_date[d.responded])

    truth = {
        "links": {"employee_effect": k["employee_effect"], "satisfaction_effect": theta,
                  "size_confounding": k["size_confounding"]},
        "visits_per_year": dict(VISITS_PER_YEAR),
        "spend_per_head": {t: SPEND_PER_HEAD * SPEND_FACTOR[t] for t in INCOME_TIERS},
        "core_share": {"first_tier": k["core_share"] + 0.1, "other": k["core_share"]},
        "store_share_of_variance": dict(STORE_SHARE),
        "staff_tenure": {"mean_years_at_average_satisfaction": TENURE_YEARS, "log_effect": TENURE_EFFECT},
        "loadings": {"staff_survey": {i.name: i.loading for i in STAFF_ITEMS},
                     "diner_survey": {i.name: i.loading for i in DINER_ITEMS}},
        "store_latent": pd.DataFrame({"size_z": size_z, "employee_satisfaction": emp_sat,
                                      "customer_satisfaction": cust_sat}, index=pd.Index(store_id, name="store_id")),
        "staff_satisfaction": pd.Series(staff_sat, index=pd.Index(staff_id, name="staff_id"), name="satisfaction"),
        "diner_latent": pd.DataFrame({"satisfaction": sat, "visits_per_week": rate,
                                      "mean_spend_per_head": gg.mean_spend * factor,
                                      "response_prob": d.response_prob}, index=pd.Index(diner_id, name="diner_id")),
    }
    tables = {"stores": stores, "staff": staff, "staff_survey": s_survey.reset_index(drop=True), "diners": diners,
              "visits": visits, "diner_survey": d_survey.reset_index(drop=True)}
    return tables, truth
