"""`crmlab start` and `crmlab grade`: workspaces, composing a submission, judging outside the student's code,
and a whole class graded end to end against each student's own world.

The class test's expected gradebook is planted: every student's answers are written by the test from that
student's world (the answer key's code, the declared right or wrong values, another student's values), so
the right totals are known before anything is graded.
"""
from __future__ import annotations

import csv
import json
import math
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest

from crmlab import worlds
from crmlab._answers import Opaque, decode, encode
from crmlab.assign import answer_key
from crmlab.batch import Student, student_seed
from crmlab.checks import Checker, mistaken, solve
from crmlab.cli import main
from crmlab.grade import (assignment, check_calls, compose, grade_class, grading_parameters, grading_world,
                          judge)
from crmlab.paths import project_root
from crmlab.workspace import SEED_COMMENT, handed_out, make_workspace, make_workspaces

CASE = "haidilao"


# --------------------------------------------------------------------------------------- answers
@pytest.mark.parametrize("value", [3, -2.5, 0.1 + 0.2, True, False, None, "middle_high", "中文",
                                   [1, 2.5, "a"], (1, "b"), {1, 2}, {"a": [1, 2]}, float("inf")])
def test_answers_round_trip_exactly(value):
    """Plain values come back equal and of the same type (the check sees what the student gave)."""
    back = decode(json.loads(json.dumps(encode(value))))
    assert back == value and type(back) is type(value)


def test_answers_numpy_and_pandas_become_plain_values():
    back = decode(encode([np.int64(7), np.float32(0.5), np.bool_(True), np.array([1, 2]),
                          pd.Series([0.25, 0.75], index=["x", "y"]), pd.Index(["a", "b"])]))
    assert back == [7, 0.5, True, [1, 2], [0.25, 0.75], ["a", "b"]]
    assert [type(v) for v in back[:3]] == [int, float, bool]
    assert math.isnan(decode(encode(float("nan"))))


def test_answers_of_other_kinds_arrive_opaque_and_no_check_accepts_them():
    """A DataFrame (or a model) cannot be an answer to a number: it arrives as Opaque, judged wrong."""
    back = decode(encode(pd.DataFrame({"a": [1]})))
    assert isinstance(back, Opaque) and back.kind == "DataFrame"
    world = worlds.make(CASE, seed=3, n_customers=2000)
    assert not Checker(CASE, world)("q1", back).ok
    assert isinstance(decode(["zz", 1]), Opaque)  # malformed payload: opaque, not an exception


def test_check_calls_finds_each_exercise_and_its_expression_in_order():
    src = "%matplotlib inline\nx = 1\ncheck('q2', x / 2)\ncheck(\"q1\", [a,  b])\nother('q9', 1)"
    assert check_calls(src) == [("q2", "x / 2"), ("q1", "[a,  b]")]
    assert check_calls("def f(:\n") == []


# ------------------------------------------------------------------------------------- workspace
def test_handed_out_notebook_has_the_students_seed_and_no_solution():
    key = project_root() / "notebooks" / f"{CASE}.ipynb"
    nb = handed_out(key, 12345)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert params.source.splitlines()[0] == f"seed = 12345  # {SEED_COMMENT['en']}"
    text = json.dumps(nb)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    solutions = [c.source for c in answer_key(key).cells if "# BEGIN SOLUTION" in c.source]
    assert solutions and all(s.splitlines()[1] not in text for s in solutions)


def test_workspace_for_one_student_and_for_a_roster(tmp_path):
    w = make_workspace([CASE], tmp_path / "me", student_id="s001", lang="zh")
    assert w.seed == student_seed("s001")
    readme = w.readme.read_text(encoding="utf-8")
    assert str(w.seed) in readme and "notebooks/" in readme and "BEGIN" not in readme and "学号" in readme
    nb = nbformat.read(w.notebooks[0], 4)
    assert 'lang = "zh"' in next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    with pytest.raises(Exception, match="exists"):  # a student's work is never overwritten silently
        make_workspace([CASE], tmp_path / "me", student_id="s001")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id;name;lang\ns1;Ann;en\ns2;Bo;zh\n", encoding="utf-8")
    spaces = make_workspaces([CASE], tmp_path / "class", roster=roster)
    assert [s.folder.name for s in spaces] == ["s1", "s2"]
    assert "Start here" in spaces[0].readme.read_text() and "从这里开始" in spaces[1].readme.read_text()


