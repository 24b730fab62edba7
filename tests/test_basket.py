"""Tests for crmlab.basket: association rules checked against brute-force counts and a planted rule."""
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab.basket import association_rules, basket_matrix, plot_rules


def _random_log(seed: int, n_baskets: int = 40, items=("a", "b", "c", "d", "e")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    holds = rng.random((n_baskets, len(items))) < rng.uniform(0.2, 0.7, len(items))
    b, i = np.nonzero(holds)
    return pd.DataFrame({"basket_id": b + 100, "item": np.asarray(items)[i]})


def _brute_force_rules(log: pd.DataFrame, min_support: float, min_confidence: float) -> dict:
    """Every rule A -> C from explicit loops over baskets and itemsets."""
    baskets = [set(g) for _, g in log.groupby("basket_id")["item"]]
    n = len(baskets)
    items = sorted(set(log["item"]))

    def support(itemset):
        return sum(1 for bk in baskets if set(itemset) <= bk) / n

    rules = {}
    for size in range(2, len(items) + 1):
        for itemset in itertools.combinations(items, size):
            s = support(itemset)
            if s < min_support:
                continue
            for k in range(1, size):
                for ante in itertools.combinations(itemset, k):
                    cons = tuple(x for x in itemset if x not in ante)
                    conf = s / support(ante)
                    if conf >= min_confidence:
                        rules[(ante, cons)] = (s, conf, conf / support(cons))
    return rules


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rules_match_brute_force_count(seed):
    """Every rule mlxtend finds, and only those, appear in an explicit loop count, with equal metrics."""
    log = _random_log(seed)
    got = association_rules(log, min_support=0.08, min_confidence=0.3)
    expected = _brute_force_rules(log, 0.08, 0.3)
    assert len(got) == len(expected) > 10
    for row in got.itertuples():
        s, conf, lift = expected[(row.antecedents, row.consequents)]
        assert row.support == pytest.approx(s)
        assert row.confidence == pytest.approx(conf)
        assert row.lift == pytest.approx(lift)
        assert row.confidence == pytest.approx(row.support / row.antecedent_support)


def test_sorted_by_lift_then_confidence():
    got = association_rules(_random_log(3), min_support=0.1, min_confidence=0.2)
    keys = list(zip(-got["lift"], -got["confidence"], -got["support"]))
    assert keys == sorted(keys)


def test_recovers_planted_rule():
    """Planted truth: P(butter | bread) = 0.8, P(butter | no bread) = 0.1, other items independent at 0.2."""
    rng = np.random.default_rng(11)
    n = 4000
    bread = rng.random(n) < 0.3
    butter = np.where(bread, rng.random(n) < 0.8, rng.random(n) < 0.1)
    others = rng.random((n, 4)) < 0.2
    holds = np.column_stack([bread, butter, others])
    names = np.array(["bread", "butter", "tea", "rice", "soap", "eggs"])
    b, i = np.nonzero(holds)
    log = pd.DataFrame({"basket": b, "product": names[i]})
    rules = association_rules(log, basket_col="basket", item_col="product", min_support=0.05, min_confidence=0.5,
                              max_len=2)
    top = rules.iloc[0]
    assert (top["antecedents"], top["consequents"]) in {(("bread",), ("butter",)), (("butter",), ("bread",))}
    r = rules[(rules["antecedents"] == ("bread",)) & (rules["consequents"] == ("butter",))].iloc[0]
    p_butter = 0.3 * 0.8 + 0.7 * 0.1
    n_baskets = holds.any(axis=1).sum()  # empty baskets leave no transaction line
    scale = n / n_baskets
    assert r["confidence"] == pytest.approx(0.8, abs=0.03)
    assert r["support"] == pytest.approx(0.3 * 0.8 * scale, abs=0.02)
    assert r["lift"] == pytest.approx(0.8 / (p_butter * scale), rel=0.08)
    # independent items give no rule at confidence 0.5
    assert not rules["antecedents"].map(lambda a: "soap" in a).any()


def test_duplicate_lines_count_once_and_numeric_items():
    log = pd.DataFrame({"basket_id": [1, 1, 1, 2, 2, 3], "item": [10, 10, 20, 10, 20, 30]})
    m = basket_matrix(log)
    assert m.sparse.to_dense().to_numpy().sum() == 5
    r = association_rules(log, min_support=0.5, min_confidence=0.9)
    assert r[["antecedents", "consequents"]].values.tolist() == [[(10,), (20,)], [(20,), (10,)]]
    assert r["support"].tolist() == pytest.approx([2 / 3, 2 / 3])


def test_no_rule_gives_empty_frame_with_columns():
    log = pd.DataFrame({"basket_id": [1, 2, 3], "item": ["a", "b", "c"]})
    r = association_rules(log, min_support=0.5)
    assert r.empty and list(r.columns) == ["antecedents", "consequents", "antecedent_support",
                                           "consequent_support", "support", "confidence", "lift"]


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"basket_col": "order"}, ValueError, "basket_col='order'"),
    ({"item_col": "sku"}, ValueError, "item_col='sku'"),
    ({"min_support": 0.0}, ValueError, "min_support"),
    ({"min_support": "high"}, TypeError, "min_support"),
    ({"min_confidence": 1.5}, ValueError, "min_confidence"),
    ({"max_len": 0}, ValueError, "max_len"),
])
def test_bad_arguments_are_named(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        association_rules(_random_log(0), **kwargs)


def test_bad_transactions():
    with pytest.raises(TypeError, match="transactions"):
        association_rules([("a", "b")])
    with pytest.raises(ValueError, match="transactions is empty"):
        association_rules(pd.DataFrame({"basket_id": [], "item": []}))
    with pytest.raises(ValueError, match="item_col='item'.*missing"):
        association_rules(pd.DataFrame({"basket_id": [1, 2], "item": ["a", None]}))


def test_plot_rules_renders_without_warnings():
    rules = association_rules(_random_log(0), min_support=0.08, min_confidence=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_rules(rules, annotate=3)
        ax.figure.canvas.draw()
    assert len(ax.texts) == 3
    assert len(ax.collections[0].get_offsets()) == len(rules)
