"""Exercise checks of the CRM-types case (notebooks/crm_types.ipynb), computed from the student's own world.

The notebook answers the OLAP questions in SQL on a DuckDB star schema and the service-level questions with
``crmlab.service.sla_status``; each check here recomputes its expected value from the world's raw tables with
numpy (integer nanoseconds, ``np.add.at`` sums), so a bug in the notebook's SQL or in the library cannot make a
wrong answer pass. The world is built in cases/crm_types/world.py.

Below the checks: the answers computed the notebook's way (``@solutions``, the same SQL on the same star schema)
and the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, exercise, matching, mistakes, solutions

CASE = "crm_types"
REPLY_WITHIN_H, ALERT_AFTER_H = 24, 12
DATA_END = np.datetime64("2024-01-01T00:00", "ns")   # the data were extracted at midnight on 31 December
DATA_END_TS = pd.Timestamp("2024-01-01")
HOUR_NS = 3_600_000_000_000

#: Q1: items of the notebook's CRM and the type each belongs to (Analytical CRM course pack (source 1),
#: lines 50–62, 80–85 and 94–100; CRM Q&A compilation (source 0), line 16).
TYPES = {
    "operational": ["operational", "operational crm", "运营型", "操作型", "运营型crm", "操作型crm"],
    "collaborative": ["collaborative", "collaborative crm", "协作型", "合作型", "协同型", "协作型crm", "合作型crm",
                      "协同型crm"],
    "analytical": ["analytical", "analytical crm", "分析型", "分析型crm"],
}
ITEMS = {"sales funnel report": "operational", "campaign response tracking": "operational",
         "web chat with customers": "collaborative", "IVR phone menu": "collaborative",
         "OLAP cube": "analytical", "churn prediction model": "analytical"}


@exercise(CASE, "q1", hint="Operational CRM automates the daily sales, marketing and service processes; collaborative "
                           "CRM integrates the channels that talk with customers (call centre, e-mail, IVR, CTI); "
                           "analytical CRM analyses the data of the other two (data warehouse, OLAP, data mining). "
                           "Give a dict {item: 'operational' | 'collaborative' | 'analytical'}.",
          hint_zh="运营型CRM让日常的销售、营销和服务流程自动化；协作型CRM整合与客户沟通的渠道（呼叫中心、电子邮件、IVR、CTI）；"
                  "分析型CRM分析前两者产生的数据（数据仓库、OLAP、数据挖掘）。请给出字典 {项目: '运营型' | '协作型' | '分析型'}"
                  "（写英文 operational / collaborative / analytical 亦可）。")
def q1(world, answer):
    return matching(answer, {item: TYPES[kind] for item, kind in ITEMS.items()},
                    what="the CRM type of each item", what_zh="各项目所属的CRM类型")


# ----------------------------------------------------------------------------- independent recomputations
def _orders(world):
    """Order lines with the customer's region, city and size codes, by numpy lookups on customer_id."""
    o, c = world.tables["orders"], world.tables["customers"]
    pos = np.searchsorted(c["customer_id"].to_numpy(), o["customer_id"].to_numpy())
    month = o["order_date"].dt.month.to_numpy()
    return {"revenue": o["revenue"].to_numpy(dtype=float), "h2": month > 6,
            "region": c["region"].astype(str).to_numpy()[pos], "city": c["city"].astype(str).to_numpy()[pos],
            "size": c["size"].astype(str).to_numpy()[pos], "channel": o["channel"].astype(str).to_numpy()}


def _growth(keys: np.ndarray, revenue: np.ndarray, h2: np.ndarray) -> dict:
    """H2 revenue minus H1 revenue per key."""
    names, inv = np.unique(keys, return_inverse=True)
    out = np.zeros(names.size)
    np.add.at(out, inv, np.where(h2, revenue, -revenue))
    return dict(zip(names.tolist(), out.tolist()))


def _drill(world) -> tuple[str, str]:
    """The region whose revenue grew most (H2 - H1) and, inside it, the city that grew most."""
    d = _orders(world)
    g = _growth(d["region"], d["revenue"], d["h2"])
    region = max(g, key=g.get)
    inside = d["region"] == region
    gc = _growth(d["city"][inside], d["revenue"][inside], d["h2"][inside])
    return region, max(gc, key=gc.get)


