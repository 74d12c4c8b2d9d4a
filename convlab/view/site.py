"""A static site of the sliding-window lessons: `python -m convlab site OUT/`.

It writes the lesson map and every sliding-window lesson as plain files (HTML, one shared view.js and view.css),
so any static host or CDN can serve any number of students with no Python server. Each lesson page carries its
examples as precomputed documents (the notes' worked examples and the app's presets): the example menu switches
between them and the view steps in the browser, the same JS as the app. What needs a server (training, uploads,
class sessions, free parameters) links to the app.
"""

from __future__ import annotations

import html
import json
import pathlib
from collections.abc import Callable

import numpy as np

from convlab.view import payload, view_css, view_js
from convlab.view.export import PAGE_CSS, page_html

__all__ = ["APP_PAGES", "LESSONS", "Lesson", "build_site", "DEFAULT_APP_URL"]

DEFAULT_APP_URL = "http://localhost:8501"     # where `streamlit run app.py` listens; --app-url sets the real one
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")

# every page of the app, in menu order: (group, title, url path); ui/registry.py is the app's own list
# (tests/view/test_site.py checks that the two agree)
APP_PAGES = [
    ("Start", "Lesson map", ""),
    ("Convolution", "1D convolution", "conv1d"), ("Convolution", "2D convolution", "conv2d"),
    ("Convolution", "Padding, stride and dilation", "padding"), ("Convolution", "Pooling", "pooling"),
    ("Convolution", "Convolution as a matrix", "matrix"), ("Convolution", "Backward pass", "backward"),
    ("Convolution", "Why convolution", "why"), ("Convolution", "Grouped, depthwise and 1×1", "variants"),
    ("Convolution", "3D convolution", "conv3d"),
    ("Sequences", "DNA motifs: a 1D CNN", "dna"), ("Sequences", "Sound: waveform and spectrogram", "audio"),
    ("Sequences", "Causal and dilated convolution", "causal"),
    ("Images", "Feature maps", "features"), ("Images", "Network explorer", "layers"),
    ("Images", "Explanations", "occlusion"), ("Images", "Top patches", "patches"),
    ("Images", "Find the face", "find-faces"), ("Images", "Feature visualisation", "featvis"),
    ("Images", "Style transfer", "style"),
    ("Training", "Training lab", "training"),
    ("Deep networks", "Batch normalization", "batchnorm"), ("Deep networks", "Dropout", "dropout"),
    ("Deep networks", "Activations and vanishing gradients", "activations"),
    ("Deep networks", "Initialisation", "init"), ("Deep networks", "Optimisers on a loss surface", "optimizers"),
    ("Deep networks", "MLP vs CNN", "mlp-vs-cnn"),
    ("Classroom", "Exercises", "exercises"), ("Classroom", "Exercise sets for teachers", "teacher"),
    ("Classroom", "Class dashboard", "dashboard"),
]

Views = list[tuple[str, dict]]                 # (caption, document) of each view an example shows


class Lesson:
    """One static lesson page: its app page (url path), a sentence, and its examples (name -> views)."""

    def __init__(self, slug: str, intro: str, examples: dict[str, Callable[[], Views]]):
        self.slug, self.intro, self.examples = slug, intro, examples
        self.title = next(title for _, title, url in APP_PAGES if url == slug)


def _g(text: str) -> np.ndarray:
    """Grid text as the app's inputs write it: rows ';', channels '|'."""
    return np.array([[[float(v) for v in row.split()] for row in ch.split(";")] for ch in text.split("|")])


def _conv1d(x, w, bias=0.0, **kw) -> Views:
    from convlab import conv1d_steps
    t = conv1d_steps(x, w, bias, **kw)
    return [("", payload.conv_view(t, bias=bool(bias)))]


def _conv2d(x, w, bias=None, **kw) -> Views:
    from convlab import conv2d_steps
    x, w = _g(x), _g(w)
    o = len(bias) if bias is not None else 1
    t = conv2d_steps(x, w.reshape(o, -1, *w.shape[1:]), bias, **kw)
    return [("", payload.conv_view(t, bias=bool(np.any(t.bias))))]


