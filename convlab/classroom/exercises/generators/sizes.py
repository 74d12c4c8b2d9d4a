"""Sizes and padding: how many outputs, which inputs a valid convolution drops, TensorFlow's "same"."""

from __future__ import annotations

import math

import numpy as np

from convlab._core.format import num
from convlab.convolution.arithmetic import explain_output_size, resolve_padding
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise


def output_size(draw: Draw) -> Exercise:
    """How many outputs a 1D convolution has (padding from level 2, dilation at level 3)."""
    rng, level = draw.rng, draw.level
    while True:
        n = int(rng.integers(5, 16 if level < 3 else 33))
        k = int(rng.integers(2, 6))
        s = int(rng.integers(1, 3 if level == 1 else 4))
        p = 0 if level == 1 else int(rng.integers(0, 3))
        d = 1 if level < 3 else int(rng.integers(1, 4))
        if (k - 1) * d + 1 <= n + 2 * p:
            break
    e = explain_output_size(n, k, s, p, d)
    setting = f"kernel size k = {k}, stride s = {s}" + (f", padding p = {p} on each side" if level > 1 else "") \
        + (f", dilation d = {d}" if d > 1 else "")
    q = f"A 1D input has n = {n} elements. It is convolved with {setting}. How many outputs are there?"
    steps = list(e.derivation) + [e.formula,
                                  "The stride tiles the input exactly." if e.tiles else
                                  f"{num(e.exact)} is not whole: round down (the last window must fit) → {e.output}.",
                                  f"Answer: {e.output}"]
    return draw.exercise("Output size", q, [Part("outputs", e.output, "int")],
                         "Use (n + 2p − F) / s + 1 with F = (k − 1)·d + 1, and round down.", steps,
                         data=dict(n=n, k=k, s=s, p=p, d=d))


def dropped(draw: Draw) -> Exercise:
    """How many inputs a valid, strided convolution never covers."""
    rng, level = draw.rng, draw.level
    while True:
        n = int(rng.integers(6, 14 if level == 1 else 22))
        k = int(rng.integers(2, 5 if level == 1 else 7))
        s = int(rng.integers(2, 4 if level < 3 else 6))
        if k <= n:
            e = explain_output_size(n, k, s, "valid")
            if level == 1 or e.uncovered or rng.random() < 0.3:
                break
    last = (e.output - 1) * s
    q = (f"A \"valid\" convolution (no padding) of n = {n} inputs with a kernel of size {k} and stride {s}. "
         "How many inputs are never covered by any window?")
    steps = [e.formula, f"There are {e.output} windows; the last starts at index {last} and ends at {last + k - 1}."]
    steps += ([f"Inputs {', '.join(map(str, e.uncovered))} (0-based) are never covered: {len(e.uncovered)} dropped."]
              if e.uncovered else ["Every input is covered by some window: 0 dropped."])
    steps.append(f"Answer: {len(e.uncovered)}")
    return draw.exercise("Dropped inputs", q, [Part("inputs dropped", len(e.uncovered), "int")],
                         "Find where the last window ends: index (outputs − 1)·s + k − 1. Inputs after it, and inputs "
                         "in gaps between windows when s > k, are dropped.", steps,
                         [("input", np.arange(n)[None].astype(float))], dict(n=n, k=k, s=s))


def tf_same(draw: Draw) -> Exercise:
    """TensorFlow's padding="same": the total padding and how it splits (seed 001's quiz at level 3)."""
    rng, level = draw.rng, draw.level
    if level == 3 and rng.random() < 0.4:
        n, k, s = 13, 6, 5                                            # seed 001's quiz
    else:
        while True:
            n = int(rng.integers(5, 20))
            k = int(rng.integers(2, 7))
            s = 1 if level == 1 else int(rng.integers(2, 6))
            if sum(resolve_padding(n, k, s, "same")) > 0 or rng.random() < 0.1:
                break
    before, after = resolve_padding(n, k, s, "same")
    out = math.ceil(n / s)
    total = before + after
    q = (f"TensorFlow's padding=\"same\": n = {n}, kernel size k = {k}, stride s = {s}. How much padding in "
         "total, and how much on each side?")
    steps = [f"\"same\" keeps ceil(n / s) = ceil({n} / {s}) = {out} outputs.",
             f"P = max((out − 1)·s + k − n, 0) = max(({out} − 1)·{s} + {k} − {n}, 0) = {total}",
             f"before = floor(P / 2) = {before}; after = P − before = {after} (TensorFlow puts the extra one "
             "at the end).", f"Answer: {total} in total, {before} before, {after} after"]
    return draw.exercise("TensorFlow \"same\" padding", q,
                         [Part("total padding", total, "int"), Part("before", before, "int"), Part("after", after, "int")],
                         "First the number of outputs, ceil(n / s); then how many inputs the windows need.", steps,
                         data=dict(n=n, k=k, s=s))
