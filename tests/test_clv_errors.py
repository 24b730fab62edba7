"""Bad input to crmlab.clv is stopped at the door with a message naming the argument."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from crmlab.clv import (BetaGeoModel, GammaGammaModel, NotFittedError, ParetoNBDModel, customer_lifetime_value,
                        simulate_bgnbd, simulate_spend)

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