def _pool(x, size, stride=None, pad=0, mode="max") -> Views:
    from convlab import pool2d_steps
    return [("", payload.pool_view(pool2d_steps(_g(x), size, stride, pad, mode)))]


def _windows(n, k, s, padding="valid", p=0, d=1) -> Views:
    from convlab import explain_output_size
    e = explain_output_size(n, k, s, p if padding == "explicit" else padding, d)
    return [("", payload.windows_view(e, e))]


def _matrix(x, w, bias=None, **kw) -> Views:
    x, w = _g(x), _g(w)
    o = len(bias) if bias is not None else 1
    return [("", payload.matrix_view(x, w.reshape(o, -1, *w.shape[1:]), bias, **kw))]


def _backward(x, w, grad_y, stride=1, padding=0) -> Views:
    x, w, dy = _g(x), _g(w)[:, None], _g(grad_y)
    return [("dL/dW, entry by entry", payload.backward_view(x, w, dy, stride=stride, padding=padding, entry="w")),
            ("dL/dX, entry by entry", payload.backward_view(x, w, dy, stride=stride, padding=padding, entry="x")),
            ("dL/dX as a transposed convolution of dL/dY: every dL/dY value stamps W",
             payload.backward_view(x, w, dy, stride=stride, padding=padding, entry="stamps"))]


def _grouped(c, o, groups, k, n, padding="valid", seed=0) -> Views:
    from convlab import conv2d_steps
    from convlab.convolution.grouped import small_layer
    layer = small_layer(c, o, k, n, groups, seed)
    return [("", payload.conv_view(conv2d_steps(layer.x, layer.w, padding=padding, groups=groups), bias=False))]


def _conv3d(kind, depth, size, kernel, stride=1, padding="valid") -> Views:
    import convlab
    from convlab.convolution.conv3d import KERNELS3D, make_volume
    volume, w = make_volume(kind, depth, size), KERNELS3D[kernel]
    t = convlab.conv3d_steps(volume, w, stride=stride, padding=padding)
    pads = convlab.resolve_padding3d(volume.shape, w.shape, stride, padding)
    sizes = tuple(convlab.explain_output_size(n, kk, stride, p) for n, kk, p in zip(volume.shape, w.shape, pads))
    return [("", payload.conv3d_view(t, sizes, bias=False))]


def _why_transposed(y, stride, padding) -> Views:
    from convlab.images.kernels import KERNELS
    return [("", payload.stamp_view(_g(y)[0], KERNELS["X (seed 003)"], stride, padding))]


def _why_dilated(dilation) -> Views:
    import convlab
    from convlab.convolution import invariance
    from convlab.images.kernels import KERNELS
    t = convlab.conv2d_steps(invariance.demo_image()[1:8, 1:8], KERNELS["X (seed 003)"], dilation=dilation)
    rows = convlab.explain_output_size(7, 3, 1, 0, dilation)
    return [("", payload.conv_view(t, bias=False, dropped=payload.dropped_axes(rows, rows, t.padding)))]


SEED000_X = "1 2 4 3; 5 6 8 7; 9 10 12 11; 13 14 16 2"
SEED003_X = "1 1 1 0 0; 0 1 1 1 0; 0 0 1 1 1; 0 0 1 1 0; 0 1 1 0 0"
SEED001_X = "1 2 3 2; 2 3 2 5; 1 2 2 1; 0 2 1 2"
POOL_SEED002 = "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4"
POOL_SEED001 = "1 2 1; 3 1 1; -1 0 0 | 1 1 1; 2 0 1; 1 0 0 | 0 -2 1; 0 1 1; 0 0 0"

