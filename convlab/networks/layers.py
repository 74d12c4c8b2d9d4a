"""One registry of layer types and activations: everything convlab knows about a layer type lives in one
row of LAYERS (its fields, shape rule and parameter count, torch modules, PyTorch source, description),
and everything about an activation in one row of ACTIVATION_TYPES (formula, numpy function and slope,
torch module and source, with its parameters written once: Leaky ReLU is max(0.1x, x), seed 003).

The model builder and layer table (convlab.networks.models), the PyTorch export (convlab.classroom.export.model_snippet),
the network view (convlab.networks.maps) and the activations (convlab.images.kernels.activate / activation_slope)
all read these tables, so they cannot drift apart.

>>> LAYERS["conv"].label, [f.name for f in LAYERS["conv"].fields]
('Convolution', ['filters', 'kernel', 'stride', 'padding'])
>>> ACTIVATION_TYPES["leaky_relu"].formula, ACTIVATION_TYPES["leaky_relu"].snippet
('max(0.1x, x)', 'nn.LeakyReLU(0.1)')
>>> layer_row(1, {"type": "conv", "filters": 4, "kernel": 3}, (1, 8, 8))
LayerRow(index=1, name='conv 4×3×3', output_shape=(4, 6, 6), params=40, mult_adds=1296)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab.convolution.arithmetic import conv_layer_stats, pool_layer_stats
from convlab.errors import ConvlabError

__all__ = ["LEAKY_SLOPE", "ELU_ALPHA", "Activation", "ACTIVATION_TYPES", "ACTIVATIONS",
           "activation", "LayerField", "LayerType", "LAYERS",
           "LayerRow", "layer_type", "layer_row", "layer_modules", "layer_code", "new_layer", "check_layer",
           "describe_module", "residual_class", "global_pool_class"]

LEAKY_SLOPE = 0.1        # seed 003: Leaky ReLU = max(0.1x, x)
ELU_ALPHA = 1.0          # seed 003: ELU = x for x ≥ 0, α(eˣ − 1) below


# ---------------------------------------------------------------- activations

@dataclass(frozen=True)
class Activation:
    """One activation function: the numbers (numpy), the torch module and its source, from one set of args."""

    name: str
    label: str
    formula: str                                   # as the notes write it
    f: Callable[[np.ndarray], np.ndarray]          # the function, elementwise
    slope: Callable[[np.ndarray], np.ndarray]      # its derivative (at the kink 0: the right-hand slope's convention)
    torch_class: str                               # the torch.nn class
    args: tuple = ()                               # its constructor arguments: the parameters, written once

    def module(self):
        """The torch module (a new one each call)."""
        import torch.nn as nn
        return getattr(nn, self.torch_class)(*self.args)

    @property
    def snippet(self) -> str:
        """The module as PyTorch source: nn.LeakyReLU(0.1)."""
        return f"nn.{self.torch_class}({', '.join(map(repr, self.args))})"


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(a / 2))             # no overflow for large |a|


ACTIVATION_TYPES: dict[str, Activation] = {a.name: a for a in (
    Activation("relu", "ReLU", "max(0, x)", lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(float), "ReLU"),
    Activation("leaky_relu", "Leaky ReLU", f"max({LEAKY_SLOPE:g}x, x)", lambda a: np.where(a > 0, a, LEAKY_SLOPE * a),
               lambda a: np.where(a > 0, 1.0, LEAKY_SLOPE), "LeakyReLU", (LEAKY_SLOPE,)),
    Activation("elu", "ELU", "x if x ≥ 0, else α(eˣ − 1) with α = 1",
               lambda a: np.where(a > 0, a, ELU_ALPHA * np.expm1(np.minimum(a, 0))),
               lambda a: np.where(a > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(a, 0))), "ELU", (ELU_ALPHA,)),
    Activation("tanh", "tanh", "tanh(x)", np.tanh, lambda a: 1 - np.tanh(a) ** 2, "Tanh"),
    Activation("sigmoid", "sigmoid", "1 / (1 + e⁻ˣ)", _sigmoid, lambda a: _sigmoid(a) * (1 - _sigmoid(a)), "Sigmoid"),
)}
ACTIVATIONS = tuple(ACTIVATION_TYPES)           # the names, in menu order (kernels, models and pages read this one)


def activation(name: Any) -> Activation:
    """The registry row of an activation, or a message that lists the known ones."""
    if name not in ACTIVATION_TYPES:
        raise ConvlabError(f"activation {name!r}: use one of {', '.join(ACTIVATION_TYPES)}")
    return ACTIVATION_TYPES[name]


# ---------------------------------------------------------------- layer types

@dataclass(frozen=True)
class LayerField:
    """One setting of a layer type: a whole number, a number, or a choice (what the builder shows)."""

    name: str
    label: str
    default: Any                  # what a spec without this key means
    lo: float = 0
    hi: float = 0
    choices: tuple = ()
    optional: bool = False        # None allowed (a pool's stride: None = the kernel size)
    new: Any = None               # what a layer added in the builder starts with (None: the default)
    odd: bool = False             # odd sizes only (a residual block's kernel keeps the size with padding k // 2)
    help: str = ""

    @property
    def kind(self) -> str:
        """"choice", "float" or "int"."""
        return "choice" if self.choices else "float" if isinstance(self.default, float) else "int"

    def check(self, value: Any, index: int) -> Any:
        """value, or a message that names the layer, the value and what to use."""
        if value is None and self.optional:
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise ConvlabError(f"layer {index} {self.label} {value!r}: use one of {', '.join(self.choices)}")
            return value
        whole = self.kind == "int"
        number = isinstance(value, int) if whole else isinstance(value, (int, float))
        if not number or isinstance(value, bool) or not self.lo <= value <= self.hi:
            what = f"a whole number from {self.lo} to {self.hi}" if whole else f"a number from {self.lo:g} to {self.hi:g}"
            raise ConvlabError(f"layer {index} {self.name}={value!r}: use {what}")
        if self.odd and value % 2 == 0:
            raise ConvlabError(f"layer {index} {self.name}={value!r}: use an odd size so the skip connection lines up")
        return value


@dataclass(frozen=True)
class LayerRow:
    """One row of the layer table: index (1-based, as the builder and its messages number layers)."""

    index: int
    name: str
    output_shape: tuple[int, ...]
    params: int
    mult_adds: int


@dataclass(frozen=True)
class LayerType:
    """A layer type: its settings and the rules every part of convlab reads."""

    name: str
    label: str
    description: str
    fields: tuple[LayerField, ...]
    needs_image: bool                                    # needs an image (C, H, W) or a sequence (C, L), not a flat vector
    rule: Callable[[dict, tuple], tuple]                 # (values, input shape) -> (output shape, params, mult-adds, name)
    modules: Callable[[dict, tuple], list]               # (values, input shape) -> torch modules
    code: Callable[[dict, tuple], list[str]]             # (values, input shape) -> the same modules as source lines
    torch_classes: tuple[str, ...]                       # torch classes the network view maps back to this type
    title: Callable[[Any], str]                          # a torch module of this type -> its title in the network view
    helpers: str = ""                                    # source a snippet needs before nn.Sequential (a class)


def _flat(shape: tuple) -> int:
    return math.prod(shape)


def _nd(shape: tuple) -> str:
    """"2d" for an image (C, H, W), "1d" for a sequence (C, L): the torch classes' suffix."""
    return f"{len(shape) - 1}d"


