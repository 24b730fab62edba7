"""What the ctrip case needs beyond tests/test_case_contract.py: recovery of the world's planted truth and the
behaviour of its checks that the contract does not see.

Truth checked: complaint category shares and routes (planted Pareto shares), the SLA-breach rate (closed form
of the planted log-normal response times) and its fall with staffing, the service-recovery effect (the check's
maximum-likelihood logit against the planted retention coefficients), and the rules linking the tables (alerts,
no bookings after a traveller leaves). Checks: Q2 accepts the breach share seen at extraction as well as the
full record, Q2 uses the student's own promise, and the check's scipy logit against a brute-force grid.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import service
from crmlab._casemodules import load_case_module
from crmlab.checks import Checker
from crmlab.worlds import make

checks = load_case_module("ctrip", "checks")


@pytest.fixture(scope="module")
def big():
    return make("ctrip", seed=1, n_customers=20_000, complaint_rate=0.2)


# ------------------------------------------------------------------------------------------- planted truth
def test_tables_link_up():
    """Every booking belongs to a traveller, every complaint to a booking, and no complaint precedes its booking."""
    w = make("ctrip", seed=3, n_customers=1500)
    t, b, c = (w.tables[k] for k in ("travellers", "bookings", "complaints"))
    assert set(b["customer_id"]) <= set(t["customer_id"]) and set(c["booking_id"]) <= set(b["booking_id"])
    booked = b.set_index("booking_id")["booked_on"]
    assert (c["opened_at"] >= booked.reindex(c["booking_id"]).to_numpy()).all()


def test_category_shares_are_the_planted_pareto(big):
    """Planted truth: observed category shares within 0.015 of the planted k**-alpha shares (about 12,700
    complaints, so 0.015 is over 3 standard errors); each category goes to its planted route."""
    c = big.tables["complaints"]
    shares = c["category"].value_counts(normalize=True)
    planted = big.truth["category_shares"]
    assert abs(sum(planted.values()) - 1) < 1e-12
    assert list(planted.values()) == sorted(planted.values(), reverse=True)
    for name, share in planted.items():
        assert shares[name] == pytest.approx(share, abs=0.015), name
    routes = c.groupby("category", observed=True)["route"].agg(lambda r: set(r.astype(str)))
    assert all(routes[k] == {v} for k, v in big.truth["category_route"].items())


@pytest.mark.parametrize("staffing", [0.5, 2.0])
def test_sla_breach_rate_matches_the_closed_form(staffing):
    """Closed form: the observed share of first responses later than the SLA equals the planted log-normal
    tail (truth['expected_breach_rate']) within 0.015; the breach flag is response_hours > sla_hours."""
    w = make("ctrip", seed=2, n_customers=10_000, complaint_rate=0.2, staffing=staffing)
    c = w.tables["complaints"]
    assert c["sla_breached"].mean() == pytest.approx(w.truth["expected_breach_rate"], abs=0.015)
    assert (c["sla_breached"] == (c["response_hours"] > 24)).all()


def test_breach_rate_falls_with_staffing():
    """Closed form: the planted breach rate falls strictly as the complaint desk is staffed up."""
    rates = [make("ctrip", n_customers=50, staffing=s).truth["expected_breach_rate"] for s in (0.5, 1, 2, 4)]
    assert all(a > b for a, b in zip(rates, rates[1:]))


def test_check_logit_recovers_the_planted_coefficients(big):
    """Planted truth: every coefficient of the check's maximum-likelihood fit lies within 4 standard errors of
    the planted retention coefficient; the standard errors (Fisher information X'WX at the fit, the ones that
    scale Q4's tolerance) are below 0.2 at this size, so the test is not a lucky seed. Satisfaction follows the
    same drivers: retained complainers are more satisfied."""
    c = big.tables["complaints"]
    b = checks.retention_logit(c)
    se = checks.retention_logit_se(c, b)
    rc = big.truth["retention_coef"]
    planted = pd.Series({"intercept": rc["intercept"], "response_days": rc["response_days"],
                         "unresolved": rc["unresolved"], **{a: e for a, e in rc["action"].items() if a != "none"}})
    assert se.max() < 0.2
    z = ((b - planted) / se)[planted.index]
    assert z.abs().max() < 4, z.round(2).to_dict()
    assert c.loc[c["retained"], "satisfaction"].mean() > c.loc[~c["retained"], "satisfaction"].mean() + 0.3


def test_alerts_and_churn_follow_the_rules(big):
    """Brute-force recount of the rules: alerts go exactly to e-mails unanswered after 12 h; travellers who
    left book and complain no more afterwards."""
    c, b = big.tables["complaints"], big.tables["bookings"]
    want = (c["channel"] == "email") & (c["response_hours"] > 12)
    assert (c["alert_sent"] == want).all()
    left = c[~c["retained"]].groupby("customer_id")["opened_at"].min()
    last = b.groupby("customer_id")["booked_on"].max().reindex(left.index)
    assert (last <= left).all()
    assert c[c["customer_id"].isin(left.index)].groupby("customer_id")["opened_at"].max().le(left).all()


# ------------------------------------------------------------------------------------------------- checks
def test_q2_accepts_the_breach_share_seen_at_extraction_too():
    """Section 4.2 measures breaches with crmlab.service.sla_status at the moment of extraction, where a
    complaint answered late after that moment still counts as on time. Q2 accepts that share as well as the
    full record's; in this world they differ by a complaint, more than the check's rounding tolerance."""
    w = make("ctrip", seed=2, n_customers=1000)
    c, k = w.tables["complaints"], w.knobs
    replied = c["opened_at"] + pd.to_timedelta(c["response_hours"], unit="h")
    as_of = c["opened_at"].max()
    messages = pd.DataFrame({"received_at": c["opened_at"], "replied_at": replied.where(replied <= as_of)})
    status = service.sla_status(messages, as_of=as_of, reply_within_hours=k["sla_hours"],
                                alert_after_hours=k["alert_hours"])
    at_extraction = float(status["breach"].mean())
    full = float((c["response_hours"] > k["sla_hours"]).mean())
    assert full - at_extraction > 1e-3
    check = Checker("ctrip", w)
    assert check("q2", full) and check("q2", at_extraction)
    assert not check("q2", full + 2e-3)


def test_checks_use_the_students_own_world():
    """The same breach share is right in one world and wrong in a world with a looser promise."""
    w1 = make("ctrip", seed=1, n_customers=1500)
    w2 = make("ctrip", seed=1, n_customers=1500, sla_hours=48.0)
    a1, a2 = (float((w.tables["complaints"]["response_hours"] > w.knobs["sla_hours"]).mean()) for w in (w1, w2))
    assert Checker("ctrip", w1)("q2", a1)
    assert a2 < a1
    assert not Checker("ctrip", w2)("q2", a1)


def test_check_logit_matches_a_brute_force_grid_on_small_data():
    """Brute force: on 12 hand-made complaints the fitted slope maximises the log-likelihood over a grid
    (the other coefficients fixed at the fit)."""
    c = pd.DataFrame({"response_hours": np.array([1, 2, 5, 9, 13, 20, 26, 30, 40, 50, 70, 90], dtype=float),
                      "resolved": [True] * 10 + [False] * 2,
                      "recovery_action": pd.Categorical(["none", "apology"] * 6, categories=["none", "apology"]),
                      "retained": [1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0]}).astype({"retained": bool})
    b = checks.retention_logit(c)
    x = np.column_stack([np.ones(12), c["response_hours"] / 24, ~c["resolved"], c["recovery_action"] == "apology"])
    y = c["retained"].to_numpy(float)

    def loglik(slope):
        eta = x @ np.array([b["intercept"], slope, b["unresolved"], b["apology"]])
        return float((y * eta - np.logaddexp(0, eta)).sum())

    grid = b["response_days"] + np.linspace(-0.5, 0.5, 201)
    assert abs(grid[np.argmax([loglik(s) for s in grid])] - b["response_days"]) <= 0.005


# ----------------------------------------------- library functions against the planted truth (from tests/)
# Moved from tests/test_service.py: the library's tests no longer build a case's world. These check
# crmlab.service.complaint_pareto and crmlab.service.sla_status against the truth this world plants.
def test_pareto_reads_the_team_names_of_the_ctrip_world():
    """crmlab.service.complaint_pareto against this world's planted routing: the world writes routes as
    'product/R&D' and 'process/management'; read as kinds (kind_col='route'), they route every category to the
    team the world planted (truth['category_route'])."""
    w = make("ctrip", seed=3, n_customers=2000)
    t = service.complaint_pareto(w.tables["complaints"], kind_col="route")
    planted = {c: r.split("/")[1] for c, r in w.truth["category_route"].items()}
    assert dict(zip(t["category"], t["route"])) == {c: planted[c] for c in t["category"]}
    assert set(t["kind"]) == {"product", "process"}


def test_ctrip_world_pareto_routes_and_email_alerts():
    """crmlab.service.complaint_pareto and crmlab.service.sla_status against this world's planted truth: the
    Pareto order and routes match the planted shares and routing; the 12-hour alerts computed from reply times
    equal the world's alert_sent flags; the breach rate matches its closed form (truth['expected_breach_rate'])."""
    w = make("ctrip", seed=42)
    c, truth = w.tables["complaints"], w.truth
    kinds = {k: v.split("/")[0] for k, v in truth["category_route"].items()}
    p = service.complaint_pareto(c, kinds=kinds)
    planted_order = sorted(truth["category_shares"], key=lambda k: -truth["category_shares"][k])
    assert list(p["category"][:4]) == planted_order[:4]
    assert p.set_index("category")["share"].to_dict() == pytest.approx(truth["category_shares"], abs=0.04)
    assert dict(zip(p["category"], p["route"])) == {k: service.ROUTES[v] for k, v in kinds.items()}
    replies = pd.DataFrame({"received_at": c["opened_at"],
                            "replied_at": c["opened_at"] + pd.to_timedelta(c["response_hours"], unit="h")})
    s = service.sla_status(replies, alert_after_hours=w.knobs["alert_hours"],
                           reply_within_hours=w.knobs["sla_hours"])
    assert (s["alert"] & c["channel"].eq("email")).equals(c["alert_sent"])
    assert s["breach"].equals(c["sla_breached"])
    assert s["breach"].mean() == pytest.approx(truth["expected_breach_rate"], abs=0.03)
