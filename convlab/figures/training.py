"""Live training views: curves, gradient norms, a tiled grid of small images, a confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab.figures.theme import (BLUE, CHART_FONT, COUNTS, DIVERGING, GRIDLINE, GROUPS, PAPER, PICTURE,
                                   TILE_FONT, TRANSPARENT, limit, log_ticks)

__all__ = ["curves_figure", "grad_norms_figure", "tiles_figure", "confusion_figure", "ink_figure", "probs_figure"]


def _style(fig: go.Figure, height: int, font_size: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), font={"size": font_size},
                      plot_bgcolor=PAPER, legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(gridcolor=GRIDLINE)
    fig.update_yaxes(gridcolor=GRIDLINE)
    return fig


def curves_figure(curve: list[dict], epochs: list[dict], font_size: int = CHART_FONT) -> go.Figure:
    """Loss (left) and accuracy (right) against training steps; test points at each epoch end. Each of the four
    series has its own colour in the legend (Okabe–Ito, colour-blind safe); accuracy is dashed.

    >>> fig = curves_figure([{"step": 5, "train_loss": 2.0, "train_acc": .3}],
    ...                     [{"step": 5, "test_loss": 2.1, "test_acc": .25}])
    >>> [t.name for t in fig.data], len({t.line.color for t in fig.data})
    (['train loss', 'train accuracy', 'test loss', 'test accuracy'], 4)
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=["loss", "accuracy"])
    steps = [c["step"] for c in curve]
    fig.add_trace(go.Scatter(x=steps, y=[c["train_loss"] for c in curve], name="train loss",
                             line={"color": GROUPS[0]}), row=1, col=1)
    fig.add_trace(go.Scatter(x=steps, y=[c["train_acc"] for c in curve], name="train accuracy",
                             line={"color": GROUPS[2], "dash": "dash"}), row=1, col=2)
    if epochs:
        es = [e["step"] for e in epochs]
        fig.add_trace(go.Scatter(x=es, y=[e["test_loss"] for e in epochs], name="test loss", mode="lines+markers",
                                 line={"color": GROUPS[5]}), row=1, col=1)
        fig.add_trace(go.Scatter(x=es, y=[e["test_acc"] for e in epochs], name="test accuracy", mode="lines+markers",
                                 line={"color": GROUPS[3], "dash": "dash"}), row=1, col=2)
    fig.update_xaxes(title="step")
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    return _style(fig, 330, font_size)


def grad_norms_figure(norms: list[dict], font_size: int = CHART_FONT) -> go.Figure:
    """Each layer's weight-gradient norm over time (log scale): vanishing gradients show as a low line."""
    fig = go.Figure()
    layers = list(norms[-1]) if norms else []
    for name in layers:
        fig.add_trace(go.Scatter(y=[max(n.get(name, 0.0), 1e-12) for n in norms], name=name, mode="lines"))
    fig.update_yaxes(type="log", title="‖dL/dW‖", **log_ticks(*(t.y for t in fig.data)))
    fig.update_xaxes(title="report")
    fig.update_layout(title={"text": "gradient norm per layer"})
    return _style(fig, 330, font_size)


