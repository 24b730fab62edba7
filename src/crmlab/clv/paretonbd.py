"""The Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987).

Story: while active, a customer buys as a Poisson process with rate lambda; their unobserved lifetime is
exponential with rate mu. Across customers lambda ~ gamma(r, alpha) and mu ~ gamma(s, beta). The
likelihood follows Fader & Hardie (2005):

    L = G(r+x) alpha^r beta^s / G(r) * [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) * A0 ]

where A0 = (r+s+x) * integral_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau (death at tau after
the last purchase) is written with Gauss's hypergeometric function 2F1, using the larger of alpha and
beta so that its argument lies in [0, 1). Everything is evaluated in logs; where scipy's ``hyp2f1``
fails (overflow for many purchases with alpha much smaller than beta, or non-finite values) the integral
is computed instead by composite Gauss-Legendre quadrature after a change of variable that absorbs its
steep part.

References
----------
.. [1] Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987), "Counting your customers: who are they and
   what will they do next?", *Management Science* 33(1), 1-24.
.. [2] Fader, P. S. & Hardie, B. G. S. (2005), "A note on deriving the Pareto/NBD model and related
   expressions".
"""
from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1, logsumexp, roots_legendre

from ._base import TransactionModel, group_rows

__all__ = ["ParetoNBDModel"]

# Composite Gauss-Legendre rule for the fallback: _PANELS equal panels of _ORDER nodes each, on [0, 1].
_PANELS, _ORDER = 32, 8
_x, _w = roots_legendre(_ORDER)
_NODES = ((np.arange(_PANELS)[:, None] + (_x[None, :] + 1.0) / 2.0) / _PANELS).ravel()
_LOG_WEIGHTS = np.log(np.tile(_w / 2.0, _PANELS) / _PANELS)


def _log1mexp(u: np.ndarray) -> np.ndarray:
    """log(1 - exp(u)) for u <= 0, accurate at both ends (-inf at u = 0)."""
    with np.errstate(divide="ignore"):
        return np.where(u > -0.693, np.log(-np.expm1(u)), np.log1p(-np.exp(u)))


def _log_hyp_term(params, x, y) -> np.ndarray:
    """log[2F1(r+s+x, b'; r+s+x+1; |alpha-beta|/(m+y)) / (m+y)^(r+s+x)] with m = max(alpha, beta) and
    b' = s+1 if alpha >= beta else r+x (FH 2005 note); A0 is this at y = t_x minus this at y = T."""
    r, alpha, s, beta = params
    big, gap = max(alpha, beta), abs(alpha - beta)
    second = s + 1.0 if alpha >= beta else r + x
    a = r + s + x
    with np.errstate(all="ignore"):
        return np.log(hyp2f1(a, second, a + 1.0, gap / (big + y))) - a * np.log(big + y)


def _log_A0_hyp2f1(params, x, tx, T, pairs=None) -> np.ndarray:
    """log A0 from the closed form with 2F1 (FH 2005 note; cases alpha >= beta and alpha < beta).

    ``pairs`` (from :meth:`ParetoNBDModel._fit_data`) lists the distinct (x, t_x) and (x, T) pairs: each
    2F1 depends on one pair only, and a cohort has far fewer pairs than (x, t_x, T) patterns.
    """
    if pairs is None:
        at_tx, at_T = _log_hyp_term(params, x, tx), _log_hyp_term(params, x, T)
    else:
        (x1, y1, inv1), (x2, y2, inv2) = pairs
        at_tx, at_T = _log_hyp_term(params, x1, y1)[inv1], _log_hyp_term(params, x2, y2)[inv2]
    with np.errstate(invalid="ignore"):
        return at_tx + _log1mexp(at_T - at_tx)


def _log_A0_quadrature(params, x, tx, T) -> np.ndarray:
    """log A0 = log((r+s+x) * integral) by quadrature, for rows where the 2F1 form fails.

    With k = r+s+x and l = -k log((alpha+tau)/(alpha+t_x)) the integral becomes
    (alpha+t_x)^-k / k * integral_{l(T)}^{0} e^l ((alpha+tau)/(beta+tau))^(s+1) dl: the steep power law
    turns into e^l and the remaining factor is smooth. The range is cut where e^l makes the rest
    negligible (below e^-60 of the total), then integrated by composite Gauss-Legendre in logs. Accurate
    to ~1e-9 (relative) where (alpha+tau)^-(r+x) is the steep factor - many purchases, the case where 2F1
    overflows; ~1e-4 in the opposite corner (beta << alpha, few purchases), where 2F1 does not fail.
    """
    r, alpha, s, beta = params
    k = r + s + x
    n = s + 1.0
    log_ratio = lambda tau: np.log(alpha + tau) - np.log(beta + tau)  # noqa: E731
    spread = n * np.abs(log_ratio(tx) - log_ratio(T))  # how much log g can vary over the range
    low = np.maximum(-k * (np.log(alpha + T) - np.log(alpha + tx)), -(60.0 + spread))
    l = low[:, None] * (1.0 - _NODES[None, :])  # from low (at tau = T side) up to 0 (tau = t_x)
    alpha_tau = (alpha + tx)[:, None] * np.exp(-l / k[:, None])
    log_g = n * (np.log(alpha_tau) - np.log(alpha_tau - (alpha - beta)))
    with np.errstate(divide="ignore"):
        log_integral = logsumexp(log_g + l + _LOG_WEIGHTS[None, :], axis=1) + np.log(-low)
    return -k * np.log(alpha + tx) + log_integral


