"""The architecture strip: every layer of a stack as a bar, its height the size of the layer's maps, with its
output shape and parameter count; a layer that does not fit is marked with the reason the stack stops there."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

__all__ = ["KIND_COLOURS", "architecture_figure"]

# one colour per layer type, the same in the builder's captions and here; red only for what does not fit
KIND_COLOURS = {"input": "#636363", "conv": "#2171b5", "pool": "#e66101", "act": "#4dac26", "batchnorm": "#8073ac",
                "dropout": "#969696", "residual": "#01665e", "linear": "#b8860b", "classifier": "#8c510a"}
FAILED = "#d7191c"


def _shape(shape: Sequence[int]) -> str:
    return "×".join(map(str, shape)) if len(shape) == 3 else f"{shape[0]} values"


def architecture_figure(input_shape: Sequence[int], rows: Sequence, kinds: Sequence[str],
                        failed: tuple[str, str] | None = None, font_size: int = 14) -> go.Figure:
    """rows: convlab.networks.models.stack_rows' LayerRows (the classifier last when the stack fits); kinds: each row's layer
    type ("classifier" for the last); failed: (type, reason) of the layer where the stack stops, if it does.

    >>> from convlab.networks.models import preset, stack_rows
    >>> rows, _ = stack_rows(preset("small"), (1, 8, 8), 10)
    >>> fig = architecture_figure((1, 8, 8), rows, ["conv", "act", "pool"] * 2 + ["classifier"])
    >>> list(fig.data[0].y), fig.data[0].text[-1]
    ([8, 8, 8, 4, 4, 4, 2, 0.5], '10 values')
    """
    labels = ["input"] + [f"{r.index} · {r.name}" for r in rows]
    heights = [input_shape[1]] + [r.output_shape[1] if len(r.output_shape) == 3 else 0.5 for r in rows]
    texts = [_shape(input_shape)] + [_shape(r.output_shape) for r in rows]
    params = [""] + [f"{r.params:,} parameters" for r in rows]
    colours = [KIND_COLOURS["input"]] + [KIND_COLOURS.get(k, "#444") for k in kinds]
    fig = go.Figure(go.Bar(x=labels, y=heights, text=texts, textposition="outside", marker_color=colours,
                           customdata=params, cliponaxis=False, textfont={"size": font_size},
                           hovertemplate="%{x}: %{text}, %{customdata}<extra></extra>"))
    if failed is not None:
        kind, reason = failed
        name = f"{len(rows) + 1} · {kind} ✗"
        fig.add_trace(go.Bar(x=[name], y=[max(heights) * 0.04], marker_color=FAILED, text=["nothing left"],
                             textposition="outside", hovertemplate=f"{name}<extra></extra>", cliponaxis=False))
        fig.add_annotation(x=name, y=max(heights) * 0.5, text=reason, showarrow=False, xanchor="right",
                           font={"size": font_size, "color": FAILED}, bgcolor="rgba(255,255,255,0.85)")
    fig.update_xaxes(type="category", tickangle=-30, tickfont={"size": font_size - 2})
    fig.update_yaxes(title="map height (pixels)", range=[0, max(heights) * 1.25], gridcolor="#eee")
    fig.update_layout(height=260 + 6 * font_size, margin=dict(l=10, r=10, t=30, b=10), showlegend=False,
                      plot_bgcolor="white", font={"size": font_size}, bargap=0.25,
                      title={"text": "Architecture: each layer's output (flat outputs drawn low)",
                             "font": {"size": font_size}})
    return fig
