"""Churn scoring and retention campaigns: model, gains/lift, measured uplift, targeting economics.

- :func:`fit_churn_model` builds a scikit-learn pipeline (scaling + one-hot encoding, then logistic
  regression or gradient boosting), scores every customer out of fold with stratified K-fold
  cross-validation, calibrates the scores (so a score of 0.2 means about a 20% churn rate) and reports the
  AUC and Brier score.
- :func:`gains_table` ranks customers by score and cuts them into equal bins (deciles): response rate,
  cumulative response, cumulative gain (share of all churners captured) and lift per bin.
- :func:`campaign_uplift` compares a treated group with a random control group: the difference in
  response rates with a Wald or Newcombe (hybrid Wilson score) interval, overall and per segment (sorted, or
  in the caller's order); :func:`plot_uplift` draws it as a horizontal interval plot.
- :func:`targeting_roi` prices a retention offer: targeting the top-k customers saves
  score x uplift x value in expectation and costs k x offer cost.

Sources: Analytical CRM course pack (source 1), lines 12–19 (Hu Shaodong: retention and campaign
evaluation among the six uses of analytical CRM in the mobile industry); CRM article collection
(source 3), line 547 (retention economics). The interval of a difference of proportions is Newcombe's
(1998).

References
----------
.. [1] Newcombe, R. G. (1998), "Interval estimation for the difference between independent proportions:
   comparison of eleven methods", *Statistics in Medicine* 17, 873-890.
.. [2] Pedregosa, F. et al. (2011), "Scikit-learn: machine learning in Python", *Journal of Machine
   Learning Research* 12.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._arrays import as_float_array
from ._flags import binary_array, binary_column
from ._validate import (as_generator, check_choice, check_columns, check_dataframe, check_int, check_number,
                        check_probability)
from ._plotting import axes_or_new
from .plots import PALETTE, label

__all__ = ["ChurnModel", "fit_churn_model", "gains_table", "campaign_uplift", "targeting_roi", "plot_gains",
           "plot_lift", "plot_cumulative_response", "plot_uplift", "plot_roi"]

MODELS = ("logistic", "boosting")


# ------------------------------------------------------------------------------------------- model
@dataclass
class ChurnModel:
    """A fitted, calibrated churn model (see :func:`fit_churn_model`).

    Attributes
    ----------
    model : the calibrated scikit-learn estimator, refitted on all rows
    scores : out-of-fold calibrated churn probabilities, indexed like the training data (use these, not
        in-sample predictions, for gains tables and for judging the model)
    auc, brier : ROC AUC and Brier score of the out-of-fold scores
    brier_reference : Brier score of predicting the base rate for everyone (a useful model beats it)
    base_rate : share of churners in the training data
    """

    model: object = field(repr=False)
    scores: pd.Series = field(repr=False)
    auc: float
    brier: float
    brier_reference: float
    base_rate: float
    feature_cols: tuple
    target_col: str

    def predict(self, data: pd.DataFrame) -> pd.Series:
        """Calibrated churn probabilities for new rows (they must have the training feature columns)."""
        check_dataframe(data, name="data")
        check_columns(data, list(self.feature_cols), name="data")
        x = _features(data, list(self.feature_cols))[0]
        return pd.Series(self.model.predict_proba(x)[:, 1], index=data.index, name="churn_score")


def _features(data: pd.DataFrame, cols: list[str]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Split feature columns into numeric and categorical ones, refusing missing values."""
    numeric, categorical = [], []
    for c in cols:
        count = int(np.sum(data.columns == c))
        if count > 1:
            raise ValueError(f"data has {count} columns named {c!r}; feature column names must be unique")
        s = data[c]
        if s.isna().any():
            raise ValueError(f"feature column {c!r} has {int(s.isna().sum())} missing value(s); "
                             "impute or drop them first")
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            numeric.append(c)
        elif pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
            raise TypeError(f"feature column {c!r} holds dates; turn it into a number (e.g. days since) first")
        else:
            categorical.append(c)
    x = data[cols].copy()
    for c in numeric:
        x[c] = x[c].astype("float64")
        infinite = np.isinf(x[c].to_numpy())
        if infinite.any():
            raise ValueError(f"feature column {c!r} has {int(infinite.sum())} infinite value(s), first at row "
                             f"{data.index[np.argmax(infinite)]!r}; a model needs finite numbers (an infinity "
                             "often comes from dividing by zero: fix or drop those rows first)")
    for c in categorical:
        x[c] = x[c].astype(str).astype(object)
    return x, numeric, categorical


