"""Feature-map building blocks against torch: activations and slopes, hand-made and k-means kernels."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlab.images.kernels import (ACTIVATIONS, activate, activation_slope, feature_maps, hand_made, kmeans_kernels,
                             random_kernels, to_chw)

TORCH = {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "elu": F.elu, "tanh": torch.tanh,
         "sigmoid": torch.sigmoid}   # Leaky ReLU as the notes define it: max(0.1x, x) (seed 003)


@pytest.mark.parametrize("fn", ACTIVATIONS)
def test_activations_and_slopes_match_torch(fn):
    x = torch.linspace(-6, 6, 241, dtype=torch.float64, requires_grad=True)
    y = TORCH[fn](x)
    y.sum().backward()
    np.testing.assert_allclose(activate(x.detach().numpy(), fn), y.detach().numpy(), atol=1e-12)
    mask = np.abs(x.detach().numpy()) > 1e-9                       # the kink at 0 has no single slope
    np.testing.assert_allclose(activation_slope(x.detach().numpy(), fn)[mask], x.grad.numpy()[mask], atol=1e-12)


def test_feature_maps_are_conv_activation_pool_in_torch():
    rng = np.random.default_rng(0)
    img = rng.random((12, 10, 3))
    ks = np.concatenate([hand_made(["Sobel x", "Laplacian"]), random_kernels(2, 3, seed=1)])
    got = feature_maps(img, ks, "relu", pool=2)
    x = torch.tensor(np.transpose(img, (2, 0, 1)))[None]
    want = F.max_pool2d(F.relu(F.conv2d(x, torch.tensor(ks), padding="same")), 2)[0].numpy()
    np.testing.assert_allclose(got, want, atol=1e-12)
    per = hand_made(["Sobel y"], 3, per_channel=True)
    maps = feature_maps(img, per, None)
    np.testing.assert_allclose(maps.sum(axis=0) / 3, feature_maps(img, hand_made(["Sobel y"]), None)[0], atol=1e-12)


def test_kmeans_kernels_are_deterministic_for_a_seed():
    img = np.random.default_rng(3).random((40, 40, 3))
    a, b = kmeans_kernels(img, 6, 5, patches=800, seed=2), kmeans_kernels(img, 6, 5, patches=800, seed=2)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 3, 5, 5)
    assert not np.array_equal(a, kmeans_kernels(img, 6, 5, patches=800, seed=3))
    assert to_chw(img).shape == (3, 40, 40)
