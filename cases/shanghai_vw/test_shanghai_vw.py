"""Case ``shanghai_vw`` beyond the contract: the linkage pipeline of notebooks/shanghai_vw.ipynb (standardised keys,
the Splink model, the family-phone rule, connected components) recovers the planted identities of
cases/shanghai_vw/world.py, and the value of the single customer view it yields is close to the planted value —
at the default seed and at another. The truth these tests compare with is the world's planted ``person_id`` of
every record, which the linkage never sees.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab._casemodules import load_case_module
from crmlab.checks import solve
from crmlab.worlds import make

checks = load_case_module("shanghai_vw", "checks")


@pytest.fixture(scope="module", params=[42, 7], ids=["seed42", "seed7"])
def linked(request):
    world = make("shanghai_vw", seed=request.param)
    records = checks.standardise(world)
    _, pairs = checks.fit_linkage(records)
    person = world.truth["records"].reset_index().set_index("record_id")["person_id"]
    pairs["same_person"] = (person.reindex(pairs["unique_id_l"]).to_numpy()
                            == person.reindex(pairs["unique_id_r"]).to_numpy())
    return world, records, pairs


def _scores(world, pairs, rule):
    keep = (pairs["match_probability"] >= 0.9) & ((pairs["gamma_given"] != 0) | (not rule))
    right = int((keep & pairs["same_person"]).sum())
    return right / int(keep.sum()), right / world.truth["true_pairs"]


def test_linkage_recovers_the_planted_identities(linked):
    """Against the planted person of every record: at match probability 0.9 with the family rule the links are
    >= 96% precise and find >= 88% of the true pairs; the model alone is less precise (the planted shared family
    phones), by at least 3 points."""
    world, _, pairs = linked
    p_rule, r_rule = _scores(world, pairs, rule=True)
    p_model, _ = _scores(world, pairs, rule=False)
    assert p_rule >= 0.96 and r_rule >= 0.88
    assert p_rule - p_model >= 0.03


def test_false_links_of_the_model_alone_are_families_sharing_a_phone(linked):
    """Planted cause: most confident false links (>= 0.9, no rule) join two different people of one household."""
    world, _, pairs = linked
    person = world.truth["records"].reset_index().set_index("record_id")["person_id"]
    household = world.truth["persons"]["household"]
    false = pairs[(pairs["match_probability"] >= 0.9) & ~pairs["same_person"]]
    same_home = (household.reindex(person.reindex(false["unique_id_l"])).to_numpy()
                 == household.reindex(person.reindex(false["unique_id_r"])).to_numpy())
    assert len(false) > 0 and same_home.mean() >= 0.8


def test_single_customer_view_recovers_the_planted_value(linked):
    """The notebook's single customer view against the planted truth: number of people within 8%, owners on the
    lead list within 12%, duplicated-mailing cost within 10%, owners due for service unseen by marketing within 30%
    (missed links leave owners' records apart, which inflates this count; the bound says how much)."""
    world, records, pairs = linked
    view = checks._scv(world, records, pairs)
    t = world.truth
    n_found = view["customer"].nunique()
    assert n_found == pytest.approx(t["n_persons"], rel=0.08)
    answers = solve("shanghai_vw", world)
    assert answers["q5"] == pytest.approx(t["duplicate_mailing_cost"], rel=0.10)
    assert answers["q4"] == pytest.approx(t["due_unseen_by_marketing"], rel=0.30)
    sales = world.tables["sales"][["record_id"]].merge(view, left_on="record_id", right_on="unique_id")
    on_list = set(view.loc[view["silo"] == "marketing", "customer"])
    owners_on_list = len(set(sales["customer"]) & on_list)
    assert owners_on_list == pytest.approx(t["owners_on_lead_list"], rel=0.12)


def test_planted_truth_is_consistent_with_the_tables():
    """Independent bookkeeping: true pairs by combinatorics, duplicated mailings = records - people, sales names
    in simplified characters only, every traditional character maps to a simplified one with the same pinyin."""
    world = make("shanghai_vw", seed=3, n_owners=400)
    t = world.truth
    _, counts = np.unique(t["records"]["person_id"].to_numpy(), return_counts=True)
    assert t["true_pairs"] == int((counts * (counts - 1) // 2).sum())
    n_records = sum(len(world.tables[s]) for s in ("sales", "service", "marketing"))
    assert t["duplicate_mailings"] == n_records - counts.size
    chars = world.tables["characters"]
    traditional = set(chars.loc[chars["char"] != chars["simplified"], "char"])
    assert not any(set(name) & traditional for name in world.tables["sales"]["name"])
    by_char = chars.set_index("char")
    for ch in traditional:
        assert by_char.loc[by_char.loc[ch, "simplified"], "pinyin"] == by_char.loc[ch, "pinyin"]
    assert t["records"].loc["sales", "name_form"].eq("simplified").all()


def test_checks_use_the_students_own_world():
    """The same Q5 answer is judged against each world: doubling mailing_cost doubles the expected cost."""
    w1 = make("shanghai_vw", seed=1, n_owners=300)
    w2 = make("shanghai_vw", seed=1, n_owners=300, mailing_cost=30.0)
    a1, a2 = solve("shanghai_vw", w1)["q5"], solve("shanghai_vw", w2)["q5"]
    assert a2 == pytest.approx(2 * a1)
    assert pd.notna(a1) and a1 > 0
