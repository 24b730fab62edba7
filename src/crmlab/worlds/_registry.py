"""Finds every world: the generic ones of the library and one per case folder.

The library's own worlds (today ``transactions``) are modules of this package listed in ``LIBRARY_WORLDS``;
a case's world is ``cases/<id>/world.py``, found by its file name alone. Each registers itself with
:func:`crmlab.worlds.register` when imported.
"""
from __future__ import annotations

import importlib

from .._casemodules import case_ids_with, load_case_module

#: The worlds that belong to the library rather than to a case.
LIBRARY_WORLDS = ("transactions",)


def load_library_worlds() -> None:
    for name in LIBRARY_WORLDS:
        importlib.import_module(f"{__package__}.{name}")


def load_case_world(case_id: str) -> bool:
    """Import the world of one case folder; False when the case has no ``world.py``."""
    return load_case_module(case_id, "world") is not None


def load_all() -> None:
    load_library_worlds()
    for case_id in case_ids_with("world"):
        load_case_world(case_id)
