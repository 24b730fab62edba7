"""Serving different kinds of customers: four behavioural types, their cues and their response to serving
styles and closing tactics (synthetic world).

Showroom visits of prospective customers. Each customer has a planted primary behavioural type (demanding,
influencing, steady, compliant — the four types of the CRM article collection (source 3), lines 5–37) and a
secondary type it partly mixes in (real buyers "mix several types", line 159). What a salesperson can observe
in the first minutes — questions asked, time taken, detail checked, price haggling, companions … — is drawn
from type-specific distributions that overlap. Every visit was served in one of four styles and with one of
two closing tactics assigned at random (a sales-training field test), so the response of each type to each
style and tactic can be estimated from the log without bias.

Sources: CRM article collection (source 3), lines 5–37 (four types, how to serve each, each type's core need),
lines 41–91 (seven difficult-customer situations and their tactics), lines 101–125 (impulsive buyers: close
fast), lines 127–159 (five home-buyer types; real buyers mix types). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

TYPES = ("demanding", "influencing", "steady", "compliant")
STYLES = ("direct", "warm", "calm", "precise")
TACTICS = ("quick_close", "evidence")
SPLITS = ("train", "test")
SHARES = {"demanding": 0.25, "influencing": 0.30, "steady": 0.25, "compliant": 0.20}
TEST_SHARE = 0.3

# Cue means by type (the readable segment table). Counts are Poisson, minutes log-normal (mean on the
# natural scale, coefficient of variation CUE_CV), yes/no cues Bernoulli.
CUES = {
    #                     demanding influencing steady compliant
    "questions":          (2.0,      3.0,        4.0,   6.0),    # questions asked in the first visit
    "objections":         (1.5,      0.5,        0.8,   2.0),    # objections or criticisms raised
    "minutes_to_engage":  (2.0,      3.0,        8.0,   6.0),    # minutes browsing before speaking to staff
    "small_talk_minutes": (1.0,      6.0,        3.0,   1.0),    # minutes of talk off the product
    "detail_checks":      (1.0,      0.7,        2.0,   4.0),    # spec sheets / contract clauses read
    "companions":         (0.3,      1.5,        1.0,   0.3),    # people who came along
    "asked_discount":     (0.15,     0.25,       0.50,  0.40),   # asked for a discount (price sensitivity)
    "asked_for_best":     (0.70,     0.40,       0.10,  0.20),   # asked for the top model
    "asked_guarantee":    (0.10,     0.15,       0.60,  0.45),   # asked about warranty or guarantees
}
COUNT_CUES = ("questions", "objections", "detail_checks", "companions")
MINUTE_CUES = ("minutes_to_engage", "small_talk_minutes")
FLAG_CUES = ("asked_discount", "asked_for_best", "asked_guarantee")
CUE_CV = 0.6

# Conversion: log-odds of buying = base[type] + style_effect x (STYLE[type][style] + TACTIC[type][tactic]).
BASE = {"demanding": 0.30, "influencing": 0.35, "steady": 0.25, "compliant": 0.20}   # as probabilities
STYLE = {  #            direct  warm  calm  precise
    "demanding":   (0.9, 0.0, -0.6, 0.0),
    "influencing": (0.0, 0.9, -0.3, -0.6),
    "steady":      (-0.6, 0.0, 0.9, 0.2),
    "compliant":   (-0.3, -0.6, 0.2, 0.9),
}
TACTIC = {  #          quick_close  evidence
    "demanding":   (0.3, -0.3),
    "influencing": (0.4, -0.4),
    "steady":      (-0.4, 0.4),
    "compliant":   (-0.3, 0.3),
}

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 1000}
KNOBS = [
    Knob("n_customers", 3000, int, "number of customers (one showroom visit each)", low=40, high=1_000_000,
         doc_zh="客户数（每人一次到店）"),
    Knob("separation", 1.0, float, "how far apart the types' cue means are (0: the cues carry no information "
         "about the type; 1: as planted)", low=0.0, high=3.0,
         doc_zh="各类型线索均值相距多远（0：线索与类型无关；1：按设定）"),
    Knob("mix", 0.2, float, "average weight of each customer's secondary type in its cues and response "
         "(0: pure types)", low=0.0, high=0.45, doc_zh="每位客户的次要类型在其线索和反应中所占的平均权重（0：纯粹类型）"),
    Knob("style_effect", 1.0, float, "multiplier of the effects of serving style and closing tactic on the "
         "log-odds of buying (0: service makes no difference)", low=0.0, high=3.0,
         doc_zh="接待风格和成交策略对购买对数几率影响的倍数（0：怎么接待都一样）"),
]

C = Column
TABLES = [
    Table("visits", "One row per customer: the cues observed in the first minutes of the visit, the customer's "
          "behavioural type from a profile questionnaire, the serving style and closing tactic used (assigned at "
          "random in a sales-training field test) and whether the customer bought.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("questions", "int64", "questions the customer asked in the first visit", doc_zh="首次到店提出的问题数"),
              C("objections", "int64", "objections or criticisms the customer raised", doc_zh="提出的异议或挑剔次数"),
              C("minutes_to_engage", "float64", "time spent browsing before speaking to staff", "minutes",
                doc_zh="开口与店员交谈之前自行浏览的时间"),
              C("small_talk_minutes", "float64", "time spent talking about things other than the product",
                "minutes", doc_zh="谈论产品以外话题的时间"),
              C("detail_checks", "int64", "specification sheets or contract clauses the customer read",
                doc_zh="客户查看的规格说明或合同条款数"),
              C("companions", "int64", "people who came along with the customer", doc_zh="陪同前来的人数"),
              C("asked_discount", "bool", "the customer asked for a discount (price sensitivity)",
                doc_zh="是否要求打折（价格敏感）"),
              C("asked_for_best", "bool", "the customer asked for the top model", doc_zh="是否点名要最好的型号"),
              C("asked_guarantee", "bool", "the customer asked about warranty or guarantees",
                doc_zh="是否询问保修或保证"),
              C("type", "category", "behavioural type from a profile questionnaire: demanding, influencing, steady, "
                "compliant", doc_zh="问卷测评得出的行为类型：demanding（要求型）、influencing（影响型）、"
                                    "steady（稳定型）、compliant（恭顺型）"),
              C("split", "category", "train: visits for building models; test: visits held out to evaluate them",
                doc_zh="train：用于建模的到店记录；test：留出用于评估的到店记录"),
              C("style", "category", "serving style used: direct, warm, calm, precise",
                doc_zh="采用的接待风格：direct（直接）、warm（热情）、calm（平和）、precise（严谨）"),
              C("tactic", "category", "closing tactic used: quick_close (close while the customer is keen) or "
                "evidence (step-by-step facts and proof)",
                doc_zh="采用的成交策略：quick_close（趁热打铁）或 evidence（层层推进、举证说明）"),
              C("bought", "bool", "the customer bought", doc_zh="是否成交"),
          ), doc_zh="每位客户一行：到店最初几分钟观察到的线索、问卷测评得出的行为类型、所用的接待风格和成交策略"
                    "（销售培训实地试验中随机分配）以及是否成交。"),
]

DESCRIPTION = """
Customers come in four behavioural types with fixed shares (demanding 25%, influencing 30%, steady 25%,
compliant 20%; `truth['shares']`), after the CRM article collection (source 3), lines 5–37. Each customer also
has a secondary type (one of the other three, equally likely) and a mixing weight w ~ Beta with mean `mix`
(concentration 10; 0 when `mix` = 0): real buyers mix several types (source 3, line 159).

