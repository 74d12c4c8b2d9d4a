"""convlab.attribution_maps against Captum, map_agreement against scipy and brute force, and the sanity check
(cascading randomisation, Adebayo et al. 2018): deterministic per seed, the caller's model untouched, each step's
maps equal to Captum's on the model randomised that far, and the trained models' maps changed by it."""

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn as nn
from captum.attr import LayerAttribution, LayerGradCam, Occlusion, Saliency
from scipy.stats import spearmanr

import convlab
from convlab import ConvlabError
from convlab.networks.bundled import bundled
from convlab.images.explain.compare import randomisation_cascade
from oracle import random_cnn

pytestmark = [pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients"),
              pytest.mark.filterwarnings("ignore:An input array is constant")]          # scipy on a flat map: nan
SEEDS = range(16)
# Captum's Occlusion returns float32 even for a float64 model (its sums are float32): its map is checked to
# float32 precision; Grad-CAM and saliency come back in float64.
TOL = {"occlusion": dict(rtol=1e-6, atol=1e-8), "grad_cam": dict(rtol=1e-9, atol=1e-11),
       "saliency": dict(rtol=1e-9, atol=1e-11)}


def captum_maps(model, image, target, window, stride, layer):
    """The three maps as Captum computes them (the oracle), at the image's size."""
    x = torch.from_numpy(image)[None]
    c, h, w = image.shape
    occ = Occlusion(model).attribute(x, sliding_window_shapes=(c, *window), strides=(c, *stride), baselines=0.0,
                                     target=target)[0, 0].numpy()
    cam = LayerGradCam(model, model[layer]).attribute(x, target=target, relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, (h, w), interpolate_mode="bilinear")[0, 0].detach().numpy()
    sal = Saliency(model).attribute(x, target=target, abs=True)[0].numpy().max(axis=0)
    return {"occlusion": occ, "grad_cam": cam, "saliency": sal}


@pytest.mark.parametrize("seed", SEEDS)
def test_attribution_maps_equal_captum(seed):
    model, image, classes = random_cnn(seed)
    h, w = image.shape[1:]
    window = (min(h, 1 + seed % 4), min(w, 2 + seed % 3))
    stride = (1 + seed % window[0], 1)
    layer = convlab.default_cam_layer(model)
    got = convlab.attribution_maps(model, image, seed % classes, window=window, stride=stride)
    want = captum_maps(model, image, seed % classes, window, stride, layer)
    for m in convlab.METHODS:
        assert got[m].shape == (h, w) and got[m].dtype == np.float64
        np.testing.assert_allclose(got[m], want[m], **TOL[m], err_msg=f"seed {seed} {m}")


@pytest.mark.parametrize("seed", range(40))
def test_rank_correlation_equals_scipy_spearman_with_ties(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 9)), int(rng.integers(2, 9)))
    a = np.round(rng.normal(size=shape), int(rng.integers(0, 3)))          # rounding makes ties
    b = np.where(rng.random(shape) < 0.3, 0.0, rng.normal(size=shape) + a * rng.normal())
    got, want = convlab.rank_correlation(a, b), spearmanr(a.ravel(), b.ravel()).statistic
    assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, abs=1e-12), seed


def test_rank_correlation_of_a_flat_map_is_undefined():
    assert math.isnan(convlab.rank_correlation(np.zeros((3, 3)), np.arange(9.0).reshape(3, 3)))
    assert math.isnan(spearmanr(np.zeros(9), np.arange(9.0)).statistic)


@pytest.mark.parametrize("seed", range(40))
def test_top_overlap_equals_a_brute_force_count(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    a, b = np.round(rng.normal(size=n), 1), np.round(rng.normal(size=n), 1)
    share = float(rng.uniform(0.01, 1))
    k = max(1, math.ceil(share * n - 1e-9))

    def top(v):                      # sort by value (largest first), then by position: the documented tie rule
        return {i for _, i in sorted((-v[i], i) for i in range(n))[:k]}
    assert convlab.top_overlap(a, b, share) == len(top(a) & top(b)) / k


def test_map_agreement_reports_each_pair_with_its_numbers():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 6))
    maps = {"occlusion": base, "grad_cam": base + 0.1 * rng.normal(size=(6, 6)), "saliency": rng.normal(size=(6, 6))}
    a = convlab.map_agreement(maps, share=0.25)
    assert a.top == 9 and a.pixels == 36
    assert [(p.first, p.second) for p in a.pairs] == [("occlusion", "grad_cam"), ("occlusion", "saliency"),
                                                       ("grad_cam", "saliency")]
    for p in a.pairs:
        assert p.rho == pytest.approx(spearmanr(maps[p.first].ravel(), maps[p.second].ravel()).statistic, abs=1e-12)
    text = a.text()
    rho = a.pairs[0].rho
    assert text[0].startswith(f"occlusion and Grad-CAM: ρ = {round(rho, 2):g}") and text[0].endswith("they agree.")
    assert f"{round(a.pairs[0].overlap * 9)} of the top 9 pixels in common" in text[0]
    assert text[-1].startswith("Most alike: occlusion and Grad-CAM")


