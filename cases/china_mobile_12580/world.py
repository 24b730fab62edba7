"""China Mobile 12580: an SMS engagement test with a random hold-out (synthetic world).

Subscribers of an operator's 12580 information service. For eight weeks, a random hold-out receives no
SMS; everyone else is randomised to a message frequency (1, 3 or 7 a week), a sending time (morning,
noon or evening) and a content theme (news, consumer deals or jokes) — the kinds of timely content the
source names. The outcome is engagement: did the subscriber use a 12580 service (call the hotline, book
through it) during the test. Messages raise engagement, more in some segments than others and more at some
times of day; every message also risks an opt-out, and the risk grows faster than the frequency (message
fatigue). Planted truth: each subscriber's engagement probability with and without the messages, hence the
true uplift of every arm and segment, and the opt-out hazard by frequency.

Sources: Relationship-marketing essay (source 4), line 28 — China Mobile's 12580 SMS service carries
timely content (political news, the latest consumer information, jokes) to meet customers' needs and
raise satisfaction and loyalty (section 3.5, line 27). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

WEEKS = 8
FREQUENCIES = (1, 3, 7)
SLOTS = ("morning", "noon", "evening")
CONTENTS = ("news", "deals", "jokes")
SEGMENT_NAMES = ("student", "white_collar", "business", "senior")

# Observable subscriber segments: share, baseline engagement (log-odds without SMS), how strongly the
# segment responds to messages (multiplier of sms_effect), tenure and monthly spend (ARPU).
SEGMENTS = [
    {"name": "student", "share": 0.25, "base_logit": -1.7, "response": 1.3,
     "tenure_months": {"dist": "lognormal", "mean": 18, "sd": 12, "decimals": 0},
     "arpu": {"dist": "lognormal", "mean": 45, "sd": 20}},
    {"name": "white_collar", "share": 0.35, "base_logit": -1.8, "response": 1.0,
     "tenure_months": {"dist": "lognormal", "mean": 40, "sd": 25, "decimals": 0},
     "arpu": {"dist": "lognormal", "mean": 95, "sd": 40}},
    {"name": "business", "share": 0.15, "base_logit": -1.3, "response": 0.6,
     "tenure_months": {"dist": "lognormal", "mean": 60, "sd": 30, "decimals": 0},
     "arpu": {"dist": "lognormal", "mean": 180, "sd": 80}},
    {"name": "senior", "share": 0.25, "base_logit": -2.6, "response": 0.15,
     "tenure_months": {"dist": "lognormal", "mean": 80, "sd": 40, "decimals": 0},
     "arpu": {"dist": "lognormal", "mean": 50, "sd": 20}},
]
# Multipliers of the SMS effect by sending time and by content theme (timely content sent when people read it).
SLOT_EFFECT = {"morning": 1.0, "noon": 0.6, "evening": 1.4}
CONTENT_EFFECT = {"news": 1.0, "deals": 1.2, "jokes": 0.8}
# Per-message click probability (log-odds) by slot; responsive subscribers click more (self-selection).
CLICK_LOGIT = {"morning": -2.6, "noon": -2.9, "evening": -2.3}
RESPONSIVENESS_SD = 0.9      # spread of the latent responsiveness in the engagement log-odds
CLICK_ON_RESPONSIVENESS = 0.9  # the same latent trait drives clicks


def frequency_curve(f) -> np.ndarray:
    """Diminishing returns of frequency: log(1 + f) / log(4), equal to 1 at three messages a week.

    >>> [round(float(x), 3) for x in frequency_curve(np.array([0, 1, 3, 7]))]
    [0.0, 0.5, 1.0, 1.5]
    """
    return np.log1p(np.asarray(f, dtype=float)) / np.log(4.0)


def weekly_optout_hazard(f, optout_rate: float, fatigue: float) -> np.ndarray:
    """Weekly opt-out probability at f messages a week: optout_rate x f ** fatigue (capped at 0.95).

    >>> [round(float(x), 4) for x in weekly_optout_hazard(np.array([0, 1, 3]), 0.01, 1.5)]
    [0.0, 0.01, 0.052]
    """
    f = np.asarray(f, dtype=float)
    return np.minimum(0.95, optout_rate * f ** fatigue)


SNAPSHOT_KNOBS = {"n_subscribers": 3000}
KNOBS = [
    Knob("n_subscribers", 20000, int, "number of subscribers in the test", low=200, high=2_000_000,
         doc_zh="参加试验的用户数"),
    Knob("holdout_share", 0.2, float, "share of subscribers randomly held out (sent no SMS)", low=0.05, high=0.5,
         doc_zh="随机留出、不发短信的用户比例（对照组）"),
    Knob("sms_effect", 0.5, float, "log-odds lift in engagement from 3 messages a week, morning, news, for an "
         "average-responding segment", low=0.0, high=2.0, unit="log-odds",
         doc_zh="每周3条、早上发送、新闻内容、对一般反应的细分群体而言，短信使参与的对数几率提高多少"),
    Knob("optout_rate", 0.003, float, "weekly opt-out probability at one message a week", low=0.0, high=0.05,
         unit="per week", doc_zh="每周发1条时每周的退订概率"),
    Knob("fatigue", 1.5, float, "elasticity of the opt-out hazard to frequency (hazard ∝ frequency ** fatigue)",
         low=0.5, high=3.0, doc_zh="退订风险对发送频率的弹性（退订风险 ∝ 频率 ** fatigue），即短信疲劳程度"),
    Knob("cost_per_sms", 0.05, float, "cost of sending one SMS (content, channel, handling)", low=0.0, high=1.0,
         unit="CNY", doc_zh="发送一条短信的成本（内容、通道、处理）"),
]

C = Column
TABLES = [
    Table("subscribers", "One row per subscriber in the eight-week SMS test: segment, the randomised arm, "
          "messages sent and clicked, opt-out and engagement.", (
              C("subscriber_id", "int64", "subscriber id", doc_zh="用户编号"),
              C("segment", "category", "customer segment (student, white_collar, business, senior)",
                doc_zh="客户细分（学生、白领、商务、老年）"),
              C("tenure_months", "int64", "months since the subscriber joined", "months", doc_zh="在网时长"),
              C("arpu", "float64", "average monthly spend (ARPU)", "CNY per month", doc_zh="月均消费（ARPU）"),
              C("group", "category", "randomised group: 'holdout' (no SMS) or 'sms'",
                doc_zh="随机分组：'holdout'（对照组，不发短信）或 'sms'（发短信）"),
              C("frequency", "int64", "messages a week assigned (0 in the hold-out)", "per week",
                doc_zh="分配的每周短信条数（对照组为0）"),
              C("send_slot", "category", "sending time assigned: morning (8:00), noon (12:00), evening (20:00); "
                "'none' in the hold-out", doc_zh="分配的发送时段：早上（8:00）、中午（12:00）、晚上（20:00）；对照组为 'none'"),
              C("content", "category", "content theme assigned: news, deals (consumer information), jokes; "
                "'none' in the hold-out", doc_zh="分配的内容主题：新闻、消费资讯、笑话；对照组为 'none'"),
              C("messages_sent", "int64", "messages sent during the test (none after an opt-out)",
                doc_zh="试验期间发出的短信条数（退订后不再发送）"),
              C("messages_clicked", "int64", "messages whose link the subscriber opened",
                doc_zh="用户点开其中链接的短信条数"),
              C("opted_out", "bool", "the subscriber unsubscribed from the SMS service during the test",
                doc_zh="试验期间是否退订了短信服务"),
              C("engaged", "bool", "the subscriber used a 12580 service (called the hotline or booked through "
                "it) during the test", doc_zh="试验期间是否使用了12580的服务（拨打热线或通过它预订）"),
          ), doc_zh="八周短信试验中每个用户一行：细分、随机分配的方案、发出和被点开的短信条数、是否退订、是否参与。"),
]

DESCRIPTION = """
The test runs for 8 weeks. A share `holdout_share` of subscribers, drawn at random, receives no SMS; the
others are randomised independently to a frequency (1, 3 or 7 messages a week), a sending time (morning,
noon, evening) and a content theme (news, deals, jokes), each with equal probability. Segments (student
25%, white_collar 35%, business 15%, senior 25%) differ in baseline engagement and in how strongly they
respond to messages (`truth['segments']`).

