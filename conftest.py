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
