"""Checks of crm_exam, the course's exam review: every item of the review material in the analytical CRM course
pack (source 1: the term definitions, lines 20–29; the fill-in-the-blank review, lines 139–156; the
end-of-chapter answers, lines 186–199; the CRM SWOT analysis, lines 200–217) as a checked question.

A review has no world: each check takes ``world=None`` and judges text — fill-in-the-blank answers against
accepted variants in Chinese and in English (:func:`crmlab.checks.one_of`, :func:`~crmlab.checks.all_of`),
multiple choice by letter (:func:`~crmlab.checks.choice`) and matching questions pair by pair
(:func:`~crmlab.checks.matching`), so that both editions are judged alike. ``TEACHES`` names, for every
exercise, the case notebook(s) that teach what it asks; hints end with that link.

>>> from crmlab.checks import Checker
>>> check = Checker("crm_exam", None, lang="zh")
>>> bool(check("q3", "客户资源价值的最大化")), bool(check("q3", "Maximising the value of customer resources."))
(True, True)
>>> bool(check("q8", ["行为忠诚", "意愿忠诚", "情感忠诚", "认知忠诚"]))
False
"""
from __future__ import annotations

from crmlab.checks import (all_of, choice, data_worlds, exercise, graded_world, matching, mistakes,
                           one_of, solutions)

CASE = "crm_exam"

#: The case notebook(s) that teach what each exercise asks (their ids are in the catalogue; tested).
TEACHES = {
    "q1": ("customer_value", "perceived_value", "payne_ladder"),
    "q2": ("satisfaction_index", "idic", "kotler_levels"),
    "q3": ("customer_value",),
    "q4": ("crm_types", "mobile_operator"),
    "q5": ("perceived_value",),
    "q6": ("kotler_levels",),
    "q7": ("starbucks",),
    "q8": ("loyalty_types",),
    "q9": ("perceived_value",),
    "q10": ("idic",),
    "q11": ("crm_types", "westpac_reach"),
    "q12": ("crm_types",),
    "q13": ("crm_types",),
    "q14": ("ctrip",),
    "q15": ("customer_value",),
    "q16": ("crm_types", "shanghai_vw"),
    "q17": ("customer_value",),
    "q18": ("payne_ladder", "kotler_levels"),
    "q19": ("british_telecom", "satisfaction_index"),
    "q20": ("customer_value", "cdnow_clv"),
    "q21": ("tesco", "payne_ladder"),
    "q22": ("satisfaction_index",),
    "q23": ("haidilao",),
    "q24": ("ikea", "shanghai_vw"),
    "q25": ("kam", "kotler_levels"),
    "q26": ("kam", "kotler_levels"),
    "q27": ("idic", "westpac_reach"),
    "q28": ("boeing", "kam"),
    "q29": ("mobile_operator", "westpac_reach"),
}


def taught_in(name: str, lang: str = "en") -> str:
    """The link line of exercise ``name``: "taught in: notebooks/idic.ipynb" (zh: notebooks/zh/…)."""
    folder = "notebooks/" if lang == "en" else "notebooks/zh/"
    paths = ", ".join(f"{folder}{c}.ipynb" for c in TEACHES[name])
    return f"taught in: {paths}" if lang == "en" else f"讲授于：{paths}"


# ------------------------------------------------------------------------------------------- the items
# Accepted variants: the source's own wording first, then the usual Chinese synonyms, then English.
GOAL = ["客户资源价值的最大化", "客户资源价值最大化", "实现客户资源价值的最大化", "maximising the value of customer resources",
        "maximizing the value of customer resources", "maximising customer resource value",
        "maximizing customer resource value", "customer resource value maximisation",
        "customer resource value maximization"]
CRM_TYPES = [["运营型客户关系管理", "运营型", "运营型CRM", "操作型", "操作型CRM", "operational", "operational CRM"],
             ["分析型客户关系管理", "分析型", "分析型CRM", "analytical", "analytical CRM"],
             ["合作型客户关系管理", "合作型", "合作型CRM", "协作型", "协作型CRM", "collaborative", "collaborative CRM"]]
