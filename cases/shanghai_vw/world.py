"""Shanghai Volkswagen: one car owner, three silos — record linkage and the single customer view (synthetic world).

Car owners of a Shanghai dealer network are recorded three times over, by three departments that never
shared a customer database: the dealers' sales contracts, the service stations' workshop records and the
marketing department's lead list (which also holds prospects who never bought). The same person is written
differently in each: simplified or traditional characters, pinyin in either name order, typing errors,
phone numbers in five formats, an old address after a move, a family phone shared by two owners. The true
identity of every record is planted (``truth['records']``), so a record-linkage model can be scored by
precision and recall, and the value of the single customer view (owners due for service that marketing
cannot see, existing owners treated as cold prospects, duplicated mailings) is known exactly.

Sources: CRM Q&A compilation (source 0), lines 80–86 and 138–142 (casebook chapter headings only: Shanghai
Volkswagen and "implement CRM, aiming at three-in-one"); lines 5–7 (customer data split across departmental
subsystems; a unified customer database shared by all departments is the key to CRM). Probabilistic record
linkage: Fellegi & Sunter (1969), "A Theory for Record Linkage", JASA 64(328) (public record). Every name,
number and rate is synthetic.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.worlds import Column, Knob, Table, register
from crmlab.worlds.mech.population import draw_segments

AS_OF = pd.Timestamp("2024-12-31")  # the day the three extracts were taken

# Surnames and given-name characters: (simplified, traditional, pinyin). A small table, enough for the lesson.
SURNAMES = [("王", "王", "wang"), ("李", "李", "li"), ("张", "張", "zhang"), ("刘", "劉", "liu"), ("陈", "陳", "chen"),
            ("杨", "楊", "yang"), ("黄", "黃", "huang"), ("赵", "趙", "zhao"), ("吴", "吳", "wu"), ("周", "周", "zhou"),
            ("徐", "徐", "xu"), ("孙", "孫", "sun"), ("马", "馬", "ma"), ("朱", "朱", "zhu"), ("胡", "胡", "hu"),
            ("郭", "郭", "guo"), ("何", "何", "he"), ("林", "林", "lin"), ("罗", "羅", "luo"), ("高", "高", "gao"),
            ("郑", "鄭", "zheng"), ("梁", "梁", "liang"), ("谢", "謝", "xie"), ("宋", "宋", "song"), ("唐", "唐", "tang"),
            ("许", "許", "xu"), ("韩", "韓", "han"), ("冯", "馮", "feng"), ("邓", "鄧", "deng"), ("曹", "曹", "cao"),
            ("沈", "沈", "shen"), ("陆", "陸", "lu"), ("顾", "顧", "gu"), ("钱", "錢", "qian"), ("蒋", "蔣", "jiang")]
# Common surnames come first and are drawn more often (weights ~ 1/rank).
GIVEN = [("伟", "偉", "wei"), ("强", "強", "qiang"), ("军", "軍", "jun"), ("敏", "敏", "min"), ("静", "靜", "jing"),
         ("丽", "麗", "li"), ("华", "華", "hua"), ("明", "明", "ming"), ("国", "國", "guo"), ("建", "建", "jian"),
         ("文", "文", "wen"), ("辉", "輝", "hui"), ("杰", "傑", "jie"), ("涛", "濤", "tao"), ("燕", "燕", "yan"),
         ("红", "紅", "hong"), ("海", "海", "hai"), ("东", "東", "dong"), ("晓", "曉", "xiao"), ("云", "雲", "yun"),
         ("龙", "龍", "long"), ("鹏", "鵬", "peng"), ("飞", "飛", "fei"), ("刚", "剛", "gang"), ("玲", "玲", "ling"),
         ("峰", "峰", "feng"), ("磊", "磊", "lei"), ("勇", "勇", "yong"), ("芳", "芳", "fang"), ("娟", "娟", "juan"),
         ("斌", "斌", "bin"), ("宁", "寧", "ning"), ("嘉", "嘉", "jia"), ("志", "志", "zhi"), ("荣", "榮", "rong"),
         ("凤", "鳳", "feng"), ("庆", "慶", "qing"), ("兰", "蘭", "lan"), ("新", "新", "xin"), ("春", "春", "chun"),
         ("平", "平", "ping"), ("亮", "亮", "liang"), ("超", "超", "chao"), ("颖", "穎", "ying"), ("婷", "婷", "ting"),
         ("毅", "毅", "yi"), ("俊", "俊", "jun"), ("鑫", "鑫", "xin"), ("琳", "琳", "lin"), ("浩", "浩", "hao")]
DISTRICTS = ("浦东新区", "徐汇区", "闵行区", "宝山区", "嘉定区", "松江区", "杨浦区", "普陀区", "长宁区", "静安区",
             "黄浦区", "虹口区", "青浦区", "奉贤区")
STREETS = ("漕溪北路", "南京西路", "淮海中路", "张杨路", "沪闵路", "曹安公路", "共和新路", "延安西路", "四平路", "中山北路",
           "莘庄路", "博乐路", "江场路", "长寿路", "银都路", "外青松公路", "南桥路", "世纪大道", "虹桥路", "长阳路")
MODELS = ("Santana", "Lavida", "Passat", "Polo", "Tiguan", "Touran")
CHANNELS = ("web form", "auto show", "call centre", "test-drive event")
SILOS = ("sales", "service", "marketing")

# The owners: one latent segment table (who buys which model), read by crmlab.worlds.mech.draw_segments.
OWNERS = [
    {"name": "family", "share": 0.55,
     "model": {"dist": "categorical", "probs": {"Lavida": 0.35, "Santana": 0.25, "Touran": 0.2, "Tiguan": 0.2}},
     "birth_year": {"dist": "normal", "mean": 1980, "sd": 8, "low": 1950, "high": 2002, "decimals": 0, "dtype": "int"},
     "car_age_years": {"dist": "uniform", "low": 0.2, "high": 9.0}},
    {"name": "young", "share": 0.30,
     "model": {"dist": "categorical", "probs": {"Polo": 0.45, "Lavida": 0.35, "Santana": 0.2}},
     "birth_year": {"dist": "normal", "mean": 1993, "sd": 4, "low": 1975, "high": 2004, "decimals": 0, "dtype": "int"},
     "car_age_years": {"dist": "uniform", "low": 0.2, "high": 6.0}},
    {"name": "executive", "share": 0.15,
     "model": {"dist": "categorical", "probs": {"Passat": 0.6, "Tiguan": 0.4}},
     "birth_year": {"dist": "normal", "mean": 1975, "sd": 7, "low": 1950, "high": 2000, "decimals": 0, "dtype": "int"},
     "car_age_years": {"dist": "uniform", "low": 0.2, "high": 7.0}},
]
PHONE_FORMATS = ("plain", "dashes", "spaces", "plus86", "86dash")

SNAPSHOT_KNOBS = {"n_owners": 300}
KNOBS = [
    Knob("n_owners", 1500, int, "number of car owners (true persons who bought a car from the dealers)",
         low=30, high=200_000, doc_zh="车主人数（在经销商处买过车的真实个人）"),
    Knob("p_service", 0.65, float, "share of owners with at least one record at a service station", low=0.0,
         high=1.0, doc_zh="在售后维修站至少有一条记录的车主比例"),
    Knob("p_marketing", 0.45, float, "share of owners who are also on marketing's lead list", low=0.0, high=1.0,
         doc_zh="同时出现在市场部潜在客户名单上的车主比例"),
    Knob("prospect_ratio", 0.4, float, "prospects (never bought) on the lead list, per owner", low=0.0, high=5.0,
         doc_zh="潜在客户名单上从未买车的潜在客户数，与车主人数之比"),
    Knob("name_variant_rate", 0.35, float, "share of service and marketing records whose name is written in "
         "traditional characters or pinyin instead of simplified characters", low=0.0, high=1.0,
         doc_zh="售后和市场部记录中，姓名写成繁体字或拼音（而非简体字）的比例"),
    Knob("typo_rate", 0.05, float, "chance that a name, a phone number or a birth year carries one typing error",
         low=0.0, high=0.5, doc_zh="姓名、电话号码或出生年份带有一处录入错误的概率"),
    Knob("p_moved", 0.15, float, "share of owners who moved house after buying (later records show the new "
         "address)", low=0.0, high=1.0, doc_zh="购车后搬家的车主比例（之后的记录是新地址）"),
    Knob("shared_phone_rate", 0.08, float, "share of owners registered with a family member's phone (two owners of "
         "one household, one phone number)", low=0.0, high=0.5,
         doc_zh="登记的是家人电话的车主比例（同一家庭的两位车主共用一个号码）"),
    Knob("mailing_cost", 15.0, float, "cost of one printed mailing, postage included", low=0.0, high=1000.0,
         unit="CNY", doc_zh="一份纸质邮件（含邮费）的成本"),
]

C = Column
_ID = C("record_id", "int64", "record id within the department's system", doc_zh="该部门系统中的记录编号")
_NAME = C("name", "string", "customer name as typed (simplified or traditional characters, or pinyin)",
          doc_zh="录入的客户姓名（简体字、繁体字或拼音）")
_PHONE = C("phone", "string", "phone number as typed (formats vary; may be missing)",
           doc_zh="录入的电话号码（格式不一；可能缺失）")
_DISTRICT = C("district", "string", "Shanghai district of the address", doc_zh="地址所在的上海区县")
_ADDRESS = C("address", "string", "street and number", doc_zh="街道和门牌号")
TABLES = [
    Table("sales", "Dealer sales contracts: one row per car sold to a private owner.", (
        _ID, _NAME, _PHONE,
        C("birth_year", "float64", "year of birth from the ID card (missing if not recorded)", "year",
          doc_zh="身份证上的出生年份（未登记则缺失）"),
        _DISTRICT, _ADDRESS,
        C("model", "category", "model bought", doc_zh="所购车型"),
        C("purchase_date", "datetime64[ns]", "date of the sales contract", doc_zh="购车合同日期"),
    ), doc_zh="经销商的销售合同：每卖给私人车主一辆车一行。"),
    Table("service", "Service-station records: one row per customer file at a station (a file holds the latest "
          "visit).", (
        _ID, _NAME, _PHONE,
        C("birth_year", "float64", "year of birth (often not asked at the workshop)", "year",
          doc_zh="出生年份（维修站常常不问）"),
        _DISTRICT, _ADDRESS,
        C("model", "category", "model serviced", doc_zh="维修保养的车型"),
        C("last_service_date", "datetime64[ns]", "date of the latest visit", doc_zh="最近一次进站日期"),
        C("mileage_km", "float64", "odometer at the latest visit", "km", doc_zh="最近一次进站时的里程"),
    ), doc_zh="售后维修站的客户档案：每个站点的每份客户档案一行（档案保存最近一次进站）。"),
    Table("marketing", "Marketing's lead list: one row per lead captured at a show, event, web form or call.", (
        _ID, _NAME, _PHONE,
        C("birth_year", "float64", "year of birth (if the lead gave it)", "year", doc_zh="出生年份（如果潜在客户填写了）"),
        _DISTRICT, _ADDRESS,
        C("channel", "category", "where the lead was captured", doc_zh="获取线索的渠道"),
        C("interest", "category", "model the lead asked about", doc_zh="潜在客户询问的车型"),
        C("lead_date", "datetime64[ns]", "date the lead was captured", doc_zh="获取线索的日期"),
    ), doc_zh="市场部的潜在客户名单：在车展、试驾活动、网页表单或电话中获取的每条线索一行。"),
    Table("characters", "Reference table for standardising names: every character used in names, its "
          "simplified form and its pinyin (without tones).", (
        C("char", "string", "a Chinese character (simplified or traditional)", doc_zh="一个汉字（简体或繁体）"),
        C("simplified", "string", "its simplified form", doc_zh="对应的简体字"),
        C("pinyin", "string", "its pinyin, lower case, without tone", doc_zh="它的拼音（小写，不带声调）"),
        C("surname", "bool", "the character is a family name (it stands first in a name written in characters)",
          doc_zh="该字是否是姓氏（用汉字书写的姓名中排在第一个）"),
    ), doc_zh="用于姓名标准化的参照表：姓名中用到的每个汉字、它的简体写法和拼音（不带声调）。"),
]

DESCRIPTION = """
**Persons.** `n_owners` owners from three latent segments (family 55%, young 30%, executive 15%), each with a
model, a year of birth, a car age (purchase date = 2024-12-31 minus the age) and a true name: a surname drawn
with weights ~ 1/rank from 35 common surnames and a one- (30%) or two-character given name from 50 characters.
`prospect_ratio` x `n_owners` prospects never bought: they are persons on the lead list only. A share
`shared_phone_rate` of owners register with the phone of another owner of their household (same address).

