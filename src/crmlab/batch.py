"""Run notebooks for a whole class: every notebook × roster row × parameter grid point (`crmlab batch`).

Each student gets their own synthetic world through a seed derived from their ``student_id``
(:func:`student_seed`); the roster columns a notebook declares, the points of a YAML grid and ``-p`` values
become notebook parameters, and the other roster columns (``name``, ``email``...) are carried along as
roster data. Everything is planned and validated before the first kernel starts (:func:`plan_runs`): a
parameter the notebook does not declare, a value of the wrong kind or outside the range its world declares
stops the batch with one message and nothing executed.

The runs then execute in worker processes, one process per run (papermill's working-directory handling
is process-wide, and a process can be killed when it overruns its time): a run that fails, hangs or
whose worker dies is reported and the others carry on. A kernel or worker that dies is retried once; a
run is ok only when every code cell ran. Each run writes staging files; only when it is complete do they
replace ``<student_id>/<notebook>.ipynb`` and ``.html`` (atomically) and a small completion marker follows,
so a re-run of the batch reuses finished runs (status ``cached``), a failed or interrupted re-run keeps the
earlier result, and no partial notebook ever sits under a complete-looking name. ``summary.csv`` collects
one row per run with the roster data, the parameters and every result the notebook recorded
(:func:`crmlab.record`, and ``check_<exercise>`` for exercise checks); ``index.html`` links every run. Both
are written after an interruption too, describing what is on disk. The output folder is locked while a
batch writes into it (:class:`OutputLock`).

Design: crmlab gives each student their own dataset, with a seed derived from the student id (the
project's design notes); execution uses papermill through :func:`crmlab.runner.run_notebook`.

References
----------
.. [1] papermill, parameterising and executing Jupyter notebooks, https://papermill.readthedocs.io
"""
from __future__ import annotations

import ast
import contextlib
import csv
import difflib
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import re
import socket
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import TextIO

from .errors import CrmlabError, ParameterError

__all__ = ["student_seed", "Student", "read_roster", "read_grid", "Run", "Outcome", "BatchReport", "plan_runs",
           "execute_runs", "write_summary", "run_batch", "SUMMARY_COLUMNS", "BatchInterrupted", "OutputLock"]

#: The fixed leading columns of ``summary.csv``; recorded results follow them.
SUMMARY_COLUMNS = ("run_id", "notebook", "student_id", "seed", "status", "seconds", "error")
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")
#: Part of every cache key: raised when what counts as a finished run changes (2: every code cell must have
#: run, so a notebook that called sys.exit() is no longer served from the cache of an earlier version).
_CACHE_FORMAT = 2
#: The lock file of an output folder while a batch writes into it.
LOCK_NAME = ".crmlab-batch.lock"
_MAX_NAME = 60


