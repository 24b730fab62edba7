"""A student's own workspace (`crmlab start`): the student version of each case notebook, on their own world.

A workspace is a folder with ``<case>.ipynb`` for each case asked for — the solutions stripped
(:func:`crmlab.assign.student_version`), the seed in the parameters cell replaced by the student's own
(:func:`crmlab.batch.student_seed` of their id, the seed ``crmlab grade`` will judge them with) — and a short
README in the student's language. An instructor makes one per roster row in one call
(:func:`make_workspaces`): ``<out>/<student_id>/``, ready to hand out. What a student hands back is that
folder's notebooks: ``crmlab grade`` reads ``<student_id>/<case>.ipynb``.

The same folder serves a student working alone: the notebooks under ``notebooks/`` are the answer keys,
with every solution written out; a workspace is where the exercises are still exercises.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ._validate import check_lang
from .errors import CrmlabError

__all__ = ["case_notebook", "handed_out", "make_workspace", "make_workspaces", "Workspace", "SEED_COMMENT"]

#: The comment the seed line gets in a handed-out notebook, per language.
SEED_COMMENT = {"en": "your own world, from your student id: keep it (your answers are graded on this world)",
                "zh": "你自己的数据世界，由学号生成：请不要改动（评分就在这个数据世界上进行）"}
_SEED_LINE = re.compile(r"^seed\s*=.*$", re.M)


def case_notebook(case_id: str, lang: str = "en") -> Path:
    """The instructor's notebook (with solutions) of a ready case with exercises, in edition ``lang``."""
    from .cases import get_case
    from .paths import project_root

    from .checks import registered

    check_lang(lang)
    case = get_case(case_id).require_ready("hand out")
    if not registered(case_id):
        raise CrmlabError(f"case {case_id!r} has no exercises: there is nothing to hand out (it is a {case.kind} "
                          "notebook; `crmlab run` runs it)")
    path = project_root() / case.notebook_for(lang)
    if not path.is_file():
        raise CrmlabError(f"case {case_id!r} has no {lang!r} edition yet ({case.notebook_for(lang)})")
    return path


def _parameters_cell(nb):
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise CrmlabError(f"the notebook has {len(cells)} cells tagged 'parameters'; exactly one is needed")
    return cells[0]


def handed_out(notebook, seed: int, lang: str | None = None):
    """The notebook a student gets: the student version of ``notebook`` with ``seed = <seed>`` in its
    parameters cell (and a comment, in the notebook's language, saying to keep it).

    Raises :class:`~crmlab.errors.CrmlabError` when the notebook has no solution to strip or no ``seed``
    parameter (nothing would make the student's world their own).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("seed = 42  # random seed\\nlang = 'en'", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("# BEGIN SOLUTION\\nq1 = seed * 2\\n# END SOLUTION\\ncheck('q1', q1)")])
    >>> out = handed_out(nb, 1234)
    >>> print(out.cells[0].source.splitlines()[0])
    seed = 1234  # your own world, from your student id: keep it (your answers are graded on this world)
    >>> print(out.cells[1].source)
    q1 = ...  # your answer
    check('q1', q1)
    """
    from .assign import student_version

    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise CrmlabError(f"seed must be a non-negative integer, got {seed!r}")
    nb = student_version(notebook)
    cell = _parameters_cell(nb)
    if not _SEED_LINE.search(cell.source):
        raise CrmlabError("the parameters cell has no 'seed = ...' line: a handed-out notebook needs the "
                          "student's seed there")
    if lang is None:
        lang = _notebook_lang(cell.source)
    comment = SEED_COMMENT.get(lang, SEED_COMMENT["en"])
    cell.source = _SEED_LINE.sub(f"seed = {seed}  # {comment}", cell.source, count=1)
    return nb


def _notebook_lang(parameters_source: str) -> str:
    """The ``lang = "..."`` of a parameters cell ("en" when absent or not a literal)."""
    try:
        tree = ast.parse(parameters_source)
    except SyntaxError:
        return "en"
    for node in tree.body:
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "lang" for t in node.targets)
                and isinstance(node.value, ast.Constant) and node.value.value in ("en", "zh")):
            return node.value.value
    return "en"


