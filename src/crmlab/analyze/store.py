"""The clean file: the canonical log of :func:`~crmlab.analyze.clean.clean_transactions` on disk.

:func:`write_clean` writes a :class:`~crmlab.analyze.clean.CleanResult` to parquet, with its
data-quality table and the choices made while reading (date styles, decimal mark, refund and duplicate
policies, pseudonymised or not, source name) in the file's key-value metadata. :func:`load_transactions` reads
such a file back as it is, without cleaning it again, and cleans any other source. The clean file is
what ``crmlab analyze`` hands to the customer-value notebook; the notebook reads it with
:func:`load_transactions`, so the same notebook also accepts a raw export.

This layer stores and loads; it does not parse, and it leaves the analysis to
:mod:`crmlab.analyze.model`.

Source: Apache Parquet key-value metadata (parquet-format specification).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..errors import CrmlabError
from .clean import CleanResult, clean_transactions

__all__ = ["write_clean", "load_transactions"]

_META_KEY = b"crmlab.clean_transactions"


def write_clean(result: CleanResult, path) -> Path:
    """Write the clean log to parquet; the data-quality table and reading choices go in its metadata.

    :func:`load_transactions` reads such a file back without cleaning it again.

    Example
    -------
    >>> # write_clean(clean_transactions("export.csv", ...), "out/clean_transactions.parquet")

    Source: Apache Parquet key-value metadata (parquet-format specification).
    """
    import pyarrow.parquet as pq

    path = Path(path)
    meta = {"observation_end": str(result.observation_end.date()), "date_format": result.date_format,
            "decimal": result.decimal, "refunds": result.refunds, "pseudonymized": result.pseudonymized,
            "source": result.source, "duplicates": result.duplicates,
            "quality": result.quality.to_dict(orient="list")}
    table = pa.Table.from_pandas(result.transactions, preserve_index=False)
    table = table.cast(pa.schema([("customer_id", pa.string()), ("date", pa.date32()), ("amount", pa.float64()),
                                  ("rows", pa.int64())]))
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta, ensure_ascii=False).encode("utf-8")})
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        pq.write_table(table, tmp)
        tmp.replace(path)
    except OSError as exc:  # read-only folder, disk full: one line, not a traceback
        raise CrmlabError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def load_transactions(source, *, customer_col: str = "customer_id", date_col: str = "date",
                      amount_col: str = "amount", **options) -> CleanResult:
    """Load a clean file written by :func:`write_clean` as is, or clean any other source.

    Parameters
    ----------
    source : path or DataFrame
        A file written by :func:`write_clean`, or anything :func:`~crmlab.analyze.clean.clean_transactions`
        reads.
    customer_col, date_col, amount_col, **options
        Passed to :func:`~crmlab.analyze.clean.clean_transactions` for a raw source.

    Returns
    -------
    :class:`~crmlab.analyze.clean.CleanResult`

    Example
    -------
    >>> # res = load_transactions("out/clean_transactions.parquet")

    Source: see :func:`~crmlab.analyze.clean.clean_transactions`.
    """
    if not isinstance(source, pd.DataFrame) and Path(source).suffix.lower() in (".parquet", ".pq") \
            and Path(source).is_file():
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(source)
        except (pa.ArrowInvalid, OSError) as exc:
            raise CrmlabError(f"cannot read {Path(source).name} as parquet: {exc}") from None
        raw = (schema.metadata or {}).get(_META_KEY)
        if raw is not None:
            meta = json.loads(raw.decode("utf-8"))
            table = pq.read_table(source)
            frame = table.to_pandas(date_as_object=False)
            frame["customer_id"] = frame["customer_id"].astype("str")
            frame["date"] = frame["date"].astype("datetime64[ns]")
            return CleanResult(transactions=frame, quality=pd.DataFrame(meta["quality"]),
                               observation_end=pd.Timestamp(meta["observation_end"]),
                               date_format=meta["date_format"], decimal=meta["decimal"], refunds=meta["refunds"],
                               pseudonymized=meta["pseudonymized"], source=meta["source"],
                               duplicates=meta.get("duplicates", "drop"))
    return clean_transactions(source, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                              **options)
