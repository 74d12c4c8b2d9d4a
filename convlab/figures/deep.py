"""Figures of the Deep networks lessons: mini-batches through batch norm, curves of runs side by side, gradient
norms per layer, activations and slopes, variance per layer, and optimiser paths animated with Plotly frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from convlab._core.format import signed
from convlab.figures.cells import cell_text as _text
from convlab.figures.theme import DIVERGING, log_ticks
from convlab.figures.theme import limit as _limit

__all__ = ["PALETTE", "batch_figure", "running_stats_figure", "batch_size_figure", "runs_figure", "depth_grad_norms_figure",
           "grad_history_figure", "activations_figure", "ensemble_figure", "variance_figure", "paths_figure",
           "shift_figure"]

# one colour per run, the same in every chart of a lesson
PALETTE = ("#2171b5", "#e66101", "#1b9e77", "#7570b3", "#d62728", "#8c6d31", "#e7298a")


def _style(fig: go.Figure, height: int, font_size: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=90, b=10), font={"size": font_size},
                      plot_bgcolor="white", legend={"orientation": "h", "x": 0, "y": 1.1, "yanchor": "bottom"})
    fig.update_xaxes(gridcolor="#eee", zeroline=False)
    fig.update_yaxes(gridcolor="#eee", zeroline=False)
    fig.update_annotations(font_size=font_size)
    return fig


def batch_figure(rows: Sequence[tuple[str, np.ndarray]], font_size: int = 14, cell: int = 40) -> go.Figure:
    """One channel of a mini-batch: a row of maps per quantity (x, x̂, y ...), a column per sample, numbers in
    the cells, row 0 of every map on top; each quantity has its own colour range centred on 0.

    >>> fig = batch_figure([("x", np.ones((2, 1, 2))), ("y", np.zeros((2, 1, 2)))])
    >>> len(fig.data), [a.text for a in fig.layout.annotations][:2]
    (4, ['sample 0', 'sample 1'])
    """
    n, h, w = np.shape(rows[0][1])
    fig = make_subplots(rows=len(rows), cols=n, subplot_titles=[f"sample {i}" for i in range(n)] + [""] * (n * (len(rows) - 1)),
                        horizontal_spacing=0.02, vertical_spacing=0.08)
    for r, (label, maps) in enumerate(rows, start=1):
        lim = _limit(maps)
        for i in range(n):
            fig.add_trace(go.Heatmap(z=maps[i], text=_text(maps[i]), texttemplate="%{text}", zmid=0, zmin=-lim, zmax=lim,
                                     colorscale=DIVERGING, showscale=False, xgap=2, ygap=2, textfont={"size": font_size - 2},
                                     hovertemplate=f"{label}, sample {i}: row %{{y}}, col %{{x}} = %{{text}}<extra></extra>"),
                          row=r, col=i + 1)
        fig.update_yaxes(title_text=label, title_font={"size": font_size + 2}, row=r, col=1)
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", showticklabels=False, zeroline=False)
    fig.update_xaxes(showgrid=False, ticks="", showticklabels=False, zeroline=False)
    for i in range(1, len(rows) * n + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", constrain="domain")
        fig.layout[f"xaxis{suffix}"].update(constrain="domain")
    fig.update_layout(height=len(rows) * (h * cell + 40) + 60, dragmode=False, plot_bgcolor="#d9d9d9",
                      margin=dict(l=60, r=10, t=40, b=10), font={"size": font_size})
    fig.update_annotations(font_size=font_size)
    return fig


def running_stats_figure(means: np.ndarray, variances: np.ndarray, batch_means: np.ndarray, batch_vars: np.ndarray,
                         population: tuple[float, float], font_size: int = 14) -> go.Figure:
    """Running mean and variance of one channel after each batch (lines), the batches' own statistics (dots)
    and the population's (dashed): the running values settle where eval mode will use them.

    >>> fig = running_stats_figure(np.zeros(3), np.ones(3), np.zeros(2), np.ones(2), (0.0, 1.0))
    >>> [t.name for t in fig.data][:2]
    ['running mean', 'batch mean μ_B']
    """
    k = np.arange(len(means))
    fig = make_subplots(rows=1, cols=2, subplot_titles=["mean", "variance"])
    for col, run, batch, pop, name in ((1, means, batch_means, population[0], "mean"),
                                       (2, variances, batch_vars, population[1], "variance")):
        symbol = "μ_B" if name == "mean" else "σ²_B·m/(m−1)"
        fig.add_trace(go.Scatter(x=k, y=run, mode="lines+markers", name=f"running {name}", line={"color": PALETTE[0],
                                 "width": 3}), row=1, col=col)
        fig.add_trace(go.Scatter(x=k[1:], y=batch, mode="markers", name=f"batch {name} {symbol}",
                                 marker={"color": PALETTE[1], "size": 9}), row=1, col=col)
        fig.add_hline(y=pop, line={"color": "#555", "dash": "dash"}, row=1, col=col)
    fig.update_xaxes(title="batches seen")
    return _style(fig, 330, font_size)


def batch_size_figure(sizes: Sequence[int], mean_spread: np.ndarray, var_spread: np.ndarray, output_error: np.ndarray,
                      font_size: int = 14) -> go.Figure:
    """How far a mini-batch's μ_B and σ²_B wander, and how far one image's x̂ lands from its eval-mode value,
    against the batch size (log axes).

    >>> len(batch_size_figure([1, 2], np.ones(2), np.ones(2), np.ones(2)).data)
    3
    """
    fig = go.Figure()
    for i, (y, name) in enumerate(((mean_spread, "spread of μ_B"), (var_spread, "spread of σ²_B"),
                                   (output_error, "error of one image's x̂"))):
        fig.add_trace(go.Scatter(x=list(sizes), y=np.maximum(y, 1e-6), mode="lines+markers", name=name,
                                 line={"color": PALETTE[i], "width": 3}))
    fig.update_xaxes(type="log", title="batch size N", tickvals=list(sizes))
    fig.update_yaxes(type="log", title="standard deviation / RMS error", **log_ticks(*(t.y for t in fig.data)))
    return _style(fig, 340, font_size)


def runs_figure(records: list[dict], names: Sequence[str], font_size: int = 14, train_acc: bool = False,
                loss_title: str = "training loss (mean over a few batches)") -> go.Figure:
    """Runs side by side: the training loss as it is reported (left) and the test accuracy at each epoch end
    (right; with train_acc, the training accuracy dashed: the gap is overfitting). Never an empty frame:
    before the first report the axes say what will appear.

    >>> recs = [{"run": "a", "kind": "step", "step": 5, "train_loss": 2.0},
    ...         {"run": "a", "kind": "epoch", "step": 9, "epoch": 1, "test_acc": 0.5, "train_acc": 0.6}]
    >>> [t.name for t in runs_figure(recs, ["a"], train_acc=True).data]
    ['a', 'a: test', 'a: train']

    At most about ten epoch labels, however long the run (40 epochs: every 4th), so they never pile up:

    >>> long = [{"run": "a", "kind": "epoch", "step": e, "epoch": e, "test_acc": 0.5} for e in range(1, 41)]
    >>> runs_figure(long, ["a"]).layout.xaxis2.dtick, runs_figure(recs, ["a"]).layout.xaxis2.dtick
    (4, 1)
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=[loss_title, "accuracy at each epoch end"])
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        steps = [r for r in records if r["run"] == name and r["kind"] == "step"]
        epochs = [r for r in records if r["run"] == name and r["kind"] == "epoch"]
        if steps:
            fig.add_trace(go.Scatter(x=[r["step"] for r in steps], y=[r["train_loss"] for r in steps], name=name,
                                     mode="lines", line={"color": color, "width": 2}, legendgroup=name), row=1, col=1)
        if epochs:
            fig.add_trace(go.Scatter(x=[r["epoch"] for r in epochs], y=[r["test_acc"] for r in epochs],
                                     name=f"{name}: test" if train_acc else name, mode="lines+markers",
                                     line={"color": color, "width": 3}, legendgroup=name, showlegend=train_acc or not steps),
                          row=1, col=2)
            if train_acc:
                fig.add_trace(go.Scatter(x=[r["epoch"] for r in epochs], y=[r["train_acc"] for r in epochs],
                                         name=f"{name}: train", mode="lines+markers", legendgroup=name,
                                         line={"color": color, "width": 2, "dash": "dash"}), row=1, col=2)
    fig.update_xaxes(title="step", row=1, col=1)
    last = max((r["epoch"] for r in records if r["kind"] == "epoch"), default=1)
    fig.update_xaxes(title="epoch", dtick=max(1, -(-last // 10)), row=1, col=2)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    return _style(fig, 360, font_size)


def depth_grad_norms_figure(norms: dict[str, dict[str, float]], font_size: int = 14) -> go.Figure:
    """‖∂L/∂W‖ per layer (input on the left, classifier on the right, log scale), one line per network.

    >>> fig = depth_grad_norms_figure({"plain": {"conv 1": 1e-9, "classifier": 1.0}})
    >>> list(fig.data[0].x), fig.layout.yaxis.type
    (['conv 1', 'classifier'], 'log')
    """
    fig = go.Figure()
    for i, (name, by_layer) in enumerate(norms.items()):
        fig.add_trace(go.Scatter(x=list(by_layer), y=[max(v, 1e-30) for v in by_layer.values()], name=name,
                                 mode="lines+markers", line={"color": PALETTE[i % len(PALETTE)], "width": 3},
                                 hovertemplate="%{x}: %{y:.3g}<extra>" + name + "</extra>"))
    fig.update_yaxes(type="log", title="‖∂L/∂W‖", **log_ticks(*(t.y for t in fig.data)))
    fig.update_xaxes(title="layer (input side first)", type="category")
    return _style(fig, 380, font_size)


def grad_history_figure(records: list[dict], names: Sequence[str], layer: str, font_size: int = 14) -> go.Figure:
    """One layer's gradient norm at each report while the runs train (log scale).

    >>> recs = [{"run": "a", "kind": "step", "step": 5, "train_loss": 1.0, "grad_norms": {"conv 1": 0.5}}]
    >>> list(grad_history_figure(recs, ["a"], "conv 1").data[0].y)
    [0.5]
    """
    fig = go.Figure()
    for i, name in enumerate(names):
        steps = [r for r in records if r["run"] == name and r["kind"] == "step" and "grad_norms" in r]
        fig.add_trace(go.Scatter(x=[r["step"] for r in steps], y=[max(r["grad_norms"][layer], 1e-30) for r in steps],
                                 name=name, mode="lines", line={"color": PALETTE[i % len(PALETTE)], "width": 2}))
    fig.update_yaxes(type="log", title=f"‖∂L/∂W‖ of {layer}", **log_ticks(*(t.y for t in fig.data)))
    fig.update_xaxes(title="step")
    return _style(fig, 340, font_size)


def activations_figure(xs: np.ndarray, curves: dict[str, tuple[np.ndarray, np.ndarray]], x0: float,
                       font_size: int = 14, columns: int = 3) -> go.Figure:
    """f (solid) and f′ (dashed) of each activation, with the point x0 marked on both; the sigmoid's f′ peaks
    at 0.25 (the dotted line).

    >>> xs = np.linspace(-1, 1, 3)
    >>> fig = activations_figure(xs, {"relu": (np.maximum(xs, 0), (xs > 0) * 1.0)}, 0.5)
    >>> [a.text for a in fig.layout.annotations]
    ['relu']
    """
    names = list(curves)
    rows = -(-len(names) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=names, horizontal_spacing=0.06, vertical_spacing=0.16)
    at = int(np.argmin(np.abs(xs - x0)))
    for i, name in enumerate(names):
        r, c = divmod(i, columns)
        y, dy = curves[name]
        show = i == 0
        fig.add_trace(go.Scatter(x=xs, y=y, name="f(x)", mode="lines", line={"color": PALETTE[0], "width": 3},
                                 showlegend=show, legendgroup="f"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=xs, y=dy, name="f′(x)", mode="lines", line={"color": PALETTE[1], "width": 3, "dash": "dash"},
                                 showlegend=show, legendgroup="df"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=[xs[at], xs[at]], y=[y[at], dy[at]], mode="markers", showlegend=False,
                                 marker={"color": ["#08306b", "#a63603"], "size": 11},
                                 # the value with a true minus sign: Plotly's own %{y:.4g} writes a hyphen ("-0.7616")
                                 customdata=[signed(y[at]), signed(dy[at])],
                                 hovertemplate="%{customdata}<extra></extra>"), row=r + 1, col=c + 1)
        if name.startswith("sigmoid"):
            fig.add_hline(y=0.25, line={"color": "#555", "dash": "dot"}, row=r + 1, col=c + 1)
    fig.update_yaxes(range=[-1.3, 2.6])
    return _style(fig, 300 * rows + 60, font_size)


def ensemble_figure(counts: Sequence[int], gap: np.ndarray, agreement: np.ndarray, font_size: int = 14) -> go.Figure:
    """The average of K thinned networks against the eval network: the probability gap shrinks, the agreement
    on the class grows.

    >>> len(ensemble_figure([1, 2], np.array([0.5, 0.3]), np.array([0.8, 0.9])).data)
    2
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=["|average of K − eval net| (probabilities)",
                                                        "same class as the eval net"])
    fig.add_trace(go.Scatter(x=list(counts), y=gap, mode="lines+markers", name="gap", line={"color": PALETTE[0], "width": 3}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=list(counts), y=agreement, mode="lines+markers", name="agreement",
                             line={"color": PALETTE[1], "width": 3}), row=1, col=2)
    fig.update_xaxes(type="log", title="K masked networks averaged", tickvals=list(counts))
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(showlegend=False)
    return _style(fig, 340, font_size)


def variance_figure(stats: dict[str, list], font_size: int = 14) -> go.Figure:
    """Per layer (from the input on): the variance of the activations (log scale, left) and the share of dead
    units (right), one line per initialisation; `stats` maps a label to convlab.deep.depth.activation_stats output.

    >>> from convlab.deep.depth import ActivationStats
    >>> fig = variance_figure({"he": [ActivationStats("layer 1", 0.0, 1.0, 0.0, 0.5, 2.0)]})
    >>> fig.layout.yaxis.type
    'log'
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=["variance of the activations", "share of dead units"])
    for i, (label, layers) in enumerate(stats.items()):
        color = PALETTE[i % len(PALETTE)]
        names = [s.name for s in layers]
        finite = [max(s.variance, 1e-30) if np.isfinite(s.variance) else None for s in layers]    # overflow: a gap
        fig.add_trace(go.Scatter(x=names, y=finite, name=label, mode="lines+markers",
                                 line={"color": color, "width": 3}, legendgroup=label), row=1, col=1)
        fig.add_trace(go.Scatter(x=names, y=[s.dead for s in layers], name=label, mode="lines+markers", showlegend=False,
                                 line={"color": color, "width": 3}, legendgroup=label), row=1, col=2)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_xaxes(type="category")
    return _style(fig, 380, font_size)


def _contours(surface, n: int = 80) -> go.Contour:
    xs = np.linspace(*surface.x_range, n)
    ys = np.linspace(*surface.y_range, n)
    z = surface.f(xs[None, :], ys[:, None])
    shifted = np.log10(z - z.min() + 1e-2)               # log levels: a ravine's floor and walls both show
    return go.Contour(x=xs, y=ys, z=shifted, colorscale="Greys", reversescale=True, showscale=False, ncontours=24,
                      contours={"coloring": "heatmap", "showlines": True}, line={"width": 0.8, "color": "#8a8a8a"},
                      opacity=0.75, hoverinfo="skip")


def paths_figure(surface, paths: dict, step: int, font_size: int = 14, max_frames: int = 80, trail: int = 10,
                 height: int = 640) -> go.Figure:
    """Every optimiser's whole path, faint, on the surface's contours, and a bright head with its last `trail`
    steps at `step`. Play moves the heads in the browser from step 0 (Plotly frames, at most max_frames evenly
    spaced, each carrying only the heads and trails), the slider scrubs.

    >>> from convlab.deep.optim import optimize_path, SURFACES
    >>> fig = paths_figure(SURFACES["saddle"], {"sgd": optimize_path("saddle", "sgd", 10, lr=0.1)}, 10)
    >>> len(fig.frames), fig.data[2].name
    (11, 'sgd')
    """
    names = list(paths)
    last = max(len(p.points) - 1 for p in paths.values())

    def moving(k: int, styled: bool = True) -> list:
        """Each run's trail and head at step k; frames carry only the coordinates (the style stays)."""
        out = []
        for i, name in enumerate(names):
            pts = paths[name].points
            at = min(k, len(pts) - 1)
            color = PALETTE[i % len(PALETTE)]
            trail_xy = {"x": pts[max(0, at - trail):at + 1, 0], "y": pts[max(0, at - trail):at + 1, 1]}
            head_xy = {"x": pts[at:at + 1, 0], "y": pts[at:at + 1, 1]}
            if not styled:                  # a frame: rounded coordinates keep the payload small
                out += [go.Scatter(**{k: np.round(v, 3).tolist() for k, v in xy.items()}) for xy in (trail_xy, head_xy)]
                continue
            # the trail has no hover of its own: its last point is the head, whose hover names the run (the trail's
            # plain "(x, y)" took it)
            out.append(go.Scatter(**trail_xy, mode="lines", name=name, legendgroup=name, line={"color": color, "width": 4},
                                  hoverinfo="skip"))
            out.append(go.Scatter(**head_xy, mode="markers", showlegend=False, legendgroup=name,
                                  hovertemplate=f"{name}: (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
                                  marker={"color": color, "size": 14, "line": {"color": "white", "width": 2}}))
        return out

    faint = [go.Scatter(x=p.points[:, 0], y=p.points[:, 1], mode="lines", showlegend=False, legendgroup=name,
                        hoverinfo="skip", opacity=0.45, line={"color": PALETTE[i % len(PALETTE)], "width": 1.5})
             for i, (name, p) in enumerate(paths.items())]
    minima = np.array(surface.minima)
    star = {"symbol": "star", "size": 16, "color": "#ffd92f", "line": {"color": "#333", "width": 1}}
    fig = go.Figure([_contours(surface), *faint, *moving(min(step, last)),
                     go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name="minimum", marker=star)])
    shown = np.unique(np.linspace(0, last, min(last + 1, max_frames)).astype(int))
    first = 1 + len(names)
    fig.frames = [go.Frame(name=str(k), data=moving(int(k), styled=False), traces=list(range(first, first + 2 * len(names))))
                  for k in shown]
    anim = {"frame": {"duration": 80, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0, "y": -0.1, "xanchor": "left", "yanchor": "top",
                      "showactive": False,
                      "buttons": [{"label": "Play", "method": "animate",
                                   "args": [[str(k) for k in shown], {**anim, "fromcurrent": False}]},
                                  {"label": "Pause", "method": "animate",
                                   "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]}]}],
        sliders=[{"active": int(np.searchsorted(shown, min(step, last))), "x": 0.2, "len": 0.8, "y": -0.1, "yanchor": "top",
                  "currentvalue": {"prefix": "step ", "font": {"size": font_size}, "xanchor": "right"},
                  "steps": [{"label": str(k), "method": "animate",
                             "args": [[str(k)], {**anim, "frame": {"duration": 0, "redraw": False}}]} for k in shown]}])
    fig.update_xaxes(range=list(surface.x_range), title="x")
    fig.update_yaxes(range=list(surface.y_range), title="y")
    return _style(fig, height, font_size).update_layout(margin=dict(l=10, r=10, t=60, b=110))


def shift_figure(shifts: Sequence[int], accuracy: dict[str, Sequence[float]], font_size: int = 14) -> go.Figure:
    """Test accuracy against the shift of the test images (pixels), one line per network.

    >>> len(shift_figure([0, 1], {"MLP": [0.9, 0.5], "CNN": [0.9, 0.7]}).data)
    2
    """
    fig = go.Figure()
    for i, (name, acc) in enumerate(accuracy.items()):
        fig.add_trace(go.Scatter(x=list(shifts), y=list(acc), mode="lines+markers", name=name,
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 3}))
    fig.update_xaxes(title="test images shifted right by (pixels)", dtick=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", title="test accuracy")
    return _style(fig, 340, font_size)
