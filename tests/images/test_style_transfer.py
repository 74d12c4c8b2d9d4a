"""Style transfer on the fixed random extractor (seed 003): both losses fall; the numbers it reports are the
Gram-matrix losses of convlab.images.gram recomputed on its final image."""

import numpy as np
import pytest
import torch

import convlab
from convlab.errors import ConvlabError
from convlab.images.style_transfer import fit_photo, style_transfer, texture_net


def photos(seed: int, size=(24, 28)):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size[0], :size[1]] / max(size)
    content = np.stack([xx, yy, 0.5 + 0 * xx], axis=2)                   # a smooth ramp
    return content, rng.random((20, 20, 3))                              # and noise as the "style"


@pytest.mark.parametrize("start", ["content", "noise"])
def test_both_losses_fall(start):
    content, style = photos(0)
    run = style_transfer(content, style, size=28, steps=12, start=start, lr=0.05)
    assert run.style_loss[-1] < run.style_loss[0]
    if start == "noise":
        assert run.content_loss[-1] < run.content_loss[0]
    else:                                    # it starts at the content: 0, and stays close while the style falls
        assert run.content_loss[0] == 0 and run.content_loss[-1] < run.style_loss[0] * 30
    assert run.image.shape == (24, 28, 3) and run.image.min() >= 0 and run.image.max() <= 1


def test_reported_losses_are_convlab_style_losses():
    content, style = photos(1)
    run = style_transfer(content, style, size=28, steps=3, layer_weights=(1.0, 0.5, 0.0, 2.0))
    chw = lambda a: torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))).double()  # noqa: E731
    with torch.no_grad():
        feats = [f.numpy() for f in convlab.texture_features(chw(run.image))]
        grams = [convlab.gram_matrix(f.numpy()) for f in convlab.texture_features(chw(run.style))]
        target = convlab.texture_features(chw(run.content))[1].numpy()
    assert run.style_loss[-1] == pytest.approx(convlab.style_loss(feats, grams, [1.0, 0.5, 0.0, 2.0]), rel=1e-3)
    assert run.content_loss[-1] == pytest.approx(convlab.content_loss(feats[1], target), rel=1e-3, abs=1e-7)


def test_texture_features_are_a_torch_conv_stack_on_odd_sizes():
    img = np.random.default_rng(3).random((17, 23, 3))
    feats = convlab.texture_features(img)
    assert [f.shape[1:] for f in feats] == [(17, 23), (9, 12), (5, 6), (3, 3)]
    x = torch.nn.functional.pad(torch.from_numpy((img.transpose(2, 0, 1) - 0.5) / 0.25).float()[None], (1, 1, 1, 1),
                                mode="reflect")
    first = torch.relu(torch.nn.functional.conv2d(x, texture_net()[0]))[0]
    np.testing.assert_allclose(feats[0].numpy(), first.numpy(), rtol=1e-5, atol=1e-5)


def test_texture_synthesis_and_determinism():
    _, style = photos(2)
    a = style_transfer(None, style, size=20, steps=4, seed=3)
    b = style_transfer(None, style, size=20, steps=4, seed=3)
    assert np.array_equal(a.image, b.image) and a.content is None and a.style_loss[-1] < a.style_loss[0]


def test_progress_and_records():
    content, style = photos(4)
    records, progress = [], []
    style_transfer(content, style, size=20, steps=4, every=2, on_record=records.append,
                   on_progress=lambda d, t: progress.append(d))
    assert progress == [1, 2, 3, 4]
    assert [r["step"] for r in records if "image" in r] == [0, 2, 4]
    assert [r["step"] for r in records if "style" in r] == [0, 1, 2, 3, 4]


def test_fit_photo_scales_the_longest_side():
    assert fit_photo(np.zeros((300, 200, 3)), 96).shape == (96, 64, 3)
    assert fit_photo(np.zeros((40, 30, 3)), 128).shape == (40, 30, 3)


@pytest.mark.parametrize("call, words", [
    (lambda c, s: fit_photo(np.zeros((30, 30)), 64), "colour photo"),
    (lambda c, s: fit_photo(np.full((30, 30, 3), 2.0), 64), "outside [0, 1]"),
    (lambda c, s: fit_photo(c, 500), "size 500"),
    (lambda c, s: fit_photo(np.zeros((300, 10, 3)), 64), "short side"),
    (lambda c, s: style_transfer(c, s, steps=2000), "at most 1000"),
    (lambda c, s: style_transfer(c, s, style_weight=-1), "style weight -1"),
    (lambda c, s: style_transfer(c, s, content_weight=0, style_weight=0), "nothing to optimise"),
    (lambda c, s: style_transfer(c, s, layer_weights=(0, 0, 0, 0)), "at least one layer"),
    (lambda c, s: style_transfer(c, s, layer_weights=(1, 1)), "give 4 numbers"),
    (lambda c, s: style_transfer(c, s, content_layer=4), "content layer 4"),
    (lambda c, s: style_transfer(c, s, start="grey"), "start 'grey'"),
    (lambda c, s: style_transfer(c, s, lr=0), "learning rate"),
])
def test_bad_input_says_what_to_change(call, words):
    with pytest.raises(ConvlabError) as info:
        call(*photos(0))
    assert words in str(info.value)
