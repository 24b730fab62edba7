"""A generic retail transaction log from a BG/NBD purchase process with Gamma-Gamma spend.

This is the world the method notebooks (RFM, CLV, buy-till-you-die models, segmentation) and other
worlds reuse. Its planted truth is exactly the population the models assume: purchase rates
lambda ~ Gamma(r, alpha) per week, dropout probabilities p ~ Beta(a, b), spend per transaction
z ~ Gamma(p_gg, nu) with nu ~ Gamma(q, gamma). Customers also belong to latent segments declared in a
readable table (shares and the means/spreads of age, income, channel and e-mail opt-in), in the style of
"Python for Marketing Research and Analytics" ch. 5, so segmentation exercises can be checked against it.

The BG/NBD process is Fader, Hardie & Lee's (2005); the default Gamma-Gamma parameters are Fader &
Hardie's (2013) CDNOW estimates (p = 6.25, q = 3.74, gamma = 15.44; public record); the declarative
segment simulation follows Schwarz, Chapman & Feit (2020). All data are synthetic.

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting your customers the easy way: an
   alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284.
.. [2] Fader, P. S. & Hardie, B. G. S. (2013), "The Gamma-Gamma model of monetary value" (note).
.. [3] Schwarz, J. S., Chapman, C. & Feit, E. M. (2020), *Python for Marketing Research and Analytics*,
   ch. 5.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ._core import Column, Knob, Table, register
from .mech.population import draw_segments
from .mech.purchases import _FIRST_DAY, _LAST_DAY, _NS_PER_DAY, _to_ns, bgnbd_draw, gamma_gamma_spend

__all__ = ["SEGMENTS", "build"]

# Latent segments, in increasing order of customer value: the higher a customer's expected spend per
# week (rate × mean spend), the likelier a later segment (see the knob segment_link).
SEGMENTS = [
    {"name": "occasional", "share": 0.40,
     "age": {"dist": "normal", "mean": 45, "sd": 14, "low": 18, "high": 90, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 42_000, "sd": 15_000, "decimals": -2},
     "channel": {"dist": "categorical", "probs": {"store": 0.55, "web": 0.30, "app": 0.15}},
     "email_opt_in": {"dist": "bernoulli", "p": 0.35}},
    {"name": "young_digital", "share": 0.25,
     "age": {"dist": "normal", "mean": 28, "sd": 5, "low": 18, "high": 90, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 38_000, "sd": 12_000, "decimals": -2},
     "channel": {"dist": "categorical", "probs": {"store": 0.10, "web": 0.45, "app": 0.45}},
     "email_opt_in": {"dist": "bernoulli", "p": 0.60}},
    {"name": "families", "share": 0.20,
     "age": {"dist": "normal", "mean": 40, "sd": 6, "low": 18, "high": 90, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 65_000, "sd": 20_000, "decimals": -2},
     "channel": {"dist": "categorical", "probs": {"store": 0.50, "web": 0.30, "app": 0.20}},
     "email_opt_in": {"dist": "bernoulli", "p": 0.50}},
    {"name": "affluent_loyal", "share": 0.15,
     "age": {"dist": "normal", "mean": 52, "sd": 9, "low": 18, "high": 90, "dtype": "int"},
     "income": {"dist": "lognormal", "mean": 110_000, "sd": 40_000, "decimals": -2},
     "channel": {"dist": "categorical", "probs": {"store": 0.30, "web": 0.40, "app": 0.30}},
     "email_opt_in": {"dist": "bernoulli", "p": 0.70}},
]

KNOBS = [
    Knob("n_customers", 5000, int, "number of customers (each makes a first purchase in the window)",
         low=1, high=5_000_000),
    Knob("weeks", 104, int, "length of the observation window", low=4, high=520, unit="weeks"),
    Knob("acquisition_weeks", 52, int, "first purchases are spread uniformly over the first this-many "
         "weeks of the window (must not exceed weeks)", low=1, high=520, unit="weeks"),
    Knob("start_date", "2024-01-01", str, "calendar date of week 0 (YYYY-MM-DD)"),
    Knob("r", 2.0, float, "BG/NBD: shape of the Gamma distribution of purchase rates", low=0.01, high=100.0),
    Knob("alpha", 10.0, float, "BG/NBD: rate of the Gamma distribution of purchase rates (mean rate = "
         "r / alpha per week)", low=0.01, high=1000.0, unit="weeks"),
    Knob("a", 1.5, float, "BG/NBD: first Beta parameter of the dropout probability", low=0.01, high=100.0),
    Knob("b", 20.0, float, "BG/NBD: second Beta parameter of the dropout probability (mean dropout "
         "probability after a purchase = a / (a + b))", low=0.01, high=1000.0),
    Knob("gg_p", 6.25, float, "Gamma-Gamma: shape of spend per transaction", low=0.1, high=100.0),
    Knob("gg_q", 3.74, float, "Gamma-Gamma: shape of the customers' spend rates nu (mean spend across "
         "customers = gg_p * gg_gamma / (gg_q - 1); above 1 so that the mean exists)", low=1.01, high=100.0),
    Knob("gg_gamma", 15.44, float, "Gamma-Gamma: rate of the customers' spend rates nu", low=0.01,
         high=10_000.0, unit="currency"),
    Knob("segment_link", 0.6, float, "how strongly segment membership follows customer value "
         "(0 = segments independent of purchasing, 1 = segments are value bands)", low=0.0, high=1.0),
]

TABLES = [
    Table("customers", "One row per customer, sorted by customer_id. Observable attributes are drawn "
          "from the customer's latent segment (not in this table; see truth['customers']).", (
              Column("customer_id", "int32", "customer number 1..n_customers"),
              Column("first_purchase", "datetime64[ns]", "date of the first purchase (acquisition)"),
              Column("age", "int64", "age in years (normal per segment, clipped to 18..90)", "years"),
              Column("income", "float64", "annual income (lognormal per segment, rounded to 100)", "currency"),
              Column("channel", "category", "preferred channel: store, web or app"),
              Column("email_opt_in", "bool", "agreed to receive e-mail"),
          )),
    Table("transactions", "The purchase log, one row per purchase, sorted by customer_id then date. "
          "Each customer's first row is the first purchase; the rest are repeat purchases.", (
              Column("customer_id", "int32", "customer number (see customers)"),
              Column("date", "datetime64[ns]", "purchase date (day resolution)"),
              Column("amount", "float64", "spend on the purchase, rounded to cents", "currency"),
          )),
]

DESCRIPTION = """
Customers are acquired uniformly over the first `acquisition_weeks` weeks (their first purchase). While
alive, each buys as a Poisson process with weekly rate lambda ~ Gamma(shape r, rate alpha); after every
repeat purchase the customer drops out for good with probability p ~ Beta(a, b) (the BG/NBD model of
Fader, Hardie & Lee 2005). Each purchase's amount is Gamma(shape gg_p, rate nu) with nu ~ Gamma(shape
gg_q, rate gg_gamma), independent of the purchase process (Gamma-Gamma; defaults are Fader & Hardie's
CDNOW estimates). Continuous purchase times (in weeks) are truncated to the day. The window ends at
`truth["observation_end"]` = start_date + 7 × weeks days (exclusive).

