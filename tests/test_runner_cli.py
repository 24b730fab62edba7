"""The notebook runner and the `crmlab` command, on a throw-away project (fixture `tiny_project`).

Parameters are untrusted input: these tests check that undeclared names, non-identifiers, code in names,
non-JSON values and wrong types are refused before any kernel starts, and that a real run records the
values it was given.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from nb_helpers import write_notebook as _write_notebook

from crmlab import cli
from crmlab.errors import CrmlabError, ParameterError
from crmlab.results import collect
from crmlab.runner import load_notebook, parameter_type, parse_cli_value, run_notebook, validate_parameters


def test_declared_parameters_accept_matching_types(tiny_project):
    nb = tiny_project / "notebooks" / "tiny.ipynb"
    assert validate_parameters(nb, {"seed": 3, "label": "y", "scale": 2}) == {"seed": 3, "label": "y", "scale": 2}


@pytest.mark.parametrize("params, match", [
    ({"nope": 1}, r"'nope' is not declared .* declared: seed, label, scale"),
    ({"x; import os": 1}, "not a Python identifier"),
    ({"class": 1}, "not a Python identifier"),
    ({"seed": "7"}, r"'seed' expects int \(default 1\), got '7'"),
    ({"seed": 2.5}, "'seed' expects int"),
    ({"seed": True}, "'seed' expects int"),
    ({"label": 3}, "'label' expects str"),
    ({"scale": float("inf")}, "not a finite number"),
    ({"label": object()}, "not a plain JSON value"),
])
def test_bad_parameters_are_refused(tiny_project, params, match):
    with pytest.raises(ParameterError, match=match):
        validate_parameters(tiny_project / "notebooks" / "tiny.ipynb", params)


@pytest.mark.parametrize("text, value", [("7", 7), ("0.5", 0.5), ("true", True), ("null", None), ("zh", "zh"),
                                         ("[1, 2]", [1, 2]), ('"7"', "7")])
def test_parse_cli_value(text, value):
    assert parse_cli_value(text) == value


def test_run_notebook_records_parameters_and_writes_atomically(tiny_project, tmp_path):
    out = run_notebook(tiny_project / "notebooks" / "tiny.ipynb", tmp_path / "o" / "tiny.ipynb", {"seed": 21})
    assert collect(out) == {"answer": 42, "label": "x"}
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["tiny.ipynb"]  # no temp files left


def test_failing_notebook_raises_one_line_and_keeps_partial_output(tiny_project, tmp_path):
    with pytest.raises(CrmlabError, match=r"tiny.ipynb failed in cell .*AssertionError: seed must be non-negative"):
        run_notebook(tiny_project / "notebooks" / "tiny.ipynb", tmp_path / "tiny.ipynb", {"seed": -1})
    assert not (tmp_path / "tiny.ipynb").exists()
    assert (tmp_path / "tiny.failed.ipynb").exists()


def _run_cli(capsys, *argv):
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_list_shows_ready_and_planned(tiny_project, capsys):
    rc, out, err = _run_cli(capsys, "list")
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["id", "status", "kind", "title"]
    assert any(line.startswith("later") and "planned" in line for line in lines)
    assert any(line.split()[:3] == ["tiny", "ready", "case"] for line in lines)
    assert "2 cases: 1 ready, 1 planned" in out
    rc, out, _ = _run_cli(capsys, "list", "--ids")
    assert out.splitlines() == ["later", "tiny"]
    rc, out, _ = _run_cli(capsys, "list", "--ready")
    rows = [line.split()[0] for line in out.splitlines()[2:] if line.strip() and not line[0].isdigit()]
    assert rows == ["tiny"]
    assert "2 cases: 1 ready, 1 planned" in out  # the footer counts the whole catalogue


@pytest.mark.parametrize("argv, match", [
    (["run", "nope"], "unknown case 'nope' (valid: later, tiny)"),
    (["run", "tinny"], "unknown case 'tinny'; did you mean 'tiny'? (valid: later, tiny)"),
    (["run", "later"], "case 'later' is planned"),
    (["run", "tiny", "-p", "nope", "1"], "'nope' is not declared"),
    (["run", "tiny", "-p", "seed", "abc"], "'seed' expects int"),
    (["data", "nope", "--out", "x"], "unknown world 'nope' (valid: "),
    (["data", "transactons", "--out", "x"], "unknown world 'transactons'; did you mean 'transactions'?"),
    (["data", "later", "--out", "x"], "case 'later' has no synthetic world (it is planned"),
])
def test_cli_errors_are_one_line_with_exit_2(tiny_project, capsys, argv, match):
    rc, out, err = _run_cli(capsys, *argv)
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("crmlab: error: ")
    assert match in err


def test_cli_run_writes_notebook_and_html_and_refuses_to_overwrite(tiny_project, tmp_path, capsys):
    out_dir = tmp_path / "runs"
    rc, out, err = _run_cli(capsys, "run", "tiny", "-p", "seed", "5", "-p", "label", "zh", "--out", str(out_dir))
    assert rc == 0, err
    assert "answer = 10" in out and "label = zh" in out
    html = (out_dir / "tiny.html").read_text(encoding="utf-8")
    assert "recorded answer = 10" in html
    rc, _, err = _run_cli(capsys, "run", "tiny", "--out", str(out_dir))
    assert rc == 2 and "exists; choose another --out or pass --force" in err
    rc, _, err = _run_cli(capsys, "run", "tiny", "--out", str(out_dir), "--force")
    assert rc == 0, err


def test_demo_writes_index_linking_each_ready_notebook(tiny_project, tmp_path, capsys):
    rc, out, err = _run_cli(capsys, "demo", "--out", str(tmp_path / "demo"))
    assert rc == 0, err
    index = (tmp_path / "demo" / "index.html").read_text(encoding="utf-8")
    assert 'href="tiny.html"' in index and "later" not in index  # planned cases are not run
    assert (tmp_path / "demo" / "tiny.html").stat().st_size > 1000
    assert f"report: {tmp_path / 'demo' / 'index.html'}" in out


def test_console_script_prints_no_traceback(tiny_project):
    """The installed `crmlab` entry point, as a user would call it."""
    proc = subprocess.run([sys.executable, "-m", "crmlab.cli", "run", "tiny", "-p", "1bad", "2"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "crmlab: error: parameter name '1bad' is not a Python identifier"


def test_doctor_reports_each_check(tiny_project, capsys, tmp_path):
    rc, out, _ = _run_cli(capsys, "doctor", "--no-kernel", "--out", str(tmp_path / "w"))
    assert rc == 0
    for name in ("python", "pandas", "papermill", "kernel", "CJK font", "output dir", "cases"):
        assert f"] {name}" in out
    # an output folder below a file cannot be created: doctor must say so and fail
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, out, err = _run_cli(capsys, "doctor", "--no-kernel", "--out", str(blocker / "sub"))
    assert rc == 1 and "[FAIL] output dir" in out


def test_no_command_prints_help_and_exits_2(capsys):
    rc, out, _ = _run_cli(capsys)
    assert rc == 2 and "usage: crmlab" in out


def test_declared_parameters_survive_comments_with_equals_signs(tmp_path):
    """papermill's inspector drops `x = 1  # (0 = none)`; crmlab parses the cell itself."""
    from nb_helpers import write_notebook as _write_notebook
    from crmlab.runner import declared_parameters

    nb = tmp_path / "p.ipynb"
    _write_notebook(nb, 'effect = 0.5  # (0 = no effect)\nrate: float = 1  # typed\nname = "a=b"', "pass")
    declared = declared_parameters(nb)
    assert list(declared) == ["effect", "rate", "name"]
    assert declared["effect"] == {"type": None, "default": "0.5", "help": "(0 = no effect)"}
    assert declared["rate"]["type"] == "float" and declared["name"]["default"] == '"a=b"'
    assert validate_parameters(nb, {"effect": 0.0, "rate": 2.5})["effect"] == 0.0


