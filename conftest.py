"""Shared by every pytest run in this checkout: unit tests, notebooks (nbval) and docstring examples."""
import matplotlib
import pytest

# Headless plotting in this process only. Not through MPLBACKEND: the notebook kernels nbval starts would
# inherit it and draw no inline figures, so their outputs would no longer match the committed ones.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")

# A case's world.py and checks.py are loaded by crmlab itself (crmlab._casemodules, as crmlab_cases.<id>.world),
# never imported by pytest: pytest's import for --doctest-modules would load them a second time under another
# name, and their worlds and exercises would register twice. Their docstring examples run through crmlab's
# loader in tests/test_case_contract.py (test_case_modules_docstring_examples).
collect_ignore_glob = ["cases/*/world.py", "cases/*/checks.py"]