Each customer belongs to a latent segment (table `SEGMENTS` in crmlab/worlds/transactions.py, copied
into `truth["segments"]`) with exact shares. Segments are ordered by value: a customer's score is
segment_link × (standardised log of lambda × mean spend) + sqrt(1 − segment_link²) × standard normal noise,
and the lowest scores fill the first segment. Age, income, channel and e-mail opt-in are then drawn from the
segment's declared distributions. The purchase parameters keep exactly their BG/NBD and Gamma-Gamma
population distributions whatever the link.

Planted truth: `bgnbd` {r, alpha, a, b} (rates per week), `gamma_gamma` {p, q, gamma}, `time_unit`
("weeks"), `observation_start`, `observation_end`, `segments`, `segment_link`, and `customers`, a
DataFrame indexed by customer_id with segment, lambda (purchase rate per week), p, alive (at observation_end), nu,
mean_spend (= p_gg / nu) and n_repeat (repeat purchases in the window).
"""


# version 2: the BG/NBD draw became a thinned Poisson process (same model, different numbers per seed)
# version 3: dropout probabilities and spend come from numerical inversion (mech.sampling): same
# distributions, different numbers per seed
@register("transactions", title="A transaction log from BG/NBD purchases with Gamma-Gamma spend",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, version="3")
def build(rng: np.random.Generator, knobs: dict) -> tuple[dict, dict]:
    """Draw the world (see DESCRIPTION); called by ``crmlab.worlds.make("transactions", ...)``."""
    n, weeks, acq = knobs["n_customers"], knobs["weeks"], knobs["acquisition_weeks"]
    if acq > weeks:
        raise ValueError(f"knob 'acquisition_weeks' of world 'transactions' must not exceed knob 'weeks' "
                         f"({weeks}), got {acq}")
    outside = (f"knob 'start_date' of world 'transactions': the window of {weeks} weeks must lie within "
               f"{_FIRST_DAY.date()} .. {_LAST_DAY.date()} (what datetime64[ns] holds), got {knobs['start_date']!r}")
    try:
        start = pd.Timestamp(knobs["start_date"])
    except pd.errors.OutOfBoundsDatetime:          # pandas 2 parses into nanoseconds and stops here
        raise ValueError(outside) from None
    except ValueError:
        start = pd.NaT
    if pd.isna(start) or start != start.normalize():
        raise ValueError(f"knob 'start_date' of world 'transactions' must be a date YYYY-MM-DD, "
                         f"got {knobs['start_date']!r}")
    # compared as calendar dates, which cannot overflow, before any nanosecond arithmetic
    if start < _FIRST_DAY or start.date() + dt.timedelta(days=7 * weeks) > _LAST_DAY.date():
        raise ValueError(outside)
    end = start + pd.Timedelta(days=7 * weeks)
    day0 = int(start.as_unit("ns").value)
    # Drawn in days, the unit of the dates (rates per day = per week / 7, so alpha * 7): the same numbers
    # as in weeks. Truth reports rates per week. Times count from 1970-01-01 when the window starts later
    # (the model sees only differences of times), so a time becomes a datetime64[ns] by truncation and one
    # multiplication; an earlier window keeps its own start as the origin.
    origin = max(day0 // _NS_PER_DAY, 0)
    birth = rng.uniform(0.0, float(acq), n)
    draw = bgnbd_draw(rng, n, knobs["r"], 7.0 * knobs["alpha"], knobs["a"], knobs["b"], 7.0 * weeks + origin,
                      7.0 * birth + origin, first_index=1)
    ns0 = day0 - origin * _NS_PER_DAY                            # 0 unless the window starts before 1970
    lam = draw.lam * 7.0                                         # purchases per week
    spend = gamma_gamma_spend(rng, None, knobs["gg_p"], knobs["gg_q"], knobs["gg_gamma"],
                              counts=draw.n_repeat + 1)
    link = knobs["segment_link"]
    # a purchase rate can underflow to 0 when r is tiny; keep such customers at the bottom, not at -inf
    log_value = np.log(np.maximum(lam * spend.mean_spend, np.finfo(float).tiny))
    spread = log_value.std() if n > 1 else 1.0
    z_value = (log_value - log_value.mean()) / (spread if spread > 0 else 1.0)
    score = link * z_value + np.sqrt(1.0 - link ** 2) * rng.standard_normal(n)
    people = draw_segments(rng, n, SEGMENTS, order=score)

    ids = np.arange(1, n + 1, dtype=np.int32)
    customers = pd.DataFrame(copy=False, data={
        "customer_id": ids,
        "first_purchase": _to_ns(draw.birth, ns0, days_per_unit=1.0, nonnegative=True),   # checked: in the window
        "age": people["age"].to_numpy(),
        "income": people["income"].to_numpy(),
        "channel": people["channel"],
        "email_opt_in": people["email_opt_in"].to_numpy(),
    })
    transactions = pd.DataFrame(copy=False, data={
        "customer_id": draw.customer,
        "date": _to_ns(draw.time, ns0, days_per_unit=1.0, nonnegative=True, overwrite=True),   # time is spent
        "amount": spend.amount,
    })
    latent = pd.DataFrame(copy=False, data={
        "segment": people["segment"].array,
        "lambda": lam, "p": draw.p, "alive": draw.alive,
        "nu": spend.nu, "mean_spend": spend.mean_spend, "n_repeat": draw.n_repeat,
    }, index=pd.Index(ids, name="customer_id"))
    truth = {
        "bgnbd": {"r": knobs["r"], "alpha": knobs["alpha"], "a": knobs["a"], "b": knobs["b"]},
        "gamma_gamma": {"p": knobs["gg_p"], "q": knobs["gg_q"], "gamma": knobs["gg_gamma"]},
        "time_unit": "weeks",
        "observation_start": start,
        "observation_end": end,
        "segments": SEGMENTS,
        "segment_link": link,
        "customers": latent,
    }
    return {"customers": customers, "transactions": transactions}, truth
