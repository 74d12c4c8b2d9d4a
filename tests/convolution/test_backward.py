"""The backward views against autograd."""

import numpy as np
import pytest
import torch.nn.functional as F

import convlab
import oracle
from oracle import CASES, case, check_op, each_seed, per_seed, valid_case, valid_seeds


def _grads(got, **names):
    """{input name: convlab's gradient} from a backward result: _grads(got, x="grad_x", w="grad_w")."""
    return {name: getattr(got, field) for name, field in names.items()}


@per_seed(range(CASES))
def test_conv2d_backward_matches_autograd(seed):
    c = valid_case(oracle.random_conv2d_case, convlab.conv2d, seed)
    if c is None:
        return                                               # refused: tests/convolution/test_conv.py checks that
    pads = convlab.resolve_padding2d(c["x"].shape[1:], c["w"].shape[2:], c["stride"], c["padding"], c["dilation"])
    for flip in (False, True):
        kw = dict(stride=c["stride"], dilation=c["dilation"], flip=flip)
        check_op(convlab.conv2d, oracle.torch_conv2d, dict(x=c["x"], w=c["w"], bias=c["bias"]),
                 dict(kw, padding=c["padding"]), dict(kw, pads=pads), atol=1e-10, rtol=1e-10,
                 backward=lambda g, flip=flip: _grads(convlab.conv2d_backward(c["x"], c["w"], g, c["stride"], c["padding"],
                                                                   c["dilation"], flip), x="grad_x", w="grad_w", bias="grad_b"),
                 upstream=np.random.default_rng(seed), grad_atol=1e-10, grad_rtol=1e-7, label=f"seed {seed} flip={flip}")


@each_seed(valid_seeds(oracle.random_conv2d_case, convlab.conv2d, 40))
def test_conv2d_backward_is_the_matrix_form_of_the_notes(seed):
    """dL/dW = dL/dY · X̂ᵀ and dL/dX = col2im(Wᵀ · dL/dY) (seed 001)."""
    c = case(oracle.random_conv2d_case, seed)
    y = convlab.conv2d(**c)
    g = np.random.default_rng(seed).normal(size=y.shape)
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    got = convlab.conv2d_backward(c["x"], c["w"], g, **kw)
    cols = convlab.im2col(c["x"], c["w"].shape[2:], **kw)
    np.testing.assert_array_equal(got.cols, cols)
    gy = g.reshape(len(c["w"]), -1)
    np.testing.assert_allclose(got.grad_w, (gy @ cols.T).reshape(c["w"].shape), atol=1e-12)
    wt_gy = c["w"].reshape(len(c["w"]), -1).T @ gy
    np.testing.assert_allclose(got.grad_cols, wt_gy, atol=1e-12)
    np.testing.assert_allclose(got.grad_x, convlab.col2im(wt_gy, c["x"].shape, c["w"].shape[2:], **kw), atol=1e-12)


@per_seed(range(CASES))
def test_conv1d_backward_matches_autograd(seed):
    c = valid_case(oracle.random_conv1d_case, convlab.conv1d, seed)
    if c is None:
        return                                               # refused: tests/convolution/test_conv.py checks that
    pads = convlab.resolve_padding(c["x"].shape[1], c["w"].shape[2], c["stride"], c["padding"], c["dilation"])
    kw = dict(stride=c["stride"], dilation=c["dilation"])
    check_op(convlab.conv1d, oracle.torch_conv1d, dict(x=c["x"], w=c["w"], bias=c["bias"]), dict(kw, padding=c["padding"]),
             dict(kw, pads=pads), atol=1e-10, rtol=1e-10,
             backward=lambda g: _grads(convlab.conv1d_backward(c["x"], c["w"], g, c["stride"], c["padding"], c["dilation"]),
                                       x="grad_x", w="grad_w", bias="grad_b"),
             upstream=np.random.default_rng(seed), grad_atol=1e-10, grad_rtol=1e-7, label=f"seed {seed}")


def test_backward_keeps_the_callers_shapes():
    g = convlab.conv2d_backward(np.ones((4, 4)), np.ones((2, 2)), np.ones((3, 3)))
    assert g.grad_x.shape == (4, 4) and g.grad_w.shape == (2, 2) and np.ndim(g.grad_b) == 0
    g = convlab.conv1d_backward(np.ones(6), np.ones(3), np.ones(4))
    assert g.grad_x.shape == (6,) and g.grad_w.shape == (3,)