Engagement log-odds = base_logit[segment] + u + effect, with u ~ N(0, 0.9²) a latent responsiveness and
effect = sms_effect x response[segment] x slot[send_slot] x content[content] x log(1 + f) / log(4) x
exposure, where exposure is the share of the 8 weeks before an opt-out. Slot multipliers: morning 1.0,
noon 0.6, evening 1.4; content: news 1.0, deals 1.2, jokes 0.8. Each week a subscriber sent f messages
opts out with probability optout_rate x f ** fatigue (message fatigue) and receives nothing after that.
Each message is clicked with log-odds click[slot] + 0.9 u, so clickers are the responsive subscribers who
would engage more anyway (self-selection). `truth['subscribers']` holds each subscriber's engagement
probability without SMS (`p_without`) and with the messages actually received (`p_with`); the planted
uplift of any group is the mean of p_with - p_without over its SMS subscribers.

Sources: Relationship-marketing essay (source 4), lines 27-28 (China Mobile's 12580 SMS service with timely
content: news, consumer information, jokes). All figures are synthetic.
"""

DESCRIPTION_ZH = """
试验为期8周。按 `holdout_share` 的比例随机抽出一部分用户作为对照组（hold-out），不发任何短信；其余用户相互
独立地随机分配发送频率（每周1、3或7条）、发送时段（早上、中午、晚上）和内容主题（新闻、消费资讯、笑话），
每种取值的概率相等。各细分群体（学生25%、白领35%、商务15%、老年25%）的基础参与率不同，对短信的反应强度也不同
（见 `truth['segments']`）。

