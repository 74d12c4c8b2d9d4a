"""Side-by-side training against a bare torch loop; small splits with label noise; shifted test images; parameter
counts of the MLP and CNN of the MLP-vs-CNN lesson against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab
from convlab.datasets.digits import load_digits
from convlab.deep.depth import deep_net
from convlab.networks.models import build_model, layer_table
from convlab.deep.side_by_side import Run, param_count, shift_images, small_split, train_side_by_side

DIGITS = load_digits()


def test_each_run_equals_a_bare_torch_loop_on_the_same_batches():
    data = small_split(DIGITS, 96)
    out = train_side_by_side([Run("adam", deep_net(3, "relu", seed=1), "adam", {"lr": 0.01}),
                              Run("sgd", deep_net(3, "relu", seed=1), "momentum", {"lr": 0.05})],
                             data, epochs=2, batch_size=32, seed=4, report_every=1)
    for name, opt_name, lr in (("adam", "adam", 0.01), ("sgd", "momentum", 0.05)):
        net = deep_net(3, "relu", seed=1)
        opt = torch.optim.Adam(net.parameters(), lr) if opt_name == "adam" else \
            torch.optim.SGD(net.parameters(), lr, momentum=0.9)
        x, y = torch.from_numpy(data.normalise(data.x_train)), torch.from_numpy(data.y_train)
        gen, losses = torch.Generator().manual_seed(4), []
        for _ in range(2):
            order = torch.randperm(96, generator=gen)
            for i in range(0, 96, 32):
                loss = F.cross_entropy(net(x[order[i:i + 32]]), y[order[i:i + 32]])
                losses.append(loss.item())
                opt.zero_grad()
                loss.backward()
                opt.step()
        for p, q in zip(net.parameters(), out.models[name].parameters()):
            assert torch.equal(p, q), name
        steps = [r["train_loss"] for r in out.records if r["run"] == name and r["kind"] == "step"]
        assert steps == pytest.approx(losses, abs=1e-6)
    epochs = [r for r in out.records if r["kind"] == "epoch"]
    assert [(r["run"], r["epoch"]) for r in epochs] == [("adam", 1), ("sgd", 1), ("adam", 2), ("sgd", 2)]
    assert out.status == {"adam": "done", "sgd": "done"}


def test_gradient_norms_are_recorded_per_layer_and_a_diverging_run_is_left_behind():
    seen, progress = [], []
    out = train_side_by_side([Run("wild", deep_net(2, "relu"), "sgd", {"lr": 90.0}),
                              Run("calm", deep_net(2, "relu"), "adam", {"lr": 0.01})],
                             small_split(DIGITS, 128), epochs=2, batch_size=16, report_every=2, grad_norms=True,
                             on_record=seen.append, on_progress=lambda d, t: progress.append((d, t)))
    assert out.status["wild"].startswith("diverged at step") and out.status["calm"] == "done"
    assert seen == out.records
    steps = [r for r in out.records if r["run"] == "calm" and r["kind"] == "step"]
    assert list(steps[0]["grad_norms"]) == ["conv 1", "conv 2", "classifier"]
    assert progress[-1] == (32, 32) and len(progress) == 16
    assert not [r for r in out.records if r["run"] == "wild" and r["kind"] == "epoch"]


def test_a_raising_progress_callback_stops_training():
    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop

    with pytest.raises(Stop):
        train_side_by_side([Run("a", deep_net(2))], DIGITS, epochs=5, on_progress=stop)


def test_small_split_changes_exactly_the_asked_share_of_labels_to_other_classes():
    s = small_split(DIGITS, 200, label_noise=0.3, seed=2)
    wrong = s.y_train != DIGITS.y_train[:200]
    assert wrong.sum() == 60 and s.x_train.shape[0] == 200
    np.testing.assert_array_equal(s.x_train, DIGITS.x_train[:200])
    np.testing.assert_array_equal(s.mean, DIGITS.mean)
    assert np.array_equal(small_split(DIGITS, 200, 0.3, seed=2).y_train, s.y_train)


@pytest.mark.parametrize("dy, dx", [(0, 1), (1, 0), (-2, 1), (3, -3), (0, 0)])
def test_shifted_images_equal_torch_roll_with_zero_fill(dy, dx):
    x = DIGITS.x_test[:5]
    want = torch.roll(torch.from_numpy(x), (dy, dx), dims=(2, 3))
    if dy > 0:
        want[:, :, :dy] = 0
    elif dy < 0:
        want[:, :, dy:] = 0
    if dx > 0:
        want[:, :, :, :dx] = 0
    elif dx < 0:
        want[:, :, :, dx:] = 0
    np.testing.assert_array_equal(shift_images(x, dy, dx), want.numpy())


MLP = {"layers": [{"type": "linear", "units": 64}, {"type": "act", "fn": "relu"}]}
CNN = {"layers": [{"type": "conv", "filters": 16, "kernel": 3, "padding": 1}, {"type": "act", "fn": "relu"},
                  {"type": "pool", "mode": "max", "kernel": 2}]}


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 32, 32), (3, 32, 32), (3, 224, 224), (1, 7, 9)])
def test_parameter_counts_of_the_mlp_and_the_cnn_equal_torch(shape):
    for spec in (MLP, CNN):
        rows = layer_table(spec, shape, 10)
        assert sum(r.params for r in rows) == param_count(build_model(spec, shape, 10))
    c, h, w = shape
    assert sum(r.params for r in layer_table(MLP, shape, 10)) == c * h * w * 64 + 64 + 64 * 10 + 10


def test_bad_input_is_explained():
    with pytest.raises(convlab.ConvlabError, match="run names must differ"):
        train_side_by_side([Run("a", deep_net(2)), Run("a", deep_net(2))], DIGITS)
    with pytest.raises(convlab.ConvlabError, match="2000 training images asked for"):
        small_split(DIGITS, 2000)
    with pytest.raises(convlab.ConvlabError, match="label noise 1.5"):
        small_split(DIGITS, 100, label_noise=1.5)
    with pytest.raises(convlab.ConvlabError, match="momentum"):
        train_side_by_side([Run("a", deep_net(2), "sgd", {"momentum": 0.9})], DIGITS)
    with pytest.raises(convlab.ConvlabError, match="moves the whole 8×8 image out of view"):
        shift_images(DIGITS.x_test[:2], 0, 8)
