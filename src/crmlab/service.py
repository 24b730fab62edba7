"""Customer service analytics: complaints, response times, control rates, service-profit chain, call centres.

- :func:`complaint_pareto` ranks complaint categories (the "vital few" make up most complaints) and routes
  each category: product issues to R&D, process issues to management (CRM Q&A compilation (source 0),
  line 21: complaints "按類別匯總後又可反饋於研發與管理部門"; Boeing moved instrument indicators after
  complaints).
- :func:`sla_status` / :func:`sla_summary` check e-mail replies against the call-centre rule of the CRM Q&A
  compilation (source 0), line 17: customers expect a reply within a day; staff are alerted (by SMS) when a
  message is still unanswered after 12 hours.
- :func:`control_rates`, :func:`p_chart` and :func:`no_miss_funnel` implement Haier's "1-2-3-4" after-sales
  model (CRM article collection (source 3), lines 467–487): three control rates (service complaint,
  omission and dissatisfaction rate), monitored here with Shewhart p-charts, and the four "no misses"
  (record, handle, re-check, feed back to design/production) as a funnel whose leaks are counted.
- :func:`service_profit_chain` estimates the chain employee satisfaction -> customer satisfaction -> revisit
  -> revenue (Heskett et al. 1994; Haidilao's "two satisfactions" in the Analytical CRM course pack
  (source 1), lines 2–11, and Westpac's goals, lines 235–416) as one OLS regression per link.
- :func:`erlang_c`, :func:`service_level` and :func:`agents_needed` staff a call centre with the Erlang C
  model (the M/M/N queue: Poisson arrivals, exponential handle times, N agents, nobody hangs up): the
  probability of waiting, the share answered within a threshold ("80% within 20 seconds") and the fewest
  agents that reach it (Erlang 1917; Gans, Koole & Mandelbaum 2003). :func:`simulate_queue` checks the formula
  by a discrete-event simulation of the same queue, first come first served (:func:`serve_queue`), optionally
  with exponential patience - callers who hang up, the M/M/N+M or Erlang A queue (Garnett, Mandelbaum &
  Reiman 2002) - and :func:`measure_queue` reads its service level with a batch-means standard error.

References
----------
.. [1] Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E. & Schlesinger, L. A. (1994), "Putting
   the service-profit chain to work", *Harvard Business Review* 72(2).
.. [2] Montgomery, D. C., *Introduction to Statistical Quality Control*, ch. 7 (the p-chart).
.. [3] Erlang, A. K. (1917), "Solution of some problems in the theory of probabilities of significance in
   automatic telephone exchanges", *Elektroteknikeren* 13.
.. [4] Gans, N., Koole, G. & Mandelbaum, A. (2003), "Telephone call centers: tutorial, review, and research
   prospects", *Manufacturing & Service Operations Management* 5(2), 79–141.
.. [5] Garnett, O., Mandelbaum, A. & Reiman, M. (2002), "Designing a call center with impatient customers",
   *Manufacturing & Service Operations Management* 4(3), 208–227.
.. [6] Law, A. M., *Simulation Modeling and Analysis*, ch. 9 (batch means).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from ._flags import binary_column, binary_column_observed
from ._validate import (as_generator, check_columns, check_dataframe, check_generator, check_int, check_number,
                        check_probability, datetime_column, numeric_column)
from ._plotting import axes_or_new
from .plots import PALETTE, label

__all__ = ["ROUTES", "complaint_pareto", "sla_status", "sla_summary", "control_rates", "p_chart",
           "no_miss_funnel", "service_profit_chain", "ChainResult", "erlang_c", "service_level", "agents_needed",
           "serve_queue", "simulate_queue", "measure_queue", "QueueMeasure", "plot_pareto", "plot_sla",
           "plot_p_chart", "plot_funnel", "plot_chain"]

#: Where each kind of complaint goes (CRM Q&A compilation (source 0), line 21): product issues feed R&D,
#: process issues management.
ROUTES = {"product": "R&D", "process": "management"}
# What a kind may be written as: the kind, the team it is routed to, or both ("product/R&D", as the ctrip
# world writes it); compared without case or surrounding spaces.
_KIND_NAMES = {**{k: k for k in ROUTES}, **{r.lower(): k for k, r in ROUTES.items()},
               **{f"{k}/{r}".lower(): k for k, r in ROUTES.items()}}
#: Haier's four "no misses" (CRM article collection (source 3), line 487), in order.
NO_MISS_STAGES = ("record", "handle", "recheck", "feed_back")


# --------------------------------------------------------------------------------------------- complaints
def complaint_pareto(complaints: pd.DataFrame, *, category_col: str = "category", kind_col: str | None = None,
                     kinds: Mapping | None = None, vital_share: float = 0.8) -> pd.DataFrame:
    """Pareto table of complaint categories, with the vital few flagged and each category routed.

    Parameters
    ----------
    complaints : DataFrame, one row per complaint.
    category_col : column with the complaint category.
    kind_col : optional column saying whether a complaint is a ``"product"`` or a ``"process"`` issue
        (must be the same for every complaint of a category). The team's name (``"R&D"``,
        ``"management"``) or both (``"product/R&D"``, ``"process/management"``) are read as the kind too.
    kinds : optional mapping ``{category: "product" | "process"}``, instead of ``kind_col``.
    vital_share : the "vital few" are the top categories needed to reach this share of complaints.

    Returns
    -------
    DataFrame with columns ``category, complaints, share, cum_share, vital_few, kind, route``, most
    frequent first (ties by category name). ``route`` is ``"R&D"`` for product issues, ``"management"``
    for process issues, ``"triage"`` when no kind was given.

    Example
    -------
    >>> c = pd.DataFrame({"category": ["noise", "noise", "late visit", "noise", "rude staff"]})
    >>> complaint_pareto(c, kinds={"noise": "product", "late visit": "process", "rude staff": "process"}
    ...                  )[["category", "complaints", "route"]].values.tolist()
    [['noise', 3, 'R&D'], ['late visit', 1, 'management'], ['rude staff', 1, 'management']]

    Source: CRM Q&A compilation (source 0), line 21 (complaints summarised by category and fed back to R&D and
    management).
    """
    check_dataframe(complaints, name="complaints")
    check_columns(complaints, {"category_col": category_col}, name="complaints")
    vital_share = check_probability(vital_share, "vital_share", open_low=True)
    if kind_col is not None and kinds is not None:
        raise ValueError("give either kind_col or kinds, not both")
    cats = complaints[category_col]
    if cats.isna().any():
        raise ValueError(f"category_col={category_col!r} has {int(cats.isna().sum())} missing value(s)")
    counts = cats.value_counts()
    counts = counts[counts > 0]  # unused levels of a categorical column are not complaint categories
    table = pd.DataFrame({"category": counts.index.to_numpy(dtype=object), "complaints": counts.to_numpy()})
    table = table.sort_values(["complaints", "category"], ascending=[False, True], kind="mergesort",
                              key=lambda s: s if s.name == "complaints" else s.map(str)).reset_index(drop=True)
    total = table["complaints"].sum()
    table["share"] = table["complaints"] / total
    table["cum_share"] = table["share"].cumsum()
    table["vital_few"] = (table["cum_share"] - table["share"]) < vital_share - 1e-12
    table["kind"] = _category_kinds(complaints, category_col, kind_col, kinds, table["category"])
    table["route"] = table["kind"].map(lambda k: ROUTES.get(k, "triage"))
    return table


def _category_kinds(complaints, category_col, kind_col, kinds, categories: pd.Series) -> list[str]:
    if kind_col is None and kinds is None:
        return ["unclassified"] * len(categories)
    if kind_col is not None:
        check_columns(complaints, {"kind_col": kind_col}, name="complaints")
        per_cat = complaints.groupby(category_col, sort=False, observed=True)[kind_col].nunique(dropna=False)
        mixed = per_cat[per_cat > 1]
        if len(mixed):
            raise ValueError(f"kind_col={kind_col!r} must be constant within a category; category "
                             f"{mixed.index[0]!r} has {int(mixed.iloc[0])} different kinds")
        kinds = complaints.drop_duplicates(category_col).set_index(category_col)[kind_col].to_dict()
    elif not isinstance(kinds, Mapping):
        raise TypeError(f"kinds must be a mapping {{category: 'product' | 'process'}}, got {type(kinds).__name__}")
    missing = [c for c in categories if c not in kinds]
    if missing:
        raise ValueError(f"kinds has no entry for categor{'y' if len(missing) == 1 else 'ies'} "
                         f"{', '.join(map(repr, missing[:5]))}")
    out = [_KIND_NAMES.get(str(kinds[c]).strip().lower()) for c in categories]
    if None in out:
        bad = kinds[categories.iloc[out.index(None)]]
        raise ValueError(f"kinds must be 'product' or 'process' (or the team: 'R&D', 'management', "
                         f"'product/R&D', 'process/management'), got {bad!r}")
    return out


# -------------------------------------------------------------------------------------------------- SLA
def sla_status(messages: pd.DataFrame, *, received_col: str = "received_at", replied_col: str = "replied_at",
               as_of=None, reply_within_hours: float = 24.0, alert_after_hours: float = 12.0) -> pd.DataFrame:
    """Per message: hours waited, whether the 12-hour alert fired, whether the one-day promise was kept.

    Parameters
    ----------
    messages : DataFrame, one row per customer e-mail (or ticket).
    received_col : arrival time (datetime or date strings, no missing values).
    replied_col : first reply time; missing (NaT/None) means still unanswered.
    as_of : the moment of the check (needed when some messages are unanswered); waiting time of an open
        message runs to ``as_of``.
    reply_within_hours : the promise to the customer (seed: one day, 24 h).
    alert_after_hours : unanswered this long -> an alert goes to staff (seed: 12 h).

    Returns
    -------
    DataFrame indexed like ``messages`` with ``hours_waited`` (to reply, or to ``as_of`` if open),
    ``replied`` (bool), ``alert`` (unanswered at ``alert_after_hours``), ``alert_at`` (when it fired, else
    NaT), ``breach`` (waited beyond ``reply_within_hours``) and ``status``: ``"on_time"``, ``"late"``,
    ``"open"`` (before the alert), ``"open_alert"`` (alerted, still within the promise) or ``"open_overdue"``.

    Example
    -------
    >>> m = pd.DataFrame({"received_at": ["2024-03-01 09:00", "2024-03-01 09:00", "2024-03-01 20:00"],
    ...                   "replied_at": ["2024-03-01 15:00", "2024-03-02 12:00", None]})
    >>> sla_status(m, as_of="2024-03-02 10:00")["status"].tolist()
    ['on_time', 'late', 'open_alert']

    Source: CRM Q&A compilation (source 0), line 17 (reply within a day; SMS alert to staff after 12 unanswered
    hours).
    """
    check_dataframe(messages, name="messages")
    check_columns(messages, {"received_col": received_col, "replied_col": replied_col}, name="messages")
    reply_within = check_number(reply_within_hours, "reply_within_hours", low=0, low_open=True)
    alert_after = check_number(alert_after_hours, "alert_after_hours", low=0, low_open=True)
    if alert_after > reply_within:
        raise ValueError(f"alert_after_hours ({alert_after}) must not exceed reply_within_hours ({reply_within})")
    received = datetime_column(messages, received_col, name="messages")
    open_ = messages[replied_col].isna().to_numpy()
    replied = pd.Series(pd.NaT, index=messages.index, dtype="datetime64[ns]")
    if (~open_).any():
        replied[~open_] = datetime_column(messages.loc[~open_], replied_col, name="messages").astype("datetime64[ns]")
    early = (replied < received).to_numpy()
    if early.any():
        raise ValueError(f"replied_col={replied_col!r} is before received_col={received_col!r} in "
                         f"{int(early.sum())} row(s), first at row {messages.index[int(np.argmax(early))]!r}")
    end = replied.copy()
    if open_.any():
        if as_of is None:
            raise ValueError(f"as_of is needed: {int(open_.sum())} message(s) have no reply yet")
        try:
            now = pd.Timestamp(as_of)
        except (ValueError, TypeError):
            raise ValueError(f"as_of must be a date/time, got {as_of!r}") from None
        if now.tzinfo is not None:
            now = now.tz_localize(None)
        late_now = (received[open_] > now).to_numpy()
        if late_now.any():
            raise ValueError(f"as_of={as_of!r} is before the arrival of some unanswered messages")
        end[open_] = now
    hours = ((end - received).dt.total_seconds() / 3600.0).to_numpy()
    alert = hours > alert_after
    breach = hours > reply_within
    status = np.where(~open_, np.where(breach, "late", "on_time"),
                      np.where(breach, "open_overdue", np.where(alert, "open_alert", "open")))
    alert_at = (received + pd.Timedelta(hours=alert_after)).where(alert)
    return pd.DataFrame({"hours_waited": hours, "replied": ~open_, "alert": alert, "alert_at": alert_at,
                         "breach": breach, "status": status.astype(object)}, index=messages.index)


def sla_summary(status: pd.DataFrame, by: pd.Series | None = None) -> pd.DataFrame:
    """Summarise :func:`sla_status` (optionally per group): counts, on-time share, alerts, median wait.

    Parameters
    ----------
    status : the output of :func:`sla_status`.
    by : optional Series aligned with ``status`` (e.g. ``messages["channel"]``) to group by.

    Returns
    -------
    DataFrame with ``messages, replied, on_time_share`` (share of all messages answered within the
    promise), ``alerts, breaches, median_hours`` (median wait of answered messages), one row per group
    (a single row ``"all"`` without ``by``).

    Example
    -------
    >>> m = pd.DataFrame({"received_at": ["2024-03-01 09:00", "2024-03-01 09:00", "2024-03-01 20:00"],
    ...                   "replied_at": ["2024-03-01 15:00", "2024-03-02 12:00", None]})
    >>> sla_summary(sla_status(m, as_of="2024-03-02 10:00"))[["messages", "alerts", "breaches"]].values.tolist()
    [[3, 2, 1]]
    """
    check_dataframe(status, name="status")
    check_columns(status, ["hours_waited", "replied", "alert", "breach", "status"], name="status")
    keys = pd.Series("all", index=status.index) if by is None else by
    if not isinstance(keys, pd.Series) or not keys.index.equals(status.index):
        raise ValueError("by must be a pandas Series with the same index as status")
    frame = status.assign(_g=keys.to_numpy(), _ok=status["status"].eq("on_time"),
                          _replied_hours=status["hours_waited"].where(status["replied"]))
    g = frame.groupby("_g", sort=True)
    out = pd.DataFrame({"messages": g.size(), "replied": g["replied"].sum(), "on_time_share": g["_ok"].mean(),
                        "alerts": g["alert"].sum(), "breaches": g["breach"].sum(),
                        "median_hours": g["_replied_hours"].median()})
    out.index.name = None if by is None else by.name
    return out


# ------------------------------------------------------------------------------------- control rates
def control_rates(jobs: pd.DataFrame, *, group_cols: Sequence[str] | str = (), complaint_col: str = "complained",
                  omission_col: str = "omitted", dissatisfied_col: str = "dissatisfied") -> pd.DataFrame:
    """Haier's three control rates per group: service complaint, omission and dissatisfaction rate.

    Parameters
    ----------
    jobs : DataFrame, one row per service request (installation, repair, visit ...).
    group_cols : column(s) to group by, e.g. ``["city", "month"]`` (empty: one overall row).
    complaint_col, omission_col, dissatisfied_col : 0/1 or bool columns: the customer complained about the
        service; the request was missed (promised but not done); the customer said they were dissatisfied.
        A missing value means "not observed" (e.g. satisfaction is only asked at the re-check call), and
        that row is left out of that rate's base.

    Returns
    -------
    DataFrame with the group columns, ``jobs``, and per rate the count, its base and the rate:
    ``complaints, complaint_base, complaint_rate``, ``omissions, omission_base, omission_rate``,
    ``dissatisfied, dissatisfaction_base, dissatisfaction_rate``. Feed a count and its base to
    :func:`p_chart` to monitor a rate over time.

    Example
    -------
    >>> j = pd.DataFrame({"city": ["Qingdao"] * 4, "complained": [1, 0, 0, 0], "omitted": [0, 0, 0, 0],
    ...                   "dissatisfied": [1, 0, None, None]})
    >>> control_rates(j, group_cols="city")[["complaint_rate", "dissatisfaction_rate"]].values.tolist()
    [[0.25, 0.5]]

    Source: CRM article collection (source 3), lines 467–487 (Haier's "三个控制": 服务投诉率、服务遗漏率、服务不满率).
    """
    check_dataframe(jobs, name="jobs")
    groups = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    check_columns(jobs, {f"group_cols[{i}]": c for i, c in enumerate(groups)}, name="jobs")
    frame = pd.DataFrame({g: jobs[g].to_numpy() for g in groups}, index=pd.RangeIndex(len(jobs)))
    frame["jobs"] = 1
    rates = (("complaints", "complaint", complaint_col, "complaint_col"),
             ("omissions", "omission", omission_col, "omission_col"),
             ("dissatisfied", "dissatisfaction", dissatisfied_col, "dissatisfied_col"))
    for count, stem, col, arg in rates:
        value, observed = binary_column_observed(jobs, col, arg=arg, name="jobs")
        frame[count], frame[f"{stem}_base"] = value.astype(np.int64), observed.astype(np.int64)
    if groups:
        out = frame.groupby(groups, sort=True, observed=True).sum().reset_index()
    else:
        out = frame.sum().to_frame().T.astype(np.int64)
    columns = groups + ["jobs"]
    for count, stem, _, _ in rates:
        base = out[f"{stem}_base"].to_numpy(dtype=float)
        out[f"{stem}_rate"] = np.divide(out[count].to_numpy(dtype=float), base, out=np.full(len(out), np.nan),
                                        where=base > 0)
        columns += [count, f"{stem}_base", f"{stem}_rate"]
    return out[columns]


def p_chart(data: pd.DataFrame, *, defects_col: str, n_col: str, sigma: float = 3.0,
            group_cols: Sequence[str] | str | None = None) -> pd.DataFrame:
    """Shewhart p-chart: each subgroup's proportion against limits from the pooled rate and its own size.

    The centre line is the pooled proportion p̄ = Σ defects / Σ n. Subgroup i has limits
    p̄ ± sigma·sqrt(p̄(1 − p̄)/n_i), clipped to [0, 1], so small subgroups get wider limits. A point outside
    its limits is flagged ``out_of_control`` (a special cause worth investigating). With ``group_cols``,
    each group (say each city, its rows being months) is its own chart with its own centre line.

    Parameters
    ----------
    data : DataFrame, one row per subgroup (e.g. the output of :func:`control_rates`, one row per month).
    defects_col : column with the number of nonconforming items (complaints, omissions ...), >= 0.
    n_col : column with the subgroup size (> 0, and >= the defect count).
    sigma : width of the limits in standard errors (3 by convention).
    group_cols : optional column name(s): one chart per group, p̄ pooled within the group.

    Returns
    -------
    Copy of ``data`` with ``p, center, se, lcl, ucl, out_of_control, side`` (``"high"``, ``"low"`` or
    ``""``) added.

    References
    ----------
    .. [1] Montgomery, D. C., *Introduction to Statistical Quality Control*, ch. 7 (p-chart with variable
       sample size).

    Example
    -------
    >>> d = pd.DataFrame({"complaints": [2, 3, 2, 15], "jobs": [100, 100, 100, 100]})
    >>> p_chart(d, defects_col="complaints", n_col="jobs")["out_of_control"].tolist()
    [False, False, False, True]

    Source: CRM article collection (source 3), lines 467–487 (the three control rates).
    """
    check_dataframe(data, name="data")
    check_columns(data, {"defects_col": defects_col, "n_col": n_col}, name="data")
    sigma = check_number(sigma, "sigma", low=0, low_open=True)
    d = numeric_column(data, defects_col, name="data", allow_negative=False)
    n = numeric_column(data, n_col, name="data", allow_negative=False)
    if (n <= 0).any():
        raise ValueError(f"n_col={n_col!r} must be positive in every row (subgroup sizes)")
    if (d > n).any():
        raise ValueError(f"defects_col={defects_col!r} exceeds n_col={n_col!r} in {int((d > n).sum())} row(s)")
    p = d / n
    if group_cols is None:
        center = d.sum() / n.sum()
    else:
        keys = [group_cols] if isinstance(group_cols, str) else list(group_cols)
        check_columns(data, {f"group_cols[{i}]": c for i, c in enumerate(keys)}, name="data")
        if data[keys].isna().any().any():
            raise ValueError(f"group_cols={group_cols!r} has missing values: every row needs a group")
        sums = (pd.DataFrame({"d": d, "n": n}, index=data.index)
                .groupby([data[c] for c in keys], observed=True, sort=False).transform("sum"))
        center = (sums["d"] / sums["n"]).to_numpy()
    se = np.sqrt(center * (1 - center) / n)
    lcl, ucl = np.clip(center - sigma * se, 0, 1), np.clip(center + sigma * se, 0, 1)
    high, low = p > ucl, p < lcl
    out = data.copy()
    out["p"], out["center"], out["se"], out["lcl"], out["ucl"] = p, center, se, lcl, ucl
    out["out_of_control"] = high | low
    out["side"] = np.where(high, "high", np.where(low, "low", "")).astype(object)
    return out


def no_miss_funnel(issues: pd.DataFrame, *, stages: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Haier's four "no misses" as a funnel: how many reported issues survive each stage, and where they leak.

    An issue counts at a stage only if it passed that stage *and every earlier one* (an issue handled but
    never recorded has leaked at "record"). ``skipped_earlier`` counts rows marked done at a stage although
    an earlier stage is not: a data-quality signal.

    Parameters
    ----------
    issues : DataFrame, one row per issue a customer reported.
    stages : mapping ``{stage name: 0/1 or bool column}`` in funnel order; default
        ``{"record": "recorded", "handle": "handled", "recheck": "rechecked", "feed_back": "fed_back"}``.

    Returns
    -------
    DataFrame with one row per stage (``"reported"`` first): ``stage, issues, share_of_reported,
    conversion`` (from the previous stage), ``leaked`` (lost at this stage), ``skipped_earlier``.

    Example
    -------
    >>> i = pd.DataFrame({"recorded": [1, 1, 1, 0], "handled": [1, 1, 0, 1], "rechecked": [1, 0, 0, 0],
    ...                   "fed_back": [1, 0, 0, 0]})
    >>> no_miss_funnel(i)["issues"].tolist()
    [4, 3, 2, 1, 1]

    Source: CRM article collection (source 3), line 487 (四个不漏: record, handle, re-check, feed back to
    design/production/management).
    """
    check_dataframe(issues, name="issues")
    if stages is None:
        stages = dict(zip(NO_MISS_STAGES, ("recorded", "handled", "rechecked", "fed_back")))
    if not isinstance(stages, Mapping) or not stages:
        raise TypeError("stages must be a non-empty mapping {stage name: column}")
    done = np.column_stack([binary_column(issues, col, arg=f"stages[{stage!r}]", name="issues")
                            for stage, col in stages.items()])
    reached = np.logical_and.accumulate(done, axis=1)
    earlier_missing = np.zeros_like(done)
    earlier_missing[:, 1:] = ~reached[:, :-1]
    counts = np.concatenate([[len(issues)], reached.sum(axis=0)])
    prev = np.concatenate([[len(issues)], counts[:-1]])
    out = pd.DataFrame({"stage": ["reported", *stages], "issues": counts.astype(np.int64),
                        "share_of_reported": counts / len(issues),
                        "conversion": np.divide(counts, prev, out=np.full(len(counts), np.nan), where=prev > 0),
                        "leaked": (prev - counts).astype(np.int64),
                        "skipped_earlier": np.concatenate([[0], (done & earlier_missing).sum(axis=0)]
                                                          ).astype(np.int64)})
    return out


# ------------------------------------------------------------------------------ service-profit chain
@dataclass(frozen=True)
class ChainResult:
    """Result of :func:`service_profit_chain`.

    links : one row per link (``cause, effect, coef, se, ci_low, ci_high, t, p_value, r2, n``)
    indirect : the product of the link slopes (effect of one unit of the first variable on the last,
        carried along the chain) with a percentile bootstrap interval: ``estimate, ci_low, ci_high, n_boot``
    level : the confidence level of the intervals
    """

    links: pd.DataFrame
    indirect: dict
    level: float


def service_profit_chain(data: pd.DataFrame, *,
                         chain: Sequence[str] = ("employee_satisfaction", "customer_satisfaction", "revisit_rate",
                                                 "revenue"),
                         controls: Sequence[str] = (), level: float = 0.95, n_boot: int = 1000,
                         seed=0) -> ChainResult:
    """Estimate the service-profit chain as chained OLS regressions, one per link.

    Link k regresses ``chain[k+1]`` on ``chain[k]`` (plus ``controls`` and an intercept). Standard errors are
    the classical OLS ones, sqrt(s² (X'X)⁻¹) with s² = RSS / (n − p), and intervals use Student's t with
    n − p degrees of freedom. The indirect effect of the first variable on the last is the product of the
    slopes; its interval is a percentile bootstrap over rows (resampling weights drawn from ``seed``).

    Parameters
    ----------
    data : DataFrame, one row per unit (store, branch, month ...).
    chain : at least two numeric columns, cause first (default: employee satisfaction -> customer
        satisfaction -> revisit rate -> revenue).
    controls : numeric columns added to every link's regression (e.g. store size).
    level : confidence level of the intervals, in (0, 1).
    n_boot : bootstrap resamples for the indirect effect (>= 100).
    seed : int or numpy Generator for the bootstrap.

    Returns
    -------
    :class:`ChainResult`.

    References
    ----------
    .. [1] Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E. & Schlesinger, L. A. (1994), "Putting
       the service-profit chain to work", *Harvard Business Review* 72(2).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> es = rng.normal(70, 8, 300); cs = 20 + 0.5 * es + rng.normal(0, 2, 300)
    >>> d = pd.DataFrame({"es": es, "cs": cs, "rev": 3 + 2 * cs + rng.normal(0, 4, 300)})
    >>> r = service_profit_chain(d, chain=["es", "cs", "rev"], n_boot=200)
    >>> [bool(lo < b < hi) for b, lo, hi in zip([0.5, 2.0], r.links["ci_low"], r.links["ci_high"])]
    [True, True]
    >>> r.indirect["ci_low"] < 0.5 * 2.0 < r.indirect["ci_high"]
    True

    Source: Analytical CRM course pack (source 1), lines 2–11 (Haidilao's employee and customer satisfaction)
    and 235–416 (Westpac's goals).
    """
    check_dataframe(data, name="data")
    if isinstance(chain, str) or len(chain) < 2:
        raise ValueError("chain must list at least two columns, cause first")
    controls = [controls] if isinstance(controls, str) else list(controls)
    check_columns(data, {**{f"chain[{i}]": c for i, c in enumerate(chain)},
                         **{f"controls[{i}]": c for i, c in enumerate(controls)}}, name="data")
    level = check_probability(level, "level", open_low=True, open_high=True)
    n_boot = check_int(n_boot, "n_boot", low=100)
    rng = as_generator(seed)
    cols = {c: numeric_column(data, c, name="data") for c in [*chain, *controls]}
    n = len(data)
    p = 2 + len(controls)
    if n <= p + 1:
        raise ValueError(f"data has {n} rows: need more than {p + 1} to fit {p} coefficients per link")
    ctrl = np.column_stack([cols[c] for c in controls]) if controls else np.empty((n, 0))
    rows, designs = [], []
    tq = stats.t.ppf(0.5 + level / 2, n - p)
    for cause, effect in zip(chain[:-1], chain[1:]):
        x = np.column_stack([np.ones(n), cols[cause], ctrl])
        y = cols[effect]
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ beta
        s2 = resid @ resid / (n - p)
        xtx_inv = np.linalg.pinv(x.T @ x)
        se = float(np.sqrt(s2 * xtx_inv[1, 1]))
        tval = beta[1] / se if se > 0 else np.inf
        tss = ((y - y.mean()) ** 2).sum()
        rows.append({"cause": cause, "effect": effect, "coef": float(beta[1]), "se": se,
                     "ci_low": float(beta[1] - tq * se), "ci_high": float(beta[1] + tq * se), "t": float(tval),
                     "p_value": float(2 * stats.t.sf(abs(tval), n - p)),
                     "r2": float(1 - resid @ resid / tss) if tss > 0 else np.nan, "n": n})
        designs.append((x, y))
    links = pd.DataFrame(rows)
    # Bootstrap: each resample is a vector of multinomial counts w; the weighted normal equations
    # (X'WX) b = X'Wy give a block of resamples' slopes at once (blocks keep the weight matrix small).
    product = np.ones(n_boot)
    block = max(1, min(n_boot, 4_000_000 // n))
    for start in range(0, n_boot, block):
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=min(block, n_boot - start)).astype(float)
        for x, y in designs:
            xtwx = np.einsum("bn,ni,nj->bij", w, x, x, optimize=True)
            xtwy = w @ (x * y[:, None])
            product[start:start + len(w)] *= (np.linalg.pinv(xtwx) @ xtwy[:, :, None])[:, 1, 0]
    alpha = 1 - level
    lo, hi = np.quantile(product, [alpha / 2, 1 - alpha / 2])
    indirect = {"estimate": float(np.prod(links["coef"])), "ci_low": float(lo), "ci_high": float(hi),
                "n_boot": n_boot}
    return ChainResult(links=links, indirect=indirect, level=level)


# --------------------------------------------------------------------------------- call-centre queue
def _erlang_c_args(n_agents, load) -> tuple[int, float]:
    n = check_int(n_agents, "n_agents", low=1)
    a = check_number(load, "load", low=0)
    if a >= n:
        raise ValueError(f"load={load!r} Erlangs must be below n_agents={n}: with no more agents than Erlangs the "
                         f"queue grows without bound and Erlang C has no steady state")
    return n, a


def erlang_c(n_agents: int, load: float) -> float:
    """Erlang C: the probability that a call has to wait in an M/M/N queue.

    C(N, A) = [A^N/N! · N/(N − A)] / [Σ_{k<N} A^k/k! + A^N/N! · N/(N − A)], for N agents and an offered load
    of A = λh Erlangs (arrival rate × average handle time), Poisson arrivals, exponential handle times and
    callers who never hang up. Computed through the Erlang B recursion B(k) = A·B(k−1) / (k + A·B(k−1)),
    C = N·B / (N − A(1 − B)), which stays stable for hundreds of agents.

    Parameters
    ----------
    n_agents : number of agents N (>= 1).
    load : offered load A in Erlangs (>= 0, and below ``n_agents``: otherwise the queue has no steady state).

    Returns
    -------
    float in [0, 1).

    Example
    -------
    >>> round(erlang_c(3, 2.0), 4)   # 4/9
    0.4444

    Source: Erlang (1917); Gans, Koole & Mandelbaum (2003), eq. (3).
    """
    n, a = _erlang_c_args(n_agents, load)
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1 - b))