@exercise(CASE, "q2", hint="Roll up H2 revenue minus H1 revenue to the regions, take the region that grew most, then "
                           "drill down to its cities and name the city whose revenue grew most (in CNY, not in %).",
          hint_zh="先把下半年减上半年的销售额汇总到大区，找出增长最多的大区，再下钻到该区的各个城市，给出销售额增长最多的城市名"
                  "（按金额，不按百分比）。")
def q2(world, answer):
    _, city = _drill(world)
    if not isinstance(answer, str):
        return False, Text(f"expected the name of a city (text), got {type(answer).__name__}",
                           f"应当给出城市名（文字），而你给的是 {type(answer).__name__}")
    ok = answer.strip().lower() == city.lower()
    return ok, Text(f"the city that drove its region's growth: {answer!r} is {'right' if ok else 'not right'}",
                    f"带动本大区增长的城市：{answer!r} {'正确' if ok else '不对'}")


def _web_share_small(world) -> float:
    d = _orders(world)
    small = d["size"] == "small"
    return float(d["revenue"][small & (d["channel"] == "web")].sum() / d["revenue"][small].sum())


@exercise(CASE, "q3", hint="Slice the cube at size = small: web revenue of small companies divided by all revenue "
                           "of small companies (a share between 0 and 1).",
          hint_zh="在规模 = small 处切片：小企业经由网店（web）的销售额除以小企业的全部销售额（0到1之间的比例）。")
def q3(world, answer):
    return close(answer, _web_share_small(world), abs=1e-4, what="the web channel's share of small companies' revenue",
                 what_zh="小企业销售额中网店渠道的占比")


def _emails_ns(world):
    e = world.tables["emails"]
    rec = e["received_at"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    rep = e["replied_at"].to_numpy().astype("datetime64[ns]")
    open_ = np.isnat(rep)
    end = np.where(open_, DATA_END.astype(np.int64), rep.astype(np.int64))
    return rec, end, open_


@exercise(CASE, "q4", hint="Take only the e-mails received at least 24 hours before the data's end (their outcome "
                           "is known even if still unanswered); count those answered within 24 hours and divide by "
                           "all of them, open ones included.",
          hint_zh="只取数据截止前至少24小时收到的邮件（即使仍未回复，其结果也已确定）；数出其中24小时内得到回复的邮件，"
                  "再除以这些邮件的总数（包括未回复的）。")
def q4(world, answer):
    rec, end, open_ = _emails_ns(world)
    cohort = rec <= DATA_END.astype(np.int64) - REPLY_WITHIN_H * HOUR_NS
    on_time = ~open_ & (end - rec <= REPLY_WITHIN_H * HOUR_NS)
    n = int(cohort.sum())
    if n == 0:
        return False, Text("this world has no e-mail old enough to judge", "这个数据世界没有足够早的邮件可供判断")
    # one e-mail more or less at a boundary (received exactly 24 h before the end, replied after exactly 24 h)
    return close(answer, float(on_time[cohort].mean()), abs=1.01 / n,
                 what="the share of e-mails answered within a day", what_zh="一天内得到回复的邮件占比")


@exercise(CASE, "q5", hint="An alert fires for every e-mail still unanswered 12 hours after it arrived: those answered "
                           "after more than 12 hours, and those still open at the data's end that had already waited "
                           "more than 12 hours. Give a count.",
          hint_zh="凡是到达12小时后仍未回复的邮件都应触发报警：回复用时超过12小时的邮件，加上数据截止时仍未回复、且已等待超过"
                  "12小时的邮件。请给出封数。")
def q5(world, answer):
    rec, end, _ = _emails_ns(world)
    waited = end - rec
    lo, hi = int((waited > ALERT_AFTER_H * HOUR_NS).sum()), int((waited >= ALERT_AFTER_H * HOUR_NS).sum())
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of e-mails, got {answer!r}",
                           f"邮件数应当是一个整数，而你给的是 {answer!r}")
    # "more than 12 hours" or "12 hours or more": both conventions are accepted
    return close(int(answer), (lo + hi) / 2, abs=(hi - lo) / 2 + 0.01, fmt=".0f",
                 what="the number of 12-hour alerts", what_zh="12小时报警的次数")


