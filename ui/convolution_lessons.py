"""Each lesson page's work, done once per distinct parameter set for every session of the server.

A class mostly looks at the same few configurations (the defaults, the notes' examples), so the traces,
the lesson-view documents, the torch checks and the texts are computed once and shared: bounded LRU caches
keyed on the page's small, hashable parameters (the typed text and the numbers). The results are treated
as read-only by every page. Bad input raises ConvlabError, which is never cached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import convlab
from convlab.convolution.arithmetic import SizeExplanation
from convlab.classroom.export import conv_snippet, pool_snippet
from convlab.convolution import invariance
from convlab.figures.grids import grid_figure
from convlab.convolution.grouped import SmallLayer, small_layer
from convlab.parse import format_vector, parse_grid, parse_grids, parse_layer, parse_vector
from convlab import Check
from convlab.convolution.checks import check_conv
from convlab.view import payload
from ui.widgets import frozen_figure

__all__ = ["Conv1DLesson", "conv1d_lesson", "Conv2DLesson", "conv2d_lesson", "GroupedLesson", "grouped_lesson",
           "Conv3DLesson", "conv3d_lesson", "PoolLesson", "pool_lesson", "ShiftLesson",
           "shift_lesson", "fold_figure", "MatrixLesson", "matrix_lesson", "BackwardLesson", "backward_lesson",
           "PoolRouting", "pool_routing", "PaddingLesson", "padding_lesson", "stack_lesson", "why_params",
           "why_shift", "why_variants", "why_transposed", "why_dilated", "size_latex", "CACHE_SIZE"]

CACHE_SIZE = 64          # parameter sets kept per page (a few hundred KB each at most)


def size_latex(e: SizeExplanation, axis: str = "o") -> str:
    r"""The output-size formula with the numbers in, as LaTeX: o = ⌊(n + P − F) / s⌋ + 1.

    >>> size_latex(convlab.explain_output_size(7, 3, stride=3)).endswith(r"\lfloor 2.33 \rfloor = 2")
    True
    """
    total = sum(e.padding)
    exact = e.exact_text
    last = f" = {e.output}" if exact == str(e.output) else f" = \\lfloor {exact} \\rfloor = {e.output}"
    return (f"{axis} = \\left\\lfloor \\frac{{n + P - F}}{{s}} \\right\\rfloor + 1 = \\left\\lfloor \\frac{{{e.n} + "
            f"{total} - {e.effective_kernel}}}{{{e.stride}}} \\right\\rfloor + 1{last}")


@dataclass(frozen=True)
class Conv1DLesson:
    trace: convlab.StepTrace
    body: bytes                    # the lesson view's document (payload.encode)
    size: SizeExplanation
    check: Check
    same_rows: tuple[str, ...]     # TensorFlow "same" next to the symmetric choices, one line each
    snippet: str
    grids: dict


@functools.lru_cache(maxsize=CACHE_SIZE)
def conv1d_lesson(x_text: str, w_text: str, bias: float, padding, stride: int, dilation: int,
                  flip: bool) -> Conv1DLesson:
    """The 1D page for one configuration; padding is a mode or a (before, after) pair."""
    x, w = parse_vector(x_text, "x"), parse_vector(w_text, "w")
    args = dict(bias=bias or None, stride=stride, padding=padding, dilation=dilation, flip=flip)
    trace = convlab.conv1d_steps(x, w, **args)
    size = convlab.explain_output_size(len(x), len(w), stride, padding, dilation)
    view = payload.conv_view(trace, dropped=payload.dropped_axes(None, size, ((0, 0), size.padding)),
                             bias=bool(bias))
    view["flip"] = flip
    rows = []
    for name, pads in convlab.same_padding_options(len(x), len(w), stride, dilation).items():
        try:
            y = convlab.conv1d(x, w, stride=stride, padding=pads, dilation=dilation, flip=flip)
            shown = format_vector(y).replace("-", "−")          # a caption: true minus signs (issue 24)
            rows.append(f"**{name}** {pads}: y = [{shown}] (length {len(y)})")
        except convlab.ConvlabError as err:
            rows.append(f"**{name}** {pads}: {err}")
    snippet = conv_snippet(x, w, args["bias"], stride, trace.padding, dilation, flip, dims=1)
    return Conv1DLesson(trace, payload.encode(view), size, check_conv(1, trace.output, x, w, **args), tuple(rows),
                        snippet, {"input": x, "kernel": w, "output": trace.output})


@dataclass(frozen=True)
class Conv2DLesson:
    trace: convlab.StepTrace
    body: bytes
    sizes: tuple[SizeExplanation, SizeExplanation]       # rows, columns
    check: Check
    snippet: str
    grids: dict


@functools.lru_cache(maxsize=CACHE_SIZE)
def conv2d_lesson(x_text: str, w_text: str, bias_text: str, padding, stride: int, dilation: int,
                  flip: bool, groups: int = 1) -> Conv2DLesson:
    """The 2D page for one configuration: x as channels "|", w as filter-by-filter kernels (parse_layer), each
    filter with one kernel per channel of its group."""
    x, w = parse_layer(x_text, w_text, max_channels=4, max_filters=4, groups=groups)
    bias = parse_vector(bias_text, "bias", 4)
    args = dict(bias=bias, stride=stride, padding=padding, dilation=dilation, flip=flip, groups=groups)
    trace = convlab.conv2d_steps(x, w, **args)
    pads = trace.padding
    sizes = tuple(convlab.explain_output_size(n, k, stride, p, dilation)
                  for n, k, p in zip(x.shape[1:], w.shape[2:], pads))
    view = payload.conv_view(trace, dropped=payload.dropped_axes(*sizes, pads), bias=bool(np.any(bias)))
    view["flip"] = flip
    snippet = conv_snippet(x, w, bias, stride, pads, dilation, flip, groups=groups)
    return Conv2DLesson(trace, payload.encode(view), sizes, check_conv(2, trace.output, x, w, **args), snippet,
                        {"input": x, "kernels": w.reshape(-1, *w.shape[2:]), "output": trace.output})


@dataclass(frozen=True)
class GroupedLesson:
    layer: SmallLayer
    trace: convlab.StepTrace
    body: bytes
    check: Check


@functools.lru_cache(maxsize=CACHE_SIZE)
def grouped_lesson(channels: int, filters: int, groups: int, kernel: int, size: int, padding: str,
                   seed: int) -> GroupedLesson:
    """The variants page's small grouped layer (small integers from the seed), stepped in the lesson view."""
    layer = small_layer(channels, filters, kernel, size, groups, seed)
    trace = convlab.conv2d_steps(layer.x, layer.w, padding=padding, groups=groups)
    return GroupedLesson(layer, trace, payload.encode(payload.conv_view(trace, bias=False)),
                         check_conv(2, trace.output, layer.x, layer.w, padding=padding, groups=groups))


