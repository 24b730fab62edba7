"""Shared machinery of the buy-till-you-die models: input checks, pattern compression, maximum likelihood.

Every model here is fitted to the customer summary that lifetimes made standard (and that
:func:`crmlab.rfm.rfm_summary` produces): ``frequency`` = number of repeat purchases, ``recency`` = time
from the first to the last purchase, ``T`` = time from the first purchase to the end of observation, all
in one time unit (days, weeks...). Customers with the same (frequency, recency, T) have the same
likelihood, so the fit works on the distinct patterns weighted by their counts: a million customers of a
cohort observed daily collapse to some tens of thousands of rows.
"""
from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

from .._arrays import as_float_array
from ..errors import CrmlabError

__all__ = ["NotFittedError", "Columns", "as_columns", "check_counts", "check_rfm", "check_horizon", "group_rows",
           "compress", "maximise", "MLModel", "TransactionModel"]

# Log-parameter box for the optimiser: parameters between about 3e-7 and 3e6.
_LOG_BOUND = 15.0


class NotFittedError(CrmlabError, _SklearnNotFittedError):
    """A model was asked for predictions before ``fit`` (or ``from_params``) gave it parameters."""


@dataclass(frozen=True)
class Columns:
    """Per-customer inputs as equal-length float arrays, plus what is needed to shape the output like them."""

    values: dict[str, np.ndarray]
    index: pd.Index | None  # the index of the first pandas input, if any
    scalar: bool  # every input was a plain number

    def wrap(self, result: np.ndarray, name: str):
        """Return ``result`` as a float (scalar inputs), a Series on the inputs' index, or an array."""
        if self.scalar:
            return float(result[0])
        if self.index is not None:
            return pd.Series(result, index=self.index, name=name)
        return result


def _to_array(values, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            raise TypeError(f"{name} must hold numbers, got dtype {values.dtype}")
        values = values.to_numpy(dtype="float64", na_value=np.nan)
    elif isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} must be a number or a 1-d array/Series, got a DataFrame; pass one column")
    else:
        ndim = np.ndim(values) if not isinstance(values, (str, bytes)) else 0
        if ndim > 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {np.shape(values)}")
    return as_float_array(values, name)


def as_columns(**named) -> Columns:
    """Convert named per-customer inputs (numbers, arrays, Series) to equal-length float arrays.

    Plain numbers broadcast to the common length; arrays of different lengths are an error naming both.
    NaN, infinities, booleans and strings are refused with a message naming the argument.
    """
    arrays: dict[str, np.ndarray] = {}
    index, index_of = None, None
    for name, values in named.items():
        if isinstance(values, pd.Series):
            if index is None:
                index, index_of = values.index, name
            elif not values.index.equals(index):
                raise ValueError(f"{name} and {index_of} are Series with different indexes: align them (e.g. "
                                 "take all columns from one DataFrame) so each row is one customer")
        arrays[name] = _to_array(values, name)
    scalar = all(isinstance(v, numbers.Real) for v in named.values())
    lengths = {name: a.size for name, a in arrays.items() if not isinstance(named[name], numbers.Real)}
    n = max(lengths.values(), default=1)
    for name, size in lengths.items():
        if size != n:
            first = next(k for k, s in lengths.items() if s == n)
            raise ValueError(f"{name} has {size} values but {first} has {n}: the per-customer inputs must "
                             "have the same length")
    out = {name: (np.full(n, a[0]) if a.size == 1 and n > 1 else a) for name, a in arrays.items()}
    return Columns(out, index, scalar)


def _first_bad(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def check_counts(values: np.ndarray, name: str = "frequency") -> None:
    """Refuse anything but whole numbers >= 0 (counts of repeat purchases), naming the first bad one."""
    bad = (values < 0) | (values != np.round(values))
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"{name} must be whole numbers >= 0 (it counts repeat purchases); {int(bad.sum())} bad "
                         f"value(s), first {float(values[i])!r} at position {i}")


