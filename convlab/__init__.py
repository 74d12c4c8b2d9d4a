"""convlab: convolution arithmetic that explains itself, checked against PyTorch.

Import it in a notebook as well as in the app; it never imports streamlit.

>>> import convlab
>>> convlab.conv1d([1, 0, 2, 2, 3, 1], [3, 2, 2]).tolist()
[7.0, 8.0, 16.0, 14.0]
"""

from convlab.errors import ConvlabError
from convlab.arithmetic import (PADDING_MODES, LayerStats, RFStep, SizeExplanation, conv_layer_stats,
                                explain_output_size, output_size, pool_layer_stats, receptive_field, stack_stats,
                                resolve_padding, resolve_padding2d, same_padding_options)
from convlab.ops import (ConvStep, PoolStep, StepTrace, conv1d, conv1d_steps, conv2d, conv2d_steps, pool1d,
                         pool1d_argmax, pool1d_steps, pool2d, pool2d_argmax, pool2d_steps)
from convlab.matrices import (MatrixSizes, col2im, conv1d_matrix, conv_matrix, conv_transpose2d, im2col,
                              matrix_sizes)
from convlab.backward import ConvGradients, conv1d_backward, conv2d_backward, pool1d_backward, pool2d_backward
from convlab.attribution import occlusion
from convlab.images import load_image
from convlab.variants import VariantCount, tiled_conv2d, unshared_conv2d, variant_param_counts
from convlab.layers import ACTIVATION_TYPES, LAYERS, new_layer
from convlab.models import stack_rows
from convlab.data import drawing_to_image

__all__ = [
    "ConvlabError",
    "PADDING_MODES", "output_size", "resolve_padding", "same_padding_options", "resolve_padding2d", "explain_output_size",
    "SizeExplanation", "LayerStats", "conv_layer_stats", "pool_layer_stats", "stack_stats", "receptive_field", "RFStep",
    "conv1d", "conv2d", "conv1d_steps", "conv2d_steps", "ConvStep", "StepTrace",
    "pool1d", "pool2d", "pool1d_argmax", "pool2d_argmax", "pool1d_steps", "pool2d_steps", "PoolStep",
    "im2col", "col2im", "conv_matrix", "conv1d_matrix", "conv_transpose2d", "MatrixSizes", "matrix_sizes",
    "ConvGradients", "conv1d_backward", "conv2d_backward", "pool1d_backward", "pool2d_backward",
    "unshared_conv2d", "tiled_conv2d", "VariantCount", "variant_param_counts",
    "load_image", "occlusion",
    "LAYERS", "ACTIVATION_TYPES", "new_layer", "stack_rows", "drawing_to_image",
]
