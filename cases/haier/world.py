"""Haier: after-sales service control rates, 24-hour on-site service and channel customers (synthetic world).

Service centres in 30+ cities receive service requests month by month. Each request goes through the
"four no-misses" funnel (record, handle, re-check, feed back to design and production) with planted
leakage per stage; handled requests get an on-site visit whose time is measured against the 24-hour
promise. The three control rates - complaint rate, omission rate (requests recorded but not handled),
dissatisfaction rate (among re-checked requests) - have planted per-city levels, and one or two
city-months go out of control for a p-chart to flag. A second table holds Haier's channel customers by
type and regional trading company.

Sources: CRM article collection (source 3), lines 467–487 (telephone service centres in 30+ cities, 500+
service outlets; 24-hour service; the 1-2-3-4 after-sales model: three control rates and four
no-misses); Analytical CRM course pack (source 1), lines 170–185 (five kinds of channel customer; exclusive
stores and department stores each about 1/3 of sales; domestic chains growing fast; key-account staff in
42 regional trading companies). The p-chart is Shewhart's (Montgomery, "Introduction to Statistical
Quality Control", ch. 7). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments, make_ids
from crmlab.worlds.mech.tickets import TicketCategory, draw_arrivals, draw_funnel, draw_tickets, expected_breach_rate

START = "2023-01-01"
CITIES = ("Qingdao", "Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Tianjin", "Chongqing", "Chengdu",
          "Wuhan", "Nanjing", "Hangzhou", "Xi'an", "Zhengzhou", "Jinan", "Shenyang", "Dalian", "Harbin",
          "Changchun", "Shijiazhuang", "Taiyuan", "Hefei", "Fuzhou", "Xiamen", "Nanchang", "Changsha",
          "Nanning", "Kunming", "Guiyang", "Lanzhou", "Urumqi", "Hohhot", "Yinchuan", "Xining", "Haikou",
          "Lhasa", "Ningbo", "Suzhou", "Wuxi", "Yantai", "Weifang")
REQUEST_TYPES = (  # (name, share, route, median hours from visit to completion, escalation p)
    ("installation", 0.40, "on-site", 2.0, 0.02),
    ("repair", 0.35, "on-site", 6.0, 0.08),
    ("maintenance", 0.15, "on-site", 3.0, 0.03),
    ("relocation", 0.10, "on-site", 4.0, 0.04),
)
PRODUCTS = ("refrigerator", "washing machine", "air conditioner", "water heater", "television")
PRODUCT_SHARES = (0.28, 0.27, 0.25, 0.12, 0.08)
STAGES = ("record", "handle", "recheck", "feed_back")
ONSITE_SIGMA = 0.7
# Extra log-odds: a complaint is likelier when the request was not handled or the visit was late;
# dissatisfaction likelier after a late visit.
COMPLAINT_EFFECT = {"omitted": 2.0, "late": 0.8}
DISSATISFIED_EFFECT = {"late": 1.0}

CHANNEL_TYPES = [  # share of customers, share of sales, mean yearly growth
    ("multinational chain", 0.03, 0.10, 0.08),
    ("domestic chain", 0.07, 0.16, 0.35),
    ("department store", 0.12, 1 / 3, 0.02),
    ("exclusive store", 0.45, 1 / 3, 0.06),
    ("specialty store", 0.33, 1 - 0.10 - 0.16 - 2 / 3, -0.03),
]

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"months": 6, "requests_per_city_month": 12.0, "n_channel_customers": 300}
KNOBS = [
    Knob("n_cities", 32, int, "cities with a telephone service centre (Haier: 30+)", low=2, high=len(CITIES),
         doc_zh="设有电话服务中心的城市数（海尔：三十多个）"),
    Knob("months", 12, int, "months of service requests", low=2, high=60, unit="months", doc_zh="服务请求的月数"),
    Knob("requests_per_city_month", 150.0, float, "mean service requests per city and month (cities differ "
         "in size around it)", low=5.0, high=20_000.0,
         doc_zh="每个城市每月的平均服务请求数（各城市的规模围绕它上下变动）"),
    Knob("complaint_rate", 0.03, float, "typical per-city service complaint rate (baseline log-odds)",
         low=0.001, high=0.5, doc_zh="城市服务投诉率的典型水平（基准对数几率）"),
    Knob("omission_rate", 0.03, float, "typical per-city omission rate: recorded requests not handled",
         low=0.001, high=0.5, doc_zh="城市服务遗漏率的典型水平：已记录却未处理的请求所占比例"),
    Knob("dissatisfaction_rate", 0.06, float, "typical per-city dissatisfaction rate among re-checked "
         "requests", low=0.001, high=0.5, doc_zh="城市服务不满率的典型水平：在已复查的请求中计算"),
    Knob("city_spread", 0.3, float, "spread of the three rates across cities (sd of log-odds)", low=0.0, high=2.0,
         doc_zh="三个比率在城市之间的离散程度（对数几率的标准差）"),
    Knob("n_out_of_control", 2, int, "city-months in which the process goes out of control", low=0, high=20,
         doc_zh="服务过程失控的“城市-月”个数"),
    Knob("out_of_control_odds", 4.0, float, "odds ratio of all three rates in an out-of-control city-month",
         low=1.0, high=50.0, doc_zh="失控的“城市-月”中三个比率的几率比（odds ratio）"),
    Knob("onsite_median_hours", 9.0, float, "median hours from request to technician on site", low=0.5,
         high=240.0, unit="hours", doc_zh="从报修到技术人员上门的时间中位数"),
    Knob("leak_record", 0.02, float, "share of requests never recorded in the service archive", low=0.0, high=1.0,
         doc_zh="从未记入服务档案的请求所占比例"),
    Knob("leak_recheck", 0.08, float, "share of handled requests never re-checked with the customer", low=0.0,
         high=1.0, doc_zh="已处理、却从未向用户复查（回访）的请求所占比例"),
    Knob("leak_feed_back", 0.15, float, "share of re-checked requests whose result never reaches design, "
         "production and sales", low=0.0, high=1.0,
         doc_zh="已复查、但处理结果从未反馈到设计、生产和经营部门的请求所占比例"),
    Knob("n_channel_customers", 1200, int, "retailers selling Haier products", low=10, high=1_000_000,
         doc_zh="销售海尔产品的零售商（渠道客户）数"),
    Knob("n_trading_companies", 42, int, "regional trading companies (Haier: 42)", low=1, high=500,
         doc_zh="地区工贸公司数（海尔：42个）"),
]

C = Column
TABLES = [
    Table("cities", "One row per city with a telephone service centre.", (
        C("city", "category", "city", doc_zh="城市"),
        C("service_outlets", "int64", "computerised service outlets in the city", doc_zh="该城市的电脑服务网点数"),
    ), doc_zh="每个设有电话服务中心的城市一行。"),
    Table("service_requests", "One row per customer service request (one phone call to a service centre).", (
        C("request_id", "int64", "request id", doc_zh="请求编号"),
        C("city", "category", "city of the service centre", doc_zh="服务中心所在城市"),
        C("month", "datetime64[ns]", "first day of the month of the request", doc_zh="请求所在月份的第一天"),
        C("opened_at", "datetime64[ns]", "when the customer called", doc_zh="用户来电的时间"),
        C("product", "category", "appliance", doc_zh="家电产品：refrigerator（冰箱）、washing machine（洗衣机）、"
                                                     "air conditioner（空调）、water heater（热水器）、television（电视）"),
        C("request_type", "category", "installation, repair, maintenance or relocation",
          doc_zh="请求类型：installation（安装）、repair（维修）、maintenance（保养）或 relocation（移机）"),
        C("recorded", "bool", "no-miss 1: the problem was recorded in the service archive",
          doc_zh="第一个不漏：问题已记入服务档案"),
        C("handled", "bool", "no-miss 2: the problem was handled (False = an omission)",
          doc_zh="第二个不漏：问题已处理（False 即一次遗漏）"),
        C("rechecked", "bool", "no-miss 3: the result was re-checked with the customer (return visit)",
          doc_zh="第三个不漏：处理结果已向用户复查（回访）"),
        C("fed_back", "bool", "no-miss 4: the result was fed back to design, production and sales",
          doc_zh="第四个不漏：处理结果已反馈到设计、生产和经营部门"),
        C("onsite_hours", "float64", "hours from the call to the technician on site (NaN if not handled)",
          "hours", doc_zh="从来电到技术人员上门的小时数（未处理则为 NaN）"),
        C("within_24h", "bool", "technician on site within 24 hours", doc_zh="技术人员在24小时内上门"),
        C("escalated", "bool", "passed to the regional trading company", doc_zh="已升级到地区工贸公司处理"),
        C("complaint", "bool", "the customer filed a service complaint", doc_zh="用户提出了服务投诉"),
        C("dissatisfied", "boolean", "dissatisfied at the return visit (missing if not re-checked)",
          doc_zh="回访时表示不满意（未复查则缺失）"),
    ), doc_zh="每个用户服务请求一行（即打给服务中心的一次电话）。"),
    Table("channel_customers", "One row per retailer (channel customer) of Haier appliances.", (
        C("customer_id", "int64", "channel customer id", doc_zh="渠道客户编号"),
        C("channel_type", "category", "multinational chain, domestic chain, department store, exclusive "
                                      "store or specialty store",
          doc_zh="渠道类型：multinational chain（跨国连锁）、domestic chain（本土连锁）、department store（大商场）、"
                 "exclusive store（加盟专卖店）或 specialty store（专营店）"),
        C("trading_company", "category", "regional trading company serving the customer",
          doc_zh="为该客户服务的地区工贸公司"),
        C("sales_last_year", "float64", "sales through this customer last year", "CNY 10k",
          doc_zh="上一年经由该客户实现的销售额"),
        C("sales_this_year", "float64", "sales through this customer this year", "CNY 10k",
          doc_zh="本年经由该客户实现的销售额"),
    ), doc_zh="海尔家电的每个零售商（渠道客户）一行。"),
]

DESCRIPTION = """
Cities: the first `n_cities` of a list of Chinese cities (Qingdao first); each city's size is
LogNormal(0, 0.5) around `requests_per_city_month`, and service outlets are proportional to size.
Requests arrive as a Poisson process per city (crmlab.worlds.mech.tickets.draw_arrivals) over
`months` months starting 2023-01; request type shares 40/35/15/10% (installation, repair, maintenance,
relocation); product shares 28/27/25/12/8% (refrigerator, washing machine, air conditioner, water
heater, television).

