"""The report of ``crmlab analyze``: the customer-value notebook run on a clean file, rendered to HTML.

:func:`write_report` executes the method notebook of the ``customer_value`` case (papermill, through
:func:`crmlab.runner.run_notebook`) on a file written by :func:`crmlab.analyze.store.write_clean`; the
notebook computes the per-customer table with :func:`crmlab.analyze.model.customer_value`, draws the
figures (segments, Pareto and whale curves, CLV) and writes ``customers.csv``; the executed notebook is
then rendered to a standalone ``report.html`` (figures embedded). :data:`OUTPUTS` names every file the
command leaves in its output folder.

This layer neither cleans nor models: the notebook does the analysis, and the command
(:mod:`crmlab.cli`) decides what to run, checks the output folder and prints. The HTML index pages that
link many executed notebooks (``crmlab demo``, ``crmlab batch``) are :mod:`crmlab.report`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["OUTPUTS", "report_notebook", "write_report"]

OUTPUTS = ("report.html", "customer_value.ipynb", "customers.csv", "data_quality.csv", "clean_transactions.parquet")


def report_notebook() -> Path:
    """The method notebook :func:`write_report` runs: the notebook of the ``customer_value`` case.

    Raises :class:`~crmlab.errors.CrmlabError` when the case catalogue does not hold it, so a command can
    look it up before any long work.
    """
    from ..cases import get_case

    return get_case("customer_value").notebook_path


def write_report(clean_file, out_dir, *, observation_end, gross_margin: float = 1.0, cost_per_purchase: float = 0.0,
                 timeout: int = 3600, notebook=None) -> Path:
    """Run the customer-value notebook on ``clean_file`` and write its report into ``out_dir``.

    Parameters
    ----------
    clean_file : path
        A clean file written by :func:`~crmlab.analyze.store.write_clean`.
    out_dir : path
        Existing output folder; gets ``customer_value.ipynb``, ``customers.csv`` and ``report.html``
        (existing ones are replaced) and is the notebook's working directory.
    observation_end : date-like
        Last day analysed (``CleanResult.observation_end``).
    gross_margin, cost_per_purchase : float
        Passed to the notebook (see :func:`~crmlab.analyze.model.customer_value`).
    timeout : int
        Seconds allowed per notebook cell.
    notebook : path, optional
        The notebook to run; default :func:`report_notebook`.

    Returns
    -------
    Path of ``report.html``. A failing cell raises :class:`~crmlab.errors.CrmlabError` (the partial
    notebook is kept as ``customer_value.failed.ipynb``).

    Example
    -------
    >>> # write_report(write_clean(res, "out/clean_transactions.parquet"), "out", observation_end=res.observation_end)
    """
    from ..runner import run_notebook, to_html

    out = Path(out_dir)
    notebook = report_notebook() if notebook is None else notebook
    params = {"data_path": str(clean_file), "observation_end": str(pd.Timestamp(observation_end).date()),
              "gross_margin": float(gross_margin), "cost_per_purchase": float(cost_per_purchase),
              "customers_csv": str(out / "customers.csv")}
    executed = run_notebook(notebook, out / "customer_value.ipynb", params, cwd=out, timeout=timeout)
    return to_html(executed, out / "report.html")
