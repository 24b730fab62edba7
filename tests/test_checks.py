"""Exercise checks and solution stripping (crmlab.checks), on a throw-away exercise registry entry."""
import numpy as np
import pytest

from crmlab import checks
from crmlab.checks import Checker, close, equal, exercise, same_set, strip_solutions


@pytest.fixture(scope="module", autouse=True)
def _toy_case():
    @exercise("_toy", "mean", hint="Average the column.", hint_zh="对这一列求平均。")
    def _mean(world, answer):
        return close(answer, float(np.mean(world)), rel=0.01, what="the mean", what_zh="平均值")

    @exercise("_toy", "share", hint="Divide by all of them.")
    def _share(world, answer):
        return close(answer, 0.053, rel=0.01, what="the share", what_zh="占比")

    @exercise("_toy", "label", hint="Look at the biggest value.")
    def _label(world, answer):
        return equal(answer, "big" if max(world) > 5 else "small", what="the label")

    yield
    for key in [k for k in checks._REGISTRY if k[0] == "_toy"]:
        del checks._REGISTRY[key]


def test_right_and_wrong_answers_are_judged_against_the_world():
    check = Checker("_toy", [2.0, 4.0, 9.0])  # the mean of this world is 5.0
    assert check("mean", 5.02) and "the mean is 5.02" in str(check("mean", 5.02))
    wrong = check("mean", 6.0)
    assert not wrong
    assert "too high" in wrong.message and "hint: Average the column." in str(wrong)
    assert "5" not in wrong.message.replace("6", "")  # the expected value is not given away
    assert check("label", "Big ") and not check("label", "small")
    # another world, another expected value: the same answer is now wrong
    assert not Checker("_toy", [1.0, 1.0])("mean", 5.0)


def test_unanswered_and_wrongly_typed_answers_get_a_message_not_an_exception():
    check = Checker("_toy", [1.0])
    assert "no answer yet" in check("mean", ...).message
    assert "expected a number for the mean, got text 'five'" in check("mean", "five").message
    assert not check("mean", "5.0")  # a number written as text is not accepted as a number
    assert "expected text" in check("label", 3).message


def test_unknown_exercise_and_case_are_named():
    with pytest.raises(ValueError, match="no exercise 'q9'; its exercises are: label, mean"):
        Checker("_toy", [1.0])("q9", 1)
    with pytest.raises(ValueError, match="case 'nowhere' has no registered exercises"):
        Checker("nowhere")


def test_same_set_counts_hits_and_extras():
    ok, msg = same_set(["a", "c", "x"], ["a", "b", "c"], what="the A accounts")
    assert not ok and "2 of 3 right, 1 that should not be there" in msg.en
    assert same_set(("b", "a"), ["a", "b"], what="s")[0]


def test_strip_solutions_leaves_placeholders():
    src = ("x = 1\n"
           "# BEGIN SOLUTION\n"
           "tmp = x * 2\n"
           "share_a = tmp / 10\n"
           "# END SOLUTION\n"
           "check('q1', share_a)\n"
           "    # BEGIN SOLUTION\n"
           "    plt.plot(x)\n"
           "    # END SOLUTION\n")
    out = strip_solutions(src)
    assert out == ("x = 1\nshare_a = ...  # your answer\ncheck('q1', share_a)\n    # your code here\n")
    assert strip_solutions("no solutions here\n") == "no solutions here\n"


def test_the_verdict_is_the_same_in_both_languages_and_the_message_is_in_the_students():
    """Each answer gets one verdict whatever the language; messages and hints follow ``lang``."""
    world = [2.0, 4.0, 9.0]
    en, zh = Checker("_toy", world), Checker("_toy", world, lang="zh")
    for answer in (5.0, 6.0, 4.0, "five", ...):
        assert bool(en("mean", answer)) == bool(zh("mean", answer))
    wrong = zh("mean", 6.0)
    assert "偏高" in wrong.message and "提示: 对这一列求平均。" in str(wrong) and "✘ 还不对" in str(wrong)
    assert "✔ 正确" in str(zh("mean", 5.0)) and "平均值为 5" in zh("mean", 5.0).message
    assert "还没有作答" in zh("mean", ...).message
    assert "应当是一个数" in zh("mean", "five").message
    # an exercise without a Chinese hint falls back to its English hint rather than to nothing
    assert "Divide by all of them." in str(zh("share", 1.0))
    with pytest.raises(ValueError, match="lang must be 'en' or 'zh', got 'fr'"):
        Checker("_toy", world, lang="fr")


@pytest.mark.parametrize("lang, words", [("en", "looks like a percentage"), ("zh", "百分数")])
def test_a_percentage_given_for_a_share_gets_a_hint_that_says_so(lang, words):
    check = Checker("_toy", [1.0], lang=lang)
    assert not check("share", 5.3) and words in check("share", 5.3).message
    assert words not in check("share", 0.07).message  # an ordinary wrong share is just too high
    assert check("share", 0.0531)


# ------------------------------------------------------------------------ text answers (kind review)
from crmlab.checks import all_of, choice, matching, normalise_text, one_of  # noqa: E402

GOAL = ["客户资源价值的最大化", "客户资源价值最大化", "maximising the value of customer resources",
        "maximizing the value of customer resources"]


@pytest.mark.parametrize("answer", ["客户资源价值的最大化", "客户资源价值最大化。", " 客户 资源价值的最大化 ",
                                    "“客户资源价值的最大化”", "Maximising the value of customer resources.",
                                    "MAXIMIZING THE VALUE OF CUSTOMER-RESOURCES", "ｍａｘｉｍｉｓｉｎｇ the value of "
                                    "customer resources", "（客户资源价值的最大化）"])
