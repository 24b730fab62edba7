"""Microblogs as a customer channel: reach, overlap and a channel mix under a budget (synthetic world).

The relationship-marketing essay (source 4, line 29) quotes CNNIC's 28th report: 485 million internet users in
China by the end of June 2011 (27.7 million more than at the end of 2010); microblog users grew from 63.31
million to 195 million in the first half of 2011 ("增长约2倍", i.e. grew by about 200%: about three times as
many); microblog penetration among internet users rose from 13.8% to 40.2%, mobile microblogging from 15.5% to
34%. Those quoted figures are the table ``cnnic`` (the source's numbers, not synthetic).

Everything else is synthetic: a firm's customer base, who among them can be reached through which channel
(microblog, SMS, e-mail, call centre, printed direct mail), what a contact costs, and a pilot that sent the same
offer to a random sample of each channel's audience. Microblog use among the customers who use the internet is
calibrated to the 40.2% the source quotes (knob ``microblog_penetration``). Planted truth: each channel's true
response rate, hence the expected responders, cost and net reach of every channel mix, and the mix that is
truly best within the budget.

Sources: Relationship-marketing essay (source 4), lines 27 and 29. All customer figures are synthetic.
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register

CHANNELS = ("microblog", "sms", "email", "call_centre", "print")
# Who a channel can reach (a column of `customers`), what one contact costs (CNY) and the planted response
# rate of one contact (the microblog's rate and the call centre's cost are knobs).
CHANNEL_SPEC = {
    "microblog": {"reach": "follows_brand", "cost": 0.5, "response": None},
    "sms": {"reach": "sms_opt_in", "cost": 0.15, "response": 0.006},
    "email": {"reach": "email_opt_in", "cost": 0.05, "response": 0.010},
    "call_centre": {"reach": "phone_ok", "cost": None, "response": 0.10},
    "print": {"reach": "postal_ok", "cost": 1.2, "response": 0.07},
}
AGE_GROUPS = ("18-29", "30-44", "45-59", "60+")
AGE_SHARES = (0.30, 0.30, 0.25, 0.15)
# Relative propensities by age group (normalised so that the knobs give the overall shares), and the
# age-specific probabilities of the other permissions.
INTERNET_BY_AGE = (1.45, 1.2, 0.75, 0.35)
MICROBLOG_BY_AGE = (1.5, 1.0, 0.6, 0.35)
SMS_BY_AGE = (0.80, 0.80, 0.75, 0.60)
EMAIL_BY_AGE = (0.55, 0.65, 0.60, 0.50)      # among internet users
PHONE_BY_AGE = (0.35, 0.45, 0.60, 0.70)
POSTAL_BY_AGE = (0.35, 0.50, 0.70, 0.80)

# The figures of CNNIC's 28th report as the essay quotes them (source 4, line 29).
CNNIC = [
    ("internet_users", "2011-06", 485.0, "million"),
    ("internet_users_added", "2011-H1", 27.7, "million"),
    ("microblog_users", "2010-12", 63.31, "million"),
    ("microblog_users", "2011-06", 195.0, "million"),
    ("microblog_penetration", "2010-12", 0.138, "share of internet users"),
    ("microblog_penetration", "2011-06", 0.402, "share of internet users"),
    ("mobile_microblog_rate", "2010-12", 0.155, "share of internet users"),
    ("mobile_microblog_rate", "2011-06", 0.34, "share of internet users"),
]

SNAPSHOT_KNOBS = {"n_customers": 3000}
KNOBS = [
    Knob("n_customers", 20000, int, "number of customers in the firm's base", low=500, high=2_000_000,
         doc_zh="企业客户库中的客户数"),
    Knob("internet_share", 0.6, float, "share of the customers who use the internet", low=0.1, high=0.95,
         doc_zh="客户中使用互联网的比例"),
    Knob("microblog_penetration", 0.402, float, "share of the internet users among the customers who use "
         "microblogs (the source quotes 40.2% for China in mid-2011)", low=0.05, high=0.9,
         doc_zh="使用互联网的客户中使用微博的比例（资料引用2011年年中全国为40.2%）"),
    Knob("follow_rate", 0.5, float, "share of the microblog users among the customers who follow the firm's "
         "microblog account (the microblog channel's audience)", low=0.05, high=1.0,
         doc_zh="使用微博的客户中关注企业官方微博的比例（即微博渠道的受众）"),
    Knob("microblog_response", 0.04, float, "planted response rate of one microblog contact", low=0.0,
         high=0.3, doc_zh="一次微博触达的预设响应率"),
    Knob("call_cost", 2.0, float, "cost of one outbound call by the call centre", low=0.1, high=20.0,
         unit="CNY", doc_zh="呼叫中心外呼一次的成本"),
    Knob("pilot_size", 400, int, "customers contacted in the pilot, per channel (all of the audience if "
         "it is smaller)", low=50, high=5000, doc_zh="试点中每个渠道联系的客户数（受众更少时联系全部受众）"),
    Knob("budget", 25000.0, float, "campaign budget", low=1000.0, high=10_000_000.0, unit="CNY",
         doc_zh="营销活动预算"),
]

C = Column
TABLES = [
    Table("cnnic", "The internet and microblog figures of CNNIC's 28th report as the relationship-marketing "
          "essay quotes them (source 4, line 29): the source's numbers, not synthetic.", (
              C("figure", "category", "what is counted: internet_users, internet_users_added, microblog_users, "
                "microblog_penetration, mobile_microblog_rate",
                doc_zh="统计的指标：网民数、新增网民数、微博用户数、微博在网民中的普及率、手机微博在网民中的使用率"),
              C("period", "category", "when: 2010-12 (end of 2010), 2011-06 (end of June 2011), 2011-H1 "
                "(first half of 2011)", doc_zh="时间：2010-12（2010年底）、2011-06（2011年6月底）、2011-H1（2011年上半年）"),
              C("value", "float64", "the figure", doc_zh="数值"),
              C("unit", "category", "million people, or a share of internet users",
                doc_zh="单位：百万人，或占网民的比例"),
          ), doc_zh="《关系营销与客户管理论文》（资料4）第29行所引CNNIC第28次报告的网民和微博数字：这是资料中的数字，不是合成数据。"),
    Table("customers", "One row per customer of the firm (synthetic): age group, internet and microblog use, "
          "and through which channels the firm may contact the customer.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("age_group", "category", "age group (18-29, 30-44, 45-59, 60+)", doc_zh="年龄段"),
              C("internet_user", "bool", "uses the internet", doc_zh="是否使用互联网（网民）"),
              C("microblog_user", "bool", "uses a microblog (only internet users do)", doc_zh="是否使用微博（只有网民才会）"),
              C("follows_brand", "bool", "follows the firm's microblog account: reachable by a microblog post",
                doc_zh="是否关注企业官方微博：能被一条微博触达"),
              C("sms_opt_in", "bool", "agreed to receive SMS from the firm", doc_zh="是否同意接收企业短信"),
              C("email_opt_in", "bool", "agreed to receive e-mail from the firm", doc_zh="是否同意接收企业电子邮件"),
              C("phone_ok", "bool", "may be called by the call centre", doc_zh="是否可以接受呼叫中心外呼"),
              C("postal_ok", "bool", "has a postal address for printed direct mail", doc_zh="是否有可寄送印刷品直邮的邮寄地址"),
          ), doc_zh="企业每位客户一行（合成数据）：年龄段、是否上网和使用微博，以及企业可以通过哪些渠道联系他。"),
    Table("channels", "One row per channel: which customers it can reach and what one contact costs.", (
              C("channel", "category", "microblog, sms, email, call_centre, print (printed direct mail)",
                doc_zh="渠道：微博、短信、电子邮件、呼叫中心、印刷品直邮"),
              C("reach_column", "category", "the column of `customers` that marks the channel's audience",
                doc_zh="`customers` 表中标记该渠道受众的列"),
              C("cost_per_contact", "float64", "cost of contacting one customer once", "CNY",
                doc_zh="联系一位客户一次的成本"),
          ), doc_zh="每个渠道一行：它能触达哪些客户，联系一次的成本是多少。"),
    Table("pilot", "One row per customer contacted in the pilot: the same offer sent through one channel to a "
          "random sample of that channel's audience.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("channel", "category", "the channel that carried the offer", doc_zh="发送这次优惠的渠道"),
              C("responded", "bool", "the customer took up the offer", doc_zh="客户是否响应（接受了优惠）"),
          ), doc_zh="试点中被联系的每位客户一行：同一优惠通过某个渠道发给该渠道受众中的一个随机样本。"),
]

DESCRIPTION = """
Customers fall into four age groups (18-29 30%, 30-44 30%, 45-59 25%, 60+ 15%). Internet use, microblog use
among internet users, and every contact permission depend on the age group, which makes the channels'
audiences overlap: young customers follow microblogs and read e-mail, older ones can be called and have a
postal address, SMS reaches nearly everyone. Internet use has probability internet_share x m_age (m = 1.45,
1.2, 0.75, 0.35, normalised to mean 1 over the age mix); microblog use among internet users has probability
microblog_penetration x (1.5, 1.0, 0.6, 0.35) normalised over the internet users drawn, so that the expected
penetration among internet users is the knob (40.2% by default, the share the source quotes for mid-2011,
Relationship-marketing essay (source 4), line 29). A share `follow_rate` of the microblog users follow the
firm's account. SMS opt-in (0.80, 0.80, 0.75, 0.60 by age), e-mail opt-in among internet users (0.55, 0.65,
0.60, 0.50), phone (0.35, 0.45, 0.60, 0.70) and postal address (0.35, 0.50, 0.70, 0.80).

