"""Cosmetics graduates: a yearly fashion show that wins customers at graduation (synthetic world).

Each year a cosmetics firm invites every girl graduating from the city's high schools to a fashion show with
beauty tips and a gift; the gift holds a membership form, and a graduate who returns it at the service desk
is registered and usually buys something there. The world follows several graduation cohorts through the
funnel invitation -> attendance -> form returned -> first purchase, and then year by year while they stay
customers, beside customers the firm wins through its other channels (the shop counter and magazine
coupons). Stage rates, retention and spend by channel, and the show's costs are knobs; the customer
lifetime value (CLV) of each channel and the show's return on investment (ROI) are planted truth.

Sources: Analytical CRM course pack (source 1), lines 104–118 (a Japanese cosmetics firm in a city of one
million; attendance said to exceed 90% of the female graduates; a membership form in the gift; returned
forms registered; most guests buy something when returning the form). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register

FIRST_YEAR = 2019
CHANNELS = ("event", "counter", "magazine")
SCHOOLS = tuple(f"school_{i:02d}" for i in range(1, 13))
SPEND_SD = 0.6  # log-scale spread of a customer's yearly spend

SNAPSHOT_KNOBS = {"n_graduates": 250, "n_other": 80}
KNOBS = [
    Knob("n_graduates", 2500, int, "girls graduating from the city's high schools each year (all are invited)",
         low=20, high=200_000, doc_zh="每年从全市高中毕业的女生人数（全部受邀）"),
    Knob("n_cohorts", 5, int, "graduation years followed (one show per year, from 2019)", low=2, high=15,
         doc_zh="跟踪的毕业年份数（每年一场表演会，从2019年起）"),
    Knob("n_other", 1000, int, "customers won each year through the other channels (counter and magazine)",
         low=10, high=200_000, doc_zh="每年通过其他渠道（柜台和杂志）获得的新客户数"),
    Knob("attend_rate", 0.90, float, "probability an invited graduate attends the show (source: over 90%)",
         low=0.01, high=1.0, doc_zh="受邀毕业生到场的概率（资料称90%以上）"),
    Knob("form_rate", 0.75, float, "probability an attendee returns the membership form", low=0.01, high=1.0,
         doc_zh="到场者交回会员申请表的概率"),
    Knob("buy_rate", 0.85, float, "probability a graduate returning the form buys something then", low=0.01,
         high=1.0, doc_zh="交回申请表的毕业生当场购买的概率"),
    Knob("retention_event", 0.70, float, "yearly retention of customers won at the show", low=0.0, high=0.98,
         doc_zh="通过表演会获得的客户的年保留率"),
    Knob("retention_other", 0.55, float, "yearly retention of customers won at the counter (magazine: 0.1 less)",
         low=0.1, high=0.98, doc_zh="柜台渠道客户的年保留率（杂志渠道低0.1）"),
    Knob("spend_mean", 20000.0, float, "mean yearly spend of an active customer", low=100.0, high=1e6, unit="JPY",
         doc_zh="活跃客户的年均消费额"),
    Knob("gross_margin", 0.5, float, "gross margin on spend", low=0.01, high=1.0,
         doc_zh="消费额的毛利率"),
    Knob("discount_rate", 0.08, float, "yearly discount rate for CLV", low=0.0, high=0.5, unit="per year",
         doc_zh="计算客户终身价值所用的年折现率"),
    Knob("show_cost", 6_000_000.0, float, "fixed cost of one show (venue, stars, models)", low=0.0, high=1e10,
         unit="JPY", doc_zh="一场表演会的固定成本（场地、明星、模特）"),
    Knob("invite_cost", 300.0, float, "cost of one invitation card and its postage", low=0.0, high=1e5, unit="JPY",
         doc_zh="一张请柬及邮寄的成本"),
    Knob("gift_cost", 2000.0, float, "cost of the gift handed to each attendee", low=0.0, high=1e6, unit="JPY",
         doc_zh="发给每位到场者的礼品成本"),
]

C = Column
TABLES = [
    Table("graduates", "One row per invited graduate: her graduation year, school and how far she went through "
          "the funnel.", (
              C("graduate_id", "int64", "graduate id (equals customer_id if she became a customer)",
                doc_zh="毕业生编号（如成为客户，与 customer_id 相同）"),
              C("cohort", "int64", "graduation year = year of the show she was invited to", "year",
                doc_zh="毕业年份，即她受邀参加的表演会年份"),
              C("school", "category", "high school", doc_zh="所在高中"),
              C("attended", "bool", "came to the show", doc_zh="是否到场"),
              C("form_returned", "bool", "returned the membership form (registered as a member)",
                doc_zh="是否交回会员申请表（登记为会员）"),
              C("first_purchase", "bool", "bought something when returning the form (became a customer)",
                doc_zh="交回申请表时是否购买（成为客户）"),
          ), doc_zh="每位受邀毕业生一行：毕业年份、学校，以及她在漏斗中走到了哪一步。"),
    Table("customers", "One row per customer: the channel that won her and the year she was won.", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("channel", "category", "acquisition channel: event (the show), counter or magazine",
          doc_zh="获客渠道：event（表演会）、counter（柜台）或 magazine（杂志）"),
        C("cohort", "int64", "year the customer was won", "year", doc_zh="获得该客户的年份"),
    ), doc_zh="每位客户一行：获得她的渠道和年份。"),
    Table("yearly", "One row per customer and year in which she bought (from the year she was won up to the "
          "last observed year); a customer who stops buying never comes back.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("year", "int64", "calendar year", "year", doc_zh="日历年份"),
              C("spend", "float64", "her spend in that year", "JPY", doc_zh="她当年的消费额"),
          ), doc_zh="每位客户在每个有购买的年份一行（从获客年份到最后观察年份）；停止购买的客户不再回来。"),
]

DESCRIPTION = """
Calibrated to the Analytical CRM course pack (source 1), lines 104–118: a city of one million (line 105),
attendance said to exceed 90% of the female graduates (line 112, `attend_rate`), a membership form in the
gift (line 112), most attendees return it (line 115, `form_rate`) and are registered (line 116), and most buy
something when they return it (line 117, `buy_rate`). Everything else is synthetic.