FOUR_C = [["成本", "客户成本", "顾客成本", "cost", "cost to the customer", "customer cost"],
          ["便利性", "便利", "方便", "convenience"],
          ["沟通", "communication"],
          ["客户需求", "顾客需求", "需求", "消费者需求", "customer needs", "customer wants", "consumer wants and needs",
           "consumer needs", "customer needs and wants", "consumer wants"]]
STRATEGIES = [["扣钩战略", "扣钩", "hook strategy", "hook"],
              ["拉链战略", "拉链", "zipper strategy", "zipper"],
              ["维可牢战略", "维可牢", "尼龙搭扣战略", "velcro strategy", "velcro"]]
RESOURCE = [["价值性", "有价值", "valuable", "value"],
            ["优越性", "superior", "superiority"],
            ["独特性", "unique", "uniqueness"],
            ["独占性", "exclusive", "exclusivity", "独有性"]]
LOYALTY = [["认知忠诚", "认知", "cognitive loyalty", "cognitive"],
           ["情感忠诚", "情感", "affective loyalty", "affective"],
           ["意愿忠诚", "意愿", "意向忠诚", "conative loyalty", "conative", "intentional loyalty"],
           ["行为忠诚", "行为", "behavioural loyalty", "behavioral loyalty", "behavioural", "behavioral", "action loyalty"]]
BASIS = ["客户感知价值", "优异的客户感知价值", "感知价值", "顾客感知价值", "customer perceived value", "perceived value",
         "superior customer perceived value", "superior perceived value"]
LEVELS = [["活动", "act", "acts", "activity", "activities", "action", "actions"],
          ["情节", "episode", "episodes"],
          ["片段", "sequence", "sequences"]]
DBMS = ["数据库管理系统", "DBMS", "database management system", "a database management system"]
DW_TYPES = [["企业数据仓库", "enterprise data warehouse", "EDW"],
            ["操作型数据库", "操作型数据存储", "operational database", "operational data store", "ODS"],
            ["数据集市", "data mart", "data marts"]]
VALUE_TWO = [["客户价值", "顾客价值", "customer value", "value to the customer"],
             ["关系价值", "relationship value", "relational value"]]
LAYERS = [["界面层", "interface layer", "interface"], ["功能层", "function layer", "functional layer", "function"],
          ["支持层", "support layer", "support"]]
CRM_NAME = ["客户关系管理", "顾客关系管理", "customer relationship management", "customer relationships management"]
RETENTION = ["保持客户", "客户保持", "留住客户", "客户维系", "维系客户", "customer retention", "retaining customers",
             "keeping customers", "retention", "retain customers", "keep customers"]
LOYALTY_FACTORS = [["满意", "客户满意", "满意度", "satisfaction", "customer satisfaction"],
                   ["愉悦", "客户愉悦", "delight", "customer delight", "pleasure"],
                   ["信赖", "信任", "trust", "reliance"]]
VALUE_PARTS = [["历史价值", "historical value", "past value"], ["当前价值", "current value", "present value"],
               ["潜在价值", "potential value", "future value"]]
KEEPING = ["客户的维系", "客户维系", "维系客户", "客户保持", "保持客户", "customer retention", "retaining customers",
           "keeping customers", "retention"]
EXPECTATION = ["期望值", "期望", "客户期望", "顾客期望", "expectation", "expectations", "customer expectations",
               "expected value"]
CORE_IDEA = [["客户", "顾客", "customer", "the customer", "customers"],
             ["满意度", "客户满意度", "满意", "customer satisfaction", "satisfaction"]]
TOUCHPOINTS = ["渠道和接触点", "渠道与接触点", "渠道、接触点", "接触点和渠道", "channels and touchpoints",
               "channels and touch points", "channels and contact points", "touchpoints and channels"]