def service_level(n_agents: int, load: float, aht: float, within: float = 20.0) -> float:
    """Erlang C service level: the share of calls answered within ``within`` seconds.

    P(wait <= t) = 1 − C(N, A) · exp(−(N − A) t / h) for the M/M/N queue of :func:`erlang_c`, with h the
    average handle time.

    Parameters
    ----------
    n_agents : number of agents N (>= 1).
    load : offered load A in Erlangs (>= 0, below ``n_agents``).
    aht : average handle time h in seconds (> 0).
    within : the threshold t in seconds (>= 0; the industry convention is 20).

    Example
    -------
    >>> round(service_level(3, 2.0, 60.0, within=0.0), 4)   # 1 - 4/9: the calls that need not wait
    0.5556

    Source: Gans, Koole & Mandelbaum (2003), section 4.1.
    """
    n, a = _erlang_c_args(n_agents, load)
    h = check_number(aht, "aht", low=0, low_open=True)
    t = check_number(within, "within", low=0)
    return float(1 - erlang_c(n, a) * np.exp(-(n - a) * t / h))


def agents_needed(load: float, aht: float, target: float = 0.8, within: float = 20.0) -> int:
    """Fewest agents whose Erlang C :func:`service_level` reaches ``target`` (e.g. 80% within 20 s).

    Parameters
    ----------
    load : offered load in Erlangs (>= 0).
    aht : average handle time in seconds (> 0).
    target : share of calls to answer within ``within`` seconds, strictly between 0 and 1.
    within : the threshold in seconds (>= 0).

    Returns
    -------
    int, at least the first integer above ``load``.

    Example
    -------
    >>> agents_needed(39.3, 270.0)
    45
    """
    a = check_number(load, "load", low=0)
    h = check_number(aht, "aht", low=0, low_open=True)
    p = check_probability(target, "target", open_low=True, open_high=True)
    t = check_number(within, "within", low=0)
    n = int(np.floor(a)) + 1
    while service_level(n, a, h, t) < p:
        n += 1
    return n