def fit_churn_model(data: pd.DataFrame, *, target_col: str = "churned", feature_cols: Sequence[str] | None = None,
                    model: str = "logistic", n_splits: int = 5, calibration: str = "sigmoid",
                    seed=0) -> ChurnModel:
    """Fit a calibrated churn model and score every customer out of fold.

    The pipeline standardises numeric features and one-hot encodes the others (strings, categories),
    then fits ``model``: ``"logistic"`` (LogisticRegression) or ``"boosting"``
    (GradientBoostingClassifier: 100 shallow trees, learning rate 0.05, subsampling 0.8; single-threaded,
    so it is predictable on shared
    machines). It is wrapped in CalibratedClassifierCV (``calibration``:
    ``"sigmoid"`` = Platt scaling or ``"isotonic"``), and ``cross_val_predict`` over StratifiedKFold
    gives each customer a score from a model that never saw them.

    Parameters
    ----------
    data : DataFrame, one row per customer.
    target_col : 0/1 or bool column, 1 = churned.
    feature_cols : columns to use (default: every column except the target).
    model : ``"logistic"`` or ``"boosting"``.
    n_splits : folds of the outer cross-validation (2..20); each class needs at least this many rows.
    calibration : ``"sigmoid"`` or ``"isotonic"``.
    seed : int or numpy Generator (fold shuffling and the boosting model).

    Returns
    -------
    :class:`ChurnModel` with ``scores`` (out of fold), ``auc``, ``brier`` and the refitted ``model``.

    References
    ----------
    .. [1] scikit-learn: ``LogisticRegression``, ``GradientBoostingClassifier``, ``CalibratedClassifierCV``
       and ``cross_val_predict``.

    Example
    -------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"complaints": rng.poisson(1, 600), "plan": rng.choice(["A", "B"], 600)})
    >>> d["churned"] = rng.random(600) < 1 / (1 + np.exp(2 - 0.8 * d["complaints"]))
    >>> m = fit_churn_model(d, seed=1)
    >>> 0.6 < m.auc < 0.9, m.brier < m.brier_reference
    (True, True)

    Source: Analytical CRM course pack (source 1), lines 12–19 (churn/retention analysis in the mobile
    industry).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from threadpoolctl import threadpool_limits

    check_dataframe(data, name="data")
    check_choice(model, "model", MODELS)
    check_choice(calibration, "calibration", ("sigmoid", "isotonic"))
    n_splits = check_int(n_splits, "n_splits", low=2, high=20)
    rng = as_generator(seed)
    y = binary_column(data, target_col, arg="target_col", name="data").astype(int)
    if feature_cols is None:
        feature_cols = [c for c in data.columns if c != target_col]
    elif isinstance(feature_cols, str):
        feature_cols = [feature_cols]
    feature_cols = list(feature_cols)
    if not feature_cols:
        raise ValueError("feature_cols is empty: the model needs at least one feature")
    if target_col in feature_cols:
        raise ValueError(f"feature_cols must not contain the target column {target_col!r}")
    check_columns(data, {f"feature_cols[{i}]": c for i, c in enumerate(feature_cols)}, name="data")
    minority = int(min(y.sum(), len(y) - y.sum()))
    if minority < n_splits:
        raise ValueError(f"target_col={target_col!r} has only {minority} row(s) of its rarer class; "
                         f"n_splits={n_splits} needs at least {n_splits}")
    x, numeric, categorical = _features(data, feature_cols)
    state = int(rng.integers(0, 2**31 - 1))
    prep = ColumnTransformer([("num", StandardScaler(), numeric),
                              ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
    clf = (LogisticRegression(max_iter=2000) if model == "logistic"
           else GradientBoostingClassifier(n_estimators=100, learning_rate=0.05, max_depth=2,
                                            min_samples_leaf=20, subsample=0.8, random_state=state))
    pipe = Pipeline([("prep", prep), ("model", clf)])
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=state)
    calibrated = CalibratedClassifierCV(pipe, method=calibration, cv=inner)
    outer = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=state)
    # Many small optimisations: multi-threaded BLAS only adds contention here (3x slower on a busy machine).
    with threadpool_limits(limits=1, user_api="blas"):
        oof = cross_val_predict(calibrated, x, y, cv=outer, method="predict_proba")[:, 1]
        calibrated.fit(x, y)
    base = float(y.mean())
    return ChurnModel(model=calibrated, scores=pd.Series(oof, index=data.index, name="churn_score"),
                      auc=float(roc_auc_score(y, oof)), brier=float(brier_score_loss(y, oof)),
                      brier_reference=base * (1 - base), base_rate=base, feature_cols=tuple(feature_cols),
                      target_col=target_col)


# ------------------------------------------------------------------------------------- gains / lift
def _scores_array(scores, name: str = "scores", n: int | None = None, **bounds) -> np.ndarray:
    """``scores`` as a 1-d float array (no NaN), of length ``n`` when given."""
    s = as_float_array(scores, name, **bounds)
    if n is not None and len(s) != n:
        raise ValueError(f"{name} has {len(s)} values but y_true has {n}")
    return s


def gains_table(y_true, scores, *, n_bins: int = 10) -> pd.DataFrame:
    """Gains, lift and cumulative-response table: customers ranked by score, cut into equal bins.

    Customers are sorted by descending score (ties keep their input order) and split into ``n_bins``
    groups whose sizes differ by at most one (bin 1 = highest scores).

    Parameters
    ----------
    y_true : 0/1 or bool outcomes (1 = churned / responded).
    scores : model scores, higher = more likely; same length as ``y_true``.
    n_bins : number of bins (10 = deciles); at most the number of customers.

    Returns
    -------
    DataFrame, one row per bin: ``bin, customers, responders, response_rate, min_score, max_score,
    cum_customers, cum_share_customers, cum_responders, cum_response_rate, cum_gain`` (share of all
    responders captured so far), ``lift`` (bin rate / overall rate), ``cum_lift``.

    Example
    -------
    >>> gains_table([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0], n_bins=5
    ...             )[["responders", "cum_gain", "lift"]].round(2).values.tolist()[:2]
    [[2.0, 0.67, 3.33], [1.0, 1.0, 1.67]]

    Source: direct-marketing practice (decile analysis); Analytical CRM course pack (source 1), lines 12–19
    (campaign evaluation).
    """
    y = binary_array(y_true, "y_true").astype("float64")
    s = _scores_array(scores, n=len(y))
    n_bins = check_int(n_bins, "n_bins", low=1, high=len(y))
    if y.sum() == 0:
        raise ValueError("y_true has no positives: gains and lift are undefined")
    order = np.argsort(-s, kind="stable")
    bins = (np.arange(len(y)) * n_bins) // len(y)
    ys, ss = y[order], s[order]
    customers = np.bincount(bins, minlength=n_bins).astype(float)
    responders = np.bincount(bins, weights=ys, minlength=n_bins)
    cum_c, cum_r = np.cumsum(customers), np.cumsum(responders)
    overall = y.mean()
    frame = pd.DataFrame({"bin": np.arange(1, n_bins + 1), "customers": customers.astype(np.int64),
                          "responders": responders, "response_rate": responders / customers,
                          "min_score": pd.Series(ss).groupby(bins).min().to_numpy(),
                          "max_score": pd.Series(ss).groupby(bins).max().to_numpy(),
                          "cum_customers": cum_c.astype(np.int64), "cum_share_customers": cum_c / len(y),
                          "cum_responders": cum_r, "cum_response_rate": cum_r / cum_c,
                          "cum_gain": cum_r / y.sum()})
    frame["lift"] = frame["response_rate"] / overall
    frame["cum_lift"] = frame["cum_response_rate"] / overall
    return frame


# ------------------------------------------------------------------------------------------- uplift
def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x successes out of n."""
    p = x / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def _difference_interval(x1, n1, x0, n0, level: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + level / 2)
    p1, p0 = x1 / n1, x0 / n0
    d = p1 - p0
    if method == "wald":
        half = z * np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        return d - half, d + half
    l1, u1 = _wilson(x1, n1, z)
    l0, u0 = _wilson(x0, n0, z)
    return d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)


