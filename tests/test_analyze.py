"""Tests of crmlab.analyze and `crmlab analyze`: reading messy exports, the data-quality account, pseudonyms,
the layering of the package and the command.

Expected values come from the planted truth of files built here (each row is generated from a known id,
day and amount, then written in a local format or deliberately broken) and from brute-force loops over
the rows; never from crmlab's own output.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import pkgutil
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab import analyze, cli
from crmlab.analyze import (clean_transactions, customer_value, infer_date_format, load_transactions,
                            parse_amounts, parse_dates, pseudonymize, write_clean)
from crmlab.errors import CrmlabError


def main(argv):
    """``crmlab analyze ARGV`` as the installed command runs it."""
    return cli.main(["analyze", *argv])

START = dt.date(2024, 1, 1)


# --- amounts and dates ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("¥1,234.50", 1234.5), ("$ 12", 12.0), ("RMB 300", 300.0), ("300元", 300.0), ("人民币 1,000", 1000.0),
    ("(12.00)", -12.0), ("-¥34.50", -34.5), ("¥-34.50", -34.5), ("12.00-", -12.0), ("US$1,000,000.25", 1000000.25),
    ("￥8", 8.0), ("1 234.5", 1234.5), (".5", 0.5), ("abc", np.nan), ("", np.nan), ("12..5", np.nan),
    ("1,23.4", np.nan), ("(12", np.nan),
])
def test_parse_amounts_point_decimal_by_hand(text, value):
    """Hand-written values; the sample holds one unambiguous point value so the mark is '.'."""
    out, mark = parse_amounts([text, "1.50"])
    assert mark == "."
    np.testing.assert_equal(out[0], value)


def test_parse_amounts_detects_decimal_comma_and_counts_contradictions():
    out, mark = parse_amounts(["1.234,50 €", "12,5", "(3,00)", "1.000", "7", "1,234.50"])
    assert mark == ","
    np.testing.assert_equal(out, [1234.5, 12.5, -3.0, 1000.0, 7.0, np.nan])  # the last contradicts ','


def test_parse_amounts_explicit_decimal_and_numbers_pass_through():
    assert parse_amounts(["1,234"], decimal=",")[0].tolist() == [1.234]
    assert parse_amounts(["1,234"], decimal=".")[0].tolist() == [1234.0]
    assert parse_amounts(pd.Series([1.5, -2.0]))[0].tolist() == [1.5, -2.0]
    with pytest.raises(ValueError, match="decimal"):
        parse_amounts(["1"], decimal=";")


def test_parse_dates_refuses_impossible_dates_and_ignores_time_of_day():
    days, fmt = parse_dates(["31.01.2024", "31.02.2024", "29.02.2024 13:45", "29.02.2023", "soon", None])
    assert fmt == "%d.%m.%Y"
    assert [str(d) for d in days] == ["2024-01-31", "NaT", "2024-02-29", "NaT", "NaT", "NaT"]


def test_infer_date_format_refuses_day_month_ambiguity():
    assert infer_date_format(["2024/1/5", "2024/12/31"]) == "%Y/%m/%d"
    assert infer_date_format(["01/13/2024"]) == "%m/%d/%Y"
    with pytest.raises(ValueError, match="ambiguous.*date_format"):
        infer_date_format(["03/04/2024", "05/06/2024"])
    with pytest.raises(ValueError, match="date_format"):
        infer_date_format(["next tuesday"])


def test_pseudonymize_is_the_published_hmac_construction():
    key = b"0123456789abcdef0123456789abcdef"
    expected = "c_" + hmac.new(key, "客户7".encode(), hashlib.sha256).hexdigest()[:20]
    out = pseudonymize(["客户7", "B", "客户7"], key)
    assert out[0] == expected == out[2] and out[1] != expected
    assert pseudonymize(["客户7"], b"x" * 32)[0] != expected
    with pytest.raises(ValueError, match="key"):
        pseudonymize(["a"], b"short")


# --- a messy export with planted problems ------------------------------------------------------------------
def _plant(seed: int, n: int = 400):
    """Rows (raw id, raw date, raw amount) plus the truth of each: reason or (id, day, amount)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for _ in range(n):  # a test file of a few hundred rows: a loop is the clearest brute force
        cid = f"客户{int(rng.integers(1, 25)):03d}"
        day = START + dt.timedelta(days=int(rng.integers(0, 400)))
        value = round(float(rng.gamma(2.0, 300.0)), 2) + 0.01
        if rng.random() < 0.15:
            value = -round(float(rng.gamma(2.0, 100.0)), 2) - 0.01
        kind = rng.random()
        if kind < 0.05:
            rows.append((str(rng.choice([" ", "", "NULL", "n/a"])), day.strftime("%d.%m.%Y"), "¥1"))
            truth.append("blank_id")
        elif kind < 0.10:
            rows.append((cid, str(rng.choice(["31.02.2024", "soon", "", "2024-13-01"])), "¥1"))
            truth.append("unparsable_date")
        elif kind < 0.15:
            rows.append((cid, day.strftime("%d.%m.%Y"), str(rng.choice(["abc", "", "12..5", "¥"]))))
            truth.append("unparsable_amount")
        else:
            rows.append((cid, day.strftime("%d.%m.%Y"), None))
            truth.append((cid, day, value))
    return rows, truth