# ---------------------------------------------------------------------------------------------- seeds
def student_seed(student_id: str) -> int:
    """The random seed of a student's world: the first 8 bytes of SHA-256 of the id, modulo 2**31.

    Stable across runs, machines and Python versions (unlike the salted built-in ``hash``), and different
    between students (a collision among 1,000 students has probability ~2e-4). Surrounding whitespace is
    ignored, letter case is not.

    Parameters
    ----------
    student_id : str
        The student's id as it appears in the roster.

    Returns
    -------
    int in [0, 2**31).

    Example
    -------
    >>> student_seed("s001") == student_seed(" s001 ") != student_seed("s002")
    True
    """
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(f"student_id must be a non-empty string, got {student_id!r}")
    digest = hashlib.sha256(student_id.strip().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 2**31


# --------------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Student:
    """One roster row: the id, the other columns as raw text (empty cells left out), the CSV line."""

    student_id: str
    columns: dict
    line: int


def _delimiter(header_line: str) -> str:
    """The delimiter of a roster: the one of comma, semicolon and tab that its header line uses most
    (outside quotes); a comma when the header has a single column. Excel writes semicolons where the
    decimal mark is a comma."""
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_roster(path) -> list[Student]:
    """Read a roster CSV (UTF-8, a header row, a ``student_id`` column; Excel's BOM is accepted).

    ``student_id`` must be present, non-empty and unique. The other columns are kept per student: a column
    that a notebook of the batch declares as a parameter sets it (an empty cell means "the notebook's
    default" for that student); any other column (``name``, ``email``, ``section``) is roster data, carried
    into ``summary.csv`` and ``index.html`` (:func:`plan_runs`). Cells may be separated by commas,
    semicolons or tabs (the header line decides).

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    list of :class:`Student`, in file order.

    Example
    -------
    ``student_id,name,n_customers`` / ``s001,Ann Lee,800`` / ``s002,Bo Wu,`` → s001 runs with
    ``n_customers=800``, s002 with the notebook's default; both names appear in the summary.

    Any spreadsheet saved as CSV will do: only the ``student_id`` column is required.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CrmlabError(f"roster not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CrmlabError(f"cannot read roster {path}: {exc}") from None
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text.split("\n", 1)[0]))
    header = [h.strip() for h in next(reader, [])]
    if "student_id" not in header:
        raise CrmlabError(f"roster {path.name}: needs a 'student_id' column; found: {', '.join(header) or 'none'}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes or "" in header:
        raise CrmlabError(f"roster {path.name}: column names must be unique and non-empty; "
                          f"check {', '.join(repr(d) for d in dupes) or 'the empty header'}")
    students, seen = [], {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            raise CrmlabError(f"roster {path.name} line {line}: {len(row)} cells for {len(header)} columns")
        cells = {h: c.strip() for h, c in zip(header, row)}
        sid = cells.pop("student_id")
        if not sid:
            raise CrmlabError(f"roster {path.name} line {line}: empty student_id")
        if sid in seen:
            raise CrmlabError(f"roster {path.name} line {line}: student_id {sid!r} already on line {seen[sid]}")
        seen[sid] = line
        students.append(Student(sid, {k: v for k, v in cells.items() if v != ""}, line))
    if not students:
        raise CrmlabError(f"roster {path.name}: no students")
    return students


def read_grid(path) -> list[dict]:
    """Read a parameter grid: a YAML mapping ``name: [value, ...]``; return every combination.

    Combinations come in the order of the cartesian product, the first name varying slowest. Names and
    values are validated against each notebook later, in :func:`plan_runs`.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    list of dict, one per grid point.

    Example
    -------
    ``n_customers: [500, 1000]`` and ``mobility: [0.5, 1.0]`` → 4 points.

    With a roster as well, every student runs every grid point.
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CrmlabError(f"parameter grid not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CrmlabError(f"cannot read parameter grid {path}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not data:
        raise CrmlabError(f"parameter grid {path.name}: expected a mapping of parameter name to a list of values")
    for name, values in data.items():
        if not isinstance(name, str):
            raise ParameterError(f"parameter grid {path.name}: parameter name {name!r} is not a string")
        if not isinstance(values, list) or not values:
            raise ParameterError(f"parameter grid {path.name}: {name!r} must be a non-empty list of values, "
                                 f"got {values!r}")
    return [dict(zip(data, combo)) for combo in itertools.product(*data.values())]


# ----------------------------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class Run:
    """One planned execution: which notebook, for whom, with what parameters, written where."""

    run_id: str
    notebook: Path
    student_id: str
    seed: int | None
    parameters: dict
    ipynb: Path
    key: str  # changes when the notebook, its parameters, crmlab's version or a world's generator change
    roster: dict = field(default_factory=dict)    # the student's roster columns that are no parameter
    defaults: dict = field(default_factory=dict)  # the notebook's literal defaults of parameters not given
    task: dict = field(default_factory=dict)      # what a worker other than the notebook runner needs (grading)

    @property
    def html(self) -> Path:
        return self.ipynb.with_suffix(".html")

    @property
    def marker(self) -> Path:
        return self.ipynb.with_name(f".{self.ipynb.stem}.done.json")

    @property
    def failed_ipynb(self) -> Path:
        return self.ipynb.with_name(self.ipynb.stem + ".failed.ipynb")

    @property
    def staged_ipynb(self) -> Path:
        """Where the worker writes the new notebook; it replaces :attr:`ipynb` only once the run is complete."""
        return self.ipynb.with_name(f".{self.ipynb.stem}.new.ipynb")

    @property
    def staged_html(self) -> Path:
        return self.ipynb.with_name(f".{self.ipynb.stem}.new.html")


def _safe(text: str) -> str:
    """A filesystem-safe, stable name for ``text``: itself when already safe, else a cleaned prefix plus
    8 hex digits of its SHA-256 (so two different texts never share a name)."""
    clean = _UNSAFE.sub("-", text).strip(".-")[:_MAX_NAME]
    if clean == text:
        return clean
    tag = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{clean}-{tag}" if clean else tag


def _grid_tag(point: dict) -> str:
    return _safe("_".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in point.items()))


def _convert(raw: str, declared: dict):
    """A roster cell (text) as a parameter value: kept as text when the notebook declares a str, else JSON."""
    from .runner import parameter_type, parse_cli_value

    return raw if parameter_type(declared) == "str" else parse_cli_value(raw)


def _literal_defaults(declared: dict, given: dict) -> dict:
    """The notebook's defaults of the parameters not given, where they are literals (for the summary)."""
    out = {}
    for name, d in declared.items():
        if name not in given:
            try:
                out[name] = ast.literal_eval(d["default"])
            except (ValueError, SyntaxError):
                pass
    return out


def _default_seed(declared: dict) -> int | None:

    try:
        value = ast.literal_eval(declared["seed"]["default"]) if "seed" in declared else None
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _edition(declared: dict) -> str:
    """The edition suffix of a notebook's runs: "-zh" for a Chinese edition (its ``lang`` defaults to "zh")."""
    try:
        lang = ast.literal_eval(declared["lang"]["default"]) if "lang" in declared else "en"
    except (ValueError, SyntaxError):
        return ""
    return "" if lang == "en" or not isinstance(lang, str) else f"-{_safe(lang)}"


def _run_stem(path: Path, declared: dict) -> str:
    """``tesco`` for the English edition, ``tesco-zh`` for notebooks/zh/tesco.ipynb: both editions of a case can
    run in one batch (or one demo) without writing the same files."""
    return _safe(path.stem) + _edition(declared)


def _notebook_paths(notebooks) -> list[Path]:
    from .runner import declared_parameters, load_notebook

    paths = [Path(n).resolve() for n in notebooks]
    if not paths:
        raise CrmlabError("no notebook given")
    stems: dict[str, Path] = {}
    for p in paths:
        if not p.is_file():
            raise CrmlabError(f"notebook not found: {p}")
        other = stems.setdefault(_run_stem(p, declared_parameters(load_notebook(p))).lower(), p)
        if other != p:
            raise CrmlabError(f"two notebooks would write the same outputs: {other} and {p}; rename one")
    return paths


def plan_runs(notebooks, out, *, roster: list[Student] | None = None, grid: list[dict] | None = None,
              params: dict | None = None) -> list[Run]:
    """Plan and validate every run of a batch; nothing executes here.

    Parameters
    ----------
    notebooks : list of paths
        Notebooks to run (each needs a ``parameters`` cell declaring what is passed to it).
    out : path
        Output folder; run ``r`` writes ``out/<student_id>/<notebook>.ipynb`` (no student folder without a
        roster, and a ``__<grid point>`` suffix with a grid).
    roster : list of Student, optional
        From :func:`read_roster`. Each student's seed is :func:`student_seed` of their id. A roster column
        that a notebook declares sets that parameter; a column no notebook declares (``name``, ``email``)
        is roster data, kept in :attr:`Run.roster` for the summary - unless its name is within a typo of
        a parameter's (``n_customer`` for ``n_customers``), which is refused.
    grid : list of dict, optional
        From :func:`read_grid`.
    params : dict, optional
        Parameters for every run (``-p NAME VALUE``).

    Returns
    -------
    list of :class:`Run`, notebook-major, then student, then grid point.

    Raises :class:`~crmlab.errors.ParameterError` naming the parameter (and the roster line or grid point)
    for an undeclared name or a bad value, and :class:`~crmlab.errors.CrmlabError` for a parameter given
    by two sources (say ``-p seed`` with a roster, which derives the seeds).

    Example (needs the files it names)::

        runs = plan_runs(["case.ipynb"], "build/class", roster=read_roster("roster.csv"))

    Nothing runs until every run has been planned and validated - including the range of every value
    passed on to a world's knob - so a bad value stops the batch before the first kernel starts, not after
    the first hundred runs.
    """
    from . import __version__
    from .runner import declared_parameters, load_notebook, validate_parameters
    from .worlds import available, spec

    params = dict(params or {})
    points = grid or [{}]
    grid_names = set(points[0])
    notebooks = [(path, load_notebook(path)) for path in _notebook_paths(notebooks)]
    declared_by = {path: declared_parameters(node) for path, node in notebooks}
    every_declared = set().union(*declared_by.values())
    roster_names = list(dict.fromkeys(k for s in roster or [] for k in s.columns))
    data_names = [n for n in roster_names if n not in every_declared]  # no notebook's parameter: roster data
    for name in data_names:
        close = difflib.get_close_matches(name, sorted(every_declared), n=1, cutoff=0.8)
        if close:
            raise ParameterError(f"roster column {name!r} is not a parameter of the notebook(s); did you mean "
                                 f"{close[0]!r}? (rename the column: columns that are no parameter are kept as "
                                 "roster data)")
    sources = {"-p": set(params), "the grid": grid_names, "the roster": set(roster_names) - set(data_names)}
    if roster:
        sources["the roster's student_id (it derives each seed)"] = {"seed"}
    for (a, names_a), (b, names_b) in itertools.combinations(sources.items(), 2):
        both = sorted(names_a & names_b)
        if both:
            raise CrmlabError(f"parameter {both[0]!r} is given both by {a} and by {b}; give it once")
    out = Path(out).resolve()
    worlds = {w: spec(w).version for w in available()}     # a new generator version invalidates cached runs
    runs: list[Run] = []
    for path, node in notebooks:
        declared = declared_by[path]
        source = hashlib.sha256(path.read_bytes()).hexdigest()
        for student in roster or [None]:
            base = dict(params)
            where = ""
            data = {}
            if student is not None:
                where = f"roster line {student.line} (student {student.student_id!r}): "
                for name, raw in student.columns.items():
                    if name in declared:
                        base[name] = _convert(raw, declared[name])
                    elif name in data_names:
                        data[name] = raw
                base["seed"] = student_seed(student.student_id)
            for point in points:
                values = {**base, **point}
                try:
                    validate_parameters(node, values)
                except ParameterError as exc:
                    at = f"grid point {point}: " if point else ""
                    raise ParameterError(f"{path.name}: {where}{at}{exc}") from None
                folder = out / _safe(student.student_id) if student else out
                name = _run_stem(path, declared) + (f"__{_grid_tag(point)}" if grid else "")
                run_id = "__".join(([_safe(student.student_id)] if student else []) + [name])
                seed = values.get("seed", _default_seed(declared))
                key = hashlib.sha256(json.dumps([source, values, __version__, worlds, _CACHE_FORMAT],
                                                sort_keys=True).encode()).hexdigest()
                runs.append(Run(run_id, path, student.student_id if student else "", seed, values,
                                folder / f"{name}.ipynb", key, data, _literal_defaults(declared, values)))
    ids = [r.run_id.lower() for r in runs]  # case-insensitive file systems (macOS, Windows) would merge them
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise CrmlabError(f"run {dup!r} is planned twice: a repeated grid value, or student ids that differ "
                          "only in letter case")
    return runs


# ------------------------------------------------------------------------------------------- execute
@dataclass
class Outcome:
    """What became of one run: status ``ok``, ``failed``, ``cached`` or ``interrupted`` (the batch stopped
    first); seconds (of the run that produced the outputs); the first line of the error; the recorded
    results; attempts made; ``kept``: the run did not complete but an earlier complete result of it is
    still on disk (it is replaced only by a complete new one)."""

    run: Run
    status: str
    seconds: float = 0.0
    error: str = ""
    results: dict = field(default_factory=dict)
    attempts: int = 0
    kept: bool = False


class BatchInterrupted(KeyboardInterrupt):
    """The batch was interrupted (Ctrl-C); ``outcomes`` describe every run as it is on disk now."""

    def __init__(self, outcomes: list):
        super().__init__("batch interrupted")
        self.outcomes = outcomes


def _first_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0].strip() if lines else type(exc).__name__


