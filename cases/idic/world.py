"""IDIC: identify, differentiate, interact, customise on a firm's customer base (synthetic world).

An industrial-supplies distributor's customer file (several CRM records per real customer, some of them
stale), its order log from January of last year to the end of June this year, and a survey of a sample of
customers giving their total yearly spend on the category from all suppliers. Planted truth: who is who
(the tax id that links duplicate records), each customer's true wallet and share of wallet, how many product
lines it buys anywhere, and who has decided to move business to a rival this year (intent to leave).

Sources: CRM Q&A compilation (source 0), lines 254–267 (section ㈨): the four steps and their checklists.
All names and figures are synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.outcomes import logit_draw
from crmlab.worlds.mech.population import draw_segments

LAST_YEAR, THIS_YEAR = 2025, 2026
START = np.datetime64("2025-01-01", "D")
MID_LAST = np.datetime64("2025-07-01", "D")      # last year's first half ends the day before
END_LAST = np.datetime64("2026-01-01", "D")
AS_OF = np.datetime64("2026-07-01", "D")         # the data end on 30 June this year
STALE_BEFORE = np.datetime64("2024-07-01", "D")  # a record not verified for two years is stale
LINES = ("fasteners", "bearings", "tools", "abrasives", "adhesives", "safety", "electrical", "hydraulics",
         "pneumatics", "packaging")
CITIES = ("Shanghai", "Suzhou", "Wuxi", "Hangzhou", "Ningbo", "Nanjing")
PREFIXES = ("Hengda", "Xinhua", "Dongfang", "Huaxing", "Jinqiao", "Tianyuan", "Zhongxin", "Hongli", "Yongsheng",
            "Changjiang", "Baoli", "Haitian", "Ruifeng", "Sanhe", "Minghua", "Fuda", "Kaixuan", "Longteng")
TRADES = ("Machinery", "Auto Parts", "Electronics", "Plastics", "Metalwork", "Textiles", "Pumps", "Valves")
SUFFIXES = (" Co., Ltd.", " Co. Ltd", " Ltd", "", " CO., LTD.")

# Segments of the customer base: size, yearly category spend from all suppliers (the wallet, CNY), our share of
# it, and the number of product lines (of ten) the customer buys from anyone.
SEGMENTS = [
    {"name": "core", "share": 0.35,
     "wallet": {"dist": "lognormal", "mean": 300_000, "sd": 450_000},
     "sow": {"dist": "uniform", "low": 0.55, "high": 0.90},
     "lines_total": {"dist": "poisson", "mean": 3.5}},
    {"name": "split", "share": 0.40,
     "wallet": {"dist": "lognormal", "mean": 500_000, "sd": 900_000},
     "sow": {"dist": "uniform", "low": 0.08, "high": 0.35},
     "lines_total": {"dist": "poisson", "mean": 5.5}},
    {"name": "occasional", "share": 0.25,
     "wallet": {"dist": "lognormal", "mean": 120_000, "sd": 150_000},
     "sow": {"dist": "uniform", "low": 0.05, "high": 0.30},
     "lines_total": {"dist": "poisson", "mean": 2.5}},
]
# Intent to leave: relative risk by segment (a low share of wallet makes leaving easy), rescaled to the knob.
LEAVE_RISK = {"core": 0.5, "split": 1.5, "occasional": 1.0}

SNAPSHOT_KNOBS = {"n_customers": 150}
KNOBS = [
    Knob("n_customers", 800, int, "number of real customers (before duplicate records)", low=30, high=200_000,
         doc_zh="真实客户数（不计重复记录）"),
    Knob("duplicate_rate", 0.4, float, "mean number of extra CRM records per customer (more for big customers)",
         low=0.0, high=3.0, doc_zh="每个客户平均多出的CRM重复记录数（大客户更多）"),
    Knob("stale_share", 0.25, float, "share of records not verified in the last two years", low=0.0, high=1.0,
         doc_zh="近两年未核实过的记录所占比例"),
    Knob("leave_rate", 0.10, float, "share of customers who decide to move their business to a rival this year",
         low=0.0, high=0.6, doc_zh="今年决定把业务转给竞争对手的客户比例"),
    Knob("leaver_ordering", 0.3, float, "a leaver's order rate this year as a share of its usual rate",
         low=0.0, high=1.0, doc_zh="决定离开的客户今年的订货频率相当于其平常水平的比例"),
    Knob("survey_share", 0.4, float, "share of customers who answered the wallet survey", low=0.05, high=1.0,
         doc_zh="回答了钱包份额调查的客户比例"),
    Knob("survey_noise", 0.2, float, "spread of the stated category spend around the true wallet (log scale)",
         low=0.0, high=1.0, doc_zh="调查中自报的品类总支出相对真实钱包的离散程度（对数尺度）"),
]

C = Column
TABLES = [
    Table("records", "The CRM customer file: one row per record. A real customer may have several records "
          "(entered by different sales reps or branches, with the company name typed differently); the tax id "
          "is the same on all of them.", (
              C("record_id", "int64", "CRM record number", doc_zh="CRM记录编号"),
              C("tax_id", "string", "unified social credit code of the company (one per real customer)",
                doc_zh="企业的统一社会信用代码（每个真实客户一个）"),
              C("name", "string", "company name as typed", doc_zh="录入的公司名称"),
              C("city", "category", "city of the address on the record", doc_zh="记录上地址所在城市"),
              C("last_verified", "datetime64[ns]", "date the record's contact details were last checked",
                doc_zh="记录的联系信息最近一次核实的日期"),
          ), doc_zh="CRM客户档案：每条记录一行。一个真实客户可能有多条记录（由不同销售代表或分支机构录入，"
                    "公司名称写法不一），但各条记录上的税号相同。"),
    Table("orders", "The order log from 1 January last year to 30 June this year: one row per order line, "
          "booked under the record the sales rep used.", (
              C("order_id", "int64", "order number", doc_zh="订单编号"),
              C("record_id", "int64", "CRM record the order was booked under", doc_zh="订单所挂的CRM记录编号"),
              C("date", "datetime64[ns]", "order date", doc_zh="订货日期"),
              C("product_line", "category", "product line (one of ten)", doc_zh="产品线（共十条）"),
              C("amount", "float64", "order value", "CNY", doc_zh="订单金额"),
          ), doc_zh="从去年1月1日到今年6月30日的订单记录：每个订单行一行，挂在销售代表所用的那条客户记录下。"),
    Table("survey", "Wallet survey of a random sample of customers (early this year, about last year).", (
              C("tax_id", "string", "unified social credit code of the respondent", doc_zh="受访企业的统一社会信用代码"),
              C("category_spend", "float64", "stated spend last year on industrial supplies from all suppliers",
                "CNY", doc_zh="自报的去年从所有供应商处采购工业用品的总支出"),
              C("lines_bought", "int64", "number of the ten product lines the customer buys from any supplier",
                doc_zh="该客户从任何供应商处购买的产品线数目（共十条）"),
          ), doc_zh="对随机抽取的一部分客户所做的钱包份额调查（今年年初进行，问的是去年的情况）。"),
]

DESCRIPTION = """
The seed's four steps (CRM Q&A compilation (source 0), lines 254–267, section ㈨): identify (enter, verify
and update customer records, delete stale ones; line 258), differentiate (gold customers, "is last year's
largest customer still ordering a lot this year?", "do some customers buy only one or two products from you
but many elsewhere?", A/B/C by value; lines 260–261), interact (line 263) and customise ("ask your top ten
customers what special products or services you could offer them"; line 266). Everything else is synthetic.

Customers come from three segments (`truth['segments']`): core (35%; wallet log-normal, mean 300k CNY; share
of wallet U(0.55, 0.90); product lines bought anywhere Poisson(3.5)), split (40%; mean 500k; U(0.08, 0.35);
Poisson(5.5)) and occasional (25%; mean 120k; U(0.05, 0.30); Poisson(2.5)); lines are clipped to 1..10. Our
yearly spend = wallet x share of wallet. The lines bought from us are Binomial(lines anywhere, share of
wallet), at least one, a random subset of the customer's lines.

Records: 1 + Poisson(duplicate_rate x (0.5 + 0.5 x spend / median spend)) per customer, at most 6, each with
the name typed in one of five ways (different customers can share a name). A record's last verification is
uniform over 2018–2024 for a `stale_share` of records, over mid-2024 to mid-2026 otherwise.

Orders: 2 + spend / 10,000 orders a year (at most 250), Poisson over 18 months, uniform dates, each a random
line of the customer's lines with us and value spend / rate x Gamma(4, 1/4), booked under a random record
of the customer (the first record three times as often as each other). Intent to leave: a `leave_rate`
share of customers on average, with relative risk core 0.5, split 1.5, occasional 1 (logistic draw); from
1 January this year a leaver orders at `leaver_ordering` times its usual rate.

Survey: a random `survey_share` of customers state last year's category spend = wallet x LogNormal(0,
survey_noise) and the number of lines they buy anywhere. `truth['customers']` holds segment, wallet, share
of wallet, lines anywhere and with us, records and intent to leave per tax id.
"""

DESCRIPTION_ZH = """
种子资料的四个步骤（《客户关系管理问答汇编》（资料0）第254–267行，㈨）：识别（把客户录入数据库，验证并更新客户信息，
删除过时信息；第258行）、差异分析（“金牌”客户；“去年最大的客户是否今年也订了不少的产品？”；“是否有些客户从你的企业
只订购一两种产品，却会从其他地方订购很多种产品？”；按价值分为A、B、C三类；第260–261行）、良性接触（第263行）和
调整产品或服务（“征求名列前十位的客户的意见，看企业究竟可以向这些客户提供哪些特殊的产品或服务”；第266行）。
其余一切都是合成的。

