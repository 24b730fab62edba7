"""Where the workbench's files live.

crmlab is installed from its checkout (``make`` does ``pip install -e .``), so the case files, notebooks
and datasets sit beside the package. ``CRMLAB_HOME`` points elsewhere when needed.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import CrmlabError


def project_root() -> Path:
    env = os.environ.get("CRMLAB_HOME")
    root = Path(env).expanduser() if env else Path(__file__).resolve().parent.parent
    if not (root / "cases").is_dir():
        raise CrmlabError(f"no cases/ folder under {root}: install crmlab from its checkout "
                          "(pip install -e .) or set CRMLAB_HOME to the checkout")
    return root


def cases_dir() -> Path:
    return project_root() / "cases"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def datasets_dir() -> Path:
    return project_root() / "datasets"
