"""The lecture notes' worked examples and hand-made kernels, one click away on the pages.

Values are given as the text the pages' inputs hold (see convlab.parse), so a preset
is also a valid URL state.
"""

from __future__ import annotations

import numpy as np

from convlab.images.kernels import KERNELS
from convlab.parse import format_grid, format_grids

__all__ = ["CONV1D", "CONV2D", "KERNELS", "kernel_text", "random_grids", "image_patch", "resize_layer"]

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

def kernel_text(name: str, decimals: int = 3) -> str:
    """A hand-made kernel as grid text, rounded so it reads well in cells."""
    return format_grid(np.round(KERNELS[name], decimals))


def random_grids(seed: int, count: int, h: int, w: int, low: int = -3, high: int = 3) -> str:
    """Small random integers (readable in cells, exact in sums) as grids text."""
    rng = np.random.default_rng(seed)
    return format_grids(rng.integers(low, high + 1, size=(count, h, w)))


SEED000_X = "1 2 4 3; 5 6 8 7; 9 10 12 11; 13 14 16 2"
SEED003_X = "1 1 1 0 0; 0 1 1 1 0; 0 0 1 1 1; 0 0 1 1 0; 0 1 1 0 0"
SEED001_X = "1 2 3 2; 2 3 2 5; 1 2 2 1; 0 2 1 2"

# name -> page state for the 2D page (x: input channels, w: O·C kernels in (filter, channel) order)
CONV2D: dict[str, dict] = {
    "Seed 000: 4×4 with [[1,−2],[−3,4]]": dict(x=SEED000_X, w="1 -2; -3 4"),
    "Seed 003: 5×5 with the X kernel": dict(x=SEED003_X, w="1 0 1; 0 1 0; 1 0 1"),
    "Seed 001: 4×4 with [[−1,1],[−1,1]]": dict(x=SEED001_X, w="-1 1; -1 1"),
    "Seed 001: two filters, [[−1,1],[−1,1]] and [[1,1],[1,1]]": dict(x=SEED001_X, w="-1 1; -1 1 | 1 1; 1 1", bias="0, 0"),
    "Two channels, two filters and a bias": dict(
        x=random_grids(1, 2, 5, 5, 0, 3), w=random_grids(2, 4, 3, 3, -1, 1), bias="1, -2", padding="same"),
    "Random 6×6 with stride 2": dict(x=random_grids(3, 1, 6, 6), w=random_grids(4, 1, 3, 3, -1, 1), stride=2),
    "Seed 002: 7×7, 3×3, stride 3 (does not tile)": dict(x=random_grids(5, 1, 7, 7, 0, 4), w="1 0 1; 0 1 0; 1 0 1",
                                                        stride=3),
}


def image_patch(size: int = 8, top: int = 200, left: int = 300) -> str:
    """A grey patch of scikit-learn's bundled china.jpg, values in [0, 1] with 2 decimals, as grid text."""
    from sklearn.datasets import load_sample_image   # bundled with scikit-learn: no download

    img = load_sample_image("china.jpg").astype(float) / 255.0
    grey = img[top: top + size, left: left + size] @ np.array([0.299, 0.587, 0.114])
    return format_grid(np.round(grey, 2))


def resize_layer(x_text: str, w_text: str, bias_text: str, channels: int, filters: int, groups: int = 1,
                 seed: int = 0, old_groups: int | None = None) -> tuple[str, str, str]:
    """Change the number of input channels, filters or groups of a layer given as text, keeping what is there
    and filling new grids with small random integers (new biases are 0). The text is read with `old_groups`
    (default: groups) and written with C/groups kernels per filter.

    >>> resize_layer("1 2; 3 4", "1 0; 0 1", "5", 2, 1, seed=1)[1].count("|")
    1
    >>> resize_layer("1 | 2", "1 | 2 | 3 | 4", "0, 0", 2, 2, groups=2, old_groups=1)[1]     # depthwise: 2 kernels
    '1 | 4'
    """
    from convlab.parse import format_vector, parse_layer, parse_vector
    old = groups if old_groups is None else old_groups
    x, w = parse_layer(x_text, w_text, max_channels=4, max_filters=4, groups=old)
    (o_old, _), (h, wd), (kh, kw) = w.shape[:2], x.shape[1:], w.shape[2:]
    rng = np.random.default_rng(seed)
    xs = np.concatenate([x[:channels], rng.integers(0, 4, size=(max(channels - len(x), 0), h, wd))])
    new = rng.integers(-1, 2, size=(filters, channels // groups, kh, kw)).astype(float)
    for o in range(min(filters, o_old)):             # each filter keeps its kernel of every channel it still reads
        reads = range(o // (filters // groups) * (channels // groups), (o // (filters // groups) + 1) * (channels // groups))
        had = range(o // (o_old // old) * (len(x) // old), (o // (o_old // old) + 1) * (len(x) // old))
        for k, c in enumerate(reads):
            if c in had:
                new[o, k] = w[o, had.index(c)]
    bias = list(parse_vector(bias_text, "bias"))
    return format_grids(xs), format_grids(new.reshape(-1, kh, kw)), format_vector((bias + [0.0] * filters)[:filters])
