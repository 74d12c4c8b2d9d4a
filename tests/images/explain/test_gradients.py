"""convlab.saliency and convlab.grad_cam against Captum (the oracle), on random CNNs of odd sizes, in float64."""

import numpy as np
import pytest
import torch
import torch.nn as nn
from captum.attr import LayerGradCam, Saliency

import convlab
from convlab import ConvlabError
from convlab.images.explain.gradients import default_cam_layer, grad_cam_steps, saliency_steps
from oracle import random_cnn

pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")
SEEDS = range(24)


@pytest.mark.parametrize("seed", SEEDS)
def test_saliency_equals_captum(seed):
    model, image, classes = random_cnn(seed)
    target = seed % classes
    want = Saliency(model).attribute(torch.from_numpy(image)[None], target=target, abs=True)[0].numpy()
    got = convlab.saliency(model, image, target)
    assert got.shape == image.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"seed {seed}")


@pytest.mark.parametrize("seed", SEEDS)
def test_grad_cam_equals_captum_at_every_layer_with_maps(seed):
    model, image, classes = random_cnn(seed)
    target = (seed + 1) % classes
    flat = next(i for i, m in enumerate(model) if isinstance(m, nn.Flatten))
    for layer in [None, *range(flat)]:
        idx = default_cam_layer(model) if layer is None else layer
        want = LayerGradCam(model, model[idx]).attribute(torch.from_numpy(image)[None], target=target,
                                                         relu_attributions=True)[0, 0].detach().numpy()
        got = convlab.grad_cam(model, image, target, layer=layer)
        assert got.shape == want.shape, (seed, layer)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"seed {seed} layer {layer}")


@pytest.mark.parametrize("seed", range(6))
def test_grad_cam_steps_are_consistent_with_autograd(seed):
    """αₖ is the mean of ∂score/∂Aₖ, and the score is the model's output (checked by autograd directly)."""
    model, image, classes = random_cnn(seed)
    s = grad_cam_steps(model, image, 0)
    idx = s.layer
    acts = model[:idx + 1](torch.from_numpy(image)[None]).detach().requires_grad_(True)
    score = model[idx + 1:](acts)[0, 0]
    score.backward()
    np.testing.assert_allclose(s.gradients, acts.grad[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.alphas, acts.grad[0].numpy().mean(axis=(1, 2)), rtol=1e-12)
    assert s.score == pytest.approx(float(score.detach()), rel=1e-12)
    np.testing.assert_allclose(s.cam, np.maximum(np.tensordot(s.alphas, s.activations, 1), 0), atol=1e-12)


def test_float32_model_and_dropout_stay_as_they_were():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(), nn.Linear(4 * 9 * 9, 2))
    model.train()
    image = np.random.default_rng(0).random((3, 11, 11)).astype(np.float32)
    a, b = convlab.saliency(model, image, 1), convlab.saliency(model, image, 1)
    np.testing.assert_array_equal(a, b)                       # eval mode inside: dropout is off
    assert model.training and a.dtype == np.float32


def test_worked_example_in_numbers():
    """The small example from grad_cam_steps' docstring, by hand: a 3×3 image 0..8, a 2×2 filter of ones,
    a linear read-out with weights 1, 2, 3, 4. A0 = [[8, 12], [20, 24]], α0 = (1+2+3+4)/4 = 2.5,
    Grad-CAM = 2.5·A0; the score is 1·8 + 2·12 + 3·20 + 4·24 = 188."""
    model = nn.Sequential(nn.Conv2d(1, 1, 2, bias=False), nn.Flatten(), nn.Linear(4, 1, bias=False)).double()
    with torch.no_grad():
        model[0].weight.fill_(1)
        model[2].weight.copy_(torch.tensor([[1.0, 2, 3, 4]]))
    s = grad_cam_steps(model, np.arange(9.0).reshape(1, 3, 3), 0)
    assert s.score == 1 * 8 + 2 * 12 + 3 * 20 + 4 * 24
    assert s.gradients[0].tolist() == [[1, 2], [3, 4]] and s.alphas.tolist() == [2.5]
    assert s.cam.tolist() == [[20, 30], [50, 60]]
    sal = saliency_steps(model, np.arange(9.0).reshape(1, 3, 3), 0)
    # ∂score/∂x: each input pixel times the read-out weights of the windows that cover it
    assert sal.gradient[0].tolist() == [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    assert "saliency[0,0,1] = |3| = 3" in sal.text()


def test_negative_evidence_is_cut_by_the_relu():
    model = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.Flatten(), nn.Linear(4, 1, bias=False)).double()
    with torch.no_grad():
        model[0].weight.fill_(1)
        model[2].weight.fill_(-1)
    s = grad_cam_steps(model, np.array([[[1.0, -2], [3, 0]]]), 0)
    assert s.alphas.tolist() == [-1] and s.weighted.tolist() == [[-1, 2], [-3, 0]] and s.cam.tolist() == [[0, 2], [0, 0]]


