"""Every row of a messy export read right or accounted for (issue 20): mixed date styles, ambiguous dates,
duplicates, Excel title rows, sheets and totals rows, ids that look like blanks, the exclusion alarm, fit
notes and unwritable output folders.

Expected values come from the planted truth of the files built here (each row generated from a known id,
day and amount, then written in a local style or broken on purpose) and brute-force loops over the rows;
dates are written with Python's own ``datetime`` formatting and Excel serials from the published 1900 date
system (serial = days since 1899-12-30), never from crmlab's reading.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from crmlab import analyze, cli
from crmlab._dates import AmbiguousDatesError, DateReader
from crmlab.analyze import clean_transactions, parse_dates
from crmlab.errors import CrmlabError

EXCEL_DAY0 = dt.date(1899, 12, 30)  # Excel 1900 date system: serial n is this day + n (for n > 60)


def _serial(day: dt.date) -> int:
    return (day - EXCEL_DAY0).days


def _styles(day: dt.date, rng) -> str:
    """One day written in one of the unambiguous styles of the issue, chosen at random."""
    hour, minute = int(rng.integers(0, 24)), int(rng.integers(0, 60))
    offset = str(rng.choice(["+08:00", "-05:00", "Z", "+0530"]))
    return [day.strftime("%Y/%m/%d").replace("/0", "/"),  # 2024/3/5
            day.isoformat(),  # 2024-03-05
            f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%d.%m.%Y"),  # day-first, decided by the days above 12
            f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}",  # local date as written
            str(_serial(day)),
            day.strftime("%d %b %Y")][int(rng.integers(0, 7))]


# --- dates ---------------------------------------------------------------------------------------------------
def test_mixed_date_styles_are_read_value_by_value_against_python_datetime():
    """2,000 planted days, each written in a random style (Python strftime, Excel 1900 serials)."""
    rng = np.random.default_rng(20)
    truth = [dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700))) for _ in range(2000)]
    text = [_styles(d, rng) for d in truth]
    days, styles = parse_dates(text)
    assert [d.astype(object) for d in days] == truth
    expected = {"%Y/%m/%d", "%Y-%m-%d", "%Y年%m月%d日", "%d.%m.%Y", "Excel serial", "%d %b %Y"}
    assert expected <= set(styles.split(" | "))


@pytest.mark.parametrize("values, expected", [
    (["2024-03-05T23:30:00-05:00"], dt.date(2024, 3, 5)),  # in UTC this is the 6th: the date as written wins
    (["2024-03-05T00:15+09:00"], dt.date(2024, 3, 5)),
    ([45356], dt.date(2024, 3, 5)),  # a number cell of Excel
    (["45356.75"], dt.date(2024, 3, 5)),  # serial with a time of day
    (["5 March 2024"], dt.date(2024, 3, 5)),
])
def test_single_values_by_hand(values, expected):
    days, _ = parse_dates(pa.array(values))
    assert days[0].astype(object) == expected


def test_ambiguous_day_month_style_stops_with_its_name_and_the_way_out():
    """03/05/2024 with no day above 12 anywhere: both readings are valid and differ - never guessed."""
    values = ["03/05/2024", "04/05/2024", "2024-06-01", "12/11/2024"]
    with pytest.raises(AmbiguousDatesError, match=r"'03/05/2024' are ambiguous.*%d/%m/%Y.*%m/%d/%Y.*--date-format"):
        parse_dates(values)
    days, _ = parse_dates(values, date_format="%d/%m/%Y")  # the way out, the other styles still read
    assert [d.astype(object) for d in days] == [dt.date(2024, 5, 3), dt.date(2024, 5, 4), dt.date(2024, 6, 1),
                                                 dt.date(2024, 11, 12)]
    with pytest.raises(AmbiguousDatesError, match="contradict"):
        parse_dates(["25/03/2024", "03/25/2024"])
    # a day above 12 anywhere in the column decides it; values reading the same both ways need nothing
    assert parse_dates(["03/05/2024", "25/05/2024"])[0][0].astype(object) == dt.date(2024, 5, 3)
    assert parse_dates(["05/05/2024"])[0][0].astype(object) == dt.date(2024, 5, 5)


def test_day_month_decision_holds_across_batches_of_one_file():
    """A file read in batches: the order decided on the first batch reads the next; contradictions are unreadable."""
    reader = DateReader()
    first, _ = reader.read(pa.array(["25.03.2024", "09.03.2024"]))
    second, _ = reader.read(pa.array(["01.02.2024", "02.13.2024"]))
    assert [str(d) for d in first] + [str(d) for d in second] == ["2024-03-25", "2024-03-09", "2024-02-01", "NaT"]


def test_rfm_summary_reads_09_03_2024_as_9_march_in_a_day_first_column_and_refuses_guessing():
    """Compared with pandas told the format explicitly (pd.to_datetime(format='%d.%m.%Y')); a slash column
    with no day above 12 is refused, never read month-first."""
    from crmlab._validate import datetime_column
    from crmlab.rfm import rfm_summary

    text = ["01.03.2024", "09.03.2024", "25.03.2024", "02.04.2024"]
    raw = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "date": text, "amount": [1.0, 2.0, 3.0, 4.0]})
    told = raw.assign(date=pd.to_datetime(raw["date"], format="%d.%m.%Y"))
    pd.testing.assert_frame_equal(rfm_summary(raw, observation_end="2024-04-30"),
                                  rfm_summary(told, observation_end="2024-04-30"))
    assert pd.Timestamp("2024-09-03") not in set(datetime_column(raw, "date"))
    ambiguous = raw.assign(date=["01/03/2024", "09/03/2024", "05/03/2024", "02/04/2024"])
    with pytest.raises(AmbiguousDatesError, match=r"column 'date' of transactions: dates written like "
                                                  r"'01/03/2024' are ambiguous.*format='%d/%m/%Y'.*--date-format"):
        rfm_summary(ambiguous)
    # dotted dates are day-first by convention (DIN 5008); values proving month-first are read so
    assert rfm_summary(raw.assign(date=["01.03.2024", "09.03.2024", "05.03.2024", "02.04.2024"]),
                       observation_end="2024-04-30").loc["b", "T"] == 56  # 5 March to 30 April


# --- a messy export with every defect at once ---------------------------------------------------------------
def _messy(seed: int = 11, n: int = 600):
    """Rows (order, customer, date, amount, note) and the truth of each: a reason or (id, day, amount)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    start = dt.date(2024, 1, 1)
    for k in range(n):  # a loop over a few hundred rows is the clearest brute force
        cid = str(rng.choice(["A01", "007", "NA", "None", "张三", "B-9", "nan"]))
        day = start + dt.timedelta(days=int(rng.integers(0, 300)))
        value = round(float(rng.gamma(2.0, 50.0)), 2) + 0.01
        kind = rng.random()
        order = f"O{k:05d}"
        if kind < 0.03:
            rows.append((order, str(rng.choice(["合计", "Total:", " 小计 "])), _styles(day, rng), "¥9999", ""))
            truth.append("total_row")
        elif kind < 0.06:
            rows.append((order, str(rng.choice(["", "  ", "NULL", "#N/A"])), _styles(day, rng), "¥1", ""))
            truth.append("blank_id")
        elif kind < 0.09:
            rows.append((order, cid, str(rng.choice(["31.02.2024", "soon", "", "2024-13-01"])), "¥1", ""))
            truth.append("unparsable_date")
        elif kind < 0.12:
            rows.append((order, cid, _styles(day, rng), str(rng.choice(["abc", "", "¥"])), ""))
            truth.append("unparsable_amount")
        else:
            pad = str(rng.choice(["", " ", "  "]))
            store = str(rng.choice(["店A", "店B"]))
            rows.append((order, pad + cid + pad, _styles(day, rng), f"¥{value:,.2f}", store))
            truth.append((cid, day, value))
            if rng.random() < 0.08:  # an exact copy of the row (the export ran twice over it)
                rows.append(rows[-1])
                truth.append("duplicate")
    return rows, truth


