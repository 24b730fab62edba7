"""`crmlab assign` (crmlab.assign): student version and answer key of a notebook with real exercise checks.

The notebook is a small version of the distributor ABC case: it builds the ``distributor_abc`` world
(80 customers) and answers two of that case's registered exercises (crmlab/checks/distributor_abc.py).
Executing the key must make every check pass and executing the student version must make every check
fail, as recorded in the executed notebooks (``check_q1`` ...) and collected by ``crmlab batch``.
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

world = crmlab.worlds.make("distributor_abc", seed=seed, n_customers=n_customers)
check = Checker("distributor_abc", world)
orders = world.tables["orders"]
sales = orders.groupby(["customer_id", "period"])["amount"].sum().unstack("period").fillna(0.0)
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
