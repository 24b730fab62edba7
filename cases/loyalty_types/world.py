"""Five types of customer loyalty, satisfaction versus loyalty, and two shocks (synthetic world).

A regional grocery chain with stores in a number of towns. In some towns it is the only grocery (no rival
store); in the others one or more rivals compete. Each customer has a latent loyalty type - monopoly,
inertia, price, incentive or trust loyalty, or not loyal at all - which drives a customer survey
(attachment, satisfaction, price orientation) and a year of shopping behaviour (months with a visit,
visits made with points or reward vouchers). At the start of year 2 two shocks hit a random subset of towns:
a discount rival opens a store, and the chain ends its points programme. Who is still a customer at the
end of year 2 depends on the customer's type and on the shocks in the town.

Sources: CRM article collection (source 3), lines 557–571 (the five loyalty types; attachment and repeat
levels are given for monopoly, incentive and trust loyalty only) and 573–609 (satisfaction versus loyalty:
loyal customers are satisfied, satisfied customers need not be loyal; moderators). All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.surveys import SurveyItem, draw_survey

TYPES = ("monopoly", "inertia", "price", "incentive", "trust", "not loyal")

# Latent means per type on the standard-normal scale of each survey attitude, and the behaviour parameters.
# attachment: source 003 line 563 (monopoly: low), 569 (incentive: low), 571 (trust: high); the levels of
# inertia, price and "not loyal" are this world's assumptions (the source gives none).
PROFILE = pd.DataFrame({
    #              attachment  satisfaction  price   repeat Beta(a, b)   reward-visit share Beta(a, b)
    "attachment": [-0.7, -0.4, -0.7, -0.6, 1.6, -0.4],
    "satisfaction": [-0.8, -0.1, 0.2, 0.3, 1.8, -0.1],
    "price": [-0.4, -0.4, 1.3, 0.4, -0.4, -0.4],
    "repeat_a": [8.0, 8.0, 8.0, 8.0, 9.0, 2.0],
    "repeat_b": [2.0, 2.0, 2.0, 2.0, 1.5, 5.0],
    "reward_a": [1.5, 1.5, 1.5, 7.0, 1.5, 1.5],
    "reward_b": [8.0, 8.0, 8.0, 3.0, 8.0, 8.0],
}, index=pd.Index(TYPES, name="type"))
WITHIN_SD = 0.6        # spread of each attitude within a type
SAT_ATT = 0.6          # within a type, correlation of latent satisfaction with latent attachment

# Probability of leaving during year 2: baseline, extra when a rival opens in the town, extra when the points
# programme ends in the town; P(stay) = (1 - base) (1 - entry x E) (1 - reward x R).
LEAVE = pd.DataFrame({
    "base": [0.03, 0.06, 0.08, 0.08, 0.03, 0.30],
    "entry": [0.60, 0.12, 0.50, 0.15, 0.05, 0.20],
    "reward_end": [0.05, 0.05, 0.05, 0.60, 0.02, 0.10],
}, index=pd.Index(TYPES, name="type"))

# Split of the customers of a competitive town not taken by trust and incentive loyalty.
REST_SPLIT = {"price": 0.4, "inertia": 0.3, "not loyal": 0.3}
MONOPOLY_NOT_LOYAL = 0.10   # share of a monopoly town's customers who buy mostly elsewhere (the next town)

ATTACH_ITEMS = (SurveyItem("attach_1", 0.9), SurveyItem("attach_2", 0.85), SurveyItem("attach_3", 0.8))

SNAPSHOT_KNOBS = {"n_customers": 800, "n_towns": 16}
KNOBS = [
    Knob("n_customers", 3000, int, "number of customers surveyed and followed for two years", low=300,
         high=1_000_000, doc_zh="接受问卷调查并被追踪两年的客户数"),
    Knob("n_towns", 40, int, "number of towns with one of the chain's stores", low=8, high=5000,
         doc_zh="连锁超市开有门店的城镇数"),
    Knob("monopoly_town_share", 0.25, float, "share of towns where the chain is the only grocery in year 1",
         low=0.1, high=0.9, doc_zh="第1年本连锁是当地唯一一家超市的城镇所占比例"),
    Knob("trust_share", 0.25, float, "share of customers with trust loyalty (high attachment, high repeat)",
         low=0.05, high=0.6, doc_zh="信赖忠诚客户（高依恋、高重复购买）所占比例"),
    Knob("incentive_share", 0.20, float, "share of the customers of competitive towns with incentive loyalty "
         "(they come for the points)", low=0.0, high=0.3, doc_zh="有竞争城镇的客户中利益忠诚客户（冲着积分来）所占比例"),
    Knob("entry_share", 0.5, float, "share of towns where a discount rival opens a store at the start of year 2",
         low=0.1, high=0.9, doc_zh="第2年初有一家折扣竞争者开店的城镇所占比例"),
    Knob("reward_end_share", 0.5, float, "share of towns where the points programme ends at the start of year 2",
         low=0.1, high=0.9, doc_zh="第2年初积分计划结束的城镇所占比例"),
    Knob("survey_noise", 0.5, float, "answering noise of the survey items (latent standard deviations)",
         low=0.0, high=2.0, doc_zh="问卷题项的作答噪声（以潜变量标准差计）"),
]

C = Column
TABLES = [
    Table("towns", "One row per town: competition in year 1 and the two shocks of year 2.", (
        C("town", "int64", "town id", doc_zh="城镇编号"),
        C("rivals_y1", "int64", "number of rival grocery stores in the town in year 1 (0 = the chain is the only one)",
          doc_zh="第1年该城镇竞争对手超市的数量（0 = 本连锁是唯一一家）"),
        C("rival_enters_y2", "bool", "a discount rival opens a store in the town at the start of year 2",
          doc_zh="第2年初是否有一家折扣竞争者在该城镇开店"),
        C("reward_ends_y2", "bool", "the chain's points programme ends in the town at the start of year 2",
          doc_zh="第2年初本连锁在该城镇的积分计划是否结束"),
    ), doc_zh="每个城镇一行：第1年的竞争情况和第2年的两个冲击。"),
    Table("survey", "One row per customer: the customer survey taken at the end of year 1 (5-point items, "
          "1 = strongly disagree ... 5 = strongly agree; satisfaction 1 = very dissatisfied ... 5 = very satisfied).", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("satisfaction", "int64", "overall satisfaction with the chain (1-5)", doc_zh="对本连锁的总体满意度（1–5）"),
        C("attach_1", "int64", "'I feel attached to this store' (1-5)", doc_zh="“我对这家店有感情”（1–5）"),
        C("attach_2", "int64", "'I would recommend this store to friends' (1-5)", doc_zh="“我会向朋友推荐这家店”（1–5）"),
        C("attach_3", "int64", "'I would miss this store if it closed' (1-5)", doc_zh="“这家店要是关门了我会舍不得”（1–5）"),
        C("price_first", "int64", "'I shop wherever groceries are cheapest' (1-5)",
          doc_zh="“哪里的东西便宜我就去哪里买”（1–5）"),
    ), doc_zh="每个客户一行：第1年末的客户问卷（5级题项，1 = 非常不同意 … 5 = 非常同意；满意度 1 = 非常不满意 … 5 = 非常满意）。"),
    Table("behaviour", "One row per customer: shopping behaviour from the loyalty-card data in year 1, and "
          "whether the customer was still shopping at the chain at the end of year 2.", (
        C("customer_id", "int64", "customer id", doc_zh="客户编号"),
        C("town", "int64", "town of the customer's store", doc_zh="客户所在门店的城镇编号"),
        C("months_y1", "int64", "months of year 1 with at least one visit (1-12)", "months",
          doc_zh="第1年中至少来店一次的月数（1–12）"),
        C("visits_y1", "int64", "visits in year 1", doc_zh="第1年来店次数"),
        C("reward_visits_y1", "int64", "visits in year 1 where points were redeemed or a reward voucher used",
          doc_zh="第1年中兑换积分或使用奖励券的来店次数"),
        C("retained_y2", "bool", "still shopping at the chain at the end of year 2", doc_zh="第2年末是否仍在本连锁购物"),
    ), doc_zh="每个客户一行：第1年会员卡数据中的购物行为，以及第2年末是否仍在本连锁购物。"),
]

DESCRIPTION = """
Towns: a share `monopoly_town_share` of the towns (at least two, and at least two left over) has no rival
store in year 1; each other town has 1 + Poisson(1.5) rivals. Customers are spread evenly at random over the
towns. Each customer has a latent loyalty type (`truth['customers']['type']`): in a monopoly town trust with
probability `trust_share`, not loyal 10%, monopoly otherwise; in a competitive town trust `trust_share`,
incentive `incentive_share`, and the rest split price 40%, inertia 30%, not loyal 30%.

