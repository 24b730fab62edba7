"""Reading a client's export: open a CSV, Excel or parquet file (or take a DataFrame), find the named
columns and hand them on in batches of pyarrow arrays.

Large files are streamed: CSV through ``pyarrow.csv.open_csv`` in blocks of 32 MiB, parquet through
``pyarrow.parquet.ParquetFile.iter_batches`` in batches of about a million rows, so a file larger than
memory is read one batch at a time. CSV columns are read as text, exactly as written (no value is
guessed, nothing is turned into a null); the delimiter (``, ; tab |``) is the one the header line holds
most of; the encoding is checked on the first 64 KiB so a wrong one fails with a hint instead of
mid-file. An Excel workbook (``.xlsx``) is read whole with openpyxl: the header row is found wherever the named
columns are (title rows above it are skipped), ``sheet`` chooses a sheet; date cells stay dates, number
cells numbers, and a column mixing kinds becomes text (:func:`crmlab.analyze.values.objects_to_arrow`) -
a text id ``"007"`` stays ``"007"``, a whole-number id cell ``7`` becomes ``"7"``.
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


def read_columns(source, columns: Mapping[str, str], encoding: str = "utf-8", *, sheet=None,
                 others: bool = False) -> tuple[Iterator[pa.RecordBatch], str]:
    """Open ``source`` and stream the named columns (and, with ``others``, every other column) in batches.

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
    sheet : str or int, optional
        Excel sheet, by name or 1-based number. Default: the sheet whose header holds the named columns
        (an error names the sheets when several do). The header row is the first of the sheet's first
        50 rows that holds every named column, so title rows above it are skipped.
    others : bool
        Also hand on every other column of the source, after the named ones (to compare whole rows).

    Returns
    -------
    (batches, label): an iterator of ``pyarrow.RecordBatch`` holding the columns in the order of
    ``columns``, then the other columns with ``others`` (CSV columns as text), and a label of the source
    for messages (the file name - with the sheet for a workbook - or ``"DataFrame"``). The file is checked
    when this returns (exists, known type, Excel sheet and header row); CSV and parquet columns are
    checked when the first batch is drawn.

    Example
    -------
    >>> frame = pd.DataFrame({"客户": ["A", "B"], "金额": ["¥1", "¥2"]})
    >>> batches, label = read_columns(frame, {"customer": "客户", "amount": "金额"})
    >>> [b.num_rows for b in batches], label
    ([2], 'DataFrame')
    """
    cols = dict(columns)
    if isinstance(source, pd.DataFrame):
        return _frame_batches(source, cols, others), "DataFrame"
    path = Path(source)
    if not path.is_file():
        raise CrmlabError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_batches(path, cols, encoding, others), path.name
    if suffix in (".xlsx", ".xlsm"):
        name, rows = _excel_sheet(path, cols, sheet)
        return _excel_batches(rows, cols, others), f"{path.name} [{name}]"
    if suffix in (".parquet", ".pq"):
        return _parquet_batches(path, cols, others), path.name
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


def _csv_batches(path: Path, cols: dict[str, str], encoding: str, others: bool) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    names_wanted = list(cols.values())
    delimiter, raw_names = _sniff_csv(path, encoding)
    names = [n.strip() for n in raw_names]
    _check_cols(names, cols, path.name)
    keys = [f"{i}:{n}" for i, n in enumerate(raw_names)]  # header names may repeat; positions do not
    wanted = [keys[names.index(c)] for c in names_wanted]
    rest = [k for k in keys if k not in wanted] if others else []
    out_names = names_wanted + [raw_names[keys.index(k)] for k in rest]
    enc = "utf8" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else encoding
    convert = pacsv.ConvertOptions(include_columns=wanted + rest, column_types={c: pa.string() for c in wanted + rest},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK, encoding=enc,
                                                                 column_names=keys, skip_rows=1),
                            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                            convert_options=convert) as reader:
            for batch in reader:
                yield pa.RecordBatch.from_arrays([batch.column(c) for c in wanted + rest], names=out_names)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise CrmlabError(f"cannot read {path.name} as CSV: {str(exc).splitlines()[0]}") from None


def _excel_sheet(path: Path, cols: dict[str, str], sheet) -> tuple[str, list[tuple]]:
    """The chosen sheet's name and its rows from the header row on."""
    import itertools

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken or foreign file
        raise CrmlabError(f"cannot read {path.name} as an Excel workbook (.xlsx): {exc}") from None
    try:
        names = [_sheet_name(book.sheetnames, sheet, path.name)] if sheet is not None else book.sheetnames
        heads = {n: list(itertools.islice(book[n].iter_rows(values_only=True), _HEADER_SEARCH)) for n in names}
        found = [n for n in names if _header_row(heads[n], cols) is not None]
        if len(found) > 1:
            raise CrmlabError(f"{path.name}: sheets {', '.join(repr(n) for n in found)} all have the named "
                              "columns; choose one with --sheet")
        if not found:
            first = next((r for r in heads[names[0]] if any(c is not None for c in r)), ())
            where = f"sheet {names[0]!r} of {path.name}" if sheet is not None else \
                f"{path.name} (no sheet has them; the first sheet shown)"
            missing = [f"{role} column {c!r}" for role, c in cols.items()
                       if c not in {str(x).strip() for x in first if x is not None}] or ["the named columns together"]
            shown = ", ".join(repr(str(c).strip()) for c in first[:30] if c is not None)
            raise CrmlabError(f"{missing[0]} is not in a header row of {where} (its first {_HEADER_SEARCH} rows "
                              f"were searched); its first row is: {shown}")
        rows = list(book[found[0]].iter_rows(values_only=True))
    finally:
        book.close()
    return found[0], rows[_header_row(rows, cols):]


