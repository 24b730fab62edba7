"""What the mobile_operator case needs beyond tests/test_case_contract.py: recovery of the world's planted truth
and the behaviour of its checks that the contract cannot see.

Planted truth recovered (cases/mobile_operator/world.py): churn coefficients (logistic regression on the
untreated), latent usage segments (k-means + adjusted Rand index), campaign uplift by segment (difference in
churn rates between the randomised arms), cross-sell rules (confidence counted from the holdings), acquisition
response coefficients (logistic regression) and the margin definition. Checks (cases/mobile_operator/checks.py):
the answers they accept are near the planted uplift and rule confidence, and they judge against the student's
own world.
"""
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from crmlab.checks import Checker, solve
from crmlab.worlds import make

CASE = "mobile_operator"


@pytest.fixture(scope="module")
def big():
    return make(CASE, seed=1, n_customers=40_000, n_prospects=20_000, campaign_share=1.0)


# ---------------------------------------------------------------------------------------------- the world
def test_holdings_link_to_subscribers():
    """Brute-force recount: every holding belongs to a subscriber, each subscriber's n_products is the number of
    their rows in holdings, and the experiment has the three groups."""
    w = make(CASE, n_customers=2000, n_prospects=10)
    s, h = w.tables["subscribers"], w.tables["holdings"]
    assert set(h["customer_id"]) <= set(s["customer_id"])
    counts = h.groupby("customer_id").size().reindex(s["customer_id"], fill_value=0)
    assert (counts.to_numpy() == s["n_products"].to_numpy()).all()
    assert set(s["campaign_group"].astype(str)) == {"none", "control", "treatment"}


def test_logistic_regression_recovers_churn_coefficients(big):
    """Planted truth: a logistic regression on the untreated (control) arm finds every planted churn coefficient
    within 0.12 (intercept 0.15), and the control churn rate is the mean planted propensity."""
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
    """Planted truth: k-means (k=4) on standardised log usage and age of 10,000 subscribers has an adjusted Rand
    index > 0.8 with the planted segments."""
    s = big.tables["subscribers"].iloc[:10_000]
    X = StandardScaler().fit_transform(np.column_stack([np.log(s["voice_min"]), np.log1p(s["sms"]),
                                                        np.log(s["data_gb"] + 0.01), s["age"]]))
    labels = KMeans(4, n_init=4, random_state=0).fit_predict(X)
    assert adjusted_rand_score(big.truth["subscribers"]["segment"].iloc[:10_000], labels) > 0.8


def test_difference_in_means_recovers_uplift_by_segment(big):
    """Planted truth: control minus treatment churn rate per segment is within 0.03 of the planted mean uplift,
    and the segments are ordered as planted (data_youth gains most, light_senior nothing)."""
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
    """Planted truth: support and confidence of each planted rule, counted from the holdings (±0.01, ±0.03)."""
    h = big.tables["holdings"]
    onehot = pd.crosstab(h["customer_id"], h["product"]).astype(bool)
    for _, rule in big.truth["cross_sell_rules"].iterrows():
        (a,), (c,) = rule["antecedents"], rule["consequents"]
        assert onehot[a].mean() == pytest.approx(rule["antecedent_support"], abs=0.01)
        assert onehot.loc[onehot[a], c].mean() == pytest.approx(rule["confidence"], abs=0.03)
        assert rule["lift"] > 2


def test_logistic_regression_recovers_acquisition_response(big):
    """Planted truth: a logistic regression of sign-up on channel, offer, age and contract end finds the planted
    coefficients of the handset subsidy, telemarketing and an ended contract within 0.2."""
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
    """Planted truth: the planted margin is ARPU minus the notebook's cost sheet applied to the published usage
    (within the rounding of the published columns)."""
    w = make(CASE, n_customers=200, n_prospects=10)
    s, m = w.tables["subscribers"], w.truth["subscribers"]["margin"].to_numpy()
    cost = 0.03 * s["voice_min"] + 0.01 * s["sms"] + 1.2 * s["data_gb"] + 15 * s["complaints_12m"] / 12 + 5
    assert np.allclose(m, s["arpu"] - cost, atol=0.1)


# --------------------------------------------------------------------------------------------- the checks
def test_checks_use_the_students_own_world():
    """The same answer is judged against each world: another seed gives another uplift, refused there."""
    w1 = make(CASE, seed=2, n_customers=1500, n_prospects=500)
    w2 = make(CASE, seed=3, n_customers=1500, n_prospects=500)
    a1, a2 = solve(CASE, w1)["q3"], solve(CASE, w2)["q3"]
    assert abs(a1 - a2) > 1e-3
    assert Checker(CASE, w1)("q3", a1)
    assert not Checker(CASE, w2)("q3", a1)


