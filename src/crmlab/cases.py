"""The case catalogue: one YAML file per case in ``cases/``.

Each file describes a case of the source documents: its id, English and Chinese titles, company,
industry, sources (seed file and lines, or "public record"), learning objectives, discussion questions,
the notebook that teaches it, its default parameters, and a status: ``ready`` (the notebook exists and
runs) or ``planned`` (catalogued, notebook still to be written).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import CrmlabError, PlannedCaseError, UnknownCaseError
from .paths import cases_dir, project_root

__all__ = ["Case", "load_cases", "get_case", "case_ids", "REQUIRED_FIELDS", "STATUSES", "KINDS"]

STATUSES = ("ready", "planned")
KINDS = ("case", "method")
REQUIRED_FIELDS = ("id", "title", "company", "industry", "kind", "status", "notebook", "sources",
                   "learning_objectives", "discussion_questions", "parameters")
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
    notebook: str
    sources: tuple
    learning_objectives: tuple
    discussion_questions: tuple
    parameters: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def notebook_path(self) -> Path:
        return project_root() / self.notebook

    def require_ready(self, action: str = "run") -> "Case":
        if not self.ready:
            raise PlannedCaseError(f"case {self.id!r} is planned: its notebook has not been written yet, "
                                   f"so there is nothing to {action} (see `crmlab list`)")
        return self


def _fail(path: Path, msg: str):
    raise CrmlabError(f"{path.name}: {msg}")


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
    cid = data["id"]
    if not isinstance(cid, str) or not _ID.match(cid):
        _fail(path, f"id must be lower_snake_case, got {cid!r}")
    if path.stem != cid:
        _fail(path, f"file name must match the id {cid!r}")
    title = data["title"]
    if not (isinstance(title, dict) and title.get("en") and title.get("zh")):
        _fail(path, "title must have both 'en' and 'zh'")
    if data["status"] not in STATUSES:
        _fail(path, f"status must be one of {STATUSES}, got {data['status']!r}")
    if data["kind"] not in KINDS:
        _fail(path, f"kind must be one of {KINDS}, got {data['kind']!r}")
    if data["notebook"] != f"notebooks/{cid}.ipynb":
        _fail(path, f"notebook must be 'notebooks/{cid}.ipynb', got {data['notebook']!r}")
    for key in ("sources", "learning_objectives", "discussion_questions"):
        if not isinstance(data[key], list) or not data[key]:
            _fail(path, f"{key} must be a non-empty list")
    for src in data["sources"]:
        if not isinstance(src, dict) or not ({"seed", "public_record"} & set(src)):
            _fail(path, "each source needs 'seed' (a seed file name, with 'lines') or 'public_record'")
    params = data["parameters"]
    if not isinstance(params, dict) or "seed" not in params:
        _fail(path, "parameters must be a mapping that includes 'seed'")
    return Case(id=cid, title_en=title["en"], title_zh=title["zh"], company=str(data["company"]),
                industry=str(data["industry"]), kind=data["kind"], status=data["status"],
                notebook=data["notebook"], sources=tuple(data["sources"]),
                learning_objectives=tuple(data["learning_objectives"]),
                discussion_questions=tuple(data["discussion_questions"]), parameters=dict(params), path=path)


@lru_cache(maxsize=4)
def _load(directory: str) -> dict[str, Case]:
    cases = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        case = _parse(path)
        cases[case.id] = case
    return cases


def load_cases(directory: Path | None = None) -> dict[str, Case]:
    """Return ``{id: Case}`` for every case file, sorted by id."""
    return dict(_load(str(directory or cases_dir())))


def case_ids(*, ready_only: bool = False) -> list[str]:
    return [c.id for c in load_cases().values() if c.ready or not ready_only]


def get_case(case_id: str) -> Case:
    """Return the case with this id; an unknown id raises :class:`UnknownCaseError` listing valid ids."""
    cases = load_cases()
    if case_id not in cases:
        raise UnknownCaseError(f"unknown case {case_id!r}; valid ids: {', '.join(cases)}")
    return cases[case_id]
