"""Exercise checks of the IDIC case (notebooks/idic.ipynb), computed from the student's own world.

Each check recomputes its answer with plain numpy from the world's tables, independently of the notebook's
pandas code, so a notebook bug cannot make a wrong answer pass. The world is built in cases/idic/world.py.
Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, equal, exercise, mistakes, same_set, solutions

CASE = "idic"
LAST_START, LAST_MID, THIS_START = np.datetime64("2025-01-01"), np.datetime64("2025-07-01"), np.datetime64("2026-01-01")


def _arrays(world):
    """Orders as numpy arrays, each with the customer (tax id) of its record."""
    rec, orders = world.tables["records"], world.tables["orders"]
    tax_of = dict(zip(rec["record_id"].to_numpy().tolist(), rec["tax_id"].astype(object).tolist()))
    tax = np.array([tax_of[r] for r in orders["record_id"].to_numpy().tolist()], dtype=object)
    date = orders["date"].to_numpy().astype("datetime64[D]")
    return tax, date, orders["amount"].to_numpy(dtype=float), orders["product_line"].astype(object).to_numpy()


def _sum_by(keys, values):
    u, inv = np.unique(keys, return_inverse=True)
    return u, np.bincount(inv, weights=values, minlength=u.size)


def _last_year(world):
    tax, date, amount, line = _arrays(world)
    m = date < THIS_START
    return tax[m], amount[m], line[m]


@exercise(CASE, "q1", hint="Customers are companies, not records: count the distinct tax ids in `records`.",
          hint_zh="客户是企业，不是记录：数一数 `records` 中不同税号（tax_id）的个数。")
def q1(world, answer):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of customers, got {answer!r}",
                           f"客户数应当是一个整数，而你给的是 {answer!r}")
    n = np.unique(world.tables["records"]["tax_id"].astype(object).to_numpy()).size
    return equal(int(answer), int(n), what="the number of distinct customers", what_zh="不同客户的个数")


@exercise(CASE, "q2", hint="Find last year's largest customer by tax id (orders of all its records added up); "
                           "divide its orders in January–June this year by its orders in January–June last "
                           "year (value, like for like).",
          hint_zh="按税号找出去年订货金额最大的客户（它所有记录下的订单加在一起）；用它今年1–6月的订货金额除以"
                  "去年1–6月的订货金额（同期相比）。")
def q2(world, answer):
    tax, date, amount, _ = _arrays(world)
    u, total = _sum_by(tax[date < THIS_START], amount[date < THIS_START])
    top = u[np.argmax(total)]
    mine = tax == top
    h1_last = amount[mine & (date < LAST_MID)].sum()
    h1_this = amount[mine & (date >= THIS_START)].sum()
    return close(answer, float(h1_this / h1_last), rel=1e-5,
                 what="the largest customer's orders this half-year relative to the same half last year",
                 what_zh="最大客户今年上半年订货额与去年同期之比")


@exercise(CASE, "q3", hint="For each surveyed customer count the distinct product lines it bought from us last "
                           "year (all its records together); count those with at most 2 such lines and at "
                           "least 5 lines bought anywhere (`lines_bought`).",
          hint_zh="对每个受访客户，数出它去年在我们这里买过的不同产品线条数（它的所有记录合在一起）；再数出其中"
                  "在我们这里最多买2条、而在任何地方买至少5条（`lines_bought`）的客户。")
def q3(world, answer):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of customers, got {answer!r}",
                           f"客户数应当是一个整数，而你给的是 {answer!r}")
    tax, _, line = _last_year(world)
    pairs = np.unique(np.char.add(tax.astype(str), "|" + line.astype(str)))
    owners = np.array([p.split("|")[0] for p in pairs])
    u, counts = np.unique(owners, return_counts=True)
    ours = dict(zip(u.tolist(), counts.tolist()))
    s = world.tables["survey"]
    n = sum(1 for t, lb in zip(s["tax_id"].astype(object), s["lines_bought"].to_numpy())
            if ours.get(t, 0) <= 2 and lb >= 5)
    return equal(int(answer), int(n), what="the number of customers buying few lines from us but many elsewhere",
                 what_zh="在我们这里只买一两条产品线、却在别处买很多条的客户数")


@exercise(CASE, "q4", hint="Over the surveyed customers: total orders with us last year divided by their total "
                           "stated category spend (one ratio of totals, a share between 0 and 1).",
          hint_zh="对全部受访客户：去年在我们这里的订货总额除以他们自报的品类总支出（总额之比，0到1之间的比例）。")
def q4(world, answer):
    tax, amount, _ = _last_year(world)
    u, total = _sum_by(tax, amount)
    spend = dict(zip(u.tolist(), total.tolist()))
    s = world.tables["survey"]
    ours = sum(spend.get(t, 0.0) for t in s["tax_id"].astype(object))
    return close(answer, float(ours / s["category_spend"].to_numpy().sum()), rel=1e-5,
                 what="the surveyed customers' share of wallet", what_zh="受访客户的钱包份额")


@exercise(CASE, "q5", hint="Add up last year's orders per tax id (not per record) and take the ten largest; give "
                           "their tax ids.",
          hint_zh="按税号（不是按记录）汇总去年的订货金额，取最大的十个，给出它们的税号。")
def q5(world, answer):
    tax, amount, _ = _last_year(world)
    u, total = _sum_by(tax, amount)
    top = u[np.argsort(-total, kind="stable")[:10]]
    if isinstance(answer, pd.Series):
        answer = answer.tolist()
    return same_set([str(a) for a in answer] if hasattr(answer, "__iter__") and not isinstance(answer, str)
                    else answer, top.tolist(), what="the top ten customers", what_zh="前十大客户")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook_orders(world) -> pd.DataFrame:
    """The notebook's ``orders`` table: each order with its customer's tax id (section 4.1)."""
    rec, orders = world.tables["records"], world.tables["orders"]
    return orders.merge(rec[["record_id", "tax_id"]], on="record_id", how="left")


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/idic.ipynb, section 5."""
    rec = world.tables["records"]
    survey = world.tables["survey"]
    orders = _notebook_orders(world)
    last = orders[orders["date"] < "2026-01-01"]
    n_customers = int(rec["tax_id"].nunique())
    revenue_last = last.groupby("tax_id")["amount"].sum().sort_values(ascending=False)
    largest = revenue_last.index[0]
    mine = orders[orders["tax_id"] == largest]
    h1_last = mine.loc[mine["date"] < "2025-07-01", "amount"].sum()
    h1_this = mine.loc[mine["date"] >= "2026-01-01", "amount"].sum()
    lines_ours = last.groupby("tax_id")["product_line"].nunique()
    sv = survey.set_index("tax_id").assign(lines_ours=lines_ours, our_spend=revenue_last).fillna(
        {"lines_ours": 0, "our_spend": 0.0})
    few_here_many_elsewhere = int(((sv["lines_ours"] <= 2) & (sv["lines_bought"] >= 5)).sum())
    share_of_wallet = float(sv["our_spend"].sum() / sv["category_spend"].sum())
    top_ten = revenue_last.head(10).index.tolist()
    return {"q1": n_customers, "q2": float(h1_this / h1_last), "q3": few_here_many_elsewhere,
            "q4": share_of_wallet, "q5": top_ten}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    rec = world.tables["records"]
    survey = world.tables["survey"]
    orders = _notebook_orders(world)
    right = answers(world)
    last = orders[orders["date"] < "2026-01-01"]
    this = orders[orders["date"] >= "2026-01-01"]
    revenue_last = last.groupby("tax_id")["amount"].sum().sort_values(ascending=False)
    largest = revenue_last.index[0]
    mine = orders[orders["tax_id"] == largest]
    full_last = mine.loc[mine["date"] < "2026-01-01", "amount"].sum()
    h1_last = mine.loc[mine["date"] < "2025-07-01", "amount"].sum()
    h1_this = mine.loc[mine["date"] >= "2026-01-01", "amount"].sum()
    lines_ours = last.groupby("tax_id")["product_line"].nunique()
    sv = survey.set_index("tax_id").assign(lines_ours=lines_ours, our_spend=revenue_last,
                                           our_spend_this=this.groupby("tax_id")["amount"].sum()).fillna(
        {"lines_ours": 0, "our_spend": 0.0, "our_spend_this": 0.0})
    by_record = last.groupby("record_id")["amount"].sum().sort_values(ascending=False)
    record_tax = rec.set_index("record_id")["tax_id"]
    return {
        "q1": {"the number of records, duplicates included": int(len(rec)),
               "distinct names as typed (name variants counted apart, namesakes merged)": int(rec["name"].nunique())},
        "q2": {"this half-year against the whole of last year (not like for like)": float(h1_this / full_last),
               "a percentage change instead of a ratio": float(100 * (h1_this / h1_last - 1)),
               "the difference in CNY instead of a ratio": float(h1_this - h1_last)},
        "q3": {"only 'many lines elsewhere' (at least 5 anywhere), ignoring what they buy from us":
                   int((sv["lines_bought"] >= 5).sum()),
               "only one line from us (< 2 instead of <= 2)":
                   int(((sv["lines_ours"] < 2) & (sv["lines_bought"] >= 5)).sum())},
        "q4": {"mean of the customers' shares instead of total over total":
                   float((sv["our_spend"] / sv["category_spend"]).mean()),
               "a percentage instead of a share": 100 * right["q4"],
               "this half-year's orders instead of last year's": float(sv["our_spend_this"].sum() / sv["category_spend"].sum())},
        "q5": {"the ten largest records, not customers": record_tax.loc[by_record.index[:10]].tolist(),
               "the top 10% of customers instead of the top ten": revenue_last.head(round(0.1 * len(revenue_last))).index.tolist()},
    }
