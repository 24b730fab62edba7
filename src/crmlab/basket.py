"""Market-basket analysis: association rules between items bought together.

A rule ``A -> C`` says that baskets containing every item of ``A`` often also contain ``C``. Its
*support* is the share of all baskets holding ``A`` and ``C`` together, its *confidence* the share of
baskets with ``A`` that also hold ``C`` (an estimate of P(C | A)), and its *lift* the confidence divided
by the support of ``C`` alone (lift > 1: buying ``A`` makes ``C`` more likely than it is on average).

The counting is done by mlxtend (FP-growth for the frequent itemsets, then its rule miner); this module
validates the transaction log, builds the sparse basket-by-item table, and returns plain tuples.

Sources: CRM Q&A compilation (source 0), line 14 (cross-selling from what customers of one class buy
together: "做到在顧客下定單前,就能了解顧客需要"); Analytical CRM course pack (source 1), lines 12–19
(cross-selling is one of the six uses of analytical CRM in the mobile industry); the Tesco chapter of the
casebook whose contents are in the CRM Q&A compilation (source 0), lines 99–102 and 156–159 (basket data).
Algorithms: Agrawal, Imieliński & Swami (1993) for rules, Han, Pei & Yin (2000) for FP-growth.

References
----------
.. [1] Agrawal, R., Imieliński, T. & Swami, A. (1993), "Mining association rules between sets of items in
   large databases", *Proceedings of ACM SIGMOD*.
.. [2] Han, J., Pei, J. & Yin, Y. (2000), "Mining frequent patterns without candidate generation",
   *Proceedings of ACM SIGMOD*.
.. [3] Raschka, S. (2018), "MLxtend", *Journal of Open Source Software* 3(24).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._validate import check_columns, check_dataframe, check_int, check_probability
from ._plotting import axes_or_new
from .plots import label

__all__ = ["basket_matrix", "association_rules", "plot_rules"]

RULE_COLUMNS = ["antecedents", "consequents", "antecedent_support", "consequent_support", "support",
                "confidence", "lift"]


def basket_matrix(transactions: pd.DataFrame, *, basket_col: str = "basket_id",
                  item_col: str = "item") -> pd.DataFrame:
    """One row per basket, one sparse boolean column per item (True when the basket holds the item).

    Parameters
    ----------
    transactions : DataFrame with one row per (basket, item) line; repeated lines count once.
    basket_col, item_col : the basket identifier and the item columns (neither may hold missing values).

    Returns
    -------
    DataFrame of ``Sparse[bool]`` columns, indexed by basket id, columns sorted item labels.

    Example
    -------
    >>> t = pd.DataFrame({"basket_id": [1, 1, 2], "item": ["tea", "milk", "tea"]})
    >>> basket_matrix(t).sparse.to_dense().astype(int).to_dict("list")
    {'milk': [1, 0], 'tea': [1, 1]}
    """
    check_dataframe(transactions, name="transactions")
    check_columns(transactions, {"basket_col": basket_col, "item_col": item_col}, name="transactions")
    for arg, col in (("basket_col", basket_col), ("item_col", item_col)):
        missing = transactions[col].isna()
        if missing.any():
            raise ValueError(f"{arg}={col!r}: column of transactions has {int(missing.sum())} missing value(s), "
                             f"first at row {transactions.index[int(np.argmax(missing.to_numpy()))]!r}")
    baskets = pd.Categorical(transactions[basket_col])
    items = pd.Categorical(transactions[item_col])
    ones = np.ones(len(transactions), dtype=bool)
    m = sp.csr_matrix((ones, (baskets.codes, items.codes)),
                      shape=(len(baskets.categories), len(items.categories)), dtype=bool)
    m.sum_duplicates()  # a repeated (basket, item) line is one presence, not two
    out = pd.DataFrame.sparse.from_spmatrix(m, index=pd.Index(baskets.categories, name=basket_col),
                                            columns=list(items.categories))
    return out.astype(pd.SparseDtype(bool, False))


def association_rules(transactions: pd.DataFrame, *, basket_col: str = "basket_id", item_col: str = "item",
                      min_support: float = 0.01, min_confidence: float = 0.5,
                      max_len: int | None = None) -> pd.DataFrame:
    """Mine association rules ``antecedents -> consequents`` from a transaction log.

    Parameters
    ----------
    transactions : DataFrame, one row per (basket, item) line.
    basket_col, item_col : column names of the basket id and the item.
    min_support : keep itemsets present in at least this share of baskets (0 < min_support <= 1).
    min_confidence : keep rules whose confidence P(consequents | antecedents) is at least this (0..1).
    max_len : longest itemset considered (None: no limit; at least 2 to get any rule).

    Returns
    -------
    DataFrame with columns ``antecedents``, ``consequents`` (sorted tuples of items),
    ``antecedent_support``, ``consequent_support``, ``support``, ``confidence``, ``lift``; sorted by lift,
    then confidence, then support (descending), index 0..n-1. Empty (same columns) when no rule passes.

    References
    ----------
    .. [1] mlxtend: ``fpgrowth`` + ``association_rules`` with ``num_itemsets`` = the number of baskets.

    Example
    -------
    >>> t = pd.DataFrame({"basket_id": [1, 1, 2, 2, 3], "item": ["bread", "butter", "bread", "butter", "tea"]})
    >>> r = association_rules(t, min_support=0.5, min_confidence=0.9)
    >>> r[["antecedents", "consequents", "confidence"]].to_dict("records")[0]
    {'antecedents': ('bread',), 'consequents': ('butter',), 'confidence': 1.0}

    Source: CRM Q&A compilation (source 0), line 14 (cross-selling); Analytical CRM course pack (source 1),
    lines 12–19.
    """
    from mlxtend.frequent_patterns import association_rules as _mine_rules
    from mlxtend.frequent_patterns import fpgrowth

    min_support = check_probability(min_support, "min_support", open_low=True)
    min_confidence = check_probability(min_confidence, "min_confidence")
    max_len = check_int(max_len, "max_len", low=1, allow_none=True)
    onehot = basket_matrix(transactions, basket_col=basket_col, item_col=item_col)
    n_baskets = len(onehot)
    labels = list(onehot.columns)
    onehot.columns = range(len(labels))  # mlxtend wants string or 0-based column names on sparse input
    frequent = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    frequent["itemsets"] = frequent["itemsets"].map(lambda s: frozenset(labels[i] for i in s))
    if (frequent["itemsets"].map(len) >= 2).sum() == 0:
        return _empty_rules()
    rules = _mine_rules(frequent, num_itemsets=n_baskets, metric="confidence", min_threshold=min_confidence)
    if rules.empty:
        return _empty_rules()
    out = pd.DataFrame({
        "antecedents": rules["antecedents"].map(_as_tuple),
        "consequents": rules["consequents"].map(_as_tuple),
        "antecedent_support": rules["antecedent support"].astype(float),
        "consequent_support": rules["consequent support"].astype(float),
        "support": rules["support"].astype(float),
        "confidence": rules["confidence"].astype(float),
        "lift": rules["lift"].astype(float),
    })
    # Ties are broken by the item names so the order does not depend on mlxtend's internal order.
    out["_key"] = out["antecedents"].map(str) + "->" + out["consequents"].map(str)
    out = out.sort_values(["lift", "confidence", "support", "_key"], ascending=[False, False, False, True],
                          kind="mergesort")
    return out.drop(columns="_key").reset_index(drop=True)


def _as_tuple(items: frozenset) -> tuple:
    return tuple(sorted(items, key=lambda x: (str(type(x)), x)))


def _empty_rules() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object if c in ("antecedents", "consequents") else float)
                        for c in RULE_COLUMNS})
    return out


def plot_rules(rules: pd.DataFrame, *, ax=None, annotate: int = 5):
    """Scatter of rules: support (x) against confidence (y), coloured by lift; the top rules labelled.

    Parameters
    ----------
    rules : the output of :func:`association_rules`.
    ax : matplotlib Axes to draw on (a new figure when None).
    annotate : how many of the first rows (highest lift) to label with ``A -> C``.

    Returns
    -------
    The matplotlib Axes.

    Example
    -------
    >>> t = pd.DataFrame({"basket_id": [1, 1, 2, 2, 3], "item": ["bread", "butter", "bread", "butter", "tea"]})
    >>> ax = plot_rules(association_rules(t, min_support=0.2))
    """
    check_dataframe(rules, name="rules", allow_empty=True)
    check_columns(rules, ["antecedents", "consequents", "support", "confidence", "lift"], name="rules")
    annotate = check_int(annotate, "annotate", low=0)
    ax = axes_or_new(ax)
    if len(rules):
        pts = ax.scatter(rules["support"], rules["confidence"], c=rules["lift"], cmap="viridis", s=30)
        ax.figure.colorbar(pts, ax=ax, label=label("Lift", "提升度"))
        for row in rules.head(annotate).itertuples():
            text = ", ".join(map(str, row.antecedents)) + " → " + ", ".join(map(str, row.consequents))
            ax.annotate(text, (row.support, row.confidence), fontsize=8, xytext=(4, 4),
                        textcoords="offset points")
    ax.set_xlabel(label("Support (share of baskets)", "支持度(购物篮占比)"))
    ax.set_ylabel(label("Confidence P(consequent | antecedent)", "置信度"))
    ax.set_title(label("Association rules", "关联规则"))
    return ax