def _kernel_died(exc: BaseException) -> bool:
    """True for failures of the kernel itself (it died, or never answered at start-up), which deserve one
    retry; false for errors raised by the notebook's own code."""
    if type(exc).__name__ == "DeadKernelError":
        return True
    text = str(exc).lower()
    return "kernel died" in text or "kernel didn't respond" in text


def _stamp(path: Path):
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _entry(worker, conn, run: Run, timeout: int, env: dict) -> None:
    """What a worker process starts with: the caller's environment as it is now, then ``worker``.

    Workers fork from multiprocessing's fork server, which keeps the environment of the moment it started:
    a batch run after the caller changed ``CRMLAB_HOME`` (another project, say) would otherwise run its
    kernels and load its cases from the old project."""
    os.environ.clear()
    os.environ.update(env)
    worker(conn, run, timeout)


def _caller_env() -> dict:
    """The caller's environment now (read before _isolated_start adds its start-up-only variables)."""
    return dict(os.environ)


def worker_setup() -> None:
    """The first thing a worker process does: drop the start-up-only PYTHONSAFEPATH (kernels run as they
    would anywhere else) and silence stdout/stderr (kernel chatter would garble the progress line)."""
    if os.environ.pop(_SAFEPATH_MARK, None):  # set only to start this process (_isolated_start)
        os.environ.pop("PYTHONSAFEPATH", None)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _work(conn, run: Run, timeout: int) -> None:
    """Worker process: execute one run into its staging files (never the run's own names), render its HTML,
    send back {"status", "results"|"error", ...}. The parent moves the staged files into place."""
    worker_setup()
    from .results import collect
    from .runner import run_notebook, to_html

    failed, staged_ipynb = run.failed_ipynb, run.staged_ipynb
    before = _stamp(failed)
    try:
        run_notebook(run.notebook, staged_ipynb, run.parameters, cwd=run.notebook.parent, timeout=timeout,
                     failed_output=failed)
        to_html(staged_ipynb, run.staged_html)
        message = {"status": "ok", "results": collect(staged_ipynb)}
    except Exception as exc:  # every failure goes back as a message: the batch must go on
        dead = _kernel_died(exc)
        message = {"status": "failed", "error": f"kernel died: {_first_line(exc)}" if dead else _first_line(exc),
                   "retry": dead}
        if _stamp(failed) == before:  # no new partial notebook: one left by an earlier attempt would mislead
            failed.unlink(missing_ok=True)
    conn.send(message)
    conn.close()


