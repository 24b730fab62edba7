"""Tests for crmlab.effects: the ratio-of-ratios difference in differences and the bootstrap over units within
groups. Each test says what it is checked against: a hand computation, a simulation with a planted lift, or
the exact bootstrap distribution found by enumerating every resample (brute force)."""
import itertools

import numpy as np
import pandas as pd
import pytest

from crmlab import effects as E


# ------------------------------------------------------------------------------------------------ did_ratio
def test_did_ratio_hand_example_and_scale_free():
    """By hand: members 2 → 2.31 trips a week (×1.155), non-members 1 → 1.05 (×1.05): 1.155 / 1.05 − 1 = 0.1.
    Per week or per quarter (×13) gives the same; the additive difference (0.31 − 0.05 = 0.26) is another
    number altogether."""
    before, after, treated = [2.0, 2.0, 1.0, 1.0], [2.31, 2.31, 1.05, 1.05], [True, True, False, False]
    assert E.did_ratio(before, after, treated) == pytest.approx(0.1)
    assert E.did_ratio(np.multiply(before, 13), np.multiply(after, 13), treated) == pytest.approx(0.1)
    assert E.did_ratio(before, after, [1, 1, 0, 0]) == pytest.approx(0.1)


def test_did_ratio_recovers_a_planted_lift_where_the_additive_difference_does_not():
    """Simulation with a known multiplicative lift: groups at different levels (2 vs 1 trips a week), a common
    trend of +10% for everyone and a lift of +5% for the treated. The ratio of ratios recovers 0.05; the
    additive difference in differences, divided by the treated group's counterfactual, credits the treated
    with part of the common trend (it gives about 0.05 + 0.1 · (1 − 1/2) / 1.1)."""
    rng = np.random.default_rng(0)
    n = 200_000
    treated = rng.random(n) < 0.5
    level = np.where(treated, 2.0, 1.0)
    before = rng.poisson(13 * level)
    after = rng.poisson(13 * level * 1.10 * np.where(treated, 1.05, 1.0))
    assert E.did_ratio(before, after, treated) == pytest.approx(0.05, abs=0.004)
    additive = (after[treated].mean() - before[treated].mean()) - (after[~treated].mean() - before[~treated].mean())
    relative_additive = additive / (before[treated].mean() * 1.10)
    assert relative_additive > 0.08


def test_pandas_inputs_with_different_indexes_are_refused_not_misaligned():
    """Inputs are matched by position: Series with the same index pass (and give the positional answer), a
    Series whose index is another order is refused rather than silently misaligned."""
    idx = pd.Index([10, 11, 12, 13], name="customer_id")
    before = pd.Series([2.0, 2.0, 1.0, 1.0], index=idx)
    after = pd.Series([2.31, 2.31, 1.05, 1.05], index=idx)
    treated = pd.Series([True, True, False, False], index=idx)
    assert E.did_ratio(before, after, treated) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="different indexes"):
        E.did_ratio(before, after, treated.iloc[::-1])
    values = pd.DataFrame({"x": before})
    assert E.bootstrap_group_means(values, treated, n_boot=5, seed=0).shape == (5, 2)
    with pytest.raises(ValueError, match="different indexes"):
        E.bootstrap_group_means(values, treated.iloc[::-1], n_boot=5, seed=0)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(before=[1.0, 2.0], after=[1.0], treated=[True, False]), ValueError, "after has 1"),
    (dict(before=[1.0, 2.0], after=[1.0, 2.0], treated=[True]), ValueError, "treated has 1"),
    (dict(before=[1.0, 2.0], after=[1.0, 2.0], treated=[True, True]), ValueError, "at least one treated"),
    (dict(before=[1.0, 2.0], after=[1.0, 2.0], treated=["a", "b"]), TypeError, "treated"),
    (dict(before=[1.0, 2.0], after=[1.0, 2.0], treated=[2, 0]), TypeError, "treated"),
    (dict(before=[-1.0, 2.0], after=[1.0, 2.0], treated=[True, False]), ValueError, "before"),
    (dict(before=[1.0, np.nan], after=[1.0, 2.0], treated=[True, False]), ValueError, "before"),
    (dict(before=[0.0, 2.0], after=[1.0, 2.0], treated=[True, False]), ValueError, "treated group's mean before"),
    (dict(before=[1.0, 0.0], after=[1.0, 2.0], treated=[True, False]), ValueError, "comparison group's mean before"),
    (dict(before=[1.0, 2.0], after=[1.0, 0.0], treated=[True, False]), ValueError, "comparison group's mean after"),
])
def test_did_ratio_refuses_bad_input_naming_it(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        E.did_ratio(**kwargs)


# -------------------------------------------------------------------------------------- bootstrap_group_means
def test_bootstrap_group_means_shape_labels_and_determinism():
    """One row per replicate, (group, column) columns in sorted group order; a constant column stays constant;
    the same seed gives the same resamples, another seed others; a mapping works like a DataFrame."""
    values = pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0, 20.0], "one": 1.0})
    groups = ["b", "b", "b", "a", "a"]
    boot = E.bootstrap_group_means(values, groups, n_boot=50, seed=3)
    assert boot.shape == (50, 4)
    assert list(boot.columns) == [("a", "x"), ("a", "one"), ("b", "x"), ("b", "one")]
    assert (boot[("a", "one")] == 1.0).all() and (boot[("b", "one")] == 1.0).all()
    assert boot[("a", "x")].between(10, 20).all() and boot[("b", "x")].between(1, 3).all()
    again = E.bootstrap_group_means({"x": values["x"].to_numpy(), "one": np.ones(5)}, groups, n_boot=50, seed=3)
    pd.testing.assert_frame_equal(boot, again)
    other = E.bootstrap_group_means(values, groups, n_boot=50, seed=4)
    assert not boot.equals(other)


