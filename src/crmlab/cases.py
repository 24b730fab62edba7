"""The case catalogue: one folder per case in ``cases/``, described by its ``case.yaml``.

``cases/<id>/case.yaml`` describes a case of the source documents: its English and Chinese titles, company,
industry, kind, sources (a source document and lines, or "public record"), learning objectives, discussion
questions, and a status: ``ready`` (its notebook exists and runs) or ``planned`` (catalogued, a folder with
only its case.yaml). Everything else about a case follows from its id: the notebook
``notebooks/<id>.ipynb``, the world ``cases/<id>/world.py``, the checks ``cases/<id>/checks.py`` and the
snapshot ``datasets/<id>/``. Parameters are not repeated here: a notebook's ``parameters`` cell declares
them, and a world's knobs declare their own defaults.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import CrmlabError, PlannedCaseError, UnknownCaseError
from .paths import cases_dir, project_root

__all__ = ["Case", "load_cases", "get_case", "case_ids", "REQUIRED_FIELDS", "STATUSES", "KINDS"]

STATUSES = ("ready", "planned")
KINDS = ("case", "method")
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
    path: Path | None = None

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
    for key in ("sources", "learning_objectives", "discussion_questions"):
        if not isinstance(data[key], list) or not data[key]:
            _fail(path, f"{key} must be a non-empty list")
    for src in data["sources"]:
        if not isinstance(src, dict) or not ({"seed", "public_record"} & set(src)):
            _fail(path, "each source needs 'seed' (a seed file name, with 'lines') or 'public_record'")
    return Case(id=cid, title_en=title["en"], title_zh=title["zh"], company=str(data["company"]),
                industry=str(data["industry"]), kind=data["kind"], status=data["status"],
                sources=tuple(data["sources"]), learning_objectives=tuple(data["learning_objectives"]),
                discussion_questions=tuple(data["discussion_questions"]), path=path)


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
        raise UnknownCaseError(f"unknown case {case_id!r}; valid ids: {', '.join(cases)}")
    return cases[case_id]
