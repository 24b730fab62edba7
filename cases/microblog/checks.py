"""Exercise checks of the microblog case (notebooks/microblog.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with plain numpy arrays (boolean masks, products over
a customers x channels matrix, bit masks for the channel mixes), independently of the notebook's pandas
group-bys over reach patterns, so a notebook bug cannot make a wrong answer pass. The world is built in
cases/microblog/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, exercise, mistakes, same_set, solutions

CASE = "microblog"
CHANNELS = ("microblog", "sms", "email", "call_centre", "print")


def _reach(world) -> np.ndarray:
    """customers x channels boolean matrix, channels in the order of CHANNELS (from the `channels` table)."""
    cust, ch = world.tables["customers"], world.tables["channels"]
    col = dict(zip(ch["channel"].astype(str), ch["reach_column"].astype(str)))
    return np.column_stack([cust[col[c]].to_numpy(dtype=bool) for c in CHANNELS])


def _pilot_rates(world) -> np.ndarray:
    p = world.tables["pilot"]
    ch = p["channel"].astype(str).to_numpy()
    y = p["responded"].to_numpy(dtype=float)
    return np.array([y[ch == c].sum() / max(1, (ch == c).sum()) for c in CHANNELS])


def _costs(world) -> np.ndarray:
    ch = world.tables["channels"]
    cost = dict(zip(ch["channel"].astype(str), ch["cost_per_contact"].to_numpy(dtype=float)))
    return np.array([cost[c] for c in CHANNELS])


def _responders(reach: np.ndarray, rates: np.ndarray, bits: int) -> float:
    use = np.array([(bits >> j) & 1 for j in range(len(CHANNELS))], dtype=bool)
    miss = np.ones(reach.shape[0])
    for j in np.flatnonzero(use):
        miss = miss * np.where(reach[:, j], 1.0 - rates[j], 1.0)
    return float((1.0 - miss).sum())


CUT = 0.6  # Q5: the budget cut to 60% of the knob `budget`


def _best_bits(world) -> int:
    reach, rates, cost = _reach(world), _pilot_rates(world), _costs(world)
    audience = reach.sum(axis=0)
    best, best_val, best_cost = 0, 0.0, 0.0
    for bits in range(1, 2 ** len(CHANNELS)):
        use = np.array([(bits >> j) & 1 for j in range(len(CHANNELS))], dtype=bool)
        c = float((cost * audience)[use].sum())
        if c > CUT * world.knobs["budget"]:
            continue
        v = _responders(reach, rates, bits)
        tol = 1e-9 * max(1.0, abs(best_val))
        if v > best_val + tol or (abs(v - best_val) <= tol and c < best_cost):
            best, best_val, best_cost = bits, v, c
    return best


@exercise(CASE, "q1", hint="Growth rate = users at the end / users at the start - 1, from the `cnnic` table's "
                           "microblog_users (a number like 0.5 for +50%, not the multiple end / start).",
          hint_zh="增长率 = 期末用户数 / 期初用户数 - 1，用 `cnnic` 表中的 microblog_users 计算（+50%写作0.5，"
                  "不是期末 / 期初的倍数）。")
def q1(world, answer):
    t = world.tables["cnnic"]
    users = t[t["figure"].astype(str) == "microblog_users"]
    per = dict(zip(users["period"].astype(str), users["value"].to_numpy(dtype=float)))
    return close(answer, per["2011-06"] / per["2010-12"] - 1.0, abs=0.005,
                 what="the growth rate of microblog users in the first half of 2011",
                 what_zh="2011年上半年微博用户的增长率")


@exercise(CASE, "q2", hint="Among the customers with internet_user True, the share with microblog_user True "
                           "(a share between 0 and 1).",
          hint_zh="在 internet_user 为 True 的客户中，microblog_user 为 True 的比例（0到1之间）。")
def q2(world, answer):
    c = world.tables["customers"]
    net = c["internet_user"].to_numpy(dtype=bool)
    mb = c["microblog_user"].to_numpy(dtype=bool)
    if not net.any():
        return False, Text("this world has no internet users, so the penetration is undefined",
                           "这个数据世界没有网民，普及率没有定义")
    return close(answer, float((mb & net).sum() / net.sum()), abs=5e-4,
                 what="microblog penetration among the internet users", what_zh="网民中的微博普及率")


@exercise(CASE, "q3", hint="Count the customers reachable by at least one of microblog, SMS and e-mail (follows_brand "
                           "or sms_opt_in or email_opt_in), divided by all customers (a share).",
          hint_zh="数出至少能被微博、短信、电子邮件之一触达的客户（follows_brand 或 sms_opt_in 或 email_opt_in），"
                  "再除以客户总数（一个比例）。")
def q3(world, answer):
    r = _reach(world)
    return close(answer, float(r[:, :3].any(axis=1).mean()), abs=5e-4,
                 what="the net reach of microblog + SMS + e-mail", what_zh="微博 + 短信 + 电子邮件的净覆盖率")


@exercise(CASE, "q4", hint="Pilot response rate of each channel = responders / contacts. A customer reached by both "
                           "responds at least once with probability 1 - (1 - r_call)(1 - r_print); sum that over "
                           "the customers (use each customer's own channels).",
          hint_zh="每个渠道的试点响应率 = 响应人数 / 联系人数。两个渠道都能触达的客户至少响应一次的概率是 "
                  "1 - (1 - r_call)(1 - r_print)；对每位客户（按他自己能被哪些渠道触达）求和。")
def q4(world, answer):
    v = _responders(_reach(world), _pilot_rates(world), (1 << 3) | (1 << 4))
    return close(answer, v, rel=1e-3, what="the expected responders of call centre + print",
                 what_zh="呼叫中心 + 直邮的期望响应人数")


@exercise(CASE, "q5", hint="For every mix of channels: cost = sum of cost_per_contact x audience; expected responders "
                           "net of overlap with the pilot rates (as in Q4). Keep the mixes costing at most "
                           "0.6 x budget and take the one with the most expected responders (a tie goes to the "
                           "cheaper mix). Answer with a list of channel names.",
          hint_zh="对每个渠道组合：成本 = 各渠道 cost_per_contact x 受众人数之和；用试点响应率算出扣除重叠后的期望响应人数"
                  "（同Q4）。只保留成本不超过 0.6 x budget 的组合，取期望响应人数最多的那个（并列时取较便宜的）。"
                  "答案是渠道名称的列表。")
def q5(world, answer):
    bits = _best_bits(world)
    return same_set(answer, [c for j, c in enumerate(CHANNELS) if (bits >> j) & 1],
                    what="the channels of the best mix within the reduced budget", what_zh="压缩后的预算之内最佳组合的渠道")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world) -> dict:
    """The notebook's objects: pilot rates (a groupby), reach patterns and the table of every mix."""
    customers, channels, pilot = world.tables["customers"], world.tables["channels"], world.tables["pilot"]
    reach_cols = dict(zip(channels["channel"].astype(str), channels["reach_column"].astype(str)))
    reach = pd.DataFrame({c: customers[reach_cols[c]] for c in CHANNELS})
    rates = pilot.groupby("channel", observed=True)["responded"].mean().reindex(list(CHANNELS)).fillna(0.0)
    cost = channels.set_index(channels["channel"].astype(str))["cost_per_contact"].reindex(list(CHANNELS))
    patterns = reach.value_counts().rename("customers").reset_index()
    return {"reach": reach, "rates": rates, "cost": cost, "patterns": patterns}


