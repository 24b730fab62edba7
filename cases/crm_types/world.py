"""CRM types: a small company's sales (operational CRM), its call-centre inbox (collaborative CRM) and the
star schema an analytical CRM builds from both (synthetic world).

A software-and-equipment vendor sells to companies in twelve cities of four regions through three channels
(field sales, call centre, web shop) in one calendar year; in December its call centre answers customer
e-mails. Planted: one small city whose sales grow through the year (found by drilling down from region to city),
the channel mix of each company size (found by slicing an OLAP cube), and the reply-time distribution of the
e-mails, with or without the 12-hour SMS alert of the CRM Q&A compilation (source 0), line 17.

Sources: Analytical CRM course pack (source 1), lines 30–62 and 76–103 (operational, collaborative and analytical
CRM; OLAP and the data warehouse in analytical CRM; call centre, IVR and CTI in collaborative CRM); CRM Q&A
compilation (source 0), lines 15–17 (the call centre's e-mail rules). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments
from crmlab.worlds.mech.tickets import draw_arrivals

YEAR = 2023
H1_DAYS = 181                      # 1 January - 30 June 2023
REGIONS = {"North": ("Beijing", "Tianjin", "Jinan"), "East": ("Shanghai", "Hangzhou", "Nanjing"),
           "South": ("Guangzhou", "Shenzhen", "Xiamen"), "West": ("Chengdu", "Chongqing", "Kunming")}
REGION_SHARES = {"North": 0.25, "East": 0.35, "South": 0.25, "West": 0.15}
CITY_SHARES = (0.5, 0.3, 0.2)      # within each region, in the order of REGIONS
CITIES = tuple(c for cs in REGIONS.values() for c in cs)
CHANNELS = ("field sales", "call centre", "web")
# Channel mix by company size (shares of orders) and the basket size of each channel relative to the
# company's usual quantity: the web shop takes small top-up orders, field sales the big ones.
CHANNEL_MIX = {"small": (0.10, 0.35, 0.55), "medium": (0.35, 0.35, 0.30), "large": (0.70, 0.20, 0.10)}
CHANNEL_QTY = (1.5, 1.0, 0.6)
SIZES = [
    {"name": "small", "share": 0.60, "orders_per_year": {"dist": "lognormal", "mean": 4.0, "sd": 2.0},
     "mean_quantity": {"dist": "uniform", "low": 1.5, "high": 3.0}},
    {"name": "medium", "share": 0.30, "orders_per_year": {"dist": "lognormal", "mean": 9.0, "sd": 4.0},
     "mean_quantity": {"dist": "uniform", "low": 3.0, "high": 6.0}},
    {"name": "large", "share": 0.10, "orders_per_year": {"dist": "lognormal", "mean": 18.0, "sd": 6.0},
     "mean_quantity": {"dist": "uniform", "low": 6.0, "high": 12.0}},
]
PRODUCTS = (  # product, category, list price (CNY), share of order lines
    ("CRM Basic licence", "software", 800.0, 0.14),
    ("CRM Pro licence", "software", 2400.0, 0.06),
    ("Headset", "hardware", 60.0, 0.22),
    ("IP phone", "hardware", 150.0, 0.16),
    ("Barcode scanner", "hardware", 120.0, 0.12),
    ("Training day", "services", 500.0, 0.10),
    ("Support plan", "services", 300.0, 0.15),
    ("Data migration", "services", 1500.0, 0.05),
)
# E-mail topics: share of the inbox and median reply time relative to `reply_median_hours`.
TOPICS = (("order status", 0.45, 0.6), ("product question", 0.35, 1.0), ("complaint", 0.20, 1.8))
INBOX_START = f"{YEAR}-12-01"     # the inbox covers December
DATA_END = f"{YEAR + 1}-01-01"    # the data were extracted at midnight on 31 December
REPLY_WITHIN_HOURS, ALERT_AFTER_HOURS = 24.0, 12.0

SNAPSHOT_KNOBS = {"n_customers": 200, "emails_per_day": 15.0}
KNOBS = [
    Knob("n_customers", 1000, int, "number of business customers", low=30, high=200_000,
         doc_zh="企业客户数"),
    Knob("hot_city_growth", 1.5, float, "growth of one small city's sales from the first to the second half of the "
         "year (1.0 = doubling); the other cities are flat", low=0.0, high=10.0,
         doc_zh="某个小城市的销售额从上半年到下半年的增长（1.0 表示翻一番）；其他城市持平"),
    Knob("emails_per_day", 60.0, float, "customer e-mails arriving at the call centre per day", low=0.5, high=5000.0,
         unit="per day", doc_zh="每天到达呼叫中心的客户电子邮件数"),
    Knob("reply_median_hours", 8.0, float, "median reply time of a product question (order-status e-mails are "
         "answered faster, complaints slower)", low=0.5, high=200.0, unit="hours",
         doc_zh="产品咨询邮件的回复时间中位数（订单查询回复更快，投诉更慢）"),
    Knob("reply_sigma", 1.0, float, "spread of reply times on the log scale", low=0.1, high=3.0,
         doc_zh="回复时间在对数尺度上的离散程度"),
    Knob("sms_alert", False, bool, "the call centre already sends staff an SMS alert when an e-mail is unanswered "
         "after 12 hours", doc_zh="呼叫中心是否已经在邮件12小时未回复时给员工发送短信报警"),
    Knob("alert_reply_hours", 3.0, float, "mean hours from an SMS alert to the reply (when alerts are sent)",
         low=0.1, high=100.0, unit="hours", doc_zh="收到短信报警后到回复的平均小时数（发送报警时）"),
]

C = Column
TABLES = [
    Table("customers", "One row per business customer (the contact records of operational CRM).", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("size", "category", "company size: small, medium or large", doc_zh="企业规模：small 小、medium 中、large 大"),
        C("city", "category", "city of the customer", doc_zh="客户所在城市"),
        C("region", "category", "sales region of the city", doc_zh="城市所属销售大区"),
    ), doc_zh="每个企业客户一行（运营型CRM中的客户与联系人记录）。"),
    Table("products", "One row per product in the price list.", (
        C("product_id", "int64", "product id", doc_zh="产品编号"),
        C("product", "category", "product name", doc_zh="产品名称"),
        C("category", "category", "product category: software, hardware or services",
          doc_zh="产品类别：software 软件、hardware 硬件、services 服务"),
        C("unit_price", "float64", "list price", "CNY", doc_zh="目录价"),
    ), doc_zh="价目表中每个产品一行。"),
    Table("orders", "One row per order line of the year (the sales records of operational CRM).", (
        C("order_id", "int64", "order line id", doc_zh="订单行编号"),
        C("order_date", "datetime64[ns]", "date of the order", doc_zh="下单日期"),
        C("customer_id", "int64", "customer who ordered", doc_zh="下单客户"),
        C("product_id", "int64", "product ordered", doc_zh="所订产品"),
        C("channel", "category", "sales channel: field sales, call centre or web",
          doc_zh="销售渠道：field sales 现场销售、call centre 呼叫中心、web 网店"),
        C("quantity", "int64", "units ordered", doc_zh="订购数量"),
        C("revenue", "float64", "quantity x list price", "CNY", doc_zh="数量 x 目录价"),
    ), doc_zh="全年每个订单行一行（运营型CRM中的销售记录）。"),
    Table("emails", "One row per customer e-mail to the call centre in December (the inbox of "
          "collaborative CRM); extracted at midnight on 31 December.", (
              C("email_id", "int64", "e-mail id", doc_zh="邮件编号"),
              C("customer_id", "int64", "customer who wrote", doc_zh="来信客户"),
              C("topic", "category", "what the e-mail is about: order status, product question or complaint",
                doc_zh="邮件内容：order status 订单查询、product question 产品咨询、complaint 投诉"),
              C("received_at", "datetime64[ns]", "when the e-mail arrived", doc_zh="邮件到达时间"),
              C("replied_at", "datetime64[ns]", "when the first reply was sent; empty (NaT) if the e-mail was still "
                                                "unanswered when the data were extracted",
                doc_zh="首次回复的时间；数据提取时仍未回复则为空（NaT）"),
          ), doc_zh="12月里每封客户发给呼叫中心的电子邮件一行（协作型CRM的收件箱）；数据于12月31日午夜提取。"),
]

DESCRIPTION = """
Customers: sizes small 60%, medium 30%, large 10%; regions North 25%, East 35%, South 25%, West 15%; within a
region the three cities hold 50%, 30% and 20% of its customers (in the order Beijing, Tianjin, Jinan; Shanghai,
Hangzhou, Nanjing; Guangzhou, Shenzhen, Xiamen; Chengdu, Chongqing, Kunming). Orders per customer per year are
Poisson with a log-normally distributed rate (mean 4, 9, 18 by size), spread evenly over 2023 - except in the *hot
city* (`truth['hot_city']`: the smallest city of a region drawn at random), where the order rate grows
exponentially through the year so that the expected second-half revenue is (1 + hot_city_growth) times the
first half's (for equal halves; `truth['hot_city_ratio']` gives the exact H2/H1 ratio for the 181- and 184-day
calendar halves, `truth['flat_city_ratio']` that of every other city).

