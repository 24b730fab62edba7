"""Exercise checks a student runs inside a case notebook, computed against their own world.

A case registers its checks in its folder, ``cases/<case_id>/checks.py``::

    @exercise("distributor_abc", "q1", hint="Count class A distributors and divide by all of them.")
    def q1(world, answer):
        expected = ...                         # computed from the student's own world
        return close(answer, expected, rel=0.01, what="the share of class A distributors")

and the notebook calls them::

    check = crmlab.checks.Checker("distributor_abc", world)
    check("q1", share_a)

A check says right or wrong and why, shows the hint when wrong, never reveals the expected value of an
unanswered exercise, and returns a :class:`Result` (truthy when right) so that tests and batches can use it.

Solutions live in notebooks between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines, which the
instructor tooling strips (:func:`strip_solutions`), leaving ``...`` for the student to fill in.

Beside its checks, a case's ``checks.py`` declares, for every exercise, the right answer computed the way
the notebook's solution computes it (:func:`solutions`) and at least one plausible wrong answer — the classic
mistake, such as an additive difference where a ratio is asked (:func:`mistakes`). The case contract test
(tests/test_case_contract.py) judges every right answer right and every declared mistake wrong, at the default
seed and at a seed nobody tuned, for every case, so a check that is too lax fails there.
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from .._casemodules import load_case_module
from .._validate import LANGS, check_lang

__all__ = ["exercise", "solutions", "mistakes", "data_worlds", "graded_world", "graded_world_maker", "solve",
           "mistaken", "points",
           "fixed_data_worlds", "Checker", "Result", "Text", "LANGS", "close",
           "equal", "same_set", "one_of", "all_of", "choice", "matching", "normalise_text", "registered",
           "strip_solutions", "WrongKind", "NOT_ANSWERED"]

NOT_ANSWERED = Ellipsis  # what a stripped solution leaves behind


@dataclass(frozen=True)
class Text:
    """One message in both languages; a check returns one so that the student reads it in theirs."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.en


def _in(lang: str, message) -> str:
    return message.get(lang) if isinstance(message, Text) else str(message)


_WORDS = {"en": {"right": "✔ right", "wrong": "✘ not yet", "hint": "hint"},
          "zh": {"right": "✔ 正确", "wrong": "✘ 还不对", "hint": "提示"}}


@dataclass(frozen=True)
class Result:
    """A check's verdict: ``ok`` is the same in every language; message and hint are in ``lang``."""

    exercise: str
    ok: bool
    message: str
    hint: str = ""
    lang: str = "en"

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        words = _WORDS.get(self.lang, _WORDS["en"])
        mark = words["right"] if self.ok else words["wrong"]
        text = f"{self.exercise}: {mark} — {self.message}"
        if not self.ok and self.hint:
            text += f"\n   {words['hint']}: {self.hint}"
        return text

    def _repr_pretty_(self, p, cycle):  # IPython display
        p.text(str(self))

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Beside the text, carry the verdict as a recorded result ``check_<exercise>`` (true/false), so that
        :func:`crmlab.results.collect` and ``crmlab batch`` can count right and wrong answers per student."""
        from ..results import MIME_TYPE

        return {MIME_TYPE: {"name": f"check_{self.exercise}", "value": self.ok}}

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class _Exercise:
    case_id: str
    name: str
    func: Callable
    hint: str
    points: float = 1.0
    hint_zh: str = ""

    def hint_in(self, lang: str) -> str:
        return self.hint_zh if lang == "zh" and self.hint_zh else self.hint


_REGISTRY: dict[tuple[str, str], _Exercise] = {}
_SOLUTIONS: dict[str, Callable] = {}
_MISTAKES: dict[str, Callable] = {}
_DATA_WORLDS: dict[str, Callable] = {}
_GRADED_WORLDS: dict[str, Callable] = {}


def exercise(case_id: str, name: str, *, hint: str = "", hint_zh: str = "", points: float = 1.0):
    """Register ``func(world, answer) -> (ok, message)`` as exercise ``name`` of ``case_id``, worth ``points``.

    ``hint`` (English) and ``hint_zh`` (Chinese) are shown with a wrong answer in the notebook's language; the
    message may be a :class:`Text` (both languages) or a plain string."""
    if not (isinstance(points, (int, float)) and not isinstance(points, bool) and math.isfinite(points)
            and points > 0):
        raise ValueError(f"points of exercise {name!r} of case {case_id!r} must be a positive number, got {points!r}")

    def deco(func):
        key = (case_id, name)
        if key in _REGISTRY:
            raise RuntimeError(f"exercise {name!r} of case {case_id!r} registered twice")
        _REGISTRY[key] = _Exercise(case_id, name, func, hint, float(points), hint_zh)
        return func

    return deco


def _register_once(table: dict, case_id: str, what: str):
    def deco(func):
        if case_id in table:
            raise RuntimeError(f"{what} of case {case_id!r} registered twice")
        table[case_id] = func
        return func

    return deco


def solutions(case_id: str):
    """Register ``func(world) -> {exercise: right answer}``: every exercise's answer, computed the way the
    notebook's solution computes it (so that checks are tested against a second computation)."""
    return _register_once(_SOLUTIONS, case_id, "solutions")


