"""The source documents: one table (crmlab.sources), SOURCES.md agrees with it, citations are well formed.

Every citation in the repository - docstrings, comments, notebooks, case files - must name a real document
and stay within its lines; with the texts beside the checkout (``../shared/seeds``, always so on CI), the
table's line counts are checked against the files themselves.
"""
import json
import os
import re
from pathlib import Path

import pytest
import yaml

from crmlab import sources
from crmlab.errors import CrmlabError
from crmlab.sources import SOURCES, UnknownSourceError, cite, get, seed_path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("src", "bench", "tests", "notebooks", "cases")
SUFFIXES = {".py", ".ipynb", ".md", ".yaml", ".yml"}

_SPAN = r"\d+(?:\s*[-–]\s*\d+)?"
# "… (source 3), lines 385–405", "(source 1, lines 12–19)", "… (source 0), section ㈢, lines 59–60"
_EN = re.compile(rf"\bsource ([0-4])\)?(?:, section [^,;)]+)?,? (?:lines?|l\.) ({_SPAN}(?:(?:,| and|, and) {_SPAN})*)")
_ZH = re.compile(rf"资料([0-4])）第({_SPAN}(?:、{_SPAN})*)行")
_NAMED = re.compile(r"\(source ([0-4])\)")


def _md_rows(text: str, header: str) -> list[list[str]]:
    """Cells of the markdown table whose header row starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_sources_md_lists_exactly_the_table():
    text = (ROOT / "SOURCES.md").read_text(encoding="utf-8")
    en = _md_rows(text, "| Key |")
    assert en == [[f"`{s.key}`", str(s.number), s.name_en, s.name_zh, s.description_en, f"`{s.file}`"]
                  for s in SOURCES], "SOURCES.md differs from crmlab.sources: paste `python -m crmlab.sources`"
    zh = _md_rows(text, "| 键 |")
    assert zh == [[f"`{s.key}`", f"资料{s.number}", s.name_zh, s.description_zh] for s in SOURCES]


def test_table_is_numbered_and_keyed_without_gaps():
    assert [s.number for s in SOURCES] == list(range(len(SOURCES)))
    assert len(set(sources.keys())) == len(SOURCES)
    for s in SOURCES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", s.key)
        assert s.file.startswith(f"{s.number:03d}_") and s.file.endswith(".txt")
        assert get(s.key) is get(s.number) is get(s.file) is s


def test_cite_in_english():
    assert cite("crm_qa") == "CRM Q&A compilation (source 0)"
    assert cite("crm_qa", 13) == "CRM Q&A compilation (source 0), line 13"
    assert cite("crm_qa", "57-61") == "CRM Q&A compilation (source 0), lines 57–61"
    assert cite("crm_qa", (57, 61)) == cite("crm_qa", "57–61") == cite(0, "57 - 61")
    assert cite(0, "95-98, 152-155") == "CRM Q&A compilation (source 0), lines 95–98 and 152–155"
    assert cite("crm_articles", [653, (557, 571), "593-599"]) == \
        "CRM article collection (source 3), lines 653, 557–571 and 593–599"
    assert cite("rm_essay", "20-20") == "Relationship-marketing essay (source 4), line 20"


def test_cite_in_chinese():
    assert cite("crm_qa", lang="zh") == "《客户关系管理问答汇编》（资料0）"
    assert cite("crm_qa", "57-61", lang="zh") == "《客户关系管理问答汇编》（资料0）第57–61行"
    assert cite("analytical_crm", 23, lang="zh") == "《分析型客户关系管理课程资料》（资料1）第23行"
    assert cite(0, "95-98, 152-155", lang="zh") == "《客户关系管理问答汇编》（资料0）第95–98、152–155行"


def test_unknown_key_names_the_valid_keys():
    with pytest.raises(UnknownSourceError, match="valid keys: crm_qa, analytical_crm, vendor_page, "
                                                 "crm_articles, rm_essay") as info:
        cite("haidilao", 3)
    assert isinstance(info.value, CrmlabError) and isinstance(info.value, KeyError)
    assert str(info.value).startswith("unknown source 'haidilao'")  # not quoted twice, as KeyError would
    with pytest.raises(UnknownSourceError, match="valid keys"):
        get(5)
    with pytest.raises(TypeError):
        get(1.0)


def test_bad_lines_and_language_are_refused():
    with pytest.raises(ValueError, match="line 34: .*33 lines"):
        cite("rm_essay", 34)
    with pytest.raises(ValueError, match="lines 61-57"):
        cite("crm_qa", "61-57")
    with pytest.raises(ValueError, match="cannot read line range"):
        cite("crm_qa", "line 5")
    with pytest.raises(ValueError, match="lang"):
        cite("crm_qa", 5, lang="fr")
    with pytest.raises(TypeError):
        cite("crm_qa", 5.0)


def test_seed_path_follows_crmlab_seeds(tmp_path, monkeypatch):
    (tmp_path / SOURCES[2].file).write_text("x\ny\n", encoding="utf-8")
    monkeypatch.setenv("CRMLAB_SEEDS", str(tmp_path))
    assert seed_path("vendor_page") == tmp_path / SOURCES[2].file == get(2).path
    assert seed_path("crm_qa") is None
    monkeypatch.setenv("CRMLAB_SEEDS", str(tmp_path / "absent"))
    assert seed_path("vendor_page") is None and sources.seeds_dir() is None


def _scanned_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and ".ipynb_checkpoints" not in path.parts:
                yield path
    yield ROOT / "README.md"
    yield ROOT / "SOURCES.md"


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":  # every cell's source and text outputs, joined as the reader sees them
        parts = []
        for cell in json.loads(text)["cells"]:
            parts.append("".join(cell["source"]))
            for out in cell.get("outputs", []):
                parts.append("".join(out.get("text", "")))
                for value in (out.get("data") or {}).values():
                    if isinstance(value, (str, list)):
                        parts.append("".join(value) if isinstance(value, list) else value)
        text = "\n".join(parts)
    return text


def _spans(text: str, sep: str) -> list[tuple[int, int]]:
    out = []
    for part in re.split(sep, text):
        first, _, last = part.strip().replace("–", "-").partition("-")
        out.append((int(first), int(last or first)))
    return out


def _citations():
    """(where, source, first, last) for every line citation in the repository."""
    found = []
    for path in _scanned_files():
        if path == Path(__file__).resolve():
            continue  # this file's deliberate bad examples
        where = path.relative_to(ROOT)
        text = _text(path)
        for m in _EN.finditer(text):
            found += [(where, get(int(m[1])), a, b) for a, b in _spans(m[2], r",| and ")]
        for m in _ZH.finditer(text):
            found += [(where, get(int(m[1])), a, b) for a, b in _spans(m[2], "、")]
        if path.name == "case.yaml":
            data = yaml.safe_load(text)
            entries = data.get("sources") if isinstance(data, dict) else None
            for entry in entries if isinstance(entries, list) else []:
                key = entry.get("source", entry.get("seed")) if isinstance(entry, dict) else None
                if key is None:
                    continue
                src = get(key)  # an unknown key fails here, naming the valid ones
                if "lines" in entry:
                    found += [(where, src, a, b) for a, b in _spans(str(entry["lines"]), ",")]
    return found


def test_every_citation_is_within_its_document():
    cited = _citations()
    assert len(cited) > 100  # the scan does find the citations
    bad = [f"{where}: {src.name()}, lines {a}-{b} (it has {src.n_lines})" for where, src, a, b in cited
           if not 1 <= a <= b <= src.n_lines]
    assert bad == []


def test_every_named_citation_uses_the_documents_name():
    wrong = []
    for path in _scanned_files():
        if path == Path(__file__).resolve():
            continue
        text = _text(path)
        for m in _NAMED.finditer(text):
            name = get(int(m[1])).name_en
            before = re.sub(r"\s*\n\s*(?:#:?\s*)?", " ", text[max(0, m.start() - 80):m.start()])  # unwrap lines
            if not before.rstrip().endswith(name):
                wrong.append(f"{path.relative_to(ROOT)}: {text[max(0, m.start() - 40):m.end()]!r} (expected {name})")
    assert wrong == []


def test_the_texts_match_the_table():
    folder = sources.seeds_dir()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("CI runs with shared/ beside the checkout; ../shared/seeds is missing")
        pytest.skip("../shared/seeds is not beside this checkout (or CRMLAB_SEEDS is not set)")
    n_lines = {}
    for s in SOURCES:
        path = seed_path(s.key)
        assert path is not None, f"{s.file} is missing from {folder}"
        n_lines[s.key] = len(path.read_text(encoding="utf-8").splitlines())
        assert n_lines[s.key] == s.n_lines, f"{s.file} has {n_lines[s.key]} lines, the table says {s.n_lines}"
    beyond = [f"{where}: {src.file} lines {a}-{b}" for where, src, a, b in _citations() if b > n_lines[src.key]]
    assert beyond == []
