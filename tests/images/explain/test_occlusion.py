"""convlab.occlusion against Captum's Occlusion (the oracle), and the Zeiler–Fergus grid.

A seeded table of random architectures (odd and uneven sizes, floor and ceil_mode pooling, padded and
strided pools, strided, dilated, grouped and "same"-padded convs, BatchNorm and Dropout in eval, several
heads) checks the incremental path against Captum and against a float64 brute-force oracle, and checks that
the incremental path is the one that ran."""

import numpy as np
import pytest
import torch
import torch.nn as nn
from captum.attr import Occlusion

import convlab
from convlab import ConvlabError
from convlab.images.explain import incremental as _incremental
from convlab.images.explain.occlusion import occlusion_grid, occlusion_positions, occlusion_views


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
    model = tinyvgg()
    assert _incremental.plan(model).local == 10 and _incremental.plan(Wrapped(model)) is None
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


# ------------------------------------------------------------------ every model the incremental path accepts

def captum_map(model, image, window, stride, baseline, target):
    c = image.shape[0]
    return Occlusion(model).attribute(image[None], sliding_window_shapes=(c, *window), strides=(c, *stride),
                                      baselines=baseline, target=target, perturbations_per_eval=64)[0, 0].numpy()


def brute_force(model, image, window, stride, baseline, target):
    """The float64 oracle, without convlab: (per-pixel map, probability grid), every occluded image run whole."""
    (h, w), (wh, ww), (sh, sw) = image.shape[1:], window, stride
    rows, cols = range(0, h - wh + sh, sh), range(0, w - ww + sw, sw)
    total, count, probs = np.zeros((h, w)), np.zeros((h, w)), np.zeros((len(rows), len(cols)))
    with torch.no_grad():
        plain = float(model(image[None])[0, target])
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                x = image.clone()
                x[:, r:r + wh, c:c + ww] = baseline
                out = model(x[None])[0]
                total[r:r + wh, c:c + ww] += plain - float(out[target])
                count[r:r + wh, c:c + ww] += 1
                probs[i, j] = float(torch.softmax(out, 0)[target])
    return total / count, probs


