"""The gradebook of a graded class: one row per student, the long form, LMS exports, a class report, and the
integrity flags that need the whole class (`crmlab grade`, after :mod:`crmlab.grade` has judged each
submission).

Files written into the grading folder:

- ``gradebook.csv``: one row per roster student, the roster's own columns (name, email, section...), a
  column of points per exercise (``<case>.<exercise>``), each case's status, the total, the maximum, the
  percentage, the integrity flags and notes. UTF-8 with a byte-order mark, so that Excel shows Chinese names;
- ``gradebook_long.csv``: one row per student × case × exercise, with the verdict and the declared mistake
  the answer equals, if any;
- ``lms/canvas.csv`` and ``lms/moodle.csv``: one column of points per case, in the layout each system imports
  (Canvas: Student, ID, SIS User ID, SIS Login ID, Section, then the assignments, with a "Points Possible" row;
  Moodle: the student's ID number and e-mail address to match on, then the grade items);
- ``report.html``: per exercise the share of the class right and the commonest declared mistakes, the
  distribution of totals, the integrity flags with their evidence, links to every student's feedback.

Integrity flags, each with its evidence: the submission changed its seed (``seed_changed``) or cells that were
not its to change (``changed_cells``); an answer cell builds a world of its own (``own_world``); an answer is
wrong for the student's own world and right for another student's (``copied``: the checks are run against
that other student's world); answer cells identical to another student's (``identical_cells``: two or more
exercises, or one long cell). A flag is evidence for the instructor to look at, never a grade by itself.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Entry", "cross_flags", "write_gradebook", "write_long", "write_lms", "write_report", "STATUS"]

#: What became of a student's submission of one case.
STATUS = ("graded", "missing", "unreadable", "failed", "interrupted")


@dataclass
class Entry:
    """One student × case: the status, the points per exercise and what grading found."""

    student_id: str
    case_id: str
    status: str
    roster: dict
    points: dict                 # exercise -> points possible
    verdicts: dict = field(default_factory=dict)   # exercise -> {"verdict", "ok", "message", "hint", "mistake"}
    answers: dict = field(default_factory=dict)    # exercise -> encoded answer
    key: dict = field(default_factory=dict)        # exercise -> encoded right answer for this student's world
    cells: dict = field(default_factory=dict)      # exercise -> the answer cell's source ("" unanswered)
    flags: list = field(default_factory=list)      # [{"flag", "evidence"}]
    error: str = ""
    feedback: str = ""           # path of the feedback page relative to the grading folder
    parameters: dict = field(default_factory=dict)
    lang: str = "en"

    def earned(self, exercise: str) -> float:
        v = self.verdicts.get(exercise)
        return self.points[exercise] if v and v.get("ok") else 0.0

    @property
    def total(self) -> float:
        return float(sum(self.earned(e) for e in self.points))


def _loose(answer, key) -> bool:
    """A cheap first filter for copy detection: could ``answer`` be right for a world whose answer is ``key``?"""
    try:
        a, k = float(answer), float(key)
        return abs(a - k) <= 0.25 * max(abs(k), 1e-9) or a == k
    except (TypeError, ValueError):
        pass
    if isinstance(answer, str) or isinstance(key, str):
        return str(answer).strip().casefold() == str(key).strip().casefold()
    try:
        a, k = set(answer), set(key)
        return bool(a) and len(a & k) >= 0.5 * max(len(a), len(k))
    except TypeError:
        return False


def cross_flags(entries: list[Entry], world_of) -> None:
    """Add the class-wide flags to ``entries`` in place: ``copied`` and ``identical_cells``.

    ``world_of(entry)`` returns the world ``entry``'s student is graded on (the caller builds and caches it).
    """
    from ._answers import decode
    from .checks import Checker

    graded = [e for e in entries if e.status == "graded"]
    by_case: dict[str, list[Entry]] = {}
    for e in graded:
        by_case.setdefault(e.case_id, []).append(e)
    checkers: dict = {}
    for case_id, group in by_case.items():
        for e in group:
            found = []
            for q, v in e.verdicts.items():
                if v["verdict"] != "wrong" or q not in e.answers:
                    continue
                answer = decode(e.answers[q])
                for other in group:
                    if other is e or q not in other.key or not _loose(answer, decode(other.key[q])):
                        continue
                    key = id(other)
                    if key not in checkers:
                        checkers[key] = Checker(case_id, world_of(other))
                    try:
                        right_there = bool(checkers[key](q, answer).ok)
                    except Exception:  # noqa: BLE001 - a check that cannot judge it there is no evidence
                        right_there = False
                    if right_there:
                        found.append((q, other.student_id, e.answers[q]))
                        break
            for q, sid, raw in found:
                e.flags.append({"flag": "copied", "evidence": f"{case_id} {q}: the answer {_short(decode(raw))} is "
                                                              f"wrong for their own world and right for {sid}'s"})
        # identical answer cells between two students
        for i, e in enumerate(group):
            for other in group[i + 1:]:
                same = [q for q in e.cells if e.cells.get(q) and e.cells.get(q) == other.cells.get(q)]
                if len(same) >= 2 or any(len(e.cells[q]) >= 120 for q in same):
                    qs = ", ".join(same)
                    e.flags.append({"flag": "identical_cells",
                                    "evidence": f"{case_id} {qs}: answer cells identical to {other.student_id}'s"})
                    other.flags.append({"flag": "identical_cells",
                                        "evidence": f"{case_id} {qs}: answer cells identical to {e.student_id}'s"})


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fmt(x: float) -> str:
    return f"{x:g}"


def _write_csv(path: Path, rows: list[list], *, bom: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8-sig" if bom else "utf-8")
    os.replace(tmp, path)
    return path


def _layout(entries: list[Entry]):
    students = list(dict.fromkeys(e.student_id for e in entries))
    cases = list(dict.fromkeys(e.case_id for e in entries))
    exercises = {c: next(e.points for e in entries if e.case_id == c) for c in cases}
    roster_cols = list(dict.fromkeys(k for e in entries for k in e.roster))
    cell = {(e.student_id, e.case_id): e for e in entries}
    return students, cases, exercises, roster_cols, cell


def student_totals(entries: list[Entry]) -> dict[str, tuple[float, float]]:
    """``{student_id: (points, points possible)}`` over every case."""
    students, cases, exercises, _, cell = _layout(entries)
    out = {}
    for s in students:
        got = sum(cell[(s, c)].total for c in cases if (s, c) in cell)
        possible = sum(sum(exercises[c].values()) for c in cases)
        out[s] = (got, possible)
    return out


def write_gradebook(out: Path, entries: list[Entry]) -> Path:
    """``gradebook.csv``: one row per student (see the module's docstring)."""
    students, cases, exercises, roster_cols, cell = _layout(entries)
    totals = student_totals(entries)
    header = ["student_id", *roster_cols]
    for c in cases:
        header += [f"{c}.{q}" for q in exercises[c]] + [f"{c}.status"]
    header += ["total", "max_points", "percentage", "flags", "notes"]
    rows = [header]
    for s in students:
        first = next(e for e in entries if e.student_id == s)
        row = [s, *(first.roster.get(k, "") for k in roster_cols)]
        flags, notes = [], []
        for c in cases:
            e = cell.get((s, c))
            row += [_fmt(e.earned(q)) if e else "0" for q in exercises[c]] + [e.status if e else "missing"]
            if e is None:
                continue
            flags += [f"{f['flag']}: {f['evidence']}" for f in e.flags]
            if e.status != "graded":
                notes.append(f"{c}: {e.status}" + (f" ({e.error})" if e.error and e.error != e.status else ""))
        got, possible = totals[s]
        row += [_fmt(got), _fmt(possible), f"{100 * got / possible:.1f}" if possible else "", " | ".join(flags),
                "; ".join(notes)]
        rows.append(row)
    return _write_csv(out / "gradebook.csv", rows, bom=True)


def write_long(out: Path, entries: list[Entry]) -> Path:
    """``gradebook_long.csv``: student, case, exercise, points, max_points, verdict, mistake, answer."""
    rows = [["student_id", "case", "exercise", "points", "max_points", "verdict", "mistake", "answer"]]
    from ._answers import decode

    for e in entries:
        for q, possible in e.points.items():
            v = e.verdicts.get(q, {})
            verdict = v.get("verdict", e.status if e.status != "graded" else "not run")
            answer = _short(decode(e.answers[q])) if q in e.answers else ""
            rows.append([e.student_id, e.case_id, q, _fmt(e.earned(q)), _fmt(possible), verdict,
                         v.get("mistake", ""), answer])
    return _write_csv(out / "gradebook_long.csv", rows, bom=True)


_LOGIN = ("sis_login_id", "login", "username", "email")
_NAME = ("name", "student_name", "full_name")


def _first(roster: dict, names) -> str:
    lower = {k.lower(): v for k, v in roster.items()}
    return next((lower[n] for n in names if lower.get(n)), "")


def write_lms(out: Path, entries: list[Entry]) -> list[Path]:
    """``lms/canvas.csv`` and ``lms/moodle.csv``: points per case for an LMS to import.

    Canvas matches a row by its ``SIS User ID`` (the roster's student_id) or ``SIS Login ID`` (the roster's
    ``sis_login_id``, ``login``, ``username`` or ``email`` column); a roster column ``canvas_id`` fills ``ID``.
    A column of a name Canvas does not know creates a new assignment, so the case columns are named
    ``crmlab <case>``. Moodle's import matches on the column you choose when importing: ``ID number`` (the
    student_id) or ``Email address``.
    """
    students, cases, exercises, _, cell = _layout(entries)
    first = {s: next(e for e in entries if e.student_id == s) for s in students}
    canvas = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *(f"crmlab {c}" for c in cases)],
              ["Points Possible", "", "", "", "", *(_fmt(sum(exercises[c].values())) for c in cases)]]
    moodle = [["ID number", "Email address", *cases, *(f"{c} feedback" for c in cases)]]
    for s in students:
        r = first[s].roster
        lower = {k.lower(): v for k, v in r.items()}
        got = [_fmt(cell[(s, c)].total) if (s, c) in cell else "0" for c in cases]
        canvas.append([_first(r, _NAME), lower.get("canvas_id", ""), s, _first(r, _LOGIN), lower.get("section", ""),
                       *got])
        feedback = []
        for c in cases:
            e = cell.get((s, c))
            feedback.append(f"{e.status}; feedback: {e.feedback}" if e and e.feedback else (e.status if e else "missing"))
        moodle.append([s, lower.get("email", ""), *got, *feedback])
    return [_write_csv(out / "lms" / "canvas.csv", canvas, bom=False),
            _write_csv(out / "lms" / "moodle.csv", moodle, bom=False)]


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
     margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin-bottom:1.5rem}
