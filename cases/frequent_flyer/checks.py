"""Exercise checks of the frequent-flyer case (notebooks/frequent_flyer.ipynb), computed from the student's own world.

Each check recomputes its answer with plain numpy from the world's tables (a passengers x quarters array
built by sorting, not the notebook's pivot and not crmlab's effects or rewards functions), so a bug in the
notebook or in the library cannot make a wrong answer pass. The world is built in cases/frequent_flyer/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
``crmlab.effects.did_ratio``, ``crmlab.rewards.breakage`` and ``crmlab.rewards.airline_awards``) and the classic
mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import effects, rewards
from crmlab.checks import close, exercise, mistakes, solutions

CASE = "frequent_flyer"
LAUNCH = 2


def _arrays(world):
    """Per passenger (sorted by id): member flag, rival-copies flag, and passengers x quarters arrays of trips,
    miles earned, awards and miles redeemed."""
    pax = world.tables["passengers"].sort_values("passenger_id")
    routes = world.tables["routes"]
    copies = dict(zip(routes["route_id"].to_numpy(), routes["rival_copies"].to_numpy()))
    f = world.tables["flights"]
    order = np.lexsort((f["quarter"].to_numpy(), f["passenger_id"].to_numpy()))
    nq = int(f["quarter"].max()) + 1
    shape = (len(pax), nq)

    def arr(col):
        return f[col].to_numpy(dtype=float)[order].reshape(shape)

    member = pax["member"].to_numpy(dtype=bool)
    copied = np.array([bool(copies[r]) for r in pax["route_id"].to_numpy()])
    return member, copied, arr("trips"), arr("miles_earned"), arr("awards"), arr("miles_redeemed")


def _did(before, after, treated):
    t, c = treated, ~treated
    return (after[t].mean() / before[t].mean()) / (after[c].mean() / before[c].mean()) - 1


def _periods(world, nq):
    imit = world.knobs["imitation_quarter"]
    return slice(0, LAUNCH), slice(LAUNCH, imit), slice(imit, nq)


def _expected(world) -> dict:
    member, copied, trips, miles, awards, redeemed = _arrays(world)
    pre, window, after = _periods(world, trips.shape[1])
    lift = _did(trips[:, pre].mean(1), trips[:, window].mean(1), member)
    erosion = _did(trips[member][:, window].mean(1), trips[member][:, after].mean(1), copied[member])
    k = world.knobs
    first_year = miles[member][:, LAUNCH:LAUNCH + 4].sum(1)
    grp = member & copied
    l_after = (1 + lift) * (1 + erosion) - 1
    net = (k["margin_per_trip"] * trips[grp][:, after].mean() * l_after / (1 + l_after)
           - k["award_cost"] / k["award_threshold"] * miles[grp][:, after].mean() - k["admin_cost"])
    return {"q1": lift, "q2": erosion, "q3": 1 - redeemed.sum() / miles.sum(),
            "q4": float(np.mean(first_year >= k["award_threshold"])), "q5": net, "n_members": int(member.sum())}


@exercise(CASE, "q1", hint="Per passenger: mean trips per quarter before the launch (quarters 0-1) and in the "
                           "first-mover window (launch to the quarter before the imitation); then "
                           "(members' after/before) / (non-members' after/before) - 1.",
          hint_zh="对每位旅客：计划推出前（第0–1季度）和先行者窗口期（从推出到效仿前一个季度）每季度的平均行程数；"
                  "再算（会员的后/前）÷（非会员的后/前）- 1。")
def q1(world, answer):
    return close(answer, _expected(world)["q1"], abs=0.002,
                 what="the first-mover lift (difference in differences, as a ratio)",
                 what_zh="先行者增幅（双重差分，以比率表示）")


@exercise(CASE, "q2", hint="Members only: mean trips per quarter in the first-mover window and from the imitation "
                           "on; treated = members on routes whose rival copies. Ratio of ratios minus 1 (negative "
                           "if the lift erodes).",
          hint_zh="只看会员：先行者窗口期与效仿之后每季度的平均行程数；处理组是竞争对手效仿了的航线上的会员。"
                  "比率之比减1（增幅被侵蚀时为负）。")
def q2(world, answer):
    return close(answer, _expected(world)["q2"], abs=0.002,
                 what="the effect of the imitation on members' trips (difference in differences, as a ratio)",
                 what_zh="效仿对会员行程数的影响（双重差分，以比率表示）")


@exercise(CASE, "q3", hint="1 - (all miles redeemed) / (all miles earned), over the whole panel: a share between "
                           "0 and 1.",
          hint_zh="1 -（全部兑换掉的里程）÷（全部累积的里程），覆盖整个面板期：0到1之间的比例。")
def q3(world, answer):
    return close(answer, _expected(world)["q3"], abs=0.001, what="the breakage of miles so far",
                 what_zh="迄今为止的里程沉淀率（breakage）")


@exercise(CASE, "q4", hint="Members only: sum each member's miles_earned over the programme's first four quarters "
                           "and take the share of members at or above award_threshold.",
          hint_zh="只看会员：把每位会员在计划头四个季度的 miles_earned 加总，算出达到或超过 award_threshold 的会员比例。")
def q4(world, answer):
    e = _expected(world)
    return close(answer, e["q4"], abs=0.5 / max(e["n_members"], 1),
                 what="the share of members who reach an award seat in the first year",
                 what_zh="第一年就攒够一张奖励机票的会员比例")


@exercise(CASE, "q5", hint="Members on copied routes, quarters from the imitation on. Lift left = (1 + Q1)(1 + Q2) - 1; "
                           "extra trips = trips x lift / (1 + lift); net = margin_per_trip x extra trips - "
                           "(award_cost / award_threshold) x miles_earned - admin_cost, all per member per quarter.",
          hint_zh="被效仿航线上的会员，效仿之后的各季度。剩余增幅 = (1 + Q1)(1 + Q2) - 1；额外行程 = 行程数 x 增幅 ÷ (1 + 增幅)；"
                  "净值 = margin_per_trip x 额外行程 -（award_cost / award_threshold）x miles_earned - admin_cost，均按每位会员每季度计算。")
def q5(world, answer):
    return close(answer, _expected(world)["q5"], rel=1e-3, abs=0.02,
                 what="the programme's net value per member per quarter on copied routes after the imitation",
                 what_zh="效仿之后被效仿航线上计划的每位会员每季度净值")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world):
    """The notebook's tables: ``pax`` (passengers with their route) and ``trips`` (passengers x quarters)."""
    pax = world.tables["passengers"].merge(world.tables["routes"], on="route_id").set_index("passenger_id").sort_index()
    flights = world.tables["flights"]
    trips = flights.pivot(index="passenger_id", columns="quarter", values="trips").reindex(pax.index)
    return pax, flights, trips


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/frequent_flyer.ipynb, section 5."""
    pax, flights, trips = _notebook(world)
    k = world.knobs
    imitation_quarter = k["imitation_quarter"]
    launch, last = 2, int(flights["quarter"].max())
    before = trips.loc[:, :launch - 1].mean(axis=1)
    window = trips.loc[:, launch:imitation_quarter - 1].mean(axis=1)
    after = trips.loc[:, imitation_quarter:last].mean(axis=1)
    lift = effects.did_ratio(before, window, pax["member"])
    members = pax["member"]
    erosion = effects.did_ratio(window[members], after[members], pax.loc[members, "rival_copies"])
    per_member = flights.groupby("passenger_id")[["miles_earned", "miles_redeemed"]].sum().loc[pax.index[members]]
    breakage = rewards.breakage(per_member["miles_earned"], per_member["miles_redeemed"])
    first_year = flights[flights["quarter"].between(launch, launch + 3)].groupby("passenger_id")["miles_earned"].sum()
    awards = rewards.airline_awards(first_year.loc[pax.index[members]], award_miles=k["award_threshold"])
    reach = float((awards["awards"] >= 1).mean())
    group = pax.index[members & pax["rival_copies"]]
    late = flights[flights["passenger_id"].isin(group) & (flights["quarter"] >= imitation_quarter)]
    lift_left = (1 + lift) * (1 + erosion) - 1
    net = (k["margin_per_trip"] * late["trips"].mean() * lift_left / (1 + lift_left)
           - k["award_cost"] / k["award_threshold"] * late["miles_earned"].mean() - k["admin_cost"])
    return {"q1": float(lift), "q2": float(erosion), "q3": float(breakage), "q4": reach, "q5": float(net)}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    pax, flights, trips = _notebook(world)
    k = world.knobs
    right = answers(world)
    imit, launch = k["imitation_quarter"], 2
    before = trips.loc[:, :launch - 1].mean(axis=1)
    window = trips.loc[:, launch:imit - 1].mean(axis=1)
    after = trips.loc[:, imit:].mean(axis=1)
    m = pax["member"].to_numpy()
    cp = pax["rival_copies"].to_numpy()
    additive_launch = (window[m].mean() - before[m].mean()) - (window[~m].mean() - before[~m].mean())
    mw, ma = window[m], after[m]
    additive_imit = (ma[cp[m]].mean() - mw[cp[m]].mean()) - (ma[~cp[m]].mean() - mw[~cp[m]].mean())
    members_all = flights[flights["passenger_id"].isin(pax.index[m])]
    share_never = float((members_all.groupby("passenger_id")["miles_redeemed"].sum() == 0).mean())
    first_year = flights[flights["quarter"].between(launch, launch + 3)].groupby("passenger_id")["miles_earned"].sum()
    whole = flights.groupby("passenger_id")["miles_earned"].sum()
    thr = k["award_threshold"]
    group = pax.index[m & cp]
    late = flights[flights["passenger_id"].isin(group) & (flights["quarter"] >= imit)]
    lift_left = (1 + right["q1"]) * (1 + right["q2"]) - 1
    cost = k["award_cost"] / thr * late["miles_earned"].mean() + k["admin_cost"]
    gain = k["margin_per_trip"] * late["trips"].mean()
    out = {
        "q1": {"members against non-members in the window (self-selection, no before/after)":
                   float(window[m].mean() / window[~m].mean() - 1),
               "members' after / before - 1 (no comparison group: season and growth count as lift)":
                   float(window[m].mean() / before[m].mean() - 1),
               "difference in differences in trips per quarter, not as a ratio": float(additive_launch)},
        "q2": {"copied routes' members after / before - 1 (no comparison group)":
                   float(ma[cp[m]].mean() / mw[cp[m]].mean() - 1),
               "difference in differences in trips per quarter, not as a ratio": float(additive_imit),
               "the groups swapped (the other routes as treated)": float(1 / (1 + right["q2"]) - 1),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"redeemed share instead of the unredeemed share": 1 - right["q3"],
               "share of members who never redeemed (members, not miles)": share_never,
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"divided by all passengers, not members (the wrong denominator)":
                   float((first_year.reindex(pax.index, fill_value=0) >= thr).sum() / len(pax)),
               "miles of the whole panel, not the first year": float((whole.loc[pax.index[m]] >= thr).mean()),
               "a percentage instead of a share": 100 * right["q4"]},
        "q5": {"the first-mover lift, as if no rival had copied": float(gain * right["q1"] / (1 + right["q1"]) - cost),
               "the lift applied to trips that already include it (trips x lift)": float(gain * lift_left - cost),
               "the extra margin alone, without the award and account costs": float(gain * lift_left / (1 + lift_left)),
               "the award seats redeemed in those quarters (cash) instead of the cost of the miles earned":
                   float(gain * lift_left / (1 + lift_left) - k["award_cost"] * late["awards"].mean() - k["admin_cost"])},
    }
    # A mistake that happens to land on the right answer in this world (no season between the periods, no lift
    # left to misapply) is no mistake here: keep only those the checks' tolerances can tell apart.
    margin = {"q1": 0.006, "q2": 0.006, "q3": 0.003, "q4": 1.5 / max(int(m.sum()), 1), "q5": 0.5}
    return {q: {what: v for what, v in ms.items() if abs(v - right[q]) > margin[q]} for q, ms in out.items()}