@dataclass(frozen=True)
class Conv3DLesson:
    volume: np.ndarray              # (D, H, W)
    trace: convlab.StepTrace
    body: bytes
    sizes: tuple[SizeExplanation, SizeExplanation, SizeExplanation]     # depth, rows, columns
    check: Check


@functools.lru_cache(maxsize=CACHE_SIZE)
def conv3d_lesson(kind: str, depth: int, size: int, kernel: str, stride: int, padding: str) -> Conv3DLesson:
    """The 3D page: a procedural volume and a named 3×3×3 kernel, every output stepped in the lesson view."""
    from convlab.convolution.conv3d import KERNELS3D, make_volume

    volume, w = make_volume(kind, depth, size), KERNELS3D[kernel]
    trace = convlab.conv3d_steps(volume, w, stride=stride, padding=padding)
    pads = convlab.resolve_padding3d(volume.shape, w.shape, stride, padding)
    sizes = tuple(convlab.explain_output_size(n, k, stride, p) for n, k, p in zip(volume.shape, w.shape, pads))
    body = payload.encode(payload.conv3d_view(trace, sizes, bias=False))
    return Conv3DLesson(volume, trace, body, sizes, check_conv(3, trace.output, volume, w, stride=stride, padding=padding))


@dataclass(frozen=True)
class PoolLesson:
    trace: convlab.StepTrace
    body: bytes
    sizes: tuple[SizeExplanation, SizeExplanation]
    snippet: str
    grids: dict