RELATIONS = [["买卖关系", "买卖", "buyer-seller relationship", "buyer and seller", "buying and selling",
              "transactional relationship", "buyer-seller"],
             ["优先供应关系", "优先供应", "preferred supplier relationship", "preferred supplier", "priority supply"],
             ["合作伙伴关系", "合作伙伴", "partnership", "partner relationship", "partners"],
             ["战略联盟关系", "战略联盟", "strategic alliance", "strategic alliances", "strategic alliance relationship"]]

#: q1, q2: each term's definition, by the letter of the list in the notebook (lines 21–29).
DEFINITIONS_1 = {("客户关系管理", "CRM", "customer relationship management"): "A",
                 ("关系营销", "relationship marketing"): "B",
                 ("客户让渡价值", "顾客让渡价值", "CDV", "customer delivered value"): "C",
                 ("客户关系生命周期", "customer relationship life cycle", "customer relationship lifecycle"): "D",
                 ("客户资产", "customer equity"): "E"}
DEFINITIONS_2 = {("CRM战略", "CRM strategy"): "A",
                 ("利基市场战略", "market-nicher strategy", "niche market strategy", "niche strategy"): "B",
                 ("客户满意", "customer satisfaction"): "C",
                 ("客户互动", "customer interaction"): "D"}
CUSTOMER = ["客户", "顾客", "customer"]
CONSUMER = ["消费者", "consumer"]
#: q28: statements of lines 195–199, each about the consumer or about the customer.
CUSTOMER_CONSUMER = {
    ("为个人或家庭需要而购买或使用商品和接受服务", "buys or uses goods and services for personal or household needs"): CONSUMER,
    ("消费是为生活目的而进行的，用于生产则不属于此范畴",
     "consumes for living, not for production"): CONSUMER,
    ("包括潜在购买者", "includes potential buyers"): CUSTOMER,
    ("不仅指个体，也包含企业、政府等团体组织", "includes firms, governments and other organisations, not only individuals"): CUSTOMER,
    ("购买对象也包括用于生产的各类生产资料和服务", "also buys means of production and services for production"): CUSTOMER,
}
S, W, O, T = (["S", "优势", "strength", "strengths"], ["W", "劣势", "weakness", "weaknesses"],
              ["O", "机会", "opportunity", "opportunities"], ["T", "威胁", "threat", "threats"])
#: q29: the twelve points of the CRM SWOT analysis (lines 203–214).
SWOT = {("优质客户服务", "excellent customer service"): S,
        ("数据分析能力", "data analysis capability"): S,
        ("管理效率提升", "higher management efficiency"): S,
        ("费用高昂", "high cost"): W,
        ("技术依赖", "dependence on technology"): W,
        ("组织文化变革", "change of organisational culture"): W,
        ("数字化转型", "digital transformation"): O,
        ("社交媒体的普及", "spread of social media"): O,
        ("个性化营销", "personalised marketing"): O,
        ("竞争加剧", "fiercer competition"): T,
        ("隐私和安全问题", "privacy and security of customer data"): T,
        ("技术变革", "technological change"): T}


def _hint(name: str, en: str, zh: str) -> dict:
    """Hint in both languages, each ending with the link to the notebook that teaches the exercise."""
    return {"hint": f"{en} ({taught_in(name, 'en')})", "hint_zh": f"{zh}（{taught_in(name, 'zh')}）"}


# ---------------------------------------------------------------------------------------- the exercises
@exercise(CASE, "q1", **_hint("q1", "Match each term to its definition by the definition's letter (lines 21–25).",
                              "按定义前的字母把每个术语与它的定义配对（第21–25行）。"))
def q1(world, answer):
    return matching(answer, DEFINITIONS_1, what="terms and definitions (1)", what_zh="术语与定义（一）")