Costs per contact (CNY): microblog 0.5, sms 0.15, email 0.05, call_centre `call_cost`, print 1.2. Planted
response rates per contact: microblog `microblog_response`, sms 0.006, email 0.010, call_centre 0.10,
print 0.07. Contacts respond independently, so a customer reached by a set S of channels responds at least
once with probability 1 - prod over S of (1 - r_c): expected responders of a mix = sum over customers of that,
net reach = customers reached by at least one channel of the mix, cost = sum of cost x audience. A channel is
used on its whole audience or not at all. The pilot contacts min(pilot_size, audience) customers drawn at
random from each channel's audience and records whether each responded. `truth['channels']` holds the
planted rates; `truth['mixes']` every mix's cost, net reach and expected responders at the planted rates;
`truth['best_mix']` the mix with the most expected responders within the budget.
"""

DESCRIPTION_ZH = """
客户分为四个年龄段（18-29岁30%、30-44岁30%、45-59岁25%、60岁以上15%）。是否上网、网民中是否使用微博以及各项联系许可都取决于年龄段，
所以各渠道的受众相互重叠：年轻客户关注微博、阅读电子邮件，年长客户可以接电话、有邮寄地址，短信几乎能触达所有人。上网的概率为
internet_share x m_age（m = 1.45、1.2、0.75、0.35，按年龄构成归一化为均值1）；网民中使用微博的概率为 microblog_penetration x
（1.5、1.0、0.6、0.35），按抽到的网民归一化，使网民中微博普及率的期望值等于该参数（默认40.2%，即资料所引2011年年中的数字，
《关系营销与客户管理论文》（资料4）第29行）。微博用户中有 `follow_rate` 的比例关注企业官方微博。同意接收短信的概率按年龄段为
0.80、0.80、0.75、0.60，网民中同意接收电子邮件的概率为0.55、0.65、0.60、0.50，可外呼的概率为0.35、0.45、0.60、0.70，
有邮寄地址的概率为0.35、0.50、0.70、0.80。

