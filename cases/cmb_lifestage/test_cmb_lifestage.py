"""Case ``cmb_lifestage`` beyond the contract: the world (cases/cmb_lifestage/world.py) gives back its planted truth
— the life stage of every customer (recovered by the notebook's rules, measured by the adjusted Rand index), the
buying rates and next product of every stage (recovered from the training year by the notebook's buying-rate
model) — and the k-means clusters of the notebook follow the holding pattern rather than the stage.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import segmentation
from crmlab.checks import Checker, solve
from crmlab.worlds import make

PRODUCTS = ["credit_card", "consumer_loan", "mortgage", "education_fund", "insurance", "wealth_management", "annuity"]


def _load(world):
    from crmlab._casemodules import load_case_module

    return load_case_module("cmb_lifestage", "checks")


def _wide(world, table):
    ids = world.tables["customers"]["customer_id"]
    return pd.crosstab(table["customer_id"], table["product"]).reindex(index=ids, columns=PRODUCTS, fill_value=0) > 0


def _rates(world, groups):
    h = world.tables["holdings"]
    before, bought = _wide(world, h[h["months_held"] >= 12]), _wide(world, h[h["months_held"] < 12])
    return bought.groupby(groups.to_numpy()).sum() / (~before).groupby(groups.to_numpy()).sum(), (~before).groupby(
        groups.to_numpy()).sum()


@pytest.mark.parametrize("seed", [42, 7])
def test_rules_recover_the_planted_stage_far_better_than_the_clusters(seed):
    """Planted truth: the notebook's rules agree with the planted stage (ARI > 0.55, > 80% placed right); the k-means
    clusters of section 4.2 agree far less (ARI < 0.35), and follow the mortgage / wealth-management / loan holding
    pattern instead (ARI > 0.4)."""
    w = make("cmb_lifestage", seed=seed)
    checks = _load(w)
    cust = w.tables["customers"]
    stage = checks.life_stage(cust)
    planted = w.truth["customers"]["stage"]
    assert segmentation.adjusted_rand(stage, planted) > 0.55
    assert (stage.astype(str) == planted.reindex(stage.index).astype(str)).mean() > 0.8
    clusters = pd.Series(checks._clusters(w), index=stage.index)
    assert segmentation.adjusted_rand(clusters, planted) < 0.35
    held = _wide(w, w.tables["holdings"])
    pattern = pd.Series(held["mortgage"].astype(int) + 2 * held["wealth_management"] + 4 * held["consumer_loan"],
                        index=stage.index)
    assert segmentation.adjusted_rand(clusters, pattern) > 0.4


def test_buying_rates_by_planted_stage_recover_the_planted_rates():
    """Planted truth: last year's buying rate of each (planted stage, product), estimated from the holdings' opening
    months, lies within 4 binomial standard errors of the planted yearly rate truth['adopt']."""
    w = make("cmb_lifestage", seed=11, n_customers=20000)
    planted = w.truth["customers"]["stage"].reindex(w.tables["customers"]["customer_id"])
    rates, at_risk = _rates(w, planted.astype(str))
    for s, row in w.truth["adopt"].items():
        for p, q in row.items():
            se = np.sqrt(q * (1 - q) / max(int(at_risk.loc[s, p]), 1))
            assert abs(rates.loc[s, p] - q) <= 4 * se + 1e-9, (s, p)


@pytest.mark.parametrize("seed", [42, 5])
def test_notebook_model_finds_the_planted_next_product(seed):
    """Planted truth: the highest buying rate by rule-based stage names the planted next product of at least four of
    the five stages at the default size (all five with the planted stage and 20,000 customers)."""
    w = make("cmb_lifestage", seed=seed)
    stage = _load(w).life_stage(w.tables["customers"])
    rates, _ = _rates(w, stage.astype(str))
    found = rates.idxmax(axis=1)
    assert sum(found[s] == p for s, p in w.truth["next_product"].items()) >= 4
    big = make("cmb_lifestage", seed=seed, n_customers=20000)
    planted = big.truth["customers"]["stage"].reindex(big.tables["customers"]["customer_id"]).astype(str)
    found_big = _rates(big, planted)[0].idxmax(axis=1)
    assert all(found_big[s] == p for s, p in big.truth["next_product"].items())


def test_stage_model_beats_the_one_size_model_on_the_holdout_in_a_large_world():
    """The planted rates differ by stage, so recommending by rule-based stage hits more often in the holdout year than
    one offer for everyone (Q5's gain > 0.01 with 20,000 customers, where its standard error is about 0.003)."""
    w = make("cmb_lifestage", seed=3, n_customers=20000)
    assert solve("cmb_lifestage", w)["q5"] > 0.01


def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: the Q1 count right in one world is wrong in another seed's."""
    w1, w2 = make("cmb_lifestage", seed=1, n_customers=800), make("cmb_lifestage", seed=2, n_customers=800)
    a1, a2 = solve("cmb_lifestage", w1)["q1"], solve("cmb_lifestage", w2)["q1"]
    assert a1 != a2
    assert Checker("cmb_lifestage", w1)("q1", a1) and not Checker("cmb_lifestage", w2)("q1", a1)