@exercise(CASE, "q2", **_hint("q2", "Match each term to its definition by the definition's letter (lines 26–29).",
                              "按定义前的字母把每个术语与它的定义配对（第26–29行）。"))
def q2(world, answer):
    return matching(answer, DEFINITIONS_2, what="terms and definitions (2)", what_zh="术语与定义（二）")


@exercise(CASE, "q3", **_hint("q3", "The ultimate goal is about the value of a resource the firm owns: its customers.",
                              "终极目标说的是企业所拥有的一种资源——客户——的价值。"))
def q3(world, answer):
    return one_of(answer, GOAL, what="the ultimate goal of CRM", what_zh="客户关系管理的终极目标")


@exercise(CASE, "q4", **_hint("q4", "One type runs the front office, one analyses the data, one works with customers "
                                    "across channels.", "一类支撑前台业务，一类分析数据，一类跨渠道与客户协同。"))
def q4(world, answer):
    return all_of(answer, CRM_TYPES, what="the three types of CRM", what_zh="CRM的三种类型")


@exercise(CASE, "q5", **_hint("q5", "The 4Cs look at the 4Ps from the customer's side.",
                              "4C是站在客户一方来看4P。"))
def q5(world, answer):
    return all_of(answer, FOUR_C, what="the 4Cs of relationship marketing", what_zh="关系营销中的4C")


@exercise(CASE, "q6", **_hint("q6", "Three fasteners, from a single hook to a surface of many small hooks.",
                              "三种扣件：从单个钩子到布满小钩的粘扣。"))
def q6(world, answer):
    return all_of(answer, STRATEGIES, what="the three CRM strategies", what_zh="企业CRM战略的三种类型")


@exercise(CASE, "q7", **_hint("q7", "Four words ending in -ness in Chinese (…性): worth, better, one of a kind, held alone.",
                              "四个“……性”：有价值、比别人好、独一无二、独自占有。"))
def q7(world, answer):
    return all_of(answer, RESOURCE, what="the four features of a strategic resource", what_zh="战略资源的四个特征")


@exercise(CASE, "q8", **_hint("q8", "In the order loyalty forms: first knowing, then liking, then intending, then doing.",
                              "按忠诚形成的先后：先知道，再喜欢，再打算，最后行动。"))
def q8(world, answer):
    return all_of(answer, LOYALTY, ordered=True, what="the four kinds of loyalty, in the order they form",
                  what_zh="按形成过程排列的四类忠诚")


@exercise(CASE, "q9", **_hint("q9", "What the customer gets, as the customer sees it, is the foundation.",
                              "基础是客户自己所感受到的价值。"))
def q9(world, answer):
    return one_of(answer, BASIS, what="the basis of customer loyalty", what_zh="培育客户忠诚的基础")


@exercise(CASE, "q10", **_hint("q10", "From the smallest unit of interaction to the largest.",
                               "从最小的互动单位到最大的。"))
def q10(world, answer):
    return all_of(answer, LEVELS, ordered=True, what="the three levels of interaction, smallest first",
                  what_zh="从小到大的三个互动层次")


@exercise(CASE, "q11", **_hint("q11", "A warehouse keeps history: its data are not overwritten, they accumulate over time.",
                               "数据仓库保存历史：数据不被覆盖，而是随时间积累。"))
def q11(world, answer):
    return choice(answer, "C", what="the definition of a data warehouse", what_zh="数据仓库的定义")


@exercise(CASE, "q12", **_hint("q12", "A database system = the database + the software that manages it.",
                               "数据库系统 = 数据库 + 管理它的软件。"))
def q12(world, answer):
    return one_of(answer, DBMS, what="the other half of a database system", what_zh="数据库系统的另一组成部分")


@exercise(CASE, "q13", **_hint("q13", "From the whole enterprise, to day-to-day operations, to one department's subject.",
                               "从整个企业，到日常运营，再到一个部门的主题。"))
