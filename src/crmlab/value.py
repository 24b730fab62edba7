"""Customer value: simple retention CLV, discounted cohort CLV, customer equity, customer delivered value.

Sources: the Analytical CRM course pack (source 1), line 23, defines customer delivered value (total
value received minus total cost paid) and line 25 customer equity (客户资产: the discounted profit of
current and potential customers over their time with the firm); the CRM article collection (source 3),
lines 429–527, breaks the value into product, service, personnel and image value and the cost into money,
time, mental and physical cost (Kotler's customer delivered value). The CLV formulas are those of Gupta &
Lehmann (2003) and Berger & Nasr (1998); customer equity follows Blattberg & Deighton (1996).

References
----------
.. [1] Gupta, S. & Lehmann, D. R. (2003), "Customers as assets", *Journal of Interactive Marketing* 17(1).
.. [2] Berger, P. D. & Nasr, N. I. (1998), "Customer lifetime value: marketing models and applications",
   *Journal of Interactive Marketing* 12(1).
.. [3] Blattberg, R. C. & Deighton, J. (1996), "Manage marketing by the customer equity test", *Harvard
   Business Review* 74(4).
.. [4] Kotler, P., *Marketing Management* (customer delivered value).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import check_columns, check_dataframe, check_int, check_number, numeric_column

__all__ = ["retention_clv", "cohort_clv", "customer_equity", "customer_delivered_value",
           "VALUE_COMPONENTS", "COST_COMPONENTS"]

VALUE_COMPONENTS = ("product", "service", "personnel", "image")
COST_COMPONENTS = ("money", "time", "mental", "physical")


def _array(x, name: str, *, low: float | None = None, high: float | None = None) -> np.ndarray:
    """A finite float array (scalars become 0-d) within [low, high]; the message names the argument."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {x!r}") from None
    if isinstance(x, (bool, np.bool_)) or a.dtype == object:
        raise TypeError(f"{name} must be a number or an array of numbers, got {x!r}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {x!r}")
    if low is not None and (a < low).any():
        raise ValueError(f"{name} must be >= {low}, got {x!r}")
    if high is not None and (a > high).any():
        raise ValueError(f"{name} must be <= {high}, got {x!r}")
    return a


