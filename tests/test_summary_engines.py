"""One definition of the transaction summary, three engines: `rfm_summary` on a DataFrame (pandas), on a parquet
file or DuckDB relation (DuckDB, out of core) and on a Dask DataFrame must agree on seeded worlds - exactly
for frequency, recency and T and the customer ids, and to a relative 1e-12 for monetary_value (spend sums
added in another order)."""
from __future__ import annotations

import dask.dataframe as dd
import duckdb
import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.rfm import rfm_summary


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.index) == list(want.index) and got.index.name == want.index.name
    assert list(got.columns) == list(want.columns)
    for col in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)
    if "monetary_value" in want:
        np.testing.assert_allclose(got["monetary_value"].to_numpy(), want["monetary_value"].to_numpy(), rtol=1e-12,
                                   atol=0)


def _world_log(seed: int, n: int = 3000) -> tuple[pd.DataFrame, object]:
    w = crmlab.worlds.make("transactions", seed=seed, n_customers=n)
    return w.tables["transactions"], w.truth["observation_end"]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("unit", ["D", "W"])
def test_three_engines_agree_on_seeded_worlds(tmp_path, seed, unit):
    log, end = _world_log(seed)
    want = rfm_summary(log, observation_end=end, time_unit=unit)
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    _same(rfm_summary(str(path), observation_end=end, time_unit=unit), want)
    _same(rfm_summary(duckdb.sql(f"SELECT * FROM read_parquet('{path}')"), observation_end=end, time_unit=unit), want)
    _same(rfm_summary(dd.from_pandas(log, npartitions=5), observation_end=end, time_unit=unit), want)


def test_engines_agree_on_a_cut_window_text_ids_and_same_day_purchases(tmp_path):
    """observation_end inside the data, string ids (sorted the same way), several purchases a day, no amount."""
    log = pd.DataFrame({"cust": ["b", "a", "a", "a", "c", "b", "a", "张"],
                        "when": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-01 18:00", "2024-01-05",
                                                "2024-02-01", "2024-01-04", "2024-03-01", "2024-01-02"], format="ISO8601"),
                        "spend": [5.0, 1.0, 2.5, 4.0, 9.0, 0.5, 7.0, 3.0]})
    kw = dict(customer_col="cust", date_col="when", amount_col="spend", observation_end="2024-02-01")
    want = rfm_summary(log, **kw)
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    _same(rfm_summary(path, **kw), want)
    _same(rfm_summary(dd.from_pandas(log, npartitions=3), **kw), want)
    kw["amount_col"] = None
    want = rfm_summary(log, **kw)
    _same(rfm_summary(path, **kw), want)
    _same(rfm_summary(dd.from_pandas(log, npartitions=2), **kw), want)


def test_csv_and_a_folder_of_parquet_files(tmp_path):
    log, end = _world_log(4, 800)
    log.to_csv(tmp_path / "log.csv", index=False)
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, chunk in enumerate(np.array_split(np.arange(len(log)), 4)):
        log.iloc[chunk].to_parquet(parts / f"part-{i}.parquet")
    want = rfm_summary(log, observation_end=end)
    _same(rfm_summary(parts, observation_end=end), want)
    csv = rfm_summary(tmp_path / "log.csv", observation_end=end)
    _same(csv.set_axis(csv.index.astype(want.index.dtype)).rename_axis(want.index.name), want)


def test_engines_refuse_what_pandas_refuses(tmp_path):
    log = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                        "amount": [1.0, -2.0]})
    path = tmp_path / "neg.parquet"
    log.to_parquet(path)
    for source in (path, dd.from_pandas(log, npartitions=1)):
        with pytest.raises(ValueError, match="negative amount"):
            rfm_summary(source)
    with pytest.raises(ValueError, match="no column 'when'"):
        rfm_summary(path, date_col="when")
    text = tmp_path / "text.parquet"
    log.assign(date=["2024-01-01", "2024-01-02"], amount=[1.0, 2.0]).to_parquet(text)
    with pytest.raises(ValueError, match="not a date"):
        rfm_summary(text)
    with pytest.raises(ValueError, match="not found"):
        rfm_summary(tmp_path / "missing.parquet")
