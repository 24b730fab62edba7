"""World ``frequent_flyer``: a first mover's mileage programme, and what is left of its lift once rivals copy it.

An airline launches a free-to-join mileage programme (miles per trip flown, one award seat for every
``award_threshold`` miles). For a while it is the only one, and its members bring it more of their trips; then
the rivals on some of its routes launch the same kind of programme and the members' extra trips on those routes
largely go away, while the miles, the award seats and the running cost remain. The other routes' rivals do not
copy within the panel: they are the comparison group of a difference in differences with the imitation as the
shock.

Sources: CRM Q&A compilation (source 0), lines 246–247 (section ㈥: frequency marketing; American Airlines "among
the first" with a free-mileage programme in the early 1980s, free to join, a first-class ticket or free flights
after a mileage threshold; as customers turned to American, other airlines launched the same programme); CRM
article collection (source 3), line 669 (Southwest "first" offered a free companion flight after accumulated
mileage; Northwest, United and others copied it). The two sources disagree on who was first. Public record:
American Airlines launched AAdvantage on 1 May 1981 and United's Mileage Plus followed within days. Everything
else — passengers, routes, rates, thresholds, costs and effect sizes — is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

N_QUARTERS = 16          # four years of quarters, 0..15
LAUNCH = 2               # the programme starts with quarter 2 (quarters 0 and 1 are before it)
N_ROUTES = 20            # routes from the airline's hub
SEASON = 0.10            # amplitude of the seasonal swing in trips, common to every passenger
GROWTH = 0.03            # market growth per quarter, common to every passenger

# Latent traveller segments: trips per quarter on their route (all with us before the programme) and the
# probability of joining the (free) programme at launch. Business travellers fly more and join more often.
SEGMENTS = [
    {"name": "business", "share": 0.3,
     "base_trips": {"dist": "lognormal", "mean": 2.5, "sd": 1.2},
     "join_prob": {"dist": "uniform", "low": 0.7, "high": 0.9}},
    {"name": "leisure", "share": 0.7,
     "base_trips": {"dist": "lognormal", "mean": 0.5, "sd": 0.3},
     "join_prob": {"dist": "uniform", "low": 0.2, "high": 0.4}},
]

SNAPSHOT_KNOBS = {"n_passengers": 300}
KNOBS = [
    Knob("n_passengers", 3000, int, "passengers in the panel (members and non-members)", low=50, high=1_000_000,
         doc_zh="面板中的旅客人数（会员与非会员）"),
    Knob("lift", 0.30, float, "relative rise in a member's trips with us while our programme is the only one",
         low=0.0, high=2.0, doc_zh="在只有我们一家推出里程计划期间，会员乘坐我们航班次数的相对增幅"),
    Knob("erosion", 0.80, float, "share of the lift lost on a route once its rival copies the programme",
         low=0.0, high=1.0, doc_zh="航线上的竞争对手效仿推出同类计划之后，会员增幅失去的比例"),
    Knob("imitated_share", 0.5, float, "share of routes whose rival copies the programme during the panel",
         low=0.05, high=0.95, doc_zh="在面板期内竞争对手效仿推出里程计划的航线所占比例"),
    Knob("imitation_quarter", 8, int, "quarter in which the rivals on those routes launch their programmes",
         low=LAUNCH + 1, high=N_QUARTERS - 2, unit="quarter", doc_zh="这些航线上的竞争对手推出各自计划的季度"),
    Knob("award_threshold", 25_000, int, "miles needed for one award seat", low=1_000, high=200_000, unit="miles",
         doc_zh="兑换一张奖励机票所需的里程"),
    Knob("redeem_prob", 0.5, float, "probability that a member with enough miles redeems them in a quarter",
         low=0.0, high=1.0, doc_zh="里程足够的会员在某个季度兑换奖励的概率"),
    Knob("margin_per_trip", 150.0, float, "contribution margin of one paid round trip", low=0.0, high=10_000.0,
         unit="USD", doc_zh="一次付费往返行程的边际贡献"),
    Knob("award_cost", 150.0, float, "cost of one award seat (revenue displaced and handling)", low=0.0,
         high=10_000.0, unit="USD", doc_zh="一张奖励机票的成本（被挤占的收入与处理费用）"),
    Knob("admin_cost", 2.0, float, "cost of running one member account for a quarter (statements, systems)",
         low=0.0, high=1_000.0, unit="USD", doc_zh="每个会员账户每季度的运营成本（对账单、系统）"),
]

C = Column
TABLES = [
    Table("routes", "One row per route from the hub: its length and whether its rival launched a mileage "
                    "programme of its own during the panel, and when.", (
              C("route_id", "int64", "route id", doc_zh="航线编号"),
              C("distance_miles", "float64", "one-way distance", "miles", doc_zh="单程距离"),
              C("rival_copies", "bool", "the rival on this route launches a mileage programme during the panel",
                doc_zh="该航线上的竞争对手是否在面板期内推出了自己的里程计划"),
              C("rival_programme_quarter", "float64",
                "quarter from which the rival's programme runs (missing when it never does in the panel)",
                "quarter", doc_zh="竞争对手计划开始运行的季度（面板期内未推出则为缺失值）"),
          ), doc_zh="从枢纽机场出发的每条航线一行：航线长度，以及该航线的竞争对手是否、何时在面板期内推出了自己的里程计划。"),
    Table("passengers", "One row per passenger: the route they fly and whether they joined the programme when "
                        "it was launched (joining is free).", (
              C("passenger_id", "int64", "passenger id", doc_zh="旅客编号"),
              C("route_id", "int64", "the route the passenger flies", doc_zh="旅客乘坐的航线"),
              C("member", "bool", "joined the mileage programme at its launch", doc_zh="是否在计划推出时加入了里程计划"),
          ), doc_zh="每位旅客一行：乘坐的航线，以及是否在计划推出时加入了里程计划（免费加入）。"),
    Table("flights", "One row per passenger and quarter (a balanced panel): paid round trips flown with us, "
                     "miles credited and award seats taken.", (
              C("passenger_id", "int64", "passenger id", doc_zh="旅客编号"),
              C("quarter", "int64", "quarter of the panel, 0 to 15; the programme starts in quarter 2", "quarter",
                doc_zh="面板中的季度，0到15；里程计划从第2季度开始"),
              C("trips", "int64", "paid round trips flown with us in the quarter", doc_zh="本季度乘坐我们航班的付费往返次数"),
              C("miles_earned", "float64", "miles credited for those trips (members only, from the launch)", "miles",
                doc_zh="这些行程累积的里程（仅会员，自计划推出起）"),
              C("awards", "int64", "award seats redeemed in the quarter", doc_zh="本季度兑换的奖励机票张数"),
              C("miles_redeemed", "float64", "miles given up for those award seats", "miles",
                doc_zh="兑换这些奖励机票所用掉的里程"),
          ), doc_zh="每位旅客每个季度一行（平衡面板）：乘坐我们航班的付费往返次数、累积的里程和兑换的奖励机票。"),
]

DESCRIPTION = """
Passengers come from two latent segments (business 30%, leisure 70%; `truth['passengers']` gives each one's
segment). A passenger's base rate of paid round trips with us per quarter is log-normal by segment (business
mean 2.5, leisure 0.5). Each quarter's trips are Poisson with mean base rate x season x growth x programme
effect, where season x growth = (1 + 0.10 sin(2 pi q / 4)) x 1.03^q is common to everyone. The programme starts
in quarter 2; a passenger joins at launch with a segment-specific probability (business 0.7-0.9, leisure
0.2-0.4), so members fly more than non-members whatever the programme does (self-selection).

