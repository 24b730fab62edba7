"""Bad input to crmlab.clv is stopped at the door with a message naming the argument."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from crmlab.clv import (BetaGeoModel, GammaGammaModel, NotFittedError, ParetoNBDModel, customer_lifetime_value,
                        simulate_bgnbd, simulate_paretonbd, simulate_spend)

GOOD = dict(frequency=[0, 2, 5], recency=[0.0, 10.0, 30.0], T=[39.0, 39.0, 39.0])
BG = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)


def _with(**changes):
    return {**GOOD, **changes}


@pytest.mark.parametrize("model_cls", [BetaGeoModel, ParetoNBDModel])
@pytest.mark.parametrize("data, match", [
    (_with(frequency=[0, -1, 5]), r"frequency must be whole numbers >= 0.*first -1.0 at position 1"),
    (_with(frequency=[0, 1.5, 5]), r"frequency must be whole numbers >= 0.*first 1.5 at position 1"),
    (_with(recency=[0.0, 40.0, 30.0]), "recency must not exceed T"),
    (_with(recency=[0.0, -1.0, 30.0]), "recency must be >= 0"),
    (_with(recency=[3.0, 10.0, 30.0]), "recency must be 0 where frequency is 0"),
    (_with(T=[39.0, 0.0, 39.0]), "T must be > 0"),
    (_with(frequency=[0, np.nan, 5]), "frequency has 1 missing"),
    (_with(recency=pd.Series([0.0, None, 30.0])), "recency has 1 missing"),
    (_with(T=[39.0, np.inf, 39.0]), "T has 1 missing or infinite"),
    (_with(recency=[0.0, 10.0]), "recency has 2 values but frequency has 3"),
    (_with(frequency=["a", "b", "c"]), "frequency must hold numbers"),
    (_with(T=[[39.0, 39.0, 39.0]]), "T must be one-dimensional"),
])
def test_fit_rejects_bad_summaries(model_cls, data, match):
    with pytest.raises((ValueError, TypeError), match=match):
        model_cls().fit(**data)


@pytest.mark.parametrize("model_cls", [BetaGeoModel, ParetoNBDModel])
def test_predicting_before_fit_raises_not_fitted(model_cls):
    model = model_cls()
    for call in (lambda: model.probability_alive(**GOOD), lambda: model.expected_purchases(10),
                 lambda: model.conditional_expected_purchases(10, **GOOD), lambda: model.score_samples(**GOOD)):
        with pytest.raises(NotFittedError, match=f"This {model_cls.__name__} is not fitted yet"):
            call()
    with pytest.raises(SklearnNotFittedError):  # also catchable as scikit-learn's error
        model.probability_alive(**GOOD)


def test_gammagamma_not_fitted_and_bad_input():
    with pytest.raises(NotFittedError, match="GammaGammaModel is not fitted"):
        GammaGammaModel().conditional_expected_average_spend([1], [10.0])
    with pytest.raises(ValueError, match=r"frequency must be > 0 for every customer.*2 have none"):
        GammaGammaModel().fit([0, 1, 0, 3], [0.0, 12.0, 0.0, 20.0])
    with pytest.raises(ValueError, match="monetary_value must be > 0 where frequency > 0"):
        GammaGammaModel().fit([1, 2], [0.0, 12.0])
    with pytest.raises(ValueError, match="frequency must be whole numbers >= 0"):
        GammaGammaModel().fit([1, 2.5], [10.0, 12.0])
    with pytest.raises(ValueError, match="monetary_value must be >= 0"):
        GG.conditional_expected_average_spend([1, 2], [-5.0, 12.0])
    with pytest.raises(ValueError, match="monetary_value has 1 values but frequency has 2"):
        GG.conditional_expected_average_spend([1, 2], [5.0])
    with pytest.raises(ValueError, match="q=0.9 is <= 1"):
        GammaGammaModel.from_params(p=1.0, q=0.9, gamma=1.0).conditional_expected_average_spend(1, 10.0)


def test_prediction_horizon_and_from_params_errors():
    with pytest.raises(ValueError, match="t must be >= 0"):
        BG.conditional_expected_purchases(-1, **GOOD)
    with pytest.raises(ValueError, match="t must be >= 0"):
        BG.expected_purchases([-1.0, 2.0])
    with pytest.raises(ValueError, match=r"t must be one number or one value per customer \(3\)"):
        BG.conditional_expected_purchases([1.0, 2.0], **GOOD)
    with pytest.raises(ValueError, match=r"needs exactly the parameters r, alpha, a, b; missing \['b'\]"):
        BetaGeoModel.from_params(r=1.0, alpha=1.0, a=1.0)
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        BetaGeoModel.from_params(r=1.0, alpha=-1.0, a=1.0, b=1.0)


def test_clv_argument_errors():
    args = (BG, GG, [2], [30.43], [38.86], [22.35])
    with pytest.raises(TypeError, match="transaction_model must be a BetaGeoModel or ParetoNBDModel"):
        customer_lifetime_value(GG, GG, [2], [30.43], [38.86], [22.35])
    with pytest.raises(TypeError, match="spend_model must be a GammaGammaModel"):
        customer_lifetime_value(BG, BG, [2], [30.43], [38.86], [22.35])
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        customer_lifetime_value(*args, horizon=0)
    with pytest.raises(ValueError, match="discount_rate must be >= 0"):
        customer_lifetime_value(*args, discount_rate=-0.1)
    with pytest.raises(ValueError, match="freq must be one of"):
        customer_lifetime_value(*args, freq="Y")
    with pytest.raises(NotFittedError):
        customer_lifetime_value(BetaGeoModel(), GG, [2], [30.43], [38.86], [22.35])


def test_fit_warns_when_the_model_cannot_converge():
    """Every customer buys on a strict schedule and nobody ever lapses: the drop-out parameters run off to the
    edge of the search box, which must be reported (converged_ False and a ConvergenceWarning), not hidden."""
    x = np.arange(1, 40, dtype=float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BetaGeoModel().fit(x, x, x)
    assert not model.converged_
    assert any("did not converge" in str(w.message) for w in caught)


def test_simulator_argument_errors():
    with pytest.raises(ValueError, match="frequency must be whole numbers >= 0"):
        simulate_spend([1, -2], p=6.0, q=4.0, gamma=15.0)
    with pytest.raises(ValueError, match="n_customers must be >= 1"):
        simulate_bgnbd(0, r=1.0, alpha=1.0, a=1.0, b=1.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        simulate_bgnbd(10, r=1.0, alpha=0.0, a=1.0, b=1.0)
    with pytest.raises(ValueError, match=r"T must be one number or one value per customer \(10\)"):
        simulate_bgnbd(10, r=1.0, alpha=1.0, a=1.0, b=1.0, T=[1.0, 2.0])


def test_series_with_different_indexes_are_refused():
    """Positional pairing of misaligned Series would silently mix customers up."""
    f = pd.Series([0, 2], index=["a", "b"])
    r = pd.Series([30.43, 0.0], index=["b", "a"])
    with pytest.raises(ValueError, match="recency and frequency are Series with different indexes"):
        BG.probability_alive(f, r, 38.86)


def _fit_quietly(model_cls, *columns):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = model_cls().fit(*columns)
    return model, [str(w.message) for w in caught if "did not converge" in str(w.message)]


def test_bgnbd_on_all_zero_frequencies_is_not_converged_at_its_starting_values():
    """Issue 20: BG/NBD on all-zero frequencies returned a=1, b=1 (the starting values) as "converged". With x = 0
    for everyone the likelihood is (alpha/(alpha+T))^r (FHL 2005 eq. 6 with x = 0): a and b do not enter it,
    which the brute-force evaluation below confirms, so no fit can determine them."""
    zeros, T = np.zeros(60), np.linspace(10.0, 40.0, 60)
    model, warned = _fit_quietly(BetaGeoModel, zeros, zeros, T)
    assert not model.converged_ and warned
    assert "flat or still rising" in model.optimizer_message_ and "a " in model.optimizer_message_
    r, alpha = model.params_["r"], model.params_["alpha"]
    lls = [BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b).score_samples(zeros, zeros, T).sum()
           for a, b in ((1.0, 1.0), (5.0, 0.2), (0.01, 40.0))]
    assert lls == pytest.approx([r * np.log(alpha / (alpha + T)).sum()] * 3, rel=1e-9)


@pytest.mark.parametrize("model_cls, columns", [
    (BetaGeoModel, (np.full(50, 3.0), np.full(50, 20.0), np.full(50, 30.0))),
    (ParetoNBDModel, (np.full(50, 3.0), np.full(50, 20.0), np.full(50, 30.0))),
    (GammaGammaModel, (np.full(50, 2.0), np.full(50, 10.0))),
])
def test_constant_data_never_reports_converged(model_cls, columns):
    """Issue 20: Pareto/NBD on constant data returned r = 3.2e4 "converged". Identical customers have no spread, so
    each model's heterogeneity runs off to its boundary (zero variance): the same rule refuses every model."""
    model, warned = _fit_quietly(model_cls, *columns)
    assert not model.converged_ and warned
    assert model.optimizer_message_ in warned[-1]


