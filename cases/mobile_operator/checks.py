"""Exercise checks of the mobile-operator case (notebooks/mobile_operator.ipynb), from the student's own world.

The checks recompute each answer with numpy from the world's tables, and the profit of question 1 from the
margin the world planted (``truth['subscribers']['margin']``, computed from unrounded usage) rather than from the
unit-cost sheet the notebook applies to the published table: two routes to the same number.
"""
from __future__ import annotations

import numpy as np

from crmlab.checks import close, equal, exercise

CASE = "mobile_operator"


def _enrolled(world) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(treated flag, churned flag, subscriber ids) of the subscribers enrolled in the retention experiment."""
    s = world.tables["subscribers"]
    group = s["campaign_group"].astype(str).to_numpy()
    keep = group != "none"
    return group[keep] == "treatment", s["churned"].to_numpy(dtype=bool)[keep], s["customer_id"].to_numpy()[keep]


def _uplift(world) -> float:
    treated, churned, _ = _enrolled(world)
    return float(churned[~treated].mean() - churned[treated].mean())


@exercise(CASE, "q1", hint="Annual profit = 12 x (ARPU - monthly cost to serve). Sort subscribers by it, take the "
                           "top round(0.1 x n) and divide their profit by the total profit of all subscribers.")
def q1(world, answer):
    profit = np.sort(world.truth["subscribers"]["margin"].to_numpy(dtype=float))[::-1]
    k = round(0.1 * profit.size)
    return close(answer, float(profit[:k].sum() / profit.sum()), rel=0.005,
                 what="the top 10% of subscribers' share of profit")


@exercise(CASE, "q2", hint="Among subscribers who hold roaming, the share who also hold device_insurance "
                           "(table `holdings`, one row per subscriber and product).")
def q2(world, answer):
    h = world.tables["holdings"]
    ids = h["customer_id"].to_numpy()
    product = h["product"].astype(str).to_numpy()
    roaming = np.unique(ids[product == "roaming"])
    insured = np.unique(ids[product == "device_insurance"])
    return close(answer, float(np.isin(roaming, insured).mean()), abs=1e-3,
                 what="the confidence of roaming → device_insurance")


@exercise(CASE, "q3", hint="Among the enrolled subscribers (campaign_group control or treatment): churn rate of the "
                           "control group minus churn rate of the treatment group.")
def q3(world, answer):
    return close(answer, _uplift(world), abs=5e-4, fmt=".4f",
                 what="the drop in the churn rate due to the retention offer")


@exercise(CASE, "q4", hint="Group the prospects by channel and take the mean of `responded`; give the name of the "
                           "channel with the highest rate.")
def q4(world, answer):
    p = world.tables["prospects"]
    channel = p["channel"].astype(str).to_numpy()
    responded = p["responded"].to_numpy(dtype=float)
    names = np.unique(channel)
    rates = np.array([responded[channel == c].mean() for c in names])
    if not isinstance(answer, str):
        return False, f"expected the name of a channel (text), got {type(answer).__name__}"
    return equal(answer, str(names[int(np.argmax(rates))]), what="the channel with the highest response rate")


@exercise(CASE, "q5", hint="Break-even cost of one offer = (drop in the churn rate, Q3) x (mean annual profit "
                           "12 x (ARPU - cost) of the enrolled subscribers).")
def q5(world, answer):
    _, _, ids = _enrolled(world)
    margin = world.truth["subscribers"]["margin"].reindex(ids).to_numpy(dtype=float)
    return close(answer, _uplift(world) * 12 * float(margin.mean()), rel=0.005, abs=0.01, fmt=".2f",
                 what="the break-even cost of one retention offer (CNY)")