# ------------------------------------------------------------------------------ right answers and mistakes
STAR_SQL = """
CREATE TABLE dim_customer AS
    SELECT customer_id, CAST(size AS VARCHAR) AS size, CAST(city AS VARCHAR) AS city,
           CAST(region AS VARCHAR) AS region FROM src_customers;
CREATE TABLE dim_product AS
    SELECT product_id, CAST(product AS VARCHAR) AS product, CAST(category AS VARCHAR) AS category, unit_price
    FROM src_products;
CREATE TABLE dim_channel AS
    SELECT CAST(row_number() OVER (ORDER BY channel) AS INTEGER) AS channel_id, channel
    FROM (SELECT DISTINCT CAST(channel AS VARCHAR) AS channel FROM src_orders);
CREATE TABLE dim_date AS
    SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key, CAST(d AS DATE) AS date,
           month(d) AS month, 'Q' || quarter(d) AS quarter, CASE WHEN month(d) <= 6 THEN 'H1' ELSE 'H2' END AS half
    FROM range((SELECT min(order_date) FROM src_orders), (SELECT max(order_date) FROM src_orders) + INTERVAL 1 DAY,
               INTERVAL 1 DAY) AS t(d);
CREATE TABLE fact_sales AS
    SELECT o.order_id, CAST(strftime(o.order_date, '%Y%m%d') AS INTEGER) AS date_key, o.customer_id, o.product_id,
           ch.channel_id, o.quantity, o.revenue
    FROM src_orders AS o JOIN dim_channel AS ch ON CAST(o.channel AS VARCHAR) = ch.channel;
"""

ROLLUP_SQL = """
SELECT CASE WHEN GROUPING(region) = 1 THEN '(all)' ELSE region END AS region,
       CASE WHEN GROUPING(city) = 1 THEN '(all)' ELSE city END AS city,
       SUM(CASE WHEN half = 'H1' THEN revenue ELSE 0 END) AS h1,
       SUM(CASE WHEN half = 'H2' THEN revenue ELSE 0 END) AS h2
FROM fact_sales JOIN dim_customer USING (customer_id) JOIN dim_date USING (date_key)
GROUP BY ROLLUP (region, city)
ORDER BY GROUPING(region), region, GROUPING(city) DESC, city
"""

CUBE_SQL = """
SELECT CASE WHEN GROUPING(size) = 1 THEN '(all)' ELSE size END AS size,
       CASE WHEN GROUPING(channel) = 1 THEN '(all)' ELSE channel END AS channel,
       SUM(revenue) AS revenue, COUNT(*) AS order_lines
FROM fact_sales JOIN dim_customer USING (customer_id) JOIN dim_channel USING (channel_id)
GROUP BY CUBE (size, channel)
ORDER BY size, channel
"""


def star_schema(world):
    """The notebook's in-memory DuckDB star schema (section 4.2)."""
    import duckdb

    con = duckdb.connect()
    for name, frame in world.tables.items():
        con.register(f"src_{name}", frame)
    con.execute(STAR_SQL)
    return con


def _notebook_answers(world) -> dict:
    from crmlab import service

    con = star_schema(world)
    rollup = con.sql(ROLLUP_SQL).df()
    rollup["growth"] = rollup["h2"] - rollup["h1"]
    regions = rollup[(rollup["city"] == "(all)") & (rollup["region"] != "(all)")]
    top_region = regions.loc[regions["growth"].idxmax(), "region"]
    cities = rollup[(rollup["region"] == top_region) & (rollup["city"] != "(all)")]
    cube = con.sql(CUBE_SQL).df().set_index(["size", "channel"])
    con.close()
    emails = world.tables["emails"]
    status = service.sla_status(emails, as_of=DATA_END_TS, reply_within_hours=24, alert_after_hours=12)
    cohort = emails["received_at"] <= DATA_END_TS - pd.Timedelta(hours=24)
    return {"rollup": rollup, "regions": regions, "top_region": top_region, "cities": cities, "cube": cube,
            "status": status, "cohort": cohort}



