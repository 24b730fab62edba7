"""`crmlab batch` under faults an instructor meets: Ctrl-C in the middle of a re-run, two batches into one
folder, a lock left by a batch that was killed, and a working directory holding ``random.py`` or
``concurrent/``. Each test drives the installed ``crmlab`` command in a subprocess, as a user would.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from crmlab.batch import LOCK_NAME

CRMLAB = str(Path(sys.executable).parent / "crmlab")

# The notebook records its answer and, while a file `slow` lies beside it, announces that it started and waits.
PARAMS = "seed = 1"
BODY = ("import pathlib, time\nimport crmlab\n_ = crmlab.record('answer', 2 * seed)\n"
        "if pathlib.Path('slow').exists():\n    pathlib.Path(f'started-{seed}').touch()\n    time.sleep(60)")


def write_nb(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Faults"),
                nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRMLAB_HOME", "PYTHONSAFEPATH")}


def crmlab(*argv, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([CRMLAB, *map(str, argv)], cwd=cwd, env=env(), capture_output=True, text=True,
                          timeout=timeout)


def start(*argv, cwd: Path) -> subprocess.Popen:
    """A batch in its own session, so that a signal can reach its whole process group as Ctrl-C does."""
    return subprocess.Popen([CRMLAB, *map(str, argv)], cwd=cwd, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=default_sigint)


def default_sigint() -> None:
    """SIGINT as a terminal gives it. A process started in the background by a non-interactive shell (`cmd &`,
    as a CI script may run the tests) inherits SIGINT ignored, and Python then installs no KeyboardInterrupt
    handler in the children: the signal would be lost and the test would measure the launcher, not crmlab."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


def rows(out: Path) -> list[dict]:
    with open(out / "summary.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def outputs(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("tiny.*"))}


@pytest.fixture
def finished(tmp_path):
    """Three students' runs, finished: the batch folder an instructor has before re-running it."""
    nb = write_nb(tmp_path / "nb" / "tiny.ipynb", BODY)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\ns1\ns2\ns3\n", encoding="utf-8")
    proc = crmlab("batch", nb, "--roster", roster, "--out", "out", "--workers", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tmp_path, nb, roster, tmp_path / "out"


def test_ctrl_c_during_a_rerun_loses_no_finished_result(finished):
    """The notebook was edited (so every cached run is invalid) and the batch re-run; Ctrl-C two seconds
    in used to leave zero notebooks while summary.csv and index.html still listed three finished runs."""
    folder, nb, roster, out = finished
    before = outputs(out)
    assert len(before) == 6
    write_nb(nb, BODY, "_ = crmlab.record('edited', True)")
    (nb.parent / "slow").touch()
    batch = start("batch", nb, "--roster", roster, "--out", "out", "--workers", "2", cwd=folder)
    try:
        wait_for(lambda: list(nb.parent.glob("started-*")))  # a kernel is inside the new run
        time.sleep(1)
        os.killpg(batch.pid, signal.SIGINT)
        _, err = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
    assert outputs(out) == before  # every earlier notebook and page, untouched
    assert batch.returncode == 130, err
    assert "no earlier result was deleted" in err, err
    summary = rows(out)
    assert [r["student_id"] for r in summary] == ["s1", "s2", "s3"]
    for r in summary:  # the summary describes what is on disk: none of these runs is the new version's
        assert r["status"] in ("interrupted", "failed"), r
        assert "(the earlier result is kept: tiny.html)" in r["error"], r
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{sid}/tiny.html"' in index for sid in ("s1", "s2", "s3"))
    leftovers = [p.name for p in out.rglob(".*") if not p.name.endswith(".done.json")]
    assert leftovers == [], leftovers  # no staging file, no lock
    (nb.parent / "slow").unlink()
    proc = crmlab("batch", nb, "--roster", roster, "--out", "out", cwd=folder)  # finishing the job
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(r["status"], r["edited"]) for r in rows(out)] == [("ok", "true")] * 3


def test_ctrl_c_during_a_forced_rerun_keeps_valid_results_cached(finished):
    folder, nb, roster, out = finished
    before = outputs(out)
    (nb.parent / "slow").touch()
    batch = start("batch", nb, "--roster", roster, "--out", "out", "--workers", "1", "--force", cwd=folder)
    try:
        wait_for(lambda: list(nb.parent.glob("started-*")))
        os.killpg(batch.pid, signal.SIGINT)
        batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
    assert outputs(out) == before
    assert batch.returncode == 130
    # the earlier results are still those of this very notebook and these parameters: reused, said as such
    assert {r["status"] for r in rows(out)} <= {"cached", "failed"}
    assert sum(r["status"] == "cached" for r in rows(out)) >= 2


def test_a_second_batch_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    nb = write_nb(tmp_path / "nb" / "tiny.ipynb", BODY)
    (nb.parent / "slow").touch()
    first = start("batch", nb, "--out", "out", "--workers", "1", cwd=tmp_path)
    try:
        wait_for(lambda: list(nb.parent.glob("started-*")))
        second = crmlab("batch", nb, "--out", "out", "-p", "seed", "2", cwd=tmp_path)
        assert second.returncode == 2
        assert second.stderr.count("\n") == 1, second.stderr
        assert second.stderr.startswith(f"crmlab: error: output folder {tmp_path / 'out'} is in use by another "
                                        f"batch: pid {first.pid} on {socket.gethostname()}, started ")
        lock = json.loads((tmp_path / "out" / LOCK_NAME).read_text(encoding="utf-8"))
        assert lock["pid"] == first.pid and lock["host"] == socket.gethostname() and lock["started"]
        (nb.parent / "slow").unlink()
        os.killpg(first.pid, signal.SIGINT)
        first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert not (tmp_path / "out" / LOCK_NAME).exists()  # released when the first batch ended
    proc = crmlab("batch", nb, "--out", "out", "-p", "seed", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [(r["seed"], r["answer"]) for r in rows(tmp_path / "out")] == [("2", "4")]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_stale_lock_of_this_host_is_taken_over_and_said_so(tmp_path):
    nb = write_nb(tmp_path / "nb" / "tiny.ipynb", BODY)
    (tmp_path / "out").mkdir()
    pid = _dead_pid()
    (tmp_path / "out" / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": socket.gethostname(),
                                                          "started": "2025-01-01 09:00:00 +0000"}))
    proc = crmlab("batch", nb, "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (f"crmlab: took over the lock of an earlier batch in {tmp_path / 'out'} that no longer runs "
            f"(pid {pid}, started 2025-01-01 09:00:00 +0000)") in proc.stderr
    assert not (tmp_path / "out" / LOCK_NAME).exists()


