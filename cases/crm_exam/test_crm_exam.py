"""crm_exam beyond the contract: both editions' answer keys are right (the contract judges only the English one
that checks.py declares), the accepted answers come from the source's own wording, and a review can be run,
handed out and graded without a world."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crmlab._casemodules import load_case_module
from crmlab.checks import Checker, registered

ROOT = Path(__file__).resolve().parents[2]
CASE = "crm_exam"
EDITIONS = {"en": ROOT / "notebooks" / f"{CASE}.ipynb", "zh": ROOT / "notebooks" / "zh" / f"{CASE}.ipynb"}


def _answers(path: Path) -> dict:
    """Every exercise's answer as the notebook's own solution cells compute it: the code cells run in order
    (outside a kernel; the magic dropped), each answer read from its ``check("qN", name)`` line."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    ns: dict = {}
    names = {}
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"]).replace("%matplotlib inline", "")
        exec(compile(src, str(path), "exec"), ns)  # noqa: S102 - our own committed notebook
        names.update(re.findall(r'check\("(q\d+)", (\w+)\)', src))
    return {q: ns[var] for q, var in names.items()}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_editions_answer_key_is_right_in_either_language(lang):
    """The Chinese key (Chinese strings, 优势/劣势 for S/W, 消费者 for consumer) is judged by the same checks
    as the English one, and each is right whatever language the checker speaks."""
    import matplotlib

    matplotlib.use("Agg")
    answers = _answers(EDITIONS[lang])
    assert sorted(answers) == registered(CASE)
    for speaks in ("en", "zh"):
        check = Checker(CASE, None, lang=speaks)
        wrong = {q: str(check(q, a)) for q, a in answers.items() if not check(q, a)}
        assert not wrong, f"{lang} key judged wrong in {speaks}: {wrong}"


def test_the_two_editions_answer_in_different_languages():
    """Guard for the test above: the keys really differ (a copied English key would prove nothing)."""
    en, zh = _answers(EDITIONS["en"]), _answers(EDITIONS["zh"])
    assert en["q3"] != zh["q3"] and en["q29"] != zh["q29"] and en["q8"] != zh["q8"]


def test_accepted_answers_start_with_the_sources_own_wording():
    """The first accepted variant of every blank is the wording of the review material itself (analytical CRM
    course pack, source 1, lines 20–217), read from the document: the checks test what the source says."""
    from crmlab import sources

    path = sources.seed_path("analytical_crm")
    if path is None:
        pytest.skip("the source documents are not on this machine")
    text = "".join(Path(path).read_text(encoding="utf-8").splitlines(keepends=True)[19:217])
    mod = load_case_module(CASE, "checks")
    groups = [mod.CRM_TYPES, mod.FOUR_C, mod.STRATEGIES, mod.RESOURCE, mod.LOYALTY, mod.LEVELS, mod.DW_TYPES,
              mod.VALUE_TWO, mod.LAYERS, mod.LOYALTY_FACTORS, mod.VALUE_PARTS, mod.CORE_IDEA, mod.RELATIONS]
    firsts = [g[0] for group in groups for g in group]
    firsts += [mod.GOAL[0], mod.BASIS[0], mod.DBMS[0], mod.CRM_NAME[0], mod.RETENTION[0], mod.KEEPING[0],
               mod.EXPECTATION[0], mod.TOUCHPOINTS[0]]
    firsts += [k[0] for k in (*mod.DEFINITIONS_1, *mod.DEFINITIONS_2, *mod.SWOT)]
    missing = [f for f in firsts if f not in text]
    assert not missing, f"not in the source's lines 20–217: {missing}"


def test_classic_confusions_are_refused_in_both_scripts():
    """The confusions the review warns about, written the way students write them, are wrong."""
    check = Checker(CASE, None)
    assert not check("q8", "行为忠诚、意愿忠诚、情感忠诚、认知忠诚")  # the order reversed
    assert not check("q8", "affective, cognitive, conative, behavioural")
    assert check("q8", "认知、情感、意愿、行为") and check("q8", "Cognitive; Affective; Conative; Behavioral")
    assert not check("q11", "A")  # a data mart is not the warehouse
    assert not check("q13", ["企业数据仓库", "数据集市", "数据集市"])
    assert not check("q6", ["拉链战略", "拉链战略", "维可牢战略"])
    assert check("q6", "（扣钩战略）、拉链战略、ＶＥＬＣＲＯ strategy")
    assert not check("q4", "运营型、分析型、交易型") and check("q4", "协作型，运营型，分析型")


@pytest.mark.slow
def test_a_review_runs_is_handed_out_and_graded_without_a_world(tmp_path):
    """`crmlab run`, `crmlab start` and `crmlab grade` on the review: the run records every check right, the
    handed-out notebook has no solution, and grading the unanswered hand-in gives 0 points with every
    exercise unanswered."""
    import csv

    from crmlab.cli import main

    assert main(["run", CASE, "--out", str(tmp_path / "run"), "--force"]) == 0
    assert main(["start", CASE, "--student-id", "s1", "--out", str(tmp_path / "ws")]) == 0
    handed = next((tmp_path / "ws").rglob(f"{CASE}.ipynb"))
    text = handed.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "= ...  # your answer" in text and "seed = " in text
    subs = tmp_path / "subs" / "s1"
    subs.mkdir(parents=True)
    (subs / f"{CASE}.ipynb").write_text(text, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\ns1\n", encoding="utf-8")
    out = tmp_path / "graded"
    assert main(["grade", str(tmp_path / "subs"), "--roster", str(roster), "--out", str(out), "--workers", "1"]) == 0
    long = list(csv.DictReader(open(out / "gradebook_long.csv", encoding="utf-8")))
    assert len(long) == len(registered(CASE)) and {r["verdict"] for r in long} == {"unanswered"}
