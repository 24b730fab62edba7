"""Case ``china_mobile_12580`` beyond the contract: the world (cases/china_mobile_12580/world.py) gives back its planted
truth — the uplift of the SMS over the random hold-out, by frequency, sending time and segment, and the opt-out
probability by frequency — when measured the notebook's way (differences of engagement rates against the hold-out,
opt-out shares by frequency); the 95% intervals cover the planted uplift about as often as promised; the self-selected
comparison of clickers with non-clickers overstates it; and the checks judge against the student's own world.
"""
import numpy as np
import pytest

from crmlab import effects
from crmlab.checks import Checker, solve
from crmlab.worlds import make

CASE = "china_mobile_12580"


def _rates(s, mask):
    return s.loc[mask, "engaged"].mean()


@pytest.fixture(scope="module", params=[42, 7])
def big(request):
    return make(CASE, seed=request.param, n_subscribers=100_000)


def test_hold_out_difference_recovers_the_planted_uplift(big):
    """Planted truth: the mean of p_with - p_without over the SMS subscribers (truth['subscribers']), overall, by
    frequency, by sending time and by segment, against the notebook's difference of engagement rates (within 3.5
    standard errors of a difference of two proportions)."""
    s, t = big.tables["subscribers"], big.truth
    sms, hold = (s["group"] == "sms").to_numpy(), (s["group"] == "holdout").to_numpy()

    def within(mask, base_mask, planted):
        p1, p0 = _rates(s, mask), _rates(s, base_mask)
        se = np.sqrt(p1 * (1 - p1) / mask.sum() + p0 * (1 - p0) / base_mask.sum())
        assert abs((p1 - p0) - planted) < 3.5 * se, (p1 - p0, planted, se)

    within(sms, hold, t["uplift"])
    for f, planted in t["uplift_by_frequency"].items():
        within(sms & (s["frequency"] == int(f)).to_numpy(), hold, planted)
    for slot, planted in t["uplift_by_slot"].items():
        within(sms & (s["send_slot"] == slot).to_numpy(), hold, planted)
    for seg, planted in t["uplift_by_segment"].items():
        in_seg = (s["segment"] == seg).to_numpy()
        within(sms & in_seg, hold & in_seg, planted)
    # the per-subscriber truth agrees with the scalar truth it summarises
    lift = (t["subscribers"]["p_with"] - t["subscribers"]["p_without"]).to_numpy()
    assert lift[sms].mean() == pytest.approx(t["uplift"], rel=1e-12)
    assert np.all(lift[hold] == 0)


def test_optout_shares_recover_the_planted_fatigue(big):
    """Planted truth: opt-out probability 1 - (1 - optout_rate x f ** fatigue) ** 8 per frequency, against the share of
    subscribers who opted out (within 4 binomial standard errors); fatigue > 1 makes the 7:1 ratio exceed 7."""
    s, t = big.tables["subscribers"], big.truth
    for f, planted in t["optout_probability"].items():
        part = s.loc[s["frequency"] == int(f), "opted_out"]
        se = np.sqrt(planted * (1 - planted) / len(part))
        assert abs(part.mean() - planted) < 4 * se
    assert not s.loc[s["group"] == "holdout", "opted_out"].any()
    rates = s[s["group"] == "sms"].groupby("frequency")["opted_out"].mean()
    assert rates[7] / rates[1] > 7


def test_intervals_cover_the_planted_uplift_about_as_promised():
    """Coverage: over 20 seeds at 5,000 subscribers the notebook's normal-approximation 95% interval holds the planted
    uplift in at least 16 (binomial(20, 0.95) falls below 16 with probability < 0.3%), and the bootstrap percentile
    interval (crmlab.effects, 200 draws) has its ends within 0.6 points of the normal one."""
    covered = 0
    for seed in range(20):
        w = make(CASE, seed=seed, n_subscribers=5000)
        s = w.tables["subscribers"]
        e1 = s.loc[s["group"] == "sms", "engaged"]
        e0 = s.loc[s["group"] == "holdout", "engaged"]
        d = e1.mean() - e0.mean()
        se = np.sqrt(e1.mean() * (1 - e1.mean()) / len(e1) + e0.mean() * (1 - e0.mean()) / len(e0))
        covered += abs(d - w.truth["uplift"]) <= 1.96 * se
        if seed < 3:
            boot = effects.bootstrap_group_means(s[["engaged"]].astype(float), s["group"].astype(str), n_boot=200,
                                                 seed=seed)
            low, high = effects.percentile_interval(boot[("sms", "engaged")] - boot[("holdout", "engaged")])
            assert low == pytest.approx(d - 1.96 * se, abs=0.006) and high == pytest.approx(d + 1.96 * se, abs=0.006)
    assert covered >= 16


def test_clickers_overstate_the_effect(big):
    """Self-selection: the engagement gap of clickers over non-clickers among SMS subscribers is more than 1.5 times the
    planted uplift, and clickers have a higher planted responsiveness (truth['subscribers'])."""
    s, t = big.tables["subscribers"], big.truth
    sms = s[s["group"] == "sms"]
    clicked = sms["messages_clicked"] > 0
    gap = sms.loc[clicked, "engaged"].mean() - sms.loc[~clicked, "engaged"].mean()
    assert gap > 1.5 * t["uplift"]
    resp = t["subscribers"]["responsiveness"].reindex(sms["subscriber_id"]).to_numpy()
    assert resp[clicked.to_numpy()].mean() > resp[~clicked.to_numpy()].mean() + 0.2


def test_randomisation_is_balanced(big):
    """Design: the hold-out is random — its share matches holdout_share and each segment's share differs between the
    groups by less than 1.5 points."""
    s = big.tables["subscribers"]
    assert (s["group"] == "holdout").mean() == pytest.approx(big.knobs["holdout_share"], abs=0.01)
    mix = s.groupby("group", observed=True)["segment"].value_counts(normalize=True).unstack()
    assert (mix.loc["sms"] - mix.loc["holdout"]).abs().max() < 0.015


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q2 cost right in one world is wrong in a world where each SMS
    costs twice as much (recomputed by the notebook's solution)."""
    w1 = make(CASE, seed=1, n_subscribers=4000)
    w2 = make(CASE, seed=1, n_subscribers=4000, cost_per_sms=0.10)
    a1, a2 = solve(CASE, w1)["q2"], solve(CASE, w2)["q2"]
    assert a2 == pytest.approx(2 * a1)
    assert Checker(CASE, w1)("q2", a1) and not Checker(CASE, w2)("q2", a1)