def serve_queue(arrival, handle, n_agents: int, *, patience=None) -> tuple[np.ndarray, np.ndarray]:
    """First-come-first-served queue with ``n_agents`` agents and (optionally) callers who hang up.

    Each caller, in order of arrival, takes the agent who is free first. With ``patience``, a caller whose wait
    would exceed their patience hangs up at that moment without taking an agent (their wait is the patience).

    Parameters
    ----------
    arrival : arrival times in seconds, non-decreasing.
    handle : handle time of each call in seconds (>= 0), same length.
    n_agents : number of agents (>= 1).
    patience : optional patience of each caller in seconds (>= 0, same length); ``None``: nobody hangs up.

    Returns
    -------
    (wait, answered): seconds each caller waited (float array) and whether they were answered (bool array).

    Example
    -------
    >>> w, a = serve_queue([0.0, 1.0, 2.0], [10.0, 10.0, 10.0], 1, patience=[5.0, 5.0, 20.0])
    >>> w.tolist(), a.tolist()
    ([0.0, 5.0, 8.0], [True, False, True])
    """
    n_agents = check_int(n_agents, "n_agents", low=1)
    arrival = _times(arrival, "arrival")
    handle = _times(handle, "handle", size=arrival.size)
    if arrival.size > 1 and (np.diff(arrival) < 0).any():
        raise ValueError("arrival must be sorted (non-decreasing): the queue serves callers in order of arrival")
    limit = np.full(arrival.size, np.inf) if patience is None else _times(patience, "patience", size=arrival.size)
    free = [0.0] * n_agents                  # when each agent is next free (a heap)
    wait = np.empty(arrival.size)
    answered = np.empty(arrival.size, dtype=bool)
    for i, (a, h, p) in enumerate(zip(arrival.tolist(), handle.tolist(), limit.tolist())):
        start = free[0] if free[0] > a else a
        if start - a > p:
            wait[i], answered[i] = p, False  # hung up after waiting their patience
        else:
            wait[i], answered[i] = start - a, True
            heapq.heapreplace(free, start + h)
    return wait, answered