def q13(world, answer):
    return all_of(answer, DW_TYPES, what="the three types of data warehouse", what_zh="数据仓库的三种类型")


@exercise(CASE, "q14", **_hint("q14", "e-CRM is defined by two things: where it runs and whom it faces.",
                               "e-CRM由两点定义：在哪里运行，面向谁。"))
def q14(world, answer):
    return choice(answer, "B", what="the essence of e-CRM", what_zh="网上客户关系管理的本质")


@exercise(CASE, "q15", **_hint("q15", "Value to the customer, and value of the relationship to the firm.",
                               "对客户的价值，以及这段关系对企业的价值。"))
def q15(world, answer):
    return all_of(answer, VALUE_TWO, what="the two sides of customer value", what_zh="客户价值的两个方面")


@exercise(CASE, "q16", **_hint("q16", "From what the user sees down to what holds it up.",
                               "从用户看到的一层，到底下起支撑作用的一层。"))
def q16(world, answer):
    return all_of(answer, LAYERS, ordered=True, what="the three layers of a CRM system, top first",
                  what_zh="CRM系统结构的三个层次（自上而下）")


@exercise(CASE, "q17", **_hint("q17", "Spell out the three letters.", "把三个字母的全称写出来。"))
def q17(world, answer):
    return one_of(answer, CRM_NAME, what="what CRM stands for", what_zh="CRM的全称")


@exercise(CASE, "q18", **_hint("q18", "Relationship marketing cares more about the customers it has than new ones.",
                               "关系营销更看重已有的客户，而不是新客户。"))
def q18(world, answer):
    return one_of(answer, RETENTION, what="the core of relationship marketing", what_zh="关系营销的核心")


@exercise(CASE, "q19", **_hint("q19", "Pleased, delighted, and able to rely on the firm.",
                               "满意、愉悦，并且能够信赖企业。"))
def q19(world, answer):
    return all_of(answer, LOYALTY_FACTORS, what="the three main drivers of loyalty", what_zh="影响客户忠诚度最重要的三个因素")


@exercise(CASE, "q20", **_hint("q20", "Past, present and future.", "过去、现在和未来。"))
def q20(world, answer):
    return all_of(answer, VALUE_PARTS, what="the three parts of a relationship's value", what_zh="客户关系价值的三个组成部分")


@exercise(CASE, "q21", **_hint("q21", "Not winning customers: keeping them.", "不是赢得客户，而是留住客户。"))
def q21(world, answer):
    return one_of(answer, KEEPING, what="the key to a CRM marketing strategy", what_zh="CRM营销策略成功实施的关键")


@exercise(CASE, "q22", **_hint("q22", "Satisfaction compares what was received with what was hoped for.",
                               "满意度是把得到的与事先所盼望的相比较。"))
def q22(world, answer):
    return one_of(answer, EXPECTATION, what="what perceived value is compared with", what_zh="与感知价值相比较的对象")


@exercise(CASE, "q23", **_hint("q23", "Two blanks, in order: the centre, and what is raised.",
                               "两个空，按顺序：以谁为中心，提高什么。"))
def q23(world, answer):
    return all_of(answer, CORE_IDEA, ordered=True, what="the core idea of CRM (two blanks)", what_zh="CRM的核心思想（两个空）")


@exercise(CASE, "q24", **_hint("q24", "Where the customer meets the firm: the routes and the points of contact.",
                               "客户与企业相遇的地方：途径与接触的点。"))
def q24(world, answer):
    return one_of(answer, TOUCHPOINTS, what="how customers feel the firm's service", what_zh="客户感受企业服务的途径")


@exercise(CASE, "q25", **_hint("q25", "The answer of chapter 1 speaks of decisions and their risk, not of purchases alone.",
                               "第一章的答案讲的是决策与决策风险，而不只是购买。"))
def q25(world, answer):
    return choice(answer, "D", what="the definition of a customer", what_zh="客户的定义")