def mistakes(case_id: str):
    """Register ``func(world) -> {exercise: {what the mistake is: wrong answer}}``: for every exercise at least
    one plausible wrong answer — the classic mistake a student makes — that its check must refuse."""
    return _register_once(_MISTAKES, case_id, "mistakes")


def data_worlds(case_id: str):
    """Register ``func() -> {label: world}`` for a case on fixed (real) data rather than a seeded world: the
    worlds its checks are judged on in place of seeds (for example two calibration/holdout splits)."""
    return _register_once(_DATA_WORLDS, case_id, "data worlds")


def graded_world(case_id: str):
    """Register ``func(parameters) -> world``: the world ``crmlab grade`` judges a student's answers on, from
    the notebook's parameters (the roster seed among them). Only a case whose notebook does not make its
    checked world with ``world = crmlab.worlds.make(...)`` from its parameters needs one (the grader follows
    that call by itself)."""
    return _register_once(_GRADED_WORLDS, case_id, "graded world")


def graded_world_maker(case_id: str) -> Callable | None:
    """The function a case registered with :func:`graded_world`, or None."""
    _load(case_id)
    return _GRADED_WORLDS.get(case_id)


def fixed_data_worlds(case_id: str) -> dict | None:
    """The worlds a fixed-data case declares with :func:`data_worlds`; None for a case with a seeded world."""
    _load(case_id)
    func = _DATA_WORLDS.get(case_id)
    return None if func is None else dict(func())


def _declared(table: dict, case_id: str, what: str) -> Callable:
    _load(case_id)
    if case_id not in table:
        raise ValueError(f"case {case_id!r} declares no {what} in cases/{case_id}/checks.py")
    return table[case_id]


def solve(case_id: str, world) -> dict:
    """The right answer to every exercise of ``case_id`` for ``world``, as the case's checks.py declares them."""
    return dict(_declared(_SOLUTIONS, case_id, "solutions")(world))


def mistaken(case_id: str, world) -> dict[str, dict]:
    """The declared wrong answers of every exercise of ``case_id`` for ``world``: ``{exercise: {mistake: value}}``."""
    return {k: dict(v) for k, v in _declared(_MISTAKES, case_id, "mistakes")(world).items()}


def points(case_id: str) -> dict[str, float]:
    """``{exercise: points}`` of ``case_id`` (1 unless the exercise declares otherwise)."""
    return {n: _REGISTRY[(case_id, n)].points for n in registered(case_id)}


def registered(case_id: str) -> list[str]:
    """Names of the exercises registered for ``case_id``."""
    _load(case_id)
    return sorted(n for c, n in _REGISTRY if c == case_id)


def _load(case_id: str) -> None:
    """Import ``cases/<case_id>/checks.py`` (which registers the case's exercises), if the case has one."""
    if isinstance(case_id, str) and case_id.isidentifier():
        load_case_module(case_id, "checks")


