"""The machinery every world shares: knobs, schemas, the World object and the registry.

A world generator is a function ``build(rng, knobs) -> (tables, truth)`` registered with
:func:`register`, together with its knobs (validated before anything is drawn), the schema of its
tables (the data dictionary) and a plain-language description of the generative model.
"""
from __future__ import annotations

import hashlib
import json
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .._validate import as_generator, check_lang
from ..errors import UnknownCaseError

__all__ = ["DEFAULT_SEED", "Knob", "Column", "Table", "World", "WorldSpec", "register", "make", "available", "spec"]

# A world's generator version; a world registers a higher one whenever the same seed and knobs start to
# give different tables, so snapshots, manifests and batch caches can tell the two apart.
GENERATOR_VERSION = "1"
# The seed every case file and snapshot uses by default.
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Knob:
    """A documented, validated parameter of a world.

    ``kind`` is int, float, bool or str. Numbers are checked against ``low``/``high`` (inclusive),
    strings against ``choices``.
    """

    name: str
    default: Any
    kind: type
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    unit: str = ""
    doc_zh: str = ""

    def validate(self, value, world: str):
        where = f"knob {self.name!r} of world {world!r}"
        if self.kind is bool:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{where} must be True or False, got {value!r}")
            return bool(value)
        if self.kind is int:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{where} must be an integer, got {value!r}")
            value = int(value)
        elif self.kind is float:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise TypeError(f"{where} must be a number, got {value!r}")
            value = float(value)
            if not np.isfinite(value):
                raise ValueError(f"{where} must be finite, got {value!r}")
        elif self.kind is str:
            if not isinstance(value, str):
                raise TypeError(f"{where} must be a string, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{where} must be one of {', '.join(map(repr, self.choices))}; got {value!r}")
        if self.low is not None and value < self.low:
            raise ValueError(f"{where} must be >= {self.low}, got {value!r}")
        if self.high is not None and value > self.high:
            raise ValueError(f"{where} must be <= {self.high}, got {value!r}")
        return value

    def describe(self, lang: str = "en") -> str:
        doc = self.doc_zh if lang == "zh" and self.doc_zh else self.doc
        rng = ""
        if self.choices is not None:
            rng = " one of " + ", ".join(map(repr, self.choices))
        elif self.low is not None or self.high is not None:
            rng = f" in [{self.low if self.low is not None else '-inf'}, {self.high if self.high is not None else 'inf'}]"
        unit = f" {self.unit}" if self.unit else ""
        if lang == "zh":
            rng = rng.replace(" one of ", "，取值 ").replace(" in [", "，范围 [")
            return f"{self.name}（{self.kind.__name__}{rng}，默认 {self.default!r}{unit}）：{doc}"
        return f"{self.name} ({self.kind.__name__}{rng}, default {self.default!r}{unit}): {doc}"


@dataclass(frozen=True)
class Column:
    """One column of the data dictionary: name, pandas dtype (as a string), unit and how it was made."""

    name: str
    dtype: str
    doc: str
    unit: str = ""
    doc_zh: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    doc_zh: str = ""

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class WorldSpec:
    case_id: str
    title: str
    description: str
    knobs: tuple[Knob, ...]
    tables: tuple[Table, ...]
    build: Callable[[np.random.Generator, dict], tuple[dict, dict]]
    version: str = GENERATOR_VERSION
    title_zh: str = ""
    description_zh: str = ""

    def knob(self, name: str) -> Knob:
        for k in self.knobs:
            if k.name == name:
                return k
        raise ValueError(f"world {self.case_id!r} has no knob {name!r}; its knobs are: "
                         f"{', '.join(k.name for k in self.knobs)}")

    def resolve(self, given: dict) -> dict:
        """Validate the given knobs and fill in the defaults."""
        names = {k.name for k in self.knobs}
        unknown = [n for n in given if n not in names]
        if unknown:
            raise ValueError(f"world {self.case_id!r} has no knob {unknown[0]!r}; its knobs are: "
                             f"{', '.join(sorted(names))}")
        return {k.name: k.validate(given.get(k.name, k.default), self.case_id) for k in self.knobs}


