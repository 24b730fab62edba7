"""Exercise checks of the Tesco case (notebooks/tesco.ipynb), computed from the student's own world.

Each check recomputes its answer with numpy from the world's raw tables (``baskets``, ``customers``,
``statements``): trips are counted with ``np.bincount`` per shopper and quarter, independently of the pandas
group-bys and the crmlab calls of the notebook. The scheme launches at the start of quarter 2 and the coupon
mailing goes out at the start of quarter 4; every quarter is 13 weeks long (crmlab.worlds.tesco).
"""
from __future__ import annotations

import numpy as np

from crmlab.checks import close, exercise

CASE = "tesco"


def _trips(world) -> np.ndarray:
    """Trips per shopper (rows, in ``customers`` order) and quarter (columns 1-4)."""
    ids = world.tables["customers"]["customer_id"].to_numpy()
    b = world.tables["baskets"]
    order = np.argsort(ids)
    row = order[np.searchsorted(ids, b["customer_id"].to_numpy(), sorter=order)]
    cell = row * 4 + (b["quarter"].to_numpy() - 1)
    return np.bincount(cell, minlength=4 * ids.size).reshape(ids.size, 4).astype(float)


def _member(world) -> np.ndarray:
    return world.tables["customers"]["member"].to_numpy(dtype=bool)


@exercise(CASE, "q1", hint="From `statements`: the value of the vouchers that were redeemed (voucher_value where "
                           "redeemed is True), divided by the members' spend in quarters 2-4 (a share, about 0.01 "
                           "or less).")
def q1(world, answer):
    s = world.tables["statements"]
    value = s["voucher_value"].to_numpy(dtype=float)
    redeemed = s["redeemed"].to_numpy(dtype=bool)
    expected = float(value[redeemed].sum() / s["spend"].to_numpy(dtype=float).sum())
    return close(answer, expected, rel=0.01, abs=1e-6, what="the reward cost as a share of members' spend")


@exercise(CASE, "q2", hint="Breakage = 1 - (value of redeemed vouchers) / (value of all vouchers issued), from "
                           "`statements`.")
def q2(world, answer):
    s = world.tables["statements"]
    value = s["voucher_value"].to_numpy(dtype=float)
    redeemed = s["redeemed"].to_numpy(dtype=bool)
    return close(answer, float(1 - value[redeemed].sum() / value.sum()), rel=0.01, abs=1e-6, what="the breakage")


@exercise(CASE, "q3", hint="Trips per shopper in quarters 2 and 3 together (shoppers with no trip count as 0); "
                           "the mean over members divided by the mean over non-members.")
def q3(world, answer):
    t, m = _trips(world), _member(world)
    post = t[:, 1] + t[:, 2]
    return close(answer, float(post[m].mean() / post[~m].mean()), rel=0.005,
                 what="the naive member / non-member trip ratio")


@exercise(CASE, "q4", hint="Per group, mean trips per week after launch (quarters 2-3, 26 weeks) divided by mean "
                           "trips per week before (quarter 1, 13 weeks); then members' ratio / non-members' ratio - 1.")
def q4(world, answer):
    t, m = _trips(world), _member(world)
    pre, post = t[:, 0] / 13, (t[:, 1] + t[:, 2]) / 26

    def growth(g):
        return post[g].mean() / pre[g].mean()

    return close(answer, float(growth(m) / growth(~m) - 1), abs=0.002, fmt=".4f",
                 what="the difference-in-differences estimate of the membership lift")


@exercise(CASE, "q5", hint="Mean quarter-4 trips of mailed members divided by that of held-out members, minus 1 "
                           "(members with no trip count as 0).")
def q5(world, answer):
    t = _trips(world)
    mailing = world.tables["customers"]["mailing"].astype(str).to_numpy()
    q4 = t[:, 3]
    return close(answer, float(q4[mailing == "mailed"].mean() / q4[mailing == "holdout"].mean() - 1), abs=0.002,
                 fmt=".4f", what="the relative lift of the coupon mailing in quarter-4 trips")