def _render_comma(value: float, rng) -> str:
    """European style: '.' thousands, ',' decimals, currency before or after, parentheses for refunds."""
    body = f"{abs(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    style = int(rng.integers(0, 3))
    text = [f"¥{body}", f"{body} €", f"{body}元"][style]
    return f"({text})" if value < 0 else text


def _expected(truth, policy: str, end: dt.date | None = None):
    """Brute force: counts per reason and the per-customer-day net amounts."""
    counts = defaultdict(int)
    days = defaultdict(list)
    for t in truth:
        if isinstance(t, str):
            counts[t] += 1
            continue
        cid, day, value = t
        if end is not None and day > end:
            counts["out_of_period"] += 1
        elif value < 0 and policy == "drop":
            counts["refund"] += 1
        else:
            days[(cid, day)].append(value)
    merged = {}
    for k, values in days.items():
        if policy == "net" and min(values) < 0 and sum(values) <= 0:
            counts["refund"] += len(values)
        else:
            merged[k] = (round(sum(values), 6), len(values))
    return counts, merged


def _write_messy_csv(path: Path, seed: int):
    rows, truth = _plant(seed)
    rng = np.random.default_rng(seed + 1)
    lines = ["客户编号;交易日期;金额"]
    for (cid, date, amount), t in zip(rows, truth):
        if amount is None:
            amount = _render_comma(t[2], rng)
        lines.append(f"{cid};{date};{amount}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def _frame_days(result):
    tx = result.transactions
    return {(c, d.date()): (round(a, 6), n) for c, d, a, n in
            zip(tx["customer_id"], tx["date"], tx["amount"], tx["rows"])}


@pytest.mark.parametrize("policy", ["net", "drop"])
def test_messy_csv_quality_counts_match_brute_force(tmp_path, policy):
    """Semicolon CSV, Chinese headers, decimal commas, currency marks, parentheses, impossible dates."""
    path = tmp_path / "导出.csv"
    truth = _write_messy_csv(path, seed=3)
    end = START + dt.timedelta(days=300)
    res = clean_transactions(path, customer_col="客户编号", date_col="交易日期", amount_col="金额",
                             refunds=policy, observation_end=str(end))
    counts, merged = _expected(truth, policy, end)
    q = res.quality.set_index("item")
    for reason in analyze.REASONS:
        assert q.loc[reason, "rows"] == counts[reason], reason
    assert q.loc["rows_read", "rows"] == len(truth)
    excluded = q.loc[q["kind"] == "excluded", "rows"].sum()
    assert excluded + q.loc["rows_used", "rows"] == len(truth)  # nothing dropped silently
    assert res.decimal == "," and res.date_format == "%d.%m.%Y"
    assert _frame_days(res) == merged
    assert res.observation_end == pd.Timestamp(end)
    assert all(counts[r] == 0 or q.loc[r, "examples"].startswith("row ") for r in analyze.REASONS)


def test_examples_name_the_offending_rows(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,day,amt\nA,2024-01-01,5\n ,2024-01-02,5\nB,2024-01-03,five\n", encoding="utf-8")
    res = clean_transactions(path, customer_col="id", date_col="day", amount_col="amt")
    ex = res.quality.set_index("item")["examples"]
    assert ex["blank_id"] == "row 2: ' '" and ex["unparsable_amount"] == "row 3: 'five'"


def test_xlsx_with_chinese_headers_and_mixed_cells(tmp_path):
    """Real date cells and text dates, number cells and currency text, integer and text ids."""
    rows = [(1001, dt.datetime(2024, 3, 1), 120.5), ("1001", "2024-03-01", "¥30"), ("A-7", "2024-03-09", "¥1,000.00"),
            (None, dt.datetime(2024, 3, 2), 10.0), ("A-7", "坏日期", 5), ("B-2", dt.datetime(2024, 3, 5), "免费"),
            ("B-2", dt.datetime(2024, 3, 5), -20.0), ("B-2", dt.datetime(2024, 3, 6), 50)]
    frame = pd.DataFrame(rows, columns=["会员号", "消费日期", "实付金额"])
    path = tmp_path / "会员消费.xlsx"
    frame.to_excel(path, index=False)
    res = clean_transactions(path, customer_col="会员号", date_col="消费日期", amount_col="实付金额",
                             refunds="net")
    q = res.quality.set_index("item")["rows"]
    assert (q["blank_id"], q["unparsable_date"], q["unparsable_amount"], q["refund"]) == (1, 1, 1, 1)
    # by hand: 1001 buys 120.5 + 30 on 1 March; A-7 1000 on 9 March; B-2's refund has no purchase that day
    assert _frame_days(res) == {("1001", dt.date(2024, 3, 1)): (150.5, 2), ("A-7", dt.date(2024, 3, 9)): (1000.0, 1),
                                ("B-2", dt.date(2024, 3, 6)): (50.0, 1)}


def test_refunds_net_subtracts_same_day_refunds_only():
    raw = pd.DataFrame({"c": ["a", "a", "a", "b", "b"],
                        "d": ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02", "2024-01-02"],
                        "m": ["100", "-30", "-10", "20", "-20"]})
    res = clean_transactions(raw, customer_col="c", date_col="d", amount_col="m", refunds="net")
    assert _frame_days(res) == {("a", dt.date(2024, 1, 1)): (70.0, 2)}
    q = res.quality.set_index("item")["rows"]
    assert q["refund"] == 3 and q["rows_used"] == 2 and q["refund_days_netted"] == 1


def test_refunds_error_stops_with_the_first_offending_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,day,amt\nA,2024-01-01,5\nA,2024-01-02,(3)\nB,2024-01-03,4\nB,2024-01-04,-1\n",
                    encoding="utf-8")
    with pytest.raises(CrmlabError, match=r"refunds.*row 2 \(amount '\(3\)'\), row 4 \(amount '-1'\)"):
        clean_transactions(path, customer_col="id", date_col="day", amount_col="amt", refunds="error")


def test_pseudonymised_clean_file_holds_no_raw_id_and_keeps_customers_apart(tmp_path):
    path = tmp_path / "e.csv"
    truth = _write_messy_csv(path, seed=5)
    key = b"k" * 32
    plain = clean_transactions(path, customer_col="客户编号", date_col="交易日期", amount_col="金额")
    hidden = clean_transactions(path, customer_col="客户编号", date_col="交易日期", amount_col="金额", key=key)
    renamed = plain.transactions.assign(customer_id=pseudonymize(plain.transactions["customer_id"], key))
    renamed["customer_id"] = renamed["customer_id"].astype("str")
    renamed = renamed.sort_values(["customer_id", "date"], ignore_index=True)
    pd.testing.assert_frame_equal(hidden.transactions, renamed)  # same rows, ids replaced one-to-one
    assert hidden.transactions["customer_id"].nunique() == plain.transactions["customer_id"].nunique()
    out = write_clean(hidden, tmp_path / "clean.parquet")
    blob = out.read_bytes()
    assert not any(t[0].encode() in blob for t in truth if not isinstance(t, str))
    back = load_transactions(out)
    pd.testing.assert_frame_equal(back.transactions, hidden.transactions)
    pd.testing.assert_frame_equal(back.quality, hidden.quality)
    assert back.pseudonymized


# --- the analysis -----------------------------------------------------------------------------------------
def test_customer_value_table_matches_a_groupby_and_skips_models_without_repeat_buyers():
    raw = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c"],
                        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-10", "2024-01-05",
                                                "2024-01-05", "2024-03-01"]),
                        "amount": [10.0, 20.0, 5.0, 1.0, 2.0, 4.0]})
    cv = customer_value(raw, min_repeat_buyers=5, gross_margin=0.5, cost_per_purchase=1.0)
    t = cv.customers.set_index("customer_id")
    assert t["frequency"].to_dict() == {"a": 2, "b": 1, "c": 2}
    assert t["monetary"].to_dict() == {"a": 30.0, "b": 5.0, "c": 7.0}
    assert t["recency"].to_dict() == {"a": 29.0, "b": 51.0, "c": 0.0}  # days to 2024-03-01
    assert t["profit"].to_dict() == {"a": 13.0, "b": 1.5, "c": 1.5}
    assert t["abc_class"]["a"] == "A" and cv.bgnbd is None and t["clv"].isna().all()
    assert "min_repeat_buyers=5" in cv.model_note
    with pytest.raises(ValueError, match="gross_margin"):
        customer_value(raw, gross_margin=0.0)