class Checker:
    """Callable that checks a student's answers for one case against their world, speaking ``lang``.

    The verdict (right or not yet) never depends on the language; messages and hints are in ``lang``
    ("en" or "zh"), the notebook's ``lang`` parameter.
    """

    def __init__(self, case_id: str, world=None, lang: str = "en"):
        check_lang(lang)
        self.case_id = case_id
        self.world = world
        self.lang = lang
        if not registered(case_id):
            raise ValueError(f"case {case_id!r} has no registered exercises")

    def __call__(self, name: str, answer) -> Result:
        ex = _REGISTRY.get((self.case_id, name))
        if ex is None:
            raise ValueError(f"case {self.case_id!r} has no exercise {name!r}; "
                             f"its exercises are: {', '.join(registered(self.case_id))}")
        hint = ex.hint_in(self.lang)
        if answer is NOT_ANSWERED:
            return Result(name, False, _in(self.lang, _NO_ANSWER), hint, self.lang)
        try:
            ok, message = ex.func(self.world, answer)
        except _Wrong as w:
            ok, message = False, w.args[0] if w.args else str(w)
        return Result(name, bool(ok), _in(self.lang, message), hint, self.lang)


_NO_ANSWER = Text("no answer yet: replace the ... with your answer", "还没有作答：请把 ... 换成你的答案")


class WrongKind(Exception):
    """Raised inside a check when the answer has the wrong kind (text for a number, a number for a list): the
    message reaches the student as a "not yet" verdict instead of a traceback."""


_Wrong = WrongKind  # the name the helpers below use


def _what(what, what_zh) -> Text:
    if isinstance(what, Text):
        return what
    return Text(str(what), str(what_zh) if what_zh else str(what))


def _number(answer, what) -> float:
    w = what if isinstance(what, Text) else Text(str(what), str(what))
    if isinstance(answer, (str, bytes)):
        raise _Wrong(Text(f"expected a number for {w.en}, got text {answer!r}",
                          f"{w.zh}应当是一个数，而你给的是文字 {answer!r}"))
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        try:  # a one-element array or pandas scalar is fine
            answer = float(answer)
        except (TypeError, ValueError):
            kind = type(answer).__name__
            raise _Wrong(Text(f"expected a number for {w.en}, got {kind}",
                              f"{w.zh}应当是一个数，而你给的是 {kind}")) from None
    v = float(answer)
    if not math.isfinite(v):
        raise _Wrong(Text(f"expected a finite number for {w.en}, got {answer!r}",
                          f"{w.zh}应当是一个有限的数，而你给的是 {answer!r}"))
    return v


def close(answer, expected: float, *, what: str, what_zh: str = "", rel: float = 0.0, abs: float = 0.0,
          fmt: str = ".4g"):
    """A numeric answer within ``rel`` (relative) or ``abs`` (absolute) tolerance of ``expected``.

    The message says whether the answer is too high or too low, not the expected value itself, in English
    and (with ``what_zh``, the Chinese name of what is asked) in Chinese. A share asked for and a percentage
    given (5.3 for 0.053) gets a message that says so.

    >>> ok, msg = close(5.3, 0.053, what="the share of repeat buyers", what_zh="回头客占比", rel=0.01)
    >>> ok, "percentage" in msg.en, "百分数" in msg.zh
    (False, True, True)
    """
    w = _what(what, what_zh)
    v = _number(answer, w)
    tol = max(abs, rel * math.fabs(expected))
    if math.fabs(v - expected) <= tol:
        return True, Text(f"{w.en} is {v:{fmt}}", f"{w.zh}为 {v:{fmt}}")
    high = v > expected
    message = Text(f"{v:{fmt}} is {'too high' if high else 'too low'} for {w.en}",
                   f"{w.zh}：{v:{fmt}} {'偏高' if high else '偏低'}")
    if expected != 0 and math.fabs(expected) <= 1 and math.fabs(v / 100 - expected) <= max(tol, 1e-12):
        message = Text(message.en + " — it looks like a percentage: give the share as a number between 0 and 1 "
                                    "(5.3% is 0.053)",
                       message.zh + "——这看起来是百分数：请给出0到1之间的比例（5.3%应写作0.053）")
    return False, message