LESSONS = [
    Lesson("conv1d", "A kernel slides along a sequence; each output is the sum of the products under it "
                     "(y_t = Σ_i w_i · x_(t+i)).", {
        "Seed 001: x = 1 0 2 2 3 1, w = 3 2 2": lambda: _conv1d([1, 0, 2, 2, 3, 1], [3, 2, 2]),
        "The same with \"same\" padding and a bias of 1": lambda: _conv1d([1, 0, 2, 2, 3, 1], [3, 2, 2], 1.0,
                                                                          padding="same"),
        "Stride 2, dilation 2": lambda: _conv1d([2, -1, 0, 3, 1, 4, -2, 1, 0, 2], [1, -1, 2], stride=2, dilation=2),
    }),
    Lesson("conv2d", "A kernel slides over a grid; each output is the sum of the kernel times the window, over "
                     "every input channel, plus the bias.", {
        "Seed 000: 4×4 with [[1,−2],[−3,4]]": lambda: _conv2d(SEED000_X, "1 -2; -3 4"),
        "Seed 003: 5×5 with the X kernel": lambda: _conv2d(SEED003_X, "1 0 1; 0 1 0; 1 0 1"),
        "Seed 001: 4×4 with [[−1,1],[−1,1]]": lambda: _conv2d(SEED001_X, "-1 1; -1 1"),
        "Seed 001: two filters, [[−1,1],[−1,1]] and [[1,1],[1,1]]": lambda: _conv2d(
            SEED001_X, "-1 1; -1 1 | 1 1; 1 1", [0.0, 0.0]),
        "Two channels, two filters, a bias, \"same\" padding": lambda: _conv2d(
            "0 1 2 3 1; 2 0 1 3 2; 1 3 0 2 1; 3 2 1 0 0; 1 1 2 3 0 | 2 0 1 1 3; 0 2 3 1 0; 1 0 2 2 1; 3 1 0 1 2; "
            "0 2 1 3 1", "1 0 -1; 1 0 -1; 1 0 -1 | 0 1 0; 1 -1 1; 0 1 0 | -1 0 1; 0 1 0; 1 0 -1 | 1 1 0; 0 -1 0; "
            "0 1 1", [1.0, -2.0], padding="same"),
        "Seed 002: 7×7, 3×3, stride 3 (does not tile)": lambda: _conv2d(
            "0 1 2 3 4 0 1; 2 3 4 0 1 2 3; 4 0 1 2 3 4 0; 1 2 3 4 0 1 2; 3 4 0 1 2 3 4; 0 1 2 3 4 0 1; 2 3 4 0 1 2 3",
            "1 0 1; 0 1 0; 1 0 1", stride=3),
    }),
    Lesson("padding", "How big is the output? Each cell shows how many windows read it; ✕ marks cells no window "
                      "reads (o = ⌊(n + P − F) / s⌋ + 1, F = (k − 1)·d + 1).", {
        "Seed 002: N=7, F=3, stride 3 (2.33)": lambda: _windows(7, 3, 3),
        "Seed 002: 7×7, 3×3, stride 1, pad 1": lambda: _windows(7, 3, 1, "explicit", 1),
        "Seed 001 quiz: n=13, k=6, s=5, \"same\"": lambda: _windows(13, 6, 5, "same"),
        "Seed 001 quiz: n=13, k=6, s=5, \"valid\"": lambda: _windows(13, 6, 5),
        "Dilation 2: the windows reach the end but skip rows": lambda: _windows(7, 3, 2, d=2),
    }),
    Lesson("pooling", "Pooling summarises each window of each channel on its own: the max (★) or the average.", {
        "Seed 002: max pool 2×2, stride 2": lambda: _pool(POOL_SEED002, 2),
        "The same, average pooling": lambda: _pool(POOL_SEED002, 2, mode="avg"),
        "Seed 001: three channels, 3×3 max pool": lambda: _pool(POOL_SEED001, 3),
        "Overlapping: 3×3 windows, stride 2, padding 1": lambda: _pool(
            "3 1 4 1 5 9; 2 6 5 3 5 8; 9 7 9 3 2 3; 8 4 6 2 6 4; 3 3 8 3 2 7; 9 5 0 2 8 8", 3, 2, 1),
    }),
    Lesson("matrix", "Convolution is linear in x, so it is a matrix product: y = T·x (a Toeplitz T), or "
                     "Y = W·X̂ + b with one receptive field per column of X̂ = im2col(x).", {
        "Seed 003: 3×3 input, 2×2 kernel (the 4×9 matrix)": lambda: _matrix("1 2 3; 4 5 6; 7 8 9", "1 2; 3 4"),
        "Seed 001: two channels, stride 2 (its im2col)": lambda: _matrix(
            "1 2 1 2 3 4; 2 2 3 1 2 0; 1 1 2 1 0 1; 2 1 2 1 1 3 | 0 2 3 2 0 1; 1 0 1 1 2 0; 2 0 1 1 1 1; 1 1 2 1 1 2",
            "1 0; 0 1 | 1 1; 0 0", stride=2),
        "Seed 000: 4×4 with [[1,−2],[−3,4]]": lambda: _matrix(SEED000_X, "1 -2; -3 4"),
    }),
    Lesson("backward", "The backward pass of a conv layer: each entry of dL/dW and dL/dX is a sum of products of "
                       "dL/dY with X or with W; dL/dX is also a transposed convolution of dL/dY.", {
        "The page's default: 4×4 input, 2×2 kernel, dL/dY = the identity": lambda: _backward(
            "1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", "1 0; 0 -1", "1 0 0; 0 1 0; 0 0 1"),
        "Stride 2, padding 1": lambda: _backward("1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", "1 0; 0 -1",
                                                 "1 -1 0; 2 0 1; 0 1 -1", stride=2, padding=1),
    }),
    Lesson("why", "A transposed convolution stamps each input value, times the kernel, into a larger output; "
                  "a dilated kernel spreads its taps out.", {
        "Transposed convolution, stride 2": lambda: _why_transposed("1 2; 3 4", 2, 0),
        "Transposed convolution, stride 2, padding 1 (cropped)": lambda: _why_transposed("1 2 0; 3 4 1; 0 1 2", 2, 1),
        "Dilated X kernel, dilation 2": lambda: _why_dilated(2),
    }),
    Lesson("variants", "Grouped convolution: each filter reads only the channels of its group (groups = channels "
                       "is depthwise).", {
        "4 channels, 2 filters, 2 groups": lambda: _grouped(4, 2, 2, 3, 5),
        "Depthwise: 3 channels, a filter each": lambda: _grouped(3, 3, 3, 3, 5),
        "Ordinary: 2 channels, 2 filters, 1 group": lambda: _grouped(2, 2, 1, 3, 5, "same"),
    }),
    Lesson("conv3d", "A 3D kernel slides through a volume (or a clip of frames): depth, rows and columns.", {
        "A clip, change in time (next − previous)": lambda: _conv3d("clip", 5, 8,
                                                                   "change in depth / time (next − previous)"),
        "A phantom, 3D Laplacian (blobs)": lambda: _conv3d("phantom", 5, 8, "3D Laplacian (blobs)"),
        "A torus, box sum 3×3×3, \"same\" padding": lambda: _conv3d("torus", 4, 6, "box sum 3×3×3", padding="same"),
    }),
]

