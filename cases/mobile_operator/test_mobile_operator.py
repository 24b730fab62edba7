"""The mobile_operator world: schema, determinism, knob validation, and recovery of its planted truth.

Truth checked: churn coefficients (logistic regression on the untreated), latent usage segments
(k-means + adjusted Rand index), campaign uplift by segment (difference in churn rates between the
randomised arms), cross-sell rules (confidence counted from the holdings), acquisition response
coefficients (logistic regression) and the margin definition.
"""
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from crmlab.worlds import make


@pytest.fixture(scope="module")
def big():
    return make("mobile_operator", seed=1, n_customers=40_000, n_prospects=20_000, campaign_share=1.0)


def test_schema_and_links():
    w = make("mobile_operator")
    w.check_schema()
    s, h = w.tables["subscribers"], w.tables["holdings"]
    assert len(s) == 5000 and s["customer_id"].is_unique and len(w.tables["prospects"]) == 3000
    assert set(h["customer_id"]) <= set(s["customer_id"])
    counts = h.groupby("customer_id").size().reindex(s["customer_id"], fill_value=0)
    assert (counts.to_numpy() == s["n_products"].to_numpy()).all()
    assert set(s["campaign_group"].astype(str)) == {"none", "control", "treatment"}


@pytest.mark.parametrize("knobs, error, pattern", [
    ({"n_customers": 10}, ValueError, r"knob 'n_customers' of world 'mobile_operator' must be >= 50"),
    ({"campaign_share": 1.5}, ValueError, r"'campaign_share'.*<= 1"),
    ({"n_prospects": 2.0}, TypeError, r"'n_prospects'.*integer"),
    ({"n_subscribers": 100}, ValueError, r"no knob 'n_subscribers'.*n_customers"),
])
def test_bad_knobs_are_refused_by_name(knobs, error, pattern):
    with pytest.raises(error, match=pattern):
        make("mobile_operator", **knobs)


def test_logistic_regression_recovers_churn_coefficients(big):
    """Fit on the untreated (control) arm: every coefficient within 0.12 of the planted value."""
    s = big.tables["subscribers"]
    m = (s["campaign_group"] == "control").to_numpy()
    X = np.column_stack([s["tenure_months"] / 12, s["complaints_12m"], s["plan"] == "prepaid", s["arpu"] / 100,
                         s["n_products"]])[m]
    lr = LogisticRegression(C=1e6, max_iter=2000).fit(X, s["churned"][m])
    b = big.truth["churn_coef"]
    assert lr.intercept_[0] == pytest.approx(b["intercept"], abs=0.15)
    for got, name in zip(lr.coef_[0], ["tenure_years", "complaints_12m", "prepaid", "arpu_100", "n_products"]):
        assert got == pytest.approx(b[name], abs=0.12), name
    p = big.truth["subscribers"]["churn_propensity"].to_numpy()
    assert abs(s["churned"][m].mean() - p[m].mean()) < 0.01


def test_kmeans_recovers_the_usage_segments(big):
    """k-means (k=4) on standardised log usage and age of 10,000 subscribers: ARI with the planted segments > 0.8."""
    s = big.tables["subscribers"].iloc[:10_000]
    X = StandardScaler().fit_transform(np.column_stack([np.log(s["voice_min"]), np.log1p(s["sms"]),
                                                        np.log(s["data_gb"] + 0.01), s["age"]]))
    labels = KMeans(4, n_init=4, random_state=0).fit_predict(X)
    assert adjusted_rand_score(big.truth["subscribers"]["segment"].iloc[:10_000], labels) > 0.8


def test_difference_in_means_recovers_uplift_by_segment(big):
    """Control minus treatment churn rate per segment is within 0.03 of the planted mean uplift, and the
    segments are ordered as planted (data_youth gains most, light_senior nothing)."""
    s, seg = big.tables["subscribers"], big.truth["subscribers"]["segment"].to_numpy()
    est = {}
    for name, want in big.truth["uplift_by_segment"].items():
        sub = s[seg == name]
        est[name] = (sub.loc[sub["campaign_group"] == "control", "churned"].mean()
                     - sub.loc[sub["campaign_group"] == "treatment", "churned"].mean())
        assert est[name] == pytest.approx(want, abs=0.03), name
    assert est["data_youth"] > est["family"] > est["light_senior"]
    assert big.truth["uplift_by_segment"]["light_senior"] == 0.0


def test_holdings_recover_the_cross_sell_rules(big):
    h = big.tables["holdings"]
    onehot = pd.crosstab(h["customer_id"], h["product"]).astype(bool)
    for _, rule in big.truth["cross_sell_rules"].iterrows():
        (a,), (c,) = rule["antecedents"], rule["consequents"]
        assert onehot[a].mean() == pytest.approx(rule["antecedent_support"], abs=0.01)
        assert onehot.loc[onehot[a], c].mean() == pytest.approx(rule["confidence"], abs=0.03)
        assert rule["lift"] > 2


def test_logistic_regression_recovers_acquisition_response(big):
    p = big.tables["prospects"]
    X = pd.get_dummies(p[["channel", "offer"]], drop_first=True).astype(float)
    X["age_10y"] = (p["age"] - 35) / 10
    X["contract_ended"] = p["contract_ended"].astype(float)
    lr = LogisticRegression(C=1e6, max_iter=2000).fit(X, p["responded"])
    got = dict(zip(X.columns, lr.coef_[0]))
    a = big.truth["acquisition_coef"]
    assert got["offer_handset_subsidy"] == pytest.approx(a["offer"]["handset_subsidy"], abs=0.2)
    assert got["channel_telemarketing"] == pytest.approx(a["channel"]["telemarketing"], abs=0.2)
    assert got["contract_ended"] == pytest.approx(a["contract_ended"], abs=0.2)


def test_margin_is_arpu_minus_cost_to_serve():
    w = make("mobile_operator", n_customers=200, n_prospects=10)
    s, m = w.tables["subscribers"], w.truth["subscribers"]["margin"].to_numpy()
    cost = 0.03 * s["voice_min"] + 0.01 * s["sms"] + 1.2 * s["data_gb"] + 15 * s["complaints_12m"] / 12 + 5
    assert np.allclose(m, s["arpu"] - cost, atol=0.1)
