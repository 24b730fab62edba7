"""Batches and gradings on a Dask cluster (``crmlab batch|grade --scheduler tcp://HOST:PORT``).

A course of hundreds of students outgrows one machine. crmlab does not bring a scheduler of its own: it
submits each planned run to an existing Dask distributed cluster (``dask scheduler`` and ``dask worker``
by hand, dask-jobqueue on SLURM or PBS, Dask on Kubernetes) as one task. Everything else stays where the
command was started: planning and validation happen before anything is submitted, and the outputs, the
completion markers, the summary, the index and the gradebook are written there.

Each task (:func:`run_task`) runs on a worker in a process of its own (:mod:`crmlab._task`, forked from a
per-worker process that has crmlab's heavy modules imported, :mod:`crmlab._zygote`): papermill changes the
working directory process-wide, so two runs never share a process, and a run that overruns its time is
killed with its process group without taking the worker down. The task receives the files it needs (the notebook; for grading, the submission and the
instructor's notebook) with its description and returns the executed notebook and its page as bytes, so
the workers need no file system in common with the instructor's machine - only the same crmlab (version
and case worlds, checked before anything is submitted). A task lost with a worker that dies is rescheduled
on another by Dask; a kernel that dies is retried once on the worker, as on one machine. Results are the
local pool's, run for run: same seeds, same recorded results, same verdicts.

References
----------
.. [1] Dask.distributed, https://distributed.dask.org (Client.submit, as_completed, retries on worker loss).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .errors import CrmlabError

__all__ = ["connect", "run_task", "execute_on_cluster", "SCHEDULER_ENV"]

#: Environment variable naming the scheduler when ``--scheduler`` is not given.
SCHEDULER_ENV = "CRMLAB_SCHEDULER"
_MARGIN = 30  # seconds a task waits beyond the run's limit for its process to write what it has


def _import_client():
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CrmlabError("running on a Dask cluster needs dask and distributed: pip install 'crmlab[cluster]'") from None
    return Client, as_completed


def worker_versions() -> dict:
    """What this process runs: crmlab's version and every world's generator version (called on each worker)."""
    from . import __version__
    from .worlds import available, spec

    return {"crmlab": __version__, "worlds": {w: spec(w).version for w in available()}}


def connect(address: str):
    """A :class:`distributed.Client` for the scheduler at ``address``, after checking that it answers, has
    workers, and that every worker runs the same crmlab and worlds as this machine (else the results could
    differ from a local run). Every problem is one :class:`~crmlab.errors.CrmlabError` line."""
    Client, _ = _import_client()
    if not isinstance(address, str) or "://" not in address:
        raise CrmlabError(f"--scheduler must be an address like tcp://HOST:PORT, got {address!r}")
    try:
        client = Client(address, timeout=10, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, CommClosedError...: all mean "not reachable"
        raise CrmlabError(f"cannot reach the Dask scheduler at {address}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__} "
                          "(is `dask scheduler` running there, and the port open?)") from None
    try:
        workers = client.scheduler_info().get("workers", {})
        if not workers:
            client.wait_for_workers(1, timeout=10)
        mine = worker_versions()
        theirs = client.run(worker_versions)
    except Exception as exc:  # noqa: BLE001
        client.close()
        raise CrmlabError(f"the Dask scheduler at {address} has no usable worker: {exc}") from None
    for worker, v in theirs.items():
        if v != mine:
            client.close()
            differ = sorted(set(v["worlds"].items()) ^ set(mine["worlds"].items()))
            what = (f"crmlab {v['crmlab']} (here {mine['crmlab']})" if v["crmlab"] != mine["crmlab"] else
                    "other world generators (" + ", ".join(sorted({w for w, _ in differ})[:5]) + ")")
            raise CrmlabError(f"worker {worker} runs {what}: install the same crmlab project on every worker, "
                              "or results would differ from a local run")
    return client


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


_ZYGOTE = {"proc": None}
_ZYGOTE_LOCK = threading.Lock()


def _spawn(folder: Path) -> int:
    """Start the task in ``folder`` as a child of this worker's zygote (:mod:`crmlab._zygote`, started on
    first use and again if it died); return the child's pid, which leads its own process group."""
    with _ZYGOTE_LOCK:
        for _ in range(2):
            proc = _ZYGOTE["proc"]
            if proc is None or proc.poll() is not None:
                env = {**os.environ, "PYTHONSAFEPATH": "1"}
                proc = subprocess.Popen([sys.executable, "-m", "crmlab._zygote"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                                        cwd=tempfile.gettempdir(), text=True, start_new_session=True)
                _ZYGOTE["proc"] = proc
            try:
                proc.stdin.write(f"{folder}\n")
                proc.stdin.flush()
                line = proc.stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if line.strip().isdigit():
                return int(line)
            proc.kill()
            _ZYGOTE["proc"] = None
    raise RuntimeError("the worker's crmlab task process could not be started")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_task(payload: dict, files: dict, timeout: int) -> dict:
    """The task a Dask worker runs for one planned run: write ``files`` and ``payload`` to a new folder, run
    :mod:`crmlab._task` there in a process group of its own (forked from the worker's zygote, killed with
    everything it started when it overruns ``timeout`` seconds), and return the message with the executed
    notebook, its page and any partial notebook as bytes."""
    folder = Path(tempfile.mkdtemp(prefix="crmlab-task-"))
    t0 = time.perf_counter()
    try:
        for attempt in (1, 2):
            for name, data in files.items():
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (folder / "payload.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            done = folder / "message.json"
            done.unlink(missing_ok=True)
            pid = _spawn(folder)
            start = time.perf_counter()
            try:
                while not done.exists() and _alive(pid):
                    if time.perf_counter() - start > timeout + _MARGIN:
                        return {"message": {"status": "failed", "error": f"timed out after {timeout} s",
                                            "retry": False, "killed": True}, "seconds": time.perf_counter() - t0}
                    time.sleep(0.05)
            finally:
                _killpg(pid)  # the kernel and anything else the run started
            try:
                message = json.loads(done.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                message = {"status": "failed", "error": "the run's process died before it reported", "retry": True}
            if message.get("status") == "failed" and message.get("retry") and attempt == 1:
                shutil.rmtree(folder / "out", ignore_errors=True)
                continue
            break
        out = folder / "out"
        stem = payload["name"]
        return {"message": message, "ipynb": _read(out / f".{stem}.new.ipynb"),
                "html": _read(out / f".{stem}.new.html"), "failed": _read(out / f"{stem}.failed.ipynb"),
                "attempts": attempt, "seconds": time.perf_counter() - t0}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _payload(run, kind: str, timeout: int) -> tuple[dict, dict]:
    payload = {"kind": kind, "run_id": run.run_id, "name": run.ipynb.stem, "student_id": run.student_id,
               "seed": run.seed, "parameters": run.parameters, "key": run.key, "timeout": timeout,
               "notebook_name": run.notebook.name}
    files = {f"input/{run.notebook.name}": run.notebook.read_bytes()}
    if kind == "grade":
        instructor = Path(run.task["instructor"])
        payload["task"] = {k: v for k, v in run.task.items() if k not in ("instructor", "scratch")}
        payload["instructor_name"] = instructor.name
        files[f"instructor/{instructor.name}"] = instructor.read_bytes()
    return payload, files


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def execute_on_cluster(runs: list, address: str, *, kind: str, timeout: int, finish, client=None,
                       on_interrupt=None) -> None:
    """Submit ``runs`` (already filtered of cached ones) to the cluster at ``address`` and hand each result to
    ``finish(run, attempt, start, message)`` as it arrives, after putting the returned files in the run's
    staging names (exactly where a local worker would have written them). Ctrl-C cancels what has not
    finished and re-raises KeyboardInterrupt."""
    _, as_completed = _import_client()
    own = client is None
    client = connect(address) if own else client
    try:
        futures = {}
        for run in runs:
            payload, files = _payload(run, kind, timeout)
            fut = client.submit(run_task, payload, files, timeout, pure=False,
                                key=f"crmlab-{run.run_id}-{run.key[:12]}-{time.time_ns()}")
            futures[fut] = run
        try:
            for fut in as_completed(list(futures), loop=client.loop):
                run = futures.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - the task itself failed (or was lost too often)
                    finish(run, 2, time.perf_counter(), {"status": "failed", "retry": False,
                                             "error": f"task failed on the cluster: {type(exc).__name__}: {exc}"})
                    continue
                message = result["message"]
                if message.get("status") == "ok":
                    if result.get("ipynb") is None or result.get("html") is None:
                        message = {"status": "failed", "retry": False, "error": "the worker returned no notebook"}
                    else:
                        _write(run.staged_ipynb, result["ipynb"])
                        _write(run.staged_html, result["html"])
                elif result.get("failed") is not None:
                    _write(run.failed_ipynb, result["failed"])
                message["retry"] = False  # the task retried a dead kernel already
                finish(run, result.get("attempts", 1), time.perf_counter() - result.get("seconds", 0.0), message)
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise
    finally:
        if own:
            client.close()
