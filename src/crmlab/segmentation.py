"""k-means customer segmentation with the choices shown, not hidden.

The CRM Q&A compilation (source 0), line 13, lists cluster analysis beside recency, frequency and
amount as the way to classify customers. The helper here scales the features, fits k-means for a range
of k and reports the elbow (inertia) and silhouette of each, orders and names the segments by value,
profiles them, and measures agreement with a known (planted) segmentation by the adjusted Rand index.
Clustering itself is scikit-learn's (MacQueen 1967; Lloyd 1982; Rousseeuw 1987 for the silhouette;
Hubert & Arabie 1985 for the adjusted Rand index).

References
----------
.. [1] MacQueen, J. (1967), "Some methods for classification and analysis of multivariate observations",
   *Proceedings of the Fifth Berkeley Symposium on Mathematical Statistics and Probability*.
.. [2] Lloyd, S. P. (1982), "Least squares quantization in PCM", *IEEE Transactions on Information
   Theory* 28(2).
.. [3] Rousseeuw, P. J. (1987), "Silhouettes: a graphical aid to the interpretation and validation of
   cluster analysis", *Journal of Computational and Applied Mathematics* 20.
.. [4] Hubert, L. & Arabie, P. (1985), "Comparing partitions", *Journal of Classification* 2.
.. [5] Pedregosa, F. et al. (2011), "Scikit-learn: machine learning in Python", *Journal of Machine
   Learning Research* 12.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from ._profile import segment_profile
from ._validate import as_generator, check_choice, check_columns, check_dataframe, check_int, numeric_column

__all__ = ["kmeans_segments", "KMeansSegments", "segment_profile", "adjusted_rand", "elbow_k"]

_THREADED_FROM = 50_000  # customers; below this k-means runs single-threaded


@dataclass(frozen=True)
class KMeansSegments:
    """Result of :func:`kmeans_segments`.

    Attributes
    ----------
    labels : Series
        Ordered categorical segment name per customer, highest value first.
    k : int
        Number of segments used; ``chosen_by`` says how ("given", "silhouette" or "elbow").
    k_table : DataFrame
        For every k tried: ``inertia`` (within-cluster sum of squares, for the elbow) and ``silhouette``.
    silhouette_k, elbow_k : int or None
        The k the silhouette and the elbow rule would pick (None when only one k was tried).
    profile : DataFrame
        Per segment: customers, share and the mean of each feature and of the value column.
    centers : DataFrame
        Cluster centres in the original units (after undoing the scaling), one row per segment.
    model : KMeans
        The fitted scikit-learn model (its cluster numbers are not the segment order).
    """

    labels: pd.Series
    k: int
    chosen_by: str
    k_table: pd.DataFrame
    silhouette_k: int | None
    elbow_k: int | None
    profile: pd.DataFrame
    centers: pd.DataFrame
    model: KMeans

    def __repr__(self) -> str:
        return f"KMeansSegments(k={self.k} chosen by {self.chosen_by}, {len(self.labels)} customers)"


def elbow_k(k_values: Sequence[int], inertia: Sequence[float]) -> int:
    """The elbow of an inertia curve: the k farthest from the straight line joining its two ends.

    Both axes are rescaled to [0, 1] first (the "kneedle" idea of Satopää et al. 2011).

    Parameters
    ----------
    k_values : sequence of int
        Increasing k values (at least three).
    inertia : sequence of float
        Within-cluster sum of squares for each k.

    Returns
    -------
    The k at the elbow.

    Example
    -------
    >>> elbow_k([1, 2, 3, 4, 5], [100.0, 60, 20, 15, 12])
    3
    """
    k = np.asarray(k_values, dtype=float)
    w = np.asarray(inertia, dtype=float)
    if len(k) < 3:
        raise ValueError("elbow_k needs at least three values of k")
    x = (k - k[0]) / (k[-1] - k[0])
    span = w[0] - w[-1]
    y = (w - w[-1]) / span if span > 0 else np.zeros_like(w)
    # distance below the chord from (0, 1) to (1, 0)
    return int(k[int(np.argmax(1.0 - x - y))])


def _scaled(data: pd.DataFrame, features: Sequence[str], scale: str | None) -> tuple[np.ndarray, np.ndarray, object]:
    raw = np.column_stack([numeric_column(data, f, name="data") for f in features])
    x = raw
    if scale == "log":
        if (raw < 0).any():
            col = features[int(np.argmax((raw < 0).any(axis=0)))]
            raise ValueError(f"scale='log' needs non-negative features; column {col!r} has negative values")
        x = np.log1p(raw)
    scaler = None
    if scale is not None:
        scaler = StandardScaler().fit(x)
        x = scaler.transform(x)
    return raw, x, scaler


def _unscale(centers: np.ndarray, scaler, scale: str | None) -> np.ndarray:
    out = centers if scaler is None else scaler.inverse_transform(centers)
    return np.expm1(out) if scale == "log" else out


def _check_distinct_rows(raw: np.ndarray, features: list[str], ks: list[int]) -> None:
    """Refuse a k above the number of distinct customers (rows of the features): k-means cannot split equals."""
    distinct = len(np.unique(raw, axis=0))
    too_many = [kk for kk in ks if kk > distinct]
    if too_many and distinct == 1:
        raise ValueError(f"every customer has the same values of the features {features}: there is nothing to "
                         "segment (k-means needs at least two distinct customers)")
    if too_many:
        raise ValueError(f"the features {features} take only {distinct} distinct combinations, so k-means cannot "
                         f"make {max(too_many)} segments; ask for k of at most {distinct} (k_range=range(2, "
                         f"{distinct + 1}))")


def kmeans_segments(data: pd.DataFrame, features: Sequence[str], value_col: str, *, k: int | str = "silhouette",
                    k_range: Iterable[int] | None = range(2, 9), scale: str | None = "standard", seed=0,
                    n_init: int = 10, silhouette_sample: int = 5000, names: Sequence[str] | None = None
                    ) -> KMeansSegments:
    """Segment customers with k-means and report how k was chosen; segments are ordered and named by value.

    Steps: (1) scale the features (``"standard"`` z-scores; ``"log"`` = log1p then z-scores, for skewed
    spend and counts; ``None`` = as they are); (2) for every k in ``k_range`` fit k-means and record the
    inertia (elbow) and the silhouette (on a random sample of ``silhouette_sample`` customers when there
    are more); (3) take ``k`` as given, or the best silhouette, or the elbow; (4) order the segments by the
    mean of ``value_col`` (highest first) and name them "Tier 1" (highest value) ... or with ``names``.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    features : sequence of str
        Numeric columns to cluster on.
    value_col : str
        Numeric column that defines "value" for ordering the segments (may be a feature or not).
    k : int or {"silhouette", "elbow"}
        Number of segments, or the rule that picks it from ``k_range``.
    k_range : iterable of int, optional
        k values to fit and report (always reported; None only allowed with an integer ``k``).
    scale : {"standard", "log", None}
    seed : int or numpy.random.Generator
        Source of the k-means ``random_state`` and of the silhouette sample.
    n_init : int
        k-means restarts per k.
    silhouette_sample : int
        Largest number of customers the silhouette is computed on.
    names : sequence of str, optional
        Segment names from highest to lowest value (length k).

    Returns
    -------
    :class:`KMeansSegments`

    References
    ----------
    .. [1] scikit-learn, ``sklearn.cluster.KMeans`` and ``sklearn.metrics.silhouette_score``.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"visits": np.r_[rng.normal(2, .3, 50), rng.normal(10, .3, 50)],
    ...                    "spend": np.r_[rng.normal(20, 2, 50), rng.normal(90, 2, 50)]})
    >>> res = kmeans_segments(df, ["visits", "spend"], "spend", k_range=range(2, 5), seed=1)
    >>> res.k, res.labels.iloc[-1]
    (2, 'Tier 1')

    Source: CRM Q&A compilation (source 0), line 13 (cluster analysis for customer classification).
    """
    check_dataframe(data, name="data")
    if isinstance(features, str) or not isinstance(features, Sequence) or len(features) == 0:
        raise TypeError(f"features must be a non-empty list of column names, got {features!r}")
    check_columns(data, list(features), name="data")
    check_columns(data, {"value_col": value_col}, name="data")
    check_choice(scale, "scale", ("standard", "log", None))
    n_init = check_int(n_init, "n_init", low=1)
    silhouette_sample = check_int(silhouette_sample, "silhouette_sample", low=10)
    rng = as_generator(seed)
    n = len(data)
    if isinstance(k, str):
        check_choice(k, "k", ("silhouette", "elbow"))
        if k_range is None:
            raise ValueError(f"k_range is required when k={k!r}")
    else:
        k = check_int(k, "k", low=1, high=n)
    ks = sorted({check_int(v, "k_range values", low=1, high=n - 1) for v in (k_range or [])})
    if isinstance(k, int) and k not in ks:
        ks = sorted(set(ks) | {k})
    if isinstance(k, str) and (not ks or (k == "elbow" and len(ks) < 3)):
        raise ValueError(f"k_range must hold {'three' if k == 'elbow' else 'one'} or more values of k in 1..n-1 "
                         f"for k={k!r}, got {list(k_range)!r}")

    raw, x, scaler = _scaled(data, list(features), scale)
    _check_distinct_rows(raw, list(features), ks)
    value = numeric_column(data, value_col, name="data")
    state = int(rng.integers(2**31 - 1))
    sample_state = int(rng.integers(2**31 - 1))
    models, rows = {}, []
    # Small problems run faster on one thread: OpenMP start-up and spin-waiting cost more than the work,
    # badly so on a busy machine. Results do not depend on the thread count.
    with threadpool_limits(limits=1 if n < _THREADED_FROM else None):
        for kk in ks:  # a handful of k values, each fit vectorised in scikit-learn
            m = KMeans(n_clusters=kk, n_init=n_init, random_state=state).fit(x)
            models[kk] = m
            sil = np.nan
            if 2 <= kk < n and len(np.unique(m.labels_)) > 1:
                sil = silhouette_score(x, m.labels_, sample_size=min(silhouette_sample, n),
                                       random_state=sample_state)
            rows.append({"k": kk, "inertia": float(m.inertia_), "silhouette": float(sil)})
    k_table = pd.DataFrame(rows, columns=["k", "inertia", "silhouette"]).set_index("k")
    sil_k = int(k_table["silhouette"].idxmax()) if k_table["silhouette"].notna().any() else None
    elb_k = elbow_k(k_table.index, k_table["inertia"]) if len(k_table) >= 3 else None
    if k == "silhouette":
        if sil_k is None:
            raise ValueError(f"k_range must include a k of 2 or more for k='silhouette', got {list(k_range)!r}")
        chosen, by = sil_k, "silhouette"
    elif k == "elbow":
        chosen, by = elb_k, "elbow"
    else:
        chosen, by = k, "given"
    model = models[chosen]

    if names is None:
        names = [f"Tier {i + 1}" for i in range(chosen)]
    else:
        names = [str(s) for s in names]
        if len(names) != chosen or len(set(names)) != chosen:
            raise ValueError(f"names must be {chosen} distinct names (one per segment), got {names!r}")
    cluster = model.labels_
    mean_value = np.bincount(cluster, weights=value, minlength=chosen) / np.maximum(
        np.bincount(cluster, minlength=chosen), 1)
    rank_of_cluster = np.empty(chosen, dtype=np.int64)
    by_value = np.argsort(-mean_value, kind="stable")
    rank_of_cluster[by_value] = np.arange(chosen)
    labels = pd.Series(pd.Categorical.from_codes(rank_of_cluster[cluster], categories=names, ordered=True),
                       index=data.index, name="segment")
    cols = list(dict.fromkeys(list(features) + [value_col]))
    profile = segment_profile(data, labels, cols)
    centers = pd.DataFrame(_unscale(model.cluster_centers_, scaler, scale)[by_value], columns=list(features),
                           index=pd.Index(names, name="segment"))
    return KMeansSegments(labels=labels, k=int(chosen), chosen_by=by, k_table=k_table, silhouette_k=sil_k,
                          elbow_k=elb_k, profile=profile, centers=centers, model=model)


def adjusted_rand(found: pd.Series, planted: pd.Series) -> float:
    """Adjusted Rand index between two segmentations of the same customers (1 = identical up to names, ~0 = chance).

    The Series are aligned on their index (customer id); both must cover the same customers.

    Parameters
    ----------
    found, planted : Series
        Segment label per customer (index = customer id), e.g. ``kmeans_segments(...).labels`` and the
        planted truth of a world.

    Returns
    -------
    The adjusted Rand index (float, at most 1).

    References
    ----------
    .. [1] Hubert, L. & Arabie, P. (1985), "Comparing partitions", *Journal of Classification* 2.
    .. [2] scikit-learn, ``sklearn.metrics.adjusted_rand_score``.

    Example
    -------
    >>> a = pd.Series(["x", "x", "y"], index=[1, 2, 3]); b = pd.Series([7, 7, 9], index=[3, 2, 1])
    >>> round(adjusted_rand(a, b), 3)
    -0.5
    """
    for name, s in (("found", found), ("planted", planted)):
        if not isinstance(s, pd.Series):
            raise TypeError(f"{name} must be a pandas Series indexed by customer, got {type(s).__name__}")
        if s.isna().any():
            raise ValueError(f"{name} has {int(s.isna().sum())} missing label(s)")
        if s.index.has_duplicates:
            raise ValueError(f"{name} has duplicate customer ids in its index")
    if len(found) != len(planted) or not found.index.isin(planted.index).all():
        raise ValueError("found and planted must label the same customers (same index values)")
    return float(adjusted_rand_score(planted.reindex(found.index).to_numpy(), found.to_numpy()))