def _pool(rng):
    k = int(rng.integers(2, 4))
    stride = int(rng.integers(1, 4))                      # 3 with a 2×2 window leaves gaps
    pad = int(rng.integers(0, k // 2 + 1))
    ceil = bool(rng.random() < 0.4)
    if rng.random() < 0.5:
        return nn.MaxPool2d(k, stride, pad, dilation=int(rng.integers(1, 3)), ceil_mode=ceil)
    return nn.AvgPool2d(k, stride, pad, ceil_mode=ceil, count_include_pad=bool(rng.random() < 0.5),
                        divisor_override=int(rng.integers(1, 5)) if rng.random() < 0.15 else None)


def _conv(rng, c_in):
    c_out = int(rng.choice([2, 4, 6]))
    k = tuple(int(v) for v in rng.integers(1, 5, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    groups = 2 if c_in % 2 == 0 and rng.random() < 0.3 else 1
    if rng.random() < 0.2:
        return nn.Conv2d(c_in, c_out, k, padding="same", dilation=dilation, groups=groups)   # even kernels: uneven padding
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
    return nn.Conv2d(c_in, c_out, k, stride, padding, dilation, groups=groups, bias=bool(rng.random() < 0.8))


def _pointwise(rng, channels):
    layers = []
    if rng.random() < 0.4:
        bn = nn.BatchNorm2d(channels)
        bn.running_mean.uniform_(-1, 1), bn.running_var.uniform_(0.5, 2), bn.weight.data.uniform_(0.5, 1.5)
        layers.append(bn)
    if rng.random() < 0.85:
        layers.append([nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.SiLU(),
                       nn.PReLU(channels)][int(rng.integers(0, 8))])
    if rng.random() < 0.25:
        layers.append(nn.Dropout(0.5) if rng.random() < 0.5 else nn.Dropout2d(0.3))
    return layers


HEADS = ("linear", "deep", "adaptive", "dropout")


def _head(kind, features, channels, classes):
    if kind == "linear":
        return [nn.Flatten(), nn.Linear(features, classes)]
    if kind == "deep":
        return [nn.Flatten(), nn.Linear(features, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, classes)]
    if kind == "adaptive":
        return [nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(4 * channels, classes)]
    return [nn.Flatten(), nn.Dropout(0.2), nn.Linear(features, classes)]           # the tail is rerun in full


def random_architecture(seed, dtype=torch.float64):
    """A random eval-mode CNN on a random (C, H, W) image with a random occluder: (model, image, window,
    stride, baseline, target, number of body layers, head kind). Configurations torch refuses are redrawn."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    while True:
        c, h, w = int(rng.integers(1, 4)), int(rng.integers(7, 32)), int(rng.integers(7, 32))
        body, ch = [], c
        for _ in range(int(rng.integers(1, 4))):
            conv = _conv(rng, ch)
            ch = conv.out_channels
            body += [conv, *_pointwise(rng, ch)] + ([_pool(rng)] if rng.random() < 0.6 else [])
        try:
            with torch.no_grad():
                shape = nn.Sequential(*body).eval()(torch.zeros(1, c, h, w)).shape
        except RuntimeError:
            continue
        if min(shape) > 0:
            break
    head, classes = HEADS[seed % len(HEADS)], int(rng.integers(2, 6))
    model = nn.Sequential(*body, *_head(head, int(np.prod(shape[1:])), ch, classes)).to(dtype).eval()
    image = torch.rand(c, h, w, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    wh, ww = int(rng.integers(1, min(h, 7) + 1)), int(rng.integers(1, min(w, 7) + 1))
    stride = (int(rng.integers(1, wh + 1)), int(rng.integers(1, ww + 1)))
    return model, image, (wh, ww), stride, float(rng.normal()), int(rng.integers(0, classes)), len(body), head


@pytest.mark.parametrize("seed", range(80))
def test_random_architectures_equal_captum_and_the_oracle(seed):
    model, image, window, stride, baseline, target, body, head = random_architecture(seed)
    p = _incremental.plan(model)
    assert p is not None and p.local == body and p.linear_head == (head in ("linear", "deep"))   # the fast path ran
    heat, grid = occlusion_views(model, image, target, window, stride, baseline)
    want_heat, want_grid = brute_force(model, image, window, stride, baseline, target)
    np.testing.assert_allclose(heat, want_heat, rtol=1e-9, atol=1e-10, err_msg=f"seed {seed}")
    np.testing.assert_allclose(grid, want_grid, rtol=1e-9, atol=1e-12, err_msg=f"seed {seed}")
    # Captum divides its sums in float32 even for float64 models
    np.testing.assert_allclose(heat, captum_map(model, image, window, stride, baseline, target), rtol=1e-6, atol=1e-6,
                               err_msg=f"seed {seed}")


@pytest.mark.parametrize("seed", range(80, 100))
def test_random_architectures_in_float32_equal_captum(seed):
    model, image, window, stride, baseline, target, _, _ = random_architecture(seed, torch.float32)
    got = convlab.occlusion(model, image, target, window, stride, baseline)
    np.testing.assert_allclose(got, captum_map(model, image, window, stride, baseline, target), rtol=1e-5, atol=1e-5,
                               err_msg=f"seed {seed}")


def two_pools(side, pool):
    torch.manual_seed(side)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), pool(2), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
                         pool(2), nn.Flatten(), nn.Linear(4 * (side // 4) ** 2, 3)).eval()


@pytest.mark.parametrize("window, stride", [((3, 3), (2, 2)), ((4, 4), (3, 3)), ((5, 2), (4, 1)), ((2, 2), (1, 1))])
@pytest.mark.parametrize("side, pool", [(25, nn.MaxPool2d), (18, nn.MaxPool2d), (30, nn.MaxPool2d), (13, nn.MaxPool2d),
                                        (25, nn.AvgPool2d)], ids=["25-max", "18-max", "30-max", "13-max", "25-avg"])
def test_issue_12_odd_sizes_through_conv_pool_conv_pool(side, pool, window, stride):
    """The issue's examples: a pool floors an odd size (25 → 12, 18 → 9 → 4, 30 → 15 → 7, 13 → 6 → 3); this raised
    "The expanded size of the tensor (5) must match the existing size (6)"."""
    model = two_pools(side, pool)
    image = torch.rand(1, side, side, generator=torch.Generator().manual_seed(side))
    assert _incremental.plan(model).local == 6
    got = convlab.occlusion(model, image, 1, window, stride, 0.0)
    np.testing.assert_allclose(got, captum_map(model, image, window, stride, 0.0, 1), atol=1e-5)


LAYERS = {                                # fresh modules for every test: .double() converts in place
    "max ceil_mode": lambda: [nn.Conv2d(2, 3, 3), nn.MaxPool2d(2, ceil_mode=True)],
    "max padded, dilated": lambda: [nn.Conv2d(2, 3, 3), nn.MaxPool2d(3, 2, padding=1, dilation=2)],
    "max stride beyond kernel": lambda: [nn.Conv2d(2, 3, 3), nn.MaxPool2d(2, 3)],
    "avg ceil_mode, padding, no pad count": lambda: [nn.Conv2d(2, 3, 3),
                                                     nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)],
    "avg padding counted": lambda: [nn.Conv2d(2, 3, 3), nn.AvgPool2d(3, 2, 1)],
    "avg divisor_override": lambda: [nn.Conv2d(2, 3, 3), nn.AvgPool2d(2, divisor_override=3)],
    "strided conv": lambda: [nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.ReLU()],
    "stride beyond kernel": lambda: [nn.Conv2d(2, 3, 2, stride=3)],
    "dilated conv": lambda: [nn.Conv2d(2, 3, 3, dilation=2, padding=2), nn.Tanh()],
    "same, even kernel": lambda: [nn.Conv2d(2, 3, (2, 4), padding="same"), nn.ELU()],
    "grouped 1×N": lambda: [nn.Conv2d(2, 4, (1, 5), groups=2, padding=(0, 1)), nn.GELU()],
    "BatchNorm, Dropout in eval": lambda: [nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Dropout(0.5), nn.Dropout2d(0.5),
                                   nn.ReLU(), nn.MaxPool2d(2)],
    "nested Sequential": lambda: [nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU()), nn.Sequential(nn.AvgPool2d(2))],
}


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("side", [(15, 15), (16, 11), (9, 20)])
def test_each_layer_kind_on_uneven_sizes(name, side):
    torch.manual_seed(0)
    body = LAYERS[name]()
    features = nn.Sequential(*body).eval()(torch.zeros(1, 2, *side)).numel()
    model = nn.Sequential(*body, nn.Flatten(), nn.Linear(features, 3)).double().eval()
    image = torch.rand(2, *side, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert _incremental.plan(model).local == len(_incremental.plan(model).layers) - 2
    for window, stride in (((3, 3), (2, 2)), ((4, 2), (4, 1)), ((1, 1), (1, 1))):
        heat, grid = occlusion_views(model, image, 2, window, stride, 0.3)
        want_heat, want_grid = brute_force(model, image, window, stride, 0.3, 2)
        np.testing.assert_allclose(heat, want_heat, rtol=1e-9, atol=1e-10, err_msg=f"{name} {side} {window}")
        np.testing.assert_allclose(grid, want_grid, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("model, local", [
    (Wrapped(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 11 * 11, 2))), None),  # not a Sequential
    (nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"), nn.Flatten(), nn.Linear(2 * 13 * 13, 2)), None),
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 2, 3, padding=1, padding_mode="circular"), nn.Flatten(),
                   nn.Linear(2 * 11 * 11, 2)), 2),                       # incremental up to the circular padding
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.InstanceNorm2d(2), nn.Flatten(), nn.Linear(2 * 11 * 11, 2)), 1),
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.LocalResponseNorm(2), nn.Flatten(), nn.Linear(2 * 11 * 11, 2)), 1),
], ids=["wrapped", "reflect first", "circular later", "instance norm", "local response norm"])
def test_the_plan_stops_where_incremental_cannot_be_exact_and_the_rest_runs_in_full(model, local):
    torch.manual_seed(5)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(m.weight)
    model = model.double().eval()
    p = _incremental.plan(model)
    assert (p.local if p else None) == local
    image = torch.rand(1, 13, 13, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    got = convlab.occlusion(model, image, 1, (4, 3), (3, 2), 0.5, batch=7)
    np.testing.assert_allclose(got, brute_force(model, image, (4, 3), (3, 2), 0.5, 1)[0], rtol=1e-9, atol=1e-10)


def test_training_mode_and_batch_statistics_are_not_incremental():
    """Both depend on the batch (dropout draws, batch statistics): no path can equal a one-image oracle there."""
    model = tinyvgg()
    assert _incremental.plan(model.train()) is None and _incremental.plan(model.eval()) is not None
    batch_stats = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2, track_running_stats=False), nn.Flatten()).eval()
    assert _incremental.plan(batch_stats).local == 1


class Counting(nn.Module):
    """Counts the images the wrapped model runs (the batch sizes of every call)."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.images = inner, 0

    def forward(self, x):
        self.images += len(x)
        return self.inner(x)


def test_each_occluded_image_runs_once_for_the_map_and_the_grid():
    model = tinyvgg()
    image = torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(4))
    positions = len(occlusion_positions((16, 16), (4, 4), (2, 2)))             # 49
    counting = Counting(model)                                                  # the plain batched path
    heat, grid = occlusion_views(counting, image, 1, 4, 2)
    assert counting.images == 1 + positions
    images = []                                                                 # the incremental path
    hook = model[0].register_forward_pre_hook(lambda _, args: images.append(len(args[0])))
    assert _incremental.plan(model) is not None
    fast_heat, fast_grid = occlusion_views(model, image, 1, 4, 2)
    hook.remove()
    assert sum(images) == 1 + positions
    np.testing.assert_allclose(fast_heat, heat, atol=1e-5)
    np.testing.assert_allclose(fast_grid, grid, atol=1e-6)
    np.testing.assert_allclose(heat, convlab.occlusion(model, image, 1, 4, 2), atol=1e-6)
    np.testing.assert_allclose(grid, occlusion_grid(model, image, 1, 4, 2), atol=1e-7)
    seen = []
    occlusion_views(model, image, 1, 4, 2, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (positions, positions) and all(t == positions for _, t in seen)


def test_a_model_without_one_score_per_class_is_refused():
    model = nn.Sequential(nn.Conv2d(1, 2, 3)).eval()
    with pytest.raises(ConvlabError, match=r"one score per class, shape \(1, classes\); it gives \(1, 2, 6, 6\)"):
        convlab.occlusion(model, torch.rand(1, 8, 8), 0, 2, 2)


@pytest.mark.parametrize("head", ["linear", "dropout"])
def test_batches_bounded_by_the_memory_budget_give_the_same_map(monkeypatch, head):
    model, image, window, stride, baseline, target, _, _ = random_architecture(HEADS.index(head))
    whole = occlusion_views(model, image, target, window, stride, baseline)
    monkeypatch.setattr(_incremental, "BUDGET", 1)                              # one occluder per batch
    seen = []
    one = occlusion_views(model, image, target, window, stride, baseline, on_progress=lambda d, t: seen.append(d))
    positions = len(occlusion_positions(tuple(image.shape[1:]), window, stride))
    assert seen[-1] == positions and set(np.diff(seen)) == {1}                  # one occluder at a time, all counted
    for a, b in zip(whole, one):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