def _times(values, name: str, size: int | None = None) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of seconds") from None
    if out.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {out.shape}")
    if size is not None and out.size != size:
        raise ValueError(f"{name} has {out.size} values, arrival has {size}")
    if np.isnan(out).any() or (out < 0).any():
        raise ValueError(f"{name} must be >= 0 seconds with no missing values")
    if name != "patience" and not np.isfinite(out).all():
        raise ValueError(f"{name} must be finite")
    return out


def simulate_queue(rate: float, aht: float, n_agents: int, *, hours: float, rng: np.random.Generator,
                   patience: float | None = None, warmup_hours: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One discrete-event run of the call-centre queue: M/M/N, or M/M/N+M with exponential patience (Erlang A).

    Draws Poisson arrivals at ``rate`` over ``hours`` (as a Poisson count placed uniformly), exponential handle
    times with mean ``aht`` and, with ``patience``, exponential patience with that mean, then serves them with
    :func:`serve_queue`. The calls arriving in the first ``warmup_hours`` are dropped (the queue starts empty).

    Parameters
    ----------
    rate : calls per second (> 0).
    aht : mean handle time in seconds (> 0).
    n_agents : number of agents (>= 1).
    hours : length of the run in hours (> ``warmup_hours``).
    rng : numpy Generator; the run is a function of its state (the same seed gives the same run).
    patience : mean patience in seconds (> 0); ``None``: nobody hangs up (then Erlang C is exact).
    warmup_hours : hours dropped at the start (>= 0).

    Returns
    -------
    (wait, answered) of the calls after the warm-up, in order of arrival; summarise with :func:`measure_queue`.

    Example
    -------
    >>> wait, answered = simulate_queue(2 / 60, 60.0, 3, hours=200, rng=np.random.default_rng(0))
    >>> bool(abs(measure_queue(wait, answered, within=0.0).service_level - service_level(3, 2.0, 60.0, 0.0)) < 0.02)
    True

    Source: Garnett, Mandelbaum & Reiman (2002) for the M/M/N+M queue.
    """
    lam = check_number(rate, "rate", low=0, low_open=True)
    h = check_number(aht, "aht", low=0, low_open=True)
    n_agents = check_int(n_agents, "n_agents", low=1)
    warm = check_number(warmup_hours, "warmup_hours", low=0)
    span = check_number(hours, "hours", low=warm, low_open=True)
    mean_patience = check_number(patience, "patience", low=0, low_open=True, allow_none=True)
    check_generator(rng)
    n = rng.poisson(lam * span * 3600)
    arrival = np.sort(rng.uniform(0, span * 3600, n))
    handle = rng.exponential(h, n)
    limit = None if mean_patience is None else rng.exponential(mean_patience, n)
    wait, answered = serve_queue(arrival, handle, n_agents, patience=limit)
    keep = arrival >= warm * 3600
    return wait[keep], answered[keep]


class QueueMeasure(NamedTuple):
    """What :func:`measure_queue` returns (unpacks as ``sl, se, abandoned = ...``)."""
    service_level: float
    standard_error: float
    abandoned: float


def measure_queue(wait, answered, *, within: float = 20.0, batches: int = 20) -> QueueMeasure:
    """Service level of a queue's calls, its batch-means standard error, and the share abandoned.

    The service level is the share of all calls offered that were answered within ``within`` seconds (a caller
    who hung up counts as a failure). Calls of one queue are not independent, so its standard error comes from
    ``batches`` batches of consecutive calls: sd(batch means) / sqrt(batches).

    Parameters
    ----------
    wait, answered : as returned by :func:`simulate_queue` or :func:`serve_queue`, in order of arrival.
    within : threshold in seconds (>= 0).
    batches : number of batches (>= 2, at most the number of calls).

    Returns
    -------
    QueueMeasure(service_level, standard_error, abandoned).

    Example
    -------
    >>> measure_queue([0.0, 5.0, 30.0, 12.0], [True, True, False, True], batches=2)
    QueueMeasure(service_level=0.75, standard_error=0.25, abandoned=0.25)

    Source: Law, A. M., *Simulation Modeling and Analysis*, ch. 9 (batch means).
    """
    w = np.asarray(wait, dtype=float)
    ans = np.asarray(answered)
    if ans.dtype != bool:
        raise TypeError(f"answered must be a boolean array, got dtype {ans.dtype}")
    if w.ndim != 1 or w.shape != ans.shape:
        raise ValueError(f"wait and answered must be one-dimensional of the same length, got shapes "
                         f"{w.shape} and {ans.shape}")
    t = check_number(within, "within", low=0)
    k = check_int(batches, "batches", low=2)
    if w.size < k:
        raise ValueError(f"batches={k} needs at least {k} calls, got {w.size}")
    ok = ans & (w <= t)
    parts = np.array_split(ok, k)
    return QueueMeasure(float(ok.mean()), float(np.std([p.mean() for p in parts], ddof=1) / np.sqrt(k)),
                        float(1 - ans.mean()))


# -------------------------------------------------------------------------------------------- plots
def plot_pareto(table: pd.DataFrame, *, ax=None):
    """Pareto chart of :func:`complaint_pareto`: bars of counts (coloured by route), cumulative share line.

    Returns the bar Axes (the cumulative line is on a twin axis).

    Example
    -------
    >>> c = pd.DataFrame({"category": ["noise", "noise", "late visit"]})
    >>> ax = plot_pareto(complaint_pareto(c, kinds={"noise": "product", "late visit": "process"}))
    """
    check_dataframe(table, name="table")
    check_columns(table, ["category", "complaints", "cum_share", "route"], name="table")
    ax = axes_or_new(ax)
    routes = list(dict.fromkeys(table["route"]))
    colours = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(routes)}
    xs = np.arange(len(table))
    ax.bar(xs, table["complaints"], color=[colours[r] for r in table["route"]])
    for r in routes:
        ax.bar([], [], color=colours[r], label=r)
    ax.set_xticks(xs, [str(c) for c in table["category"]], rotation=45, ha="right")
    ax.set_ylabel(label("Complaints", "投诉数"))
    ax.set_title(label("Complaints by category (Pareto)", "投诉类别帕累托图"))
    ax.legend(title=label("Route to", "转交"), loc="center right")
    twin = ax.twinx()
    twin.plot(xs, table["cum_share"], color="black", marker="o", ms=3)
    twin.axhline(0.8, color="grey", ls="--", lw=1)
    twin.set_ylim(0, 1.05)
    twin.set_ylabel(label("Cumulative share", "累计占比"))
    twin.grid(False)
    return ax


def plot_sla(status: pd.DataFrame, *, reply_within_hours: float = 24.0, alert_after_hours: float = 12.0,
             ax=None, bins: int = 40):
    """Histogram of hours waited (answered and open messages) with the alert and promise lines.

    Example
    -------
    >>> m = pd.DataFrame({"received_at": ["2024-03-01 09:00", "2024-03-01 20:00"],
    ...                   "replied_at": ["2024-03-01 15:00", None]})
    >>> ax = plot_sla(sla_status(m, as_of="2024-03-02 10:00"))
    """
    check_dataframe(status, name="status")
    check_columns(status, ["hours_waited", "replied"], name="status")
    bins = check_int(bins, "bins", low=1)
    ax = axes_or_new(ax)
    hours = status["hours_waited"].to_numpy(dtype=float)
    edges = np.histogram_bin_edges(hours, bins=bins)
    replied = status["replied"].to_numpy(dtype=bool)
    ax.hist([hours[replied], hours[~replied]], bins=edges, stacked=True,
            label=[label("answered", "已回复"), label("open", "未回复")], color=PALETTE[:2])
    ax.axvline(alert_after_hours, color=PALETTE[3], ls="--", label=label(f"alert {alert_after_hours:g} h",
                                                                       f"报警 {alert_after_hours:g} 小时"))
    ax.axvline(reply_within_hours, color="black", ls="--", label=label(f"promise {reply_within_hours:g} h",
                                                                      f"承诺 {reply_within_hours:g} 小时"))
    ax.set_xlabel(label("Hours waited for a reply", "等待回复小时数"))
    ax.set_ylabel(label("Messages", "邮件数"))
    ax.set_title(label("Reply times against the one-day promise", "回复时间与一天承诺"))
    ax.legend()
    return ax


def plot_p_chart(chart: pd.DataFrame, *, x_col: str | None = None, ax=None, title: str | None = None):
    """Control chart of :func:`p_chart`'s output: proportions, centre line, varying 3-sigma limits.

    Out-of-control points are drawn in red. ``x_col`` names the subgroup labels (default: the index).

    Example
    -------
    >>> d = pd.DataFrame({"complaints": [2, 3, 2, 15], "jobs": [100, 120, 90, 100]})
    >>> ax = plot_p_chart(p_chart(d, defects_col="complaints", n_col="jobs"))
    """
    check_dataframe(chart, name="chart")
    check_columns(chart, ["p", "center", "lcl", "ucl", "out_of_control"], name="chart")
    if x_col is not None:
        check_columns(chart, {"x_col": x_col}, name="chart")
    ax = axes_or_new(ax)
    xs = np.arange(len(chart))
    ticks = chart[x_col] if x_col is not None else chart.index
    ax.step(xs, chart["ucl"], where="mid", color="grey", lw=1, label=label("control limits", "控制限"))
    ax.step(xs, chart["lcl"], where="mid", color="grey", lw=1)
    ax.axhline(float(chart["center"].iloc[0]), color="black", lw=1, label=label("centre (pooled p)", "中心线"))
    ax.plot(xs, chart["p"], marker="o", ms=4, color=PALETTE[0], label=label("proportion", "比例"))
    bad = chart["out_of_control"].to_numpy(dtype=bool)
    if bad.any():
        ax.scatter(xs[bad], chart["p"].to_numpy()[bad], color=PALETTE[3], zorder=3, s=40,
                   label=label("out of control", "失控点"))
    step = max(1, len(xs) // 12)
    ax.set_xticks(xs[::step], [str(t) for t in list(ticks)[::step]], rotation=45, ha="right")
    ax.set_ylabel(label("Proportion", "比例"))
    ax.set_title(title or label("p-chart", "p 控制图"))
    ax.legend()
    return ax


def plot_funnel(funnel: pd.DataFrame, *, ax=None):
    """Horizontal funnel of :func:`no_miss_funnel`: issues surviving each stage, leaks annotated.

    Example
    -------
    >>> i = pd.DataFrame({"recorded": [1, 1, 1], "handled": [1, 1, 0], "rechecked": [1, 0, 0], "fed_back": [1, 0, 0]})
    >>> ax = plot_funnel(no_miss_funnel(i))
    """
    check_dataframe(funnel, name="funnel")
    check_columns(funnel, ["stage", "issues", "leaked"], name="funnel")
    ax = axes_or_new(ax)
    ys = np.arange(len(funnel))[::-1]
    ax.barh(ys, funnel["issues"], color=PALETTE[0])
    for y, n, leak in zip(ys, funnel["issues"], funnel["leaked"]):
        ax.annotate(f"{n:,}" + (f"  (−{leak:,})" if leak else ""), (n, y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(ys, [str(s) for s in funnel["stage"]])
    ax.set_xlabel(label("Issues", "问题数"))
    ax.set_title(label("Four no-misses funnel", "四个不漏漏斗"))
    return ax


def plot_chain(result: ChainResult, *, ax=None):
    """Coefficient plot of :func:`service_profit_chain`: each link's slope with its interval.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"es": rng.normal(size=50)}).assign(cs=lambda f: f["es"] + rng.normal(size=50))
    >>> ax = plot_chain(service_profit_chain(d, chain=["es", "cs"], n_boot=100))
    """
    if not isinstance(result, ChainResult):
        raise TypeError(f"result must be a ChainResult, got {type(result).__name__}")
    ax = axes_or_new(ax)
    links = result.links
    ys = np.arange(len(links))[::-1]
    ax.errorbar(links["coef"], ys, xerr=[links["coef"] - links["ci_low"], links["ci_high"] - links["coef"]],
                fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(ys, [f"{c} → {e}" for c, e in zip(links["cause"], links["effect"])])
    ax.set_xlabel(label(f"Slope ({result.level:.0%} interval)", f"斜率({result.level:.0%} 区间)"))
    ax.set_title(label("Service-profit chain", "服务利润链"))
    return ax
