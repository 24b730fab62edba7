"""Market baskets over a product catalogue, with planted association rules.

Every basket first gets *background* purchases: item ``j`` is in basket ``b`` independently with
probability ``item_probs[b, j]`` (one row per basket, so a shopper segment can have its own tastes; a
single row is shared by all baskets). On top of that each planted rule ``A -> C`` works in two steps:

1. the antecedent itemset ``A`` is put into the basket with the probability that makes
   P(A ⊆ basket) equal to the rule's ``antecedent_support`` in every basket (a "shopping mission": the
   items of ``A`` are bought together);
2. in baskets holding all of ``A``, the consequent ``C`` is added with the probability that makes
   P(C ⊆ basket | A ⊆ basket) equal to the rule's ``confidence`` exactly.

The items of different rules must be disjoint, so the rules do not interfere and their support,
confidence and lift are known in closed form (:func:`expected_rules`) — the same quantities a rule miner
(FP-growth, :func:`crmlab.basket.association_rules`) estimates from the baskets. Baskets that come out
empty get one background item that belongs to no rule, which leaves every planted rule unchanged.

Sources: association rules of Agrawal, Imieliński & Swami (1993); the Tesco chapter of the casebook,
whose contents are in the CRM Q&A compilation (source 0), lines 99–102 (basket data used to segment
shoppers); the planted-rule design follows the IBM Quest synthetic basket generator of Agrawal & Srikant
(1994) in spirit (frequent itemsets placed over random noise).

References
----------
.. [1] Agrawal, R., Imieliński, T. & Swami, A. (1993), "Mining association rules between sets of items in
   large databases", *Proceedings of ACM SIGMOD*.
.. [2] Agrawal, R. & Srikant, R. (1994), "Fast algorithms for mining association rules", *Proceedings of
   the 20th VLDB Conference*.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._validate import check_generator, check_probability

__all__ = ["PlantedRule", "RULE_COLUMNS", "draw_baskets", "expected_rules", "baskets_long"]

# The columns of crmlab.basket.association_rules, so planted and mined rules line up.
RULE_COLUMNS = ["antecedents", "consequents", "antecedent_support", "consequent_support", "support",
                "confidence", "lift"]


@dataclass(frozen=True)
class PlantedRule:
    """One planted association rule ``antecedent -> consequent``.

    Parameters
    ----------
    antecedent : the items that trigger the rule (one or more item names)
    consequent : the items added when the antecedent is present
    antecedent_support : P(all antecedent items in a basket), in (0, 1)
    confidence : P(all consequent items | all antecedent items), in (0, 1]

    Example
    -------
    >>> PlantedRule(("pasta", "pasta sauce"), ("parmesan",), 0.05, 0.6).items
    ('pasta', 'pasta sauce', 'parmesan')
    """

    antecedent: tuple[str, ...]
    consequent: tuple[str, ...]
    antecedent_support: float
    confidence: float

    def __post_init__(self):
        for part in ("antecedent", "consequent"):
            value = getattr(self, part)
            if isinstance(value, str) or not isinstance(value, Sequence) or not value:
                raise TypeError(f"{part} of a PlantedRule must be a non-empty tuple of item names, got {value!r}")
            object.__setattr__(self, part, tuple(value))
        if set(self.antecedent) & set(self.consequent):
            raise ValueError(f"rule {self.label}: antecedent and consequent share items")
        check_probability(self.antecedent_support, f"antecedent_support of rule {self.label}", open_low=True,
                          open_high=True)
        check_probability(self.confidence, f"confidence of rule {self.label}", open_low=True)

    @property
    def items(self) -> tuple[str, ...]:
        return self.antecedent + self.consequent

    @property
    def label(self) -> str:
        return f"{{{', '.join(self.antecedent)}}} -> {{{', '.join(self.consequent)}}}"


def _check_inputs(item_probs, items, rules, n_baskets):
    """Validate; return the probabilities as a 2-D array with one row per basket, or a single shared row."""
    items = list(items)
    if len(set(items)) != len(items):
        raise ValueError("items must be unique item names")
    probs = np.asarray(item_probs, dtype=float)
    if probs.ndim == 1:
        if n_baskets is None:
            raise ValueError("n_baskets is required when item_probs is one row shared by all baskets")
        if isinstance(n_baskets, (bool, np.bool_)) or not isinstance(n_baskets, (int, np.integer)) or n_baskets < 0:
            raise ValueError(f"n_baskets must be a non-negative integer, got {n_baskets!r}")
        probs, n = probs[None, :], int(n_baskets)
    elif probs.ndim != 2:
        raise ValueError(f"item_probs must be 1-D (one row) or 2-D (baskets x items), got {probs.ndim}-D")
    elif n_baskets is not None and n_baskets != probs.shape[0]:
        raise ValueError(f"n_baskets={n_baskets} disagrees with item_probs, which has {probs.shape[0]} rows")
    else:
        n = probs.shape[0]
    if probs.shape[1] != len(items):
        raise ValueError(f"item_probs has {probs.shape[1]} columns but there are {len(items)} items")
    if not np.all(np.isfinite(probs)) or probs.min(initial=0.0) < 0 or probs.max(initial=0.0) > 1:
        raise ValueError("item_probs must hold probabilities in [0, 1]")
    index = {name: j for j, name in enumerate(items)}
    seen: set = set()
    for r in rules:
        if not isinstance(r, PlantedRule):
            raise TypeError(f"rules must be PlantedRule objects, got {type(r).__name__}")
        unknown = [i for i in r.items if i not in index]
        if unknown:
            raise ValueError(f"rule {r.label}: item {unknown[0]!r} is not in the catalogue (items)")
        if seen & set(r.items):
            raise ValueError(f"rule {r.label} shares items with another rule; planted rules must use disjoint items")
        seen |= set(r.items)
        a_bg = probs[:, [index[i] for i in r.antecedent]].prod(axis=1)
        c_bg = probs[:, [index[i] for i in r.consequent]].prod(axis=1)
        if a_bg.size and a_bg.max() > r.antecedent_support:
            raise ValueError(f"rule {r.label}: background probability of the antecedent ({a_bg.max():.3g}) "
                             f"exceeds its antecedent_support {r.antecedent_support}")
        if c_bg.size and c_bg.max() > r.confidence:
            raise ValueError(f"rule {r.label}: background probability of the consequent ({c_bg.max():.3g}) "
                             f"exceeds its confidence {r.confidence}")
    return probs, n, items, index


def draw_baskets(rng: np.random.Generator, item_probs, *, items: Sequence[str],
                 rules: Sequence[PlantedRule] = (), n_baskets: int | None = None) -> np.ndarray:
    """Draw a basket-by-item presence matrix with planted association rules.

    Parameters
    ----------
    rng : numpy.random.Generator
    item_probs : array (n_items,) or (n_baskets, n_items)
        background probability of each item in each basket (one row for all baskets, or one per basket)
    items : item names, one per column of ``item_probs``
    rules : planted rules over disjoint items; each rule's antecedent and consequent background
        probabilities must not exceed its ``antecedent_support`` and ``confidence``
    n_baskets : number of baskets; required when ``item_probs`` is a single row

    Returns
    -------
    bool array (n_baskets, n_items): True when the basket holds the item. Every basket holds at least
    one item (when at least one item lies outside all rules).

    References
    ----------
    .. [1] Agrawal, R., Imieliński, T. & Swami, A. (1993), "Mining association rules between sets of items in
       large databases", *Proceedings of ACM SIGMOD*.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> rule = PlantedRule(("nappies",), ("wipes",), 0.1, 0.7)
    >>> m = draw_baskets(rng, [0.02, 0.05, 0.3], items=["nappies", "wipes", "milk"], rules=[rule],
    ...                  n_baskets=20000)
    >>> bool(abs(m[m[:, 0], 1].mean() - 0.7) < 0.03)
    True
    """
    check_generator(rng)
    probs, n, items, index = _check_inputs(item_probs, items, rules, n_baskets)
    m = probs.shape[1]
    basket = rng.random((n, m)) < probs          # probs has n rows, or one row shared by all baskets
    for r in rules:
        a = [index[i] for i in r.antecedent]
        c = [index[i] for i in r.consequent]
        a_bg = probs[:, a].prod(axis=1)
        c_bg = probs[:, c].prod(axis=1)
        # P(A) = put + (1 - put) * a_bg  ==  antecedent_support
        put = np.where(a_bg < 1, (r.antecedent_support - a_bg) / np.where(a_bg < 1, 1 - a_bg, 1), 0.0)
        basket[np.ix_(rng.random(n) < put, a)] = True
        has_a = basket[:, a].all(axis=1)
        # P(C | A) = add + (1 - add) * c_bg  ==  confidence  (background C is independent of A)
        add = np.where(c_bg < 1, (r.confidence - c_bg) / np.where(c_bg < 1, 1 - c_bg, 1), 0.0)
        basket[np.ix_(has_a & (rng.random(n) < add), c)] = True
    free = np.setdiff1d(np.arange(m), [index[i] for r in rules for i in r.items])
    empty = np.flatnonzero(~basket.any(axis=1))
    if empty.size and free.size:
        w = probs[np.ix_(empty if probs.shape[0] > 1 else np.zeros(empty.size, dtype=np.intp), free)]
        w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
        cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
        pick = (rng.random((empty.size, 1)) > cum).sum(axis=1).clip(max=free.size - 1)
        basket[empty, free[pick]] = True
    return basket


def expected_rules(item_probs, *, items: Sequence[str], rules: Sequence[PlantedRule],
                   n_baskets: int | None = None, weights=None) -> pd.DataFrame:
    """The planted rules' support, confidence and lift, in closed form, as a mined-rule table.

    Parameters
    ----------
    item_probs, items, rules, n_baskets : as given to :func:`draw_baskets`
    weights : array, one per row of a 2-D ``item_probs``, optional
        how many baskets each row stands for (e.g. one row per shopper segment, weighted by the segment's
        number of baskets); default: every row once

    Returns
    -------
    DataFrame with the columns of :func:`crmlab.basket.association_rules` (antecedents and consequents as
    sorted tuples), one row per planted rule: antecedent_support and confidence as planted,
    consequent_support = s_A·conf + (1 − s_A)·(weighted) mean_b P_bg(C), support = s_A·conf,
    lift = conf / consequent support. (Exact for the population of baskets; the empty-basket fix never adds
    a rule item.)

    References
    ----------
    .. [1] Agrawal, R., Imieliński, T. & Swami, A. (1993), "Mining association rules between sets of items in
       large databases", *Proceedings of ACM SIGMOD*. (definitions of support, confidence and lift).

    Example
    -------
    >>> rule = PlantedRule(("nappies",), ("wipes",), 0.1, 0.7)
    >>> expected_rules([0.02, 0.05, 0.3], items=["nappies", "wipes", "milk"], rules=[rule],
    ...                n_baskets=10)["lift"].round(3).tolist()
    [6.087]
    """
    probs, _, items, index = _check_inputs(item_probs, items, rules, n_baskets)
    w = np.ones(probs.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (probs.shape[0],) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be {probs.shape[0]} non-negative numbers (one per row of item_probs), "
                         "not all zero")
    rows = []
    for r in rules:
        c_bg = np.average(probs[:, [index[i] for i in r.consequent]].prod(axis=1), weights=w)
        s_a, conf = r.antecedent_support, r.confidence
        c_support = s_a * conf + (1 - s_a) * c_bg
        rows.append({"antecedents": tuple(sorted(r.antecedent)), "consequents": tuple(sorted(r.consequent)),
                     "antecedent_support": s_a, "consequent_support": float(c_support),
                     "support": s_a * conf, "confidence": conf, "lift": float(conf / c_support)})
    return pd.DataFrame(rows, columns=RULE_COLUMNS)


def baskets_long(basket: np.ndarray, items: Sequence[str], basket_ids=None) -> pd.DataFrame:
    """Turn a presence matrix into one row per (basket, item) line, in basket then catalogue order.

    Parameters
    ----------
    basket : bool array (n_baskets, n_items), e.g. from :func:`draw_baskets`
    items : item names (columns of ``basket``)
    basket_ids : ids of the rows (default 0..n_baskets-1)

    Returns
    -------
    DataFrame with ``basket_id`` (dtype of ``basket_ids``) and ``item`` (categorical, categories = items in
    catalogue order).

    Example
    -------
    >>> baskets_long(np.array([[True, False], [True, True]]), ["tea", "milk"]).values.tolist()
    [[0, 'tea'], [1, 'tea'], [1, 'milk']]
    """
    basket = np.asarray(basket, dtype=bool)
    items = list(items)
    if basket.ndim != 2 or basket.shape[1] != len(items):
        raise ValueError(f"basket must be a 2-D bool array with one column per item ({len(items)}), "
                         f"got shape {basket.shape}")
    ids = np.arange(basket.shape[0]) if basket_ids is None else np.asarray(basket_ids)
    if ids.shape != (basket.shape[0],):
        raise ValueError(f"basket_ids must have one id per basket ({basket.shape[0]}), got shape {ids.shape}")
    rows, cols = np.nonzero(basket)
    return pd.DataFrame({"basket_id": ids[rows],
                         "item": pd.Categorical.from_codes(cols.astype(np.int32), categories=items)})
