"""The `crmlab` command.

Anything a user can get wrong (unknown case, bad parameter, unwritable folder) ends with one line on
stderr and a non-zero exit status, never a traceback. Set CRMLAB_DEBUG=1 to see tracebacks of internal
errors.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import CrmlabError, PlannedCaseError, UnknownCaseError
from .paths import prepare_output_dir, project_root

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse prints usage plus a message on error; keep it to one line of message, exit 2."""

    def error(self, message):  # pragma: no cover - exercised through the CLI tests
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _param_pairs(pairs) -> dict:
    from .runner import parse_cli_value

    out = {}
    for name, value in pairs or []:
        if name in out:
            raise CrmlabError(f"parameter {name!r} given twice")
        out[name] = parse_cli_value(value)
    return out


# ---------------------------------------------------------------------------------------------- list
def cmd_list(args) -> int:
    from .cases import load_cases

    catalogue = list(load_cases().values())
    cases = [c for c in catalogue if c.ready] if args.ready else catalogue
    if args.ids:
        for c in cases:
            print(c.id)
        return 0
    root = project_root()

    def editions(c) -> str:
        found = [lang for lang in ("en", "zh") if (root / c.notebook_for(lang)).is_file()]
        return "+".join(found) if found else "—"

    zh = args.lang == "zh"
    headers = ("id", "状态" if zh else "status", "类型" if zh else "kind", "标题" if zh else "title", "company",
               "industry", "版本" if zh else "editions")
    status = {"ready": "可用", "planned": "计划中"} if zh else {}
    kind = {"case": "案例", "method": "方法", "review": "复习"} if zh else {}
    rows = [(c.id, status.get(c.status, c.status), kind.get(c.kind, c.kind), c.title(args.lang), c.company,
             c.industry, editions(c)) for c in cases]
    limits = (22, 7, 6, 46, 26, 26, 9)
    rows = [tuple(_clip(v, n) for v, n in zip(r, limits)) for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    print("  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(_pad(v, w) for v, w in zip(r, widths)).rstrip())
    ready = sum(c.ready for c in catalogue)
    if zh:
        print(f"\n共 {len(catalogue)} 个案例：{ready} 个可用，{len(catalogue) - ready} 个计划中（已编目，笔记本随后提供）。"
              "笔记本：notebooks/<id>.ipynb（英文版），notebooks/zh/<id>.ipynb（中文版）")
    else:
        print(f"\n{len(catalogue)} cases: {ready} ready, {len(catalogue) - ready} planned "
              "(planned cases are catalogued; their notebooks arrive later). Notebooks: notebooks/<id>.ipynb "
              "(English), notebooks/zh/<id>.ipynb (Chinese)")
    return 0


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def _clip(s: str, n: int) -> str:
    return s if _width(s) <= n else s[: n - 1] + "…"


# -------------------------------------------------------------------------------------------- doctor
def cmd_doctor(args) -> int:
    from .doctor import run_checks

    checks = run_checks(Path(args.out), start_kernel=not args.no_kernel)
    marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
    print(f"crmlab {__version__}")
    for c in checks:
        print(f"  [{marks[c.status]}] {c.name:<13} {c.detail}")
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        print(f"\n{len(failed)} problem(s) to fix before crmlab can run notebooks.", file=sys.stderr)
        return 1
    print("\nready.")
    return 0


# ----------------------------------------------------------------------------------------------- run
def cmd_run(args) -> int:
    from .cases import get_case
    from .results import collect
    from .runner import run_notebook, to_html, validate_parameters

    if args.case.endswith(".ipynb") or Path(args.case).is_file():
        notebook, name = Path(args.case), Path(args.case).stem  # a notebook path, as batch and assign take
        if args.lang != "en":
            raise CrmlabError("--lang chooses the edition of a case id; a notebook path is already one edition")
    else:
        case = get_case(args.case).require_ready("run")
        notebook = project_root() / case.notebook_for(args.lang)
        if not notebook.is_file():
            raise CrmlabError(f"case {case.id!r} has no {args.lang!r} edition yet ({case.notebook_for(args.lang)})")
        name = case.id if args.lang == "en" else f"{case.id}-{args.lang}"
    params = _param_pairs(args.p)
    validate_parameters(notebook, params)
    if args.out is None:  # one folder per case and parameter set: varying parameters never collides
        out = (Path(DEFAULT_RUN_DIR) / name / run_tag(params)).resolve()
        replace = True
    else:
        out = Path(args.out).resolve()
        replace = args.force
    ipynb, html = out / f"{name}.ipynb", out / f"{name}.html"
    earlier = ipynb.exists() or html.exists()
    prepare_output_dir(out, [ipynb, html], replace)
    staged, staged_html = out / f".{name}.new.ipynb", out / f".{name}.new.html"
    t0 = time.perf_counter()
    try:
        run_notebook(notebook, staged, params, timeout=args.timeout, failed_output=out / f"{name}.failed.ipynb")
        to_html(staged, staged_html)
    except BaseException as exc:
        staged.unlink(missing_ok=True)
        staged_html.unlink(missing_ok=True)
        if earlier and isinstance(exc, CrmlabError):
            raise CrmlabError(f"{exc} (the earlier result in {out} is unchanged)") from None
        raise
    os.replace(staged_html, html)  # the earlier result is replaced only now that the new one is complete
    os.replace(staged, ipynb)
    (out / f"{name}.failed.ipynb").unlink(missing_ok=True)
    print(f"ran {name} in {time.perf_counter() - t0:.1f} s" + (" (replaced the earlier result of these "
                                                              "parameters)" if earlier else ""))
    for k, v in collect(ipynb).items():
        print(f"  {k} = {v}")
    print(f"notebook: {ipynb}\nreport:   {html}")
    return 0


#: Where `crmlab run` writes without --out: DEFAULT_RUN_DIR/<case>/<parameters>/ (relative to the working directory).
DEFAULT_RUN_DIR = "build/run"


def run_tag(params: dict) -> str:
    """The folder name of a parameter set under ``build/run/<case>/``: ``default`` for none, else
    ``name=value`` pairs sorted by name and joined by ``_`` (``n_customers=800_seed=7``), made safe for any
    file system (a long or unusual value gets a short hash)."""
    from .batch import _safe

    if not params:
        return "default"
    return _safe("_".join(f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
                          for k, v in sorted(params.items())))


# ---------------------------------------------------------------------------------------------- data
def cmd_data(args) -> int:
    from . import worlds
    from .cases import load_cases, unknown_id_message
    from .runner import parse_cli_value

    if args.case not in worlds.available():
        case = load_cases().get(args.case)
        if case is not None:
            raise PlannedCaseError(f"case {args.case!r} has no synthetic world (it is {case.status}, kind "
                                   f"{case.kind}); worlds exist for: {', '.join(worlds.available())}")
        raise UnknownCaseError(unknown_id_message("world", args.case, worlds.available()))
    knobs = {}
    for name, value in args.k or []:
        knobs[name] = parse_cli_value(value)
    world = worlds.make(args.case, seed=args.seed, **knobs)
    from .worlds.io import write_world

    paths = write_world(world, Path(args.out), fmt=args.format, include_truth=not args.no_truth,
                        overwrite=args.force)
    print(f"wrote {len(paths)} files for world {args.case!r} (seed {args.seed}) to {Path(args.out)}")
    for p in paths:
        print(f"  {p.name}")
    return 0


# --------------------------------------------------------------------------------------------- batch
def _notebook_arg(text: str, lang: str = "en") -> Path:
    """A notebook path, or the id of a ready case (its notebook in the edition ``lang``)."""
    from .cases import get_case, load_cases

    if Path(text).is_file() or text not in load_cases():
        return Path(text)
    case = get_case(text).require_ready("batch")
    path = project_root() / case.notebook_for(lang)
    if not path.is_file():
        raise CrmlabError(f"case {case.id!r} has no {lang!r} edition yet ({case.notebook_for(lang)})")
    return path


def _report_batch(report, seconds: float) -> int:
    from .batch import _error_text

    counts = {s: sum(o.status == s for o in report.outcomes) for s in ("ok", "failed", "cached")}
    print(f"{len(report.outcomes)} run(s) in {seconds:.1f} s: {counts['ok']} ok, {counts['failed']} failed, "
          f"{counts['cached']} cached")
    for o in report.outcomes:
        if o.status == "failed":
            print(f"  failed {o.run.run_id}: {_error_text(o)}")
    print(f"summary: {report.summary}\nreport: {report.index}")
    return 1 if report.failed else 0


def _batch(out, **kwargs):
    """run_batch, telling on stderr what an interruption (Ctrl-C) left; returns the report or an exit status."""
    from .batch import BatchInterrupted, run_batch

    try:
        return run_batch(out=out, **kwargs)
    except BatchInterrupted as stop:
        done = sum(o.status != "interrupted" for o in stop.outcomes)
        print(f"\ncrmlab: interrupted: {done} of {len(stop.outcomes)} run(s) have a current result; no earlier "
              f"result was deleted; summary.csv and index.html in {Path(out).resolve()} describe what is on disk",
              file=sys.stderr)
        return 130


def cmd_batch(args) -> int:
    t0 = time.perf_counter()
    report = _batch(args.out, notebooks=[_notebook_arg(n, args.lang) for n in args.notebooks], roster=args.roster,
                    grid=args.params, params=_param_pairs(args.p), workers=args.workers,
                    timeout=args.timeout, force=args.force, progress=sys.stderr, scheduler=_scheduler(args))
    return report if isinstance(report, int) else _report_batch(report, time.perf_counter() - t0)


def _scheduler(args) -> str | None:
    """``--scheduler``, else the CRMLAB_SCHEDULER environment variable, else None (the local process pool)."""
    from .cluster import SCHEDULER_ENV

    return getattr(args, "scheduler", None) or os.environ.get(SCHEDULER_ENV) or None


# -------------------------------------------------------------------------------------------- assign
def cmd_assign(args) -> int:
    from .assign import make_assignment, verify_assignment

    student, key = make_assignment(args.notebook, args.out, force=args.force)
    print(f"student version: {student}\nanswer key:      {key}")
    if not args.verify:
        return 0
    result = verify_assignment(student, key, args.out, timeout=args.timeout)
    if result.problems:
        print(f"crmlab: error: {result.problems[0]}" + (f" (and {len(result.problems) - 1} more)"
                                                        if len(result.problems) > 1 else ""), file=sys.stderr)
        return 1
    print(f"verified: all {len(result.key)} checks pass on the key and fail on the student version")
    return 0


# ---------------------------------------------------------------------------------------------- start
def cmd_start(args) -> int:
    from .workspace import make_workspace, make_workspaces

    if bool(args.student_id) == bool(args.roster):
        raise CrmlabError("give --student-id ID (one workspace) or --roster ROSTER (one per student), not both")
    if args.student_id:
        w = make_workspace(args.cases, args.out, student_id=args.student_id, lang=args.lang, force=args.force)
        print(f"workspace of {w.student_id} (seed {w.seed}): {w.folder}")
        for nb in w.notebooks:
            print(f"  {nb}")
        print(f"  {w.readme}\nopen it in JupyterLab: jupyter lab {w.folder}")
        return 0
    spaces = make_workspaces(args.cases, args.out, roster=args.roster, lang=args.lang, force=args.force)
    print(f"{len(spaces)} workspace(s) in {Path(args.out).resolve()}, one folder per student, ready to hand out")
    return 0


# ---------------------------------------------------------------------------------------------- grade
def cmd_grade(args) -> int:
    from .batch import BatchInterrupted
    from .grade import grade_class

    t0 = time.perf_counter()
    try:
        report = grade_class(args.submissions, args.out, roster=args.roster, cases=args.case,
                             params=_param_pairs(args.p), lang=args.lang, workers=args.workers,
                             timeout=args.timeout, force=args.force, progress=sys.stderr,
                             scheduler=_scheduler(args))
    except BatchInterrupted:
        print(f"crmlab: interrupted; the gradebook in {Path(args.out).resolve()} describes what was graded",
              file=sys.stderr)
        return 130
    counts = {}
    for e in report.entries:
        counts[e.status] = counts.get(e.status, 0) + 1
    flagged = sorted({e.student_id for e in report.entries if e.flags})
    print(f"{len(report.entries)} submission(s) in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{n} {s}" for s, n in counts.items()))
    if flagged:
        print(f"integrity flags for {len(flagged)} student(s): {', '.join(flagged[:10])}"
              + (" ..." if len(flagged) > 10 else "") + " (evidence in report.html and gradebook.csv)")
    for e in report.entries:
        if e.status == "failed":
            print(f"  failed {e.student_id}/{e.case_id}: {e.error}")
    for name in ("gradebook", "long", "canvas", "moodle", "report"):
        print(f"  {report.files[name]}")
    return 1 if report.failed else 0


# ------------------------------------------------------------------------------------------- analyze
def add_analyze(subparsers) -> argparse.ArgumentParser:
    """Register ``crmlab analyze`` on an argparse subparsers object; returns the subparser."""
    from .analyze import REFUND_POLICIES
    from .analyze.clean import DUPLICATE_POLICIES, UNREADABLE_LIMIT

    s = subparsers.add_parser("analyze", help="clean a client's transaction export and run the customer-value "
                                              "analysis (RFM, ABC, whale curve, CLV) into a report to hand to the client")
    s.add_argument("file", metavar="FILE", help="CSV, Excel (.xlsx) or parquet file, one row per transaction")
    s.add_argument("--customer", required=True, metavar="COL", help="column of customer ids")
    s.add_argument("--date", required=True, metavar="COL", help="column of transaction dates")
    s.add_argument("--amount", required=True, metavar="COL", help="column of amounts (currency text is fine)")
    s.add_argument("--out", required=True, metavar="DIR", help="output folder")
    s.add_argument("--date-format", metavar="FMT",
                   help="strptime format of the dates, e.g. %%d/%%m/%%Y (several: separate with |); default: each "
                        "value read in its own style, day/month order decided from the values")
    s.add_argument("--decimal", choices=("auto", ".", ","), default="auto",
                   help="decimal mark of the amounts (default: auto, decided from unambiguous values)")
    s.add_argument("--refunds", choices=REFUND_POLICIES, default="net",
                   help="negative amounts: net them against the customer's purchases of the same day "
                        "(default), drop them, or stop with an error")
    s.add_argument("--pseudonymize", action="store_true",
                   help="replace customer ids by keyed hashes before writing anything; the key is printed once")
    s.add_argument("--observation-end", metavar="DATE", help="last day analysed; later rows are excluded "
                                                             "and counted (default: the last date)")
    s.add_argument("--encoding", default="utf-8", help="text encoding of a CSV (default utf-8; gb18030 for many "
                                                      "Chinese exports)")
    s.add_argument("--gross-margin", type=float, default=1.0, help="share of revenue that is gross profit, for "
                                                                   "profit, whale curve and CLV (default 1)")
    s.add_argument("--cost-per-purchase", type=float, default=0.0,
                   help="cost to serve one purchase day, for the whale curve (default 0)")
    s.add_argument("--sheet", metavar="SHEET", help="Excel sheet, by name or number (default: the sheet whose "
                                                    "header holds the named columns)")
    s.add_argument("--duplicates", choices=DUPLICATE_POLICIES, default="auto",
                   help="rows equal to an earlier row in every column: drop and count them, or keep them; auto "
                        "(default): drop when the file has a column besides customer, date and amount (an order "
                        "id, a time), else keep them as equal purchases and count them")
    s.add_argument("--order", metavar="COL", help="column of order ids: a later row of an order already seen is a "
                                                  "duplicate (for files with one row per order)")
    s.add_argument("--blank-id", action="append", default=[], metavar="TEXT",
                   help="a customer-id text meaning 'no customer', e.g. NA (repeatable; by default only empty "
                        "cells, NULL, N/A, #N/A and - are blank, and NA or None are ids)")
    s.add_argument("--allow-exclusions", action="store_true",
                   help=f"analyse even when more than {UNREADABLE_LIMIT:.0%}% of the rows cannot be read "
                        "(blank ids, unparsable dates or amounts); without it the command stops")
    s.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the client report (default en)")
    s.add_argument("--engine", choices=("auto", "memory", "duckdb"), default="auto",
                   help="where the cleaning and the customer summaries run: in memory, or on DuckDB out of core "
                        "(typed parquet exports larger than memory: DATE/TIMESTAMP dates, numeric amounts); auto "
                        f"(default): DuckDB for such a parquet file of {AUTO_DUCKDB_ROWS:,} rows or more")
    s.add_argument("--memory-limit", default=None, metavar="SIZE",
                   help="DuckDB's memory limit with the DuckDB engine, e.g. 2GB (default 1GB); the rest spills to disk "
                        "in a temporary folder inside --out")
    s.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="compute the transaction summary on a Dask cluster (default: $CRMLAB_SCHEDULER, else here)")
    s.add_argument("--notebook", action="store_true",
                   help="also run the teaching notebook customer_value on the clean file (customer_value.ipynb and "
                        ".html: the same analysis with its code)")
    s.add_argument("--timeout", type=int, default=3600, help="seconds allowed per notebook cell with --notebook "
                                                            "(default 3600)")
    s.add_argument("--force", action="store_true", help="overwrite existing output files in DIR")
    s.set_defaults(func=cmd_analyze)
    return s


