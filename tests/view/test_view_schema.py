"""The lesson view's document, described once (convlab/view/payload.schema.json): every payload builder's output,
for random configurations, and what the app's pages send, validate against it; a document that breaks it does not."""

from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np
import pytest

import convlab
from convlab.view import payload
from convlab.view.export import KINDS, document
from convlab.view.site import LESSONS

SCHEMA = json.loads(resources.files("convlab.view").joinpath("payload.schema.json").read_text(encoding="utf-8"))


@functools.cache
def validator():
    """The schema's validator, made on first use: importing jsonschema takes about 1.5 s of CPU (its format checkers
    build their grammars), which every pytest-xdist worker would otherwise pay while collecting this module."""
    import jsonschema
    return jsonschema.Draft202012Validator(SCHEMA)


def check(doc) -> None:
    """Validate a document as the browser receives it (encoded, with the host's fields)."""
    body = payload.encode(doc)
    sent = {**json.loads(body), "step": 0, "speed": 1, "projector": False}
    errors = sorted(validator().iter_errors(sent), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_the_schema_is_valid_and_names_every_kind():
    import jsonschema
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["kind"]["enum"] == list(KINDS)


@pytest.mark.parametrize("seed", range(12))
def test_conv_pool_and_window_documents(seed):
    rng = np.random.default_rng(seed)
    c, o = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    groups = int(rng.choice([g for g in (1, 2) if c % g == 0 and o % g == 0]))
    h, w, k = int(rng.integers(3, 8)), int(rng.integers(3, 8)), int(rng.integers(1, 4))
    x = rng.integers(-3, 6, size=(c, h, w)).astype(float)
    wt = rng.normal(size=(o, c // groups, k, k))
    padding = ["valid", "same", "full"][seed % 3]
    t2 = convlab.conv2d_steps(x, wt, rng.normal(size=o), padding=padding, stride=int(rng.integers(1, 3)), groups=groups)
    check(payload.conv_view(t2, titles={"x": "X"} if seed % 2 else None))
    t1 = convlab.conv1d_steps(x[0].ravel(), wt[0, 0, 0], padding=padding, dilation=int(rng.integers(1, 3)))
    check(payload.conv_view(t1, bias=False))
    check(payload.pool_view(convlab.pool2d_steps(x, k, None, k // 2, ["max", "avg"][seed % 2])))
    check(payload.pool_view(convlab.pool1d_steps(x[0, 0], k, 1, 0, "max")))
    e = convlab.explain_output_size(h, k, int(rng.integers(1, 4)), int(rng.integers(0, k)))
    check(payload.windows_view(e, e))


@pytest.mark.parametrize("seed", range(6))
def test_conv3d_stamp_matrix_and_backward_documents(seed):
    rng = np.random.default_rng(100 + seed)
    vol = rng.integers(-2, 4, size=(int(rng.integers(1, 3)), 4, 5, 5)).astype(float)
    kern = rng.normal(size=(2, vol.shape[0], 2, 2, 2))
    t3 = convlab.conv3d_steps(vol, kern, padding=["valid", "same"][seed % 2])
    sizes = [convlab.explain_output_size(n, 2, 1, 0) for n in vol.shape[1:]]
    check(payload.conv3d_view(t3, sizes if seed % 2 == 0 else ()))
    y = rng.integers(-2, 3, size=(3, 3)).astype(float)
    check(payload.stamp_view(y, rng.normal(size=(3, 3)), stride=int(rng.integers(1, 3)), padding=seed % 2))
    x = rng.integers(0, 5, size=(int(rng.integers(1, 3)), 4, 4)).astype(float)
    w = rng.normal(size=(int(rng.integers(1, 3)), x.shape[0], 2, 2))
    check(payload.matrix_view(x, w, rng.normal(size=w.shape[0]), stride=int(rng.integers(1, 3)),
                              padding=["valid", "same"][seed % 2]))
    stride, pad = int(rng.integers(1, 3)), seed % 2
    dy = rng.normal(size=convlab.conv2d(x, w, stride=stride, padding=pad).shape)
    for entry in ("w", "x", "stamps"):
        check(payload.backward_view(x, w, dy, stride=stride, padding=pad, entry=entry))


def test_unit_documents():
    from convlab.networks.maps import layer_maps, random_model
    from convlab.networks.units import unit_at

    m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3}, {"type": "act", "fn": "relu"},
                                 {"type": "pool", "size": 2}]}, (2, 6, 6), 3)
    x = np.random.default_rng(1).normal(size=(2, 6, 6))
    layers = layer_maps(m, x)
    for li, k, i, j in [(0, 0, 1, 1), (1, 1, 2, 3), (2, 1, 1, 0)]:
        unit = unit_at(layers, x, li, k, i, j)
        before = x if unit.layer == 0 else layers[unit.layer - 1].maps
        check(payload.unit_view(unit, before, "the layer before", "a unit"))
        check(document(unit))


def test_what_the_app_and_the_site_send():
    from ui import convolution_lessons as cached

    bodies = [cached.conv1d_lesson("1, 0, 2, 2, 3, 1", "3, 2, 2", 1.0, "same", 1, 1, True).body,
              cached.conv2d_lesson("1 2 4 3; 5 6 8 7; 9 10 12 11; 13 14 16 2", "1 -2; -3 4", "0", "valid", 1, 1,
                                   False).body,
              cached.matrix_lesson("1 2 3; 4 5 6; 7 8 9", "1 2; 3 4", "0", "valid", 1).body,
              cached.padding_lesson(7, 7, 3, 3, 1, "valid").body,
              *cached.backward_lesson("1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", "1 0; 0 -1", "sum", "", 1, 0).bodies,
              cached.why_transposed("1 2; 3 4", 2, 1)[0], cached.why_dilated(2)[0]]
    for body in bodies:
        check(json.loads(body))
    for lesson in LESSONS:
        for make in lesson.examples.values():
            for _, doc in make():
                check(doc)


def test_a_broken_document_is_caught():
    doc = json.loads(payload.encode(payload.conv_view(convlab.conv1d_steps([1, 2, 3], [1, 1]))))
    for broken in ({**doc, "kind": "movie"}, {**doc, "pad": [0, 0]}, {**doc, "extra": 1},
                   {k: v for k, v in doc.items() if k != "sums"}, {**doc, "x": {"s": [3], "v": ["a"]}}):
        assert not validator().is_valid(broken)
