"""README.md's examples are executed: a ```python block immediately followed by a plain ``` block must print
exactly that block (up to trailing whitespace), so the figures the README shows are the ones the code gives."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def fenced_blocks(text: str) -> list[tuple[int, str, str, int]]:
    """Every fenced block of a Markdown text as (line number of its opening fence, info string, body,
    line number of its closing fence), line numbers counted from 1."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i].rstrip()
        if line.startswith("```"):
            info, start, body = line[3:].strip(), i + 1, []
            i += 1
            while i < len(lines) and lines[i].rstrip() != "```":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"README.md: the block opened at line {start} is never closed")
            blocks.append((start, info, "\n".join(body) + "\n", i + 1))
        i += 1
    return blocks


def examples(text: str) -> list[tuple[int, str, str]]:
    """(line, code, expected output) for each ```python block whose next non-blank line opens a plain ``` block."""
    lines = text.splitlines()
    blocks = fenced_blocks(text)
    out = []
    for (start, info, body, end), (nstart, ninfo, nbody, _) in zip(blocks, blocks[1:]):
        between = lines[end:nstart - 1]  # lines after the closing fence, before the next opening fence
        if info == "python" and ninfo == "" and all(not line.strip() for line in between):
            out.append((start, body, nbody))
    return out


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n")


def test_the_parser_pairs_code_with_the_output_right_below_it():
    text = ("```python\nprint(1)\n```\n\n```\n1\n```\n"          # a pair, blank line between
            "```python\nx = 2\n```\nsome prose\n```\n2\n```\n"  # prose between: not a pair
            "```bash\nls\n```\n```\nfile\n```\n"                # not python: not a pair
            "```python\nprint(3)\n```\n```text\n3\n```\n")      # output block with a language: not a pair
    assert examples(text) == [(1, "print(1)\n", "1\n")]
    assert normalise("a  \nb\t\n\n") == "a\nb"


def test_the_readme_has_an_executable_example():
    assert any("rfm_summary" in code for _, code, _ in examples(README.read_text(encoding="utf-8")))


@pytest.mark.parametrize("line, code, expected",
                         [pytest.param(*e, id=f"README.md:{e[0]}") for e in examples(README.read_text(encoding="utf-8"))])
def test_readme_example_prints_what_the_readme_shows(line, code, expected, monkeypatch):
    monkeypatch.chdir(README.parent)  # as a reader would run it, from the checkout
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})  # a fresh namespace
    assert normalise(printed.getvalue()) == normalise(expected)