def equal(answer, expected, *, what: str, what_zh: str = ""):
    """An exact answer (a label, a count, a bool)."""
    w = _what(what, what_zh)
    if isinstance(expected, str):
        if not isinstance(answer, str):
            kind = type(answer).__name__
            raise _Wrong(Text(f"expected text for {w.en}, got {kind}", f"{w.zh}应当是文字，而你给的是 {kind}"))
        ok = answer.strip().lower() == expected.strip().lower()
    elif isinstance(expected, bool):
        if not isinstance(answer, (bool,)) and type(answer).__name__ != "bool_":
            raise _Wrong(Text(f"expected True or False for {w.en}, got {answer!r}",
                              f"{w.zh}应当是 True 或 False，而你给的是 {answer!r}"))
        ok = bool(answer) == expected
    else:
        ok = answer == expected
    ok = bool(ok)
    return ok, Text(f"{w.en}: {answer!r} is {'right' if ok else 'not right'}",
                    f"{w.zh}：{answer!r} {'正确' if ok else '不对'}")


def same_set(answer, expected, *, what: str, what_zh: str = ""):
    """A collection whose members must match ``expected`` (order ignored)."""
    w = _what(what, what_zh)
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        kind = type(answer).__name__
        raise _Wrong(Text(f"expected a list of items for {w.en}, got {kind}",
                          f"{w.zh}应当是一个列表，而你给的是 {kind}"))
    got, want = set(answer), set(expected)
    if got == want:
        return True, Text(f"{w.en}: all {len(want)} found", f"{w.zh}：{len(want)} 个全部找到")
    right, extra = len(got & want), len(got - want)
    return False, Text(f"{w.en}: {right} of {len(want)} right, {extra} that should not be there",
                       f"{w.zh}：应有 {len(want)} 个，你答对 {right} 个，另有 {extra} 个不该在其中")


# ----------------------------------------------------------------------------------------- text answers
def normalise_text(text: str) -> str:
    """Text as compared by :func:`one_of`, :func:`all_of` and :func:`matching`: Unicode NFKC (full-width
    letters, digits and punctuation become their ordinary forms), case-folded, with every space and every
    punctuation mark of either script (、，。；：“”‘’（）《》 and ,.;:'"()-/ …) removed.

    >>> normalise_text("（ＣＲＭ）：客户关系管理。") == normalise_text("crm 客户关系管理")
    True
    >>> normalise_text("Data-Warehouse")
    'datawarehouse'
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch)[0] in "PZ"))


def _text(answer, w: Text) -> str:
    if not isinstance(answer, str):
        kind = type(answer).__name__
        raise _Wrong(Text(f"expected text for {w.en}, got {kind}", f"{w.zh}应当是文字，而你给的是 {kind}"))
    return answer


def _variants(accepted) -> set[str]:
    """The normalised forms of one answer's accepted variants (a string or an iterable of strings)."""
    items = [accepted] if isinstance(accepted, str) else list(accepted)
    out = {normalise_text(a) for a in items}
    out.discard("")
    if not out:
        raise ValueError("an answer needs at least one accepted variant that is not empty")
    return out


def one_of(answer, accepted, *, what: str, what_zh: str = ""):
    """A text answer (a fill-in-the-blank) right when it equals any of the ``accepted`` variants — give them in
    Chinese and in English — after :func:`normalise_text` (full-width forms, case, spaces and punctuation of both
    scripts do not matter). The message echoes the student's answer only, never an accepted one.

    >>> ok, msg = one_of("客户资源价值最大化。", ["客户资源价值最大化", "maximising customer resource value"],
    ...                  what="the ultimate goal of CRM", what_zh="CRM的终极目标")
    >>> ok, msg.zh
    (True, 'CRM的终极目标：“客户资源价值最大化。” 正确')
    """
    w = _what(what, what_zh)
    given = _text(answer, w)
    norm = normalise_text(given)
    if not norm:
        return False, Text(f"{w.en}: the answer is empty", f"{w.zh}：答案是空的")
    ok = norm in _variants(accepted)
    return ok, Text(f"{w.en}: {given.strip()!r} is {'right' if ok else 'not an accepted answer'}",
                    f"{w.zh}：“{given.strip()}” {'正确' if ok else '不是可接受的答案'}")