@dataclass
class World:
    """A synthetic world: related tables, the planted truth, and the data dictionary.

    Attributes
    ----------
    tables : dict[str, DataFrame]   the observable data, with the columns and dtypes of ``schema``
    truth : dict                    the planted parameters (scalars, dicts) and per-entity latent values
                                    (Series/DataFrames indexed like the entity tables)
    knobs, seed, case_id, spec      how it was made
    """

    case_id: str
    seed: int
    knobs: dict
    tables: dict[str, pd.DataFrame]
    truth: dict
    spec: WorldSpec = field(repr=False)

    @property
    def DESCR(self) -> str:  # scikit-learn's name for the description of a dataset
        return self.describe()

    def describe(self, *, mechanism: bool = True, lang: str = "en") -> str:
        """The data dictionary as Markdown: knobs, every table and column, and the keys of the planted truth.

        With ``mechanism=True`` (the default, and the snapshot's ``data_dictionary.md``) it also tells how
        the data were generated. A notebook shows ``describe(mechanism=False)`` before its analysis, so as not
        to give away what the student is meant to find, and reveals :meth:`mechanism` beside the planted
        truth at the end. ``lang="zh"`` gives the headings, and every description that has a Chinese text,
        in Chinese.
        """
        check_lang(lang)
        s, zh = self.spec, lang == "zh"
        if zh:
            lines = [f"# 数据世界 `{s.case_id}`：{s.title_zh or s.title}", "", "合成数据（synthetic data），由 crmlab.worlds"
                     f"（生成器版本 {s.version}）以随机种子 {self.seed} 生成。", ""]
        else:
            lines = [f"# World `{s.case_id}`: {s.title}", "", "Synthetic data, generated by "
                     f"crmlab.worlds (generator version {s.version}) with seed {self.seed}.", ""]
        if mechanism:
            lines += ["## 数据如何生成" if zh else "## How it was generated", "", self.mechanism(lang), ""]
        lines += ["## 参数（knobs）" if zh else "## Knobs", ""]
        here = "此处为" if zh else "here"
        lines += [f"- {k.describe(lang)} — {here} {self.knobs[k.name]!r}" for k in s.knobs]
        for t in s.tables:
            n = len(self.tables[t.name]) if t.name in self.tables else 0
            doc = t.doc_zh if zh and t.doc_zh else t.doc
            head = f"## 表 `{t.name}`（{n:,} 行）" if zh else f"## Table `{t.name}` ({n:,} rows)"
            cols = "| 列 | 类型 | 单位 | 含义 |" if zh else "| column | dtype | unit | meaning |"
            lines += ["", head, "", doc.strip(), "", cols, "|---|---|---|---|"]
            lines += [f"| {c.name} | {c.dtype} | {c.unit} | {c.doc_zh if zh and c.doc_zh else c.doc} |"
                      for c in t.columns]
        keys = ", ".join(f"`{k}`" for k in self.truth)
        lines += ["", "## 预设真值（planted truth）" if zh else "## Planted truth", "",
                  (f"`world.truth` 的键：{keys}" if zh else f"Keys of `world.truth`: {keys}"), ""]
        return "\n".join(lines)

    def mechanism(self, lang: str = "en") -> str:
        """How the data were generated (the world's description): the answer key to what the analysis finds.

        In Chinese where the world declares ``description_zh``, otherwise in English."""
        check_lang(lang)
        text = self.spec.description_zh if lang == "zh" and self.spec.description_zh else self.spec.description
        return text.strip()

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(v):,} rows" for k, v in self.tables.items())
        return f"<World {self.case_id!r} seed={self.seed} ({sizes})>"

    def _repr_markdown_(self) -> str:
        return self.describe()

    def check_schema(self) -> None:
        """Raise AssertionError if a table's columns or dtypes differ from the data dictionary."""
        declared = {t.name: t for t in self.spec.tables}
        if set(declared) != set(self.tables):
            raise AssertionError(f"world {self.case_id!r}: tables {sorted(self.tables)} != schema {sorted(declared)}")
        for name, t in declared.items():
            df = self.tables[name]
            if list(df.columns) != t.column_names():
                raise AssertionError(f"{self.case_id}.{name}: columns {list(df.columns)} != {t.column_names()}")
            for c in t.columns:
                if str(df[c.name].dtype) != c.dtype:
                    raise AssertionError(f"{self.case_id}.{name}.{c.name}: dtype {df[c.name].dtype} != {c.dtype}")

    def truth_json(self) -> dict:
        """The planted truth that is plain data (scalars, lists, dicts), ready for JSON."""
        return {k: v for k, v in ((k, _jsonable(v)) for k, v in self.truth.items()) if v is not _SKIP}

    def fingerprint(self) -> str:
        """sha256 over all tables (values, columns, dtypes): equal worlds have equal fingerprints."""
        h = hashlib.sha256()
        for name in sorted(self.tables):
            df = self.tables[name]
            h.update(name.encode())
            h.update(json.dumps([[str(c), str(df[c].dtype)] for c in df.columns]).encode())
            h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
        return h.hexdigest()


