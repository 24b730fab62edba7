"""`crmlab batch` with 2 worker processes against the same runs one after another.

A tiny notebook burns a fixed amount of CPU time (``work`` seconds of process time, so a busy machine
stretches it the way it would stretch a real notebook) and records one result. The baseline runs each
notebook in turn with :func:`crmlab.runner.run_notebook` + :func:`crmlab.runner.to_html` in this process;
the batch runs the same notebooks (one roster row each) with ``workers=2``. Goal: on 2 cores
the batch takes at most 0.6x the sequential time.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat

from crmlab.batch import run_batch, student_seed
from crmlab.runner import run_notebook, to_html

BODY = """import time
import crmlab

t0 = time.process_time()
total = 0
while time.process_time() - t0 < work:
    total += sum(range(10_000))
_ = crmlab.record("seed_mod_7", seed % 7)"""


def _notebook(folder: Path, work: float) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(f"seed = 1  # random seed\nwork = {work}  # CPU seconds to burn")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Batch benchmark"), params, nbformat.v4.new_code_cell(BODY)]
    path = folder / "busy.ipynb"
    nbformat.write(nb, str(path))
    return path


def run(quick: bool) -> list[dict]:
    n, work = (4, 0.3) if quick else (12, 1.5)
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-batch-") as tmp:
        folder = Path(tmp)
        nb = _notebook(folder, work)
        ids = [f"s{i:03d}" for i in range(n)]
        t0 = time.perf_counter()
        for sid in ids:
            out = run_notebook(nb, folder / "seq" / sid / "busy.ipynb", {"seed": student_seed(sid)})
            to_html(out)
        sequential = time.perf_counter() - t0
        roster = folder / "roster.csv"
        roster.write_text("student_id\n" + "\n".join(ids) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        report = run_batch([nb], folder / "batch", roster=roster, workers=2, progress=None)
        batch = time.perf_counter() - t0
        if report.failed:
            raise RuntimeError(f"{report.failed} benchmark run(s) failed: {report.outcomes[0].error}")
        per_run = sum(o.seconds for o in report.outcomes) / n
    note = f"{n} runs, {work} CPU s of work each, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    return [
        {"name": f"batch: {n} runs one after another", "value": sequential, "unit": "s", "note": note},
        {"name": f"batch: {n} runs, crmlab batch --workers 2", "value": batch, "unit": "s", "note": note},
        {"name": "batch: time ratio, 2 workers / sequential", "value": batch / sequential, "unit": "x",
         "note": "goal <= 0.6 on 2 cores"},
        {"name": "batch: seconds per run inside the batch / sequential", "value": per_run / (sequential / n),
         "unit": "x", "note": "about 1 on 2 idle cores; above 1 when other processes share the CPUs"},
    ]


if __name__ == "__main__":
    for row in run(quick=False):
        print(f"{row['name']:<48} {row['value']:8.2f} {row['unit']:<3} {row['note']}")
