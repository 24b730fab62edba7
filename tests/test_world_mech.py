"""Shared world mechanics (crmlab.worlds.mech): populations, purchases, outcomes.

Checked against brute force on small inputs, closed forms (BG/NBD eq. 9 of Fader, Hardie & Lee 2005;
the logistic function; normal quantiles) and the declared parameters of a draw.
"""
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.special import expit, hyp2f1

from crmlab.worlds.mech.outcomes import default_cutpoints, likert_from_latent, logit_draw
from crmlab.worlds.mech.population import _categorical_codes, draw_segments, make_ids, segment_counts, segment_table
from crmlab.worlds.mech.purchases import _to_ns, bgnbd_draw, gamma_gamma_spend, weeks_to_dates

SEGS = [
    {"name": "small", "share": 0.3, "x": {"dist": "normal", "mean": 10, "sd": 2},
     "y": {"dist": "lognormal", "mean": 50, "sd": 20}, "k": {"dist": "poisson", "mean": 3, "dtype": "int"},
     "c": {"dist": "categorical", "probs": {"u": 0.7, "v": 0.3}}, "f": {"dist": "bernoulli", "p": 0.2},
     "w": {"dist": "uniform", "low": 0, "high": 1}},
    {"name": "large", "share": 0.7, "x": {"dist": "normal", "mean": 20, "sd": 4, "low": 0},
     "y": {"dist": "lognormal", "mean": 500, "sd": 100}, "k": {"dist": "poisson", "mean": 9, "dtype": "int"},
     "c": {"dist": "categorical", "probs": {"v": 0.4, "w": 0.6}}, "f": {"dist": "bernoulli", "p": 0.9},
     "w": {"dist": "uniform", "low": 1, "high": 3}},
]


def test_draw_segments_recovers_declared_shares_and_moments():
    df = draw_segments(np.random.default_rng(3), 20_000, SEGS)
    assert list(df.columns) == ["segment", "x", "y", "k", "c", "f", "w"]
    assert df["segment"].value_counts()["small"] == 6000
    assert str(df["k"].dtype) == "int64" and df["f"].dtype == bool and str(df["c"].dtype) == "category"
    assert list(df["c"].cat.categories) == ["u", "v", "w"]
    for spec in SEGS:
        m = df[df["segment"] == spec["name"]]
        se = lambda sd: 4 * sd / np.sqrt(len(m))
        assert abs(m["x"].mean() - spec["x"]["mean"]) < se(spec["x"]["sd"])
        assert abs(m["x"].std() - spec["x"]["sd"]) < 0.05 * spec["x"]["sd"]
        assert abs(m["y"].mean() - spec["y"]["mean"]) < se(spec["y"]["sd"])     # lognormal on natural scale
        assert abs(m["y"].std() - spec["y"]["sd"]) < 0.1 * spec["y"]["sd"]
        assert abs(m["k"].mean() - spec["k"]["mean"]) < se(np.sqrt(spec["k"]["mean"]))
        assert m["w"].between(spec["w"]["low"], spec["w"]["high"]).all()
        for label, p in spec["c"]["probs"].items():
            assert abs((m["c"] == label).mean() - p) < 4 * np.sqrt(p * (1 - p) / len(m))
    assert (df.loc[df["segment"] == "large", "c"] != "u").all()


def test_draw_segments_order_assigns_segments_along_a_score():
    score = np.arange(10, dtype=float)[::-1]         # member 9 has the lowest score
    df = draw_segments(np.random.default_rng(0), 10, SEGS, order=score)
    assert df["segment"].tolist() == ["large"] * 7 + ["small"] * 3


def test_segment_counts_brute_force():
    for n in (0, 1, 7, 10, 101):
        for shares in ([0.5, 0.5], [0.2, 0.3, 0.5], [1 / 3] * 3):
            c = segment_counts(n, shares)
            assert c.sum() == n and np.all(np.abs(c - n * np.array(shares)) < 1)


