"""Exercise checks of the China Mobile 12580 case (notebooks/china_mobile_12580.ipynb), from the student's own world.

Each check recomputes its answer from the world's table with plain numpy arrays (boolean masks and sums),
independently of the notebook's pandas group-bys, so a notebook bug cannot make a wrong answer pass. The world
is built in cases/china_mobile_12580/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np

from crmlab.checks import Text, close, exercise, mistakes, solutions

CASE = "china_mobile_12580"


def _arrays(world) -> dict:
    s = world.tables["subscribers"]
    return {"sms": (s["group"].astype(str) == "sms").to_numpy(), "engaged": s["engaged"].to_numpy(dtype=float),
            "frequency": s["frequency"].to_numpy(), "slot": s["send_slot"].astype(str).to_numpy(),
            "segment": s["segment"].astype(str).to_numpy(), "sent": s["messages_sent"].to_numpy(dtype=float),
            "opted_out": s["opted_out"].to_numpy(dtype=float)}


def _rate(values: np.ndarray, mask: np.ndarray) -> float:
    n = int(mask.sum())
    return float(values[mask].sum() / n) if n else float("nan")


def _undefined(what_en: str, what_zh: str):
    return False, Text(f"this world has no subscribers in one of the groups compared, so {what_en} is undefined",
                       f"这个数据世界里参与比较的某一组没有用户，{what_zh}没有定义")


def _uplift(a: dict, arm: np.ndarray, population: np.ndarray | None = None) -> float:
    pop = np.ones_like(a["sms"]) if population is None else population
    return _rate(a["engaged"], arm & a["sms"] & pop) - _rate(a["engaged"], ~a["sms"] & pop)


@exercise(CASE, "q1", hint="Engagement rate (mean of `engaged`) of the 'sms' group minus that of the 'holdout' "
                           "group: a difference of shares, e.g. 0.05 for 5 percentage points.",
          hint_zh="'sms' 组的参与率（`engaged` 的均值）减去 'holdout' 组的参与率：两个比例之差，例如5个百分点写作0.05。")
def q1(world, answer):
    a = _arrays(world)
    return close(answer, _uplift(a, a["sms"]), abs=5e-4, what="the uplift in engagement over the hold-out",
                 what_zh="短信组相对对照组的参与率提升")


@exercise(CASE, "q2", hint="Total cost = cost_per_sms x all messages sent; incremental engaged subscribers = "
                           "uplift (Q1) x number of SMS subscribers; divide the first by the second.",
          hint_zh="总成本 = cost_per_sms x 发出的短信总条数；增量参与用户数 = 提升（Q1）x 短信组用户数；前者除以后者。")
def q2(world, answer):
    a = _arrays(world)
    extra = _uplift(a, a["sms"]) * a["sms"].sum()
    if not extra > 0:
        return False, Text("in this world the messages did not raise engagement, so there is no cost per extra "
                           "engaged subscriber", "在这个数据世界里短信没有提高参与率，谈不上每个增量参与用户的成本")
    cost = world.knobs["cost_per_sms"] * a["sent"].sum()
    return close(answer, float(cost / extra), rel=0.005, what="the cost per incremental engaged subscriber (CNY)",
                 what_zh="每个增量参与用户的成本（元）")


@exercise(CASE, "q3", hint="Engagement rate of the SMS subscribers messaged in the evening minus that of the "
                           "hold-out (not of the other SMS subscribers).",
          hint_zh="晚上收到短信的用户的参与率，减去对照组（而不是其他短信用户）的参与率。")
def q3(world, answer):
    a = _arrays(world)
    value = _uplift(a, a["slot"] == "evening")
    if np.isnan(value):
        return _undefined("the evening uplift", "晚上时段的提升")
    return close(answer, value, abs=5e-4, what="the uplift of evening messages over the hold-out",
                 what_zh="晚上发送的短信相对对照组的参与率提升")


@exercise(CASE, "q4", hint="Share of subscribers who opted out among those sent 7 a week, divided by the same "
                           "share among those sent 1 a week.",
          hint_zh="每周收7条的用户中退订者的比例，除以每周收1条的用户中退订者的比例。")
def q4(world, answer):
    a = _arrays(world)
    r7, r1 = _rate(a["opted_out"], a["frequency"] == 7), _rate(a["opted_out"], a["frequency"] == 1)
    if not r1 > 0 or np.isnan(r7):
        return False, Text("in this world nobody sent one message a week opted out, so the ratio is undefined",
                           "在这个数据世界里每周收1条的用户无人退订，这个比值没有定义")
    return close(answer, r7 / r1, rel=0.005, what="the opt-out rate at 7 a week relative to 1 a week",
                 what_zh="每周7条与每周1条的退订率之比")


@exercise(CASE, "q5", hint="Within the senior segment only: engagement rate of its SMS subscribers minus that of "
                           "its hold-out subscribers.",
          hint_zh="只看老年（senior）细分：其中短信组的参与率减去其中对照组的参与率。")
def q5(world, answer):
    a = _arrays(world)
    value = _uplift(a, a["sms"], a["segment"] == "senior")
    if np.isnan(value):
        return _undefined("the senior segment's uplift", "老年细分的提升")
    return close(answer, value, abs=5e-4, what="the uplift in the senior segment",
                 what_zh="老年细分的参与率提升")


# ------------------------------------------------------------------------------ right answers and mistakes
def _rates(s, by):
    """Engagement rate by ``by`` and group, the notebook's way (a pandas pivot)."""
    return s.groupby([by, "group"], observed=True)["engaged"].mean().unstack("group")


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/china_mobile_12580.ipynb, section 5."""
    s = world.tables["subscribers"]
    rate = s.groupby("group", observed=True)["engaged"].mean()
    uplift = float(rate["sms"] - rate["holdout"])
    treated = s[s["group"] == "sms"]
    extra_engaged = uplift * len(treated)
    cost_per_extra_engaged = float(world.knobs["cost_per_sms"] * treated["messages_sent"].sum() / extra_engaged)
    by_slot = s.groupby("send_slot", observed=True)["engaged"].mean()
    evening_uplift = float(by_slot["evening"] - rate["holdout"])
    optout = treated.groupby("frequency")["opted_out"].mean()
    optout_ratio = float(optout[7] / optout[1])
    by_segment = _rates(s, "segment")
    senior_uplift = float(by_segment.loc["senior", "sms"] - by_segment.loc["senior", "holdout"])
    return {"q1": uplift, "q2": cost_per_extra_engaged, "q3": evening_uplift, "q4": optout_ratio,
            "q5": senior_uplift}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    s = world.tables["subscribers"]
    right = answers(world)
    rate = s.groupby("group", observed=True)["engaged"].mean()
    treated = s[s["group"] == "sms"]
    clicked = treated.groupby(treated["messages_clicked"] > 0)["engaged"].mean()
    cost = world.knobs["cost_per_sms"] * treated["messages_sent"].sum()
    evening = treated.loc[treated["send_slot"] == "evening", "engaged"].mean()
    optout = treated.groupby("frequency")["opted_out"].mean()
    per_message = treated.groupby("frequency")["opted_out"].sum() / treated.groupby("frequency")["messages_sent"].sum()
    seniors = s[s["segment"] == "senior"]
    senior_sms = seniors.loc[seniors["group"] == "sms", "engaged"].mean()
    return {
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "clickers minus non-clickers among SMS subscribers (self-selection, no hold-out)":
                   float(clicked[True] - clicked[False]),
               "the SMS group's engagement rate, with no baseline": float(rate["sms"])},
        "q2": {"divided by every engaged SMS subscriber, not only the extra ones":
                   float(cost / treated["engaged"].sum()),
               "cost per subscriber messaged": float(cost / len(treated))},
        "q3": {"compared with all SMS subscribers instead of the hold-out":
                   float(evening - treated["engaged"].mean()),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"a difference of opt-out rates instead of a ratio": float(optout[7] - optout[1]),
               "1 a week over 7 a week (the ratio upside down)": 1 / right["q4"],
               "opt-outs per message sent instead of per subscriber": float(per_message[7] / per_message[1])},
        "q5": {"seniors' SMS rate minus the whole hold-out's rate (the wrong comparison group)":
                   float(senior_sms - rate["holdout"]),
               "the seniors' SMS engagement rate, with no baseline": float(senior_sms)},
    }