#: Set in the environment of the processes started by :func:`_isolated_start`, so that a worker knows that
#: PYTHONSAFEPATH was set for its start only.
_SAFEPATH_MARK = "CRMLAB_WORKER_SAFEPATH"


@contextlib.contextmanager
def _isolated_start():
    """While worker processes (and multiprocessing's fork server and resource tracker) are started, keep
    the caller's working directory out of their imports.

    Each of them starts as ``python -c "from multiprocessing... import main; ..."``, and ``-c`` puts the
    working directory first on ``sys.path``: its ``random.py`` (imported by multiprocessing itself, through
    ``tempfile``) or ``concurrent/`` (by asyncio) replaced the standard library's in every worker, and
    whatever such a file does ran in each of them. ``PYTHONSAFEPATH`` (Python 3.11's ``-P``) leaves the
    working directory out; the ``sys.path`` the children are handed (the parent's, in a spawned child and
    from Python 3.12 in the fork server) is stripped of it too, unless crmlab itself is imported from there.
    """
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was deleted: nothing to import from
        cwd = None
    home = str(Path(__file__).resolve().parents[1])  # the folder crmlab is imported from
    saved = sys.path[:]
    sys.path[:] = [p for p in saved if cwd is None or os.path.abspath(p or ".") != cwd or cwd == home]
    ours = "PYTHONSAFEPATH" not in os.environ
    if ours:
        os.environ["PYTHONSAFEPATH"] = "1"
        os.environ[_SAFEPATH_MARK] = "1"
    try:
        yield
    finally:
        sys.path[:] = saved
        if ours:
            os.environ.pop("PYTHONSAFEPATH", None)
            os.environ.pop(_SAFEPATH_MARK, None)


