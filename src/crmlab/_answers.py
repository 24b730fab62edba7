"""An exercise's answer carried out of a student's kernel as plain data, for `crmlab grade`.

The grader never judges an answer inside the student's kernel, where the answer cells could rebind the
checker, the world or the recorded results. After each answer cell it runs :func:`capture`, which displays
the answer as plain, tagged JSON (:func:`encode`); the grader reads that output, rebuilds the value outside
the kernel (:func:`decode`) and judges it against a world it built itself from the roster's seed. The
student's code can choose the value of an answer, which is its right, and nothing else.

Only plain kinds survive the trip: numbers (numpy's included), booleans, text, None, and lists, tuples,
sets and dicts of them. An array, a Series or an Index travels as the list of its values, and any other
iterable as the list of what iterating it gives (what a set-type check would see). Anything else arrives as
an :class:`Opaque` placeholder that no check accepts, and the verdict says what kind it was.

This module is imported inside students' kernels: it imports nothing heavy.
"""
from __future__ import annotations

import math

__all__ = ["MIME_TYPE", "capture", "encode", "decode", "Opaque", "UNANSWERED", "ERROR"]

#: The output type that carries a captured answer.
MIME_TYPE = "application/vnd.crmlab.answer+json"
UNANSWERED = "unanswered"
ERROR = "error"
_MAX_ITEMS = 200_000  # an answer larger than this is not an answer to any exercise here


class Opaque:
    """An answer of a kind that cannot leave the kernel (a DataFrame, a model...): wrong for every check."""

    def __init__(self, kind: str, text: str = ""):
        self.kind, self.text = kind, text

    def __repr__(self) -> str:
        return f"<{self.kind}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Opaque) and (self.kind, self.text) == (other.kind, other.text)

    def __hash__(self) -> int:
        return hash((self.kind, self.text))


def _float(v: float):
    return ["f", repr(float(v))] if math.isfinite(v) else ["f", str(float(v))]


def encode(value, _budget: list | None = None):
    """``value`` as tagged JSON: ``["i", 3]``, ``["f", "0.25"]``, ``["b", true]``, ``["s", "A"]``, ``["n"]``,
    ``["l"|"t"|"set", [...]]``, ``["d", [[k, v], ...]]``, ``["x", kind, text]`` for anything else.

    >>> import numpy as np
    >>> encode([np.int64(3), np.float64(0.5), "A", None, True])
    ['l', [['i', 3], ['f', '0.5'], ['s', 'A'], ['n'], ['b', True]]]
    >>> decode(encode({"a": (1, 2.5)})) == {"a": (1, 2.5)}
    True
    """
    budget = _budget if _budget is not None else [_MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise OverflowError(f"the answer has more than {_MAX_ITEMS:,} items")
    kind = type(value).__name__
    if value is None:
        return ["n"]
    if isinstance(value, bool) or kind == "bool_":
        return ["b", bool(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, int) or (kind.startswith(("int", "uint")) and hasattr(value, "dtype")):
        return ["i", int(value)]
    if isinstance(value, float) or (kind.startswith("float") and hasattr(value, "dtype")):
        return _float(float(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        tag = "l" if isinstance(value, list) else "t" if isinstance(value, tuple) else "set"
        return [tag, [encode(v, budget) for v in value]]
    if isinstance(value, dict):
        return ["d", [[encode(k, budget), encode(v, budget)] for k, v in value.items()]]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy array or scalar, pandas Series / Index
        plain = value.tolist()
        if isinstance(plain, (list, tuple)) or not hasattr(plain, "dtype"):
            return encode(plain, budget)
    if hasattr(value, "__iter__") and not isinstance(value, (bytes, bytearray)) and kind != "DataFrame":
        try:
            return ["l", [encode(v, budget) for v in value]]
        except OverflowError:
            raise
        except Exception:  # an iterable that cannot be iterated twice or at all: opaque
            pass
    return ["x", kind, repr(value)[:200]]


def decode(tree):
    """The value :func:`encode` encoded (numbers as Python's int and float; unknown kinds as :class:`Opaque`)."""
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        return Opaque("malformed")
    tag = tree[0]
    try:
        if tag == "n":
            return None
        if tag == "b":
            return bool(tree[1])
        if tag == "s":
            return str(tree[1])
        if tag == "i":
            return int(tree[1])
        if tag == "f":
            return float(tree[1])
        if tag in ("l", "t", "set"):
            items = [decode(v) for v in tree[1]]
            return items if tag == "l" else tuple(items) if tag == "t" else set(items)
        if tag == "d":
            return {decode(k): decode(v) for k, v in tree[1]}
        if tag == "x":
            return Opaque(str(tree[1]), str(tree[2]) if len(tree) > 2 else "")
    except (TypeError, ValueError, IndexError):
        pass
    return Opaque("malformed")


def capture(exercise: str, thunk) -> None:
    """Display the answer ``thunk()`` of ``exercise`` as a :data:`MIME_TYPE` output (run by the grader after
    each answer cell): the encoded value, or ``unanswered`` for a ``...`` left in place, or the error that
    evaluating it raised (a name the student never set, a cell that failed)."""
    from IPython.display import display

    try:
        value = thunk()
        payload = ({"exercise": exercise, "status": UNANSWERED} if value is Ellipsis
                   else {"exercise": exercise, "status": "answered", "value": encode(value)})
    except Exception as exc:  # noqa: BLE001 - whatever the student's code left behind is reported, not raised
        payload = {"exercise": exercise, "status": ERROR, "error": f"{type(exc).__name__}: {exc}"[:300]}
    display({MIME_TYPE: payload}, raw=True)