def test_draw_segments_multinomial_sizes_vary():
    a = draw_segments(np.random.default_rng(1), 1000, SEGS, exact=False)["segment"].value_counts()["small"]
    assert a != 300 and abs(a - 300) < 4 * np.sqrt(1000 * 0.21)


@pytest.mark.parametrize("segments, pattern", [
    ([{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}], "sum to 1"),
    ([{"name": "a", "share": 1.0, "x": {"dist": "gauss"}}], "dist must be one of"),
    ([{"name": "a", "share": 1.0, "x": {"dist": "normal", "mean": 1}}], "needs 'sd'"),
    ([{"name": "a", "share": 1.0, "x": {"dist": "normal", "mean": 1, "sd": 1, "scale": 2}}], "unknown key"),
    ([{"name": "a", "share": 0.5, "x": {"dist": "poisson", "mean": 1}}, {"name": "b", "share": 0.5}],
     "same ones"),
    ([{"name": "a", "share": 0.5}, {"name": "a", "share": 0.5}], "declared twice"),
    ([{"share": 1.0}], "no 'name'"),
    ([{"name": "a", "share": 1.0, "c": {"dist": "categorical", "probs": {"x": 0.5}}}], "sum to 1"),
    ([], "empty"),
])
def test_segment_table_errors(segments, pattern):
    with pytest.raises(ValueError, match=pattern):
        segment_table(segments)


def test_segment_table_accepts_a_dataframe_and_rejects_other_types():
    table = segment_table(pd.DataFrame(SEGS))
    assert [s["name"] for s in table] == ["small", "large"]
    with pytest.raises(TypeError, match="segments"):
        segment_table("small")
    with pytest.raises(TypeError, match="rng"):
        draw_segments(42, 10, SEGS)


def test_make_ids():
    assert make_ids("D", 12).tolist()[:2] == ["D01", "D02"]
    assert make_ids("", 3, start=0).tolist() == ["0", "1", "2"]
    with pytest.raises(TypeError, match="prefix"):
        make_ids(1, 3)
    with pytest.raises(ValueError, match="n"):
        make_ids("C", -1)


def test_bgnbd_draw_mean_count_matches_closed_form():
    """E[X(t)] of FHL (2005) eq. 9 at t = 52 (everyone born at 0), within 4 SE, and log structure."""
    r, alpha, a, b, t = 1.5, 6.0, 1.2, 8.0, 52.0
    d = bgnbd_draw(np.random.default_rng(11), 100_000, r, alpha, a, b, t)
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert abs(d.n_repeat.mean() - expected) < 4 * d.n_repeat.std() / np.sqrt(d.n_repeat.size)
    assert d.customer.dtype == np.int32 and len(d.time) == d.n_repeat.sum() + 100_000
    assert np.all(np.diff(d.customer) >= 0)
    same = d.customer[1:] == d.customer[:-1]
    assert np.all(np.diff(d.time)[same] >= 0)                      # sorted within customer
    assert d.time.max() < t and np.all(d.time[np.cumsum(d.n_repeat + 1) - 1] == d.last)


def test_bgnbd_draw_repeat_times_are_uniform_for_the_alive():
    """Customers alive at the horizon have Poisson times: uniform on (birth, horizon), mean T/2."""
    birth = np.full(20_000, 10.0)
    d = bgnbd_draw(np.random.default_rng(5), 20_000, 5.0, 10.0, 0.5, 50.0, 30.0, birth, include_first=False)
    times = d.time[d.alive[d.customer]]
    assert abs(times.mean() - 20.0) < 4 * (20 / np.sqrt(12)) / np.sqrt(times.size)
    assert times.min() > 10.0 and len(d.time) == d.n_repeat.sum()