@exercise(CASE, "q26", **_hint("q26", "From a single sale to an alliance, four steps of closeness.",
                               "从一次买卖到战略联盟，四个亲密程度。"))
def q26(world, answer):
    return all_of(answer, RELATIONS, what="the four kinds of customer relationship", what_zh="客户关系的四种类型")


@exercise(CASE, "q27", **_hint("q27", "Lines 190–192: one-to-one, and the channels integrated for real-time marketing.",
                               "第190–192行：一对一，以及为实时营销而集成的各种渠道。"))
def q27(world, answer):
    return choice(answer, "AC", options="ABCD", what="customer management and marketing", what_zh="客户管理与市场营销")


@exercise(CASE, "q28", **_hint("q28", "The customer is the larger idea: organisations, potential buyers, means of "
                                      "production.", "“客户（顾客）”是更大的概念：包括组织、潜在购买者和生产资料。"))
def q28(world, answer):
    return matching(answer, CUSTOMER_CONSUMER, what="customer or consumer", what_zh="客户还是消费者")


@exercise(CASE, "q29", **_hint("q29", "Strengths and weaknesses are inside the firm; opportunities and threats outside.",
                               "优势和劣势在企业内部，机会和威胁在企业外部。"))
def q29(world, answer):
    return matching(answer, SWOT, what="the CRM SWOT analysis", what_zh="CRM的SWOT分析")


# -------------------------------------------------------------------------- right answers and mistakes
@solutions(CASE)
def _solutions(world):
    """The answers as the English notebook writes them (the Chinese edition's are tested in test_crm_exam.py)."""
    return {
        "q1": {"customer relationship management": "A", "relationship marketing": "B",
               "customer delivered value": "C", "customer relationship life cycle": "D", "customer equity": "E"},
        "q2": {"CRM strategy": "A", "market-nicher strategy": "B", "customer satisfaction": "C",
               "customer interaction": "D"},
        "q3": "maximising the value of customer resources",
        "q4": ["operational CRM", "analytical CRM", "collaborative CRM"],
        "q5": ["cost", "convenience", "communication", "customer needs"],
        "q6": ["hook strategy", "zipper strategy", "Velcro strategy"],
        "q7": ["valuable", "superior", "unique", "exclusive"],
        "q8": ["cognitive", "affective", "conative", "behavioural"],
        "q9": "superior customer perceived value",
        "q10": ["act", "episode", "sequence"],
        "q11": "C",
        "q12": "database management system",
        "q13": ["enterprise data warehouse", "operational data store", "data mart"],
        "q14": "B",
        "q15": ["customer value", "relationship value"],
        "q16": ["interface layer", "function layer", "support layer"],
        "q17": "customer relationship management",
        "q18": "customer retention",
        "q19": ["satisfaction", "delight", "trust"],
        "q20": ["historical value", "current value", "potential value"],
        "q21": "customer retention",
        "q22": "expectations",
        "q23": ["customer", "satisfaction"],
        "q24": "channels and touchpoints",
        "q25": "D",
        "q26": ["buyer-seller relationship", "preferred supplier", "partnership", "strategic alliance"],
        "q27": "A, C",
        "q28": {k[1]: ("consumer" if v is CONSUMER else "customer") for k, v in CUSTOMER_CONSUMER.items()},
        "q29": {k[1]: v[0] for k, v in SWOT.items()},
    }