Per city the three control rates have baseline log-odds logit(rate knob) + N(0, city_spread)
(`truth['cities']`). `n_out_of_control` city-months, chosen at random, multiply the odds of all
three by `out_of_control_odds` (`truth['out_of_control']`).

The four no-misses (crmlab.worlds.mech.tickets.draw_funnel): recorded with probability 1 - leak_record;
handled given recorded with probability 1 - omission (the city-month omission rate); re-checked given
handled with 1 - leak_recheck; fed back given re-checked with 1 - leak_feed_back. Unrecorded requests
are never handled. On-site time ~ LogNormal(log(onsite_median_hours x city factor), 0.7), city factor
LogNormal(0, 0.25); within_24h is on-site time <= 24 h (`truth['expected_within_24h_handled']`, among handled requests).

Complaint: log-odds = city complaint log-odds (+ log out_of_control_odds) + 2.0 x not handled + 0.8 x
late (on site after 24 h). Dissatisfied (only observed when re-checked): city log-odds (+ shift) + 1.0 x
late. `truth['expected_rates']` gives, per city-month, the mean model probability of each rate, the
centre a p-chart should find.

Channel customers: five types with customer shares 3/7/12/45/33% and planted sales shares 10/16/33.3/
33.3/7.3% (exclusive stores and department stores about 1/3 each); yearly growth by type
8/35/2/6/-3% (domestic chains growing fast) plus N(0, 0.1) per customer; each customer is served by one
of `n_trading_companies` regional trading companies at random.
"""


DESCRIPTION_ZH = """
城市：取一份中国城市名单的前 `n_cities` 个（青岛排第一）；每个城市的规模是围绕 `requests_per_city_month` 的 LogNormal(0, 0.5) 倍数，服务网点数与规模成正比。服务请求在每个城市按泊松过程到达（crmlab.worlds.mech.tickets.draw_arrivals），从2023年1月起共 `months` 个月；请求类型的占比为 40/35/15/10%（安装、维修、保养、移机）；产品占比为 28/27/25/12/8%（冰箱、洗衣机、空调、热水器、电视）。

