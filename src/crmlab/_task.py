"""One run of a batch or a grading, in a process of its own on a Dask worker (``python -m crmlab._task``).

:mod:`crmlab.cluster` submits each run to the cluster as one task; the task starts this module in a new
process (papermill changes the working directory process-wide, and a run that overruns its time is
killed with its process group, never the worker) and hands it a folder holding ``payload.json`` and the
files the run needs. The same worker functions as on one machine (:func:`crmlab.batch._work`,
:func:`crmlab.grade.grade_work`) run here on copies of the files under that folder, and the message they
send is written to ``message.json`` beside the outputs, which the task reads back and returns to the
machine that started the batch - so no file system needs to be shared.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


class _Conn:
    """Stands in for the pipe of a local worker: keeps the one message a worker function sends."""

    def __init__(self):
        self.message = None

    def send(self, message) -> None:
        self.message = message

    def close(self) -> None:
        pass


def run_folder(folder: Path) -> dict:
    """Run the task described by ``folder/payload.json``; return the worker function's message."""
    from .batch import Run, _work
    from .grade import grade_work

    p = json.loads((folder / "payload.json").read_text(encoding="utf-8"))
    out = folder / "out" / f"{p['name']}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    task = dict(p.get("task") or {})
    if p["kind"] == "grade":
        task["instructor"] = str(folder / "instructor" / p["instructor_name"])
        task["scratch"] = str(folder / "scratch")
    run = Run(p["run_id"], folder / "input" / p["notebook_name"], p["student_id"], p["seed"], p["parameters"],
              out, p["key"], {}, {}, task)
    conn = _Conn()
    (grade_work if p["kind"] == "grade" else _work)(conn, run, int(p["timeout"]))
    return conn.message or {"status": "failed", "error": "the run sent no result", "retry": False}


def main(argv=None) -> int:
    folder = Path((argv or sys.argv[1:])[0])
    try:
        message = run_folder(folder)
    except Exception as exc:  # noqa: BLE001 - reported to the machine that started the batch
        message = {"status": "failed", "error": f"task failed on the worker: {type(exc).__name__}: {exc}",
                   "retry": False}
    tmp = folder / "message.json.tmp"
    tmp.write_text(json.dumps(message, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(folder / "message.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
