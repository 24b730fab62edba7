"""Tests for crmlab.rfm: summaries checked against a brute-force per-customer loop of lifetimes' definitions."""
from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.rfm import RuleTableWarning, default_segment_rules, rfm_scores, rfm_segments, rfm_summary, rfm_table


def random_log(seed: int, n: int = 400, n_customers: int = 40) -> pd.DataFrame:
    """A small messy log: string ids, times of day, same-day repeats, zero amounts, unsorted rows."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-03-01")
    days = rng.integers(0, 120, n)
    hours = rng.integers(0, 24, n)
    dates = start + pd.to_timedelta(days, unit="D") + pd.to_timedelta(hours, unit="h")
    amounts = np.round(rng.gamma(2.0, 15.0, n), 2)
    amounts[rng.random(n) < 0.05] = 0.0
    return pd.DataFrame({"customer_id": [f"c{i:03d}" for i in rng.integers(0, n_customers, n)],
                         "date": dates, "amount": amounts})


def brute_force(log: pd.DataFrame, end=None, unit: float = 1.0) -> tuple[dict, dict]:
    """lifetimes' summary and the segmentation view, by a plain Python loop over customers and rows."""
    end_day = (pd.Timestamp(end) if end is not None else log["date"].max()).normalize()
    per_customer: dict = {}
    for cust, date, amount in zip(log["customer_id"], log["date"], log["amount"]):
        day = pd.Timestamp(date).normalize()
        if day > end_day:
            continue
        days = per_customer.setdefault(cust, {})
        days[day] = days.get(day, 0.0) + amount
    model, segm = {}, {}
    for cust, days in per_customer.items():
        ordered = sorted(days)
        first, last = ordered[0], ordered[-1]
        repeat = [days[d] for d in ordered[1:]]
        model[cust] = (len(ordered) - 1, (last - first).days / unit, (end_day - first).days / unit,
                       sum(repeat) / len(repeat) if repeat else 0.0)
        segm[cust] = ((end_day - last).days / unit, len(ordered), sum(days.values()))
    return model, segm


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("end", [None, "2023-05-15"])
@pytest.mark.parametrize("time_unit,unit", [("D", 1.0), ("W", 7.0)])
def test_rfm_summary_matches_brute_force_lifetimes_definitions(seed, end, time_unit, unit):
    log = random_log(seed)
    got = rfm_summary(log, observation_end=end, time_unit=time_unit)
    model, _ = brute_force(log, end, unit)
    assert sorted(model) == got.index.tolist()
    expected = pd.DataFrame.from_dict(model, orient="index", columns=["frequency", "recency", "T", "monetary_value"],
                                      dtype=float)
    pd.testing.assert_frame_equal(got, expected.loc[got.index], check_names=False, rtol=1e-12)
    assert got.index.name == "customer_id"


@pytest.mark.parametrize("seed", [3, 4])
def test_rfm_table_matches_brute_force_segmentation_view(seed):
    log = random_log(seed)
    got = rfm_table(log, observation_end="2023-06-01")
    _, segm = brute_force(log, "2023-06-01")
    expected = pd.DataFrame.from_dict(segm, orient="index", columns=["recency", "frequency", "monetary"])
    pd.testing.assert_frame_equal(got, expected.loc[got.index], check_names=False, check_dtype=False, rtol=1e-12)
    # the two conventions are tied: time since last purchase = T - (first-to-last recency)
    summary = rfm_summary(log, observation_end="2023-06-01")
    np.testing.assert_allclose(got["recency"], summary["T"] - summary["recency"])
    np.testing.assert_array_equal(got["frequency"], summary["frequency"] + 1)


