"""Max and average pooling of a small grid, typed as a whole matrix."""

from __future__ import annotations

from convlab.classroom.exercises.answers import format_value
from convlab.classroom.exercises.generators.common import ints
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise
from convlab.convolution.pool import pool2d, pool2d_steps


def pooling(draw: Draw) -> Exercise:
    """The whole output of a non-overlapping max (or, from level 2, average) pooling."""
    rng, level = draw.rng, draw.level
    size = 4 if level == 1 else 6
    x = ints(rng, 0, 9, (size, size))
    mode = "max" if level == 1 else str(rng.choice(["max", "avg"]))
    k = 2 if level < 3 else int(rng.choice([2, 3]))
    s = k
    out = pool2d(x, k, s, mode=mode)
    tr = pool2d_steps(x, k, s, mode=mode)
    name = "max" if mode == "max" else "average"
    q = f"Apply {name} pooling with a {k}×{k} window and stride {s} to x. Type the whole output."
    steps = [f"The output is {out.shape[0]}×{out.shape[1]}: one value per {k}×{k} block."]
    steps += [f"out[{st.out_index[-2]}, {st.out_index[-1]}] = {st.expression()}" for st in tr]
    steps.append(f"Answer: {format_value(out, 'grid')}")
    example = "; ".join(" ".join("0" for _ in range(out.shape[1])) for _ in range(out.shape[0]))
    return draw.exercise(f"{name.capitalize()} pooling", q, [Part("output (rows separated by ;)", out, "grid", example)],
                         f"Split x into {k}×{k} blocks and take the {'largest value' if mode == 'max' else 'mean'} of each.",
                         steps, [("x", x)], dict(x=x, k=k, s=s, mode=mode))