#: Rows of a typed parquet export from which ``crmlab analyze --engine auto`` cleans it on DuckDB.
AUTO_DUCKDB_ROWS = 5_000_000


def _analyze_engine(args, path: Path, scheduler: str | None) -> str:
    """``memory`` or ``duckdb`` for ``crmlab analyze``: the one asked for, or the one ``auto`` chooses."""
    from .analyze.sqlclean import duckdb_reason

    engine = getattr(args, "engine", "auto") or "auto"
    if engine == "memory":
        return engine
    if engine == "duckdb":
        if scheduler:
            raise CrmlabError("--engine duckdb and --scheduler are two ways to go beyond one machine's memory: "
                              "choose one")
        reason = duckdb_reason(path, date_col=args.date, amount_col=args.amount)
        if reason:
            raise CrmlabError(f"--engine duckdb cannot clean {path.name}: {reason}")
        return engine
    if scheduler or path.suffix.lower() not in (".parquet", ".pq"):
        return "memory"
    import pyarrow.parquet as pq

    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except Exception:  # an unreadable file is reported by the reader, with its own message
        return "memory"
    if rows < AUTO_DUCKDB_ROWS:
        return "memory"
    return "duckdb" if duckdb_reason(path, date_col=args.date, amount_col=args.amount) is None else "memory"


