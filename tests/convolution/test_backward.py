"""The backward views against autograd."""

import numpy as np
import pytest
import torch.nn.functional as F

import convlab
import oracle
from oracle import cases, valid_cases


def _autograd_conv2d(c, g, flip):
    (t, b), (l, r) = convlab.resolve_padding2d(c["x"].shape[1:], c["w"].shape[2:], c["stride"], c["padding"], c["dilation"])
    x, w, bias = oracle.T(c["x"], True), oracle.T(c["w"], True), oracle.T(c["bias"], True)
    y = F.conv2d(F.pad(x[None], (l, r, t, b)), w.flip(-1, -2) if flip else w, bias, c["stride"], 0, c["dilation"])[0]
    y.backward(oracle.T(g))
    return x.grad.numpy(), w.grad.numpy(), bias.grad.numpy()


def test_conv2d_backward_matches_autograd():
    for seed, c in valid_cases(oracle.random_conv2d_case, convlab.conv2d):
        for flip in (False, True):
            y = convlab.conv2d(**c, flip=flip)
            g = np.random.default_rng(seed).normal(size=y.shape)
            got = convlab.conv2d_backward(c["x"], c["w"], g, c["stride"], c["padding"], c["dilation"], flip)
            gx, gw, gb = _autograd_conv2d(c, g, flip)
            np.testing.assert_allclose(got.grad_x, gx, atol=1e-10, err_msg=f"seed {seed}")
            np.testing.assert_allclose(got.grad_w, gw, atol=1e-10, err_msg=f"seed {seed}")
            np.testing.assert_allclose(got.grad_b, gb, atol=1e-10, err_msg=f"seed {seed}")


def test_conv2d_backward_is_the_matrix_form_of_the_notes():
    """dL/dW = dL/dY · X̂ᵀ and dL/dX = col2im(Wᵀ · dL/dY) (seed 001)."""
    for seed, c in valid_cases(oracle.random_conv2d_case, convlab.conv2d, 40):
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


def test_conv1d_backward_matches_autograd():
    for seed, c in valid_cases(oracle.random_conv1d_case, convlab.conv1d):
        y = convlab.conv1d(**c)
        g = np.random.default_rng(seed).normal(size=y.shape)
        pads = convlab.resolve_padding(c["x"].shape[1], c["w"].shape[2], c["stride"], c["padding"], c["dilation"])
        x, w = oracle.T(c["x"], True), oracle.T(c["w"], True)
        F.conv1d(F.pad(x[None], pads), w, None, c["stride"], 0, c["dilation"])[0].backward(oracle.T(g))
        got = convlab.conv1d_backward(c["x"], c["w"], g, c["stride"], c["padding"], c["dilation"])
        np.testing.assert_allclose(got.grad_x, x.grad.numpy(), atol=1e-10, err_msg=f"seed {seed}")
        np.testing.assert_allclose(got.grad_w, w.grad.numpy(), atol=1e-10, err_msg=f"seed {seed}")
        np.testing.assert_allclose(got.grad_b, g.sum(axis=1), atol=1e-10)


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
def test_pool2d_backward_matches_autograd(mode):
    for seed, c in cases(_pool_case):
        x = oracle.T(c["x"], True)
        fn = F.max_pool2d if mode == "max" else F.avg_pool2d
        y = fn(x[None], c["kernel_size"], c["stride"], c["padding"])[0]
        g = np.random.default_rng(seed).normal(size=tuple(y.shape))
        y.backward(oracle.T(g))
        got = convlab.pool2d_backward(c["x"], g, c["kernel_size"], c["stride"], c["padding"], mode)
        np.testing.assert_allclose(got, x.grad.numpy(), atol=1e-12, err_msg=f"seed {seed}")


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool1d_backward_matches_autograd(mode):
    for seed, c in cases(_pool_case, 100):
        xv, k, s, p = c["x"][:, 0], c["kernel_size"][1], c["stride"][1], c["padding"][1]
        x = oracle.T(xv, True)
        fn = F.max_pool1d if mode == "max" else F.avg_pool1d
        y = fn(x[None], k, s, p)[0]
        g = np.random.default_rng(seed).normal(size=tuple(y.shape))
        y.backward(oracle.T(g))
        np.testing.assert_allclose(convlab.pool1d_backward(xv, g, k, s, p, mode), x.grad.numpy(), atol=1e-12)


def test_written_out_gradients_add_up_to_autograd():
    from convlab.convolution.backward import explain_grad_w, explain_grad_x
    for seed, c in valid_cases(oracle.random_conv2d_case, convlab.conv2d, 25):
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


def test_grad_x_is_a_transposed_convolution():
    from convlab.convolution.backward import grad_x_by_transposed_conv
    checked = 0
    for seed, c in valid_cases(oracle.random_conv2d_case, convlab.conv2d, 200):
        kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
        y = convlab.conv2d(c["x"], c["w"], **kw)
        g = np.random.default_rng(seed).normal(size=y.shape)
        try:
            gx, op = grad_x_by_transposed_conv(c["x"], c["w"], g, **kw)
        except convlab.ConvlabError:
            continue                       # asymmetric padding
        np.testing.assert_allclose(gx, convlab.conv2d_backward(c["x"], c["w"], g, **kw).grad_x, atol=1e-10)
        checked += 1
    assert checked > 100