SITE_CSS = """
nav.cl-top { display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap; margin: 0.4em 0 0.8em; }
nav.cl-top a, .cl-map a { color: #0b57d0; }
.cl-intro { max-width: 60em; line-height: 1.45; }
.cl-pick { margin: 0.6em 0 0.8em; font-size: 1rem; }
.cl-pick select { font-size: 1rem; padding: 0.2em; max-width: 100%; }
.cl-caption { font-weight: 600; margin: 1.2em 0 0.3em; }
.cl-map h2 { font-size: 1.1rem; margin: 1.2em 0 0.3em; }
.cl-map ul { margin: 0; padding-left: 1.2em; line-height: 1.7; }
.cl-app { color: #555; font-size: 0.9em; }
"""

PAGE_JS = """
import { lessonView } from "./view.js";
const examples = JSON.parse(document.getElementById("examples").textContent);
const pick = document.getElementById("example");
const box = document.getElementById("views");
function show(k) {
  const ex = examples[k] || examples[0];
  box.textContent = "";
  ex.views.forEach(([caption, doc]) => {
    if (caption) box.appendChild(Object.assign(document.createElement("div"), { className: "cl-caption", textContent: caption }));
    const host = Object.assign(document.createElement("div"), { className: "lv-host" });
    box.appendChild(host);
    lessonView({ data: { ...doc, step: 0, speed: 1, projector: false }, parentElement: host, setStateValue: () => {} });
  });
}
const fromHash = () => Math.max(0, Number(new URLSearchParams(location.hash.slice(1)).get("example")) || 0);
pick.value = String(Math.min(fromHash(), examples.length - 1));
show(Number(pick.value));
pick.addEventListener("change", () => { history.replaceState(null, "", `#example=${pick.value}`); show(Number(pick.value)); });
"""