Programme effect: 1 for non-members and before the launch; for members from the launch, 1 + `lift` while our
programme is the only one on their route, and 1 + `lift` x (1 - `erosion`) once the rival on their route has
copied it. A share `imitated_share` of the 20 routes (chosen at random) have a rival that copies in quarter
`imitation_quarter`; on the others the rival never copies within the panel. So the first-mover lift is the
difference in differences of members against non-members around the launch, and the imitation's effect is
the difference in differences of members on copied routes against members on the other routes around the
imitation: in expectation (1 + lift (1 - erosion)) / (1 + lift) - 1 (`truth['imitation_effect']`).

Miles: a member earns 2 x the route's one-way distance per trip. At the end of each quarter a member whose
balance holds at least `award_threshold` miles redeems all the award seats it buys with probability
`redeem_prob` (otherwise keeps saving). Miles never expire within the panel, so the miles left at the end are
the programme's outstanding liability. Economics (for the notebook): each paid trip earns `margin_per_trip`,
each award seat costs `award_cost` (so a mile credited costs award_cost / award_threshold if it is ever
redeemed), each member account costs `admin_cost` per quarter.
`truth['incremental_trips_per_member_quarter']` gives the expected extra trips per member and quarter in the
first-mover window, and after the imitation on copied and on other routes.
"""

DESCRIPTION_ZH = """
旅客来自两个潜在细分群体（商务旅客 30%、休闲旅客 70%；`truth['passengers']` 给出每位旅客所属的群体）。
每位旅客每季度乘坐我们航班的付费往返基础次数按群体服从对数正态分布（商务均值 2.5，休闲均值 0.5）。
每个季度的行程数服从泊松分布，均值 = 基础次数 x 季节 x 增长 x 计划效应，其中季节 x 增长 =
(1 + 0.10 sin(2 pi q / 4)) x 1.03^q，对所有人相同。里程计划从第2季度开始；旅客在计划推出时按所属群体的概率加入
（商务 0.7–0.9，休闲 0.2–0.4），因此无论计划本身有没有作用，会员都比非会员飞得多（自选择）。

