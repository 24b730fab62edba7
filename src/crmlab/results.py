"""Key results a notebook records so that a batch can collect them.

A notebook calls ``crmlab.record("gini", 0.61)``. The value is shown in the notebook as one readable
line and also carried in the cell output under a custom MIME type, so the executed notebook itself holds
its results: :func:`collect` reads them back from any executed ``.ipynb`` with no side files, no
environment variables and no extra dependency (scrapbook is unmaintained).
"""
from __future__ import annotations

import json
import math
import numbers
import re
from pathlib import Path

import numpy as np

MIME_TYPE = "application/vnd.crmlab.result+json"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

__all__ = ["record", "collect", "MIME_TYPE"]


def _plain(value, name: str):
    """Convert numpy scalars/arrays to plain JSON types; refuse anything that is not data."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"result {name!r} must be finite, got {value!r}")
        return v
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        return [_plain(v, name) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v, name) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, name) for k, v in value.items()}
    raise TypeError(f"result {name!r} must be a number, string, bool, None or a list/dict of them; "
                    f"got {type(value).__name__}")


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return json.dumps(value, ensure_ascii=False)


def record(name: str, value, *, display: bool = True):
    """Record a key result of this notebook under ``name`` (an identifier) and return the plain value.

    Floats are rounded to 10 significant digits so that re-running the notebook on another machine
    records the same text.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"result name must be an identifier like 'churn_rate', got {name!r}")
    if name.startswith("check_"):
        raise ValueError(f"result name {name!r}: names starting with 'check_' are the verdicts of exercise checks "
                         "(crmlab.checks) and cannot be recorded by hand")
    plain = _plain(value, name)
    plain = _round(plain)
    if display:
        try:
            from IPython.display import display as ipy_display
        except ImportError:  # pragma: no cover - IPython is a dependency
            print(f"recorded {name} = {_format(plain)}")
        else:
            ipy_display({MIME_TYPE: {"name": name, "value": plain},
                         "text/plain": f"recorded {name} = {_format(plain)}"}, raw=True)
    return plain


def _round(v):
    if isinstance(v, float):
        return float(f"{v:.10g}")
    if isinstance(v, list):
        return [_round(x) for x in v]
    if isinstance(v, dict):
        return {k: _round(x) for k, x in v.items()}
    return v


def collect(notebook) -> dict:
    """Return ``{name: value}`` of every result recorded in an executed notebook (path or nbformat node).

    When a name is recorded twice the last value wins, as it would in the notebook's own namespace.
    """
    if isinstance(notebook, (str, Path)):
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    else:
        nb = notebook
    out: dict = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if MIME_TYPE in data:
                payload = data[MIME_TYPE]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                out[payload["name"]] = payload["value"]
    return out