def _tile_layout(n: int, h: int, w: int, columns: int, cell: int, width: int | None, title_chars: int,
                 font_size: int) -> tuple[int, float, int, int]:
    """(columns, screen pixels per image pixel, band, gap) for n tiles of h × w: the band (in image pixels)
    above each row holds one line of titles, the gap between columns is wide enough for the longest title.
    A tile is `cell` screen pixels tall, smaller (or fewer columns) where the grid must fit in `width`
    screen pixels; the sizes leave room to spare, as a figure squeezed by its container shrinks its tiles,
    never its text."""
    text = 0.65 * font_size * title_chars + font_size / 2           # a generous width for the longest title
    g0 = max(1, h // 6)

    def gap(px: float) -> int:                                       # whole image pixels between two columns
        return max(g0, int(np.ceil(text / px)) - w)

    cols = min(columns, n)
    px = cell / h                                                    # screen pixels per image pixel
    while width is not None and ((cols - 1) * (w + gap(px)) + w) * px > width:
        # the largest scale at which the tiles with their gaps, and the titles, fit (a gap rounds up by < 1 pixel)
        fit = min(width / ((cols - 1) * (w + g0) + w), (width - (cols - 1) * text) / (w + cols - 1))
        if fit * h >= cell / 2 or cols == 1:
            px = max(fit, 1 / h)
            break
        cols -= 1
    band = max(g0, int(np.ceil(2.0 * font_size / px))) if title_chars else g0
    return cols, px, band, gap(px)


def _stretched(im) -> np.ndarray:
    """A tile scaled to its own largest |value|, or, with no value below 0, from its smallest (0) to its largest (1).

    >>> _stretched(np.array([0.6, 0.7, 0.8])).round(2).tolist(), _stretched(np.array([-1.0, 0.5])).tolist()
    ([0.0, 0.5, 1.0], [-1.0, 0.5])
    """
    im = np.asarray(im, dtype=float)
    lo, hi = float(np.nanmin(im)), float(np.nanmax(im))
    if lo >= 0 and hi > lo:
        return (im - lo) / (hi - lo)
    return im / (np.abs(im).max() or 1.0)


def tiles_figure(images: Sequence[np.ndarray], titles: Sequence[str], columns: int = 8, font_size: int = TILE_FONT,
                 cell: int = 90, rgb: bool = False, signed: bool = True, each: bool = False,
                 clickable: bool = False, width: int | None = None, stretch: bool = False) -> go.Figure:
    """Small images in a grid (filters, feature maps, examples), drawn as ONE mosaic trace so the browser
    redraws it quickly while training updates it twice a second. Signed values diverge around 0;
    rgb=True shows (3, H, W) images in [0, 1] as colour pictures; signed=False shows greyscale pictures
    in [0, 1] (ink dark on white); each=True scales every tile to its own largest |value| (feature maps
    of very different strength stay visible); stretch=True (with each) draws a tile with no negative value from
    its own smallest (white) to its largest (red) value, so maps after a sigmoid, all between 0.5 and 1, are not
    one flat orange. clickable=True lays transparent markers over each tile with
    customdata = the tile's index, for st.plotly_chart(on_select=...): heatmaps themselves send no clicks.
    Each title sits in a band of its own above its tile, and the columns are spaced for the longest title,
    so titles neither run together nor cover a tile; `width` (screen pixels, e.g. a page column's) makes the
    tiles smaller, or the columns fewer, so that the grid fits without shrinking.

    >>> fig = tiles_figure([np.ones((2, 2)), -np.ones((2, 2))], ["a", "b"])
    >>> len(fig.data), [a.text for a in fig.layout.annotations]
    (1, ['a', 'b'])
    """
    n = len(images)
    if n == 0:
        return go.Figure()
    if each and not rgb:
        images = [_stretched(im) if stretch else np.asarray(im, dtype=float) / (np.abs(im).max() or 1.0)
                  for im in images]
    titles = list(titles[:n])
    shapes = [np.shape(im)[-2:] for im in images]
    h, w = max(s[0] for s in shapes), max(s[1] for s in shapes)
    cols, px, band, gap = _tile_layout(n, h, w, columns, cell, width, max(map(len, titles), default=0), font_size)
    rows = -(-n // cols)

    def top_left(i: int) -> tuple[int, int]:                   # tile i's first row and column in the mosaic
        r, c = divmod(i, cols)
        return r * (band + h) + band, c * (w + gap)

    H, W = rows * (band + h), cols * (w + gap) - gap
    channels = 3 if rgb else 1
    # (C, H, W); NaN between the tiles. float32: sent as binary, half of float64's bytes, and the hover shows 3 digits
    mosaic = np.full((channels, H, W), np.nan, dtype=np.float32)
    for i, im in enumerate(images):
        y, x = top_left(i)
        im = np.asarray(im, dtype=float).reshape(channels, *np.shape(im)[-2:])
        mosaic[:, y: y + im.shape[1], x: x + im.shape[2]] = im
    if rgb:
        pic = np.nan_to_num(np.transpose(mosaic, (1, 2, 0)), nan=1.0)
        fig = go.Figure(go.Image(z=np.round(np.clip(pic, 0, 1) * 255).astype(np.uint8), hoverinfo="skip"))   # bytes
    elif not signed:
        fig = go.Figure(go.Heatmap(z=mosaic[0], zmin=0, zmax=1, colorscale=PICTURE, showscale=False,
                                   hovertemplate="%{z:.3g}<extra></extra>"))
    else:
        lim = limit(*images)
        fig = go.Figure(go.Heatmap(z=mosaic[0], zmid=0, zmin=-lim, zmax=lim, colorscale=DIVERGING, showscale=False,
                                   hovertemplate="%{z:.3g}<extra></extra>"))
    # one update for all titles: fig.add_annotation per title re-validates every earlier one (quadratic)
    fig.update_layout(annotations=[
        {"x": top_left(i)[1] + (w - 1) / 2, "y": top_left(i)[0] - 0.5, "text": title, "showarrow": False,
         "yanchor": "bottom", "font": {"size": font_size}} for i, title in enumerate(titles)])
    if clickable:
        xs, ys, ids = [], [], []
        for i, (th, tw) in enumerate(shapes):
            y, x = top_left(i)
            for fy in (0.125, 0.375, 0.625, 0.875):
                for fx in (0.125, 0.375, 0.625, 0.875):
                    xs.append(x + fx * tw - 0.5)
                    ys.append(y + fy * th - 0.5)
                    ids.append(i)
        fig.add_trace(go.Scatter(x=xs, y=ys, customdata=ids, mode="markers", showlegend=False,
                                 marker={"size": max(6, int(h * px) // 4), "color": TRANSPARENT, "symbol": "square"},
                                 hovertemplate="map %{customdata}: click to enlarge<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(height=int(np.ceil(H * px)) + 10, margin=dict(l=5, r=5, t=5, b=5), dragmode=False,
                      plot_bgcolor=PAPER)
    return fig


def confusion_figure(confusion: np.ndarray, classes: Sequence[str], font_size: int = CHART_FONT) -> go.Figure:
    """Rows: true class, columns: predicted class; counts in the cells."""
    fig = go.Figure(go.Heatmap(z=confusion, x=list(classes), y=list(classes), text=confusion, texttemplate="%{text}",
                               colorscale=COUNTS, showscale=False, xgap=1, ygap=1,
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title="true", type="category", scaleanchor="x")
    fig.update_xaxes(title="predicted", type="category", side="top")
    return _style(fig, 420, font_size)


def ink_figure(grid: np.ndarray, title: str, text: np.ndarray | None = None, font_size: int = 14,
               cell: int = 30) -> go.Figure:
    """A grey image (H, W) in [0, 1] as the model sees it, ink dark on white, row 0 on top, with `text` (e.g. the
    0–16 block counts of a digit) written in the cells.

    >>> fig = ink_figure(np.eye(2), "seen", text=np.array([[16, 0], [0, 16]]))
    >>> fig.data[0].text.tolist(), fig.layout.title.text
    ([['16', '0'], ['0', '16']], 'seen')
    """
    a = np.asarray(grid, dtype=float)
    h, w = a.shape
    labels = None if text is None else np.vectorize(lambda v: f"{v:g}")(np.asarray(text)).astype(object)
    fig = go.Figure(go.Heatmap(z=a, zmin=0, zmax=1, colorscale=PICTURE, showscale=False, xgap=1, ygap=1,
                               text=labels, texttemplate="%{text}" if labels is not None else None,
                               textfont={"size": max(9, font_size - 2)},
                               hovertemplate="row %{y}, col %{x}: %{z:.2f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(title={"text": title, "font": {"size": font_size}}, height=h * cell + 60,
                      margin=dict(l=5, r=5, t=40, b=5), dragmode=False, plot_bgcolor=PAPER)
    return fig


def probs_figure(probs: np.ndarray, classes: Sequence[str], font_size: int = CHART_FONT) -> go.Figure:
    """Class probabilities as bars."""
    fig = go.Figure(go.Bar(x=list(classes), y=probs, text=[f"{p:.0%}" for p in probs], textposition="outside",
                           marker_color=BLUE))
    fig.update_yaxes(range=[0, 1.1], title="probability")
    fig.update_xaxes(type="category")
    return _style(fig, 300, font_size)
