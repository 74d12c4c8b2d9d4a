"""Sliding-window figures: the padded input, the kernel and the output, animated step by step.

Kept only for the variants and 3D pages until they move to the lesson view (ui/lessonview).
One builder serves conv1d, conv2d and pooling traces (from convlab.ops.*_steps). The
animation runs in the browser (Plotly frames with play/pause and a step slider);
each frame carries only what moves: the window outline, the current kernel and the
revealed output. Above `max_frames` steps the figure is static at `step` and the
page drives the step from the server instead.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab.figures.cells import cell_outline as _squares
from convlab.figures.cells import cell_text as _text
from convlab.figures.style import DIVERGING, FONT, INK, PAD_BG, PAPER, TRANSPARENT, WINDOW, limit
from convlab.ops import StepTrace

__all__ = ["sliding_figure", "DIVERGING", "MAX_FRAMES"]

MAX_FRAMES = 120          # above this the payload nears 2 MB (3 filters, 8×8 outputs): the server steps instead


def _as3(a: np.ndarray, dims: int, has_channels: bool) -> np.ndarray:
    """like-x array -> (C, H, W), H == 1 in 1D."""
    a = np.asarray(a, dtype=float)
    if not has_channels:
        a = a[None]
    return a[:, None, :] if dims == 1 else a




class _View:
    """What one trace shows, in (C, H, W) form, plus per-step state."""

    def __init__(self, trace: StepTrace, x_channels: bool):
        self.trace, self.dims = trace, trace.dims
        self.conv = trace.kernels is not None
        self.padded = _as3(trace.padded, self.dims, x_channels)                      # (C, Hp, Wp)
        out = np.asarray(trace.output, dtype=float)
        out_channels = out.ndim == self.dims + 1
        self.out = _as3(out, self.dims, out_channels)                                # (O, OH, OW)
        self.pad_mask = self._pad_mask()
        if self.conv:
            self.kernels = trace.kernels                                             # (O, C, KH, KW)

    def _pad_mask(self) -> np.ndarray:
        p = self.trace.padding
        (t, b), (l, r) = ((0, 0), p) if self.dims == 1 else p
        mask = np.ones(self.padded.shape[1:], dtype=bool)
        mask[t: mask.shape[0] - b, l: mask.shape[1] - r] = False
        return mask

    def panel(self, step) -> int:
        return step.filter if self.conv else step.channel

    def rows(self, step) -> tuple[int, ...]:
        return (0,) if self.dims == 1 else step.rows

    def out_pos(self, step) -> tuple[int, int]:
        idx = step.out_index[-self.dims:]
        return (0, idx[0]) if self.dims == 1 else (idx[0], idx[1])

    def revealed(self, i: int) -> np.ndarray:
        z = np.full(self.out.size, np.nan)
        z[: i + 1] = self.out.ravel()[: i + 1]
        return z.reshape(self.out.shape)


def _layout_grid(v: _View):
    """Subplot positions: 2D side by side (inputs | outputs, kernels under inputs); 1D stacked."""
    c, o = v.padded.shape[0], v.out.shape[0]
    k = c if v.conv else 0
    if v.dims == 2:
        pos_in = [(1, j + 1) for j in range(c)]
        pos_k = [(2, j + 1) for j in range(k)]
        pos_out = [(1, c + j + 1) for j in range(o)]
        return (2 if k else 1), c + o, pos_in, pos_k, pos_out
    pos_in = [(j + 1, 1) for j in range(c)]
    pos_k = [(c + j + 1, 1) for j in range(k)]
    pos_out = [(c + k + j + 1, 1) for j in range(o)]
    return c + k + o, 1, pos_in, pos_k, pos_out


def sliding_figure(trace: StepTrace, step: int = 0, *, x_channels: bool | None = None, animate: bool = True,
                   max_frames: int = MAX_FRAMES, font_size: int = FONT, cell: int = 46,
                   caption_prefix: str = "", dropped=()) -> go.Figure:
    """Figure of a conv or pool trace at `step`, with browser-side frames for every step.

    `dropped` lists input cells (row, col), unpadded, that no window reads: marked ✕.
    Clickable: the last traces are transparent markers over the output cells whose
    customdata is the step index of that cell (for st.plotly_chart(on_select="rerun")).

    >>> import convlab
    >>> fig = sliding_figure(convlab.conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2]))
    >>> len(fig.frames), fig.layout.title.text
    (4, 'out[0] = 3×1 + 2×0 + 2×2 = 7')
    """
    n = len(trace)
    step = int(min(max(step, 0), n - 1))
    if x_channels is None:
        x_channels = np.ndim(trace.padded) == trace.dims + 1
    v = _View(trace, x_channels)
    n_rows, n_cols, pos_in, pos_k, pos_out = _layout_grid(v)
    c_in, n_out = v.padded.shape[0], v.out.shape[0]
    titles = {p: f"input ch {j}" if c_in > 1 else "input (padded)" for j, p in enumerate(pos_in)}
    if v.conv:
        titles.update({p: f"kernel ch {j}" if c_in > 1 else "kernel" for j, p in enumerate(pos_k)})
    out_name = "output" if v.conv else "pooled"
    titles.update({p: f"{out_name} {'filter' if v.conv else 'ch'} {j}" if n_out > 1 else out_name
                   for j, p in enumerate(pos_out)})
    ordered = [titles.get((r, c), "") for r in range(1, n_rows + 1) for c in range(1, n_cols + 1)]
    h_in, w_in = v.padded.shape[1:]
    kh, kw = v.kernels.shape[2:] if v.conv else (0, 0)
    oh, ow = v.out.shape[1:]
    if v.dims == 2:
        row_h = [max(h_in, oh), kh] if v.conv else [max(h_in, oh)]
        col_w = [w_in] * c_in + [ow] * n_out
    else:
        row_h = [1] * n_rows
        col_w = [max(w_in, ow, kw)]
    fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=ordered, row_heights=row_h, column_widths=col_w,
                        horizontal_spacing=0.04 if n_cols > 1 else 0, vertical_spacing=min(0.12, 0.6 / n_rows))
    first = trace[step]
    lim_in = limit(v.padded)
    for j, (r, c) in enumerate(pos_in):
        z = np.where(v.pad_mask, np.nan, v.padded[j])
        txt = np.where(v.pad_mask, "0" if v.conv or trace[0].mode == "avg" else "-∞", _text(v.padded[j]))
        fig.add_trace(go.Heatmap(z=z, text=txt, texttemplate="%{text}", zmid=0, zmin=-lim_in, zmax=lim_in,
                                 colorscale=DIVERGING, showscale=False, xgap=2, ygap=2, textfont={"size": font_size},
                                 hovertemplate="row %{y}, col %{x}: %{text}<extra></extra>"), row=r, col=c)
    if len(dropped):
        (t, _), (l, _) = ((0, 0), v.trace.padding) if v.dims == 1 else v.trace.padding
        for r, c in pos_in:
            # a small ✕ in the cell's top-right corner, so the value stays readable
            fig.add_trace(go.Scatter(x=[q + l + .3 for _, q in dropped], y=[p + t - .28 for p, _ in dropped],
                                     mode="markers", marker={"symbol": "x-thin", "size": font_size,
                                                             "line": {"color": WINDOW, "width": 3}},
                                     hovertemplate="dropped: no window reads this input<extra></extra>"), row=r, col=c)
    lim_k = limit(v.kernels) if v.conv else 1.0

    def kernel_of(s, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Filter s.filter's kernel for input channel j and its cell texts; zeros shown as "·" when a grouped
        filter does not read channel j (an all-NaN heatmap stops Plotly drawing the traces after it)."""
        if j in s.channels:
            k = v.kernels[s.filter, j - s.channels[0]]
            return k, _text(k)
        return np.zeros(v.kernels.shape[2:]), np.full(v.kernels.shape[2:], "·", dtype=object)

    def kernel_traces(s):
        return [go.Heatmap(z=kernel_of(s, j)[0], text=kernel_of(s, j)[1], texttemplate="%{text}",
                           zmid=0, zmin=-lim_k, zmax=lim_k, colorscale=DIVERGING, showscale=False, xgap=2, ygap=2,
                           textfont={"size": font_size}, hovertemplate="w[%{y}, %{x}] = %{text}<extra></extra>")
                for j in range(len(pos_k))]

    lim_out = limit(v.out)

    def output_traces(i):
        z = v.revealed(i)
        return [go.Heatmap(z=z[j], text=_text(z[j], "·"), texttemplate="%{text}", zmid=0, zmin=-lim_out,
                           zmax=lim_out, colorscale=DIVERGING, showscale=False, xgap=2, ygap=2,
                           textfont={"size": font_size}, hovertemplate="out[%{y}, %{x}] = %{text}<extra></extra>")
                for j in range(n_out)]

    def window_traces(s):
        xs, ys = _squares(v.rows(s), s.cols)
        show = s.channels if v.conv else [s.channel]         # a grouped filter reads only its group
        return [go.Scatter(x=xs if j in show else [], y=ys if j in show else [], mode="lines",
                           line={"color": WINDOW, "width": 4}, hoverinfo="skip") for j in range(c_in)]

    def outmark_traces(s):
        r, q = v.out_pos(s)
        xs, ys = _squares([r], [q])
        return [go.Scatter(x=xs if j == v.panel(s) else [], y=ys if j == v.panel(s) else [], mode="lines",
                           line={"color": WINDOW, "width": 4}, hoverinfo="skip") for j in range(n_out)]

    def argmax_traces(s):
        if v.conv or s.mode != "max":
            return [go.Scatter(x=[], y=[]) for _ in range(c_in)]
        (t, _), (l, _) = ((0, 0), v.trace.padding) if v.dims == 1 else v.trace.padding
        am = (0, s.argmax) if v.dims == 1 else s.argmax
        # a small star in the cell's top-right corner, so the value stays readable
        return [go.Scatter(x=[am[1] + l + .3] if j == s.channel else [], y=[am[0] + t - .28] if j == s.channel else [],
                           mode="markers", marker={"symbol": "star", "size": font_size, "color": INK,
                                                   "line": {"color": PAPER, "width": 1}},
                           hoverinfo="skip") for j in range(c_in)]

    def add(traces, positions):
        for tr, (r, c) in zip(traces, positions):
            fig.add_trace(tr, row=r, col=c)

    moving = []
    start = len(fig.data)
    add(kernel_traces(first) if v.conv else [], pos_k)
    add(output_traces(step), pos_out)
    add(window_traces(first), pos_in)
    add(outmark_traces(first), pos_out)
    add(argmax_traces(first), pos_in)
    moving = list(range(start, len(fig.data)))
    # click layer: one transparent marker per output cell, customdata = its step index
    for j, (r, c) in enumerate(pos_out):
        rr, qq = np.indices((oh, ow))
        idx = j * oh * ow + rr * ow + qq
        fig.add_trace(go.Scatter(x=qq.ravel(), y=rr.ravel(), customdata=idx.ravel(), mode="markers",
                                 marker={"size": cell * 0.8, "color": TRANSPARENT, "symbol": "square"},
                                 hovertemplate="click to explain this output<extra></extra>", showlegend=False),
                      row=r, col=c)

    def caption(s) -> str:
        idx = ", ".join(map(str, s.out_index))
        return f"{caption_prefix}out[{idx}] = {s.expression()}"

    fig.update_layout(title={"text": caption(first), "font": {"size": font_size + 2}, "x": 0.01, "xanchor": "left"},
                      showlegend=False, plot_bgcolor=PAD_BG, font={"size": font_size},
                      margin={"l": 10, "r": 10, "t": 60 + font_size * 2, "b": 10},
                      height=int(sum(row_h) * cell + 140 + (n_rows - 1) * 40 + (90 if animate and n <= max_frames else 0)),
                      dragmode=False)
    fig.update_annotations(font_size=font_size)
    for axis in fig.select_yaxes():
        axis.update(autorange="reversed", showgrid=False, zeroline=False, ticks="", showticklabels=False)
    for axis in fig.select_xaxes():
        axis.update(showgrid=False, zeroline=False, ticks="", showticklabels=False)
    for i in range(1, n_rows * n_cols + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", constrain="domain")
        fig.layout[f"xaxis{suffix}"].update(constrain="domain")
    if animate and n <= max_frames:
        frames = []
        for i in range(n):
            s = trace[i]
            data = (kernel_traces(s) if v.conv else []) + output_traces(i) + window_traces(s) + outmark_traces(s) \
                + argmax_traces(s)
            frames.append(go.Frame(name=str(i), data=data, traces=moving, layout={"title": {"text": caption(s)}}))
        fig.frames = frames
        anim = {"frame": {"duration": 900, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
        fig.update_layout(
            updatemenus=[{"type": "buttons", "direction": "left", "x": 0, "y": -0.02, "xanchor": "left", "yanchor": "top",
                          "pad": {"t": 10}, "showactive": False,
                          "buttons": [{"label": "Play", "method": "animate", "args": [None, {**anim, "fromcurrent": True}]},
                                      {"label": "Pause", "method": "animate",
                                       "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}]}],
            sliders=[{"active": step, "x": 0.25, "len": 0.75, "y": -0.02, "yanchor": "top", "pad": {"t": 10},
                      "currentvalue": {"prefix": "step ", "font": {"size": font_size}, "xanchor": "right"},
                      "steps": [{"label": str(i), "method": "animate",
                                 "args": [[str(i)], {**anim, "frame": {"duration": 0, "redraw": True}}]} for i in range(n)]}])
    return fig