def test_bgnbd_draw_first_index_numbers_the_customers():
    a = bgnbd_draw(np.random.default_rng(4), 50, 2.0, 10.0, 1.0, 9.0, 52.0)
    b = bgnbd_draw(np.random.default_rng(4), 50, 2.0, 10.0, 1.0, 9.0, 52.0, first_index=1000)
    assert np.array_equal(b.customer, a.customer + 1000) and b.customer.dtype == np.int32
    assert np.array_equal(a.time, b.time)
    with pytest.raises(ValueError, match="first_index"):
        bgnbd_draw(np.random.default_rng(4), 50, 2.0, 10.0, 1.0, 9.0, 52.0, first_index=2**31 - 10)


def test_bgnbd_draw_share_alive_matches_the_model():
    """P(alive at t) under BG/NBD = E[(1 - p)^N(t)] = E_p[(alpha / (alpha + p t))^r], p ~ Beta(a, b): the
    integral is computed with scipy's quad, independently of the thinning used to draw (within 4 SE)."""
    r, alpha, a, b, t = 1.5, 6.0, 1.2, 8.0, 52.0
    d = bgnbd_draw(np.random.default_rng(12), 100_000, r, alpha, a, b, t)
    expected = integrate.quad(lambda p: (alpha / (alpha + p * t)) ** r * stats.beta.pdf(p, a, b), 0, 1)[0]
    assert abs(d.alive.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / 100_000)


def test_bgnbd_draw_matches_the_independent_geometric_simulator():
    """Two samplers of one model: bgnbd_draw (thinning) against crmlab.clv.simulate_bgnbd (N ~ Poisson,
    J ~ Geometric, last purchase from a Beta), 60,000 customers each. The counts x (chi-square on a
    contingency table), the last-purchase times of buyers and the alive shares must agree (p > 1e-4)."""
    from crmlab.clv import simulate_bgnbd

    r, alpha, a, b, t = 0.8, 6.0, 0.9, 4.0, 52.0
    d = bgnbd_draw(np.random.default_rng(21), 60_000, r, alpha, a, b, t)
    ref = simulate_bgnbd(60_000, r=r, alpha=alpha, a=a, b=b, T=t, seed=22)
    bins = np.r_[np.arange(0, 15), np.inf]
    table = np.vstack([np.histogram(d.n_repeat, bins)[0], np.histogram(ref["frequency"], bins)[0]])
    assert stats.chi2_contingency(table).pvalue > 1e-4
    assert stats.ks_2samp(d.last[d.n_repeat > 0], ref.loc[ref["frequency"] > 0, "recency"]).pvalue > 1e-4
    assert stats.chi2_contingency([[d.alive.sum(), (~d.alive).sum()],
                                   [ref["alive"].sum(), (~ref["alive"]).sum()]]).pvalue > 1e-4


def test_bgnbd_draw_dropouts_stop_buying_at_the_dropout():
    """A customer who dropped out has a last purchase and at least one repeat; with p = 1 (a, b making
    p all but 1) everyone drops out at the first repeat purchase, so x <= 1 and the alive have none."""
    d = bgnbd_draw(np.random.default_rng(8), 20_000, 2.0, 4.0, 500.0, 0.001, 52.0)
    assert d.n_repeat.max() == 1 and (d.n_repeat[d.alive] == 0).all() and (d.n_repeat[~d.alive] == 1).all()
    assert (d.last[~d.alive] > d.birth[~d.alive]).all() and (d.last[d.alive] == d.birth[d.alive]).all()