def test_customer_value_fits_models_on_a_synthetic_world_near_the_planted_truth():
    """Planted truth of crmlab.worlds 'transactions': BG/NBD and Gamma-Gamma parameters."""
    import crmlab

    world = crmlab.worlds.make("transactions", seed=7, n_customers=3000)
    log = world.tables["transactions"]
    newcomer = pd.DataFrame({"customer_id": [999_999], "date": [log["date"].max()], "amount": [10.0]})
    cv = customer_value(pd.concat([log, newcomer.astype(log.dtypes.to_dict())], ignore_index=True))
    assert cv.bgnbd is not None and cv.gamma_gamma is not None
    last = cv.customers.set_index("customer_id").loc["999999"]
    assert np.isnan(last["clv"]) and "1 customer(s) first bought on the last day" in cv.model_note
    truth = world.truth["bgnbd"]
    assert abs(cv.bgnbd.params_["r"] / cv.bgnbd.params_["alpha"] - truth["r"] / truth["alpha"]) < 0.05
    others = cv.customers[cv.customers["customer_id"] != "999999"]
    assert (others["clv"] >= 0).all() and others["p_alive"].between(0, 1).all()


# --- the command ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """One end-to-end run of the command with --pseudonymize on a messy CSV (runs the notebook once)."""
    import contextlib
    import io

    tmp = tmp_path_factory.mktemp("analyze")
    import crmlab

    # seed 2: a sample whose Gamma-Gamma likelihood peaks at a finite p, so the report has CLV columns
    log = crmlab.worlds.make("transactions", seed=2, n_customers=200).tables["transactions"]
    raw_ids = [f"VIP-{i:04d}-张" for i in range(1, 201)]
    lines = ["会员,日期,金额"] + [f'{raw_ids[c - 1]},{d:%Y/%m/%d},"¥{a:,.2f}"'
                                   for c, d, a in zip(log["customer_id"], log["date"], log["amount"])]
    lines += [" ,2024/02/01,¥5", f"{raw_ids[0]},2024/02/30,¥5", f"{raw_ids[1]},2030/01/01,¥5"]
    n_log = len(log)
    src = tmp / "export.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "out"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main([str(src), "--customer", "会员", "--date", "日期", "--amount", "金额", "--out", str(out),
                   "--pseudonymize", "--observation-end", "2025-12-28", "--cost-per-purchase", "20"])
    return {"rc": rc, "out": out, "stdout": buf.getvalue(), "raw_ids": raw_ids, "src": src, "n_log": n_log}


