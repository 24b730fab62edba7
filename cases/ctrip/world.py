"""Ctrip: complaint management and service recovery (synthetic world).

Travellers book flights, hotels, trains and packages; some bookings lead to a complaint. Complaints
fall into categories with Pareto-shaped planted shares, each routed to the team that owns its cause
(product/R&D or process/management); they arrive by phone, e-mail, online chat or letter; the first
response time depends on the channel and on the complaint desk's staffing, and is measured against a
24-hour service-level agreement (an alert goes out when an e-mail is unanswered after 12 hours). The
desk takes a recovery action; the traveller rates satisfaction afterwards and either stays or leaves,
with planted effects of response time and recovery on retention (the service-recovery effect).

Sources: CRM Q&A compilation (source 0), line 17 (customers expect an e-mail answer within a day; alert
staff by text message when an e-mail is unanswered after 12 hours), lines 19-21 (record every complaint,
whatever the channel, and feed it back to R&D and management), lines 148-151 (casebook chapter: "the
customer is neither right nor wrong, just make them satisfied"). The service-recovery effect follows
Smith, Bolton & Wagner (1999), J. Marketing Research 36(3). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import likert_from_latent, logit_draw
from crmlab.worlds.mech.population import draw_segments
from crmlab.worlds.mech.purchases import bgnbd_draw, gamma_gamma_spend, weeks_to_dates
from crmlab.worlds.mech.tickets import TicketCategory, draw_arrivals, draw_tickets, expected_breach_rate, pareto_shares

START = "2024-01-01"
PRODUCT = "product/R&D"
PROCESS = "process/management"
# Complaint categories, most frequent first: (name, route, median hours to resolve, escalation p, resolve p).
CATEGORY_SPECS = (
    ("refund slow", PROCESS, 72.0, 0.15, 0.92),
    ("hotel not as booked", PRODUCT, 24.0, 0.20, 0.90),
    ("flight change handling", PROCESS, 12.0, 0.10, 0.95),
    ("price or billing error", PRODUCT, 48.0, 0.12, 0.93),
    ("app or website fault", PRODUCT, 36.0, 0.05, 0.88),
    ("staff attitude", PROCESS, 8.0, 0.25, 0.97),
    ("confirmation not received", PRODUCT, 6.0, 0.05, 0.98),
    ("visa and documents", PROCESS, 48.0, 0.10, 0.85),
)
# Channels: share of complaints and median first response as a multiple of the e-mail median.
CHANNELS = {"phone": (0.45, 0.25), "email": (0.25, 1.0), "online": (0.20, 0.5), "letter": (0.10, 3.0)}
RESPONSE_SIGMA = 1.0
# Recovery actions: probability when not escalated, when escalated.
ACTIONS = {"none": (0.15, 0.02), "apology": (0.35, 0.18), "rebook_or_fix": (0.25, 0.30),
           "refund": (0.15, 0.25), "voucher": (0.10, 0.25)}
# Log-odds of staying a customer after the complaint.
RETENTION = {"intercept": 0.9, "response_days": -0.6, "unresolved": -1.2,
             "action": {"none": 0.0, "apology": 0.4, "rebook_or_fix": 1.2, "refund": 0.8, "voucher": 1.0}}

SEGMENTS = [
    {"name": "business", "share": 0.25,
     "age": {"dist": "normal", "mean": 40, "sd": 8, "low": 20, "high": 75, "decimals": 0, "dtype": "int"},
     "member_tier": {"dist": "categorical", "probs": {"regular": 0.3, "gold": 0.35, "platinum": 0.25,
                                                       "diamond": 0.10}}},
    {"name": "leisure", "share": 0.55,
     "age": {"dist": "normal", "mean": 36, "sd": 11, "low": 18, "high": 80, "decimals": 0, "dtype": "int"},
     "member_tier": {"dist": "categorical", "probs": {"regular": 0.6, "gold": 0.3, "platinum": 0.08,
                                                       "diamond": 0.02}}},
    {"name": "budget", "share": 0.20,
     "age": {"dist": "normal", "mean": 26, "sd": 6, "low": 18, "high": 70, "decimals": 0, "dtype": "int"},
     "member_tier": {"dist": "categorical", "probs": {"regular": 0.85, "gold": 0.13, "platinum": 0.02,
                                                       "diamond": 0.0}}},
]
PRODUCTS = ("flight", "hotel", "train", "package")
# Product mix of each segment's bookings (PRODUCTS order).
PRODUCT_MIX = {"business": (0.55, 0.35, 0.08, 0.02), "leisure": (0.30, 0.40, 0.10, 0.20),
               "budget": (0.20, 0.30, 0.45, 0.05)}
# Booking process per segment: BG/NBD (r, alpha, a, b) per week and Gamma-Gamma spend (p, q, gamma), CNY.
BOOKING = {"business": ((2.0, 10.0, 1.0, 12.0), (6.0, 4.0, 600.0)),
           "leisure": ((1.0, 15.0, 1.0, 6.0), (5.0, 4.0, 700.0)),
           "budget": ((0.8, 20.0, 1.2, 5.0), (4.0, 5.0, 300.0))}

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 500}
KNOBS = [
    Knob("n_customers", 5000, int, "number of travellers", low=20, high=2_000_000, doc_zh="旅客人数"),
    Knob("months", 12, int, "length of the observation window", low=1, high=60, unit="months",
         doc_zh="观察期长度"),
    Knob("complaint_rate", 0.06, float, "expected complaints per booking", low=0.0, high=1.0,
         doc_zh="每笔预订的期望投诉次数"),
    Knob("pareto_alpha", 1.1, float, "steepness of the category shares (share of the k-th category "
         "proportional to k**-alpha)", low=0.0, high=4.0,
         doc_zh="投诉类别占比的陡峭程度（第k个类别的占比与 k**-alpha 成正比）"),
    Knob("staffing", 1.0, float, "complaint-desk staffing relative to plan: response medians are divided "
         "by it", low=0.2, high=5.0, doc_zh="投诉处理人手相对于计划水平的倍数：响应时间的中位数除以它"),
    Knob("email_median_hours", 8.0, float, "median first response to an e-mail at staffing 1", low=0.1,
         high=500.0, unit="hours", doc_zh="人手为计划水平（staffing = 1）时电子邮件首次响应时间的中位数"),
    Knob("sla_hours", 24.0, float, "promised first response (customers expect an answer within a day)",
         low=1.0, high=720.0, unit="hours",
         doc_zh="服务水平协议（SLA）规定的首次响应时限（顾客希望一天之内得到答复）"),
    Knob("alert_hours", 12.0, float, "an alert is sent when an e-mail is unanswered this long", low=0.5,
         high=720.0, unit="hours", doc_zh="电子邮件超过这一时长仍未回复即发出报警"),
    Knob("recovery_scale", 1.0, float, "multiplies the planted effects of recovery actions on retention",
         low=0.0, high=3.0, doc_zh="补救措施对客户保留的预设效应的倍数"),
]

C = Column
TABLES = [
    Table("travellers", "One row per traveller (customer).", (
        C("customer_id", "int64", "traveller id", doc_zh="旅客编号"),
        C("age", "int64", "age", "years", doc_zh="年龄"),
        C("member_tier", "category", "membership tier", doc_zh="会员等级"),
        C("first_booking", "datetime64[ns]", "date of the first booking", doc_zh="首次预订日期"),
    ), doc_zh="每位旅客（客户）一行。"),
    Table("bookings", "One row per booking in the window (travellers who left after a complaint have no "
          "later bookings).", (
              C("booking_id", "int64", "booking id", doc_zh="预订编号"),
              C("customer_id", "int64", "traveller id", doc_zh="旅客编号"),
              C("booked_on", "datetime64[ns]", "booking date", doc_zh="预订日期"),
              C("product", "category", "what was booked", doc_zh="预订的产品：flight（机票）、hotel（酒店）、"
                                                                 "train（火车票）或 package（度假套餐）"),
              C("amount", "float64", "booking value", "CNY", doc_zh="预订金额"),
          ), doc_zh="观察期内每笔预订一行（投诉后离开的旅客此后不再有预订）。"),
    Table("complaints", "One row per complaint: how it came in, what it was about, how it was handled, "
          "and what the traveller did next.", (
              C("complaint_id", "int64", "complaint id", doc_zh="投诉编号"),
              C("customer_id", "int64", "traveller id", doc_zh="旅客编号"),
              C("booking_id", "int64", "booking complained about", doc_zh="被投诉的预订"),
              C("opened_at", "datetime64[ns]", "when the complaint arrived", doc_zh="投诉到达的时间"),
              C("channel", "category", "phone, email, online (chat) or letter",
                doc_zh="投诉渠道：phone（电话）、email（电子邮件）、online（在线聊天）或 letter（信函）"),
              C("category", "category", "what the complaint is about", doc_zh="投诉的内容类别"),
              C("route", "category", "team that owns the cause: product/R&D or process/management",
                doc_zh="负责消除原因的部门：product/R&D（产品/研发）或 process/management（流程/管理）"),
              C("response_hours", "float64", "time to first response", "hours", doc_zh="首次响应所用时间"),
              C("sla_breached", "bool", "first response later than the SLA",
                doc_zh="首次响应晚于服务水平协议（SLA）的时限"),
              C("alert_sent", "bool", "an e-mail stayed unanswered longer than the alert threshold",
                doc_zh="电子邮件未回复的时间超过了报警时限"),
              C("escalated", "bool", "passed to a supervisor", doc_zh="已升级给主管处理"),
              C("recovery_action", "category", "what the desk did: none, apology, rebook_or_fix, refund, voucher",
                doc_zh="投诉处理人员采取的补救措施：none（无）、apology（道歉）、rebook_or_fix（改订或修正）、"
                       "refund（退款）、voucher（代金券）"),
              C("resolved", "bool", "the complaint was resolved", doc_zh="投诉已解决"),
              C("resolve_hours", "float64", "time from arrival to resolution (NaN if unresolved)", "hours",
                doc_zh="从投诉到达至解决所用的时间（未解决则为 NaN）"),
              C("satisfaction", "int8", "post-complaint satisfaction survey, 1 (very dissatisfied) to 5",
                doc_zh="投诉处理后的满意度调查，1（非常不满意）至5"),
              C("retained", "bool", "the traveller kept booking after the complaint", doc_zh="旅客投诉后继续预订"),
          ), doc_zh="每次投诉一行：从哪个渠道进来、投诉什么、如何处理，以及旅客此后的去留。"),
]

DESCRIPTION = f"""
Travellers come from three latent segments (business 25%, leisure 55%, budget 20%) with their own
age, membership tier and product mix. Bookings follow a BG/NBD process per segment (first bookings
spread over the first half of the window) and booking values a Gamma-Gamma model
(crmlab.worlds.mech.purchases).

