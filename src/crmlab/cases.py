"""The case catalogue: one folder per case in ``cases/``, described by its ``case.yaml``.

``cases/<id>/case.yaml`` describes a case of the source documents: its English and Chinese titles, company,
industry, kind, sources (a source document and lines, or "public record"), learning objectives, discussion
questions, and a status: ``ready`` (its notebook exists and runs) or ``planned`` (catalogued, a folder with
only its case.yaml). Everything else about a case follows from its id: the notebook
``notebooks/<id>.ipynb``, the world ``cases/<id>/world.py``, the checks ``cases/<id>/checks.py`` and the
snapshot ``datasets/<id>/``. The kind is ``case`` (a case of the sources, on its seeded world), ``method`` (a
method notebook, whose world and checks are optional) or ``review`` (an exam review: checked questions on what
the case notebooks teach, with no world, no data and no snapshot — its checks take ``world=None``). Parameters
are not repeated here: a notebook's ``parameters`` cell declares
them, and a world's knobs declare their own defaults.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import CrmlabError, PlannedCaseError, UnknownCaseError
from ._validate import check_lang
from .paths import cases_dir, project_root

__all__ = ["Case", "load_cases", "get_case", "case_ids", "REQUIRED_FIELDS", "STATUSES", "KINDS"]

STATUSES = ("ready", "planned")
KINDS = ("case", "method", "review")
REQUIRED_FIELDS = ("id", "title", "company", "industry", "kind", "status", "sources",
                   "learning_objectives", "discussion_questions")
#: Fields an earlier layout had; a case file that still carries one is refused with a reason.
RETIRED_FIELDS = {"notebook": "the notebook is always notebooks/<id>.ipynb",
                  "parameters": "parameters are declared once, in the notebook's parameters cell and the "
                                "world's knobs"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Case:
    id: str
    title_en: str
    title_zh: str
    company: str
    industry: str
    kind: str
    status: str
    sources: tuple
    learning_objectives: tuple
    discussion_questions: tuple
    learning_objectives_zh: tuple = ()
    discussion_questions_zh: tuple = ()
    path: Path | None = None

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def notebook_for(self, lang: str = "en") -> str:
        """The notebook of one edition, relative to the project root: ``notebooks/<id>.ipynb`` (English) or
        ``notebooks/zh/<id>.ipynb`` (中文)."""
        check_lang(lang)
        return f"notebooks/{self.id}.ipynb" if lang == "en" else f"notebooks/zh/{self.id}.ipynb"

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def folder(self) -> Path:
        """``cases/<id>/``: case.yaml, and for a ready case its world.py, checks.py and tests."""
        return self.path.parent if self.path is not None else cases_dir() / self.id

    @property
    def notebook(self) -> str:
        """The notebook's path relative to the project root (English edition)."""
        return f"notebooks/{self.id}.ipynb"

    @property
    def notebook_path(self) -> Path:
        return project_root() / self.notebook

    def parameters(self) -> dict:
        """``{name: default}`` of the notebook's parameters cell, read from the notebook itself."""
        import ast

        from .runner import declared_parameters

        self.require_ready("read the parameters of")
        return {name: ast.literal_eval(p["default"]) for name, p in declared_parameters(self.notebook_path).items()}

    def require_ready(self, action: str = "run") -> "Case":
        if not self.ready:
            raise PlannedCaseError(f"case {self.id!r} is planned: its notebook has not been written yet, "
                                   f"so there is nothing to {action} (see `crmlab list`)")
        return self


def _fail(path: Path, msg: str):
    raise CrmlabError(f"cases/{path.parent.name}/{path.name}: {msg}")


