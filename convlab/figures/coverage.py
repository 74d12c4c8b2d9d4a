"""Which input positions each window of a 1D convolution reads (for output-size lessons)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from convlab.convolution.arithmetic import SizeExplanation
from convlab.errors import ConvlabError
from convlab.figures.theme import BLUE, COUNTS, FONT, LIGHT_BLUE, LIGHT_ORANGE, PAD_BG, PAPER, WINDOW

# cell categories and their colours (colour-blind safe: blue / orange / greys)
EMPTY, PAD, COVERED, UNCOVERED, TAP = 0, 1, 2, 3, 4
COLOURS = (PAPER, PAD_BG, LIGHT_BLUE, LIGHT_ORANGE, BLUE)
MAX_CELLS = 60


def coverage_grid(e: SizeExplanation) -> tuple[np.ndarray, np.ndarray]:
    """(categories, labels): row 0 is the padded input, row i + 1 is window i's taps."""
    before, after = e.padding
    width = before + e.n + after
    cat = np.full((1 + e.output, width), EMPTY)
    labels = np.full(cat.shape, "", dtype=object)
    cat[0, :] = PAD
    cat[0, before:before + e.n] = COVERED
    for i in e.uncovered:
        cat[0, before + i] = UNCOVERED
    labels[0, :] = ["0"] * before + [str(i) for i in range(e.n)] + ["0"] * after
    for o in range(e.output):
        taps = o * e.stride + np.arange(e.kernel_size) * e.dilation
        cat[1 + o, taps] = TAP
        labels[1 + o, taps] = [f"w{j}" for j in range(e.kernel_size)]
    return cat, labels


def coverage_figure(e: SizeExplanation, font_size: int = 16) -> go.Figure:
    """A matrix-oriented chart: the padded input on top, one row per output below it.

    Padding cells are grey and show 0, input cells show their index (orange when no
    window reads them), and each window row marks the kernel taps it multiplies.
    """
    cat, labels = coverage_grid(e)
    if cat.shape[1] > MAX_CELLS or cat.shape[0] > MAX_CELLS:
        raise ConvlabError(f"the chart shows at most {MAX_CELLS} cells per side; this one needs "
                           f"{cat.shape[1]}×{cat.shape[0]}: use a shorter input or a larger stride")
    scale = [[v / 4, c] for v, c in zip(range(5), COLOURS)]
    scale = [s for i, (v, c) in enumerate(scale) for s in ([max(v - 0.125, 0), c], [min(v + 0.125, 1), c])]
    fig = go.Figure(go.Heatmap(z=cat, text=labels, texttemplate="%{text}", colorscale=scale, zmin=0, zmax=4,
                               showscale=False, xgap=2, ygap=2, hoverinfo="skip", textfont={"size": font_size}))
    rows = ["input"] + [f"out {o}" for o in range(e.output)]
    fig.update_yaxes(autorange="reversed", tickvals=list(range(len(rows))), ticktext=rows, scaleanchor="x",
                     showgrid=False, zeroline=False, ticks="", tickfont={"size": font_size})
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    fig.update_layout(height=60 + int(2.75 * font_size) * len(rows), margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor=PAPER, font={"size": font_size})
    return fig


def coverage2d_figure(rows: SizeExplanation, cols: SizeExplanation, font_size: int = FONT, cell: int = 40) -> go.Figure:
    """The padded input grid: how many windows read each cell; orange cells are never read.

    The first window is outlined; padding cells are grey. Built from the per-axis
    explanations of explain_output_size (rows, then columns).
    """
    cr, cc = np.array(rows.coverage), np.array(cols.coverage)
    counts = np.outer(cr, cc).astype(float)                       # windows reading (i, j)
    (t, b), (l, r) = rows.padding, cols.padding
    h, w = counts.shape
    if max(h, w) > MAX_CELLS:
        raise ConvlabError(f"the chart shows at most {MAX_CELLS} cells per side; this one needs {h}×{w}: "
                           "use a smaller input")
    pad = np.ones((h, w), dtype=bool)
    pad[t:h - b, l:w - r] = False
    dropped = (counts == 0) & ~pad
    z = np.where(pad | dropped, np.nan, counts)
    text = np.where(pad, "", np.where(dropped, "✕", counts.astype(int).astype(str)))
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}", colorscale=COUNTS, zmin=0,
                               zmax=max(counts.max(), 1) * 2.5, showscale=False, xgap=2, ygap=2,
                               textfont={"size": font_size}, hovertemplate="read by %{text} window(s)<extra></extra>"))
    fig.add_trace(go.Heatmap(z=np.where(dropped, 1.0, np.nan), colorscale=[[0, COLOURS[UNCOVERED]], [1, COLOURS[UNCOVERED]]],
                             text=np.where(dropped, "✕", ""), texttemplate="%{text}", textfont={"size": font_size},
                             showscale=False, xgap=2, ygap=2, hovertemplate="never read: dropped<extra></extra>"))
    kr, kc = rows.effective_kernel, cols.effective_kernel
    fig.add_shape(type="rect", x0=-.5, y0=-.5, x1=kc - .5, y1=kr - .5, line={"color": WINDOW, "width": 4})
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False, zeroline=False, ticks="",
                     showticklabels=False)
    fig.update_xaxes(showgrid=False, zeroline=False, ticks="", showticklabels=False)
    fig.update_layout(height=h * cell + 40, width=w * cell + 40, margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor=COLOURS[PAD], dragmode=False)
    return fig
