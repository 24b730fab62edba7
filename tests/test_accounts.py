"""Tests for crmlab.accounts: key-account selection and incentives (brute force, closed form, planted
unprofitable giants) and the customer-type recommender (hand-scored cues, planted types)."""

import numpy as np
import pandas as pd
import pytest

from crmlab import accounts as ac
from plot_helpers import render_strict


def _accounts(seed=0, n=200, n_giants=8):
    """Planted truth: the n_giants largest accounts by revenue cost more to serve than their gross margin."""
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(11, 0.8, n)
    margin = rng.uniform(0.2, 0.4, n)
    cost = revenue * margin * rng.uniform(0.2, 0.7, n)
    giants = np.argsort(-revenue)[:n_giants]
    cost[giants] = revenue[giants] * margin[giants] * rng.uniform(1.1, 1.5, n_giants)
    return pd.DataFrame({"account": [f"K{i:03d}" for i in range(n)], "revenue": revenue, "margin": margin,
                         "cost_to_serve": cost}), set(f"K{i:03d}" for i in giants)


# --------------------------------------------------------------------------------------- key accounts
def test_selection_matches_brute_force_ranking():
    a, _ = _accounts(1, n=60)
    s = ac.select_key_accounts(a, n=12, margin_col="margin", min_profit=0.0)
    profit = {r.account: r.revenue * r.margin - r.cost_to_serve for r in a.itertuples()}
    by_profit = sorted(profit, key=lambda k: -profit[k])[:12]
    by_revenue = sorted(a["account"], key=lambda k: -a.set_index("account").loc[k, "revenue"])[:12]
    assert set(s.loc[s["key_by_profit"], "account"]) == {k for k in by_profit if profit[k] >= 0}
    assert set(s.loc[s["key_by_revenue"], "account"]) == set(by_revenue)
    assert s["profit"].tolist() == pytest.approx(sorted(profit.values(), reverse=True))
    assert sorted(s["revenue_rank"]) == list(range(1, 61))


def test_selection_drops_planted_unprofitable_giants():
    """The revenue ranking picks the planted loss-making giants; the profit ranking picks none of them."""
    a, giants = _accounts()
    s = ac.select_key_accounts(a, n=20, margin_col="margin")
    chosen_by_revenue = set(s.loc[s["key_by_revenue"], "account"])
    assert giants <= chosen_by_revenue
    assert not giants & set(s.loc[s["key_by_profit"], "account"])
    cmp = ac.compare_selections(s)
    assert cmp.loc["by_revenue", "unprofitable"] == len(giants)
    assert cmp.loc["by_profit", "unprofitable"] == 0
    assert cmp.loc["by_profit", "profit"] > cmp.loc["by_revenue", "profit"]
    assert cmp.loc["by_revenue", "revenue"] > cmp.loc["by_profit", "revenue"]
    assert cmp.loc["by_profit", "overlap"] == len(chosen_by_revenue & set(s.loc[s["key_by_profit"], "account"]))


def test_account_profit_by_hand_and_any_account_column():
    """account_profit is revenue x margin - cost to serve, by hand for one margin and a margin per account;
    naming the account column (account_col) changes nothing but the column read: selections and incentives on
    a copy whose ids sit in 'customer_id' equal those of the original, account by account."""
    a = pd.DataFrame({"account": ["A", "B", "C"], "revenue": [100.0, 50.0, 0.0], "margin": [0.3, 1.0, 0.5],
                      "cost_to_serve": [10.0, 60.0, 5.0]})
    assert ac.account_profit(a, margin=1.0).tolist() == pytest.approx([90.0, -10.0, -5.0])
    assert ac.account_profit(a, margin_col="margin").tolist() == pytest.approx([20.0, -10.0, -5.0])
    assert ac.account_profit(a, margin=0.2).index.equals(a.index)
    big, _ = _accounts(4, n=80)
    renamed = big.rename(columns={"account": "customer_id"})
    for kw in ({"margin": 1.0}, {"margin_col": "margin"}):
        s = ac.select_key_accounts(big, n=15, **kw)
        s2 = ac.select_key_accounts(renamed, n=15, account_col="customer_id", **kw)
        pd.testing.assert_frame_equal(s, s2)
        pd.testing.assert_frame_equal(ac.incentive_comparison(big, n=15, **kw),
                                      ac.incentive_comparison(renamed, n=15, account_col="customer_id", **kw))
    with pytest.raises(ValueError, match="account_col='id'"):
        ac.select_key_accounts(renamed, n=15, account_col="id", margin=1.0)


def test_profit_floor_is_applied():
    a = pd.DataFrame({"account": list("ABCDEF"), "revenue": [100.0] * 6, "cost_to_serve": [5, 10, 20, 30, 40, 50]})
    s = ac.select_key_accounts(a, n=5, margin=0.3, min_profit=5.0)  # profits 25, 20, 10, 0, -10, -20
    assert s.loc[s["key_by_profit"], "account"].tolist() == ["A", "B", "C"]


