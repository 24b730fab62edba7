"""Writing a world to disk: one file per table, the data dictionary and the planted truth.

The files hold no timestamps, paths or other traces of when and where they were written, so the same
world (same id, seed and knobs) gives the same bytes on every run — which is what lets ``datasets/``
snapshots be checked against the code that made them.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import check_choice
from ._core import World

__all__ = ["FORMATS", "write_world", "world_files", "truth_frames"]

FORMATS = ("csv", "parquet")


def truth_frames(world: World) -> dict[str, pd.DataFrame]:
    """The per-entity parts of ``world.truth`` (DataFrames, Series, arrays) as DataFrames, by truth key.

    A named or non-default index becomes the first column(s), so the file says which entity each row
    is about; a Series becomes a one-column frame named after its key; an array becomes columns 0, 1, ...

    Example
    -------
    >>> from crmlab import worlds
    >>> sorted(truth_frames(worlds.make("transactions", n_customers=10)))
    ['customers']
    """
    out = {}
    for key, value in world.truth.items():
        if isinstance(value, pd.Series):
            value = value.to_frame(name=value.name if value.name is not None else key)
        elif isinstance(value, np.ndarray):
            value = pd.DataFrame(value if value.ndim > 1 else value.reshape(-1, 1))
            value.columns = [str(c) for c in value.columns]
        elif not isinstance(value, pd.DataFrame):
            continue
        default_index = isinstance(value.index, pd.RangeIndex) and value.index.name is None \
            and value.index.start == 0 and value.index.step == 1
        out[str(key)] = value if default_index else value.reset_index()
    return out


def world_files(world: World, fmt: str = "csv", include_truth: bool = True) -> list[str]:
    """The file names :func:`write_world` writes for ``world``, in writing order.

    Example
    -------
    >>> from crmlab import worlds
    >>> world_files(worlds.make("transactions", n_customers=10))
    ['customers.csv', 'transactions.csv', 'data_dictionary.md', 'truth.json', 'truth_customers.csv']
    """
    check_choice(fmt, "fmt", FORMATS)
    names = [f"{t.name}.{fmt}" for t in world.spec.tables] + ["data_dictionary.md"]
    if include_truth:
        names += ["truth.json"] + [f"truth_{k}.{fmt}" for k in truth_frames(world)]
    return names


def _json_ready(v, where: str):
    """Plain-JSON version of truth_json() output: NaN/inf become null, tuples lists; anything else fails."""
    if isinstance(v, dict):
        return {str(k): _json_ready(x, f"{where}.{k}") for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_ready(x, f"{where}[{i}]") for i, x in enumerate(v)]
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    raise TypeError(f"planted truth {where} is a {type(v).__name__}, which cannot be written to truth.json")


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        # Bytes, not text mode: the same bytes on every platform (no \r\n on Windows).
        data = df.to_csv(index=False, lineterminator="\n")
        path.write_bytes(data.encode("utf-8"))
    else:
        df.to_parquet(path, engine="pyarrow", index=False, compression="zstd")


def write_world(world: World, out_dir, fmt: str = "csv", include_truth: bool = True, *,
                overwrite: bool = False) -> list[Path]:
    """Write a world's tables, data dictionary and planted truth into ``out_dir``.

    Files: ``<table>.<fmt>`` for every table; ``data_dictionary.md`` (``world.describe()``); with
    ``include_truth``, ``truth.json`` (the plain-data truth, ``world.truth_json()``) and
    ``truth_<key>.<fmt>`` for every per-entity truth (DataFrame/Series/array). CSV is UTF-8 with ``\\n``
    line ends, no index column, dates as ``YYYY-MM-DD`` (or full timestamps when a column has times);
    parquet is written by pyarrow with zstd compression. Nothing in the files depends on when or where
    they were written, so the same world gives the same bytes.

    Parameters
    ----------
    world : World
    out_dir : str or Path      created if missing
    fmt : "csv" or "parquet"
    include_truth : bool       also write the planted truth (default True)
    overwrite : bool           replace existing files (default False: refuse, naming the first file that
                               exists, before anything is written)

    Returns
    -------
    list of the Paths written, in order.

    Example
    -------
    >>> import tempfile
    >>> from crmlab import worlds
    >>> paths = write_world(worlds.make("transactions", n_customers=20), tempfile.mkdtemp())
    >>> [p.name for p in paths][:2]
    ['customers.csv', 'transactions.csv']
    """
    if not isinstance(world, World):
        raise TypeError(f"world must be a crmlab World (from crmlab.worlds.make), got {type(world).__name__}")
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a path, got {out_dir!r}")
    check_choice(fmt, "fmt", FORMATS)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"out_dir {str(out)!r} exists and is not a directory")
    names = world_files(world, fmt, include_truth)
    paths = [out / name for name in names]
    if not overwrite:
        for p in paths:
            if p.exists():
                raise FileExistsError(f"{p} already exists; pass overwrite=True (crmlab data: --force) to replace it")
    out.mkdir(parents=True, exist_ok=True)
    for t in world.spec.tables:
        _write_table(world.tables[t.name], out / f"{t.name}.{fmt}", fmt)
    (out / "data_dictionary.md").write_bytes(world.describe().encode("utf-8"))
    if include_truth:
        truth = _json_ready(world.truth_json(), "truth")
        text = json.dumps(truth, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        (out / "truth.json").write_bytes(text.encode("utf-8"))
        for key, frame in truth_frames(world).items():
            _write_table(frame, out / f"truth_{key}.{fmt}", fmt)
    return paths