计划效应：非会员以及计划推出之前为 1；会员从计划推出起，在其航线上只有我们一家有计划时为 1 + `lift`，
该航线的竞争对手效仿之后为 1 + `lift` x (1 - `erosion`)。20条航线中有 `imitated_share` 比例（随机选出）的航线，
其竞争对手在第 `imitation_quarter` 季度效仿推出计划；其余航线的竞争对手在面板期内始终没有效仿。
因此，先行者的增幅是计划推出前后会员对非会员的双重差分，效仿的影响是效仿前后被效仿航线上的会员对其他航线上会员的双重差分，
其期望值为 (1 + lift (1 - erosion)) / (1 + lift) - 1（`truth['imitation_effect']`）。

里程：会员每次往返获得航线单程距离 2 倍的里程。每个季度末，余额不少于 `award_threshold` 的会员以 `redeem_prob`
的概率把余额能换的奖励机票全部兑换（否则继续攒）。面板期内里程不过期，所以期末剩下的里程就是计划尚未兑现的负债。
经济账（供笔记本使用）：每次付费行程带来 `margin_per_trip`，每张奖励机票花费 `award_cost`（因此记入的每一英里如果将来被兑换，
成本为 award_cost / award_threshold），每个会员账户每季度花费 `admin_cost`。
`truth['incremental_trips_per_member_quarter']` 给出先行者窗口期、以及效仿之后被效仿航线与其他航线上，
每位会员每季度的期望额外行程数。
"""


def _season(q: np.ndarray) -> np.ndarray:
    return (1 + SEASON * np.sin(2 * np.pi * q / 4)) * (1 + GROWTH) ** q


@register("frequent_flyer", title="Frequent-flyer programmes: first-mover advantage and imitation",
          title_zh="常客计划：先行者优势与竞争对手的效仿", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_passengers"]
    n_copied = int(min(N_ROUTES - 1, max(1, round(k["imitated_share"] * N_ROUTES))))
    distance = np.round(rng.uniform(250, 2500, N_ROUTES), -1)
    copies = np.zeros(N_ROUTES, dtype=bool)
    copies[rng.choice(N_ROUTES, size=n_copied, replace=False)] = True
    imit = k["imitation_quarter"]

    pop = draw_segments(rng, n, SEGMENTS)
    base = pop["base_trips"].to_numpy()
    route = rng.integers(0, N_ROUTES, n)
    member = rng.random(n) < pop["join_prob"].to_numpy()

    q = np.arange(N_QUARTERS)
    copied_p = copies[route]
    after_launch = q >= LAUNCH
    after_imit = q >= imit
    lift_now = np.where(copied_p[:, None] & after_imit[None, :], k["lift"] * (1 - k["erosion"]), k["lift"])
    programme = np.where(member[:, None] & after_launch[None, :], 1 + lift_now, 1.0)
    mean_trips = base[:, None] * _season(q)[None, :] * programme
    trips = rng.poisson(mean_trips)

    miles = np.where(member[:, None] & after_launch[None, :], trips * 2 * distance[route][:, None], 0.0)
    awards = np.zeros((n, N_QUARTERS), dtype=np.int64)
    balance = np.zeros(n)
    thr = float(k["award_threshold"])
    for t in range(N_QUARTERS):          # quarter by quarter: earn, then perhaps redeem
        balance += miles[:, t]
        can = np.floor(balance / thr).astype(np.int64)
        redeem = (can > 0) & (rng.random(n) < k["redeem_prob"])
        awards[:, t] = np.where(redeem, can, 0)
        balance -= awards[:, t] * thr

    ids = np.arange(1, n + 1, dtype=np.int64)
    routes = pd.DataFrame({
        "route_id": np.arange(1, N_ROUTES + 1, dtype=np.int64),
        "distance_miles": distance.astype(float),
        "rival_copies": copies,
        "rival_programme_quarter": np.where(copies, float(imit), np.nan),
    })
    passengers = pd.DataFrame({"passenger_id": ids, "route_id": (route + 1).astype(np.int64), "member": member})
    flights = pd.DataFrame({
        "passenger_id": np.repeat(ids, N_QUARTERS),
        "quarter": np.tile(q, n).astype(np.int64),
        "trips": trips.ravel().astype(np.int64),
        "miles_earned": miles.ravel().astype(float),
        "awards": awards.ravel(),
        "miles_redeemed": (awards * thr).ravel().astype(float),
    })
    lift_after = k["lift"] * (1 - k["erosion"])
    incremental = base[:, None] * _season(q)[None, :] * (programme - 1)      # expected extra trips
    idx = pd.Index(ids, name="passenger_id")
    grp = {"window": (member, (q >= LAUNCH) & (q < imit)), "after_copied": (member & copied_p, after_imit),
           "after_other": (member & ~copied_p, after_imit)}
    per_member_quarter = {name: float(incremental[rows][:, cols].mean()) if rows.any() else float("nan")
                          for name, (rows, cols) in grp.items()}
    truth = {
        "launch_quarter": LAUNCH,
        "imitation_quarter": imit,
        "lift": k["lift"],
        "lift_after_imitation": lift_after,
        "erosion": k["erosion"],
        "imitation_effect": (1 + lift_after) / (1 + k["lift"]) - 1,
        "copied_routes": [int(r) + 1 for r in np.flatnonzero(copies)],
        "segments": [{key: s[key] for key in ("name", "share")} for s in SEGMENTS],
        "miles_outstanding": float(balance.sum()),
        "incremental_trips_per_member_quarter": per_member_quarter,
        "passengers": pd.DataFrame({"segment": pop["segment"].to_numpy(), "base_trips": base,
                                    "expected_incremental_trips": incremental.sum(axis=1)}, index=idx),
    }
    return {"routes": routes, "passengers": passengers, "flights": flights}, truth