Each order line takes a channel with the shares of `truth['channel_mix']` for the customer's size (small
companies buy mostly on the web, large ones through field sales) and a product with the shares of the price list;
quantity = 1 + Poisson(mean_quantity x channel factor - 1) with channel factors field sales 1.5, call centre 1.0,
web 0.6; revenue = quantity x list price. The expected share of a size's revenue through each channel is
`truth['channel_revenue_share']`.

E-mails arrive as a Poisson process (emails_per_day) from 1 to 31 December, from customers drawn at
random; topics order status 45%, product question 35%, complaint 20%. The reply time is log-normal with median
reply_median_hours x (0.6, 1.0, 1.8) by topic and log-scale spread reply_sigma. With `sms_alert`, an e-mail still
unanswered after 12 hours is answered 12 h + Exponential(mean alert_reply_hours) after arrival if that is sooner.
An e-mail whose reply would come after the extraction (midnight, 31 December) has no reply time: it is *open*
(censored). `truth['p_on_time']` is the planted probability of a reply within 24 hours (closed form:
1 - P(T > 24) x exp(-12 / alert_reply_hours) with the alert, 1 - P(T > 24) without), `truth['p_on_time_no_alert']`
and `truth['p_on_time_with_alert']` both cases, `truth['p_alert']` the probability that an e-mail is unanswered at
12 hours, `truth['median_reply_hours']` the planted median reply time; `truth['emails']` holds each e-mail's
reply time before censoring.
"""

DESCRIPTION_ZH = """
客户：规模 small 小 60%、medium 中 30%、large 大 10%；大区 North 北区 25%、East 东区 35%、South 南区 25%、West 西区 15%；
每个大区内三个城市分别占该区客户的50%、30%和20%（依次为 Beijing 北京、Tianjin 天津、Jinan 济南；Shanghai 上海、
Hangzhou 杭州、Nanjing 南京；Guangzhou 广州、Shenzhen 深圳、Xiamen 厦门；Chengdu 成都、Chongqing 重庆、Kunming 昆明）。
每个客户每年的订单数服从泊松分布，其速率服从对数正态分布（按规模均值为4、9、18），在2023年内均匀分布——只有*热点城市*
（`truth['hot_city']`：随机抽中的一个大区里最小的城市）例外：那里的下单速率全年按指数增长，使下半年的期望销售额是上半年的
(1 + hot_city_growth) 倍（两个半年等长时如此；`truth['hot_city_ratio']` 给出按181天和184天两个日历半年计算的确切的
下半年/上半年之比，`truth['flat_city_ratio']` 给出其他城市的这一比值）。