def _exact_did_distribution(before_t, after_t, before_c, after_c):
    """Brute force: every ordered resample of each group (n**n of them, equally likely), the ratio of ratios of
    each combination. Returns the values, each with probability 1 / len."""
    def resample_means(before, after):
        n = len(before)
        out = []
        for idx in itertools.product(range(n), repeat=n):
            out.append((np.mean(np.take(before, idx)), np.mean(np.take(after, idx))))
        return np.array(out)

    t = resample_means(before_t, after_t)
    c = resample_means(before_c, after_c)
    bt, at = t[:, 0][:, None], t[:, 1][:, None]
    bc, ac = c[:, 0][None, :], c[:, 1][None, :]
    return ((at / bt) / (ac / bc) - 1).ravel()


def test_bootstrap_matches_the_exact_distribution_found_by_enumerating_every_resample():
    """Brute force: with 4 treated and 3 comparison units there are 4**4 · 3**3 = 6,912 equally likely
    resamples; their ratios of ratios are the exact bootstrap distribution. 40,000 random resamples from
    did_ratio_bootstrap must match its mean, spread and distribution function within Monte Carlo error."""
    before_t, after_t = [2.0, 3.0, 1.0, 4.0], [2.5, 3.0, 1.5, 4.0]
    before_c, after_c = [1.0, 2.0, 1.5], [1.2, 1.9, 1.5]
    exact = _exact_did_distribution(before_t, after_t, before_c, after_c)
    res = E.did_ratio_bootstrap(before_t + before_c, after_t + after_c, [True] * 4 + [False] * 3, n_boot=40_000,
                                seed=11)
    n = res.draws.size
    assert res.draws.mean() == pytest.approx(exact.mean(), abs=4 * exact.std() / np.sqrt(n))
    assert res.draws.std() == pytest.approx(exact.std(), rel=0.02)
    for x in np.quantile(exact, [0.05, 0.25, 0.5, 0.75, 0.95]):
        assert (res.draws <= x).mean() == pytest.approx((exact <= x).mean(), abs=0.01)
    lo, hi = np.quantile(exact, [0.025, 0.975])
    assert res.low == pytest.approx(lo, abs=0.02) and res.high == pytest.approx(hi, abs=0.02)
    assert res.estimate == pytest.approx(E.did_ratio(before_t + before_c, after_t + after_c,
                                                     [True] * 4 + [False] * 3))


def test_bootstrap_group_means_resample_each_group_separately_with_its_own_size():
    """Brute force on group means alone: in a group of 2 units (0 and 1) each resample's mean is 0, 0.5 or 1
    with probabilities 1/4, 1/2, 1/4; in a group of 3 units (0, 0, 3) it is 0, 1, 2 or 3 with probabilities
    8, 12, 6, 1 in 27. A resample that mixed the groups or drew the wrong number of units would show other
    values."""
    values = pd.DataFrame({"x": [0.0, 1.0, 0.0, 0.0, 3.0]})
    boot = E.bootstrap_group_means(values, np.array(["two", "two", "three", "three", "three"]), n_boot=30_000, seed=5)
    two = boot[("two", "x")].round(9).value_counts(normalize=True).sort_index()
    assert list(two.index) == [0.0, 0.5, 1.0]
    assert two.to_numpy() == pytest.approx([0.25, 0.5, 0.25], abs=0.015)
    three = boot[("three", "x")].round(9).value_counts(normalize=True).sort_index()
    assert list(three.index) == [0.0, 1.0, 2.0, 3.0]
    assert three.to_numpy() == pytest.approx(np.array([8, 12, 6, 1]) / 27, abs=0.015)


