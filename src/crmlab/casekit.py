"""Small pieces the case notebooks share: value tiers, a per-tier summary, its chart, truth-vs-found tables.

The case notebooks sort customers into tiers (ABC classes by sales, the customer pyramid by profit) and
then ask the same questions of every tier - how many customers, what share of the value - and end by
setting what their analysis found beside the truth planted in the synthetic world. Those steps live here
once, so that each notebook stays a thin narrative.

Sources: the customer pyramid (platinum, gold, iron, lead) of Zeithaml, Rust & Lemon (2001); the
distributor's ABC tiers of the CRM Q&A compilation (source 0), lines 57–61.

References
----------
.. [1] Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001), "The customer pyramid: creating and serving
   profitable customers", *California Management Review* 43(4), 118-142.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._plotting import axes_or_new
from ._validate import check_columns, check_dataframe, check_fraction_cutoffs
from .plots import label

__all__ = ["PYRAMID_TIERS", "profit_pyramid", "tier_table", "plot_tier_shares", "truth_vs_found"]

#: Tier names of the customer pyramid, most profitable first (Zeithaml, Rust & Lemon 2001).
PYRAMID_TIERS = ("platinum", "gold", "iron", "lead")


def profit_pyramid(profit: pd.Series, *, shares: Sequence[float] = (0.10, 0.20),
                   labels: Sequence[str] = PYRAMID_TIERS) -> pd.Series:
    """Customer-pyramid tier of each customer from its profit.

    Loss-making customers (profit < 0) form the bottom tier ("lead"). The others are ranked by profit
    among *all* customers: the top ``shares[0]`` of all customers (rounded to whole customers) are the
    first tier ("platinum"), the next ``shares[1]`` the second ("gold"), and the remaining profitable ones
    the third ("iron"). Ties keep their input order.

    Parameters
    ----------
    profit : Series
        Profit per customer (may be negative), index = customer id.
    shares : pair of float
        Shares of all customers in the two top tiers; their sum must stay below 1.
    labels : four str
        Tier names, top first; the last one is the loss-making tier.

    Returns
    -------
    Series of an ordered categorical (categories = ``labels``), indexed like ``profit``, named ``tier``.

    References
    ----------
    .. [1] Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001), "The customer pyramid: creating and serving
       profitable customers", *California Management Review* 43(4).

    Example
    -------
    >>> profit_pyramid(pd.Series([50.0, -5, 20, 10, 8, 7, 6, 5, 4, 3])).tolist()[:4]
    ['platinum', 'lead', 'gold', 'gold']
    """
    if not isinstance(profit, pd.Series):
        raise TypeError(f"profit must be a pandas Series of profit per customer, got {type(profit).__name__}")
    if len(profit) == 0:
        raise ValueError("profit is empty: expected at least one customer")
    if len(shares) != 2:
        raise ValueError(f"shares must be two shares (top tier, second tier), got {shares!r}")
    top, second = check_fraction_cutoffs((shares[0], shares[0] + shares[1]), "shares (cumulative)")
    labels = list(labels)
    if len(labels) != 4 or len(set(labels)) != 4:
        raise ValueError(f"labels must be four distinct tier names, top first, got {labels!r}")
    values = _numeric_values(profit, "profit")
    n = values.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-values, kind="stable")] = np.arange(n)
    code = np.where(rank < round(top * n), 0, np.where(rank < round(second * n), 1, 2))
    code = np.where(values < 0, 3, code)
    return pd.Series(pd.Categorical.from_codes(code, categories=labels, ordered=True), index=profit.index,
                     name="tier")


def _numeric_values(s: pd.Series, name: str) -> np.ndarray:
    """The values of a numeric Series as float64; refuses text, booleans, NaN and infinities (naming ``name``)."""
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise TypeError(f"{name} must be numeric, got dtype {s.dtype}")
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    if not np.isfinite(v).all():
        raise ValueError(f"{name} has {int((~np.isfinite(v)).sum())} missing or infinite value(s)")
    return v


def tier_table(frame: pd.DataFrame, tier: str | pd.Series, *, value_cols: Sequence[str] = ()) -> pd.DataFrame:
    """One row per tier: customers, share of customers and, per value column, total, share of total and mean.

    Parameters
    ----------
    frame : DataFrame
        One row per customer.
    tier : str or Series
        The tier column of ``frame``, or a Series of tiers aligned with ``frame``'s index. A categorical
        keeps its category order (empty tiers are shown with zeros); otherwise tiers are sorted.
    value_cols : sequence of str
        Numeric columns to sum per tier (sales, profit, ...). Shares are of the column's total over all
        customers, so a loss-making tier has a negative profit share.

    Returns
    -------
    DataFrame indexed by tier with ``customers``, ``customer_share`` and, for each value column ``v``,
    ``v`` (sum), ``v_share`` and ``v_per_customer``; a final row ``total``.

    Example
    -------
    >>> f = pd.DataFrame({"cls": ["A", "B", "B"], "sales": [8.0, 1.0, 1.0]})
    >>> tier_table(f, "cls", value_cols=["sales"])["sales_share"].tolist()
    [0.8, 0.2, 1.0]

    Source: CRM Q&A compilation (source 0), lines 57–61 (manage each class by its share of customers and
    sales).
    """
    check_dataframe(frame, name="frame")
    if isinstance(tier, str):
        check_columns(frame, {"tier": tier}, name="frame")
        tiers = frame[tier]
    elif isinstance(tier, pd.Series):
        if not tier.index.equals(frame.index):
            raise ValueError("tier must be indexed like frame (one tier per row of frame)")
        tiers = tier
    else:
        raise TypeError(f"tier must be a column name or a pandas Series, got {type(tier).__name__}")
    if tiers.isna().any():
        raise ValueError(f"tier has {int(tiers.isna().sum())} missing value(s)")
    value_cols = list(value_cols)
    check_columns(frame, value_cols, name="frame")
    data = {c: _numeric_values(frame[c], f"column {c!r} of frame") for c in value_cols}
    key = pd.Series(tiers.to_numpy(), name="tier")
    counts = key.value_counts(sort=False)
    order = list(tiers.cat.categories) if isinstance(tiers.dtype, pd.CategoricalDtype) else sorted(counts.index)
    out = pd.DataFrame(index=pd.Index(order, name="tier"))
    out["customers"] = counts.reindex(order, fill_value=0).astype("int64")
    n = len(frame)
    out["customer_share"] = out["customers"] / n
    for c, v in data.items():
        sums = pd.Series(v).groupby(key.to_numpy()).sum().reindex(order, fill_value=0.0)
        total = float(v.sum())
        out[c] = sums.to_numpy()
        out[f"{c}_share"] = sums.to_numpy() / total if total != 0 else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{c}_per_customer"] = np.where(out["customers"] > 0, out[c] / out["customers"], np.nan)
    total_row = {"customers": n, "customer_share": 1.0}
    for c, v in data.items():
        total_row.update({c: float(v.sum()), f"{c}_share": 1.0 if float(v.sum()) != 0 else np.nan,
                          f"{c}_per_customer": float(v.mean())})
    out.loc["total"] = pd.Series(total_row)
    out["customers"] = out["customers"].astype("int64")
    return out


def plot_tier_shares(table: pd.DataFrame, value_col: str, *, value_label: tuple[str, str] | None = None,
                     ax: Axes | None = None) -> Axes:
    """Paired bars per tier: its share of customers beside its share of ``value_col`` (in %).

    The chart that shows concentration at a glance: a few customers in the top tier hold most of the value,
    and a loss-making tier's share of profit is drawn below zero.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`tier_table` (the ``total`` row is left out of the chart).
    value_col : str
        A value column given to :func:`tier_table`.
    value_label : (en, zh) pair, optional
        Legend text for the value bars; default "Share of <value_col>".

    References
    ----------
    .. [1] Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001), "The customer pyramid: creating and serving
       profitable customers", *California Management Review* 43(4).

    Example
    -------
    >>> f = pd.DataFrame({"cls": ["A", "B", "B"], "sales": [8.0, 1.0, 1.0]})
    >>> ax = plot_tier_shares(tier_table(f, "cls", value_cols=["sales"]), "sales")

    Source: CRM Q&A compilation (source 0), lines 57–61.
    """
    check_dataframe(table, name="table")
    check_columns(table, ["customer_share", f"{value_col}_share"], name="table")
    rows = table.drop(index="total", errors="ignore")
    x = np.arange(len(rows))
    ax = axes_or_new(ax)
    en, zh = value_label or (f"Share of {value_col}", f"{value_col} 占比")
    cust = rows["customer_share"].to_numpy(dtype=float) * 100
    val = rows[f"{value_col}_share"].to_numpy(dtype=float) * 100
    ax.bar(x - 0.2, cust, width=0.4, color="C7", label=label("Share of customers", "客户数占比"))
    ax.bar(x + 0.2, val, width=0.4, color="C0", label=label(en, zh))
    for xi, c, v in zip(x, cust, val):
        ax.annotate(f"{c:.0f}%", (xi - 0.2, c), ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                    textcoords="offset points")
        ax.annotate(f"{v:.0f}%", (xi + 0.2, v), ha="center", va="bottom" if v >= 0 else "top", fontsize=8,
                    xytext=(0, 2 if v >= 0 else -2), textcoords="offset points")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(x, [str(t) for t in rows.index])
    ax.set_ylabel(label("Share (%)", "占比 (%)"))
    ax.legend(loc="upper right")
    return ax


def truth_vs_found(rows: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """Set each planted quantity beside what the analysis found: ``{name: (planted, found)}``.

    Returns a DataFrame indexed by name with ``planted``, ``found``, ``difference`` (found - planted) and
    ``relative`` (difference / |planted|, NaN when planted is 0).

    References
    ----------
    .. [1] scikit-learn's ``make_*`` convention of returning the ground truth beside the data.

    Example
    -------
    >>> truth_vs_found({"cost per pickup": (30.0, 29.4)})["relative"].round(3).tolist()
    [-0.02]
    """
    if not isinstance(rows, Mapping) or not rows:
        raise TypeError("rows must be a non-empty mapping {name: (planted, found)}")
    planted, found = [], []
    for name, pair in rows.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"rows[{name!r}] must be a pair (planted, found), got {pair!r}")
        for what, v in zip(("planted", "found"), pair):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not np.isfinite(float(v)):
                raise ValueError(f"rows[{name!r}]: the {what} value must be a finite number, got {v!r}")
        planted.append(float(pair[0]))
        found.append(float(pair[1]))
    p, f = np.array(planted), np.array(found)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(p != 0, (f - p) / np.abs(p), np.nan)
    return pd.DataFrame({"planted": p, "found": f, "difference": f - p, "relative": rel},
                        index=pd.Index(list(rows), name="quantity"))


# ------------------------------------------------------------------ reliability of group means (haidilao, SIA)
__all__ += ["group_mean_reliability", "disattenuate"]


def group_mean_reliability(frame: pd.DataFrame, value_col: str, group_col: str) -> pd.Series:
    """How reliable are group means of a survey score? One-way ANOVA intraclass correlations.

    A store's (or crew team's) satisfaction is estimated by averaging its respondents, and a mean of a few
    noisy answers is itself noisy. With between-group and within-group mean squares MSB and MSW and the
    adjusted mean group size k0 = (N - sum n_g^2 / N) / (G - 1):

    * ``icc1`` = (MSB - MSW) / (MSB + (k0 - 1) MSW): the share of one answer's variance that lies between groups;
    * ``reliability`` = (MSB - MSW) / MSB (ICC(2), Bliese 2000): the reliability of the group means, i.e. the
      share of the variance of the group means that is true between-group variance (Spearman-Brown of icc1
      at k0 respondents).

    A correlation between two sets of group means is attenuated by sqrt(reliability_x x reliability_y)
    (see :func:`disattenuate`).

    Parameters
    ----------
    frame : DataFrame, one row per respondent.
    value_col : numeric score column (e.g. the mean of a respondent's Likert items).
    group_col : the group (store, team) column; every group needs at least one respondent, and at least two
        groups and more respondents than groups are needed.

    Returns
    -------
    Series with ``groups``, ``respondents``, ``k0``, ``msb``, ``msw``, ``icc1`` and ``reliability``.

    References
    ----------
    .. [1] Bliese, P. D. (2000), "Within-group agreement, non-independence, and reliability", in Klein &
       Kozlowski (eds.), *Multilevel Theory, Research, and Methods in Organizations*.
    .. [2] Spearman, C. (1904), "The proof and measurement of association between two things", *American
       Journal of Psychology* 15(1). On attenuation.

    Example
    -------
    >>> f = pd.DataFrame({"store": [1, 1, 2, 2], "score": [4.0, 5.0, 2.0, 3.0]})
    >>> float(group_mean_reliability(f, "score", "store")["reliability"])
    0.875
    """
    check_dataframe(frame, name="frame")
    check_columns(frame, {"value_col": value_col, "group_col": group_col}, name="frame")
    y = _numeric_values(frame[value_col], f"column {value_col!r} of frame")
    if frame[group_col].isna().any():
        raise ValueError(f"group_col={group_col!r} has {int(frame[group_col].isna().sum())} missing value(s)")
    codes, _ = pd.factorize(frame[group_col], sort=True)
    n_g = np.bincount(codes).astype(float)
    g, n = n_g.size, y.size
    if g < 2 or n <= g:
        raise ValueError(f"frame must have at least two groups in group_col={group_col!r} and more rows than "
                         f"groups; got {g} group(s) and {n} row(s)")
    means = np.bincount(codes, weights=y) / n_g
    ssb = float((n_g * (means - y.mean()) ** 2).sum())
    ssw = float(((y - means[codes]) ** 2).sum())
    msb, msw = ssb / (g - 1), ssw / (n - g)
    k0 = (n - (n_g ** 2).sum() / n) / (g - 1)
    if msb <= 0:
        raise ValueError(f"column {value_col!r} has no variation between groups; reliability is undefined")
    return pd.Series({"groups": float(g), "respondents": float(n), "k0": k0, "msb": msb, "msw": msw,
                      "icc1": (msb - msw) / (msb + (k0 - 1) * msw), "reliability": (msb - msw) / msb})


def disattenuate(r: float, reliability_x: float, reliability_y: float = 1.0) -> float:
    """Spearman's correction for attenuation: r / sqrt(reliability_x x reliability_y).

    The correlation two error-free measures would have, given the observed correlation ``r`` and the
    reliabilities (in (0, 1]) of the two measures (e.g. from :func:`group_mean_reliability`). The result can
    exceed 1 in absolute value when the reliabilities are underestimated; it is returned as is, so that the
    reader sees it.

    References
    ----------
    .. [1] Spearman, C. (1904), "The proof and measurement of association between two things", *American
       Journal of Psychology* 15(1).

    Example
    -------
    >>> round(disattenuate(0.45, 0.9, 0.8), 4)
    0.5303
    """
    if isinstance(r, (bool, np.bool_)) or not isinstance(r, numbers.Real) or not -1 <= float(r) <= 1:
        raise ValueError(f"r must be a correlation in [-1, 1], got {r!r}")
    rel = []
    for name, v in (("reliability_x", reliability_x), ("reliability_y", reliability_y)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not 0 < float(v) <= 1:
            raise ValueError(f"{name} must be a reliability in (0, 1], got {v!r}")
        rel.append(float(v))
    return float(r) / float(np.sqrt(rel[0] * rel[1]))
