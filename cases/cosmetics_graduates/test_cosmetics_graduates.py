"""Case ``cosmetics_graduates`` beyond the contract: the world (cases/cosmetics_graduates/world.py) gives back its
planted truth — stage rates, yearly retention by channel, CLV by channel, the shows' ROI — and the notebook's own
methods (funnel shares, censoring-aware retention, ``value.retention_clv``, the pooled ROI and its bootstrap) recover
it, at the default seed and at another.
"""
import numpy as np
import pytest

from crmlab.checks import solve
from crmlab.worlds import make

from crmlab._casemodules import load_case_module

retention_table = load_case_module("cosmetics_graduates", "checks").retention_table  # the notebook's `trans`


@pytest.fixture(scope="module", params=[42, 7])
def world(request):
    return make("cosmetics_graduates", seed=request.param)


def test_funnel_stage_rates_recover_the_planted_probabilities(world):
    """Planted truth: each conditional stage rate (attend, form | attend, buy | form) is within 3 binomial standard
    errors of the planted probability, and the overall conversion of their product."""
    g, t = world.tables["graduates"], world.truth["stage_rates"]
    pairs = [(len(g), g["attended"].sum(), t["attend"]),
             (g["attended"].sum(), g["form_returned"].sum(), t["form_given_attend"]),
             (g["form_returned"].sum(), g["first_purchase"].sum(), t["buy_given_form"])]
    for n, x, p in pairs:
        assert abs(x / n - p) <= 3 * np.sqrt(p * (1 - p) / n)


def test_retention_and_clv_by_channel_recover_the_planted_values(world):
    """Planted truth: the censoring-aware retention per channel is within 3 standard errors of the planted geometric
    retention; the CLV from the found margin and retention is within 6% of the planted CLV."""
    trans = retention_table(world)
    for ch, r in world.truth["retention"].items():
        kept = trans.loc[trans["channel"] == ch, "retained"]
        assert abs(kept.mean() - r) <= 3 * np.sqrt(r * (1 - r) / len(kept)), ch
    clv_event = solve("cosmetics_graduates", world)["q3"]
    assert clv_event == pytest.approx(world.truth["clv"]["event"], rel=0.06)


def test_ignoring_censoring_biases_retention_down(world):
    """Against the planted retention: counting the last observed year as lost gives a retention clearly below the
    planted one, while the notebook's estimate does not."""
    y = world.tables["yearly"]
    ev_ids = world.tables["customers"].query("channel == 'event'")["customer_id"]
    ev = y[y["customer_id"].isin(ev_ids)]
    follow = set(zip(ev["customer_id"], ev["year"] - 1))
    naive = np.mean([(c, yr) in follow for c, yr in zip(ev["customer_id"], ev["year"])])
    assert naive < world.truth["retention"]["event"] - 0.05


def test_roi_is_close_to_the_planted_expected_roi(world):
    """Planted truth: the pooled ROI of all shows is within 10% of the planted expected ROI of one show (every show
    has the same expected cost and value)."""
    roi = solve("cosmetics_graduates", world)["q5"]
    assert roi == pytest.approx(world.truth["roi"], rel=0.10)


def test_world_is_deterministic_and_cohorts_are_complete():
    """Independent of the analysis: each cohort holds n_graduates invitees and the other channels n_other customers
    a year; no customer buys after the last year or before being won."""
    w = make("cosmetics_graduates", seed=3, n_graduates=200, n_other=50, n_cohorts=3)
    assert (w.tables["graduates"].groupby("cohort").size() == 200).all()
    c = w.tables["customers"]
    assert (c[c["channel"] != "event"].groupby("cohort").size() == 50).all()
    y = w.tables["yearly"].merge(c, on="customer_id")
    assert (y["year"] >= y["cohort"]).all() and y["year"].max() == w.truth["last_year"]
