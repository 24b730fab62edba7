"""Small plotting helper shared by the service, churn, basket and accounts modules."""
from __future__ import annotations


def axes_or_new(ax):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax
