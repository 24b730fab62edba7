"""Exercise checks and solution stripping (crmlab.checks), on a throw-away exercise registry entry."""
import numpy as np
import pytest

from crmlab import checks
from crmlab.checks import Checker, close, equal, exercise, same_set, strip_solutions


@pytest.fixture(scope="module", autouse=True)
def _toy_case():
    @exercise("_toy", "mean", hint="Average the column.")
    def _mean(world, answer):
        return close(answer, float(np.mean(world)), rel=0.01, what="the mean")

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
    assert not ok and "2 of 3 right, 1 that should not be there" in msg
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