def test_command_writes_report_customers_and_quality(analysed):
    out = analysed["out"]
    assert analysed["rc"] == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64") >= 3  # segments, Pareto and whale, CLV holdout figures
    assert "Customer value report" in html and "<pre" not in html and "BEGIN SOLUTION" not in html
    assert (out / "customers.csv").read_bytes()[:3] == b"\xef\xbb\xbf"  # Excel reads Chinese text right
    assert not (out / "customer_value.ipynb").exists()  # the teaching notebook only with --notebook
    customers = pd.read_csv(out / "customers.csv")
    assert list(customers.columns) == ["customer_id", "recency", "frequency", "monetary", "R", "F", "M",
                                       "rfm_segment", "abc_class", "profit", "p_alive", "expected_purchases", "clv"]
    assert len(customers) == 200 and customers["clv"].notna().all()
    q = pd.read_csv(out / "data_quality.csv").set_index("item")["rows"]
    n = analysed["n_log"]
    assert (q["rows_read"], q["blank_id"], q["unparsable_date"], q["out_of_period"], q["rows_used"]) == \
        (n + 3, 1, 1, 1, n)


def test_command_pseudonymises_every_output_and_prints_the_key_once(analysed):
    out, stdout = analysed["out"], analysed["stdout"]
    keys = re.findall(r"\b[0-9a-f]{64}\b", stdout)
    assert len(keys) == 1
    for f in out.iterdir():
        blob = f.read_bytes()
        assert not any(r.encode() in blob for r in analysed["raw_ids"]), f.name
        assert keys[0].encode() not in blob, f.name
    customers = pd.read_csv(out / "customers.csv")
    expected = sorted("c_" + hmac.new(bytes.fromhex(keys[0]), r.encode(), hashlib.sha256).hexdigest()[:20]
                      for r in analysed["raw_ids"])
    assert sorted(customers["customer_id"]) == expected


