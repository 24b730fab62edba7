"""Exercise checks of the Shanghai Volkswagen case (notebooks/shanghai_vw.ipynb), computed from the student's own world.

Q1 and Q2 are recomputed from the world's tables and planted identities with plain Python and numpy (phone
digits filtered character by character, pairs counted by combinatorics), independently of the notebook's
pandas code. Q3–Q5 judge answers that depend on the probabilistic linkage model: the check fits the same
Splink model as the notebook (``_predictions``; the model is deterministic for a world) and then scores its
links independently — precision through numpy arrays of true identities, the single customer view through a
union-find of its own rather than the notebook's scipy connected components. The world is built in
cases/shanghai_vw/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and
the classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import logging
import re
import weakref

import numpy as np
import pandas as pd

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "shanghai_vw"
SILOS = ("sales", "service", "marketing")
THRESHOLD = 0.9  # the match probability the exercises fix


# ----------------------------------------------------------------------------- the notebook's linkage pipeline
def split_name(name, to_pinyin: dict, surname_pinyin: set):
    """(surname, given name) in toneless pinyin, for a name written in characters or in pinyin (the notebook's
    rule: in pinyin the surname is the first word if it is a surname, else the last word if that one is)."""
    if pd.isna(name):
        return None, None
    if re.search("[A-Za-z]", name):
        words = re.sub("[^a-z ]", "", name.lower()).split()
        if words[0] in surname_pinyin or words[-1] not in surname_pinyin:
            return words[0], "".join(words[1:])
        return words[-1], "".join(words[:-1])
    return to_pinyin.get(name[0], name[0]), "".join(to_pinyin.get(c, c) for c in name[1:])


def standardise(world) -> pd.DataFrame:
    """The three silos stacked with standardised linkage keys (notebook section 4.3)."""
    chars = world.tables["characters"]
    to_pinyin = dict(zip(chars["char"], chars["pinyin"]))
    surname_pinyin = set(chars.loc[chars["surname"], "pinyin"])
    frames = []
    for silo in SILOS:
        t = world.tables[silo]
        names = [split_name(x, to_pinyin, surname_pinyin) for x in t["name"].astype(object)]
        phone = t["phone"].str.replace(r"\D", "", regex=True).str[-11:]
        frames.append(pd.DataFrame({
            "unique_id": t["record_id"].to_numpy(), "silo": silo,
            "surname": [n[0] for n in names], "given": [n[1] for n in names],
            "phone": [None if pd.isna(p) else p for p in phone],
            "birth_year": t["birth_year"].to_numpy(),
            "district": t["district"].astype(object).to_numpy(),
            "address": t["address"].astype(object).to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def fit_linkage(records: pd.DataFrame):
    """The notebook's Splink model (section 4.3): Fellegi–Sunter comparisons, trained without labels."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.ExactMatch("surname"), cl.JaroWinklerAtThresholds("given", [0.95, 0.8]),
                     cl.LevenshteinAtThresholds("phone", [1]), cl.ExactMatch("birth_year"),
                     cl.ExactMatch("district"), cl.ExactMatch("address")],
        blocking_rules_to_generate_predictions=[block_on("phone"), block_on("surname", "given"),
                                                block_on("address"), block_on("district", "birth_year")])
    db = DuckDBAPI(duckdb.connect(config={"threads": 1}))   # one thread: the same sums in the same order every run
    linker = Linker(db.register(records), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on("phone", "surname", "given")],
                                                                   recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=3e5, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone", "birth_year"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "given"))
    pairs = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    return linker, pairs


_CACHE: dict = {}


def _predictions(world):
    """(records, scored pairs) of the notebook's model for this world, computed once per world object (the
    last world only: a check session works on one world at a time)."""
    hit = _CACHE.get(id(world))
    if hit is None or hit[0]() is not world:
        records = standardise(world)
        _CACHE.clear()
        _CACHE[id(world)] = hit = (weakref.ref(world), records, fit_linkage(records)[1])
    return hit[1], hit[2]


