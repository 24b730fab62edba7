"""Grade what students hand back, each against their own world (`crmlab grade`).

A submission is ``<student_id>/<case>.ipynb``: a notebook made by ``crmlab start`` and worked on. Grading it
never runs it as submitted. The grader rebuilds the instructor's version of the notebook
(:func:`crmlab.workspace.handed_out` for that student's seed, taken from the roster) and takes from the
submission only the answer cells - the cells that hold an exercise's solution in the answer key - and any
cells the student added. Every other cell is the instructor's; where the submission's differs (a changed
seed, an edited analysis cell) the difference is reported as an integrity flag with its evidence.

The notebook so composed runs in a fresh kernel (one process per submission, through the batch engine of
:mod:`crmlab.batch`: parallel, time-limited, resumable), errors and all: a failing cell is the student's
zero for what depended on it, not a stopped run. After each answer cell the grader captures the answer
value as plain data (:mod:`crmlab._answers`). The verdicts are computed in the grader's own process, outside
the student's code, by the case's checks against a world the grader builds from the roster seed: a seed
hard-coded in an answer cell, a rebound ``check`` or ``world``, or a forged ``crmlab.record("check_q1",
True)`` change nothing.

Each graded submission gets its executed notebook with each exercise's verdict and hint in the notebook's
language (``feedback/<student_id>/<case>.html``); :mod:`crmlab.gradebook` assembles the gradebook, the LMS
exports, the class report and the integrity flags that need the whole class (answers right for another
student's world, identical answer cells).
"""
from __future__ import annotations

import ast
import copy
import functools
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CrmlabError, ParameterError

__all__ = ["Assignment", "assignment", "compose", "grading_parameters", "grading_world", "judge",
           "plan_grading", "Submission", "GRADE_FORMAT"]

#: Part of every grading run's cache key: raised when what a graded result holds changes.
GRADE_FORMAT = 1
CAPTURE_TAG = "crmlab-capture"
VERDICT_TAG = "crmlab-verdict"


# ------------------------------------------------------------------------------------ the assignment
def _transformed(source: str) -> str | None:
    """The cell's text as Python, as the assignment tooling reads it (:func:`crmlab.assign._code`)."""
    from .assign import _code

    return _code(source)


def check_calls(source: str, checkers=("check",)) -> list[tuple[str, str]]:
    """``[(exercise, answer expression)]`` of the check calls ``check("q1", expr)`` in a cell, in order.

    >>> check_calls('x = 1\\ncheck("q1", x / 2)\\ncheck("q2", [a, b])')
    [('q1', 'x / 2'), ('q2', '[a, b]')]
    """
    text = _transformed(source)
    if text is None:
        return []
    found = []
    for node in ast.walk(ast.parse(text)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in checkers
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.col_offset, node.args[0].value,
                          ast.get_source_segment(text, node.args[1])))
    return [(name, expr) for _, _, name, expr in sorted(found)]


@dataclass(frozen=True)
class Assignment:
    """A case notebook as graded: the instructor's notebook, its student version, which code cells hold
    answers (by cell id), which exercises each cell checks and with what expression, and their points."""

    case_id: str
    lang: str
    notebook: Path
    student: object                 # nbformat NotebookNode: the student version with the instructor's seed
    answer_cells: frozenset         # ids of the code cells that hold a solution in the key
    checks: dict                    # cell id -> ((exercise, expression), ...)
    points: dict                    # exercise -> points, for the exercises the notebook checks
    declared: dict                  # the parameters cell's declarations
    checker_names: frozenset
    notebook_sha: str

    @property
    def exercises(self) -> list[str]:
        return list(self.points)

    @property
    def max_points(self) -> float:
        return float(sum(self.points.values()))


def _ids(nb) -> None:
    """Give cells without an id (nbformat before 4.5) a stable one from their position."""
    for i, cell in enumerate(nb.cells):
        if not cell.get("id"):
            cell["id"] = f"crmlab-{i}"


