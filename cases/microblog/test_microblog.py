"""Case ``microblog`` beyond the contract: the world (cases/microblog/world.py) gives back its planted truth — the
microblog penetration among internet users, the channels' response rates (recovered by the pilot), the expected
responders of every channel mix (recovered by the notebook's reach-pattern method against a brute-force simulation)
and the truly best mix — and the quoted CNNIC figures are the source's, consistent with each other.
"""
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from crmlab.checks import Checker, solve
from crmlab.worlds import make

CHANNELS = ["microblog", "sms", "email", "call_centre", "print"]


def _reach(w) -> pd.DataFrame:
    ch = w.tables["channels"]
    cols = dict(zip(ch["channel"].astype(str), ch["reach_column"].astype(str)))
    return pd.DataFrame({c: w.tables["customers"][cols[c]] for c in CHANNELS})


def _pattern_mixes(reach: pd.DataFrame, rates: pd.Series) -> pd.Series:
    """The notebook's method (section 4.5): expected responders of every mix from the reach patterns."""
    patterns = reach.value_counts().rename("customers").reset_index()
    out = {}
    for size in range(len(CHANNELS) + 1):
        for mix in combinations(CHANNELS, size):
            miss = np.ones(len(patterns))
            for c in mix:
                miss = miss * (1 - rates[c] * patterns[c])
            out[" + ".join(mix) if mix else "none"] = float(((1 - miss) * patterns["customers"]).sum())
    return pd.Series(out)


@pytest.mark.parametrize("seed", [42, 7])
def test_cnnic_table_is_the_source_and_consistent(seed):
    """The source's figures (source 4, line 29), whatever the seed: users / internet users reproduce the quoted
    penetration to its rounding, the growth rate is about 2.08 (multiple about 3.08), the planted truth agrees."""
    w = make("microblog", seed=seed, n_customers=1000)
    f = w.tables["cnnic"].set_index(["figure", "period"])["value"]
    assert f[("microblog_users", "2011-06")] / f[("internet_users", "2011-06")] == pytest.approx(0.402, abs=5e-4)
    end2010 = f[("internet_users", "2011-06")] - f[("internet_users_added", "2011-H1")]
    assert f[("microblog_users", "2010-12")] / end2010 == pytest.approx(0.138, abs=5e-4)
    growth = f[("microblog_users", "2011-06")] / f[("microblog_users", "2010-12")] - 1
    assert growth == pytest.approx(w.truth["microblog_growth_rate"]) == pytest.approx(2.080, abs=1e-3)


@pytest.mark.parametrize("seed", [42, 11])
def test_penetration_among_internet_users_recovers_the_knob(seed):
    """Planted truth: microblog users / internet users (Q2's method) within 3 binomial standard errors of the knob;
    microblog users are all internet users, followers all microblog users."""
    w = make("microblog", seed=seed, n_customers=40000, microblog_penetration=0.3)
    c = w.tables["customers"]
    net = c["internet_user"]
    p = c.loc[net, "microblog_user"].mean()
    assert abs(p - 0.3) < 3 * np.sqrt(0.3 * 0.7 / net.sum())
    assert not (c["microblog_user"] & ~net).any() and not (c["follows_brand"] & ~c["microblog_user"]).any()


@pytest.mark.parametrize("seed", [42, 5])
def test_pilot_recovers_the_planted_response_rates(seed):
    """Planted truth: with a large pilot, each channel's pilot rate lies within 4 binomial standard errors of the
    planted rate, and the pilot contacts are members of the channel's audience."""
    w = make("microblog", seed=seed, n_customers=60000, pilot_size=4000)
    pilot, reach = w.tables["pilot"], _reach(w)
    planted = w.truth["channels"]["response_rate"]
    for c in CHANNELS:
        part = pilot[pilot["channel"] == c]
        assert reach.loc[part["customer_id"].to_numpy() - 1, c].all()
        r, n = planted[c], len(part)
        assert abs(part["responded"].mean() - r) < 4 * np.sqrt(r * (1 - r) / n) + 1e-12, c


def test_reach_pattern_method_agrees_with_a_customer_by_customer_simulation():
    """The notebook's reach-pattern formula for expected responders equals the planted truth (the world computes it
    customer by customer), and a brute-force simulation of independent responses agrees within its noise."""
    w = make("microblog", seed=3, n_customers=5000)
    reach = _reach(w)
    planted = w.truth["channels"]["response_rate"]
    formula = _pattern_mixes(reach, planted)
    truth = w.truth["mixes"]["responders"]
    assert formula.reindex(truth.index).to_numpy() == pytest.approx(truth.to_numpy(), rel=1e-9)
    rng = np.random.default_rng(0)
    sims = 400
    R = reach.to_numpy()
    hits = rng.random((sims, *R.shape)) < planted.to_numpy()
    for mix in ["call_centre + print", "microblog + sms + email", "microblog + sms + email + call_centre + print"]:
        idx = [CHANNELS.index(c) for c in mix.split(" + ")]
        responders = (hits[:, :, idx] & R[:, idx]).any(axis=2).sum(axis=1)
        se = responders.std(ddof=1) / np.sqrt(sims)
        assert abs(responders.mean() - truth[mix]) < 4 * se, mix


@pytest.mark.parametrize("seed", [42, 2718281])
def test_truly_best_mix_is_recovered_by_a_large_pilot(seed):
    """Planted truth: with a pilot of 4000 per channel the notebook's choice (solutions' Q5 method at the full budget)
    is the truly best mix or loses under 3% of its expected responders."""
    w = make("microblog", seed=seed, pilot_size=4000, n_customers=40000, budget=50000.0)
    reach = _reach(w)
    pilot = w.tables["pilot"]
    rates = pilot.groupby("channel", observed=False)["responded"].mean().reindex(CHANNELS)
    cost = w.tables["channels"].set_index(w.tables["channels"]["channel"].astype(str))["cost_per_contact"]
    mixes = w.truth["mixes"].assign(estimated=_pattern_mixes(reach, rates))
    ok = mixes[mixes["cost"] <= 50000.0]
    chosen = ok["estimated"].idxmax()
    best = " + ".join(w.truth["best_mix"])
    assert cost.index.tolist() == CHANNELS
    assert mixes.loc[chosen, "responders"] >= 0.97 * mixes.loc[best, "responders"]


def test_checks_use_the_students_own_world():
    """The same Q5 answer is judged against each world: a larger budget changes the best mix (recomputed by the
    notebook's solution), and the answer right in one world is refused in the other."""
    w1 = make("microblog", seed=1)
    w2 = make("microblog", seed=1, budget=60000.0)
    a1, a2 = solve("microblog", w1)["q5"], solve("microblog", w2)["q5"]
    assert set(a1) != set(a2)
    assert Checker("microblog", w1)("q5", a1) and Checker("microblog", w2)("q5", a2)
    assert not Checker("microblog", w2)("q5", a1)