# ------------------------------------------------------------------------------------------ independent helpers
def _digits(text) -> str | None:
    """The phone number's last 11 digits, filtered character by character (None if missing)."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    return "".join(ch for ch in str(text) if ch in "0123456789")[-11:]


def _person_of(world) -> dict:
    return {int(r): int(p) for (_, r), p in world.truth["records"]["person_id"].items()}


def _pair_count(keys) -> int:
    """Number of unordered pairs of equal keys (None keys pair with nothing)."""
    vals, counts = np.unique(np.array([k for k in keys if k is not None], dtype=object).astype(str),
                             return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def _true_pairs(world) -> int:
    _, counts = np.unique(world.truth["records"]["person_id"].to_numpy(), return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def _clusters(ids, left, right) -> dict:
    """Union-find over the accepted pairs: record id -> cluster representative."""
    parent = {int(i): int(i) for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left, right):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in parent}


def _accepted(pairs: pd.DataFrame) -> np.ndarray:
    """Links at the exercises' threshold that pass the family-phone rule (given names not completely different)."""
    p = pairs["match_probability"].to_numpy()
    g = pairs["gamma_given"].to_numpy()
    return (p >= THRESHOLD) & (g != 0)


def _due_unseen(world, cluster: dict) -> int:
    """Clusters with a sales or service record whose latest contact is > 12 months old and no marketing record."""
    cutoff = pd.Timestamp(world.truth["as_of"]) - pd.DateOffset(months=12)
    last, has_marketing = {}, set()
    for silo, col in (("sales", "purchase_date"), ("service", "last_service_date")):
        t = world.tables[silo]
        for rid, day in zip(t["record_id"].to_numpy(), t[col].to_numpy()):
            c = cluster[int(rid)]
            last[c] = max(last.get(c, day), day)
    for rid in world.tables["marketing"]["record_id"].to_numpy():
        has_marketing.add(cluster[int(rid)])
    return sum(1 for c, day in last.items() if pd.Timestamp(day) < cutoff and c not in has_marketing)


# ----------------------------------------------------------------------------------------------------- checks
@exercise(CASE, "q1", hint="Keep only the digits of each phone and the last 11 of them, in both tables; then the "
                           "share of ALL marketing records (missing phones count as not found) whose number is among "
                           "the sales numbers.",
          hint_zh="两张表的电话都只保留数字、取最后11位；再算出在全部市场记录中（电话缺失的算作找不到），号码出现在销售号码"
                  "中的比例。")
def q1(world, answer):
    sales = {_digits(x) for x in world.tables["sales"]["phone"].astype(object)} - {None}
    hits = [(_digits(x) in sales) for x in world.tables["marketing"]["phone"].astype(object)]
    return close(answer, float(np.mean(hits)), abs=5e-4,
                 what="the share of marketing records whose phone is found in sales",
                 what_zh="电话号码能在销售记录中找到的市场记录占比")


@exercise(CASE, "q2", hint="Pairs linked by the exact rule = pairs of records with the same standardised phone AND "
                           "the same name as typed; recall = true pairs among them / all true pairs (records of one "
                           "person_id in the planted truth).",
          hint_zh="精确规则关联的记录对 = 标准化电话相同且录入姓名完全相同的记录对；召回率 = 其中真实匹配的对数 / 全部真实"
                  "匹配对数（预设真值中 person_id 相同的记录对）。")
def q2(world, answer):
    person = _person_of(world)
    keys = []
    for silo in SILOS:
        t = world.tables[silo]
        for rid, name, phone in zip(t["record_id"].to_numpy(), t["name"].astype(object), t["phone"].astype(object)):
            d = _digits(phone)
            keys.append(None if d is None or name is None or name is pd.NA else f"{d}|{name}|{person[int(rid)]}")
    found_true = _pair_count(keys)
    return close(answer, found_true / _true_pairs(world), abs=5e-4,
                 what="the recall of the exact-match rule", what_zh="精确匹配规则的召回率")


@exercise(CASE, "q3", hint="Among the pairs whose match_probability is at least 0.9, the share that are the same "
                           "person in the planted truth (precision), before any rule is added.",
          hint_zh="在 match_probability 不低于0.9的记录对中，按预设真值确属同一人的比例（精确率），此时尚未加任何规则。")
