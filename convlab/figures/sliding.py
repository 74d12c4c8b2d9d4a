"""Shared pieces of the grid figures: the diverging colour scale, the window colour, cell texts and outlines.

The sliding-window animations themselves run in the browser now (the app's lesson view, ui/lessonview), which
replays a whole trace (StepTrace.to_dict) with one set of controls; the GIF export draws them with Pillow
(convlab.export). These helpers serve the Plotly grids that remain (convlab.figures.grids and friends).
"""

from __future__ import annotations

import numpy as np

from convlab._format import num

__all__ = ["DIVERGING", "WINDOW"]

# a muted diverging scale (blue negative, white 0, red positive): dark text stays readable
DIVERGING = [[0.0, "#4393c3"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#d6604d"]]
WINDOW = "#e66101"


def _text(z: np.ndarray, blank_nan: str = "") -> np.ndarray:
    return np.vectorize(lambda v: blank_nan if np.isnan(v) else num(v), otypes=[object])(z)


def _squares(rows, cols) -> tuple[list, list]:
    """Outline of each cell (row, col), as one scatter path with None breaks."""
    xs, ys = [], []
    for r in rows:
        for c in cols:
            xs += [c - .5, c + .5, c + .5, c - .5, c - .5, None]
            ys += [r - .5, r - .5, r + .5, r + .5, r - .5, None]
    return xs, ys


def _limit(*arrays) -> float:
    m = max((np.nanmax(np.abs(a)) if np.isfinite(a).any() else 0.0) for a in arrays)
    return 1.6 * m if m > 0 else 1.0
