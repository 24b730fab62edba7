"""Case ``frequent_flyer`` beyond the contract: the world (cases/frequent_flyer/world.py) gives back its planted
truth — the first-mover lift, the imitation's effect and the extra trips per member — by the notebook's own method
(ratio-of-ratios difference in differences, crmlab.effects), and the checks of cases/frequent_flyer/checks.py judge
against the student's own world.
"""
import numpy as np
import pytest

from crmlab import effects
from crmlab.checks import Checker, solve
from crmlab.worlds import make


def _did(world):
    """The notebook's two differences in differences (sections 4.2 and 4.3) on a world."""
    pax = world.tables["passengers"].merge(world.tables["routes"], on="route_id").set_index("passenger_id").sort_index()
    f = world.tables["flights"]
    trips = f.pivot(index="passenger_id", columns="quarter", values="trips").reindex(pax.index)
    imit = world.knobs["imitation_quarter"]
    before, window, after = (trips.loc[:, :1].mean(axis=1), trips.loc[:, 2:imit - 1].mean(axis=1),
                             trips.loc[:, imit:].mean(axis=1))
    m = pax["member"]
    return (effects.did_ratio(before, window, m),
            effects.did_ratio(window[m], after[m], pax.loc[m, "rival_copies"]))


@pytest.mark.parametrize("seed", [42, 7])
def test_difference_in_differences_recovers_the_planted_lift_and_erosion(seed):
    """Planted truth (knobs lift and erosion, truth['imitation_effect'] = (1 + lift (1 - erosion)) / (1 + lift) - 1):
    on a large world the launch DiD is within 0.06 of the lift and the imitation DiD within 0.04 of the planted
    effect — sampling error only, since the model is multiplicative and the trends parallel by construction."""
    w = make("frequent_flyer", seed=seed, n_passengers=20_000)
    lift, imitation = _did(w)
    assert lift == pytest.approx(w.truth["lift"], abs=0.06)
    assert imitation == pytest.approx(w.truth["imitation_effect"], abs=0.04)
    assert w.truth["imitation_effect"] == pytest.approx((1 + 0.3 * 0.2) / 1.3 - 1)


def test_no_imitation_effect_when_nothing_erodes():
    """Planted truth: with erosion = 0 the imitation changes nothing, and the bootstrap interval of the notebook's
    estimate covers zero."""
    w = make("frequent_flyer", seed=3, n_passengers=6000, erosion=0.0)
    pax = w.tables["passengers"].merge(w.tables["routes"], on="route_id").set_index("passenger_id").sort_index()
    trips = w.tables["flights"].pivot(index="passenger_id", columns="quarter", values="trips").reindex(pax.index)
    m = pax["member"]
    res = effects.did_ratio_bootstrap(trips.loc[m, 2:7].mean(axis=1), trips.loc[m, 8:].mean(axis=1),
                                      pax.loc[m, "rival_copies"], n_boot=300, seed=1)
    assert res.spans_zero


def test_extra_trips_estimate_matches_the_planted_incremental_trips():
    """Planted truth['incremental_trips_per_member_quarter']: trips x L / (1 + L) with the planted lift (not the
    estimate) reproduces the planted extra trips in the first-mover window within 5% (only Poisson noise)."""
    w = make("frequent_flyer", seed=11, n_passengers=20_000)
    pax = w.tables["passengers"].set_index("passenger_id")
    f = w.tables["flights"]
    imit = w.knobs["imitation_quarter"]
    part = f[f["passenger_id"].isin(pax.index[pax["member"]]) & f["quarter"].between(2, imit - 1)]
    lift = w.truth["lift"]
    assert part["trips"].mean() * lift / (1 + lift) == pytest.approx(
        w.truth["incremental_trips_per_member_quarter"]["window"], rel=0.05)


def test_miles_books_balance_and_awards_follow_the_threshold():
    """Invariant of the mechanism: miles redeemed = awards x threshold, never more than earned per member, and the
    planted outstanding miles = earned - redeemed; non-members earn nothing."""
    w = make("frequent_flyer", seed=5, n_passengers=1500, award_threshold=40_000)
    f, pax = w.tables["flights"], w.tables["passengers"].set_index("passenger_id")
    assert np.allclose(f["miles_redeemed"], f["awards"] * 40_000)
    per = f.groupby("passenger_id")[["miles_earned", "miles_redeemed"]].sum()
    assert (per["miles_redeemed"] <= per["miles_earned"] + 1e-9).all()
    assert per["miles_earned"].sum() - per["miles_redeemed"].sum() == pytest.approx(w.truth["miles_outstanding"])
    assert per.loc[~pax["member"], "miles_earned"].sum() == 0


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q5 net value right in one world is wrong in a world whose
    award seats cost twice as much (recomputed by the notebook's solution)."""
    w1 = make("frequent_flyer", seed=1, n_passengers=800)
    w2 = make("frequent_flyer", seed=1, n_passengers=800, award_cost=300.0)
    a1, a2 = solve("frequent_flyer", w1)["q5"], solve("frequent_flyer", w2)["q5"]
    assert Checker("frequent_flyer", w1)("q5", a1) and Checker("frequent_flyer", w2)("q5", a2)
    assert not Checker("frequent_flyer", w2)("q5", a1)
