"""Unshared and tiled convolution against a torch unfold + einsum oracle, and their parameter counts."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import convlab
import oracle
from oracle import per_seed, valid_case


def _torch_unshared(x, w6, stride, pads, dilation):
    (t, b), (l, r) = pads
    cols = F.unfold(F.pad(oracle.T(x)[None], (l, r, t, b)), w6.shape[-2:], dilation, 0, stride)[0]  # (CKK, L)
    oh, ow, o = w6.shape[:3]
    wt = oracle.T(w6).reshape(oh * ow, o, -1)                                                        # (L, O, CKK)
    return torch.einsum("lok,kl->ol", wt, cols).reshape(o, oh, ow).numpy()


@per_seed(range(150))
def test_unshared_conv2d_matches_torch(seed):
    if (c := valid_case(oracle.random_conv2d_case, convlab.conv2d, seed)) is None:
        return                                               # refused: tests/convolution/test_conv.py checks that
    out = convlab.conv2d(**c)
    rng = np.random.default_rng(seed)
    w6 = rng.normal(size=(*out.shape[1:], *c["w"].shape))
    pads = convlab.resolve_padding2d(c["x"].shape[1:], c["w"].shape[2:], c["stride"], c["padding"], c["dilation"])
    got = convlab.unshared_conv2d(c["x"], w6, c["bias"], c["stride"], c["padding"], c["dilation"])
    want = _torch_unshared(c["x"], w6, c["stride"], pads, c["dilation"]) + c["bias"][:, None, None]
    np.testing.assert_allclose(got, want, atol=1e-10, err_msg=f"seed {seed}")
    # the same kernel at every position is ordinary convolution
    shared = np.broadcast_to(c["w"], w6.shape)
    np.testing.assert_allclose(convlab.unshared_conv2d(c["x"], shared, c["bias"], c["stride"], c["padding"], c["dilation"]),
                               out, atol=1e-10)


@per_seed(range(150))
def test_tiled_conv2d_between_convolution_and_unshared(seed):
    if (c := valid_case(oracle.random_conv2d_case, convlab.conv2d, seed)) is None:
        return
    kw = dict(bias=c["bias"], stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    out = convlab.conv2d(**c)
    np.testing.assert_allclose(convlab.tiled_conv2d(c["x"], c["w"][None, None], **kw), out, atol=1e-10)
    rng = np.random.default_rng(seed)
    th, tw = (int(v) for v in rng.integers(1, 4, size=2))
    tiles = rng.normal(size=(th, tw, *c["w"].shape))
    oh, ow = out.shape[1:]
    expanded = tiles[np.arange(oh) % th][:, np.arange(ow) % tw]
    np.testing.assert_allclose(convlab.tiled_conv2d(c["x"], tiles, **kw), convlab.unshared_conv2d(c["x"], expanded, **kw),
                               atol=1e-12)
    # a tile as large as the output is unshared convolution
    full = rng.normal(size=(oh, ow, *c["w"].shape))
    np.testing.assert_allclose(convlab.tiled_conv2d(c["x"], full, **kw), convlab.unshared_conv2d(c["x"], full, **kw))


def test_variant_param_counts():
    c, h, w, o, k = 3, 10, 12, 4, 3
    counts = {v.name: v for v in convlab.variant_param_counts((c, h, w), o, k, tile=(2, 3))}
    oh, ow = h - k + 1, w - k + 1
    assert counts["convolution"].params == sum(p.numel() for p in nn.Conv2d(c, o, k).parameters())
    assert counts["fully connected"].params == sum(p.numel() for p in nn.Linear(c * h * w, o * oh * ow).parameters())
    assert counts["unshared"].params == oh * ow * o * c * k * k + o * oh * ow
    assert counts["tiled 2×3"].params == 6 * o * c * k * k + o
    # each count is what the layer's weight arrays hold
    assert counts["unshared"].weights == np.empty((oh, ow, o, c, k, k)).size
