"""Bad input raises ConvlabError with a message that names the value and says what to change."""

import math

import numpy as np
import pytest

import convlab
from convlab import ConvlabError

X4 = np.arange(16.0).reshape(4, 4)
K2 = np.ones((2, 2))

BAD = [
    # (call, message fragment)
    (lambda: convlab.conv2d(np.ones((3, 3)), np.ones((5, 5))), "kernel 5×5 is larger than the padded input 3×3"),
    (lambda: convlab.conv2d(np.ones((4, 4)), np.ones((3, 3)), dilation=2), "kernel 3×3 dilated by 2×2 spans 5×5"),
    (lambda: convlab.conv1d(np.ones(3), np.ones(5)), "kernel 5 is larger than the padded input 3"),
    (lambda: convlab.output_size(4, 3, dilation=2), "kernel 3 dilated by 2 spans 5"),
    (lambda: convlab.conv2d(X4, K2, stride=0), "stride must be at least 1; got 0"),
    (lambda: convlab.conv2d(X4, K2, stride=(1, -2)), "stride[1] must be at least 1; got -2"),
    (lambda: convlab.conv1d(np.ones(5), np.ones(2), dilation=0), "dilation must be at least 1; got 0"),
    (lambda: convlab.conv1d(np.ones(5), np.ones(2), stride=1.5), "stride must be a whole number; got 1.5"),
    (lambda: convlab.conv2d(X4, K2, padding=-1), "padding must be 0 or more; got -1"),
    (lambda: convlab.conv1d(np.ones(5), np.ones(2), padding=(0, -1)), "padding after must be 0 or more; got -1"),
    (lambda: convlab.conv2d(np.ones((2, 4, 4)), np.ones((1, 3, 2, 2))), "channel mismatch: w has shape (1, 3, 2, 2)"),
    (lambda: convlab.conv1d(np.ones((2, 5)), np.ones((1, 3, 2))), "expects 3 input channel(s), but x has 2"),
    (lambda: convlab.conv2d(X4, [[1, 2], [3]]), "w is ragged: its rows have lengths 2, 1"),
    (lambda: convlab.conv2d(X4, [[1, "a"], [3, 4]]), "w contains 'a', which is not a number"),
    (lambda: convlab.conv2d(X4, [[1, None], [3, 4]]), "w contains None, which is not a number"),
    (lambda: convlab.conv2d(X4, [[1, math.nan], [3, 4]]), "w contains nan at index [0, 1]"),
    (lambda: convlab.conv2d(X4, [[1, 2], [math.inf, 4]]), "w contains inf at index [1, 0]"),
    (lambda: convlab.conv2d(X4, [[1, 1e300], [3, 4]]), "w contains 1e+300 at index [0, 1]; use values between -1e+15 and 1e+15"),
    (lambda: convlab.conv2d(X4, np.ones((3, 3, 3))), "w must have shape (KH, KW) or (O, C, KH, KW); got shape (3, 3, 3)"),
    (lambda: convlab.conv2d(X4, []), "w must have shape"),
    (lambda: convlab.conv2d(X4, K2, padding="smae"), "padding 'smae' is not a padding mode"),
    (lambda: convlab.output_size(5, 3, padding="circular"), "padding 'circular' is not a padding mode"),
    (lambda: convlab.conv2d(X4, K2, bias=[1, 2]), "bias has 2 values but there are 1 filters"),
    (lambda: convlab.conv2d(X4, K2, flip="yes"), "flip must be True"),
    (lambda: convlab.pool2d(X4, 2, mode="median"), "mode 'median' is not a pooling mode"),
    (lambda: convlab.pool2d(X4, 3, padding=2), "padding 2 is more than half the pooling window 3"),
    (lambda: convlab.pool2d(X4, 5), "kernel 5×5 is larger than the padded input 4×4"),
    (lambda: convlab.pool1d(np.ones(4), 0), "kernel_size must be at least 1; got 0"),
    (lambda: convlab.im2col(X4, 5), "kernel 5×5 is larger than the padded input 4×4"),
    (lambda: convlab.col2im(np.ones((4, 5)), (4, 4), 2), "cols has shape (4, 5), but input (4, 4)"),
    (lambda: convlab.conv_matrix((3, 3), np.ones((4, 4))), "kernel 4×4 is larger than the padded input 3×3"),
    (lambda: convlab.conv_transpose2d(np.ones((2, 3, 3)), np.ones((1, 1, 2, 2))), "y needs 1 channel(s), but y has 2"),
    (lambda: convlab.conv2d_backward(X4, K2, np.ones((2, 2))),
     "grad_out has shape (2, 2), but the layer's output has shape (3, 3)"),
    (lambda: convlab.pool2d_backward(X4, np.ones((3, 3)), 2),
     "grad_out has shape (3, 3), but the pooled output has shape (2, 2)"),
    (lambda: convlab.unshared_conv2d(X4, np.ones((2, 2, 1, 1, 2, 2))),
     "w has 2×2 kernel positions, but this layer has 3×3 outputs"),
    (lambda: convlab.receptive_field([]), "layers must be a non-empty list"),
    (lambda: convlab.receptive_field([(3, 0)]), "layer 1 stride must be at least 1"),
    (lambda: convlab.conv_layer_stats((32,), 6, 5), "input_shape (32,) must be (C, L), (C, H, W) or (C, D, H, W)"),
    (lambda: convlab.conv2d_steps(X4, K2)[99], "step 99 does not exist: there are 9 steps"),
    (lambda: convlab.conv2d(None, K2), "x is missing"),
    (lambda: convlab.conv2d(X4, K2, stride=True), "stride must be a whole number; got True"),
    # issue 16: groups, causal padding, 3D
    (lambda: convlab.conv2d(np.ones((3, 4, 4)), np.ones((2, 1, 2, 2)), groups=2),
     "groups 2 does not divide the 3 input channel(s) of x: use one of 1, 3"),
    (lambda: convlab.conv2d(np.ones((4, 4, 4)), np.ones((3, 2, 2, 2)), groups=2), "groups 2 does not divide the 3 filter(s)"),
    (lambda: convlab.conv2d(np.ones((4, 4, 4)), np.ones((2, 4, 2, 2)), groups=2),
     "with groups=2 each filter reads 4 / 2 = 2 input channel(s), but w has shape (2, 4, 2, 2)"),
    (lambda: convlab.conv2d(X4, K2, groups=0), "groups must be at least 1; got 0"),
    (lambda: convlab.conv1d(np.ones(8), np.ones(3), stride=2, padding="causal"),
     "padding 'causal' needs stride 1, not 2: causal padding keeps one output per time step"),
    (lambda: convlab.conv2d(X4, K2, padding="causal"), "padding 'causal' is for sequences (conv1d, one time axis), not 2D"),
    (lambda: convlab.conv3d(np.ones((3, 3, 3)), np.ones((3, 3, 3)), padding=("causal", 0, 0)),
     "padding 'causal' is for sequences (conv1d, one time axis), not 3D"),
    (lambda: convlab.conv3d(np.ones((2, 4, 4)), np.ones((3, 3, 3))), "kernel 3×3×3 is larger than the padded input 2×4×4"),
    (lambda: convlab.conv3d(np.ones((4, 4)), np.ones((2, 2, 2))),
     "x must have shape (D, H, W) or (C, D, H, W); got shape (4, 4)"),
    (lambda: convlab.conv3d(np.ones((2, 4, 4, 4)), np.ones((1, 3, 2, 2, 2))),
     "channel mismatch: w has shape (1, 3, 2, 2, 2), so it expects 3 input channel(s), but x has 2"),
    (lambda: convlab.conv3d(np.ones((4, 4, 4)), np.ones((2, 2, 2)), stride=(1, 2)),
     "stride must be one number or a (depth, rows, cols) triple; got (1, 2)"),
    (lambda: convlab.conv3d(np.ones((4, 4, 4)), np.ones((2, 2, 2)), padding=(1, 1)),
     "padding (1, 1) must be one value or a (depth, rows, cols) triple"),
    (lambda: convlab.conv3d_steps(np.ones((3, 3, 3)), np.ones((2, 2, 2)))[8], "step 8 does not exist: there are 8 steps"),
    (lambda: convlab.conv_layer_stats((6, 8, 8), 4, 3, groups=4), "groups 4 must divide both the 6 input channels and the 4"),
    (lambda: convlab.conv_layer_stats((1, 2, 3, 4, 5), 4, 3), "must be (C, L), (C, H, W) or (C, D, H, W)"),
    (lambda: convlab.conv2d_vs_conv3d((3, 8, 8), 4, 3), "input_shape (3, 8, 8) must be (C, D, H, W)"),
    (lambda: convlab.separable_conv_stats((3, 4, 4), 8, 5), "kernel 5×5 is larger than the padded input 4×4"),
    (lambda: convlab.group_connectivity(4, 3, 2), "groups 2 must divide both the 4 input channels and the 3 filters"),
    (lambda: convlab.pointwise_conv(np.ones((3, 2, 2)), np.ones((2, 4))), "w has shape (2, 4), so it mixes 4 channel(s)"),
    (lambda: convlab.spectrogram(np.ones(10), n_fft=16), "n_fft 16 is longer than the signal (10 samples)"),
    (lambda: convlab.causal_stack(2, [], 4), "dilations must be a list of 1 to 12 whole numbers"),
    (lambda: convlab.causal_stack(2, [1, 0], 4), "dilation of layer 2 must be at least 1; got 0"),
    (lambda: convlab.causal_stack(2, [1, 2], -1), "output must be a time step 0 or later; got -1"),
    # a huge kernel or output used to loop for minutes (found by tests/test_fuzz.py: a float 3e9 is a whole number)
    (lambda: convlab.causal_stack(3.0e9, [1], 5), "kernel_size must be at most 16 to be traced; got 3000000000"),
    (lambda: convlab.causal_stack(2, [1], 10**12), "output must be a time step up to 1023 to be traced"),
    # a padding, stride or dilation of 10⁹ used to end in a raw MemoryError / ValueError (or a swapping machine)
    (lambda: convlab.conv2d(np.ones((5, 5)), np.ones((2, 2)), padding=3.0e9),
     "the padded input would be (1, 6000000005, 6000000005): 36,000,000,060,000,000,025 values, more than the "
     "268,435,456 convlab computes with; use less padding"),
    (lambda: convlab.conv1d(np.ones(5), np.ones(2), padding="causal", dilation=10**9),
     "the padded input would be (1, 1, 1000000005)"),
    (lambda: convlab.conv2d_steps(np.ones((5, 5)), np.ones((2, 2)), padding=10**5), "the padded input would be"),
    (lambda: convlab.conv3d(np.ones((4, 4, 4)), np.ones((2, 2, 2)), padding=10**4), "the padded input would be"),
    (lambda: convlab.conv_transpose2d(np.ones((5, 5)), np.ones((2, 2)), stride=10**6),
     "the result before cropping would be (1, 4000002, 4000002)"),
    (lambda: convlab.im2col(np.ones((5, 5)), 10**9), "the kernel would be (1, 1000000000, 1000000000)"),
    (lambda: convlab.im2col(np.ones((3, 300, 300)), 1, padding=6000), "the padded input would be (3, 12300, 12300)"),
    (lambda: convlab.col2im(np.ones((4, 4)), (10**5, 10**5), 2), "the input would be (100000, 100000)"),
]


@pytest.mark.parametrize("call, fragment", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_raises_a_helpful_convlab_error(call, fragment):
    with pytest.raises(ConvlabError) as info:
        call()
    assert fragment in str(info.value)


def test_convlab_error_is_a_value_error():
    assert issubclass(ConvlabError, ValueError)


def test_explaining_a_huge_size_is_refused_not_allocated():
    import convlab
    with pytest.raises(convlab.ConvlabError, match="too long to explain"):
        convlab.explain_output_size(10**12, 3)
    assert convlab.output_size(10**12, 3) == 10**12 - 2


def test_the_size_cap_leaves_room_for_a_megapixel_photo_through_a_9x9_kernel():
    """A notebook's 1024×1024 colour photo through 9×9 kernels ('same' padding) builds 3·81 × 1024² windows: allowed.
    The cap is there for paddings and strides of 10⁹, not for real photos."""
    from convlab._core.validate import MAX_CELLS, check_cells
    check_cells("the windows (im2col)", (3 * 9 * 9, 1024 * 1024))
    check_cells("the padded input", (3, 1024 + 8, 1024 + 8))
    with pytest.raises(convlab.ConvlabError, match="more than the 268,435,456"):
        check_cells("the windows (im2col)", (MAX_CELLS + 1,))
