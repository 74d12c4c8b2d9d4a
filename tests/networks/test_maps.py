"""Inside a network: each layer's maps against torch run layer by layer, and the filter behind each map;
photos fitted to a model's input; the shift experiment on real images against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab
from convlab.images.load import fit_to_input
from convlab.convolution.invariance import shift_change
from convlab.networks.layers import global_pool_class
from convlab.networks.models import PRESETS, preset
from convlab.networks.maps import layer_maps, random_model
from convlab.datasets.photos import sample_image


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 32, 32)])
@torch.no_grad()
def test_layer_maps_follow_the_model_layer_by_layer(name, shape):
    model = random_model(preset(name), shape, 4, seed=1).double()
    x = np.random.default_rng(0).normal(size=shape)
    layers = layer_maps(model, x)
    h = torch.tensor(x)[None]
    flat = (torch.nn.Flatten, torch.nn.Linear, global_pool_class())        # global pooling: one number per channel
    spatial = [m for m in model if not isinstance(m, flat)]
    spatial = spatial[:next((i for i, m in enumerate(model) if isinstance(m, flat)), len(model))]
    assert len(layers) == len(spatial)
    for layer in layers:
        m = model[layer.index]
        if isinstance(m, torch.nn.Conv2d):
            # the map is the conv of the previous layer's output with the weight it reports, in convlab and torch
            want = F.conv2d(h, torch.tensor(layer.weight), torch.tensor(layer.bias), m.stride, m.padding)[0]
            np.testing.assert_allclose(layer.maps, want.numpy(), atol=1e-10)
            np.testing.assert_allclose(
                convlab.conv2d(h[0].numpy(), layer.weight, layer.bias, stride=m.stride, padding=m.padding[0]),
                layer.maps, atol=1e-8)
            assert layer.title.split(" · ")[1].startswith(f"conv {m.in_channels}→{m.out_channels}")
        else:
            assert layer.weight is None
        h = m(h)
        np.testing.assert_allclose(layer.maps, h[0].detach().numpy(), atol=1e-10)
        assert layer.title.endswith("×".join(map(str, layer.maps.shape)))


def test_random_model_is_seeded_and_layer_maps_refuses_what_does_not_fit():
    a, b = random_model(preset("small"), (1, 8, 8), 3, seed=4), random_model(preset("small"), (1, 8, 8), 3, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    with pytest.raises(convlab.ConvlabError, match="reads 1 channel"):
        layer_maps(a, np.zeros((3, 8, 8)))
    with pytest.raises(convlab.ConvlabError, match="one image"):
        layer_maps(a, np.zeros((8, 8)))
    with pytest.raises(convlab.ConvlabError, match="does not fit"):
        layer_maps(a, np.zeros((1, 16, 16)))        # the linear layer wants 8×8 input, but maps stop before it
    assert a.training is False


def test_fit_to_input_crops_resizes_greys_and_inverts():
    photo = sample_image("china.jpg", 256)                     # 256×~171
    x = fit_to_input(photo, (3, 32, 32))
    assert x.shape == (3, 32, 32) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    side = photo.shape[0]
    left = (photo.shape[1] - side) // 2
    want = F.adaptive_avg_pool2d(torch.tensor(photo[:, left:left + side]).permute(2, 0, 1)[None], 32)[0]
    assert np.abs(x - want.numpy()).mean() < 0.02              # BOX resize ~ area average of the centre square
    g = fit_to_input(photo, (1, 8, 8))
    np.testing.assert_allclose(g[0], fit_to_input(photo, (3, 8, 8)).mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(fit_to_input(photo, (1, 8, 8), invert=True), 1 - g, atol=1e-6)
    with pytest.raises(convlab.ConvlabError, match="grey"):
        fit_to_input(photo, (2, 8, 8))


@pytest.mark.parametrize("seed", range(8))
def test_shift_change_matches_torch(seed):
    rng = np.random.default_rng(seed)
    img, ks = rng.random((3, 24, 30)), rng.normal(size=(4, 3, 3, 3))
    dx, pool = int(rng.integers(1, 5)), int(rng.integers(2, 5))
    c = shift_change(img, ks, dx, pool)
    x = torch.tensor(img)[None]
    xs = torch.zeros_like(x)
    xs[..., dx:] = x[..., :-dx]
    f = lambda z: F.relu(F.conv2d(z, torch.tensor(ks), padding="same"))[0]
    m = dx + 3
    a, b = f(xs)[..., m:-m], f(x)[..., m:-m]
    assert c.conv == pytest.approx(float((a - b).norm() / b.norm()), rel=1e-9)
    assert c.aligned == pytest.approx(float((a - f(x)[..., m - dx:-m - dx]).norm() / b.norm()), abs=1e-12)
    assert c.aligned < 1e-12
    mp = -(-m // pool)
    pa, pb = F.max_pool2d(f(xs)[None], pool)[0][..., mp:-mp], F.max_pool2d(f(x)[None], pool)[0][..., mp:-mp]
    assert c.pooled == pytest.approx(float((pa - pb).norm() / pb.norm()), rel=1e-9)
    assert f"{dx} px" in c.text() and f"{pool}×{pool}" in c.text()


@pytest.mark.parametrize("name", ["small", "lenet", "tinyvgg", "deep_residual"])
def test_explain_map_recomputes_conv_pool_and_activation_maps_from_the_layer_before(name):
    from convlab.networks.maps import explain_map
    model = random_model(preset(name), (3, 16, 16), 4, seed=2).double()
    x = np.random.default_rng(1).random((3, 16, 16))
    layers = layer_maps(model, x)
    before = x
    for layer in layers:
        for k in (0, layer.maps.shape[0] - 1):
            text, again = explain_map(layer, before, k)
            assert text.startswith(f"map {k}")
            if layer.kind in ("conv", "pool", "act"):
                np.testing.assert_allclose(again, layer.maps[k], atol=1e-9)
            else:
                assert again is None
        before = layer.maps