def test_uplift_check_is_near_the_planted_uplift():
    """Planted truth: with a strong offer the measured uplift q3 accepts is near the planted mean drop in churn
    probability of the enrolled subscribers (truth['subscribers']['uplift'])."""
    w = make(CASE, seed=13, n_customers=8000, n_prospects=100, uplift_scale=3.0)
    a = solve(CASE, w)["q3"]
    assert Checker(CASE, w)("q3", a)
    s = w.tables["subscribers"]
    planted = w.truth["subscribers"]["uplift"].reindex(s.loc[s["campaign_group"] != "none", "customer_id"]).mean()
    assert planted > 0.05
    assert abs(a - planted) < 0.04


def test_rule_confidence_check_is_near_the_planted_confidence():
    """Planted truth: the confidence of roaming → device_insurance accepted by q2 is near the planted one."""
    w = make(CASE, seed=17, n_customers=8000, n_prospects=100)
    a = solve(CASE, w)["q2"]
    assert Checker(CASE, w)("q2", a)
    rules = w.truth["cross_sell_rules"]
    planted = rules.loc[rules["antecedents"] == ("roaming",), "confidence"].item()
    assert abs(a - planted) < 0.05


def test_wrongly_typed_answers_are_refused_with_a_reason():
    """A number for the channel (q4) or text for the share (q1) is "not yet", saying what kind was expected."""
    check = Checker(CASE, make(CASE, seed=1, n_customers=300, n_prospects=300))
    result = check("q4", 3)
    assert not result and "expected the name of a channel" in result.message
    result = check("q1", "a quarter")
    assert not result and "expected a number" in result.message


# ----------------------------------------------- library functions against the planted truth (from tests/)
# Moved from tests/test_churn.py and tests/test_basket.py: the library's tests no longer build a case's world.
def test_mobile_operator_world_churn_model_and_campaign_uplift():
    """crmlab.churn.fit_churn_model and crmlab.churn.campaign_uplift against this world's planted truth: the
    churn model ranks as well as the planted propensity (truth['subscribers']['churn_propensity']) and tracks
    it; the treatment-vs-control intervals cover each segment's planted uplift (truth['uplift_by_segment'];
    response = stayed)."""
    from sklearn.metrics import roc_auc_score

    from crmlab import churn as ch

    w = make("mobile_operator", seed=42)
    s, truth = w.tables["subscribers"], w.truth
    untreated = (s["campaign_group"] != "treatment").to_numpy()
    base = s[untreated]
    m = ch.fit_churn_model(base, feature_cols=["tenure_months", "complaints_12m", "plan", "arpu", "n_products"],
                           seed=0)
    p = truth["subscribers"]["churn_propensity"].to_numpy()[untreated]
    assert m.auc > roc_auc_score(base["churned"], p) - 0.02
    assert np.corrcoef(m.scores, p)[0, 1] > 0.9
    in_test = (s["campaign_group"] != "none").to_numpy()
    exp = pd.DataFrame({"treated": s["campaign_group"][in_test].eq("treatment").to_numpy(),
                        "stayed": ~s["churned"][in_test].to_numpy(),
                        "segment": truth["subscribers"]["segment"].to_numpy()[in_test]})
    u = ch.campaign_uplift(exp, treatment_col="treated", response_col="stayed", segment_col="segment")
    u = u.set_index("segment")
    for seg, tau in truth["uplift_by_segment"].items():
        assert u.loc[seg, "ci_low"] < tau < u.loc[seg, "ci_high"]
    overall = truth["subscribers"]["uplift"].to_numpy()[in_test].mean()
    assert u.loc["all", "ci_low"] < overall < u.loc["all", "ci_high"]


def test_mobile_operator_world_cross_sell_rules():
    """crmlab.basket.association_rules against this world's three planted cross-sell rules
    (truth['cross_sell_rules'], closed-form support, confidence and lift): each is mined once, with its planted
    confidence (±0.05) and lift (±15%)."""
    from crmlab.basket import association_rules

    w = make("mobile_operator", seed=42)
    rules = association_rules(w.tables["holdings"], basket_col="customer_id", item_col="product",
                              min_support=0.03, min_confidence=0.3)
    for p in w.truth["cross_sell_rules"].itertuples():
        hit = rules[(rules["antecedents"] == tuple(sorted(p.antecedents)))
                    & (rules["consequents"] == tuple(sorted(p.consequents)))]
        assert len(hit) == 1, (p.antecedents, p.consequents)
        assert hit["confidence"].item() == pytest.approx(p.confidence, abs=0.05)
        assert hit["lift"].item() == pytest.approx(p.lift, rel=0.15)
