"""Cleaning out of core: :func:`clean_transactions` 's rules run by DuckDB on a typed parquet export.

:func:`~crmlab.analyze.clean.clean_transactions` keeps about 40 bytes of every usable row in memory, so
an export of 100 million rows needs several gigabytes. :func:`clean_parquet` applies the same rules, in
the same order and with the same data-quality account, as SQL that DuckDB runs on the file itself: it
streams the parquet file, spills to a temporary folder what does not fit ``memory_limit``, and writes the
clean per-customer-day log straight to parquet with ``COPY``. Nothing of the size of the file is held in
Python.

Scope: a parquet file whose date column is typed ``DATE`` or ``TIMESTAMP`` (no time zone: its local date
is the date as written) and whose amount column is numeric - what a database or a data warehouse exports.
Text dates and currency text must be read value by value (:mod:`crmlab._dates`), which the in-memory
path does; :func:`duckdb_reason` says why a file does not qualify, and ``crmlab analyze --engine duckdb``
prints it.

The rules, as in :mod:`crmlab.analyze.clean` (each row used or excluded under its first reason):

``total_row``    a text cell of any column is a totals word (the same anchored pattern, RE2 in both engines);
``blank_id``     the id, as trimmed text (whole-number floats written without ``.0``), empty or a placeholder;
``unparsable_date`` / ``unparsable_amount``  a missing date, a missing or NaN amount;
``out_of_period``  after ``observation_end``;
``duplicate``    equal to an earlier row in every column (compared exactly, by grouping on all columns), or
                 with ``order_col`` the same order id; the first in file order is kept;
``refund``       policies ``drop`` / ``net`` / ``error`` as there; same-day merging sums a customer's day.

Sums of amounts may be added in another order than numpy adds them, so a day's amount can differ in the
last bits (relative 1e-12); everything else - counts, examples, ids, days, row counts - is identical, which
tests/test_analyze_engines.py checks on seeded worlds and a messy export.

Source: DuckDB documentation (parquet reading with ``file_row_number``, ``COPY ... TO`` with
``KV_METADATA``, out-of-core aggregation, ``memory_limit`` and ``temp_directory``).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .._validate import check_choice
from ..errors import CrmlabError
from .clean import (_N_EXAMPLES, DUPLICATE_POLICIES, NET_ZERO, REFUND_POLICIES, TOTAL_WORDS, CleanResult,
                    _quality_table, _Tally, pseudonymize, refund_error, total_label)
from ..summary_engines import connect, exact_sum
from .parse import DEFAULT_BLANK_IDS, observation_end_day

__all__ = ["clean_parquet", "duckdb_reason", "DEFAULT_MEMORY_LIMIT"]

#: DuckDB's memory limit when none is given: it spills the rest to disk.
DEFAULT_MEMORY_LIMIT = "1GB"
_ROW = "__crmlab_row"
#: Unicode whitespace, as pyarrow's utf8_trim_whitespace trims it (DuckDB's trim() takes only spaces).
_SPACE = "".join(map(chr, (9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
                            0x202F, 0x205F, 0x3000)))
_META_KEY = "crmlab.clean_transactions"
#: RE2's ``\\s``, which the totals pattern of clean uses.
_ASCII_SPACE = "\t\n\f\r "


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _schema(path: Path) -> dict[str, str]:
    import duckdb

    try:
        rows = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(path))})").fetchall()
    except duckdb.Error as exc:
        raise CrmlabError(f"cannot read {path.name} as parquet: {str(exc).splitlines()[0]}") from None
    return {name: str(kind).upper() for name, kind, *_ in rows}


def _find(types: dict[str, str], col: str, role: str, label: str) -> str:
    stripped = {n.strip(): n for n in types}
    if col.strip() not in stripped:
        raise CrmlabError(f"{label} has no column {col!r} ({role}); its columns are: "
                          f"{', '.join(map(repr, types))}")
    return stripped[col.strip()]


def _is_date(kind: str) -> bool:
    return kind == "DATE" or (kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind and kind != "TIMESTAMPTZ")


def _is_number(kind: str) -> bool:
    return kind in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                    "UBIGINT", "FLOAT", "DOUBLE", "REAL") or kind.startswith("DECIMAL")


def duckdb_reason(path, *, date_col: str, amount_col: str) -> str | None:
    """Why the DuckDB engine cannot clean ``path`` (None when it can): not parquet, or a date column that is
    not ``DATE``/``TIMESTAMP`` (text, or a time zone), or an amount column that is not numeric."""
    path = Path(path)
    if path.suffix.lower() not in (".parquet", ".pq"):
        return f"{path.name} is not a parquet file (the DuckDB engine reads typed parquet exports)"
    types = _schema(path)
    date, amount = _find(types, date_col, "date", path.name), _find(types, amount_col, "amount", path.name)
    if not _is_date(types[date]):
        return (f"column {date!r} is {types[date]}, not DATE or TIMESTAMP without a time zone: text dates are read "
                "value by value in memory (--engine memory)")
    if not _is_number(types[amount]):
        return f"column {amount!r} is {types[amount]}, not a number: currency text is read in memory (--engine memory)"
    return None


def _id_text(col: str, kind: str, con, label: str) -> str:
    """SQL for the id as trimmed text: whole-number floats as integers (``7.0`` -> ``"7"``), as clean_ids does."""
    if kind in ("FLOAT", "DOUBLE", "REAL"):
        fractional = con.execute(f"SELECT count(*) FROM {label} WHERE {col} IS NOT NULL AND "
                                 f"(isnan({col}) OR isinf({col}) OR {col} <> floor({col}))").fetchone()[0]
        if not fractional:
            return f"CAST(CAST({col} AS BIGINT) AS VARCHAR)"
    if kind != "VARCHAR" and not kind.startswith(("FLOAT", "DOUBLE", "REAL")):
        return f"CAST({col} AS VARCHAR)"  # integers, decimals, dates: their text has no spaces to trim
    return f"trim(CAST({col} AS VARCHAR), {_lit(_SPACE)})"


def _examples(con, sql: str, shown) -> list[str]:
    return [f"row {int(r[0])}: {shown(r)}" for r in con.execute(sql).fetchall()]


def clean_parquet(path, *, customer_col: str, date_col: str, amount_col: str, refunds: str = "net",
                  observation_end=None, key: bytes | None = None, duplicates: str = "auto",
                  order_col: str | None = None, blank_ids=DEFAULT_BLANK_IDS, out_path=None,
                  memory_limit: str = DEFAULT_MEMORY_LIMIT, temp_directory=None, threads: int | None = None
                  ) -> CleanResult:
    """Clean a typed parquet export with DuckDB, out of core; the rules of
    :func:`~crmlab.analyze.clean.clean_transactions`, the clean log written to ``out_path``.

    Parameters
    ----------
    path : path
        A parquet file (see the module docstring for the column types it needs).
    customer_col, date_col, amount_col, refunds, observation_end, key, duplicates, order_col, blank_ids
        As for :func:`~crmlab.analyze.clean.clean_transactions`.
    out_path : path
        Where the clean per-customer-day parquet file is written (the format of
        :func:`~crmlab.analyze.store.write_clean`, read back by :func:`~crmlab.analyze.store.load_transactions`).
    memory_limit : str
        DuckDB's memory limit (``"1GB"``, the default); what does not fit is spilled to ``temp_directory``.
    temp_directory : path, optional
        Folder for the spill files (default: a new folder beside ``out_path``, removed afterwards).
    threads : int, optional
        DuckDB threads (default: DuckDB's, the number of cores).

    Returns
    -------
    :class:`~crmlab.analyze.clean.CleanResult` whose ``transactions`` is the :class:`pathlib.Path` of the clean
    file (not a DataFrame: the log may not fit in memory); the customer-value analysis reads it with DuckDB.

    Example
    -------
    >>> # res = clean_parquet("export.parquet", customer_col="客户", date_col="日期", amount_col="金额",
    >>> #                     out_path="out/clean_transactions.parquet")
    """
    import duckdb

    check_choice(refunds, "refunds", REFUND_POLICIES)
    check_choice(duplicates, "duplicates", DUPLICATE_POLICIES)
    if out_path is None:
        raise TypeError("out_path is required: the clean log is written to a parquet file")
    path, out_path = Path(path), Path(out_path)
    if not path.is_file():
        raise CrmlabError(f"file not found: {path}")
    reason = duckdb_reason(path, date_col=date_col, amount_col=amount_col)
    if reason:
        raise CrmlabError(f"the DuckDB engine cannot clean {path.name}: {reason}")
    types = _schema(path)
    if _ROW in types:
        raise CrmlabError(f"{path.name} has a column named {_ROW!r}, which crmlab uses itself; rename it")
    label = path.name
    cust = _find(types, customer_col, "customer", label)
    date, amount = _find(types, date_col, "date", label), _find(types, amount_col, "amount", label)
    order = _find(types, order_col, "order", label) if order_col is not None else None
    named = [cust, date, amount] + ([order] if order else [])
    if len(set(named)) < len(named):
        raise ValueError(f"customer_col, date_col, amount_col{', order_col' if order else ''} must be different "
                         f"columns, got {named}")
    if isinstance(blank_ids, str) or not all(isinstance(b, str) for b in blank_ids):
        raise TypeError(f"blank_ids must be a sequence of texts, e.g. ['', 'NA'], got {blank_ids!r}")
    end = observation_end_day(observation_end)
    dedup = duplicates != "keep"
    identical_only = duplicates == "auto" and order is None and len(types) == 3

    own_temp = temp_directory is None
    temp = Path(tempfile.mkdtemp(prefix=".crmlab-duckdb-", dir=out_path.parent)) if own_temp else Path(temp_directory)
    con = connect(memory_limit, temp / "spill")  # in memory: what exceeds memory_limit is offloaded to disk
    try:
        if threads:
            con.execute(f"SET threads={int(threads)}")
        result = _clean(con, path, label, types, cust, date, amount, order, refunds, end, key, dedup,
                        identical_only, blank_ids, out_path)
    except duckdb.OutOfMemoryException as exc:
        raise CrmlabError(f"DuckDB ran out of memory at memory_limit={memory_limit} ({str(exc).splitlines()[0]}); "
                          "raise --memory-limit or free disk space for its spill files") from None
    finally:
        con.close()
        if own_temp:
            shutil.rmtree(temp, ignore_errors=True)
    return result


def _clean(con, path, label, types, cust, date, amount, order, refunds, end, key, dedup, identical_only,
           blank_ids, out_path) -> CleanResult:
    c, d, a = _q(cust), _q(date), _q(amount)
    con.execute(f"CREATE VIEW raw AS SELECT *, file_row_number + 1 AS {_ROW} "
                f"FROM read_parquet({_lit(str(path))}, file_row_number = true)")
    texts = [n for n, k in types.items() if k == "VARCHAR"]
    blanks = ", ".join(_lit(str(b).strip().lower()) for b in blank_ids) or "''"
    day = f"CAST({d} AS DATE)"
    late = f"day > DATE '1970-01-01' + INTERVAL ({end}) DAY" if end is not None else "false"
    every = ", ".join(_q(n) for n in types)
    # each expression once per row, in layers: trimmed texts first, then what is decided from them
    trimmed = [f"trim({_q(n)}, {_lit(_ASCII_SPACE)}) AS t{i}" for i, n in enumerate(texts)]
    total = " OR ".join(f"coalesce({_total_word(f't{i}')}, false)" for i in range(len(texts))) or "false"
    con.execute(f"""CREATE TABLE rows AS
        WITH s AS (SELECT {_ROW} AS row, {', '.join(trimmed + [''])}{_id_text(c, types[cust], con, "raw")} AS idt,
                          {day} AS day, CAST({a} AS DOUBLE) AS a,
                          {_id_text(_q(order), types[order], con, "raw") if order else "NULL"} AS oid_text,
                          {"hash(" + every + ")" if dedup else "NULL"} AS h FROM raw),
             r AS (SELECT row, ({total}) AS is_total, CASE WHEN lower(idt) IN ({blanks}) THEN NULL ELSE idt END AS cid,
                          day, a, nullif(oid_text, '') AS oid, h FROM s)
        SELECT row, cid, day, a, oid, CASE WHEN oid IS NULL THEN h END AS h,
               CASE WHEN is_total THEN 1 WHEN cid IS NULL THEN 2 WHEN day IS NULL THEN 3
                    WHEN a IS NULL OR NOT isfinite(a) THEN 4 WHEN {late} THEN 5 ELSE 0 END::TINYINT AS reason
        FROM r""")
    n_read = con.execute("SELECT count(*) FROM rows").fetchone()[0]
    if n_read == 0:
        raise CrmlabError(f"{label} has no data rows")
    tally = _Tally()
    codes = {1: "total_row", 2: "blank_id", 3: "unparsable_date", 4: "unparsable_amount", 5: "out_of_period"}
    for code, n in con.execute("SELECT reason, count(*) FROM rows WHERE reason > 0 GROUP BY reason").fetchall():
        tally.counts[codes[code]] = int(n)
    for code, col in ((1, None), (2, c), (3, d), (4, a), (5, d)):
        reason = codes[code]
        if not tally.counts[reason]:
            continue
        first = f"SELECT row FROM rows WHERE reason = {code} ORDER BY row LIMIT {_N_EXAMPLES}"
        if col is None:
            cells = ", ".join(f"{_q(n)}" for n in texts)
            got = con.execute(f"SELECT {_ROW}, {cells} FROM raw WHERE {_ROW} IN ({first}) ORDER BY {_ROW}").fetchall()
            tally.examples[reason] = [f"row {int(r[0])}: " + total_label(texts, r[1:]) for r in got]
        else:
            tally.examples[reason] = _examples(
                con, f"SELECT {_ROW}, {col} FROM raw WHERE {_ROW} IN ({first}) ORDER BY {_ROW}", lambda r: repr(r[1]))
    if refunds == "error":
        neg = con.execute("SELECT count(*) FROM rows WHERE reason = 0 AND a < 0").fetchone()[0]
        if neg:
            got = con.execute(f"SELECT {_ROW}, {a} FROM raw WHERE {_ROW} IN (SELECT row FROM rows WHERE reason = 0 "
                              f"AND a < 0 ORDER BY row LIMIT 5) ORDER BY {_ROW}").fetchall()
            raise refund_error([(int(r), v) for r, v in got], neg)
    if dedup:
        # one group per order id where there is one, else per row hash (all columns) that also agrees on
        # customer, day and amount - so a hash collision cannot merge two different purchases
        keys = {"k1": "oid", "k2": "h", "k3": "CASE WHEN oid IS NULL THEN cid END",
                "k4": "CASE WHEN oid IS NULL THEN day END", "k5": "CASE WHEN oid IS NULL THEN a END"}
        con.execute(f"""CREATE TABLE groups AS SELECT {', '.join(f'{v} AS {k}' for k, v in keys.items())},
                              min(row) AS first, count(*) AS n, arg_min(cid, row) AS cid, arg_min(day, row) AS day,
                              arg_min(a, row) AS a
                       FROM rows WHERE reason = 0 GROUP BY ALL""")
        n_dup = con.execute("SELECT coalesce(sum(n - 1), 0) FROM groups").fetchone()[0]
        examples = []
        if n_dup:
            same = " AND ".join(f"u.{k} IS NOT DISTINCT FROM g.{k}" for k in keys)
            examples = [f"row {int(r)}: same as row {int(f)}" for r, f in con.execute(f"""
                SELECT u.row, g.first FROM (SELECT row, {', '.join(f'{v} AS {k}' for k, v in keys.items())} FROM rows
                WHERE reason = 0) u JOIN (SELECT * FROM groups WHERE n > 1) g ON {same}
                WHERE u.row > g.first ORDER BY u.row LIMIT {_N_EXAMPLES}""").fetchall()]
        if identical_only:
            tally.identical, tally.identical_examples = int(n_dup), examples
            con.execute("CREATE VIEW kept AS SELECT row, cid, day, a FROM rows WHERE reason = 0")
        else:
            tally.counts["duplicate"], tally.examples["duplicate"] = int(n_dup), examples
            con.execute("CREATE VIEW kept AS SELECT first AS row, cid, day, a FROM groups")
    else:
        con.execute("CREATE VIEW kept AS SELECT row, cid, day, a FROM rows WHERE reason = 0")
    if refunds == "drop":
        n = con.execute("SELECT count(*) FROM kept WHERE a < 0").fetchone()[0]
        tally.counts["refund"] = int(n)
        tally.examples["refund"] = [f"row {int(r)}: amount {v:.2f}" for r, v in con.execute(
            f"SELECT row, a FROM kept WHERE a < 0 ORDER BY row LIMIT {_N_EXAMPLES}").fetchall()]
        con.execute("CREATE VIEW used AS SELECT * FROM kept WHERE a >= 0")
    else:
        con.execute("CREATE VIEW used AS SELECT * FROM kept")
    last = con.execute("SELECT max(day), count(*) FROM used").fetchone()
    if not last[1]:
        raise CrmlabError(f"{label}: none of the {n_read} rows is usable; see the reasons: "
                          + ", ".join(f"{k} {v}" for k, v in tally.counts.items() if v))
    end_date = pd.Timestamp(last[0]) if end is None else pd.Timestamp("1970-01-01") + pd.Timedelta(days=end)
    con.execute(f"""CREATE TABLE days AS SELECT cid, day, {exact_sum('a')} AS net, min(a) AS low,
                          {exact_sum('abs(a)')} AS gross, count(*) AS n, min(row) AS first FROM used GROUP BY cid, day""")
    drop_day = f"low < 0 AND net <= {NET_ZERO!r} * gross" if refunds == "net" else "false"
    if refunds == "net":
        gone, netted = con.execute(f"SELECT coalesce(sum(n) FILTER (WHERE {drop_day}), 0), "
                                   f"count(*) FILTER (WHERE low < 0 AND NOT ({drop_day})) FROM days").fetchone()
        tally.counts["refund"] += int(gone)
        tally.netted = int(netted)
        tally.examples["refund"] = [f"row {int(f)}: {n} row(s) of one customer on {dd} net {v:.2f}"
                                    for f, n, dd, v in con.execute(
                                        f"SELECT first, n, day, net FROM days WHERE {drop_day} ORDER BY first "
                                        f"LIMIT {_N_EXAMPLES}").fetchall()]
    left = con.execute(f"SELECT count(*), coalesce(sum(n), 0) FROM days WHERE NOT ({drop_day})").fetchone()
    if not left[0]:
        raise CrmlabError(f"{label}: no purchases are left after the refund policy {refunds!r}")
    ident = "cid"
    if key is not None:
        import pyarrow as pa

        ids = pa.array(con.execute("SELECT DISTINCT cid FROM days").fetchnumpy()["cid"], type=pa.string())
        mapping = pa.table({"cid": ids, "pid": pa.array(pseudonymize(ids, key), type=pa.string())})
        con.register("pseudonyms", mapping)
        con.execute("CREATE TABLE ps AS SELECT * FROM pseudonyms")
        con.unregister("pseudonyms")
        ident = "ps.pid"
    policy = ("keep" if not dedup else "order" if order is not None else "identical" if identical_only else "drop")
    quality = _quality_table(int(n_read), int(left[1]), tally, refunds, policy, blank_ids)
    meta = {"observation_end": str(end_date.date()), "date_format": None, "decimal": ".", "refunds": refunds,
            "pseudonymized": key is not None, "source": label, "duplicates": policy,
            "quality": quality.to_dict(orient="list")}
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    try:
        con.execute(f"""COPY (SELECT {ident} AS customer_id, day AS date, net AS amount, n AS rows FROM days
                              {"JOIN ps USING (cid)" if key is not None else ""}
                              WHERE NOT ({drop_day}) ORDER BY customer_id, date)
                        TO {_lit(str(tmp))} (FORMAT PARQUET, KV_METADATA {{{_lit(_META_KEY)}:
                        {_lit(json.dumps(meta, ensure_ascii=False, default=_plain))}}})""")
        tmp.replace(out_path)
    except OSError as exc:
        raise CrmlabError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    return CleanResult(transactions=out_path, quality=quality, observation_end=end_date.normalize(),
                       date_format=None, decimal=".", refunds=refunds, pseudonymized=key is not None, source=label,
                       duplicates=policy)


def _total_word(col: str) -> str:  # ``col``: the cell already trimmed of _ASCII_SPACE
    """SQL: the cell is a totals word - what clean's anchored pattern ``^\\s*(?:words)\\s*[:：]?\\s*$`` (case
    folded) matches, as a set lookup, which is many times faster than the regular expression: trimmed of
    RE2's ``\\s`` (tab, newline, form feed, return, space), one trailing colon and the space before it
    removed, lower-cased, one of :data:`TOTAL_WORDS`."""
    ws = _lit(_ASCII_SPACE)
    t = f"(CASE WHEN suffix({col}, ':') OR suffix({col}, '：') THEN rtrim(left({col}, -1), {ws}) ELSE {col} END)"
    return f"(lower({t}) IN ({', '.join(_lit(w) for w in TOTAL_WORDS)}))"


def _plain(value):
    """JSON for numpy scalars in the quality table."""
    return value.item() if hasattr(value, "item") else str(value)
