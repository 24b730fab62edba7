"""The case catalogue: every casebook case has a file, files and notebooks agree, schema is enforced."""
import ast
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
SEEDS = ROOT.parent / "shared" / "seeds"


def test_every_casebook_case_has_a_case_file():
    assert sorted(CASEBOOK_IDS - set(load_cases())) == []


def test_every_case_file_points_at_its_notebook_when_ready_and_none_when_planned():
    for case in load_cases().values():
        exists = (ROOT / case.notebook).is_file()
        if case.ready:
            assert exists, f"{case.id} is ready but {case.notebook} is missing"
        else:
            assert not exists, f"{case.id} is planned but {case.notebook} exists: mark it ready"


def test_every_notebook_has_a_case_file():
    ids = set(load_cases())
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert nb.stem in ids, f"{nb.name} has no cases/{nb.stem}.yaml"


def test_ready_case_parameters_match_the_notebook_parameters_cell():
    for case in load_cases().values():
        if not case.ready:
            continue
        declared = declared_parameters(case.notebook_path)
        assert "seed" in declared, f"{case.notebook} declares no seed"
        for name, value in case.parameters.items():
            assert name in declared, f"{case.id}: parameter {name} not in the notebook's parameters cell"
            assert ast.literal_eval(declared[name]["default"]) == value, f"{case.id}: {name} differs"


def test_seed_sources_name_real_seed_files_and_line_ranges():
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail("CI runs with shared/ beside the checkout; ../shared/seeds is missing")
        pytest.skip("../shared/seeds is not beside this checkout")
    for case in load_cases().values():
        for src in case.sources:
            if "seed" not in src:
                continue
            path = SEEDS / src["seed"]
            assert path.is_file(), f"{case.id}: no seed file {src['seed']}"
            n_lines = len(path.read_text(encoding="utf-8").splitlines())
            if "lines" in src:
                first, _, last = str(src["lines"]).partition("-")
                assert 1 <= int(first) <= int(last or first) <= n_lines, f"{case.id}: lines {src['lines']}"


def test_unknown_case_lists_valid_ids():
    with pytest.raises(UnknownCaseError, match="valid ids: .*haidilao"):
        get_case("haidlao")


@pytest.mark.parametrize("edit, match", [
    (lambda d: d.pop("title"), "missing field"),
    (lambda d: d.update(status="done"), "status must be one of"),
    (lambda d: d.update(notebook="notebooks/other.ipynb"), "notebook must be"),
    (lambda d: d.update(sources=[{"note": "x"}]), "each source needs"),
    (lambda d: d["title"].pop("zh"), "title must have both"),
    (lambda d: d.update(parameters={"n": 1}), "must be a mapping that includes 'seed'"),
])
def test_malformed_case_files_are_refused_with_the_file_named(tmp_path, edit, match):
    data = yaml.safe_load((ROOT / "cases" / "haidilao.yaml").read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / "haidilao.yaml").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CrmlabError, match=f"haidilao.yaml: .*{match}"):
        load_cases(tmp_path)
