"""crmlab: a workbench for teaching and prototyping customer relationship management analytics.

The package holds seeded synthetic worlds with a planted truth (:mod:`crmlab.worlds`), the analytics of
the field (RFM, ABC/Pareto, segmentation, CLV and buy-till-you-die models, loyalty, service and churn
frameworks) and the tooling that runs the case notebooks (:mod:`crmlab.cases`, :mod:`crmlab.runner`,
the ``crmlab`` command).

Importing :mod:`crmlab` is cheap: the heavier submodules load on first use.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Public names served lazily from their submodules, so `import crmlab` stays fast.
_LAZY = {
    "record": "crmlab.results",
    "rfm_summary": "crmlab.rfm",
    "rfm_table": "crmlab.rfm",
    "rfm_scores": "crmlab.rfm",
    "rfm_segments": "crmlab.rfm",
    "abc_classify": "crmlab.concentration",
}
_SUBMODULES = {"worlds", "cases", "plots", "results", "runner", "clv", "rfm", "concentration", "segmentation",
               "value", "loyalty", "ladder", "service", "churn", "basket", "rewards", "accounts", "checks",
               "sources", "effects", "glossary", "survival"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"crmlab.{name}")
    raise AttributeError(f"module 'crmlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
