"""A conv layer as a whole: its parameters and cost (seed 002's example), and its configuration read off a picture."""

from __future__ import annotations

import numpy as np

from convlab.convolution.arithmetic import conv_layer_stats
from convlab.classroom.exercises.generators.common import ints
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise
from convlab.convolution.conv import conv2d


def params(draw: Draw) -> Exercise:
    """How many parameters a conv layer has and how many multiply–adds one image costs."""
    rng, level = draw.rng, draw.level
    if level == 1 and rng.random() < 0.5:
        c, h, f, k, s, p = 3, 32, 6, 5, 1, 0                          # seed 002's example
    else:
        c = int(rng.choice([1, 3, 8, 16] if level > 1 else [1, 3]))
        h = int(rng.choice([8, 16, 28, 32, 64]))
        f, k = int(rng.choice([4, 6, 8, 10, 16, 32])), int(rng.choice([1, 3, 5]))
        s = 1 if level == 1 else int(rng.integers(1, 3))
        p = 0 if level == 1 else int(rng.integers(0, k // 2 + 1))
    st = conv_layer_stats((c, h, h), f, k, s, p)
    _, oh, ow = st.output_shape
    q = (f"A conv layer reads a {h}×{h}×{c} input (height × width × channels) with {f} filters of size {k}×{k}, "
         f"stride {s}, padding {p}, with biases. How many parameters does it have, and how many multiply–adds "
         "does one image cost?")
    steps = [f"Each filter has {k}·{k}·{c} weights and one bias: params = {st.params_formula}",
             f"Output size: ({h} + 2·{p} − {k}) / {s} + 1 → {oh}×{ow}×{f}",
             f"Each output value is a sum of {k}·{k}·{c} = {k * k * c} products: "
             f"{oh}·{ow}·{f}·{k * k * c} = {st.mult_adds} multiply–adds",
             f"Answer: {st.params} parameters, {st.mult_adds} multiply–adds"]
    return draw.exercise("Parameters and cost", q,
                         [Part("parameters", st.params, "int"), Part("multiply–adds", st.mult_adds, "int")],
                         "Parameters: weights per filter (k·k·C) plus a bias, times the number of filters. Cost: one "
                         "product per weight for every output position.", steps, data=dict(c=c, h=h, f=f, k=k, s=s, p=p))


def read_config(draw: Draw) -> Exercise:
    """Read input channels, kernels, kernel size, padding and stride off a drawn conv layer."""
    rng, level = draw.rng, draw.level
    while True:
        c, f = int(rng.integers(1, 3 if level == 1 else 4)), int(rng.integers(1, 3 if level < 3 else 4))
        k, p = int(rng.integers(2, 4)), (0 if level == 1 else int(rng.integers(0, 2)))
        s, h = int(rng.integers(1, 3)), int(rng.integers(3, 6))
        if h + 2 * p - k >= 2:                                         # so that the stride shows in the output size
            break
    x = ints(rng, 0, 3, (c, h, h))
    w = ints(rng, -1, 1, (f, c, k, k))
    y = conv2d(x, w, stride=s, padding=p)
    figs = tuple((f"input channel {i}" + (" (padded)" if p else ""), np.pad(x[i], p)) for i in range(c))
    figs += tuple((f"filter {j}, channel {i}", w[j, i]) for j in range(f) for i in range(c))
    figs += tuple((f"output {j}", y[j]) for j in range(f))
    q = ("The picture shows a convolution layer at work: its input (with any zero padding drawn), its filters "
         "and its outputs. Read off the configuration.")
    oh = y.shape[1]
    steps = [f"Input channels: one grid per channel → {c}.", f"Kernels: one output map per filter → {f}.",
             f"Kernel size: each filter channel is {k}×{k} → {k}.",
             f"Padding: the ring of zeros around each input is {p} wide → {p}." if p else
             "Padding: no ring of added zeros → 0.",
             f"Stride: the output is {oh}×{oh}, and ({h} + 2·{p} − {k}) / s + 1 = {oh} holds for s = {s} → {s}.",
             f"Answer: {c}, {f}, {k}, {p}, {s}"]
    parts = [Part("input channels", c, "int"), Part("kernels", f, "int"), Part("kernel size", k, "int"),
             Part("padding", p, "int"), Part("stride", s, "int")]
    return draw.exercise("Read the configuration", q, parts,
                         "Count the grids; the stride is the one that makes the output-size formula give the output "
                         "you see.", steps, figs, dict(x=x, w=w, s=s, p=p))