@functools.lru_cache(maxsize=CACHE_SIZE)
def pool_lesson(x_text: str, mode: str, size: int, stride: int | None, pad: int) -> PoolLesson:
    """The pooling page's lesson view: x as channels "|"; stride None means the window size."""
    x = parse_grids(x_text, "x", 16, 3)
    trace = convlab.pool2d_steps(x, size, stride, pad, mode)
    sizes = tuple(convlab.explain_output_size(n, size, stride or size, pad) for n in x.shape[1:])
    view = payload.pool_view(trace, dropped=payload.dropped_axes(*sizes, trace.padding))
    return PoolLesson(trace, payload.encode(view), sizes, pool_snippet(x, size, stride, pad, mode),
                      {"input": x, "output": trace.output})


@dataclass(frozen=True)
class ShiftLesson:
    figures: tuple                  # (input, feature map, pooled) before and after the shift: two Plotly figures
    equivariant: bool
    pooled_unchanged: float
    demo_picture: bool              # the page's input was too small, so the 12×12 demo picture is used


@functools.lru_cache(maxsize=CACHE_SIZE)
def shift_lesson(x_text: str, w_text: str, pool: int, dy: int, dx: int, font_size: int) -> ShiftLesson:
    """Pooling's "shift the input" section: conv is equivariant, max pooling approximately invariant."""
    x = parse_grids(x_text, "x", 16, 3)
    small = min(x.shape[1:]) < 8
    picture = invariance.demo_image() if small else x[0]
    w = parse_grid(w_text, "w", 5)
    demo = invariance.compare_shift(picture, w, pool, dy, dx)
    shifted = invariance.shift(picture, dy, dx)
    figs = (frozen_figure(grid_figure([picture, demo.conv, demo.pooled], ["input", "feature map", "max-pooled"],
                                      font_size=font_size)),
            frozen_figure(grid_figure([shifted, demo.conv_shifted, demo.pooled_shifted],
                                      ["shifted input", "feature map (shifted too)", "max-pooled"], font_size=font_size)))
    return ShiftLesson(figs, demo.equivariant, demo.pooled_unchanged, small)


@functools.lru_cache(maxsize=CACHE_SIZE)
def fold_figure(w_text: str, pool: int, font_size: int):
    """w and w*, the single kernel that does conv(w) then average pooling (seed 001's question)."""
    w = parse_grid(w_text, "w", 5)
    return frozen_figure(grid_figure([w, invariance.fold_avg_pool(w, pool)], ["w", f"w* (stride {pool})"],
                                     font_size=font_size))


@dataclass(frozen=True)
class MatrixLesson:
    trace: convlab.StepTrace
    body: bytes
    sizes: convlab.MatrixSizes
    big: convlab.MatrixSizes        # a 224×224 RGB image through 64 filters of 3×3, for scale


@functools.lru_cache(maxsize=CACHE_SIZE)
def matrix_lesson(x_text: str, w_text: str, bias_text: str, padding: str, stride: int) -> MatrixLesson:
    """The matrix page: the sliding window linked to its row of T and its column of X̂."""
    x, w = parse_layer(x_text, w_text, max_side=8, max_kernel=4, max_channels=2, max_filters=2)
    bias = parse_vector(bias_text, "bias", 3)
    args = dict(stride=stride, padding=padding)
    trace = convlab.conv2d_steps(x, w, bias, **args)
    toeplitz = convlab.conv_matrix(x.shape, w, sparse=False, **args)
    cols = convlab.im2col(x, w.shape[2:], **args)
    axes = [convlab.explain_output_size(n, k, stride, p) for n, k, p in zip(x.shape[1:], w.shape[2:], trace.padding)]
    view = payload.conv_view(trace, bias=bool(np.any(bias)), dropped=payload.dropped_axes(*axes, trace.padding),
                             links=payload.matrix_links(trace, toeplitz, cols, np.asarray(trace.bias)))
    return MatrixLesson(trace, payload.encode(view), convlab.matrix_sizes(x.shape, w, **args),
                        convlab.matrix_sizes((3, 224, 224), np.ones((64, 3, 3, 3)), padding=1))


