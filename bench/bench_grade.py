"""`crmlab grade` on a class of 30 submissions (4 with --quick) of the haidilao case, 2 workers.

The class is made the way a course makes it: `crmlab start` for a roster, then each notebook answered - a
third with the answer key's code, a third with declared wrong values (so the copy detection has work to
do: several also copy another student's values), a third left unanswered. Figures: the whole grading
(plan, 2 workers, gradebook and class-wide flags), seconds per submission, and a second grading of the
same class (every submission reused from the first: what is left is planning, the class-wide flags and
the files).
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat

from crmlab.assign import answer_key
from crmlab.batch import student_seed
from crmlab.checks import mistaken, solve
from crmlab.grade import assignment, grade_class, grading_parameters, grading_world
from crmlab.workspace import make_workspaces

CASE = "haidilao"


def _class(folder: Path, n: int) -> tuple[Path, Path]:
    ids = [f"s{i:03d}" for i in range(n)]
    roster = folder / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"{s},Student {s}\n" for s in ids), encoding="utf-8")
    subs = folder / "submissions"
    make_workspaces([CASE], subs, roster=roster)
    a = assignment(CASE)
    key = {c["id"]: c.source for c in answer_key(a.notebook).cells if "# BEGIN SOLUTION" in c.source}
    names = {e: (cid, expr) for cid, calls in a.checks.items() for e, expr in calls}
    first_right = solve(CASE, grading_world(a, grading_parameters(a, {"seed": student_seed(ids[0])})))
    for i, sid in enumerate(ids):
        path = subs / sid / f"{CASE}.ipynb"
        nb = nbformat.read(path, 4)
        kind = i % 3
        if kind == 1:
            world = grading_world(a, grading_parameters(a, {"seed": student_seed(sid)}))
            wrong = mistaken(CASE, world)
        for cell in nb.cells:
            for e, (cid, expr) in names.items():
                if cell.get("id") != cid:
                    continue
                if kind == 0:
                    cell.source = key[cid]
                elif kind == 1:
                    value = first_right[e] if i % 6 == 1 else next(iter(wrong[e].values()))
                    cell.source = f"{expr} = {float(value)!r}\ncheck({e!r}, {expr})"
        nbformat.write(nb, path)
    return subs, roster


def run(quick: bool) -> list[dict]:
    n = 4 if quick else 30
    with tempfile.TemporaryDirectory(prefix="crmlab-bench-grade-") as tmp:
        folder = Path(tmp)
        subs, roster = _class(folder, n)
        t0 = time.perf_counter()
        report = grade_class(subs, folder / "grades", roster=roster, workers=2, timeout=600)
        first = time.perf_counter() - t0
        if report.failed or any(e.status != "graded" for e in report.entries):
            raise RuntimeError(f"benchmark grading left submissions ungraded: {[e.error for e in report.entries]}")
        t0 = time.perf_counter()
        grade_class(subs, folder / "grades", roster=roster, workers=2, timeout=600)
        again = time.perf_counter() - t0
        flagged = sum(bool(e.flags) for e in report.entries)
    note = f"{n} submissions of {CASE}, 2 workers, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    return [
        {"name": f"grade: {n} submissions, crmlab grade --workers 2", "value": first, "unit": "s", "note": note},
        {"name": "grade: seconds per submission (wall / submissions)", "value": first / n, "unit": "s",
         "note": f"{flagged} student(s) flagged"},
        {"name": f"grade: the same {n} again (all reused)", "value": again, "unit": "s",
         "note": "planning, class-wide flags and files only"},
    ]


if __name__ == "__main__":
    for row in run(quick=False):
        print(f"{row['name']:<52} {row['value']:8.2f} {row['unit']:<3} {row['note']}")