**Silos.** Sales: one record per car, 10% of owners bought twice (two records). Service: a share `p_service` of
owners have a file; 15% of them have files at two stations. Marketing: a share `p_marketing` of owners and all
prospects are leads; 20% of leads were captured twice. Birth year is recorded in 95% of sales, 55% of service and
40% of marketing records.

**Noise.** Sales names are in simplified characters. In service and marketing records a share
`name_variant_rate` is written differently — half of them in traditional characters, half in pinyin (in
Chinese order "Wang Jianguo" 60%, Western order "Jianguo Wang" 25%, capitals "WANG JIAN GUO" 15%). Each name,
phone and birth year carries one typing error with probability `typo_rate` (a wrong character or letter; a
wrong digit; a year off by one). Phones are written in five formats; 3% of service and 12% of marketing phones are missing. Owners who
moved (`p_moved`) appear at the old address in sales and at the new one in 80% of later records.

**Planted truth.** `truth['records']`: the true `person_id` of every record (index: silo and record_id), with
the kind of name noise. `truth['persons']`: owner or prospect, household, due for service (the latest service
visit, or the purchase if never serviced, more than 12 months before 2024-12-31), on the lead list, and an old
car (one bought more than 5 years before 2024-12-31). Scalars: true number of persons and of matching record pairs, and the value of the
single customer view — owners due for service that marketing cannot see, existing owners on the lead list
(trade-in and loyalty offers marketing misses), duplicated mailings and their cost at `mailing_cost`.
"""

DESCRIPTION_ZH = """
**人。** `n_owners` 位车主来自三个潜在细分群体（家庭型55%、年轻型30%、商务型15%），每人有车型、出生年份、车龄
（购车日期 = 2024-12-31 减去车龄）和真实姓名：姓氏从35个常见姓氏中按约 1/名次 的权重抽取，名字由50个常用字组成，
单字名占30%、双字名占70%。另有 `prospect_ratio` x `n_owners` 位从未买车的潜在客户，只出现在潜在客户名单上。
比例为 `shared_phone_rate` 的车主登记的是同一家庭另一位车主的电话（地址相同）。