def test_bad_input_is_explained():
    model, image, classes = random_cnn(0)
    with pytest.raises(ConvlabError, match=f"target {classes} does not exist"):
        convlab.saliency(model, image, classes)
    with pytest.raises(ConvlabError, match="target must be a class index"):
        convlab.grad_cam(model, image, "cat")
    with pytest.raises(ConvlabError, match="layer 99 is not an index"):
        convlab.grad_cam(model, image, 0, layer=99)
    flat = next(i for i, m in enumerate(model) if isinstance(m, nn.Flatten))
    with pytest.raises(ConvlabError, match="flat vector"):
        convlab.grad_cam(model, image, 0, layer=flat)
    with pytest.raises(ConvlabError, match=r"shape \(C, H, W\)"):
        convlab.saliency(model, image[0], 0)
    with pytest.raises(ConvlabError, match="no Conv2d"):
        convlab.grad_cam(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), np.zeros((1, 2, 2)), 0)


@pytest.mark.parametrize("seed", range(6))
def test_worked_examples_in_latex_carry_the_numbers_autograd_gives(seed):
    """The LaTeX the explanations page shows: each αₖ is the mean of ∂score/∂Aₖ (autograd), its first terms are
    those gradients, and the cell's ReLU(Σₖ αₖ Aₖ) is Captum's Grad-CAM there; saliency's lines are Captum's."""
    import re

    from convlab._core.format import num
    model, image, classes = random_cnn(seed)
    target = seed % classes
    s = grad_cam_steps(model, image, target)
    acts = model[:s.layer + 1](torch.from_numpy(image)[None]).detach().requires_grad_(True)
    model[s.layer + 1:](acts)[0, target].backward()
    grads = acts.grad[0].numpy()                                                 # (K, h, w)
    lines = s.latex(maps=3, terms=4)
    i, j = s.cell()
    contributions = np.abs(grads.mean(axis=(1, 2)) * acts[0, :, i, j].detach().numpy())
    shown = [int(k) for k in np.argsort(-contributions, kind="stable")[:3]]           # the strongest at the cell
    assert len(lines) == 2 + len(shown)
    for k, line in zip(shown, lines[1:-1]):
        pattern = r"\\alpha_\{K\} = \\tfrac\{1\}\{(\d+)\}\\,\((.*)\) = (\S+)".replace("K", str(k))
        size, inside, value = re.fullmatch(pattern, line).group(1, 2, 3)
        assert int(size) == grads[k].size and value == num(grads[k].mean())
        g = grads[k].ravel()
        first = [f"({num(v)})" if v < 0 else num(v) for v in g[g != 0][:4]]              # the first nonzero terms
        terms = re.sub(r"^\\underbrace\{(.*)\}_\{\\text\{(\d+) of \d+ terms are 0\}\}$", r"\1", inside)
        assert terms.split(" + ")[:len(first)] == (first or ["0"])
        zeros = re.search(r"\\text\{(\d+) of", inside)
        assert int(zeros.group(1) if zeros else 0) == int((g == 0).sum())
    cam = LayerGradCam(model, model[s.layer]).attribute(torch.from_numpy(image)[None], target=target,
                                                        relu_attributions=True)[0, 0].detach().numpy()
    assert lines[-1].startswith(rf"\begin{{aligned}} L_{{{i},{j}}} &=")
    assert lines[-1].endswith(f"= {num(cam[i, j])} \\end{{aligned}}")
    assert cam[i, j] == pytest.approx(cam.max(), rel=1e-9)                           # the hottest cell
    sal = Saliency(model).attribute(torch.from_numpy(image)[None], target=target, abs=True)[0].numpy()
    top = np.unravel_index(np.argmax(sal), sal.shape)
    assert saliency_steps(model, image, target).latex(1)[1].endswith(f"= {num(sal[top])}")
    assert f"x_{{{top[0]},{top[1]},{top[2]}}}" in saliency_steps(model, image, target).latex(1)[1]


@pytest.mark.parametrize("seed", range(12))
def test_default_layer_is_the_last_conv_and_cam_layers_are_those_with_maps(seed):
    """default_cam_layer is the index of the last nn.Conv2d; cam_layers are the layers whose output, recorded
    by forward hooks on a real forward pass, is a stack of maps (1, K, h, w)."""
    model, image, _ = random_cnn(seed)
    assert default_cam_layer(model) == max(i for i, m in enumerate(model) if isinstance(m, nn.Conv2d))
    shapes = {}
    for i, m in enumerate(model):
        m.register_forward_hook(lambda mod, inp, out, i=i: shapes.__setitem__(i, tuple(out.shape)))
    model(torch.from_numpy(image)[None])
    assert convlab.cam_layers(model, image.shape) == [i for i in range(len(model)) if len(shapes[i]) == 4]
    np.testing.assert_allclose(convlab.grad_cam(model, image, 0), convlab.grad_cam(model, image, 0,
                                                                                     layer=default_cam_layer(model)))
