"""Shanghai GM: Buick owners' complaints before and after an IBM-built CRM system (synthetic world).

Buick owners in and around a city call the customer centre with a quality problem. The agent looks the owner
up by name or phone (typed in many formats), classifies the problem, and hands it to a repair station, which
contacts the owner (the response) and repairs the car (the resolution). Before the CRM system the call went to
the station of the dealer who sold the car, by hand; after go-live the system finds the owner and notifies the
station nearest to the owner. The data stop at a fixed day, so tickets opened shortly before it are still open
(right-censored). Every repair station works through its repairs one at a time at its own capacity, so a station
that the new routing sends more cars than it can repair builds a queue.

Sources: Relationship-marketing essay (source 4), line 26 (Shanghai GM installed an IBM-built CRM system in
2000: the agent finds the customer by name or phone, sees model, purchase date, dealer and repair history,
judges the quality type of the problem, notifies the nearest repair station at once, tracks and records when the
problem is solved, which greatly shortened the response to complaints) and lines 16–17 (Buick Care, 2010).
Every owner, station, distance, time and rate is synthetic; the go-live month (July 2000) is this world's choice.
"""
from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments
from crmlab.worlds.mech.tickets import draw_arrivals

START = np.datetime64("1999-07-01T00:00", "ns")     # first day of the call log
GO_LIVE = np.datetime64("2000-07-01T00:00", "ns")   # the CRM system goes live (synthetic month; source 4: "in 2000")
AS_OF = np.datetime64("2001-01-01T00:00", "ns")     # the extract is taken: tickets still open are censored here
DAYS_BEFORE = float((GO_LIVE - START) / np.timedelta64(1, "D"))   # 366 days (2000 is a leap year)
DAYS_AFTER = float((AS_OF - GO_LIVE) / np.timedelta64(1, "D"))    # 184 days
TRAVEL_KMH = 25.0            # a station's technician reaches (or the owner brings the car) at 25 km/h, straight line
RESPONSE_SIGMA = 0.9         # log-scale spread of the dispatch delay
BACKORDER_MEDIAN_DAYS = 18.0  # median wait for a back-ordered part
BACKORDER_SIGMA = 0.7

MODELS = ("New Century", "GL", "GLX", "GS", "GL8")
# Names: (simplified, pinyin). A small table; common surnames first and drawn more often.
SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"),
            ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"), ("罗", "luo"), ("高", "gao"),
            ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("韩", "han"),
            ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("沈", "shen")]