def test_a_lock_of_another_host_is_not_taken_over(tmp_path):
    nb = write_nb(tmp_path / "nb" / "tiny.ipynb", BODY)
    (tmp_path / "out").mkdir()
    lock = tmp_path / "out" / LOCK_NAME
    lock.write_text(json.dumps({"pid": 1, "host": "elsewhere", "started": "2025-01-01 09:00:00 +0000",
                                "command": "crmlab batch x.ipynb --out out"}))
    proc = crmlab("batch", nb, "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "in use by another batch: pid 1 on elsewhere, started 2025-01-01 09:00:00 +0000, crmlab batch" in proc.stderr
    assert f"if it no longer runs, delete {lock}" in proc.stderr
    assert not (tmp_path / "out" / "summary.csv").exists()


def test_workers_never_import_from_the_callers_working_directory(tmp_path):
    """A random.py (imported by multiprocessing itself) or a concurrent/ package (imported by asyncio) in the
    folder the command is started from replaced the standard library's in every worker: "internal error:
    EOFError", and whatever such a file did ran in each worker and in the fork server."""
    cwd = tmp_path / "work"
    (cwd / "concurrent").mkdir(parents=True)
    trap = ("import os, pathlib\npathlib.Path({!r}).open('a').write(f'{{__name__}} {{os.getpid()}}\\n')\n"
            "raise RuntimeError('imported from the working directory')\n")
    imported = tmp_path / "imported.txt"
    (cwd / "random.py").write_text(trap.format(str(imported)), encoding="utf-8")
    (cwd / "concurrent" / "__init__.py").write_text(trap.format(str(imported)), encoding="utf-8")
    # the notebook (and so its kernel, which runs in the notebook's folder) lives elsewhere, beside a module
    # of its own that it imports, as notebooks do
    nb = write_nb(tmp_path / "nb" / "tiny.ipynb", BODY, "import helper\n_ = crmlab.record('helper', helper.VALUE)")
    (nb.parent / "helper.py").write_text("VALUE = 7\n", encoding="utf-8")
    proc = crmlab("batch", nb, "--out", "out", "--workers", "1", cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(r["status"], r["answer"], r["helper"]) for r in rows(cwd / "out")] == [("ok", "2", "7")]
    assert not imported.exists(), imported.read_text()
    proc = crmlab("run", nb, "--out", "r", cwd=cwd)  # `run` executes in the command's own process
    assert proc.returncode == 0, proc.stderr
    assert not imported.exists(), imported.read_text()
