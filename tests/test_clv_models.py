"""BG/NBD, Pareto/NBD and Gamma-Gamma formulas against independent computations.

The closed forms (likelihoods with 2F1, P(alive), conditional and unconditional expectations) are checked
against brute-force numerical integration of the individual-level model over the mixing distributions,
against Monte Carlo draws from the model's story, and the fit against the planted truth of a simulation.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import betaln, roots_genlaguerre, roots_jacobi, roots_legendre

from crmlab.clv import (BetaGeoModel, GammaGammaModel, ParetoNBDModel, simulate_bgnbd, simulate_paretonbd,
                        simulate_spend)
from crmlab.clv._base import compress
from crmlab.clv.paretonbd import _log_A0, _log_A0_hyp2f1, _log_A0_quadrature

BG = (1.3, 3.0, 0.793, 2.4)  # r, alpha, a, b (a < 1 as on CDNOW: exercises the (a-1) denominator)
PN = (1.4, 6.0, 1.3, 9.0)  # r, alpha, s, beta (r, s > 1 keep the mixing densities bounded for quadrature)
CASES = [(0, 0.0, 30.0), (1, 4.5, 30.0), (3, 25.0, 30.0), (6, 12.0, 20.0)]


def _gamma_nodes(shape: float, rate: float, n: int = 200):
    """Gauss rule for E[f(lambda)], lambda ~ gamma(shape, rate): generalised Gauss-Laguerre nodes and weights;
    for large shapes (a narrow bell), Gauss-Legendre between the 1e-14 and 1 - 1e-14 quantiles."""
    if shape < 50:
        u, w = roots_genlaguerre(n, shape - 1)
        return u / rate, w / w.sum()
    dist = stats.gamma(shape, scale=1 / rate)
    low, high = dist.ppf([1e-14, 1 - 1e-14])
    y, w = roots_legendre(n)
    nodes = low + (y + 1) / 2 * (high - low)
    weights = w * dist.pdf(nodes)
    return nodes, weights / weights.sum()


def _beta_nodes(a: float, b: float, n: int = 200):
    """Gauss rule for E[f(p)], p ~ beta(a, b): Gauss-Jacobi nodes mapped to (0, 1)."""
    y, w = roots_jacobi(n, b - 1, a - 1)
    return (1 + y) / 2, w / w.sum()


def _expect(f, rule_1, rule_2) -> float:
    """E[f(u, v)] for independent u, v given two Gauss rules (a brute-force double sum over the nodes)."""
    (u, wu), (v, wv) = rule_1, rule_2
    return float(wu @ f(u[:, None], v[None, :]) @ wv)


def test_gauss_rules_are_exact_on_known_mixtures():
    """The reference quadrature itself: E[exp(-lambda T)] = (alpha/(alpha+T))^r, E[(1-p)^5] = B(a,b+5)/B(a,b)."""
    lam = _gamma_nodes(0.243, 4.414)
    assert lam[1] @ np.exp(-lam[0] * 38.86) == pytest.approx((4.414 / 43.274) ** 0.243, rel=1e-12)
    p = _beta_nodes(0.793, 2.426)
    exact = np.exp(betaln(0.793, 2.426 + 5) - betaln(0.793, 2.426))
    assert p[1] @ (1 - p[0]) ** 5 == pytest.approx(exact, rel=1e-10)


# --- BG/NBD --------------------------------------------------------------------------------------------

def _bg_individual(lam, p, x, tx, T):
    """Individual-level likelihood (FHL 2005): alive at T, or dropped out right after purchase x."""
    alive = (1 - p) ** x * lam ** x * np.exp(-lam * T)
    dead = p * (1 - p) ** (x - 1) * lam ** x * np.exp(-lam * tx) if x > 0 else 0.0
    return alive, dead


@pytest.mark.parametrize("x, tx, T", CASES)
def test_bgnbd_closed_forms_match_integration_over_lambda_and_p(x, tx, T):
    """Log-likelihood, P(alive) and E[Y(10) | x, t_x, T] against 2-d Gauss quadrature over gamma(lambda) x beta(p)
    of the individual-level model."""
    r, alpha, a, b = BG
    rules = _gamma_nodes(r, alpha), _beta_nodes(a, b)
    total = _expect(lambda lam, p: sum(_bg_individual(lam, p, x, tx, T)), *rules)
    alive = _expect(lambda lam, p: _bg_individual(lam, p, x, tx, T)[0], *rules)
    # An active customer's expected purchases in t more periods: (1/p)(1 - exp(-lambda p t)) (FHL 2005).
    future = _expect(lambda lam, p: _bg_individual(lam, p, x, tx, T)[0] * -np.expm1(-lam * p * 10) / p, *rules)
    model = BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b)
    assert model.score_samples(x, tx, T) == pytest.approx(np.log(total), abs=1e-7)
    assert model.probability_alive(x, tx, T) == pytest.approx(alive / total, rel=1e-7)
    assert model.conditional_expected_purchases(10, x, tx, T) == pytest.approx(future / total, rel=1e-6)


def test_bgnbd_individual_expectation_is_the_mean_of_min_of_poisson_and_geometric():
    """(1/p)(1 - exp(-lambda p t)) used above equals E[min(N, J)], N ~ Poisson(lambda t), J ~ geometric(p),
    summed term by term: E[min(N, J)] = sum_k P(N >= k) P(J >= k)."""
    for lam, p, t in [(0.3, 0.2, 10.0), (2.0, 0.05, 7.0)]:
        k = np.arange(1, 2000)
        brute = np.sum(stats.poisson(lam * t).sf(k - 1) * (1 - p) ** (k - 1))
        assert brute == pytest.approx(-np.expm1(-lam * p * t) / p, rel=1e-10)


def test_bgnbd_unconditional_expectation_matches_integration_and_monte_carlo():
    r, alpha, a, b = BG
    model = BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b)
    exact = _expect(lambda lam, p: -np.expm1(-lam * p * 25) / p, _gamma_nodes(r, alpha), _beta_nodes(a, b))
    assert model.expected_purchases(25) == pytest.approx(exact, rel=1e-7)
    draws = simulate_bgnbd(200_000, r=r, alpha=alpha, a=a, b=b, T=25.0, seed=3)["frequency"]
    assert abs(draws.mean() - model.expected_purchases(25)) < 4 * draws.std() / np.sqrt(draws.size)
    np.testing.assert_allclose(model.expected_purchases(np.array([0.0, 25.0])), [0.0, exact], rtol=1e-7)


def test_bgnbd_stable_for_heavy_buyers():
    """400 purchases: the textbook product (alpha+T)^-(r+x) * 2F1(...) overflows, the Euler-transformed form
    must not. Given alive, lambda | data ~ gamma(r+x, alpha+T) and p | data ~ beta(a, b+x), so the forecast
    is P(alive) * E[(1/p)(1 - exp(-lambda p t))] under those, computed here by Gauss quadrature."""
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    x, tx, T, t = 400, 38.0, 38.86, 39.0
    model = BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b)
    if_alive = _expect(lambda lam, p: -np.expm1(-lam * p * t) / p, _gamma_nodes(r + x, alpha + T),
                       _beta_nodes(a, b + x))
    expected = model.probability_alive(x, tx, T) * if_alive
    assert model.conditional_expected_purchases(t, x, tx, T) == pytest.approx(expected, rel=1e-8)


def test_bgnbd_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 8, 50).astype(float)
    T = rng.uniform(5, 40, 50)
    tx = np.where(x > 0, T * rng.uniform(0, 1, 50), 0.0)
    params = np.array(BG)
    grad = BetaGeoModel._loglik_gradient(params, x, tx, T)
    for j in range(4):
        h = np.zeros(4)
        h[j] = 1e-6 * params[j]
        numeric = (BetaGeoModel._loglik(params + h, x, tx, T) - BetaGeoModel._loglik(params - h, x, tx, T)) / (2 * h[j])
        np.testing.assert_allclose(grad[:, j], numeric, rtol=1e-5, atol=1e-7)


# --- Pareto/NBD ----------------------------------------------------------------------------------------

def _pn_individual(lam, mu, x, tx, T):
    """Individual-level likelihood (FH 2005 note): alive at T, or died at some tau in (t_x, T]."""
    alive = lam ** x * np.exp(-(lam + mu) * T)
    dead = lam ** x * mu / (lam + mu) * (np.exp(-(lam + mu) * tx) - np.exp(-(lam + mu) * T))
    return alive, dead


@pytest.mark.parametrize("x, tx, T", CASES)
def test_paretonbd_closed_forms_match_integration_over_lambda_and_mu(x, tx, T):
    r, alpha, s, beta = PN
    rules = _gamma_nodes(r, alpha), _gamma_nodes(s, beta)
    total = _expect(lambda lam, mu: sum(_pn_individual(lam, mu, x, tx, T)), *rules)
    alive = _expect(lambda lam, mu: _pn_individual(lam, mu, x, tx, T)[0], *rules)
    # An active customer's expected purchases in t more periods: (lambda/mu)(1 - exp(-mu t)).
    future = _expect(lambda lam, mu: _pn_individual(lam, mu, x, tx, T)[0] * lam / mu * -np.expm1(-mu * 10), *rules)
    model = ParetoNBDModel.from_params(r=r, alpha=alpha, s=s, beta=beta)
    assert model.score_samples(x, tx, T) == pytest.approx(np.log(total), abs=1e-7)
    assert model.probability_alive(x, tx, T) == pytest.approx(alive / total, rel=1e-7)
    assert model.conditional_expected_purchases(10, x, tx, T) == pytest.approx(future / total, rel=1e-6)


def test_paretonbd_unconditional_expectation_matches_integration_and_monte_carlo():
    r, alpha, s, beta = PN
    model = ParetoNBDModel.from_params(r=r, alpha=alpha, s=s, beta=beta)
    exact = _expect(lambda lam, mu: lam / mu * -np.expm1(-mu * 25), _gamma_nodes(r, alpha), _gamma_nodes(s, beta))
    assert model.expected_purchases(25) == pytest.approx(exact, rel=1e-7)
    draws = simulate_paretonbd(200_000, r=r, alpha=alpha, s=s, beta=beta, T=25.0, seed=4)["frequency"]
    assert abs(draws.mean() - model.expected_purchases(25)) < 4 * draws.std() / np.sqrt(draws.size)
    # s = 1 exactly: the limit form log(1 + t/beta) must join the general formula continuously.
    near = [ParetoNBDModel.from_params(r=r, alpha=alpha, s=v, beta=beta).expected_purchases(25)
            for v in (1 - 1e-7, 1.0, 1 + 1e-7)]
    assert near[1] == pytest.approx(near[0], rel=1e-6) and near[1] == pytest.approx(near[2], rel=1e-6)


def _log_A0_by_quad(params, x, tx, T):
    """log A0 = log((r+s+x) * integral_{t_x}^T (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau) by adaptive quad."""
    r, alpha, s, beta = params
    m, n = r + x, s + 1
    scale = -m * np.log(alpha + tx) - n * np.log(beta + tx)
    value, _ = integrate.quad(lambda tau: np.exp(-m * np.log(alpha + tau) - n * np.log(beta + tau) - scale),
                              tx, T, epsabs=0, epsrel=1e-12, limit=200)
    return np.log(value) + scale + np.log(r + s + x)


@pytest.mark.parametrize("params", [(0.553, 10.578, 0.606, 11.669), (0.5, 2.0, 0.6, 20.0), (0.5, 20.0, 0.6, 2.0),
                                    (2.0, 1.0, 1.0, 1.0), (0.3, 0.5, 3.0, 50.0)])
def test_paretonbd_hyp2f1_term_matches_adaptive_quadrature(params):
    """Both branches (alpha >= beta, alpha < beta), integer parameter combinations and many purchases."""
    cases = [(2, 30.43, 38.86), (0, 0.0, 38.86), (10, 5.0, 38.86), (50, 20.0, 38.0), (200, 10.0, 39.0)]
    x, tx, T = (np.array(c, dtype=float) for c in zip(*cases))
    expected = [_log_A0_by_quad(params, *c) for c in cases]
    np.testing.assert_allclose(_log_A0_hyp2f1(params, x, tx, T), expected, rtol=1e-9)
    np.testing.assert_allclose(_log_A0_quadrature(params, x, tx, T), expected, rtol=1e-6)


def test_paretonbd_falls_back_to_quadrature_where_hyp2f1_overflows():
    """alpha << beta and 1,500 purchases: scipy's 2F1 overflows; the result must still match adaptive quad."""
    params = (0.5, 1.0, 0.8, 50.0)
    x, tx, T = np.array([1500.0, 400.0]), np.array([30.0, 20.0]), np.array([39.0, 39.0])
    assert not np.isfinite(_log_A0_hyp2f1(params, x, tx, T)[0])
    expected = [_log_A0_by_quad(params, *c) for c in zip(x, tx, T)]
    np.testing.assert_allclose(_log_A0(params, x, tx, T), expected, rtol=1e-9)
    model = ParetoNBDModel.from_params(r=0.5, alpha=1.0, s=0.8, beta=50.0)
    assert np.isfinite(model.score_samples(x, tx, T)).all()
    assert np.all((model.probability_alive(x, tx, T) > 0) & (model.probability_alive(x, tx, T) <= 1))


# --- mean P(alive) and planted truth -------------------------------------------------------------------

@pytest.mark.parametrize("model_cls, simulate, params", [
    (BetaGeoModel, simulate_bgnbd, dict(r=0.5, alpha=4.0, a=0.8, b=2.5)),
    (ParetoNBDModel, simulate_paretonbd, dict(r=0.55, alpha=10.6, s=0.6, beta=11.7)),
])
def test_mean_probability_alive_equals_simulated_share_alive(model_cls, simulate, params):
    """Averaged over customers drawn from the model, P(alive | history) must equal the share truly alive."""
    data = simulate(100_000, **params, T=39.0, seed=5)
    predicted = model_cls.from_params(**params).probability_alive(data["frequency"], data["recency"], data["T"])
    share = data["alive"].mean()
    assert abs(predicted.mean() - share) < 4 * np.sqrt(share * (1 - share) / len(data))


@pytest.mark.parametrize("model_cls, simulate, params", [
    (BetaGeoModel, simulate_bgnbd, dict(r=0.5, alpha=4.0, a=0.8, b=2.5)),
    (ParetoNBDModel, simulate_paretonbd, dict(r=0.55, alpha=10.6, s=0.6, beta=11.7)),
])
def test_fit_recovers_planted_parameters(model_cls, simulate, params):
    """On 20,000 simulated customers the likelihood-ratio statistic 2(LL_hat - LL_truth) of the planted
    parameters is a chi-square(4) draw: far below 25 (p < 1e-4); parameters within 30%."""
    T = 52.0 - np.random.default_rng(6).integers(0, 90, 20_000) / 7
    data = simulate(20_000, **params, T=T, seed=7, time_step=1 / 7)
    model = model_cls().fit(data["frequency"], data["recency"], data["T"])
    assert model.converged_
    at_truth = model_cls.from_params(**params).score_samples(data["frequency"], data["recency"], data["T"]).sum()
    assert 0 <= model.log_likelihood_ - at_truth < 12.5
    for name, value in params.items():
        assert model.params_[name] == pytest.approx(value, rel=0.3)


def test_compression_weights_reproduce_the_full_likelihood():
    """The fit evaluates distinct (x, t_x, T) rows only; its total log-likelihood must equal the sum over all
    customers (brute force), and the pattern count the number of distinct tuples."""
    data = simulate_bgnbd(5_000, r=0.5, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=8, time_step=1.0)
    model = BetaGeoModel().fit(data["frequency"], data["recency"], data["T"])
    rows = set(zip(data["frequency"], data["recency"], data["T"]))
    assert model.n_patterns_ == len(rows) < 5_000
    assert model.log_likelihood_ == pytest.approx(model.score_samples(data["frequency"], data["recency"],
                                                                      data["T"]).sum(), rel=1e-12)
    patterns, counts = compress(data["frequency"].to_numpy(), data["recency"].to_numpy(), data["T"].to_numpy())
    assert counts.sum() == 5_000 and len(patterns[0]) == len(rows)


# --- Gamma-Gamma ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, m", [(1, 20.0), (3, 35.5), (10, 12.0)])
def test_gammagamma_density_and_expected_spend_match_integration_over_nu(x, m):
    """Mean of x gamma(p, nu) values is gamma(px, rate x nu); integrate over nu ~ gamma(q, rate gamma)."""
    p, q, g = 6.25, 3.74, 15.44
    nu_dist = stats.gamma(q, scale=1 / g)
    density = lambda nu: stats.gamma(p * x, scale=1 / (x * nu)).pdf(m) * nu_dist.pdf(nu)  # noqa: E731
    total, _ = integrate.quad(density, 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)
    mean, _ = integrate.quad(lambda nu: p / nu * density(nu), 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)
    assert GammaGammaModel._loglik((p, q, g), np.array([x], float), np.array([m]))[0] == pytest.approx(
        np.log(total), abs=1e-8)
    model = GammaGammaModel.from_params(p=p, q=q, gamma=g)
    assert model.conditional_expected_average_spend(x, m) == pytest.approx(mean / total, rel=1e-8)


def test_gammagamma_zero_frequency_gets_population_mean_and_fit_recovers_truth():
    truth = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    model = GammaGammaModel.from_params(**truth)
    assert model.conditional_expected_average_spend(0, 0.0) == pytest.approx(6.25 * 15.44 / 2.74)
    frequency = np.random.default_rng(9).integers(1, 8, 20_000)
    draws = simulate_spend(frequency, **truth, seed=10)
    fitted = GammaGammaModel().fit(draws["frequency"], draws["monetary_value"])
    at_truth = GammaGammaModel._loglik(tuple(truth.values()), draws["frequency"].to_numpy(float),
                                       draws["monetary_value"].to_numpy()).sum()
    assert 0 <= fitted.log_likelihood_ - at_truth < 10.0  # chi-square(3): p < 1e-4
    for name, value in truth.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.2)
    # The simulator's planted mean spend p/nu averages to the population mean p*gamma/(q-1).
    assert draws["mean_spend"].mean() == pytest.approx(6.25 * 15.44 / 2.74, rel=0.03)


