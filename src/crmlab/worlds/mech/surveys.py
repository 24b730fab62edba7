"""Survey answers (Likert items, 0-10 "would you recommend" ratings) driven by a latent attitude.

The measurement model is the one of confirmatory factor analysis with ordinal items: each respondent has
a latent attitude ``x`` on the standard-normal scale (satisfaction, attachment ...); item ``j`` has a
standardised loading ``λ_j`` in (0, 1] and its own latent answer ``λ_j·x + sqrt(1 − λ_j²)·e_j`` (unit
variance, so ``λ_j²`` is the item's reliability); the answer is that value, plus answering noise and an
optional shift (surveys lean positive), cut into categories by
:func:`crmlab.worlds.mech.outcomes.likert_from_latent`.

Unit non-response: a respondent answers with probability ``expit(logit(response_rate) + response_slope·x)``
(drawn with :func:`crmlab.worlds.mech.outcomes.logit_draw`), so with a non-zero slope the respondents are
not a random sample — the usual worry about satisfaction surveys.

Structural links between latents (employee satisfaction → customer satisfaction in the service-profit
chain) are standardised: :func:`link_latent` keeps every latent at unit variance, so a planted effect is
also the correlation between the two latents, which the scale scores of two surveys reproduce closely.

Sources: the service-profit chain (Heskett et al. 1994) and the "two satisfactions" (Analytical CRM
course pack (source 1), line 4: Haidilao's dual employee/customer satisfaction assessment); ordinal items
as a cut latent variable (ordered probit, McKelvey & Zavoina 1975); the 0–10 recommend question of
Reichheld (2003).

References
----------
.. [1] Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E. & Schlesinger, L. A. (1994), "Putting
   the service-profit chain to work", *Harvard Business Review* 72(2).
.. [2] McKelvey, R. D. & Zavoina, W. (1975), "A statistical model for the analysis of ordinal level
   dependent variables", *Journal of Mathematical Sociology* 4(1).
.. [3] Reichheld, F. F. (2003), "The one number you need to grow", *Harvard Business Review* 81(12).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import logit
from scipy.stats import norm

from ..._validate import check_generator, check_int, check_number, check_probability
from .outcomes import default_cutpoints, likert_from_latent, logit_draw

__all__ = ["SurveyItem", "Survey", "link_latent", "draw_survey", "expected_item_mean"]


@dataclass(frozen=True)
class SurveyItem:
    """One question of a survey instrument.

    Parameters
    ----------
    name : column name of the answers
    loading : standardised loading on the latent attitude, in (0, 1]
    n_points : number of answer categories (5 for a 5-point Likert item, 11 for a 0–10 rating)
    first : the value of the lowest answer (1 for Likert items, 0 for a 0–10 rating)

    Example
    -------
    >>> SurveyItem("recommend", 0.8, n_points=11, first=0).n_points
    11
    """

    name: str
    loading: float
    n_points: int = 5
    first: int = 1

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name of a SurveyItem must be a non-empty string, got {self.name!r}")
        check_number(self.loading, f"loading of survey item {self.name!r}", low=0.0, high=1.0, low_open=True)
        check_int(self.n_points, f"n_points of survey item {self.name!r}", low=2, high=101)
        check_int(self.first, f"first of survey item {self.name!r}")


@dataclass(frozen=True)
class Survey:
    """The outcome of :func:`draw_survey`.

    ``responses``: DataFrame of the respondents only (in input order) — the id column (when ``ids`` was
    given) and one int64 column per item; ``responded``: bool array, one per person asked;
    ``response_prob``: each person's planted probability of answering.
    """

    responses: pd.DataFrame
    responded: np.ndarray
    response_prob: np.ndarray


def link_latent(rng: np.random.Generator, parent, effect: float) -> np.ndarray:
    """A standardised latent driven by a standardised parent: ``effect·parent + sqrt(1 − effect²)·noise``.

    With ``parent`` ~ N(0, 1) the result is N(0, 1) too and its correlation with ``parent`` is ``effect``,
    so a planted link reads directly as a standardised path coefficient.

    Parameters
    ----------
    rng : numpy.random.Generator
    parent : array of floats on the standard-normal scale
    effect : float in [-1, 1]

    Returns
    -------
    float64 array, same shape as ``parent``.

    References
    ----------
    .. [1] Wright, S. (1921), "Correlation and causation", *Journal of Agricultural Research* 20
       (standardised structural equations of path analysis).
    .. [2] Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E. & Schlesinger, L. A. (1994), "Putting
       the service-profit chain to work", *Harvard Business Review* 72(2). (the service-profit chain).

    Example
    -------
    >>> x = np.random.default_rng(0).normal(size=100_000)
    >>> y = link_latent(np.random.default_rng(1), x, 0.6)
    >>> round(float(np.corrcoef(x, y)[0, 1]), 2)
    0.6
    """
    check_generator(rng)
    effect = check_number(effect, "effect", low=-1.0, high=1.0)
    x = np.asarray(parent, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("parent must be finite numbers")
    return effect * x + np.sqrt(1.0 - effect ** 2) * rng.standard_normal(x.shape)


def draw_survey(rng: np.random.Generator, latent, items: Sequence[SurveyItem], *, noise_sd: float = 0.5,
                shift: float = 0.0, response_rate: float = 1.0, response_slope: float = 0.0,
                ids=None, id_name: str = "id") -> Survey:
    """Ask everyone a survey; answers follow each person's latent attitude, some do not answer.

    Parameters
    ----------
    rng : numpy.random.Generator
    latent : array of floats     each person's attitude on the standard-normal scale
    items : sequence of SurveyItem (distinct names)
    noise_sd : float >= 0        answering noise added before the answer is cut into categories
    shift : float                moves every answer up (> 0) or down, in latent standard deviations
    response_rate : float in (0, 1]   probability of answering for a person with latent 0
    response_slope : float       log-odds of answering per latent standard deviation (0 = missing at random)
    ids : array, optional        one id per person, put in the first column ``id_name``
    id_name : str                name of the id column

    Returns
    -------
    Survey (respondents' answers, who responded, response probabilities).

    References
    ----------
    .. [1] McKelvey, R. D. & Zavoina, W. (1975), "A statistical model for the analysis of ordinal level
       dependent variables", *Journal of Mathematical Sociology* 4(1). (ordered-probit items; here with
       standardised loadings, see the module docstring).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> s = draw_survey(rng, rng.normal(size=1000), [SurveyItem("q1", 0.8), SurveyItem("q2", 0.7)],
    ...                 response_rate=0.5)
    >>> list(s.responses.columns), bool(0.4 < s.responded.mean() < 0.6)
    (['q1', 'q2'], True)
    """
    check_generator(rng)
    x = np.asarray(latent, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError("latent must be a 1-D array of finite numbers")
    items = list(items)
    if not items or not all(isinstance(i, SurveyItem) for i in items):
        raise TypeError("items must be a non-empty sequence of SurveyItem")
    names = [i.name for i in items]
    if len(set(names)) != len(names) or id_name in names:
        raise ValueError(f"survey item names must be distinct and differ from id_name {id_name!r}: {names}")
    noise_sd = check_number(noise_sd, "noise_sd", low=0.0)
    shift = check_number(shift, "shift")
    response_rate = check_probability(response_rate, "response_rate", open_low=True)
    response_slope = check_number(response_slope, "response_slope")
    if ids is not None:
        ids = np.asarray(ids)
        if ids.shape != x.shape:
            raise ValueError(f"ids must have one entry per person ({x.size}), got shape {ids.shape}")

    if response_rate == 1.0:
        if response_slope != 0.0:
            raise ValueError("response_slope must be 0 when response_rate is 1 (everyone answers)")
        prob, responded = np.ones(x.shape), np.ones(x.shape, dtype=bool)
    else:
        prob, answered = logit_draw(rng, logit(response_rate) + response_slope * x)
        responded = answered.astype(bool)
    xr = x[responded]
    cols = {} if ids is None else {id_name: ids[responded]}
    for item in items:
        lam = item.loading
        item_latent = lam * xr + np.sqrt(1.0 - lam ** 2) * rng.standard_normal(xr.shape) + shift
        answer = likert_from_latent(rng, item_latent, n_points=item.n_points, noise_sd=noise_sd)
        cols[item.name] = answer.astype(np.int64) + (item.first - 1)
    return Survey(responses=pd.DataFrame(cols), responded=responded, response_prob=prob)


def expected_item_mean(item: SurveyItem, *, latent_mean: float = 0.0, latent_sd: float = 1.0,
                       noise_sd: float = 0.5, shift: float = 0.0) -> float:
    """The expected answer to ``item`` when the latent is N(latent_mean, latent_sd²), in closed form.

    With the default cut-points ``c_k`` of :func:`crmlab.worlds.mech.outcomes.default_cutpoints`, the answer
    is ``first + Σ_k P(value > c_k)`` where value ~ N(λ·mean + shift, λ²·sd² + 1 − λ² + noise_sd²).

    Parameters
    ----------
    item : SurveyItem
    latent_mean, latent_sd : the distribution of the latent among those asked
    noise_sd, shift : as given to :func:`draw_survey`

    Returns
    -------
    float

    References
    ----------
    .. [1] McKelvey, R. D. & Zavoina, W. (1975), "A statistical model for the analysis of ordinal level
       dependent variables", *Journal of Mathematical Sociology* 4(1). (ordered-probit category probabilities).

    Example
    -------
    >>> round(expected_item_mean(SurveyItem("q", 0.8)), 6)   # symmetric cut-points: the middle answer
    3.0
    """
    if not isinstance(item, SurveyItem):
        raise TypeError(f"item must be a SurveyItem, got {type(item).__name__}")
    latent_mean = check_number(latent_mean, "latent_mean")
    latent_sd = check_number(latent_sd, "latent_sd", low=0.0)
    noise_sd = check_number(noise_sd, "noise_sd", low=0.0)
    shift = check_number(shift, "shift")
    lam = item.loading
    cuts = default_cutpoints(item.n_points, noise_sd)
    sd = np.sqrt(lam ** 2 * latent_sd ** 2 + 1.0 - lam ** 2 + noise_sd ** 2)
    return float(item.first + norm.sf(cuts, loc=lam * latent_mean + shift, scale=sd).sum())