@dataclass(frozen=True)
class BackwardLesson:
    grads: convlab.ConvGradients
    grad_y: np.ndarray
    bodies: tuple[bytes, bytes, bytes]     # the dL/dW view, the dL/dX view, dL/dX as stamps
    output_padding: int
    check: Check
    same: bool                             # the transposed convolution gives dL/dX


@functools.lru_cache(maxsize=CACHE_SIZE)
def backward_lesson(x_text: str, w_text: str, loss: str, dy_text: str, stride: int, pad: int) -> BackwardLesson:
    """The backward page's conv part: dL/dW, dL/dX (entry by entry) and dL/dX as a transposed convolution."""
    from convlab.convolution.backward import grad_x_by_transposed_conv, loss_gradient
    from convlab.convolution.checks import check_conv2d_backward

    x, w = parse_layer(x_text, w_text, max_side=8, max_kernel=4, max_channels=2, max_filters=2)
    args = dict(stride=stride, padding=pad)
    y = convlab.conv2d(x, w, **args)
    grad_y = parse_grids(dy_text, "dL/dY", 8, 2) if loss == "custom" else loss_gradient(y, loss)
    if grad_y.shape != y.shape:
        raise convlab.ConvlabError(f"dL/dY must have Y's shape {y.shape[0]}×{y.shape[1]}×{y.shape[2]} "
                                   f"(filters × rows × columns); it has {'×'.join(map(str, grad_y.shape))}")
    g = convlab.conv2d_backward(x, w, grad_y, **args)
    gx_t, op = grad_x_by_transposed_conv(x, w, grad_y, **args)
    stamps = payload.stamp_view(grad_y, w, stride, pad, output_padding=op,
                                names={"x": "dL/dY", "w": "W", "y": "dL/dX", "b": ""})
    bodies = (payload.encode(payload.grad_w_view(x, w, grad_y, g, stride, pad)),
              payload.encode(payload.grad_x_view(x, w, grad_y, g, stride, pad)), payload.encode(stamps))
    return BackwardLesson(g, grad_y, bodies, op, check_conv2d_backward(g, x, w, grad_y, **args),
                          bool(np.allclose(gx_t, g.grad_x)))


@dataclass(frozen=True)
class PoolRouting:
    figure: object
    check: Check


@functools.lru_cache(maxsize=CACHE_SIZE)
def pool_routing(px_text: str, mode: str, font_size: int) -> PoolRouting:
    """How pooling routes the gradient (dL/dY = 1 everywhere): to the max only, or evenly."""
    from convlab.convolution.checks import check_pool2d_backward

    px = parse_grid(px_text, "pooling input", 8)
    pooled = convlab.pool2d(px, 2, mode=mode)
    gpx = convlab.pool2d_backward(px, np.ones_like(pooled), 2, mode=mode)
    fig = frozen_figure(grid_figure([px, pooled, gpx], ["input", f"{mode}-pooled", "dL/dX"], font_size=font_size))
    return PoolRouting(fig, check_pool2d_backward(gpx, px, np.ones_like(pooled), 2, mode=mode))


@dataclass(frozen=True)
class PaddingLesson:
    rows: SizeExplanation
    cols: SizeExplanation
    body: bytes                    # where the windows fall (payload.windows_view)


@functools.lru_cache(maxsize=CACHE_SIZE)
def padding_lesson(n: int, m: int, k: int, stride: int, dilation: int, padding) -> PaddingLesson:
    """One layer's output size on an n×m input, per axis, and a view of its windows."""
    rows = convlab.explain_output_size(n, k, stride, padding, dilation)
    cols = convlab.explain_output_size(m, k, stride, padding, dilation)
    return PaddingLesson(rows, cols, payload.encode(payload.windows_view(rows, cols)))


