"""AppTest: the network explorer — overview payload, choosing layers and units, softmax; numbers against torch."""

import base64
import io
import json
import re

import numpy as np
import pytest
import torch
from PIL import Image

from apptest_kit import displayed, open_page, shown, view_data
from convlab._core.format import num
from convlab.networks.bundled import bundled
from data_kit import dataset

PAGE = "pages/images/layers.py"


@pytest.fixture(scope="module")
def faces():
    """The bundled faces model in float64 and its first test image, normalised: torch's side of every check."""
    data = dataset("faces")
    model = bundled("faces").model
    x = torch.from_numpy(data.normalise(data.x_test[3:4]))          # the page opens on test image 3, a face
    return model, x, data


def overview(at) -> dict:
    return json.loads(at.get("bidi_component")[0].proto.json)


def maps(column: dict) -> np.ndarray:
    return np.stack([np.frombuffer(base64.b64decode(m["v"]), "<f4").reshape(m["h"], m["w"]) for m in column["maps"]])


def test_overview_shows_every_layer_as_torch_computes_it(faces):
    model, x, data = faces
    at = open_page(PAGE)
    text = shown(at)
    assert "the bundled faces model" in text and "true class **face**" in text
    count, worst = re.search(r"All (\d+) feature maps recomputed.*largest difference ([\d.e+−]+)", text).groups()
    assert int(count) == 100 and float(worst.replace("−", "-")) < 1e-4     # 10 layers of 10 maps; U+2212 for minus
    payload = overview(at)
    assert [c["title"] for c in payload["columns"]] == ["input", "conv 1", "relu 1", "conv 2", "relu 2", "pool 1",
                                                        "conv 3", "relu 3", "conv 4", "relu 4", "pool 2"]
    assert data.y_test[3] == 0
    np.testing.assert_allclose(maps(payload["columns"][0]), data.x_test[3], atol=1e-7)     # the image itself
    with torch.no_grad():
        h = x
        for i, column in enumerate(payload["columns"][1:]):
            h = model[i](h)
            np.testing.assert_allclose(maps(column), h[0].numpy(), atol=1e-5, err_msg=column["title"])
        probs = torch.softmax(model(x), 1)[0].numpy()
    np.testing.assert_allclose(payload["probs"], probs, atol=1e-6)
    assert payload["classes"] == ["face", "not face"] and payload["selected"] == {"layer": 0, "map": 0, "row": 12, "col": 12}


def test_detail_of_a_conv_unit_with_its_numbers(faces):
    model, x, _ = faces
    at = open_page(PAGE, view="detail", layer="2", map="3", row="4", col="7")
    text = shown(at)
    assert "Unit (3, 4, 7) of 3 · conv 10→10, 3×3 → 10×21×21**: computed from 2 · relu → 10×23×23" in text
    with torch.no_grad():
        z = float(model[:3](x)[0, 3, 4, 7])
        a = float(model[:4](x)[0, 3, 4, 7])
    got, want = (float(v.replace("−", "-")) for v in re.search(r"convlab: ([−\d.e+]+), torch: ([−\d.e+]+)", text).groups())
    assert got == pytest.approx(a, abs=1e-4) and want == pytest.approx(a, abs=1e-5)
    lesson = view_data(at)                                       # the shared lesson view's "unit" document
    latex = [line.value for line in at.latex]
    assert len(latex) == 4 and f"&= {num(lesson['value'])} \\end{{aligned}}" in latex[2]     # z = b + s0 + … = z
    assert f"= {num(lesson['activated'])}" in latex[3]
    assert lesson["kind"] == "unit" and lesson["mode"] == "conv" and lesson["act"] == "relu"
    assert lesson["n"] == 12 and lesson["x"].shape == (10, 3, 3) and lesson["maps"].shape == (10, 23, 23)  # 10 + z + a
    w = model[2].weight[3].detach().numpy()
    np.testing.assert_allclose(lesson["w"], w, atol=1e-7)
    with torch.no_grad():
        before = model[:2](x)[0].numpy()                           # relu 1: the maps the unit reads
    np.testing.assert_allclose(lesson["x"], before[:, 4:7, 7:10], atol=1e-6)      # its window, no padding
    np.testing.assert_allclose(lesson["sums"], (lesson["x"] * lesson["w"]).sum(axis=(1, 2)), atol=1e-12)
    assert lesson["value"] == pytest.approx(z, abs=1e-5) and lesson["activated"] == pytest.approx(a, abs=1e-5)
    assert lesson["step"] == 0


