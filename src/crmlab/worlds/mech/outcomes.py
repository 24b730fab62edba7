"""Binary and ordinal outcomes driven by latent scores: responses, churn flags, Likert answers.

Binary responses follow the logistic model; ordinal answers are a cut latent variable (the ordered
probit of McKelvey & Zavoina 1975).

References
----------
.. [1] Hosmer, D. W. & Lemeshow, S., *Applied Logistic Regression*.
.. [2] McKelvey, R. D. & Zavoina, W. (1975), "A statistical model for the analysis of ordinal level
   dependent variables", *Journal of Mathematical Sociology* 4(1).
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit
from scipy.stats import norm

from ..._validate import check_generator, check_int, check_number

__all__ = ["logit_draw", "likert_from_latent", "default_cutpoints"]


def _finite(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite numbers")
    return x


def logit_draw(rng: np.random.Generator, linear_predictor) -> tuple[np.ndarray, np.ndarray]:
    """Draw 0/1 outcomes from a logistic model: P(y = 1) = 1 / (1 + exp(−η)).

    Parameters
    ----------
    rng : numpy.random.Generator
    linear_predictor : array-like of floats
        η per unit (e.g. ``-2 + 0.8 * satisfaction``)

    Returns
    -------
    (probabilities, outcomes): float64 array of P(y = 1) and an int8 array of 0/1 draws, same shape.

    Example
    -------
    >>> prob, y = logit_draw(np.random.default_rng(0), [0.0, 50.0, -50.0])
    >>> prob.round(3).tolist(), y[1:].tolist()
    ([0.5, 1.0, 0.0], [1, 0])
    """
    check_generator(rng)
    eta = _finite(linear_predictor, "linear_predictor")
    prob = expit(eta)
    return prob, (rng.random(eta.shape) < prob).astype(np.int8)


def default_cutpoints(n_points: int, noise_sd: float) -> np.ndarray:
    """Cut-points that use all ``n_points`` categories equally often when the latent score is N(0, 1).

    They are the standard-normal quantiles at 1/k, 2/k, … scaled by sqrt(1 + noise_sd²), the spread of
    latent + noise.

    Example
    -------
    >>> default_cutpoints(3, 0.0).round(3).tolist()
    [-0.431, 0.431]
    """
    n_points = check_int(n_points, "n_points", low=2)
    noise_sd = check_number(noise_sd, "noise_sd", low=0.0)
    return norm.ppf(np.arange(1, n_points) / n_points) * np.sqrt(1.0 + noise_sd ** 2)


def likert_from_latent(rng: np.random.Generator, latent, n_points: int = 5, noise_sd: float = 0.5,
                       cutpoints=None) -> np.ndarray:
    """Turn a latent attitude into Likert answers 1..n_points (an ordered-probit response).

    Each respondent's answer is the category of latent + ε, ε ~ N(0, noise_sd²), between consecutive
    cut-points. With the default cut-points (:func:`default_cutpoints`) a latent score on the standard
    normal scale uses every answer about equally often; a higher latent gives higher answers.

    Parameters
    ----------
    rng : numpy.random.Generator
    latent : array-like of floats     the true attitude per respondent (standard-normal scale by default)
    n_points : int >= 2               number of answer categories (default 5)
    noise_sd : float >= 0             answering noise (default 0.5; 0 = answers follow the latent exactly)
    cutpoints : increasing sequence of n_points − 1 floats, optional

    Returns
    -------
    int8 array of answers in 1..n_points, same shape as ``latent``.

    Example
    -------
    >>> likert_from_latent(np.random.default_rng(0), [-3.0, 0.0, 3.0], noise_sd=0.0).tolist()
    [1, 3, 5]
    """
    check_generator(rng)
    x = _finite(latent, "latent")
    n_points = check_int(n_points, "n_points", low=2, high=100)
    noise_sd = check_number(noise_sd, "noise_sd", low=0.0)
    if cutpoints is None:
        cuts = default_cutpoints(n_points, noise_sd)
    else:
        cuts = _finite(cutpoints, "cutpoints").ravel()
        if cuts.size != n_points - 1:
            raise ValueError(f"cutpoints must have n_points - 1 = {n_points - 1} values, got {cuts.size}")
        if np.any(np.diff(cuts) <= 0):
            raise ValueError("cutpoints must be strictly increasing")
    noisy = x + rng.normal(0.0, noise_sd, x.shape) if noise_sd > 0 else x
    return (np.searchsorted(cuts, noisy, side="right") + 1).astype(np.int8)
