"""Exports for slides and notebooks: animated GIFs of the sliding windows (drawn with Pillow, no browser),
PyTorch snippets that reproduce a configuration, and grids as CSV.

>>> trace = __import__("convlab").conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2])
>>> gif, note = steps_gif(trace)
>>> gif[:6], note
(b'GIF89a', '')
"""

from __future__ import annotations

import io
from typing import Any
from collections.abc import Sequence

import numpy as np

from convlab._core.format import num, plain
from convlab.errors import ConvlabError
from convlab.figures.theme import (CELL_LINE, GIF_CELL_FONT, GIF_GAP, GIF_LABEL_FONT, GIF_LABEL_H, GIF_MARGIN,
                                   GIF_TITLE_FONT, GIF_TITLE_H, INK, LABEL, MISSING, OCCLUDER, PAPER, WINDOW,
                                   diverging_rgb, limit)

__all__ = ["MAX_FRAMES", "MAX_WIDTH", "render_frame", "steps_gif", "occlusion_gif", "frame_indices",
           "conv_snippet", "pool_snippet", "model_snippet", "grid_csv"]

MAX_FRAMES = 80
MAX_WIDTH = 1400
MAX_CELL = 96                    # px per grid cell: a small lesson fills a slide (the 1D notes' example: 1320 px wide)
MARGIN, TITLE_H, LABEL_H, GAP = GIF_MARGIN, GIF_TITLE_H, GIF_LABEL_H, GIF_GAP


def _font(size: int):
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):                         # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _colour(v: float, lim: float):
    """The figures' diverging colour of v on the range ±lim; grey where there is no number."""
    return diverging_rgb(v / lim) if np.isfinite(v) and lim else MISSING


def _as3(a: np.ndarray, dims: int) -> np.ndarray:
    """(C, H, W) whatever the trace holds: 1D rows become 1×L grids."""
    a = np.asarray(a, dtype=float)
    if dims == 1:
        return a.reshape(-1, 1, a.shape[-1])
    return a.reshape(-1, *a.shape[-2:])


def _panels(trace, i: int):
    """(title, grid, outline (rows, cols) or None, visible mask or None, current cell or None) per panel."""
    st = trace[i]
    dims = trace.dims
    x = _as3(trace.padded, dims)
    out = _as3(trace.output, dims)
    conv = hasattr(st, "filter")
    plane = st.filter if conv else st.channel
    rows = st.rows if dims == 2 else (0,)
    panels = []
    channels = st.channels if conv else [plane]              # a grouped filter reads only its group's channels
    for c in channels:
        panels.append((f"input ch {c}" if x.shape[0] > 1 else "input", x[c], (rows, st.cols), None, None))
    if conv:
        k = _as3(trace.kernels[plane], dims)
        for c in range(k.shape[0]):
            panels.append((f"kernel {plane}" + (f" ch {channels[c]}" if x.shape[0] > 1 else ""), k[c], None, None, None))
    oh, ow = out.shape[1:]
    flat = i - plane * oh * ow                       # steps run plane by plane, row by row
    visible = (np.arange(oh * ow) <= flat).reshape(oh, ow)
    cur = divmod(flat, ow)
    panels.append((f"output {plane}" if out.shape[0] > 1 else "output", out[plane], None, visible, cur))
    return panels


