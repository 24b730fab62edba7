"""Exercise checks of the SaaS editions case (notebooks/saas_editions.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables with plain numpy — a hand-written product-limit
(Kaplan–Meier) estimator and a Newton-Raphson fit of the Cox partial likelihood (Breslow ties) — independently
of the statsmodels calls the notebook makes, so a notebook bug cannot make a wrong answer pass. The world is
built in cases/saas_editions/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``, with
statsmodels' SurvfuncRight and PHReg) and the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "saas_editions"
DAYS_PER_MONTH = 365.25 / 12


def _durations(world):
    """Months from sign-up to the notice of cancellation (event) or to the extraction date (censored), in numpy."""
    a = world.tables["accounts"]
    signed = a["signed_on"].to_numpy().astype("datetime64[D]").astype(np.int64)
    cancelled = a["cancelled_on"].notna().to_numpy()
    end = np.where(cancelled, a["cancelled_on"].to_numpy().astype("datetime64[D]").astype(np.int64),
                   a["observed_until"].to_numpy().astype("datetime64[D]").astype(np.int64))
    return (end - signed) / DAYS_PER_MONTH, cancelled


def _km_at(time, event, t):
    """Product-limit estimate of S(t): the product over event times u <= t of (1 - deaths(u) / at risk(u))."""
    s = 1.0
    for u in np.unique(time[event & (time <= t)]):
        s *= 1.0 - np.sum(event & (time == u)) / np.sum(time >= u)
    return s


def _group(world, edition, term):
    a = world.tables["accounts"]
    time, event = _durations(world)
    m = (a["edition"].astype(str).to_numpy() == edition) & (a["term_years"].to_numpy() == term)
    return time[m], event[m]


def _cox(time, event, X, iters=50):
    """Cox regression by Newton-Raphson on the Breslow partial likelihood; returns the coefficients."""
    order = np.argsort(-time, kind="stable")                # longest first: risk sets are running sums
    t, d, X = time[order], event[order], X[order]
    beta = np.zeros(X.shape[1])
    for _ in range(iters):
        r = np.exp(X @ beta)
        s0 = np.cumsum(r)
        s1 = np.cumsum(r[:, None] * X, axis=0)
        s2 = np.cumsum(r[:, None, None] * X[:, :, None] * X[:, None, :], axis=0)
        # ties: everyone with the same time shares the risk set of the last row of that time in this order
        last = np.searchsorted(-t, -t, side="right") - 1
        s0, s1, s2 = s0[last], s1[last], s2[last]
        grad = (X[d] - s1[d] / s0[d, None]).sum(axis=0)
        mean = s1[d] / s0[d, None]
        hess = (s2[d] / s0[d, None, None] - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def _design(world, edition=True, term=True):
    a = world.tables["accounts"]
    cols = []
    if edition:
        ed = a["edition"].astype(str).to_numpy()
        cols += [(ed == "Gold").astype(float), (ed == "Diamond").astype(float)]
    if term:
        cols.append((a["term_years"].to_numpy() == 3).astype(float))
    return np.column_stack(cols)


@exercise(CASE, "q1", hint="Kaplan-Meier on the Silver 1-year accounts: time = months from signed_on to cancelled_on "
                           "(or to observed_until if not cancelled), event = cancelled; read S at 12 months.",
          hint_zh="对一年期白银版账户做 Kaplan-Meier：时间 = 从 signed_on 到 cancelled_on（未退订则到 observed_until）的月数，"
                  "事件 = 是否退订；读出12个月处的 S。")
def q1(world, answer):
    time, event = _group(world, "Silver", 1)
    return close(answer, _km_at(time, event, 12.0), abs=0.002,
                 what="the Kaplan-Meier probability that a Silver 1-year customer renews at its first renewal",
                 what_zh="一年期白银版客户在第一次到期时续费的 Kaplan-Meier 概率")


@exercise(CASE, "q2", hint="In the events log, take the renewals and upgrades made by customers whose previous_edition "
                           "is Silver; the answer is the share of them that are upgrades.",
          hint_zh="在 events 日志中，取 previous_edition 为 Silver 的续费（renewal）和升级（upgrade）记录；答案是其中升级所占的比例。")
def q2(world, answer):
    ev = world.tables["events"]
    prev = ev["previous_edition"].astype(object).to_numpy()
    kind = ev["event"].astype(str).to_numpy()
    at_renewal = (prev == "Silver") & np.isin(kind, ["renewal", "upgrade"])
    return close(answer, float(np.sum(at_renewal & (kind == "upgrade")) / np.sum(at_renewal)), abs=5e-4,
                 what="the share of Silver renewals that move up to Gold",
                 what_zh="白银版续费中升级到黄金版的比例")


@exercise(CASE, "q3", hint="A Cox model of months to cancellation on the edition (Silver the reference) and the term "
                           "(1 year the reference): exp of the Diamond coefficient.",
          hint_zh="以退订前的月数为时间，对版本（以白银版为参照）和期限（以一年期为参照）拟合 Cox 模型，取钻石版系数的指数。")
def q3(world, answer):
    time, event = _durations(world)
    beta = _cox(time, event, _design(world))
    return close(answer, float(np.exp(beta[1])), rel=0.003,
                 what="the hazard ratio of Diamond vs Silver, adjusted for the term",
                 what_zh="调整期限后钻石版相对白银版的风险比")


@exercise(CASE, "q4", hint="The same Cox model (edition and term): exp of the coefficient of the 3-year term.",
          hint_zh="同一个 Cox 模型（版本和期限）：三年期系数的指数。")
def q4(world, answer):
    time, event = _durations(world)
    beta = _cox(time, event, _design(world))
    return close(answer, float(np.exp(beta[2])), rel=0.003,
                 what="the hazard ratio of a 3-year vs a 1-year term, adjusted for the edition",
                 what_zh="调整版本后三年期相对一年期的风险比")


@exercise(CASE, "q5", hint="A started year is paid in full: revenue = Gold price x 12 x (S(0) + S(12) + S(24)), with "
                           "S the Kaplan-Meier curve of the Gold 1-year accounts and S(0) = 1.",
          hint_zh="开始了的一年要全额付费：收入 = 黄金版价格 x 12 x (S(0) + S(12) + S(24))，S 为一年期黄金版账户的 "
                  "Kaplan-Meier 曲线，S(0) = 1。")
def q5(world, answer):
    time, event = _group(world, "Gold", 1)
    price = world.knobs["price_gold"]
    expected = price * 12 * sum(_km_at(time, event, m) for m in (0.0, 12.0, 24.0))
    return close(answer, float(expected), rel=0.002,
                 what="the expected revenue of a new Gold 1-year customer in its first 36 months",
                 what_zh="一位新的一年期黄金版客户头36个月的期望收入")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_accounts(world) -> pd.DataFrame:
    """The notebook's ``acc`` table (section 4.1): months observed, the event flag and the edition-term group."""
    acc = world.tables["accounts"].copy()
    end = acc["cancelled_on"].fillna(acc["observed_until"])
    acc["months"] = (end - acc["signed_on"]).dt.days / (365.25 / 12)
    acc["cancelled"] = acc["cancelled_on"].notna()
    return acc


