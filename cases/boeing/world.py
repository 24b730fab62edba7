"""Boeing Commercial Airplanes: whole-customer relationship marketing (synthetic world).

A manufacturer with few, high-margin customers (airlines). Three tables: the airlines with the yearly margin
each brings; a history of yearly renewal decisions made under one of Kotler's five relationship levels; and
the log of design suggestions collected from airlines and pilots for a new aircraft, with the engineering
cost of acting on each topic. Planted truth: the renewal probability of each level, each airline's best level
by lifetime value net of the relationship's cost, and which design topics matter.

Sources: CRM Q&A compilation (source 0), line 21 (complaints grouped and fed back to R&D; Boeing moved an
instrument indicator after customer complaints); lines 214–215 (Kotler's five relationship levels: many
customers and small unit margins suit the basic level, few customers and high margins the partnership
level; choose by lifetime value against the cost of attracting and keeping customers); lines 249–251
(partnership is the most stable relationship; Boeing keeps close partnerships with its customers); line 253
(for the 777 Boeing invited airlines and pilots to discuss the design; no fewer than ten thousand useful
suggestions); line 269 (Boeing's customers are spread over more than 90 countries). Casebook chapter
headings: lines 112–117, 168–171. Every figure in the tables is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.tickets import pareto_shares

LEVELS = ("basic", "reactive", "accountable", "proactive", "partnership")
# Planted probability that an airline renews (places its next order with us, not a competitor) in a year
# managed at each level. Synthetic; the order (higher level, more loyal) follows source 0, lines 214, 249.
RENEWAL = {"basic": 0.60, "reactive": 0.70, "accountable": 0.80, "proactive": 0.87, "partnership": 0.94}
REGIONS = ("Asia-Pacific", "Europe", "North America", "Middle East", "Latin America", "Africa")
REGION_PROBS = (0.30, 0.25, 0.20, 0.10, 0.10, 0.05)

# Design topics raised for a new wide-body (names illustrative, synthetic): area, planted mean severity (1-5),
# engineering cost of acting on it (USD million). Frequencies are Zipf-shaped in a shuffled order, so the most
# mentioned topics are not the most severe; "instrument indicator position" is rare, severe and cheap
# (the complaint of source 0, line 21).
TOPICS = [
    ("overhead bin size", "cabin", 2.2, 30.0), ("seat pitch flexibility", "cabin", 2.0, 25.0),
    ("galley layout", "cabin", 2.4, 12.0), ("lavatory placement", "cabin", 2.1, 10.0),
    ("cabin lighting", "cabin", 1.6, 6.0), ("in-flight entertainment wiring", "cabin", 1.9, 14.0),
    ("reconfigurable cabin", "cabin", 3.4, 40.0), ("cabin noise", "cabin", 2.8, 35.0),
    ("instrument indicator position", "cockpit", 4.6, 2.0), ("flight-deck display layout", "cockpit", 4.0, 18.0),
    ("fly-by-wire control feel", "cockpit", 4.2, 45.0), ("checklist automation", "cockpit", 3.6, 8.0),
    ("cockpit seat comfort", "cockpit", 2.3, 4.0), ("crew rest area", "cockpit", 3.0, 20.0),
    ("engine access panels", "maintenance", 3.8, 6.0), ("line-replaceable units", "maintenance", 3.9, 15.0),
    ("built-in test diagnostics", "maintenance", 4.1, 22.0), ("corrosion protection", "maintenance", 3.5, 28.0),
    ("tyre and brake wear", "maintenance", 3.1, 12.0), ("folding wingtips", "systems", 2.9, 60.0),
    ("fuel burn", "systems", 4.3, 90.0), ("range for long routes", "systems", 3.7, 80.0),
    ("ETOPS reliability", "systems", 4.7, 50.0), ("cargo door size", "systems", 2.6, 9.0),
    ("ground handling interfaces", "systems", 2.5, 5.0),
]
N_MATTER = 8   # the planted topics that matter: the top N_MATTER by expected mentions x severity / cost

SNAPSHOT_KNOBS = {"n_airlines": 30, "n_suggestions": 2000}
KNOBS = [
    Knob("n_airlines", 40, int, "number of airline customers", low=5, high=100_000, doc_zh="航空公司客户数"),
    Knob("history_years", 15, int, "years of renewal history per airline", low=2, high=60,
         doc_zh="每家航空公司的续约历史年数"),
    Knob("mean_margin", 30.0, float, "mean yearly gross margin an airline brings (aircraft, spares, services)",
         low=0.1, high=10_000.0, unit="USD million", doc_zh="一家航空公司每年带来的平均毛利（飞机、备件、服务）"),
    Knob("concentration", 1.3, float, "spread (log-normal sigma) of the airlines' yearly margin: higher means a "
         "few airlines bring most of the margin", low=0.0, high=3.0,
         doc_zh="各航空公司年毛利的离散程度（对数正态分布的 sigma）：越大，毛利越集中于少数几家"),
    Knob("cost_basic", 0.1, float, "yearly cost of a basic relationship per airline", low=0.0, high=1000.0,
         unit="USD million", doc_zh="每家航空公司基本型关系的年成本"),
    Knob("cost_reactive", 0.4, float, "yearly cost of a reactive relationship per airline", low=0.0, high=1000.0,
         unit="USD million", doc_zh="每家航空公司被动型关系的年成本"),
    Knob("cost_accountable", 1.0, float, "yearly cost of an accountable relationship per airline", low=0.0,
         high=1000.0, unit="USD million", doc_zh="每家航空公司负责型关系的年成本"),
    Knob("cost_proactive", 2.5, float, "yearly cost of a proactive relationship per airline", low=0.0, high=1000.0,
         unit="USD million", doc_zh="每家航空公司能动型关系的年成本"),
    Knob("cost_partnership", 6.0, float, "yearly cost of a partnership relationship per airline (dedicated team, "
         "co-design, field service)", low=0.0, high=1000.0, unit="USD million",
         doc_zh="每家航空公司伙伴型关系的年成本（专属团队、共同设计、现场服务）"),
    Knob("discount_rate", 0.08, float, "yearly discount rate for lifetime value", low=0.0, high=1.0,
         unit="per year", doc_zh="计算客户终身价值所用的年折现率"),
    Knob("n_suggestions", 10_000, int, "design suggestions collected from airlines and pilots", low=50,
         high=2_000_000, doc_zh="从航空公司和飞行员处收集到的设计建议条数"),
]

C = Column
TABLES = [
    Table("airlines", "One row per airline customer: where it flies, its fleet of our aircraft and the yearly "
          "gross margin it brings.", (
              C("airline_id", "int64", "airline id", doc_zh="航空公司编号"),
              C("region", "category", "home region of the airline", doc_zh="航空公司所在地区"),
              C("fleet_size", "int64", "aircraft of ours in the airline's fleet", doc_zh="该航空公司机队中我方飞机的架数"),
              C("annual_margin", "float64", "gross margin the airline brings per year (aircraft, spares, services)",
                "USD million", doc_zh="该航空公司每年带来的毛利（飞机、备件、服务）"),
          ), doc_zh="每家航空公司客户一行：所在地区、机队中我方飞机的架数和每年带来的毛利。"),
    Table("relationship_history", "One row per airline and past year: the relationship level the account plan "
          "used that year, what it cost and whether the airline renewed (placed its next order with us).", (
              C("airline_id", "int64", "airline id", doc_zh="航空公司编号"),
              C("year", "int64", "year (1 = earliest)", doc_zh="年份（1 = 最早一年）"),
              C("level", "category", "relationship level that year (Kotler): basic, reactive, accountable, "
                "proactive, partnership", doc_zh="当年的关系类型（科特勒）：基本型、被动型、负责型、能动型、伙伴型"),
              C("relationship_cost", "float64", "what the relationship cost that year", "USD million",
                doc_zh="当年维系这段关系的成本"),
              C("renewed", "bool", "the airline renewed: its next order came to us, not a competitor",
                doc_zh="该航空公司是否续约：下一笔订单是否仍交给我们而非竞争对手"),
          ), doc_zh="每家航空公司每个过去年份一行：客户计划当年采用的关系类型、其成本，以及该航空公司是否续约"
                    "（下一笔订单是否仍交给我们）。"),
    Table("suggestions", "One row per design suggestion for the new aircraft, from an airline's engineers or "
          "its pilots.", (
              C("suggestion_id", "int64", "suggestion id", doc_zh="建议编号"),
              C("airline_id", "int64", "airline that sent it", doc_zh="提出建议的航空公司"),
              C("submitter", "category", "who wrote it: engineer or pilot", doc_zh="提出人：工程师或飞行员"),
              C("topic", "category", "design topic the suggestion concerns", doc_zh="建议涉及的设计主题"),
              C("severity", "int64", "how much the issue hurts the operator, rated by the submitter (1 minor "
                "to 5 critical)", doc_zh="提出人评定的问题对运营的影响程度（1 轻微 到 5 严重）"),
          ), doc_zh="每条关于新机型的设计建议一行，来自航空公司的工程师或飞行员。"),
    Table("design_topics", "One row per design topic: its area and the engineering estimate of what acting on "
          "it costs.", (
              C("topic", "category", "design topic", doc_zh="设计主题"),
              C("area", "category", "cabin, cockpit, maintenance or systems", doc_zh="所属领域：客舱、驾驶舱、维修或系统"),
              C("cost_to_fix", "float64", "engineering estimate of the cost of acting on the topic", "USD million",
                doc_zh="工程部门估计的改进该主题所需成本"),
          ), doc_zh="每个设计主题一行：所属领域，以及工程部门对改进成本的估计。"),
]

DESCRIPTION = """
Airlines: yearly gross margin = mean_margin x LogNormal(-concentration²/2, concentration) (so its mean is
`mean_margin` whatever the spread); fleet size ~ margin / 1.5 x LogNormal(0, 0.3), at least 1 aircraft.
Regions are drawn with shares 30/25/20/10/10/5%.

