"""Gram matrices, content and style losses (seed 003) against torch and autograd, float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab
from convlab.errors import ConvlabError
from convlab.images.gram import content_gradient, style_gradient

SHAPES = [(1, 1, 1), (2, 2, 2), (3, 5, 7), (4, 1, 9), (5, 25, 25), (2, 3, 1), (6, 4, 11)]


def torch_gram(f: torch.Tensor) -> torch.Tensor:
    c = f.shape[0]
    return torch.mm(f.reshape(c, -1), f.reshape(c, -1).t()) / (f.shape[1] * f.shape[2])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES)
def test_gram_matrix_matches_torch(shape, seed):
    f = np.random.default_rng(seed).normal(size=shape)
    np.testing.assert_allclose(convlab.gram_matrix(f), torch_gram(torch.from_numpy(f)).numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES)
def test_content_loss_and_gradient_match_autograd(shape, seed):
    rng = np.random.default_rng(seed)
    f, p = rng.normal(size=shape), rng.normal(size=shape)
    ft = torch.tensor(f, requires_grad=True)
    loss = F.mse_loss(ft, torch.from_numpy(p))
    (grad,) = torch.autograd.grad(loss, ft)
    assert convlab.content_loss(f, p) == pytest.approx(loss.item(), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(content_gradient(f, p), grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_style_loss_over_layers_matches_autograd(seed):
    """Several layers of different channels and odd sizes; the style image has other sizes than the image."""
    rng = np.random.default_rng(seed)
    shapes = [(int(rng.integers(1, 6)), int(rng.integers(1, 12)), int(rng.integers(1, 12))) for _ in range(3)]
    feats = [rng.normal(size=s) for s in shapes]
    styles = [rng.normal(size=(c, int(rng.integers(1, 9)), int(rng.integers(1, 9)))) for c, _, _ in shapes]
    weights = rng.random(3) * 2
    grams = [convlab.gram_matrix(s) for s in styles]
    ft = [torch.tensor(f, requires_grad=True) for f in feats]
    loss = sum(w * F.mse_loss(torch_gram(f), torch_gram(torch.from_numpy(s))) for w, f, s in zip(weights, ft, styles))
    grads = torch.autograd.grad(loss, ft)
    assert convlab.style_loss(feats, grams, weights) == pytest.approx(loss.item(), rel=1e-12)
    for mine, theirs in zip(style_gradient(feats, grams, weights), grads):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-13)


def test_losses_on_tensors_stay_differentiable():
    f = torch.rand(3, 4, 5, dtype=torch.float64, requires_grad=True)
    loss = convlab.style_loss(f, torch.eye(3, dtype=torch.float64)) + convlab.content_loss(f, torch.zeros(3, 4, 5))
    loss.backward()
    assert f.grad is not None and f.grad.shape == (3, 4, 5)


def test_seed003_worked_example():
    """Two channels on 2×2 positions: every number of the written-out example, checked by autograd."""
    ex = convlab.style_example()
    assert ex.gram.tolist() == [[1.5, 0.75], [0.75, 1.5]]
    assert ex.style_gram.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert ex.style_loss == 0.40625          # (0.5² + 0.75² + 0.75² + 0.5²) / 2²
    assert ex.content_loss == 0.375          # (0 + 1 + 0 + 0 + 1 + 0 + 1 + 0) / 8
    assert ex.check().ok
    lines = ex.latex()
    assert "0.4062" in lines[2] and "0.375" in lines[4] and "0.4375" in lines[6]


@pytest.mark.parametrize("seed", range(3))
def test_style_example_random_checks_with_autograd(seed):
    rng = np.random.default_rng(seed)
    c, h, w = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    ex = convlab.style_example(rng.normal(size=(c, h, w)), rng.normal(size=(c, h, w)), rng.normal(size=(c, 3, 2)))
    assert ex.check().ok


@pytest.mark.parametrize("call, words", [
    (lambda: convlab.gram_matrix(np.zeros((2, 3))), "(C, H, W)"),
    (lambda: convlab.content_loss(np.zeros((1, 2, 2)), np.zeros((1, 2, 3))), "differ"),
    (lambda: convlab.style_loss(np.zeros((2, 2, 2)), np.zeros((3, 3))), "2 channels"),
    (lambda: convlab.style_loss([np.zeros((2, 2, 2))] * 2, [np.zeros((2, 2))]), "one per layer"),
    (lambda: convlab.style_loss(np.zeros((1, 2, 2)), np.zeros((1, 1)), [-1.0]), "0 or more"),
    (lambda: convlab.style_loss([], []), "empty"),
    (lambda: convlab.style_example(style=np.zeros((3, 2, 2))), "same channels"),
])
def test_bad_input_says_what_to_change(call, words):
    with pytest.raises(ConvlabError, match=None) as info:
        call()
    assert words in str(info.value)