def check_rfm(frequency, recency, T) -> Columns:
    """Validate a (frequency, recency, T) customer summary and return it as :class:`Columns`.

    frequency: whole numbers >= 0 (repeat purchases); recency: >= 0, 0 where frequency is 0, never above T;
    T: > 0. Messages name the offending argument and the first offending position.
    """
    cols = as_columns(frequency=frequency, recency=recency, T=T)
    x, tx, age = cols.values["frequency"], cols.values["recency"], cols.values["T"]
    check_counts(x)
    checks = [
        (tx < 0, "recency must be >= 0 (time from first to last purchase)", tx),
        (age <= 0, "T must be > 0 (time from first purchase to the end of observation)", age),
    ]
    for bad, message, values in checks:
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(f"{message}; {int(bad.sum())} bad value(s), first {float(values[i])!r} at position {i}")
    bad = tx > age * (1 + 1e-12)
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"recency must not exceed T; {int(bad.sum())} customer(s) have recency > T, first at "
                         f"position {i} (recency={float(tx[i])!r}, T={float(age[i])!r})")
    bad = (x == 0) & (tx != 0)
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"recency must be 0 where frequency is 0 (no repeat purchase); first at position {i} "
                         f"(recency={float(tx[i])!r})")
    return cols


def check_horizon(t, n: int, name: str = "t") -> np.ndarray:
    """Validate a forecast horizon: a number or ``n`` values (one per customer), all >= 0."""
    values = _to_array(t, name)
    if values.size not in (1, n):
        raise ValueError(f"{name} must be one number or one value per customer ({n}), got {values.size} values")
    if (values < 0).any():
        raise ValueError(f"{name} must be >= 0 (a forecast horizon), got {float(values[values < 0][0])!r}")
    return values


def group_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of ``columns`` (sorted lexicographically), their counts, and each row's group number.

    A lexsort and one pass: much faster than ``np.unique(axis=0)`` on a million rows.
    """
    order = np.lexsort(columns[::-1])
    ordered = [np.asarray(c)[order] for c in columns]
    change = np.zeros(order.size, dtype=bool)
    change[0] = True
    for c in ordered:
        change[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(change)
    counts = np.diff(np.append(starts, order.size))
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.cumsum(change) - 1
    return [c[starts] for c in ordered], counts.astype("float64"), inverse


def compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Return the distinct rows of ``columns`` (one array per column) and how many customers share each."""
    unique, counts, _ = group_rows(*columns)
    return unique, counts


# L-BFGS-B's line search can fail ("ABNORMAL") right at the optimum when the mean log-likelihood over a
# million customers cannot move by more than rounding; a gradient this small there means converged.
_STALL_GTOL = 1e-6


def _stalled_at_optimum(res) -> bool:
    jac = getattr(res, "jac", None)
    return (res.status == 2 and jac is not None and np.all(np.isfinite(jac))
            and float(np.max(np.abs(jac))) < _STALL_GTOL)


# An interior maximum is checked after the optimiser stops (see _interior_failure): finite-difference step
# in log-parameters, the largest gradient of the mean log-likelihood accepted there, the probe distance
# (one log unit: a factor e) and the rise a probe must show for the likelihood to count as curved.
_FD_STEP = 1e-3
_INTERIOR_GTOL = 1e-5
_PROBE = 1.0
_FLAT_TOL = 1e-9


def _hessian_and_gradient(value: Callable[[np.ndarray], float], theta: np.ndarray,
                          f0: float) -> tuple[np.ndarray, np.ndarray]:
    """Central finite differences of ``value`` at ``theta``: its Hessian and gradient (step ``_FD_STEP``)."""
    n, h = theta.size, _FD_STEP
    steps = np.eye(n) * h
    hess, grad = np.empty((n, n)), np.empty(n)
    for i in range(n):
        up, down = value(theta + 2 * steps[i]), value(theta - 2 * steps[i])
        grad[i] = (up - down) / (4 * h)
        hess[i, i] = (up - 2 * f0 + down) / (4 * h * h)
        for j in range(i):
            hess[i, j] = hess[j, i] = (value(theta + steps[i] + steps[j]) - value(theta + steps[i] - steps[j])
                                       - value(theta - steps[i] + steps[j])
                                       + value(theta - steps[i] - steps[j])) / (4 * h * h)
    return hess, grad