_SEPARATORS = re.compile(r"[、，,;；/／\n]+")


def all_of(answer, expected, *, what: str, what_zh: str = "", ordered: bool = False):
    """Several blanks at once (the three types of CRM, the four Cs): ``expected`` is a list with one entry per
    blank, each a string or a list of accepted variants (Chinese and English). The answer is a list of strings,
    or one string whose parts are separated by 、，,;； or /. Order is ignored unless ``ordered``; every blank
    must be filled once. The message counts the right parts and never names a missing one.

    >>> all_of("运营型、协作型，analytical CRM", [["运营型", "operational"], ["分析型", "analytical CRM"],
    ...        ["协作型", "合作型", "collaborative"]], what="the three types of CRM")[0]
    True
    """
    w = _what(what, what_zh)
    if isinstance(answer, str):
        parts = [p for p in _SEPARATORS.split(answer) if normalise_text(p)]
    elif hasattr(answer, "__iter__") and not isinstance(answer, (bytes, dict)):
        parts = [_text(p, w) for p in answer]
    else:
        kind = type(answer).__name__
        raise _Wrong(Text(f"expected a list of texts for {w.en}, got {kind}",
                          f"{w.zh}应当是一个文字列表，而你给的是 {kind}"))
    wanted = [_variants(e) for e in expected]
    got = [normalise_text(p) for p in parts]
    if ordered:
        right = sum(1 for g, v in zip(got, wanted) if g in v)
    else:  # each blank may be filled by one part only: a greedy match suffices, variants of blanks differ
        free = list(range(len(wanted)))
        right = 0
        for g in got:
            hit = next((i for i in free if g in wanted[i]), None)
            if hit is not None:
                free.remove(hit)
                right += 1
    n = len(wanted)
    ok = right == n and len(got) == n
    if ok:
        return True, Text(f"{w.en}: all {n} right", f"{w.zh}：{n} 项全部正确")
    extra = f", {len(got)} given" if len(got) != n else ""
    extra_zh = f"，你给了 {len(got)} 项" if len(got) != n else ""
    order = " in this order" if ordered else ""
    return False, Text(f"{w.en}: {right} of {n} right{order}{extra}",
                       f"{w.zh}：应有 {n} 项，{'按顺序' if ordered else ''}答对 {right} 项{extra_zh}")


def _letters(answer, w: Text, options: str) -> str:
    text = _text(answer, w) if not isinstance(answer, (list, tuple, set)) else "".join(_text(a, w) for a in answer)
    letters = normalise_text(text)
    valid = options.casefold()
    if not letters or any(ch not in valid for ch in letters) or len(set(letters)) != len(letters):
        raise _Wrong(Text(f"expected the letter of an option ({', '.join(options)}) for {w.en}, got {text!r}",
                          f"{w.zh}应当填选项的字母（{'、'.join(options)}），而你给的是 {text!r}"))
    return "".join(sorted(letters))


def choice(answer, expected: str, *, what: str, what_zh: str = "", options: str = "ABCD"):
    """A multiple-choice answer: the letter(s) of the right option(s). "B", "b", "(B)", "（Ｂ）", "B." are the
    same answer; for several right options ("BD") their order and separators do not matter ("D, B").

    >>> [choice(a, "B", what="q")[0] for a in ("B", "b", "(B)", "Ｂ", "B.", "C")]
    [True, True, True, True, True, False]
    """
    w = _what(what, what_zh)
    want = "".join(sorted(normalise_text(expected)))
    if not want or any(ch not in options.casefold() for ch in want):
        raise ValueError(f"the expected option {expected!r} is not among {options!r}")
    got = _letters(answer, w, options)
    ok = got == want
    shown = ", ".join(got.upper())
    verdict = ("is " if len(got) == 1 else "are ") + ("right" if ok else "not right")
    return ok, Text(f"{w.en}: option{'s' if len(got) > 1 else ''} {shown} {verdict}",
                    f"{w.zh}：选项 {'、'.join(got.upper())} {'正确' if ok else '不对'}")


