"""Exercise checks of the Payne-ladder case (notebooks/payne_ladder.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's panel with plain numpy (counting consecutive quarters, solving
the absorbing-chain equations directly), independently of ``crmlab.ladder``, which the notebook uses, so a bug in
either cannot make a wrong answer pass. The world is built in cases/payne_ladder/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, through
``crmlab.ladder``) and the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import ladder
from crmlab.checks import close, exercise, mistakes, solutions

CASE = "payne_ladder"
RUNGS = ["prospect", "customer", "client", "supporter", "advocate", "partner"]
STATES = RUNGS + ["lost"]
LOWER, UPPER = ["prospect", "customer"], ["client", "supporter"]
SHARES = np.linspace(0.0, 1.0, 11)


def _counts(world) -> np.ndarray:
    """Moves between consecutive quarters of the same customer, counted with numpy (7 x 7)."""
    p = world.tables["panel"]
    order = np.lexsort((p["period"].to_numpy(), p["customer_id"].to_numpy()))
    cid, per = p["customer_id"].to_numpy()[order], p["period"].to_numpy()[order]
    code = np.array([STATES.index(s) for s in p["rung"].astype(str).to_numpy()])[order]
    ok = (cid[1:] == cid[:-1]) & (per[1:] - per[:-1] == 1)
    k = len(STATES)
    return np.bincount(code[:-1][ok] * k + code[1:][ok], minlength=k * k).reshape(k, k).astype(float)


def _matrix(world) -> np.ndarray:
    c = _counts(world)
    c[-1] = 0.0
    c[-1, -1] = 1.0                                          # lost is absorbing
    return c / c.sum(axis=1, keepdims=True)


def _margins(world) -> np.ndarray:
    p = world.tables["panel"]
    rung = p["rung"].astype(str).to_numpy()
    m = p["margin"].to_numpy()
    return np.array([m[rung == s].mean() if (rung == s).any() else 0.0 for s in STATES])


def _absorb(M: np.ndarray, absorbing: list[str]):
    """(transient names, N, B) of the chain M with the given absorbing states."""
    t = [i for i, s in enumerate(STATES) if s not in absorbing]
    a = [STATES.index(s) for s in absorbing]
    N = np.linalg.inv(np.eye(len(t)) - M[np.ix_(t, t)])
    return [STATES[i] for i in t], N, N @ M[np.ix_(t, a)]


def _value(M: np.ndarray, r: np.ndarray, d: float) -> np.ndarray:
    keep = np.arange(len(STATES)) < len(RUNGS)              # lost earns nothing and stays lost
    v = np.zeros(len(STATES))
    v[keep] = np.linalg.solve(np.eye(keep.sum()) - M[np.ix_(keep, keep)] / (1 + d), r[keep])
    return v


def _budget_values(world, M: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Value of the first-quarter customer base for each share of the budget on the lower rungs."""
    k = world.knobs
    p = world.tables["panel"]
    first = p.loc[p["period"].to_numpy() == 0, "rung"].astype(str).to_numpy()
    w = np.array([(first == s).mean() for s in STATES])
    out = []
    for s in SHARES:
        B = M.copy()
        for group, share in ((LOWER, s), (UPPER, 1 - s)):
            for rung in group:
                i = STATES.index(rung)
                moved = B[i, i] * (1 - np.exp(-k["spend_effect"] * share * k["budget"] / len(group)))
                B[i, i] -= moved
                B[i, i + 1] += moved
        out.append(float(w @ _value(B, r, k["discount"])))
    return np.array(out)


@exercise(CASE, "q1", hint="Count the moves prospect -> customer between consecutive quarters of the same customer and "
                           "divide by all moves out of prospect (quarters with no next quarter do not count).",
          hint_zh="数出同一客户相邻两个季度中“潜在顾客 -> 顾客”的移动次数，再除以从潜在顾客出发的全部移动次数"
                  "（没有下一个季度的记录不算）。")
def q1(world, answer):
    M = _matrix(world)
    return close(answer, float(M[0, 1]), rel=0.001, what="the quarterly probability prospect -> customer",
                 what_zh="每季度从潜在顾客升为顾客的概率")


@exercise(CASE, "q2", hint="Make 'lost' absorbing; the fundamental matrix N = (I - Q)^-1 of the estimated chain; "
                           "the prospect's row sum of N (the starting quarter counts).",
          hint_zh="把“流失”设为吸收状态；用估计出的转移矩阵求基本矩阵 N = (I - Q)^-1；取潜在顾客那一行的行和"
                  "（起始季度也算在内）。")
