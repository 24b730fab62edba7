"""A SaaS CRM vendor's editions: purchases, renewals, upgrades and cancellations (synthetic world).

Business customers subscribe to the Silver, Gold or Diamond edition of a hosted CRM on a 1- or 3-year term
at a monthly price. Sign-ups are spread over four years before the data were extracted, so the customers who
signed up recently are right-censored: we do not yet know when (or whether) they will leave. The hazard of
cancelling is planted as a proportional-hazards (Cox) model with a hazard ratio per edition and per term, and
upgrades happen at renewals with a planted probability per edition.

Sources: CRM vendor web page (source 2), lines 15–48 — a ticker of eight recent actions: five purchases, two
renewals and one upgrade of the Silver, Gold and Diamond enterprise editions for one or three years. Only the
editions, the terms and the three kinds of action come from the source; every company, price, rate and date
here is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

EDITIONS = ("Silver", "Gold", "Diamond")
EVENTS = ("purchase", "renewal", "upgrade", "cancellation")
DATA_START = np.datetime64("2022-01-01", "D")
DATA_END = np.datetime64("2026-01-01", "D")          # the day the data were extracted
DAYS_PER_MONTH = 365.25 / 12
WEIBULL_SHAPE = 0.9                                 # < 1: the hazard of cancelling falls slowly with tenure
EDITION_MIX = (0.50, 0.35, 0.15)                    # shares of sign-ups by edition
THREE_YEAR_TILT = (2 / 3, 1.0, 5 / 3)               # 3-year share relative to share_three_year, by edition
# Fictitious company names: a place and a trade, put together at random.
_PLACES = ("Jinhe", "Yunfan", "Haiqiao", "Songlin", "Beichen", "Lanxi", "Qingshan", "Huaxin", "Dongrui",
           "Mingyue", "Tianshu", "Xinyuan")
_TRADES = ("Trading", "Logistics", "Machinery", "Media", "Furniture", "Signs", "Digital", "Environmental Tech",
           "Printing", "Foods")

SNAPSHOT_KNOBS = {"n_customers": 400}
KNOBS = [
    Knob("n_customers", 3000, int, "number of business customers who signed up in the four years before the data "
         "were extracted", low=300, high=500_000, doc_zh="在数据提取前四年内开通的企业客户数"),
    Knob("share_three_year", 0.30, float, "average share of sign-ups on a 3-year term (Silver buyers choose it "
         "less often, Diamond buyers more often)", low=0.05, high=0.55,
         doc_zh="选择三年期的开通客户的平均比例（白银版客户选得少一些，钻石版客户多一些）"),
    Knob("silver_first_year_churn", 0.30, float, "probability that a Silver customer on a 1-year term cancels "
         "within its first 12 months (sets the baseline hazard)", low=0.05, high=0.8,
         doc_zh="一年期白银版客户在头12个月内退订的概率（决定基准风险）"),
    Knob("hr_gold", 0.70, float, "hazard ratio of cancelling, Gold vs Silver (same term)", low=0.1, high=3.0,
         doc_zh="黄金版相对白银版的退订风险比（同一期限）"),
    Knob("hr_diamond", 0.45, float, "hazard ratio of cancelling, Diamond vs Silver (same term)", low=0.1, high=3.0,
         doc_zh="钻石版相对白银版的退订风险比（同一期限）"),
    Knob("hr_three_year", 0.60, float, "hazard ratio of cancelling, 3-year vs 1-year term (same edition)",
         low=0.1, high=3.0, doc_zh="三年期相对一年期的退订风险比（同一版本）"),
    Knob("upgrade_silver", 0.20, float, "probability that a Silver customer renewing moves up to Gold",
         low=0.0, high=0.9, doc_zh="白银版客户续费时升级到黄金版的概率"),
    Knob("upgrade_gold", 0.12, float, "probability that a Gold customer renewing moves up to Diamond",
         low=0.0, high=0.9, doc_zh="黄金版客户续费时升级到钻石版的概率"),
    Knob("price_silver", 199.0, float, "list price of the Silver edition per month on a 1-year term", low=1.0,
         high=100_000.0, unit="CNY per month", doc_zh="白银版一年期的每月标价"),
    Knob("price_gold", 399.0, float, "list price of the Gold edition per month on a 1-year term", low=1.0,
         high=100_000.0, unit="CNY per month", doc_zh="黄金版一年期的每月标价"),
    Knob("price_diamond", 799.0, float, "list price of the Diamond edition per month on a 1-year term", low=1.0,
         high=100_000.0, unit="CNY per month", doc_zh="钻石版一年期的每月标价"),
    Knob("three_year_discount", 0.15, float, "discount off the monthly price for a 3-year term", low=0.0,
         high=0.6, doc_zh="三年期在每月价格上的折扣"),
]

C = Column
TABLES = [
    Table("accounts", "One row per customer account: who signed up when, for which edition and term, and whether "
          "and when it gave notice to cancel (the paid term then runs to its end).", (
              C("customer_id", "int64", "account id", doc_zh="账户编号"),
              C("company", "string", "company name (fictitious)", doc_zh="公司名称（虚构）"),
              C("signed_on", "datetime64[ns]", "date of the first purchase", doc_zh="首次购买日期"),
              C("edition", "category", "edition bought at sign-up: Silver, Gold or Diamond",
                doc_zh="开通时购买的版本：白银版（Silver）、黄金版（Gold）或钻石版（Diamond）"),
              C("term_years", "int64", "length of each term: 1 or 3 years (renewals keep the term)", "years",
                doc_zh="每个订阅期的长度：1年或3年（续费沿用同一期限）"),
              C("monthly_price", "float64", "monthly price at sign-up (3-year terms are discounted)", "CNY per month",
                doc_zh="开通时的每月价格（三年期有折扣）"),
              C("current_edition", "category", "edition in force on the day of extraction (or when it ended)",
                doc_zh="数据提取当天（或服务结束时）使用的版本"),
              C("cancelled_on", "datetime64[ns]", "date the customer gave notice to cancel (NaT: still a "
                "customer when the data were extracted)", doc_zh="客户提出退订的日期（NaT 表示数据提取时仍是客户）"),
              C("observed_until", "datetime64[ns]", "date the data were extracted (the same for every account)",
                doc_zh="数据提取日期（所有账户相同）"),
          ), doc_zh="每个客户账户一行：何时开通、哪个版本和期限，以及是否、何时提出退订（已付的订阅期会用到期满）。"),
    Table("events", "The subscription log, one row per action, like the vendor's ticker: purchase, renewal, upgrade "
          "(a renewal into a higher edition) and cancellation (notice given).", (
              C("customer_id", "int64", "account id", doc_zh="账户编号"),
              C("date", "datetime64[ns]", "date of the action", doc_zh="操作日期"),
              C("event", "category", "purchase, renewal, upgrade or cancellation",
                doc_zh="购买（purchase）、续费（renewal）、升级（upgrade）或退订（cancellation）"),
              C("previous_edition", "category", "edition before the action (missing for a purchase)",
                doc_zh="操作前的版本（购买时为空）"),
              C("edition", "category", "edition after the action", doc_zh="操作后的版本"),
              C("term_years", "int64", "term of the subscription", "years", doc_zh="订阅期限"),
              C("monthly_price", "float64", "monthly price of the term that starts (0 for a cancellation)",
                "CNY per month", doc_zh="新订阅期的每月价格（退订为0）"),
          ), doc_zh="订阅日志，每个操作一行，和厂商网页上的滚动信息一样：购买、续费、升级（续费到更高的版本）和退订（提出退订）。"),
]

DESCRIPTION = """
Source: CRM vendor web page (source 2), lines 15–48 — a ticker of firms buying, renewing or upgrading the
Silver, Gold and Diamond enterprise editions for one or three years. Everything else here is synthetic.

