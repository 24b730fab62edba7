"""Execute notebooks with papermill, with parameters checked before anything runs.

Parameters come from the command line, rosters and YAML grids, so they are untrusted: papermill writes
their names into code unescaped. :func:`validate_parameters` therefore accepts only identifiers that the
notebook's ``parameters`` cell declares, and only plain JSON values (None, bool, int, float, str, and
lists/dicts of them) of a type compatible with the declared default.
"""
from __future__ import annotations

import functools
import json
import keyword
import math
import os
import tempfile
from pathlib import Path

from .errors import CrmlabError, ParameterError

__all__ = ["load_notebook", "declared_parameters", "parameter_type", "validate_parameters", "parse_cli_value",
           "run_notebook", "to_html", "world_parameters"]

_NUMERIC = {"int", "float"}
# ipykernel logs a warning on every start about unencrypted local TCP; it is noise for a notebook run on
# this machine, so kernels started here log errors only.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]

_QUIET_MANAGER = None


def quiet_shutdown_kernel_manager():
    """The kernel manager class notebooks run with: jupyter_client's ``AsyncKernelManager``, except that it
    does not interrupt the kernel (SIGINT) when shutting it down.

    jupyter_client (7 and later) sends every kernel a SIGINT before the ``shutdown_request``, to stop code
    that may still be running. After papermill has run a notebook the kernel is idle, but papermill's last
    request (``kernel_info``) has just been answered: when the SIGINT lands before ipykernel has left that
    request's handler - where it turns SIGINT into KeyboardInterrupt - the kernel logs
    ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` on stderr of a run that succeeded. An
    idle kernel needs no interrupt; a kernel still busy at shutdown (a cell that timed out) does not answer
    the shutdown request and is terminated (SIGTERM, then SIGKILL) after ``shutdown_wait_time`` as before.
    """
    global _QUIET_MANAGER
    if _QUIET_MANAGER is None:
        from jupyter_client import AsyncKernelManager

        class QuietShutdownKernelManager(AsyncKernelManager):
            async def _async_interrupt_kernel(self) -> None:
                if self.shutting_down:  # set by shutdown_kernel before it interrupts
                    return
                await super()._async_interrupt_kernel()

        _QUIET_MANAGER = QuietShutdownKernelManager
    return _QUIET_MANAGER


def load_notebook(path: Path):
    """Read a notebook with papermill (which gives every cell a ``tags`` list); a missing or unreadable
    file is a one-line :class:`~crmlab.errors.CrmlabError` naming it."""
    from papermill.iorw import load_notebook_node  # normalises metadata (every cell gets tags)

    if not Path(path).is_file():
        raise CrmlabError(f"notebook not found: {path}")
    try:
        return load_notebook_node(str(path))
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise CrmlabError(f"cannot read notebook {path}: {exc}") from None