_HEADER_SEARCH = 50  # rows of a sheet searched for the header row


def _sheet_name(names: list[str], sheet, label: str) -> str:
    if str(sheet) in names:
        return str(sheet)
    if str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    raise CrmlabError(f"--sheet {sheet!r} is not a sheet of {label}; its sheets are: "
                      + ", ".join(repr(n) for n in names))


def _header_row(rows: list[tuple], cols: dict[str, str]) -> int | None:
    """Index of the first row (of the first 50) holding every named column, or None."""
    wanted = set(cols.values())
    for i, row in enumerate(rows[:_HEADER_SEARCH]):
        if wanted <= {str(c).strip() for c in row if c is not None}:
            return i
    return None


def _whole(v):
    """A whole-number float cell as an int (Excel stores 1001 as a number; it is the id '1001', not '1001.0')."""
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53 else v


def _excel_batches(rows: list[tuple], cols: dict[str, str], others: bool) -> Iterator[pa.RecordBatch]:
    header = [None if c is None else str(c).strip() for c in rows[0]]
    body = rows[1:]
    while body and all(c is None or (isinstance(c, str) and not c.strip()) for c in body[-1]):
        body.pop()  # trailing empty rows: formatting left below the data, not rows of it
    width = len(header)
    body = [tuple(r) + (None,) * (width - len(r)) for r in body]
    names = list(cols.values())
    at = {c: header.index(c) for c in names}
    rest = [i for i, h in enumerate(header) if i not in at.values()] if others else []
    arrays = []
    for role, c in cols.items():
        values = [r[at[c]] for r in body]
        arrays.append(objects_to_arrow([_whole(v) for v in values] if role == "customer" else values))
    arrays += [objects_to_arrow([r[i] for r in body]) for i in rest]
    rest_names = [header[i] if header[i] is not None else f"column {i + 1}" for i in rest]
    yield pa.RecordBatch.from_arrays(arrays, names=names + rest_names)


def _parquet_batches(path: Path, cols: dict[str, str], others: bool) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CrmlabError(f"cannot read {path.name} as parquet: {exc}") from None
    _check_cols(pf.schema_arrow.names, cols, path.name)
    names = list(cols.values())
    rest = [n for n in pf.schema_arrow.names if n not in names] if others else []
    for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=names + rest):
        yield pa.RecordBatch.from_arrays([batch.column(c) for c in names + rest], names=names + rest)


def _frame_batches(frame: pd.DataFrame, cols: dict[str, str], others: bool) -> Iterator[pa.RecordBatch]:
    check_dataframe(frame, name="source", allow_empty=True)
    _check_cols([str(c) for c in frame.columns], cols, "source")
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise CrmlabError(f"source has two columns named {dup!r}; rename one")
    names = list(cols.values())
    rest = [c for c in frame.columns if c not in names] if others else []
    yield pa.RecordBatch.from_arrays([to_arrow(frame[c]) for c in names + rest],
                                     names=names + [str(c) for c in rest])