def _context():
    """The multiprocessing context of the workers; with forkserver, the server starts loading at once."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":  # workers fork from a server that has already imported the heavy modules
        from multiprocessing import forkserver

        # the worlds too: run_notebook checks the values a notebook passes to a world against the world's knobs,
        # and a case's world module builds on the library's (scipy and all: about 0.6 s a worker otherwise)
        ctx.set_forkserver_preload(["crmlab.runner", "crmlab.results", "crmlab._batch_warmup", "crmlab.worlds",
                                    "crmlab.worlds.transactions"])
        with _isolated_start():
            forkserver.ensure_running()  # returns at once; the server imports while the caller goes on
    return ctx


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _done(run: Run) -> dict | None:
    """The completion marker of a run's files on disk (any key), or None."""
    try:
        done = json.loads(run.marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return done if isinstance(done, dict) and run.ipynb.is_file() and run.html.is_file() else None


def _cached(run: Run) -> Outcome | None:
    done = _done(run)
    if done is None or done.get("key") != run.key:
        return None
    return Outcome(run, "cached", float(done.get("seconds", 0.0)), "", dict(done.get("results", {})), 0)


def _has_result(run: Run) -> bool:
    """An earlier complete result of the run is on disk (its notebook and its page)."""
    return run.ipynb.is_file() and run.html.is_file()


def _clear_temporary(run: Run) -> None:
    """Remove the temporary and staging files of a run (a worker killed before it could tidy up, or an
    interrupted batch); never the run's own files."""
    folder = run.ipynb.parent
    if folder.is_dir():
        stem, staged = run.ipynb.stem, run.staged_ipynb.stem
        for p in itertools.chain(folder.glob(f".{stem}-*.ipynb"), folder.glob(f".{run.html.name}.tmp"),
                                 folder.glob(f".{staged}-*.ipynb"), folder.glob(f".{run.staged_html.name}.tmp"),
                                 (run.staged_ipynb, run.staged_html)):
            p.unlink(missing_ok=True)


def _commit(run: Run, seconds: float, results: dict) -> None:
    """Put a complete run's staged files in place of the earlier ones, then write its completion marker."""
    run.marker.unlink(missing_ok=True)  # from here until the new marker, the files are not served from cache
    os.replace(run.staged_html, run.html)
    os.replace(run.staged_ipynb, run.ipynb)
    _write_json(run.marker, {"key": run.key, "seconds": seconds, "results": results})
    run.failed_ipynb.unlink(missing_ok=True)


def _receive(recv, proc) -> dict | None:
    """The worker's message; a failure message when it died without one; None while it still runs."""
    if recv.poll():
        try:
            return recv.recv()
        except EOFError:
            pass
    elif proc.is_alive():
        return None
    proc.join()
    return {"status": "failed", "error": f"worker process died (exit code {proc.exitcode})", "retry": True,
            "killed": True}


class _Progress:
    """One progress line on a terminal (redrawn in place), one line per finished run otherwise."""

    def __init__(self, total: int, stream: TextIO | None):
        self.total, self.stream, self.done, self.t0 = total, stream, 0, time.perf_counter()
        self.counts = {"ok": 0, "failed": 0, "cached": 0}
        self.tty = bool(stream) and hasattr(stream, "isatty") and stream.isatty()

    def eta(self) -> str:
        """Time left at the pace of the runs that executed so far (cached ones cost nothing); "" until one has."""
        ran = self.done - self.counts["cached"]
        left = self.total - self.done
        if not ran or not left:
            return ""
        seconds = (time.perf_counter() - self.t0) / ran * left
        return f"eta {seconds / 60:.0f} min" if seconds >= 120 else f"eta {seconds:.0f} s"

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        self.counts[outcome.status] += 1
        if not self.stream:
            return
        counts = "  ".join(f"{k} {v}" for k, v in self.counts.items())
        remaining = f"remaining {self.total - self.done}"
        eta = self.eta()
        if self.tty:
            filled = round(30 * self.done / self.total)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r[{'#' * filled}{'-' * (30 - filled)}] {self.done}/{self.total}  {counts}  "
                              f"{remaining}  {time.perf_counter() - self.t0:.0f} s{'  ' + eta if eta else ''}   {end}")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {outcome.status:<6} {outcome.run.run_id} "
                              f"({outcome.seconds:.1f} s){': ' + outcome.error if outcome.error else ''}"
                              f"{'  [' + eta + ']' if eta else ''}\n")
        self.stream.flush()


