"""Case ``citibank_vip`` beyond the contract: the notebook's methods (cases/citibank_vip/world.py, notebooks/
citibank_vip.ipynb) recover the planted truth — the fee's effect on the closing rate per tier (campaign uplift), the
stronger reaction of young starters, the effect on profit (difference in mean change), the VIP personas (k-means on
the four dimensions of the source) and each persona's best bundle (random offers) — at the default seed and another.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import churn, segmentation
from crmlab.worlds import make

SEEDS = [42, 7]


@pytest.fixture(scope="module", params=SEEDS)
def world(request):
    return make("citibank_vip", seed=request.param)


def test_uplift_per_tier_covers_the_planted_rise(world):
    """Planted truth: truth['effects'][tier]['rate_rise'] (expected rise in the closing rate from the planted logit)
    lies inside the Newcombe 99.9% interval of the pilot's uplift in every tier; the small tier's rise is large."""
    up = churn.campaign_uplift(world.tables["accounts"], treatment_col="fee_notice", response_col="closed",
                               segment_col="balance_tier", level=0.999).set_index("segment")
    for tier, eff in world.truth["effects"].items():
        assert up.loc[tier, "ci_low"] <= eff["rate_rise"] <= up.loc[tier, "ci_high"], tier
    assert up.loc["small", "ci_low"] > 0.1


def test_savers_with_potential_react_more(world):
    """Planted truth: young starters' log-odds effect is twice the others'; the notebook's observable rule (under 35,
    income >= 8,000) shows a larger uplift for the flagged part of the small tier, and most flagged are young starters."""
    a = world.tables["accounts"]
    small = a[a["balance_tier"] == "small"].assign(potential=lambda d: (d["age"] < 35) & (d["income"] >= 8000))
    up = churn.campaign_uplift(small, treatment_col="fee_notice", response_col="closed",
                               segment_col="potential").set_index("segment")
    assert up.loc[True, "uplift"] > up.loc[False, "uplift"]
    seg = world.truth["accounts"].loc[small["customer_id"], "segment"].to_numpy()
    assert (seg[small["potential"].to_numpy()] == "young_starter").mean() > 0.8


def test_profit_change_of_the_small_tier_matches_the_expected_change(world):
    """Planted truth: truth['profit_change']['small'] (expected change from the planted closing probabilities) within 4
    Welch standard errors of the notebook's difference in mean change."""
    a = world.tables["accounts"]
    profit = a["revenue"] - a["cost_to_serve"]
    change = (a["revenue"] + a["fee_due"] - a["cost_to_serve"]).where(~a["closed"], 0.0) - profit
    s = a["balance_tier"] == "small"
    told, other = change[s & a["fee_notice"]], change[s & ~a["fee_notice"]]
    se = np.sqrt(told.var() / len(told) + other.var() / len(other))
    assert abs(told.mean() - other.mean() - world.truth["profit_change"]["small"]) < 4 * se


def test_vip_segments_recover_personas_and_best_bundles(world):
    """Planted truth: k-means on assets, income, children and risk score (log-scaled, k = 4) agrees with the planted
    personas (adjusted Rand > 0.5), and the best bundle found in each segment is the planted best bundle of its
    majority persona in at least 3 of 4 segments."""
    acc = world.tables["accounts"]
    vip = acc[acc["balance_tier"] == "vip"].merge(world.tables["vip_offers"], on="customer_id")
    seg = segmentation.kmeans_segments(vip, ["assets", "income", "children", "risk_score"], "assets", k=4,
                                       k_range=None, scale="log", seed=0)
    persona = world.truth["accounts"].loc[vip["customer_id"], "persona"].to_numpy()
    labels = seg.labels.to_numpy()
    assert segmentation.adjusted_rand(pd.Series(labels), pd.Series(persona)) > 0.5
    best = vip.assign(s=labels).pivot_table(index="s", columns="bundle", values="accepted", aggfunc="mean",
                                            observed=True).idxmax(axis=1)
    majority = pd.crosstab(labels, persona).idxmax(axis=1)
    assert (best == majority.map(world.truth["best_bundle"])).sum() >= 3
