"""Gamma and Beta variates by numerical inversion (crmlab.worlds.mech.sampling).

Checked against independent references: the exact CDFs of scipy.special (regularised incomplete gamma and
beta functions) for the u-error of the inversion over the whole parameter range where it is used, and
Kolmogorov-Smirnov tests of samples against scipy.stats. Outside that range the functions must be numpy's
own samplers, draw for draw.
"""
import numpy as np
import pytest
from scipy import special, stats

from crmlab.worlds.mech import sampling

# 1e-10 is PINV's target (scipy's default u_resolution), which UNU.RAN checks on test points during the
# set-up, so the true maximum can exceed it a little; 1.5e-10 leaves room for that and nothing else.
U_ERROR = 1.5e-10


def _uniforms():
    rng = np.random.default_rng(99)
    tails = np.geomspace(1e-13, 1e-3, 200)
    return np.concatenate([rng.random(20_000), tails, 1.0 - tails])


def test_gamma_inversion_u_error_over_the_range_used():
    """|F(x(u)) − u| with F the exact gamma CDF (scipy.special.gammainc; the upper tail through gammaincc,
    which keeps its precision near u = 1), for shapes across GAMMA_SHAPES."""
    lo, hi = sampling.GAMMA_SHAPES
    u = _uniforms()
    for shape in [*np.geomspace(lo, hi, 17), 1.0001, 1.5, 1.7, 3.74, 6.25]:
        x = sampling._gamma_inverter(float(shape)).ppf(u)
        upper = u > 0.5
        err = np.where(upper, np.abs(special.gammaincc(shape, x) - (1.0 - u)), np.abs(special.gammainc(shape, x) - u))
        assert err.max() < U_ERROR, (shape, err.max())


def test_beta_inversion_u_error_over_the_range_used():
    """The same for Beta(a, b) on the logit scale, including (1, 1.8544) and (1.2102, 1.8544), where PINV
    on the Beta density itself gives up after minutes (infinite slope at 1)."""
    lo, hi = sampling.BETA_PARAMETERS
    u = _uniforms()
    grid = np.geomspace(lo, hi, 6)
    pairs = [(a, b) for a in grid for b in grid] + [(1.0, 1.8544), (1.2102, 1.8544), (1.5, 20.0), (0.79, 2.43)]
    for a, b in pairs:
        y = sampling._logit_beta_inverter(float(a), float(b)).ppf(u)
        lower = y < 0          # the CDF from the end nearer the variate, where it keeps its precision
        err = np.where(lower, np.abs(special.betainc(a, b, special.expit(y)) - u),
                       np.abs(special.betainc(b, a, special.expit(-y)) - (1.0 - u)))
        assert err.max() < U_ERROR, (a, b, err.max())


@pytest.mark.parametrize("shape", [1.0, 6.25, 250.0, 0.3])
def test_standard_gamma_sample_is_gamma(shape):
    """Kolmogorov-Smirnov against scipy.stats.gamma (0.3 is numpy's sampler; the others are inverted)."""
    x = sampling.standard_gamma(np.random.default_rng(7), shape, 200_000)
    assert x.dtype == np.float64 and x.shape == (200_000,)
    assert stats.kstest(x, stats.gamma(shape).cdf).pvalue > 1e-3


@pytest.mark.parametrize("a, b", [(1.5, 20.0), (0.5, 0.5), (30.0, 2.0), (0.05, 3.0)])
def test_beta_sample_is_beta(a, b):
    """Kolmogorov-Smirnov against scipy.stats.beta ((0.05, 3) is numpy's sampler)."""
    x = sampling.beta(np.random.default_rng(8), a, b, 200_000)
    assert x.dtype == np.float64 and ((x >= 0) & (x <= 1)).all()
    assert stats.kstest(x, stats.beta(a, b).cdf).pvalue > 1e-3


def test_a_draw_is_the_inverse_cdf_of_one_uniform():
    """Inversion: the variates are the inverse CDF at the generator's next uniforms, one per draw, so the
    generator is left where ``rng.random(size)`` would leave it."""
    used, ref = np.random.default_rng(5), np.random.default_rng(5)
    x = sampling.standard_gamma(used, 6.25, 1000)
    u = ref.random(1000)
    assert np.array_equal(x, sampling._gamma_inverter(6.25).ppf(u))
    assert np.all(np.diff(x[np.argsort(u)]) >= 0)
    assert used.random() == ref.random()
    used, ref = np.random.default_rng(6), np.random.default_rng(6)
    p = sampling.beta(used, 1.5, 20.0, 1000)
    assert np.array_equal(p, special.expit(sampling._logit_beta_inverter(1.5, 20.0).ppf(ref.random(1000))))
    assert used.random() == ref.random()


def test_outside_the_checked_ranges_numpy_draws():
    assert np.array_equal(sampling.standard_gamma(np.random.default_rng(1), 0.5, 100),
                          np.random.default_rng(1).standard_gamma(0.5, 100))
    assert np.array_equal(sampling.standard_gamma(np.random.default_rng(1), 2e4, 100),
                          np.random.default_rng(1).standard_gamma(2e4, 100))
    assert np.array_equal(sampling.beta(np.random.default_rng(2), 0.05, 3.0, 100),
                          np.random.default_rng(2).beta(0.05, 3.0, 100))


def test_same_seed_same_bytes_and_empty_draws():
    a = sampling.standard_gamma(np.random.default_rng(3), 6.25, 5000)
    assert a.tobytes() == sampling.standard_gamma(np.random.default_rng(3), 6.25, 5000).tobytes()
    assert a.tobytes() != sampling.standard_gamma(np.random.default_rng(4), 6.25, 5000).tobytes()
    rng = np.random.default_rng(0)
    assert sampling.standard_gamma(rng, 6.25, 0).shape == (0,) and sampling.beta(rng, 2.0, 3.0, 0).shape == (0,)
    assert rng.random() == np.random.default_rng(0).random()          # nothing drawn


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: sampling.standard_gamma(np.random.default_rng(0), 0.0, 5), ValueError, "shape"),
    (lambda: sampling.standard_gamma(np.random.default_rng(0), 2.0, -1), ValueError, "size"),
    (lambda: sampling.beta(np.random.default_rng(0), 1.0, -2.0, 5), ValueError, "b must"),
    (lambda: sampling.beta(0, 1.0, 2.0, 5), TypeError, "Generator"),
])
def test_bad_arguments_are_named(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