def _scalar_or_array(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


def retention_clv(margin, retention, discount, *, horizon: int | None = None):
    """Simple retention CLV: ``margin × r / (1 + d − r)`` - the value of a customer who pays ``margin`` per period.

    Assumptions: constant margin per period, constant retention ``r`` (probability of staying another
    period), discount rate ``d`` per period, margins received at the end of each period the customer is
    still there, the current period's margin already banked. Then
    ``CLV = Σ_{t≥1} m r^t / (1+d)^t = m r / (1 + d − r)``; ``r / (1 + d − r)`` is the "margin multiple".
    With ``horizon=H`` the sum stops after H periods: ``m q (1 − q^H) / (1 − q)``, ``q = r / (1 + d)``.
    All arguments broadcast (numpy), so a whole table of customers or scenarios is one call.

    Parameters
    ----------
    margin : float or array
        Margin per period per customer (may be negative).
    retention : float or array in [0, 1]
    discount : float or array >= 0
    horizon : int, optional
        Number of future periods; default infinite (then retention = 1 with discount = 0 is refused).

    Returns
    -------
    float, or an array for array input.

    References
    ----------
    .. [1] Gupta, S. & Lehmann, D. R. (2003), "Customers as assets", *Journal of Interactive Marketing* 17(1).

    Example
    -------
    >>> round(retention_clv(100.0, 0.8, 0.1), 2)
    266.67
    """
    m = _array(margin, "margin")
    r = _array(retention, "retention", low=0.0, high=1.0)
    d = _array(discount, "discount", low=0.0)
    q = r / (1.0 + d)
    if horizon is None:
        if np.broadcast_to((r >= 1.0) & (d == 0.0), np.broadcast_shapes(r.shape, d.shape)).any():
            raise ValueError("retention = 1 with discount = 0 gives an infinite CLV; set horizon or discount > 0")
        return _scalar_or_array(m * r / (1.0 + d - r))
    h = check_int(horizon, "horizon", low=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        finite = np.where(q < 1.0, q * (1.0 - q**h) / np.where(q < 1.0, 1.0 - q, 1.0), float(h))
    return _scalar_or_array(m * finite)


def cohort_clv(margin, retention, discount: float, *, periods: int | None = None, cohort_size: int = 1000,
               acquisition_cost: float = 0.0) -> pd.DataFrame:
    """Discounted cohort CLV table: follow an acquired cohort period by period and discount what it earns.

    Period 0 is the acquisition period (everybody is there, nothing discounted). In period t the share
    still active is ``S_t = r_1 r_2 … r_t``; each active customer earns ``margin_t``; the present value per
    *acquired* customer is ``margin_t S_t / (1 + d)^t``. The last ``cumulative_clv`` is the cohort CLV
    per acquired customer, net of ``acquisition_cost``.

    Parameters
    ----------
    margin : float or array
        Margin per active customer per period (array of length ``periods`` for a changing margin).
    retention : float or array in [0, 1]
        Retention from one period to the next (array of length ``periods - 1`` for a retention curve).
    discount : float
        Discount rate per period (>= 0).
    periods : int, optional
        Number of periods including period 0; inferred from array arguments.
    cohort_size : int
        Customers acquired (only scales the ``customers`` and ``cohort_value`` columns).
    acquisition_cost : float
        Cost of acquiring one customer, paid in period 0.

    Returns
    -------
    DataFrame indexed by ``period`` with ``retention``, ``survival``, ``customers``, ``margin``,
    ``discount_factor``, ``pv_per_customer``, ``cumulative_clv`` (per acquired customer) and
    ``cohort_value`` (cumulative, whole cohort).

    References
    ----------
    .. [1] Berger, P. D. & Nasr, N. I. (1998), "Customer lifetime value: marketing models and applications",
       *Journal of Interactive Marketing* 12(1).

    Example
    -------
    >>> t = cohort_clv(100.0, 0.5, 0.0, periods=3)
    >>> t["cumulative_clv"].tolist()
    [100.0, 150.0, 175.0]

    Source: Analytical CRM course pack (source 1), line 25 (customer assets as discounted profit over the
    customers' time with the firm).
    """
    m = _array(margin, "margin")
    r = _array(retention, "retention", low=0.0, high=1.0)
    d = check_number(discount, "discount", low=0.0)
    cohort_size = check_int(cohort_size, "cohort_size", low=1)
    cost = check_number(acquisition_cost, "acquisition_cost", low=0.0)
    for name, a in (("margin", m), ("retention", r)):
        if a.ndim > 1:
            raise ValueError(f"{name} must be a number or a 1-d array, got shape {a.shape}")
    implied = [len(m)] if m.ndim else []
    implied += [len(r) + 1] if r.ndim else []
    if periods is None:
        if not implied:
            raise ValueError("periods is required when margin and retention are both single numbers")
        periods = implied[0]
    periods = check_int(periods, "periods", low=1)
    if m.ndim and len(m) != periods:
        raise ValueError(f"margin has {len(m)} values but periods={periods} (one per period)")
    if r.ndim and len(r) != periods - 1:
        raise ValueError(f"retention has {len(r)} values but periods={periods} needs {periods - 1} "
                         "(one per transition between periods)")
    t = np.arange(periods)
    ret = np.r_[np.nan, np.broadcast_to(r, periods - 1)]
    survival = np.r_[1.0, np.cumprod(np.broadcast_to(r, periods - 1))]
    margins = np.broadcast_to(m, periods).astype(np.float64)
    factor = (1.0 + d) ** -t.astype(np.float64)
    pv = margins * survival * factor
    cum = np.cumsum(pv) - cost
    return pd.DataFrame({"retention": ret, "survival": survival, "customers": cohort_size * survival,
                         "margin": margins, "discount_factor": factor, "pv_per_customer": pv,
                         "cumulative_clv": cum, "cohort_value": cum * cohort_size},
                        index=pd.Index(t, name="period"))


def customer_equity(clv, counts=None, *, prospects: int = 0, acquisition_rate: float = 0.0,
                    acquisition_cost: float = 0.0, prospect_clv: float = 0.0) -> pd.Series:
    """Customer equity: the summed lifetime value of current customers plus the expected net value of prospects.

    ``current = Σ counts_i × clv_i`` (a CLV per customer, or per segment with its head count) and
    ``prospective = prospects × (acquisition_rate × prospect_clv − acquisition_cost)``, where the
    acquisition cost is spent on every prospect approached (Blattberg & Deighton 1996).

    Parameters
    ----------
    clv : float, array or Series
        CLV per customer (``counts`` None) or per segment.
    counts : array or Series, optional
        Customers per segment, aligned with ``clv``.
    prospects : int
        Prospects to be approached.
    acquisition_rate : float in [0, 1]
        Share of prospects who become customers.
    acquisition_cost : float
        Spend per prospect approached.
    prospect_clv : float
        CLV of a newly acquired customer.

    Returns
    -------
    Series with ``current``, ``prospective`` and ``total``.

    References
    ----------
    .. [1] Blattberg, R. C. & Deighton, J. (1996), "Manage marketing by the customer equity test", *Harvard
       Business Review* 74(4).

    Example
    -------
    >>> customer_equity([300.0, 50.0], counts=[100, 1000], prospects=2000, acquisition_rate=0.05,
    ...                 acquisition_cost=4.0, prospect_clv=120.0).tolist()
    [80000.0, 4000.0, 84000.0]

    Source: Analytical CRM course pack (source 1), line 25 (customer assets: current and potential customers).
    """
    v = _array(clv, "clv")
    if v.ndim > 1:
        raise ValueError(f"clv must be a number or a 1-d array, got shape {v.shape}")
    if counts is None:
        current = float(v.sum())
    else:
        n = _array(counts, "counts", low=0.0)
        if n.shape != v.shape:
            raise ValueError(f"counts must have the same length as clv ({v.size}), got shape {n.shape}")
        current = float(np.dot(np.atleast_1d(n), np.atleast_1d(v)))
    prospects = check_int(prospects, "prospects", low=0)
    rate = check_number(acquisition_rate, "acquisition_rate", low=0.0, high=1.0)
    cost = check_number(acquisition_cost, "acquisition_cost", low=0.0)
    p_clv = check_number(prospect_clv, "prospect_clv")
    prospective = prospects * (rate * p_clv - cost)
    return pd.Series({"current": current, "prospective": prospective, "total": current + prospective},
                     name="customer_equity")


def customer_delivered_value(data, *, value_cols: Sequence[str] = VALUE_COMPONENTS,
                             cost_cols: Sequence[str] = COST_COMPONENTS) -> pd.DataFrame:
    """Customer delivered value = total customer value − total customer cost (and the value/cost ratio).

    Total value is the sum of product, service, personnel and image value; total cost the sum of money,
    time, mental and physical cost (CRM article collection (source 3), lines 429–527). A customer is
    expected to choose the offer that delivers the most. Components are non-negative amounts in one unit
    (e.g. yuan-equivalents).

    Parameters
    ----------
    data : DataFrame or mapping
        One row per offer / firm / customer with the component columns; a mapping of component → number
        is one row.
    value_cols, cost_cols : sequence of str
        Columns summed into total value and total cost.

    Returns
    -------
    DataFrame with ``total_value``, ``total_cost``, ``delivered_value`` and ``value_ratio``
    (total value / total cost; NaN where the cost is 0).

    References
    ----------
    .. [1] Kotler, P., *Marketing Management* (customer delivered value).

    Example
    -------
    >>> offer = {"product": 600, "service": 150, "personnel": 50, "image": 100,
    ...          "money": 500, "time": 60, "mental": 30, "physical": 10}
    >>> customer_delivered_value(offer)["delivered_value"].tolist()
    [300.0]

    Source: CRM article collection (source 3), lines 429–527; Analytical CRM course pack (source 1), line 23.
    """
    if isinstance(data, Mapping):
        data = pd.DataFrame([dict(data)])
    check_dataframe(data, name="data")
    value_cols, cost_cols = list(value_cols), list(cost_cols)
    if not value_cols or not cost_cols:
        raise ValueError("value_cols and cost_cols must each name at least one column")
    check_columns(data, value_cols + cost_cols, name="data")
    total_value = sum(numeric_column(data, c, name="data", allow_negative=False) for c in value_cols)
    total_cost = sum(numeric_column(data, c, name="data", allow_negative=False) for c in cost_cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total_cost > 0, total_value / np.where(total_cost > 0, total_cost, 1.0), np.nan)
    return pd.DataFrame({"total_value": total_value, "total_cost": total_cost,
                         "delivered_value": total_value - total_cost, "value_ratio": ratio}, index=data.index)