def _direction_words(direction: np.ndarray, names: Sequence[str]) -> str:
    """'r up, alpha up' for the parameters that move noticeably along a log-parameter direction."""
    big = np.abs(direction) >= 0.3 * np.max(np.abs(direction))
    return ", ".join(f"{names[i]} {'up' if direction[i] > 0 else 'down'}" for i in np.flatnonzero(big))


def _interior_failure(value: Callable[[np.ndarray], float], theta: np.ndarray,
                      names: Sequence[str]) -> str | None:
    """Why ``theta`` is not an interior maximum of the mean log-likelihood, or None when it is one.

    ``value`` is minus the mean log-likelihood per customer over log-parameters. The rule, the same for every
    model: (1) the gradient vanishes (``|d/d log theta| < _INTERIOR_GTOL``), which rules out an estimate
    left at its starting values, and (2) the likelihood is curved in every direction: moving one log unit
    (a factor e) either way along each eigenvector of the finite-difference Hessian lowers it by more than
    rounding (``_FLAT_TOL``, relative). A ridge or a supremum at a boundary of the parameter space (no
    spread in purchase rates, a parameter the data never touch, a rate heading to 0 or infinity) is flat or
    still rising there, wherever the optimiser happened to stop.
    """
    f0 = value(theta)
    hess, grad = _hessian_and_gradient(value, theta, f0)
    if not (np.isfinite(hess).all() and np.isfinite(grad).all()):
        return "the likelihood is not finite next to the estimate: it lies at the edge of where the model is defined"
    worst = int(np.argmax(np.abs(grad)))
    if not np.abs(grad[worst]) < _INTERIOR_GTOL:
        return (f"the likelihood is still changing at the estimate (slope {grad[worst]:.2g} in log {names[worst]}); "
                "the optimiser stopped before a maximum")
    tol = _FLAT_TOL * max(1.0, abs(f0))
    _, vectors = np.linalg.eigh(hess)
    for k in range(theta.size):
        for sign in (1.0, -1.0):
            direction = sign * vectors[:, k]
            probe = np.clip(theta + _PROBE * direction, -_LOG_BOUND, _LOG_BOUND)
            if not value(probe) - f0 > tol:
                return (f"the likelihood is flat or still rising along a direction of the parameters "
                        f"({_direction_words(direction, names)}): the estimate is on a ridge or at a boundary of "
                        "the parameter space, not at a maximum; the data do not pin these parameters down (e.g. "
                        "too few repeat buyers, or no spread to model)")
    return None


