"""Many draws from one fixed distribution: Gamma and Beta variates by numerical inversion.

A world draws millions of values from a handful of fixed population distributions: every purchase's
spend from one Gamma(p), every customer's dropout probability from one Beta(a, b). numpy's samplers for
these are rejection methods run one variate at a time (a Beta costs two Gammas, a Gamma a normal, a
uniform and sometimes a logarithm). When the distribution stays the same for all the draws, it is cheaper
to prepare its inverse CDF once and then turn one uniform into one variate: scipy's
``NumericalInversePolynomial`` (PINV, from the UNU.RAN library) fits polynomials to the inverse CDF in a
few milliseconds, after which a draw is a table look-up and a polynomial.

PINV is exact up to a stated *u-error*: for every variate x it returns from a uniform u, |F(x) − u| is
below 1e-10 (scipy's default ``u_resolution``), where F is the exact CDF; no sample of any size a world
draws can tell that apart from the exact distribution. The tests check the u-error with scipy's
incomplete gamma and beta functions over the parameter ranges used here, and the samples with
Kolmogorov-Smirnov tests.

PINV needs a well-behaved density. The Gamma density has a pole at 0 for shapes below 1, so those shapes
(and shapes beyond the checked range) fall back to numpy's own sampler, which is exact for every shape.
The Beta density has poles or infinite slopes at 0 and 1 for small parameters, so the Beta is inverted on
the logit scale, where its density is smooth for every a, b > 0.

References
----------
.. [1] Derflinger, G., Hörmann, W. & Leydold, J. (2010), "Random variate generation by numerical
   inversion when only the density is known", *ACM Transactions on Modeling and Computer Simulation*
   20(4), article 18.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special
from scipy.stats import sampling

from ..._validate import check_generator, check_int, check_number

__all__ = ["beta", "standard_gamma"]


class _Gamma:
    """Density of Gamma(shape, rate 1) for PINV; plain-float math, since PINV calls it a few hundred
    times during its set-up and a numpy call per point would dominate."""

    def __init__(self, shape: float):
        self.shape = shape
        self._log_norm = math.lgamma(shape)

    def pdf(self, x: float) -> float:
        if not 0.0 < x < math.inf:
            return 0.0
        return math.exp((self.shape - 1.0) * math.log(x) - x - self._log_norm)


def _softplus(y: float) -> float:
    """log(1 + e^y) without overflow."""
    return y + math.log1p(math.exp(-y)) if y > 0 else math.log1p(math.exp(y))


class _LogitBeta:
    """Density of y = log(x / (1 − x)) for x ~ Beta(a, b), which is x^a (1 − x)^b / B(a, b) at
    x = 1 / (1 + e^−y). The Beta density itself has poles or infinite slopes at 0 and 1 whenever a or
    b is below 2, where PINV's set-up can fail or take very long; on the logit scale the density is
    smooth, bounded and log-concave for every a, b > 0 (see :class:`_Gamma` for the plain-float math)."""

    def __init__(self, a: float, b: float):
        self.a, self.b = a, b
        self._log_norm = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)

    def pdf(self, y: float) -> float:
        if not -math.inf < y < math.inf:
            return 0.0
        return math.exp(-self.a * _softplus(-y) - self.b * _softplus(y) - self._log_norm)


def _inverter(density, domain: tuple[float, float], center: float, rng):
    return sampling.NumericalInversePolynomial(density, domain=domain, center=center, random_state=rng)


def _gamma_inverter(shape: float, rng=None):
    """The PINV generator of Gamma(shape) for shape >= 1 (tests read its ``ppf``)."""
    return _inverter(_Gamma(shape), (0.0, math.inf), shape, rng)


def _logit_beta_inverter(a: float, b: float, rng=None):
    """The PINV generator of logit(Beta(a, b)) (tests read its ``ppf``)."""
    return _inverter(_LogitBeta(a, b), (-math.inf, math.inf), math.log(a / b), rng)


# The parameter ranges where the tests check PINV's u-error (tests/test_world_sampling.py); numpy's
# samplers take over outside them.
GAMMA_SHAPES = (1.0, 1e4)
BETA_PARAMETERS = (0.1, 1e4)


def _check(rng, size) -> int:
    check_generator(rng)
    return check_int(size, "size", low=0)


def standard_gamma(rng: np.random.Generator, shape: float, size: int) -> np.ndarray:
    """``size`` draws from Gamma(shape, scale 1) as float64.

    1 <= shape <= 1e4 (:data:`GAMMA_SHAPES`): numerical inversion (PINV, u-error < 1e-10; one uniform
    from ``rng`` per draw). Other shapes: ``rng.standard_gamma`` (below 1 the density has a pole at 0).

    Example
    -------
    >>> x = standard_gamma(np.random.default_rng(0), 6.25, 100_000)
    >>> bool(abs(x.mean() - 6.25) < 0.05)
    True
    """
    size = _check(rng, size)
    shape = check_number(shape, "shape", low=0, low_open=True)
    lo, hi = GAMMA_SHAPES
    if not lo <= shape <= hi:
        return rng.standard_gamma(shape, size)
    if size == 0:
        return np.empty(0)
    return _gamma_inverter(shape, rng).rvs(size)


def beta(rng: np.random.Generator, a: float, b: float, size: int) -> np.ndarray:
    """``size`` draws from Beta(a, b) as float64.

    0.1 <= a, b <= 1e4 (:data:`BETA_PARAMETERS`): numerical inversion (PINV, u-error < 1e-10) of the
    logit of the variate, turned back with the logistic function. Other parameters: ``rng.beta``.

    Example
    -------
    >>> x = beta(np.random.default_rng(0), 1.5, 20.0, 100_000)
    >>> bool(abs(x.mean() - 1.5 / 21.5) < 0.001)
    True
    """
    size = _check(rng, size)
    a = check_number(a, "a", low=0, low_open=True)
    b = check_number(b, "b", low=0, low_open=True)
    lo, hi = BETA_PARAMETERS
    if not (lo <= a <= hi and lo <= b <= hi):
        return rng.beta(a, b, size)
    if size == 0:
        return np.empty(0)
    y = _logit_beta_inverter(a, b, rng).rvs(size)
    return special.expit(y, out=y)