def _window(k: int, shape: tuple) -> str:
    """A window's size as the layer table writes it: "3×3" for images, "3" for sequences."""
    return "×".join([str(k)] * (len(shape) - 1))


def _conv_rule(v: dict, shape: tuple) -> tuple:
    st = conv_layer_stats(shape, v["filters"], v["kernel"], v["stride"], v["padding"])
    return st.output_shape, st.params, st.mult_adds, f"conv {v['filters']}×{_window(v['kernel'], shape)}"


def _conv_title(m) -> str:
    one = (1,) * len(m.kernel_size)
    extra = "".join([f", stride {m.stride[0]}" if m.stride != one else "",
                     f", pad {m.padding[0]}" if m.padding not in ((0,) * len(one), "valid") else ""])
    return f"conv {m.in_channels}→{m.out_channels}, {'×'.join(map(str, m.kernel_size))}{extra}"


def _pool_rule(v: dict, shape: tuple) -> tuple:
    st = pool_layer_stats(shape, v["kernel"], v["stride"], 0)
    return st.output_shape, 0, 0, f"{v['mode']} pool {_window(v['kernel'], shape)}"


def _pool_class(v: dict, shape: tuple) -> str:
    return f"{'MaxPool' if v['mode'] == 'max' else 'AvgPool'}{_nd(shape)}"


