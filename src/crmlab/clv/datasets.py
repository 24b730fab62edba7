"""The CDNOW sample: real purchase data the buy-till-you-die models were published on.

CDNOW was an online music retailer. Fader & Hardie's sample holds the 2,357 customers (1/10th of the
23,570) who made their first purchase in the first quarter of 1997, with every purchase through
June 1998. The files in ``datasets/cdnow/`` are copied from the lifetimes package (MIT licence); the
original data are distributed by Bruce Hardie (brucehardie.com). See ``datasets/cdnow/README.md``.
"""
from __future__ import annotations

import pandas as pd

from .._validate import check_choice
from ..paths import datasets_dir

__all__ = ["load_cdnow", "CDNOW_CALIBRATION_END"]

#: End of the 39-week calibration period used by Fader, Hardie & Lee (2005).
CDNOW_CALIBRATION_END = pd.Timestamp("1997-09-30")


def load_cdnow(kind: str = "transactions") -> pd.DataFrame:
    """Load the CDNOW 2,357-customer sample.

    Parameters
    ----------
    kind : {"transactions", "summary"}
        ``"transactions"``: one row per purchase (6,919 rows) with columns ``master_id`` (customer id in the
        full 23,570-customer file), ``customer_id`` (1..2357), ``date`` (datetime64), ``quantity`` (number
        of CDs) and ``amount`` (US dollars).
        ``"summary"``: the published calibration summary (39 weeks to 1997-09-30, time in weeks), indexed
        by ``customer_id``, with ``frequency`` (repeat purchases), ``recency`` and ``T`` (weeks) and
        ``monetary_value`` (average dollar value of the repeat purchases, 0 without any).

    Returns
    -------
    pandas.DataFrame

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
       alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
    .. [2] Davidson-Pilon, C. et al., *lifetimes* (Python package), version 0.11.3, which ships the data.

    Example
    -------
    >>> summary = load_cdnow("summary")
    >>> len(summary), int((summary["frequency"] > 0).sum())
    (2357, 946)
    """
    check_choice(kind, "kind", ["transactions", "summary"])
    folder = datasets_dir() / "cdnow"
    if kind == "transactions":
        df = pd.read_csv(folder / "CDNOW_sample.txt", sep=r"\s+", header=None,
                         names=["master_id", "customer_id", "date", "quantity", "amount"],
                         dtype={"master_id": "int64", "customer_id": "int64", "date": str, "quantity": "int64",
                                "amount": "float64"})
        df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
        return df
    df = pd.read_csv(folder / "cdnow_customers_summary_with_transactions.csv")
    df.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return df.set_index("customer_id")
