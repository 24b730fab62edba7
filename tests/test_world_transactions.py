"""The transactions world recovers its planted truth.

Checks are against independent estimates written here: a maximum-likelihood fit of the BG/NBD model
(log-likelihood of Fader, Hardie & Lee 2005, eq. 6) and of the Gamma-Gamma model (full-data marginal
likelihood, Fader & Hardie 2013) to the generated tables, the closed-form expected number of repeat
purchases (FHL 2005, eq. 9), and sample means of the declared segment attributes.
"""
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

from crmlab.worlds import make
from crmlab.worlds.transactions import SEGMENTS

N = 20_000


@pytest.fixture(scope="module")
def world():
    return make("transactions", n_customers=N)


def _summary(world):
    """frequency x (repeat purchases), recency t_x and age T in weeks, from the tables as a user would."""
    tx, end = world.tables["transactions"], world.truth["observation_end"]
    g = tx.groupby("customer_id")["date"]
    first, last, count = g.min(), g.max(), g.size()
    return ((count - 1).to_numpy(float), ((last - first).dt.days / 7).to_numpy(float),
            ((end - first).dt.days / 7).to_numpy(float))


def _bgnbd_nll(log_params, x, t_x, T):
    r, alpha, a, b = np.exp(log_params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    still = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    gone = np.where(x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x),
                    -np.inf)
    return -np.sum(common + np.logaddexp(still, gone))


def _gamma_gamma_nll(log_params, k, total, sum_log):
    p, q, g = np.exp(log_params)
    return -np.sum((p - 1) * sum_log - k * gammaln(p) + gammaln(p * k + q) - gammaln(q) + q * np.log(g)
                   - (p * k + q) * np.log(g + total))


def test_bgnbd_parameters_recovered_by_independent_mle(world):
    """MLE on 20,000 customers: r, alpha within 5%, a, b within 20% (their sampling sd is ~4%)."""
    x, t_x, T = _summary(world)
    fit = minimize(_bgnbd_nll, np.log([1.0, 5.0, 1.0, 5.0]), args=(x, t_x, T), method="L-BFGS-B")
    assert fit.success
    r, alpha, a, b = np.exp(fit.x)
    truth = world.truth["bgnbd"]
    assert world.truth["time_unit"] == "weeks"
    assert r == pytest.approx(truth["r"], rel=0.05)
    assert alpha == pytest.approx(truth["alpha"], rel=0.05)
    assert a == pytest.approx(truth["a"], rel=0.20)
    assert b == pytest.approx(truth["b"], rel=0.20)
    assert a / (a + b) == pytest.approx(truth["a"] / (truth["a"] + truth["b"]), rel=0.10)


def test_gamma_gamma_parameters_recovered_by_independent_mle(world):
    """Full-data Gamma-Gamma likelihood on every purchase: p within 3%, q and gamma within 6%."""
    tx = world.tables["transactions"]
    per = tx.assign(log_amount=np.log(tx["amount"])).groupby("customer_id").agg(
        k=("amount", "size"), total=("amount", "sum"), sum_log=("log_amount", "sum"))
    fit = minimize(_gamma_gamma_nll, np.log([1.0, 1.0, 1.0]), method="L-BFGS-B",
                   args=(per["k"].to_numpy(float), per["total"].to_numpy(), per["sum_log"].to_numpy()))
    p, q, g = np.exp(fit.x)
    truth = world.truth["gamma_gamma"]
    assert p == pytest.approx(truth["p"], rel=0.03)
    assert q == pytest.approx(truth["q"], rel=0.06)
    assert g == pytest.approx(truth["gamma"], rel=0.06)


def test_mean_repeat_purchases_match_closed_form(world):
    """Average observed x vs FHL (2005) eq. 9, E[X(T)], evaluated at each customer's own T (within 4 SE)."""
    x, _, T = _summary(world)
    p = world.truth["bgnbd"]
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    T_exact = T - 0.5 / 7            # day truncation of the first purchase adds half a day on average
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + T_exact)) ** r
                                        * hyp2f1(r, b, a + b - 1, T_exact / (alpha + T_exact)))
    assert abs(x.mean() - expected.mean()) < 4 * x.std() / np.sqrt(len(x))
    assert 9 <= x.mean() + 1 <= 11.5          # "about 10 transactions per customer"


