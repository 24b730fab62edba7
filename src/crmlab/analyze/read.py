"""Reading a client's export: open a CSV, Excel or parquet file (or take a DataFrame), find the named
columns and hand them on in batches of pyarrow arrays.

Large files are streamed: CSV through ``pyarrow.csv.open_csv`` in blocks of 32 MiB, parquet through
``pyarrow.parquet.ParquetFile.iter_batches`` in batches of about a million rows, so a file larger than
memory is read one batch at a time. CSV columns are read as text, exactly as written (no value is
guessed, nothing is turned into a null); the delimiter (``, ; tab |``) is the one the header line holds
most of; the encoding is checked on the first 64 KiB so a wrong one fails with a hint instead of
mid-file. An Excel workbook (``.xlsx``) is read whole with openpyxl: date cells stay dates, number cells
numbers, and a column mixing kinds becomes text (:func:`crmlab.analyze.values.objects_to_arrow`).
Parquet columns keep their types.

This layer does not parse anything: currency text, local dates and blank ids are the business of
:mod:`crmlab.analyze.parse`, and deciding which rows are usable that of :mod:`crmlab.analyze.clean`.
A problem with the file itself (missing, unknown type, wrong encoding, a column that is not there)
raises :class:`~crmlab.errors.CrmlabError` with a one-line message.

Sources: RFC 4180 (CSV); Apache Arrow CSV reader and Apache Parquet format documentation.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .._validate import check_dataframe
from ..errors import CrmlabError
from .values import objects_to_arrow, to_arrow

__all__ = ["read_columns"]

_BATCH_ROWS = 1 << 20  # rows per parquet batch
_CSV_BLOCK = 32 << 20  # bytes per CSV block


def read_columns(source, columns: Mapping[str, str], encoding: str = "utf-8") -> tuple[Iterator[pa.RecordBatch], str]:
    """Open ``source`` and stream the named columns in batches.

    Parameters
    ----------
    source : path or DataFrame
        A ``.csv`` / ``.txt`` / ``.tsv`` (delimiter ``, ; tab |``), ``.xlsx`` / ``.xlsm`` or ``.parquet`` /
        ``.pq`` file, or a DataFrame.
    columns : mapping of role -> column name
        E.g. ``{"customer": "客户编号", "date": "日期", "amount": "金额"}``; the role names the column in
        the message when it is missing. Column names in a file's header are compared without surrounding
        spaces.
    encoding : str
        Text encoding of a CSV file (``gb18030`` for many Chinese exports).

    Returns
    -------
    (batches, label): an iterator of ``pyarrow.RecordBatch`` holding the columns in the order of
    ``columns`` (CSV columns as text), and a label of the source for messages (the file name, or
    ``"DataFrame"``). The file is checked when this returns (exists, known type); the columns are checked
    when the first batch is drawn.

    Example
    -------
    >>> frame = pd.DataFrame({"客户": ["A", "B"], "金额": ["¥1", "¥2"]})
    >>> batches, label = read_columns(frame, {"customer": "客户", "amount": "金额"})
    >>> [b.num_rows for b in batches], label
    ([2], 'DataFrame')
    """
    cols = dict(columns)
    if isinstance(source, pd.DataFrame):
        return _frame_batches(source, cols), "DataFrame"
    path = Path(source)
    if not path.is_file():
        raise CrmlabError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_batches(path, cols, encoding), path.name
    if suffix in (".xlsx", ".xlsm"):
        return _excel_batches(path, cols), path.name
    if suffix in (".parquet", ".pq"):
        return _parquet_batches(path, cols), path.name
    if suffix == ".xls":
        raise CrmlabError(f"{path.name}: old .xls workbooks are not supported; save it as .xlsx or CSV")
    raise CrmlabError(f"{path.name}: unknown file type {suffix or '(none)'}; expected .csv, .xlsx or .parquet")


def _check_cols(available: list[str], cols: dict[str, str], source: str) -> None:
    for role, col in cols.items():
        if col not in available:
            shown = ", ".join(repr(c) for c in available[:30]) + (" ..." if len(available) > 30 else "")
            raise CrmlabError(f"{role} column {col!r} is not a column of {source}; its columns are: {shown}")


def _sniff_csv(path: Path, encoding: str) -> tuple[str, list[str]]:
    """Check the encoding on the first 64 KiB; return the delimiter and the column names of the header."""
    import csv

    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if len(head) == 1 << 16:  # do not cut a multi-byte character in two
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError:
        raise CrmlabError(f"{path.name} is not {encoding} text; pass --encoding (e.g. gb18030 for "
                          "Chinese Excel exports)") from None
    except LookupError:
        raise CrmlabError(f"unknown encoding {encoding!r}") from None
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not first:
        raise CrmlabError(f"{path.name} is empty")
    delimiter = max(",;\t|", key=first.count)
    return delimiter, next(csv.reader([first], delimiter=delimiter))


def _csv_batches(path: Path, cols: dict[str, str], encoding: str) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    names_wanted = list(cols.values())
    delimiter, raw_names = _sniff_csv(path, encoding)
    names = [n.strip() for n in raw_names]
    _check_cols(names, cols, path.name)
    wanted = [raw_names[names.index(c)] for c in names_wanted]
    enc = "utf8" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else encoding
    convert = pacsv.ConvertOptions(include_columns=wanted, column_types={c: pa.string() for c in wanted},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK, encoding=enc),
                            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                            convert_options=convert) as reader:
            for batch in reader:
                yield pa.RecordBatch.from_arrays([batch.column(c) for c in wanted], names=names_wanted)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise CrmlabError(f"cannot read {path.name} as CSV: {str(exc).splitlines()[0]}") from None


def _excel_batches(path: Path, cols: dict[str, str]) -> Iterator[pa.RecordBatch]:
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises several kinds for a broken or foreign file
        raise CrmlabError(f"cannot read {path.name} as an Excel workbook (.xlsx): {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_cols(list(frame.columns), cols, path.name)
    names = list(cols.values())
    yield pa.RecordBatch.from_arrays([objects_to_arrow(frame[c].tolist()) for c in names], names=names)


def _parquet_batches(path: Path, cols: dict[str, str]) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CrmlabError(f"cannot read {path.name} as parquet: {exc}") from None
    _check_cols(pf.schema_arrow.names, cols, path.name)
    names = list(cols.values())
    for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=names):
        yield pa.RecordBatch.from_arrays([batch.column(c) for c in names], names=names)


def _frame_batches(frame: pd.DataFrame, cols: dict[str, str]) -> Iterator[pa.RecordBatch]:
    check_dataframe(frame, name="source", allow_empty=True)
    _check_cols([str(c) for c in frame.columns], cols, "source")
    names = list(cols.values())
    yield pa.RecordBatch.from_arrays([to_arrow(frame[c]) for c in names], names=names)
