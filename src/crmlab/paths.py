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
    root = Path(env).expanduser() if env else Path(__file__).resolve().parents[2]
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


def prepare_output_dir(out: Path, targets, force: bool) -> None:
    """Create ``out`` unless one of ``targets`` already exists there and ``force`` is false; check it is writable.

    Nothing a user has is overwritten without being asked: the message names the first existing file. A
    folder that cannot be created or written to (read-only disk, no permission, a file of that name) is one
    :class:`~crmlab.errors.CrmlabError` line before any work starts, tested by writing a scratch file.
    """
    import tempfile

    existing = [Path(t) for t in targets if Path(t).exists()]
    if existing and not force:
        raise CrmlabError(f"{existing[0]} exists; choose another --out or pass --force to overwrite it")
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrmlabError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
    try:
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise CrmlabError(f"cannot write to output folder {out}: {exc.strerror or exc}; choose another --out") from None