@functools.lru_cache(maxsize=64)
def _assignment(path: str, mtime_ns: int, case_id: str, lang: str) -> Assignment:
    from .assign import _checker_names, _python, answer_key, student_version
    from .checks import points as exercise_points
    from .checks import registered
    from .runner import declared_parameters, load_notebook

    key = load_notebook(Path(path))
    _ids(key)
    student = student_version(key)
    names = frozenset(_checker_names([t for t in (_python(c.source) for c in student.cells
                                                    if c.cell_type == "code") if t is not None]))
    known = set(registered(case_id))
    if not known:
        raise CrmlabError(f"case {case_id!r} has no exercises to grade")
    answers, checks = set(), {}
    for kc, sc in zip(answer_key(key).cells, student.cells):
        if sc.cell_type != "code":
            continue
        if "# BEGIN SOLUTION" in kc.source:
            answers.add(sc["id"])
        calls = tuple(check_calls(sc.source, names))
        if calls:
            unknown = [e for e, _ in calls if e not in known]
            if unknown:
                raise CrmlabError(f"{Path(path).name} checks exercise {unknown[0]!r}, which case {case_id!r} "
                                  f"does not register (its exercises: {', '.join(sorted(known))})")
            checks[sc["id"]] = calls
    checked = list(dict.fromkeys(e for calls in checks.values() for e, _ in calls))
    if not checked:
        raise CrmlabError(f"{Path(path).name} checks no exercise: nothing to grade")
    all_points = exercise_points(case_id)
    return Assignment(case_id, lang, Path(path), student, frozenset(answers), checks,
                      {e: all_points[e] for e in checked}, declared_parameters(key), names,
                      hashlib.sha256(Path(path).read_bytes()).hexdigest())


def assignment(case_id: str, lang: str = "en") -> Assignment:
    """The :class:`Assignment` of a ready case's notebook in edition ``lang`` (cached while the file is unchanged)."""
    from .workspace import case_notebook

    path = case_notebook(case_id, lang)
    return _assignment(str(path), path.stat().st_mtime_ns, case_id, lang)


# ----------------------------------------------------------------------------------- the world judged
def grading_parameters(a: Assignment, given: dict) -> dict:
    """Every parameter of the notebook for one student: the literal defaults of its parameters cell, then
    ``given`` (``-p`` values, the roster's parameter columns, the roster seed), validated like a batch's."""
    from .batch import _literal_defaults
    from .runner import validate_parameters

    values = {**_literal_defaults(a.declared, {}), **given}
    validate_parameters(a.student, given)
    return values


def grading_world(a: Assignment, parameters: dict):
    """The world the student's answers are judged on, built here from ``parameters`` (the roster seed
    among them) and never taken from the student's kernel.

    A case whose checks module declares how its graded world is made (:func:`crmlab.checks.graded_world`)
    uses that; otherwise the notebook's own ``Checker("<case>", world)`` is followed to its
    ``world = crmlab.worlds.make("<id>", seed=seed, ...)`` call, whose keywords are parameters of the
    notebook or literals, and that call is made again with this student's values.
    """
    from .checks import graded_world_maker

    maker = graded_world_maker(a.case_id)
    if maker is not None:
        return maker(dict(parameters))
    world_id, kwargs = _world_call(a)
    from . import worlds

    values = {k: (parameters[v[1]] if v[0] == "param" else v[1]) for k, v in kwargs.items()}
    return worlds.make(world_id, **values)


@functools.lru_cache(maxsize=64)
def _world_call_cached(path: str, sha: str, case_id: str, checkers: frozenset, declared: tuple) -> tuple:
    from .runner import load_notebook

    nb = load_notebook(Path(path))
    trees = [ast.parse(t) for t in (_transformed(c.source) for c in nb.cells if c.cell_type == "code") if t]
    target = None
    for tree in trees:
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Checker"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Name)):
                target = node.args[1].id
    if target is None:
        raise CrmlabError(f"{Path(path).name}: cannot tell which world its checks judge (no Checker({case_id!r}, "
                          "world) call); the case's checks.py can declare it with @graded_world")
    for tree in trees:
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == target for t in node.targets)
                    and isinstance(node.value, ast.Call) and getattr(node.value.func, "attr", None) == "make"):
                call = node.value
                if not (call.args and isinstance(call.args[0], ast.Constant)) or len(call.args) > 1:
                    break
                kwargs = {}
                for kw in call.keywords:
                    if kw.arg is None:
                        break
                    if isinstance(kw.value, ast.Name) and kw.value.id in declared:
                        kwargs[kw.arg] = ("param", kw.value.id)
                    else:
                        try:
                            kwargs[kw.arg] = ("literal", ast.literal_eval(kw.value))
                        except ValueError:
                            break
                else:
                    return call.args[0].value, tuple(kwargs.items())
                break
    raise CrmlabError(f"{Path(path).name}: its world {target!r} is not made by a worlds.make(...) call whose "
                      "keywords are parameters or literals; the case's checks.py can declare it with @graded_world")


def _world_call(a: Assignment) -> tuple[str, dict]:
    world_id, kwargs = _world_call_cached(str(a.notebook), a.notebook_sha, a.case_id, a.checker_names,
                                          tuple(sorted(a.declared)))
    return world_id, dict(kwargs)


