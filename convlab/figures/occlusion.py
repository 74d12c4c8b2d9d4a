"""Occlusion views: the occluder sliding over the image (animated), and maps laid over the image."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from convlab._core.format import MINUS
from convlab.figures.theme import (DIVERGING, LIGHT_RED, OCCLUDER, OCCLUDER_OPACITY, PAPER, PICTURE, PROBABILITY, RED,
                                   WHITE_ISH, WINDOW, limit, rgba)

__all__ = ["occluder_animation", "occluder_animation_spec", "map_figure"]


def _picture(image: np.ndarray) -> go.BaseTraceType:
    """(C, H, W) in [0, 1] as a colour picture or a greyscale heatmap."""
    if image.shape[0] == 3:
        return go.Image(z=np.round(np.clip(np.transpose(image, (1, 2, 0)), 0, 1) * 255).astype(np.uint8),   # bytes
                        hoverinfo="skip")
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
    return go.Figure(occluder_animation_spec(image, positions, window, probs, label, size, max_frames))


def occluder_animation_spec(image: np.ndarray, positions: Sequence[tuple[int, int]], window: tuple[int, int],
                            probs: np.ndarray, label: str, size: int = 420, max_frames: int = 300) -> dict:
    """occluder_animation as the plain dict Plotly sends to the browser (the same JSON). Its frames and slider steps
    are written as dicts, not checked one by one by Plotly's validators: with 300 frames that is about 20 times
    cheaper, which counts where every student's own photo gets its own animation (the app draws this dict).

    >>> spec = occluder_animation_spec(np.zeros((1, 4, 4)), [(0, 0), (2, 2)], (2, 2), np.array([0.9, 0.2]), "7")
    >>> len(spec["frames"]), spec["frames"][1]["layout"]["title"]["text"], len(spec["layout"]["sliders"][0]["steps"])
    (2, 'occluder at row 2, col 2: p(7) = 20%', 2)
    """
    h, w = image.shape[1:]
    probs = np.ravel(probs)
    fill = rgba(OCCLUDER, OCCLUDER_OPACITY)

    def square(r, c):
        r1, c1 = min(r + window[0], h), min(c + window[1], w)
        return {"fill": "toself", "fillcolor": fill, "hoverinfo": "skip", "line": {"color": WINDOW, "width": 3},
                "mode": "lines", "showlegend": False, "x": [c - .5, c1 - .5, c1 - .5, c - .5, c - .5],
                "y": [r - .5, r - .5, r1 - .5, r1 - .5, r - .5], "type": "scatter"}

    def title(i):
        r, c = positions[i]
        return f"occluder at row {r}, col {c}: p({label}) = {probs[i]:.0%}"

    first = square(*positions[0])
    base = go.Figure([_picture(image), go.Scatter({k: v for k, v in first.items() if k != "type"})])
    base.update_layout(title={"text": title(0)})
    spec = _style(base, h, w, size + 120).to_dict()
    shown = np.unique(np.linspace(0, len(positions) - 1, min(len(positions), max_frames)).astype(int))
    spec["frames"] = [{"data": [square(*positions[i])], "layout": {"title": {"text": title(i)}}, "name": str(k),
                       "traces": [1]} for k, i in enumerate(shown)]
    anim = {"frame": {"duration": 250, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    # Play / Pause on a row of their own, the slider under them at full width; a tick only where a label is
    spec["layout"]["updatemenus"] = [
        {"buttons": [{"args": [None, {**anim, "fromcurrent": True}], "label": "Play", "method": "animate"},
                     {"args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                      "label": "Pause", "method": "animate"}],
         "direction": "left", "pad": {"l": 0, "t": 0}, "showactive": False, "type": "buttons", "x": 0, "xanchor": "left",
         "y": -0.02, "yanchor": "top"}]
    spec["layout"]["sliders"] = [
        {"active": 0, "currentvalue": {"visible": False}, "len": 1, "minorticklen": 0, "pad": {"l": 0, "r": 0, "t": 45},
         "steps": [{"args": [[str(k)], {**anim, "frame": {"duration": 0, "redraw": True}}], "label": str(k),
                    "method": "animate"} for k in range(len(shown))],
         "x": 0, "y": -0.02, "yanchor": "top"}]
    return spec


def _hover(heat: np.ndarray) -> dict:
    """A map's hover: its value with a true minus sign (Plotly's %{z:.3f} writes a hyphen, "-0.404"), as text sent
    with the figure; a map of more than 64×64 values (stretched onto a photo) keeps Plotly's own, to stay small.

    >>> _hover(np.array([[-0.4035, 1.0]]))["customdata"].tolist()
    [['−0.404', '1.000']]
    """
    if heat.size > 64 * 64:
        return {"hovertemplate": "%{z:.3f}<extra></extra>"}
    return {"customdata": np.vectorize(lambda v: f"{v:.3f}".replace("-", MINUS))(heat),
            "hovertemplate": "%{customdata}<extra></extra>"}


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
                       zmax=lim if signed else 1, colorbar={"len": 0.8}, **_hover(np.asarray(heat, float)))
    fig = go.Figure([_picture(image), layer])
    fig.update_layout(title={"text": title, "font": {"size": font_size}} if font_size else {"text": title})
    return _style(fig, h, w, size)
