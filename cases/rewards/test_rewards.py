"""Case ``rewards`` beyond the contract: the randomised comparison of arms the notebook makes (arm mean minus
control mean per diner assigned) recovers the planted effect of each rule on these very diners
(``truth['arm_truth']``, computed in closed form from the planted rates and hazards), the rules cost what their
definitions say, reward-driven diners carry the false loyalty, and the checks handle a world without vouchers.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import effects, rewards
from crmlab.checks import Checker, solve
from crmlab.worlds import make

REWARD_ARMS = ["ten_plus_one", "frequency", "volume", "profit_share"]


def _per_diner(world) -> pd.DataFrame:
    d, v = world.tables["diners"], world.tables["visits"]
    paid = v[~v["free_meal"]]
    per = pd.DataFrame({
        "during": paid[paid["month"] <= 12].groupby("customer_id").size(),
        "after": paid[paid["month"] > 12].groupby("customer_id").size(),
        "q4": paid[paid["month"].between(10, 12)].groupby("customer_id").size(),
        "cost": v.groupby("customer_id")["discount"].sum(),
    }).reindex(d["customer_id"]).fillna(0)
    out = d.join(per, on="customer_id")
    out["active"] = out["q4"] > 0
    out["cost"] = out["cost"] + out["year_end_payout"]
    return out


@pytest.fixture(scope="module", params=[42, 7])
def big(request):
    w = make("rewards", seed=request.param, n_customers=60000)
    return w, _per_diner(w)


def test_experiment_recovers_the_planted_effects(big):
    """Planted truth: arm minus control (the notebook's method) recovers each arm's expected extra paid visits in
    months 1-12 within 0.35 visits (about 3 standard errors at 10,000 diners per arm), its extra retained share
    within 0.03 and its change after the end relative to control within 0.04."""
    w, d = big
    t = w.truth["arm_truth"]
    m = d.groupby("arm", observed=False)[["during", "after", "active"]].mean()
    for arm in REWARD_ARMS + ["welcome"]:
        assert m.loc[arm, "during"] - m.loc["control", "during"] == pytest.approx(t.loc[arm, "extra_visits_during"], abs=0.35)
        assert m.loc[arm, "active"] - m.loc["control", "active"] == pytest.approx(t.loc[arm, "extra_active_q4"], abs=0.03)
        assert m.loc[arm, "after"] / m.loc["control", "after"] - 1 == pytest.approx(t.loc[arm, "relative_after"], abs=0.04)


def test_planted_truth_has_the_teaching_signs(big):
    """Independent of the estimators: the planted expectations say that every rule rewarding repeat purchase buys
    visits and retention while it runs and falls below control after it ends, and that the welcome offer loses
    retention overall (its existing diners' resentment outweighs the newcomers won)."""
    w, _ = big
    t = w.truth["arm_truth"]
    for arm in ["ten_plus_one", "frequency", "profit_share"]:
        assert t.loc[arm, "extra_visits_during"] > 0.5 and t.loc[arm, "extra_active_q4"] > 0.02
    for arm in REWARD_ARMS:
        assert t.loc[arm, "relative_after"] < 0
    assert t.loc["welcome", "extra_active_q4"] < 0


def test_rules_cost_what_their_definitions_say(big):
    """Independent recomputation of the rules from the visit log: the profit share pays exactly profit_share x
    net_margin of each diner's paid total (crmlab.rewards.profit_share_payout), the volume discount hits exactly
    the bills at or above the threshold, and the free meals equal the redeemed vouchers' face value."""
    w, d = big
    k, v = w.knobs, w.tables["visits"]
    ps = d[d["arm"] == "profit_share"]
    v_ps = v[v["customer_id"].isin(ps["customer_id"]) & (v["month"] <= 12)]
    totals = v_ps.groupby("customer_id")["paid"].sum().reindex(ps["customer_id"]).fillna(0.0)
    pool = k["profit_share"] * k["net_margin"] * totals.sum()
    assert ps["year_end_payout"].to_numpy() == pytest.approx(rewards.profit_share_payout(totals, pool, share=1.0))
    vol_ids = d.loc[d["arm"] == "volume", "customer_id"]
    vv = v[v["customer_id"].isin(vol_ids) & (v["month"] <= 12)]
    expected = np.where(vv["bill"] >= k["volume_threshold"], k["volume_discount"] * vv["bill"], 0.0)
    assert vv["discount"].to_numpy() == pytest.approx(expected)
    vo = w.tables["vouchers"]
    assert v.loc[v["free_meal"], "discount"].sum() == pytest.approx(vo.loc[vo["redeemed"], "value"].sum())
    assert 0 < rewards.breakage(vo["value"], vo["redeemed"].to_numpy(dtype=bool)) < 1


def test_false_loyalty_sits_with_the_reward_driven(big):
    """Planted truth: after the end, reward-driven diners of the ten-plus-one arm fall back relative to control's
    reward-driven diners (difference in differences < -0.1), the others do not (within 0.05)."""
    w, d = big
    driven = w.truth["diners"]["reward_driven"].reindex(d["customer_id"]).to_numpy()
    for flag, check in ((True, lambda x: x < -0.1), (False, lambda x: abs(x) < 0.05)):
        part = d[(driven == flag) & d["arm"].isin(["ten_plus_one", "control"]).to_numpy()]
        assert check(effects.did_ratio(part["during"], part["after"], part["arm"] == "ten_plus_one"))


def test_checks_handle_a_world_without_vouchers():
    """With few diners and a rule that needs 50 visits, no voucher is issued: rewards.breakage refuses the empty
    issue, and the q1 check accepts the notebook's solution (NaN) and refuses a number, saying breakage is undefined."""
    w = make("rewards", seed=1, n_customers=60, every=50)
    assert len(w.tables["vouchers"]) == 0
    with pytest.raises(ValueError):
        rewards.breakage(w.tables["vouchers"]["value"], w.tables["vouchers"]["redeemed"].to_numpy(dtype=bool))
    answer = solve("rewards", w)["q1"]
    assert np.isnan(answer)
    check = Checker("rewards", w)
    assert check("q1", answer)
    result = check("q1", 0.0)
    assert not result and "undefined" in result.message
