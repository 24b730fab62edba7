"""The world framework: determinism, schemas, knob validation and file output, for every world.

Determinism is checked against itself across runs (same seed → same fingerprint and the same CSV bytes;
another seed → different tables); schemas against each world's own data dictionary.
"""
import hashlib

import numpy as np
import pandas as pd
import pytest

from crmlab.errors import UnknownCaseError
from crmlab.worlds import DEFAULT_SEED, available, make, spec
from crmlab.worlds.io import world_files, write_world
from crmlab.worlds.snapshot import snapshot_knobs

WORLDS = available()


def _small(case_id, seed=DEFAULT_SEED):
    return make(case_id, seed=seed, **snapshot_knobs(case_id))


def _digests(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_the_library_worlds_and_every_case_folders_world_are_registered():
    """The library's own worlds, and one world per case folder with a world.py, registered under the
    folder's id (whatever the cases of the project in use are)."""
    from crmlab._casemodules import case_ids_with
    from crmlab.worlds._registry import LIBRARY_WORLDS

    assert "transactions" in LIBRARY_WORLDS
    assert set(WORLDS) == set(LIBRARY_WORLDS) | set(case_ids_with("world"))


@pytest.mark.parametrize("case_id", WORLDS)
def test_same_seed_same_bytes_other_seed_differs(case_id, tmp_path):
    a, b, c = _small(case_id, 7), _small(case_id, 7), _small(case_id, 8)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != c.fingerprint()
    da = _digests(write_world(a, tmp_path / "a"))
    db = _digests(write_world(b, tmp_path / "b"))
    assert da == db
    dc = _digests(write_world(c, tmp_path / "c"))
    assert any(dc[t.name + ".csv"] != da[t.name + ".csv"] for t in a.spec.tables)


@pytest.mark.parametrize("case_id", WORLDS)
def test_tables_follow_the_data_dictionary(case_id):
    world = _small(case_id)
    world.check_schema()
    text = world.describe()
    for t in world.spec.tables:
        assert f"## Table `{t.name}`" in text
        for c in t.columns:
            assert f"| {c.name} |" in text


def test_check_schema_catches_a_wrong_dtype():
    world = make("transactions", n_customers=20)
    world.tables["transactions"]["amount"] = world.tables["transactions"]["amount"].astype("float32")
    with pytest.raises(AssertionError, match="amount"):
        world.check_schema()


@pytest.mark.parametrize("knobs, error, pattern", [
    ({"n_customers": 0}, ValueError, r"knob 'n_customers' of world 'transactions' must be >= 1"),
    ({"n_customers": 2.5}, TypeError, r"'n_customers'.*must be an integer"),
    ({"n_customers": True}, TypeError, r"'n_customers'.*must be an integer"),
    ({"r": -1.0}, ValueError, r"knob 'r'.*>= 0.01"),
    ({"r": float("nan")}, ValueError, r"knob 'r'.*finite"),
    ({"segment_link": 1.5}, ValueError, r"'segment_link'.*<= 1"),
    ({"gg_q": 1.0}, ValueError, r"'gg_q'.*>= 1.01"),
    ({"start_date": 20240101}, TypeError, r"'start_date'.*string"),
    ({"start_date": "the first of May"}, ValueError, r"'start_date'.*YYYY-MM-DD"),
    ({"acquisition_weeks": 60, "weeks": 52}, ValueError, r"'acquisition_weeks'.*'weeks'"),
])
def test_bad_knobs_are_refused_by_name(knobs, error, pattern):
    with pytest.raises(error, match=pattern):
        make("transactions", **knobs)


def test_unknown_knob_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"no knob 'n_customer'.*n_customers"):
        make("transactions", n_customer=10)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), ("42", TypeError),
                                         (None, TypeError), (np.random.default_rng(1), TypeError)])
def test_bad_seed_is_refused(seed, error):
    with pytest.raises(error, match="seed"):
        make("transactions", seed=seed, n_customers=10)


def test_unknown_world_lists_valid_ids():
    with pytest.raises(UnknownCaseError, match="transactions") as info:
        make("no_such_world")
    assert len(WORLDS) > 12 or all(w in str(info.value) for w in WORLDS)  # up to 12 ids are listed by name
    with pytest.raises(UnknownCaseError):
        spec(3)


