"""The faces dataset and the bundled faces model: held-out faces and photos never read for training, determinism of
the data and of the whole recipe (train_faces), the real-photo check at issue 25's targets, and the verdicts recorded in
assets/README.md."""

import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

import convlab.datasets.faces
import convlab.datasets.photos
from convlab.networks.bundled import bundled
from convlab.datasets.faces import (FACE_CLASSES, FACES_SEED, FACES_SPEC, HELD_OUT_PHOTOS, PHOTOS, TEST_FACES, TRAINING_PHOTOS,
                           VAL_FACES, face_split, _parts, held_out_faces, load_lfw, make_faces, train_faces,
                           validation_selfies)
from convlab.networks.face_checks import (MANIFEST, build_manifest, eyes_versus_background, load_manifest, p_face, photo_verdicts)
from convlab.networks.training import TrainConfig, evaluate, train
from data_kit import dataset, real_check

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_dataset_shape_classes_balance_and_determinism():
    a, b, c = make_faces(300, seed=4), make_faces(300, seed=4), make_faces(300, seed=5)
    assert a.classes == FACE_CLASSES == ("face", "not face") and a.input_shape == (1, 25, 25)
    assert len(a.x_train) == 240 and len(a.x_test) == 60 and a.y_train.mean() == 0.5 and a.y_test.mean() == 0.5
    assert a.x_train.dtype == np.float32 and 0 <= a.x_train.min() and a.x_train.max() <= 1
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert dataset("faces").x_train.shape == (8000, 1, 25, 25)
    np.testing.assert_array_equal(dataset("faces").mean, bundled("faces").mean)    # the model's own training set


def test_the_default_faces_dataset_is_the_model_s_and_another_seed_another_sample():
    """load_dataset("faces") (seed 0) is the bundled model's own training set, make_faces(seed=FACES_SEED); seed 1 (the
    training lab's "new split") is a different sample, not the same one again."""
    from convlab.datasets.registry import load_dataset
    assert FACES_SEED == 1
    np.testing.assert_array_equal(dataset("faces").x_test[:20], make_faces(seed=FACES_SEED).x_test[:20])
    assert not np.array_equal(load_dataset("faces", seed=1).x_train[:20], dataset("faces").x_train[:20])

def test_held_out_faces_never_reach_training():
    parts = _parts()
    held, val, tr = (set(parts[k].tolist()) for k in ("held out", "val", "train"))
    assert (len(held), len(val), len(tr)) == (TEST_FACES, VAL_FACES, 100 - TEST_FACES - VAL_FACES)
    assert not held & val and not held & tr and not val & tr
    np.testing.assert_array_equal(held_out_faces(), load_lfw()[0][face_split()[0]])
    naive = make_faces(naive=True)
    assert (len(naive.x_train), len(naive.x_test)) == (160, 40)
    for face in held_out_faces():                                   # no held-out face among the training images
        assert not (np.abs(naive.x_train[:, 0] - face).max(axis=(1, 2)) < 1e-6).any()


def test_the_photos_split_every_photo_in_the_wheels_once():
    assert set(HELD_OUT_PHOTOS) | set(TRAINING_PHOTOS) | {"camera"} == set(PHOTOS)
    assert not set(HELD_OUT_PHOTOS) & set(TRAINING_PHOTOS)
    assert {"astronaut", "grace hopper", "motorcycle", "motorcycle (right view)"} <= set(HELD_OUT_PHOTOS)
    for name in PHOTOS:
        img = convlab.datasets.faces.package_photo(name)
        assert img.ndim == 2 and min(img.shape) >= 100 and 0 <= img.min() and img.max() <= 1, name


def test_no_held_out_photo_or_face_is_read_for_training(monkeypatch):
    """The whole recipe, tiny: only training photos, and of LFW only the training and validation faces' pixels."""
    read, real = [], convlab.datasets.photos.package_photo
    for module in (convlab.datasets.faces, convlab.datasets.photos):    # the photos module reads them for the faces
        monkeypatch.setattr(module, "package_photo", lambda name: read.append(name) or real(name))
    monkeypatch.setattr(convlab.datasets.photos, "sample_image", lambda *a, **k: pytest.fail("a sample photo was used"))
    real_split = convlab.datasets.faces._parts()
    poisoned = load_lfw()
    faces, others = poisoned[0].copy(), poisoned[1].copy()
    faces[real_split["held out"]] = np.nan                        # a held-out face would poison the images with NaN
    monkeypatch.setattr(convlab.datasets.faces, "load_lfw", lambda: (faces, others))
    data = make_faces(200, seed=1)
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()
    assert np.isfinite(validation_selfies(24)).all()              # the calibration's selfies: validation faces only
    train_faces(seed=1, n=100, epochs=(1, 1), hard=10, pool=40, threads=1)
    assert read and set(read) <= set(TRAINING_PHOTOS)


def test_training_is_deterministic_per_seed():
    data = make_faces(400, seed=2)
    config = TrainConfig(lr=0.003, batch_size=32, epochs=1, seed=7, threads=1, device="cpu")
    one, two = (train(FACES_SPEC, data, config).model.state_dict() for _ in range(2))
    for name in one:
        assert torch.equal(one[name], two[name]), name
    other = train(FACES_SPEC, data, TrainConfig(lr=0.003, epochs=1, seed=8, threads=1, device="cpu"))
    assert not torch.equal(other.model.state_dict()["0.weight"], one["0.weight"])