def test_cli_data_writes_identical_bytes_and_never_overwrites_silently(tmp_path, capsys):
    args = ["data", "transactions", "--seed", "3", "-k", "n_customers", "200"]
    rc, out, err = _run_cli(capsys, *args, "--out", str(tmp_path / "a"))
    assert rc == 0, err
    _run_cli(capsys, *args, "--out", str(tmp_path / "b"))
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert {"transactions.csv", "customers.csv", "data_dictionary.md", "truth.json"} <= set(names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    before = (tmp_path / "a" / "transactions.csv").read_bytes()
    rc, _, err = _run_cli(capsys, "data", "transactions", "--seed", "4", "-k", "n_customers", "200",
                          "--out", str(tmp_path / "a"))
    assert rc == 2 and "already exists" in err and "--force" in err
    assert (tmp_path / "a" / "transactions.csv").read_bytes() == before
    rc, _, err = _run_cli(capsys, "data", "transactions", "--seed", "4", "-k", "n_customers", "200",
                          "--out", str(tmp_path / "a"), "--force")
    assert rc == 0 and (tmp_path / "a" / "transactions.csv").read_bytes() != before
    rc, _, err = _run_cli(capsys, "data", "transactions", "--out", str(tmp_path / "c"), "-k", "n_customer", "5")
    assert rc == 2 and "has no knob 'n_customer'" in err


def test_parameter_type_prefers_the_annotation_then_the_default(tmp_path):
    assert parameter_type({"type": "float", "default": "3"}) == "float"
    assert parameter_type({"type": None, "default": "3"}) == "int"
    assert parameter_type({"type": None, "default": "'zh'"}) == "str"
    assert parameter_type({"type": None, "default": "np.pi"}) == "None"        # not a literal: anything goes
    with pytest.raises(CrmlabError, match="notebook not found"):
        load_notebook(tmp_path / "missing.ipynb")


# The notebook's last cell makes its kernel record a SIGINT that reaches it while idle (ipykernel ignores
# SIGINT between requests and turns it into KeyboardInterrupt inside one, logging "ERROR | KeyboardInterrupt
# caught in kernel." when that happens during papermill's final kernel_info request).
_SIGINT_PROBE = """import pathlib
import signal

_marker = pathlib.Path("interrupted.txt").resolve()
_kernel = get_ipython().kernel
_kernel.post_handler_hook = lambda: signal.signal(signal.SIGINT, lambda *_: _marker.write_text("SIGINT"))
"""


def test_a_finished_notebook_kernel_is_shut_down_without_an_interrupt(tmp_path, capfd):
    from nb_helpers import write_notebook as _write_notebook

    nb = tmp_path / "probe.ipynb"
    _write_notebook(nb, "seed = 1", _SIGINT_PROBE)
    run_notebook(nb, tmp_path / "out" / "probe.ipynb")  # the kernel runs in tmp_path, the notebook's folder
    err = capfd.readouterr().err  # the kernel writes to this process's stderr
    assert not (tmp_path / "interrupted.txt").exists(), "the idle kernel was sent SIGINT at shutdown"
    assert "KeyboardInterrupt" not in err and "ERROR" not in err, err


def test_crmlab_run_of_a_real_case_prints_nothing_on_stderr(tmp_path):
    """Successful runs once printed "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." now and then."""
    crmlab = Path(sys.executable).parent / "crmlab"
    for i in range(3):
        proc = subprocess.run([str(crmlab), "run", "distributor_abc", "-p", "n_customers", "200",
                               "--out", str(tmp_path / f"run{i}")], capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert "ERROR" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr, proc.stderr
        assert (tmp_path / f"run{i}" / "distributor_abc.html").is_file()


def _write_edition(path, lang):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(f'seed = 1  # random seed\nlang = "{lang}"  # language')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny · 小案例" if lang == "en" else "# 小案例"), cell,
                nbformat.v4.new_code_cell("import crmlab\n_ = crmlab.record('lang_seen', lang)")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_run_batch_and_demo_know_the_two_editions(tiny_project, tmp_path, capsys):
    """`run --lang zh` runs notebooks/zh/<id>.ipynb; a batch (and the demo) runs both editions of a case
    side by side without their outputs colliding; list shows which editions exist."""
    _write_edition(tiny_project / "notebooks" / "tiny.ipynb", "en")
    _write_edition(tiny_project / "notebooks" / "zh" / "tiny.ipynb", "zh")
    assert cli.main(["run", "tiny", "--lang", "zh", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "lang_seen = zh" in out and (tmp_path / "r" / "tiny-zh.html").is_file()
    assert cli.main(["run", str(tiny_project / "notebooks" / "zh" / "tiny.ipynb"), "--out", str(tmp_path / "p")]) == 0
    assert "lang_seen = zh" in capsys.readouterr().out
    assert cli.main(["demo", "--out", str(tmp_path / "d"), "--workers", "1"]) == 0
    capsys.readouterr()
    assert (tmp_path / "d" / "tiny.html").is_file() and (tmp_path / "d" / "tiny-zh.html").is_file()
    index = (tmp_path / "d" / "index.html").read_text(encoding="utf-8")
    assert "Tiny · 小案例" in index and "小案例" in index
    assert cli.main(["list", "--lang", "zh"]) == 0
    listing = capsys.readouterr().out
    assert "小案例" in listing and "en+zh" in listing and "计划中" in listing


def test_run_of_a_missing_edition_says_so(tiny_project, capsys):
    assert cli.main(["run", "tiny", "--lang", "zh"]) == 2
    assert "case 'tiny' has no 'zh' edition yet (notebooks/zh/tiny.ipynb)" in capsys.readouterr().err


def test_list_piped_into_a_closed_reader_is_quiet():
    """`crmlab list | head -1`: no 'internal error: BrokenPipeError' when the reader stops early."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "crmlab"
    proc = subprocess.run(f"'{exe}' list | head -1", shell=True, capture_output=True, text=True, timeout=60)
    assert proc.stdout.startswith("id") and "BrokenPipe" not in proc.stderr and "error" not in proc.stderr


# ------------------------------------------------------------------------------ ranges declared by worlds
def test_world_parameters_are_found_in_the_notebooks_make_call(tmp_path):
    from nb_helpers import write_notebook as _write_notebook
    from crmlab.runner import world_parameters

    nb = tmp_path / "w.ipynb"
    _write_notebook(nb, "seed = 1\nn = 500\nweeks = 52\nlang = 'en'",
                    "%matplotlib inline\nimport crmlab\n"
                    "w = crmlab.worlds.make('transactions', seed=seed, n_customers=n, weeks=2 * weeks)")
    assert world_parameters(nb) == {"seed": [("transactions", "seed")], "n": [("transactions", "n_customers")]}
    assert validate_parameters(nb, {"n": 1, "weeks": 10_000, "lang": "zh"})  # weeks is not passed as it is
    for params, match in [
        ({"n": 0},
         "parameter 'n': world 'transactions' (knob 'n_customers') accepts an integer from 1 to 5000000, got 0"),
        ({"seed": -1},
         "parameter 'seed' is the seed of world 'transactions': it must be a non-negative integer, got -1"),
        ({"lang": "fr"}, "parameter 'lang' must be one of 'en', 'zh', got 'fr'"),
    ]:
        with pytest.raises(ParameterError, match=re.escape(match)):
            validate_parameters(nb, params)


@pytest.mark.parametrize("argv, match", [
    (["run", "tesco", "-p", "n_customers", "10"],
     "parameter 'n_customers': world 'tesco' accepts an integer from 100 to 1000000, got 10"),
    (["run", "tesco", "-p", "breakage", "1.5"],
     "parameter 'breakage': world 'tesco' accepts a number from 0 to 0.95, got 1.5"),
    (["run", "tesco", "--lang", "zh", "-p", "lang", "fr"], "parameter 'lang' must be one of 'en', 'zh', got 'fr'"),
    (["batch", "tesco", "-p", "n_customers", "10"], "tesco.ipynb: parameter 'n_customers': world 'tesco' accepts"),
    (["batch", "tesco", "-p", "lang", "fr"], "tesco.ipynb: parameter 'lang' must be one of 'en', 'zh'"),
])
def test_values_outside_a_worlds_range_are_refused_before_any_kernel_starts(tmp_path, capsys, argv, match):
    """They used to fail in cell 3, after a kernel had started, leaving a .failed.ipynb behind."""
    out = tmp_path / "out"
    rc, _, err = _run_cli(capsys, *argv, "--out", str(out))
    assert rc == 2 and err.count("\n") == 1 and err.startswith("crmlab: error: "), err
    assert match in err, err
    assert not out.exists()


# ------------------------------------------------------------------------------------- where `run` writes
def test_run_writes_one_folder_per_parameter_set_by_default(tiny_project, tmp_path, capsys, monkeypatch):
    """A student varying parameters runs again and again without --out or --force."""
    monkeypatch.chdir(tmp_path)
    base = tmp_path / "build" / "run" / "tiny"
    for argv in (["-p", "seed", "5"], ["-p", "seed", "6", "-p", "label", "b c"], []):
        rc, out, err = _run_cli(capsys, "run", "tiny", *argv)
        assert rc == 0, err
    from crmlab.cli import run_tag

    assert sorted(p.name for p in base.iterdir()) == sorted(["default", "seed=5", run_tag({"seed": 6, "label": "b c"})])
    assert "recorded answer = 10" in (base / "seed=5" / "tiny.html").read_text(encoding="utf-8")
    assert "recorded answer = 2" in (base / "default" / "tiny.html").read_text(encoding="utf-8")
    # the same case and parameters again: the earlier result is replaced, and the command says so
    rc, out, err = _run_cli(capsys, "run", "tiny", "-p", "seed", "5")
    assert rc == 0 and "(replaced the earlier result of these parameters)" in out
    assert f"report:   {base / 'seed=5' / 'tiny.html'}" in out
    # a notebook broken since: the run fails and the earlier result stays, said in the one error line
    _write_notebook(tiny_project / "notebooks" / "tiny.ipynb", "seed = 1\nlabel = 'x'\nscale = 1.5", "1 / 0")
    rc, _, err = _run_cli(capsys, "run", "tiny", "-p", "seed", "5")
    assert rc == 2 and err.count("\n") == 1 and "ZeroDivisionError" in err
    assert f"(the earlier result in {base / 'seed=5'} is unchanged)" in err
    assert "recorded answer = 10" in (base / "seed=5" / "tiny.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (base / "seed=5").iterdir()) == ["tiny.failed.ipynb", "tiny.html", "tiny.ipynb"]


def test_run_tag_is_stable_and_safe():
    from crmlab.cli import run_tag

    assert run_tag({}) == "default"
    assert run_tag({"seed": 7, "n_customers": 800}) == run_tag({"n_customers": 800, "seed": 7})
    assert run_tag({"seed": 7, "n_customers": 800}) == "n_customers=800_seed=7"
    assert run_tag({"lang": "zh", "rate": 0.5}) == "lang=zh_rate=0.5"
    odd = run_tag({"label": "a/b c"})
    assert "/" not in odd and " " not in odd and odd != run_tag({"label": "a b/c"})


# ------------------------------------------------------------------------------------ what a run must be
@pytest.mark.parametrize("code, match", [
    ("import sys\nsys.exit()", r"stopped in cell 3: SystemExit: 0 \(sys.exit\(\) ended the notebook early; 1 of 4"),
    ("raise SystemExit", r"stopped in cell 3: SystemExit: 0 .*1 of 4 code cells did not run"),
    ("exit()", None),  # IPython's exit() in a kernel ends nothing: the notebook runs to its end
])
def test_a_notebook_that_exits_early_is_a_failed_run(tmp_path, code, match):
    import nbformat

    nb = tmp_path / "e.ipynb"
    _write_notebook(nb, "seed = 1", "import crmlab\n_ = crmlab.record('a', 1)")
    node = nbformat.read(str(nb), as_version=4)
    node.cells += [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell("_ = crmlab.record('b', 2)")]
    nbformat.write(node, str(nb))
    if match is None:
        assert collect(run_notebook(nb, tmp_path / "o" / "e.ipynb")) == {"a": 1, "b": 2}
        return
    with pytest.raises(CrmlabError, match=match):
        run_notebook(nb, tmp_path / "o" / "e.ipynb")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["e.failed.ipynb"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_notebook_and_html_follow_the_umask_alike(tiny_project, tmp_path, umask):
    from crmlab.runner import to_html

    old = os.umask(umask)
    try:
        ipynb = run_notebook(tiny_project / "notebooks" / "tiny.ipynb", tmp_path / "tiny.ipynb", {"seed": 2})
        html = to_html(ipynb)
        with pytest.raises(CrmlabError):
            run_notebook(tiny_project / "notebooks" / "tiny.ipynb", tmp_path / "bad.ipynb", {"seed": -1})
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (ipynb, html, tmp_path / "bad.failed.ipynb")}
    assert set(modes.values()) == {0o666 & ~umask}, {k: oct(v) for k, v in modes.items()}
    from crmlab.runner import new_file_mode

    old = os.umask(umask)
    try:
        assert new_file_mode() == 0o666 & ~umask
    finally:
        os.umask(old)
