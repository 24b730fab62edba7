"""The notebook runner and the `crmlab` command, on a throw-away project (fixture `tiny_project`).

Parameters are untrusted input: these tests check that undeclared names, non-identifiers, code in names,
non-JSON values and wrong types are refused before any kernel starts, and that a real run records the
values it was given.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert lines[0].split()[:3] == ["id", "status", "title"]
    assert any(line.startswith("later") and "planned" in line for line in lines)
    assert any(line.startswith("tiny") and "ready" in line for line in lines)
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