def test_the_whole_recipe_is_deterministic_per_seed():
    """train_faces (data, first training, hard negatives, second training, calibrated threshold), tiny, twice."""
    runs = [train_faces(seed=s, n=200, epochs=(1, 1), hard=20, pool=120, threads=1) for s in (3, 3, 4)]
    (a, _, ra), (b, _, rb), (c, _, _) = runs
    assert ra == rb
    for name, value in a.state_dict().items():
        assert torch.equal(value, b.state_dict()[name]), name
    assert not torch.equal(a.state_dict()["0.weight"], c.state_dict()["0.weight"])
    assert 0 < ra["threshold_p"] < 1 and ra["val_false_alarms"] <= 0.05


@pytest.mark.slow
def test_the_training_command_is_deterministic_per_seed(tmp_path):
    """The training command, one epoch, twice with the same seed: the same bytes. On the digits (seconds): the
    command takes the same path for every dataset, and the faces' own data and tinyvgg's training are checked
    deterministic above (an epoch of tinyvgg on the 6000 faces, twice, took about two minutes on a busy machine)."""
    outs = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.safetensors"
        proc = subprocess.run([sys.executable, "-m", "convlab", "train", "--dataset", "digits", "--preset", "small",
                               "--epochs", "1", "--lr", "0.003", "--seed", "3", "--threads", "1", "--out", str(out)],
                              capture_output=True, text=True, timeout=1800, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_bundled_faces_model_on_its_validation_split():
    """The threshold was calibrated on this validation split (mirror-averaged, as convlab.predict reads): at most 1 %
    of its non-faces called a face, lowered until 90 % of the selfie-framed validation faces are found but never past
    2 % of the non-faces (this model: 1.8 %); the price is recall on the validation faces, many of them pasted at a
    third of the side."""
    data, clf = dataset("faces"), bundled("faces")
    assert clf.classes == FACE_CLASSES and clf.spec == FACES_SPEC and clf.mirror
    assert sum(p.numel() for p in clf.model.parameters()) == 3012
    loss, accuracy = evaluate(clf.model, torch.from_numpy(clf.normalise(data.x_test)), torch.from_numpy(data.y_test))
    assert accuracy >= 0.8
    said = p_face(clf, data.x_test) > 0.5
    assert said[data.y_test == 1].mean() <= 0.02 and said[data.y_test == 0].mean() >= 0.6
    assert (p_face(clf, validation_selfies()) > 0.5).mean() >= 0.9


def test_the_manifest_is_the_committed_command_s_and_held_out():
    entries = load_manifest()
    assert entries == json.loads(json.dumps(build_manifest(0)))
    assert {e["photo"] for e in entries} <= set(HELD_OUT_PHOTOS) | {"lfw"}
    held = set(face_split()[0].tolist())
    assert {e["index"] for e in entries if "index" in e} <= held
    assert MANIFEST.name == "faces_heldout.json"


def test_real_photo_rates_meet_issue_25_targets():
    """Quality check of the committed model on the held-out real photos (not timed): tight faces ≥ 95 %, the same verdict
    mirrored in ≥ 95 %, non-face photos and scene crops called a face ≤ 5 % (whole photos included), selfie-framed
    faces ≥ 90 % (the next test)."""
    check = real_check("faces")
    assert check.rate("tight") >= 0.95, check.table()
    assert check.rows["selfie: all"][2] >= 0.95 and check.rows["tight"][2] >= 0.95, check.table()
    assert check.rate("non-faces: all") <= 0.05 and check.rate("photo") <= 0.05, check.table()


def test_selfie_framed_faces_meet_issue_25_target():
    """Issue 25: ≥ 90 % of the selfie-framed held-out faces (real portraits and pasted LFW faces) called a face."""
    check = real_check("faces")
    assert check.rate("selfie: all") >= 0.90, check.table()


def test_the_numbers_in_assets_readme_are_the_report_s():
    text = (ROOT / "assets" / "README.md").read_text()
    check = real_check("faces")
    for group, (n, rate, agree, raw, raw_agree) in check.rows.items():
        assert f"| {group} | {n} | {rate:.1%} | {agree:.1%} | {raw:.1%} | {raw_agree:.1%} |" in text, group
    table = {m.group(1): (m.group(2), float(m.group(3)), m.group(4)) for m in
             re.finditer(r"^\| ([\w .()]+) \| (held out|training|nothing) \| ([\d.]+) \| (face|not face) \|$", text, re.M)}
    assert set(table) == set(PHOTOS)
    for name, p in photo_verdicts("faces").items():
        assert table[name][1] == pytest.approx(p, abs=0.006), name
        assert table[name][2] == ("face" if p > 0.5 else "not face"), name


def test_the_eyes_cost_the_face_more_than_the_background():
    t = eyes_versus_background("faces")
    assert t.plain.mean() > 0.5
    assert t.plain.mean() - t.eyes.mean() > 2 * abs(t.plain.mean() - t.background.mean())
    assert (t.eyes < t.plain).mean() >= 0.75                     # for most faces, not just on average
