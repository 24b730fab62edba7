"""World ``tesco``: a Clubcard-style points-and-vouchers scheme over a year of grocery baskets.

Public record (casebook, "safe to cite"): Tesco's Clubcard was launched in the UK in 1995 with the
analytics firm dunnhumby; points are worth about 1% of spend and are paid out as quarterly vouchers;
basket data was used to segment shoppers and personalise mailings. The casebook chapter
(CRM Q&A compilation (source 0), lines 99–102 and 156–159 (section ㈣)) teaches that a loyalty programme can
win loyalty; CRM article collection (source 3), line 663 says rewards should keep customers loyal through their
own interest "even if the loyalty is false" (虚假忠诚): loyalty bought with incentives, 利益忠诚 (line 569), which
ends with the reward. That is not the self-selection of heavy shoppers into the scheme (self-selection bias,
自选择偏差), which the world plants separately. Everything else — shoppers, catalogue, prices, segments, rules, effect sizes — is
synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.baskets import PlantedRule, baskets_long, draw_baskets, expected_rules
from crmlab.worlds.mech.population import draw_segments
from crmlab.worlds.mech.purchases import weeks_to_dates
from crmlab.worlds.mech.visits import merge_visits, poisson_visits

START = "2024-01-01"
WEEKS = 52.0
LAUNCH_WEEK = 13.0            # the scheme starts with the second quarter
MAILING_WEEK = 39.0           # personalised coupon mailing at the start of the fourth quarter
HOLDOUT_SHARE = 0.2           # members randomly held out of the mailing
QUARTER_WEEKS = 13.0
BASE_ITEM_PROB = 0.08
RULE_ITEM_PROB = 0.015        # background probability of items that take part in a planted rule
REDEEM_CONCENTRATION = 4.0    # Beta(κ(1 − breakage), κ·breakage) spread of members' redemption propensity

# Catalogue: category -> (item, price in £). Synthetic prices.
CATALOGUE = {
    "fresh_produce": (("bananas", 0.85), ("apples", 1.60), ("salad bag", 1.00), ("tomatoes", 0.95),
                      ("potatoes", 1.30)),
    "bakery": (("white bread", 0.75), ("wholemeal bread", 1.10), ("croissants", 1.50), ("burger buns", 0.90),
               ("crumpets", 0.70)),
    "dairy": (("milk", 1.45), ("butter", 1.99), ("cheddar", 2.85), ("yoghurt", 1.25), ("eggs", 1.90)),
    "meat_fish": (("chicken breast", 4.20), ("beef mince", 3.50), ("salmon fillets", 4.50), ("sausages", 2.60),
                  ("burgers", 3.00)),
    "ready_meals": (("lasagne", 3.25), ("curry", 3.50), ("sandwich", 2.60), ("sushi", 4.00), ("soup", 2.10)),
    "baby_kids": (("nappies", 5.00), ("baby wipes", 1.50), ("baby food", 0.95), ("kids cereal", 2.40),
                  ("fruit pouches", 2.20)),
    "household": (("washing powder", 6.00), ("toilet roll", 4.50), ("washing-up liquid", 1.20),
                  ("bin bags", 2.00), ("kitchen roll", 2.40)),
    "alcohol": (("lager", 6.50), ("red wine", 7.00), ("white wine", 6.50), ("cider", 4.50), ("gin", 16.00)),
    "finest": (("finest steak", 8.50), ("cheese board", 6.00), ("finest dessert", 4.00), ("smoked salmon", 5.00),
               ("champagne", 25.00)),
    "value_range": (("value beans", 0.32), ("value pasta", 0.45), ("value bread", 0.50), ("value tea", 0.60),
                    ("value biscuits", 0.40)),
    "snacks_drinks": (("crisps", 1.60), ("chocolate", 1.25), ("cola", 1.90), ("biscuits", 1.10),
                      ("orange juice", 1.75)),
    "cupboard": (("pasta", 0.95), ("pasta sauce", 1.60), ("parmesan", 2.75), ("rice", 1.20),
                 ("tinned tomatoes", 0.55)),
}
CATEGORIES = tuple(CATALOGUE)
ITEMS = tuple(i for c in CATEGORIES for i, _ in CATALOGUE[c])
PRICES = np.array([p for c in CATEGORIES for _, p in CATALOGUE[c]])
ITEM_CATEGORY = np.repeat(np.arange(len(CATEGORIES)), [len(CATALOGUE[c]) for c in CATEGORIES])

# Latent shopper segments: shares, observable attributes and trip rates (population.draw_segments) ...
SEGMENTS = [
    {"name": "value", "share": 0.30,
     "household_size": {"dist": "normal", "mean": 2.5, "sd": 1.2, "low": 1, "decimals": 0, "dtype": "int"},
     "age": {"dist": "normal", "mean": 45, "sd": 15, "low": 18, "high": 90, "decimals": 0, "dtype": "int"},
     "trip_rate": {"dist": "lognormal", "mean": 0.6, "sd": 0.3}},
    {"name": "family", "share": 0.25,
     "household_size": {"dist": "normal", "mean": 3.8, "sd": 1.0, "low": 2, "decimals": 0, "dtype": "int"},
     "age": {"dist": "normal", "mean": 36, "sd": 7, "low": 18, "high": 90, "decimals": 0, "dtype": "int"},
     "trip_rate": {"dist": "lognormal", "mean": 0.7, "sd": 0.3}},
    {"name": "convenience", "share": 0.25,
     "household_size": {"dist": "normal", "mean": 1.5, "sd": 0.7, "low": 1, "decimals": 0, "dtype": "int"},
     "age": {"dist": "normal", "mean": 30, "sd": 8, "low": 18, "high": 90, "decimals": 0, "dtype": "int"},
     "trip_rate": {"dist": "lognormal", "mean": 1.0, "sd": 0.5}},
    {"name": "premium", "share": 0.20,
     "household_size": {"dist": "normal", "mean": 2.3, "sd": 0.9, "low": 1, "decimals": 0, "dtype": "int"},
     "age": {"dist": "normal", "mean": 50, "sd": 12, "low": 18, "high": 90, "decimals": 0, "dtype": "int"},
     "trip_rate": {"dist": "lognormal", "mean": 0.5, "sd": 0.25}},
]
SEGMENT_NAMES = tuple(s["name"] for s in SEGMENTS)
# ... and their tastes: multiplier of the base item probability per category (columns in SEGMENT_NAMES order).
CATEGORY_TASTE = {
    "fresh_produce": (1.0, 1.5, 0.4, 1.5), "bakery": (1.0, 1.3, 0.6, 0.8), "dairy": (1.0, 1.6, 0.6, 1.0),
    "meat_fish": (0.8, 1.4, 0.3, 1.3), "ready_meals": (0.5, 0.4, 3.0, 0.6), "baby_kids": (0.3, 2.5, 0.1, 0.3),
    "household": (1.0, 1.6, 0.3, 0.7), "alcohol": (0.6, 0.5, 1.0, 1.6), "finest": (0.1, 0.3, 0.3, 3.0),
    "value_range": (3.0, 0.8, 0.3, 0.1), "snacks_drinks": (1.0, 1.2, 2.0, 0.5), "cupboard": (1.2, 1.2, 0.3, 0.8),
}
RULES = (
    PlantedRule(("pasta", "pasta sauce"), ("parmesan",), 0.04, 0.45),
    PlantedRule(("burger buns",), ("burgers",), 0.05, 0.55),
    PlantedRule(("lager",), ("crisps",), 0.08, 0.40),
    PlantedRule(("red wine",), ("cheese board",), 0.05, 0.30),
)

# Small knobs for the frozen snapshot in datasets/ (crmlab.worlds.snapshot).
SNAPSHOT_KNOBS = {"n_customers": 100}

KNOBS = (
    Knob("n_customers", 5_000, int, "shoppers in the panel (members and non-members)", 100, 1_000_000,
         unit="shoppers", doc_zh="样本中的顾客数（会员和非会员）"),
    Knob("points_rate", 0.01, float, "points value as a share of spend (public record: about 1%); one point "
         "is worth £0.01", 0.0, 0.2, doc_zh="积分价值占消费额的比例（公开资料：约1%）；1积分值0.01英镑"),
    Knob("voucher_threshold", 1.50, float, "smallest balance turned into a voucher at a quarter's end; a lower "
         "balance is carried to the next quarter", 0.0, 100.0, unit="£",
         doc_zh="季度末兑换成代金券所需的最低余额（英镑）；余额不足则结转到下一季度"),
    Knob("member_share", 0.6, float, "expected share of shoppers who join when the scheme launches", 0.05, 0.95,
         doc_zh="计划推出时预期加入的顾客比例"),
    Knob("selection_strength", 1.5, float, "log-odds of joining per standard deviation of a shopper's log trip "
         "rate: heavier shoppers self-select into the scheme (0 = joining is random)", 0.0, 4.0,
         doc_zh="顾客购物频率（取对数）每高一个标准差，入会的对数几率增加多少：购物越多的顾客越会自行选择入会"
                "（0 表示入会是随机的）"),
    Knob("true_lift", 0.05, float, "true incremental effect of membership: members' trip rate is multiplied "
         "by 1 + true_lift after joining", -0.5, 1.0,
         doc_zh="入会的真实增量效应：会员入会后的购物频率乘以 1 + true_lift"),
    Knob("coupon_lift", 0.08, float, "effect of the quarter-4 personalised coupon mailing: mailed members' trip "
         "rate is multiplied by 1 + coupon_lift (a random 20% of members is held out)", -0.5, 1.0,
         doc_zh="第四季度个性化优惠券邮寄的效果：收到邮件的会员购物频率乘以 1 + coupon_lift"
                "（随机留出20%的会员作为对照组）"),
    Knob("breakage", 0.25, float, "expected share of voucher value never redeemed", 0.0, 0.95,
         doc_zh="预期从未兑换的代金券金额占比（积分沉淀率）"),
)

TABLES = (
    Table("products", "The catalogue: one row per item.", (
        Column("item", "category", "item name", doc_zh="商品名称"),
        Column("category", "category", "product category", doc_zh="商品品类"),
        Column("price", "float64", "shelf price", "£", doc_zh="货架价格"),
    ), doc_zh="商品目录：每种商品一行。"),
    Table("customers", "One row per shopper of the panel.", (
        Column("customer_id", "int64", "shopper number", doc_zh="顾客编号"),
        Column("household_size", "int64", "people in the household", "people", doc_zh="家庭人口数"),
        Column("age", "int64", "age of the main shopper", "years", doc_zh="家庭主要购物者的年龄"),
        Column("member", "bool", "joined the card scheme at launch", doc_zh="计划推出时是否加入会员卡计划"),
        Column("joined", "datetime64[ns]", "date of joining (NaT for non-members)", doc_zh="入会日期（非会员为 NaT）"),
        Column("mailing", "category", "quarter-4 coupon mailing: mailed, holdout (random 20% of members) or "
               "not_member", doc_zh="第四季度优惠券邮寄：mailed（已寄送）、holdout（对照组，随机抽取的20%会员）"
                                    "或 not_member（非会员）"),
    ), doc_zh="样本中的每位顾客一行。"),
    Table("baskets", "One row per shopping trip, by shopper and date.", (
        Column("basket_id", "int64", "trip number", doc_zh="购物篮（购物次）编号"),
        Column("customer_id", "int64", "shopper", doc_zh="顾客"),
        Column("date", "datetime64[ns]", "date of the trip", doc_zh="购物日期"),
        Column("quarter", "int64", "quarter of the year, 1-4 (the scheme starts in quarter 2)",
               doc_zh="季度，1–4（计划从第二季度开始）"),
        Column("n_items", "int64", "distinct items bought", doc_zh="购买的不同商品数"),
        Column("spend", "float64", "basket value", "£", doc_zh="购物篮金额"),
    ), doc_zh="每次购物一行，按顾客和日期排列。"),
    Table("basket_items", "One row per item in a basket (quantity one).", (
        Column("basket_id", "int64", "trip number", doc_zh="购物篮（购物次）编号"),
        Column("item", "category", "item bought", doc_zh="所购商品"),
        Column("price", "float64", "price paid", "£", doc_zh="支付价格"),
    ), doc_zh="购物篮中的每件商品一行（数量均为一）。"),
    Table("statements", "Quarterly card statement per member, quarters 2-4.", (
        Column("customer_id", "int64", "member", doc_zh="会员"),
        Column("quarter", "int64", "quarter of the year, 2-4", doc_zh="季度，2–4"),
        Column("spend", "float64", "spend in the quarter", "£", doc_zh="本季度消费额"),
        Column("points", "int64", "points earned: Σ over baskets of floor(spend·100·points_rate)", "points",
               doc_zh="获得的积分：对每个购物篮求 floor(spend·100·points_rate) 再加总"),
        Column("voucher_value", "float64", "voucher issued at the quarter's end (0 if the balance was below "
               "voucher_threshold, which is then carried over)", "£",
               doc_zh="季度末发放的代金券金额（余额低于 voucher_threshold 时为0，余额结转）"),
        Column("redeemed", "bool", "the voucher was redeemed before it expired", doc_zh="代金券是否在到期前兑换"),
    ), doc_zh="每位会员每季度的积分对账单，第2–4季度。"),
)

DESCRIPTION = f"""
A panel of shoppers (every shopper is identified, members or not) is followed for a year from {START}.

