"""Turn a case notebook into an assignment: a student version and an answer key (`crmlab assign`).

The instructor writes one notebook with the solutions between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
lines and a check after each (``check("q1", share_a)``, see :mod:`crmlab.checks`). The student version
has the solutions stripped (:func:`crmlab.checks.strip_solutions` leaves ``share_a = ...``), its outputs
cleared, and everything else — the parameters cell, the narrative, the checks — kept. The answer key is
the notebook as written.

A student version must run top to bottom before anyone has answered anything, or "Run all" stops at the
first exercise. A check call copes with an unanswered ``...``; code that *uses* an answer does not. So
:func:`student_version` refuses a notebook in which a cell outside the solutions reads a name that only a
solution sets (or that is still ``...``), other than by passing it straight to a check, and names the
cell. :func:`verify_assignment` executes both versions and confirms that every check passes on the key
and fails on the student version.

The strip-and-check workflow follows otter-grader's ``# BEGIN SOLUTION`` convention and
``grader.check("q1")``, as used in Berkeley's Data 8 course, with the world computed from each student's
seed.

References
----------
.. [1] otter-grader, https://otter-grader.readthedocs.io
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path

from .errors import CrmlabError

__all__ = ["student_version", "answer_key", "make_assignment", "verify_assignment", "Verification"]

_BEGIN, _END = "# BEGIN SOLUTION", "# END SOLUTION"


def _read(notebook):
    import nbformat

    from .runner import load_notebook

    return load_notebook(Path(notebook)) if not isinstance(notebook, nbformat.NotebookNode) else notebook


def _code(source: str) -> str | None:
    """The cell's text as Python (IPython magics turned into calls); None for a cell magic or invalid code."""
    from IPython.core.inputtransformer2 import TransformerManager

    if source.lstrip().startswith("%%"):
        return None
    text = TransformerManager().transform_cell(source)
    try:
        ast.parse(text)
    except SyntaxError:
        return None
    return text


def _python(source: str) -> ast.Module | None:
    """The cell as a Python syntax tree (see :func:`_code`); None for a cell magic or invalid code."""
    text = _code(source)
    return None if text is None else ast.parse(text)


def _solution_lines(source: str) -> set[int]:
    """1-based line numbers inside ``# BEGIN SOLUTION`` … ``# END SOLUTION`` blocks."""
    inside, lines = False, set()
    for n, line in enumerate(source.splitlines(), 1):
        text = line.strip()
        if text.startswith(_BEGIN):
            inside = True
        elif text.startswith(_END):
            inside = False
        elif inside:
            lines.add(n)
    return lines


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)


def _top_level(node: ast.AST):
    """The nodes of ``node`` that live in the notebook's namespace (nested scopes are not entered)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _SCOPES):
            yield child  # its name (a def or class) is bound here; its body is not
        else:
            yield from _top_level(child)


def _bound(node: ast.AST) -> set[str]:
    """Names a statement binds in the notebook's namespace."""
    names = set()
    for sub in _top_level(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in sub.names)
    return names