def test_gammagamma_fit_does_not_depend_on_the_currency_unit():
    """The model's algebra: spend in units s times larger keeps p and q, multiplies gamma by s and moves the
    log-likelihood (a density of spend) by -log(s) per customer. From 1e-6 to 1e9 units (cents of a cent
    to the dong or rupiah values of a large purchase) the fit must agree; at 1e6 it used to leave the
    optimiser's search box and report no convergence."""
    frequency = np.random.default_rng(3).integers(1, 8, 3000)
    draws = simulate_spend(frequency, p=6.25, q=3.74, gamma=15.44, seed=4)
    fits = {s: GammaGammaModel().fit(draws["frequency"], draws["monetary_value"] * s) for s in (1e-6, 1.0, 1e6, 1e9)}
    ref = fits[1.0]
    for s, fit in fits.items():
        assert fit.converged_, s
        assert fit.params_["p"] == pytest.approx(ref.params_["p"], rel=1e-6)
        assert fit.params_["q"] == pytest.approx(ref.params_["q"], rel=1e-6)
        assert fit.params_["gamma"] / s == pytest.approx(ref.params_["gamma"], rel=1e-6)
        assert fit.log_likelihood_ + 3000 * np.log(s) == pytest.approx(ref.log_likelihood_, abs=1e-6)


