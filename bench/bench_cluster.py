"""`crmlab batch` on the local pool (2 workers) against the same runs on a 2-worker Dask cluster on this machine.

A real ``dask scheduler`` and two ``dask worker`` processes (one thread each) are started on 127.0.0.1. The
notebook burns a fixed amount of CPU time per run (as in bench_batch). Figures: both wall times and the
cluster's overhead (goal: at most 10% over the local pool), and where a run's time goes - kernel start-up
and shutdown against the cells' own execution (papermill's per-cell durations), which is the floor no
back end removes.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bench_batch import _notebook  # the same CPU-burning notebook as the local batch benchmark (bench/ is on the path)
from crmlab.batch import run_batch


def _cluster(folder: Path):
    dask = str(Path(sys.executable).parent / "dask")
    file = folder / "scheduler.json"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)]
    while not file.exists():
        time.sleep(0.2)
    for i in range(2):
        procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(file), "--nthreads", "1",
                                       "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"], cwd=folder,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    from distributed import Client

    address = json.loads(file.read_text())["address"]
    with Client(address, timeout=60, set_as_default=False) as c:
        c.wait_for_workers(2, timeout=120)
    return address, procs


def _cell_seconds(ipynb: Path) -> float:
    nb = nbformat.read(str(ipynb), 4)
    return sum(float(c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells
               if c.cell_type == "code")


def run(quick: bool) -> list[dict]:
    n, work = (6, 0.3) if quick else (60, 1.0)
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-cluster-") as tmp:
        folder = Path(tmp)
        nb = _notebook(folder, work)
        roster = folder / "roster.csv"
        roster.write_text("student_id\n" + "".join(f"s{i:03d}\n" for i in range(n)), encoding="utf-8")
        t0 = time.perf_counter()
        local = run_batch([nb], folder / "local", roster=roster, workers=2)
        t_local = time.perf_counter() - t0
        address, procs = _cluster(folder)
        try:
            t0 = time.perf_counter()
            remote = run_batch([nb], folder / "remote", roster=roster, scheduler=address)
            t_remote = time.perf_counter() - t0
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if local.failed or remote.failed:
            raise RuntimeError("benchmark runs failed")
        cells = [_cell_seconds(o.run.ipynb) for o in local.outcomes]
        per_run = [o.seconds for o in local.outcomes]
    cell = sum(cells) / n
    startup = sum(per_run) / n - cell
    note = f"{n} runs, {work} CPU s of work each, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    return [
        {"name": f"cluster: {n} runs, local pool --workers 2", "value": t_local, "unit": "s", "note": note},
        {"name": f"cluster: {n} runs, Dask cluster of 2 workers", "value": t_remote, "unit": "s", "note": note},
        {"name": "cluster: overhead of the cluster path", "value": t_remote / t_local - 1, "unit": "x",
         "note": "goal <= 0.10"},
        {"name": "cluster: per run, kernel start-up and rest", "value": startup, "unit": "s",
         "note": "run time minus the cells' own execution (local pool)"},
        {"name": "cluster: per run, cell execution", "value": cell, "unit": "s", "note": "papermill cell durations"},
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['name']:<52} {row['value']:8.3f} {row['unit']:<3} {row['note']}")