Survey (crmlab.worlds.mech.surveys, ordered-probit items with answering noise `survey_noise`): the three
attachment items load 0.9, 0.85 and 0.8 on a latent attachment, satisfaction and price_first load 0.9 on
their own latents. Each latent is the type's mean plus N(0, 0.6) (`truth['profile']`); within a type,
latent satisfaction correlates 0.6 with latent attachment. Attachment is low for
monopoly and incentive loyalty and high for trust loyalty, as CRM article collection (source 3), lines
563, 569 and 571 say; the source gives no levels for inertia and price loyalty, and the levels used here
(low) are this world's assumptions. Satisfaction is highest for trust loyalty and lowest for monopoly
loyalty, so loyal (attached, repeating) customers are nearly all satisfied while many satisfied customers
are not loyal (source 3, lines 605–607).

Behaviour in year 1 (the points programme runs everywhere): months with a visit = 1 + Binomial(11, p),
p ~ Beta by type (high for the five loyal types, low for "not loyal"); visits = months + Poisson(1.5 x
months); reward visits ~ Binomial(visits, q), q ~ Beta by type (high for incentive loyalty).

Year 2: a discount rival opens in `entry_share` of the monopoly towns and of the competitive towns
(stratified, at least one town in and out of each group), and the points programme ends in
`reward_end_share` of each group, independently of the entry. A customer leaves during year 2 with
probability 1 - (1 - base)(1 - entry x E)(1 - reward_end x R), E and R the town's shocks, with the
probabilities of `truth['leave']` per type (monopoly customers leave when a rival opens, incentive customers
when the points end, price customers when a cheaper rival opens). `truth['customers']` holds each customer's
type and leave probability; `truth['effects']` the average planted rise in the leave rate per type from each
shock over this world's customers.
"""

DESCRIPTION_ZH = """
城镇：比例为 `monopoly_town_share` 的城镇（至少两个，且至少留下两个有竞争的城镇）第1年没有竞争对手的门店；其余每个城镇有
1 + Poisson(1.5) 家竞争对手。客户随机均匀地分布在各城镇。每个客户有一个潜在的忠诚类型（`truth['customers']['type']`）：
在垄断城镇，信赖忠诚的概率为 `trust_share`，不忠诚10%，其余为垄断忠诚；在有竞争的城镇，信赖忠诚 `trust_share`、
利益忠诚 `incentive_share`，其余按价格忠诚40%、惰性忠诚30%、不忠诚30%分配。

