"""Figures for 3D convolution: a volume as a row of slices, and one step of a 3D kernel slice by slice."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from convlab.figures.grids import grid_figure
from convlab.ops import StepTrace

__all__ = ["slices_figure", "volume_step_figure"]


def slices_figure(volume: np.ndarray, cells=(), *, font_size: int = 14, cell: int = 30, label: str = "slice") -> go.Figure:
    """Every depth slice of a (D, H, W) volume side by side (row 0 on top), colours only (values on hover);
    `cells` (c, d, r, q), e.g. a step's window_cells, are outlined in their slices.

    >>> fig = slices_figure(np.zeros((3, 2, 2)), [(0, 1, 0, 0)])
    >>> [a.text for a in fig.layout.annotations]
    ['slice 0', 'slice 1', 'slice 2']
    """
    vol = np.asarray(volume, dtype=float)
    marks = []
    for d in range(vol.shape[0]):
        rows = sorted({r for _, dd, r, _ in cells if dd == d})
        cols = sorted({q for _, dd, _, q in cells if dd == d})
        marks.append((rows, cols) if rows else None)
    fig = grid_figure(list(vol), [f"{label} {d}" for d in range(vol.shape[0])], font_size=font_size, cell=cell,
                      highlight=marks)
    fig.update_traces(texttemplate="", selector={"type": "heatmap"})       # an overview: colours; values on hover
    return fig


def volume_step_figure(trace: StepTrace, i: int, *, font_size: int = 14, cell: int = 36) -> go.Figure:
    """Step i of a single-channel conv3d trace: the padded input slices under the kernel (window outlined),
    then the output's depth plane with the current output outlined. Padding slices say so in their title.

    >>> import convlab
    >>> t = convlab.conv3d_steps(np.ones((3, 2, 2)), np.ones((2, 1, 1)), padding=(1, 0, 0))
    >>> [a.text for a in volume_step_figure(t, 0).layout.annotations]
    ['padding (slice −1)', 'input slice 0', 'output, depth 0']
    """
    st = trace[i]
    padded = np.asarray(trace.padded, dtype=float)
    padded = padded[0] if padded.ndim == 4 else padded                      # one channel: (Dp, Hp, Wp)
    out = np.asarray(trace.output, dtype=float)
    out = out[st.filter] if out.ndim == 4 else out                         # (OD, OH, OW)
    front, n_depth = trace.padding[0][0], padded.shape[0] - sum(trace.padding[0])
    od, r, q = st.out_index[-3:]

    def title(d: int) -> str:
        real = d - front
        return f"input slice {real}" if 0 <= real < n_depth else f"padding (slice {real})".replace("-", "−")

    grids = [padded[d] for d in st.depths] + [out[od]]
    titles = [title(d) for d in st.depths] + [f"output, depth {od}"]
    marks = [(st.rows, st.cols)] * len(st.depths) + [([r], [q])]
    return grid_figure(grids, titles, font_size=font_size, cell=cell, highlight=marks)