def test_rfm_summary_hand_computed_example():
    """Customer a: 1 Jan (10 + 5 merged), 11 Jan (20), 15 Jan (40, then 99 on 20 Jan after the end)."""
    log = pd.DataFrame({
        "cust": ["a", "a", "a", "a", "b", "a"],
        "when": ["2024-01-01 09:00", "2024-01-01 18:30", "2024-01-11 00:00", "2024-01-15 12:00", "2024-01-08 08:00",
                 "2024-01-20 10:00"],
        "spend": [10.0, 5.0, 20.0, 40.0, 7.0, 99.0],
    })
    got = rfm_summary(log, customer_col="cust", date_col="when", amount_col="spend", observation_end="2024-01-15")
    assert got.loc["a"].tolist() == [2.0, 14.0, 14.0, 30.0]
    assert got.loc["b"].tolist() == [0.0, 0.0, 7.0, 0.0]
    weekly = rfm_summary(log, customer_col="cust", date_col="when", amount_col="spend",
                         observation_end="2024-01-15", time_unit="W")
    assert weekly.loc["a", "recency"] == pytest.approx(2.0) and weekly.loc["b", "T"] == pytest.approx(1.0)
    no_money = rfm_summary(log, customer_col="cust", date_col="when", amount_col=None)
    assert list(no_money.columns) == ["frequency", "recency", "T"]
    assert no_money.loc["a", "frequency"] == 3.0  # the 20 Jan purchase counts once the window includes it


def test_one_customer_one_purchase():
    log = pd.DataFrame({"customer_id": [7], "date": [pd.Timestamp("2024-02-29 23:59")], "amount": [12.5]})
    assert rfm_summary(log).loc[7].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert rfm_summary(log, observation_end="2024-03-07", time_unit="W").loc[7, "T"] == 1.0
    assert rfm_table(log).loc[7].tolist() == [0.0, 1, 12.5]


def test_customers_first_seen_after_observation_end_are_absent():
    log = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-01", "2024-03-01"], "amount": [1.0, 2.0]})
    assert rfm_summary(log, observation_end="2024-02-01").index.tolist() == [1]


def test_lazy_exports_are_the_rfm_functions():
    assert crmlab.rfm_summary is rfm_summary and crmlab.rfm_scores is rfm_scores
    assert crmlab.rfm_segments is rfm_segments


@pytest.mark.parametrize("mutate,exc,match", [
    (lambda d: d.to_dict(), TypeError, "transactions"),
    (lambda d: d.drop(columns="date"), ValueError, "date_col='date'"),
    (lambda d: d.iloc[:0], ValueError, "transactions is empty"),
    (lambda d: d.assign(date=["2024-01-01", "not a date", "2024-01-03"]), ValueError, "date"),
    (lambda d: d.assign(customer_id=[1, None, 3]), ValueError, "customer_id.*missing customer id"),
    (lambda d: d.assign(amount=["1", "2", "3"]), TypeError, "amount.*numeric"),
    (lambda d: d.assign(amount=[1.0, np.nan, 3.0]), ValueError, "amount.*missing"),
    (lambda d: d.assign(amount=[1.0, -2.0, 3.0]), ValueError, "amount.*negative.*refunds"),
])
def test_bad_transaction_logs_are_refused_naming_the_column(mutate, exc, match):
    log = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2024-01-01", "2024-01-02", "2024-01-03"],
                        "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(exc, match=match):
        rfm_summary(mutate(log))


def test_bad_arguments_are_refused_naming_the_argument():
    log = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-05", "2024-01-09"], "amount": [1.0, 2.0]})
    with pytest.raises(ValueError, match="observation_end.*before the first transaction"):
        rfm_summary(log, observation_end="2023-12-31")
    with pytest.raises(ValueError, match="observation_end"):
        rfm_summary(log, observation_end="soon")
    with pytest.raises(ValueError, match="time_unit"):
        rfm_summary(log, time_unit="M")
    with pytest.raises(ValueError, match="customer_col='cust'"):
        rfm_table(log, customer_col="cust")