def _pool_case(rng):
    c = int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, size=2))
    s = tuple(int(v) for v in rng.integers(1, 4, size=2))
    p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
    x = rng.integers(-2, 3, size=(c, int(rng.integers(k[0], 9)), int(rng.integers(k[1], 9)))).astype(float)
    return dict(x=x, kernel_size=k, stride=s, padding=p)


@pytest.mark.parametrize("mode", ["max", "avg"])
@per_seed(range(CASES))
def test_pool2d_backward_matches_autograd(seed, mode):
    c = case(_pool_case, seed)
    k, s, p = c["kernel_size"], c["stride"], c["padding"]
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    check_op(convlab.pool2d, lambda x: fn(x[None], k, s, p)[0], dict(x=c["x"]),
             dict(kernel_size=k, stride=s, padding=p, mode=mode), {}, atol=1e-12,
             backward=lambda g: dict(x=convlab.pool2d_backward(c["x"], g, k, s, p, mode)),
             upstream=np.random.default_rng(seed), label=f"seed {seed}")


@pytest.mark.parametrize("mode", ["max", "avg"])
@per_seed(range(100))
def test_pool1d_backward_matches_autograd(seed, mode):
    c = case(_pool_case, seed)
    xv, k, s, p = c["x"][:, 0], c["kernel_size"][1], c["stride"][1], c["padding"][1]
    fn = F.max_pool1d if mode == "max" else F.avg_pool1d
    check_op(convlab.pool1d, lambda x: fn(x[None], k, s, p)[0], dict(x=xv),
             dict(kernel_size=k, stride=s, padding=p, mode=mode), {}, atol=1e-12,
             backward=lambda g: dict(x=convlab.pool1d_backward(xv, g, k, s, p, mode)),
             upstream=np.random.default_rng(seed), label=f"seed {seed}")


@each_seed(valid_seeds(oracle.random_conv2d_case, convlab.conv2d, 25))
def test_written_out_gradients_add_up_to_autograd(seed):
    from convlab.convolution.backward import explain_grad_w, explain_grad_x
    c = case(oracle.random_conv2d_case, seed)
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    y = convlab.conv2d(c["x"], c["w"], **kw)
    g = np.random.default_rng(seed).integers(-2, 3, size=y.shape).astype(float)
    grads = convlab.conv2d_backward(c["x"], c["w"], g, **kw)
    for idx in [(0, 0, 0, 0), tuple(s - 1 for s in c["w"].shape)]:
        text = explain_grad_w(c["x"], c["w"], g, idx, **kw)
        terms, total = oracle.caption_value(text)
        assert total == pytest.approx(grads.grad_w[idx], rel=1e-3, abs=1e-3), seed
        assert terms == pytest.approx(total, rel=1e-3, abs=1e-3) and "+ -" not in text, (seed, text)
    for idx in [(0, 0, 0), tuple(s - 1 for s in c["x"].shape)]:
        text = explain_grad_x(c["x"], c["w"], g, idx, **kw)
        total = 0.0 if text.startswith("0 (") else oracle.caption_value(text)[1]
        assert total == pytest.approx(grads.grad_x[idx], rel=1e-3, abs=1e-3), seed


def _transposed_grad_x(seed):
    """(grad_x by transposed convolution, the configuration, upstream g), or None where conv2d refuses the
    configuration or the transposed form does (asymmetric padding)."""
    from convlab.convolution.backward import grad_x_by_transposed_conv
    c = valid_case(oracle.random_conv2d_case, convlab.conv2d, seed)
    if c is None:
        return None
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    g = np.random.default_rng(seed).normal(size=convlab.conv2d(c["x"], c["w"], **kw).shape)
    try:
        gx, _ = grad_x_by_transposed_conv(c["x"], c["w"], g, **kw)
    except convlab.ConvlabError:
        return None                        # asymmetric padding
    return gx, c, g


@per_seed(range(200))
def test_grad_x_is_a_transposed_convolution(seed):
    got = _transposed_grad_x(seed)
    if got is not None:
        gx, c, g = got
        kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
        np.testing.assert_allclose(gx, convlab.conv2d_backward(c["x"], c["w"], g, **kw).grad_x, atol=1e-10)


def test_grad_x_as_a_transposed_convolution_covers_most_random_configs():
    assert sum(_transposed_grad_x(seed) is not None for seed in range(200)) > 100
