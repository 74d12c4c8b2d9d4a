"""What every grid figure writes in and around its cells: the numbers, and outlines of cells."""

from __future__ import annotations

import numpy as np

from convlab._core.format import signed

__all__ = ["cell_text", "cell_outline"]


def cell_text(z: np.ndarray, blank_nan: str = "") -> np.ndarray:
    """The number written in each cell, as captions write it (signed(): a true minus sign, U+2212, not a hyphen),
    `blank_nan` where the value is NaN.

    >>> cell_text(np.array([[1.0, np.nan], [0.5, -2.0]]), "·").tolist()
    [['1', '·'], ['0.5', '−2']]
    """
    return np.vectorize(lambda v: blank_nan if np.isnan(v) else signed(v), otypes=[object])(z)


def cell_outline(rows, cols) -> tuple[list, list]:
    """Outline of each cell (row, col), as one scatter path with None breaks.

    >>> cell_outline([0], [1])[0]
    [0.5, 1.5, 1.5, 0.5, 0.5, None]
    """
    xs, ys = [], []
    for r in rows:
        for c in cols:
            xs += [c - .5, c + .5, c + .5, c - .5, c - .5, None]
            ys += [r - .5, r - .5, r + .5, r + .5, r - .5, None]
    return xs, ys
