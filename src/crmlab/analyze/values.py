"""Values as one pyarrow Array: the common ground of the reading and the parsing layers.

Both :mod:`crmlab.analyze.read` (cells of an Excel sheet, columns of a DataFrame) and
:mod:`crmlab.analyze.parse` (whatever a caller passes: arrow, pandas, a list) work on pyarrow arrays; this
module turns values into one, keeping their type when it is uniform. It reads no file and parses no text.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["to_arrow", "objects_to_arrow"]


def to_arrow(values) -> pa.Array:
    """Values as one pyarrow Array: arrow arrays pass, chunked ones are joined, typed pandas columns convert.

    Anything else (a list, an object column) goes through :func:`objects_to_arrow`.

    Example
    -------
    >>> to_arrow(pd.Series([1.5, 2.0])).type
    DataType(double)
    >>> to_arrow(["a", 1]).to_pylist()
    ['a', '1']
    """
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, pd.Series) and values.dtype != object:
        return pa.Array.from_pandas(values)
    return objects_to_arrow(list(values))


def objects_to_arrow(values: list) -> pa.Array:
    """Python values as arrow: all dates stay dates, all numbers numbers; anything mixed becomes text.

    Missing values (None, NaN) stay missing. An Excel column mixing date cells and text is therefore read
    as text, the date cells written ``YYYY-MM-DD hh:mm:ss``.

    Example
    -------
    >>> import datetime as dt
    >>> objects_to_arrow([1, None, 2]).to_pylist()
    [1, None, 2]
    >>> objects_to_arrow([dt.datetime(2024, 3, 1), "2024-03-02"]).to_pylist()
    ['2024-03-01 00:00:00', '2024-03-02']
    """
    present = [v for v in values if v is not None and v == v]
    if present and all(isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat") for v in present):
        return pa.array(pd.to_datetime(pd.Series(values, dtype=object)), from_pandas=True)
    if all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in present):
        floats = any(isinstance(v, (float, np.floating)) for v in present)
        return pa.array(values, type=pa.float64() if floats else pa.int64(), from_pandas=True)
    return pa.array([None if v is None or v != v else str(v) for v in values], type=pa.string())
