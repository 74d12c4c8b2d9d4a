"""convlab.show without a browser (tests/browser/test_notebook.py runs it in a real JupyterLab): the widget carries
the same document and module as the app's view, and its step trait stays in range."""

from __future__ import annotations

import json

import numpy as np
import pytest

import convlab
from convlab.view import view_css, view_js
from convlab.view.export import document

pytest.importorskip("anywidget")


def test_the_widget_carries_the_document_and_the_apps_view():
    trace = convlab.conv2d_steps(np.arange(16.0).reshape(4, 4), [[1, -1], [2, 0]], [0.5], padding=1)
    w = convlab.show(trace, step=3)
    doc = json.loads(w.document)
    assert {k: v for k, v in doc.items() if k != "id"} == json.loads(json.dumps(document(trace)))
    assert w.n_steps == len(trace) == 25 and w.step == 3
    assert w._esm.startswith(view_js()) and "export default { render: renderLesson }" in w._esm
    assert w._css == view_css()


def test_the_step_trait_stays_in_range():
    w = convlab.show(convlab.conv1d_steps([1, 2, 3, 4], [1, 1]))
    w.step = 99
    assert w.step == 2
    w.step = -4
    assert w.step == 0


def test_a_thing_the_view_cannot_show_gets_a_clear_message():
    with pytest.raises(convlab.ConvlabError, match="conv/pool trace"):
        convlab.show([1, 2, 3])
