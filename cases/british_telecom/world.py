"""British Telecom: the satisfaction–loyalty curve and its moderators (synthetic world).

Telephone customers answer a satisfaction survey; a year later some have left (churned). Churn depends on
satisfaction through the curve the British Telecom survey describes — steep below a minimum satisfaction
level, flat over a broad middle where satisfied customers still leave, steep again at the top — and on
four moderators the course text lists beside satisfaction: competition, switching cost, rewards and
sensitivity to quality.

Sources: CRM article collection (source 3), line 653 (the British Telecom survey: the least satisfied 15%
actively look for alternatives, a middle band where loyalty is unaffected and satisfied customers still
leave, the most satisfied 15% highly loyal; "only the highest satisfaction achieves the highest loyalty")
and lines 591–601 (besides satisfaction, loyalty depends on the degree of competition, switching costs,
effective rewards for frequent customers and sensitivity to quality). Public record: Jones & Sasser (1995),
"Why Satisfied Customers Defect", Harvard Business Review 73(6) — the flat-then-steep curve and how
competition reshapes it. All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw

# Satisfaction score 0-10: 10 x Beta(A, B), most customers fairly satisfied (mean about 7).
SATISFACTION_BETA = (6.0, 2.5)
# The four moderators: reference value (where the baseline curve is drawn), shift of the churn log-odds per
# unit of the moderator at the centre of the middle band, and change of the log-odds slope per point of
# satisfaction per unit of the moderator. Multiplied by the knob `moderator_strength`.
MODERATORS = {
    "rivals": {"reference": 2.0, "shift": 0.30, "slope": -0.12},
    "bundled_services": {"reference": 2.0, "shift": -0.35, "slope": 0.08},
    "rewards_member": {"reference": 0.0, "shift": -0.45, "slope": 0.0},
    "quality_sensitivity": {"reference": 3.0, "shift": 0.0, "slope": -0.20},
}
QUALITY_PROBS = (0.10, 0.20, 0.35, 0.25, 0.10)   # quality sensitivity 1..5
REWARDS_SHARE = 0.40
BUNDLE_P = 0.35                                   # bundled services = 1 + Binomial(3, BUNDLE_P)

SNAPSHOT_KNOBS = {"n_customers": 1000}
KNOBS = [
    Knob("n_customers", 5000, int, "number of surveyed customers", low=200, high=2_000_000,
         doc_zh="接受满意度调查的客户数"),
    Knob("bottom_share", 0.15, float, "share of customers below the lower threshold of the curve (the least "
         "satisfied, who actively look for alternatives)", low=0.03, high=0.4,
         doc_zh="处于曲线下阈值以下的客户比例（最不满意、会积极寻找替代选择的客户）"),
    Knob("top_share", 0.15, float, "share of customers above the upper threshold of the curve (the most "
         "satisfied, who are highly loyal)", low=0.03, high=0.4,
         doc_zh="处于曲线上阈值以上的客户比例（最满意、忠诚度很高的客户）"),
    Knob("middle_churn", 0.25, float, "churn probability at the centre of the middle band, moderators at their "
         "reference values", low=0.01, high=0.8, doc_zh="中间区间中心处的流失概率（各调节因素取参照值时）"),
    Knob("bottom_slope", 1.2, float, "fall in the log-odds of churn per point of satisfaction below the lower "
         "threshold", low=0.0, high=5.0, unit="log-odds per point",
         doc_zh="下阈值以下，满意度每提高1分流失对数几率（log-odds）的下降量"),
    Knob("middle_slope", 0.1, float, "fall in the log-odds of churn per point of satisfaction in the middle band",
         low=-1.0, high=5.0, unit="log-odds per point",
         doc_zh="中间区间内，满意度每提高1分流失对数几率的下降量"),
    Knob("top_slope", 1.8, float, "fall in the log-odds of churn per point of satisfaction above the upper "
         "threshold", low=0.0, high=5.0, unit="log-odds per point",
         doc_zh="上阈值以上，满意度每提高1分流失对数几率的下降量"),
    Knob("competition", 2.0, float, "average number of rival providers a customer can switch to (0 = monopoly, "
         "4 = every rival present)", low=0.5, high=3.5, doc_zh="客户可转向的竞争对手的平均数量（0为垄断，4为所有对手都在）"),
    Knob("moderator_strength", 1.0, float, "multiplier of the four moderators' effects (0 = satisfaction alone "
         "drives churn)", low=0.0, high=3.0, doc_zh="四个调节因素效应的倍数（0表示只有满意度影响流失）"),
]

C = Column
TABLES = [
    Table("customers", "One row per surveyed residential telephone customer: the satisfaction score from the "
          "survey, the customer's situation and whether the customer left in the following twelve months.", (
              C("customer_id", "int64", "customer id", doc_zh="客户编号"),
              C("satisfaction", "float64", "overall satisfaction score from the survey (0 = very dissatisfied, "
                                           "10 = completely satisfied)", "points 0-10",
                doc_zh="调查得出的总体满意度得分（0为非常不满意，10为完全满意）"),
              C("rivals", "int64", "rival providers available at the customer's address (0-4)",
                doc_zh="客户所在地址可选的竞争对手数量（0–4）"),
              C("bundled_services", "int64", "services bought together (line, broadband, TV, mobile; 1-4): a "
                                             "switching cost", doc_zh="捆绑购买的业务数（固话、宽带、电视、手机；1–4）：一种转换成本"),
              C("rewards_member", "bool", "member of the loyalty rewards scheme", doc_zh="是否为忠诚奖励计划会员"),
              C("quality_sensitivity", "int64", "how much call quality and reliability matter to the customer "
                                                "(survey item, 1 = little, 5 = a great deal)",
                doc_zh="通话质量和可靠性对该客户有多重要（调查题项，1为不太重要，5为非常重要）"),
              C("monthly_bill", "float64", "average monthly bill", "GBP", doc_zh="月均账单"),
              C("churned", "bool", "left for another provider within twelve months of the survey",
                doc_zh="调查后十二个月内是否转投其他运营商（客户流失）"),
          ), doc_zh="每位接受调查的住宅电话客户一行：调查所得的满意度得分、客户的处境，以及此后十二个月内是否流失。"),
]

DESCRIPTION = """
Satisfaction s (0-10) is 10 x Beta(6, 2.5), rounded to two decimals. The two thresholds of the curve are the
population quantiles of that distribution at `bottom_share` and 1 - `top_share` (15% each by default, the
figures of the British Telecom survey: CRM article collection (source 3), line 653); `truth['thresholds']`.

