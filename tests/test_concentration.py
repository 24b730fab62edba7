"""Tests for crmlab.concentration: constructed distributions with known classes, closed-form Gini, brute force."""
from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab import plots
from crmlab.concentration import (abc_classify, class_transitions, concentration_summary, gini, lorenz_curve,
                                  pareto_curve, plot_lorenz, plot_pareto, plot_whale, top_share, whale_curve,
                                  whale_summary)


def constructed_sales(seed: int = 0) -> pd.Series:
    """20 customers × 40 (80% of 1000), 30 × 5 (15%), 50 × 1 (5%), shuffled: classes A/B/C have 20/30/50."""
    values = np.r_[np.full(20, 40.0), np.full(30, 5.0), np.full(50, 1.0)]
    rng = np.random.default_rng(seed)
    perm = rng.permutation(100)
    return pd.Series(values[perm], index=pd.Index([f"k{i:03d}" for i in perm], name="customer"), name="sales")


def test_abc_on_constructed_distribution_has_known_class_sizes():
    sales = constructed_sales()
    abc = abc_classify(sales)
    assert abc["class"].value_counts().to_dict() == {"A": 20, "B": 30, "C": 50}
    assert set(abc.index[abc["class"] == "A"]) == set(sales.index[sales == 40.0])
    assert abc["cum_share"].iloc[-1] == pytest.approx(1.0)
    assert (np.diff(abc["value"]) <= 0).all() and abc["rank"].tolist() == list(range(1, 101))
    assert crmlab.abc_classify is abc_classify


def brute_force_abc(values: pd.Series, cutoffs=(0.8, 0.95), labels="ABC") -> dict:
    total = sum(values)
    out, running = {}, 0.0
    for cust, v in sorted(values.items(), key=lambda kv: -kv[1]):
        share_before = running / total
        out[cust] = labels[sum(share_before >= c - 1e-12 for c in cutoffs)]
        running += v
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_abc_matches_brute_force_loop_on_random_values(seed):
    rng = np.random.default_rng(seed)
    values = pd.Series(rng.lognormal(3, 1.2, 300), index=rng.permutation(300))
    got = abc_classify(values)["class"].astype(str).to_dict()
    assert got == brute_force_abc(values)
    four = abc_classify(values, cutoffs=(0.5, 0.8, 0.95), labels=("A", "B", "C", "D"))
    assert four["class"].astype(str).to_dict() == brute_force_abc(values, (0.5, 0.8, 0.95), "ABCD")


def test_abc_accepts_dataframe_and_refuses_bad_input():
    df = pd.DataFrame({"cust": list("xyz"), "sales": [5.0, 3.0, 2.0]}).set_index("cust")
    assert abc_classify(df, "sales")["class"].tolist() == ["A", "A", "B"]
    with pytest.raises(ValueError, match="value_col"):
        abc_classify(df)
    with pytest.raises(ValueError, match="value_col='revenue'"):
        abc_classify(df, "revenue")
    with pytest.raises(TypeError, match="values"):
        abc_classify([5.0, 3.0])
    with pytest.raises(ValueError, match="negative.*whale_curve"):
        abc_classify(pd.Series([5.0, -1.0]))
    with pytest.raises(ValueError, match="cutoffs"):
        abc_classify(df, "sales", cutoffs=(0.95, 0.8))
    with pytest.raises(ValueError, match="labels"):
        abc_classify(df, "sales", labels=("A", "B"))
    with pytest.raises(ValueError, match="positive total"):
        abc_classify(pd.Series([0.0, 0.0]))


def brute_force_gini(x: np.ndarray) -> float:
    """Mean absolute difference over all ordered pairs / (2 × mean)."""
    n = len(x)
    mad = sum(abs(a - b) for a in x for b in x) / n**2
    return mad / (2 * np.mean(x))


@pytest.mark.parametrize("seed", [0, 1])
def test_gini_equals_brute_force_mean_absolute_difference(seed):
    x = np.random.default_rng(seed).gamma(0.7, 10.0, 60)
    assert gini(pd.Series(x)) == pytest.approx(brute_force_gini(x), rel=1e-12)


@pytest.mark.parametrize("draw,closed_form", [
    (lambda rng, n: rng.exponential(3.0, n), 0.5),
    (lambda rng, n: rng.uniform(0.0, 1.0, n), 1 / 3),
    (lambda rng, n: rng.pareto(3.0, n) + 1.0, 1 / (2 * 3.0 - 1)),  # Pareto(alpha=3): G = 1/(2 alpha - 1)
])
def test_gini_matches_closed_form_of_known_distributions(draw, closed_form):
    x = draw(np.random.default_rng(11), 200_000)
    assert gini(pd.Series(x)) == pytest.approx(closed_form, abs=0.01)