def q3(world, answer):
    _, pairs = _predictions(world)
    person = _person_of(world)
    keep = pairs["match_probability"].to_numpy() >= THRESHOLD
    left = np.array([person[int(i)] for i in pairs["unique_id_l"].to_numpy()[keep]])
    right = np.array([person[int(i)] for i in pairs["unique_id_r"].to_numpy()[keep]])
    return close(answer, float(np.mean(left == right)), abs=2e-3,
                 what="the precision of the links at match probability 0.9",
                 what_zh="匹配概率0.9处关联的精确率")


@exercise(CASE, "q4", hint="Build the single customer view at 0.9 with the family-phone rule; count the customers "
                           "who have a sales or service record, whose latest purchase or service visit is more than 12 "
                           "months before 2024-12-31, and who have no marketing record.",
          hint_zh="在0.9处加上家庭共用电话规则建立统一客户视图；数出有销售或售后记录、最近一次购车或进站早于2024-12-31前"
                  "12个月、并且没有市场记录的客户。")
def q4(world, answer):
    records, pairs = _predictions(world)
    ok = _accepted(pairs)
    cluster = _clusters(records["unique_id"].to_numpy(), pairs["unique_id_l"].to_numpy()[ok],
                        pairs["unique_id_r"].to_numpy()[ok])
    return close(answer, float(_due_unseen(world, cluster)), abs=2.5,
                 what="the number of owners due for service that marketing cannot see",
                 what_zh="市场部看不到的到期保养车主人数")


@exercise(CASE, "q5", hint="If every department mails each of its records once, the mailings beyond one per customer "
                           "of the single customer view (records minus customers) are wasted; multiply by mailing_cost.",
          hint_zh="如果每个部门给自己的每条记录各寄一份，超出统一客户视图中每位客户一份的邮件（记录数减去客户数）就是浪费；"
                  "再乘以 mailing_cost。")
def q5(world, answer):
    records, pairs = _predictions(world)
    ok = _accepted(pairs)
    cluster = _clusters(records["unique_id"].to_numpy(), pairs["unique_id_l"].to_numpy()[ok],
                        pairs["unique_id_r"].to_numpy()[ok])
    wasted = len(cluster) - len(set(cluster.values()))
    cost = world.knobs["mailing_cost"]
    return close(answer, wasted * cost, abs=2.5 * cost + 1e-9,
                 what="the cost of the duplicated mailings", what_zh="重复邮寄的成本")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world):
    """What the notebook has computed before its exercises: standardised records, scored pairs, truth labels."""
    records, pairs = _predictions(world)
    person = world.truth["records"].reset_index().set_index("record_id")["person_id"]
    pairs = pairs.assign(same_person=person.reindex(pairs["unique_id_l"]).to_numpy()
                         == person.reindex(pairs["unique_id_r"]).to_numpy())
    return records, pairs, person