Churn within twelve months is logistic. With k1 < k2 the thresholds and kc = (k1 + k2) / 2 the centre of the
middle band, the log-odds at the moderators' reference values are
logit(middle_churn) - middle_slope (s - kc) + (bottom_slope - middle_slope) max(k1 - s, 0)
- (top_slope - middle_slope) max(s - k2, 0): churn falls steeply below k1, barely in the middle (where a
quarter of satisfied customers still leave by default) and steeply again above k2.

Moderators (CRM article collection (source 3), lines 591–601), drawn independently of satisfaction: rivals ~
Binomial(4, competition / 4); bundled services = 1 + Binomial(3, 0.35); rewards member with probability 0.4;
quality sensitivity 1-5 with probabilities 10/20/35/25/10%. Each adds shift x (m - reference) + slope x
(m - reference) x (s - kc) to the log-odds, times `moderator_strength` (`truth['moderators']`): more rivals
raise churn and make satisfaction matter more (steeper); bundles lower churn and flatten the curve (locked-in
customers stay even when dissatisfied); rewards lower churn at every satisfaction level; quality-sensitive
customers' churn reacts more steeply to satisfaction. Monthly bill ~ LogNormal around 45 GBP, unrelated to
churn. `truth['customers']` holds each customer's churn probability; `truth['retention_gain_per_point']`
the planted fall in churn probability from one more point of satisfaction (capped at 10), averaged over each band.
"""

DESCRIPTION_ZH = """
满意度 s（0–10分）服从 10 x Beta(6, 2.5)，保留两位小数。曲线的两个阈值取该分布在 `bottom_share` 和
1 - `top_share` 处的总体分位数（默认各为15%，即英国电信调查给出的数字：《客户关系管理文章选编》（资料3）第653行）；
见 `truth['thresholds']`。

十二个月内是否流失服从逻辑回归模型。记 k1 < k2 为两个阈值、kc = (k1 + k2) / 2 为中间区间的中心，各调节因素取参照值时，
流失的对数几率为 logit(middle_churn) - middle_slope (s - kc) + (bottom_slope - middle_slope) max(k1 - s, 0)
- (top_slope - middle_slope) max(s - k2, 0)：在 k1 以下流失率随满意度上升而陡降，中间区间几乎不变（默认约四分之一的
满意客户仍会流失），到 k2 以上再次陡降。