def maximise(loglik: Callable[..., np.ndarray], data: Sequence[np.ndarray], weights: np.ndarray,
             starts: Sequence[np.ndarray], *, label: str,
             gradient: Callable[..., np.ndarray] | None = None,
             names: Sequence[str] | None = None) -> tuple[np.ndarray, float, bool, str]:
    """Maximise the weighted log-likelihood over log-parameters with L-BFGS-B.

    ``loglik(params, *data)`` returns one log-likelihood per row, ``gradient(params, *data)`` (optional,
    else finite differences) its derivatives as a (rows, parameters) array; ``weights`` counts the
    customers per row; ``names`` names the parameters in messages. The starts are tried in order until one
    converges; the best result is kept. Returns (params, total log-likelihood, converged, optimiser
    message) and warns with sklearn's ConvergenceWarning when no start converged.

    **Converged** means the same in every model: the optimiser reports success (or stalls at rounding with
    a vanishing gradient), every log-parameter lies strictly inside the search box ``(-15, 15)``, and the
    estimate is an interior maximum - zero gradient and a likelihood that falls in every direction (see
    :func:`_interior_failure`). An estimate left at its starting values, on a flat ridge or heading to a
    boundary of the parameter space is reported as not converged, with the reason in the message.
    """
    total = float(weights.sum())
    names = list(names) if names is not None else [f"theta[{i}]" for i in range(len(starts[0]))]

    def objective(theta: np.ndarray):
        params = np.exp(theta)
        with np.errstate(all="ignore"):
            value = -float(np.dot(weights, loglik(params, *data))) / total
            if gradient is None:
                return value if np.isfinite(value) else 1e10
            grad = -(weights @ gradient(params, *data)) * params / total
        if not (np.isfinite(value) and np.isfinite(grad).all()):
            return 1e10, np.zeros_like(theta)
        return value, grad

    def value_only(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = -float(np.dot(weights, loglik(np.exp(theta), *data))) / total
        return value if np.isfinite(value) else np.inf

    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(starts[0])
    best = None
    for start in starts:
        res = minimize(objective, np.asarray(start, dtype=float), method="L-BFGS-B", jac=gradient is not None,
                       bounds=bounds, options={"maxiter": 3000, "ftol": 1e-14, "gtol": 1e-10})
        inside = bool(np.all(np.abs(res.x) < _LOG_BOUND - 1e-6))
        converged = (bool(res.success) or _stalled_at_optimum(res)) and res.fun < 1e10 and inside
        message = str(res.message) if inside else ("a parameter reached the edge of the search box "
                                                   "(exp(+-15)); the model may not suit the data")
        if converged:
            failure = _interior_failure(value_only, np.asarray(res.x, dtype=float), names)
            if failure is not None:
                converged, message = False, failure
        if best is None or (converged, -res.fun) > (best[2], -best[0]):
            best = (res.fun, res.x, converged, message)
        if converged:
            break
    fun, theta, converged, message = best
    if not converged:
        warnings.warn(f"{label}: the maximum-likelihood fit did not converge ({message})", ConvergenceWarning,
                      stacklevel=3)
    return np.exp(theta), -fun * total, converged, message


class MLModel:
    """What every model here shares: named positive parameters, set by ``fit`` or ``from_params``."""

    _names: tuple[str, ...] = ()
    _fit_call = "fit(...)"

    def _store_fit(self, params: np.ndarray, ll: float, converged: bool, message: str, n_customers: int,
                   n_patterns: int) -> None:
        self.params_ = {name: float(v) for name, v in zip(self._names, params)}
        self.log_likelihood_ = float(ll)
        self.n_customers_ = int(n_customers)
        self.n_patterns_ = int(n_patterns)
        self.converged_ = bool(converged)
        self.optimizer_message_ = message

    @classmethod
    def from_params(cls, **params: float):
        """Return a model with the given parameters (e.g. published estimates) instead of fitting one."""
        missing = [n for n in cls._names if n not in params]
        extra = [n for n in params if n not in cls._names]
        if missing or extra:
            raise ValueError(f"{cls.__name__}.from_params needs exactly the parameters "
                             f"{', '.join(cls._names)}; missing {missing}, unexpected {extra}")
        model = cls()
        model.params_ = {}
        for name in cls._names:
            v = params[name]
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v <= 0:
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
            model.params_[name] = float(v)
        return model

    def _params(self) -> tuple[float, ...]:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call {self._fit_call} or "
                                 "from_params(...) before predicting")
        return tuple(self.params_[n] for n in self._names)

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}() [not fitted]"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({shown})"


