"""Key accounts and customer types.

Key account management (CRM article collection (source 3), lines 161–183): choose few key accounts (5 to
25 is typical; even Xerox has fewer than 100) by explicit criteria and stick to them; pay key account
managers on customer lifetime value (the profit an account brings), not on revenue, because large deals can
cost more to serve than they earn. :func:`select_key_accounts` ranks accounts by profit = revenue x margin - cost to serve
and sets that choice beside the revenue ranking; :func:`incentive_comparison` shows what a manager paid on
revenue or on profit would do with extra attention, and what it earns the company.

Customer types (CRM article collection (source 3), lines 5–27): four behavioural types - demanding
(要求型), influencing (影响型), steady (稳定型) and compliant (恭顺型) - each with cues, a serving style and a
core need.
:func:`classify_customer_type` is a transparent cue-scoring classifier (every weight is in
:data:`CUE_WEIGHTS`), and :data:`CUSTOMER_TYPES` is the serving-style table it recommends from.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import check_columns, check_dataframe, check_int, check_number, check_probability, numeric_column
from ._plotting import axes_or_new
from .plots import PALETTE, label

__all__ = ["account_profit", "select_key_accounts", "compare_selections", "incentive_comparison",
           "plot_key_accounts", "CUSTOMER_TYPES", "CUE_WEIGHTS", "classify_customer_type"]


# --------------------------------------------------------------------------------------- key accounts
def account_profit(accounts: pd.DataFrame, *, revenue_col: str = "revenue", margin_col: str | None = None,
                   margin: float | None = None, cost_to_serve_col: str = "cost_to_serve") -> pd.Series:
    """Profit of each account: revenue x gross margin - cost to serve.

    Parameters
    ----------
    accounts : DataFrame, one row per account.
    revenue_col : revenue per account (>= 0).
    margin_col : gross margin per account (share of revenue, in [0, 1]); or give a single ``margin``.
    margin : one gross margin for every account (instead of ``margin_col``).
    cost_to_serve_col : cost of serving the account (sales visits, support, logistics, discounts; >= 0).

    Returns
    -------
    Series ``profit`` indexed like ``accounts``.

    Example
    -------
    >>> a = pd.DataFrame({"revenue": [100.0, 50.0], "cost_to_serve": [30.0, 5.0]})
    >>> account_profit(a, margin=0.25).tolist()
    [-5.0, 7.5]

    Source: CRM article collection (source 3), lines 179–181 (managers must understand cost to serve, not only
    revenue).
    """
    check_dataframe(accounts, name="accounts")
    check_columns(accounts, {"revenue_col": revenue_col, "cost_to_serve_col": cost_to_serve_col}, name="accounts")
    if (margin_col is None) == (margin is None):
        raise ValueError("give exactly one of margin_col (a column) or margin (one number)")
    revenue = numeric_column(accounts, revenue_col, name="accounts", allow_negative=False)
    cost = numeric_column(accounts, cost_to_serve_col, name="accounts", allow_negative=False)
    if margin_col is not None:
        check_columns(accounts, {"margin_col": margin_col}, name="accounts")
        m = numeric_column(accounts, margin_col, name="accounts")
        if ((m < 0) | (m > 1)).any():
            raise ValueError(f"margin_col={margin_col!r} must hold shares of revenue in [0, 1]")
    else:
        m = check_probability(margin, "margin")
    return pd.Series(revenue * m - cost, index=accounts.index, name="profit")


def select_key_accounts(accounts: pd.DataFrame, *, n: int = 10, account_col: str = "account",
                        revenue_col: str = "revenue", margin_col: str | None = None, margin: float | None = None,
                        cost_to_serve_col: str = "cost_to_serve", min_profit: float = 0.0) -> pd.DataFrame:
    """Choose ``n`` key accounts by profit (with an explicit profit floor), beside the revenue ranking.

    The criterion is written down and applied mechanically, as the seed advises: an account is a key
    account if it is among the ``n`` most profitable and its profit is at least ``min_profit``. For
    comparison, ``key_by_revenue`` marks the ``n`` largest accounts by revenue (the usual, wrong habit).

    Parameters
    ----------
    accounts : DataFrame, one row per account.
    n : number of key accounts, 5 to 25 (seed: "介于5到25家之间").
    account_col : account identifier (unique).
    revenue_col, margin_col, margin, cost_to_serve_col : as in :func:`account_profit`.
    min_profit : profit floor; accounts below it are never key accounts (fewer than ``n`` may qualify).

    Returns
    -------
    DataFrame, one row per account sorted by profit (highest first; ties by revenue then id):
    ``account, revenue, cost_to_serve, profit, profit_rank, revenue_rank, key_by_profit, key_by_revenue``.

    Example
    -------
    >>> a = pd.DataFrame({"account": list("ABCDEFG"), "revenue": [900, 800, 300, 250, 200, 150, 100],
    ...                   "cost_to_serve": [300, 260, 20, 10, 15, 5, 5]})
    >>> s = select_key_accounts(a, n=5, margin=0.3)
    >>> s.loc[s["key_by_profit"], "account"].tolist(), s.loc[s["key_by_revenue"], "account"].tolist()
    (['C', 'D', 'E', 'F', 'G'], ['C', 'D', 'E', 'B', 'A'])

    Source: CRM article collection (source 3), lines 161–183 (KAM step 4: 5-25 key accounts by explicit
    criteria; step 6).
    """
    n = check_int(n, "n", low=5, high=25)
    min_profit = check_number(min_profit, "min_profit")
    profit = account_profit(accounts, revenue_col=revenue_col, margin_col=margin_col, margin=margin,
                            cost_to_serve_col=cost_to_serve_col)
    check_columns(accounts, {"account_col": account_col}, name="accounts")
    ids = accounts[account_col]
    if ids.isna().any() or ids.duplicated().any():
        raise ValueError(f"account_col={account_col!r} must hold unique, non-missing account ids")
    if len(accounts) < n:
        raise ValueError(f"n={n} exceeds the number of accounts ({len(accounts)})")
    table = pd.DataFrame({"account": ids.to_numpy(), "revenue": accounts[revenue_col].to_numpy(dtype=float),
                          "cost_to_serve": accounts[cost_to_serve_col].to_numpy(dtype=float),
                          "profit": profit.to_numpy()})
    table["profit_rank"] = _rank(table, "profit")
    table["revenue_rank"] = _rank(table, "revenue")
    table["key_by_profit"] = (table["profit_rank"] <= n) & (table["profit"] >= min_profit)
    table["key_by_revenue"] = table["revenue_rank"] <= n
    return table.sort_values("profit_rank").reset_index(drop=True)


def _rank(table: pd.DataFrame, col: str) -> np.ndarray:
    """1 = best; ties broken by the other money column, then by account id (so the rank is a strict order)."""
    other = "revenue" if col == "profit" else "profit"
    order = table.assign(_id=table["account"].map(str)).sort_values(
        [col, other, "_id"], ascending=[False, False, True], kind="mergesort").index
    rank = np.empty(len(table), dtype=np.int64)
    rank[order] = np.arange(1, len(table) + 1)
    return rank


def compare_selections(selection: pd.DataFrame) -> pd.DataFrame:
    """Set the profit-based and revenue-based key-account lists side by side.

    Parameters
    ----------
    selection : the output of :func:`select_key_accounts`.

    Returns
    -------
    DataFrame with rows ``by_profit`` and ``by_revenue`` and columns ``accounts, revenue, cost_to_serve,
    profit, unprofitable`` (selected accounts with profit < 0), ``share_of_total_profit`` and ``overlap``
    (accounts on both lists).

    Example
    -------
    >>> a = pd.DataFrame({"account": list("ABCDEFG"), "revenue": [900, 800, 300, 250, 200, 150, 100],
    ...                   "cost_to_serve": [300, 260, 20, 10, 15, 5, 5]})
    >>> compare_selections(select_key_accounts(a, n=5, margin=0.3))["profit"].tolist()
    [245.0, 130.0]
    """
    check_dataframe(selection, name="selection")
    check_columns(selection, ["revenue", "cost_to_serve", "profit", "key_by_profit", "key_by_revenue"],
                  name="selection")
    both = int((selection["key_by_profit"] & selection["key_by_revenue"]).sum())
    total_profit = selection["profit"].sum()
    rows = {}
    for name, flag in (("by_profit", "key_by_profit"), ("by_revenue", "key_by_revenue")):
        chosen = selection[selection[flag].to_numpy(dtype=bool)]
        rows[name] = {"accounts": len(chosen), "revenue": chosen["revenue"].sum(),
                      "cost_to_serve": chosen["cost_to_serve"].sum(), "profit": chosen["profit"].sum(),
                      "unprofitable": int((chosen["profit"] < 0).sum()),
                      "share_of_total_profit": chosen["profit"].sum() / total_profit if total_profit else np.nan,
                      "overlap": both}
    return pd.DataFrame(rows).T.astype({"accounts": int, "unprofitable": int, "overlap": int})


def incentive_comparison(accounts: pd.DataFrame, *, n: int = 10, revenue_lift: float = 0.10,
                         cost_lift: float = 0.10, revenue_pay_rate: float = 0.02, profit_pay_rate: float = 0.10,
                         account_col: str = "account", revenue_col: str = "revenue", margin_col: str | None = None,
                         margin: float | None = None, cost_to_serve_col: str = "cost_to_serve") -> pd.DataFrame:
    """What a key account manager does under pay-on-revenue vs pay-on-profit, and what the company earns.

    The manager can give extra attention to ``n`` accounts. Attention raises an account's revenue by
    ``revenue_lift`` (a share) and its cost to serve by ``cost_lift`` (a share), so it adds
    ``revenue_lift x revenue`` of revenue and ``revenue_lift x revenue x margin - cost_lift x cost_to_serve``
    of profit. Paid a share of revenue, the manager picks the ``n`` accounts adding most revenue; paid a
    share of profit (the seed's "customer lifetime value"), the ``n`` adding most profit (only those adding
    any). The company keeps the extra profit minus the manager's bonus.

    Parameters
    ----------
    accounts, account_col, revenue_col, margin_col, margin, cost_to_serve_col : as in :func:`account_profit`.
    n : accounts the manager can attend to (>= 1).
    revenue_lift, cost_lift : proportional effect of attention on revenue and on cost to serve (>= 0).
    revenue_pay_rate, profit_pay_rate : bonus as a share of the extra revenue / extra profit, in [0, 1].

    Returns
    -------
    DataFrame with rows ``pay_on_revenue`` and ``pay_on_profit``: ``accounts`` (tuple of chosen ids),
    ``extra_revenue, extra_profit, bonus, company_gain`` (extra profit - bonus).

    Example
    -------
    >>> a = pd.DataFrame({"account": ["big", "lean"], "revenue": [1000.0, 400.0], "cost_to_serve": [900.0, 20.0]})
    >>> incentive_comparison(a, n=1, margin=0.3)["company_gain"].round(2).tolist()
    [-62.0, 9.0]

    Source: CRM article collection (source 3), lines 179–181 (pay key account managers on customer lifetime
    value, not revenue).
    """
    n = check_int(n, "n", low=1)
    revenue_lift = check_number(revenue_lift, "revenue_lift", low=0)
    cost_lift = check_number(cost_lift, "cost_lift", low=0)
    revenue_pay_rate = check_probability(revenue_pay_rate, "revenue_pay_rate")
    profit_pay_rate = check_probability(profit_pay_rate, "profit_pay_rate")
    profit = account_profit(accounts, revenue_col=revenue_col, margin_col=margin_col, margin=margin,
                            cost_to_serve_col=cost_to_serve_col).to_numpy()
    check_columns(accounts, {"account_col": account_col}, name="accounts")
    revenue = accounts[revenue_col].to_numpy(dtype=float)
    cost = accounts[cost_to_serve_col].to_numpy(dtype=float)
    gross = profit + cost  # revenue x margin
    extra_rev = revenue_lift * revenue
    extra_profit = revenue_lift * gross - cost_lift * cost
    ids = accounts[account_col].to_numpy()
    rows = {}
    for scheme, key, rate in (("pay_on_revenue", extra_rev, revenue_pay_rate),
                              ("pay_on_profit", extra_profit, profit_pay_rate)):
        order = np.argsort(-key, kind="stable")[:n]
        chosen = order[key[order] > 0]
        paid_on = key[chosen].sum()
        bonus = rate * paid_on
        rows[scheme] = {"accounts": tuple(ids[chosen].tolist()), "extra_revenue": extra_rev[chosen].sum(),
                        "extra_profit": extra_profit[chosen].sum(), "bonus": bonus,
                        "company_gain": extra_profit[chosen].sum() - bonus}
    return pd.DataFrame(rows).T.astype({c: float for c in ("extra_revenue", "extra_profit", "bonus", "company_gain")})


def plot_key_accounts(selection: pd.DataFrame, *, ax=None, annotate: bool = True):
    """Revenue (x) against profit (y) of every account; profit-chosen key accounts filled, revenue-chosen ringed.

    Example
    -------
    >>> a = pd.DataFrame({"account": list("ABCDEF"), "revenue": [900, 800, 300, 250, 200, 150],
    ...                   "cost_to_serve": [300, 260, 20, 10, 15, 5]})
    >>> ax = plot_key_accounts(select_key_accounts(a, n=5, margin=0.3))
    """
    check_dataframe(selection, name="selection")
    check_columns(selection, ["account", "revenue", "profit", "key_by_profit", "key_by_revenue"], name="selection")
    ax = axes_or_new(ax)
    kp = selection["key_by_profit"].to_numpy(dtype=bool)
    kr = selection["key_by_revenue"].to_numpy(dtype=bool)
    ax.scatter(selection["revenue"][~kp], selection["profit"][~kp], color="lightgrey", s=18,
               label=label("other accounts", "其他客户"))
    ax.scatter(selection["revenue"][kp], selection["profit"][kp], color=PALETTE[0], s=30,
               label=label("key by profit", "按利润选出的关键客户"))
    ax.scatter(selection["revenue"][kr], selection["profit"][kr], facecolors="none", edgecolors=PALETTE[3], s=80,
               label=label("top by revenue", "按收入排名前列"))
    if annotate:
        for row in selection[kp | kr].itertuples():
            ax.annotate(str(row.account), (row.revenue, row.profit), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    ax.axhline(0, color="grey", lw=1)
    ax.set_xlabel(label("Revenue", "收入"))
    ax.set_ylabel(label("Profit after cost to serve", "扣除服务成本后的利润"))
    ax.set_title(label("Key accounts: profit, not revenue", "关键客户:看利润而非收入"))
    ax.legend()
    return ax


# -------------------------------------------------------------------------------------- customer types
#: The four behavioural customer types of CRM article collection (source 3), lines 5–27: traits, how to serve
#: them, what they need.
CUSTOMER_TYPES = pd.DataFrame.from_records([
    {"type": "demanding", "name_zh": "要求型",
     "traits": "states preferences openly; status-conscious; picks the best; respects strong, confident people",
     "serving_style": "firm handshake, look them in the eye, lean slightly forward at a proper distance; speak "
                      "loudly, clearly, confidently and directly at a fast pace; come prepared and organised; "
                      "go to the main issue with logical facts",
     "core_need": "to get what they want right away"},
    {"type": "influencing", "name_zh": "影响型",
     "traits": "talkative, enthusiastic, charming; optimistic, persuasive, inspiring; trusting; always smiling",
     "serving_style": "smile (even on the phone) and stand or sit close; be friendly, warm and energetic; vary "
                      "your tone and use vivid language and gestures; move fast but give them time to talk",
     "core_need": "recognition"},
    {"type": "steady", "name_zh": "稳定型",
     "traits": "patient, easy-going, logical and orderly; dislikes change; loyal; likes helping others",
     "serving_style": "relaxed posture leaning back, no sudden moves, small gestures, a quiet atmosphere; "
                      "gentle, calm, low and slow voice; keep a steady rhythm",
     "core_need": "no surprises: continuity and assurance"},
    {"type": "compliant", "name_zh": "恭顺型",
     "traits": "perfectionist; wants everything precise, orderly and correct; conscientious and deliberate",
     "serving_style": "no physical contact and not too close; eye contact, few or no gestures, weight on the "
                      "heels; controlled tone, direct and concise, slow speech that considers their needs; "
                      "act only after careful thought",
     "core_need": "assurance that everything is done by the rules"},
]).set_index("type")

#: Weight of each observable cue for each type (rows: cues, columns: types); from the traits in CRM article
#: collection (source 3), lines 7–27. A cue shared by two types splits its weight between them.
CUE_WEIGHTS = pd.DataFrame.from_dict({
    "states_preferences": {"demanding": 1.0},
    "status_conscious": {"demanding": 1.0},
    "buys_the_best": {"demanding": 1.0},
    "fast_paced": {"demanding": 0.5, "influencing": 0.5},
    "talkative": {"influencing": 1.0},
    "enthusiastic": {"influencing": 1.0},
    "optimistic": {"influencing": 1.0},
    "smiles_often": {"influencing": 1.0},
    "trusting": {"influencing": 0.5, "steady": 0.5},
    "patient": {"steady": 1.0},
    "easy_going": {"steady": 1.0},
    "dislikes_change": {"steady": 1.0},
    "loyal": {"steady": 1.0},
    "orderly": {"steady": 0.5, "compliant": 0.5},
    "perfectionist": {"compliant": 1.0},
    "precise": {"compliant": 1.0},
    "conscientious": {"compliant": 1.0},
    "deliberate": {"compliant": 1.0},
}, orient="index").reindex(columns=list(CUSTOMER_TYPES.index)).fillna(0.0)


def classify_customer_type(cues: pd.DataFrame) -> pd.DataFrame:
    """Score each customer's observed cues against the four types and recommend a serving style.

    Each type's score is the weighted share of its cues that were observed: ``cues @ CUE_WEIGHTS``
    divided by the type's total weight, so every score lies in [0, 1] and types with more listed cues
    get no advantage. The type is the highest score (first in table order on a tie); ``margin`` is the
    gap to the runner-up - a small margin means a mixed personality (the seed: serve the most obvious
    trait). Customers with no cue at all get type ``"unknown"``.

    Parameters
    ----------
    cues : DataFrame, one row per customer, columns named after cues in :data:`CUE_WEIGHTS` (any subset),
        values 0/1, bool or strengths in [0, 1].

    Returns
    -------
    DataFrame indexed like ``cues``: a score column per type, ``type, margin, name_zh, serving_style,
    core_need``.

    Example
    -------
    >>> c = pd.DataFrame({"talkative": [1, 0], "smiles_often": [1, 0], "patient": [0, 1], "loyal": [0, 1]})
    >>> classify_customer_type(c)[["type", "core_need"]].values.tolist()
    [['influencing', 'recognition'], ['steady', 'no surprises: continuity and assurance']]

    Source: CRM article collection (source 3), lines 5–27 (四种类型客户: 要求型, 影响型, 稳定型, 恭顺型 and how to
    serve each).
    """
    check_dataframe(cues, name="cues")
    unknown = [c for c in cues.columns if c not in CUE_WEIGHTS.index]
    if unknown:
        raise ValueError(f"cues has unknown cue column(s) {', '.join(map(repr, unknown[:5]))}; known cues: "
                         f"{', '.join(CUE_WEIGHTS.index)}")
    values = np.column_stack([
        cues[c].to_numpy(dtype=float) if pd.api.types.is_bool_dtype(cues[c]) else
        numeric_column(cues, c, name="cues") for c in cues.columns]) if len(cues.columns) else np.zeros((len(cues), 0))
    if ((values < 0) | (values > 1)).any():
        raise ValueError("cues must hold 0/1, bool or strengths in [0, 1]")
    weights = CUE_WEIGHTS.loc[list(cues.columns)].to_numpy()
    scores = values @ weights / CUE_WEIGHTS.sum(axis=0).to_numpy()
    types = np.array(CUSTOMER_TYPES.index)
    order = np.argsort(-scores, axis=1, kind="stable")
    top = scores[np.arange(len(scores)), order[:, 0]]
    second = scores[np.arange(len(scores)), order[:, 1]]
    out = pd.DataFrame(scores, index=cues.index, columns=types)
    out["type"] = np.where(top > 0, types[order[:, 0]], "unknown").astype(object)
    out["margin"] = top - second
    style = CUSTOMER_TYPES.reindex(out["type"])
    for col in ("name_zh", "serving_style", "core_need"):
        out[col] = style[col].to_numpy(dtype=object)
    return out