_README = {
    "en": """# Your crmlab workspace{who}

This folder is yours: {n} case notebook(s), each on **your own synthetic world**. The data are generated from
your seed ({seed}, derived from your student id), so your numbers differ from your classmates' and your
answers are checked against your own data.

## Start here
1. Open this folder in JupyterLab (from the crmlab project: `.venv/bin/jupyter lab {folder}`).
2. Open a notebook and run it from the top (*Run ▸ Run All Cells*). Every cell before the first exercise runs
   as it is: read the case, the data dictionary and the analysis.
3. Each exercise cell has a line like `share = ...  # your answer`. Replace the `...` with your answer (code
   or a number) and run the cell: `check(...)` says at once whether it is right for your world, with a hint
   when it is not yet.

Notebooks: {files}

## Rules that keep your grade fair
- Keep the parameters cell as it is, above all `seed = {seed}`: your answers are graded on the world of the
  seed your instructor's roster gives you, whatever the notebook says, and a changed seed is reported.
- Change only the exercise cells (you may add cells of your own). The grader runs your instructor's version of
  every other cell.
- Hand in the notebooks with their names unchanged (`<case>.ipynb`), in a folder named by your student id.

## Studying on your own
Work here, not in `notebooks/` of the crmlab project: those are the answer keys, with every solution
written out. Make a workspace of your own with `crmlab start CASE --student-id YOUR_NAME --out DIR`.
""",
    "zh": """# 你的 crmlab 学习空间{who}

这个文件夹属于你：其中有 {n} 个案例笔记本，每个都基于**你自己的合成数据世界**。数据由你的随机种子
（{seed}，由学号生成）产生，所以你的数字与同学不同，你的答案也按你自己的数据来判定。

## 从这里开始
1. 在 JupyterLab 中打开这个文件夹（在 crmlab 项目中运行：`.venv/bin/jupyter lab {folder}`）。
2. 打开一个笔记本，从头运行（*Run ▸ Run All Cells*）。第一道练习之前的单元格都可以直接运行：先读案例、数据字典和分析。
3. 每道练习的单元格里有一行类似 `share = ...  # your answer`。把 `...` 换成你的答案（代码或数字），运行这个单元格：
   `check(...)` 会立即告诉你答案对你的数据世界是否正确，不正确时给出提示。

笔记本：{files}

## 保证评分公平的规则
- 参数单元格保持原样，尤其是 `seed = {seed}`：无论笔记本里写的是什么，评分都使用教师名单给你的种子所对应的数据世界；
  改动种子会被记录在评分报告中。
- 只修改练习单元格（可以添加自己的单元格）。评分时，其余单元格一律运行教师版本。
- 提交时不要改笔记本的文件名（`<案例>.ipynb`），放在以学号命名的文件夹中。

## 自学
请在这里练习，而不是在 crmlab 项目的 `notebooks/` 中：那里是写好全部解答的答案版。
用 `crmlab start 案例 --student-id 你的名字 --out 文件夹` 为自己生成学习空间。
""",
}


@dataclass(frozen=True)
class Workspace:
    """One student's workspace: its folder, notebooks, README and seed."""

    student_id: str
    folder: Path
    notebooks: tuple
    readme: Path
    seed: int


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def make_workspace(cases, out, *, student_id: str, lang: str = "en", force: bool = False,
                   _notebooks: dict | None = None) -> Workspace:
    """Write a student's workspace: ``out/<case>.ipynb`` for each case id in ``cases`` and ``out/README.md``.

    Parameters
    ----------
    cases : list of str
        Ids of ready cases with exercises.
    out : path
        The workspace folder (created).
    student_id : str
        The student's id, as in the roster the instructor grades with: the world's seed is derived from it.
    lang : "en" or "zh"
        Edition of the notebooks and language of the README.
    force : bool
        Overwrite a workspace's files that exist (a student's work would be lost: off by default).

    Returns
    -------
    :class:`Workspace`.

    Example (needs the project's notebooks)::

        make_workspace(["tesco"], "my-crm", student_id="s001", lang="zh")
    """
    import nbformat

    from .batch import student_seed

    check_lang(lang)
    ids = list(dict.fromkeys(cases))
    if not ids:
        raise CrmlabError("no case given")
    seed = student_seed(student_id)
    out = Path(out).resolve()
    targets = {c: out / f"{c}.ipynb" for c in ids}
    readme = out / "README.md"
    if not force:
        taken = [p for p in [*targets.values(), readme] if p.exists()]
        if taken:
            raise CrmlabError(f"{taken[0]} exists (a student's work may be in it); choose another --out or pass "
                              "--force to overwrite")
    sources = _notebooks if _notebooks is not None else {c: case_notebook(c, lang) for c in ids}
    handed = {c: handed_out(sources[c], seed, lang) for c in ids}  # every case checked before writing any
    out.mkdir(parents=True, exist_ok=True)
    for case_id, nb in handed.items():
        tmp = targets[case_id].with_name(f".{case_id}.ipynb.tmp")
        nbformat.write(nb, str(tmp))
        os.replace(tmp, targets[case_id])
    who = f": {student_id}" if lang == "en" else f"：{student_id}"
    _write(readme, _README[lang].format(who=who, n=len(ids), seed=seed, folder=out.name,
                                        files=", ".join(f"`{c}.ipynb`" for c in ids)))
    return Workspace(student_id, out, tuple(targets.values()), readme, seed)


def make_workspaces(cases, out, *, roster, lang: str = "en", force: bool = False) -> list[Workspace]:
    """One workspace per roster row: ``out/<student_id>/`` (see :func:`make_workspace`), ready to hand out.

    ``roster`` is a roster CSV path (:func:`crmlab.batch.read_roster`) or a list of student ids. A roster
    column ``lang`` (en or zh) chooses a student's edition; other columns are ignored here.
    """
    from .batch import _safe, read_roster

    rows = ([(s.student_id, s.columns.get("lang", lang)) for s in read_roster(roster)]
            if isinstance(roster, (str, os.PathLike)) else [(str(s), lang) for s in roster])
    for sid, student_lang in rows:
        try:
            check_lang(student_lang)
        except ValueError as exc:
            raise CrmlabError(f"student {sid!r}: {exc}") from None
    ids = list(dict.fromkeys(cases))
    sources = {(c, lg): case_notebook(c, lg) for c in ids for lg in {lg for _, lg in rows}}
    out = Path(out).resolve()
    return [make_workspace(ids, out / _safe(sid), student_id=sid, lang=lg, force=force,
                           _notebooks={c: sources[(c, lg)] for c in ids}) for sid, lg in rows]
