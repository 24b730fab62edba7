"""Exercise checks of the Beijing East District Post Office case (notebooks/beijing_post.ipynb), computed from the
student's own world.

Each check recomputes its answer from the world's tables with plain numpy (a branch × month array filled cell by
cell, explicit loops over waves), independently of the notebook's pandas and of ``crmlab.effects``, so a notebook
bug cannot make a wrong answer pass. The pilot-size check uses the normal-approximation formula where the notebook
simulates, and accepts the simulation's answer within the precision a simulation of that size has. The world is
built in cases/beijing_post/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

from crmlab import effects
from crmlab.checks import close, exercise, mistakes, solutions

CASE = "beijing_post"
WINDOW = 6            # months before / after go-live compared (the notebook's `window`)
PILOT_MONTH = 12      # the pilot wave's go-live month
EVENT_TIME = 6        # Q3: months since go-live
WIN, POWER, LEVEL = 0.03, 0.8, 0.05   # Q4: the win to detect, the power wanted, the significance level
N_SIMS = 2000         # the notebook's default number of simulated pilots


def _panel(world):
    """Revenue as a branch × month array (rows in the order of the branches table) and the go-live months."""
    b, m = world.tables["branches"], world.tables["monthly"]
    row = {bid: i for i, bid in enumerate(b["branch_id"].tolist())}
    Y = np.full((len(b), int(m["month"].max()) + 1), np.nan)
    for bid, month, rev in zip(m["branch_id"].tolist(), m["month"].tolist(), m["revenue"].tolist()):
        Y[row[bid], month] = rev
    go = np.where(np.isnan(b["crm_month"].to_numpy(float)), np.inf, b["crm_month"].to_numpy(float))
    return Y, go


def _pilot_windows(world):
    Y, go = _panel(world)
    g = PILOT_MONTH
    before = Y[:, g - WINDOW:g].mean(axis=1)
    after = Y[:, g:g + WINDOW].mean(axis=1)
    return Y, go, before, after, go == g, go > g + WINDOW - 1


def _att(Y, go, e, comparison="not_yet"):
    """Event-study estimate at event time e: per wave, ratio of ratios against the comparison branches, then the
    average over waves weighted by their number of branches."""
    total, weight = 0.0, 0
    for g in sorted(set(go[np.isfinite(go)].tolist())):
        g = int(g)
        t = g + e
        if t < 0 or t >= Y.shape[1]:
            continue
        treated = go == g
        if comparison == "not_yet":
            comp = go > max(t, g)
        else:                                        # every other branch, already live ones included
            comp = ~treated
        if not comp.any():
            continue
        base = Y[:, g - WINDOW:g].mean(axis=1)
        r_t = Y[treated, t].mean() / base[treated].mean()
        if comparison == "none":
            att = r_t - 1
        else:
            att = r_t / (Y[comp, t].mean() / base[comp].mean()) - 1
        total += treated.sum() * att
        weight += int(treated.sum())
    return total / weight


def _noise_sd(world, kind="change"):
    """Spread of a branch's six-month change before any branch went live (months 0-5 → 6-11), in logs."""
    Y, _ = _panel(world)
    if kind == "change":
        d = np.log(Y[:, 6:12].mean(axis=1)) - np.log(Y[:, 0:6].mean(axis=1))
    elif kind == "month":
        d = np.log(Y[:, 11]) - np.log(Y[:, 5])
    else:                                                # levels across branches
        d = np.log(Y[:, 0:12].mean(axis=1))
    return float(np.std(d))        # ddof=0: the spread a resampling of these values reproduces


def _n_formula(sd, groups=2):
    """Smallest n per group with power >= POWER by the t approximation: n >= groups sd² (t_crit + t_power)² / δ²,
    the t quantiles taken at the degrees of freedom of n branches per group."""
    for n in range(2, 100_000):
        df = groups * (n - 1)
        z = stats.t.ppf(1 - LEVEL / 2, df) + stats.t.ppf(POWER, df)
        if n >= groups * sd ** 2 * z ** 2 / math.log1p(WIN) ** 2:
            return n
    return n


