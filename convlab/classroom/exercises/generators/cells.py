"""One output cell of a convolution: 1D at level 1, one 2D channel at level 2, two channels and a bias at 3."""

from __future__ import annotations

from convlab._core.format import num
from convlab.classroom.exercises.generators.common import ints
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise
from convlab.convolution.conv import conv1d_steps, conv2d_steps


def conv_cell(draw: Draw) -> Exercise:
    """The value of one output of a small cross-correlation, with the products written out."""
    rng, level = draw.rng, draw.level
    if level == 1:
        x, w = ints(rng, -2, 4, int(rng.integers(5, 8))), ints(rng, -2, 3, 3)
        tr = conv1d_steps(x, w)
        i = int(rng.integers(0, len(tr)))
        st = tr[i]
        q = f"Cross-correlate x with w (valid, stride 1, no flip). What is output[{i}]?"
        figs = (("x", x[None]), ("w", w[None]))
        prompt = f"output[{i}]"
        data = dict(x=x, w=w, b=0.0, index=(i,))
    else:
        c = 1 if level == 2 else 2
        h = int(rng.integers(4, 6))
        x, w = ints(rng, -2, 4, (c, h, h)), ints(rng, -2, 2, (1, c, 3, 3))
        b = float(rng.choice([-3, -2, -1, 1, 2, 3])) if level == 3 else 0.0
        tr = conv2d_steps(x, w, [b])
        i = int(rng.integers(0, len(tr)))
        st = tr[i]
        _, r, q_ = st.out_index
        q = (f"Cross-correlate the {c}-channel input with the 3×3 filter (valid, stride 1)"
             + (f" and add the bias b = {num(b)}" if level == 3 else "") + f". What is output[{r}, {q_}]?")
        figs = tuple((f"x channel {k}", x[k]) for k in range(c)) + tuple((f"w channel {k}", w[0, k]) for k in range(c))
        prompt = f"output[{r}, {q_}]"
        data = dict(x=x, w=w, b=b, index=(r, q_))
    steps = [f"The window starts at row {st.rows[0]}, column {st.cols[0]}." if level > 1 else
             f"The window covers x[{st.cols[0]}..{st.cols[-1]}].",
             st.expression()]
    if level == 3:
        steps.append("Channels summed plus the bias: " + st.total_expression())
    steps.append(f"Answer: {num(st.value)}")
    return draw.exercise("One output of a convolution", q, [Part(prompt, float(st.value), "number")],
                         "Lay the kernel on the window, multiply matching entries and add them up"
                         + (" over every channel, then add the bias." if level == 3 else "."), steps, figs, data)
