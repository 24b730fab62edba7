"""Exercise checks of the Shanghai GM case (notebooks/shanghai_gm.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's tables independently of the notebook's code: the lookup with
regular expressions and Python dictionaries, the Kaplan–Meier estimate with a product-limit loop in numpy (the
notebook uses statsmodels' SurvfuncRight), the queue with numpy counts. Below the checks: the answers computed
the way the notebook's solutions compute them (``@solutions``) and the classic mistakes each check must refuse
(``@mistakes``). The world is built in cases/shanghai_gm/world.py.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pandas as pd

from crmlab.checks import Text, close, equal, exercise, mistakes, solutions

CASE = "shanghai_gm"
END = pd.Timestamp("2001-01-01")           # the day the extract was taken
DAYS_AFTER = 184.0                          # 2000-07-01 to 2000-12-31
OPEN_DAYS = 14                              # "still open 14 days after the call"


# ------------------------------------------------------------------------------------------ independent
def _digits(text) -> str | None:
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    d = re.sub(r"[^0-9]", "", str(text))
    return d[2:] if len(d) == 13 and d.startswith("86") else d


def _name(text) -> str:
    text = str(text).strip()
    if re.search(r"[A-Za-z]", text):
        return " ".join(sorted(text.lower().split()))
    return re.sub(r"\s+", "", text)


def _links(world, phone_only: bool = False) -> np.ndarray:
    """Owner id per ticket by the rule of the notebook (0 = not linked): the phone with its formatting and the
    country code 86 removed; without a phone, the name (characters without spaces, or pinyin in lower case with
    its words sorted) together with the model, when exactly one owner fits."""
    own, tk = world.tables["owners"], world.tables["tickets"]
    by_phone = dict(zip(own["phone"].astype(str), own["owner_id"].astype(int)))
    cands: dict = defaultdict(set)
    for oid, nm, py, mdl in zip(own["owner_id"].astype(int), own["name"].astype(str), own["name_pinyin"].astype(str),
                                own["model"].astype(str)):
        cands[(_name(nm), mdl)].add(oid)
        cands[(_name(py), mdl)].add(oid)
    out = np.zeros(len(tk), dtype=np.int64)
    for i, (ph, nm, mdl) in enumerate(zip(tk["caller_phone"].astype(object), tk["caller_name"].astype(str),
                                          tk["model"].astype(str))):
        d = _digits(None if pd.isna(ph) else ph)
        if d:
            out[i] = by_phone.get(d, 0)
        elif not phone_only:
            c = cands.get((_name(nm), mdl), set())
            out[i] = next(iter(c)) if len(c) == 1 else 0
    return out


def _durations(world, col: str):
    tk = world.tables["tickets"]
    opened = tk["opened_at"].to_numpy("datetime64[ns]")
    done = tk[col].to_numpy("datetime64[ns]")
    event = ~np.isnat(done)
    stop = np.where(event, done, np.datetime64(END, "ns"))
    hours = (stop - opened) / np.timedelta64(1, "h")
    return hours.astype(float), event, tk["era"].astype(str).to_numpy()


def _km(t: np.ndarray, e: np.ndarray):
    """Product-limit estimate: event times and S(t) just after each."""
    times = np.unique(t[e])
    s, out = 1.0, []
    for u in times:
        at_risk = np.sum(t >= u)
        s *= 1.0 - np.sum((t == u) & e) / at_risk
        out.append(s)
    return times, np.array(out)


def _km_quantile(t, e, p: float = 0.5) -> float:
    times, s = _km(t, e)
    below = np.flatnonzero(s < 1.0 - p)
    return float(times[below[0]]) if below.size else float("nan")


def _km_at(t, e, x) -> float:
    times, s = _km(t, e)
    k = np.searchsorted(times, x, side="right")
    return 1.0 if k == 0 else float(s[k - 1])


def _classes(world) -> np.ndarray:
    kw = world.tables["problem_keywords"]
    table = dict(zip(kw["keyword"].astype(str), kw["problem_class"].astype(str)))
    out = []
    for text in world.tables["tickets"]["complaint"].astype(str):
        hits = [c for k, c in table.items() if k in text]
        out.append(hits[0] if hits else "")
    return np.array(out, dtype=object)


def _nearest(world, owner_ids: np.ndarray) -> np.ndarray:
    own = world.tables["owners"].set_index("owner_id")
    st = world.tables["stations"]
    x, y = own.loc[owner_ids, "x_km"].to_numpy(), own.loc[owner_ids, "y_km"].to_numpy()
    d = np.hypot(x[:, None] - st["x_km"].to_numpy()[None, :], y[:, None] - st["y_km"].to_numpy()[None, :])
    return st["station_id"].to_numpy()[d.argmin(axis=1)]


@exercise(CASE, "q1", hint="Phone first: keep its digits and drop a leading 86 when 13 digits remain; without a phone, "
                           "match the name key (characters without spaces, or pinyin lower case with its words sorted) "
                           "and the model, and link only when exactly one owner fits. Count the linked tickets.",
          hint_zh="先看电话：只保留数字，若剩13位则去掉开头的86；没有电话时，用姓名键（去掉空格的汉字，或小写并把各词排序后的"
                  "拼音）加车型去匹配，恰好只有一位车主符合时才算关联上。数出关联上的投诉单。")
def q1(world, answer):
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        answer = int(answer)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return False, Text(f"expected a whole number of tickets, got {answer!r}",
                           f"投诉单数应当是一个整数，而你给的是 {answer!r}")
    return equal(int(answer), int((_links(world) > 0).sum()), what="the number of tickets linked to one owner",
                 what_zh="关联到唯一车主的投诉单数")


@exercise(CASE, "q2", hint="Among the tickets of the 'before' era linked by phone: the share whose station_id is not the station "
                           "nearest to the owner's home (a share between 0 and 1).",
          hint_zh="在“before”时期按电话关联上的投诉单中，station_id 不是离车主住址最近的维修站的比例（0到1之间）。")
def q2(world, answer):
    link = _links(world, phone_only=True)
    tk = world.tables["tickets"]
    before = (tk["era"].astype(str).to_numpy() == "before") & (link > 0)
    near = _nearest(world, link[before])
    return close(answer, float(np.mean(tk["station_id"].to_numpy()[before] != near)), abs=5e-4,
                 what="the share of 'before' tickets not sent to the nearest station",
                 what_zh="上线前未分派给最近维修站的投诉单占比")


@exercise(CASE, "q3", hint="Kaplan–Meier on the 'after' tickets: duration = resolved_at (or 2001-01-01 for open tickets) "
                           "minus opened_at in hours, event = resolved; the 90th percentile is the first time the curve "
                           "drops below 0.1.",
          hint_zh="对“after”时期的投诉单做 Kaplan–Meier：时长 = resolved_at（未解决的取2001-01-01）减 opened_at，"
                  "以小时计，事件 = 已解决；第90百分位数是曲线第一次降到0.1以下的时间。")
def q3(world, answer):
    t, e, era = _durations(world, "resolved_at")
    a = era == "after"
    expected = _km_quantile(t[a], e[a], 0.9)
    if not np.isfinite(expected):
        return False, Text("in this world fewer than 10% of the tickets are known to take longer: the 90th percentile "
                           "is not estimable", "在这个数据世界里，已知耗时更长的投诉单不足10%：第90百分位数无法估计")
    return close(answer, expected, rel=0.002,
                 what="the Kaplan–Meier 90th percentile of resolution time after go-live (hours)",
                 what_zh="上线后 Kaplan–Meier 估计的解决时间第90百分位数（小时）")


@exercise(CASE, "q4", hint="The Kaplan–Meier curve of the 'after' tickets read at 14 days = 336 hours: the estimated "
                           "share still unresolved 14 days after the call (a share between 0 and 1).",
          hint_zh="在336小时（14天）处读出“after”时期投诉单的 Kaplan–Meier 曲线：来电14天后仍未解决的估计比例（0到1之间）。")
def q4(world, answer):
    t, e, era = _durations(world, "resolved_at")
    a = era == "after"
    return close(answer, _km_at(t[a], e[a], 24.0 * OPEN_DAYS), abs=5e-4,
                 what="the Kaplan–Meier share still open 14 days after the call",
                 what_zh="Kaplan–Meier 估计的来电14天后仍未解决的比例")


@exercise(CASE, "q5", hint="For each station: 'after' tickets sent to it / 184 days = arrivals per day; divided by its "
                           "capacity_per_day = utilisation. Give the largest utilisation.",
          hint_zh="对每个维修站：分派给它的“after”时期投诉单数 / 184天 = 日到达数；再除以它的 capacity_per_day 即利用率。"
                  "给出最大的利用率。")
def q5(world, answer):
    tk, st = world.tables["tickets"], world.tables["stations"]
    a = tk["era"].astype(str).to_numpy() == "after"
    ids = st["station_id"].to_numpy()
    arrivals = np.array([np.sum(tk["station_id"].to_numpy()[a] == s) for s in ids]) / DAYS_AFTER
    return close(answer, float(np.max(arrivals / st["capacity_per_day"].to_numpy())), rel=0.002,
                 what="the highest station utilisation after go-live", what_zh="上线后维修站利用率的最大值")


@exercise(CASE, "q6", hint="Classify each complaint by the keyword it contains (problem_keywords), then compare the "
                           "Kaplan–Meier median resolution time of each class among the 'after' tickets.",
          hint_zh="按投诉文本所含的关键词（problem_keywords）给每张投诉单分类，再比较“after”时期各类型的 Kaplan–Meier "
                  "解决时间中位数。")
def q6(world, answer):
    t, e, era = _durations(world, "resolved_at")
    cls = _classes(world)
    a = era == "after"
    medians = {c: _km_quantile(t[a & (cls == c)], e[a & (cls == c)]) for c in sorted(set(cls[a]))}
    medians = {c: (v if np.isfinite(v) else np.inf) for c, v in medians.items()}
    if not isinstance(answer, str):
        return False, Text(f"expected the name of a problem class, got {answer!r}",
                           f"应当给出一个问题类型的名称，而你给的是 {answer!r}")
    return equal(answer, max(medians, key=medians.get), what="the slowest problem class",
                 what_zh="解决最慢的问题类型")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world):
    """The notebook's tables: tickets with owner_id by phone (section 4.1) and by phone or name (Q1), problem_class (4.2), nearest station (4.3) and
    the durations (4.4)."""
    owners, stations = world.tables["owners"], world.tables["stations"]
    keywords, tickets = world.tables["problem_keywords"], world.tables["tickets"].copy()

    def phone_key(s):
        d = s.str.replace(r"\D", "", regex=True)
        return d.where(~((d.str.len() == 13) & d.str.startswith("86")), d.str[2:])

    name_key = _name_series

    by_phone = tickets["caller_phone"].pipe(phone_key).map(owners.set_index("phone")["owner_id"])
    keys = pd.concat([owners[["owner_id", "model"]].assign(key=name_key(owners["name"])),
                      owners[["owner_id", "model"]].assign(key=name_key(owners["name_pinyin"]))])
    fits = keys.groupby(["key", "model"], observed=True)["owner_id"].agg(["nunique", "first"])
    unique = fits.loc[fits["nunique"] == 1, "first"]
    by_name = pd.Series(list(zip(name_key(tickets["caller_name"]), tickets["model"].astype(str)))).map(unique)
    tickets["owner_id"] = by_phone
    tickets["owner_id_any"] = by_phone.where(tickets["caller_phone"].notna(), by_name.to_numpy())
    found = tickets["complaint"].str.extract("(" + "|".join(keywords["keyword"]) + ")", expand=False)
    tickets["problem_class"] = found.map(dict(zip(keywords["keyword"], keywords["problem_class"].astype(str))))
    linked = tickets.dropna(subset=["owner_id"]).merge(owners[["owner_id", "x_km", "y_km"]], on="owner_id")
    dist = np.hypot(linked["x_km"].to_numpy()[:, None] - stations["x_km"].to_numpy(),
                    linked["y_km"].to_numpy()[:, None] - stations["y_km"].to_numpy())
    linked["nearest"] = stations["station_id"].to_numpy()[dist.argmin(axis=1)]
    for col, name in (("responded_at", "response"), ("resolved_at", "resolve")):
        tickets[f"{name}_h"] = (tickets[col].fillna(END) - tickets["opened_at"]) / pd.Timedelta(hours=1)
        tickets[f"{name}_done"] = tickets[col].notna()
    return tickets, linked


def _name_series(s):
    """The notebook's name key: characters without spaces; pinyin lower case with its words sorted."""
    s = s.astype(str).str.strip()
    pinyin = s.str.lower().str.split().map(lambda words: " ".join(sorted(words)))
    return s.str.replace(" ", "", regex=False).where(~s.str.contains("[A-Za-z]"), pinyin)


