"""Figures of the explanations page's sanity check: the maps after each randomisation step, and their rank
correlation with the trained model's maps as the layers go."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab.images.explain.compare import CHANGED_BELOW, METHOD_NAMES, SanityCheck
from convlab.figures.theme import BLUE, DIVERGING, GREEN, GREY, ORANGE, PAPER

__all__ = ["sanity_figure", "similarity_figure"]

COLOURS = {"occlusion": BLUE, "grad_cam": ORANGE, "saliency": GREEN}


def _rho(v: float) -> str:
    return "flat" if math.isnan(v) else f"ρ = {v:.2f}".replace("-", "−")


def sanity_figure(check: SanityCheck, font_size: int = 14, cell: int = 150) -> go.Figure:
    """A row per method, a column per step (trained, then one more layer randomised from the top each), every
    map scaled to its own largest |value| (the scale changes as weights go; the pattern is what counts), row 0 on
    top; under each map its rank correlation with the trained one.

    >>> import torch.nn as nn
    >>> from convlab.images.explain.compare import sanity_check
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 2))
    >>> fig = sanity_figure(sanity_check(m, np.random.default_rng(0).normal(size=(1, 5, 5)), 0, ["saliency"]))
    >>> len(fig.data), [a.text for a in fig.layout.annotations][:3]
    (3, ['trained', 'layer 3 random', 'layer 0 random'])
    """
    steps, methods = check.steps, check.methods
    labels = ["trained"] + [f"layer {s.layer} random" for s in steps[1:]]
    fig = make_subplots(rows=len(methods), cols=len(steps), column_titles=labels,
                        row_titles=[METHOD_NAMES[m] for m in methods], horizontal_spacing=0.02, vertical_spacing=0.08)
    for r, m in enumerate(methods, start=1):
        for c, step in enumerate(steps, start=1):
            z = step.maps[m]
            top = float(np.abs(z).max()) or 1.0
            fig.add_trace(go.Heatmap(z=z / top, zmin=-1, zmax=1, colorscale=DIVERGING, showscale=False,
                                     hovertemplate=f"{METHOD_NAMES[m]}, {labels[c - 1]}: %{{z:.2f}} of its largest"
                                                   "<extra></extra>"), row=r, col=c)
            fig.update_xaxes(title_text=_rho(step.similarity[m]), title_standoff=2, row=r, col=c)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False, showgrid=False, zeroline=False)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, title_font={"size": font_size})
    fig.update_annotations(font_size=font_size)
    fig.update_layout(height=len(methods) * (cell + 2 * font_size + 20) + 60, margin=dict(l=10, r=40, t=60, b=10),
                      plot_bgcolor=PAPER, dragmode=False)
    return fig


def similarity_figure(records: Sequence[dict], methods: Sequence[str], font_size: int = 14) -> go.Figure:
    """Each method's ρ with its trained map after each step (records from sanity_check's on_record: the layer
    randomised and ρ per method); the dashed line (in the legend) is where a map counts as changed.

    >>> fig = similarity_figure([{"layer": None, "saliency": 1.0}, {"layer": 3, "saliency": 0.4}], ["saliency"])
    >>> list(fig.data[0].x), list(fig.data[0].y), fig.data[0].name
    (['trained', '+ layer 3'], [1.0, 0.4], 'saliency')
    """
    names = ["trained" if r["layer"] is None else f"+ layer {r['layer']}" for r in records]
    fig = go.Figure([go.Scatter(x=names, y=[r[m] for r in records], name=METHOD_NAMES[m], mode="lines+markers",
                                line={"color": COLOURS[m], "width": 3}, marker={"size": 9},
                                hovertemplate="%{x}: ρ = %{y:.2f}<extra>" + METHOD_NAMES[m] + "</extra>")
                     for m in methods])
    if len(names) > 1:                               # the threshold in the legend, clear of the curves
        fig.add_trace(go.Scatter(x=[names[0], names[-1]], y=[CHANGED_BELOW] * 2, mode="lines", hoverinfo="skip",
                                 name=f"changed below ρ = {CHANGED_BELOW}", line={"dash": "dash", "color": GREY}))
    axis = {"title_font": {"size": font_size}, "tickfont": {"size": font_size - 2}}      # the app's theme sets its own
    fig.update_yaxes(range=[-1.05, 1.05], title="ρ with the trained map", gridcolor="#eee", zeroline=False, **axis)
    fig.update_xaxes(title="layers randomised from the top (cumulative)", type="category", **axis)
    fig.update_layout(height=360 + 4 * font_size, font={"size": font_size}, margin=dict(l=10, r=10, t=40, b=10),
                      plot_bgcolor=PAPER, dragmode=False,
                      legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": font_size}})
    return fig
