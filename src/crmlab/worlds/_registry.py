"""Imports every world module so that each registers itself.

A world lives in ``crmlab/worlds/<case_id>.py`` and registers itself with ``@register``; it is found
here automatically. Shared mechanics live in the ``mech`` subpackage; modules whose names start with an
underscore, and ``io``, are machinery, not worlds.
"""
import importlib
import pkgutil

from . import __path__ as _path

_NOT_WORLDS = {"io", "mech", "snapshot"}

for _info in sorted(pkgutil.iter_modules(_path), key=lambda m: m.name):
    if _info.name.startswith("_") or _info.name in _NOT_WORLDS:
        continue
    importlib.import_module(f"{__package__}.{_info.name}")