def test_command_refuses_to_overwrite_without_force(analysed, capsys):
    rc = main([str(analysed["src"]), "--customer", "会员", "--date", "日期", "--amount", "金额",
               "--out", str(analysed["out"])])
    err = capsys.readouterr().err
    assert rc == 2 and "exists" in err and "--force" in err and err.count("\n") == 1


@pytest.mark.parametrize("setup, args, message", [
    (None, ["missing.csv"], "file not found"),
    ("id,day,amt\nA,2024-01-01,5\n", ["f.csv", "--customer", "客户"],
     r"customer column '客户' is not a column of f.csv.*'id', 'day', 'amt'"),
    ("not a parquet file", ["f.parquet"], "cannot read f.parquet as parquet"),
    ("x", ["f.xls"], r"\.xls workbooks are not supported"),
    ("x", ["f.json"], "unknown file type .json"),
    ("id,day,amt\nA,03/04/2024,5\n", ["f.csv"], "ambiguous.*date_format"),
    ("id,day,amt\nA,2024-01-01,5\n", ["f.csv", "--observation-end", "soon"], "observation_end"),
    ("id,day,amt\nA,2024-01-01,-5\n", ["f.csv", "--refunds", "error"], r"refunds.*row 1 \(amount '-5'\)"),
])
def test_command_user_mistakes_are_one_line_exit_2(tmp_path, monkeypatch, capsys, setup, args, message):
    monkeypatch.chdir(tmp_path)
    if setup is not None:
        (tmp_path / args[0]).write_text(setup, encoding="utf-8")
    base = {"--customer": "id", "--date": "day", "--amount": "amt", "--out": "out"}
    given = dict(zip(args[1::2], args[2::2]))
    argv = [args[0]] + [x for k, v in {**base, **given}.items() for x in (k, v)]
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and re.search(message, err), err
    assert not (tmp_path / "out" / "report.html").exists()