def test_start_command_refuses_cases_without_exercises_and_suggests_ids(tmp_path, capsys):
    assert main(["start", "customer_value", "--student-id", "x", "--out", str(tmp_path / "a")]) == 2
    assert "no exercises" in capsys.readouterr().err
    assert main(["start", "haidilaw", "--student-id", "x", "--out", str(tmp_path / "a")]) == 2
    assert "did you mean 'haidilao'" in capsys.readouterr().err
    assert main(["start", CASE, "--out", str(tmp_path / "a")]) == 2
    assert "--student-id" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------- compose
def _answered(nb, answers: dict):
    """``nb`` with the answer cell of each exercise replaced by ``answers[exercise]`` (source text)."""
    a = assignment(CASE)
    by_exercise = {e: cid for cid, calls in a.checks.items() for e, _ in calls}
    for cell in nb.cells:
        for e, cid in by_exercise.items():
            if cell.get("id") == cid and e in answers:
                cell.source = answers[e]
    return nb


def test_compose_keeps_answers_and_added_cells_and_restores_everything_else():
    a = assignment(CASE)
    handed = handed_out(a.notebook, 99)
    sub = _answered(handed_out(a.notebook, 99), {"q1": "core_share = 0.5\ncheck('q1', core_share)"})
    setup = next(i for i, c in enumerate(sub.cells) if c.cell_type == "code" and "worlds.make(" in c.source)
    sub.cells[setup].source += "\nprint('my edit')"          # an edit outside the answer cells
    sub.cells.insert(setup + 1, nbformat.v4.new_code_cell("helper = 41 + 1"))  # a cell of the student's
    params = next(c for c in sub.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace("seed = 99", "seed = 7")
    c = compose(a, handed, sub)
    sources = [x.source for x in c.notebook.cells]
    assert "helper = 41 + 1" in sources
    assert not any("my edit" in s for s in sources) and not any("seed = 7" in s for s in sources)
    captures = [s for s in sources if "capture(" in s]
    assert len(captures) == len(a.exercises) and "capture('q1', lambda: (core_share))" in captures[0]
    kinds = [f["flag"] for f in c.flags]
    assert kinds.count("seed_changed") == 1 and kinds.count("changed_cells") == 1
    assert "seed = 7" in next(f["evidence"] for f in c.flags if f["flag"] == "seed_changed")
    assert c.answers["q1"].startswith("core_share = 0.5") and c.answers["q2"] == ""


def test_compose_without_cell_ids_aligns_by_content():
    """A submission whose tool dropped the cell ids is aligned by content, to the same result."""
    a = assignment(CASE)
    handed = handed_out(a.notebook, 5)
    sub = _answered(handed_out(a.notebook, 5), {"q3": "reliability_customer = 0.9\ncheck('q3', reliability_customer)"})
    for cell in sub.cells:
        cell.pop("id", None)
    c = compose(a, handed, sub)
    assert c.flags == [] and c.answers["q3"].startswith("reliability_customer = 0.9")
    assert sum("capture(" in x.source for x in c.notebook.cells) == len(a.exercises)


def test_judge_uses_the_world_it_is_given_and_names_declared_mistakes():
    """Right answers from the case's own solutions are right, declared mistakes are wrong and named."""
    a = assignment(CASE)
    params = grading_parameters(a, {"seed": 11})
    world = grading_world(a, params)
    assert world.seed == 11
    right, wrong = solve(CASE, world), mistaken(CASE, world)
    got = judge(CASE, world, {q: {"status": "answered", "value": v} for q, v in right.items()})
    assert all(v["verdict"] == "right" for v in got.values())
    label, value = next(iter(wrong["q1"].items()))
    v = judge(CASE, world, {"q1": {"status": "answered", "value": value}})["q1"]
    assert v["verdict"] == "wrong" and v["mistake"] == label
    v = judge(CASE, world, {"q2": {"status": "unanswered"}, "q3": {"status": "not run"}})
    assert (v["q2"]["verdict"], v["q3"]["verdict"]) == ("unanswered", "not run")


# ------------------------------------------------------------------------------------ a whole class
def _literal(value) -> str:
    return repr(float(value)) if isinstance(value, (float, np.floating)) else repr(value)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Eight roster students, seven submissions: all right; half wrong (with a forged record and a rebound
    check); unanswered; values copied from another's world; seed changed plus a world of their own; a
    corrupt file; answer cells copied verbatim. The eighth handed nothing in."""
    root = tmp_path_factory.mktemp("class")
    ids = [f"s0{i}" for i in range(1, 9)]
    roster = root / "roster.csv"
    roster.write_text("student_id,name,email,section\n" + "".join(f"{s},Student {s},{s}@uni.edu,A\n" for s in ids),
                      encoding="utf-8")
    subs = root / "submissions"
    make_workspaces([CASE], subs, roster=[i for i in ids[:7] if i != "s03"])
    make_workspace([CASE], subs / "s03", student_id="s03", lang="zh")  # graded in the edition it was made from
    a = assignment(CASE)
    key = {c["id"]: c.source for c in answer_key(a.notebook).cells if "# BEGIN SOLUTION" in c.source}
    names = {e: (cid, expr) for cid, calls in a.checks.items() for e, expr in calls}
    world_of = {s: grading_world(a, grading_parameters(a, {"seed": student_seed(s)})) for s in ids[:5]}

    def edit(student, answers=None, params_from=None, extra=None):
        path = subs / student / f"{CASE}.ipynb"
        nb = nbformat.read(path, 4)
        for cell in nb.cells:
            for e, (cid, expr) in names.items():
                if cell.get("id") == cid and answers and e in answers:
                    cell.source = answers[e]
            if params_from and "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace(f"seed = {student_seed(student)}", f"seed = {student_seed(params_from)}")
        nbformat.write(nb, path)

    key_code = {e: key[cid] for e, (cid, _) in names.items()}
    edit("s01", key_code)
    right2, wrong2 = solve(CASE, world_of["s02"]), mistaken(CASE, world_of["s02"])
    half = {}
    for e, (cid, expr) in names.items():
        value = right2[e] if e in ("q1", "q3", "q5") else next(iter(wrong2[e].values()))
        half[e] = f"{expr} = {_literal(value)}\ncheck({e!r}, {expr})"
    half["q2"] = (f"import crmlab\n{names['q2'][1]} = {_literal(next(iter(wrong2['q2'].values())))}\n"
                  "check = lambda *a: True\ncrmlab.record('check_q2', True)\nworld = None\n"
                  f"check('q2', {names['q2'][1]})")
    edit("s02", half)
    right1 = solve(CASE, world_of["s01"])
    edit("s04", {e: f"{expr} = {_literal(right1[e])}\ncheck({e!r}, {expr})" for e, (cid, expr) in names.items()})
    own = {e: "# my own way\n" + code for e, code in key_code.items()}
    own["q1"] = (f"w = crmlab.worlds.make('{CASE}', seed=1, n_customers=n_customers)\n"
                 "core_share = float((w.tables['diners']['income_tier'] == 'middle_high').mean())\n"
                 "check('q1', core_share)")
    edit("s05", own, params_from="s01")
    (subs / "s06" / f"{CASE}.ipynb").write_text("{ this is not a notebook", encoding="utf-8")
    edit("s07", key_code)
    out = root / "grades"
    report = grade_class(subs, out, roster=roster, workers=2, timeout=300, progress=sys.stderr)
    return report, out, roster, subs


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_class_gradebook_is_exactly_the_planted_one(graded_class):
    report, out, _, _ = graded_class
    rows = {r["student_id"]: r for r in _rows(out / "gradebook.csv")}
    expected = {"s01": ([1, 1, 1, 1, 1], "graded"), "s02": ([1, 0, 1, 0, 1], "graded"),
                "s03": ([0, 0, 0, 0, 0], "graded"), "s04": ([0, 0, 0, 0, 0], "graded"),
                "s05": ([0, 1, 1, 1, 1], "graded"), "s06": ([0, 0, 0, 0, 0], "unreadable"),
                "s07": ([1, 1, 1, 1, 1], "graded"), "s08": ([0, 0, 0, 0, 0], "missing")}
    assert list(rows) == list(expected)
    for s, (points, status) in expected.items():
        r = rows[s]
        assert [int(float(r[f"{CASE}.q{i}"])) for i in range(1, 6)] == points, s
        assert r[f"{CASE}.status"] == status and float(r["total"]) == sum(points) and r["max_points"] == "5"
        assert float(r["percentage"]) == pytest.approx(20.0 * sum(points), abs=0.05)
        assert r["name"] == f"Student {s}" and r["email"] == f"{s}@uni.edu"
    flags = {s: sorted({f.split(":")[0] for f in r["flags"].split(" | ") if f}) for s, r in rows.items()}
    assert flags == {"s01": ["identical_cells"], "s02": [], "s03": [], "s04": ["copied"],
                     "s05": ["own_world", "seed_changed"], "s06": [], "s07": ["identical_cells"], "s08": []}
    assert rows["s04"]["flags"].count("copied:") == 5 and "right for s01's" in rows["s04"]["flags"]
    assert "not a notebook" in rows["s06"]["notes"] and "missing" in rows["s08"]["notes"]
    assert report.failed == 0


@pytest.mark.slow
def test_class_long_form_lms_exports_feedback_and_report(graded_class):
    report, out, _, _ = graded_class
    long = _rows(out / "gradebook_long.csv")
    assert len(long) == 8 * 5
    s02 = {r["exercise"]: r for r in long if r["student_id"] == "s02"}
    assert [s02[f"q{i}"]["verdict"] for i in range(1, 6)] == ["right", "wrong", "right", "wrong", "right"]
    assert s02["q2"]["mistake"] and s02["q4"]["mistake"]  # the declared mistakes the answers were made from
    assert {r["verdict"] for r in long if r["student_id"] == "s03"} == {"unanswered"}
    canvas = list(csv.reader(open(out / "lms" / "canvas.csv", encoding="utf-8")))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[1][0] == "Points Possible" and canvas[1][5] == "5"
    assert canvas[2][:6] == ["Student s01", "", "s01", "s01@uni.edu", "A", "5"]
    moodle = _rows(out / "lms" / "moodle.csv")
    assert moodle[1]["ID number"] == "s02" and moodle[1][CASE] == "3"
    page = (out / "feedback" / "s02" / f"{CASE}.html").read_text(encoding="utf-8")
    assert "3 of 5 points" in page and "✘ wrong" in page and "hint" in page
    assert not (out / "feedback" / "s06").exists()
    zh = (out / "feedback" / "s03" / f"{CASE}.html").read_text(encoding="utf-8")
    assert "crmlab 评分" in zh and "○ 未作答" in zh and "提示" in zh
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "copied" in html and "feedback/s01/haidilao.html" in html


@pytest.mark.slow
def test_regrading_reuses_graded_submissions_and_gives_the_same_gradebook(graded_class, tmp_path):
    report, out, roster, subs = graded_class
    before = (out / "gradebook.csv").read_bytes()
    again = grade_class(subs, out, roster=roster, workers=2, timeout=300)
    assert (out / "gradebook.csv").read_bytes() == before
    assert [e.status for e in again.entries] == [e.status for e in report.entries]


@pytest.mark.slow
def test_grade_command_reports_and_exits(graded_class, capsys):
    _, out, roster, subs = graded_class
    assert main(["grade", str(subs), "--roster", str(roster), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "8 submission(s)" in printed and "integrity flags for 4 student(s)" in printed
    assert main(["grade", str(subs), "--roster", str(roster), "--out", str(out), "-p", "seed", "3"]) == 2
    assert "seed" in capsys.readouterr().err


def test_a_check_verdict_cannot_be_recorded_by_hand():
    """`crmlab.record("check_q1", True)` would put a verdict in a batch summary that no check gave."""
    import crmlab

    with pytest.raises(ValueError, match="check_"):
        crmlab.record("check_q1", True, display=False)
