"""Occlusion views: the occluder sliding over the image (animated), and maps laid over the image."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from convlab.figures.theme import (DIVERGING, LIGHT_RED, OCCLUDER, OCCLUDER_OPACITY, PAPER, PICTURE, PROBABILITY, RED,
                                   WHITE_ISH, WINDOW, limit, rgba)

__all__ = ["occluder_animation", "map_figure"]


def _picture(image: np.ndarray) -> go.BaseTraceType:
    """(C, H, W) in [0, 1] as a colour picture or a greyscale heatmap."""
    if image.shape[0] == 3:
        return go.Image(z=np.clip(np.transpose(image, (1, 2, 0)), 0, 1) * 255, hoverinfo="skip")
    return go.Heatmap(z=image[0], colorscale=PICTURE, zmin=0, zmax=1, showscale=False,              # ink dark
                      hoverinfo="skip")


def _style(fig: go.Figure, h: int, w: int, size: int) -> go.Figure:
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False, showgrid=False, zeroline=False,
                     range=[h - .5, -.5])
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, range=[-.5, w - .5])
    fig.update_layout(height=size, margin=dict(l=5, r=5, t=50, b=5), dragmode=False, plot_bgcolor=PAPER)
    return fig


def occluder_animation(image: np.ndarray, positions: Sequence[tuple[int, int]], window: tuple[int, int],
                       probs: np.ndarray, label: str, size: int = 420, max_frames: int = 300) -> go.Figure:
    """The image with the occluder square at each position, frame by frame; the title gives p(label).

    >>> fig = occluder_animation(np.zeros((1, 4, 4)), [(0, 0), (2, 2)], (2, 2), np.array([0.9, 0.2]), "7")
    >>> len(fig.frames), fig.frames[1].layout.title.text
    (2, 'occluder at row 2, col 2: p(7) = 20%')
    """
    h, w = image.shape[1:]
    probs = np.ravel(probs)

    def square(r, c):
        r1, c1 = min(r + window[0], h), min(c + window[1], w)
        return go.Scatter(x=[c - .5, c1 - .5, c1 - .5, c - .5, c - .5], y=[r - .5, r - .5, r1 - .5, r1 - .5, r - .5],
                          fill="toself", fillcolor=rgba(OCCLUDER, OCCLUDER_OPACITY), line={"color": WINDOW, "width": 3},
                          mode="lines", hoverinfo="skip", showlegend=False)

    def title(i):
        r, c = positions[i]
        return f"occluder at row {r}, col {c}: p({label}) = {probs[i]:.0%}"

    fig = go.Figure([_picture(image), square(*positions[0])])
    fig.update_layout(title={"text": title(0)})
    shown = np.unique(np.linspace(0, len(positions) - 1, min(len(positions), max_frames)).astype(int))
    n = len(shown)                                # above max_frames, every k-th position
    fig.frames = [go.Frame(name=str(k), data=[square(*positions[i])], traces=[1], layout={"title": {"text": title(i)}})
                  for k, i in enumerate(shown)]
    anim = {"frame": {"duration": 250, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    # Play / Pause on a row of their own, the slider under them at full width; a tick only where a label is
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0, "y": -0.02, "xanchor": "left", "yanchor": "top",
                      "showactive": False, "pad": {"t": 0, "l": 0},
                      "buttons": [{"label": "Play", "method": "animate", "args": [None, {**anim, "fromcurrent": True}]},
                                  {"label": "Pause", "method": "animate",
                                   "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}]}],
        sliders=[{"active": 0, "x": 0, "len": 1, "y": -0.02, "yanchor": "top", "pad": {"t": 45, "l": 0, "r": 0},
                  "currentvalue": {"visible": False}, "minorticklen": 0,
                  "steps": [{"label": str(i), "method": "animate",
                             "args": [[str(i)], {**anim, "frame": {"duration": 0, "redraw": True}}]} for i in range(n)]}])
    return _style(fig, h, w, size + 120)


def map_figure(image: np.ndarray, heat: np.ndarray, title: str, size: int = 420, signed: bool = True,
               font_size: int | None = None) -> go.Figure:
    """A map over the image: the picture underneath, the map on top, half transparent; the title in font_size
    (Plotly's default when None). A signed map with no value below 0 (Grad-CAM after its ReLU, saliency's |∂|)
    is drawn with the diverging scale's upper half, from white at 0: its colour bar starts at 0.

    >>> img = np.zeros((1, 4, 4))
    >>> cam = map_figure(img, np.array([[0.0, 1.0], [2.0, 0.5]]), "cam").data[1]
    >>> cam.zmin, cam.zmax, cam.colorscale[0][1] == WHITE_ISH
    (0, 3.2, True)
    >>> drop = map_figure(img, np.array([[-1.0, 1.0], [2.0, 0.5]]), "occlusion").data[1]
    >>> drop.zmin, drop.zmid
    (-3.2, 0)
    """
    h, w = image.shape[1:]
    lim = limit(heat)
    from_zero = signed and bool(np.all(np.asarray(heat)[np.isfinite(heat)] >= 0))
    scale = [[0.0, WHITE_ISH], [0.5, LIGHT_RED], [1.0, RED]] if from_zero else DIVERGING if signed else PROBABILITY
    layer = go.Heatmap(z=heat, x0=-.5 + (w / heat.shape[1]) / 2, dx=w / heat.shape[1], y0=-.5 + (h / heat.shape[0]) / 2,
                       dy=h / heat.shape[0], opacity=0.6, colorscale=scale,
                       zmid=0 if signed and not from_zero else None, zmin=0 if from_zero or not signed else -lim,
                       zmax=lim if signed else 1, hovertemplate="%{z:.3f}<extra></extra>", colorbar={"len": 0.8})
    fig = go.Figure([_picture(image), layer])
    fig.update_layout(title={"text": title, "font": {"size": font_size}} if font_size else {"text": title})
    return _style(fig, h, w, size)
