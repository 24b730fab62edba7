"""The Gamma-Gamma model of average spend per transaction.

Story (Fader, Hardie & Lee 2005; details in Fader & Hardie 2013): each transaction's value is gamma(p, nu) around a customer's mean p/nu, and nu varies
across customers as gamma(q, gamma). Spend is assumed independent of the purchase process, so the
model is fitted on customers with at least one repeat purchase and combined with BG/NBD or Pareto/NBD
for customer lifetime value.

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "RFM and CLV: using iso-value curves for customer
   base analysis", *Journal of Marketing Research* 42(4), 415-430.
.. [2] Fader, P. S. & Hardie, B. G. S. (2013), "The Gamma-Gamma model of monetary value" (note).
"""
from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from ._base import MLModel, as_columns, check_counts, compress, maximise

__all__ = ["GammaGammaModel"]


def _check_spend(frequency, monetary_value, *, fitting: bool):
    cols = as_columns(frequency=frequency, monetary_value=monetary_value)
    x, m = cols.values["frequency"], cols.values["monetary_value"]
    check_counts(x)
    if (m < 0).any():
        i = int(np.argmax(m < 0))
        raise ValueError(f"monetary_value must be >= 0 (average spend per repeat purchase); first bad value "
                         f"{float(m[i])!r} at position {i}")
    if fitting and (x == 0).any():
        raise ValueError(f"frequency must be > 0 for every customer: the Gamma-Gamma model is fitted on customers "
                         f"with at least one repeat purchase, and {int((x == 0).sum())} have none; select them "
                         "first, e.g. summary[summary['frequency'] > 0]")
    bad = (x > 0) & (m <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"monetary_value must be > 0 where frequency > 0; first bad value {float(m[i])!r} "
                         f"at position {i}")
    return cols


class GammaGammaModel(MLModel):
    """Gamma-Gamma model of each customer's average spend per transaction.

    Parameters after ``fit``: ``params_ = {"p", "q", "gamma"}`` (transaction value ~ gamma(p, nu),
    nu ~ gamma(q, gamma)), plus ``log_likelihood_``, ``n_customers_``, ``n_patterns_``, ``converged_``.

    On the 946 CDNOW sample customers with repeat purchases in the 39 calibration weeks the published
    estimates are p=6.25, q=3.74, gamma=15.44.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "RFM and CLV: using iso-value curves for customer
       base analysis", *Journal of Marketing Research* 42(4), 415-430.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2013), "The Gamma-Gamma model of monetary value" (note).

    Example
    -------
    >>> m = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    >>> round(m.conditional_expected_average_spend(frequency=2, monetary_value=22.35), 2)
    24.66
    """

    _names = ("p", "q", "gamma")
    _fit_call = "fit(frequency, monetary_value)"

    @staticmethod
    def _loglik(params, x, m) -> np.ndarray:
        """Density of the mean m of x transactions: the mean of x gamma(p, nu) values is gamma(px, x nu);
        integrating nu over gamma(q, gamma) gives
        G(px+q)/(G(px)G(q)) gamma^q m^(px-1) x^(px) / (gamma + x m)^(px+q)."""
        p, q, g = params
        return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g) + (p * x - 1) * np.log(m)
                + p * x * np.log(x) - (p * x + q) * np.log(g + x * m))

    @staticmethod
    def _loglik_gradient(params, x, m) -> np.ndarray:
        """Derivatives of ``_loglik`` with respect to (p, q, gamma), one row per customer."""
        p, q, g = params
        both = digamma(p * x + q)
        return np.column_stack([
            x * (both - digamma(p * x) + np.log(m) + np.log(x) - np.log(g + x * m)),
            both - digamma(q) + np.log(g) - np.log(g + x * m),
            q / g - (p * x + q) / (g + x * m),
        ])

    def fit(self, frequency, monetary_value):
        """Fit by maximum likelihood to repeat buyers; returns ``self``.

        Parameters
        ----------
        frequency : array-like of whole numbers > 0
            Repeat purchases of each customer (customers with none must be left out).
        monetary_value : array-like of numbers > 0
            Each customer's average value of those repeat purchases.
        """
        cols = _check_spend(frequency, monetary_value, fitting=True)
        x, m = cols.values["frequency"], cols.values["monetary_value"]
        # The model is scale-equivariant: spend in units s times larger leaves p and q and multiplies gamma
        # by s. Fitting spend in units of its own mean keeps gamma near 1, wherever the currency puts it
        # (a fit in dong or rupiah would otherwise leave the optimiser's search box); the density of m is
        # that of m / s divided by s, so the log-likelihood moves by -log(s) per customer.
        scale = float(np.mean(m))
        patterns, weights = compress(x, m / scale)
        start = np.log([1.0, 1.0, 1.0])
        params, ll, converged, message = maximise(self._loglik, patterns, weights, [start, np.zeros(3)],
                                                  label="GammaGammaModel", gradient=self._loglik_gradient,
                                                  names=self._names)
        params = params * np.array([1.0, 1.0, scale])
        self._store_fit(params, ll - x.size * np.log(scale), converged, message, x.size, weights.size)
        return self

    def conditional_expected_average_spend(self, frequency, monetary_value):
        """Expected average spend per future transaction of each customer given their history.

        E[Z | x, m] = p (gamma + x m) / (p x + q - 1): a weighted average of the population mean
        p gamma / (q - 1) and the customer's own average m, the weight on m growing with x. Customers with
        frequency 0 get the population mean (their monetary_value is ignored). Needs q > 1.

        Returns a float for number inputs, a Series on the index of Series inputs, else an array.
        """
        p, q, g = self._params()
        if q <= 1:
            raise ValueError(f"the fitted q={q:.4g} is <= 1, so the mean spend p*gamma/(q-1) is infinite: the "
                             "Gamma-Gamma model does not suit this data")
        cols = _check_spend(frequency, monetary_value, fitting=False)
        x, m = cols.values["frequency"], cols.values["monetary_value"]
        m = np.where(x > 0, m, 0.0)
        return cols.wrap(p * (g + x * m) / (p * x + q - 1), "expected_spend")
