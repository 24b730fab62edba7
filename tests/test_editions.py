"""The two editions of every notebook: notebooks/<id>.ipynb (English) and notebooks/zh/<id>.ipynb (中文).

Their code cells must be equal up to string literals: the same syntax tree once every string constant is
blanked (an f-string keeps its interpolated expressions, in order). Where Chinese word order needs another
order, both editions use ``"template".format(name=...)``: the template is a string literal, free to order
its fields.
Printed sentences, chart labels and table headers may be translated; the analysis may not differ. The
results both editions record at the same parameters must be equal, and the Chinese edition must read as
Chinese and use the glossary's terms (crmlab.glossary), never a rendering the glossary rules out.
"""
from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import pytest

from crmlab import glossary
from crmlab.cases import load_cases
from crmlab.results import collect
from crmlab.runner import declared_parameters

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
READY = sorted(cid for cid, c in load_cases().items() if c.ready)
PAIRS = [cid for cid in READY if (NOTEBOOKS / "zh" / f"{cid}.ipynb").is_file()]
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def test_every_ready_notebook_has_its_chinese_edition():
    missing = [cid for cid in READY if cid not in PAIRS]
    assert not missing, f"no Chinese edition notebooks/zh/<id>.ipynb for: {', '.join(missing)}"


def test_every_chinese_notebook_has_an_english_one():
    for nb in sorted((NOTEBOOKS / "zh").glob("*.ipynb")):
        assert (NOTEBOOKS / nb.name).is_file(), f"notebooks/zh/{nb.name} has no English edition"


def _cells(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _python(source: str) -> ast.Module:
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


class _Blank(ast.NodeTransformer):
    """String constants become "", each f-string a "" plus the list of what it interpolates, in order."""

    def __init__(self):
        self.interpolated = []

    def visit_JoinedStr(self, node):
        found = [ast.dump(v) for v in node.values if isinstance(v, ast.FormattedValue)]
        self.interpolated.append(found)
        return ast.copy_location(ast.Constant(""), node)

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(""), node)
        return node


def code_signature(source: str):
    """What must be equal between editions: the tree with strings blanked, and each f-string's expressions."""
    tree = _python(source)
    blank = _Blank()
    tree = blank.visit(copy.deepcopy(tree))
    return ast.dump(tree), blank.interpolated


def test_code_signature_ignores_strings_but_not_logic():
    """The comparison itself: translations pass; a changed number, name, interpolated value or the order of an
    f-string's interpolations does not (a format template may reorder its named fields)."""
    en = 'print(f"{share:.1%} of customers", "A")\nx = label("churn", "流失")'
    assert code_signature(en) == code_signature('print(f"客户中的{share:.1%}", "甲")\nx = label("流失率", "流失")')
    assert code_signature('print(f"{a} of {b}")') != code_signature('print(f"{b}中的{a}")')
    assert code_signature('print("{a} of {b}".format(a=x, b=y))') == code_signature('print("{b}中的{a}".format(a=x, b=y))')
    assert code_signature(en) != code_signature('print(f"{share:.2%} of customers", "A")\nx = label("a", "b")')
    assert code_signature(en) != code_signature('print(f"{total:.1%} of customers", "A")\nx = label("a", "b")')
    assert code_signature("y = a / b") != code_signature("y = a - b")


@pytest.mark.parametrize("case_id", PAIRS)
def test_code_cells_are_equal_up_to_string_literals(case_id):
    en = [c for c in _cells(NOTEBOOKS / f"{case_id}.ipynb") if c["cell_type"] == "code"]
    zh = [c for c in _cells(NOTEBOOKS / "zh" / f"{case_id}.ipynb") if c["cell_type"] == "code"]
    assert len(en) == len(zh), f"{len(en)} code cells in English, {len(zh)} in Chinese"
    for i, (a, b) in enumerate(zip(en, zh)):
        assert a.get("metadata", {}).get("tags", []) == b.get("metadata", {}).get("tags", []), f"cell {i} tags"
        sa, sb = code_signature("".join(a["source"])), code_signature("".join(b["source"]))
        assert sa == sb, (f"code cell {i} differs beyond string literals:\n--- en\n{''.join(a['source'])}\n"
                          f"--- zh\n{''.join(b['source'])}")


@pytest.mark.parametrize("case_id", PAIRS)
def test_parameters_are_the_same_but_the_language(case_id):
    en = {k: v["default"] for k, v in declared_parameters(NOTEBOOKS / f"{case_id}.ipynb").items()}
    zh = {k: v["default"] for k, v in declared_parameters(NOTEBOOKS / "zh" / f"{case_id}.ipynb").items()}
    assert en.pop("lang") == '"en"' and zh.pop("lang") == '"zh"'
    assert en == zh


@pytest.mark.parametrize("case_id", PAIRS)
def test_both_editions_record_the_same_results(case_id):
    """The committed outputs of both editions, executed at the same parameters but the language, record the
    same key results and the same check verdicts: one analysis, two languages."""
    en, zh = collect(NOTEBOOKS / f"{case_id}.ipynb"), collect(NOTEBOOKS / "zh" / f"{case_id}.ipynb")
    assert en, f"{case_id}: the English edition records no results"
    assert en == zh


@pytest.mark.parametrize("case_id", PAIRS)
def test_the_chinese_edition_reads_as_chinese_and_follows_the_glossary(case_id):
    cells = _cells(NOTEBOOKS / "zh" / f"{case_id}.ipynb")
    prose = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    cjk, latin = len(CJK.findall(prose)), len(LATIN.findall(prose))
    assert cjk >= 0.5 * (cjk + latin), f"{case_id}: the markdown is {cjk} Chinese characters to {latin} letters"
    text = "".join("".join(c["source"]) for c in cells)
    for bad, term in glossary.AVOID.items():
        assert bad not in text, f"{case_id}: {bad!r} is not used; the glossary's term is {term.zh!r}"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(ROOT.glob("src/crmlab/**/*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_rendering_the_glossary_rules_out(path):
    text = path.read_text(encoding="utf-8")
    if path.name == "glossary.py":
        return
    for bad, term in glossary.AVOID.items():
        assert bad not in text, f"{path.name}: {bad!r} is not used; the glossary's term is {term.zh!r}"
