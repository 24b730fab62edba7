"""Profile tables of customer segments, shared by RFM rule segmentation and k-means segmentation."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def segment_profile(data: pd.DataFrame, labels: pd.Series, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per segment: ``customers``, ``share`` and the mean of each numeric column.

    ``labels`` is aligned with ``data`` by position. If it is categorical, every category gets a row (an
    empty segment shows 0 customers and NaN means) in category order; otherwise segments appear in order
    of first appearance.
    """
    if columns is None:
        columns = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])
                   and not pd.api.types.is_bool_dtype(data[c])]
    key = pd.Series(labels.to_numpy(), index=data.index, name="segment", dtype=labels.dtype)
    grouped = data[list(columns)].groupby(key, observed=False, sort=isinstance(key.dtype, pd.CategoricalDtype))
    counts = key.value_counts(sort=False)
    out = grouped.mean()
    out.insert(0, "share", counts.reindex(out.index).fillna(0).to_numpy() / len(key))
    out.insert(0, "customers", counts.reindex(out.index).fillna(0).astype("int64").to_numpy())
    out.index.name = "segment"
    return out
