"""The exercise generators, one module per topic, and KINDS: every kind's label and generator.

A generator takes a Draw (kind, seed, level and their random stream) and returns the Exercise. The order
of KINDS is part of every exercise's seed (make_exercise), so a new kind goes at the end.

>>> list(KINDS)[:3]
['output_size', 'dropped', 'tf_same']
"""

from __future__ import annotations

from collections.abc import Callable

from convlab.classroom.exercises.generators.beyond import causal_stack, cost_3d, grouped_params, output_size_3d, separable_params
from convlab.classroom.exercises.generators.cells import conv_cell
from convlab.classroom.exercises.generators.gradients import grad_w
from convlab.classroom.exercises.generators.layers import params, read_config
from convlab.classroom.exercises.generators.matrices import im2col_column, toeplitz_row
from convlab.classroom.exercises.generators.pooling import pooling
from convlab.classroom.exercises.generators.receptive import receptive
from convlab.classroom.exercises.generators.sizes import dropped, output_size, tf_same
from convlab.classroom.exercises.model import Draw, Exercise

KINDS: dict[str, tuple[str, Callable[[Draw], Exercise]]] = {
    "output_size": ("Output size (padding, stride, dilation)", output_size),
    "dropped": ("Inputs a valid convolution drops", dropped),
    "tf_same": ("TensorFlow \"same\" padding", tf_same),
    "conv_cell": ("One output of a 1D / 2D convolution", conv_cell),
    "pooling": ("Max and average pooling", pooling),
    "params": ("Parameters and multiply–adds", params),
    "read_config": ("Read a configuration from a picture", read_config),
    "im2col": ("im2col shape and a column", im2col_column),
    "toeplitz": ("A row of the Toeplitz matrix", toeplitz_row),
    "receptive_field": ("Receptive field of a stack", receptive),
    "grad_w": ("One cell of dL/dW", grad_w),
    # issue 16: beyond 2D images
    "output_size_3d": ("Output shape of a 3D convolution", output_size_3d),
    "grouped": ("Grouped and depthwise layers: parameters and cost", grouped_params),
    "separable": ("Depthwise-separable vs standard (MobileNet)", separable_params),
    "causal_stack": ("Causal dilated stack: receptive field and padding", causal_stack),
    "cost_3d": ("From 2D to 3D: parameters and cost", cost_3d),
}

__all__ = ["KINDS"]