@contextlib.contextmanager
def _duckdb_limits(engine: str, args, out: Path):
    """With the DuckDB engine, DuckDB's memory limit and a spill folder inside ``out`` (removed afterwards)
    for every DuckDB query of the block; nothing otherwise."""
    if engine != "duckdb":
        yield
        return
    import shutil
    import tempfile

    from .analyze.sqlclean import DEFAULT_MEMORY_LIMIT
    from .summary_engines import duckdb_limits

    spill = Path(tempfile.mkdtemp(prefix=".crmlab-duckdb-", dir=out))
    try:
        with duckdb_limits(args.memory_limit or DEFAULT_MEMORY_LIMIT, spill):
            yield
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _customer_value_on_cluster(result, scheduler: str, **kwargs):
    """customer_value with the transaction summary computed on the Dask cluster at ``scheduler`` (the log is
    sent to the workers in partitions; only the per-customer summary comes back), the models fitted here."""
    import dask
    import dask.dataframe as dd

    from .analyze import customer_value
    from .cluster import connect

    client = connect(scheduler)
    try:
        n = max(2, 2 * len(client.scheduler_info().get("workers", {})))
        with dask.config.set(scheduler=client):
            log = client.persist(dd.from_pandas(result.transactions, npartitions=n))
            return customer_value(result.transactions, observation_end=result.observation_end, summary_source=log,
                                  **kwargs)
    finally:
        client.close()