def _locals(node: ast.AST) -> set[str]:
    """Names bound inside the nested scopes of a statement (comprehension variables, arguments, locals)."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, _SCOPES):
            for inner in ast.walk(sub):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    names.add(inner.id)
                elif isinstance(inner, ast.arg):
                    names.add(inner.arg)
    return names


def _is_placeholder(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
            and stmt.value.value is Ellipsis)


def _checker_names(cells: list[ast.Module]) -> set[str]:
    """Names bound to ``Checker(...)`` anywhere in the notebook (``check`` by convention)."""
    names = {"check"}
    for tree in cells:
        for sub in ast.walk(tree):
            if (isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call)
                    and getattr(sub.value.func, "id", getattr(sub.value.func, "attr", None)) == "Checker"):
                names.update(t.id for t in sub.targets if isinstance(t, ast.Name))
    return names


def _unsafe_loads(stmt: ast.stmt, hazards: set[str], checkers: set[str]) -> list[str]:
    """Names from ``hazards`` that ``stmt`` reads other than as a direct argument of a check call."""
    passed = {id(arg) for sub in ast.walk(stmt) if isinstance(sub, ast.Call)
              and isinstance(sub.func, ast.Name) and sub.func.id in checkers for arg in sub.args}
    risky = hazards - _locals(stmt)
    return sorted({sub.id for sub in ast.walk(stmt) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)
                   and sub.id in risky and id(sub) not in passed})


def _lint(key_sources: list[str], student_sources: list[str]) -> list[str]:
    """Every place where the student version would read an answer it does not have."""
    keys = [_python(s) for s in key_sources]
    students = [_python(s) for s in student_sources]
    checkers = _checker_names([t for t in students if t is not None])
    defined: set[str] = set()  # names the student version has bound to something real so far
    hazards: set[str] = set()  # names the key sets but the student version does not (or sets to ...)
    problems = []
    for cell, (key, student, key_source) in enumerate(zip(keys, students, key_sources), 1):
        if key is None or student is None:
            continue
        block = _solution_lines(key_source)
        answers = set().union(*(_bound(s) for s in key.body if s.lineno in block))
        hazards |= answers - defined - set().union(*(_bound(s) for s in student.body))
        for stmt in student.body:
            for name in _unsafe_loads(stmt, hazards, checkers):
                problems.append(f"cell {cell} reads {name!r}, which is unset (or ...) until the student answers: "
                                "the student version would fail there; move that code into the solution block, "
                                f"or pass {name} straight to a check")
            names = _bound(stmt)
            if _is_placeholder(stmt):
                hazards |= names
            else:
                hazards -= names
                defined |= names
    return list(dict.fromkeys(problems))


def student_version(notebook):
    """The student version of a notebook: solutions stripped, outputs cleared, checks and narrative kept.

    Parameters
    ----------
    notebook : path or nbformat.NotebookNode
        A notebook whose solutions sit between ``# BEGIN SOLUTION`` / ``# END SOLUTION`` lines.

    Returns
    -------
    nbformat.NotebookNode (a copy; the input is unchanged).

    Raises :class:`~crmlab.errors.CrmlabError` when the notebook has no solution block, when a marker is
    left unmatched (the solution would leak), or when a cell would fail in the student version because
    it reads an answer (the message names the cell and the name).

    See :func:`crmlab.checks.strip_solutions`, which removes the solutions.

    References
    ----------
    .. [1] otter-grader's solution markers, https://otter-grader.readthedocs.io

    Example (needs the files it names)::

        nb = student_version("notebooks/distributor_abc.ipynb")
    """
    from .checks import strip_solutions

    nb = copy.deepcopy(_read(notebook))
    code = [c for c in nb.cells if c.cell_type == "code"]
    key_sources = [c.source for c in code]
    if not any(_BEGIN in s for s in key_sources):
        raise CrmlabError("the notebook has no '# BEGIN SOLUTION' block: nothing to strip")
    for n, cell in enumerate(code, 1):
        cell.source = strip_solutions(cell.source)
        if _BEGIN in cell.source or _END in cell.source:
            raise CrmlabError(f"code cell {n}: a '# BEGIN SOLUTION' without its '# END SOLUTION' (or the "
                              "reverse); fix the markers so the solution cannot leak")
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
    problems = _lint(key_sources, [c.source for c in code])
    if problems:
        raise CrmlabError(f"code {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return nb


def answer_key(notebook):
    """The answer key: the notebook as written, solutions and outputs included (a copy)."""
    return copy.deepcopy(_read(notebook))


def make_assignment(notebook, out, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``out/student/<name>.ipynb`` and ``out/key/<name>.ipynb``; return their paths.

    Parameters
    ----------
    notebook : path
        The instructor's notebook (solutions marked).
    out : path
        Output folder.
    force : bool
        Overwrite existing files.

    Returns
    -------
    (student path, key path).

    Example (needs the files it names)::

        make_assignment("notebooks/fedex.ipynb", "build/assign")

    The student version keeps the ``parameters`` cell, so ``crmlab batch`` can run it once per student, each
    with their own world.
    """
    import nbformat

    notebook = Path(notebook).resolve()
    student, key = student_version(notebook), answer_key(notebook)
    out = Path(out).resolve()
    targets = (out / "student" / notebook.name, out / "key" / notebook.name)
    for path in targets:
        if path.exists() and not force:
            raise CrmlabError(f"{path} exists; choose another --out or pass --force to overwrite it")
    for path, nb in zip(targets, (student, key)):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        nbformat.write(nb, str(tmp))
        tmp.replace(path)
    return targets


@dataclass(frozen=True)
class Verification:
    """Check results (``{"check_q1": bool, ...}``) of the executed key and student version."""

    key: dict
    student: dict

    @property
    def problems(self) -> list[str]:
        """What is wrong: no checks, a check failing on the key, one passing unanswered, or a check missing."""
        if not self.key:
            return ["the key records no check results (does it call its checks as a cell's last line?)"]
        out = [f"{name} fails on the answer key" for name, ok in self.key.items() if ok is not True]
        out += [f"{name} passes on the student version, before any answer" for name, ok in self.student.items()
                if ok is not False]
        out += [f"{name} is not checked in the student version" for name in self.key if name not in self.student]
        return out


def verify_assignment(student, key, out, *, parameters: dict | None = None, timeout: int = 600) -> Verification:
    """Execute the student version and the key (into ``out/verify/``) and compare their check results.

    Parameters
    ----------
    student, key : path
        From :func:`make_assignment`.
    out : path
        Output folder; the executed notebooks go to ``out/verify/{student,key}-<name>.ipynb``.
    parameters : dict, optional
        Notebook parameters for both runs (a student's seed, say).
    timeout : int
        Seconds per cell.

    Returns
    -------
    :class:`Verification`; ``.problems`` is empty when every check passes on the key and fails on the
    student version. A cell that fails in either version raises :class:`~crmlab.errors.CrmlabError`.

    Example (needs the files it names)::

        verify_assignment(*make_assignment("nb.ipynb", "build/a"), "build/a").problems
    []

    Run it before handing an assignment out: a check that passes on an unanswered exercise, or fails on
    the key, is a broken exercise.
    """
    from .results import collect
    from .runner import run_notebook

    results = {}
    for role, path in (("student", Path(student)), ("key", Path(key))):
        done = run_notebook(path, Path(out) / "verify" / f"{role}-{path.name}", parameters, timeout=timeout)
        results[role] = {k: v for k, v in collect(done).items() if k.startswith("check_")}
    return Verification(results["key"], results["student"])