def _scv(world, records, pairs, threshold=THRESHOLD, rule=True):
    """The notebook's single customer view: scipy connected components over the accepted links."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    links = pairs[(pairs["match_probability"] >= threshold) & ((pairs["gamma_given"] != 0) | (not rule))]
    pos = pd.Series(np.arange(len(records)), index=records["unique_id"])
    n = len(records)
    graph = coo_matrix((np.ones(len(links)), (pos[links["unique_id_l"]].to_numpy(),
                                              pos[links["unique_id_r"]].to_numpy())), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return records.assign(customer=label)


def _due_table(world, view, months=12):
    tab = world.tables
    contact = pd.concat([tab["sales"][["record_id", "purchase_date"]].set_axis(["unique_id", "day"], axis=1),
                         tab["service"][["record_id", "last_service_date"]].set_axis(["unique_id", "day"], axis=1)])
    contact = contact.merge(view[["unique_id", "customer"]], on="unique_id")
    last = contact.groupby("customer")["day"].max()
    in_marketing = set(view.loc[view["silo"] == "marketing", "customer"])
    due = last[last < pd.Timestamp("2024-12-31") - pd.DateOffset(months=months)]
    return due, in_marketing


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/shanghai_vw.ipynb, section 5."""
    records, pairs, person = _notebook(world)
    sales_phones = set(records.loc[records["silo"] == "sales", "phone"].dropna())
    marketing = records[records["silo"] == "marketing"]
    share_found = float(marketing["phone"].isin(sales_phones).mean())
    names = pd.concat([world.tables[s][["record_id", "name"]] for s in SILOS], ignore_index=True)
    exact = records.assign(name=names["name"].astype(object).to_numpy(),
                           person=person.reindex(records["unique_id"]).to_numpy()).dropna(subset=["phone", "name"])
    groups = exact.groupby(["phone", "name", "person"]).size()
    truth_sizes = person.value_counts()
    exact_recall = float((groups * (groups - 1) / 2).sum() / (truth_sizes * (truth_sizes - 1) / 2).sum())
    linked = pairs[pairs["match_probability"] >= 0.9]
    precision_09 = float(linked["same_person"].mean())
    view = _scv(world, records, pairs)
    due, in_marketing = _due_table(world, view)
    due_unseen = int((~due.index.isin(list(in_marketing))).sum())
    wasted = len(view) - view["customer"].nunique()
    mailing_waste = float(wasted * world.knobs["mailing_cost"])
    return {"q1": share_found, "q2": exact_recall, "q3": precision_09, "q4": due_unseen, "q5": mailing_waste}


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would."""
    records, pairs, person = _notebook(world)
    right = answers(world)
    tab = world.tables
    raw_found = float(tab["marketing"]["phone"].isin(set(tab["sales"]["phone"].dropna())).fillna(False).mean())
    marketing = records[records["silo"] == "marketing"]
    sales_phones = set(records.loc[records["silo"] == "sales", "phone"].dropna())
    with_phone = marketing.dropna(subset=["phone"])
    names = pd.concat([tab[s][["record_id", "name"]] for s in SILOS], ignore_index=True)
    exact = records.assign(name=names["name"].astype(object).to_numpy(),
                           person=person.reindex(records["unique_id"]).to_numpy()).dropna(subset=["phone", "name"])
    g_all = exact.groupby(["phone", "name"]).size()
    g_true = exact.groupby(["phone", "name", "person"]).size()
    phone_true = exact.groupby(["phone", "person"]).size()
    truth_sizes = person.value_counts()
    true_pairs = (truth_sizes * (truth_sizes - 1) / 2).sum()
    linked = pairs[pairs["match_probability"] >= 0.9]
    view = _scv(world, records, pairs)
    due, in_marketing = _due_table(world, view)
    due6, in_m6 = _due_table(world, view, months=6)
    n_due_records = int(sum(
        (tab[s][c] < pd.Timestamp("2024-12-31") - pd.DateOffset(months=12)).sum()
        for s, c in (("sales", "purchase_date"), ("service", "last_service_date"))))
    cost = world.knobs["mailing_cost"]
    accepted = pairs[(pairs["match_probability"] >= 0.9) & (pairs["gamma_given"] != 0)]
    return {
        "q1": {"raw phone strings compared, without standardising": raw_found,
               "only the marketing records that have a phone in the denominator":
                   float(with_phone["phone"].isin(sales_phones).mean()),
               "a percentage instead of a share": 100 * right["q1"]},
        "q2": {"precision (true pairs among the rule's pairs) instead of recall":
                   float((g_true * (g_true - 1) / 2).sum() / (g_all * (g_all - 1) / 2).sum()),
               "same phone only, without the name": float((phone_true * (phone_true - 1) / 2).sum() / true_pairs),
               "a percentage instead of a share": 100 * right["q2"]},
        "q3": {"recall (true pairs found / all true pairs) instead of precision":
                   float(linked["same_person"].sum() / true_pairs),
               "a percentage instead of a share": 100 * right["q3"]},
        "q4": {"all owners due for service, marketing's list not removed": int(len(due)),
               "due sales and service records counted, not customers": n_due_records,
               "six months instead of twelve": int((~due6.index.isin(list(in_m6))).sum())},
        "q5": {"matched pairs x cost instead of (records - customers) x cost": float(len(accepted) * cost),
               "the cost of all mailings, not only the duplicated ones": float(len(records) * cost),
               "only the duplicates inside each department (each list cleaned on its own)":
                   float(sum(len(part) - part["customer"].nunique() for _, part in view.groupby("silo")) * cost)},
    }
