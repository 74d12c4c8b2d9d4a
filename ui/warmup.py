"""A background warm-up after a server's start: the libraries, bundled models and data sets the heavy pages need, every
module the pages import, an upload's decoder and the faces model's eye test, loaded in a
daemon thread once per process, after the first student's run has had its head start. It never blocks a
student: nothing waits for it, a page that needs something first simply loads it itself (imports and
convlab.networks.bundled.bundled are shared, so whichever comes first does the work once). CONVLAB_WARM_UP=0 turns it
off; CONVLAB_WARM_UP_DELAY (seconds, default 2) is the head start."""

from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger(__name__)
_lock = threading.Lock()
_started: list[bool] = []
done = threading.Event()          # set when the warm-up has finished (tests and benchmarks may wait on it)


def _page_imports() -> list[str]:
    """Every module the pages import at their top (read from their source, never run): importing them here spares
    the first student on each page the imports (plotly's figure classes, torch, the lesson's convlab modules)."""
    import ast
    import pathlib

    from ui.registry import PAGES
    root = pathlib.Path(__file__).resolve().parents[1] / "pages"
    names: list[str] = []
    for _group, path, _title, _icon, _url in PAGES:
        for node in ast.parse((root / path).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
            elif isinstance(node, ast.Import):
                names += [a.name for a in node.names]
    return list(dict.fromkeys(names))


def _steps():
    def libraries():
        import plotly.graph_objects  # noqa: F401
        import torch  # noqa: F401

        import convlab.images.explain.occlusion  # noqa: F401
        import convlab.images.explain.compare  # noqa: F401
        import convlab.networks.maps  # noqa: F401
        import convlab.networks.training  # noqa: F401

    def models():
        from convlab.networks.bundled import BUNDLED, bundled
        for name in BUNDLED:
            bundled(name)

    def datasets():
        """The bundled models' data sets (the shapes are drawn, 0.5 s) in the app's own shared cache."""
        from convlab.networks.bundled import BUNDLED
        from ui.models import bundled_model
        for name in BUNDLED:
            bundled_model(name)

    def pages():
        import importlib
        for name in _page_imports():
            importlib.import_module(name)

    def photos():
        """An upload's first decoding (Pillow's format plugins) and the faces model's verdict on the eyes."""
        import io

        from PIL import Image

        from convlab.images.load import load_image_info
        from ui.explanations import eyes_statement
        buf = io.BytesIO()
        Image.new("RGB", (4, 4)).save(buf, "PNG")
        load_image_info(buf.getvalue())
        eyes_statement()

    def views():
        """The default views that take up to seconds to build: every deep page's measurements and figures at its
        defaults, /optimizers' paths among them (ui.deep_lessons.warm_default_views)."""
        from ui.deep_lessons import warm_default_views
        warm_default_views()

    return [libraries, models, datasets, pages, photos, views]


def warm_in_background() -> None:
    """Start the warm-up (app.py calls this on every run; only the first call in a process does anything)."""
    if os.environ.get("CONVLAB_WARM_UP", "1").strip() in ("0", "false", "no", "off"):
        return
    with _lock:
        if _started:
            return
        _started.append(True)
    try:
        delay = max(0.0, float(os.environ.get("CONVLAB_WARM_UP_DELAY", "2")))
    except ValueError:
        delay = 2.0

    def run() -> None:
        time.sleep(delay)
        t0 = time.perf_counter()
        for step in _steps():
            try:
                step()
            except Exception as err:                  # noqa: BLE001  a warm-up failure only costs the first visitor
                log.warning("warm-up step %s failed: %s", step.__name__, err)
        log.info("warm-up done in %.1f s", time.perf_counter() - t0)
        done.set()

    threading.Thread(target=run, name="convlab-warm-up", daemon=True).start()
