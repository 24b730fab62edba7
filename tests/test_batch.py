"""`crmlab batch` (crmlab.batch) on tiny notebooks written into a temporary folder.

The notebooks compute their results from their parameters (``answer = 2 * seed``), so the summary can be
checked against the roster and :func:`student_seed` independently of the batch machinery; failures,
kernel deaths, worker deaths and timeouts are provoked on purpose by the notebooks themselves.
"""
import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from crmlab import cli
from crmlab.batch import (SUMMARY_COLUMNS, execute_runs, plan_runs, read_grid, read_roster, run_batch,
                          student_seed)
from crmlab.errors import CrmlabError, ParameterError

PARAMS = 'seed = 1  # random seed\nlabel = "x"  # a text parameter\nsize = 10  # a size'
BODY = ("import crmlab\n_ = crmlab.record('answer', seed * 2)\n_ = crmlab.record('label', label)\n"
        "assert label != 'boom', 'label boom is refused'")


def write_nb(path, params=PARAMS, *cells, title="Tiny case"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\nsome text"), p,
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def call_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def listing(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------------------ seeds
def test_student_seed_is_stable_across_processes_and_distinct_between_students():
    """Python's own hash() changes with PYTHONHASHSEED; the student seed must not."""
    ids = ["s001", "s002", "张伟", "alice@uni.edu"]
    code = f"from crmlab.batch import student_seed; print([student_seed(i) for i in {ids!r}])"
    for hashseed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": hashseed})
        assert json.loads(proc.stdout) == [student_seed(i) for i in ids]
    many = [student_seed(f"s{i:05d}") for i in range(3000)]
    assert len(set(many)) == len(many)
    assert all(0 <= s < 2**31 for s in many)
    assert student_seed(" s001 ") == student_seed("s001") != student_seed("S001")
    with pytest.raises(ValueError, match="student_id"):
        student_seed("  ")


# ----------------------------------------------------------------------------------- a class of three
@pytest.fixture(scope="module")
def class_batch(tmp_path_factory):
    """Three students: s001 sets label=a, s002 leaves it empty (default "x"), s003's "boom" fails."""
    root = tmp_path_factory.mktemp("class")
    nb = write_nb(root / "nb" / "tiny.ipynb", PARAMS, BODY)
    roster = root / "roster.csv"
    roster.write_text("student_id,label\ns001,a\ns002,\ns003,boom\n", encoding="utf-8")
    out = root / "out"
    rc, stdout, stderr = call_cli("batch", nb, "--roster", roster, "--out", out, "--workers", 2)
    return {"root": root, "nb": nb, "roster": roster, "out": out, "rc": rc, "stdout": stdout, "stderr": stderr,
            "rows": read_csv(out / "summary.csv")}


def test_batch_summary_has_the_issue_columns_and_each_students_seed(class_batch):
    rows = class_batch["rows"]
    # the parameters each run was given follow the fixed columns; then the results it recorded
    assert list(rows[0]) == [*SUMMARY_COLUMNS, "param_label", "answer", "label"]
    assert [r["param_label"] for r in rows] == ["a", "x", "boom"]  # s002's empty cell: the notebook's default
    assert [r["student_id"] for r in rows] == ["s001", "s002", "s003"]
    for r in rows:
        assert int(r["seed"]) == student_seed(r["student_id"])
        assert r["notebook"] == "tiny.ipynb" and r["run_id"] == f"{r['student_id']}__tiny"
    ok = rows[:2]
    assert [r["status"] for r in ok] == ["ok", "ok"]
    # the notebook doubled the seed it was given: the seed reached the notebook
    assert [int(r["answer"]) for r in ok] == [2 * student_seed("s001"), 2 * student_seed("s002")]
    assert [r["label"] for r in ok] == ["a", "x"]  # an empty roster cell keeps the notebook's default
    assert all(float(r["seconds"]) > 0 for r in ok)


def test_failed_run_reports_first_error_line_and_exit_status_is_nonzero(class_batch):
    failed = class_batch["rows"][2]
    assert failed["status"] == "failed"
    assert "AssertionError: label boom is refused" in failed["error"] and "\n" not in failed["error"]
    assert class_batch["rc"] == 1
    assert "3 run(s)" in class_batch["stdout"] and "2 ok, 1 failed, 0 cached" in class_batch["stdout"]
    assert "failed s003__tiny: " in class_batch["stdout"]
    # progress on a non-terminal: one line per finished run
    lines = class_batch["stderr"].splitlines()
    assert sorted(line.split()[0] for line in lines) == ["[1/3]", "[2/3]", "[3/3]"]


def test_progress_bar_redraws_one_line_on_a_terminal(small):
    from crmlab.batch import Outcome, _Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    folder, nb = small
    runs = plan_runs([nb], folder / "out", grid=[{"size": 1}, {"size": 2}])
    stream = Tty()
    bar = _Progress(2, stream)
    bar.update(Outcome(runs[0], "ok"))
    bar.update(Outcome(runs[1], "failed", error="boom"))
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.count("\n") == 1 and text.endswith("\n")
    assert "[" + "#" * 15 + "-" * 15 + "] 1/2  ok 1  failed 0  cached 0" in text
    assert "] 2/2  ok 1  failed 1  cached 0  remaining 0" in text
    assert "remaining 1" in text and "eta " in text  # after one run that executed, the time left at its pace


def test_eta_counts_only_runs_that_executed(small):
    """Cached runs finish at once: the pace (and so the estimate) comes from runs that really ran."""
    from crmlab.batch import Outcome, _Progress

    folder, nb = small
    runs = plan_runs([nb], folder / "out", grid=[{"size": s} for s in (1, 2, 3)])
    bar = _Progress(3, None)
    bar.update(Outcome(runs[0], "cached"))
    assert bar.eta() == ""
    bar.t0 -= 10.0  # ten seconds for the one run that executed next
    bar.update(Outcome(runs[1], "ok"))
    assert bar.eta() in ("eta 10 s", "eta 11 s")


def test_each_run_writes_notebook_and_html_and_a_failure_no_complete_looking_notebook(class_batch):
    files = listing(class_batch["out"])
    for sid in ("s001", "s002"):
        assert f"{sid}/tiny.ipynb" in files and f"{sid}/tiny.html" in files
    assert "s003/tiny.ipynb" not in files and "s003/tiny.html" not in files
    assert "s003/tiny.failed.ipynb" in files
    assert not [f for f in files if f.split("/")[-1].startswith(".") and not f.endswith(".done.json")]


def test_index_links_every_completed_run_and_shows_the_failure(class_batch):
    out = class_batch["out"]
    index = (out / "index.html").read_text(encoding="utf-8")
    for sid in ("s001", "s002"):
        assert f'href="{sid}/tiny.html"' in index
        html = (out / sid / "tiny.html").read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>") and f"recorded answer = {2 * student_seed(sid)}" in html
    assert 'href="s003/tiny.html"' not in index
    assert "label boom is refused" in index and "Tiny case" in index  # the notebook's own title


def test_rerun_reuses_completed_runs_and_force_reruns_them(class_batch, tmp_path):
    out = class_batch["out"]
    before = (out / "s001" / "tiny.ipynb").stat().st_mtime_ns
    rc, _, _ = call_cli("batch", class_batch["nb"], "--roster", class_batch["roster"], "--out", out)
    rows = read_csv(out / "summary.csv")
    assert rc == 1 and [r["status"] for r in rows] == ["cached", "cached", "failed"]
    assert rows[0]["answer"] == class_batch["rows"][0]["answer"]  # results come back from the cache
    assert (out / "s001" / "tiny.ipynb").stat().st_mtime_ns == before
    # a one-student roster, forced: executed again
    one = tmp_path / "one.csv"
    one.write_text("student_id,label\ns001,a\n", encoding="utf-8")
    rc, _, _ = call_cli("batch", class_batch["nb"], "--roster", one, "--out", out, "--force")
    assert rc == 0 and read_csv(out / "summary.csv")[0]["status"] == "ok"
    assert (out / "s001" / "tiny.ipynb").stat().st_mtime_ns > before


def test_changed_parameters_are_not_served_from_the_cache(class_batch, tmp_path):
    """The cache key covers the parameters: another label for s001 must execute, not reuse."""
    other = tmp_path / "r.csv"
    other.write_text("student_id,label\ns001,b\n", encoding="utf-8")
    out = tmp_path / "o"
    shutil.copytree(class_batch["out"] / "s001", out / "s001")
    report = run_batch([class_batch["nb"]], out, roster=other, progress=None)
    assert report.outcomes[0].status == "ok" and report.outcomes[0].results["label"] == "b"


# ------------------------------------------------------------------------------------------ validation
@pytest.fixture
def small(tmp_path):
    nb = write_nb(tmp_path / "tiny.ipynb", PARAMS, BODY)
    return tmp_path, nb


@pytest.mark.parametrize("roster, extra, match", [
    ("student_id,lable\ns1,red\n", [],
     "roster column 'lable' is not a parameter of the notebook(s); did you mean 'label'?"),
    ("student_id,size\ns1,ten\n", [], "roster line 2 (student 's1'): parameter 'size' expects int"),
    ("student_id,label\ns1,a\n", ["-p", "nope", "1"], "parameter 'nope' is not declared"),
    ("student_id,label\ns1,a\n", ["-p", "size", "1.5"], "parameter 'size' expects int"),
    ("student_id,label\ns1,a\n", ["-p", "seed", "3"], "'seed' is given both by -p and by the roster's student_id"),
    ("student_id,label\ns1,a\n", ["-p", "label", "b"], "'label' is given both by -p and by the roster"),
    ("name,label\ns1,a\n", [], "needs a 'student_id' column; found: name, label"),
    ("student_id,label\ns1,a\ns1,b\n", [], "line 3: student_id 's1' already on line 2"),
    ("student_id,label\n,a\n", [], "line 2: empty student_id"),
    ("student_id,label\n", [], "no students"),
    ("student_id\nAb\nab\n", [], "student ids that differ only in letter case"),
])
def test_bad_roster_or_parameter_is_one_error_line_and_nothing_runs(small, roster, extra, match):
    folder, nb = small
    (folder / "roster.csv").write_text(roster, encoding="utf-8")
    rc, out, err = call_cli("batch", nb, "--roster", folder / "roster.csv", "--out", folder / "out", *extra)
    assert rc == 2 and err.count("\n") == 1 and err.startswith("crmlab: error: ")
    assert match in err, err
    assert not (folder / "out").exists()


@pytest.mark.parametrize("grid, match", [
    ({"x; import os": [1]}, "'x; import os' is not a Python identifier"),
    ({"size": [1, "two"]}, "grid point {'size': 'two'}: parameter 'size' expects int"),
    ({"size": 3}, "'size' must be a non-empty list of values"),
    ({"undeclared": [1, 2]}, "parameter 'undeclared' is not declared"),
])
def test_bad_grid_is_refused_before_anything_runs(small, grid, match):
    import yaml

    folder, nb = small
    (folder / "grid.yaml").write_text(yaml.safe_dump(grid), encoding="utf-8")
    with pytest.raises(CrmlabError, match=re.escape(match)):
        run_batch([nb], folder / "out", grid=folder / "grid.yaml", progress=None)
    assert not (folder / "out").exists()


@pytest.mark.parametrize("option, match", [("--workers", "workers must be >= 1"),
                                           ("--timeout", "timeout must be >= 1")])
def test_workers_and_timeout_must_be_positive(small, option, match):
    folder, nb = small
    rc, _, err = call_cli("batch", nb, "--out", folder / "out", option, 0)
    assert rc == 2 and match in err and not (folder / "out").exists()


def test_two_notebooks_with_one_name_are_refused(small):
    folder, nb = small
    other = write_nb(folder / "sub" / "tiny.ipynb", PARAMS, BODY)
    with pytest.raises(CrmlabError, match="two notebooks would write the same outputs"):
        plan_runs([nb, other], folder / "out")


def test_code_in_a_parameter_value_never_reaches_a_notebook(small):
    """Names are checked, values must be plain JSON of the declared type: a dict for an int is refused."""
    folder, nb = small
    with pytest.raises(ParameterError, match="'size' expects int"):
        plan_runs([nb], folder / "out", params={"size": {"__import__('os')": 1}})


def test_grid_is_the_cartesian_product_with_distinct_safe_run_ids(small):
    folder, nb = small
    (folder / "grid.yaml").write_text("size: [5, 10]\nlabel: [a, 'b c/d']\n", encoding="utf-8")
    points = read_grid(folder / "grid.yaml")
    assert points == [{"size": 5, "label": "a"}, {"size": 5, "label": "b c/d"},
                      {"size": 10, "label": "a"}, {"size": 10, "label": "b c/d"}]
    (folder / "r.csv").write_text("student_id\nAnn Lee\nbo/b\n", encoding="utf-8")
    runs = plan_runs([nb], folder / "out", roster=read_roster(folder / "r.csv"), grid=points)
    assert len(runs) == 8 and len({r.run_id for r in runs}) == 8 and len({r.ipynb for r in runs}) == 8
    for r in runs:
        assert all(ch.isalnum() or ch in "._=-" for ch in r.run_id) and not r.run_id.startswith(".")
        assert r.ipynb.is_absolute() and r.ipynb.parent.parent == (folder / "out").resolve()
        assert r.parameters["seed"] == student_seed(r.student_id) == r.seed
    assert runs[0].ipynb.name == "tiny__size=5_label=a.ipynb"
    # planning again gives the same ids (stable), and other students get other folders
    again = plan_runs([nb], folder / "out", roster=read_roster(folder / "r.csv"), grid=points)
    assert [r.run_id for r in again] == [r.run_id for r in runs]
    assert runs[0].ipynb.parent != runs[4].ipynb.parent


def test_a_new_world_generator_version_invalidates_the_cache(small, monkeypatch):
    """Same notebook and parameters, but a world now draws other numbers for the seed: a new cache key."""
    import dataclasses

    from crmlab.worlds import _core

    folder, nb = small
    before = plan_runs([nb], folder / "out")[0].key
    assert plan_runs([nb], folder / "out")[0].key == before
    bumped = dataclasses.replace(_core.spec("transactions"), version="999")
    monkeypatch.setitem(_core._REGISTRY, "transactions", bumped)
    assert plan_runs([nb], folder / "out")[0].key != before


# ---------------------------------------------------------------------------- failures that kill things
def test_dead_kernel_is_retried_once_and_a_dying_worker_spares_the_others(tmp_path):
    once = write_nb(tmp_path / "once.ipynb", "seed = 1", "import os, pathlib\nflag = pathlib.Path('died-once')\n"
                    "if not flag.exists():\n    flag.touch()\n    os._exit(1)\nimport crmlab\n"
                    "_ = crmlab.record('answer', seed)")
    always = write_nb(tmp_path / "always.ipynb", "seed = 1", "import os\nos._exit(1)")
    killer = write_nb(tmp_path / "killer.ipynb", "seed = 1", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    runs = plan_runs([once, always, killer], tmp_path / "out")
    outcomes = {o.run.run_id: o for o in execute_runs(runs, workers=2, timeout=60, progress=None)}
    assert (outcomes["once"].status, outcomes["once"].attempts) == ("ok", 2), outcomes["once"].error
    assert outcomes["once"].results == {"answer": 1}
    assert (tmp_path / "died-once").exists()  # the notebook ran in its own folder (cwd), twice
    assert outcomes["always"].status == "failed" and outcomes["always"].attempts == 2
    assert outcomes["always"].error.startswith("kernel died")
    assert outcomes["killer"].status == "failed" and outcomes["killer"].attempts == 2
    assert outcomes["killer"].error == "worker process died (exit code -9)"
    assert listing(tmp_path / "out") == [".once.done.json", "once.html", "once.ipynb"]


def test_a_run_over_its_time_is_killed_and_leaves_no_partial_notebook(tmp_path):
    slow = write_nb(tmp_path / "slow.ipynb", "seed = 1", "import time\ntime.sleep(120)")
    report = run_batch([slow], tmp_path / "out", timeout=5, progress=None)
    (outcome,) = report.outcomes
    assert outcome.status == "failed" and outcome.error == "timed out after 5 s"
    assert outcome.attempts == 1  # a timeout is not retried
    assert listing(tmp_path / "out") == ["index.html", "summary.csv"]  # no notebook, no temporary file
    assert report.failed == 1


def test_kernel_deaths_are_told_apart_from_notebook_errors():
    from nbclient.exceptions import DeadKernelError

    from crmlab.batch import _kernel_died
    from crmlab.errors import CrmlabError

    assert _kernel_died(DeadKernelError("Kernel died"))
    assert _kernel_died(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert _kernel_died(RuntimeError("Kernel died before replying to kernel_info"))
    assert not _kernel_died(CrmlabError("tiny.ipynb failed in cell 2: ZeroDivisionError: division by zero"))


# ------------------------------------------------------------------------------- roster data and the summary
def test_roster_columns_that_are_no_parameter_are_kept_as_data_and_semicolons_are_read(small):
    """A roster exported from a grade book has name, email and section columns, and a spreadsheet in a
    decimal-comma locale separates cells with semicolons: both run, and the summary carries the data."""
    folder, nb = small
    roster = folder / "roster.csv"
    roster.write_text("student_id;name;email;section;size\ns1;Lee, Ann;ann@uni.edu;A;5\ns2;Wu Bo;;B;\n",
                      encoding="utf-8")
    students = read_roster(roster)
    assert [s.columns for s in students] == [{"name": "Lee, Ann", "email": "ann@uni.edu", "section": "A", "size": "5"},
                                             {"name": "Wu Bo", "section": "B"}]
    rc, out, err = call_cli("batch", nb, "--roster", roster, "--out", folder / "out", "-p", "label", "y")
    assert rc == 0, out + err
    assert "roster column(s) kept as roster data, not parameters: name, email, section" in err
    rows = read_csv(folder / "out" / "summary.csv")
    assert list(rows[0]) == [*SUMMARY_COLUMNS, "name", "email", "section", "param_label", "param_size",
                             "answer", "label"]
    assert [(r["name"], r["email"], r["section"]) for r in rows] == [("Lee, Ann", "ann@uni.edu", "A"),
                                                                     ("Wu Bo", "", "B")]
    assert [(r["param_label"], r["param_size"]) for r in rows] == [("y", "5"), ("y", "10")]  # s2: default size
    index = (folder / "out" / "index.html").read_text(encoding="utf-8")
    assert "s1 · name: Lee, Ann, email: ann@uni.edu, section: A" in index


def test_a_roster_data_column_named_like_a_summary_column_is_prefixed(small):
    from crmlab.batch import Outcome, write_summary

    folder, nb = small
    (folder / "r.csv").write_text("student_id,status,answer\ns1,enrolled,42\n", encoding="utf-8")
    (run,) = plan_runs([nb], folder / "out", roster=read_roster(folder / "r.csv"))
    assert run.roster == {"status": "enrolled", "answer": "42"} and "status" not in run.parameters
    (folder / "out").mkdir()
    write_summary(folder / "out", [Outcome(run, "ok", results={"answer": 7})])
    (row,) = read_csv(folder / "out" / "summary.csv")
    assert (row["status"], row["roster_status"], row["answer"], row["roster_answer"]) == ("ok", "enrolled", "7", "42")


# ------------------------------------------------------------------------------------- what a run must be
def test_a_notebook_that_calls_sys_exit_fails_and_is_never_cached(tmp_path):
    """papermill treats sys.exit() as a clean end and skips the remaining cells; crmlab must not call that
    run ok (nor cache it for the next batch)."""
    early = write_nb(tmp_path / "early.ipynb", "seed = 1", "import crmlab, sys\n_ = crmlab.record('a', 1)",
                     "sys.exit()", "_ = crmlab.record('b', 2)")
    last = write_nb(tmp_path / "last.ipynb", "seed = 1", "raise SystemExit(0)")
    for _ in range(2):  # the second batch must run them again, not reuse them
        report = run_batch([early, last], tmp_path / "out", progress=None)
        early_o, last_o = report.outcomes
        assert early_o.status == last_o.status == "failed"
        assert "SystemExit" in early_o.error and "1 of 4 code cells did not run" in early_o.error, early_o.error
        assert "SystemExit" in last_o.error and "0 of 2 code cells did not run" in last_o.error, last_o.error
    files = listing(tmp_path / "out")
    assert "early.ipynb" not in files and "early.failed.ipynb" in files and ".early.done.json" not in files


def test_a_failed_rerun_keeps_the_earlier_result_and_says_so(small):
    """--force (or an edited notebook) re-runs a finished run: its earlier notebook and page are replaced
    only by a complete new pair, so a failing re-run leaves them, and the summary and index say so."""
    folder, nb = small
    out = folder / "out"
    report = run_batch([nb], out, params={"label": "a"}, progress=None)
    assert report.outcomes[0].status == "ok"
    before = {name: (out / name).read_bytes() for name in ("tiny.ipynb", "tiny.html")}
    write_nb(nb, PARAMS, BODY, "raise ValueError('the notebook is broken now')")  # edited: the cache is invalid
    report = run_batch([nb], out, params={"label": "a"}, progress=None)
    assert {name: (out / name).read_bytes() for name in before if (out / name).exists()} == before
    (o,) = report.outcomes
    assert o.status == "failed" and o.kept and "ValueError: the notebook is broken now" in o.error
    (row,) = read_csv(out / "summary.csv")
    assert row["status"] == "failed" and "(the earlier result is kept: tiny.html)" in row["error"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="tiny.html"' in index and "the earlier result is kept" in index
    assert "tiny.failed.ipynb" in listing(out) and not [f for f in listing(out) if ".new." in f]
    # fixed again: the new result replaces the old one and the partial notebook of the failure goes
    write_nb(nb, PARAMS, BODY, "_ = crmlab.record('fixed', True)")
    (o,) = run_batch([nb], out, params={"label": "a"}, progress=None).outcomes
    assert o.status == "ok" and o.results["fixed"] is True
    assert "tiny.failed.ipynb" not in listing(out)
    assert (out / "tiny.ipynb").read_bytes() != before["tiny.ipynb"]


def test_notebook_and_page_of_a_run_are_readable_alike(class_batch):
    """On a shared class server both must follow the umask: the notebook was 0600, its page 0644."""
    umask = os.umask(0o022)
    os.umask(umask)
    for sid in ("s001", "s002"):
        modes = {p.suffix: p.stat().st_mode & 0o777 for p in (class_batch["out"] / sid).glob("tiny.*")}
        assert modes == {".ipynb": 0o666 & ~umask, ".html": 0o666 & ~umask}, modes
    failed = class_batch["out"] / "s003" / "tiny.failed.ipynb"
    assert failed.stat().st_mode & 0o777 == 0o666 & ~umask


def test_index_folds_the_checks_and_formats_numbers():
    import tempfile
    from pathlib import Path

    from crmlab.report import write_index

    results = {"clv": 71510.3, "share": 0.069812, "n": 12345, "check_q1": True, "check_q2": True,
               "check_q3": False, "label": "x"}
    with tempfile.TemporaryDirectory() as d:
        page = write_index(Path(d), [{"id": "r", "title": "t", "status": "ok", "seconds": 1.0, "html": None,
                                      "error": None, "results": results}], title="T").read_text(encoding="utf-8")
    assert "checks: 2/3 right (not yet: q3)" in page and "check_q1" not in page
    assert "= 71,510<" in page and "= 0.0698<" in page and "= 12,345<" in page and "e+04" not in page
    from crmlab.report import format_number

    assert [format_number(v) for v in (7.151e4, 1234.56, 12.3456, 0.5, 2.0, -3, 1.2e-5)] == \
        ["71,510", "1,234.6", "12.35", "0.5", "2", "-3", "1.2e-05"]


def test_workers_see_the_callers_environment_of_now_not_of_when_the_fork_server_started(tmp_path, monkeypatch):
    """The fork server keeps the environment it started with; a batch after CRMLAB_HOME changed (another
    project) ran its kernels with the old one, so a grading after a test that used a temporary project found
    "no exercises". Two batches, each must see its own value."""
    from nb_helpers import write_notebook

    nb = tmp_path / "env.ipynb"
    write_notebook(nb, "seed = 1  # random seed",
                   "import os\nimport crmlab\n_ = crmlab.record('marker', os.environ.get('CRMLAB_TEST_MARKER', ''))")
    seen = []
    for value in ("first", "second"):
        monkeypatch.setenv("CRMLAB_TEST_MARKER", value)
        report = run_batch([nb], tmp_path / value, workers=1)
        seen.append(report.outcomes[0].results.get("marker"))
    assert seen == ["first", "second"]
