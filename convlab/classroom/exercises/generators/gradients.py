"""The backward pass: one cell of dL/dW of a small convolution."""

from __future__ import annotations

from convlab._core.format import num
from convlab.convolution.backward import conv2d_backward, explain_grad_w
from convlab.classroom.exercises.generators.common import ints
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise


def grad_w(draw: Draw) -> Exercise:
    """dL/dw[a, b] of a 2×2 kernel given dL/dy (stride 2 at level 3)."""
    rng, level = draw.rng, draw.level
    h = 3 if level == 1 else 4
    s = 1 if level < 3 else 2
    x = ints(rng, -1, 3, (1, h, h))
    w = ints(rng, -1, 2, (1, 1, 2, 2))
    oh = (h - 2) // s + 1
    g = ints(rng, -2, 2, (1, oh, oh))
    grads = conv2d_backward(x, w, g, stride=s)
    a, b = int(rng.integers(0, 2)), int(rng.integers(0, 2))
    value = float(grads.grad_w[0, 0, a, b])
    q = (f"y = conv2d(x, w) with a 2×2 kernel, stride {s}, no padding. Given dL/dy, what is dL/dw[{a}, {b}]?")
    steps = [f"w[{a}, {b}] multiplies, in every window, the input {a} rows and {b} columns from the window's corner.",
             f"dL/dw[{a}, {b}] = Σ over outputs of dL/dy × that input: " + explain_grad_w(x, w, g, (0, 0, a, b), s),
             f"Answer: {num(value)}"]
    return draw.exercise("One gradient of the weights", q, [Part(f"dL/dw[{a}, {b}]", value, "number")],
                         "Each weight's gradient sums dL/dy times the input value that weight touched, over all outputs.",
                         steps, [("x", x[0]), ("w", w[0, 0]), ("dL/dy", g[0])], dict(x=x, w=w, g=g, s=s, a=a, b=b))
