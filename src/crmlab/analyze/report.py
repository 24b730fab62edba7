"""The outputs of ``crmlab analyze``: the client report, the customer table, and optionally the teaching notebook.

:func:`write_report` writes what a consultant hands over: ``report.html``, the client report of
:mod:`crmlab.analyze.client` (findings and charts, in English or Chinese, no code), and ``customers.csv``,
one row per customer, in UTF-8 with a byte-order mark so that Excel shows Chinese text. :func:`write_notebook`
additionally runs the method notebook of the ``customer_value`` case on the clean file (``crmlab analyze
--notebook``): the same analysis with its code and teaching material, for whoever wants to see or change
how it is done. :data:`OUTPUTS` names every file the command may leave in its output folder.

This layer neither cleans nor models: it writes what :mod:`crmlab.analyze.clean` and
:mod:`crmlab.analyze.model` computed. The HTML index pages that link many executed notebooks (``crmlab demo``,
``crmlab batch``) are :mod:`crmlab.report`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["OUTPUTS", "report_notebook", "write_report", "write_notebook"]

OUTPUTS = ("report.html", "customers.csv", "data_quality.csv", "clean_transactions.parquet", "customer_value.ipynb",
           "customer_value.html")


def report_notebook() -> Path:
    """The method notebook :func:`write_notebook` runs: the notebook of the ``customer_value`` case.

    Raises :class:`~crmlab.errors.CrmlabError` when the case catalogue does not hold it, so a command can
    look it up before any long work.
    """
    from ..cases import get_case

    return get_case("customer_value").notebook_path


def write_report(result, out_dir, *, value, lang: str = "en", gross_margin: float = 1.0,
                 cost_per_purchase: float = 0.0) -> Path:
    """Write the client report (``report.html``) and ``customers.csv`` into ``out_dir``; return the report's path.

    Parameters
    ----------
    result : :class:`~crmlab.analyze.clean.CleanResult`
        The cleaning: its clean log, data-quality account and source name.
    out_dir : path
        Existing output folder.
    value : :class:`~crmlab.analyze.model.CustomerValue`
        The per-customer analysis of ``result.transactions``.
    lang : "en" or "zh"
        Language of the report.
    gross_margin, cost_per_purchase : float
        As given to the analysis.
    """
    from .client import client_report, write_csv

    out = Path(out_dir)
    write_csv(value.customers, out / "customers.csv")
    return client_report(value, result.quality, result.transactions, out, source=result.source, lang=lang,
                         gross_margin=gross_margin, cost_per_purchase=cost_per_purchase)


def write_notebook(clean_file, out_dir, *, observation_end, gross_margin: float = 1.0, cost_per_purchase: float = 0.0,
                   timeout: int = 3600, notebook=None, lang: str = "en") -> Path:
    """Run the customer-value method notebook on ``clean_file`` into ``out_dir`` (``customer_value.ipynb`` and
    its page ``customer_value.html``): the analysis with its code, for whoever wants to see how it is done.

    Parameters
    ----------
    clean_file : path
        A clean file written by :func:`~crmlab.analyze.store.write_clean`.
    out_dir : path
        Existing output folder; gets ``customer_value.ipynb`` and ``customer_value.html`` (existing ones are
        replaced) and is the notebook's working directory.
    observation_end : date-like
        Last day analysed (``CleanResult.observation_end``).
    gross_margin, cost_per_purchase : float
        Passed to the notebook (see :func:`~crmlab.analyze.model.customer_value`).
    timeout : int
        Seconds allowed per notebook cell.
    notebook : path, optional
        The notebook to run; default :func:`report_notebook`.

    lang : "en" or "zh"
        Edition of the notebook.

    Returns
    -------
    Path of ``customer_value.html``. A failing cell raises :class:`~crmlab.errors.CrmlabError` (the partial
    notebook is kept as ``customer_value.failed.ipynb``).

    Example
    -------
    >>> # write_notebook(write_clean(res, "out/clean_transactions.parquet"), "out", observation_end=res.observation_end)
    """
    from ..runner import run_notebook, to_html

    out = Path(out_dir)
    if notebook is None:
        from ..cases import get_case
        from ..paths import project_root

        notebook = project_root() / get_case("customer_value").notebook_for(lang)
    params = {"data_path": str(clean_file), "observation_end": str(pd.Timestamp(observation_end).date()),
              "gross_margin": float(gross_margin), "cost_per_purchase": float(cost_per_purchase),
              "customers_csv": ""}
    executed = run_notebook(notebook, out / "customer_value.ipynb", params, cwd=out, timeout=timeout)
    return to_html(executed, out / "customer_value.html")