def cmd_analyze(args) -> int:
    """Run `crmlab analyze` (see :func:`add_analyze`): clean FILE, write the clean file and the data-quality
    table, then the report of the customer-value notebook; returns the exit status (1 when more than a
    small share of the rows cannot be read and --allow-exclusions is not given: nothing is analysed)."""
    import secrets

    from ._validate import check_number
    from .analyze import clean_transactions, customer_value, write_clean, write_report
    from .analyze.clean import DEFAULT_BLANK_IDS, UNREADABLE, UNREADABLE_LIMIT
    from .analyze.client import write_csv
    from .analyze.parse import observation_end_day
    from .analyze.report import OUTPUTS, report_notebook, write_notebook

    notebook = report_notebook() if args.notebook else None
    path = Path(args.file)
    if not path.is_file():
        raise CrmlabError(f"file not found: {path}")
    out = Path(args.out).resolve()
    observation_end_day(args.observation_end)  # a bad date stops here, before the output folder is made
    check_number(args.gross_margin, "--gross-margin", low=0.0, high=1.0, low_open=True)
    check_number(args.cost_per_purchase, "--cost-per-purchase", low=0.0)
    prepare_output_dir(out, [out / name for name in OUTPUTS], args.force)
    key = secrets.token_bytes(32) if args.pseudonymize else None
    scheduler = _scheduler(args)
    engine = _analyze_engine(args, path, scheduler)
    if args.memory_limit is not None and engine != "duckdb":
        raise CrmlabError("--memory-limit is DuckDB's: it needs --engine duckdb (or auto on a large typed parquet)")
    if args.memory_limit is not None:
        from .summary_engines import MEMORY_LIMIT

        if not MEMORY_LIMIT.fullmatch(args.memory_limit):
            raise CrmlabError(f"--memory-limit must be a size such as 512MB or 2GB, got {args.memory_limit!r}")
    blanks = tuple(DEFAULT_BLANK_IDS) + tuple(args.blank_id)
    t0 = time.perf_counter()
    if engine == "duckdb":
        from .analyze.sqlclean import DEFAULT_MEMORY_LIMIT, clean_parquet

        for option in ("date_format", "sheet"):
            if getattr(args, option):
                print(f"crmlab: note: --{option.replace('_', '-')} does not apply to a typed parquet file; ignored",
                      file=sys.stderr)
        result = clean_parquet(path, customer_col=args.customer, date_col=args.date, amount_col=args.amount,
                               refunds=args.refunds, observation_end=args.observation_end, key=key,
                               duplicates=args.duplicates, order_col=args.order, blank_ids=blanks,
                               out_path=out / "clean_transactions.parquet",
                               memory_limit=args.memory_limit or DEFAULT_MEMORY_LIMIT)
    else:
        result = clean_transactions(path, customer_col=args.customer, date_col=args.date, amount_col=args.amount,
                                    date_format=args.date_format, decimal=args.decimal, refunds=args.refunds,
                                    observation_end=args.observation_end, key=key, encoding=args.encoding,
                                    duplicates=args.duplicates, order_col=args.order, sheet=args.sheet,
                                    blank_ids=blanks)
    q = result.quality.set_index("item")
    n_read, unreadable = int(q.loc["rows_read", "rows"]), result.unreadable
    reasons = [f"{item} {int(r.rows):,}" + (f" (e.g. {r.examples.split(' | ')[0]})" if r.examples else "")
               for item, r in q[q["kind"] == "excluded"].iterrows() if r.rows]
    if unreadable > UNREADABLE_LIMIT * n_read:
        loud = (f"{unreadable:,} of {n_read:,} rows ({unreadable / n_read:.1%}) of {path.name} cannot be read "
                f"({', '.join(x for x in reasons if x.split()[0] in UNREADABLE)})")
        if not getattr(args, "allow_exclusions", False):
            print(f"crmlab: error: {loud}; more than {UNREADABLE_LIMIT:.0%} would be left out of the analysis, "
                  "so nothing was analysed. Fix the file or the reading options (--date-format, --decimal, "
                  "--encoding, --blank-id), or pass --allow-exclusions to analyse the rest", file=sys.stderr)
            if engine == "duckdb":  # DuckDB wrote the clean file as it went; nothing is left half-analysed
                Path(result.transactions).unlink(missing_ok=True)
            return 1
        print(f"crmlab: WARNING: {loud}; analysed without them (--allow-exclusions)", file=sys.stderr)
    try:
        clean = (result.transactions if engine == "duckdb" else
                 write_clean(result, out / "clean_transactions.parquet"))
        if key is not None:
            print(f"pseudonymisation key (shown once, stored nowhere; keep it to re-identify customers): {key.hex()}")
        write_csv(result.quality, out / "data_quality.csv")
    except OSError as exc:
        raise CrmlabError(f"cannot write to {out}: {exc.strerror or exc}") from None
    t_clean = time.perf_counter() - t0
    print(f"read {n_read:,} rows from {result.source}: {int(q.loc['rows_used', 'rows']):,} used, "
          f"{n_read - int(q.loc['rows_used', 'rows']):,} excluded" + (f" ({'; '.join(reasons)})" if reasons else "")
          + f"; see data_quality.csv; dates read as {result.date_format or 'date cells'}; cleaned "
          + ("out of core by DuckDB " if engine == "duckdb" else "") + f"in {t_clean:.1f} s")
    if scheduler:
        value = _customer_value_on_cluster(result, scheduler, gross_margin=args.gross_margin,
                                           cost_per_purchase=args.cost_per_purchase)
    else:
        with _duckdb_limits(engine, args, out):  # the per-customer reductions of the clean file, on DuckDB
            value = customer_value(result.transactions, observation_end=result.observation_end,
                                   gross_margin=args.gross_margin, cost_per_purchase=args.cost_per_purchase)
    if value.bgnbd is None:
        print(f"crmlab: WARNING: the CLV models were {value.model_note}; p_alive, expected_purchases and clv "
              "are empty", file=sys.stderr)
    else:
        print(f"CLV models {value.model_note}")
    try:
        with _duckdb_limits(engine, args, out):
            write_report(result, out, value=value, lang=args.lang, gross_margin=args.gross_margin,
                         cost_per_purchase=args.cost_per_purchase)
        if notebook is not None:
            write_notebook(clean, out, observation_end=result.observation_end, gross_margin=args.gross_margin,
                           cost_per_purchase=args.cost_per_purchase, timeout=args.timeout, lang=args.lang)
    except OSError as exc:
        raise CrmlabError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    print(f"analysed in {time.perf_counter() - t0:.1f} s")
    names = ["report.html", "customers.csv", "data_quality.csv"]
    names += ["customer_value.ipynb", "customer_value.html"] if notebook is not None else []
    for name in names:
        print(f"  {out / name}")
    return 0


