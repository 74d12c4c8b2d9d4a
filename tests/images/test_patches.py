"""convlab.top_patches and unit_from_patch against torch forward hooks and autograd, on random CNNs of odd sizes
(float64): every patch is its unit's argmax, its field holds everything the unit reads (the unit recomputed from
the patch alone, padded as the network pads at the borders, equals the hook's value), and nothing is left out
(autograd's gradient of the unit reaches exactly the field's part inside the image)."""

import copy

import numpy as np
import pytest
import torch
import torch.nn as nn

import convlab
from convlab import ConvlabError
from convlab.networks.bundled import bundled
from convlab.networks.layers import residual_class
from convlab.images.patches import patch_layers, unit_field, unit_from_patch

SEEDS = range(40)


def random_stack(seed: int, smooth: bool = False):
    """A random stack of traceable layers on odd-sized images: (model, images (N, C, H, W)), float64, eval.
    smooth=True: tanh activations and average pooling only, so every input in the field moves the unit."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    c, h, w = int(rng.integers(1, 4)), int(rng.integers(9, 30)), int(rng.integers(9, 30))
    layers, ch = [], c

    def shape_after(m):
        return tuple(nn.Sequential(*layers, m).double().eval()(torch.zeros(1, c, h, w, dtype=torch.float64)).shape[1:])

    for _ in range(int(rng.integers(1, 5))):
        kind = rng.choice(["conv", "conv", "same", "pool", "pool", "residual", "bn"])
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 5)))                     # 1×N kernels too
        out = int(rng.integers(2, 6))
        if kind == "conv":
            groups = int(rng.choice([g for g in (1, 2) if ch % g == 0 and out % g == 0]))
            m = nn.Conv2d(ch, out, k, stride=(int(rng.integers(1, 3)), int(rng.integers(1, 4))),
                          padding=(int(rng.integers(0, 3)), int(rng.integers(0, 2))),
                          dilation=(int(rng.integers(1, 3)), 1), groups=groups)
        elif kind == "same":
            m = nn.Conv2d(ch, out, (k[0] + 1, k[1]), padding="same", dilation=int(rng.integers(1, 3)))
        elif kind == "residual":
            m = residual_class()(ch, int(rng.choice([1, 3])), nn.Tanh() if smooth else nn.ReLU())
        elif kind == "bn":
            m = nn.BatchNorm2d(ch)
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 2)
        else:
            kk = (int(rng.integers(2, 4)), int(rng.integers(1, 4)))
            pad = (int(rng.integers(0, kk[0] // 2 + 1)), int(rng.integers(0, kk[1] // 2 + 1)))
            stride = (int(rng.integers(1, 3)), int(rng.integers(1, 4)))
            ceil = bool(rng.random() < 0.4)
            if smooth or rng.random() < 0.5:
                m = nn.AvgPool2d(kk, stride, pad, ceil_mode=ceil, count_include_pad=bool(rng.random() < 0.5))
            else:
                m = nn.MaxPool2d(kk, stride, pad, dilation=(int(rng.integers(1, 3)), 1), ceil_mode=ceil)
        try:
            new = shape_after(m)
        except RuntimeError:                  # the stack shrank to nothing: stop here
            break
        if min(new[1:]) < 1:
            break
        layers.append(m)
        ch = new[0]
        if isinstance(m, nn.Conv2d):
            layers.append(nn.Tanh() if smooth else [nn.ReLU(), nn.LeakyReLU(0.1), nn.Tanh(), nn.ELU()][int(rng.integers(0, 4))])
    if not any(isinstance(m, nn.Conv2d) or type(m).__name__ == "Residual" for m in layers):
        layers.insert(0, nn.Conv2d(c, c, (int(rng.integers(1, 4)), 2), padding=(1, 0)))      # keeps the size
    model = nn.Sequential(*layers, nn.Flatten()).double().eval()
    images = rng.normal(size=(int(rng.integers(3, 12)), c, h, w))
    return model, images


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def hooked(model, layer, images) -> np.ndarray:
    """The layer's output for every image, read by a torch forward hook (the oracle)."""
    got = []
    handle = model[layer].register_forward_hook(lambda m, i, o: got.append(o.detach().numpy()))
    with torch.no_grad():
        model(torch.from_numpy(images))
    handle.remove()
    return got[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_patch_is_its_units_argmax_and_recomputes_from_the_patch_alone(seed):
    model, images = random_stack(seed)
    for layer in patch_layers(model):
        acts = hooked(model, layer, images)                                      # (N, K, h, w)
        k = min(3, len(images))
        tp = convlab.top_patches(model, images, layer, k=k)
        assert tp.map_hw == acts.shape[2:] and len(tp.units) == acts.shape[1]
        best = acts.reshape(*acts.shape[:2], -1).max(axis=2)                     # (N, K): each image's strongest
        for u, patches in enumerate(tp.units):
            want = torch.topk(torch.from_numpy(best[:, u]), k).values.numpy()
            np.testing.assert_allclose([p.activation for p in patches], want, rtol=1e-12, err_msg=f"{seed} {layer} {u}")
            for p in patches:
                assert acts[p.image, u, p.row, p.col] == p.activation == best[p.image, u]
                again = unit_from_patch(model, layer, u, p.row, p.col, tp.crop(images, p), images.shape[2:])
                assert again == pytest.approx(p.activation, rel=1e-10, abs=1e-12), (seed, layer, u, p)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_field_holds_every_input_the_unit_reads_and_no_more(seed):
    """autograd's ∂unit/∂image is zero outside the box; with smooth layers its support spans the box's part in
    the image (less only where the floor of a stride drops the last rows or columns)."""
    model, images = random_stack(seed, smooth=True)
    h, w = images.shape[2:]
    for layer in patch_layers(model):
        field = unit_field(model, layer)
        x = torch.from_numpy(images[:1]).requires_grad_(True)
        out = model[:layer + 1](x)                                               # (1, K, oh, ow)
        u, i, j = seed % out.shape[1], out.shape[2] // 2, out.shape[3] // 2          # a unit in the middle
        (grad,) = torch.autograd.grad(out[0, u, i, j], x)
        rows, cols = np.nonzero(np.abs(grad[0].numpy()).sum(axis=0))
        top, left, bottom, right = field.box(i, j)
        assert rows.min() >= max(top, 0) and rows.max() < min(bottom, h), (seed, layer)
        assert cols.min() >= max(left, 0) and cols.max() < min(right, w), (seed, layer)
        dilated = any(max(_pair(getattr(m, "dilation", 1))) > 1 for m in model.modules())
        if not dilated and not any(isinstance(m, nn.AvgPool2d) and m.ceil_mode for m in model):
            # the box's part in the image, minus what a stride's floor drops at the far end (a dilated
            # stack reads its field with holes, and one of them can fall on the image's first row)
            assert rows.min() == max(top, 0) and cols.min() == max(left, 0), (seed, layer)
        if field.box(i, j)[2] <= h and field.box(i, j)[3] <= w and top >= 0 and left >= 0:
            assert (rows.max(), cols.max()) == (bottom - 1, right - 1), (seed, layer)


def test_field_of_the_bundled_models_by_hand():
    """digits: conv 3 (pad 1), pool 2, conv 3 (pad 1): r = 3, 4, 4 + 2·2 = 8; j = 2; unit 0 starts at −1 − 1·2 = −3.
    faces: four 3×3 convs (no padding: CNN Explainer's TinyVGG) and two 2×2 pools: r = 3, 5, 6, 10, 14; j = 2 after the
    first pool; nothing is padded, so every unit's window starts inside the image (unit 0 at 0)."""
    digits = unit_field(bundled("digits").model, 3)
    assert (digits.size, digits.jump, digits.start, digits.box(3, 3)) == ((8, 8), (2, 2), (-3, -3), (3, 3, 11, 11))
    assert [s.size for s in digits.steps[0]] == [3, 4, 8]
    faces = bundled("faces").model
    assert [unit_field(faces, i).size[0] for i in patch_layers(faces)] == [3, 5, 10, 14]
    assert unit_field(faces, 7).start == (0, 0) and unit_field(faces, 7).jump == (2, 2)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["digits", "shapes", "faces"])