def campaign_uplift(data: pd.DataFrame, *, treatment_col: str = "treated", response_col: str = "responded",
                    segment_col: str | None = None, level: float = 0.95, method: str = "newcombe",
                    sort: bool = True) -> pd.DataFrame:
    """Uplift of a campaign: response rate of the treated minus that of the (random) control group.

    Parameters
    ----------
    data : DataFrame, one row per customer in the test.
    treatment_col : 0/1 or bool, 1 = received the campaign.
    response_col : 0/1 or bool outcome (responded, stayed, bought ...).
    segment_col : optional column; the uplift is then also given per segment.
    level : confidence level of the interval, in (0, 1).
    method : ``"newcombe"`` (hybrid Wilson score interval, Newcombe 1998 method 10; good in small samples
        and near 0 or 1) or ``"wald"`` (normal approximation).
    sort : True (default) lists the segments in sorted order; False keeps the caller's order: a categorical
        ``segment_col`` in the order of its categories (those that occur), any other column in the order of
        first appearance.

    Returns
    -------
    DataFrame with one row per segment and a last row ``"all"``: ``segment, n_treated, n_control,
    rate_treated, rate_control, uplift, ci_low, ci_high, p_value`` (two-sided pooled two-proportion z-test).

    References
    ----------
    .. [1] Newcombe, R. G. (1998), "Interval estimation for the difference between independent proportions:
       comparison of eleven methods", *Statistics in Medicine* 17, 873-890.

    Example
    -------
    >>> d = pd.DataFrame({"treated": [1] * 70 + [0] * 80, "responded": [1] * 56 + [0] * 14 + [1] * 48 + [0] * 32})
    >>> campaign_uplift(d)[["uplift", "ci_low", "ci_high"]].round(4).values.tolist()
    [[0.2, 0.0524, 0.3339]]
    >>> d["tier"] = pd.Categorical(["low", "high"] * 75, categories=["low", "high"])
    >>> campaign_uplift(d, segment_col="tier", sort=False)["segment"].tolist()
    ['low', 'high', 'all']

    Source: Analytical CRM course pack (source 1), lines 12–19 (campaign evaluation).
    """
    check_dataframe(data, name="data")
    level = check_probability(level, "level", open_low=True, open_high=True)
    check_choice(method, "method", ("newcombe", "wald"))
    if not isinstance(sort, (bool, np.bool_)):
        raise TypeError(f"sort must be True or False, got {sort!r}")
    treated = binary_column(data, treatment_col, arg="treatment_col", name="data")
    response = binary_column(data, response_col, arg="response_col", name="data").astype(float)
    if segment_col is not None:
        check_columns(data, {"segment_col": segment_col}, name="data")
        if data[segment_col].isna().any():
            raise ValueError(f"segment_col={segment_col!r} has missing values")
        keys = data[segment_col].to_numpy()
    else:
        keys = np.full(len(data), "all", dtype=object)
    frame = pd.DataFrame({"segment": keys, "t": treated, "r": response})
    frame["rt"], frame["rc"] = frame["r"] * frame["t"], frame["r"] * ~frame["t"]
    g = frame.groupby("segment", sort=True).agg(n_treated=("t", "sum"), n_all=("t", "size"), x1=("rt", "sum"),
                                                x0=("rc", "sum"))
    if segment_col is not None and not sort:
        column = data[segment_col]
        if isinstance(column.dtype, pd.CategoricalDtype):
            present = set(g.index)
            order = [c for c in column.cat.categories if c in present]
        else:
            order = list(pd.unique(keys))
        g = g.loc[order]
    if segment_col is not None:
        total = pd.DataFrame({"n_treated": [g["n_treated"].sum()], "n_all": [g["n_all"].sum()],
                              "x1": [g["x1"].sum()], "x0": [g["x0"].sum()]}, index=["all"])
        g = pd.concat([g, total])
    n1 = g["n_treated"].to_numpy(dtype=float)
    n0 = (g["n_all"] - g["n_treated"]).to_numpy(dtype=float)
    empty = (n1 == 0) | (n0 == 0)
    if empty.any():
        raise ValueError(f"segment {g.index[int(np.argmax(empty))]!r} lacks a treated or a control group "
                         f"({treatment_col!r} is constant there)")
    x1, x0 = g["x1"].to_numpy(dtype=float), g["x0"].to_numpy(dtype=float)
    lo, hi = _difference_interval(x1, n1, x0, n0, level, method)
    pooled = (x1 + x0) / (n1 + n0)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    diff = x1 / n1 - x0 / n0
    zstat = np.divide(diff, se0, out=np.zeros_like(diff), where=se0 > 0)
    return pd.DataFrame({"segment": g.index.to_numpy(dtype=object), "n_treated": n1.astype(np.int64),
                         "n_control": n0.astype(np.int64), "rate_treated": x1 / n1, "rate_control": x0 / n0,
                         "uplift": diff, "ci_low": lo, "ci_high": hi,
                         "p_value": 2 * stats.norm.sf(np.abs(zstat))})