def test_key_account_errors():
    a, _ = _accounts(n=30)
    with pytest.raises(ValueError, match="n must be <= 25"):
        ac.select_key_accounts(a, n=30, margin=0.3)
    with pytest.raises(ValueError, match="n must be >= 5"):
        ac.select_key_accounts(a, n=3, margin=0.3)
    with pytest.raises(ValueError, match="exactly one of margin_col"):
        ac.select_key_accounts(a, margin=0.3, margin_col="margin")
    with pytest.raises(ValueError, match="margin must be <= 1"):
        ac.select_key_accounts(a, margin=30)
    with pytest.raises(ValueError, match="margin_col='margin' must hold shares"):
        ac.select_key_accounts(a.assign(margin=a["margin"] * 100), margin_col="margin")
    with pytest.raises(ValueError, match="cost_to_serve_col='cts'"):
        ac.select_key_accounts(a, margin=0.3, cost_to_serve_col="cts")
    with pytest.raises(ValueError, match="'revenue' of accounts has 1 negative"):
        ac.select_key_accounts(a.assign(revenue=-a["revenue"].where(a.index == 0, -1.0)), margin=0.3)
    with pytest.raises(ValueError, match="account_col='account' must hold unique"):
        ac.select_key_accounts(a.assign(account="same"), margin=0.3)
    with pytest.raises(ValueError, match="n=10 exceeds the number of accounts"):
        ac.select_key_accounts(a.head(6), margin=0.3)


def test_incentive_comparison_closed_form():
    """Two accounts, hand-computed: revenue pay chases the big costly one."""
    a = pd.DataFrame({"account": ["big", "lean"], "revenue": [1000.0, 400.0], "cost_to_serve": [900.0, 20.0]})
    r = ac.incentive_comparison(a, n=1, margin=0.3, revenue_lift=0.1, cost_lift=0.1, revenue_pay_rate=0.02,
                                profit_pay_rate=0.1)
    assert r.loc["pay_on_revenue", "accounts"] == ("big",)
    assert r.loc["pay_on_profit", "accounts"] == ("lean",)
    assert r.loc["pay_on_revenue"].drop("accounts").astype(float).tolist() == pytest.approx(
        [100.0, 0.1 * 300 - 0.1 * 900, 2.0, -60.0 - 2.0])
    assert r.loc["pay_on_profit"].drop("accounts").astype(float).tolist() == pytest.approx(
        [40.0, 0.1 * 120 - 0.1 * 20, 1.0, 9.0])


def test_incentive_profit_pay_beats_revenue_pay_on_planted_giants():
    a, giants = _accounts(2)
    r = ac.incentive_comparison(a, n=15, margin_col="margin")
    assert giants <= set(r.loc["pay_on_revenue", "accounts"])
    assert r.loc["pay_on_profit", "company_gain"] > r.loc["pay_on_revenue", "company_gain"]
    assert r.loc["pay_on_revenue", "extra_revenue"] > r.loc["pay_on_profit", "extra_revenue"]
    # brute force: the profit-paid manager's pick is the best 15-account set for the company's extra profit
    extra = 0.1 * a["revenue"] * a["margin"] - 0.1 * a["cost_to_serve"]
    assert r.loc["pay_on_profit", "extra_profit"] == pytest.approx(extra.nlargest(15).clip(lower=0).sum())
    with pytest.raises(ValueError, match="revenue_pay_rate"):
        ac.incentive_comparison(a, margin_col="margin", revenue_pay_rate=2)
    with pytest.raises(ValueError, match="revenue_lift"):
        ac.incentive_comparison(a, margin_col="margin", revenue_lift=-0.1)


# ------------------------------------------------------------------------------------- customer types
def test_customer_type_scores_by_hand():
    """Scores are weighted shares of each type's cues: e.g. talkative + trusting -> influencing (1 + 0.5)/5."""
    c = pd.DataFrame({"talkative": [1.0], "trusting": [1.0], "orderly": [0.0]})
    r = ac.classify_customer_type(c).iloc[0]
    totals = ac.CUE_WEIGHTS.sum()
    assert totals["influencing"] == 5.0 and totals["steady"] == 5.0
    assert r["influencing"] == pytest.approx(1.5 / 5) and r["steady"] == pytest.approx(0.5 / 5)
    assert r["demanding"] == 0 and r["compliant"] == 0
    assert r["type"] == "influencing" and r["margin"] == pytest.approx(0.2)
    assert r["core_need"] == "recognition" and r["name_zh"] == "影响型"


def test_customer_type_recovers_planted_types():
    """Planted: each customer shows their own type's cues with p=0.7 and other cues with p=0.1."""
    rng = np.random.default_rng(12)
    n = 2000
    types = np.array(ac.CUSTOMER_TYPES.index)
    true = rng.integers(0, 4, n)
    home = ac.CUE_WEIGHTS.to_numpy().argmax(axis=1)  # each cue's main type
    p = np.where(home[None, :] == true[:, None], 0.7, 0.1)
    cues = pd.DataFrame(rng.random(p.shape) < p, columns=ac.CUE_WEIGHTS.index)
    r = ac.classify_customer_type(cues)
    known = r["type"] != "unknown"
    assert (r["type"][known].to_numpy() == types[true][known.to_numpy()]).mean() > 0.9
    assert r.loc[known, "serving_style"].isin(ac.CUSTOMER_TYPES["serving_style"]).all()


def test_customer_type_unknown_and_errors():
    r = ac.classify_customer_type(pd.DataFrame({"patient": [0, 1]}))
    assert r["type"].tolist() == ["unknown", "steady"] and pd.isna(r["serving_style"].iloc[0])
    with pytest.raises(ValueError, match="unknown cue column.*'grumpy'"):
        ac.classify_customer_type(pd.DataFrame({"grumpy": [1]}))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ac.classify_customer_type(pd.DataFrame({"patient": [3]}))
    with pytest.raises(TypeError, match="cues must be a pandas DataFrame"):
        ac.classify_customer_type(["patient"])


def test_plot_key_accounts_renders_without_warnings():
    a, giants = _accounts(n=80, n_giants=4)
    s = ac.select_key_accounts(a, n=10, margin_col="margin")
    ax = render_strict(lambda: ac.plot_key_accounts(s))
    assert len(ax.collections) == 3
    assert len(ax.texts) == (s["key_by_profit"] | s["key_by_revenue"]).sum()
