"""Batches and gradings on a real Dask cluster: a `dask scheduler` and `dask worker` processes on 127.0.0.1
(not an in-process LocalCluster), compared run for run with the local process pool, with faults injected (a
worker killed mid-batch, a run that overruns its time, a scheduler that is not there)."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from crmlab.batch import run_batch
from crmlab.cli import main
from crmlab.errors import CrmlabError

pytestmark = pytest.mark.slow

BODY = """import time
import crmlab

time.sleep(sleep)
_ = crmlab.record("seed_mod_97", seed % 97)
_ = crmlab.record("twice", 2 * seed)"""


def _notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("seed = 1  # random seed\nsleep = 0.0  # seconds to wait")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Cluster test"), params, nbformat.v4.new_code_cell(BODY)]
    path = folder / "tiny.ipynb"
    nbformat.write(nb, str(path))
    return path


class Cluster:
    """A scheduler and workers started as separate processes, each in its own process group."""

    def __init__(self, folder: Path):
        self.folder, self.procs = folder, {}
        self.file = folder / "scheduler.json"
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(self.file))
        deadline = time.time() + 60
        while not self.file.exists() and time.time() < deadline:
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]

    def _start(self, name: str, *args) -> None:
        log = (self.folder / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args], cwd=self.folder,
                                            stdout=log, stderr=log, start_new_session=True)

    def add_worker(self, name: str) -> None:
        self._start(name, "worker", "--scheduler-file", str(self.file), "--nthreads", "1", "--no-dashboard",
                    "--name", name, "--host", "127.0.0.1")

    def wait_for(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(n, timeout=90)

    def n_workers(self) -> int:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            return len(client.scheduler_info()["workers"])

    def kill(self, name: str) -> None:
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait()

    def close(self) -> None:
        for p in self.procs.values():
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        for name in ("w1", "w2"):
            c.add_worker(name)
        c.wait_for(2)
        yield c
    finally:
        c.close()


def _summary(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def _roster(folder: Path, n: int) -> Path:
    path = folder / "roster.csv"
    path.write_text("student_id\n" + "".join(f"s{i}\n" for i in range(n)), encoding="utf-8")
    return path


def test_batch_on_the_cluster_gives_the_local_results(cluster, tmp_path):
    nb, roster = _notebook(tmp_path), _roster(tmp_path, 4)
    local = run_batch([nb], tmp_path / "local", roster=roster, workers=2)
    remote = run_batch([nb], tmp_path / "remote", roster=roster, scheduler=cluster.address)
    assert [o.status for o in remote.outcomes] == ["ok"] * 4
    assert _summary(remote.summary) == _summary(local.summary)
    for o in remote.outcomes:
        assert o.run.ipynb.is_file() and o.run.html.is_file() and o.run.marker.is_file()
    again = run_batch([nb], tmp_path / "remote", roster=roster, scheduler=cluster.address)
    assert [o.status for o in again.outcomes] == ["cached"] * 4  # resumable as on one machine


def test_grading_on_the_cluster_gives_the_local_gradebook(cluster, tmp_path):
    from crmlab.assign import answer_key
    from crmlab.grade import assignment, grade_class
    from crmlab.workspace import make_workspaces

    roster = _roster(tmp_path, 2)
    subs = tmp_path / "subs"
    make_workspaces(["haidilao"], subs, roster=roster)
    a = assignment("haidilao")
    key = {c["id"]: c.source for c in answer_key(a.notebook).cells if "# BEGIN SOLUTION" in c.source}
    path = subs / "s0" / "haidilao.ipynb"
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if cell.get("id") in key:
            cell.source = key[cell["id"]]
    nbformat.write(nb, path)
    local = grade_class(subs, tmp_path / "g_local", roster=roster, workers=2)
    remote = grade_class(subs, tmp_path / "g_remote", roster=roster, scheduler=cluster.address)
    assert (tmp_path / "g_remote" / "gradebook.csv").read_bytes() == (tmp_path / "g_local" / "gradebook.csv").read_bytes()
    assert [e.total for e in remote.entries] == [e.total for e in local.entries] == [5.0, 0.0]
    assert (tmp_path / "g_remote" / "feedback" / "s0" / "haidilao.html").is_file()


def test_a_run_over_its_time_is_stopped_and_the_worker_goes_on(cluster, tmp_path):
    nb, roster = _notebook(tmp_path), _roster(tmp_path, 1)
    report = run_batch([nb], tmp_path / "slow", roster=roster, params={"sleep": 60.0}, timeout=5,
                       scheduler=cluster.address)
    (o,) = report.outcomes
    assert o.status == "failed" and ("time" in o.error.lower())
    assert cluster.n_workers() == 2
    ok = run_batch([nb], tmp_path / "fast", roster=roster, scheduler=cluster.address)
    assert [x.status for x in ok.outcomes] == ["ok"]


def test_a_worker_killed_mid_batch_loses_no_run(cluster, tmp_path):
    """A third worker is killed (process group, SIGKILL) while it runs a task: Dask reschedules it elsewhere."""
    cluster.add_worker("victim")
    cluster.wait_for(3)
    nb, roster = _notebook(tmp_path), _roster(tmp_path, 6)
    timer = threading.Timer(6.0, cluster.kill, args=("victim",))
    timer.start()
    try:
        report = run_batch([nb], tmp_path / "kill", roster=roster, params={"sleep": 5.0}, scheduler=cluster.address)
    finally:
        timer.join()
    assert [o.status for o in report.outcomes] == ["ok"] * 6, [o.error for o in report.outcomes]
    assert len(_summary(report.summary)) == 6


def test_an_unreachable_scheduler_is_one_line_before_anything_runs(tmp_path, capsys):
    nb, roster = _notebook(tmp_path), _roster(tmp_path, 1)
    with pytest.raises(CrmlabError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_batch([nb], tmp_path / "none", roster=roster, scheduler="tcp://127.0.0.1:9")
    assert not list((tmp_path / "none").glob("*/*.ipynb"))
    assert main(["batch", str(nb), "--roster", str(roster), "--out", str(tmp_path / "none2"),
                 "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the Dask scheduler" in err


def test_analyze_summarises_on_the_cluster_with_the_local_result(cluster, tmp_path, capsys):
    """The transaction summary computed by the Dask workers gives the same customer table as pandas here."""
    import crmlab

    log = crmlab.worlds.make("transactions", seed=6, n_customers=600).tables["transactions"]
    src = tmp_path / "export.csv"
    log.to_csv(src, index=False)
    base = ["analyze", str(src), "--customer", "customer_id", "--date", "date", "--amount", "amount"]
    assert main([*base, "--out", str(tmp_path / "here")]) == 0
    assert main([*base, "--out", str(tmp_path / "there"), "--scheduler", cluster.address]) == 0
    capsys.readouterr()
    assert (tmp_path / "there" / "customers.csv").read_bytes() == (tmp_path / "here" / "customers.csv").read_bytes()


def test_rfm_summary_of_a_dask_frame_runs_on_the_cluster(cluster):
    """A log partitioned across the workers: the cluster's summary equals pandas' (one definition, two engines)."""
    import dask
    import dask.dataframe as dd
    import numpy as np
    from distributed import Client

    import crmlab
    from crmlab.rfm import rfm_summary

    w = crmlab.worlds.make("transactions", seed=8, n_customers=1500)
    log, end = w.tables["transactions"], w.truth["observation_end"]
    want = rfm_summary(log, observation_end=end)
    with Client(cluster.address, set_as_default=False) as client, dask.config.set(scheduler=client):
        got = rfm_summary(client.persist(dd.from_pandas(log, npartitions=6)), observation_end=end)
    assert list(got.index) == list(want.index)
    np.testing.assert_array_equal(got[["frequency", "recency", "T"]].to_numpy(), want[["frequency", "recency", "T"]].to_numpy())
    np.testing.assert_allclose(got["monetary_value"], want["monetary_value"], rtol=1e-12)


def test_ctrl_c_stops_submitting_and_a_rerun_resumes(cluster, tmp_path):
    """A real SIGINT to `crmlab batch --scheduler` once a run has finished: exit 130, nothing half-written;
    the same command again reuses the finished runs and completes the rest."""
    nb, roster = _notebook(tmp_path), _roster(tmp_path, 6)
    out = tmp_path / "ctrlc"
    cmd = [str(Path(sys.executable).parent / "crmlab"), "batch", str(nb), "--roster", str(roster), "--out", str(out),
           "--scheduler", cluster.address, "-p", "sleep", "3.0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # see test_batch_faults
    deadline = time.time() + 240
    while not list(out.glob("*/.tiny.done.json")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    finished = {p.parent.name for p in out.glob("*/.tiny.done.json")}
    assert 1 <= len(finished) < 6
    assert not [p for p in out.rglob("*") if p.name.endswith((".part", ".tmp")) or ".new." in p.name]
    rows = {r["student_id"]: r["status"] for r in _summary(out / "summary.csv")}
    assert {s for s, st in rows.items() if st == "cached"} | {s for s, st in rows.items() if st == "ok"} >= finished
    again = run_batch([nb], out, roster=roster, params={"sleep": 3.0}, scheduler=cluster.address)
    statuses = {o.run.student_id: o.status for o in again.outcomes}
    assert {s for s, st in statuses.items() if st == "cached"} == finished
    assert set(statuses.values()) <= {"cached", "ok"}
