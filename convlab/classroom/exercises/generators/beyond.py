"""Beyond 2D images: the output size of a 3D convolution, grouped and depthwise-separable layers' parameters,
and the receptive field of a dilated causal stack (WaveNet)."""

from __future__ import annotations

from convlab.convolution.arithmetic import conv_layer_stats, receptive_field
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise
from convlab.convolution.grouped import separable_conv_stats
from convlab.convolution.conv3d import conv2d_vs_conv3d

SMALL = 10_000_000          # answers below this stay exact when typed as 1.234567e+06


def output_size_3d(draw: Draw) -> Exercise:
    """The output shape of a 3D convolution over a clip or a CT volume (per-axis kernels and strides from level 2,
    dilation at level 3)."""
    rng, level = draw.rng, draw.level
    c, f = int(rng.choice([1, 3])), int(rng.choice([4, 8, 16]))
    while True:
        d, h = int(rng.integers(4, 17)), int(rng.choice([16, 28, 32, 56, 64, 112]))
        kh = int(rng.choice([3, 5]))
        k = (int(rng.choice([1, 2, 3])), kh, kh if level < 3 else int(rng.choice([3, 5])))
        sd, sh = (int(v) for v in rng.integers(1, 3, size=2))
        s = (1, 1, 1) if level == 1 else (sd, sh, sh)
        pd, ph = int(rng.integers(0, 2)), int(rng.integers(0, 3))
        p = (0, 0, 0) if level == 1 else (pd, ph, ph)
        dl = (1, 1, 1) if level < 3 else (1, int(rng.integers(1, 3)), 1)
        if all((kk - 1) * dd + 1 <= n + 2 * pp for kk, dd, n, pp in zip(k, dl, (d, h, h), p)):
            break
    st = conv_layer_stats((c, d, h, h), f, k, s, p, dl)
    axes = ("depth", "height", "width")
    q = (f"A 3D convolution reads a clip of {d} frames of {h}×{h} pixels with {c} channel(s) (C × D × H × W = "
         f"{c}×{d}×{h}×{h}). It has {f} filters of size {'×'.join(map(str, k))} (depth × height × width), stride "
         f"{'×'.join(map(str, s))}, zero padding {'×'.join(map(str, p))}"
         + (f" and dilation {'×'.join(map(str, dl))}" if level == 3 else "") + ". What is the output's shape "
         "(filters, depth, height, width)?")
    steps = ["Every axis follows the 1D rule o = ⌊(n + 2p − (k − 1)·d − 1) / s⌋ + 1, and one map per filter:"]
    steps += [f"{a}: ⌊({n} + 2·{pp} − ({kk} − 1)·{dd} − 1) / {ss}⌋ + 1 = {o}"
              for a, n, pp, kk, dd, ss, o in zip(axes, (d, h, h), p, k, dl, s, st.output_shape[1:])]
    steps.append(f"Answer: {', '.join(map(str, st.output_shape))}")
    return draw.exercise("3D output size", q, [Part("output shape (O, D, H, W)", st.output_shape, "ints", "8, 14, 30, 30")],
                         "A 3D kernel slides along depth too: apply the output-size formula to depth, height and width "
                         "separately; the number of maps is the number of filters.", steps,
                         data=dict(c=c, d=d, h=h, f=f, k=k, s=s, p=p, dl=dl))