def matching(answer, expected: dict, *, what: str, what_zh: str = ""):
    """A matching question: ``answer`` is a dict ``{left item: right item}``; ``expected`` maps every left
    item to its right item. A left item may be given as a tuple of variants (``("认知忠诚", "cognitive
    loyalty")``, so that both editions' keys are understood), a right item as a string or a list of accepted
    variants. Keys and values are compared after :func:`normalise_text`. The verdict counts the right pairs,
    never says which pairs are wrong or what their right partner is.

    >>> ok, msg = matching({"认知忠诚": "A", "affective loyalty": "A"},
    ...                    {("认知忠诚", "cognitive loyalty"): "A", ("情感忠诚", "affective loyalty"): "B"},
    ...                    what="loyalty kinds", what_zh="忠诚类型")
    >>> ok, msg.en
    (False, 'loyalty kinds: 1 of 2 pairs right')
    """
    w = _what(what, what_zh)
    if not isinstance(answer, dict):
        kind = type(answer).__name__
        raise _Wrong(Text(f"expected a dict {{left: right}} for {w.en}, got {kind}",
                          f"{w.zh}应当是一个字典 {{左项: 右项}}，而你给的是 {kind}"))
    index, want = {}, []
    for key, value in expected.items():
        for variant in _variants(key):
            if variant in index:
                raise ValueError(f"the left item {variant!r} appears twice in a matching question")
            index[variant] = len(want)
        want.append(_variants(value))
    got: dict[int, str] = {}
    unknown = 0
    for k, v in answer.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise _Wrong(Text(f"the pairs of {w.en} must be text: {k!r}: {v!r}",
                              f"{w.zh}的每一对都应当是文字：{k!r}: {v!r}"))
        i = index.get(normalise_text(k))
        if i is None or i in got:  # an item not in the question, or one item given twice
            unknown += 1
        else:
            got[i] = normalise_text(v)
    n = len(want)
    right = sum(1 for i, v in got.items() if v in want[i])
    if right == n and not unknown:
        return True, Text(f"{w.en}: all {n} pairs right", f"{w.zh}：{n} 对全部正确")
    en = f"{w.en}: {right} of {n} pairs right"
    zh = f"{w.zh}：共 {n} 对，答对 {right} 对"
    if len(got) < n:
        en += f", {n - len(got)} not matched"
        zh += f"，{n - len(got)} 项没有配对"
    if unknown:
        en += f", {unknown} item(s) on the left that are not in the question"
        zh += f"，另有 {unknown} 个左项不在题目中（或重复）"
    return False, Text(en, zh)


_SOLUTION = re.compile(r"^([ \t]*)# BEGIN SOLUTION[^\n]*\n.*?^[ \t]*# END SOLUTION[^\n]*(\n|$)", re.S | re.M)


def strip_solutions(source: str) -> str:
    """Replace each ``# BEGIN SOLUTION`` … ``# END SOLUTION`` block by a placeholder line.

    A block that assigns ``name = …`` on its last line becomes ``name = ...  # your answer``; any other
    block becomes ``# your code here``.
    """

    def repl(m: re.Match) -> str:
        indent = m.group(1)
        body = m.group(0).splitlines()[1:-1]
        last = next((ln for ln in reversed(body) if ln.strip() and not ln.strip().startswith("#")), "")
        assign = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)", last)
        line = f"{indent}{assign.group(1)} = ...  # your answer" if assign else f"{indent}# your code here"
        return line + m.group(2)

    return _SOLUTION.sub(repl, source)
