"""The layer registry (convlab.networks.layers): every place that reads it agrees with torch.

Activations are checked in every place a student meets them: convlab.images.kernels.activate / activation_slope,
the torch module build_model makes, the PyTorch snippet model_snippet exports (run as code), and the network
view's recomputation (explain_map). The parameters are the notes' (seed 003: Leaky ReLU = max(0.1x, x)), written
here by hand so a drift in the registry fails. Random architectures check the layer table, the built module,
the snippet and the network view against each other.
"""

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from convlab import ConvlabError
from convlab.classroom.export import model_snippet
from convlab.images.kernels import ACTIVATIONS, activate, activation_slope
from convlab.networks.layers import ACTIVATION_TYPES, LAYERS, describe_module, layer_modules, new_layer
from convlab.networks.models import build_model, layer_table
from convlab.networks.maps import explain_map, layer_maps

# torch's own functions with the notes' parameters (seed 003), not read from the registry
TORCH = {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "elu": lambda x: F.elu(x, 1.0),
         "tanh": torch.tanh, "sigmoid": torch.sigmoid}
SEEDS = range(6)


def _inputs(seed: int) -> np.ndarray:
    """Random values of every size, exact zeros, and a few far out (float64)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 3, size=(2, 5, 7)) * rng.choice([0.01, 1, 10], size=(2, 5, 7))
    x.flat[:3] = [0.0, -40.0, 40.0]
    return x


def _run(code: str) -> dict:
    ns: dict = {}
    exec(compile(code, "<snippet>", "exec"), ns)             # noqa: S102  (our own generated code)
    return ns


def test_every_registered_activation_has_a_torch_reference():
    assert set(ACTIVATIONS) == set(TORCH) == set(ACTIVATION_TYPES)


def test_leaky_relu_is_max_of_point_one_x_and_x_seed003():
    assert activate([-10.0, 0.0, 4.0], "leaky_relu").tolist() == [-1.0, 0.0, 4.0]
    assert activation_slope([-3.0, 2.0], "leaky_relu").tolist() == [0.1, 1.0]
    assert ACTIVATION_TYPES["leaky_relu"].formula == "max(0.1x, x)"
    assert build_model({"layers": [{"type": "act", "fn": "leaky_relu"}]}, (1, 2, 2), 2)[0].negative_slope == 0.1
    assert "nn.LeakyReLU(0.1)" in model_snippet({"layers": [{"type": "act", "fn": "leaky_relu"}]}, (1, 2, 2), 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn", list(TORCH))
def test_kernels_activate_and_slope_equal_torch(fn, seed):
    x = torch.tensor(_inputs(seed), requires_grad=True)
    y = TORCH[fn](x)
    y.sum().backward()
    np.testing.assert_allclose(activate(x.detach().numpy(), fn), y.detach().numpy(), rtol=1e-12, atol=1e-12)
    away = np.abs(x.detach().numpy()) > 1e-9                 # the kink at 0 has no single slope
    np.testing.assert_allclose(activation_slope(x.detach().numpy(), fn)[away], x.grad.numpy()[away], rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn", list(TORCH))
def test_built_module_and_exported_snippet_equal_torch(fn, seed):
    x = torch.tensor(_inputs(seed))
    want = TORCH[fn](x)
    spec = {"layers": [{"type": "act", "fn": fn}, {"type": "residual", "kernel": 3, "fn": fn}]}
    built = build_model(spec, (5, 7, 7), 3).double()
    torch.testing.assert_close(built[0](x), want, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(built[1].act(x), want, rtol=1e-12, atol=1e-12)       # the residual block's too
    exported = _run(model_snippet(spec, (5, 7, 7), 3))["model"].double()
    torch.testing.assert_close(exported[0](x), want, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(exported[1].act(x), want, rtol=1e-12, atol=1e-12)
    assert describe_module(built[0]) == ("act", fn) and describe_module(exported[0]) == ("act", fn)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fn", list(TORCH))
def test_network_view_recomputes_each_activation_like_torch(fn, seed):
    torch.manual_seed(seed)
    spec = {"layers": [{"type": "conv", "filters": 3, "kernel": 3, "padding": 1}, {"type": "act", "fn": fn}]}
    model = build_model(spec, (2, 5, 7), 4).double()
    x = _inputs(seed)[:, :, :7][:2, :5]
    conv, act = layer_maps(model, x)
    assert act.kind == "act" and act.fn == fn
    for k in range(3):
        text, again = explain_map(act, conv.maps, k)
        np.testing.assert_allclose(again, TORCH[fn](torch.tensor(conv.maps[k])).numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(again, act.maps[k], rtol=1e-12, atol=1e-12)
        assert ACTIVATION_TYPES[fn].formula in text


def test_unknown_activations_are_refused_everywhere():
    with pytest.raises(ConvlabError, match="activation 'gelu': use one of relu"):
        activate([1.0], "gelu")
    with pytest.raises(ConvlabError, match="activation 'gelu'"):
        activation_slope([1.0], "gelu")
    with pytest.raises(ConvlabError, match="layer 1 activation 'gelu'"):
        layer_table({"layers": [{"type": "act", "fn": "gelu"}]}, (1, 4, 4), 2)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_each_type_maps_back_to_itself_in_the_network_view(kind):
    shape = (4, 6, 6)
    modules = layer_modules(new_layer(kind), shape)
    assert {describe_module(m)[0] for m in modules} == {kind}


def _random_spec(rng: np.random.Generator) -> tuple[dict, tuple[int, int, int]]:
    """A random stack that fits its input: image layers first, then maybe linear layers."""
    shape = (int(rng.integers(1, 4)), int(rng.integers(5, 26)), int(rng.integers(5, 26)))
    layers, h = [], min(shape[1:])
    for _ in range(int(rng.integers(1, 9))):
        kind = str(rng.choice(["conv", "pool", "act", "batchnorm", "dropout", "residual"]))
        layer = new_layer(kind)
        if kind == "conv":
            k = int(rng.integers(1, min(h, 5) + 1))
            layer.update(filters=int(rng.integers(1, 7)), kernel=k, stride=int(rng.integers(1, 3)),
                         padding=int(rng.integers(0, k)))
        elif kind == "pool":
            if h < 2:
                continue
            layer.update(mode=str(rng.choice(["max", "avg"])), kernel=2, stride=[None, 1, 2][int(rng.integers(0, 3))])
        elif kind == "act":
            layer["fn"] = str(rng.choice(ACTIVATIONS))
        elif kind == "residual":
            layer.update(kernel=int(rng.choice([1, 3])), fn=str(rng.choice(ACTIVATIONS)))
        elif kind == "dropout":
            layer["p"] = float(rng.choice([0.0, 0.3]))
        trial = {"layers": layers + [layer]}
        try:
            out = layer_table(trial, shape, 3)[-2].output_shape
        except ConvlabError:
            continue
        layers.append(layer)
        h = min(out[1:])
    for _ in range(int(rng.integers(0, 3))):
        layers.append({"type": "linear", "units": int(rng.integers(2, 20))})
        if rng.random() < 0.5:
            layers.append({"type": "act", "fn": str(rng.choice(ACTIVATIONS))})
    return {"layers": layers}, shape


@pytest.mark.parametrize("seed", range(30))
@torch.no_grad()
def test_random_architectures_agree_in_every_place(seed):
    spec, shape = _random_spec(np.random.default_rng(seed))
    rows = layer_table(spec, shape, 3)
    torch.manual_seed(seed)
    model = build_model(spec, shape, 3).double().eval()
    assert sum(r.params for r in rows) == sum(p.numel() for p in model.parameters())
    seen = []
    hooks = [m.register_forward_hook(lambda mod, i, o: seen.append(tuple(o.shape[1:])))
             for m in model if not isinstance(m, nn.Flatten)]
    x = torch.randn(2, *shape, dtype=torch.float64)
    out = model(x)
    for h in hooks:
        h.remove()
    assert seen == [r.output_shape for r in rows]
    exported = _run(model_snippet(spec, shape, 3))["model"].double().eval()
    exported.load_state_dict(model.state_dict())                 # same names, same shapes
    torch.testing.assert_close(exported(x), out, rtol=1e-12, atol=1e-12)
    spatial = [layer["type"] for layer, row in zip(spec["layers"], rows) if len(row.output_shape) == 3]
    assert [m.kind for m in layer_maps(model, x[0].numpy())] == spatial