@mistakes(CASE)
def _mistakes(world):
    swap_cdv = {"客户关系管理": "A", "关系营销": "B", "客户让渡价值": "E", "客户关系生命周期": "D", "客户资产": "C"}
    swot_privacy = {k[0]: v[0] for k, v in SWOT.items()}
    swot_privacy["隐私和安全问题"] = "W"
    swot_inside_out = {k[0]: {"S": "O", "W": "T", "O": "S", "T": "W"}[v[0]] for k, v in SWOT.items()}
    return {
        "q1": {"customer delivered value and customer equity swapped": swap_cdv,
               "only some terms matched": {"客户关系管理": "A", "关系营销": "B"}},
        "q2": {"satisfaction and interaction swapped": {"CRM战略": "A", "利基市场战略": "B", "客户满意": "D",
                                                      "客户互动": "C"}},
        "q3": {"the firm's profit instead of the customers' value": "企业利润的最大化",
               "customer satisfaction instead of customer value": "maximising customer satisfaction"},
        "q4": {"transactional instead of collaborative": ["运营型", "分析型", "交易型"],
               "two types only": ["operational", "analytical"]},
        "q5": {"the 4Ps instead of the 4Cs": ["product", "price", "place", "promotion"],
               "customer for cost": ["客户", "便利性", "沟通", "客户需求"]},
        "q6": {"a made-up strategy instead of Velcro": ["扣钩战略", "拉链战略", "捆绑战略"]},
        "q7": {"VRIN's imitability instead of superiority": ["价值性", "难以模仿性", "独特性", "独占性"]},
        "q8": {"behavioural first (the order reversed)": ["行为忠诚", "意愿忠诚", "情感忠诚", "认知忠诚"],
               "affective before cognitive": ["affective", "cognitive", "conative", "behavioural"]},
        "q9": {"satisfaction instead of perceived value": "客户满意", "price": "low price"},
        "q10": {"sequence and episode swapped": ["活动", "片段", "情节"]},
        "q11": {"a data mart (one department) for the data warehouse": "A",
                "an operational database (overwritten) for the warehouse": "B"},
        "q12": {"the database itself": "数据库", "the data warehouse": "data warehouse"},
        "q13": {"a data mart given twice, no operational store": ["企业数据仓库", "数据集市", "部门数据集市"]},
        "q14": {"sales-force automation instead of Internet and customer orientation": "A", "product-centred": "D"},
        "q15": {"historical value for relationship value": ["客户价值", "历史价值"]},
        "q16": {"bottom layer first": ["支持层", "功能层", "界面层"],
                "data layer instead of support layer": ["界面层", "功能层", "数据层"]},
        "q17": {"customer resource management": "customer resource management", "客户资源管理": "客户资源管理"},
        "q18": {"acquisition instead of retention": "获取新客户", "winning new customers": "customer acquisition"},
        "q19": {"price instead of delight": ["满意", "价格", "信赖"]},
        "q20": {"lifetime value for historical value": ["lifetime value", "current value", "potential value"]},
        "q21": {"acquisition instead of retention": "客户的获取"},
        "q22": {"price instead of expectation": "价格", "cost": "cost"},
        "q23": {"the product at the centre": ["产品", "满意度"], "the blanks swapped": ["满意度", "客户"]},
        "q24": {"advertising": "广告", "the product": "product"},
        "q25": {"the consumer's definition (buys for personal or household needs)": "A", "any buyer only": "B"},
        "q26": {"employment relationship instead of strategic alliance": ["买卖关系", "优先供应关系", "合作伙伴关系",
                                                                           "雇佣关系"]},
        "q27": {"only one of the two right statements": "A", "the product-centred statement": "B"},
        "q28": {"customer and consumer swapped": {k[0]: ("客户" if v is CONSUMER else "消费者")
                                                  for k, v in CUSTOMER_CONSUMER.items()},
                "everything a customer": {k[0]: "客户" for k in CUSTOMER_CONSUMER}},
        "q29": {"privacy and security as a weakness": swot_privacy,
                "inside and outside swapped (S↔O, W↔T)": swot_inside_out},
    }


# ------------------------------------------------------------------------------------------ no world
@data_worlds(CASE)
def _worlds():
    """A review has no world: its checks are judged once, on ``None``."""
    return {"review": None}


@graded_world(CASE)
def _graded_world(parameters):
    """``crmlab grade`` judges a review's answers on no world at all."""
    return None
