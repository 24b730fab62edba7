"""A process that forks one child per cluster task, with crmlab's heavy modules already imported.

A Dask worker is a daemonic process, so it cannot use multiprocessing's fork server the way the local pool
does (:func:`crmlab.batch._context`); starting ``python -m crmlab._task`` afresh for every run would import
papermill, nbconvert and the worlds each time (about 2 s of CPU, as much as a small notebook's run).
:func:`crmlab.cluster.run_task` therefore starts this module once per worker process (``python -m
crmlab._zygote``, a plain subprocess) and writes the folder of each task to its standard input, one line
each. For each line it forks a child that becomes the leader of a new process group (so that the run, its
kernel and anything they start can be killed together), runs :func:`crmlab._task.main` on the folder and
exits; the zygote answers with the child's pid on one line. Children are reaped by the system (SIGCHLD is
ignored), so the waiting side watches the pid and the task's ``message.json``.
"""
from __future__ import annotations

import os
import signal
import sys

PRELOAD = ("crmlab.runner", "crmlab.results", "crmlab._batch_warmup", "crmlab.worlds", "crmlab.worlds.transactions",
           "crmlab.grade", "crmlab._task", "nbconvert", "papermill")


def main() -> int:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped at exit: no zombies to wait for
    out = sys.stdout
    for line in sys.stdin:
        folder = line.strip()
        if not folder:
            continue
        pid = os.fork()
        if pid == 0:  # the child: its own process group, then the task
            status = 1
            try:
                os.setsid()
                devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, 0)  # the zygote's pipes are not the child's
                os.dup2(devnull, 1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the run waits for its own kernel
                os.chdir(folder)
                from crmlab._task import main as task_main

                status = task_main([folder])
            finally:
                os._exit(status)
        out.write(f"{pid}\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