def _sf_at(sf, t):
    """S(t) of a statsmodels SurvfuncRight: the last step at or before t (1 before the first event)."""
    i = np.searchsorted(sf.surv_times, t, side="right")
    return 1.0 if i == 0 else float(sf.surv_prob[i - 1])


def _km(acc, edition, term):
    from statsmodels.duration.survfunc import SurvfuncRight
    part = acc[(acc["edition"] == edition) & (acc["term_years"] == term)]
    return SurvfuncRight(part["months"].to_numpy(), part["cancelled"].astype(int).to_numpy())


def _phreg(acc, formula):
    import statsmodels.formula.api as smf
    return smf.phreg(formula, acc, status=acc["cancelled"].astype(int).to_numpy()).fit()


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/saas_editions.ipynb, section 5."""
    acc = _notebook_accounts(world)
    renew_silver = _sf_at(_km(acc, "Silver", 1), 12)
    ev = world.tables["events"]
    silver = ev[(ev["previous_edition"] == "Silver") & ev["event"].isin(["renewal", "upgrade"])]
    upgrade_rate = float((silver["event"] == "upgrade").mean())
    cox = _phreg(acc, "months ~ C(edition) + C(term_years)")
    hr = np.exp(cox.params)
    names = cox.model.exog_names
    hr_diamond = float(hr[names.index("C(edition)[T.Diamond]")])
    hr_three = float(hr[names.index("C(term_years)[T.3]")])
    sf = _km(acc, "Gold", 1)
    revenue = float(world.knobs["price_gold"] * 12 * (1 + _sf_at(sf, 12) + _sf_at(sf, 24)))
    return {"q1": renew_silver, "q2": upgrade_rate, "q3": hr_diamond, "q4": hr_three, "q5": revenue}


def _rmst(sf, horizon):
    """Area under a Kaplan-Meier step curve from 0 to horizon."""
    t = np.r_[0.0, sf.surv_times[sf.surv_times < horizon], horizon]
    s = np.r_[1.0, sf.surv_prob[sf.surv_times < horizon]]
    return float(np.sum(s * np.diff(t)))


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    acc = _notebook_accounts(world)
    right = answers(world)
    s1 = acc[(acc["edition"] == "Silver") & (acc["term_years"] == 1)]
    naive_renew = float(1 - (s1["cancelled"] & (s1["months"] <= 12)).mean())
    ev = world.tables["events"]
    silver = ev[(ev["previous_edition"] == "Silver") & ev["event"].isin(["renewal", "upgrade"])]
    n_up = int((silver["event"] == "upgrade").sum())
    crude = _phreg(acc, "months ~ C(edition)")
    crude_diamond = float(np.exp(crude.params[crude.model.exog_names.index("C(edition)[T.Diamond]")]))
    crude_t = _phreg(acc, "months ~ C(term_years)")
    crude_three = float(np.exp(crude_t.params[0]))
    sf = _km(acc, "Gold", 1)
    price = world.knobs["price_gold"]
    g1 = acc[(acc["edition"] == "Gold") & (acc["term_years"] == 1)]
    return {
        "q1": {"share of all Silver 1-year accounts not seen to cancel in 12 months (ignores censoring)": naive_renew,
               "the probability of cancelling, 1 - S(12), instead of renewing": 1 - right["q1"],
               "a percentage instead of a share": 100 * right["q1"]},
        "q2": {"upgrades divided by all Silver sign-ups (customers not yet due to renew counted)":
                   n_up / int((acc["edition"] == "Silver").sum()),
               "upgrades divided by plain renewals (odds, not a share)": n_up / int((silver["event"] == "renewal").sum()),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"the edition alone, not adjusted for the term (confounded)": crude_diamond,
               "the coefficient (log hazard ratio) instead of the hazard ratio": float(np.log(right["q3"])),
               "Silver vs Diamond (the ratio upside down)": 1 / right["q3"]},
        "q4": {"the term alone, not adjusted for the edition (confounded)": crude_three,
               "the coefficient (log hazard ratio) instead of the hazard ratio": float(np.log(right["q4"])),
               "1-year vs 3-year (the ratio upside down)": 1 / right["q4"]},
        "q5": {"restricted mean time to notice x price (a started year is paid in full)": price * _rmst(sf, 36.0),
               "36 months at full price (no churn)": 36 * price,
               "mean revenue booked so far by the Gold 1-year accounts (censored)":
                   float(price * 12 * (1 + np.floor(np.minimum(g1["months"], 35.99) / 12)).mean())},
    }
