"""Dropout against torch: F.dropout and nn.Dropout after torch.manual_seed, a given torch.Generator, a given
mask; eval mode; the inverted scaling; the ensemble of thinned networks."""

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import convlab
from convlab.deep.dropout import dropout_ensemble, dropout_mask, masked_forward
from oracle import CASES, T, check_op, per_seed


def random_case(rng: np.random.Generator) -> dict:
    rank = int(rng.integers(1, 5))
    shape = tuple(int(v) for v in rng.integers(1, 9, size=rank))
    if rng.random() < 0.1:
        shape = (3, 801)                             # more than one 800-value chunk of torch's parallel draw
    p = float(rng.choice([0.1, 0.25, 0.5, 0.9, 0.33, float(rng.uniform(0.01, 0.99))]))
    return dict(x=rng.normal(size=shape), p=p, seed=int(rng.integers(0, 2 ** 31)))


CASE_LIST = [random_case(np.random.default_rng(seed)) for seed in range(CASES)]


@per_seed(range(CASES))
def test_equals_torch_after_manual_seed(seed):
    c = CASE_LIST[seed]

    def functional(x, p, seed):
        torch.manual_seed(seed)
        return F.dropout(x, p, training=True)

    def module(x, p, seed):
        torch.manual_seed(seed)
        return nn.Dropout(p).train()(x)
    for theirs in (functional, module):
        check_op(convlab.dropout, theirs, dict(x=c["x"]), dict(p=c["p"], seed=c["seed"]), atol=0, rtol=0,
                 label=f"seed {seed} {theirs.__name__}")


@per_seed(range(0, CASES, 5))
def test_the_mask_of_a_float32_input_is_the_same(seed):
    c = CASE_LIST[seed]
    torch.manual_seed(c["seed"])
    out = F.dropout(torch.ones(c["x"].shape), c["p"])
    np.testing.assert_array_equal(out.numpy() != 0, dropout_mask(c["x"].shape, c["p"], c["seed"]) == 1)


@per_seed(range(0, CASES, 5))
def test_a_generator_is_used_and_advanced_like_torch_uses_its_own(seed):
    c = CASE_LIST[seed]
    mine, theirs = torch.Generator().manual_seed(c["seed"]), torch.Generator().manual_seed(c["seed"])
    for _ in range(2):                                   # two draws in a row: the generator moves on
        got = convlab.dropout(c["x"], c["p"], generator=mine)
        keep = torch.empty(c["x"].shape, dtype=torch.float64).bernoulli_(1 - c["p"], generator=theirs)
        np.testing.assert_array_equal(got, (T(c["x"]) * (keep / (1 - c["p"]))).numpy())


@per_seed(range(0, CASES, 5))
def test_a_given_mask_gives_torch_the_same_numbers(seed):
    c = CASE_LIST[seed]
    mask = (np.random.default_rng(seed).random(c["x"].shape) > c["p"]).astype(float)
    check_op(convlab.dropout, lambda x, mask, p: x * (mask / (1 - p)), dict(x=c["x"], mask=mask), dict(p=c["p"]),
             atol=0, rtol=0, label=f"seed {seed}")


def test_eval_mode_and_the_edge_probabilities_match_torch():
    x = np.random.default_rng(0).normal(size=(4, 5))
    for p in (0.0, 0.5, 1.0):
        np.testing.assert_array_equal(convlab.dropout(x, p, training=False), F.dropout(T(x), p, training=False).numpy())
    torch.manual_seed(1)
    np.testing.assert_array_equal(convlab.dropout(x, 1.0), F.dropout(T(x), 1.0).numpy())
    np.testing.assert_array_equal(convlab.dropout(x, 0.0), x)
    assert dropout_mask((2, 3), 0.0).tolist() == [[1.0] * 3] * 2


def test_inverted_scaling_keeps_the_expected_value_and_masks_differ_per_sample():
    x = np.full((2000, 10), 3.0)
    out = convlab.dropout(x, 0.4, seed=7)
    assert set(np.unique(out)) == {0.0, 5.0}                       # 3 / (1 − 0.4)
    assert abs(out.mean() - 3.0) < 0.1
    assert len({tuple(row) for row in (out[:50] > 0)}) > 40       # fresh masks, sample by sample


def test_masked_forward_draws_what_nn_dropout_draws():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 16), nn.Dropout(0.6),
                        nn.Linear(16, 3)).double()
    x = T(np.random.default_rng(1).normal(size=(7, 5)))
    torch.manual_seed(11)
    want = net.train()(x)
    got = masked_forward(net, x, torch.Generator().manual_seed(11))
    np.testing.assert_allclose(got.numpy(), want.detach().numpy(), atol=1e-12)


def test_the_average_of_many_thinned_networks_approaches_the_eval_network():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    x = torch.randn(20, 1, 8, 8)
    e = dropout_ensemble(net, x, counts=(1, 4, 16, 256))
    np.testing.assert_allclose(e.eval_probs, torch.softmax(net.eval()(x), 1).detach().numpy(), atol=1e-6)
    assert e.gap[0] > e.gap[1] > e.gap[2] > e.gap[3]
    assert e.agreement[-1] > e.agreement[0] + 0.2
    np.testing.assert_allclose(e.average_probs.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: convlab.dropout([1.0], 1.5), "p=1.5"),
    (lambda: convlab.dropout([1.0], "x"), "p='x'"),
    (lambda: convlab.dropout([1.0, 2.0], 0.5, mask=[1, 2]), "mask must be 0s and 1s"),
    (lambda: convlab.dropout([1.0, 2.0], 0.5, mask=[1]), "shape (1,)"),
    (lambda: convlab.dropout([1.0], 0.5, seed=-1), "seed=-1"),
    (lambda: convlab.dropout([1.0], 0.5, generator=3), "torch.Generator"),
    (lambda: convlab.dropout([1.0], 0.5, training="yes"), "training must be True or False"),
    (lambda: dropout_mask((2, 0), 0.5), "shape must be at least 1"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(convlab.ConvlabError) as err:
        call()
    assert message in str(err.value), str(err.value)


def test_the_torch_check_holds_while_other_threads_draw_from_torchs_generator():
    """The class load test found it: with 30 sessions in one server, another thread moved torch's global generator
    between the check's torch.manual_seed and its F.dropout, and a student saw "DIFFERS from torch". Here two threads
    draw from it (one seeds it too, like another session's seeded model) while the check runs 200 times."""
    import threading

    import torch

    from convlab._core.seeding import seeded
    from convlab.deep.checks import check_dropout
    from convlab.deep.dropout import dropout

    stop = threading.Event()

    def noise():
        while not stop.is_set():
            torch.rand(64)

    def other_session():
        while not stop.is_set():
            with seeded(7):
                torch.rand(64)

    threads = [threading.Thread(target=noise), threading.Thread(target=other_session)]
    for t in threads:
        t.start()
    try:
        x = np.arange(1.0, 41.0).reshape(5, 8)
        checks = [check_dropout(dropout(x, 0.5, seed=s), x, 0.5, s) for s in range(200)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert all(c.ok for c in checks), [c.diff for c in checks if not c.ok][:5]
