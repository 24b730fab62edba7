"""Rewarding loyalty: the seed's reward rules tested side by side on one restaurant group's diners (synthetic world).

A restaurant group randomly assigns its diners to six arms for a programme year (months 1-12) and then ends
every rule (months 13-18): no reward (control); "ten visits, the eleventh free" (the hotel's "stay ten nights,
get one free" moved to a restaurant); a frequency discount that grows with the visits of the year; a volume
discount on large bills; the restaurant's year-end profit share (10% of net profit split in proportion to each
diner's total bill); and a welcome discount for new diners only - the kind of rule the source warns against,
because it gives old customers less than new ones. Some diners are reward-driven (incentive loyalty): while
a rule runs they come more often, spend more or defect less; when it ends they come less than before and
defect faster ("false loyalty"). The others behave the same in every arm, so part of every reward is paid on
visits that would have happened anyway.

Sources: CRM article collection (source 3), lines 657-669 (rewarding loyalty with financial benefits: remove
rules that give old customers less than new ones, line 661; reward repeat purchase "even if it is false
loyalty", line 663; volume and frequency discounts, line 665; the hotel's ten-plus-one and the restaurant's
profit share, line 667). Loyalty bought with incentives is 利益忠诚, line 569. All figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.visits import merge_visits, poisson_visits

ARMS = ("control", "ten_plus_one", "frequency", "volume", "profit_share", "welcome")
REWARD_ARMS = ARMS[1:5]        # the four rules that reward repeat custom; "welcome" rewards newcomers only
PROGRAMME_MONTHS = 12          # the rules run in months 1-12
HORIZON = 18                   # months 13-18: every rule has ended
WELCOME_MONTHS = 3             # the welcome discount covers a new diner's first three months
VOUCHER_VALID = 3.0            # a free-meal voucher is valid for three months after it is issued
FREQUENCY_STEPS = (5, 10)      # half the frequency discount from the 5th visit of the year, the full rate from the 10th

# Planted behaviour of reward-driven diners while a rule runs: visit rate x (1 + visit), bill x (1 + bill),
# monthly defection hazard x hazard. Scaled by the knob lift_scale. Other diners ignore the rules.
RULE_EFFECTS = pd.DataFrame({
    "visit": [0.0, 0.40, 0.30, 0.05, 0.25, 0.40],
    "bill": [0.0, 0.0, 0.0, 0.30, 0.05, 0.0],
    "hazard": [1.0, 0.50, 0.55, 0.85, 0.60, 0.80],
}, index=pd.Index(ARMS, name="arm"))
BASE_HAZARD = {"existing": 0.02, "new": 0.06}   # monthly defection hazard without any rule
AFTER_HAZARD = 1.5             # reward-driven diners of a reward arm defect 1.5x as fast once the rule ends
RESENTMENT = 1.3               # existing diners of the welcome arm defect 1.3x as fast while newcomers get the deal
BASE_RATE_SHAPE = 2.0          # Gamma shape of the diners' baseline visit rates (heterogeneity)
BILL_SIGMA = 0.25              # log-sd of the diners' mean bills
BILL_SHAPE = 4.0               # Gamma shape of one bill around the diner's mean

SNAPSHOT_KNOBS = {"n_customers": 900}
KNOBS = [
    Knob("n_customers", 12000, int, "number of diners, split evenly at random over the six arms", low=60,
         high=2_000_000, doc_zh="食客人数，随机平均分到六个实验组"),
    Knob("incentive_share", 0.35, float, "share of diners who are reward-driven (incentive loyalty)", low=0.0,
         high=1.0, doc_zh="受奖励驱动的食客（利益忠诚）所占比例"),
    Knob("lift_scale", 1.0, float, "multiplies every planted response of reward-driven diners to a running rule "
         "(0 = rewards change nothing)", low=0.0, high=2.0,
         doc_zh="放大或缩小受奖励驱动的食客对规则的全部预设反应（0 = 奖励不改变任何行为）"),
    Knob("after_stop", 0.7, float, "visit rate of reward-driven diners after their rule ends, relative to their "
         "baseline (below 1: they follow rewards elsewhere)", low=0.0, high=1.5,
         doc_zh="规则结束后受奖励驱动的食客的光顾率相对其基准的倍数（小于1：他们追随别家的奖励而去）"),
    Knob("new_share", 0.3, float, "share of diners who are new this year (the others are existing customers)",
         low=0.05, high=0.95, doc_zh="今年新来的食客所占比例（其余为老客户）"),
    Knob("base_visits", 1.0, float, "mean visits per diner per month without rewards", low=0.1, high=10.0,
         unit="visits/month", doc_zh="没有奖励时每位食客每月的平均光顾次数"),
    Knob("mean_bill", 150.0, float, "mean bill of one visit", low=10.0, high=5000.0, unit="yuan",
         doc_zh="每次光顾的平均账单金额"),
    Knob("every", 10, int, "ten-plus-one rule: paid visits that earn one free meal", low=2, high=50,
         doc_zh="“满十送一”规则：每满多少次付费光顾赠送一顿免费餐"),
    Knob("redemption_rate", 0.75, float, "probability that a free-meal voucher is used (if the diner is still "
         "coming) within its three months", low=0.0, high=1.0,
         doc_zh="免费餐券在三个月有效期内被使用的概率（前提是食客还在光顾）"),
    Knob("frequency_discount", 0.10, float, "frequency rule: discount from the 10th visit of the year (half of it "
         "from the 5th)", low=0.0, high=0.5, doc_zh="频率折扣规则：当年第10次光顾起的折扣（第5次起享受一半）"),
    Knob("volume_threshold", 300.0, float, "volume rule: smallest bill that earns the volume discount", low=0.0,
         high=100_000.0, unit="yuan", doc_zh="数量折扣规则：享受数量折扣的最低账单金额"),
    Knob("volume_discount", 0.10, float, "volume rule: discount on a bill at or above the threshold", low=0.0,
         high=0.5, doc_zh="数量折扣规则：达到门槛的账单享受的折扣"),
    Knob("profit_share", 0.10, float, "profit-share rule: share of the year's net profit paid back to the diners",
         low=0.0, high=1.0, doc_zh="利润共享规则：年终返还给食客的纯利润比例"),
    Knob("margin", 0.6, float, "contribution margin: share of what diners pay left after food and service costs "
         "(what an extra visit earns)", low=0.0, high=1.0,
         doc_zh="边际贡献率：食客实付金额扣除食材和服务成本后剩下的比例（多一次光顾能赚多少）"),
    Knob("net_margin", 0.12, float, "net profit as a share of what diners pay", low=0.0, high=0.5,
         doc_zh="纯利润占食客实付金额的比例"),
    Knob("welcome_discount", 0.20, float, "welcome rule: discount for new diners in their first three months",
         low=0.0, high=0.5, doc_zh="迎新规则：新食客前三个月享受的折扣"),
]

C = Column
TABLES = [
    Table("diners", "One row per diner: the arm the diner was randomly assigned to, whether the diner is new "
          "this year, and the profit-share bonus paid at the end of month 12.", (
              C("customer_id", "int64", "diner id", doc_zh="食客编号"),
              C("arm", "category", "reward rule the diner was randomly assigned to for months 1-12: control, "
                "ten_plus_one, frequency, volume, profit_share or welcome",
                doc_zh="第1-12个月随机分配到的奖励规则：control（对照）、ten_plus_one（满十送一）、frequency"
                       "（频率折扣）、volume（数量折扣）、profit_share（利润共享）或 welcome（迎新折扣）"),
              C("tenure", "category", "new (first visit this year) or existing customer",
                doc_zh="new（今年第一次来）或 existing（老客户）"),
              C("year_end_payout", "float64", "profit-share bonus paid at the end of month 12 (0 outside that arm)",
                "yuan", doc_zh="第12个月末发放的利润共享奖金（其他组为0）"),
          ), doc_zh="每位食客一行：随机分到的实验组、是否今年新来的客户，以及第12个月末发放的利润共享奖金。"),
    Table("visits", "One row per visit in months 1-18: the bill at menu prices, the reward given at the till "
          "(a discount, or the whole bill for a free meal) and what the diner paid.", (
              C("customer_id", "int64", "diner id", doc_zh="食客编号"),
              C("month", "int64", "month of the visit (1-12: rules running; 13-18: every rule has ended)",
                doc_zh="光顾所在月份（1-12：规则实行中；13-18：所有规则已结束）"),
              C("bill", "float64", "bill at menu prices", "yuan", doc_zh="按菜单价计的账单金额"),
              C("discount", "float64", "reward given at the till on this visit (a free meal: the whole bill)",
                "yuan", doc_zh="本次光顾在结账时给的奖励（免费餐：整张账单）"),
              C("paid", "float64", "what the diner paid: bill - discount", "yuan",
                doc_zh="食客实付金额：bill - discount"),
              C("free_meal", "bool", "the visit redeemed a free-meal voucher", doc_zh="本次光顾是否使用了免费餐券"),
          ), doc_zh="第1-18个月每次光顾一行：按菜单价计的账单、结账时给的奖励（折扣，或免费餐的整张账单）以及"
                    "食客实付金额。"),
    Table("vouchers", "One row per free-meal voucher of the ten-plus-one rule.", (
              C("voucher_id", "int64", "voucher id", doc_zh="餐券编号"),
              C("customer_id", "int64", "diner id", doc_zh="食客编号"),
              C("month_issued", "int64", "month the voucher was earned", doc_zh="获得餐券的月份"),
              C("value", "float64", "face value: the mean bill of the paid visits that earned it", "yuan",
                doc_zh="面值：赚得这张餐券的那几次付费光顾的平均账单"),
              C("redeemed", "bool", "the voucher was used within its three months", doc_zh="餐券是否在三个月有效期内被使用"),
          ), doc_zh="“满十送一”规则发出的每张免费餐券一行。"),
]

DESCRIPTION = """
Diners are split at random into six arms of (almost) equal size (`truth['rule_effects']` lists the arms).
Each diner has a baseline visit rate ~ Gamma(shape 2) with mean `base_visits` per month, a mean bill
~ LogNormal (log-sd 0.25) with mean `mean_bill`, and each bill ~ Gamma(shape 4) around it. Diners defect
(stop coming for good) with a monthly hazard of 2% (existing) or 6% (new). A share `incentive_share` of
diners is reward-driven; only they respond to a rule. While their arm's rule runs (months 1-12; for the
welcome arm, a new diner's first three months) a reward-driven diner's visit rate is multiplied by
1 + visit, the bill by 1 + bill and the hazard by the planted hazard factor of the arm (ten_plus_one:
+40% visits, hazard x0.5; frequency: +30%, x0.55; volume: +5% visits, +30% bill, x0.85; profit_share: +25%,
+5% bill, x0.6; welcome (new diners only): +40%, x0.8), all scaled by `lift_scale`. When the rule ends
(month 13; month 4 for the welcome arm's new diners) reward-driven diners visit at `after_stop` times their
baseline and defect 1.5x as fast: the loyalty was bought (false loyalty, 虚假忠诚). Existing diners of the
welcome arm, who see newcomers get a deal they do not, defect 1.3x as fast during months 1-12. Visits are
Poisson processes cut at the defection time; `truth['diners']` holds each diner's type, baseline rate,
mean bill and defection month.

Rules (months 1-12): ten_plus_one - every `every` paid visits earn a voucher worth the mean of those bills,
used with probability `redemption_rate` on an extra visit within three months if the diner is still
coming (the unused value is breakage); frequency - half of `frequency_discount` off from the 5th paid visit
of the year, the full rate from the 10th; volume - `volume_discount` off any bill of at least
`volume_threshold`; profit_share - at the end of month 12, `profit_share` x `net_margin` x the arm's paid
total is shared in proportion to each diner's paid total (the restaurant's rule, CRM article collection
(source 3), line 667); welcome - `welcome_discount` off for new diners in months 1-3. Rewards are costed at
face value. `truth['arm_truth']` gives, per arm, the expected paid visits per diner in months 1-12 and
13-18 and the probability of a visit in months 10-12, computed from the planted rates for these very diners
under their own arm and under control (the true effect of each rule on them).
"""

DESCRIPTION_ZH = """
食客被随机分成规模（几乎）相等的六个实验组（组名见 `truth['rule_effects']`）。每位食客的基准光顾率服从均值为
`base_visits`（次/月）的 Gamma 分布（形状参数2），平均账单服从均值为 `mean_bill` 的对数正态分布（对数标准差
0.25），每张账单再围绕它服从 Gamma 分布（形状参数4）。食客以每月2%（老客户）或6%（新客户）的风险率流失（从此不再
光顾）。比例为 `incentive_share` 的食客受奖励驱动，只有他们会对规则作出反应。在所属组的规则实行期间（第1-12个月；
迎新组为新食客的前三个月），受奖励驱动的食客的光顾率乘以 1 + visit，账单乘以 1 + bill，流失风险率乘以该组预设的
风险系数（ten_plus_one：光顾 +40%，风险 x0.5；frequency：+30%，x0.55；volume：光顾 +5%，账单 +30%，x0.85；
profit_share：+25%，账单 +5%，x0.6；welcome（仅新食客）：+40%，x0.8），全部再乘以 `lift_scale`。规则结束后
（第13个月；迎新组的新食客为第4个月），受奖励驱动的食客的光顾率变为其基准的 `after_stop` 倍，流失速度变为原来的
1.5倍：这份忠诚是买来的（虚假忠诚）。迎新组的老客户眼看新客户享受自己享受不到的优惠，在第1-12个月流失速度是原来的
1.3倍。光顾是截止于流失时刻的泊松过程；`truth['diners']` 逐个给出食客的类型、基准光顾率、平均账单和流失月份。