Each booking raises Poisson(`complaint_rate`) complaints within ten days. A complaint's category is
drawn with planted shares proportional to k**-pareto_alpha in the order {[c[0] for c in CATEGORY_SPECS]};
each category is routed to product/R&D or process/management (`truth['category_route']`). Channel
shares and response medians (multiples of `email_median_hours`, divided by `staffing`):
{CHANNELS} (share, multiple). First response ~ LogNormal(log median,
{RESPONSE_SIGMA}); the SLA is breached when it exceeds `sla_hours` (planted breach rate in closed form:
`truth['expected_breach_rate']`); an alert is sent for e-mails unanswered after `alert_hours`.
Escalation and resolution as in crmlab.worlds.mech.tickets (breaching the SLA doubles the odds of
escalation). The recovery action is drawn with probabilities {ACTIONS} (not escalated, escalated).

Retention after the complaint is logistic: {RETENTION} applied to response time in days, an
unresolved complaint, and the action (action effects times `recovery_scale`). Satisfaction (1-5) is an
ordered-probit answer to the same linear predictor. A traveller who leaves makes no later bookings or
complaints. `truth['travellers']` holds each traveller's segment, `truth['complaints']` each
complaint's retention probability.
"""


DESCRIPTION_ZH = f"""
旅客来自三个潜在群体（business 商务 25%、leisure 休闲 55%、budget 经济 20%），各群体的年龄、会员等级和产品组合不同。每个群体的预订服从一个BG/NBD过程（首次预订分布在观察期的前一半），预订金额服从Gamma-Gamma模型（crmlab.worlds.mech.purchases）。