def _page(title: str, inner: str, app_url: str, script: str = "", home: bool = True) -> str:
    back = "<a href=\"index.html\">← Lesson map</a>" if home else ""
    top = (f"<nav class=\"cl-top\">{back}"
           f"<span class=\"cl-app\">static edition · <a href=\"{html.escape(app_url)}\">open the app</a> for "
           "training, uploads, class sessions and your own numbers</span></nav>")
    body = f"<main>\n{top}\n<h1>{html.escape(title)}</h1>\n{inner}\n</main>\n{script}"
    head = "<link rel=\"stylesheet\" href=\"view.css\">\n"
    return page_html(f"{title} · ConvLab", body, head=head, csp=CSP)


def lesson_page(lesson: Lesson, app_url: str) -> str:
    examples = [{"name": name, "views": [[caption, json.loads(payload.encode(doc))]
                                         for caption, doc in make()]} for name, make in lesson.examples.items()]
    options = "".join(f"<option value=\"{k}\">{html.escape(e['name'])}</option>" for k, e in enumerate(examples))
    data = json.dumps(examples, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")
    app = f"{app_url.rstrip('/')}/{lesson.slug}"
    inner = (f"<p class=\"cl-intro\">{html.escape(lesson.intro)} Step with ← →, space plays, Home / End; click or "
             f"hover an output. <a href=\"{html.escape(app)}\">This lesson in the app</a> takes your own numbers.</p>\n"
             f"<label class=\"cl-pick\">Example <select id=\"example\">{options}</select></label>\n"
             f"<div id=\"views\"></div>\n"
             f"<script type=\"application/json\" id=\"examples\">{data}</script>")
    return _page(lesson.title, inner, app_url, f"<script type=\"module\">{PAGE_JS}</script>")


def map_page(app_url: str) -> str:
    local = {lesson.slug for lesson in LESSONS}
    groups: dict[str, list[str]] = {}
    for group, title, url in APP_PAGES:
        if not url:
            continue
        if url in local:
            item = (f"<a href=\"{url}.html\">{html.escape(title)}</a> <span class=\"cl-app\">(steps here; "
                    f"<a href=\"{html.escape(app_url.rstrip('/'))}/{url}\">in the app</a>)</span>")
        else:
            item = (f"{html.escape(title)} <span class=\"cl-app\">(<a href=\"{html.escape(app_url.rstrip('/'))}/{url}\">"
                    "in the app</a>: needs the server)</span>")
        groups.setdefault(group, []).append(f"<li>{item}</li>")
    lists = "".join(f"<h2>{html.escape(g)}</h2><ul>{''.join(items)}</ul>" for g, items in groups.items())
    inner = ("<p class=\"cl-intro\">The sliding-window lessons of ConvLab, as static pages: each steps in your "
             "browser, with the notes' worked examples precomputed (every number computed by convlab and checked "
             "against PyTorch). Training, uploads, class sessions and lessons with your own numbers run in the app."
             f"</p>\n<div class=\"cl-map\">{lists}</div>")
    return _page("ConvLab lesson map", inner, app_url, home=False)


def build_site(out: str | pathlib.Path, app_url: str = DEFAULT_APP_URL) -> list[pathlib.Path]:
    """Write the static site into `out` (created if missing); returns the files written."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"view.js": view_js(), "view.css": PAGE_CSS + SITE_CSS + view_css(), "index.html": map_page(app_url)}
    for lesson in LESSONS:
        files[f"{lesson.slug}.html"] = lesson_page(lesson, app_url)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