def test_write_world_refuses_to_overwrite_and_names_the_file(tmp_path):
    world = make("transactions", n_customers=20)
    write_world(world, tmp_path)
    with pytest.raises(FileExistsError, match="customers.csv"):
        write_world(world, tmp_path)
    before = (tmp_path / "transactions.csv").read_bytes()
    other = make("transactions", seed=1, n_customers=20)
    write_world(other, tmp_path, overwrite=True)
    assert (tmp_path / "transactions.csv").read_bytes() != before


def test_write_world_files_and_round_trip(tmp_path):
    """CSV read back equals the tables (values), truth files hold the per-customer truth."""
    world = make("transactions", n_customers=50)
    paths = write_world(world, tmp_path)
    assert [p.name for p in paths] == world_files(world)
    assert "truth_customers.csv" in world_files(world) and "truth.json" in world_files(world)
    back = pd.read_csv(tmp_path / "transactions.csv", parse_dates=["date"])
    tx = world.tables["transactions"]
    assert np.array_equal(back["customer_id"], tx["customer_id"])
    assert np.allclose(back["amount"], tx["amount"], rtol=0, atol=1e-12)
    assert (back["date"].to_numpy() == tx["date"].to_numpy()).all()
    truth = pd.read_csv(tmp_path / "truth_customers.csv")
    assert list(truth["customer_id"]) == list(world.truth["customers"].index)
    text = (tmp_path / "data_dictionary.md").read_text(encoding="utf-8")
    assert str(tmp_path) not in text and "seed 42" in text
    assert world_files(world, include_truth=False) == ["customers.csv", "transactions.csv", "data_dictionary.md"]


def test_parquet_is_byte_identical_and_reads_back(tmp_path):
    world = make("transactions", n_customers=50)
    a = _digests(write_world(world, tmp_path / "a", fmt="parquet"))
    b = _digests(write_world(make("transactions", n_customers=50), tmp_path / "b", fmt="parquet"))
    assert a == b
    back = pd.read_parquet(tmp_path / "a" / "customers.parquet")
    pd.testing.assert_frame_equal(back, world.tables["customers"], check_dtype=False)


def test_write_world_bad_arguments(tmp_path):
    world = make("transactions", n_customers=5)
    with pytest.raises(ValueError, match="fmt"):
        write_world(world, tmp_path, fmt="xlsx")
    with pytest.raises(TypeError, match="world"):
        write_world({"a": 1}, tmp_path)
    with pytest.raises(TypeError, match="out_dir"):
        write_world(world, 3)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="out_dir"):
        write_world(world, tmp_path / "file")


def test_data_dictionary_can_leave_out_the_mechanism_and_speak_chinese():
    """A notebook shows the data dictionary before the analysis without the generating mechanism (it would give
    the answers away) and reveals ``mechanism()`` at the end; the default keeps it (the snapshot's file)."""
    from crmlab import worlds

    w = worlds.make("transactions", seed=1, n_customers=50)
    full, bare = w.describe(), w.describe(mechanism=False)
    assert w.mechanism() in full and w.mechanism() not in bare
    assert "## How it was generated" in full and "## How it was generated" not in bare
    assert "## Table `transactions`" in bare and "| customer_id |" in bare
    zh = w.describe(mechanism=False, lang="zh")
    assert "合成数据" in zh and "## 表 `transactions`" in zh and "| 列 | 类型 | 单位 | 含义 |" in zh
    with pytest.raises(ValueError, match="lang must be 'en' or 'zh'"):
        w.describe(lang="fr")


def test_chinese_descriptions_are_used_where_a_world_declares_them():
    from crmlab.worlds import Column, Knob, Table

    k = Knob("n", 3, int, "number of things", low=1, high=9, doc_zh="事物的数量")
    assert k.describe("zh") == "n（int，范围 [1, 9]，默认 3）：事物的数量"
    assert k.describe() == "n (int in [1, 9], default 3): number of things"
    assert Column("a", "int64", "doc", doc_zh="说明").doc_zh == "说明"
    assert Table("t", "doc", (), doc_zh="表").doc_zh == "表"
