"""The ctrip world: schema, determinism, knob validation, and recovery of its planted truth.

Truth checked: complaint category shares (observed shares), the SLA-breach rate (closed form from the
planted log-normal response times) and its response to staffing, the service-recovery effect
(logistic regression of retention on response time, resolution and recovery action), and the rules
that link the tables (alerts, churn after a complaint).
"""
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from crmlab.worlds import make


@pytest.fixture(scope="module")
def big():
    return make("ctrip", seed=1, n_customers=20_000, complaint_rate=0.2)


def test_schema_and_links():
    w = make("ctrip")
    w.check_schema()
    t, b, c = (w.tables[k] for k in ("travellers", "bookings", "complaints"))
    assert len(t) == 5000 and t["customer_id"].is_unique and b["booking_id"].is_unique
    assert set(b["customer_id"]) <= set(t["customer_id"]) and set(c["booking_id"]) <= set(b["booking_id"])
    booked = b.set_index("booking_id")["booked_on"]
    assert (c["opened_at"] >= booked.reindex(c["booking_id"]).to_numpy()).all()
    assert len(c) > 100


@pytest.mark.parametrize("knobs, error, pattern", [
    ({"n_customers": 3}, ValueError, r"knob 'n_customers' of world 'ctrip' must be >= 20"),
    ({"staffing": 0.0}, ValueError, r"'staffing'.*>= 0.2"),
    ({"sla_hours": "24h"}, TypeError, r"'sla_hours'.*number"),
    ({"months": 1.5}, TypeError, r"'months'.*integer"),
])
def test_bad_knobs_are_refused_by_name(knobs, error, pattern):
    with pytest.raises(error, match=pattern):
        make("ctrip", **knobs)


def test_category_shares_are_the_planted_pareto(big):
    c = big.tables["complaints"]
    shares = c["category"].value_counts(normalize=True)
    planted = big.truth["category_shares"]
    assert abs(sum(planted.values()) - 1) < 1e-12
    assert list(planted.values()) == sorted(planted.values(), reverse=True)
    for name, share in planted.items():
        assert shares[name] == pytest.approx(share, abs=0.015), name
    routes = c.groupby("category", observed=True)["route"].agg(lambda r: set(r.astype(str)))
    assert all(routes[k] == {v} for k, v in big.truth["category_route"].items())


@pytest.mark.parametrize("staffing", [0.5, 1.0, 2.0])
def test_sla_breach_rate_matches_the_closed_form(staffing):
    """Observed share of first responses later than the SLA equals the log-normal tail, and falls with staffing."""
    w = make("ctrip", seed=2, n_customers=20_000, complaint_rate=0.2, staffing=staffing)
    c = w.tables["complaints"]
    assert c["sla_breached"].mean() == pytest.approx(w.truth["expected_breach_rate"], abs=0.015)
    assert (c["sla_breached"] == (c["response_hours"] > 24)).all()


def test_breach_rate_falls_with_staffing():
    rates = [make("ctrip", n_customers=50, staffing=s).truth["expected_breach_rate"] for s in (0.5, 1, 2, 4)]
    assert all(a > b for a, b in zip(rates, rates[1:]))


def test_logistic_regression_recovers_the_service_recovery_effect(big):
    c = big.tables["complaints"]
    X = pd.get_dummies(c["recovery_action"], drop_first=True).astype(float)
    X["response_days"] = c["response_hours"] / 24
    X["unresolved"] = (~c["resolved"]).astype(float)
    lr = LogisticRegression(C=1e6, max_iter=2000).fit(X, c["retained"])
    got = dict(zip(X.columns, lr.coef_[0]))
    rc = big.truth["retention_coef"]
    assert got["response_days"] == pytest.approx(rc["response_days"], abs=0.1)
    assert got["unresolved"] == pytest.approx(rc["unresolved"], abs=0.3)
    for action in ("apology", "rebook_or_fix", "refund", "voucher"):
        assert got[action] == pytest.approx(rc["action"][action], abs=0.25), action
    # satisfaction follows the same drivers: retained complainers are more satisfied
    assert c.loc[c["retained"], "satisfaction"].mean() > c.loc[~c["retained"], "satisfaction"].mean() + 0.3


def test_alerts_and_churn_follow_the_rules(big):
    """Alerts go exactly to e-mails unanswered after 12 h; travellers who left book nothing afterwards."""
    c, b = big.tables["complaints"], big.tables["bookings"]
    want = (c["channel"] == "email") & (c["response_hours"] > 12)
    assert (c["alert_sent"] == want).all()
    left = c[~c["retained"]].groupby("customer_id")["opened_at"].min()
    last = b.groupby("customer_id")["booked_on"].max().reindex(left.index)
    assert (last <= left).all()
    assert c[c["customer_id"].isin(left.index)].groupby("customer_id")["opened_at"].max().le(left).all()
