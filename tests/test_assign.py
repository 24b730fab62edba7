"""`crmlab assign` (crmlab.assign): student version and answer key of a notebook with real exercise checks.

The notebook is an ABC drill on the library's generic ``transactions`` world (80 customers): it answers two
exercises registered by ``cases/abc_drill/checks.py`` of a throw-away project (fixture ``drill_project``,
``CRMLAB_HOME``), the way a case registers its checks. Executing the key must make every check pass and
executing the student version must make every check fail, as recorded in the executed notebooks
(``check_q1`` ...) and collected by ``crmlab batch``.
"""
import contextlib
import csv
import io

import nbformat
import pytest

from crmlab import cli
from crmlab.assign import Verification, answer_key, make_assignment, student_version
from crmlab.errors import CrmlabError

SETUP = """import crmlab
from crmlab import concentration
from crmlab.checks import Checker

world = crmlab.worlds.make("transactions", seed=seed, n_customers=n_customers)
check = Checker("abc_drill", world)
tx = world.tables["transactions"]
sales = (tx.assign(period=1 + (tx["date"] > tx["date"].median()).astype(int))
         .groupby(["customer_id", "period"])["amount"].sum().unstack("period").fillna(0.0))
sales = sales.reindex(world.tables["customers"]["customer_id"], fill_value=0.0)"""
Q1 = """# BEGIN SOLUTION
abc2 = concentration.abc_classify(sales[2])
share_a = float((abc2["class"] == "A").mean())
# END SOLUTION
check("q1", share_a)"""
Q3 = """# BEGIN SOLUTION
abc1 = concentration.abc_classify(sales[1])
abc2 = concentration.abc_classify(sales[2])
b_to_a = int(((abc1["class"] == "B") & (abc2["class"].reindex(abc1.index) == "A")).sum())
# END SOLUTION
check("q3", b_to_a)"""
AFTER = 'print("the checks are done; here is the world:", repr(world)[:20])'


# The drill's checks, as a case folder holds them: computed from the student's own world, with an explicit
# ABC rule (the class of the cumulative share reached before a customer; 80% / 95% cut-offs).
DRILL_CHECKS = """import numpy as np

from crmlab.checks import close, equal, exercise


def _sales(world):
    tx = world.tables["transactions"]
    period = 1 + (tx["date"] > tx["date"].median()).astype(int)
    sales = tx.groupby([tx["customer_id"], period])["amount"].sum().unstack().fillna(0.0)
    return sales.reindex(world.tables["customers"]["customer_id"], fill_value=0.0)


def _abc(values):
    v = values.sort_values(ascending=False, kind="stable")
    before = (v.cumsum() - v) / v.sum()
    cls = np.where(before < 0.8 - 1e-12, "A", np.where(before < 0.95 - 1e-12, "B", "C"))
    return dict(zip(v.index, cls))


@exercise("abc_drill", "q1", hint="Classify the customers by their period-2 sales and divide the number of "
                                  "class A customers by all customers.")
def q1(world, answer):
    cls = _abc(_sales(world)[2])
    return close(answer, sum(c == "A" for c in cls.values()) / len(cls), abs=5e-4, what="the share of class A")


@exercise("abc_drill", "q3", hint="Count the customers that are B in period 1 and A in period 2.")
def q3(world, answer):
    sales = _sales(world)
    one, two = _abc(sales[1]), _abc(sales[2])
    return equal(answer, sum(one[c] == "B" and two[c] == "A" for c in sales.index), what="the B-to-A movers")
"""


@pytest.fixture(autouse=True)
def drill_project(tmp_path, monkeypatch):
    """A throw-away project whose only case folder, abc_drill, registers the drill's two checks; notebook
    kernels inherit CRMLAB_HOME and find them there."""
    root = tmp_path / "drill_project"
    (root / "cases" / "abc_drill").mkdir(parents=True)
    (root / "cases" / "abc_drill" / "checks.py").write_text(DRILL_CHECKS, encoding="utf-8")
    monkeypatch.setenv("CRMLAB_HOME", str(root))
    return root