def execute_runs(runs: list[Run], *, workers: int = 2, timeout: int = 600, force: bool = False,
                 progress: TextIO | None = None, worker=None, scheduler: str | None = None) -> list[Outcome]:
    """Execute planned runs, ``workers`` at a time, one process per run; return outcomes in plan order.

    Parameters
    ----------
    runs : list of Run
        From :func:`plan_runs`.
    workers : int
        Runs executing at once.
    timeout : int
        Seconds allowed per run: papermill's limit per cell, and the wall-clock limit of the whole run
        (the worker is killed when it is exceeded).
    force : bool
        Re-run runs that finished before (otherwise they are reused, status ``cached``).
    progress : text stream or None
        Where the progress line goes (``sys.stderr`` for the command); None for none.
    worker : callable, optional
        What a worker process runs for one run: a module-level ``worker(conn, run, timeout)`` that writes
        ``run.staged_ipynb`` and ``run.staged_html`` and sends one message ``{"status": "ok", "results":
        {...}}`` or ``{"status": "failed", "error": ..., "retry": bool}`` through ``conn``. Default: execute
        the notebook with its parameters (``crmlab grade`` passes its own).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``): the runs execute as tasks on its workers
        (:mod:`crmlab.cluster`) instead of local processes; ``workers`` is then the cluster's business.
        Outputs, markers and outcomes are written here exactly as for a local run.

    Returns
    -------
    list of :class:`Outcome`. A run whose kernel or worker process dies is retried once.

    A run writes into staging files; its earlier result (from a batch before, with ``force`` or after the
    notebook changed) is replaced only when the new one is complete, so a run that fails keeps it
    (``Outcome.kept``) and an interruption loses nothing: :class:`BatchInterrupted` (a KeyboardInterrupt)
    then carries an outcome for every run as it stands on disk.

    Workers start through multiprocessing's ``forkserver`` (``spawn`` where that is missing), which
    re-imports the calling script: call this from under ``if __name__ == "__main__":`` in a script.
    Modules in the caller's working directory are not importable in the workers (:func:`_isolated_start`).

    Example (needs the files it names)::

        outcomes = execute_runs(plan_runs(["case.ipynb"], "build/x"), workers=2)

    A run that fails, hangs or whose worker dies is reported in its :class:`Outcome`; the others carry on.
    """
    from ._validate import check_int

    workers = check_int(workers, "workers", low=1)
    timeout = check_int(timeout, "timeout", low=1)
    bar = _Progress(len(runs), progress)
    outcomes: dict[str, Outcome] = {}
    queue: deque[tuple[Run, int]] = deque()
    for run in runs:
        hit = None if force else _cached(run)
        if hit is not None:
            outcomes[run.run_id] = hit
            bar.update(hit)
        else:
            run.ipynb.parent.mkdir(parents=True, exist_ok=True)
            _clear_temporary(run)  # left by a batch that was killed; the run's own files stay until replaced
            queue.append((run, 1))
    ctx = None if scheduler else _context()
    running: dict = {}  # receiving end of the pipe -> (process, run, attempt, start)

    def finish(run: Run, attempt: int, start: float, message: dict) -> None:
        if message["status"] == "failed" and message["retry"] and attempt == 1:
            queue.appendleft((run, 2))
            return
        seconds = time.perf_counter() - start
        out = Outcome(run, message["status"], seconds, message.get("error", ""), message.get("results", {}), attempt)
        if out.status == "ok":
            try:
                _commit(run, seconds, out.results)
            except OSError as exc:
                out = Outcome(run, "failed", seconds, f"cannot put the result in place: {exc}", {}, attempt)
        if out.status == "failed":
            _clear_temporary(run)
            if message.get("killed"):  # a killed worker wrote no partial notebook: an older one would mislead
                run.failed_ipynb.unlink(missing_ok=True)
            out.kept = _has_result(run)
        outcomes[run.run_id] = out
        bar.update(out)

    if scheduler:
        from .cluster import execute_on_cluster

        kind = "grade" if getattr(worker, "__name__", "") == "grade_work" else "batch"
        try:
            execute_on_cluster([r for r, _ in queue], scheduler, kind=kind, timeout=timeout, finish=finish)
        except KeyboardInterrupt:
            for r, _ in queue:
                if r.run_id not in outcomes:
                    _clear_temporary(r)
            raise BatchInterrupted([outcomes.get(r.run_id) or _as_on_disk(r) for r in runs]) from None
        return [outcomes[r.run_id] for r in runs]
    try:
        try:
            while queue or running:
                while queue and len(running) < workers:
                    run, attempt = queue.popleft()
                    recv, send = ctx.Pipe(duplex=False)
                    proc = ctx.Process(target=_entry, args=(worker or _work, send, run, timeout, _caller_env()),
                                       daemon=True)
                    with _isolated_start():
                        proc.start()
                    send.close()
                    running[recv] = (proc, run, attempt, time.perf_counter())
                next_deadline = min(start + timeout for _, _, _, start in running.values())
                wait(list(running) + [p.sentinel for p, *_ in running.values()],
                     timeout=max(0.0, next_deadline - time.perf_counter()))
                for recv, (proc, run, attempt, start) in list(running.items()):
                    message = _receive(recv, proc)
                    if message is None and time.perf_counter() - start > timeout:
                        proc.kill()
                        message = {"status": "failed", "error": f"timed out after {timeout} s", "retry": False,
                                   "killed": True}
                    if message is None:
                        continue
                    proc.join()
                    recv.close()
                    del running[recv]
                    if message.get("killed"):
                        _clear_temporary(run)
                    finish(run, attempt, start, message)
        finally:
            for proc, run, *_ in running.values():  # interrupted: leave no worker and no temporary file behind
                proc.kill()
                proc.join()
                _clear_temporary(run)
    except KeyboardInterrupt:
        raise BatchInterrupted([outcomes.get(r.run_id) or _as_on_disk(r) for r in runs]) from None
    return [outcomes[r.run_id] for r in runs]


