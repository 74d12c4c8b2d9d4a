"""Training, divergence, stopping, save/load round trips, refusal of bad model files, and the CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from convlab import ConvlabError
from convlab.datasets.digits import load_digits
from convlab.datasets.shapes import make_shapes
from convlab.networks.modelio import load_model, save_model
from convlab.networks.models import build_model, preset
from convlab.networks.training import TrainConfig, evaluate, predict_labels, train


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_seeded_short_training_passes_the_threshold(digits):
    seen = []
    r = train(preset("small"), digits, TrainConfig(epochs=4, seed=1, batch_size=32, lr=0.005, threads=1),
              on_progress=seen.append)
    assert r.status == "done" and r.test_accuracy >= 0.95, r.message
    assert len(r.history) == 4 and r.params == 6090
    ends = [p for p in seen if p.test_acc is not None]
    assert len(ends) == 4 and ends[-1].test_acc == r.test_accuracy
    assert any(p.grad_norms and "classifier" in p.grad_norms for p in seen)
    # the same seed gives the same model
    again = train(preset("small"), digits, TrainConfig(epochs=1, seed=1, batch_size=32, lr=0.005, threads=1))
    first = train(preset("small"), digits, TrainConfig(epochs=1, seed=1, batch_size=32, lr=0.005, threads=1))
    assert again.history == first.history


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_loss_that_explodes_without_a_nan_is_divergence_too(digits, optimizer):
    """lr=100 with the training lab's settings: the loss jumps to ~1e20 and the run used to end 'done' at 10%."""
    r = train(preset("small"), digits, TrainConfig(optimizer=optimizer, lr=100.0, epochs=3, threads=1,
                                                   report_every=4, seed=0))
    assert r.status == "diverged", r.message
    assert "the loss grew to" in r.message or "the loss became" in r.message
    assert "smaller learning rate, e.g. 10" in r.message
    sane = train(preset("small"), digits, TrainConfig(optimizer=optimizer, lr=0.01, epochs=1, threads=1, seed=0))
    assert sane.status == "done"


def test_divergence_is_detected_with_the_step(digits):
    r = train(preset("small"), digits, TrainConfig(epochs=3, lr=10.0, optimizer="sgd", batch_size=32, threads=1))
    assert r.status == "diverged"
    assert r.message.startswith("diverged at step ") and "smaller learning rate" in r.message


def test_stop_and_constant_init_never_breaks_symmetry(digits):
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] > 3
    r = train(preset("small"), digits, TrainConfig(epochs=5, threads=1), should_stop=stop)
    assert r.status == "stopped" and r.message == "stopped at step 3"
    r = train(preset("small"), digits, TrainConfig(epochs=1, init="constant", optimizer="sgd", lr=0.05, threads=1))
    w = r.model[0].weight.detach()
    assert torch.allclose(w, w[0:1].expand_as(w)), "identical filters stay identical"


def test_transfer_learning_freezes_layers():
    shapes = make_shapes(400, size=16, seed=0)
    spec = preset("small")
    base = train(spec, shapes, TrainConfig(epochs=2, threads=1)).model
    frozen = [p.detach().clone() for p in base[0].parameters()]
    for p in list(base.parameters())[:-2]:
        p.requires_grad_(False)
    after = train(spec, shapes, TrainConfig(epochs=1, threads=1), model=base).model
    for a, b in zip(frozen, after[0].parameters()):
        assert torch.equal(a, b.detach())


def test_save_load_round_trip(digits):
    """A trained model comes back identical: same outputs, same test loss and accuracy (91% for seed 0)."""
    spec = preset("tinyvgg")
    run = train(spec, digits, TrainConfig(epochs=2, seed=0, threads=1))
    model = run.model.eval()
    blob = save_model(model, spec, digits.input_shape, digits.classes, digits.mean, digits.std)
    loaded, meta = load_model(blob)
    x = torch.randn(3, *digits.input_shape)
    assert torch.equal(model(x), loaded(x))
    assert meta["spec"] == spec and meta["classes"] == list(digits.classes)
    probs = predict_labels(loaded, digits, digits.x_test[:5])
    assert probs.shape == (5, 10) and np.allclose(probs.sum(1), 1)
    test_x, test_y = torch.from_numpy(digits.normalise(digits.x_test)), torch.from_numpy(digits.y_test)
    loss, accuracy = evaluate(loaded, test_x, test_y)
    assert (loss, accuracy) == evaluate(model, test_x, test_y)
    assert accuracy == run.test_accuracy and accuracy >= 0.88, accuracy


def test_a_dna_model_saves_and_loads():
    """Issue 16: a 1D model (input (4, L)) round-trips through safetensors + its spec."""
    from convlab.sequences.dna import make_dna
    dna = make_dna(200, seed=1)
    model = build_model(preset("motif"), dna.input_shape, 2)
    loaded, meta = load_model(save_model(model, preset("motif"), dna.input_shape, dna.classes, dna.mean, dna.std))
    x = torch.from_numpy(dna.x_test[:4])
    model.eval()
    assert meta["input_shape"] == [4, 60] and torch.equal(model(x), loaded(x))


def _edit_meta(blob: bytes, change) -> bytes:
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    meta = json.loads(header["__metadata__"]["convlab"])
    change(meta)
    header["__metadata__"]["convlab"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw + blob[8 + n:]


@pytest.mark.parametrize("make_bad, message", [
    (lambda b: b"", "empty or too short"),
    (lambda b: b"PK\x03\x04 this is a zip, not a model", "not a safetensors file"),
    (lambda b: b[: len(b) // 2], "damaged or truncated"),
    (lambda b: _edit_meta(b, lambda m: m.update(format="pickle")), "format is 'pickle'"),
    (lambda b: _edit_meta(b, lambda m: m["spec"]["layers"].append({"type": "eval"})), "layer 7 has type 'eval'"),
    (lambda b: _edit_meta(b, lambda m: m["spec"]["layers"][0].update(filters=8)), "do not match the spec"),
    (lambda b: _edit_meta(b, lambda m: m.update(input_shape=[1, 8, 8, 8])), "input_shape"),   # [1, 8] is a sequence now
])
def test_bad_model_files_are_refused(digits, make_bad, message):
    spec = preset("small")
    blob = save_model(build_model(spec, (1, 8, 8), 10), spec, (1, 8, 8), digits.classes)
    with pytest.raises(ConvlabError, match=message):
        load_model(make_bad(blob))


@pytest.mark.slow                   # a new Python process imports torch and trains: seconds, more on a busy machine
def test_cli_trains_and_writes_a_model(tmp_path):
    out = tmp_path / "m.safetensors"
    proc = subprocess.run([sys.executable, "-m", "convlab", "train", "--dataset", "digits", "--epochs", "2",
                           "--threads", "1", "--out", str(out)], capture_output=True, text=True, timeout=120,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("epoch 1/2:") and lines[1].startswith("epoch 2/2:")
    result = json.loads(lines[-1])
    assert result["epochs"] == 2 and result["params"] == 6090 and result["test_accuracy"] >= 0.94    # 0.967, seed 0
    assert result["train_seconds"] > 0
    model, meta = load_model(out.read_bytes())
    assert meta["input_shape"] == [1, 8, 8]


def test_bundled_models_load_and_classify():
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2] / "assets"
    for name, data in (("digits_small", load_digits()), ("shapes_small", make_shapes())):
        model, meta = load_model((root / f"{name}.safetensors").read_bytes())
        x, y = torch.from_numpy(data.normalise(data.x_test)), torch.from_numpy(data.y_test)
        assert evaluate(model, x, y)[1] >= 0.95, name
