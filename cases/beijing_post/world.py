"""Beijing East District Post Office: a CRM system rolled out branch by branch in waves (synthetic world).

The district's post office branches report their monthly revenue from contracted business customers. CRM goes
live first in a handful of pilot branches, then in further waves a few months apart; the last group of
branches is still waiting when the data end (it goes live after the period covered). Revenue grows by a
common trend and moves with the season and with district-wide shocks, so a branch's revenue rises after go-live
even where CRM does nothing. The effect of CRM is planted: a lift that builds up over the first months after
go-live and then stays. The go-live month of every branch, the lift at each month since go-live, the trend
and the branches' own levels and growth rates are the planted truth.

Sources: CRM Q&A compilation (source 0), lines 127–130 (casebook contents, case 11: Beijing East District Post
Office, an overview of China Post, its CRM implementation) and lines 182–187 (the worked-solution chapter
"local pilot, step-by-step implementation, many small wins make a full win": drivers, the general process of
a CRM project, the implementation, its results). Only the headings survive; every figure is synthetic.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

#: Month (counted from 0) in which the pilot wave goes live: twelve months of history before any branch has CRM.
PILOT_MONTH = 12
#: Months before go-live that serve as "before" in the notebook's comparisons (and after go-live as "after").
WINDOW = 6

# Branch types: share of the district's branches, monthly revenue from contracted business customers (thousand
# yuan, log-normal: mean and sd on the natural scale) and each branch's own growth rate (per month, in logs,
# around the common trend).
BRANCH_TYPES = [
    {"name": "business hall", "share": 0.3,
     "revenue": {"dist": "lognormal", "mean": 260.0, "sd": 110.0},
     "growth": {"dist": "normal", "mean": 0.0, "sd": 0.001},
     "area": {"dist": "categorical", "probs": {"north": 0.3, "south": 0.3,
                                                "central": 0.4}}},
    {"name": "counter branch", "share": 0.7,
     "revenue": {"dist": "lognormal", "mean": 90.0, "sd": 40.0},
     "growth": {"dist": "normal", "mean": 0.0, "sd": 0.001},
     "area": {"dist": "categorical", "probs": {"north": 0.35, "south": 0.35,
                                                "central": 0.3}}},
]
#: Amplitude (in logs) of the seasonal cycle, peaking in December (month 11, 23, ...), and the sd of the
#: district-wide shock of each month (in logs).
SEASON_AMPLITUDE = 0.06
MONTH_SHOCK_SD = 0.015

SNAPSHOT_KNOBS = {"n_branches": 30}
KNOBS = [
    Knob("n_branches", 60, int, "number of post office branches in the district", low=8, high=5000,
         doc_zh="辖区内的邮政网点数"),
    Knob("n_months", 36, int, "months of data (month 0 is the first); the pilot goes live in month 12",
         low=24, high=120, unit="months", doc_zh="数据覆盖的月数（从第0个月算起）；试点在第12个月上线"),
    Knob("n_pilot", 8, int, "pilot branches: the first wave that goes live (month 12)", low=2, high=2000,
         doc_zh="试点网点数：第一批（第12个月）上线的网点"),
    Knob("n_waves", 3, int, "rollout waves within the data, the pilot included; the other branches are split "
                            "evenly over the later waves and a last group that goes live after the data end",
         low=1, high=6, doc_zh="数据期内的推广批次数（含试点）；其余网点平均分到后续各批，以及数据期结束后才上线的最后一组"),
    Knob("true_effect", 0.05, float, "lift of a branch's revenue once CRM has run in (0.05 = +5%)", low=-0.5,
         high=1.0, doc_zh="CRM 运行稳定后网点收入的提升幅度（0.05 即 +5%）"),
    Knob("ramp_months", 6, int, "months after go-live until the full lift is reached (it grows linearly)", low=1,
         high=24, unit="months", doc_zh="上线后达到全部提升幅度所需的月数（期间线性增长）"),
    Knob("trend", 0.01, float, "common growth of every branch's revenue per month, in logs (0.01 = about +1% a "
                               "month)", low=-0.05, high=0.05, unit="per month",
         doc_zh="所有网点收入共同的月增长率（对数；0.01 约等于每月 +1%）"),
    Knob("noise", 0.06, float, "sd of a branch's month-to-month revenue noise, in logs", low=0.02, high=0.12,
         doc_zh="网点月收入随机波动的标准差（对数）"),
]

C = Column
TABLES = [
    Table("branches", "One row per branch: its type, its area and when CRM went live there.", (
        C("branch_id", "int64", "branch id", doc_zh="网点编号"),
        C("branch_type", "category", "business hall (large) or counter branch (small)",
          doc_zh="网点类型：营业厅（大）或邮政所（小）"),
        C("area", "category", "area of the district", doc_zh="所在片区"),
        C("wave", "int64", "rollout wave: 1 = pilot, 2, 3, ... later waves; 0 = goes live after the data end",
          doc_zh="推广批次：1 = 试点，2、3…… = 后续批次；0 = 数据期结束后才上线"),
        C("crm_month", "float64", "month in which CRM went live (NaN: not within the data)", "month",
          doc_zh="CRM 上线的月份（NaN：数据期内未上线）"),
    ), doc_zh="每个网点一行：类型、片区，以及 CRM 在该网点上线的时间。"),
    Table("monthly", "One row per branch and month: revenue from contracted business customers.", (
        C("branch_id", "int64", "branch id", doc_zh="网点编号"),
        C("month", "int64", "month, counted from 0 (month 0 is a January)", "month",
          doc_zh="月份，从0算起（第0个月是一月）"),
        C("revenue", "float64", "revenue from contracted business customers in the month", "thousand yuan",
          doc_zh="当月来自签约企业客户的收入"),
        C("crm_live", "bool", "CRM was live at the branch in this month", doc_zh="该月网点是否已启用 CRM"),
    ), doc_zh="每个网点每个月一行：来自签约企业客户的收入。"),
]

DESCRIPTION = """
Branches are business halls (30%) or counter branches (70%) (`truth['branch_types']`); a branch's revenue level
is log-normal by type and each branch has its own small growth rate around the common trend (sd 0.001 a month).
Log revenue of branch i in month t is

    log level_i + (trend + growth_i) t + season_t + shock_t + log(1 + lift(t - crm_month_i)) + noise N(0, noise²)