def _as_on_disk(run: Run) -> Outcome:
    """The outcome of a run the batch did not finish: its earlier result when that is still valid (cached),
    else interrupted (with ``kept`` when an earlier, now outdated, result is on disk)."""
    hit = _cached(run)
    if hit is not None:
        return hit
    return Outcome(run, "interrupted", error="the batch was interrupted before this run finished",
                   kept=_has_result(run))


# ------------------------------------------------------------------------------------------- reports
def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _summary_names(outcomes: list[Outcome]) -> tuple[list, list, list]:
    """The columns after :data:`SUMMARY_COLUMNS`: roster data, parameters (``param_<name>``), results."""
    roster = list(dict.fromkeys(k for o in outcomes for k in o.run.roster))
    params = list(dict.fromkeys(k for o in outcomes for k in o.run.parameters if k != "seed"))
    results = list(dict.fromkeys(k for o in outcomes for k in o.results))
    return roster, params, results


def _roster_column(name: str, taken: set) -> str:
    return f"roster_{name}" if name in taken else name


def write_summary(out, outcomes: list[Outcome]) -> Path:
    """Write ``out/summary.csv`` (atomically): :data:`SUMMARY_COLUMNS`, then the roster's data columns
    (``name``, ``email``...: the roster columns that are no parameter; ``roster_<name>`` where a name is
    taken), then ``param_<name>`` for every parameter a run was given (the seed has its own column; a run
    that was not given one shows the notebook's default), then every recorded result in order of first
    appearance. Booleans are written ``true``/``false``, lists and dicts as JSON. A run that did not
    complete but whose earlier result is still on disk says so in its error.

    Example (needs the files it names)::

        write_summary("build/class", execute_runs(runs))
    """
    out = Path(out)
    roster_names, param_names, result_names = _summary_names(outcomes)
    taken = {*SUMMARY_COLUMNS, *result_names, *(f"param_{n}" for n in param_names)}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*SUMMARY_COLUMNS, *(_roster_column(n, taken) for n in roster_names),
                     *(f"param_{n}" for n in param_names), *result_names])
    for o in outcomes:
        r = o.run
        values = {**r.defaults, **r.parameters}
        writer.writerow([r.run_id, r.notebook.name, r.student_id, _cell(r.seed), o.status, f"{o.seconds:.2f}",
                         _error_text(o), *(r.roster.get(k, "") for k in roster_names),
                         *(_cell(values.get(k)) for k in param_names),
                         *(_cell(o.results.get(k)) for k in result_names)])
    target = out / "summary.csv"
    tmp = out / ".summary.csv.tmp"
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, target)
    return target


def _error_text(o: Outcome) -> str:
    if o.kept:
        return f"{o.error} (the earlier result is kept: {o.run.html.name})"
    return o.error