def test_choosing_a_pool_unit_by_widgets(faces):
    model, x, _ = faces
    at = open_page(PAGE, view="detail")
    at.selectbox(key="nw_layer").set_value(4).run()                   # pool 1: 10×10×10
    at.number_input(key="nw_map").set_value(6).run()
    at.number_input(key="nw_row").set_value(9).run()
    at.number_input(key="nw_col").set_value(2).run()
    assert not at.exception
    text = shown(at)
    assert "Unit (6, 9, 2) of 5 · max pool 2×2 → 10×10×10" in text
    with torch.no_grad():
        want = float(model[:5](x)[0, 6, 9, 2])
    got = float(re.search(r"convlab: ([−\d.e+]+)", text).group(1).replace("−", "-"))
    assert got == pytest.approx(want, abs=1e-5)
    assert at.query_params["layer"] == "4" and at.query_params["row"] == "9"
    lesson = view_data(at)
    assert lesson["kind"] == "unit" and lesson["mode"] == "max" and lesson["n"] == 5 and lesson["channels"] == [6]
    assert lesson["x"].max() == pytest.approx(want, abs=1e-6)


def test_the_detail_keeps_its_step_through_the_overview():
    """Transitions keep your place: the step of the detail view lives in the URL, and coming back from the overview
    (which keeps the selected map) starts the lesson view there again."""
    at = open_page(PAGE, view="detail", layer="2", map="3", row="4", col="7", step="7")
    assert view_data(at)["step"] == 7
    at.segmented_control(key="nw_view").set_value("overview").run()
    payload = overview(at)
    assert payload["selected"] == {"layer": 2, "map": 3, "row": 4, "col": 7} and at.query_params["step"] == "7"
    at.segmented_control(key="nw_view").set_value("detail").run()
    assert view_data(at)["step"] == 7


def test_softmax_view_equals_torch(faces):
    model, x, _ = faces
    at = open_page(PAGE, view="softmax")
    frame = at.dataframe[0].value
    with torch.no_grad():
        z = model(x)[0].double()
    np.testing.assert_allclose(frame["logit z"], z.numpy(), atol=1e-6)
    np.testing.assert_allclose(frame["exp(z)"], np.exp(z.numpy()), rtol=1e-6)
    np.testing.assert_allclose(frame["exp(z) / sum"], torch.softmax(z, 0).numpy(), atol=1e-9)
    # the logits as shown: four decimals with a true minus sign (U+2212; issue 24), the numbers kept underneath
    assert list(displayed(at.dataframe[0])["logit z"]) == [f"{v:.4f}".replace("-", "−") for v in z.numpy()]
    assert (z < 0).any() and "−" in "".join(displayed(at.dataframe[0])["logit z"])
    assert "largest difference" in shown(at)


def test_other_models_and_an_uploaded_photo():
    at = open_page(PAGE, model="shapes")
    assert "the bundled shapes model" in shown(at) and len(overview(at)["columns"][0]["maps"]) == 3
    at = open_page(PAGE, model="random", preset="small", data="digits", seed="3")
    assert "a random-weight small network (seed 3)" in shown(at)
    assert [len(c["maps"]) for c in overview(at)["columns"]] == [1, 16, 16, 16, 32, 32, 32]
    at = open_page(PAGE, source="upload")
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((50, 80, 3)) * 255).astype(np.uint8)).save(buf, "JPEG")
    at.file_uploader(key="nw_upload").upload("p.jpg", buf.getvalue(), "image/jpeg").run()
    text = shown(at)
    assert re.search(r"P\(face\) = \d+%", text) and "cropped and scaled to the model's 25×25 grey input" in text
    at.file_uploader(key="nw_upload").upload("p.jpg", b"", "image/jpeg").run()
    assert at.error and not at.exception


def test_my_model_needs_a_trained_one_and_bad_urls_fall_back():
    at = open_page(PAGE, model="mine")
    assert "Train a model in the training lab first" in shown(at)
    at = open_page(PAGE, model="<script>", layer="x", view="nope")
    for bad in ("model=<script>", "layer=x", "view=nope"):
        assert f"URL value {bad} was ignored" in shown(at)
    at = open_page(PAGE, view="detail", layer="60", map="500", row="400")       # clamped to the model
    assert not at.exception and "Unit (9, 2, 2) of 10 · max pool" in shown(at)