with season_t = 0.06 cos(2π (t - 11) / 12) (peak in December), a district-wide shock_t ~ N(0, 0.015²) common
to all branches, and lift(e) = true_effect x min(1, (e + 1) / ramp_months) for e = 0, 1, 2, ... months since
go-live (0 before go-live): the effect builds up over the first `ramp_months` months and then stays
(`truth['lift_by_event_time']`). Revenue is rounded to 0.01 thousand yuan.

Rollout: the branches are shuffled; the first `n_pilot` form the pilot wave, live from month 12; the others are
split evenly over `n_waves - 1` later waves and a last group (wave 0) that goes live after the data end.
Wave w goes live in month 12 + (w - 1) x gap with gap = (n_months - 12) // (n_waves + 1)
(`truth['wave_months']`). Who goes first is random, so every group shares the same trend: parallel trends
hold in proportion (in logs), and the difference in differences taken as a ratio of ratios against branches
not yet live is unbiased, while a before/after comparison adds the trend and the season to the effect.

A branch's change from the mean of six months to the mean of the next six has sd of about
sqrt(2 noise² / 6 + (6 x 0.001)²) (`truth['change_sd']`, the month shocks cancel between branches); a pilot
of n branches against n comparison branches detects a lift δ with 80% power at the 5% level (two-sided) when
n >= 2 change_sd² (1.96 + 0.84)² / log(1 + δ)² (`truth['required_n_3pct']` for δ = 3%, normal
approximation). Per branch, `truth['branches']` holds type, wave, go-live month, log level and own growth.
"""

DESCRIPTION_ZH = """
网点分为营业厅（30%）和邮政所（70%）（`truth['branch_types']`）；网点的收入水平按类型服从对数正态分布，每个网点
在共同趋势之外还有自己的小幅增长率（标准差为每月0.001）。网点 i 在第 t 个月的对数收入为

    log level_i + (trend + growth_i) t + season_t + shock_t + log(1 + lift(t - crm_month_i)) + 噪声 N(0, noise²)

其中季节项 season_t = 0.06 cos(2π (t - 11) / 12)（12月最高），全辖区共同的月度冲击 shock_t ~ N(0, 0.015²)，
lift(e) = true_effect x min(1, (e + 1) / ramp_months)，e = 0, 1, 2, … 为上线后的月数（上线前为0）：效果在上线后
的前 `ramp_months` 个月逐步累积，此后保持不变（`truth['lift_by_event_time']`）。收入四舍五入到0.01千元。

推广顺序：先把网点随机打乱；前 `n_pilot` 个组成试点批次，从第12个月起上线；其余网点平均分到 `n_waves - 1`
个后续批次和数据期结束后才上线的最后一组（wave 0）。第 w 批在第 12 + (w - 1) x gap 个月上线，
gap = (n_months - 12) // (n_waves + 1)（`truth['wave_months']`）。谁先上线是随机的，所以各组的趋势相同：平行
趋势在比例（对数）意义上成立，以尚未上线的网点为对照、按“比值之比”计算的双重差分是无偏的，而前后对比会把趋势
和季节也算进效果里。

