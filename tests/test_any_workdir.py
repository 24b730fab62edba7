"""crmlab works from any working directory, including one that holds a folder named ``crmlab``.

Before the src layout, running from the folder that contains a checkout named ``crmlab`` made
``import crmlab`` find that folder (no ``__init__.py`` at its top) as a namespace package, ahead of the
editable install, and every kernel and batch worker failed with ``ImportError: cannot import name
'__version__' from 'crmlab' (unknown location)``. Each check here runs in a subprocess whose working
directory holds an empty ``crmlab/`` and ``crmlab/crmlab/``.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

import crmlab

BIN = Path(sys.executable).parent
PYTHON, CRMLAB = str(BIN / Path(sys.executable).name), str(BIN / "crmlab")
PACKAGE_FILE = Path(crmlab.__file__).resolve()


@pytest.fixture
def decoy(tmp_path) -> Path:
    """A working directory with folders that look like a checkout of crmlab, and nothing in them."""
    (tmp_path / "crmlab" / "crmlab").mkdir(parents=True)
    return tmp_path


def _run(argv, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRMLAB_HOME")}  # the install alone
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_import_finds_the_installed_package(decoy):
    proc = _run([PYTHON, "-c", "import crmlab; print(crmlab.__version__); print(crmlab.__file__)"], decoy)
    assert proc.returncode == 0, proc.stderr
    version, where = proc.stdout.splitlines()
    assert version == crmlab.__version__
    assert Path(where).resolve() == PACKAGE_FILE


def test_the_command_runs(decoy):
    proc = _run([CRMLAB, "list", "--ids", "--ready"], decoy)
    assert proc.returncode == 0, proc.stderr
    assert "distributor_abc" in proc.stdout.split()
    # doctor starts a kernel in this working directory too
    proc = _run([CRMLAB, "doctor", "--out", decoy / "doctor-out"], decoy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0] == f"crmlab {crmlab.__version__}"


def test_a_batch_worker_and_its_kernel_import_crmlab(decoy):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("seed = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os\nimport crmlab\n"
                                          "crmlab.record('version', crmlab.__version__)\n"
                                          "crmlab.record('package_file', crmlab.__file__)\n"
                                          "crmlab.record('cwd', os.getcwd())")]
    nbformat.write(nb, str(decoy / "where.ipynb"))
    # the notebook sits in the decoy folder, so its kernel runs there (the case that used to fail)
    proc = _run([CRMLAB, "batch", "where.ipynb", "--out", "out", "--workers", "1"], decoy, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(decoy / "out" / "summary.csv", newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["status"] == "ok", row["error"]
    assert row["version"] == crmlab.__version__
    assert Path(row["package_file"]).resolve() == PACKAGE_FILE
    assert Path(row["cwd"]).resolve() == decoy.resolve()