def test_bgnbd_draw_survives_rates_that_underflow():
    """r = 0.01 makes many purchase rates exactly 0: those customers never buy again and stay alive."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")                             # no divide-by-zero or overflow warnings
        d = bgnbd_draw(np.random.default_rng(3), 5000, 0.01, 1.0, 1.0, 1.0, 52.0)
    zero = d.lam == 0
    assert zero.any() and (d.n_repeat[zero] == 0).all() and d.alive[zero].all()
    assert np.isfinite(d.time).all()


def test_bgnbd_draw_edge_cases_and_errors():
    empty = bgnbd_draw(np.random.default_rng(0), 0, 1, 1, 1, 1, 10)
    assert empty.time.size == 0 and empty.customer.size == 0
    with pytest.raises(ValueError, match="alpha"):
        bgnbd_draw(np.random.default_rng(0), 5, 1, 0, 1, 1, 10)
    with pytest.raises(ValueError, match="birth"):
        bgnbd_draw(np.random.default_rng(0), 2, 1, 1, 1, 1, 10, birth=[0.0, 10.0])
    with pytest.raises(ValueError, match="birth"):
        bgnbd_draw(np.random.default_rng(0), 2, 1, 1, 1, 1, 10, birth=[0.0])
    with pytest.raises(ValueError, match="birth"):
        bgnbd_draw(np.random.default_rng(0), 2, 1, 1, 1, 1, 10, birth=[0.0, np.nan])
    with pytest.raises(TypeError, match="rng"):
        bgnbd_draw(0, 2, 1, 1, 1, 1, 10)


def test_gamma_gamma_spend_means():
    """Population mean spend p * gamma / (q - 1); per-customer means p / nu (within 4 SE)."""
    idx = np.repeat(np.arange(2000), 50)
    g = gamma_gamma_spend(np.random.default_rng(2), idx, p=6.0, q=5.0, gamma=20.0, decimals=None)
    per = pd.Series(g.amount).groupby(idx).mean().to_numpy()
    z = (per - g.mean_spend) / (g.mean_spend / np.sqrt(6.0 * 50))
    assert abs(z.mean()) < 4 / np.sqrt(2000) and 0.9 < z.std() < 1.1
    rounded = gamma_gamma_spend(np.random.default_rng(2), idx[:10], 6.0, 5.0, 20.0)
    assert np.allclose(rounded.amount, np.round(rounded.amount, 2)) and (rounded.amount >= 0.01).all()
    with pytest.raises(TypeError, match="customer_index"):
        gamma_gamma_spend(np.random.default_rng(0), [0.5, 1.0], 1, 1, 1)
    with pytest.raises(ValueError, match="n_customers"):
        gamma_gamma_spend(np.random.default_rng(0), np.array([0, 5]), 1, 1, 1, n_customers=3)


def test_gamma_gamma_spend_counts_give_the_same_amounts_as_the_index():
    """counts= is a faster spelling of a sorted customer_index: same draws, same amounts."""
    counts = np.array([3, 0, 5, 1])
    idx = np.repeat(np.arange(4), counts)
    by_index = gamma_gamma_spend(np.random.default_rng(5), idx, 6.0, 4.0, 15.0, n_customers=4)
    by_counts = gamma_gamma_spend(np.random.default_rng(5), None, 6.0, 4.0, 15.0, counts=counts)
    assert np.array_equal(by_index.amount, by_counts.amount) and np.array_equal(by_index.nu, by_counts.nu)
    with pytest.raises(TypeError, match="not both"):
        gamma_gamma_spend(np.random.default_rng(0), idx, 1, 1, 1, counts=counts)
    with pytest.raises(ValueError, match="counts must not be negative"):
        gamma_gamma_spend(np.random.default_rng(0), None, 1, 1, 1, counts=np.array([1, -1]))
    with pytest.raises(ValueError, match="n_customers"):
        gamma_gamma_spend(np.random.default_rng(0), None, 1, 1, 1, counts=counts, n_customers=5)


def test_categorical_codes_are_numpys_choice():
    """The comparison count gives exactly rng.choice's draws (same uniforms, same inversion)."""
    for probs in ([0.55, 0.3, 0.15], [0.2, 0.0, 0.8], [1.0], [0.1] * 10):
        p = np.array(probs)
        expected = np.random.default_rng(3).choice(p.size, size=10_000, p=p / p.sum())
        assert np.array_equal(_categorical_codes(np.random.default_rng(3), p, 10_000), expected)