def q2(world, answer):
    names, N, _ = _absorb(_matrix(world), ["lost"])
    return close(answer, float(N[names.index("prospect")].sum()), rel=0.001,
                 what="the expected quarters a prospect stays before being lost", what_zh="潜在顾客在流失前停留的期望季度数")


@exercise(CASE, "q3", hint="Make both 'advocate' and 'lost' absorbing and read B = N R, the probability of ending in "
                           "advocate, on the row of 'customer'.",
          hint_zh="把“宣传者”和“流失”都设为吸收状态，在“顾客”那一行读出 B = N R 中最终到达宣传者的概率。")
def q3(world, answer):
    names, _, B = _absorb(_matrix(world), ["advocate", "lost"])
    return close(answer, float(B[names.index("customer"), 0]), rel=0.001,
                 what="the probability that a customer ever becomes an advocate", what_zh="顾客最终成为宣传者的概率")


@exercise(CASE, "q4", hint="Same chain as Q3; the expected steps given absorption in advocate are (N b) / b with b the "
                           "column of B for advocate; read the row of 'prospect'.",
          hint_zh="与第3题同一条链；以到达宣传者为条件的期望步数为 (N b) / b，b 是 B 中宣传者那一列；读潜在顾客那一行。")
def q4(world, answer):
    names, N, B = _absorb(_matrix(world), ["advocate", "lost"])
    b = B[:, 0]
    i = names.index("prospect")
    return close(answer, float((N @ b)[i] / b[i]), rel=0.001,
                 what="the expected quarters from prospect to advocate (for those who get there)",
                 what_zh="从潜在顾客到宣传者的期望季度数（以最终到达为条件）")


@exercise(CASE, "q5", hint="Reward = the mean margin per quarter on each rung in the panel (lost earns 0); solve "
                           "v = r + P v / (1 + discount) with the estimated matrix; read v of 'advocate'.",
          hint_zh="回报 r = 面板中各级的季度平均毛利（流失为0）；用估计出的转移矩阵解 v = r + P v / (1 + discount)；"
                  "读出宣传者的 v。")
def q5(world, answer):
    v = _value(_matrix(world), _margins(world), world.knobs["discount"])
    return close(answer, float(v[STATES.index("advocate")]), rel=0.001,
                 what="the lifetime value of an advocate", what_zh="一位宣传者的客户终身价值")


@exercise(CASE, "q6", hint="On the estimated chain and margins, value the first-quarter customer base for shares 0, "
                           "0.1, ..., 1 of the budget on the lower rungs; best value minus the value at share 1.",
          hint_zh="在估计出的转移矩阵和毛利上，对投向低层的预算比例 0、0.1、…、1 分别计算第一个季度客户群的价值；"
                  "用最优值减去比例为1时的值。")
