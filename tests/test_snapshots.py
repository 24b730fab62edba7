"""The frozen snapshots in datasets/ agree with the code that generates them.

Every registered world must have a small snapshot with a manifest (a world added without one fails here, on
purpose); that regenerating it gives the files its manifest records is part of the case contract
(tests/test_case_contract.py). Here: the machinery — tampering detected, the command's exit status.
"""
import json

import pandas as pd
import pytest

from crmlab.paths import datasets_dir
from crmlab.worlds import available
from crmlab.worlds.snapshot import MAX_SNAPSHOT_BYTES, main, snapshot_dir, verify_snapshot, write_snapshot


@pytest.mark.parametrize("case_id", available())
def test_snapshot_is_small_and_its_manifest_describes_it(case_id):
    folder = snapshot_dir(case_id)
    assert (folder / "manifest.json").is_file(), f"no snapshot for {case_id}: python -m crmlab.worlds.snapshot --write {case_id}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    size = sum((folder / name).stat().st_size for name in manifest["files"])
    assert size <= MAX_SNAPSHOT_BYTES, f"{case_id} snapshot is {size:,} bytes: declare smaller SNAPSHOT_KNOBS"
    assert manifest["case_id"] == case_id and manifest["synthetic"] is True
    for table, meta in manifest["tables"].items():
        # Row counts in the manifest agree with the CSV files as read back.
        assert len(pd.read_csv(folder / f"{table}.csv")) == meta["rows"]


def test_tampered_snapshot_is_detected(tmp_path):
    """Editing one stored byte, or deleting a file, is reported with the file name."""
    folder = write_snapshot("transactions", root=tmp_path)
    assert verify_snapshot("transactions", root=tmp_path) == []
    path = folder / "transactions.csv"
    data = bytearray(path.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    problems = verify_snapshot("transactions", root=tmp_path)
    assert any("transactions.csv" in p and "changed" in p for p in problems)
    (folder / "truth.json").unlink()
    assert any("truth.json" in p and "missing" in p for p in verify_snapshot("transactions", root=tmp_path))


def test_missing_snapshot_says_how_to_create_it(tmp_path):
    problems = verify_snapshot("transactions", root=tmp_path)
    assert len(problems) == 1 and "--write transactions" in problems[0]


def test_snapshot_script_exit_status(tmp_path, capsys):
    assert main(["--check", "--root", str(tmp_path), "transactions"]) == 1
    assert main(["--write", "--root", str(tmp_path), "transactions"]) == 0
    assert main(["--check", "--root", str(tmp_path), "transactions"]) == 0
    assert main(["--check", "nonexistent_world"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unknown world 'nonexistent_world' (valid: ")
    assert "transactions" in err.split("(valid: ")[1].rstrip().rstrip(")").split(", ")  # listed, wherever it sorts


def test_snapshots_live_in_datasets():
    assert snapshot_dir("transactions") == datasets_dir() / "transactions"
