"""Frozen snapshots of every world in ``datasets/<id>/``, checked against the code that made them.

A snapshot is the world generated at :data:`~crmlab.worlds.DEFAULT_SEED` with small knobs, written as
CSV (tables, data dictionary, planted truth) beside a ``manifest.json`` recording the generator
version, seed, knobs, schema, row counts and the sha256 of every file. ``verify_snapshot`` regenerates
the world and compares hashes, so the data in the repository and the code can never drift apart
silently (the failure of the CSV-beside-the-book approach of "Python for Marketing Research and
Analytics").

Snapshot knobs, first match wins:

1. :data:`SNAPSHOT_KNOBS` below, keyed by world id;
2. a module-level dict ``SNAPSHOT_KNOBS`` (knob name → value) in the world's own module
   ``cases/<id>/world.py`` — the way a world declares its own small size;
3. the world's defaults.

Command line::

    python -m crmlab.worlds.snapshot --check            # verify every world (exit 1 on any problem)
    python -m crmlab.worlds.snapshot --write ID [ID...]  # (re)write the named snapshots
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import tempfile
from pathlib import Path

from ..paths import datasets_dir
from ._core import DEFAULT_SEED, World, available, make, spec
from .io import truth_frames, write_world

__all__ = ["SNAPSHOT_KNOBS", "MAX_SNAPSHOT_BYTES", "snapshot_knobs", "make_snapshot_world", "write_snapshot",
           "verify_snapshot", "snapshot_dir", "main"]

# Small knobs for the worlds whose module does not declare its own (each snapshot stays well under 1 MB).
SNAPSHOT_KNOBS: dict[str, dict] = {
    "transactions": {"n_customers": 300},
}
# The size a snapshot should stay under (all files together).
MAX_SNAPSHOT_BYTES = 1_000_000
FORMAT = "csv"
MANIFEST = "manifest.json"


def snapshot_knobs(case_id: str) -> dict:
    """The knobs the snapshot of ``case_id`` is generated with (see the module docstring for the order).

    Example
    -------
    >>> snapshot_knobs("transactions")
    {'n_customers': 300}
    """
    s = spec(case_id)
    if case_id in SNAPSHOT_KNOBS:
        return dict(SNAPSHOT_KNOBS[case_id])
    declared = getattr(importlib.import_module(s.build.__module__), "SNAPSHOT_KNOBS", None)
    if declared is not None:
        if not isinstance(declared, dict):
            raise TypeError(f"SNAPSHOT_KNOBS in {s.build.__module__} must be a dict of knob values")
        return dict(declared)
    return {}


def make_snapshot_world(case_id: str) -> World:
    """Generate the world of ``case_id``'s snapshot (default seed, snapshot knobs).

    Example
    -------
    >>> make_snapshot_world("transactions").knobs["n_customers"]
    300
    """
    return make(case_id, seed=DEFAULT_SEED, **snapshot_knobs(case_id))


def snapshot_dir(case_id: str, root=None) -> Path:
    """``<root>/<case_id>`` (root defaults to the checkout's ``datasets/``).

    Example
    -------
    >>> snapshot_dir("transactions", root="/tmp/x").as_posix()
    '/tmp/x/transactions'
    """
    return Path(root if root is not None else datasets_dir()) / case_id


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(world: World, paths: list[Path]) -> dict:
    tables = {t.name: {"rows": len(world.tables[t.name]),
                       "columns": [{"name": c.name, "dtype": c.dtype} for c in t.columns]}
              for t in world.spec.tables}
    truth = {k: {"rows": len(df), "columns": [str(c) for c in df.columns]} for k, df in truth_frames(world).items()}
    return {
        "case_id": world.case_id,
        "title": world.spec.title,
        "synthetic": True,
        "generator_version": world.spec.version,
        "seed": world.seed,
        "knobs": world.knobs,
        "format": FORMAT,
        "tables": tables,
        "truth_tables": truth,
        "files": {p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in paths},
        "regenerate": f"python -m crmlab.worlds.snapshot --write {world.case_id}",
    }


def _write(world: World, out: Path, overwrite: bool) -> dict:
    paths = write_world(world, out, FORMAT, include_truth=True, overwrite=overwrite)
    manifest = _manifest(world, paths)
    (out / MANIFEST).write_bytes((json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return manifest


def write_snapshot(case_id: str, root=None) -> Path:
    """(Re)write the snapshot of ``case_id`` into ``<root>/<case_id>/`` and return that folder.

    Files a previous manifest listed but the new snapshot no longer has are removed; other files in the
    folder (e.g. a hand-written README) are left alone.

    Example
    -------
    >>> import tempfile
    >>> write_snapshot("transactions", root=tempfile.mkdtemp()).name
    'transactions'
    """
    world = make_snapshot_world(case_id)
    out = snapshot_dir(case_id, root)
    old = out / MANIFEST
    if old.exists():
        for name in json.loads(old.read_text(encoding="utf-8")).get("files", {}):
            (out / name).unlink(missing_ok=True)
    _write(world, out, overwrite=True)
    return out


def verify_snapshot(case_id: str, root=None) -> list[str]:
    """Regenerate ``case_id``'s snapshot and list every way the stored one differs (empty list = in step).

    Checks: the folder and manifest exist; the manifest's seed, generator version and knobs are those the
    code would use now; every file the manifest lists exists with the recorded sha256; regenerating gives
    the same set of files with the same sha256.

    Example
    -------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> _ = write_snapshot("transactions", root=root)
    >>> verify_snapshot("transactions", root=root)
    []
    """
    folder = snapshot_dir(case_id, root)
    fix = f"run `python -m crmlab.worlds.snapshot --write {case_id}` if the change is intended"
    if not (folder / MANIFEST).is_file():
        return [f"{case_id}: no snapshot in {folder} (no {MANIFEST}); "
                f"create it with `python -m crmlab.worlds.snapshot --write {case_id}`"]
    stored = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    world = make_snapshot_world(case_id)
    problems = []
    for key, now in (("seed", world.seed), ("generator_version", world.spec.version), ("knobs", world.knobs)):
        if stored.get(key) != json.loads(json.dumps(now)):
            problems.append(f"{case_id}: manifest {key} {stored.get(key)!r} != current {now!r}; {fix}")
    for name, meta in stored.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{case_id}: {name} is listed in the manifest but missing")
        elif _sha256(path) != meta["sha256"]:
            problems.append(f"{case_id}: {name} was changed after the snapshot was written (sha256 differs "
                            f"from the manifest); {fix}")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = _write(world, Path(tmp), overwrite=False)
    old_files, new_files = stored.get("files", {}), fresh["files"]
    for name in sorted(set(old_files) | set(new_files)):
        if name not in new_files:
            problems.append(f"{case_id}: {name} is in the snapshot but the generator no longer writes it; {fix}")
        elif name not in old_files:
            problems.append(f"{case_id}: the generator now writes {name}, missing from the snapshot; {fix}")
        elif old_files[name]["sha256"] != new_files[name]["sha256"]:
            problems.append(f"{case_id}: regenerating gives a different {name} (sha256 differs): the code "
                            f"and the data have drifted apart; {fix}")
    return problems


def main(argv=None) -> int:
    """``python -m crmlab.worlds.snapshot [--check|--write] [ID...]``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m crmlab.worlds.snapshot",
                                     description="Write or verify the frozen world snapshots in datasets/.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="verify snapshots (the default)")
    mode.add_argument("--write", action="store_true", help="(re)write snapshots")
    parser.add_argument("ids", nargs="*", metavar="ID", help="world ids (default: every world)")
    parser.add_argument("--root", default=None, help="folder holding the snapshots (default: datasets/)")
    args = parser.parse_args(argv)
    ids = args.ids or available()
    unknown = [i for i in ids if i not in available()]
    if unknown:
        from ..cases import unknown_id_message

        print(unknown_id_message("world", unknown[0], available()), file=sys.stderr)
        return 2
    status = 0
    for case_id in ids:
        if args.write:
            folder = write_snapshot(case_id, args.root)
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            note = "" if size <= MAX_SNAPSHOT_BYTES else f"  (over {MAX_SNAPSHOT_BYTES:,} bytes: use smaller knobs)"
            print(f"wrote {folder} ({size:,} bytes){note}")
        else:
            problems = verify_snapshot(case_id, args.root)
            print(f"ok    {case_id}" if not problems else "\n".join(f"FAIL  {p}" for p in problems))
            status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