每个城市的三个控制率有各自的基准对数几率 logit(对应比率参数) + N(0, city_spread)（`truth['cities']`）。随机选出 `n_out_of_control` 个“城市-月”，把这三个比率的几率（odds）都乘以 `out_of_control_odds`（`truth['out_of_control']`）。

四个不漏（crmlab.worlds.mech.tickets.draw_funnel）：以 1 − leak_record 的概率被记录；已记录的请求以 1 − 遗漏率（该“城市-月”的遗漏率）的概率被处理；已处理的请求以 1 − leak_recheck 的概率被复查；已复查的请求以 1 − leak_feed_back 的概率被反馈。未记录的请求一定不会被处理。上门时间 ~ LogNormal(log(onsite_median_hours × 城市系数), 0.7)，城市系数 ~ LogNormal(0, 0.25)；within_24h 即上门时间 ≤ 24 小时（`truth['expected_within_24h_handled']`，在已处理的请求中计算）。

投诉：对数几率 = 城市的投诉对数几率（+ log out_of_control_odds）+ 2.0 × 未处理 + 0.8 × 迟到（上门超过24小时）。不满意（只有复查时才能观测到）：城市的对数几率（+ 失控偏移）+ 1.0 × 迟到。`truth['expected_rates']` 给出每个“城市-月”各比率的模型概率均值，也就是 p 控制图应当找到的中心。