每个订单行按客户规模以 `truth['channel_mix']` 中的比例选择渠道（小企业多在网店购买，大企业多通过现场销售），按价目表中的
比例选择产品；数量 = 1 + Poisson(mean_quantity x 渠道系数 - 1)，渠道系数为现场销售 1.5、呼叫中心 1.0、网店 0.6；
销售额 = 数量 x 目录价。各规模客户的销售额中经由各渠道的期望比例见 `truth['channel_revenue_share']`。

电子邮件从12月1日到12月31日按泊松过程到达（emails_per_day），来信客户随机抽取；主题为订单查询45%、产品咨询35%、投诉20%。
回复时间服从对数正态分布，中位数按主题为 reply_median_hours x (0.6, 1.0, 1.8)，对数尺度离散程度为 reply_sigma。若
`sms_alert` 为真，12小时仍未回复的邮件在到达后 12小时 + 指数分布(均值 alert_reply_hours) 时得到回复（如果这比原来早）。
回复时间晚于数据提取时刻（12月31日午夜）的邮件没有回复时间：它是*未结*的（被删失，censored）。`truth['p_on_time']`
是预设的24小时内回复的概率（闭式解：有报警时为 1 - P(T > 24) x exp(-12 / alert_reply_hours)，无报警时为
1 - P(T > 24)），`truth['p_on_time_no_alert']` 和 `truth['p_on_time_with_alert']` 分别给出两种情形，`truth['p_alert']`
是邮件到12小时仍未回复的概率，`truth['median_reply_hours']` 是预设的回复时间中位数；`truth['emails']` 给出每封邮件
删失之前的回复时间。
"""


def _reply_sf(x, medians, sigma, alert, alert_mean):
    """P(reply time > x) for the topic mixture, with or without the 12-hour alert."""
    weights = np.array([t[1] for t in TOPICS])
    sf = float(weights @ stats.lognorm.sf(x, s=sigma, scale=np.asarray(medians)))
    if alert and x > ALERT_AFTER_HOURS:
        sf *= float(np.exp(-(x - ALERT_AFTER_HOURS) / alert_mean))
    return sf


def _hot_ratio(growth: float) -> float:
    """Expected H2/H1 revenue ratio of a city whose order rate is exp(b t), t in years, b = 2 log(1 + growth)."""
    b, c = 2 * np.log1p(growth), H1_DAYS / 365
    if b == 0:
        return (1 - c) / c
    return float((np.exp(b) - np.exp(b * c)) / np.expm1(b * c))


@register("crm_types", title="CRM types: operational sales, a collaborative inbox and an analytical star schema",
          title_zh="客户关系管理的分类：运营型的销售、协作型的收件箱与分析型的星型模型",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    # ---- customers: size, region and city
    pop = draw_segments(rng, n, SIZES)
    regions = list(REGIONS)
    region = rng.choice(len(regions), size=n, p=[REGION_SHARES[r] for r in regions])
    city = region * 3 + rng.choice(3, size=n, p=CITY_SHARES)
    hot_region = int(rng.integers(len(regions)))
    hot = 3 * hot_region + 2                           # the smallest city of the drawn region
    size_names = [s["name"] for s in SIZES]
    size = pd.Categorical(pop["segment"].astype(str).to_numpy(), categories=size_names)
    size_code = size.codes.astype(np.int64)

    # ---- orders: Poisson counts over the year; the hot city's rate grows as exp(b t)
    rate = pop["orders_per_year"].to_numpy()
    b = 2 * np.log1p(k["hot_city_growth"])
    in_hot = city == hot
    mass = np.where(in_hot, np.expm1(b) / b if b > 0 else 1.0, 1.0)   # integral of exp(b t) over [0, 1]
    counts = rng.poisson(rate * mass)
    cust = np.repeat(np.arange(n), counts)
    u = rng.random(cust.size)
    t = np.where(in_hot[cust], np.log1p(u * np.expm1(b)) / b if b > 0 else u, u)
    day = np.minimum((t * 365).astype(np.int64), 364)
    mix = np.array([CHANNEL_MIX[s] for s in size_names])
    cum = mix.cumsum(axis=1)[size_code[cust]]
    channel = (rng.random(cust.size)[:, None] > cum[:, :-1]).sum(axis=1)
    prod_p = np.array([p[3] for p in PRODUCTS])
    product = rng.choice(len(PRODUCTS), size=cust.size, p=prod_p / prod_p.sum())
    mean_q = pop["mean_quantity"].to_numpy()[cust] * np.asarray(CHANNEL_QTY)[channel]
    quantity = 1 + rng.poisson(np.maximum(mean_q - 1, 0.0))
    price = np.array([p[2] for p in PRODUCTS])
    order = np.lexsort((cust, day))
    cust, day, channel, product, quantity = cust[order], day[order], channel[order], product[order], quantity[order]
    start = np.datetime64(f"{YEAR}-01-01", "ns")
    orders = pd.DataFrame({
        "order_id": np.arange(1, cust.size + 1, dtype=np.int64),
        "order_date": pd.Series(start + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "customer_id": (cust + 1).astype(np.int64),
        "product_id": (product + 1).astype(np.int64),
        "channel": pd.Categorical.from_codes(channel.astype(np.int8), categories=list(CHANNELS)),
        "quantity": quantity.astype(np.int64),
        "revenue": (quantity * price[product]).astype(float),
    })

    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "size": size,
        "city": pd.Categorical.from_codes(city.astype(np.int8), categories=list(CITIES)),
        "region": pd.Categorical.from_codes(region.astype(np.int8), categories=regions),
    })
    products = pd.DataFrame({
        "product_id": np.arange(1, len(PRODUCTS) + 1, dtype=np.int64),
        "product": pd.Categorical([p[0] for p in PRODUCTS], categories=[p[0] for p in PRODUCTS]),
        "category": pd.Categorical([p[1] for p in PRODUCTS], categories=["software", "hardware", "services"]),
        "unit_price": price.astype(float),
    })

    # ---- e-mails: Poisson arrivals in December, log-normal reply times, optional 12-hour alert
    t0, t_end = pd.Timestamp(INBOX_START), pd.Timestamp(DATA_END)
    days = (t_end - t0) / pd.Timedelta(days=1)
    _, arrive_day = draw_arrivals(rng, np.array([k["emails_per_day"]]), days)
    m = arrive_day.size
    arrive_min = np.floor(arrive_day * 1440).astype(np.int64)          # minute of December
    topic_p = np.array([tp[1] for tp in TOPICS])
    topic = rng.choice(len(TOPICS), size=m, p=topic_p)
    medians = k["reply_median_hours"] * np.array([tp[2] for tp in TOPICS])
    natural = medians[topic] * np.exp(k["reply_sigma"] * rng.standard_normal(m))
    after_alert = ALERT_AFTER_HOURS + rng.exponential(k["alert_reply_hours"], size=m)
    reply = np.minimum(natural, after_alert) if k["sms_alert"] else natural
    reply_min = np.maximum(1, np.ceil(reply * 60)).astype(np.int64)
    end_min = int(round(days * 1440))
    open_ = arrive_min + reply_min > end_min
    start_ns = np.datetime64(INBOX_START, "ns")
    received = start_ns + arrive_min.astype("timedelta64[m]")
    replied = (start_ns + (arrive_min + reply_min).astype("timedelta64[m]")).astype("datetime64[ns]")
    replied[open_] = np.datetime64("NaT")
    email_ids = np.arange(1, m + 1, dtype=np.int64)
    emails = pd.DataFrame({
        "email_id": email_ids,
        "customer_id": (rng.integers(0, n, size=m) + 1).astype(np.int64),
        "topic": pd.Categorical.from_codes(topic.astype(np.int8), categories=[tp[0] for tp in TOPICS]),
        "received_at": pd.Series(received.astype("datetime64[ns]")),
        "replied_at": pd.Series(replied),
    })

    # ---- planted truth
    share = mix * np.asarray(CHANNEL_QTY)          # expected quantity (hence revenue) weight of each channel
    share = share / share.sum(axis=1, keepdims=True)
    sf24 = _reply_sf(REPLY_WITHIN_HOURS, medians, k["reply_sigma"], False, 1.0)
    decay = float(np.exp(-(REPLY_WITHIN_HOURS - ALERT_AFTER_HOURS) / k["alert_reply_hours"]))
    alert_on = k["sms_alert"]
    median = optimize.brentq(lambda x: _reply_sf(x, medians, k["reply_sigma"], alert_on, k["alert_reply_hours"])
                             - 0.5, 1e-6, 1e6)
    truth = {
        "hot_city": CITIES[hot],
        "hot_region": regions[hot_region],
        "hot_city_ratio": _hot_ratio(k["hot_city_growth"]),
        "flat_city_ratio": (365 - H1_DAYS) / H1_DAYS,
        "channel_mix": {s: dict(zip(CHANNELS, map(float, mix[i]))) for i, s in enumerate(size_names)},
        "channel_revenue_share": {s: dict(zip(CHANNELS, map(float, share[i]))) for i, s in enumerate(size_names)},
        "topic_median_hours": dict(zip([tp[0] for tp in TOPICS], map(float, medians))),
        "p_on_time_no_alert": 1 - sf24,
        "p_on_time_with_alert": 1 - sf24 * decay,
        "p_on_time": 1 - sf24 * (decay if alert_on else 1.0),
        "p_alert": _reply_sf(ALERT_AFTER_HOURS, medians, k["reply_sigma"], False, 1.0),
        "median_reply_hours": float(median),
        "sla": {"reply_within_hours": REPLY_WITHIN_HOURS, "alert_after_hours": ALERT_AFTER_HOURS,
                "data_end": DATA_END},
        "n_open": int(open_.sum()),
        "emails": pd.DataFrame({"reply_hours": reply_min / 60.0, "open": open_},
                               index=pd.Index(email_ids, name="email_id")),
    }
    return {"customers": customers, "products": products, "orders": orders, "emails": emails}, truth
