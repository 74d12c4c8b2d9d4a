"""convlab: convolution arithmetic that explains itself, checked against PyTorch.

Import it in a notebook as well as in the app; it never imports streamlit.

>>> import convlab
>>> convlab.conv1d([1, 0, 2, 2, 3, 1], [3, 2, 2]).tolist()
[7.0, 8.0, 16.0, 14.0]
"""

from convlab.errors import ConvlabError
from convlab._core.check import Check
from convlab._core.format import num as format_number, signed as format_signed
from convlab.convolution.arithmetic import (PADDING_MODES, LayerStats, RFStep, SizeExplanation, conv_layer_stats,
                                explain_output_size, output_size, pool_layer_stats, receptive_field, stack_stats,
                                resolve_padding, resolve_padding2d, resolve_padding3d, same_padding_options)
from convlab.convolution.conv import ConvStep, StepTrace, conv1d, conv1d_steps, conv2d, conv2d_steps
from convlab.convolution.pool import PoolStep, pool1d, pool1d_argmax, pool1d_steps, pool2d, pool2d_argmax, pool2d_steps
from convlab.convolution.matrices import (MatrixSizes, col2im, conv1d_matrix, conv_matrix, conv_transpose2d, im2col,
                              matrix_sizes)
from convlab.convolution.backward import ConvGradients, conv1d_backward, conv2d_backward, pool1d_backward, pool2d_backward
from convlab.images.explain.occlusion import occlusion
from convlab.images.explain.gradients import cam_layers, default_cam_layer, grad_cam, grad_cam_steps, saliency, saliency_steps
from convlab.images.load import load_image
from convlab.networks.bundled import METHODS, explain, fit_input, predict
from convlab.images.explain.compare import (Agreement, PairAgreement, SanityCheck, SanityStep, attribution_maps, map_agreement,
                                  maps_on_photo, randomisation_cascade, rank_correlation, sanity_check, top_overlap)
from convlab.convolution.locally_connected import VariantCount, tiled_conv2d, unshared_conv2d, variant_param_counts
from convlab.deep.norm import (BatchNormGradients, BatchNormSteps, BatchSizeEffect, RunningStats, batch_norm,
                          batch_norm_backward, batch_norm_eval, batch_norm_steps, batch_size_effect, running_stats)
from convlab.deep.dropout import DropoutEnsemble, dropout, dropout_ensemble, dropout_mask
from convlab.deep.optim import OptPath, OptStep, Surface, SURFACES, optimize_path, optimizer_step, step_latex, torch_optimizer
from convlab.deep.depth import (ActivationStats, SymmetryRun, activation_stats, deep_net, init_std, init_weights,
                          layer_grad_norms, maxout, maxout_slope, symmetry_run)
from convlab.deep.side_by_side import SideBySide, accuracy, shift_images, small_split, train_side_by_side
from convlab.convolution.conv3d import DimensionCost, conv2d_vs_conv3d, conv3d, conv3d_steps
from convlab.convolution.grouped import (CostRow, SeparableStats, conv_cost_table, group_connectivity, pointwise_conv,
                             separable_conv_stats)
from convlab.sequences.signals import CausalStack, causal_stack, spectrogram
from convlab.networks.layers import ACTIVATION_TYPES, LAYERS, new_layer
from convlab.networks.models import stack_rows
from convlab.datasets.drawings import drawing_to_image
from convlab.images.gram import StyleExample, content_loss, gram_matrix, style_example, style_loss
from convlab.images.style_transfer import StyleTransfer, style_transfer, texture_features
from convlab.images.featvis import FeatureVis, feature_visualisation
from convlab.images.patches import Field, Patch, TopPatches, patch_layers, top_patches, unit_field, unit_from_patch
from convlab.view.export import export_html
from convlab.view.widget import show
from convlab.images.find_faces import FaceSearch, ScaleMap, face_heat_maps, find_faces

__all__ = [
    "ConvlabError", "Check", "format_number", "format_signed",
    "PADDING_MODES", "output_size", "resolve_padding", "same_padding_options", "resolve_padding2d", "explain_output_size",
    "SizeExplanation", "LayerStats", "conv_layer_stats", "pool_layer_stats", "stack_stats", "receptive_field", "RFStep",
    "conv1d", "conv2d", "conv1d_steps", "conv2d_steps", "ConvStep", "StepTrace",
    "pool1d", "pool2d", "pool1d_argmax", "pool2d_argmax", "pool1d_steps", "pool2d_steps", "PoolStep",
    "im2col", "col2im", "conv_matrix", "conv1d_matrix", "conv_transpose2d", "MatrixSizes", "matrix_sizes",
    "ConvGradients", "conv1d_backward", "conv2d_backward", "pool1d_backward", "pool2d_backward",
    "unshared_conv2d", "tiled_conv2d", "VariantCount", "variant_param_counts",
    "load_image", "occlusion", "saliency", "saliency_steps", "grad_cam", "grad_cam_steps",
    "batch_norm", "batch_norm_steps", "batch_norm_backward", "batch_norm_eval", "running_stats", "batch_size_effect",
    "BatchNormSteps", "BatchNormGradients", "RunningStats", "BatchSizeEffect",
    "dropout", "dropout_mask", "dropout_ensemble", "DropoutEnsemble",
    "SURFACES", "Surface", "OptStep", "OptPath", "optimizer_step", "optimize_path", "step_latex", "torch_optimizer",
    "deep_net", "maxout", "maxout_slope", "layer_grad_norms", "activation_stats", "ActivationStats", "init_weights",
    "init_std", "symmetry_run", "SymmetryRun",
    "train_side_by_side", "SideBySide", "small_split", "shift_images", "accuracy",
    "resolve_padding3d", "conv3d", "conv3d_steps", "conv2d_vs_conv3d", "DimensionCost",
    "group_connectivity", "separable_conv_stats", "SeparableStats", "conv_cost_table", "CostRow", "pointwise_conv",
    "spectrogram", "causal_stack", "CausalStack",
    "predict", "explain", "fit_input", "METHODS", "default_cam_layer", "cam_layers",
    "attribution_maps", "maps_on_photo", "map_agreement", "rank_correlation", "top_overlap", "Agreement", "PairAgreement",
    "sanity_check", "randomisation_cascade", "SanityCheck", "SanityStep",
    "LAYERS", "ACTIVATION_TYPES", "new_layer", "stack_rows", "drawing_to_image",
    "gram_matrix", "content_loss", "style_loss", "style_example", "StyleExample",
    "style_transfer", "StyleTransfer", "texture_features", "feature_visualisation", "FeatureVis",
    "top_patches", "unit_field", "unit_from_patch", "patch_layers", "TopPatches", "Patch", "Field",
    "export_html", "show",
    "find_faces", "face_heat_maps", "FaceSearch", "ScaleMap",
]
