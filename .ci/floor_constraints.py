"""Print pip constraints that pin every dependency of pyproject.toml to its lower bound.

`make test-floor` installs crmlab with these pins, so the oldest versions the project declares are the
versions it is tested with; a bound that stops working (a dependency of a dependency moved on) shows up as
a red run instead of on a student's laptop. Each dependency must have a `>=` bound.
"""
import re
import sys
import tomllib
from pathlib import Path


def floor_pins(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():  # make test-floor installs the extras too
        deps += extra
    pins = []
    for dep in deps:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(?:,.*)?", dep)
        if not m:
            raise SystemExit(f"floor_constraints: {dep!r} has no '>=' lower bound to test")
        pins.append(f"{m.group(1)}=={m.group(2)}")
    return pins


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.stdout.write("\n".join(floor_pins(root / "pyproject.toml")) + "\n")
