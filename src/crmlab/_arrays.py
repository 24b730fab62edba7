"""Validation of array-valued arguments and transition matrices (shared by loyalty, rewards and ladder).

These complement :mod:`crmlab._validate`, which checks scalars and DataFrame columns.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["as_float_array", "as_transition_matrix"]


def as_float_array(values, name: str, *, low: float | None = None, high: float | None = None,
                   low_open: bool = False, allow_empty: bool = False) -> np.ndarray:
    """Return ``values`` (a number or array-like of numbers) as a 1-d float64 array, refusing bad entries.

    Booleans, strings, NaN and infinities are refused, as are values outside ``[low, high]`` (``low``
    excluded when ``low_open``). The message names the argument.
    """
    if isinstance(values, (str, bytes, bool, np.bool_)) or values is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got {values!r}")
    if isinstance(values, numbers.Number):
        values = [values]
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers") from exc
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    arr = arr.astype("float64").ravel()
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty: expected at least one value")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has {int((~np.isfinite(arr)).sum())} missing or infinite value(s)")
    if low is not None and ((arr < low).any() or (low_open and (arr == low).any())):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}; smallest value is {arr.min()!r}")
    if high is not None and (arr > high).any():
        raise ValueError(f"{name} must be <= {high}; largest value is {arr.max()!r}")
    return arr


def as_transition_matrix(P, name: str = "P", *, atol: float = 1e-8) -> pd.DataFrame:
    """Check a square row-stochastic matrix and return it as a DataFrame labelled by state.

    ``P`` may be a DataFrame (index and columns must name the same states in the same order) or a
    2-d array (states are then labelled 0, 1, ...).
    """
    if isinstance(P, pd.DataFrame):
        if list(P.index) != list(P.columns):
            raise ValueError(f"{name} must have the same states, in the same order, as its index and columns")
        labels = list(P.index)
        values = P.to_numpy()
    else:
        values = np.asarray(P)
        labels = None
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {values.shape}")
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {values.dtype}")
    values = values.astype("float64")
    if not np.isfinite(values).all() or (values < -atol).any():
        raise ValueError(f"{name} must hold finite non-negative probabilities")
    sums = values.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        bad = int(np.argmax(np.abs(sums - 1.0)))
        raise ValueError(f"every row of {name} must sum to 1; row {bad} sums to {sums[bad]!r}")
    if labels is None:
        labels = list(range(values.shape[0]))
    return pd.DataFrame(np.clip(values, 0.0, None), index=labels, columns=labels)
