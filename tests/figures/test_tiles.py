"""The tiles figure leaves room for its titles: a band above each row, columns as wide as the longest title,
and no wider than the page column it is given (the browser test measures the drawn result on /features)."""

import numpy as np
import pytest

from convlab.figures.training import tiles_figure

CASES = {  # name: (tiles, tile shape, titles, cell, font size, width)
    "trained kernels": (16, (3, 3), [f"shapes model {i}" for i in range(16)], 70, 12, None),
    "k-means kernels, projector": (8, (5, 5), [f"k-means {i}" for i in range(8)], 70, 18, 300),
    "hand-made kernels": (8, (3, 3), ["box blur", "Gaussian blur", "sharpen", "Sobel x", "Sobel y", "Laplacian",
                                      "emboss", "X (seed 003)"], 70, 12, 300),
    "feature maps": (24, (85, 128), [f"Gaussian blur ({c})" for c in "RGB" * 8], 150, 12, 600),
    "layer maps": (32, (32, 32), [str(i) for i in range(32)], 110, 12, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_titles_have_a_band_of_their_own_and_room_to_the_next(case):
    n, shape, titles, cell, fs, width = CASES[case]
    fig = tiles_figure([np.ones(shape)] * n, titles, columns=4, cell=cell, font_size=fs, width=width)
    z = np.array(fig.data[0].z, dtype=float)                     # (H, W) mosaic, NaN between the tiles
    px = (fig.layout.height - 10) / z.shape[0]                    # screen pixels per image pixel as planned
    filled = ~np.isnan(z)
    for a in fig.layout.annotations:
        top, centre = int(a.y + 0.5), int(a.x + 0.5)              # the title stands on the top edge of its tile
        assert filled[top, centre] and (top == 0 or not filled[top - 1, centre])
        band = np.flatnonzero(filled[:top, centre])
        free = top - (band[-1] + 1 if band.size else 0)           # empty image pixels above the tile
        assert free * px >= 2 * fs, (a.text, free * px)
    xs = sorted({a.x for a in fig.layout.annotations})
    if len(xs) > 1:                                               # room for the longest title between centres
        assert (xs[1] - xs[0]) * px >= 0.65 * fs * max(map(len, titles)), (xs[1] - xs[0]) * px
    if width is not None:
        assert z.shape[1] * px <= width + 1                         # (+1: the height is rounded up)
        assert shape[0] * px >= cell / 2                          # tiles shrink at most by half, else fewer columns


@pytest.mark.parametrize("values", [[[-1.0, 2.5], [0.0, -0.125]], [[-1e-5, 3.0]]])
def test_grid_cells_write_a_true_minus_sign(values):
    """Issue 24: the numbers in grid figures' cells used a hyphen for minus ("-2"); they read like captions, "−2"."""
    from convlab._core.format import signed
    from convlab.figures.grids import grid_figure
    texts = [t for row in grid_figure([np.array(values)], ["x"]).data[0].text for t in row]
    assert texts == [signed(v) for row in values for v in row]
    assert not any("-" in t for t in texts) and any(t.startswith("\u2212") for t in texts)