def test_bgnbd_predictions_continuous_through_a_equal_one():
    """a = 1 makes the closed form 0/0; the value there must sit between its neighbours."""
    values = [BetaGeoModel.from_params(r=0.5, alpha=4.0, a=a, b=2.5).conditional_expected_purchases(39, 2, 30.0, 38.0)
              for a in (1 - 1e-3, 1.0, 1 + 1e-3)]
    assert values[0] > values[1] > values[2] or values[0] < values[1] < values[2]
    assert values[1] == pytest.approx((values[0] + values[2]) / 2, rel=1e-5)
    assert BetaGeoModel.from_params(r=0.5, alpha=4.0, a=1.0, b=2.5).expected_purchases(39) == pytest.approx(
        _expect(lambda lam, p: -np.expm1(-lam * p * 39) / p, _gamma_nodes(0.5, 4.0), _beta_nodes(1.0, 2.5)), rel=1e-7)


def test_line_search_stall_at_the_optimum_counts_as_converged(monkeypatch):
    """L-BFGS-B ends with status 2 ("ABNORMAL") when the objective cannot improve beyond rounding: with a
    vanishing gradient that is the optimum (seen on 1M-customer fits); with a large gradient it is not."""
    import scipy.optimize
    from crmlab.clv import _base

    def fake(jac):
        def minimize(fun, x0, **kwargs):
            return scipy.optimize.OptimizeResult(x=np.asarray(x0, float), fun=1.0, success=False, status=2,
                                                 message="ABNORMAL: ", jac=np.asarray(jac, float))
        return minimize

    # a likelihood with its maximum where the fake optimiser stops (theta = 0), so only the stall is judged
    loglik = lambda params, x: -np.sum(np.log(params) ** 2) * np.ones_like(x)  # noqa: E731
    data, weights = [np.zeros(3)], np.ones(3)
    monkeypatch.setattr(_base, "minimize", fake([1e-9, -2e-8]))
    assert _base.maximise(loglik, data, weights, [np.zeros(2)], label="test")[2] is True
    monkeypatch.setattr(_base, "minimize", fake([1e-3, 0.0]))
    with pytest.warns(Warning, match="did not converge"):
        assert _base.maximise(loglik, data, weights, [np.zeros(2)], label="test")[2] is False
