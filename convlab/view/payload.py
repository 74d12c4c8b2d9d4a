"""What the lesson view receives: one compact JSON document per parameter set (pure Python, no streamlit).

The browser gets the whole trace once and replays every step itself (convlab/view/view.js). Arrays travel
flat, as {"s": shape, "v": values}; whole numbers are written as ints, -inf (max-pool padding) as null.
Kinds, each replayed the same way the library computes it:

- "conv": convlab's conv trace (StepTrace.to_dict): padded input, kernels as slid, outputs and the
  per-channel partial sums of every step. The browser multiplies each tap itself (the same IEEE product).
  With groups, filter o reads only the C/groups channels of its group; the others are shown as not read.
- "conv3d": a conv3d trace: the same with a depth axis; the view shows the slices the kernel's depth slices
  lie on, every slice of the volume small, and the partial sum of each kernel depth slice.
- "unit": one unit of a real network (convlab.networks.units): the window of each input map, the filter channel by
  channel, the per-channel sums, then the bias and the activation as the last steps (or a pool window).
- "pool": a pool trace: the padded input (padding -inf for max), outputs, mode and the argmax of each window.
- "windows": only where the windows fall (the padding lesson): how many windows read each cell.
- "stamp": a transposed convolution: every input value stamps its scaled kernel into the output.
- "links": entries of a result that are each a sum of products of other grids (the backward pass).

"conv" and "links" may carry linked matrix panels (`links`), lit per step (the matrix page).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence

import numpy as np

import convlab
from convlab.convolution.arithmetic import SizeExplanation
from convlab.networks.units import ConvUnit, PoolUnit

__all__ = ["arr", "encode", "conv_view", "conv3d_view", "unit_view", "colour_limit", "pool_view", "windows_view",
           "stamp_view", "links_view", "panel", "matrix_links", "grad_w_view", "grad_x_view", "dropped_axes",
           "matrix_view", "backward_view",
           "NOTATION_1D", "NOTATION_2D"]

NOTATION_1D = {"x": "x", "w": "w", "y": "y", "b": "b"}       # seed 001: y_t = Σ_i w_i · x_(t+i)
NOTATION_2D = {"x": "X", "w": "W", "y": "Y", "b": "b"}       # seed 001: Y_(l,i,j) = Σ X · W + b_l


def _flat(a: np.ndarray) -> list:
    out = []
    for v in np.asarray(a, dtype=float).ravel().tolist():
        if not math.isfinite(v):
            out.append(None)
        elif v.is_integer() and abs(v) < 1e15:
            out.append(int(v))
        else:
            out.append(v)
    return out


def arr(a) -> dict:
    """An array as {"s": shape, "v": flat values}.

    >>> arr([[1.0, 2.5], [-np.inf, 3.0]])
    {'s': [2, 2], 'v': [1, 2.5, None, 3]}
    """
    a = np.asarray(a, dtype=float)
    return {"s": list(a.shape), "v": _flat(a)}


def encode(view: dict) -> bytes:
    """Compact JSON bytes with an "id" that names the content (the browser rebuilds only when it changes).

    >>> encode({"kind": "conv"})[:7]
    b'{"id":"'
    """
    body = json.dumps(view, separators=(",", ":"), allow_nan=False).encode()
    ident = hashlib.sha1(body).hexdigest()[:16]
    return b'{"id":"' + ident.encode() + b'",' + body[1:]


def dropped_axes(rows: SizeExplanation | None, cols: SizeExplanation, pads) -> dict:
    """Input rows and columns no window reads, in padded coordinates: a cell is dropped when its row or
    its column is (coverage is the product of the two axes')."""
    (t, _), (l, _) = pads
    return {"rows": [r + t for r in (rows.uncovered if rows is not None else ())],
            "cols": [c + l for c in cols.uncovered]}


def _lift(dims: int, a) -> np.ndarray:
    """Any conv-like array -> (G, H, W); 1D rows get height 1."""
    a = np.asarray(a, dtype=float)
    return a.reshape(-1, 1, a.shape[-1]) if dims == 1 else a.reshape(-1, *a.shape[-2:])


def _index_axes(trace_output: np.ndarray, dims: int) -> str:
    """How to print an output index: "gq", "q", "grq" or "rq" (g: filter or channel, when the output has it)."""
    spatial = "q" if dims == 1 else "rq"
    return ("g" if np.ndim(trace_output) == dims + 1 else "") + spatial


def conv_view(trace: convlab.StepTrace, *, names: dict | None = None, dropped: dict | None = None,
              bias: bool = True, titles: dict | None = None, links: dict | None = None) -> dict:
    """A conv trace (conv1d_steps / conv2d_steps) as the view's "conv" document.

    bias=False leaves the bias out of the written sums (the page has none). `links` adds matrix panels.

    >>> v = conv_view(convlab.conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2]))
    >>> v["kind"], v["x"], v["y"]["v"], v["ix"]
    ('conv', {'s': [1, 1, 6], 'v': [1, 0, 2, 2, 3, 1]}, [7, 8, 16, 14], 'q')
    """
    d = trace.to_dict()
    (t, b), (l, r) = d["padding"]
    x, w = np.asarray(d["padded"]), np.asarray(d["kernels"])                  # (C, Hp, Wp), (O, C/groups, KH, KW)
    view = {"kind": "conv", "dims": trace.dims, "names": names or (NOTATION_1D if trace.dims == 1 else NOTATION_2D),
            "x": arr(x), "pad": [t, b, l, r], "k": d["kernel_size"], "s": d["stride"], "d": d["dilation"],
            "w": arr(w), "groups": x.shape[0] // w.shape[1], "bias": _flat(d["bias"]) if bias else None,
            "y": arr(d["output"]), "sums": arr(d["sums"]), "ix": _index_axes(trace.output, trace.dims),
            "dropped": dropped or {"rows": [], "cols": []}}
    if titles:
        view["titles"] = titles
    if links:
        view["links"] = links
    return view


def conv3d_view(trace: convlab.StepTrace, sizes: Sequence[SizeExplanation] = (), *, names: dict | None = None,
                bias: bool = True) -> dict:
    """A conv3d trace (conv3d_steps) as the view's "conv3d" document: the padded volume (C, Dp, Hp, Wp), the kernels
    (O, C/groups, KD, KH, KW), the output (O, OD, OH, OW) and every step's partial sum per channel and kernel depth
    slice. `sizes` (explain_output_size of depth, rows and columns) marks the slices, rows and columns no window reads.

    >>> v = conv3d_view(convlab.conv3d_steps(np.arange(8.0).reshape(2, 2, 2), np.ones((2, 1, 1))))
    >>> v["kind"], v["y"]["v"], v["sums"]["s"], v["ix"]
    ('conv3d', [4, 6, 8, 10], [1, 1, 2, 2, 1, 2], 'drq')
    """
    d = trace.to_dict()
    x, w = np.asarray(d["padded"]), np.asarray(d["kernels"])                  # (C, Dp, Hp, Wp), (O, C/groups, KD, KH, KW)
    pads = [v for pair in d["padding"] for v in pair]                          # front, back, top, bottom, left, right
    dropped = {axis: [u + pads[2 * k] for u in e.uncovered] for k, (axis, e) in enumerate(zip(("depths", "rows", "cols"),
                                                                                                sizes))}
    return {"kind": "conv3d", "dims": 3, "names": names or NOTATION_2D, "x": arr(x), "pad": pads,
            "k": d["kernel_size"], "s": d["stride"], "d": d["dilation"], "w": arr(w), "groups": x.shape[0] // w.shape[1],
            "bias": _flat(d["bias"]) if bias else None, "y": arr(d["output"]), "sums": arr(d["sums"]),
            "ix": ("g" if np.ndim(trace.output) == 4 else "") + "drq",
            "dropped": {"depths": [], "rows": [], "cols": [], **dropped}}


def colour_limit(maps: np.ndarray) -> float:
    """A colour scale's end: the 99th percentile of |value| (one outlier does not wash the others out)."""
    a = np.abs(np.asarray(maps, dtype=float))
    return float(np.percentile(a, 99)) or float(a.max()) or 1.0


def unit_view(unit: ConvUnit | PoolUnit, before, before_label: str, title: str) -> dict:
    """One unit of a network (convlab.networks.units.ConvUnit or PoolUnit) as the view's "unit" document. before: the maps
    of the layer before (C, H, W), drawn small (colours only, 4 decimals) with the unit's window outlined.

    A conv unit has one step per input channel (its window × the filter's channel = products, summed), then the
    sum of the channel sums plus the bias, then the activation when the next layer is one. A pool unit has one
    step per window cell (the max or the mean so far), then its value.
    """
    before = np.asarray(before, dtype=float)
    pool = isinstance(unit, PoolUnit)
    kh, kw = unit.window.shape[-2:]
    maps = before[[unit.map]] if pool else before                               # pool: only its own map
    view = {"kind": "unit", "mode": unit.mode if pool else "conv", "names": {"x": "x", "w": "w", "y": "z", "b": "b"},
            "title": title, "before": before_label, "unit": [unit.map, unit.row, unit.col],
            "maps": arr(np.round(maps, 4)), "channels": [unit.map] if pool else list(range(len(before))),
            "lim": colour_limit(before), "box": [unit.top, unit.left, kh, kw],
            "x": arr(unit.window.reshape(-1, kh, kw)), "value": unit.value, "torch": unit.torch_value}
    if pool:
        view["n"] = kh * kw + 1
        return view
    act = unit.activation
    view.update(w=arr(unit.weight), sums=_flat(unit.sums), bias=unit.bias, act=act, n=len(unit.sums) + 1 + bool(act))
    if act:
        view.update(activated=unit.activated, torch_activated=unit.torch_activated)
    return view


def pool_view(trace: convlab.StepTrace, *, names: dict | None = None, dropped: dict | None = None) -> dict:
    """A pool trace (pool1d_steps / pool2d_steps) as the view's "pool" document; argmax in padded coordinates.

    >>> v = pool_view(convlab.pool2d_steps([[1, 3], [4, 2]], 2))
    >>> v["mode"], v["y"]["v"], v["argmax"]["v"]
    ('max', [4], [1, 0])
    """
    d = trace.to_dict()
    (t, b), (l, r) = d["padding"]
    view = {"kind": "pool", "dims": trace.dims, "names": names or (NOTATION_1D if trace.dims == 1 else NOTATION_2D),
            "x": arr(d["padded"]), "pad": [t, b, l, r], "k": d["kernel_size"], "s": d["stride"], "d": [1, 1],
            "y": arr(d["output"]), "mode": d["mode"], "ix": _index_axes(trace.output, trace.dims),
            "dropped": dropped or {"rows": [], "cols": []}}
    if "argmax" in d:
        view["argmax"] = arr(np.asarray(d["argmax"]) + [t, l])
    return view


def windows_view(rows: SizeExplanation, cols: SizeExplanation) -> dict:
    """Where the windows of one conv layer fall (explain_output_size per axis): each padded cell shows how many
    windows read it; the output cells have no values.

    >>> e = convlab.explain_output_size(7, 3, stride=3)
    >>> v = windows_view(e, e)
    >>> v["y"]["s"], v["dropped"]
    ([1, 2, 2], {'rows': [6], 'cols': [6]})
    """
    counts = np.outer(rows.coverage, cols.coverage)[None]                        # (1, Hp, Wp)
    pads = (rows.padding, cols.padding)
    return {"kind": "windows", "dims": 2, "names": {"x": "input", "w": "", "y": "output", "b": ""},
            "x": arr(counts), "pad": [*rows.padding, *cols.padding], "k": [rows.kernel_size, cols.kernel_size],
            "s": [rows.stride, cols.stride], "d": [rows.dilation, cols.dilation],
            "y": {"s": [1, rows.output, cols.output], "v": None}, "ix": "rq", "dropped": dropped_axes(rows, cols, pads)}


def stamp_view(x, w, stride: int, padding: int = 0, dilation: int = 1, *, output_padding: int = 0,
               names: dict | None = None, titles: dict | None = None) -> dict:
    """A transposed convolution as stamps: x (O, H, W) or (H, W), w (O, C, KH, KW) or (KH, KW). Step i is input
    value i; it adds x[i]·w[o] at (row·stride, col·stride) of the uncropped output. `padding` is the border
    that the result crops away. y is convlab's whole uncropped output (the browser's running sums end there).

    >>> v = stamp_view([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=1)
    >>> v["y"]["v"]
    [1, 3, 2, 4, 10, 6, 3, 7, 4]
    """
    xa, wa = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    x3, w4 = (xa if xa.ndim == 3 else xa[None]), (wa if wa.ndim == 4 else wa[None, None])
    full = convlab.conv_transpose2d(x3, w4, stride=stride, dilation=dilation,   # (C, Hf, Wf), nothing cropped
                                    output_padding=output_padding)
    p = int(padding)
    view = {"kind": "stamp", "dims": 2, "names": names or {"x": "y", "w": "K", "y": "out", "b": ""},
            "x": arr(x3), "w": arr(w4), "k": list(w4.shape[2:]), "s": [stride, stride], "d": [dilation, dilation],
            "pad": [p, p, p, p], "y": arr(full), "ix": "grq" if xa.ndim == 3 else "rq"}
    if titles:
        view["titles"] = titles
    return view


def panel(pid: str, title: str, grids, labels: Sequence[str] | None = None, pad: Sequence[int] | None = None) -> dict:
    """One linked panel: a (G, H, W) stack of grids (a matrix is (1, H, W)), optionally with a padded border."""
    a = np.asarray(grids, dtype=float)
    a = a.reshape(1, *a.shape) if a.ndim == 2 else a
    out = {"id": pid, "title": title, "a": arr(a)}
    if labels:
        out["labels"] = list(labels)
    if pad:
        out["pad"] = list(pad)
    return out


def links_view(panels: list[dict], rows: list, out: str, steps: list[dict], *, label: str,
               shape: Sequence[int], values) -> dict:
    """Entries of a result that are each a sum of products: the "links" document.

    panels: panel(...) dicts; rows: equations as panel ids and operators, e.g. ["x", "and", "dy", "→", "dw"], or a
    matrix product {"falk": [A, B, C], "caption": ...} drawn with B above C and A left of C (bt: B as a row above A);
    out: the id of the panel whose cells are the steps (in its flat order). steps[i] = {"hl": {panel id: flat
    cells to light}, "terms": [[panel a, cell a, panel b, cell b], ...]}; values[i] is what they add up to.
    label names the entry, e.g. "dL/dW", indexed by `shape` (one step per entry, in reading order).
    """
    ids = [p["id"] for p in panels]
    return {"kind": "links", "dims": 2, "panels": panels, "rows": rows, "out": out,
            "hl": [{k: list(map(int, v)) for k, v in s["hl"].items()} for s in steps],
            "terms": [[[ids.index(a), int(i), ids.index(b), int(j)] for a, i, b, j in s["terms"]] for s in steps],
            "values": _flat(values), "label": label, "shape": list(shape)}


def matrix_links(trace: convlab.StepTrace, toeplitz: np.ndarray, cols: np.ndarray, bias: np.ndarray) -> dict:
    """The matrix page's linked panels, lit for each step (output) of a conv2d trace: row i of T and the entries
    of x that the window reads (y = T·x, no bias), and row o of W with column p of X̂ (Y = W·X̂ + b).

    >>> t = convlab.conv2d_steps([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2], [3, 4]])
    >>> x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    >>> links = matrix_links(t, convlab.conv_matrix((3, 3), [[1, 2], [3, 4]]), convlab.im2col(x, 2), np.zeros(1))
    >>> links["hl"][1]["T"]                       # row 1 of the 4×9 matrix, at x's entries 1, 2, 4, 5
    {'r': [1], 'c': [10, 11, 13, 14]}
    """
    padded = _lift(2, trace.padded)                                                           # (C, Hp, Wp)
    (t, b), (l, r) = trace.padding
    x = padded[:, t: padded.shape[1] - b, l: padded.shape[2] - r]
    x_shape = x.shape
    y = _lift(2, trace.output)                                                                # (O, OH, OW)
    n_out, n_pos = y.shape[0], y.shape[1] * y.shape[2]
    ckk = cols.shape[0]
    panels = [panel("T", f"T ({toeplitz.shape[0]}×{toeplitz.shape[1]})", toeplitz),
              panel("x", "xᵀ (x as a row, over the columns of T)", x.reshape(1, -1)),
              panel("y", "y = T·x", (y - bias[:, None, None]).reshape(-1, 1)),
              panel("W", f"W ({n_out}×{ckk})", np.asarray(trace.kernels).reshape(n_out, -1)),
              panel("X", f"X̂ = im2col(x) ({ckk}×{n_pos})", cols),
              panel("b", "b", bias[:, None]),
              panel("Y", f"Y ({n_out}×{n_pos})", y.reshape(n_out, n_pos))]
    hl = []
    for i in range(len(trace)):
        o, p = divmod(i, n_pos)
        cells = [int(np.ravel_multi_index(c if len(c) == 3 else (0, *c), x_shape)) for c in trace.window_cells(i)]
        hl.append({"T": {"r": [i], "c": [i * toeplitz.shape[1] + j for j in cells]}, "x": {"c": cells},
                   "y": {"c": [i]}, "W": {"r": [o], "c": [o * ckk + k for k in range(ckk)]},
                   "X": {"k": [p], "c": [k * n_pos + p for k in range(ckk)]}, "b": {"c": [o]},
                   "Y": {"c": [o * n_pos + p]}})
    rows = [{"falk": ["T", "x", "y"], "bt": True, "caption": "y = T·x: row i of T times x gives y[i] (no bias)"},
            {"falk": ["W", "X", "Y"], "plus": "b", "caption": "Y = W·X̂ + b: row l of W times column p of X̂, plus b[l]"}]
    return {"panels": panels, "rows": rows, "hl": hl,
            "pick": {"T": "row", "y": "flat", "Y": "flat"},
            "title": "The same step as matrix products: its row of T, its column of X̂"}


def grad_w_view(x, w, grad_y, grads: convlab.ConvGradients, stride: int, padding: int) -> dict:
    """dL/dW entry by entry: dL/dW[o, c, a, b] = Σ_(i,j) dL/dY[o, i, j] · X[c, i·s + a, j·s + b] (padded X),
    which is row o of dL/dY times column (c, a, b) of X̂ᵀ. x (C, H, W), w (O, C, KH, KW), grad_y (O, OH, OW)."""
    x, grad_y = np.asarray(x, dtype=float), np.asarray(grad_y, dtype=float)
    n_out, c_in, kh, kw = np.shape(w)
    _, oh, ow = grad_y.shape
    p, n_pos, ckk = int(padding), oh * ow, c_in * kh * kw
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    hp, wp = xp.shape[1:]
    gw = np.asarray(grads.grad_w, dtype=float).reshape(n_out, c_in, kh, kw)
    panels = [panel("x", "X", xp, [f"X channel {c}" + (" (padded)" if p else "") for c in range(c_in)], [p] * 4),
              panel("dy", "dL/dY", grad_y, [f"dL/dY filter {o}" for o in range(n_out)]),
              panel("dw", "dL/dW", gw.reshape(-1, kh, kw), [f"dL/dW[{o}, {c}]" for o in range(n_out) for c in range(c_in)]),
              panel("dym", f"dL/dY ({n_out}×{n_pos})", grad_y.reshape(n_out, n_pos)),
              panel("xt", f"X̂ᵀ ({n_pos}×{ckk})", np.asarray(grads.cols).T),
              panel("dwm", f"dL/dW ({n_out}×{ckk})", gw.reshape(n_out, ckk))]
    steps = []
    for o, c, a, b in np.ndindex(n_out, c_in, kh, kw):
        k = (c * kh + a) * kw + b
        xs = [(c * hp + i * stride + a) * wp + j * stride + b for i in range(oh) for j in range(ow)]
        dys = [o * n_pos + q for q in range(n_pos)]
        steps.append({"hl": {"x": xs, "dy": dys, "dw": [(o * c_in + c) * kh * kw + a * kw + b], "dym": dys,
                             "xt": [q * ckk + k for q in range(n_pos)], "dwm": [o * ckk + k]},
                      "terms": [("dy", dy, "x", xx) for dy, xx in zip(dys, xs)]})
    rows = [["x", "and", "dy", "→", "dw"],
            {"falk": ["dym", "xt", "dwm"], "caption": "dL/dW = dL/dY · X̂ᵀ: row o of dL/dY times column (c, a, b) of X̂ᵀ"}]
    view = links_view(panels, rows, "dw", steps,
                      label="dL/dW", shape=gw.shape, values=gw)
    view["pick"] = {"dwm": "flat"}                   # (o, c·kh·kw) of the matrix is the same entry
    return view


def grad_x_view(x, w, grad_y, grads: convlab.ConvGradients, stride: int, padding: int) -> dict:
    """dL/dX entry by entry: every window that read X[c, h, w] sends back dL/dY[o, i, j] · W[o, c, a, b] — the
    entries of dL/dX̂ = Wᵀ·dL/dY that col2im adds up there."""
    w, grad_y = np.asarray(w, dtype=float), np.asarray(grad_y, dtype=float)
    n_out, c_in, kh, kw = w.shape
    _, oh, ow = grad_y.shape
    _, h, wd = np.shape(x)
    p, n_pos, ckk = int(padding), oh * ow, c_in * kh * kw
    gx = np.asarray(grads.grad_x, dtype=float).reshape(c_in, h, wd)
    panels = [panel("dy", "dL/dY", grad_y, [f"dL/dY filter {o}" for o in range(n_out)]),
              panel("w", "W", w.reshape(-1, kh, kw), [f"W[{o}, {c}]" for o in range(n_out) for c in range(c_in)]),
              panel("dx", "dL/dX", gx, [f"dL/dX channel {c}" for c in range(c_in)]),
              panel("wt", f"Wᵀ ({ckk}×{n_out})", w.reshape(n_out, ckk).T),
              panel("dym", f"dL/dY ({n_out}×{n_pos})", grad_y.reshape(n_out, n_pos)),
              panel("dxh", f"dL/dX̂ = Wᵀ·dL/dY ({ckk}×{n_pos})", np.asarray(grads.grad_cols))]
    steps = []
    for c, r, q in np.ndindex(c_in, h, wd):
        hl = {"dx": [(c * h + r) * wd + q], "w": [], "dy": [], "wt": [], "dym": [], "dxh": []}
        terms = []
        for o, a, b in np.ndindex(n_out, kh, kw):
            i, j = r + p - a, q + p - b                       # the window (i, j) whose tap (a, b) is on (r, q)
            if i % stride or j % stride or not (0 <= i // stride < oh and 0 <= j // stride < ow):
                continue
            pos, k = (i // stride) * ow + j // stride, (c * kh + a) * kw + b
            wcell, dycell = (o * c_in + c) * kh * kw + a * kw + b, o * n_pos + pos
            terms.append(("dy", dycell, "w", wcell))
            hl["w"].append(wcell)
            hl["dy"].append(dycell)
            hl["wt"].append(k * n_out + o)
            hl["dym"].append(dycell)
            hl["dxh"].append(k * n_pos + pos)
        steps.append({"hl": hl, "terms": terms})
    rows = [["dy", "and", "w", "→", "dx"],
            {"falk": ["wt", "dym", "dxh"], "caption": "dL/dX̂ = Wᵀ · dL/dY; col2im adds its lit entries into dL/dX"}]
    return links_view(panels, rows, "dx", steps,
                      label="dL/dX", shape=gx.shape, values=gx)


def matrix_view(x, w, bias=None, *, stride: int = 1, padding="valid") -> dict:
    """The matrix page's document: a conv2d trace whose every step lights its row of the Toeplitz matrix T and its
    column of im2col's X̂ (x (C, H, W) or (H, W), w (O, C, KH, KW) or (KH, KW)).

    >>> v = matrix_view([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2], [3, 4]])
    >>> v["kind"], v["y"]["v"], [p["id"] for p in v["links"]["panels"]][:3]
    ('conv', [37, 47, 67, 77], ['T', 'x', 'y'])
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    args = dict(stride=stride, padding=padding)
    trace = convlab.conv2d_steps(x, w, bias, **args)
    x3 = x if x.ndim == 3 else x[None]
    w4 = w if w.ndim == 4 else w[None, None]
    toeplitz = convlab.conv_matrix(x3.shape, w4, sparse=False, **args)
    cols = convlab.im2col(x3, w4.shape[2:], **args)
    axes = [convlab.explain_output_size(n, k, stride, p) for n, k, p in zip(x3.shape[1:], w4.shape[2:], trace.padding)]
    tb = np.asarray(trace.bias, dtype=float)
    return conv_view(trace, bias=bool(np.any(tb)), dropped=dropped_axes(*axes, trace.padding),
                     links=matrix_links(trace, toeplitz, cols, tb))


def backward_view(x, w, grad_y, *, stride: int = 1, padding: int = 0, entry: str = "w") -> dict:
    """The backward page's documents for a conv2d layer (x (C, H, W), w (O, C, KH, KW), grad_y = dL/dY (O, OH, OW)):
    entry "w" explains dL/dW entry by entry, "x" dL/dX, and "stamps" dL/dX as a transposed convolution of dL/dY.

    >>> x, w = np.arange(9.0).reshape(1, 3, 3), np.ones((1, 1, 2, 2))
    >>> v = backward_view(x, w, np.ones((1, 2, 2)))
    >>> v["kind"], v["label"], v["values"]
    ('links', 'dL/dW', [8, 12, 20, 24])
    """
    from convlab.convolution.backward import grad_x_by_transposed_conv

    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    if entry not in ("w", "x", "stamps"):
        raise convlab.ConvlabError(f'entry must be "w", "x" or "stamps"; got {entry!r}')
    if entry == "stamps":
        _, op = grad_x_by_transposed_conv(x, w, grad_y, stride=stride, padding=padding)
        return stamp_view(grad_y, w, stride, padding, output_padding=op,
                          names={"x": "dL/dY", "w": "W", "y": "dL/dX", "b": ""})
    grads = convlab.conv2d_backward(x, w, grad_y, stride=stride, padding=padding)
    build = grad_w_view if entry == "w" else grad_x_view
    return build(x, w, grad_y, grads, stride, padding)