# ------------------------------------------------------------------------------------ targeting ROI
def _per_customer(value, name: str, n: int, **bounds) -> np.ndarray:
    """A scalar broadcast to ``n`` customers, or one value per customer."""
    arr = as_float_array(value, name, **bounds)
    if len(arr) == 1 and np.ndim(value) == 0:
        return np.full(n, arr[0])
    if len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} values but scores has {n}")
    return arr


def targeting_roi(scores, *, value, uplift, offer_cost: float, rank_by: str = "score") -> pd.DataFrame:
    """Economics of sending a retention offer to the top-k customers, for every k.

    Targeting customer i is expected to save ``score_i x uplift_i x value_i``: the churn probability,
    times the share of would-be churners the offer keeps, times what keeping the customer is worth. It
    costs ``offer_cost``. Customers are taken in order of ``rank_by``: ``"score"`` (churn risk, the usual
    practice) or ``"benefit"`` (expected saving; the best possible order when the inputs are right).

    Parameters
    ----------
    scores : calibrated churn probabilities in [0, 1].
    value : value of keeping a customer (scalar or one per customer, >= 0), e.g. a CLV.
    uplift : share of would-be churners the offer saves (scalar or per customer, in [0, 1]).
    offer_cost : cost of one offer (>= 0).
    rank_by : ``"score"`` or ``"benefit"``.

    Returns
    -------
    DataFrame with one row per k = 0..n: ``k, share_targeted, expected_saved, cost, net`` (saved - cost),
    ``roi`` (net / cost; NaN at zero cost) and ``best`` (True on the k with the largest net).

    Example
    -------
    >>> t = targeting_roi([0.9, 0.5, 0.1], value=100, uplift=0.5, offer_cost=10)
    >>> t["net"].tolist(), int(t.loc[t["best"], "k"].item())
    ([0.0, 35.0, 50.0, 45.0], 2)

    Source: CRM article collection (source 3), line 547 (retention economics); Analytical CRM course pack
    (source 1), lines 12–19 (retention campaigns).
    """
    s = _scores_array(scores, low=0.0, high=1.0)
    v = _per_customer(value, "value", len(s), low=0)
    u = _per_customer(uplift, "uplift", len(s), low=0, high=1)
    cost = check_number(offer_cost, "offer_cost", low=0)
    check_choice(rank_by, "rank_by", ("score", "benefit"))
    benefit = s * u * v
    order = np.argsort(-(s if rank_by == "score" else benefit), kind="stable")
    k = np.arange(len(s) + 1)
    saved = np.concatenate([[0.0], np.cumsum(benefit[order])])
    spend = k * cost
    net = saved - spend
    roi = np.divide(net, spend, out=np.full(len(k), np.nan), where=spend > 0)
    best = np.zeros(len(k), dtype=bool)
    best[int(np.argmax(net))] = True
    return pd.DataFrame({"k": k, "share_targeted": k / len(s), "expected_saved": saved, "cost": spend, "net": net,
                         "roi": roi, "best": best})


