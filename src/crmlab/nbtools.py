"""Maintenance of the committed notebooks: re-execute in place, deterministically.

``python -m crmlab.nbtools refresh notebooks/haidilao.ipynb [...]`` runs each notebook top to bottom in
this environment's kernel (with its default parameters), drops timing metadata, and refuses to write a
notebook whose outputs contain a machine path, so that what is committed is exactly what nbval will
reproduce.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_MACHINE_PATH = re.compile(r"/(work|tmp|root|home|Users)/[^\"\s]*")


def refresh(path: Path, timeout: int = 600) -> float:
    """Execute the notebook at ``path`` in place; return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("papermill", None)
    t0 = time.perf_counter()
    from .runner import KERNEL_ARGS

    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False, extra_arguments=list(KERNEL_ARGS),
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    text = nbformat.writes(nb)
    hit = _MACHINE_PATH.search(text)
    if hit:
        raise SystemExit(f"{path}: output contains a machine path ({hit.group(0)[:60]}); not written")
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crmlab.nbtools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("refresh", help="re-execute notebooks in place")
    r.add_argument("paths", nargs="+", type=Path)
    r.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args(argv)
    for p in args.paths:
        print(f"{p}: {refresh(p, args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
