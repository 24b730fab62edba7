"""Exercise checks of the Huawei case (notebooks/huawei.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with numpy, independently of the notebook's pandas
code. Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``)
and the classic mistakes each check must refuse (``@mistakes``). The world is built in cases/huawei/world.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, equal, exercise, mistakes, solutions

CASE = "huawei"
AS_OF = np.datetime64("2026-01-01", "D")


def _arrays(world):
    a = world.tables["accounts"]
    ids = a["account_id"].to_numpy()
    profit = a["gross_profit"].to_numpy(float) - a["cost_to_serve"].to_numpy(float)
    potential = a["planned_capex"].to_numpy(float) / 3 - a["revenue"].to_numpy(float)
    return a, ids, profit, potential


def _count(answer):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    return answer


@exercise(CASE, "q1", hint="Profit = gross_profit - cost_to_serve; potential = planned_capex / 3 - revenue (the yearly "
                           "spend not yet with us). Count accounts with potential above its median and profit at or "
                           "below its median.",
          hint_zh="利润 = gross_profit - cost_to_serve；潜力 = planned_capex / 3 - revenue（每年尚未花在我们这里的支出）。"
                  "数出潜力高于其中位数、而利润不高于其中位数的账户。")
def q1(world, answer):
    _, _, profit, potential = _arrays(world)
    expected = int(np.sum((potential > np.median(potential)) & (profit <= np.median(profit))))
    return equal(_count(answer), expected, what="the number of 'develop' accounts (high potential, low value)",
                 what_zh="“重点开发”账户（潜力高、价值低）的个数")


@exercise(CASE, "q2", hint="Take the round(0.2 x number of accounts) most profitable accounts; the share of them with no "
                           "'visit' in the interaction log on or after 3 October 2025 (the last 90 days of the year).",
          hint_zh="取利润最高的 round(0.2 x 账户数) 个账户，算出其中在2025年10月3日及以后（全年最后90天）接触记录里没有"
                  "“visit”（拜访）的比例。")
def q2(world, answer):
    _, ids, profit, _ = _arrays(world)
    k = max(1, round(0.2 * len(ids)))
    top = ids[np.argsort(-profit, kind="stable")[:k]]
    log = world.tables["interactions"]
    recent = (log["kind"].astype(str).to_numpy() == "visit") & (log["date"].to_numpy() >= AS_OF - np.timedelta64(90, "D"))
    visited = np.isin(top, log["account_id"].to_numpy()[recent])
    return close(answer, float(1 - visited.mean()), abs=0.5 / k,
                 what="the share of the most profitable accounts not visited in the last 90 days",
                 what_zh="最赚钱账户中最近90天未被拜访的比例")


@exercise(CASE, "q3", hint="For each tier: number of 'fault' interactions divided by total sites; then gold / basic.",
          hint_zh="对每个等级：“fault”（故障）接触记录数除以站点总数；再用金级的值除以基本保修的值。")
def q3(world, answer):
    a = world.tables["accounts"]
    log = world.tables["interactions"]
    fault_ids = log["account_id"].to_numpy()[log["kind"].astype(str).to_numpy() == "fault"]
    faults = np.bincount(fault_ids, minlength=int(a["account_id"].max()) + 1)[a["account_id"].to_numpy()]
    tier = a["contract_tier"].astype(str).to_numpy()
    sites = a["sites"].to_numpy(float)
    rate = {t: faults[tier == t].sum() / sites[tier == t].sum() for t in ("gold", "basic")}
    return close(answer, float(rate["gold"] / rate["basic"]), rel=0.002,
                 what="gold's fault rate per site relative to basic's", what_zh="金级与基本保修每站点故障率之比")


@exercise(CASE, "q4", hint="Mean satisfaction of each team's accounts; regress it on the team's engagement (ordinary "
                           "least squares with an intercept) and give the slope per point of engagement.",
          hint_zh="先算每个团队所服务账户的平均满意度，再把它对团队敬业度做带截距的最小二乘回归，给出每1分敬业度的斜率。")
def q4(world, answer):
    a, t = world.tables["accounts"], world.tables["teams"]
    team = a["team_id"].to_numpy()
    sums = np.bincount(team, weights=a["satisfaction"].to_numpy(float))
    counts = np.bincount(team)
    tid = t["team_id"].to_numpy()
    keep = counts[tid] > 0
    y = sums[tid][keep] / counts[tid][keep]
    x = t["engagement"].to_numpy(float)[keep]
    slope = np.polyfit(x, y, 1)[0]
    return close(answer, float(slope), abs=5e-4, rel=0.002,
                 what="the slope of team satisfaction on engagement", what_zh="团队平均满意度对敬业度回归的斜率")


@exercise(CASE, "q5", hint="Split the teams at their median engagement (teams above the median vs the rest); renewal "
                           "rate of the accounts of the high teams minus that of the others (a difference of shares).",
          hint_zh="按团队敬业度的中位数把团队分开（高于中位数的团队与其余团队）；高敬业度团队所服务账户的续约率减去其余账户的"
                  "续约率（两个比例之差）。")
def q5(world, answer):
    a, t = world.tables["accounts"], world.tables["teams"]
    eng = t["engagement"].to_numpy(float)
    high_teams = t["team_id"].to_numpy()[eng > np.median(eng)]
    high = np.isin(a["team_id"].to_numpy(), high_teams)
    r = a["renewed"].to_numpy(bool)
    return close(answer, float(r[high].mean() - r[~high].mean()), abs=5e-4,
                 what="the renewal gap between high- and low-engagement teams",
                 what_zh="高敬业度团队与低敬业度团队所服务账户的续约率之差")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_accounts(world) -> pd.DataFrame:
    """The notebook's ``acc``: accounts with ``profit``, ``potential``, ``faults``, ``last_visit`` and team engagement."""
    acc = world.tables["accounts"].copy()
    log = world.tables["interactions"]
    acc["profit"] = acc["gross_profit"] - acc["cost_to_serve"]
    acc["potential"] = acc["planned_capex"] / 3 - acc["revenue"]
    counts = pd.crosstab(log["account_id"], log["kind"]).reindex(acc["account_id"], fill_value=0)
    acc["faults"] = counts["fault"].to_numpy()
    acc["visits"] = counts["visit"].to_numpy()
    last = log[log["kind"] == "visit"].groupby("account_id")["date"].max()
    acc["last_visit"] = acc["account_id"].map(last)
    acc = acc.merge(world.tables["teams"], on="team_id", how="left")
    return acc


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/huawei.ipynb, section 5."""
    acc = _notebook_accounts(world)
    develop = int(((acc["potential"] > acc["potential"].median()) & (acc["profit"] <= acc["profit"].median())).sum())
    top = acc.nlargest(round(0.2 * len(acc)), "profit")
    cutoff = pd.Timestamp("2026-01-01") - pd.Timedelta(days=90)
    share_not_visited = float((~(top["last_visit"] >= cutoff)).mean())
    per_tier = acc.groupby("contract_tier", observed=False)[["faults", "sites"]].sum()
    rate = per_tier["faults"] / per_tier["sites"]
    gold_vs_basic = float(rate["gold"] / rate["basic"])
    team = acc.groupby("team_id").agg(engagement=("engagement", "first"), satisfaction=("satisfaction", "mean"))
    slope = float(np.cov(team["engagement"], team["satisfaction"])[0, 1] / team["engagement"].var())
    teams = world.tables["teams"]
    high = acc["engagement"] > teams["engagement"].median()
    renewal_gap = float(acc.loc[high, "renewed"].mean() - acc.loc[~high, "renewed"].mean())
    return {"q1": develop, "q2": share_not_visited, "q3": gold_vs_basic, "q4": slope, "q5": renewal_gap}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    acc = _notebook_accounts(world)
    right = answers(world)
    hi_pot = acc["potential"] > acc["potential"].median()
    capex = acc["planned_capex"] > acc["planned_capex"].median()
    k = round(0.2 * len(acc))
    cutoff = pd.Timestamp("2026-01-01") - pd.Timedelta(days=90)
    log = world.tables["interactions"]
    last_any = log.groupby("account_id")["date"].max()
    top = acc.nlargest(k, "profit")
    per_tier = acc.groupby("contract_tier", observed=False)[["faults", "sites"]]
    per_account = per_tier.mean()["faults"]
    team = acc.groupby("team_id").agg(engagement=("engagement", "first"), satisfaction=("satisfaction", "mean"))
    reverse = float(np.cov(team["engagement"], team["satisfaction"])[0, 1] / team["satisfaction"].var())
    teams = world.tables["teams"]
    high = acc["engagement"] > teams["engagement"].median()
    r_hi, r_lo = acc.loc[high, "renewed"].mean(), acc.loc[~high, "renewed"].mean()
    return {
        "q1": {"potential = announced capex, not net of what the account already buys from us":
                   int((capex & (acc["profit"] <= acc["profit"].median())).sum()),
               "the 'keep' quadrant (high potential and high value)":
                   int((hi_pot & (acc["profit"] > acc["profit"].median())).sum())},
        "q2": {"no visit in the whole year instead of in the last 90 days": float(top["last_visit"].isna().mean()),
               "any interaction (faults, inspections) counted as a visit":
                   float((~(top["account_id"].map(last_any) >= cutoff)).mean()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"faults per account instead of per site (big accounts buy gold)":
                   float(per_account["gold"] / per_account["basic"]),
               "basic over gold (the ratio upside down)": 1 / right["q3"]},
        "q4": {"engagement regressed on satisfaction (the regression reversed)": reverse,
               "the correlation coefficient instead of the slope":
                   float(np.corrcoef(team["engagement"], team["satisfaction"])[0, 1]),
               "per 10 points of engagement instead of per point": 10 * right["q4"]},
        "q5": {"percentage points instead of a difference of shares": 100 * right["q5"],
               "low minus high (the wrong sign)": -right["q5"],
               "relative gap (high / low - 1) instead of the difference": float(r_hi / r_lo - 1)},
    }
