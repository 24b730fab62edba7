"""Tests for crmlab.segmentation: recovery of planted segments, brute-force silhouette and adjusted Rand index."""
from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest

from crmlab.segmentation import adjusted_rand, elbow_k, kmeans_segments

PLANTED = {  # segment: (visits, spend, tenure) means; sizes differ so the order is not positional
    "gold": (12.0, 900.0, 60.0),
    "silver": (6.0, 300.0, 30.0),
    "bronze": (2.0, 60.0, 8.0),
}


def planted_world(seed: int, sizes=(60, 120, 220), spread: float = 0.06) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    frames, truth = [], []
    for (name, means), size in zip(PLANTED.items(), sizes):
        means = np.asarray(means)
        frames.append(means * (1 + spread * rng.standard_normal((size, 3))))
        truth += [name] * size
    x = np.vstack(frames)
    perm = rng.permutation(len(x))
    idx = pd.Index([f"u{i:04d}" for i in range(len(x))], name="customer_id")
    data = pd.DataFrame(x[perm], columns=["visits", "spend", "tenure"], index=idx)
    return data, pd.Series(np.asarray(truth)[perm], index=idx, name="planted")


@pytest.mark.parametrize("scale", ["standard", "log", None])
def test_kmeans_recovers_planted_segments_and_orders_them_by_value(scale):
    data, truth = planted_world(1)
    res = kmeans_segments(data, ["visits", "spend", "tenure"], "spend", k_range=range(2, 6), scale=scale, seed=3,
                          n_init=3)
    assert res.k == 3 and res.chosen_by == "silhouette" and res.silhouette_k == 3
    assert adjusted_rand(res.labels, truth) > 0.99
    # Tier 1 is the planted high-value group, Tier 3 the low-value one
    top = truth[res.labels == "Tier 1"].value_counts()
    assert top.index[0] == "gold" and top.iloc[0] == (truth == "gold").sum()
    assert (truth[res.labels == "Tier 3"] == "bronze").all()
    assert list(res.profile["spend"]) == sorted(res.profile["spend"], reverse=True)
    assert list(res.k_table.index) == [2, 3, 4, 5]
    assert (np.diff(res.k_table["inertia"]) < 0).all()
    # centres are back in original units, close to the planted means
    np.testing.assert_allclose(res.centers.loc["Tier 1"].to_numpy(), PLANTED["gold"], rtol=0.05)


def test_profile_table_matches_direct_group_means():
    data, _ = planted_world(2)
    res = kmeans_segments(data, ["visits", "spend"], "tenure", k=3, k_range=None, seed=0)
    direct = data.groupby(res.labels.to_numpy())[["visits", "spend", "tenure"]].mean()
    np.testing.assert_allclose(res.profile[["visits", "spend", "tenure"]].to_numpy(),
                               direct.loc[res.profile.index].to_numpy())
    assert res.profile["customers"].sum() == len(data) and res.profile["share"].sum() == pytest.approx(1.0)
    assert res.chosen_by == "given" and res.k_table.index.tolist() == [3]


def brute_force_silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Rousseeuw's silhouette by a loop over points: (b - a) / max(a, b), averaged."""
    s = []
    for i in range(len(x)):
        d = np.sqrt(((x - x[i]) ** 2).sum(axis=1))
        same = labels == labels[i]
        if same.sum() == 1:
            s.append(0.0)
            continue
        a = d[same].sum() / (same.sum() - 1)
        b = min(d[labels == other].mean() for other in set(labels) if other != labels[i])
        s.append((b - a) / max(a, b))
    return float(np.mean(s))


def test_reported_silhouette_equals_brute_force_on_small_data():
    data, _ = planted_world(4, sizes=(15, 20, 25), spread=0.3)
    res = kmeans_segments(data, ["visits", "spend", "tenure"], "spend", k=4, k_range=range(2, 5), seed=5)
    x = (data - data.mean()) / data.std(ddof=0)
    assert res.k_table.loc[4, "silhouette"] == pytest.approx(
        brute_force_silhouette(x.to_numpy(), res.labels.cat.codes.to_numpy()), rel=1e-9)


def test_large_n_uses_silhouette_sample_and_same_seed_is_identical():
    data, truth = planted_world(6, sizes=(1500, 3000, 5500))
    a = kmeans_segments(data, ["visits", "spend"], "spend", k_range=range(2, 5), seed=7, silhouette_sample=1000,
                        n_init=3)
    b = kmeans_segments(data, ["visits", "spend"], "spend", k_range=range(2, 5), seed=7, silhouette_sample=1000,
                        n_init=3)
    assert a.k == 3 and adjusted_rand(a.labels, truth) > 0.99
    pd.testing.assert_series_equal(a.labels, b.labels)
    pd.testing.assert_frame_equal(a.k_table, b.k_table)