def q6(world, answer):
    vals = _budget_values(world, _matrix(world), _margins(world))
    return close(answer, float(vals.max() - vals[-1]), rel=0.002, abs=0.01,
                 what="the value per customer gained by the best split over spending all on the lower rungs",
                 what_zh="最优分配相对于全部投向低层时每位客户多创造的价值")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_chain(world):
    """The notebook's estimated matrix ``P_hat`` and margins per rung ``margin_hat`` (section 4)."""
    panel = world.tables["panel"]
    P_hat = ladder.estimate_transitions(panel, state_col="rung", absorbing=["lost"]).matrix
    margin_hat = panel.groupby("rung", observed=False)["margin"].mean().fillna(0.0)
    return panel, P_hat, margin_hat


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/payne_ladder.ipynb, section 5, through crmlab.ladder."""
    panel, P_hat, margin_hat = _notebook_chain(world)
    k = world.knobs
    p_prospect_customer = float(P_hat.loc["prospect", "customer"])
    quarters_before_lost = float(ladder.absorbing_summary(P_hat, ["lost"]).loc["prospect", "expected_steps"])
    to_adv = ladder.absorbing_summary(P_hat, ["advocate", "lost"])
    prob_customer_advocate = float(to_adv.loc["customer", "prob_advocate"])
    quarters_to_advocate = float(to_adv.loc["prospect", "steps_to_advocate"])
    value_advocate = float(ladder.value_by_rung(P_hat, margin_hat.to_dict(), discount=k["discount"])["advocate"])
    start_hat = panel.loc[panel["period"] == 0, "rung"].value_counts().to_dict()
    split = ladder.budget_allocation(P_hat, margin_hat.to_dict(), budget=k["budget"], lower=LOWER, upper=UPPER,
                                     start=start_hat, effect=k["spend_effect"], discount=k["discount"])
    best_over_lower = float(split["value"].max() - split["value"].iloc[-1])
    return {"q1": p_prospect_customer, "q2": quarters_before_lost, "q3": prob_customer_advocate,
            "q4": quarters_to_advocate, "q5": value_advocate, "q6": best_over_lower}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    panel, P_hat, margin_hat = _notebook_chain(world)
    right = answers(world)
    k = world.knobs
    counts = ladder.estimate_transitions(panel, state_col="rung", absorbing=["lost"]).counts
    # Q3: the share of those starting on 'customer' seen as advocates within the panel (censored by its end)
    first = panel[panel["period"] == 0].set_index("customer_id")["rung"]
    starters = first.index[first == "customer"]
    reached = panel[panel["customer_id"].isin(starters)].groupby("customer_id")["rung"].apply(
        lambda s: bool((s == "advocate").any()))
    # Q4: waiting 1 / P(up) on each rung, as if nobody fell back
    naive_wait = sum(1 / P_hat.loc[a, b] for a, b in zip(["prospect", "customer", "client", "supporter"],
                                                         ["customer", "client", "supporter", "advocate"]))
    to_adv = ladder.absorbing_summary(P_hat, ["advocate", "lost"])
    steps_lost = ladder.absorbing_summary(P_hat, ["lost"])
    v0 = ladder.value_by_rung(P_hat, margin_hat.to_dict(), discount=0.0)["advocate"]
    start_hat = panel.loc[panel["period"] == 0, "rung"].value_counts().to_dict()
    split = ladder.budget_allocation(P_hat, margin_hat.to_dict(), budget=k["budget"], lower=LOWER, upper=UPPER,
                                     start=start_hat, effect=k["spend_effect"], discount=k["discount"])
    out = {
        "q1": {"a percentage instead of a probability": 100 * right["q1"],
               "moves prospect -> customer over all moves (a joint share, not a conditional probability)":
                   float(counts.loc["prospect", "customer"] / counts.to_numpy().sum()),
               "among the prospects who moved, leaving out those who stayed prospects":
                   float(counts.loc["prospect", "customer"]
                         / (counts.loc["prospect"].sum() - counts.loc["prospect", "prospect"]))},
        "q2": {"1 / P(prospect -> lost), as if prospects never climbed": float(1 / P_hat.loc["prospect", "lost"]),
               "the starting quarter not counted (row sum of N minus 1)": right["q2"] - 1},
        "q3": {"product of the one-step up probabilities (no staying, no falling back)":
                   float(P_hat.loc["customer", "client"] * P_hat.loc["client", "supporter"]
                         * P_hat.loc["supporter", "advocate"]),
               "the share seen reaching advocate within the panel (censored by its end)": float(reached.mean())},
        "q4": {"the sum of 1 / P(up) over the four rungs, as if nobody fell back or was lost": float(naive_wait),
               "the expected time to absorption in either advocate or lost (not given advocate)":
                   float(to_adv.loc["prospect", "expected_steps"])},
        "q5": {"the advocate's margin times the quarters before being lost, as if it stayed an advocate":
                   float(margin_hat["advocate"] * steps_lost.loc["advocate", "expected_steps"])},
        "q6": {"the best split's gain over spending nothing (the gain column)": float(split.loc[split["best"], "gain"].iloc[0])},
    }
    if k["discount"] > 0:                                    # with no discount these coincide with the answer
        out["q5"]["undiscounted (discount = 0)"] = float(v0)
        out["q5"]["the advocate's margin as a perpetuity (margin / discount), ignoring churn"] = \
            float(margin_hat["advocate"] / k["discount"])
    all_upper = float(split["value"].max() - split["value"].iloc[0])
    if abs(all_upper - right["q6"]) > 0.02 * max(abs(right["q6"]), 1.0):   # differs unless the best split is 0
        out["q6"]["compared with all on the upper rungs (share 0), not all on the lower"] = all_upper
    return out