def test_bundled_models_on_their_test_images(name):
    from data_kit import dataset
    clf, data = bundled(name), dataset(name)
    x = data.normalise(data.x_test[:200]).astype(np.float64)
    model = copy.deepcopy(clf.model).double()            # the bundled model itself is shared, float32
    for layer in patch_layers(model):
        tp = convlab.top_patches(model, x, layer)
        acts = hooked(model, layer, x)
        for patches in tp.units[::4]:
            p = patches[0]
            assert p.activation == acts[p.image, p.unit].max()
            got = unit_from_patch(model, layer, p.unit, p.row, p.col, tp.crop(x, p), x.shape[2:])
            assert got == pytest.approx(p.activation, rel=1e-10, abs=1e-12)
            assert np.isnan(tp.crop(data.x_test, p)).any() == (p.box != p.inside)


def test_the_callers_model_keeps_its_mode_and_weights():
    model, images = random_stack(3)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    convlab.top_patches(model, images, patch_layers(model)[-1], k=2)
    assert model.training and all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_bad_input_says_what_to_change():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 2))
    images = np.zeros((4, 1, 5, 5))
    with pytest.raises(ConvlabError, match="only 4 images: use k up to 4"):
        convlab.top_patches(model, images, k=5)
    with pytest.raises(ConvlabError, match="k must be at least 1"):
        convlab.top_patches(model, images, k=0)
    with pytest.raises(ConvlabError, match="layer 9 is not an index into this model: use 0 to 3"):
        convlab.top_patches(model, images, layer=9)
    with pytest.raises(ConvlabError, match=r"layer 2 \(flatten\) is not a convolution"):
        convlab.top_patches(model, images, layer=3)
    with pytest.raises(ConvlabError, match=r"images must have shape \(N, C, H, W\)"):
        convlab.top_patches(model, np.zeros((1, 5, 5)))
    with pytest.raises(ConvlabError, match=r"patch must have shape \(C, 3, 3\)"):
        unit_from_patch(model, 0, 0, 0, 0, np.zeros((1, 2, 2)), (5, 5))
    with pytest.raises(ConvlabError, match=r"unit 5 at \(0, 0\) is not in layer 0's output"):
        unit_from_patch(model, 0, 5, 0, 0, np.zeros((1, 3, 3)), (5, 5))
    reflect = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect"))
    with pytest.raises(ConvlabError, match="pads with 'reflect'"):
        unit_field(reflect, 0)
    assert patch_layers(nn.Sequential(nn.Conv2d(1, 1, 1), nn.Upsample(scale_factor=2), nn.Conv2d(1, 1, 1))) == [0]