def test_agreement_bad_input():
    with pytest.raises(ConvlabError, match="two or more maps"):
        convlab.map_agreement({"occlusion": np.ones((2, 2))})
    with pytest.raises(ConvlabError, match="same shape"):
        convlab.map_agreement({"a": np.ones((2, 2)), "b": np.ones((3, 2))})
    with pytest.raises(ConvlabError, match=r"share must be a fraction above 0 and up to 1 \(0.2 = the top 20%\); got 1.5"):
        convlab.map_agreement({"a": np.ones((2, 2)), "b": np.ones((2, 2))}, share=1.5)
    with pytest.raises(ConvlabError, match="method 'lime'"):
        convlab.attribution_maps(nn.Sequential(nn.Conv2d(1, 1, 1), nn.Flatten()), np.ones((1, 2, 2)), 0, ["lime"])


# ---------------------------------------------------------------- the sanity check

@pytest.mark.parametrize("seed", range(6))
def test_cascade_randomises_one_more_layer_each_step_from_the_top(seed):
    model, _, _ = random_cnn(seed)
    weighted = [i for i, m in enumerate(model) if list(m.parameters())]
    steps = randomisation_cascade(model, seed=seed)
    assert [i for i, _ in steps] == weighted[::-1]
    for n, (_, copy_) in enumerate(steps, start=1):
        gone = set(weighted[::-1][:n])
        for i in weighted:
            same = all(torch.equal(a, b) for a, b in zip(model[i].parameters(), copy_[i].parameters()))
            assert same == (i not in gone), (seed, n, i)


@pytest.mark.parametrize("seed", range(8))
def test_sanity_check_steps_equal_captum_on_the_randomised_models(seed):
    model, image, classes = random_cnn(seed)
    target, window, stride = seed % classes, (2, 2), (1, 1)
    layer = convlab.default_cam_layer(model)
    check = convlab.sanity_check(model, image, target, window=window, stride=stride, seed=seed)
    models = [model] + [m for _, m in randomisation_cascade(model, seed)]
    assert len(check.steps) == len(models)
    for step, m in zip(check.steps, models):
        want = captum_maps(m, image, target, window, stride, layer)
        for method in convlab.METHODS:
            np.testing.assert_allclose(step.maps[method], want[method], **TOL[method], err_msg=f"{seed} {step.name}")
            rho = spearmanr(check.steps[0].maps[method].ravel(), step.maps[method].ravel()).statistic
            got = step.similarity[method]
            assert (math.isnan(rho) and math.isnan(got)) or got == pytest.approx(rho, abs=1e-12)


def test_sanity_check_is_deterministic_per_seed_and_leaves_the_model_alone():
    model, image, classes = random_cnn(2)
    model.train()
    before = copy.deepcopy(model.state_dict())
    records, progress = [], []
    a = convlab.sanity_check(model, image, 1, seed=5, on_record=records.append, on_progress=lambda d, t: progress.append((d, t)))
    b = convlab.sanity_check(model, image, 1, seed=5)
    c = convlab.sanity_check(model, image, 1, seed=6)
    assert model.training and all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    for sa, sb in zip(a.steps, b.steps):
        for m in convlab.METHODS:
            np.testing.assert_array_equal(sa.maps[m], sb.maps[m])
    assert not np.array_equal(a.steps[-1].maps["saliency"], c.steps[-1].maps["saliency"])
    n = len(a.steps)
    assert progress == [(i, n) for i in range(1, n + 1)]
    assert [r["step"] for r in records] == list(range(n)) and records[0]["name"] == "trained"
    assert records[-1]["grad_cam"] == a.steps[-1].similarity["grad_cam"]