def _pool_modules(v: dict, shape: tuple) -> list:
    import torch.nn as nn
    return [getattr(nn, _pool_class(v, shape))(v["kernel"], v["stride"])]


def _pool_title(m) -> str:
    k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
    size = "×".join([str(k)] * (2 if type(m).__name__.endswith("2d") else 1))
    return f"{'max' if type(m).__name__.startswith('MaxPool') else 'avg'} pool {size}"


@functools.cache
def global_pool_class():
    """GlobalPool: the max (or mean) of each channel over every position, one number per channel ("is the motif
    anywhere?"). No parameters; made once, on first use (torch is imported lazily)."""
    import torch.nn as nn

    class GlobalPool(nn.Module):
        def __init__(self, mode: str = "max"):
            super().__init__()
            self.mode = mode

        def forward(self, x):
            flat = x.flatten(2)                               # (N, C, positions)
            return flat.amax(2) if self.mode == "max" else flat.mean(2)

    return GlobalPool


GLOBAL_POOL_SOURCE = '''class GlobalPool(nn.Module):
    def __init__(self, mode="max"):
        super().__init__()
        self.mode = mode

    def forward(self, x):  # the max (or mean) of each channel over every position
        flat = x.flatten(2)
        return flat.amax(2) if self.mode == "max" else flat.mean(2)
'''


def _bn_modules(v: dict, shape: tuple) -> list:
    import torch.nn as nn
    return [nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])]