def brute_force_scores(values, bins: int, higher_is_better: bool = True) -> list[int]:
    """The documented rule by a plain loop: count the other customers strictly worse and strictly better."""
    out = []
    for v in values:
        below = sum((w < v) if higher_is_better else (w > v) for w in values)
        above = sum((w > v) if higher_is_better else (w < v) for w in values)
        if below + above == 0:
            out.append(bins // 2 + 1)
        else:
            out.append(min(int(Fraction(bins * below, below + above)), bins - 1) + 1)
    return out


def test_scores_match_a_loop_over_worse_and_better_others_and_never_split_ties():
    """Independent references: a brute-force loop counting worse/better customers (heavy ties: half the
    customers bought once, recency in whole days) and, for untied monetary values, pandas qcut on ranks."""
    rng = np.random.default_rng(5)
    n = 1000  # a multiple of 5, so qcut's quantile edges and equal-count bins coincide exactly
    table = pd.DataFrame({"recency": rng.integers(0, 50, n).astype(float),
                          "frequency": np.where(rng.random(n) < 0.5, 1, rng.integers(2, 20, n)),
                          "monetary": rng.gamma(2.0, 50.0, n)})
    s = rfm_scores(table)
    for col, score, higher in (("frequency", "F", True), ("monetary", "M", True), ("recency", "R", False)):
        assert s[score].tolist() == brute_force_scores(table[col].tolist(), 5, higher)
        assert (s.groupby(col)[score].nunique() == 1).all()  # equal customers, equal scores
    ref = pd.qcut(table["monetary"].rank(method="first"), 5, labels=False) + 1
    np.testing.assert_array_equal(s["M"].to_numpy(), ref.to_numpy())
    # the extremes are anchored: one-time buyers F=1, the most recent R=5, the least recent R=1
    assert (s.loc[table["frequency"] == 1, "F"] == 1).all()
    assert (s.loc[table["recency"] == table["recency"].min(), "R"] == 5).all()
    assert (s.loc[table["recency"] == table["recency"].max(), "R"] == 1).all()
    # across distinct values, higher frequency never scores lower and more recent never scores lower
    f = s.groupby("frequency")["F"].first()
    assert (np.diff(f.to_numpy()) >= 0).all()
    r = s.groupby("recency")["R"].first()
    assert (np.diff(r.to_numpy()) <= 0).all()
    assert (s["RFM"] == s["R"].astype(str) + s["F"].astype(str) + s["M"].astype(str)).all()


@pytest.mark.parametrize("n", [2, 3, 7, 11, 24, 101])
@pytest.mark.parametrize("bins", [2, 4, 5, 9])
def test_untied_scores_are_equal_count_bins(n, bins):
    """Distinct values: every level is used as evenly as possible (sizes differ by at most one), checked by
    counting; and the scores are those of the brute-force loop."""
    values = np.random.default_rng(n * bins).permutation(n).astype(float)
    s = rfm_scores(pd.DataFrame({"recency": values, "frequency": values, "monetary": values}), bins=bins)
    assert s["M"].tolist() == brute_force_scores(values.tolist(), bins)
    sizes = s["M"].value_counts().reindex(range(1, bins + 1), fill_value=0)
    if n >= bins:
        assert sizes.max() - sizes.min() <= 1
    else:
        assert sizes.max() == 1


def test_identical_customers_and_small_bases_get_the_middle_score():
    """Issue 20: 100 identical customers came out Champions 20, Loyal 20, Need attention 20, Hibernating 40, and a
    lone customer who bought on the last day was Hibernating. Nobody to compare with means the middle score."""
    same = pd.DataFrame({"recency": [3.0] * 100, "frequency": [2] * 100, "monetary": [50.0] * 100},
                        index=pd.Index([f"c{i}" for i in range(100)], name="customer_id"))
    s = rfm_scores(same)
    assert set(s["RFM"]) == {"333"}
    assert rfm_segments(s).labels.astype(str).tolist() == ["Need attention"] * 100
    assert set(rfm_scores(same, bins=4)["RFM"]) == {"333"} and set(rfm_scores(same, bins=2)["RFM"]) == {"222"}
    lone = rfm_scores(pd.DataFrame({"recency": [0.0], "frequency": [1], "monetary": [25.0]}))
    assert lone["RFM"].tolist() == ["333"]
    # two customers: the better one gets the top score on each measure, the other the bottom one
    pair = rfm_scores(pd.DataFrame({"recency": [0.0, 9.0], "frequency": [3, 1], "monetary": [90.0, 10.0]}))
    assert pair["RFM"].tolist() == ["555", "111"]
    # row order never matters (ties used to be broken by it)
    table = rfm_table(random_log(11))
    shuffled = table.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(rfm_scores(shuffled).loc[table.index], rfm_scores(table))


def test_scores_refuse_model_convention_table_and_bad_bins():
    log = random_log(0)
    with pytest.raises(ValueError, match="rfm_table"):
        rfm_scores(rfm_summary(log))
    with pytest.raises(ValueError, match="bins"):
        rfm_scores(rfm_table(log), bins=1)
    with pytest.raises(ValueError, match="frequency_col='freq'"):
        rfm_scores(rfm_table(log), frequency_col="freq")


def brute_force_segments(scores: pd.DataFrame, rules: pd.DataFrame, other: str = "Other") -> list[str]:
    out = []
    for r, f, m in zip(scores["R"], scores["F"], scores["M"]):
        name = other
        for rule in rules.to_dict("records"):
            ok = all((pd.isna(rule.get(f"{k}_min")) or v >= rule[f"{k}_min"])
                     and (pd.isna(rule.get(f"{k}_max")) or v <= rule[f"{k}_max"]) for k, v in zip("rfm", (r, f, m)))
            if ok:
                name = rule["segment"]
                break
        out.append(name)
    return out


def test_default_segments_partition_the_grid_and_match_first_rule_loop():
    scores = rfm_scores(rfm_table(random_log(6, n=3000, n_customers=600)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = rfm_segments(scores)
    assert res.other_share == 0.0
    assert res.labels.tolist() == brute_force_segments(scores, default_segment_rules())
    assert res.summary["customers"].sum() == len(scores)
    assert res.summary.loc["Other", "customers"] == 0
    assert (res.cells["segment"] != "Other").all() and len(res.cells) == 125
    champions = res.summary.loc["Champions"]
    hibernating = res.summary.loc["Hibernating"]
    assert champions["recency"] < hibernating["recency"] and champions["frequency"] > hibernating["frequency"]


def test_user_rules_warn_on_overlap_and_dead_rules_and_report_other_share():
    scores = rfm_scores(rfm_table(random_log(7, n=2000, n_customers=400)))
    rules = pd.DataFrame([
        {"segment": "Top", "r_min": 4, "f_min": 4},
        {"segment": "Recent", "r_min": 4},                     # overlaps Top
        {"segment": "Shadowed", "r_min": 5, "f_min": 5},       # fully inside Top: can never match
        {"segment": "Empty", "m_min": 4, "m_max": 2},          # empty range
        {"segment": "Lapsed", "r_max": 1},
    ])
    with pytest.warns(RuleTableWarning) as rec:
        res = rfm_segments(scores, rules)
    messages = [str(w.message) for w in rec]
    assert any("'Recent' overlaps" in m and "'Top'" in m for m in messages)
    assert any("'Shadowed' can never match" in m for m in messages)
    assert any("'Empty' can never match" in m for m in messages)
    assert len(messages) == 3
    expected = brute_force_segments(scores, rules)
    assert res.labels.tolist() == expected
    assert res.other_share == pytest.approx(np.mean([e == "Other" for e in expected]))
    assert 0.0 < res.other_share < 1.0
    assert res.summary.loc["Shadowed", "customers"] == 0


def test_segment_rules_are_validated():
    scores = rfm_scores(rfm_table(random_log(8)))
    with pytest.raises(ValueError, match="duplicate segment"):
        rfm_segments(scores, [{"segment": "A"}, {"segment": "A"}])
    with pytest.raises(ValueError, match="other='Other'"):
        rfm_segments(scores, [{"segment": "Other"}])
    with pytest.raises(TypeError, match="rules"):
        rfm_segments(scores, "Champions")
    with pytest.raises(ValueError, match="r_min"):
        rfm_segments(scores, [{"segment": "A", "r_min": 2.5}])
    with pytest.raises(ValueError, match="bins=5"):
        rfm_segments(rfm_scores(rfm_table(random_log(8)), bins=3), bins=3)
    with pytest.raises(ValueError, match="'R' of scores"):
        rfm_segments(rfm_scores(rfm_table(random_log(8)), bins=5), [{"segment": "A"}], bins=3)


def test_id_and_date_dtypes_do_not_change_the_summary():
    """Categorical ids, object ids and tz-aware timestamps give the same table as the plain log."""
    log = random_log(9)
    plain = rfm_summary(log)
    as_category = rfm_summary(log.assign(customer_id=log["customer_id"].astype("category")))
    np.testing.assert_array_equal(as_category.to_numpy(), plain.to_numpy())
    assert list(map(str, as_category.index)) == list(plain.index)
    as_object = rfm_summary(log.assign(customer_id=log["customer_id"].astype(object)))
    pd.testing.assert_frame_equal(as_object, plain, check_index_type=False)
    aware = rfm_summary(log.assign(date=log["date"].dt.tz_localize("Asia/Shanghai")))
    np.testing.assert_array_equal(aware.to_numpy(), plain.to_numpy())


def test_a_worlds_own_time_unit_is_accepted_and_means_the_same_as_its_code():
    # The transactions world says truth["time_unit"] == "weeks"; rfm_summary used to refuse it.
    world = crmlab.worlds.make("transactions", seed=3, n_customers=300)
    assert world.truth["time_unit"] == "weeks"
    log, end = world.tables["transactions"], world.truth["observation_end"]
    weekly = rfm_summary(log, observation_end=end, time_unit="W")
    daily = rfm_summary(log, observation_end=end, time_unit="D")
    assert (weekly["T"] != daily["T"]).any()  # the unit matters, so equality below is not vacuous
    pd.testing.assert_frame_equal(rfm_summary(log, observation_end=end, time_unit=world.truth["time_unit"]),
                                  weekly, check_exact=True)
    for word, code in [("week", "W"), ("Weeks", "W"), ("day", "D"), ("days", "D")]:
        pd.testing.assert_frame_equal(rfm_summary(log, observation_end=end, time_unit=word),
                                      rfm_summary(log, observation_end=end, time_unit=code), check_exact=True)
        pd.testing.assert_frame_equal(rfm_table(log, observation_end=end, time_unit=word),
                                      rfm_table(log, observation_end=end, time_unit=code), check_exact=True)


@pytest.mark.parametrize("func", [rfm_summary, rfm_table])
@pytest.mark.parametrize("bad", ["fortnight", "months", "M", "w", ""])
def test_an_unknown_time_unit_is_refused_listing_what_is_accepted(func, bad):
    log = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-05", "2024-01-09"], "amount": [1.0, 2.0]})
    with pytest.raises(ValueError) as info:
        func(log, time_unit=bad)
    message = str(info.value)
    assert message.startswith("time_unit must be one of 'D', 'W'")
    assert all(f"'{w}'" in message for w in ("day", "days", "week", "weeks"))
    assert message.endswith(f"got {bad!r}")
    with pytest.raises(TypeError, match="time_unit must be a string"):
        func(log, time_unit=7)


def test_duplicate_column_names_are_refused_by_name():
    """Issue 20: a log with two 'amount' columns raised "AttributeError: 'DataFrame' object has no attribute
    'dtype'" from deep in pandas; it must be refused at the door, naming the column and the argument."""
    log = random_log(12)
    doubled = pd.concat([log, log[["amount"]]], axis=1)
    assert list(doubled.columns).count("amount") == 2
    for fn in (rfm_summary, rfm_table):
        with pytest.raises(ValueError, match=r"transactions has 2 columns named 'amount' \(amount_col\)"):
            fn(doubled)
    twice_dated = pd.concat([log, log[["date"]]], axis=1)
    with pytest.raises(ValueError, match=r"2 columns named 'date' \(date_col\)"):
        rfm_summary(twice_dated)
    table = rfm_table(log)
    with pytest.raises(ValueError, match=r"table has 2 columns named 'recency' \(recency_col\)"):
        rfm_scores(pd.concat([table, table[["recency"]]], axis=1))
    scores = rfm_scores(table)
    with pytest.raises(ValueError, match=r"scores has 2 columns named 'F'"):
        rfm_segments(pd.concat([scores, scores[["F"]]], axis=1))
    # an unrelated duplicated column is not the functions' business: the summary is unchanged
    extra = pd.concat([log, log[["amount"]].rename(columns={"amount": "note"}),
                       log[["amount"]].rename(columns={"amount": "note"})], axis=1)
    pd.testing.assert_frame_equal(rfm_summary(extra), rfm_summary(log))