def _title(notebook: Path) -> str:
    """The first Markdown heading of the notebook, else its file name."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return notebook.name
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return notebook.name


def _write_index(out: Path, outcomes: list[Outcome], title: str) -> Path:
    from .report import write_index

    titles = {p: _title(p) for p in {o.run.notebook for o in outcomes}}
    rows = []
    for o in outcomes:
        r = o.run
        label = titles[r.notebook] + (f" — {r.student_id}" if r.student_id else "")
        if r.roster:
            label += " · " + ", ".join(f"{k}: {v}" for k, v in r.roster.items())
        if r.seed is not None:
            label += f" (seed {r.seed})"
        link = r.html.relative_to(out).as_posix() if o.status in ("ok", "cached") or o.kept else None
        rows.append({"id": r.run_id, "title": label, "status": o.status, "seconds": o.seconds, "html": link,
                     "error": _error_text(o) or None, "results": o.results})
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ok", "failed", "cached", "interrupted")}
    intro = (f"{len(outcomes)} run(s): {counts['ok']} ok, {counts['failed']} failed, {counts['cached']} reused "
             "from an earlier batch" + (f", {counts['interrupted']} not run (the batch was interrupted)"
                                        if counts["interrupted"] else "")
             + ". summary.csv beside this page has one row per run.")
    return write_index(out, rows, title=title, intro=intro)


@dataclass(frozen=True)
class BatchReport:
    """Outcomes of a batch and the files written; ``notes``: what the batch said on the way (roster columns
    kept as data, a stale lock taken over)."""

    outcomes: list
    summary: Path
    index: Path
    notes: tuple = ()

    @property
    def failed(self) -> int:
        return sum(o.status == "failed" for o in self.outcomes)


# ---------------------------------------------------------------------------------------------- lock
def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (True when that cannot be told)."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would terminate it on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


class OutputLock:
    """The lock of a batch's output folder: the file ``<out>/.crmlab-batch.lock`` holding the pid, host,
    start time and command of the batch writing there.

    Two batches writing into one folder would interleave their files and each write a summary of its own
    runs only. A second batch is refused with a message naming the holder. The file is also locked with
    ``flock`` where the system has it, so a lock left behind by a batch that was killed is recognised
    as such: on this host it is taken over (:attr:`note` says so); a lock from another host is taken over
    only after its file is deleted, as the message says.
    """

    def __init__(self, out):
        self.out = Path(out)
        self.path = self.out / LOCK_NAME
        self.note = ""
        self._fd = None

    def _holder_text(self, holder: dict | None) -> str:
        if not holder:
            return f"another batch (lock file {self.path})"
        command = f", {holder['command']}" if holder.get("command") else ""
        return (f"another batch: pid {holder.get('pid')} on {holder.get('host')}, started "
                f"{holder.get('started')}{command}")

    def _busy(self, holder: dict | None, *, maybe_stale: bool = False) -> CrmlabError:
        hint = f"; if it no longer runs, delete {self.path}" if maybe_stale else ""
        return CrmlabError(f"output folder {self.out} is in use by {self._holder_text(holder)}; wait for it to "
                           f"finish or choose another --out{hint}")

    def acquire(self) -> "OutputLock":
        try:
            import fcntl
        except ImportError:  # Windows: the lock file alone
            fcntl = None
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300] if sys.argv else ""}
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                locked = False
                if fcntl is not None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        locked = True
                    except BlockingIOError:
                        raise self._busy(self._read(fd)) from None
                    except OSError:  # a file system without flock: the lock file alone
                        pass
                try:
                    current = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    current = False
                if not current:  # the holder removed the file as we opened it: open the new one
                    os.close(fd)
                    continue
                if os.read(fd, 65536).strip():  # left by a batch that did not remove it, or is still running
                    holder = self._read(fd)
                    pid = holder.get("pid") if holder else None
                    same_host = holder is not None and holder.get("host") == me["host"]
                    # on this host, a free flock or a pid that no longer exists means the holder is gone
                    if not (same_host and (locked or (isinstance(pid, int) and not _alive(pid)))):
                        raise self._busy(holder, maybe_stale=True)
                    self.note = (f"took over the lock of an earlier batch in {self.out} that no longer runs "
                                 f"(pid {pid}, started {holder.get('started')})")
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps(me, ensure_ascii=False).encode("utf-8"))
                self._fd = fd
                return self
            except BaseException:
                if self._fd is None:
                    os.close(fd)
                raise
        raise CrmlabError(f"cannot lock output folder {self.out}: its lock file keeps changing")

    @staticmethod
    def _read(fd) -> dict | None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            data = json.loads(os.read(fd, 65536).decode("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if os.path.samestat(os.fstat(self._fd), os.stat(self.path)):
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(self._fd)  # releases the flock, after the file is gone
            self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _say(progress: TextIO | None, text: str) -> None:
    if progress is not None:
        progress.write(f"crmlab: {text}\n")
        progress.flush()
    else:
        import warnings

        warnings.warn(text, stacklevel=3)


def run_batch(notebooks, out, *, roster=None, grid=None, params: dict | None = None, workers: int = 2,
              timeout: int = 600, force: bool = False, title: str = "crmlab batch",
              progress: TextIO | None = None, scheduler: str | None = None) -> BatchReport:
    """Plan, validate, execute and report a batch: the whole of ``crmlab batch``.

    Parameters
    ----------
    notebooks : list of paths
    out : path
        Output folder (created). It is locked while the batch runs (:class:`OutputLock`): a second batch
        into the same folder is refused.
    roster, grid : path, optional
        Roster CSV (:func:`read_roster`) and YAML grid (:func:`read_grid`).
    params : dict, optional
        Parameters for every run.
    workers, timeout, force, progress, scheduler
        As in :func:`execute_runs` (``scheduler``: run on a Dask cluster, :mod:`crmlab.cluster`).
    title : str
        Heading of ``index.html``.

    Returns
    -------
    :class:`BatchReport`; ``report.failed`` counts failed runs.

    Example (needs the files it names)::

        run_batch(["notebooks/fedex.ipynb"], "build/class", roster="roster.csv").failed
    0

    Every result a notebook records ends up in its run's row of ``summary.csv``; ``index.html`` links each
    run's HTML page with its status and key results. Interrupted (Ctrl-C), the batch still writes both,
    describing what is on disk, and raises :class:`BatchInterrupted`.
    """
    from ._validate import check_int

    check_int(workers, "workers", low=1)
    check_int(timeout, "timeout", low=1)
    if not scheduler:
        _context()  # the worker server loads papermill and nbconvert while the batch is planned
    runs = plan_runs(notebooks, out, roster=read_roster(roster) if roster else None,
                     grid=read_grid(grid) if grid else None, params=params)
    out = Path(out).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrmlabError(f"cannot create output folder {out}: {exc.strerror}") from None
    notes = []
    data = list(dict.fromkeys(k for r in runs for k in r.roster))
    if data:
        notes.append(f"roster column(s) kept as roster data, not parameters: {', '.join(data)}")
    with OutputLock(out) as lock:
        if lock.note:
            notes.append(lock.note)
        for note in notes:
            _say(progress, note)
        try:
            outcomes = execute_runs(runs, workers=workers, timeout=timeout, force=force, progress=progress,
                                    scheduler=scheduler)
        except BatchInterrupted as stop:
            write_summary(out, stop.outcomes)
            _write_index(out, stop.outcomes, title)
            raise
        return BatchReport(outcomes, write_summary(out, outcomes), _write_index(out, outcomes, title), tuple(notes))
