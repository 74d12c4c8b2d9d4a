"""im2col/col2im, the Toeplitz matrix and transposed convolution against F.unfold, F.fold, F.conv2d
and F.conv_transpose2d."""

import numpy as np
import pytest
import scipy.sparse
import torch.nn.functional as F

import convlab
import oracle
from oracle import CASES, case, cases, check_op, per_seed, valid_case


def _pads(c):
    return convlab.resolve_padding2d(c["x"].shape[1:], c["w"].shape[2:], c["stride"], c["padding"], c["dilation"])


def _unfold_args(c):
    return dict(kernel_size=c["w"].shape[2:], stride=c["stride"], padding=c["padding"], dilation=c["dilation"])


def _valid(seed):
    return valid_case(oracle.random_conv2d_case, convlab.conv2d, seed)


@per_seed(range(CASES))
def test_im2col_is_f_unfold(seed):
    if (c := _valid(seed)) is None:
        return                                               # refused: tests/convolution/test_conv.py checks that
    (t, b), (l, r) = _pads(c)
    check_op(convlab.im2col, lambda x: F.unfold(F.pad(x[None], (l, r, t, b)), c["w"].shape[2:], c["dilation"], 0,
                                                c["stride"])[0],
             dict(x=c["x"]), _unfold_args(c), {}, atol=0, rtol=0, label=f"seed {seed}")


def test_im2col_with_symmetric_padding_is_f_unfold_with_padding():
    x = np.random.default_rng(0).normal(size=(2, 6, 7))
    want = F.unfold(oracle.T(x)[None], (3, 2), dilation=(1, 2), padding=(1, 2), stride=(2, 1))[0]
    np.testing.assert_array_equal(convlab.im2col(x, (3, 2), (2, 1), (1, 2), (1, 2)), want.numpy())


@per_seed(range(CASES))
def test_col2im_is_f_fold(seed):
    if (c := _valid(seed)) is None:
        return
    cols = convlab.im2col(c["x"], **_unfold_args(c))
    cols = np.random.default_rng(seed).normal(size=cols.shape)
    (t, b), (l, r) = _pads(c)
    hp, wp = c["x"].shape[1] + t + b, c["x"].shape[2] + l + r

    def fold(cols):
        return F.fold(cols[None], (hp, wp), c["w"].shape[2:], c["dilation"], 0, c["stride"])[0][:, t:hp - b, l:wp - r]
    check_op(convlab.col2im, fold, dict(cols=cols), dict(input_shape=c["x"].shape, **_unfold_args(c)), {}, atol=1e-12,
             label=f"seed {seed}")


@oracle.each_seed(oracle.valid_seeds(oracle.random_conv2d_case, convlab.conv2d, 50))
def test_conv_is_weights_times_im2col(seed):
    """Y = W·X̂ + b, the forward pass of the notes."""
    c = case(oracle.random_conv2d_case, seed)
    y = c["w"].reshape(len(c["w"]), -1) @ convlab.im2col(c["x"], **_unfold_args(c)) + c["bias"][:, None]
    np.testing.assert_allclose(y.reshape(convlab.conv2d(**c).shape), convlab.conv2d(**c), atol=1e-10)


@pytest.mark.parametrize("sparse", [False, True])
@per_seed(range(150))
def test_conv_matrix_times_x_is_conv2d(seed, sparse):
    if (c := _valid(seed)) is None:
        return
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    m = convlab.conv_matrix(c["x"].shape, c["w"], sparse=sparse, **kw)
    assert scipy.sparse.issparse(m) == sparse
    pads = _pads(c)
    want = oracle.conv2d(c["x"], c["w"], None, c["stride"], pads, c["dilation"]).ravel()
    np.testing.assert_allclose(m @ c["x"].ravel(), want, atol=1e-10, err_msg=f"seed {seed}")


@per_seed(range(100))
def test_conv1d_matrix_times_x_is_conv1d(seed):
    if (c := valid_case(oracle.random_conv1d_case, convlab.conv1d, seed)) is None:
        return
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    m = convlab.conv1d_matrix(c["x"].shape, c["w"], **kw)
    np.testing.assert_allclose(m @ c["x"].ravel(), convlab.conv1d(c["x"], c["w"], **kw).ravel(), atol=1e-10)


def test_conv_matrix_flip_and_auto_sparsity():
    w = np.arange(1.0, 5.0).reshape(2, 2)
    x = np.random.default_rng(1).normal(size=(5, 5))
    np.testing.assert_allclose(convlab.conv_matrix(x.shape, w, flip=True) @ x.ravel(), convlab.conv2d(x, w, flip=True).ravel())
    assert isinstance(convlab.conv_matrix((8, 8), w), np.ndarray)
    big = convlab.conv_matrix((224, 224), np.ones((3, 3)))
    assert scipy.sparse.isspmatrix_csr(big) and big.shape == (222 * 222, 224 * 224) and big.nnz == 9 * 222 * 222
    with pytest.raises(convlab.ConvlabError, match="use sparse=True"):
        convlab.conv_matrix((224, 224), np.ones((3, 3)), sparse=False)


