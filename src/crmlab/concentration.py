"""Value concentration: ABC classes, Pareto and Lorenz curves, Gini, the profit whale curve, class transitions.

The CRM Q&A compilation (source 0) is the source: lines 59–60 rank a distributor's customers by cumulative
sales - the customers making the first 80% of volume (about 20% of them) are A, 80-95% B, the rest C - and
line 12 says 80% of profit comes from 20% of customers, half of it consumed by the 50% who are
unprofitable: the shape Kaplan & Cooper (1998) call the whale curve.

References
----------
.. [1] Kaplan, R. S. & Cooper, R. (1998), *Cost & Effect*, Harvard Business School Press.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._plotting import axes_or_new
from ._validate import (check_choice, check_columns, check_dataframe, check_fraction_cutoffs, check_probability,
                        numeric_column)
from .plots import label

__all__ = ["abc_classify", "pareto_curve", "lorenz_curve", "gini", "top_share", "concentration_summary",
           "whale_curve", "whale_summary", "class_transitions", "plot_pareto", "plot_lorenz", "plot_whale"]

_TOL = 1e-12  # relative tolerance when a cumulative share lands exactly on a cut-off


def _values(values, value_col: str | None, *, name: str, allow_negative: bool) -> pd.Series:
    """Accept a Series (index = customer) or a DataFrame + ``value_col``; return a float Series."""
    if isinstance(values, pd.DataFrame):
        check_dataframe(values, name=name)
        if value_col is None:
            raise ValueError(f"value_col is required when {name} is a DataFrame")
        check_columns(values, {"value_col": value_col}, name=name)
        col, frame = value_col, values
    elif isinstance(values, pd.Series):
        if len(values) == 0:
            raise ValueError(f"{name} is empty: expected at least one customer")
        col = values.name if values.name is not None else "value"
        frame = values.to_frame(col)
    else:
        raise TypeError(f"{name} must be a pandas Series (index = customer) or a DataFrame with value_col, "
                        f"got {type(values).__name__}")
    hint = "use whale_curve for profits that can be negative" if not allow_negative else ""
    arr = numeric_column(frame, col, name=name, allow_negative=allow_negative, negative_hint=hint)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].tolist()
        raise ValueError(f"{name} has {len(dup)} duplicate customer id(s) in its index (first {dup[0]!r}): one row "
                         "per customer is expected, and a repeated id would count one customer twice; sum each "
                         "customer's values first, e.g. values.groupby(level=0).sum()")
    return pd.Series(arr, index=frame.index, name=col)


def _unit_scaled(x: np.ndarray) -> np.ndarray:
    """``x`` divided by its largest absolute value: shares are unchanged and no sum can overflow."""
    top = float(np.max(np.abs(x))) if x.size else 0.0
    return x / top if top > 0 else x


def _positive_total(v: pd.Series, name: str) -> None:
    """Check that the values have a positive total (judged on unit-scaled values, so it cannot overflow)."""
    if float(_unit_scaled(v.to_numpy()).sum()) <= 0:
        raise ValueError(f"{name} must have a positive total, got {float(v.sum())!r}")


def abc_classify(values, value_col: str | None = None, *, cutoffs: Sequence[float] = (0.8, 0.95),
                 labels: Sequence[str] = ("A", "B", "C")) -> pd.DataFrame:
    """ABC classes by cumulative value: the customers that make the first 80% of value are A, to 95% B, the rest C.

    Customers are ranked by value (largest first; ties keep their input order). A customer belongs to the
    class of the cumulative share reached *before* them, so the customer who crosses 80% is still A:
    class A is the smallest set of top customers that together reach 80%.

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer (sales, margin), index = customer id; or a DataFrame with
        ``value_col``.
    cutoffs : sequence of float
        Increasing cumulative-share cut-offs in (0, 1); default (0.8, 0.95) as in CRM Q&A compilation
        (source 0), line 60.
    labels : sequence of str
        Class names, one more than there are cut-offs.

    Returns
    -------
    DataFrame in rank order with ``value``, ``rank`` (1 = largest), ``share``, ``cum_share`` (including the
    customer), ``customer_share`` (cumulative share of customers) and ``class`` (ordered categorical).

    Example
    -------
    >>> sales = pd.Series([500, 300, 100, 60, 40], index=list("vwxyz"))
    >>> abc_classify(sales)["class"].tolist()
    ['A', 'A', 'B', 'B', 'C']

    Source: CRM Q&A compilation (source 0), lines 59–60 (ABC by cumulative sales, 80% / 95%).
    """
    cuts = check_fraction_cutoffs(cutoffs, "cutoffs")
    labels = list(labels)
    if len(labels) != len(cuts) + 1 or len(set(labels)) != len(labels):
        raise ValueError(f"labels must be {len(cuts) + 1} distinct names (one more than cutoffs), got {labels!r}")
    v = _values(values, value_col, name="values", allow_negative=False)
    _positive_total(v, "values")
    order = np.argsort(-v.to_numpy(), kind="stable")
    ranked = v.iloc[order]
    x = ranked.to_numpy()
    scaled = _unit_scaled(x)  # shares from values scaled by the largest: 1e308-sized values cannot overflow
    cum = np.cumsum(scaled)
    total = cum[-1]
    before = (cum - scaled) / total
    cls = np.searchsorted(np.asarray(cuts) - _TOL, before, side="right")
    n = len(x)
    return pd.DataFrame({
        "value": x,
        "rank": np.arange(1, n + 1),
        "share": scaled / total,
        "cum_share": cum / total,
        "customer_share": np.arange(1, n + 1) / n,
        "class": pd.Categorical.from_codes(cls, categories=labels, ordered=True),
    }, index=ranked.index)


def pareto_curve(values, value_col: str | None = None) -> pd.DataFrame:
    """Cumulative share of value held by the top customers (the Pareto curve), starting at (0, 0).

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer (index = customer id), or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.

    Returns
    -------
    DataFrame with ``customer_share`` (top fraction of customers) and ``value_share``.

    Example
    -------
    >>> pareto_curve(pd.Series([3.0, 1.0]))["value_share"].tolist()
    [0.0, 0.75, 1.0]

    Source: CRM Q&A compilation (source 0), line 59 (the 80/20 rule applied to a distributor's customers).
    """
    v = _values(values, value_col, name="values", allow_negative=False)
    _positive_total(v, "values")
    cum = np.r_[0.0, np.cumsum(_unit_scaled(np.sort(v.to_numpy())[::-1]))]
    n = len(v)
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "value_share": cum / cum[-1]})


def lorenz_curve(values, value_col: str | None = None) -> pd.DataFrame:
    """Lorenz curve: cumulative share of value held by the *bottom* customers, from (0, 0) to (1, 1).

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer (index = customer id), or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.

    Returns
    -------
    DataFrame with ``customer_share`` (bottom fraction of customers) and ``value_share``.

    References
    ----------
    .. [1] Lorenz, M. O. (1905), "Methods of measuring the concentration of wealth", *Publications of the
       American Statistical Association* 9(70).

    Example
    -------
    >>> lorenz_curve(pd.Series([3.0, 1.0]))["value_share"].tolist()
    [0.0, 0.25, 1.0]
    """
    v = _values(values, value_col, name="values", allow_negative=False)
    _positive_total(v, "values")
    cum = np.r_[0.0, np.cumsum(_unit_scaled(np.sort(v.to_numpy())))]
    n = len(v)
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "value_share": cum / cum[-1]})


def gini(values, value_col: str | None = None) -> float:
    """Gini coefficient of non-negative values: mean absolute difference / (2 × mean), 0 = equal, → 1 = one takes all.

    Computed in O(n log n) from the sorted values, ``sum((2i - n - 1) x_(i)) / (n sum x)``, which equals
    ``sum_ij |x_i - x_j| / (2 n² mean)`` (no small-sample correction).

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer (index = customer id), or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.

    References
    ----------
    .. [1] Gini, C. (1912), *Variabilità e mutabilità*.

    Example
    -------
    >>> gini(pd.Series([1.0, 1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(pd.Series([0.0, 0.0, 0.0, 4.0])), 3)
    0.75
    """
    v = _values(values, value_col, name="values", allow_negative=False)
    _positive_total(v, "values")
    x = _unit_scaled(np.sort(v.to_numpy()))
    n = len(x)
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    return float(np.dot(weights, x) / (n * x.sum()))


def top_share(values, fraction: float = 0.2, value_col: str | None = None) -> float:
    """Share of total value held by the top ``fraction`` of customers (linear interpolation between customers).

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer (index = customer id), or a DataFrame with ``value_col``.
    fraction : float in [0, 1]
        Top fraction of customers (default 0.2).
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.

    Example
    -------
    >>> top_share(pd.Series([80.0, 5, 5, 5, 5]), 0.2)
    0.8

    Source: CRM Q&A compilation (source 0), lines 12 and 59 (the 20/80 rule).
    """
    fraction = check_probability(fraction, "fraction")
    curve = pareto_curve(values, value_col)
    return float(np.interp(fraction, curve["customer_share"], curve["value_share"]))


def concentration_summary(values, value_col: str | None = None, *,
                          cutoffs: Sequence[float] = (0.8, 0.95)) -> pd.Series:
    """Headline concentration figures: customers, total, top-20% share, Gini and the customer share per ABC class.

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer (index = customer id), or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.
    cutoffs : sequence of float
        ABC cut-offs for the class shares.

    Returns
    -------
    Series with customers, total, top20_share, gini and share_of_customers_<class>.

    Example
    -------
    >>> float(concentration_summary(pd.Series([80.0, 5, 5, 5, 5]))["top20_share"])
    0.8

    Source: CRM Q&A compilation (source 0), lines 12 and 59–60.
    """
    v = _values(values, value_col, name="values", allow_negative=False)
    abc = abc_classify(v, cutoffs=cutoffs)
    out = {"customers": len(v), "total": float(v.sum()), "top20_share": top_share(v, 0.2), "gini": gini(v)}
    shares = abc["class"].value_counts(normalize=True, sort=False)
    out.update({f"share_of_customers_{k}": float(s) for k, s in shares.items()})
    return pd.Series(out, name="concentration")


def whale_curve(profits, value_col: str | None = None) -> pd.DataFrame:
    """Whale curve: cumulative profit (as a share of total profit) over customers ranked from most to least profitable.

    Profits may be negative (customers who cost more to serve than they bring). The curve rises above
    100% while profitable customers are added, peaks, and falls back to 100% as the loss-makers are added.

    Parameters
    ----------
    profits : Series or DataFrame
        Profit per customer (may be negative; positive total), or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``profits`` when it is a DataFrame.

    Returns
    -------
    DataFrame starting at (0, 0) with ``customer_share``, ``cum_profit`` and ``profit_share``.

    References
    ----------
    .. [1] Kaplan, R. S. & Cooper, R. (1998), *Cost & Effect*, Harvard Business School Press, ch. 10.

    Example
    -------
    >>> whale_curve(pd.Series([150.0, 10, -60]))["profit_share"].round(2).tolist()
    [0.0, 1.5, 1.6, 1.0]

    Source: CRM Q&A compilation (source 0), line 12.
    """
    p = _values(profits, value_col, name="profits", allow_negative=True)
    x = np.sort(p.to_numpy())[::-1]
    scaled_cum = np.r_[0.0, np.cumsum(_unit_scaled(x))]  # shares from scaled values, which cannot overflow
    if scaled_cum[-1] <= 0:
        raise ValueError(f"profits must have a positive total for a whale curve in percent, got {float(p.sum())!r}")
    n = len(x)
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "cum_profit": np.r_[0.0, np.cumsum(x)],
                         "profit_share": scaled_cum / scaled_cum[-1]})


def whale_summary(profits, value_col: str | None = None) -> pd.Series:
    """Whale-curve figures: peak profit share, share of customers at the peak (the profitable ones), profit lost.

    ``peak_share`` is the profit of the profitable customers as a multiple of total profit (e.g. 1.5 =
    150%), reached after ``customers_at_peak`` of the customers; ``unprofitable_customers`` is the share
    with negative profit; ``lost_share`` = the part the unprofitable customers consume (peak_share - 1);
    ``top20_profit_share`` = profit of the top 20% over total profit.

    Parameters
    ----------
    profits : Series or DataFrame
        Profit per customer (may be negative; positive total), or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``profits`` when it is a DataFrame.

    Returns
    -------
    Series with customers, total_profit, peak_share, customers_at_peak, unprofitable_customers,
    lost_share and top20_profit_share.

    References
    ----------
    .. [1] Kaplan, R. S. & Cooper, R. (1998), *Cost & Effect*, Harvard Business School Press, ch. 10.

    Example
    -------
    >>> float(whale_summary(pd.Series([150.0, 10, -60]))["peak_share"])
    1.6

    Source: CRM Q&A compilation (source 0), line 12.
    """
    curve = whale_curve(profits, value_col)
    peak = int(np.argmax(curve["profit_share"].to_numpy()))
    return pd.Series({
        "customers": len(curve) - 1,
        "total_profit": float(curve["cum_profit"].iloc[-1]),
        "peak_share": float(curve["profit_share"].iloc[peak]),
        "customers_at_peak": float(curve["customer_share"].iloc[peak]),
        "unprofitable_customers": float(np.mean(np.diff(curve["cum_profit"].to_numpy()) < 0)),
        "lost_share": float(curve["profit_share"].iloc[peak] - 1.0),
        "top20_profit_share": float(np.interp(0.2, curve["customer_share"], curve["profit_share"])),
    }, name="whale")


def class_transitions(before: pd.Series, after: pd.Series, *, normalize: bool = False,
                      missing: str = "none") -> pd.DataFrame:
    """Class transition matrix between two periods (rows: class before, columns: class after).

    A customer present in only one period is counted in the ``missing`` row (new customers) or column
    (customers lost). ``normalize=True`` turns each row into shares (the transition probabilities).

    Parameters
    ----------
    before, after : Series
        Class label per customer (index = customer id), e.g. ``abc_classify(...)["class"]`` of two periods.
    normalize : bool
        Row shares instead of counts.
    missing : str
        Label for "not a customer in that period".

    Example
    -------
    >>> b = pd.Series(["A", "B", "C"], index=[1, 2, 3]); a = pd.Series(["A", "A"], index=[1, 3])
    >>> int(class_transitions(b, a).loc["C", "A"])
    1

    Source: CRM Q&A compilation (source 0), line 61 (classes move: plan B→A, C→B).
    """
    for name, s in (("before", before), ("after", after)):
        if not isinstance(s, pd.Series):
            raise TypeError(f"{name} must be a pandas Series of class labels indexed by customer, "
                            f"got {type(s).__name__}")
        if s.index.has_duplicates:
            raise ValueError(f"{name} has duplicate customer ids in its index")
        if s.isna().any():
            raise ValueError(f"{name} has {int(s.isna().sum())} missing class label(s)")
    if not isinstance(missing, str):
        raise TypeError(f"missing must be a string, got {missing!r}")
    check_choice(normalize, "normalize", (True, False))

    def categories(s: pd.Series) -> list:
        if isinstance(s.dtype, pd.CategoricalDtype):
            return list(s.cat.categories)
        return sorted(pd.unique(s.to_numpy()), key=str)

    cats = list(dict.fromkeys(categories(before) + categories(after)))
    if missing in cats:
        raise ValueError(f"missing={missing!r} clashes with a class label; choose another name")
    cats.append(missing)
    customers = before.index.union(after.index, sort=False)
    row = pd.Categorical(before.reindex(customers).astype(object).fillna(missing), categories=cats)
    col = pd.Categorical(after.reindex(customers).astype(object).fillna(missing), categories=cats)
    table = pd.crosstab(pd.Series(row, name="before"), pd.Series(col, name="after"), dropna=False)
    table = table.reindex(index=cats, columns=cats, fill_value=0)
    if normalize:
        sums = table.sum(axis=1)
        table = table.div(sums.where(sums > 0), axis=0).fillna(0.0)
    return table


def plot_pareto(values, value_col: str | None = None, *, cutoffs: Sequence[float] = (0.8, 0.95),
                ax: Axes | None = None) -> Axes:
    """Pareto chart: cumulative share of value vs share of customers (largest first), ABC classes shaded.

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer, or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.
    cutoffs : sequence of float
        ABC cut-offs, drawn as dashed lines.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    The Axes.

    Example
    -------
    >>> ax = plot_pareto(pd.Series([500.0, 300, 100, 60, 40]))

    Source: CRM Q&A compilation (source 0), lines 59–60.
    """
    abc = abc_classify(values, value_col, cutoffs=cutoffs)
    curve = pareto_curve(abc["value"])
    ax = axes_or_new(ax)
    x = curve["customer_share"].to_numpy() * 100
    y = curve["value_share"].to_numpy() * 100
    ax.plot(x, y, color="C0", lw=2, label=label("Cumulative share of value", "累计价值占比"))
    edges = np.r_[0.0, abc.groupby("class", observed=False).size().cumsum().to_numpy() / len(abc) * 100]
    for i, cls in enumerate(abc["class"].cat.categories):
        if edges[i + 1] > edges[i]:
            ax.axvspan(edges[i], edges[i + 1], color=f"C{i + 1}", alpha=0.12, lw=0)
            ax.text((edges[i] + edges[i + 1]) / 2, 4, str(cls), ha="center", va="bottom", fontweight="bold")
    for c in cutoffs:
        ax.axhline(c * 100, color="grey", lw=0.8, ls="--")
    t20 = top_share(abc["value"], 0.2) * 100
    ax.plot([20], [t20], "o", color="C3", label=label(f"Top 20% hold {t20:.0f}%", f"前20%客户占{t20:.0f}%"))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 102)
    ax.set_xlabel(label("Customers, largest first (%)", "客户(按价值降序, %)"))
    ax.set_ylabel(label("Cumulative share of value (%)", "累计价值占比 (%)"))
    ax.set_title(label("Pareto chart and ABC classes", "帕累托图与ABC分类"))
    ax.legend(loc="center right")
    return ax


def plot_lorenz(values, value_col: str | None = None, *, ax: Axes | None = None) -> Axes:
    """Lorenz curve with the line of equality; the Gini coefficient in the legend.

    Parameters
    ----------
    values : Series or DataFrame
        Non-negative value per customer, or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``values`` when it is a DataFrame.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    The Axes.

    References
    ----------
    .. [1] Lorenz, M. O. (1905), "Methods of measuring the concentration of wealth", *Publications of the
       American Statistical Association* 9(70).
    .. [2] Gini, C. (1912), *Variabilità e mutabilità*.

    Example
    -------
    >>> ax = plot_lorenz(pd.Series([500.0, 300, 100, 60, 40]))
    """
    curve = lorenz_curve(values, value_col)
    g = gini(values, value_col)
    ax = axes_or_new(ax)
    x = curve["customer_share"].to_numpy() * 100
    y = curve["value_share"].to_numpy() * 100
    ax.plot([0, 100], [0, 100], color="grey", lw=1, ls="--", label=label("Equality", "完全平均"))
    ax.plot(x, y, color="C0", lw=2, label=label(f"Lorenz curve (Gini = {g:.2f})", f"洛伦兹曲线 (基尼系数 = {g:.2f})"))
    ax.fill_between(x, y, x, color="C0", alpha=0.12)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(label("Customers, smallest first (%)", "客户(按价值升序, %)"))
    ax.set_ylabel(label("Cumulative share of value (%)", "累计价值占比 (%)"))
    ax.set_title(label("Lorenz curve", "洛伦兹曲线"))
    ax.legend(loc="upper left")
    return ax


def plot_whale(profits, value_col: str | None = None, *, ax: Axes | None = None) -> Axes:
    """Whale curve: cumulative profit share over customers ranked by profit, with the peak marked.

    Parameters
    ----------
    profits : Series or DataFrame
        Profit per customer, or a DataFrame with ``value_col``.
    value_col : str, optional
        Column of ``profits`` when it is a DataFrame.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    The Axes.

    References
    ----------
    .. [1] Kaplan, R. S. & Cooper, R. (1998), *Cost & Effect*, Harvard Business School Press, ch. 10.

    Example
    -------
    >>> ax = plot_whale(pd.Series([150.0, 10, -60]))

    Source: CRM Q&A compilation (source 0), line 12.
    """
    curve = whale_curve(profits, value_col)
    s = whale_summary(profits, value_col)
    ax = axes_or_new(ax)
    x = curve["customer_share"].to_numpy() * 100
    y = curve["profit_share"].to_numpy() * 100
    ax.plot(x, y, color="C0", lw=2, label=label("Cumulative profit", "累计利润"))
    ax.axhline(100, color="grey", lw=0.8, ls="--", label=label("Total profit = 100%", "总利润 = 100%"))
    px, py = s["customers_at_peak"] * 100, s["peak_share"] * 100
    ax.plot([px], [py], "o", color="C3",
            label=label(f"Peak {py:.0f}% at {px:.0f}% of customers", f"峰值 {py:.0f}%, 位于前 {px:.0f}% 客户"))
    ax.set_xlim(0, 100)
    ax.set_ylim(min(0.0, float(y.min())) - 5, py * 1.08 + 1)
    ax.set_xlabel(label("Customers, most profitable first (%)", "客户(按利润降序, %)"))
    ax.set_ylabel(label("Cumulative profit (% of total)", "累计利润 (占总利润 %)"))
    ax.set_title(label("Whale curve of customer profitability", "客户盈利能力鲸鱼曲线"))
    ax.legend(loc="lower right")
    return ax
