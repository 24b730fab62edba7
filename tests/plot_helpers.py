"""Shared by the plotting tests: draw a chart with every warning turned into an error."""
import warnings


def render_strict(draw):
    """Call ``draw()`` (which returns an Axes) and render its figure; any warning (a missing glyph, a
    deprecation) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = draw()
        ax.figure.canvas.draw()
    return ax