@exercise(CASE, "q1", hint="Pilot branches only (wave 1): total revenue in months 12-17 divided by total revenue in "
                           "months 6-11, minus 1 (a share, e.g. 0.05 for +5%).",
          hint_zh="只看试点网点（wave 1）：第12–17个月的收入合计除以第6–11个月的收入合计，再减1（比例，例如 +5% 写作0.05）。")
def q1(world, answer):
    _, _, before, after, pilot, _ = _pilot_windows(world)
    return close(answer, float(after[pilot].sum() / before[pilot].sum() - 1), abs=2e-4,
                 what="the pilot branches' before/after change", what_zh="试点网点的前后变化")


@exercise(CASE, "q2", hint="Keep the pilot branches and the branches not yet live by month 17. For each group: mean "
                           "revenue in months 12-17 / mean in months 6-11. Then pilot ratio / comparison ratio - 1.",
          hint_zh="保留试点网点和到第17个月仍未上线的网点。每组分别算：第12–17个月的平均收入 / 第6–11个月的平均收入；"
                  "再用试点组的比值除以对照组的比值，减1。")
def q2(world, answer):
    _, _, before, after, pilot, comp = _pilot_windows(world)
    did = (after[pilot].mean() / before[pilot].mean()) / (after[comp].mean() / before[comp].mean()) - 1
    return close(answer, float(did), abs=2e-4, what="the pilot's difference in differences",
                 what_zh="试点的双重差分估计")


@exercise(CASE, "q3", hint="For each wave g: month t = g + 6; comparison = branches whose go-live month is after both "
                           "t and g (not yet live); base = the mean of months g-6 to g-1. Ratio of ratios minus 1, "
                           "then average the waves weighted by their number of branches.",
          hint_zh="对每一批 g：取第 t = g + 6 个月；对照组 = 上线月份晚于 t 和 g 的网点（尚未上线）；基期 = 第 g-6 到 g-1 个月"
                  "的均值。算比值之比减1，再按各批的网点数加权平均。")
def q3(world, answer):
    Y, go = _panel(world)
    return close(answer, float(_att(Y, go, EVENT_TIME)), abs=2e-4,
                 what="the event-study estimate six months after go-live", what_zh="上线后第6个月的事件研究估计")


@exercise(CASE, "q4", hint="Draw the pilot's and the comparison group's six-month changes from the pre-pilot changes "
                           "(months 0-5 → 6-11, centred), add log(1.03) to the pilot's, test; increase n until 80% "
                           "of the simulated pilots are significant at 5%. Both groups have n branches.",
          hint_zh="从试点前的六个月变化（第0–5个月 → 第6–11个月，去均值）中抽取试点组和对照组的变化，给试点组加上 log(1.03)，"
                  "做检验；逐步增大 n，直到80%的模拟试点在5%的水平上显著。两组各有 n 个网点。")
def q4(world, answer):
    expected = _n_formula(_noise_sd(world))
    # a simulation of 2,000 pilots that resamples the observed changes lands within a few branches of the formula
    # (a little below it: resampling a sample's own values understates its spread by a factor (N - 1) / N)
    return close(answer, expected, abs=max(2.0, 0.12 * expected), fmt=".0f",
                 what="the number of pilot branches needed", what_zh="所需的试点网点数")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_tables(world):
    """The notebook's ``Y`` (revenue, branches × months) and ``go_live`` (month, inf if not live in the data)."""
    branches, monthly = world.tables["branches"], world.tables["monthly"]
    Y = monthly.pivot(index="branch_id", columns="month", values="revenue").reindex(branches["branch_id"])
    go_live = branches["crm_month"].fillna(np.inf).to_numpy()
    return branches, Y, go_live


