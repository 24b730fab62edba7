"""Lenovo: service as a system — a call centre by half-hour and three service networks (synthetic world).

Two tables. ``calls`` is the log of a call centre over ``n_days`` working days, 08:00–20:00 in 24
half-hours: Poisson arrivals with a daily profile (two peaks, a lunch dip), exponential handle times,
exponential patience (callers hang up when they have waited longer than their patience), served first come
first served by a flat rota. ``issues`` is a month of customer service issues
across the three networks of Lenovo's eCare (on-site service, call centre, web): the network each issue
first reached, how many contacts it took, whether the first contact resolved it and what it cost.

Sources: Analytical CRM course pack (source 1), lines 63–71 (Lenovo's eCare network integrating the on-site
service network, the technical-support and call centre and the service website as 三网合一; the table of
contents names its Call Center and the Clover CRM system). Arrival, handle-time and patience models as in
Gans, Koole & Mandelbaum (2003), "Telephone call centers: tutorial, review, and research prospects",
Manufacturing & Service Operations Management 5(2) (public record). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.service import agents_needed, serve_queue
from crmlab.worlds import Column, Knob, Table, register

INTERVALS = 24                   # half-hours from 08:00 to 20:00
OPEN_HOUR = 8
# Relative call volume per half-hour (a morning peak at 10:00–11:30, a lunch dip, an afternoon peak at 14:00–16:00).
PROFILE = np.array([0.45, 0.70, 0.95, 1.15, 1.40, 1.55, 1.60, 1.50, 1.20, 0.95, 0.85, 1.00,
                    1.25, 1.40, 1.45, 1.40, 1.20, 1.00, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35])
SHARES = PROFILE / PROFILE.sum()
DAY_SD = 0.08                    # day-to-day spread of the daily volume (gamma multiplier)

NETWORKS = ("web", "call_centre", "on_site")
ISSUE_TYPES = ("hardware", "software", "usage", "warranty")
TYPE_SHARES = (0.30, 0.25, 0.30, 0.15)
# Probability that one contact on a network resolves an issue of a type (first-contact resolution, FCR).
FCR = {"hardware": (0.05, 0.15, 0.85), "software": (0.25, 0.70, 0.90),
       "usage": (0.65, 0.85, 0.95), "warranty": (0.30, 0.80, 0.90)}
# Where customers first go today (the same for every type: routing is left to the customer).
FIRST_MIX = (0.35, 0.45, 0.20)

SNAPSHOT_KNOBS = {"n_days": 1, "calls_per_day": 1500, "n_issues": 2000}
KNOBS = [
    Knob("n_days", 10, int, "working days in the call log (08:00–20:00)", low=1, high=250, unit="days",
         doc_zh="呼叫记录覆盖的工作日数（08:00–20:00）"),
    Knob("calls_per_day", 4000, int, "expected calls offered to the call centre per day", low=100, high=50_000,
         unit="calls", doc_zh="每天打进呼叫中心的期望来电数"),
    Knob("aht_s", 270.0, float, "average handle time of a call (talk and wrap-up; exponential)", low=30.0,
         high=1800.0, unit="s", doc_zh="每通电话的平均处理时长（通话加善后，指数分布）"),
    Knob("patience_s", 120.0, float, "mean patience of a caller in the queue before hanging up (exponential)",
         low=5.0, high=3600.0, unit="s", doc_zh="来电者在队列中挂断前平均愿意等待的时长（指数分布）"),
    Knob("rota_factor", 1.35, float, "today's flat rota: agents on duty all day = ceil(rota_factor x the day's "
         "average offered load in Erlangs)", low=0.5, high=3.0, doc_zh="现行的全天平均排班：全天在岗坐席数 = "
         "ceil(rota_factor x 全天平均话务量（爱尔兰）)"),
    Knob("n_issues", 20000, int, "customer service issues in the month", low=200, high=2_000_000,
         doc_zh="一个月内的客户服务问题数"),
    Knob("cost_web", 5.0, float, "cost of one contact through the service website", low=0.0, high=1000.0,
         unit="CNY", doc_zh="通过服务网站处理一次接触的成本"),
    Knob("cost_call", 30.0, float, "cost of one call-centre contact", low=0.0, high=2000.0, unit="CNY",
         doc_zh="呼叫中心处理一次接触的成本"),
    Knob("cost_on_site", 300.0, float, "cost of one on-site engineer visit", low=0.0, high=10_000.0, unit="CNY",
         doc_zh="工程师一次上门服务的成本"),
    Knob("cost_per_repeat", 80.0, float, "extra cost of every repeat contact (handover, re-diagnosis, goodwill)",
         low=0.0, high=5000.0, unit="CNY", doc_zh="每次重复接触的额外成本（转交、重新诊断、安抚补偿）"),
]

C = Column
TABLES = [
    Table("calls", "One row per call offered to the call centre: when it arrived, how long the caller waited, "
          "whether an agent answered and how long the call took.", (
              C("call_id", "int64", "call number", doc_zh="来电编号"),
              C("day", "int64", "working day (1 = first day of the log)", doc_zh="工作日（1 = 记录的第一天）"),
              C("interval", "int64", "half-hour of arrival: 0 = 08:00–08:30 … 23 = 19:30–20:00",
                doc_zh="来电所在的半小时：0 = 08:00–08:30 … 23 = 19:30–20:00"),
              C("arrival_s", "float64", "arrival time in seconds after 08:00", "s", doc_zh="来电时刻（08:00之后的秒数）"),
              C("wait_s", "float64", "time in the queue: until an agent answered, or until the caller hung up",
                "s", doc_zh="排队时长：直到坐席接听，或直到来电者挂断"),
              C("answered", "bool", "an agent answered (False: the caller abandoned)",
                doc_zh="是否有坐席接听（False：来电者放弃）"),
              C("handle_s", "float64", "talk and wrap-up time of an answered call (missing if abandoned)", "s",
                doc_zh="已接听来电的通话加善后时长（放弃的来电为空）"),
          ), doc_zh="每通打进呼叫中心的来电一行：何时打进、排队多久、是否有坐席接听、通话用了多久。"),
    Table("issues", "One row per customer service issue in the month: its type, the network the customer "
          "first reached, the contacts it took to resolve and their cost.", (
              C("issue_id", "int64", "issue number", doc_zh="服务问题编号"),
              C("issue_type", "category", "what the issue is about: hardware, software, usage (how-to) or warranty",
                doc_zh="问题类型：硬件（hardware）、软件（software）、使用咨询（usage）、保修（warranty）"),
              C("first_network", "category", "network of the first contact: web, call_centre or on_site",
                doc_zh="首次接触的服务网络：网站（web）、呼叫中心（call_centre）、上门服务（on_site）"),
              C("contacts", "int64", "contacts until the issue was resolved (1 = resolved at the first contact)",
                doc_zh="解决问题所用的接触次数（1 = 首次接触即解决）"),
              C("resolved_first", "bool", "resolved at the first contact", doc_zh="是否首次接触即解决"),
              C("resolved_by", "category", "network of the contact that resolved the issue",
                doc_zh="最终解决问题的服务网络"),
              C("cost", "float64", "cost of all contacts of the issue, repeat contacts' extra cost included", "CNY",
                doc_zh="该问题全部接触的成本，含重复接触的额外成本"),
          ), doc_zh="一个月内每个客户服务问题一行：问题类型、客户首次接触的服务网络、解决所用的接触次数及其成本。"),
]

DESCRIPTION = """
**Calls.** Day d's volume is calls_per_day x G_d with G_d ~ Gamma (mean 1, sd 0.08); half-hour t gets the
share `truth['interval_share'][t]` of it (two peaks, a lunch dip), and calls arrive as a Poisson process
within each half-hour. Each call needs an exponential handle time with mean `aht_s` and brings an
exponential patience with mean `patience_s`. `agents_on_duty` agents serve the queue first come first
served all day, agents_on_duty = ceil(rota_factor x calls_per_day / 24 / 1800 x aht_s)
(`truth['agents_on_duty']`); a caller whose wait would exceed the patience hangs up (abandons) at that moment and is
not served. The queue is empty at 08:00; calls still queued at 20:00 are served. Planted:
`truth['arrival_rate']` (expected calls per half-hour), `truth['load_erlangs']` (rate x aht_s), the
Erlang C agents that reach "80% answered within 20 s" in every half-hour (`truth['erlang_c_agents']`),
and the patience. Erlang C is exact for this queue without abandonment (M/M/N); with patience the queue
is M/M/N+M (Erlang A) and needs fewer agents.