_SKIP = object()


def _jsonable(v):
    if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray)):
        return _SKIP
    if isinstance(v, dict):
        out = {str(k): _jsonable(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not _SKIP}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    return v


_REGISTRY: dict[str, WorldSpec] = {}


def register(case_id: str, *, title: str, description: str, knobs, tables, version: str = GENERATOR_VERSION,
             title_zh: str = "", description_zh: str = ""):
    """Decorator that registers ``build(rng, knobs) -> (tables, truth)`` as the world ``case_id``.

    ``title_zh``, ``description_zh`` and ``doc_zh`` on its tables, columns and knobs give the data dictionary
    and the mechanism in Chinese."""

    def deco(build):
        if case_id in _REGISTRY:
            raise RuntimeError(f"world {case_id!r} registered twice")
        _REGISTRY[case_id] = WorldSpec(case_id=case_id, title=title, description=description,
                                       knobs=tuple(knobs), tables=tuple(tables), build=build, version=version,
                                       title_zh=title_zh, description_zh=description_zh)
        return build

    return deco


def _load_all() -> None:
    from . import _registry

    _registry.load_all()


def _load_one(case_id: str) -> None:
    """Register the world ``case_id`` if it is the library's or a case folder's (and not yet registered)."""
    from . import _registry

    _registry.load_library_worlds()
    if case_id not in _REGISTRY and isinstance(case_id, str) and case_id.isidentifier():
        _registry.load_case_world(case_id)


def available() -> list[str]:
    """Ids of the worlds of the project in use: the library's and those of its case folders."""
    from ._registry import LIBRARY_WORLDS, case_ids_with

    _load_all()
    current = set(LIBRARY_WORLDS) | set(case_ids_with("world"))
    return sorted(k for k in _REGISTRY if k in current)


def spec(case_id: str) -> WorldSpec:
    if not isinstance(case_id, str) or case_id not in _REGISTRY:
        _load_one(case_id)
    if not isinstance(case_id, str) or case_id not in _REGISTRY:
        _load_all()
        from ..cases import unknown_id_message

        raise UnknownCaseError(unknown_id_message("world", case_id, sorted(_REGISTRY)))
    return _REGISTRY[case_id]


def make(case_id: str, seed: int = DEFAULT_SEED, **knobs) -> World:
    """Generate the world ``case_id`` from ``seed`` (a non-negative int) with the given knobs.

    The same seed and knobs give byte-identical tables on every run. Unknown or out-of-range knobs are
    refused with a message naming the knob and what it accepts.
    """
    s = spec(case_id)
    if isinstance(seed, np.random.Generator):
        raise TypeError("seed must be a non-negative integer (a world records its seed), got a Generator")
    rng = as_generator(seed)
    resolved = s.resolve(knobs)
    tables, truth = s.build(rng, dict(resolved))
    world = World(case_id=case_id, seed=int(seed), knobs=resolved, tables=tables, truth=truth, spec=s)
    return world
