"""crmlab.casekit: pyramid tiers, per-tier tables, their chart and truth-vs-found tables.

Checked against brute-force loops on small data and closed-form arithmetic. (A case whose world plants
pyramid tiers checks this function against them in its own folder, cases/<id>/test_<id>.py.)
"""
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab import casekit, plots


def test_profit_pyramid_default_tiers_match_a_brute_force_ranking():
    """The default rule (top 10% of all customers platinum, next 20% gold, other profitable ones iron,
    loss-makers lead), recomputed customer by customer with a loop; the tiers are an ordered categorical of
    PYRAMID_TIERS, top first."""
    rng = np.random.default_rng(8)
    profit = pd.Series(rng.normal(40, 60, 230), index=[f"a{i:03d}" for i in range(230)])
    tier = casekit.profit_pyramid(profit)
    assert list(tier.cat.categories) == list(casekit.PYRAMID_TIERS) and tier.cat.ordered
    assert tier.index.equals(profit.index) and tier.name == "tier"
    n_top, n_second = round(0.1 * 230), round(0.3 * 230)
    for c, v in profit.items():
        better = sum(1 for w in profit if w > v)  # no ties in continuous draws
        want = "lead" if v < 0 else "platinum" if better < n_top else "gold" if better < n_second else "iron"
        assert tier[c] == want, c
    assert (tier == "lead").sum() == (profit < 0).sum() > 0
    assert tier.sort_values().iloc[0] == "platinum"  # ordered top first


def test_profit_pyramid_matches_a_brute_force_ranking():
    rng = np.random.default_rng(5)
    profit = pd.Series(rng.normal(10, 20, 57), index=[f"c{i}" for i in range(57)])
    tier = casekit.profit_pyramid(profit, shares=(0.2, 0.3), labels=("p", "g", "i", "l"))
    n_top, n_second = round(0.2 * 57), round(0.5 * 57)
    for c, v in profit.items():
        better = sum(1 for w in profit if w > v)  # no ties in continuous draws
        want = "l" if v < 0 else "p" if better < n_top else "g" if better < n_second else "i"
        assert tier[c] == want, c


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"profit": [1.0, 2.0]}, TypeError, "profit must be a pandas Series"),
    ({"profit": pd.Series([], dtype=float)}, ValueError, "profit is empty"),
    ({"profit": pd.Series(["a", "b"])}, TypeError, "profit must be numeric"),
    ({"profit": pd.Series([1.0, np.nan])}, ValueError, "profit has 1 missing"),
    ({"profit": pd.Series([1.0]), "shares": (0.6, 0.5)}, ValueError, "shares"),
    ({"profit": pd.Series([1.0]), "labels": ("a", "b", "c")}, ValueError, "labels must be four"),
])
def test_profit_pyramid_refuses_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        casekit.profit_pyramid(**kwargs)


def test_tier_table_agrees_with_loop_sums_and_keeps_category_order():
    frame = pd.DataFrame({"cls": pd.Categorical(["B", "A", "B", "C", "A"], categories=["A", "B", "C", "D"]),
                          "sales": [10.0, 50.0, 20.0, 5.0, 15.0], "profit": [2.0, -1.0, 4.0, -3.0, 6.0]})
    t = casekit.tier_table(frame, "cls", value_cols=["sales", "profit"])
    assert list(t.index) == ["A", "B", "C", "D", "total"]  # empty tier D kept, in category order
    for cls in "ABCD":
        rows = [r for r in frame.itertuples() if r.cls == cls]
        assert t.loc[cls, "customers"] == len(rows)
        assert t.loc[cls, "sales"] == pytest.approx(sum(r.sales for r in rows))
        assert t.loc[cls, "profit_share"] == pytest.approx(sum(r.profit for r in rows) / 8.0)
    assert t.loc["A", "sales_per_customer"] == pytest.approx(32.5)
    assert np.isnan(t.loc["D", "sales_per_customer"])
    assert t.loc["total", "customers"] == 5 and t.loc["total", "sales"] == pytest.approx(100.0)
    assert t.loc["C", "profit_share"] < 0  # a loss-making tier has a negative share of profit


def test_tier_table_accepts_an_aligned_series_and_sorts_plain_labels():
    frame = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=[10, 11, 12])
    t = casekit.tier_table(frame, pd.Series(["y", "x", "y"], index=frame.index), value_cols=["v"])
    assert list(t.index) == ["x", "y", "total"] and t.loc["y", "v"] == 4.0


@pytest.mark.parametrize("args, kwargs, exc, match", [
    (([1], "t"), {}, TypeError, "frame must be a pandas DataFrame"),
    ((pd.DataFrame({"t": ["a"]}), "tier_x"), {}, ValueError, "tier='tier_x' is not a column of frame"),
    ((pd.DataFrame({"t": ["a"]}), "t"), {"value_cols": ["sales"]}, ValueError, "column 'sales' is not a column"),
    ((pd.DataFrame({"t": ["a"], "s": ["x"]}), "t"), {"value_cols": ["s"]}, TypeError, "column 's' of frame must be numeric"),
    ((pd.DataFrame({"t": ["a", None]}), "t"), {}, ValueError, "tier has 1 missing"),
    ((pd.DataFrame({"t": ["a"]}), pd.Series(["a"], index=[5])), {}, ValueError, "tier must be indexed like frame"),
    ((pd.DataFrame({"t": ["a"]}), 3), {}, TypeError, "tier must be a column name or a pandas Series"),
])
def test_tier_table_refuses_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        casekit.tier_table(*args, **kwargs)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plot_tier_shares_draws_one_bar_pair_per_tier_without_warnings(lang):
    frame = pd.DataFrame({"cls": ["A", "B", "B", "C"], "profit": [10.0, 3.0, 2.0, -5.0]})
    table = casekit.tier_table(frame, "cls", value_cols=["profit"])
    plots.setup(lang=lang)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with plots.render_check():
                fig, ax = plt.subplots()
                out = casekit.plot_tier_shares(table, "profit", value_label=("Profit", "利润"), ax=ax)
                fig.canvas.draw()
    finally:
        plots.setup(lang="en")
    assert out is ax
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 6  # three tiers x (customers, profit); the total row is not drawn
    assert heights[3:] == pytest.approx([100.0, 50.0, -50.0])  # profit shares 10/10, 5/10, -5/10


def test_plot_tier_shares_names_a_missing_value_column():
    table = casekit.tier_table(pd.DataFrame({"t": ["a"], "v": [1.0]}), "t", value_cols=["v"])
    with pytest.raises(ValueError, match="profit_share"):
        casekit.plot_tier_shares(table, "profit")


def test_truth_vs_found_differences():
    t = casekit.truth_vs_found({"a": (30.0, 29.4), "b": (0.0, 0.5), "c": (-2, -3)})
    assert t["difference"].tolist() == pytest.approx([-0.6, 0.5, -1.0])
    assert t.loc["a", "relative"] == pytest.approx(-0.02) and np.isnan(t.loc["b", "relative"])
    assert t.loc["c", "relative"] == pytest.approx(-0.5)  # relative to |planted|


@pytest.mark.parametrize("rows, exc, match", [
    ({}, TypeError, "non-empty mapping"),
    ({"a": (1.0,)}, ValueError, r"rows\['a'\] must be a pair"),
    ({"a": (1.0, "x")}, ValueError, r"rows\['a'\]: the found value must be a finite number"),
    ({"a": (np.nan, 1.0)}, ValueError, "the planted value"),
])
def test_truth_vs_found_refuses_bad_rows(rows, exc, match):
    with pytest.raises(exc, match=match):
        casekit.truth_vs_found(rows)