GIVEN = [("伟", "wei"), ("强", "qiang"), ("军", "jun"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("华", "hua"),
         ("明", "ming"), ("国", "guo"), ("建", "jian"), ("文", "wen"), ("辉", "hui"), ("杰", "jie"), ("涛", "tao"),
         ("燕", "yan"), ("红", "hong"), ("海", "hai"), ("东", "dong"), ("晓", "xiao"), ("云", "yun"), ("龙", "long"),
         ("鹏", "peng"), ("飞", "fei"), ("刚", "gang"), ("玲", "ling"), ("峰", "feng"), ("磊", "lei"), ("勇", "yong"),
         ("芳", "fang"), ("斌", "bin"), ("嘉", "jia"), ("志", "zhi"), ("荣", "rong"), ("庆", "qing"), ("春", "chun")]

# The quality types the agent classifies into: share of complaints, keywords the complaint text contains,
# repair work relative to the average job, and the chance the repair waits for a back-ordered part.
CLASSES = [
    {"name": "electrical", "share": 0.32, "work": 0.6, "backorder": 0.6,
     "keywords": [("仪表灯报警", "warning light on"), ("电瓶亏电", "battery drains"), ("车窗不能升降", "window stuck")]},
    {"name": "powertrain", "share": 0.24, "work": 2.2, "backorder": 1.8,
     "keywords": [("发动机异响", "engine noise"), ("变速箱顿挫", "gearbox jerks"), ("怠速抖动", "rough idle")]},
    {"name": "chassis", "share": 0.20, "work": 1.0, "backorder": 1.0,
     "keywords": [("刹车异响", "brake squeal"), ("方向跑偏", "pulls to one side"), ("减震器漏油", "shock absorber leaks")]},
    {"name": "body", "share": 0.14, "work": 1.1, "backorder": 0.8,
     "keywords": [("车门漏水", "door leaks water"), ("油漆起泡", "paint bubbles")]},
    {"name": "comfort", "share": 0.10, "work": 0.5, "backorder": 0.5,
     "keywords": [("空调不制冷", "air conditioning not cooling"), ("音响无声", "radio silent")]},
]
CLASS_NAMES = tuple(c["name"] for c in CLASSES)
PREFIXES = ("", "", "车主反映", "客户来电称", "投诉：")
SUFFIXES = ("", "", "，已多次出现", "，要求尽快处理", "。")
PHONE_FORMATS = ("plain", "dashes", "spaces", "plus86", "plus86dash")
NAME_FORMATS = ("hanzi", "hanzi_space", "pinyin", "pinyin_upper", "pinyin_reversed")

# Owners: where they live (km east/north of the city centre) and what they drive.
OWNERS = [
    {"name": "city", "share": 0.6, "x": {"dist": "normal", "mean": 0.0, "sd": 6.0},
     "y": {"dist": "normal", "mean": 0.0, "sd": 6.0},
     "model": {"dist": "categorical", "probs": {"New Century": 0.4, "GL": 0.2, "GLX": 0.15, "GS": 0.1, "GL8": 0.15}}},
    {"name": "suburb", "share": 0.4, "x": {"dist": "uniform", "low": -30.0, "high": 30.0},
     "y": {"dist": "uniform", "low": -30.0, "high": 30.0},
     "model": {"dist": "categorical", "probs": {"New Century": 0.35, "GL": 0.25, "GLX": 0.1, "GS": 0.05, "GL8": 0.25}}},
]

SNAPSHOT_KNOBS = {"n_owners": 1500}
KNOBS = [
    Knob("n_owners", 10000, int, "number of Buick owners in the region", low=200, high=1_000_000,
         doc_zh="该地区的别克车主人数"),
    Knob("n_stations", 12, int, "number of authorised repair stations", low=3, high=60, doc_zh="特约维修站的数量"),
    Knob("complaint_rate", 0.3, float, "quality complaints per owner per year", low=0.01, high=5.0, unit="per year",
         doc_zh="每位车主每年的质量投诉次数"),
    Knob("dispatch_median_before", 30.0, float, "median hours from the call until a station acts on it, before the "
         "CRM system (paper forms, phone calls between offices)", low=0.5, high=500.0, unit="hours",
         doc_zh="CRM系统上线前，从来电到维修站着手处理的中位小时数（纸质单据、部门间电话转达）"),
    Knob("dispatch_median_after", 3.0, float, "median hours from the call until a station acts on it, after the CRM "
         "system (the station is notified at once)", low=0.5, high=500.0, unit="hours",
         doc_zh="CRM系统上线后，从来电到维修站着手处理的中位小时数（系统即时通知维修站）"),
    Knob("routing_after", "nearest", str, "how the CRM system routes a complaint: to the station nearest the owner, "
         "or (the counterfactual) to the selling dealer's station as before", choices=("nearest", "dealer"),
         doc_zh="CRM系统如何分派投诉：分派给离车主最近的维修站，或（反事实情形）照旧分派给售车经销商的维修站"),
    Knob("capacity_factor", 2.0, float, "each station's repair capacity relative to the load it had under the old "
         "routing (2.0: the network was sized for the old routing with twice the capacity it needed)", low=0.5, high=20.0,
         doc_zh="每个维修站的维修能力相对于旧分派方式下其负荷的倍数（2.0：维修网络按旧分派方式配置，能力是所需的两倍）"),
    Knob("backorder_share", 0.12, float, "share of repairs (of an average problem type) that wait for a "
             "back-ordered part", low=0.0, high=0.5, doc_zh="（平均问题类型下）需要等待缺货零件的维修所占比例"),
    Knob("phone_missing", 0.2, float, "share of calls where the agent records no phone number", low=0.0, high=0.9,
         doc_zh="坐席没有记下电话号码的来电所占比例"),
]

C = Column
TABLES = [
    Table("owners", "One row per Buick owner in the customer database: name, phone, car and home location.", (
        C("owner_id", "int64", "owner id", doc_zh="车主编号"),
        C("name", "string", "name in simplified characters", doc_zh="姓名（简体汉字）"),
        C("name_pinyin", "string", "name in pinyin, surname first, lower case", doc_zh="姓名拼音（姓在前，小写）"),
        C("phone", "string", "mobile phone number, 11 digits", doc_zh="手机号码（11位数字）"),
        C("model", "category", "Buick model owned", doc_zh="所购别克车型"),
        C("purchase_date", "datetime64[ns]", "date the car was bought", doc_zh="购车日期"),
        C("dealer_station", "int64", "station_id of the dealer who sold the car", doc_zh="售车经销商所属维修站的编号"),
        C("x_km", "float64", "home location, km east of the city centre", "km", doc_zh="住址位置：市中心以东的公里数"),
        C("y_km", "float64", "home location, km north of the city centre", "km", doc_zh="住址位置：市中心以北的公里数"),
    ), doc_zh="客户数据库中每位别克车主一行：姓名、电话、车辆和住址位置。"),
    Table("stations", "One row per authorised repair station.", (
        C("station_id", "int64", "station id", doc_zh="维修站编号"),
        C("x_km", "float64", "location, km east of the city centre", "km", doc_zh="位置：市中心以东的公里数"),
        C("y_km", "float64", "location, km north of the city centre", "km", doc_zh="位置：市中心以北的公里数"),
        C("capacity_per_day", "float64", "repairs the station can complete per day at the average mix of problems",
          "repairs/day", doc_zh="按平均问题构成计算，该站每天能完成的维修数"),
    ), doc_zh="每个特约维修站一行。"),
    Table("problem_keywords", "The quality types of the CRM system: keywords the agent looks for in the complaint "
          "text and the type each belongs to.", (
              C("keyword", "string", "keyword (Chinese) found in the complaint text", doc_zh="投诉文本中出现的关键词（中文）"),
              C("keyword_en", "string", "its English meaning", doc_zh="关键词的英文含义"),
              C("problem_class", "category", "quality type of the problem", doc_zh="问题所属的质量类型"),
          ), doc_zh="CRM系统中的质量类型：坐席在投诉文本中查找的关键词及其所属类型。"),
    Table("tickets", "One row per complaint call (ticket), July 1999 to December 2000. The extract was taken at "
          "2001-01-01 00:00: tickets not yet answered or solved then have no time (NaT).", (
              C("ticket_id", "int64", "ticket id", doc_zh="投诉单编号"),
              C("opened_at", "datetime64[ns]", "when the owner called", doc_zh="车主来电时间"),
              C("era", "category", "'before' or 'after' the CRM system went live on 2000-07-01",
                doc_zh="CRM系统（2000-07-01上线）之前（before）或之后（after）"),
              C("caller_name", "string", "caller's name as the agent typed it (characters or pinyin)",
                doc_zh="坐席录入的来电者姓名（汉字或拼音）"),
              C("caller_phone", "string", "caller's phone as typed (formats vary; missing when not recorded)",
                doc_zh="录入的来电者电话（格式不一；未记录时缺失）"),
              C("model", "category", "the model the caller says he drives", doc_zh="来电者所说的车型"),
              C("complaint", "string", "the complaint as the agent wrote it down (Chinese)", doc_zh="坐席记录的投诉内容（中文）"),
              C("station_id", "int64", "repair station the complaint was sent to", doc_zh="投诉被分派到的维修站"),
              C("responded_at", "datetime64[ns]", "when the station first contacted the owner (NaT: not yet)",
                doc_zh="维修站首次联系车主的时间（NaT：尚未联系）"),
              C("resolved_at", "datetime64[ns]", "when the problem was recorded as solved (NaT: still open)",
                doc_zh="问题记录为已解决的时间（NaT：尚未解决）"),
          ), doc_zh="每次投诉来电（投诉单）一行，时间为1999年7月至2000年12月。数据提取于2001-01-01 00:00："
                    "届时尚未响应或尚未解决的投诉单没有对应时间（NaT）。"),
]

DESCRIPTION = """
Owners live around a city centre (60% within a few km of it, 40% spread over a 60 x 60 km region); stations
stand at random points of the inner 40 x 40 km. Each owner bought the car from a dealer whose station is the
nearest one with probability 0.4, another one at random otherwise (`dealer_station`). Complaints arrive as a
Poisson process, `complaint_rate` per owner per year; the problem type is drawn with the shares of
`truth['classes']` and written down as a phrase containing one keyword of the type (`problem_keywords`).

Lookup: the agent types the caller's name in one of five forms (characters, characters with a space, pinyin
in lower or upper case, pinyin given name first) and the phone in one of five formats (plain, dashes, spaces,
+86, +86 with dashes), or no phone (`phone_missing`). Names repeat; a phone is unique.

Routing: before 2000-07-01 a complaint goes to the owner's dealer station; after it, to the station nearest to
the owner (straight-line distance from x_km, y_km) when `routing_after` is "nearest", else as before.
Response = dispatch delay LogNormal(log(median), 0.9) with the era's median (`dispatch_median_before` /
`dispatch_median_after`) + distance / 25 km/h. Resolution: after the response, a back-ordered part (probability
`backorder_share` x the type's factor) adds LogNormal(log 18 days, 0.7); the car then joins its station's queue,
first come first served, one repair at a time; a repair takes the type's work (relative to the average job,
LogNormal with spread 0.5) / the station's `capacity_per_day`. Capacity = `capacity_factor` x the station's
expected arrival rate under the old routing x LogNormal(0, 0.15). Tickets whose response or resolution falls
after 2001-01-01 00:00 are censored (NaT). `truth['tickets']` holds each ticket's owner, problem type, nearest
station and uncensored response and resolution hours; `truth['stations']` the expected arrivals per day and
utilisation (arrivals / capacity) of each station in each era.
"""

DESCRIPTION_ZH = """
车主住在市中心周围（60%住在离市中心几公里之内，40%分散在60 x 60公里的区域内）；维修站随机分布在中间40 x 40公里的
范围内。每位车主的售车经销商所属维修站以0.4的概率是离他最近的那个，否则随机为另一个（`dealer_station`）。投诉按
泊松过程到达，每位车主每年 `complaint_rate` 次；问题类型按 `truth['classes']` 中的比例抽取，记录为含有该类型一个
关键词的短语（`problem_keywords`）。

查找：坐席以五种形式之一录入来电者姓名（汉字、带空格的汉字、小写或大写拼音、名在前的拼音），以五种格式之一录入电话
（纯数字、短横线、空格、+86、带短横线的+86），或不记电话（`phone_missing`）。姓名会重复，电话唯一。

分派：2000-07-01之前，投诉分派给车主的经销商维修站；之后，当 `routing_after` 为 "nearest" 时分派给离车主最近的
维修站（按 x_km、y_km 计算直线距离），否则照旧。响应时间 = 派单延迟 LogNormal(log(中位数), 0.9)（中位数按时期取
`dispatch_median_before` 或 `dispatch_median_after`）+ 距离 / 25公里每小时。解决：响应之后，若零件缺货（概率为
`backorder_share` 乘以该类型的系数），再加 LogNormal(log 18天, 0.7)；车辆随后进入维修站的队列，先到先修，一次修一辆；
一次维修耗时 = 该类型的工作量（相对于平均作业，服从离散度0.5的对数正态分布）/ 该站的 `capacity_per_day`。维修能力 =
`capacity_factor` x 该站在旧分派方式下的期望到达率 x LogNormal(0, 0.15)。响应或解决时间晚于2001-01-01 00:00的投诉单
被删失（NaT）。`truth['tickets']` 给出每张投诉单的车主、问题类型、最近的维修站，以及未删失的响应和解决小时数；
`truth['stations']` 给出每个维修站在两个时期的期望日到达数和利用率（到达数 / 维修能力）。
"""


def _phone_text(phone: str, fmt: str) -> str:
    if fmt == "dashes":
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if fmt == "spaces":
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if fmt == "plus86":
        return f"+86 {phone}"
    if fmt == "plus86dash":
        return f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    return phone


def _name_text(hanzi: str, sur_py: str, given_py: str, fmt: str) -> str:
    """A name as an agent types it.

    >>> [_name_text("王晓明", "wang", "xiaoming", f) for f in NAME_FORMATS]
    ['王晓明', '王 晓明', 'wang xiaoming', 'WANG XIAOMING', 'Xiaoming Wang']
    """
    if fmt == "hanzi":
        return hanzi
    if fmt == "hanzi_space":
        return hanzi[0] + " " + hanzi[1:]
    if fmt == "pinyin":
        return f"{sur_py} {given_py}"
    if fmt == "pinyin_upper":
        return f"{sur_py} {given_py}".upper()
    return f"{given_py.capitalize()} {sur_py.capitalize()}"


def _queue(ready: np.ndarray, service: np.ndarray, station: np.ndarray, n_stations: int) -> np.ndarray:
    """Finish times of a first-come-first-served single-server queue per station (times in hours)."""
    finish = np.empty_like(ready)
    free = np.zeros(n_stations)
    for i in np.lexsort((np.arange(ready.size), ready)):
        s = station[i]
        start = max(ready[i], free[s])
        free[s] = finish[i] = start + service[i]
    return finish


@register("shanghai_gm", title="Shanghai GM: Buick complaints before and after the CRM system",
          title_zh="上海通用：CRM系统上线前后的别克车主投诉", description=DESCRIPTION,
          description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n, m = k["n_owners"], k["n_stations"]
    # ---- stations and owners
    sx, sy = rng.uniform(-20, 20, m), rng.uniform(-20, 20, m)
    pop = draw_segments(rng, n, OWNERS)
    ox, oy = pop["x"].to_numpy(float), pop["y"].to_numpy(float)
    dist = np.hypot(ox[:, None] - sx[None, :], oy[:, None] - sy[None, :])          # owners x stations, km
    nearest = dist.argmin(axis=1)
    other = (nearest + rng.integers(1, m, n)) % m                                     # a random other station
    dealer = np.where(rng.random(n) < 0.4, nearest, other)
    sur_w = 1.0 / np.arange(1, len(SURNAMES) + 1)
    sur = rng.choice(len(SURNAMES), n, p=sur_w / sur_w.sum())
    two = rng.random(n) < 0.5
    g1, g2 = rng.integers(0, len(GIVEN), n), rng.integers(0, len(GIVEN), n)
    hanzi = [SURNAMES[s][0] + GIVEN[a][0] + (GIVEN[b][0] if t else "") for s, a, b, t in zip(sur, g1, g2, two)]
    given_py = [GIVEN[a][1] + (GIVEN[b][1] if t else "") for a, b, t in zip(g1, g2, two)]
    sur_py = [SURNAMES[s][1] for s in sur]
    suffix = rng.choice(100_000_000, n, replace=False)                                 # unique, so phones are unique
    prefix = np.array([138, 139, 137, 136, 135, 130, 131, 133])[rng.integers(0, 8, n)]
    phone = np.array([f"{p}{q:08d}" for p, q in zip(prefix, suffix)], dtype=object)
    bought = START - (rng.uniform(30, 4 * 365, n) * 86400e9).astype("timedelta64[ns]")
    model = pop["model"].astype(str).to_numpy()

    # ---- capacity: sized for the old routing
    rate_day = k["complaint_rate"] / 365.25
    cls_share = np.array([c["share"] for c in CLASSES])
    work = np.array([c["work"] for c in CLASSES])
    work = work / (cls_share @ work)                                                   # average job = 1
    lam_old = np.bincount(dealer, minlength=m) * rate_day
    route_new = nearest if k["routing_after"] == "nearest" else dealer
    lam_new = np.bincount(route_new, minlength=m) * rate_day
    capacity = k["capacity_factor"] * np.maximum(lam_old, rate_day) * np.exp(0.15 * rng.standard_normal(m))

    # ---- tickets
    ent, t = draw_arrivals(rng, np.full(n, rate_day), DAYS_BEFORE + DAYS_AFTER)
    nt = ent.size
    after = t >= DAYS_BEFORE
    cls = rng.choice(len(CLASSES), nt, p=cls_share)
    station = np.where(after, route_new[ent], dealer[ent])
    d = dist[ent, station]
    med = np.where(after, k["dispatch_median_after"], k["dispatch_median_before"])
    response_h = med * np.exp(RESPONSE_SIGMA * rng.standard_normal(nt)) + d / TRAVEL_KMH
    bo_factor = np.array([c["backorder"] for c in CLASSES])
    backorder = rng.random(nt) < np.minimum(1.0, k["backorder_share"] * bo_factor[cls])
    parts_h = np.where(backorder, 24 * BACKORDER_MEDIAN_DAYS * np.exp(BACKORDER_SIGMA * rng.standard_normal(nt)), 0.0)
    service_h = 24 * work[cls] * np.exp(0.5 * rng.standard_normal(nt) - 0.125) / capacity[station]
    open_h = 24 * t
    done_h = _queue(open_h + response_h + parts_h, service_h, station, m)
    resolve_h = done_h - open_h
    horizon_h = 24 * (DAYS_BEFORE + DAYS_AFTER)
    # ---- what the agent typed
    kw_pick = np.array([int(rng.integers(len(CLASSES[c]["keywords"]))) for c in cls])
    pre = rng.integers(0, len(PREFIXES), nt)
    suf = rng.integers(0, len(SUFFIXES), nt)
    complaint = [PREFIXES[p] + CLASSES[c]["keywords"][j][0] + SUFFIXES[s] for p, c, j, s in zip(pre, cls, kw_pick, suf)]
    nf = rng.integers(0, len(NAME_FORMATS), nt)
    pf = rng.integers(0, len(PHONE_FORMATS), nt)
    no_phone = rng.random(nt) < k["phone_missing"]
    caller_name = [_name_text(hanzi[o], sur_py[o], given_py[o], NAME_FORMATS[f]) for o, f in zip(ent, nf)]
    caller_phone = [None if x else _phone_text(phone[o], PHONE_FORMATS[f]) for o, f, x in zip(ent, pf, no_phone)]

    def stamp(hours, known):
        ns = START + (np.round(hours * 3600).astype(np.int64) * 1_000_000_000).astype("timedelta64[ns]")
        return pd.Series(ns).where(known).astype("datetime64[ns]").to_numpy()

    opened = stamp(open_h, np.ones(nt, bool))
    tickets = pd.DataFrame({
        "ticket_id": np.arange(1, nt + 1, dtype=np.int64),
        "opened_at": opened,
        "era": pd.Categorical.from_codes(after.astype(np.int8), categories=["before", "after"]),
        "caller_name": pd.array(caller_name, dtype="string"),
        "caller_phone": pd.array(caller_phone, dtype="string"),
        "model": pd.Categorical(model[ent], categories=list(MODELS)),
        "complaint": pd.array(complaint, dtype="string"),
        "station_id": (station + 1).astype(np.int64),
        "responded_at": stamp(open_h + response_h, open_h + response_h < horizon_h),
        "resolved_at": stamp(done_h, done_h < horizon_h),
    })
    for col in ("opened_at", "responded_at", "resolved_at"):
        tickets[col] = tickets[col].astype("datetime64[ns]")
    owners = pd.DataFrame({
        "owner_id": np.arange(1, n + 1, dtype=np.int64),
        "name": pd.array(hanzi, dtype="string"),
        "name_pinyin": pd.array([f"{s} {g}" for s, g in zip(sur_py, given_py)], dtype="string"),
        "phone": pd.array(list(phone), dtype="string"),
        "model": pd.Categorical(model, categories=list(MODELS)),
        "purchase_date": pd.Series(bought.astype("datetime64[D]").astype("datetime64[ns]")).astype("datetime64[ns]"),
        "dealer_station": (dealer + 1).astype(np.int64),
        "x_km": ox.round(2), "y_km": oy.round(2),
    })
    stations = pd.DataFrame({"station_id": np.arange(1, m + 1, dtype=np.int64), "x_km": sx.round(2),
                             "y_km": sy.round(2), "capacity_per_day": capacity.round(3)})
    kw_rows = [(w, e, c["name"]) for c in CLASSES for w, e in c["keywords"]]
    keywords = pd.DataFrame({"keyword": pd.array([r[0] for r in kw_rows], dtype="string"),
                             "keyword_en": pd.array([r[1] for r in kw_rows], dtype="string"),
                             "problem_class": pd.Categorical([r[2] for r in kw_rows], categories=list(CLASS_NAMES))})
    cap = stations["capacity_per_day"].to_numpy()
    truth_stations = pd.DataFrame({"arrivals_per_day_before": lam_old, "arrivals_per_day_after": lam_new,
                                   "capacity_per_day": cap, "utilisation_before": lam_old / cap,
                                   "utilisation_after": lam_new / cap},
                                  index=pd.Index(np.arange(1, m + 1), name="station_id"))
    truth_tickets = pd.DataFrame({
        "owner_id": ent + 1, "problem_class": pd.Categorical.from_codes(cls.astype(np.int8), categories=list(CLASS_NAMES)),
        "nearest_station": nearest[ent] + 1, "distance_km": d, "nearest_km": dist[ent, nearest[ent]],
        "backorder": backorder, "response_hours": response_h, "resolve_hours": resolve_h,
    }, index=pd.Index(tickets["ticket_id"].to_numpy(), name="ticket_id"))
    era_name = np.where(after, "after", "before")
    truth = {
        "go_live": "2000-07-01", "as_of": "2001-01-01",
        "days_before": DAYS_BEFORE, "days_after": DAYS_AFTER,
        "dispatch_median_hours": {"before": k["dispatch_median_before"], "after": k["dispatch_median_after"]},
        "travel_kmh": TRAVEL_KMH,
        "classes": [{"name": c["name"], "share": c["share"], "work": float(w),
                     "backorder_prob": float(min(1.0, k["backorder_share"] * c["backorder"]))}
                    for c, w in zip(CLASSES, work)],
        "median_response_hours": {e: float(np.median(response_h[era_name == e])) for e in ("before", "after")},
        "median_resolve_hours": {e: float(np.median(resolve_h[era_name == e])) for e in ("before", "after")},
        "share_open_14d": {e: float(np.mean(resolve_h[era_name == e] > 14 * 24)) for e in ("before", "after")},
        "share_nearest_before": float(np.mean(dealer[ent[~after]] == nearest[ent[~after]])),
        "stations": truth_stations,
        "tickets": truth_tickets,
    }
    return {"owners": owners, "stations": stations, "problem_keywords": keywords, "tickets": tickets}, truth