def test_elbow_rule():
    assert elbow_k([1, 2, 3, 4, 5, 6], [1000.0, 400, 120, 100, 90, 85]) == 3
    data, truth = planted_world(8)
    res = kmeans_segments(data, ["visits", "spend", "tenure"], "spend", k="elbow", k_range=range(1, 7), seed=2,
                          n_init=3)
    assert res.chosen_by == "elbow" and res.k == res.elbow_k == 3
    with pytest.raises(ValueError, match="three"):
        elbow_k([2, 3], [5.0, 4.0])


def brute_force_ari(a: np.ndarray, b: np.ndarray) -> float:
    """Hubert & Arabie (1985) from the contingency table."""
    table = pd.crosstab(a, b).to_numpy()
    n = table.sum()
    index = sum(comb(int(v), 2) for v in table.ravel())
    rows = sum(comb(int(v), 2) for v in table.sum(axis=1))
    cols = sum(comb(int(v), 2) for v in table.sum(axis=0))
    expected = rows * cols / comb(int(n), 2)
    return (index - expected) / ((rows + cols) / 2 - expected)


def test_adjusted_rand_matches_hubert_arabie_formula_and_aligns_on_index():
    rng = np.random.default_rng(10)
    idx = pd.Index(range(300))
    a = pd.Series(rng.integers(0, 4, 300), index=idx)
    b = pd.Series(np.where(rng.random(300) < 0.7, a, rng.integers(0, 4, 300)), index=idx)
    assert adjusted_rand(a, b) == pytest.approx(brute_force_ari(a.to_numpy(), b.to_numpy()), rel=1e-12)
    shuffled = b.sample(frac=1.0, random_state=0)
    assert adjusted_rand(a, shuffled) == pytest.approx(adjusted_rand(a, b))
    with pytest.raises(ValueError, match="same customers"):
        adjusted_rand(a, b.iloc[:-1])
    with pytest.raises(TypeError, match="planted"):
        adjusted_rand(a, b.to_numpy())


def test_bad_arguments_are_refused_naming_them():
    data, _ = planted_world(3)
    with pytest.raises(TypeError, match="features"):
        kmeans_segments(data, "spend", "spend")
    with pytest.raises(ValueError, match="column 'income'"):
        kmeans_segments(data, ["spend", "income"], "spend")
    with pytest.raises(ValueError, match="value_col='margin'"):
        kmeans_segments(data, ["spend"], "margin")
    with pytest.raises(ValueError, match="scale"):
        kmeans_segments(data, ["spend"], "spend", scale="minmax")
    with pytest.raises(ValueError, match="k must be one of"):
        kmeans_segments(data, ["spend"], "spend", k="gap")
    with pytest.raises(ValueError, match="names"):
        kmeans_segments(data, ["spend"], "spend", k=3, k_range=None, names=["a", "b"])
    with pytest.raises(TypeError, match="seed"):
        kmeans_segments(data, ["spend"], "spend", seed=1.5)
    with pytest.raises(ValueError, match="log"):
        kmeans_segments(data.assign(spend=-data["spend"]), ["spend"], "spend", scale="log")
    with pytest.raises(ValueError, match="column 'visits'.*missing"):
        kmeans_segments(data.assign(visits=np.nan), ["visits"], "spend")


def test_custom_names_follow_value_order():
    data, truth = planted_world(5)
    res = kmeans_segments(data, ["visits", "spend", "tenure"], "spend", k=3, k_range=None, seed=1,
                          names=["Gold", "Silver", "Bronze"])
    assert (truth[res.labels == "Gold"] == "gold").all() and (truth[res.labels == "Bronze"] == "bronze").all()
    assert list(res.labels.cat.categories) == ["Gold", "Silver", "Bronze"] and res.labels.cat.ordered


def test_identical_or_few_distinct_customers_are_refused_with_a_clear_message():
    """Issue 20: identical rows gave "k_range must include a k of 2 or more ..., got [2, 3, ...]", which blamed
    k_range. Checked against a count of the distinct rows (pandas drop_duplicates)."""
    same = pd.DataFrame({"visits": [3.0] * 40, "spend": [50.0] * 40})
    for kwargs in ({}, {"k": 3, "k_range": None}, {"k": "elbow"}):
        with pytest.raises(ValueError, match=r"every customer has the same values of the features "
                                             r"\['visits', 'spend'\]: there is nothing to segment"):
            kmeans_segments(same, ["visits", "spend"], "spend", **kwargs)
    few = pd.DataFrame({"visits": [1.0, 2.0, 3.0] * 10, "spend": [5.0, 9.0, 1.0] * 10})
    distinct = len(few.drop_duplicates())
    with pytest.raises(ValueError, match=f"only {distinct} distinct combinations, so k-means cannot make 8 segments"):
        kmeans_segments(few, ["visits", "spend"], "spend")
    res = kmeans_segments(few, ["visits", "spend"], "spend", k_range=range(2, distinct + 1))
    assert res.k == distinct and res.labels.nunique() == distinct
    assert kmeans_segments(same, ["visits"], "spend", k=1, k_range=None).labels.nunique() == 1
