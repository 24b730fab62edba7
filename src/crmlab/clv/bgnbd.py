"""The BG/NBD ("beta-geometric / negative binomial distribution") model of repeat purchasing.

Story (Fader, Hardie & Lee 2005): while active, a customer buys as a Poisson process with rate
lambda; right after each repeat purchase they drop out for good with probability p. Across customers
lambda is gamma(r, alpha) and p is beta(a, b). The likelihood (their eq. 6), the predictions (eqs. 9-10)
and P(alive) (their note on computing it) have closed forms; this module evaluates them in log space.

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
   alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
.. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L., "Computing P(alive) using the BG/NBD model" (note).
"""
from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from ._base import TransactionModel

__all__ = ["BetaGeoModel"]


def _log_odds_dead(params, x, tx, T) -> np.ndarray:
    """log of  delta(x>0) * a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x): odds "dropped out" : "alive"."""
    r, alpha, a, b = params
    positive = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx)))
    return np.where(positive, value, -np.inf)


def _future_purchases(params, t, x, T) -> np.ndarray:
    """(a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))].

    The expected purchases in (T, T+t] of a customer known to be alive at T after x repeat purchases
    (FHL 2005 eq. 10 without its P(alive) denominator; with x = T = 0 it is eq. 9, E[X(t)]).
    Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A,C-B;C;z) turns the product into
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), which stays bounded for large x instead of overflowing.
    Within 1e-6 of a = 1 the expression is 0/0 numerically; there it is interpolated linearly in a between
    a = 1 -+ 2e-6 (error ~1e-10).
    """
    r, alpha, a, b = params
    if abs(a - 1.0) < 1e-6:
        below = _future_purchases((r, alpha, 1.0 - 2e-6, b), t, x, T)
        above = _future_purchases((r, alpha, 1.0 + 2e-6, b), t, x, T)
        return below + (a - (1.0 - 2e-6)) / 4e-6 * (above - below)
    z = t / (alpha + T + t)
    c = a + b + x - 1
    bracket = 1.0 - np.exp((a - 1) * np.log1p(-z)) * hyp2f1(a + b - 1 - r, a - 1, c, z)
    return c / (a - 1) * bracket


class BetaGeoModel(TransactionModel):
    """BG/NBD model: Poisson purchasing while active, geometric drop-out after each purchase.

    Parameters after ``fit``: ``params_ = {"r", "alpha", "a", "b"}`` (purchase rate ~ gamma(r, alpha),
    drop-out probability ~ beta(a, b)), plus ``log_likelihood_``, ``n_customers_``, ``n_patterns_``,
    ``converged_``.

    On the CDNOW sample (39 calibration weeks) the published estimates are r=0.243, alpha=4.414,
    a=0.793, b=2.426, LL=-9582.4.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
       alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284: likelihood eq. 6, E[X(t)]
       eq. 9, conditional expectation eq. 10.
    .. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L., "Computing P(alive) using the BG/NBD model" (note).

    Example
    -------
    >>> m = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(m.conditional_expected_purchases(39, frequency=2, recency=30.43, T=38.86), 3)
    1.226
    """

    _names = ("r", "alpha", "a", "b")

    @staticmethod
    def _loglik(params, x, tx, T) -> np.ndarray:
        """FHL 2005 eq. 6 in logs:
        L = B(a,b+x)/B(a,b) * G(r+x) alpha^r/(G(r)(alpha+T)^(r+x))
            + delta(x>0) B(a+1,b+x-1)/B(a,b) * G(r+x) alpha^r/(G(r)(alpha+t_x)^(r+x))."""
        r, alpha, a, b = params
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
        return common - (r + x) * np.log(alpha + T) + np.logaddexp(0.0, _log_odds_dead(params, x, tx, T))

    @staticmethod
    def _loglik_gradient(params, x, tx, T) -> np.ndarray:
        """Derivatives of ``_loglik`` with respect to (r, alpha, a, b), one row per customer.

        With pi = delta(x>0) * odds/(1+odds) the posterior probability of having dropped out:
        d/dr = psi(r+x) - psi(r) + log(alpha/(alpha+T)) + pi log((alpha+T)/(alpha+t_x)),
        d/dalpha = r/alpha - (r+x)/(alpha+T) + pi (r+x) (1/(alpha+T) - 1/(alpha+t_x)),
        d/da = psi(a+b) - psi(a+b+x) + pi/a,  d/db = psi(b+x) - psi(b) + psi(a+b) - psi(a+b+x) - pi/(b+x-1).
        """
        r, alpha, a, b = params
        dead = expit(_log_odds_dead(params, x, tx, T))
        log_ratio = np.log(alpha + T) - np.log(alpha + tx)
        shared = digamma(a + b) - digamma(a + b + x)
        with np.errstate(divide="ignore", invalid="ignore"):
            db_dead = np.where(x > 0, dead / (b + x - 1), 0.0)
        return np.column_stack([
            digamma(r + x) - digamma(r) + np.log(alpha) - np.log(alpha + T) + dead * log_ratio,
            r / alpha - (r + x) / (alpha + T) + dead * (r + x) * (1 / (alpha + T) - 1 / (alpha + tx)),
            shared + dead / a,
            digamma(b + x) - digamma(b) + shared - db_dead,
        ])

    @staticmethod
    def _log_p_alive(params, x, tx, T) -> np.ndarray:
        """P(alive) = 1 / (1 + delta(x>0) a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
        return -np.logaddexp(0.0, _log_odds_dead(params, x, tx, T))

    @staticmethod
    def _conditional_expected(params, t, x, tx, T) -> np.ndarray:
        """FHL 2005 eq. 10: the alive customer's expectation times P(alive)."""
        log_alive = BetaGeoModel._log_p_alive(params, x, tx, T)
        return _future_purchases(params, t, x, T) * np.exp(log_alive)

    @staticmethod
    def _expected(params, t) -> np.ndarray:
        """FHL 2005 eq. 9: E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]."""
        zero = np.zeros_like(t)
        return _future_purchases(params, t, zero, zero)

    def _starts(self, x, tx, T) -> list[np.ndarray]:
        rate = max(float(x.sum() / T.sum()), 1e-6)  # repeat purchases per unit of time
        return [np.zeros(4), np.log([1.0, 1.0 / rate, 1.0, 3.0])]
