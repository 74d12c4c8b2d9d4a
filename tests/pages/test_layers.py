"""AppTest: inside a network — layers, clicking a map, models and image sources."""

import io

import numpy as np
from PIL import Image

from apptest_kit import figure, open_page, shown, values

PAGE = "pages/images/layers.py"


def test_bundled_shapes_model_first_layer_and_filter():
    at = open_page(PAGE)
    text = shown(at)
    assert "the bundled shapes model" in text and "16 feature maps of 32×32" in text
    assert "map 0 = bias 0 + the sum over the 3 input map(s)" in text and "✓ Recomputed by convlab" in text
    filt = figure(at, 4)                                      # filter 0: 3 channels of 3×3, with numbers
    assert [a["text"] for a in filt["layout"]["annotations"]] == ["channel 0", "channel 1", "channel 2"]
    assert all(len(t["text"]) == 3 for t in filt["data"])
    at.selectbox(key="nw_layer").set_value(3).run()           # conv 16→32: 16 channels as small pictures
    assert [a["text"] for a in figure(at, 4)["layout"]["annotations"]][-1] == "ch 15"


def test_choosing_a_layer_and_a_map():
    at = open_page(PAGE, layer="2", map="5")
    text = shown(at)
    assert "16 feature maps of 16×16" in text and "Map 5" in text and "keeps the largest value of each 2×2 block" in text
    big = values(figure(at, 3)["data"][0]["z"])
    assert big.shape == (16, 16)
    at.selectbox(key="nw_layer").set_value(3).run()
    assert "32 feature maps of 16×16" in shown(at) and at.query_params["layer"] == "3"
    at = open_page(PAGE, layer="60", map="500")               # clamped to the model
    assert not at.exception and "Map " in shown(at)


def test_random_and_digits_models_with_photos():
    at = open_page(PAGE, model="random", preset="tinyvgg", data="digits", seed="3")
    assert "a random-weight tinyvgg network (seed 3)" in shown(at) and "10 feature maps of 8×8" in shown(at)
    at = open_page(PAGE, model="digits", source="sample", sample="a digit")
    assert "the bundled digits model" in shown(at) and not at.exception
    at = open_page(PAGE, source="upload")
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((50, 80, 3)) * 255).astype(np.uint8)).save(buf, "JPEG")
    at.file_uploader(key="nw_upload").upload("p.jpg", buf.getvalue(), "image/jpeg").run()
    assert "16 feature maps of 32×32" in shown(at) and not at.exception
    at.file_uploader(key="nw_upload").upload("p.jpg", b"", "image/jpeg").run()
    assert at.error and not at.exception


def test_my_model_needs_a_trained_one_and_bad_urls_fall_back():
    at = open_page(PAGE, model="mine")
    assert "Train a model in the training lab first" in shown(at)
    at = open_page(PAGE, model="<script>", layer="x")
    assert "URL value model=<script> was ignored" in shown(at) and "URL value layer=x was ignored" in shown(at)

