"""Reward programmes and their economics: points and vouchers, the programme simulator with a control
group (cost, breakage, incremental margin, false loyalty), airline tiers and awards with competitor
imitation, "ten nights, one free", the restaurant's profit share; word of mouth as a branching process
and the retention -> profit sensitivity.

Sources: CRM article collection (source 3), lines 657–669 (rewarding repeat purchase, hotel ten-plus-one,
the restaurant sharing 10% of net profit, airline mileage and imitation by rivals, "false loyalty");
CRM Q&A compilation (source 0), line 247 (American Airlines' free-mileage programme, copied by rivals).
Word of mouth: CRM article collection (source 3), lines 379–383; retention economics: CRM article
collection (source 3), line 547 (the figures Reichheld & Sasser 1990 published). Tesco Clubcard
parameters (about 1% of spend, quarterly vouchers) are public record.

References
----------
.. [1] Reichheld, F. F. & Sasser, W. E. (1990), "Zero defections: quality comes to services", *Harvard
   Business Review* 68(5).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import as_float_array
from ._plotting import axes_or_new
from ._validate import (as_generator, check_columns, check_dataframe, check_int, check_number, check_probability,
                        datetime_column, numeric_column)
from .plots import label

__all__ = [
    "points_vouchers", "breakage", "ProgrammeSpec", "programme_expected", "simulate_programme", "evaluate_programme",
    "airline_awards", "DEFAULT_TIERS", "imitation_dynamics", "nights_reward", "profit_share_payout",
    "word_of_mouth", "simulate_word_of_mouth", "retention_value", "retention_sensitivity",
    "plot_programme", "plot_imitation", "plot_word_of_mouth", "plot_retention_sensitivity",
]


# ------------------------------------------------------------------------------------- points & vouchers
def points_vouchers(transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                    amount_col: str = "amount", points_rate: float = 0.01, point_value: float = 0.01,
                    period: str = "Q", period_col: str | None = None, voucher_unit: float = 0.5,
                    min_voucher: float = 1.5) -> pd.DataFrame:
    """Clubcard-style points turned into vouchers at the end of each period.

    Each transaction earns floor(amount x ``points_rate`` / ``point_value``) whole points (1% of spend in
    1p points by default). At each period end the balance (points earned plus what was carried over) is
    paid out as a voucher rounded down to a multiple of ``voucher_unit`` if it reaches ``min_voucher``;
    the rest is carried to the next period.

    Parameters
    ----------
    transactions : DataFrame with customer, date (or period) and amount (>= 0) columns.
    period : pandas period alias for the voucher cycle ("Q" quarterly, "M" monthly), applied to ``date_col``.
    period_col : alternatively, a column that already holds the period (e.g. an integer quarter); integer
        periods with no transactions in between are filled in.
    voucher_unit, min_voucher : money; both must be whole numbers of points.

    Returns
    -------
    DataFrame with one row per customer and period (from each customer's first period to the last period
    in the data): ``spend``, ``earned``, ``voucher``, ``carried`` (money).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": [1, 1], "date": ["2024-01-05", "2024-04-02"], "amount": [120.0, 90.0]})
    >>> points_vouchers(tx)[["voucher", "carried"]].values.tolist()
    [[0.0, 1.2], [2.0, 0.1]]

    Source: public record (Tesco Clubcard: about 1% of spend, vouchers mailed quarterly); CRM article
    collection (source 3), lines 661–663.
    """
    check_dataframe(transactions, name="transactions")
    cols = {"customer_col": customer_col, "amount_col": amount_col}
    cols.update({"period_col": period_col} if period_col is not None else {"date_col": date_col})
    check_columns(transactions, cols, name="transactions")
    rate = check_probability(points_rate, "points_rate")
    pv = check_number(point_value, "point_value", low=0.0, low_open=True)
    unit = _whole_points(check_number(voucher_unit, "voucher_unit", low=0.0, low_open=True) / pv, "voucher_unit")
    floor_ = _whole_points(check_number(min_voucher, "min_voucher", low=0.0) / pv, "min_voucher")
    amounts = numeric_column(transactions, amount_col, name="transactions", allow_negative=False)
    if period_col is not None:
        per = transactions[period_col]
        if per.isna().any():
            raise ValueError(f"column {period_col!r} of transactions has missing periods")
        observed = np.sort(pd.unique(per.to_numpy()))
        all_periods = (np.arange(observed.min(), observed.max() + 1) if pd.api.types.is_integer_dtype(per)
                       else observed)
    else:
        if not isinstance(period, str):
            raise TypeError(f"period must be a pandas period alias such as 'Q' or 'M', got {period!r}")
        dates = datetime_column(transactions, date_col, name="transactions")
        try:
            per = dates.dt.to_period(period)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"period must be a pandas period alias such as 'Q' or 'M', got {period!r}") from exc
        all_periods = pd.period_range(per.min(), per.max(), freq=per.dt.freq)
    points = np.floor(amounts * rate / pv + 1e-9)
    grouped = (pd.DataFrame({"customer": transactions[customer_col].to_numpy(), "period": per.to_numpy(),
                             "spend": amounts, "points": points})
               .groupby(["customer", "period"])[["spend", "points"]].sum())
    spend = grouped["spend"].unstack("period").reindex(columns=all_periods)
    earned = grouped["points"].unstack("period").reindex(columns=all_periods).fillna(0.0).to_numpy()
    active = spend.notna().cumsum(axis=1).to_numpy() > 0          # from each customer's first period on
    vouchers = np.zeros_like(earned)
    carried = np.zeros_like(earned)
    balance = np.zeros(earned.shape[0])
    for j in range(earned.shape[1]):                               # loop over periods, vectorised over customers
        balance = balance + earned[:, j]
        pay = np.where(balance >= max(floor_, 1), np.floor(balance / unit) * unit, 0.0)
        vouchers[:, j] = pay
        balance = balance - pay
        carried[:, j] = balance
    out = pd.DataFrame({
        customer_col: np.repeat(spend.index.to_numpy(), len(all_periods)),
        "period": np.tile(np.asarray(all_periods), len(spend)),
        "spend": spend.fillna(0.0).to_numpy().ravel(), "earned": earned.ravel() * pv,
        "voucher": vouchers.ravel() * pv, "carried": carried.ravel() * pv})
    return out[active.ravel()].reset_index(drop=True)


def _whole_points(points: float, name: str) -> float:
    if abs(points - round(points)) > 1e-6:
        raise ValueError(f"{name} must be a whole number of points (a multiple of point_value)")
    return float(round(points))


def breakage(issued, redeemed) -> float:
    """Breakage: the share of issued reward value that is never redeemed.

    ``redeemed`` is either the value redeemed per voucher or a True/False flag per voucher.

    Example
    -------
    >>> round(breakage([2.0, 3.0, 5.0], [True, False, True]), 6)
    0.3

    Source: CRM article collection (source 3), lines 657–669 (rewarding repeat purchase); breakage is the
    industry term for unredeemed rewards.
    """
    iss = as_float_array(issued, "issued", low=0.0)
    red = np.asarray(redeemed)
    if red.dtype == bool:
        red = np.where(red, iss, 0.0) if red.shape == iss.shape else None
    else:
        red = as_float_array(redeemed, "redeemed", low=0.0)
    if red is None or red.shape != iss.shape:
        raise ValueError("redeemed must have one value or flag per issued voucher")
    if (red > iss + 1e-12).any():
        raise ValueError("redeemed must not exceed issued for any voucher")
    if iss.sum() == 0:
        raise ValueError("issued must not all be zero")
    return float(1 - red.sum() / iss.sum())


# ---------------------------------------------------------------------------- programme simulation
@dataclass(frozen=True)
class ProgrammeSpec:
    """The knobs of a reward programme world (one period = one voucher cycle, e.g. a quarter).

    ``share_incentive`` of customers are reward-driven: while rewards run they visit
    ``1 + incentive_lift`` times as often as their baseline; when rewards stop they fall to
    ``after_stop`` x baseline (1 = back to baseline, below 1 = they follow rewards elsewhere). The others
    visit at baseline whether or not rewards run. Rewards are ``reward_rate`` x spend, paid as one voucher
    per period and redeemed with probability ``redemption_rate`` (the rest is breakage); ``margin`` is the
    gross margin on spend and ``fixed_cost`` the programme's running cost per period, spread over members.
    A random ``control_share`` of customers is held out of the programme. Rewards run in periods
    ``0 .. stop_period - 1`` (all periods when ``stop_period`` is None).
    """

    n_customers: int = 5000
    n_periods: int = 8
    stop_period: int | None = 5
    base_visits: float = 3.0
    share_incentive: float = 0.3
    incentive_lift: float = 0.5
    after_stop: float = 1.0
    spend_per_visit: float = 40.0
    spend_shape: float = 2.0
    reward_rate: float = 0.01
    redemption_rate: float = 0.7
    margin: float = 0.25
    fixed_cost: float = 0.0
    control_share: float = 0.2

    def __post_init__(self):
        check_int(self.n_customers, "n_customers", low=1)
        check_int(self.n_periods, "n_periods", low=1)
        check_int(self.stop_period, "stop_period", low=0, high=self.n_periods, allow_none=True)
        check_number(self.base_visits, "base_visits", low=0.0, low_open=True)
        check_probability(self.share_incentive, "share_incentive")
        check_number(self.incentive_lift, "incentive_lift", low=0.0)
        check_number(self.after_stop, "after_stop", low=0.0)
        check_number(self.spend_per_visit, "spend_per_visit", low=0.0, low_open=True)
        check_number(self.spend_shape, "spend_shape", low=0.0, low_open=True)
        check_probability(self.reward_rate, "reward_rate")
        check_probability(self.redemption_rate, "redemption_rate")
        check_probability(self.margin, "margin")
        check_number(self.fixed_cost, "fixed_cost", low=0.0)
        check_probability(self.control_share, "control_share", open_high=True)

    def running(self) -> np.ndarray:
        """Boolean per period: do rewards run?"""
        stop = self.n_periods if self.stop_period is None else self.stop_period
        return np.arange(self.n_periods) < stop


def _spec(spec) -> ProgrammeSpec:
    if spec is None:
        return ProgrammeSpec()
    if isinstance(spec, Mapping):
        return ProgrammeSpec(**spec)
    if not isinstance(spec, ProgrammeSpec):
        raise TypeError(f"spec must be a ProgrammeSpec or a mapping of its fields, got {type(spec).__name__}")
    return spec


def programme_expected(spec: ProgrammeSpec | Mapping | None = None) -> pd.Series:
    """Closed-form economics of a reward programme per member per period while rewards run.

    Returns a Series: ``visits`` (members), ``visits_baseline`` (same customers without the programme),
    ``spend``, ``reward_issued``, ``reward_cost`` (redeemed), ``breakage`` (unredeemed share),
    ``incremental_spend``, ``incremental_margin`` (margin on incremental spend minus reward cost minus
    fixed cost per member), ``false_loyalty`` (share of members' visits during the programme that vanish
    when it stops), ``deadweight_share`` (share of reward cost paid on visits that would have happened anyway).

    Example
    -------
    >>> round(float(programme_expected({"share_incentive": 0.0})["incremental_margin"]), 2)  # rewards buy nothing
    -0.84

    Source: CRM article collection (source 3), lines 657–669 ("false loyalty" bought with rewards).
    """
    s = _spec(spec)
    base = s.base_visits
    visits_on = base * (1 + s.share_incentive * s.incentive_lift)
    visits_after = base * (1 - s.share_incentive + s.share_incentive * s.after_stop)
    spend = visits_on * s.spend_per_visit
    issued = s.reward_rate * spend
    cost = s.redemption_rate * issued
    inc_spend = (visits_on - base) * s.spend_per_visit
    n_members = s.n_customers * (1 - s.control_share)
    return pd.Series({
        "visits": visits_on, "visits_baseline": base, "spend": spend, "reward_issued": issued,
        "reward_cost": cost, "breakage": 1 - s.redemption_rate, "incremental_spend": inc_spend,
        "incremental_margin": s.margin * inc_spend - cost - s.fixed_cost / n_members,
        "false_loyalty": (visits_on - visits_after) / visits_on,
        "deadweight_share": base / visits_on,
    })


def simulate_programme(spec: ProgrammeSpec | Mapping | None = None, *, seed=0) -> pd.DataFrame:
    """Simulate a reward programme with a hold-out control group; returns the customer-period panel.

    Visits are Poisson with the rates of :class:`ProgrammeSpec`; each visit's spend is Gamma with mean
    ``spend_per_visit`` and shape ``spend_shape``; each period's voucher is redeemed with probability
    ``redemption_rate``. The panel has columns ``customer_id``, ``period``, ``group`` (member/control),
    ``reward_driven`` (the planted truth), ``running``, ``visits``, ``spend``, ``reward_issued``,
    ``reward_redeemed``. Evaluate it with :func:`evaluate_programme`.

    Example
    -------
    >>> panel = simulate_programme({"n_customers": 200}, seed=1)
    >>> sorted(panel["group"].unique())
    ['control', 'member']
    """
    s = _spec(spec)
    rng = as_generator(seed)
    n, T = s.n_customers, s.n_periods
    control = rng.random(n) < s.control_share
    driven = rng.random(n) < s.share_incentive
    running = s.running()
    factor = np.where(running[None, :], 1 + s.incentive_lift, s.after_stop)        # reward-driven members
    rate = s.base_visits * np.where((driven & ~control)[:, None], factor, 1.0)
    visits = rng.poisson(rate)
    scale = s.spend_per_visit / s.spend_shape
    spend = np.where(visits > 0, rng.gamma(np.maximum(visits, 1) * s.spend_shape, scale), 0.0)
    issued = np.where(running[None, :] & ~control[:, None], s.reward_rate * spend, 0.0)
    redeemed = issued * (rng.random((n, T)) < s.redemption_rate)
    return pd.DataFrame({
        "customer_id": np.repeat(np.arange(n), T), "period": np.tile(np.arange(T), n),
        "group": np.repeat(np.where(control, "control", "member"), T),
        "reward_driven": np.repeat(driven & ~control, T), "running": np.tile(running, n),
        "visits": visits.ravel(), "spend": spend.ravel(), "reward_issued": issued.ravel(),
        "reward_redeemed": redeemed.ravel()})


def evaluate_programme(panel: pd.DataFrame, *, margin: float = 0.25, fixed_cost: float = 0.0) -> pd.Series:
    """Estimate a programme's economics from a member/control panel (output of :func:`simulate_programme`
    or real data with the same columns).

    Incremental visits and spend are member minus control means per customer-period while rewards run
    (the control group is the counterfactual); reward cost is what members redeemed; breakage is the
    unredeemed share of what was issued; false loyalty is the difference-in-differences drop in member
    visits after the rewards stop, as a share of member visits while they ran (NaN if they never stop).

    Returns a Series with the keys of :func:`programme_expected` except ``deadweight_share``.

    Example
    -------
    >>> est = evaluate_programme(simulate_programme({"n_customers": 2000}, seed=3))
    >>> bool(0.25 < est["breakage"] < 0.35)
    True

    Source: CRM article collection (source 3), lines 657–669.
    """
    check_dataframe(panel, name="panel")
    cols = ["group", "running", "visits", "spend", "reward_issued", "reward_redeemed"]
    check_columns(panel, cols, name="panel")
    m = check_probability(margin, "margin")
    fixed = check_number(fixed_cost, "fixed_cost", low=0.0)
    groups = set(panel["group"].astype(str).unique())
    if not {"member", "control"} <= groups:
        raise ValueError(f"column 'group' of panel must contain both 'member' and 'control', got {sorted(groups)}")
    values = {c: numeric_column(panel, c, name="panel", allow_negative=False)
              for c in ("visits", "spend", "reward_issued", "reward_redeemed")}
    running = panel["running"].to_numpy(dtype=bool)
    member = (panel["group"].astype(str) == "member").to_numpy()
    if not running.any():
        raise ValueError("column 'running' of panel is never True: no period with rewards running")

    def mean(col, grp, on):
        sel = grp & (running == on)
        return values[col][sel].mean() if sel.any() else np.nan

    v_on, c_on = mean("visits", member, True), mean("visits", ~member, True)
    v_off, c_off = mean("visits", member, False), mean("visits", ~member, False)
    spend_on = mean("spend", member, True)
    issued = mean("reward_issued", member, True)
    cost = mean("reward_redeemed", member, True)
    inc_spend = spend_on - mean("spend", ~member, True)
    n_members = panel.loc[member, "customer_id"].nunique() if "customer_id" in panel.columns else member.sum()
    return pd.Series({
        "visits": v_on, "visits_baseline": c_on, "spend": spend_on, "reward_issued": issued,
        "reward_cost": cost, "breakage": breakage(values["reward_issued"][member], values["reward_redeemed"][member]),
        "incremental_spend": inc_spend, "incremental_margin": m * inc_spend - cost - fixed / max(n_members, 1),
        "false_loyalty": ((v_on - c_on) - (v_off - c_off)) / v_on,
    })


# ----------------------------------------------------------------------------------- airline programmes
DEFAULT_TIERS = {"blue": 0.0, "silver": 25_000.0, "gold": 50_000.0, "platinum": 100_000.0}


def airline_awards(miles, *, tiers: Mapping[str, float] = DEFAULT_TIERS, award_miles: float = 25_000.0) -> pd.DataFrame:
    """Elite tier and number of award tickets for each member's annual miles.

    A member holds the highest tier whose threshold the miles reach; every ``award_miles`` miles buy one
    award ticket (the remainder stays in the account).

    Example
    -------
    >>> airline_awards([10_000, 60_000])[["tier", "awards"]].values.tolist()
    [['blue', 0], ['gold', 2]]

    Source: CRM Q&A compilation (source 0), line 247 (American Airlines: free to join, a first-class
    award after a mileage threshold); CRM article collection (source 3), line 669. Tier names and
    thresholds are illustrative.
    """
    mi = as_float_array(miles, "miles", low=0.0)
    if not isinstance(tiers, Mapping) or not tiers:
        raise TypeError("tiers must be a non-empty mapping {tier name: mileage threshold}")
    names = list(tiers)
    thresholds = np.array([check_number(tiers[k], f"tiers[{k!r}]", low=0.0) for k in names])
    if np.any(np.diff(thresholds) <= 0) or thresholds[0] != 0:
        raise ValueError("tiers must start at 0 and have strictly increasing thresholds")
    step = check_number(award_miles, "award_miles", low=0.0, low_open=True)
    tier_idx = np.searchsorted(thresholds, mi, side="right") - 1
    awards = np.floor(mi / step).astype(np.int64)
    return pd.DataFrame({"miles": mi, "tier": pd.Categorical(np.asarray(names)[tier_idx], categories=names,
                                                             ordered=True),
                         "awards": awards, "miles_left": mi - awards * step})


def imitation_dynamics(n_periods: int = 24, *, launch: int = 4, imitation: int | None = 12,
                       acquisition: float = 0.05, defection: float = 0.15, programme_acquisition: float = 0.08,
                       programme_defection: float = 0.08, margin: float = 100.0, cost_per_member: float = 10.0,
                       market_size: float = 1.0) -> pd.DataFrame:
    """Market share and profit of a first mover whose frequent-flyer programme is later copied by rivals.

    Each period a rival customer switches to the firm with probability ``acquisition`` and a firm customer
    defects with probability ``defection``, so the share moves as s' = s (1 - d) + (1 - s) a towards
    a / (a + d). From ``launch`` the firm's programme changes these to ``programme_acquisition`` and
    ``programme_defection``; from ``imitation`` every rival has a programme too, the advantage is gone
    (rates back to the base values) but the firm keeps paying ``cost_per_member``. Profit per period =
    market_size x share x (margin - cost while the programme runs).

    Returns
    -------
    DataFrame per period: ``share``, ``profit``, ``share_no_programme``, ``profit_no_programme``, ``phase``.

    Example
    -------
    >>> t = imitation_dynamics(60)
    >>> bool(t["profit"].iloc[-1] < t["profit_no_programme"].iloc[-1])  # copied: cost without advantage
    True

    Source: CRM Q&A compilation (source 0), line 247 (rivals copied American Airlines' programme); CRM
    article collection (source 3), line 669.
    """
    T = check_int(n_periods, "n_periods", low=1)
    launch = check_int(launch, "launch", low=0)
    imitation = check_int(imitation, "imitation", low=launch, allow_none=True)
    a0 = check_probability(acquisition, "acquisition")
    d0 = check_probability(defection, "defection")
    a1 = check_probability(programme_acquisition, "programme_acquisition")
    d1 = check_probability(programme_defection, "programme_defection")
    if a0 + d0 == 0:
        raise ValueError("acquisition and defection must not both be 0")
    m = check_number(margin, "margin")
    c = check_number(cost_per_member, "cost_per_member", low=0.0)
    size = check_number(market_size, "market_size", low=0.0, low_open=True)
    t = np.arange(T)
    imit = T if imitation is None else imitation
    phase = np.where(t < launch, "before", np.where(t < imit, "programme", "imitated"))
    a = np.where(phase == "programme", a1, a0)
    d = np.where(phase == "programme", d1, d0)
    share = np.empty(T)
    s = a0 / (a0 + d0)                                   # start at the steady state without programmes
    for i in range(T):                                   # loop over periods
        share[i] = s
        s = s * (1 - d[i]) + (1 - s) * a[i]
    cost = np.where(phase == "before", 0.0, c)
    base_share = np.full(T, a0 / (a0 + d0))
    return pd.DataFrame({"period": t, "phase": phase, "share": share, "profit": size * share * (m - cost),
                         "share_no_programme": base_share, "profit_no_programme": size * base_share * m})


# ------------------------------------------------------------------------------- hotel and restaurant
def nights_reward(nights, *, every: int = 10) -> pd.DataFrame:
    """Hotel "stay ``every`` nights, get one free": free nights earned and the effective discount.

    Free nights = floor(paid nights / every); the effective discount is the share of nights stayed that
    were free, free / (paid + free), at most 1 / (every + 1).

    Example
    -------
    >>> nights_reward([9, 25])[["free", "effective_discount"]].round(4).values.tolist()
    [[0.0, 0.0], [2.0, 0.0741]]

    Source: CRM article collection (source 3), line 665.
    """
    paid = as_float_array(nights, "nights", low=0.0)
    if np.any(paid != np.floor(paid)):
        raise ValueError("nights must be whole numbers of nights")
    k = check_int(every, "every", low=1)
    free = np.floor(paid / k)
    total = paid + free
    disc = np.divide(free, total, out=np.zeros_like(free), where=total > 0)
    return pd.DataFrame({"paid": paid, "free": free, "effective_discount": disc})


def profit_share_payout(bills, net_profit: float, *, share: float = 0.10) -> np.ndarray:
    """The restaurant's year-end profit share: ``share`` of net profit split in proportion to each diner's bill total.

    Example
    -------
    >>> profit_share_payout([1000, 3000], 20_000).tolist()
    [500.0, 1500.0]

    Source: CRM article collection (source 3), line 665 ("profit sharing" kept the restaurant full every day).
    """
    b = as_float_array(bills, "bills", low=0.0)
    if b.sum() == 0:
        raise ValueError("bills must not all be zero")
    profit = check_number(net_profit, "net_profit", low=0.0)
    sh = check_probability(share, "share")
    return sh * profit * b / b.sum()


# ------------------------------------------------------------------------------------------ word of mouth
def _wom_params(n_satisfied, n_dissatisfied, generations, tell_satisfied, come_share, tell_dissatisfied,
                deter_share, p_satisfied, extra_tell):
    return (check_number(n_satisfied, "n_satisfied", low=0.0), check_number(n_dissatisfied, "n_dissatisfied", low=0.0),
            check_int(generations, "generations", low=1, high=50), check_int(tell_satisfied, "tell_satisfied", low=0),
            check_probability(come_share, "come_share"), check_int(tell_dissatisfied, "tell_dissatisfied", low=0),
            check_probability(deter_share, "deter_share"), check_probability(p_satisfied, "p_satisfied"),
            check_number(extra_tell, "extra_tell", low=0.0))


def word_of_mouth(n_satisfied: float, n_dissatisfied: float = 0.0, *, generations: int = 1,
                  tell_satisfied: int = 12, come_share: float = 11 / 12, tell_dissatisfied: int = 20,
                  deter_share: float = 1.0, p_satisfied: float = 0.9, extra_tell: float = 0.0) -> pd.DataFrame:
    """Expected reach of word of mouth as a branching process (closed form).

    Every satisfied customer tells ``tell_satisfied + extra_tell`` people on average, of whom a share
    ``come_share`` become customers; each newcomer is satisfied with probability ``p_satisfied`` and tells
    others in the next generation. Every dissatisfied customer tells ``tell_dissatisfied + extra_tell``
    people, a share ``deter_share`` of whom are put off. Audiences are assumed not to overlap.
    Defaults follow the seed: at least 12 told and more than 10 of them come (11 of 12); at least 20 told,
    all deterred.

    Returns
    -------
    DataFrame per generation 1..G: ``new_customers``, ``new_satisfied``, ``new_dissatisfied``, ``deterred``
    and the running totals ``total_customers`` and ``total_deterred``.

    Example
    -------
    >>> word_of_mouth(1, 1)[["new_customers", "deterred"]].values.tolist()
    [[11.0, 20.0]]

    Source: CRM article collection (source 3), lines 379–383.
    """
    S, D, G, ts, c, td, dshare, p, x = _wom_params(n_satisfied, n_dissatisfied, generations, tell_satisfied,
                                                 come_share, tell_dissatisfied, deter_share, p_satisfied, extra_tell)
    rows = []
    for g in range(1, G + 1):                                   # loop over generations
        new = S * (ts + x) * c
        deterred = D * (td + x) * dshare
        S, D = p * new, (1 - p) * new
        rows.append((g, new, S, D, deterred))
    out = pd.DataFrame(rows, columns=["generation", "new_customers", "new_satisfied", "new_dissatisfied", "deterred"])
    out["total_customers"] = out["new_customers"].cumsum()
    out["total_deterred"] = out["deterred"].cumsum()
    return out


def simulate_word_of_mouth(n_satisfied: int, n_dissatisfied: int = 0, *, n_sims: int = 1000, seed=0,
                           generations: int = 1, tell_satisfied: int = 12, come_share: float = 11 / 12,
                           tell_dissatisfied: int = 20, deter_share: float = 1.0, p_satisfied: float = 0.9,
                           extra_tell: float = 0.0) -> pd.DataFrame:
    """Simulate the word-of-mouth branching process of :func:`word_of_mouth` ``n_sims`` times.

    Each teller tells the minimum number plus a Poisson(``extra_tell``) surplus; who comes, who is
    satisfied and who is deterred are binomial draws. Vectorised over simulations.

    Returns
    -------
    Long DataFrame (``sim``, ``generation``, ``new_customers``, ``new_satisfied``, ``new_dissatisfied``,
    ``deterred``); its means per generation converge to :func:`word_of_mouth`.

    Example
    -------
    >>> sims = simulate_word_of_mouth(10, 2, n_sims=500, seed=1)
    >>> bool(abs(sims["new_customers"].mean() - 110) < 3)
    True

    Source: CRM article collection (source 3), lines 379–383.
    """
    S, D, G, ts, c, td, dshare, p, x = _wom_params(n_satisfied, n_dissatisfied, generations, tell_satisfied,
                                                 come_share, tell_dissatisfied, deter_share, p_satisfied, extra_tell)
    if S != int(S) or D != int(D):
        raise ValueError("n_satisfied and n_dissatisfied must be whole numbers of customers for a simulation")
    n = check_int(n_sims, "n_sims", low=1)
    rng = as_generator(seed)
    S = np.full(n, int(S), dtype=np.int64)
    D = np.full(n, int(D), dtype=np.int64)
    frames = []
    for g in range(1, G + 1):                                   # loop over generations, vectorised over sims
        told_s = ts * S + rng.poisson(x * S)
        told_d = td * D + rng.poisson(x * D)
        new = rng.binomial(told_s, c)
        deterred = rng.binomial(told_d, dshare)
        S = rng.binomial(new, p)
        D = new - S
        frames.append(pd.DataFrame({"sim": np.arange(n), "generation": g, "new_customers": new,
                                    "new_satisfied": S, "new_dissatisfied": D, "deterred": deterred}))
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------------------ retention economics
def retention_value(retention, *, discount: float = 0.0, profit_growth: float = 0.0,
                    horizon: int | None = None) -> np.ndarray:
    """Value of an acquired customer in units of the first period's profit, given the retention rate.

    Profit arrives at the start of each period the customer is still there and grows by ``profit_growth``
    per period of tenure (loyal customers buy more and cost less to serve); it is discounted at
    ``discount``. With q = r (1 + g) / (1 + d) the value is (1 - q^H) / (1 - q), or 1 / (1 - q) when
    ``horizon`` is None (then q must be < 1). With ``discount=0`` this is also the firm's steady-state
    profit per period per customer acquired per period.

    References
    ----------
    .. [1] Reichheld, F. F. & Sasser, W. E. (1990), "Zero defections: quality comes to services", *Harvard
       Business Review* 68(5).

    Example
    -------
    >>> retention_value([0.8, 0.85]).round(3).tolist()
    [5.0, 6.667]

    Source: CRM article collection (source 3), line 547.
    """
    r = as_float_array(retention, "retention", low=0.0, high=1.0)
    d = check_number(discount, "discount", low=0.0)
    g = check_number(profit_growth, "profit_growth", low=-1.0, low_open=True)
    H = check_int(horizon, "horizon", low=1, allow_none=True)
    q = r * (1 + g) / (1 + d)
    if H is None:
        if np.any(q >= 1):
            raise ValueError("retention x (1 + profit_growth) / (1 + discount) must be < 1 for an infinite "
                             "horizon; give a finite horizon")
        return 1.0 / (1.0 - q)
    return np.where(np.isclose(q, 1.0), float(H), (1.0 - q ** H) / np.where(np.isclose(q, 1.0), 1.0, 1.0 - q))


def retention_sensitivity(base_retention, *, uplift: float = 0.05, discount: float = 0.0,
                          profit_growth: float = 0.0, horizon: int | None = None) -> pd.DataFrame:
    """How much customer value (profit) rises when retention rises by ``uplift`` (5 points by default).

    Reichheld & Sasser reported that keeping 5% more customers raised profits by 25% to 85% across
    industries; this shows for which base retention rates and profit profiles the simple model gives such
    numbers.

    Returns
    -------
    DataFrame: ``base_retention``, ``new_retention``, ``value_base``, ``value_new``, ``profit_increase``
    (relative), ``in_25_85`` (whether the increase lies in [0.25, 0.85]).

    References
    ----------
    .. [1] Reichheld, F. F. & Sasser, W. E. (1990), "Zero defections: quality comes to services", *Harvard
       Business Review* 68(5).

    Example
    -------
    >>> retention_sensitivity([0.8, 0.9])["profit_increase"].round(3).tolist()
    [0.333, 1.0]

    Source: CRM article collection (source 3), line 547 ("5% more returning customers, 25-85% more profit").
    """
    r = as_float_array(base_retention, "base_retention", low=0.0, high=1.0)
    up = check_number(uplift, "uplift", low=0.0, high=1.0)
    if np.any(r + up > 1):
        raise ValueError("base_retention + uplift must not exceed 1")
    kw = {"discount": discount, "profit_growth": profit_growth, "horizon": horizon}
    v0 = retention_value(r, **kw)
    v1 = retention_value(r + up, **kw)
    inc = v1 / v0 - 1
    return pd.DataFrame({"base_retention": r, "new_retention": r + up, "value_base": v0, "value_new": v1,
                         "profit_increase": inc, "in_25_85": (inc >= 0.25) & (inc <= 0.85)})


# ------------------------------------------------------------------------------------------------ plots
def plot_programme(panel: pd.DataFrame, *, ax=None):
    """Mean visits per period, members vs control, with the period the rewards stopped (false loyalty).

    Example
    -------
    >>> ax = plot_programme(simulate_programme({"n_customers": 300}, seed=0))
    """
    check_dataframe(panel, name="panel")
    check_columns(panel, ["period", "group", "running", "visits"], name="panel")
    ax = axes_or_new(ax)
    means = panel.groupby(["period", "group"])["visits"].mean().unstack("group")
    for grp, zh in (("member", "会员"), ("control", "对照组")):
        if grp in means.columns:
            ax.plot(means.index.to_numpy(), means[grp].to_numpy(), marker="o", label=label(grp, zh))
    stopped = panel.loc[~panel["running"].to_numpy(dtype=bool), "period"]
    if len(stopped):
        ax.axvline(stopped.min() - 0.5, color="grey", ls=":", label=label("rewards stop", "奖励停止"))
    ax.set_xlabel(label("period", "期"))
    ax.set_ylabel(label("visits per customer", "人均光顾次数"))
    ax.set_title(label("Reward programme and false loyalty", "奖励计划与虚假忠诚"))
    ax.legend()
    return ax


def plot_imitation(table: pd.DataFrame, *, ax=None):
    """Share of the first mover over time, with and without its programme (output of :func:`imitation_dynamics`).

    Example
    -------
    >>> ax = plot_imitation(imitation_dynamics())
    """
    check_dataframe(table, name="table")
    check_columns(table, ["period", "share", "share_no_programme", "phase"], name="table")
    ax = axes_or_new(ax)
    ax.plot(table["period"], table["share"], lw=2, label=label("with programme", "推出常客计划"))
    ax.plot(table["period"], table["share_no_programme"], ls="--", label=label("no programme", "无计划"))
    for ph, zh in (("programme", "推出"), ("imitated", "被模仿")):
        start = table.loc[table["phase"] == ph, "period"]
        if len(start):
            ax.axvline(start.min(), color="grey", ls=":")
            ax.annotate(label(ph, zh), (start.min(), ax.get_ylim()[1]), va="top", fontsize=8)
    ax.set_xlabel(label("period", "期"))
    ax.set_ylabel(label("market share", "市场份额"))
    ax.set_title(label("Frequent-flyer programme and imitation", "常客计划与竞争者模仿"))
    ax.legend()
    return ax


def plot_word_of_mouth(table: pd.DataFrame, *, ax=None):
    """New customers won and prospects deterred per generation (output of :func:`word_of_mouth`).

    Example
    -------
    >>> ax = plot_word_of_mouth(word_of_mouth(100, 10, generations=3))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["generation", "new_customers", "deterred"], name="table")
    ax = axes_or_new(ax)
    g = table["generation"].to_numpy(dtype=float)
    ax.bar(g - 0.2, table["new_customers"], width=0.4, label=label("new customers", "新增客户"))
    ax.bar(g + 0.2, table["deterred"], width=0.4, label=label("deterred prospects", "被劝退的潜在客户"))
    ax.set_xticks(g)
    ax.set_xlabel(label("generation", "传播代数"))
    ax.set_ylabel(label("people", "人数"))
    ax.set_title(label("Word of mouth", "口碑效应"))
    ax.legend()
    return ax


def plot_retention_sensitivity(table: pd.DataFrame, *, ax=None):
    """Profit increase from the retention uplift against base retention, with the 25-85% band shaded.

    Example
    -------
    >>> ax = plot_retention_sensitivity(retention_sensitivity(np.linspace(0.5, 0.94, 23)))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["base_retention", "profit_increase"], name="table")
    ax = axes_or_new(ax)
    ax.axhspan(0.25, 0.85, color="grey", alpha=0.15, label=label("25-85% (Reichheld & Sasser)", "25%-85%"))
    ax.plot(table["base_retention"], table["profit_increase"], lw=2, label=label("model", "模型"))
    ax.set_xlabel(label("base retention rate", "基准保留率"))
    ax.set_ylabel(label("relative profit increase", "利润增幅"))
    ax.set_title(label("Retention and profit", "客户保留与利润"))
    ax.legend()
    return ax