# -------------------------------------------------------------------------------------------- plots
def plot_gains(table: pd.DataFrame, *, ax=None):
    """Cumulative gains curve of :func:`gains_table` against random targeting (the diagonal).

    Example
    -------
    >>> ax = plot_gains(gains_table([1, 0, 1, 0, 0, 0], [.9, .8, .7, .3, .2, .1], n_bins=3))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["cum_share_customers", "cum_gain"], name="table")
    ax = axes_or_new(ax)
    x = np.concatenate([[0.0], table["cum_share_customers"].to_numpy()])
    y = np.concatenate([[0.0], table["cum_gain"].to_numpy()])
    ax.plot(x, y, marker="o", ms=4, label=label("model", "模型"))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", label=label("random", "随机"))
    ax.set_xlabel(label("Share of customers targeted", "目标客户占比"))
    ax.set_ylabel(label("Share of responders captured", "捕获的响应者占比"))
    ax.set_title(label("Cumulative gains", "累计增益图"))
    ax.legend()
    return ax


def plot_lift(table: pd.DataFrame, *, ax=None):
    """Lift per bin (bars) and cumulative lift (line) of :func:`gains_table`; 1 = no better than random.

    Example
    -------
    >>> ax = plot_lift(gains_table([1, 0, 1, 0, 0, 0], [.9, .8, .7, .3, .2, .1], n_bins=3))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["bin", "lift", "cum_lift"], name="table")
    ax = axes_or_new(ax)
    ax.bar(table["bin"], table["lift"], color=PALETTE[0], label=label("lift", "提升度"))
    ax.plot(table["bin"], table["cum_lift"], color=PALETTE[1], marker="o", ms=4,
            label=label("cumulative lift", "累计提升度"))
    ax.axhline(1.0, color="grey", ls="--", lw=1)
    ax.set_xticks(table["bin"])
    ax.set_xlabel(label("Bin (1 = highest scores)", "分组(1 = 得分最高)"))
    ax.set_ylabel(label("Lift", "提升度"))
    ax.set_title(label("Lift by bin", "分组提升度"))
    ax.legend()
    return ax


