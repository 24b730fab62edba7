"""Exercise checks of the CMB life-stage case (notebooks/cmb_lifestage.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with plain numpy (the notebook uses pandas and crmlab),
so a notebook bug cannot make a wrong answer pass: the life-stage rules with ``np.select``, the adjusted Rand
index by counting pairs, holdings and adoption rates with ``np.bincount``. The k-means clusters of Q2 are the
notebook's (crmlab.segmentation.kmeans_segments with the features and seed stated in the notebook); their
agreement with the rule stages is recounted here. The world is built in cases/cmb_lifestage/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import basket, segmentation
from crmlab.checks import close, equal, exercise, mistakes, solutions

CASE = "cmb_lifestage"
STAGES = ["starting_out", "building", "raising_children", "established", "retired"]
PRODUCTS = ["credit_card", "consumer_loan", "mortgage", "education_fund", "insurance", "wealth_management",
            "annuity"]
BEHAVIOUR = ["monthly_income", "deposits", "card_spend", "investments", "loan_balance"]


# ------------------------------------------------------------------------- independent recomputation (numpy)
def _rule_codes(world) -> np.ndarray:
    """Stage index (position in STAGES) of every customer by the notebook's rules, in customers' row order."""
    c = world.tables["customers"]
    age, kids, married = c["age"].to_numpy(), c["children_at_home"].to_numpy(), c["married"].to_numpy()
    return np.select([age >= 60, kids > 0, (age < 30) & ~married, age >= 45], [4, 2, 0, 3], default=1)


def _matrix(world, table: str, mask=None) -> np.ndarray:
    """Customers x products boolean matrix of a long table (rows in customers' order)."""
    ids = world.tables["customers"]["customer_id"].to_numpy()
    t = world.tables[table]
    if mask is not None:
        t = t[mask(t)]
    row = np.searchsorted(ids, t["customer_id"].to_numpy())
    col = np.array([PRODUCTS.index(p) for p in t["product"].astype(str)], dtype=np.int64)
    out = np.zeros((len(ids), len(PRODUCTS)), dtype=bool)
    out[row, col] = True
    return out


def _ari(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index by pair counting (Hubert & Arabie 1985)."""
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1)
    pairs = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    both, rows, cols, total = pairs(table), pairs(table.sum(1)), pairs(table.sum(0)), len(a) * (len(a) - 1) / 2
    expected = rows * cols / total
    return float((both - expected) / ((rows + cols) / 2 - expected))


def _rand(a: np.ndarray, b: np.ndarray) -> float:
    """The plain (unadjusted) Rand index: the share of pairs on which the two segmentations agree."""
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1)
    pairs = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    both, rows, cols, total = pairs(table), pairs(table.sum(1)), pairs(table.sum(0)), len(a) * (len(a) - 1) / 2
    return float((total + 2 * both - rows - cols) / total)


_LAST: list = []  # (world, labels) of the last world clustered: a notebook's checks ask for the same world again


def _clusters(world) -> np.ndarray:
    """The notebook's k-means clusters (section 4.2): five clusters on log-scaled behaviour and holdings, seed 0."""
    if _LAST and _LAST[0][0] is world:
        return _LAST[0][1]
    c = world.tables["customers"].set_index("customer_id")
    held = basket.basket_matrix(world.tables["holdings"], basket_col="customer_id", item_col="product")
    held = held.sparse.to_dense().reindex(index=c.index, columns=PRODUCTS, fill_value=False).astype(int)
    feat = c[BEHAVIOUR].join(held)
    # only k = 5 is fitted: kmeans_segments draws one random_state for every k, so the labels are the notebook's
    res = segmentation.kmeans_segments(feat, BEHAVIOUR + PRODUCTS, "deposits", k=5, k_range=None, scale="log",
                                       seed=0)
    labels = res.labels.astype(str).to_numpy()
    _LAST[:] = [(world, labels)]
    return labels


def _hit_rate(world, scores: np.ndarray, *, exclude_held: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Recommend to each customer the product with the highest score (one row of scores per customer), among the
    products not held at the snapshot; return (hit per customer, recommended product index)."""
    held = _matrix(world, "holdings")
    s = np.where(held, -np.inf, scores) if exclude_held else scores.copy()
    rec = np.argmax(s, axis=1)
    bought = _matrix(world, "next_year")
    return bought[np.arange(len(rec)), rec], rec


def _adoption(world, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Training-year buying rate per group and product: bought in the last 12 months / did not hold 12 months ago."""
    old = _matrix(world, "holdings", lambda t: t["months_held"] >= 12)
    new = _matrix(world, "holdings", lambda t: t["months_held"] < 12)
    num = np.stack([np.bincount(groups, weights=new[:, j], minlength=n_groups) for j in range(len(PRODUCTS))], 1)
    den = np.stack([np.bincount(groups, weights=~old[:, j], minlength=n_groups) for j in range(len(PRODUCTS))], 1)
    return num / np.maximum(den, 1)


# ------------------------------------------------------------------------------------------------- checks
@exercise(CASE, "q1", hint="Apply the rules in the order given (retired, raising children, starting out, established, "
                           "building) and count the customers labelled established.",
          hint_zh="按给定顺序（安享晚年、养儿育女、初涉社会、事业有成、成家立业）套用规则，数出被划为“事业有成”的客户数。")
def q1(world, answer):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    return equal(answer, int((_rule_codes(world) == 3).sum()),
                 what="the number of customers in the established stage by the rules",
                 what_zh="按规则划入“事业有成”阶段的客户数")


@exercise(CASE, "q2", hint="crmlab.segmentation.adjusted_rand(clusters.labels, stage): the adjusted index, which is 0 for "
                           "chance agreement, not the plain Rand index.",
          hint_zh="用 crmlab.segmentation.adjusted_rand(clusters.labels, stage)：要的是调整后的指数（随机一致时为0），"
                  "而不是未调整的兰德指数。")
def q2(world, answer):
    return close(answer, _ari(_clusters(world), _rule_codes(world)), abs=5e-4,
                 what="the adjusted Rand index between the clusters and the rule-based stages",
                 what_zh="聚类结果与按规则划分的人生阶段之间的调整兰德指数")


@exercise(CASE, "q3", hint="Share of raising-children customers holding an education fund divided by the share of all "
                           "customers holding one (a ratio; 1 means no difference).",
          hint_zh="养儿育女阶段客户中持有子女教育金的比例，除以全部客户中持有的比例（一个比值；1表示没有差别）。")
def q3(world, answer):
    held = _matrix(world, "holdings")[:, PRODUCTS.index("education_fund")]
    stage = _rule_codes(world)
    return close(answer, float(held[stage == 2].mean() / held.mean()), rel=1e-3,
                 what="the education fund's penetration index in the raising-children stage",
                 what_zh="子女教育金在养儿育女阶段的渗透指数")


@exercise(CASE, "q4", hint="Per rule stage and product: bought in the last 12 months (months_held < 12) / did not hold "
                           "it 12 months ago; recommend each customer the top product not yet held; the hit rate is "
                           "the share of ALL customers who bought their recommendation in next_year.",
          hint_zh="按规则阶段和产品计算：近12个月内购买（months_held < 12）的人数 / 12个月前未持有该产品的人数；"
                  "向每位客户推荐其尚未持有的、购买率最高的产品；命中率是全部客户中在 next_year 里买了所推荐产品的比例。")
def q4(world, answer):
    stage = _rule_codes(world)
    hit, _ = _hit_rate(world, _adoption(world, stage, 5)[stage])
    return close(answer, float(hit.mean()), abs=5e-5, what="the hit rate of the next-product-by-stage model",
                 what_zh="按阶段推荐下一个产品的模型的命中率")


@exercise(CASE, "q5", hint="Same model with one group for everyone (the buying rates of all customers): hit rate of the "
                           "stage model minus that of the one-size model (a difference of shares).",
          hint_zh="同样的模型，但所有客户只算一组（用全部客户的购买率）：按阶段模型的命中率减去“一刀切”模型的命中率"
                  "（两个比例之差）。")
def q5(world, answer):
    stage = _rule_codes(world)
    hit_stage, _ = _hit_rate(world, _adoption(world, stage, 5)[stage])
    one = np.zeros_like(stage)
    hit_one, _ = _hit_rate(world, _adoption(world, one, 1)[one])
    return close(answer, float(hit_stage.mean() - hit_one.mean()), abs=5e-5,
                 what="the gain in hit rate from recommending by life stage",
                 what_zh="按人生阶段推荐带来的命中率提升")


# ------------------------------------------------------------------------------ right answers and mistakes
def life_stage(customers: pd.DataFrame) -> pd.Series:
    """The notebook's rule-based life stages (section 4.1), indexed by customer_id."""
    c = customers.set_index("customer_id")
    conditions = [c["age"] >= 60, c["children_at_home"] > 0, (c["age"] < 30) & ~c["married"], c["age"] >= 45]
    labels = np.select(conditions, ["retired", "raising_children", "starting_out", "established"], "building")
    return pd.Series(pd.Categorical(labels, categories=STAGES), index=c.index, name="stage")


def _notebook(world) -> dict:
    """The notebook's objects: stages, holdings matrix, holdings a year ago, bought in the last year and next year."""
    cust = world.tables["customers"]
    stage = life_stage(cust)
    holdings = world.tables["holdings"]
    ids = stage.index

    def wide(t):
        return pd.crosstab(t["customer_id"], t["product"]).reindex(index=ids, columns=PRODUCTS, fill_value=0) > 0

    return {"stage": stage, "held": wide(holdings), "held_before": wide(holdings[holdings["months_held"] >= 12]),
            "bought_last_year": wide(holdings[holdings["months_held"] < 12]), "bought_next": wide(world.tables["next_year"])}


def _recommend(rates: pd.DataFrame, groups: pd.Series, held: pd.DataFrame) -> pd.Series:
    """The notebook's next-product model: each customer's group's highest-rate product among those not held."""
    scores = rates.fillna(0.0).loc[groups.to_numpy(), held.columns].to_numpy(dtype=float, copy=True)
    scores[held.to_numpy()] = -np.inf
    return pd.Series(np.asarray(held.columns)[scores.argmax(axis=1)], index=held.index)


def _hits(rec: pd.Series, bought: pd.DataFrame) -> pd.Series:
    return pd.Series(bought.to_numpy()[np.arange(len(rec)), bought.columns.get_indexer(rec)], index=rec.index)


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/cmb_lifestage.ipynb, section 5."""
    nb = _notebook(world)
    stage, held = nb["stage"], nb["held"]
    n_established = int((stage == "established").sum())
    cust = world.tables["customers"].set_index("customer_id")
    features = cust[BEHAVIOUR].join(held.astype(int))
    clusters = segmentation.kmeans_segments(features, BEHAVIOUR + PRODUCTS, "deposits", k=5, k_range=range(2, 8),
                                            scale="log", seed=0)
    ari = segmentation.adjusted_rand(clusters.labels, stage)
    by_stage = held.groupby(stage, observed=False).mean()
    edu_index = float(by_stage.loc["raising_children", "education_fund"] / held["education_fund"].mean())
    rates = nb["bought_last_year"].groupby(stage, observed=False).sum() / (~nb["held_before"]).groupby(
        stage, observed=False).sum()
    hit_rate = float(_hits(_recommend(rates, stage, held), nb["bought_next"]).mean())
    everyone = pd.Series("all", index=stage.index)
    rates_all = nb["bought_last_year"].groupby(everyone).sum() / (~nb["held_before"]).groupby(everyone).sum()
    hit_one = float(_hits(_recommend(rates_all, everyone, held), nb["bought_next"]).mean())
    return {"q1": n_established, "q2": float(ari), "q3": edu_index, "q4": hit_rate, "q5": hit_rate - hit_one}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    right = answers(world)
    nb = _notebook(world)
    cust = world.tables["customers"]
    age = cust["age"].to_numpy()
    stage, held = nb["stage"], nb["held"]
    clusters = _clusters(world)
    edu = held["education_fund"]
    raising = (stage == "raising_children").to_numpy()
    penetration = held.groupby(stage, observed=False).mean()
    pen_hits = _hits(_recommend(penetration, stage, held), nb["bought_next"])
    rates = nb["bought_last_year"].groupby(stage, observed=False).sum() / (~nb["held_before"]).groupby(
        stage, observed=False).sum()
    nothing_held = pd.DataFrame(False, index=held.index, columns=held.columns)
    hits_incl_held = _hits(_recommend(rates, stage, nothing_held), nb["bought_next"])
    hits = _hits(_recommend(rates, stage, held), nb["bought_next"])
    buyers = nb["bought_next"].any(axis=1)
    hit_one = right["q4"] - right["q5"]
    return {
        "q1": {"age 45-59 without checking children at home first (rule order)": int(((age >= 45) & (age < 60)).sum()),
               "everyone aged 45 or more (retired customers counted too)": int((age >= 45).sum())},
        "q2": {"the plain Rand index instead of the adjusted one": _rand(clusters, _rule_codes(world))},
        "q3": {"a difference of shares instead of a ratio": float(edu[raising].mean() - edu.mean()),
               "share of education-fund holders who are raising children (the conditional reversed)":
                   float(raising[edu.to_numpy()].mean())},
        "q4": {"recommending the product most held in the stage (ownership), not most bought":
                   float(pen_hits.mean()),
               "products already held not excluded": float(hits_incl_held.mean()),
               "hits divided by the customers who bought anything next year (the wrong denominator)":
                   float(hits.sum() / buyers.sum())},
        "q5": {"one-size model minus stage model (the wrong sign)": -right["q5"],
               "a ratio of hit rates instead of the difference": right["q4"] / hit_one,
               "percentage points instead of a difference of shares": 100 * right["q5"]},
    }
