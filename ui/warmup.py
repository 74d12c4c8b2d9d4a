"""A background warm-up after a server's start: the libraries and bundled models the heavy pages need, loaded in a
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

    return [libraries, models]


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