def write_nb(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("seed = 3  # random seed\nn_customers = 80  # customers")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# ABC drill"), params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="an output that must not reach the student\n")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def call_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def code(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_student_version_strips_solutions_keeps_checks_and_clears_outputs(tmp_path):
    nb = write_nb(tmp_path / "abc.ipynb", SETUP, Q1, Q3, AFTER)
    student = student_version(nb)
    src = code(student)
    assert src[0] == "seed = 3  # random seed\nn_customers = 80  # customers"  # parameters cell kept
    assert student.cells[1].metadata["tags"] == ["parameters"]
    assert src[2] == 'share_a = ...  # your answer\ncheck("q1", share_a)'
    assert src[3] == 'b_to_a = ...  # your answer\ncheck("q3", b_to_a)'
    joined = "\n".join(src)
    assert "SOLUTION" not in joined and "abc_classify" not in joined
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    key = answer_key(nb)
    assert code(key) == code(nbformat.read(str(nb), as_version=4)) and key.cells[2].outputs  # key unchanged


@pytest.mark.parametrize("extra, match", [
    ('print(f"{share_a:.1%}")', "code cell 6 reads 'share_a', which is unset (or ...) until the student answers"),
    ("n = len(abc1)", "code cell 6 reads 'abc1'"),
    ('check("q1", float(share_a))', "code cell 6 reads 'share_a'"),
])
def test_a_cell_that_would_fail_unanswered_is_refused_with_its_number(tmp_path, extra, match):
    nb = write_nb(tmp_path / "abc.ipynb", SETUP, Q1, Q3, AFTER, extra)
    with pytest.raises(CrmlabError, match=match.replace("(", r"\(").replace(")", r"\)")):
        student_version(nb)


def test_comprehension_variables_and_rebinding_are_not_mistaken_for_answers(tmp_path):
    """A name reused after the exercise (bound again outside a solution, or a comprehension variable)
    is safe: the lint must not refuse it."""
    loop = "# BEGIN SOLUTION\nc_ids = [c for c in sales.index]\nn = len(c_ids)\n# END SOLUTION\ncheck(\"q1\", n)"
    later = "print([c for c in 'ab'])\nabc2 = concentration.abc_classify(sales[2])\nprint(abc2.shape)"
    nb = write_nb(tmp_path / "abc.ipynb", SETUP, Q1, loop, later)
    assert "abc2 = concentration" in code(student_version(nb))[-1]


@pytest.mark.parametrize("cells, match", [
    ([SETUP, "x = 1"], "no '# BEGIN SOLUTION' block"),
    ([SETUP, "# BEGIN SOLUTION\nshare_a = 0.2\ncheck('q1', share_a)"], "code cell 3: a '# BEGIN SOLUTION' without"),
])
def test_notebook_without_or_with_unbalanced_markers_is_refused(tmp_path, cells, match):
    with pytest.raises(CrmlabError, match=match):
        student_version(write_nb(tmp_path / "abc.ipynb", *cells))


def test_verification_problems_name_each_bad_check():
    assert Verification({"check_q1": True}, {"check_q1": False}).problems == []
    assert Verification({"check_q1": False, "check_q3": True}, {"check_q1": False, "check_q3": True}).problems == [
        "check_q1 fails on the answer key", "check_q3 passes on the student version, before any answer"]
    assert Verification({"check_q1": True}, {}).problems == ["check_q1 is not checked in the student version"]
    assert "records no check results" in Verification({}, {}).problems[0]


def test_cli_assign_verify_runs_both_versions(tmp_path):
    """Executed: every check passes on the key and fails on the stripped notebook."""
    nb = write_nb(tmp_path / "abc.ipynb", SETUP, Q1, Q3, AFTER)
    rc, out, err = call_cli("assign", nb, "--out", tmp_path / "a", "--verify")
    assert rc == 0, err
    assert "verified: all 2 checks pass on the key and fail on the student version" in out
    assert (tmp_path / "a" / "student" / "abc.ipynb").exists() and (tmp_path / "a" / "key" / "abc.ipynb").exists()
    rc, _, err = call_cli("assign", nb, "--out", tmp_path / "a")
    assert rc == 2 and "exists; choose another --out or pass --force" in err


def test_batch_over_key_and_student_version_counts_right_and_wrong(tmp_path):
    """summary.csv gets one check_<exercise> column per check; the executed student notebook shows the
    check's verdict and hint to the student."""
    student, key = make_assignment(write_nb(tmp_path / "abc.ipynb", SETUP, Q1, Q3, AFTER), tmp_path / "a")
    (tmp_path / "roster.csv").write_text("student_id\ns001\n", encoding="utf-8")
    student = student.rename(tmp_path / "abc_student.ipynb")  # a batch needs distinct notebook names
    rc, _, err = call_cli("batch", key, student, "--roster", tmp_path / "roster.csv", "--out", tmp_path / "out")
    assert rc == 0, err
    with open(tmp_path / "out" / "summary.csv", encoding="utf-8", newline="") as f:
        rows = {r["notebook"]: r for r in csv.DictReader(f)}
    assert [rows["abc.ipynb"][c] for c in ("status", "check_q1", "check_q3")] == ["ok", "true", "true"]
    assert [rows["abc_student.ipynb"][c] for c in ("status", "check_q1", "check_q3")] == ["ok", "false", "false"]
    html = (tmp_path / "out" / "s001" / "abc_student.html").read_text(encoding="utf-8")
    assert "q1: ✘ not yet" in html and "hint: Classify the customers" in html