def test_bootstrap_draws_in_chunks_give_the_same_distribution(monkeypatch):
    """Drawing the resamples a few replicates at a time (as for very large groups) changes nothing but the
    memory used: the same group means' distribution (checked against the exact one of the test above)."""
    monkeypatch.setattr(E, "_CHUNK_CELLS", 7)
    values = pd.DataFrame({"x": [0.0, 1.0]})
    boot = E.bootstrap_group_means(values, ["g", "g"], n_boot=20_000, seed=1)
    freq = boot[("g", "x")].round(9).value_counts(normalize=True).sort_index()
    assert freq.to_numpy() == pytest.approx([0.25, 0.5, 0.25], abs=0.015)


def test_interval_covers_a_planted_lift_about_as_often_as_it_says():
    """Simulation with a known lift: 300 panels (150 treated at 2 trips a week, 150 comparison at 1, a common
    trend, a planted lift of +10%); the 90% percentile interval covers 0.10 in roughly 90% of them."""
    rng = np.random.default_rng(2024)
    covered = 0
    runs = 300
    treated = np.r_[np.ones(150, bool), np.zeros(150, bool)]
    for r in range(runs):
        # shoppers differ in their own rate (gamma heterogeneity) as in a real panel
        rate = rng.gamma(4.0, 0.25, treated.size) * np.where(treated, 2.0, 1.0)
        before = rng.poisson(13 * rate)
        after = rng.poisson(13 * rate * 1.05 * np.where(treated, 1.10, 1.0))
        res = E.did_ratio_bootstrap(before, after, treated, n_boot=400, level=0.9, seed=r)
        covered += res.low <= 0.10 <= res.high
    assert 0.84 <= covered / runs <= 0.96


def test_did_bootstrap_result_and_spans_zero():
    """A large planted lift gives an interval above zero; no lift gives one that spans zero."""
    rng = np.random.default_rng(8)
    treated = np.r_[np.ones(2000, bool), np.zeros(2000, bool)]
    before = rng.poisson(13, treated.size)
    strong = E.did_ratio_bootstrap(before, rng.poisson(13 * np.where(treated, 1.3, 1.0)), treated, n_boot=300,
                                   seed=0)
    assert 0 < strong.low < 0.3 < strong.high and not strong.spans_zero
    none = E.did_ratio_bootstrap(before, rng.poisson(13, treated.size), treated, n_boot=300, seed=0)
    assert none.spans_zero
    assert none.draws.shape == (300,) and none.level == 0.95


@pytest.mark.parametrize("call, exc, match", [
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": [1.0]}), ["a"], n_boot=0), ValueError, "n_boot"),
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": [1.0]}), ["a"], seed=1.5), TypeError, "seed"),
    (lambda: E.bootstrap_group_means([1.0, 2.0], ["a", "b"]), TypeError, "values"),
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": [1.0, 2.0]}), ["a"]), ValueError, "groups has 1"),
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": [1.0, 2.0]}), "ab"), TypeError, "groups"),
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": [1.0, 2.0]}), ["a", None]), ValueError, "missing"),
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": ["u", "v"]}), ["a", "b"]), TypeError, "values\\['x'\\]"),
    (lambda: E.bootstrap_group_means(pd.DataFrame({"x": [1.0, np.inf]}), ["a", "b"]), ValueError, "values\\['x'\\]"),
    (lambda: E.percentile_interval([1.0, 2.0], level=1.0), ValueError, "level"),
    (lambda: E.percentile_interval([1.0, np.nan]), ValueError, "draws"),
    (lambda: E.did_ratio_bootstrap([1.0, 2.0], [1.0, 2.0], [True, False], level=0.0), ValueError, "level"),
    (lambda: E.did_ratio_bootstrap([1.0, 0.0, 2.0], [1.0, 1.0, 2.0], [True, False, False], n_boot=200, seed=0),
     ValueError, "resamples have a group mean of zero"),
])
def test_bootstrap_refuses_bad_input_naming_it(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
