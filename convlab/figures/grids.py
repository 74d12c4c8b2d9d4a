"""Matrices side by side: row 0 on top, square cells, numbers in small grids, diverging colours around 0."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab.figures.cells import cell_outline as _squares
from convlab.figures.cells import cell_text as _text
from convlab.figures.theme import CHART_FONT, DIVERGING, PAD_BG, WINDOW, limit

__all__ = ["grid_figure", "TEXT_LIMIT"]

TEXT_LIMIT = 400          # cells per grid above which numbers are left out (hover still shows them)


def grid_figure(grids: Sequence[np.ndarray], titles: Sequence[str], *, font_size: int = CHART_FONT, cell: int = 36,
                highlight: Sequence[tuple[Sequence[int], Sequence[int]] | None] = (),
                height: int | None = None, operators: Sequence[str] = ()) -> go.Figure:
    """One heatmap per grid, each with its own colour range centred on 0.

    highlight[i] = (rows, cols) outlines those cells of grid i (e.g. a window, a matrix row).
    operators[i], if given, is written between grid i and grid i + 1 ("@", "+", "=").

    >>> fig = grid_figure([np.eye(2), [[1, -2]]], ["I", "v"])
    >>> [t.text.tolist() for t in fig.data]
    [[['1', '0'], ['0', '1']], [['1', '−2']]]
    """
    arrays = [np.atleast_2d(np.asarray(g, dtype=float)) for g in grids]
    widths = [a.shape[1] for a in arrays]
    fig = make_subplots(rows=1, cols=len(arrays), subplot_titles=list(titles), column_widths=widths,
                        horizontal_spacing=0.06 if len(arrays) > 1 else 0)
    for i, a in enumerate(arrays, start=1):
        lim = limit(a)
        small = a.size <= TEXT_LIMIT
        fig.add_trace(go.Heatmap(z=a, text=_text(a) if small else None, texttemplate="%{text}" if small else None,
                                 zmid=0, zmin=-lim, zmax=lim, colorscale=DIVERGING, showscale=False,
                                 xgap=1 if a.size > 100 else 2, ygap=1 if a.size > 100 else 2,
                                 textfont={"size": font_size},
                                 # the value as the cell writes it, with a true minus sign (U+2212)
                                 hovertemplate="row %{y}, col %{x}: " + ("%{text}" if small else "%{z}") + "<extra></extra>"),
                      row=1, col=i)
    for i, mark in enumerate(highlight, start=1):
        if mark is not None:
            xs, ys = _squares(mark[0], mark[1])
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": WINDOW, "width": 3},
                                     hoverinfo="skip", showlegend=False), row=1, col=i)
    for i, op in enumerate(operators, start=1):
        if op and i < len(arrays):
            dom_a, dom_b = fig.layout[f"xaxis{'' if i == 1 else i}"].domain, fig.layout[f"xaxis{i + 1}"].domain
            fig.add_annotation(x=(dom_a[1] + dom_b[0]) / 2, y=0.5, xref="paper", yref="paper", text=f"<b>{op}</b>",
                               showarrow=False, font={"size": font_size + 8})
    tallest = max(a.shape[0] for a in arrays)
    cell = cell if tallest <= 6 else int(cell * 0.75)
    fig.update_layout(height=height or int(min(tallest * cell, 900) + 70), showlegend=False, dragmode=False,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, plot_bgcolor=PAD_BG, font={"size": font_size})
    fig.update_annotations(font_size=font_size)
    fig.update_yaxes(autorange="reversed", showgrid=False, zeroline=False, ticks="", showticklabels=False)
    fig.update_xaxes(showgrid=False, zeroline=False, ticks="", showticklabels=False)
    for i in range(1, len(arrays) + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", constrain="domain")
        fig.layout[f"xaxis{suffix}"].update(constrain="domain")
    return fig
