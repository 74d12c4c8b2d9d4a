"""Convolution arithmetic: output sizes, padding modes, layer statistics and receptive fields.

Everything here is exact integer arithmetic that follows torch's floor rule; "same"
padding follows TensorFlow for any stride, which is what the lecture notes teach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

from convlab._core.validate import int_pair, int_triple, nonneg_int, positive_int
from convlab.errors import ConvlabError

__all__ = [
    "PADDING_MODES", "output_size", "resolve_padding", "same_padding_options", "resolve_padding2d", "resolve_padding3d",
    "explain_output_size", "SizeExplanation", "LayerStats", "conv_layer_stats", "pool_layer_stats", "stack_stats",
    "receptive_field", "RFStep",
]

PADDING_MODES = ("valid", "same", "full", "causal")


def _fmt(x: float) -> str:
    """2 -> '2', 2.3333 -> '2.33' (how the notes write it)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _mode(padding: Any) -> str | None:
    if isinstance(padding, str):
        mode = padding.strip().lower()
        if mode not in PADDING_MODES:
            raise ConvlabError(
                f"padding {padding!r} is not a padding mode: use 'valid', 'same', 'full', 'causal' (1D), "
                "a number, or a (before, after) pair")
        return mode
    return None


def resolve_padding(n: int, kernel_size: int, stride: int = 1, padding: Any = 0, dilation: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) an axis of length n.

    `padding` is an int (both sides), a (before, after) pair, "valid", "same", "full" or "causal".
    "same" follows TensorFlow for any stride: out = ceil(n / stride) and the odd unit
    of padding goes after; "full" pads (k - 1) * dilation on each side; "causal" pads
    (k - 1) * dilation before and nothing after, so output t reads only inputs t - (k - 1)·d … t.

    >>> resolve_padding(13, 6, stride=5, padding="same")   # seed 001's quiz
    (1, 2)
    >>> resolve_padding(6, 3, padding="full")
    (2, 2)
    >>> resolve_padding(10, 2, padding="causal", dilation=4)
    (4, 0)
    """
    n, k = positive_int(n, "input size"), positive_int(kernel_size, "kernel_size")
    s, d = positive_int(stride, "stride"), positive_int(dilation, "dilation")
    mode = _mode(padding)
    if mode == "valid":
        return 0, 0
    if mode == "full":
        return (k - 1) * d, (k - 1) * d
    if mode == "causal":
        if s != 1:
            raise ConvlabError(
                f"padding 'causal' needs stride 1, not {s}: causal padding keeps one output per time step (output t "
                "reads inputs up to t), and a stride would skip time steps so outputs no longer line up with inputs. "
                "Use stride 1 and downsample afterwards (e.g. pooling), or pad explicitly with ((k − 1)·d, 0)")
        return (k - 1) * d, 0
    if mode == "same":
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        return total // 2, total - total // 2
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ConvlabError(f"padding {tuple(padding)!r} must be one number or a (before, after) pair")
        return nonneg_int(padding[0], "padding before"), nonneg_int(padding[1], "padding after")
    p = nonneg_int(padding, "padding")
    return p, p


def check_kernel_fits(kernel: Sequence[int], dilation: Sequence[int], padded: Sequence[int]) -> None:
    """Raise 'kernel 5×5 is larger than the padded input 3×3' when a window does not fit."""
    span = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    if all(e <= p for e, p in zip(span, padded)):
        return
    x = "×".join
    ks, ps = x(map(str, kernel)), x(map(str, padded))
    what = f"kernel {ks}" if span == list(kernel) else \
        f"kernel {ks} dilated by {x(map(str, dilation))} spans {x(map(str, span))}, which"
    raise ConvlabError(f"{what} is larger than the padded input {ps}: use a smaller kernel"
                       f"{'' if span == list(kernel) else ' or dilation'} or more padding")


def output_size(n: int, kernel_size: int, stride: int = 1, padding: Any = 0, dilation: int = 1) -> int:
    """Output length along one axis, with torch's floor rule.

    >>> output_size(32, 5)                  # seed 002: 32 -> 28
    28
    >>> output_size(7, 3, stride=3)         # (7 - 3)/3 + 1 = 2.33, floored
    2
    >>> output_size(13, 6, stride=5, padding="same")
    3
    """
    n = positive_int(n, "input size")            # a float 7.0 is a whole number: it counts as 7 from here on
    before, after = resolve_padding(n, kernel_size, stride, padding, dilation)
    k, s, d = int(kernel_size), int(stride), int(dilation)
    check_kernel_fits([k], [d], [n + before + after])
    return (n + before + after - (k - 1) * d - 1) // s + 1


def resolve_padding2d(hw: Sequence[int], kernel_size: Any, stride: Any = 1, padding: Any = 0,
                      dilation: Any = 1) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) for an input of spatial size hw = (H, W).

    `padding` is a mode or an int for both axes, or a per-axis pair like torch's
    (ph, pw), where each entry may itself be a mode or a (before, after) pair.

    >>> resolve_padding2d((5, 5), 2, padding="same")
    ((0, 1), (0, 1))
    >>> resolve_padding2d((5, 5), 3, padding=(1, (0, 2)))
    ((1, 1), (0, 2))
    """
    kh, kw = int_pair(kernel_size, "kernel_size")
    sh, sw = int_pair(stride, "stride")
    dh, dw = int_pair(dilation, "dilation")
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ConvlabError(f"padding {tuple(padding)!r} must be one value or a (rows, cols) pair")
        ph, pw = padding
    else:
        ph = pw = padding
    _refuse_causal((ph, pw), 2)
    return (resolve_padding(hw[0], kh, sh, ph, dh), resolve_padding(hw[1], kw, sw, pw, dw))


