"""Validation of yes/no columns (churned, treated, complained ...) shared by service, churn and accounts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import check_columns

__all__ = ["binary_column", "binary_array", "binary_column_observed"]


def binary_column(df: pd.DataFrame, column: str, *, arg: str, name: str = "data") -> np.ndarray:
    """Return ``df[column]`` as a bool array; it must be bool or numeric holding only 0 and 1, no missing values.

    ``arg`` is the argument that named the column (``target_col``), so the message can point at it.
    """
    check_columns(df, {arg: column}, name=name)
    return binary_array(df[column], f"{arg}={column!r} (column of {name})")


def binary_array(values, name: str) -> np.ndarray:
    """Return ``values`` (array-like of bool or 0/1 numbers) as a bool array, naming ``name`` on bad input."""
    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    if s.isna().any():
        raise ValueError(f"{name} has {int(s.isna().sum())} missing value(s); expected only 0/1 or True/False")
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool)
    if not pd.api.types.is_numeric_dtype(s):
        raise TypeError(f"{name} must be bool or 0/1 numbers, got dtype {s.dtype}")
    v = s.to_numpy(dtype="float64")
    bad = (v != 0) & (v != 1)
    if bad.any():
        raise ValueError(f"{name} must hold only 0 and 1, found {v[bad][0]!r}")
    return v == 1


def binary_column_observed(df: pd.DataFrame, column: str, *, arg: str,
                           name: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`binary_column`, but missing values are allowed and mean "not observed".

    Returns ``(value, observed)``, two bool arrays; ``value`` is False where not observed.
    """
    check_columns(df, {arg: column}, name=name)
    s = df[column]
    observed = s.notna().to_numpy()
    value = np.zeros(len(s), dtype=bool)
    value[observed] = binary_array(s[observed], f"{arg}={column!r} (column of {name})")
    return value, observed