Relationship history: for every airline and each of `history_years` past years, the account plan used a
level drawn uniformly from Kotler's five (the levels were not chosen by airline size, so a plain comparison of
renewal rates by level is fair). The airline renews with the level's planted probability
(`truth['renewal']`: basic 0.60, reactive 0.70, accountable 0.80, proactive 0.87, partnership 0.94);
relationship_cost = the level's yearly cost knob x LogNormal(0, 0.1).

Lifetime value at a level (simple retention CLV, margin net of the relationship's cost paid each year the
airline stays): CLV = (annual_margin - cost_level) x r / (1 + d - r), with r the level's renewal probability
and d = `discount_rate`. The planted best level of each airline maximises CLV with the planted r
(`truth['airlines']`: best level, CLV at each level); customer equity = the sum of the best CLVs.

Suggestions: `n_suggestions` rows; the topic of each is drawn from Zipf-shaped shares (alpha 0.9) given to the
25 topics in a fixed shuffled order (`truth['topics']['share']`); severity = round(planted topic severity +
N(0, 0.8)) clipped to 1..5; submitter pilot with probability 0.6 for cockpit topics and 0.25 otherwise;
airline drawn in proportion to fleet size. Priority of a topic = expected mentions x planted severity /
cost_to_fix; the topics that matter are the top 8 by that priority (`truth['topics']['matters']`).
"""

DESCRIPTION_ZH = """
航空公司：年毛利 = mean_margin x LogNormal(-concentration²/2, concentration)（无论离散程度如何，均值都是
`mean_margin`）；机队规模 ~ 毛利 / 1.5 x LogNormal(0, 0.3)，至少1架。地区按30/25/20/10/10/5%的比例抽取。