def _same(answer, other) -> bool:
    """Whether an answer equals a declared mistake's value (numbers within 0.5%, text without case, any
    collection as a set)."""
    import math

    from ._answers import Opaque

    if isinstance(answer, Opaque) or answer is None:
        return False
    if isinstance(answer, bool) or isinstance(other, bool):
        return isinstance(answer, bool) and isinstance(other, bool) and answer == other
    try:
        a, b = float(answer), float(other)
        return math.isclose(a, b, rel_tol=5e-3, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    except (TypeError, ValueError):
        pass
    if isinstance(answer, str) and isinstance(other, str):
        return answer.strip().casefold() == other.strip().casefold()
    if isinstance(answer, str) or isinstance(other, str):
        return False
    try:
        return set(answer) == set(other)
    except TypeError:
        return False


def judge(case_id: str, world, answers: dict, lang: str = "en") -> dict:
    """Verdicts of captured answers ``{exercise: {"status": ..., "value": decoded}}`` against ``world``.

    Returns ``{exercise: {"verdict": "right"|"wrong"|"unanswered"|"not run", "ok": bool, "message", "hint",
    "mistake": label of the declared mistake the answer equals, or ""}}``. A check that cannot judge an
    answer (an exception inside it) is a wrong answer whose message says so.
    """
    from .checks import Checker, mistaken

    checker = Checker(case_id, world, lang=lang)
    try:
        declared = mistaken(case_id, world)
    except Exception:  # the report loses its mistake column for this world; the verdicts stand
        declared = {}
    out = {}
    for name, got in answers.items():
        status = got.get("status")
        if status == "unanswered":
            r = checker(name, ...)
            out[name] = {"verdict": "unanswered", "ok": False, "message": r.message, "hint": r.hint, "mistake": ""}
            continue
        if status != "answered":
            why = got.get("error") or ("this exercise's cell did not run" if lang == "en" else "这道题的单元格没有运行")
            out[name] = {"verdict": "not run", "ok": False, "message": why, "hint": "", "mistake": ""}
            continue
        value = got["value"]
        try:
            r = checker(name, value)
            ok, message, hint = bool(r.ok), r.message, r.hint
        except Exception as exc:  # noqa: BLE001 - a check that chokes on an answer judges it wrong, and says so
            ok, message, hint = False, f"the answer could not be judged: {type(exc).__name__}: {exc}", ""
        mistake = "" if ok else next((label for label, v in declared.get(name, {}).items() if _same(value, v)), "")
        out[name] = {"verdict": "right" if ok else "wrong", "ok": ok, "message": message, "hint": hint,
                     "mistake": mistake}
    return out


# ------------------------------------------------------------------------------------------ compose
def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines() if line.strip())


