"""Service tickets and complaints: arrivals, categories, response and resolution times, SLA, escalation.

One mechanism shared by every world that has a service desk (Ctrip's complaint centre, Haier's
after-sales service requests). A world composes it in four steps:

1. :func:`draw_arrivals` - when each entity raises a ticket (a Poisson process per entity);
2. :func:`draw_tickets` - what each ticket is about (categories with planted shares, often
   Pareto-shaped via :func:`pareto_shares`), which team it is routed to, how long the first response
   and the resolution take (log-normal, median set by staffing), whether the service-level agreement
   (SLA) was breached, whether it was escalated and whether it was resolved;
3. :func:`expected_breach_rate` - the planted SLA-breach rate in closed form, for the truth;
4. :func:`draw_funnel` - a multi-stage handling funnel with planted leakage per stage (Haier's
   "four no-misses": record, handle, re-check, feed back).

Sources: CRM Q&A compilation (source 0), line 17 (customers expect an e-mail reply within a day; the
call centre should alert staff when an e-mail is unanswered after 12 hours), line 9 (complaint answers
draw on production and R&D as well as service) and line 20 (complaints arrive through the call centre,
e-mail, letters and staff); CRM article collection (source 3), lines 467–487 (Haier's three control
rates and four no-misses). Log-normal service times are the usual textbook model of call-centre
handling times (Brown et al. 2005).

References
----------
.. [1] Brown, L., Gans, N., Mandelbaum, A., Sakov, A., Shen, H., Zeltyn, S. & Zhao, L. (2005), "Statistical
   analysis of a telephone call center: a queueing-science perspective", *Journal of the American
   Statistical Association* 100(469), 36-50.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..._validate import check_int, check_number, check_probability
from .outcomes import logit_draw

__all__ = ["TicketCategory", "pareto_shares", "draw_arrivals", "draw_tickets", "expected_breach_rate",
           "draw_funnel"]


@dataclass(frozen=True)
class TicketCategory:
    """One row of a world's declarative category table.

    Parameters
    ----------
    name : what the ticket is about ("refund slow", "repair")
    share : planted share of all tickets (the shares of a table must sum to 1)
    route : the team that owns the cause, e.g. "product/R&D" or "process/management"
    resolve_median_hours : median hours from first response to resolution
    escalation_prob : probability of escalation when the SLA is met
    resolve_prob : probability the ticket is eventually resolved
    """

    name: str
    share: float
    route: str
    resolve_median_hours: float
    escalation_prob: float
    resolve_prob: float = 1.0

    def __post_init__(self):
        check_probability(self.share, f"share of ticket category {self.name!r}")
        check_number(self.resolve_median_hours, f"resolve_median_hours of ticket category {self.name!r}",
                     low=0.0, low_open=True)
        check_probability(self.escalation_prob, f"escalation_prob of ticket category {self.name!r}",
                          open_low=True, open_high=True)
        check_probability(self.resolve_prob, f"resolve_prob of ticket category {self.name!r}")


def pareto_shares(n_categories: int, alpha: float = 1.0) -> np.ndarray:
    """Zipf-shaped shares ``k**-alpha / sum``: a few categories carry most tickets (the complaint Pareto).

    Parameters
    ----------
    n_categories : number of categories (>= 1)
    alpha : steepness; 0 gives equal shares, 1 the classic Zipf law, larger is steeper

    Returns
    -------
    ndarray of shares, largest first, summing to 1.

    References
    ----------
    .. [1] Juran, J. M., *Quality Control Handbook*: the Pareto (80/20) principle, the "vital few" causes,
       applied here to complaints.

    Example
    -------
    >>> pareto_shares(3, 1.0).round(3)
    array([0.545, 0.273, 0.182])
    """
    n_categories = check_int(n_categories, "n_categories", low=1)
    alpha = check_number(alpha, "alpha", low=0.0)
    w = np.arange(1, n_categories + 1, dtype=float) ** -alpha
    return w / w.sum()


def draw_arrivals(rng: np.random.Generator, rate_per_day, days: float) -> tuple[np.ndarray, np.ndarray]:
    """Tickets raised by each entity as a homogeneous Poisson process over ``[0, days)``.

    Parameters
    ----------
    rng : numpy Generator
    rate_per_day : array of non-negative rates, one per entity (tickets per day)
    days : length of the window in days

    Returns
    -------
    (entity, day) : int index into ``rate_per_day`` and the arrival time in days (float), sorted by time.

    References
    ----------
    .. [1] Brown, L., Gans, N., Mandelbaum, A., Sakov, A., Shen, H., Zeltyn, S. & Zhao, L. (2005), "Statistical
       analysis of a telephone call center: a queueing-science perspective", *Journal of the American
       Statistical Association* 100(469), 36-50 (Poisson arrivals, the standard call-centre arrival model).

    Example
    -------
    >>> ent, t = draw_arrivals(np.random.default_rng(0), np.array([0.1, 1.0]), 30)
    >>> bool((t >= 0).all() and (t < 30).all())
    True
    """
    rate = np.asarray(rate_per_day, dtype=float)
    if rate.ndim != 1 or not np.isfinite(rate).all() or (rate < 0).any():
        raise ValueError("rate_per_day must be a 1-D array of finite non-negative rates")
    days = check_number(days, "days", low=0.0, low_open=True)
    counts = rng.poisson(rate * days)
    entity = np.repeat(np.arange(rate.size), counts)
    t = rng.uniform(0.0, days, size=entity.size)
    order = np.argsort(t, kind="stable")
    return entity[order], t[order]


def expected_breach_rate(response_median_hours, response_sigma: float, sla_hours: float) -> float:
    """Planted SLA-breach rate: the mean of ``P(response > sla_hours)`` under log-normal response times.

    Parameters
    ----------
    response_median_hours : scalar or array of per-ticket medians (hours)
    response_sigma : log-scale spread of response times
    sla_hours : the promised response time

    Returns
    -------
    float, the expected share of tickets answered later than ``sla_hours``.

    References
    ----------
    .. [1] SciPy, ``scipy.stats.lognorm.sf``: the closed form of the log-normal survival function.

    Example
    -------
    >>> round(expected_breach_rate(24.0, 0.8, 24.0), 3)   # the median equals the SLA: half are late
    0.5
    """
    response_sigma = check_number(response_sigma, "response_sigma", low=0.0, low_open=True)
    sla_hours = check_number(sla_hours, "sla_hours", low=0.0, low_open=True)
    med = np.asarray(response_median_hours, dtype=float)
    return float(np.mean(stats.lognorm.sf(sla_hours, s=response_sigma, scale=med)))


def draw_tickets(rng: np.random.Generator, categories: Sequence[TicketCategory], *, response_median_hours,
                 response_sigma: float, sla_hours: float, resolve_sigma: float = 0.8,
                 breach_escalation_odds: float = 2.0, n: int | None = None) -> pd.DataFrame:
    """Draw the content and handling of ``n`` tickets.

    Each ticket gets a category with probability equal to its planted ``share``; a first-response time
    ``LogNormal(log(response_median_hours), response_sigma)`` (the median may differ per ticket, e.g. by
    channel or by the staffing of a centre); ``sla_breached = response_hours > sla_hours``; escalation
    with log-odds ``logit(escalation_prob) + log(breach_escalation_odds) * sla_breached``; resolution
    with probability ``resolve_prob`` of the category, after a further log-normal time with the
    category's median.

    Parameters
    ----------
    rng : numpy Generator
    categories : the declarative category table (shares must sum to 1)
    response_median_hours : scalar, or array of length ``n`` (per-ticket medians)
    response_sigma : log-scale spread of response times
    sla_hours : the promised response time (hours)
    resolve_sigma : log-scale spread of the time from response to resolution
    breach_escalation_odds : odds ratio of escalation when the SLA was breached (>= 1)
    n : number of tickets; may be omitted when ``response_median_hours`` is an array

    Returns
    -------
    DataFrame with one row per ticket: category and route (categorical, categories in the order of the
    table), response_hours (float), sla_breached,
    escalated, resolved (bool), resolve_hours (hours from opening to resolution; NaN if unresolved).

    References
    ----------
    .. [1] Brown, L., Gans, N., Mandelbaum, A., Sakov, A., Shen, H., Zeltyn, S. & Zhao, L. (2005), "Statistical
       analysis of a telephone call center: a queueing-science perspective", *Journal of the American
       Statistical Association* 100(469), 36-50.

    Example
    -------
    >>> cats = [TicketCategory("late", 0.7, "process", 24, 0.1), TicketCategory("bug", 0.3, "product", 48, 0.2)]
    >>> t = draw_tickets(np.random.default_rng(1), cats, response_median_hours=6, response_sigma=1, sla_hours=24, n=5)
    >>> list(t.columns)[:3]
    ['category', 'route', 'response_hours']

    Source: CRM Q&A compilation (source 0), line 17 (reply within a day).
    """
    cats = list(categories)
    if not cats or not all(isinstance(c, TicketCategory) for c in cats):
        raise TypeError("categories must be a non-empty sequence of TicketCategory")
    shares = np.array([c.share for c in cats])
    if not np.isclose(shares.sum(), 1.0, atol=1e-9):
        raise ValueError(f"categories: shares must sum to 1, they sum to {shares.sum():.6g}")
    med = np.asarray(response_median_hours, dtype=float)
    if n is None:
        if med.ndim != 1:
            raise ValueError("n is required when response_median_hours is a scalar")
        n = med.size
    n = check_int(n, "n", low=0)
    med = np.broadcast_to(med, (n,)) if med.ndim == 0 else med
    if med.shape != (n,) or not (np.isfinite(med).all() and (med > 0).all()):
        raise ValueError(f"response_median_hours must be positive, scalar or of length n={n}")
    response_sigma = check_number(response_sigma, "response_sigma", low=0.0, low_open=True)
    sla_hours = check_number(sla_hours, "sla_hours", low=0.0, low_open=True)
    resolve_sigma = check_number(resolve_sigma, "resolve_sigma", low=0.0, low_open=True)
    breach_escalation_odds = check_number(breach_escalation_odds, "breach_escalation_odds", low=1.0)

    k = rng.choice(len(cats), size=n, p=shares / shares.sum())
    routes = list(dict.fromkeys(c.route for c in cats))
    route_code = np.array([routes.index(c.route) for c in cats], dtype=np.int32)
    response = med * np.exp(response_sigma * rng.standard_normal(n))
    breached = response > sla_hours
    esc = np.array([c.escalation_prob for c in cats])[k]
    _, escalated = logit_draw(rng, np.log(esc / (1 - esc)) + np.log(breach_escalation_odds) * breached)
    resolved = rng.random(n) < np.array([c.resolve_prob for c in cats])[k]
    fix = np.array([c.resolve_median_hours for c in cats])[k] * np.exp(resolve_sigma * rng.standard_normal(n))
    return pd.DataFrame({
        "category": pd.Categorical.from_codes(k.astype(np.int32), categories=[c.name for c in cats]),
        "route": pd.Categorical.from_codes(route_code[k], categories=routes),
        "response_hours": response,
        "sla_breached": breached,
        "escalated": np.asarray(escalated, dtype=bool),
        "resolved": resolved,
        "resolve_hours": np.where(resolved, response + fix, np.nan),
    })


def draw_funnel(rng: np.random.Generator, leakage) -> np.ndarray:
    """Pass tickets through sequential handling stages, each losing a planted share.

    Parameters
    ----------
    rng : numpy Generator
    leakage : array (n_tickets, n_stages) of per-ticket leakage probabilities at each stage (a row per
              ticket lets a stage's leakage differ by city or month)

    Returns
    -------
    bool array (n_tickets, n_stages): ``passed[i, s]`` is True when ticket ``i`` got through stages
    ``0..s``. A ticket lost at one stage never reaches the later ones.

    Example
    -------
    >>> p = draw_funnel(np.random.default_rng(0), np.tile([0.0, 0.5], (4, 1)))
    >>> bool(p[:, 0].all())
    True

    Source: CRM article collection (source 3), lines 485–487 (Haier's four no-misses: record, handle,
    re-check, feed back every customer problem).
    """
    leak = np.asarray(leakage, dtype=float)
    if leak.ndim != 2 or not np.isfinite(leak).all() or (leak < 0).any() or (leak > 1).any():
        raise ValueError("leakage must be a 2-D array (tickets x stages) of probabilities in [0, 1]")
    return np.cumprod(rng.random(leak.shape) >= leak, axis=1).astype(bool)
