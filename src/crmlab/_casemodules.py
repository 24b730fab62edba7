"""Import a case's own Python files: ``cases/<id>/world.py`` and ``cases/<id>/checks.py``.

Course content lives outside the library (the library never names a case), so these files are not part of
the ``crmlab`` package. They are loaded from the case folders of the project in use
(:func:`crmlab.paths.cases_dir`, which follows ``CRMLAB_HOME``) under the module name
``crmlab_cases.<id>.<file>``, once per process; a case's files import only ``crmlab``.
"""
from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

from .paths import cases_dir

__all__ = ["PACKAGE", "case_file", "load_case_module", "case_ids_with"]

PACKAGE = "crmlab_cases"


def case_file(case_id: str, name: str) -> Path:
    """The path of ``cases/<case_id>/<name>.py`` in the project in use (whether or not it exists)."""
    return cases_dir() / case_id / f"{name}.py"


def case_ids_with(name: str) -> list[str]:
    """Ids of the case folders that have a ``<name>.py``, sorted."""
    root = cases_dir()
    return sorted(p.parent.name for p in root.glob(f"*/{name}.py"))


def _package(name: str, path: Path) -> types.ModuleType:
    mod = sys.modules.get(name)
    if mod is None:
        mod = types.ModuleType(name, f"case folder {path}")
        mod.__path__ = [str(path)]
        sys.modules[name] = mod
    return mod


def load_case_module(case_id: str, name: str) -> types.ModuleType | None:
    """Import ``cases/<case_id>/<name>.py`` (once) and return the module; None when the file does not exist.

    An error inside the file propagates unchanged (with its traceback into the case file), and leaves
    nothing half-imported behind, so that a fixed file can be imported again.
    """
    path = case_file(case_id, name)
    if not path.is_file():
        return None
    modname = f"{PACKAGE}.{case_id}.{name}"
    mod = sys.modules.get(modname)
    if mod is not None and Path(mod.__file__) == path:
        return mod
    _package(PACKAGE, cases_dir())
    parent = _package(f"{PACKAGE}.{case_id}", path.parent)
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    setattr(parent, name, mod)
    return mod