渠道客户：五种类型，客户数占比为 3/7/12/45/33%，预设的销售额占比为 10/16/33.3/33.3/7.3%（加盟专卖店和大商场各占约三分之一）；各类型的年增长率为 8/35/2/6/−3%（本土连锁增长很快），每个客户再加上 N(0, 0.1)；每个客户随机由 `n_trading_companies` 个地区工贸公司中的一个服务。
"""


def _channel_segments() -> list[dict]:
    return [{"name": name, "share": cs,
             "sales": {"dist": "lognormal", "mean": 1.0, "sd": 1.5},
             "growth": {"dist": "normal", "mean": g, "sd": 0.10}}
            for name, cs, _, g in CHANNEL_TYPES]


@register("haier", title="Haier: after-sales control rates, 24-hour service and channel customers",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, title_zh="海尔：售后服务控制率、24小时服务与渠道客户",
          description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    nc, months = k["n_cities"], k["months"]
    cities = np.array(CITIES[:nc], dtype=object)
    size = np.exp(0.5 * rng.standard_normal(nc))
    speed = np.exp(0.25 * rng.standard_normal(nc))
    base = {r: logit(k[f"{r}_rate"]) + k["city_spread"] * rng.standard_normal(nc)
            for r in ("complaint", "omission", "dissatisfaction")}
    shift = np.zeros((nc, months))
    ooc = rng.choice(nc * months, size=min(k["n_out_of_control"], nc * months), replace=False)
    shift.flat[ooc] = np.log(k["out_of_control_odds"])

    # Arrivals over calendar days; the month of each request from the calendar.
    start = pd.Timestamp(START)
    days = (start + pd.DateOffset(months=months) - start).days
    city, day = draw_arrivals(rng, k["requests_per_city_month"] * size * months / days, days)
    opened = np.datetime64(START, "ns") + np.floor(day * 86400).astype("timedelta64[s]").astype("timedelta64[ns]")
    month_start = opened.astype("datetime64[M]")
    mi = (month_start - np.datetime64(START, "M")).astype(np.int64)
    n = city.size
    sh = shift[city, mi]

    cats = [TicketCategory(name, share, route, med, esc) for name, share, route, med, esc in REQUEST_TYPES]
    onsite_med = k["onsite_median_hours"] * speed[city]
    t = draw_tickets(rng, cats, response_median_hours=onsite_med, response_sigma=ONSITE_SIGMA,
                     sla_hours=24.0)
    omission = expit(base["omission"][city] + sh)
    passed = draw_funnel(rng, np.column_stack([np.full(n, k["leak_record"]), omission,
                                               np.full(n, k["leak_recheck"]), np.full(n, k["leak_feed_back"])]))
    handled = passed[:, 1]
    late = t["sla_breached"].to_numpy() & handled
    p_comp, complaint = logit_draw(rng, base["complaint"][city] + sh + COMPLAINT_EFFECT["omitted"] * ~handled
                                   + COMPLAINT_EFFECT["late"] * late)
    p_dis, dis = logit_draw(rng, base["dissatisfaction"][city] + sh + DISSATISFIED_EFFECT["late"] * late)
    product = rng.choice(len(PRODUCTS), size=n, p=np.asarray(PRODUCT_SHARES))

    requests = pd.DataFrame({
        "request_id": np.arange(1, n + 1, dtype=np.int64),
        "city": pd.Categorical.from_codes(city.astype(np.int32), categories=list(cities)),
        "month": month_start.astype("datetime64[ns]"),
        "opened_at": opened,
        "product": pd.Categorical.from_codes(product.astype(np.int32), categories=PRODUCTS),
        "request_type": t["category"].array,
        "recorded": passed[:, 0],
        "handled": handled,
        "rechecked": passed[:, 2],
        "fed_back": passed[:, 3],
        "onsite_hours": np.where(handled, t["response_hours"].to_numpy(), np.nan),
        "within_24h": handled & ~t["sla_breached"].to_numpy(),
        "escalated": t["escalated"].to_numpy() & handled,
        "complaint": complaint.astype(bool),
        "dissatisfied": pd.arrays.BooleanArray(dis.astype(bool), ~passed[:, 2]),
    })

    # Expected control rates per city-month: mean model probability over that cell's requests.
    cell = pd.DataFrame({"city": requests["city"], "month": requests["month"], "complaint": p_comp,
                         "omission": np.where(passed[:, 0], omission, np.nan),
                         "dissatisfaction": np.where(passed[:, 2], p_dis, np.nan)})
    expected_rates = cell.groupby(["city", "month"], observed=True).mean()
    ooc_cells = [{"city": str(cities[i // months]), "month": str((np.datetime64(START, "M") + i % months))}
                 for i in sorted(ooc)]

    pop = draw_segments(rng, k["n_channel_customers"], _channel_segments())
    ctype = pop["segment"].cat.codes.to_numpy()
    raw = pop["sales"].to_numpy()
    type_total = np.bincount(ctype, weights=raw, minlength=len(CHANNEL_TYPES))
    sales_share = np.array([s for _, _, s, _ in CHANNEL_TYPES])
    total_sales = 50.0 * k["n_channel_customers"]          # CNY 10k: about 500k CNY per retailer
    last = raw * (total_sales * sales_share / np.where(type_total > 0, type_total, 1.0))[ctype]
    growth = pop["growth"].to_numpy()
    tcs = make_ids("TC", k["n_trading_companies"], width=2)
    channel_customers = pd.DataFrame({
        "customer_id": np.arange(1, k["n_channel_customers"] + 1, dtype=np.int64),
        "channel_type": pop["segment"],
        "trading_company": pd.Categorical.from_codes(
            rng.integers(0, k["n_trading_companies"], k["n_channel_customers"]).astype(np.int32), categories=tcs),
        "sales_last_year": last.round(2),
        "sales_this_year": (last * (1 + growth)).clip(min=0).round(2),
    })

    truth = {
        "cities": pd.DataFrame({**{f"{r}_rate": expit(v) for r, v in base.items()},
                                "onsite_median_hours": k["onsite_median_hours"] * speed},
                               index=pd.Index(cities, name="city")),
        "out_of_control": ooc_cells,
        "out_of_control_odds": k["out_of_control_odds"],
        "expected_rates": expected_rates,
        "funnel_leakage": dict(zip(STAGES, (k["leak_record"], "city-month omission rate", k["leak_recheck"],
                                            k["leak_feed_back"]))),
        "request_type_shares": {c.name: c.share for c in cats},
        "expected_within_24h_handled": float(1 - expected_breach_rate(onsite_med, ONSITE_SIGMA, 24.0)),
        "complaint_effect": dict(COMPLAINT_EFFECT),
        "dissatisfied_effect": dict(DISSATISFIED_EFFECT),
        "channel_sales_shares": {name: s for name, _, s, _ in CHANNEL_TYPES},
        "channel_growth": {name: g for name, _, _, g in CHANNEL_TYPES},
    }
    cities_df = pd.DataFrame({"city": pd.Categorical(cities, categories=list(cities)),
                              "service_outlets": np.maximum(3, np.round(16 * size)).astype(np.int64)})
    return {"cities": cities_df, "service_requests": requests, "channel_customers": channel_customers}, truth
