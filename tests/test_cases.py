"""The case catalogue: every casebook case has a file, files and notebooks agree, schema is enforced."""
import os
import json
from pathlib import Path

import pytest
import yaml

from crmlab.cases import get_case, load_cases
from crmlab.errors import CrmlabError, UnknownCaseError
from crmlab.runner import declared_parameters

ROOT = Path(__file__).resolve().parent.parent

# Case ids of ../shared/casebook.md, sections A (casebook chapters) and B (cases with content in the seeds).
CASEBOOK_IDS = {
    "shanghai_vw", "haidilao", "ctrip", "singapore_airlines", "tesco", "starbucks", "ikea", "boeing", "air_china",
    "fedex", "beijing_post", "ceibs", "mobile_operator", "british_telecom", "haier", "kam", "frequent_flyer",
    "rewards", "distributor_abc", "zhike_promotion", "citibank_vip", "supplier_recovery", "kotler_levels", "idic",
    "cmb_lifestage", "shanghai_gm", "china_mobile_12580", "microblog", "payne_ladder", "loyalty_types",
    "satisfaction_index", "perceived_value", "jiangsu_exams", "cosmetics_graduates", "westpac_reach",
    "saas_editions", "supply_chain_crm", "sales_types", "crm_types",
}


def test_every_casebook_case_has_a_case_file():
    assert sorted(CASEBOOK_IDS - set(load_cases())) == []


def test_unknown_case_lists_valid_ids():
    with pytest.raises(UnknownCaseError, match="unknown case 'haidlao'; did you mean 'haidilao'\\?"):
        get_case("haidlao")
    with pytest.raises(UnknownCaseError, match=r"unknown case 'tesko'; did you mean 'tesco'\? \(valid: \d+ ids, see"):
        get_case("tesko")


@pytest.mark.parametrize("edit, match", [
    (lambda d: d.pop("title"), "missing field"),
    (lambda d: d.update(status="done"), "status must be one of"),
    (lambda d: d.update(notebook="notebooks/haidilao.ipynb"), "'notebook' is no longer used"),
    (lambda d: d.update(parameters={"seed": 42}), "'parameters' is no longer used: parameters are declared once"),
    (lambda d: d.update(colour="red"), "unknown field"),
    (lambda d: d.update(id="haidilao_2"), "folder's name must match the id"),
    (lambda d: d.update(sources=[{"note": "x"}]), "each source needs"),
    (lambda d: d.update(sources=[{"seed": "000_5648a0db4edeb316.txt", "lines": "1"}]), "each source needs 'source'"),
    (lambda d: d.update(sources=[{"source": "casebook", "lines": "1"}]), "unknown source 'casebook'; valid keys: crm_qa"),
    (lambda d: d.update(sources=[{"source": "crm_qa"}]), "needs 'lines'"),
    (lambda d: d.update(sources=[{"source": "crm_qa", "lines": "300-301"}]), "which has 271 lines"),
    (lambda d: d.update(learning_objectives={"en": ["a", "b"], "zh": ["甲"]}), "one for one: 2 in 'en', 1 in 'zh'"),
    (lambda d: d.update(discussion_questions={"fr": ["a"]}), "must be a list, or a mapping"),
    (lambda d: d["title"].pop("zh"), "title must have both"),
])
def test_malformed_case_files_are_refused_with_the_file_named(tmp_path, edit, match):
    data = yaml.safe_load((ROOT / "cases" / "haidilao" / "case.yaml").read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / "haidilao").mkdir()
    (tmp_path / "haidilao" / "case.yaml").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CrmlabError, match=f"cases/haidilao/case.yaml: .*{match}"):
        load_cases(tmp_path)


def test_case_parameters_are_read_from_the_notebook(tiny_project):
    """case.yaml no longer repeats parameters: a case reports what its notebook's parameters cell declares
    (the throw-away project's ready case, fixture tiny_project)."""
    params = get_case("tiny").parameters()
    declared = declared_parameters(tiny_project / "notebooks" / "tiny.ipynb")
    assert list(params) == list(declared) == ["seed", "label", "scale"]
    assert params == {"seed": 1, "label": "x", "scale": 1.5}
