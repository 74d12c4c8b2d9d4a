"""Small line and bar charts: sizes and receptive fields across a stack of layers."""

from __future__ import annotations

import plotly.graph_objects as go

from convlab.convolution.arithmetic import LayerStats, RFStep
from convlab.figures.theme import BLUE, FONT, GRIDLINE, ORANGE, PAPER


def stack_figure(stats: list[LayerStats], rf: list[RFStep], font_size: int = FONT) -> go.Figure:
    """Spatial size (shrinking) and receptive field (growing) after each layer."""
    layers = ["input"] + [f"layer {i}" for i in range(1, len(stats) + 1)]
    sizes = [stats[0].input_shape[-1]] + [s.output_shape[-1] for s in stats]
    fields = [1] + [r.size for r in rf]
    # each label on the outer side of its pair, so close values (16 and 17) never write over each other
    above = ["top center" if a >= b else "bottom center" for a, b in zip(sizes, fields)]
    below = ["bottom center" if a >= b else "top center" for a, b in zip(sizes, fields)]
    fig = go.Figure([
        go.Scatter(x=layers, y=sizes, mode="lines+markers+text", text=sizes, textposition=above,
                   name="output width", line={"color": BLUE, "width": 3}),
        go.Scatter(x=layers, y=fields, mode="lines+markers+text", text=fields, textposition=below,
                   name="receptive field", line={"color": ORANGE, "width": 3, "dash": "dash"}),
    ])
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10), font={"size": font_size},
                      yaxis_title="cells", legend={"orientation": "h", "y": 1.12}, plot_bgcolor=PAPER)
    fig.update_yaxes(gridcolor=GRIDLINE, rangemode="tozero")
    return fig
