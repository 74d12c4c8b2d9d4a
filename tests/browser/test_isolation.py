"""Two students at the same time on one server: nothing of one session shows up in the other.

Driven over Streamlit's own protocol (benchmarks/stclient.py), so both sessions really run concurrently
against the running server: student A uploads a photo, changes settings and trains a model while student B
works on the same pages; B never sees A's upload, settings, training run or trained model, and the other way
round.
"""

import asyncio
import concurrent.futures
import io
import pathlib
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))

from stclient import StClient  # noqa: E402


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.indices((60, 80)).sum(0) * 3 % 256).astype(np.uint8)).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


async def _wait_training(tab: StClient, limit: float = 120) -> str:
    """Until the run is Done and the app's own full rerun after it has finished (no run in flight, no polling)."""
    await tab.wait_for(lambda: "**Done**" in tab.text() and not tab.polling and not tab.busy, limit)
    return tab.text()


async def _student_a(url: str, log: dict, steps: dict) -> None:
    async with StClient(url, name="A") as a:
        await a.open("features")
        await a.set("fm_source", "upload")
        await a.upload("fm_upload", "a-secret.png", _photo(), "image/png")
        log["a_features"] = a.text()
        steps["uploaded"].set()
        await a.open("conv2d")
        await a.set("c2_stride", 3)
        log["a_query"] = a.query
        steps["strided"].set()
        await a.open("training")
        await a.set("tr_epochs", 1)
        await a.click("tr_start")
        steps["training"].set()
        log["a_training"] = await _wait_training(a)
        steps["trained"].set()
        await a.open("occlusion", "model=mine")
        log["a_occlusion"] = a.text()
        log["a_errors"] = a.errors


async def _student_b(url: str, log: dict, steps: dict) -> None:
    """B opens each page right after A has done its thing there (while A goes on working)."""
    async with StClient(url, name="B") as b:
        await steps["uploaded"].wait()
        await b.open("features", "source=upload")
        log["b_features"] = b.text()
        await steps["strided"].wait()
        await b.open("conv2d")
        log["b_query"] = b.query
        log["b_conv2d"] = b.text()
        await steps["training"].wait()
        await b.open("training")
        log["b_training"] = b.text()
        await steps["trained"].wait()
        await b.open("occlusion", "model=mine")
        log["b_occlusion"] = b.text()
        await b.open("training")
        log["b_training_later"] = b.text()
        log["b_errors"] = b.errors


def test_two_concurrent_sessions_share_nothing(server):
    log: dict = {}

    async def both():
        steps = {name: asyncio.Event() for name in ("uploaded", "strided", "training", "trained")}
        await asyncio.gather(_student_a(server, log, steps), _student_b(server, log, steps))

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, both()).result(timeout=300)
    assert not log["a_errors"] and not log["b_errors"], (log["a_errors"], log["b_errors"])
    # A's own session has everything it did
    assert "8 maps of" in log["a_features"]
    assert "stride=3" in log["a_query"]
    assert "**Done**" in log["a_training"]
    assert "Train a model in the training lab first" not in log["a_occlusion"]
    # B sees none of it
    assert "8 maps of" not in log["b_features"] and "Upload a photo" in log["b_features"]
    assert "stride=3" not in log["b_query"]
    for key in ("b_training", "b_training_later"):
        assert "Press Start to train" in log[key] and "**Training**" not in log[key] and "**Done**" not in log[key]
    assert "Train a model in the training lab first" in log["b_occlusion"]