Cues: each type has a mean for each cue (`truth['cue_means']`); the means are pulled toward the average of
the four types by `separation` (mean = average + separation x (type mean - average), clipped at 0.02 for
counts and minutes and to [0.02, 0.98] for shares). A customer's cue mean is (1 - w) x primary + w x secondary.
Counts (questions, objections, detail checks, companions) are Poisson; minutes are log-normal with that mean and a
coefficient of variation of 0.6; yes/no cues are Bernoulli. So the cues overlap between types.

Service: each visit got one of four styles (direct, warm, calm, precise) and one of two tactics (quick_close,
evidence), each uniformly at random and independently. Log-odds of buying = logit(base[type]) +
style_effect x (STYLE[type][style] + TACTIC[type][tactic]), where base, STYLE and TACTIC are
`truth['base_conversion']`, `truth['style_effect']` and `truth['tactic_effect']` (the planted values before the
style_effect multiplier); for a mixed customer the log-odds are (1 - w) x primary + w x secondary. Each type
buys most when served in its own style (demanding-direct, influencing-warm, steady-calm,
compliant-precise), and demanding and influencing customers respond to a quick close, steady and compliant ones to
evidence (source 3, lines 11–23, 101–125, 129–133). `type` in the table is the primary type. 30% of the
customers, drawn at random, form the test split. `truth['customers']` holds, per customer, the secondary type,
the weight w and the probability of buying under each style and tactic.
"""

DESCRIPTION_ZH = """
客户分为四种行为类型，比例固定（要求型 demanding 25%、影响型 influencing 30%、稳定型 steady 25%、恭顺型
compliant 20%；见 `truth['shares']`），依据《客户关系管理文章选编》（资料3）第5–37行。每位客户还有一个次要类型
（其余三种之一，等可能），混合权重 w 服从均值为 `mix` 的 Beta 分布（集中度10；`mix` = 0 时 w = 0）：实际的客户
往往是多种性格相交（资料3第159行）。

线索：每种类型在每条线索上有一个均值（`truth['cue_means']`）；这些均值按 `separation` 向四种类型的平均值收缩
（均值 = 平均值 + separation x (类型均值 - 平均值)，计数和分钟数截断在0.02以上，比例截断在[0.02, 0.98]）。
一位客户的线索均值是 (1 - w) x 主要类型 + w x 次要类型。计数（问题数、异议数、查看条款数、陪同人数）服从泊松分布；
分钟数服从对数正态分布（均值如上，变异系数0.6）；是/否线索服从伯努利分布。因此各类型的线索彼此重叠。

