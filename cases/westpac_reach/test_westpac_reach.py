"""Case ``westpac_reach`` beyond the contract: the notebook's method — uplift of each target list from the randomised
control group, the next-best-offer propensity model, incremental revenue per contact — recovers what the world
(cases/westpac_reach/world.py) planted: the per-customer effect of the offer and the expected fee of a purchase.
"""
import numpy as np
import pytest

from crmlab.checks import solve
from crmlab.worlds import make

FEATURES = ["research_visits", "log_balance", "age", "tenure_years", "holds_card", "holds_home_loan",
            "holds_insurance", "online_banking"]


def _notebook_objects(world):
    """Section 4 of the notebook: the NBO propensity model (statsmodels logit on holdings) and three lists of size k."""
    import statsmodels.formula.api as smf

    cu = world.tables["customers"].assign(log_balance=lambda d: np.log(d["balance"]))
    model = smf.logit("holds_fund ~ " + " + ".join(FEATURES),
                      data=cu.astype({c: float for c in ["holds_fund", *FEATURES]})).fit(disp=0)
    cu["nbo_score"] = model.predict(cu.astype({c: float for c in FEATURES}))
    camp = world.tables["campaign"].merge(cu, on="customer_id")
    k = int(camp["large_deposit"].sum())
    return {"camp": camp, "lists": {"intuitive": camp.nlargest(k, "balance"), "trigger": camp[camp["large_deposit"]],
                                    "nbo": camp.nlargest(k, "nbo_score")}}


@pytest.fixture(scope="module", params=[42, 5])
def big(request):
    return make("westpac_reach", seed=request.param, n_customers=60000)


def _planted(world, frame):
    return world.truth["customers"].loc[frame["customer_id"]]


def test_list_uplifts_match_the_planted_effect(big):
    """Each list's uplift (offered minus control purchase rate) lies within 3.5 standard errors of the mean planted
    uplift p1 - p0 of its customers — an independent quantity the estimate never sees."""
    o = _notebook_objects(big)
    for name, frame in o["lists"].items():
        r = frame.groupby("treated")["bought"].agg(["mean", "size"])
        est = r.loc[True, "mean"] - r.loc[False, "mean"]
        se = np.sqrt((r["mean"] * (1 - r["mean"]) / r["size"]).sum())
        assert abs(est - _planted(big, frame)["uplift"].mean()) < 3.5 * se, name


def test_wealthy_list_responds_but_is_not_persuaded(big):
    """Planted: the largest balances buy on their own (high control rate) and gain least from the offer; the trigger
    and next-best-offer lists gain more. Checked on the planted uplift and on the estimated control rates."""
    o = _notebook_objects(big)
    planted = {n: _planted(big, f)["uplift"].mean() for n, f in o["lists"].items()}
    assert planted["intuitive"] < 0.5 * min(planted["trigger"], planted["nbo"])
    control = {n: f.loc[~f["treated"], "bought"].mean() for n, f in o["lists"].items()}
    assert control["intuitive"] > control["trigger"]
    assert big.truth["uplift_trigger"] == pytest.approx(planted["trigger"])


def test_incremental_revenue_recovers_the_planted_value(big):
    """Incremental revenue per contact (difference of mean revenue) within 3.5 standard errors of the planted
    expected value, mean of uplift x expected fee of a purchase over the list."""
    o = _notebook_objects(big)
    for name, frame in o["lists"].items():
        t, c = frame.loc[frame["treated"], "revenue"], frame.loc[~frame["treated"], "revenue"]
        se = np.sqrt(t.var() / len(t) + c.var() / len(c))
        p = _planted(big, frame)
        assert abs(t.mean() - c.mean() - (p["uplift"] * p["sale_value"]).mean()) < 3.5 * se, name


def test_nbo_score_tracks_the_hidden_affinity(big):
    """The next-best-offer model, fitted on holdings only, ranks customers by the hidden investment affinity far
    better than balance does (the intuitive rule)."""
    o = _notebook_objects(big)
    camp = o["camp"]
    aff = big.truth["customers"]["affinity"].reindex(camp["customer_id"]).to_numpy()
    assert np.corrcoef(aff, camp["nbo_score"])[0, 1] > 0.4
    assert abs(np.corrcoef(aff, np.log(camp["balance"]))[0, 1]) < 0.1


def test_no_effect_world_gives_zero_uplift():
    """With uplift_scale = 0 the planted effect is 0 for everyone and the overall uplift (Q1) is within noise of 0."""
    w = make("westpac_reach", seed=11, uplift_scale=0.0, n_customers=20000)
    assert float(w.truth["customers"]["uplift"].abs().max()) == 0.0
    assert abs(solve("westpac_reach", w)["q1"]) < 0.015