def _cell_size(trace, max_width: int) -> int:
    widths = [p[1].shape[1] for p in _panels(trace, 0)]
    room = max_width - 2 * MARGIN - GAP * (len(widths) - 1)
    return int(max(14, min(MAX_CELL, room // max(sum(widths), 1))))


def render_frame(trace, i: int, cell: int | None = None, max_width: int = MAX_WIDTH):
    """One step of a conv or pool trace as a PIL image: the input(s) with the window outlined, the kernel,
    and the output filled in up to this step (the current output outlined)."""
    from PIL import Image, ImageDraw

    cell = cell or _cell_size(trace, max_width)
    panels = _panels(trace, i)
    lim = limit(*(p[1] for p in panels))                         # one range for every panel, as in the figures
    width = 2 * MARGIN + sum(p[1].shape[1] * cell for p in panels) + GAP * (len(panels) - 1)
    height = TITLE_H + LABEL_H + max(p[1].shape[0] for p in panels) * cell + MARGIN
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    small, big = _font(max(9, int(cell * GIF_CELL_FONT))), _font(GIF_TITLE_FONT)
    st = trace[i]
    idx = ", ".join(map(str, st.out_index))
    fits = lambda t: draw.textlength(t, font=big) <= width - 2 * MARGIN      # noqa: E731
    out = f"step {i + 1}/{len(trace)}: {'y' if trace.dims == 1 else 'Y'}[{idx}] = "     # the lesson view's notation
    text = out + plain(st.expression())                                              # the font has no × or −
    if not fits(text) and hasattr(st, "total_expression"):
        text = out + "channel sums + bias = " + plain(st.total_expression())
    if not fits(text):
        text = out + plain(num(st.value))
    draw.text((MARGIN, 8), text, fill=INK, font=big)
    x0 = MARGIN
    for name, grid, outline, visible, current in panels:
        h, w = grid.shape
        y0 = TITLE_H + LABEL_H
        draw.text((x0, TITLE_H), name, fill=LABEL, font=small if cell < 24 else _font(min(GIF_LABEL_FONT, cell // 2)))
        for r in range(h):
            for c in range(w):
                show = visible is None or visible[r, c]
                v = grid[r, c]
                box = (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
                draw.rectangle(box, fill=_colour(v, lim) if show else PAPER, outline=CELL_LINE)
                if show and cell >= 18 and np.isfinite(v):
                    label = num(round(float(v), 2))
                    draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), label, fill=INK, font=small,
                              anchor="mm")
        if outline is not None:
            rr, cc = outline
            draw.rectangle((x0 + min(cc) * cell, y0 + min(rr) * cell, x0 + (max(cc) + 1) * cell - 1,
                            y0 + (max(rr) + 1) * cell - 1), outline=WINDOW, width=3)
        if current is not None:
            r, c = current
            draw.rectangle((x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell - 1, y0 + (r + 1) * cell - 1),
                           outline=WINDOW, width=3)
        x0 += w * cell + GAP
    return img


def frame_indices(n: int, max_frames: int = MAX_FRAMES) -> tuple[list[int], str]:
    """Which steps a GIF shows: all of them, or max_frames evenly spaced ones (first and last included).

    >>> frame_indices(5)[0], frame_indices(200, 5)
    ([0, 1, 2, 3, 4], ([0, 50, 100, 149, 199], 'The GIF shows 5 of the 200 steps, evenly spaced (the cap is 5 frames).'))
    """
    if n <= max_frames:
        return list(range(n)), ""
    idx = sorted(set(np.linspace(0, n - 1, max_frames).round().astype(int).tolist()))
    return idx, f"The GIF shows {len(idx)} of the {n} steps, evenly spaced (the cap is {max_frames} frames)."


def _gif(frames, ms: int) -> bytes:
    buf = io.BytesIO()
    frames = [f.convert("RGB").quantize(colors=255, method=2, dither=0) for f in frames]
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=ms, loop=0, optimize=False,
                   disposal=1)
    return buf.getvalue()


def steps_gif(trace, max_frames: int = MAX_FRAMES, ms_per_frame: int = 700, max_width: int = MAX_WIDTH) -> tuple[bytes, str]:
    """An animated GIF of a conv*_steps or pool*_steps trace, and a message when the frames were capped."""
    if len(trace) == 0:
        raise ConvlabError("nothing to animate: the trace has no steps")
    idx, note = frame_indices(len(trace), max_frames)
    cell = _cell_size(trace, max_width)
    frames = [render_frame(trace, i, cell) for i in idx]
    if frames[0].width > max_width:
        note = (note + " " if note else "") + f"The grids are wide, so the GIF is {frames[0].width} px wide."
    return _gif(frames, ms_per_frame), note


def occlusion_gif(image: Any, positions: Sequence[tuple[int, int]], window: tuple[int, int], scores: Sequence[float],
                  label: str, max_frames: int = MAX_FRAMES, size: int = 320) -> tuple[bytes, str]:
    """The occluder sliding over an image (C, H, W) in [0, 1], with the class probability at each position."""
    from PIL import Image, ImageDraw

    a = np.asarray(image, dtype=float)
    if a.ndim != 3 or a.shape[0] not in (1, 3):
        raise ConvlabError(f"expected an image (C, H, W) with 1 or 3 channels, got {a.shape}")
    rgb = np.repeat(a, 3, axis=0) if a.shape[0] == 1 else a
    h, w = rgb.shape[1:]
    scale = max(1, size // max(h, w))
    base = Image.fromarray((np.clip(np.transpose(rgb, (1, 2, 0)), 0, 1) * 255).astype(np.uint8)).resize(
        (w * scale, h * scale), Image.Resampling.NEAREST)
    idx, note = frame_indices(len(positions), max_frames)
    font = _font(GIF_TITLE_FONT)
    frames = []
    for i in idx:
        r, c = positions[i]
        frame = Image.new("RGB", (base.width, base.height + TITLE_H), PAPER)
        frame.paste(base, (0, TITLE_H))
        draw = ImageDraw.Draw(frame)
        draw.rectangle((c * scale, TITLE_H + r * scale, (c + window[1]) * scale - 1, TITLE_H + (r + window[0]) * scale - 1),
                       fill=OCCLUDER, outline=WINDOW, width=2)
        draw.text((6, 8), f"p({label}) = {float(scores[i]):.2f} with the occluder at ({r}, {c})", fill=INK, font=font)
        frames.append(frame)
    return _gif(frames, 400), note


# ---------------------------------------------------------------- PyTorch snippets

def _tensor(a: Any) -> str:
    return f"torch.tensor({np.asarray(a, dtype=float).tolist()!r}, dtype=torch.float64)"


def conv_snippet(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 flip: bool = False, dims: int = 2, groups: int = 1) -> str:
    """Python that computes the same convolution with torch.nn.functional and prints it. padding is what
    convlab's resolve_padding gives: per axis (before, after), so TensorFlow's uneven "same" becomes F.pad.
    With groups, w is (O, C/groups, ...) and the call passes groups."""
    if dims not in (1, 2):
        raise ConvlabError("dims must be 1 or 2")
    xa, wa = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    lead = dims + 2 - xa.ndim
    wlead = dims + 2 - wa.ndim
    pads = padding if dims == 2 else (padding,)
    pad_list = [v for before_after in reversed(pads) for v in before_after]      # F.pad: last axis first
    fn = "conv2d" if dims == 2 else "conv1d"
    lines = ["import torch", "import torch.nn.functional as F", "",
             f"x = {_tensor(xa)}" + "[None]" * lead + "  # (batch, channels, " + ("height, width)" if dims == 2 else "length)"),
             f"w = {_tensor(wa)}" + "[None]" * wlead + f"  # (filters, channels{'/groups' if groups != 1 else ''}, "
             + ("kh, kw)" if dims == 2 else "k)")]
    if flip:
        lines.append(f"w = w.flip({', '.join(str(-i) for i in range(1, dims + 1))})  # true convolution: rotate the kernel")
    lines.append(f"b = {_tensor(np.atleast_1d(np.asarray(bias, dtype=float)))}" if bias is not None else "b = None")
    if any(pad_list):
        lines.append(f"x = F.pad(x, {pad_list})  # (left, right" + (", top, bottom)" if dims == 2 else ")"))
    st = stride if isinstance(stride, int) else tuple(stride)
    dl = dilation if isinstance(dilation, int) else tuple(dilation)
    grouped = f", groups={int(groups)}" if groups != 1 else ""
    lines += [f"y = F.{fn}(x, w, b, stride={st!r}, dilation={dl!r}{grouped})", "print(y[0])"]
    return "\n".join(lines) + "\n"


def pool_snippet(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, mode: str = "max", dims: int = 2) -> str:
    """Python that computes the same pooling with torch.nn.functional and prints it."""
    if mode not in ("max", "avg"):
        raise ConvlabError(f"mode {mode!r}: use 'max' or 'avg'")
    xa = np.asarray(x, dtype=float)
    lead = dims + 2 - xa.ndim
    fn = f"{mode}_pool{dims}d"
    extra = ", count_include_pad=True" if mode == "avg" else ""
    return "\n".join(["import torch", "import torch.nn.functional as F", "",
                      f"x = {_tensor(xa)}" + "[None]" * lead,
                      f"y = F.{fn}(x, {kernel_size!r}, stride={stride!r}, padding={padding!r}{extra})",
                      "print(y[0])"]) + "\n"


def model_snippet(spec: dict, input_shape: tuple[int, ...], n_classes: int) -> str:
    """Plain PyTorch for a convlab model spec: the same layers, shapes and parameter count as build_model (both
    read the layer registry, convlab.networks.layers; 1D layers for a (C, L) sequence input)."""
    from convlab.networks.layers import LAYERS, layer_code
    from convlab.networks.models import CLASSIFIER, layer_table

    rows = layer_table(spec, input_shape, n_classes)
    lines, shape, helpers = [], tuple(input_shape), []
    for layer, row in zip(spec["layers"], rows):
        lines += layer_code(layer, shape)
        helper = LAYERS[layer["type"]].helpers
        if helper and helper not in helpers:
            helpers.append(helper)
        shape = row.output_shape
    lines += CLASSIFIER.code({"units": n_classes}, shape)
    head = ["import torch", "import torch.nn as nn", ""]
    for helper in helpers:
        head += ["", *helper.rstrip("\n").split("\n"), "", ""]
    what = "sequence" if len(input_shape) == 2 else "image"
    body = ["model = nn.Sequential("] + [f"    {ln}" for ln in lines] + [")", "",
            f"x = torch.zeros(1, {', '.join(map(str, input_shape))})  # one {'×'.join(map(str, input_shape))} {what}",
            "print(model(x).shape, sum(p.numel() for p in model.parameters()), 'parameters')"]
    return "\n".join(head + body) + "\n"


def _exact(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)     # round-trips exactly


def grid_csv(a: Any, name: str = "value") -> str:
    """A grid as CSV: (H, W) as rows; (C, H, W) as one block per channel with a "channel" column.

    >>> print(grid_csv([[1, 2], [3, 4.5]]), end="")
    row,col 0,col 1
    0,1,2
    1,3,4.5
    """
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim == 2:
        head = "row," + ",".join(f"col {j}" for j in range(arr.shape[1]))
        return "\n".join([head] + [f"{i}," + ",".join(_exact(v) for v in row) for i, row in enumerate(arr)]) + "\n"
    if arr.ndim == 3:
        head = "channel,row," + ",".join(f"col {j}" for j in range(arr.shape[2]))
        rows = [f"{c},{i}," + ",".join(_exact(v) for v in row) for c, grid in enumerate(arr) for i, row in enumerate(grid)]
        return "\n".join([head] + rows) + "\n"
    raise ConvlabError(f"{name} has {arr.ndim} axes; CSV export takes 1, 2 or 3")
