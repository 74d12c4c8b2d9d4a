"""AppTest: the top-patches page on the bundled models: the mosaic and one unit's table hold the network's own
activations (read by a forward hook), the layer, k and unit widgets change what is shown, and bad links say so."""

import numpy as np
import pytest
import torch

from apptest_kit import displayed, figure, open_page, shown
from convlab import format_signed

PAGE = "pages/images/patches.py"


def _hooked(name: str, layer: int, images: list[int]) -> np.ndarray:
    """The layer's output (N, K, h, w) for these test images of the bundled model, read by a forward hook."""
    from convlab.networks.bundled import bundled
    from data_kit import dataset
    model, data = bundled(name).model.cpu().eval(), dataset(name)
    seen = []
    handle = model[layer].register_forward_hook(lambda m, i, out: seen.append(out.detach()))
    with torch.no_grad():
        model(torch.from_numpy(data.normalise(data.x_test[images])))
    handle.remove()
    return seen[0].numpy()


def _table(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def _check_rows(rows: list[dict], name: str, layer: int, unit: int) -> None:
    """Each row's activation is the hooked output at its position; the unit is that image's argmax over the map;
    the unit recomputed from the patch alone gives the same value; strongest first."""
    acts = _hooked(name, layer, [r["image"] for r in rows])[:, unit]                         # (k, h, w)
    for r, a in zip(rows, acts):
        i, j = (int(v) for v in r["position"].strip("()").split(","))
        assert (i, j) == np.unravel_index(a.argmax(), a.shape) and r["activation"] == pytest.approx(a[i, j], abs=1e-4)
        assert r["from the patch alone"] == pytest.approx(r["activation"], abs=2e-4)
    assert [r["activation"] for r in rows] == sorted((r["activation"] for r in rows), reverse=True)


def _check_titles(at, name: str, layer: int) -> None:
    """A title per unit, "(≤ 0)" on exactly the units the hook never sees positive on any test image."""
    from data_kit import dataset
    top = _hooked(name, layer, list(range(len(dataset(name).x_test)))).max(axis=(0, 2, 3))    # (K,)
    titles = [a["text"] for a in figure(at, 0)["layout"]["annotations"]]
    assert titles == [f"unit {u}" + (" (≤ 0)" if v <= 0 else "") for u, v in enumerate(top)]
    silent = int((top <= 0).sum())
    assert (f"**{silent} of the {len(top)} units are never positive**" in shown(at)) == (silent > 0)


@pytest.mark.slow
def test_digits_last_conv_then_the_first_layer_fewer_patches_and_another_unit():
    at = open_page(PAGE)
    text = shown(at)
    assert "Each unit of **layer 3** (conv 16→32, 3×3, pad 1) reads a **8×8** window of the 8×8 input" in text
    assert "**32 units**, each with the 9 test images (of 359)" in text
    _check_titles(at, "digits", 3)
    rows = _table(at)
    assert len(rows) == 9
    _check_rows(rows, "digits", 3, 0)
    at.selectbox(key="tp_layer").set_value(0).run()
    at.number_input(key="tp_k").set_value(4).run()
    at.number_input(key="tp_unit").set_value(7).run()
    text = shown(at)
    assert "layer 0** (conv 1→16, 3×3, pad 1) reads a **3×3** window" in text and "**16 units**, each with the 4" in text
    rows = _table(at)
    titles = [a["text"] for a in figure(at, 1)["layout"]["annotations"]]
    assert len(rows) == len(titles) == 4 and titles[0].startswith(f"image {rows[0]['image']}: ")
    _check_rows(rows, "digits", 0, 7)


@pytest.mark.parametrize("name, layer, field, units", [("shapes", 3, 8, 32),
                                                       pytest.param("faces", 7, 14, 10, marks=pytest.mark.slow)])
def test_shapes_and_faces(name, layer, field, units):
    at = open_page(PAGE, model=name, unit="2")
    text = shown(at)
    assert f"layer {layer}** " in text and f"**{field}×{field}** window" in text and f"**{units} units**" in text
    _check_rows(_table(at), name, layer, 2)
    _check_titles(at, name, layer)
    # the table's and the mosaic's numbers as shown: with a true minus sign (U+2212; issue 24), the numbers underneath
    rows, shown_rows = _table(at), displayed(at.dataframe[0]).to_dict("records")
    for r, s in zip(rows, shown_rows):
        assert s["activation"] == format_signed(r["activation"]) and "-" not in s["from the patch alone"]
    mosaic = [a["text"] for a in figure(at, 1)["layout"]["annotations"]]
    assert mosaic[0].startswith(f"image {rows[0]['image']}: ")
    assert not [t for t in mosaic if "-" in t], mosaic


def test_bad_links_and_no_model_say_what_to_change():
    at = open_page(PAGE, layer="5", unit="40")
    text = shown(at)
    assert "Layer 5 has no units to show in this model (its conv layers: 0, 3); using the last one, 3." in text
    assert "Unit 40 does not exist: layer 3 has 32 units (0 to 31); showing unit 0." in text
    assert at.selectbox(key="tp_layer").value == -1 and at.number_input(key="tp_unit").value == 0
    assert not at.exception and not at.error
    at = open_page(PAGE, model="mine")
    assert "Train a model in the training lab first" in shown(at) and not at.exception
    at = open_page(PAGE, model="<script>", k="x", unit="999")
    for bad in ("model=<script>", "k=x", "unit=999"):
        assert f"URL value {bad} was ignored" in shown(at)


def test_my_own_model_in_the_tab_and_a_stored_one_by_id(monkeypatch):
    """The student's model (here the digits weights loaded in the training lab, over the store's size cap so it
    stays in the tab): its top patches are those of the same weights bundled, kept while only the unit changes;
    a stored model's id in a link gives the same."""
    from convlab.networks.bundled import ASSETS
    from ui import store

    weights = (ASSETS / "digits_small.safetensors").read_bytes()
    monkeypatch.setenv("CONVLAB_MODEL_MAX_MB", "0.001")
    at = open_page("pages/training/lab.py")
    at.file_uploader(key="tr_upload").upload("mine.safetensors", weights, "application/octet-stream").run()
    at.switch_page(PAGE)
    at.query_params["model"] = "mine"
    at.run()
    assert not at.exception and "**32 units**" in shown(at) and at.radio(key="tp_model").value == "mine"
    first = at.session_state["tp_mine"]
    at.number_input(key="tp_unit").set_value(3).run()
    assert at.session_state["tp_mine"] is first                  # not recomputed for another unit
    _check_rows(_table(at), "digits", 3, 3)
    monkeypatch.delenv("CONVLAB_MODEL_MAX_MB")
    linked = open_page(PAGE, model=store.save_model_bytes(weights, "digits", "a test"), unit="3")
    assert _table(linked) == _table(at)
