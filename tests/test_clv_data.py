"""The shipped CDNOW sample: integrity against its manifest, the loader, and the published summary.

Independent references: the sha256 sums recorded in the lifetimes wheel's RECORD (copied into
datasets/cdnow/manifest.json), the published counts (2,357 customers, 6,919 purchases, 946 repeat buyers
in the calibration period; Fader, Hardie & Lee 2005), and a direct pandas recomputation of the summary.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import load_cdnow
from crmlab.clv.datasets import CDNOW_CALIBRATION_END
from crmlab.paths import datasets_dir

FOLDER = datasets_dir() / "cdnow"


def test_files_match_manifest_sha256_and_row_counts():
    """Every shipped file has the sha256 and row count written in manifest.json."""
    manifest = json.loads((FOLDER / "manifest.json").read_text())
    assert set(manifest["files"]) == {
        "CDNOW_sample.txt", "cdnow_customers_summary.csv", "cdnow_customers_summary_with_transactions.csv"}
    for name, entry in manifest["files"].items():
        data = (FOLDER / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        lines = data.decode().splitlines()
        assert len(lines) - (1 if name.endswith(".csv") else 0) == entry["rows"]
    assert manifest["synthetic"] is False and manifest["source"]["lifetimes_licence"] == "MIT"


def test_transactions_loader_published_counts_and_types():
    """6,919 purchases by 2,357 customers, first purchases in Q1 1997, data to 1998-06-30."""
    tx = load_cdnow("transactions")
    assert list(tx.columns) == ["master_id", "customer_id", "date", "quantity", "amount"]
    assert len(tx) == 6919
    assert tx["customer_id"].nunique() == 2357
    assert pd.api.types.is_datetime64_any_dtype(tx["date"])
    first = tx.groupby("customer_id")["date"].min()
    assert first.min() == pd.Timestamp("1997-01-01") and first.max() <= pd.Timestamp("1997-03-31")
    assert tx["date"].max() == pd.Timestamp("1998-06-30")
    # The first customer's four purchases, read from the raw file by hand.
    first_rows = tx[tx["customer_id"] == 1]
    assert first_rows["amount"].tolist() == [29.33, 29.73, 14.96, 26.48]
    assert first_rows["master_id"].unique().tolist() == [4]


def test_summary_loader_and_946_repeat_buyers():
    summary = load_cdnow("summary")
    assert summary.index.name == "customer_id"
    assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert len(summary) == 2357
    assert int((summary["frequency"] > 0).sum()) == 946
    assert ((summary["monetary_value"] > 0) == (summary["frequency"] > 0)).all()
    other = pd.read_csv(FOLDER / "cdnow_customers_summary.csv", index_col="ID")
    np.testing.assert_array_equal(other[["frequency", "recency", "T"]].to_numpy(),
                                  summary[["frequency", "recency", "T"]].to_numpy())


def test_published_summary_recomputed_from_transactions_with_pandas():
    """The published (x, t_x, T, zbar) follow from the transactions: same-day purchases merged, weeks = days/7,
    calibration to 1997-09-30, zbar = mean of the repeat purchase days; rounded to 2 decimals."""
    tx = load_cdnow("transactions")
    cal = tx[tx["date"] <= CDNOW_CALIBRATION_END].groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    by = cal.groupby("customer_id")
    first, last = by["date"].min(), by["date"].max()
    x = by.size() - 1
    repeat = cal[by.cumcount() > 0].groupby("customer_id")["amount"].mean().reindex(x.index, fill_value=0.0)
    summary = load_cdnow("summary").reindex(x.index)
    np.testing.assert_array_equal(x.to_numpy(), summary["frequency"].to_numpy())
    np.testing.assert_allclose((last - first).dt.days / 7, summary["recency"], atol=0.005 + 1e-9)
    np.testing.assert_allclose((CDNOW_CALIBRATION_END - first).dt.days / 7, summary["T"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(repeat, summary["monetary_value"], atol=0.005 + 1e-9)


def test_loader_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        load_cdnow("master")