**三个数据孤岛。** 销售：每辆车一条记录，10%的车主买过两辆车（两条记录）。售后：比例为 `p_service` 的车主有档案，
其中15%在两个维修站都有档案。市场：比例为 `p_marketing` 的车主和全部潜在客户都是线索，其中20%的线索被重复获取过一次。
出生年份在销售记录中登记了95%，售后记录55%，市场记录40%。

**噪声。** 销售记录的姓名用简体字。售后和市场记录中比例为 `name_variant_rate` 的姓名写法不同——一半是繁体字，
一半是拼音（中文顺序 "Wang Jianguo" 60%，西文顺序 "Jianguo Wang" 25%，大写 "WANG JIAN GUO" 15%）。每个姓名、电话号码
和出生年份都以 `typo_rate` 的概率带一处录入错误（错一个字或字母；错一位数字；年份差一年）。电话号码有五种写法；售后记录3%、
市场记录12%的电话缺失。搬过家（`p_moved`）的车主在销售记录中是旧地址，在之后80%的记录中是新地址。

**预设真值。** `truth['records']`：每条记录的真实 `person_id`（索引为数据孤岛和 record_id）以及姓名噪声的类型。
`truth['persons']`：车主还是潜在客户、家庭、是否到了保养期（最近一次进站——从未进站则为购车——早于2024-12-31前
12个月）、是否在潜在客户名单上、是否有一辆在2024-12-31之前5年以上购买的旧车。标量：真实人数和真实匹配记录对数，以及统一客户视图的价值——
市场部看不到的到期保养车主、被当作陌生潜在客户的现有车主（错过的置换和忠诚度优惠）、重复邮寄的份数及其按
`mailing_cost` 计算的成本。
"""


def _phone_numbers(rng, n):
    prefix = rng.choice(np.array(["138", "139", "137", "136", "135", "158", "159", "186", "187", "189", "150",
                                  "151", "152", "188"]), n)
    rest = rng.integers(0, 100_000_000, n)
    return np.array([f"{p}{r:08d}" for p, r in zip(prefix, rest)], dtype=object)


def _typo_digit(rng, phone):
    i = int(rng.integers(3, 11))
    d = str((int(phone[i]) + int(rng.integers(1, 10))) % 10)
    return phone[:i] + d + phone[i + 1:]


def _format_phone(phone, fmt):
    if fmt == "dashes":
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if fmt == "spaces":
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if fmt == "plus86":
        return f"+86 {phone}"
    if fmt == "86dash":
        return f"86-{phone}"
    return phone


def _name_text(rng, sur, given, form, typo):
    """The name of one person as written in a record: form 0 simplified, 1 traditional, 2 pinyin."""
    if typo and form < 2:  # a wrong character (a neighbour in the table: looks or sounds alike to a clerk)
        j = int(rng.integers(len(given)))
        given = given[:j] + ((given[j] + int(rng.integers(1, 4))) % len(GIVEN),) + given[j + 1:]
    if form == 0:
        return SURNAMES[sur][0] + "".join(GIVEN[g][0] for g in given)
    if form == 1:
        return SURNAMES[sur][1] + "".join(GIVEN[g][1] for g in given)
    s, g = SURNAMES[sur][2], [GIVEN[x][2] for x in given]
    style = rng.random()
    if style < 0.60:
        text = f"{s.capitalize()} {''.join(g).capitalize()}"
    elif style < 0.85:
        text = f"{''.join(g).capitalize()} {s.capitalize()}"
    else:
        text = " ".join([s.upper()] + [x.upper() for x in g])
    if typo:  # one letter dropped or doubled
        letters = [i for i, ch in enumerate(text) if ch.isalpha()]
        i = letters[int(rng.integers(1, len(letters)))]
        text = text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]
    return text


@register("shanghai_vw", title="Shanghai Volkswagen: one customer, three silos — record linkage and the single "
          "customer view", title_zh="上海大众：一位客户，三个数据孤岛——记录关联与统一客户视图",
          description=DESCRIPTION, description_zh=DESCRIPTION_ZH, knobs=KNOBS, tables=TABLES, version="1")
def build(rng: np.random.Generator, k: dict):
    n_own = k["n_owners"]
    n_pro = int(round(k["prospect_ratio"] * n_own))
    n = n_own + n_pro
    owners = draw_segments(rng, n_own, OWNERS)
    w_sur = 1 / np.arange(1, len(SURNAMES) + 1)
    sur = rng.choice(len(SURNAMES), n, p=w_sur / w_sur.sum())
    two = rng.random(n) < 0.7
    g1, g2 = rng.integers(0, len(GIVEN), n), rng.integers(0, len(GIVEN), n)
    given = [(int(a), int(b)) if t else (int(a),) for a, b, t in zip(g1, g2, two)]
    phone = _phone_numbers(rng, n)
    district = rng.integers(0, len(DISTRICTS), n)
    street, number = rng.integers(0, len(STREETS), n), rng.integers(1, 1200, n)
    birth = np.r_[owners["birth_year"].to_numpy(), np.round(rng.normal(1988, 9, n_pro)).clip(1950, 2004)].astype(int)
    is_owner = np.arange(n) < n_own
    # households: an owner registered with another owner's phone shares that owner's address and surname
    household = np.arange(n)
    shared = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(is_owner)
    n_shared = int(round(k["shared_phone_rate"] * n_own))
    if n_shared and n_own >= 2:
        who = rng.choice(cand, size=min(n_shared, n_own // 2), replace=False)
        others = rng.permutation(np.setdiff1d(cand, who))[: who.size]
        for a, b in zip(who, others):
            household[a], phone[a], district[a], street[a], number[a], sur[a] = (
                household[b], phone[b], district[b], street[b], number[b], sur[b])
            shared[a] = True
    moved = is_owner & (rng.random(n) < k["p_moved"])
    new_district = np.where(moved, (district + rng.integers(1, len(DISTRICTS), n)) % len(DISTRICTS), district)
    new_street = np.where(moved, rng.integers(0, len(STREETS), n), street)
    new_number = np.where(moved, rng.integers(1, 1200, n), number)
    age_days = np.round(owners["car_age_years"].to_numpy() * 365.25).astype(int)
    purchase = AS_OF - pd.to_timedelta(age_days, unit="D")
    model = owners["model"].astype(str).to_numpy()

    def records(silo, persons):
        """Noisy records of ``persons`` (array of person indices, repeated for duplicates) in one silo."""
        m = persons.size
        form = np.zeros(m, dtype=int)
        if silo != "sales":
            variant = rng.random(m) < k["name_variant_rate"]
            form = np.where(variant, np.where(rng.random(m) < 0.5, 1, 2), 0)
        name_typo = rng.random(m) < k["typo_rate"]
        names = [_name_text(rng, sur[p], given[p], f, t) for p, f, t in zip(persons, form, name_typo)]
        phone_typo = rng.random(m) < k["typo_rate"]
        fmt = rng.choice(len(PHONE_FORMATS), m, p=[0.45, 0.2, 0.15, 0.1, 0.1])
        phones = [_format_phone(_typo_digit(rng, phone[p]) if t else phone[p], PHONE_FORMATS[f])
                  for p, t, f in zip(persons, phone_typo, fmt)]
        missing = rng.random(m) < {"sales": 0.0, "service": 0.03, "marketing": 0.12}[silo]
        new_addr = moved[persons] & (rng.random(m) < (0.0 if silo == "sales" else 0.8))
        d = np.where(new_addr, new_district[persons], district[persons])
        st = np.where(new_addr, new_street[persons], street[persons])
        no = np.where(new_addr, new_number[persons], number[persons])
        by_known = rng.random(m) < {"sales": 0.95, "service": 0.55, "marketing": 0.40}[silo]
        by_typo = np.where(rng.random(m) < k["typo_rate"], rng.choice(np.array([-1, 1]), m), 0)
        frame = pd.DataFrame({
            "name": pd.array(names, dtype="string"),
            "phone": pd.array([None if x else p for p, x in zip(phones, missing)], dtype="string"),
            "birth_year": np.where(by_known, birth[persons] + by_typo, np.nan).astype(float),
            "district": pd.array(np.asarray(DISTRICTS, dtype=object)[d], dtype="string"),
            "address": pd.array([f"{STREETS[s]}{x}号" for s, x in zip(st, no)], dtype="string"),
        })
        noise = pd.DataFrame({"person_id": persons.astype(np.int64) + 1,
                              "name_form": pd.Categorical(np.asarray(["simplified", "traditional", "pinyin"])[form],
                                                          categories=["simplified", "traditional", "pinyin"]),
                              "name_typo": name_typo, "phone_typo": phone_typo, "phone_missing": missing,
                              "new_address": new_addr})
        return frame, noise

    own_idx = np.flatnonzero(is_owner)
    # sales: one record per car; 10% of owners bought twice
    twice = own_idx[rng.random(n_own) < 0.10]
    s_persons = np.sort(np.r_[own_idx, twice])
    sales, s_noise = records("sales", s_persons)
    first = np.r_[True, s_persons[1:] != s_persons[:-1]]
    s_age = np.where(first, age_days[s_persons], age_days[s_persons] + rng.integers(400, 2500, s_persons.size))
    sales["model"] = pd.Categorical(np.where(first, model[s_persons], rng.choice(np.asarray(MODELS), s_persons.size)),
                                    categories=MODELS)
    sales["purchase_date"] = (AS_OF - pd.to_timedelta(s_age, unit="D")).astype("datetime64[ns]")
    # service: a share p_service of owners; 15% of them at two stations
    served = own_idx[rng.random(n_own) < k["p_service"]]
    v_persons = np.r_[served, served[rng.random(served.size) < 0.15]]
    v_persons = v_persons[rng.permutation(v_persons.size)]
    service, v_noise = records("service", v_persons)
    service["model"] = pd.Categorical(model[v_persons], categories=MODELS)
    # latest visit: between the purchase and today; owners drift away, so some files are old
    since = rng.beta(2.0, 1.2, v_persons.size) * age_days[v_persons]
    last = np.maximum(0, age_days[v_persons] - np.round(since)).astype(int)
    service["last_service_date"] = (AS_OF - pd.to_timedelta(last, unit="D")).astype("datetime64[ns]")
    service["mileage_km"] = np.round((age_days[v_persons] - last) / 365.25 * rng.normal(14000, 3000, v_persons.size)
                                     .clip(3000, None), -1)
    # marketing: a share p_marketing of owners and all prospects; 20% captured twice
    leads = np.r_[own_idx[rng.random(n_own) < k["p_marketing"]], np.flatnonzero(~is_owner)]
    m_persons = np.r_[leads, leads[rng.random(leads.size) < 0.20]]
    m_persons = m_persons[rng.permutation(m_persons.size)]
    marketing, m_noise = records("marketing", m_persons)
    marketing["channel"] = pd.Categorical(np.asarray(CHANNELS, dtype=object)[
        rng.choice(len(CHANNELS), m_persons.size, p=[0.4, 0.2, 0.25, 0.15])], categories=CHANNELS)
    marketing["interest"] = pd.Categorical(rng.choice(np.asarray(MODELS), m_persons.size), categories=MODELS)
    marketing["lead_date"] = (AS_OF - pd.to_timedelta(rng.integers(0, 730, m_persons.size), unit="D")
                              ).astype("datetime64[ns]")

    tables, noises = {}, []
    for base, silo, frame, noise in ((1_000_000, "sales", sales, s_noise), (2_000_000, "service", service, v_noise),
                                     (3_000_000, "marketing", marketing, m_noise)):
        frame.insert(0, "record_id", np.arange(base + 1, base + 1 + len(frame), dtype=np.int64))
        tables[silo] = frame
        noises.append(noise.assign(silo=silo, record_id=frame["record_id"].to_numpy()))
    chars = {}
    for table in (SURNAMES, GIVEN):
        for simp, trad, py in table:
            chars.setdefault(simp, (simp, py, table is SURNAMES))
            chars.setdefault(trad, (simp, py, table is SURNAMES))
    tables["characters"] = pd.DataFrame({"char": pd.array(list(chars), dtype="string"),
                                         "simplified": pd.array([v[0] for v in chars.values()], dtype="string"),
                                         "pinyin": pd.array([v[1] for v in chars.values()], dtype="string"),
                                         "surname": np.array([v[2] for v in chars.values()], dtype=bool)})

    rec = pd.concat(noises, ignore_index=True)
    rec["silo"] = pd.Categorical(rec["silo"], categories=SILOS)
    rec = rec.set_index(["silo", "record_id"])[["person_id", "name_form", "name_typo", "phone_typo",
                                                 "phone_missing", "new_address"]]
    # the value of the single customer view
    last_visit = pd.Series(service["last_service_date"].to_numpy(), index=v_persons).groupby(level=0).max()
    last_contact = pd.Series(purchase, index=np.arange(n_own))
    last_contact.loc[last_visit.index] = np.maximum(last_visit.to_numpy(), last_contact.loc[last_visit.index].to_numpy())
    due = np.zeros(n, dtype=bool)
    due[:n_own] = (last_contact < AS_OF - pd.DateOffset(months=12)).to_numpy()
    on_list = np.zeros(n, dtype=bool)
    on_list[m_persons] = True
    old_car = np.zeros(n, dtype=bool)
    oldest = pd.Series(s_age, index=s_persons).groupby(level=0).max()
    old_car[oldest.index.to_numpy()] = (oldest > 5 * 365.25).to_numpy()
    persons = pd.DataFrame({
        "owner": is_owner, "segment": pd.Categorical(np.r_[owners["segment"].astype(str).to_numpy(),
                                                           np.full(n_pro, "prospect")],
                                                     categories=["family", "young", "executive", "prospect"]),
        "household": household.astype(np.int64) + 1, "shared_phone": shared, "moved": moved,
        "due_for_service": due, "on_lead_list": on_list, "old_car": old_car,
    }, index=pd.Index(np.arange(1, n + 1, dtype=np.int64), name="person_id"))
    sizes = rec["person_id"].value_counts().to_numpy()
    n_records = len(rec)
    n_people = int(rec["person_id"].nunique())
    truth = {
        "n_persons": n_people,
        "n_owners": int(n_own),
        "n_records": int(n_records),
        "true_pairs": int((sizes * (sizes - 1) // 2).sum()),
        "due_for_service": int(due.sum()),
        "due_unseen_by_marketing": int((due & ~on_list).sum()),
        "owners_on_lead_list": int((is_owner & on_list).sum()),
        "old_car_owners_on_lead_list": int((old_car & on_list).sum()),
        "duplicate_mailings": int(n_records - n_people),
        "duplicate_mailing_cost": float((n_records - n_people) * k["mailing_cost"]),
        "as_of": str(AS_OF.date()),
        "records": rec,
        "persons": persons,
    }
    return tables, truth
