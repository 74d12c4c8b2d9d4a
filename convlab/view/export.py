"""The lesson view outside the app: a document for anything a lesson can show, and one self-contained HTML file.

`document(x)` turns a trace, a unit or a built document into what the view replays (convlab.view.payload);
`export_html(x)` writes one offline HTML file around it: the view's JS and CSS and the numbers inline, nothing
fetched (a Content-Security-Policy forbids every request), formulas as Unicode text. It opens from file://, in
slides (an iframe) and in a course site.
"""

from __future__ import annotations

import dataclasses
import html
import json
import pathlib

import numpy as np

from convlab.errors import ConvlabError
from convlab.view import payload, view_css, view_js

__all__ = ["KINDS", "MAX_HTML_BYTES", "document", "export_html", "page_html", "step_count"]

KINDS = ("conv", "conv3d", "pool", "windows", "stamp", "links", "unit")
MAX_HTML_BYTES = 1_000_000           # a default lesson's file stays under 1 MB (tests/view/test_export_html.py)
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")


def _unit_document(unit, before) -> dict:
    title = f"unit ({unit.map}, {unit.row}, {unit.col})"
    if before is None:
        # no maps of the layer before given: show the unit's own window as the maps it reads
        window = np.asarray(unit.window, dtype=float)
        maps = window if window.ndim == 3 else np.zeros((unit.map + 1, *window.shape))
        if window.ndim == 2:
            maps[unit.map] = window
        unit = dataclasses.replace(unit, top=0, left=0)
        return payload.unit_view(unit, maps, "the unit's window", title)
    return payload.unit_view(unit, before, "the layer before", title)


def document(x, *, before=None) -> dict:
    """The lesson view's document for x.

    x: a conv1d_steps / conv2d_steps / pool1d_steps / pool2d_steps / conv3d_steps trace, a network unit
    (convlab.networks.units.unit_at; `before` = the maps of the layer before, else only its window is drawn), or a
    document already built by convlab.view.payload (a dict, or its encoded bytes): e.g. payload.matrix_view(...),
    payload.backward_view(...), payload.windows_view(...), payload.stamp_view(...).

    >>> import convlab
    >>> document(convlab.conv1d_steps([1, 2, 3], [1, 1]))["y"]["v"]
    [3, 5]
    """
    from convlab.convolution.conv import StepTrace
    from convlab.networks.units import ConvUnit, PoolUnit

    if isinstance(x, (bytes, bytearray, str)):
        try:
            x = json.loads(x)
        except ValueError as e:
            raise ConvlabError(f"not a lesson document (JSON expected): {e}") from None
    if isinstance(x, dict):
        if x.get("kind") not in KINDS:
            raise ConvlabError(f"a lesson document's kind must be one of {', '.join(KINDS)}; got {x.get('kind')!r}")
        return x
    if isinstance(x, StepTrace):
        kind = x.to_dict()["kind"]
        if x.dims == 3:
            return payload.conv3d_view(x, bias=bool(np.any(x.bias)))
        if kind == "pool":
            return payload.pool_view(x)
        return payload.conv_view(x, bias=bool(np.any(x.bias)))
    if isinstance(x, (ConvUnit, PoolUnit)):
        return _unit_document(x, before)
    raise ConvlabError("the lesson view shows a conv/pool trace (conv1d_steps, conv2d_steps, pool2d_steps, "
                       "conv3d_steps), a network unit (convlab.networks.units.unit_at) or a document from convlab.view.payload; "
                       f"got {type(x).__name__}")


def _json_for_script(doc: dict) -> str:
    # inside <script type="application/json">: "<" can never close the element
    return json.dumps(doc, separators=(",", ":"), allow_nan=False, ensure_ascii=False).replace("<", "\\u003c")


def _default_title(doc: dict) -> str:
    return {"conv": "Convolution, step by step", "conv3d": "3D convolution, step by step",
            "pool": "Pooling, step by step", "windows": "Where the windows fall", "stamp": "Transposed convolution",
            "links": "Each entry, made of its products", "unit": "One unit of a network"}[doc["kind"]]


PAGE_CSS = """
:root { color-scheme: light; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 12px 16px 24px; }
h1 { font-size: 1.35rem; margin: 0.2em 0 0.6em; }
.cl-made { color: #555; font-size: 0.85rem; margin-top: 1.2em; }
"""


def page_html(title: str, body: str, *, head: str = "", csp: str = CSP) -> str:
    """A whole HTML page around `body`, with the view's CSS inline (used by export_html and the static site)."""
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n"
            f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n")


def export_html(x, title: str | None = None, path: str | pathlib.Path | None = None, *, before=None,
                step: int = 0) -> str:
    """One self-contained, offline HTML file that steps through x in the browser (keys, buttons, Play).

    x is anything document() takes. The JS, the CSS and the numbers are inline and nothing is fetched, so it
    opens from file://, in an iframe (slides, a course page) and offline. `path` also writes it (UTF-8).

    >>> import convlab
    >>> text = export_html(convlab.conv2d_steps([[1, 2], [3, 4]], [[1]]), title="A 1×1 kernel")
    >>> text.startswith("<!doctype html>"), "<title>A 1×1 kernel</title>" in text, len(text) < MAX_HTML_BYTES
    (True, True, True)
    """
    doc = document(x, before=before)
    title = _default_title(doc) if title is None else str(title)
    n = step_count(doc)
    data = {**doc, "step": max(0, min(int(step), n - 1)), "speed": 1, "projector": False}
    body = (f"<main>\n<h1>{html.escape(title)}</h1>\n<div class=\"lv-host\" id=\"lesson\"></div>\n"
            "<p class=\"cl-made\">Made with ConvLab: ← → step, space plays, Home / End; every number was computed "
            "by convlab and checked against PyTorch.</p>\n</main>\n"
            f"<script type=\"application/json\" id=\"lesson-data\">{_json_for_script(data)}</script>\n"
            f"<script type=\"module\">\n{view_js()}\n"
            "lessonView({ data: document.getElementById(\"lesson-data\").textContent,\n"
            "             parentElement: document.getElementById(\"lesson\"), setStateValue: () => {} });\n"
            "</script>")
    text = page_html(title, body, head=f"<style>\n{PAGE_CSS}\n{view_css()}\n</style>\n")
    if path is not None:
        pathlib.Path(path).write_text(text, encoding="utf-8")
    return text


def step_count(doc: dict) -> int:
    """How many steps the lesson view has for a document (as its kinds count them: one per output, entry, stamp…).

    >>> import convlab
    >>> step_count(document(convlab.conv2d_steps([[1, 2, 3], [4, 5, 6]], [[1, 1]])))
    4
    """
    kind = doc["kind"]
    if kind == "links":
        return len(doc["values"])
    if kind == "unit":
        return int(doc["n"])
    if kind == "stamp":
        return int(np.prod(doc["x"]["s"]))
    return int(np.prod(doc["y"]["s"]))
