"""`crmlab doctor` as a user runs it: a subprocess whose stdout is exactly the report."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import crmlab

CRMLAB = Path(sys.executable).parent / "crmlab"


def test_doctor_kernel_probe_prints_nothing_of_its_own(tmp_path):
    # The kernel probe once leaked the result of `1 + 1` onto stdout, so the report began "2crmlab 0.1.0".
    proc = subprocess.run([str(CRMLAB), "doctor", "--out", str(tmp_path / "out")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"crmlab {crmlab.__version__}"
    # every other line is a check "  [ok  ] name  detail", a blank line, or the closing "ready."
    check = re.compile(r"^  \[(ok  |WARN|FAIL)\] \S.*$")
    odd = [line for line in lines[1:] if line and line != "ready." and not check.match(line)]
    assert odd == []
    kernel = [line for line in lines if re.match(r"^  \[(ok  |WARN)\] kernel ", line)]
    assert len(kernel) == 1 and kernel[0].endswith("starts and runs code")
    assert lines[-1] == "ready."


def test_kernel_probe_compares_the_value_it_gets_back(monkeypatch):
    # A kernel that starts but evaluates the probe to something else must fail the check, not pass it.
    from crmlab import doctor

    monkeypatch.setattr(doctor, "_PROBE_RESULT", "43")
    check = doctor.check_kernel(start=True)
    assert check.status == "fail"
    assert "'6 * 7'" in check.detail and "'42'" in check.detail and "'43'" in check.detail