def _mix_table(patterns: pd.DataFrame, rates: pd.Series, cost: pd.Series, audience: pd.Series) -> pd.DataFrame:
    """Every mix's cost, net reach and expected responders, from the reach patterns (as in the notebook)."""
    rows = []
    for size in range(len(CHANNELS) + 1):
        from itertools import combinations
        for mix in combinations(CHANNELS, size):
            mix = list(mix)
            miss = np.ones(len(patterns))
            for c in mix:
                miss = miss * (1 - rates[c] * patterns[c])
            reached = patterns[mix].any(axis=1) if mix else pd.Series(False, index=patterns.index)
            rows.append({"mix": " + ".join(mix) if mix else "none", "channels": mix,
                         "cost": float((cost[mix] * audience[mix]).sum()),
                         "net_reach": int(patterns.loc[reached, "customers"].sum()),
                         "responders": float(((1 - miss) * patterns["customers"]).sum())})
    return pd.DataFrame(rows).set_index("mix")


def _pick(table: pd.DataFrame, budget: float, by: str = "responders") -> list:
    ok = table[table["cost"] <= budget].sort_values([by, "cost"], ascending=[False, True], kind="stable")
    return list(ok["channels"].iloc[0])


def _greedy(order, cost, audience, budget) -> list:
    chosen, spent = [], 0.0
    for c in order:
        if spent + cost[c] * audience[c] <= budget:
            chosen.append(c)
            spent += cost[c] * audience[c]
    return chosen


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/microblog.ipynb, section 5."""
    nb = _notebook(world)
    cnnic = world.tables["cnnic"]
    users = cnnic[cnnic["figure"] == "microblog_users"].set_index("period")["value"]
    growth_rate = float(users["2011-06"] / users["2010-12"] - 1)
    customers = world.tables["customers"]
    penetration = float(customers.loc[customers["internet_user"], "microblog_user"].mean())
    reach, rates = nb["reach"], nb["rates"]
    net_reach = float(reach[["microblog", "sms", "email"]].any(axis=1).mean())
    p_any = 1 - (1 - rates["call_centre"] * reach["call_centre"]) * (1 - rates["print"] * reach["print"])
    two = float(p_any.sum())
    table = _mix_table(nb["patterns"], rates, nb["cost"], reach.sum())
    best = _pick(table, CUT * world.knobs["budget"])
    return {"q1": growth_rate, "q2": penetration, "q3": net_reach, "q4": two, "q5": best}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    nb = _notebook(world)
    right = answers(world)
    customers = world.tables["customers"]
    reach, rates, cost = nb["reach"], nb["rates"], nb["cost"]
    audience = reach.sum()
    budget = CUT * world.knobs["budget"]
    table = _mix_table(nb["patterns"], rates, cost, audience)
    summed = table.assign(responders=[float((rates[m] * audience[m]).sum()) for m in table["channels"]])
    q5 = {"every channel (the budget ignored)": list(CHANNELS),
          "the mix chosen under the full budget (section 4.4), not the reduced one": _pick(table, world.knobs["budget"]),
          "cheapest per contact first while the budget lasts": _greedy(cost.sort_values(kind="stable").index, cost,
                                                                       audience, budget),
          "the largest net reach within the budget (response ignored)": _pick(table, budget, by="net_reach"),
          "responders summed over channels (overlap ignored)": _pick(summed, budget),
          "highest pilot response rate first while the budget lasts":
              _greedy(rates.sort_values(ascending=False, kind="stable").index, cost, audience, budget),
          "the single channel with the most expected responders (no mix)": _pick(table[table["channels"].map(len) == 1],
                                                                                  budget) if (
              table.loc[table["channels"].map(len) == 1, "cost"] <= budget).any() else []}
    # a 'mistake' that happens to give the right mix in this world is not a mistake here
    q5 = {what: mix for what, mix in q5.items() if set(mix) != set(right["q5"])}
    three = ["microblog", "sms", "email"]
    return {
        "q1": {"the multiple (end / start) instead of the growth rate": right["q1"] + 1,
               "'grew about 2 times' read as twice as many (a growth rate of 1)": 1.0,
               "a percentage instead of a rate": 100 * right["q1"]},
        "q2": {"microblog users over all customers (the wrong denominator)":
                   float(customers["microblog_user"].mean()),
               "followers of the brand over internet users": float(
                   customers.loc[customers["internet_user"], "follows_brand"].mean()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"the three audiences added up (overlap counted twice)": float(audience[three].sum() / len(reach)),
               "the largest single audience": float(audience[three].max() / len(reach)),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"the two channels' responders added up (overlap ignored)":
                   float(rates["call_centre"] * audience["call_centre"] + rates["print"] * audience["print"]),
               "responders counted in the pilot instead of expected in the campaign": float(
                   world.tables["pilot"].loc[world.tables["pilot"]["channel"].isin(["call_centre", "print"]),
                                             "responded"].sum()),
               "the average pilot rate times the net reach": float(
                   rates[["call_centre", "print"]].mean() * reach[["call_centre", "print"]].any(axis=1).sum())},
        "q5": q5,
    }