def test_draw_segments_by_order_with_ties_keeps_the_declared_counts():
    """Scores with many ties (a brute-force check of the fallback): exact counts, and every member of a
    segment scores no higher than any member of the next."""
    order = np.random.default_rng(1).integers(0, 4, 1001).astype(float)
    df = draw_segments(np.random.default_rng(2), 1001, SEGS, order=order)
    assert df["segment"].value_counts()["small"] == 300
    assert order[df["segment"] == "small"].max() <= order[df["segment"] == "large"].min()


def test_weeks_to_dates_truncates_to_the_day():
    out = weeks_to_dates("2024-03-04", [0.0, 0.99 / 7, 1.0 / 7, 52.0])
    assert out.dtype == np.dtype("datetime64[ns]")
    assert pd.DatetimeIndex(out).strftime("%Y-%m-%d").tolist() == ["2024-03-04", "2024-03-04", "2024-03-05",
                                                                    "2025-03-03"]
    with pytest.raises(ValueError, match="start"):
        weeks_to_dates("not a date", [1.0])
    with pytest.raises(ValueError, match="weeks"):
        weeks_to_dates("2024-01-01", [np.nan])
    with pytest.raises(ValueError, match="outside the dates"):
        weeks_to_dates("2024-01-01", [0.0, 20_000.0])


def test_to_ns_in_place_equals_the_fresh_result():
    """Writing the dates into the times' own memory gives the same values as a fresh array, for weeks and
    days, also for times a hair below a day boundary and for negative times."""
    w = np.random.default_rng(0).uniform(-3, 104, 100_000)
    w[::7] = np.nextafter(3.0, 0.0)
    day0 = pd.Timestamp("2023-11-14")
    fresh = _to_ns(w, day0.value, days_per_unit=7.0, nonnegative=False)
    assert np.array_equal(fresh, weeks_to_dates(day0, w))
    assert np.array_equal(_to_ns(w.copy(), day0.value, days_per_unit=7.0, nonnegative=False, overwrite=True), fresh)
    days = w * 7.0
    assert np.array_equal(_to_ns(days.copy(), day0.value, days_per_unit=1.0, nonnegative=False), fresh)
    assert np.array_equal(_to_ns(days, day0.value, days_per_unit=1.0, nonnegative=False, overwrite=True), fresh)

def test_logit_draw_frequencies_match_expit():
    eta = np.repeat([-2.0, 0.0, 1.5], 20_000)
    prob, y = logit_draw(np.random.default_rng(4), eta)
    assert np.allclose(prob, expit(eta)) and y.dtype == np.int8
    for v in (-2.0, 0.0, 1.5):
        p = expit(v)
        assert abs(y[eta == v].mean() - p) < 4 * np.sqrt(p * (1 - p) / 20_000)
    with pytest.raises(ValueError, match="linear_predictor"):
        logit_draw(np.random.default_rng(0), [np.inf])


def test_likert_without_noise_is_the_brute_force_cut():
    latent = np.linspace(-3, 3, 101)
    cuts = [-1.0, 0.0, 0.5, 2.0]
    got = likert_from_latent(np.random.default_rng(0), latent, n_points=5, noise_sd=0.0, cutpoints=cuts)
    expected = [1 + sum(x >= c for c in cuts) for x in latent]
    assert got.tolist() == expected


def test_likert_default_cutpoints_use_the_scale_evenly():
    answers = likert_from_latent(np.random.default_rng(9), np.random.default_rng(8).standard_normal(50_000),
                                 n_points=7, noise_sd=0.8)
    shares = np.bincount(answers, minlength=8)[1:] / answers.size
    assert np.allclose(shares, 1 / 7, atol=0.01)
    assert np.allclose(default_cutpoints(4, 0.0), [-0.6745, 0.0, 0.6745], atol=1e-4)
    with pytest.raises(ValueError, match="cutpoints"):
        likert_from_latent(np.random.default_rng(0), [0.0], n_points=3, cutpoints=[1.0, 0.0])
    with pytest.raises(ValueError, match="n_points"):
        likert_from_latent(np.random.default_rng(0), [0.0], n_points=1)
