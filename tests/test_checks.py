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