def test_one_of_accepts_every_variant_in_both_scripts_after_normalising(answer):
    assert one_of(answer, GOAL, what="the goal", what_zh="目标")[0]


@pytest.mark.parametrize("answer", ["客户满意度的最大化", "企业利润最大化", "maximising profit", "customer", "。"])
def test_one_of_refuses_a_wrong_variant_without_revealing_an_accepted_one(answer):
    ok, msg = one_of(answer, GOAL, what="the goal", what_zh="目标")
    assert not ok
    for accepted in GOAL:
        assert accepted not in msg.en and accepted not in msg.zh
    assert "目标" in msg.zh


def test_one_of_wants_text_and_normalises_full_width_digits_and_punctuation():
    with pytest.raises(checks.WrongKind):
        one_of(3, ["3"], what="x")
    assert normalise_text("ＣＲＭ　４Ｃ，（成本）") == normalise_text("crm 4c 成本") == "crm4c成本"
    assert one_of("４Ｃ", ["4C"], what="x")[0] and not one_of("4D", ["4C"], what="x")[0]


def test_all_of_takes_a_list_or_one_string_in_any_order_and_counts_right_parts():
    types = [["运营型", "operational"], ["分析型", "analytical"], ["协作型", "合作型", "collaborative"]]
    assert all_of("协作型、运营型、分析型", types, what="types")[0]
    assert all_of(["Analytical", "OPERATIONAL", "合作型"], types, what="types")[0]
    assert all_of("operational; analytical / collaborative", types, what="types")[0]
    ok, msg = all_of(["运营型", "分析型", "交易型"], types, what="types", what_zh="类型")
    assert not ok and "2 of 3 right" in msg.en and "答对 2 项" in msg.zh and "协作型" not in msg.zh
    assert not all_of(["运营型", "运营型", "分析型"], types, what="types")[0]  # one blank filled twice
    assert not all_of(["运营型", "分析型"], types, what="types")[0]
    assert not all_of(["运营型", "分析型", "协作型", "交易型"], types, what="types")[0]
    seq = [["活动", "act"], ["情节", "episode"], ["片段", "sequence"]]
    assert all_of("活动、情节、片段", seq, what="levels", ordered=True)[0]
    assert not all_of("片段、情节、活动", seq, what="levels", ordered=True)[0]


@pytest.mark.parametrize("answer, ok", [("B", True), ("b", True), ("(B)", True), ("Ｂ", True), ("B.", True),
                                        ("（Ｂ）", True), (" b ", True), ("C", False), ("BC", False)])
def test_choice_accepts_the_letter_however_written(answer, ok):
    assert choice(answer, "B", what="q", what_zh="题")[0] is ok


def test_choice_with_several_options_and_bad_letters():
    assert choice("D, B", "BD", what="q")[0] and choice(["b", "d"], "BD", what="q")[0]
    assert not choice("B", "BD", what="q")[0]
    with pytest.raises(checks.WrongKind):
        choice("E", "B", what="q")
    with pytest.raises(checks.WrongKind):
        choice("", "B", what="q")
    ok, msg = choice("C", "B", what="q", what_zh="题")
    assert "B" not in msg.en and "B" not in msg.zh


def test_matching_is_judged_pair_by_pair_and_reports_only_the_count():
    want = {"认知忠诚": ["产品信息", "information"], "情感忠诚": ["喜爱", "liking"], "行为忠诚": ["重复购买", "repeat"]}
    assert matching({"认知忠诚": "information", "情感忠诚": "喜爱。", "行为忠诚": "REPEAT"}, want, what="m")[0]
    assert matching({"（认知忠诚）": "产品信息", "情感忠诚": "liking", "行为忠诚": "重复购买"}, want, what="m")[0]
    ok, msg = matching({"认知忠诚": "喜爱", "情感忠诚": "产品信息", "行为忠诚": "repeat"}, want, what="m", what_zh="配对")
    assert not ok and "1 of 3 pairs right" in msg.en and "答对 1 对" in msg.zh
    assert "认知" not in msg.en + msg.zh and "information" not in msg.en + msg.zh
    ok, msg = matching({"认知忠诚": "产品信息", "意愿忠诚": "repeat"}, want, what="m")
    assert not ok and "1 of 3 pairs right, 2 not matched, 1 item(s)" in msg.en
    with pytest.raises(checks.WrongKind):
        matching(["认知忠诚"], want, what="m")


def test_text_comparators_give_the_same_verdict_in_both_languages_through_a_checker():
    @exercise("_toy_text", "goal", hint="Read the definition again.", hint_zh="再读一遍定义。")
    def _goal(world, answer):
        return one_of(answer, GOAL, what="the goal", what_zh="终极目标")

    try:
        en, zh = Checker("_toy_text"), Checker("_toy_text", lang="zh")
        for answer in ("客户资源价值最大化", "maximising profit", 3, ...):
            assert bool(en("goal", answer)) == bool(zh("goal", answer))
        assert "应当是文字" in zh("goal", 3).message and "再读一遍定义" in str(zh("goal", "x"))
    finally:
        del checks._REGISTRY[("_toy_text", "goal")]


def test_matching_understands_left_items_in_either_language():
    want = {("认知忠诚", "cognitive loyalty"): ["A"], ("情感忠诚", "affective loyalty"): "B"}
    assert matching({"Cognitive Loyalty": "a", "情感忠诚": "（B）"}, want, what="m")[0]
    ok, msg = matching({"认知忠诚": "A", "cognitive loyalty": "B"}, want, what="m")
    assert not ok and "1 of 2 pairs right, 1 not matched, 1 item(s)" in msg.en