def plot_cumulative_response(table: pd.DataFrame, *, ax=None):
    """Cumulative response rate of :func:`gains_table` by depth targeted, against the overall rate.

    Example
    -------
    >>> ax = plot_cumulative_response(gains_table([1, 0, 1, 0, 0, 0], [.9, .8, .7, .3, .2, .1], n_bins=3))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["cum_share_customers", "cum_response_rate"], name="table")
    ax = axes_or_new(ax)
    ax.plot(table["cum_share_customers"], table["cum_response_rate"], marker="o", ms=4,
            label=label("targeted so far", "累计目标客户"))
    ax.axhline(float(table["cum_response_rate"].iloc[-1]), color="grey", ls="--",
               label=label("overall rate", "总体响应率"))
    ax.set_ylim(bottom=0)
    ax.set_xlabel(label("Share of customers targeted", "目标客户占比"))
    ax.set_ylabel(label("Cumulative response rate", "累计响应率"))
    ax.set_title(label("Cumulative response", "累计响应率"))
    ax.legend()
    return ax


def plot_uplift(table: pd.DataFrame, *, ax=None, title: str | None = None, xlabel: str | None = None,
                percent: bool = False):
    """Uplift per segment with its interval (output of :func:`campaign_uplift`): a horizontal interval plot,
    first row at the top, with a line at zero (no effect).

    Parameters
    ----------
    table : DataFrame with columns ``segment, uplift, ci_low, ci_high`` (e.g. from :func:`campaign_uplift`);
        ``segment`` labels the rows.
    ax : Axes to draw on (default: a new figure).
    title, xlabel : title and x-axis label (default: "Campaign uplift" and a label saying what uplift means).
    percent : True draws the uplift in percentage points (x 100) instead of as a difference of shares.

    Example
    -------
    >>> d = pd.DataFrame({"treated": [1, 1, 0, 0] * 10, "responded": [1, 0, 0, 0] * 10,
    ...                   "plan": ["A"] * 20 + ["B"] * 20})
    >>> ax = plot_uplift(campaign_uplift(d, segment_col="plan"), title="By plan", percent=True)
    >>> ax.get_title(), [t.get_text() for t in ax.get_yticklabels()]
    ('By plan', ['A', 'B', 'all'])
    """
    check_dataframe(table, name="table")
    check_columns(table, ["segment", "uplift", "ci_low", "ci_high"], name="table")
    if not isinstance(percent, (bool, np.bool_)):
        raise TypeError(f"percent must be True or False, got {percent!r}")
    ax = axes_or_new(ax)
    scale = 100.0 if percent else 1.0
    ys = np.arange(len(table))[::-1]
    uplift = scale * table["uplift"].to_numpy(dtype=float)
    low, high = scale * table["ci_low"].to_numpy(dtype=float), scale * table["ci_high"].to_numpy(dtype=float)
    ax.errorbar(uplift, ys, xerr=[uplift - low, high - uplift], fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(ys, [str(s) for s in table["segment"]])
    if xlabel is None:
        xlabel = (label("Uplift (treated − control response rate, percentage points)",
                        "增量(实验组 − 对照组响应率，百分点)") if percent
                  else label("Uplift (treated − control response rate)", "增量(实验组 − 对照组响应率)"))
    ax.set_xlabel(xlabel)
    ax.set_title(label("Campaign uplift", "营销活动增量") if title is None else title)
    return ax


def plot_roi(table: pd.DataFrame, *, ax=None):
    """Expected net gain of a retention offer against the share of customers targeted (:func:`targeting_roi`).

    Example
    -------
    >>> ax = plot_roi(targeting_roi([0.6, 0.3, 0.1], value=300, uplift=0.3, offer_cost=20))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["share_targeted", "net", "best"], name="table")
    ax = axes_or_new(ax)
    ax.plot(table["share_targeted"], table["net"], color=PALETTE[0], label=label("net gain", "净收益"))
    best = table[table["best"]]
    ax.scatter(best["share_targeted"], best["net"], color=PALETTE[3], zorder=3,
               label=label("best cut-off", "最佳截断点"))
    ax.axhline(0, color="grey", lw=1)
    ax.set_xlabel(label("Share of customers targeted", "目标客户占比"))
    ax.set_ylabel(label("Expected net gain", "期望净收益"))
    ax.set_title(label("Retention offer economics", "挽留优惠的经济性"))
    ax.legend()
    return ax
