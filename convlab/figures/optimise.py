"""Curves of an optimisation on the input (feature visualisation, style transfer) against its steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from convlab.figures.theme import CHART_FONT, GRIDLINE, GROUPS, PAPER, log_ticks

__all__ = ["steps_figure"]


def steps_figure(steps: Sequence[int], series: Mapping[str, Sequence[float]], title: str, y_title: str,
                 log: bool = False, font_size: int = CHART_FONT, height: int = 330) -> go.Figure:
    """One line per series (name → a value per step), in the shared palette; log=True for losses that fall
    by orders of magnitude (values ≤ 0 are left out there).

    >>> fig = steps_figure([0, 1, 2], {"style": [3.0, 2.0, 1.0]}, "losses", "loss", log=True)
    >>> [t.name for t in fig.data], fig.layout.yaxis.type
    (['style'], 'log')
    """
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        pairs = [(s, v) for s, v in zip(steps, values) if v > 0 or not log]
        fig.add_trace(go.Scatter(x=[s for s, _ in pairs], y=[v for _, v in pairs], name=name, mode="lines",
                                 line={"color": GROUPS[i % len(GROUPS)], "width": 2}))
    fig.update_layout(title={"text": title}, height=height, margin=dict(l=10, r=10, t=40, b=10),
                      font={"size": font_size}, plot_bgcolor=PAPER, legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title="step", gridcolor=GRIDLINE)
    fig.update_yaxes(title=y_title, gridcolor=GRIDLINE, type="log" if log else "linear",
                     **(log_ticks(*(t.y for t in fig.data)) if log else {}))
    return fig
