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
    Knob("n_cities", 32, int, "cities with a telephone service centre (Haier: 30+)", low=2, high=len(CITIES)),
    Knob("months", 12, int, "months of service requests", low=2, high=60, unit="months"),
    Knob("requests_per_city_month", 150.0, float, "mean service requests per city and month (cities differ "
         "in size around it)", low=5.0, high=20_000.0),
    Knob("complaint_rate", 0.03, float, "typical per-city service complaint rate (baseline log-odds)",
         low=0.001, high=0.5),
    Knob("omission_rate", 0.03, float, "typical per-city omission rate: recorded requests not handled",
         low=0.001, high=0.5),
    Knob("dissatisfaction_rate", 0.06, float, "typical per-city dissatisfaction rate among re-checked "
         "requests", low=0.001, high=0.5),
    Knob("city_spread", 0.3, float, "spread of the three rates across cities (sd of log-odds)", low=0.0, high=2.0),
    Knob("n_out_of_control", 2, int, "city-months in which the process goes out of control", low=0, high=20),
    Knob("out_of_control_odds", 4.0, float, "odds ratio of all three rates in an out-of-control city-month",
         low=1.0, high=50.0),
    Knob("onsite_median_hours", 9.0, float, "median hours from request to technician on site", low=0.5,
         high=240.0, unit="hours"),
    Knob("leak_record", 0.02, float, "share of requests never recorded in the service archive", low=0.0, high=1.0),
    Knob("leak_recheck", 0.08, float, "share of handled requests never re-checked with the customer", low=0.0,
         high=1.0),
    Knob("leak_feed_back", 0.15, float, "share of re-checked requests whose result never reaches design, "
         "production and sales", low=0.0, high=1.0),
    Knob("n_channel_customers", 1200, int, "retailers selling Haier products", low=10, high=1_000_000),
    Knob("n_trading_companies", 42, int, "regional trading companies (Haier: 42)", low=1, high=500),
]

C = Column
TABLES = [
    Table("cities", "One row per city with a telephone service centre.", (
        C("city", "category", "city"),
        C("service_outlets", "int64", "computerised service outlets in the city"),
    )),
    Table("service_requests", "One row per customer service request (one phone call to a service centre).", (
        C("request_id", "int64", "request id"),
        C("city", "category", "city of the service centre"),
        C("month", "datetime64[ns]", "first day of the month of the request"),
        C("opened_at", "datetime64[ns]", "when the customer called"),
        C("product", "category", "appliance"),
        C("request_type", "category", "installation, repair, maintenance or relocation"),
        C("recorded", "bool", "no-miss 1: the problem was recorded in the service archive"),
        C("handled", "bool", "no-miss 2: the problem was handled (False = an omission)"),
        C("rechecked", "bool", "no-miss 3: the result was re-checked with the customer (return visit)"),
        C("fed_back", "bool", "no-miss 4: the result was fed back to design, production and sales"),
        C("onsite_hours", "float64", "hours from the call to the technician on site (NaN if not handled)",
          "hours"),
        C("within_24h", "bool", "technician on site within 24 hours"),
        C("escalated", "bool", "passed to the regional trading company"),
        C("complaint", "bool", "the customer filed a service complaint"),
        C("dissatisfied", "boolean", "dissatisfied at the return visit (missing if not re-checked)"),
    )),
    Table("channel_customers", "One row per retailer (channel customer) of Haier appliances.", (
        C("customer_id", "int64", "channel customer id"),
        C("channel_type", "category", "multinational chain, domestic chain, department store, exclusive "
                                      "store or specialty store"),
        C("trading_company", "category", "regional trading company serving the customer"),
        C("sales_last_year", "float64", "sales through this customer last year", "CNY 10k"),
        C("sales_this_year", "float64", "sales through this customer this year", "CNY 10k"),
    )),
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


def _channel_segments() -> list[dict]:
    return [{"name": name, "share": cs,
             "sales": {"dist": "lognormal", "mean": 1.0, "sd": 1.5},
             "growth": {"dist": "normal", "mean": g, "sd": 0.10}}
            for name, cs, _, g in CHANNEL_TYPES]


@register("haier", title="Haier: after-sales control rates, 24-hour service and channel customers",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES)
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
