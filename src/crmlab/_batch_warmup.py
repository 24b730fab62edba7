"""Imported once by the fork server of `crmlab batch` (see crmlab.batch._context), never by users.

Every batch run executes in a fresh process forked from that server. Whatever the server has already
imported and initialised, a run does not pay for again: papermill and nbclient, and nbconvert's HTML
export, whose first use in a process loads templates, filters and highlighters (about 0.5 s a run).
"""
import nbformat
import papermill  # noqa: F401  (imported for its side effect: loaded once, shared by every worker)
from nbconvert import HTMLExporter

try:
    HTMLExporter(template_name="lab").from_notebook_node(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# warm-up"), nbformat.v4.new_code_cell("x = 1")]))
except Exception:  # noqa: BLE001 - a failed warm-up only costs time; the run itself will report the problem
    pass
