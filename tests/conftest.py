"""Fixtures of the unit tests (headless plotting and figure clean-up live in ../conftest.py)."""
import pytest

from nb_helpers import write_notebook as _write_notebook


@pytest.fixture
def tiny_project(tmp_path, monkeypatch):
    """A throw-away crmlab project (cases/ + notebooks/) with one ready case and one planned case.

    The ready notebook records ``answer = seed * 2`` and ``label``, so a run's parameters can be checked
    in its results.
    """
    import yaml

    root = tmp_path / "proj"
    (root / "cases").mkdir(parents=True)
    (root / "notebooks").mkdir()
    _write_notebook(root / "notebooks" / "tiny.ipynb",
                    'seed = 1  # random seed\nlabel = "x"  # a text parameter\nscale = 1.5  # a float',
                    "import crmlab\ncrmlab.record('answer', seed * 2)\ncrmlab.record('label', label)\n"
                    "assert seed >= 0, 'seed must be non-negative'")
    base = {"company": "Tiny Co", "industry": "Testing", "kind": "case",
            "sources": [{"public_record": "none"}], "learning_objectives": ["a"],
            "discussion_questions": ["b"]}
    for cid, status in (("tiny", "ready"), ("later", "planned")):
        data = {"id": cid, "title": {"en": f"{cid} case", "zh": "小案例"}, "status": status, **base}
        (root / "cases" / cid).mkdir()
        (root / "cases" / cid / "case.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CRMLAB_HOME", str(root))
    return root
