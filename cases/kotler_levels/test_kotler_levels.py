"""Case ``kotler_levels`` beyond the contract: the world (cases/kotler_levels/world.py) gives back its planted truth by
the notebook's own methods — renewal rates by segment and level (group means of the randomised pilot, as in the Boeing
case), each segment's best level by yearly profit per customer with lost customers replaced, the firm-wide
acquisition-to-retention cost ratio — and the planted economics behave as the source's rules of thumb say.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.worlds import make

LEVELS = ["basic", "reactive", "accountable", "proactive", "partnership"]


def _notebook_choice(w):
    """Section 4.4 of the notebook: pilot renewal by segment x level, then the most profitable level."""
    seg = w.tables["segments"].set_index("segment_id")
    acq = seg["acquisition_spend"] / seg["new_customers"]
    lv = w.tables["levels"].set_index("level")
    r = w.tables["pilot"].pivot_table(index="segment_id", columns="level", values="renewed", aggfunc="mean",
                                      observed=False).reindex(seg.index)
    profit = pd.DataFrame({k: seg["unit_margin"] - lv.loc[k, "cost_per_customer"]
                           - lv.loc[k, "fixed_cost_per_segment"] / seg["customers"] - (1 - r[k].astype(float)) * acq
                           for k in LEVELS})
    return r, profit.idxmax(axis=1)


@pytest.mark.parametrize("seed", [42, 7])
def test_pilot_renewal_rates_recover_the_planted_probabilities(seed):
    """Planted truth: with 5,000 pilot customers per segment (1,000 per cell) every segment x level rate lies within
    4 binomial standard errors of the planted probability, and the pooled rate rises with the level."""
    w = make("kotler_levels", seed=seed, pilot_per_segment=5000)
    r, _ = _notebook_choice(w)
    planted = w.truth["segments"][[f"r_{k}" for k in LEVELS]].to_numpy()
    se = np.sqrt(planted * (1 - planted) / 1000)
    assert (np.abs(r[LEVELS].to_numpy(dtype=float) - planted) < 4 * se).all()
    pooled = w.tables["pilot"].groupby("level", observed=False)["renewed"].mean()[LEVELS].to_numpy()
    assert (np.diff(pooled) > 0).all()


@pytest.mark.parametrize("seed", [42, 7])
def test_chosen_levels_agree_with_the_planted_best_levels(seed):
    """Planted truth: with a large pilot (20,000 a segment) the notebook's choice picks the planted best level (computed
    from the planted probabilities) for >= 85% of segments, and where it does not, the planted profit given up is
    under 3% of the segment's margin."""
    w = make("kotler_levels", seed=seed, pilot_per_segment=20_000)
    _, found = _notebook_choice(w)
    t = w.truth["segments"]
    planted = t["best_level"].astype(str)
    assert (found == planted).mean() >= 0.85
    margin = w.tables["segments"].set_index("segment_id")["unit_margin"]
    for i in found.index[found != planted]:
        lost = t.loc[i, f"profit_{planted[i]}"] - t.loc[i, f"profit_{found[i]}"]
        assert 0 <= lost < 0.03 * margin[i]


@pytest.mark.parametrize("multiple", [1.0, 5.0, 12.0])
def test_measured_cost_ratio_follows_the_knob(multiple):
    """Planted truth: the firm-wide acquisition cost per new customer over the retention cost per customer (Q2's
    computation) equals the truth's ratio and lies within 20% of acquisition_multiple."""
    w = make("kotler_levels", seed=11, n_segments=80, acquisition_multiple=multiple)
    s = w.tables["segments"]
    ratio = (s["acquisition_spend"].sum() / s["new_customers"].sum()) / (s["retention_spend"].sum() / s["customers"].sum())
    assert ratio == pytest.approx(w.truth["acquisition_ratio"])
    assert ratio == pytest.approx(multiple, rel=0.2)


def test_dearer_acquisition_and_fewer_customers_push_segments_up_the_levels():
    """Planted truth, independent of estimation: raising acquisition_multiple from 1 to 12 raises the mean planted level
    of the segments; the planted partners have fewer customers and higher margins than the planted basic segments."""
    lo = make("kotler_levels", seed=5, n_segments=100, acquisition_multiple=1.0)
    hi = make("kotler_levels", seed=5, n_segments=100, acquisition_multiple=12.0)
    code = {lv: i for i, lv in enumerate(LEVELS)}
    mean_level = [np.mean([code[str(v)] for v in w.truth["segments"]["best_level"]]) for w in (lo, hi)]
    assert mean_level[1] > mean_level[0] + 0.5
    t = hi.truth["segments"].join(hi.tables["segments"].set_index("segment_id"))
    partners, basic = t[t["best_level"] == "partnership"], t[t["best_level"] == "basic"]
    assert partners["customers"].median() < basic["customers"].median()
    assert partners["unit_margin"].median() > basic["unit_margin"].median()
