"""Top-patch figures: every unit's strongest patches as one mosaic, and one unit's images with its field drawn.

Pictures are shown as photos (0 black, 1 white; colour images as they are). The part of a field outside the
image is the network's padding: grey (the padding colour of every lesson), hatched, so it cannot pass for a
grey picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from convlab._core.format import signed
from convlab.figures.theme import GREY, PAD_BG, PAPER, TILE_FONT, WINDOW, rgb
from convlab.images.patches import Patch, TopPatches

__all__ = ["patches_figure", "unit_figure"]


def _rgb(image: np.ndarray) -> np.ndarray:
    """(C, h, w) in [0, 1] with NaN outside the image → (h, w, 3) in 0 … 255, NaN painted the padding colour."""
    pic = np.repeat(image, 3, axis=0) if image.shape[0] == 1 else image[:3]
    out = np.clip(np.transpose(pic, (1, 2, 0)), 0, 1) * 255
    out[np.isnan(out).any(axis=2)] = rgb(PAD_BG)
    return out


def _outside(box: tuple[int, int, int, int], inside: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """The part of box outside `inside` as up to four rectangles (top, left, bottom, right), in box coordinates."""
    top, left, bottom, right = box
    t, lf, b, r = inside
    rects = [(0, 0, t - top, right - left), (b - top, 0, bottom - top, right - left),
             (t - top, 0, b - top, lf - left), (t - top, r - left, b - top, right - left)]
    return [q for q in rects if q[2] > q[0] and q[3] > q[1]]


def _hatch(rects: list[tuple[float, float, float, float]]) -> go.Scatter:
    """One trace hatching every rectangle (y, x, y1, x1) in figure pixels."""
    xs, ys = [], []
    for y0, x0, y1, x1 in rects:
        xs += [x0 - .5, x1 - .5, x1 - .5, x0 - .5, x0 - .5, None]
        ys += [y0 - .5, y0 - .5, y1 - .5, y1 - .5, y0 - .5, None]
    return go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor="rgba(0,0,0,0)", line={"width": 0},
                      fillpattern={"shape": "/", "fgcolor": GREY, "bgcolor": PAD_BG, "size": 6, "solidity": 0.25},
                      hoverinfo="skip", showlegend=False)


def _style(fig: go.Figure, height: int, width: int) -> go.Figure:
    fig.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, range=[-.5, width - .5])
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=5, b=5), dragmode=False, plot_bgcolor=PAPER)
    return fig


def _bytes(mosaic: np.ndarray) -> np.ndarray:
    """An RGB mosaic in 0…255 as bytes: Plotly sends arrays as typed binary, so a uint8 picture is 8× smaller to
    send than a float64 one (and looks the same)."""
    return np.round(np.clip(mosaic, 0, 255)).astype(np.uint8)


def patches_figure(tp: TopPatches, images: np.ndarray, columns: int = 8, font_size: int = TILE_FONT,
                   width: int = 1200) -> go.Figure:
    """Every unit's k patches in a block (strongest first, row by row), a block per unit under its title (marked
    "(≤ 0)" when the unit is never positive on these images), the blocks `columns` to a row; `width` the screen
    pixels the figure is drawn in (for its height).

    >>> import torch, torch.nn as nn
    >>> from convlab.images.patches import top_patches
    >>> _ = torch.manual_seed(0)
    >>> imgs = np.random.default_rng(0).random((5, 1, 6, 6))
    >>> fig = patches_figure(top_patches(nn.Sequential(nn.Conv2d(1, 2, 3, padding=1)), imgs, k=4), imgs)
    >>> [a.text for a in fig.layout.annotations], len(fig.data)
    (['unit 0', 'unit 1'], 2)
    """
    k = len(tp.units[0])
    per_row = int(np.ceil(np.sqrt(k)))
    rh, rw = tp.field.size
    bh, bw = -(-k // per_row) * (rh + 1) - 1, per_row * (rw + 1) - 1          # a block: patches 1 px apart
    cols = min(columns, len(tp.units))
    gap = max(2, int(np.ceil(bw / 4)))
    band = max(2, int(np.ceil(1.8 * font_size * (cols * (bw + gap)) / width)))  # title band, in image pixels
    rows = -(-len(tp.units) // cols)
    H, W = rows * (band + bh + gap), cols * (bw + gap) - gap
    mosaic = np.full((H, W, 3), 255.0)
    hatched, titles = [], []
    for u, patches in enumerate(tp.units):
        by, bx = (u // cols) * (band + bh + gap) + band, (u % cols) * (bw + gap)
        title = f"unit {u}" + (" (≤ 0)" if patches[0].activation <= 0 else "")
        titles.append({"x": bx + (bw - 1) / 2, "y": by - 1, "text": title, "showarrow": False,
                       "yanchor": "bottom", "font": {"size": font_size}})
        for n, p in enumerate(patches):
            y, x = by + (n // per_row) * (rh + 1), bx + (n % per_row) * (rw + 1)
            mosaic[y:y + rh, x:x + rw] = _rgb(tp.crop(images, p))
            hatched += [(y + q[0], x + q[1], y + q[2], x + q[3]) for q in _outside(p.box, p.inside)]
    fig = go.Figure([go.Image(z=_bytes(mosaic), hoverinfo="skip")] + ([_hatch(hatched)] if hatched else []))
    fig.update_layout(annotations=titles)
    return _style(fig, int(np.ceil(H * width / W)) + 10, W)


def unit_figure(tp: TopPatches, images: np.ndarray, unit: int, columns: int = 3, font_size: int = TILE_FONT,
                width: int = 700) -> go.Figure:
    """One unit's k images, whole, each with the unit's field drawn where it fired (reaching past the image's
    edge where the field does), and the activation in the title.

    >>> import torch.nn as nn
    >>> from convlab.images.patches import top_patches
    >>> imgs = np.random.default_rng(0).random((5, 1, 6, 6))
    >>> fig = unit_figure(top_patches(nn.Sequential(nn.Conv2d(1, 2, 3, padding=1)), imgs, k=2), imgs, 1)
    >>> [a.text.startswith("image ") for a in fig.layout.annotations], len(fig.layout.shapes)
    ([True, True], 2)
    """
    patches: Sequence[Patch] = tp.units[unit]
    h, w = tp.image_hw
    over = max(max(-p.box[0], -p.box[1], p.box[2] - h, p.box[3] - w, 0) for p in patches)   # how far a box sticks out
    gap, cols = 2 * over + 2, min(columns, len(patches))
    band = over + max(2, int(np.ceil(1.8 * font_size * (cols * (w + gap)) / width)))
    rows = -(-len(patches) // cols)
    H, W = rows * (band + h + gap) + over, cols * (w + gap) - gap + 2 * over
    mosaic = np.full((H, W, 3), 255.0)
    shapes, titles = [], []
    for n, p in enumerate(patches):
        y, x = (n // cols) * (band + h + gap) + band, over + (n % cols) * (w + gap)
        mosaic[y:y + h, x:x + w] = _rgb(np.asarray(images[p.image], dtype=np.float64))
        top, left, bottom, right = p.box
        shapes.append({"type": "rect", "x0": x + left - .5, "x1": x + right - .5, "y0": y + top - .5,
                       "y1": y + bottom - .5, "line": {"color": WINDOW, "width": 3}})
        titles.append({"x": x + (w - 1) / 2, "y": y - 1 - over, "text": f"image {p.image}: {signed(p.activation, 3)}",
                       "showarrow": False, "yanchor": "bottom", "font": {"size": font_size}})
    fig = go.Figure(go.Image(z=_bytes(mosaic), hoverinfo="skip"))
    fig.update_layout(annotations=titles, shapes=shapes)
    return _style(fig, int(np.ceil(H * width / W)) + 10, W)
