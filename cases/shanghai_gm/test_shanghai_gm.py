"""Case ``shanghai_gm`` beyond the contract: the Kaplan–Meier curve the notebook draws (statsmodels' SurvfuncRight)
equals a direct count where nothing is censored and the planted uncensored times where censoring is light; the
notebook's lookup and classification recover the planted owner and problem type; routing and the station queues
recover the planted routing rule and utilisation (cases/shanghai_gm/world.py plants them)."""
import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from crmlab.checks import Checker, solve
from crmlab.worlds import make

from crmlab._casemodules import load_case_module

checks = load_case_module("shanghai_gm", "checks")


@pytest.fixture(scope="module", params=[42, 7])
def world(request):
    return make("shanghai_gm", seed=request.param)


def test_kaplan_meier_equals_a_direct_count_without_censoring(world):
    """Independent count: on the planted, uncensored resolution times of every ticket, S(t) from SurvfuncRight equals
    the share of tickets with a time above t at every event time (to rounding)."""
    t = world.truth["tickets"]["resolve_hours"].to_numpy()
    fit = SurvfuncRight(t, np.ones_like(t))
    direct = (t[None, :] > fit.surv_times[:, None]).mean(axis=1)
    assert np.abs(fit.surv_prob - direct).max() < 1e-12
    # the notebook's own check: the closed 'before' tickets (no censoring among them)
    tickets, _ = checks._notebook(world)
    closed = tickets[(tickets["era"] == "before") & tickets["resolve_done"]]
    fit = checks._sm_km(closed)
    direct = (closed["resolve_h"].to_numpy()[None, :] > fit.surv_times[:, None]).mean(axis=1)
    assert np.abs(fit.surv_prob - direct).max() < 1e-12


def test_kaplan_meier_recovers_the_planted_times_where_the_naive_summaries_do_not(world):
    """Planted truth (uncensored times in truth['tickets']): the Kaplan–Meier median of the 'after' tickets is within 8%
    of the planted median and its share open at 14 days within 0.02 of the planted share; the mean of the closed
    tickets is more than 1.5 x the planted median (skew) and the closed-only share open at 14 days is below the
    planted one (censoring drops the long tickets)."""
    tickets, _ = checks._notebook(world)
    after = tickets[tickets["era"] == "after"]
    fit = checks._sm_km(after)
    planted_median = world.truth["median_resolve_hours"]["after"]
    assert fit.quantile(0.5) == pytest.approx(planted_median, rel=0.08)
    assert checks._surv_at(fit, 336) == pytest.approx(world.truth["share_open_14d"]["after"], abs=0.02)
    closed = after.loc[after["resolve_done"], "resolve_h"]
    assert closed.mean() > 1.5 * planted_median
    assert (closed > 336).mean() < world.truth["share_open_14d"]["after"]


def test_lookup_and_classification_recover_the_planted_owner_and_type(world):
    """Planted truth: every ticket linked (by phone, or by name and model) points to the planted owner; every
    complaint is classified into the planted problem type; the tickets left unlinked all lack a phone."""
    tickets, _ = checks._notebook(world)
    planted = world.truth["tickets"].reindex(tickets["ticket_id"])
    linked = tickets["owner_id_any"].notna().to_numpy()
    assert (tickets.loc[linked, "owner_id_any"].to_numpy() == planted.loc[linked, "owner_id"].to_numpy()).all()
    assert tickets.loc[~linked, "caller_phone"].isna().all()
    assert (tickets["problem_class"].to_numpy() == planted["problem_class"].astype(str).to_numpy()).all()


def test_routing_and_utilisation_recover_the_planted_rule(world):
    """Planted truth: after go-live every linked ticket went to the nearest station; before it, the share sent to the
    nearest station is within 0.04 of the planted share; each station's utilisation found from the tickets is within
    0.2 (Poisson noise of a few hundred arrivals) of the planted expected utilisation."""
    _, linked = checks._notebook(world)
    after = linked[linked["era"] == "after"]
    assert (after["station_id"] == after["nearest"]).all()
    before = linked[linked["era"] == "before"]
    assert (before["station_id"] == before["nearest"]).mean() == pytest.approx(world.truth["share_nearest_before"],
                                                                               abs=0.04)
    tk, st = world.tables["tickets"], world.tables["stations"].set_index("station_id")
    counts = pd.crosstab(tk["station_id"], tk["era"]).reindex(st.index, fill_value=0)
    found = counts["after"] / world.truth["days_after"] / st["capacity_per_day"]
    assert np.abs(found - world.truth["stations"]["utilisation_after"]).max() < 0.2


def test_routing_counterfactual_and_capacity_move_the_queue():
    """The levers act as planted: with routing_after='dealer' the 'after' tickets go to the dealer station as before,
    and halving capacity_factor doubles every planted utilisation; the Q5 check follows the student's own world."""
    w1 = make("shanghai_gm", seed=5, n_owners=4000)
    w2 = make("shanghai_gm", seed=5, n_owners=4000, routing_after="dealer")
    w3 = make("shanghai_gm", seed=5, n_owners=4000, capacity_factor=1.0)
    assert w2.truth["stations"]["utilisation_after"].max() < w1.truth["stations"]["utilisation_after"].max()
    assert np.allclose(w2.truth["stations"]["utilisation_after"], w2.truth["stations"]["utilisation_before"])
    ratio = (w3.truth["stations"]["arrivals_per_day_before"] / w3.truth["stations"]["capacity_per_day"]) / \
            (w1.truth["stations"]["arrivals_per_day_before"] / w1.truth["stations"]["capacity_per_day"])
    assert ratio.to_numpy() == pytest.approx(2.0, rel=0.02)   # capacities are rounded to 3 decimals
    a1, a3 = solve("shanghai_gm", w1)["q5"], solve("shanghai_gm", w3)["q5"]
    assert Checker("shanghai_gm", w1)("q5", a1) and not Checker("shanghai_gm", w3)("q5", a1)
    assert Checker("shanghai_gm", w3)("q5", a3)