def _parse(path: Path) -> Case:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        _fail(path, f"not valid YAML ({exc})")
    if not isinstance(data, dict):
        _fail(path, "expected a mapping at the top level")
    missing = [f for f in REQUIRED_FIELDS if f not in data]
    if missing:
        _fail(path, f"missing field(s): {', '.join(missing)}")
    retired = [f for f in RETIRED_FIELDS if f in data]
    if retired:
        _fail(path, f"field {retired[0]!r} is no longer used: {RETIRED_FIELDS[retired[0]]}")
    unknown = sorted(set(data) - set(REQUIRED_FIELDS))
    if unknown:
        _fail(path, f"unknown field(s): {', '.join(unknown)}; a case file has {', '.join(REQUIRED_FIELDS)}")
    cid = data["id"]
    if not isinstance(cid, str) or not _ID.match(cid):
        _fail(path, f"id must be lower_snake_case, got {cid!r}")
    if path.parent.name != cid:
        _fail(path, f"the case folder's name must match the id {cid!r}")
    title = data["title"]
    if not (isinstance(title, dict) and title.get("en") and title.get("zh")):
        _fail(path, "title must have both 'en' and 'zh'")
    if data["status"] not in STATUSES:
        _fail(path, f"status must be one of {STATUSES}, got {data['status']!r}")
    if data["kind"] not in KINDS:
        _fail(path, f"kind must be one of {KINDS}, got {data['kind']!r}")
    if not isinstance(data["sources"], list) or not data["sources"]:
        _fail(path, "sources must be a non-empty list")
    for src in data["sources"]:
        _check_source(path, src)
    texts = {key: _bilingual(path, key, data[key]) for key in ("learning_objectives", "discussion_questions")}
    for key, (en, zh) in texts.items():
        if zh and len(zh) != len(en):
            _fail(path, f"{key}: the Chinese must translate the English one for one: {len(en)} in 'en', "
                        f"{len(zh)} in 'zh'")
    return Case(id=cid, title_en=title["en"], title_zh=title["zh"], company=str(data["company"]),
                industry=str(data["industry"]), kind=data["kind"], status=data["status"],
                sources=tuple(data["sources"]), learning_objectives=texts["learning_objectives"][0],
                discussion_questions=texts["discussion_questions"][0],
                learning_objectives_zh=texts["learning_objectives"][1],
                discussion_questions_zh=texts["discussion_questions"][1], path=path)


def _check_source(path: Path, src) -> None:
    """A source is a document of the course (``source: key`` with ``lines``) or public record."""
    from . import sources

    if not isinstance(src, dict) or not ({"source", "public_record"} & set(src)):
        _fail(path, "each source needs 'source' (a source document's key, see SOURCES.md, with 'lines') or "
                    "'public_record'")
    if "source" in src:
        try:
            doc = sources.get(src["source"])
        except sources.UnknownSourceError as exc:
            _fail(path, str(exc))
        if "lines" not in src:
            _fail(path, f"source {src['source']!r} needs 'lines' (e.g. lines: \"99-102\")")
        try:
            doc.cite(str(src["lines"]))
        except (CrmlabError, ValueError) as exc:
            _fail(path, f"source {src['source']!r}: {exc}")


def _bilingual(path: Path, key: str, value) -> tuple[tuple, tuple]:
    """A list of English texts, or ``{en: [...], zh: [...]}``: returns (English, Chinese)."""
    if isinstance(value, list):
        en, zh = value, []
    elif isinstance(value, dict) and set(value) <= {"en", "zh"} and "en" in value:
        en, zh = value["en"], value.get("zh") or []
    else:
        _fail(path, f"{key} must be a list, or a mapping with 'en' and 'zh' lists")
    if not isinstance(en, list) or not en or not isinstance(zh, list):
        _fail(path, f"{key} must have a non-empty list of English texts")
    if not all(isinstance(t, str) and t.strip() for t in [*en, *zh]):
        _fail(path, f"every entry of {key} must be non-empty text")
    return tuple(en), tuple(zh)


@lru_cache(maxsize=4)
def _load(directory: str) -> dict[str, Case]:
    cases = {}
    for path in sorted(Path(directory).glob("*/case.yaml")):
        case = _parse(path)
        cases[case.id] = case
    return cases


def load_cases(directory: Path | None = None) -> dict[str, Case]:
    """Return ``{id: Case}`` for every ``cases/<id>/case.yaml``, sorted by id."""
    return dict(_load(str(directory or cases_dir())))


def case_ids(*, ready_only: bool = False) -> list[str]:
    return [c.id for c in load_cases().values() if c.ready or not ready_only]


def get_case(case_id: str) -> Case:
    """Return the case with this id; an unknown id raises :class:`UnknownCaseError` listing valid ids."""
    cases = load_cases()
    if case_id not in cases:
        raise UnknownCaseError(unknown_id_message("case", case_id, cases))
    return cases[case_id]


def unknown_id_message(what: str, given, valid) -> str:
    """``unknown case 'tesko'; did you mean 'tesco'? …``: the closest ids first, then where to see them all."""
    import difflib

    valid = list(valid)
    close = difflib.get_close_matches(str(given), valid, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    # the catalogue's 40-odd case ids are for `crmlab list`; worlds (one per ready case) are listed in full
    listing = ", ".join(valid) if len(valid) <= 12 or what != "case" else f"{len(valid)} ids, see `crmlab list`"
    return f"unknown {what} {given!r}{hint} (valid: {listing})"