def event_study(Y, go_live, weights, event_times, window=WINDOW):
    """The notebook's event study (section 4.4): one row per row of ``weights`` (how often each branch is drawn)."""
    Y = np.asarray(Y)
    out = np.full((weights.shape[0], len(event_times)), np.nan)
    for j, e in enumerate(event_times):
        total, size = np.zeros(weights.shape[0]), 0
        for g in np.unique(go_live[np.isfinite(go_live)]):
            t = int(g + e)
            treated, comparison = go_live == g, go_live > max(t, g)
            if t < 0 or t >= Y.shape[1] or not comparison.any():
                continue
            before, after = Y[:, int(g) - window:int(g)].mean(axis=1), Y[:, t]

            def ratio(m):
                return (weights @ (m * after)) / (weights @ (m * before))

            total = total + treated.sum() * (ratio(treated) / ratio(comparison) - 1)
            size += treated.sum()
        if size:
            out[:, j] = total / size
    return out


def simulated_power(pool, n_pilot, n_comparison, win, n_sims, rng, level=LEVEL):
    """The notebook's power simulation (section 4.5)."""
    pilot = rng.choice(pool, (n_sims, n_pilot)) + np.log1p(win)
    comparison = rng.choice(pool, (n_sims, n_comparison))
    diff = pilot.mean(axis=1) - comparison.mean(axis=1)
    pooled = ((n_pilot - 1) * pilot.var(axis=1, ddof=1) + (n_comparison - 1) * comparison.var(axis=1, ddof=1)) / (
        n_pilot + n_comparison - 2)                 # both groups draw from one pool: one variance (Student's t)
    se = np.sqrt(pooled * (1 / n_pilot + 1 / n_comparison))
    t = np.abs(diff) / np.maximum(se, 1e-12)
    return float((t > stats.t.ppf(1 - level / 2, n_pilot + n_comparison - 2)).mean())


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/beijing_post.ipynb, section 5 (pandas, crmlab.effects and the notebook's
    helpers, with its default number of simulated pilots)."""
    branches, Y, go_live = _notebook_tables(world)
    g = PILOT_MONTH
    pilot = (branches["wave"] == 1).to_numpy()
    before = Y.loc[:, g - WINDOW:g - 1].mean(axis=1)
    after = Y.loc[:, g:g + WINDOW - 1].mean(axis=1)
    naive_lift = float(after[pilot].sum() / before[pilot].sum() - 1)
    keep = pilot | (go_live > g + WINDOW - 1)
    pilot_did = effects.did_ratio(before[keep], after[keep], pilot[keep])
    att_6 = float(event_study(Y, go_live, np.ones((1, len(go_live))), [EVENT_TIME])[0, 0])
    change = np.log(Y.loc[:, 6:11].mean(axis=1)) - np.log(Y.loc[:, 0:5].mean(axis=1))
    pool = (change - change.mean()).to_numpy()
    rng = np.random.default_rng(world.seed)
    n_needed = 2
    while simulated_power(pool, n_needed, n_needed, WIN, N_SIMS, rng) < POWER:
        n_needed += 1
    return {"q1": naive_lift, "q2": pilot_did, "q3": att_6, "q4": n_needed}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    right = answers(world)
    Y, go, before, after, pilot, comp = _pilot_windows(world)
    per_branch_month = after[pilot].mean() - before[pilot].mean()
    post_only = after[pilot].mean() / after[comp].mean() - 1
    additive_did = (after[pilot].mean() - before[pilot].mean()) - (after[comp].mean() - before[comp].mean())
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "the change in thousand yuan per branch and month instead of a ratio": float(per_branch_month),
               "before over after (the ratio upside down)": float(before[pilot].sum() / after[pilot].sum() - 1)},
        "q2": {"the before/after change of the pilot alone (no comparison group)": right["q1"],
               "pilot vs comparison after go-live only (a gap in levels, not in changes)": float(post_only),
               "the difference of differences in thousand yuan instead of a ratio": float(additive_did),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"branches already live counted in the comparison group": float(_att(Y, go, EVENT_TIME, "all")),
               "the waves' before/after change with no comparison group": float(_att(Y, go, EVENT_TIME, "none")),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"only the pilot's noise (as if the comparison group were known exactly)":
                   _n_formula(_noise_sd(world), groups=1),
               "the spread of revenue levels across branches instead of their changes":
                   _n_formula(_noise_sd(world, "level")),
               "one month against one month instead of six-month means": _n_formula(_noise_sd(world, "month"))},
    }