调节因素（《客户关系管理文章选编》（资料3）第591–601行）与满意度相互独立：竞争对手数 rivals ~ Binomial(4, competition / 4)；
捆绑业务数 = 1 + Binomial(3, 0.35)；以0.4的概率是奖励计划会员；质量敏感度取1–5，概率分别为10/20/35/25/10%。
每个调节因素 m 给对数几率加上 shift x (m - 参照值) + slope x (m - 参照值) x (s - kc)，再乘以 `moderator_strength`
（见 `truth['moderators']`）：竞争对手越多，流失越多，满意度的作用也越大（曲线更陡）；捆绑业务降低流失并使曲线变平
（被锁定的客户即使不满意也留下）；奖励计划在各个满意度水平上都降低流失；对质量敏感的客户，流失对满意度的反应更陡。
月均账单服从以45英镑左右为中心的对数正态分布，与流失无关。`truth['customers']` 给出每位客户的流失概率；
`truth['retention_gain_per_point']` 给出各区间内满意度提高1分（最高到10分）所带来的流失概率下降（预设值，区间内平均）。
"""


def _thresholds(bottom_share: float, top_share: float) -> tuple[float, float]:
    a, b = SATISFACTION_BETA
    return float(10 * stats.beta.ppf(bottom_share, a, b)), float(10 * stats.beta.ppf(1 - top_share, a, b))


def churn_log_odds(s, mods: dict, k: dict, thresholds: tuple[float, float]) -> np.ndarray:
    """The planted log-odds of churn at satisfaction ``s`` for moderator values ``mods`` (arrays or scalars)."""
    s = np.asarray(s, dtype=float)
    k1, k2 = thresholds
    kc = (k1 + k2) / 2
    mid = np.log(k["middle_churn"] / (1 - k["middle_churn"]))
    eta = (mid - k["middle_slope"] * (s - kc) + (k["bottom_slope"] - k["middle_slope"]) * np.maximum(k1 - s, 0.0)
           - (k["top_slope"] - k["middle_slope"]) * np.maximum(s - k2, 0.0))
    for name, m in MODERATORS.items():
        dm = np.asarray(mods[name], dtype=float) - m["reference"]
        eta = eta + k["moderator_strength"] * (m["shift"] * dm + m["slope"] * dm * (s - kc))
    return eta


@register("british_telecom", title="British Telecom: the satisfaction-loyalty curve and its moderators",
          description=DESCRIPTION, knobs=KNOBS, tables=TABLES, version="1",
          title_zh="英国电信：满意度—忠诚度曲线及其调节因素", description_zh=DESCRIPTION_ZH)
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    if k["bottom_share"] + k["top_share"] > 0.8:
        raise ValueError("knobs 'bottom_share' + 'top_share' of world 'british_telecom' must leave at least 20% "
                         f"of customers in the middle band, got {k['bottom_share'] + k['top_share']:.2f}")
    a, b = SATISFACTION_BETA
    satisfaction = np.round(10 * rng.beta(a, b, n), 2)
    rivals = rng.binomial(4, k["competition"] / 4, n).astype(np.int64)
    bundled = (1 + rng.binomial(3, BUNDLE_P, n)).astype(np.int64)
    rewards = rng.random(n) < REWARDS_SHARE
    quality = (1 + rng.choice(len(QUALITY_PROBS), size=n, p=np.asarray(QUALITY_PROBS))).astype(np.int64)
    bill = np.round(45.0 * np.exp(0.35 * rng.standard_normal(n)), 2)
    thresholds = _thresholds(k["bottom_share"], k["top_share"])
    mods = {"rivals": rivals, "bundled_services": bundled, "rewards_member": rewards.astype(float),
            "quality_sensitivity": quality}
    eta = churn_log_odds(satisfaction, mods, k, thresholds)
    p_churn, churned = logit_draw(rng, eta)

    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "satisfaction": satisfaction,
        "rivals": rivals,
        "bundled_services": bundled,
        "rewards_member": rewards.astype(bool),
        "quality_sensitivity": quality,
        "monthly_bill": bill,
        "churned": np.asarray(churned, dtype=bool),
    })
    # planted fall in churn probability from one more point of satisfaction, averaged over each BT band
    p_up = 1 / (1 + np.exp(-churn_log_odds(np.minimum(satisfaction + 1, 10.0), mods, k, thresholds)))
    gain = p_churn - p_up
    k1, k2 = thresholds
    band = np.where(satisfaction <= k1, "bottom", np.where(satisfaction > k2, "top", "middle"))
    idx = pd.Index(customers["customer_id"], name="customer_id")
    truth = {
        "thresholds": [k1, k2],
        "threshold_shares": {"bottom": k["bottom_share"], "top": k["top_share"]},
        "segment_slopes": {"bottom": -k["bottom_slope"], "middle": -k["middle_slope"], "top": -k["top_slope"]},
        "middle_churn": k["middle_churn"],
        "moderators": {name: {"reference": m["reference"], "shift": k["moderator_strength"] * m["shift"],
                              "slope": k["moderator_strength"] * m["slope"]} for name, m in MODERATORS.items()},
        "retention_gain_per_point": {b_: float(gain[band == b_].mean()) if (band == b_).any() else float("nan")
                                     for b_ in ("bottom", "middle", "top")},
        "customers": pd.DataFrame({"p_churn": p_churn, "band": band}, index=idx),
    }
    return {"customers": customers}, truth
