"""convlab.export_html and convlab.view.export.document: what goes into the one offline file (the browser side is
tests/browser/test_export_html.py): every kind of input, the size limit, nothing that could reach the network."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import convlab
from convlab.view import payload
from convlab.view.export import MAX_HTML_BYTES, document, export_html
from ui import convolution_lessons as cached


def data_of(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="lesson-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


# the app's default lessons (the pages' defaults and the notes' worked examples)
DEFAULTS = {
    "conv1d": lambda: cached.conv1d_lesson("1, 0, 2, 2, 3, 1", "3, 2, 2", 0.0, "valid", 1, 1, False).body,
    "conv2d": lambda: cached.conv2d_lesson("1 2 4 3; 5 6 8 7; 9 10 12 11; 13 14 16 2", "1 -2; -3 4", "0", "valid",
                                           1, 1, False, 1).body,
    "pooling": lambda: cached.pool_lesson("1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4", "max", 2, None, 0).body,
    "matrix": lambda: cached.matrix_lesson("1 2 3; 4 5 6; 7 8 9", "1 2; 3 4", "0", "valid", 1).body,
    "padding": lambda: cached.padding_lesson(7, 7, 3, 1, 1, "same").body,
    "conv3d": lambda: payload.encode(document(convlab.conv3d_steps(np.arange(75.0).reshape(3, 5, 5) % 7,
                                                                   np.ones((2, 3, 3))))),
}


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_a_default_lesson_is_one_small_file_that_fetches_nothing(name):
    body = DEFAULTS[name]()
    text = export_html(body, title=name)
    assert len(text.encode()) < MAX_HTML_BYTES
    assert data_of(text)["kind"] == json.loads(body)["kind"]
    # nothing can be fetched: no external URL anywhere, and a CSP that forbids every request
    assert not re.search(r"(src|href)\s*=\s*[\"'](?!#|data:)", text), "no external resource"
    assert not re.search(r"https?://", text)
    assert "default-src 'none'" in text


def test_the_document_carries_convlabs_numbers():
    trace = convlab.conv2d_steps(np.arange(12.0).reshape(3, 4) - 5, [[1, -1], [0.5, 2]], [1.5], padding=1, stride=2)
    data = data_of(export_html(trace))
    np.testing.assert_array_equal(np.array(data["y"]["v"], dtype=float), trace.output.ravel())
    assert data["step"] == 0 and data["bias"] == [1.5]
    pool = data_of(export_html(convlab.pool2d_steps([[1, 5], [4, 2]], 2)))
    assert pool["kind"] == "pool" and pool["y"]["v"] == [5]
    vol = data_of(export_html(convlab.conv3d_steps(np.ones((2, 3, 3)), np.ones((2, 2, 2)))))
    assert vol["kind"] == "conv3d" and vol["y"]["v"] == [8.0] * 4


def test_a_unit_with_and_without_the_layer_before():
    from convlab.networks.maps import layer_maps, random_model
    from convlab.networks.units import unit_at

    m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3}, {"type": "pool", "size": 2}]},
                     (1, 6, 6), 2)
    x = np.random.default_rng(0).normal(size=(1, 6, 6))
    layers = layer_maps(m, x)
    conv = unit_at(layers, x, 0, 1, 2, 2)
    with_maps = document(conv, before=x)
    assert with_maps["kind"] == "unit" and with_maps["maps"]["s"] == [1, 6, 6]
    alone = document(conv)
    assert alone["maps"]["s"] == [1, 3, 3] and alone["box"][:2] == [0, 0]
    assert alone["value"] == pytest.approx(conv.value)
    pool = unit_at(layers, x, 1, 1, 1, 0)
    assert document(pool)["mode"] == "max" and document(pool, before=layers[0].maps)["channels"] == [1]


def test_bad_input_gets_a_clear_message():
    with pytest.raises(convlab.ConvlabError, match="conv/pool trace"):
        export_html(np.zeros((3, 3)))
    with pytest.raises(convlab.ConvlabError, match="kind must be one of"):
        export_html({"kind": "movie"})
    with pytest.raises(convlab.ConvlabError, match="JSON expected"):
        export_html(b"not json")


def test_the_title_and_names_cannot_break_out_of_the_page(tmp_path):
    trace = convlab.conv1d_steps([1, 2, 3], [1])
    doc = payload.conv_view(trace, names={"x": "</script><b>", "w": "w", "y": "y", "b": "b"})
    text = export_html(doc, title="<img src=x onerror=alert(1)>", path=tmp_path / "a.html")
    assert "<img" not in text and text.count("</script>") == 2
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == text
    assert data_of(text)["names"]["x"] == "</script><b>"
