"""One cleaning, two engines (issue 20): :func:`crmlab.analyze.sqlclean.clean_parquet` (DuckDB, out of core)
against :func:`crmlab.analyze.clean_transactions` (in memory) on the same typed parquet export.

The in-memory cleaning is itself checked against planted truths and brute-force counts in
tests/test_analyze_rows.py; here it is the independent reference the SQL is held to: the data-quality
table (every count and every example) must be equal, the clean log equal in ids, days and row counts and
in amounts up to the order of floating-point additions (relative 1e-12), on a messy export with every
defect at once and on a seeded world, under every refund and duplicate policy. Then the whole
``crmlab analyze`` command on both engines: the same customers, segments and CLV.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crmlab import cli, worlds
from crmlab.analyze import clean_transactions, customer_value, load_transactions
from crmlab.analyze.sqlclean import clean_parquet, duckdb_reason
from crmlab.errors import CrmlabError

COLS = dict(customer_col="客户", date_col="日期", amount_col="金额")


def _messy_parquet(path, seed: int = 3, n: int = 3000):
    """A typed export with totals rows, blank and look-alike ids, missing dates and amounts (NaN and null),
    refunds (lone and same-day), exact copies of rows and order ids repeated with a changed status."""
    rng = np.random.default_rng(seed)
    ids = rng.choice(["A01", "007", "NA", "None", "张三", " B-9 ", "nan", "", "NULL", "合计", "Total:", "\u3000C3"], n)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    amount = np.round(rng.gamma(2, 50, n), 2)
    amount[rng.random(n) < 0.05] *= -1
    amount[rng.random(n) < 0.02] = np.nan
    frame = pd.DataFrame({"订单": [f"O{k:05d}" for k in range(n)], "客户": ids, "日期": day, "金额": amount,
                          "门店": rng.choice(["店A", "店B"], n)})
    frame = pd.concat([frame, frame[rng.random(n) < 0.08]]).sort_index(kind="stable").reset_index(drop=True)
    frame.loc[rng.random(len(frame)) < 0.02, ["订单", "门店"]] = [frame["订单"].iloc[0], "店C"]
    dates = [None if rng.random() < 0.03 else d.date() for d in frame["日期"]]
    table = pa.table({"订单": pa.array(frame["订单"].tolist(), pa.string()),
                      "客户": pa.array(frame["客户"].tolist(), pa.string()),
                      "日期": pa.array(dates, pa.date32()),
                      "金额": pa.array(frame["金额"].to_numpy(), pa.float64(), from_pandas=False),
                      "门店": pa.array(frame["门店"].tolist(), pa.string())})
    table = table.set_column(3, "金额", pa.array([None if k % 97 == 0 else v for k, v in
                                                 enumerate(table.column("金额").to_pylist())], pa.float64()))
    pq.write_table(table, path, row_group_size=700)  # several row groups: row numbers must run across them
    return path


def _same(mem, sql):
    """The two CleanResults agree: quality table exactly, the log up to float addition order."""
    pd.testing.assert_frame_equal(mem.quality, sql.quality)
    a = mem.transactions
    b = pd.read_parquet(sql.transactions)
    assert len(a) == len(b) > 0
    assert a["customer_id"].astype(str).tolist() == b["customer_id"].astype(str).tolist()
    assert (a["date"].to_numpy().astype("datetime64[D]") == b["date"].to_numpy().astype("datetime64[D]")).all()
    assert a["rows"].tolist() == b["rows"].tolist()
    np.testing.assert_allclose(a["amount"].to_numpy(), b["amount"].to_numpy(), rtol=1e-12)
    assert (mem.observation_end, mem.duplicates, mem.refunds) == (sql.observation_end, sql.duplicates, sql.refunds)


OPTIONS = [dict(), dict(refunds="drop"), dict(duplicates="keep"), dict(duplicates="drop"), dict(order_col="订单"),
           dict(observation_end="2024-08-01"), dict(blank_ids=("", "na", "none")), dict(key=b"k" * 32)]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(map(str, o)) or "defaults")
def test_duckdb_cleaning_equals_the_in_memory_cleaning_on_a_messy_export(tmp_path, options):
    path = _messy_parquet(tmp_path / "export.parquet")
    mem = clean_transactions(path, **COLS, **options)
    sql = clean_parquet(path, **COLS, out_path=tmp_path / "clean.parquet", **options)
    q = sql.quality.set_index("item")["rows"]
    assert q["total_row"] and q["blank_id"] and q["unparsable_date"] and q["unparsable_amount"]  # all present
    _same(mem, sql)
    assert not any(p.name.startswith(".crmlab-duckdb") for p in tmp_path.iterdir())  # spill folder removed


def test_refunds_error_stops_alike_on_both_engines(tmp_path):
    path = _messy_parquet(tmp_path / "export.parquet")
    with pytest.raises(CrmlabError) as mem:
        clean_transactions(path, **COLS, refunds="error")
    with pytest.raises(CrmlabError) as sql:
        clean_parquet(path, **COLS, refunds="error", out_path=tmp_path / "clean.parquet")
    assert str(mem.value) == str(sql.value) and "row " in str(sql.value)


def test_three_column_file_keeps_equal_rows_as_purchases_on_both_engines(tmp_path):
    table = pa.table({"c": ["a", "a", "b", "a"], "d": pa.array([pd.Timestamp("2024-01-02").date()] * 4, pa.date32()),
                      "m": [5.0, 5.0, 1.0, 5.0]})
    pq.write_table(table, tmp_path / "three.parquet")
    cols = dict(customer_col="c", date_col="d", amount_col="m")
    mem = clean_transactions(tmp_path / "three.parquet", **cols)
    sql = clean_parquet(tmp_path / "three.parquet", **cols, out_path=tmp_path / "clean.parquet")
    _same(mem, sql)
    assert sql.quality.set_index("item").loc["identical_rows_kept", "rows"] == 2  # brute force: rows 2 and 4


@pytest.mark.parametrize("seed", [1, 7])
def test_both_engines_give_the_same_customer_value_on_a_seeded_world(tmp_path, seed):
    """A world's purchase log (integer ids, timestamps with a time of day) cleaned and analysed on each
    engine: the per-customer table of crmlab analyze is the same, column by column. (1,500 customers: on a
    few hundred the Gamma-Gamma likelihood can be nearly flat along p*gamma, and then whether a fit counts as
    converged may turn on the last bits of a mean spend, which is no property of either engine.)"""
    log = worlds.make("transactions", seed=seed, n_customers=1500).tables["transactions"]
    stamp = pd.to_datetime(log["date"]) + pd.to_timedelta(np.arange(len(log)) % 86_000, unit="s")
    export = pd.DataFrame({"id": log["customer_id"].astype("int64"), "when": stamp, "spend": log["amount"]})
    pq.write_table(pa.Table.from_pandas(export, preserve_index=False), tmp_path / "world.parquet")
    cols = dict(customer_col="id", date_col="when", amount_col="spend")
    mem = clean_transactions(tmp_path / "world.parquet", **cols)
    sql = clean_parquet(tmp_path / "world.parquet", **cols, out_path=tmp_path / "clean.parquet")
    _same(mem, sql)
    a = customer_value(mem.transactions, observation_end=mem.observation_end).customers
    b = customer_value(sql.transactions, observation_end=sql.observation_end).customers
    assert a["p_alive"].notna().any()  # the models were fitted, so CLV is compared too
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=0.0101)  # values rounded to cents may flip a cent


def test_the_clean_file_duckdb_writes_loads_back_with_its_quality_table(tmp_path):
    path = _messy_parquet(tmp_path / "export.parquet")
    sql = clean_parquet(path, **COLS, out_path=tmp_path / "clean.parquet")
    back = load_transactions(tmp_path / "clean.parquet")
    pd.testing.assert_frame_equal(back.quality, sql.quality)
    assert back.observation_end == sql.observation_end and len(back.transactions) == len(pd.read_parquet(sql.transactions))


def test_duckdb_engine_names_what_it_cannot_read(tmp_path):
    pq.write_table(pa.table({"c": ["a"], "d": ["2024-01-02"], "m": [1.0]}), tmp_path / "text.parquet")
    assert "'d' is VARCHAR" in duckdb_reason(tmp_path / "text.parquet", date_col="d", amount_col="m")
    pq.write_table(pa.table({"c": ["a"], "d": pa.array([pd.Timestamp("2024-01-02")], pa.timestamp("s")), "m": ["¥1"]}),
                   tmp_path / "money.parquet")
    assert "'m' is VARCHAR, not a number" in duckdb_reason(tmp_path / "money.parquet", date_col="d", amount_col="m")
    (tmp_path / "x.csv").write_text("c,d,m\na,2024-01-02,1\n")
    assert "not a parquet file" in duckdb_reason(tmp_path / "x.csv", date_col="d", amount_col="m")
    with pytest.raises(CrmlabError, match="no column 'amount'"):
        duckdb_reason(tmp_path / "text.parquet", date_col="d", amount_col="amount")


def _analyze(capsys, *argv):
    rc = cli.main(["analyze", *map(str, argv)])
    out, err = capsys.readouterr()
    return rc, out, err


def test_the_command_gives_the_same_report_tables_on_both_engines(tmp_path, capsys):
    log = worlds.make("transactions", seed=3, n_customers=300).tables["transactions"]
    pq.write_table(pa.Table.from_pandas(log, preserve_index=False), tmp_path / "log.parquet")
    args = [tmp_path / "log.parquet", "--customer", "customer_id", "--date", "date", "--amount", "amount"]
    rc1, out1, _ = _analyze(capsys, *args, "--out", tmp_path / "mem", "--engine", "memory")
    rc2, out2, _ = _analyze(capsys, *args, "--out", tmp_path / "sql", "--engine", "duckdb", "--memory-limit", "500MB")
    assert rc1 == rc2 == 0 and "out of core by DuckDB" in out2 and "DuckDB" not in out1
    for name in ("customers.csv", "data_quality.csv"):
        a, b = pd.read_csv(tmp_path / "mem" / name), pd.read_csv(tmp_path / "sql" / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=0.0101)  # values rounded to cents may flip a cent
    assert (tmp_path / "sql" / "report.html").stat().st_size > 10_000


@pytest.mark.parametrize("extra, message", [
    (["--engine", "duckdb", "--scheduler", "tcp://127.0.0.1:1"], "choose one"),
    (["--memory-limit", "1GB"], "--memory-limit is DuckDB's"),
    (["--engine", "duckdb", "--memory-limit", "lots"], "--memory-limit must be a size such as 512MB"),
    (["--engine", "duckdb", "--memory-limit", "1GB'; SET threads=1; --"], "--memory-limit must be a size"),
])
def test_engine_options_that_do_not_fit_are_one_line(tmp_path, capsys, extra, message):
    pq.write_table(pa.table({"c": ["a"], "d": pa.array([pd.Timestamp("2024-01-02").date()], pa.date32()),
                             "m": [1.0]}), tmp_path / "t.parquet")
    rc, _, err = _analyze(capsys, tmp_path / "t.parquet", "--customer", "c", "--date", "d", "--amount", "m",
                          "--out", tmp_path / "o", *extra)
    assert rc != 0 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_text_dates_with_engine_duckdb_say_why_and_the_way_out(tmp_path, capsys):
    pq.write_table(pa.table({"c": ["a"], "d": ["2024-01-02"], "m": [1.0]}), tmp_path / "t.parquet")
    rc, _, err = _analyze(capsys, tmp_path / "t.parquet", "--customer", "c", "--date", "d", "--amount", "m",
                          "--out", tmp_path / "o", "--engine", "duckdb")
    assert rc != 0 and "'d' is VARCHAR" in err and "--engine memory" in err


def test_too_many_unreadable_rows_stop_the_duckdb_engine_and_leave_no_clean_file(tmp_path, capsys):
    path = _messy_parquet(tmp_path / "export.parquet")
    rc, _, err = _analyze(capsys, path, "--customer", "客户", "--date", "日期", "--amount", "金额",
                          "--out", tmp_path / "o", "--engine", "duckdb")
    assert rc == 1 and "cannot be read" in err and not (tmp_path / "o" / "clean_transactions.parquet").exists()


def test_duckdb_cleaning_is_deterministic_across_runs_and_threads(tmp_path):
    """Same file, same options: the clean log is the same to the last bit whether DuckDB runs on one thread or
    several (amounts are summed with fsum, a compensated sum, so the order parallel workers add in does not
    show); the in-memory engine is deterministic by construction."""
    path = _messy_parquet(tmp_path / "export.parquet", n=20_000)
    logs = []
    for k, threads in enumerate((1, 2, 2)):
        res = clean_parquet(path, **COLS, out_path=tmp_path / f"clean{k}.parquet", threads=threads)
        logs.append(pd.read_parquet(res.transactions))
    for other in logs[1:]:
        pd.testing.assert_frame_equal(logs[0], other, check_exact=True)


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_a_fully_refunded_day_is_not_a_purchase_whatever_the_rounding(tmp_path, engine):
    """0.10 + 0.20 - 0.30 is 5.6e-17 in floating point, not 0: by hand, the day nets to nothing and its three
    rows are refund exclusions, while a day with a real remainder (0.10 + 0.20 - 0.25) stays a purchase."""
    day = pd.Timestamp("2024-03-01").date()
    table = pa.table({"order": ["o1", "o2", "o3", "o4", "o5", "o6"], "c": ["a", "a", "a", "b", "b", "b"],
                      "d": pa.array([day] * 6, pa.date32()), "m": [0.10, 0.20, -0.30, 0.10, 0.20, -0.25]})
    pq.write_table(table, tmp_path / "t.parquet")
    cols = dict(customer_col="c", date_col="d", amount_col="m")
    res = (clean_transactions(tmp_path / "t.parquet", **cols) if engine == "memory" else
           clean_parquet(tmp_path / "t.parquet", **cols, out_path=tmp_path / "clean.parquet"))
    log = res.transactions if engine == "memory" else pd.read_parquet(res.transactions)
    q = res.quality.set_index("item")["rows"]
    assert q["refund"] == 3 and q["refund_days_netted"] == 1
    assert log["customer_id"].tolist() == ["b"] and log["amount"].iloc[0] == pytest.approx(0.05)


def test_infinite_and_nan_amounts_are_unreadable_on_both_engines_and_refused_by_the_summary(tmp_path):
    """An infinite spend is no spend: counted as unparsable_amount by both cleanings (by hand: 2 of 4 rows),
    and a summary of a file holding one says so instead of leaving it out of a sum."""
    from crmlab.rfm import rfm_summary

    day = pd.Timestamp("2024-03-01").date()
    table = pa.table({"c": ["a", "a", "b", "b"], "d": pa.array([day] * 4, pa.date32()),
                      "m": [1.0, float("inf"), float("nan"), 2.0]})
    pq.write_table(table, tmp_path / "t.parquet")
    cols = dict(customer_col="c", date_col="d", amount_col="m")
    mem = clean_transactions(tmp_path / "t.parquet", **cols)
    sql = clean_parquet(tmp_path / "t.parquet", **cols, out_path=tmp_path / "clean.parquet")
    _same(mem, sql)
    assert mem.quality.set_index("item").loc["unparsable_amount", "rows"] == 2
    with pytest.raises(ValueError, match="'m' of transactions has 2 missing or infinite"):
        rfm_summary(str(tmp_path / "t.parquet"), customer_col="c", date_col="d", amount_col="m")
