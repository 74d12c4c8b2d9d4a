"""The receptive field of a stack of layers, grown layer by layer."""

from __future__ import annotations

from convlab.convolution.arithmetic import receptive_field
from convlab.classroom.exercises.answers import Part
from convlab.classroom.exercises.model import Draw, Exercise


def receptive(draw: Draw) -> Exercise:
    """How many input pixels one output of the last layer sees (strides from level 2, dilation at level 3)."""
    rng, level = draw.rng, draw.level
    count = int(rng.integers(2, 4 if level == 1 else 5))
    layers = []
    for _ in range(count):
        k = int(rng.choice([2, 3, 5]))
        s = 1 if level == 1 else int(rng.integers(1, 3))
        d = 1 if level < 3 else int(rng.integers(1, 3))
        layers.append((k, s, d))
    steps_rf = receptive_field(layers)
    rows = "\n".join(f"| {i} | {k} | {s} | {d} |" for i, (k, s, d) in enumerate(layers, start=1))
    q = ("A stack of layers (kernel size k, stride s, dilation d):\n\n| layer | k | s | d |\n|---|---|---|---|\n"
         f"{rows}\n\nHow many input pixels (along one axis) does one output of the last layer see?")
    steps = ["Start with r0 = 1 and jump j0 = 1; each layer adds (k − 1)·d·j and multiplies j by s."]
    steps += [st.formula + f" (then j{st.layer} = {st.jump})" for st in steps_rf]
    steps.append(f"Answer: {steps_rf[-1].size}")
    return draw.exercise("Receptive field", q, [Part("receptive field", steps_rf[-1].size, "int")],
                         "Grow the field layer by layer: r += (k − 1)·d·jump, and the jump multiplies by each stride.",
                         steps, data=dict(layers=layers))
