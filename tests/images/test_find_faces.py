"""convlab.images.find_faces: the classifier slid over a photo as one fully convolutional pass equals the classifier run on
each crop one by one (the oracle), on odd photo sizes, for the bundled faces model and for random networks of the
same spec; a padded network is read crop by crop; the boxes; bad input."""

import numpy as np
import pytest
import torch

import convlab
from convlab.networks.bundled import Classifier, bundled
from convlab.errors import ConvlabError
from convlab.datasets.faces import FACE_CLASSES, FACES_SPEC
from convlab.images.find_faces import (SCALES, crop_by_crop, face_heat_maps, find_faces, fully_convolutional, scaled_grey,
                                sliding_cost, total_stride)
from convlab.networks.models import build_model, preset


def random_faces_model(seed: int, spec=FACES_SPEC, mirror: bool = True) -> Classifier:
    torch.manual_seed(seed)
    model = build_model(spec, (1, 25, 25), 2).eval()
    rng = np.random.default_rng(seed)
    return Classifier(model, (1, 25, 25), FACE_CLASSES, np.float32([rng.uniform(0.3, 0.6)]),
                      np.float32([rng.uniform(0.15, 0.3)]), "random", spec, mirror)


def photo(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random((h, w, 3)).astype(np.float32)


@pytest.mark.parametrize("h, w, seed", [(37, 53, 0), (101, 67, 1), (61, 61, 2), (29, 95, 3), (77, 45, 4)])
def test_one_pass_equals_the_classifier_on_each_crop(h, w, seed):
    for clf in (bundled("faces"), random_faces_model(seed), random_faces_model(seed + 10, mirror=False)):
        search = face_heat_maps(photo(h, w, seed), clf)
        assert search.convolutional
        for m in search.maps:
            grey, _ = scaled_grey(photo(h, w, seed), m.share, 25, m.stride)
            oracle = crop_by_crop(clf, grey, m.stride)
            assert m.p.shape == oracle.shape == ((grey.shape[0] - 25) // 4 + 1, (grey.shape[1] - 25) // 4 + 1)
            np.testing.assert_allclose(m.p, oracle, rtol=1e-5, atol=1e-6)


def test_the_classifier_as_a_conv_is_the_linear_layer_reshaped():
    model = bundled("faces").model
    net = fully_convolutional(model, 25)
    lin = model[-1]
    assert torch.equal(net[-1].weight.reshape(2, -1), lin.weight) and torch.equal(net[-1].bias, lin.bias)
    x = torch.randn(5, 1, 25, 25)
    with torch.no_grad():
        np.testing.assert_allclose(net(x)[:, :, 0, 0].numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)
    assert total_stride(model) == 4


def test_a_padded_network_is_read_crop_by_crop():
    clf = random_faces_model(3, preset("tinyvgg"))
    assert fully_convolutional(clf.model, 25) is None
    search = face_heat_maps(photo(50, 70, 0), clf, scales=(0.6,))
    assert not search.convolutional
    m = search.maps[0]
    grey, _ = scaled_grey(photo(50, 70, 0), 0.6, 25, m.stride)
    np.testing.assert_array_equal(m.p, crop_by_crop(clf, grey, m.stride))
    with pytest.raises(ConvlabError, match="crop by crop"):
        sliding_cost(clf.model, 25, (33, 33))


def test_boxes_and_the_mirror():
    """A window's box is in the photo's pixels; the heat map of a mirrored scaled photo is the mirror image of the
    scaled photo's (the model averages a window with its mirror, and the windows tile the scaled photo exactly)."""
    from convlab.images.find_faces import sliding_pass
    img = photo(90, 130, 5)
    a = face_heat_maps(img)
    clf = bundled("faces")
    net = fully_convolutional(clf.model, 25)
    for m in a.maps:
        grey, _ = scaled_grey(img, m.share, 25, 4)
        np.testing.assert_allclose(sliding_pass(clf, net, grey[:, ::-1].copy()), m.p[:, ::-1], rtol=1e-5, atol=1e-6)
        top, left, side = m.box(m.p.shape[0] - 1, m.p.shape[1] - 1)
        assert side == round(m.share * 90) and 0 <= top and top + side <= 90 and left + side <= 130
        assert abs(left + side - 130) <= 4 and abs(top + side - 90) <= 4          # the last window reaches the edges
    assert [round(m.window) for m in a.maps] == [round(s * 90) for s in SCALES]


def test_find_faces_on_the_held_out_portraits():
    """The astronaut and Grace Hopper (never trained on): the best box covers the face box that a face detector
    (skimage's LBP cascade) draws."""
    from convlab.datasets.faces import package_photo
    from convlab.networks.face_checks import FACE_BOXES
    for name, (top, left, side) in FACE_BOXES.items():
        grey = package_photo(name)
        found = find_faces(np.repeat(grey[..., None], 3, axis=2))
        assert found, name
        (t, l, s), p = found[0]
        cy, cx = t + s / 2, l + s / 2
        assert p > 0.5 and abs(cy - (top + side / 2)) < side / 2 and abs(cx - (left + side / 2)) < side / 2, (name, found[0])
        assert 0.7 * side < s < 2.5 * side


def test_the_page_s_default_photo_gives_the_face_first_and_few_false_boxes():
    """/find-faces opens on the astronaut (256×256, held out of training): with the detector's threshold the first box
    is her face (the face detector's box, halved to this size, has its centre inside it) and at most one other box is
    shown; with the classifier's own 0.5 there are several more."""
    from convlab.datasets.photos import sample_image
    from convlab.networks.face_checks import FACE_BOXES
    photo = sample_image("astronaut", 256)
    top, left, side = (v / 2 for v in FACE_BOXES["astronaut"])
    found = find_faces(photo)
    assert found, "no face found"
    (t, l, s), p = found[0]
    assert p > 0.9 and t < top + side / 2 < t + s and l < left + side / 2 < l + s, found[0]
    assert 0.7 * side < s < 2.5 * side
    others = [b for b, _ in found[1:] if not (b[0] < top + side / 2 < b[0] + b[2] and b[1] < left + side / 2 < b[1] + b[2])]
    assert len(others) <= 1, found                                # this model: one, on her suit (P = 0.999)
    assert len(find_faces(photo, threshold=0.5)) >= len(found) + 3


def test_the_bundled_detector_threshold_is_the_validation_photos():
    """The threshold in the bundled file is detection_threshold's on the validation photos: at most 0.1 % of their
    windows pass it, and it is above the classifier's own 0.5."""
    from dataclasses import replace

    from convlab.images.find_faces import FALSE_WINDOWS, detection_threshold
    clf = bundled("faces")
    assert clf.detect is not None and detection_threshold(clf) == clf.detect
    assert detection_threshold(replace(clf, detect=None)) == pytest.approx(clf.detect, abs=1e-6)
    assert 0.5 < clf.detect < 1 and FALSE_WINDOWS == 0.001
    with pytest.raises(ConvlabError, match="rate"):
        detection_threshold(clf, rate=0)


def test_a_computed_threshold_belongs_to_its_model_object_not_to_its_id():
    """detection_threshold remembers what it computed per network object, weakly: two live models get their own
    thresholds, and a model that is garbage-collected takes its entry with it, so a later model that happens to get
    the same id() (CPython reuses freed addresses) computes its own instead of reading a dead model's."""
    import copy
    import gc
    import weakref
    from dataclasses import replace

    import convlab.images.find_faces as ff
    from convlab.images.find_faces import detection_threshold
    clf = replace(bundled("faces"), detect=None)
    model = copy.deepcopy(clf.model)
    with torch.no_grad():
        model[-1].bias[0] += 2.0                      # another model: it likes every window more
    mine = replace(clf, model=model)
    t = detection_threshold(mine)
    assert t > detection_threshold(clf) + 1e-6
    assert ff._THRESHOLDS[model] == {ff.FALSE_WINDOWS: t}
    count, gone = len(ff._THRESHOLDS), weakref.ref(model)
    del mine, model
    gc.collect()
    assert gone() is None and len(ff._THRESHOLDS) == count - 1
    assert detection_threshold(clf) < t

def test_no_face_in_a_flat_photo_and_bad_input():
    assert find_faces(np.full((60, 80, 3), 0.5)) == []
    with pytest.raises(ConvlabError, match="H, W, 3"):
        find_faces(np.zeros((40, 40)))
    with pytest.raises(ConvlabError, match="not a number"):                   # never a raw ValueError
        find_faces("not an image")
    with pytest.raises(ConvlabError, match="scales"):
        face_heat_maps(np.zeros((40, 40, 3)), scales=(1.5,))
    with pytest.raises(ConvlabError, match="no class 'face'"):
        find_faces(np.zeros((40, 40, 3)), "shapes")
    with pytest.raises(ConvlabError, match="threshold"):
        find_faces(np.zeros((40, 40, 3)), threshold=2)
    assert convlab.find_faces is find_faces


def test_sliding_cost_counts_what_the_pass_computes():
    c = sliding_cost(bundled("faces").model, 25, (65, 89))
    assert c.windows == 11 * 17
    # per window: conv1 23²·10·9 + conv2 21²·10·90 + conv3 8²·10·90 + conv4 6²·10·90 + classifier 2·90
    assert c.per_window == 23 * 23 * 10 * 9 + (21 * 21 + 8 * 8 + 6 * 6) * 10 * 90 + 2 * 90
    assert c.one_pass < c.crop_by_crop / 10