th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f6f8} .muted{color:#777;font-size:.85rem} .bar{background:#4c72b0;height:.8rem;display:inline-block}
"""


def _histogram(percentages: list[float]) -> str:
    """The distribution of the class's totals as an embedded PNG (an <img> tag)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 2.8), dpi=110)
    ax.hist(percentages, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    ax.set_xlabel("total, % of the points possible")
    ax.set_ylabel("students")
    ax.set_xlim(0, 100)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return (f'<img alt="distribution of totals" src="data:image/png;base64,'
            f'{base64.b64encode(buf.getvalue()).decode()}">')


def write_report(out: Path, entries: list[Entry], *, title: str = "crmlab grade", notes=()) -> Path:
    """``report.html``: the class at a glance (see the module's docstring)."""
    esc = html.escape
    students, cases, exercises, _, cell = _layout(entries)
    totals = student_totals(entries)
    status = Counter(e.status for e in entries)
    body = [f"<h1>{esc(title)}</h1>",
            f"<p>{len(students)} student(s), {len(cases)} case(s): "
            + ", ".join(f"{n} {s}" for s, n in status.items()) + " submission(s). Every answer was judged against "
            "the world of the student's own roster seed.</p>"]
    for note in notes:
        body.append(f'<p class="muted">{esc(note)}</p>')
    percentages = [100 * g / p for g, p in totals.values() if p]
    if percentages:
        mean = sum(percentages) / len(percentages)
        body.append(f"<h2>Totals</h2><p>mean {mean:.1f}% of the points possible; "
                    f"median {sorted(percentages)[len(percentages) // 2]:.1f}%.</p>{_histogram(percentages)}")
    for c in cases:
        group = [cell[(s, c)] for s in students if (s, c) in cell]
        graded = [e for e in group if e.status == "graded"]
        body.append(f"<h2>{esc(c)}</h2><p>{len(graded)} of {len(group)} submission(s) graded.</p>"
                    "<table><thead><tr><th>exercise</th><th>points</th><th>right</th><th>unanswered / did not run"
                    "</th><th>commonest declared mistakes</th></tr></thead><tbody>")
        for q, possible in exercises[c].items():
            verdicts = [e.verdicts.get(q, {}) for e in graded]
            right = sum(bool(v.get("ok")) for v in verdicts)
            blank = sum(v.get("verdict") in ("unanswered", "not run") for v in verdicts)
            share = right / len(graded) if graded else 0.0
            mistakes = Counter(v.get("mistake") for v in verdicts if v.get("mistake")).most_common(3)
            listed = "<br>".join(f"{esc(m)} ({n})" for m, n in mistakes) or '<span class="muted">none</span>'
            body.append(f"<tr><td>{esc(q)}</td><td>{_fmt(possible)}</td><td>{right} ({100 * share:.0f}%) "
                        f'<span class="bar" style="width:{share * 8:.2f}rem"></span></td><td>{blank}</td>'
                        f"<td>{listed}</td></tr>")
        body.append("</tbody></table>")
    flagged = [(e, f) for e in entries for f in e.flags]
    body.append("<h2>Integrity flags</h2>")
    if flagged:
        body.append("<p class=\"muted\">Evidence to look at, not verdicts: the grade is the points above.</p>"
                    "<table><thead><tr><th>student</th><th>case</th><th>flag</th><th>evidence</th></tr></thead><tbody>")
        for e, f in flagged:
            body.append(f"<tr><td>{esc(e.student_id)}</td><td>{esc(e.case_id)}</td><td>{esc(f['flag'])}</td>"
                        f"<td>{esc(f['evidence'])}</td></tr>")
        body.append("</tbody></table>")
    else:
        body.append("<p>none</p>")
    body.append("<h2>Students</h2><table><thead><tr><th>student</th><th>total</th>"
                + "".join(f"<th>{esc(c)}</th>" for c in cases) + "</tr></thead><tbody>")
    for s in students:
        got, possible = totals[s]
        row = f"<tr><td>{esc(s)}</td><td>{_fmt(got)} / {_fmt(possible)}</td>"
        for c in cases:
            e = cell.get((s, c))
            if e is None:
                row += "<td>missing</td>"
            elif e.feedback:
                row += f'<td><a href="{esc(e.feedback)}">{_fmt(e.total)} / {_fmt(sum(e.points.values()))}</a></td>'
            else:
                row += f"<td>{esc(e.status)}" + (f'<div class="muted">{esc(e.error)}</div>' if e.error else "") + "</td>"
        body.append(row + "</tr>")
    body.append("</tbody></table>")
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    target = out / "report.html"
    tmp = out / ".report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
