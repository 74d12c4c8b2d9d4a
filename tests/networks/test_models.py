"""Model specs: the layer table from convlab's arithmetic agrees with the built torch module."""

import pytest
import torch
import torch.nn as nn

from convlab import ConvlabError
from convlab.networks.models import PRESETS, build_model, layer_table, preset

SHAPES = [(1, 8, 8), (3, 32, 32), (1, 16, 16)]


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("shape", SHAPES)
def test_layer_table_matches_torch(name, shape):
    spec = preset(name)
    rows = layer_table(spec, shape, 10)
    model = build_model(spec, shape, 10)
    assert sum(r.params for r in rows) == sum(p.numel() for p in model.parameters())
    seen = []
    hooks = [m.register_forward_hook(lambda mod, i, o: seen.append(tuple(o.shape[1:])))
             for m in model if not isinstance(m, nn.Flatten)]
    out = model(torch.zeros(2, *shape))
    for h in hooks:
        h.remove()
    assert out.shape == (2, 10)
    assert seen == [r.output_shape for r in rows]


@pytest.mark.parametrize("shape", [(4, 60), (1, 33), (3, 17)])
def test_sequence_models_are_1d_and_match_torch(shape):
    """A (C, L) input builds Conv1d / MaxPool1d / BatchNorm1d layers whose shapes and parameters match the table."""
    spec = {"layers": [{"type": "conv", "filters": 6, "kernel": 5, "padding": 2}, {"type": "batchnorm"},
                       {"type": "act", "fn": "relu"}, {"type": "pool", "mode": "avg", "kernel": 2},
                       {"type": "residual", "kernel": 3}, {"type": "conv", "filters": 4, "kernel": 3},
                       {"type": "globalpool", "mode": "max"}, {"type": "linear", "units": 8}]}
    rows = layer_table(spec, shape, 3)
    model = build_model(spec, shape, 3)
    assert isinstance(model[0], nn.Conv1d) and isinstance(model[1], nn.BatchNorm1d) and isinstance(model[3], nn.AvgPool1d)
    assert sum(r.params for r in rows) == sum(p.numel() for p in model.parameters())
    seen = []
    hooks = [m.register_forward_hook(lambda mod, i, o: seen.append(tuple(o.shape[1:])))
             for m in model if not isinstance(m, nn.Flatten)]
    assert model(torch.zeros(2, *shape)).shape == (2, 3)
    for h in hooks:
        h.remove()
    assert seen == [r.output_shape for r in rows]
    assert rows[0].name == "conv 6×5" and rows[6].name == "global max pool" and rows[6].output_shape == (4,)


def test_global_pooling_on_images():
    rows = layer_table({"layers": [{"type": "conv", "filters": 5}, {"type": "globalpool", "mode": "avg"}]}, (1, 8, 8), 10)
    assert rows[1].output_shape == (5,) and rows[-1].params == 5 * 10 + 10


def test_every_layer_type_and_mult_adds():
    spec = {"layers": [{"type": "conv", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
                       {"type": "act", "fn": "elu"}, {"type": "residual", "kernel": 3, "fn": "tanh"},
                       {"type": "pool", "mode": "avg", "kernel": 2}, {"type": "dropout", "p": 0.5},
                       {"type": "linear", "units": 16}, {"type": "act", "fn": "leaky_relu"}]}
    rows = layer_table(spec, (3, 8, 8), 5)
    model = build_model(spec, (3, 8, 8), 5)
    assert sum(r.params for r in rows) == sum(p.numel() for p in model.parameters())
    assert rows[0].mult_adds == 4 * 8 * 8 * 3 * 9 and rows[6].mult_adds == 4 * 4 * 4 * 16


@pytest.mark.parametrize("spec, message", [
    ({"layers": [{"type": "conv", "kernel": 5}] * 3}, "layer 2 (conv) gets an input of 8×4×4: kernel 5×5"),
    ({"layers": [{"type": "pool", "kernel": 2}] * 4}, "the stack shrinks to nothing there"),
    ({"layers": [{"type": "linear", "units": 8}, {"type": "conv"}]}, "layer 2 (conv) needs an image- or sequence-shaped input"),
    ({"layers": [{"type": "attention"}]}, "layer 1 has type 'attention'"),
    ({"layers": [{"type": "act", "fn": "gelu"}]}, "activation 'gelu'"),
    ({"layers": [{"type": "conv", "filters": 10_000}]}, "filters=10000: use a whole number from 1 to 512"),
    ({"layers": [{"type": "residual", "kernel": 2}]}, "use an odd size"),
    ({"layers": "conv"}, "must be an object with a list of 'layers'"),
    ([1, 2], "must be an object with a list of 'layers'"),
])
def test_bad_specs_are_explained_before_building(spec, message):
    with pytest.raises(ConvlabError, match=message.replace("(", r"\(").replace(")", r"\)")):
        layer_table(spec, (1, 8, 8), 10)