Each year from 2019, `n_graduates` graduates are invited. Each attends with probability `attend_rate`; an
attendee returns the form with probability `form_rate`; a returner buys with probability `buy_rate` and
becomes an event customer. `n_other` customers a year come through the other channels (60% counter, 40%
magazine). A customer buys in the year she is won; each later year she stays with probability
`retention_event` (event), `retention_other` (counter) or `retention_other` - 0.1 (magazine), and once
gone never returns. The data end in the last cohort's year + 1. Yearly spend is log-normal with mean
`spend_mean` (x 0.9 for the other channels) and log-sd 0.6, independent across years.

Planted CLV at acquisition, per channel: m (1 + d) / (1 + d - r), with m = gross_margin x mean spend,
r = the channel's retention and d = `discount_rate` (the first year's margin plus the retention CLV
m r / (1 + d - r)). One show costs `show_cost` + `invite_cost` x invited + `gift_cost` x attendees;
its planted ROI = (expected event customers x CLV - expected cost) / expected cost, per show.
"""

DESCRIPTION_ZH = """
依据《分析型客户关系管理课程资料》（资料1）第104–118行校准：人口百万的城市（第105行），据说到场人数占全市女性
应届毕业生的90%以上（第112行，`attend_rate`），纪念品中附有会员申请表（第112行），大部分人填表交回（第115行，
`form_rate`）并被登记（第116行），交回申请表时或多或少都会购买（第117行，`buy_rate`）。其余一切均为合成。

从2019年起每年邀请 `n_graduates` 名毕业生。每人以概率 `attend_rate` 到场；到场者以概率 `form_rate` 交回申请表；
交表者以概率 `buy_rate` 购买，成为表演会渠道（event）的客户。其他渠道每年带来 `n_other` 名客户（60%柜台
counter、40%杂志 magazine）。客户在获得当年购买；此后每年以 `retention_event`（表演会）、`retention_other`
（柜台）或 `retention_other` − 0.1（杂志）的概率留下，一旦流失不再回来。数据截止于最后一届的次年。年消费额服从
对数正态分布，均值为 `spend_mean`（其他渠道乘以0.9），对数标准差0.6，各年独立。

各渠道获客时的预设客户终身价值（CLV）：m (1 + d) / (1 + d − r)，其中 m = gross_margin × 平均消费额，r 为该渠道的
保留率，d = `discount_rate`（即第一年的毛利加上保留型 CLV m r / (1 + d − r)）。一场表演会的成本为 `show_cost` +
`invite_cost` × 受邀人数 + `gift_cost` × 到场人数；预设的每场投资回报率 ROI =（期望表演会客户数 × CLV − 期望成本）/ 期望成本。
"""


def planted_clv(margin: float, retention: float, discount: float) -> float:
    """CLV at acquisition: the first year's margin plus m r / (1 + d - r)."""
    return margin * (1 + discount) / (1 + discount - retention)