def grouped_params(draw: Draw) -> Exercise:
    """Parameters and multiply–adds of a grouped (or depthwise) 2D conv layer."""
    rng, level = draw.rng, draw.level
    while True:
        g = int(rng.choice([2, 4] if level == 1 else [2, 4, 8, 16]))
        c = g * int(rng.choice([1, 2, 4] if level < 3 else [1, 2, 4, 8]))
        o = c if level == 1 and rng.random() < 0.5 else g * int(rng.choice([1, 2, 4]))
        if level == 2 and rng.random() < 0.4:
            g = o = c                                                  # depthwise
        k, h = int(rng.choice([3, 5])), int(rng.choice([8, 14, 28, 56]))
        st = conv_layer_stats((c, h, h), o, k, 1, k // 2, groups=g)
        if st.mult_adds < SMALL:
            break
    kind = "a depthwise" if g == c == o else "a grouped"
    q = (f"{kind.capitalize()} conv layer reads {c} channels of {h}×{h} and has {o} filters of size {k}×{k} with "
         f"groups = {g}, \"same\" padding ({k // 2}), stride 1 and biases. How many parameters does it have, and how "
         "many multiply–adds does one image cost?")
    steps = [f"With {g} groups each filter reads only C / g = {c} / {g} = {c // g} channel(s): a {k}×{k}×{c // g} kernel.",
             f"Parameters: {st.params_formula}",
             f"Each of the {o}·{h}·{h} outputs is a sum of {k}·{k}·{c // g} = {k * k * (c // g)} products: "
             f"{st.mult_adds_formula}",
             f"Answer: {st.params} parameters, {st.mult_adds} multiply–adds"]
    return draw.exercise("Grouped convolution", q,
                         [Part("parameters", st.params, "int"), Part("multiply–adds", st.mult_adds, "int")],
                         "Groups divide the channels each filter reads by g; everything else is as for a standard layer.",
                         steps, data=dict(c=c, o=o, g=g, k=k, h=h))


def separable_params(draw: Draw) -> Exercise:
    """A standard k×k layer against a depthwise-separable one (MobileNet): parameters of both, and at level 3
    the ratio of their multiply–adds."""
    rng, level = draw.rng, draw.level
    c, o = int(rng.choice([8, 16, 32, 64])), int(rng.choice([16, 32, 64, 128]))
    k, h = int(rng.choice([3, 5] if level > 1 else [3])), int(rng.choice([14, 28, 56]))
    bias = level > 1
    s = separable_conv_stats((c, h, h), o, k, 1, k // 2, bias=bias)
    with_bias = "with biases" if bias else "without biases"
    q = (f"A layer maps {c} channels of {h}×{h} to {o} channels with {k}×{k} kernels (\"same\" padding, {with_bias}). "
         f"How many parameters does a standard conv layer need, and how many a depthwise-separable one "
         f"({k}×{k} depthwise, then 1×1 pointwise)?" + (" What is the ratio of their multiply–adds, separable / "
                                                         "standard?" if level == 3 else ""))
    steps = [f"Standard: {s.standard.params_formula}",
             f"Depthwise: one {k}×{k} kernel per channel: {s.depthwise.params_formula}",
             f"Pointwise (1×1): {s.pointwise.params_formula}",
             f"Separable: {s.depthwise.params} + {s.pointwise.params} = {s.params}"]
    parts = [Part("standard parameters", s.standard.params, "int"), Part("separable parameters", s.params, "int")]
    answer = f"Answer: {s.standard.params}, {s.params}"
    if level == 3:
        steps.append(f"Multiply–adds: {s.ratio_formula()}")
        parts.append(Part("multiply–adds ratio", s.mult_adds_ratio, "number"))
        answer += f", {s.mult_adds_ratio:.4f}"
    steps.append(answer)
    return draw.exercise("Depthwise-separable vs standard", q, parts,
                         "Depthwise: k·k weights per input channel. Pointwise: a 1×1 layer, C weights per output channel. "
                         "Standard: k·k·C weights per output channel.", steps, data=dict(c=c, o=o, k=k, h=h, bias=bias))


def causal_stack(draw: Draw) -> Exercise:
    """The receptive field of a stack of causal convolutions with dilations, and the zeros its last layer pads."""
    rng, level = draw.rng, draw.level
    k = int(rng.choice([2, 3]) if level > 1 else 2)
    layers = int(rng.integers(2, 5 if level == 1 else 6))
    dilations = [2 ** i for i in range(layers)]
    if level == 3:
        dilations = dilations * int(rng.integers(2, 4))                # WaveNet repeats its block of doublings
    elif level == 2 and rng.random() < 0.3:
        dilations = [1] * layers                                       # the undilated stack, for comparison
    rf = receptive_field([(k, 1, d) for d in dilations])[-1].size
    pad = (k - 1) * dilations[-1]
    q = (f"A stack of {len(dilations)} causal 1D convolutions, each with kernel size {k} and stride 1, has dilations "
         f"{', '.join(map(str, dilations))}. How many input time steps does one output of the last layer see, and how "
         "many zeros does causal padding add before the input of the last layer?")
    steps = ["Each layer adds (k − 1)·d steps of the past: r = 1 + (k − 1)·(d₁ + … + d_L)",
             f"r = 1 + ({k} − 1)·({' + '.join(map(str, dilations))}) = {rf}",
             f"Causal padding of the last layer: (k − 1)·d = ({k} − 1)·{dilations[-1]} = {pad} zeros before, none after",
             f"Answer: {rf}, {pad}"]
    return draw.exercise("Causal dilated stack", q,
                         [Part("receptive field (time steps)", rf, "int"), Part("zeros before the last layer", pad, "int")],
                         "Output t of a causal layer reads t, t − d, …, t − (k − 1)·d: each layer reaches (k − 1)·d "
                         "further back.", steps, data=dict(k=k, dilations=dilations))


def cost_3d(draw: Draw) -> Exercise:
    """What the third axis costs: a k×k conv on each frame against a k×k×k conv over the clip."""
    rng, level = draw.rng, draw.level
    while True:
        c, o = int(rng.choice([1, 3])), int(rng.choice([4, 8, 16]))
        k = 3 if level < 3 else int(rng.choice([3, 5]))
        d, h = int(rng.choice([4, 8, 16])), int(rng.choice([14, 28, 56]))
        cost = conv2d_vs_conv3d((c, d, h, h), o, k, padding="same")
        if cost.volume.mult_adds < SMALL:
            break
    q = (f"A video clip has {d} frames of {h}×{h} pixels with {c} channel(s). Compare a 2D conv layer ({o} filters "
         f"of {k}×{k}, \"same\" padding, biases) run on every frame with a 3D conv layer ({o} filters of {k}×{k}×{k}, "
         "\"same\" padding, biases) run over the clip. How many parameters does each have, and how many "
         "multiply–adds does each cost for the whole clip?")
    steps = [f"2D: {cost.per_frame.params_formula}; per frame {cost.per_frame.mult_adds_formula}, "
             f"times {d} frames = {cost.frame_by_frame_mult_adds:,}",
             f"3D: {cost.volume.params_formula}; {cost.volume.mult_adds_formula}",
             f"Answer: {cost.per_frame.params}, {cost.volume.params}, {cost.frame_by_frame_mult_adds}, "
             f"{cost.volume.mult_adds}"]
    parts = [Part("2D parameters", cost.per_frame.params, "int"), Part("3D parameters", cost.volume.params, "int"),
             Part("2D multiply–adds (all frames)", cost.frame_by_frame_mult_adds, "int"),
             Part("3D multiply–adds", cost.volume.mult_adds, "int")]
    return draw.exercise("From 2D to 3D", q, parts,
                         "The 3D kernel has an extra depth axis of k: k times the weights per filter, and with \"same\" "
                         "padding k times the products per output.", steps, data=dict(c=c, o=o, k=k, d=d, h=h))
