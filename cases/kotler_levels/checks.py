"""Exercise checks of the Kotler levels case (notebooks/kotler_levels.ipynb), computed from the student's own world.

Each check recomputes its answer with plain numpy from the world's tables (bincounts over segment x level), apart
from the notebook's pandas code. Below the checks: the answers computed the notebook's way (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``). The world is built in cases/kotler_levels/world.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, equal, exercise, mistakes, same_set, solutions

CASE = "kotler_levels"
LEVELS = ("basic", "reactive", "accountable", "proactive", "partnership")
NEEDS = {"expensive_car": "stated", "cheap_to_run": "real", "good_service": "unstated",
         "free_road_map": "delight", "seen_as_savvy": "secret"}


def _segments_np(world):
    s = world.tables["segments"].sort_values("segment_id", kind="stable")
    ids = s["segment_id"].to_numpy()
    n = s["customers"].to_numpy(dtype=float)
    m = s["unit_margin"].to_numpy(dtype=float)
    acq = s["acquisition_spend"].to_numpy(dtype=float) / s["new_customers"].to_numpy(dtype=float)
    keep = s["retention_spend"].to_numpy(dtype=float) / n
    return ids, n, m, acq, keep


def _renewal_np(world, ids) -> np.ndarray:
    """Pilot renewal rate of every segment (rows, in ids order) at every level (columns)."""
    p = world.tables["pilot"]
    row = np.searchsorted(ids, p["segment_id"].to_numpy())
    col = np.array([LEVELS.index(v) for v in p["level"].astype(str).to_numpy()]) if len(p) else np.array([], int)
    k = len(LEVELS)
    cell = row * k + col
    size = np.bincount(cell, minlength=len(ids) * k).reshape(len(ids), k)
    hits = np.bincount(cell, weights=p["renewed"].to_numpy(dtype=float), minlength=len(ids) * k).reshape(len(ids), k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / size


def _costs_np(world):
    lv = world.tables["levels"]
    order = [list(lv["level"].astype(str)).index(name) for name in LEVELS]
    return (lv["cost_per_customer"].to_numpy(dtype=float)[order],
            lv["fixed_cost_per_segment"].to_numpy(dtype=float)[order])


def _profit_np(world, acq=None) -> tuple[np.ndarray, np.ndarray]:
    ids, n, m, a, _ = _segments_np(world)
    a = a if acq is None else acq
    r = _renewal_np(world, ids)
    c, f = _costs_np(world)
    return ids, m[:, None] - c[None, :] - f[None, :] / n[:, None] - (1 - r) * a[:, None]


@exercise(CASE, "q1", hint="Match each example to its kind of need: the car the customer asks for is what is said, "
                           "low running cost what is really needed, good service what is expected but not said, a "
                           "free road map a pleasant surprise, being seen as savvy a secret wish.",
          hint_zh="把每个例子与需要的种类对应起来：顾客开口要的车是说出来的需要，开起来省钱是真正的需要，优质服务是"
                  "期望却没有说出来的需要，送一份道路图是令人高兴的意外，被朋友看成识货的人是秘密需要。")
def q1(world, answer):
    ex = world.tables["need_examples"].sort_values("example_id", kind="stable")
    expected = [NEEDS[k] for k in ex["example"].astype(str)]
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return False, Text("expected a list of five kinds of need, one per example_id in order",
                           "应当给出一个含五种需要的列表，按 example_id 的顺序每个例子一个")
    got = [str(a).strip().lower() for a in answer]
    return equal(got, expected, what="the kind of need of each example", what_zh="每个例子所属的需要种类")


@exercise(CASE, "q2", hint="Acquisition cost per new customer = total acquisition_spend / total new_customers; "
                           "retention cost per customer = total retention_spend / total customers; divide the first "
                           "by the second (a ratio, e.g. 5 for five times).",
          hint_zh="每位新客户的获取成本 = acquisition_spend 总和 / new_customers 总和；每位客户的保留成本 = "
                  "retention_spend 总和 / customers 总和；前者除以后者（一个倍数，例如5倍写作5）。")
def q2(world, answer):
    s = world.tables["segments"]
    acq = s["acquisition_spend"].to_numpy(dtype=float).sum() / s["new_customers"].to_numpy(dtype=float).sum()
    keep = s["retention_spend"].to_numpy(dtype=float).sum() / s["customers"].to_numpy(dtype=float).sum()
    return close(answer, float(acq / keep), rel=1e-3, what="the acquisition-to-retention cost ratio",
                 what_zh="获取成本与保留成本之比")


@exercise(CASE, "q3", hint="Per segment and level: unit_margin - cost_per_customer - fixed_cost_per_segment / "
                           "customers - (1 - renewal rate in the pilot) x acquisition cost per new customer; list the "
                           "segment_ids whose largest value is at partnership.",
          hint_zh="对每个细分市场和每种类型：unit_margin - cost_per_customer - fixed_cost_per_segment / customers - "
                  "(1 - 试点中的续约率) x 每位新客户的获取成本；列出数值最大的类型是伙伴型的 segment_id。")
def q3(world, answer):
    ids, profit = _profit_np(world)
    if np.isnan(profit).any():
        return False, Text("some segment has a level nobody was served at in the pilot, so the choice is undefined",
                           "某个细分市场的试点中缺少某种关系类型，无法比较")
    chosen = ids[profit.argmax(axis=1) == LEVELS.index("partnership")]
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        return False, Text("expected a list of segment_ids", "应当给出一个 segment_id 的列表")
    return same_set([int(a) for a in answer], [int(i) for i in chosen],
                    what="the segments best served as partners", what_zh="最适合伙伴型关系的细分市场")


@exercise(CASE, "q4", hint="Firm profit of a plan = sum over segments of customers x the yearly profit per customer "
                           "of Q3 at the plan's level. Tailored plan (each segment its best level) minus the best plan "
                           "that gives every segment the same level, in yuan a year.",
          hint_zh="一个方案的企业利润 = 各细分市场的 customers x Q3 中该方案类型下每位客户的年利润之和。逐个细分市场"
                  "选择最优类型的方案，减去所有细分市场统一采用同一类型的最好方案，单位为元/年。")
def q4(world, answer):
    _, n, *_ = _segments_np(world)
    _, profit = _profit_np(world)
    total = (profit * n[:, None]).sum(axis=0)
    gain = float((profit.max(axis=1) * n).sum() - total.max())
    return close(answer, gain, rel=1e-4, abs=1.0, what="the yearly gain of choosing the level per segment",
                 what_zh="逐个细分市场选择类型带来的年利润增量")


@exercise(CASE, "q5", hint="Redo Q3's choice with the acquisition cost of each segment replaced by its retention "
                           "cost per customer (retention_spend / customers): for how many segments does the best "
                           "level change?",
          hint_zh="把每个细分市场的获取成本换成它每位客户的保留成本（retention_spend / customers），重新按 Q3 选择"
                  "类型：有多少个细分市场的最优类型发生了变化？")
def q5(world, answer):
    *_, keep = _segments_np(world)
    _, base = _profit_np(world)
    _, cheap = _profit_np(world, acq=keep)
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of segments, got {answer!r}",
                           f"细分市场数应当是一个整数，而你给的是 {answer!r}")
    return equal(int(answer), int((base.argmax(axis=1) != cheap.argmax(axis=1)).sum()),
                 what="the number of segments whose best level changes", what_zh="最优类型发生变化的细分市场数")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world, acquisition=None):
    """The notebook's tables: segments with costs per customer, pilot renewal (segment x level) and profit."""
    seg = world.tables["segments"].set_index("segment_id")
    seg = seg.assign(acquisition_cost=seg["acquisition_spend"] / seg["new_customers"],
                     retention_cost=seg["retention_spend"] / seg["customers"])
    levels = world.tables["levels"].set_index("level")
    renewal = world.tables["pilot"].pivot_table(index="segment_id", columns="level", values="renewed",
                                                aggfunc="mean", observed=False).reindex(seg.index)
    acq = seg["acquisition_cost"] if acquisition is None else acquisition
    profit = pd.DataFrame({lv: seg["unit_margin"] - levels.loc[lv, "cost_per_customer"]
                           - levels.loc[lv, "fixed_cost_per_segment"] / seg["customers"]
                           - (1 - renewal[lv].astype(float)) * acq for lv in LEVELS})
    return seg, levels, renewal, profit


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/kotler_levels.ipynb, section 5."""
    seg, levels, renewal, profit = _notebook(world)
    ex = world.tables["need_examples"].sort_values("example_id")
    best = profit.idxmax(axis=1)
    plans = profit.mul(seg["customers"], axis=0).sum()
    _, _, _, cheap = _notebook(world, acquisition=seg["retention_cost"])
    return {"q1": [NEEDS[k] for k in ex["example"].astype(str)],
            "q2": float((seg["acquisition_spend"].sum() / seg["new_customers"].sum())
                        / (seg["retention_spend"].sum() / seg["customers"].sum())),
            "q3": best.index[best == "partnership"].tolist(),
            "q4": float(profit.max(axis=1).mul(seg["customers"]).sum() - plans.max()),
            "q5": int((cheap.idxmax(axis=1) != best).sum())}


def _swap(kinds: list, a: str, b: str) -> list:
    return [b if k == a else a if k == b else k for k in kinds]


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    seg, levels, renewal, profit = _notebook(world)
    right = answers(world)
    n = seg["customers"]
    best = profit.idxmax(axis=1)
    no_acq = pd.DataFrame({lv: seg["unit_margin"] - levels.loc[lv, "cost_per_customer"]
                           - levels.loc[lv, "fixed_cost_per_segment"] / n for lv in LEVELS})
    no_fixed = profit + pd.DataFrame({lv: levels.loc[lv, "fixed_cost_per_segment"] / n for lv in LEVELS})
    pooled = world.tables["pilot"].groupby("level", observed=False)["renewed"].mean()
    pooled_profit = pd.DataFrame({lv: seg["unit_margin"] - levels.loc[lv, "cost_per_customer"]
                                  - levels.loc[lv, "fixed_cost_per_segment"] / n
                                  - (1 - pooled[lv]) * seg["acquisition_cost"] for lv in LEVELS})
    q3 = {}
    for what, table in (("the cost of replacing lost customers left out", no_acq),
                        ("the fixed cost per segment left out", no_fixed),
                        ("one renewal rate per level for the whole firm, ignoring the segment", pooled_profit)):
        ids = sorted(int(i) for i in table.index[table.idxmax(axis=1) == "partnership"])
        if set(ids) != set(right["q3"]):
            q3[what] = ids
    top_margin = seg["unit_margin"].nlargest(len(right["q3"]) + 1).index
    q3["the segments with the highest margins"] = sorted(int(i) for i in top_margin)
    plans = profit.mul(n, axis=0).sum()
    tailored = float(profit.max(axis=1).mul(n).sum())
    _, _, _, times5 = _notebook(world, acquisition=5 * seg["acquisition_cost"])
    _, _, _, cheap = _notebook(world, acquisition=seg["retention_cost"])
    q5 = {what: v for what, v in {
        "the segments whose level stays the same": int((cheap.idxmax(axis=1) == best).sum()),
        "acquisition cost multiplied by five instead of brought down to the retention cost":
            int((times5.idxmax(axis=1) != best).sum()),
        "the number of segments at the basic level afterwards": int((cheap.idxmax(axis=1) == "basic").sum())}.items()
        if v != right["q5"]}
    return {
        "q1": {"stated and real needs swapped": _swap(right["q1"], "stated", "real"),
               "unstated and secret needs swapped": _swap(right["q1"], "unstated", "secret"),
               "delight and unstated needs swapped": _swap(right["q1"], "delight", "unstated")},
        "q2": {**({"retention cost divided by acquisition cost (upside down)": 1 / right["q2"]}
                  if abs(1 / right["q2"] - right["q2"]) > 0.01 * right["q2"] else {}),
               "total acquisition spend divided by total retention spend (not per customer)":
                   float(seg["acquisition_spend"].sum() / seg["retention_spend"].sum()),
               "the difference of the two costs instead of their ratio":
                   float(seg["acquisition_spend"].sum() / seg["new_customers"].sum()
                         - seg["retention_spend"].sum() / seg["customers"].sum())},
        "q3": q3,
        # comparing with a fixed single level is a mistake only where that level is not the best single one
        "q4": {"profits per customer added up, not weighted by customers":
                   float(profit.max(axis=1).sum() - profit.sum().max()),
               "the tailored plan's total profit, not the gain": tailored,
               **{f"compared with {lv} for everyone rather than the best single level": tailored - float(plans[lv])
                  for lv in ("basic", "partnership") if plans[lv] < plans.max()}},
        "q5": q5,
    }
