"""`crmlab doctor`: is this machine ready to run the workbench?"""
from __future__ import annotations

import importlib.metadata as md
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REQUIRED_PACKAGES = ("numpy", "pandas", "scipy", "matplotlib", "scikit-learn", "mlxtend", "pyarrow", "openpyxl",
                     "pyyaml", "papermill", "nbconvert", "nbval", "ipykernel", "jupyterlab")


@dataclass
class Check:
    name: str
    status: str  # "ok", "warn", "fail"
    detail: str


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", "ok" if ok else "fail",
                 f"{platform.python_version()} at {sys.executable}" + ("" if ok else " (crmlab needs 3.11+)"))


def check_packages() -> list[Check]:
    out = []
    for name in REQUIRED_PACKAGES:
        try:
            out.append(Check(name, "ok", md.version(name)))
        except md.PackageNotFoundError:
            out.append(Check(name, "fail", "not installed (run `make venv` or `pip install -e .`)"))
    return out


def check_kernel(start: bool = True) -> Check:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Check("kernel", "fail", "jupyter_client is not installed")
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check("kernel", "fail", "no 'python3' Jupyter kernel (install ipykernel)")
    exe = spec.argv[0]
    if exe in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
        exe = sys.executable  # jupyter_client substitutes the running interpreter
    same = os.path.realpath(exe) == os.path.realpath(sys.executable)
    detail = f"python3 -> {exe}" + ("" if same else f" (not this environment's {sys.executable})")
    if not start:
        return Check("kernel", "ok" if same else "warn", detail)
    try:
        from jupyter_client.manager import start_new_kernel

        import subprocess

        km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60, stderr=subprocess.DEVNULL)
        try:
            result = _evaluate(kc, _PROBE_CODE, timeout=30)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    except Exception as exc:  # any failure to start is what the user needs to hear about
        return Check("kernel", "fail", f"{detail}; could not start it: {exc}")
    if result != _PROBE_RESULT:
        return Check("kernel", "fail", f"{detail}; it started but evaluated {_PROBE_CODE!r} to {result!r}, "
                                       f"expected {_PROBE_RESULT!r}")
    return Check("kernel", "ok" if same else "warn", detail + "; starts and runs code")


# The kernel probe evaluates this and compares the text it sends back; nothing of it reaches our stdout.
_PROBE_CODE = "6 * 7"
_PROBE_RESULT = "42"


def _evaluate(kc, code: str, timeout: float) -> str | None:
    """Run ``code`` in the kernel of client ``kc`` and return the text/plain of its result (None when it
    gives none). Outputs are collected, not printed: ``execute_interactive``'s default hook would write them
    to this process's stdout. A cell that raises is reported as ``Name: message``."""
    outputs: dict[str, str] = {}

    def collect(msg) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind in ("execute_result", "display_data"):
            outputs.setdefault("result", content.get("data", {}).get("text/plain"))
        elif kind == "error":
            outputs.setdefault("error", f"{content.get('ename')}: {content.get('evalue')}")

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=collect, allow_stdin=False)
    if reply["content"].get("status") != "ok" or "error" in outputs:
        content = reply["content"]
        raise RuntimeError(outputs.get("error") or f"{content.get('ename')}: {content.get('evalue')}")
    return outputs.get("result")


def check_cjk() -> Check:
    from .plots import cjk_font

    font = cjk_font()
    if font:
        return Check("CJK font", "ok", f"{font} (Chinese chart labels available with lang='zh')")
    return Check("CJK font", "warn", "none found: charts fall back to English labels "
                                     "(Debian/Ubuntu: apt-get install fonts-wqy-microhei)")


def check_writable(out_dir: Path) -> Check:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        return Check("output dir", "fail", f"{out_dir} is not writable: {exc.strerror}")
    return Check("output dir", "ok", f"{out_dir} is writable")


def check_catalogue() -> Check:
    from .cases import load_cases
    from .errors import CrmlabError

    try:
        cases = load_cases()
    except CrmlabError as exc:
        return Check("cases", "fail", str(exc))
    ready = sum(c.ready for c in cases.values())
    return Check("cases", "ok", f"{len(cases)} cases ({ready} ready, {len(cases) - ready} planned)")


def run_checks(out_dir: Path, start_kernel: bool = True) -> list[Check]:
    return [check_python(), *check_packages(), check_kernel(start_kernel), check_cjk(), check_writable(out_dir),
            check_catalogue()]