def test_latent_values_follow_their_population_laws(world):
    """Per-customer truth: lambda ~ Gamma(r, alpha), p ~ Beta(a, b), nu ~ Gamma(q, gamma) (means within 4 SE)."""
    lat, bg, gg = world.truth["customers"], world.truth["bgnbd"], world.truth["gamma_gamma"]
    n = len(lat)
    assert abs(lat["lambda"].mean() - bg["r"] / bg["alpha"]) < 4 * np.sqrt(bg["r"]) / bg["alpha"] / np.sqrt(n)
    mp = bg["a"] / (bg["a"] + bg["b"])
    sd_p = np.sqrt(mp * (1 - mp) / (bg["a"] + bg["b"] + 1))
    assert abs(lat["p"].mean() - mp) < 4 * sd_p / np.sqrt(n)
    assert abs(lat["nu"].mean() - gg["q"] / gg["gamma"]) < 4 * np.sqrt(gg["q"]) / gg["gamma"] / np.sqrt(n)
    assert np.allclose(lat["mean_spend"], gg["p"] / lat["nu"])
    # Alive customers cannot have dropped out, so every dropped-out one made at least one repeat purchase.
    assert (lat.loc[~lat["alive"], "n_repeat"] >= 1).all()


def test_log_agrees_with_truth_and_window(world):
    tx, cust, lat = world.tables["transactions"], world.tables["customers"], world.truth["customers"]
    counts = tx.groupby("customer_id").size()
    assert (counts.to_numpy() == lat["n_repeat"].to_numpy() + 1).all()
    first = tx.groupby("customer_id")["date"].min()
    assert (first.to_numpy() == cust["first_purchase"].to_numpy()).all()
    assert tx["date"].min() >= world.truth["observation_start"]
    assert tx["date"].max() < world.truth["observation_end"]
    assert cust["first_purchase"].max() < world.truth["observation_start"] + pd.Timedelta(weeks=52)
    key = tx["customer_id"].to_numpy().astype(np.int64) * 10**6 + (tx["date"] - tx["date"].min()).dt.days.to_numpy()
    assert (np.diff(key) >= 0).all()                       # sorted by customer, then date
    assert (tx["amount"] >= 0.01).all()


def test_segment_shares_and_attribute_means_match_the_declared_table(world):
    """Shares are exact; age and income means within 4 SE of the declared ones, channel shares too."""
    cust, seg = world.tables["customers"], world.truth["customers"]["segment"].to_numpy()
    for spec in SEGMENTS:
        members = cust[seg == spec["name"]]
        assert len(members) == round(N * spec["share"])
        for col in ("age", "income"):
            mean, sd = spec[col]["mean"], spec[col]["sd"]
            assert abs(members[col].mean() - mean) < 4 * sd / np.sqrt(len(members)) + 0.5, (spec["name"], col)
        for label, prob in spec["channel"]["probs"].items():
            share = (members["channel"] == label).mean()
            assert abs(share - prob) < 4 * np.sqrt(prob * (1 - prob) / len(members)), (spec["name"], label)
        p = spec["email_opt_in"]["p"]
        assert abs(members["email_opt_in"].mean() - p) < 4 * np.sqrt(p * (1 - p) / len(members))


def test_segment_link_orders_segments_by_value():
    """With the link on, the mean planted value rises across the declared segment order; with it off,
    segment and value are unrelated (rank correlation within 4 SE of 0)."""
    linked = make("transactions", n_customers=5000, segment_link=0.8).truth["customers"]
    value = linked["lambda"] * linked["mean_spend"]
    means = value.groupby(linked["segment"], observed=True).median()
    assert list(means.index) == [s["name"] for s in SEGMENTS]
    assert means.is_monotonic_increasing
    free = make("transactions", n_customers=5000, segment_link=0.0).truth["customers"]
    rho = pd.Series(free["segment"].cat.codes).corr(pd.Series((free["lambda"] * free["mean_spend"]).to_numpy()),
                                                   method="spearman")
    assert abs(rho) < 4 / np.sqrt(5000)


def test_knobs_change_the_world_as_documented():
    w = make("transactions", n_customers=300, weeks=30, acquisition_weeks=10, start_date="2020-03-02")
    assert w.truth["observation_end"] == pd.Timestamp("2020-03-02") + pd.Timedelta(weeks=30)
    assert w.tables["customers"]["first_purchase"].max() < pd.Timestamp("2020-03-02") + pd.Timedelta(weeks=10)
    assert w.truth["bgnbd"] == {"r": 2.0, "alpha": 10.0, "a": 1.5, "b": 20.0}