def _brute_force(truth, policy="drop"):
    counts = Counter(t for t in truth if isinstance(t, str))
    if policy == "keep":  # duplicates are purchases again
        counts.pop("duplicate", None)
    days = defaultdict(list)
    last = None
    for t in truth:
        if isinstance(t, tuple):
            last = t
            days[(t[0], t[1])].append(t[2])
        elif t == "duplicate" and policy == "keep":
            days[(last[0], last[1])].append(last[2])
    return counts, {k: (round(sum(v), 6), len(v)) for k, v in days.items()}


def _write_csv(path: Path, rows):
    lines = ["订单号,客户,日期,金额,门店"] + [",".join(f'"{c}"' for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _frame_days(result):
    tx = result.transactions
    return {(c, d.date()): (round(a, 6), n) for c, d, a, n in
            zip(tx["customer_id"], tx["date"], tx["amount"], tx["rows"])}


@pytest.mark.parametrize("policy", ["drop", "keep"])
def test_every_defect_at_once_adds_up_to_the_rows_read(tmp_path, policy):
    """Totals rows, placeholder and look-alike ids, mixed date styles, bad dates/amounts, exact duplicates:
    each count equals the brute-force count of the planted truth, and used + excluded = read."""
    rows, truth = _messy()
    path = tmp_path / "messy.csv"
    _write_csv(path, rows)
    res = clean_transactions(path, customer_col="客户", date_col="日期", amount_col="金额", duplicates=policy)
    counts, merged = _brute_force(truth, policy)
    q = res.quality.set_index("item")
    for reason in analyze.REASONS:
        assert q.loc[reason, "rows"] == counts.get(reason, 0), reason
    assert counts["duplicate" if policy == "drop" else "total_row"] > 0 and counts["total_row"] > 0
    assert q.loc["rows_read", "rows"] == len(truth)
    assert q.loc["rows_used", "rows"] + q.loc[q["kind"] == "excluded", "rows"].sum() == len(truth)
    assert _frame_days(res) == merged
    assert {"NA", "None", "nan", "007"} <= set(res.transactions["customer_id"])  # ids, not blanks; zeros kept
    if policy == "drop":
        assert re.fullmatch(r"row \d+: same as row \d+( \| row \d+: same as row \d+)*", q.loc["duplicate", "examples"])


def test_blank_ids_declared_by_the_caller_are_blank():
    raw = pd.DataFrame({"c": ["NA", "x", "None"], "d": ["2024-01-02"] * 3, "m": ["1", "2", "3"]})
    res = clean_transactions(raw, customer_col="c", date_col="d", amount_col="m", blank_ids=("", "na", "none"))
    q = res.quality.set_index("item")["rows"]
    assert q["blank_id"] == 2 and res.transactions["customer_id"].tolist() == ["x"]


def test_order_column_deduplicates_by_order_id():
    """Same order id exported twice with a changed status column: not an exact duplicate, the same order."""
    raw = pd.DataFrame({"order": ["o1", "o2", "o1", "o3", "", ""],
                        "c": ["a", "a", "a", "b", "b", "b"],
                        "d": ["2024-01-02", "2024-01-03", "2024-01-02", "2024-01-02", "2024-01-05", "2024-01-05"],
                        "m": ["10", "5", "10", "7", "3", "3"],
                        "status": ["new", "new", "paid", "new", "x", "x"]})
    exact = clean_transactions(raw, customer_col="c", date_col="d", amount_col="m")
    assert exact.quality.set_index("item")["rows"]["duplicate"] == 1  # only the blank-order pair is equal
    by_order = clean_transactions(raw, customer_col="c", date_col="d", amount_col="m", order_col="order")
    q = by_order.quality.set_index("item")
    assert q.loc["duplicate", "rows"] == 2 and q.loc["duplicate", "examples"] == "row 3: same as row 1 | " \
                                                                                "row 6: same as row 5"
    assert _frame_days(by_order) == {("a", dt.date(2024, 1, 2)): (10.0, 1), ("a", dt.date(2024, 1, 3)): (5.0, 1),
                                     ("b", dt.date(2024, 1, 2)): (7.0, 1), ("b", dt.date(2024, 1, 5)): (3.0, 1)}
    assert by_order.duplicates == "order"


# --- Excel ----------------------------------------------------------------------------------------------------
def _workbook(path: Path, sheets: dict):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r in rows:
            ws.append(list(r))
    book.save(path)


def test_excel_title_rows_sheet_totals_and_ids(tmp_path):
    """Title rows above the header, a notes sheet first, a 合计 row with a date, text '007' next to number 7,
    'NA' as an id, spaces around ids and Excel number cells holding serial dates."""
    data = [("订单", "会员号", "消费日期", "实付金额"),
            ("o1", "007", dt.datetime(2024, 3, 1), 10.0),
            ("o2", 7, dt.datetime(2024, 3, 1), 20.0),
            ("o3", " NA ", 45356, 5.0),  # Excel serial of 2024-03-05
            ("o4", "A-1", "2024年3月6日", "¥8"),
            (None, "合计", dt.datetime(2024, 3, 31), 43.0),
            (None, None, None, None)]
    sheets = {"说明": [("导出说明",), ("金额单位：元",)],
              "明细": [("2024年3月 销售明细",), (None,), *data]}
    path = tmp_path / "会员.xlsx"
    _workbook(path, sheets)
    cols = dict(customer_col="会员号", date_col="消费日期", amount_col="实付金额")
    res = clean_transactions(path, **cols)
    q = res.quality.set_index("item")["rows"]
    assert (q["rows_read"], q["total_row"], q["rows_used"]) == (5, 1, 4)  # trailing empty row is not a row
    assert _frame_days(res) == {("007", dt.date(2024, 3, 1)): (10.0, 1), ("7", dt.date(2024, 3, 1)): (20.0, 1),
                                ("NA", dt.date(2024, 3, 5)): (5.0, 1), ("A-1", dt.date(2024, 3, 6)): (8.0, 1)}
    assert res.source == "会员.xlsx [明细]"
    same = clean_transactions(path, sheet="明细", **cols)
    pd.testing.assert_frame_equal(same.transactions, res.transactions)
    with pytest.raises(CrmlabError, match=r"会员号.*not in a header row of sheet '说明'"):
        clean_transactions(path, sheet=1, **cols)
    with pytest.raises(CrmlabError, match=r"--sheet 'x' is not a sheet.*'说明', '明细'"):
        clean_transactions(path, sheet="x", **cols)
    _workbook(tmp_path / "two.xlsx", {"一月": data, "二月": data})
    with pytest.raises(CrmlabError, match=r"sheets '一月', '二月' all have the named columns; choose one with "
                                          r"--sheet"):
        clean_transactions(tmp_path / "two.xlsx", **cols)


# --- the command ----------------------------------------------------------------------------------------------
@pytest.fixture
def stub_report(monkeypatch):
    """The command without the notebook run (the report is another layer, tested on its own)."""
    calls = []

    def fake(clean, out, **kw):
        calls.append(clean)
        (Path(out) / "report.html").write_text("stub", encoding="utf-8")

    monkeypatch.setattr(analyze, "write_report", fake)
    return calls


def _run(argv, capsys):
    rc = cli.main(["analyze", *argv])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_command_stops_loudly_when_many_rows_cannot_be_read(tmp_path, capsys, stub_report):
    """Half the dates in a style no reader knows: exit 1, the share and reasons named, nothing analysed;
    --allow-exclusions analyses the rest and still warns."""
    lines = ["id,day,amt"] + [f"c{i % 7},2024-01-{1 + i % 28:02d},{i + 1}" for i in range(50)] + \
        [f"c{i % 7},Jan the {i % 28 + 1}th,{i + 1}" for i in range(50)]
    src = tmp_path / "half.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = [str(src), "--customer", "id", "--date", "day", "--amount", "amt"]
    rc, out, err = _run(base + ["--out", str(tmp_path / "o1")], capsys)
    assert rc == 1 and not stub_report
    assert "50 of 100 rows (50.0%)" in err and "unparsable_date 50" in err and "--allow-exclusions" in err
    assert err.count("\n") == 1 and not (tmp_path / "o1" / "clean_transactions.parquet").exists()
    rc, out, err = _run(base + ["--out", str(tmp_path / "o2"), "--allow-exclusions"], capsys)
    assert rc == 0 and len(stub_report) == 1 and "WARNING" in err and "50 of 100 rows" in err
    q = pd.read_csv(tmp_path / "o2" / "data_quality.csv").set_index("item")["rows"]
    assert (q["rows_read"], q["unparsable_date"], q["rows_used"]) == (100, 50, 50)


def test_command_says_when_the_models_are_not_fitted(tmp_path, capsys, stub_report):
    src = tmp_path / "few.csv"
    src.write_text("id,day,amt\na,2024-01-01,5\na,2024-03-01,6\nb,2024-02-01,7\n", encoding="utf-8")
    rc, out, err = _run([str(src), "--customer", "id", "--date", "day", "--amount", "amt",
                         "--out", str(tmp_path / "o")], capsys)
    assert rc == 0
    assert "WARNING: the CLV models were not fitted: 1 customer(s) bought again" in err
    assert "min_repeat_buyers=50" in err and "clv" in err


def test_command_reports_exclusions_and_passes_the_new_options(tmp_path, capsys, stub_report):
    rows, truth = _messy(seed=4, n=300)
    src = tmp_path / "m.csv"
    _write_csv(src, rows)
    rc, out, err = _run([str(src), "--customer", "客户", "--date", "日期", "--amount", "金额", "--out",
                         str(tmp_path / "o"), "--allow-exclusions", "--blank-id", "NA", "--duplicates", "keep"], capsys)
    assert rc == 0
    q = pd.read_csv(tmp_path / "o" / "data_quality.csv").set_index("item")["rows"]
    counts = Counter(t for t in truth if isinstance(t, str))
    assert q["duplicate"] == 0 and q["total_row"] == counts["total_row"]
    # blank ids are checked before dates and amounts: every row whose id cell is NA is now blank
    assert q["blank_id"] == counts["blank_id"] + sum(1 for r in rows if r[1].strip() == "NA")
    assert f"read {len(truth):,} rows from m.csv" in out and f"total_row {counts['total_row']}" in out


@pytest.mark.parametrize("out", ["/proc/self", "FILE"])
def test_unwritable_out_is_one_clear_line(tmp_path, capsys, out):
    """/proc/self exists and no file can be created in it (read-only even for root); FILE is a file."""
    src = tmp_path / "a.csv"
    src.write_text("id,day,amt\na,2024-01-01,5\n", encoding="utf-8")
    out = str(src) if out == "FILE" else out
    rc, _, err = _run([str(src), "--customer", "id", "--date", "day", "--amount", "amt", "--out", out], capsys)
    assert rc == 2 and err.count("\n") == 1 and "internal error" not in err
    assert re.search(r"cannot (write to|create) output folder", err), err


def test_ambiguous_dates_on_the_command_line_name_the_style_and_date_format(tmp_path, capsys, stub_report):
    src = tmp_path / "us.csv"
    src.write_text("id,day,amt\na,03/05/2024,5\nb,04/06/2024,5\n", encoding="utf-8")
    base = [str(src), "--customer", "id", "--date", "day", "--amount", "amt"]
    rc, _, err = _run(base + ["--out", str(tmp_path / "o1")], capsys)
    assert rc == 2 and err.count("\n") == 1
    assert "column 'day': dates written like '03/05/2024' are ambiguous" in err and "--date-format" in err
    rc, out, _ = _run(base + ["--out", str(tmp_path / "o2"), "--date-format", "%m/%d/%Y"], capsys)
    assert rc == 0
    clean = pd.read_parquet(tmp_path / "o2" / "clean_transactions.parquet")
    assert sorted(clean["date"].astype(str)) == ["2024-03-05", "2024-04-06"]


def test_equal_rows_of_a_three_column_file_are_kept_and_counted_not_dropped():
    """Customer, date and amount only: two equal rows may be two equal purchases (two coffees) - kept,
    counted as identical_rows_kept; --duplicates drop drops them; a fourth column settles it."""
    raw = pd.DataFrame({"c": ["a", "a", "b"], "d": ["2024-01-02"] * 3, "m": ["3", "3", "4"]})
    auto = clean_transactions(raw, customer_col="c", date_col="d", amount_col="m")
    q = auto.quality.set_index("item")
    assert (q.loc["duplicate", "rows"], q.loc["identical_rows_kept", "rows"], q.loc["rows_used", "rows"]) == (0, 1, 3)
    assert q.loc["identical_rows_kept", "examples"] == "row 2: same as row 1"
    assert _frame_days(auto)[("a", dt.date(2024, 1, 2))] == (6.0, 2)
    forced = clean_transactions(raw, customer_col="c", date_col="d", amount_col="m", duplicates="drop")
    assert forced.quality.set_index("item").loc["duplicate", "rows"] == 1
    with_ids = clean_transactions(raw.assign(order=["o1", "o1", "o2"]), customer_col="c", date_col="d",
                                  amount_col="m")
    assert with_ids.quality.set_index("item").loc["duplicate", "rows"] == 1
    assert with_ids.quality.set_index("item").loc["rows_used", "rows"] == 2


def test_help_of_the_command_lists_the_new_options(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["analyze", "--help"])
    text = capsys.readouterr().out
    assert stop.value.code == 0
    for option in ("--sheet", "--duplicates", "--order", "--blank-id", "--allow-exclusions", "1%"):
        assert option in text, option


def test_library_date_columns_keep_the_time_of_day_as_written():
    """datetime_column (behind rfm_summary, service and rewards): times by hand, the zone dropped as written."""
    from crmlab._validate import datetime_column

    frame = pd.DataFrame({"d": ["2024-03-05 10:30 PM", "2024年3月5日 10时30分", "2024-03-05T23:30:00-05:00",
                                "Tue, 05 Mar 2024 07:15:30 GMT", "2024/3/5"]})
    assert datetime_column(frame, "d").tolist() == [pd.Timestamp("2024-03-05 22:30"), pd.Timestamp("2024-03-05 10:30"),
                                                   pd.Timestamp("2024-03-05 23:30"),
                                                   pd.Timestamp("2024-03-05 07:15:30"), pd.Timestamp("2024-03-05")]
    with pytest.raises(ValueError, match=r"column 'd' of data has values that are not dates, e.g. '2024-03-05 25:00'"):
        datetime_column(pd.DataFrame({"d": ["2024-03-05", "2024-03-05 25:00"]}), "d")
