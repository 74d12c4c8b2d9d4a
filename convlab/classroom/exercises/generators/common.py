"""What several generators share."""

from __future__ import annotations

import numpy as np


def ints(rng: np.random.Generator, lo: int, hi: int, size) -> np.ndarray:
    """Whole numbers from lo to hi (both included) as floats, the entries of a question's matrices.

    >>> ints(np.random.default_rng(0), 0, 3, (2, 2)).dtype
    dtype('float64')
    """
    return rng.integers(lo, hi + 1, size=size).astype(float)