# ---------------------------------------------------------------------------------------------- demo
def cmd_demo(args) -> int:
    from .cases import load_cases

    ready = [c for c in load_cases().values() if c.ready]
    if not ready:
        print("no case is ready yet (see `crmlab list`)", file=sys.stderr)
        return 1
    langs = ("en", "zh") if args.lang == "both" else (args.lang,)
    root = project_root()
    notebooks = [root / c.notebook_for(lang) for c in ready for lang in langs if (root / c.notebook_for(lang)).is_file()]
    t0 = time.perf_counter()
    report = _batch(args.out, notebooks=notebooks, workers=args.workers, timeout=args.timeout, force=True,
                    title="crmlab demo: every ready case notebook · 全部案例笔记本", progress=sys.stderr)
    return report if isinstance(report, int) else _report_batch(report, time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------- main
def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="crmlab", description="CRM analytics workbench: case notebooks on synthetic worlds.")
    p.add_argument("--version", action="version", version=f"crmlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("list", help="list the cases of the catalogue")
    s.add_argument("--ids", action="store_true", help="print only the ids, one a line")
    s.add_argument("--ready", action="store_true", help="only cases whose notebook is ready")
    s.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the titles (default: en)")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("doctor", help="check Python, packages, kernel, CJK font and output folder")
    s.add_argument("--out", default="build", help="output folder to check for write access (default: build)")
    s.add_argument("--no-kernel", action="store_true", help="do not start a kernel to test it")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("run", help="execute one case notebook with papermill")
    s.add_argument("case", metavar="CASE", help="case id (see `crmlab list`), or a notebook's path")
    s.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="edition of the case's notebook: en (notebooks/<id>.ipynb) or zh (notebooks/zh/<id>.ipynb)")
    s.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a notebook parameter (repeatable); VALUE is read as JSON, else as text")
    s.add_argument("--out", default=None,
                   help="output folder (default: build/run/<case>/<parameters>/, one folder per parameter set; a "
                        "run of the same case and parameters replaces the earlier one)")
    s.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default: 600)")
    s.add_argument("--force", action="store_true", help="overwrite existing output files in --out")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("data", help="write a synthetic world's tables and data dictionary to files")
    s.add_argument("case", metavar="CASE", help="world id (a case id, or 'transactions')")
    s.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    s.add_argument("--out", required=True, help="output folder")
    s.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default: csv)")
    s.add_argument("-k", nargs=2, action="append", metavar=("KNOB", "VALUE"),
                   help="set a world knob (repeatable), e.g. -k n_customers 1000")
    s.add_argument("--no-truth", action="store_true", help="leave out the planted truth (for students)")
    s.add_argument("--force", action="store_true", help="overwrite existing files")
    s.set_defaults(func=cmd_data)

    s = sub.add_parser("batch", help="run notebooks for every roster row and grid point, in parallel")
    s.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="notebook paths (or ids of ready cases)")
    s.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="edition used for a case id: en or zh (a notebook path is run as it is)")
    s.add_argument("--roster", help="CSV with a student_id column; each student gets a seed derived from it, "
                                    "other columns become parameters")
    s.add_argument("--params", metavar="GRID.yaml", help="YAML mapping parameter -> list of values (all combinations)")
    s.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a parameter for every run (repeatable); VALUE is read as JSON, else as text")
    s.add_argument("--out", required=True, help="output folder")
    s.add_argument("--workers", type=int, default=_default_workers(),
                   help=f"runs at once, one process each (default: {_default_workers()})")
    s.add_argument("--timeout", type=int, default=600, help="seconds allowed per run (default: 600)")
    s.add_argument("--force", action="store_true", help="re-run runs that completed before")
    s.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on a Dask cluster (pip install 'crmlab[cluster]'); default: $CRMLAB_SCHEDULER, else "
                        "local processes")
    s.set_defaults(func=cmd_batch)

    s = sub.add_parser("assign", help="write the student version (solutions stripped) and the answer key")
    s.add_argument("notebook", metavar="NOTEBOOK", help="notebook with # BEGIN SOLUTION / # END SOLUTION blocks")
    s.add_argument("--out", required=True, help="output folder (gets student/ and key/)")
    s.add_argument("--verify", action="store_true",
                   help="execute both versions and confirm every check passes on the key and fails unanswered")
    s.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell with --verify (default: 600)")
    s.add_argument("--force", action="store_true", help="overwrite existing files")
    s.set_defaults(func=cmd_assign)

    s = sub.add_parser("start", help="a student's own workspace: the student version of each case on their world")
    s.add_argument("cases", nargs="+", metavar="CASE", help="ids of ready cases (see `crmlab list --ready`)")
    s.add_argument("--student-id", help="the student's id, as in the class roster (it derives the world's seed)")
    s.add_argument("--roster", help="roster CSV with a student_id column: one workspace per student, in "
                                    "OUT/<student_id>/ (a 'lang' column chooses each student's edition)")
    s.add_argument("--out", required=True, help="the workspace folder (with --roster: the folder of workspaces)")
    s.add_argument("--lang", choices=("en", "zh"), default="en", help="edition of the notebooks (default: en)")
    s.add_argument("--force", action="store_true", help="overwrite a workspace's existing files (work in them is lost)")
    s.set_defaults(func=cmd_start)

    s = sub.add_parser("grade", help="grade submitted notebooks, each against the student's own world")
    s.add_argument("submissions", metavar="SUBMISSIONS", help="folder of <student_id>/<case>.ipynb")
    s.add_argument("--roster", required=True, help="roster CSV with a student_id column: the seeds come from here")
    s.add_argument("--out", required=True, help="grading folder: gradebook, LMS exports, report, feedback")
    s.add_argument("--case", action="append", metavar="CASE",
                   help="a case every student should hand in (repeatable; default: every case submitted)")
    s.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a parameter of the assignment for every student (as given to start or batch)")
    s.add_argument("--lang", choices=("en", "zh"), default=None,
                   help="edition to grade with (default: the one each submission was made from)")
    s.add_argument("--workers", type=int, default=_default_workers(),
                   help=f"submissions at once, one process each (default: {_default_workers()})")
    s.add_argument("--timeout", type=int, default=600, help="seconds allowed per submission (default: 600)")
    s.add_argument("--force", action="store_true", help="grade again submissions graded before")
    s.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on a Dask cluster (pip install 'crmlab[cluster]'); default: $CRMLAB_SCHEDULER, else "
                        "local processes")
    s.set_defaults(func=cmd_grade)

    add_analyze(sub)

    s = sub.add_parser("demo", help="run every ready case notebook and write an HTML index")
    s.add_argument("--lang", choices=("en", "zh", "both"), default="both",
                   help="which editions to run (default: both, side by side in the index)")
    s.add_argument("--out", default="build/demo", help="output folder (default: build/demo)")
    s.add_argument("--workers", type=int, default=_default_workers(),
                   help=f"notebooks at once (default: {_default_workers()})")
    s.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook (default: 600)")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except BrokenPipeError:  # `crmlab list | head`: the reader has gone; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (CrmlabError, ValueError, TypeError, FileExistsError) as exc:
        if os.environ.get("CRMLAB_DEBUG"):
            raise
        print(f"crmlab: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("crmlab: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: still one line unless debugging
        if os.environ.get("CRMLAB_DEBUG"):
            raise
        print(f"crmlab: internal error: {type(exc).__name__}: {exc} (set CRMLAB_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