def test_top_share_matches_pareto_closed_form():
    """For Pareto(alpha), the top fraction p holds p ** (1 - 1/alpha) of the total."""
    x = np.random.default_rng(12).pareto(3.0, 200_000) + 1.0
    assert top_share(pd.Series(x), 0.2) == pytest.approx(0.2 ** (2 / 3), abs=0.01)
    assert top_share(pd.Series([80.0, 5, 5, 5, 5]), 0.2) == pytest.approx(0.8)
    assert top_share(pd.Series([80.0, 5, 5, 5, 5]), 0.1) == pytest.approx(0.4)  # half of the top customer
    with pytest.raises(ValueError, match="fraction"):
        top_share(pd.Series([1.0]), 1.5)


def test_lorenz_and_pareto_curves_are_mirror_images():
    x = pd.Series(np.random.default_rng(4).lognormal(0, 1, 500))
    lor, par = lorenz_curve(x), pareto_curve(x)
    assert lor.iloc[0].tolist() == [0.0, 0.0] and lor.iloc[-1].tolist() == pytest.approx([1.0, 1.0])
    assert (np.diff(lor["value_share"], 2) >= -1e-15).all()  # convex
    np.testing.assert_allclose(par["value_share"].to_numpy(), 1.0 - lor["value_share"].to_numpy()[::-1], atol=1e-12)
    summary = concentration_summary(x)
    assert summary["gini"] == pytest.approx(gini(x)) and summary["top20_share"] == pytest.approx(top_share(x))
    classes = abc_classify(x)["class"].value_counts(normalize=True)
    assert summary["share_of_customers_A"] == pytest.approx(classes["A"])


def test_whale_curve_on_constructed_profits():
    """20 customers earn 40 (800), 30 break even, 50 lose 6 (-300): total 500, peak 160% at 20%."""
    profits = pd.Series(np.r_[np.full(50, -6.0), np.zeros(30), np.full(20, 40.0)])
    s = whale_summary(profits)
    assert s["total_profit"] == pytest.approx(500.0)
    assert s["peak_share"] == pytest.approx(1.6) and s["customers_at_peak"] == pytest.approx(0.2)
    assert s["unprofitable_customers"] == pytest.approx(0.5)
    assert s["lost_share"] == pytest.approx(0.6)
    assert s["top20_profit_share"] == pytest.approx(1.6)
    curve = whale_curve(profits)
    assert curve["profit_share"].iloc[-1] == pytest.approx(1.0) and curve["profit_share"].iloc[0] == 0.0
    with pytest.raises(ValueError, match="positive total"):
        whale_curve(pd.Series([-1.0, 0.5]))


def test_class_transitions_match_brute_force_count():
    rng = np.random.default_rng(9)
    before = pd.Series(rng.choice(list("ABC"), 80), index=rng.choice(200, 80, replace=False))
    after = pd.Series(rng.choice(list("ABC"), 90), index=rng.choice(200, 90, replace=False))
    table = class_transitions(before, after)
    expected = pd.DataFrame(0, index=list("ABC") + ["none"], columns=list("ABC") + ["none"])
    for cust in set(before.index) | set(after.index):
        expected.loc[before.get(cust, "none"), after.get(cust, "none")] += 1
    np.testing.assert_array_equal(table.to_numpy(), expected.to_numpy())
    assert table.loc["none", "none"] == 0
    shares = class_transitions(before, after, normalize=True)
    np.testing.assert_allclose(shares.loc[list("ABC")].sum(axis=1), 1.0)