接待：每次到店随机、独立地采用四种风格之一（direct 直接、warm 热情、calm 平和、precise 严谨）和两种策略之一
（quick_close 趁热打铁、evidence 层层举证）。购买的对数几率 = logit(base[type]) + style_effect x
(STYLE[type][style] + TACTIC[type][tactic])，其中 base、STYLE、TACTIC 分别见 `truth['base_conversion']`、
`truth['style_effect']`、`truth['tactic_effect']`（乘以 style_effect 之前的设定值）；混合型客户的对数几率是
(1 - w) x 主要类型 + w x 次要类型。每种类型在用与之相配的风格接待时成交最多（要求型—直接、影响型—热情、
稳定型—平和、恭顺型—严谨）；要求型和影响型客户对趁热打铁反应好，稳定型和恭顺型客户对举证说明反应好
（资料3第11–23、101–125、129–133行）。表中的 `type` 是主要类型。随机抽取30%的客户作为测试集（test）。
`truth['customers']` 逐个客户给出次要类型、权重 w 以及在每种风格和策略下的购买概率。
"""


def _logit(p):
    return np.log(p / (1 - p))


def cue_means(separation: float) -> dict:
    """Cue means by type after pulling them toward the four types' average by ``separation``."""
    out = {}
    for cue, means in CUES.items():
        m = np.asarray(means, dtype=float)
        m = m.mean() + separation * (m - m.mean())
        m = np.clip(m, 0.02, 0.98) if cue in FLAG_CUES else np.maximum(m, 0.02)
        out[cue] = dict(zip(TYPES, m.tolist()))
    return out


@register("sales_types", title="Serving different kinds of customers: behavioural types and persuasion tactics",
          title_zh="怎样对待不同性格的客户：行为类型与说服策略",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    segments = [{"name": t, "share": SHARES[t],
                 "secondary": {"dist": "categorical", "probs": {u: (0.0 if u == t else 1 / 3) for u in TYPES}}}
                for t in TYPES]
    pop = draw_segments(rng, n, segments)
    primary = pop["segment"].cat.codes.to_numpy().astype(np.int64)
    secondary = pd.Categorical(pop["secondary"].astype(str), categories=TYPES).codes.astype(np.int64)
    if k["mix"] > 0:
        w = rng.beta(10 * k["mix"], 10 * (1 - k["mix"]), n)
    else:
        w = np.zeros(n)

    means = cue_means(k["separation"])
    cues = {}
    for cue in CUES:
        m = np.array([means[cue][t] for t in TYPES])
        mu = (1 - w) * m[primary] + w * m[secondary]
        if cue in COUNT_CUES:
            cues[cue] = rng.poisson(mu).astype(np.int64)
        elif cue in MINUTE_CUES:
            s2 = np.log1p(CUE_CV ** 2)
            cues[cue] = np.round(mu * np.exp(np.sqrt(s2) * rng.standard_normal(n) - s2 / 2), 1)
        else:
            cues[cue] = rng.random(n) < mu

    style = rng.integers(0, len(STYLES), n)
    tactic = rng.integers(0, len(TACTICS), n)
    base = _logit(np.array([BASE[t] for t in TYPES]))
    S = np.array([STYLE[t] for t in TYPES])
    T = np.array([TACTIC[t] for t in TYPES])
    eff = k["style_effect"]

    def eta(s, c):
        one = lambda j: base[j] + eff * (S[j, s] + T[j, c])   # noqa: E731
        return (1 - w) * one(primary) + w * one(secondary)

    p_buy, bought = logit_draw(rng, eta(style, tactic))
    test = np.zeros(n, dtype=bool)
    test[rng.permutation(n)[: round(TEST_SHARE * n)]] = True

    visits = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        **{c: cues[c] for c in CUES},
        "type": pd.Categorical.from_codes(primary, categories=TYPES),
        "split": pd.Categorical.from_codes(test.astype(np.int64), categories=SPLITS),
        "style": pd.Categorical.from_codes(style, categories=STYLES),
        "tactic": pd.Categorical.from_codes(tactic, categories=TACTICS),
        "bought": np.asarray(bought, dtype=bool),
    })
    for c in FLAG_CUES:
        visits[c] = visits[c].astype(bool)
    per = {f"p_{s}_{c}": 1 / (1 + np.exp(-eta(np.full(n, i), np.full(n, j))))
           for i, s in enumerate(STYLES) for j, c in enumerate(TACTICS)}
    truth = {
        "shares": dict(SHARES),
        "cue_means": means,
        "base_conversion": dict(BASE),
        "style_effect": {t: dict(zip(STYLES, STYLE[t])) for t in TYPES},
        "tactic_effect": {t: dict(zip(TACTICS, TACTIC[t])) for t in TYPES},
        "best_style": {t: STYLES[int(np.argmax(STYLE[t]))] for t in TYPES},
        "best_tactic": {t: TACTICS[int(np.argmax(TACTIC[t]))] for t in TYPES},
        "customers": pd.DataFrame({"secondary": pd.Categorical.from_codes(secondary, categories=TYPES),
                                   "mix_weight": w, "p_bought": p_buy, **per},
                                  index=pd.Index(visits["customer_id"], name="customer_id")),
    }
    return {"visits": visits}, truth