def _residual_rule(v: dict, shape: tuple) -> tuple:
    k = v["kernel"]
    one = conv_layer_stats(shape, shape[0], k, 1, k // 2)
    return shape, 2 * one.params, 2 * one.mult_adds, f"residual {shape[0]}×{_window(k, shape)} ×2"


def _residual_modules(v: dict, shape: tuple) -> list:
    import torch.nn as nn
    conv = getattr(nn, f"Conv{_nd(shape)}")
    return [residual_class()(shape[0], v["kernel"], ACTIVATION_TYPES[v["fn"]].module(), conv)]


def _residual_code(v: dict, shape: tuple) -> list[str]:
    conv = "" if len(shape) == 3 else f", nn.Conv{_nd(shape)}"
    return [f"Residual({shape[0]}, {v['kernel']}, {ACTIVATION_TYPES[v['fn']].snippet}{conv}),"]


@functools.cache
def residual_class():
    """The residual block's torch class (made once, on first use: torch is imported lazily)."""
    import torch.nn as nn

    class Residual(nn.Module):
        """act(x + conv2(act(conv1(x)))): two same-size convolutions and a skip connection."""

        def __init__(self, channels: int, k: int, act, conv=nn.Conv2d):
            super().__init__()
            self.conv1 = conv(channels, channels, k, padding=k // 2)
            self.act = act
            self.conv2 = conv(channels, channels, k, padding=k // 2)

        def forward(self, x):
            return self.act(x + self.conv2(self.act(self.conv1(x))))

    return Residual


RESIDUAL_SOURCE = '''class Residual(nn.Module):
    def __init__(self, channels, k, act, conv=nn.Conv2d):
        super().__init__()
        self.conv1 = conv(channels, channels, k, padding=k // 2)
        self.act = act
        self.conv2 = conv(channels, channels, k, padding=k // 2)

    def forward(self, x):
        return self.act(x + self.conv2(self.act(self.conv1(x))))
'''


def _residual_title(m) -> str:
    act = next((a for a in ACTIVATION_TYPES.values() if a.torch_class == type(m.act).__name__), None)
    return f"residual block ({act.name if act else type(m.act).__name__})"


def _linear_modules(v: dict, shape: tuple) -> list:
    import torch.nn as nn
    return ([nn.Flatten()] if len(shape) > 1 else []) + [nn.Linear(_flat(shape), v["units"])]


def _linear_code(v: dict, shape: tuple) -> list[str]:
    return (["nn.Flatten(),"] if len(shape) > 1 else []) + [f"nn.Linear({_flat(shape)}, {v['units']}),"]


def _nn(name: str, *args) -> Callable[[dict, tuple], list]:
    """modules() for a layer that is one torch.nn class; args are field names or callables of (values, shape)."""
    def make(v: dict, shape: tuple) -> list:
        import torch.nn as nn
        return [getattr(nn, name)(*(a(v, shape) if callable(a) else v[a] for a in args))]
    return make


_ACT_FIELD = LayerField("fn", "activation", "relu", choices=tuple(ACTIVATION_TYPES),
                   help="; ".join(f"{a.label}: {a.formula}" for a in ACTIVATION_TYPES.values()))
_KERNEL = LayerField("kernel", "Kernel", 3, 1, 15, help="window size k (k×k)")

LAYERS: dict[str, LayerType] = {t.name: t for t in (
    LayerType(
        "conv", "Convolution",
        "Slides each filter over the input; every filter makes one feature map. Parameters: k·k·C·F weights + F biases.",
        (LayerField("filters", "Filters", 8, 1, 512, help="F: how many feature maps it makes"), _KERNEL,
         LayerField("stride", "Stride", 1, 1, 15, help="how far the window moves each step"),
         LayerField("padding", "Padding", 0, 0, 15, new=1, help="zeros added on each side (1 keeps a 3×3 conv's size)")),
        True, _conv_rule,
        lambda v, s: _nn(f"Conv{_nd(s)}", lambda v, s: s[0], "filters", "kernel", "stride", "padding")(v, s),
        lambda v, s: [f"nn.Conv{_nd(s)}({s[0]}, {v['filters']}, {v['kernel']}, stride={v['stride']}, "
                      f"padding={v['padding']}),"],
        ("Conv2d", "Conv1d"), _conv_title),
    LayerType(
        "pool", "Pooling",
        "Keeps the largest (max) or the mean (avg) value of each window, channel by channel: the maps shrink; no "
        "parameters.",
        (LayerField("mode", "Mode", "max", choices=("max", "avg")), LayerField("kernel", "Kernel", 2, 1, 15, help="window size"),
         LayerField("stride", "Stride", None, 1, 15, optional=True, help="empty: the kernel size (windows do not overlap)")),
        True, _pool_rule, _pool_modules,
        lambda v, s: [f"nn.{_pool_class(v, s)}({v['kernel']}, stride={v['stride']!r}),"],
        ("MaxPool2d", "AvgPool2d", "MaxPool1d", "AvgPool1d"), _pool_title),
    LayerType(
        "globalpool", "Global pooling",
        "The max (or mean) of each channel over every position: one number per channel, wherever the filter "
        "fired (\"is the motif anywhere?\"); no parameters.",
        (LayerField("mode", "Mode", "max", choices=("max", "avg")),),
        True, lambda v, s: (s[:1], 0, 0, f"global {v['mode']} pool"),
        lambda v, s: [global_pool_class()(v["mode"])], lambda v, s: [f"GlobalPool({v['mode']!r}),"],
        ("GlobalPool",), lambda m: f"global {m.mode} pool", GLOBAL_POOL_SOURCE),
    LayerType(
        "act", "Activation", "Applies a non-linear function to every value (ReLU keeps gradients alive: slope 1).",
        (_ACT_FIELD,), False, lambda v, s: (s, 0, 0, v["fn"]),
        lambda v, s: [ACTIVATION_TYPES[v["fn"]].module()], lambda v, s: [f"{ACTIVATION_TYPES[v['fn']].snippet},"],
        tuple(a.torch_class for a in ACTIVATION_TYPES.values()),
        lambda m: next(a.name for a in ACTIVATION_TYPES.values() if a.torch_class == type(m).__name__)),
    LayerType(
        "batchnorm", "Batch norm",
        "Normalises each channel over the mini-batch, then scales by γ and shifts by β: 2 parameters per channel.",
        (), False, lambda v, s: (s, 2 * s[0], 0, "batch norm"), _bn_modules,
        lambda v, s: [f"nn.BatchNorm{2 if len(s) == 3 else 1}d({s[0]}),"], ("BatchNorm2d", "BatchNorm1d"),
        lambda m: "batch norm"),
    LayerType(
        "dropout", "Dropout",
        "While training, zeroes each value with probability p and scales the rest by 1/(1−p); off at test time.",
        (LayerField("p", "Drop rate p", 0.25, 0.0, 0.9, help="the share of values dropped while training"),),
        False, lambda v, s: (s, 0, 0, f"dropout {v['p']:g}"), _nn("Dropout", "p"), lambda v, s: [f"nn.Dropout({v['p']}),"],
        ("Dropout",), lambda m: "dropout (off when not training)"),
    LayerType(
        "residual", "Residual block",
        "Two same-size convolutions and a skip connection, act(x + conv(act(conv(x)))): the gradient highway.",
        (LayerField("kernel", "Kernel", 3, 1, 15, odd=True, help="odd, so the output keeps the input's size"), _ACT_FIELD),
        True, _residual_rule, _residual_modules, _residual_code, ("Residual",), _residual_title, RESIDUAL_SOURCE),
    LayerType(
        "linear", "Fully connected",
        "Flattens the maps and connects every value to every unit: n_in·units weights + units biases.",
        (LayerField("units", "Units", 32, 1, 512, help="how many outputs"),),
        False, lambda v, s: ((v["units"],), _flat(s) * v["units"] + v["units"], _flat(s) * v["units"], f"linear {v['units']}"),
        _linear_modules, _linear_code, ("Linear", "Flatten"),
        lambda m: f"linear {m.in_features}→{m.out_features}" if hasattr(m, "in_features") else "flatten"),
)}


def layer_type(layer: Any, index: int) -> LayerType:
    """The registry row of a spec's layer, or a message naming the layer and the known types."""
    kind = layer.get("type") if isinstance(layer, dict) else layer
    if not isinstance(layer, dict) or kind not in LAYERS:
        raise ConvlabError(f"layer {index} has type {kind!r}; use one of: {', '.join(LAYERS)}")
    return LAYERS[kind]


def check_layer(layer: Any, index: int) -> dict:
    """Every setting of a spec's layer, defaults filled in, each checked against its field's range."""
    t = layer_type(layer, index)
    return {f.name: f.check(layer.get(f.name, f.default), index) for f in t.fields}


def layer_row(index: int, layer: dict, shape: tuple[int, ...]) -> LayerRow:
    """The layer's output shape, parameters and multiply–adds for an input of `shape`; a layer that does not fit
    says why (the stack shrinks to nothing there, or an image layer after the flatten)."""
    t = layer_type(layer, index)
    values = check_layer(layer, index)
    if t.needs_image and len(shape) not in (2, 3):
        raise ConvlabError(f"layer {index} ({t.name}) needs an image- or sequence-shaped input, but it gets a flat "
                           f"vector of {shape[0]}: put it before the first linear or global pooling layer")
    try:
        out, params, mult_adds, name = t.rule(values, tuple(shape))
    except ConvlabError as err:
        raise ConvlabError(f"layer {index} ({t.name}) gets an input of {'×'.join(map(str, shape))}: {err}; "
                           "the stack shrinks to nothing there") from None
    return LayerRow(index, name, tuple(out), params, mult_adds)


def layer_modules(layer: dict, shape: tuple[int, ...]) -> list:
    """The torch modules of one checked layer for an input of `shape`."""
    return LAYERS[layer["type"]].modules(check_layer(layer, 0), tuple(shape))


def layer_code(layer: dict, shape: tuple[int, ...]) -> list[str]:
    """The same modules as PyTorch source lines (each ends with a comma, for nn.Sequential)."""
    return LAYERS[layer["type"]].code(check_layer(layer, 0), tuple(shape))


def new_layer(kind: str) -> dict:
    """A layer of this type with the builder's starting values.

    >>> new_layer("conv"), new_layer("pool")
    ({'type': 'conv', 'filters': 8, 'kernel': 3, 'stride': 1, 'padding': 1}, {'type': 'pool', 'mode': 'max', 'kernel': 2})
    """
    t = layer_type({"type": kind}, 0)
    values = {f.name: f.default if f.new is None else f.new for f in t.fields}
    return {"type": kind, **{k: v for k, v in values.items() if v is not None}}


def describe_module(module: Any) -> tuple[str, str]:
    """(layer type, title) of a torch module the way the network view names it; ("other", class name) otherwise.

    >>> import torch.nn as nn
    >>> describe_module(nn.Conv2d(3, 8, 5, padding=2)), describe_module(nn.LeakyReLU(0.1))
    (('conv', 'conv 3→8, 5×5, pad 2'), ('act', 'leaky_relu'))
    """
    name = type(module).__name__
    for t in LAYERS.values():
        if name in t.torch_classes:
            return t.name, t.title(module)
    return "other", name.lower()