@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/crm_types.ipynb, section 5."""
    nb = _notebook_answers(world)
    crm_type = dict(ITEMS)
    growth_city = nb["cities"].loc[nb["cities"]["growth"].idxmax(), "city"]
    cube = nb["cube"]
    web_share_small = float(cube.loc[("small", "web"), "revenue"] / cube.loc[("small", "(all)"), "revenue"])
    status, cohort = nb["status"], nb["cohort"]
    on_time_share = float((status.loc[cohort, "status"] == "on_time").mean())
    alerts = int(status["alert"].sum())
    return {"q1": crm_type, "q2": str(growth_city), "q3": web_share_small, "q4": on_time_share, "q5": alerts}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    nb = _notebook_answers(world)
    right = answers(world)
    cube, status, cohort = nb["cube"], nb["status"], nb["cohort"]
    cities = nb["cities"]
    q2 = {"the region instead of the city": str(nb["top_region"])}
    biggest = str(cities.loc[(cities["h1"] + cities["h2"]).idxmax(), "city"])
    if biggest != right["q2"]:
        q2["the region's biggest city by revenue, not by growth"] = biggest
    all_cities = nb["rollup"][nb["rollup"]["city"] != "(all)"]
    fastest = str(all_cities.loc[(all_cities["h2"] / all_cities["h1"]).idxmax(), "city"])
    if fastest != right["q2"]:
        q2["the fastest-growing city in per cent, skipping the roll-up"] = fastest
    replied = status["replied"]
    waited = status["hours_waited"]
    exactly_12 = int((waited == 12).sum())  # the check accepts "more than" and "at least" 12 hours
    q5 = {"breaches of the one-day promise instead of 12-hour alerts": int(status["breach"].sum())}
    for what, value in (("every open e-mail counted as an alert, however short its wait",
                         int((status["alert"] & replied).sum() + (~replied).sum())),
                        ("answered e-mails only (the open ones left out)", int((status["alert"] & replied).sum()))):
        if not right["q5"] <= value <= right["q5"] + exactly_12:
            q5[what] = value
    # In a small inbox a censoring mistake can coincide with the right answer (no e-mail open in the last day, or
    # its bias smaller than one e-mail): it is declared only where it gives another answer.
    tol = 1.01 / int(cohort.sum())
    q4 = {"a percentage instead of a share": 100 * right["q4"]}
    for what, value in (("every e-mail, the last day's open ones counted as late",
                         float((status["status"] == "on_time").mean())),
                        ("answered e-mails only (the open ones dropped)",
                         float((status.loc[replied, "status"] == "on_time").mean()))):
        if abs(value - right["q4"]) > tol:
            q4[what] = value
    return {
        "q1": {"web chat as operational (customer service is an operational module, but a contact channel is "
               "collaborative)": {**ITEMS, "web chat with customers": "operational"},
               "the funnel report as analytical (it is a report, but of operational CRM's sales process)":
                   {**ITEMS, "sales funnel report": "analytical"},
               "campaign response tracking as analytical (the source lists it under marketing automation)":
                   {**ITEMS, "campaign response tracking": "analytical"},
               "the IVR menu as operational": {**ITEMS, "IVR phone menu": "operational"}},
        "q2": q2,
        "q3": {"web share of all revenue (the cube's total row, not the small-company slice)":
                   float(cube.loc[("(all)", "web"), "revenue"] / cube.loc[("(all)", "(all)"), "revenue"]),
               "small companies' web revenue divided by all revenue (the wrong denominator)":
                   float(cube.loc[("small", "web"), "revenue"] / cube.loc[("(all)", "(all)"), "revenue"]),
               "share of order lines instead of revenue":
                   float(cube.loc[("small", "web"), "order_lines"] / cube.loc[("small", "(all)"), "order_lines"]),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": q4,
        "q5": q5,
    }