规则（第1-12个月）：ten_plus_one——每满 `every` 次付费光顾得一张餐券，面值为这几次账单的均值；食客若仍在光顾，
以 `redemption_rate` 的概率在三个月内多来一次用掉它（没用掉的面值即沉淀）；frequency——当年第5次付费光顾起打
`frequency_discount` 的一半，第10次起打全额；volume——账单不低于 `volume_threshold` 时打 `volume_discount`
的折扣；profit_share——第12个月末把 `profit_share` x `net_margin` x 该组实付总额按每位食客实付总额的比例分给
食客（即原文那家餐厅的做法，《客户关系管理文章选编》（资料3）第667行）；welcome——新食客第1-3个月打
`welcome_discount` 的折扣。奖励一律按面值计成本。`truth['arm_truth']` 按组给出每位食客在第1-12个月和第13-18个月
的期望付费光顾次数，以及在第10-12个月至少光顾一次的概率；这些值由预设的光顾率和风险率算出，分别按这些食客所在组和
按对照组计算（即每条规则对他们的真实效应）。
"""


def _defection(rng, hazards, bounds):
    """Defection times under a piecewise-constant hazard: ``hazards`` (n, P) per phase, ``bounds`` the P + 1 phase
    boundaries; inf for diners who outlast the last phase."""
    need = rng.exponential(1.0, hazards.shape[0])
    out = np.full(hazards.shape[0], np.inf)
    used = np.zeros(hazards.shape[0])
    for p in range(hazards.shape[1]):                    # loop over phases, vectorised over diners
        width = bounds[p + 1] - bounds[p]
        h = hazards[:, p]
        here = np.isinf(out) & (used + h * width >= need)
        out[here] = bounds[p] + (need[here] - used[here]) / h[here]
        used = used + h * width
    return out


def _phase_expectations(rates, hazards, bounds):
    """Expected visits per phase and survival at each boundary for piecewise-constant rates and hazards."""
    n, P = rates.shape
    surv = np.ones(n)
    visits = np.zeros((n, P))
    survival = [surv]
    for p in range(P):
        w = bounds[p + 1] - bounds[p]
        h = hazards[:, p]
        visits[:, p] = rates[:, p] * surv * (1 - np.exp(-h * w)) / h
        surv = surv * np.exp(-h * w)
        survival.append(surv)
    return visits, np.column_stack(survival)


def _p_visit_window(rate, hazard, surv_start, width):
    """P(at least one visit in a window of ``width`` months) for diners alive at its start with prob ``surv_start``,
    constant ``rate`` and ``hazard`` inside it."""
    h, lam = hazard, rate
    p_defect_in = (1 - np.exp(-h * width)) - h / (h + lam) * (1 - np.exp(-(h + lam) * width))
    p_survive = np.exp(-h * width) * (1 - np.exp(-lam * width))
    return surv_start * (p_defect_in + p_survive)


# Phases of the year: [0, 3) welcome window, [3, 9), [9, 12) the last quarter of the programme, [12, 18) ended.
BOUNDS = np.array([0.0, 3.0, 9.0, 12.0, 18.0])


def _rates_and_hazards(arm_idx, new, driven, base_rate, k, *, counterfactual_control=False):
    """Visit rate, bill factor and hazard per diner and phase (months as time unit)."""
    n = arm_idx.size
    arm = np.zeros(n, dtype=np.int64) if counterfactual_control else arm_idx
    eff = RULE_EFFECTS.to_numpy()[arm]                               # visit, bill, hazard per diner
    s = k["lift_scale"]
    visit = 1 + s * eff[:, 0]
    bill = 1 + s * eff[:, 1]
    hz = np.clip(1 - s * (1 - eff[:, 2]), 0.05, None)
    h0 = np.where(new, BASE_HAZARD["new"], BASE_HAZARD["existing"])
    welcome = arm == ARMS.index("welcome")
    reward = (arm >= 1) & (arm <= 4)
    rates = np.repeat(base_rate[:, None], 4, axis=1)
    hazards = np.repeat(h0[:, None], 4, axis=1)
    bills = np.ones((n, 4))
    on = driven & reward                                             # reward-driven diners of a reward arm
    rates[on, :3] *= visit[on, None]
    bills[on, :3] = bill[on, None]
    hazards[on, :3] *= hz[on, None]
    rates[on, 3] = base_rate[on] * k["after_stop"]
    hazards[on, 3] *= AFTER_HAZARD
    wn = driven & welcome & new                                      # reward-driven newcomers of the welcome arm
    rates[wn, 0] *= visit[wn]
    hazards[wn, 0] *= hz[wn]
    rates[wn, 1:] = base_rate[wn, None] * k["after_stop"]
    hazards[wn, 1:] *= AFTER_HAZARD
    old_welcome = welcome & ~new
    hazards[old_welcome, :3] *= RESENTMENT
    return rates, bills, hazards


@register("rewards", title="Rewarding loyalty: reward rules tested side by side",
          title_zh="奖励忠诚：几种奖励规则的并排对照实验", description=DESCRIPTION, description_zh=DESCRIPTION_ZH,
          knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    arm_idx = rng.permutation(np.arange(n) % len(ARMS))
    new = rng.random(n) < k["new_share"]
    driven = rng.random(n) < k["incentive_share"]
    base_rate = rng.gamma(BASE_RATE_SHAPE, k["base_visits"] / BASE_RATE_SHAPE, n)
    mean_bill = k["mean_bill"] * np.exp(BILL_SIGMA * rng.standard_normal(n) - BILL_SIGMA ** 2 / 2)

    rates, bill_factor, hazards = _rates_and_hazards(arm_idx, new, driven, base_rate, k)
    defect = _defection(rng, hazards, BOUNDS)
    logs = [poisson_visits(rng, rates[:, p], [(BOUNDS[p], BOUNDS[p + 1])]) for p in range(len(BOUNDS) - 1)]
    who, when = merge_visits(*logs)
    keep = when < defect[who]
    who, when = who[keep], when[keep]
    phase = np.searchsorted(BOUNDS, when, side="right") - 1
    bill = rng.gamma(BILL_SHAPE, mean_bill[who] * bill_factor[who, phase] / BILL_SHAPE)
    month = np.floor(when).astype(np.int64) + 1
    arm_v = arm_idx[who]
    running = month <= PROGRAMME_MONTHS
    discount = np.zeros(who.size)

    # position of each paid visit within the diner's programme year (visits are sorted by diner, then time)
    order = np.zeros(who.size, dtype=np.int64)
    idx = np.flatnonzero(running)
    if idx.size:
        starts = np.r_[True, who[idx][1:] != who[idx][:-1]]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(idx.size), 0))
        order[idx] = np.arange(idx.size) - group_start + 1

    freq = running & (arm_v == ARMS.index("frequency"))
    rate_f = np.where(order >= FREQUENCY_STEPS[1], k["frequency_discount"],
                      np.where(order >= FREQUENCY_STEPS[0], k["frequency_discount"] / 2, 0.0))
    discount[freq] = bill[freq] * rate_f[freq]
    vol = running & (arm_v == ARMS.index("volume")) & (bill >= k["volume_threshold"])
    discount[vol] = bill[vol] * k["volume_discount"]
    wel = (when < WELCOME_MONTHS) & (arm_v == ARMS.index("welcome")) & new[who]
    discount[wel] = bill[wel] * k["welcome_discount"]

    # ten plus one: a voucher at every `every`-th paid visit of the programme year
    ten = running & (arm_v == ARMS.index("ten_plus_one"))
    earn = np.flatnonzero(ten & (order % k["every"] == 0) & (order > 0))
    csum = np.cumsum(np.r_[0.0, bill])
    value = (csum[earn + 1] - csum[earn + 1 - k["every"]]) / k["every"]
    v_who, v_when = who[earn], when[earn]
    intend = rng.random(earn.size) < k["redemption_rate"]
    use_at = v_when + rng.uniform(0.0, VOUCHER_VALID, earn.size)
    redeemed = intend & (use_at < defect[v_who]) & (use_at < HORIZON)
    free_who, free_when, free_value = v_who[redeemed], use_at[redeemed], value[redeemed]

    paid_bill = bill - discount
    visits = pd.DataFrame({
        "customer_id": np.r_[who, free_who].astype(np.int64) + 1,
        "month": np.r_[month, np.floor(free_when).astype(np.int64) + 1],
        "bill": np.r_[bill, free_value],
        "discount": np.r_[discount, free_value],
        "paid": np.r_[paid_bill, np.zeros(free_value.size)],
        "free_meal": np.r_[np.zeros(who.size, dtype=bool), np.ones(free_value.size, dtype=bool)],
        "_t": np.r_[when, free_when],
    }).sort_values(["customer_id", "_t"], kind="stable").drop(columns="_t").reset_index(drop=True)

    # profit share: the arm's net profit on months 1-12, shared by paid totals
    in_ps = arm_idx == ARMS.index("profit_share")
    paid_year = np.bincount(who[running], weights=paid_bill[running], minlength=n)
    payout = np.zeros(n)
    pool = k["profit_share"] * k["net_margin"] * paid_year[in_ps].sum()
    if paid_year[in_ps].sum() > 0:
        payout[in_ps] = pool * paid_year[in_ps] / paid_year[in_ps].sum()

    diners = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "arm": pd.Categorical.from_codes(arm_idx, categories=list(ARMS)),
        "tenure": pd.Categorical(np.where(new, "new", "existing"), categories=["existing", "new"]),
        "year_end_payout": payout,
    })
    vouchers = pd.DataFrame({
        "voucher_id": np.arange(1, earn.size + 1, dtype=np.int64),
        "customer_id": v_who.astype(np.int64) + 1,
        "month_issued": month[earn].astype(np.int64),
        "value": value,
        "redeemed": redeemed.astype(bool),
    })

    # planted truth: expected behaviour of these diners under their own arm and under control
    visits_arm, surv_arm = _phase_expectations(rates, hazards, BOUNDS)
    r0, _, h0 = _rates_and_hazards(arm_idx, new, driven, base_rate, k, counterfactual_control=True)
    visits_ctl, surv_ctl = _phase_expectations(r0, h0, BOUNDS)
    p_q4_arm = _p_visit_window(rates[:, 2], hazards[:, 2], surv_arm[:, 2], 3.0)
    p_q4_ctl = _p_visit_window(r0[:, 2], h0[:, 2], surv_ctl[:, 2], 3.0)
    per = pd.DataFrame({"arm": arm_idx, "during": visits_arm[:, :3].sum(1), "after": visits_arm[:, 3],
                        "during_control": visits_ctl[:, :3].sum(1), "after_control": visits_ctl[:, 3],
                        "active_q4": p_q4_arm, "active_q4_control": p_q4_ctl})
    arm_truth = per.groupby("arm").mean()
    arm_truth.index = pd.Index([ARMS[i] for i in arm_truth.index], name="arm")
    arm_truth["extra_visits_during"] = arm_truth["during"] - arm_truth["during_control"]
    arm_truth["relative_after"] = arm_truth["after"] / arm_truth["after_control"] - 1
    arm_truth["extra_active_q4"] = arm_truth["active_q4"] - arm_truth["active_q4_control"]
    idx = pd.Index(diners["customer_id"], name="customer_id")
    truth = {
        "rule_effects": RULE_EFFECTS.assign(hazard_after=[1.0] + [AFTER_HAZARD] * 4 + [AFTER_HAZARD]).to_dict("index"),
        "base_hazard": dict(BASE_HAZARD),
        "after_hazard": AFTER_HAZARD,
        "resentment": RESENTMENT,
        "incentive_share": k["incentive_share"],
        "arm_truth": arm_truth,
        "diners": pd.DataFrame({"reward_driven": driven, "base_rate": base_rate, "mean_bill": mean_bill,
                                "defect_month": defect}, index=idx),
    }
    return {"diners": diners, "visits": visits, "vouchers": vouchers}, truth