Shoppers belong to four latent segments ({', '.join(SEGMENT_NAMES)}; shares
{', '.join(f"{s['name']} {s['share']:.0%}" for s in SEGMENTS)}), drawn with ``draw_segments`` from a declarative
table that also sets household size, age and the segment's trip-rate distribution (log-normal). A shopper
makes trips as a Poisson process. In each basket every catalogue item is present independently with
probability {BASE_ITEM_PROB} × the segment's taste for the item's category (CATEGORY_TASTE); items in planted
rules have background probability {RULE_ITEM_PROB} in every segment. On top, four association rules are
planted (``mech.baskets``): pasta + pasta sauce → parmesan, burger buns → burgers, lager → crisps, red wine →
cheese board, each with a planted antecedent support and confidence (lift in the truth).

The card scheme launches at week {LAUNCH_WEEK:.0f} (start of quarter 2). Shoppers self-select: P(join) =
expit(a + selection_strength · z), z = the standardised log trip rate, a set so that the expected share is
member_share. After joining a member's trip rate is multiplied by 1 + true_lift — the only causal effect.
A naive member/non-member comparison after launch therefore mixes the effect with self-selection
(self-selection bias); a before/after comparison against non-members (difference in differences, taken as a
ratio of ratios because the groups' trip rates differ in level) recovers it.
At week {MAILING_WEEK:.0f} (quarter 4) members are sent a personalised coupon mailing, except a random
{HOLDOUT_SHARE:.0%} hold-out group; mailed members' trip rate is multiplied by 1 + coupon_lift for the quarter
(randomised, so mailed vs hold-out compares like with like).

Members earn floor(spend × 100 × points_rate) points per basket (1 point = £0.01). At each quarter's end a
balance of at least voucher_threshold becomes a voucher, otherwise it is carried over. Each member redeems
each voucher with a personal propensity ~ Beta with mean 1 − breakage.
"""

DESCRIPTION_ZH = f"""
一组顾客（无论是否会员，每位顾客都可识别）从 {START} 起被跟踪一年。

顾客分属四个潜在细分群体（{'、'.join(SEGMENT_NAMES)}；占比
{'、'.join(f"{s['name']} {s['share']:.0%}" for s in SEGMENTS)}），用 ``draw_segments`` 从一张声明式的表中抽取，
这张表同时规定了家庭人口数、年龄和该群体购物频率的分布（对数正态）。每位顾客的购物按泊松过程发生。每个购物篮中，
目录里的每件商品各自独立出现，概率为 {BASE_ITEM_PROB} × 该群体对这件商品所属品类的偏好（CATEGORY_TASTE）；
属于预设规则的商品在每个群体中的背景概率都是 {RULE_ITEM_PROB}。在此之上预设了四条关联规则（``mech.baskets``）：
意面 + 意面酱 → 帕玛森奶酪（pasta + pasta sauce → parmesan）、汉堡面包 → 汉堡肉饼（burger buns → burgers）、
啤酒 → 薯片（lager → crisps）、红葡萄酒 → 奶酪拼盘（red wine → cheese board），每条都有预设的前项支持度和置信度
（提升度见预设真值）。

会员卡计划在第 {LAUNCH_WEEK:.0f} 周（第二季度初）推出。顾客自行选择是否入会：P(入会) =
expit(a + selection_strength · z)，z 为标准化后的对数购物频率，a 的取值使预期入会比例等于 member_share。
会员入会后的购物频率乘以 1 + true_lift——这是唯一的因果效应。因此，计划推出后会员与非会员的朴素比较把这个效应和
自选择混在了一起（自选择偏差，self-selection bias）；以非会员为参照、比较入会前后的变化（双重差分，按比值之比计算，
因为两组的购物频率水平不同）可以把它还原出来。
第 {MAILING_WEEK:.0f} 周（第四季度）向会员寄出个性化优惠券，随机留出的 {HOLDOUT_SHARE:.0%} 对照组除外；
收到邮件的会员在该季度的购物频率乘以 1 + coupon_lift（随机分组，所以寄送组与对照组的比较是同类相比）。

会员每个购物篮获得 floor(spend × 100 × points_rate) 积分（1积分 = 0.01英镑）。每季度末，积分余额达到
voucher_threshold 即兑换为代金券，否则结转到下一季度。每位会员以个人的兑换倾向兑换每张代金券，
该倾向服从均值为 1 − breakage 的 Beta 分布。
"""


def _taste_probs() -> np.ndarray:
    """Background item probabilities, one row per segment."""
    taste = np.array([CATEGORY_TASTE[c] for c in CATEGORIES]).T          # segments x categories
    probs = BASE_ITEM_PROB * taste[:, ITEM_CATEGORY]
    in_rule = np.isin(ITEMS, [i for r in RULES for i in r.items])
    probs[:, in_rule] = RULE_ITEM_PROB
    return probs


def _join_intercept(z: np.ndarray, slope: float, share: float) -> float:
    return brentq(lambda a: expit(a + slope * z).mean() - share, -50.0, 50.0, xtol=1e-12)


@register("tesco", title="Tesco: loyalty programmes win loyalty (Clubcard-style scheme)", description=DESCRIPTION,
          knobs=KNOBS, tables=TABLES, title_zh="特易购：“忠诚计划”赢得忠诚（仿照 Clubcard 会员卡的积分计划）",
          description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict) -> tuple[dict, dict]:
    """Draw shoppers, trips, baskets and the card scheme's statements; see DESCRIPTION."""
    n = k["n_customers"]
    pop = draw_segments(rng, n, SEGMENTS)
    seg = pop["segment"].cat.codes.to_numpy()
    trip_rate = pop["trip_rate"].to_numpy()
    customer_id = np.arange(1, n + 1, dtype=np.int64)

    # Self-selection into the scheme at launch
    z = np.log(trip_rate)
    z = (z - z.mean()) / z.std()
    a = _join_intercept(z, k["selection_strength"], k["member_share"])
    p_join = expit(a + k["selection_strength"] * z)
    member = rng.random(n) < p_join
    launch = weeks_to_dates(START, [LAUNCH_WEEK])[0]

    mailed = member & (rng.random(n) >= HOLDOUT_SHARE)
    mailing = np.where(mailed, 0, np.where(member, 1, 2))

    # Trips: the same rate before launch for everyone, × (1 + true_lift) after launch for members,
    # × (1 + coupon_lift) in quarter 4 for mailed members
    post_rate = trip_rate * np.where(member, 1.0 + k["true_lift"], 1.0)
    q4_rate = post_rate * np.where(mailed, 1.0 + k["coupon_lift"], 1.0)
    who, when = merge_visits(poisson_visits(rng, trip_rate, [(0.0, LAUNCH_WEEK)]),
                             poisson_visits(rng, post_rate, [(LAUNCH_WEEK, MAILING_WEEK)]),
                             poisson_visits(rng, q4_rate, [(MAILING_WEEK, WEEKS)]))
    n_b = who.size
    basket_id = np.arange(1, n_b + 1, dtype=np.int64)

    # Basket contents, drawn segment by segment (each segment has its own tastes)
    probs = _taste_probs()
    matrix = np.zeros((n_b, len(ITEMS)), dtype=bool)
    basket_seg = seg[who]
    for j in range(len(SEGMENT_NAMES)):
        rows = np.flatnonzero(basket_seg == j)
        matrix[rows] = draw_baskets(rng, probs[j], items=ITEMS, rules=RULES, n_baskets=rows.size)
    lines = baskets_long(matrix, ITEMS, basket_id)
    # float32 sums of whole cents are exact below 2**24 cents, far above any basket
    cents = np.rint(matrix.astype(np.float32) @ np.round(PRICES * 100).astype(np.float32)).astype(np.int64)
    spend = cents / 100.0
    quarter = np.minimum((when // QUARTER_WEEKS).astype(np.int64) + 1, 4)

    # Points, quarterly vouchers with carry-over, redemption
    earning = member[who] & (when >= LAUNCH_WEEK)
    points = np.where(earning, np.floor(cents * k["points_rate"] + 1e-9), 0).astype(np.int64)
    members = np.flatnonzero(member)
    threshold = int(round(k["voucher_threshold"] * 100))
    redeem_p = (rng.beta(REDEEM_CONCENTRATION * (1 - k["breakage"]), REDEEM_CONCENTRATION * k["breakage"], n)
                if k["breakage"] > 0 else np.ones(n))
    carry = np.zeros(n, dtype=np.int64)
    parts = []
    for q in (2, 3, 4):
        inq = quarter == q
        pts = np.bincount(who[inq], weights=points[inq], minlength=n).astype(np.int64)
        spent = np.bincount(who[inq], weights=cents[inq], minlength=n).astype(np.int64)
        balance = carry + pts
        issue = balance >= max(threshold, 1)
        voucher = np.where(issue, balance, 0)
        carry = np.where(issue, 0, balance)
        redeemed = issue & (rng.random(n) < redeem_p)
        parts.append(pd.DataFrame({"customer_id": customer_id[members], "quarter": np.int64(q),
                                   "spend": spent[members] / 100.0, "points": pts[members],
                                   "voucher_value": voucher[members] / 100.0, "redeemed": redeemed[members]}))
    statements = pd.concat(parts).sort_values(["customer_id", "quarter"], kind="mergesort").reset_index(drop=True)

    products = pd.DataFrame({"item": pd.Categorical(ITEMS, categories=list(ITEMS)),
                             "category": pd.Categorical.from_codes(ITEM_CATEGORY, categories=list(CATEGORIES)),
                             "price": PRICES})
    customers = pd.DataFrame({
        "customer_id": customer_id, "household_size": pop["household_size"].to_numpy(np.int64),
        "age": pop["age"].to_numpy(np.int64), "member": member,
        "joined": pd.Series(np.where(member, launch, np.datetime64("NaT")), dtype="datetime64[ns]"),
        "mailing": pd.Categorical.from_codes(mailing, categories=["mailed", "holdout", "not_member"])})
    baskets = pd.DataFrame({"basket_id": basket_id, "customer_id": customer_id[who],
                            "date": weeks_to_dates(START, when), "quarter": quarter,
                            "n_items": matrix.sum(axis=1).astype(np.int64), "spend": spend})
    basket_items = pd.DataFrame({"basket_id": lines["basket_id"].to_numpy(np.int64), "item": lines["item"],
                                 "price": PRICES[lines["item"].cat.codes.to_numpy()]})

    seg_baskets = np.bincount(basket_seg, minlength=len(SEGMENT_NAMES))
    issued = statements["voucher_value"].to_numpy()
    owner = statements["customer_id"].to_numpy() - 1
    mean_rate = {"member": float(trip_rate[member].mean()), "non_member": float(trip_rate[~member].mean())}
    truth = {
        "segment": pd.Series(pop["segment"].to_numpy(), index=pd.Index(customer_id, name="customer_id"),
                             name="segment"),
        "segment_shares": {s["name"]: s["share"] for s in SEGMENTS},
        "category_taste": {c: dict(zip(SEGMENT_NAMES, v)) for c, v in CATEGORY_TASTE.items()},
        "rules": expected_rules(probs, items=ITEMS, rules=RULES, weights=seg_baskets),
        "true_lift": k["true_lift"],
        "coupon_lift": k["coupon_lift"],
        # What a naive comparison of trip rates in quarters 2-3 (after launch, before the mailing) would show
        # on average: self-selection × effect
        "naive_trip_ratio": mean_rate["member"] * (1 + k["true_lift"]) / mean_rate["non_member"],
        "mean_trip_rate_per_week_before_launch": mean_rate,
        "breakage_rate": float((issued * (1 - redeem_p[owner])).sum() / issued.sum()) if issued.sum() else 0.0,
        "join_intercept": a,
        "latent": pd.DataFrame({"trip_rate": trip_rate, "p_join": p_join, "redeem_prob": redeem_p},
                               index=pd.Index(customer_id, name="customer_id")),
    }
    tables = {"products": products, "customers": customers, "baskets": baskets, "basket_items": basket_items,
              "statements": statements}
    return tables, truth