def _sm_km(frame, col="resolve"):
    from statsmodels.duration.survfunc import SurvfuncRight

    return SurvfuncRight(frame[f"{col}_h"].to_numpy(float), frame[f"{col}_done"].to_numpy(float))


def _surv_at(km, hours: float) -> float:
    k = np.searchsorted(km.surv_times, hours, side="right")
    return 1.0 if k == 0 else float(km.surv_prob[k - 1])


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/shanghai_gm.ipynb, section 5."""
    tickets, linked = _notebook(world)
    stations = world.tables["stations"]
    n_linked = int(tickets["owner_id_any"].notna().sum())
    before = linked[linked["era"] == "before"]
    share_not_nearest = float((before["station_id"] != before["nearest"]).mean())
    after = tickets[tickets["era"] == "after"]
    km_after = _sm_km(after)
    p90_after = float(km_after.quantile(0.9))
    open_14d = _surv_at(km_after, 14 * 24)
    per_day = after["station_id"].value_counts().reindex(stations["station_id"], fill_value=0) / 184
    utilisation = per_day.to_numpy() / stations["capacity_per_day"].to_numpy()
    max_utilisation = float(utilisation.max())
    medians = after.groupby("problem_class")[["resolve_h", "resolve_done"]].apply(
        lambda g: _sm_km(g).quantile(0.5))
    slowest = str(medians.fillna(np.inf).idxmax())
    return {"q1": n_linked, "q2": share_not_nearest, "q3": p90_after, "q4": open_14d, "q5": max_utilisation,
            "q6": slowest}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    tickets, linked = _notebook(world)
    right = answers(world)
    owners, stations = world.tables["owners"], world.tables["stations"]
    by_phone = int(tickets["caller_phone"].notna().sum())
    keys = pd.concat([owners[["owner_id"]].assign(key=_name_series(owners["name"])),
                      owners[["owner_id"]].assign(key=_name_series(owners["name_pinyin"]))])
    fits = keys.groupby("key")["owner_id"].nunique()
    no_phone = tickets["caller_phone"].isna()
    by_name_only = int((_name_series(tickets.loc[no_phone, "caller_name"]).map(fits) == 1).sum())
    after = tickets[tickets["era"] == "after"]
    closed = after[after["resolve_done"]]
    n_after = len(after)
    counts_all = tickets["station_id"].value_counts().reindex(stations["station_id"], fill_value=0)
    counts_after = after["station_id"].value_counts().reindex(stations["station_id"], fill_value=0)
    cap = stations["capacity_per_day"].to_numpy()
    return {
        "q1": {"only the tickets with a phone": by_phone,
               "the name matched without the model": by_phone + by_name_only,
               "every ticket counted as linked": len(tickets)},
        "q2": {"a percentage instead of a share": 100 * right["q2"],
               "the share of tickets sent to the nearest station (the complement)": 1 - right["q2"]},
        "q3": {"the 90th percentile of the closed tickets only": float(closed["resolve_h"].quantile(0.9)),
               "the mean of the closed tickets (skewed and censored)": float(closed["resolve_h"].mean()),
               "the median instead of the 90th percentile": float(_sm_km(after).quantile(0.5))},
        "q4": {"the share among closed tickets only": float((closed["resolve_h"] > 14 * 24).mean()),
               "every open ticket counted as open beyond 14 days": float(
                   ((after["resolve_h"] > 14 * 24) | ~after["resolve_done"]).sum() / n_after),
               "a percentage instead of a share": 100 * right["q4"]},
        "q5": {"arrivals over the whole 550 days of both eras": float((counts_all.to_numpy() / 550 / cap).max()),
               "capacity divided by arrivals (the ratio upside down)": float(
                   (cap * 184 / np.maximum(counts_after.to_numpy(), 1)).min()),
               "the busiest station's tickets per day, not divided by its capacity": float(counts_after.max() / 184)},
        "q6": {"the most frequent problem class": str(after["problem_class"].value_counts().idxmax())},
    }