def test_csv_encodings_bom_and_gb18030(tmp_path):
    """A UTF-8 file with a byte-order mark and a GB18030 file (common Chinese Excel exports)."""
    text = "客户,日期,金额\n张三,2024-01-02,¥10\n李四,2024-01-03,¥20\n"
    bom, gbk = tmp_path / "bom.csv", tmp_path / "gbk.csv"
    bom.write_bytes(text.encode("utf-8-sig"))
    gbk.write_bytes(text.encode("gb18030"))
    cols = dict(customer_col="客户", date_col="日期", amount_col="金额")
    assert clean_transactions(bom, **cols).transactions["customer_id"].tolist() == ["张三", "李四"]
    with pytest.raises(CrmlabError, match="not utf-8 text; pass --encoding"):
        clean_transactions(gbk, **cols)
    res = clean_transactions(gbk, encoding="gb18030", **cols)
    assert res.transactions["amount"].tolist() == [10.0, 20.0]
    assert res.transactions["customer_id"].tolist() == ["张三", "李四"]


def test_parquet_with_typed_columns(tmp_path):
    """Integer ids, timestamps with a time of day (and a missing one) and float amounts pass without text parsing."""
    frame = pd.DataFrame({"cust": [7, 7, 8, 9], "ts": pd.to_datetime(["2024-05-01 09:30", "2024-05-01 18:00",
                                                                      "2024-05-03 12:00", None]),
                          "amt": [10.0, 2.5, np.nan, 4.0]})
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    res = clean_transactions(path, customer_col="cust", date_col="ts", amount_col="amt")
    assert _frame_days(res) == {("7", dt.date(2024, 5, 1)): (12.5, 2)}
    q = res.quality.set_index("item")["rows"]
    assert (q["unparsable_date"], q["unparsable_amount"], q["rows_used"]) == (1, 1, 2)
    assert res.date_format is None


def test_add_subparser_registers_analyze_for_the_crmlab_command():
    import argparse

    parser = argparse.ArgumentParser(prog="crmlab")
    cli.add_analyze(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["analyze", "f.csv", "--customer", "c", "--date", "d", "--amount", "a", "--out", "o",
                              "--refunds", "drop", "--pseudonymize"])
    assert args.func is cli.cmd_analyze and args.refunds == "drop" and args.pseudonymize
    with pytest.raises(SystemExit):
        parser.parse_args(["analyze", "f.csv", "--customer", "c", "--date", "d", "--amount", "a", "--out", "o",
                           "--refunds", "keep"])


# --- the layers -------------------------------------------------------------------------------------------
_LAYERS = ["crmlab.analyze"] + [f"crmlab.analyze.{m.name}" for m in pkgutil.iter_modules(analyze.__path__)]


def test_every_layer_is_listed_in_the_package_docstring():
    assert len(_LAYERS) >= 6
    assert [m for m in _LAYERS[1:] if f":mod:`~{m}`" not in analyze.__doc__] == []


@pytest.mark.parametrize("module", _LAYERS)
def test_each_layer_imports_alone_without_the_cli(module):
    """A fresh interpreter imports the layer on its own (no import cycle) and never loads crmlab.cli."""
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print('crmlab.cli' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
