"""The loyalty ladder as a Markov chain: Payne's six rungs and the five Huawei loyalty stages.

Customers move between rungs (and to ``lost``) from one period to the next. From a panel of observed
rungs the transition matrix is estimated by counting; absorbing-chain algebra then gives the expected
time to reach a rung (e.g. advocate) and the probability of getting there before being lost; the
discounted reward equation (Pfeifer & Carraway 2000) gives lifetime value by rung; and a budget can be
split between pushing customers up the lower or the upper rungs to see which creates more value.

Sources: Relationship-marketing essay (source 4), lines 19–21 (section 3.3: Adrian Payne's ladder,
prospect -> customer -> client -> supporter -> advocate -> partner; do not spend only on the lower
rungs); Analytical CRM course pack (source 1), line 130 (Huawei's five loyalty stages: suspicion,
expectation, first-time buyer, repeat buyer, advocate). Absorbing chains follow Kemeny & Snell (1960).

References
----------
.. [1] Kemeny, J. G. & Snell, J. L. (1960), *Finite Markov Chains*, ch. 3.
.. [2] Pfeifer, P. E. & Carraway, R. L. (2000), "Modeling customer relationships as Markov chains",
   *Journal of Interactive Marketing* 14(2).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import as_float_array, as_transition_matrix
from ._plotting import axes_or_new
from ._validate import as_generator, check_columns, check_dataframe, check_int, check_number
from .plots import PALETTE, label

__all__ = [
    "PAYNE_RUNGS", "HUAWEI_STAGES", "LOST", "example_ladder", "Transitions", "estimate_transitions",
    "simulate_chain", "absorbing_summary", "value_by_rung", "boost_up_transitions", "budget_allocation",
    "plot_ladder_flows", "plot_budget_allocation",
]

PAYNE_RUNGS = ("prospect", "customer", "client", "supporter", "advocate", "partner")
HUAWEI_STAGES = ("suspicion", "expectation", "first_time_buyer", "repeat_buyer", "advocate")
LOST = "lost"


def example_ladder(kind: str = "payne") -> pd.DataFrame:
    """An illustrative (synthetic) transition matrix over the rungs plus ``lost``, for teaching.

    Each rung keeps most customers, moves some one rung up and loses a few (more at the bottom);
    ``lost`` is absorbing. The numbers are made up, not estimates of any company.

    Example
    -------
    >>> float(example_ladder("huawei").loc["suspicion", "expectation"])
    0.25

    Source: Relationship-marketing essay (source 4), line 19 (Payne); Analytical CRM course pack (source 1),
    line 130 (Huawei).
    """
    if kind == "payne":
        rungs = PAYNE_RUNGS
        up = [0.10, 0.25, 0.15, 0.10, 0.06, 0.0]
        lose = [0.30, 0.20, 0.08, 0.05, 0.03, 0.02]
        down = [0.0, 0.0, 0.05, 0.05, 0.05, 0.04]
    elif kind == "huawei":
        rungs = HUAWEI_STAGES
        up = [0.25, 0.30, 0.30, 0.08, 0.0]
        lose = [0.25, 0.20, 0.15, 0.05, 0.03]
        down = [0.0, 0.0, 0.0, 0.05, 0.05]
    else:
        raise ValueError(f"kind must be 'payne' or 'huawei', got {kind!r}")
    states = list(rungs) + [LOST]
    P = np.zeros((len(states), len(states)))
    for i in range(len(rungs)):
        if i + 1 < len(rungs):
            P[i, i + 1] = up[i]
        if i > 0:
            P[i, i - 1] = down[i]
        P[i, -1] = lose[i]
        P[i, i] = 1 - P[i].sum()
    P[-1, -1] = 1.0
    return pd.DataFrame(P, index=states, columns=states)


@dataclass(frozen=True)
class Transitions:
    """Estimated chain: ``counts`` of observed moves and the row-normalised ``matrix`` (both state x state)."""

    counts: pd.DataFrame
    matrix: pd.DataFrame


def estimate_transitions(panel: pd.DataFrame, *, customer_col: str = "customer_id", period_col: str = "period",
                         state_col: str = "state", states: Sequence | None = None,
                         absorbing: Sequence = (), consecutive: bool = True) -> Transitions:
    """Estimate a transition matrix by counting period-to-period moves in a long panel.

    Parameters
    ----------
    panel : one row per customer and period with the customer's rung (state).
    states : all states in the order wanted (default: categorical order if the column is categorical,
        else sorted). A state seen in the data but not listed is an error.
    absorbing : states whose row is set to "stay for ever" whatever the data say (e.g. ``lost`` when lost
        customers drop out of the panel).
    consecutive : with integer periods, count only moves between period t and t + 1 (gaps are skipped).

    Returns
    -------
    :class:`Transitions`. Every non-absorbing state must have at least one observed move out of it.

    References
    ----------
    .. [1] Anderson, T. W. & Goodman, L. A. (1957), "Statistical inference about Markov chains", *Annals of
       Mathematical Statistics* 28(1) (maximum-likelihood estimation by counting).

    Example
    -------
    >>> df = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "period": [0, 1, 2, 0, 1],
    ...                    "state": ["a", "b", "b", "a", "a"]})
    >>> estimate_transitions(df).matrix.loc["a"].tolist()
    [0.5, 0.5]
    """
    check_dataframe(panel, name="panel")
    check_columns(panel, {"customer_col": customer_col, "period_col": period_col, "state_col": state_col},
                  name="panel")
    if panel[[customer_col, period_col]].duplicated().any():
        raise ValueError(f"panel has more than one row for some ({customer_col!r}, {period_col!r}) pair")
    if panel[state_col].isna().any():
        raise ValueError(f"column {state_col!r} of panel has missing states")
    observed = pd.unique(panel[state_col])
    if states is None:
        col = panel[state_col]
        states = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else sorted(observed)
    states = list(states)
    unknown = [s for s in observed if s not in states]
    if unknown:
        raise ValueError(f"column {state_col!r} of panel has states not in states: {unknown[:5]}")
    bad_abs = [s for s in absorbing if s not in states]
    if bad_abs:
        raise ValueError(f"absorbing names unknown states: {bad_abs}")
    df = panel[[customer_col, period_col, state_col]].sort_values([customer_col, period_col], kind="stable")
    code = pd.Categorical(df[state_col], categories=states).codes
    same = (df[customer_col].to_numpy()[1:] == df[customer_col].to_numpy()[:-1])
    if consecutive and pd.api.types.is_integer_dtype(df[period_col]):
        per = df[period_col].to_numpy()
        same &= (per[1:] - per[:-1]) == 1
    k = len(states)
    counts = np.bincount(code[:-1][same] * k + code[1:][same], minlength=k * k).reshape(k, k).astype(float)
    P = counts.copy()
    for s in absorbing:
        i = states.index(s)
        P[i] = 0.0
        P[i, i] = 1.0
    totals = P.sum(axis=1)
    if (totals == 0).any():
        empty = [states[i] for i in np.flatnonzero(totals == 0)]
        raise ValueError(f"no observed moves out of state(s) {empty}; declare them absorbing or add data")
    return Transitions(pd.DataFrame(counts, index=states, columns=states),
                       pd.DataFrame(P / totals[:, None], index=states, columns=states))


def _start_distribution(start, states: list, name: str = "start") -> np.ndarray:
    if isinstance(start, Mapping):
        unknown = [s for s in start if s not in states]
        if unknown:
            raise ValueError(f"{name} names unknown states: {unknown}")
        w = np.array([check_number(start.get(s, 0.0), f"{name}[{s!r}]", low=0.0) for s in states])
        if w.sum() == 0:
            raise ValueError(f"{name} weights must not all be zero")
        return w / w.sum()
    if start not in states:
        raise ValueError(f"{name} must be a state of P or a mapping {{state: weight}}, got {start!r}")
    w = np.zeros(len(states))
    w[states.index(start)] = 1.0
    return w


def simulate_chain(P, start, *, n_customers: int = 1000, n_periods: int = 12, seed=0) -> pd.DataFrame:
    """Simulate customers moving through the chain ``P``; returns a long panel (customer_id, period, state).

    ``start`` is a state or a mapping {state: weight} from which each customer's first state is drawn.
    Vectorised over customers.

    Example
    -------
    >>> panel = simulate_chain(example_ladder(), "prospect", n_customers=5, n_periods=3, seed=1)
    >>> panel.shape
    (15, 3)

    Source: Relationship-marketing essay (source 4), lines 19–20 (customers climbing the ladder).
    """
    P = as_transition_matrix(P)
    states = list(P.index)
    p0 = _start_distribution(start, states)
    n = check_int(n_customers, "n_customers", low=1)
    T = check_int(n_periods, "n_periods", low=1)
    rng = as_generator(seed)
    cum = np.cumsum(P.to_numpy(), axis=1)
    cum[:, -1] = 1.0
    path = np.empty((n, T), dtype=np.int64)
    path[:, 0] = np.minimum(np.searchsorted(np.cumsum(p0), rng.random(n), side="right"), len(states) - 1)
    for t in range(1, T):                                   # loop over periods, vectorised over customers
        u = rng.random(n)
        path[:, t] = (u[:, None] >= cum[path[:, t - 1]]).sum(axis=1)
    return pd.DataFrame({"customer_id": np.repeat(np.arange(n), T), "period": np.tile(np.arange(T), n),
                         "state": pd.Categorical.from_codes(path.ravel(), categories=states)})


def _transient_split(P: pd.DataFrame, absorbing: Sequence) -> tuple[list, list, np.ndarray]:
    states = list(P.index)
    absorbing = list(absorbing)
    if not absorbing:
        raise ValueError("absorbing must name at least one state")
    unknown = [s for s in absorbing if s not in states]
    if unknown:
        raise ValueError(f"absorbing names unknown states: {unknown}")
    transient = [s for s in states if s not in absorbing]
    if not transient:
        raise ValueError("absorbing must leave at least one transient state")
    return transient, absorbing, P.to_numpy()


def absorbing_summary(P, absorbing: Sequence) -> pd.DataFrame:
    """Absorbing-chain figures when the states in ``absorbing`` are made absorbing.

    With Q the transient-to-transient block and R the transient-to-absorbing block, the fundamental
    matrix N = (I - Q)^-1 counts expected visits; N 1 is the expected number of steps before absorption
    and B = N R the probability of ending in each absorbing state. The expected number of steps given
    absorption in j is (N B[:, j]) / B[:, j]. Use it for "expected time to advocate": make ``advocate``
    and ``lost`` absorbing and read ``prob_advocate`` and ``steps_to_advocate``.

    Returns
    -------
    DataFrame indexed by transient state: ``expected_steps`` and, per absorbing state j, ``prob_<j>`` and
    ``steps_to_<j>`` (NaN where j cannot be reached).

    References
    ----------
    .. [1] Kemeny, J. G. & Snell, J. L. (1960), *Finite Markov Chains*, theorems 3.2.4, 3.3.5, 3.3.7.

    Example
    -------
    >>> P = pd.DataFrame([[1, 0, 0, 0], [.5, 0, .5, 0], [0, .5, 0, .5], [0, 0, 0, 1]],
    ...                  index=list("abcd"), columns=list("abcd"))          # fair gambler's ruin
    >>> absorbing_summary(P, ["a", "d"]).loc["b", ["expected_steps", "prob_d"]].tolist()
    [2.0, 0.3333333333333333]
    """
    P = as_transition_matrix(P)
    transient, absorbing, M = _transient_split(P, absorbing)
    states = list(P.index)
    ti = [states.index(s) for s in transient]
    ai = [states.index(s) for s in absorbing]
    Q = M[np.ix_(ti, ti)]
    R = M[np.ix_(ti, ai)]
    A = np.eye(len(ti)) - Q
    if np.linalg.matrix_rank(A) < len(ti):
        raise ValueError("some transient states can never reach an absorbing state; absorption is not certain")
    N = np.linalg.inv(A)
    steps = N.sum(axis=1)
    B = N @ R
    out = pd.DataFrame({"expected_steps": steps}, index=pd.Index(transient, name="state"))
    for j, s in enumerate(absorbing):
        out[f"prob_{s}"] = B[:, j]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"steps_to_{s}"] = np.where(B[:, j] > 1e-15, (N @ B[:, j]) / B[:, j], np.nan)
    return out


def value_by_rung(P, reward: Mapping | Sequence[float], *, discount: float = 0.1) -> pd.Series:
    """Expected discounted lifetime value of a customer on each rung.

    Solves v = r + P v / (1 + discount): the reward r of the current rung is earned at the start of each
    period, then the customer moves according to P. ``reward`` is a mapping {state: value per period}
    (missing states earn 0) or one value per state in P's order.

    References
    ----------
    .. [1] Pfeifer, P. E. & Carraway, R. L. (2000), "Modeling customer relationships as Markov chains",
       *Journal of Interactive Marketing* 14(2).

    Example
    -------
    >>> P = pd.DataFrame([[0.5, 0.5], [0.0, 1.0]], index=["in", "lost"], columns=["in", "lost"])
    >>> value_by_rung(P, {"in": 10}, discount=0.0).tolist()   # 10 x expected periods in = 10 x 2
    [20.0, 0.0]
    """
    P = as_transition_matrix(P)
    r = _reward_vector(reward, list(P.index))
    d = check_number(discount, "discount", low=0.0)
    M = P.to_numpy()
    # Absorbing states that earn nothing are worth 0; solving only for the others keeps discount=0 usable.
    keep = ~((np.isclose(np.diag(M), 1.0)) & (r == 0))
    A = np.eye(int(keep.sum())) - M[np.ix_(keep, keep)] / (1 + d)
    if np.linalg.matrix_rank(A) < A.shape[0]:
        raise ValueError("the value is infinite for discount=0 when customers earn a reward for ever; "
                         "use discount > 0")
    v = np.zeros(len(r))
    v[keep] = np.linalg.solve(A, r[keep])
    return pd.Series(v, index=P.index, name="value")


def _reward_vector(reward, states: list) -> np.ndarray:
    if isinstance(reward, Mapping):
        unknown = [s for s in reward if s not in states]
        if unknown:
            raise ValueError(f"reward names unknown states: {unknown}")
        return np.array([check_number(reward.get(s, 0.0), f"reward[{s!r}]") for s in states])
    r = as_float_array(reward, "reward")
    if r.size != len(states):
        raise ValueError(f"reward must have one value per state ({len(states)}), got {r.size}")
    return r


def _ladder_order(P: pd.DataFrame, ladder: Sequence | None) -> list:
    states = list(P.index)
    ladder = [s for s in states if s != LOST] if ladder is None else list(ladder)
    unknown = [s for s in ladder if s not in states]
    if unknown or len(ladder) < 2:
        raise ValueError(f"ladder must list at least two states of P from bottom to top; unknown: {unknown}")
    return ladder


def boost_up_transitions(P, spend: Mapping, *, effect: float = 0.1, ladder: Sequence | None = None) -> pd.DataFrame:
    """Transition matrix after spending on some rungs to push customers one rung up.

    Spending x on rung i moves a share ``1 - exp(-effect * x)`` of the probability of staying on i to
    the probability of moving up to the next rung (diminishing returns; never more than the stay
    probability). The top rung cannot be pushed higher.

    Example
    -------
    >>> P = example_ladder()
    >>> Q = boost_up_transitions(P, {"prospect": 10.0}, effect=0.1)
    >>> bool(Q.loc["prospect", "customer"] > P.loc["prospect", "customer"])
    True

    Source: Relationship-marketing essay (source 4), lines 19–20 (moving customers up the ladder); the
    exponential response to spending is a modelling choice of crmlab.
    """
    P = as_transition_matrix(P)
    order = _ladder_order(P, ladder)
    eff = check_number(effect, "effect", low=0.0)
    if not isinstance(spend, Mapping):
        raise TypeError("spend must be a mapping {rung: amount}")
    M = P.to_numpy().copy()
    states = list(P.index)
    for rung, amount in spend.items():
        if rung not in order[:-1]:
            raise ValueError(f"spend names {rung!r}, which is not a rung below the top of the ladder {order}")
        x = check_number(amount, f"spend[{rung!r}]", low=0.0)
        i, j = states.index(rung), states.index(order[order.index(rung) + 1])
        moved = M[i, i] * (1 - np.exp(-eff * x))
        M[i, i] -= moved
        M[i, j] += moved
    return pd.DataFrame(M, index=P.index, columns=P.columns)


def budget_allocation(P, reward: Mapping | Sequence[float], *, budget: float, lower: Sequence, upper: Sequence,
                      start, effect: float = 0.1, discount: float = 0.1, shares=None,
                      ladder: Sequence | None = None) -> pd.DataFrame:
    """Value of splitting a per-customer budget between the lower and the upper rungs of the ladder.

    For each share s of ``budget`` given to the ``lower`` rungs (split equally among them; the rest split
    equally among the ``upper`` rungs) the chain is boosted with :func:`boost_up_transitions` and the
    value of the customer base ``start`` (a state or {state: weight}) is computed with
    :func:`value_by_rung`.

    Returns
    -------
    DataFrame: ``share_lower``, ``value``, ``gain`` (over spending nothing), ``best`` (True on the best row).

    Example
    -------
    >>> t = budget_allocation(example_ladder(), {"client": 5, "supporter": 10, "advocate": 20, "partner": 40},
    ...                       budget=20, lower=["prospect", "customer"], upper=["client", "supporter"],
    ...                       start={"prospect": 1, "customer": 1, "client": 1, "supporter": 1})
    >>> int(t["best"].sum())
    1

    Source: Relationship-marketing essay (source 4), line 20 (do not put all the effort into the lower rungs).
    """
    P = as_transition_matrix(P)
    order = _ladder_order(P, ladder)
    b = check_number(budget, "budget", low=0.0)
    for nm, group in (("lower", lower), ("upper", upper)):
        if isinstance(group, str) or not len(group):
            raise TypeError(f"{nm} must be a non-empty list of rungs")
    grid = np.linspace(0, 1, 11) if shares is None else as_float_array(shares, "shares", low=0.0, high=1.0)
    w = _start_distribution(start, list(P.index))
    base = float(w @ value_by_rung(P, reward, discount=discount).to_numpy())
    values = []
    for s in grid:                                          # loop over candidate allocations
        spend = {r: s * b / len(lower) for r in lower}
        for r in upper:
            spend[r] = spend.get(r, 0.0) + (1 - s) * b / len(upper)
        boosted = boost_up_transitions(P, spend, effect=effect, ladder=order)
        values.append(float(w @ value_by_rung(boosted, reward, discount=discount).to_numpy()))
    values = np.array(values)
    return pd.DataFrame({"share_lower": grid, "value": values, "gain": values - base,
                         "best": np.arange(grid.size) == values.argmax()})


# ------------------------------------------------------------------------------------------------ plots
def plot_ladder_flows(P, *, ladder: Sequence | None = None, min_prob: float = 0.01, ax=None):
    """Draw the ladder: rungs stacked bottom to top, arrows for moves with width proportional to probability.

    Up-moves are drawn on the right, down-moves on the left, losses go to a ``lost`` box at the side.

    Example
    -------
    >>> ax = plot_ladder_flows(example_ladder())
    """
    from matplotlib.patches import FancyArrowPatch

    P = as_transition_matrix(P)
    order = _ladder_order(P, ladder)
    thr = check_number(min_prob, "min_prob", low=0.0, high=1.0)
    ax = axes_or_new(ax)
    pos = {s: (0.0, float(i)) for i, s in enumerate(order)}
    others = [s for s in P.index if s not in order]
    for k, s in enumerate(others):
        pos[s] = (2.4, (len(order) - 1) / 2 - k)
    for s, (x, y) in pos.items():
        stay = float(P.loc[s, s])
        text = s if s in others else f"{s}\n({label('stay', '留存')} {stay:.2f})"
        ax.text(x, y, text, ha="center", va="center", fontsize=8, zorder=3,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": PALETTE[0 if s in order else 3]})
    for i in P.index:
        for j in P.columns:
            p = float(P.loc[i, j])
            if i == j or p < thr:
                continue
            (x0, y0), (x1, y1) = pos[i], pos[j]
            if j in others:                                  # loss: straight to the side box
                start, end, rad, color = (0.42, y0 - 0.1), (x1 - 0.3, y1), 0.0, PALETTE[3]
                at = (1.1 + 0.45 * (x1 - 1.1), y0 - 0.1 + 0.45 * (y1 - y0 + 0.1) + 0.08)
            elif i in order and order.index(j) > order.index(i):  # up: right-hand side
                start, end, rad, color = (0.45, y0 + 0.15), (0.45, y1 - 0.15), 0.4, PALETTE[2]
                at = (0.6, (y0 + y1) / 2)
            else:                                            # down: left-hand side
                start, end, rad, color = (-0.45, y0 - 0.15), (-0.45, y1 + 0.15), 0.4, PALETTE[1]
                at = (-0.85, (y0 + y1) / 2)
            ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                         mutation_scale=10, lw=0.5 + 10 * p, color=color, alpha=0.7, zorder=2))
            ax.text(*at, f"{p:.2f}", fontsize=7, color=color, va="center")
    ax.set_xlim(-1.2, 2.8)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_axis_off()
    ax.set_title(label("Loyalty ladder: transition flows", "客户忠诚度阶梯:转移流"))
    return ax


def plot_budget_allocation(table: pd.DataFrame, *, ax=None):
    """Value gained against the share of budget spent on the lower rungs (output of :func:`budget_allocation`).

    Example
    -------
    >>> t = budget_allocation(example_ladder(), {"partner": 10}, budget=10, lower=["prospect"],
    ...                       upper=["advocate"], start="prospect")
    >>> ax = plot_budget_allocation(t)
    """
    check_dataframe(table, name="table")
    check_columns(table, ["share_lower", "gain", "best"], name="table")
    ax = axes_or_new(ax)
    ax.plot(table["share_lower"], table["gain"], marker="o")
    best = table.loc[table["best"].to_numpy(dtype=bool)]
    ax.scatter(best["share_lower"], best["gain"], s=120, facecolors="none", edgecolors=PALETTE[3], zorder=3,
               label=label("best split", "最优分配"))
    ax.set_xlabel(label("share of budget on the lower rungs", "投向低层级的预算比例"))
    ax.set_ylabel(label("value gained per customer", "每位客户的价值增量"))
    ax.set_title(label("Where to spend on the ladder", "阶梯预算分配"))
    ax.legend()
    return ax