def resolve_padding3d(dhw: Sequence[int], kernel_size: Any, stride: Any = 1, padding: Any = 0,
                      dilation: Any = 1) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """((front, back), (top, bottom), (left, right)) for a volume of size dhw = (D, H, W).

    `padding` is a mode or an int for every axis, or a (depth, rows, cols) triple whose entries
    may be modes, ints or (before, after) pairs.

    >>> resolve_padding3d((4, 5, 5), 3, padding="same")
    ((1, 1), (1, 1), (1, 1))
    >>> resolve_padding3d((4, 5, 5), (2, 3, 3), padding=(0, 1, (0, 2)))
    ((0, 0), (1, 1), (0, 2))
    """
    kernel, strides = int_triple(kernel_size, "kernel_size"), int_triple(stride, "stride")
    dilations = int_triple(dilation, "dilation")
    if isinstance(padding, (tuple, list)):
        if len(padding) != 3:
            raise ConvlabError(f"padding {tuple(padding)!r} must be one value or a (depth, rows, cols) triple")
        per_axis = tuple(padding)
    else:
        per_axis = (padding,) * 3
    _refuse_causal(per_axis, 3)
    return tuple(resolve_padding(n, k, s, p, d) for n, k, s, p, d in zip(dhw, kernel, strides, per_axis, dilations))


def _refuse_causal(per_axis: Sequence[Any], dims: int) -> None:
    """'causal' is a 1D idea (one time axis); in 2D or 3D say how to get the same padding explicitly."""
    if any(isinstance(p, str) and p.strip().lower() == "causal" for p in per_axis):
        raise ConvlabError(f"padding 'causal' is for sequences (conv1d, one time axis), not {dims}D inputs: "
                           "pad the time axis explicitly with ((k − 1)·d, 0) and the other axes as usual")