客户来自三个细分群体（`truth['segments']`）：核心型 core（35%；钱包服从对数正态分布，均值30万元；钱包份额服从
U(0.55, 0.90)；在任何地方购买的产品线数服从 Poisson(3.5)）、分散型 split（40%；均值50万元；U(0.08, 0.35)；
Poisson(5.5)）和偶尔型 occasional（25%；均值12万元；U(0.05, 0.30)；Poisson(2.5)）；产品线数截断在1到10之间。
在我们这里的年支出 = 钱包 x 钱包份额。从我们这里购买的产品线数服从 Binomial(总产品线数, 钱包份额)，至少一条，
是该客户所购产品线中随机的一部分。

记录：每个客户 1 + Poisson(duplicate_rate x (0.5 + 0.5 x 年支出 / 年支出中位数)) 条，最多6条，公司名称有五种
写法之一（不同客户可能同名）。`stale_share` 比例的记录最近核实日期均匀分布在2018–2024年，其余在2024年年中到
2026年年中。

订单：每年 2 + 年支出 / 10,000 单（最多250单），18个月内服从泊松分布，日期均匀；每单是该客户在我们这里所购产品线中
随机的一条，金额 = 年支出 / 年订单数 x Gamma(4, 1/4)；挂在该客户随机的一条记录下（第一条记录的概率是其余每条的三倍）。
离开意向：平均 `leave_rate` 比例的客户，相对风险为核心型0.5、分散型1.5、偶尔型1（逻辑回归抽样）；从今年1月1日起，
决定离开的客户订货频率降为平常的 `leaver_ordering` 倍。

