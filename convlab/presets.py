"""The lecture notes' worked examples and hand-made kernels, one click away on the pages.

Values are given as the text the pages' inputs hold (see convlab.parse), so a preset
is also a valid URL state.
"""

from __future__ import annotations

import numpy as np

from convlab.parse import format_grid, format_grids

__all__ = ["CONV1D", "KERNELS", "kernel_text", "random_grids"]

# name -> page state for the 1D page
CONV1D: dict[str, dict] = {
    "Seed 001: x = [1,0,2,2,3,1], w = [3,2,2]": dict(x="1, 0, 2, 2, 3, 1", w="3, 2, 2", padding="valid", stride=1),
    "Seed 001: same padding": dict(x="1, 0, 2, 2, 3, 1", w="3, 2, 2", padding="same", stride=1),
    "Seed 001: stride 2, padding 1 (exact)": dict(x="1, 0, 2, 2, 3, 1", w="3, 2, 1", padding="explicit",
                                                  before=0, after=1, stride=2),
    "Seed 001 quiz: n=13, k=6, s=5": dict(x=", ".join(str(i) for i in range(1, 14)), w="1, 1, 1, 1, 1, 1",
                                          padding="valid", stride=5),
    "Seed 001 quiz with \"same\"": dict(x=", ".join(str(i) for i in range(1, 14)), w="1, 1, 1, 1, 1, 1",
                                        padding="same", stride=5),
    "Seed 002: N=7, F=3, stride 3 (2.33)": dict(x="1, 2, 3, 4, 5, 6, 7", w="1, 0, -1", padding="valid", stride=3),
}

_G = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": _G,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
    "Sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float),
    "Sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float),
    "Laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float),
    "X (seed 003)": np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float),
}


def kernel_text(name: str, decimals: int = 3) -> str:
    """A hand-made kernel as grid text, rounded so it reads well in cells."""
    return format_grid(np.round(KERNELS[name], decimals))


def random_grids(seed: int, count: int, h: int, w: int, low: int = -3, high: int = 3) -> str:
    """Small random integers (readable in cells, exact in sums) as grids text."""
    rng = np.random.default_rng(seed)
    return format_grids(rng.integers(low, high + 1, size=(count, h, w)))