@pytest.mark.parametrize("n, seed", [(300, 2)])
def test_a_fit_running_along_a_ridge_is_not_converged_and_the_ridge_is_real(n, seed):
    """Simulated Pareto/NBD data whose drop-out heterogeneity is not visible in a small sample: the estimate of
    (s, beta) runs off to infinity with s/beta fixed. Brute force: multiplying s and beta by e raises the
    log-likelihood, so the reported point is not a maximum and must not be called converged."""
    d = simulate_paretonbd(n, r=0.55, alpha=10.6, s=0.6, beta=11.7, T=39.0, seed=seed)
    cols = d["frequency"], d["recency"], d["T"]
    model, warned = _fit_quietly(ParetoNBDModel, *cols)
    assert not model.converged_ and warned
    further = {**model.params_, "s": model.params_["s"] * np.e, "beta": model.params_["beta"] * np.e}
    ll = lambda p: ParetoNBDModel.from_params(**p).score_samples(*cols).sum()  # noqa: E731
    assert ll(further) > ll(model.params_)


@pytest.mark.parametrize("model_cls, simulate", [
    (BetaGeoModel, lambda: simulate_bgnbd(2000, r=0.5, alpha=4.0, a=0.8, b=2.5, T=39.0, seed=21)),
    (ParetoNBDModel, lambda: simulate_paretonbd(2000, r=0.55, alpha=10.6, s=0.6, beta=11.7, T=39.0, seed=22)),
    (GammaGammaModel, lambda: simulate_spend(np.random.default_rng(23).integers(1, 8, 2000), p=6.25, q=3.74,
                                             gamma=15.44, seed=24)),
])
def test_a_converged_fit_is_a_maximum_by_brute_force(model_cls, simulate):
    """Every fit reported converged must be a strict local maximum: the log-likelihood (score_samples, summed) at
    each of the 3^k - 1 neighbours at +-5% of every parameter is lower than at the estimate."""
    import itertools

    d = simulate()
    if model_cls is GammaGammaModel:
        cols = (d["frequency"], d["monetary_value"])
        arrays = [np.asarray(c, float) for c in cols]
        ll = lambda p: GammaGammaModel._loglik(tuple(p.values()), *arrays).sum()  # noqa: E731
    else:
        cols = (d["frequency"], d["recency"], d["T"])
        ll = lambda p: model_cls.from_params(**p).score_samples(*cols).sum()  # noqa: E731
    model, warned = _fit_quietly(model_cls, *cols)
    assert model.converged_ and not warned
    best = ll(model.params_)
    names = list(model.params_)
    for steps in itertools.product((-1, 0, 1), repeat=len(names)):
        if any(steps):
            moved = {k: v * 1.05 ** s for (k, v), s in zip(model.params_.items(), steps)}
            assert ll(moved) < best, steps