def _log_A0(params, x, tx, T, pairs=None) -> np.ndarray:
    out = _log_A0_hyp2f1(params, x, tx, T, pairs)
    bad = ~np.isfinite(out) & (tx < T)
    if bad.any():
        out = out.copy()
        out[bad] = _log_A0_quadrature(params, x[bad], tx[bad], T[bad])
    return out


def _log_terms(params, x, tx, T, pairs=None) -> tuple[np.ndarray, np.ndarray]:
    """The two terms in the likelihood's bracket, in logs: alive at T, and died in (t_x, T]."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    died = np.log(s) - np.log(r + s + x) + _log_A0(params, x, tx, T, pairs)
    return alive, died


def _relative_growth(c: float, y: np.ndarray) -> np.ndarray:
    """(1 - (1+y)^-c) / c, with its limit log(1+y) at c = 0."""
    if abs(c) < 1e-10:
        return np.log1p(y)
    return -np.expm1(-c * np.log1p(y)) / c


class ParetoNBDModel(TransactionModel):
    """Pareto/NBD model: Poisson purchasing while active, exponential lifetimes, gamma heterogeneity.

    Parameters after ``fit``: ``params_ = {"r", "alpha", "s", "beta"}`` (purchase rate ~ gamma(r, alpha),
    drop-out rate ~ gamma(s, beta)), plus ``log_likelihood_``, ``n_customers_``, ``n_patterns_``,
    ``converged_``.

    Likelihood and predictions as in Fader & Hardie (2005). On the CDNOW sample (39 calibration weeks)
    the published estimates are r=0.553, alpha=10.578, s=0.606, beta=11.669, LL=-9595.0.

    References
    ----------
    .. [1] Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987), "Counting your customers: who are they and
       what will they do next?", *Management Science* 33(1), 1-24.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2005), "A note on deriving the Pareto/NBD model and related
       expressions".

    Example
    -------
    >>> m = ParetoNBDModel.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> round(m.probability_alive(frequency=0, recency=0, T=38.86), 3)
    0.295
    """

    _names = ("r", "alpha", "s", "beta")

    @staticmethod
    def _loglik(params, x, tx, T, pairs=None) -> np.ndarray:
        r, alpha, s, beta = params
        alive, died = _log_terms(params, x, tx, T, pairs)
        return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(alive, died)

    @staticmethod
    def _log_p_alive(params, x, tx, T) -> np.ndarray:
        """P(alive) = alive term / (alive term + died term)."""
        alive, died = _log_terms(params, x, tx, T)
        return alive - np.logaddexp(alive, died)

    @staticmethod
    def _conditional_expected(params, t, x, tx, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T] = (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)
        (Schmittlein et al. 1987; FH 2005 note)."""
        r, alpha, s, beta = params
        alive = np.exp(ParetoNBDModel._log_p_alive(params, x, tx, T))
        return (r + x) * (beta + T) / (alpha + T) * _relative_growth(s - 1.0, t / (beta + T)) * alive

    @staticmethod
    def _expected(params, t) -> np.ndarray:
        """E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)] (FH 2005 note)."""
        r, alpha, s, beta = params
        return r * beta / alpha * _relative_growth(s - 1.0, t / beta)

    @staticmethod
    def _fit_data(x, tx, T) -> tuple:
        """Add the distinct (x, t_x) and (x, T) pairs so each 2F1 is evaluated once per pair in the fit."""
        pairs = []
        for y in (tx, T):
            (ux, uy), _, inverse = group_rows(x, y)
            pairs.append((ux, uy, inverse))
        return x, tx, T, tuple(pairs)

    def _starts(self, x, tx, T) -> list[np.ndarray]:
        rate = max(float(x.sum() / T.sum()), 1e-6)
        return [np.zeros(4), np.log([1.0, 1.0 / rate, 1.0, float(np.mean(T))])]