class TransactionModel(MLModel):
    """Base of the models of repeat-purchase counts (BG/NBD, Pareto/NBD).

    Subclasses set ``_names`` and implement the kernels ``_loglik``, ``_log_p_alive``,
    ``_conditional_expected`` and ``_expected`` on float arrays with the parameters as a tuple.
    """

    _fit_call = "fit(frequency, recency, T)"

    # --- kernels, implemented by subclasses -------------------------------------------------------------
    @staticmethod
    def _loglik(params, x, tx, T) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    _loglik_gradient = None  # optional: d loglik / d params as a (rows, parameters) array

    @staticmethod
    def _log_p_alive(params, x, tx, T) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _conditional_expected(params, t, x, tx, T) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _expected(params, t) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _starts(self, x, tx, T) -> list[np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _fit_data(x, tx, T) -> tuple:
        """The arguments ``_loglik`` receives during the fit (subclasses may add precomputed groupings)."""
        return x, tx, T

    # --- fitting -----------------------------------------------------------------------------------------
    def fit(self, frequency, recency, T):
        """Fit the model by maximum likelihood to a customer summary; returns ``self``.

        Parameters
        ----------
        frequency, recency, T : array-likes of equal length (numbers broadcast)
            Repeat purchases, time from first to last purchase, time from first purchase to the end of
            the calibration period, in one time unit.

        Sets ``params_`` (dict), ``log_likelihood_`` (total over customers), ``n_customers_``,
        ``n_patterns_`` (distinct (frequency, recency, T) rows the likelihood was evaluated on),
        ``converged_`` and ``optimizer_message_``. Customers with identical (frequency, recency, T) are
        evaluated once, weighted by their number.

        Example
        -------
        >>> from crmlab.clv import BetaGeoModel, load_cdnow
        >>> s = load_cdnow("summary")
        >>> BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
        BetaGeoModel(r=0.2426, alpha=4.414, a=0.7929, b=2.426)
        """
        cols = check_rfm(frequency, recency, T)
        x, tx, age = (cols.values[k] for k in ("frequency", "recency", "T"))
        patterns, weights = compress(x, tx, age)
        params, ll, converged, message = maximise(self._loglik, self._fit_data(*patterns), weights,
                                                  self._starts(x, tx, age),
                                                  label=type(self).__name__, gradient=self._loglik_gradient,
                                                  names=self._names)
        self._store_fit(params, ll, converged, message, x.size, weights.size)
        return self

    # --- predictions -------------------------------------------------------------------------------------
    def score_samples(self, frequency, recency, T):
        """Log-likelihood of each customer's (frequency, recency, T) under the fitted parameters.

        Example
        -------
        >>> from crmlab.clv import BetaGeoModel
        >>> m = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.score_samples(frequency=0, recency=0, T=38.86), 3)
        -0.555
        """
        params = self._params()
        cols = check_rfm(frequency, recency, T)
        return cols.wrap(self._loglik(params, *cols.values.values()), "log_likelihood")

    def probability_alive(self, frequency, recency, T):
        """Probability that each customer is still active at the end of their observation period T.

        Returns a float for number inputs, a Series on the index of Series inputs, else an array.

        Example
        -------
        >>> from crmlab.clv import BetaGeoModel
        >>> m = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.probability_alive(frequency=2, recency=30.43, T=38.86), 3)
        0.727
        """
        params = self._params()
        cols = check_rfm(frequency, recency, T)
        return cols.wrap(np.exp(self._log_p_alive(params, *cols.values.values())), "p_alive")

    def conditional_expected_purchases(self, t, frequency, recency, T):
        """Expected number of purchases in (T, T + t] of each customer given their history.

        ``t`` is a number or an array (one horizon per customer) in the model's time unit, >= 0.
        Returns a float for number inputs, a Series on the index of Series inputs, else an array.

        Example
        -------
        >>> from crmlab.clv import ParetoNBDModel
        >>> m = ParetoNBDModel.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(m.conditional_expected_purchases(39, frequency=2, recency=30.43, T=38.86), 3)
        1.455
        """
        params = self._params()
        cols = check_rfm(frequency, recency, T)
        tt = check_horizon(t, cols.values["T"].size)
        return cols.wrap(self._conditional_expected(params, tt, *cols.values.values()), "expected_purchases")

    def expected_purchases(self, t):
        """Expected number of repeat purchases in (0, t] of a customer drawn at random from the population.

        ``t`` is a number (returns a float) or an array of horizons (returns an array).

        Example
        -------
        >>> from crmlab.clv import BetaGeoModel
        >>> m = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.expected_purchases(39), 3)
        1.197
        """
        params = self._params()
        tt = as_float_array(t, "t", low=0.0)
        out = self._expected(params, tt)
        return float(out[0]) if isinstance(t, numbers.Real) else out
