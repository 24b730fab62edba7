"""The contract every case meets, run over every case folder (the model is scikit-learn's
sklearn/tests/test_common.py: one invariant suite over every component, so a new case gets it by existing).

For every case folder: the case file's schema, its sources (real documents, real lines) and its layout. For
every ready case with a world: determinism and schema, knob refusal generated from each Knob's declared type
and range, its frozen snapshot, and the notebook's parameters cell agreeing with the knobs' defaults. For every
case with checks: each exercise's declared right answer judged right and each declared classic mistake judged
wrong, at the default seed and at a seed no case was tuned on; the student version running top to bottom with
every check "not yet"; the answer key right at the untuned seed; no solution leaking across cells.

The untuned seed can be changed to sweep others: ``CRMLAB_CONTRACT_SEED=123 make test-fast``.
"""
from __future__ import annotations

import ast
import builtins
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

import crmlab
from crmlab import worlds
from crmlab._casemodules import case_file
from crmlab.cases import load_cases
from crmlab.checks import (Checker, NOT_ANSWERED, fixed_data_worlds, mistaken, points, registered, solve,
                           strip_solutions)
from crmlab.runner import declared_parameters
from crmlab.worlds import DEFAULT_SEED
from crmlab.worlds.snapshot import snapshot_knobs, verify_snapshot

ROOT = Path(__file__).resolve().parent.parent
CASES = load_cases()
READY = sorted(cid for cid, c in CASES.items() if c.ready)
WORLD_CASES = [cid for cid in READY if case_file(cid, "world").is_file()]
CHECKED = [cid for cid in READY if case_file(cid, "checks").is_file()]
#: A seed that no case, check or notebook was tuned on (override with CRMLAB_CONTRACT_SEED to sweep others).
UNTUNED_SEED = int(os.environ.get("CRMLAB_CONTRACT_SEED", "2718281"))
#: The files a case folder may hold, besides Python caches.
CASE_FILES = {"case.yaml", "world.py", "checks.py"}
MIN_EXERCISES = 4


def test_the_catalogue_has_ready_cases_for_the_contract_to_cover():
    """Guard against an empty parametrisation: the suite below would pass vacuously."""
    assert len(READY) >= 10 and len(WORLD_CASES) >= 8 and len(CHECKED) >= 9


# ------------------------------------------------------------------------------------------ case folders
@pytest.mark.parametrize("case_id", sorted(CASES))
def test_case_folder_holds_its_case_file_and_only_case_files(case_id):
    case = CASES[case_id]
    folder = ROOT / "cases" / case_id
    names = {p.name for p in folder.iterdir() if p.name != "__pycache__"}
    allowed = CASE_FILES | {f"test_{case_id}.py"}
    assert names <= allowed, f"cases/{case_id}/ holds {sorted(names - allowed)}; a case folder has {sorted(allowed)}"
    notebook = ROOT / case.notebook
    if case.ready:
        assert notebook.is_file(), f"{case_id} is ready but {case.notebook} is missing"
    else:
        assert names == {"case.yaml"}, f"{case_id} is planned: its folder holds only case.yaml, not {sorted(names)}"
        assert not notebook.exists(), f"{case_id} is planned but {case.notebook} exists: mark it ready"


def test_no_case_test_file_shares_a_name_with_a_library_test():
    """pytest imports test files by their base name: cases/rewards/test_rewards.py beside tests/test_rewards.py
    stopped the whole run at collection ("import file mismatch"). Library tests of a module that shares its
    name with a case are named test_<module>_library.py."""
    library = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    clashes = sorted(f"cases/{c}/test_{c}.py" for c in CASES if f"test_{c}.py" in library)
    assert not clashes, f"{clashes} share a file name with a test in tests/: rename the library test"


def test_every_notebook_belongs_to_a_ready_case():
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert nb.stem in READY, f"{nb.name} has no ready case folder cases/{nb.stem}/"


@pytest.mark.parametrize("case_id", [cid for cid in READY if CASES[cid].kind == "case"])
def test_ready_case_of_kind_case_has_world_and_enough_checked_exercises(case_id):
    """A case (not a method notebook, whose world and checks are optional) has its world and 4+ exercises."""
    assert case_id in WORLD_CASES, f"cases/{case_id}/world.py is missing"
    assert case_id in CHECKED, f"cases/{case_id}/checks.py is missing"
    assert len(registered(case_id)) >= MIN_EXERCISES


REVIEW_CASES = [cid for cid in READY if CASES[cid].kind == "review"]
MIN_REVIEW_EXERCISES = 15