问卷（crmlab.worlds.mech.surveys，有作答噪声 `survey_noise` 的有序 probit 题项）：三道依恋题在潜在依恋上的载荷为
0.9、0.85和0.8；满意度和 price_first 在各自潜变量上的载荷为0.9。每个潜变量等于该类型的均值加 N(0, 0.6)
（`truth['profile']`）；在同一类型内，潜在满意度与潜在依恋的相关系数为0.6。垄断忠诚和利益忠诚依恋低、信赖忠诚依恋高，这与《客户关系管理文章选编》（资料3）第563、569、571行
一致；资料没有给出惰性忠诚和价格忠诚的依恋水平，这里取“低”是本数据世界的假设。信赖忠诚的满意度最高、垄断忠诚最低，
因此忠诚（有依恋、重复购买）的客户几乎都满意，而满意的客户中有许多并不忠诚（资料3第605–607行）。

第1年的行为（积分计划在所有城镇运行）：来店月数 = 1 + Binomial(11, p)，p 按类型服从 Beta 分布（五种忠诚类型高、“不忠诚”低）；
来店次数 = 月数 + Poisson(1.5 x 月数)；奖励来店次数 ~ Binomial(来店次数, q)，q 按类型服从 Beta 分布（利益忠诚高）。

第2年：在垄断城镇和有竞争城镇中各有比例为 `entry_share` 的城镇迎来一家折扣竞争者（分层抽取，每组至少各有一个城镇进入与未进入），
积分计划在每组中比例为 `reward_end_share` 的城镇结束，与竞争者进入相互独立。客户在第2年流失的概率为
1 - (1 - base)(1 - entry x E)(1 - reward_end x R)，其中 E、R 为所在城镇的两个冲击，各类型的概率见 `truth['leave']`
（竞争者开店时垄断忠诚客户离开，积分结束时利益忠诚客户离开，更便宜的竞争者开店时价格忠诚客户离开）。
`truth['customers']` 给出每个客户的类型和流失概率；`truth['effects']` 给出本数据世界中每种类型因每个冲击而平均上升的流失率。
"""


def _pick(rng: np.random.Generator, members: np.ndarray, share: float) -> np.ndarray:
    """A random subset of ``members`` of size round(share x size), at least one in and one out when possible."""
    k = int(np.clip(round(share * members.size), 1, max(1, members.size - 1)))
    chosen = np.zeros(members.size, dtype=bool)
    chosen[rng.permutation(members.size)[:k]] = True
    return chosen


def _leave_probability(types: np.ndarray, entered: np.ndarray, ended: np.ndarray) -> np.ndarray:
    p = LEAVE.loc[types]
    stay = ((1 - p["base"].to_numpy()) * (1 - p["entry"].to_numpy() * entered)
            * (1 - p["reward_end"].to_numpy() * ended))
    return 1 - stay


@register("loyalty_types", title="Five types of customer loyalty, and satisfaction versus loyalty",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, version="1",
          title_zh="客户忠诚的类型与客户满意", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    n, n_towns = k["n_customers"], k["n_towns"]
    # towns
    n_mono = int(np.clip(round(k["monopoly_town_share"] * n_towns), 2, n_towns - 2))
    monopoly = np.zeros(n_towns, dtype=bool)
    monopoly[rng.permutation(n_towns)[:n_mono]] = True
    rivals = np.where(monopoly, 0, 1 + rng.poisson(1.5, n_towns)).astype(np.int64)
    entered = np.zeros(n_towns, dtype=bool)
    ended = np.zeros(n_towns, dtype=bool)
    for group in (monopoly, ~monopoly):
        members = np.flatnonzero(group)
        entered[members] = _pick(rng, members, k["entry_share"])
        ended[members] = _pick(rng, members, k["reward_end_share"])

    # customers and their latent types
    town = rng.integers(0, n_towns, n)
    mono_c = monopoly[town]
    rest = 1.0 - k["trust_share"] - k["incentive_share"]
    probs_comp = np.array([0.0, rest * REST_SPLIT["inertia"], rest * REST_SPLIT["price"], k["incentive_share"],
                           k["trust_share"], rest * REST_SPLIT["not loyal"]])
    probs_mono = np.array([1.0 - k["trust_share"] - MONOPOLY_NOT_LOYAL, 0, 0, 0, k["trust_share"], MONOPOLY_NOT_LOYAL])
    u = rng.random(n)
    code = np.where(mono_c, np.searchsorted(np.cumsum(probs_mono), u, side="right"),
                    np.searchsorted(np.cumsum(probs_comp), u, side="right"))
    code = np.minimum(code, len(TYPES) - 1)
    types = np.asarray(TYPES, dtype=object)[code]
    prof = PROFILE.loc[types]

    # survey
    noise = k["survey_noise"]
    ids = np.arange(1, n + 1, dtype=np.int64)
    z = rng.standard_normal((3, n))
    latent = {"attachment": prof["attachment"].to_numpy() + WITHIN_SD * z[0],
              "satisfaction": prof["satisfaction"].to_numpy() + WITHIN_SD * (SAT_ATT * z[0] + np.sqrt(1 - SAT_ATT ** 2) * z[1]),
              "price": prof["price"].to_numpy() + WITHIN_SD * z[2]}
    att = draw_survey(rng, latent["attachment"], ATTACH_ITEMS, noise_sd=noise).responses
    sat = draw_survey(rng, latent["satisfaction"], [SurveyItem("satisfaction", 0.9)], noise_sd=noise).responses
    price = draw_survey(rng, latent["price"], [SurveyItem("price_first", 0.9)], noise_sd=noise).responses
    survey = pd.DataFrame({"customer_id": ids, "satisfaction": sat["satisfaction"].to_numpy(),
                           **{c: att[c].to_numpy() for c in ("attach_1", "attach_2", "attach_3")},
                           "price_first": price["price_first"].to_numpy()})

    # behaviour in year 1
    p_month = rng.beta(prof["repeat_a"].to_numpy(), prof["repeat_b"].to_numpy())
    months = 1 + rng.binomial(11, p_month)
    visits = months + rng.poisson(1.5 * months)
    q_reward = rng.beta(prof["reward_a"].to_numpy(), prof["reward_b"].to_numpy())
    reward_visits = rng.binomial(visits, q_reward)

    # year 2: the shocks
    e_c, r_c = entered[town].astype(float), ended[town].astype(float)
    p_leave = _leave_probability(types, e_c, r_c)
    retained = rng.random(n) >= p_leave

    towns = pd.DataFrame({"town": np.arange(1, n_towns + 1, dtype=np.int64), "rivals_y1": rivals,
                          "rival_enters_y2": entered, "reward_ends_y2": ended})
    behaviour = pd.DataFrame({"customer_id": ids, "town": (town + 1).astype(np.int64),
                              "months_y1": months.astype(np.int64), "visits_y1": visits.astype(np.int64),
                              "reward_visits_y1": reward_visits.astype(np.int64), "retained_y2": retained})

    # planted effects: average rise in the leave rate from each shock, over this world's customers of each type
    effects = {}
    for t in TYPES:
        sel = types == t
        if not sel.any():
            continue
        e_t, r_t = e_c[sel], r_c[sel]
        tt = types[sel]
        effects[t] = {
            "customers": int(sel.sum()),
            "entry": float(np.mean(_leave_probability(tt, np.ones_like(e_t), r_t)
                                   - _leave_probability(tt, np.zeros_like(e_t), r_t))),
            "reward_end": float(np.mean(_leave_probability(tt, e_t, np.ones_like(r_t))
                                        - _leave_probability(tt, e_t, np.zeros_like(r_t)))),
        }
    counts = pd.Series(types).value_counts()
    truth = {
        "types": list(TYPES),
        "type_shares": {t: float(counts.get(t, 0) / n) for t in TYPES},
        "profile": PROFILE.reset_index().to_dict(orient="records"),
        "leave": LEAVE.reset_index().to_dict(orient="records"),
        "source_levels": {"monopoly": "source 3, line 563: low attachment, high repeat",
                          "incentive": "source 3, line 569: low attachment, high repeat while rewards last",
                          "trust": "source 3, line 571: high attachment, high repeat",
                          "inertia": "assumption of this world: low attachment, high repeat",
                          "price": "assumption of this world: low attachment, high repeat"},
        "effects": effects,
        "customers": pd.DataFrame({"type": pd.Categorical(types, categories=TYPES),
                                   "monopoly_town": mono_c, "p_leave": p_leave},
                                  index=pd.Index(ids, name="customer_id")),
    }
    return {"towns": towns, "survey": survey, "behaviour": behaviour}, truth
