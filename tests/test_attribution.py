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
    assert seen[-1] == (9, 9) and len(seen) == 3


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