参与的对数几率 = base_logit[细分] + u + effect，其中 u ~ N(0, 0.9²) 为潜在的反应倾向，
effect = sms_effect x response[细分] x slot[发送时段] x content[内容] x log(1 + f) / log(4) x exposure，
exposure 为退订前所经过的周数占8周的比例。时段乘数：早上1.0、中午0.6、晚上1.4；内容乘数：新闻1.0、消费资讯1.2、
笑话0.8。每周收到 f 条短信的用户以 optout_rate x f ** fatigue 的概率退订（短信疲劳），退订后不再收到短信。
每条短信被点开的对数几率为 click[时段] + 0.9 u，所以点开链接的人正是那些本来就更爱参与的用户（自选择）。
`truth['subscribers']` 逐个用户给出不发短信时的参与概率（`p_without`）和按其实际收到的短信计算的参与概率
（`p_with`）；任何一组的真实提升（uplift）就是该组发短信用户的 p_with - p_without 的均值。

资料来源：《关系营销与客户管理论文》（资料4）第27–28行（中国移动12580短信服务提供时效性强的资讯：时政要闻、
最新消费资讯、休闲笑话）。所有数字均为合成数据。
"""


def _labels(values: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical(np.asarray(values, dtype=object), categories=list(categories))


@register("china_mobile_12580", title="China Mobile 12580: an SMS engagement test with a random hold-out",
          title_zh="中国移动12580：带随机对照组的短信参与试验", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_subscribers"]
    pop = draw_segments(rng, n, [{key: v for key, v in s.items() if key not in ("base_logit", "response")}
                                 for s in SEGMENTS])
    seg = pop["segment"].astype(str).to_numpy()
    spec = {s["name"]: s for s in SEGMENTS}
    base = np.array([spec[s]["base_logit"] for s in seg])
    response = np.array([spec[s]["response"] for s in seg])
    u = RESPONSIVENESS_SD * rng.standard_normal(n)

    sms = rng.random(n) >= k["holdout_share"]
    freq = np.where(sms, np.asarray(FREQUENCIES)[rng.integers(0, 3, n)], 0)
    slot_i = rng.integers(0, 3, n)
    content_i = rng.integers(0, 3, n)
    slot = np.where(sms, np.asarray(SLOTS, dtype=object)[slot_i], "none")
    content = np.where(sms, np.asarray(CONTENTS, dtype=object)[content_i], "none")

    hazard = weekly_optout_hazard(freq, k["optout_rate"], k["fatigue"])
    # week of opt-out: geometric number of weeks; beyond the test means no opt-out
    optout_week = np.where(sms & (hazard > 0), rng.geometric(np.maximum(hazard, 1e-12)), WEEKS + 1)
    opted_out = sms & (optout_week <= WEEKS)
    # the opt-out week's messages were sent; nothing after it
    weeks_messaged = np.where(sms, np.minimum(optout_week, WEEKS), 0)
    exposure = weeks_messaged / WEEKS
    sent = (freq * weeks_messaged).astype(np.int64)

    slot_mult = np.array([SLOT_EFFECT.get(s, 0.0) for s in slot])
    content_mult = np.array([CONTENT_EFFECT.get(c, 0.0) for c in content])
    effect = k["sms_effect"] * response * slot_mult * content_mult * frequency_curve(freq) * exposure
    p_without = 1 / (1 + np.exp(-(base + u)))
    p_with, engaged = logit_draw(rng, base + u + effect)
    click_logit = np.array([CLICK_LOGIT.get(s, -50.0) for s in slot]) + CLICK_ON_RESPONSIVENESS * u
    clicked = rng.binomial(sent, 1 / (1 + np.exp(-click_logit))).astype(np.int64)

    subscribers = pd.DataFrame({
        "subscriber_id": np.arange(1, n + 1, dtype=np.int64),
        "segment": _labels(seg, SEGMENT_NAMES),
        "tenure_months": np.maximum(1, pop["tenure_months"].to_numpy()).astype(np.int64),
        "arpu": np.round(pop["arpu"].to_numpy(), 2).astype(float),
        "group": _labels(np.where(sms, "sms", "holdout"), ("holdout", "sms")),
        "frequency": freq.astype(np.int64),
        "send_slot": _labels(slot, ("none", *SLOTS)),
        "content": _labels(content, ("none", *CONTENTS)),
        "messages_sent": sent,
        "messages_clicked": clicked,
        "opted_out": opted_out.astype(bool),
        "engaged": np.asarray(engaged, dtype=bool),
    })
    lift = np.where(sms, p_with - p_without, 0.0)

    def planted_uplift(mask) -> float:
        m = mask & sms
        return float(lift[m].mean()) if m.any() else float("nan")

    truth = {
        "weeks": WEEKS,
        "segments": [{"name": s["name"], "share": s["share"], "base_logit": s["base_logit"],
                      "response": s["response"]} for s in SEGMENTS],
        "slot_effect": dict(SLOT_EFFECT),
        "content_effect": dict(CONTENT_EFFECT),
        "uplift": planted_uplift(np.ones(n, dtype=bool)),
        "uplift_by_frequency": {str(f): planted_uplift(freq == f) for f in FREQUENCIES},
        "uplift_by_slot": {s: planted_uplift(slot == s) for s in SLOTS},
        "uplift_by_content": {c: planted_uplift(content == c) for c in CONTENTS},
        "uplift_by_segment": {s: planted_uplift(seg == s) for s in SEGMENT_NAMES},
        "optout_probability": {str(f): float(1 - (1 - weekly_optout_hazard(f, k["optout_rate"], k["fatigue"]))
                                              ** WEEKS) for f in FREQUENCIES},
        "subscribers": pd.DataFrame({"responsiveness": u, "p_without": p_without,
                                     "p_with": np.where(sms, p_with, p_without), "exposure": exposure},
                                    index=pd.Index(subscribers["subscriber_id"], name="subscriber_id")),
    }
    return {"subscribers": subscribers}, truth
