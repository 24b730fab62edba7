"""Customer satisfaction and loyalty: the satisfaction index, the expectation trade-off, the
satisfaction-loyalty curve (British Telecom shape), loyalty types and Kotler's relationship levels.

Sources: CRM article collection (source 3), lines 385–427 (satisfaction index c = b / a, the seven
indicators, managing expectations), 557–571 (five loyalty types) and 573–653 (satisfaction vs loyalty,
moderators, the British Telecom survey); CRM Q&A compilation (source 0), lines 214–215 (Kotler's five
relationship levels). The attitude x repeat grid is Dick & Basu's (1994).

References
----------
.. [1] Dick, A. S. & Basu, K. (1994), "Customer loyalty: toward an integrated conceptual framework",
   *Journal of the Academy of Marketing Science* 22(2).
.. [2] Kotler, P., *Marketing Management* (the relationship levels).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from ._arrays import as_float_array
from ._flags import binary_column
from ._plotting import axes_or_new
from ._validate import (as_generator, check_choice, check_columns, check_dataframe, check_int, check_number,
                        check_probability, numeric_column)
from .plots import label

__all__ = [
    "SATISFACTION_LEVELS", "SEVEN_INDICATORS", "LOYALTY_GRID", "LOYALTY_TYPES", "KOTLER_LEVELS",
    "satisfaction_index", "composite_satisfaction", "ExpectationTradeoff", "expectation_tradeoff",
    "rate_by_decile", "SatisfactionCurve", "fit_satisfaction_curve", "loyalty_grid", "classify_loyalty_types",
    "kotler_grid", "relationship_level_values",
    "plot_satisfaction_index", "plot_satisfaction_curve", "plot_expectation_tradeoff", "plot_loyalty_grid", "plot_relationship_levels",
]

SATISFACTION_LEVELS = ("dissatisfied", "fairly satisfied", "satisfied")

# The seven indicators of CRM article collection (source 3), lines 407–409, with the direction in which each
# signals satisfaction.
SEVEN_INDICATORS: dict[str, int] = {
    "repeat_purchases": +1,   # more repeat purchases
    "choice_time": -1,        # less time spent choosing
    "price_sensitivity": -1,  # less sensitive to price
    "retention": +1,          # retained longer
    "reputation": +1,         # speaks well of the firm
    "complaint_rate": -1,     # complains less
    "purchase_amount": +1,    # buys more
}

LOYALTY_GRID = ("loyal", "latent", "spurious", "none")
LOYALTY_TYPES = ("monopoly", "inertia", "price", "incentive", "trust")
NOT_LOYAL = "not loyal"
KOTLER_LEVELS = ("basic", "reactive", "accountable", "proactive", "partnership")


# ----------------------------------------------------------------------------------------- satisfaction
def satisfaction_index(perceived, expected, *, tolerance: float = 0.05) -> pd.DataFrame:
    """Satisfaction index c = b / a (perceived over expected) with the lecture script's three-way reading.

    Parameters
    ----------
    perceived : number or array-like
        b, the perceived experience (>= 0).
    expected : number or array-like
        a, the expectation (> 0), on the same scale; broadcast against ``perceived``.
    tolerance : float
        Half-width of the band around 1 read as "fairly satisfied": c in [1 - tolerance, 1 + tolerance].

    Returns
    -------
    DataFrame with columns ``perceived``, ``expected``, ``index`` (c) and ``status`` (ordered categorical:
    dissatisfied < fairly satisfied < satisfied).

    Example
    -------
    >>> satisfaction_index([7, 8, 9], 8)["status"].tolist()
    ['dissatisfied', 'fairly satisfied', 'satisfied']

    Source: CRM article collection (source 3), lines 385–405.
    """
    b = as_float_array(perceived, "perceived", low=0.0)
    a = as_float_array(expected, "expected", low=0.0, low_open=True)
    tol = check_number(tolerance, "tolerance", low=0.0, high=1.0, high_open=True)
    try:
        b, a = np.broadcast_arrays(b, a)
    except ValueError:
        raise ValueError(f"perceived ({b.size} values) and expected ({a.size} values) must have the same "
                         "length, or one of them a single value") from None
    c = b / a
    status = np.where(c < 1 - tol, SATISFACTION_LEVELS[0], np.where(c > 1 + tol, SATISFACTION_LEVELS[2],
                                                                     SATISFACTION_LEVELS[1]))
    return pd.DataFrame({"perceived": b, "expected": a, "index": c,
                         "status": pd.Categorical(status, categories=SATISFACTION_LEVELS, ordered=True)})


def composite_satisfaction(data: pd.DataFrame, *, indicators: Mapping[str, int] | None = None,
                           weights: Mapping[str, float] | None = None) -> pd.Series:
    """Composite satisfaction index (0-100) from the seven behavioural indicators of satisfaction.

    Each indicator is turned into its percentile rank among the customers (ties share the average rank),
    reversed where lower means more satisfied (choice time, price sensitivity, complaint rate), and the
    ranks are averaged with ``weights`` (equal by default) and scaled to 0-100.

    Parameters
    ----------
    data : DataFrame, one row per customer.
    indicators : mapping column -> direction (+1 higher is better, -1 lower is better); default
        :data:`SEVEN_INDICATORS` (all seven columns must then be present).
    weights : mapping column -> non-negative weight; default equal weights.

    Returns
    -------
    Series ``satisfaction_composite`` aligned with ``data.index``.

    Example
    -------
    >>> df = pd.DataFrame({"retention": [1, 2, 3], "complaint_rate": [0.3, 0.2, 0.1]})
    >>> composite_satisfaction(df, indicators={"retention": 1, "complaint_rate": -1}).round(1).tolist()
    [33.3, 66.7, 100.0]

    Source: CRM article collection (source 3), lines 407–409.
    """
    check_dataframe(data, name="data")
    indicators = SEVEN_INDICATORS if indicators is None else indicators
    if not isinstance(indicators, Mapping) or not indicators:
        raise TypeError("indicators must be a non-empty mapping {column: +1 or -1}")
    for col, direction in indicators.items():
        if direction not in (1, -1):
            raise ValueError(f"indicators[{col!r}] must be +1 or -1, got {direction!r}")
    check_columns(data, list(indicators), name="data")
    if weights is None:
        w = np.ones(len(indicators))
    else:
        if not isinstance(weights, Mapping):
            raise TypeError("weights must be a mapping {column: weight}")
        unknown = set(weights) - set(indicators)
        if unknown:
            raise ValueError(f"weights names columns that are not indicators: {sorted(map(str, unknown))}")
        w = np.array([check_number(weights.get(c, 0.0), f"weights[{c!r}]", low=0.0) for c in indicators])
        if w.sum() == 0:
            raise ValueError("weights must not all be zero")
    ranks = np.column_stack([
        pd.Series(numeric_column(data, col, name="data") * direction).rank(pct=True).to_numpy()
        for col, direction in indicators.items()])
    score = 100.0 * ranks @ (w / w.sum())
    return pd.Series(score, index=data.index, name="satisfaction_composite")


@dataclass(frozen=True)
class ExpectationTradeoff:
    """Result of :func:`expectation_tradeoff`: a table per promise level and the profit-maximising promise."""

    table: pd.DataFrame
    optimum_promise: float
    optimum_profit: float


def expectation_tradeoff(promises, *, quality: float = 7.0, quality_sd: float = 1.0, n_prospects: int = 10_000,
                         attraction_mid: float = 6.0, attraction_slope: float = 1.0, tolerance: float = 0.05,
                         repeats_if_satisfied: float = 3.0, repeats_if_dissatisfied: float = 0.3,
                         margin: float = 1.0, seed=None) -> ExpectationTradeoff:
    """How much to promise: more promise attracts more buyers but leaves more of them dissatisfied.

    Model (all knobs documented below): a prospect buys with probability
    ``1 / (1 + exp(-attraction_slope * (promise - attraction_mid)))``; the promise sets the expectation a;
    a buyer perceives b ~ Normal(quality, quality_sd) and is satisfied when b / a >= 1 - tolerance, i.e.
    with probability ``1 - Phi((promise * (1 - tolerance) - quality) / quality_sd)``; satisfied buyers make
    ``repeats_if_satisfied`` further purchases on average, dissatisfied ones ``repeats_if_dissatisfied``.
    Profit = margin x purchases. The optimum is found on the closed form with a bounded scalar search over
    [min(promises), max(promises)]. With ``seed`` the same world is also simulated (binomial buyers, normal
    perceptions, Poisson repeats) and the simulated columns are added.

    Returns
    -------
    :class:`ExpectationTradeoff` whose ``table`` has, per promise: ``buy_prob``, ``buyers``,
    ``satisfied_share``, ``purchases``, ``profit`` (expected) and, with a seed, ``sim_buyers``,
    ``sim_satisfied_share``, ``sim_profit``.

    Example
    -------
    >>> r = expectation_tradeoff(np.linspace(4, 10, 13))
    >>> 4 < r.optimum_promise < 10
    True

    Source: CRM article collection (source 3), lines 413–423 (promise too little: few buyers; too much: low
    satisfaction and few repeat buyers).
    """
    grid = as_float_array(promises, "promises", low=0.0, low_open=True)
    q = check_number(quality, "quality", low=0.0, low_open=True)
    sd = check_number(quality_sd, "quality_sd", low=0.0, low_open=True)
    n = check_int(n_prospects, "n_prospects", low=1)
    mid = check_number(attraction_mid, "attraction_mid")
    slope = check_number(attraction_slope, "attraction_slope", low=0.0, low_open=True)
    tol = check_number(tolerance, "tolerance", low=0.0, high=1.0, high_open=True)
    r_sat = check_number(repeats_if_satisfied, "repeats_if_satisfied", low=0.0)
    r_dis = check_number(repeats_if_dissatisfied, "repeats_if_dissatisfied", low=0.0)
    m = check_number(margin, "margin", low=0.0, low_open=True)

    def expected(p):
        buy = 1.0 / (1.0 + np.exp(-slope * (p - mid)))
        sat = stats.norm.sf((p * (1 - tol) - q) / sd)
        purchases = n * buy * (1 + r_sat * sat + r_dis * (1 - sat))
        return buy, sat, purchases, m * purchases

    buy, sat, purchases, profit = expected(grid)
    table = pd.DataFrame({"promise": grid, "buy_prob": buy, "buyers": n * buy, "satisfied_share": sat,
                          "purchases": purchases, "profit": profit})
    if seed is not None:
        rng = as_generator(seed)
        sim_buyers = rng.binomial(n, buy)
        sim_sat = np.empty(grid.size)
        sim_purchases = np.empty(grid.size)
        for i, (p, k) in enumerate(zip(grid, sim_buyers)):  # loop over promise levels, not customers
            satisfied = rng.normal(q, sd, size=k) >= p * (1 - tol)
            repeats = rng.poisson(np.where(satisfied, r_sat, r_dis))
            sim_sat[i] = satisfied.mean() if k else np.nan
            sim_purchases[i] = k + repeats.sum()
        table["sim_buyers"] = sim_buyers
        table["sim_satisfied_share"] = sim_sat
        table["sim_profit"] = m * sim_purchases
    if grid.size == 1:
        best = float(grid[0])
    else:
        res = optimize.minimize_scalar(lambda p: -expected(p)[3], bounds=(grid.min(), grid.max()),
                                       method="bounded", options={"xatol": 1e-6})
        best = float(res.x)
    return ExpectationTradeoff(table, best, float(expected(best)[3]))


# ------------------------------------------------------------------------------ satisfaction -> loyalty
def rate_by_decile(data: pd.DataFrame, satisfaction_col: str, outcome_col: str, *, bins: int = 10) -> pd.DataFrame:
    """Outcome rate (e.g. churn or loyalty) by quantile bin of satisfaction.

    Returns a DataFrame with one row per bin: ``bin`` (1 = least satisfied), ``satisfaction_mean``,
    ``rate`` and ``n``. Ties at bin edges go to the lower bin (pandas.qcut with duplicate edges dropped).

    Example
    -------
    >>> df = pd.DataFrame({"sat": np.arange(10.0), "churn": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]})
    >>> rate_by_decile(df, "sat", "churn", bins=2)["rate"].tolist()
    [0.6, 0.0]

    Source: CRM article collection (source 3), line 653 (British Telecom survey).
    """
    check_dataframe(data, name="data")
    check_columns(data, {"satisfaction_col": satisfaction_col, "outcome_col": outcome_col}, name="data")
    bins = check_int(bins, "bins", low=2)
    s = numeric_column(data, satisfaction_col, name="data")
    y = binary_column(data, outcome_col, arg="outcome_col").astype("float64")
    codes = pd.qcut(s, bins, labels=False, duplicates="drop")
    out = (pd.DataFrame({"bin": codes + 1, "s": s, "y": y}).groupby("bin")
           .agg(satisfaction_mean=("s", "mean"), rate=("y", "mean"), n=("y", "size")).reset_index())
    return out


CURVE_SHAPES = ("hinge", "step")


def _curve_basis(s: np.ndarray, knots: tuple[float, float], mods: np.ndarray, shape: str) -> np.ndarray:
    if shape == "hinge":
        cols = [s, np.maximum(s - knots[0], 0.0), np.maximum(s - knots[1], 0.0)]
    else:
        cols = [(s > knots[0]).astype(float), (s > knots[1]).astype(float)]
    for j in range(mods.shape[1]):
        cols += [mods[:, j], mods[:, j] * s]
    return np.column_stack(cols)


def _fit_logit(X: np.ndarray, y: np.ndarray, *, quiet: bool = False) -> tuple[LogisticRegression, float]:
    """Unpenalised logistic fit and its log-likelihood. ``quiet`` silences solver warnings for the
    candidate fits of a grid search (ill-conditioned candidates just score badly); the chosen fit is
    refitted without it so that a problem with the final model is reported."""
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore", LinAlgWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=200).fit(X, y)
    p = np.clip(model.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    return model, float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))


@dataclass(frozen=True)
class SatisfactionCurve:
    """A fitted two-threshold logistic curve of an outcome on satisfaction (see :func:`fit_satisfaction_curve`).

    ``thresholds`` are the two change points. ``segments`` describes the three segments below, between and
    above them (moderators at 0): for ``shape="hinge"`` the slopes of the log-odds, for ``shape="step"``
    the log-odds levels. ``moderator_effects`` maps each moderator to its (shift, slope change)
    coefficients; ``log_likelihood`` is that of the fit.
    """

    shape: str
    thresholds: tuple[float, float]
    segments: tuple[float, float, float]
    intercept: float
    moderator_effects: dict[str, tuple[float, float]]
    log_likelihood: float
    satisfaction_col: str
    outcome_col: str
    model: LogisticRegression

    def predict(self, satisfaction, **moderators: float) -> np.ndarray:
        """Probability of the outcome at each satisfaction value, moderators held at the given values (default 0)."""
        s = as_float_array(satisfaction, "satisfaction")
        unknown = set(moderators) - set(self.moderator_effects)
        if unknown:
            raise ValueError(f"unknown moderator(s) {sorted(unknown)}; the curve was fitted with "
                             f"{list(self.moderator_effects)}")
        mods = np.column_stack([np.full(s.size, check_number(moderators.get(k, 0.0), k))
                                for k in self.moderator_effects]) if self.moderator_effects else np.empty((s.size, 0))
        return self.model.predict_proba(_curve_basis(s, self.thresholds, mods, self.shape))[:, 1]


def fit_satisfaction_curve(data: pd.DataFrame, satisfaction_col: str, outcome_col: str, *,
                           moderators: Sequence[str] = (), shape: str = "hinge", grid_size: int = 10,
                           min_share: float = 0.03) -> SatisfactionCurve:
    """Fit the satisfaction -> loyalty (or churn) curve with two estimated thresholds (British Telecom shape).

    The log-odds of the binary outcome are piecewise linear in satisfaction s with hinges at k1 < k2:
    ``b0 + b1 s + b2 (s - k1)+ + b3 (s - k2)+``, plus for each moderator m a shift and a slope change
    ``g m + h m s``. With ``shape="step"`` the log-odds are instead constant within each segment
    (``b0 + b1 [s > k1] + b2 [s > k2]``), for worlds where loyalty jumps at the thresholds. The
    coefficients are fitted by unpenalised logistic regression (scikit-learn); the
    thresholds by profile likelihood, first on a ``grid_size`` x ``grid_size`` grid of satisfaction
    quantiles, then twice on a 5 x 5 grid around the best pair, halving the spacing each time. The BT
    survey (CRM article collection (source 3), line 653) predicts a steep bottom segment, a flat middle
    and a steep top.

    Parameters
    ----------
    data : DataFrame with the satisfaction, outcome (0/1) and moderator columns.
    satisfaction_col, outcome_col : column names.
    moderators : names of numeric moderator columns (competition, switching cost, rewards, quality
        sensitivity - CRM article collection (source 3), lines 593–599); centre them if the baseline
        curve should be "at the mean".
    grid_size : number of candidate positions per threshold on the coarse grid.
    min_share : smallest share of customers that must lie below k1, between the thresholds and above k2.

    Example
    -------
    >>> rng = np.random.default_rng(0); s = rng.uniform(0, 10, 5000)
    >>> logit = -3 + 1.2 * s - 1.15 * np.maximum(s - 2.5, 0) + 1.15 * np.maximum(s - 7.5, 0)
    >>> df = pd.DataFrame({"sat": s, "loyal": rng.random(5000) < 1 / (1 + np.exp(-logit))})
    >>> k1, k2 = fit_satisfaction_curve(df, "sat", "loyal").thresholds
    >>> bool(1.5 < k1 < 3.5 and 6.5 < k2 < 8.5)
    True

    Source: CRM article collection (source 3), lines 589–599 and 653.
    """
    check_dataframe(data, name="data")
    if isinstance(moderators, str):
        moderators = (moderators,)
    moderators = tuple(moderators)
    check_columns(data, {"satisfaction_col": satisfaction_col, "outcome_col": outcome_col}, name="data")
    check_columns(data, {f"moderators[{i}]": m for i, m in enumerate(moderators)}, name="data")
    check_choice(shape, "shape", CURVE_SHAPES)
    grid_size = check_int(grid_size, "grid_size", low=3)
    min_share = check_number(min_share, "min_share", low=0.0, high=0.3, low_open=True)
    s = numeric_column(data, satisfaction_col, name="data")
    y = binary_column(data, outcome_col, arg="outcome_col").astype("float64")
    if y.min() == y.max():
        raise ValueError(f"column {outcome_col!r} of data has only one value; both outcomes are needed")
    mods = np.column_stack([numeric_column(data, m, name="data") for m in moderators]) if moderators \
        else np.empty((s.size, 0))
    lo, hi = np.quantile(s, [min_share, 1 - min_share])
    if not lo < hi:
        raise ValueError(f"column {satisfaction_col!r} of data has too few distinct values to place thresholds")

    def search(cands1, cands2):
        best = None
        for k1 in np.unique(cands1):
            for k2 in np.unique(cands2):
                share_mid = np.mean((s > k1) & (s <= k2))
                if k2 <= k1 or share_mid < min_share:
                    continue
                ll = _fit_logit(_curve_basis(s, (k1, k2), mods, shape), y, quiet=True)[1]
                if best is None or ll > best[0]:
                    best = (ll, (float(k1), float(k2)))
        return best

    coarse = np.quantile(s, np.linspace(min_share, 1 - min_share, grid_size))
    best = search(coarse, coarse)
    if best is None:
        raise ValueError(f"column {satisfaction_col!r} of data has too few distinct values to place two "
                         f"thresholds with min_share={min_share}")
    step = (hi - lo) / (grid_size - 1)
    for _ in range(2):                                   # two refinements, each halving the resolution
        cands = [np.clip(np.linspace(k - step, k + step, 5), lo, hi) for k in best[1]]
        best = search(*cands) or best
        step /= 2
    knots = best[1]
    model, ll = _fit_logit(_curve_basis(s, knots, mods, shape), y)
    b, b0 = model.coef_[0], float(model.intercept_[0])
    first = 3 if shape == "hinge" else 2
    effects = {m: (float(b[first + 2 * j]), float(b[first + 1 + 2 * j])) for j, m in enumerate(moderators)}
    if shape == "hinge":   # slopes of the log-odds in each segment
        segments = (float(b[0]), float(b[0] + b[1]), float(b[0] + b[1] + b[2]))
    else:                  # levels of the log-odds in each segment
        segments = (b0, float(b0 + b[0]), float(b0 + b[0] + b[1]))
    return SatisfactionCurve(shape, knots, segments, b0, effects, ll, satisfaction_col, outcome_col, model)


# ------------------------------------------------------------------------------------------ loyalty types
def loyalty_grid(attitude, repeat, *, attitude_cut: float = 0.5, repeat_cut: float = 0.5) -> pd.Series:
    """The attitude x repeat-purchase grid: loyal, latent, spurious or no loyalty.

    High attitude and high repeat = ``loyal``; high attitude, low repeat = ``latent``; low attitude, high
    repeat = ``spurious`` (the "low attachment, high repeat" of monopoly, inertia, price and incentive
    loyalty); low and low = ``none``. A value equal to a cut counts as high.

    References
    ----------
    .. [1] Dick, A. S. & Basu, K. (1994), "Customer loyalty: toward an integrated conceptual framework",
       *Journal of the Academy of Marketing Science* 22(2).

    Example
    -------
    >>> loyalty_grid([0.9, 0.9, 0.1, 0.1], [0.9, 0.1, 0.9, 0.1]).tolist()
    ['loyal', 'latent', 'spurious', 'none']

    Source: CRM article collection (source 3), lines 557–571.
    """
    att = as_float_array(attitude, "attitude")
    rep = as_float_array(repeat, "repeat")
    if att.size != rep.size:
        raise ValueError(f"attitude ({att.size} values) and repeat ({rep.size} values) must have the same length")
    a_hi = att >= check_number(attitude_cut, "attitude_cut")
    r_hi = rep >= check_number(repeat_cut, "repeat_cut")
    cell = np.select([a_hi & r_hi, a_hi, r_hi], LOYALTY_GRID[:3], LOYALTY_GRID[3])
    return pd.Series(pd.Categorical(cell, categories=LOYALTY_GRID), name="loyalty_grid")


def classify_loyalty_types(data: pd.DataFrame, *, attitude_col: str = "attitude", repeat_col: str = "repeat",
                           alternatives_col: str = "alternatives", price_col: str = "price_sensitivity",
                           reward_col: str = "reward_dependence", attitude_cut: float = 0.5,
                           repeat_cut: float = 0.5, price_cut: float = 0.5, reward_cut: float = 0.5) -> pd.Series:
    """Classify customers into the five loyalty types (monopoly, inertia, price, incentive, trust) or ``not loyal``.

    Rules, in order: repeat below ``repeat_cut`` -> ``not loyal``; attitude (attachment) at or above
    ``attitude_cut`` -> ``trust``; no alternative supplier available -> ``monopoly``; reward dependence
    (e.g. the share of purchases made with points, vouchers or promotions) at or above ``reward_cut`` ->
    ``incentive``; price sensitivity at or above ``price_cut`` -> ``price``; otherwise ``inertia`` (stays
    though alternatives exist, without attachment, price or reward motive).

    Parameters
    ----------
    data : DataFrame, one row per customer. Attitude, repeat, price sensitivity and reward dependence
        are scores on a 0-1 scale (the cuts default to 0.5); ``alternatives`` counts the alternative
        suppliers the customer could use.

    Returns
    -------
    Categorical Series (categories :data:`LOYALTY_TYPES` + ``not loyal``) aligned with ``data.index``.

    Example
    -------
    >>> df = pd.DataFrame({"attitude": [.9, .2, .2, .2, .2, .2], "repeat": [.9, .9, .9, .9, .9, .1],
    ...                    "alternatives": [3, 0, 3, 3, 3, 3], "price_sensitivity": [.2, .2, .2, .8, .2, .2],
    ...                    "reward_dependence": [.1, .1, .8, .1, .1, .1]})
    >>> classify_loyalty_types(df).tolist()
    ['trust', 'monopoly', 'incentive', 'price', 'inertia', 'not loyal']

    Source: CRM article collection (source 3), lines 557–571 (types), 593–599 (moderators).
    """
    check_dataframe(data, name="data")
    cols = {"attitude_col": attitude_col, "repeat_col": repeat_col, "alternatives_col": alternatives_col,
            "price_col": price_col, "reward_col": reward_col}
    check_columns(data, cols, name="data")
    att = numeric_column(data, attitude_col, name="data")
    rep = numeric_column(data, repeat_col, name="data")
    alt = numeric_column(data, alternatives_col, name="data", allow_negative=False)
    price = numeric_column(data, price_col, name="data")
    reward = numeric_column(data, reward_col, name="data")
    cuts = [check_number(v, n) for v, n in ((attitude_cut, "attitude_cut"), (repeat_cut, "repeat_cut"),
                                             (price_cut, "price_cut"), (reward_cut, "reward_cut"))]
    label_ = np.select([rep < cuts[1], att >= cuts[0], alt == 0, reward >= cuts[3], price >= cuts[2]],
                       [NOT_LOYAL, "trust", "monopoly", "incentive", "price"], "inertia")
    return pd.Series(pd.Categorical(label_, categories=LOYALTY_TYPES + (NOT_LOYAL,)), index=data.index,
                     name="loyalty_type")


# ----------------------------------------------------------------------------------- Kotler's levels
_KOTLER_TABLE = {  # (number of customers, margin) -> level; Kotler, Marketing Management (relationship levels)
    ("many", "low"): "basic", ("many", "medium"): "reactive", ("many", "high"): "accountable",
    ("medium", "low"): "reactive", ("medium", "medium"): "accountable", ("medium", "high"): "proactive",
    ("few", "low"): "accountable", ("few", "medium"): "proactive", ("few", "high"): "partnership",
}


def kotler_grid(n_customers: str, margin: str) -> str:
    """Kotler's rule of thumb: relationship level by number of customers and unit margin.

    Many customers with low margins -> ``basic``; few customers with high margins -> ``partnership``;
    the levels in between step along the diagonal.

    References
    ----------
    .. [1] Kotler, P., *Marketing Management* (the full 3 x 3 table).

    Example
    -------
    >>> kotler_grid("few", "high")
    'partnership'

    Source: CRM Q&A compilation (source 0), lines 214–215 (customer relationship strategy, point 3) and
    249–251 (the partnership relation, most stable with few customers and high margins).
    """
    check_choice(n_customers, "n_customers", ("many", "medium", "few"))
    check_choice(margin, "margin", ("low", "medium", "high"))
    return _KOTLER_TABLE[(n_customers, margin)]


DEFAULT_LEVEL_COSTS = (0.0, 2.0, 6.0, 15.0, 40.0)
DEFAULT_LEVEL_RETENTION_GAINS = (0.0, 0.03, 0.08, 0.13, 0.18)


def relationship_level_values(margin, *, base_retention: float = 0.6, discount: float = 0.1,
                              acquisition_cost: float = 0.0, level_costs: Sequence[float] = DEFAULT_LEVEL_COSTS,
                              retention_gains: Sequence[float] = DEFAULT_LEVEL_RETENTION_GAINS) -> pd.DataFrame:
    """Net lifetime value of a customer under each of Kotler's five relationship levels; pick the best.

    A level k costs ``level_costs[k]`` per customer per period and raises retention to
    ``min(base_retention + retention_gains[k], 0.99)``. With the margin received at the start of each
    period while the customer stays, the lifetime value is
    ``(margin - cost_k) * (1 + discount) / (1 + discount - retention_k) - acquisition_cost``.
    The best level is the one with the highest value: low margins favour ``basic``, high ones ``partnership``.

    Returns
    -------
    DataFrame indexed by margin, one column of net value per level, plus ``best`` (the chosen level) and
    ``worth_acquiring`` (whether the best level's value covers the cost of attracting the customer).

    Example
    -------
    >>> relationship_level_values([5, 500])["best"].tolist()
    ['basic', 'partnership']

    Source: CRM Q&A compilation (source 0), lines 214–215 ("choose by lifetime value against the cost of
    attracting and retaining").
    """
    m = as_float_array(margin, "margin")
    r0 = check_probability(base_retention, "base_retention")
    d = check_number(discount, "discount", low=0.0)
    acq = check_number(acquisition_cost, "acquisition_cost", low=0.0)
    costs = as_float_array(level_costs, "level_costs", low=0.0)
    gains = as_float_array(retention_gains, "retention_gains", low=0.0)
    for arr, nm in ((costs, "level_costs"), (gains, "retention_gains")):
        if arr.size != len(KOTLER_LEVELS):
            raise ValueError(f"{nm} must have one value per level ({len(KOTLER_LEVELS)}), got {arr.size}")
    r = np.minimum(r0 + gains, 0.99)
    values = (m[:, None] - costs[None, :]) * (1 + d) / (1 + d - r[None, :]) - acq
    out = pd.DataFrame(values, index=pd.Index(m, name="margin"), columns=list(KOTLER_LEVELS))
    out["best"] = np.asarray(KOTLER_LEVELS)[values.argmax(axis=1)]
    out["worth_acquiring"] = values.max(axis=1) > 0
    return out


# --------------------------------------------------------------------------------------------- plots
def plot_satisfaction_index(table: pd.DataFrame, *, tolerance: float = 0.05, bins: int = 30, ax=None):
    """Histogram of the satisfaction index c = b / a with the "fairly satisfied" band shaded.

    ``table`` is the output of :func:`satisfaction_index`; the bars are stacked by status.

    Example
    -------
    >>> ax = plot_satisfaction_index(satisfaction_index(np.linspace(5, 11, 50), 8.0))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["index", "status"], name="table")
    tol = check_number(tolerance, "tolerance", low=0.0, high=1.0, high_open=True)
    bins = check_int(bins, "bins", low=1)
    c = numeric_column(table, "index", name="table")
    status = table["status"].astype(str).to_numpy()
    edges = np.histogram_bin_edges(c, bins=bins)
    zh = {"dissatisfied": "不满意", "fairly satisfied": "比较满意", "satisfied": "满意"}
    ax = axes_or_new(ax)
    ax.hist([c[status == k] for k in SATISFACTION_LEVELS], bins=edges, stacked=True,
            label=[label(k, zh[k]) for k in SATISFACTION_LEVELS])
    ax.axvspan(1 - tol, 1 + tol, color="grey", alpha=0.2)
    ax.axvline(1.0, color="grey", lw=1)
    ax.set_xlabel(label("satisfaction index c = b / a", "满意度 c = b / a"))
    ax.set_ylabel(label("customers", "客户数"))
    ax.set_title(label("Perceived versus expected", "感知与期望"))
    ax.legend()
    return ax


def plot_satisfaction_curve(data: pd.DataFrame, curve: SatisfactionCurve, *, moderator_values=None,
                            bins: int = 10, ax=None):
    """Observed outcome rate by satisfaction decile, the fitted curve and its two thresholds.

    ``moderator_values`` is an optional mapping {moderator: [values]} drawing one extra curve per value.

    Example: ``plot_satisfaction_curve(df, fit_satisfaction_curve(df, "sat", "loyal", moderators=["switch"]),
    moderator_values={"switch": [-1, 1]})``.
    """
    if not isinstance(curve, SatisfactionCurve):
        raise TypeError(f"curve must be a SatisfactionCurve, got {type(curve).__name__}")
    table = rate_by_decile(data, curve.satisfaction_col, curve.outcome_col, bins=bins)
    ax = axes_or_new(ax)
    s = numeric_column(data, curve.satisfaction_col, name="data")
    xs = np.linspace(s.min(), s.max(), 200)
    ax.scatter(table["satisfaction_mean"], table["rate"], color="black", zorder=3,
               label=label("observed (by decile)", "实际(按十分位)"))
    ax.plot(xs, curve.predict(xs), lw=2, label=label("fitted curve", "拟合曲线"))
    for name, vals in (moderator_values or {}).items():
        for v in vals:
            ax.plot(xs, curve.predict(xs, **{name: v}), lw=1.2, ls="--", label=f"{name} = {v:g}")
    for k in curve.thresholds:
        ax.axvline(k, color="grey", ls=":", lw=1)
    ax.set_xlabel(label("satisfaction", "满意度"))
    ax.set_ylabel(label(f"share {curve.outcome_col}", f"{curve.outcome_col} 比例"))
    ax.set_title(label("Satisfaction and loyalty", "满意度与忠诚度"))
    ax.legend()
    return ax


def plot_expectation_tradeoff(result: ExpectationTradeoff, *, ax=None):
    """Buyers, satisfied share and profit against the promise, with the optimum marked.

    Example
    -------
    >>> ax = plot_expectation_tradeoff(expectation_tradeoff(np.linspace(4, 10, 25)))
    """
    if not isinstance(result, ExpectationTradeoff):
        raise TypeError(f"result must be an ExpectationTradeoff, got {type(result).__name__}")
    t = result.table
    ax = axes_or_new(ax)
    ax.plot(t["promise"], t["buyers"] / t["buyers"].max(), label=label("buyers (scaled)", "购买人数(标准化)"))
    ax.plot(t["promise"], t["satisfied_share"], label=label("satisfied share", "满意比例"))
    ax.plot(t["promise"], t["profit"] / t["profit"].max(), lw=2, label=label("profit (scaled)", "利润(标准化)"))
    ax.axvline(result.optimum_promise, color="grey", ls=":", label=label("optimum", "最优承诺"))
    ax.set_xlabel(label("promised quality (expectation)", "承诺水平(期望值)"))
    ax.set_ylabel(label("share / scaled value", "比例 / 标准化值"))
    ax.set_title(label("Promise too little or too much", "期望值的管理"))
    ax.legend()
    return ax


def plot_loyalty_grid(attitude, repeat, *, types=None, attitude_cut: float = 0.5, repeat_cut: float = 0.5, ax=None):
    """Scatter of attitude against repeat purchase with the grid cuts; coloured by ``types`` when given.

    Example
    -------
    >>> ax = plot_loyalty_grid([0.2, 0.8], [0.9, 0.7])
    """
    att = as_float_array(attitude, "attitude")
    rep = as_float_array(repeat, "repeat")
    if att.size != rep.size:
        raise ValueError("attitude and repeat must have the same length")
    ax = axes_or_new(ax)
    if types is None:
        ax.scatter(att, rep, s=8, alpha=0.6)
    else:
        kinds = pd.Series(np.asarray(types)).astype("string")
        if len(kinds) != att.size:
            raise ValueError("types must have one label per customer")
        for kind in pd.unique(kinds):
            sel = (kinds == kind).to_numpy()
            ax.scatter(att[sel], rep[sel], s=8, alpha=0.6, label=str(kind))
        ax.legend(markerscale=2)
    ax.axvline(attitude_cut, color="grey", lw=1)
    ax.axhline(repeat_cut, color="grey", lw=1)
    ax.set_xlabel(label("attitude (attachment)", "态度(依恋)"))
    ax.set_ylabel(label("repeat purchase", "重复购买"))
    ax.set_title(label("Attitude x repeat purchase", "态度 × 重复购买"))
    return ax


def plot_relationship_levels(values: pd.DataFrame, *, ax=None):
    """Net lifetime value of each Kotler level against margin (output of :func:`relationship_level_values`).

    Example
    -------
    >>> ax = plot_relationship_levels(relationship_level_values(np.linspace(1, 300, 50)))
    """
    check_dataframe(values, name="values")
    check_columns(values, list(KOTLER_LEVELS), name="values")
    ax = axes_or_new(ax)
    for level in KOTLER_LEVELS:
        ax.plot(values.index.to_numpy(dtype=float), values[level].to_numpy(dtype=float), label=level)
    ax.axhline(0, color="grey", lw=1)
    ax.set_xlabel(label("margin per customer per period", "每期每位客户毛利"))
    ax.set_ylabel(label("net lifetime value", "净终身价值"))
    ax.set_title(label("Kotler's relationship levels", "科特勒的五种关系水平"))
    ax.legend()
    return ax
