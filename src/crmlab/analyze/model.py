"""Modelling: from the clean log to one row per customer - RFM segment, ABC class, profit, CLV.

:func:`customer_value` takes a log with columns ``customer_id``, ``date`` and ``amount`` (the
``transactions`` of a :class:`~crmlab.analyze.clean.CleanResult`, or any log of that shape) and calls
crmlab's existing methods: the RFM table, scores and segments of :mod:`crmlab.rfm`, the ABC classes of
:mod:`crmlab.concentration`, and the BG/NBD and Gamma-Gamma models of :mod:`crmlab.clv` for the
probability of being alive, the expected purchases and the CLV over a horizon. The models are fitted on
the weekly customer summary (:func:`crmlab.rfm.rfm_summary`) only when the data support them (enough
repeat buyers, four weeks of history, converged fits, a finite mean spend); otherwise the three model
columns are empty and ``model_note`` says why.

This layer neither reads nor cleans data, and writes nothing: the figures and tables of the report are
drawn by the customer-value notebook (see :mod:`crmlab.analyze.report`).

Sources: the RFM, ABC / whale and buy-till-you-die methods of :mod:`crmlab.rfm`,
:mod:`crmlab.concentration` and :mod:`crmlab.clv` (CRM Q&A compilation (source 0), lines 12–13
and 59-60; Fader, Hardie & Lee 2005); Kaplan & Cooper (1998) (whale curve).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import check_int, check_number

__all__ = ["CustomerValue", "customer_value"]


@dataclass(frozen=True)
class CustomerValue:
    """Result of :func:`customer_value`.

    ``customers``: one row per customer - ``customer_id``, ``recency`` (days since the last purchase),
    ``frequency`` (purchase days), ``monetary`` (total spend), scores ``R``/``F``/``M``, ``rfm_segment``,
    ``abc_class``, ``profit`` (gross_margin × monetary − cost_per_purchase × frequency), ``p_alive``,
    ``expected_purchases`` (over the horizon) and ``clv`` (the last three empty when the models were not
    fitted). ``segments`` (:class:`~crmlab.rfm.RFMSegments`), ``abc`` (output of
    :func:`~crmlab.concentration.abc_classify`), ``bgnbd`` / ``gamma_gamma`` (fitted models or None),
    ``model_note`` (why the models were or were not fitted), ``horizon_months``.
    """

    customers: pd.DataFrame
    segments: object
    abc: pd.DataFrame
    bgnbd: object
    gamma_gamma: object
    model_note: str
    horizon_months: int
    observation_end: pd.Timestamp


def _fit_models(summary: pd.DataFrame, min_repeat_buyers: int):
    """Fit BG/NBD and Gamma-Gamma when the data support it; return (bg, gg, note)."""
    from ..clv import BetaGeoModel, GammaGammaModel

    summary = summary[summary["T"] > 0]  # first seen on the last day: no time observed, nothing to learn
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < min_repeat_buyers:
        return None, None, (f"not fitted: {len(repeat)} customer(s) bought again with positive spend, fewer than "
                            f"min_repeat_buyers={min_repeat_buyers}; the models would mostly reflect their priors")
    if float(summary["T"].max()) < 4:
        return None, None, "not fitted: less than four weeks of history"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is read from converged_ below
        bg = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
        gg = GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])
    for name, model in (("BG/NBD", bg), ("Gamma-Gamma", gg)):
        if not model.converged_:
            return None, None, (f"not fitted: the {name} fit did not converge ({model.optimizer_message_.strip()}); "
                                f"estimates {model!r}; the data may not follow the model (e.g. no spread in "
                                "purchase rates or spend), or the optimiser stopped at its precision limit")
    if gg.params_["q"] <= 1:
        return None, None, (f"not fitted: Gamma-Gamma q={gg.params_['q']:.3g} <= 1 means an infinite mean spend; "
                            "spend is too heavy-tailed for the model")
    return bg, gg, (f"fitted on {len(summary)} customers ({len(repeat)} repeat buyers, the Gamma-Gamma sample)")


def customer_value(transactions: pd.DataFrame, *, observation_end=None, horizon_months: int = 12,
                   discount_rate: float = 0.01, min_repeat_buyers: int = 50, gross_margin: float = 1.0,
                   cost_per_purchase: float = 0.0, summary_source=None) -> CustomerValue:
    """The customer-value analysis of `crmlab analyze`: RFM segments, ABC classes, profit, BG/NBD + Gamma-Gamma CLV.

    Parameters
    ----------
    transactions : DataFrame or path
        Columns ``customer_id``, ``date``, ``amount`` (>= 0), e.g. ``clean_transactions(...).transactions``;
        or the clean parquet file of :func:`~crmlab.analyze.sqlclean.clean_parquet`, which the per-customer
        reductions read with DuckDB, out of core (the result is the same).
    observation_end : date-like, optional
        End of observation (default: last date).
    horizon_months : int
        Horizon of expected purchases and CLV, in months.
    discount_rate : float
        Monthly discount rate of the CLV.
    min_repeat_buyers : int
        Fit the models only when at least this many customers bought on two or more days.
    gross_margin : float in (0, 1]
        Share of revenue that is gross profit (1 = analyse revenue).
    cost_per_purchase : float >= 0
        Cost to serve one purchase day (orders, delivery), for the whale curve of profit.
    summary_source : optional
        What the weekly model summary (:func:`crmlab.rfm.rfm_summary`) is computed from, when not
        ``transactions`` itself: the same log as a Dask DataFrame (``crmlab analyze --scheduler``: the
        summary runs on the cluster, the models are fitted here on it) or as a parquet file (DuckDB).

    Returns
    -------
    :class:`CustomerValue`

    Example
    -------
    >>> import crmlab
    >>> log = crmlab.worlds.make("transactions", seed=1, n_customers=300).tables["transactions"]
    >>> cv = customer_value(log)
    >>> list(cv.customers.columns[:4])
    ['customer_id', 'recency', 'frequency', 'monetary']

    Source: CRM Q&A compilation (source 0), line 13 (RFM) and lines 59–60 (ABC); Kaplan & Cooper
    (1998) (whale curve); Fader, Hardie & Lee (2005) Marketing Science 24(2) and JMR 42(4) (BG/NBD,
    Gamma-Gamma, CLV).
    """
    from ..clv import customer_lifetime_value
    from ..clv.value import PERIODS_PER_MONTH
    from ..concentration import abc_classify
    from ..rfm import rfm_scores, rfm_segments, rfm_summary, rfm_table

    horizon_months = check_int(horizon_months, "horizon_months", low=1, high=120)
    discount_rate = check_number(discount_rate, "discount_rate", low=0.0, high=1.0)
    min_repeat_buyers = check_int(min_repeat_buyers, "min_repeat_buyers", low=2)
    gross_margin = check_number(gross_margin, "gross_margin", low=0.0, high=1.0, low_open=True)
    cost_per_purchase = check_number(cost_per_purchase, "cost_per_purchase", low=0.0)
    cols = dict(customer_col="customer_id", date_col="date", amount_col="amount", observation_end=observation_end)
    table = rfm_table(transactions, **cols)
    scores = rfm_scores(table)
    segments = rfm_segments(scores)
    abc = abc_classify(table["monetary"])
    summary = rfm_summary(transactions if summary_source is None else summary_source, time_unit="W", **cols)
    if summary_source is not None:  # another engine must summarise the same customers, in the same order
        if not np.array_equal(summary.index.to_numpy(dtype=object), table.index.to_numpy(dtype=object)):
            raise ValueError("summary_source does not hold the same customers as transactions")
        summary.index = table.index  # the engines may type text ids differently (object, str, pyarrow string)
    bg, gg, note = _fit_models(summary, min_repeat_buyers)
    out = pd.DataFrame({
        "customer_id": table.index.astype(str),
        "recency": table["recency"].to_numpy(),
        "frequency": table["frequency"].to_numpy(),
        "monetary": table["monetary"].round(2).to_numpy(),
        "R": scores["R"].to_numpy(), "F": scores["F"].to_numpy(), "M": scores["M"].to_numpy(),
        "rfm_segment": segments.labels.astype(str).to_numpy(),
        "abc_class": abc["class"].reindex(table.index).astype(str).to_numpy(),
        "profit": (gross_margin * table["monetary"] - cost_per_purchase * table["frequency"]).round(2).to_numpy(),
    })
    nan = np.full(len(out), np.nan)
    p_alive, expected, clv = nan, nan, nan
    if bg is not None:
        seen = summary["T"].to_numpy() > 0
        x, tx, age, spend = (summary[c].to_numpy()[seen] for c in ("frequency", "recency", "T", "monetary_value"))
        p_alive, expected, clv = nan.copy(), nan.copy(), nan.copy()
        p_alive[seen] = bg.probability_alive(x, tx, age)
        expected[seen] = bg.conditional_expected_purchases(horizon_months * PERIODS_PER_MONTH["W"], x, tx, age)
        clv[seen] = gross_margin * customer_lifetime_value(bg, gg, x, tx, age, spend, horizon=horizon_months,
                                                           discount_rate=discount_rate, freq="W")
        if not seen.all():
            note += (f"; {int((~seen).sum())} customer(s) first bought on the last day (no time observed) "
                     "get no prediction")
    out["p_alive"] = np.round(p_alive, 4)
    out["expected_purchases"] = np.round(expected, 4)
    out["clv"] = np.round(clv, 2)
    from .logs import date_range

    end = date_range(transactions)[1] if observation_end in (None, "") else pd.Timestamp(observation_end)
    return CustomerValue(customers=out, segments=segments, abc=abc, bgnbd=bg, gamma_gamma=gg, model_note=note,
                         horizon_months=horizon_months, observation_end=end.normalize())