每次联系的成本（元）：微博0.5，短信0.15，电子邮件0.05，呼叫中心 `call_cost`，印刷品直邮1.2。预设的每次联系响应率：微博
`microblog_response`，短信0.006，电子邮件0.010，呼叫中心0.10，直邮0.07。各次联系相互独立地产生响应，所以被渠道集合 S 触达的客户
至少响应一次的概率为 1 - ∏(1 - r_c)（对 S 中的渠道连乘）：一个渠道组合的期望响应人数 = 对全部客户求和，净覆盖人数 = 至少被组合中
一个渠道触达的客户数，成本 = 各渠道的单次成本 x 受众人数之和。一个渠道要么对其全部受众使用，要么不用。试点从每个渠道的受众中随机抽取
min(pilot_size, 受众人数) 位客户联系，记录每人是否响应。`truth['channels']` 给出预设响应率；`truth['mixes']` 给出每个渠道组合的
成本、净覆盖人数和按预设响应率计算的期望响应人数；`truth['best_mix']` 是预算之内期望响应人数最多的组合。
"""


def mix_name(mix) -> str:
    """A mix's label: its channels in the order of CHANNELS, joined by ' + ' ('none' for the empty mix).

    >>> mix_name(["sms", "microblog"])
    'microblog + sms'
    >>> mix_name([])
    'none'
    """
    names = [c for c in CHANNELS if c in set(mix)]
    return " + ".join(names) if names else "none"


def evaluate_mixes(reach: np.ndarray, rates, costs) -> pd.DataFrame:
    """Cost, net reach and expected responders of every mix of the channels (2 ** k rows, index = mix label).

    ``reach`` is an (n customers x k channels) boolean matrix in the order of CHANNELS; ``rates`` and ``costs``
    are per channel in the same order. Expected responders = sum over customers of 1 - prod(1 - r_c) over the
    mix's channels that reach the customer.

    >>> r = np.array([[True, False, False, False, False], [True, True, False, False, False]])
    >>> t = evaluate_mixes(r, [0.5, 0.5, 0, 0, 0], [1, 1, 1, 1, 1])
    >>> t.loc["microblog + sms", ["cost", "net_reach", "responders"]].tolist()
    [3.0, 2.0, 1.25]
    """
    reach = np.asarray(reach, dtype=bool)
    rates, costs = np.asarray(rates, dtype=float), np.asarray(costs, dtype=float)
    audience = reach.sum(axis=0)
    rows = []
    k = reach.shape[1]
    for size in range(k + 1):
        for idx in combinations(range(k), size):
            idx = list(idx)
            sub = reach[:, idx]
            miss = np.prod(np.where(sub, 1.0 - rates[idx], 1.0), axis=1) if idx else np.ones(reach.shape[0])
            rows.append({"mix": mix_name([CHANNELS[i] for i in idx]), "channels": size,
                         "cost": float((costs[idx] * audience[idx]).sum()),
                         "net_reach": int(sub.any(axis=1).sum()) if idx else 0,
                         "responders": float((1.0 - miss).sum())})
    return pd.DataFrame(rows).set_index("mix")


def best_mix(table: pd.DataFrame, budget: float) -> str:
    """The mix with the most expected responders among those costing at most ``budget``; near-ties (within
    1e-9 relative) go to the cheaper mix.

    >>> t = pd.DataFrame({"cost": [0.0, 5.0, 8.0], "responders": [0.0, 3.0, 3.0]}, index=["none", "a", "b"])
    >>> best_mix(t, 10.0)
    'a'
    """
    ok = table[table["cost"] <= budget]
    top = ok["responders"].max()
    near = ok[ok["responders"] >= top - 1e-9 * max(1.0, abs(top))]
    return str(near["cost"].idxmin())


def _scaled(base, weights, target, cap=0.98):
    base = np.asarray(base, dtype=float)
    w = np.asarray(weights, dtype=float)
    mean = float((base * w).sum() / w.sum()) if w.sum() > 0 else 1.0
    return np.minimum(cap, target * base / mean)


@register("microblog", title="Microblogs as a customer channel: reach, overlap and the channel mix",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, version="1",
          title_zh="微博：多渠道吸引客户——覆盖、重叠与渠道组合", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    counts = np.floor(np.array(AGE_SHARES) * n).astype(int)
    counts[0] += n - counts.sum()
    age = rng.permutation(np.repeat(np.arange(len(AGE_GROUPS)), counts))
    p_net = _scaled(INTERNET_BY_AGE, AGE_SHARES, k["internet_share"])[age]
    internet = rng.random(n) < p_net
    by_age_net = np.bincount(age[internet], minlength=len(AGE_GROUPS))
    p_mb = _scaled(MICROBLOG_BY_AGE, by_age_net, k["microblog_penetration"], cap=0.95)[age]
    microblog = internet & (rng.random(n) < p_mb)
    follows = microblog & (rng.random(n) < k["follow_rate"])
    sms = rng.random(n) < np.asarray(SMS_BY_AGE)[age]
    email = internet & (rng.random(n) < np.asarray(EMAIL_BY_AGE)[age])
    phone = rng.random(n) < np.asarray(PHONE_BY_AGE)[age]
    postal = rng.random(n) < np.asarray(POSTAL_BY_AGE)[age]
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "age_group": pd.Categorical.from_codes(age, categories=AGE_GROUPS),
        "internet_user": internet, "microblog_user": microblog, "follows_brand": follows,
        "sms_opt_in": sms, "email_opt_in": email, "phone_ok": phone, "postal_ok": postal,
    })

    rates = {c: (k["microblog_response"] if c == "microblog" else s["response"]) for c, s in CHANNEL_SPEC.items()}
    costs = {c: (k["call_cost"] if c == "call_centre" else s["cost"]) for c, s in CHANNEL_SPEC.items()}
    reach = np.column_stack([customers[CHANNEL_SPEC[c]["reach"]].to_numpy() for c in CHANNELS])
    channels = pd.DataFrame({
        "channel": pd.Categorical(list(CHANNELS), categories=CHANNELS),
        "reach_column": pd.Categorical([CHANNEL_SPEC[c]["reach"] for c in CHANNELS]),
        "cost_per_contact": [float(costs[c]) for c in CHANNELS],
    })

    ids, chans, resp = [], [], []
    for j, c in enumerate(CHANNELS):
        members = np.flatnonzero(reach[:, j])
        m = min(k["pilot_size"], members.size)
        chosen = np.sort(rng.choice(members, size=m, replace=False)) if m else members[:0]
        ids.append(chosen + 1)
        chans.append(np.full(m, j))
        resp.append(rng.random(m) < rates[c])
    pilot = pd.DataFrame({
        "customer_id": np.concatenate(ids).astype(np.int64),
        "channel": pd.Categorical.from_codes(np.concatenate(chans).astype(np.int64), categories=CHANNELS),
        "responded": np.concatenate(resp).astype(bool),
    })

    cnnic = pd.DataFrame(CNNIC, columns=["figure", "period", "value", "unit"])
    for col in ("figure", "unit"):
        cnnic[col] = pd.Categorical(cnnic[col], categories=list(dict.fromkeys(cnnic[col])))
    cnnic["period"] = pd.Categorical(cnnic["period"], categories=["2010-12", "2011-H1", "2011-06"])

    mixes = evaluate_mixes(reach, [rates[c] for c in CHANNELS], [costs[c] for c in CHANNELS])
    best = best_mix(mixes, k["budget"])
    truth = {
        "channels": pd.DataFrame({"response_rate": [float(rates[c]) for c in CHANNELS],
                                  "cost_per_contact": [float(costs[c]) for c in CHANNELS],
                                  "audience": reach.sum(axis=0).astype(np.int64)},
                                 index=pd.Index(list(CHANNELS), name="channel")),
        "mixes": mixes,
        "best_mix": [c for c in CHANNELS if c in best.split(" + ")],
        "best_mix_responders": float(mixes.loc[best, "responders"]),
        "microblog_penetration": float(k["microblog_penetration"]),
        "microblog_growth_multiple": 195.0 / 63.31,
        "microblog_growth_rate": 195.0 / 63.31 - 1.0,
        "age_groups": dict(zip(AGE_GROUPS, AGE_SHARES)),
    }
    return {"cnnic": cnnic, "customers": customers, "channels": channels, "pilot": pilot}, truth