@register("cosmetics_graduates", title="Cosmetics graduates: a fashion show that wins customers at graduation",
          title_zh="化妆品公司的毕业生服装表演会：在毕业时赢得客户", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n, n_c, n_o = k["n_graduates"], k["n_cohorts"], k["n_other"]
    last_year = FIRST_YEAR + n_c
    cohort = np.repeat(FIRST_YEAR + np.arange(n_c, dtype=np.int64), n)
    g = cohort.size
    attended = rng.random(g) < k["attend_rate"]
    returned = attended & (rng.random(g) < k["form_rate"])
    bought = returned & (rng.random(g) < k["buy_rate"])
    school = pd.Categorical(np.asarray(SCHOOLS, dtype=object)[rng.integers(0, len(SCHOOLS), g)], categories=SCHOOLS)
    graduates = pd.DataFrame({"graduate_id": np.arange(1, g + 1, dtype=np.int64), "cohort": cohort,
                              "school": school, "attended": attended, "form_returned": returned,
                              "first_purchase": bought})

    ev_id = graduates["graduate_id"].to_numpy()[bought]
    ev_cohort = cohort[bought]
    o_cohort = np.repeat(FIRST_YEAR + np.arange(n_c, dtype=np.int64), n_o)
    o_channel = np.where(rng.random(o_cohort.size) < 0.6, 1, 2)
    o_id = g + 1 + np.arange(o_cohort.size, dtype=np.int64)
    cid = np.r_[ev_id, o_id]
    ccoh = np.r_[ev_cohort, o_cohort]
    chan = np.r_[np.zeros(ev_id.size, dtype=np.int64), o_channel]
    retention = np.array([k["retention_event"], k["retention_other"], round(k["retention_other"] - 0.1, 10)])
    spend_mult = np.array([1.0, 0.9, 0.9])
    # years she stays after the first: geometric count of successive retentions, cut at the end of the data
    r = retention[chan]
    extra = rng.geometric(np.clip(1 - r, 1e-12, 1.0)) - 1
    n_years = np.minimum(1 + extra, last_year - ccoh + 1)
    rows = np.repeat(np.arange(cid.size), n_years)
    offset = np.arange(rows.size) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    mu = np.log(k["spend_mean"] * spend_mult[chan[rows]]) - SPEND_SD ** 2 / 2
    spend = np.round(np.exp(mu + SPEND_SD * rng.standard_normal(rows.size)), 0)
    customers = pd.DataFrame({"customer_id": cid,
                              "channel": pd.Categorical.from_codes(chan, categories=CHANNELS),
                              "cohort": ccoh})
    yearly = pd.DataFrame({"customer_id": cid[rows], "year": (ccoh[rows] + offset).astype(np.int64),
                           "spend": spend.astype(float)})

    m = {c: float(k["gross_margin"] * k["spend_mean"] * spend_mult[i]) for i, c in enumerate(CHANNELS)}
    clv = {c: float(planted_clv(m[c], float(retention[i]), k["discount_rate"])) for i, c in enumerate(CHANNELS)}
    conv = k["attend_rate"] * k["form_rate"] * k["buy_rate"]
    cost = k["show_cost"] + k["invite_cost"] * n + k["gift_cost"] * n * k["attend_rate"]
    truth = {
        "stage_rates": {"attend": k["attend_rate"], "form_given_attend": k["form_rate"],
                        "buy_given_form": k["buy_rate"]},
        "conversion": conv,
        "retention": {c: float(retention[i]) for i, c in enumerate(CHANNELS)},
        "margin_per_year": m,
        "clv": clv,
        "cost_per_show": cost,
        "roi": float((n * conv * clv["event"] - cost) / cost),
        "last_year": last_year,
        "customers": pd.DataFrame({"channel": customers["channel"].to_numpy(), "years_observed": n_years,
                                   "bought_in_last_year": ccoh + n_years - 1 == last_year},
                                  index=pd.Index(cid, name="customer_id")),
    }
    return {"graduates": graduates, "customers": customers, "yearly": yearly}, truth