关系历史：对每家航空公司过去 `history_years` 年中的每一年，客户计划从科特勒的五种关系类型中均匀随机地采用一种
（关系类型不是按航空公司规模选定的，所以直接按类型比较续约率是公平的）。航空公司以该类型的预设概率续约
（`truth['renewal']`：基本型0.60、被动型0.70、负责型0.80、能动型0.87、伙伴型0.94）；
relationship_cost = 该类型的年成本参数 x LogNormal(0, 0.1)。

某一关系类型下的终身价值（简单保留率CLV，航空公司每留下一年都要扣除该关系的成本）：
CLV = (annual_margin - cost_level) x r / (1 + d - r)，其中 r 是该类型的续约概率，d = `discount_rate`。
每家航空公司预设的最优关系类型是用预设 r 计算时CLV最大的类型（`truth['airlines']`：最优类型及各类型下的CLV）；
客户资产（customer equity）= 各航空公司最优CLV之和。

建议：共 `n_suggestions` 行；每条建议的主题按齐夫（Zipf）形状的份额（alpha 0.9）抽取，份额按固定的打乱顺序分配给
25个主题（`truth['topics']['share']`）；严重程度 = round(主题预设严重程度 + N(0, 0.8))，截断在1..5；驾驶舱主题的
提出人为飞行员的概率是0.6，其他主题为0.25；提出建议的航空公司按机队规模成比例抽取。主题的优先级 = 预期被提及次数
x 预设严重程度 / cost_to_fix；真正要紧的主题是按此优先级排名前8的主题（`truth['topics']['matters']`）。
"""


def level_clv(margin, renewal: dict, costs: dict, discount: float) -> pd.DataFrame:
    """Simple retention CLV of each airline (rows) at each level (columns): (m - c) r / (1 + d - r)."""
    m = np.asarray(margin, dtype=float)[:, None]
    r = np.array([renewal[lv] for lv in LEVELS])
    c = np.array([costs[lv] for lv in LEVELS])
    return pd.DataFrame((m - c) * r / (1 + discount - r), columns=list(LEVELS))


@register("boeing", title="Boeing Commercial Airplanes: whole-customer relationship marketing",
          title_zh="波音的全客户关系营销", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n, years, s = k["n_airlines"], k["history_years"], k["concentration"]
    ids = np.arange(1, n + 1, dtype=np.int64)
    margin = k["mean_margin"] * np.exp(-s * s / 2 + s * rng.standard_normal(n))
    fleet = np.maximum(1, np.round(margin / 1.5 * np.exp(0.3 * rng.standard_normal(n)))).astype(np.int64)
    region = np.asarray(REGIONS, dtype=object)[rng.choice(len(REGIONS), size=n, p=REGION_PROBS)]
    airlines = pd.DataFrame({"airline_id": ids,
                             "region": pd.Categorical(region, categories=REGIONS),
                             "fleet_size": fleet, "annual_margin": margin})

    costs = {lv: k[f"cost_{lv}"] for lv in LEVELS}
    lv_code = rng.integers(0, len(LEVELS), size=n * years)
    p = np.array([RENEWAL[lv] for lv in LEVELS])[lv_code]
    renewed = rng.random(n * years) < p
    cost = np.array([costs[lv] for lv in LEVELS])[lv_code] * np.exp(0.1 * rng.standard_normal(n * years))
    history = pd.DataFrame({"airline_id": np.repeat(ids, years),
                            "year": np.tile(np.arange(1, years + 1, dtype=np.int64), n),
                            "level": pd.Categorical.from_codes(lv_code, categories=LEVELS, ordered=True),
                            "relationship_cost": cost, "renewed": renewed})

    names = [t[0] for t in TOPICS]
    n_t = len(TOPICS)
    order = np.random.default_rng(20260).permutation(n_t)          # fixed, not seed-dependent
    share = np.empty(n_t)
    share[order] = pareto_shares(n_t, 0.9)
    sev_mean = np.array([t[2] for t in TOPICS])
    fix_cost = np.array([t[3] for t in TOPICS])
    area = np.array([t[1] for t in TOPICS], dtype=object)
    m = k["n_suggestions"]
    topic = rng.choice(n_t, size=m, p=share)
    severity = np.clip(np.round(sev_mean[topic] + 0.8 * rng.standard_normal(m)), 1, 5).astype(np.int64)
    pilot = rng.random(m) < np.where(area[topic] == "cockpit", 0.6, 0.25)
    who = rng.choice(n, size=m, p=fleet / fleet.sum())
    suggestions = pd.DataFrame({"suggestion_id": np.arange(1, m + 1, dtype=np.int64),
                                "airline_id": ids[who],
                                "submitter": pd.Categorical(np.where(pilot, "pilot", "engineer"),
                                                            categories=["engineer", "pilot"]),
                                "topic": pd.Categorical.from_codes(topic, categories=names),
                                "severity": severity})
    topics = pd.DataFrame({"topic": pd.Categorical(names, categories=names),
                           "area": pd.Categorical(area, categories=["cabin", "cockpit", "maintenance", "systems"]),
                           "cost_to_fix": fix_cost})

    clv = level_clv(margin, RENEWAL, costs, k["discount_rate"])
    best = clv.to_numpy().argmax(axis=1)
    truth_airlines = clv.add_prefix("clv_").set_index(pd.Index(ids, name="airline_id"))
    truth_airlines.insert(0, "best_level", pd.Categorical.from_codes(best, categories=LEVELS, ordered=True))
    truth_airlines.insert(1, "best_clv", clv.to_numpy().max(axis=1))
    # expected mean severity after rounding and clipping, by simulation-free quadrature on a fine grid
    grid = np.linspace(-4, 4, 801)
    w = np.exp(-grid ** 2 / 2)
    w /= w.sum()
    exp_sev = np.array([(np.clip(np.round(mu + 0.8 * grid), 1, 5) * w).sum() for mu in sev_mean])
    priority = m * share * exp_sev / fix_cost
    matters = np.zeros(n_t, dtype=bool)
    matters[np.argsort(-priority, kind="stable")[:N_MATTER]] = True
    truth_topics = pd.DataFrame({"share": share, "severity": sev_mean, "expected_severity": exp_sev,
                                 "cost_to_fix": fix_cost, "priority": priority, "matters": matters},
                                index=pd.Index(names, name="topic"))
    equity = float(truth_airlines["best_clv"].sum())
    truth = {
        "renewal": dict(RENEWAL),
        "costs": costs,
        "discount_rate": k["discount_rate"],
        "customer_equity": equity,
        "largest_customer_share": float(truth_airlines["best_clv"].max() / equity) if equity > 0 else float("nan"),
        "best_level_counts": {lv: int((best == i).sum()) for i, lv in enumerate(LEVELS)},
        "topics_that_matter": [names[i] for i in np.argsort(-priority, kind="stable")[:N_MATTER]],
        "airlines": truth_airlines,
        "topics": truth_topics,
    }
    return {"airlines": airlines, "relationship_history": history, "suggestions": suggestions,
            "design_topics": topics}, truth