Sign-ups: `n_customers` accounts, sign-up dates uniform over the four years 2022-01-01 to 2025-12-31; the
data were extracted on 2026-01-01. Edition at sign-up: Silver 50%, Gold 35%, Diamond 15%. Term: 3 years
with probability `share_three_year` × (2/3, 1, 5/3) for (Silver, Gold, Diamond), else 1 year — Diamond
buyers sign long terms more often, so edition and term are confounded. Monthly price: the edition's list
price, times (1 - `three_year_discount`) on a 3-year term.

Cancellation: the time T (months from sign-up) at which the customer gives notice follows a Weibull
proportional-hazards model, cumulative hazard H(t) = (t / scale)^0.9 × HR, with HR = `hr_gold` or
`hr_diamond` for the edition bought at sign-up (Silver = 1) times `hr_three_year` for a 3-year term; the
scale makes a Silver 1-year customer cancel within 12 months with probability `silver_first_year_churn`.
The hazard depends on the edition at sign-up only (an upgrade does not change it). A customer with
T beyond the extraction date is right-censored. Notice given, the paid term runs to its end.

Renewals and upgrades: at each term end before T the customer renews for the same term; a Silver customer
moves up to Gold with probability `upgrade_silver`, a Gold one to Diamond with probability `upgrade_gold`
(logged as 'upgrade', at the new edition's price). Truth: the hazard ratios, the baseline, each account's T
and hazard ratio (`truth['accounts']`), the survival curves and the expected revenue per customer in the
first 36 months by edition and term (`truth['revenue_36m']`).
"""

DESCRIPTION_ZH = """
资料来源：《CRM软件厂商网页》（资料2）第15–48行——企业购买、续费、升级白银版、黄金版、钻石版一年或三年的滚动信息。
其余一切都是合成数据。

开通：`n_customers` 个账户，开通日期在2022-01-01至2025-12-31这四年内均匀分布；数据于2026-01-01提取。开通时的版本：
白银版50%、黄金版35%、钻石版15%。期限：白银版、黄金版、钻石版选择三年期的概率分别为 `share_three_year` ×
(2/3, 1, 5/3)，其余为一年期——钻石版客户更常签长约，因此版本与期限相互混杂（confounded）。每月价格为该版本的标价，
三年期再乘以 (1 - `three_year_discount`)。

退订：客户提出退订的时间 T（开通后的月数）服从威布尔（Weibull）比例风险模型，累积风险 H(t) = (t / scale)^0.9 × HR，
其中 HR 为开通版本的风险比 `hr_gold` 或 `hr_diamond`（白银版为1），三年期再乘以 `hr_three_year`；scale 使一年期白银版
客户在12个月内退订的概率等于 `silver_first_year_churn`。风险只取决于开通时的版本（升级不改变风险）。T 晚于数据提取日的
客户为右删失（right-censored）。提出退订后，已付的订阅期仍会用到期满。

续费与升级：在 T 之前的每个订阅期末，客户按原期限续费；白银版客户以 `upgrade_silver` 的概率升级到黄金版，黄金版客户以
`upgrade_gold` 的概率升级到钻石版（记为 'upgrade'，按新版本的价格计费）。真值：各风险比、基准风险、每个账户的 T 和风险比
（`truth['accounts']`）、生存曲线，以及按版本和期限计算的每位客户头36个月的期望收入（`truth['revenue_36m']`）。
"""


def survival(t, hr, scale):
    """Planted survival function S(t) = exp(-(t / scale)^shape × hr) of the time to cancellation (months)."""
    return np.exp(-(np.asarray(t, dtype=float) / scale) ** WEIBULL_SHAPE * hr)


def _scale(silver_first_year_churn: float) -> float:
    """Weibull scale (months) that gives S(12) = 1 - silver_first_year_churn at hazard ratio 1."""
    return 12.0 / (-np.log(1.0 - silver_first_year_churn)) ** (1.0 / WEIBULL_SHAPE)


def paid_months(horizon: float, term_months: float, surv_at_starts: np.ndarray) -> float:
    """Expected months paid within ``horizon`` when a term of ``term_months`` is paid in full once started:
    sum over the terms starting before the horizon of P(still a customer at the start) × months of it inside."""
    starts = np.arange(0.0, horizon, term_months)
    return float(np.sum(surv_at_starts * np.minimum(term_months, horizon - starts)))


@register("saas_editions", title="A SaaS CRM vendor's editions: purchases, renewals, upgrades and churn",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1",
          title_zh="CRM软件的版本：购买、续费、升级与流失")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    pop = draw_segments(rng, n, [{"name": e, "share": s} for e, s in zip(EDITIONS, EDITION_MIX)])
    ed = pd.Categorical(pop["segment"].to_numpy(), categories=EDITIONS).codes.astype(np.int64)
    p3 = np.minimum(0.95, k["share_three_year"] * np.asarray(THREE_YEAR_TILT)[ed])
    term = np.where(rng.random(n) < p3, 3, 1).astype(np.int64)
    window = int((DATA_END - DATA_START).astype(np.int64))
    signed_day = rng.integers(0, window, n)
    hr_ed = np.array([1.0, k["hr_gold"], k["hr_diamond"]])
    hr = hr_ed[ed] * np.where(term == 3, k["hr_three_year"], 1.0)
    scale = _scale(k["silver_first_year_churn"])
    # inverse transform: H(T) = -log U  =>  T = scale * (-log U / hr)^(1/shape)
    t_cancel = scale * (-np.log(1.0 - rng.random(n)) / hr) ** (1.0 / WEIBULL_SHAPE)
    cancel_day = signed_day + np.maximum(1, np.ceil(t_cancel * DAYS_PER_MONTH)).astype(np.int64)  # notice >= 1 day in
    cancelled = cancel_day < window

    list_price = np.array([k["price_silver"], k["price_gold"], k["price_diamond"]])
    disc = np.where(term == 3, 1.0 - k["three_year_discount"], 1.0)
    up_p = np.array([k["upgrade_silver"], k["upgrade_gold"], 0.0])
    term_days = np.round(term * 365.25).astype(np.int64)

    rows_id, rows_day, rows_ev, rows_prev, rows_ed, rows_term, rows_price = [], [], [], [], [], [], []
    current = ed.copy()
    j = 1
    alive = np.ones(n, dtype=bool)
    while True:   # renewals: term j starts at signed_day + j × term length, if before cancellation and extraction
        start = signed_day + j * term_days
        due = alive & (start < np.minimum(cancel_day, window))
        if not due.any():
            break
        idx = np.flatnonzero(due)
        up = rng.random(idx.size) < up_p[current[idx]]
        new = current[idx] + up.astype(np.int64)
        rows_id.append(idx); rows_day.append(start[idx]); rows_ev.append(np.where(up, 2, 1))
        rows_prev.append(current[idx]); rows_ed.append(new); rows_term.append(term[idx])
        rows_price.append(list_price[new] * disc[idx])
        current[idx] = new
        alive = due
        j += 1
    # purchases and cancellations (cancellation logged with the edition in force at the notice date)
    ev_edition_at = [np.empty(0, np.int64)]
    all_id = np.concatenate([np.arange(n)] + rows_id + [np.flatnonzero(cancelled)])
    all_day = np.concatenate([signed_day] + rows_day + [cancel_day[cancelled]])
    all_ev = np.concatenate([np.zeros(n, np.int64)] + rows_ev + [np.full(int(cancelled.sum()), 3)])
    all_prev = np.concatenate([np.full(n, -1)] + rows_prev + [current[cancelled]])
    all_ed = np.concatenate([ed] + rows_ed + [current[cancelled]])
    all_term = np.concatenate([term] + rows_term + [term[cancelled]])
    all_price = np.concatenate([list_price[ed] * disc] + rows_price + [np.zeros(int(cancelled.sum()))])
    del ev_edition_at
    order = np.lexsort((all_ev, all_day, all_id))
    ids = np.arange(1, n + 1, dtype=np.int64)

    def days(d):
        return (DATA_START + d).astype("datetime64[ns]")

    places = np.asarray(_PLACES, dtype=object)[rng.integers(0, len(_PLACES), n)]
    trades = np.asarray(_TRADES, dtype=object)[rng.integers(0, len(_TRADES), n)]
    names = [f"{p} {t} Co. #{i}" for p, t, i in zip(places, trades, ids)]
    cancel_dates = np.where(cancelled, days(np.minimum(cancel_day, window - 1)), np.datetime64("NaT", "ns"))
    accounts = pd.DataFrame({
        "customer_id": ids,
        "company": pd.array(names, dtype="string"),
        "signed_on": days(signed_day),
        "edition": pd.Categorical.from_codes(ed, categories=EDITIONS),
        "term_years": term,
        "monthly_price": list_price[ed] * disc,
        "current_edition": pd.Categorical.from_codes(current, categories=EDITIONS),
        "cancelled_on": cancel_dates.astype("datetime64[ns]"),
        "observed_until": np.full(n, DATA_END).astype("datetime64[ns]"),
    })
    events = pd.DataFrame({
        "customer_id": ids[all_id[order]],
        "date": days(all_day[order]),
        "event": pd.Categorical.from_codes(all_ev[order], categories=EVENTS),
        "previous_edition": pd.Categorical.from_codes(all_prev[order], categories=EDITIONS),
        "edition": pd.Categorical.from_codes(all_ed[order], categories=EDITIONS),
        "term_years": all_term[order].astype(np.int64),
        "monthly_price": all_price[order].astype(float),
    })

    curves, revenue = {}, {}
    for e, name in enumerate(EDITIONS):
        for t in (1, 3):
            h = hr_ed[e] * (k["hr_three_year"] if t == 3 else 1.0)
            key = f"{name} {t}y"
            curves[key] = {m: float(survival(m, h, scale)) for m in (12, 24, 36)}
            starts = np.arange(0.0, 36.0, 12.0 * t)
            price = list_price[e] * (1.0 - k["three_year_discount"] if t == 3 else 1.0)
            revenue[key] = price * paid_months(36.0, 12.0 * t, survival(starts, h, scale))
    idx = pd.Index(ids, name="customer_id")
    truth = {
        "hazard_ratios": {"Gold": k["hr_gold"], "Diamond": k["hr_diamond"], "3-year term": k["hr_three_year"]},
        "weibull_shape": WEIBULL_SHAPE,
        "weibull_scale_months": float(scale),
        "upgrade_probability": {"Silver to Gold": k["upgrade_silver"], "Gold to Diamond": k["upgrade_gold"]},
        "survival": curves,
        "revenue_36m": revenue,
        "share_censored": float(1 - cancelled.mean()),
        "accounts": pd.DataFrame({"months_to_cancel": t_cancel, "hazard_ratio": hr,
                                  "cancelled_by_extraction": cancelled}, index=idx),
    }
    return {"accounts": accounts, "events": events}, truth