@pytest.mark.parametrize("case_id", REVIEW_CASES)
def test_ready_review_has_no_world_both_editions_and_enough_checked_exercises(case_id):
    """A review (kind ``review``, e.g. crm_exam) checks what the case notebooks teach: no world.py, no
    snapshot, a notebook in both editions and 15 or more exercises, judged on no world at all."""
    assert not case_file(case_id, "world").is_file(), f"cases/{case_id}/world.py: a review has no world"
    assert not (ROOT / "datasets" / case_id).exists(), f"datasets/{case_id}/: a review has no data"
    assert case_id in CHECKED, f"cases/{case_id}/checks.py is missing"
    assert (ROOT / "notebooks" / "zh" / f"{case_id}.ipynb").is_file()
    assert len(registered(case_id)) >= MIN_REVIEW_EXERCISES
    assert fixed_data_worlds(case_id) == {"review": None}
    from crmlab.checks import graded_world_maker

    maker = graded_world_maker(case_id)
    assert maker is not None and maker({"seed": 1, "lang": "en"}) is None


@pytest.mark.parametrize("case_id", REVIEW_CASES)
def test_every_review_exercise_links_the_notebook_that_teaches_it(case_id):
    """checks.py maps every exercise to the catalogued case(s) that teach it (``TEACHES``); each hint ends
    with that link in its language, and in each edition the cell after the exercise's cell names it."""
    from crmlab._casemodules import load_case_module
    from crmlab.checks import _REGISTRY

    teaches = load_case_module(case_id, "checks").TEACHES
    assert sorted(teaches) == registered(case_id)
    for name, ids in teaches.items():
        assert ids and all(c in CASES and c != case_id for c in ids), f"{name}: {ids} not all in the catalogue"
        ex = _REGISTRY[(case_id, name)]
        for c in ids:
            assert f"notebooks/{c}.ipynb" in ex.hint and f"notebooks/zh/{c}.ipynb" in ex.hint_zh, name
    for folder in ("", "zh/"):
        cells = json.loads((ROOT / "notebooks" / f"{folder}{case_id}.ipynb").read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or "# BEGIN SOLUTION" not in src:
                continue
            name = next(n for n in teaches if f'check("{n}"' in src)
            after = "".join(cells[i + 1]["source"]) if i + 1 < len(cells) else ""
            for c in teaches[name]:
                assert f"notebooks/{folder}{c}.ipynb" in after, f"{folder}{case_id}: no link to {c} after {name}"


# ------------------------------------------------------------------------------------------------ worlds
def _small(case_id):
    return snapshot_knobs(case_id)


@pytest.mark.parametrize("case_id", WORLD_CASES)
def test_world_is_deterministic_and_follows_its_data_dictionary(case_id):
    """Same seed and knobs → identical tables and truth; another seed → other tables; columns and dtypes as
    declared; registered under its folder's name."""
    assert worlds.spec(case_id).case_id == case_id
    a = worlds.make(case_id, seed=DEFAULT_SEED, **_small(case_id))
    b = worlds.make(case_id, seed=DEFAULT_SEED, **_small(case_id))
    c = worlds.make(case_id, seed=UNTUNED_SEED, **_small(case_id))
    a.check_schema()
    c.check_schema()
    assert a.fingerprint() == b.fingerprint()
    assert json.dumps(a.truth_json(), sort_keys=True, default=str) == json.dumps(b.truth_json(), sort_keys=True,
                                                                                  default=str)
    assert a.fingerprint() != c.fingerprint()
    for knob in worlds.spec(case_id).knobs:
        assert knob.doc.strip(), f"knob {knob.name} of {case_id} has no documentation"
        knob.validate(knob.default, case_id)  # a default inside its own declared range


def _bad_values(knob):
    """Values a knob must refuse, generated from its declared kind, range and choices: (value, exception)."""
    bad = []
    if knob.kind is bool:
        bad += [(1, TypeError), ("yes", TypeError), (None, TypeError)]
    elif knob.kind is int:
        bad += [(str(knob.default), TypeError), (knob.default + 0.5, TypeError), (True, TypeError),
                (None, TypeError)]
    elif knob.kind is float:
        bad += [(str(knob.default), TypeError), (True, TypeError), (float("nan"), ValueError),
                (float("inf"), ValueError), (None, TypeError)]
    elif knob.kind is str:
        bad += [(3, TypeError), (None, TypeError)]
    if knob.choices is not None:
        bad.append(("not-one-of-the-choices", ValueError))
    step = 1 if knob.kind is int else 1e-9 * max(1.0, abs(knob.low or 0), abs(knob.high or 0))
    if knob.low is not None and knob.kind in (int, float) and math.isfinite(knob.low):
        bad.append((knob.kind(knob.low - step) if knob.kind is int else knob.low - step, ValueError))
    if knob.high is not None and knob.kind in (int, float) and math.isfinite(knob.high):
        bad.append((knob.kind(knob.high + step) if knob.kind is int else knob.high + step, ValueError))
    return bad


@pytest.mark.parametrize("case_id", WORLD_CASES)
def test_world_refuses_every_bad_knob_value_naming_the_knob(case_id):
    """For each declared knob, values of the wrong type, outside the declared range or not among the choices
    are refused before anything is drawn, with a message that names the knob; an unknown knob is refused too."""
    spec = worlds.spec(case_id)
    for knob in spec.knobs:
        cases = _bad_values(knob)
        assert cases, f"no bad values could be generated for knob {knob.name}"
        for value, exc in cases:
            with pytest.raises(exc, match=repr(knob.name)):
                worlds.make(case_id, **{knob.name: value})
        numeric_bounded = knob.kind in (int, float) and (knob.low is not None or knob.high is not None)
        assert numeric_bounded or knob.kind in (bool, str) or knob.choices, \
            f"numeric knob {knob.name} of {case_id} declares no range"
    with pytest.raises(ValueError, match="no knob 'not_a_knob'"):
        worlds.make(case_id, not_a_knob=1)


def test_knob_refusal_generator_produces_each_kind_of_bad_value():
    """The generator above is itself checked: on a knob with every property, every kind of bad value."""
    knob = worlds.Knob("k", 5, int, "doc", low=1, high=10)
    values = [v for v, _ in _bad_values(knob)]
    assert 0 in values and 11 in values and "5" in values and 5.5 in values
    fknob = worlds.Knob("f", 0.5, float, "doc", low=0.0, high=1.0)
    fvalues = [v for v, _ in _bad_values(fknob)]
    assert any(isinstance(v, float) and v < 0 for v in fvalues) and any(isinstance(v, float) and v > 1 for v in fvalues)


@pytest.mark.parametrize("case_id", worlds.available())
def test_snapshot_matches_the_regenerated_world(case_id):
    """Independent check: the sha256 of freshly generated files against the hashes stored with the data."""
    assert verify_snapshot(case_id) == []


def _notebook_defaults(path: Path) -> dict:
    return {name: ast.literal_eval(p["default"]) for name, p in declared_parameters(path).items()}


@pytest.mark.parametrize("case_id", WORLD_CASES)
def test_notebook_parameters_repeat_the_world_defaults(case_id):
    """Every world knob the notebook's parameters cell repeats has the knob's default; the seed is the default
    seed; ``lang`` is there. A knob's default is declared once, in its Knob."""
    defaults = _notebook_defaults(ROOT / CASES[case_id].notebook)
    knobs = {k.name: k.default for k in worlds.spec(case_id).knobs}
    assert defaults.get("seed") == DEFAULT_SEED
    assert defaults.get("lang") == "en"
    shared = sorted(set(defaults) & set(knobs))
    assert shared, f"the parameters cell of {case_id} repeats none of its world's knobs"
    differ = {n: (defaults[n], knobs[n]) for n in shared if defaults[n] != knobs[n]
              or type(defaults[n]) is not type(knobs[n])}
    assert not differ, f"{case_id}: notebook default != knob default for {differ}"


# ------------------------------------------------------------------------------------------------ checks
def _check_worlds(case_id):
    fixed = fixed_data_worlds(case_id)
    if fixed is not None:
        return [(f"{case_id}-{label}", (lambda w=w: w)) for label, w in fixed.items()]
    return [(f"{case_id}-seed{s}", (lambda s=s: worlds.make(case_id, seed=s))) for s in (DEFAULT_SEED, UNTUNED_SEED)]


_WORLD_CACHE: dict = {}


def _world(case_id, label, make):
    key = (case_id, label)
    if key not in _WORLD_CACHE:
        _WORLD_CACHE.clear()  # one world at a time: the tests of one world run together
        _WORLD_CACHE[key] = make()
    return _WORLD_CACHE[key]


CHECK_PARAMS = [pytest.param(cid, label, make, id=label) for cid in CHECKED for label, make in _check_worlds(cid)]


@pytest.mark.parametrize("case_id, label, make", CHECK_PARAMS)
def test_declared_right_answers_are_judged_right(case_id, label, make):
    """The answers computed the notebook's way (checks.py ``@solutions``) pass the checks, which compute their
    expected values independently: two computations agreeing, at the default seed and an untuned one."""
    world = _world(case_id, label, make)
    answers = solve(case_id, world)
    assert sorted(answers) == registered(case_id)
    check = Checker(case_id, world)
    for name, answer in answers.items():
        result = check(name, answer)
        assert result, f"{label} {name}: the declared right answer {answer!r} was judged wrong: {result}"


@pytest.mark.parametrize("case_id, label, make", CHECK_PARAMS)
def test_declared_classic_mistakes_are_judged_wrong(case_id, label, make):
    """Every exercise declares at least one plausible wrong answer (the classic mistake); its check refuses
    each, with a message that does not reveal the expected value."""
    world = _world(case_id, label, make)
    wrong = mistaken(case_id, world)
    assert sorted(wrong) == registered(case_id), "every exercise declares at least one classic mistake"
    check = Checker(case_id, world)
    right = solve(case_id, world)
    for name, mistakes in wrong.items():
        assert mistakes, f"{name} declares no mistake"
        for what, answer in mistakes.items():
            result = check(name, answer)
            assert not result, f"{label} {name}: the mistake '{what}' ({answer!r}) was judged right: {result}"
            expected = right[name]
            if isinstance(expected, float) and math.isfinite(expected) and abs(expected) > 1e-9:
                shown = result.message
                if isinstance(answer, (int, float)):  # the student's own number may be echoed, sign and all
                    for fmt in (".4g", ".3g", ".5f", ".4f", ".3f"):
                        shown = shown.replace(format(answer, fmt), "")
                assert format(expected, ".4g") not in shown, \
                    f"{label} {name}: the message reveals the expected value: {result.message}"


@pytest.mark.parametrize("case_id", CHECKED)
def test_unanswered_exercises_are_not_yet_and_points_are_declared(case_id):
    world = _world(case_id, *_check_worlds(case_id)[0])
    check = Checker(case_id, world)
    for name in registered(case_id):
        result = check(name, NOT_ANSWERED)
        assert not result and "no answer yet" in result.message
    assert all(p > 0 for p in points(case_id).values())


# --------------------------------------------------------------------------------------------- notebooks
def _code_cells(case_id):
    nb = json.loads((ROOT / CASES[case_id].notebook).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _parse(source):
    """A cell as Python, IPython magics (``%matplotlib inline``) turned into calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def _names(tree, ctx):
    out = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
    if ctx is ast.Store:
        for n in ast.walk(tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                out |= {(a.asname or a.name).split(".")[0] for a in n.names}
            elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                out.add(n.name)
            elif isinstance(n, ast.arg):
                out.add(n.arg)
    return out


@pytest.mark.parametrize("case_id", CHECKED)
def test_stripping_leaves_no_solution_and_every_exercise_its_check(case_id):
    """One solution block per exercise; after stripping, no solution line survives, each answer becomes
    ``name = ...``, and the check call stays for the student."""
    code = _code_cells(case_id)
    with_solution = [src for src in code if "# BEGIN SOLUTION" in src]
    assert len(with_solution) == len(registered(case_id))
    checked = set()
    for src in with_solution:
        stripped = strip_solutions(src)
        assert "SOLUTION" not in stripped
        body = src.split("# BEGIN SOLUTION")[1].split("# END SOLUTION")[0]
        for line in body.splitlines()[1:]:
            if "=" in line and line.split("=", 1)[1].strip():
                assert line.strip() not in stripped.splitlines(), f"solution code survives stripping: {line!r}"
        assert "= ...  # your answer" in stripped
        checked |= {n.args[0].value for n in ast.walk(_parse(stripped)) if isinstance(n, ast.Call)
                    and getattr(n.func, "id", None) == "check" and n.args and isinstance(n.args[0], ast.Constant)}
    assert checked == set(registered(case_id)), f"exercises checked after stripping: {sorted(checked)}"


@pytest.mark.parametrize("case_id", CHECKED)
def test_no_solution_leaks_across_cells(case_id):
    """After stripping, no cell may read a name that only a solution defined (it would be gone), nor an answer
    placeholder outside its own exercise cell (it would hold ``...``)."""
    cells = [strip_solutions(src) for src in _code_cells(case_id)]
    trees = [_parse(src) for src in cells]
    defined = set(dir(builtins)) | {"get_ipython"}  # what a kernel provides
    defined = defined.union(*(_names(t, ast.Store) for t in trees))
    placeholders = {}
    for i, src in enumerate(cells):
        for line in src.splitlines():
            if line.endswith("= ...  # your answer"):
                placeholders[line.split("=")[0].strip()] = i
    assert len(placeholders) == len(registered(case_id))
    for i, tree in enumerate(trees):
        read = _names(tree, ast.Load)
        assert not read - defined, f"cell {i} reads {sorted(read - defined)}, defined only in a solution"
        foreign = {n for n in read & set(placeholders) if placeholders[n] != i}
        assert not foreign, f"cell {i} reads the answer placeholder(s) {sorted(foreign)} of another exercise"


@pytest.mark.slow
@pytest.mark.parametrize("case_id", CHECKED)
def test_student_version_runs_unanswered_and_the_key_is_right_at_an_untuned_seed(case_id, tmp_path):
    """Executed for real (papermill): the student version, solutions stripped, runs top to bottom with every
    check "not yet", and the answer key passes every check, both with the untuned seed."""
    from crmlab.assign import make_assignment, verify_assignment

    student, key = make_assignment(ROOT / CASES[case_id].notebook, tmp_path)
    params = {"seed": UNTUNED_SEED} if "seed" in declared_parameters(student) else {}
    result = verify_assignment(student, key, tmp_path, parameters=params)
    assert result.problems == []
    assert sorted(result.key) == sorted(f"check_{n}" for n in registered(case_id))
    assert all(v is False for v in result.student.values()) and len(result.student) == len(result.key)


# ------------------------------------------------------------------------------------ the Chinese edition
CJK = __import__("re").compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("case_id", READY)
def test_case_file_gives_objectives_and_questions_in_both_languages(case_id):
    case = CASES[case_id]
    assert CJK.search(case.title_zh), f"{case_id}: the Chinese title has no Chinese"
    for en, zh in ((case.learning_objectives, case.learning_objectives_zh),
                   (case.discussion_questions, case.discussion_questions_zh)):
        assert len(zh) == len(en) and all(CJK.search(t) for t in zh), f"{case_id}: Chinese objectives/questions"


@pytest.mark.parametrize("case_id", WORLD_CASES)
def test_world_data_dictionary_speaks_chinese(case_id):
    """The Chinese edition shows the data dictionary and, at the end, the mechanism in Chinese: every table,
    column and knob has a Chinese description."""
    spec = worlds.spec(case_id)
    assert CJK.search(spec.title_zh) and CJK.search(spec.description_zh), f"{case_id}: title_zh, description_zh"
    missing = [k.name for k in spec.knobs if not CJK.search(k.doc_zh)]
    missing += [t.name for t in spec.tables if not CJK.search(t.doc_zh)]
    missing += [f"{t.name}.{c.name}" for t in spec.tables for c in t.columns if not CJK.search(c.doc_zh)]
    assert not missing, f"{case_id}: no Chinese description (doc_zh) for {missing}"


@pytest.mark.parametrize("case_id, label, make", CHECK_PARAMS)
def test_checks_speak_chinese_with_the_same_verdicts(case_id, label, make):
    """In the Chinese edition every verdict is the same as in English, and the message and hint are Chinese."""
    world = _world(case_id, label, make)
    en, zh = Checker(case_id, world), Checker(case_id, world, lang="zh")
    answers = {name: [answer] for name, answer in solve(case_id, world).items()}
    for name, mistakes in mistaken(case_id, world).items():
        answers[name] += list(mistakes.values())
    for name, tried in answers.items():
        for answer in [*tried, NOT_ANSWERED]:
            a, b = en(name, answer), zh(name, answer)
            assert a.ok == b.ok, f"{label} {name}: right in one language, wrong in the other for {answer!r}"
            assert CJK.search(b.message), f"{label} {name}: the Chinese message is not Chinese: {b.message}"
            assert b.ok or CJK.search(b.hint), f"{label} {name}: no Chinese hint"


@pytest.mark.parametrize("case_id, name", [(cid, n) for cid in READY for n in ("world", "checks")
                                           if case_file(cid, n).is_file()
                                           and ">>>" in case_file(cid, n).read_text(encoding="utf-8")])
def test_case_modules_docstring_examples(case_id, name):
    """The examples in a case's world.py and checks.py docstrings, run on the module crmlab loads (pytest's
    doctest collection skips these files: see cases/conftest.py)."""
    import doctest

    from crmlab._casemodules import load_case_module

    result = doctest.testmod(load_case_module(case_id, name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"cases/{case_id}/{name}.py has '>>>' but doctest found no example"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in cases/{case_id}/{name}.py"
