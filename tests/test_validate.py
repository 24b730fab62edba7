"""The shared validation helpers: every bad input is refused with a message naming the argument."""
import numpy as np
import pandas as pd
import pytest

from crmlab import _validate as v


def test_as_generator_accepts_int_and_passes_generator_through():
    g = np.random.default_rng(3)
    assert v.as_generator(g) is g
    # the same integer seed gives the same stream: compare with numpy's own default_rng
    assert v.as_generator(7).integers(0, 10**9) == np.random.default_rng(7).integers(0, 10**9)


@pytest.mark.parametrize("bad, exc", [(1.5, TypeError), ("3", TypeError), (None, TypeError), (True, TypeError),
                                      (-1, ValueError), (np.random.RandomState(0), TypeError)])
def test_as_generator_refuses_non_seeds(bad, exc):
    with pytest.raises(exc, match="seed"):
        v.as_generator(bad)


def test_check_columns_names_the_argument_and_lists_columns():
    df = pd.DataFrame({"cust": [1], "when": ["2020-01-01"]})
    with pytest.raises(ValueError, match=r"customer_col='customer_id' is not a column of tx.*'cust'"):
        v.check_columns(df, {"customer_col": "customer_id"}, name="tx")
    v.check_columns(df, ["cust", "when"])  # present: no error


def test_check_dataframe():
    with pytest.raises(TypeError, match="transactions must be a pandas DataFrame"):
        v.check_dataframe([1, 2], name="transactions")
    with pytest.raises(ValueError, match="transactions is empty"):
        v.check_dataframe(pd.DataFrame({"a": []}), name="transactions")


def test_numbers_and_ranges():
    assert v.check_number(0.5, "rate", low=0, high=1) == 0.5
    with pytest.raises(ValueError, match=r"rate must be <= 1"):
        v.check_number(1.5, "rate", low=0, high=1)
    with pytest.raises(ValueError, match=r"discount must be > 0"):
        v.check_number(0, "discount", low=0, low_open=True)
    with pytest.raises(TypeError, match="rate must be a number"):
        v.check_number("0.1", "rate")
    with pytest.raises(ValueError, match="rate must be finite"):
        v.check_number(float("nan"), "rate")
    with pytest.raises(TypeError, match="k must be an integer"):
        v.check_int(2.0, "k")
    with pytest.raises(ValueError, match="k must be >= 2"):
        v.check_int(1, "k", low=2)
    with pytest.raises(ValueError, match="time_unit must be one of 'D', 'W'"):
        v.check_choice("M", "time_unit", ["D", "W"])


def test_fraction_cutoffs():
    assert v.check_fraction_cutoffs([0.8, 0.95]) == (0.8, 0.95)
    with pytest.raises(ValueError, match="strictly increasing"):
        v.check_fraction_cutoffs([0.95, 0.8])
    with pytest.raises(ValueError, match="between 0 and 1"):
        v.check_fraction_cutoffs([0.8, 1.0])


def test_numeric_column_refuses_text_nan_and_negatives():
    df = pd.DataFrame({"amount": [1.0, -2.0, 3.0], "txt": ["a", "b", "c"], "gap": [1.0, np.nan, 2.0]})
    with pytest.raises(TypeError, match="column 'txt' of tx must be numeric"):
        v.numeric_column(df, "txt", name="tx")
    with pytest.raises(ValueError, match=r"column 'gap' .* 1 missing"):
        v.numeric_column(df, "gap")
    with pytest.raises(ValueError, match=r"column 'amount' .* 1 negative value.*net refunds first"):
        v.numeric_column(df, "amount", allow_negative=False, negative_hint="net refunds first")
    assert v.numeric_column(df, "amount").tolist() == [1.0, -2.0, 3.0]


def test_datetime_column_parses_strings_and_names_bad_values():
    df = pd.DataFrame({"d": ["2021-01-05", "2021-02-01"], "bad": ["2021-01-05", "not a date"],
                       "num": [1, 2]})
    out = v.datetime_column(df, "d")
    assert out.iloc[1] == pd.Timestamp("2021-02-01")
    with pytest.raises(ValueError, match=r"column 'bad' .* not dates, e.g. 'not a date'"):
        v.datetime_column(df, "bad")
    with pytest.raises(TypeError, match="column 'num'"):
        v.datetime_column(df, "num")
    with pytest.raises(ValueError, match="missing date"):
        v.datetime_column(pd.DataFrame({"d": pd.to_datetime(["2021-01-01", None])}), "d")


def test_datetime_column_accepts_mixed_formats_in_one_column():
    """pandas 3 stores text as the 'str' dtype: mixed date formats must still parse value by value."""
    df = pd.DataFrame({"d": pd.Series(["2024-01-11", "2024-01-01 09:00", "2024/02/03"], dtype="str")})
    out = v.datetime_column(df, "d")
    assert list(out.dt.strftime("%Y-%m-%d %H:%M")) == ["2024-01-11 00:00", "2024-01-01 09:00", "2024-02-03 00:00"]


def test_datetime_column_bad_value_in_any_position_gives_one_clear_error_and_no_warning():
    import warnings

    df = pd.DataFrame({"d": ["not a date", "2021-01-05", "2021-02-01"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"column 'd' .* e.g. 'not a date'"):
            v.datetime_column(df, "d")