def declared_parameters(notebook) -> dict[str, dict]:
    """Return ``{name: {"type": annotation or None, "default": source text, "help": comment}}`` of the
    notebook's ``parameters`` cell (empty when it has none).

    The cell is parsed with :mod:`ast`, so every top-level ``name = value`` counts, whatever its comment
    says (papermill's own inspector skips lines whose comment contains ``=``).
    """
    import ast

    from papermill.utils import find_first_tagged_cell_index

    nb = load_notebook(Path(notebook)) if isinstance(notebook, (str, os.PathLike)) else notebook
    idx = find_first_tagged_cell_index(nb, "parameters")
    if idx < 0:
        return {}
    source = nb.cells[idx].source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise CrmlabError(f"the parameters cell does not parse: {exc.msg} (line {exc.lineno})") from None
    lines = source.splitlines()
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, ast.get_source_segment(source, node.annotation)
        else:
            continue
        line = lines[node.end_lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line[node.end_col_offset:] else ""
        out[name] = {"type": annotation, "default": ast.get_source_segment(source, node.value), "help": comment}
    return out


def _plain_json(value, name: str):
    if value is None or isinstance(value, (bool, str, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterError(f"parameter {name!r}: {value!r} is not a finite number")
        return
    if isinstance(value, list):
        for v in value:
            _plain_json(v, name)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ParameterError(f"parameter {name!r}: dict keys must be strings, got {k!r}")
            _plain_json(v, name)
        return
    raise ParameterError(f"parameter {name!r}: {type(value).__name__} is not a plain JSON value "
                         "(use None, bool, int, float, str, or lists/dicts of them)")


def parameter_type(declared: dict) -> str:
    """The type name a declared parameter expects (one entry of :func:`declared_parameters`): its annotation,
    else the type of its default's literal (papermill infers a type only from annotations); ``"None"``
    when neither says."""
    t = (declared.get("type") or "None").strip()
    if t not in ("None", ""):
        return t
    try:
        import ast

        v = ast.literal_eval(declared.get("default", "None"))
    except (ValueError, SyntaxError):
        return "None"
    return type(v).__name__ if v is not None else "None"


def _compatible(value, expected: str) -> bool:
    if expected == "None":
        return True
    if expected == "bool":
        return isinstance(value, bool)
    if expected == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == "str":
        return isinstance(value, str)
    if expected in ("list", "tuple"):
        return isinstance(value, list)
    if expected == "dict":
        return isinstance(value, dict)
    return True


def validate_parameters(notebook, parameters: dict | None) -> dict:
    """Check parameters against the notebook's ``parameters`` cell; return them unchanged if valid.

    Raises :class:`~crmlab.errors.ParameterError` naming the parameter for: a name that is not an
    identifier, a name the notebook does not declare, a value that is not plain JSON, a value whose
    type does not match the declared default (an int where a str is declared, say), a value outside the
    range of the world knob the parameter is passed to (:func:`world_parameters`), and a ``lang`` that is
    not one of the languages (when the notebook's own default is one).
    """
    parameters = dict(parameters or {})
    nb = load_notebook(Path(notebook)) if isinstance(notebook, (str, os.PathLike)) else notebook
    declared = declared_parameters(nb)
    for name, value in parameters.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ParameterError(f"parameter name {name!r} is not a Python identifier")
        if name not in declared:
            shown = ", ".join(declared) or "none"
            raise ParameterError(f"parameter {name!r} is not declared in the notebook's parameters cell; "
                                 f"declared: {shown}")
        _plain_json(value, name)
        expected = parameter_type(declared[name])
        if not _compatible(value, expected):
            raise ParameterError(f"parameter {name!r} expects {expected} (default {declared[name]['default']}), "
                                 f"got {value!r}")
    _check_ranges(nb, declared, parameters)
    return parameters


def _check_ranges(nb, declared: dict, parameters: dict) -> None:
    """Refuse values outside what the notebook's world declares, before any kernel starts."""
    if "lang" in parameters:
        from .checks import LANGS

        try:
            import ast

            default = ast.literal_eval(declared["lang"]["default"])
        except (ValueError, SyntaxError):
            default = None
        if default in LANGS and parameters["lang"] not in LANGS:
            raise ParameterError(f"parameter 'lang' must be one of {', '.join(map(repr, LANGS))}, "
                                 f"got {parameters['lang']!r}")
    uses = world_parameters(nb, declared)
    for name, value in parameters.items():
        for world, target in uses.get(name, ()):
            if target == "seed":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ParameterError(f"parameter {name!r} is the seed of world {world!r}: it must be a "
                                         f"non-negative integer, got {value!r}")
                continue
            try:
                from .worlds import spec

                knob = spec(world).knob(target)
            except Exception:  # noqa: BLE001 - an unknown world or knob: the notebook's own error, told when it runs
                continue
            try:
                knob.validate(value, world)
            except (TypeError, ValueError):
                via = "" if target == name else f" (knob {target!r})"
                raise ParameterError(f"parameter {name!r}: world {world!r}{via} accepts {_knob_range(knob)}, "
                                     f"got {value!r}") from None


def _knob_range(knob) -> str:
    """What a world knob accepts, in words: "an integer from 100 to 1000000", "one of 'a', 'b'"."""
    if knob.choices is not None:
        return "one of " + ", ".join(map(repr, knob.choices))
    kind = {int: "an integer", float: "a number", bool: "True or False", str: "a string"}.get(knob.kind, "a value")

    def show(x):
        return f"{int(x)}" if knob.kind is int else f"{x:g}"

    if knob.low is not None and knob.high is not None:
        return f"{kind} from {show(knob.low)} to {show(knob.high)}"
    if knob.low is not None:
        return f"{kind} >= {show(knob.low)}"
    if knob.high is not None:
        return f"{kind} <= {show(knob.high)}"
    return kind


def world_parameters(notebook, declared: dict | None = None) -> dict[str, list[tuple[str, str]]]:
    """Which notebook parameters are passed straight to a world: ``{parameter: [(world id, knob), ...]}``.

    Every call ``worlds.make("<id>", seed=seed, n_customers=n_customers, ...)`` (also as
    ``crmlab.worlds.make``) in the notebook's code is read; a keyword whose value is a declared parameter
    maps that parameter to the knob (or to ``"seed"``). Expressions (``staffing=2 * staffing``) are not
    followed. Cells that do not parse (IPython magics aside) are skipped.
    """
    nb = load_notebook(Path(notebook)) if isinstance(notebook, (str, os.PathLike)) else notebook
    declared = declared_parameters(nb) if declared is None else declared
    sources = tuple(c.source for c in nb.cells if c.cell_type == "code" and "worlds.make" in c.source)
    return {name: list(uses) for name, uses in _make_calls(sources).items() if name in declared}


@functools.lru_cache(maxsize=64)
def _make_calls(sources: tuple) -> dict:
    import ast

    found: dict = {}
    for source in sources:
        lines = ["pass" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            if not (isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr == "make"
                    and (isinstance(func.value, ast.Name) and func.value.id == "worlds"
                         or isinstance(func.value, ast.Attribute) and func.value.attr == "worlds")):
                continue
            if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                continue
            world = node.args[0].value
            for kw in node.keywords:
                if kw.arg and isinstance(kw.value, ast.Name):
                    uses = found.setdefault(kw.value.id, [])
                    if (world, kw.arg) not in uses:
                        uses.append((world, kw.arg))
    return found


def parse_cli_value(text: str):
    """Turn a command-line value into a plain value: JSON when it parses (7, 0.5, true, null, [1,2],
    "x"), else the text itself as a string."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return text


def run_notebook(notebook, output, parameters: dict | None = None, *, cwd=None, timeout: int | None = 600,
                 kernel_name: str = "python3", log_output: bool = False, failed_output=None) -> Path:
    """Execute ``notebook`` with papermill into ``output`` (written atomically) and return its path.

    Parameters are validated first (:func:`validate_parameters`). The notebook runs with ``cwd`` as its
    working directory (default: the notebook's own folder, so relative paths inside it work). A failing
    cell raises :class:`~crmlab.errors.CrmlabError` whose message is the cell's exception; the partial
    notebook is still written to ``failed_output`` (default: ``<name>.failed.ipynb`` next to the target)
    for inspection. A run counts only when every code cell ran: a notebook that stops itself early
    (``sys.exit()``, which papermill treats as success) fails the same way. The files get the mode any
    new file gets (the umask decides), like the HTML of :func:`to_html`.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook).resolve()
    output = Path(output).resolve()
    failed = Path(failed_output).resolve() if failed_output else output.with_name(output.stem + ".failed.ipynb")
    params = validate_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".ipynb", dir=output.parent, prefix=f".{output.stem}-")
    os.close(fd)
    try:
        os.chmod(tmp, new_file_mode())  # mkstemp makes it 0600: private, unlike every other file written
        executed = pm.execute_notebook(str(notebook), tmp, parameters=params, kernel_name=kernel_name,
                                       cwd=str(cwd or notebook.parent), progress_bar=False, log_output=log_output,
                                       execution_timeout=timeout, request_save_on_cell_execute=False,
                                       extra_arguments=list(KERNEL_ARGS),
                                       kernel_manager_class=quiet_shutdown_kernel_manager())
    except PapermillExecutionError as exc:
        os.replace(tmp, failed)
        raise CrmlabError(f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                          f"(partial notebook: {failed})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    stopped = incomplete_execution(executed)
    if stopped:
        os.replace(tmp, failed)
        raise CrmlabError(f"{notebook.name} {stopped} (partial notebook: {failed})")
    os.replace(tmp, output)
    return output


def incomplete_execution(nb) -> str:
    """Why an executed notebook is not a complete run ("" when every code cell ran to its end).

    papermill treats ``sys.exit()`` / ``raise SystemExit`` (code 0) as a clean end and skips the cells
    after it without an error; a run that skipped cells, or whose last cell exited, is not complete.
    """
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    not_run = sum(c.get("execution_count") is None for c in code)
    for c in code:
        for out in c.get("outputs", []) or []:
            if out.get("output_type") == "error" and out.get("ename") == "SystemExit":
                code_ = out.get("evalue") or "0"
                return (f"stopped in cell {c.get('execution_count')}: SystemExit: {code_} (sys.exit() ended the "
                        f"notebook early; {not_run} of {len(code)} code cells did not run)")
    if not_run:
        return f"did not run {not_run} of its {len(code)} code cells"
    return ""


def new_file_mode() -> int:
    """The permission bits a new file gets in this process (0o666 less the umask), read without changing
    the umask where the system tells it (Linux's /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def to_html(notebook, html_path=None) -> Path:
    """Render an executed notebook to a standalone HTML file (figures embedded) and return its path."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    html_path = Path(html_path) if html_path else notebook.with_suffix(".html")
    nb = nbformat.read(str(notebook), as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, html_path)
    return html_path