@pytest.mark.slow
@pytest.mark.parametrize("name, window, stride", [("digits", 2, 1), ("shapes", 8, 4), ("faces", 5, 2)])
def test_randomising_the_trained_models_changes_grad_cam_and_occlusion(name, window, stride):
    """On the bundled models' first test images, the fully randomised model's Grad-CAM and occlusion maps are
    no longer the trained ones: their rank correlation with them stays below 0.6, and is below 0.5 on average
    (a randomised map that is flat, all zero, ranks nothing: ρ is nan, counted as 0)."""
    from data_kit import dataset
    clf, data = bundled(name), dataset(name)
    finals = {"grad_cam": [], "occlusion": []}
    used = 0
    for i in range(8):                 # the first 4 test images whose trained maps are not flat (the faces model's
        x = data.normalise(data.x_test[i:i + 1])[0]            # Grad-CAM is all zero on a few "not face" images)
        check = convlab.sanity_check(clf.model, x, int(data.y_test[i]), ["grad_cam", "occlusion"], window, stride, seed=0)
        if not all(check.steps[0].similarity[m] == 1.0 for m in finals):
            continue
        used += 1
        for m in finals:
            finals[m].append(np.nan_to_num(check.steps[-1].similarity[m]))
        assert "it changed" in " ".join(check.text()) or "stayed alike" in " ".join(check.text())
        if used == 4:
            break
    assert used == 4, (name, used)
    for m, rhos in finals.items():
        assert max(rhos) < 0.6 and np.mean(rhos) < 0.5, (name, m, rhos)


def test_sanity_check_text_and_bad_input():
    model, image, classes = random_cnn(4)
    check = convlab.sanity_check(model, image, 0, ["saliency", "grad_cam"], seed=1)
    lines = check.text()
    last = check.steps[-1].similarity["saliency"]
    assert lines[0].startswith("saliency: ρ = ") and f"{round(last, 2):g}".replace("-", "−") in lines[0]
    assert (" it changed" in lines[0]) == (last < 0.5)
    with pytest.raises(ConvlabError, match="seed must be 0 or more"):
        convlab.sanity_check(model, image, 0, seed=-1)
    with pytest.raises(ConvlabError, match="methods must be a list"):
        convlab.sanity_check(model, image, 0, "saliency")
    with pytest.raises(ConvlabError, match="no weights to randomise"):
        convlab.sanity_check(nn.Sequential(nn.Flatten()), image, 0)


@pytest.mark.parametrize("seed", range(8))
def test_maps_on_photo_are_captum_stretched_onto_the_same_crop(seed):
    """Odd photo and input sizes: each map stretched as Captum's LayerAttribution.interpolate (bilinear) does, and
    the picture is the model's crop (area-averaged back down by k it is the colour input fit_to_input gives)."""
    from convlab.images.load import fit_to_input
    rng = np.random.default_rng(seed)
    H, W = int(rng.integers(30, 90)), int(rng.integers(30, 90))
    h, w = int(rng.integers(5, 26)), int(rng.integers(5, 26))
    yy, xx = np.mgrid[0:H, 0:W] / max(H, W)
    photo = np.stack([np.sin(3 * xx + seed), np.cos(2 * yy), xx * yy], axis=-1) * 0.5 + 0.5   # smooth (H, W, 3)
    maps = {"grad_cam": rng.random((h, w)), "saliency": rng.normal(size=(h, w))}
    pic, on = convlab.maps_on_photo(photo, maps, (1, h, w), side=100)
    k = max(1, 100 // max(h, w))
    assert pic.shape == (3, k * h, k * w)
    for m, v in maps.items():
        want = LayerAttribution.interpolate(torch.from_numpy(v)[None, None], (k * h, k * w), "bilinear")[0, 0].numpy()
        np.testing.assert_allclose(on[m], want, rtol=1e-12, atol=1e-12)
    down = pic.reshape(3, h, k, w, k).mean(axis=(2, 4))
    np.testing.assert_allclose(down, fit_to_input(photo, (3, h, w)), atol=0.03)
    with pytest.raises(ConvlabError, match=r"the saliency map has shape \(2, 2\)"):
        convlab.maps_on_photo(photo, {"saliency": np.zeros((2, 2))}, (1, h, w))