调查：随机 `survey_share` 比例的客户自报去年的品类支出 = 钱包 x LogNormal(0, survey_noise)，以及他们在任何地方
购买的产品线数。`truth['customers']` 按税号给出每个客户的细分群体、钱包、钱包份额、总产品线数和在我们这里的产品线数、
记录数和离开意向。
"""


def _tax_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct 18-character codes shaped like a unified social credit code (synthetic)."""
    digits = rng.choice(10**11, size=n, replace=False)   # distinct, so the codes are distinct
    region = rng.integers(0, 6, n)
    return np.array([f"91{3201 + 100 * r:04d}{d:011d}" + "ABCDEFGHJKLMNPQRTUWXY"[int(d % 21)]
                     for r, d in zip(region, digits)], dtype=object)


@register("idic", title="IDIC: identify, differentiate, interact, customise",
          title_zh="客户关系营销四步：识别、区分、互动、定制",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n = k["n_customers"]
    pop = draw_segments(rng, n, SEGMENTS)
    seg = pop["segment"].astype(str).to_numpy()
    wallet = pop["wallet"].to_numpy()
    sow = pop["sow"].to_numpy()
    lines_total = np.clip(pop["lines_total"].to_numpy(), 1, len(LINES)).astype(np.int64)
    lines_ours = np.clip(rng.binomial(lines_total, sow), 1, None).astype(np.int64)
    spend = wallet * sow
    # which lines: a random order of the ten lines per customer; the first lines_total are bought anywhere, the
    # first lines_ours of those from us
    perm = np.argsort(rng.random((n, len(LINES))), axis=1)
    tax = _tax_ids(rng, n)

    # intent to leave
    risk = np.array([LEAVE_RISK[s] for s in seg])
    p = np.clip(k["leave_rate"] * risk / risk.mean(), 1e-12, 1 - 1e-9)
    _, leaves = logit_draw(rng, np.log(p) - np.log1p(-p))
    leaves = np.asarray(leaves, dtype=bool) & (k["leave_rate"] > 0)

    # records
    extra = np.minimum(rng.poisson(k["duplicate_rate"] * (0.5 + 0.5 * spend / np.median(spend))), 5)
    n_rec = 1 + extra
    owner = np.repeat(np.arange(n), n_rec)
    first = np.r_[0, np.cumsum(n_rec)[:-1]]
    base = np.array([f"{PREFIXES[a]} {TRADES[b]}" for a, b in
                     zip(rng.integers(0, len(PREFIXES), n), rng.integers(0, len(TRADES), n))], dtype=object)
    style = rng.integers(0, len(SUFFIXES), owner.size)
    names = [(base[o] + SUFFIXES[s]).upper() if s == 4 else base[o] + SUFFIXES[s] for o, s in zip(owner, style)]
    city = rng.integers(0, len(CITIES), n)[owner]
    stale = rng.random(owner.size) < k["stale_share"]
    old = rng.integers(np.datetime64("2018-01-01", "D").astype(int), STALE_BEFORE.astype(int), owner.size)
    new = rng.integers(STALE_BEFORE.astype(int), AS_OF.astype(int), owner.size)
    verified = np.where(stale, old, new).astype("datetime64[D]").astype("datetime64[ns]")
    n_records = owner.size
    records = pd.DataFrame({
        "record_id": np.arange(100001, 100001 + n_records, dtype=np.int64),
        "tax_id": pd.array(tax[owner], dtype="string"),
        "name": pd.array(names, dtype="string"),
        "city": pd.Categorical(np.asarray(CITIES, dtype=object)[city], categories=CITIES),
        "last_verified": verified,
    })
    # shuffle the file so duplicates are not next to each other
    records = records.iloc[rng.permutation(n_records)].reset_index(drop=True)
    rec_ids = np.arange(100001, 100001 + n_records, dtype=np.int64)

    # orders: last year at the usual rate; this year at the usual rate or leaver_ordering times it
    rate = np.minimum(2 + spend / 10_000, 250)
    days_last = float((END_LAST - START).astype(int))
    days_this = float((AS_OF - END_LAST).astype(int))
    factor = np.where(leaves, k["leaver_ordering"], 1.0)
    n_last = rng.poisson(rate * days_last / 365)
    n_this = rng.poisson(rate * factor * days_this / 365)
    cust = np.r_[np.repeat(np.arange(n), n_last), np.repeat(np.arange(n), n_this)]
    day = np.r_[rng.integers(0, int(days_last), n_last.sum()),
                int(days_last) + rng.integers(0, int(days_this), n_this.sum())]
    which = (rng.random(cust.size) * lines_ours[cust]).astype(np.int64)
    line = perm[cust, which]
    amount = np.round(spend[cust] / rate[cust] * rng.gamma(4.0, 0.25, cust.size), 2)
    # record: the first record weight 3, each other weight 1
    u = rng.random(cust.size) * (n_rec[cust] + 2)
    pick = np.where(u < 3, 0, np.floor(u - 2).astype(np.int64))
    record = rec_ids[first[cust] + np.minimum(pick, n_rec[cust] - 1)]
    order = np.lexsort((cust, day))
    orders = pd.DataFrame({
        "order_id": np.arange(1, cust.size + 1, dtype=np.int64),
        "record_id": record[order],
        "date": (START + day[order].astype("timedelta64[D]")).astype("datetime64[ns]"),
        "product_line": pd.Categorical(np.asarray(LINES, dtype=object)[line[order]], categories=LINES),
        "amount": amount[order].astype(float),
    })

    # survey
    m = max(1, int(round(k["survey_share"] * n)))
    resp = np.sort(rng.choice(n, size=m, replace=False))
    stated = np.round(wallet[resp] * np.exp(k["survey_noise"] * rng.standard_normal(m)), -2)
    survey = pd.DataFrame({"tax_id": pd.array(tax[resp], dtype="string"), "category_spend": stated.astype(float),
                           "lines_bought": lines_total[resp].astype(np.int64)})

    idx = pd.Index(tax, name="tax_id")
    truth = {
        "segments": [{"name": s["name"], "share": s["share"]} for s in SEGMENTS],
        "leave_risk": dict(LEAVE_RISK),
        "n_customers": int(n),
        "n_records": int(n_records),
        "share_stale": float(stale.mean()),
        "share_leaving": float(leaves.mean()),
        "surveyed_share_of_wallet": float(spend[resp].sum() / wallet[resp].sum()),
        "customers": pd.DataFrame({"segment": seg, "wallet": wallet, "share_of_wallet": sow,
                                   "yearly_spend": spend, "lines_total": lines_total,
                                   "lines_ours": lines_ours, "records": n_rec.astype(np.int64),
                                   "intends_to_leave": leaves, "surveyed": np.isin(np.arange(n), resp)},
                                  index=idx),
    }
    return {"records": records, "orders": orders, "survey": survey}, truth