网点收入从连续六个月的均值到其后六个月的均值的变化，标准差约为 sqrt(2 noise² / 6 + (6 x 0.001)²)
（`truth['change_sd']`；月度冲击在网点之间相互抵消）；n 个试点网点对 n 个对照网点，要在5%的显著性水平（双侧）
下以80%的检验功效发现提升 δ，需要 n >= 2 change_sd² (1.96 + 0.84)² / log(1 + δ)²（δ = 3% 时为
`truth['required_n_3pct']`，正态近似）。`truth['branches']` 逐个网点给出类型、批次、上线月份、对数收入水平和
自身增长率。
"""


def lift(event_time, true_effect: float, ramp_months: int) -> np.ndarray:
    """Planted lift at ``event_time`` months since go-live (0 before go-live).

    >>> lift(np.array([-1, 0, 2, 5, 9]), 0.06, 6).round(3).tolist()
    [0.0, 0.01, 0.03, 0.06, 0.06]
    """
    e = np.asarray(event_time, dtype=float)
    since = np.clip(e, 0.0, float(ramp_months))      # months since go-live, capped (NaN-free for e = -inf)
    return np.where(e >= 0, true_effect * np.minimum(1.0, (since + 1) / ramp_months), 0.0)


def wave_months(n_months: int, n_waves: int) -> dict[int, int]:
    """Go-live month of each wave (1 = pilot).

    >>> wave_months(36, 3)
    {1: 12, 2: 18, 3: 24}
    """
    gap = (n_months - PILOT_MONTH) // (n_waves + 1)
    return {w: PILOT_MONTH + (w - 1) * gap for w in range(1, n_waves + 1)}


@register("beijing_post", title="Beijing East District Post Office: a CRM rollout in waves",
          title_zh="北京东区邮局：分批推广 CRM", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n, T = k["n_branches"], k["n_months"]
    if k["n_pilot"] + k["n_waves"] > n:
        raise ValueError(f"knob 'n_pilot' ({k['n_pilot']}) plus knob 'n_waves' ({k['n_waves']}) must not exceed "
                         f"knob 'n_branches' ({n}): every later wave and the last group need at least one branch")
    pop = draw_segments(rng, n, BRANCH_TYPES)
    ids = np.arange(1, n + 1, dtype=np.int64)

    # rollout: shuffle, pilot first, the rest split evenly over the later waves and the last group (wave 0)
    order = rng.permutation(n)
    wave = np.zeros(n, dtype=np.int64)
    wave[order[: k["n_pilot"]]] = 1
    later = np.array_split(order[k["n_pilot"]:], k["n_waves"])      # waves 2..n_waves, then wave 0
    for w, members in enumerate(later[:-1], start=2):
        wave[members] = w
    months = wave_months(T, k["n_waves"])
    crm_month = np.array([months.get(int(w), np.nan) for w in wave], dtype=float)

    t = np.arange(T)
    season = SEASON_AMPLITUDE * np.cos(2 * np.pi * (t - 11) / 12)
    shock = MONTH_SHOCK_SD * rng.standard_normal(T)
    level = np.log(pop["revenue"].to_numpy())
    growth = pop["growth"].to_numpy()
    event = t[None, :] - np.where(np.isnan(crm_month), np.inf, crm_month)[:, None]
    uplift = lift(event, k["true_effect"], k["ramp_months"])
    log_rev = (level[:, None] + (k["trend"] + growth)[:, None] * t[None, :] + (season + shock)[None, :]
               + np.log1p(uplift) + k["noise"] * rng.standard_normal((n, T)))
    revenue = np.round(np.exp(log_rev), 2)

    branches = pd.DataFrame({"branch_id": ids, "branch_type": pop["segment"].array, "area": pop["area"].array,
                             "wave": wave, "crm_month": crm_month})
    monthly = pd.DataFrame({"branch_id": np.repeat(ids, T), "month": np.tile(t, n).astype(np.int64),
                            "revenue": revenue.ravel(), "crm_live": (event >= 0).ravel()})

    change_sd = math.sqrt(2 * k["noise"] ** 2 / WINDOW + (WINDOW * 0.001) ** 2)
    z = 1.959963984540054 + 0.8416212335729143
    max_e = T - PILOT_MONTH
    truth = {
        "true_effect": k["true_effect"], "ramp_months": k["ramp_months"], "trend": k["trend"],
        "lift_by_event_time": {int(e): float(v) for e, v in
                               enumerate(lift(np.arange(max_e), k["true_effect"], k["ramp_months"]))},
        "window_lift": float(lift(np.arange(WINDOW), k["true_effect"], k["ramp_months"]).mean()),
        "wave_months": months, "wave_sizes": {int(w): int((wave == w).sum()) for w in sorted(set(wave))},
        "season": season.tolist(), "month_shock": shock.tolist(),
        "branch_types": [{key: s[key] for key in ("name", "share")} for s in BRANCH_TYPES],
        "growth_sd": 0.001, "noise": k["noise"], "change_sd": change_sd,
        "required_n_3pct": int(math.ceil(2 * change_sd ** 2 * z ** 2 / math.log(1.03) ** 2)),
        "branches": pd.DataFrame({"branch_type": pop["segment"].array, "wave": wave,
                                  "crm_month": crm_month, "log_level": level, "growth": growth},
                                 index=pd.Index(ids, name="branch_id")),
    }
    return {"branches": branches, "monthly": monthly}, truth