def same_padding_options(n: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> dict[str, tuple[int, int]]:
    """TensorFlow's asymmetric "same" next to the two symmetric choices a library could make.

    >>> same_padding_options(6, 4)
    {'TensorFlow "same"': (1, 2), 'symmetric, rounded down': (1, 1), 'symmetric, rounded up': (2, 2)}
    """
    before, after = resolve_padding(n, kernel_size, stride, "same", dilation)
    total = before + after
    return {'TensorFlow "same"': (before, after), "symmetric, rounded down": (total // 2, total // 2),
            "symmetric, rounded up": (total - total // 2, total - total // 2)}


@dataclass(frozen=True)
class SizeExplanation:
    """Why an axis of length n gives the output it does (see explain_output_size)."""

    n: int
    kernel_size: int
    stride: int
    dilation: int
    padding: tuple[int, int]
    effective_kernel: int
    exact: float            # (n + P - F) / S + 1 before flooring, e.g. 2.33
    output: int             # what torch computes
    tiles: bool             # True when the last window ends exactly at the padded end
    uncovered: tuple[int, ...]   # input positions (0-based) no window ever reads
    coverage: tuple[int, ...]    # how many windows read each padded position
    formula: str            # the formula with the numbers substituted
    derivation: tuple[str, ...]  # how the padding and effective kernel were obtained

    @property
    def exact_text(self) -> str:
        """The unfloored size as the notes write it: '2.33', '3'."""
        return _fmt(self.exact)

    @property
    def dropped(self) -> int:
        """How many input positions are never covered."""
        return len(self.uncovered)

    def text(self) -> str:
        """Everything as readable lines, for a caption or a notebook."""
        lines = [*self.derivation, self.formula]
        if self.tiles and not self.uncovered:
            lines.append("The stride tiles the input exactly.")
        elif self.tiles:
            lines.append("The last window ends exactly at the (padded) end, but the dilated kernel skips some inputs.")
        else:
            lines.append(f"Not an integer: the stride does not tile the input; torch keeps the floor, {self.output}.")
        if self.uncovered:
            pos = ", ".join(map(str, self.uncovered))
            lines.append(f"{self.dropped} input position(s) are never covered: {pos} (0-based).")
        return "\n".join(lines)


EXPLAIN_LIMIT = 1_000_000        # positions explain_output_size lists one by one


def _coverage(padded: int, out: int, k: int, s: int, d: int) -> tuple[int, ...]:
    counts = [0] * padded
    for o in range(out):
        for j in range(k):
            counts[o * s + j * d] += 1
    return tuple(counts)


def explain_output_size(n: int, kernel_size: int, stride: int = 1, padding: Any = 0,
                        dilation: int = 1) -> SizeExplanation:
    """Explain an output size: the substituted formula, whether the stride tiles, what is never covered.

    >>> e = explain_output_size(7, 3, stride=3)                  # seed 002
    >>> e.formula
    '(N + P − F) / S + 1 = (7 + 0 − 3) / 3 + 1 = 2.33'
    >>> e.tiles, e.output, e.uncovered
    (False, 2, (6,))
    >>> explain_output_size(13, 6, stride=5, padding="valid").dropped   # seed 001's quiz
    2
    """
    n = positive_int(n, "input size")            # 1.0 → 1: the coverage list has n + P entries
    before, after = resolve_padding(n, kernel_size, stride, padding, dilation)
    out = output_size(n, kernel_size, stride, (before, after), dilation)
    if n + before + after > EXPLAIN_LIMIT or out * int(kernel_size) > EXPLAIN_LIMIT:
        raise ConvlabError(f"n = {n} is too long to explain position by position (at most {EXPLAIN_LIMIT:,} "
                           "positions); use output_size() for the size alone")
    k, s, d = int(kernel_size), int(stride), int(dilation)
    keff, total = (k - 1) * d + 1, before + after
    exact = (n + total - keff) / s + 1
    derivation = list(_padding_derivation(n, k, s, d, padding, before, after))
    if d > 1:
        derivation.append(f"F = (k − 1)·d + 1 = ({k} − 1)·{d} + 1 = {keff} (the dilated kernel's span)")
    formula = f"(N + P − F) / S + 1 = ({n} + {total} − {keff}) / {s} + 1 = {_fmt(exact)}"  # == exact_text
    coverage = _coverage(n + total, out, k, s, d)
    return SizeExplanation(
        n=n, kernel_size=k, stride=s, dilation=d, padding=(before, after), effective_kernel=keff,
        exact=exact, output=out, tiles=(n + total - keff) % s == 0,
        uncovered=tuple(i for i in range(n) if coverage[before + i] == 0), coverage=coverage,
        formula=formula, derivation=tuple(derivation))


def _padding_derivation(n, k, s, d, padding, before, after):
    mode = _mode(padding)
    kterm = f"{k}" if d == 1 else f"({k} − 1)·{d} + 1"
    if mode == "same":
        out = -(-n // s)
        yield f"\"same\": o = ⌈n / s⌉ = ⌈{n} / {s}⌉ = ⌈{_fmt(round(n / s, 2))}⌉ = {out}"
        yield (f"P = max(s·(o − 1) + F − n, 0) = max({s}·({out} − 1) + {kterm} − {n}, 0) = {before + after}")
        yield f"before = ⌊P / 2⌋ = {before}, after = P − before = {after}"
    elif mode == "full":
        yield f"\"full\": (k − 1)·d = ({k} − 1)·{d} = {before} zeros on each side, P = {before + after}"
    elif mode == "causal":
        yield (f"\"causal\": (k − 1)·d = ({k} − 1)·{d} = {before} zeros before, none after: "
               f"output t reads inputs t − {before} … t, never the future")
    elif mode == "valid":
        yield "\"valid\": no padding, P = 0"
    elif before or after:
        yield f"P = {before} + {after} = {before + after} (before + after)"


@dataclass(frozen=True)
class LayerStats:
    """Shape, parameters and cost of one conv or pool layer (no batch axis)."""

    kind: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    weights: int
    biases: int
    mult_adds: int
    params_formula: str
    mult_adds_formula: str = ""

    @property
    def params(self) -> int:
        return self.weights + self.biases


def _spatial(input_shape: Sequence[int]) -> tuple[int, tuple[int, ...]]:
    shape = tuple(positive_int(v, "input_shape entry") for v in input_shape)
    if len(shape) not in (2, 3, 4):
        raise ConvlabError(f"input_shape {shape} must be (C, L), (C, H, W) or (C, D, H, W), channels first")
    return shape[0], shape[1:]


def _pairs(value: Any, dims: int, name: str, check=positive_int) -> tuple[int, ...]:
    """One int per spatial axis (1D, 2D or 3D) from an int or a tuple."""
    if dims == 1:
        v = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
        return (check(v, name),)
    return int_pair(value, name, check) if dims == 2 else int_triple(value, name, check)


def _out_shape(spatial, kernel, stride, padding, dilation) -> tuple[int, ...]:
    if len(spatial) == 1:
        return (output_size(spatial[0], kernel[0], stride[0], padding, dilation[0]),)
    resolve = resolve_padding2d if len(spatial) == 2 else resolve_padding3d
    pads = resolve(spatial, kernel, stride, padding, dilation)
    check_kernel_fits(kernel, dilation, [n + sum(p) for n, p in zip(spatial, pads)])
    return tuple(output_size(n, k, s, p, d) for n, k, s, p, d in zip(spatial, kernel, stride, pads, dilation))


def conv_layer_stats(input_shape: Sequence[int], out_channels: int, kernel_size: Any, stride: Any = 1,
                     padding: Any = 0, dilation: Any = 1, bias: bool = True, groups: int = 1) -> LayerStats:
    """Output shape, parameter count F·F·D1·K + K and multiply–adds of a conv layer (1D, 2D or 3D).

    With groups g each filter reads only C/g channels: weights k·k·(C/g)·O. input_shape is
    (C, L), (C, H, W) or (C, D, H, W); kernel_size, stride and dilation an int or one per axis.

    >>> s = conv_layer_stats((3, 32, 32), 6, 5)     # seed 002
    >>> s.output_shape, s.params, s.params_formula
    ((6, 28, 28), 456, '5·5·3·6 + 6 = 456')
    >>> s.mult_adds_formula
    '6·28·28 outputs × 5·5·3 = 352,800'
    >>> conv_layer_stats((8, 16, 16), 8, 3, padding=1, groups=8).params_formula     # depthwise
    '3·3·1·8 + 8 = 80'
    >>> conv_layer_stats((1, 4, 32, 32), 6, 3).output_shape                          # a 3D volume
    (6, 2, 30, 30)
    """
    c, spatial = _spatial(input_shape)
    k_out = positive_int(out_channels, "out_channels")
    g = positive_int(groups, "groups")
    if c % g or k_out % g:
        raise ConvlabError(f"groups {g} must divide both the {c} input channels and the {k_out} filters: "
                           "use a common divisor (1 is ordinary convolution, C = O = groups is depthwise)")
    kernel = _pairs(kernel_size, len(spatial), "kernel_size")
    st, dl = _pairs(stride, len(spatial), "stride"), _pairs(dilation, len(spatial), "dilation")
    out = _out_shape(spatial, kernel, st, padding, dl)
    per_output = math.prod(kernel) * (c // g)         # multiply–adds for one output value
    weights = per_output * k_out
    biases = k_out if bias else 0
    factors = "·".join(map(str, (*kernel, c // g, k_out)))
    formula = f"{factors} + {biases} = {weights + biases}" if bias else f"{factors} = {weights}"
    mult_adds = k_out * math.prod(out) * per_output
    ma_formula = f"{'·'.join(map(str, (k_out, *out)))} outputs × {'·'.join(map(str, (*kernel, c // g)))} = {mult_adds:,}"
    return LayerStats("conv", (c, *spatial), (k_out, *out), weights, biases, mult_adds=mult_adds,
                      params_formula=formula, mult_adds_formula=ma_formula)


def pool_layer_stats(input_shape: Sequence[int], kernel_size: Any, stride: Any = None, padding: Any = 0) -> LayerStats:
    """Output shape of a pooling layer: it works per channel and has no parameters.

    >>> pool_layer_stats((6, 28, 28), 2).output_shape
    (6, 14, 14)
    """
    c, spatial = _spatial(input_shape)
    kernel = _pairs(kernel_size, len(spatial), "kernel_size")
    st = kernel if stride is None else _pairs(stride, len(spatial), "stride")
    pad = _pairs(padding, len(spatial), "padding", nonneg_int)
    out = _out_shape(spatial, kernel, st, pad[0] if len(spatial) == 1 else pad, (1,) * len(spatial))
    return LayerStats("pool", (c, *spatial), (c, *out), 0, 0, 0, "no parameters")


def stack_stats(input_shape: Sequence[int], layers: Sequence[dict]) -> list[LayerStats]:
    """LayerStats of each layer of a stack; layers are dicts of conv_layer_stats / pool_layer_stats
    arguments with "kind": "conv" or "pool". A stack that shrinks to nothing names the layer.

    >>> [s.output_shape[1] for s in stack_stats((3, 32, 32), [{"kind": "conv", "out_channels": 6, "kernel_size": 5}] * 3)]
    [28, 24, 20]
    """
    stats, shape = [], tuple(input_shape)
    for i, layer in enumerate(layers, start=1):
        args = {k: v for k, v in layer.items() if k != "kind"}
        try:
            st = (pool_layer_stats if layer.get("kind") == "pool" else conv_layer_stats)(shape, **args)
        except ConvlabError as err:
            raise ConvlabError(f"layer {i} gets an input of {'×'.join(map(str, shape[1:]))}: {err}; "
                               "the stack shrinks to nothing there") from None
        stats.append(st)
        shape = st.output_shape
    return stats


@dataclass(frozen=True)
class RFStep:
    """Receptive field after one layer of a stack, in input pixels."""

    layer: int
    kernel_size: int
    stride: int
    dilation: int
    size: int     # input positions one output of this layer sees
    jump: int     # distance in the input between neighbouring outputs of this layer
    formula: str


def _rf_layer(item: Any, i: int) -> tuple[int, int, int]:
    if isinstance(item, dict):
        unknown = set(item) - {"kernel_size", "stride", "dilation", "padding"}
        if unknown or "kernel_size" not in item:
            raise ConvlabError(f"layer {i} {item!r} needs 'kernel_size' and may have 'stride' and 'dilation'")
        item = (item["kernel_size"], item.get("stride", 1), item.get("dilation", 1))
    if not isinstance(item, (tuple, list)):
        item = (item,)
    if not 1 <= len(item) <= 3:
        raise ConvlabError(f"layer {i} {item!r} must be kernel_size, (kernel_size, stride) or (kernel_size, stride, dilation)")
    k, s, d = (*item, 1, 1)[:3]
    return (positive_int(k, f"layer {i} kernel_size"), positive_int(s, f"layer {i} stride"),
            positive_int(d, f"layer {i} dilation"))


def receptive_field(layers: Sequence[Any]) -> list[RFStep]:
    """Receptive field of each layer of a stack (per axis): r += (k − 1)·d·jump, jump *= s.

    Each layer is a kernel size, a (kernel_size, stride[, dilation]) tuple or a dict.

    >>> [step.size for step in receptive_field([3, 3, 3])]
    [3, 5, 7]
    >>> receptive_field([(2, 2), (3, 1)])[-1].size
    6
    """
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ConvlabError("layers must be a non-empty list of layers, e.g. [3, (2, 2), 3]")
    size, jump, steps = 1, 1, []
    for i, item in enumerate(layers, start=1):
        k, s, d = _rf_layer(item, i)
        new = size + (k - 1) * d * jump
        dterm = "" if d == 1 else f"·{d}"
        formula = f"r{i} = r{i - 1} + (k − 1){dterm}·j{i - 1} = {size} + ({k} − 1){dterm}·{jump} = {new}"
        size, jump = new, jump * s
        steps.append(RFStep(i, k, s, d, size, jump, formula))
    return steps
