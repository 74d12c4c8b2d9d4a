"""Bar chart of parameter counts (log scale: they differ by orders of magnitude)."""

from __future__ import annotations

import plotly.graph_objects as go

from convlab.figures.theme import BLUE, FONT, GREY, GRIDLINE, LIGHT_RED, PALE_BLUE, PAPER
from convlab.convolution.locally_connected import VariantCount


def params_figure(counts: list[VariantCount], font_size: int = FONT) -> go.Figure:
    """One bar per layer kind, labelled with its exact count.

    >>> from convlab.convolution.locally_connected import variant_param_counts
    >>> params_figure(variant_param_counts((1, 6, 6), 1, 3)).data[0].text
    ('592', '160', '37', '10')
    """
    fig = go.Figure(go.Bar(x=[c.name for c in counts], y=[c.params for c in counts],
                           text=[f"{c.params:,}" for c in counts], textposition="outside",
                           marker_color=[GREY, LIGHT_RED, PALE_BLUE, BLUE][-len(counts):]))
    fig.update_yaxes(type="log", title="parameters (log scale)", gridcolor=GRIDLINE)
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10), font={"size": font_size},
                      plot_bgcolor=PAPER, dragmode=False)
    return fig
