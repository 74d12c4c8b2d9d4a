"""Feature visualisation by gradient ascent (seed 001): the objective rises, the same seed gives the same image."""

import numpy as np
import pytest
import torch

import convlab
from convlab.errors import ConvlabError
from convlab.featvis import feature_visualisation, map_layers


@pytest.mark.parametrize("model, objective, layer, unit", [
    ("digits", "class", None, 3), ("shapes", "channel", 0, 1), ("faces", "neuron", 1, 2), ("digits", "channel", 2, [0, 1]),
])
def test_objective_rises(model, objective, layer, unit):
    fv = feature_visualisation(model, layer, unit, objective=objective, steps=15, seed=2)
    assert fv.curves.shape == (len(np.atleast_1d(unit)), 16)
    assert np.all(fv.curves[:, -1] > fv.curves[:, 0])
    assert fv.images.min() >= 0 and fv.images.max() <= 1


def test_the_curve_is_the_units_own_value():
    """The last point of the curve is the unit recomputed by the model on the final image."""
    clf = convlab.classify.as_classifier("shapes")
    fv = feature_visualisation(clf, 1, 4, objective="channel", steps=5, seed=0)
    x = torch.as_tensor((fv.image - clf.mean[:, None, None]) / clf.std[:, None, None], dtype=torch.float32)
    with torch.no_grad():
        value = clf.model[:2](x[None])[0, 4].mean().item()
    assert fv.curve[-1] == pytest.approx(value, rel=1e-4, abs=1e-5)


def test_deterministic_per_seed():
    a = feature_visualisation("digits", 1, [0, 2], steps=8, seed=5)
    b = feature_visualisation("digits", 1, [0, 2], steps=8, seed=5)
    c = feature_visualisation("digits", 1, [0, 2], steps=8, seed=6)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.curves, b.curves)
    assert not np.array_equal(a.images, c.images)


def test_records_snapshots_and_progress():
    records, progress = [], []
    fv = feature_visualisation("faces", unit=1, steps=6, every=3, seed=0, on_record=records.append,
                               on_progress=lambda d, t: progress.append((d, t)))
    assert progress[-1] == (6, 6)
    assert [r["step"] for r in records if "images" in r] == [0, 3, 6]
    assert [r["objective"] for r in records if "objective" in r][-1] == pytest.approx(fv.curves[:, -1].tolist())
    assert [s for s, _ in fv.snapshots] == [0, 3, 6] and fv.snapshots[-1][1].dtype == np.uint8


def test_all_units():
    fv = feature_visualisation("shapes", unit="all", steps=2)
    assert fv.units == (0, 1, 2, 3) and fv.images.shape == (4, 3, 32, 32)
    assert feature_visualisation("faces", 7, "all", steps=1).units == tuple(range(10))


def test_map_layers_and_size():
    clf = convlab.classify.as_classifier("shapes")
    x, maps = torch.zeros((1, *clf.input_shape)), []
    for i, layer in enumerate(clf.model):
        x = layer(x)
        maps += [i] if x.ndim == 4 else []
    assert map_layers("shapes") == maps and len(maps) < len(clf.model)
    fv = feature_visualisation("shapes", 0, 0, size=20, steps=2)
    assert fv.image.shape[1:] == (20, 20)


@pytest.mark.parametrize("kwargs, words", [
    ({"layer": 99}, "layer 99 has no maps"),
    ({"layer": 0, "unit": 500}, "does not exist"),
    ({"unit": -1}, "does not exist"),
    ({"steps": 5000}, "at most 1000"),
    ({"steps": 0}, "steps"),
    ({"lr": 0}, "learning rate"),
    ({"jitter": 20}, "at most 8"),
    ({"blur": 9.0}, "blur"),
    ({"decay": 0.9}, "decay"),
    ({"layer": 0, "size": 4}, "size 4"),
    ({"objective": "dream"}, "objective 'dream'"),
    ({"layer": 0, "objective": "neuron", "position": (50, 0)}, "row must be"),
    ({"layer": 2, "objective": "class"}, "class objective"),
    ({"unit": list(range(40))}, "at most 32"),
])
def test_bad_input_says_what_to_change(kwargs, words):
    with pytest.raises(ConvlabError) as info:
        feature_visualisation("digits", **{"steps": 2, **kwargs})
    assert words in str(info.value)
