"""Find the face: the photo with the boxes found, and one P(face) heat map per scale."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from convlab.figures.theme import GREEN, PAPER, PICTURE, PROBABILITY, WINDOW, png_source

__all__ = ["photo_with_boxes", "heat_map_figure"]


def _axes(fig: go.Figure, h: int, w: int, size: int, title: str, font_size: int) -> go.Figure:
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False, showgrid=False, zeroline=False,
                     range=[h - .5, -.5])
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, range=[-.5, w - .5])
    fig.update_layout(height=size, margin=dict(l=5, r=5, t=60, b=5), dragmode=False, plot_bgcolor=PAPER,
                      title=dict(text=title, font=dict(size=font_size)))
    return fig


def photo_with_boxes(image: np.ndarray, found, best=None, size: int = 420, font_size: int = 16) -> go.Figure:
    """The photo (H, W, 3) in [0, 1] with every box found ((top, left, side), p) drawn and numbered from the likeliest,
    and the best window of all (even below the threshold) dashed when it is not among them. A box is a window the
    classifier scores above the threshold, not a face for certain: the title says so, and P shows three decimals
    near 1, where two boxes of 1.00 would look equally sure.

    >>> fig = photo_with_boxes(np.zeros((40, 60, 3)), [((5, 10, 20), 0.9)])
    >>> len(fig.layout.shapes), fig.layout.annotations[0].text, fig.layout.title.text
    (1, '1: P = 0.90', '1 window above the threshold')
    >>> photo_with_boxes(np.zeros((40, 60, 3)), [((5, 10, 20), 0.9996), ((1, 1, 9), 0.9991)]).layout.annotations[1].text
    '2: P = 0.999'
    """
    h, w = image.shape[:2]
    # a PNG, not numbers: half the bytes of the pixels as go.Image(z=...), and the browser decodes it natively
    # instead of Plotly painting 65,536 pixels one by one (this figure was most of the page's time to draw)
    pixels = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    fig = go.Figure(go.Image(source=png_source(pixels), hoverinfo="skip"))
    boxes = [(b, p, True) for b, p in found]
    if best is not None and all(tuple(best[0]) != tuple(b) for b, _ in found):
        boxes.append((best[0], best[1], False))
    for n, ((top, left, side), p, kept) in enumerate(boxes, 1):
        colour = WINDOW if kept else GREEN
        label = f"P = {p:.3f}" if p >= 0.995 else f"P = {p:.2f}"
        fig.add_shape(type="rect", x0=left - .5, y0=top - .5, x1=left + side - .5, y1=top + side - .5,
                      line=dict(color=colour, width=4 if kept else 3, dash="solid" if kept else "dash"))
        fig.add_annotation(x=left, y=top, text=f"{n}: {label}" if kept else label, showarrow=False, xanchor="left",
                           yanchor="bottom", font=dict(color="white", size=font_size), bgcolor=colour)
    n = len(found)
    title = (f"{n} window{'s' if n != 1 else ''} above the threshold" if found
             else "no window above the threshold: best window dashed")
    return _axes(fig, h, w, size, title, font_size)


def heat_map_figure(scale_map, grey: np.ndarray | None = None, size: int = 300, font_size: int = 16) -> go.Figure:
    """One scale's heat map: P(face) of every window, a cell per window at the window's top-left corner (in the
    scaled photo's pixels, every `stride`), over the scaled grey photo when given; the best window outlined."""
    m = scale_map
    rows, cols = m.p.shape
    i, j = np.unravel_index(int(np.argmax(m.p)), m.p.shape)
    fig = go.Figure()
    if grey is not None:
        fig.add_trace(go.Heatmap(z=grey, colorscale=PICTURE, reversescale=True, zmin=0, zmax=1, showscale=False,
                                 hoverinfo="skip"))
    half = m.side / 2
    fig.add_trace(go.Heatmap(z=m.p, x0=half - .5, dx=m.stride, y0=half - .5, dy=m.stride, colorscale=PROBABILITY,
                             zmin=0, zmax=1, opacity=0.75 if grey is not None else 1.0,
                             colorbar=dict(title="P(face)", thickness=12),
                             hovertemplate="window row %{y}, col %{x}: P(face) = %{z:.3f}<extra></extra>"))
    top, left = i * m.stride, j * m.stride
    fig.add_shape(type="rect", x0=left - .5, y0=top - .5, x1=left + m.side - .5, y1=top + m.side - .5,
                  line=dict(color=WINDOW, width=3))
    h, w = m.scaled
    title = f"{m.share:.0%} of the side, {m.window:.0f} px<br>{rows}×{cols} windows, best P = {m.p[i, j]:.2f}"
    return _axes(fig, h, w, size, title, font_size)