def _random_transpose_case(rng):
    o, c = (int(v) for v in rng.integers(1, 4, size=2))
    k = tuple(int(v) for v in rng.integers(1, 5, size=2))
    s = tuple(int(v) for v in rng.integers(1, 4, size=2))
    d = tuple(int(v) for v in rng.integers(1, 3, size=2))
    p = tuple(int(v) for v in rng.integers(0, 3, size=2))
    op = tuple(int(rng.integers(0, max(ss, dd))) for ss, dd in zip(s, d))
    y = rng.normal(size=(o, int(rng.integers(1, 6)), int(rng.integers(1, 6))))
    return dict(y=y, w=rng.normal(size=(o, c, *k)), bias=rng.normal(size=c), stride=s, padding=p, dilation=d,
                output_padding=op)


def _torch_transpose(y, w, bias, *, stride, padding, dilation, output_padding):
    return F.conv_transpose2d(y[None], w, bias, stride, padding, output_padding, 1, dilation)[0]


@per_seed(range(CASES))
def test_conv_transpose2d_matches_torch_and_refuses_what_torch_refuses(seed):
    c = case(_random_transpose_case, seed)
    args = {k: c[k] for k in ("stride", "padding", "dilation", "output_padding")}
    check_op(convlab.conv_transpose2d, _torch_transpose, dict(y=c["y"], w=c["w"], bias=c["bias"]), args, atol=1e-10,
             refuses=True, label=f"seed {seed}")


def test_conv_transpose2d_random_configs_are_mostly_valid():
    """Fewer than 100 of the random configurations are refused (each refusal is checked against torch's above)."""
    refused = 0
    for _seed, c in cases(_random_transpose_case):
        try:
            convlab.conv_transpose2d(**c)
        except convlab.ConvlabError:
            refused += 1
    assert refused < 100


@per_seed(range(150))
def test_conv_transpose2d_is_the_transposed_matrix(seed):
    """conv_transpose2d(y) == Tᵀ y, where T is the conv_matrix of the forward conv that maps x to y."""
    c = case(_random_transpose_case, seed)
    try:
        out = convlab.conv_transpose2d(c["y"], c["w"], None, c["stride"], c["padding"], c["dilation"], c["output_padding"])
    except convlab.ConvlabError:
        return
    m = convlab.conv_matrix(out.shape, c["w"], c["stride"], c["padding"], c["dilation"])
    fwd = convlab.conv2d(np.zeros(out.shape), c["w"], None, c["stride"], c["padding"], c["dilation"]).shape
    # output_padding >= stride (allowed when dilation > stride) gives the forward conv extra trailing
    # outputs; the transpose uses only the rows of the outputs y has
    keep = np.zeros(fwd, dtype=bool)
    keep[:, :c["y"].shape[1], :c["y"].shape[2]] = True
    assert keep.sum() == c["y"].size, seed
    np.testing.assert_allclose(m[keep.ravel()].T @ c["y"].ravel(), out.ravel(), atol=1e-10, err_msg=f"seed {seed}")


def test_conv_transpose2d_refusals_are_explained():
    with pytest.raises(convlab.ConvlabError, match="output_padding 2 must be smaller than the stride"):
        convlab.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=2, output_padding=2)
    with pytest.raises(convlab.ConvlabError, match="crops away the whole"):
        convlab.conv_transpose2d(np.ones((1, 1)), np.ones((1, 1)), padding=1)
    with pytest.raises(convlab.ConvlabError, match="numbers only"):
        convlab.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), padding="same")


@per_seed(range(80))
def test_matrix_sizes_match_the_built_matrices(seed):
    if (c := _valid(seed)) is None:
        return
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    sizes = convlab.matrix_sizes(c["x"].shape, c["w"], **kw)
    m = convlab.conv_matrix(c["x"].shape, c["w"], sparse=True, **kw)
    assert sizes.toeplitz_shape == m.shape and sizes.dense_bytes == m.shape[0] * m.shape[1] * 8
    assert sizes.toeplitz_nnz == np.count_nonzero(convlab.conv_matrix(c["x"].shape, np.ones_like(c["w"]), **kw)), seed
    cols = convlab.im2col(c["x"], c["w"].shape[2:], **kw)
    assert sizes.im2col_shape == cols.shape and sizes.im2col_bytes == cols.nbytes
