"""Issue 16's figures show what a student must see: logos stack the right letters to the right heights, the
causal stack lights exactly the dependencies, groups are coloured (the 3D steps: the lesson view's "conv3d" kind)."""

import re

import numpy as np

import convlab
from convlab.sequences.dna import one_hot
from convlab.figures.sequences import BASE_COLOURS, activation_figure, causal_stack_figure, logo_figure, onehot_figure
from convlab.figures.variants import connectivity_figure


def _boxes(fig):
    """(colour, x0, y0, y1) of every letter: the extent of its path."""
    out = []
    for shape in fig.layout.shapes:
        xs, ys = zip(*[(float(a), float(b)) for a, b in re.findall(r"(-?[\d.]+),(-?[\d.]+)", shape.path)])
        out.append((shape.fillcolor, round(min(xs)), min(ys), max(ys)))
    return out


def test_logo_letters_are_stacked_by_height_largest_on_top():
    heights = np.array([[0.5, 0.0], [0.0, -0.4], [0.2, 0.0], [1.0, 0.3]])           # rows A, C, G, T
    boxes = _boxes(logo_figure(heights, ["f"]))
    col0 = sorted((b for b in boxes if b[1] == 0), key=lambda b: b[2])
    assert [b[0] for b in col0] == [BASE_COLOURS["G"], BASE_COLOURS["A"], BASE_COLOURS["T"]]
    np.testing.assert_allclose([b[3] - b[2] for b in col0], [0.2, 0.5, 1.0], atol=1e-3)
    np.testing.assert_allclose(col0[-1][3], 1.7, atol=1e-3)                           # the stack's total height
    below = [b for b in boxes if b[1] == 1 and b[0] == BASE_COLOURS["C"]][0]
    np.testing.assert_allclose((below[2], below[3]), (-0.4, 0.0), atol=1e-3)          # negative: under the axis


def test_onehot_and_activation_views():
    fig = onehot_figure(one_hot("TATAAAC"), site=0, motif_len=6)
    assert np.array(fig.data[0].z).shape == (4, 7) and fig.layout.shapes[0].x1 == 5.5
    acts = np.array([[0.0, 3.0, 1.0, 0.0], [2.0, 0.0, 0.0, 5.0]])
    fig = activation_figure(acts, ["f0", "f1"], site=1, motif_len=2, width=3)
    assert list(fig.data[1].x) == [1, 3] and list(fig.data[1].customdata) == [3.0, 5.0]   # ★ at each row's maximum
    assert (fig.layout.shapes[0].x0, fig.layout.shapes[0].x1) == (-0.5, 1.5)               # windows 0, 1 hold the copy


def test_causal_stack_figure_lights_every_dependency():
    stack = convlab.causal_stack(2, [1, 2, 4], 9)
    fig = causal_stack_figure(stack, 12)
    lit = {int(t.y[0]): sorted(t.x) for t in fig.data[2:]}
    assert lit == {level: sorted(steps) for level, steps in enumerate(stack.levels)}
    assert len([v for v in fig.data[0].x if v is None]) == len(stack.edges)
    assert list(fig.layout.yaxis.ticktext)[-1] == "layer 3 (d = 4) = output"


def test_connectivity_colours_the_groups():
    fig = connectivity_figure(convlab.group_connectivity(6, 3, 3), 3)
    z = np.array(fig.data[0].z)
    assert (z == np.array([[1, 1, 0, 0, 0, 0], [0, 0, 2, 2, 0, 0], [0, 0, 0, 0, 3, 3]])).all()
