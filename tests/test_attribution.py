"""convlab.occlusion against Captum's Occlusion (the oracle), and the Zeiler–Fergus grid."""

import numpy as np
import pytest
import torch
import torch.nn as nn
from captum.attr import Occlusion

import convlab
from convlab import ConvlabError
from convlab.attribution import occlusion_grid, occlusion_positions


def tinyvgg(channels=3, classes=4, side=16):
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(channels, 10, 3, padding=1), nn.ReLU(), nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(10 * (side // 4) ** 2, classes)).eval()


@pytest.mark.parametrize("window, stride, baseline, target", [
    ((4, 4), (2, 2), 0.0, 0), ((3, 5), (3, 2), 0.5, 1), ((5, 5), (4, 4), -1.0, 3), ((2, 2), (1, 1), 0.0, 2),
    ((16, 16), (1, 1), 0.3, 0), ((6, 3), (5, 3), "mean", 1),
])
def test_occlusion_equals_captum(window, stride, baseline, target):
    model = tinyvgg()
    image = torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(1))
    base = image.mean() if baseline == "mean" else baseline
    want = Occlusion(model).attribute(image[None], sliding_window_shapes=(3, *window), strides=(3, *stride),
                                      baselines=base, target=target)[0]
    got = convlab.occlusion(model, image, target, window, stride, baseline=float(base))
    assert got.shape == (16, 16)
    for c in range(3):                                  # the window spans all channels: every channel is the same
        np.testing.assert_allclose(got, want[c].numpy(), atol=1e-5)


def test_occlusion_with_an_image_shaped_baseline_and_numpy_input():
    model = tinyvgg(channels=1, classes=3, side=8)
    image = np.random.default_rng(2).random((1, 8, 8)).astype(np.float32)
    blur = np.full_like(image, image.mean())
    want = Occlusion(model).attribute(torch.from_numpy(image)[None], sliding_window_shapes=(1, 3, 3),
                                      strides=(1, 2, 2), baselines=torch.from_numpy(blur)[None], target=2)[0, 0]
    np.testing.assert_allclose(convlab.occlusion(model, image, 2, 3, 2, baseline=blur), want.numpy(), atol=1e-5)


def test_grid_and_positions():
    model = tinyvgg()
    image = torch.rand(3, 16, 16)
    grid = occlusion_grid(model, image, 1, (4, 4), (4, 4))
    assert grid.shape == (4, 4) and ((0 <= grid) & (grid <= 1)).all()
    with torch.no_grad():
        x = image.clone()
        x[:, 4:8, 8:12] = 0
        p = torch.softmax(model(x[None]), 1)[0, 1]
    assert grid[1, 2] == pytest.approx(float(p), abs=1e-6)
    assert len(occlusion_positions((16, 16), (5, 5), (4, 4))) == 16      # ⌈11/4⌉ + 1 = 4 per axis
    seen = []
    convlab.occlusion(model, image, 0, (8, 8), (4, 4), batch=3, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (9, 9)


class Wrapped(nn.Module):
    """Not an nn.Sequential: occlusion must fall back to full (batched) recomputation."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)


@pytest.mark.parametrize("window, stride", [((4, 4), (2, 2)), ((5, 3), (5, 3)), ((7, 7), (3, 3))])
def test_incremental_and_full_recomputation_agree_with_captum(window, stride):
    """The fast path (only the occluded region is recomputed) and the plain batched path give Captum's map."""
    from convlab.attribution import _plan
    model = tinyvgg()
    assert _plan(model) is not None and _plan(Wrapped(model)) is None
    image = torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(3))
    want = Occlusion(model).attribute(image[None], sliding_window_shapes=(3, *window), strides=(3, *stride),
                                      baselines=0.2, target=2)[0, 0].numpy()
    fast = convlab.occlusion(model, image, 2, window, stride, baseline=0.2)
    full = convlab.occlusion(Wrapped(model), image, 2, window, stride, baseline=0.2, batch=5)
    np.testing.assert_allclose(fast, want, atol=1e-5)
    np.testing.assert_allclose(full, want, atol=1e-5)
    np.testing.assert_allclose(occlusion_grid(model, image, 2, window, stride),
                               occlusion_grid(Wrapped(model), image, 2, window, stride), atol=1e-6)


def test_incremental_path_with_strided_conv_avg_pool_and_a_deeper_head():
    torch.manual_seed(4)
    model = nn.Sequential(nn.Conv2d(3, 6, 5, stride=2, padding=2), nn.BatchNorm2d(6), nn.Tanh(), nn.AvgPool2d(3, 2),
                          nn.Conv2d(6, 4, 3, padding=0), nn.ELU(), nn.Flatten(), nn.Linear(4 * 5 * 5, 8), nn.ReLU(),
                          nn.Linear(8, 3)).eval()
    image = torch.rand(3, 30, 30)
    want = Occlusion(model).attribute(image[None], sliding_window_shapes=(3, 6, 6), strides=(3, 4, 4),
                                      baselines=0.0, target=1)[0, 0].numpy()
    np.testing.assert_allclose(convlab.occlusion(model, image, 1, 6, 4), want, atol=1e-5)


@pytest.mark.parametrize("args, message", [
    (dict(window=(20, 4)), "window 20×4 is larger than the image 16×16"),
    (dict(stride=(5, 5)), "stride 5×5 is larger than the window 4×4"),
    (dict(target=9), "target 9 does not exist: the model has 4 outputs"),
    (dict(target=-1), "target must be a class index"),
    (dict(baseline=np.zeros((2, 2))), "baseline must be one number or an array shaped like the image"),
])
def test_bad_occlusion_settings(args, message):
    kw = dict(target=0, window=(4, 4), stride=(4, 4)) | args
    with pytest.raises(ConvlabError, match=message):
        convlab.occlusion(tinyvgg(), torch.rand(3, 16, 16), **kw)
