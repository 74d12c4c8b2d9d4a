"""Figures for 1D convolution on sequences: one-hot DNA, sequence logos, where filters fire, waveforms,
and the dependency tree of a dilated causal stack."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab.sequences.dna import BASES
from convlab.figures.theme import (BLUE, COUNTS, DIVERGING, GREEN, GREY, GRIDLINE, INK, ONE_HOT, ORANGE, PAD_BG,
                                   LOGO_COLOURS, PAPER, WHITE_ISH, WINDOW, limit)
from convlab.sequences.signals import CausalStack

__all__ = ["BASE_COLOURS", "logo_figure", "onehot_figure", "activation_figure", "signal_figure", "causal_stack_figure",
           "spectro_figure"]

BASE_COLOURS = LOGO_COLOURS                                                # the usual logo colours

# Each letter as closed polygons in a unit box (x right, y up); a reversed inner ring cuts a hole (SVG nonzero fill).
_ARC = np.linspace(np.radians(45), np.radians(315), 24)                   # counter-clockwise
_C = np.concatenate([np.c_[0.5 + 0.5 * np.cos(_ARC), 0.5 + 0.5 * np.sin(_ARC)],
                     np.c_[0.5 + 0.3 * np.cos(_ARC[::-1]), 0.5 + 0.3 * np.sin(_ARC[::-1])]])
LETTERS: dict[str, list[np.ndarray]] = {
    # A: a clockwise outline and a counter-clockwise hole
    "A": [np.array([[0, 0], [0.4, 1], [0.6, 1], [1, 0], [0.78, 0], [0.68, 0.3], [0.32, 0.3], [0.22, 0]]),
          np.array([[0.38, 0.46], [0.62, 0.46], [0.5, 0.8]])],
    "C": [_C],
    # G: the C plus a bar and a stem, all counter-clockwise so their overlaps stay filled
    "G": [_C, np.array([[0.55, 0.36], [1, 0.36], [1, 0.5], [0.55, 0.5]]),
          np.array([[0.84, 0.08], [1, 0.08], [1, 0.5], [0.84, 0.5]])],
    "T": [np.array([[0, 1], [1, 1], [1, 0.82], [0.59, 0.82], [0.59, 0], [0.41, 0], [0.41, 0.82], [0, 0.82]])],
}


def _letter_path(base: str, x0: float, y0: float, width: float, height: float) -> str:
    """SVG path of a letter stretched into the box [x0, x0 + width] × [y0, y0 + height]."""
    rings = []
    for ring in LETTERS[base]:
        pts = [(x0 + u * width, y0 + v * height) for u, v in ring]
        rings.append("M" + "L".join(f"{x:.4f},{y:.4f}" for x, y in pts) + "Z")
    return " ".join(rings)


def logo_figure(heights: np.ndarray, titles: Sequence[str], *, columns: int = 4, font_size: int = 14,
                y_title: str = "bits") -> go.Figure:
    """Sequence logos: at each position the four letters stacked, each as tall as its height (largest on top).
    Negative heights stack downwards. heights is (4, k) or (F, 4, k), rows A, C, G, T.

    >>> fig = logo_figure(np.array([[2.0, 0], [0, 0], [0, 0], [0, 1]]), ["one filter"])
    >>> len(fig.layout.shapes), fig.layout.shapes[0].fillcolor
    (2, '#109648')
    """
    h = np.asarray(heights, dtype=float)
    h = h[None] if h.ndim == 2 else h
    n, k = h.shape[0], h.shape[2]
    rows = -(-n // columns)
    cols = min(columns, n)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles), horizontal_spacing=0.04,
                        vertical_spacing=0.16 if rows > 1 else 0)
    top = max(float(np.clip(h, 0, None).sum(axis=1).max()), 1e-9)
    bottom = float(np.clip(h, None, 0).sum(axis=1).min())
    shapes = []                                     # plain dicts, set at once: add_shape is ~50 ms a letter
    for f in range(n):
        r, c = divmod(f, cols)
        ref = "" if f == 0 else str(f + 1)
        for pos in range(k):
            up, down = 0.0, 0.0
            for b in np.argsort(np.abs(h[f, :, pos])):                    # smallest first: the largest ends on top
                v = h[f, b, pos]
                if abs(v) < 1e-9:
                    continue
                y0 = up if v > 0 else down + v
                shapes.append({"type": "path", "path": _letter_path(BASES[b], pos + 0.05, y0, 0.9, abs(v)),
                               "fillcolor": BASE_COLOURS[BASES[b]], "line": {"width": 0}, "xref": f"x{ref}",
                               "yref": f"y{ref}"})
                up, down = (up + v, down) if v > 0 else (up, down + v)
        fig.add_trace(go.Scatter(x=[0, k], y=[bottom, top], mode="markers", marker={"opacity": 0},
                                 hoverinfo="skip", showlegend=False), row=r + 1, col=c + 1)
    fig.layout.shapes = shapes
    fig.update_xaxes(range=[0, k], tickvals=[p + 0.5 for p in range(k)], ticktext=[str(p) for p in range(k)],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(range=[min(bottom * 1.05, 0), top * 1.08], gridcolor=GRIDLINE, zeroline=True, zerolinecolor=GREY)
    fig.update_yaxes(title=y_title, col=1)
    fig.update_layout(height=int(60 + 190 * rows), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      font={"size": font_size}, plot_bgcolor=PAPER, dragmode=False, showlegend=False)
    fig.update_annotations(font_size=font_size)
    return fig


def onehot_figure(x: np.ndarray, site: int = -1, motif_len: int = 0, *, font_size: int = 12) -> go.Figure:
    """A one-hot sequence (4, L) as its four channels (rows A, C, G, T), 1 where the base is; the planted copy outlined.

    >>> from convlab.sequences.dna import one_hot
    >>> onehot_figure(one_hot("GATTACA")).data[0].text[0].tolist()
    ['', 'A', '', '', 'A', '', 'A']
    """
    a = np.asarray(x, dtype=float)
    text = np.where(a > 0.5, np.array(list(BASES))[:, None], "")
    colours = [[0, WHITE_ISH], [1, ONE_HOT]]
    fig = go.Figure(go.Heatmap(z=a, text=text, texttemplate="%{text}", colorscale=colours, zmin=0, zmax=1,
                               showscale=False, xgap=1, ygap=1, textfont={"size": font_size, "color": PAPER},
                               hovertemplate="position %{x}, channel %{y}: %{z}<extra></extra>"))
    if site >= 0:
        fig.add_shape(type="rect", x0=site - 0.5, x1=site + motif_len - 0.5, y0=-0.5, y1=3.5,
                      line={"color": WINDOW, "width": 3})
    fig.update_yaxes(tickvals=[0, 1, 2, 3], ticktext=list(BASES), autorange="reversed", showgrid=False)
    fig.update_xaxes(title="position", showgrid=False, zeroline=False)
    fig.update_layout(height=int(110 + 4 * (font_size + 14)), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      font={"size": font_size}, plot_bgcolor=PAPER, dragmode=False)
    return fig


def activation_figure(acts: np.ndarray, labels: Sequence[str], site: int = -1, motif_len: int = 0, width: int = 0, *,
                      font_size: int = 12) -> go.Figure:
    """Each filter's response (rows) at each window start (columns) along one sequence; ★ marks each row's maximum
    (what global max pooling keeps); the windows of width `width` that hold the whole planted copy are outlined.

    >>> fig = activation_figure(np.array([[0.0, 2.0, 1.0]]), ["filter 0"])
    >>> fig.data[1].x
    (1,)
    """
    a = np.asarray(acts, dtype=float)
    lim = limit(a) / 1.6
    fig = go.Figure(go.Heatmap(z=a, zmin=-lim, zmax=lim, colorscale=DIVERGING, showscale=False, xgap=1, ygap=1,
                               hovertemplate="%{y}, window at %{x}: %{z:.3f}<extra></extra>", y=list(labels)))
    best = a.argmax(axis=1)
    fig.add_trace(go.Scatter(x=best.tolist(), y=list(labels), mode="markers", marker={"symbol": "star", "size": 14,
                                                                                     "color": INK},
                             hovertemplate="max = %{customdata:.3f}<extra></extra>", customdata=a.max(axis=1)))
    if site >= 0:
        first, last = sorted((site, site + motif_len - width))
        first, last = max(first, 0), min(last, a.shape[1] - 1)
        fig.add_shape(type="rect", x0=first - 0.5, x1=last + 0.5, y0=-0.5, y1=len(labels) - 0.5,
                      line={"color": WINDOW, "width": 3})
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(title="window start (position)", showgrid=False, zeroline=False)
    fig.update_layout(height=int(90 + len(labels) * (font_size + 16)), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      font={"size": font_size}, plot_bgcolor=PAPER, dragmode=False, showlegend=False)
    return fig


def signal_figure(lines: Sequence[tuple[str, np.ndarray]], *, x_title: str = "time step", font_size: int = 14,
                  height: int = 260, marks: Sequence[int] = (), step_like: bool = False) -> go.Figure:
    """A few 1D signals on one time axis (name, values); `marks` draws vertical guides at those steps.

    >>> signal_figure([("x", np.arange(3.0))]).data[0].name
    'x'
    """
    palette = [BLUE, ORANGE, INK, GREEN]
    fig = go.Figure()
    for i, (name, y) in enumerate(lines):
        fig.add_trace(go.Scatter(y=np.asarray(y, dtype=float), name=name, mode="lines+markers" if len(y) <= 80 else "lines",
                                 line={"color": palette[i % len(palette)], "width": 2,
                                       "shape": "hv" if step_like else "linear"}, marker={"size": 5}))
    for m in marks:
        fig.add_vline(x=m, line={"color": WINDOW, "width": 2, "dash": "dot"})
    fig.update_xaxes(title=x_title, gridcolor=GRIDLINE)
    fig.update_yaxes(gridcolor=GRIDLINE, zerolinecolor=GREY)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font={"size": font_size},
                      plot_bgcolor=PAPER, legend={"orientation": "h", "y": 1.15}, dragmode=False)
    return fig


def causal_stack_figure(stack: CausalStack, n: int, *, font_size: int = 14) -> go.Figure:
    """A dilated causal stack drawn as in the WaveNet paper: one row of dots per layer (input at the bottom),
    time to the right; the output traced back lights up every step it depends on, with its connections.

    >>> from convlab.sequences.signals import causal_stack
    >>> fig = causal_stack_figure(causal_stack(2, [1, 2], 5), 8)
    >>> fig.data[-1].x                                    # the lit input steps
    (2, 3, 4, 5)
    """
    layers = len(stack.levels)
    fig = go.Figure()
    xs, ys = [], []
    for layer, src, dst in stack.edges:
        xs += [src, dst, None]
        ys += [layer - 1, layer, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": WINDOW, "width": 2}, hoverinfo="skip"))
    grid_x = [t for _ in range(layers) for t in range(n)]
    grid_y = [level for level in range(layers) for _ in range(n)]
    fig.add_trace(go.Scatter(x=grid_x, y=grid_y, mode="markers", marker={"size": 11, "color": PAD_BG},
                             hoverinfo="skip"))
    for level in [*range(1, layers), 0]:                                 # the input row last
        steps = stack.levels[level]
        fig.add_trace(go.Scatter(x=list(steps), y=[level] * len(steps), mode="markers",
                                 marker={"size": 14, "color": WINDOW if level else BLUE, "line": {"width": 1}},
                                 hovertemplate=f"layer {level}, step %{{x}}<extra></extra>"))
    names = ["input"] + [f"layer {i} (d = {d})" for i, d in enumerate(stack.dilations, start=1)]
    names[-1] = names[-1] + " = output"
    fig.update_yaxes(tickvals=list(range(layers)), ticktext=names, range=[-0.6, layers - 0.4], showgrid=False)
    fig.update_xaxes(title="time step", range=[-0.8, n - 0.2], gridcolor=GRIDLINE, dtick=max(1, n // 16))
    fig.update_layout(height=int(110 + 56 * layers), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      font={"size": font_size}, plot_bgcolor=PAPER, showlegend=False, dragmode=False)
    return fig


def spectro_figure(spec: np.ndarray, fmap: np.ndarray, rate: int, n_fft: int, hop: int, *, font_size: int = 14,
                   titles: Sequence[str] = ("log spectrogram", "after the 2D kernel")) -> go.Figure:
    """A spectrogram (frequency × frames, 0 Hz at the bottom as in every audio tool, so a rising pitch rises) next
    to a 2D conv's feature map of it.

    >>> fig = spectro_figure(np.ones((3, 4)), np.zeros((3, 4)), 8000, 4, 2)
    >>> fig.data[0].y.tolist(), fig.layout.yaxis.autorange, fig.layout.yaxis2.autorange
    ([0.0, 2000.0, 4000.0], None, None)
    """
    s, f = np.asarray(spec, dtype=float), np.asarray(fmap, dtype=float)
    freqs = np.arange(s.shape[0]) * rate / n_fft
    fig = make_subplots(rows=1, cols=2, subplot_titles=list(titles), horizontal_spacing=0.08)
    for col, (z, scale, mid) in enumerate(((s, COUNTS, None), (f, DIVERGING, 0.0)), start=1):
        ms = np.arange(z.shape[1]) * hop / rate * 1000
        lim = limit(z) / 1.6
        fig.add_trace(go.Heatmap(z=z, x=ms, y=freqs[: z.shape[0]], colorscale=scale, showscale=False, zmid=mid,
                                 zmin=None if mid is None else -lim, zmax=None if mid is None else lim,
                                 hovertemplate="%{x:.0f} ms, %{y:.0f} Hz: %{z:.3f}<extra></extra>"), row=1, col=col)
    fig.update_yaxes(title="frequency (Hz)", col=1)
    fig.update_yaxes(showticklabels=False, col=2)
    fig.update_xaxes(title="time (ms)")
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"size": font_size},
                      plot_bgcolor=PAPER, dragmode=False)
    fig.update_annotations(font_size=font_size)
    return fig
