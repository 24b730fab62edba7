"""The library never names a case, and neither do its tests: no ready case's id is used as a world or case id
in the code of src/crmlab/ or of tests/*.py (the catalogue and tool tests aside).

Course content lives in case folders (cases/<id>/world.py, checks.py, test_<id>.py). A library test that needs
data uses the library's generic ``transactions`` world or data it builds itself; a test of a library function
against a case's planted truth belongs to that case, in cases/<id>/test_<id>.py.

What counts as naming a case: a call of a library entry point that takes a case id (``make``, ``Checker``,
``get_case`` ... : every function of src/crmlab whose first parameter is ``case_id``, found by reading the
source) with a ready case's id as a string literal, positionally or as ``case_id=``. It is looked for in the
code, in other string literals (a test's notebook cells are code kept in strings) and in the doctest lines
(``>>>``, ``...``) of docstrings, which ``make test`` runs. Prose is not code: comments and the rest of a
docstring may mention a case as an example.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from crmlab.cases import load_cases

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "crmlab"
TESTS = ROOT / "tests"

# Tests about the catalogue and the tools that run it: they are about the cases themselves.
# `crmlab start` and `crmlab grade` hand out and grade the catalogue's own notebooks, on one machine or a
# Dask cluster: their end-to-end tests need a ready case with exercises, as the runner's do.
CATALOGUE_TESTS = {"test_case_contract.py", "test_editions.py", "test_snapshots.py", "test_any_workdir.py",
                   "test_runner_cli.py", "test_grade.py", "test_cluster.py"}

# Known exceptions, each with its reason: (file relative to the project root, entry point, case id).
ALLOWED = {
    # `crmlab analyze` writes the consultant's report by running the notebook of `customer_value`, a method
    # notebook (kind: method) that is the report's template, not a case whose world or checks the library
    # depends on: the library runs it as a program on the user's own data.
    ("src/crmlab/analyze/report.py", "get_case", "customer_value"):
        "write_report runs the customer_value method notebook as the consultant's report",
}

# Entry points that must be found among the case-id functions (a check on the discovery itself).
CORE_ENTRY_POINTS = {"make", "Checker", "get_case", "spec", "load_case_module", "solve", "snapshot_knobs"}


def _python_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def _takes_a_case_id(args: ast.arguments, *, method: bool) -> bool:
    params = [*args.posonlyargs, *args.args]
    if method:
        params = params[1:]
    return bool(params) and params[0].arg == "case_id"


def case_id_entry_points(files) -> set[str]:
    """Names of the functions (and classes, by their ``__init__``) whose first parameter is ``case_id``."""
    names = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _takes_a_case_id(node.args,
                                                                                              method=False):
                names.add(node.name)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (isinstance(item, ast.FunctionDef) and item.name == "__init__"
                            and _takes_a_case_id(item.args, method=True)):
                        names.add(node.name)
    return names


def _docstring_nodes(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                out.add(id(first.value))
    return out


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def case_ids_named(source: str, case_ids, entry_points) -> list[tuple[int, str, str]]:
    """``(line, entry point, case id)`` for every place ``source`` names one of ``case_ids`` as a world or case
    id: in a call, in code held in a string literal, or in a doctest line of a docstring."""
    case_ids, entry_points = set(case_ids), set(entry_points)
    pattern = re.compile(r"\b(%s)\(\s*(?:case_id\s*=\s*)?(['\"])(%s)\2" % (
        "|".join(map(re.escape, sorted(entry_points))), "|".join(map(re.escape, sorted(case_ids)))))
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) in entry_points:
            given = [a for a in node.args[:1]] + [k.value for k in node.keywords if k.arg == "case_id"]
            for arg in given:
                if isinstance(arg, ast.Constant) and arg.value in case_ids:
                    hits.append((node.lineno, _called_name(node.func), arg.value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if id(node) in docstrings:   # prose, except the doctest lines a doctest run executes
                text = "\n".join(line for line in text.splitlines()
                                 if line.strip().startswith((">>>", "...")))
            hits += [(node.lineno, m.group(1), m.group(3)) for m in pattern.finditer(text)]
    return sorted(set(hits))


@pytest.fixture(scope="module")
def ready_ids() -> list[str]:
    ids = [c.id for c in load_cases().values() if c.ready]
    assert ids, "the catalogue has no ready case: nothing to guard against"
    return ids


@pytest.fixture(scope="module")
def entry_points() -> set[str]:
    names = case_id_entry_points(_python_files(SRC, "**/*.py"))
    assert CORE_ENTRY_POINTS <= names, sorted(CORE_ENTRY_POINTS - names)
    return names


def _library_files() -> list[Path]:
    tests = [p for p in _python_files(TESTS, "*.py") if p.name not in CATALOGUE_TESTS]
    return _python_files(SRC, "**/*.py") + tests


def _scan(ready_ids, entry_points) -> dict[tuple[str, str, str], list[int]]:
    found: dict[tuple[str, str, str], list[int]] = {}
    for path in _library_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, name, cid in case_ids_named(path.read_text(encoding="utf-8"), ready_ids, entry_points):
            found.setdefault((rel, name, cid), []).append(line)
    return found


def test_the_library_and_its_tests_name_no_ready_case(ready_ids, entry_points):
    """A library module or library test that builds a case's world, loads its checks or looks the case up by
    id depends on course content: move the test to cases/<id>/test_<id>.py, or use the ``transactions`` world
    or data the test builds."""
    found = _scan(ready_ids, entry_points)
    bad = [f"{rel}:{lines[0]}: {name}({cid!r}, ...)" for (rel, name, cid), lines in sorted(found.items())
           if (rel, name, cid) not in ALLOWED]
    assert not bad, ("library code or a library test names a ready case (see this file's docstring):\n  "
                     + "\n  ".join(bad))


def test_every_allowed_exception_is_still_needed(ready_ids, entry_points):
    """The list of exceptions stays exact: an exception nobody uses any more is removed from ALLOWED."""
    found = _scan(ready_ids, entry_points)
    unused = sorted(set(ALLOWED) - set(found))
    assert not unused, f"ALLOWED lists exceptions that no longer occur: {unused}"


def test_the_scan_finds_calls_notebook_code_and_doctests_but_not_prose():
    """The scanner itself, on a made-up module naming a made-up case 'demo_case'."""
    source = '''"""Module docstring: make("demo_case") in prose is fine.

>>> w = make("demo_case", seed=1)
"""
import crmlab
from crmlab.checks import Checker

# make("demo_case") in a comment is fine
world = crmlab.worlds.make("demo_case", seed=3)
check = Checker(case_id="demo_case", world=world)
other = crmlab.worlds.make("transactions")
unrelated = len("demo_case")
CELL = """w = crmlab.worlds.make('demo_case', n_customers=10)"""


def f():
    """Docstring: get_case("demo_case") in prose is fine."""
    return crmlab.cases.get_case("demo_case")
'''
    hits = case_ids_named(source, {"demo_case"}, {"make", "Checker", "get_case"})
    assert hits == [(1, "make", "demo_case"), (9, "make", "demo_case"), (10, "Checker", "demo_case"),
                    (13, "make", "demo_case"), (18, "get_case", "demo_case")]
    assert case_ids_named(source, {"other_case"}, {"make", "Checker", "get_case"}) == []