def _assigned(source: str) -> dict:
    """``{name: value text}`` of the top-level ``name = value`` lines of a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = ast.get_source_segment(source, node.value)
    return out


def _differences(name: str, handed: str, got: str) -> str:
    """What changed in a cell that is not the student's to change, in a few words."""
    import difflib

    before, after = _norm(handed).splitlines(), _norm(got).splitlines()
    changed = [ln for ln in difflib.unified_diff(before, after, lineterm="", n=0)
               if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    first = changed[0] if changed else ""
    return f"{name} differs from the assignment ({len(changed)} line(s) changed; first: {first[:120]!r})"


def _align(handed, submitted) -> dict[int, int]:
    """``{index in submitted: index in handed}`` for the cells of the submission that are the handed-out
    cells: by cell id when the submission kept them (JupyterLab does), else by content."""
    import difflib

    ids = {c.get("id"): i for i, c in enumerate(handed.cells) if c.get("id")}
    by_id = {j: ids[c.get("id")] for j, c in enumerate(submitted.cells) if c.get("id") in ids}
    if len(set(by_id.values())) >= len(handed.cells) / 2:
        seen, out = set(), {}
        for j, i in by_id.items():  # a cell duplicated in the submission: its first copy is the original
            if i not in seen:
                out[j] = i
                seen.add(i)
        return out
    a = [(c.cell_type, _norm(c.source)) for c in handed.cells]
    b = [(c.cell_type, _norm(c.source)) for c in submitted.cells]
    out = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.update({j1 + k: i1 + k for k in range(i2 - i1)})
        elif tag == "replace":  # edited cells: pair them up in order while their types agree
            for k in range(min(i2 - i1, j2 - j1)):
                if a[i1 + k][0] == b[j1 + k][0]:
                    out[j1 + k] = i1 + k
    return out


@dataclass
class Composed:
    """The notebook the grader runs for one submission, and what composing it found."""

    notebook: object
    flags: list = field(default_factory=list)      # [{"flag": kind, "evidence": text}]
    answers: dict = field(default_factory=dict)    # exercise -> the student's answer cell source ("" if none)


def compose(a: Assignment, handed, submitted) -> Composed:
    """The instructor's notebook ``handed`` (as handed out to this student) with the student's answer cells
    and added cells from ``submitted``, each answer cell followed by a capture cell; with the integrity
    evidence of what the submission changed outside its answer cells."""
    import nbformat

    _ids(handed)
    match = _align(handed, submitted)
    where = {i: j for j, i in match.items()}
    handed_ids = [c["id"] for c in handed.cells]
    after: dict[int, list] = {}
    anchor = -1
    for j, cell in enumerate(submitted.cells):
        if j in match:
            anchor = match[j]
        else:
            after.setdefault(anchor, []).append(cell)
    flags, answers, cells = [], {}, []
    param_id = next((c["id"] for c in handed.cells if "parameters" in c.metadata.get("tags", [])), None)

    def student_cell(cell):
        new = copy.deepcopy(cell)
        new.outputs, new.execution_count = [], None
        new.metadata = {"tags": ["crmlab-student"]}
        return new

    def add_captures(cell_id: str, source: str) -> None:
        expected = a.checks.get(cell_id, ())
        own = dict(check_calls(source, a.checker_names))
        for name, expr in expected:
            expr = own.get(name, expr)
            cells.append(nbformat.v4.new_code_cell(
                f'__import__("crmlab._answers", fromlist=["capture"]).capture({name!r}, lambda: ({expr}))',
                metadata={"tags": [CAPTURE_TAG], "crmlab": {"capture": name}}))

    for extra in after.get(-1, []):
        cells.append(student_cell(extra))
    for i, cell in enumerate(handed.cells):
        j = where.get(i)
        mine = submitted.cells[j] if j is not None else None
        if cell.cell_type == "code" and cell["id"] in a.answer_cells:
            used = student_cell(mine) if mine is not None and mine.cell_type == "code" else copy.deepcopy(cell)
            used["id"] = cell["id"]
            cells.append(used)
            for name, _ in a.checks.get(cell["id"], ()):
                answers[name] = _norm(used.source) if mine is not None and _norm(used.source) != _norm(cell.source) else ""
            add_captures(cell["id"], used.source)
        else:
            cells.append(copy.deepcopy(cell))
            if cell.cell_type == "code":
                if mine is None:
                    flags.append({"flag": "changed_cells",
                                  "evidence": f"code cell {handed_ids.index(cell['id']) + 1} of the assignment is "
                                              "missing from the submission (the grader ran the assignment's)"})
                elif _norm(mine.source) != _norm(cell.source):
                    if cell["id"] == param_id:
                        was, now = _assigned(cell.source), _assigned(mine.source)
                        changed = [n for n in dict.fromkeys([*was, *now]) if was.get(n) != now.get(n)]
                        for n in changed:
                            kind = "seed_changed" if n == "seed" else "changed_cells"
                            flags.append({"flag": kind, "evidence": f"parameters cell: {n} = {now.get(n, '(removed)')} "
                                                                    f"(handed out: {n} = {was.get(n, '(none)')}); the "
                                                                    "grader used the roster's values"})
                        if not changed:
                            flags.append({"flag": "changed_cells",
                                          "evidence": _differences("the parameters cell", cell.source, mine.source)})
                    else:
                        flags.append({"flag": "changed_cells", "evidence": _differences(
                            f"code cell {handed_ids.index(cell['id']) + 1}", cell.source, mine.source)
                            + "; the grader ran the assignment's"})
                if cell["id"] in a.checks:
                    add_captures(cell["id"], cell.source)
        for extra in after.get(i, []):
            cells.append(student_cell(extra))
    for cell in cells:
        if "crmlab-student" in cell.metadata.get("tags", []) or cell["id"] in a.answer_cells:
            text = _transformed(cell.source) or ""
            if "worlds.make(" in text or "make_world(" in text:
                flags.append({"flag": "own_world", "evidence": "a cell of the student's builds a world of its own "
                                                               "(worlds.make): answers are judged on the roster "
                                                               "seed's world all the same"})
                break
    nb = copy.deepcopy(handed)
    nb.cells = cells
    for n, cell in enumerate(nb.cells):  # ids unique again (a captured cell per exercise, copies of cells)
        cell["id"] = f"g{n:04d}-" + str(cell.get("id", ""))[:40]
    return Composed(nb, flags, answers)


# ------------------------------------------------------------------------------------------- planning
@dataclass(frozen=True)
class Submission:
    """One expected ``<student_id>/<case>.ipynb``: where it is (None: missing) and what reading it found."""

    student_id: str
    case_id: str
    path: Path | None
    problem: str = ""       # "missing", or why the file is not a notebook ("" when it reads)
    lang: str = "en"


def read_submission(path: Path):
    """The notebook at ``path``, or a one-line reason why it is not one."""
    import nbformat

    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "unreadable: not a text file (is it a notebook saved as .ipynb?)"
    except OSError as exc:
        return None, f"unreadable: {exc.strerror}"
    if not raw.strip():
        return None, "unreadable: the file is empty"
    try:
        nb = nbformat.reads(raw, as_version=4)
    except Exception as exc:  # nbformat raises JSON, validation and version errors of several kinds
        return None, f"not a notebook: {str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__}"
    if not isinstance(nb.get("cells"), list):
        return None, "not a notebook: it has no cells"
    return nb, ""


def submission_lang(nb, default: str = "en") -> str:
    """The edition a submission was made from: the ``lang`` of its parameters cell (en or zh)."""
    from .workspace import _notebook_lang

    cell = next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    return _notebook_lang(cell.source) if cell is not None else default


def plan_grading(submissions, out, *, roster, cases=None, params: dict | None = None, lang: str | None = None):
    """Plan the grading of a class: one run per roster student and case found (or asked for).

    Returns ``(runs, submissions, notes)``: the :class:`crmlab.batch.Run` of each readable submission (its
    ``task`` says what to grade), a :class:`Submission` for every expected student × case (missing and
    unreadable ones included, with their problem), and notes on what was left out (folders of students not
    on the roster, files that are no case's notebook).
    """
    from . import __version__
    from .batch import Run, _convert, _safe, read_roster, student_seed
    from .cases import load_cases
    from .worlds import available, spec

    root = Path(submissions).resolve()
    if not root.is_dir():
        raise CrmlabError(f"submissions folder not found: {root}")
    students = read_roster(roster) if isinstance(roster, (str, os.PathLike)) else list(roster)
    catalogue = load_cases()
    by_folder = {_safe(s.student_id): s for s in students}
    notes = []
    folders = {p.name: p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    strays = sorted(set(folders) - set(by_folder))
    if strays:
        notes.append(f"{len(strays)} folder(s) in {root.name} belong to no roster student and were not graded: "
                     + ", ".join(strays[:10]) + (" ..." if len(strays) > 10 else ""))
    found = {}
    other_files = []
    for name, folder in folders.items():
        for f in sorted(folder.iterdir()):
            if f.suffix == ".ipynb" and f.stem in catalogue:
                found[(name, f.stem)] = f
            elif f.suffix == ".ipynb" or (f.is_file() and f.name != "README.md" and not f.name.startswith(".")):
                other_files.append(f"{name}/{f.name}")  # the workspace's README is expected; anything else is said
    if other_files:
        notes.append(f"{len(other_files)} file(s) are no case's notebook and were ignored: "
                     + ", ".join(other_files[:10]) + (" ..." if len(other_files) > 10 else ""))
    wanted = list(dict.fromkeys(cases)) if cases else sorted({c for (n, c) in found if n in by_folder})
    if not wanted:
        raise CrmlabError(f"no submission found in {root}: expected <student_id>/<case>.ipynb for the roster's "
                          "students (or name the cases with --case)")
    for c in wanted:
        if c not in catalogue:
            from .cases import unknown_id_message

            raise CrmlabError(unknown_id_message("case", c, catalogue))
    out = Path(out).resolve()
    worlds = {w: spec(w).version for w in available()}
    runs, subs = [], []
    params = dict(params or {})
    if "seed" in params:
        raise CrmlabError("parameter 'seed' cannot be given: each student's seed comes from the roster")
    for s in students:
        folder = _safe(s.student_id)
        seed = student_seed(s.student_id)
        for case_id in wanted:
            path = found.get((folder, case_id))
            if path is None:
                subs.append(Submission(s.student_id, case_id, None, "missing"))
                continue
            nb, problem = read_submission(path)
            edition = lang or (submission_lang(nb) if nb is not None else "en")
            subs.append(Submission(s.student_id, case_id, path, problem, edition))
            if problem:
                continue
            a = assignment(case_id, edition)
            given = dict(params)
            for name, raw in s.columns.items():
                if name in a.declared and name not in ("seed", "lang"):
                    given[name] = _convert(raw, a.declared[name])
            given["seed"] = seed
            try:
                values = grading_parameters(a, given)
            except ParameterError as exc:
                raise ParameterError(f"{case_id}: student {s.student_id!r}: {exc}") from None
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            key = hashlib.sha256(json.dumps([digest, a.notebook_sha, values, __version__, worlds, GRADE_FORMAT],
                                            sort_keys=True, default=str).encode()).hexdigest()
            target = out / "feedback" / folder / f"{case_id}.ipynb"
            roster_data = {k: v for k, v in s.columns.items() if k not in a.declared}
            runs.append(Run(f"{folder}__{case_id}", path, s.student_id, seed, values, target, key, roster_data, {},
                            {"case": case_id, "lang": edition, "instructor": str(a.notebook),
                             "scratch": str(out / ".scratch" / f"{folder}__{case_id}")}))
    return runs, subs, notes


# ------------------------------------------------------------------------------------------- running
def _execute(nb, cwd: Path, timeout: int) -> str:
    """Run every cell of ``nb`` in a fresh kernel, errors included; return why cells did not run ("" if all
    did). A cell that overruns its share of the time is interrupted and the next one runs."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    from .runner import KERNEL_ARGS, quiet_shutdown_kernel_manager

    cell_timeout = max(5, timeout // 4)
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, resources={"metadata": {"path": str(cwd)}},
                            extra_arguments=list(KERNEL_ARGS), kernel_manager_class=quiet_shutdown_kernel_manager())
    problems = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                problems.append(f"a cell ran longer than {cell_timeout} s and was interrupted")
    return "; ".join(dict.fromkeys(problems))


def _captured(nb) -> dict:
    """``{exercise: {"status", "value"|"error"}}`` from the capture cells' outputs (values decoded)."""
    from ._answers import MIME_TYPE, decode

    got = {}
    for cell in nb.cells:
        name = cell.metadata.get("crmlab", {}).get("capture") if cell.cell_type == "code" else None
        if not name:
            continue
        payload = None
        for o in cell.get("outputs", []):
            data = o.get("data", {}) if o.get("output_type") == "display_data" else {}
            if isinstance(data.get(MIME_TYPE), dict) and data[MIME_TYPE].get("exercise") == name:
                payload = data[MIME_TYPE]
        if payload is None:
            got[name] = {"status": "not run"}
        elif payload.get("status") == "answered":
            got[name] = {"status": "answered", "value": decode(payload.get("value")), "raw": payload.get("value")}
        else:
            got[name] = {k: payload.get(k) for k in ("status", "error") if k in payload}
    return got


_WORDS = {
    "en": {"right": "✔ right", "wrong": "✘ wrong", "unanswered": "○ not answered", "not run": "○ did not run",
           "graded": "Graded", "points": "point(s)", "hint": "hint", "mistake": "this is the declared mistake",
           "head": "**Graded by crmlab** against your own world (seed {seed}, from the roster): **{got:g} of {max:g} "
                   "points**. The verdicts below are the grader's, judged outside your notebook; a check's output "
                   "inside the notebook is only what your kernel printed."},
    "zh": {"right": "✔ 正确", "wrong": "✘ 错误", "unanswered": "○ 未作答", "not run": "○ 未运行",
           "graded": "评分", "points": "分", "hint": "提示", "mistake": "这是预先登记的典型错误",
           "head": "**crmlab 评分**：按你自己的数据世界（种子 {seed}，来自教师名单）评判，得分 **{got:g} / {max:g}**。"
                   "下面的判定由评分程序在你的笔记本之外给出；笔记本中 check 的输出只是你的内核打印的内容。"},
}


def _verdict_cell(name: str, v: dict, points: float, lang: str):
    import nbformat

    def esc(text) -> str:
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    w = _WORDS.get(lang, _WORDS["en"])
    got = points if v["ok"] else 0
    text = (f"**{w['graded']} {name}** ({got:g} / {points:g} {w['points']}): {w[v['verdict']]}"
            f" — {esc(v['message'])}")
    if not v["ok"] and v.get("hint"):
        text += f"  \n*{w['hint']}: {esc(v['hint'])}*"
    if v.get("mistake"):
        text += f"  \n({w['mistake']}: {esc(v['mistake'])})"
    return nbformat.v4.new_markdown_cell(f'<div class="crmlab-verdict">\n\n{text}\n\n</div>',
                                         metadata={"tags": [VERDICT_TAG]})


def grade_work(conn, run, timeout: int) -> None:
    """Worker process of ``crmlab grade``: compose, execute, judge and write the feedback of one submission
    (see :func:`crmlab.batch.execute_runs` for the protocol)."""
    from .batch import _first_line, _kernel_died, worker_setup

    worker_setup()
    scratch = Path(run.task["scratch"])
    try:
        message = _grade_one(run, timeout, scratch)
    except Exception as exc:  # every failure goes back as a message: the class must go on
        dead = _kernel_died(exc)
        message = {"status": "failed", "retry": dead,
                   "error": f"kernel died: {_first_line(exc)}" if dead else f"grading failed: {_first_line(exc)}"}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    conn.send(message)
    conn.close()


def _grade_one(run, timeout: int, scratch: Path) -> dict:
    import nbformat
    from papermill.parameterize import parameterize_notebook

    from ._answers import encode
    from .checks import solve
    from .runner import new_file_mode, to_html
    from .workspace import handed_out

    t0 = time.perf_counter()
    task = run.task
    case_id, lang = task["case"], task["lang"]
    a = _assignment(task["instructor"], Path(task["instructor"]).stat().st_mtime_ns, case_id, lang)
    submitted, problem = read_submission(run.notebook)
    if problem:
        return {"status": "failed", "retry": False, "error": problem}
    composed = compose(a, handed_out(a.notebook, run.seed, lang), submitted)
    nb = parameterize_notebook(composed.notebook, {k: v for k, v in run.parameters.items()}, kernel_name="python3",
                               language="python")
    scratch.mkdir(parents=True, exist_ok=True)
    stopped = _execute(nb, scratch, timeout)
    got = {name: {"status": "not run"} for name in a.exercises}
    got.update({k: v for k, v in _captured(nb).items() if k in got})
    world = grading_world(a, run.parameters)
    verdicts = judge(case_id, world, {k: {kk: vv for kk, vv in v.items() if kk != "raw"} for k, v in got.items()},
                     lang)
    try:
        key = {k: encode(v) for k, v in solve(case_id, world).items() if k in got}
    except Exception:  # copy detection loses this world's key; the verdicts stand
        key = {}
    # the feedback notebook: capture cells out, each exercise's verdict after its answer cell, a head note
    got_points = sum(a.points[k] for k, v in verdicts.items() if v["ok"])
    cells = []
    for cell in nb.cells:
        name = cell.metadata.get("crmlab", {}).get("capture")
        if name:
            cells.append(_verdict_cell(name, verdicts[name], a.points[name], lang))
        else:
            cells.append(cell)
    head = nbformat.v4.new_markdown_cell(_WORDS.get(lang, _WORDS["en"])["head"].format(
        seed=run.seed, got=got_points, max=a.max_points), metadata={"tags": [VERDICT_TAG]})
    nb.cells = [head, *cells]
    nb.metadata.setdefault("crmlab", {})["graded"] = {"case": case_id, "seed": run.seed, "points": got_points,
                                                      "max_points": a.max_points}
    run.staged_ipynb.parent.mkdir(parents=True, exist_ok=True)
    tmp = run.staged_ipynb.with_name(run.staged_ipynb.name + ".tmp")
    nbformat.write(nb, str(tmp))
    os.chmod(tmp, new_file_mode())
    os.replace(tmp, run.staged_ipynb)
    to_html(run.staged_ipynb, run.staged_html)
    results = {f"check_{k}": v["ok"] for k, v in verdicts.items()}
    results["grading"] = {
        "case": case_id, "lang": lang, "points": a.points, "verdicts": verdicts, "stopped": stopped,
        "answers": {k: v.get("raw") for k, v in got.items() if v.get("status") == "answered"},
        "key": key, "cells": composed.answers, "flags": composed.flags,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    return {"status": "ok", "results": results}


# ------------------------------------------------------------------------------------------ the class
@dataclass(frozen=True)
class GradeReport:
    """What ``crmlab grade`` produced: one :class:`crmlab.gradebook.Entry` per student × case, the files
    written and the notes said on the way."""

    entries: list
    files: dict
    notes: tuple = ()

    @property
    def failed(self) -> int:
        """Submissions the grader could not grade (timed out, kernel died): not missing or unreadable ones."""
        return sum(e.status == "failed" for e in self.entries)


def _entries(subs, runs, outcomes, students) -> list:
    from .gradebook import Entry

    by_run = {o.run.run_id: o for o in outcomes}
    run_of = {(r.student_id, r.task["case"]): r for r in runs}
    roster = {s.student_id: s.columns for s in students}
    points = {}
    for sub in subs:  # points per case, from either edition (the editions check the same exercises)
        if sub.case_id not in points:
            try:
                points[sub.case_id] = assignment(sub.case_id, sub.lang).points
            except CrmlabError:
                points[sub.case_id] = assignment(sub.case_id, "zh" if sub.lang == "en" else "en").points
    entries = []
    for sub in subs:
        run = run_of.get((sub.student_id, sub.case_id))
        data = {k: v for k, v in roster.get(sub.student_id, {}).items()}
        e = Entry(sub.student_id, sub.case_id, "missing", data, dict(points[sub.case_id]), lang=sub.lang)
        if sub.problem == "missing":
            e.error = "no submission"
        elif sub.problem:
            e.status, e.error = "unreadable", sub.problem
        elif run is not None:
            o = by_run.get(run.run_id)
            e.parameters = dict(run.parameters)
            e.roster = dict(run.roster)
            if o is None or o.status == "interrupted":
                e.status, e.error = "interrupted", "grading was interrupted before this submission"
            elif o.status == "failed":
                e.status, e.error = "failed", o.error
            else:
                g = o.results.get("grading", {})
                e.status = "graded"
                e.verdicts, e.answers, e.key = g.get("verdicts", {}), g.get("answers", {}), g.get("key", {})
                e.cells, e.flags = g.get("cells", {}), list(g.get("flags", []))
                e.error = g.get("stopped", "")
                e.feedback = run.html.relative_to(run.ipynb.parents[2]).as_posix()
        entries.append(e)
    return entries


def grade_class(submissions, out, *, roster, cases=None, params: dict | None = None, lang: str | None = None,
                workers: int = 2, timeout: int = 600, force: bool = False, title: str = "crmlab grade",
                progress=None, scheduler: str | None = None) -> GradeReport:
    """Grade a class: the whole of ``crmlab grade``.

    Parameters
    ----------
    submissions : path
        Folder of ``<student_id>/<case>.ipynb`` (the layout nbgrader collects into).
    out : path
        Grading folder (created, locked while grading): ``gradebook.csv``, ``gradebook_long.csv``,
        ``lms/``, ``report.html``, ``feedback/<student_id>/<case>.html``.
    roster : path or list of :class:`crmlab.batch.Student`
        The class list; each student's seed comes from here (:func:`crmlab.batch.student_seed` of the id),
        never from a submission. Roster columns that are notebook parameters set them; the others are
        carried into the gradebook.
    cases : list of str, optional
        Cases expected from every student (default: every case submitted by someone): a student who did
        not submit one gets a "missing" row and zero.
    params : dict, optional
        Notebook parameters of the assignment (as given to ``crmlab start`` or ``batch``), for every student.
    lang : "en", "zh" or None
        Edition to grade with; None: the edition each submission was made from.
    workers, timeout, force, progress, scheduler
        As in :func:`crmlab.batch.execute_runs` (``timeout`` is per submission; one cell may use a quarter
        of it before it is interrupted and the next cell runs; ``scheduler``: grade on a Dask cluster).

    Returns
    -------
    :class:`GradeReport`.

    Example (needs the files it names)::

        grade_class("submissions", "build/grades", roster="roster.csv").files["gradebook"]
    """
    from ._validate import check_int
    from .batch import BatchInterrupted, OutputLock, _context, _say, execute_runs, read_roster
    from .gradebook import cross_flags, write_gradebook, write_lms, write_long, write_report

    check_int(workers, "workers", low=1)
    check_int(timeout, "timeout", low=1)
    if lang is not None:
        from ._validate import check_lang

        check_lang(lang)
    if not scheduler:
        _context()
    students = read_roster(roster) if isinstance(roster, (str, os.PathLike)) else list(roster)
    runs, subs, notes = plan_grading(submissions, out, roster=students, cases=cases, params=params, lang=lang)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    worlds: dict = {}

    def world_of(entry):
        k = (entry.case_id, json.dumps(entry.parameters, sort_keys=True, default=str))
        if k not in worlds:
            worlds[k] = grading_world(assignment(entry.case_id, entry.lang), entry.parameters)
        return worlds[k]

    def finish(outcomes) -> GradeReport:
        entries = _entries(subs, runs, outcomes, students)
        cross_flags(entries, world_of)
        files = {"gradebook": write_gradebook(out, entries), "long": write_long(out, entries)}
        files["canvas"], files["moodle"] = write_lms(out, entries)
        files["report"] = write_report(out, entries, title=title, notes=notes)
        return GradeReport(entries, files, tuple(notes))

    with OutputLock(out) as lock:
        if lock.note:
            notes.append(lock.note)
        for note in notes:
            _say(progress, note)
        try:
            outcomes = execute_runs(runs, workers=workers, timeout=timeout, force=force, progress=progress,
                                    worker=grade_work, scheduler=scheduler)
        except BatchInterrupted as stop:
            finish(stop.outcomes)
            raise
        shutil.rmtree(out / ".scratch", ignore_errors=True)
        return finish(outcomes)
