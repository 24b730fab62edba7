"""Customer lifetime value from a purchase-count model and a spend model.

CLV over a horizon of ``horizon`` months is the sum, month by month, of the customer's expected purchases
in that month times their expected spend per purchase, discounted at ``discount_rate`` per month:

    CLV = sum_{i=1..horizon} spend * (E[purchases by month i] - E[purchases by month i-1]) / (1 + d)^i

This is the discrete discounting of lifetimes' ``customer_lifetime_value`` (Davidson-Pilon et al.); the
spend comes from the Gamma-Gamma model and the purchases from BG/NBD or Pareto/NBD, as in Fader, Hardie
& Lee (2005).

References
----------
.. [1] Davidson-Pilon, C. et al., *lifetimes* (Python package).
.. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "RFM and CLV: using iso-value curves for customer
   base analysis", *Journal of Marketing Research* 42(4), 415-430.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_int, check_number, check_time_unit
from ._base import TransactionModel, check_rfm
from .gammagamma import GammaGammaModel

__all__ = ["customer_lifetime_value", "PERIODS_PER_MONTH"]

# Model time units per month (lifetimes' convention: a month is 4.345 weeks or 30 days).
PERIODS_PER_MONTH = {"D": 30.0, "W": 4.345, "M": 1.0, "H": 720.0}


def customer_lifetime_value(transaction_model: TransactionModel, spend_model: GammaGammaModel, frequency,
                            recency, T, monetary_value, horizon: int = 12, discount_rate: float = 0.01,
                            freq: str = "W"):
    """Discounted expected value of each customer's purchases over the next ``horizon`` months.

    Parameters
    ----------
    transaction_model : fitted BetaGeoModel or ParetoNBDModel
    spend_model : fitted GammaGammaModel
    frequency, recency, T : array-likes
        The customer summary, in the time unit ``freq`` the transaction model was fitted in.
    monetary_value : array-like
        Average value of each customer's repeat purchases (anything, e.g. 0, where frequency is 0).
    horizon : int >= 1
        Number of months to sum over.
    discount_rate : float >= 0
        Discount rate per month (e.g. 0.01; an annual 12.7% is about 0.01 a month).
    freq : {"D", "W", "M", "H"} or a unit word
        Time unit of frequency/recency/T; a month is 30 days, 4.345 weeks or 720 hours. The words ("days",
        "weeks", … as a world's ``truth["time_unit"]`` says) mean the same as the codes.

    Returns
    -------
    float, Series (on the index of Series inputs) or array: the CLV of each customer.

    Example
    -------
    >>> from crmlab.clv import BetaGeoModel, GammaGammaModel
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    >>> round(customer_lifetime_value(bg, gg, 2, 30.43, 38.86, 22.35, horizon=12, discount_rate=0.01), 2)
    36.29
    """
    if not isinstance(transaction_model, TransactionModel):
        raise TypeError("transaction_model must be a BetaGeoModel or ParetoNBDModel, got "
                        f"{type(transaction_model).__name__}")
    if not isinstance(spend_model, GammaGammaModel):
        raise TypeError(f"spend_model must be a GammaGammaModel, got {type(spend_model).__name__}")
    horizon = check_int(horizon, "horizon", low=1)
    discount_rate = check_number(discount_rate, "discount_rate", low=0.0)
    per_month = PERIODS_PER_MONTH[check_time_unit(freq, "freq", PERIODS_PER_MONTH)]
    cols = check_rfm(frequency, recency, T)
    spend = np.asarray(spend_model.conditional_expected_average_spend(frequency, monetary_value), dtype=float)
    x, tx, age = (cols.values[k] for k in ("frequency", "recency", "T"))
    if spend.size not in (1, x.size):
        raise ValueError(f"monetary_value has {spend.size} values but frequency has {x.size}")
    months = np.arange(horizon + 1)
    cumulative = np.stack([transaction_model.conditional_expected_purchases(m * per_month, x, tx, age)
                           for m in months])  # (horizon+1, customers); loop over months, not customers
    per_period = np.diff(cumulative, axis=0)
    discount = (1.0 + discount_rate) ** -months[1:]
    return cols.wrap(spend * (discount @ per_period), "clv")
