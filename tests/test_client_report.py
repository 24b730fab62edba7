"""The client report of `crmlab analyze`: a deliverable with no code or teaching material, its figures
computed from the data (checked here against independent numpy computations and a planted world)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.analyze import clean_transactions, customer_value
from crmlab.analyze.client import client_report, holdout_check, write_csv


@pytest.fixture(scope="module")
def analysed():
    log = crmlab.worlds.make("transactions", seed=5, n_customers=1500).tables["transactions"]
    res = clean_transactions(log, customer_col="customer_id", date_col="date", amount_col="amount")
    cv = customer_value(res.transactions, observation_end=res.observation_end, gross_margin=0.5,
                        cost_per_purchase=8)
    return res, cv


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_has_no_code_exercises_or_source_citations(analysed, tmp_path, lang):
    res, cv = analysed
    page = client_report(cv, res.quality, res.transactions, tmp_path, source="export.csv", lang=lang,
                         gross_margin=0.5, cost_per_purchase=8).read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    for forbidden in ("import ", "check(", "BEGIN SOLUTION", "Questions", "思考题", "source 0", "资料", "In [",
                      ".ipynb", "crmlab.record"):
        assert forbidden not in text, forbidden
    assert "<pre" not in page and "<code" not in page and "display:none" not in page
    assert page.count("data:image/png;base64,") >= 3
    assert (f'lang="{"zh-CN" if lang == "zh" else "en"}"') in page
    if lang == "zh":
        assert "客户价值分析报告" in page and "核心客户" in page and "最值得保留的客户" in page


def test_summary_figures_match_independent_computations(analysed, tmp_path):
    """Customers, revenue and the top-20% share against numpy on the clean log; every row accounted for."""
    res, cv = analysed
    page = client_report(cv, res.quality, res.transactions, tmp_path, lang="en").read_text(encoding="utf-8")
    spend = res.transactions.groupby("customer_id")["amount"].sum().to_numpy()
    ranked = np.sort(spend)[::-1]
    top = ranked[: int(np.ceil(0.2 * len(ranked)))].sum() / ranked.sum()
    assert f"<b>{len(spend):,}</b>" in page
    assert f"<b>{100 * top:.1f}%</b>" in page
    assert f"All {res.rows_read:,} rows of the file were used." in page


def test_report_without_a_model_says_so_and_uses_quiet_segments(tmp_path):
    log = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "date": pd.to_datetime(
        ["2024-01-01", "2024-02-01", "2024-01-15", "2024-03-01"]), "amount": [10.0, 20.0, 5.0, 7.0]})
    res = clean_transactions(log, customer_col="customer_id", date_col="date", amount_col="amount")
    cv = customer_value(res.transactions, observation_end=res.observation_end)
    page = client_report(cv, res.quality, res.transactions, tmp_path).read_text(encoding="utf-8")
    assert "No lifetime-value model could be fitted" in page and "gone quiet (no model could be fitted)" in page


def test_holdout_tracks_a_world_where_the_model_is_true():
    """On a world drawn from BG/NBD itself the held-out repeat purchases are predicted within 10%."""
    world = crmlab.worlds.make("transactions", seed=11, n_customers=4000)
    log = world.tables["transactions"]
    day = log.assign(date=log["date"].dt.normalize()).groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    hold = holdout_check(day, world.truth["observation_end"])
    assert hold is not None and hold.weeks == 26
    assert abs(hold.ratio - 1) < 0.10
    assert hold.by_frequency["customers"].sum() == hold.customers


def test_holdout_needs_enough_history():
    log = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2024-01-01", "2024-03-01"]),
                        "amount": [1.0, 2.0]})
    assert holdout_check(log, "2024-03-01") is None


def test_csv_for_excel_has_a_bom_and_reads_back(tmp_path):
    frame = pd.DataFrame({"客户": ["张三", "李四"], "金额": [1.5, 2.0]})
    path = write_csv(frame, tmp_path / "c.csv")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    pd.testing.assert_frame_equal(pd.read_csv(path, encoding="utf-8-sig"), frame)
