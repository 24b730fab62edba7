"""Exercise checks of the sales-types case (notebooks/sales_types.ipynb), computed from the student's own world.

Each check recomputes its answer from the world's table with numpy (the notebook uses pandas and
scikit-learn's metrics), so a notebook bug cannot make a wrong answer pass. Exercises 2 and 5 need the
notebook's classifier: a decision tree of depth 3 (``random_state=0``) on the nine cues of the training split,
refitted here; its confusion matrix and the conversions are then counted with numpy. The world is built in
cases/sales_types/world.py.

Below the checks: the answers computed the way the notebook's solutions compute them (``@solutions``) and the
classic mistakes each check must refuse (``@mistakes``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix
from sklearn.tree import DecisionTreeClassifier

from crmlab.checks import close, exercise, mistakes, solutions

CASE = "sales_types"
CUES = ["questions", "objections", "minutes_to_engage", "small_talk_minutes", "detail_checks", "companions",
        "asked_discount", "asked_for_best", "asked_guarantee"]
TYPES = ["demanding", "influencing", "steady", "compliant"]
STYLES = ["direct", "warm", "calm", "precise"]
MAX_DEPTH = 3


def _arrays(world):
    v = world.tables["visits"]
    test = (v["split"].astype(str) == "test").to_numpy()
    typ = np.array([TYPES.index(t) for t in v["type"].astype(str)])
    sty = np.array([STYLES.index(s) for s in v["style"].astype(str)])
    X = v[CUES].astype(float).to_numpy()
    return v, test, typ, sty, X, v["bought"].to_numpy().astype(float)


def _tree_predictions(world) -> np.ndarray:
    """Type codes predicted for the test split by the depth-3 tree fitted on the training split (fitted on the
    type names, as the notebook does, so that a tie between two types in a leaf is broken the same way)."""
    v, test, _, _, X, _ = _arrays(world)
    names = v["type"].astype(str).to_numpy()
    tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, random_state=0).fit(X[~test], names[~test])
    return np.array([TYPES.index(t) for t in tree.predict(X[test])], dtype=np.int64)


def _rate_table(typ, sty, bought, mask) -> np.ndarray:
    """Conversion rate by type (rows) and style (columns) among the visits in ``mask``."""
    k = len(TYPES) * len(STYLES)
    cell = typ[mask] * len(STYLES) + sty[mask]
    n = np.bincount(cell, minlength=k)
    b = np.bincount(cell, weights=bought[mask], minlength=k)
    return (b / np.maximum(n, 1)).reshape(len(TYPES), len(STYLES))


@exercise(CASE, "q1", hint="Find the most common type in the training split; the baseline predicts it for every "
                           "test visit. Its accuracy is the share of test visits of that type (between 0 and 1).",
          hint_zh="找出训练集中最常见的类型；基准模型对每条测试记录都预测这一类型。它的准确率就是测试集中属于该类型的"
                  "记录所占的比例（0到1之间）。")
def q1(world, answer):
    _, test, typ, *_ = _arrays(world)
    majority = np.argmax(np.bincount(typ[~test], minlength=len(TYPES)))
    return close(answer, float(np.mean(typ[test] == majority)), abs=5e-4,
                 what="the accuracy of the majority-type baseline on the test split",
                 what_zh="多数类基准模型在测试集上的准确率")


@exercise(CASE, "q2", hint="Recall of a type = test visits of that type predicted as that type / all test visits of "
                           "that type (a row of the confusion matrix). Give the smallest of the four.",
          hint_zh="某类型的召回率 = 该类型的测试记录中被预测为该类型的条数 / 该类型的测试记录总数（混淆矩阵的一行）。"
                  "给出四种类型中最小的那个。")
def q2(world, answer):
    _, test, typ, *_ = _arrays(world)
    pred = _tree_predictions(world)
    truth = typ[test]
    recall = [np.mean(pred[truth == j] == j) for j in range(len(TYPES)) if np.any(truth == j)]
    return close(answer, float(min(recall)), abs=5e-4, what="the lowest per-type recall of the tree",
                 what_zh="决策树各类型召回率中的最小值")


@exercise(CASE, "q3", hint="Among steady customers (all visits): the share who bought when served in the calm style "
                           "minus the share who bought when served in the direct style (a difference of shares).",
          hint_zh="在稳定型（steady）客户中（全部到店记录）：用平和（calm）风格接待时的成交比例，减去用直接（direct）"
                  "风格接待时的成交比例（两个比例之差）。")
def q3(world, answer):
    _, _, typ, sty, _, bought = _arrays(world)
    table = _rate_table(typ, sty, bought, np.ones(typ.size, dtype=bool))
    s = TYPES.index("steady")
    return close(answer, float(table[s, STYLES.index("calm")] - table[s, STYLES.index("direct")]), abs=5e-4,
                 what="the conversion gap calm - direct for steady customers",
                 what_zh="稳定型客户平和风格与直接风格的成交率之差")


@exercise(CASE, "q4", hint="On the training split, the conversion rate of each style over all customers; give the "
                           "highest (the style you would use if everyone were served alike).",
          hint_zh="在训练集上算出每种风格对全体客户的成交率，给出最高的那个（如果所有人都用同一种风格接待，你会选它）。")
def q4(world, answer):
    v, test, typ, sty, _, bought = _arrays(world)
    train = ~test
    rates = [bought[train & (sty == j)].mean() for j in range(len(STYLES)) if np.any(train & (sty == j))]
    return close(answer, float(max(rates)), abs=5e-4, what="the conversion of the best single style",
                 what_zh="最佳单一风格的成交率")


@exercise(CASE, "q5", hint="For each test visit take the training-split conversion rate of its TRUE type under the "
                           "style recommended for its PREDICTED type (the best style of that type on training); "
                           "average over the test visits.",
          hint_zh="对每条测试记录，取其真实类型在“按预测类型推荐的风格”（该预测类型在训练集上成交率最高的风格）下的"
                  "训练集成交率；再对全部测试记录求平均。")
def q5(world, answer):
    _, test, typ, sty, _, bought = _arrays(world)
    table = _rate_table(typ, sty, bought, ~test)
    best = table.argmax(axis=1)
    pred = _tree_predictions(world)
    return close(answer, float(table[typ[test], best[pred]].mean()), abs=5e-4,
                 what="the expected conversion of the tailored styles, misclassification included",
                 what_zh="计入误判后，因人而异的接待风格的预期成交率")


# ------------------------------------------------------------------------------ right answers and mistakes
def _notebook(world) -> dict:
    """The notebook's objects: train and test frames, the fitted tree, its test predictions and the
    training-split conversion table by type and style (sections 4.2–4.4)."""
    visits = world.tables["visits"]
    train = visits[visits["split"] == "train"]
    test = visits[visits["split"] == "test"]
    tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, random_state=0).fit(train[CUES], train["type"].astype(str))
    predicted = pd.Series(tree.predict(test[CUES]), index=test.index)
    rates = train.pivot_table(index="type", columns="style", values="bought", aggfunc="mean", observed=False)
    rates.index, rates.columns = rates.index.astype(str), rates.columns.astype(str)
    return {"train": train, "test": test, "predicted": predicted, "rates": rates}


@solutions(CASE)
def answers(world) -> dict:
    """The solutions of notebooks/sales_types.ipynb, section 5."""
    nb = _notebook(world)
    train, test, predicted, rates = nb["train"], nb["test"], nb["predicted"], nb["rates"]
    majority = train["type"].value_counts().idxmax()
    baseline_accuracy = float((test["type"] == majority).mean())
    cm = confusion_matrix(test["type"].astype(str), predicted, labels=TYPES)
    lowest_recall = float((cm.diagonal() / cm.sum(axis=1)).min())
    steady = world.tables["visits"].query("type == 'steady'")
    by_style = steady.groupby("style", observed=False)["bought"].mean()
    calm_minus_direct = float(by_style["calm"] - by_style["direct"])
    best_single = float(train.groupby("style", observed=False)["bought"].mean().max())
    best_style = rates.idxmax(axis=1)
    recommended = best_style[predicted.to_numpy()].to_numpy()
    tailored = float(np.mean([rates.loc[t, s] for t, s in zip(test["type"].astype(str), recommended)]))
    return {"q1": baseline_accuracy, "q2": lowest_recall, "q3": calm_minus_direct, "q4": best_single,
            "q5": tailored}


def _distinct(declared: dict, right: dict, tol: float = 1e-3) -> dict:
    """Drop a mistake that happens to give the right number in this world (e.g. a sign error on a gap of zero,
    or a precision equal to the recall): there it is not a mistake. Every exercise keeps at least one."""
    out = {}
    for q, ms in declared.items():
        kept = {what: a for what, a in ms.items() if not (np.isfinite(a) and abs(a - right[q]) <= tol)}
        out[q] = kept or ms
    return out


@mistakes(CASE)
def classic_mistakes(world) -> dict:
    """Plausible wrong answers, computed from the world the way a student making the mistake would (a mistake that
    coincides with the right answer in this world is left out, see ``_distinct``)."""
    nb = _notebook(world)
    train, test, predicted, rates = nb["train"], nb["test"], nb["predicted"], nb["rates"]
    right = answers(world)
    truth = test["type"].astype(str)
    cm = confusion_matrix(truth, predicted, labels=TYPES)
    precision = cm.diagonal() / np.maximum(cm.sum(axis=0), 1)
    accuracy = float(cm.diagonal().sum() / cm.sum())
    steady = world.tables["visits"].query("type == 'steady'")
    by_style = steady.groupby("style", observed=False)["bought"].mean()
    everyone = world.tables["visits"].groupby("style", observed=False)["bought"].mean()
    best_style = rates.idxmax(axis=1)
    majority = train["type"].value_counts().idxmax()
    perfect = float(np.mean([rates.loc[t, best_style[t]] for t in truth]))
    believed = float(np.mean([rates.loc[t, best_style[t]] for t in predicted]))
    return _distinct({
        "q1": {"a percentage instead of a share": 100 * right["q1"],
               "one type in four (guessing at random) instead of the majority type": 1 / len(TYPES)},
        "q2": {"the lowest precision (a column of the matrix) instead of recall": float(precision.min()),
               "the overall accuracy instead of the worst type's recall": accuracy},
        "q3": {"direct - calm (the wrong sign)": -right["q3"],
               "calm / direct (a ratio instead of a difference)":
                   float(by_style["calm"] / by_style["direct"]) if by_style["direct"] > 0 else float("inf"),
               "every customer, not only the steady ones": float(everyone["calm"] - everyone["direct"])},
        "q4": {"the average conversion of all training visits (styles as served at random)":
                   float(train["bought"].mean()),
               "the best style's conversion for the majority type only": float(rates.loc[majority].max())},
        "q5": {"perfect classification assumed (the true type's best style)": perfect,
               "the classifier's own view (the predicted type's rate under its best style)": believed,
               "a percentage instead of a share": 100 * right["q5"]},
    }, right)
