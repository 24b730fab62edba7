"""environment.yml (conda users) and pyproject.toml (pip users) declare the same dependency set."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject_deps() -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(_split(r) for r in data["project"]["dependencies"])


def conda_deps() -> dict:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    return dict(_split(d) for d in plain if _split(d)[0] not in ("python", "pip"))


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    py, conda = pyproject_deps(), conda_deps()
    assert sorted(set(py) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(py)) == [], "in environment.yml but not pyproject.toml"
    assert {k: v for k, v in py.items() if conda[k] != v} == {}, "version bounds differ"


def test_python_floor_agrees():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert data["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]


def test_the_check_would_notice_a_difference(tmp_path, monkeypatch):
    """Guard against a comparison that cannot fail: drop one package and the sets must differ."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    env["dependencies"] = [d for d in env["dependencies"] if not (isinstance(d, str) and d.startswith("scipy"))]
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    reduced = dict(_split(d) for d in plain if _split(d)[0] not in ("python", "pip"))
    assert set(pyproject_deps()) - set(reduced) == {"scipy"}


def test_every_dependency_has_a_floor_that_make_test_floor_pins(tmp_path):
    """.ci/floor_constraints.py turns each '>=' bound into the '==' pin that `make test-floor` installs, and
    refuses a dependency without one (a floor nobody tests is a guess)."""
    import importlib.util

    import pytest

    spec = importlib.util.spec_from_file_location("floor_constraints", ROOT / ".ci" / "floor_constraints.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    pins = dict(_split(p.replace("==", ">=")) for p in mod.floor_pins(ROOT / "pyproject.toml"))
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert pins == {**pyproject_deps(), **dict(_split(r) for reqs in extras.values() for r in reqs)}
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project]\ndependencies = ["numpy>=2.0.2", "pandas"]\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="pandas"):
        mod.floor_pins(bad)
