"""Figures for grouped, depthwise, separable and 1×1 convolution: who reads what, and what it costs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab.figures.theme import BLUE, GREEN, GREY, GRIDLINE, GROUPS, INK, LIGHT_RED, PALE_BLUE, PAPER, WHITE_ISH
from convlab.convolution.grouped import CostRow

__all__ = ["connectivity_figure", "costs_figure", "GROUP_COLOURS"]

# one colour per group (colour-blind safe, Okabe–Ito), used for channels and the filters that read them
GROUP_COLOURS = GROUPS


def connectivity_figure(conn: np.ndarray, groups: int, font_size: int = 16, highlight: int | None = None) -> go.Figure:
    """Filters (rows) × input channels (columns): a coloured cell where the filter reads the channel.

    Cells carry "reads" or "·"; the colour is the group. `highlight` outlines one filter's row.

    >>> from convlab.convolution.grouped import group_connectivity
    >>> fig = connectivity_figure(group_connectivity(4, 2, 2), 2)
    >>> fig.data[0].text.tolist()
    [['reads', 'reads', '·', '·'], ['·', '·', 'reads', 'reads']]
    """
    o, c = conn.shape
    group = np.arange(c) // (c // groups)
    z = np.where(conn, group[None, :] + 1, 0).astype(float)                 # 0: not read, g + 1: group g
    colours = [WHITE_ISH] + [GROUP_COLOURS[i % len(GROUP_COLOURS)] for i in range(groups)]
    scale = [[v, colours[int(round(v * groups))]] for v in np.linspace(0, 1, groups + 1)] if groups else [[0, PAPER]]
    text = np.where(conn, "reads", "·")
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}", zmin=0, zmax=groups, colorscale=scale,
                               showscale=False, xgap=3, ygap=3, textfont={"size": font_size, "color": PAPER},
                               hovertemplate="filter %{y} × channel %{x}: %{text}<extra></extra>"))
    if highlight is not None:
        fig.add_shape(type="rect", x0=-0.5, x1=c - 0.5, y0=highlight - 0.5, y1=highlight + 0.5,
                      line={"color": INK, "width": 3})
    axis_font = {"tickfont": {"size": font_size}, "title_font": {"size": font_size}}     # Streamlit's theme sets smaller
    fig.update_xaxes(title="input channel", tickmode="array", tickvals=list(range(c)), side="top", showgrid=False,
                     **axis_font)
    fig.update_yaxes(title="filter", tickmode="array", tickvals=list(range(o)), autorange="reversed", showgrid=False,
                     scaleanchor="x", constrain="domain", **axis_font)
    cell, top = max(52, round(3.4 * font_size)), round(3.6 * font_size)     # "reads" fits a cell; the axis on top
    fig.update_layout(height=top + 30 + cell * o, margin={"l": 10, "r": 10, "t": top, "b": 10}, font={"size": font_size},
                      plot_bgcolor=PAPER, dragmode=False)
    return fig


def costs_figure(rows: Sequence[CostRow], font_size: int = 16) -> go.Figure:
    """Parameters and multiply–adds of each way to build the layer, side by side (log scale, exact labels).

    >>> from convlab.convolution.grouped import conv_cost_table
    >>> fig = costs_figure(conv_cost_table((8, 16, 16), 16, 3, padding=1, groups=4))
    >>> fig.data[0].text[:2]
    ('1,168', '304')
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=["parameters", "multiply–adds"], horizontal_spacing=0.12)
    names = [r.short or r.name for r in rows]
    for col, values in ((1, [r.params for r in rows]), (2, [r.mult_adds for r in rows])):
        fig.add_trace(go.Bar(x=names, y=values, text=[f"{v:,}" for v in values], textposition="outside",
                             marker_color=[GREY, PALE_BLUE, LIGHT_RED, BLUE, GREEN][: len(rows)],
                             cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>"), row=1, col=col)
    fig.update_yaxes(type="log", dtick=1, gridcolor=GRIDLINE)             # ticks at powers of ten only
    fig.update_xaxes(tickangle=0)
    fig.update_layout(height=430, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"size": font_size},
                      plot_bgcolor=PAPER, showlegend=False, dragmode=False)
    fig.update_annotations(font_size=font_size)
    return fig