每笔预订在其后十天内产生 Poisson(`complaint_rate`) 次投诉。投诉类别按预设占比抽取，占比与 k**-pareto_alpha 成正比，类别依次为 {[c[0] for c in CATEGORY_SPECS]}；每个类别转交产品/研发（product/R&D）或流程/管理（process/management）（`truth['category_route']`）。各渠道的投诉占比和首次响应时间的中位数（以 `email_median_hours` 的倍数表示，再除以 `staffing`）：{CHANNELS}（占比，倍数）。首次响应时间 ~ LogNormal(log 中位数, {RESPONSE_SIGMA})；超过 `sla_hours` 即违反服务水平协议（SLA）（预设的违约率有解析解：`truth['expected_breach_rate']`）；电子邮件超过 `alert_hours` 仍未回复即发出报警。升级与解决按 crmlab.worlds.mech.tickets 生成（违反SLA使升级的几率（odds）加倍）。补救措施按概率 {ACTIONS} 抽取（括号内依次为未升级、已升级时的概率）。

投诉后是否继续预订服从逻辑回归模型：系数 {RETENTION}，依次作用于以天计的响应时间、投诉未解决和补救措施（措施的效应乘以 `recovery_scale`）。满意度（1–5）是对同一线性预测值的有序probit回答。离开的旅客此后不再有预订和投诉。`truth['travellers']` 给出每位旅客所属的群体，`truth['complaints']` 给出每次投诉后旅客留下的概率。
"""


def _categories(alpha: float) -> list[TicketCategory]:
    shares = pareto_shares(len(CATEGORY_SPECS), alpha)
    return [TicketCategory(name, float(s), route, med, esc, res)
            for (name, route, med, esc, res), s in zip(CATEGORY_SPECS, shares)]


def _choice(rng, n, probs) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return rng.choice(p.size, size=n, p=p / p.sum())


def _choice_rows(rng, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows x options) probability matrix (inverse CDF, vectorised)."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(probs))[:, None] > cum).sum(axis=1).clip(max=probs.shape[1] - 1)


# version 2: bookings come from the thinned BG/NBD draw (same model, different numbers per seed)
# version 3: dropout probabilities and spend come from numerical inversion (mech.sampling): same
# distributions, different numbers per seed
@register("ctrip", title="Ctrip: complaint management and service recovery", description=DESCRIPTION,
          knobs=KNOBS, tables=TABLES, version="3", title_zh="携程：投诉管理与服务补救",
          description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    horizon = k["months"] * 52.0 / 12
    pop = draw_segments(rng, n, SEGMENTS)
    seg = pop["segment"].cat.codes.to_numpy()

    # Bookings: one BG/NBD + Gamma-Gamma draw per segment.
    cust, time, amount, birth = [], [], [], np.empty(n)
    for j, s in enumerate(pop["segment"].cat.categories):
        members = np.flatnonzero(seg == j)
        (r, alpha, a, b), (p, q, g) = BOOKING[s]
        d = bgnbd_draw(rng, members.size, r, alpha, a, b, horizon, birth=rng.uniform(0, horizon / 2, members.size))
        gg = gamma_gamma_spend(rng, d.customer, p, q, g, n_customers=members.size)
        cust.append(members[d.customer])
        time.append(d.time)
        amount.append(gg.amount)
        birth[members] = d.birth
    cust, time, amount = np.concatenate(cust), np.concatenate(time), np.concatenate(amount)
    order = np.lexsort((time, cust))
    cust, time, amount = cust[order], time[order], amount[order]
    mix = np.array([PRODUCT_MIX[s] for s in pop["segment"].cat.categories])
    booked_product = _choice_rows(rng, mix[seg[cust]])

    # Complaints: Poisson(complaint_rate) per booking, within ten days of it.
    window_days = 10.0
    bk, offset_days = draw_arrivals(rng, np.full(cust.size, k["complaint_rate"] / window_days), window_days)
    opened_w = time[bk] + offset_days / 7
    keep = opened_w < horizon
    bk, opened_w = bk[keep], opened_w[keep]
    o = np.lexsort((opened_w, cust[bk]))
    bk, opened_w = bk[o], opened_w[o]
    m = bk.size
    ch_names = list(CHANNELS)
    ch = _choice(rng, m, [CHANNELS[c][0] for c in ch_names])
    mult = np.array([CHANNELS[c][1] for c in ch_names])
    base = k["email_median_hours"] / k["staffing"]
    cats = _categories(k["pareto_alpha"])
    t = draw_tickets(rng, cats, response_median_hours=base * mult[ch], response_sigma=RESPONSE_SIGMA,
                     sla_hours=k["sla_hours"], breach_escalation_odds=2.0)
    act_names = list(ACTIONS)
    act_p = np.array([ACTIONS[a] for a in act_names])
    esc = t["escalated"].to_numpy()
    act = _choice_rows(rng, act_p.T[esc.astype(int)])
    resolved = t["resolved"].to_numpy()
    rc = RETENTION
    act_eff = k["recovery_scale"] * np.array([rc["action"][a] for a in act_names])
    eta = (rc["intercept"] + rc["response_days"] * t["response_hours"].to_numpy() / 24
           + rc["unresolved"] * ~resolved + act_eff[act])
    p_ret, retained = logit_draw(rng, eta)
    retained = retained.astype(bool)
    satisfaction = likert_from_latent(rng, eta - rc["intercept"], noise_sd=0.7)

    # A traveller who leaves after a complaint books (and complains) no more.
    churn_at = np.full(n, np.inf)
    np.minimum.at(churn_at, cust[bk[~retained]], opened_w[~retained])
    keep_b = time <= churn_at[cust]
    keep_c = keep_b[bk] & (opened_w <= churn_at[cust[bk]])

    cid = np.arange(1, n + 1, dtype=np.int64)
    bid_all = np.arange(1, cust.size + 1, dtype=np.int64)
    travellers = pd.DataFrame({
        "customer_id": cid,
        "age": pop["age"].to_numpy(),
        "member_tier": pop["member_tier"],
        "first_booking": weeks_to_dates(START, birth),
    })
    bookings = pd.DataFrame({
        "booking_id": bid_all[keep_b],
        "customer_id": cid[cust[keep_b]],
        "booked_on": weeks_to_dates(START, time[keep_b]),
        "product": pd.Categorical.from_codes(booked_product[keep_b].astype(np.int32), categories=PRODUCTS),
        "amount": amount[keep_b].astype(np.float64),
    })
    sel = np.flatnonzero(keep_c)
    start = np.datetime64(START, "ns")
    complaints = pd.DataFrame({
        "complaint_id": np.arange(1, sel.size + 1, dtype=np.int64),
        "customer_id": cid[cust[bk[sel]]],
        "booking_id": bid_all[bk[sel]],
        "opened_at": start + np.floor(opened_w[sel] * 7 * 86400).astype("timedelta64[s]").astype("timedelta64[ns]"),
        "channel": pd.Categorical.from_codes(ch[sel].astype(np.int32), categories=ch_names),
        "category": t["category"].array[sel],
        "route": t["route"].array[sel],
        "response_hours": t["response_hours"].to_numpy()[sel],
        "sla_breached": t["sla_breached"].to_numpy()[sel],
        "alert_sent": (ch[sel] == ch_names.index("email")) & (t["response_hours"].to_numpy()[sel] > k["alert_hours"]),
        "escalated": esc[sel],
        "recovery_action": pd.Categorical.from_codes(act[sel].astype(np.int32), categories=act_names),
        "resolved": resolved[sel],
        "resolve_hours": t["resolve_hours"].to_numpy()[sel],
        "satisfaction": satisfaction[sel],
        "retained": retained[sel],
    })
    ch_share = np.array([CHANNELS[c][0] for c in ch_names])
    truth = {
        "category_shares": {c.name: c.share for c in cats},
        "category_route": {c.name: c.route for c in cats},
        "channel_shares": {c: CHANNELS[c][0] for c in ch_names},
        "response_median_hours": {c: float(base * CHANNELS[c][1]) for c in ch_names},
        "response_sigma": RESPONSE_SIGMA,
        "expected_breach_rate": float(sum(w * expected_breach_rate(base * CHANNELS[c][1], RESPONSE_SIGMA,
                                                                    k["sla_hours"])
                                          for w, c in zip(ch_share, ch_names))),
        "retention_coef": {"intercept": rc["intercept"], "response_days": rc["response_days"],
                           "unresolved": rc["unresolved"],
                           "action": {a: float(e) for a, e in zip(act_names, act_eff)}},
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "booking_process": {s: {"bgnbd": dict(zip(("r", "alpha", "a", "b"), bg)),
                                "gamma_gamma": dict(zip(("p", "q", "gamma"), gg)),
                                "product_mix": dict(zip(PRODUCTS, PRODUCT_MIX[s]))}
                            for s, (bg, gg) in BOOKING.items()},
        "travellers": pd.DataFrame({"segment": pop["segment"].to_numpy()},
                                   index=pd.Index(travellers["customer_id"], name="customer_id")),
        "complaints": pd.DataFrame({"p_retained": p_ret[sel]},
                                   index=pd.Index(complaints["complaint_id"], name="complaint_id")),
    }
    return {"travellers": travellers, "bookings": bookings, "complaints": complaints}, truth