def test_class_transitions_between_two_abc_periods_keep_class_order():
    p1 = abc_classify(constructed_sales(0))["class"]
    p2 = abc_classify(constructed_sales(0).iloc[::-1] * np.linspace(0.5, 2.0, 100))["class"]
    table = class_transitions(p1, p2)
    assert table.index.tolist() == ["A", "B", "C", "none"] and table.to_numpy().sum() == 100
    with pytest.raises(ValueError, match="missing='A'"):
        class_transitions(p1, p2, missing="A")
    with pytest.raises(TypeError, match="before"):
        class_transitions(p1.to_numpy(), p2)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plots_render_without_warnings(lang, tmp_path):
    saved = matplotlib.rcParams.copy()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plots._reset_for_tests()
            expected_lang = "zh" if plots.cjk_font() is not None else "en"
            if lang == "zh" and expected_lang == "en":
                warnings.simplefilter("ignore", plots.CJKFontWarning)
            used = plots.setup(lang)
            assert used == (lang if lang == "en" else expected_lang)
            values = pd.Series(np.random.default_rng(3).lognormal(2, 1, 400))
            profits = values - 12.0
            fig, axes = plt.subplots(1, 3, figsize=(12, 4))
            assert plot_pareto(values, ax=axes[0]) is axes[0]
            assert plot_lorenz(values, ax=axes[1]) is axes[1]
            assert plot_whale(profits, ax=axes[2]) is axes[2]
            fig.savefig(tmp_path / f"concentration_{lang}.png")
            titles = [ax.get_title() for ax in axes]
            assert titles[2] == plots.label("Whale curve of customer profitability", "客户盈利能力鲸鱼曲线")
            assert "Gini" in axes[1].get_legend().get_texts()[1].get_text() or used == "zh"
            assert plt.gcf() is fig and isinstance(plot_lorenz(values), matplotlib.axes.Axes)
    finally:
        plots._reset_for_tests()
        matplotlib.rcParams.update(saved)


def test_huge_values_do_not_overflow_the_shares():
    """Issue 20: abc_classify(Series([1e308, 1e308, 1.0])) gave A, C, C because the total overflowed to inf.
    Reference: the shares in exact rational arithmetic (Python ints and Fractions never overflow)."""
    from fractions import Fraction

    raw = [1e308, 1e308, 1.0, 3e307]
    values = pd.Series(raw, index=list("wxyz"))
    exact = [int(v) for v in sorted(raw, reverse=True)]
    total = sum(exact)
    cum = np.cumsum([Fraction(v, total) for v in exact])
    abc = abc_classify(values)
    assert abc["class"].tolist() == ["A", "A", "B", "C"]  # before-shares 0, 0.435, 0.870, 1.0
    np.testing.assert_allclose(abc["cum_share"], [float(c) for c in cum], rtol=1e-12)
    assert np.isfinite(abc["share"]).all() and abc["share"].sum() == pytest.approx(1.0)
    assert abc_classify(pd.Series([1e308, 1e308, 1.0]))["class"].tolist() == ["A", "A", "C"]
    np.testing.assert_allclose(pareto_curve(values)["value_share"], [0.0] + [float(c) for c in cum], rtol=1e-12)
    np.testing.assert_allclose(lorenz_curve(values)["value_share"].iloc[-1], 1.0)
    # Gini from its definition, sum_ij |x_i - x_j| / (2 n^2 mean), exactly
    ints = [int(v) for v in raw]
    g = Fraction(sum(abs(a - b) for a in ints for b in ints), 2 * len(ints) * sum(ints))
    assert gini(values) == pytest.approx(float(g), rel=1e-12)
    assert top_share(values, 0.25) == pytest.approx(float(cum[0]), rel=1e-12)
    with np.errstate(over="ignore"):  # the running profit in currency units overflows; its shares must not
        whale = whale_curve(pd.Series([1e308, 1e308, -5e307]))
    assert np.isinf(whale["cum_profit"].iloc[2]) and np.isfinite(whale["profit_share"]).all()
    assert whale["profit_share"].iloc[-1] == 1.0 and whale["profit_share"].max() == pytest.approx(
        float(Fraction(2 * int(1e308), 2 * int(1e308) - int(5e307))), rel=1e-12)


def test_duplicated_customer_ids_are_refused():
    """Issue 20: a duplicated index was taken as two customers; every per-customer function refuses it by name."""
    sales = pd.Series([5.0, 3.0, 1.0], index=pd.Index(["a", "a", "b"], name="customer"))
    for fn in (abc_classify, pareto_curve, lorenz_curve, gini, top_share, concentration_summary):
        with pytest.raises(ValueError, match=r"values has 1 duplicate customer id\(s\) in its index \(first 'a'\)"):
            fn(sales)
    for fn in (whale_curve, whale_summary):
        with pytest.raises(ValueError, match="profits has 1 duplicate customer id"):
            fn(sales)
    frame = pd.DataFrame({"sales": [5.0, 3.0, 1.0]}, index=[7, 7, 8])
    with pytest.raises(ValueError, match=r"first 7"):
        abc_classify(frame, "sales")
    # summed per customer first, as the message says, it is accepted
    assert abc_classify(sales.groupby(level=0).sum())["value"].tolist() == [8.0, 1.0]