**Issues.** Types hardware 30%, software 25%, usage 30%, warranty 15%; the first network is web 35%,
call centre 45%, on-site 20% whatever the type. Each contact resolves the issue with the probability
`truth['fcr']` (type x network); an unresolved issue escalates web -> call centre -> on-site, and
on-site visits repeat until resolved. Cost = sum of the contacts' costs (`cost_web`, `cost_call`,
`cost_on_site`) + `cost_per_repeat` x (contacts - 1). Expected cost per issue by type and first
network, E_k = c_k + (1 - p_k)(cost_per_repeat + E_next), on-site E = (c + (1 - p) cost_per_repeat) / p,
is `truth['expected_cost']`; the cheapest first network per type is `truth['best_network']`.

Source: Analytical CRM course pack (source 1), lines 63–71 (Lenovo's three networks, 三网合一). All
figures synthetic.
"""

DESCRIPTION_ZH = """
**来电。** 第 d 天的来电量为 calls_per_day x G_d，G_d 服从均值为1、标准差为0.08的 Gamma 分布；第 t 个半小时分得
`truth['interval_share'][t]` 的份额（两个高峰、一个午间低谷），每个半小时内来电按泊松过程到达。每通电话的处理时长
服从均值为 `aht_s` 的指数分布，来电者的耐心服从均值为 `patience_s` 的指数分布。`agents_on_duty` 名坐席（agents_on_duty = ceil(rota_factor x calls_per_day / 24 / 1800 x aht_s)，见 `truth['agents_on_duty']`）全天按先到先服务
接听；等待时间将超过耐心的来电者在那一刻挂断（放弃），不再接受服务。08:00 时队列为空；20:00 仍在排队的来电照常接听。
预设真值：`truth['arrival_rate']`（每半小时的期望来电数）、`truth['load_erlangs']`（到达率 x aht_s）、
每个半小时达到“80%的来电在20秒内接听”所需的 Erlang C 坐席数（`truth['erlang_c_agents']`）以及耐心。没有放弃时
这个队列是 M/M/N，Erlang C 公式是精确的；有放弃时是 M/M/N+M（Erlang A），所需坐席更少。

**服务问题。** 类型：硬件30%、软件25%、使用咨询30%、保修15%；首次接触网络不论类型都是网站35%、呼叫中心45%、
上门服务20%。每次接触以 `truth['fcr']`（类型 x 网络）的概率解决问题；未解决的问题按 网站 -> 呼叫中心 -> 上门服务
升级，上门服务重复直到解决。成本 = 各次接触的成本（`cost_web`、`cost_call`、`cost_on_site`）之和 +
`cost_per_repeat` x (contacts - 1)。按类型和首次接触网络计算的每个问题期望成本
E_k = c_k + (1 - p_k)(cost_per_repeat + E_next)，上门服务 E = (c + (1 - p) cost_per_repeat) / p，
见 `truth['expected_cost']`；每种类型成本最低的首次接触网络见 `truth['best_network']`。

资料来源：《分析型客户关系管理课程资料》（资料1）第63–71行（联想的三张服务网络，“三网合一”）。所有数字均为合成数据。
"""


def serve_fifo(arrival, handle, patience, n_agents):
    """First-come-first-served queue with ``n_agents`` servers and abandonment (:func:`crmlab.service.serve_queue`).

    Returns (wait, answered): a caller is answered when the earliest free agent is free before the caller's
    patience runs out; otherwise they wait their patience and leave without taking an agent.

    >>> w, a = serve_fifo(np.array([0.0, 1.0, 2.0]), np.array([10.0, 10.0, 10.0]), np.array([5.0, 5.0, 20.0]), 1)
    >>> w.tolist(), a.tolist()
    ([0.0, 5.0, 8.0], [True, False, True])
    """
    return serve_queue(arrival, handle, n_agents, patience=patience)


def _expected_costs(k: dict) -> dict:
    cost = (k["cost_web"], k["cost_call"], k["cost_on_site"])
    pen = k["cost_per_repeat"]
    out = {}
    for t in ISSUE_TYPES:
        p = FCR[t]
        e_on = (cost[2] + (1 - p[2]) * pen) / p[2]
        e_call = cost[1] + (1 - p[1]) * (pen + e_on)
        e_web = cost[0] + (1 - p[0]) * (pen + e_call)
        out[t] = {"web": e_web, "call_centre": e_call, "on_site": e_on}
    return out


@register("lenovo", title="Lenovo: a call centre staffed by Erlang C, three service networks and first-contact resolution",
          title_zh="联想：用 Erlang C 排班的呼叫中心、三网合一与首次解决率",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    # ---- calls
    agents = int(np.ceil(k["rota_factor"] * k["calls_per_day"] / INTERVALS / 1800.0 * k["aht_s"]))
    day_factor = rng.gamma(1 / DAY_SD ** 2, DAY_SD ** 2, size=k["n_days"])
    frames = []
    for d in range(k["n_days"]):
        counts = rng.poisson(k["calls_per_day"] * day_factor[d] * SHARES)
        interval = np.repeat(np.arange(INTERVALS), counts)
        arrival = np.sort(1800.0 * interval + rng.uniform(0.0, 1800.0, size=interval.size))
        interval = (arrival // 1800).astype(np.int64)
        handle = rng.exponential(k["aht_s"], size=arrival.size)
        patience = rng.exponential(k["patience_s"], size=arrival.size)
        wait, answered = serve_fifo(arrival, handle, patience, agents)
        frames.append(pd.DataFrame({"day": np.full(arrival.size, d + 1, dtype=np.int64), "interval": interval,
                                    "arrival_s": arrival, "wait_s": wait, "answered": answered,
                                    "handle_s": np.where(answered, handle, np.nan)}))
    calls = pd.concat(frames, ignore_index=True)
    calls.insert(0, "call_id", np.arange(1, len(calls) + 1, dtype=np.int64))

    # ---- issues across the three networks
    n = k["n_issues"]
    itype = rng.choice(len(ISSUE_TYPES), size=n, p=TYPE_SHARES)
    first = rng.choice(len(NETWORKS), size=n, p=FIRST_MIX)
    unit = np.array([k["cost_web"], k["cost_call"], k["cost_on_site"]])
    p = np.array([FCR[t] for t in ISSUE_TYPES])        # type x network
    net = first.copy()
    contacts = np.ones(n, dtype=np.int64)
    cost = unit[net].copy()
    done = rng.random(n) < p[itype, net]
    resolved_first = done.copy()
    while not done.all():
        todo = ~done
        net[todo] = np.minimum(net[todo] + 1, 2)
        contacts[todo] += 1
        cost[todo] += unit[net[todo]] + k["cost_per_repeat"]
        done[todo] = rng.random(int(todo.sum())) < p[itype[todo], net[todo]]
    issues = pd.DataFrame({
        "issue_id": np.arange(1, n + 1, dtype=np.int64),
        "issue_type": pd.Categorical.from_codes(itype, categories=ISSUE_TYPES),
        "first_network": pd.Categorical.from_codes(first, categories=NETWORKS),
        "contacts": contacts,
        "resolved_first": resolved_first,
        "resolved_by": pd.Categorical.from_codes(net, categories=NETWORKS),
        "cost": cost,
    })

    rate = k["calls_per_day"] * SHARES
    load = rate / 1800.0 * k["aht_s"]
    expected = _expected_costs(k)
    truth = {
        "interval_share": [float(s) for s in SHARES],
        "arrival_rate": [float(r) for r in rate],
        "load_erlangs": [float(x) for x in load],
        "peak_interval": int(np.argmax(SHARES)),
        "erlang_c_agents": [agents_needed(float(x), k["aht_s"]) for x in load],
        "agents_on_duty": agents,
        "aht_s": k["aht_s"],
        "patience_s": k["patience_s"],
        "day_factor": [float(x) for x in day_factor],
        "fcr": {t: dict(zip(NETWORKS, FCR[t])) for t in ISSUE_TYPES},
        "first_mix": dict(zip(NETWORKS, FIRST_MIX)),
        "expected_cost": expected,
        "best_network": {t: min(expected[t], key=expected[t].get) for t in ISSUE_TYPES},
    }
    return {"calls": calls, "issues": issues}, truth
