"""One glossary of English ↔ Chinese terms for both editions of the notebooks and for chart labels.

A concept has one name everywhere: in the Chinese notebooks' prose, in chart labels
(:func:`crmlab.plots.label` looks a term up here when no Chinese text is given), and in check messages. The
Chinese follows the usage of mainland Chinese CRM and marketing textbooks; where a student will meet the
English term in the literature, the Chinese prose gives it in parentheses on first use, e.g.
双重差分（difference in differences）. ``avoid`` lists renderings that must not be used (a test searches the
notebooks and the library for them), each with the reason.

>>> zh("difference in differences")
'双重差分'
>>> zh("Service level agreement")
'服务水平协议'
>>> term("SLA").en
'service level agreement'
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Term", "TERMS", "term", "zh", "lookup", "AVOID"]


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    abbr: str = ""
    note: str = ""
    avoid: tuple[str, ...] = ()


TERMS: tuple[Term, ...] = (
    # customer value
    Term("customer relationship management", "客户关系管理", "CRM"),
    Term("analytical CRM", "分析型客户关系管理"),
    Term("RFM", "RFM模型（最近一次消费、消费频率、消费金额）", "RFM",
         note="one gloss for RFM everywhere: recency 最近一次消费, frequency 消费频率, monetary value 消费金额"),
    Term("recency", "最近一次消费", "R"),
    Term("frequency", "消费频率", "F"),
    Term("monetary value", "消费金额", "M"),
    Term("customer lifetime value", "客户终身价值", "CLV"),
    Term("customer equity", "客户资产"),
    Term("buy-till-you-die models", "BTYD模型", "BTYD", avoid=("买到离开",),
         note="the literal rendering 买到离开 is not used"),
    Term("probability alive", "存活概率"),
    Term("calibration period", "校准期"),
    Term("holdout period", "验证期"),
    Term("hold-out group", "对照组"),
    Term("control group", "对照组"),
    Term("treatment group", "处理组"),
    Term("ABC classification", "ABC分类"),
    Term("Pareto principle", "帕累托法则（二八法则）"),
    Term("whale curve", "鲸鱼曲线"),
    Term("Lorenz curve", "洛伦兹曲线"),
    Term("Gini coefficient", "基尼系数"),
    Term("customer pyramid", "客户金字塔"),
    Term("cost to serve", "服务成本"),
    Term("customer profitability", "客户盈利能力"),
    Term("key account management", "大客户管理", "KAM"),
    Term("share of wallet", "钱包份额"),
    Term("segmentation", "客户细分"),
    Term("average revenue per user", "每用户平均收入", "ARPU"),
    Term("cross-selling", "交叉销售"),
    Term("customer acquisition", "客户获取"),
    Term("next best offer", "下一个最佳推荐"),
    Term("gross margin", "毛利率"),
    Term("dropout probability", "流失概率"),
    Term("non-contractual setting", "非契约型情境"),
    Term("cluster", "聚类"),
    Term("k-means", "K均值聚类"),
    Term("adjusted Rand index", "调整兰德指数", "ARI"),
    # loyalty and satisfaction
    Term("customer satisfaction", "客户满意度"),
    Term("employee satisfaction", "员工满意度"),
    Term("customer loyalty", "客户忠诚"),
    Term("loyalty programme", "忠诚计划"),
    Term("false loyalty", "虚假忠诚",
         note="loyalty bought with incentives (利益忠诚) that ends with the incentive; not self-selection"),
    Term("incentive loyalty", "利益忠诚"),
    Term("monopoly loyalty", "垄断忠诚"),
    Term("inertia loyalty", "惰性忠诚"),
    Term("price loyalty", "价格忠诚"),
    Term("trust loyalty", "信赖忠诚"),
    Term("attachment", "依恋"),
    Term("employee loyalty", "员工忠诚"),
    Term("frequent-flyer programme", "常旅客计划"),
    Term("self-selection bias", "自选择偏差"),
    Term("service-profit chain", "服务利润链"),
    Term("satisfaction index", "满意度指数"),
    Term("customer delivered value", "顾客让渡价值"),
    Term("perceived value", "感知价值"),
    Term("word of mouth", "口碑"),
    Term("points", "积分"),
    Term("voucher", "代金券"),
    Term("breakage", "积分沉淀率", note="the share of issued rewards never redeemed (also 未兑换率)"),
    Term("retention rate", "客户保留率"),
    Term("churn", "客户流失"),
    Term("churn rate", "流失率"),
    # service
    Term("service level agreement", "服务水平协议", "SLA", avoid=("服务水平承诺",),
         note="an agreement, not a promise"),
    Term("complaint", "投诉"),
    Term("service recovery", "服务补救"),
    Term("first-contact resolution", "首次解决率", "FCR"),
    Term("control chart", "控制图"),
    Term("reliability", "信度"),
    Term("intraclass correlation", "组内相关系数", "ICC"),
    Term("Likert scale", "李克特量表"),
    # methods
    Term("difference in differences", "双重差分", "DiD"),
    Term("event study", "事件研究"),
    Term("parallel trends", "平行趋势"),
    Term("staggered rollout", "分批推广"),
    Term("pilot", "试点"),
    Term("statistical power", "检验功效"),
    Term("minimum detectable effect", "最小可检测效应"),
    Term("funnel", "漏斗"),
    Term("conversion rate", "转化率"),
    Term("transition matrix", "转移矩阵"),
    Term("uplift", "增量效应"),
    Term("uplift model", "增量模型"),
    Term("gains chart", "累积增益图"),
    Term("lift", "提升度"),
    Term("association rule", "关联规则"),
    Term("support", "支持度"),
    Term("confidence", "置信度"),
    Term("confidence interval", "置信区间"),
    Term("bootstrap", "自助法"),
    Term("confounding", "混杂"),
    Term("what-if analysis", "假设分析"),
    Term("standard error", "标准误"),
    Term("percentage point", "百分点"),
    Term("logistic regression", "逻辑回归"),
    Term("net present value", "净现值", "NPV"),
    Term("discount rate", "折现率"),
    Term("log-likelihood", "对数似然"),
    Term("maximum likelihood", "最大似然法"),
    Term("decile", "十分位"),
    Term("response model", "响应模型"),
    Term("Pareto chart", "帕累托图"),
    Term("public record", "公开资料"),
    Term("survival curve", "生存曲线"),
    Term("planted truth", "预设真值"),
    Term("synthetic data", "合成数据"),
    # companies (mainland usage)
    Term("Tesco", "特易购", note="the seed's 德士高 and the China stores' 乐购 are other names for the same firm"),
    Term("Haidilao", "海底捞"),
    Term("Ctrip", "携程"),
    Term("Singapore Airlines", "新加坡航空"),
    Term("FedEx", "联邦快递"),
    Term("Haier", "海尔"),
)

_BY_KEY: dict[str, Term] = {}
for _t in TERMS:
    for _key in dict.fromkeys((_t.en, _t.abbr)):
        if _key:
            if _key.casefold() in _BY_KEY:
                raise RuntimeError(f"glossary term {_key!r} defined twice")
            _BY_KEY[_key.casefold()] = _t

#: Renderings not to use, with the term each would wrongly stand for: ``{avoided text: Term}``.
AVOID: dict[str, Term] = {bad: t for t in TERMS for bad in t.avoid}


def lookup(text: str) -> Term | None:
    """The glossary entry for an English term or abbreviation (any letter case), or None."""
    return _BY_KEY.get(str(text).strip().casefold())


def term(text: str) -> Term:
    """The glossary entry for an English term or abbreviation; a clear error for a term not in it."""
    t = lookup(text)
    if t is None:
        raise KeyError(f"{text!r} is not in the crmlab glossary (crmlab.glossary.TERMS)")
    return t


def zh(text: str) -> str:
    """The Chinese term for an English term or abbreviation of the glossary."""
    return term(text).zh