def test_start_date_must_leave_the_window_inside_datetime64_ns():
    """The dates are datetime64[ns]: a window past 2262-04-11 is refused by name, not wrapped around."""
    with pytest.raises(ValueError, match="knob 'start_date'.*2262"):
        make("transactions", n_customers=10, start_date="2261-06-01")
    with pytest.raises(ValueError, match="knob 'start_date'.*2262"):
        make("transactions", n_customers=10, start_date="2300-01-01")
    with pytest.raises(ValueError, match="knob 'start_date'.*1677"):
        make("transactions", n_customers=10, start_date="1600-01-01")
    late = make("transactions", n_customers=10, weeks=4, acquisition_weeks=4, start_date="2262-03-01")
    assert late.tables["transactions"]["date"].max() < late.truth["observation_end"]


def test_the_calendar_only_shifts_the_log():
    """A window before 1970 (times counted from its own start) and one after (times counted from
    1970-01-01) give the same seed the same log, day for day after the start."""
    before, after = (make("transactions", seed=3, n_customers=3000, start_date=d) for d in ("1969-11-03", "2024-01-01"))
    for table, col in (("transactions", "date"), ("customers", "first_purchase")):
        a, b = before.tables[table], after.tables[table]
        days = lambda df, d: (df[col] - pd.Timestamp(d)).dt.days.to_numpy()     # noqa: E731
        assert np.array_equal(days(a, "1969-11-03"), days(b, "2024-01-01"))
        assert a.drop(columns=col).equals(b.drop(columns=col))


def test_segment_scores_survive_purchase_rates_that_underflow():
    """r = 0.01 draws purchase rates of exactly 0; their customers land in the lowest-value segment
    instead of turning every score into NaN."""
    truth = make("transactions", n_customers=4000, r=0.01, segment_link=1.0).truth["customers"]
    zero = truth["lambda"] == 0
    assert zero.any() and (truth.loc[zero, "segment"] == SEGMENTS[0]["name"]).all()


def test_log_invariants_hold_across_random_knobs():
    """Brute-force sweep over knob space (rates from underflowing to 2000 purchases per customer, dropout
    almost never to almost always, spend scales from cents to thousands): the log stays inside the window,
    sorted by customer then date, starts at each customer's first purchase, has n_repeat + 1 rows per
    customer and amounts in whole cents of at least 0.01, with no numpy warning."""
    import warnings

    knob_rng = np.random.default_rng(2026)
    log_uniform = lambda lo, hi: float(np.exp(knob_rng.uniform(np.log(lo), np.log(hi))))   # noqa: E731
    for i in range(12):
        weeks = int(knob_rng.integers(4, 521))
        k = dict(n_customers=int(knob_rng.integers(1, 1500)), weeks=weeks,
                 acquisition_weeks=int(knob_rng.integers(1, weeks + 1)), r=log_uniform(0.01, 100),
                 alpha=log_uniform(0.01, 1000), a=log_uniform(0.01, 100), b=log_uniform(0.01, 1000),
                 gg_p=float(knob_rng.uniform(0.1, 100)), gg_q=float(knob_rng.uniform(1.01, 100)),
                 gg_gamma=log_uniform(0.01, 10_000), segment_link=float(knob_rng.uniform(0, 1)))
        k["alpha"] = max(k["alpha"], k["r"] * weeks / 2000)       # at most ~2000 purchases per customer
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            w = make("transactions", seed=i, **k)
        t, c, latent = w.tables["transactions"], w.tables["customers"], w.truth["customers"]
        ids, dates = t["customer_id"].to_numpy(), t["date"].to_numpy()
        same = ids[1:] == ids[:-1]
        assert (np.diff(ids) >= 0).all() and (np.diff(dates)[same] >= np.timedelta64(0)).all(), k
        assert dates.min() >= np.datetime64("2024-01-01") and dates.max() < w.truth["observation_end"], k
        first = np.flatnonzero(np.r_[True, ~same])
        assert (dates[first] == c["first_purchase"].to_numpy()).all(), k
        assert (np.bincount(ids, minlength=k["n_customers"] + 1)[1:] == latent["n_repeat"] + 1).all(), k
        cents = t["amount"].to_numpy() * 100
        assert (cents >= 1 - 1e-9).all() and np.allclose(cents, np.round(cents)), k