@functools.lru_cache(maxsize=CACHE_SIZE)
def stack_lesson(n: int, depth: int, k: int, stride: int, padding: int, dilation: int, font_size: int):
    """A stack of equal conv layers: (stats, receptive fields, their chart)."""
    from convlab.figures.charts import stack_figure

    layer = dict(kind="conv", out_channels=1, kernel_size=k, stride=stride, padding=padding, dilation=dilation)
    stats = convlab.stack_stats((1, n, n), [layer] * depth)
    rf = convlab.receptive_field([(k, stride, dilation)] * depth)
    return stats, rf, frozen_figure(stack_figure(stats, rf, font_size=font_size))


@functools.lru_cache(maxsize=CACHE_SIZE)
def why_params(channels: int, n: int, filters: int, k: int, tile: int, font_size: int):
    """Parameter counts of a conv layer and its fully connected, unshared and tiled cousins, with their chart."""
    from convlab.figures.bars import params_figure
    from convlab.convolution.locally_connected import variant_param_counts

    counts = variant_param_counts((channels, n, n), filters, k, tile=tile)
    stats = convlab.conv_layer_stats((channels, n, n), filters, k)
    return counts, stats, frozen_figure(params_figure(counts, font_size=font_size))


@functools.lru_cache(maxsize=CACHE_SIZE)
def why_shift(kernel: str, dy: int, dx: int, font_size: int):
    """The demo picture and its feature map, before and after a shift: (two figures, equivariant)."""
    picture = invariance.demo_image()
    kern = convlab.images.kernels.KERNELS[kernel]
    moved = invariance.shift(picture, dy, dx)
    demo = invariance.compare_shift(picture, kern, 2, dy, dx)
    return (frozen_figure(grid_figure([picture, demo.conv], ["input", f"feature map ({kernel})"], font_size=font_size)),
            frozen_figure(grid_figure([moved, demo.conv_shifted], ["shifted input", "feature map of the shifted input"],
                                      font_size=font_size))), demo.equivariant


@functools.lru_cache(maxsize=CACHE_SIZE)
def why_variants(tile: int, font_size: int, per_figure: int):
    """Convolution, tiled and unshared layers on the same 8×8 input: figures of `per_figure` grids each."""
    from convlab.convolution.locally_connected import variant_demo

    picture = invariance.demo_image()[:8, :8]
    variants = variant_demo(picture, 3, tile, seed=0)
    grids = [picture] + [y for _, y in variants.values()]
    titles = ["input"] + [f"{name}: {1 if w.ndim == 2 else w.shape[0] * w.shape[1]} kernel(s)"
                          for name, (w, _) in variants.items()]
    return tuple(frozen_figure(grid_figure(grids[i: i + per_figure], titles[i: i + per_figure], font_size=font_size))
                 for i in range(0, len(grids), per_figure))


@functools.lru_cache(maxsize=CACHE_SIZE)
def why_transposed(y_text: str, stride: int, padding: int):
    """Transposed convolution of a small grid with the X kernel (seed 003), as stamps: (document, in, out shapes)."""
    y = parse_grid(y_text, "transposed input", 6)
    kernel = convlab.images.kernels.KERNELS["X (seed 003)"]
    out = convlab.conv_transpose2d(y, kernel, stride=stride, padding=padding)
    view = payload.stamp_view(y, kernel, stride, padding)
    return payload.encode(view), y.shape, out.shape


@functools.lru_cache(maxsize=CACHE_SIZE)
def why_dilated(dilation: int):
    """The X kernel (seed 003) dilated over a 7×7 patch of the demo picture: (document, steps, span)."""
    patch = invariance.demo_image()[1:8, 1:8]
    trace = convlab.conv2d_steps(patch, convlab.images.kernels.KERNELS["X (seed 003)"], dilation=dilation)
    rows = convlab.explain_output_size(7, 3, 1, 0, dilation)
    view = payload.conv_view(trace, bias=False, dropped=payload.dropped_axes(rows, rows, trace.padding))
    return payload.encode(view), len(trace), convlab.receptive_field([(3, 1, dilation)])[0].size
